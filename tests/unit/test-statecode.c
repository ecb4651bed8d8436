/* test-statecode.c — the group state code read aloud at meetings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "statecode.h"

static void
test_known_answer_and_format(void **state)
{
	uint8_t gid[32], sh[32];
	char code[STATECODE_TEXT_BYTES];
	size_t i;

	(void)state;
	memset(gid, 1, sizeof(gid));
	memset(sh, 2, sizeof(sh));
	statecode_make(gid, sh, code);
	/* Computed independently with Python's hashlib.blake2b. */
	assert_string_equal(code, "1076-9745-4541-0709");
	assert_int_equal(strlen(code), STATECODE_TEXT_BYTES - 1);
	for (i = 0; i < strlen(code); i++)
		assert_true(i % 5 == 4 ? code[i] == '-' :
		    (code[i] >= '0' && code[i] <= '9'));
}

static void
test_every_bit_changes_it(void **state)
{
	uint8_t gid[32], sh[32];
	char base[STATECODE_TEXT_BYTES], code[STATECODE_TEXT_BYTES];
	size_t i;
	int b;

	(void)state;
	memset(gid, 7, sizeof(gid));
	memset(sh, 9, sizeof(sh));
	statecode_make(gid, sh, base);
	for (i = 0; i < 32; i++) {
		for (b = 0; b < 8; b++) {
			sh[i] ^= (uint8_t)(1u << b);
			statecode_make(gid, sh, code);
			assert_string_not_equal(code, base);
			sh[i] ^= (uint8_t)(1u << b);
			gid[i] ^= (uint8_t)(1u << b);
			statecode_make(gid, sh, code);
			assert_string_not_equal(code, base);
			gid[i] ^= (uint8_t)(1u << b);
		}
	}
	statecode_make(gid, sh, code);
	assert_string_equal(code, base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer_and_format),
		cmocka_unit_test(test_every_bit_changes_it),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
