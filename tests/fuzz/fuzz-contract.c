/*
 * fuzz-contract.c — contract_decode and contract_signed_decode
 * (proto/contract.c): the canonical contract encoding an inviter sends a
 * joiner, and the signed container around it.
 *
 * Input: one encoding, given to both decoders.  The seed corpus holds
 * contracts and signed contracts of fixed leaders.  Checked: no memory
 * error; a decoded contract passes contract_check and is canonical (it
 * re-encodes to exactly the input); its hash, group id, text form and the
 * amendment checks run; a signed contract's signer is one of its leaders
 * and the signature verifies.
 */
#include "fuzz.h"
#include "contract.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void
check_contract(const struct contract *c)
{
	uint8_t h[BAL_HASH_BYTES], gid[BAL_GROUP_ID_BYTES];
	uint8_t leaders[CONTRACT_LEADERS_MAX][BAL_PK_BYTES];
	uint8_t *enc = NULL;
	char *text = NULL;
	size_t len, tlen, nl;
	int rc;

	fuzz_check(contract_check(c) == 0);
	fuzz_check(c->nleaders >= 1 && c->nleaders <= CONTRACT_LEADERS_MAX);
	fuzz_check(contract_hash(c, h) == 0);
	rc = contract_group_id(c, gid);
	fuzz_check(rc == 0 || rc == BAL_ESTATE);
	fuzz_check(contract_history_name(c->history) != NULL);
	fuzz_check(contract_text(c, c->leaders[0], &text, &tlen) == 0);
	fuzz_check(strlen(text) == tlen);
	fuzz_check(contract_encode(c, &enc, &len) == 0);
	/* A contract follows itself only if its prev is its own hash. */
	rc = contract_amend_check_bytes(enc, len, enc, len, c->leaders[0],
	    leaders, &nl);
	fuzz_check(rc == BAL_ECHAIN || rc == BAL_EPERM);
	free(text);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contract *c = NULL, *s = NULL;
	uint8_t *enc = NULL, signer[BAL_PK_BYTES];
	size_t len;

	fuzz_reset();
	if (contract_decode(data, size, &c) == 0) {
		check_contract(c);
		fuzz_check(contract_encode(c, &enc, &len) == 0);
		fuzz_check(len == size && memcmp(enc, data, size) == 0);
	} else {
		fuzz_check(c == NULL);
	}
	if (contract_signed_decode(data, size, &s, signer) == 0) {
		check_contract(s);
		fuzz_check(contract_is_leader(s, signer));
	} else {
		fuzz_check(s == NULL);
	}
	contract_free(c);
	contract_free(s);
	free(enc);
	return 0;
}
