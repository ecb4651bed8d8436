/*
 * test-wire-caps.c — HELLO's capabilities (docs/protocol.md
 * "Capabilities"): a HELLO without the field is the empty set and keeps
 * the bytes of a HELLO before capabilities; names this version does not
 * know, and a name twice, are skipped; a later field after the
 * capabilities is skipped; a field that is no array of short names, or is
 * over its limits, is refused without a crash; which message needs which
 * capability.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>

#include "wire.h"
#include "wire-fixture.h"

/* [1, 2, gid, "sw", []] and, when ncaps >= 0, an array of ncaps names. */
static void
pk_hello(struct pkb *b, int ncaps, const char *const *caps)
{
	int i;

	pkb_init(b);
	msgpack_pack_array(&b->pk, ncaps >= 0 ? 6 : 5);
	msgpack_pack_uint64(&b->pk, WIRE_HELLO);
	msgpack_pack_uint64(&b->pk, WIRE_VERSION);
	pk_bin(&b->pk, BAL_GROUP_ID_BYTES, 0xaa);
	pk_cstr(&b->pk, "sw");
	msgpack_pack_array(&b->pk, 0);
	if (ncaps < 0)
		return;
	msgpack_pack_array(&b->pk, (uint32_t)ncaps);
	for (i = 0; i < ncaps; i++)
		pk_cstr(&b->pk, caps[i]);
}

/* Decodes b's bytes (and frees them); the caps of the HELLO, or -rc. */
static long
hello_caps(struct pkb *b)
{
	struct wire_msg *d = NULL;
	long ret;
	int rc;

	rc = wire_decode((const uint8_t *)b->sb.data, b->sb.size, &d);
	msgpack_sbuffer_destroy(&b->sb);
	if (rc != 0) {
		assert_null(d);
		return rc < 0 ? rc : -rc;
	}
	assert_int_equal(d->type, WIRE_HELLO);
	ret = (long)d->hello.caps;
	wire_msg_free(d);
	return ret;
}

static struct wire_msg
hello(uint32_t caps)
{
	static const char *addrs[] = { "127.0.0.1:7000" };
	struct wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	memset(m.hello.group_id, 0xaa, BAL_GROUP_ID_BYTES);
	m.hello.software = "balintd/0.1.0";
	m.hello.addrs = addrs;
	m.hello.naddrs = 1;
	m.hello.caps = caps;
	return m;
}

/* No field, or an empty one: the empty set; none is sent as no field. */
static void
test_absent_is_empty(void **state)
{
	struct wire_msg m = hello(0), *d = NULL;
	struct pkb b;
	uint8_t *buf;
	size_t len;

	(void)state;
	pk_hello(&b, -1, NULL);
	assert_int_equal(hello_caps(&b), 0);
	pk_hello(&b, 0, NULL);
	assert_int_equal(hello_caps(&b), 0);
	/* The example of docs/protocol.md: 5 elements, 67 bytes. */
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	assert_int_equal(len, 67);
	assert_int_equal(buf[0], 0x95);
	free(buf);
	/* Both capabilities: the 6th element, names in bit order. */
	m = hello(WIRE_CAPS_KNOWN);
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	assert_int_equal(len, 67 + 1 + 6 + 12);
	assert_int_equal(buf[0], 0x96);
	assert_memory_equal(buf + 67, "\x92\xa5punch\xabpunch-onion", 19);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->hello.caps, WIRE_CAPS_KNOWN);
	assert_int_equal(d->hello.naddrs, 1);
	assert_string_equal(d->hello.addrs[0], "127.0.0.1:7000");
	wire_msg_free(d);
	free(buf);
	/* A bit this version has no name for is not sent. */
	m = hello(1u << WIRE_CAPS_COUNT);
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
}

/* Unknown names and repeated ones change nothing; order does not count. */
static void
test_unknown_ignored(void **state)
{
	static const char *one[] = { "punch-onion", "x-later", "punch-onion" };
	static const char *other[] = { "zz", "vendor@example.org", "punch",
	    "punch2", "punc", "1.0" };
	static const char *unknown[] = { "later" };
	struct pkb b;

	(void)state;
	pk_hello(&b, 3, one);
	assert_int_equal(hello_caps(&b), WIRE_CAP_PUNCH_ONION);
	pk_hello(&b, 6, other);
	assert_int_equal(hello_caps(&b), WIRE_CAP_PUNCH);
	pk_hello(&b, 1, unknown);
	assert_int_equal(hello_caps(&b), 0);
	/* A later version's field after the capabilities is skipped. */
	pk_hello(&b, 1, one);
	msgpack_pack_map(&b.pk, 1);
	pk_cstr(&b.pk, "new");
	msgpack_pack_double(&b.pk, 1.5);
	((uint8_t *)b.sb.data)[0] = 0x97;
	assert_int_equal(hello_caps(&b), WIRE_CAP_PUNCH_ONION);
}

