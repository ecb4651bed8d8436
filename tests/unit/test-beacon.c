/*
 * test-beacon.c — LAN discovery beacons (beacon.h): the key against a
 * vector computed with Python's hashlib.blake2b, the plaintext's round
 * trip and strictness, the datagram under the right and a wrong key, every
 * flipped byte and truncation, and no byte in common position that two
 * beacons of the same member, port and time are bound to share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "beacon.h"

static void
test_key_vector(void **state)
{
	static const uint8_t want[32] = {
		0x79, 0x81, 0xc5, 0x12, 0x2b, 0xab, 0x7a, 0x4e, 0xd7, 0xf0,
		0x0f, 0xfd, 0x2e, 0xcc, 0x70, 0x20, 0xf6, 0x9a, 0xa7, 0x02,
		0xd6, 0x95, 0x04, 0x9e, 0x16, 0xc6, 0xd8, 0x35, 0x0f, 0x66,
		0xbd, 0x59
	};
	uint8_t nk[32], out[32];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		nk[i] = (uint8_t)i;
	assert_int_equal(beacon_key(nk, out), 0);
	assert_memory_equal(out, want, 32);
	assert_int_equal(beacon_key(NULL, out), BAL_EINVAL);
}

static void
sample(struct beacon *b)
{
	memset(b, 0, sizeof(*b));
	memset(b->member, 0x5a, sizeof(b->member));
	b->port = 7451;
	b->time_ms = 1796500000000ull;
}

static void
test_plain(void **state)
{
	uint8_t buf[BEACON_MAX_PLAIN + 1];
	struct beacon b, d;
	size_t len, i;

	(void)state;
	sample(&b);
	assert_int_equal(beacon_encode(&b, buf, &len), 0);
	assert_int_equal(beacon_decode(buf, len, &d), 0);
	assert_memory_equal(d.member, b.member, 32);
	assert_int_equal(d.port, 7451);
	assert_true(d.time_ms == b.time_ms);
	for (i = 0; i < len; i++)
		assert_int_not_equal(beacon_decode(buf, i, &d), 0);
	buf[len] = 0xc0;
	assert_int_equal(beacon_decode(buf, len + 1, &d), BAL_EPROTO);
	buf[1] = 2;
	assert_int_equal(beacon_decode(buf, len, &d), BAL_EVERSION);
	/* Port 0 is neither written nor read. */
	b.port = 0;
	assert_int_equal(beacon_encode(&b, buf, &len), BAL_EINVAL);
	/* [1, bin32, 0, 0] by hand; then a port above 65535. */
	len = 0;
	buf[len++] = 0x94;
	buf[len++] = 0x01;
	buf[len++] = 0xc4; buf[len++] = 32; memset(buf + len, 1, 32); len += 32;
	buf[len++] = 0x00;
	buf[len++] = 0x00;
	assert_int_equal(beacon_decode(buf, len, &d), BAL_EPROTO);
	len -= 2;
	buf[len++] = 0xce; buf[len++] = 0; buf[len++] = 1; buf[len++] = 0;
	buf[len++] = 0;
	buf[len++] = 0x00;
	assert_int_not_equal(beacon_decode(buf, len, &d), 0);
}

static void
test_datagram(void **state)
{
	uint8_t key[32], key2[32], a[BEACON_MAX_BYTES], c[BEACON_MAX_BYTES];
	struct beacon b, d;
	size_t alen, clen, i, same = 0;

	(void)state;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(key2, sizeof(key2));
	sample(&b);
	assert_int_equal(beacon_seal(key, &b, a, &alen), 0);
	/* The same length for every port >= 256 and time >= 2^32 ms. */
	assert_int_equal(alen, 88);
	assert_int_equal(beacon_open(key, a, alen, &d), 0);
	assert_memory_equal(d.member, b.member, 32);
	assert_int_equal(d.port, b.port);
	assert_int_equal(beacon_open(key2, a, alen, &d), BAL_ECRYPTO);
	for (i = 0; i < alen; i++) {
		a[i] ^= 0x01;
		assert_int_equal(beacon_open(key, a, alen, &d), BAL_ECRYPTO);
		a[i] ^= 0x01;
	}
	for (i = 0; i < alen; i++)
		assert_int_not_equal(beacon_open(key, a, i, &d), 0);
	/* Nothing stable: the same beacon again shares few bytes by chance. */
	assert_int_equal(beacon_seal(key, &b, c, &clen), 0);
	assert_int_equal(clen, alen);
	for (i = 0; i < alen; i++)
		same += a[i] == c[i];
	assert_true(same < 8);
	/* Too long a datagram is refused before any work. */
	assert_int_equal(beacon_open(key, a, BEACON_MAX_BYTES + 1, &d),
	    BAL_EPROTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_vector),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_datagram),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
