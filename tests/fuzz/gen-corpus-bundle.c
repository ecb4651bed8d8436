/*
 * gen-corpus-bundle.c — seeds of fuzz-bundle and fuzz-beacon (issue 15):
 * bundle plaintexts (empty, with a HAVE and two entries) and the same
 * sealed under the fixed key FUZZ_KEY_BUNDLE; a beacon's plaintext and
 * its datagram under FUZZ_KEY_BEACON.  Called last by main(), so it
 * changes no earlier corpus.
 */
#include <string.h>

#include "beacon.h"
#include "bundle.h"
#include "fuzz.h"
#include "gen-corpus.h"

static void
emit_both(const char *name, const struct bundle *b)
{
	uint8_t key[32], *p, *f;
	size_t len, flen;
	char sealed[64];

	CHECK(bundle_encode(b, &p, &len) == 0);
	fuzz_key(key, FUZZ_KEY_BUNDLE);
	CHECK(bundle_seal(key, p, len, &f, &flen) == 0);
	snprintf(sealed, sizeof(sealed), "sealed-%s", name);
	emit_free("bundle", name, p, len);
	emit_free("bundle", sealed, f, flen);
}

void
gen_bundle(void)
{
	static const uint8_t e1[] = { 0x93, 0x01, 0x02, 0x03 };
	uint8_t e2[200];
	const uint8_t *ents[2] = { e1, e2 };
	size_t lens[2] = { sizeof(e1), sizeof(e2) };
	struct wire_have_item have[2];
	struct bundle b;

	memset(&b, 0, sizeof(b));
	memcpy(b.group, group_id, BAL_GROUP_ID_BYTES);
	memcpy(b.writer, leader->pk, BAL_PK_BYTES);
	b.time_ms = FUZZ_TIME_MS;
	emit_both("empty", &b);
	memset(have, 0, sizeof(have));
	memcpy(have[0].author, leader->pk, BAL_PK_BYTES);
	have[0].seq = 3;
	memcpy(have[1].author, member->pk, BAL_PK_BYTES);
	have[1].seq = 1;
	memset(e2, 0xc4, sizeof(e2));
	b.have = have;
	b.nhave = 2;
	b.entries = ents;
	b.lens = lens;
	b.n = 2;
	emit_both("two", &b);
}

void
gen_beacon(void)
{
	uint8_t key[32], p[BEACON_MAX_PLAIN], d[BEACON_MAX_BYTES];
	struct beacon b;
	size_t len;

	memset(&b, 0, sizeof(b));
	memcpy(b.member, member->pk, BAL_PK_BYTES);
	b.port = 7451;
	b.time_ms = FUZZ_TIME_MS;
	CHECK(beacon_encode(&b, p, &len) == 0);
	emit("beacon", "plain", p, len);
	fuzz_key(key, FUZZ_KEY_BEACON);
	CHECK(beacon_seal(key, &b, d, &len) == 0);
	emit("beacon", "sealed", d, len);
}
