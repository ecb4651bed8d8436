/*
 * roster.c — the deterministic roster fold; the lookups of a folded roster
 * and its state hash are in roster-state.c, the operation bodies in
 * roster-op.c.
 * Formats and the fold rules: docs/protocol.md.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "roster.h"
#include "roster-int.h"

#define NO_END ((size_t)-1)

/* ---------------------------------------------------------------------
 * The fold
 */

/* One input with its decoded op and its state in the fold. */
struct slot {
	const struct roster_in *in;
	struct roster_op *op;	/* NULL when the body does not decode */
	int pre;		/* reason fixed before any pass, or 0 */
	int excluded;		/* beyond a cut (the set only grows) */
	int reason;		/* this pass: 0 valid, else enum roster_reason */
	size_t rank;		/* position in fold order */
};

/*
 * A removal episode of a member: from the removal that made them inactive
 * to the ADD that readmits them (end, a rank) or for ever (NO_END).
 */
struct window {
	uint8_t member[BAL_PK_BYTES];
	uint64_t cut;
	size_t end;
};

struct fold {
	struct slot *slots;
	struct slot **order;		/* fold order */
	size_t n;
	const uint8_t (*leaders0)[BAL_PK_BYTES];
	size_t nleaders0;
	const struct roster_contract_cb *cb;
	/* state of one pass */
	struct roster *r;
	int created;
	size_t members_cap, epochs_cap, grants_cap;
	struct window *win;
	size_t nwin, win_cap;
};

/* Total order on inputs; 0 only for identical inputs. */
static int
cmp_in(const struct roster_in *a, const struct roster_in *b)
{
	size_t m;
	int c;

	if (a->lamport != b->lamport)
		return a->lamport < b->lamport ? -1 : 1;
	if ((c = memcmp(a->author, b->author, BAL_PK_BYTES)) != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if ((c = memcmp(a->entry_id, b->entry_id, BAL_HASH_BYTES)) != 0)
		return c;
	if (a->time_ms != b->time_ms)
		return a->time_ms < b->time_ms ? -1 : 1;
	m = a->body_len < b->body_len ? a->body_len : b->body_len;
	if (m > 0 && (c = memcmp(a->body, b->body, m)) != 0)
		return c;
	if (a->body_len != b->body_len)
		return a->body_len < b->body_len ? -1 : 1;
	return 0;
}

static int
cmp_fold(const void *pa, const void *pb)
{
	const struct slot *a = *(const struct slot *const *)pa;
	const struct slot *b = *(const struct slot *const *)pb;

	return cmp_in(a->in, b->in);
}

/* By (author, seq) first, to find duplicates and forks. */
static int
cmp_author_seq(const void *pa, const void *pb)
{
	const struct slot *a = *(const struct slot *const *)pa;
	const struct slot *b = *(const struct slot *const *)pb;
	int c;

	if ((c = memcmp(a->in->author, b->in->author, BAL_PK_BYTES)) != 0)
		return c;
	if (a->in->seq != b->in->seq)
		return a->in->seq < b->in->seq ? -1 : 1;
	return cmp_in(a->in, b->in);
}

static int
same_author_seq(const struct slot *a, const struct slot *b)
{
	return a->in->seq == b->in->seq &&
	    memcmp(a->in->author, b->in->author, BAL_PK_BYTES) == 0;
}

/* Marks exact duplicates (all but one) and forks (all of them). */
static int
mark_duplicates(struct fold *f)
{
	struct slot **v;
	size_t i, j, k, keep;
	int fork;

	if (f->n == 0)
		return 0;
	if ((v = malloc(f->n * sizeof(*v))) == NULL)
		return BAL_ENOMEM;
	memcpy(v, f->order, f->n * sizeof(*v));
	qsort(v, f->n, sizeof(*v), cmp_author_seq);
	for (i = 0; i < f->n; i = j) {
		fork = 0;
		keep = i;
		for (j = i + 1; j < f->n && same_author_seq(v[i], v[j]); j++) {
			if (cmp_in(v[i]->in, v[j]->in) != 0)
				fork = 1;
			if (v[j]->rank < v[keep]->rank)
				keep = j;
		}
		/* Of identical copies, the first in fold order stays. */
		for (k = i; k < j; k++) {
			if (fork)
				v[k]->pre = ROSTER_R_FORK;
			else if (k != keep)
				v[k]->pre = ROSTER_R_DUPLICATE;
		}
	}
	free(v);
	return 0;
}

static struct roster_member *
member_find(struct roster *r, const uint8_t pk[BAL_PK_BYTES])
{
	size_t i = roster_member_index(r, pk);

	return i == (size_t)-1 ? NULL : &r->members[i];
}

static size_t
active_count(const struct roster *r)
{
	size_t i, c = 0;

	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE)
			c++;
	return c;
}

