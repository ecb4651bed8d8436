/*
 * group-amend.c — contract amendments, members' acceptances of contract
 * versions, and the group state code (group.h).
 *
 * An amendment is an AMEND roster entry written by a leader: the next
 * contract version (contract_amend) and the hash of the version it
 * replaces.  The roster fold applies it (roster_fold_ex with the contract
 * checker in group-batch.c); nothing here changes how a roster folds.  The
 * version history is read back from the stored roster entries: version 1
 * is the CREATE's contract (its hash is the group id), version k + 1 the
 * applied AMEND whose previous-contract hash is version k's.
 *
 * An acceptance is a kind-3 entry whose body is [2, contract hash]
 * (GROUP_ACCEPT_VERSION): announce decoders of version 1 keep it and ignore
 * it.  See docs/protocol.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "entry.h"
#include "group.h"
#include "mp.h"
#include "roster.h"
#include "statecode.h"
#include "store.h"

/* The roster and announce entries of a group, decoded. */
struct elist {
	struct entry **e;
	size_t n, cap;
};

static void
elist_free(struct elist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		entry_free(l->e[i]);
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static int
elist_cb(void *ctx, const struct store_entry_row *row)
{
	struct elist *l = ctx;
	struct entry *e = NULL, **a;
	size_t cap;

	if (entry_decode(row->blob, row->bloblen, &e) != 0)
		return BAL_EIO;		/* the store held a bad entry */
	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 16;
		if ((a = realloc(l->e, cap * sizeof(*a))) == NULL) {
			entry_free(e);
			return BAL_ENOMEM;
		}
		l->e = a;
		l->cap = cap;
	}
	l->e[l->n++] = e;
	return 0;
}

static int
elist_load(struct group *g, int kind, struct elist *l)
{
	memset(l, 0, sizeof(*l));
	return store_entries_kind_each(g->d->store, g->id, kind, elist_cb, l);
}

/* Is the entry id among the fold's rejected operations? */
static int
rejected(const struct roster *r, const uint8_t id[BAL_HASH_BYTES])
{
	size_t i;

	for (i = 0; i < r->nrejected; i++)
		if (memcmp(r->rejected[i].entry_id, id, BAL_HASH_BYTES) == 0)
			return 1;
	return 0;
}

/* The fold order of two entries (docs/protocol.md §Fold, step 0). */
static int
fold_cmp(const struct entry *a, const struct entry *b)
{
	int c;

	if (a->h.lamport != b->h.lamport)
		return a->h.lamport < b->h.lamport ? -1 : 1;
	if ((c = memcmp(a->h.author, b->h.author, BAL_PK_BYTES)) != 0)
		return c;
	if (a->h.seq != b->h.seq)
		return a->h.seq < b->h.seq ? -1 : 1;
	return memcmp(a->id, b->id, BAL_HASH_BYTES);
}

/* The applied CREATE or AMEND entries, each with its decoded operation. */
struct vsrc {
	const struct entry *e;
	struct roster_op *op;
	uint8_t hash[BAL_HASH_BYTES];	/* of the contract it carries */
};

/* Appends version n + 1 from src to ci. */
static int
version_push(struct group_contract_info *ci, const struct vsrc *src)
{
	struct group_version *v, *a;
	struct contract *c = NULL;

	if ((a = realloc(ci->versions, (ci->nversions + 1) * sizeof(*a))) ==
	    NULL)
		return BAL_ENOMEM;
	ci->versions = a;
	v = &a[ci->nversions];
	memset(v, 0, sizeof(*v));
	v->number = (unsigned)ci->nversions + 1;
	memcpy(v->hash, src->hash, BAL_HASH_BYTES);
	memcpy(v->author, src->e->h.author, BAL_PK_BYTES);
	memcpy(v->entry_id, src->e->id, BAL_HASH_BYTES);
	v->time_ms = src->e->h.time;
	/* Kept: contract.versions shows an old version's text. */
	if ((v->contract = malloc(src->op->contract_len + 1)) == NULL)
		return BAL_ENOMEM;
	memcpy(v->contract, src->op->contract, src->op->contract_len);
	v->contract_len = src->op->contract_len;
	if (contract_decode(src->op->contract, src->op->contract_len, &c) == 0)
		v->time_ms = c->created_ms;
	contract_free(c);
	ci->nversions++;
	return 0;
}

/*
 * Walks the chain of applied versions: the CREATE whose contract hashes to
 * the group id, then each applied AMEND naming the current hash.  vs[i].e
 * of the version i + 1 is kept in *order (by version) for fold_cmp.
 */