/* Anything but an array of at most 32 names of 1..32 allowed bytes. */
static void
test_garbage_refused(void **state)
{
	static const char *bad[] = { "", "Punch", "punch onion", "pünch",
	    "punch\x7f", "a_b", "123456789012345678901234567890123" };
	const char *many[WIRE_MAX_CAPS + 1];
	struct pkb b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pk_hello(&b, 1, &bad[i]);
		assert_int_equal(hello_caps(&b), BAL_EPROTO);
	}
	/* 32 bytes is the longest name. */
	bad[0] = "12345678901234567890123456789012";
	pk_hello(&b, 1, &bad[0]);
	assert_int_equal(hello_caps(&b), 0);
	for (i = 0; i <= WIRE_MAX_CAPS; i++)
		many[i] = "punch";
	pk_hello(&b, WIRE_MAX_CAPS, many);
	assert_int_equal(hello_caps(&b), WIRE_CAP_PUNCH);
	pk_hello(&b, WIRE_MAX_CAPS + 1, many);
	assert_int_equal(hello_caps(&b), BAL_EPROTO);
	/* Not an array; an array of another type; a bin name. */
	pk_hello(&b, -1, NULL);
	pk_cstr(&b.pk, "punch");
	((uint8_t *)b.sb.data)[0] = 0x96;
	assert_int_equal(hello_caps(&b), BAL_EPROTO);
	pk_hello(&b, -1, NULL);
	msgpack_pack_nil(&b.pk);
	((uint8_t *)b.sb.data)[0] = 0x96;
	assert_int_equal(hello_caps(&b), BAL_EPROTO);
	pk_hello(&b, -1, NULL);
	msgpack_pack_array(&b.pk, 1);
	msgpack_pack_uint64(&b.pk, 1);
	((uint8_t *)b.sb.data)[0] = 0x96;
	assert_int_equal(hello_caps(&b), BAL_EPROTO);
	pk_hello(&b, -1, NULL);
	msgpack_pack_array(&b.pk, 1);
	pk_bin(&b.pk, 5, 'p');
	((uint8_t *)b.sb.data)[0] = 0x96;
	assert_int_equal(hello_caps(&b), BAL_EPROTO);
	/* An array that only claims its names (array32 of 2^32-1). */
	pk_hello(&b, -1, NULL);
	msgpack_sbuffer_write(&b.sb, "\xdd\xff\xff\xff\xff\xa1p", 7);
	((uint8_t *)b.sb.data)[0] = 0x96;
	assert_int_equal(hello_caps(&b), BAL_EPROTO);
	/* Truncated anywhere in the field. */
	{
		struct wire_msg m = hello(WIRE_CAPS_KNOWN), *d;
		uint8_t *buf;
		size_t len, k;

		assert_int_equal(wire_encode(&m, &buf, &len), 0);
		for (k = 67; k < len; k++) {
			d = NULL;
			assert_int_equal(wire_decode(buf, k, &d), BAL_EPROTO);
			assert_null(d);
		}
		free(buf);
	}
}

/* PUNCH ops 1..4 need "punch", 5..7 "punch-onion"; the rest nothing. */
static void
test_needed(void **state)
{
	struct wire_msg m;
	char text[32];
	int op;

	(void)state;
	memset(&m, 0, sizeof(m));
	for (m.type = WIRE_HELLO; m.type <= WIRE_WANT; m.type++)
		assert_int_equal(wire_caps_needed(&m), 0);
	m.type = WIRE_PUNCH;
	for (op = WIRE_PUNCH_ASK; op <= WIRE_PUNCH_CALLED; op++) {
		m.punch.op = (uint8_t)op;
		assert_int_equal(wire_caps_needed(&m), op <= WIRE_PUNCH_GO ?
		    WIRE_CAP_PUNCH : WIRE_CAP_PUNCH_ONION);
	}
	assert_string_equal(wire_caps_name(WIRE_CAP_PUNCH), "punch");
	assert_string_equal(wire_caps_name(WIRE_CAP_PUNCH_ONION),
	    "punch-onion");
	assert_null(wire_caps_name(0));
	assert_null(wire_caps_name(WIRE_CAPS_KNOWN));
	assert_int_equal(wire_caps_text(WIRE_CAPS_KNOWN, text, sizeof(text)),
	    17);
	assert_string_equal(text, "punch punch-onion");
	assert_int_equal(wire_caps_text(0, text, sizeof(text)), 0);
	assert_string_equal(text, "");
	/* Too small: whole names only. */
	assert_int_equal(wire_caps_text(WIRE_CAPS_KNOWN, text, 10), 5);
	assert_string_equal(text, "punch");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_is_empty),
		cmocka_unit_test(test_unknown_ignored),
		cmocka_unit_test(test_garbage_refused),
		cmocka_unit_test(test_needed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
