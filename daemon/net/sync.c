/*
 * sync.c — the sync engine of one peer session (see sync.h and
 * docs/protocol.md).  No I/O: the store is read and written through
 * group.h, messages leave through the send callback.
 *
 * The engine keeps the peer's vector: for every author, the highest seq
 * the peer is known to hold (from its HAVE, from what it sent us, and from
 * what we sent it).  Whenever it may send, it sends the next batch of what
 * the peer lacks, in causal order across authors, until the window is
 * full: as RUNS (entry-parts.h), or PUSH for a single entry.  Nothing is
 * queued: entries are read from the store when they are sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "entry-parts.h"
#include "entry.h"
#include "group.h"
#include "identity.h"
#include "mp.h"
#include "sync.h"

struct sync;

/* An author of the batch being filled, for the RUNS accounting. */
struct batch_author {
	uint8_t key[BAL_PK_BYTES];
	uint64_t last_seq;		/* its last entry taken */
};

/*
 * The batch being filled.  Batches of more than one entry go as RUNS,
 * unless an entry could not be taken apart (plain: then as ENTRIES, which
 * never happens with entries that were verified when they were stored).
 * Both sizes are kept: rbytes bounds the RUNS message, ebytes is the
 * ENTRIES one.
 */
struct batch {
	struct sync *s;			/* whose peer vector to raise */
	uint8_t **blobs;
	size_t *lens;
	struct entry_parts *parts;	/* of blobs[i], pointing into them */
	struct batch_author *authors;	/* WIRE_MAX_RUN_AUTHORS */
	size_t nauthors;
	size_t n;
	size_t max;
	size_t ebytes;			/* ENTRIES size so far */
	size_t rbytes;			/* RUNS size bound so far */
	int plain;			/* send as ENTRIES */
};

struct sync {
	struct group *g;
	const void *source;
	sync_send_fn send;
	void *ctx;
	struct wire_have_item *vec;	/* the peer's vector, sorted */
	size_t nvec;
	size_t capvec;
	uint64_t data_sent;
	uint64_t data_acked;
	uint64_t data_received;
	uint64_t entries_sent;
	uint64_t entries_received;
	uint64_t entries_stored;
	size_t window;
	size_t batch;
	int have_received;
	uint8_t peer[BAL_PK_BYTES];	/* the member at the other end */
	int has_peer;
	int blocked;
	int level;
	int pumping;
	int wants;			/* WANTs sent (SYNC_WANTS_MAX) */
};

/* WANTs one session sends: at its first level, then on each resend. */
#define SYNC_WANTS_MAX 4

static int send_want(struct sync *s);

int
sync_new(struct group *g, const void *source, sync_send_fn send, void *ctx,
    struct sync **out)
{
	struct sync *s;

	*out = NULL;
	if (g == NULL || send == NULL)
		return BAL_EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return BAL_ENOMEM;
	s->g = g;
	s->source = source;
	s->send = send;
	s->ctx = ctx;
	s->window = WIRE_WINDOW;
	s->batch = WIRE_MAX_ENTRIES;
	*out = s;
	return 0;
}

void
sync_free(struct sync *s)
{
	if (s == NULL)
		return;
	free(s->vec);
	free(s);
}

void
sync_set_limits(struct sync *s, size_t window, size_t batch)
{
	if (window > 0 && window <= WIRE_WINDOW)
		s->window = window;
	if (batch > 0 && batch <= WIRE_MAX_ENTRIES)
		s->batch = batch;
}

void
sync_set_blocked(struct sync *s, int blocked)
{
	s->blocked = blocked != 0;
}

int
sync_window_full(const struct sync *s)
{
	return s->data_sent - s->data_acked >= s->window;
}

void
sync_stats(const struct sync *s, struct sync_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->entries_sent = s->entries_sent;
	st->entries_received = s->entries_received;
	st->entries_stored = s->entries_stored;
	st->data_sent = s->data_sent;
	st->data_acked = s->data_acked;
	st->have_received = s->have_received;
	st->level = s->level;
}

