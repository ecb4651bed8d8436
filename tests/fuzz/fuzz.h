/*
 * fuzz.h — what the fuzz harnesses (tests/fuzz/fuzz-*.c) and the seed
 * corpus generator (tests/fuzz/gen-corpus.c) share: the fixed keys and
 * identities every harness uses, a deterministic random source, and a
 * reader that splits a fuzzer input into fields.
 *
 * Everything is deterministic: fuzz_init() replaces libsodium's random
 * source with a seeded stream (secretstream headers and crypto_box_seal
 * call randombytes_buf), and fuzz_reset() rewinds it and the struct
 * bal_rng at the start of every input, so that a crash found once can be
 * replayed from its input alone, and the generator writes the same corpus
 * bytes on every run.  Only the harnesses and the generator include this
 * file; nothing here is secret (the keys are public test constants).
 */
#ifndef BAL_FUZZ_H
#define BAL_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "identity.h"

/* libFuzzer's entry points (defined by each harness). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixed 32-byte keys: every byte of the key is its tag. */
#define FUZZ_KEY_FRAME 0x46	/* frame_rx / frame_tx stream key */
#define FUZZ_KEY_EPOCH 0x45	/* epoch key of kind-1 entries */
#define FUZZ_KEY_NET 0x4e	/* SHS network key (index 1 of 3) */
#define FUZZ_KEY_BUNDLE 0x42	/* bundle file key */
#define FUZZ_KEY_BEACON 0x62	/* LAN beacon key */
#define FUZZ_SALT 0x53		/* contract salt */
#define FUZZ_PASS "fuzz passphrase"
/* Seeds of the fixed identities (identity_from_seed of 32 x the byte). */
#define FUZZ_SEED_LEADER 0x10	/* contract founder, entry author */
#define FUZZ_SEED_COLEADER 0x11
#define FUZZ_SEED_MEMBER 0x12	/* epoch recipient, joiner */
#define FUZZ_SEED_OTHER 0x13
#define FUZZ_SEED_SERVER 0x20	/* SHS listener */
#define FUZZ_SEED_CLIENT 0x21	/* SHS dialer */
/* The number of network keys of the multi-key SHS server. */
#define FUZZ_NET_KEYS 3
/* The contract creation time used by the harnesses. */
#define FUZZ_TIME_MS 1700000000000ULL

static inline void
fuzz_key(uint8_t key[32], int tag)
{
	memset(key, tag, 32);
}

/* The server's network keys: tags FUZZ_KEY_NET - 1 .. + 1. */
static inline void
fuzz_net_keys(uint8_t keys[FUZZ_NET_KEYS * 32])
{
	int i;

	for (i = 0; i < FUZZ_NET_KEYS; i++)
		fuzz_key(keys + 32 * i, FUZZ_KEY_NET - 1 + i);
}

/* A fixed identity; aborts on failure (an invariant, not an input). */
static inline struct identity *
fuzz_identity(int seed_byte)
{
	struct identity *id = NULL;
	uint8_t seed[32];

	memset(seed, seed_byte, sizeof(seed));
	if (identity_from_seed(seed, &id) != 0)
		abort();
	return id;
}

/* The deterministic stream: BLAKE2b-derived keys, ChaCha20 output. */
struct fuzz_det {
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	uint64_t ctr;		/* 64-byte blocks drawn, as the nonce */
};

static struct fuzz_det fuzz_det_sys;	/* behind randombytes_buf */
static struct fuzz_det fuzz_det_rng;	/* behind fuzz_rng */

static inline void
fuzz_det_fill(struct fuzz_det *d, void *buf, size_t len)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	int i;

	for (i = 0; i < 8; i++)
		nonce[i] = (uint8_t)(d->ctr >> (8 * i));
	d->ctr++;
	crypto_stream_chacha20((unsigned char *)buf, len, nonce, d->key);
}

static inline void
fuzz_rng_fill(void *ctx, void *buf, size_t len)
{
	fuzz_det_fill(ctx, buf, len);
}

/* fuzz_rng is the struct bal_rng that every harness passes. */
static inline const struct bal_rng *
fuzz_rng(void)
{
	static const struct bal_rng rng = { fuzz_rng_fill, &fuzz_det_rng };

	return &rng;
}

static inline const char *
fuzz_sys_name(void)
{
	return "balint-fuzz";
}

static inline uint32_t
fuzz_sys_random(void)
{
	uint32_t v;

	fuzz_det_fill(&fuzz_det_sys, &v, sizeof(v));
	return v;
}

static inline void
fuzz_sys_stir(void)
{
}

static inline void
fuzz_sys_buf(void *buf, size_t len)
{
	fuzz_det_fill(&fuzz_det_sys, buf, len);
}

/* fuzz_reset rewinds both deterministic streams (call per input). */
static inline void
fuzz_reset(void)
{
	memset(fuzz_det_sys.key, 0xd5, sizeof(fuzz_det_sys.key));
	fuzz_det_sys.ctr = 0;
	memset(fuzz_det_rng.key, 0xd7, sizeof(fuzz_det_rng.key));
	fuzz_det_rng.ctr = 0;
}

/* fuzz_init installs the deterministic source and starts libsodium. */
static inline void
fuzz_init(void)
{
	static struct randombytes_implementation impl = {
		fuzz_sys_name, fuzz_sys_random, fuzz_sys_stir, NULL,
		fuzz_sys_buf, NULL
	};

	fuzz_reset();
	if (randombytes_set_implementation(&impl) != 0 ||
	    sodium_init() < 0)
		abort();
}

/*
 * A fuzzer input read field by field, like libFuzzer's
 * FuzzedDataProvider: reads past the end yield zeros and empty slices, so
 * every input, however short, means something.
 */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

/* Big-endian, so generators write fields in reading order. */
static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint64_t
fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* fuzz_take hands out up to want bytes; *p points into the input. */
static inline size_t
fuzz_take(struct fuzz_in *in, size_t want, const uint8_t **p)
{
	if (want > in->n)
		want = in->n;
	*p = in->p;
	in->p += want;
	in->n -= want;
	return want;
}

/* fuzz_touch reads every byte of p, so ASan checks the whole length. */
static inline void
fuzz_touch(const void *p, size_t len)
{
	const volatile uint8_t *b = p;
	volatile uint8_t sink = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sink ^= b[i];
	(void)sink;
}

/* fuzz_check aborts (a finding) when an invariant of the code fails. */
#define fuzz_check(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#endif
