/*
 * test-bundle.c — the bundle file (bundle.h): the key derivation against
 * a vector computed with Python's hashlib.blake2b, the plaintext's round
 * trip and strictness (every truncation, trailing bytes, a wrong version,
 * an empty entry), the envelope (every flipped byte, a wrong key, a short
 * file) and a header that is the same for every group and writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "bundle.h"

static void
hex_to(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
test_key_vector(void **state)
{
	uint8_t key[32], gid[32], out[32], want[32], other[32];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
		gid[i] = (uint8_t)(32 + i);
	}
	assert_int_equal(bundle_key(key, gid, out), 0);
	hex_to("dd0a1953503e88c84e86ceed8ab10694cbeb60094d73aa87d6fc646affce"
	    "8006", want, 32);
	assert_memory_equal(out, want, 32);
	/* Another group, same epoch key: another key. */
	gid[0] ^= 1;
	assert_int_equal(bundle_key(key, gid, other), 0);
	assert_memory_not_equal(out, other, 32);
	assert_int_equal(bundle_key(NULL, gid, out), BAL_EINVAL);
}

/* A bundle of three entries and a HAVE of two authors. */
static void
sample(struct bundle *b, const uint8_t **ents, size_t *lens,
    struct wire_have_item *have)
{
	static const uint8_t e1[] = { 1, 2, 3 }, e2[] = { 4 };
	static uint8_t e3[300];

	memset(b, 0, sizeof(*b));
	memset(b->group, 0xaa, sizeof(b->group));
	memset(b->writer, 0xbb, sizeof(b->writer));
	b->time_ms = 1764979200000ull;
	memset(have, 0, 2 * sizeof(*have));
	memset(have[0].author, 1, BAL_PK_BYTES);
	have[0].seq = 7;
	memset(have[1].author, 2, BAL_PK_BYTES);
	have[1].seq = 70000;
	memset(e3, 0x5c, sizeof(e3));
	ents[0] = e1; lens[0] = sizeof(e1);
	ents[1] = e2; lens[1] = sizeof(e2);
	ents[2] = e3; lens[2] = sizeof(e3);
	b->have = have;
	b->nhave = 2;
	b->entries = ents;
	b->lens = lens;
	b->n = 3;
}

static void
test_roundtrip_strict(void **state)
{
	struct wire_have_item have[2];
	struct bundle b;
	struct bundle_dec *d;
	const uint8_t *ents[3];
	size_t lens[3], len, i;
	uint8_t *buf, *more;

	(void)state;
	sample(&b, ents, lens, have);
	assert_int_equal(bundle_encode(&b, &buf, &len), 0);
	assert_int_equal(bundle_decode(buf, len, &d), 0);
	assert_memory_equal(d->b.group, b.group, 32);
	assert_memory_equal(d->b.writer, b.writer, 32);
	assert_true(d->b.time_ms == b.time_ms);
	assert_int_equal(d->b.nhave, 2);
	assert_true(d->b.have[1].seq == 70000);
	assert_memory_equal(d->b.have[1].author, have[1].author, 32);
	assert_int_equal(d->b.n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(d->b.lens[i], lens[i]);
		assert_memory_equal(d->b.entries[i], ents[i], lens[i]);
	}
	bundle_dec_free(d);
	/* Every truncation is refused, never read past. */
	for (i = 0; i < len; i++) {
		assert_int_not_equal(bundle_decode(buf, i, &d), 0);
		assert_null(d);
	}
	/* A trailing byte. */
	assert_non_null(more = malloc(len + 1));
	memcpy(more, buf, len);
	more[len] = 0xc0;
	assert_int_equal(bundle_decode(more, len + 1, &d), BAL_EPROTO);
	/* Another version. */
	memcpy(more, buf, len);
	assert_int_equal(more[1], BUNDLE_VERSION);
	more[1] = 2;
	assert_int_equal(bundle_decode(more, len, &d), BAL_EVERSION);
	free(more);
	free(buf);
	/* An empty entry, a bundle with none, too many. */
	lens[1] = 0;
	assert_int_equal(bundle_encode(&b, &buf, &len), BAL_EINVAL);
	b.n = 0;
	b.nhave = 0;
	assert_int_equal(bundle_encode(&b, &buf, &len), 0);
	assert_int_equal(bundle_decode(buf, len, &d), 0);
	assert_int_equal(d->b.n, 0);
	assert_int_equal(d->b.nhave, 0);
	bundle_dec_free(d);
	free(buf);
	b.nhave = BUNDLE_MAX_HAVE + 1;
	assert_int_equal(bundle_encode(&b, &buf, &len), BAL_ETOOBIG);
}

