/*
 * test-punch-tried.c — how often hole punching tries a member again
 * (punch_may, daemon/net/punch.c; docs/protocol.md "Hole punching"), on a
 * clock the test turns: a minute after the first attempt, then twice as
 * long after each (at most an hour), afresh once a direct session came
 * (punch_tried_reset); the answer gap never grows; a full table evicts
 * only a member whose wait is over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "punch-int.h"

#define T0 1000000ull		/* the loop's clock does not start at 0 */

static const uint8_t group[BAL_GROUP_ID_BYTES] = { 1 };

static void
test_backoff(void **state)
{
	struct tried tab[PUNCH_TRIED];
	uint8_t m[BAL_PK_BYTES] = { 7 };
	uint64_t now = T0, want = PUNCH_RETRY_MS;
	size_t n = 0;
	int i;

	(void)state;
	assert_true(punch_may(tab, &n, group, m, now, PUNCH_RETRY_MS, 1));
	assert_int_equal(n, 1);
	/* 60 s, then 120, 240 ... and never more than an hour. */
	for (i = 0; i < 12; i++) {
		assert_int_equal(punch_tried_left(tab, n, group, m, now), want);
		assert_false(punch_may(tab, &n, group, m, now + want - 1,
		    PUNCH_RETRY_MS, 1));
		now += want;
		assert_true(punch_may(tab, &n, group, m, now, PUNCH_RETRY_MS,
		    1));
		want = want * 2 > PUNCH_RETRY_MAX_MS ? PUNCH_RETRY_MAX_MS :
		    want * 2;
	}
	assert_int_equal(punch_tried_left(tab, n, group, m, now),
	    PUNCH_RETRY_MAX_MS);
	/* A direct session came: the next attempt waits a minute again. */
	punch_tried_reset(tab, n, group, m);
	now += PUNCH_RETRY_MAX_MS;
	assert_true(punch_may(tab, &n, group, m, now, PUNCH_RETRY_MS, 1));
	assert_int_equal(punch_tried_left(tab, n, group, m, now),
	    PUNCH_RETRY_MS);
	assert_int_equal(n, 1);
}

/* The answer gap (grow 0): one a second, however many come. */
static void
test_answer_gap(void **state)
{
	struct tried tab[PUNCH_TRIED];
	uint8_t m[BAL_PK_BYTES] = { 9 };
	uint64_t now = T0;
	size_t n = 0;
	int i, ok = 0;

	(void)state;
	for (i = 0; i < 100; i++, now += 100)	/* 10 s, 10 a second */
		ok += punch_may(tab, &n, group, m, now, PUNCH_ANSWER_GAP_MS,
		    0);
	assert_int_equal(ok, 10);
}

/* A full table: a running wait is never evicted, an expired one is. */
static void
test_full(void **state)
{
	struct tried tab[PUNCH_TRIED];
	uint8_t m[BAL_PK_BYTES];
	uint64_t now = T0;
	size_t n = 0;
	int i;

	(void)state;
	memset(m, 0, sizeof(m));
	for (i = 0; i < PUNCH_TRIED; i++) {
		m[0] = (uint8_t)i;
		assert_true(punch_may(tab, &n, group, m, now + (uint64_t)i,
		    PUNCH_RETRY_MS, 1));
	}
	m[0] = 200;
	assert_false(punch_may(tab, &n, group, m, now + PUNCH_RETRY_MS - 1,
	    PUNCH_RETRY_MS, 1));
	assert_true(punch_may(tab, &n, group, m, now + PUNCH_RETRY_MS,
	    PUNCH_RETRY_MS, 1));
	assert_int_equal(n, PUNCH_TRIED);
	/* The evicted one (member 0) starts afresh: a minute. */
	m[0] = 0;
	assert_true(punch_may(tab, &n, group, m, now + PUNCH_RETRY_MS + 1,
	    PUNCH_RETRY_MS, 1));
	assert_int_equal(punch_tried_left(tab, n, group, m,
	    now + PUNCH_RETRY_MS + 1), PUNCH_RETRY_MS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_answer_gap),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