static int
versions_build(struct group *g, const struct elist *rl,
    struct group_contract_info *ci, const struct entry ***order)
{
	const struct roster *r = g->roster;
	struct vsrc *vs = NULL;
	const struct entry **ord = NULL;
	uint8_t cur[BAL_HASH_BYTES];
	size_t nvs = 0, i, k;
	int ret = BAL_ENOMEM, found;

	*order = NULL;
	if ((vs = calloc(rl->n + 1, sizeof(*vs))) == NULL ||
	    (ord = calloc(rl->n + 1, sizeof(*ord))) == NULL)
		goto out;
	for (i = 0; i < rl->n; i++) {
		const struct entry *e = rl->e[i];
		struct roster_op *op = NULL;

		if (e->body == NULL || rejected(r, e->id) ||
		    roster_op_decode(e->body, e->bodylen, &op) != 0)
			continue;
		if (op->type != ROSTER_OP_CREATE &&
		    op->type != ROSTER_OP_AMEND) {
			roster_op_free(op);
			continue;
		}
		vs[nvs].e = e;
		vs[nvs].op = op;
		roster_contract_hash(op->contract, op->contract_len,
		    vs[nvs].hash);
		nvs++;
	}
	memcpy(cur, g->id, BAL_HASH_BYTES);
	found = 0;
	for (i = 0; i < nvs && !found; i++)
		if (vs[i].op->type == ROSTER_OP_CREATE &&
		    memcmp(vs[i].hash, cur, BAL_HASH_BYTES) == 0) {
			if ((ret = version_push(ci, &vs[i])) != 0)
				goto out;
			ord[0] = vs[i].e;
			found = 1;
		}
	ret = BAL_ENOENT;
	if (!found)
		goto out;
	/* Each applied AMEND names the version before it; hashes are unique. */
	do {
		found = 0;
		for (k = 0; k < nvs && !found; k++) {
			if (vs[k].op->type != ROSTER_OP_AMEND ||
			    memcmp(vs[k].op->prev_hash, cur, BAL_HASH_BYTES) !=
			    0)
				continue;
			if ((ret = version_push(ci, &vs[k])) != 0)
				goto out;
			ord[ci->nversions - 1] = vs[k].e;
			memcpy(cur, vs[k].hash, BAL_HASH_BYTES);
			found = 1;
		}
	} while (found && ci->nversions <= nvs);
	*order = ord;
	ord = NULL;
	ret = 0;
out:
	for (i = 0; vs != NULL && i < nvs; i++)
		roster_op_free(vs[i].op);
	free(vs);
	free(ord);
	return ret;
}

/* The version in force when the roster entry id was folded: 1.. */
static unsigned
version_at(const struct elist *rl, const struct entry *const *order,
    size_t nversions, const uint8_t id[BAL_HASH_BYTES])
{
	const struct entry *e = NULL;
	size_t i;
	unsigned v = 1;

	for (i = 0; i < rl->n && e == NULL; i++)
		if (memcmp(rl->e[i]->id, id, BAL_HASH_BYTES) == 0)
			e = rl->e[i];
	if (e == NULL)
		return 1;
	for (i = 1; i < nversions; i++)
		if (fold_cmp(order[i], e) < 0)
			v = (unsigned)i + 1;
	return v;
}

/* Reads an acceptance body [2, contract hash]; -1 if it is none. */
static int
accept_decode(const uint8_t *body, size_t len, uint8_t hash[BAL_HASH_BYTES])
{
	struct mp_doc doc;
	struct mp_rd rd;
	uint64_t v;
	int ret = -1;

	memset(&doc, 0, sizeof(doc));
	if (body == NULL || mp_doc_parse(&doc, body, len) != 0 ||
	    mp_rd_array(&rd, mp_doc_root(&doc), 2, 2) != 0 ||
	    mp_rd_uint(&rd, UINT32_MAX, &v) != 0 ||
	    v != GROUP_ACCEPT_VERSION ||
	    mp_rd_bin_fixed(&rd, hash, BAL_HASH_BYTES) != 0 ||
	    mp_rd_end(&rd) != 0)
		goto out;
	ret = 0;
out:
	mp_doc_free(&doc);
	return ret;
}

/* The number of the version with this contract hash, or 0. */
static unsigned
version_of(const struct group_contract_info *ci,
    const uint8_t hash[BAL_HASH_BYTES])
{
	size_t i;

	for (i = 0; i < ci->nversions; i++)
		if (memcmp(ci->versions[i].hash, hash, BAL_HASH_BYTES) == 0)
			return ci->versions[i].number;
	return 0;
}

