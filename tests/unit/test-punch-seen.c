/*
 * test-punch-seen.c — the SEEN reports (daemon/net/punch-seen.c,
 * docs/protocol.md "Over an onion session"): one report per member, and
 * the address a CALL names is the one the most members saw (ties: the
 * newest), so that one member's false SEEN neither replaces nor outvotes
 * what the others agree on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "punch-seen.h"

#define NOW 1800000000000ull		/* Unix ms */
#define DAY (24ull * 3600 * 1000)
#define WRITE (600ull * 1000)

static int
yes(const char *local)
{
	(void)local;
	return 1;
}

/* This machine has 192.168.1.5 only (it moved off 10.0.0.5). */
static int
here(const char *local)
{
	return strcmp(local, "192.168.1.5") == 0;
}

/* Every reporter a current member. */
static int
member(const uint8_t *pk, const void *arg)
{
	(void)pk;
	(void)arg;
	return 1;
}

/* Members whose number is not in the 0-terminated list arg (removed). */
static int
not_removed(const uint8_t *pk, const void *arg)
{
	const unsigned *gone;

	for (gone = arg; *gone != 0; gone++)
		if (pk[0] == (uint8_t)*gone && pk[1] == (uint8_t)(*gone >> 8))
			return 0;
	return 1;
}

static const struct punch_seen_ok YES = { yes, member, NULL };
static const struct punch_seen_ok HERE = { here, member, NULL };

static int
public_ok(const char *host)
{
	return strncmp(host, "10.", 3) != 0 && strncmp(host, "192.168.", 8);
}

/* A report of member number who: host:port seen, from local:lport. */
static struct punch_seen
rep(unsigned who, const char *host, uint16_t port, uint16_t lport,
    uint64_t at)
{
	struct punch_seen s;

	memset(&s, 0, sizeof(s));
	s.reporter[0] = (uint8_t)who;
	s.reporter[1] = (uint8_t)(who >> 8);
	snprintf(s.host, sizeof(s.host), "%s", host);
	s.port = port;
	snprintf(s.local, sizeof(s.local), "192.168.1.5");
	s.lport = lport;
	s.at_ms = at;
	return s;
}

static void
put(struct punch_seen_tab *t, struct punch_seen s, enum punch_seen_put want)
{
	assert_int_equal(punch_seen_put(t, &s, WRITE), want);
}

/*
 * Members 1 and 2 see this one at 198.51.100.7; member 3, later, says
 * 203.0.113.66: the two who agree win, and 3's report replaced neither.
 * Member 3 cannot vote twice (its second report replaces its first), and
 * a false port (same address, a port that says the router changes
 * ports) is outvoted as well.
 */
static void
test_one_liar_outvoted(void **state)
{
	struct punch_seen_tab t;
	const struct punch_seen *p;
	size_t votes;

	(void)state;
	memset(&t, 0, sizeof(t));
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW - 3000),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(2, "198.51.100.7", 40002, 40002, NOW - 2000),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(3, "203.0.113.66", 40003, 40003, NOW - 1000),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(3, "203.0.113.66", 40004, 40004, NOW),
	    PUNCH_SEEN_CHANGED);
	assert_int_equal(t.n, 3);
	p = punch_seen_pick(&t, NOW, DAY, &YES, &votes);
	assert_non_null(p);
	assert_string_equal(p->host, "198.51.100.7");
	assert_int_equal(votes, 2);
	assert_int_equal(p->reporter[0], 2);	/* the newest of the two */
	/* The same address, with ports that the router would change. */
	put(&t, rep(3, "198.51.100.7", 5555, 40005, NOW), PUNCH_SEEN_CHANGED);
	p = punch_seen_pick(&t, NOW, DAY, &YES, &votes);
	assert_int_equal(votes, 2);
	assert_int_equal(p->port, p->lport);
	/* A fourth member agreeing with 3 makes a tie: the newest wins. */
	put(&t, rep(3, "203.0.113.66", 40006, 40006, NOW),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(4, "203.0.113.66", 40007, 40007, NOW + 1),
	    PUNCH_SEEN_CHANGED);
	p = punch_seen_pick(&t, NOW + 1, DAY, &YES, &votes);
	assert_string_equal(p->host, "203.0.113.66");
	assert_int_equal(votes, 2);
}

/* Two members, two answers: the newer report, not a replaced one. */
static void
test_tie_newest(void **state)
{
	struct punch_seen_tab t;
	const struct punch_seen *p;
	size_t votes;

	(void)state;
	memset(&t, 0, sizeof(t));
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW - 1000),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(2, "203.0.113.66", 40002, 40002, NOW),
	    PUNCH_SEEN_CHANGED);
	p = punch_seen_pick(&t, NOW, DAY, &YES, &votes);
	assert_string_equal(p->host, "203.0.113.66");
	assert_int_equal(votes, 1);
	assert_int_equal(t.n, 2);
	/* Member 1 sees it again: its report is the newer now. */
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW + 1),
	    PUNCH_SEEN_SAME);
	p = punch_seen_pick(&t, NOW + 1, DAY, &YES, &votes);
	assert_string_equal(p->host, "198.51.100.7");
}

