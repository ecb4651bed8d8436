/*
 * invcode.h — the text form of an invite code (DESIGN.md §4 "Invites";
 * exact format in docs/protocol.md §Invite codes).
 *
 *	"balint-invite:" base64url-no-padding( body || check )
 *	body  = msgpack [1, group id bin32, inviter pk bin32, [addr str, ...],
 *	                 expires ms uint, invite secret bin32, name str | nil]
 *	check = first 4 bytes of BLAKE2b-128(key = "balint-invite-v1", body)
 *
 * The code carries no content key and no network key; its secret only
 * opens the inviter's listener once (shs_invite_network_key).  Pure
 * functions: no I/O.  (The file is not named invite.h so as not to clash
 * with daemon/invite.h.)
 *
 * Ownership: invcode_encode's text is malloc'd (free() it; it holds the
 * secret, so wipe it first).  struct invcode is the caller's; it holds the
 * invite secret: invcode_wipe it.
 */
#ifndef BAL_INVCODE_H
#define BAL_INVCODE_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define INVCODE_VERSION 1
#define INVCODE_PREFIX "balint-invite:"
#define INVCODE_CHECK_KEY "balint-invite-v1"	/* 16 bytes, no NUL */
#define INVCODE_CHECK_BYTES 4
#define INVCODE_MAX_ADDRS 4
#define INVCODE_MAX_ADDR 128			/* bytes of one address */
#define INVCODE_NAME_MAX 80			/* bytes of the bound name */
#define INVCODE_BODY_MAX 1024			/* bytes of the msgpack body */
#define INVCODE_TEXT_MAX 2048			/* characters of a code */

struct invcode {
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t inviter[BAL_PK_BYTES];
	char addrs[INVCODE_MAX_ADDRS][INVCODE_MAX_ADDR + 1];
	size_t naddrs;				/* 1..INVCODE_MAX_ADDRS */
	uint64_t expires_ms;
	uint8_t secret[BAL_KEY_BYTES];
	char name[INVCODE_NAME_MAX + 1];	/* "" when not bound */
};

/*
 * invcode_encode writes the code text of ic (NUL-terminated).  BAL_EINVAL:
 * no address, an empty, too long or non-printable address, a name with
 * control characters.
 */
int invcode_encode(const struct invcode *ic, char **out);

/*
 * invcode_decode parses a code; blanks and line breaks anywhere are
 * ignored, as is the case of the prefix.  BAL_EPROTO: not an invite code
 * (no prefix); BAL_ECHECKSUM: the checksum does not match (a typing error)
 * or the text does not decode; BAL_EVERSION: a newer code version.  On
 * error *ic is zeroed.
 */
int invcode_decode(const char *text, struct invcode *ic);

/* invcode_wipe zeroes ic (the secret). */
void invcode_wipe(struct invcode *ic);

#endif
