/*
 * peer-pick.h — which stored addresses a group dials (peer-pick.c): a
 * pure rule over a list of candidates, so that unit tests can try it
 * (tests/unit/test-pick.c).  docs/protocol.md "Dial targets".
 */
#ifndef BAL_PEER_PICK_H
#define BAL_PEER_PICK_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "daemon.h"

/* One address the group could dial. */
struct peer_cand {
	char addr[DAEMON_ADDR_MAX];
	uint8_t member[BAL_PK_BYTES];
	int has_member;		/* the member there is known */
	int typed;		/* `peer add` or an invite code, not announced */
	unsigned ord;		/* place in the member's announce */
	uint64_t ok_ms;		/* a session through it last came up; 0 never */
	unsigned rank;		/* out: its place among its member's picks */
};

/*
 * peer_pick puts c[0..n) in dial order and returns how many of them to
 * dial (at most max): every typed address first (the user asked for them;
 * the ones that worked last first), then the announced ones in rounds
 * across members: each member's best address, then each one's second,
 * and so on, at most per_member of each member; within a member and
 * among members, the address or member whose session came up last goes
 * first, then the announce's own order.  Whatever one member announces,
 * every other member keeps a place.  c[i].rank gets the address's place
 * among the picks of its member (0: tried first).
 */
size_t peer_pick(struct peer_cand *c, size_t n, size_t max,
    size_t per_member);

#endif