/* Reports over 24 hours old, or from a local address gone, count not. */
static void
test_old_and_moved(void **state)
{
	struct punch_seen_tab t;
	struct punch_seen s;
	const struct punch_seen *p;
	size_t votes;

	(void)state;
	memset(&t, 0, sizeof(t));
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW - DAY - 1),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(2, "198.51.100.7", 40002, 40002, NOW - DAY - 1),
	    PUNCH_SEEN_CHANGED);
	s = rep(3, "198.51.100.7", 40003, 40003, NOW);
	snprintf(s.local, sizeof(s.local), "10.0.0.5");
	put(&t, s, PUNCH_SEEN_CHANGED);
	put(&t, rep(4, "203.0.113.66", 40004, 40004, NOW - 5000),
	    PUNCH_SEEN_CHANGED);
	p = punch_seen_pick(&t, NOW, DAY, &HERE, &votes);
	assert_non_null(p);
	assert_string_equal(p->host, "203.0.113.66");
	assert_int_equal(votes, 1);
	assert_null(punch_seen_pick(&t, NOW + DAY, DAY, &HERE, &votes));
	assert_int_equal(votes, 0);
}

/* The same report again: its time renewed, written when 10 minutes old. */
static void
test_put_same(void **state)
{
	struct punch_seen_tab t;

	(void)state;
	memset(&t, 0, sizeof(t));
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW), PUNCH_SEEN_CHANGED);
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW + WRITE - 1),
	    PUNCH_SEEN_SAME);
	assert_true(t.r[0].at_ms == NOW + WRITE - 1);	/* heard, */
	assert_true(t.r[0].kept_ms == NOW);		/* not written */
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW + WRITE),
	    PUNCH_SEEN_RENEWED);
	assert_true(t.r[0].kept_ms == NOW + WRITE);
	put(&t, rep(1, "198.51.100.7", 40009, 40009, NOW + WRITE),
	    PUNCH_SEEN_CHANGED);
	assert_int_equal(t.n, 1);
}

/*
 * The table holds 16 members' reports; a 17th member takes the place of
 * the oldest report, never of a newer one.
 */
static void
test_table_full(void **state)
{
	struct punch_seen_tab t;
	unsigned i;
	int found;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (i = 1; i <= PUNCH_SEEN_REPORTERS; i++)
		put(&t, rep(i, "198.51.100.7", 40000, 40000, NOW + i),
		    PUNCH_SEEN_CHANGED);
	put(&t, rep(100, "203.0.113.66", 40000, 40000, NOW + 100),
	    PUNCH_SEEN_CHANGED);
	assert_int_equal(t.n, PUNCH_SEEN_REPORTERS);
	for (found = 0, i = 0; i < t.n; i++) {
		assert_int_not_equal(t.r[i].reporter[0], 1);
		found += t.r[i].reporter[0] == 100;
	}
	assert_int_equal(found, 1);
}

