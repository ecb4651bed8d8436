/*
 * group-batch.c — storing entries (group-int.h).
 *
 * Every entry reaches the store through group_batch_process, for entries
 * received from peers and this member's own alike, inside one store
 * transaction per batch: a pipeline of its place in the author's log, the
 * author's right to write it and the per-author limits, the check of its
 * kind (group-check.c), then one write to the store.  What a batch
 * changes in memory (a refolded roster, a new contract version, newly
 * opened epoch keys) is staged in struct batch and moved into the group
 * only after the commit, so a rejected batch leaves both the store and
 * the group as they were.
 *
 * Epoch keys at rest are sealed with keyring_seal, purpose "epoch-key",
 * ad = group id || epoch id (8 bytes, big-endian).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "keyring.h"
#include "retention.h"
#include "store.h"
#include "wire.h"

#define KEY_PURPOSE "epoch-key"
#define KEY_AD_BYTES (BAL_GROUP_ID_BYTES + 8)
#define SEALED_KEY_BYTES (BAL_KEY_BYTES + KEYRING_OVERHEAD)
/* The first plaintext scratch buffer: a 1 KiB note and then some. */
#define PLAIN_MIN 4096u
/* Authors whose heads a batch remembers (the rest are read each time). */
#define BATCH_HEADS_MAX 64

static const uint8_t *
keys_find(const struct group_key *keys, size_t n, uint64_t epoch)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].epoch == epoch)
			return keys[i].key;
	return NULL;
}

static int
keys_push(struct group_key **keys, size_t *n, uint64_t epoch,
    const uint8_t key[BAL_KEY_BYTES])
{
	struct group_key *k;
	uint8_t *copy;

	if ((copy = sodium_malloc(BAL_KEY_BYTES)) == NULL)
		return BAL_ENOMEM;
	if ((k = realloc(*keys, (*n + 1) * sizeof(*k))) == NULL) {
		sodium_free(copy);
		return BAL_ENOMEM;
	}
	memcpy(copy, key, BAL_KEY_BYTES);
	k[*n].epoch = epoch;
	k[*n].key = copy;
	*keys = k;
	(*n)++;
	return 0;
}

void
group_batch_keys_free(struct group_key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sodium_free(keys[i].key);	/* wipes */
	free(keys);
}

/* The associated data of a sealed epoch key: group id || epoch (BE). */
static void
key_ad(const uint8_t gid[BAL_GROUP_ID_BYTES], uint64_t epoch,
    uint8_t ad[KEY_AD_BYTES])
{
	int i;

	memcpy(ad, gid, BAL_GROUP_ID_BYTES);
	for (i = 0; i < 8; i++)
		ad[BAL_GROUP_ID_BYTES + i] = (uint8_t)(epoch >> (56 - 8 * i));
}

/* Seals key under this member's key and stores it. */
static int
key_store(struct group *g, uint64_t epoch, const uint8_t key[BAL_KEY_BYTES])
{
	uint8_t ad[KEY_AD_BYTES], sealed[SEALED_KEY_BYTES];
	int ret;

	key_ad(g->id, epoch, ad);
	if ((ret = keyring_seal(g->d->id, KEY_PURPOSE, ad, sizeof(ad), key,
	    BAL_KEY_BYTES, NULL, sealed, sizeof(sealed))) != 0)
		return ret;
	return store_key_put(g->d->store, g->id, epoch, sealed, sizeof(sealed));
}

int
group_batch_key_load(void *ctx, uint64_t epoch, const uint8_t *sealed,
    size_t len)
{
	struct group *g = ctx;
	uint8_t ad[KEY_AD_BYTES], key[BAL_KEY_BYTES];
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	int ret = 0;

	if (keys_find(g->keys, g->nkeys, epoch) != NULL)
		return 0;
	key_ad(g->id, epoch, ad);
	if (len != SEALED_KEY_BYTES || keyring_open(g->d->id, KEY_PURPOSE, ad,
	    sizeof(ad), sealed, len, key, sizeof(key)) != 0) {
		gid_hex(g->id, hex);
		daemon_log("group %.8s: the stored key of epoch %llu does not "
		    "open with this member's key; ignored", hex,
		    (unsigned long long)epoch);
		goto out;
	}
	ret = keys_push(&g->keys, &g->nkeys, epoch, key);
out:
	sodium_memzero(key, sizeof(key));
	return ret;
}

