/*
 * test-addr.c — "HOST:PORT" syntax and kinds (proto/addr.c): numeric
 * IPv4 and IPv6, host names (dynamic DNS), onion names; loopback,
 * local and wildcard addresses told apart; malformed texts refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"

static void
check(const char *text, enum addr_kind kind, enum addr_scope scope,
    const char *host, unsigned port)
{
	struct addr_parts a;

	assert_int_equal(addr_split(text, &a), 0);
	assert_int_equal(a.kind, kind);
	assert_int_equal(a.scope, scope);
	assert_string_equal(a.host, host);
	assert_int_equal(a.port, port);
}

static void
test_good(void **state)
{
	(void)state;
	check("192.0.2.7:7000", ADDR_IPV4, ADDR_GLOBAL, "192.0.2.7", 7000);
	check("127.0.0.1:1", ADDR_IPV4, ADDR_LOOPBACK, "127.0.0.1", 1);
	check("127.0.0.10:64", ADDR_IPV4, ADDR_LOOPBACK, "127.0.0.10", 64);
	check("0.0.0.0:0", ADDR_IPV4, ADDR_WILDCARD, "0.0.0.0", 0);
	check("10.77.0.1:7000", ADDR_IPV4, ADDR_LOCAL, "10.77.0.1", 7000);
	check("172.31.1.1:1", ADDR_IPV4, ADDR_LOCAL, "172.31.1.1", 1);
	check("172.32.1.1:1", ADDR_IPV4, ADDR_GLOBAL, "172.32.1.1", 1);
	check("192.168.1.2:7451", ADDR_IPV4, ADDR_LOCAL, "192.168.1.2", 7451);
	check("100.64.0.1:1", ADDR_IPV4, ADDR_LOCAL, "100.64.0.1", 1);
	check("[::1]:7000", ADDR_IPV6, ADDR_LOOPBACK, "::1", 7000);
	check("[::]:7000", ADDR_IPV6, ADDR_WILDCARD, "::", 7000);
	check("[fd00::5]:7000", ADDR_IPV6, ADDR_LOCAL, "fd00::5", 7000);
	check("[fe80::1]:7000", ADDR_IPV6, ADDR_LOCAL, "fe80::1", 7000);
	check("[2001:db8::1]:65535", ADDR_IPV6, ADDR_GLOBAL, "2001:db8::1",
	    65535);
	check("[::ffff:127.0.0.1]:9", ADDR_IPV6, ADDR_LOOPBACK,
	    "::ffff:127.0.0.1", 9);
	check("clinic-7.dyndns.example:7451", ADDR_NAME, ADDR_GLOBAL,
	    "clinic-7.dyndns.example", 7451);
	check("localhost:7000", ADDR_NAME, ADDR_LOOPBACK, "localhost", 7000);
	check("a.LOCALHOST:7000", ADDR_NAME, ADDR_LOOPBACK, "a.LOCALHOST",
	    7000);
	check("abcdefghijklmnop.onion:7451", ADDR_ONION, ADDR_GLOBAL,
	    "abcdefghijklmnop.onion", 7451);
	assert_true(addr_is_loopback("localhost:1"));
	assert_true(addr_is_loopback("127.1.2.3:1"));
	assert_false(addr_is_loopback("192.0.2.1:1"));
	assert_false(addr_is_loopback("garbage"));
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"", ":", "7000", "host", "host:", ":7000", "host:70000",
		"host:123456", "host:-1", "host:7a", "1.2.3.4.5:1",
		"999.1.1.1:1", "1.2.3:1", "[::1:1", "::1:7000", "[]:1",
		"[zz::1]:1", "a..b:1", ".a:1", "a.:1", "-a:1", "a-:1",
		"a_b:1", "a b:1", "é.example:1", "123:1", "1.2.3.456:1",
		"host:7000\n", "ho\nst:1",
	};
	char longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(addr_split(bad[i], NULL), BAL_EINVAL);
	/* A label of 64 bytes; a text above 128 bytes. */
	memset(longname, 'a', 64);
	strcpy(longname + 64, ".example:1");
	assert_int_equal(addr_split(longname, NULL), BAL_EINVAL);
	memset(longname, 'a', 63);
	strcpy(longname + 63, ".example:1");
	assert_int_equal(addr_split(longname, NULL), 0);
	memset(longname, 'a', 200);
	for (i = 63; i < 200; i += 64)
		longname[i] = '.';
	strcpy(longname + 200, ":1");
	assert_int_equal(addr_split(longname, NULL), BAL_EINVAL);
}

/* What a relay (punch.c) or a gateway (portmap.c) may name. */
static void
test_ipv4_filters(void **state)
{
	static const struct {
		uint8_t a[4];
		int unicast, global;
	} t[] = {
		{ { 203, 0, 113, 7 }, 1, 1 },	/* punch.sh's public side */
		{ { 11, 0, 0, 1 }, 1, 1 },	/* portmap.sh's external */
		{ { 8, 8, 8, 8 }, 1, 1 },
		{ { 10, 1, 2, 3 }, 1, 0 },
		{ { 192, 168, 1, 1 }, 1, 0 },
		{ { 172, 16, 0, 1 }, 1, 0 },
		{ { 100, 64, 0, 1 }, 1, 0 },
		{ { 0, 0, 0, 0 }, 0, 0 },
		{ { 0, 1, 2, 3 }, 0, 0 },
		{ { 127, 0, 0, 1 }, 0, 0 },
		{ { 169, 254, 9, 9 }, 0, 0 },
		{ { 224, 0, 0, 1 }, 0, 0 },
		{ { 239, 255, 77, 51 }, 0, 0 },
		{ { 240, 0, 0, 1 }, 0, 0 },
		{ { 255, 255, 255, 255 }, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(addr_ipv4_unicast(t[i].a), t[i].unicast);
		assert_int_equal(addr_ipv4_global(t[i].a), t[i].global);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_ipv4_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
