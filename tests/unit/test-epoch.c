/* test-epoch.c — epoch keys, envelopes and histories (proto/epoch.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "epoch.h"
#include "mp.h"

#define NPEOPLE 5

/* The group the keys of these tests belong to. */
static const uint8_t G[BAL_GROUP_ID_BYTES] = { 0x67, 0x72, 0x6f, 0x75, 0x70 };

/* A deterministic random source: each call draws from seed || counter. */
struct det {
	uint8_t seed[randombytes_SEEDBYTES];
	uint64_t ctr;
};

static void
det_fill(void *ctx, void *buf, size_t len)
{
	struct det *d = ctx;
	uint8_t s[randombytes_SEEDBYTES];
	int i;

	memcpy(s, d->seed, sizeof(s));
	for (i = 0; i < 8; i++)
		s[i] ^= (uint8_t)(d->ctr >> (8 * i));
	d->ctr++;
	randombytes_buf_deterministic(buf, len, s);
}

static void
det_init(struct det *d, struct bal_rng *rng, uint8_t b)
{
	memset(d, b, sizeof(*d));
	d->ctr = 0;
	rng->fill = det_fill;
	rng->ctx = d;
}

static struct identity *
person(uint8_t b)
{
	uint8_t seed[32];
	struct identity *id;

	memset(seed, b, sizeof(seed));
	assert_int_equal(identity_from_seed(seed, &id), 0);
	return id;
}

struct people {
	struct identity *id[NPEOPLE];
	uint8_t pk[NPEOPLE][BAL_PK_BYTES];
};

static void
people_init(struct people *p)
{
	int i;

	for (i = 0; i < NPEOPLE; i++) {
		p->id[i] = person((uint8_t)(0x40 + i));
		memcpy(p->pk[i], p->id[i]->pk, BAL_PK_BYTES);
	}
}

static void
people_free(struct people *p)
{
	int i;

	for (i = 0; i < NPEOPLE; i++)
		identity_free(p->id[i]);
}

static int
zero32(const uint8_t *p)
{
	static const uint8_t z[32];

	return memcmp(p, z, 32) == 0;
}

static void
test_key_and_id(void **state)
{
	struct det d1, d2;
	struct bal_rng r1, r2;
	uint8_t *k1, *k2, *k3, eid[32];

	(void)state;
	det_init(&d1, &r1, 7);
	det_init(&d2, &r2, 7);
	assert_int_equal(epoch_key_new(&r1, &k1), 0);
	assert_int_equal(epoch_key_new(&r2, &k2), 0);
	assert_int_equal(epoch_key_new(NULL, &k3), 0);
	assert_memory_equal(k1, k2, 32);	/* deterministic with an rng */
	assert_memory_not_equal(k1, k3, 32);
	assert_int_equal(epoch_key_new(NULL, NULL), BAL_EINVAL);
	epoch_key_free(k1);
	epoch_key_free(k2);
	epoch_key_free(k3);
	epoch_key_free(NULL);

	memset(eid, 0xee, sizeof(eid));
	eid[0] = 0x01;
	eid[7] = 0x08;
	assert_true(epoch_id_from_entry(eid) == 0x01eeeeeeeeeeee08ULL);
	memset(eid, 0, 8);
	assert_true(epoch_id_from_entry(eid) == 1);	/* never 0 */
}

