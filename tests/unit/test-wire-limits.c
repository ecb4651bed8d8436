/*
 * test-wire-limits.c — replication messages at their limits: decoding and
 * encoding each bound, the batch rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "entry.h"
#include "wire.h"
#include "wire-fixture.h"

static void
pk_str(msgpack_packer *pk, size_t len, char fill)
{
	char *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memset(p, fill, len);
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, p, len);
	free(p);
}

static int
hello_with(const char *software, size_t naddrs, size_t addrlen, char fill)
{
	struct pkb b;
	uint8_t gid[32] = { 1 };
	size_t i;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 5);
	msgpack_pack_uint64(&b.pk, WIRE_HELLO);
	msgpack_pack_uint64(&b.pk, WIRE_VERSION);
	msgpack_pack_bin(&b.pk, 32);
	msgpack_pack_bin_body(&b.pk, gid, 32);
	pk_cstr(&b.pk, software);
	msgpack_pack_array(&b.pk, naddrs);
	for (i = 0; i < naddrs; i++)
		pk_str(&b.pk, addrlen, fill);
	return pkb_decode(&b);
}

/* HAVE of n authors numbered from first (big-endian in the last bytes). */
static int
have_with(size_t n, int dup, int unsorted, uint64_t seq)
{
	struct pkb b;
	uint8_t pk[32];
	size_t i, k;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_HAVE);
	msgpack_pack_array(&b.pk, n);
	for (i = 0; i < n; i++) {
		k = i;
		if (dup && i == n - 1)
			k = i - 1;
		if (unsorted && i >= n - 2)
			k = (i == n - 2) ? n - 1 : n - 2;
		memset(pk, 0, sizeof(pk));
		pk[30] = (uint8_t)(k >> 8);
		pk[31] = (uint8_t)k;
		msgpack_pack_array(&b.pk, 2);
		msgpack_pack_bin(&b.pk, 32);
		msgpack_pack_bin_body(&b.pk, pk, 32);
		msgpack_pack_uint64(&b.pk, seq);
	}
	return pkb_decode(&b);
}

static int
entries_with(size_t n, size_t len)
{
	struct pkb b;
	size_t i;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_ENTRIES);
	msgpack_pack_array(&b.pk, n);
	for (i = 0; i < n; i++)
		pk_bin(&b.pk, len, (uint8_t)i);
	return pkb_decode(&b);
}

static int
push_with(size_t len)
{
	struct pkb b;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_PUSH);
	pk_bin(&b.pk, len, 0x33);
	return pkb_decode(&b);
}

static int
bye_with(uint64_t reason, const char *text)
{
	struct pkb b;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 3);
	msgpack_pack_uint64(&b.pk, WIRE_BYE);
	msgpack_pack_uint64(&b.pk, reason);
	pk_cstr(&b.pk, text);
	return pkb_decode(&b);
}

