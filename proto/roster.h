/*
 * roster.h — membership operations and the deterministic roster fold.
 *
 * A roster operation is the plaintext body of a roster entry (entry kind
 * 2) in its author's log; the entry layer has already checked its
 * signature, chain and lamport clock.  roster_fold() takes every roster
 * entry of a group, in any order, and computes the same roster on every
 * peer: members and their status, the cut of each removed member, the
 * epochs and which one to write under, and the rejected operations with
 * their reasons.  The rules are in docs/protocol.md §Fold.
 *
 * Ownership: roster_encode_* hand out malloc'd bytes (free() them).  A
 * struct roster_op from roster_op_decode owns copies of everything it
 * points to; roster_op_free releases it.  A struct roster from roster_fold
 * owns every array and buffer it points to; roster_free releases it.  The
 * fold keeps no pointer into its inputs.  Free functions accept NULL.
 * Nothing here is secret except keys written by roster_epoch_key.
 */
#ifndef BAL_ROSTER_H
#define BAL_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "epoch.h"
#include "identity.h"

/* Limits of the operation bodies (decoders refuse anything beyond). */
#define ROSTER_CONTRACT_MAX (80u * 1024)	/* contract bytes, 1.. */
#define ROSTER_NAME_MAX 80			/* member name bytes, 1.. */
#define ROSTER_BODY_MAX (96u * 1024)		/* a whole operation body */
/* Limits of the fold. */
#define ROSTER_LEADERS_MAX 8			/* leaders named at a time */
#define ROSTER_MEMBERS_MAX 1024			/* members ever admitted */
#define ROSTER_ACTIVE_MAX EPOCH_MAX_RECIPIENTS	/* members at one time */
#define ROSTER_OPS_MAX (1u << 20)		/* inputs of one fold */

/*
 * The domain of the contract hash: BLAKE2b-256(domain || contract bytes),
 * the same construction as contract_hash_bytes (contract.h), so when the
 * roster carries canonical contract encodings the hashes agree.
 */
#define ROSTER_CONTRACT_HASH_DOMAIN "balint-group-v1"

/* "No epoch" for roster.write_epoch. */
#define ROSTER_NO_EPOCH ((size_t)-1)

enum roster_op_type {
	ROSTER_OP_CREATE = 1,	/* [1, contract, founder name, envelope] */
	ROSTER_OP_ADD = 2,	/* [2, pk, name, accept sig, readmits|nil,
				    envelope|nil, history|nil] */
	ROSTER_OP_REVOKE = 3,	/* [3, pk, cut, envelope] */
	ROSTER_OP_LEAVE = 4,	/* [4, cut] */
	ROSTER_OP_ROTATE = 5,	/* [5, envelope] */
	ROSTER_OP_AMEND = 6,	/* [6, contract, prev contract hash] */
};

/*
 * A decoded operation.  Fields not used by the type are zero/NULL.
 * envelope and history are the encodings (epoch.h) carried as bin; they
 * were checked to decode, and an envelope's epoch id field is 0.
 */
struct roster_op {
	int type;				/* enum roster_op_type */
	uint8_t member[BAL_PK_BYTES];		/* ADD, REVOKE */
	char name[ROSTER_NAME_MAX + 1];		/* CREATE, ADD; NUL-terminated */
	uint8_t accept_sig[BAL_SIG_BYTES];	/* ADD (opaque here) */
	int has_readmits;			/* ADD */
	uint8_t readmits[BAL_HASH_BYTES];	/* ADD: overridden removal */
	uint64_t cut;				/* REVOKE, LEAVE */
	uint8_t *contract;			/* CREATE, AMEND */
	size_t contract_len;
	uint8_t prev_hash[BAL_HASH_BYTES];	/* AMEND */
	uint8_t *envelope;			/* CREATE, REVOKE, ROTATE; ADD or NULL */
	size_t envelope_len;
	uint8_t *history;			/* ADD or NULL */
	size_t history_len;
};

/*
 * Encoders of the operation bodies.  Every argument is checked against the
 * limits above; envelopes and histories must decode and an envelope's id
 * must be 0.  name is NUL-terminated, 1..ROSTER_NAME_MAX bytes of UTF-8
 * without control characters.  BAL_EINVAL: bad argument; BAL_ETOOBIG:
 * contract too long.
 */
int roster_encode_create(const uint8_t *contract, size_t contract_len,
    const char *name, const uint8_t *envelope, size_t envelope_len,
    uint8_t **out, size_t *outlen);
/* readmits, envelope and history may each be NULL (nil). */
int roster_encode_add(const uint8_t member[BAL_PK_BYTES], const char *name,
    const uint8_t accept_sig[BAL_SIG_BYTES], const uint8_t *readmits,
    const uint8_t *envelope, size_t envelope_len, const uint8_t *history,
    size_t history_len, uint8_t **out, size_t *outlen);
int roster_encode_revoke(const uint8_t member[BAL_PK_BYTES], uint64_t cut,
    const uint8_t *envelope, size_t envelope_len, uint8_t **out,
    size_t *outlen);