/*
 * Whether a new epoch of id, introduced by op's envelope, collides with an
 * existing one: the same id, or the same key (commitment), which would
 * replay an earlier epoch's envelope as a new one.
 */
static int
epoch_taken(const struct roster *r, uint64_t id, const struct roster_op *op)
{
	struct epoch_envelope *env;
	size_t i;
	int taken = 0;

	for (i = 0; i < r->nepochs; i++)
		if (r->epochs[i].id == id)
			return 1;
	if ((env = malloc(sizeof(*env))) == NULL)
		return 1;	/* not applied; the next fold retries */
	if (epoch_envelope_decode(op->envelope, op->envelope_len, env) != 0)
		taken = 1;	/* not reached: the op decoder checked it */
	for (i = 0; !taken && i < r->nepochs; i++)
		if (memcmp(r->epochs[i].commit, env->commit,
		    EPOCH_COMMIT_BYTES) == 0)
			taken = 1;
	free(env);
	return taken;
}

/* Grows *p (of *cap elements of size sz) to hold at least need. */
static int
grow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap == 0 ? 8 : *cap * 2;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(*p, ncap * sz)) == NULL)
		return BAL_ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static struct roster_member *
member_new(struct fold *f, const uint8_t pk[BAL_PK_BYTES])
{
	struct roster *r = f->r;
	struct roster_member *m;

	if (grow((void **)&r->members, &f->members_cap, r->nmembers + 1,
	    sizeof(*r->members)) != 0)
		return NULL;
	m = &r->members[r->nmembers++];
	memset(m, 0, sizeof(*m));
	memcpy(m->pk, pk, BAL_PK_BYTES);
	return m;
}

/* Admits (or readmits) m by the op in slot s. */
static void
member_admit(struct roster_member *m, const struct slot *s)
{
	memcpy(m->name, s->op->name, sizeof(m->name));
	m->status = ROSTER_ACTIVE;
	m->cut = 0;
	memcpy(m->accept_sig, s->op->accept_sig, BAL_SIG_BYTES);
	memcpy(m->added_by, s->in->author, BAL_PK_BYTES);
	memcpy(m->added_entry, s->in->entry_id, BAL_HASH_BYTES);
	m->added_ms = s->in->time_ms;
}

static struct window *
window_open_find(struct fold *f, const uint8_t pk[BAL_PK_BYTES])
{
	size_t i;

	for (i = 0; i < f->nwin; i++)
		if (f->win[i].end == NO_END &&
		    memcmp(f->win[i].member, pk, BAL_PK_BYTES) == 0)
			return &f->win[i];
	return NULL;
}

/*
 * Removes m (status REVOKED or LEFT) by the op in slot s with cut: a
 * removal of an active member opens a window; another removal in the same
 * episode keeps the smaller cut.
 */
static int
member_remove(struct fold *f, struct roster_member *m, const struct slot *s,
    int status, uint64_t cut)
{
	struct window *w;

	if (m->status == ROSTER_ACTIVE) {
		if (grow((void **)&f->win, &f->win_cap, f->nwin + 1,
		    sizeof(*f->win)) != 0)
			return BAL_ENOMEM;
		w = &f->win[f->nwin++];
		memcpy(w->member, m->pk, BAL_PK_BYTES);
		w->cut = cut;
		w->end = NO_END;
		m->cut = cut;
	} else {
		if ((w = window_open_find(f, m->pk)) == NULL)
			abort();	/* a removed member always has one */
		if (cut < w->cut)
			w->cut = cut;
		m->cut = w->cut;
	}
	m->status = status;
	memcpy(m->removed_by, s->in->author, BAL_PK_BYTES);
	memcpy(m->removed_entry, s->in->entry_id, BAL_HASH_BYTES);
	m->removed_ms = s->in->time_ms;
	return 0;
}

