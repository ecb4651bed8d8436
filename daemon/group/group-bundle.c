/*
 * group-bundle.c — bundles (group.h, group_bundle_*): the entries another
 * member may lack written into one file encrypted under the group's
 * current epoch key, and such a file taken in through group_receive,
 * exactly as a batch from a peer.  The last HAVE seen of each member (from
 * a session or a bundle) is kept in the store (store_have_*) so that a
 * bundle written for a member holds only what they lack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bundle.h"
#include "daemon.h"
#include "group-int.h"
#include "store.h"

/* The entries a bundle will carry, copied out of the store. */
struct collect {
	uint8_t **blobs;
	size_t *lens;
	size_t n, cap;
	uint64_t since_ms;
	int err;
};

static int
collect_cb(void *ctx, const uint8_t *author, uint64_t seq,
    const uint8_t *blob, size_t len)
{
	struct collect *c = ctx;
	struct entry *e;
	uint8_t **nb;
	size_t *nl;

	(void)author;
	(void)seq;
	if (c->since_ms > 0) {
		if ((c->err = entry_decode_stored(blob, len, &e)) != 0)
			return -1;
		if (e->h.time < c->since_ms) {
			entry_free(e);
			return 0;
		}
		entry_free(e);
	}
	if (c->n >= BUNDLE_MAX_ENTRIES) {
		c->err = BAL_ETOOBIG;
		return -1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		if ((nb = realloc(c->blobs, c->cap * sizeof(*nb))) == NULL ||
		    (c->blobs = nb, (nl = realloc(c->lens,
		    c->cap * sizeof(*nl))) == NULL)) {
			c->err = BAL_ENOMEM;
			return -1;
		}
		c->lens = nl;
	}
	if ((c->blobs[c->n] = malloc(len)) == NULL) {
		c->err = BAL_ENOMEM;
		return -1;
	}
	memcpy(c->blobs[c->n], blob, len);
	c->lens[c->n++] = len;
	return 0;
}

int
group_bundle_write(struct group *g, const uint8_t *for_member,
    uint64_t since_ms, int *known, uint8_t **file, size_t *len, size_t *n)
{
	struct wire_have_item *have = NULL, *mine = NULL;
	struct collect c = { .since_ms = since_ms };
	struct bundle b;
	uint8_t key[BAL_KEY_BYTES], *plain = NULL;
	const uint8_t *ekey;
	size_t nhave = 0, nmine = 0, plainlen = 0, i;
	int ret;

	*file = NULL;
	*len = 0;
	*n = 0;
	*known = 0;
	if (g->roster == NULL || g->roster->write_epoch == ROSTER_NO_EPOCH)
		return BAL_ESTATE;
	if ((ekey = group_batch_key(g, NULL,
	    g->roster->epochs[g->roster->write_epoch].id)) == NULL)
		return BAL_ENOENT;
	if (for_member != NULL) {
		if ((ret = store_have_get(g->d->store, g->id, for_member,
		    &have, &nhave)) != 0)
			goto out;
		*known = nhave > 0;
	}
	if ((ret = group_entries_missing(g, have, nhave, 0, collect_cb,
	    &c)) != 0) {
		ret = c.err != 0 ? c.err : ret;
		goto out;
	}
	if ((ret = group_have(g, &mine, &nmine)) != 0)
		goto out;
	memset(&b, 0, sizeof(b));
	memcpy(b.group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(b.writer, g->d->id->pk, BAL_PK_BYTES);
	b.time_ms = daemon_now_ms();
	b.have = mine;
	b.nhave = nmine > BUNDLE_MAX_HAVE ? BUNDLE_MAX_HAVE : nmine;
	b.entries = (const uint8_t *const *)c.blobs;
	b.lens = c.lens;
	b.n = c.n;
	if ((ret = bundle_encode(&b, &plain, &plainlen)) != 0 ||
	    (ret = bundle_key(ekey, g->id, key)) != 0 ||
	    (ret = bundle_seal(key, plain, plainlen, file, len)) != 0)
		goto out;
	*n = c.n;
out:
	sodium_memzero(key, sizeof(key));
	if (plain != NULL) {
		sodium_memzero(plain, plainlen);
		free(plain);
	}
	for (i = 0; i < c.n; i++)
		free(c.blobs[i]);
	free(c.blobs);
	free(c.lens);
	free(have);
	free(mine);
	return ret;
}

/* Opens file with a key of an epoch of a group this member holds. */
static int
bundle_try_keys(struct daemon *d, const uint8_t *file, size_t len,
    struct group **gout, uint8_t **plain, size_t *plainlen)
{
	struct group *g;
	uint8_t key[BAL_KEY_BYTES];
	size_t i;
	int ret, rc = BAL_ECRYPTO;

	for (g = d->groups; g != NULL; g = g->next)
		for (i = 0; i < g->nkeys; i++) {
			if ((ret = bundle_key(g->keys[i].key, g->id,
			    key)) != 0)
				return ret;
			rc = bundle_open(key, file, len, plain, plainlen);
			sodium_memzero(key, sizeof(key));
			if (rc == 0) {
				*gout = g;
				return 0;
			}
			if (rc != BAL_ECRYPTO)
				return rc;	/* not a bundle at all */
		}
	/* No key at all: still tell a file that is no bundle apart. */
	if (len < BUNDLE_OVERHEAD ||
	    memcmp(file, BUNDLE_MAGIC, BUNDLE_MAGIC_BYTES) != 0)
		return BAL_EPROTO;
	return rc;
}

static uint64_t
have_seq(const struct wire_have_item *v, size_t n, const uint8_t *author)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(v[i].author, author, BAL_PK_BYTES) == 0)
			return v[i].seq;
	return 0;
}