/* Fills ci->members: every member's accepted version and how. */
static int
acceptances_build(struct group *g, const struct elist *rl,
    const struct entry *const *order, struct group_contract_info *ci)
{
	const struct roster *r = g->roster;
	struct group_acceptance *m;
	struct elist al;
	uint8_t hash[BAL_HASH_BYTES];
	size_t i, k;
	unsigned v;
	int ret;

	if ((ci->members = calloc(r->nmembers + 1, sizeof(*m))) == NULL)
		return BAL_ENOMEM;
	ci->nmembers = r->nmembers;
	for (i = 0; i < r->nmembers; i++) {
		m = &ci->members[i];
		memcpy(m->member, r->members[i].pk, BAL_PK_BYTES);
		m->joined_version = version_at(rl, order, ci->nversions,
		    r->members[i].added_entry);
		m->accepted_version = m->joined_version;
		m->how = GROUP_ACCEPTED_AT_JOIN;
		m->accepted_ms = r->members[i].added_ms;
		/* Who wrote a version (the founder: 1) accepted it. */
		for (k = 0; k < ci->nversions; k++)
			if (memcmp(ci->versions[k].author, m->member,
			    BAL_PK_BYTES) == 0 &&
			    ci->versions[k].number >= m->accepted_version) {
				m->accepted_version = ci->versions[k].number;
				m->how = GROUP_ACCEPTED_AUTHOR;
				m->accepted_ms = ci->versions[k].time_ms;
			}
	}
	if ((ret = elist_load(g, ENTRY_KIND_ANNOUNCE, &al)) != 0)
		return ret;
	for (i = 0; i < al.n; i++) {
		if (accept_decode(al.e[i]->body, al.e[i]->bodylen, hash) != 0 ||
		    (v = version_of(ci, hash)) == 0)
			continue;
		for (k = 0; k < ci->nmembers; k++) {
			m = &ci->members[k];
			if (memcmp(m->member, al.e[i]->h.author,
			    BAL_PK_BYTES) != 0 || v <= m->accepted_version)
				continue;
			m->accepted_version = v;
			m->how = GROUP_ACCEPTED_EXPLICITLY;
			m->accepted_ms = al.e[i]->h.time;
		}
	}
	elist_free(&al);
	return 0;
}

int
group_contract_info(struct group *g, struct group_contract_info **out)
{
	struct group_contract_info *ci = NULL;
	const struct entry **order = NULL;
	struct elist rl;
	int ret;

	memset(&rl, 0, sizeof(rl));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (g == NULL || g->roster == NULL)
		return BAL_ESTATE;
	if ((ci = calloc(1, sizeof(*ci))) == NULL)
		return BAL_ENOMEM;
	if ((ret = elist_load(g, ENTRY_KIND_ROSTER, &rl)) != 0 ||
	    (ret = versions_build(g, &rl, ci, &order)) != 0 ||
	    (ret = acceptances_build(g, &rl, order, ci)) != 0)
		goto out;
	*out = ci;
	ci = NULL;
out:
	free(order);
	elist_free(&rl);
	group_contract_info_free(ci);
	return ret;
}

void
group_contract_info_free(struct group_contract_info *ci)
{
	size_t i;

	if (ci == NULL)
		return;
	for (i = 0; i < ci->nversions; i++)
		free(ci->versions[i].contract);
	free(ci->versions);
	free(ci->members);
	free(ci);
}

/* Are the terms of two contract versions the same (all but time, chain)? */
static int
same_terms(const struct contract *a, const struct contract *b)
{
	unsigned i;

	if (strcmp(a->name, b->name) != 0 ||
	    strcmp(a->text != NULL ? a->text : "",
	    b->text != NULL ? b->text : "") != 0 ||
	    strcmp(a->cadence != NULL ? a->cadence : "",
	    b->cadence != NULL ? b->cadence : "") != 0 ||
	    a->history != b->history ||
	    a->retention_days != b->retention_days ||
	    a->identifiers != b->identifiers ||
	    a->network != b->network ||
	    a->nleaders != b->nleaders)
		return 0;
	for (i = 0; i < b->nleaders && i < CONTRACT_LEADERS_MAX; i++)
		if (!contract_is_leader(a, b->leaders[i]))
			return 0;
	return 1;
}

static unsigned
version_count(struct group *g)
{
	struct group_contract_info *ci = NULL;
	unsigned n = 0;

	if (group_contract_info(g, &ci) == 0)
		n = (unsigned)ci->nversions;
	group_contract_info_free(ci);
	return n;
}

