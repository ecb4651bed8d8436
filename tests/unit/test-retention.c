/*
 * test-retention.c — the contract's retention period on real SQLite files:
 * the cutoff, the injected clock, a pass that erases old note entries and
 * keeps young ones (each version by its own time), erased entries that
 * still verify, chain and reload, expired notes erased as they arrive,
 * groups without retention left alone, and the libuv timer.
 *
 * main() sets BALINT_CLOCK_OFFSET_MS before anything reads the clock, so
 * the whole run uses the shifted clock (as a test daemon would).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include <uv.h>

#include "contract.h"
#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "note.h"
#include "retention.h"
#include "roster.h"
#include "store.h"

#include "group-fixture.h"

#define RETENTION_MARKER "RETENTION-RETENTION_MARKER-3b9e"
#define OFFSET_MS (-3600000LL)		/* the test's clock: an hour back */
#define DAY RETENTION_DAY_MS

/* Founds a group; days 0: no Retention line. */
static struct group *
found_days(struct member *m, const char *name, unsigned days)
{
	char text[256], err[256], ret[32] = "";
	struct group *g = NULL;

	if (days > 0)
		snprintf(ret, sizeof(ret), "Retention: %u\n", days);
	snprintf(text, sizeof(text), "Name: %s\nHistory: from-join\n%s\n"
	    "What is said here stays here.\n", name, ret);
	assert_int_equal(group_create(&m->d, text, strlen(text), &g, err,
	    sizeof(err)), 0);
	assert_non_null(g);
	assert_int_equal(g->contract->retention_days, days);
	return g;
}

static int
receive_raw(struct group *g, uint8_t *const *p, const size_t *len, size_t n)
{
	char why[512];
	size_t stored = 0;

	return group_receive(g, (const uint8_t *const *)p, len, n, NULL,
	    &stored, why, sizeof(why));
}

/* The key of g's write epoch. */
static const uint8_t *
write_key(struct group *g, uint64_t *epoch)
{
	size_t i;

	assert_true(g->roster->write_epoch != ROSTER_NO_EPOCH);
	*epoch = g->roster->epochs[g->roster->write_epoch].id;
	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].epoch == *epoch)
			return g->keys[i].key;
	fail();
	return NULL;
}

/*
 * Seals (does not store) m's next note entry in g with header time
 * time_ms: a new note (supersedes NULL) or a version of one.  Returns the
 * encoded entry (free() it); id (optional) gets its entry id.
 */
static uint8_t *
forge_note(struct member *m, struct group *g, uint64_t time_ms,
    const uint8_t note_id[NOTE_ID_BYTES], const char *body,
    const uint8_t *supersedes, size_t *bloblen, uint8_t *id)
{
	struct entry_header h;
	struct entry *prev = NULL, *e = NULL;
	struct note n;
	const uint8_t *key;
	uint8_t hid[BAL_HASH_BYTES], *pblob = NULL, *buf = NULL, *blob = NULL;
	size_t plen = 0, len = 0;
	uint64_t seq = 0, epoch;

	assert_int_equal(store_entry_head(m->d.store, g->id, m->d.id->pk, &seq,
	    hid), 0);
	if (seq > 0) {
		assert_int_equal(store_entry_get(m->d.store, g->id,
		    m->d.id->pk, seq, &pblob, &plen), 0);
		assert_int_equal(entry_decode(pblob, plen, &prev), 0);
	}
	assert_int_equal(entry_header_next(&h, g->id, m->d.id->pk, prev,
	    g->lamport), 0);
	key = write_key(g, &epoch);
	h.kind = ENTRY_KIND_NOTE;
	h.epoch = epoch;
	h.time = time_ms;
	memset(&n, 0, sizeof(n));
	memcpy(n.id, note_id, NOTE_ID_BYTES);
	n.kind = NOTE_KIND_SESSION;
	n.title = (char *)"t";
	n.body = (char *)body;
	if (supersedes != NULL) {
		n.has_supersedes = 1;
		memcpy(n.supersedes, supersedes, BAL_HASH_BYTES);
	}
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(entry_seal(&h, m->d.id, key, buf, len, NULL, &e), 0);
	note_buf_free(buf, len);
	assert_int_equal(entry_encode(e, &blob, bloblen), 0);
	if (id != NULL)
		memcpy(id, e->id, BAL_HASH_BYTES);
	entry_free(e);
	entry_free(prev);
	free(pblob);
	return blob;
}