/* Index of author in the peer's vector, or where it would go (*found 0). */
static size_t
vec_find(const struct sync *s, const uint8_t *author, int *found)
{
	size_t lo = 0, hi = s->nvec, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(s->vec[mid].author, author, BAL_PK_BYTES);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t
vec_get(const struct sync *s, const uint8_t *author)
{
	size_t i;
	int found;

	i = vec_find(s, author, &found);
	return found ? s->vec[i].seq : 0;
}

/* Raises the peer's seq of author to at least seq. */
static int
vec_raise(struct sync *s, const uint8_t *author, uint64_t seq)
{
	struct wire_have_item *nv;
	size_t i, cap;
	int found;

	i = vec_find(s, author, &found);
	if (found) {
		if (s->vec[i].seq < seq)
			s->vec[i].seq = seq;
		return 0;
	}
	if (s->nvec >= WIRE_MAX_HAVE)
		return BAL_ETOOBIG;
	if (s->nvec == s->capvec) {
		cap = s->capvec ? s->capvec * 2 : 16;
		if ((nv = realloc(s->vec, cap * sizeof(*nv))) == NULL)
			return BAL_ENOMEM;
		s->vec = nv;
		s->capvec = cap;
	}
	memmove(&s->vec[i + 1], &s->vec[i], (s->nvec - i) * sizeof(*s->vec));
	memcpy(s->vec[i].author, author, BAL_PK_BYTES);
	s->vec[i].seq = seq;
	s->nvec++;
	return 0;
}

static int
send_have(struct sync *s)
{
	struct wire_have_item *items = NULL;
	struct wire_msg m;
	size_t n = 0;
	int ret;

	if ((ret = group_have(s->g, &items, &n)) != 0)
		goto out;
	if (n > WIRE_MAX_HAVE)
		n = WIRE_MAX_HAVE;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HAVE;
	m.have.items = items;
	m.have.n = n;
	ret = s->send(s->ctx, &m);
out:
	free(items);
	return ret;
}

static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->blobs[i]);
	b->n = 0;
	b->nauthors = 0;
	b->plain = 0;
	b->ebytes = WIRE_ENTRIES_OVERHEAD;
	b->rbytes = WIRE_RUNS_OVERHEAD;
}

/*
 * What the entry parts[b->n] adds to the batch's RUNS message, or 0 when
 * it cannot join it (a new author beyond WIRE_MAX_RUN_AUTHORS, or seqs
 * of an author that do not follow on: never with the store's order).
 */
static size_t
runs_cost(struct batch *b, const struct entry_parts *p)
{
	const struct entry_parts *last = b->n > 0 ? &b->parts[b->n - 1] : NULL;
	struct wire_run_item it, prev;
	size_t a;

	entry_parts_item(p, &it);
	for (a = 0; a < b->nauthors; a++)
		if (memcmp(b->authors[a].key, p->h.author, BAL_PK_BYTES) == 0)
			break;
	if (a < b->nauthors && p->h.seq != b->authors[a].last_seq + 1)
		return 0;
	if (last != NULL && memcmp(last->h.author, p->h.author,
	    BAL_PK_BYTES) == 0) {
		/* The run goes on. */
		entry_parts_item(last, &prev);
		return wire_run_item_cost(&it, &prev);
	}
	if (a == b->nauthors && b->nauthors == WIRE_MAX_RUN_AUTHORS)
		return 0;
	return WIRE_RUNS_RUN_COST + wire_run_item_cost(&it, NULL) +
	    (a == b->nauthors ? WIRE_RUNS_AUTHOR_COST : 0);
}

/* Notes parts[b->n]'s author and seq for runs_cost. */
static void
runs_note(struct batch *b, const struct entry_parts *p)
{
	size_t a;

	for (a = 0; a < b->nauthors; a++)
		if (memcmp(b->authors[a].key, p->h.author, BAL_PK_BYTES) == 0)
			break;
	if (a == b->nauthors)
		memcpy(b->authors[b->nauthors++].key, p->h.author,
		    BAL_PK_BYTES);
	b->authors[a].last_seq = p->h.seq;
}

/*
 * group_entries_missing callback: takes entries while the batch fits and
 * raises the peer's vector past each one taken.
 */
