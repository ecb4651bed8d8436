/*
 * fuzz-identity-id.c — identity_id_decode (proto/identity.c), the member
 * id that people type or paste ("bm..." in base32 with a checksum).
 *
 * Input: the text (NUL-terminated by the harness).  Checked: no memory
 * error; the result is 0, BAL_EPROTO or BAL_ECHECKSUM; a decoded key
 * prints back as the canonical id, which decodes to the same key, and
 * has a fingerprint.
 */
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, id[IDENTITY_ID_TEXT_BYTES], fpr[IDENTITY_FPR_TEXT_BYTES];
	uint8_t pk[BAL_PK_BYTES], pk2[BAL_PK_BYTES];
	int rc;

	fuzz_reset();
	if (size > 4096)
		return 0;
	fuzz_check((text = malloc(size + 1)) != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	rc = identity_id_decode(text, pk);
	fuzz_check(rc == 0 || rc == BAL_EPROTO || rc == BAL_ECHECKSUM);
	if (rc == 0) {
		identity_id_encode(pk, id);
		fuzz_check(strlen(id) == IDENTITY_ID_TEXT_BYTES - 1);
		fuzz_check(identity_id_decode(id, pk2) == 0);
		fuzz_check(memcmp(pk, pk2, sizeof(pk)) == 0);
		identity_fingerprint(pk, fpr);
		fuzz_check(strlen(fpr) == IDENTITY_FPR_TEXT_BYTES - 1);
	}
	free(text);
	return 0;
}
