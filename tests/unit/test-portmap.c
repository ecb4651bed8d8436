/*
 * test-portmap.c — the announce gap of port mapping (portmap_gap,
 * daemon/net/portmap.c) on a fake clock: the first change of the mapped
 * address is announced at once, every later one at most once per
 * PORTMAP_ANNOUNCE_GAP_S (600 s), a change within the gap at its end (not
 * lost), and a clock set back does not hold announces for hours.  What a
 * hostile gateway handing out a new port every second would cost: one
 * announce per ten minutes, not one per renewal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "portmap-int.h"

#define T0 1800000000000ULL	/* 2027-01-15, in ms */
#define GAP_MS (PORTMAP_ANNOUNCE_GAP_S * 1000ULL)

static void
test_first_at_once(void **state)
{
	struct pm_gap g;
	uint64_t wait_s = 99;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(PORTMAP_ANNOUNCE_GAP_S, 600);
	/* Nothing changed, nothing waiting: no announce. */
	assert_int_equal(portmap_gap(&g, T0, 0, &wait_s), 0);
	assert_int_equal(wait_s, 0);
	assert_int_equal(portmap_gap(&g, T0, 1, &wait_s), 1);
	assert_int_equal(wait_s, 0);
	assert_int_equal(g.due, 0);
}

static void
test_within_gap_waits(void **state)
{
	struct pm_gap g;
	uint64_t wait_s;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(portmap_gap(&g, T0, 1, &wait_s), 1);
	/* A new port 1 s later: waits the rest of the ten minutes. */
	assert_int_equal(portmap_gap(&g, T0 + 1000, 1, &wait_s), 0);
	assert_int_equal(wait_s, 599);
	assert_int_equal(g.due, 1);
	/* Changes every second for the whole gap: still none announced. */
	for (uint64_t t = 2; t < 600; t++) {
		assert_int_equal(portmap_gap(&g, T0 + t * 1000, 1, &wait_s),
		    0);
		assert_int_equal(wait_s, 600 - t);
	}
	/* 1 ms before its end: wait a second more (rounded up, never 0). */
	assert_int_equal(portmap_gap(&g, T0 + GAP_MS - 1, 0, &wait_s), 0);
	assert_int_equal(wait_s, 1);
	/* At its end the waiting change goes out with no new change. */
	assert_int_equal(portmap_gap(&g, T0 + GAP_MS, 0, &wait_s), 1);
	assert_int_equal(g.due, 0);
	assert_int_equal(g.announced_ms, T0 + GAP_MS);
	/* And the next gap starts there. */
	assert_int_equal(portmap_gap(&g, T0 + GAP_MS + 5000, 1, &wait_s), 0);
	assert_int_equal(wait_s, 595);
}

static void
test_after_gap_at_once(void **state)
{
	struct pm_gap g;
	uint64_t wait_s;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(portmap_gap(&g, T0, 1, &wait_s), 1);
	/* Quiet for over ten minutes: the next change goes out at once. */
	assert_int_equal(portmap_gap(&g, T0 + GAP_MS + 1, 1, &wait_s), 1);
	assert_int_equal(wait_s, 0);
	/* Nothing waiting and nothing changed: no announce, no wait. */
	assert_int_equal(portmap_gap(&g, T0 + 3 * GAP_MS, 0, &wait_s), 0);
	assert_int_equal(wait_s, 0);
}

/* One renewal a second for an hour (a hostile gateway): 6 announces. */
static void
test_hostile_hour(void **state)
{
	struct pm_gap g;
	uint64_t wait_s, t, next = 0;
	unsigned n = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	for (t = 0; t < 3600; t++) {
		if (portmap_gap(&g, T0 + t * 1000, 1, &wait_s)) {
			n++;
			assert_true(t >= next);
			next = t + 600;
		}
	}
	assert_int_equal(n, 6);
}

static void
test_clock_set_back(void **state)
{
	struct pm_gap g;
	uint64_t wait_s;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(portmap_gap(&g, T0, 1, &wait_s), 1);
	/* The wall clock steps back an hour: not held until T0 + 600 s. */
	assert_int_equal(portmap_gap(&g, T0 - 3600 * 1000ULL, 1, &wait_s), 1);
	assert_int_equal(g.announced_ms, T0 - 3600 * 1000ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_at_once),
		cmocka_unit_test(test_within_gap_waits),
		cmocka_unit_test(test_after_gap_at_once),
		cmocka_unit_test(test_hostile_hour),
		cmocka_unit_test(test_clock_set_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
