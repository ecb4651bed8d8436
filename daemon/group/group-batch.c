/*
 * group-batch.c — checking and storing entries (group-int.h).
 *
 * Every entry reaches the store through group_batch_process, for entries
 * received from peers and this member's own alike, inside one store
 * transaction per batch.  What a batch changes in memory (a refolded
 * roster, a new contract version, newly opened epoch keys) is staged in
 * struct batch and moved into the group only after the commit, so a
 * rejected batch leaves both the store and the group as they were.
 *
 * Epoch keys at rest are sealed with keyring_seal, purpose "epoch-key",
 * ad = group id || epoch id (8 bytes, big-endian).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "keyring.h"
#include "mp.h"
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
group_batch_load(struct batch *b)
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

void
group_batch_init(struct batch *b, struct group *g, int local)
{
	memset(b, 0, sizeof(*b));
	b->g = g;
	b->local = local;
	b->lamport = g->lamport;
}

static const struct roster *
batch_roster(const struct batch *b)
{
	return b->roster != NULL ? b->roster : b->g->roster;
}

void
group_batch_free(struct batch *b)
{
	rlog_free(&b->rl);
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
	const struct roster *r = batch_roster(b);
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
 * Decodes an announce body [1, [address str...]] into addrs.  Another
 * version is BAL_EVERSION (kept in the log, ignored here).
 */
