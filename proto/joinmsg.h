/*
 * joinmsg.h — the messages of the join conversation, carried in frames
 * (frame.h) after a handshake under an invite's network key (DESIGN.md §4
 * "Invites"; docs/protocol.md §Joining).  Types start at 16 so they
 * are never mistaken for replication messages (wire.h).
 *
 *	JOIN_HELLO    [16, version, group id bin32, preview bool]  joiner
 *	JOIN_CONTRACT [17, contract bin, inviter name str, confirm bool]
 *	              inviter: the canonical encoding, the name the group
 *	              knows it by, and whether the inviter confirms the
 *	              newcomer's fingerprint before adding them (then
 *	              JOIN_WELCOME or JOIN_REFUSE comes only once it did)
 *	JOIN_ACCEPT   [18, name str, acceptance signature bin64]   joiner
 *	JOIN_WELCOME  [19]                 inviter: added; replication follows
 *	JOIN_REFUSE   [20, text str]       inviter: why not (then FINAL)
 *
 * Pure functions.  A decoded struct joinmsg owns its contract copy
 * (joinmsg_clear releases it); one filled by the caller for
 * joinmsg_encode points to the caller's memory.
 */
#ifndef BAL_JOINMSG_H
#define BAL_JOINMSG_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define JOINMSG_VERSION 2
#define JOINMSG_CONTRACT_MAX (96u * 1024)
#define JOINMSG_NAME_MAX 80
#define JOINMSG_TEXT_MAX 200

enum joinmsg_type {
	JOIN_HELLO = 16,
	JOIN_CONTRACT = 17,
	JOIN_ACCEPT = 18,
	JOIN_WELCOME = 19,
	JOIN_REFUSE = 20
};

struct joinmsg {
	int type;				/* enum joinmsg_type */
	uint64_t version;			/* HELLO */
	uint8_t group[BAL_GROUP_ID_BYTES];	/* HELLO */
	int preview;				/* HELLO */
	uint8_t *contract;			/* CONTRACT */
	size_t contract_len;
	char name[JOINMSG_NAME_MAX + 1];	/* ACCEPT; CONTRACT: inviter */
	int confirm;				/* CONTRACT */
	uint8_t sig[BAL_SIG_BYTES];		/* ACCEPT */
	char text[JOINMSG_TEXT_MAX + 1];	/* REFUSE, one line */
};

/*
 * joinmsg_encode writes m (malloc'd, free() it).  BAL_EINVAL: unknown type
 * or a field out of its limits (names and texts: UTF-8, no control
 * characters).
 */
int joinmsg_encode(const struct joinmsg *m, uint8_t **out, size_t *outlen);
/*
 * joinmsg_decode parses exactly one message into *m.  BAL_EPROTO:
 * malformed, unknown type, out of limits or trailing bytes; BAL_EVERSION:
 * a JOIN_HELLO of another version (m->version set).
 */
int joinmsg_decode(const uint8_t *buf, size_t len, struct joinmsg *m);
/* joinmsg_clear releases what a decoded message owns and zeroes it. */
void joinmsg_clear(struct joinmsg *m);

#endif