static void
test_decode_limits(void **state)
{
	char text[WIRE_MAX_BYE_TEXT + 2];

	(void)state;
	/* HELLO: software, address count, address length and bytes. */
	assert_int_equal(hello_with("", 0, 0, 'a'), 0);
	assert_int_equal(hello_with("balintd/0.1.0 (debian)", WIRE_MAX_ADDRS,
	    WIRE_MAX_ADDR, 'a'), 0);
	assert_int_equal(hello_with("x", WIRE_MAX_ADDRS + 1, 10, 'a'),
	    BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, WIRE_MAX_ADDR + 1, 'a'),
	    BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, 0, 'a'), BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, 5, ' '), BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, 5, '\n'), BAL_EPROTO);
	assert_int_equal(hello_with(
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    0, 0, 'a'), 0);
	assert_int_equal(hello_with(
	    "01234567890123456789012345678901234567890123456789012345678901234",
	    0, 0, 'a'), BAL_EPROTO);
	assert_int_equal(hello_with("bal\x1b[2Jintd", 0, 0, 'a'), BAL_EPROTO);
	assert_int_equal(hello_with("bal\xc3\xa9", 0, 0, 'a'), BAL_EPROTO);

	/* HAVE: count, order, duplicates, seq range. */
	assert_int_equal(have_with(WIRE_MAX_HAVE, 0, 0, 5), 0);
	assert_int_equal(have_with(WIRE_MAX_HAVE + 1, 0, 0, 5), BAL_EPROTO);
	assert_int_equal(have_with(3, 1, 0, 5), BAL_EPROTO);
	assert_int_equal(have_with(3, 0, 1, 5), BAL_EPROTO);
	assert_int_equal(have_with(2, 0, 0, (uint64_t)INT64_MAX), 0);
	assert_int_equal(have_with(2, 0, 0, (uint64_t)INT64_MAX + 1),
	    BAL_EPROTO);

	/* ENTRIES and PUSH: counts and entry sizes. */
	assert_int_equal(entries_with(WIRE_MAX_ENTRIES, 1), 0);
	assert_int_equal(entries_with(WIRE_MAX_ENTRIES + 1, 1), BAL_EPROTO);
	assert_int_equal(entries_with(2, 0), BAL_EPROTO);
	assert_int_equal(entries_with(1, WIRE_MAX_ENTRY), 0);
	assert_int_equal(entries_with(1, WIRE_MAX_ENTRY + 1), BAL_EPROTO);
	assert_int_equal(entries_with(6, WIRE_MAX_ENTRY), BAL_ETOOBIG);
	assert_int_equal(push_with(WIRE_MAX_ENTRY), 0);
	assert_int_equal(push_with(WIRE_MAX_ENTRY + 1), BAL_EPROTO);
	assert_int_equal(push_with(0), BAL_EPROTO);

	/* BYE: reason range, text length, one line. */
	memset(text, 'b', sizeof(text));
	text[WIRE_MAX_BYE_TEXT] = '\0';
	assert_int_equal(bye_with(0, text), 0);
	text[WIRE_MAX_BYE_TEXT] = 'b';
	text[WIRE_MAX_BYE_TEXT + 1] = '\0';
	assert_int_equal(bye_with(0, text), BAL_EPROTO);
	assert_int_equal(bye_with(WIRE_MAX_BYE_REASON, "x"), 0);
	assert_int_equal(bye_with(WIRE_MAX_BYE_REASON + 1, "x"), BAL_EPROTO);
	assert_int_equal(bye_with(0, "two\nlines"), BAL_EPROTO);
	assert_int_equal(bye_with(0, "del\x7f"), BAL_EPROTO);
	assert_int_equal(bye_with(0, "d\xc3\xa9j\xc3\xa0 vu"), 0);
	assert_int_equal(bye_with(0, "bad \xc3 utf8"), BAL_EPROTO);
}

