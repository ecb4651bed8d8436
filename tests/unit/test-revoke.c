/*
 * test-revoke.c — revoke, leave, rotation and cooperative erasure on real
 * SQLite stores (daemon/group/group-roster.c, the cut rules of group-batch.c):
 * a revoked member handed the notes written afterwards cannot read them,
 * entries beyond a cut are refused and dropped everywhere, a LEAVE makes a
 * leader rotate (once), concurrent rotations converge, erasure leaves
 * nothing of the group in the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "contract.h"
#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "note.h"
#include "roster.h"
#include "store.h"

#include "group-fixture.h"

#define REVOKE_MARKER "AFTER-REVOKE-REVOKE_MARKER-51d0"

static int
write_body(struct group *g, const char *body)
{
	struct note n;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	memset(&n, 0, sizeof(n));
	note_id_generate(NULL, g->d->id->pk, n.id);
	n.kind = NOTE_KIND_SESSION;
	n.case_ref = "";
	n.title = "t";
	n.body = (char *)body;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	ret = group_append(g, ENTRY_KIND_NOTE, buf, len, NULL);
	note_buf_free(buf, len);
	return ret;
}

/* The leader adds nm with a new epoch sealed to every active member. */
static void
add_active(struct group *g, struct member *nm)
{
	const struct roster *r = g->roster;
	uint8_t sig[BAL_SIG_BYTES], rcpt[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES];
	uint8_t *key = NULL, *env = NULL, *body = NULL;
	size_t envlen = 0, bodylen = 0, n = 0, i;

	assert_int_equal(contract_accept_sign(nm->d.id, g->id, nm->d.name,
	    sig), 0);
	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE)
			memcpy(rcpt[n++], r->members[i].pk, BAL_PK_BYTES);
	memcpy(rcpt[n++], nm->d.id->pk, BAL_PK_BYTES);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 0, g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])rcpt, n, NULL, &env, &envlen), 0);
	assert_int_equal(roster_encode_add(nm->d.id->pk, nm->d.name, sig, NULL,
	    env, envlen, NULL, 0, &body, &bodylen), 0);
	assert_int_equal(group_append(g, ENTRY_KIND_ROSTER, body, bodylen,
	    NULL), 0);
	epoch_key_free(key);
	free(env);
	free(body);
}

static void
missing(struct group *from, struct group *to, struct blobs *out)
{
	struct wire_have_item *have = NULL;
	size_t nhave = 0;

	memset(out, 0, sizeof(*out));
	assert_int_equal(group_have(to, &have, &nhave), 0);
	assert_int_equal(group_entries_missing(from, have, nhave, 0,
	    collect_missing_cb, out), 0);
	free(have);
}

static int
give(struct group *to, struct blobs *b, size_t *stored)
{
	char why[512];

	return group_receive(to, (const uint8_t *const *)b->p, b->len, b->n,
	    NULL, stored, why, sizeof(why));
}

/* Gives to everything from holds that to lacks; returns group_receive's. */
static int
sync_to(struct group *from, struct group *to)
{
	struct blobs b;
	size_t stored;
	int ret;

	missing(from, to, &b);
	ret = b.n > 0 ? give(to, &b, &stored) : 0;
	blobs_free(&b);
	return ret;
}

/* m joins the group of leader lg and gets its log. */
static struct group *
join(struct member *m, struct group *lg)
{
	struct group *g = NULL;

	assert_int_equal(group_join_new(&m->d, lg->id, &g), 0);
	assert_int_equal(sync_to(lg, g), 0);
	assert_non_null(g->roster);
	return g;
}

static uint64_t
count_gid(struct member *m, const uint8_t *gid)
{
	uint64_t n = 0;

	assert_int_equal(store_entry_count(m->d.store, gid, &n), 0);
	return n;
}

static uint64_t
head(struct member *m, const uint8_t *gid, const uint8_t *author)
{
	uint8_t id[BAL_HASH_BYTES];
	uint64_t seq = 0;

	assert_int_equal(store_entry_head(m->d.store, gid, author, &seq, id),
	    0);
	return seq;
}

