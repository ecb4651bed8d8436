/*
 * test-entry-hostile.c — log entries under hostile input: tampering,
 * truncation, another signer, non-canonical encodings, bad header fields,
 * oversized entries, garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "entry.h"
#include "identity.h"
#include "mp.h"
#include "entry-fixture.h"

/* Every byte changed (three ways) is rejected by decode or by open. */
static void
tamper_all(const struct entry *e)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	uint8_t *enc, *plain;
	size_t enclen, plainlen, i, m;
	struct entry *d;
	int rc;

	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	for (i = 0; i < enclen; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			enc[i] ^= masks[m];
			rc = entry_decode(enc, enclen, &d);
			if (rc == 0) {
				/* Decode must have caught it; open surely. */
				rc = entry_open(d, key, &plain, &plainlen);
				entry_plain_free(plain, plainlen);
				entry_free(d);
				fail_msg("tamper at %zu mask %02x accepted "
				    "by decode (open: %d)", i, masks[m], rc);
			}
			assert_null(d);
			enc[i] ^= masks[m];
		}
	}
	/* The untouched bytes still decode. */
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	entry_free(d);
	free(enc);
}

static void
test_tamper_every_byte(void **state)
{
	struct entry *e, *p;
	struct entry_header h;

	(void)state;
	e = mk_note(entry_alice, NULL);
	tamper_all(e);
	entry_erase(e);
	tamper_all(e);
	entry_free(e);

	h = mk_header(entry_alice, NULL, ENTRY_KIND_ROSTER, 0);
	assert_int_equal(entry_seal(&h, entry_alice, NULL,
	    (const uint8_t *)"\x92\x01\x02", 3, NULL, &p), 0);
	tamper_all(p);
	entry_free(p);
}

static void
test_truncation(void **state)
{
	struct entry *e;
	uint8_t *enc, *cut;
	size_t enclen, i;

	(void)state;
	e = mk_note(entry_alice, NULL);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	for (i = 0; i < enclen; i++) {
		/* A copy of exactly i bytes, so ASan sees any overread. */
		cut = malloc(i + 1);
		assert_non_null(cut);
		memcpy(cut, enc, i);
		expect_decode(i == 0 ? NULL : cut, i,
		    BAL_EPROTO);
		free(cut);
	}
	/* And one byte too many. */
	cut = malloc(enclen + 1);
	assert_non_null(cut);
	memcpy(cut, enc, enclen);
	cut[enclen] = 0xc0;
	expect_decode(cut, enclen + 1, BAL_EPROTO);
	free(cut);
	free(enc);
	entry_free(e);
}

static void
test_other_signer(void **state)
{
	struct entry *e, *x;
	uint8_t *enc;
	size_t enclen;
	struct entry_header h;

	(void)state;
	/* Alice's header signed by Bob. */
	e = mk_note(entry_alice, NULL);
	raw_entry(e->hdr, e->hdrlen, e->body, e->bodylen, NULL, entry_bob, &enc,
	    &enclen);
	expect_decode(enc, enclen, BAL_ECRYPTO);
	free(enc);
	/* The same parts signed by Alice are fine (the builder is right). */
	raw_entry(e->hdr, e->hdrlen, e->body, e->bodylen, NULL, entry_alice, &enc,
	    &enclen);
	assert_int_equal(entry_decode(enc, enclen, &x), 0);
	assert_memory_equal(x->id, e->id, 32);
	entry_free(x);
	free(enc);
	/* A signature over another body hash than the one carried. */
	raw_entry(e->hdr, e->hdrlen, e->body, e->bodylen, e->id, entry_alice, &enc,
	    &enclen);
	expect_decode(enc, enclen, BAL_ECRYPTO);
	free(enc);
	/* Under another domain string. */
	{
		uint8_t msg[ENTRY_MAX_HEADER + 32], sig[64];
		uint8_t *enc2;
		size_t enc2len;

		memcpy(msg, e->hdr, e->hdrlen);
		memcpy(msg + e->hdrlen, e->body_hash, 32);
		assert_int_equal(identity_sign(entry_alice, "balint-other-v1", msg,
		    e->hdrlen + 32, sig), 0);
		assert_int_equal(entry_encode(e, &enc2, &enc2len), 0);
		memcpy(enc2 + enc2len - 64, sig, 64);
		expect_decode(enc2, enc2len, BAL_ECRYPTO);
		free(enc2);
	}
	entry_free(e);
	/* Sealing a header whose author is not the signer is refused. */
	h = mk_header(entry_alice, NULL, ENTRY_KIND_NOTE, 1);
	assert_int_equal(entry_seal(&h, entry_bob, key, (const uint8_t *)"x", 1,
	    &rng, &x), BAL_EINVAL);
	assert_null(x);
}

