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

/* The kept source of key (len bytes) and kind, or NULL. */
static struct lan_source *
source_find(struct lan_limit *l, const uint8_t *key, size_t len, int known)
{
	size_t i;

	for (i = 0; i < l->nsrc; i++)
		if (l->src[i].len == len && l->src[i].known == known &&
		    memcmp(l->src[i].key, key, len) == 0)
			return &l->src[i];
	return NULL;
}

/*
 * A new source of that kind, full, in a free place or in that of the
 * source of the same kind heard longest ago (a member's source gives way
 * to another member's only: at most LAN_RX_KNOWN of them, so that a
 * flood of unknown sources never pushes one out; one pushed out comes
 * back with a full bucket, which only many sources, the global bucket's
 * business, can make happen).
 */
static struct lan_source *
source_new(struct lan_limit *l, uint64_t now_ms, const uint8_t *key,
    size_t len, int known)
{
	struct lan_source *s = NULL, *old = NULL;
	size_t i, nknown = 0;

	for (i = 0; i < l->nsrc; i++)
		nknown += l->src[i].known != 0;
	if (l->nsrc < LAN_RX_SOURCES && (!known || nknown < LAN_RX_KNOWN))
		s = &l->src[l->nsrc++];
	/* Full: a member's place when members hold all theirs, else an
	 * unknown source's (there are LAN_RX_SOURCES - LAN_RX_KNOWN). */
	known = known != 0;
	for (i = 0; s == NULL && i < l->nsrc; i++)
		if ((l->src[i].known != 0) == (known && nknown >=
		    LAN_RX_KNOWN) &&
		    (old == NULL || l->src[i].used < old->used))
			old = &l->src[i];
	if (s == NULL)
		s = old != NULL ? old : &l->src[0];
	memset(s, 0, sizeof(*s));
	memcpy(s->key, key, len);
	s->len = len;
	s->known = known;
	s->b.milli = (uint64_t)LAN_RX_SRC_BURST * 1000;
	s->b.ms = now_ms;
	return s;
}

/* An IPv6 source not known as a member's counts by its /64: one host
 * has as many addresses there as it likes. */
static size_t
unknown_len(size_t len)
{
	return len == 16 ? 8 : len;
}

void
lan_limit_known(struct lan_limit *l, uint64_t now_ms, const uint8_t *src,
    size_t len)
{
	struct lan_source *s;

	if (len > LAN_RX_KEY_MAX)
		len = LAN_RX_KEY_MAX;
	if ((s = source_find(l, src, len, 1)) == NULL)
		s = source_new(l, now_ms, src, len, 1);
	s->used = ++l->tick;
}

enum lan_rx
lan_limit_rx(struct lan_limit *l, uint64_t now_ms, const uint8_t *src,
    size_t len)
{
	struct lan_source *s;
	uint64_t keep;

	if (len > LAN_RX_KEY_MAX)
		len = LAN_RX_KEY_MAX;
	if ((s = source_find(l, src, len, 1)) == NULL &&
	    (s = source_find(l, src, unknown_len(len), 0)) == NULL)
		s = source_new(l, now_ms, src, unknown_len(len), 0);
	s->used = ++l->tick;
	bucket_fill(&s->b, now_ms, LAN_RX_SRC_PER_S, LAN_RX_SRC_BURST);
	bucket_fill(&l->rx, now_ms, LAN_RX_PER_S, LAN_RX_BURST);
	/* The last LAN_RX_RESERVE tokens are for members' sources only. */
	keep = s->known ? 0 : (uint64_t)LAN_RX_RESERVE * 1000;
	if (s->b.milli < 1000)
		return LAN_RX_SOURCE;
	if (l->rx.milli < keep + 1000)
		return LAN_RX_ALL;
	s->b.milli -= 1000;
	l->rx.milli -= 1000;
	return LAN_RX_OK;
}