static int
batch_take(void *ctx, const uint8_t *author, uint64_t seq,
    const uint8_t *blob, size_t len)
{
	struct batch *b = ctx;
	struct entry_parts *p = &b->parts[b->n];
	size_t ecost = wire_entry_cost(len), rcost = 0;
	uint8_t *copy;
	int rc, split;

	if (b->n >= b->max ||
	    (b->plain && b->ebytes + ecost > WIRE_MAX_MSG))
		return 1;
	if ((copy = malloc(len ? len : 1)) == NULL)
		return BAL_ENOMEM;
	memcpy(copy, blob, len);
	split = !b->plain && entry_parts_split(copy, len, p) == 0 &&
	    memcmp(p->h.author, author, BAL_PK_BYTES) == 0 && p->h.seq == seq;
	if (!b->plain) {
		if (split)
			rcost = runs_cost(b, p);
		if (rcost == 0 && b->n > 0) {
			free(copy);	/* it starts the next batch */
			return 1;
		}
		if (rcost == 0) {
			b->plain = 1;	/* it goes alone, or as ENTRIES */
		} else if (b->rbytes + rcost > WIRE_MAX_MSG) {
			free(copy);
			return 1;
		} else {
			runs_note(b, p);
			b->rbytes += rcost;
		}
	}
	b->blobs[b->n] = copy;
	b->lens[b->n] = len;
	b->n++;
	b->ebytes += ecost;
	if ((rc = vec_raise(b->s, author, seq)) != 0)
		return rc;
	return 0;
}

static int
send_batch(struct sync *s, struct batch *b)
{
	struct wire_bytes *items = NULL;
	struct entry_runs *runs = NULL;
	struct wire_msg m;
	size_t i;
	int ret;

	memset(&m, 0, sizeof(m));
	if (b->n == 1) {
		m.type = WIRE_PUSH;
		m.push.p = b->blobs[0];
		m.push.len = b->lens[0];
	} else if (!b->plain) {
		/* Compact: what the peer can rebuild does not travel. */
		if ((ret = entry_runs_make(s->g->id, b->parts, b->n,
		    &runs)) != 0)
			return ret;
		ret = s->send(s->ctx, &runs->msg);
		entry_runs_free(runs);
		return ret;
	} else {
		if ((items = calloc(b->n, sizeof(*items))) == NULL)
			return BAL_ENOMEM;
		for (i = 0; i < b->n; i++) {
			items[i].p = b->blobs[i];
			items[i].len = b->lens[i];
		}
		m.type = WIRE_ENTRIES;
		m.entries.items = items;
		m.entries.n = b->n;
	}
	ret = s->send(s->ctx, &m);
	free(items);
	return ret;
}

/*
 * Whether the peer's position in one author's log asks nothing more of
 * us: we hold as much; or the author was removed and we hold everything up
 * to their cut — entries beyond it are refused everywhere, and a peer that
 * stored some before it learned of the removal dropped them since, so its
 * old HAVE may still count them; or the author's log forked, and what the
 * peer holds beyond us may be the other branch, which we skip.
 */
static int
settled(const struct sync *s, const struct wire_have_item *peer,
    const struct wire_have_item *mine, size_t n)
{
	const struct roster_member *m;
	uint64_t ours = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(mine[i].author, peer->author, BAL_PK_BYTES) == 0)
			ours = mine[i].seq;
	if (peer->seq <= ours || group_fork_seen(s->g, peer->author))
		return 1;
	if (s->g->roster == NULL ||
	    (m = roster_member_find(s->g->roster, peer->author)) == NULL)
		return 0;
	return m->status != ROSTER_ACTIVE && ours >= m->cut;
}

/* 1 when the peer lacks an entry of mine[0..n) (by the peer's vector). */
static int
peer_lacks(const struct sync *s, const struct wire_have_item *mine, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mine[i].seq > vec_get(s, mine[i].author))
			return 1;
	return 0;
}

/*
 * Sends batches of what the peer lacks while the window is open, then
 * recomputes the level.  Batches follow the store's causal (lamport) order
 * across authors (group_entries_missing), so every batch verifies on
 * arrival: the group's CREATE before anything else, an ADD before the
 * newcomer's entries, an epoch's roster entry before the notes under it.
 */