static void
test_envelope_roundtrip(void **state)
{
	struct people p;
	struct det d, d2;
	struct bal_rng rng, rng2;
	struct epoch_envelope env;
	uint8_t *key, *buf, *buf2, out[32];
	size_t len, len2;
	int i;

	(void)state;
	people_init(&p);
	det_init(&d, &rng, 1);
	assert_int_equal(epoch_key_new(&rng, &key), 0);
	assert_int_equal(epoch_seal(key, 0x1122334455667788ULL, G,
	    (const uint8_t (*)[32])p.pk, 3, &rng, &buf, &len), 0);
	assert_int_equal(epoch_envelope_decode(buf, len, &env), 0);
	assert_true(env.id == 0x1122334455667788ULL);
	assert_int_equal(env.n, 3);
	for (i = 0; i < 3; i++) {
		assert_memory_equal(env.r[i].pk, p.pk[i], 32);
		assert_int_equal(epoch_envelope_find(&env, p.pk[i]), i);
		assert_int_equal(epoch_open(&env, G, p.id[i], out), 0);
		assert_memory_equal(out, key, 32);
		/* The libsodium function opens what the seeded path made. */
		assert_int_equal(epoch_sealed_open(env.r[i].sealed, G,
		    env.commit, p.id[i], out), 0);
		assert_memory_equal(out, key, 32);
	}
	/* Same rng, same bytes. */
	det_init(&d2, &rng2, 1);
	d2.ctr = 1;	/* the key took the first draw */
	assert_int_equal(epoch_seal(key, 0x1122334455667788ULL, G,
	    (const uint8_t (*)[32])p.pk, 3, &rng2, &buf2, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	free(buf2);
	/* libsodium's own crypto_box_seal (rng NULL) opens the same way. */
	assert_int_equal(epoch_seal(key, 0, G, (const uint8_t (*)[32])p.pk, 5,
	    NULL, &buf2, &len2), 0);
	assert_int_equal(epoch_envelope_decode(buf2, len2, &env), 0);
	assert_int_equal(env.n, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(epoch_open(&env, G, p.id[i], out), 0);
		assert_memory_equal(out, key, 32);
	}
	free(buf2);
	free(buf);
	epoch_key_free(key);
	people_free(&p);
}

/*
 * A copy opens only for the group it was sealed for, and only to the key
 * its envelope commits to: a leader who seals different keys to two
 * members of one epoch is refused by the member whose key is not the
 * committed one, whichever key the envelope commits to.
 */
static void
test_bound_and_committed(void **state)
{
	struct people p;
	struct epoch_envelope e1, e2, mixed;
	uint8_t *k1, *k2, *b1, *b2, out[32], c[EPOCH_COMMIT_BYTES];
	uint8_t other[BAL_GROUP_ID_BYTES];
	size_t l1, l2;

	(void)state;
	people_init(&p);
	assert_int_equal(epoch_key_new(NULL, &k1), 0);
	assert_int_equal(epoch_key_new(NULL, &k2), 0);
	assert_int_equal(epoch_seal(k1, 0, G, (const uint8_t (*)[32])p.pk, 1,
	    NULL, &b1, &l1), 0);
	assert_int_equal(epoch_seal(k2, 0, G, (const uint8_t (*)[32])p.pk[1],
	    1, NULL, &b2, &l2), 0);
	assert_int_equal(epoch_envelope_decode(b1, l1, &e1), 0);
	assert_int_equal(epoch_envelope_decode(b2, l2, &e2), 0);
	epoch_commit(k1, c);
	assert_memory_equal(e1.commit, c, sizeof(c));
	assert_memory_not_equal(e1.commit, e2.commit, sizeof(c));
	/* The commitment is no other use of the key. */
	assert_memory_not_equal(c, k1, 32);

	/* Sealed for group G: another group's opener refuses it. */
	memcpy(other, G, sizeof(other));
	other[31] ^= 1;
	assert_int_equal(epoch_open(&e1, G, p.id[0], out), 0);
	assert_memory_equal(out, k1, 32);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(epoch_open(&e1, other, p.id[0], out), BAL_ECRYPTO);
	assert_true(zero32(out));

	/* One epoch, k1 to member 0 and k2 to member 1, committing to k1. */
	mixed = e1;
	mixed.r[1] = e2.r[0];
	mixed.n = 2;
	assert_int_equal(epoch_open(&mixed, G, p.id[0], out), 0);
	assert_memory_equal(out, k1, 32);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(epoch_open(&mixed, G, p.id[1], out), BAL_ECRYPTO);
	assert_true(zero32(out));
	/* The same, committing to k2: now member 0 refuses. */
	memcpy(mixed.commit, e2.commit, sizeof(mixed.commit));
	assert_int_equal(epoch_open(&mixed, G, p.id[0], out), BAL_ECRYPTO);
	assert_int_equal(epoch_open(&mixed, G, p.id[1], out), 0);
	assert_memory_equal(out, k2, 32);
	/* A copy moved into another epoch's envelope does not open there. */
	assert_int_equal(epoch_sealed_open(e1.r[0].sealed, G, e2.commit,
	    p.id[0], out), BAL_ECRYPTO);

	free(b1);
	free(b2);
	epoch_key_free(k1);
	epoch_key_free(k2);
	people_free(&p);
}

static void
test_not_recipient(void **state)
{
	struct people p;
	struct epoch_envelope env;
	uint8_t *key, *buf, out[32];
	size_t len;

	(void)state;
	people_init(&p);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 5, G, (const uint8_t (*)[32])p.pk, 2,
	    NULL, &buf, &len), 0);
	assert_int_equal(epoch_envelope_decode(buf, len, &env), 0);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(epoch_open(&env, G, p.id[3], out), BAL_ENOENT);
	assert_true(zero32(out));
	assert_int_equal(epoch_envelope_find(&env, p.pk[3]), -1);
	/* Someone else's sealed copy, relabelled with my key, fails. */
	memcpy(env.r[0].pk, p.pk[3], 32);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(epoch_open(&env, G, p.id[3], out), BAL_ECRYPTO);
	assert_true(zero32(out));
	free(buf);
	epoch_key_free(key);
	people_free(&p);
}

