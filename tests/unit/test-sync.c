/*
 * test-sync.c — the sync engine between real stores and groups, with the
 * messages passed in memory (encoded and decoded on the way).
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
#include "entry.h"
#include "group.h"
#include "invite.h"
#include "note.h"
#include "store.h"
#include "sync.h"
#include "sync-fixture.h"
#include "wire.h"

#define NMEM 3
#define QMAX 4096

struct queue {
	uint8_t *msgs[QMAX];
	size_t lens[QMAX];
	size_t head, tail;
};

static const char *contract_text_full =
    "Name: Test group\nHistory: full\n\nWe meet.\n";

static int
setup(void **state)
{
	return sync_fix_setup(state, NMEM, 0x40, contract_text_full, "sync");
}

static void
write_note(struct sync_member *m, const char *text)
{
	struct note n;
	uint8_t *buf = NULL;
	size_t len = 0;

	memset(&n, 0, sizeof(n));
	note_id_generate(NULL, m->g->d->id->pk, n.id);
	n.kind = NOTE_KIND_SESSION;
	n.case_ref = "";
	n.title = "t";
	n.body = (char *)text;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(group_append(m->g, ENTRY_KIND_NOTE, buf, len, NULL),
	    0);
	note_buf_free(buf, len);
}

/* One direction of a session: the engine and what it sent. */
struct side {
	struct sync *s;
	struct queue out;
	size_t data_in_flight_max;
};

static int
send_cb(void *ctx, const struct wire_msg *m)
{
	struct side *sd = ctx;
	uint8_t *buf = NULL;
	size_t len;

	if (wire_encode(m, &buf, &len) != 0)
		return BAL_EINVAL;
	if (sd->out.tail - sd->out.head >= QMAX) {
		free(buf);
		return BAL_ENOMEM;
	}
	sd->out.msgs[sd->out.tail % QMAX] = buf;
	sd->out.lens[sd->out.tail % QMAX] = len;
	sd->out.tail++;
	return 0;
}

static size_t
queued_data(const struct side *sd)
{
	struct wire_msg *m;
	size_t i, n = 0;

	for (i = sd->out.head; i < sd->out.tail; i++) {
		assert_int_equal(wire_decode(sd->out.msgs[i % QMAX],
		    sd->out.lens[i % QMAX], &m), 0);
		if (m->type == WIRE_ENTRIES || m->type == WIRE_RUNS ||
		    m->type == WIRE_PUSH)
			n++;
		wire_msg_free(m);
	}
	return n;
}

/* Delivers one message of from's queue to to; returns sync_on_msg's code. */
static int
deliver_one(struct side *from, struct side *to)
{
	struct wire_msg *m = NULL;
	char why[256];
	uint8_t *buf = from->out.msgs[from->out.head % QMAX];
	size_t len = from->out.lens[from->out.head % QMAX];
	int rc;

	from->out.head++;
	assert_int_equal(wire_decode(buf, len, &m), 0);
	free(buf);
	rc = sync_on_msg(to->s, m, why, sizeof(why));
	wire_msg_free(m);
	return rc;
}

static void
queue_drop(struct side *sd)
{
	while (sd->out.head < sd->out.tail) {
		free(sd->out.msgs[sd->out.head % QMAX]);
		sd->out.head++;
	}
}

/* Runs a session between a and b until both are quiet. */
static void
session(struct sync_member *a, struct sync_member *b, struct side *sa,
    struct side *sb)
{
	int progress;

	memset(sa, 0, sizeof(*sa));
	memset(sb, 0, sizeof(*sb));
	assert_int_equal(sync_new(a->g, sa, send_cb, sa, &sa->s), 0);
	assert_int_equal(sync_new(b->g, sb, send_cb, sb, &sb->s), 0);
	assert_int_equal(sync_start(sa->s), 0);
	assert_int_equal(sync_start(sb->s), 0);
	do {
		progress = 0;
		while (sa->out.head < sa->out.tail) {
			assert_int_equal(deliver_one(sa, sb), 0);
			progress = 1;
		}
		while (sb->out.head < sb->out.tail) {
			assert_int_equal(deliver_one(sb, sa), 0);
			progress = 1;
		}
	} while (progress);
}

static void
session_end(struct side *sa, struct side *sb)
{
	queue_drop(sa);
	queue_drop(sb);
	sync_free(sa->s);
	sync_free(sb->s);
}