static void
test_encode_limits(void **state)
{
	struct wire_msg m;
	struct wire_have_item it[2];
	struct wire_bytes eb[WIRE_MAX_ENTRIES + 1];
	const char *addrs[WIRE_MAX_ADDRS + 1];
	char longaddr[WIRE_MAX_ADDR + 2], text[WIRE_MAX_BYE_TEXT + 2];
	uint8_t one = 1, *buf, *big;
	size_t len, i;

	(void)state;
	assert_int_equal(wire_encode(NULL, &buf, &len), BAL_EINVAL);
	memset(&m, 0, sizeof(m));
	m.type = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	assert_null(buf);
	m.type = 8;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);

	/* HELLO. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.hello.version = WIRE_VERSION;
	for (i = 0; i <= WIRE_MAX_ADDRS; i++)
		addrs[i] = "10.0.0.1:7000";
	m.hello.addrs = addrs;
	m.hello.naddrs = WIRE_MAX_ADDRS + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.hello.naddrs = 1;
	memset(longaddr, 'h', sizeof(longaddr));
	longaddr[WIRE_MAX_ADDR + 1] = '\0';
	addrs[0] = longaddr;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	addrs[0] = "";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	addrs[0] = "a b:1";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	addrs[0] = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.hello.addrs = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.hello.naddrs = 0;
	m.hello.software = "tab\tseparated";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);

	/* HAVE: duplicates and seq range are the caller's bugs. */
	memset(&m, 0, sizeof(m));
	memset(it, 7, sizeof(it));
	it[0].seq = it[1].seq = 3;
	m.type = WIRE_HAVE;
	m.have.items = it;
	m.have.n = 2;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	it[1].author[0] = 8;
	it[1].seq = (uint64_t)INT64_MAX + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.have.n = WIRE_MAX_HAVE + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.have.items = NULL;
	m.have.n = 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);

	/* ENTRIES and PUSH. */
	for (i = 0; i <= WIRE_MAX_ENTRIES; i++) {
		eb[i].p = &one;
		eb[i].len = 1;
	}
	memset(&m, 0, sizeof(m));
	m.type = WIRE_ENTRIES;
	m.entries.items = eb;
	m.entries.n = WIRE_MAX_ENTRIES + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.entries.n = WIRE_MAX_ENTRIES;
	enc(&m, &buf, &len);
	free(buf);
	eb[3].len = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	eb[3].len = 1;
	eb[4].p = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	eb[4].p = &one;

	/* Exactly WIRE_MAX_MSG bytes fit; one more does not. */
	big = malloc(WIRE_MAX_ENTRY);
	assert_non_null(big);
	memset(big, 0x77, WIRE_MAX_ENTRY);
	for (i = 0; i < 5; i++) {
		eb[i].p = big;
		eb[i].len = WIRE_MAX_ENTRY;
	}
	eb[5].p = big;
	eb[5].len = WIRE_MAX_MSG - 3 - 5 * wire_entry_cost(WIRE_MAX_ENTRY) - 3;
	m.entries.n = 6;
	enc(&m, &buf, &len);
	assert_int_equal(len, WIRE_MAX_MSG);
	{
		struct wire_msg *d;

		assert_int_equal(wire_decode(buf, len, &d), 0);
		assert_int_equal(d->entries.n, 6);
		assert_int_equal(d->entries.items[5].len, eb[5].len);
		wire_msg_free(d);
	}
	free(buf);
	eb[5].len++;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	eb[0].len++;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.type = WIRE_PUSH;
	m.push.p = big;
	m.push.len = WIRE_MAX_ENTRY + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.push.len = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	free(big);

	/* BYE. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_BYE;
	memset(text, 't', sizeof(text));
	text[WIRE_MAX_BYE_TEXT + 1] = '\0';
	m.bye.text = text;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.bye.text = "a\r\nb";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.bye.text = "\xff";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.bye.text = "ok";
	m.bye.reason = WIRE_MAX_BYE_REASON + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	assert_null(buf);
	assert_int_equal(len, 0);
}

static void
test_batch_rule(void **state)
{
	static const size_t lens[] = { 1, 255, 256, 65535, 65536,
	    WIRE_MAX_ENTRY, 17, 100000 };
	struct wire_bytes *eb;
	struct wire_msg m;
	uint8_t *big, *buf;
	size_t n = 0, used = WIRE_ENTRIES_OVERHEAD, len, k = 0;

	(void)state;
	/* A sender filling a batch by the documented rule never overflows. */
	big = calloc(1, WIRE_MAX_ENTRY);
	eb = calloc(WIRE_MAX_ENTRIES, sizeof(*eb));
	assert_non_null(big);
	assert_non_null(eb);
	for (;;) {
		size_t l = lens[k++ % (sizeof(lens) / sizeof(lens[0]))];

		if (n == WIRE_MAX_ENTRIES ||
		    used + wire_entry_cost(l) > WIRE_MAX_MSG)
			break;
		eb[n].p = big;
		eb[n].len = l;
		used += wire_entry_cost(l);
		n++;
	}
	assert_true(n > 5);
	memset(&m, 0, sizeof(m));
	m.type = WIRE_ENTRIES;
	m.entries.items = eb;
	m.entries.n = n;
	enc(&m, &buf, &len);
	assert_true(len <= used);
	assert_true(len + 2 >= used);
	free(buf);
	free(eb);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_limits),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_batch_rule),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
