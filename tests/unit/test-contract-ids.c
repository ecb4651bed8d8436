/*
 * test-contract-ids.c — the contract's "Identifiers: refuse | warn | off"
 * key (the de-identification guard's rule for a group): its text form,
 * the optional trailing field of the canonical encoding, amendments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "contract.h"
#include "identity.h"

#define T0 1700000000000ULL

static struct identity *alice;
static uint8_t salt[CONTRACT_SALT_BYTES];

static int
setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(seed, 'a', sizeof(seed));
	memset(salt, 0x5a, sizeof(salt));
	return identity_from_seed(seed, &alice);
}

static int
teardown(void **state)
{
	(void)state;
	identity_free(alice);
	return 0;
}

static struct contract *
parse(const char *s, int want_rc, const char *want_err)
{
	struct contract *c = NULL;
	char err[256] = "";

	assert_int_equal(contract_parse(s, strlen(s), alice->pk, T0, salt, &c,
	    err, sizeof(err)), want_rc);
	if (want_err != NULL && strstr(err, want_err) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want_err);
	return c;
}

static void
test_text(void **state)
{
	struct contract *c;
	char *text;
	size_t len;

	(void)state;
	c = parse("Name: G\n\nText\n", 0, NULL);
	assert_int_equal(c->identifiers, CONTRACT_IDS_REFUSE);
	assert_int_equal(contract_text(c, NULL, &text, &len), 0);
	assert_null(strstr(text, "Identifiers"));
	free(text);
	contract_free(c);
	c = parse("Name: G\nIdentifiers: warn\n\nText\n", 0, NULL);
	assert_int_equal(c->identifiers, CONTRACT_IDS_WARN);
	assert_int_equal(contract_text(c, NULL, &text, &len), 0);
	assert_non_null(strstr(text, "\nIdentifiers: warn\n"));
	free(text);
	contract_free(c);
	c = parse("Name: G\nidentifiers: OFF\n\nText\n", 0, NULL);
	assert_int_equal(c->identifiers, CONTRACT_IDS_OFF);
	contract_free(c);
	assert_null(parse("Name: G\nIdentifiers: maybe\n\nT\n", BAL_ESYNTAX,
	    "line 2: Identifiers must be 'refuse', 'warn' or 'off', not "
	    "'maybe'"));
	assert_null(parse("Name: G\nIdentifiers: off\nIdentifiers: warn\n\n"
	    "T\n", BAL_ESYNTAX, "duplicate key 'Identifiers'"));
	/* The template documents the key and still parses. */
	assert_non_null(strstr(contract_template(), "#Identifiers: refuse"));
	c = parse(contract_template(), 0, NULL);
	assert_int_equal(c->identifiers, CONTRACT_IDS_REFUSE);
	contract_free(c);
	assert_string_equal(contract_identifiers_name(CONTRACT_IDS_WARN),
	    "warn");
	assert_null(contract_identifiers_name(7));
}

static void
test_encoding(void **state)
{
	struct contract *c, *d = NULL;
	uint8_t *enc = NULL, *enc2 = NULL, h1[BAL_HASH_BYTES],
	    h2[BAL_HASH_BYTES];
	size_t len = 0, len2 = 0;

	(void)state;
	/* The default is not encoded: old contracts keep their hash. */
	c = parse("Name: G\n\nText\n", 0, NULL);
	assert_int_equal(contract_encode(c, &enc, &len), 0);
	assert_int_equal(enc[0], 0x9a);		/* fixarray of 10 */
	assert_int_equal(contract_hash(c, h1), 0);
	/* warn is: an eleventh field, a new hash, and it decodes back. */
	c->identifiers = CONTRACT_IDS_WARN;
	assert_int_equal(contract_encode(c, &enc2, &len2), 0);
	assert_int_equal(enc2[0], 0x9b);
	assert_int_equal(len2, len + 1);
	assert_int_equal(enc2[len2 - 1], CONTRACT_IDS_WARN);
	assert_int_equal(contract_hash(c, h2), 0);
	assert_memory_not_equal(h1, h2, sizeof(h1));
	assert_int_equal(contract_decode(enc2, len2, &d), 0);
	assert_int_equal(d->identifiers, CONTRACT_IDS_WARN);
	contract_free(d);
	/* An explicit default is not canonical; 3 is out of range. */
	enc2[len2 - 1] = CONTRACT_IDS_REFUSE;
	assert_int_equal(contract_decode(enc2, len2, &d), BAL_EPROTO);
	enc2[len2 - 1] = 3;
	assert_int_equal(contract_decode(enc2, len2, &d), BAL_EPROTO);
	assert_null(d);
	/* A value out of range is not encoded either. */
	free(enc2);
	c->identifiers = 9;
	assert_int_equal(contract_encode(c, &enc2, &len2), BAL_EINVAL);
	assert_null(enc2);
	free(enc);
	contract_free(c);
}

static void
test_amend(void **state)
{
	const char *t = "Name: G\nIdentifiers: off\n\nText\n";
	struct contract *c, *next = NULL;
	char err[256];

	(void)state;
	c = parse("Name: G\n\nText\n", 0, NULL);
	assert_int_equal(contract_amend(c, t, strlen(t), alice->pk, T0 + 1,
	    &next, err, sizeof(err)), 0);
	assert_int_equal(next->identifiers, CONTRACT_IDS_OFF);
	assert_int_equal(contract_amend_verify(c, next, alice->pk), 0);
	contract_free(next);
	contract_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_amend),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
