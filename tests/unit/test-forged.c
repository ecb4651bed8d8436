/*
 * test-forged.c — roster entries that must not count, handed to real
 * members (stores on disk, groups as the daemon keeps them): ADD, REVOKE
 * and AMEND signed by a member who is no leader, a REVOKE by a revoked
 * leader beyond its cut, CREATEs of the wrong group or by the wrong
 * founder.  Each is refused by group_receive (non-zero, store unchanged)
 * or stored and folded as rejected (roster and state hash unchanged).
 * Also: the co-leader, contract amendments and acceptances, the group
 * state code, and two leaders changing the roster while partitioned.
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
#include "statecode.h"
#include "store.h"

#define MAXB 256

struct member {
	char dir[64];
	char path[128];
	struct daemon d;
	struct group *g;	/* its copy of the group under test */
};

/* Encoded entries, copied. */
struct blobs {
	uint8_t *p[MAXB];
	size_t len[MAXB];
	size_t n;
};

static void
member_open(struct member *m, uint8_t seed_byte, const char *name)
{
	uint8_t seed[32];

	memset(m, 0, sizeof(*m));
	memset(seed, seed_byte, sizeof(seed));
	strcpy(m->dir, "/tmp/balint-test-forged-XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	snprintf(m->path, sizeof(m->path), "%s/store.db", m->dir);
	assert_int_equal(identity_from_seed(seed, &m->d.id), 0);
	assert_int_equal(store_open(m->path, &m->d.store), 0);
	snprintf(m->d.name, sizeof(m->d.name), "%s", name);
}

static void
member_close(struct member *m)
{
	char cmd[128];

	group_free_all(&m->d);
	store_close(m->d.store);
	identity_free(m->d.id);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->dir);
	assert_int_equal(system(cmd), 0);
}

/* m founds the group, naming co (may be NULL) as Co-leader. */
static void
found(struct member *m, const struct member *co)
{
	char text[512], id[IDENTITY_ID_TEXT_BYTES], err[256];

	if (co != NULL)
		identity_id_encode(co->d.id->pk, id);
	snprintf(text, sizeof(text), "Name: Forged\nHistory: from-join\n"
	    "%s%s%s\nWhat is said here stays here.\n",
	    co != NULL ? "Co-leader: " : "", co != NULL ? id : "",
	    co != NULL ? "\n" : "");
	assert_int_equal(group_create(&m->d, text, strlen(text), &m->g, err,
	    sizeof(err)), 0);
	assert_non_null(m->g);
}

static void
hash_of(const struct member *m, uint8_t out[BAL_HASH_BYTES])
{
	assert_non_null(m->g->roster);
	assert_int_equal(roster_state_hash(m->g->roster, out), 0);
}

static uint64_t
count(const struct member *m)
{
	uint64_t n = 0;

	assert_int_equal(store_entry_count(m->d.store, m->g->id, &n), 0);
	return n;
}

static int
collect_cb(void *ctx, const uint8_t *blob, size_t len)
{
	struct blobs *b = ctx;

	assert_true(b->n < MAXB);
	b->p[b->n] = malloc(len);
	assert_non_null(b->p[b->n]);
	memcpy(b->p[b->n], blob, len);
	b->len[b->n++] = len;
	return 0;
}

static int
missing_cb(void *ctx, const uint8_t *author, uint64_t seq,
    const uint8_t *blob, size_t len)
{
	(void)author;
	(void)seq;
	return collect_cb(ctx, blob, len);
}

static void
blobs_free(struct blobs *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->p[i]);
	b->n = 0;
}

/* Hands the whole batch b to m; the code of group_receive. */
static int
deliver(struct member *m, struct blobs *b, size_t *stored)
{
	char why[512];

	return group_receive(m->g, (const uint8_t *const *)b->p, b->len, b->n,
	    NULL, stored, why, sizeof(why));
}

/* What to lacks of from's store, in causal order, handed over at once. */
static int
sync_pair(struct member *from, struct member *to)
{
	struct wire_have_item *have = NULL;
	struct blobs miss;
	size_t nhave = 0;
	int ret;

	memset(&miss, 0, sizeof(miss));
	if (to->g == NULL)
		assert_int_equal(group_join_new(&to->d, from->g->id, &to->g),
		    0);
	else
		assert_int_equal(group_have(to->g, &have, &nhave), 0);
	assert_int_equal(group_entries_missing(from->g, have, nhave, 0,
	    missing_cb, &miss), 0);
	ret = miss.n > 0 ? deliver(to, &miss, NULL) : 0;
	blobs_free(&miss);
	free(have);
	return ret;
}

/* A new epoch key sealed to g's active members, plus extra, less except. */
static void
seal_new_epoch(const struct group *g, const uint8_t *extra,
    const uint8_t *except, uint8_t **env, size_t *envlen)
{
	uint8_t (*rcpt)[BAL_PK_BYTES];
	uint8_t *key = NULL;
	const struct roster *r = g->roster;
	size_t n = 0, i;

	rcpt = calloc(r->nmembers + 1, sizeof(*rcpt));
	assert_non_null(rcpt);
	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE && (except == NULL ||
		    memcmp(except, r->members[i].pk, BAL_PK_BYTES) != 0))
			memcpy(rcpt[n++], r->members[i].pk, BAL_PK_BYTES);
	if (extra != NULL)
		memcpy(rcpt[n++], extra, BAL_PK_BYTES);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 0, g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])rcpt, n, NULL, env, envlen), 0);
	epoch_key_free(key);
	free(rcpt);
}

