/* contract-fixture.c — see contract-fixture.h. */
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

struct identity *contract_alice, *contract_bob, *carol;

char bob_id[IDENTITY_ID_TEXT_BYTES];

char alice_id[IDENTITY_ID_TEXT_BYTES];

uint8_t salt[CONTRACT_SALT_BYTES];

int
contract_setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(seed, 'a', sizeof(seed));
	if (identity_from_seed(seed, &contract_alice) != 0)
		return -1;
	memset(seed, 'b', sizeof(seed));
	if (identity_from_seed(seed, &contract_bob) != 0)
		return -1;
	memset(seed, 'c', sizeof(seed));
	if (identity_from_seed(seed, &carol) != 0)
		return -1;
	identity_id_encode(contract_bob->pk, bob_id);
	identity_id_encode(contract_alice->pk, alice_id);
	memset(salt, 0x5a, sizeof(salt));
	return 0;
}

int
contract_teardown(void **state)
{
	(void)state;
	identity_free(contract_alice);
	identity_free(contract_bob);
	identity_free(carol);
	return 0;
}

/* Parses s with alice as founder; the test fails unless it parses. */
struct contract *
parse_ok(const char *s)
{
	struct contract *c = NULL;
	char err[256];
	int rc;

	rc = contract_parse(s, strlen(s), contract_alice->pk, T0, salt, &c, err,
	    sizeof(err));
	if (rc != 0)
		print_error("unexpected parse error: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	assert_string_equal(err, "");
	return c;
}

/* Builds the contract text with every key set; bob is the Co-leader. */
char *
full_text(void)
{
	static const char fmt[] =
	    "Name: Balint group Nord\n"
	    "History: full\n"
	    "Cadence: every other week, 90 minutes\n"
	    "Retention: 730\n"
	    "Co-leader: %s\n"
	    "\n"
	    "Goals.\n"
	    "\n"
	    "What is discussed in the group stays in the group.\n";
	char *s = malloc(sizeof(fmt) + IDENTITY_ID_TEXT_BYTES);

	assert_non_null(s);
	snprintf(s, sizeof(fmt) + IDENTITY_ID_TEXT_BYTES, fmt, bob_id);
	return s;
}

struct contract *
full_contract(void)
{
	char *s = full_text();
	struct contract *c = parse_ok(s);

	free(s);
	return c;
}

void
encode_ok(const struct contract *c, uint8_t **buf, size_t *len)
{
	assert_int_equal(contract_encode(c, buf, len), 0);
	assert_non_null(*buf);
	assert_true(*len > 0);
}
