/*
 * test-reach.c — which of this machine's IPv6 addresses are never given
 * out in codes and announces (daemon/net/peer-reach.c): the kernel's
 * /proc/net/if_inet6 read as it writes it, temporary (0x01), deprecated
 * (0x20), tentative (0x40) and failed (0x08) ones refused, permanent and
 * managed ones kept, and lines that are not the kernel's ignored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "net.h"

/* As a namespace with use_tempaddr=2 showed it (see invite-addrs.sh). */
static const char if6[] =
    "fe80000000000000e89422fffe9ea701 03 40 20 80       v0\n"
    "20010db8007700000000000000000001 03 40 00 82       v0\n"
    "20010db80077000034925aca4cf1d3b3 03 40 00 01       v0\n"
    "20010db8007800000000000000000001 03 40 00 a2       v0\n"
    "20010db8007900000000000000000001 03 40 00 c0       v0\n"
    "20010db8007a00000000000000000001 03 40 00 88       v0\n";

static int
unwanted(const char *text, const char *ip)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, ip, a), 1);
	return net_reach_v6_unwanted(text, a);
}

static void
test_flags(void **state)
{
	(void)state;
	assert_int_equal(unwanted(if6, "2001:db8:77::1"), 0);
	assert_int_equal(unwanted(if6, "fe80::e894:22ff:fe9e:a701"), 0);
	assert_int_equal(unwanted(if6, "2001:db8:77:0:3492:5aca:4cf1:d3b3"), 1);
	assert_int_equal(unwanted(if6, "2001:db8:78::1"), 1);	/* deprecated */
	assert_int_equal(unwanted(if6, "2001:db8:79::1"), 1);	/* tentative */
	assert_int_equal(unwanted(if6, "2001:db8:7a::1"), 1);	/* dadfailed */
	/* Not listed: nothing known against it. */
	assert_int_equal(unwanted(if6, "2001:db8:7b::1"), 0);
}

static void
test_garbage(void **state)
{
	(void)state;
	assert_int_equal(unwanted("", "2001:db8:77::1"), 0);
	/* Cut short before the flags, or not hex: ignored. */
	assert_int_equal(unwanted("20010db8007700000000000000000001 03 40\n",
	    "2001:db8:77::1"), 0);
	assert_int_equal(unwanted("20010db8007700000000000000000001 03 40 00",
	    "2001:db8:77::1"), 0);
	assert_int_equal(unwanted("20010db80077000000000000000000zz 03 40 00 "
	    "01 v0\n", "2001:db8:77::1"), 0);
	assert_int_equal(unwanted("2001\n20010db8007700000000000000000001 03 "
	    "40 00 01 v0", "2001:db8:77::1"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