/* The key of epoch: opened in this batch, or held by the group. */
const uint8_t *
group_batch_key(const struct group *g, const struct batch *b, uint64_t epoch)
{
	const uint8_t *k = NULL;

	if (b != NULL)
		k = keys_find(b->keys, b->nkeys, epoch);
	if (k == NULL)
		k = keys_find(g->keys, g->nkeys, epoch);
	return k;
}

static int
rowcopy_cb(void *ctx, const struct store_entry_row *row)
{
	struct rowcopy *rc = ctx;

	rc->found = 1;
	rc->seq = row->seq;
	rc->lamport = row->lamport;
	rc->epoch = row->epoch;
	rc->kind = row->kind;
	rc->erased = row->erased;
	memcpy(rc->id, row->id, BAL_HASH_BYTES);
	return 1;
}

/* The stored entry of author at seq (rc->found 0 if none). */
int
group_batch_entry_at(struct group *g, const uint8_t *author, uint64_t seq,
    struct rowcopy *rc)
{
	int ret;

	memset(rc, 0, sizeof(*rc));
	if (seq == 0)
		return 0;
	ret = store_entries_each(g->d->store, g->id, author, seq - 1, 1,
	    rowcopy_cb, rc);
	if (ret == 0 && rc->found && rc->seq != seq)
		rc->found = 0;
	return ret;
}

/*
 * The head of author's stored log as a header-only entry (enough for
 * entry_follows and entry_header_next); *has is 0 for an empty log.
 */
int
group_batch_head(struct group *g, const uint8_t *author,
    struct entry *head, int *has)
{
	struct store_entry_row row;
	int ret;

	memset(head, 0, sizeof(*head));
	*has = 0;
	if ((ret = store_entry_head_row(g->d->store, g->id, author,
	    &row)) != 0)
		return ret;
	if (row.seq == 0)
		return 0;
	head->h.kind = (uint8_t)row.kind;
	memcpy(head->h.group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(head->h.author, author, BAL_PK_BYTES);
	head->h.seq = row.seq;
	head->h.epoch = row.epoch;
	head->h.lamport = row.lamport;
	head->h.time = row.time;
	memcpy(head->id, row.id, BAL_HASH_BYTES);
	*has = 1;
	return 0;
}

/* The batch's remembered head of author, or NULL. */
static struct batch_head *
batch_head_find(struct batch *b, const uint8_t *author)
{
	size_t i;

	for (i = 0; i < b->nheads; i++)
		if (memcmp(b->heads[i].head.h.author, author,
		    BAL_PK_BYTES) == 0)
			return &b->heads[i];
	return NULL;
}

/* Remembers author's head (a no-op when the batch remembers enough). */
static void
batch_head_put(struct batch *b, const struct entry *head, int has)
{
	struct batch_head *bh;
	size_t cap;

	if ((bh = batch_head_find(b, head->h.author)) == NULL) {
		if (b->nheads == BATCH_HEADS_MAX)
			return;
		if (b->nheads == b->capheads) {
			cap = b->capheads > 0 ? 2 * b->capheads : 4;
			if ((bh = realloc(b->heads, cap * sizeof(*bh))) ==
			    NULL)
				return;
			b->heads = bh;
			b->capheads = cap;
		}
		bh = &b->heads[b->nheads++];
		bh->use.loaded = 0;
	}
	bh->has = has;
	bh->head = *head;
}

/*
 * group_batch_head through the batch: the store is read once per author
 * and batch, then the batch keeps the head as it stores entries.
 */
static int
batch_head(struct batch *b, const uint8_t *author, struct entry *head,
    int *has)
{
	struct batch_head *bh;
	int ret;

	if ((bh = batch_head_find(b, author)) != NULL) {
		*head = bh->head;
		*has = bh->has;
		return 0;
	}
	if ((ret = group_batch_head(b->g, author, head, has)) != 0)
		return ret;
	/* An empty log's head names its author too, to be found again. */
	memcpy(head->h.author, author, BAL_PK_BYTES);
	batch_head_put(b, head, *has);
	return 0;
}

/* After e was stored: it is its author's head now. */
static void
batch_head_stored(struct batch *b, const struct entry *e)
{
	struct entry head;

	memset(&head, 0, sizeof(head));
	head.h = e->h;
	memcpy(head.id, e->id, BAL_HASH_BYTES);
	batch_head_put(b, &head, 1);
}

/*
 * What author's log holds, for the day of time: remembered with the head
 * (read once per author, day and batch), or read into *tmp.
 */
static int
batch_use(struct batch *b, const uint8_t *author, uint64_t time,
    struct group_use *tmp, struct group_use **u)
{
	struct batch_head *bh = batch_head_find(b, author);