int
group_amend(struct group *g, const char *text, size_t len, unsigned *version,
    char *err, size_t errlen)
{
	struct daemon *d;
	struct contract *next = NULL;
	uint8_t *enc = NULL, *body = NULL;
	size_t enclen = 0, bodylen = 0;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (version != NULL)
		*version = 0;
	if (g == NULL || (text == NULL && len > 0))
		return BAL_EINVAL;
	d = g->d;
	if (g->roster == NULL || g->contract == NULL) {
		snprintf(err, errlen, N_("the contract of this group is not known "
		    "yet (wait for sync: balint sync --wait)"));
		return BAL_ESTATE;
	}
	if (!roster_is_leader(g->roster, d->id->pk)) {
		snprintf(err, errlen, N_("only a leader of %s can amend the "
		    "contract"), group_name(g));
		return BAL_EPERM;
	}
	if ((ret = contract_amend(g->contract, text != NULL ? text : "", len,
	    d->id->pk, daemon_now_ms(), &next, err, errlen)) != 0)
		goto out;
	if (same_terms(g->contract, next)) {
		snprintf(err, errlen, N_("the amended contract is the same as the "
		    "current version %u (change something first)"),
		    version_count(g));
		ret = BAL_EEXIST;
		goto out;
	}
	if ((ret = contract_encode(next, &enc, &enclen)) != 0 ||
	    (ret = roster_encode_amend(enc, enclen, g->roster->contract_hash,
	    &body, &bodylen)) != 0) {
		snprintf(err, errlen, N_("cannot encode the amendment: %s"),
		    bal_strerror(ret));
		goto out;
	}
	if ((ret = group_append(g, ENTRY_KIND_ROSTER, body, bodylen,
	    NULL)) != 0) {
		snprintf(err, errlen, N_("cannot write the amendment: %s"),
		    bal_strerror(ret));
		goto out;
	}
	if (version != NULL)
		*version = version_count(g);
	daemon_log("amended the contract of group '%s'", group_name(g));
out:
	contract_free(next);
	free(enc);
	free(body);
	return ret;
}

int
group_accept(struct group *g, unsigned *version, char *err, size_t errlen)
{
	struct group_contract_info *ci = NULL;
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t *body = NULL;
	size_t len = 0, i;
	int ret;

	msgpack_sbuffer_init(&sbuf);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (version != NULL)
		*version = 0;
	if (g == NULL)
		return BAL_EINVAL;
	if (g->roster == NULL) {
		snprintf(err, errlen, N_("the contract of this group is not known "
		    "yet (wait for sync: balint sync --wait)"));
		ret = BAL_ESTATE;
		goto out;
	}
	if ((ret = group_contract_info(g, &ci)) != 0) {
		snprintf(err, errlen, N_("cannot read the contract's versions: "
		    "%s"), bal_strerror(ret));
		goto out;
	}
	for (i = 0; i < ci->nmembers; i++)
		if (memcmp(ci->members[i].member, g->d->id->pk,
		    BAL_PK_BYTES) == 0 &&
		    ci->members[i].accepted_version == ci->nversions) {
			snprintf(err, errlen, N_("you accepted version %zu of the "
			    "contract of %s already"), ci->nversions,
			    group_name(g));
			ret = BAL_EEXIST;
			goto out;
		}
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_uint8(&pk, GROUP_ACCEPT_VERSION) != 0 ||
	    mp_pack_bin(&pk, g->roster->contract_hash, BAL_HASH_BYTES) != 0 ||
	    (ret = mp_sbuf_take(&sbuf, &body, &len)) != 0)
		goto out;
	if ((ret = group_append(g, ENTRY_KIND_ANNOUNCE, body, len,
	    NULL)) != 0) {
		snprintf(err, errlen, ret == BAL_EPERM ? "you are no longer a "
		    "member of %s" : "cannot write the acceptance: %s",
		    ret == BAL_EPERM ? group_name(g) : bal_strerror(ret));
		goto out;
	}
	if (version != NULL)
		*version = (unsigned)ci->nversions;
out:
	msgpack_sbuffer_destroy(&sbuf);
	group_contract_info_free(ci);
	free(body);
	return ret;
}

int
group_state_code(const struct group *g, char out[STATECODE_TEXT_BYTES])
{
	uint8_t h[BAL_HASH_BYTES];
	int ret;

	out[0] = '\0';
	if (g == NULL || g->roster == NULL)
		return BAL_ESTATE;
	if ((ret = roster_state_hash(g->roster, h)) != 0)
		return ret;
	statecode_make(g->id, h, out);
	return 0;
}
