/* test-cli-json.c — the JSON string escaper of balint's --json output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static void
check(const char *in, size_t len, const char *want)
{
	char *q = json_quote(in, len);

	assert_non_null(q);
	assert_string_equal(q, want);
	assert_int_equal(json_escape(in, len, NULL, 0), strlen(want));
	free(q);
}

static void
test_plain(void **state)
{
	(void)state;
	check("", 0, "\"\"");
	check("hello world", 11, "\"hello world\"");
	check("a/b", 3, "\"a/b\"");
}

static void
test_specials(void **state)
{
	(void)state;
	check("\"", 1, "\"\\\"\"");
	check("\\", 1, "\"\\\\\"");
	check("a\nb\tc\rd\be\ff", 11, "\"a\\nb\\tc\\rd\\be\\ff\"");
	check("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	check("\x1b[31m", 5, "\"\\u001b[31m\"");
	check("a\0b", 3, "\"a\\u0000b\"");
}

static void
test_utf8(void **state)
{
	(void)state;
	check("Fr\xc3\xa4ulein \xe2\x82\xac \xf0\x9f\x98\x80", 18,
	    "\"Fr\xc3\xa4ulein \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* U+2028 is valid JSON inside a string: passed through. */
	check("\xe2\x80\xa8", 3, "\"\xe2\x80\xa8\"");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	check("\xff", 1, "\"\\ufffd\"");
	check("\xc3", 1, "\"\\ufffd\"");		/* truncated */
	check("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");	/* overlong */
	check("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	check("\xf4\x90\x80\x80", 4,
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* above U+10FFFF */
	check("a\x80z", 3, "\"a\\ufffdz\"");
}

static void
test_truncation(void **state)
{
	char buf[8];
	size_t need;

	(void)state;
	need = json_escape("abcdefghij", 10, buf, sizeof(buf));
	assert_int_equal(need, 12);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "\"abcdef", 7);
	need = json_escape("x", 1, buf, 1);
	assert_int_equal(need, 3);
	assert_int_equal(buf[0], '\0');
}

/* Every byte value alone gives valid output with no raw control byte. */
static void
test_all_bytes(void **state)
{
	char in[1], *q;
	size_t i;
	int b;

	(void)state;
	for (b = 0; b < 256; b++) {
		in[0] = (char)b;
		q = json_quote(in, 1);
		assert_non_null(q);
		assert_true(q[0] == '"' && q[strlen(q) - 1] == '"');
		for (i = 0; q[i] != '\0'; i++)
			assert_true((unsigned char)q[i] >= 0x20 &&
			    (unsigned char)q[i] != 0x7f);
		free(q);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_specials),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
