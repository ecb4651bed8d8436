/*
 * beacon.h — LAN discovery beacons (issue 15): the pure codec; balintd
 * sends and hears them in daemon/net/lan.c.  A beacon is one UDP datagram
 * that tells members of the same group "a member of yours listens on
 * this port of the sender's address", and tells anyone else nothing:
 *
 *	beacon = nonce (24) || XChaCha20-Poly1305(plain, ad = nonce)
 *	plain  = msgpack [1, member bin32, port uint (1..65535), time uint]
 *
 * under beacon_key(network key of an epoch), with a fresh random nonce
 * each time: no magic, no group, no member and no byte that stays the same
 * from one beacon to the next.  A receiver tries the key of every epoch
 * of every group it holds (docs/protocol.md "LAN beacons").
 */
#ifndef BAL_BEACON_H
#define BAL_BEACON_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define BEACON_VERSION 1
#define BEACON_NONCE_BYTES 24
#define BEACON_TAG_BYTES 16
#define BEACON_DOMAIN "balint-beacon-v1"
/* The largest plaintext (version, member, port, time in full) and beacon. */
#define BEACON_MAX_PLAIN 50
#define BEACON_MAX_BYTES (BEACON_NONCE_BYTES + BEACON_MAX_PLAIN + \
	BEACON_TAG_BYTES)

struct beacon {
	uint8_t member[BAL_PK_BYTES];	/* the sender's member key */
	uint16_t port;			/* where it listens, 1..65535 */
	uint64_t time_ms;		/* the sender's clock, Unix ms */
};

/*
 * beacon_key derives the beacon key of one epoch from its handshake
 * network key (shs_network_key): BLAKE2b-256(key = network key,
 * msg = "balint-beacon-v1").
 */
int beacon_key(const uint8_t netkey[BAL_KEY_BYTES],
    uint8_t out[BAL_KEY_BYTES]);

/*
 * beacon_encode / beacon_decode: the plaintext alone, strict (every
 * length checked, port 1..65535, no trailing bytes: BAL_EPROTO; another
 * version: BAL_EVERSION).  out holds BEACON_MAX_PLAIN bytes.
 */
int beacon_encode(const struct beacon *b, uint8_t out[BEACON_MAX_PLAIN],
    size_t *outlen);
int beacon_decode(const uint8_t *buf, size_t len, struct beacon *b);

/*
 * beacon_seal writes the datagram of b under key into out (room for
 * BEACON_MAX_BYTES); beacon_open reads one: BAL_EPROTO too short or too
 * long, BAL_ECRYPTO not under this key (another group's, another epoch's,
 * altered), else beacon_decode's result.
 */
int beacon_seal(const uint8_t key[BAL_KEY_BYTES], const struct beacon *b,
    uint8_t out[BEACON_MAX_BYTES], size_t *outlen);
int beacon_open(const uint8_t key[BAL_KEY_BYTES], const uint8_t *buf,
    size_t len, struct beacon *b);

#endif