int roster_encode_leave(uint64_t cut, uint8_t **out, size_t *outlen);
int roster_encode_rotate(const uint8_t *envelope, size_t envelope_len,
    uint8_t **out, size_t *outlen);
int roster_encode_amend(const uint8_t *contract, size_t contract_len,
    const uint8_t prev_hash[BAL_HASH_BYTES], uint8_t **out, size_t *outlen);

/*
 * roster_op_decode parses an operation body strictly.  BAL_EPROTO:
 * malformed, unknown type, a field out of its limits or trailing bytes;
 * BAL_ETOOBIG: above ROSTER_BODY_MAX.
 */
int roster_op_decode(const uint8_t *body, size_t len, struct roster_op **out);
/* roster_op_free releases a decoded operation; NULL is a no-op. */
void roster_op_free(struct roster_op *op);

/* roster_contract_hash is BLAKE2b-256(ROSTER_CONTRACT_HASH_DOMAIN || c). */
void roster_contract_hash(const uint8_t *contract, size_t len,
    uint8_t out[BAL_HASH_BYTES]);

/* One input of the fold: a verified roster entry (see the file comment). */
struct roster_in {
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;
	uint64_t lamport;
	uint64_t time_ms;
	uint8_t entry_id[BAL_HASH_BYTES];
	const uint8_t *body;
	size_t body_len;
};

/*
 * An optional contract checker for roster_fold_ex.  For every AMEND that is
 * otherwise valid, amend() gets the current and the proposed contract and
 * the author; it returns 0 and fills leaders (room for ROSTER_LEADERS_MAX)
 * and *nleaders (1..ROSTER_LEADERS_MAX) with the leaders of the new
 * version, or a negative code to reject the AMEND.  It must be a pure
 * function of its inputs, or peers will disagree.
 */
struct roster_contract_cb {
	int (*amend)(void *ctx, const uint8_t *cur, size_t cur_len,
	    const uint8_t *next, size_t next_len,
	    const uint8_t author[BAL_PK_BYTES],
	    uint8_t leaders[][BAL_PK_BYTES], size_t *nleaders);
	void *ctx;
};

enum roster_role {
	ROSTER_ROLE_MEMBER = 0,
	ROSTER_ROLE_LEADER = 1,
};

enum roster_status {
	ROSTER_ACTIVE = 0,
	ROSTER_REVOKED = 1,
	ROSTER_LEFT = 2,
};

/* Why an operation was rejected (see roster_reason_name). */
enum roster_reason {
	ROSTER_R_MALFORMED = 1,		/* body does not decode */
	ROSTER_R_DUPLICATE,		/* same entry given twice */
	ROSTER_R_FORK,			/* two different entries, one (author, seq) */
	ROSTER_R_NO_GROUP,		/* sorts before the valid CREATE */
	ROSTER_R_CREATE_AGAIN,		/* a CREATE after the valid one */
	ROSTER_R_NOT_MEMBER,		/* author is not an active member */
	ROSTER_R_NOT_LEADER,		/* author is not a leader */
	ROSTER_R_BEYOND_CUT,		/* author's seq is beyond their cut */
	ROSTER_R_REMOVED,		/* ADD of a removed member: remove wins */
	ROSTER_R_ALREADY_MEMBER,	/* ADD of an active member */
	ROSTER_R_READMITS,		/* readmits of a never-admitted member */
	ROSTER_R_NO_SUCH_MEMBER,	/* REVOKE of someone never admitted */
	ROSTER_R_SELF,			/* a leader revoking themself */
	ROSTER_R_BAD_CUT,		/* LEAVE whose cut is not its own seq */
	ROSTER_R_CONTRACT,		/* AMEND not on the current contract */
	ROSTER_R_EPOCH_ID,		/* epoch id or key already in use */
	ROSTER_R_FULL,			/* member limits reached */
};

struct roster_member {
	uint8_t pk[BAL_PK_BYTES];
	char name[ROSTER_NAME_MAX + 1];		/* from the latest admission */
	int role;				/* enum roster_role (final leaders) */
	int status;				/* enum roster_status */
	/*
	 * When not active: the member's entries with seq > cut are refused.
	 * Two removals in one episode keep the smaller cut.
	 */
	uint64_t cut;
	uint8_t accept_sig[BAL_SIG_BYTES];	/* from the latest admission */
	uint8_t added_by[BAL_PK_BYTES];		/* founder: themself */
	uint8_t added_entry[BAL_HASH_BYTES];	/* latest admission */
	uint64_t added_ms;
	/* The latest valid removal (all zero if never removed). */
	uint8_t removed_by[BAL_PK_BYTES];
	uint8_t removed_entry[BAL_HASH_BYTES];
	uint64_t removed_ms;
};

