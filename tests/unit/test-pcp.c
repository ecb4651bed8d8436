/*
 * test-pcp.c — PCP MAP messages (proto/pcp.c, RFC 6887): the request's
 * bytes exactly as docs/protocol.md shows them; a response read back
 * with every field; another request's answer, a short, long, unaligned or
 * truncated-option datagram refused; a NAT-PMP server's answer told
 * apart (version); a success that maps nothing refused.  The epoch
 * check of RFC 6887 §8.5 on a fake clock: a router that rebooted (its
 * epoch went back, or moved too little or too much for the time passed)
 * is told from one whose answers came reordered or late.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "bal.h"
#include "pcp.h"

static void
sample(struct pcp_map *m)
{
	static const uint8_t client[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff, 192, 168, 1, 10 };
	size_t i;

	memset(m, 0, sizeof(*m));
	m->lifetime = 3600;
	memcpy(m->client, client, 16);
	for (i = 0; i < PCP_NONCE_BYTES; i++)
		m->nonce[i] = (uint8_t)(0xa0 + i);
	m->protocol = PCP_PROTO_TCP;
	m->internal_port = 7451;
	m->external_port = 7451;
	m->external[10] = m->external[11] = 0xff;
}

static void
test_request_bytes(void **state)
{
	static const uint8_t want[PCP_MAP_BYTES] = {
		0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 10,
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
		0xaa, 0xab,
		0x06, 0x00, 0x00, 0x00, 0x1d, 0x1b, 0x1d, 0x1b,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0,
	};
	struct pcp_map m;
	uint8_t out[PCP_MAP_BYTES];

	(void)state;
	sample(&m);
	assert_int_equal(pcp_map_request(&m, out), 0);
	assert_memory_equal(out, want, sizeof(want));
	m.internal_port = 0;
	assert_int_equal(pcp_map_request(&m, out), BAL_EINVAL);
	sample(&m);
	m.protocol = 0;
	assert_int_equal(pcp_map_request(&m, out), BAL_EINVAL);
}

/* The server's answer to m: assigned port, address, lifetime. */
static size_t
answer(const struct pcp_map *m, uint8_t *buf, unsigned result,
    uint32_t lifetime, uint16_t port)
{
	assert_int_equal(pcp_map_request(m, buf), 0);
	buf[1] = 0x81;
	buf[3] = (uint8_t)result;
	buf[4] = (uint8_t)(lifetime >> 24);
	buf[5] = (uint8_t)(lifetime >> 16);
	buf[6] = (uint8_t)(lifetime >> 8);
	buf[7] = (uint8_t)lifetime;
	memset(buf + 8, 0, 16);
	buf[11] = 42;			/* epoch */
	buf[42] = (uint8_t)(port >> 8);
	buf[43] = (uint8_t)port;
	buf[56] = 11, buf[57] = 0, buf[58] = 0, buf[59] = 1;
	return PCP_MAP_BYTES;
}

static void
test_response(void **state)
{
	struct pcp_map m, r;
	uint8_t buf[PCP_MAX_BYTES + 4];
	size_t n;

	(void)state;
	sample(&m);
	n = answer(&m, buf, 0, 120, 20001);
	assert_int_equal(pcp_map_response(buf, n, &m, &r), 0);
	assert_int_equal(r.result, 0);
	assert_int_equal(r.lifetime, 120);
	assert_int_equal(r.epoch, 42);
	assert_int_equal(r.external_port, 20001);
	assert_int_equal(r.external[15], 1);
	assert_int_equal(r.external[12], 11);
	/* An error answer is read too; its result says which. */
	n = answer(&m, buf, PCP_R_NOT_AUTHORIZED, 30, 0);
	assert_int_equal(pcp_map_response(buf, n, &m, &r), 0);
	assert_int_equal(r.result, PCP_R_NOT_AUTHORIZED);
	assert_string_equal(pcp_result_text(r.result), "not authorized");
	assert_string_equal(pcp_result_text(200), "unknown result");
	/* With an option (THIRD_PARTY-like: 16 bytes) after the MAP data. */
	n = answer(&m, buf, 0, 120, 7451);
	buf[60] = 1, buf[61] = 0, buf[62] = 0, buf[63] = 16;
	memset(buf + 64, 0, 16);
	assert_int_equal(pcp_map_response(buf, 80, &m, &r), 0);
	/* An option longer than what is left. */
	buf[63] = 17;
	assert_int_equal(pcp_map_response(buf, 80, &m, &r), BAL_EPROTO);
	/* An option header with no room for its data. */
	assert_int_equal(pcp_map_response(buf, 64, &m, &r), BAL_EPROTO);
	buf[63] = 0;
	assert_int_equal(pcp_map_response(buf, 64, &m, &r), 0);
	/* Two options: 16 bytes of data, then an empty one. */
	buf[63] = 16;
	memset(buf + 80, 0, 4);
	assert_int_equal(pcp_map_response(buf, 84, &m, &r), 0);
	(void)n;
}

