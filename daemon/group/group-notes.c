/*
 * group-notes.c — notes as the member reads them: decrypted versions
 * grouped by note id, the latest of each, and erasure: of the earlier
 * versions of a deleted note, and of one entry (also used by retention.c)
 * (group-int.h).  Plaintext lives only in struct note (wiped by note_free)
 * and the group's sodium_malloc'd scratch buffer (group_batch_plain),
 * wiped after each note.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "store.h"


struct ncol {
	struct group *g;
	const struct batch *b;
	struct nrec *r;
	size_t n, cap;
};

/* Fills r from a kind-1 row, decrypted when the key is held. */
static int
rec_fill(struct group *g, const struct batch *b,
    const struct store_entry_row *row, struct nrec *r)
{
	struct entry *e = NULL;
	const uint8_t *key;
	uint8_t *plain;
	size_t plen = 0;

	memset(r, 0, sizeof(*r));
	memcpy(r->id, row->id, BAL_HASH_BYTES);
	memcpy(r->author, row->author, BAL_PK_BYTES);
	r->seq = row->seq;
	r->lamport = row->lamport;
	r->time = row->time;
	r->erased = row->erased;
	if (row->erased || (key = group_batch_key(g, b, row->epoch)) == NULL)
		return 0;
	/* Verified before it was stored; the AEAD tag still checks it. */
	if (entry_decode_stored(row->blob, row->bloblen, &e) != 0)
		return 0;
	if ((plain = group_batch_plain(g, entry_plain_len(e))) == NULL) {
		entry_free(e);
		return BAL_ENOMEM;
	}
	if (entry_open_buf(e, key, plain, g->plain_cap, &plen) == 0)
		(void)note_decode(plain, plen, &r->note);
	sodium_memzero(plain, plen);
	entry_free(e);
	return 0;
}

static int
ncol_cb(void *ctx, const struct store_entry_row *row)
{
	struct ncol *c = ctx;
	struct nrec *r;

	if (row->kind != ENTRY_KIND_NOTE)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;

		if ((r = realloc(c->r, cap * sizeof(*r))) == NULL)
			return BAL_ENOMEM;
		c->r = r;
		c->cap = cap;
	}
	r = &c->r[c->n++];
	return rec_fill(c->g, c->b, row, r);
}

struct nfind {
	struct group *g;
	const struct batch *b;
	const uint8_t *id;
	struct nrec *rec;
	int found;
};

static int
nfind_cb(void *ctx, const struct store_entry_row *row)
{
	struct nfind *f = ctx;
	int ret;

	if (row->kind != ENTRY_KIND_NOTE ||
	    memcmp(row->id, f->id, BAL_HASH_BYTES) != 0)
		return 0;
	if ((ret = rec_fill(f->g, f->b, row, f->rec)) != 0)
		return ret;
	f->found = 1;
	return 1;
}

/*
 * The kind-1 entry of author with entry id id, alone: rows are compared
 * by id and only that one is decrypted.
 */
int
group_notes_find(struct group *g, const struct batch *b,
    const uint8_t *author, const uint8_t id[BAL_HASH_BYTES],
    struct nrec *rec)
{
	struct nfind f = { g, b, id, rec, 0 };
	int ret;

	memset(rec, 0, sizeof(*rec));
	if ((ret = store_entries_each(g->d->store, g->id, author, 0,
	    (size_t)INT64_MAX, nfind_cb, &f)) != 0) {
		note_free(rec->note);
		memset(rec, 0, sizeof(*rec));
		return ret;
	}
	return f.found ? 0 : BAL_ENOENT;
}

void
group_notes_recs_free(struct nrec *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		note_free(r[i].note);
	if (r != NULL)
		sodium_memzero(r, n * sizeof(*r));
	free(r);
}

/*
 * Collects the group's kind-1 entries (of one author, or all by lamport),
 * decrypting those whose key is held (b may be NULL).
 */
int
group_notes_collect(struct group *g, const struct batch *b,
    const uint8_t *author, struct nrec **out, size_t *n)
{
	struct ncol c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.g = g;
	c.b = b;
	if (author != NULL)
		ret = store_entries_each(g->d->store, g->id, author, 0,
		    (size_t)INT64_MAX, ncol_cb, &c);
	else
		ret = store_entries_kind_each(g->d->store, g->id,
		    ENTRY_KIND_NOTE, ncol_cb, &c);
	if (ret != 0) {
		group_notes_recs_free(c.r, c.n);
		return ret;
	}
	*out = c.r;
	*n = c.n;
	return 0;
}

