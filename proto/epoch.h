/*
 * epoch.h — epoch keys and the envelopes that carry them to members.
 *
 * An epoch key is the group's 32-byte symmetric content key for one epoch.
 * A leader makes a fresh random one (epoch_key_new) and seals a copy to
 * each recipient's X25519 key (the conversion of their Ed25519 member key)
 * with crypto_box_seal: that list is an *envelope*, carried inside a roster
 * entry with the key's commitment (epoch_commit).  Each copy is bound to
 * its group, epoch and recipient, and every opener checks the key against
 * the commitment, so a leader cannot hand members different keys for one
 * epoch.  A *history* carries several earlier epochs' keys sealed to one
 * newcomer (History: full).
 *
 * Epoch ids: epoch 0, made at group creation, has id 0; every later epoch's
 * id is epoch_id_from_entry() of the id of the roster entry that creates it.
 * An entry cannot contain its own id, so the id field of an envelope inside
 * a roster entry is always written as 0 (see docs/protocol.md).
 *
 * Ownership: keys from epoch_key_new are sodium_malloc'd; release them with
 * epoch_key_free.  Encodings handed out through uint8_t ** are malloc'd and
 * the caller free()s them.  struct epoch_envelope is filled in place by the
 * caller's storage; struct epoch_history comes from epoch_history_decode and
 * is released with epoch_history_free (NULL is a no-op).  Nothing in an
 * envelope or a history is secret.  Needs sodium_init().
 */
#ifndef BAL_EPOCH_H
#define BAL_EPOCH_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "identity.h"

/*
 * crypto_box_SEALBYTES (48) plus the key and its binding tag: one sealed
 * copy of a key (see epoch_seal_to).
 */
#define EPOCH_BIND_BYTES 32
#define EPOCH_SEALED_BYTES (BAL_KEY_BYTES + EPOCH_BIND_BYTES + 48)
/* The commitment to an epoch key, carried in the envelope. */
#define EPOCH_COMMIT_BYTES 32
/* crypto_kdf context and subkey id of the commitment (8 bytes, no NUL). */
#define EPOCH_COMMIT_KDF_CONTEXT "bal_cmit"
#define EPOCH_COMMIT_KDF_ID 1
/* Domain string of the binding tag sealed with each copy (no NUL). */
#define EPOCH_SEAL_DOMAIN "balint-epoch-seal-v2"
/* Recipients of one envelope (1..64, distinct). */
#define EPOCH_MAX_RECIPIENTS 64
/* Earlier epochs in one history (1..512, distinct ids). */
#define EPOCH_HISTORY_MAX 512
/* Upper bounds of the encodings (decoders refuse anything larger). */
#define EPOCH_ENVELOPE_ENC_MAX (12u * 1024)
#define EPOCH_HISTORY_ENC_MAX (64u * 1024)

struct epoch_recipient {
	uint8_t pk[BAL_PK_BYTES];		/* the member's Ed25519 key */
	uint8_t sealed[EPOCH_SEALED_BYTES];	/* crypto_box_seal of key || tag */
};

/* A decoded envelope: [epoch id, commitment, [[pk, sealed], ...]]. */
struct epoch_envelope {
	uint64_t id;
	uint8_t commit[EPOCH_COMMIT_BYTES];	/* epoch_commit of the key */
	size_t n;				/* 1..EPOCH_MAX_RECIPIENTS */
	struct epoch_recipient r[EPOCH_MAX_RECIPIENTS];
};

struct epoch_history_item {
	uint64_t id;				/* an earlier epoch's id */
	uint8_t sealed[EPOCH_SEALED_BYTES];	/* its key, sealed */
};

/* A decoded history: [[epoch id, sealed], ...]. */
struct epoch_history {
	size_t n;				/* 1..EPOCH_HISTORY_MAX */
	struct epoch_history_item items[EPOCH_HISTORY_MAX];
};

/* One earlier epoch's key, input of epoch_history_seal. */
struct epoch_history_key {
	uint64_t id;
	const uint8_t *key;			/* BAL_KEY_BYTES */
};

/*
 * epoch_key_new makes a fresh random key from rng (NULL: libsodium) in
 * sodium_malloc'd memory.  BAL_ENOMEM.
 */
int epoch_key_new(const struct bal_rng *rng, uint8_t **key);
/* epoch_key_free wipes and releases a key from epoch_key_new; NULL is a no-op. */
void epoch_key_free(uint8_t *key);

/*
 * epoch_id_from_entry is the id of an epoch created by the roster entry
 * with id entry_id: its first 8 bytes as a big-endian integer, or 1 if
 * those are all zero (0 is epoch 0's).
 */
uint64_t epoch_id_from_entry(const uint8_t entry_id[BAL_HASH_BYTES]);

