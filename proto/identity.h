/*
 * identity.h — a member's Ed25519 identity, its passphrase-sealed storage
 * form, the typeable member id and the fingerprint read aloud at meetings.
 *
 * The secret key lives in sodium_malloc'd memory owned by struct identity;
 * identity_free() wipes and releases it.  No file I/O here: the sealed form
 * is bytes that the daemon and CLI write to a 0600 file.
 */
#ifndef BAL_IDENTITY_H
#define BAL_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

/* "bm" + 55 base32 characters of (pk || 2-byte checksum), NUL included. */
#define IDENTITY_ID_TEXT_BYTES 58
/* Five groups of four digits separated by spaces, NUL included. */
#define IDENTITY_FPR_TEXT_BYTES 25

/* Argon2id cost of the sealed key: libsodium's "interactive" by default. */
/* Argon2id costs of a new key file: libsodium's "moderate" (3, 256 MiB). */
#define IDENTITY_OPSLIMIT_DEFAULT 3ULL
#define IDENTITY_MEMLIMIT_DEFAULT (256ULL * 1024 * 1024)

struct identity {
	uint8_t pk[BAL_PK_BYTES];	/* Ed25519 public key: the member key */
	uint8_t *sk;			/* BAL_SK_BYTES in sodium_malloc'd memory */
};

/* identity_generate makes a fresh key pair from rng (NULL: libsodium). */
int identity_generate(const struct bal_rng *rng, struct identity **out);
/* identity_from_seed derives the key pair from a 32-byte seed (tests). */
int identity_from_seed(const uint8_t seed[32], struct identity **out);
/* identity_free wipes the secret key and frees; NULL is a no-op. */
void identity_free(struct identity *id);

/*
 * identity_seal encrypts the secret key under a passphrase: Argon2id
 * (crypto_pwhash, costs recorded in the output) then crypto_secretbox.
 * A NULL or empty passphrase makes an unprotected file (flagged as such).
 * *out is malloc'd; free() it.
 */
int identity_seal(const struct identity *id, const char *pass, size_t passlen,
    uint64_t opslimit, size_t memlimit, const struct bal_rng *rng,
    uint8_t **out, size_t *outlen);
/*
 * identity_unseal reverses identity_seal.  BAL_ECRYPTO: wrong passphrase or
 * tampered file; BAL_EPROTO: not a key file; BAL_EVERSION: newer format.
 */
int identity_unseal(const uint8_t *buf, size_t len, const char *pass,
    size_t passlen, struct identity **out);
/* identity_sealed_is_protected is 1 if the sealed bytes need a passphrase. */
int identity_sealed_is_protected(const uint8_t *buf, size_t len);
/*
 * identity_sealed_is_weak is 1 if the sealed bytes are protected at costs
 * below IDENTITY_OPSLIMIT_DEFAULT or IDENTITY_MEMLIMIT_DEFAULT (a key file
 * of an older release: rewrap it at the next unlock).
 */
int identity_sealed_is_weak(const uint8_t *buf, size_t len);

/* identity_id_encode writes the member id text of pk. */
void identity_id_encode(const uint8_t pk[BAL_PK_BYTES],
    char out[IDENTITY_ID_TEXT_BYTES]);
/*
 * identity_id_decode parses a member id; case, spaces and dashes are
 * ignored.  BAL_ECHECKSUM: a typing error; BAL_EPROTO: not a member id.
 */
int identity_id_decode(const char *text, uint8_t pk[BAL_PK_BYTES]);
/* identity_fingerprint writes the fingerprint to read aloud: "1234 5678 …". */
void identity_fingerprint(const uint8_t pk[BAL_PK_BYTES],
    char out[IDENTITY_FPR_TEXT_BYTES]);

/*
 * identity_sign signs "domain || msg" (domain separates the purposes of
 * one key; it is a NUL-terminated constant such as "balint-entry-v1").
 */
int identity_sign(const struct identity *id, const char *domain,
    const uint8_t *msg, size_t len, uint8_t sig[BAL_SIG_BYTES]);
/* identity_verify checks a signature made by identity_sign. */
int identity_verify(const uint8_t pk[BAL_PK_BYTES], const char *domain,
    const uint8_t *msg, size_t len, const uint8_t sig[BAL_SIG_BYTES]);

/* identity_x25519 converts to X25519 (crypto_box) keys; sk is 32 bytes. */
int identity_x25519_pk(const uint8_t pk[BAL_PK_BYTES], uint8_t xpk[32]);
int identity_x25519_sk(const struct identity *id, uint8_t *xsk);

#endif
