/* frame-fixture.c — see frame-fixture.h. */
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
#include "frame-fixture.h"

const uint8_t key_a[BAL_KEY_BYTES] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};

/* A small deterministic generator (xorshift64*) for chunk sizes. */
uint64_t
prng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

void
prng_fill(uint64_t *s, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(prng(s) >> 56);
}

void
append(struct stream *st, const uint8_t *p, size_t len)
{
	st->buf = realloc(st->buf, st->len + len);
	assert_non_null(st->buf);
	memcpy(st->buf + st->len, p, len);
	st->len += len;
}

/*
 * Sends msgs[0..n) under key; with final set, ends the stream with a FINAL
 * frame carrying fin[0..finlen).
 */
void
make_stream(const uint8_t *key, const uint8_t *const *msgs,
    const size_t *lens, size_t n, int final, const uint8_t *fin,
    size_t finlen, struct stream *st)
{
	struct frame_tx *tx;
	uint8_t hdr[FRAME_HEADER_BYTES], *f;
	size_t i, flen;

	assert_true(n <= MAX_MSGS);
	memset(st, 0, sizeof(*st));
	assert_int_equal(frame_tx_new(key, hdr, &tx), 0);
	append(st, hdr, sizeof(hdr));
	for (i = 0; i < n; i++) {
		st->off[st->nframes++] = st->len;
		assert_int_equal(frame_push(tx, msgs[i], lens[i], &f, &flen),
		    0);
		assert_int_equal(flen, FRAME_WIRE_BYTES(lens[i]));
		append(st, f, flen);
		free(f);
	}
	if (final) {
		st->off[st->nframes++] = st->len;
		assert_int_equal(frame_push_final(tx, fin, finlen, &f, &flen),
		    0);
		append(st, f, flen);
		free(f);
		assert_int_equal(frame_push(tx, NULL, 0, &f, &flen),
		    BAL_ESTATE);
		assert_null(f);
	}
	st->off[st->nframes] = st->len;
	frame_tx_free(tx);
}

void
stream_free(struct stream *st)
{
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

void
result_free(struct result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		frame_msg_free(r->msg[i]);
	memset(r, 0, sizeof(*r));
}

/* Pulls every ready message; returns the code that stopped it. */
int
drain(struct frame_rx *rx, struct result *r)
{
	uint8_t *m;
	size_t len;
	int rc;

	while ((rc = frame_rx_next(rx, &m, &len)) == 0) {
		assert_non_null(m);
		assert_true(r->n < MAX_MSGS + 2);
		r->msg[r->n] = m;
		r->len[r->n] = len;
		r->n++;
	}
	assert_null(m);
	assert_int_equal(len, 0);
	return rc;
}

/*
 * Receives buf[0..len) under key, fed in chunks: chunk 0 means all at once,
 * otherwise chunks of 1..chunk bytes drawn from seed (chunk 1: bytewise).
 * Every feed is limited to frame_rx_room, as a daemon would do.
 */
void
frame_receive(const uint8_t *key, const uint8_t *buf, size_t len, size_t chunk,
    uint64_t seed, struct result *r)
{
	struct frame_rx *rx;
	size_t pos = 0, n, room;
	int rc = BAL_EAGAIN, frc;

	memset(r, 0, sizeof(*r));
	seed = seed * 2 + 1;	/* xorshift needs a non-zero state */
	assert_int_equal(frame_rx_new(key, &rx), 0);
	while (pos < len) {
		n = len - pos;
		if (chunk > 0 && n > 1)
			n = 1 + prng(&seed) % (chunk < n ? chunk : n);
		room = frame_rx_room(rx);
		assert_true(room > FRAME_HEADER_BYTES);
		assert_true(room <= FRAME_RX_CAP);
		if (n > room)
			n = room;
		frc = frame_rx_feed(rx, buf + pos, n);
		pos += n;
		rc = drain(rx, r);
		if (frc != 0) {
			assert_int_equal(frc, rc);
			break;
		}
		if (rc != BAL_EAGAIN && rc != BAL_EEOF)
			break;	/* dead; after EEOF, feed on to see junk */
	}
	if (len == 0)
		rc = drain(rx, r);
	r->rc = rc;
	r->finished = frame_rx_finished(rx);
	if (rc != 0 && rc != BAL_EAGAIN && rc != BAL_EEOF) {
		/* The receiver is dead: everything repeats the error. */
		assert_int_equal(frame_rx_feed(rx, buf, 1), rc);
		assert_int_equal(drain(rx, r), rc);
		assert_false(r->finished);
	}
	frame_rx_free(rx);
}

/* Checks that r holds exactly the first r->n of the expected messages. */
void
assert_prefix(const struct result *r, const uint8_t *const *msgs,
    const size_t *lens, size_t n)
{
	size_t i;

	assert_true(r->n <= n);
	for (i = 0; i < r->n; i++) {
		assert_int_equal(r->len[i], lens[i]);
		if (lens[i] > 0)
			assert_memory_equal(r->msg[i], msgs[i], lens[i]);
	}
}

/* Five messages and a goodbye: the stream most tests use. */
const char *const std_text[] = {
	"[1,\"hello\"]", "", "x", "a somewhat longer message of text",
	"\x93\x01\x02\x03",
};

const uint8_t std_bye[] = "bye";

void
std_msgs(const uint8_t **msgs, size_t *lens)
{
	size_t i;

	for (i = 0; i < STD_N; i++) {
		msgs[i] = (const uint8_t *)std_text[i];
		lens[i] = strlen(std_text[i]);
	}
	msgs[STD_N] = std_bye;
	lens[STD_N] = sizeof(std_bye);
}

void
std_stream(struct stream *st)
{
	const uint8_t *msgs[STD_N + 1];
	size_t lens[STD_N + 1];

	std_msgs(msgs, lens);
	make_stream(key_a, msgs, lens, STD_N, 1, std_bye, sizeof(std_bye), st);
}

int
frame_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}
