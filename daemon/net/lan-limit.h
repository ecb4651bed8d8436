/*
 * lan-limit.h — the rate limits of LAN discovery (lan.c, docs/protocol.md
 * "LAN discovery"), with the clock passed in so that tests need not wait
 * a minute: at most LAN_ROUNDS_PER_MIN rounds and LAN_BEACONS_PER_MIN
 * beacons sent in any 60 s (sliding windows: a round or beacon is allowed
 * when fewer than the cap were allowed in the 60 s before it), and a
 * token bucket for received datagrams (LAN_RX_PER_S a second, bursts of
 * LAN_RX_BURST).  Pure: no loop, no sockets.
 */
#ifndef BAL_LAN_LIMIT_H
#define BAL_LAN_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#define LAN_ROUNDS_PER_MIN 8
#define LAN_BEACONS_PER_MIN 128		/* datagrams, whatever the rounds */
#define LAN_RX_PER_S 32			/* datagrams examined per second, */
#define LAN_RX_BURST 64			/* with bursts up to this many */
#define LAN_WINDOW_MS 60000

/* The times of the last cap allowed events, a ring. */
struct lan_window {
	uint64_t *at;
	size_t cap, n, next;
};

struct lan_limit {
	struct lan_window rounds, beacons;
	uint64_t round_at[LAN_ROUNDS_PER_MIN];
	uint64_t beacon_at[LAN_BEACONS_PER_MIN];
	uint64_t rx_tokens_milli;	/* tokens * 1000 */
	uint64_t rx_ms;			/* when the bucket was last filled */
};

/* lan_limit_init empties the windows and fills the bucket at now_ms. */
void lan_limit_init(struct lan_limit *l, uint64_t now_ms);
/* lan_limit_round is 1 (and counts it) when a round may go at now_ms. */
int lan_limit_round(struct lan_limit *l, uint64_t now_ms);
/* lan_limit_beacon is 1 (and counts it) when a beacon may go at now_ms. */
int lan_limit_beacon(struct lan_limit *l, uint64_t now_ms);
/* lan_limit_rx is 1 (and takes a token) when a datagram received at
 * now_ms may be examined. */
int lan_limit_rx(struct lan_limit *l, uint64_t now_ms);

#endif
