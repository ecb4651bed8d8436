/*
 * test-contract-text.c — the contract's text form: parsing every key,
 * defaults, errors and limits, the template, text round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "contract.h"
#include "identity.h"
#include "mp.h"

#define T0 1700000000000ULL	/* a fixed creation time, Unix ms */
#include "contract-fixture.h"

/* Parses s[0..len); expects rc and an error that starts with "line N: "
 * and contains want. */
static void
parse_err_n(const char *s, size_t len, int want_rc, unsigned line,
    const char *want)
{
	struct contract *c = (struct contract *)1;
	char err[512], prefix[32];
	int rc;

	rc = contract_parse(s, len, contract_alice->pk, T0, salt, &c, err, sizeof(err));
	if (rc != want_rc || strstr(err, want) == NULL)
		print_error("rc %d, err '%s', wanted '%s'\n", rc, err, want);
	assert_int_equal(rc, want_rc);
	assert_null(c);
	snprintf(prefix, sizeof(prefix), "line %u: ", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		print_error("err '%s', wanted prefix '%s'\n", err, prefix);
	assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
	assert_non_null(strstr(err, want));
}

static void
parse_err(const char *s, unsigned line, const char *want)
{
	parse_err_n(s, strlen(s), BAL_ESYNTAX, line, want);
}

static void
test_parse_all_keys(void **state)
{
	struct contract *c;
	uint8_t zero[32] = { 0 };

	(void)state;
	c = full_contract();
	assert_int_equal(c->version, CONTRACT_VERSION);
	assert_string_equal(c->name, "Balint group Nord");
	assert_int_equal(c->history, CONTRACT_HISTORY_FULL);
	assert_string_equal(c->cadence, "every other week, 90 minutes");
	assert_int_equal(c->retention_days, 730);
	assert_int_equal(c->nleaders, 2);
	assert_memory_equal(c->leaders[0], contract_alice->pk, 32);
	assert_memory_equal(c->leaders[1], contract_bob->pk, 32);
	assert_true(contract_is_leader(c, contract_alice->pk));
	assert_true(contract_is_leader(c, contract_bob->pk));
	assert_false(contract_is_leader(c, carol->pk));
	assert_int_equal(c->created_ms, T0);
	assert_memory_equal(c->salt, salt, 32);
	assert_memory_equal(c->prev, zero, 32);
	assert_string_equal(c->text, "Goals.\n\nWhat is discussed in the group "
	    "stays in the group.\n");
	assert_string_equal(contract_history_name(c->history), "full");
	assert_int_equal(contract_check(c), 0);
	contract_free(c);
}

static void
test_parse_defaults(void **state)
{
	struct contract *c;

	(void)state;
	c = parse_ok("Name: G\n");
	assert_string_equal(c->name, "G");
	assert_int_equal(c->history, CONTRACT_HISTORY_FROM_JOIN);
	assert_string_equal(c->cadence, "");
	assert_int_equal(c->retention_days, 0);
	assert_int_equal(c->nleaders, 1);
	assert_string_equal(c->text, "");
	contract_free(c);

	/* No final newline; blank line then text; values trimmed. */
	c = parse_ok("  Name:\t  Balint  Süd  \t\n\ntext without newline");
	assert_string_equal(c->name, "Balint  Süd");
	assert_string_equal(c->text, "text without newline");
	contract_free(c);

	/* Keys are case-insensitive; Retention may say "days". */
	c = parse_ok("name: G\nHISTORY: Full\nretention: 1 day\n\n");
	assert_int_equal(c->history, CONTRACT_HISTORY_FULL);
	assert_int_equal(c->retention_days, 1);
	assert_string_equal(c->text, "");
	contract_free(c);
	c = parse_ok("Name: G\nRetention: 36500 days\n");
	assert_int_equal(c->retention_days, 36500);
	contract_free(c);

	/* The text is kept verbatim: leading blank lines, '#', "Key: x". */
	c = parse_ok("Name: G\n\n\n# not a comment\nName: not a key\n");
	assert_string_equal(c->text, "\n# not a comment\nName: not a key\n");
	contract_free(c);

	/* Exactly 80 bytes of name and 200 of cadence are fine. */
	{
		char s[400];

		snprintf(s, sizeof(s), "Name: %080d\nCadence: %0200d\n", 1, 2);
		c = parse_ok(s);
		assert_int_equal(strlen(c->name), 80);
		assert_int_equal(strlen(c->cadence), 200);
		contract_free(c);
	}
}

static void
test_parse_errors(void **state)
{
	char s[1024], long_name[128];
	char badid[IDENTITY_ID_TEXT_BYTES];

	(void)state;
	parse_err("Name: G\nHistory: full\nColour: blue\n", 3,
	    "unknown key 'Colour' (allowed: Name, History, Cadence, "
	    "Retention, Co-leader, Identifiers, Network)");
	parse_err("Name: G\nNetwork: tor\n", 2,
	    "Network must be 'any' or 'tor-only', not 'tor'");
	parse_err("Name: G\n# c\nName: H\n", 3,
	    "duplicate key 'Name' (first given on line 1)");
	parse_err("Name: G\nhistory: full\nHistory: full\n", 3,
	    "duplicate key 'History'");
	parse_err("Name: G\nThis is the goal of the group\n", 2,
	    "expected 'Key: value', a '#' comment or the blank line that ends "
	    "the header, got 'This is the goal of the group'");
	parse_err("Name: G\n: value\n", 2, "missing key before ':'");
	parse_err("Name: G\nCadence:   \n", 2, "'Cadence:' has no value");
	parse_err("Name:\n", 1, "'Name:' has no value");
	parse_err("Name: G\nHistory: all\n", 2,
	    "History must be 'from-join' or 'full', not 'all'");
	parse_err("Name: G\nRetention: 0\n", 2, "not '0'");
	parse_err("Name: G\nRetention: -3\n", 2,
	    "Retention must be a whole number of days from 1 to 36500");
	parse_err("Name: G\nRetention: 36501\n", 2, "not '36501'");
	parse_err("Name: G\nRetention: 99999999999999999999999\n", 2,
	    "Retention must be");
	parse_err("Name: G\nRetention: 12 weeks\n", 2, "not '12 weeks'");
	parse_err("Name: G\nRetention: days\n", 2, "not 'days'");

	memset(long_name, 'x', 81);
	long_name[81] = '\0';
	snprintf(s, sizeof(s), "# c\nName: %s\n", long_name);
	parse_err(s, 2, "Name is 81 bytes long, at most 80 allowed: 'xxx");
	snprintf(s, sizeof(s), "Name: G\nCadence: %0201d\n", 7);
	parse_err(s, 2, "Cadence is 201 bytes long, at most 200");
	parse_err("Name: a\tb\n", 1, "Name contains a control character: "
	    "'a\\x09b'");
	parse_err("Name: a\x1b[31mb\n", 1, "control character: 'a\\x1b[31mb'");
	parse_err("Name: a\xc2\x85 b\n", 1, "control character");
	parse_err("Name: a\xe2\x80\xa8 b\n", 1, "control character");
	parse_err("Name: G\rH\n", 1, "control character");
	parse_err("Name: \xff\xfe\n", 1, "not valid UTF-8");
	parse_err("Name: \xff\xfe\n", 1, "'Name: \\xff\\xfe'");
	parse_err("Name: G\n# caf\xe9\n", 2, "not valid UTF-8");

	/* Co-leader: not an id, a typing error, the founder. */
	parse_err("Name: G\nCo-leader: bob\n", 2,
	    "Co-leader 'bob' is not a member id (expected");
	parse_err("Name: G\nCo-leader: bm...\n", 2, "not a member id");
	memcpy(badid, bob_id, sizeof(badid));
	badid[20] = badid[20] == 'a' ? 'b' : 'a';
	snprintf(s, sizeof(s), "Name: G\r\nCo-leader: %s\r\n", badid);
	parse_err(s, 2, "checksum mismatch: a typing error?");
	snprintf(s, sizeof(s), "Name: G\nCo-leader: %s\n", alice_id);
	parse_err(s, 2, "is yourself");
	snprintf(s, sizeof(s), "Name: G\nCo-leader: %s\nCo-leader: %s\n",
	    bob_id, bob_id);
	parse_err(s, 3, "duplicate key 'Co-leader' (first given on line 2)");

	/* Missing Name. */
	parse_err("History: full\n\nName: G\n", 2,
	    "the header ends here without the required 'Name:' line");
	parse_err("# only a comment\nHistory: full", 2,
	    "ends with the file without the required 'Name:'");
	parse_err("", 1, "without the required 'Name:'");
	parse_err("\nName: G\n", 1, "ends here without");

	/* The free text. */
	parse_err_n("Name: G\n\nok\nbad \0 byte\n", 23, BAL_ESYNTAX, 4,
	    "the contract text contains a NUL byte");
	parse_err("Name: G\n\nok\n\nbell \a here\n", 5,
	    "the contract text contains a control character: "
	    "'bell \\x07 here'");
	parse_err("Name: G\n\nline\rline\n", 3, "stray carriage return");
	parse_err("Name: G\n\nends in CR\r", 3, "stray carriage return");
	parse_err("Name: G\n\n\xc3\x28\n", 3, "not valid UTF-8");
	parse_err("Name: G\n\nC1 \xc2\x9b here\n", 3, "control character");
}

static void
test_parse_limits(void **state)
{
	struct contract *c = NULL;
	size_t hdr = strlen("Name: G\n\n"), n;
	char *s, err[256];
	uint8_t *enc;
	size_t len;

	(void)state;
	n = hdr + CONTRACT_TEXT_MAX + 2;
	s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, "Name: G\n\n", hdr);
	memset(s + hdr, 'x', n - hdr);
	s[n] = '\0';

	/* Exactly CONTRACT_TEXT_MAX bytes of text (last line with CRLF). */
	s[hdr + CONTRACT_TEXT_MAX - 1] = '\r';
	s[hdr + CONTRACT_TEXT_MAX] = '\n';
	s[hdr + CONTRACT_TEXT_MAX + 1] = '\0';
	c = parse_ok(s);
	assert_int_equal(strlen(c->text), CONTRACT_TEXT_MAX);
	encode_ok(c, &enc, &len);
	assert_true(len <= CONTRACT_ENC_MAX);
	contract_free(c);
	free(enc);

	/* One byte more, on line 4. */
	s[hdr + CONTRACT_TEXT_MAX - 1] = '\n';
	s[hdr + CONTRACT_TEXT_MAX] = 'x';
	s[hdr + CONTRACT_TEXT_MAX + 1] = 'x';
	parse_err_n(s, hdr + CONTRACT_TEXT_MAX + 1, BAL_ETOOBIG, 4,
	    "the contract text (from line 3) is longer than 65536 bytes");
	free(s);

	/* Bad arguments, a tiny or absent error buffer. */
	assert_int_equal(contract_parse("Name: G\n", 8, NULL, T0, salt, &c,
	    err, sizeof(err)), BAL_EINVAL);
	assert_null(c);
	assert_int_equal(contract_parse(NULL, 3, contract_alice->pk, T0, salt, &c,
	    NULL, 0), BAL_EINVAL);
	assert_int_equal(contract_parse("Colour: x\n", 10, contract_alice->pk, T0,
	    salt, &c, NULL, 0), BAL_ESYNTAX);
	memset(err, 'Z', sizeof(err));
	assert_int_equal(contract_parse("Colour: x\n", 10, contract_alice->pk, T0,
	    salt, &c, err, 9), BAL_ESYNTAX);
	assert_string_equal(err, "line 1: ");
	assert_int_equal(err[9], 'Z');
}

