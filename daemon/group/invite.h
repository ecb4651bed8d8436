/*
 * invite.h — one-time invites (DESIGN.md §4 "Invites"): their state, kept
 * by the group; the join conversation is the network's (join_start in
 * peer.h, daemon/net/join.c).
 *
 * An invite code is one line of text carrying the group id, the inviter's
 * member id and address(es), an expiry, a checksum and a fresh one-time
 * invite secret — never a content key or the group's network key.  The
 * inviter's listener accepts the handshake under the invite's network key
 * (shs_invite_network_key) once; the newcomer signs their acceptance of
 * the contract; the inviter adds them to the roster and only then seals the
 * epoch key(s) to them.
 */
#ifndef BAL_INVITE_H
#define BAL_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct daemon;
struct group;

#define INVITE_DEFAULT_EXPIRY_S (7u * 24 * 3600)
/* Refused attempts (a name the invite is not bound to) that spend it. */
#define INVITE_TRIES_MAX 3u

/*
 * invite_create makes and remembers a one-time invite for g, optionally
 * bound to an expected member name, optionally (confirm) holding the
 * newcomer until a leader confirms their fingerprint (balint admit),
 * carrying the addresses addrs[0..naddrs)
 * where this daemon's listener is reached (net_reach_addrs); *code is
 * malloc'd text (free() it).  err gets a one-line reason on failure (e.g.
 * not a leader).
 */
int invite_create(struct daemon *d, struct group *g, const char *name,
    int confirm, uint64_t expires_s, const char (*addrs)[WIRE_MAX_ADDR + 1],
    size_t naddrs, char **code, char *err, size_t errlen);

/*
 * For the listener: the open invites whose network keys it accepts.
 * struct invite_open holds the invite's network key (not the secret).
 */
#define INVITE_OPEN_MAX 256

struct invite_open {
	uint8_t group[32];		/* group id */
	uint8_t hash[32];		/* BLAKE2b-256 of the invite secret */
	uint8_t netkey[32];		/* shs_invite_network_key */
	uint64_t expires_ms;
	char name[81];			/* bound member name, or "" */
	int confirm;			/* admitted only once confirmed */
};

/*
 * invite_open_list fills out with up to max unexpired invites of groups
 * this member is in, used ones included (so that their holder hears
 * "already used"); *n gets the count.
 */
int invite_open_list(struct daemon *d, struct invite_open *out, size_t max,
    size_t *n);
/*
 * invite_hello checks a newcomer's HELLO for group under inv: the group
 * whose contract to show, or NULL with the refusal's text in refuse.
 */
struct group *invite_hello(struct daemon *d, const struct invite_open *inv,
    const uint8_t *group, char *refuse, size_t refuselen);
/*
 * invite_check makes the checks of invite_admit that come before the
 * invite is used up (used, bound name, signature, not yet a member): the
 * group, or NULL with the refusal's text in refuse.
 */
struct group *invite_check(struct daemon *d, const struct invite_open *inv,
    const uint8_t *pk, const char *name, const uint8_t *sig, char *refuse,
    size_t refuselen);
/*
 * invite_refuse spends the invite of a newcomer a leader refused
 * (balint admit --refuse): answered like a used one from then on.
 */
void invite_refuse(struct daemon *d, const struct invite_open *inv);
/*
 * invite_admit checks the acceptance of pk (name, sig from
 * contract_accept_sign) under inv, uses the invite up and adds pk to the
 * roster (invite_add_member): the group, or NULL with the refusal's text in
 * refuse ("this invite was already used", "... expired on DATE", ...).
 * A name the invite is not bound to is refused without a word of the
 * binding, and counted: the INVITE_TRIES_MAX-th refusal spends the code.
 */
struct group *invite_admit(struct daemon *d, const struct invite_open *inv,
    const uint8_t *pk, const char *name, const uint8_t *sig, char *refuse,
    size_t refuselen);
/*
 * invite_add_member writes the roster ADD of pk (name, acceptance sig from
 * contract_accept_sign) as this leader: a new epoch key sealed to every
 * active member and the newcomer; under History: full also every earlier
 * key this member holds, sealed to the newcomer.
 */
int invite_add_member(struct group *g, const uint8_t *pk, const char *name,
    const uint8_t *sig);
/*
 * invite_join_complete is 1 when this member, joining g, holds its roster
 * (as active) and the key of its write epoch.
 */
int invite_join_complete(struct daemon *d, const struct group *g);
/* invite_expiry_text writes ms as "YYYY-MM-DD HH:MM UTC". */
void invite_expiry_text(uint64_t ms, char *out, size_t outlen);
/* invite_free_all forgets the invites used by this process (group_free_all). */
void invite_free_all(struct daemon *d);

#endif