static void
test_tampered_sealed(void **state)
{
	struct people p;
	struct epoch_envelope env, good;
	uint8_t *key, *buf, out[32];
	size_t len, i;

	(void)state;
	people_init(&p);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 5, G, (const uint8_t (*)[32])p.pk, 2,
	    NULL, &buf, &len), 0);
	assert_int_equal(epoch_envelope_decode(buf, len, &good), 0);
	for (i = 0; i < EPOCH_SEALED_BYTES; i++) {
		env = good;
		env.r[1].sealed[i] ^= 0x01;
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(epoch_open(&env, G, p.id[1], out), BAL_ECRYPTO);
		assert_true(zero32(out));
	}
	free(buf);
	epoch_key_free(key);
	people_free(&p);
}

/*
 * Flipping any byte of an encoding is caught: the decoder refuses it, or
 * the epoch id changed (roster ops require 0, see test-roster), or some
 * recipient's copy no longer opens to the key.
 */
static void
test_envelope_tamper_every_byte(void **state)
{
	struct people p;
	struct epoch_envelope env;
	uint8_t *key, *buf, out[32];
	size_t len, i;
	int j, caught, rc, flip;
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };

	(void)state;
	people_init(&p);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 0, G, (const uint8_t (*)[32])p.pk, 3,
	    NULL, &buf, &len), 0);
	for (flip = 0; flip < 3; flip++) {
		for (i = 0; i < len; i++) {
			buf[i] ^= flips[flip];
			caught = 0;
			rc = epoch_envelope_decode(buf, len, &env);
			if (rc != 0)
				caught = 1;
			else if (env.id != 0 || env.n != 3)
				caught = 1;
			else
				for (j = 0; j < 3; j++)
					if (epoch_open(&env, G, p.id[j], out) != 0 ||
					    memcmp(out, key, 32) != 0)
						caught = 1;
			assert_true(caught);
			buf[i] ^= flips[flip];
		}
	}
	/* Truncation at every length and one trailing byte are refused. */
	for (i = 0; i < len; i++)
		assert_int_equal(epoch_envelope_decode(buf, i, &env),
		    BAL_EPROTO);
	{
		uint8_t *longer = malloc(len + 1);

		memcpy(longer, buf, len);
		longer[len] = 0xc0;
		assert_int_equal(epoch_envelope_decode(longer, len + 1, &env),
		    BAL_EPROTO);
		free(longer);
	}
	assert_int_equal(epoch_envelope_decode(buf, len, &env), 0);
	free(buf);
	epoch_key_free(key);
	people_free(&p);
}

/* Packs an envelope by hand (for encodings epoch_seal refuses to make). */
static void
hand_envelope(size_t n, int dup, int extra, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t pkb[32], sealed[EPOCH_SEALED_BYTES];
	size_t i;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, extra ? 4 : 3);
	msgpack_pack_uint64(&pk, 9);
	mp_pack_bin(&pk, G, EPOCH_COMMIT_BYTES);
	msgpack_pack_array(&pk, n);
	memset(sealed, 0x33, sizeof(sealed));
	for (i = 0; i < n; i++) {
		memset(pkb, 0, sizeof(pkb));
		pkb[0] = (uint8_t)i;
		pkb[1] = (uint8_t)(i >> 8);
		if (dup && i == n - 1)
			pkb[0] = 0;
		msgpack_pack_array(&pk, 2);
		mp_pack_bin(&pk, pkb, 32);
		mp_pack_bin(&pk, sealed, sizeof(sealed));
	}
	if (extra)
		msgpack_pack_nil(&pk);
	assert_int_equal(mp_sbuf_take(&sbuf, out, outlen), 0);
	msgpack_sbuffer_destroy(&sbuf);
}

