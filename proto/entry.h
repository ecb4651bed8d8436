/*
 * entry.h — the signed, hash-chained entries of a member's append-only log.
 *
 * Everything that replicates is an entry in its author's log; there is one
 * log per (group, author).  An entry is a canonical msgpack header, the
 * BLAKE2b-256 hash of the body, the body (or nothing, once erased) and the
 * author's Ed25519 signature over header bytes || body hash.  Kind 1 bodies
 * are XChaCha20-Poly1305 ciphertexts under an epoch key with the header
 * bytes as associated data; kinds 2 and 3 carry plaintext.  The exact
 * format is in docs/protocol.md §Entries.
 *
 * Ownership: a struct entry from entry_seal or entry_decode owns copies of
 * everything it points to; entry_free releases it.  Callers may read every
 * field but must not change one (the id, hash and signature depend on them).
 * Plaintexts from entry_open are in sodium_malloc'd memory; release them
 * with entry_plain_free.  entry_open_buf writes into the caller's buffer,
 * which the caller owns and wipes.
 */
#ifndef BAL_ENTRY_H
#define BAL_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "identity.h"

/* Format 2: domain-separated body hash, note key derived from the epoch key. */
#define ENTRY_VERSION 2
/* Domain string of the body hash (no NUL). */
#define ENTRY_BODY_DOMAIN "balint-body-v2"
/* crypto_kdf context of the note key derived from an epoch key (8 bytes). */
#define ENTRY_NOTE_KDF_CONTEXT "bal_note"
#define ENTRY_NOTE_KDF_ID 1

enum entry_kind {
	ENTRY_KIND_NOTE = 1,	/* body: AEAD ciphertext of a note */
	ENTRY_KIND_ROSTER = 2,	/* body: plaintext roster operation */
	ENTRY_KIND_ANNOUNCE = 3	/* body: plaintext, e.g. reachable addresses */
};

/* Hard limit on the body bytes (for kind 1: nonce + ciphertext + tag). */
#define ENTRY_MAX_BODY (128u * 1024)
#define ENTRY_NONCE_BYTES 24	/* crypto_aead_xchacha20poly1305_ietf_NPUBBYTES */
#define ENTRY_TAG_BYTES 16	/* crypto_aead_xchacha20poly1305_ietf_ABYTES */
/* The largest plaintext that fits a kind-1 body. */
#define ENTRY_MAX_PLAIN (ENTRY_MAX_BODY - ENTRY_NONCE_BYTES - ENTRY_TAG_BYTES)
/* The longest canonical header (every integer in its 9-byte form). */
#define ENTRY_MAX_HEADER 141
/* The longest encoded entry that entry_decode looks at. */
#define ENTRY_MAX_ENCODED (ENTRY_MAX_BODY + 256)
/*
 * seq, lamport and time never exceed INT64_MAX (so that SQLite's signed
 * integers hold them and seq + 1, lamport + 1 never wrap).
 */
#define ENTRY_MAX_COUNTER ((uint64_t)INT64_MAX)
/*
 * The most an entry's lamport may exceed its predecessor's in the log (the
 * first entry's: 0).  An honest clock jumps by the entries the author has
 * seen since its last one, far fewer than 2^32; without a bound one entry at
 * ENTRY_MAX_COUNTER from any member would leave nobody a lamport to write
 * with, leaders' revocations included.  With it, that takes 2^31 entries.
 */
#define ENTRY_MAX_LAMPORT_STEP ((uint64_t)1 << 32)

/* The signed header, decoded.  Every field is covered by the signature. */
struct entry_header {
	uint8_t kind;				/* enum entry_kind */
	uint8_t group[BAL_GROUP_ID_BYTES];	/* group id */
	uint8_t author[BAL_PK_BYTES];		/* author's member key */
	uint64_t seq;				/* 1-based position in the log */
	uint8_t prev[BAL_HASH_BYTES];		/* id of entry seq-1; zeros for seq 1 */
	uint64_t epoch;				/* epoch of the body key; 0 if plaintext */
	uint64_t lamport;			/* Lamport clock of the group */
	uint64_t time;				/* author's clock, unix milliseconds */
};

struct entry {
	struct entry_header h;
	uint8_t *hdr;			/* the exact signed header bytes */
	size_t hdrlen;
	uint8_t body_hash[BAL_HASH_BYTES];	/* BLAKE2b-256 of the body */
	uint8_t *body;			/* NULL once erased */
	size_t bodylen;
	uint8_t sig[BAL_SIG_BYTES];	/* author's signature */
	uint8_t id[BAL_HASH_BYTES];	/* the entry id (next entry's prev) */
};

/*
 * entry_header_next fills *h for the author's next entry after prev (NULL
 * when the log is empty): group and author, seq = prev.seq + 1 (or 1),
 * prev = prev's id (or zeros), lamport = max(prev.lamport, observed) + 1,
 * but at most prev.lamport (or 0) + ENTRY_MAX_LAMPORT_STEP and at most
 * ENTRY_MAX_COUNTER.  kind, epoch and time are zeroed for the caller to set.
 * BAL_EINVAL: prev is of another group or author; BAL_ETOOBIG: seq or
 * lamport would pass ENTRY_MAX_COUNTER.
 */
