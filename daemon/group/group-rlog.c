/*
 * group-rlog.c — a batch's roster log: the group's roster entries, decoded,
 * folded into the roster once per batch (group-int.h).
 *
 * Folding is the costly part of a roster entry (roster_fold_ex reads every
 * roster entry of the group), so a batch does not refold after each one: a
 * stored roster entry joins b->rl and marks the fold due (b->rl_dirty),
 * and group_rlog_fold runs it when something needs the new roster: before
 * a note or announce is checked, when a check against the older roster
 * fails in a way the new one may change (group_batch_process retries it),
 * and before the commit.  A run of roster entries costs one fold.  What an
 * older roster lets through that the new one makes void (entries beyond a
 * cut set in the same run) is deleted by the fold (drop_beyond_cut).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "store.h"

static int
amend_cb(void *ctx, const uint8_t *cur, size_t cur_len, const uint8_t *next,
    size_t next_len, const uint8_t author[BAL_PK_BYTES],
    uint8_t leaders[][BAL_PK_BYTES], size_t *nleaders)
{
	(void)ctx;
	return contract_amend_check_bytes(cur, cur_len, next, next_len, author,
	    leaders, nleaders);
}

/* Adds a decoded roster entry to rl (which owns it from now on). */
static int
rlog_add(struct rlog *rl, struct entry *e)
{
	struct roster_op *op = NULL;
	struct contract *c = NULL;
	uint8_t h[BAL_HASH_BYTES];
	struct entry **a;
	unsigned i;

	if (rl->n == rl->cap) {
		size_t cap = rl->cap ? 2 * rl->cap : 16;

		if ((a = realloc(rl->e, cap * sizeof(*a))) == NULL) {
			entry_free(e);
			return BAL_ENOMEM;
		}
		rl->e = a;
		rl->cap = cap;
	}
	rl->e[rl->n++] = e;
	/* The leaders of the fold are those of the group's CREATE contract. */
	if (rl->nleaders > 0 || e->body == NULL ||
	    roster_op_decode(e->body, e->bodylen, &op) != 0)
		return 0;
	if (op->type == ROSTER_OP_CREATE) {
		roster_contract_hash(op->contract, op->contract_len, h);
		if (sodium_memcmp(h, rl->gid, BAL_HASH_BYTES) == 0 &&
		    contract_decode(op->contract, op->contract_len, &c) == 0) {
			for (i = 0; i < c->nleaders; i++)
				memcpy(rl->leaders[i], c->leaders[i],
				    BAL_PK_BYTES);
			rl->nleaders = c->nleaders;
		}
	}
	contract_free(c);
	roster_op_free(op);
	return 0;
}

static int
rlog_load_cb(void *ctx, const struct store_entry_row *row)
{
	struct entry *e;
	int ret;

	if ((ret = entry_decode(row->blob, row->bloblen, &e)) != 0)
		return BAL_EIO;		/* the store held a bad entry */
	return rlog_add(ctx, e);
}

static int
rlog_load(struct group *g, struct rlog *rl)
{
	memcpy(rl->gid, g->id, BAL_GROUP_ID_BYTES);
	return store_entries_kind_each(g->d->store, g->id, ENTRY_KIND_ROSTER,
	    rlog_load_cb, rl);
}

static int
rlog_fold(const struct rlog *rl, struct roster **out)
{
	struct roster_contract_cb cb = { amend_cb, NULL };
	struct roster_in *in;
	size_t i;
	int ret;

	*out = NULL;
	if (rl->nleaders == 0 || rl->n == 0)
		return BAL_ENOENT;
	if ((in = calloc(rl->n, sizeof(*in))) == NULL)
		return BAL_ENOMEM;
	for (i = 0; i < rl->n; i++) {
		const struct entry *e = rl->e[i];

		memcpy(in[i].author, e->h.author, BAL_PK_BYTES);
		in[i].seq = e->h.seq;
		in[i].lamport = e->h.lamport;
		in[i].time_ms = e->h.time;
		memcpy(in[i].entry_id, e->id, BAL_HASH_BYTES);
		in[i].body = e->body;
		in[i].body_len = e->bodylen;
	}
	ret = roster_fold_ex((const uint8_t (*)[BAL_PK_BYTES])rl->leaders,
	    rl->nleaders, &cb, in, rl->n, out);
	free(in);
	return ret;
}

static void
rlog_free(struct rlog *rl)
{
	size_t i;

	for (i = 0; i < rl->n; i++)
		entry_free(rl->e[i]);
	free(rl->e);
	memset(rl, 0, sizeof(*rl));
}