/*
 * epoch_commit is the public commitment to an epoch key:
 * crypto_kdf_derive_from_key(32, EPOCH_COMMIT_KDF_ID,
 * EPOCH_COMMIT_KDF_CONTEXT, key).  The envelope that introduces an epoch
 * carries it inside the signed roster entry; every member checks the key
 * they open against it, so all holders of one epoch hold the same key.
 */
void epoch_commit(const uint8_t *key, uint8_t out[EPOCH_COMMIT_BYTES]);

/*
 * epoch_seal_to seals key to one member of group, bound to the group, the
 * epoch (through the key's commitment) and the recipient: the sealed
 * message is key || BLAKE2b-256(EPOCH_SEAL_DOMAIN || group || commitment ||
 * pk), sealed with crypto_box_seal to the X25519 conversion of pk.  With
 * rng NULL it calls crypto_box_seal; with an rng it makes the ephemeral key
 * pair from rng and produces the same format, so tests are deterministic.
 * BAL_EINVAL: pk has no X25519 form.
 */
int epoch_seal_to(const uint8_t *key, const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t pk[BAL_PK_BYTES], const struct bal_rng *rng,
    uint8_t sealed[EPOCH_SEALED_BYTES]);
/*
 * epoch_sealed_open opens one sealed copy with me's key into key_out and
 * checks it: the key's commitment must equal commit and the tag must name
 * group, commit and me.  BAL_ECRYPTO (key_out zeroed): not sealed to me,
 * tampered, sealed for another group, epoch or member, or a key that is
 * not the committed one.
 */
int epoch_sealed_open(const uint8_t sealed[EPOCH_SEALED_BYTES],
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t commit[EPOCH_COMMIT_BYTES], const struct identity *me,
    uint8_t key_out[BAL_KEY_BYTES]);

/*
 * epoch_seal writes the envelope of key for epoch id of group to the n
 * distinct recipients, with the key's commitment.  BAL_EINVAL: n is 0 or
 * above EPOCH_MAX_RECIPIENTS, a duplicate recipient, or a key without
 * X25519 form.
 */
int epoch_seal(const uint8_t *key, uint64_t id,
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t recipients[][BAL_PK_BYTES], size_t n,
    const struct bal_rng *rng, uint8_t **out, size_t *outlen);
/*
 * epoch_envelope_decode parses an envelope into *env.  BAL_EPROTO:
 * malformed, trailing bytes or a duplicate recipient; BAL_ETOOBIG: above
 * EPOCH_ENVELOPE_ENC_MAX.
 */
int epoch_envelope_decode(const uint8_t *buf, size_t len,
    struct epoch_envelope *env);
/* epoch_envelope_find is the index of pk among the recipients, or -1. */
int epoch_envelope_find(const struct epoch_envelope *env,
    const uint8_t pk[BAL_PK_BYTES]);
/*
 * epoch_open opens me's copy of the key of group's epoch and checks it
 * against the envelope's commitment (epoch_sealed_open).  BAL_ENOENT: me is
 * not a recipient; BAL_ECRYPTO: the copy does not open or is not the
 * committed key.  key_out is zeroed on failure.
 */
int epoch_open(const struct epoch_envelope *env,
    const uint8_t group[BAL_GROUP_ID_BYTES], const struct identity *me,
    uint8_t key_out[BAL_KEY_BYTES]);

/*
 * epoch_history_seal seals n earlier epochs' keys (distinct ids) to one
 * recipient.  BAL_EINVAL: n is 0 or above EPOCH_HISTORY_MAX, a duplicate
 * id, or a key without X25519 form.
 */
int epoch_history_seal(const struct epoch_history_key *keys, size_t n,
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t recipient[BAL_PK_BYTES], const struct bal_rng *rng,
    uint8_t **out, size_t *outlen);
/*
 * epoch_history_decode parses a history.  BAL_EPROTO: malformed, trailing
 * bytes or a duplicate id; BAL_ETOOBIG: above EPOCH_HISTORY_ENC_MAX.
 */
int epoch_history_decode(const uint8_t *buf, size_t len,
    struct epoch_history **out);
/* epoch_history_free releases a decoded history; NULL is a no-op. */
void epoch_history_free(struct epoch_history *h);
/*
 * epoch_history_open opens the key of epoch id of group and checks it
 * against that epoch's commitment commit (from the envelope that created
 * it).  BAL_ENOENT: the history has no such epoch; BAL_ECRYPTO: not sealed
 * to me, tampered, or not the committed key.  key_out is zeroed on failure.
 */
int epoch_history_open(const struct epoch_history *h, uint64_t id,
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t commit[EPOCH_COMMIT_BYTES], const struct identity *me,
    uint8_t key_out[BAL_KEY_BYTES]);

#endif
