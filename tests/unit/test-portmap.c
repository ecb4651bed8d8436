/*
 * test-portmap.c — the announce gap of port mapping (portmap_gap,
 * daemon/net/portmap.c) on a fake clock: the first change of the mapped
 * address is announced at once, every later one at most once per
 * PORTMAP_ANNOUNCE_GAP_S (600 s), a change within the gap at its end (not
 * lost), and a clock set back does not hold announces for hours.  What a
 * hostile gateway handing out a new port every second would cost: one
 * announce per ten minutes, not one per renewal.
 *
 * And the leases a router grants (R2-4): one of 0xffffffff s is held (and
 * shown) as the lease asked and renewed within half of it, one of 1 s is
 * renewed at the floor, not never; a PCP router that lost its state
 * (its epoch went back, pcp_epoch_check) has everything mapped again at
 * once, not at the next renewal.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

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

/*
 * The UPnP URL check (portmap_url_check, daemon/net/portmap-igd.c): a
 * machine with eth0 192.168.1.10/24 and 2001:db8:1::10/64 and
 * fe80::10/64 (index 2), and wlan0 10.0.0.5/8 (index 3).
 */
static size_t
lans_fill(struct pm_lan *l)
{
	memset(l, 0, 4 * sizeof(*l));
	l[0].family = AF_INET;
	inet_pton(AF_INET, "192.168.1.10", l[0].addr);
	inet_pton(AF_INET, "255.255.255.0", l[0].mask);
	l[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1::10", l[1].addr);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", l[1].mask);
	l[2].family = AF_INET6;
	inet_pton(AF_INET6, "fe80::10", l[2].addr);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", l[2].mask);
	l[0].ifindex = l[1].ifindex = l[2].ifindex = 2;
	strcpy(l[0].name, "eth0");
	strcpy(l[1].name, "eth0");
	strcpy(l[2].name, "eth0");
	l[3].family = AF_INET;
	inet_pton(AF_INET, "10.0.0.5", l[3].addr);
	inet_pton(AF_INET, "255.0.0.0", l[3].mask);
	l[3].ifindex = 3;
	strcpy(l[3].name, "wlan0");
	return 4;
}

static int
check(const char *url, unsigned scope)
{
	struct pm_lan l[4];
	struct pm_urlhost h;
	size_t n = lans_fill(l);

	return portmap_url_check(url, scope, l, n, &h);
}

static void
test_url_lan_ok(void **state)
{
	struct pm_lan l[4];
	struct pm_urlhost h;
	size_t n = lans_fill(l);

	(void)state;
	assert_int_equal(portmap_url_check("http://192.168.1.1:5000/"
	    "rootDesc.xml", 0, l, n, &h), PM_URL_OK);
	assert_int_equal(h.family, AF_INET);
	assert_int_equal(h.addr[3], 1);
	assert_int_equal(check("http://192.168.1.1/ctl/IPConn", 0), PM_URL_OK);
	assert_int_equal(check("http://10.200.3.4:49152/desc.xml", 0),
	    PM_URL_OK);
	assert_int_equal(check("http://[2001:db8:1::1]:5000/rootDesc.xml",
	    0), PM_URL_OK);
	/* Link-local: with the scope of the SSDP answer, or the URL's. */
	assert_int_equal(check("http://[fe80::1]:5000/rootDesc.xml", 2),
	    PM_URL_OK);
	assert_int_equal(check("http://[fe80::1%25eth0]:5000/x", 0),
	    PM_URL_OK);
	assert_int_equal(check("http://[fe80::1%2]:5000/x", 0), PM_URL_OK);
}

