/*
 * test-web-check.c — the page's request checks (daemon/web/web-check.c),
 * tried the way an attacker would: another site's Origin, a rebound DNS
 * name in Host, near misses of the right values (other port, a suffix, a
 * prefix, https, a trailing slash), a POST without Origin or without the
 * CSRF token or with a wrong one, a login or ticket query near the right
 * one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "web-check.h"

#define PORT 7452

static const char good_csrf[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static int
host_ok(const char *h)
{
	return web_check_host(h, strlen(h), PORT);
}

static int
origin_ok(const char *o)
{
	return web_check_origin(o, strlen(o), PORT);
}

static void
test_host(void **state)
{
	(void)state;
	assert_true(host_ok("127.0.0.1:7452"));
	assert_true(host_ok("localhost:7452"));
	assert_false(host_ok("127.0.0.1"));
	assert_false(host_ok("127.0.0.1:7453"));
	assert_false(host_ok("127.0.0.1:74520"));
	assert_false(host_ok("127.0.0.1:745"));
	assert_false(host_ok("attacker.example:7452"));
	assert_false(host_ok("127.0.0.1.attacker.example:7452"));
	assert_false(host_ok("localhost.attacker.example:7452"));
	assert_false(host_ok("x127.0.0.1:7452"));
	assert_false(host_ok("[::1]:7452"));
	assert_false(host_ok("0.0.0.0:7452"));
	assert_false(host_ok(""));
	assert_false(web_check_host(NULL, 0, PORT));
	/* A NUL inside the header is not the end of it. */
	assert_false(web_check_host("127.0.0.1:7452\0x", 16, PORT));
	assert_false(web_check_host("127.0.0.1:0", 11, 0));
}

static void
test_origin(void **state)
{
	(void)state;
	assert_true(origin_ok("http://127.0.0.1:7452"));
	assert_true(origin_ok("http://localhost:7452"));
	assert_false(origin_ok("https://127.0.0.1:7452"));
	assert_false(origin_ok("http://127.0.0.1:7452/"));
	assert_false(origin_ok("http://127.0.0.1:7453"));
	assert_false(origin_ok("http://127.0.0.1"));
	assert_false(origin_ok("http://attacker.example"));
	assert_false(origin_ok("http://attacker.example:7452"));
	assert_false(origin_ok("null"));
	assert_false(origin_ok(""));
}

static void
test_token(void **state)
{
	char other[sizeof(good_csrf)];

	(void)state;
	assert_true(web_check_token(good_csrf, WEB_TOKEN_HEX, good_csrf));
	memcpy(other, good_csrf, sizeof(other));
	other[WEB_TOKEN_HEX - 1] = '0';
	assert_false(web_check_token(other, WEB_TOKEN_HEX, good_csrf));
	assert_false(web_check_token(good_csrf, WEB_TOKEN_HEX - 1,
	    good_csrf));
	assert_false(web_check_token("", 0, good_csrf));
	assert_false(web_check_token(NULL, 0, good_csrf));
	assert_false(web_check_token(good_csrf, WEB_TOKEN_HEX, NULL));
	/* An empty expected token never matches (an unused session slot). */
	assert_false(web_check_token("", 0, ""));
}

static void
test_query_token(void **state)
{
	char q[3 + WEB_TOKEN_HEX + 2];

	(void)state;
	snprintf(q, sizeof(q), "?t=%s", good_csrf);
	assert_ptr_equal(web_check_query_token(q, strlen(q)), q + 3);
	/* One digit short or long, another name, upper case, a NUL. */
	assert_null(web_check_query_token(q, strlen(q) - 1));
	snprintf(q, sizeof(q), "?t=%sa", good_csrf);
	assert_null(web_check_query_token(q, strlen(q)));
	snprintf(q, sizeof(q), "?x=%s", good_csrf);
	assert_null(web_check_query_token(q, strlen(q)));
	snprintf(q, sizeof(q), "?t=%s", good_csrf);
	q[10] = 'A';
	assert_null(web_check_query_token(q, strlen(q)));
	q[10] = '\0';
	assert_null(web_check_query_token(q, 3 + WEB_TOKEN_HEX));
	assert_null(web_check_query_token("", 0));
	assert_null(web_check_query_token(NULL, 0));
}

/* A request that passes; each test below spoils one thing. */
static struct web_check_in
good_post(void)
{
	struct web_check_in in;

	memset(&in, 0, sizeof(in));
	in.port = PORT;
	in.post = 1;
	in.needs_session = 1;
	in.host = "127.0.0.1:7452";
	in.host_len = strlen(in.host);
	in.origin = "http://127.0.0.1:7452";
	in.origin_len = strlen(in.origin);
	in.csrf = good_csrf;
	in.csrf_len = WEB_TOKEN_HEX;
	in.session_csrf = good_csrf;
	return in;
}

static void
test_request(void **state)
{
	struct web_check_in in;

	(void)state;
	in = good_post();
	assert_int_equal(web_check_request(&in), WEB_OK);
	in = good_post();
	in.host = "attacker.example:7452";
	in.host_len = strlen(in.host);
	assert_int_equal(web_check_request(&in), WEB_BAD_HOST);
	in = good_post();
	in.host = NULL;
	in.host_len = 0;
	assert_int_equal(web_check_request(&in), WEB_BAD_HOST);
	in = good_post();
	in.origin = "http://attacker.example";
	in.origin_len = strlen(in.origin);
	assert_int_equal(web_check_request(&in), WEB_BAD_ORIGIN);
	in = good_post();
	in.origin = NULL;
	assert_int_equal(web_check_request(&in), WEB_BAD_ORIGIN);
	in = good_post();
	in.csrf = NULL;
	in.csrf_len = 0;
	assert_int_equal(web_check_request(&in), WEB_BAD_CSRF);
	in = good_post();
	in.csrf = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(web_check_request(&in), WEB_BAD_CSRF);
	in = good_post();
	in.session_csrf = NULL;
	assert_int_equal(web_check_request(&in), WEB_NO_SESSION);
	/* A GET of data needs the session, not the token; assets neither. */
	in = good_post();
	in.post = 0;
	in.origin = NULL;
	in.csrf = NULL;
	assert_int_equal(web_check_request(&in), WEB_OK);
	in.session_csrf = NULL;
	assert_int_equal(web_check_request(&in), WEB_NO_SESSION);
	in.needs_session = 0;
	assert_int_equal(web_check_request(&in), WEB_OK);
	/* ... but never under another name, nor fetched by another site. */
	in.host = "rebound.attacker.example:7452";
	in.host_len = strlen(in.host);
	assert_int_equal(web_check_request(&in), WEB_BAD_HOST);
	in = good_post();
	in.post = 0;
	in.origin = "http://attacker.example";
	in.origin_len = strlen(in.origin);
	assert_int_equal(web_check_request(&in), WEB_BAD_ORIGIN);
	assert_string_not_equal(web_check_why(WEB_BAD_CSRF), "ok");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_query_token),
		cmocka_unit_test(test_request),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