	*u = bh != NULL ? &bh->use : tmp;
	if ((*u)->loaded && (*u)->day == time / (24ull * 3600 * 1000))
		return 0;
	return group_limits_load(b->g, author, time, *u);
}

void
group_batch_init(struct batch *b, struct group *g, int local)
{
	memset(b, 0, sizeof(*b));
	b->g = g;
	b->local = local;
	b->lamport = g->lamport;
}

const struct roster *
group_batch_roster(const struct batch *b)
{
	return b->roster != NULL ? b->roster : b->g->roster;
}

void
group_batch_free(struct batch *b)
{
	group_rlog_free(&b->rl);
	roster_free(b->roster);
	contract_free(b->contract);
	group_batch_keys_free(b->keys, b->nkeys);
	free(b->heads);
	memset(b, 0, sizeof(*b));
}

/* Makes room in the group for the batch's keys (before the commit). */
static int
batch_prepare(struct batch *b)
{
	struct group *g = b->g;
	struct group_key *k;

	if (b->nkeys == 0)
		return 0;
	if ((k = realloc(g->keys, (g->nkeys + b->nkeys) * sizeof(*k))) == NULL)
		return BAL_ENOMEM;
	g->keys = k;
	return 0;
}

/* Moves what the committed batch changed into the group. */
static void
batch_apply(struct batch *b)
{
	struct group *g = b->g;

	if (b->roster != NULL) {
		roster_free(g->roster);
		g->roster = b->roster;
		b->roster = NULL;
	}
	if (b->contract != NULL) {
		contract_free(g->contract);
		g->contract = b->contract;
		b->contract = NULL;
	}
	if (b->nkeys > 0) {
		memcpy(g->keys + g->nkeys, b->keys,
		    b->nkeys * sizeof(*b->keys));
		g->nkeys += b->nkeys;
		free(b->keys);
		b->keys = NULL;
		b->nkeys = 0;
	}
	if (b->lamport > g->lamport)
		g->lamport = b->lamport;
}

/*
 * A key sealed to this member that is not the one its epoch commits to (or
 * not sealed for this group and member) is never used: one line each time
 * the roster changes, since notes under that epoch stay unreadable here.
 */
static void
refused_log(const struct group *g, const struct roster_epoch *e)
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1], id[IDENTITY_ID_TEXT_BYTES];

	gid_hex(g->id, hex);
	identity_id_encode(e->author, id);
	daemon_log("group %.8s: refused the key of epoch %llu that %.12s "
	    "sealed to this member: it is not the key the roster entry commits "
	    "to, or was sealed for another group or member", hex,
	    (unsigned long long)e->id, id);
}