static void
test_envelope_limits_and_garbage(void **state)
{
	struct people p;
	struct epoch_envelope env;
	uint8_t *key, *buf, dup[2][32], bad[32], sealed[EPOCH_SEALED_BYTES];
	uint8_t many[EPOCH_MAX_RECIPIENTS + 1][32], junk[600];
	size_t len, i;
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	(void)state;
	people_init(&p);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	/* Sealing refuses 0, too many and duplicate recipients. */
	assert_int_equal(epoch_seal(key, 0, G, (const uint8_t (*)[32])p.pk, 0,
	    NULL, &buf, &len), BAL_EINVAL);
	for (i = 0; i <= EPOCH_MAX_RECIPIENTS; i++)
		memcpy(many[i], p.pk[i % NPEOPLE], 32);
	assert_int_equal(epoch_seal(key, 0, G, (const uint8_t (*)[32])many,
	    EPOCH_MAX_RECIPIENTS + 1, NULL, &buf, &len), BAL_EINVAL);
	memcpy(dup[0], p.pk[0], 32);
	memcpy(dup[1], p.pk[0], 32);
	assert_int_equal(epoch_seal(key, 0, G, (const uint8_t (*)[32])dup, 2,
	    NULL, &buf, &len), BAL_EINVAL);
	assert_int_equal(epoch_seal(NULL, 0, G, (const uint8_t (*)[32])p.pk, 1,
	    NULL, &buf, &len), BAL_EINVAL);
	/* A key that is no curve point cannot be sealed to. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 1;		/* the neutral element: small order */
	assert_int_not_equal(identity_x25519_pk(bad, sealed), 0);
	assert_int_equal(epoch_seal_to(key, G, bad, NULL, sealed), BAL_EINVAL);
	assert_int_equal(epoch_seal(key, 0, G, (const uint8_t (*)[32])&bad, 1,
	    NULL, &buf, &len), BAL_EINVAL);
	assert_null(buf);
	/* Decoding: 64 distinct recipients pass, 65 and duplicates do not. */
	hand_envelope(EPOCH_MAX_RECIPIENTS, 0, 0, &buf, &len);
	assert_true(len <= EPOCH_ENVELOPE_ENC_MAX);
	assert_int_equal(epoch_envelope_decode(buf, len, &env), 0);
	assert_int_equal(env.n, EPOCH_MAX_RECIPIENTS);
	free(buf);
	hand_envelope(EPOCH_MAX_RECIPIENTS + 1, 0, 0, &buf, &len);
	assert_int_not_equal(epoch_envelope_decode(buf, len, &env), 0);
	free(buf);
	hand_envelope(4, 1, 0, &buf, &len);
	assert_int_equal(epoch_envelope_decode(buf, len, &env), BAL_EPROTO);
	free(buf);
	hand_envelope(0, 0, 0, &buf, &len);
	assert_int_equal(epoch_envelope_decode(buf, len, &env), BAL_EPROTO);
	free(buf);
	hand_envelope(2, 0, 1, &buf, &len);
	assert_int_equal(epoch_envelope_decode(buf, len, &env), BAL_EPROTO);
	free(buf);
	/* Garbage never decodes; oversized input is refused unread. */
	for (i = 0; i < 2000; i++) {
		size_t n = 1 + (size_t)(s % sizeof(junk)), k;

		for (k = 0; k < n; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			junk[k] = (uint8_t)s;
		}
		if (i % 2 == 0)
			junk[0] = 0x92;	/* a plausible start */
		assert_int_not_equal(epoch_envelope_decode(junk, n, &env), 0);
	}
	buf = calloc(1, EPOCH_ENVELOPE_ENC_MAX + 1);
	assert_int_equal(epoch_envelope_decode(buf, EPOCH_ENVELOPE_ENC_MAX + 1,
	    &env), BAL_ETOOBIG);
	free(buf);
	assert_int_equal(epoch_envelope_decode(NULL, 0, &env), BAL_EPROTO);
	epoch_key_free(key);
	people_free(&p);
}

