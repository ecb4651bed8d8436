/*
 * gen-corpus-bundle.c — seeds of fuzz-bundle: bundle plaintexts (empty,
 * a HAVE, real encoded entries of the cast) and the same sealed under the
 * fixed key FUZZ_KEY_BUNDLE.  Called last by main(), so it changes no
 * earlier corpus.
 */
#include <string.h>

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