static int
announce_decode(const uint8_t *body, size_t len,
    char addrs[GROUP_ANNOUNCE_MAX][WIRE_MAX_ADDR + 1], size_t *n)
{
	struct mp_doc doc;
	struct mp_rd rd, sub;
	const char *s;
	size_t slen;
	uint64_t v;
	int ret;

	*n = 0;
	memset(&doc, 0, sizeof(doc));
	if ((ret = mp_doc_parse(&doc, body, len)) != 0)
		goto out;
	if ((ret = mp_rd_array(&rd, mp_doc_root(&doc), 1, 16)) != 0 ||
	    (ret = mp_rd_uint(&rd, UINT32_MAX, &v)) != 0)
		goto out;
	if (v != GROUP_ANNOUNCE_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if ((ret = mp_rd_sub(&rd, 1, GROUP_ANNOUNCE_MAX, &sub)) != 0)
		goto out;
	while (mp_rd_left(&sub) > 0) {
		if ((ret = mp_rd_str(&sub, 1, WIRE_MAX_ADDR, &s, &slen)) != 0)
			goto out;
		if (!group_batch_addr_ok(s, slen)) {
			ret = BAL_EPROTO;
			goto out;
		}
		memcpy(addrs[*n], s, slen);
		addrs[*n][slen] = '\0';
		(*n)++;
	}
	if ((ret = mp_rd_end(&sub)) != 0 || (ret = mp_rd_end(&rd)) != 0)
		goto out;
	ret = 0;
out:
	mp_doc_free(&doc);
	if (ret != 0)
		*n = 0;
	return ret;
}

/*
 * Kind 1: the epoch is known; what this member can read must be sound.
 * A failure that needs the epoch key to see sets *unreadable (members
 * without the key store such an entry; group_unreadable_skip).
 */
static int
check_note(struct batch *b, const struct entry *e, struct note **note,
    int *unreadable, char *why, size_t whylen)
{
	struct group *g = b->g;
	const uint8_t *key;
	uint8_t *plain;
	size_t plen = 0;
	struct nrec r;
	int ret;

	*note = NULL;
	*unreadable = 0;
	if (roster_epoch_find(batch_roster(b), e->h.epoch) == NULL) {
		b->again = 1;	/* its roster entry may come later */
		return reject(why, whylen, BAL_ENOENT, "unknown epoch %llu",
		    (unsigned long long)e->h.epoch);
	}
	if (entry_is_erased(e) ||
	    (key = group_batch_key(g, b, e->h.epoch)) == NULL)
		return 0;
	*unreadable = 1;
	if ((plain = group_batch_plain(g, entry_plain_len(e))) == NULL)
		return BAL_ENOMEM;
	if (entry_open_buf(e, key, plain, g->plain_cap, &plen) != 0)
		return reject(why, whylen, BAL_ECRYPTO,
		    "the note does not decrypt under its epoch key");
	ret = note_decode(plain, plen, note);
	sodium_memzero(plain, plen);
	if (ret != 0)
		return reject(why, whylen, BAL_EPROTO,
		    "the ciphertext holds no valid note");
	if (!(*note)->has_supersedes) {
		/* A first version: of a note id bound to its author. */
		if (note_id_is_authors((*note)->id, e->h.author))
			return 0;
		ret = reject(why, whylen, BAL_EPERM, "the first version of a "
		    "note id that is not the author's");
		goto out;
	}
	/* Only the author of a note supersedes it: look in their own log. */
	ret = group_notes_find(g, b, e->h.author, (*note)->supersedes, &r);
	if (ret == BAL_ENOENT)
		ret = reject(why, whylen, BAL_EPERM, "supersedes an entry that "
		    "is not one of the author's notes");
	else if (ret == 0 && r.note != NULL && memcmp(r.note->id,
	    (*note)->id, NOTE_ID_BYTES) != 0)
		ret = reject(why, whylen, BAL_EPERM,
		    "supersedes a version of another note");
	else if (ret != 0)
		*unreadable = 0;	/* the store failed, not the entry */
	note_free(r.note);
	sodium_memzero(&r, sizeof(r));
out:
	if (ret != 0) {
		note_free(*note);
		*note = NULL;
	}
	return ret;
}

/* Kind 2: a well-formed operation; CREATE only of this group, once. */
static int
check_roster(struct batch *b, const struct entry *e, struct roster_op **op,
    struct contract **created, char *why, size_t whylen)
{
	struct group *g = b->g;
	uint8_t h[BAL_HASH_BYTES];
	int ret;

	*op = NULL;
	*created = NULL;
	if (entry_is_erased(e))
		return reject(why, whylen, BAL_EPROTO,
		    "a roster entry without its body");
	if (roster_op_decode(e->body, e->bodylen, op) != 0)
		return reject(why, whylen, BAL_EPROTO,
		    "malformed roster operation");
	if ((*op)->type == ROSTER_OP_CREATE) {
		if (batch_roster(b) != NULL)
			return reject(why, whylen, BAL_EPERM,
			    "CREATE of a group that exists");
		roster_contract_hash((*op)->contract, (*op)->contract_len, h);
		if (sodium_memcmp(h, g->id, BAL_HASH_BYTES) != 0)
			return reject(why, whylen, BAL_EPERM,
			    "CREATE with another group's contract");
		if (contract_decode((*op)->contract, (*op)->contract_len,
		    created) != 0)
			return reject(why, whylen, BAL_EPROTO,
			    "CREATE with a malformed contract");
		/* The founder wrote the first version: leaders[0]. */
		if (memcmp((*created)->leaders[0], e->h.author,
		    BAL_PK_BYTES) != 0)
			return reject(why, whylen, BAL_EPERM,
			    "CREATE by someone other than the founder");
		return 0;
	}
	if (batch_roster(b) == NULL) {
		b->again = 1;
		return reject(why, whylen, BAL_EPERM,
		    "roster operation before the group's CREATE");
	}
	if ((*op)->type == ROSTER_OP_ADD && (ret = contract_accept_verify(
	    (*op)->member, g->id, (*op)->name, (*op)->accept_sig)) != 0)
		return reject(why, whylen, BAL_EPERM,
		    "ADD without the newcomer's valid acceptance");
	return 0;
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

/*
 * Deletes every stored entry that the roster r makes void: a removed
 * member's entries beyond their cut that were stored before the removal
 * was known.  Every member ends up holding the same entries, so sync
 * converges (docs/protocol.md, "The cut").
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

/* After a roster entry is stored: refold, new contract, new keys. */
static int
roster_stored(struct batch *b, const struct entry *e, const uint8_t *blob,
    size_t len, char *why, size_t whylen)
{
	struct group *g = b->g;
	struct roster *r = NULL;
	struct contract *c = NULL;
	struct entry *copy = NULL;
	size_t i;
	int ret;

	if (!b->rl_loaded) {
		if ((ret = rlog_load(g, &b->rl)) != 0)
			return ret;
		b->rl_loaded = 1;
	} else {
		/* The bytes of e, verified when e was decoded: not again. */
		if ((ret = entry_decode_stored(blob, len, &copy)) != 0)
			return ret;
		if ((ret = rlog_add(&b->rl, copy)) != 0)
			return ret;
	}
	if ((ret = rlog_fold(&b->rl, &r)) != 0)
		return reject(why, whylen, ret, "the roster does not fold: %s",
		    bal_strerror(ret));
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
	for (i = 0; b->local && i < r->nrejected; i++)
		if (memcmp(r->rejected[i].entry_id, e->id, BAL_HASH_BYTES) == 0)
			return reject(why, whylen, BAL_EPERM, "roster: %s",
			    roster_reason_name(r->rejected[i].reason));
	return drop_beyond_cut(b, r);
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
 * Checks one decoded entry against the group and stores it: 0 stored, 1
 * already held, or a negative code with the reason in why.
 */
int
group_batch_process(struct batch *b, const struct entry *e, const uint8_t *blob,
    size_t len, char *why, size_t whylen)
{
	struct group *g = b->g;
	struct store *st = g->d->store;
	const struct roster *r = batch_roster(b);
	struct store_entry_row row;
	struct entry head;
	struct rowcopy rc;
	struct roster_op *op = NULL;
	struct contract *created = NULL;
	struct note *note = NULL;
	char addrs[GROUP_ANNOUNCE_MAX][WIRE_MAX_ADDR + 1];
	size_t naddrs = 0;
	int has, ret, unreadable = 0;

	if (memcmp(e->h.group, g->id, BAL_GROUP_ID_BYTES) != 0)
		return reject(why, whylen, BAL_EPROTO,
		    "entry of another group");
	/* Already held, a fork, or the next entry of the author's log? */
	if ((ret = batch_head(b, e->h.author, &head, &has)) != 0)
		return ret;
	if (has && e->h.seq <= head.h.seq) {
		if ((ret = group_batch_entry_at(g, e->h.author, e->h.seq,
		    &rc)) != 0)
			return ret;
		if (rc.found && memcmp(rc.id, e->id, BAL_HASH_BYTES) == 0)
			return 1;
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
	if (entry_follows(has ? &head : NULL, e) != 0) {
		if (has && e->h.seq == head.h.seq + 1 &&
		    memcmp(e->h.prev, head.id, BAL_HASH_BYTES) != 0)
			return group_fork_skip(b, e);	/* branched earlier */
		/* Further along the other branch of a forked log. */
		if (e->h.seq > head.h.seq + 1 && group_fork_seen(g,
		    e->h.author))
			return 1;
		b->again = e->h.seq > head.h.seq + 1;
		if (e->h.seq == head.h.seq + 1 && e->h.lamport >
		    head.h.lamport + ENTRY_MAX_LAMPORT_STEP)
			return reject(why, whylen, BAL_ECHAIN, "lamport %llu "
			    "is more than 2^32 past the author's previous "
			    "entry (%llu)", (unsigned long long)e->h.lamport,
			    (unsigned long long)head.h.lamport);
		return reject(why, whylen, BAL_ECHAIN, b->again ? "gap in the "
		    "author's log (held up to seq %llu)" : "does not follow "
		    "the author's log (held up to seq %llu)",
		    (unsigned long long)head.h.seq);
	}
	/* Not yet allowed may change as the batch's roster entries fold. */
	if (r == NULL) {
		if (e->h.kind != ENTRY_KIND_ROSTER) {
			b->again = 1;
			return reject(why, whylen, BAL_EPERM,
			    "entry before the group's CREATE");
		}
	} else if (roster_entry_allowed(r, e->h.author, e->h.seq) != 0) {
		b->again = 1;
		return reject(why, whylen, BAL_EPERM,
		    "the author may not write here (not a member, or beyond "
		    "their cut)");
	}
	switch (e->h.kind) {
	case ENTRY_KIND_NOTE:
		if (r == NULL)
			return BAL_EPERM;	/* not reached */
		ret = check_note(b, e, &note, &unreadable, why, whylen);
		/* Not this member's own: skipped, the batch goes on. */
		if (ret != 0 && ret != BAL_ENOMEM && unreadable && !b->local)
			ret = group_unreadable_skip(b, e, why);
		if (ret == 1)
			goto out;
		break;
	case ENTRY_KIND_ROSTER:
		ret = check_roster(b, e, &op, &created, why, whylen);
		break;
	case ENTRY_KIND_ANNOUNCE:
		ret = 0;
		if (!entry_is_erased(e) && (ret = announce_decode(e->body,
		    e->bodylen, addrs, &naddrs)) == BAL_EVERSION)
			ret = 0;	/* a newer announce: kept, not used */
		else if (ret != 0)
			ret = reject(why, whylen, BAL_EPROTO,
			    "malformed announce");
		break;
	default:
		ret = reject(why, whylen, BAL_EPROTO, "unknown entry kind");
		break;
	}
	if (ret != 0)
		goto out;
	memset(&row, 0, sizeof(row));
	memcpy(row.group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(row.author, e->h.author, BAL_PK_BYTES);
	row.seq = e->h.seq;
	memcpy(row.id, e->id, BAL_HASH_BYTES);
	row.kind = e->h.kind;
	row.epoch = e->h.epoch;
	row.lamport = e->h.lamport;
	row.time = e->h.time;
	row.erased = entry_is_erased(e);
	row.blob = blob;
	row.bloblen = len;
	if ((ret = store_entry_put(st, &row)) != 0) {
		ret = reject(why, whylen, ret == BAL_EEXIST || ret ==
		    BAL_ECHAIN ? BAL_ECHAIN : ret, "store: %s",
		    store_errmsg(st));
		goto out;
	}
	batch_head_stored(b, e);
	if (e->h.lamport > b->lamport)
		b->lamport = e->h.lamport;
	switch (e->h.kind) {
	case ENTRY_KIND_NOTE:
		if (note != NULL && note->tombstone)
			ret = group_notes_erase(b, e->h.author);
		/* Past the contract's retention: kept erased (retention.h). */
		if (ret == 0 && !row.erased && retention_expired(b->contract !=
		    NULL ? b->contract : g->contract, e->h.time,
		    daemon_now_ms()))
			ret = group_notes_erase_entry(b, e->h.author, e->h.seq);
		break;
	case ENTRY_KIND_ROSTER:
		ret = roster_stored(b, e, blob, len, why, whylen);
		break;
	case ENTRY_KIND_ANNOUNCE:
		/* Peers to dial (group_announced); never our own. */
		if (naddrs > 0 && memcmp(e->h.author, g->d->id->pk,
		    BAL_PK_BYTES) != 0)
			ret = group_announced(g, e->h.author, e->h.seq, addrs,
			    naddrs);
		break;
	}
out:
	note_free(note);
	roster_op_free(op);
	contract_free(created);
	sodium_memzero(addrs, sizeof(addrs));
	return ret;
}

/* Finishes a batch: commit, move staged state in, checkpoint erasures. */
int
group_batch_commit(struct batch *b)
{
	struct store *st = b->g->d->store;
	int ret;

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
