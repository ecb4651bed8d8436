/*
 * test-receive.c — what a member refuses or skips of another member's
 * log, on real SQLite files: forged, foreign, gapped and malformed entries
 * (the batch refused whole, nothing changed), Lamport steps past the
 * bound, forked logs (the other branch skipped, the batch kept), and
 * notes that do not pass under a key held here (skipped the same way).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "entry.h"
#include "group-fixture.h"
#include "group-int.h"
#include "group.h"
#include "note.h"
#include "roster.h"
#include "store.h"

/* Receives [good, bad] at b and checks that nothing changed. */
static void
expect_reject(struct member *b, struct group *gb, struct blobs *good,
    struct blobs *bad, int code)
{
	struct blobs batch;
	uint8_t h1[32], h2[32];
	uint64_t before = count(b, gb);
	size_t nkeys = gb->nkeys, stored = 99;
	uint64_t lamport = gb->lamport;

	state_hash(gb, h1);
	memset(&batch, 0, sizeof(batch));
	if (good != NULL)
		collect_cb(&batch, good->p[0], good->len[0]);
	collect_cb(&batch, bad->p[0], bad->len[0]);
	n_entry = n_roster = 0;
	assert_int_equal(receive(gb, &batch, 0, batch.n, &stored), code);
	assert_int_equal(stored, 0);
	assert_int_equal(count(b, gb), before);
	assert_int_equal(n_entry, 0);
	assert_int_equal(n_roster, 0);
	assert_int_equal(gb->nkeys, nkeys);
	assert_int_equal(gb->lamport, lamport);
	state_hash(gb, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	blobs_free(&batch);
	blobs_free(bad);
}

static void
test_receive_rejects(void **state)
{
	struct member a, b, c;
	struct group *ga, *gb = NULL, *gp = NULL;
	struct blobs la, good, bad;
	struct entry *last = NULL, *next = NULL;
	uint8_t id[NOTE_ID_BYTES], wrong[BAL_KEY_BYTES], other[32];
	uint8_t *nb = NULL;
	size_t nblen = 0;
	struct note nt;
	uint64_t wepoch;
	const uint8_t *wkey;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(group_join_new(&b.d, ga->id, &gb), 0);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(receive(gb, &la, 0, la.n, NULL), 0);
	assert_int_equal(entry_decode(la.p[la.n - 1], la.len[la.n - 1], &last),
	    0);
	blobs_free(&la);

	/* good: alice's next entry, which bob does not have yet. */
	note_id_generate(NULL, a.d.id->pk, id);
	memset(&nt, 0, sizeof(nt));
	memcpy(nt.id, id, sizeof(id));
	nt.kind = NOTE_KIND_CASE;
	nt.title = "case";
	nt.body = "text";
	assert_int_equal(note_encode(&nt, &nb, &nblen), 0);
	wepoch = ga->roster->epochs[ga->roster->write_epoch].id;
	wkey = NULL;
	for (size_t i = 0; i < ga->nkeys; i++)
		if (ga->keys[i].epoch == wepoch)
			wkey = ga->keys[i].key;
	assert_non_null(wkey);
	memset(&good, 0, sizeof(good));
	forge(&a, ga->id, last, ENTRY_KIND_NOTE, wepoch, wkey, nb, nblen,
	    &good);
	assert_int_equal(entry_decode(good.p[0], good.len[0], &next), 0);

	/* A forged signature. */
	memset(&bad, 0, sizeof(bad));
	forge(&a, ga->id, next, ENTRY_KIND_NOTE, wepoch, wkey, nb, nblen, &bad);
	bad.p[0][bad.len[0] - 3] ^= 1;
	expect_reject(&b, gb, &good, &bad, BAL_ECRYPTO);
	/* An entry from someone who is not a member. */
	forge(&c, ga->id, NULL, ENTRY_KIND_NOTE, wepoch, wkey, nb, nblen, &bad);
	expect_reject(&b, gb, &good, &bad, BAL_EPERM);
	/* A gap in alice's log. */
	{
		struct entry_header h;
		struct entry *e = NULL;
		uint8_t *blob = NULL;
		size_t len = 0;

		assert_int_equal(entry_header_next(&h, ga->id, a.d.id->pk,
		    next, 0), 0);
		h.seq++;
		h.kind = ENTRY_KIND_NOTE;
		h.epoch = wepoch;
		assert_int_equal(entry_seal(&h, a.d.id, wkey, nb, nblen, NULL,
		    &e), 0);
		assert_int_equal(entry_encode(e, &blob, &len), 0);
		collect_cb(&bad, blob, len);
		free(blob);
		entry_free(e);
		expect_reject(&b, gb, &good, &bad, BAL_ECHAIN);
	}
	/* An unknown epoch. */
	forge(&a, ga->id, next, ENTRY_KIND_NOTE, 0xdeadbeefULL, wkey, nb,
	    nblen, &bad);
	expect_reject(&b, gb, &good, &bad, BAL_ENOENT);
	/* (A ciphertext that does not open: skipped, test_unreadable.) */
	(void)wrong;
	/* (Another entry at a seq bob holds: a fork, test_forked_log.) */
	/* An entry of another group. */
	randombytes_buf(other, sizeof(other));
	forge(&a, other, NULL, ENTRY_KIND_ANNOUNCE, 0, NULL,
	    (const uint8_t *)"\x92\x01\x91\xa3" "a:1", 7, &bad);
	expect_reject(&b, gb, &good, &bad, BAL_EPROTO);
	/* A malformed announce. */
	forge(&a, ga->id, next, ENTRY_KIND_ANNOUNCE, 0, NULL,
	    (const uint8_t *)"\x92\x01\x91\xa3" "a 1", 7, &bad);
	expect_reject(&b, gb, &good, &bad, BAL_EPROTO);
	/* An ADD without a valid acceptance. */
	assert_int_equal(add_member(&a, ga, &c, 0), BAL_EPERM);
	/* Garbage, and an oversized entry. */
	collect_cb(&bad, (const uint8_t *)"\x94\x01", 2);
	expect_reject(&b, gb, &good, &bad, BAL_EPROTO);
	{
		size_t big = ENTRY_MAX_ENCODED + 1;
		uint8_t *p = calloc(1, big);

		assert_non_null(p);
		collect_cb(&bad, p, big);
		free(p);
		expect_reject(&b, gb, &good, &bad, BAL_ETOOBIG);
	}

	/* The good entry alone goes in. */
	assert_int_equal(receive(gb, &good, 0, 1, NULL), 0);
	assert_int_equal(count(&b, gb), 3);

	/* A joining group takes nothing before the group's CREATE. */
	assert_int_equal(group_join_new(&c.d, ga->id, &gp), 0);
	forge(&b, ga->id, NULL, ENTRY_KIND_ANNOUNCE, 0, NULL,
	    (const uint8_t *)"\x92\x01\x91\xa3" "a:1", 7, &bad);
	expect_reject(&c, gp, NULL, &bad, BAL_EPERM);
	collect_cb(&bad, good.p[0], good.len[0]);
	expect_reject(&c, gp, NULL, &bad, BAL_ECHAIN);
	assert_null(gp->roster);
	group_forget(gp);
	assert_null(c.d.groups);

	blobs_free(&good);
	note_buf_free(nb, nblen);
	entry_free(last);
	entry_free(next);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/*
 * Issue 12, point 6: a batch of roster entries is folded once, not once per
 * entry (the fold reads every roster entry of the group); a note after
 * them in the batch is checked against the new roster.
 */
static void
test_fold_once(void **state)
{
	struct member a, b, c, d;
	struct group *ga, *gb;
	struct blobs la;
	uint8_t id[NOTE_ID_BYTES];
	size_t stored = 0;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	member_open(&d, 4, "dan");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	assert_int_equal(add_member(&a, ga, &d, 1), 0);
	/* Under the epoch of the last ADD, which bob lacks: stored unread. */
	note_id_generate(NULL, a.d.id->pk, id);
	assert_int_equal(write_note(ga, id, "t", "x", NULL, 0, NULL), 0);
	assert_int_equal(group_join_new(&b.d, ga->id, &gb), 0);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(la.n, 5);
	assert_int_equal(receive(gb, &la, 0, la.n, &stored), 0);
	assert_int_equal(stored, 5);
	/* CREATE and three ADDs, then the note: one fold. */
	assert_int_equal(gb->folds, 1);
	assert_int_equal(gb->roster->nmembers, 4);
	blobs_free(&la);
	member_close(&a);
	member_close(&b);
	member_close(&c);
	member_close(&d);
}

/*
 * Issue 12, point 6: per-author limits.  The rule alone, then at a
 * receiver: alice's entries beyond a day's limit are skipped (her log held
 * there, counted), the rest of the batch is taken; her own daemon refuses
 * to write beyond it.
 */
static void
test_limits(void **state)
{
	static const uint8_t ann[] = "\x92\x01\x91\xa3" "a:1";
	const uint64_t day = 24ull * 3600 * 1000, t = 20000 * day + 5;
	struct group_use u;
	struct member a, b, c;
	struct group *ga, *gb, *gc;
	struct blobs la, batch;
	struct entry *last = NULL, *e = NULL;
	uint8_t id[NOTE_ID_BYTES];
	size_t stored = 0, i;
	char why[128];

	(void)state;
	setenv("BALINT_AUTHOR_LIMITS", "4,5000,10,20000", 1);
	group_limits_reload();
	memset(&u, 0, sizeof(u));
	u.day = t / day;
	u.entries = 9;
	u.bytes = 100;
	u.day_entries = 3;
	u.day_bytes = 100;
	assert_int_equal(group_limits_check(&u, t, 100, why, sizeof(why)), 0);
	assert_int_equal(group_limits_check(&u, t, 4901, why, sizeof(why)),
	    BAL_ETOOBIG);
	u.day_entries = 4;
	assert_int_equal(group_limits_check(&u, t, 1, why, sizeof(why)),
	    BAL_ETOOBIG);
	assert_non_null(strstr(why, "per author and day"));
	/* Another day: only the totals. */
	assert_int_equal(group_limits_check(&u, t + day, 1, why, sizeof(why)),
	    0);
	u.entries = 10;
	assert_int_equal(group_limits_check(&u, t + day, 1, why, sizeof(why)),
	    BAL_ETOOBIG);
	u.entries = 0;
	u.bytes = 19990;
	assert_int_equal(group_limits_check(&u, t + day, 11, why, sizeof(why)),
	    BAL_ETOOBIG);
	group_limits_add(&u, t, 10);
	assert_int_equal(u.day_entries, 5);
	assert_int_equal(u.bytes, 20000);

	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	gc = join_log(&c, ga, a.d.id->pk);
	(void)gb;
	/*
	 * Limits of 2 entries a day: alice holds 3 today (CREATE, ADDs:
	 * roster entries are not refused); 3 announces of hers on day 0
	 * (forge's time), and bob's.
	 */
	setenv("BALINT_AUTHOR_LIMITS", "2,5000,10,20000", 1);
	group_limits_reload();
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(la.n, 3);
	assert_int_equal(entry_decode(la.p[2], la.len[2], &last), 0);
	blobs_free(&la);
	memset(&batch, 0, sizeof(batch));
	for (i = 0; i < 3; i++) {
		forge(&a, ga->id, last, ENTRY_KIND_ANNOUNCE, 0, NULL, ann, 7,
		    &batch);
		entry_free(last);
		assert_int_equal(entry_decode(batch.p[i], batch.len[i], &last),
		    0);
	}
	forge(&b, ga->id, NULL, ENTRY_KIND_ANNOUNCE, 0, NULL, ann, 7, &batch);
	assert_int_equal(receive(gc, &batch, 0, batch.n, &stored), 0);
	assert_int_equal(stored, 3);	/* two of alice's, and bob's */
	assert_int_equal(group_held_count(gc, GROUP_HELD_LIMIT), 1);
	assert_true(group_fork_seen(gc, a.d.id->pk));
	blobs_free(&batch);
	/* alice's own daemon: not a third entry today. */
	note_id_generate(NULL, a.d.id->pk, id);
	assert_int_equal(write_note(ga, id, "t", "y", NULL, 0, NULL),
	    BAL_ETOOBIG);
	unsetenv("BALINT_AUTHOR_LIMITS");
	group_limits_reload();
	assert_int_equal(write_note(ga, id, "t", "y", NULL, 0, NULL), 0);
	entry_free(last);
	entry_free(e);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/* The key of g's write epoch. */
static const uint8_t *
write_key(const struct group *g, uint64_t *epoch)
{
	size_t i;

	*epoch = g->roster->epochs[g->roster->write_epoch].id;
	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].epoch == *epoch)
			return g->keys[i].key;
	return NULL;
}

/* An encoded note of id (malloc'd by note_encode; note_buf_free it). */
static void
note_of(const uint8_t id[NOTE_ID_BYTES], const char *title, uint8_t **nb,
    size_t *nblen)
{
	struct note nt;

	memset(&nt, 0, sizeof(nt));
	memcpy(nt.id, id, NOTE_ID_BYTES);
	nt.kind = NOTE_KIND_CASE;
	nt.title = (char *)title;
	nt.body = "text";
	assert_int_equal(note_encode(&nt, nb, nblen), 0);
}

/*
 * Issue 12, points 4 and 5.  Alice signs a note that does not open under
 * the epoch key carol holds (a member without the key would store and
 * relay it): carol skips it and the rest of her log behind it, stores the
 * rest of the batch (bob's announce), counts it once, and a resend changes
 * nothing.
 * Then carol writes a "first version" of alice's note id: her own write is
 * refused, and forged past her daemon it is skipped at alice the same way;
 * the note stays alice's.
 */
static void
test_unreadable(void **state)
{
	static const uint8_t ann[] = "\x92\x01\x91\xa3" "a:1";
	struct member a, b, c;
	struct group *ga, *gc;
	struct blobs la, batch;
	struct entry *last = NULL, *p1 = NULL;
	struct group_note *notes = NULL;
	uint8_t id[NOTE_ID_BYTES], wrong[BAL_KEY_BYTES];
	uint8_t *nb = NULL;
	size_t nblen = 0, stored = 99, n = 0;
	uint64_t epoch, before;
	const uint8_t *key;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	gc = join_log(&c, ga, a.d.id->pk);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(entry_decode(la.p[la.n - 1], la.len[la.n - 1], &last),
	    0);
	blobs_free(&la);
	assert_non_null(key = write_key(ga, &epoch));
	note_id_generate(NULL, a.d.id->pk, id);
	note_of(id, "poisoned", &nb, &nblen);

	/* Alice's poisoned note, her next entry, and bob's announce. */
	memset(&batch, 0, sizeof(batch));
	randombytes_buf(wrong, sizeof(wrong));
	forge(&a, ga->id, last, ENTRY_KIND_NOTE, epoch, wrong, nb, nblen,
	    &batch);
	assert_int_equal(entry_decode(batch.p[0], batch.len[0], &p1), 0);
	forge(&a, ga->id, p1, ENTRY_KIND_NOTE, epoch, key, nb, nblen, &batch);
	forge(&b, ga->id, NULL, ENTRY_KIND_ANNOUNCE, 0, NULL, ann, 7, &batch);
	/* Carol holds the epoch's key (bob does not: add_member). */
	before = count(&c, gc);
	assert_int_equal(receive(gc, &batch, 0, batch.n, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(count(&c, gc), before + 1);
	assert_true(group_fork_seen(gc, a.d.id->pk));
	assert_int_equal(group_held_count(gc, 1), 1);
	assert_int_equal(group_held_count(gc, 0), 0);
	/* Again: nothing new, nothing counted twice. */
	assert_int_equal(receive(gc, &batch, 0, batch.n, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(group_held_count(gc, 1), 1);
	blobs_free(&batch);
	note_buf_free(nb, nblen);

	/* Alice writes note id; carol may not write a first version of it. */
	assert_int_equal(write_note(ga, id, "alice's", "mine", NULL, 0, NULL),
	    0);
	before = count(&c, gc);
	assert_int_equal(write_note(gc, id, "carol's", "taken", NULL, 0,
	    NULL), BAL_EPERM);
	assert_int_equal(count(&c, gc), before);
	/* Forged past her daemon (her first entry): alice skips it. */
	note_of(id, "carol's", &nb, &nblen);
	memset(&batch, 0, sizeof(batch));
	forge(&c, ga->id, NULL, ENTRY_KIND_NOTE, epoch, key, nb, nblen,
	    &batch);
	before = count(&a, ga);
	assert_int_equal(receive(ga, &batch, 0, batch.n, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count(&a, ga), before);
	assert_int_equal(group_held_count(ga, 1), 1);
	assert_int_equal(group_notes(ga, &notes, &n), 0);
	assert_int_equal(n, 1);
	for (size_t i = 0; i < n; i++)
		if (memcmp(notes[i].note_id, id, NOTE_ID_BYTES) == 0) {
			assert_memory_equal(notes[i].author, a.d.id->pk,
			    BAL_PK_BYTES);
			assert_string_equal(notes[i].note->title, "alice's");
		}
	group_notes_free(notes, n);
	blobs_free(&batch);
	note_buf_free(nb, nblen);
	entry_free(last);
	entry_free(p1);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/* The blob of b->p[i] without its body (what a stripping relay sends). */
static void
strip_at(struct blobs *b, size_t i)
{
	struct entry *e = NULL;
	uint8_t *enc = NULL;
	size_t len = 0;

	assert_int_equal(entry_decode(b->p[i], b->len[i], &e), 0);
	entry_erase(e);
	assert_int_equal(entry_encode(e, &enc, &len), 0);
	free(b->p[i]);
	b->p[i] = enc;
	b->len[i] = len;
	entry_free(e);
}

/* The bodies of m's copy of g held as missing (store.h). */
static uint64_t
missing(struct member *m, struct group *g)
{
	uint64_t n = 99;

	assert_int_equal(store_entry_missing(m->d.store, g->id, &n), 0);
	return n;
}

/* Is note id shown (its latest version readable, not deleted) in g? */
static int
shown(struct group *g, const uint8_t id[NOTE_ID_BYTES])
{
	struct group_note *notes = NULL;
	size_t n = 0, i;
	int found = 0;

	assert_int_equal(group_notes(g, &notes, &n), 0);
	for (i = 0; i < n; i++)
		if (memcmp(notes[i].note_id, id, NOTE_ID_BYTES) == 0 &&
		    notes[i].note != NULL && !notes[i].deleted)
			found = 1;
	group_notes_free(notes, n);
	return found;
}

/*
 * Issue 12, point 1.  A relay leaves a note's body out: bob holds it as
 * missing (not erased), counts it, and the full copy restores it (not
 * skipped as held).  A tombstone left without its body does not delete
 * there until its full copy arrives.  A version stripped as an honest
 * relay sends a deleted note's versions is erased once bob holds the
 * readable tombstone that supersedes it.
 */
static void
test_stripped(void **state)
{
	struct member a, b;
	struct group *ga, *gb;
	struct blobs l;
	uint8_t n1[NOTE_ID_BYTES], n2[NOTE_ID_BYTES], v1[BAL_HASH_BYTES];
	size_t stored = 99;
	uint64_t held, before;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	log_of(gb, a.d.id->pk, 0, &l);
	held = l.n;
	blobs_free(&l);

	/* A note, stripped: held without its body, not shown. */
	note_id_generate(NULL, a.d.id->pk, n1);
	assert_int_equal(write_note(ga, n1, "kept", "text", NULL, 0, v1), 0);
	log_of(ga, a.d.id->pk, held, &l);
	assert_int_equal(l.n, 1);
	strip_at(&l, 0);
	before = count(&b, gb);
	assert_int_equal(receive(gb, &l, 0, 1, &stored), 0);
	assert_int_equal(count(&b, gb), before + 1);
	assert_int_equal(missing(&b, gb), 1);
	assert_false(shown(gb, n1));
	blobs_free(&l);
	/* The full copy restores it; again changes nothing. */
	log_of(ga, a.d.id->pk, held, &l);
	assert_int_equal(receive(gb, &l, 0, 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 0);
	assert_int_equal(count(&b, gb), before + 1);
	assert_true(shown(gb, n1));
	assert_int_equal(receive(gb, &l, 0, 1, &stored), 0);
	assert_int_equal(stored, 0);
	assert_true(shown(gb, n1));
	blobs_free(&l);
	held++;

	/* Its tombstone, stripped: the note stays until the full copy. */
	assert_int_equal(write_note(ga, n1, "", "", v1, 1, NULL), 0);
	log_of(ga, a.d.id->pk, held, &l);
	strip_at(&l, 0);
	assert_int_equal(receive(gb, &l, 0, 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 1);
	assert_true(shown(gb, n1));
	blobs_free(&l);
	log_of(ga, a.d.id->pk, held, &l);
	assert_int_equal(receive(gb, &l, 0, 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 0);
	assert_false(shown(gb, n1));
	blobs_free(&l);
	held++;

	/* A deleted note's version stripped, then the readable tombstone. */
	note_id_generate(NULL, a.d.id->pk, n2);
	assert_int_equal(write_note(ga, n2, "gone", "text", NULL, 0, v1), 0);
	assert_int_equal(write_note(ga, n2, "", "", v1, 1, NULL), 0);
	log_of(ga, a.d.id->pk, held, &l);
	assert_int_equal(l.n, 2);
	strip_at(&l, 0);
	assert_int_equal(receive(gb, &l, 0, 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 1);
	assert_int_equal(receive(gb, &l, 1, 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 0);
	assert_false(shown(gb, n2));
	blobs_free(&l);
	member_close(&a);
	member_close(&b);
}

/*
 * Issue 12, point 1: the author's removal is a reason bob checks himself.
 * Carol's notes below her cut that reach bob without their body are
 * erased, not held as missing: one held missing before bob learns of the
 * removal is erased by the fold that removes her, one that arrives
 * stripped afterwards is stored erased at once.
 */
static void
test_stripped_removed(void **state)
{
	struct member a, b, c;
	struct group *ga, *gb, *gc;
	struct blobs l;
	uint8_t n1[NOTE_ID_BYTES], n2[NOTE_ID_BYTES];
	uint64_t held, before;
	size_t stored = 99, ca;
	char err[256];

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	gc = join_log(&c, ga, a.d.id->pk);
	log_of(ga, a.d.id->pk, 0, &l);
	held = l.n;
	blobs_free(&l);

	/* Two notes of carol; alice holds them whole, bob the first bare. */
	note_id_generate(NULL, c.d.id->pk, n1);
	note_id_generate(NULL, c.d.id->pk, n2);
	assert_int_equal(write_note(gc, n1, "one", "text", NULL, 0, NULL), 0);
	assert_int_equal(write_note(gc, n2, "two", "text", NULL, 0, NULL), 0);
	log_of(gc, c.d.id->pk, 0, &l);
	ca = l.n;
	assert_true(ca >= 2);
	assert_int_equal(receive(ga, &l, 0, ca, &stored), 0);
	strip_at(&l, ca - 2);
	strip_at(&l, ca - 1);
	before = count(&b, gb);
	assert_int_equal(receive(gb, &l, 0, ca - 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 1);

	/* Alice revokes carol; bob folds it: the missing body is erased. */
	assert_int_equal(group_roster_revoke(ga, c.d.id->pk, NULL, NULL, err,
	    sizeof(err)), 0);
	{
		struct blobs r;

		log_of(ga, a.d.id->pk, held, &r);
		assert_int_equal(receive(gb, &r, 0, r.n, &stored), 0);
		blobs_free(&r);
	}
	assert_int_equal(missing(&b, gb), 0);
	assert_true(count(&b, gb) > before + ca - 1);
	before = count(&b, gb);
	/* Her second note, stripped, arrives: erased at once, stored. */
	assert_int_equal(receive(gb, &l, ca - 1, 1, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(missing(&b, gb), 0);
	assert_int_equal(count(&b, gb), before + 1);
	assert_false(shown(gb, n1));
	assert_false(shown(gb, n2));
	blobs_free(&l);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/*
 * Issue 12: a tombstone names every version it erases.  An honest relay
 * holds a deleted note's versions erased and sends them without their
 * body; bob, holding v1 and v2 stripped one behind the other, knows both
 * erased once the readable tombstone arrives: nothing stays missing (the
 * old tombstone named only v2, and v1 was asked for in vain).
 */
static void
test_stripped_chain(void **state)
{
	struct member a, b;
	struct group *ga, *gb;
	struct blobs l;
	uint8_t n1[NOTE_ID_BYTES], v1[BAL_HASH_BYTES], v2[BAL_HASH_BYTES];
	size_t stored = 99;
	uint64_t held;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	log_of(ga, a.d.id->pk, 0, &l);
	held = l.n;
	blobs_free(&l);

	note_id_generate(NULL, a.d.id->pk, n1);
	assert_int_equal(write_note(ga, n1, "v1", "one", NULL, 0, v1), 0);
	assert_int_equal(write_note(ga, n1, "v2", "two", v1, 0, v2), 0);
	assert_int_equal(write_note(ga, n1, "v3", "three", v2, 0, NULL), 0);
	{
		/* The tombstone supersedes v3 and names v1, v2 and v3. */
		struct blobs t;
		uint8_t v3[BAL_HASH_BYTES];
		struct entry *e = NULL;

		log_of(ga, a.d.id->pk, held + 2, &t);
		assert_int_equal(t.n, 1);
		assert_int_equal(entry_decode(t.p[0], t.len[0], &e), 0);
		memcpy(v3, e->id, BAL_HASH_BYTES);
		entry_free(e);
		blobs_free(&t);
		assert_int_equal(write_note(ga, n1, "", "", v3, 1, NULL), 0);
	}
	log_of(ga, a.d.id->pk, held, &l);
	assert_int_equal(l.n, 4);
	/* v1, v2 and v3 as an honest relay holds them: erased. */
	strip_at(&l, 0);
	strip_at(&l, 1);
	strip_at(&l, 2);
	assert_int_equal(receive(gb, &l, 0, 3, &stored), 0);
	assert_int_equal(missing(&b, gb), 3);
	assert_int_equal(receive(gb, &l, 3, 1, &stored), 0);
	assert_int_equal(missing(&b, gb), 0);
	assert_false(shown(gb, n1));
	blobs_free(&l);
	member_close(&a);
	member_close(&b);
}

/*
 * Alice signs two branches of her log.  Bob keeps the branch he holds and
 * skips the other without failing its batch, whose other entries he
 * stores; further entries of that branch too.  When bob's own store meets
 * another branch of his own log (his profile restored from an older copy),
 * his writes in the group are refused, also after a restart.
 */
static void
test_forked_log(void **state)
{
	static const uint8_t ann1[] = "\x92\x01\x91\xa3" "a:1";
	static const uint8_t ann2[] = "\x92\x01\x91\xa3" "a:2";
	struct member a, b, c;
	struct group *ga, *gb;
	struct blobs la, x, y, batch, own;
	struct entry *last = NULL, *x1 = NULL, *y1 = NULL, *y2 = NULL;
	uint8_t gid[BAL_GROUP_ID_BYTES];
	uint64_t before;
	size_t stored = 99, i;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	memcpy(gid, ga->id, sizeof(gid));
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(entry_decode(la.p[la.n - 1], la.len[la.n - 1], &last),
	    0);
	blobs_free(&la);

	/* Branch x (two entries) reaches bob first. */
	memset(&x, 0, sizeof(x));
	forge(&a, gid, last, ENTRY_KIND_ANNOUNCE, 0, NULL, ann1, 7, &x);
	assert_int_equal(entry_decode(x.p[0], x.len[0], &x1), 0);
	forge(&a, gid, x1, ENTRY_KIND_ANNOUNCE, 0, NULL, ann1, 7, &x);
	assert_int_equal(receive(gb, &x, 0, x.n, &stored), 0);
	assert_int_equal(stored, 2);
	assert_false(group_fork_seen(gb, a.d.id->pk));
	/* Branch y (three entries) in one batch with carol's first entry. */
	memset(&y, 0, sizeof(y));
	forge(&a, gid, last, ENTRY_KIND_ANNOUNCE, 0, NULL, ann2, 7, &y);
	assert_int_equal(entry_decode(y.p[0], y.len[0], &y1), 0);
	forge(&a, gid, y1, ENTRY_KIND_ANNOUNCE, 0, NULL, ann2, 7, &y);
	assert_int_equal(entry_decode(y.p[1], y.len[1], &y2), 0);
	forge(&a, gid, y2, ENTRY_KIND_ANNOUNCE, 0, NULL, ann2, 7, &y);
	memset(&batch, 0, sizeof(batch));
	for (i = 0; i < y.n; i++)
		collect_cb(&batch, y.p[i], y.len[i]);
	forge(&c, gid, NULL, ENTRY_KIND_ANNOUNCE, 0, NULL, ann1, 7, &batch);
	before = count(&b, gb);
	n_entry = 0;
	assert_int_equal(receive(gb, &batch, 0, batch.n, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(n_entry, 1);
	assert_int_equal(count(&b, gb), before + 1);
	assert_true(group_fork_seen(gb, a.d.id->pk));
	assert_int_equal(gb->own_fork, 0);
	log_of(gb, a.d.id->pk, 0, &la);
	assert_int_equal(la.len[la.n - 1], x.len[1]);
	assert_memory_equal(la.p[la.n - 1], x.p[1], x.len[1]);
	blobs_free(&la);
	/* The tip of branch y alone: beyond bob's head, skipped as well. */
	blobs_free(&batch);
	collect_cb(&batch, y.p[2], y.len[2]);
	assert_int_equal(receive(gb, &batch, 0, 1, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count(&b, gb), before + 1);
	blobs_free(&batch);

	/*
	 * Bob writes; another entry of his own at that seq arrives (an old
	 * copy of his profile wrote it): his log forked, and he may no
	 * longer write here.
	 */
	assert_int_equal(group_append(gb, ENTRY_KIND_ANNOUNCE, ann1, 7, NULL),
	    0);
	memset(&own, 0, sizeof(own));
	forge(&b, gid, NULL, ENTRY_KIND_ANNOUNCE, 0, NULL, ann2, 7, &own);
	assert_int_equal(receive(gb, &own, 0, 1, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(gb->own_fork, 1);
	assert_int_equal(group_append(gb, ENTRY_KIND_ANNOUNCE, ann2, 7, NULL),
	    BAL_ECHAIN);
	member_reopen(&b);
	gb = group_find(&b.d, gid);
	assert_non_null(gb);
	assert_int_equal(gb->own_fork, 1);
	assert_int_equal(group_append(gb, ENTRY_KIND_ANNOUNCE, ann2, 7, NULL),
	    BAL_ECHAIN);
	/* Everybody else's entries still go in. */
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(receive(gb, &la, 0, la.n, NULL), 0);
	blobs_free(&la);

	blobs_free(&x);
	blobs_free(&y);
	blobs_free(&own);
	entry_free(last);
	entry_free(x1);
	entry_free(y1);
	entry_free(y2);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/* The lamport of the last entry of author's log in g. */
static uint64_t
head_lamport(struct group *g, const uint8_t *author)
{
	struct blobs l;
	struct entry *e = NULL;
	uint64_t lamport;

	log_of(g, author, 0, &l);
	assert_true(l.n > 0);
	assert_int_equal(entry_decode(l.p[l.n - 1], l.len[l.n - 1], &e), 0);
	lamport = e->h.lamport;
	entry_free(e);
	blobs_free(&l);
	return lamport;
}

/*
 * A member's modified software puts its entries at the end of the Lamport
 * clock: without a bound on each step, one such entry would leave nobody a
 * lamport to write with, not even a leader revoking the member.
 */
static void
test_lamport_jumps(void **state)
{
	static const uint8_t ann[] = "\x92\x01\x91\xa3" "a:1";
	const uint64_t step = ENTRY_MAX_LAMPORT_STEP;
	struct member a, b;
	struct group *ga, *gb = NULL;
	struct blobs la, lb, bad;
	struct entry *b1 = NULL;
	uint8_t n0[NOTE_ID_BYTES], n1[NOTE_ID_BYTES];
	uint8_t gid[BAL_GROUP_ID_BYTES];
	uint64_t mine;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	mine = head_lamport(ga, a.d.id->pk);
	assert_true(mine < 10);

	/* Bob's first entry at the clock's end, or one past the step. */
	memset(&bad, 0, sizeof(bad));
	forge_lamport(&b, ga->id, NULL, ENTRY_MAX_COUNTER,
	    ENTRY_KIND_ANNOUNCE, 0, NULL, ann, 7, &bad);
	expect_reject(&a, ga, NULL, &bad, BAL_ECHAIN);
	forge_lamport(&b, ga->id, NULL, step + 1, ENTRY_KIND_ANNOUNCE, 0,
	    NULL, ann, 7, &bad);
	expect_reject(&a, ga, NULL, &bad, BAL_ECHAIN);
	/* At the step it is taken; the next only a step further. */
	memset(&lb, 0, sizeof(lb));
	forge_lamport(&b, ga->id, NULL, step, ENTRY_KIND_ANNOUNCE, 0, NULL,
	    ann, 7, &lb);
	assert_int_equal(receive(ga, &lb, 0, 1, NULL), 0);
	assert_int_equal(ga->lamport, step);
	assert_int_equal(entry_decode(lb.p[0], lb.len[0], &b1), 0);
	blobs_free(&lb);
	forge_lamport(&b, ga->id, b1, 2 * step + 1, ENTRY_KIND_ANNOUNCE, 0,
	    NULL, ann, 7, &bad);
	expect_reject(&a, ga, NULL, &bad, BAL_ECHAIN);
	forge_lamport(&b, ga->id, b1, ENTRY_MAX_COUNTER, ENTRY_KIND_ANNOUNCE,
	    0, NULL, ann, 7, &bad);
	expect_reject(&a, ga, NULL, &bad, BAL_ECHAIN);
	forge_lamport(&b, ga->id, b1, 2 * step, ENTRY_KIND_ANNOUNCE, 0, NULL,
	    ann, 7, &lb);
	assert_int_equal(receive(ga, &lb, 0, 1, NULL), 0);
	assert_int_equal(ga->lamport, 2 * step);
	blobs_free(&lb);

	/*
	 * Alice still writes, a step above her own last entry (short of
	 * the clock she has seen), and bob takes it; so after a restart.
	 */
	note_id_generate(NULL, a.d.id->pk, n0);
	assert_int_equal(write_note(ga, n0, "after", "text", NULL, 0, NULL),
	    0);
	assert_int_equal(head_lamport(ga, a.d.id->pk), mine + step);
	memcpy(gid, ga->id, sizeof(gid));
	member_reopen(&a);
	ga = group_find(&a.d, gid);
	assert_non_null(ga);
	assert_int_equal(ga->lamport, 2 * step);
	note_id_generate(NULL, a.d.id->pk, n1);
	assert_int_equal(write_note(ga, n1, "again", "text", NULL, 0, NULL),
	    0);
	/* Within a step of her last entry again: past the clock seen. */
	assert_int_equal(head_lamport(ga, a.d.id->pk), 2 * step + 1);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(receive(gb, &la, 0, la.n, NULL), 0);
	assert_int_equal(count(&b, gb), count(&a, ga) - 2);
	blobs_free(&la);

	entry_free(b1);
	member_close(&a);
	member_close(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_receive_rejects, setup),
		cmocka_unit_test_setup(test_lamport_jumps, setup),
		cmocka_unit_test_setup(test_forked_log, setup),
		cmocka_unit_test_setup(test_unreadable, setup),
		cmocka_unit_test_setup(test_fold_once, setup),
		cmocka_unit_test_setup(test_limits, setup),
		cmocka_unit_test_setup(test_stripped, setup),
		cmocka_unit_test_setup(test_stripped_removed, setup),
		cmocka_unit_test_setup(test_stripped_chain, setup),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
