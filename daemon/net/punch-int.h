/*
 * punch-int.h — what the two files of hole punching share: punch.c (the
 * attempts, the relay's introduction, the timer) and punch-onion.c (two
 * members whose only session goes through tor: SEEN, CALL, CALLED and
 * the address this member is seen at).  docs/protocol.md "Hole punching".
 */
#ifndef BAL_PUNCH_INT_H
#define BAL_PUNCH_INT_H

#include <netinet/in.h>
#include <stdint.h>

#include "peer-int.h"
#include "punch-seen.h"

/* One attempt at this end (asker, answerer, caller or called). */
struct punch {
	struct punch *next;
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t member[BAL_PK_BYTES];
	struct net_conn *relay;		/* asker, caller: the session asked */
	int fd;				/* the bound socket, -1 once used */
	uint16_t port;
	uint64_t until;			/* loop time to give up waiting */
};

/* What a relay remembers between an OFFER and its ANSWER. */
struct intro {
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t asker[BAL_PK_BYTES], target[BAL_PK_BYTES];
	uint16_t port;
	uint64_t until;
};

/*
 * A member last asked for (or called, or answered): not again before
 * `next`; `gap`, the wait before it (doubled at each attempt that brings
 * no direct session, punch_may; 0 after one, punch_tried_reset).
 */
struct tried {
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t member[BAL_PK_BYTES];
	uint64_t next;
	uint64_t gap;
};

struct punches {
	int on;				/* hole-punching on; off: SEEN kept only */
	uv_timer_t tick;
	uint64_t start;			/* loop time of punch_start */
	int graced;			/* the start's grace over (logged) */
	uint64_t retry_ms;
	struct punch *list;
	struct intro intros[PUNCH_INTROS];
	struct tried tried[PUNCH_TRIED];	/* asked for, called */
	size_t ntried;
	struct tried answered[PUNCH_TRIED];	/* OFFERs, CALLs answered */
	size_t nanswered;
	/*
	 * Where other members saw this one come from over direct sessions
	 * (PUNCH SEEN), a report per member, kept in the store's meta
	 * table (PUNCH_SEEN_META) across restarts.
	 */
	struct punch_seen_tab seen;
	const char *not_called;		/* the last reason logged, or NULL */
};

/* punch.c's helpers for punch-onion.c. */
struct net_conn *punch_session(struct net *net, const uint8_t *group,
    const uint8_t *pk, int direct);
struct punch *punch_new(struct net *net, const uint8_t *group,
    const uint8_t *member, struct net_conn *relay);
struct punch *punch_find(struct net *net, const uint8_t *group,
    const uint8_t *member);
void punch_free(struct net *net, struct punch *p);
int punch_send(struct net_conn *c, int op, const uint8_t *member,
    const char *host, uint16_t port);
void punch_connect(struct net *net, struct punch *p, const char *host,
    uint16_t port);
int punch_local_has(const char *host);
int punch_host_ok(const struct net_conn *c, const char *host,
    uint16_t port, int public);
/*
 * punch_may is 1 (and notes it in tab, of *n entries) when member of
 * group may be tried at now: its last try's gap has passed.  The next
 * waits gap; grow: twice the last one's (at most PUNCH_RETRY_MAX_MS)
 * unless punch_tried_reset came between.  punch_tried_left: ms until
 * member's next try (0: may now).
 */
int punch_may(struct tried *tab, size_t *n, const uint8_t *group,
    const uint8_t *member, uint64_t now, uint64_t gap, int grow);
void punch_tried_reset(struct tried *tab, size_t n, const uint8_t *group,
    const uint8_t *member);
uint64_t punch_tried_left(const struct tried *tab, size_t n,
    const uint8_t *group, const uint8_t *member, uint64_t now);

/*
 * punch-onion.c: punch_onion_load reads the kept SEEN at start;
 * punch_onion_tick sends SEEN on new direct sessions and CALL to members
 * whose only session is through tor; punch_onion_on_msg takes SEEN, CALL
 * and CALLED.
 */
void punch_onion_load(struct net *net);
void punch_onion_tick(struct net *net);
void punch_onion_on_msg(struct net_conn *c, const struct wire_msg *m);

#endif
