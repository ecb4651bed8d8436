/*
 * test-tor.c — the pure parts of balintd's use of tor: the SOCKS5 client
 * messages (socks5.h), tor's control-port replies (torctl.h) and the form
 * of onion addresses (onion.h).  Byte strings as tor sends them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bal.h"
#include "onion.h"
#include "socks5.h"
#include "torctl.h"

#define ID56 "dvecs3tye7ef4xfxtwnpfocrlj5f2vfmpnoxccwynfb6m5n2ad7h3dyd"

static void
test_socks5_request(void **state)
{
	uint8_t g[SOCKS5_GREETING_BYTES], out[SOCKS5_REQUEST_MAX];
	char host[300];
	size_t len;

	(void)state;
	socks5_greeting(g);
	assert_memory_equal(g, "\x05\x01\x00", 3);
	assert_int_equal(socks5_request(ID56 ".onion", 7451, out, sizeof(out),
	    &len), 0);
	assert_int_equal(len, 4 + 1 + 62 + 2);
	assert_memory_equal(out, "\x05\x01\x00\x03\x3e", 5);
	assert_memory_equal(out + 5, ID56 ".onion", 62);
	assert_int_equal(out[67], 7451 >> 8);
	assert_int_equal(out[68], 7451 & 0xff);
	/* Empty, too long, a blank or control byte, port 0, no room. */
	assert_int_equal(socks5_request("", 1, out, sizeof(out), &len),
	    BAL_EINVAL);
	memset(host, 'a', 256);
	host[256] = '\0';
	assert_int_equal(socks5_request(host, 1, out, sizeof(out), &len),
	    BAL_EINVAL);
	host[255] = '\0';
	assert_int_equal(socks5_request(host, 1, out, sizeof(out), &len), 0);
	assert_int_equal(len, SOCKS5_REQUEST_MAX);
	assert_int_equal(socks5_request("a b", 1, out, sizeof(out), &len),
	    BAL_EINVAL);
	assert_int_equal(socks5_request("a\n", 1, out, sizeof(out), &len),
	    BAL_EINVAL);
	assert_int_equal(socks5_request("a", 0, out, sizeof(out), &len),
	    BAL_EINVAL);
	assert_int_equal(socks5_request("abc", 1, out, 8, &len), BAL_EINVAL);
	assert_int_equal(len, 0);
}

static void
test_socks5_method(void **state)
{
	(void)state;
	assert_int_equal(socks5_method_parse((const uint8_t *)"", 0),
	    BAL_EAGAIN);
	assert_int_equal(socks5_method_parse((const uint8_t *)"\x05", 1),
	    BAL_EAGAIN);
	assert_int_equal(socks5_method_parse((const uint8_t *)"\x05\x00", 2),
	    0);
	assert_int_equal(socks5_method_parse((const uint8_t *)"\x05\xff", 2),
	    BAL_EPERM);
	assert_int_equal(socks5_method_parse((const uint8_t *)"\x05\x02", 2),
	    BAL_EPROTO);
	assert_int_equal(socks5_method_parse((const uint8_t *)"\x04\x00", 2),
	    BAL_EPROTO);
}