int
group_rlog_load(struct batch *b)
{
	struct roster *r = NULL;
	struct contract *c = NULL;
	int ret;

	if ((ret = rlog_load(b->g, &b->rl)) != 0 ||
	    (ret = rlog_fold(&b->rl, &r)) != 0 ||
	    (ret = contract_decode(r->contract, r->contract_len, &c)) != 0) {
		roster_free(r);
		return ret;
	}
	b->rl_loaded = 1;
	roster_free(b->roster);
	b->roster = r;
	contract_free(b->contract);
	b->contract = c;
	return 0;
}

/*
 * Deletes every stored entry that the roster r makes void: a removed
 * member's entries beyond their cut that were stored before the removal
 * was known.  Every member ends up holding the same entries, so sync
 * converges (docs/protocol.md, "The cut").  A removed member's entries
 * below the cut held without their body are erased: the removal is a
 * reason checked here (group-batch.c, body_state), no longer asked for.
 */
static int
drop_beyond_cut(struct batch *b, const struct roster *r)
{
	struct group *g = b->g;
	const struct roster_member *m;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], id[IDENTITY_ID_TEXT_BYTES];
	uint64_t n;
	size_t i;
	int ret;

	for (i = 0; i < r->nmembers; i++) {
		m = &r->members[i];
		if (m->status == ROSTER_ACTIVE)
			continue;
		if ((ret = store_entries_missing_erase(g->d->store, g->id,
		    m->pk, &n)) != 0)
			return ret;
		b->missing -= (int)n;
		if ((ret = store_entries_drop_after(g->d->store, g->id, m->pk,
		    m->cut, &n)) != 0)
			return ret;
		if (n == 0)
			continue;
		b->nheads = 0;		/* those heads moved back */
		b->erased += (int)n;
		gid_hex(g->id, hex);
		identity_id_encode(m->pk, id);
		daemon_log("group %.8s: dropped %llu entries of removed member "
		    "%.12s beyond their cut (seq %llu)", hex,
		    (unsigned long long)n, id, (unsigned long long)m->cut);
	}
	return 0;
}

/* After a roster entry is stored: it joins the roster log; a fold is due. */
int
group_rlog_add(struct batch *b, const uint8_t *blob, size_t len)
{
	struct entry *copy = NULL;
	int ret;

	if (!b->rl_loaded) {
		/* The store holds it already: the load reads it. */
		if ((ret = rlog_load(b->g, &b->rl)) != 0)
			return ret;
		b->rl_loaded = 1;
	} else {
		/* The bytes of e, verified when e was decoded: not again. */
		if ((ret = entry_decode_stored(blob, len, &copy)) != 0)
			return ret;
		if ((ret = rlog_add(&b->rl, copy)) != 0)
			return ret;
	}
	b->rl_dirty = 1;
	return 0;
}

int
group_rlog_leaders_load(struct batch *b)
{
	int ret;

	if (b->rl_loaded)
		return 0;
	if ((ret = rlog_load(b->g, &b->rl)) != 0)
		return ret;
	b->rl_loaded = 1;
	return 0;
}

/*
 * The fold that is due: new roster and contract, keys sealed to this
 * member, entries the new roster makes void dropped; for this member's own
 * operation (local), the operation must take effect.
 */
int
group_rlog_fold(struct batch *b, char *why, size_t whylen)
{
	struct group *g = b->g;
	struct roster *r = NULL;
	struct contract *c = NULL;
	size_t i;
	int ret;

	if (!b->rl_dirty)
		return 0;
	b->rl_dirty = 0;
	g->folds++;
	if ((ret = rlog_fold(&b->rl, &r)) != 0)
		return reject(why, whylen, ret, "the roster does "
		    "not fold: %s", bal_strerror(ret));
	if ((ret = contract_decode(r->contract, r->contract_len, &c)) != 0) {
		roster_free(r);
		return reject(why, whylen, BAL_EPROTO,
		    "the roster's contract does not decode");
	}
	roster_free(b->roster);
	b->roster = r;
	contract_free(b->contract);
	b->contract = c;
	b->roster_changed = 1;
	if ((ret = store_group_put(g->d->store, g->id, c->name)) != 0 ||
	    (ret = group_batch_acquire(b)) != 0)
		return ret;
	/* This member's own operation must take effect, or nothing is. */
	for (i = 0; b->local && b->has_local_op && i < r->nrejected; i++)
		if (memcmp(r->rejected[i].entry_id, b->local_op,
		    BAL_HASH_BYTES) == 0)
			return reject(why, whylen, BAL_EPERM,
			    "roster: %s",
			    roster_reason_name(r->rejected[i].reason));
	return drop_beyond_cut(b, r);
}

void
group_rlog_free(struct rlog *rl)
{
	rlog_free(rl);
}