/* Long and hostile input is quoted briefly and printably. */
static void
test_parse_error_quote(void **state)
{
	char s[512], err[512];
	struct contract *c;
	const char *q;

	(void)state;
	memset(s, 0, sizeof(s));
	memcpy(s, "Name: G\n", 8);
	memset(s + 8, 'y', 300);
	memcpy(s + 308, ": v\n", 4);
	assert_int_equal(contract_parse(s, strlen(s), contract_alice->pk, T0, salt,
	    &c, err, sizeof(err)), BAL_ESYNTAX);
	q = strstr(err, "unknown key '");
	assert_non_null(q);
	assert_non_null(strstr(err, "yyy...' (allowed:"));
	assert_true(strlen(err) < 176);

	/* Escapes are never cut in half, and multi-byte letters survive. */
	memset(s, 0, sizeof(s));
	memcpy(s, "Name: G\nX", 9);
	memset(s + 9, '\x01', 40);
	assert_int_equal(contract_parse(s, strlen(s), contract_alice->pk, T0, salt,
	    &c, err, sizeof(err)), BAL_ESYNTAX);
	assert_non_null(strstr(err, "got 'X\\x01\\x01"));
	assert_non_null(strstr(err, "\\x01...'"));
	assert_int_equal(contract_parse("Name: G\nÄrger: x\n",
	    strlen("Name: G\nÄrger: x\n"), contract_alice->pk, T0, salt, &c, err,
	    sizeof(err)), BAL_ESYNTAX);
	assert_non_null(strstr(err, "unknown key 'Ärger'"));
}