/* The ADD of nm by l, with a new epoch for everyone and nm. */
static void
add_body(struct member *l, struct member *nm, uint8_t **body, size_t *len)
{
	uint8_t sig[BAL_SIG_BYTES], *env = NULL;
	size_t envlen = 0;

	assert_int_equal(contract_accept_sign(nm->d.id, l->g->id, nm->d.name,
	    sig), 0);
	seal_new_epoch(l->g, nm->d.id->pk, NULL, &env, &envlen);
	assert_int_equal(roster_encode_add(nm->d.id->pk, nm->d.name, sig, NULL,
	    env, envlen, NULL, 0, body, len), 0);
	free(env);
}

/* The highest seq of author's log in m's store. */
static uint64_t
head_seq(const struct member *m, const uint8_t *author)
{
	uint8_t id[BAL_HASH_BYTES];
	uint64_t seq = 0;

	assert_int_equal(store_entry_head(m->d.store, m->g->id, author, &seq,
	    id), 0);
	return seq;
}

/* The REVOKE of who by l: cut = who's head in l's store, a new epoch. */
static void
revoke_body(struct member *l, struct member *who, uint8_t **body,
    size_t *len)
{
	uint8_t *env = NULL;
	size_t envlen = 0;

	seal_new_epoch(l->g, NULL, who->d.id->pk, &env, &envlen);
	assert_int_equal(roster_encode_revoke(who->d.id->pk,
	    head_seq(l, who->d.id->pk), env, envlen, body, len), 0);
	free(env);
}

static int
append_body(struct member *m, uint8_t *body, size_t len)
{
	int ret = group_append(m->g, ENTRY_KIND_ROSTER, body, len, NULL);

	free(body);
	return ret;
}

static int
do_add(struct member *l, struct member *nm)
{
	uint8_t *body = NULL;
	size_t len = 0;

	add_body(l, nm, &body, &len);
	return append_body(l, body, len);
}

static int
do_revoke(struct member *l, struct member *who)
{
	uint8_t *body = NULL;
	size_t len = 0;

	revoke_body(l, who, &body, &len);
	return append_body(l, body, len);
}

static int
rotate(struct member *l)
{
	uint8_t *env = NULL, *body = NULL;
	size_t envlen = 0, len = 0;

	seal_new_epoch(l->g, NULL, NULL, &env, &envlen);
	assert_int_equal(roster_encode_rotate(env, envlen, &body, &len), 0);
	free(env);
	return append_body(l, body, len);
}

/*
 * Signs body as m's next entry of kind in m's log as m's store holds it,
 * without storing it: what a member's modified software could send.
 */
static void
forge(struct member *m, const uint8_t *gid, int kind, const uint8_t *body,
    size_t len, struct blobs *out)
{
	struct entry_header h;
	struct entry *prev = NULL, *e = NULL;
	uint8_t *blob = NULL, id[BAL_HASH_BYTES];
	size_t bloblen = 0;
	uint64_t seq = 0;

	if (m->g != NULL) {
		assert_int_equal(store_entry_head(m->d.store, m->g->id,
		    m->d.id->pk, &seq, id), 0);
		if (seq > 0) {
			assert_int_equal(store_entry_get(m->d.store, m->g->id,
			    m->d.id->pk, seq, &blob, &bloblen), 0);
			assert_int_equal(entry_decode(blob, bloblen, &prev), 0);
			free(blob);
			blob = NULL;
		}
	}
	assert_int_equal(entry_header_next(&h, gid, m->d.id->pk, prev,
	    m->g != NULL ? m->g->lamport : 0), 0);
	h.kind = (uint8_t)kind;
	h.time = 1000;
	assert_int_equal(entry_seal(&h, m->d.id, NULL, body, len, NULL, &e),
	    0);
	assert_int_equal(entry_encode(e, &blob, &bloblen), 0);
	collect_cb(out, blob, bloblen);
	free(blob);
	entry_free(e);
	entry_free(prev);
}

/* Writes a note; returns group_append's code. */
static int
write_note(struct member *m, const char *title)
{
	struct note n;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	memset(&n, 0, sizeof(n));
	note_id_generate(NULL, m->g->d->id->pk, n.id);
	n.kind = NOTE_KIND_SESSION;
	n.case_ref = "case-1";
	n.title = (char *)title;
	n.body = "text";
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	ret = group_append(m->g, ENTRY_KIND_NOTE, buf, len, NULL);
	note_buf_free(buf, len);
	return ret;
}

/* Does m read a note with this title? */
static int
reads(struct member *m, const char *title)
{
	struct group_note *notes = NULL;
	size_t n = 0, i;
	int found = 0;

	assert_int_equal(group_notes(m->g, &notes, &n), 0);
	for (i = 0; i < n; i++)
		if (notes[i].note != NULL && !notes[i].deleted &&
		    strcmp(notes[i].note->title, title) == 0)
			found = 1;
	group_notes_free(notes, n);
	return found;
}

/* The reason the fold gave for rejecting entry id, or 0. */
static int
reject_reason(const struct member *m, const uint8_t *blob, size_t len)
{
	struct entry *e = NULL;
	size_t i;
	int reason = 0;

	assert_int_equal(entry_decode(blob, len, &e), 0);
	for (i = 0; i < m->g->roster->nrejected; i++)
		if (memcmp(m->g->roster->rejected[i].entry_id, e->id,
		    BAL_HASH_BYTES) == 0)
			reason = m->g->roster->rejected[i].reason;
	entry_free(e);
	return reason;
}

