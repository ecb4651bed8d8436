/*
 * group-receive.c — a batch of entries received from a peer (group.h,
 * group_receive): decoded, put in causal order, checked and stored in one
 * transaction (group-batch.c), then announced (GROUP_EVENT_ENTRY,
 * GROUP_EVENT_ROSTER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "identity.h"
#include "store.h"

#define WHO_BYTES 13		/* member id prefix in logs, NUL included */

/* The start of a member id, enough to tell members apart in a log line. */
static void
who(const uint8_t pk[BAL_PK_BYTES], char out[WHO_BYTES])
{
	char id[IDENTITY_ID_TEXT_BYTES];

	identity_id_encode(pk, id);
	memcpy(out, id, WHO_BYTES - 1);
	out[WHO_BYTES - 1] = '\0';
}

/* One entry of a received batch, decoded. */
struct rx {
	struct entry *e;
	size_t i;		/* its place in the batch */
	int state;		/* RX_PENDING, RX_STORED, RX_HELD */
};

enum { RX_PENDING, RX_STORED, RX_HELD };

/* Orders a batch by lamport (causal order), then as it came. */
static int
rx_cmp(const void *a, const void *b)
{
	const struct rx *x = a, *y = b;

	if (x->e->h.lamport != y->e->h.lamport)
		return x->e->h.lamport < y->e->h.lamport ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Stores what it can of the batch, in passes: an entry that may pass once
 * others are stored (b->again) waits for the next pass; a pass that stores
 * nothing new ends it.  A reject that cannot change fails the batch.
 */
static int
rx_passes(struct batch *b, struct rx *rx, size_t n,
    const uint8_t *const *blobs, const size_t *lens, char *reason,
    size_t reasonlen)
{
	char detail[256], w[WHO_BYTES];
	size_t k, waiting;
	int rc, progress, first = 0;

	do {
		progress = 0;
		waiting = 0;
		for (k = 0; k < n; k++) {
			if (rx[k].state != RX_PENDING)
				continue;
			detail[0] = '\0';
			b->again = 0;
			rc = group_batch_process(b, rx[k].e, blobs[rx[k].i],
			    lens[rx[k].i], detail, sizeof(detail));
			if (rc >= 0) {
				rx[k].state = rc == 0 ? RX_STORED : RX_HELD;
				progress = 1;
				continue;
			}
			if (!b->again || waiting++ == 0) {
				first = rc;
				who(rx[k].e->h.author, w);
				snprintf(reason, reasonlen, N_("entry %zu of %zu "
				    "(author %s seq %llu): %s"), rx[k].i + 1, n,
				    w, (unsigned long long)rx[k].e->h.seq,
				    detail[0] != '\0' ? detail :
				    bal_strerror(rc));
			}
			if (!b->again)
				return rc;
		}
	} while (progress && waiting > 0);
	/* What still waits cannot pass: report the first of them. */
	return waiting > 0 ? first : 0;
}

int
group_receive(struct group *g, const uint8_t *const *blobs,
    const size_t *lens, size_t n, const void *source, size_t *stored,
    char *why, size_t whylen)
{
	struct daemon *d;
	struct batch b;
	struct rx *rx = NULL;
	char reason[400], hex[2 * BAL_GROUP_ID_BYTES + 1];
	size_t i, k, nstored = 0;
	int ret, began = 0, roster;

	if (stored != NULL)
		*stored = 0;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (g == NULL || (n > 0 && (blobs == NULL || lens == NULL)))
		return BAL_EINVAL;
	if (n == 0)
		return 0;
	d = g->d;
	group_batch_init(&b, g, 0);
	reason[0] = '\0';
	if ((rx = calloc(n, sizeof(*rx))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rx[i].i = i;
		if ((ret = entry_decode(blobs[i], lens[i], &rx[i].e)) != 0) {
			snprintf(reason, sizeof(reason), N_("entry %zu of %zu: "
			    "invalid entry (%s)"), i + 1, n, bal_strerror(ret));
			goto out;
		}
	}
	qsort(rx, n, sizeof(*rx), rx_cmp);
	/*
	 * Received entries are committed without an fsync: their authors
	 * hold them, and should a power cut take the last of them, the next
	 * sync brings them again.  A batch with a roster entry may make this
	 * member a member (a join the CLI reports), or change who is one:
	 * that one is durable at once (docs/protocol.md, "Durability").
	 */
	for (i = 0, roster = 0; i < n; i++)
		if (rx[i].e->h.kind == ENTRY_KIND_ROSTER)
			roster = 1;
	if ((ret = roster ? store_begin(d->store) :
	    store_begin_received(d->store)) != 0)
		goto out;
	began = 1;
	if ((ret = rx_passes(&b, rx, n, blobs, lens, reason,
	    sizeof(reason))) != 0)
		goto out;
	if ((ret = group_batch_commit(&b)) != 0) {
		snprintf(reason, sizeof(reason), N_("store: %s"),
		    store_errmsg(d->store));
		goto out;
	}
	began = 0;
	for (k = 0; k < n; k++)
		if (rx[k].state == RX_STORED)
			nstored++;
	if (stored != NULL)
		*stored = nstored;
	/* Pushed on in lamport order: causal order. */
	for (k = 0; k < n; k++)
		if (rx[k].state == RX_STORED)
			group_emit_entry(g, blobs[rx[k].i], lens[rx[k].i],
			    source);
	if (b.roster_changed)
		group_emit_roster(g);
out:
	if (began)
		store_rollback(d->store);
	if (ret != 0) {
		gid_hex(g->id, hex);
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "%s",
			    bal_strerror(ret));
		daemon_log("group %.8s: rejected a batch of %zu entries: %s",
		    hex, n, reason);
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "%s", reason);
	}
	for (i = 0; rx != NULL && i < n; i++)
		entry_free(rx[i].e);
	free(rx);
	group_batch_free(&b);
	return ret;
}