/* Forges m's next note in g at time_ms and stores it through receive. */
static void
receive_note(struct member *m, struct group *g, uint64_t time_ms,
    const uint8_t note_id[NOTE_ID_BYTES], const char *body,
    const uint8_t *supersedes, uint8_t *id)
{
	uint8_t *blob;
	size_t len;

	blob = forge_note(m, g, time_ms, note_id, body, supersedes, &len, id);
	assert_int_equal(receive_raw(g, &blob, &len, 1), 0);
	free(blob);
}

/* Writes a new note through group_append (the clock's time). */
static void
write_session(struct group *g, const uint8_t note_id[NOTE_ID_BYTES],
    const char *body, uint8_t *id)
{
	struct note n;
	struct entry *e = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	memset(&n, 0, sizeof(n));
	memcpy(n.id, note_id, NOTE_ID_BYTES);
	n.kind = NOTE_KIND_SESSION;
	n.title = (char *)"t";
	n.body = (char *)body;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(group_append(g, ENTRY_KIND_NOTE, buf, len, &e), 0);
	note_buf_free(buf, len);
	if (id != NULL)
		memcpy(id, e->id, BAL_HASH_BYTES);
	entry_free(e);
}

static int
file_has(const char *path, const void *needle, size_t nlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long sz;
	size_t i;
	int found = 0;

	if (f == NULL)
		return 0;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	rewind(f);
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	for (i = 0; !found && (size_t)sz >= nlen && i <= (size_t)sz - nlen; i++)
		found = memcmp(buf + i, needle, nlen) == 0;
	free(buf);
	return found;
}

/* Is needle anywhere in the store's files (database, WAL, shared memory)? */
static int
store_has(struct member *m, const void *needle, size_t nlen)
{
	char p[160];

	if (file_has(m->path, needle, nlen))
		return 1;
	snprintf(p, sizeof(p), "%s-wal", m->path);
	if (file_has(p, needle, nlen))
		return 1;
	snprintf(p, sizeof(p), "%s-shm", m->path);
	return file_has(p, needle, nlen);
}

/* 32 bytes of the stored ciphertext of author's entry at seq. */
static void
ciphertext_sample(struct member *m, struct group *g, const uint8_t *author,
    uint64_t seq, uint8_t out[32])
{
	uint8_t *blob = NULL;
	size_t len = 0;
	struct entry *e = NULL;

	assert_int_equal(store_entry_get(m->d.store, g->id, author, seq, &blob,
	    &len), 0);
	assert_int_equal(entry_decode(blob, len, &e), 0);
	assert_non_null(e->body);
	assert_true(e->bodylen >= 24 + 32);
	memcpy(out, e->body + 24, 32);
	entry_free(e);
	free(blob);
}

/* 32 bytes of the ciphertext of an encoded entry. */
static void
blob_sample(const uint8_t *blob, size_t len, uint8_t out[32])
{
	struct entry *e = NULL;

	assert_int_equal(entry_decode(blob, len, &e), 0);
	assert_non_null(e->body);
	assert_true(e->bodylen >= 24 + 32);
	memcpy(out, e->body + 24, 32);
	entry_free(e);
}

struct erased_row {
	uint64_t seq;
	int found, erased;
};

static int
erased_row_cb(void *ctx, const struct store_entry_row *row)
{
	struct erased_row *r = ctx;

	r->found = row->seq == r->seq;
	r->erased = row->erased;
	return 1;
}