static int
pump(struct sync *s)
{
	struct wire_have_item *mine = NULL;
	struct batch b;
	size_t n = 0, i;
	int ret, level;

	memset(&b, 0, sizeof(b));
	if (!s->have_received || s->pumping)
		return 0;
	s->pumping = 1;
	/*
	 * Our vector is read once: most calls (an ACK, a HAVE, an entry the
	 * peer already holds) find nothing to send, and then the store is
	 * not walked for missing entries at all.
	 */
	if ((ret = group_have(s->g, &mine, &n)) != 0)
		goto out;
	if (s->blocked || sync_window_full(s) || !peer_lacks(s, mine, n))
		goto level;
	b.s = s;
	b.max = s->batch;
	ret = BAL_ENOMEM;
	if ((b.blobs = calloc(b.max, sizeof(*b.blobs))) == NULL ||
	    (b.lens = calloc(b.max, sizeof(*b.lens))) == NULL ||
	    (b.parts = calloc(b.max, sizeof(*b.parts))) == NULL ||
	    (b.authors = calloc(WIRE_MAX_RUN_AUTHORS,
	    sizeof(*b.authors))) == NULL)
		goto out;
	while (!s->blocked && !sync_window_full(s)) {
		batch_clear(&b);
		/* batch_take raises s->vec; have is read before the first cb. */
		ret = group_entries_missing(s->g, s->vec, s->nvec, b.max,
		    batch_take, &b);
		if (ret < 0)
			goto out;
		if (b.n == 0)
			break;
		if ((ret = send_batch(s, &b)) != 0)
			goto out;
		s->data_sent++;
		s->entries_sent += b.n;
	}
level:
	/* Level: the peer holds exactly what we hold, and all is acked. */
	level = s->data_sent == s->data_acked;
	for (i = 0; level && i < n; i++)
		if (vec_get(s, mine[i].author) < mine[i].seq)
			level = 0;	/* the peer lacks entries we hold */
	for (i = 0; level && i < s->nvec; i++)
		if (!settled(s, &s->vec[i], mine, n))
			level = 0;	/* the peer holds entries we lack */
	s->level = level;
	ret = 0;
out:
	if (b.blobs != NULL)
		batch_clear(&b);
	free(b.blobs);
	free(b.lens);
	free(b.parts);
	free(b.authors);
	free(mine);
	s->pumping = 0;
	return ret;
}

int
sync_start(struct sync *s)
{
	return send_have(s);
}

int
sync_resend_have(struct sync *s)
{
	int ret;

	if ((ret = send_have(s)) != 0)
		return ret;
	return send_want(s);	/* bodies still missing: asked again */
}

int
sync_notify(struct sync *s)
{
	return pump(s);
}

/*
 * The author and seq of an encoded entry that group_receive has already
 * verified: only the header's first fields are read (through mp.h), so
 * the signature is not checked a second time.
 */
static int
entry_pos(const uint8_t *blob, size_t len, uint8_t author[BAL_PK_BYTES],
    uint64_t *seq)
{
	struct mp_doc outer, hdr;
	struct mp_rd rd, h;
	const uint8_t *hp;
	size_t hlen;
	uint64_t v;
	int ret;

	memset(&outer, 0, sizeof(outer));
	memset(&hdr, 0, sizeof(hdr));
	if ((ret = mp_doc_parse(&outer, blob, len)) != 0 ||
	    (ret = mp_rd_array(&rd, mp_doc_root(&outer), 4, 4)) != 0 ||
	    (ret = mp_rd_bin(&rd, 1, ENTRY_MAX_HEADER, &hp, &hlen)) != 0 ||
	    (ret = mp_doc_parse(&hdr, hp, hlen)) != 0 ||
	    (ret = mp_rd_array(&h, mp_doc_root(&hdr), 9, 9)) != 0 ||
	    (ret = mp_rd_uint(&h, UINT64_MAX, &v)) != 0 ||
	    (ret = mp_rd_uint(&h, UINT64_MAX, &v)) != 0 ||
	    (ret = mp_rd_bin(&h, BAL_GROUP_ID_BYTES, BAL_GROUP_ID_BYTES, &hp,
	    &hlen)) != 0 ||
	    (ret = mp_rd_bin_fixed(&h, author, BAL_PK_BYTES)) != 0 ||
	    (ret = mp_rd_uint(&h, ENTRY_MAX_COUNTER, seq)) != 0)
		ret = BAL_EPROTO;
	mp_doc_free(&hdr);
	mp_doc_free(&outer);
	return ret;
}