static void
test_hand_made(void **state)
{
	/* [1, bin32, bin32, 0, [], [bin0]]: an empty entry is refused. */
	uint8_t doc[80];
	struct bundle_dec *d;
	size_t n = 0;

	(void)state;
	doc[n++] = 0x96;
	doc[n++] = 0x01;
	doc[n++] = 0xc4; doc[n++] = 32; memset(doc + n, 1, 32); n += 32;
	doc[n++] = 0xc4; doc[n++] = 32; memset(doc + n, 2, 32); n += 32;
	doc[n++] = 0x00;
	doc[n++] = 0x90;
	doc[n++] = 0x91; doc[n++] = 0xc4; doc[n++] = 0x00;
	assert_int_equal(bundle_decode(doc, n, &d), BAL_EPROTO);
	/* A short group id. */
	doc[3] = 31;
	assert_int_not_equal(bundle_decode(doc, n, &d), 0);
	/* A claimed array of a million entries in a few bytes. */
	n = 0;
	doc[n++] = 0x96;
	doc[n++] = 0x01;
	doc[n++] = 0xc4; doc[n++] = 32; memset(doc + n, 1, 32); n += 32;
	doc[n++] = 0xc4; doc[n++] = 32; memset(doc + n, 2, 32); n += 32;
	doc[n++] = 0x00;
	doc[n++] = 0x90;
	doc[n++] = 0xdd; doc[n++] = 0; doc[n++] = 0x0f; doc[n++] = 0x42;
	doc[n++] = 0x40;
	assert_int_not_equal(bundle_decode(doc, n, &d), 0);
	assert_null(d);
}

static void
test_envelope(void **state)
{
	uint8_t key[32], key2[32], plain[100], *f, *f2, *p;
	size_t flen, f2len, plen, i;

	(void)state;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(key2, sizeof(key2));
	randombytes_buf(plain, sizeof(plain));
	assert_int_equal(bundle_seal(key, plain, sizeof(plain), &f, &flen), 0);
	assert_int_equal(flen, sizeof(plain) + BUNDLE_OVERHEAD);
	assert_memory_equal(f, BUNDLE_MAGIC, BUNDLE_MAGIC_BYTES);
	assert_int_equal(bundle_open(key, f, flen, &p, &plen), 0);
	assert_int_equal(plen, sizeof(plain));
	assert_memory_equal(p, plain, plen);
	free(p);
	/* Another key (another group or epoch). */
	assert_int_equal(bundle_open(key2, f, flen, &p, &plen), BAL_ECRYPTO);
	/* Every flipped byte: not a bundle (magic) or does not open. */
	for (i = 0; i < flen; i++) {
		f[i] ^= 0x40;
		assert_int_equal(bundle_open(key, f, flen, &p, &plen),
		    i < BUNDLE_MAGIC_BYTES ? BAL_EPROTO : BAL_ECRYPTO);
		assert_null(p);
		f[i] ^= 0x40;
	}
	/* Every truncation. */
	for (i = 0; i < flen; i++)
		assert_int_not_equal(bundle_open(key, f, i, &p, &plen), 0);
	/* A fresh nonce each time: two seals of one plaintext differ. */
	assert_int_equal(bundle_seal(key, plain, sizeof(plain), &f2, &f2len),
	    0);
	assert_memory_not_equal(f + BUNDLE_MAGIC_BYTES,
	    f2 + BUNDLE_MAGIC_BYTES, BUNDLE_NONCE_BYTES);
	free(f);
	free(f2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_vector),
		cmocka_unit_test(test_roundtrip_strict),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_envelope),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
