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

void
lan_limit_init(struct lan_limit *l, uint64_t now_ms)
{
	memset(l, 0, sizeof(*l));
	window_init(&l->rounds, l->round_at, LAN_ROUNDS_PER_MIN);
	window_init(&l->beacons, l->beacon_at, LAN_BEACONS_PER_MIN);
	l->rx_tokens_milli = (uint64_t)LAN_RX_BURST * 1000;
	l->rx_ms = now_ms;
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

int
lan_limit_rx(struct lan_limit *l, uint64_t now_ms)
{
	uint64_t full = (uint64_t)LAN_RX_BURST * 1000, dt;

	if (now_ms > l->rx_ms) {
		dt = now_ms - l->rx_ms;
		/* Whole milliseconds, LAN_RX_PER_S milli-tokens each. */
		l->rx_tokens_milli = dt >= full ? full : l->rx_tokens_milli +
		    dt * LAN_RX_PER_S;
		if (l->rx_tokens_milli > full)
			l->rx_tokens_milli = full;
		l->rx_ms = now_ms;
	}
	if (l->rx_tokens_milli < 1000)
		return 0;
	l->rx_tokens_milli -= 1000;
	return 1;
}
