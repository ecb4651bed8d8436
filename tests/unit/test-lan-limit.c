/*
 * test-lan-limit.c — LAN discovery's caps (daemon/net/lan-limit.c,
 * docs/protocol.md "LAN discovery") on a clock the test turns: at most 8
 * rounds and 128 beacons in any 60 s, however they bunch (a burst of
 * interface changes, many groups on many interfaces), windows that slide
 * rather than restart each minute, and the receive bucket (32 a second,
 * bursts of 64).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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
	assert_int_equal(tries(&l, lan_limit_rx, T0, 100), 64);
	assert_int_equal(tries(&l, lan_limit_rx, T0 - 500000, 10), 0);
}

/* Received: a burst of 64, then 32 a second; a long quiet refills 64. */
static void
test_rx_bucket(void **state)
{
	struct lan_limit l;
	uint64_t t;
	unsigned got = 0;

	(void)state;
	lan_limit_init(&l, T0);
	assert_int_equal(tries(&l, lan_limit_rx, T0, 400), 64);
	assert_int_equal(tries(&l, lan_limit_rx, T0 + 30, 5), 0);
	assert_int_equal(tries(&l, lan_limit_rx, T0 + 1000, 400), 32);
	/* A flood every millisecond for 10 s: 320 examined. */
	for (t = T0 + 1001; t <= T0 + 11000; t++)
		got += tries(&l, lan_limit_rx, t, 3);
	assert_int_equal(got, 320);
	assert_int_equal(tries(&l, lan_limit_rx, T0 + 3600000, 400), 64);
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
		cmocka_unit_test(test_rx_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