static void
test_parse_crlf_comments_bom(void **state)
{
	static const char lf[] =
	    "# a comment\n"
	    "Name: G\n"
	    "   # an indented comment\n"
	    "Cadence: weekly\n"
	    "#Retention: 10\n"
	    "\n"
	    "first\n"
	    "\n"
	    "second\n";
	static const char crlf[] =
	    "\xef\xbb\xbf# a comment\r\n"
	    "Name: G\r\n"
	    "   # an indented comment\r\n"
	    "Cadence: weekly\r\n"
	    "#Retention: 10\r\n"
	    "\r\n"
	    "first\r\n"
	    "\r\n"
	    "second\r\n";
	struct contract *a, *b;
	uint8_t *ea, *eb;
	size_t la, lb;

	(void)state;
	a = parse_ok(lf);
	b = parse_ok(crlf);
	assert_string_equal(b->name, "G");
	assert_string_equal(b->cadence, "weekly");
	assert_int_equal(b->retention_days, 0);
	assert_string_equal(b->text, "first\n\nsecond\n");
	encode_ok(a, &ea, &la);
	encode_ok(b, &eb, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ea, eb, la);
	free(ea);
	free(eb);
	contract_free(a);
	contract_free(b);

	/* A whitespace-only line ends the header too. */
	a = parse_ok("Name: G\n \t\r\nx\n");
	assert_string_equal(a->text, "x\n");
	contract_free(a);
}