/* Opens and stores every epoch key of the roster sealed to this member. */
int
group_batch_acquire(struct batch *b)
{
	struct group *g = b->g;
	const struct roster *r = group_batch_roster(b);
	uint8_t key[BAL_KEY_BYTES];
	size_t i;
	int ret = 0;

	for (i = 0; r != NULL && i < r->nepochs && ret == 0; i++) {
		uint64_t id = r->epochs[i].id;
		int rc;

		if (group_batch_key(g, b, id) != NULL)
			continue;
		if ((rc = roster_epoch_key(r, id, g->d->id, key)) ==
		    BAL_ECRYPTO)
			refused_log(g, &r->epochs[i]);
		if (rc != 0)
			continue;
		if ((ret = key_store(g, id, key)) == 0 &&
		    (ret = keys_push(&b->keys, &b->nkeys, id, key)) == 0)
			b->new_keys = 1;
	}
	sodium_memzero(key, sizeof(key));
	return ret;
}

uint8_t *
group_batch_plain(struct group *g, size_t n)
{
	uint8_t *p;
	size_t cap;

	if (n > ENTRY_MAX_PLAIN)
		return NULL;
	if (g->plain != NULL && g->plain_cap >= n)
		return g->plain;
	cap = g->plain_cap > 0 ? 2 * g->plain_cap : PLAIN_MIN;
	if (cap < n)
		cap = n;
	if (cap > ENTRY_MAX_PLAIN)
		cap = ENTRY_MAX_PLAIN;
	if ((p = sodium_malloc(cap)) == NULL)
		return NULL;
	sodium_free(g->plain);		/* wiped after every use; NULL ok */
	g->plain = p;
	g->plain_cap = cap;
	return p;
}

/* Addresses: 1..WIRE_MAX_ADDR bytes of printable ASCII without spaces. */
int
group_batch_addr_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > WIRE_MAX_ADDR)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Is an entry of author at seq void: author removed, seq beyond their cut?
 * (roster_entry_allowed also refuses authors never admitted; those may
 * still be admitted later in a batch, these not.)
 */
static int
beyond_cut(const struct roster *r, const uint8_t *author, uint64_t seq)
{
	const struct roster_member *m = roster_member_find(r, author);

	return m != NULL && m->status != ROSTER_ACTIVE && seq > m->cut;
}

/* One log line for a refused entry beyond its author's cut. */
static void
skipped_log(const struct group *g, const struct entry *e)
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1], id[IDENTITY_ID_TEXT_BYTES];

	gid_hex(g->id, hex);
	identity_id_encode(e->h.author, id);
	daemon_log("group %.8s: refused an entry of removed member %.12s "
	    "beyond their cut (seq %llu)", hex, id,
	    (unsigned long long)e->h.seq);
}

/*
 * Where e stands in its author's log, given the head: 0 the next entry, 1
 * held already or skipped (a fork, the other branch, void beyond a cut),
 * 2 held without its body and e carries it, or a negative code (a gap
 * sets b->again).
 */