static void
test_socks5_reply(void **state)
{
	const uint8_t ok4[] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	const uint8_t ok6[22] = { 5, 0, 0, 4 };
	const uint8_t dom[] = { 5, 0xf0, 0, 3, 3, 'a', 'b', 'c', 0, 80 };
	uint8_t rep = 0xaa, bad[10];
	size_t used = 99, i;

	(void)state;
	/* Every prefix of a whole reply asks for more, and uses nothing. */
	for (i = 0; i < sizeof(ok4); i++) {
		assert_int_equal(socks5_reply_parse(ok4, i, &rep, &used),
		    BAL_EAGAIN);
		assert_int_equal(used, 0);
	}
	assert_int_equal(socks5_reply_parse(ok4, sizeof(ok4), &rep, &used), 0);
	assert_int_equal(rep, SOCKS5_REP_OK);
	assert_int_equal(used, 10);
	assert_int_equal(socks5_reply_parse(ok6, 21, &rep, &used), BAL_EAGAIN);
	assert_int_equal(socks5_reply_parse(ok6, 22, &rep, &used), 0);
	assert_int_equal(used, 22);
	for (i = 0; i < sizeof(dom); i++)
		assert_int_equal(socks5_reply_parse(dom, i, &rep, &used),
		    BAL_EAGAIN);
	assert_int_equal(socks5_reply_parse(dom, sizeof(dom), &rep, &used), 0);
	assert_int_equal(rep, SOCKS5_REP_HS_DESC_NOT_FOUND);
	assert_int_equal(used, sizeof(dom));
	/* Bytes after the reply are not its business. */
	assert_int_equal(socks5_reply_parse(dom, sizeof(dom), &rep, &used), 0);
	/* Wrong version, reserved byte, address type, empty domain. */
	memcpy(bad, ok4, sizeof(bad));
	bad[0] = 4;
	assert_int_equal(socks5_reply_parse(bad, 1, &rep, &used), BAL_EPROTO);
	assert_int_equal(socks5_reply_parse(bad, 10, &rep, &used), BAL_EPROTO);
	memcpy(bad, ok4, sizeof(bad));
	bad[2] = 1;
	assert_int_equal(socks5_reply_parse(bad, 10, &rep, &used), BAL_EPROTO);
	bad[2] = 0;
	bad[3] = 2;
	assert_int_equal(socks5_reply_parse(bad, 10, &rep, &used), BAL_EPROTO);
	bad[3] = 3;
	bad[4] = 0;
	assert_int_equal(socks5_reply_parse(bad, 10, &rep, &used), BAL_EPROTO);
	assert_int_equal(used, 0);
	/* tor's onion errors are named; retry only where it may help. */
	assert_non_null(strstr(socks5_reply_text(0xf0), "not found"));
	assert_int_equal(socks5_reply_retry(0xf0), 1);
	assert_int_equal(socks5_reply_retry(0xf2), 1);
	assert_int_equal(socks5_reply_retry(0xf6), 0);
	assert_int_equal(socks5_reply_retry(0x05), 0);
	assert_int_equal(socks5_reply_retry(0x00), 0);
}

static struct torctl_reply *
reply_new(void)
{
	struct torctl_reply *r = malloc(sizeof(*r));

	assert_non_null(r);
	return r;
}

static void
test_torctl_replies(void **state)
{
	static const char pi[] =
	    "250-PROTOCOLINFO 1\r\n"
	    "250-AUTH METHODS=COOKIE,SAFECOOKIE "
	    "COOKIEFILE=\"/tmp/a b/control_auth_cookie\"\r\n"
	    "250-VERSION Tor=\"0.4.9.11\"\r\n"
	    "250 OK\r\n"
	    "650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=100 TAG=done "
	    "SUMMARY=\"Done\"\r\n";
	struct torctl_reply *r = reply_new();
	size_t used, i, n = strlen(pi);
	size_t first = (size_t)(strstr(pi, "250 OK\r\n") + 8 - pi);
	char v[128];

	(void)state;
	/* No whole reply yet, at every cut. */
	for (i = 0; i < first; i++)
		assert_int_equal(torctl_reply_parse((const uint8_t *)pi, i, r,
		    &used), BAL_EAGAIN);
	assert_int_equal(torctl_reply_parse((const uint8_t *)pi, n, r, &used),
	    0);
	assert_int_equal(used, first);
	assert_int_equal(r->code, 250);
	assert_int_equal(r->nlines, 4);
	assert_string_equal(r->line[0], "PROTOCOLINFO 1");
	assert_string_equal(r->line[3], "OK");
	assert_int_equal(torctl_kv(r->line[1], "METHODS", v, sizeof(v)), 0);
	assert_string_equal(v, "COOKIE,SAFECOOKIE");
	assert_int_equal(torctl_kv(r->line[1], "COOKIEFILE", v, sizeof(v)), 0);
	assert_string_equal(v, "/tmp/a b/control_auth_cookie");
	assert_int_equal(torctl_kv(r->line[1], "Tor", v, sizeof(v)),
	    BAL_ENOENT);
	/* The event that follows. */
	assert_int_equal(torctl_reply_parse((const uint8_t *)pi + used,
	    n - used, r, &used), 0);
	assert_int_equal(r->code, TORCTL_EVENT);
	assert_int_equal(torctl_kv(r->line[0], "PROGRESS", v, sizeof(v)), 0);
	assert_string_equal(v, "100");
	assert_int_equal(torctl_kv(r->line[0], "SUMMARY", v, sizeof(v)), 0);
	assert_string_equal(v, "Done");
	free(r);
}

