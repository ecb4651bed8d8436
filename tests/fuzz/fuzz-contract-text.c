/*
 * fuzz-contract-text.c — contract_parse (proto/contract-text.c), the text
 * form of the group contract that a leader writes in an editor.
 *
 * Input: the text.  Checked: no memory error; the result is 0,
 * BAL_ESYNTAX or BAL_ETOOBIG (BAL_EINVAL would be the parser's "internal
 * error"), and the error message is one NUL-terminated line; a parsed
 * contract passes contract_check, encodes, decodes to the same bytes, and
 * its text form (contract_text) parses back to the same contract; an
 * amendment from that text by the founder keeps the leaders.
 */
#include "fuzz.h"
#include "contract.h"

static struct identity *founder;
static uint8_t salt[CONTRACT_SALT_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	founder = fuzz_identity(FUZZ_SEED_LEADER);
	memset(salt, FUZZ_SALT, sizeof(salt));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contract *c = NULL, *c2 = NULL, *d = NULL, *a = NULL;
	uint8_t *e1 = NULL, *e2 = NULL, *e3 = NULL;
	char err[160], *text = NULL;
	size_t l1, l2, l3, tlen;
	unsigned i;
	int rc;

	fuzz_reset();
	memset(err, 'x', sizeof(err));
	rc = contract_parse((const char *)data, size, founder->pk, FUZZ_TIME_MS,
	    salt, &c, err, sizeof(err));
	fuzz_check(memchr(err, '\0', sizeof(err)) != NULL);
	fuzz_check(strchr(err, '\n') == NULL);
	if (rc != 0) {
		fuzz_check(rc == BAL_ESYNTAX || rc == BAL_ETOOBIG);
		fuzz_check(c == NULL && err[0] != '\0');
		goto out;
	}
	fuzz_check(contract_check(c) == 0);
	fuzz_check(memcmp(c->leaders[0], founder->pk, BAL_PK_BYTES) == 0);
	fuzz_check(contract_encode(c, &e1, &l1) == 0);
	fuzz_check(contract_decode(e1, l1, &d) == 0);
	fuzz_check(contract_encode(d, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);

	/* The text form parses back to the same contract. */
	fuzz_check(contract_text(c, founder->pk, &text, &tlen) == 0);
	fuzz_check(strlen(text) == tlen);
	rc = contract_parse(text, tlen, founder->pk, FUZZ_TIME_MS, salt, &c2,
	    err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "reparse: %s\n", err);
	fuzz_check(rc == 0);
	free(e2);
	e2 = NULL;
	fuzz_check(contract_encode(c2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);

	/* The founder amends with the same text: same leaders, chained. */
	rc = contract_amend(c, text, tlen, founder->pk, FUZZ_TIME_MS + 1, &a,
	    err, sizeof(err));
	fuzz_check(rc == 0);
	fuzz_check(a->nleaders == c->nleaders);
	for (i = 0; i < c->nleaders; i++)
		fuzz_check(contract_is_leader(a, c->leaders[i]));
	fuzz_check(contract_amend_verify(c, a, founder->pk) == 0);
	fuzz_check(contract_encode(a, &e3, &l3) == 0);
out:
	contract_free(c);
	contract_free(c2);
	contract_free(d);
	contract_free(a);
	free(e1);
	free(e2);
	free(e3);
	free(text);
	return 0;
}