static void
test_refused(void **state)
{
	struct pcp_map m, r, other;
	uint8_t buf[PCP_MAX_BYTES + 8];
	size_t n;

	(void)state;
	sample(&m);
	n = answer(&m, buf, 0, 120, 7451);
	assert_int_equal(pcp_map_response(buf, n - 4, &m, &r), BAL_EPROTO);
	assert_int_equal(pcp_map_response(buf, n + 2, &m, &r), BAL_EPROTO);
	memset(buf + n, 0, PCP_MAX_BYTES + 4 - n);
	assert_int_equal(pcp_map_response(buf, PCP_MAX_BYTES + 4, &m, &r),
	    BAL_EPROTO);
	/* Another request's answer: nonce, protocol, internal port. */
	other = m;
	other.nonce[5] ^= 1;
	assert_int_equal(pcp_map_response(buf, n, &other, &r), BAL_EPROTO);
	other = m;
	other.protocol = 17;
	assert_int_equal(pcp_map_response(buf, n, &other, &r), BAL_EPROTO);
	other = m;
	other.internal_port = 7452;
	assert_int_equal(pcp_map_response(buf, n, &other, &r), BAL_EPROTO);
	/* Our own request echoed (R = 0), another opcode (PEER). */
	buf[1] = 0x01;
	assert_int_equal(pcp_map_response(buf, n, &m, &r), BAL_EPROTO);
	buf[1] = 0x82;
	assert_int_equal(pcp_map_response(buf, n, &m, &r), BAL_EPROTO);
	/* A success that maps nothing. */
	n = answer(&m, buf, 0, 0, 7451);
	assert_int_equal(pcp_map_response(buf, n, &m, &r), BAL_EPROTO);
	n = answer(&m, buf, 0, 60, 0);
	assert_int_equal(pcp_map_response(buf, n, &m, &r), BAL_EPROTO);
	/* ... but a deletion's answer has lifetime 0. */
	other = m;
	other.lifetime = 0;
	n = answer(&m, buf, 0, 0, 0);
	assert_int_equal(pcp_map_response(buf, n, &other, &r), 0);
}

static void
test_natpmp_server(void **state)
{
	/* A NAT-PMP server's answer to opcode 1: version 0, 0x81, result 1. */
	static const uint8_t natpmp[8] = { 0, 0x81, 0, 1, 0, 0, 0, 5 };
	struct pcp_map m, r;
	uint8_t buf[PCP_MAP_BYTES];

	(void)state;
	sample(&m);
	assert_int_equal(pcp_map_response(natpmp, sizeof(natpmp), &m, &r),
	    BAL_EVERSION);
	assert_int_equal(pcp_map_response(natpmp, 3, &m, &r), BAL_EPROTO);
	/* Version 3 is not older: refused, not a fallback. */
	answer(&m, buf, 0, 60, 1);
	buf[0] = 3;
	assert_int_equal(pcp_map_response(buf, sizeof(buf), &m, &r),
	    BAL_EPROTO);
}

/* Seconds of the fake client clock (any start: only deltas count). */
#define C0 5000000ULL

static void
test_epoch_steady(void **state)
{
	struct pcp_epoch e;
	uint64_t t;

	(void)state;
	memset(&e, 0, sizeof(e));
	/* The first answer is valid whatever it says. */
	assert_int_equal(pcp_epoch_check(&e, 7000, C0), 1);
	assert_int_equal(e.seen, 1);
	assert_int_equal(e.server, 7000);
	/* Renewals every 1800 s, both clocks moving alike: valid. */
	for (t = 1; t <= 48; t++)
		assert_int_equal(pcp_epoch_check(&e, (uint32_t)(7000 + t * 1800),
		    C0 + t * 1800), 1);
	/* Two quantised clocks: 2 s either way is still valid. */
	assert_int_equal(pcp_epoch_check(&e, e.server + 12, e.client_s + 10),
	    1);
	assert_int_equal(pcp_epoch_check(&e, e.server + 10, e.client_s + 12),
	    1);
	/* Reordered answers: back by one second is not a reboot. */
	assert_int_equal(pcp_epoch_check(&e, e.server - 1, e.client_s), 1);
	/* A router clock 1/16 slow over an hour: valid (3600 - 225). */
	assert_int_equal(pcp_epoch_check(&e, e.server + 3375, e.client_s +
	    3600), 1);
	/* This machine's clock stepping back counts as no time passed. */
	assert_int_equal(pcp_epoch_check(&e, e.server, e.client_s - 100), 1);
}

/* A fresh record: an answer of epoch s0, then one of s1 dt s later. */
static int
two_answers(uint32_t s0, uint32_t s1, uint64_t dt)
{
	struct pcp_epoch e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(pcp_epoch_check(&e, s0, C0), 1);
	return pcp_epoch_check(&e, s1, C0 + dt);
}

static void
test_epoch_lost(void **state)
{
	struct pcp_epoch e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(pcp_epoch_check(&e, 90000, C0), 1);
	/* The router rebooted: its epoch went back (2 s and more). */
	assert_int_equal(pcp_epoch_check(&e, 89998, C0 + 1), 0);
	/* The new epoch is kept: the next answer counts from it. */
	assert_int_equal(e.server, 89998);
	assert_int_equal(e.client_s, C0 + 1);
	assert_int_equal(pcp_epoch_check(&e, 91798, C0 + 1801), 1);
	/* Rebooted between two renewals, and up longer than it was down
	 * for: its epoch moved on, but less than the 1800 s passed. */
	assert_int_equal(pcp_epoch_check(&e, 91798 + 1000, C0 + 3601), 0);
	/* Moved more than the time passed allows (1800 + 2 + 1923/16). */
	assert_int_equal(two_answers(100, 100 + 1923, 1800), 0);
	assert_int_equal(two_answers(100, 100 + 1922, 1800), 1);
	/* The bound the other way, exactly: 1800 - 112 - 2 = 1686. */
	assert_int_equal(two_answers(100, 100 + 1685, 1800), 0);
	assert_int_equal(two_answers(100, 100 + 1686, 1800), 1);
	/* Epoch 0xffffffff then 0 (a reboot, not a wrap): invalid. */
	assert_int_equal(two_answers(0xffffffffu, 0, 5), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_bytes),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_natpmp_server),
		cmocka_unit_test(test_epoch_steady),
		cmocka_unit_test(test_epoch_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
