/* forged-fixture.c — see forged-fixture.h. */
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

#include "group-fixture.h"
#include "forged-fixture.h"

/* m founds the group "Forged", naming co (may be NULL) as Co-leader. */
void
found_forged(struct member *m, const struct member *co)
{
	m->g = found_co(m, "Forged", co);
}

void
hash_of(const struct member *m, uint8_t out[BAL_HASH_BYTES])
{
	assert_non_null(m->g->roster);
	assert_int_equal(roster_state_hash(m->g->roster, out), 0);
}

/* Hands the whole batch b to m; the code of group_receive. */
int
deliver(struct member *m, struct blobs *b, size_t *stored)
{
	char why[512];

	return group_receive(m->g, (const uint8_t *const *)b->p, b->len, b->n,
	    NULL, stored, why, sizeof(why));
}

/* What to lacks of from's store, in causal order, handed over at once. */
int
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
	    collect_missing_cb, &miss), 0);
	ret = miss.n > 0 ? deliver(to, &miss, NULL) : 0;
	blobs_free(&miss);
	free(have);
	return ret;
}

/* A new epoch key sealed to g's active members, plus extra, less except. */
void
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
void
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
uint64_t
head_seq(const struct member *m, const uint8_t *author)
{
	uint8_t id[BAL_HASH_BYTES];
	uint64_t seq = 0;

	assert_int_equal(store_entry_head(m->d.store, m->g->id, author, &seq,
	    id), 0);
	return seq;
}

/* The REVOKE of who by l: cut = who's head in l's store, a new epoch. */
void
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

int
append_body(struct member *m, uint8_t *body, size_t len)
{
	int ret = group_append(m->g, ENTRY_KIND_ROSTER, body, len, NULL);

	free(body);
	return ret;
}

int
do_add(struct member *l, struct member *nm)
{
	uint8_t *body = NULL;
	size_t len = 0;

	add_body(l, nm, &body, &len);
	return append_body(l, body, len);
}

int
do_revoke(struct member *l, struct member *who)
{
	uint8_t *body = NULL;
	size_t len = 0;

	revoke_body(l, who, &body, &len);
	return append_body(l, body, len);
}

/*
 * Signs body as m's next entry of kind in m's log as m's store holds it,
 * without storing it: what a member's modified software could send.
 */
void
forge_entry(struct member *m, const uint8_t *gid, int kind, const uint8_t *body,
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
int
write_titled(struct member *m, const char *title)
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

/* The reason the fold gave for rejecting entry id, or 0. */
int
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

int
status_of(const struct member *m, const struct member *who)
{
	const struct roster_member *rm = roster_member_find(m->g->roster,
	    who->d.id->pk);

	return rm == NULL ? -1 : rm->status;
}

/*
 * The forged entry is stored (it is its author's signed log) but the fold
 * rejects it with reason: roster, state hash and keys unchanged.
 */
void
expect_folded_out(struct member *m, struct blobs *bad, int reason)
{
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	char c1[STATECODE_TEXT_BYTES], c2[STATECODE_TEXT_BYTES];
	uint64_t before = count(m, m->g);
	size_t nkeys = m->g->nkeys, nmembers = m->g->roster->nmembers;
	size_t nepochs = m->g->roster->nepochs;

	hash_of(m, h1);
	assert_int_equal(group_state_code(m->g, c1), 0);
	assert_int_equal(deliver(m, bad, NULL), 0);
	assert_int_equal(count(m, m->g), before + bad->n);
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
void
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

void
cast_open(struct cast *k)
{
	member_open(&k->l1, 1, "lena");
	member_open(&k->l2, 2, "lars");
	member_open(&k->b, 3, "bea");
	member_open(&k->c, 4, "cem");
	member_open(&k->x, 5, "xaver");
	member_open(&k->y, 6, "yuki");
}

void
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
void
cast_group(struct cast *k)
{
	found_forged(&k->l1, &k->l2);
	assert_int_equal(do_add(&k->l1, &k->l2), 0);
	assert_int_equal(do_add(&k->l1, &k->b), 0);
	assert_int_equal(do_add(&k->l1, &k->c), 0);
	assert_int_equal(sync_pair(&k->l1, &k->l2), 0);
	assert_int_equal(sync_pair(&k->l1, &k->b), 0);
	assert_int_equal(sync_pair(&k->l1, &k->c), 0);
}
