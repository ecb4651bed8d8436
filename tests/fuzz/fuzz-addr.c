/*
 * fuzz-addr.c — addr_split (proto/addr.c), the "HOST:PORT" texts of
 * invite codes, announces and `peer add`.
 *
 * Input: the text (NUL-terminated by the harness).  Checked: no memory
 * error; the result is 0 or BAL_EINVAL; an accepted text has a host of
 * 1..253 bytes with a kind and a scope, and splits again to the same.
 */
#include "fuzz.h"
#include "addr.h"

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
	struct addr_parts a, b;
	char *text;
	int rc;

	fuzz_reset();
	if (size > 1024)
		return 0;
	fuzz_check((text = malloc(size + 1)) != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	rc = addr_split(text, &a);
	fuzz_check(rc == 0 || rc == BAL_EINVAL);
	if (rc == 0) {
		fuzz_check(strlen(a.host) >= 1 && strlen(a.host) <=
		    ADDR_HOST_MAX);
		fuzz_check(a.kind >= ADDR_IPV4 && a.kind <= ADDR_ONION);
		fuzz_check(a.scope >= ADDR_GLOBAL && a.scope <= ADDR_WILDCARD);
		fuzz_check(addr_split(text, &b) == 0);
		fuzz_check(memcmp(&a, &b, sizeof(a)) == 0);
		fuzz_check(addr_is_loopback(text) == (a.scope ==
		    ADDR_LOOPBACK));
	}
	free(text);
	return 0;
}
