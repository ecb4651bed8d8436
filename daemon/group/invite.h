/*
 * invite.h — one-time invites and joining (DESIGN.md §4 "Invites").
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

struct daemon;
struct group;

#define INVITE_DEFAULT_EXPIRY_S (7u * 24 * 3600)

/*
 * invite_create makes and remembers a one-time invite for g, optionally
 * bound to an expected member name; *code is malloc'd text (free() it).
 * err gets a one-line reason on failure (e.g. not a leader).
 */
int invite_create(struct daemon *d, struct group *g, const char *name,
    uint64_t expires_s, char **code, char *err, size_t errlen);

/*
 * The outcome of a join: status 0 and the group, or a negative code and a
 * one-line reason ("this invite was already used", "invite expired on
 * DATE", "cannot reach the inviter at ADDR", "timed out after N s").
 * For a preview, contract_text is the contract to show (else NULL).
 */
typedef void (*join_done_cb)(void *ctx, int status, struct group *g,
    const char *contract_text, const char *err);

/*
 * join_start begins joining with code.  preview: only fetch the contract
 * (the invite is not used up).  Otherwise accept: sign the acceptance,
 * get added, and call done once this member holds the roster and the
 * epoch key(s), or on failure or after timeout_ms.  BAL_ECHECKSUM: the code
 * was mistyped (done is not called for errors returned directly).
 */
int join_start(struct daemon *d, const char *code, int preview,
    uint64_t timeout_ms, join_done_cb done, void *ctx, char *err,
    size_t errlen);

/*
 * For peer.c: the open invites whose network keys the listener accepts.
 * struct invite_open holds the invite's network key (not the secret).
 */
#define INVITE_OPEN_MAX 256

struct net_conn;

struct invite_open {
	uint8_t group[32];		/* group id */
	uint8_t hash[32];		/* BLAKE2b-256 of the invite secret */
	uint8_t netkey[32];		/* shs_invite_network_key */
	uint64_t expires_ms;
	char name[81];			/* bound member name, or "" */
};

/*
 * invite_open_list fills out with up to max unexpired invites of groups
 * this member is in, used ones included (so that their holder hears
 * "already used"); *n gets the count.
 */
int invite_open_list(struct daemon *d, struct invite_open *out, size_t max,
    size_t *n);
/*
 * invite_serve takes over a connection whose handshake used inv's network
 * key: it sets the connection's handler (net_conn_set_handler) for the
 * join conversation, or leaves none to have it closed.
 */
void invite_serve(struct daemon *d, struct net_conn *c,
    const struct invite_open *inv);
/*
 * invite_add_member writes the roster ADD of pk (name, acceptance sig from
 * contract_accept_sign) as this leader: a new epoch key sealed to every
 * active member and the newcomer; under History: full also every earlier
 * key this member holds, sealed to the newcomer.
 */
int invite_add_member(struct group *g, const uint8_t *pk, const char *name,
    const uint8_t *sig);
/* invite_on_roster lets pending joins of g check whether they are done. */
void invite_on_roster(struct daemon *d, struct group *g);
/* invite_stop ends pending joins (done gets BAL_ESTATE); from net_stop. */
void invite_stop(struct daemon *d);

#endif
