/*
 * test-guard.c — the de-identification guard (guard/): its score on the
 * hand-annotated corpus in tests/guard/ against the goals of issue 17,
 * and the rules one by one (check digits, what is not an identifier,
 * UTF-8 forms, offsets, allow lists, garbage).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guard.h"
#include "guard-score.h"

static struct guard *g;

static int
setup(void **state)
{
	(void)state;
	/* Run from the top of the tree (tests/run.sh): its data/guard/. */
	g = guard_new("data/guard", NULL);
	return g == NULL || *guard_warning(g) != '\0' ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	guard_free(g);
	return 0;
}

/* The categories found in text, as "cat:text cat:text". */
static char *
found(const char *text, const struct guard_allow *a)
{
	static char out[1024];
	struct guard_hit *h;
	size_t n, i, o = 0;

	out[0] = '\0';
	assert_int_equal(guard_check(g, text, strlen(text), a, &h, &n), 0);
	for (i = 0; i < n && o < sizeof(out) - 1; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:%.*s",
		    i ? " " : "", guard_cat_name(h[i].cat),
		    (int)(h[i].bend - h[i].bstart), text + h[i].bstart);
	free(h);
	return out;
}

static void
test_corpus_goals(void **state)
{
	struct score sc;
	char why[200];
	int l;

	(void)state;
	assert_int_equal(score_corpus(g, "tests/guard", 1, &sc), 0);
	for (l = 0; l < SCORE_LANGS; l++)
		assert_true(sc.notes[l] >= 30);
	score_print(&sc, stdout);
	if (score_goals(&sc, why, sizeof(why)) != 0)
		fail_msg("corpus goal missed: %s", why);
}

static void
test_check_digits(void **state)
{
	(void)state;
	/* Valid numbers, then the same with one digit changed. */
	assert_string_equal(found("pnr 19811228-9874 x", NULL),
	    "id:19811228-9874");
	assert_string_equal(found("ref 19811228-9875 x", NULL), "");
	assert_string_equal(found("lab 811228-9874", NULL), "id:811228-9874");
	assert_string_equal(found("Nr 17063222119.", NULL), "id:17063222119");
	assert_string_equal(found("Nr 17063222118.", NULL), "");
	assert_string_equal(found("HETU 130880-189K", NULL), "id:130880-189K");
	assert_string_equal(found("x 130880-189L", NULL), "");
	assert_string_equal(found("tz 524344561", NULL), "id:524344561");
	assert_string_equal(found("lab 524344562", NULL), "");
	assert_string_equal(found("NHS 943 476 5919", NULL),
	    "id:943 476 5919");
	assert_string_equal(found("ref 9434765918", NULL), "");
	assert_string_equal(found("nr 9434765919", NULL), "id:9434765919");
	assert_string_equal(found("x 030554-9894", NULL), "id:030554-9894");
	assert_string_equal(found("SSN 051-93-7976", NULL), "id:051-93-7976");
	assert_string_equal(found("code 666-93-7976", NULL), "");
}

static void
test_not_identifiers(void **state)
{
	(void)state;
	assert_string_equal(found("Sertralin 50 mg 1-0-1, BT 120/80, "
	    "session 12, sedan 2019, i 3 år, 45 år gammal, vikt 88 kg, "
	    "mars 2023, vecka 11, 8+8+10 E, Hb 134.", NULL), "");
	assert_string_equal(found("She is 45 and was seen 3 times in 2021; "
	    "dose 2.5 mg, 1-1-0, PHQ-9 21.", NULL), "");
	assert_string_equal(found("היא בת 45, ציפרלקס 10 מ\"ג, לחץ דם 130/85,"
	    " פגישה 12, בשנת 1995.", NULL), "");
	assert_string_equal(found("version 1.2.3, ISBN 978-91-1-302478-0, "
	    "lab 2023-0455-77, kl 13.30-15.00, 2019-2021, 3-4 gånger, "
	    "v. 32+4, 0.5 ml", NULL), "");
	/* A year alone or a month with a year is no date; a full one is. */
	assert_string_equal(found("i maj 2019 och 3 maj 2019", NULL),
	    "date:3 maj 2019");
	/* A day without a year only beside admission, discharge, birth. */
	assert_string_equal(found("möte 3 maj; inlagd 4 maj", NULL),
	    "date:4 maj");
}

static void
test_ages(void **state)
{
	(void)state;
	assert_string_equal(found("en 89-årig man", NULL), "");
	assert_string_equal(found("en 91-årig man", NULL), "age:91");
	assert_string_equal(found("aged 93, she is 94", NULL),
	    "age:93 age:94");
	assert_string_equal(found("הוא בן 92", NULL), "age:92");
}

