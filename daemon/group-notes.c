/*
 * group-notes.c — notes as the member reads them: decrypted versions
 * grouped by note id, the latest of each, and erasure: of the earlier
 * versions of a deleted note, and of one entry (also used by retention.c)
 * (group-int.h).  Plaintext lives only in struct note (wiped by note_free)
 * and entry_open's sodium_malloc'd buffers.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "store.h"

#define NOTE_PREFIX_MIN 4	/* hex digits of a note id prefix */

/* Is s a run of hex digits? */
static int
is_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F')))
			return 0;
	return 1;
}

struct ncol {
	struct group *g;
	const struct batch *b;
	struct nrec *r;
	size_t n, cap;
};

static int
ncol_cb(void *ctx, const struct store_entry_row *row)
{
	struct ncol *c = ctx;
	struct nrec *r;
	struct entry *e = NULL;
	const uint8_t *key;
	uint8_t *plain = NULL;
	size_t plen = 0;

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
	memset(r, 0, sizeof(*r));
	memcpy(r->id, row->id, BAL_HASH_BYTES);
	memcpy(r->author, row->author, BAL_PK_BYTES);
	r->seq = row->seq;
	r->lamport = row->lamport;
	r->time = row->time;
	r->erased = row->erased;
	if (row->erased ||
	    (key = group_batch_key(c->g, c->b, row->epoch)) == NULL)
		return 0;
	if (entry_decode(row->blob, row->bloblen, &e) == 0 &&
	    entry_open(e, key, &plain, &plen) == 0)
		(void)note_decode(plain, plen, &r->note);
	entry_plain_free(plain, plen);
	entry_free(e);
	return 0;
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
	if (entry_decode(blob, len, &e) != 0) {
		ret = BAL_EIO;
		goto out;
	}
	entry_erase(e);
	if ((ret = entry_encode(e, &enc, &enclen)) != 0)
		goto out;
	if ((ret = store_entry_replace(g->d->store, g->id, author, seq, enc,
	    enclen, 1)) != 0)
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

/*
 * Erases every earlier version of each deleted note: the entries of the
 * tombstone's author, below it in their log, holding the same note id.
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

/* Orders versions: lamport, then entry id. */
static int
rec_before(const struct nrec *a, const struct nrec *b)
{
	if (a->lamport != b->lamport)
		return a->lamport < b->lamport;
	return memcmp(a->id, b->id, BAL_HASH_BYTES) < 0;
}

/* Index of the record with entry id, or n. */
static size_t
rec_find(const struct nrec *r, size_t n, const uint8_t id[BAL_HASH_BYTES])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(r[i].id, id, BAL_HASH_BYTES) == 0)
			return i;
	return n;
}

/*
 * Is version j of the note owned by owner valid: by the owner, and (an
 * edit or deletion) superseding an entry of the owner's of the same note?
 */
static int
version_ok(const struct nrec *r, size_t n, size_t j,
    const uint8_t owner[BAL_PK_BYTES])
{
	size_t k;

	if (memcmp(r[j].author, owner, BAL_PK_BYTES) != 0)
		return 0;
	if (!r[j].note->has_supersedes)
		return 1;
	k = rec_find(r, n, r[j].note->supersedes);
	return k < n && k != j &&
	    memcmp(r[k].author, owner, BAL_PK_BYTES) == 0 &&
	    (r[k].note == NULL || memcmp(r[k].note->id, r[j].note->id,
	    NOTE_ID_BYTES) == 0);
}

/* Fills out from the versions of the note of record i (unseen ones). */
static int
note_resolve(struct nrec *r, size_t n, size_t i, uint8_t *seen,
    struct group_note *out)
{
	const uint8_t *nid = r[i].note->id;
	size_t j, m, first = n, any = n, latest = n;
	unsigned versions = 0;
	uint8_t *valid;

	if ((valid = calloc(n, 1)) == NULL)
		return BAL_ENOMEM;
	/* The owner: the author of the first version (supersedes nil). */
	for (j = i; j < n; j++) {
		if (r[j].note == NULL ||
		    memcmp(r[j].note->id, nid, NOTE_ID_BYTES) != 0)
			continue;
		seen[j] = 1;
		if (any == n || rec_before(&r[j], &r[any]))
			any = j;
		if (!r[j].note->has_supersedes &&
		    (first == n || rec_before(&r[j], &r[first])))
			first = j;
	}
	if (first == n)
		first = any;
	for (j = i; j < n; j++)
		if (seen[j] && r[j].note != NULL &&
		    memcmp(r[j].note->id, nid, NOTE_ID_BYTES) == 0 &&
		    version_ok(r, n, j, r[first].author)) {
			valid[j] = 1;
			versions++;
		}
	/* The latest: a valid version no other valid version supersedes. */
	for (j = i; j < n; j++) {
		if (!valid[j])
			continue;
		for (m = i; m < n; m++)
			if (valid[m] && m != j &&
			    r[m].note->has_supersedes &&
			    memcmp(r[m].note->supersedes, r[j].id,
			    BAL_HASH_BYTES) == 0)
				break;
		if (m == n && (latest == n || rec_before(&r[latest], &r[j])))
			latest = j;
	}
	free(valid);
	memset(out, 0, sizeof(*out));
	if (latest == n)
		return 1;	/* nothing valid: not shown */
	memcpy(out->note_id, nid, NOTE_ID_BYTES);
	memcpy(out->author, r[first].author, BAL_PK_BYTES);
	out->created_ms = r[first].time;
	out->updated_ms = r[latest].time;
	out->versions = versions;
	out->deleted = r[latest].note->tombstone;
	memcpy(out->entry_id, r[latest].id, BAL_HASH_BYTES);
	out->note = r[latest].note;
	r[latest].note = NULL;
	return 0;
}

int
group_notes(struct group *g, struct group_note **out, size_t *n)
{
	struct nrec *r = NULL;
	struct group_note *notes = NULL;
	uint8_t *seen = NULL;
	size_t nr = 0, i, count = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if (g == NULL)
		return BAL_EINVAL;
	if ((ret = group_notes_collect(g, NULL, NULL, &r, &nr)) != 0)
		return ret;
	if (nr == 0)
		goto out;
	if ((seen = calloc(nr, 1)) == NULL ||
	    (notes = calloc(nr, sizeof(*notes))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	/* Records come by lamport: each note at its oldest readable version. */
	for (i = 0; i < nr; i++) {
		if (seen[i] || r[i].note == NULL)
			continue;
		if ((ret = note_resolve(r, nr, i, seen, &notes[count])) < 0)
			goto out;
		if (ret == 0)
			count++;
		ret = 0;
	}
	*out = notes;
	*n = count;
	notes = NULL;
out:
	if (notes != NULL)
		group_notes_free(notes, count);
	free(seen);
	group_notes_recs_free(r, nr);
	return ret;
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

const struct group_note *
group_note_find(const struct group_note *notes, size_t n, const char *sel)
{
	const struct group_note *found = NULL;
	char hex[NOTE_ID_HEX_BYTES];
	size_t i, len;

	if (notes == NULL || sel == NULL)
		return NULL;
	len = strlen(sel);
	if (len < NOTE_PREFIX_MIN || len > NOTE_ID_HEX_BYTES - 1 ||
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