static int
status_of(const struct member *m, const struct member *who)
{
	const struct roster_member *rm = roster_member_find(m->g->roster,
	    who->d.id->pk);

	return rm == NULL ? -1 : rm->status;
}

/*
 * The forged entry is refused: group_receive fails and m's store, roster
 * and keys are as they were.
 */
static void
expect_refused(struct member *m, struct blobs *bad)
{
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	uint64_t before = count(m);
	size_t nkeys = m->g->nkeys, stored = 99;

	hash_of(m, h1);
	assert_true(deliver(m, bad, &stored) < 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count(m), before);
	assert_int_equal(m->g->nkeys, nkeys);
	hash_of(m, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
}

/*
 * An entry of a removed member beyond their cut: not stored, and the batch
 * still goes through (an honest relay may hold it from before the removal).
 */
static void
expect_skipped(struct member *m, struct blobs *bad)
{
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	uint64_t before = count(m);
	size_t nkeys = m->g->nkeys, stored = 99;

	hash_of(m, h1);
	assert_int_equal(deliver(m, bad, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count(m), before);
	assert_int_equal(m->g->nkeys, nkeys);
	hash_of(m, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
}

/*
 * The forged entry is stored (it is its author's signed log) but the fold
 * rejects it with reason: roster, state hash and keys unchanged.
 */
static void
expect_folded_out(struct member *m, struct blobs *bad, int reason)
{
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	char c1[STATECODE_TEXT_BYTES], c2[STATECODE_TEXT_BYTES];
	uint64_t before = count(m);
	size_t nkeys = m->g->nkeys, nmembers = m->g->roster->nmembers;
	size_t nepochs = m->g->roster->nepochs;

	hash_of(m, h1);
	assert_int_equal(group_state_code(m->g, c1), 0);
	assert_int_equal(deliver(m, bad, NULL), 0);
	assert_int_equal(count(m), before + bad->n);
	assert_int_equal(reject_reason(m, bad->p[bad->n - 1],
	    bad->len[bad->n - 1]), reason);
	assert_int_equal(m->g->nkeys, nkeys);
	assert_int_equal(m->g->roster->nmembers, nmembers);
	assert_int_equal(m->g->roster->nepochs, nepochs);
	hash_of(m, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_int_equal(group_state_code(m->g, c2), 0);
	assert_string_equal(c1, c2);
}

/* Every member in ms[0..n) has the same state hash and code. */
static void
expect_same(struct member **ms, size_t n)
{
	uint8_t h0[BAL_HASH_BYTES], h[BAL_HASH_BYTES];
	char c0[STATECODE_TEXT_BYTES], c[STATECODE_TEXT_BYTES];
	size_t i;

	hash_of(ms[0], h0);
	assert_int_equal(group_state_code(ms[0]->g, c0), 0);
	for (i = 1; i < n; i++) {
		hash_of(ms[i], h);
		assert_memory_equal(h0, h, sizeof(h));
		assert_int_equal(group_state_code(ms[i]->g, c), 0);
		assert_string_equal(c0, c);
		assert_int_equal(ms[i]->g->roster->current,
		    ms[0]->g->roster->current);
	}
}

/* The contract of m's group, edited: text replaced, co-leader kept. */
static void
amended_text(const struct member *m, const char *body, char **out,
    size_t *len)
{
	char *t = NULL, *blank;
	size_t tl = 0;

	assert_int_equal(contract_text(m->g->contract, m->d.id->pk, &t, &tl),
	    0);
	blank = strstr(t, "\n\n");
	assert_non_null(blank);
	blank[2] = '\0';
	*len = strlen(t) + strlen(body);
	*out = malloc(*len + 1);
	assert_non_null(*out);
	snprintf(*out, *len + 1, "%s%s", t, body);
	free(t);
}

/* The members of a typical test: l1 founds with l2 as co-leader. */
struct cast {
	struct member l1, l2, b, c, x, y;
};

static void
cast_open(struct cast *k)
{
	member_open(&k->l1, 1, "lena");
	member_open(&k->l2, 2, "lars");
	member_open(&k->b, 3, "bea");
	member_open(&k->c, 4, "cem");
	member_open(&k->x, 5, "xaver");
	member_open(&k->y, 6, "yuki");
}

static void
cast_close(struct cast *k)
{
	member_close(&k->l1);
	member_close(&k->l2);
	member_close(&k->b);
	member_close(&k->c);
	member_close(&k->x);
	member_close(&k->y);
}

/* l1 founds with co-leader l2 and adds l2, b, c; everyone synced. */
static void
cast_group(struct cast *k)
{
	found(&k->l1, &k->l2);
	assert_int_equal(do_add(&k->l1, &k->l2), 0);
	assert_int_equal(do_add(&k->l1, &k->b), 0);
	assert_int_equal(do_add(&k->l1, &k->c), 0);
	assert_int_equal(sync_pair(&k->l1, &k->l2), 0);
	assert_int_equal(sync_pair(&k->l1, &k->b), 0);
	assert_int_equal(sync_pair(&k->l1, &k->c), 0);
}

/* Tests. */

static void
test_state_code(void **state)
{
	struct cast k;
	struct member *all[4];
	uint8_t h[BAL_HASH_BYTES];
	char code[STATECODE_TEXT_BYTES], want[STATECODE_TEXT_BYTES];
	char before[STATECODE_TEXT_BYTES];
	struct group *joining = NULL;
	size_t i;

	(void)state;
	cast_open(&k);
	found(&k.l1, NULL);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	hash_of(&k.l1, h);
	statecode_make(k.l1.g->id, h, want);
	assert_string_equal(code, want);
	assert_int_equal(strlen(code), STATECODE_TEXT_BYTES - 1);
	for (i = 0; i < STATECODE_TEXT_BYTES - 1; i++)
		assert_true(i % 5 == 4 ? code[i] == '-' :
		    (code[i] >= '0' && code[i] <= '9'));
	/* A group being joined has no code yet. */
	assert_int_equal(group_join_new(&k.b.d, k.l1.g->id, &joining), 0);
	assert_int_equal(group_state_code(joining, code), BAL_ESTATE);
	assert_string_equal(code, "");
	group_forget(joining);
	/* Any change of the roster changes it; equal rosters, equal codes. */
	memcpy(before, want, sizeof(before));
	assert_int_equal(do_add(&k.l1, &k.b), 0);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	assert_string_not_equal(code, before);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	all[0] = &k.l1;
	all[1] = &k.b;
	expect_same(all, 2);
	/* Notes do not change it; a new epoch does. */
	assert_int_equal(group_state_code(k.l1.g, before), 0);
	assert_int_equal(write_note(&k.b, "note"), 0);
	assert_int_equal(sync_pair(&k.b, &k.l1), 0);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	assert_string_equal(code, before);
	assert_int_equal(rotate(&k.l1), 0);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	assert_string_not_equal(code, before);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	expect_same(all, 2);
	cast_close(&k);
}

/* The co-leader is a leader once added: invites (ADD) and revokes. */
static void
test_co_leader(void **state)
{
	struct cast k;
	struct member *all[4];

	(void)state;
	cast_open(&k);
	found(&k.l1, &k.l2);
	assert_int_equal(k.l1.g->contract->nleaders, 2);
	/* Named by the contract, but no member yet: no leader. */
	assert_false(roster_is_leader(k.l1.g->roster, k.l2.d.id->pk));
	assert_int_equal(do_add(&k.l1, &k.l2), 0);
	assert_true(roster_is_leader(k.l1.g->roster, k.l2.d.id->pk));
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_true(roster_is_leader(k.l2.g->roster, k.l2.d.id->pk));
	/* l2 adds b and c, then revokes c. */
	assert_int_equal(do_add(&k.l2, &k.b), 0);
	assert_int_equal(do_add(&k.l2, &k.c), 0);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(status_of(&k.l1, &k.c), ROSTER_ACTIVE);
	assert_false(roster_is_leader(k.l1.g->roster, k.b.d.id->pk));
	assert_int_equal(do_revoke(&k.l2, &k.c), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(status_of(&k.l1, &k.c), ROSTER_REVOKED);
	assert_int_equal(status_of(&k.b, &k.c), ROSTER_REVOKED);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	expect_same(all, 3);
	/* A leader cannot revoke themself; b (no leader) cannot write one. */
	assert_int_equal(do_revoke(&k.l2, &k.l2), BAL_EPERM);
	assert_int_equal(do_revoke(&k.b, &k.l1), BAL_EPERM);
	assert_int_equal(do_add(&k.b, &k.x), BAL_EPERM);
	cast_close(&k);
}

/* ADD and REVOKE signed by a member who is no leader, and by a stranger. */
static void
test_forged_by_non_leader(void **state)
{
	struct cast k;
	struct blobs bad;
	uint8_t *body = NULL, sig[BAL_SIG_BYTES], *env = NULL;
	size_t len = 0, envlen = 0;
	struct member *all[4];

	(void)state;
	cast_open(&k);
	cast_group(&k);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.c;
	memset(&bad, 0, sizeof(bad));
	/* b's own daemon does not write it. */
	assert_int_equal(do_add(&k.b, &k.x), BAL_EPERM);
	/* b (a member) signs an ADD of x: stored, folded out by everyone. */
	add_body(&k.l1, &k.x, &body, &len);	/* well-formed, x accepted */
	forge(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_folded_out(&k.l1, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.l2, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.c, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.b, &bad, ROSTER_R_NOT_LEADER);
	assert_null(roster_member_find(k.l1.g->roster, k.x.d.id->pk));
	assert_false(roster_is_active(k.c.g->roster, k.x.d.id->pk));
	blobs_free(&bad);
	/* b's next entry: a REVOKE of c, with a new epoch. */
	revoke_body(&k.l1, &k.c, &body, &len);
	forge(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_folded_out(&k.l1, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.l2, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.c, &bad, ROSTER_R_NOT_LEADER);
	assert_int_equal(status_of(&k.l1, &k.c), ROSTER_ACTIVE);
	assert_int_equal(status_of(&k.c, &k.c), ROSTER_ACTIVE);
	blobs_free(&bad);
	/* b's next: a ROTATE. */
	seal_new_epoch(k.l1.g, NULL, NULL, &env, &envlen);
	assert_int_equal(roster_encode_rotate(env, envlen, &body, &len), 0);
	free(env);
	{
		struct blobs two;

		memset(&two, 0, sizeof(two));
		assert_int_equal(group_entries_after(k.l1.g, k.b.d.id->pk, 0,
		    0, collect_cb, &two), 0);
		assert_int_equal(two.n, 2);
		assert_int_equal(deliver(&k.b, &two, NULL), 0);
		blobs_free(&two);
	}
	forge(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_folded_out(&k.l1, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.c, &bad, ROSTER_R_NOT_LEADER);
	blobs_free(&bad);
	/* x, never admitted, signs an ADD of y: refused outright. */
	add_body(&k.l1, &k.y, &body, &len);
	forge(&k.x, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l1, &bad);
	expect_refused(&k.b, &bad);
	blobs_free(&bad);
	/* A leader's ADD whose newcomer never accepted the contract. */
	memset(sig, 0x55, sizeof(sig));
	seal_new_epoch(k.l1.g, k.y.d.id->pk, NULL, &env, &envlen);
	assert_int_equal(roster_encode_add(k.y.d.id->pk, "yuki", sig, NULL,
	    env, envlen, NULL, 0, &body, &len), 0);
	free(env);
	forge(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.c, &bad);
	blobs_free(&bad);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(sync_pair(&k.c, &k.b), 0);
	expect_same(all, 4);
	cast_close(&k);
}

/* A REVOKE by a leader who was revoked, beyond the cut. */
static void
test_forged_by_revoked_leader(void **state)
{
	struct cast k;
	struct blobs bad;
	struct member *all[3];
	uint8_t *body = NULL;
	size_t len = 0;
	int reason;

	(void)state;
	cast_open(&k);
	cast_group(&k);
	/* l2 writes a note (seq 1), seen by l1 and c; l1 revokes l2. */
	assert_int_equal(write_note(&k.l2, "by lars"), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l2, &k.c), 0);
	assert_int_equal(do_revoke(&k.l1, &k.l2), 0);
	assert_int_equal(k.l1.g->roster->members[1].cut, 1);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_false(roster_is_leader(k.b.g->roster, k.l2.d.id->pk));
	/*
	 * l2, not knowing (or not caring), revokes b: seq 2, beyond the cut.
	 * Who knows of the revocation refuses it.
	 */
	assert_int_equal(do_revoke(&k.l2, &k.b), 0);
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(group_entries_after(k.l2.g, k.l2.d.id->pk, 1, 0,
	    collect_cb, &bad), 0);
	assert_int_equal(bad.n, 1);
	expect_skipped(&k.l1, &bad);
	expect_skipped(&k.b, &bad);
	assert_int_equal(status_of(&k.b, &k.b), ROSTER_ACTIVE);
	/*
	 * c has not heard of it yet and takes l2's REVOKE (b revoked, for
	 * now); once the revocation of l2 arrives, the cut voids l2's REVOKE
	 * (and c drops it from its store), so c agrees with everyone:
	 * whatever the order, one outcome.
	 */
	assert_int_equal(deliver(&k.c, &bad, NULL), 0);
	assert_int_equal(status_of(&k.c, &k.b), ROSTER_REVOKED);
	assert_int_equal(sync_pair(&k.l1, &k.c), 0);
	assert_int_equal(status_of(&k.c, &k.b), ROSTER_ACTIVE);
	assert_int_equal(status_of(&k.c, &k.l2), ROSTER_REVOKED);
	assert_int_equal(head_seq(&k.c, k.l2.d.id->pk), 1);
	/* (Folded out as beyond-cut, or gone from the fold's input.) */
	reason = reject_reason(&k.c, bad.p[0], bad.len[0]);
	assert_true(reason == ROSTER_R_BEYOND_CUT || reason == 0);
	blobs_free(&bad);
	all[0] = &k.l1;
	all[1] = &k.b;
	all[2] = &k.c;
	expect_same(all, 3);
	/* Anything else l2 signs is refused too: an ADD of x. */
	add_body(&k.l1, &k.x, &body, &len);
	forge(&k.l2, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_skipped(&k.l1, &bad);
	expect_skipped(&k.c, &bad);
	blobs_free(&bad);
	expect_same(all, 3);
	cast_close(&k);
}

/* CREATEs: of another group, a second one, or by the wrong founder. */
static void
test_forged_create(void **state)
{
	struct cast k;
	struct member other;
	struct blobs bad, good;
	struct group *gp = NULL;
	uint8_t *cenc = NULL, *body = NULL, *env = NULL, *key = NULL;
	size_t clen = 0, len = 0, envlen = 0;

	(void)state;
	cast_open(&k);
	cast_group(&k);
	member_open(&other, 9, "otto");
	found(&other, NULL);
	memset(&bad, 0, sizeof(bad));
	/* other's CREATE (its own group's contract) signed into our group. */
	assert_int_equal(contract_encode(other.g->contract, &cenc, &clen), 0);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 0, k.l1.g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])k.b.d.id->pk, 1, NULL, &env,
	    &envlen), 0);
	assert_int_equal(roster_encode_create(cenc, clen, "bea", env, envlen,
	    &body, &len), 0);
	forge(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	free(cenc);
	/* At members: a CREATE of a group that exists. */
	expect_refused(&k.l1, &bad);
	expect_refused(&k.c, &bad);
	/* At a newcomer who has nothing yet: another group's contract. */
	k.x.g = NULL;
	assert_int_equal(group_join_new(&k.x.d, k.l1.g->id, &gp), 0);
	assert_true(group_receive(gp, (const uint8_t *const *)bad.p, bad.len,
	    bad.n, NULL, NULL, NULL, 0) < 0);
	assert_null(gp->roster);
	blobs_free(&bad);
	/* Our group's own contract, but signed by the co-leader. */
	assert_int_equal(contract_encode(k.l1.g->contract, &cenc, &clen), 0);
	assert_int_equal(roster_encode_create(cenc, clen, "lars", env, envlen,
	    &body, &len), 0);
	free(cenc);
	{
		struct member fresh;

		member_open(&fresh, 2, "lars");	/* l2's key, empty store */
		forge(&fresh, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
		member_close(&fresh);
	}
	free(body);
	assert_true(group_receive(gp, (const uint8_t *const *)bad.p, bad.len,
	    bad.n, NULL, NULL, NULL, 0) < 0);
	assert_null(gp->roster);
	blobs_free(&bad);
	/* The true CREATE goes in after all that. */
	memset(&good, 0, sizeof(good));
	assert_int_equal(group_entries_after(k.l1.g, k.l1.d.id->pk, 0, 1,
	    collect_cb, &good), 0);
	assert_int_equal(group_receive(gp, (const uint8_t *const *)good.p,
	    good.len, good.n, NULL, NULL, NULL, 0), 0);
	assert_non_null(gp->roster);
	blobs_free(&good);
	group_forget(gp);
	/* The founder's second CREATE: refused too. */
	assert_int_equal(contract_encode(k.l1.g->contract, &cenc, &clen), 0);
	assert_int_equal(roster_encode_create(cenc, clen, "lena", env, envlen,
	    &body, &len), 0);
	free(cenc);
	forge(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.b, &bad);
	/* Nor does the founder's own daemon write it. */
	assert_int_equal(group_append(k.l1.g, ENTRY_KIND_ROSTER, body, len,
	    NULL), BAL_EPERM);
	free(body);
	blobs_free(&bad);
	free(env);
	epoch_key_free(key);
	member_close(&other);
	cast_close(&k);
}

/* AMENDs: by a member who is no leader, stale, or dropping its author. */
static void
test_forged_amend(void **state)
{
	struct cast k;
	struct blobs bad;
	struct contract *next = NULL;
	struct member *all[4];
	uint8_t *cenc = NULL, *body = NULL;
	size_t clen = 0, len = 0;
	char err[256];

	(void)state;
	cast_open(&k);
	cast_group(&k);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.c;
	memset(&bad, 0, sizeof(bad));
	/* b's daemon refuses to amend. */
	assert_int_equal(group_amend(k.b.g, "Name: X\n", 8, NULL, err,
	    sizeof(err)), BAL_EPERM);
	assert_string_equal(err, "only a leader of Forged can amend the "
	    "contract");
	/* b makes a version naming b as leader (contract_amend refuses). */
	assert_int_equal(contract_dup(k.l1.g->contract, &next), 0);
	memcpy(next->leaders[0], k.b.d.id->pk, BAL_PK_BYTES);
	memset(next->leaders[1], 0, BAL_PK_BYTES);
	next->nleaders = 1;
	free(next->text);
	next->text = strdup("b rules now.\n");
	assert_int_equal(contract_hash(k.l1.g->contract, next->prev), 0);
	assert_int_equal(contract_encode(next, &cenc, &clen), 0);
	assert_int_equal(roster_encode_amend(cenc, clen,
	    k.l1.g->roster->contract_hash, &body, &len), 0);
	free(cenc);
	contract_free(next);
	forge(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	assert_int_equal(group_append(k.b.g, ENTRY_KIND_ROSTER, body, len,
	    NULL), BAL_EPERM);
	free(body);
	expect_folded_out(&k.l1, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.l2, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.c, &bad, ROSTER_R_NOT_LEADER);
	expect_folded_out(&k.b, &bad, ROSTER_R_NOT_LEADER);
	assert_string_equal(k.c.g->contract->text,
	    "What is said here stays here.\n");
	blobs_free(&bad);
	/* A leader's AMEND whose version drops its author: contract. */
	assert_int_equal(contract_dup(k.l1.g->contract, &next), 0);
	memcpy(next->leaders[0], k.l2.d.id->pk, BAL_PK_BYTES);
	memset(next->leaders[1], 0, BAL_PK_BYTES);
	next->nleaders = 1;
	assert_int_equal(contract_hash(k.l1.g->contract, next->prev), 0);
	next->created_ms++;
	assert_int_equal(contract_encode(next, &cenc, &clen), 0);
	assert_int_equal(roster_encode_amend(cenc, clen,
	    k.l1.g->roster->contract_hash, &body, &len), 0);
	free(cenc);
	contract_free(next);
	forge(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_folded_out(&k.l2, &bad, ROSTER_R_CONTRACT);
	expect_folded_out(&k.c, &bad, ROSTER_R_CONTRACT);
	blobs_free(&bad);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	expect_same(all, 4);
	assert_string_equal(k.b.g->contract->text,
	    "What is said here stays here.\n");
	cast_close(&k);
}

/* Amendments through group_amend; versions and acceptances. */
static void
test_amend_and_accept(void **state)
{
	struct cast k;
	struct group_contract_info *ci = NULL;
	struct member *all[4];
	char err[256], *text = NULL;
	char c1[STATECODE_TEXT_BYTES], c2[STATECODE_TEXT_BYTES];
	uint8_t v1hash[BAL_HASH_BYTES];
	size_t len = 0, i;
	unsigned v = 0;

	(void)state;
	cast_open(&k);
	cast_group(&k);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.c;
	assert_int_equal(group_state_code(k.l1.g, c1), 0);
	memcpy(v1hash, k.l1.g->roster->contract_hash, sizeof(v1hash));
	assert_memory_equal(v1hash, k.l1.g->id, BAL_HASH_BYTES);
	assert_int_equal(group_contract_info(k.b.g, &ci), 0);
	assert_int_equal(ci->nversions, 1);
	assert_memory_equal(ci->versions[0].author, k.l1.d.id->pk,
	    BAL_PK_BYTES);
	assert_int_equal(ci->nmembers, 4);
	/* Version 1 only: the founder wrote it, everyone else joined. */
	for (i = 0; i < ci->nmembers; i++) {
		assert_int_equal(ci->members[i].accepted_version, 1);
		assert_int_equal(ci->members[i].how, i == 0 ?
		    GROUP_ACCEPTED_AUTHOR : GROUP_ACCEPTED_AT_JOIN);
	}
	group_contract_info_free(ci);
	/* Nothing changed: refused.  A text that does not parse: refused. */
	amended_text(&k.l2, "What is said here stays here.\n", &text, &len);
	assert_int_equal(group_amend(k.l2.g, text, len, &v, err,
	    sizeof(err)), BAL_EEXIST);
	free(text);
	assert_int_equal(group_amend(k.l2.g, "Colour: x\n", 10, &v, err,
	    sizeof(err)), BAL_ESYNTAX);
	assert_non_null(strstr(err, "line 1"));
	/* The co-leader amends. */
	amended_text(&k.l2, "We meet on Thursdays.\n", &text, &len);
	assert_int_equal(group_amend(k.l2.g, text, len, &v, err,
	    sizeof(err)), 0);
	free(text);
	assert_int_equal(v, 2);
	assert_string_equal(k.l2.g->contract->text, "We meet on Thursdays.\n");
	assert_int_equal(k.l2.g->contract->nleaders, 2);
	assert_true(roster_is_leader(k.l2.g->roster, k.l1.d.id->pk));
	assert_int_equal(group_state_code(k.l2.g, c2), 0);
	assert_string_not_equal(c1, c2);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.c), 0);
	expect_same(all, 4);
	assert_string_equal(k.c.g->contract->text, "We meet on Thursdays.\n");
	/* c accepts version 2; l1 sees it; the state code stays. */
	assert_int_equal(group_accept(k.c.g, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 2);
	assert_int_equal(group_accept(k.c.g, &v, err, sizeof(err)),
	    BAL_EEXIST);
	assert_int_equal(sync_pair(&k.c, &k.l1), 0);
	expect_same(all, 2);
	assert_int_equal(group_contract_info(k.l1.g, &ci), 0);
	assert_int_equal(ci->nversions, 2);
	assert_memory_equal(ci->versions[0].hash, v1hash, BAL_HASH_BYTES);
	assert_memory_equal(ci->versions[1].hash,
	    k.l1.g->roster->contract_hash, BAL_HASH_BYTES);
	assert_memory_equal(ci->versions[1].author, k.l2.d.id->pk,
	    BAL_PK_BYTES);
	for (i = 0; i < ci->nmembers; i++) {
		const struct group_acceptance *a = &ci->members[i];

		assert_int_equal(a->joined_version, 1);
		if (memcmp(a->member, k.l2.d.id->pk, BAL_PK_BYTES) == 0) {
			assert_int_equal(a->accepted_version, 2);
			assert_int_equal(a->how, GROUP_ACCEPTED_AUTHOR);
		} else if (memcmp(a->member, k.c.d.id->pk,
		    BAL_PK_BYTES) == 0) {
			assert_int_equal(a->accepted_version, 2);
			assert_int_equal(a->how, GROUP_ACCEPTED_EXPLICITLY);
		} else {
			assert_int_equal(a->accepted_version, 1);
			assert_int_equal(a->how, memcmp(a->member,
			    k.l1.d.id->pk, BAL_PK_BYTES) == 0 ?
			    GROUP_ACCEPTED_AUTHOR : GROUP_ACCEPTED_AT_JOIN);
		}
	}
	group_contract_info_free(ci);
	/* x joins under version 2: accepted at join, version 2. */
	assert_int_equal(do_add(&k.l1, &k.x), 0);
	assert_int_equal(sync_pair(&k.l1, &k.x), 0);
	assert_int_equal(group_contract_info(k.x.g, &ci), 0);
	assert_int_equal(ci->members[4].joined_version, 2);
	assert_int_equal(ci->members[4].accepted_version, 2);
	group_contract_info_free(ci);
	/* A stale amendment (of version 1) after version 2: contract. */
	{
		struct blobs bad;
		struct contract *next = NULL;
		uint8_t *cenc = NULL, *body = NULL;
		size_t clen = 0, blen = 0;

		memset(&bad, 0, sizeof(bad));
		assert_int_equal(sync_pair(&k.l1, &k.b), 0);
		assert_int_equal(contract_dup(k.l1.g->contract, &next), 0);
		memcpy(next->prev, v1hash, BAL_HASH_BYTES);
		memcpy(next->leaders[0], k.l1.d.id->pk, BAL_PK_BYTES);
		memcpy(next->leaders[1], k.l2.d.id->pk, BAL_PK_BYTES);
		assert_int_equal(contract_encode(next, &cenc, &clen), 0);
		assert_int_equal(roster_encode_amend(cenc, clen, v1hash, &body,
		    &blen), 0);
		forge(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, blen, &bad);
		expect_folded_out(&k.b, &bad, ROSTER_R_CONTRACT);
		free(cenc);
		free(body);
		contract_free(next);
		blobs_free(&bad);
	}
	/* An amendment that drops the co-leader: l2 leads no more. */
	{
		static const char t3[] = "Name: Forged\nHistory: full\n\n"
		    "Only lena leads.\n";

		assert_int_equal(group_amend(k.l1.g, t3, strlen(t3), &v, err,
		    sizeof(err)), 0);
		assert_int_equal(v, 3);
		assert_false(roster_is_leader(k.l1.g->roster, k.l2.d.id->pk));
		assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
		assert_int_equal(do_add(&k.l2, &k.y), BAL_EPERM);
		amended_text(&k.l2, "lars again\n", &text, &len);
		assert_int_equal(group_amend(k.l2.g, text, len, &v, err,
		    sizeof(err)), BAL_EPERM);
		free(text);
		assert_int_equal(k.l2.g->contract->history,
		    CONTRACT_HISTORY_FULL);
	}
	/* Reloaded from the store: the same versions. */
	group_free_all(&k.l1.d);
	assert_int_equal(group_load_all(&k.l1.d), 0);
	k.l1.g = k.l1.d.groups;
	assert_int_equal(group_contract_info(k.l1.g, &ci), 0);
	assert_int_equal(ci->nversions, 3);
	group_contract_info_free(ci);
	cast_close(&k);
}

/*
 * Two leaders, partitioned: l1 revokes x while l2 adds y.  Whatever order
 * the entries then reach each member, all agree on roster, epochs and
 * state code; x is revoked (remove wins), y active; once a leader rotates,
 * y's note is read by l1 and sealed under a key x never held.
 */
static void
test_two_leaders_partitioned(void **state)
{
	struct cast k;
	struct member *all[5];
	const struct roster *r;
	uint8_t key[BAL_KEY_BYTES];
	uint64_t wid;

	(void)state;
	cast_open(&k);
	found(&k.l1, &k.l2);
	assert_int_equal(do_add(&k.l1, &k.l2), 0);
	assert_int_equal(do_add(&k.l1, &k.b), 0);
	assert_int_equal(do_add(&k.l1, &k.x), 0);
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.x), 0);
	assert_int_equal(write_note(&k.x, "by xaver"), 0);
	assert_int_equal(sync_pair(&k.x, &k.l1), 0);
	assert_int_equal(sync_pair(&k.x, &k.l2), 0);
	/* Partition: l1 with b, l2 alone (then with y). */
	assert_int_equal(do_revoke(&k.l1, &k.x), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(do_add(&k.l2, &k.y), 0);
	assert_int_equal(sync_pair(&k.l2, &k.y), 0);
	assert_int_equal(status_of(&k.y, &k.x), ROSTER_ACTIVE);
	/* Reconnect, in different orders at different members. */
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);	/* l1: add after revoke */
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);	/* l2: revoke after add */
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.y), 0);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.y;
	expect_same(all, 4);
	r = k.y.g->roster;
	assert_int_equal(status_of(&k.y, &k.x), ROSTER_REVOKED);
	assert_int_equal(status_of(&k.l1, &k.y), ROSTER_ACTIVE);
	assert_int_equal(status_of(&k.l2, &k.x), ROSTER_REVOKED);
	/* An epoch x holds, or one y lacks, is current: a leader rotates. */
	assert_true(r->needs_rotation);
	/* Both leaders rotate at once: still one outcome. */
	assert_int_equal(rotate(&k.l1), 0);
	assert_int_equal(rotate(&k.l2), 0);
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l2, &k.y), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	expect_same(all, 4);
	r = k.y.g->roster;
	assert_false(r->needs_rotation);
	assert_int_equal(r->write_epoch, r->current);
	/* y writes; l1 reads it; x holds no key of its epoch. */
	assert_int_equal(write_note(&k.y, "by yuki"), 0);
	assert_int_equal(sync_pair(&k.y, &k.l1), 0);
	assert_true(reads(&k.l1, "by yuki"));
	assert_true(reads(&k.l1, "by xaver"));
	wid = r->epochs[r->write_epoch].id;
	assert_int_not_equal(roster_epoch_key(k.l1.g->roster, wid, k.x.d.id,
	    key), 0);
	assert_true(sodium_is_zero(key, sizeof(key)));
	for (size_t i = 0; i < k.x.g->nkeys; i++)
		assert_true(k.x.g->keys[i].epoch != wid);
	/* A latecomer that gets everything at once agrees too. */
	assert_int_equal(do_add(&k.l1, &k.c), 0);
	assert_int_equal(sync_pair(&k.l1, &k.c), 0);
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.y), 0);
	all[4] = &k.c;
	expect_same(all, 5);
	/* History: from-join: c reads nothing written before c joined. */
	assert_false(reads(&k.c, "by yuki"));
	cast_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_code),
		cmocka_unit_test(test_co_leader),
		cmocka_unit_test(test_forged_by_non_leader),
		cmocka_unit_test(test_forged_by_revoked_leader),
		cmocka_unit_test(test_forged_create),
		cmocka_unit_test(test_forged_amend),
		cmocka_unit_test(test_amend_and_accept),
		cmocka_unit_test(test_two_leaders_partitioned),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