/* Where one received entry goes in its author's log. */
struct rxpos {
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;
	int parsed;		/* author and seq were read */
	int held;		/* we hold these very bytes already */
};

struct same {
	const uint8_t *blob;
	size_t len;
	int equal;
};

static int
same_cb(void *ctx, const uint8_t *blob, size_t len)
{
	struct same *sm = ctx;

	sm->equal = len == sm->len && memcmp(blob, sm->blob, len) == 0;
	return 1;
}

/* Our highest seq of author in mine[0..n) (sorted by author), or 0. */
static uint64_t
have_seq(const struct wire_have_item *mine, size_t n, const uint8_t *author)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(mine[mid].author, author, BAL_PK_BYTES);
		if (c == 0)
			return mine[mid].seq;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Marks the entries of a message that we already hold byte for byte:
 * they were verified when they were stored, so they need not be verified
 * again (in a mesh every live entry also arrives from the relays).  An
 * entry that differs from the one we hold at its place (an erased copy,
 * a fork) still goes through group_receive, which judges it.  Positions
 * not known yet (pos[i].parsed 0) are read from the entries.
 */
static int
mark_held(struct sync *s, const struct wire_bytes *items, size_t n,
    struct rxpos *pos)
{
	struct wire_have_item *mine = NULL;
	struct same sm;
	size_t nmine = 0, i;
	int ret;

	if ((ret = group_have(s->g, &mine, &nmine)) != 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (!pos[i].parsed) {
			if (entry_pos(items[i].p, items[i].len, pos[i].author,
			    &pos[i].seq) != 0)
				continue;	/* group_receive rejects it */
			pos[i].parsed = 1;
		}
		if (pos[i].seq > have_seq(mine, nmine, pos[i].author))
			continue;
		sm.blob = items[i].p;
		sm.len = items[i].len;
		sm.equal = 0;
		if ((ret = group_entries_after(s->g, pos[i].author,
		    pos[i].seq - 1, 1, same_cb, &sm)) != 0)
			break;
		pos[i].held = sm.equal;
	}
	free(mine);
	return ret;
}

/*
 * Stores one data message's entries items[0..n) and raises the peer's
 * vector past each; pos[] (zeroed, or positions already known) is the
 * caller's.
 */
static int
receive(struct sync *s, const struct wire_bytes *items, struct rxpos *pos,
    size_t n, char *why, size_t whylen)
{
	const uint8_t **blobs = NULL;
	size_t *lens = NULL, i, k = 0, stored = 0;
	struct wire_msg ack;
	int ret = BAL_ENOMEM;

	if (n > 0) {
		if ((blobs = calloc(n, sizeof(*blobs))) == NULL ||
		    (lens = calloc(n, sizeof(*lens))) == NULL)
			goto out;
		if ((ret = mark_held(s, items, n, pos)) != 0)
			goto out;
		for (i = 0; i < n; i++) {
			if (pos[i].held)
				continue;
			blobs[k] = items[i].p;
			lens[k] = items[i].len;
			k++;
		}
		if (k > 0 && (ret = group_receive(s->g, blobs, lens, k,
		    s->source, &stored, why, whylen)) != 0)
			goto out;
		/* Every entry verified: the peer holds each of them. */
		for (i = 0; i < n; i++) {
			if (!pos[i].parsed) {
				ret = BAL_EPROTO;	/* not reached */
				goto out;
			}
			if ((ret = vec_raise(s, pos[i].author,
			    pos[i].seq)) != 0)
				goto out;
		}
	}
	s->data_received++;
	s->entries_received += n;
	s->entries_stored += stored;
	memset(&ack, 0, sizeof(ack));
	ack.type = WIRE_ACK;
	ack.ack.stored = s->data_received;
	ret = s->send(s->ctx, &ack);
out:
	free(blobs);
	free(lens);
	return ret;
}