static int
key_count_cb(void *ctx, uint64_t epoch, const uint8_t *sealed, size_t len)
{
	(void)epoch;
	(void)sealed;
	(void)len;
	(*(size_t *)ctx)++;
	return 0;
}

static int
has_note(struct group *g, const char *body)
{
	struct group_note *notes = NULL;
	size_t n = 0, i;
	int found = 0;

	assert_int_equal(group_notes(g, &notes, &n), 0);
	for (i = 0; i < n; i++)
		if (notes[i].note != NULL && notes[i].note->body != NULL &&
		    strstr(notes[i].note->body, body) != NULL)
			found = 1;
	group_notes_free(notes, n);
	return found;
}

static int
file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long sz;
	size_t i, nlen = strlen(needle);
	int found = 0;

	if (f == NULL)
		return 0;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	rewind(f);
	assert_non_null(buf = malloc(sz > 0 ? (size_t)sz : 1));
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	for (i = 0; !found && (size_t)sz >= nlen && i <= (size_t)sz - nlen; i++)
		found = memcmp(buf + i, needle, nlen) == 0;
	free(buf);
	return found;
}

static int
store_has(struct member *m, const char *needle)
{
	char p[160];

	snprintf(p, sizeof(p), "%s-wal", m->path);
	return file_has(m->path, needle) || file_has(p, needle);
}

static void
roster_hash(const struct group *g, uint8_t out[BAL_HASH_BYTES])
{
	assert_non_null(g->roster);
	assert_int_equal(roster_state_hash(g->roster, out), 0);
}

static const struct roster_member *
member_of(const struct group *g, const struct member *m)
{
	return roster_member_find(g->roster, m->d.id->pk);
}

/*
 * The leader revokes dave: the note bob writes afterwards is refused by
 * dave without the revocation, and with it stored but unreadable; dave's
 * entries beyond the cut are refused, and dropped by a member who had them.
 */