int entry_header_next(struct entry_header *h,
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t author[BAL_PK_BYTES], const struct entry *prev,
    uint64_t observed_lamport);

/*
 * entry_header_encode writes the canonical header bytes of h (malloc'd, the
 * caller free()s them).  BAL_EINVAL: h is not a valid header.
 */
int entry_header_encode(const struct entry_header *h, uint8_t **out,
    size_t *outlen);

/*
 * entry_seal makes a signed entry.  Kind 1 needs the 32-byte epoch key of
 * h->epoch and encrypts plain[0..len) under a random nonce from rng (NULL:
 * libsodium); kinds 2 and 3 take epoch_key NULL, h->epoch 0 and carry plain
 * as the body.  h->author must be author's key.  BAL_EINVAL: bad header or
 * arguments; BAL_ETOOBIG: the body would pass ENTRY_MAX_BODY.
 */
int entry_seal(const struct entry_header *h, const struct identity *author,
    const uint8_t *epoch_key, const uint8_t *plain, size_t len,
    const struct bal_rng *rng, struct entry **out);

/* entry_encode writes the storage and wire form of e (malloc'd; free()). */
int entry_encode(const struct entry *e, uint8_t **out, size_t *outlen);

/*
 * entry_decode parses and verifies an encoded entry: strict msgpack,
 * canonical encoding, header fields in range, body hash and signature.
 * BAL_EPROTO: malformed or not canonical; BAL_EVERSION: header version is
 * not 1; BAL_ETOOBIG: above ENTRY_MAX_BODY; BAL_ECRYPTO: the body does not
 * match its hash or the signature does not verify.  Membership, chain and
 * epoch checks are the caller's.
 */
int entry_decode(const uint8_t *buf, size_t len, struct entry **out);

/*
 * entry_decode_stored is entry_decode without the signature check, the
 * costly part, for an entry read back from where it was put after
 * entry_decode verified it (the daemon's own store): the same strict
 * parsing, canonical form, limits and body hash check, but the header is
 * not authenticated (of a kind-1 entry, entry_open still authenticates
 * header and body under the epoch key).  Never for bytes from anywhere
 * else.
 */
int entry_decode_stored(const uint8_t *buf, size_t len, struct entry **out);

/*
 * entry_open returns the plaintext of e in sodium_malloc'd memory (free it
 * with entry_plain_free): kind 1 is decrypted with epoch_key, other kinds
 * return a copy of the body.  BAL_ECRYPTO: wrong key or tampered body;
 * BAL_ENOENT: the body was erased; BAL_EINVAL: no key for kind 1.  On
 * failure *plain is NULL and nothing of the plaintext remains in memory.
 */
int entry_open(const struct entry *e, const uint8_t *epoch_key,
    uint8_t **plain, size_t *len);

/* entry_plain_free wipes and releases a plaintext from entry_open. */
void entry_plain_free(uint8_t *plain, size_t len);

/*
 * entry_plain_len is the length of e's plaintext (what entry_open would
 * return): for kind 1 the body less nonce and tag, else the body; 0 for
 * an erased entry.
 */
size_t entry_plain_len(const struct entry *e);

/*
 * entry_open_buf is entry_open into the caller's buffer buf[0..cap), for
 * a caller that keeps one sodium_malloc'd buffer for many entries instead
 * of allocating one per entry.  0: buf[0..*len) holds the plaintext; the
 * caller wipes it (sodium_memzero) once done.  Same errors as entry_open,
 * plus BAL_ETOOBIG when the plaintext is longer than cap (see
 * entry_plain_len; nothing written).  On failure *len is 0 and nothing of
 * the plaintext is left in buf.
 */
int entry_open_buf(const struct entry *e, const uint8_t *epoch_key,
    uint8_t *buf, size_t cap, size_t *len);

/*
 * entry_erase wipes and drops the body and keeps header, hash, signature
 * and id: the erased entry still verifies and holds its place in the chain.
 */
void entry_erase(struct entry *e);

/* entry_is_erased is 1 when e carries no body. */
int entry_is_erased(const struct entry *e);

/*
 * entry_follows is 0 when e may come right after prev in one log: same
 * group and author, seq = prev.seq + 1, e.prev = prev's id and a lamport
 * greater than prev's by 1..ENTRY_MAX_LAMPORT_STEP; or, with prev NULL,
 * seq 1, a zero prev and a lamport of at most ENTRY_MAX_LAMPORT_STEP.
 * Else BAL_ECHAIN.
 */
int entry_follows(const struct entry *prev, const struct entry *e);

/* entry_free wipes and releases e; NULL is a no-op. */
void entry_free(struct entry *e);

/* entry_body_hash: BLAKE2b-256(ENTRY_BODY_DOMAIN || body) into out. */
void entry_body_hash(const uint8_t *body, size_t len,
    uint8_t out[BAL_HASH_BYTES]);
/*
 * entry_note_key derives the AEAD key of note bodies from an epoch key:
 * crypto_kdf_derive_from_key(32, ENTRY_NOTE_KDF_ID, ENTRY_NOTE_KDF_CONTEXT,
 * epoch_key).  The epoch key itself encrypts nothing.
 */
void entry_note_key(const uint8_t epoch_key[BAL_KEY_BYTES],
    uint8_t out[BAL_KEY_BYTES]);

#endif