static void
assert_same_vector(struct group *x, struct group *y)
{
	struct wire_have_item *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;

	assert_int_equal(group_have(x, &a, &na), 0);
	assert_int_equal(group_have(y, &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_true(na > 0);
	assert_memory_equal(a, b, na * sizeof(*a));
	free(a);
	free(b);
}

static size_t
note_count(struct group *g)
{
	struct group_note *notes = NULL;
	size_t n = 0;

	assert_int_equal(group_notes(g, &notes, &n), 0);
	group_notes_free(notes, n);
	return n;
}

static void
test_converge(void **state)
{
	struct sync_fix *f = *state;
	struct side sa, sb;
	struct sync_stats st;

	sync_fix_add(f, 1);
	write_note(&f->m[0], "from A 1");
	write_note(&f->m[0], "from A 2");
	session(&f->m[0], &f->m[1], &sa, &sb);
	assert_same_vector(f->m[0].g, f->m[1].g);
	assert_non_null(f->m[1].g->roster);
	assert_true(roster_is_active(f->m[1].g->roster, f->m[1].d.id->pk));
	assert_int_equal(note_count(f->m[1].g), 2);
	sync_stats(sa.s, &st);
	assert_true(st.level);
	sync_stats(sb.s, &st);
	assert_true(st.level);
	/* B writes; a live notify pushes it to A. */
	write_note(&f->m[1], "from B");
	sync_stats(sb.s, &st);
	assert_int_equal(sync_notify(sb.s), 0);
	sync_stats(sb.s, &st);
	assert_false(st.level);
	while (sb.out.head < sb.out.tail || sa.out.head < sa.out.tail) {
		if (sb.out.head < sb.out.tail)
			assert_int_equal(deliver_one(&sb, &sa), 0);
		if (sa.out.head < sa.out.tail)
			assert_int_equal(deliver_one(&sa, &sb), 0);
	}
	assert_int_equal(note_count(f->m[0].g), 3);
	assert_same_vector(f->m[0].g, f->m[1].g);
	sync_stats(sb.s, &st);
	assert_true(st.level);
	session_end(&sa, &sb);
}

static void
test_store_and_forward(void **state)
{
	struct sync_fix *f = *state;
	struct side sa, sb;

	sync_fix_add(f, 1);
	sync_fix_add(f, 2);
	write_note(&f->m[0], "for everyone");
	session(&f->m[0], &f->m[1], &sa, &sb);
	session_end(&sa, &sb);
	/* C never talks to A: B relays. */
	session(&f->m[1], &f->m[2], &sa, &sb);
	session_end(&sa, &sb);
	assert_same_vector(f->m[0].g, f->m[2].g);
	assert_true(roster_is_active(f->m[2].g->roster, f->m[2].d.id->pk));
	assert_int_equal(note_count(f->m[2].g), 1);
	/* C writes; B carries it back to A. */
	write_note(&f->m[2], "from C");
	session(&f->m[2], &f->m[1], &sa, &sb);
	session_end(&sa, &sb);
	session(&f->m[1], &f->m[0], &sa, &sb);
	session_end(&sa, &sb);
	assert_int_equal(note_count(f->m[0].g), 2);
	assert_same_vector(f->m[0].g, f->m[2].g);
}

static int
first_blob(void *ctx, const uint8_t *blob, size_t len)
{
	struct wire_bytes *wb = ctx;
	uint8_t *p = malloc(len);

	assert_non_null(p);
	memcpy(p, blob, len);
	wb->p = p;
	wb->len = len;
	return 1;
}

static void
test_invalid_entry_drops(void **state)
{
	struct sync_fix *f = *state;
	struct side sa, sb;
	struct wire_msg m;
	struct wire_bytes wb = { NULL, 0 };
	uint64_t before, after;
	char why[256];
	uint8_t *bad;
	int rc;

	sync_fix_add(f, 1);
	write_note(&f->m[0], "note");
	assert_int_equal(store_entry_count(f->m[1].d.store, f->m[0].g->id,
	    &before), 0);
	memset(&sb, 0, sizeof(sb));
	assert_int_equal(sync_new(f->m[1].g, &sb, send_cb, &sb, &sb.s), 0);
	/* A's first entry (the CREATE) with one byte flipped. */
	assert_int_equal(group_entries_after(f->m[0].g, f->m[0].d.id->pk, 0,
	    1, first_blob, &wb), 0);
	assert_non_null(wb.p);
	bad = (uint8_t *)wb.p;
	bad[wb.len - 1] ^= 0x01;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUSH;
	m.push = wb;
	rc = sync_on_msg(sb.s, &m, why, sizeof(why));
	assert_true(rc < 0);
	assert_int_equal(store_entry_count(f->m[1].d.store, f->m[0].g->id,
	    &after), 0);
	assert_int_equal(before, after);
	free(bad);
	queue_drop(&sb);
	sync_free(sb.s);
	/* An ACK beyond what was sent is a protocol error. */
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(sync_new(f->m[0].g, &sa, send_cb, &sa, &sa.s), 0);
	m.type = WIRE_ACK;
	m.ack.stored = 1;
	assert_int_equal(sync_on_msg(sa.s, &m, why, sizeof(why)), BAL_EPROTO);
	m.type = WIRE_HELLO;
	assert_int_equal(sync_on_msg(sa.s, &m, why, sizeof(why)), BAL_EPROTO);
	queue_drop(&sa);
	sync_free(sa.s);
}

static void
test_window(void **state)
{
	struct sync_fix *f = *state;
	struct side sa, sb;
	struct sync_stats st;
	int i;

	sync_fix_add(f, 1);
	for (i = 0; i < 6; i++)
		write_note(&f->m[0], "n");
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	assert_int_equal(sync_new(f->m[0].g, &sa, send_cb, &sa, &sa.s), 0);
	assert_int_equal(sync_new(f->m[1].g, &sb, send_cb, &sb, &sb.s), 0);
	sync_set_limits(sa.s, 2, 1);
	assert_int_equal(sync_start(sa.s), 0);
	assert_int_equal(sync_start(sb.s), 0);
	/* B's HAVE reaches A: A may send 2 batches of 1, no more. */
	assert_int_equal(deliver_one(&sb, &sa), 0);
	assert_int_equal(queued_data(&sa), 2);
	assert_true(sync_window_full(sa.s));
	assert_int_equal(sync_notify(sa.s), 0);
	assert_int_equal(queued_data(&sa), 2);
	/* A stalled peer: nothing more is produced, however often asked. */
	write_note(&f->m[0], "more");
	assert_int_equal(sync_notify(sa.s), 0);
	assert_int_equal(queued_data(&sa), 2);
	/* Deliver everything: the ACKs open the window until level. */
	while (sa.out.head < sa.out.tail || sb.out.head < sb.out.tail) {
		if (sa.out.head < sa.out.tail)
			assert_int_equal(deliver_one(&sa, &sb), 0);
		if (sb.out.head < sb.out.tail) {
			assert_int_equal(deliver_one(&sb, &sa), 0);
			assert_true(queued_data(&sa) <= 2);
		}
	}
	assert_same_vector(f->m[0].g, f->m[1].g);
	sync_stats(sa.s, &st);
	assert_true(st.level);
	assert_int_equal(note_count(f->m[1].g), 7);
	session_end(&sa, &sb);
}

static void
test_blocked(void **state)
{
	struct sync_fix *f = *state;
	struct side sa, sb;

	sync_fix_add(f, 1);
	write_note(&f->m[0], "n");
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	assert_int_equal(sync_new(f->m[0].g, &sa, send_cb, &sa, &sa.s), 0);
	assert_int_equal(sync_new(f->m[1].g, &sb, send_cb, &sb, &sb.s), 0);
	sync_set_blocked(sa.s, 1);
	assert_int_equal(sync_start(sb.s), 0);
	assert_int_equal(deliver_one(&sb, &sa), 0);
	assert_int_equal(queued_data(&sa), 0);
	sync_set_blocked(sa.s, 0);
	assert_int_equal(sync_notify(sa.s), 0);
	assert_true(queued_data(&sa) > 0);
	session_end(&sa, &sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_converge, setup,
		    sync_fix_teardown),
		cmocka_unit_test_setup_teardown(test_store_and_forward, setup,
		    sync_fix_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_entry_drops, setup,
		    sync_fix_teardown),
		cmocka_unit_test_setup_teardown(test_window, setup,
		    sync_fix_teardown),
		cmocka_unit_test_setup_teardown(test_blocked, setup,
		    sync_fix_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
