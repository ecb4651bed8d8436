/*
 * test-search.c — the folding of note.search (handlers_search_fold): case
 * and accents, Swedish å ä ö, Hebrew points and cantillation, and what
 * must stay (letters, Hebrew punctuation that is not a point, line ends);
 * and the export's order by case (handlers_case_order), which folds the
 * references alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bal.h"
#include "control.h"
#include "group.h"
#include "note.h"

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

/*
 * The export's order: a case's notes together where the case first
 * appears ("k7" and "K7" one case), its case note first even when a
 * follow-up came earlier, the rest as written; notes of no case and
 * deleted ones where they were.
 */
static void
test_case_order(void **state)
{
	static const struct { int kind; const char *cref; uint64_t t; } w[] = {
		{ NOTE_KIND_SESSION, "", 10 },		/* 0 */
		{ NOTE_KIND_FOLLOWUP, "k7", 20 },	/* 1: before its case */
		{ NOTE_KIND_SESSION, "", 30 },		/* 2 */
		{ NOTE_KIND_CASE, "K8", 40 },		/* 3 */
		{ NOTE_KIND_CASE, "K7", 50 },		/* 4 */
		{ NOTE_KIND_FOLLOWUP, "K8", 60 },	/* 5 */
		{ NOTE_KIND_FOLLOWUP, "K7", 15 },	/* 6: older, synced late */
		{ NOTE_KIND_SESSION, "", 70 },		/* 7: deleted */
	};
	static const size_t want[] = { 0, 4, 6, 1, 2, 3, 5, 7 };
	struct group_note gn[8];
	struct note nt[8];
	size_t *idx = NULL, i;

	(void)state;
	memset(gn, 0, sizeof(gn));
	memset(nt, 0, sizeof(nt));
	for (i = 0; i < 8; i++) {
		nt[i].kind = w[i].kind;
		nt[i].case_ref = (char *)(uintptr_t)w[i].cref;
		gn[i].note = &nt[i];
		gn[i].created_ms = w[i].t;
	}
	gn[7].deleted = 1;
	assert_int_equal(handlers_case_order(gn, 8, &idx), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(idx[i], want[i]);
	free(idx);
	assert_int_equal(handlers_case_order(gn, 0, &idx), 0);
	assert_null(idx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_and_accents),
		cmocka_unit_test(test_hebrew),
		cmocka_unit_test(test_lines_and_errors),
		cmocka_unit_test(test_case_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