/*
 * Is author's entry at seq stored erased: the erased column set, and the
 * blob a verifying entry without a body?  (Both must agree.)
 */
static int
stored_erased(struct member *m, struct group *g, const uint8_t *author,
    uint64_t seq)
{
	struct erased_row r = { seq, 0, 0 };
	uint8_t *blob = NULL;
	size_t len = 0;
	struct entry *e = NULL;
	int erased;

	assert_int_equal(store_entries_each(m->d.store, g->id, author, seq - 1,
	    1, erased_row_cb, &r), 0);
	assert_true(r.found);
	assert_int_equal(store_entry_get(m->d.store, g->id, author, seq, &blob,
	    &len), 0);
	assert_int_equal(entry_decode(blob, len, &e), 0);
	erased = entry_is_erased(e);
	assert_int_equal(erased, r.erased);
	entry_free(e);
	free(blob);
	return erased;
}

/* author's whole log in g verifies and chains, entry after entry. */
static void
log_verifies(struct group *g, const uint8_t *author, uint64_t expect_n)
{
	struct blobs b;
	struct entry *prev = NULL, *e = NULL;
	size_t i;

	log_of(g, author, 0, &b);
	assert_int_equal(b.n, expect_n);
	for (i = 0; i < b.n; i++) {
		assert_int_equal(entry_decode(b.p[i], b.len[i], &e), 0);
		assert_int_equal(entry_follows(prev, e), 0);
		entry_free(prev);
		prev = e;
		e = NULL;
	}
	entry_free(prev);
	blobs_free(&b);
}

/* How many notes g lists (not deleted), and whether one has body. */
static size_t
listed(struct group *g, const char *body)
{
	struct group_note *notes = NULL;
	size_t n = 0, i, shown = 0;
	int found = 0;

	assert_int_equal(group_notes(g, &notes, &n), 0);
	for (i = 0; i < n; i++) {
		if (notes[i].deleted || notes[i].note == NULL)
			continue;
		shown++;
		if (body != NULL && strcmp(notes[i].note->body, body) == 0)
			found = 1;
	}
	group_notes_free(notes, n);
	if (body != NULL && !found)
		return 0;
	return shown;
}

/* Tests. */

static void
test_cutoff(void **state)
{
	struct contract c;
	uint64_t now = 1700000000000ull;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(retention_cutoff(NULL, now), 0);
	assert_int_equal(retention_cutoff(&c, now), 0);
	assert_false(retention_expired(&c, 0, now));
	assert_false(retention_expired(NULL, 0, now));
	c.retention_days = 1;
	assert_int_equal(retention_cutoff(&c, now), now - DAY);
	assert_int_equal(retention_cutoff(&c, DAY), 0);
	assert_int_equal(retention_cutoff(&c, DAY - 1), 0);
	assert_int_equal(retention_cutoff(&c, DAY + 1), 1);
	/* Older than the period: strictly more than N days before now. */
	assert_true(retention_expired(&c, now - DAY - 1, now));
	assert_false(retention_expired(&c, now - DAY, now));
	assert_false(retention_expired(&c, now, now));
	assert_false(retention_expired(&c, now + DAY, now));
	assert_true(retention_expired(&c, 0, now));
	c.retention_days = CONTRACT_RETENTION_MAX;
	/* A hundred years: nothing written since 1970 has expired. */
	assert_int_equal(retention_cutoff(&c, now), 0);
	assert_int_equal(retention_cutoff(&c,
	    (uint64_t)CONTRACT_RETENTION_MAX * DAY + 5), 5);
}

static void
test_clock_offset(void **state)
{
	struct timespec ts;
	int64_t before, after, now;

	(void)state;
	assert_int_equal(daemon_clock_offset_ms(), OFFSET_MS);
	clock_gettime(CLOCK_REALTIME, &ts);
	before = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	now = (int64_t)daemon_now_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	after = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	assert_true(now >= before + OFFSET_MS);
	assert_true(now <= after + OFFSET_MS);
	/* Read once: changing the variable later changes nothing. */
	assert_int_equal(setenv("BALINT_CLOCK_OFFSET_MS", "5", 1), 0);
	assert_int_equal(daemon_clock_offset_ms(), OFFSET_MS);
}

