/*
 * retention.c — erasing notes past the contract's retention period
 * (retention.h): one pass over the groups at start-up and on a libuv
 * timer.  Erasure itself is group-notes.c's (group_notes_erase_entry),
 * in one transaction per group, followed by a WAL checkpoint.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <uv.h>

#include "daemon.h"
#include "group-int.h"
#include "retention.h"
#include "store.h"

struct retention {
	uv_timer_t timer;
	struct daemon *d;
};

uint64_t
retention_cutoff(const struct contract *c, uint64_t now_ms)
{
	uint64_t period;

	if (c == NULL || c->retention_days == 0)
		return 0;
	period = (uint64_t)c->retention_days * RETENTION_DAY_MS;
	return now_ms > period ? now_ms - period : 0;
}

int
retention_expired(const struct contract *c, uint64_t time_ms,
    uint64_t now_ms)
{
	uint64_t cutoff = retention_cutoff(c, now_ms);

	return cutoff > 0 && time_ms < cutoff;
}

/* The expired entries: where each is (its author's log and seq). */
struct xlist {
	uint64_t cutoff;
	struct spots l;
};

static int
expired_cb(void *ctx, const struct store_entry_row *row)
{
	struct xlist *x = ctx;

	/* A body missing past retention is erased too: no longer asked. */
	if (row->kind != ENTRY_KIND_NOTE || row->erased == STORE_ERASED ||
	    row->time >= x->cutoff)
		return 0;
	return group_spots_add(&x->l, row->author, row->seq, row->lamport);
}

int
retention_group(struct group *g, uint64_t now_ms, size_t *erased)
{
	struct store *st;
	struct batch b;
	struct xlist x;
	size_t i;
	int ret, began = 0;

	if (erased != NULL)
		*erased = 0;
	if (g == NULL)
		return BAL_EINVAL;
	memset(&x, 0, sizeof(x));
	if ((x.cutoff = retention_cutoff(g->contract, now_ms)) == 0)
		return 0;
	st = g->d->store;
	group_batch_init(&b, g, 0);
	if ((ret = store_entries_kind_each(st, g->id, ENTRY_KIND_NOTE,
	    expired_cb, &x)) != 0 || x.l.n == 0)
		goto out;
	if ((ret = store_begin(st)) != 0)
		goto out;
	began = 1;
	for (i = 0; i < x.l.n; i++)
		if ((ret = group_notes_erase_entry(&b, x.l.s[i].author,
		    x.l.s[i].seq)) != 0)
			goto out;
	/* Commits, and checkpoints the WAL since b.erased > 0. */
	if ((ret = group_batch_commit(&b)) != 0)
		goto out;
	began = 0;
	if (erased != NULL)
		*erased = x.l.n;
out:
	if (began)
		store_rollback(st);
	group_batch_free(&b);
	free(x.l.s);
	return ret;
}

int
retention_run(struct daemon *d, uint64_t now_ms)
{
	struct group *g;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	size_t n;
	int rc, ret = 0;

	for (g = d->groups; g != NULL; g = g->next) {
		if (g->contract == NULL || g->contract->retention_days == 0)
			continue;
		rc = retention_group(g, now_ms, &n);
		sodium_bin2hex(hex, sizeof(hex), g->id, BAL_GROUP_ID_BYTES);
		if (rc != 0) {
			daemon_log("retention: cannot erase expired notes in "
			    "group %.8s: %s", hex, bal_strerror(rc));
			if (ret == 0)
				ret = rc;
		} else if (n > 0) {
			daemon_log("retention: erased %zu note%s older than "
			    "%u day%s in group %.8s", n, n == 1 ? "" : "s",
			    g->contract->retention_days,
			    g->contract->retention_days == 1 ? "" : "s", hex);
		}
	}
	return ret;
}

static void
on_timer(uv_timer_t *t)
{
	struct retention *r = t->data;

	if (!r->d->stopping)
		(void)retention_run(r->d, daemon_now_ms());
}

static void
on_close(uv_handle_t *h)
{
	free(h->data);
}

/* The pass interval: RETENTION_INTERVAL_ENV if set and valid, else 1 h. */
static uint64_t
interval_ms(void)
{
	const char *s = getenv(RETENTION_INTERVAL_ENV);
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0')
		return RETENTION_INTERVAL_MS;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || strchr(s, '-') != NULL || v < 1 ||
	    v > RETENTION_INTERVAL_MS) {
		daemon_log("%s='%.40s' is not a number of milliseconds from 1 "
		    "to %llu; ignored", RETENTION_INTERVAL_ENV, s,
		    RETENTION_INTERVAL_MS);
		return RETENTION_INTERVAL_MS;
	}
	daemon_log("retention: a pass every %llu ms (%s, a test hook)", v,
	    RETENTION_INTERVAL_ENV);
	return v;
}

int
retention_start(struct daemon *d)
{
	struct retention *r;
	uint64_t every;

	if (d->retention != NULL)
		return 0;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return BAL_ENOMEM;
	r->d = d;
	if (uv_timer_init(d->loop, &r->timer) != 0) {
		free(r);
		return BAL_EIO;
	}
	r->timer.data = r;
	every = interval_ms();
	if (uv_timer_start(&r->timer, on_timer, every, every) != 0) {
		uv_close((uv_handle_t *)&r->timer, on_close);
		return BAL_EIO;
	}
	d->retention = r;
	return 0;
}

void
retention_stop(struct daemon *d)
{
	struct retention *r = d->retention;

	if (r == NULL)
		return;
	d->retention = NULL;
	uv_timer_stop(&r->timer);
	uv_close((uv_handle_t *)&r->timer, on_close);
}