/* Splices: replaces hdr[at..at+dellen) with ins[0..inslen). */
static uint8_t *
splice(const uint8_t *hdr, size_t hdrlen, size_t at, size_t dellen,
    const uint8_t *ins, size_t inslen, size_t *outlen)
{
	uint8_t *p = malloc(hdrlen - dellen + inslen);

	assert_non_null(p);
	memcpy(p, hdr, at);
	memcpy(p + at, ins, inslen);
	memcpy(p + at + inslen, hdr + at + dellen, hdrlen - at - dellen);
	*outlen = hdrlen - dellen + inslen;
	return p;
}

static void
test_noncanonical(void **state)
{
	/* Offset of seq in a header: array, version, kind, two bin32. */
	enum { SEQ_AT = 1 + 1 + 1 + 34 + 34 };
	static const uint8_t seq_u8[] = { 0xcc, 0x01 };
	static const uint8_t seq_i8[] = { 0xd0, 0x01 };
	static const uint8_t seq_u64[] = { 0xcf, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t arr16[] = { 0xdc, 0x00, 0x09 };
	static const uint8_t grp16[] = { 0xc5, 0x00, 0x20 };
	struct entry *e;
	uint8_t *hdr, *enc;
	size_t hdrlen, enclen;

	(void)state;
	e = mk_note(entry_alice, NULL);
	assert_int_equal(e->hdr[0], 0x99);
	assert_int_equal(e->hdr[SEQ_AT], 0x01);

	/* Non-canonical but signed headers: same values, other bytes. */
#define CHECK(at, del, ins) do {					\
	hdr = splice(e->hdr, e->hdrlen, (at), (del), (ins), sizeof(ins),	\
	    &hdrlen);							\
	raw_entry(hdr, hdrlen, e->body, e->bodylen, NULL, entry_alice, &enc,	\
	    &enclen);							\
	expect_decode(enc, enclen, BAL_EPROTO);				\
	free(hdr);							\
	free(enc);							\
} while (0)
	CHECK(SEQ_AT, 1, seq_u8);
	CHECK(SEQ_AT, 1, seq_i8);
	CHECK(SEQ_AT, 1, seq_u64);
	CHECK(0, 1, arr16);
	CHECK(3, 2, grp16);
#undef CHECK

	/* The outer array with a bin16 header field instead of bin8. */
	{
		uint8_t sig[64];
		msgpack_sbuffer sb;
		msgpack_packer pk;
		static const uint8_t b16[] = { 0xc5, 0x00 };

		assert_int_equal(entry_encode(e, &enc, &enclen), 0);
		memcpy(sig, enc + enclen - 64, 64);
		free(enc);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		msgpack_sbuffer_write(&sb, (const char *)b16, 2);
		msgpack_sbuffer_write(&sb, (const char *)&(uint8_t){
		    (uint8_t)e->hdrlen }, 1);
		msgpack_sbuffer_write(&sb, (const char *)e->hdr, e->hdrlen);
		mp_pack_bin(&pk, e->body_hash, 32);
		mp_pack_bin(&pk, e->body, e->bodylen);
		mp_pack_bin(&pk, sig, 64);
		expect_decode((const uint8_t *)sb.data, sb.size, BAL_EPROTO);
		msgpack_sbuffer_destroy(&sb);
	}
	/* A str where a bin belongs. */
	{
		msgpack_sbuffer sb;
		msgpack_packer pk;

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		mp_pack_bin(&pk, e->hdr, e->hdrlen);
		mp_pack_bin(&pk, e->body_hash, 32);
		mp_pack_str(&pk, "abc", 3);
		mp_pack_bin(&pk, e->sig, 64);
		expect_decode((const uint8_t *)sb.data, sb.size, BAL_EPROTO);
		msgpack_sbuffer_destroy(&sb);
	}
	entry_free(e);
}

