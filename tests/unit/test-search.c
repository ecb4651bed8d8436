/*
 * test-search.c — the folding of note.search (handlers_search_fold): case
 * and accents, Swedish å ä ö, Hebrew points and cantillation, and what
 * must stay (letters, Hebrew punctuation that is not a point, line ends).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bal.h"
#include "control.h"

/* Folds s and compares the result with want. */
static void
fold_is(const char *s, const char *want)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(handlers_search_fold(s, strlen(s), &out, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(out, want);
	handlers_search_free(out, len);
}

static void
test_case_and_accents(void **state)
{
	(void)state;
	fold_is("Läkaren", "lakaren");
	fold_is("ÅÄÖ åäö", "aao aao");
	fold_is("Café ÉCOLE", "cafe ecole");
	/* Decomposed input folds like precomposed. */
	fold_is("La\xcc\x88karen", "lakaren");
	/* Case folding is more than tolower: ß folds to ss. */
	fold_is("Straße", "strasse");
	fold_is("", "");
	/* ASCII alone takes the short way, to the same result. */
	fold_is("Mixed CASE 123 [x]", "mixed case 123 [x]");
}

static void
test_hebrew(void **state)
{
	(void)state;
	/* shalom with niqqud (shin dot, qamats, holam) = without. */
	fold_is("\xd7\xa9\xd7\x81\xd6\xb8\xd7\x9c\xd7\x95\xd6\xb9\xd7\x9d",
	    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
	/* Cantillation (U+0591 etnahta) dropped too. */
	fold_is("\xd7\x90\xd6\x91\xd7\x91", "\xd7\x90\xd7\x91");
	/* Maqaf (U+05BE) is punctuation, not a point: kept. */
	fold_is("\xd7\x90\xd6\xbe\xd7\x91", "\xd7\x90\xd6\xbe\xd7\x91");
}

static void
test_lines_and_errors(void **state)
{
	char *out = NULL;
	size_t len = 0;

	(void)state;
	/* Line ends stay where they were: the matching line is found. */
	fold_is("A\nÄ\n\nB", "a\na\n\nb");
	assert_int_equal(handlers_search_fold("\xff\xfe", 2, &out, &len),
	    BAL_EINVAL);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_and_accents),
		cmocka_unit_test(test_hebrew),
		cmocka_unit_test(test_lines_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