static void
test_history(void **state)
{
	struct people p;
	struct det d;
	struct bal_rng rng;
	struct epoch_history_key keys[3];
	struct epoch_history *h;
	uint8_t *k[3], *buf, out[32], c[3][EPOCH_COMMIT_BYTES];
	size_t len, i;
	int j, flip, caught, rc;

	(void)state;
	people_init(&p);
	det_init(&d, &rng, 3);
	for (j = 0; j < 3; j++) {
		assert_int_equal(epoch_key_new(&rng, &k[j]), 0);
		keys[j].key = k[j];
		epoch_commit(k[j], c[j]);
	}
	keys[0].id = 0;
	keys[1].id = 0x8000000000000001ULL;
	keys[2].id = 77;
	assert_int_equal(epoch_history_seal(keys, 3, G, p.pk[4], &rng, &buf,
	    &len), 0);
	assert_int_equal(epoch_history_decode(buf, len, &h), 0);
	assert_int_equal(h->n, 3);
	for (j = 0; j < 3; j++) {
		assert_true(h->items[j].id == keys[j].id);
		assert_int_equal(epoch_history_open(h, keys[j].id, G, c[j],
		    p.id[4], out), 0);
		assert_memory_equal(out, k[j], 32);
		/* Sealed to the newcomer only. */
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(epoch_history_open(h, keys[j].id, G, c[j],
		    p.id[0], out), BAL_ECRYPTO);
		assert_true(zero32(out));
	}
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(epoch_history_open(h, 78, G, c[0], p.id[4], out),
	    BAL_ENOENT);
	assert_true(zero32(out));
	epoch_history_free(h);
	epoch_history_free(NULL);

	/* Every byte flip: refused, or the original epochs no longer open. */
	for (flip = 0; flip < 2; flip++) {
		for (i = 0; i < len; i++) {
			buf[i] ^= flip ? 0xff : 0x01;
			caught = 0;
			if ((rc = epoch_history_decode(buf, len, &h)) != 0) {
				caught = 1;
			} else {
				for (j = 0; j < 3; j++)
					if (epoch_history_open(h, keys[j].id,
					    G, c[j], p.id[4], out) != 0 ||
					    memcmp(out, k[j], 32) != 0)
						caught = 1;
				epoch_history_free(h);
			}
			assert_true(caught);
			buf[i] ^= flip ? 0xff : 0x01;
		}
	}
	for (i = 0; i < len; i++) {
		assert_int_equal(epoch_history_decode(buf, i, &h), BAL_EPROTO);
		assert_null(h);
	}
	free(buf);

	/* Duplicate ids, none, or too many are refused. */
	keys[2].id = 0;
	assert_int_equal(epoch_history_seal(keys, 3, G, p.pk[4], NULL, &buf,
	    &len), BAL_EINVAL);
	assert_int_equal(epoch_history_seal(keys, 0, G, p.pk[4], NULL, &buf,
	    &len), BAL_EINVAL);
	assert_int_equal(epoch_history_seal(keys, EPOCH_HISTORY_MAX + 1,
	    G, p.pk[4], NULL, &buf, &len), BAL_EINVAL);
	{
		msgpack_sbuffer sbuf;
		msgpack_packer pk;
		uint8_t sealed[EPOCH_SEALED_BYTES] = { 0 };
		size_t n;

		/* A history of the maximum size fits its encoding bound. */
		msgpack_sbuffer_init(&sbuf);
		msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, EPOCH_HISTORY_MAX);
		for (n = 0; n < EPOCH_HISTORY_MAX; n++) {
			msgpack_pack_array(&pk, 2);
			msgpack_pack_uint64(&pk, UINT64_MAX - n);
			mp_pack_bin(&pk, sealed, sizeof(sealed));
		}
		assert_true(sbuf.size <= EPOCH_HISTORY_ENC_MAX);
		assert_int_equal(epoch_history_decode((uint8_t *)sbuf.data,
		    sbuf.size, &h), 0);
		assert_int_equal(h->n, EPOCH_HISTORY_MAX);
		epoch_history_free(h);
		msgpack_sbuffer_destroy(&sbuf);
		/* The same id twice. */
		msgpack_sbuffer_init(&sbuf);
		msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 2);
		for (n = 0; n < 2; n++) {
			msgpack_pack_array(&pk, 2);
			msgpack_pack_uint64(&pk, 4);
			mp_pack_bin(&pk, sealed, sizeof(sealed));
		}
		assert_int_equal(epoch_history_decode((uint8_t *)sbuf.data,
		    sbuf.size, &h), BAL_EPROTO);
		msgpack_sbuffer_destroy(&sbuf);
	}
	buf = calloc(1, EPOCH_HISTORY_ENC_MAX + 1);
	assert_int_equal(epoch_history_decode(buf, EPOCH_HISTORY_ENC_MAX + 1,
	    &h), BAL_ETOOBIG);
	free(buf);
	for (j = 0; j < 3; j++)
		epoch_key_free(k[j]);
	people_free(&p);
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_and_id),
		cmocka_unit_test(test_envelope_roundtrip),
		cmocka_unit_test(test_not_recipient),
		cmocka_unit_test(test_bound_and_committed),
		cmocka_unit_test(test_tampered_sealed),
		cmocka_unit_test(test_envelope_tamper_every_byte),
		cmocka_unit_test(test_envelope_limits_and_garbage),
		cmocka_unit_test(test_history),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
