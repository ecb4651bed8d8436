/* test-mp.c — the strict msgpack layer every decoder relies on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bal.h"
#include "mp.h"

static int
parse(const uint8_t *buf, size_t len)
{
	struct mp_doc doc;
	int rc = mp_doc_parse(&doc, buf, len);

	mp_doc_free(&doc);
	return rc;
}

static void
test_roundtrip_readers(void **state)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_doc doc;
	struct mp_rd r, sub;
	uint8_t *buf, bin[4];
	size_t len, sl;
	const char *s;
	uint64_t v;
	int b;
	char *dup;

	(void)state;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 6);
	msgpack_pack_uint64(&pk, 300);
	mp_pack_cstr(&pk, "héllo");
	mp_pack_bin(&pk, "\1\2\3\4", 4);
	msgpack_pack_true(&pk);
	msgpack_pack_nil(&pk);
	msgpack_pack_array(&pk, 1);
	msgpack_pack_uint8(&pk, 7);
	assert_int_equal(mp_sbuf_take(&sb, &buf, &len), 0);
	msgpack_sbuffer_destroy(&sb);

	assert_int_equal(mp_doc_parse(&doc, buf, len), 0);
	assert_int_equal(mp_rd_array(&r, mp_doc_root(&doc), 6, 6), 0);
	assert_int_equal(mp_rd_uint(&r, 1000, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(mp_rd_str(&r, 1, 10, &s, &sl), 0);
	assert_int_equal(sl, 6);
	assert_int_equal(mp_rd_bin_fixed(&r, bin, 4), 0);
	assert_int_equal(bin[3], 4);
	assert_int_equal(mp_rd_bool(&r, &b), 0);
	assert_true(b);
	assert_true(mp_rd_peek_nil(&r));
	assert_int_equal(mp_rd_nil(&r), 0);
	assert_int_not_equal(mp_rd_end(&r), 0);
	assert_int_equal(mp_rd_sub(&r, 1, 1, &sub), 0);
	assert_int_equal(mp_rd_uint(&sub, 7, &v), 0);
	assert_int_equal(mp_rd_end(&sub), 0);
	assert_int_equal(mp_rd_end(&r), 0);
	assert_null(mp_rd_next(&r));
	mp_doc_free(&doc);
	mp_doc_free(&doc);	/* twice is harmless */

	/* Type and limit checks. */
	assert_int_equal(mp_doc_parse(&doc, buf, len), 0);
	assert_int_equal(mp_rd_array(&r, mp_doc_root(&doc), 6, 6), 0);
	assert_int_equal(mp_rd_uint(&r, 299, &v), BAL_EPROTO);
	assert_int_equal(mp_rd_strdup(&r, 0, 5, &dup), BAL_EPROTO);
	assert_null(dup);
	mp_doc_free(&doc);
	free(buf);
}

static void
test_trailing_and_truncated(void **state)
{
	const uint8_t ok[] = { 0x92, 0x01, 0xa1, 'x' };
	const uint8_t trailing[] = { 0x92, 0x01, 0xa1, 'x', 0x00 };
	size_t i;

	(void)state;
	assert_int_equal(parse(ok, sizeof(ok)), 0);
	assert_int_equal(parse(trailing, sizeof(trailing)), BAL_EPROTO);
	for (i = 0; i < sizeof(ok); i++)
		assert_int_equal(parse(ok, i), BAL_EPROTO);
}

static void
test_claimed_counts_bounded(void **state)
{
	/* array32 claiming 4 billion elements in 5 bytes. */
	const uint8_t huge_array[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
	const uint8_t huge_map[] = { 0xdf, 0x7f, 0xff, 0xff, 0xff, 0x01 };
	const uint8_t huge_bin[] = { 0xc6, 0xff, 0xff, 0xff, 0xf0, 0x00 };
	const uint8_t huge_str[] = { 0xdb, 0x00, 0x10, 0x00, 0x00, 'a' };
	/* nested: 32 levels of array16 claiming 65535 each */
	uint8_t nested[32 * 3];
	size_t i;

	(void)state;
	assert_int_equal(parse(huge_array, sizeof(huge_array)), BAL_EPROTO);
	assert_int_equal(parse(huge_map, sizeof(huge_map)), BAL_EPROTO);
	assert_int_equal(parse(huge_bin, sizeof(huge_bin)), BAL_EPROTO);
	assert_int_equal(parse(huge_str, sizeof(huge_str)), BAL_EPROTO);
	for (i = 0; i < 32; i++) {
		nested[3 * i] = 0xdc;
		nested[3 * i + 1] = 0xff;
		nested[3 * i + 2] = 0xff;
	}
	assert_int_equal(parse(nested, sizeof(nested)), BAL_EPROTO);
	assert_int_equal(parse((const uint8_t *)"\xc1", 1), BAL_EPROTO);
	assert_int_equal(parse(NULL, 0), BAL_EPROTO);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(mp_utf8_valid("plain", 5));
	assert_true(mp_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	assert_false(mp_utf8_valid("a\0b", 3));
	assert_false(mp_utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(mp_utf8_valid("\xed\xa0\x80", 3));		/* surrogate */
	assert_false(mp_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(mp_utf8_valid("\xe2\x82", 2));		/* truncated */
	assert_false(mp_utf8_valid("\xff", 1));
}

static void
test_garbage_never_crashes(void **state)
{
	uint8_t buf[64];
	uint32_t x = 99;
	size_t i, n;

	(void)state;
	for (n = 0; n < 200000; n++) {
		size_t len = 1 + n % sizeof(buf);

		for (i = 0; i < len; i++) {
			x = x * 1664525u + 1013904223u;
			buf[i] = (uint8_t)(x >> 24);
		}
		(void)parse(buf, len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_readers),
		cmocka_unit_test(test_trailing_and_truncated),
		cmocka_unit_test(test_claimed_counts_bounded),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_garbage_never_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