/* ENTRIES and PUSH: the positions are read from the entries. */
static int
receive_entries(struct sync *s, const struct wire_bytes *items, size_t n,
    char *why, size_t whylen)
{
	struct rxpos *pos = NULL;
	int ret;

	if (n > 0 && (pos = calloc(n, sizeof(*pos))) == NULL)
		return BAL_ENOMEM;
	ret = receive(s, items, pos, n, why, whylen);
	free(pos);
	return ret;
}

/*
 * RUNS: the entries are rebuilt (entry-parts.h) and then handled exactly
 * as those of an ENTRIES message: a gap, a removed member's entries beyond
 * their cut, another branch of a forked log are judged by group_receive.
 */
static int
receive_runs(struct sync *s, const struct wire_msg *m, char *why,
    size_t whylen)
{
	struct entry_rebuilt *rb = NULL;
	struct wire_bytes *items = NULL;
	struct rxpos *pos = NULL;
	size_t i;
	int ret;

	if ((ret = entry_runs_rebuild(s->g->id, m, &rb)) != 0) {
		snprintf(why, whylen, N_("RUNS: cannot rebuild the entries (%s)"),
		    bal_strerror(ret));
		goto out;
	}
	ret = BAL_ENOMEM;
	if ((items = calloc(rb->n, sizeof(*items))) == NULL ||
	    (pos = calloc(rb->n, sizeof(*pos))) == NULL)
		goto out;
	for (i = 0; i < rb->n; i++) {
		items[i].p = rb->blobs[i];
		items[i].len = rb->lens[i];
		memcpy(pos[i].author, rb->authors[i], BAL_PK_BYTES);
		pos[i].seq = rb->seqs[i];
		pos[i].parsed = 1;
	}
	ret = receive(s, items, pos, rb->n, why, whylen);
out:
	entry_rebuilt_free(rb);
	free(items);
	free(pos);
	return ret;
}

void
sync_set_peer(struct sync *s, const uint8_t pk[BAL_PK_BYTES])
{
	memcpy(s->peer, pk, BAL_PK_BYTES);
	s->has_peer = 1;
}

/* group_entries_after's callback: a copy of the one entry asked for. */
static int
probe_cb(void *ctx, const uint8_t *blob, size_t len)
{
	struct wire_bytes *b = ctx;
	uint8_t *p;

	if ((p = malloc(len ? len : 1)) == NULL)
		return BAL_ENOMEM;
	memcpy(p, blob, len);
	b->p = p;
	b->len = len;
	return 1;
}

/*
 * Forks that meet unseen (docs/protocol.md, "Forked logs"): where the peer
 * claims as much of a log as we hold or more, nothing of it would be sent,
 * and two branches of the same length, or ours shorter, would never meet.
 * For the two logs whose forks matter most here, the peer's own (its
 * profile restored from an older copy, and it wrote since) and ours, we
 * send our entry at our head once, after the peer's first HAVE: the peer
 * holds an entry there, skips ours cheaply if it is the same, and else
 * sees the fork, with our author's signature as evidence.
 */
static int
probe_forks(struct sync *s)
{
	struct wire_have_item *mine = NULL;
	const uint8_t *who[2];
	struct wire_bytes b;
	struct wire_msg m;
	size_t n = 0, i, k;
	int ret;

	if (!s->has_peer || s->blocked)
		return 0;
	if ((ret = group_have(s->g, &mine, &n)) != 0)
		return ret;
	who[0] = s->peer;
	who[1] = s->g->d->id->pk;
	for (k = 0; k < 2 && ret == 0; k++) {
		for (i = 0; i < n; i++)
			if (memcmp(mine[i].author, who[k], BAL_PK_BYTES) == 0)
				break;
		if (i == n || mine[i].seq == 0 ||
		    vec_get(s, who[k]) < mine[i].seq)
			continue;	/* nothing, or it goes in the sync */
		memset(&b, 0, sizeof(b));
		if ((ret = group_entries_after(s->g, who[k], mine[i].seq - 1,
		    1, probe_cb, &b)) != 0 || b.p == NULL) {
			free((void *)b.p);
			break;
		}
		memset(&m, 0, sizeof(m));
		m.type = WIRE_PUSH;
		m.push = b;
		if ((ret = s->send(s->ctx, &m)) == 0)
			s->data_sent++;
		free((void *)b.p);
	}
	free(mine);
	return ret;
}

