/*
 * keyring.h — secrets at rest in the store, sealed under a key derived from
 * the member's own secret key.
 *
 * The store may hold secrets (epoch keys, invite secrets) only in sealed
 * form.  The sealing key is derived from the member's Ed25519 seed:
 *
 *	master = BLAKE2b-256(key = "balint-keyring-v1", msg = seed)
 *	sub    = crypto_kdf_derive_from_key(32, 1, "balkeys1", master)
 *	sealed = 0x01 || nonce (24, random) ||
 *	         XChaCha20-Poly1305-IETF(plain, ad = purpose || 0x00 || ad)
 *
 * purpose names what is sealed ("epoch-key", "invite-secret"...) and ad
 * binds it to its place (for an epoch key: group id || epoch id as 8 bytes
 * big-endian), so a sealed value cannot be moved to another row.  Every
 * derived key lives on the stack and is wiped before return.  Plaintext
 * buffers are the caller's (sodium_malloc'd or wiped stack).
 */
#ifndef BAL_KEYRING_H
#define BAL_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "identity.h"

#define KEYRING_VERSION 1
/* Bytes a sealed value has beyond its plaintext: version, nonce, tag. */
#define KEYRING_OVERHEAD (1 + 24 + 16)
/* Limits of purpose (bytes, 1..) and ad (bytes, 0..). */
#define KEYRING_PURPOSE_MAX 32
#define KEYRING_AD_MAX 128
/* The largest plaintext keyring_seal takes. */
/* (a kept note, group-kept.c: 16 bytes of times and an encoded note) */
#define KEYRING_PLAIN_MAX (80u * 1024)

/*
 * keyring_seal writes the sealed form of plain[0..len) into out, which
 * must hold exactly len + KEYRING_OVERHEAD bytes (outlen).  rng NULL:
 * libsodium.  BAL_EINVAL: bad arguments or limits.
 */
int keyring_seal(const struct identity *id, const char *purpose,
    const uint8_t *ad, size_t adlen, const uint8_t *plain, size_t len,
    const struct bal_rng *rng, uint8_t *out, size_t outlen);

/*
 * keyring_open opens a sealed value into plain, which must hold exactly
 * len - KEYRING_OVERHEAD bytes (plainlen).  BAL_ECRYPTO: another member's
 * key, another purpose or ad, or tampered (plain is zeroed);
 * BAL_EVERSION: unknown format; BAL_EINVAL: bad arguments or sizes.
 */
int keyring_open(const struct identity *id, const char *purpose,
    const uint8_t *ad, size_t adlen, const uint8_t *sealed, size_t len,
    uint8_t *plain, size_t plainlen);

#endif
