/*
 * frame-fixture.h — what the frame tests share (test-frame.c, test-frame-
 * hostile.c): session keys, a sender and receiver pair, helpers.
 */
#ifndef BAL_TEST_FRAME_FIXTURE_H
#define BAL_TEST_FRAME_FIXTURE_H

#define _GNU_SOURCE		/* RTLD_NEXT */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "frame.h"

#define MAX_MSGS 16

/* A sent stream: its bytes and where each piece starts. */
struct stream {
	uint8_t *buf;
	size_t len;
	size_t nframes;			/* frames after the header */
	size_t off[MAX_MSGS + 2];	/* off[i] = start of frame i; off[n] = len */
};

/* What a receiver made of some bytes. */
struct result {
	uint8_t *msg[MAX_MSGS + 2];
	size_t len[MAX_MSGS + 2];
	size_t n;
	int rc;			/* the last frame_rx_next code */
	int finished;
};

extern const uint8_t key_a[BAL_KEY_BYTES];

/* A small deterministic generator (xorshift64*) for chunk sizes. */
uint64_t prng(uint64_t *s);

void prng_fill(uint64_t *s, uint8_t *p, size_t len);

void append(struct stream *st, const uint8_t *p, size_t len);

/*
 * Sends msgs[0..n) under key; with final set, ends the stream with a FINAL
 * frame carrying fin[0..finlen).
 */
void make_stream(const uint8_t *key, const uint8_t *const *msgs,
    const size_t *lens, size_t n, int final, const uint8_t *fin,
    size_t finlen, struct stream *st);

void stream_free(struct stream *st);

void result_free(struct result *r);

/* Pulls every ready message; returns the code that stopped it. */
int drain(struct frame_rx *rx, struct result *r);

/*
 * Receives buf[0..len) under key, fed in chunks: chunk 0 means all at once,
 * otherwise chunks of 1..chunk bytes drawn from seed (chunk 1: bytewise).
 * Every feed is limited to frame_rx_room, as a daemon would do.
 */
void frame_receive(const uint8_t *key, const uint8_t *buf, size_t len,
    size_t chunk,
    uint64_t seed, struct result *r);

/* Checks that r holds exactly the first r->n of the expected messages. */
void assert_prefix(const struct result *r, const uint8_t *const *msgs,
    const size_t *lens, size_t n);

/* Five messages and a goodbye: the stream most tests use. */
extern const char *const std_text[];

#define STD_N 5

extern const uint8_t std_bye[4];

void std_msgs(const uint8_t **msgs, size_t *lens);

void std_stream(struct stream *st);

int frame_setup(void **state);

#endif