static void
test_url_refused(void **state)
{
	char big[700];

	(void)state;
	/* Loopback, in every spelling miniupnpc would connect to. */
	assert_int_equal(check("http://127.0.0.1:7452/", 0), PM_URL_LOOPBACK);
	assert_int_equal(check("http://127.1.2.3/x", 0), PM_URL_LOOPBACK);
	assert_int_equal(check("http://[::1]:7452/", 0), PM_URL_LOOPBACK);
	assert_int_equal(check("http://[::ffff:127.0.0.1]:7452/", 0),
	    PM_URL_NOTLAN);
	assert_int_equal(check("http://[127.0.0.1]:7452/", 0), PM_URL_NAME);
	assert_int_equal(check("http://0.0.0.0:7452/", 0), PM_URL_NOTLAN);
	assert_int_equal(check("http://[::]:7452/", 0), PM_URL_NOTLAN);
	assert_int_equal(check("http://127.1:7452/", 0), PM_URL_NAME);
	assert_int_equal(check("http://2130706433:7452/", 0), PM_URL_NAME);
	assert_int_equal(check("http://localhost:7452/", 0), PM_URL_NAME);
	assert_int_equal(check("http://[localhost]:7452/", 0), PM_URL_NAME);
	assert_int_equal(check("http://router.lan/desc.xml", 0), PM_URL_NAME);
	/* This machine's own addresses. */
	assert_int_equal(check("http://192.168.1.10:7452/", 0), PM_URL_SELF);
	assert_int_equal(check("http://[2001:db8:1::10]:7452/", 0),
	    PM_URL_SELF);
	assert_int_equal(check("http://[fe80::10%25eth0]:7452/", 0),
	    PM_URL_SELF);
	/* Another host, not on a LAN of this machine. */
	assert_int_equal(check("http://192.168.2.1:5000/", 0), PM_URL_NOTLAN);
	assert_int_equal(check("http://203.0.113.7:5000/", 0), PM_URL_NOTLAN);
	assert_int_equal(check("http://[2001:db8:2::1]/", 0), PM_URL_NOTLAN);
	assert_int_equal(check("http://[ff02::1]/", 0), PM_URL_NOTLAN);
	assert_int_equal(check("http://224.0.0.1/", 0), PM_URL_NOTLAN);
	/* Link-local without this machine's interface as scope. */
	assert_int_equal(check("http://[fe80::1]:5000/", 0), PM_URL_SCOPE);
	assert_int_equal(check("http://[fe80::1]:5000/", 3), PM_URL_SCOPE);
	assert_int_equal(check("http://[fe80::1%25wlan0]/", 2), PM_URL_SCOPE);
	assert_int_equal(check("http://[fe80::1%25nosuch]/", 2),
	    PM_URL_SCOPE);
	/* Garbage. */
	assert_int_equal(check(NULL, 0), PM_URL_LONG);
	assert_int_equal(check("", 0), PM_URL_GARBAGE);
	assert_int_equal(check("https://192.168.1.1/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http:/x://192.168.1.1/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("HTTP://192.168.1.1/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1:80@127.0.0.1/", 0),
	    PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1@127.0.0.1/", 0),
	    PM_URL_NAME);
	assert_int_equal(check("http://192.168.1.1:0/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1:99999/", 0),
	    PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1:/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1/a b", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.1.1/a\r\nHost: x", 0),
	    PM_URL_GARBAGE);
	assert_int_equal(check("http://[2001:db8:1::1/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://[]/", 0), PM_URL_GARBAGE);
	assert_int_equal(check("http://[fe80::1%25]/", 2), PM_URL_GARBAGE);
	assert_int_equal(check("http://192.168.001.1/", 0), PM_URL_NAME);
	/* Over-long: the whole URL, and a host miniupnpc would cut. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "http://192.168.1.1/", 19);
	assert_int_equal(check(big, 0), PM_URL_LONG);
	assert_int_equal(check("http://[fe80:0000:0000:0000:0000:0000:0000:"
	    "0001%25eth0eth0eth0eth0eth0eth0eth0]/", 2), PM_URL_LONG);
	assert_string_equal(portmap_url_why(PM_URL_LOOPBACK),
	    "a loopback address");
}

static void
test_lease_bounded(void **state)
{
	(void)state;
	assert_int_equal(PORTMAP_LEASE_S, 3600);
	assert_int_equal(PORTMAP_RENEW_MIN_S, 60);
	/* 0xffffffff granted: held as the 3600 s asked, renewed at 1800 s
	 * (not in 68 years); the tests' 4 s lease at 2 s. */
	assert_int_equal(portmap_lease_held(0xffffffffu, 3600), 3600);
	assert_int_equal(portmap_renew_s(0xffffffffu, 3600), 1800);
	assert_int_equal(portmap_renew_s(0xffffffffu, 4), 2);
	assert_true(portmap_renew_s(0xffffffffu, 3600) <= 3600 / 2);
	/* What was asked for, or less: half of it. */
	assert_int_equal(portmap_renew_s(3600, 3600), 1800);
	assert_int_equal(portmap_renew_s(1000, 3600), 500);
	assert_int_equal(portmap_lease_held(1000, 3600), 1000);
	/* 1 s granted: at the floor (60 s; the 4 s hook's 2 s), never 0. */
	assert_int_equal(portmap_lease_held(1, 3600), 1);
	assert_int_equal(portmap_renew_s(1, 3600), 60);
	assert_int_equal(portmap_renew_s(100, 3600), 60);
	assert_int_equal(portmap_renew_s(1, 4), 2);
	assert_int_equal(portmap_floor_s(3600), 60);
	assert_int_equal(portmap_floor_s(4), 2);
	/* Permanent (UPnP's 0): looked at hourly. */
	assert_int_equal(portmap_lease_held(0, 3600), 0);
	assert_int_equal(portmap_renew_s(0, 3600), 3600);
}

