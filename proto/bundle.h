/*
 * bundle.h — a bundle: the entries one member carries to another by hand
 * (a file on a USB stick, a mail attachment) when no network joins them.
 * Pure encoder and decoder of the file; the daemon reads and writes it.
 *
 *	file  = "balbndl1" (8) || nonce (24) || XChaCha20-Poly1305(plain)
 *	plain = msgpack [1, group bin32, writer bin32, time uint,
 *	                 [[author bin32, seq uint]...],  (writer's HAVE)
 *	                 [entry bin...]]                  (encoded entries)
 *
 * The key is derived from an epoch key of the group (bundle_key), so only
 * who holds that epoch's key opens the file; the header is the same for
 * every bundle but for its random nonce: it names no group, no writer.
 * The exact format is in docs/protocol.md ("Bundles").
 */
#ifndef BAL_BUNDLE_H
#define BAL_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "wire.h"

#define BUNDLE_VERSION 1
#define BUNDLE_MAGIC "balbndl1"
#define BUNDLE_MAGIC_BYTES 8
#define BUNDLE_NONCE_BYTES 24
#define BUNDLE_TAG_BYTES 16
#define BUNDLE_HEADER_BYTES (BUNDLE_MAGIC_BYTES + BUNDLE_NONCE_BYTES)
#define BUNDLE_OVERHEAD (BUNDLE_HEADER_BYTES + BUNDLE_TAG_BYTES)
/* The largest plaintext (one msgpack document) and file. */
#define BUNDLE_MAX_PLAIN (60u * 1024 * 1024)
#define BUNDLE_MAX_FILE (BUNDLE_MAX_PLAIN + BUNDLE_OVERHEAD)
#define BUNDLE_MAX_ENTRIES 200000u
#define BUNDLE_MAX_HAVE 10000u
/* crypto_kdf context and domain string of the bundle key. */
#define BUNDLE_KDF_CONTEXT "bal_bndl"
#define BUNDLE_KDF_ID 1
#define BUNDLE_DOMAIN "balint-bundle-v1"

/* A bundle's content; for bundle_encode every pointer is the caller's. */
struct bundle {
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t writer[BAL_PK_BYTES];
	uint64_t time_ms;
	const struct wire_have_item *have;	/* the writer's HAVE */
	size_t nhave;
	const uint8_t *const *entries;		/* encoded entries */
	const size_t *lens;
	size_t n;
};

/* A decoded bundle: b's pointers point into the decoded object. */
struct bundle_dec {
	struct bundle b;
	void *priv;
};

/*
 * bundle_key derives the key of a group's bundles under one epoch key:
 * BLAKE2b-256(key = crypto_kdf_derive_from_key(32, 1, "bal_bndl",
 * epoch_key), msg = "balint-bundle-v1" || group id).
 */
int bundle_key(const uint8_t epoch_key[BAL_KEY_BYTES],
    const uint8_t group[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES]);

/*
 * bundle_encode writes b's plaintext (malloc'd, free() it).  BAL_ETOOBIG:
 * above BUNDLE_MAX_ENTRIES, BUNDLE_MAX_HAVE or BUNDLE_MAX_PLAIN; BAL_EINVAL
 * an entry of 0 or more than ENTRY_MAX_ENCODED bytes.
 */
int bundle_encode(const struct bundle *b, uint8_t **out, size_t *outlen);

/*
 * bundle_decode reads a plaintext strictly: every length checked, no
 * trailing bytes (BAL_EPROTO), version 1 only (BAL_EVERSION).  Free *out
 * with bundle_dec_free.
 */
int bundle_decode(const uint8_t *buf, size_t len, struct bundle_dec **out);
void bundle_dec_free(struct bundle_dec *d);

/*
 * bundle_seal encrypts plain under key with a fresh random nonce into the
 * file's bytes (malloc'd, *outlen = len + BUNDLE_OVERHEAD).
 */
int bundle_seal(const uint8_t key[BAL_KEY_BYTES], const uint8_t *plain,
    size_t len, uint8_t **out, size_t *outlen);

/*
 * bundle_open decrypts a file's bytes: BAL_EPROTO not a bundle (short, no
 * magic), BAL_ETOOBIG above BUNDLE_MAX_FILE, BAL_ECRYPTO not under this
 * key or altered.  *plain is malloc'd (wipe and free() it).
 */
int bundle_open(const uint8_t key[BAL_KEY_BYTES], const uint8_t *file,
    size_t len, uint8_t **plain, size_t *plainlen);

#endif
