/*
 * gen-corpus-runs.c — seeds of the RUNS message (wire) and of the
 * entry-parts harness; made last, as they draw from the stream after all
 * the others; see gen-corpus.c.
 */
#include <string.h>
#include <sodium.h>

#include "fuzz.h"
#include "gen-corpus.h"
#include "contract.h"
#include "entry.h"
#include "epoch.h"
#include "invcode.h"
#include "joinmsg.h"
#include "roster.h"
#include "entry-parts.h"
#include "wire.h"

/* ---- RUNS (wire) and entry-parts; made last: they draw from fuzz_rng ---- */

/* The entry after prev of author with the given epoch, clock and body. */
static struct entry *
runs_entry(const struct identity *author, const struct entry *prev,
    int kind, uint64_t epoch, uint64_t observed, uint64_t time,
    const char *plain)
{
	struct entry_header h;
	struct entry *e;
	uint8_t key[BAL_KEY_BYTES];

	fuzz_key(key, FUZZ_KEY_EPOCH);
	CHECK(entry_header_next(&h, group_id, author->pk, prev, observed) == 0);
	h.kind = (uint8_t)kind;
	h.epoch = epoch;
	h.time = time;
	CHECK(entry_seal(&h, author, kind == ENTRY_KIND_NOTE ? key : NULL,
	    (const uint8_t *)plain, strlen(plain), gen_rng(), &e) == 0);
	return e;
}

/* The RUNS message of entries e[0..n), encoded. */
static void
runs_encode(struct entry *const *e, size_t n, uint8_t **out, size_t *len)
{
	struct entry_parts parts[8];
	struct entry_runs *r = NULL;
	uint8_t *enc[8];
	size_t elen[8], i;

	CHECK(n <= 8);
	for (i = 0; i < n; i++) {
		CHECK(entry_encode(e[i], &enc[i], &elen[i]) == 0);
		CHECK(entry_parts_split(enc[i], elen[i], &parts[i]) == 0);
	}
	CHECK(entry_runs_make(group_id, parts, n, &r) == 0);
	CHECK(wire_encode(&r->msg, out, len) == 0);
	entry_runs_free(r);
	for (i = 0; i < n; i++)
		free(enc[i]);
}

static void
emit_prefixed(const char *target, const char *name, const uint8_t *pre,
    size_t npre, const uint8_t *p, size_t n)
{
	struct buf b = { NULL, 0, 0 };

	put(&b, pre, npre);
	put(&b, p, n);
	emit_buf(target, name, &b);
}

/*
 * Leader L and member M write, interleaved in causal order: L1 (roster),
 * L2 (note), M1 (note), L3 (note, erased), L4 (note, another epoch, its
 * clock gone back), M2 (announce), L5 (announce).  Runs: L1-2, M1, L3-4,
 * M2, L5.
 */