/* Appends the epoch created by the op in slot s (envelope already valid). */
static int
epoch_add(struct fold *f, const struct slot *s, uint64_t id)
{
	struct roster *r = f->r;
	struct roster_epoch *e;
	struct epoch_envelope *env = NULL;
	size_t i;
	int ret = BAL_ENOMEM;

	if ((env = malloc(sizeof(*env))) == NULL)
		goto out;
	if ((ret = epoch_envelope_decode(s->op->envelope, s->op->envelope_len,
	    env)) != 0)
		goto out;
	ret = BAL_ENOMEM;
	if (grow((void **)&r->epochs, &f->epochs_cap, r->nepochs + 1,
	    sizeof(*r->epochs)) != 0)
		goto out;
	e = &r->epochs[r->nepochs];
	memset(e, 0, sizeof(*e));
	if ((e->envelope = malloc(s->op->envelope_len)) == NULL)
		goto out;
	memcpy(e->envelope, s->op->envelope, s->op->envelope_len);
	e->envelope_len = s->op->envelope_len;
	e->id = id;
	e->ordinal = r->nepochs;
	e->op = s->op->type;
	memcpy(e->entry_id, s->in->entry_id, BAL_HASH_BYTES);
	memcpy(e->author, s->in->author, BAL_PK_BYTES);
	e->lamport = s->in->lamport;
	e->time_ms = s->in->time_ms;
	memcpy(e->commit, env->commit, EPOCH_COMMIT_BYTES);
	e->nrecipients = env->n;
	for (i = 0; i < env->n; i++)
		memcpy(e->recipients[i], env->r[i].pk, BAL_PK_BYTES);
	r->nepochs++;
	ret = 0;
out:
	free(env);
	return ret;
}

/* Records the keys of the ADD's history that name existing epochs. */
static int
grants_add(struct fold *f, const struct slot *s)
{
	struct roster *r = f->r;
	struct roster_grant *g;
	struct epoch_history *h = NULL;
	size_t i, e;
	int ret;

	if (s->op->history == NULL)
		return 0;
	if ((ret = epoch_history_decode(s->op->history, s->op->history_len,
	    &h)) != 0)
		goto out;
	for (i = 0; i < h->n; i++) {
		for (e = 0; e < r->nepochs; e++)
			if (r->epochs[e].id == h->items[i].id)
				break;
		if (e == r->nepochs)
			continue;	/* unknown here: gives nothing */
		ret = BAL_ENOMEM;
		if (grow((void **)&r->grants, &f->grants_cap, r->ngrants + 1,
		    sizeof(*r->grants)) != 0)
			goto out;
		g = &r->grants[r->ngrants++];
		g->epoch = e;
		memcpy(g->member, s->op->member, BAL_PK_BYTES);
		memcpy(g->entry_id, s->in->entry_id, BAL_HASH_BYTES);
		memcpy(g->sealed, h->items[i].sealed, EPOCH_SEALED_BYTES);
	}
	ret = 0;
out:
	epoch_history_free(h);
	return ret;
}

static int
set_contract(struct roster *r, const struct roster_op *op)
{
	uint8_t *c;

	if ((c = malloc(op->contract_len)) == NULL)
		return BAL_ENOMEM;
	memcpy(c, op->contract, op->contract_len);
	free(r->contract);
	r->contract = c;
	r->contract_len = op->contract_len;
	roster_contract_hash(c, op->contract_len, r->contract_hash);
	return 0;
}

static int
apply_create(struct fold *f, const struct slot *s)
{
	struct roster *r = f->r;
	struct roster_member *m;
	int rc;

	if (!roster_leader_listed(r, s->in->author))
		return ROSTER_R_NOT_LEADER;
	if ((m = member_new(f, s->in->author)) == NULL)
		return BAL_ENOMEM;
	member_admit(m, s);
	if ((rc = epoch_add(f, s, 0)) != 0 || (rc = set_contract(r, s->op)) != 0)
		return rc;
	memcpy(r->group_id, r->contract_hash, BAL_GROUP_ID_BYTES);
	memcpy(r->founder, s->in->author, BAL_PK_BYTES);
	f->created = 1;
	return 0;
}