static void
test_torctl_data_and_errors(void **state)
{
	static const char data[] =
	    "250+onions/current=\n"
	    "abc\n"
	    "..dot-escaped\n"
	    ".\n"
	    "250 OK\n";
	struct torctl_reply *r = reply_new();
	size_t used;
	char v[8], big[TORCTL_LINE_MAX + 16];

	(void)state;
	/* A data block (bare LFs accepted) is skipped. */
	assert_int_equal(torctl_reply_parse((const uint8_t *)data,
	    strlen(data), r, &used), 0);
	assert_int_equal(used, strlen(data));
	assert_int_equal(r->nlines, 2);
	assert_string_equal(r->line[0], "onions/current=");
	/* Malformed: no code, bad separator, codes that differ, control. */
	assert_int_equal(torctl_reply_parse((const uint8_t *)"OK\r\n", 4, r,
	    &used), BAL_EPROTO);
	assert_int_equal(torctl_reply_parse((const uint8_t *)"250*OK\r\n", 8,
	    r, &used), BAL_EPROTO);
	assert_int_equal(torctl_reply_parse((const uint8_t *)"250-A\r\n251 B"
	    "\r\n", 14, r, &used), BAL_EPROTO);
	assert_int_equal(torctl_reply_parse((const uint8_t *)"250 A\x01\r\n",
	    8, r, &used), BAL_EPROTO);
	assert_int_equal(torctl_reply_parse((const uint8_t *)"250 A\0B\r\n",
	    9, r, &used), BAL_EPROTO);
	assert_int_equal(torctl_reply_parse((const uint8_t *)"25\r\n", 4, r,
	    &used), BAL_EPROTO);
	assert_int_equal(torctl_reply_parse((const uint8_t *)"700 x\r\n", 7, r,
	    &used), BAL_EPROTO);
	/* A line beyond the limit. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "250 ", 4);
	big[sizeof(big) - 2] = '\r';
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(torctl_reply_parse((const uint8_t *)big, sizeof(big),
	    r, &used), BAL_ETOOBIG);
	/* Values: too small a buffer, an unterminated quote, escapes. */
	assert_int_equal(torctl_kv("A=123456789", "A", v, sizeof(v)),
	    BAL_ETOOBIG);
	assert_int_equal(torctl_kv("A=\"abc", "A", v, sizeof(v)), BAL_EPROTO);
	assert_int_equal(torctl_kv("X=\"a=b \\\" A=1\" A=\"q\\\\\"", "A", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "q\\");
	assert_int_equal(torctl_kv("AA=1 A=2", "A", v, sizeof(v)), 0);
	assert_string_equal(v, "2");
	free(r);
}

static void
test_onion_addr(void **state)
{
	char host[ONION_HOST_LEN + 1];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(onion_addr_parse(ID56 ".onion:7451", host, &port), 0);
	assert_string_equal(host, ID56 ".onion");
	assert_int_equal(port, 7451);
	assert_true(onion_addr_is(ID56 ".onion:1"));
	assert_false(onion_addr_is(ID56 ".onion:0"));
	assert_false(onion_addr_is(ID56 ".onion:65536"));
	assert_false(onion_addr_is(ID56 ".onion:"));
	assert_false(onion_addr_is(ID56 ".onion"));
	assert_false(onion_addr_is(ID56 ".onio"));
	assert_false(onion_addr_is("Dvecs3tye7ef4xfxtwnpfocrlj5f2vfmpnoxccwynfb6"
	    "m5n2ad7h3dyd.onion:1"));
	assert_false(onion_addr_is("dvecs3tye7ef4xfxtwnpfocrlj5f2vfmpnoxccwynfb6"
	    "m5n2ad7h3dy.onion:1"));
	assert_false(onion_addr_is("127.0.0.1:7451"));
	assert_false(onion_addr_is(""));
	assert_false(onion_addr_is(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socks5_request),
		cmocka_unit_test(test_socks5_method),
		cmocka_unit_test(test_socks5_reply),
		cmocka_unit_test(test_torctl_replies),
		cmocka_unit_test(test_torctl_data_and_errors),
		cmocka_unit_test(test_onion_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