void
gen_runs(void)
{
	struct entry *l[5], *m[2], *all[7], *later[4];
	struct buf b = { NULL, 0, 0 };
	uint8_t *p, *op, *enc;
	size_t len, oplen, elen, i;
	uint64_t t = FUZZ_TIME_MS;

	CHECK(roster_encode_leave(1, &op, &oplen) == 0);
	/* A roster body is not a string: sealed here. */
	{
		struct entry_header h;

		CHECK(entry_header_next(&h, group_id, leader->pk, NULL, 0) ==
		    0);
		h.kind = ENTRY_KIND_ROSTER;
		h.time = t;
		CHECK(entry_seal(&h, leader, NULL, op, oplen, gen_rng(),
		    &l[0]) == 0);
	}
	free(op);
	l[1] = runs_entry(leader, l[0], ENTRY_KIND_NOTE, 0x1234, 0, t + 1000,
	    "a session note, sealed under epoch 0x1234 and long enough");
	m[0] = runs_entry(member, NULL, ENTRY_KIND_NOTE, 0x1234,
	    l[1]->h.lamport, t + 5000, "the member's first note of all");
	l[2] = runs_entry(leader, l[1], ENTRY_KIND_NOTE, 0x1234,
	    m[0]->h.lamport, t + 70000, "this one will be erased");
	entry_erase(l[2]);
	l[3] = runs_entry(leader, l[2], ENTRY_KIND_NOTE, 0x99, 0, t + 65000,
	    "a note under a new epoch, written with a clock gone back");
	m[1] = runs_entry(member, m[0], ENTRY_KIND_ANNOUNCE, 0,
	    l[3]->h.lamport + 300, t + (1ULL << 33), "127.0.0.1:7000");
	l[4] = runs_entry(leader, l[3], ENTRY_KIND_ANNOUNCE, 0,
	    m[1]->h.lamport, t + (1ULL << 33) + 1, "[::1]:7001");
	all[0] = l[0];
	all[1] = l[1];
	all[2] = m[0];
	all[3] = l[2];
	all[4] = l[3];
	all[5] = m[1];
	all[6] = l[4];
	runs_encode(all, 7, &p, &len);
	emit("wire", "runs", p, len);
	emit_prefixed("entry-parts", "runs", (const uint8_t[]){ 2 }, 1,
	    p, len);
	free(p);
	/* What a member holding L1, L2 and M1 lacks: runs from seq 3 and 2. */
	later[0] = l[2];
	later[1] = l[3];
	later[2] = m[1];
	later[3] = l[4];
	runs_encode(later, 4, &p, &len);
	emit("wire", "runs-later", p, len);
	emit_prefixed("entry-parts", "runs-later", (const uint8_t[]){ 2 }, 1,
	    p, len);
	free(p);

	/* Mode 0: encoded entries. */
	for (i = 0; i < 7; i++) {
		static const char *const names[] = { "split-roster",
		    "split-note", "split-note-member", "split-erased",
		    "split-note-epoch", "split-announce-member",
		    "split-announce" };

		CHECK(entry_encode(all[i], &enc, &elen) == 0);
		emit_prefixed("entry-parts", names[i],
		    (const uint8_t[]){ 0 }, 1, enc, elen);
		free(enc);
	}
	/* Mode 1: parts field by field, signed by the leader or not. */
	put8(&b, 1);
	put8(&b, ENTRY_KIND_ANNOUNCE);
	put64(&b, 1);
	put64(&b, 0);
	put64(&b, 1);
	put64(&b, FUZZ_TIME_MS);
	put8(&b, 4);				/* signed */
	put(&b, (const uint8_t[32]){ 0 }, 32);
	put(&b, (const uint8_t[32]){ 0 }, 32);
	put(&b, (const uint8_t[64]){ 0 }, 64);
	put_str(&b, "10.0.0.1:7000");
	emit_buf("entry-parts", "join-signed", &b);
	put8(&b, 1);
	put8(&b, ENTRY_KIND_NOTE);
	put64(&b, 2);
	put64(&b, 0x1234);
	put64(&b, 9);
	put64(&b, FUZZ_TIME_MS + 5);
	put8(&b, 1 | 4);			/* erased, signed */
	put(&b, l[1]->id, 32);
	put(&b, l[2]->body_hash, 32);
	put(&b, l[2]->sig, 64);
	emit_buf("entry-parts", "join-erased", &b);
	put8(&b, 1);
	put8(&b, ENTRY_KIND_NOTE);
	put64(&b, 3);
	put64(&b, 0x99);
	put64(&b, 12);
	put64(&b, FUZZ_TIME_MS - 5);
	put8(&b, 2);				/* the member's, unsigned */
	put(&b, m[0]->id, 32);
	put(&b, (const uint8_t[32]){ 0 }, 32);
	put(&b, m[0]->sig, 64);
	put(&b, m[0]->body, m[0]->bodylen);
	emit_buf("entry-parts", "join-note", &b);

	for (i = 0; i < 5; i++)
		entry_free(l[i]);
	entry_free(m[0]);
	entry_free(m[1]);
}