static int
apply_add(struct fold *f, const struct slot *s)
{
	struct roster *r = f->r;
	const struct roster_op *op = s->op;
	struct roster_member *m;
	struct window *w;
	uint64_t id = 0;
	int rc;

	m = member_find(r, op->member);
	if (m != NULL && m->status == ROSTER_ACTIVE)
		return ROSTER_R_ALREADY_MEMBER;
	if (m != NULL && (!op->has_readmits || memcmp(op->readmits,
	    m->removed_entry, BAL_HASH_BYTES) != 0))
		return ROSTER_R_REMOVED;
	if (m == NULL && op->has_readmits)
		return ROSTER_R_READMITS;
	if (active_count(r) >= ROSTER_ACTIVE_MAX ||
	    (m == NULL && r->nmembers >= ROSTER_MEMBERS_MAX))
		return ROSTER_R_FULL;
	if (op->envelope != NULL) {
		id = epoch_id_from_entry(s->in->entry_id);
		if (epoch_taken(r, id, op))
			return ROSTER_R_EPOCH_ID;
	}
	if (m == NULL) {
		if ((m = member_new(f, op->member)) == NULL)
			return BAL_ENOMEM;
	} else {
		if ((w = window_open_find(f, m->pk)) == NULL)
			abort();	/* a removed member always has one */
		w->end = s->rank;
	}
	member_admit(m, s);
	if ((rc = grants_add(f, s)) != 0)
		return rc;
	if (op->envelope != NULL && (rc = epoch_add(f, s, id)) != 0)
		return rc;
	return 0;
}

static int
apply_revoke(struct fold *f, const struct slot *s)
{
	struct roster *r = f->r;
	struct roster_member *m;
	uint64_t id;
	int rc;

	if (memcmp(s->op->member, s->in->author, BAL_PK_BYTES) == 0)
		return ROSTER_R_SELF;
	if ((m = member_find(r, s->op->member)) == NULL)
		return ROSTER_R_NO_SUCH_MEMBER;
	id = epoch_id_from_entry(s->in->entry_id);
	if (epoch_taken(r, id, s->op))
		return ROSTER_R_EPOCH_ID;
	if ((rc = member_remove(f, m, s, ROSTER_REVOKED, s->op->cut)) != 0)
		return rc;
	return epoch_add(f, s, id);
}

static int
apply_amend(struct fold *f, const struct slot *s)
{
	struct roster *r = f->r;
	uint8_t leaders[ROSTER_LEADERS_MAX][BAL_PK_BYTES];
	size_t nleaders = 0;
	int rc;

	if (sodium_memcmp(s->op->prev_hash, r->contract_hash,
	    BAL_HASH_BYTES) != 0)
		return ROSTER_R_CONTRACT;
	if (f->cb != NULL && f->cb->amend != NULL) {
		memset(leaders, 0, sizeof(leaders));
		if (f->cb->amend(f->cb->ctx, r->contract, r->contract_len,
		    s->op->contract, s->op->contract_len, s->in->author,
		    leaders, &nleaders) != 0 ||
		    nleaders < 1 || nleaders > ROSTER_LEADERS_MAX)
			return ROSTER_R_CONTRACT;
	}
	if ((rc = set_contract(r, s->op)) != 0)
		return rc;
	if (nleaders > 0) {
		memcpy(r->leaders, leaders, sizeof(leaders));
		r->nleaders = nleaders;
	}
	return 0;
}

/*
 * Applies the op in slot s to the roster of this pass: 0 when valid, an
 * enum roster_reason when not, or a negative BAL_E* error.
 */