/* Counts an entry of author into r (added or refused). */
static int
tally(struct group_bundle_read *r, const uint8_t *author, int refused)
{
	struct group_bundle_author *na;
	size_t i;

	for (i = 0; i < r->nauthors; i++)
		if (memcmp(r->authors[i].author, author, BAL_PK_BYTES) == 0)
			break;
	if (i == r->nauthors) {
		if ((na = realloc(r->authors, (i + 1) * sizeof(*na))) == NULL)
			return BAL_ENOMEM;
		r->authors = na;
		memset(&na[i], 0, sizeof(na[i]));
		memcpy(na[i].author, author, BAL_PK_BYTES);
		r->nauthors++;
	}
	if (refused)
		r->authors[i].refused++;
	else
		r->authors[i].added++;
	return 0;
}

int
group_bundle_read(struct daemon *d, const uint8_t *file, size_t len,
    struct group_bundle_read *r, char *why, size_t whylen)
{
	struct wire_have_item *before = NULL, *after = NULL;
	struct bundle_dec *dec = NULL;
	const struct roster_member *m;
	struct entry *e;
	struct group *g = NULL;
	uint8_t *plain = NULL;
	size_t plainlen = 0, nbefore = 0, nafter = 0, i;
	uint64_t was, now;
	int ret;

	memset(r, 0, sizeof(*r));
	why[0] = '\0';
	if ((ret = bundle_try_keys(d, file, len, &g, &plain,
	    &plainlen)) != 0) {
		snprintf(why, whylen, "%s", ret == BAL_ECRYPTO ? N_("it does "
		    "not open with the key of any group or epoch this member "
		    "holds (another group's, or altered or cut short)") :
		    ret == BAL_EPROTO ? N_("it is not a balint bundle") :
		    ret == BAL_ETOOBIG ? N_("it is larger than any bundle") :
		    bal_strerror(ret));
		goto out;
	}
	if ((ret = bundle_decode(plain, plainlen, &dec)) != 0) {
		snprintf(why, whylen, N_("it opens but its content is malformed "
		    "(%s)"), bal_strerror(ret));
		goto out;
	}
	if (sodium_memcmp(dec->b.group, g->id, BAL_GROUP_ID_BYTES) != 0) {
		ret = BAL_EPROTO;
		snprintf(why, whylen, N_("it opens with this group's key but "
		    "names another group"));
		goto out;
	}
	r->g = g;
	r->total = dec->b.n;
	memcpy(r->writer, dec->b.writer, BAL_PK_BYTES);
	r->time_ms = dec->b.time_ms;
	if ((ret = group_have(g, &before, &nbefore)) != 0)
		goto out;
	if ((ret = group_receive(g, dec->b.entries, dec->b.lens, dec->b.n,
	    NULL, &r->added, why, whylen)) != 0)
		goto out;
	if ((ret = group_have(g, &after, &nafter)) != 0)
		goto out;
	/* Who gained what, and what a removal's cut refused. */
	for (i = 0; i < dec->b.n; i++) {
		if (entry_decode_stored(dec->b.entries[i], dec->b.lens[i],
		    &e) != 0)
			continue;
		was = have_seq(before, nbefore, e->h.author);
		now = have_seq(after, nafter, e->h.author);
		m = g->roster != NULL ? roster_member_find(g->roster,
		    e->h.author) : NULL;
		ret = 0;
		if (e->h.seq > was && e->h.seq <= now)
			ret = tally(r, e->h.author, 0);
		else if (m != NULL && m->status != ROSTER_ACTIVE &&
		    e->h.seq > m->cut && e->h.seq > was) {
			ret = tally(r, e->h.author, 1);
			r->refused++;
		}
		entry_free(e);
		if (ret != 0)
			goto out;
	}
	/* The writer's HAVE, for a bundle written for them later. */
	if (memcmp(dec->b.writer, d->id->pk, BAL_PK_BYTES) != 0 &&
	    g->roster != NULL &&
	    roster_member_find(g->roster, dec->b.writer) != NULL)
		group_bundle_have_seen(g, dec->b.writer, dec->b.have,
		    dec->b.nhave);
out:
	bundle_dec_free(dec);
	if (plain != NULL) {
		sodium_memzero(plain, plainlen);
		free(plain);
	}
	free(before);
	free(after);
	return ret;
}

void
group_bundle_read_free(struct group_bundle_read *r)
{
	free(r->authors);
	memset(r, 0, sizeof(*r));
}

void
group_bundle_have_seen(struct group *g, const uint8_t *member,
    const struct wire_have_item *items, size_t n)
{
	struct store *st = g->d->store;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];

	/* A hint for later bundles: not worth an fsync, nor a failure. */
	if (store_begin_received(st) != 0)
		return;
	if (store_have_put(st, g->id, member, items, n) != 0 ||
	    store_commit(st) != 0) {
		store_rollback(st);
		gid_hex(g->id, hex);
		daemon_log("group %.8s: cannot keep a member's HAVE: %s", hex,
		    store_errmsg(st));
	}
}
