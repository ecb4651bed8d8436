/*
 * lan-limit.h — the rate limits of LAN discovery (lan.c, docs/protocol.md
 * "LAN discovery"), with the clock passed in so that tests need not wait
 * a minute: at most LAN_ROUNDS_PER_MIN rounds and LAN_BEACONS_PER_MIN
 * beacons sent in any 60 s (sliding windows: a round or beacon is allowed
 * when fewer than the cap were allowed in the 60 s before it), and token
 * buckets for received datagrams: one per source (LAN_RX_SRC_PER_S a
 * second, bursts of LAN_RX_SRC_BURST; the last LAN_RX_SOURCES sources
 * heard, the one heard longest ago making room), inside one for all
 * sources together (LAN_RX_PER_S, LAN_RX_BURST), so that one host's flood
 * leaves room for the others' beacons and a flood from many (spoofed)
 * sources still costs no more than the global cap.  A source is an IPv4
 * address, an IPv6 /64 (one host may use any number of addresses in its
 * /64), or the exact address a member's beacon opened from
 * (lan_limit_known): such sources alone may take the last LAN_RX_RESERVE
 * tokens of the global bucket, so that a flood from the link delays the
 * beacons of members already heard but cannot stop them.
 * Pure: no loop, no sockets.
 */
#ifndef BAL_LAN_LIMIT_H
#define BAL_LAN_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#define LAN_ROUNDS_PER_MIN 8
#define LAN_BEACONS_PER_MIN 128		/* datagrams, whatever the rounds */
#define LAN_RX_PER_S 32			/* datagrams examined per second, */
#define LAN_RX_BURST 64			/* with bursts up to this many */
/*
 * One source: a quarter of the whole, so that three flooding hosts leave
 * a quarter to the rest; a burst of 32 holds two rounds of the 16 groups
 * a sender beacons for on one interface (an honest sender sends at most
 * LAN_BEACONS_PER_MIN a minute, about 2 a second).
 */
#define LAN_RX_SRC_PER_S 8
#define LAN_RX_SRC_BURST 32
#define LAN_RX_SOURCES 64		/* source buckets kept, */
#define LAN_RX_KNOWN 32			/* of which members' at most */
#define LAN_RX_RESERVE 16		/* global tokens for members' only */
#define LAN_RX_KEY_MAX 16		/* an IPv6 address */
#define LAN_WINDOW_MS 60000

/* The times of the last cap allowed events, a ring. */
struct lan_window {
	uint64_t *at;
	size_t cap, n, next;
};

/* A token bucket: tokens * 1000, and when it was last filled. */
struct lan_bucket {
	uint64_t milli;
	uint64_t ms;
};

/* One source address's bucket. */
struct lan_source {
	uint8_t key[LAN_RX_KEY_MAX];
	size_t len;			/* 4, 8 (an IPv6 /64) or 16 */
	int known;			/* a member's beacon opened from it */
	struct lan_bucket b;
	uint64_t used;			/* lan_limit.tick when last heard */
};

struct lan_limit {
	struct lan_window rounds, beacons;
	uint64_t round_at[LAN_ROUNDS_PER_MIN];
	uint64_t beacon_at[LAN_BEACONS_PER_MIN];
	struct lan_bucket rx;		/* all sources */
	struct lan_source src[LAN_RX_SOURCES];
	size_t nsrc;
	uint64_t tick;			/* datagrams looked at, for LRU */
};

/* What lan_limit_rx says of a datagram. */
enum lan_rx {
	LAN_RX_OK = 1,			/* examine it (a token of each taken) */
	LAN_RX_SOURCE = 0,		/* its source is over its share */
	LAN_RX_ALL = -1			/* all sources together are over */
};

/* lan_limit_init empties the windows and fills the bucket at now_ms. */
void lan_limit_init(struct lan_limit *l, uint64_t now_ms);
/* lan_limit_round is 1 (and counts it) when a round may go at now_ms. */
int lan_limit_round(struct lan_limit *l, uint64_t now_ms);
/* lan_limit_beacon is 1 (and counts it) when a beacon may go at now_ms. */
int lan_limit_beacon(struct lan_limit *l, uint64_t now_ms);
/*
 * lan_limit_rx: may a datagram received at now_ms from the source
 * address src (len bytes, at most LAN_RX_KEY_MAX: 4 for IPv4, 16 for
 * IPv6) be examined?  A token is taken from the source's bucket and the
 * global one only when both have one (a datagram refused by one costs the
 * other nothing); a source not known leaves the global's last
 * LAN_RX_RESERVE.
 */
enum lan_rx lan_limit_rx(struct lan_limit *l, uint64_t now_ms,
    const uint8_t *src, size_t len);
/* lan_limit_known: a member's beacon opened from src at now_ms: its exact
 * address gets a bucket of its own and the reserve. */
void lan_limit_known(struct lan_limit *l, uint64_t now_ms,
    const uint8_t *src, size_t len);

#endif