static int
apply(struct fold *f, const struct slot *s)
{
	struct roster *r = f->r;
	const struct roster_op *op = s->op;
	struct roster_member *author;
	uint64_t id;

	if (!f->created) {
		if (op->type != ROSTER_OP_CREATE)
			return ROSTER_R_NO_GROUP;
		return apply_create(f, s);
	}
	if (op->type == ROSTER_OP_CREATE)
		return ROSTER_R_CREATE_AGAIN;
	author = member_find(r, s->in->author);
	if (author == NULL || author->status != ROSTER_ACTIVE)
		return ROSTER_R_NOT_MEMBER;
	if (op->type != ROSTER_OP_LEAVE && !roster_leader_listed(r, s->in->author))
		return ROSTER_R_NOT_LEADER;
	switch (op->type) {
	case ROSTER_OP_ADD:
		return apply_add(f, s);
	case ROSTER_OP_REVOKE:
		return apply_revoke(f, s);
	case ROSTER_OP_LEAVE:
		if (op->cut != s->in->seq)
			return ROSTER_R_BAD_CUT;
		return member_remove(f, author, s, ROSTER_LEFT, op->cut);
	case ROSTER_OP_ROTATE:
		id = epoch_id_from_entry(s->in->entry_id);
		if (epoch_taken(r, id, op))
			return ROSTER_R_EPOCH_ID;
		return epoch_add(f, s, id);
	case ROSTER_OP_AMEND:
		return apply_amend(f, s);
	}
	return ROSTER_R_MALFORMED;	/* not reached: decode checked it */
}

/* One pass over the fold order with the current exclusions. */
static int
fold_pass(struct fold *f)
{
	struct slot *s;
	size_t k;
	int rc;

	roster_free(f->r);
	f->r = NULL;
	f->created = 0;
	f->members_cap = f->epochs_cap = f->grants_cap = 0;
	f->nwin = 0;
	if ((f->r = calloc(1, sizeof(*f->r))) == NULL)
		return BAL_ENOMEM;
	memcpy(f->r->leaders, f->leaders0, f->nleaders0 * BAL_PK_BYTES);
	f->r->nleaders = f->nleaders0;
	for (k = 0; k < f->n; k++) {
		s = f->order[k];
		if (s->pre != 0)
			s->reason = s->pre;
		else if (s->excluded)
			s->reason = ROSTER_R_BEYOND_CUT;
		else if ((rc = apply(f, s)) < 0)
			return rc;
		else
			s->reason = rc;
	}
	return 0;
}

/*
 * The cut rule: every op by a removed member with seq above the cut of a
 * removal episode that sorts before the episode's end is excluded.  Returns
 * 1 if the excluded set grew.
 */
static int
exclude_beyond_cuts(struct fold *f)
{
	const struct window *w;
	struct slot *s;
	size_t i, k;
	int grew = 0;

	for (i = 0; i < f->nwin; i++) {
		w = &f->win[i];
		for (k = 0; k < f->n; k++) {
			s = f->order[k];
			if (s->pre != 0 || s->excluded || s->in->seq <= w->cut ||
			    s->rank >= w->end ||
			    memcmp(s->in->author, w->member, BAL_PK_BYTES) != 0)
				continue;
			s->excluded = 1;
			grew = 1;
		}
	}
	return grew;
}