static void
test_revoke(void **state)
{
	struct member a, b, c, dv;
	struct group *ga, *gb, *gc, *gd;
	struct group_removed *rm = NULL;
	struct blobs bl;
	uint8_t gid[BAL_GROUP_ID_BYTES], key[BAL_KEY_BYTES], *plain = NULL;
	uint64_t cut = 0, before;
	size_t epoch = 0, stored = 0, nrm = 0, nkeys, i, plen = 0;
	struct entry *e = NULL;
	uint64_t new_epoch;
	char err[256];

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	member_open(&dv, 4, "dave");
	ga = found_co(&a, "G", NULL);
	memcpy(gid, ga->id, sizeof(gid));
	add_active(ga, &b);
	add_active(ga, &c);
	add_active(ga, &dv);
	gb = join(&b, ga);
	gc = join(&c, ga);
	gd = join(&dv, ga);
	assert_int_equal(write_body(gd, "dave before"), 0);
	assert_int_equal(sync_to(gd, ga), 0);
	assert_int_equal(sync_to(gd, gb), 0);
	assert_int_equal(sync_to(gd, gc), 0);

	/* Refusals: not a leader, oneself, never admitted. */
	assert_int_equal(group_roster_revoke(gb, dv.d.id->pk, NULL, NULL, err,
	    sizeof(err)), BAL_EPERM);
	assert_non_null(strstr(err, "only a leader of G can revoke members"));
	assert_int_equal(group_roster_revoke(ga, a.d.id->pk, NULL, NULL, err,
	    sizeof(err)), BAL_EINVAL);
	assert_non_null(strstr(err, "balint leave"));
	{
		uint8_t stranger[BAL_PK_BYTES];

		memset(stranger, 0x77, sizeof(stranger));
		assert_int_equal(group_roster_revoke(ga, stranger, NULL, NULL,
		    err, sizeof(err)), BAL_ENOENT);
	}
	assert_int_equal(member_of(gb, &dv)->status, ROSTER_ACTIVE);

	/* Dave, not knowing yet, writes on: seq 3 is beyond the cut. */
	before = head(&a, gid, dv.d.id->pk);
	assert_int_equal(group_roster_revoke(ga, dv.d.id->pk, &cut, &epoch,
	    err, sizeof(err)), 0);
	assert_int_equal(cut, before);
	assert_int_equal(epoch, ga->roster->current);
	assert_int_equal(member_of(ga, &dv)->status, ROSTER_REVOKED);
	assert_int_equal(member_of(ga, &dv)->cut, cut);
	assert_false(ga->roster->needs_rotation);
	assert_int_equal(group_roster_needs_rotation(ga, NULL), 0);
	assert_int_equal(group_roster_revoke(ga, dv.d.id->pk, NULL, NULL, err,
	    sizeof(err)), BAL_EEXIST);
	new_epoch = ga->roster->epochs[ga->roster->current].id;
	assert_int_equal(ga->roster->epochs[ga->roster->write_epoch].id,
	    new_epoch);
	assert_int_equal(write_body(gd, "dave late"), 0);
	assert_int_equal(head(&dv, gid, dv.d.id->pk), cut + 1);

	/* Carol stores dave's late entry before she hears of the REVOKE. */
	assert_int_equal(sync_to(gd, gc), 0);
	assert_int_equal(head(&c, gid, dv.d.id->pk), cut + 1);
	assert_int_equal(sync_to(ga, gc), 0);
	assert_int_equal(member_of(gc, &dv)->status, ROSTER_REVOKED);
	assert_int_equal(head(&c, gid, dv.d.id->pk), cut);
	assert_false(has_note(gc, "dave late"));
	assert_true(has_note(gc, "dave before"));
	/* Alice, who knows, refuses it without failing the batch. */
	missing(gd, ga, &bl);
	assert_true(bl.n >= 1);
	assert_int_equal(give(ga, &bl, &stored), 0);
	assert_int_equal(stored, 0);
	blobs_free(&bl);
	assert_int_equal(head(&a, gid, dv.d.id->pk), cut);

	/* Bob writes under the new epoch, sealed to alice, bob and carol. */
	assert_int_equal(sync_to(ga, gb), 0);
	assert_int_equal(member_of(gb, &dv)->status, ROSTER_REVOKED);
	assert_int_equal(write_body(gb, "bob " REVOKE_MARKER), 0);
	assert_int_equal(sync_to(gb, ga), 0);
	assert_int_equal(sync_to(gb, gc), 0);
	assert_true(has_note(ga, REVOKE_MARKER));
	assert_true(has_note(gc, REVOKE_MARKER));

	/* Dave handed bob's new note alone: its epoch is unknown, refused. */
	missing(gb, gd, &bl);
	for (i = 0; i < bl.n; i++) {
		assert_int_equal(entry_decode(bl.p[i], bl.len[i], &e), 0);
		if (e->h.kind == ENTRY_KIND_NOTE &&
		    memcmp(e->h.author, b.d.id->pk, BAL_PK_BYTES) == 0) {
			struct blobs one;

			assert_int_equal(e->h.epoch, new_epoch);
			memset(&one, 0, sizeof(one));
			one.p[0] = bl.p[i];
			one.len[0] = bl.len[i];
			one.n = 1;
			before = count_gid(&dv, gid);
			assert_true(give(gd, &one, &stored) < 0);
			assert_int_equal(count_gid(&dv, gid), before);
			/* None of dave's keys opens it. */
			for (nkeys = 0; nkeys < gd->nkeys; nkeys++) {
				assert_int_not_equal(gd->keys[nkeys].epoch,
				    new_epoch);
				assert_int_not_equal(entry_open(e,
				    gd->keys[nkeys].key, &plain, &plen), 0);
			}
		}
		entry_free(e);
		e = NULL;
	}
	blobs_free(&bl);

	/* With the REVOKE: stored (relayed), but dave cannot read it. */
	assert_int_equal(sync_to(gb, gd), 0);
	assert_int_equal(member_of(gd, &dv)->status, ROSTER_REVOKED);
	assert_int_equal(roster_epoch_key(gd->roster, new_epoch, dv.d.id, key),
	    BAL_ENOENT);
	assert_non_null(roster_epoch_find(gd->roster, new_epoch));
	for (i = 0; i < gd->nkeys; i++)
		assert_int_not_equal(gd->keys[i].epoch, new_epoch);
	assert_false(has_note(gd, REVOKE_MARKER));
	assert_true(has_note(gd, "dave before"));
	assert_false(has_note(gd, "dave late"));	/* beyond the cut */
	assert_false(store_has(&dv, REVOKE_MARKER));
	assert_int_equal(write_body(gd, "dave again"), BAL_EPERM);

	/* Every member computed the same roster. */
	{
		uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];

		roster_hash(ga, h1);
		roster_hash(gb, h2);
		assert_memory_equal(h1, h2, sizeof(h1));
		roster_hash(gc, h2);
		assert_memory_equal(h1, h2, sizeof(h1));
		roster_hash(gd, h2);
		assert_memory_equal(h1, h2, sizeof(h1));
	}

	/* Cooperative erasure: nothing of the group is left at dave's. */
	assert_int_equal(group_roster_erase(gd), 0);
	assert_null(group_find(&dv.d, gid));
	assert_int_equal(count_gid(&dv, gid), 0);
	nkeys = 0;
	assert_int_equal(store_key_each(dv.d.store, gid, key_count_cb, &nkeys),
	    0);
	assert_int_equal(nkeys, 0);
	assert_int_equal(group_removed_list(&dv.d, &rm, &nrm), 0);
	assert_int_equal(nrm, 1);
	assert_memory_equal(rm[0].gid, gid, BAL_GROUP_ID_BYTES);
	assert_string_equal(rm[0].name, "G");
	assert_string_equal(rm[0].by, "alice");
	assert_int_equal(rm[0].status, ROSTER_REVOKED);
	assert_true(rm[0].removed_ms > 0);
	free(rm);
	assert_false(store_has(&dv, REVOKE_MARKER));
	member_reopen(&dv);
	assert_null(group_find(&dv.d, gid));
	assert_null(dv.d.groups);
	sodium_memzero(key, sizeof(key));
	member_close(&a);
	member_close(&b);
	member_close(&c);
	member_close(&dv);
}