/*
 * A pass erases the note entries older than the period, whoever wrote
 * them, and keeps the others; each version counts by its own time.
 */
static void
test_pass(void **state)
{
	struct member a;
	struct group *g, *plain;
	uint8_t x[NOTE_ID_BYTES], y[NOTE_ID_BYTES], z[NOTE_ID_BYTES];
	uint8_t ex1[BAL_HASH_BYTES], c1[32], c2[32], c3[32];
	uint8_t gid[BAL_GROUP_ID_BYTES];
	uint64_t t0, n0, n1;
	size_t n;

	(void)state;
	member_open(&a, 1, "alice");
	g = found_days(&a, "Kept a day", 1);
	plain = found_days(&a, "Kept forever", 0);
	memcpy(gid, g->id, sizeof(gid));
	note_id_generate(NULL, a.d.id->pk, x);
	note_id_generate(NULL, a.d.id->pk, y);
	note_id_generate(NULL, a.d.id->pk, z);
	t0 = daemon_now_ms();
	/* seq 2: x v1 and seq 3: y, now; seq 4: x v2, seq 5: z, 3 days on. */
	write_session(g, x, "x1 " RETENTION_MARKER, ex1);
	write_session(g, y, "y " RETENTION_MARKER, NULL);
	receive_note(&a, g, t0 + 3 * DAY, x, "x2 young", ex1, NULL);
	receive_note(&a, g, t0 + 3 * DAY, z, "z young", NULL, NULL);
	write_session(plain, x, "plain " RETENTION_MARKER, NULL);
	assert_int_equal(listed(g, NULL), 3);
	ciphertext_sample(&a, g, a.d.id->pk, 2, c1);
	ciphertext_sample(&a, g, a.d.id->pk, 3, c2);
	ciphertext_sample(&a, plain, a.d.id->pk, 2, c3);
	assert_true(store_has(&a, c1, sizeof(c1)));
	assert_int_equal(store_entry_count(a.d.store, g->id, &n0), 0);

	/* Nothing is older than a day yet. */
	assert_int_equal(retention_group(g, t0 + DAY / 2, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(retention_run(&a.d, t0 + DAY / 2), 0);
	assert_int_equal(listed(g, NULL), 3);
	assert_false(stored_erased(&a, g, a.d.id->pk, 2));

	/* Two days on: x v1 and y go; x v2 and z stay. */
	assert_int_equal(retention_run(&a.d, t0 + 2 * DAY), 0);
	assert_true(stored_erased(&a, g, a.d.id->pk, 2));
	assert_true(stored_erased(&a, g, a.d.id->pk, 3));
	assert_false(stored_erased(&a, g, a.d.id->pk, 4));
	assert_false(stored_erased(&a, g, a.d.id->pk, 5));
	assert_false(stored_erased(&a, g, a.d.id->pk, 1));	/* roster */
	assert_int_equal(listed(g, NULL), 2);
	assert_int_not_equal(listed(g, "x2 young"), 0);
	assert_int_not_equal(listed(g, "z young"), 0);
	assert_int_equal(listed(g, "y " RETENTION_MARKER), 0);
	/* The ciphertext left the database and the WAL. */
	assert_false(store_has(&a, c1, sizeof(c1)));
	assert_false(store_has(&a, c2, sizeof(c2)));
	/* The rows stay: signed headers keep the log whole. */
	assert_int_equal(store_entry_count(a.d.store, g->id, &n1), 0);
	assert_int_equal(n1, n0);
	log_verifies(g, a.d.id->pk, 5);
	/* The group without retention keeps its note. */
	assert_false(stored_erased(&a, plain, a.d.id->pk, 2));
	assert_true(store_has(&a, c3, sizeof(c3)));
	assert_int_not_equal(listed(plain, "plain " RETENTION_MARKER), 0);

	/* A second pass has nothing left to do. */
	assert_int_equal(retention_group(g, t0 + 2 * DAY, &n), 0);
	assert_int_equal(n, 0);

	/* After a restart the erased log loads, verifies and lists the same. */
	member_reopen(&a);
	g = group_find(&a.d, gid);
	assert_non_null(g);
	log_verifies(g, a.d.id->pk, 5);
	assert_int_equal(listed(g, NULL), 2);
	/* Much later everything goes, the latest versions too. */
	assert_int_equal(retention_group(g, t0 + 5 * DAY, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(listed(g, NULL), 0);
	log_verifies(g, a.d.id->pk, 5);
	member_close(&a);
}

/*
 * An expired note is erased as it arrives, on every member, and syncs on
 * as an erased entry; without retention it is kept.
 */
static void
test_receive_expired(void **state)
{
	struct member a, b;
	struct group *ga, *gb = NULL, *pa, *pb = NULL;
	struct blobs la, lp;
	uint8_t gid[BAL_GROUP_ID_BYTES], pid[BAL_GROUP_ID_BYTES];
	uint8_t x[NOTE_ID_BYTES], y[NOTE_ID_BYTES], *old, *oldp, c[32];
	size_t oldlen, oldplen;
	uint64_t t0;
	struct entry *e = NULL;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found_days(&a, "Kept a day", 1);
	pa = found_days(&a, "Kept forever", 0);
	memcpy(gid, ga->id, sizeof(gid));
	memcpy(pid, pa->id, sizeof(pid));
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(add_member(&a, pa, &b, 1), 0);
	note_id_generate(NULL, a.d.id->pk, x);
	note_id_generate(NULL, a.d.id->pk, y);
	t0 = daemon_now_ms();
	write_session(ga, y, "young", NULL);

	/* bob joins both groups with what alice holds so far. */
	assert_int_equal(group_join_new(&b.d, gid, &gb), 0);
	assert_int_equal(group_join_new(&b.d, pid, &pb), 0);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(la.n, 3);
	assert_int_equal(receive_raw(gb, la.p, la.len, la.n), 0);
	log_of(pa, a.d.id->pk, 0, &lp);
	assert_int_equal(receive_raw(pb, lp.p, lp.len, lp.n), 0);
	blobs_free(&la);
	blobs_free(&lp);
	assert_int_equal(listed(gb, "young"), 1);

	/* A note three days old, as a slow peer would hand it on. */
	old = forge_note(&a, ga, t0 - 3 * DAY, x, "old " RETENTION_MARKER, NULL,
	    &oldlen, NULL);
	oldp = forge_note(&a, pa, t0 - 3 * DAY, x, "old plain", NULL, &oldplen,
	    NULL);
	blob_sample(old, oldlen, c);
	/* bob receives the intact copy first: stored erased. */
	assert_int_equal(receive_raw(gb, &old, &oldlen, 1), 0);
	assert_true(stored_erased(&b, gb, a.d.id->pk, 4));
	assert_false(store_has(&b, c, sizeof(c)));
	assert_int_equal(listed(gb, NULL), 1);
	/* And alice, whose own log it is (a restored backup, say). */
	assert_int_equal(receive_raw(ga, &old, &oldlen, 1), 0);
	assert_true(stored_erased(&a, ga, a.d.id->pk, 4));
	assert_false(store_has(&a, c, sizeof(c)));
	assert_int_equal(listed(ga, NULL), 1);
	/* The same copy again is a no-op; it stays erased. */
	assert_int_equal(receive_raw(gb, &old, &oldlen, 1), 0);
	assert_true(stored_erased(&b, gb, a.d.id->pk, 4));
	/* What syncs on from now is the erased entry. */
	log_of(gb, a.d.id->pk, 0, &la);
	assert_int_equal(la.n, 4);
	assert_int_equal(entry_decode(la.p[3], la.len[3], &e), 0);
	assert_true(entry_is_erased(e));
	entry_free(e);
	blobs_free(&la);
	log_verifies(ga, a.d.id->pk, 4);
	log_verifies(gb, a.d.id->pk, 4);
	assert_false(store_has(&a, RETENTION_MARKER, strlen(RETENTION_MARKER)));
	assert_false(store_has(&b, RETENTION_MARKER, strlen(RETENTION_MARKER)));

	/* Without retention, the same old note is kept and read. */
	assert_int_equal(receive_raw(pb, &oldp, &oldplen, 1), 0);
	assert_false(stored_erased(&b, pb, a.d.id->pk, 3));
	assert_int_equal(listed(pb, "old plain"), 1);
	free(old);
	free(oldp);
	member_close(&a);
	member_close(&b);
}

/* The timer runs passes on the loop and closes cleanly. */
static void
test_timer(void **state)
{
	struct member a;
	struct group *g;
	struct store_entry_row row;
	struct entry *e = NULL;
	uint8_t x[NOTE_ID_BYTES], *blob;
	size_t len;
	uv_loop_t loop;
	int i;

	(void)state;
	member_open(&a, 1, "alice");
	g = found_days(&a, "Kept a day", 1);
	note_id_generate(NULL, a.d.id->pk, x);
	/*
	 * An expired note stored intact, as one written before the clock
	 * moved on: straight into the store, past the receive-time check.
	 */
	blob = forge_note(&a, g, daemon_now_ms() - 2 * DAY, x, "old " RETENTION_MARKER,
	    NULL, &len, NULL);
	assert_int_equal(entry_decode(blob, len, &e), 0);
	memset(&row, 0, sizeof(row));
	memcpy(row.group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(row.author, e->h.author, BAL_PK_BYTES);
	row.seq = e->h.seq;
	memcpy(row.id, e->id, BAL_HASH_BYTES);
	row.kind = e->h.kind;
	row.epoch = e->h.epoch;
	row.lamport = e->h.lamport;
	row.time = e->h.time;
	row.blob = blob;
	row.bloblen = len;
	assert_int_equal(store_entry_put(a.d.store, &row), 0);
	entry_free(e);
	free(blob);
	assert_int_equal(listed(g, NULL), 1);

	assert_int_equal(uv_loop_init(&loop), 0);
	a.d.loop = &loop;
	/* A malformed interval falls back to the hour: start, stop. */
	assert_int_equal(setenv(RETENTION_INTERVAL_ENV, "12x", 1), 0);
	assert_int_equal(retention_start(&a.d), 0);
	assert_non_null(a.d.retention);
	retention_stop(&a.d);
	assert_null(a.d.retention);
	retention_stop(&a.d);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_false(stored_erased(&a, g, a.d.id->pk, 2));

	assert_int_equal(setenv(RETENTION_INTERVAL_ENV, "5", 1), 0);
	assert_int_equal(retention_start(&a.d), 0);
	assert_int_equal(retention_start(&a.d), 0);	/* already running */
	for (i = 0; i < 2000 && !stored_erased(&a, g, a.d.id->pk, 2); i++)
		uv_run(&loop, UV_RUN_ONCE);
	assert_true(stored_erased(&a, g, a.d.id->pk, 2));
	assert_int_equal(listed(g, NULL), 0);
	assert_false(store_has(&a, RETENTION_MARKER, strlen(RETENTION_MARKER)));
	retention_stop(&a.d);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_int_equal(unsetenv(RETENTION_INTERVAL_ENV), 0);
	a.d.loop = NULL;
	member_close(&a);
}

int
main(void)
{
	char off[32];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cutoff),
		cmocka_unit_test(test_clock_offset),
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_receive_expired),
		cmocka_unit_test(test_timer),
	};

	snprintf(off, sizeof(off), "%lld", OFFSET_MS);
	if (setenv("BALINT_CLOCK_OFFSET_MS", off, 1) != 0 ||
	    sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