/* Is pk a holder of epoch e: a recipient, or given it by a history. */
static int
holds(const struct roster *r, size_t e, const uint8_t pk[BAL_PK_BYTES])
{
	const struct roster_epoch *ep = &r->epochs[e];
	size_t i;

	for (i = 0; i < ep->nrecipients; i++)
		if (memcmp(ep->recipients[i], pk, BAL_PK_BYTES) == 0)
			return 1;
	for (i = 0; i < r->ngrants; i++)
		if (r->grants[i].epoch == e &&
		    memcmp(r->grants[i].member, pk, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

/* An epoch is clean when every holder is an active member. */
static int
epoch_clean(const struct roster *r, size_t e)
{
	const struct roster_epoch *ep = &r->epochs[e];
	size_t i;

	for (i = 0; i < ep->nrecipients; i++)
		if (!roster_is_active(r, ep->recipients[i]))
			return 0;
	for (i = 0; i < r->ngrants; i++)
		if (r->grants[i].epoch == e &&
		    !roster_is_active(r, r->grants[i].member))
			return 0;
	return 1;
}

/* Roles, current and write epoch, needs_rotation, the rejected list. */
static int
fold_finish(struct fold *f)
{
	struct roster *r = f->r;
	struct roster_reject *rj;
	size_t i, k, e;

	for (i = 0; i < r->nmembers; i++)
		r->members[i].role = roster_leader_listed(r, r->members[i].pk) ?
		    ROSTER_ROLE_LEADER : ROSTER_ROLE_MEMBER;
	r->current = r->nepochs - 1;
	r->write_epoch = ROSTER_NO_EPOCH;
	for (e = r->nepochs; e-- > 0;)
		if (epoch_clean(r, e)) {
			r->write_epoch = e;
			break;
		}
	r->needs_rotation = !epoch_clean(r, r->current);
	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE &&
		    !holds(r, r->current, r->members[i].pk))
			r->needs_rotation = 1;
	for (k = 0; k < f->n; k++)
		if (f->order[k]->reason != 0)
			r->nrejected++;
	if (r->nrejected > 0 &&
	    (r->rejected = calloc(r->nrejected, sizeof(*rj))) == NULL)
		return BAL_ENOMEM;
	for (k = 0, i = 0; k < f->n; k++) {
		if (f->order[k]->reason == 0)
			continue;
		rj = &r->rejected[i++];
		memcpy(rj->entry_id, f->order[k]->in->entry_id, BAL_HASH_BYTES);
		memcpy(rj->author, f->order[k]->in->author, BAL_PK_BYTES);
		rj->seq = f->order[k]->in->seq;
		rj->reason = f->order[k]->reason;
	}
	return 0;
}

int
roster_fold_ex(const uint8_t leaders[][BAL_PK_BYTES], size_t nleaders,
    const struct roster_contract_cb *cb, const struct roster_in *ops,
    size_t n, struct roster **out)
{
	struct fold f;
	size_t i, passes = 0;
	int ret = BAL_EINVAL, rc;

	memset(&f, 0, sizeof(f));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (leaders == NULL || nleaders < 1 || nleaders > ROSTER_LEADERS_MAX ||
	    (ops == NULL && n > 0))
		goto out;
	if (n > ROSTER_OPS_MAX) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	f.leaders0 = leaders;
	f.nleaders0 = nleaders;
	f.cb = cb;
	f.n = n;
	ret = BAL_ENOMEM;
	if (n > 0 && ((f.slots = calloc(n, sizeof(*f.slots))) == NULL ||
	    (f.order = calloc(n, sizeof(*f.order))) == NULL))
		goto out;
	for (i = 0; i < n; i++) {
		if (ops[i].body == NULL && ops[i].body_len > 0) {
			ret = BAL_EINVAL;
			goto out;
		}
		f.slots[i].in = &ops[i];
		f.order[i] = &f.slots[i];
		rc = roster_op_decode(ops[i].body, ops[i].body_len,
		    &f.slots[i].op);
		if (rc == BAL_ENOMEM)
			goto out;
		if (rc != 0)
			f.slots[i].pre = ROSTER_R_MALFORMED;
	}
	if (n > 0)
		qsort(f.order, n, sizeof(*f.order), cmp_fold);
	for (i = 0; i < n; i++)
		f.order[i]->rank = i;
	if ((ret = mark_duplicates(&f)) != 0)
		goto out;
	/* Fold until the set of ops beyond a cut stops growing. */
	do {
		if ((ret = fold_pass(&f)) != 0)
			goto out;
		passes++;
	} while (exclude_beyond_cuts(&f));
	f.r->passes = passes;
	if (!f.created) {
		ret = BAL_ENOENT;
		goto out;
	}
	if ((ret = fold_finish(&f)) != 0)
		goto out;
	*out = f.r;
	f.r = NULL;
	ret = 0;
out:
	for (i = 0; f.slots != NULL && i < n; i++)
		roster_op_free(f.slots[i].op);
	free(f.slots);
	free(f.order);
	free(f.win);
	roster_free(f.r);
	return ret;
}

int
roster_fold(const uint8_t leaders[][BAL_PK_BYTES], size_t nleaders,
    const struct roster_in *ops, size_t n, struct roster **out)
{
	return roster_fold_ex(leaders, nleaders, NULL, ops, n, out);
}

void
roster_free(struct roster *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nepochs; i++)
		free(r->epochs[i].envelope);
	free(r->epochs);
	free(r->members);
	free(r->grants);
	free(r->rejected);
	free(r->contract);
	free(r);
}