/*
 * Carol leaves: the leader must rotate, does so once, and carol cannot
 * open the new epoch.  The only leader cannot leave; a leader with an
 * active co-leader can, and the co-leader rotates.
 */
static void
test_leave_rotate(void **state)
{
	struct member a, b, c;
	struct group *ga, *gb, *gc;
	struct group_removed *rm = NULL;
	uint8_t gid[BAL_GROUP_ID_BYTES], key[BAL_KEY_BYTES];
	const struct roster_epoch *ep;
	size_t nrm = 0;
	uint64_t id;
	int first;
	char err[256];

	(void)state;
	member_open(&a, 5, "alice");
	member_open(&b, 6, "bob");
	member_open(&c, 7, "carol");
	ga = found_co(&a, "G", &b);			/* bob is co-leader */
	memcpy(gid, ga->id, sizeof(gid));
	add_active(ga, &b);
	add_active(ga, &c);
	gb = join(&b, ga);
	gc = join(&c, ga);
	assert_true(roster_is_leader(gb->roster, b.d.id->pk));

	assert_int_equal(group_roster_leave(gc, err, sizeof(err)), 0);
	assert_int_equal(member_of(gc, &c)->status, ROSTER_LEFT);
	assert_int_equal(member_of(gc, &c)->cut, head(&c, gid, c.d.id->pk));
	assert_int_equal(group_roster_leave(gc, err, sizeof(err)), BAL_EPERM);
	assert_int_equal(sync_to(gc, ga), 0);
	assert_int_equal(sync_to(gc, gb), 0);
	assert_int_equal(member_of(ga, &c)->status, ROSTER_LEFT);
	assert_true(ga->roster->needs_rotation);
	/* Exactly one leader is expected to rotate: the smaller key. */
	assert_int_equal(group_roster_needs_rotation(ga, &first), 1);
	{
		int fb;

		assert_int_equal(group_roster_needs_rotation(gb, &fb), 1);
		assert_int_equal(first + fb, 1);
	}
	assert_int_equal(group_roster_needs_rotation(gc, NULL), 0);
	assert_int_equal(group_roster_rotate(gc), BAL_EPERM);

	assert_int_equal(group_roster_rotate(ga), 0);
	assert_false(ga->roster->needs_rotation);
	assert_int_equal(group_roster_needs_rotation(ga, NULL), 0);
	ep = &ga->roster->epochs[ga->roster->current];
	assert_int_equal(ep->op, ROSTER_OP_ROTATE);
	assert_int_equal(ep->nrecipients, 2);
	id = ep->id;
	assert_int_equal(ga->roster->epochs[ga->roster->write_epoch].id, id);
	assert_int_equal(sync_to(ga, gb), 0);
	assert_int_equal(sync_to(ga, gc), 0);
	assert_int_equal(group_roster_needs_rotation(gb, NULL), 0);
	assert_int_equal(roster_epoch_key(gc->roster, id, c.d.id, key),
	    BAL_ENOENT);
	assert_int_equal(roster_epoch_key(gb->roster, id, b.d.id, key), 0);
	assert_int_equal(write_body(gb, "bob " REVOKE_MARKER), 0);
	assert_int_equal(sync_to(gb, gc), 0);
	assert_false(has_note(gc, REVOKE_MARKER));
	assert_int_equal(group_roster_erase(gc), 0);
	assert_int_equal(count_gid(&c, gid), 0);
	assert_int_equal(group_removed_list(&c.d, &rm, &nrm), 0);
	assert_int_equal(nrm, 1);
	assert_int_equal(rm[0].status, ROSTER_LEFT);
	assert_string_equal(rm[0].by, "carol");
	free(rm);
	assert_false(store_has(&c, REVOKE_MARKER));

	/* Alice may leave: bob is an active leader.  Bob then rotates. */
	assert_int_equal(group_roster_leave(ga, err, sizeof(err)), 0);
	assert_int_equal(sync_to(ga, gb), 0);
	assert_true(gb->roster->needs_rotation);
	assert_int_equal(group_roster_needs_rotation(gb, &first), 1);
	assert_int_equal(first, 1);
	/* Bob, the last leader, cannot leave. */
	assert_int_equal(group_roster_leave(gb, err, sizeof(err)), BAL_EPERM);
	assert_non_null(strstr(err, "only active leader"));
	assert_int_equal(group_roster_rotate(gb), 0);
	assert_int_equal(group_roster_needs_rotation(gb, NULL), 0);
	assert_int_equal(gb->roster->epochs[gb->roster->current].nrecipients,
	    1);
	sodium_memzero(key, sizeof(key));
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/* Two leaders rotate concurrently after a LEAVE: both converge. */
static void
test_concurrent_rotations(void **state)
{
	struct member a, b, c;
	struct group *ga, *gb, *gc;
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES], h3[BAL_HASH_BYTES];
	char err[256];

	(void)state;
	member_open(&a, 8, "alice");
	member_open(&b, 9, "bob");
	member_open(&c, 10, "carol");
	ga = found_co(&a, "G", &b);
	add_active(ga, &b);
	add_active(ga, &c);
	gb = join(&b, ga);
	gc = join(&c, ga);
	assert_int_equal(group_roster_leave(gc, err, sizeof(err)), 0);
	assert_int_equal(sync_to(gc, ga), 0);
	assert_int_equal(sync_to(gc, gb), 0);
	assert_int_equal(group_roster_rotate(ga), 0);
	assert_int_equal(group_roster_rotate(gb), 0);
	assert_int_equal(sync_to(ga, gb), 0);
	assert_int_equal(sync_to(gb, ga), 0);
	assert_int_equal(sync_to(ga, gc), 0);
	roster_hash(ga, h1);
	roster_hash(gb, h2);
	roster_hash(gc, h3);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_memory_equal(h1, h3, sizeof(h1));
	assert_false(ga->roster->needs_rotation);
	assert_int_equal(group_roster_needs_rotation(ga, NULL), 0);
	assert_int_equal(group_roster_needs_rotation(gb, NULL), 0);
	assert_int_equal(ga->roster->current, gb->roster->current);
	/* Both can write and read under the converged write epoch. */
	assert_int_equal(write_body(ga, "alice " REVOKE_MARKER), 0);
	assert_int_equal(sync_to(ga, gb), 0);
	assert_true(has_note(gb, REVOKE_MARKER));
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_leave_rotate),
		cmocka_unit_test(test_concurrent_rotations),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
