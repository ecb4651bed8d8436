/*
 * test-sync-runs.c — the sync engine's RUNS messages between real stores
 * (daemon/net/sync.c with proto/entry-parts.c): batches of several authors go
 * as RUNS and arrive byte for byte; a run that does not follow what the
 * receiver holds is refused as a gap, or left out when it lies beyond a
 * removed member's cut; runs already held are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "contract.h"
#include "daemon.h"
#include "entry-parts.h"
#include "entry.h"
#include "group.h"
#include "invite.h"
#include "note.h"
#include "store.h"
#include "sync.h"
#include "sync-fixture.h"
#include "wire.h"

#define NMEM 4
#define QMAX 4096

static const char *runs_contract =
    "Name: Runs\nHistory: full\n\nWe meet.\n";

static int
setup(void **state)
{
	return sync_fix_setup(state, NMEM, 0x60, runs_contract, "runs");
}

/* The last note written: its note id and entry id. */
static uint8_t last_note[NOTE_ID_BYTES], last_entry[BAL_HASH_BYTES];

/* Writes a note (or, with del, the tombstone of the last note written). */
static void
write_note(struct sync_member *m, const char *text, int del)
{
	struct note n;
	struct entry *e = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	memset(&n, 0, sizeof(n));
	if (del)
		memcpy(n.id, last_note, NOTE_ID_BYTES);
	else
		note_id_generate(NULL, m->g->d->id->pk, n.id);
	n.kind = NOTE_KIND_SESSION;
	n.case_ref = "";
	n.title = del ? NULL : "t";
	n.body = del ? NULL : (char *)text;
	if (del) {
		n.tombstone = 1;
		n.has_supersedes = 1;
		memcpy(n.supersedes, last_entry, BAL_HASH_BYTES);
		n.erases = &n.supersedes;	/* its only version */
		n.nerases = 1;
	}
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(group_append(m->g, ENTRY_KIND_NOTE, buf, len, &e),
	    0);
	memcpy(last_note, n.id, NOTE_ID_BYTES);
	memcpy(last_entry, e->id, BAL_HASH_BYTES);
	entry_free(e);
	note_buf_free(buf, len);
}

/* One direction of a session: the engine, what it sent, and its types. */
struct side {
	struct sync *s;
	uint8_t *msgs[QMAX];
	size_t lens[QMAX];
	size_t head, tail;
	size_t sent[8];			/* messages sent, by type */
	size_t max_authors;		/* the most of one RUNS */
	size_t max_runs;
};

static int
send_cb(void *ctx, const struct wire_msg *m)
{
	struct side *sd = ctx;
	uint8_t *buf = NULL;
	size_t len;

	if (wire_encode(m, &buf, &len) != 0)
		return BAL_EINVAL;
	if (sd->tail - sd->head >= QMAX) {
		free(buf);
		return BAL_ENOMEM;
	}
	sd->msgs[sd->tail % QMAX] = buf;
	sd->lens[sd->tail % QMAX] = len;
	sd->tail++;
	if (m->type > 0 && m->type < 8)
		sd->sent[m->type]++;
	if (m->type == WIRE_RUNS && m->runs.nauthors > sd->max_authors)
		sd->max_authors = m->runs.nauthors;
	if (m->type == WIRE_RUNS && m->runs.nruns > sd->max_runs)
		sd->max_runs = m->runs.nruns;
	return 0;
}

static int
deliver_one(struct side *from, struct side *to)
{
	struct wire_msg *m = NULL;
	char why[256];
	uint8_t *buf = from->msgs[from->head % QMAX];
	size_t len = from->lens[from->head % QMAX];
	int rc;

	from->head++;
	assert_int_equal(wire_decode(buf, len, &m), 0);
	free(buf);
	rc = sync_on_msg(to->s, m, why, sizeof(why));
	wire_msg_free(m);
	return rc;
}

static void
side_drop(struct side *sd)
{
	while (sd->head < sd->tail) {
		free(sd->msgs[sd->head % QMAX]);
		sd->head++;
	}
	sync_free(sd->s);
	sd->s = NULL;
}

