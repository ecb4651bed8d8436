/*
 * bal.h — definitions shared by every part of balint's protocol core.
 *
 * Error convention (libuv style): functions return 0 on success or a
 * negative BAL_E* code; bal_strerror() names it.  Nothing in proto/ touches
 * sockets, files or an event loop.
 */
#ifndef BAL_H
#define BAL_H

#include <stddef.h>
#include <stdint.h>

#define BAL_VERSION_STRING "0.1.0"

/*
 * N_() marks a text the member reads (an error, a status line) for
 * translation without translating it here: balintd and proto/ keep
 * English, the CLI shows it in the member's language (cli/daemon-text.c,
 * docs/architecture.md "Languages").
 */
#ifndef N_
#define N_(s) s
#endif

enum {
	BAL_OK = 0,
	BAL_EINVAL = -1,	/* bad argument from the caller */
	BAL_EPROTO = -2,	/* malformed input: wrong type, length, trailing bytes */
	BAL_ECRYPTO = -3,	/* authentication, signature or decryption failed */
	BAL_ENOMEM = -4,	/* allocation failed */
	BAL_ETOOBIG = -5,	/* input above a documented hard limit */
	BAL_EAGAIN = -6,	/* need more input bytes */
	BAL_ECHECKSUM = -7,	/* a human-typed code failed its checksum */
	BAL_EPERM = -8,		/* signer is not allowed to do this */
	BAL_EVERSION = -9,	/* protocol or format version not supported */
	BAL_ESTATE = -10,	/* call not valid in the current state */
	BAL_ENOENT = -11,	/* no such object */
	BAL_EEOF = -12,		/* the stream ended (explicitly) */
	BAL_ESYNTAX = -13,	/* a text document (contract) does not parse */
	BAL_EEXPIRED = -14,	/* an invite or token is past its expiry */
	BAL_ECHAIN = -15,	/* hash chain or sequence number does not follow */
	BAL_EIO = -16,		/* storage or system I/O failed (daemon side) */
	BAL_EEXIST = -17,	/* the object exists already */
};

/* bal_strerror returns a static, human-readable name for a BAL_E* code. */
const char *bal_strerror(int err);

/* Sizes of the libsodium objects used everywhere. */
#define BAL_PK_BYTES 32		/* Ed25519 public key = member key */
#define BAL_SK_BYTES 64		/* Ed25519 secret key (seed || pk) */
#define BAL_SIG_BYTES 64	/* Ed25519 signature */
#define BAL_HASH_BYTES 32	/* BLAKE2b-256 */
#define BAL_KEY_BYTES 32	/* every symmetric key */
#define BAL_GROUP_ID_BYTES 32	/* BLAKE2b-256 of the canonical contract */

/*
 * An injectable random source (c-toxcore rng.h style) so that handshakes
 * and tests can be deterministic.  A NULL struct bal_rng * means libsodium's
 * randombytes_buf().
 */
struct bal_rng {
	void (*fill)(void *ctx, void *buf, size_t len);
	void *ctx;
};

/* bal_random fills buf from rng, or from randombytes_buf when rng is NULL. */
void bal_random(const struct bal_rng *rng, void *buf, size_t len);

#endif