/* Written and read back; lines that do not parse are skipped. */
static void
test_text(void **state)
{
	struct punch_seen_tab t, u;
	char text[PUNCH_SEEN_TEXT_MAX], bad[PUNCH_SEEN_TEXT_MAX + 200];
	unsigned i;
	int n;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (i = 1; i <= PUNCH_SEEN_REPORTERS; i++)
		put(&t, rep(i * 257, "198.51.100.7", 65535, 1, NOW + i),
		    PUNCH_SEEN_CHANGED);
	n = punch_seen_format(&t, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal(punch_seen_parse(&u, text, (size_t)n, public_ok,
	    NOW), PUNCH_SEEN_REPORTERS);
	assert_memory_equal(&t, &u, sizeof(t));
	assert_int_equal(punch_seen_format(&t, text, 100), -1);
	/* The one record of before, a private address, junk, a long line. */
	n = snprintf(bad, sizeof(bad), "198.51.100.7 40001 192.168.1.5 40001 "
	    "%llu\n%064d 10.1.2.3 1 192.168.1.5 1 5\nzz\n%0300d\n%064d "
	    "198.51.100.9 7 192.168.1.5 7 9", (unsigned long long)NOW, 0, 0,
	    0);
	assert_int_equal(punch_seen_parse(&u, bad, (size_t)n, public_ok,
	    NOW), 1);
	assert_string_equal(u.r[0].host, "198.51.100.9");
	assert_int_equal(u.r[0].port, 7);
}

/*
 * Reports kept while the clock ran a year ahead: the next report, the
 * clock right, drops them (its own member's as well: CHANGED, written),
 * so CALL has an address again; reading the table back drops a line
 * dated over a day ahead.  And a report as kept takes a time earlier
 * than the kept one (within the day): written again.
 */
static void
test_clock_ahead(void **state)
{
	struct punch_seen_tab t, u;
	const struct punch_seen *p;
	char text[PUNCH_SEEN_TEXT_MAX];
	size_t votes;
	int n;

	(void)state;
	memset(&t, 0, sizeof(t));
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW + 365 * DAY),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(2, "203.0.113.66", 40002, 40002, NOW + 365 * DAY),
	    PUNCH_SEEN_CHANGED);
	assert_null(punch_seen_pick(&t, NOW, DAY, &YES, &votes));
	n = punch_seen_format(&t, text, sizeof(text));
	assert_int_equal(punch_seen_parse(&u, text, (size_t)n, public_ok,
	    NOW), 0);
	assert_int_equal(punch_seen_parse(&u, text, (size_t)n, public_ok,
	    NOW + 364 * DAY), 2);		/* within a day: kept */
	/* Member 1 again, the clock right: written, counted. */
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW),
	    PUNCH_SEEN_CHANGED);
	assert_int_equal(t.n, 1);		/* member 2's is gone */
	assert_true(t.r[0].at_ms == NOW && t.r[0].kept_ms == NOW);
	p = punch_seen_pick(&t, NOW, DAY, &YES, &votes);
	assert_non_null(p);
	assert_string_equal(p->host, "198.51.100.7");
	/* Kept 12 hours ahead, then heard at NOW: NOW it is, written. */
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW + DAY / 2),
	    PUNCH_SEEN_RENEWED);
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW),
	    PUNCH_SEEN_RENEWED);
	assert_true(t.r[0].at_ms == NOW && t.r[0].kept_ms == NOW);
	assert_non_null(punch_seen_pick(&t, NOW, DAY, &YES, &votes));
}

/*
 * Members 1 and 2, since removed (or members of another group), said
 * 198.51.100.7; member 3 says 203.0.113.66: only 3 counts.
 */
static void
test_removed_count_not(void **state)
{
	static const unsigned gone[] = { 1, 2, 0 };
	const struct punch_seen_ok check = { yes, not_removed, gone };
	struct punch_seen_tab t;
	const struct punch_seen *p;
	size_t votes;

	(void)state;
	memset(&t, 0, sizeof(t));
	put(&t, rep(1, "198.51.100.7", 40001, 40001, NOW - 2000),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(2, "198.51.100.7", 40002, 40002, NOW),
	    PUNCH_SEEN_CHANGED);
	put(&t, rep(3, "203.0.113.66", 40003, 40003, NOW - 1000),
	    PUNCH_SEEN_CHANGED);
	p = punch_seen_pick(&t, NOW, DAY, &YES, &votes);
	assert_string_equal(p->host, "198.51.100.7");
	p = punch_seen_pick(&t, NOW, DAY, &check, &votes);
	assert_non_null(p);
	assert_string_equal(p->host, "203.0.113.66");
	assert_int_equal(votes, 1);
	assert_int_equal(p->reporter[0], 3);
}

/* Numbers that sscanf's %u would wrap into range, signs, spaces, extra
 * fields: every such line is dropped. */
static void
test_text_numbers(void **state)
{
	static const char *const bad[] = {
		"198.51.100.9 4294967297 192.168.1.5 7 9",
		"198.51.100.9 7 192.168.1.5 -4294967295 9",
		"198.51.100.9 +7 192.168.1.5 7 9",
		"198.51.100.9 65536 192.168.1.5 7 9",
		"198.51.100.9 0 192.168.1.5 7 9",
		"198.51.100.9 7 192.168.1.5 7 99999999999999999999999",
		"198.51.100.9 7 192.168.1.5 7 9 extra",
		"198.51.100.9 7 192.168.1.5 7 -9",
		"198.51.100.9 7x 192.168.1.5 7 9",
		"198.51.100.9 7 192.168.1.5 7",
	};
	struct punch_seen_tab u;
	char line[200];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = snprintf(line, sizeof(line), "%064d %s", 0, bad[i]);
		assert_int_equal(punch_seen_parse(&u, line, (size_t)n,
		    public_ok, NOW), 0);
	}
	n = snprintf(line, sizeof(line), "%064d %s", 0,
	    "198.51.100.9 65535 192.168.1.5 1 18446744073709551615");
	assert_int_equal(punch_seen_parse(&u, line, (size_t)n, public_ok,
	    UINT64_MAX - PUNCH_SEEN_AHEAD_MS), 1);
	assert_int_equal(u.r[0].port, 65535);
	assert_true(u.r[0].at_ms == UINT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_liar_outvoted),
		cmocka_unit_test(test_tie_newest),
		cmocka_unit_test(test_old_and_moved),
		cmocka_unit_test(test_put_same),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_clock_ahead),
		cmocka_unit_test(test_removed_count_not),
		cmocka_unit_test(test_text_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