/* Runs a whole session between a and b until both are quiet. */
static void
session(struct sync_member *a, struct sync_member *b, struct side *sa,
    struct side *sb, size_t batch)
{
	int progress;

	memset(sa, 0, sizeof(*sa));
	memset(sb, 0, sizeof(*sb));
	assert_int_equal(sync_new(a->g, sa, send_cb, sa, &sa->s), 0);
	assert_int_equal(sync_new(b->g, sb, send_cb, sb, &sb->s), 0);
	sync_set_limits(sa->s, 0, batch);
	sync_set_limits(sb->s, 0, batch);
	assert_int_equal(sync_start(sa->s), 0);
	assert_int_equal(sync_start(sb->s), 0);
	do {
		progress = 0;
		while (sa->head < sa->tail) {
			assert_int_equal(deliver_one(sa, sb), 0);
			progress = 1;
		}
		while (sb->head < sb->tail) {
			assert_int_equal(deliver_one(sb, sa), 0);
			progress = 1;
		}
	} while (progress);
}

static void
sync_pair(struct sync_member *a, struct sync_member *b)
{
	struct side sa, sb;

	session(a, b, &sa, &sb, 0);
	side_drop(&sa);
	side_drop(&sb);
}

/* Every stored entry of x, in (author, seq) order, is in y byte for byte. */
struct cmp {
	struct group *other;
	size_t n;
	size_t erased;
};

static int
cmp_cb(void *ctx, const uint8_t *blob, size_t len)
{
	struct cmp *c = ctx;
	struct entry_parts p;
	uint8_t *mine = NULL;
	size_t mlen = 0;

	assert_int_equal(entry_parts_split(blob, len, &p), 0);
	assert_int_equal(store_entry_get(c->other->d->store, c->other->id,
	    p.h.author, p.h.seq, &mine, &mlen), 0);
	assert_int_equal(mlen, len);
	assert_memory_equal(mine, blob, len);
	free(mine);
	c->n++;
	c->erased += p.body == NULL;
	return 0;
}