static void
test_phones_mail_addresses(void **state)
{
	(void)state;
	assert_string_equal(found("ring 070-123 45 67 eller +46 8 123 456 78",
	    NULL), "phone:070-123 45 67 phone:+46 8 123 456 78");
	assert_string_equal(found("tel (555) 123-4567.", NULL),
	    "phone:(555) 123-4567");
	/* Nordic, Israeli, UK and US forms, national and international. */
	assert_string_equal(found("+47 912 34 567, +45 12 34 56 78, "
	    "+358 40 123 4567, 040 123 4567, 22 33 44 55", NULL),
	    "phone:+47 912 34 567 phone:+45 12 34 56 78 "
	    "phone:+358 40 123 4567 phone:040 123 4567 phone:22 33 44 55");
	assert_string_equal(found("טלפון 03-5551234, +972-54-5551234", NULL),
	    "phone:03-5551234 phone:+972-54-5551234");
	assert_string_equal(found("0044 20 7946 0958 or +1 (212) 555-0187",
	    NULL), "phone:0044 20 7946 0958 phone:+1 (212) 555-0187");
	assert_string_equal(found("mail a.b@example.co.uk.", NULL),
	    "email:a.b@example.co.uk");
	assert_string_equal(found("Storgatan 12, 123 45 Vänersborg", NULL),
	    "address:Storgatan 12 address:123 45 Vänersborg");
	assert_string_equal(found("at 221B Baker Street, NW1 6XE", NULL),
	    "address:221B Baker Street address:NW1 6XE");
	assert_string_equal(found("גר ברחוב הרצל 12", NULL),
	    "address:ברחוב הרצל 12");
	assert_string_equal(found("journalnummer 2023-04567", NULL),
	    "record:2023-04567");
}

static void
test_names(void **state)
{
	(void)state;
	/* Unknown capitalised word, a listed name, a title, a possessive. */
	assert_string_equal(found("Vi träffade Wikander och Björn igår.",
	    NULL), "name:Wikander name:Björn");
	assert_string_equal(found("Ett björn. Dr Berg kom, Karlssons hund.",
	    NULL), "name:Berg name:Karlssons");
	assert_string_equal(found("We met Mrs Johnson's son.", NULL),
	    "name:Johnson");
	/* Initials after a title are how a case is kept anonymous. */
	assert_string_equal(found("Re Mrs K: she came back.", NULL), "");
	/* Everyday names of the group are not names. */
	assert_string_equal(found("Som Balint och Winnicott sa, och Freud.",
	    NULL), "");
	/* Hebrew: a listed name, behind prefixes, an ambiguous one. */
	assert_string_equal(found("דיברנו עם דני ולדני יש אח", NULL),
	    "name:דני name:ולדני");
	assert_string_equal(found("הוא בן גיל צעיר. מר לוי הגיע", NULL),
	    "name:לוי");
	assert_string_equal(found("ד\"ר שמש ראה אותו", NULL), "name:שמש");
}

static void
test_utf8_forms(void **state)
{
	struct guard_hit *h;
	size_t n;
	/* "Ä" decomposed (A + U+0308); "דָּנִי" with points. */
	const char *nfd = "Vi såg Ha\xcc\x88ggqvist idag.";
	const char *pts = "שלום \xd7\x93\xd6\xb8\xd6\xbc\xd7\xa0\xd6\xb4"
	    "\xd7\x99 כאן";

	(void)state;
	assert_int_equal(guard_check(g, nfd, strlen(nfd), NULL, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].cat, GUARD_NAME);
	assert_int_equal(h[0].start, 7);	/* code points, not bytes */
	assert_int_equal(h[0].end, 17);
	assert_int_equal(h[0].line, 1);
	assert_int_equal(h[0].col, 8);
	free(h);
	assert_int_equal(guard_check(g, pts, strlen(pts), NULL, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].start, 5);
	assert_int_equal(h[0].end, 11);
	free(h);
}

static void
test_allow_list(void **state)
{
	struct guard_allow *a = guard_allow_new();

	(void)state;
	assert_non_null(a);
	assert_string_equal(found("Presentatör: Karin. Hon och Wikander.",
	    NULL), "name:Karin name:Wikander");
	/* The roster's names and a group's own words (NFD, any case). */
	assert_int_equal(guard_allow_add(a, "karin lindgren, WIKANDER", 24),
	    0);
	assert_string_equal(found("Presentatör: Karin. Hon och Wikander.", a),
	    "");
	assert_int_equal(guard_allow_add(a, "דני", strlen("דני")), 0);
	assert_string_equal(found("ולדני יש", a), "");
	guard_allow_free(a);
}

static void
test_lines_and_garbage(void **state)
{
	static const char bad[] = "\xff\xfe 19811228-9874\n\xc3\n\x80x "
	    "Wikander\0 070-123 45 67";
	struct guard_hit *h;
	size_t n;

	(void)state;
	assert_int_equal(guard_check(g, bad, sizeof(bad) - 1, NULL, &h, &n),
	    0);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].line, 1);
	assert_int_equal(h[0].col, 4);
	assert_int_equal(h[1].line, 3);
	assert_int_equal(h[1].col, 4);
	assert_int_equal(h[2].cat, GUARD_PHONE);
	free(h);
	assert_int_equal(guard_check(g, "", 0, NULL, &h, &n), 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_goals),
		cmocka_unit_test(test_check_digits),
		cmocka_unit_test(test_not_identifiers),
		cmocka_unit_test(test_ages),
		cmocka_unit_test(test_phones_mail_addresses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_utf8_forms),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_lines_and_garbage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
