/*
 * fuzz-beacon.c — LAN discovery beacons (proto/beacon.c): beacon_decode
 * of a plaintext, and beacon_open of a datagram under the fixed key
 * FUZZ_KEY_BEACON (seeds are sealed under it).
 *
 * Input: a plaintext or a datagram.  Checked: no memory error; what
 * decodes has a port in 1..65535, re-encodes to no more bytes and decodes
 * to the same; a refused input leaves the beacon zeroed.
 */
#include "beacon.h"
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
check(int rc, const struct beacon *b, size_t size)
{
	static const struct beacon zero;
	uint8_t e[BEACON_MAX_PLAIN];
	struct beacon b2;
	size_t l;

	if (rc != 0) {
		fuzz_check(memcmp(b, &zero, sizeof(zero)) == 0);
		return;
	}
	fuzz_check(b->port >= 1);
	fuzz_check(beacon_encode(b, e, &l) == 0);
	fuzz_check(l <= size);
	fuzz_check(beacon_decode(e, l, &b2) == 0);
	fuzz_check(memcmp(b, &b2, sizeof(b2)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct beacon b;
	uint8_t key[32];

	fuzz_reset();
	check(beacon_decode(data, size, &b), &b, size);
	fuzz_key(key, FUZZ_KEY_BEACON);
	check(beacon_open(key, data, size, &b), &b, size);
	return 0;
}