/*
 * Asks the peer for bodies of entries held here without them (WANT,
 * docs/protocol.md): up to WIRE_MAX_WANT, at most SYNC_WANTS_MAX times a
 * session, once the session is level (what it receives first may bring
 * them anyway).
 */
static int
send_want(struct sync *s)
{
	struct wire_have_item items[WIRE_MAX_WANT];
	struct wire_msg m;
	size_t n = 0;
	int ret;

	if (s->blocked || !s->level || s->wants >= SYNC_WANTS_MAX)
		return 0;
	if ((ret = group_missing_bodies(s->g, items, WIRE_MAX_WANT, &n)) != 0 ||
	    n == 0)
		return ret;
	s->wants++;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_WANT;
	m.want.items = items;
	m.want.n = n;
	return s->send(s->ctx, &m);
}

/*
 * A WANT: each entry asked for that is held here with its body goes back
 * as a PUSH, while the window has room (the rest is asked again later).
 */
static int
answer_want(struct sync *s, const struct wire_msg *m)
{
	struct wire_bytes b;
	struct wire_msg out;
	struct entry *e;
	size_t i;
	int ret = 0, body;

	for (i = 0; i < m->want.n && ret == 0 && !s->blocked &&
	    !sync_window_full(s); i++) {
		memset(&b, 0, sizeof(b));
		if ((ret = group_entries_after(s->g, m->want.items[i].author,
		    m->want.items[i].seq - 1, 1, probe_cb, &b)) < 0)
			break;
		ret = 0;
		e = NULL;
		body = b.p != NULL && entry_decode_stored(b.p, b.len,
		    &e) == 0 && e->h.seq == m->want.items[i].seq &&
		    !entry_is_erased(e);
		entry_free(e);
		if (body) {
			memset(&out, 0, sizeof(out));
			out.type = WIRE_PUSH;
			out.push = b;
			if ((ret = s->send(s->ctx, &out)) == 0)
				s->data_sent++;
		}
		free((void *)b.p);
	}
	return ret;
}

int
sync_on_msg(struct sync *s, const struct wire_msg *m, char *why,
    size_t whylen)
{
	size_t i;
	int ret;

	if (whylen > 0)
		why[0] = '\0';
	switch (m->type) {
	case WIRE_HAVE:
		for (i = 0; i < m->have.n; i++)
			if ((ret = vec_raise(s, m->have.items[i].author,
			    m->have.items[i].seq)) != 0) {
				snprintf(why, whylen, N_("HAVE: too many authors"));
				return BAL_EPROTO;
			}
		/* Kept for a bundle written for this member later. */
		group_bundle_have_seen(s->g, s->peer, m->have.items, m->have.n);
		if (!s->have_received) {
			s->have_received = 1;
			if ((ret = probe_forks(s)) != 0)
				return ret;
		}
		break;
	case WIRE_ENTRIES:
		if ((ret = receive_entries(s, m->entries.items, m->entries.n,
		    why, whylen)) != 0)
			return ret;
		break;
	case WIRE_RUNS:
		if ((ret = receive_runs(s, m, why, whylen)) != 0)
			return ret;
		break;
	case WIRE_PUSH:
		if ((ret = receive_entries(s, &m->push, 1, why, whylen)) != 0)
			return ret;
		break;
	case WIRE_WANT:
		if ((ret = answer_want(s, m)) != 0)
			return ret;
		break;
	case WIRE_ACK:
		if (m->ack.stored > s->data_sent ||
		    m->ack.stored < s->data_acked) {
			snprintf(why, whylen, N_("ACK %llu out of range "
			    "(%llu acked, %llu sent)"),
			    (unsigned long long)m->ack.stored,
			    (unsigned long long)s->data_acked,
			    (unsigned long long)s->data_sent);
			return BAL_EPROTO;
		}
		s->data_acked = m->ack.stored;
		break;
	default:
		snprintf(why, whylen, N_("unexpected %s"),
		    wire_type_name(m->type));
		return BAL_EPROTO;
	}
	if ((ret = pump(s)) != 0)
		return ret;
	/* The first level of the session: ask for missing bodies. */
	return s->wants == 0 ? send_want(s) : 0;
}
