/*
 * test-pick.c — the choice of dial targets (daemon/net/peer-pick.c,
 * docs/protocol.md "Dial targets"): typed addresses always, then members'
 * announced addresses in rounds across members, the ones that worked last
 * first, at most a few per member; one member's flood of addresses never
 * takes another member's place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peer-pick.h"

#define MAXC 512

static struct peer_cand c[MAXC];
static size_t n;

static void
reset(void)
{
	memset(c, 0, sizeof(c));
	n = 0;
}

/* An announced address of member m (0: typed, no member), ord, ok_ms. */
static void
add(int m, const char *addr, unsigned ord, uint64_t ok_ms)
{
	struct peer_cand *p = &c[n++];

	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	if (m > 0) {
		memset(p->member, m, BAL_PK_BYTES);
		p->has_member = 1;
	} else {
		p->typed = 1;
	}
	p->ord = ord;
	p->ok_ms = ok_ms;
}

/* How many of the first k picks belong to member m. */
static size_t
count_of(size_t k, int m)
{
	size_t i, got = 0;

	for (i = 0; i < k; i++)
		if (c[i].has_member && c[i].member[0] == m)
			got++;
	return got;
}

/* The flood of issue 12: many addresses that sort first, from one member. */
static void
test_flood_keeps_others(void **state)
{
	char a[64];
	size_t k, i;

	(void)state;
	reset();
	for (i = 0; i < 200; i++) {
		snprintf(a, sizeof(a), "127.0.0.10:%zu", i + 1);
		add(9, a, (unsigned)i, 0);
	}
	add(2, "127.0.0.1:40000", 0, 0);
	add(3, "127.0.0.1:40001", 0, 0);
	k = peer_pick(c, n, 8, 4);
	assert_int_equal(k, 6);		/* 4 of the flood, bob, carol */
	assert_int_equal(count_of(k, 9), 4);
	assert_int_equal(count_of(k, 2), 1);
	assert_int_equal(count_of(k, 3), 1);
	/* Round 0 holds one address of each member. */
	assert_int_equal(count_of(3, 9), 1);
	assert_int_equal(count_of(3, 2), 1);
	assert_int_equal(count_of(3, 3), 1);
	/* With room for 2 only: two different members. */
	reset();
	for (i = 0; i < 64; i++) {
		snprintf(a, sizeof(a), "127.0.0.10:%zu", i + 1);
		add(1, a, (unsigned)i, 0);
	}
	add(2, "127.0.0.1:40000", 0, 0);
	k = peer_pick(c, n, 2, 4);
	assert_int_equal(k, 2);
	assert_int_equal(count_of(k, 1), 1);
	assert_int_equal(count_of(k, 2), 1);
}

/* Typed addresses come first, whatever worked. */
static void
test_typed_first(void **state)
{
	size_t k;

	(void)state;
	reset();
	add(2, "192.0.2.2:7000", 0, 5000);
	add(0, "192.0.2.9:7000", 0, 0);
	add(3, "192.0.2.3:7000", 0, 0);
	k = peer_pick(c, n, 64, 4);
	assert_int_equal(k, 3);
	assert_true(c[0].typed);
	assert_string_equal(c[0].addr, "192.0.2.9:7000");
	/* Then the member whose session came up last. */
	assert_string_equal(c[1].addr, "192.0.2.2:7000");
	assert_string_equal(c[2].addr, "192.0.2.3:7000");
}

/* Within a member: worked last first, then the announce's order. */
static void
test_worked_last_first(void **state)
{
	size_t k, i;

	(void)state;
	reset();
	add(4, "192.0.2.1:7000", 0, 0);
	add(4, "192.0.2.2:7000", 1, 100);
	add(4, "192.0.2.3:7000", 2, 900);
	add(4, "192.0.2.4:7000", 3, 0);
	add(4, "192.0.2.5:7000", 4, 0);
	k = peer_pick(c, n, 64, 4);
	assert_int_equal(k, 4);
	assert_string_equal(c[0].addr, "192.0.2.3:7000");
	assert_string_equal(c[1].addr, "192.0.2.2:7000");
	assert_string_equal(c[2].addr, "192.0.2.1:7000");
	assert_string_equal(c[3].addr, "192.0.2.4:7000");
	for (i = 0; i < k; i++)
		assert_int_equal(c[i].rank, i);
	/* The one beyond the cap is left at the end, not dialed. */
	assert_string_equal(c[4].addr, "192.0.2.5:7000");
}

/* Many members, a small cap: every member gets one before any gets two. */
static void
test_rounds_across_members(void **state)
{
	char a[64];
	size_t k, m, j;

	(void)state;
	reset();
	for (m = 1; m <= 40; m++)
		for (j = 0; j < 4; j++) {
			snprintf(a, sizeof(a), "192.0.2.%zu:%zu", m, 7000 + j);
			add((int)m, a, (unsigned)j, 0);
		}
	k = peer_pick(c, n, 64, 4);
	assert_int_equal(k, 64);
	for (m = 1; m <= 40; m++)
		assert_true(count_of(k, (int)m) >= 1);
	for (j = 0; j < 40; j++)
		assert_int_equal(c[j].rank, 0);
}

/* Nothing to pick; and the same input always gives the same output. */
static void
test_empty_and_stable(void **state)
{
	struct peer_cand first[8];
	size_t k;

	(void)state;
	reset();
	assert_int_equal(peer_pick(c, 0, 64, 4), 0);
	add(2, "192.0.2.2:1", 0, 0);
	add(3, "192.0.2.3:1", 0, 0);
	add(2, "192.0.2.2:2", 1, 0);
	add(0, "192.0.2.9:1", 0, 0);
	k = peer_pick(c, n, 64, 4);
	memcpy(first, c, sizeof(first));
	/* Reversed input, same picks in the same order. */
	reset();
	add(0, "192.0.2.9:1", 0, 0);
	add(2, "192.0.2.2:2", 1, 0);
	add(3, "192.0.2.3:1", 0, 0);
	add(2, "192.0.2.2:1", 0, 0);
	assert_int_equal(peer_pick(c, n, 64, 4), k);
	for (size_t i = 0; i < k; i++)
		assert_string_equal(c[i].addr, first[i].addr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_keeps_others),
		cmocka_unit_test(test_typed_first),
		cmocka_unit_test(test_worked_last_first),
		cmocka_unit_test(test_rounds_across_members),
		cmocka_unit_test(test_empty_and_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