/*
 * Replaces a stored entry by its erased form (header, hash, signature),
 * inside the batch's transaction; b->erased counts it.
 */
int
group_notes_erase_entry(struct batch *b, const uint8_t *author, uint64_t seq)
{
	struct group *g = b->g;
	struct entry *e = NULL;
	uint8_t *blob = NULL, *enc = NULL;
	size_t len = 0, enclen = 0;
	int ret;

	if ((ret = store_entry_get(g->d->store, g->id, author, seq, &blob,
	    &len)) != 0)
		goto out;
	if (entry_decode_stored(blob, len, &e) != 0) {
		ret = BAL_EIO;
		goto out;
	}
	entry_erase(e);
	if ((ret = entry_encode(e, &enc, &enclen)) != 0)
		goto out;
	if ((ret = store_entry_replace(g->d->store, g->id, author, seq, enc,
	    enclen, STORE_ERASED)) != 0)
		goto out;
	b->erased++;
out:
	if (blob != NULL)
		sodium_memzero(blob, len);
	free(blob);
	free(enc);
	entry_free(e);
	return ret;
}

/* Does the tombstone t name entry id id among the versions it erases? */
static int
names(const struct note *t, const uint8_t id[BAL_HASH_BYTES])
{
	size_t i;

	for (i = 0; i < t->nerases; i++)
		if (memcmp(t->erases[i], id, BAL_HASH_BYTES) == 0)
			return 1;
	return 0;
}

/*
 * The versions a readable tombstone names (it names every version it
 * erases) that are held without their body (STORE_BODY_MISSING), earlier
 * in its author's log: each is the deletion of a version by its author,
 * checked here, so it is erased (its row marked STORE_ERASED, no longer
 * asked for), however many of them were stripped one behind the other.
 */
static int
erase_missing(struct batch *b, struct nrec *r, size_t n, size_t t)
{
	size_t k;
	int ret;

	for (k = 0; k < n; k++) {
		if (r[k].erased != STORE_BODY_MISSING || r[k].seq >= r[t].seq ||
		    memcmp(r[k].author, r[t].author, BAL_PK_BYTES) != 0 ||
		    !names(r[t].note, r[k].id))
			continue;
		r[k].erased = STORE_ERASED;
		b->missing--;
		if ((ret = group_notes_erase_entry(b, r[k].author,
		    r[k].seq)) != 0)
			return ret;
	}
	return 0;
}

/* Adds id to ids[0..*n) unless it is there (room for cap). */
static void
erases_add(uint8_t (*ids)[BAL_HASH_BYTES], size_t *n, size_t cap,
    const uint8_t id[BAL_HASH_BYTES])
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (memcmp(ids[i], id, BAL_HASH_BYTES) == 0)
			return;
	if (*n < cap)
		memcpy(ids[(*n)++], id, BAL_HASH_BYTES);
}

int
group_note_erases(struct group *g, const uint8_t note_id[NOTE_ID_BYTES],
    uint8_t (**ids)[BAL_HASH_BYTES], size_t *n)
{
	struct nrec *r = NULL;
	uint8_t (*out)[BAL_HASH_BYTES] = NULL;
	size_t nr = 0, i, cap;
	int ret;

	*ids = NULL;
	*n = 0;
	if ((ret = group_notes_collect(g, NULL, g->d->id->pk, &r, &nr)) != 0)
		return ret;
	/* Each version and the one it supersedes: at most 2 per version. */
	cap = 2 * nr + 1;
	if ((out = calloc(cap, BAL_HASH_BYTES)) == NULL) {
		group_notes_recs_free(r, nr);
		return BAL_ENOMEM;
	}
	/* Ascending by seq (the store's order), the superseded first. */
	for (i = 0; i < nr; i++) {
		if (r[i].note == NULL || memcmp(r[i].note->id, note_id,
		    NOTE_ID_BYTES) != 0)
			continue;
		if (r[i].note->has_supersedes)
			erases_add(out, n, cap, r[i].note->supersedes);
		erases_add(out, n, cap, r[i].id);
	}
	group_notes_recs_free(r, nr);
	/* The newest NOTE_MAX_ERASES (a note edited more often). */
	if (*n > NOTE_MAX_ERASES) {
		memmove(out, out + (*n - NOTE_MAX_ERASES),
		    NOTE_MAX_ERASES * (size_t)BAL_HASH_BYTES);
		*n = NOTE_MAX_ERASES;
	}
	*ids = out;
	return 0;
}

