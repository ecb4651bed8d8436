/*
 * punch-seen.h — where other members saw this one come from over direct
 * sessions (PUNCH SEEN, punch-onion.c; docs/protocol.md "Over an onion
 * session"), one report per reporting member, and the address a CALL
 * names: the one the most members agree on (ties: the newest report), so
 * that one member's word, true or false, never replaces another's.  Pure:
 * the clock and the test of a local address are passed in.
 */
#ifndef BAL_PUNCH_SEEN_H
#define BAL_PUNCH_SEEN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define PUNCH_SEEN_REPORTERS 16		/* members' reports kept */
#define PUNCH_SEEN_TEXT_MAX 4096	/* punch_seen_format's text, at most */
/* A report dated more than this after now (or after a new report) was
 * kept while the clock ran ahead: dropped. */
#define PUNCH_SEEN_AHEAD_MS (24ull * 3600 * 1000)

/*
 * One member's last SEEN: the address and port seen, this end's own
 * address and port of that connection (the same port: the router keeps
 * ports) and when (Unix ms).
 */
struct punch_seen {
	uint8_t reporter[BAL_PK_BYTES];
	char host[INET_ADDRSTRLEN];
	uint16_t port;
	char local[INET_ADDRSTRLEN];
	uint16_t lport;
	uint64_t at_ms;			/* last heard */
	uint64_t kept_ms;		/* at_ms as last written */
};

struct punch_seen_tab {
	struct punch_seen r[PUNCH_SEEN_REPORTERS];
	size_t n;
};

/* What punch_seen_put did. */
enum punch_seen_put {
	PUNCH_SEEN_SAME = 0,		/* as kept, and written recently */
	PUNCH_SEEN_CHANGED,		/* a new reporter or a new address */
	PUNCH_SEEN_RENEWED		/* as kept, its time write_ms old */
};

/*
 * punch_seen_put keeps s as its reporter's report, replacing only that
 * reporter's (a new reporter with the table full takes the place of the
 * oldest report).  A report as kept takes the new time (later or
 * earlier); RENEWED when the time written is write_ms old or ahead of it.
 * Reports dated over PUNCH_SEEN_AHEAD_MS after s are dropped first.  The
 * caller writes the table when not SAME.
 */
enum punch_seen_put punch_seen_put(struct punch_seen_tab *t,
    const struct punch_seen *s, uint64_t write_ms);
/* Which reports count: local(address) 1 when this machine still has that
 * local address; reporter(pk, arg) 1 when pk is a current member of the
 * group whose CALL names the address. */
struct punch_seen_ok {
	int (*local)(const char *local);
	int (*reporter)(const uint8_t *pk, const void *arg);
	const void *arg;
};

/*
 * punch_seen_pick: of the reports at most max_ms old at now_ms that
 * check accepts (the local address still here, the reporter a current
 * member of the group called), the newest
 * of those naming the address (and port behaviour: the port seen equal to
 * the local one or not) that the most reporters name, ties going to the
 * newest report; *votes how many named it.  NULL when none counts.
 */
const struct punch_seen *punch_seen_pick(const struct punch_seen_tab *t,
    uint64_t now_ms, uint64_t max_ms, const struct punch_seen_ok *check,
    size_t *votes);
/* punch_seen_format: the table as text, a line a report (REPORTER_HEX
 * HOST PORT LOCAL LPORT UNIX_MS); its length, -1 when len is too small. */
int punch_seen_format(const struct punch_seen_tab *t, char *out,
    size_t len);
/* punch_seen_parse: the table from that text; lines that do not parse
 * (a number out of range included), name no public address, or are
 * dated over PUNCH_SEEN_AHEAD_MS after now_ms are skipped.  The number
 * kept. */
size_t punch_seen_parse(struct punch_seen_tab *t, const char *text,
    size_t len, int (*host_ok)(const char *), uint64_t now_ms);

#endif
