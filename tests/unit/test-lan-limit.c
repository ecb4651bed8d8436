/*
 * test-lan-limit.c — LAN discovery's caps (daemon/net/lan-limit.c,
 * docs/protocol.md "LAN discovery") on a clock the test turns: at most 8
 * rounds and 128 beacons in any 60 s, however they bunch (a burst of
 * interface changes, many groups on many interfaces), windows that slide
 * rather than restart each minute, and the receive buckets: 8 a second
 * (bursts of 32) for each source (an IPv4 address, an IPv6 /64, or a
 * member's exact address), the last 64 sources kept, inside 32 a second
 * (bursts of 64) for all, the last 16 for members' sources only; a host
 * flooding junk leaves room for another's beacons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lan-limit.h"

#define T0 1000000ull		/* the loop's clock does not start at 0 */

/* How many of n tries at now f allows. */
static unsigned
tries(struct lan_limit *l, int (*f)(struct lan_limit *, uint64_t),
    uint64_t now, unsigned n)
{
	unsigned ok = 0;

	while (n-- > 0)
		ok += (unsigned)f(l, now);
	return ok;
}

/* The IPv4 source address 10.0.x.y of number i. */
static void
src_of(unsigned i, uint8_t a[4])
{
	a[0] = 10;
	a[1] = 0;
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

/* How many of n datagrams from source number i at now may be examined. */
static unsigned
rx(struct lan_limit *l, unsigned i, uint64_t now, unsigned n)
{
	uint8_t a[4];
	unsigned ok = 0;

	src_of(i, a);
	while (n-- > 0)
		ok += lan_limit_rx(l, now, a, sizeof(a)) == LAN_RX_OK;
	return ok;
}

/* What lan_limit_rx says of one datagram from source number i at now. */
static enum lan_rx
rx1(struct lan_limit *l, unsigned i, uint64_t now)
{
	uint8_t a[4];

	src_of(i, a);
	return lan_limit_rx(l, now, a, sizeof(a));
}

/* A burst of 50 changes at once: 8 rounds, then none for 60 s. */
static void
test_rounds_burst(void **state)
{
	struct lan_limit l;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(tries(&l, lan_limit_round, T0, 50), 8);
	assert_int_equal(tries(&l, lan_limit_round, T0 + 59999, 5), 0);
	assert_int_equal(tries(&l, lan_limit_round, T0 + 60000, 50), 8);
}

/*
 * A change every 5 s (the interface check's period) for 10 minutes: never
 * more than 8 rounds in any 60 s, and 8 in each of the minutes (the cap
 * delays, it does not stop).
 */
static void
test_rounds_every_check(void **state)
{
	struct lan_limit l;
	uint64_t at[200], t;
	size_t n = 0, i, j, in;

	(void)state;
	lan_limit_init(&l, T0);
	for (t = T0; t < T0 + 600000; t += 5000)
		if (lan_limit_round(&l, t))
			at[n++] = t;
	assert_int_equal(n, 80);
	for (i = 0; i < n; i++) {
		for (in = 0, j = i; j < n && at[j] < at[i] + 60000; j++)
			in++;
		assert_true(in <= LAN_ROUNDS_PER_MIN);
	}
}

/* 16 groups on 16 interface addresses in one round: 128 beacons go. */
static void
test_beacons_burst(void **state)
{
	struct lan_limit l;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(tries(&l, lan_limit_beacon, T0, 256), 128);
	assert_int_equal(tries(&l, lan_limit_beacon, T0 + 30000, 10), 0);
	assert_int_equal(tries(&l, lan_limit_beacon, T0 + 60000, 256), 128);
}

/*
 * 64 at 0 s and 64 at 30 s: at 60 s only the first 64 have left the
 * window, so 64 may go, not 128 (a window restarted each minute would let
 * 192 out between 30 s and 90 s).
 */
static void
test_beacons_slide(void **state)
{
	struct lan_limit l;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(tries(&l, lan_limit_beacon, T0, 64), 64);
	assert_int_equal(tries(&l, lan_limit_beacon, T0 + 30000, 64), 64);
	assert_int_equal(tries(&l, lan_limit_beacon, T0 + 60000, 200), 64);
	assert_int_equal(tries(&l, lan_limit_beacon, T0 + 89999, 10), 0);
	assert_int_equal(tries(&l, lan_limit_beacon, T0 + 90000, 200), 64);
}

/* A clock that steps back opens no window. */
static void
test_clock_back(void **state)
{
	struct lan_limit l;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(tries(&l, lan_limit_round, T0, 8), 8);
	assert_int_equal(tries(&l, lan_limit_round, T0 - 500000, 8), 0);
	assert_int_equal(rx(&l, 1, T0, 100), 32);
	assert_int_equal(rx(&l, 1, T0 - 500000, 10), 0);
}

/* One source: a burst of 32, then 8 a second; a long quiet refills 32. */
static void
test_rx_source_bucket(void **state)
{
	struct lan_limit l;
	uint64_t t;
	unsigned got = 0;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(rx(&l, 1, T0, 400), 32);
	assert_int_equal(rx1(&l, 1, T0 + 30), LAN_RX_SOURCE);
	assert_int_equal(rx(&l, 1, T0 + 1000, 400), 8);
	/* A flood every millisecond for 10 s: 80 examined. */
	for (t = T0 + 1001; t <= T0 + 11000; t++)
		got += rx(&l, 1, t, 3);
	assert_int_equal(got, 80);
	assert_int_equal(rx(&l, 1, T0 + 3600000, 400), 32);
}

/*
 * Host 1 floods junk, 3 datagrams a millisecond for 10 s; host 2 beacons
 * twice a second (an honest sender sends fewer): every beacon of host 2's
 * is examined, and host 1 gets no more than its own share.  (With one
 * bucket for all, as before, host 1 took nearly every token and host 2's
 * beacons went unexamined.)
 */
static void
test_rx_flood_leaves_room(void **state)
{
	struct lan_limit l;
	uint64_t t;
	unsigned junk = 0, beacons = 0, sent = 0;

	(void)state;
	lan_limit_init(&l, T0);
	for (t = T0; t < T0 + 10000; t++) {
		junk += rx(&l, 1, t, 3);
		if ((t - T0) % 500 == 250) {
			beacons += rx(&l, 2, t, 1);
			sent++;
		}
	}
	assert_int_equal(sent, 20);
	assert_int_equal(beacons, 20);
	assert_int_equal(junk, 32 + 80 - 1);	/* the burst, 8 a second */
}

/*
 * A flood from ever new (spoofed) sources, each with a full bucket of its
 * own: all sources together still get 64 at once less the 16 kept for
 * members' sources, then 32 a second.
 */
static void
test_rx_global_cap(void **state)
{
	struct lan_limit l;
	uint64_t t;
	unsigned got = 0, i = 0, k;

	(void)state;
	lan_limit_init(&l, T0);
	for (k = 0; k < 64 - LAN_RX_RESERVE; k++)
		assert_int_equal(rx1(&l, 1000 + k, T0), LAN_RX_OK);
	assert_int_equal(rx1(&l, 2000, T0), LAN_RX_ALL);
	assert_int_equal(rx1(&l, 1, T0 + 10), LAN_RX_ALL);
	lan_limit_init(&l, T0);
	for (t = T0; t <= T0 + 10000; t++)
		for (k = 0; k < 3; k++)
			got += rx(&l, i++ % 1000, t, 1);
	assert_int_equal(got, 64 - LAN_RX_RESERVE + 320);
	assert_true(l.nsrc <= LAN_RX_SOURCES);
}

/*
 * The table holds 64 sources; a new one takes the place of the one heard
 * longest ago.  Source 1 empties its bucket, 2 the global one (down to
 * the members' reserve), 62 more fill the table, source 1 is heard again:
 * a newcomer pushes out source 2, which comes back, while source 1 is
 * still kept empty.
 */
static void
test_rx_table_full(void **state)
{
	struct lan_limit l;
	unsigned k;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(rx(&l, 1, T0, 32), 32);
	assert_int_equal(rx1(&l, 1, T0), LAN_RX_SOURCE);
	assert_int_equal(rx(&l, 2, T0, 32), 32 - LAN_RX_RESERVE);
	assert_int_equal(rx1(&l, 2, T0), LAN_RX_ALL);	/* the reserve */
	for (k = 0; k < 62; k++)		/* the global bucket is empty */
		assert_int_equal(rx1(&l, 100 + k, T0), LAN_RX_ALL);
	assert_int_equal(l.nsrc, LAN_RX_SOURCES);
	/* 100 ms later: 3.2 tokens for all, 0.8 for 1 and 2 (kept). */
	assert_int_equal(rx1(&l, 1, T0 + 100), LAN_RX_SOURCE);
	assert_int_equal(rx1(&l, 500, T0 + 100), LAN_RX_OK);	/* out: 2 */
	assert_int_equal(rx1(&l, 2, T0 + 100), LAN_RX_OK);	/* out: 100 */
	assert_int_equal(rx1(&l, 1, T0 + 100), LAN_RX_SOURCE);
	assert_int_equal(l.nsrc, LAN_RX_SOURCES);
	/* 64 newcomers push out every source, 1 too: it starts full. */
	for (k = 0; k < 64; k++)
		(void)rx1(&l, 600 + k, T0 + 200);
	assert_int_equal(rx1(&l, 1, T0 + 2000), LAN_RX_OK);
	/* An IPv6 source is another key than any IPv4 one. */
	{
		uint8_t a6[16];

		memset(a6, 0, sizeof(a6));
		a6[0] = 0xfd;
		assert_int_equal(lan_limit_rx(&l, T0 + 2000, a6, 16),
		    LAN_RX_OK);
	}
}

/*
 * The IPv6 source number i of a flood: in the /64 fe80:: (the honest
 * member's own link-local prefix) when same, else in /64 number i of
 * 2001:db8::/32 when spread (spoofed), else in 2001:db8:1::/64.
 */
static void
src6_of(unsigned i, int same, int spread, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = same ? 0xfe : 0x20;
	a[1] = same ? 0x80 : 0x01;
	if (!same) {
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = spread ? 0 : 1;
		a[6] = spread ? (uint8_t)(i >> 8) : 0;
		a[7] = spread ? (uint8_t)i : 0;
	}
	a[14] = 0x42;
	a[15] = (uint8_t)i;
}

/*
 * review3 L1: one host floods 2 datagrams a millisecond for 10 s,
 * rotating over n addresses; a member at fe80::1 beacons twice a second
 * (known: a beacon of its opened before).  Returns how many of its 20
 * beacons are examined.
 */
static unsigned
flood6(unsigned n, int same, int spread, int known)
{
	static const uint8_t honest[16] = { 0xfe, 0x80, [15] = 1 };
	struct lan_limit l;
	uint8_t a[16];
	unsigned ok = 0, k, i = 0;
	uint64_t t;

	lan_limit_init(&l, T0);
	if (known)
		lan_limit_known(&l, T0, honest, 16);
	for (t = T0; t < T0 + 10000; t++) {
		for (k = 0; k < 2; k++) {
			src6_of(i++ % n, same, spread, a);
			(void)lan_limit_rx(&l, t, a, 16);
		}
		if ((t - T0) % 500 == 250)
			ok += lan_limit_rx(&l, t, honest, 16) == LAN_RX_OK;
	}
	return ok;
}

/*
 * Every address of a /64 is one source (with a bucket per address, 4
 * addresses took every token: 0 of 20 beacons examined); a member
 * already heard keeps the global's reserve, whether the flood comes from
 * its own /64 (the link's: it shares that bucket until heard) or from
 * ever new /64s (spoofed: then only the global cap holds).  A member not
 * yet heard waits out a flood from its own /64 or from many.
 */
static void
test_rx_ipv6_prefix_and_reserve(void **state)
{
	(void)state;
	assert_int_equal(flood6(100, 0, 0, 0), 20);
	assert_int_equal(flood6(4, 0, 0, 0), 20);
	assert_int_equal(flood6(100, 1, 0, 1), 20);
	assert_int_equal(flood6(1000, 0, 1, 1), 20);
	assert_int_equal(flood6(100, 1, 0, 0), 0);
	assert_int_equal(flood6(1000, 0, 1, 0), 0);
}

/*
 * Members' sources are at most 32 of the 64 kept, and only a member's
 * pushes out a member's: 1000 unknown sources leave member 1 kept.
 */
static void
test_rx_known_kept(void **state)
{
	struct lan_limit l;
	uint8_t a[4];
	unsigned k, known = 0;

	(void)state;
	lan_limit_init(&l, T0);
	src_of(1, a);
	lan_limit_known(&l, T0, a, 4);
	for (k = 0; k < 1000; k++)
		(void)rx1(&l, 100 + k, T0 + k);
	for (k = 0; k < l.nsrc; k++)
		known += l.src[k].known;
	assert_int_equal(known, 1);
	for (k = 0; k < 100; k++) {
		src_of(2000 + k, a);
		lan_limit_known(&l, T0 + 2000, a, 4);
	}
	for (known = 0, k = 0; k < l.nsrc; k++)
		known += l.src[k].known;
	assert_int_equal(known, LAN_RX_KNOWN);
	assert_int_equal(l.nsrc, LAN_RX_SOURCES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounds_burst),
		cmocka_unit_test(test_rounds_every_check),
		cmocka_unit_test(test_beacons_burst),
		cmocka_unit_test(test_beacons_slide),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_rx_source_bucket),
		cmocka_unit_test(test_rx_flood_leaves_room),
		cmocka_unit_test(test_rx_global_cap),
		cmocka_unit_test(test_rx_table_full),
		cmocka_unit_test(test_rx_ipv6_prefix_and_reserve),
		cmocka_unit_test(test_rx_known_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