/*
 * Erases every earlier version of each deleted note: the entries of the
 * tombstone's author, below it in their log, holding the same note id,
 * and those it supersedes held without their body (erase_missing).
 * author NULL: look at the whole group.
 */
int
group_notes_erase(struct batch *b, const uint8_t *author)
{
	struct nrec *r = NULL;
	size_t n = 0, i, j;
	int ret;

	if ((ret = group_notes_collect(b->g, b, author, &r, &n)) != 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++) {
		if (r[i].note == NULL || !r[i].note->tombstone)
			continue;
		if ((ret = erase_missing(b, r, n, i)) != 0)
			break;
		for (j = 0; j < n && ret == 0; j++) {
			if (r[j].note == NULL || r[j].erased ||
			    r[j].seq >= r[i].seq ||
			    memcmp(r[j].author, r[i].author,
			    BAL_PK_BYTES) != 0 ||
			    memcmp(r[j].note->id, r[i].note->id,
			    NOTE_ID_BYTES) != 0)
				continue;
			if ((ret = group_notes_erase_entry(b, r[j].author,
			    r[j].seq)) == 0)
				r[j].erased = 1;
		}
	}
	group_notes_recs_free(r, n);
	return ret;
}

struct revealed {
	const struct batch *b;
	int found;
};

/* Stops at the first readable row under an epoch opened in the batch. */
static int
revealed_cb(void *ctx, const struct store_entry_row *row)
{
	struct revealed *rv = ctx;
	size_t i;

	if (row->erased)
		return 0;
	for (i = 0; i < rv->b->nkeys; i++)
		if (rv->b->keys[i].epoch == row->epoch) {
			rv->found = 1;
			return 1;
		}
	return 0;
}

/*
 * After epoch keys were opened in b: the tombstone rule over the whole
 * group again, since notes stored before a key was held could not be read
 * then.  Only notes under the new epochs become readable, so with none of
 * them stored (a join, a removal, a rotation: a new epoch, nothing written
 * under it yet) the rule has nothing new to find, and the group's notes
 * are not all decrypted again.
 */
int
group_notes_erase_revealed(struct batch *b)
{
	struct revealed rv = { b, 0 };
	int ret;

	if (b->nkeys == 0)
		return 0;
	if ((ret = store_entries_kind_each(b->g->d->store, b->g->id,
	    ENTRY_KIND_NOTE, revealed_cb, &rv)) != 0)
		return ret;
	return rv.found ? group_notes_erase(b, NULL) : 0;
}

/* Orders versions: lamport, then entry id. */
static int
rec_before(const struct nrec *a, const struct nrec *b)
{
	if (a->lamport != b->lamport)
		return a->lamport < b->lamport;
	return memcmp(a->id, b->id, BAL_HASH_BYTES) < 0;
}

/* Orders record pointers by note id, then as versions (rec_before). */
static int
by_note(const void *a, const void *b)
{
	const struct nrec *x = *(const struct nrec *const *)a;
	const struct nrec *y = *(const struct nrec *const *)b;
	int c = memcmp(x->note->id, y->note->id, NOTE_ID_BYTES);

	if (c != 0)
		return c;
	return rec_before(x, y) ? -1 : rec_before(y, x) ? 1 : 0;
}

/* Orders record pointers by entry id. */
static int
by_id(const void *a, const void *b)
{
	return memcmp((*(const struct nrec *const *)a)->id,
	    (*(const struct nrec *const *)b)->id, BAL_HASH_BYTES);
}

/* Orders pointers to entry ids. */
static int
by_hash(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b,
	    BAL_HASH_BYTES);
}