struct roster_epoch {
	uint64_t id;				/* 0, or epoch_id_from_entry */
	size_t ordinal;				/* index in roster.epochs */
	int op;					/* type of the creating op */
	uint8_t entry_id[BAL_HASH_BYTES];	/* the creating roster entry */
	uint8_t author[BAL_PK_BYTES];
	uint64_t lamport;
	uint64_t time_ms;
	uint8_t commit[EPOCH_COMMIT_BYTES];	/* the envelope's commitment */
	size_t nrecipients;
	uint8_t recipients[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES];
	uint8_t *envelope;			/* the encoding, for epoch_open */
	size_t envelope_len;
};

/* An epoch key given to a newcomer by the history of their ADD. */
struct roster_grant {
	size_t epoch;				/* index in roster.epochs */
	uint8_t member[BAL_PK_BYTES];
	uint8_t entry_id[BAL_HASH_BYTES];	/* the ADD */
	uint8_t sealed[EPOCH_SEALED_BYTES];
};

struct roster_reject {
	uint8_t entry_id[BAL_HASH_BYTES];
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;
	int reason;				/* enum roster_reason */
};

struct roster {
	uint8_t founder[BAL_PK_BYTES];
	uint8_t leaders[ROSTER_LEADERS_MAX][BAL_PK_BYTES];	/* final */
	size_t nleaders;
	uint8_t *contract;			/* CREATE's, or the latest AMEND's */
	size_t contract_len;
	uint8_t contract_hash[BAL_HASH_BYTES];	/* roster_contract_hash */
	/* CREATE's contract hash: the group id, which sealed keys are bound to. */
	uint8_t group_id[BAL_GROUP_ID_BYTES];
	struct roster_member *members;		/* in order of first admission */
	size_t nmembers;
	struct roster_epoch *epochs;		/* in fold order; [0] is epoch 0 */
	size_t nepochs;
	struct roster_grant *grants;
	size_t ngrants;
	size_t current;				/* index of the last epoch */
	size_t write_epoch;			/* index, or ROSTER_NO_EPOCH */
	int needs_rotation;			/* a leader should ROTATE */
	struct roster_reject *rejected;		/* in fold order */
	size_t nrejected;
	size_t passes;				/* fold passes made (cut rule) */
};

/*
 * roster_fold computes the roster from n verified roster entries in any
 * order; leaders are the group's leader keys from its contract.  On
 * success *out is a new roster.  BAL_ENOENT: no valid CREATE among the
 * ops; BAL_EINVAL: bad arguments; BAL_ETOOBIG: n above ROSTER_OPS_MAX;
 * BAL_ENOMEM.
 */
int roster_fold(const uint8_t leaders[][BAL_PK_BYTES], size_t nleaders,
    const struct roster_in *ops, size_t n, struct roster **out);
/*
 * roster_fold_ex is roster_fold with a contract checker (may be NULL) that
 * validates AMENDs and gives the leaders of each new contract version.
 */
int roster_fold_ex(const uint8_t leaders[][BAL_PK_BYTES], size_t nleaders,
    const struct roster_contract_cb *cb, const struct roster_in *ops,
    size_t n, struct roster **out);
/* roster_free releases a roster; NULL is a no-op. */
void roster_free(struct roster *r);

/* roster_member_find is pk's member record, or NULL. */
const struct roster_member *roster_member_find(const struct roster *r,
    const uint8_t pk[BAL_PK_BYTES]);
/* roster_is_active is 1 when pk is an active member, else 0. */
int roster_is_active(const struct roster *r, const uint8_t pk[BAL_PK_BYTES]);
/* roster_is_leader is 1 when pk is an active member and a leader. */
int roster_is_leader(const struct roster *r, const uint8_t pk[BAL_PK_BYTES]);
/*
 * roster_entry_allowed is 0 when an entry of author at seq may be stored:
 * author is active, or removed and seq is not beyond their cut.  Else
 * BAL_EPERM (never a member, or beyond the cut).
 */
int roster_entry_allowed(const struct roster *r,
    const uint8_t author[BAL_PK_BYTES], uint64_t seq);
/* roster_epoch_find is the epoch with this id, or NULL. */
const struct roster_epoch *roster_epoch_find(const struct roster *r,
    uint64_t id);
/*
 * roster_epoch_key opens me's key of epoch id, from the epoch's envelope
 * or from a history given to me.  BAL_ENOENT: no such epoch or nothing
 * sealed to me; BAL_ECRYPTO: tampered, bound to another group, epoch or
 * member, or not the key the epoch's envelope commits to.  key_out is
 * zeroed on failure.
 */
int roster_epoch_key(const struct roster *r, uint64_t id,
    const struct identity *me, uint8_t key_out[BAL_KEY_BYTES]);
/*
 * roster_state_hash is a BLAKE2b-256 of the fold's result (contract,
 * leaders, members, epochs, grants, current and write epoch; not the
 * rejected list), equal on two peers exactly when they computed the same
 * roster.  See docs/protocol.md §State hash.
 */
int roster_state_hash(const struct roster *r, uint8_t out[BAL_HASH_BYTES]);

/* roster_reason_name is a short static text for an enum roster_reason. */
const char *roster_reason_name(int reason);
/* roster_op_name is "create", "add", ... or "unknown". */
const char *roster_op_name(int type);

#endif
