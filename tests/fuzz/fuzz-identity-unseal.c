/*
 * fuzz-identity-unseal.c — identity_unseal (proto/identity.c), the
 * passphrase-sealed key file.
 *
 * Input: the file's bytes.  identity_unseal runs Argon2id with the costs
 * the file names, and the decoder allows up to opslimit 64 and 1 GiB of
 * memory, which would stall a fuzzer; so the harness parses the costs
 * first (with proto/mp.h) and hands a file to identity_unseal only when
 * they are the minimum (crypto_pwhash_*_MIN).  identity_sealed_is_protected
 * (parse only) sees every input.  The seed corpus holds files sealed with
 * the minimum costs under FUZZ_PASS, and an unprotected one.
 *
 * Checked: no memory error; the result is a documented code; an unsealed
 * identity signs something its public key verifies.
 */
#include "fuzz.h"
#include "mp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* 1 when the costs (elements 2 and 3) are at most the minimum. */
static int
cheap(const uint8_t *data, size_t size)
{
	struct mp_doc doc;
	const msgpack_object *o;
	int ok = 1;
	uint32_t i;

	if (mp_doc_parse(&doc, data, size) != 0)
		return 1;	/* unseal refuses it before any Argon2 */
	o = mp_doc_root(&doc);
	if (o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size >= 4) {
		for (i = 2; i <= 3; i++) {
			const msgpack_object *c = &o->via.array.ptr[i];

			if (c->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
			    c->via.u64 > (i == 2 ? crypto_pwhash_OPSLIMIT_MIN :
			    crypto_pwhash_MEMLIMIT_MIN))
				ok = 0;
		}
	}
	mp_doc_free(&doc);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct identity *id = NULL;
	uint8_t sig[BAL_SIG_BYTES];
	int rc, prot;

	fuzz_reset();
	prot = identity_sealed_is_protected(data, size);
	fuzz_check(prot == 0 || prot == 1);
	if (!cheap(data, size))
		return 0;
	rc = identity_unseal(data, size, FUZZ_PASS, strlen(FUZZ_PASS), &id);
	if (rc != 0) {
		fuzz_check(rc == BAL_ECRYPTO || rc == BAL_EPROTO ||
		    rc == BAL_EVERSION);
		fuzz_check(id == NULL);
		return 0;
	}
	fuzz_check(identity_sign(id, "balint-fuzz-v1", data, size, sig) == 0);
	fuzz_check(identity_verify(id->pk, "balint-fuzz-v1", data, size,
	    sig) == 0);
	identity_free(id);
	/* A protected file needs the passphrase. */
	if (prot) {
		fuzz_check(identity_unseal(data, size, NULL, 0, &id) ==
		    BAL_ECRYPTO && id == NULL);
	}
	return 0;
}
