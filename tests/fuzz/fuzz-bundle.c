/*
 * fuzz-bundle.c — the bundle file (proto/bundle.c): bundle_decode of a
 * plaintext, and bundle_open under the fixed key FUZZ_KEY_BUNDLE followed
 * by bundle_decode of what opens (seeds are sealed under that key).
 *
 * Input: a plaintext or a whole file.  Checked: no memory error; what
 * decodes holds its limits (entries 1..ENTRY_MAX_ENCODED bytes, counts
 * within BUNDLE_MAX_*), re-encodes, and the round trip is stable; an
 * opened file's plaintext is its length minus the overhead.
 */
#include "bundle.h"
#include "entry.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void
check_plain(const uint8_t *data, size_t size)
{
	struct bundle_dec *d = NULL, *d2 = NULL;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1, l2, i;

	if (bundle_decode(data, size, &d) != 0) {
		fuzz_check(d == NULL);
		return;
	}
	fuzz_check(d->b.n <= BUNDLE_MAX_ENTRIES &&
	    d->b.nhave <= BUNDLE_MAX_HAVE);
	for (i = 0; i < d->b.n; i++) {
		fuzz_check(d->b.lens[i] >= 1 &&
		    d->b.lens[i] <= ENTRY_MAX_ENCODED);
		fuzz_touch(d->b.entries[i], d->b.lens[i]);
	}
	fuzz_touch(d->b.have, d->b.nhave * sizeof(*d->b.have));
	fuzz_check(bundle_encode(&d->b, &e1, &l1) == 0);
	fuzz_check(l1 <= size);
	fuzz_check(bundle_decode(e1, l1, &d2) == 0);
	fuzz_check(bundle_encode(&d2->b, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
	bundle_dec_free(d);
	bundle_dec_free(d2);
	free(e1);
	free(e2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[32], *plain = NULL;
	size_t plen = 0;

	fuzz_reset();
	check_plain(data, size);
	fuzz_key(key, FUZZ_KEY_BUNDLE);
	if (bundle_open(key, data, size, &plain, &plen) == 0) {
		fuzz_check(plen + BUNDLE_OVERHEAD == size);
		check_plain(plain, plen);
		free(plain);
	} else
		fuzz_check(plain == NULL);
	return 0;
}