static int
place(struct batch *b, const struct entry *e, const struct entry *head,
    int has, char *why, size_t whylen)
{
	struct group *g = b->g;
	const struct roster *r = group_batch_roster(b);
	struct rowcopy rc;
	int ret;

	if (has && e->h.seq <= head->h.seq) {
		if ((ret = group_batch_entry_at(g, e->h.author, e->h.seq,
		    &rc)) != 0)
			return ret;
		if (rc.found && memcmp(rc.id, e->id, BAL_HASH_BYTES) == 0)
			/*
			 * Held without its body (a relay left it out): a full
			 * copy, its body matching the signed hash (decoded),
			 * restores it (2) instead of being skipped as held.
			 */
			return rc.erased == STORE_BODY_MISSING &&
			    !entry_is_erased(e) ? 2 : 1;
		/* Signed by the author (decoded) yet not ours: a fork. */
		return group_fork_skip(b, e);
	}
	/*
	 * A removed member's entry beyond their cut is refused, but without
	 * failing the batch: an honest relay may hold it from before the
	 * removal.  It is not stored (1, as if held).
	 */
	if (r != NULL && beyond_cut(r, e->h.author, e->h.seq)) {
		/* One line per run of them, not per entry. */
		if (!b->local && (!b->has_skip_logged ||
		    memcmp(b->skip_logged, e->h.author, BAL_PK_BYTES) != 0)) {
			skipped_log(g, e);
			memcpy(b->skip_logged, e->h.author, BAL_PK_BYTES);
			b->has_skip_logged = 1;
		}
		return 1;
	}
	if (entry_follows(has ? head : NULL, e) == 0)
		return 0;
	if (has && e->h.seq == head->h.seq + 1 &&
	    memcmp(e->h.prev, head->id, BAL_HASH_BYTES) != 0)
		return group_fork_skip(b, e);	/* branched earlier */
	/* Further along a log held back (forked, unreadable, over a limit). */
	if (e->h.seq > head->h.seq + 1 && group_fork_seen(g, e->h.author))
		return 1;
	b->again = e->h.seq > head->h.seq + 1;
	if (e->h.seq == head->h.seq + 1 && e->h.lamport >
	    head->h.lamport + ENTRY_MAX_LAMPORT_STEP)
		return reject(why, whylen, BAL_ECHAIN, "lamport "
		    "%llu is more than 2^32 past the author's previous entry "
		    "(%llu)", (unsigned long long)e->h.lamport,
		    (unsigned long long)head->h.lamport);
	return reject(why, whylen, BAL_ECHAIN, b->again ? "gap in "
	    "the author's log (held up to seq %llu)" : "does not follow the "
	    "author's log (held up to seq %llu)",
	    (unsigned long long)head->h.seq);
}

/* May e's author write it: a member (or admitted later in the batch)? */
static int
allowed(struct batch *b, const struct entry *e, char *why, size_t whylen)
{
	const struct roster *r = group_batch_roster(b);

	/* Not yet allowed may change as the batch's roster entries fold. */
	if (r == NULL) {
		if (e->h.kind == ENTRY_KIND_ROSTER)
			return 0;
		b->again = 1;
		return reject(why, whylen, BAL_EPERM,
		    "entry before the group's CREATE");
	}
	if (roster_entry_allowed(r, e->h.author, e->h.seq) == 0)
		return 0;
	b->again = 1;
	return reject(why, whylen, BAL_EPERM, "the author may not "
	    "write here (not a member, or beyond their cut)");
}

/* What e decodes to, for what its write entails. */
struct checked {
	struct note *note;
	struct roster_op *op;
	struct contract *created;
	char addrs[GROUP_ANNOUNCE_MAX][WIRE_MAX_ADDR + 1];
	size_t naddrs;
};

/* The check of e's kind (group-check.c); 1: skipped, held back. */
static int
check_kind(struct batch *b, const struct entry *e, struct checked *c,
    char *why, size_t whylen)
{
	int ret, unreadable = 0;

	switch (e->h.kind) {
	case ENTRY_KIND_NOTE:
		ret = group_check_note(b, e, &c->note, &unreadable, why,
		    whylen);
		/* Not this member's own: skipped, the batch goes on. */
		if (ret != 0 && ret != BAL_ENOMEM && unreadable && !b->local)
			ret = group_held_skip(b, e, GROUP_HELD_UNREADABLE,
			    why);
		return ret;
	case ENTRY_KIND_ROSTER:
		return group_check_roster(b, e, &c->op, &c->created, why,
		    whylen);
	case ENTRY_KIND_ANNOUNCE:
		if (entry_is_erased(e) || (ret = group_check_announce(e->body,
		    e->bodylen, c->addrs, &c->naddrs)) == BAL_EVERSION)
			return 0;	/* a newer announce: kept, not used */
		if (ret != 0)
			return reject(why, whylen, BAL_EPROTO,
			    "malformed announce");
		return 0;
	default:
		return reject(why, whylen, BAL_EPROTO,
		    "unknown entry kind");
	}
}

