/*
 * contract-fixture.h — what the contract tests share (test-contract.c,
 * test-contract-text.c): sample texts and helpers.
 */
#ifndef BAL_TEST_CONTRACT_FIXTURE_H
#define BAL_TEST_CONTRACT_FIXTURE_H

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

extern struct identity *contract_alice, *contract_bob, *carol;

extern char bob_id[IDENTITY_ID_TEXT_BYTES];

extern char alice_id[IDENTITY_ID_TEXT_BYTES];

extern uint8_t salt[CONTRACT_SALT_BYTES];

int contract_setup(void **state);

int contract_teardown(void **state);

/* Parses s with alice as founder; the test fails unless it parses. */
struct contract * parse_ok(const char *s);

/* Builds the contract text with every key set; bob is the Co-leader. */
char * full_text(void);

struct contract * full_contract(void);

void encode_ok(const struct contract *c, uint8_t **buf, size_t *len);

#endif
