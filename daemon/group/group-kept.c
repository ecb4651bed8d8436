/*
 * group-kept.c — what a revoked member keeps of a group: the notes it
 * wrote, each sealed under the member's own key (keyring.h, purpose
 * "kept-note", ad = group id || number as 8 bytes big-endian) into the
 * store's kept_notes before the group is erased, so `balint export
 * --kept` can still write them out.  The sealed value is the note's
 * first and last times (8 bytes big-endian each) and the note as
 * note_encode writes it.  Plaintext lives in sodium_malloc'd buffers,
 * wiped before release.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "keyring.h"
#include "store.h"

#define KEPT_PURPOSE "kept-note"
#define KEPT_HEAD 16		/* the two times */

_Static_assert(KEPT_HEAD + NOTE_MAX_ENCODED <= KEYRING_PLAIN_MAX,
    "a kept note fits the keyring");

static void
put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
kept_ad(const uint8_t *gid, uint64_t ord, uint8_t ad[BAL_GROUP_ID_BYTES + 8])
{
	memcpy(ad, gid, BAL_GROUP_ID_BYTES);
	put_be64(ad + BAL_GROUP_ID_BYTES, ord);
}

/* Seals one note as number ord of g's kept notes. */
static int
kept_one(struct group *g, const struct group_note *gn, uint64_t ord)
{
	uint8_t ad[BAL_GROUP_ID_BYTES + 8], *enc = NULL, *plain = NULL;
	uint8_t *sealed = NULL;
	size_t enclen = 0, plen = 0;
	int ret;

	if ((ret = note_encode(gn->note, &enc, &enclen)) != 0)
		return ret;
	plen = KEPT_HEAD + enclen;
	if ((plain = sodium_malloc(plen)) == NULL ||
	    (sealed = malloc(plen + KEYRING_OVERHEAD)) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	put_be64(plain, gn->created_ms);
	put_be64(plain + 8, gn->updated_ms);
	memcpy(plain + KEPT_HEAD, enc, enclen);
	kept_ad(g->id, ord, ad);
	if ((ret = keyring_seal(g->d->id, KEPT_PURPOSE, ad, sizeof(ad), plain,
	    plen, NULL, sealed, plen + KEYRING_OVERHEAD)) != 0)
		goto out;
	ret = store_kept_put(g->d->store, g->id, ord, sealed,
	    plen + KEYRING_OVERHEAD);
out:
	note_buf_free(enc, enclen);
	if (plain != NULL)
		sodium_free(plain);
	free(sealed);
	return ret;
}

int
group_kept_save(struct group *g, size_t *count)
{
	struct group_note *notes = NULL;
	size_t n = 0, i;
	uint64_t ord = 0;
	int ret;

	*count = 0;
	if ((ret = group_notes(g, &notes, &n)) != 0)
		return ret;
	if ((ret = store_begin(g->d->store)) != 0)
		goto out;
	for (i = 0; i < n && ret == 0; i++) {
		if (notes[i].deleted || notes[i].note == NULL ||
		    sodium_memcmp(notes[i].author, g->d->id->pk,
		    BAL_PK_BYTES) != 0)
			continue;
		ret = kept_one(g, &notes[i], ++ord);
	}
	if (ret != 0 || (ret = store_commit(g->d->store)) != 0)
		store_rollback(g->d->store);
	else
		*count = (size_t)ord;
out:
	group_notes_free(notes, n);
	return ret;
}

struct kept_read {
	struct daemon *d;
	const uint8_t *gid;
	group_kept_cb cb;
	void *ctx;
};

static int
kept_cb(void *ctx, uint64_t ord, const uint8_t *sealed, size_t len)
{
	struct kept_read *kr = ctx;
	struct group_kept_note kn;
	uint8_t ad[BAL_GROUP_ID_BYTES + 8], *plain;
	size_t plen;
	int ret;

	if (len <= KEYRING_OVERHEAD + KEPT_HEAD ||
	    len - KEYRING_OVERHEAD > KEYRING_PLAIN_MAX)
		return 0;	/* not one of ours: skipped */
	plen = len - KEYRING_OVERHEAD;
	if ((plain = sodium_malloc(plen)) == NULL)
		return BAL_ENOMEM;
	kept_ad(kr->gid, ord, ad);
	memset(&kn, 0, sizeof(kn));
	if (keyring_open(kr->d->id, KEPT_PURPOSE, ad, sizeof(ad), sealed, len,
	    plain, plen) != 0 || note_decode(plain + KEPT_HEAD,
	    plen - KEPT_HEAD, &kn.note) != 0) {
		sodium_free(plain);
		return 0;
	}
	kn.created_ms = get_be64(plain);
	kn.updated_ms = get_be64(plain + 8);
	sodium_free(plain);
	ret = kr->cb(kr->ctx, &kn);
	note_free(kn.note);
	return ret;
}

int
group_kept_each(struct daemon *d, const uint8_t gid[BAL_GROUP_ID_BYTES],
    group_kept_cb cb, void *ctx)
{
	struct kept_read kr = { d, gid, cb, ctx };

	if (d->store == NULL || d->id == NULL)
		return BAL_EINVAL;
	return store_kept_each(d->store, gid, kept_cb, &kr);
}