/* The record with entry id, by binary search of ids (sorted by by_id). */
static const struct nrec *
rec_find(const struct nrec *const *ids, size_t n,
    const uint8_t id[BAL_HASH_BYTES])
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = memcmp(ids[mid]->id, id, BAL_HASH_BYTES)) == 0)
			return ids[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Is version v of the note owned by owner valid: by the owner, of a note
 * id bound to the owner, and (an edit or deletion) superseding an entry of
 * the owner's of the same note?
 */
static int
version_ok(const struct nrec *const *ids, size_t nids, const struct nrec *v,
    const uint8_t owner[BAL_PK_BYTES])
{
	const struct nrec *k;

	if (memcmp(v->author, owner, BAL_PK_BYTES) != 0 ||
	    !note_id_is_authors(v->note->id, owner))
		return 0;
	if (!v->note->has_supersedes)
		return 1;
	k = rec_find(ids, nids, v->note->supersedes);
	return k != NULL && k != v &&
	    memcmp(k->author, owner, BAL_PK_BYTES) == 0 &&
	    (k->note == NULL || memcmp(k->note->id, v->note->id,
	    NOTE_ID_BYTES) == 0);
}

/* The readable versions of one note: v[0..m) in version order. */
struct nver {
	struct nrec **v;
	size_t m;
	size_t order;		/* index in lamport order of its oldest */
};

/* Orders notes by their oldest readable version, as the records come. */
static int
by_order(const void *a, const void *b)
{
	const struct nver *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Fills out from the versions of one note; valid and sup are scratch
 * arrays of at least nv->m elements.  1: nothing valid, not shown.
 */
static int
note_resolve(const struct nver *nv, const struct nrec *const *ids,
    size_t nids, uint8_t *valid, const uint8_t **sup, struct group_note *out)
{
	struct nrec *const *v = nv->v;
	size_t j, first = nv->m, latest = nv->m, nsup = 0;
	unsigned versions = 0;
	const uint8_t *id;

	/*
	 * The owner: the author of the first version (supersedes nil), whose
	 * note id is bound to them (stored before this member held the key,
	 * another's "first version" was not checked on receipt).
	 */
	for (j = 0; j < nv->m && first == nv->m; j++)
		if (!v[j]->note->has_supersedes &&
		    note_id_is_authors(v[j]->note->id, v[j]->author))
			first = j;
	if (first == nv->m)
		first = 0;
	for (j = 0; j < nv->m; j++) {
		valid[j] = (uint8_t)version_ok(ids, nids, v[j],
		    v[first]->author);
		if (!valid[j])
			continue;
		versions++;
		if (v[j]->note->has_supersedes)
			sup[nsup++] = v[j]->note->supersedes;
	}
	qsort(sup, nsup, sizeof(*sup), by_hash);
	/* The latest: a valid version no other valid version supersedes. */
	for (j = 0; j < nv->m; j++) {
		id = v[j]->id;
		if (valid[j] && bsearch(&id, sup, nsup, sizeof(*sup),
		    by_hash) == NULL)
			latest = j;
	}
	memset(out, 0, sizeof(*out));
	if (latest == nv->m)
		return 1;
	memcpy(out->note_id, v[latest]->note->id, NOTE_ID_BYTES);
	memcpy(out->author, v[first]->author, BAL_PK_BYTES);
	out->created_ms = v[first]->time;
	out->updated_ms = v[latest]->time;
	out->versions = versions;
	out->deleted = v[latest]->note->tombstone;
	memcpy(out->entry_id, v[latest]->id, BAL_HASH_BYTES);
	out->note = v[latest]->note;
	v[latest]->note = NULL;
	return 0;
}

/*
 * The group's notes, each at its latest valid version, in the order of
 * their oldest readable versions.  Sorting keeps this O(n log n) in the
 * number of entries (a member may hold many thousands).
 */
int
group_notes(struct group *g, struct group_note **out, size_t *n)
{
	struct nrec *r = NULL, **byn = NULL, **ids = NULL;
	struct group_note *notes = NULL;
	struct nver *nv = NULL;
	const uint8_t **sup = NULL;
	uint8_t *valid = NULL;
	size_t nr = 0, nn = 0, ngroups = 0, i, j, count = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if ((ret = group_notes_collect(g, NULL, NULL, &r, &nr)) != 0)
		return ret;
	if (nr == 0)
		goto out;
	if ((byn = calloc(nr, sizeof(*byn))) == NULL ||
	    (ids = calloc(nr, sizeof(*ids))) == NULL ||
	    (nv = calloc(nr, sizeof(*nv))) == NULL ||
	    (sup = calloc(nr, sizeof(*sup))) == NULL ||
	    (valid = calloc(nr, 1)) == NULL ||
	    (notes = calloc(nr, sizeof(*notes))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		ids[i] = &r[i];
		if (r[i].note != NULL)
			byn[nn++] = &r[i];
	}
	qsort(ids, nr, sizeof(*ids), by_id);
	qsort(byn, nn, sizeof(*byn), by_note);
	for (i = 0; i < nn; i = j) {
		nv[ngroups].v = &byn[i];
		nv[ngroups].order = (size_t)(byn[i] - r);
		for (j = i + 1; j < nn && memcmp(byn[j]->note->id,
		    byn[i]->note->id, NOTE_ID_BYTES) == 0; j++)
			if ((size_t)(byn[j] - r) < nv[ngroups].order)
				nv[ngroups].order = (size_t)(byn[j] - r);
		nv[ngroups++].m = j - i;
	}
	qsort(nv, ngroups, sizeof(*nv), by_order);
	for (i = 0; i < ngroups; i++)
		if (note_resolve(&nv[i], (const struct nrec *const *)ids, nr,
		    valid, sup, &notes[count]) == 0)
			count++;
	*out = notes;
	*n = count;
	notes = NULL;
out:
	if (notes != NULL)
		group_notes_free(notes, count);
	free(byn);
	free(ids);
	free(nv);
	free(sup);
	free(valid);
	group_notes_recs_free(r, nr);
	return ret;
}

int
group_note_versions(struct group *g, const struct group_note *gn,
    struct group_note_version **out, size_t *n)
{
	struct nrec *r = NULL, **ids = NULL;
	struct group_note_version *v = NULL;
	size_t nr = 0, i, m = 0;
	int ret;

	*out = NULL;
	*n = 0;
	/* Every version is in its owner's log, in the order written. */
	if ((ret = group_notes_collect(g, NULL, gn->author, &r, &nr)) != 0)
		return ret;
	if (nr == 0)
		goto out;
	if ((ids = calloc(nr, sizeof(*ids))) == NULL ||
	    (v = calloc(nr, sizeof(*v))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++)
		ids[i] = &r[i];
	qsort(ids, nr, sizeof(*ids), by_id);
	for (i = 0; i < nr; i++) {
		if (r[i].note == NULL || memcmp(r[i].note->id, gn->note_id,
		    NOTE_ID_BYTES) != 0 || !version_ok((const struct nrec
		    *const *)ids, nr, &r[i], gn->author))
			continue;
		v[m].note = r[i].note;
		r[i].note = NULL;
		memcpy(v[m].author, r[i].author, BAL_PK_BYTES);
		v[m].time_ms = r[i].time;
		v[m].seq = r[i].seq;
		m++;
	}
	*out = v;
	*n = m;
	v = NULL;
out:
	free(v);
	free(ids);
	group_notes_recs_free(r, nr);
	return ret;
}

void
group_note_versions_free(struct group_note_version *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		note_free(v[i].note);
	sodium_memzero(v, n * sizeof(*v));
	free(v);
}

void
group_notes_free(struct group_note *notes, size_t n)
{
	size_t i;

	if (notes == NULL)
		return;
	for (i = 0; i < n; i++)
		note_free(notes[i].note);
	sodium_memzero(notes, n * sizeof(*notes));
	free(notes);
}

size_t
group_note_matches(const struct group_note *notes, size_t n,
    const char *sel)
{
	char hex[NOTE_ID_HEX_BYTES];
	size_t i, len, k = 0;

	if (notes == NULL || sel == NULL)
		return 0;
	len = strlen(sel);
	if (len < GROUP_NOTE_PREFIX_MIN || len > NOTE_ID_HEX_BYTES - 1 ||
	    !is_hex(sel))
		return 0;
	for (i = 0; i < n; i++) {
		note_id_to_hex(notes[i].note_id, hex);
		if (!notes[i].deleted && notes[i].note != NULL &&
		    strncasecmp(hex, sel, len) == 0)
			k++;
	}
	return k;
}

const struct group_note *
group_note_find(const struct group_note *notes, size_t n, const char *sel)
{
	const struct group_note *found = NULL;
	char hex[NOTE_ID_HEX_BYTES];
	size_t i, len;

	if (notes == NULL || sel == NULL)
		return NULL;
	len = strlen(sel);
	if (len < GROUP_NOTE_PREFIX_MIN || len > NOTE_ID_HEX_BYTES - 1 ||
	    !is_hex(sel))
		return NULL;
	for (i = 0; i < n; i++) {
		note_id_to_hex(notes[i].note_id, hex);
		if (strncasecmp(hex, sel, len) != 0)
			continue;
		if (found != NULL)
			return NULL;	/* ambiguous */
		found = &notes[i];
	}
	return found;
}