static void
test_bad_header_fields(void **state)
{
	struct entry_header h;

	(void)state;
	h = mk_header(entry_alice, NULL, ENTRY_KIND_NOTE, 3);
	/* The builder makes valid entries when the header is valid. */
	{
		uint8_t *hdr, *enc;
		size_t hdrlen, enclen;
		uint8_t body[64];
		struct entry *e;

		memset(body, 0x5a, sizeof(body));
		raw_header(&h, ENTRY_VERSION, &hdr, &hdrlen);
		raw_entry(hdr, hdrlen, body, sizeof(body), NULL, entry_alice, &enc,
		    &enclen);
		assert_int_equal(entry_decode(enc, enclen, &e), 0);
		entry_free(e);
		/* A kind-1 body shorter than nonce + tag. */
		free(enc);
		raw_entry(hdr, hdrlen, body, 39, NULL, entry_alice, &enc, &enclen);
		expect_decode(enc, enclen, BAL_EPROTO);
		free(enc);
		free(hdr);
	}
	expect_header_rejected(&h, 1, BAL_EVERSION);	/* the old format */
	expect_header_rejected(&h, 3, BAL_EVERSION);
	expect_header_rejected(&h, 0, BAL_EVERSION);
	h.kind = 0;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.kind = 4;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.kind = ENTRY_KIND_NOTE;
	h.seq = 0;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.seq = ENTRY_MAX_COUNTER + 1;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.seq = 1;
	h.lamport = UINT64_MAX;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.lamport = 1;
	h.time = ENTRY_MAX_COUNTER + 1;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.time = 0;
	/* Epoch may use all 64 bits. */
	h.epoch = UINT64_MAX;
	{
		struct entry *e;

		assert_int_equal(entry_seal(&h, entry_alice, key, NULL, 0, &rng,
		    &e), 0);
		entry_free(e);
	}
	/* The same invalid fields are refused by entry_seal. */
	h.seq = 0;
	{
		struct entry *e;
		uint8_t *p;
		size_t plen;

		assert_int_equal(entry_seal(&h, entry_alice, key, NULL, 0, &rng,
		    &e), BAL_EINVAL);
		assert_int_equal(entry_header_encode(&h, &p, &plen),
		    BAL_EINVAL);
		assert_null(p);
		h.seq = 1;
		h.kind = 9;
		assert_int_equal(entry_seal(&h, entry_alice, key, NULL, 0, &rng,
		    &e), BAL_EINVAL);
		h.kind = ENTRY_KIND_NOTE;
		assert_int_equal(entry_header_encode(&h, &p, &plen), 0);
		assert_true(plen <= ENTRY_MAX_HEADER);
		free(p);
		/* The longest header fits ENTRY_MAX_HEADER exactly. */
		h.seq = h.lamport = h.time = ENTRY_MAX_COUNTER;
		h.epoch = UINT64_MAX;
		assert_int_equal(entry_header_encode(&h, &p, &plen), 0);
		assert_int_equal(plen, ENTRY_MAX_HEADER);
		free(p);
		assert_int_equal(entry_seal(&h, entry_alice, key, NULL, 0, &rng,
		    &e), 0);
		entry_free(e);
	}
	/* A header array with a tenth field. */
	{
		msgpack_sbuffer sb;
		msgpack_packer pk;
		uint8_t *hdr, *enc;
		size_t hdrlen, enclen;

		h = mk_header(entry_alice, NULL, ENTRY_KIND_NOTE, 3);
		raw_header(&h, ENTRY_VERSION, &hdr, &hdrlen);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 10);
		msgpack_sbuffer_write(&sb, (const char *)hdr + 1, hdrlen - 1);
		msgpack_pack_uint64(&pk, 0);
		raw_entry((const uint8_t *)sb.data, sb.size,
		    (const uint8_t *)"0123456789012345678901234567890123456789",
		    40, NULL, entry_alice, &enc, &enclen);
		expect_decode(enc, enclen, BAL_EPROTO);
		free(enc);
		/* Trailing bytes after the header array. */
		msgpack_sbuffer_destroy(&sb);
		msgpack_sbuffer_init(&sb);
		msgpack_sbuffer_write(&sb, (const char *)hdr, hdrlen);
		msgpack_sbuffer_write(&sb, "\x00", 1);
		raw_entry((const uint8_t *)sb.data, sb.size,
		    (const uint8_t *)"0123456789012345678901234567890123456789",
		    40, NULL, entry_alice, &enc, &enclen);
		expect_decode(enc, enclen, BAL_EPROTO);
		free(enc);
		msgpack_sbuffer_destroy(&sb);
		free(hdr);
	}
}

