/* test-config.c — the settings file's text (proto/config.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bal.h"
#include "config.h"

static const char text[] =
    "# my settings\n"
    "\n"
    "  group =  Tuesday group  \n"
    "this line is no setting\n"
    "listen=127.0.0.1:7000\n"
    "group = Thursday group\n"
    "Bad Key = x\n"
    "editor = vim";		/* no newline at the end */

static void
test_lookup_last_wins_and_trims(void **state)
{
	char v[CONFIG_VALUE_MAX + 1];

	(void)state;
	assert_int_equal(config_lookup(text, strlen(text), "group", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "Thursday group");
	assert_int_equal(config_lookup(text, strlen(text), "listen", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "127.0.0.1:7000");
	assert_int_equal(config_lookup(text, strlen(text), "editor", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "vim");
	assert_int_equal(config_lookup(text, strlen(text), "colour", v,
	    sizeof(v)), BAL_ENOENT);
	assert_int_equal(config_lookup(text, strlen(text), "group", v, 4),
	    BAL_ETOOBIG);
}

static void
test_next_numbers_lines_and_marks_bad_ones(void **state)
{
	struct config_line l;
	size_t pos = 0;
	unsigned bad[8], good[8], nb = 0, ng = 0;

	(void)state;
	while (config_next(text, strlen(text), &pos, &l)) {
		if (l.bad)
			bad[nb++] = l.lineno;
		else
			good[ng++] = l.lineno;
	}
	assert_int_equal(nb, 2);
	assert_int_equal(bad[0], 4);
	assert_int_equal(bad[1], 7);	/* upper case: not a key */
	assert_int_equal(ng, 4);
	assert_int_equal(good[0], 3);
	assert_int_equal(good[3], 8);
}

static void
test_edit_replaces_first_drops_later_keeps_rest(void **state)
{
	char *out = NULL, v[64];
	size_t len;

	(void)state;
	assert_int_equal(config_edit(text, strlen(text), "group", "Monday",
	    &out, &len), 0);
	assert_int_equal(strlen(out), len);
	assert_non_null(strstr(out, "# my settings\n"));
	assert_non_null(strstr(out, "this line is no setting\n"));
	assert_non_null(strstr(out, "group = Monday\n"));
	assert_null(strstr(out, "Thursday"));
	assert_null(strstr(out, "Tuesday"));
	/* The last line gets its newline. */
	assert_non_null(strstr(out, "editor = vim\n"));
	assert_int_equal(config_lookup(out, len, "group", v, sizeof(v)), 0);
	assert_string_equal(v, "Monday");
	free(out);
	/* A new key is appended; NULL removes. */
	assert_int_equal(config_edit("", 0, "listen", "0.0.0.0:1", &out,
	    &len), 0);
	assert_string_equal(out, "listen = 0.0.0.0:1\n");
	free(out);
	assert_int_equal(config_edit(text, strlen(text), "group", NULL, &out,
	    &len), 0);
	assert_int_equal(config_lookup(out, len, "group", v, sizeof(v)),
	    BAL_ENOENT);
	free(out);
}

static void
test_check_knows_the_table(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(config_check("listen", "0.0.0.0:7451", &why), 0);
	assert_int_equal(config_check("listen", "[::]:7451", &why), 0);
	assert_int_equal(config_check("listen", "nowhere", &why), BAL_EINVAL);
	assert_int_equal(config_check("listen", "1.2.3.4:65536", &why),
	    BAL_EINVAL);
	assert_int_equal(config_check("group", "a\nb", &why), BAL_EINVAL);
	assert_int_equal(config_check("group", "", &why), BAL_EINVAL);
	assert_int_equal(config_check("listen", "none", &why), 0);
	assert_int_equal(config_check("tor", "off", &why), 0);
	assert_int_equal(config_check("tor", "maybe", &why), BAL_EINVAL);
	assert_int_equal(config_check("colour", "blue", &why), BAL_ENOENT);
	assert_non_null(config_key_find("editor"));
	assert_null(config_key_find("Editor"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_last_wins_and_trims),
		cmocka_unit_test(test_next_numbers_lines_and_marks_bad_ones),
		cmocka_unit_test(test_edit_replaces_first_drops_later_keeps_rest),
		cmocka_unit_test(test_check_knows_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