static size_t
assert_same_store(struct group *x, struct group *y, size_t *erased)
{
	struct wire_have_item *a = NULL, *b = NULL;
	struct cmp c = { y, 0, 0 };
	size_t na = 0, nb = 0, i;

	assert_int_equal(group_have(x, &a, &na), 0);
	assert_int_equal(group_have(y, &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(*a));
	for (i = 0; i < na; i++)
		assert_int_equal(group_entries_after(x, a[i].author, 0, 0,
		    cmp_cb, &c), 0);
	free(a);
	free(b);
	if (erased != NULL)
		*erased = c.erased;
	return c.n;
}

static uint64_t
count(struct sync_member *m)
{
	uint64_t n = 0;

	assert_int_equal(store_entry_count(m->d.store, m->g->id, &n), 0);
	return n;
}

/* Three authors write interleaved; one note is deleted (erased). */
static void
three_authors(struct sync_fix *f)
{
	char text[64];
	int i, w;

	sync_fix_add(f, 1);
	sync_fix_add(f, 2);
	sync_pair(&f->m[0], &f->m[1]);
	sync_pair(&f->m[0], &f->m[2]);
	for (i = 0; i < 12; i++) {
		w = i % 3;
		snprintf(text, sizeof(text), "note %d of member %d", i, w);
		write_note(&f->m[w], text, 0);
		if (i == 4)
			write_note(&f->m[w], NULL, 1);	/* erases it */
		/* Each writes after seeing the others: lamports interleave. */
		sync_pair(&f->m[w], &f->m[(w + 1) % 3]);
		sync_pair(&f->m[(w + 1) % 3], &f->m[(w + 2) % 3]);
	}
	sync_pair(&f->m[0], &f->m[1]);
	sync_pair(&f->m[0], &f->m[2]);
	sync_fix_add(f, 3);
}

/*
 * A newcomer catches up from the leader: batches of several authors go as
 * RUNS (never ENTRIES), and the newcomer's store ends up byte for byte the
 * leader's, the erased note included.  Then again in small batches, so
 * that most runs start from what the receiver stored before.
 */
static void
test_catch_up(void **state)
{
	struct sync_fix *f = *state;
	struct side sa, sb;
	size_t n, erased;

	three_authors(f);
	session(&f->m[0], &f->m[3], &sa, &sb, 0);
	assert_true(sa.sent[WIRE_RUNS] >= 1);
	assert_int_equal(sa.sent[WIRE_ENTRIES], 0);
	/* Interleaved: authors come back in later runs of one message. */
	assert_int_equal(sa.max_authors, 3);
	assert_true(sa.max_runs >= 8);
	side_drop(&sa);
	side_drop(&sb);
	/* CREATE, 3 ADDs, 12 notes and a deletion; the deleted one erased. */
	n = assert_same_store(f->m[0].g, f->m[3].g, &erased);
	assert_int_equal(n, 17);
	assert_int_equal(erased, 1);
	assert_int_equal(count(&f->m[3]), count(&f->m[0]));
	/* Member 2 has been away since; it catches up in batches of 3. */
	write_note(&f->m[0], "one more", 0);
	write_note(&f->m[3], "and from the newcomer", 0);
	write_note(&f->m[3], "twice", 0);
	sync_pair(&f->m[0], &f->m[3]);
	session(&f->m[3], &f->m[2], &sa, &sb, 3);
	assert_true(sa.sent[WIRE_RUNS] >= 1);
	assert_int_equal(sa.sent[WIRE_ENTRIES], 0);
	side_drop(&sa);
	side_drop(&sb);
	assert_same_store(f->m[3].g, f->m[2].g, NULL);
}

/* The RUNS of author's entries first..last in from's store. */
struct grab {
	uint8_t *blobs[64];
	size_t lens[64];
	size_t n;
};

static int
grab_cb(void *ctx, const uint8_t *blob, size_t len)
{
	struct grab *g = ctx;

	assert_true(g->n < 64);
	assert_non_null(g->blobs[g->n] = malloc(len));
	memcpy(g->blobs[g->n], blob, len);
	g->lens[g->n++] = len;
	return 0;
}

static struct wire_msg *
runs_of(struct group *from, const uint8_t *author, uint64_t first,
    uint64_t last)
{
	struct grab g;
	struct entry_parts parts[64];
	struct entry_runs *r = NULL;
	struct wire_msg *m = NULL;
	uint8_t *buf;
	size_t len, i;

	memset(&g, 0, sizeof(g));
	assert_int_equal(group_entries_after(from, author, first - 1,
	    last - first + 1, grab_cb, &g), 0);
	assert_int_equal(g.n, last - first + 1);
	for (i = 0; i < g.n; i++)
		assert_int_equal(entry_parts_split(g.blobs[i], g.lens[i],
		    &parts[i]), 0);
	assert_int_equal(entry_runs_make(from->id, parts, g.n, &r), 0);
	assert_int_equal(wire_encode(&r->msg, &buf, &len), 0);
	assert_int_equal(wire_decode(buf, len, &m), 0);
	free(buf);
	entry_runs_free(r);
	for (i = 0; i < g.n; i++)
		free(g.blobs[i]);
	return m;
}

/*
 * A run that starts above what the receiver holds of its author: refused
 * whole, as an ENTRIES batch with a gap is, and nothing is stored.  A run
 * of entries the receiver holds already is rebuilt from its stored chain
 * and skipped.
 */
static void
test_gap_and_held(void **state)
{
	struct sync_fix *f = *state;
	struct side sd;
	struct wire_msg *m;
	char why[256];
	uint64_t before;
	int i;

	sync_fix_add(f, 1);
	sync_pair(&f->m[0], &f->m[1]);
	for (i = 0; i < 5; i++)
		write_note(&f->m[0], "n", 0);
	before = count(&f->m[1]);
	/* Member 1 holds the leader's log up to seq 2 (CREATE, ADD). */
	memset(&sd, 0, sizeof(sd));
	assert_int_equal(sync_new(f->m[1].g, &sd, send_cb, &sd, &sd.s), 0);
	m = runs_of(f->m[0].g, f->m[0].d.id->pk, 4, 6);
	assert_int_equal(sync_on_msg(sd.s, m, why, sizeof(why)), BAL_ECHAIN);
	assert_non_null(strstr(why, "entry 1 of 3"));
	assert_non_null(strstr(why, "seq 4): gap in the author's log "
	    "(held up to seq 2)"));
	assert_int_equal(count(&f->m[1]), before);
	assert_int_equal(sd.sent[WIRE_ACK], 0);
	wire_msg_free(m);
	/* From seq 3 on it follows: stored, acknowledged. */
	m = runs_of(f->m[0].g, f->m[0].d.id->pk, 3, 5);
	assert_int_equal(sync_on_msg(sd.s, m, why, sizeof(why)), 0);
	assert_int_equal(count(&f->m[1]), before + 3);
	assert_int_equal(sd.sent[WIRE_ACK], 1);
	wire_msg_free(m);
	/* Seqs 2..4 again: rebuilt from the stored seq 1, held, skipped. */
	m = runs_of(f->m[0].g, f->m[0].d.id->pk, 2, 4);
	assert_int_equal(sync_on_msg(sd.s, m, why, sizeof(why)), 0);
	assert_int_equal(count(&f->m[1]), before + 3);
	assert_int_equal(sd.sent[WIRE_ACK], 2);
	wire_msg_free(m);
	side_drop(&sd);
}

/*
 * Member 1 wrote entries beyond the cut of its revocation; the leader, who
 * knows the revocation and holds member 1's log only up to the cut,
 * receives a run of them that starts past the cut without its prev: it is
 * left out (as group_receive leaves out such an entry of an ENTRIES),
 * acknowledged, nothing stored.  One that starts at or below the cut with
 * a gap is refused.
 */
static void
test_beyond_cut(void **state)
{
	struct sync_fix *f = *state;
	struct side sd;
	struct wire_msg *m;
	char why[256], err[256];
	uint64_t cut = 0, before;
	int i;

	sync_fix_add(f, 1);
	sync_fix_add(f, 2);
	sync_pair(&f->m[0], &f->m[1]);
	sync_pair(&f->m[0], &f->m[2]);
	write_note(&f->m[1], "before", 0);
	sync_pair(&f->m[0], &f->m[1]);
	/* Member 1 goes on writing; the leader does not see it. */
	for (i = 0; i < 4; i++)
		write_note(&f->m[1], "after", 0);
	assert_int_equal(group_roster_revoke(f->m[0].g, f->m[1].d.id->pk,
	    &cut, NULL, err, sizeof(err)), 0);
	assert_int_equal(cut, 1);
	before = count(&f->m[0]);
	memset(&sd, 0, sizeof(sd));
	assert_int_equal(sync_new(f->m[0].g, &sd, send_cb, &sd, &sd.s), 0);
	/* Seqs 3..5: past the cut, prev (seq 2) not held: left out. */
	m = runs_of(f->m[1].g, f->m[1].d.id->pk, 3, 5);
	assert_int_equal(sync_on_msg(sd.s, m, why, sizeof(why)), 0);
	assert_int_equal(sd.sent[WIRE_ACK], 1);
	assert_int_equal(count(&f->m[0]), before);
	wire_msg_free(m);
	/* Seqs 2..3 follow the held seq 1: rebuilt, then refused as void. */
	m = runs_of(f->m[1].g, f->m[1].d.id->pk, 2, 3);
	assert_int_equal(sync_on_msg(sd.s, m, why, sizeof(why)), 0);
	assert_int_equal(count(&f->m[0]), before);
	wire_msg_free(m);
	side_drop(&sd);
	/* Member 2 never heard of the revocation: a gap is a gap. */
	memset(&sd, 0, sizeof(sd));
	assert_int_equal(sync_new(f->m[2].g, &sd, send_cb, &sd, &sd.s), 0);
	m = runs_of(f->m[1].g, f->m[1].d.id->pk, 3, 5);
	assert_int_equal(sync_on_msg(sd.s, m, why, sizeof(why)), BAL_ECHAIN);
	assert_non_null(strstr(why, "gap in the author's log"));
	wire_msg_free(m);
	side_drop(&sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_catch_up, setup,
		    sync_fix_teardown),
		cmocka_unit_test_setup_teardown(test_gap_and_held, setup,
		    sync_fix_teardown),
		cmocka_unit_test_setup_teardown(test_beyond_cut, setup,
		    sync_fix_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
