/*
 * test-log.c — balintd's log lines (daemon/log.c): text from outside (a
 * router's external address, a peer's words) cannot forge a line or send
 * a terminal escape sequence; UTF-8 names and long lines stay whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

/* Runs daemon_log("%s %s", a, b) with stderr in a file; returns its text. */
static char *
logged(const char *a, const char *b)
{
	FILE *f = tmpfile();
	char *out;
	long n;
	int saved;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	daemon_log("%s %s", a, b);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = ftell(f);
	assert_true(n > 0);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return out;
}

/* A router's "external address" with a newline and escapes: one line. */
static void
test_controls_replaced(void **state)
{
	char *s = logged("port map: the gateway names",
	    "1.2.3.4\n2026-01-01T00:00:00.000Z balintd: forged\x1b[2J\x7f"
	    "\xc2\x9b" "31m\r");

	(void)state;
	assert_non_null(strstr(s, "balintd: port map: the gateway names "
	    "1.2.3.4?2026-01-01T00:00:00.000Z balintd: forged?[2J???31m?\n"));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	assert_null(strchr(s, '\x1b'));
	free(s);
}

/* Hebrew and Swedish names pass as they are. */
static void
test_utf8_kept(void **state)
{
	char *s = logged("peer up:", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "
	    "\xc3\x85sa");

	(void)state;
	assert_non_null(strstr(s, "peer up: \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "
	    "\xc3\x85sa\n"));
	free(s);
}

/* A line longer than the stack buffer is written whole. */
static void
test_long_line(void **state)
{
	char big[5001], *s;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = logged("long:", big);
	assert_non_null(strstr(s, big));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls_replaced),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