/* One PCP pinhole for 2001:db8::10 granted r6_lease: into the loop. */
static uint64_t
hole_granted(struct portmap *pm, unsigned granted)
{
	memset(pm, 0, sizeof(*pm));
	pm->port = 7451;
	pm->lease_ask = PORTMAP_LEASE_S;
	pm->job = PM_RENEW;
	pm->r_nholes = 1;
	strcpy(pm->r_holes[0].ip, "2001:db8::10");
	pm->r_holes[0].method = PORTMAP_PCP;
	pm->r_holes[0].open = 1;
	/* As portmap_pcp_hole holds it (never more than asked). */
	pm->r_holes[0].lease = portmap_lease_held(granted, pm->lease_ask);
	pm->r6_method = PORTMAP_PCP;
	pm->r6_lease = granted;
	return portmap_hole_after(pm);
}

static void
test_hole_lease(void **state)
{
	struct portmap *pm = calloc(1, sizeof(*pm));

	(void)state;
	assert_non_null(pm);
	/* A pinhole granted for 1 s: renewed at the floor (0 was "no
	 * renewal" while status said open). */
	assert_int_equal(hole_granted(pm, 1), 60);
	assert_int_equal(pm->v6_lease, 1);
	assert_string_equal(pm->v6_text, "[2001:db8::10]:7451");
	/* Granted 0xffffffff: status shows 3600, renewed at 1800 s. */
	assert_int_equal(hole_granted(pm, 0xffffffffu), 1800);
	assert_int_equal(pm->v6_lease, 3600);
	assert_true(pm->v6_until_ms <= daemon_now_ms() + 3600 * 1000ULL);
	free(pm);
}

/* The router lost its state: the next job at once, once in a row. */
static void
test_lost_maps_again(void **state)
{
	struct pcp_epoch e;
	int again = 0, lost;

	(void)state;
	memset(&e, 0, sizeof(e));
	/* Renewals every 1800 s from a router up for a day. */
	assert_int_equal(pcp_epoch_check(&e, 86400, 1000), 1);
	lost = !pcp_epoch_check(&e, 88200, 2800);
	assert_int_equal(portmap_lost_next(&again, lost, 1800), 1800);
	/* It rebooted: its epoch went back to 30 s; asked again in 1 s. */
	lost = !pcp_epoch_check(&e, 30, 4600);
	assert_int_equal(lost, 1);
	assert_int_equal(portmap_lost_next(&again, lost, 1800), 1);
	/* That re-map's answer is in step: the usual renewal again. */
	lost = !pcp_epoch_check(&e, 31, 4601);
	assert_int_equal(lost, 0);
	assert_int_equal(portmap_lost_next(&again, lost, 1800), 1800);
	/* A router whose epoch jumps on every answer: one job at once,
	 * then the usual wait (not one request a second). */
	assert_int_equal(portmap_lost_next(&again, 1, 1800), 1);
	assert_int_equal(portmap_lost_next(&again, 1, 1800), 1800);
	assert_int_equal(portmap_lost_next(&again, 1, 1800), 1);
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
		cmocka_unit_test(test_url_lan_ok),
		cmocka_unit_test(test_url_refused),
		cmocka_unit_test(test_lease_bounded),
		cmocka_unit_test(test_hole_lease),
		cmocka_unit_test(test_lost_maps_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