static void
test_oversized(void **state)
{
	struct entry_header h;
	struct entry *e, *d;
	uint8_t *big, *enc, *hdr, *plain;
	size_t enclen, hdrlen, plainlen;

	(void)state;
	big = calloc(1, ENTRY_MAX_BODY + 2);
	assert_non_null(big);
	memset(big, 'x', ENTRY_MAX_BODY + 1);

	h = mk_header(entry_alice, NULL, ENTRY_KIND_NOTE, 1);
	assert_int_equal(entry_seal(&h, entry_alice, key, big, ENTRY_MAX_PLAIN + 1,
	    &rng, &e), BAL_ETOOBIG);
	assert_null(e);
	assert_int_equal(entry_seal(&h, entry_alice, key, big, ENTRY_MAX_PLAIN,
	    &rng, &e), 0);
	assert_int_equal(e->bodylen, ENTRY_MAX_BODY);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	assert_true(enclen <= ENTRY_MAX_ENCODED);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	assert_int_equal(entry_open(d, key, &plain, &plainlen), 0);
	assert_int_equal(plainlen, ENTRY_MAX_PLAIN);
	assert_memory_equal(plain, big, plainlen);
	entry_plain_free(plain, plainlen);
	entry_free(d);
	entry_free(e);
	free(enc);

	h = mk_header(entry_alice, NULL, ENTRY_KIND_ANNOUNCE, 0);
	assert_int_equal(entry_seal(&h, entry_alice, NULL, big, ENTRY_MAX_BODY + 1,
	    NULL, &e), BAL_ETOOBIG);
	assert_int_equal(entry_seal(&h, entry_alice, NULL, big, ENTRY_MAX_BODY,
	    NULL, &e), 0);
	entry_free(e);

	/* A signed entry whose body is one byte over the limit. */
	raw_header(&h, ENTRY_VERSION, &hdr, &hdrlen);
	raw_entry(hdr, hdrlen, big, ENTRY_MAX_BODY + 1, NULL, entry_alice, &enc,
	    &enclen);
	expect_decode(enc, enclen, BAL_ETOOBIG);
	free(enc);
	raw_entry(hdr, hdrlen, big, ENTRY_MAX_BODY, NULL, entry_alice, &enc,
	    &enclen);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	entry_free(d);
	free(enc);
	free(hdr);

	/* Any buffer over ENTRY_MAX_ENCODED is refused before parsing. */
	free(big);
	big = calloc(1, ENTRY_MAX_ENCODED + 1);
	assert_non_null(big);
	expect_decode(big, ENTRY_MAX_ENCODED + 1, BAL_ETOOBIG);
	free(big);
}

static void
test_garbage(void **state)
{
	static const uint8_t shapes[][8] = {
		{ 0xc0 },			/* nil */
		{ 0x90 },			/* [] */
		{ 0x80 },			/* {} */
		{ 0x94, 1, 2, 3, 4 },		/* [1,2,3,4] */
		{ 0x94, 0xc0, 0xc0, 0xc0, 0xc0 },
		{ 0xdd, 0xff, 0xff, 0xff, 0xff },	/* array32 claim */
		{ 0xc6, 0xff, 0xff, 0xff, 0xff },	/* bin32 claim */
		{ 0x94, 0xc4, 0x00, 0xc4, 0x00, 0xc0, 0xc4, 0x00 },
	};
	static const size_t shape_len[] = { 1, 1, 1, 5, 5, 5, 5, 8 };
	uint8_t buf[512], two[2];
	uint64_t st = 7;
	size_t i, len;
	int b;

	(void)state;
	expect_decode(NULL, 0, BAL_EPROTO);
	expect_decode(buf, 0, BAL_EPROTO);
	for (i = 0; i < sizeof(shape_len) / sizeof(shape_len[0]); i++) {
		struct entry *e;

		assert_int_not_equal(entry_decode(shapes[i], shape_len[i], &e),
		    0);
		assert_null(e);
	}
	for (b = 0; b < 256; b++) {
		struct entry *e;

		two[0] = (uint8_t)b;
		assert_int_not_equal(entry_decode(two, 1, &e), 0);
		two[1] = 0;
		assert_int_not_equal(entry_decode(two, 2, &e), 0);
		assert_null(e);
	}
	for (i = 0; i < 2000; i++) {
		struct entry *e;

		entry_det_fill(&st, &len, sizeof(len));
		len = len % sizeof(buf) + 1;
		entry_det_fill(&st, buf, len);
		if (i % 2)
			buf[0] = 0x94;	/* at least the right outer array */
		assert_int_not_equal(entry_decode(buf, len, &e), 0);
		assert_null(e);
	}
	/* NULL-safe helpers. */
	entry_free(NULL);
	entry_plain_free(NULL, 0);
	entry_erase(NULL);
	assert_true(entry_is_erased(NULL));
	{
		uint8_t *p;
		size_t plen;

		assert_int_equal(entry_encode(NULL, &p, &plen), BAL_EINVAL);
		assert_int_equal(entry_open(NULL, key, &p, &plen), BAL_EINVAL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_other_signer),
		cmocka_unit_test(test_noncanonical),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, entry_setup, entry_teardown);
}
