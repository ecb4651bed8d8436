/*
 * fuzz-invcode.c — invcode_decode (proto/invcode.c), the invite code a
 * person pastes into "balint join".
 *
 * Input: the text (NUL-terminated by the harness; bytes after a NUL are
 * ignored, as a C string would).  Checked: no memory error; the result is
 * a documented code and *ic is zeroed on every error; a decoded code's
 * addresses and name are NUL-terminated within their limits; it encodes
 * again, and that text decodes to the same invite.
 */
#include "fuzz.h"
#include "invcode.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static int
is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t acc = 0;

	while (n-- > 0)
		acc |= *b++;
	return acc == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct invcode ic, ic2;
	char *text, *enc = NULL;
	size_t i;
	int rc;

	fuzz_reset();
	if (size > INVCODE_TEXT_MAX + 16)
		return 0;
	fuzz_check((text = malloc(size + 1)) != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&ic, 0xa5, sizeof(ic));
	rc = invcode_decode(text, &ic);
	if (rc != 0) {
		fuzz_check(rc == BAL_EPROTO || rc == BAL_ECHECKSUM ||
		    rc == BAL_EVERSION || rc == BAL_ETOOBIG);
		fuzz_check(is_zero(&ic, sizeof(ic)));
		goto out;
	}
	fuzz_check(ic.naddrs >= 1 && ic.naddrs <= INVCODE_MAX_ADDRS);
	for (i = 0; i < ic.naddrs; i++)
		fuzz_check(strlen(ic.addrs[i]) >= 1);
	fuzz_check(memchr(ic.name, '\0', sizeof(ic.name)) != NULL);
	fuzz_check(invcode_encode(&ic, &enc) == 0);
	fuzz_check(strlen(enc) <= INVCODE_TEXT_MAX);
	fuzz_check(invcode_decode(enc, &ic2) == 0);
	fuzz_check(memcmp(ic.group, ic2.group, sizeof(ic.group)) == 0 &&
	    memcmp(ic.inviter, ic2.inviter, sizeof(ic.inviter)) == 0 &&
	    memcmp(ic.secret, ic2.secret, sizeof(ic.secret)) == 0 &&
	    ic.expires_ms == ic2.expires_ms && ic.naddrs == ic2.naddrs &&
	    strcmp(ic.name, ic2.name) == 0);
	for (i = 0; i < ic.naddrs; i++)
		fuzz_check(strcmp(ic.addrs[i], ic2.addrs[i]) == 0);
	invcode_wipe(&ic2);
out:
	invcode_wipe(&ic);
	if (enc != NULL) {
		sodium_memzero(enc, strlen(enc));
		free(enc);
	}
	free(text);
	return 0;
}
