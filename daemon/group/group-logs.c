/*
 * group-logs.c — a group's logs as the sync engine reads them (group.h):
 * the version vector (HAVE), an author's entries after a seq, what a peer
 * lacks in causal order, and the network keys of the epochs held.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "shs.h"
#include "store.h"

struct have {
	struct wire_have_item *items;
	size_t n, cap;
};

static int
have_cb(void *ctx, const uint8_t author[BAL_PK_BYTES], uint64_t seq)
{
	struct have *h = ctx;

	if (h->n == h->cap && group_grow(&h->items, &h->cap,
	    sizeof(*h->items)) != 0)
		return BAL_ENOMEM;
	memcpy(h->items[h->n].author, author, BAL_PK_BYTES);
	h->items[h->n].seq = seq;
	h->n++;
	return 0;
}

static int
have_cmp(const void *a, const void *b)
{
	return memcmp(((const struct wire_have_item *)a)->author,
	    ((const struct wire_have_item *)b)->author, BAL_PK_BYTES);
}

int
group_missing_bodies(struct group *g, struct wire_have_item *items,
    size_t max, size_t *n)
{
	*n = 0;
	if (g->d->store == NULL)
		return 0;
	return store_entries_missing(g->d->store, g->id, items, max, n);
}

int
group_have(struct group *g, struct wire_have_item **items, size_t *n)
{
	struct have h;
	int ret;

	*items = NULL;
	*n = 0;
	memset(&h, 0, sizeof(h));
	if ((ret = store_vector_each(g->d->store, g->id, have_cb, &h)) != 0) {
		free(h.items);
		return ret;
	}
	if (h.n > 1)
		qsort(h.items, h.n, sizeof(*h.items), have_cmp);
	*items = h.items;
	*n = h.n;
	return 0;
}

struct after {
	int (*cb)(void *ctx, const uint8_t *blob, size_t len);
	void *ctx;
	int ret;
};

static int
after_cb(void *ctx, const struct store_entry_row *row)
{
	struct after *a = ctx;
	int rc = a->cb(a->ctx, row->blob, row->bloblen);

	if (rc < 0)
		a->ret = rc;
	return rc != 0 ? 1 : 0;
}

int
group_entries_after(struct group *g, const uint8_t author[BAL_PK_BYTES],
    uint64_t after, size_t max,
    int (*cb)(void *ctx, const uint8_t *blob, size_t len), void *ctx)
{
	struct after a = { cb, ctx, 0 };
	int ret;

	if (g == NULL || author == NULL || cb == NULL)
		return BAL_EINVAL;
	if (max == 0 || max > (size_t)INT64_MAX)
		max = (size_t)INT64_MAX;
	ret = store_entries_each(g->d->store, g->id, author, after, max,
	    after_cb, &a);
	return ret != 0 ? ret : a.ret;
}

int
group_spots_add(struct spots *l, const uint8_t author[BAL_PK_BYTES],
    uint64_t seq, uint64_t lamport)
{
	if (l->n == l->cap && group_grow(&l->s, &l->cap, sizeof(*l->s)) != 0)
		return BAL_ENOMEM;
	memcpy(l->s[l->n].author, author, BAL_PK_BYTES);
	l->s[l->n].seq = seq;
	l->s[l->n].lamport = lamport;
	l->n++;
	return 0;
}

static int
spot_cb(void *ctx, const struct store_entry_row *row)
{
	struct spots *l = ctx;

	return group_spots_add(l, row->author, row->seq, row->lamport);
}

static int
spot_cmp(const void *a, const void *b)
{
	const struct spot *x = a, *y = b;
	int c;

	if (x->lamport != y->lamport)
		return x->lamport < y->lamport ? -1 : 1;
	if ((c = memcmp(x->author, y->author, BAL_PK_BYTES)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
group_entries_missing(struct group *g, const struct wire_have_item *have,
    size_t nhave, size_t max, group_missing_cb cb, void *ctx)
{
	struct wire_have_item *mine = NULL;
	struct spots l;
	uint8_t *blob = NULL;
	size_t nmine = 0, i, j, len = 0;
	uint64_t peer;
	int ret;

	if (g == NULL || cb == NULL || (have == NULL && nhave > 0))
		return BAL_EINVAL;
	if (max == 0 || max > (size_t)INT64_MAX)
		max = (size_t)INT64_MAX;
	memset(&l, 0, sizeof(l));
	if ((ret = group_have(g, &mine, &nmine)) != 0)
		goto out;
	/*
	 * The first max missing entries by lamport are among the first max
	 * missing of each author (a log's lamports ascend with seq).
	 */
	for (i = 0; i < nmine; i++) {
		for (j = 0, peer = 0; j < nhave; j++)
			if (memcmp(have[j].author, mine[i].author,
			    BAL_PK_BYTES) == 0)
				peer = have[j].seq;
		if (mine[i].seq <= peer)
			continue;
		if ((ret = store_entries_each(g->d->store, g->id,
		    mine[i].author, peer, max, spot_cb, &l)) != 0)
			goto out;
	}
	if (l.n > 1)
		qsort(l.s, l.n, sizeof(*l.s), spot_cmp);
	for (i = 0; i < l.n && i < max; i++) {
		if ((ret = store_entry_get(g->d->store, g->id, l.s[i].author,
		    l.s[i].seq, &blob, &len)) != 0)
			goto out;
		ret = cb(ctx, l.s[i].author, l.s[i].seq, blob, len);
		free(blob);
		blob = NULL;
		if (ret != 0) {
			ret = ret < 0 ? ret : 0;
			goto out;
		}
	}
out:
	free(mine);
	free(l.s);
	return ret;
}

int
group_network_keys(struct group *g, uint8_t (*keys)[32], size_t max,
    size_t *n)
{
	const struct roster_epoch *ep;
	size_t i, j, *ord = NULL, *idx = NULL;
	int ret = 0;

	*n = 0;
	if (g->nkeys == 0)
		return 0;
	if ((ord = calloc(g->nkeys, sizeof(*ord))) == NULL ||
	    (idx = calloc(g->nkeys, sizeof(*idx))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	/* Order by the epoch's place in the roster, newest first. */
	for (i = 0; i < g->nkeys; i++) {
		ep = roster_epoch_find(g->roster, g->keys[i].epoch);
		ord[i] = ep != NULL ? ep->ordinal + 1 : 0;
		for (j = i; j > 0 && ord[idx[j - 1]] < ord[i]; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	for (i = 0; i < g->nkeys && *n < max; i++) {
		if ((ret = shs_network_key(g->keys[idx[i]].key, g->id,
		    keys[*n])) != 0)
			goto out;
		(*n)++;
	}
out:
	free(ord);
	free(idx);
	return ret;
}