static void
test_template(void **state)
{
	const char *t = contract_template();
	struct contract *c;

	(void)state;
	c = parse_ok(t);
	assert_string_equal(c->name, CONTRACT_TEMPLATE_NAME);
	assert_int_equal(c->history, CONTRACT_HISTORY_FROM_JOIN);
	assert_int_equal(c->nleaders, 1);
	assert_non_null(strstr(c->text,
	    "What is discussed in the group stays in the group."));
	assert_null(strchr(c->text, '#'));
	assert_int_equal(c->text[0] == '\n', 0);
	contract_free(c);
}

/* contract_text writes what contract_parse reads back identically. */
static void
test_text_roundtrip(void **state)
{
	struct contract *c, *d;
	uint8_t *e1, *e2;
	size_t l1, l2, tl;
	char *t;

	(void)state;
	c = full_contract();
	assert_int_equal(contract_text(c, contract_alice->pk, &t, &tl), 0);
	assert_int_equal(strlen(t), tl);
	assert_non_null(strstr(t, bob_id));
	d = parse_ok(t);
	encode_ok(c, &e1, &l1);
	encode_ok(d, &e2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(e1, e2, l1);
	free(e1);
	free(e2);
	free(t);
	contract_free(d);

	/* Seen by the co-leader, the Co-leader line names the founder. */
	assert_int_equal(contract_text(c, contract_bob->pk, &t, &tl), 0);
	assert_non_null(strstr(t, alice_id));
	assert_null(strstr(t, bob_id));
	free(t);
	contract_free(c);

	c = parse_ok("Name: G\n");
	assert_int_equal(contract_text(c, NULL, &t, NULL), 0);
	assert_string_equal(t, "Name: G\nHistory: from-join\n\n");
	free(t);
	contract_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_all_keys),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_error_quote),
		cmocka_unit_test(test_parse_crlf_comments_bom),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_text_roundtrip),
	};

	return cmocka_run_group_tests(tests, contract_setup, contract_teardown);
}
