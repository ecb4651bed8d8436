/*
 * lan-limit.c — LAN discovery's rate limits (lan-limit.h).  A clock that
 * goes back (it should not: lan.c passes libuv's monotonic loop time)
 * counts as no time passed, never as a window that expired.
 */
#include <string.h>

#include "lan-limit.h"

static void
window_init(struct lan_window *w, uint64_t *at, size_t cap)
{
	w->at = at;
	w->cap = cap;
	w->n = w->next = 0;
}

/* 1 (and the event kept) when fewer than w->cap happened in the window. */
static int
window_take(struct lan_window *w, uint64_t now)
{
	/* Full: at[next] is the oldest of the last cap events. */
	if (w->n == w->cap && (now < w->at[w->next] ||
	    now - w->at[w->next] < LAN_WINDOW_MS))
		return 0;
	w->at[w->next] = now;
	w->next = (w->next + 1) % w->cap;
	if (w->n < w->cap)
		w->n++;
	return 1;
}

/* Fills b at now_ms: per_s tokens a second, at most burst. */
static void
bucket_fill(struct lan_bucket *b, uint64_t now_ms, uint64_t per_s,
    uint64_t burst)
{
	uint64_t full = burst * 1000, dt;

	if (now_ms <= b->ms)
		return;
	dt = now_ms - b->ms;
	/* Whole milliseconds, per_s milli-tokens each. */
	b->milli = dt >= full ? full : b->milli + dt * per_s;
	if (b->milli > full)
		b->milli = full;
	b->ms = now_ms;
}

void
lan_limit_init(struct lan_limit *l, uint64_t now_ms)
{
	memset(l, 0, sizeof(*l));
	window_init(&l->rounds, l->round_at, LAN_ROUNDS_PER_MIN);
	window_init(&l->beacons, l->beacon_at, LAN_BEACONS_PER_MIN);
	l->rx.milli = (uint64_t)LAN_RX_BURST * 1000;
	l->rx.ms = now_ms;
}

int
lan_limit_round(struct lan_limit *l, uint64_t now_ms)
{
	return window_take(&l->rounds, now_ms);
}

int
lan_limit_beacon(struct lan_limit *l, uint64_t now_ms)
{
	return window_take(&l->beacons, now_ms);
}

/*
 * The bucket of source src: the one kept, else a new one, full, in a free
 * place or in that of the source heard longest ago.  A source pushed out
 * comes back with a full bucket, which only many sources (the global
 * bucket's business) can make happen.
 */
static struct lan_source *
source_get(struct lan_limit *l, uint64_t now_ms, const uint8_t *src,
    size_t len)
{
	struct lan_source *s, *old = NULL;
	size_t i;

	for (i = 0; i < l->nsrc; i++) {
		s = &l->src[i];
		if (s->len == len && memcmp(s->key, src, len) == 0)
			return s;
		if (old == NULL || s->used < old->used)
			old = s;
	}
	s = l->nsrc < LAN_RX_SOURCES ? &l->src[l->nsrc++] : old;
	memset(s, 0, sizeof(*s));
	memcpy(s->key, src, len);
	s->len = len;
	s->b.milli = (uint64_t)LAN_RX_SRC_BURST * 1000;
	s->b.ms = now_ms;
	return s;
}

enum lan_rx
lan_limit_rx(struct lan_limit *l, uint64_t now_ms, const uint8_t *src,
    size_t len)
{
	struct lan_source *s;

	if (len > LAN_RX_KEY_MAX)
		len = LAN_RX_KEY_MAX;
	s = source_get(l, now_ms, src, len);
	s->used = ++l->tick;
	bucket_fill(&s->b, now_ms, LAN_RX_SRC_PER_S, LAN_RX_SRC_BURST);
	bucket_fill(&l->rx, now_ms, LAN_RX_PER_S, LAN_RX_BURST);
	if (s->b.milli < 1000)
		return LAN_RX_SOURCE;
	if (l->rx.milli < 1000)
		return LAN_RX_ALL;
	s->b.milli -= 1000;
	l->rx.milli -= 1000;
	return LAN_RX_OK;
}