/*
 * The body state of e as stored (store.h).  A body may be absent only for
 * a reason this member checks itself: retention expired by its own clock
 * here, the author's removal in the roster it folded (a removed member can
 * no longer be asked, and may have erased their copy on leaving), or
 * (later, group_notes_erase) a tombstone it holds and reads that
 * names the entry among those it erases.  A note received without its body for no such
 * reason is held as missing: a relay may have left the body out to hide
 * the note, or a tombstone's deletion.  (Entries beyond a removed
 * author's cut are not stored at all, place.)
 */
static int
body_state(const struct batch *b, const struct entry *e)
{
	const struct group *g = b->g;
	const struct roster *r = group_batch_roster(b);
	const struct roster_member *m;

	if (!entry_is_erased(e))
		return 0;
	if (e->h.kind != ENTRY_KIND_NOTE || retention_expired(b->contract !=
	    NULL ? b->contract : g->contract, e->h.time, daemon_now_ms()))
		return STORE_ERASED;
	if (r != NULL && (m = roster_member_find(r, e->h.author)) != NULL &&
	    m->status != ROSTER_ACTIVE)
		return STORE_ERASED;
	return STORE_BODY_MISSING;
}

/* The one write of e, then what it entails: erasures, fold, peers. */
static int
write_entry(struct batch *b, const struct entry *e, const uint8_t *blob,
    size_t len, struct checked *c, struct group_use *use, char *why,
    size_t whylen)
{
	struct group *g = b->g;
	struct store *st = g->d->store;
	struct store_entry_row row;
	int ret;

	memset(&row, 0, sizeof(row));
	memcpy(row.group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(row.author, e->h.author, BAL_PK_BYTES);
	row.seq = e->h.seq;
	memcpy(row.id, e->id, BAL_HASH_BYTES);
	row.kind = e->h.kind;
	row.epoch = e->h.epoch;
	row.lamport = e->h.lamport;
	row.time = e->h.time;
	row.erased = body_state(b, e);
	row.blob = blob;
	row.bloblen = len;
	if (b->restoring) {
		/* The body of an entry held without it: put back in place. */
		if ((ret = store_entry_replace(st, g->id, e->h.author,
		    e->h.seq, blob, len, 0)) != 0)
			return ret;
		b->missing--;
	} else if ((ret = store_entry_put(st, &row)) != 0)
		return reject(why, whylen, ret == BAL_EEXIST ||
		    ret == BAL_ECHAIN ? BAL_ECHAIN : ret, "store: %s",
		    store_errmsg(st));
	if (row.erased == STORE_BODY_MISSING)
		b->missing++;
	if (!b->restoring)
		batch_head_stored(b, e);
	if (use != NULL)
		group_limits_add(use, e->h.time, len);
	if (e->h.lamport > b->lamport)
		b->lamport = e->h.lamport;
	switch (e->h.kind) {
	case ENTRY_KIND_NOTE:
		/*
		 * A tombstone erases the versions it deletes; a restored
		 * version may be one that a tombstone held here deletes.
		 */
		if (((c->note != NULL && c->note->tombstone) ||
		    b->restoring) &&
		    (ret = group_notes_erase(b, e->h.author)) != 0)
			return ret;
		/* Past the contract's retention: kept erased (retention.h). */
		if (!row.erased && retention_expired(b->contract != NULL ?
		    b->contract : g->contract, e->h.time, daemon_now_ms()))
			return group_notes_erase_entry(b, e->h.author,
			    e->h.seq);
		return 0;
	case ENTRY_KIND_ROSTER:
		if ((ret = group_rlog_add(b, blob, len)) != 0 || !b->local)
			return ret;
		/* This member's own operation: folded now, to be checked. */
		memcpy(b->local_op, e->id, BAL_HASH_BYTES);
		b->has_local_op = 1;
		return group_rlog_fold(b, why, whylen);
	case ENTRY_KIND_ANNOUNCE:
		/* Peers to dial (group_announced); never our own. */
		if (c->naddrs > 0 && memcmp(e->h.author, g->d->id->pk,
		    BAL_PK_BYTES) != 0)
			return group_announced(g, e->h.author, e->h.seq,
			    c->addrs, c->naddrs);
		return 0;
	}
	return 0;
}

/*
 * One entry through the pipeline: its place in its author's log, whether
 * its author may write it, the per-author limits, the check of its kind,
 * then the one write to the store and what it entails.  The look-ups it
 * needs (the author's head and use, the roster) come from the batch, which
 * reads each from the store once.
 */
static int
process_one(struct batch *b, const struct entry *e, const uint8_t *blob,
    size_t len, char *why, size_t whylen)
{
	struct group_use tmp, *use = NULL;
	struct checked c;
	struct entry head;
	int has, ret;

	if (memcmp(e->h.group, b->g->id, BAL_GROUP_ID_BYTES) != 0)
		return reject(why, whylen, BAL_EPROTO,
		    "entry of another group");
	/* Notes and announces are checked against the roster folded. */
	if (e->h.kind != ENTRY_KIND_ROSTER &&
	    (ret = group_rlog_fold(b, why, whylen)) != 0)
		return ret;
	b->restoring = 0;
	if ((ret = batch_head(b, e->h.author, &head, &has)) != 0 ||
	    (ret = place(b, e, &head, has, why, whylen)) == 2)
		b->restoring = 1;	/* allowed and counted when stored */
	else if (ret != 0 || (ret = allowed(b, e, why, whylen)) != 0)
		return ret;
	/* Roster entries: only leaders write more than one (group-check.c). */
	if (e->h.kind != ENTRY_KIND_ROSTER && !b->restoring) {
		memset(&tmp, 0, sizeof(tmp));
		if ((ret = batch_use(b, e->h.author, e->h.time, &tmp,
		    &use)) != 0)
			return ret;
		if ((ret = group_limits_check(use, e->h.time, len, why,
		    whylen)) != 0)
			return b->local ? ret : group_held_skip(b, e,
			    GROUP_HELD_LIMIT, why);
	}
	memset(&c, 0, sizeof(c));
	if ((ret = check_kind(b, e, &c, why, whylen)) == 0)
		ret = write_entry(b, e, blob, len, &c, use, why, whylen);
	b->restoring = 0;
	note_free(c.note);
	roster_op_free(c.op);
	contract_free(c.created);
	sodium_memzero(c.addrs, sizeof(c.addrs));
	return ret;
}

/*
 * Checks one decoded entry against the group and stores it: 0 stored, 1
 * already held or skipped, or a negative code with the reason in why.  A
 * reject that a fold due may change is retried once after that fold.
 */
int
group_batch_process(struct batch *b, const struct entry *e, const uint8_t *blob,
    size_t len, char *why, size_t whylen)
{
	int ret = process_one(b, e, blob, len, why, whylen);

	if (ret >= 0 || !b->again || !b->rl_dirty)
		return ret;
	if ((ret = group_rlog_fold(b, why, whylen)) != 0)
		return ret;
	b->again = 0;
	return process_one(b, e, blob, len, why, whylen);
}

/* Finishes a batch: commit, move staged state in, checkpoint erasures. */
int
group_batch_commit(struct batch *b)
{
	struct store *st = b->g->d->store;
	int ret;

	if ((ret = group_rlog_fold(b, NULL, 0)) != 0)
		return ret;
	if (b->new_keys && (ret = group_notes_erase_revealed(b)) != 0)
		return ret;
	if ((ret = batch_prepare(b)) != 0 || (ret = store_commit(st)) != 0)
		return ret;
	batch_apply(b);
	/* Erased ciphertext must not linger in the WAL either. */
	if (b->erased > 0)
		(void)store_checkpoint(st);
	/* Rotation or erasure, if due, on a later turn of the loop. */
	if (b->roster_changed)
		group_roster_folded(b->g);
	return 0;
}
