/* test-frame.c — unit tests of the transport framing (proto/frame.c). */
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

static const uint8_t key_a[BAL_KEY_BYTES] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};
static const uint8_t key_b[BAL_KEY_BYTES] = { 0xaa };

/*
 * Guarded allocations made by the code under test: this definition takes
 * the place of libsodium's for the whole program and hands every call on
 * to it (each costs an mmap, mprotects, an mlock and later as many calls
 * to undo them).
 */
static unsigned long n_guarded;

void *
sodium_malloc(size_t size)
{
	static void *(*real)(size_t);

	if (real == NULL)
		real = (void *(*)(size_t))dlsym(RTLD_NEXT, "sodium_malloc");
	n_guarded++;
	return real(size);
}

/* A small deterministic generator (xorshift64*) for chunk sizes. */
static uint64_t
prng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
prng_fill(uint64_t *s, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(prng(s) >> 56);
}

static void
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
static void
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

static void
stream_free(struct stream *st)
{
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

static void
result_free(struct result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		frame_msg_free(r->msg[i]);
	memset(r, 0, sizeof(*r));
}

/* Pulls every ready message; returns the code that stopped it. */
static int
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
static void
receive(const uint8_t *key, const uint8_t *buf, size_t len, size_t chunk,
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

static void
assert_same(const struct result *a, const struct result *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->finished, b->finished);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->len[i], b->len[i]);
		assert_memory_equal(a->msg[i], b->msg[i], a->len[i]);
	}
}

/* Checks that r holds exactly the first r->n of the expected messages. */
static void
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
static const char *const std_text[] = {
	"[1,\"hello\"]", "", "x", "a somewhat longer message of text",
	"\x93\x01\x02\x03",
};
#define STD_N 5
static const uint8_t std_bye[] = "bye";

static void
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

static void
std_stream(struct stream *st)
{
	const uint8_t *msgs[STD_N + 1];
	size_t lens[STD_N + 1];

	std_msgs(msgs, lens);
	make_stream(key_a, msgs, lens, STD_N, 1, std_bye, sizeof(std_bye), st);
}

/* Several messages (big ones too) arrive intact and the end is clean. */
static void
test_roundtrip(void **state)
{
	static uint8_t big1[100000], big2[70000];
	const uint8_t *msgs[STD_N + 3];
	size_t lens[STD_N + 3];
	struct stream st;
	struct result r;
	uint64_t s = 7;

	(void)state;
	std_msgs(msgs, lens);
	prng_fill(&s, big1, sizeof(big1));
	prng_fill(&s, big2, sizeof(big2));
	msgs[STD_N] = big1;
	lens[STD_N] = sizeof(big1);
	msgs[STD_N + 1] = big2;
	lens[STD_N + 1] = sizeof(big2);
	msgs[STD_N + 2] = std_bye;
	lens[STD_N + 2] = sizeof(std_bye);
	make_stream(key_a, msgs, lens, STD_N + 2, 1, std_bye, sizeof(std_bye),
	    &st);
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_true(r.finished);
	assert_int_equal(r.n, STD_N + 3);
	assert_prefix(&r, msgs, lens, STD_N + 3);
	result_free(&r);
	stream_free(&st);
}

/* Whole, byte by byte and in random chunks: the same messages. */
static void
test_chunking(void **state)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 25, 64, 1000 };
	struct stream st;
	struct result whole, r;
	size_t i;
	uint64_t seed;

	(void)state;
	std_stream(&st);
	receive(key_a, st.buf, st.len, 0, 0, &whole);
	assert_int_equal(whole.rc, BAL_EEOF);
	assert_int_equal(whole.n, STD_N + 1);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		for (seed = 1; seed <= 20; seed++) {
			receive(key_a, st.buf, st.len, chunks[i], seed, &r);
			assert_same(&whole, &r);
			result_free(&r);
			if (chunks[i] == 1)
				break;	/* bytewise needs no seeds */
		}
	}
	result_free(&whole);
	stream_free(&st);
}

/* The empty message is a message; an empty FINAL is just the end. */
static void
test_empty(void **state)
{
	const uint8_t *msgs[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 };
	struct stream st;
	struct result r;

	(void)state;
	make_stream(key_a, msgs, lens, 2, 1, NULL, 0, &st);
	assert_int_equal(st.len,
	    FRAME_HEADER_BYTES + 3 * FRAME_WIRE_BYTES(0));
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_true(r.finished);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.len[0], 0);
	assert_int_equal(r.len[1], 0);
	result_free(&r);
	stream_free(&st);

	/* A FINAL frame with a message delivers it, then the end. */
	make_stream(key_a, msgs, lens, 0, 1, std_bye, sizeof(std_bye), &st);
	receive(key_a, st.buf, st.len, 1, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_int_equal(r.n, 1);
	assert_memory_equal(r.msg[0], std_bye, sizeof(std_bye));
	result_free(&r);
	stream_free(&st);
}

/* FRAME_MAX_PLAIN passes (in room-limited chunks); one byte more does not. */
static void
test_max_size(void **state)
{
	struct frame_tx *tx;
	uint8_t hdr[FRAME_HEADER_BYTES], *big, *f;
	const uint8_t *msgs[3];
	size_t lens[3], flen;
	struct stream st;
	struct result r;
	uint64_t s = 3;

	(void)state;
	big = malloc(FRAME_MAX_PLAIN + 1);
	assert_non_null(big);
	prng_fill(&s, big, FRAME_MAX_PLAIN + 1);

	assert_int_equal(frame_tx_new(key_a, hdr, &tx), 0);
	assert_int_equal(frame_push(tx, big, FRAME_MAX_PLAIN + 1, &f, &flen),
	    BAL_ETOOBIG);
	assert_null(f);
	assert_int_equal(flen, 0);
	assert_int_equal(frame_push_final(tx, big, FRAME_MAX_PLAIN + 1, &f,
	    &flen), BAL_ETOOBIG);
	assert_int_equal(frame_push(tx, big, SIZE_MAX, &f, &flen),
	    BAL_ETOOBIG);
	frame_tx_free(tx);

	/* Two maximal frames back to back, then a small one. */
	msgs[0] = big;
	lens[0] = FRAME_MAX_PLAIN;
	msgs[1] = big + 1;
	lens[1] = FRAME_MAX_PLAIN;
	msgs[2] = std_bye;
	lens[2] = sizeof(std_bye);
	make_stream(key_a, msgs, lens, 3, 1, NULL, 0, &st);
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_int_equal(r.n, 3);
	assert_prefix(&r, msgs, lens, 3);
	result_free(&r);
	receive(key_a, st.buf, st.len, 65536, 5, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_int_equal(r.n, 3);
	assert_prefix(&r, msgs, lens, 3);
	result_free(&r);
	stream_free(&st);
	free(big);
}

/* A rejected push leaves the sender usable: the stream stays in step. */
static void
test_toobig_keeps_sender(void **state)
{
	struct frame_tx *tx;
	uint8_t hdr[FRAME_HEADER_BYTES], *f;
	struct stream st;
	struct result r;
	size_t flen;
	static uint8_t big[FRAME_MAX_PLAIN + 1];

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(frame_tx_new(key_a, hdr, &tx), 0);
	append(&st, hdr, sizeof(hdr));
	assert_int_equal(frame_push(tx, big, sizeof(big), &f, &flen),
	    BAL_ETOOBIG);
	assert_int_equal(frame_push(tx, std_bye, sizeof(std_bye), &f, &flen),
	    0);
	append(&st, f, flen);
	free(f);
	assert_int_equal(frame_push_final(tx, NULL, 0, &f, &flen), 0);
	append(&st, f, flen);
	free(f);
	frame_tx_free(tx);
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_int_equal(r.n, 1);
	assert_memory_equal(r.msg[0], std_bye, sizeof(std_bye));
	result_free(&r);
	stream_free(&st);
}

/* Feeds hdr and then bytes one at a time; returns the first non-EAGAIN. */
static int
feed_prefix(struct frame_rx *rx, const uint8_t *p, size_t len)
{
	uint8_t hdr[FRAME_HEADER_BYTES] = { 0 }, *m;
	size_t i, mlen;
	int rc;

	assert_int_equal(frame_rx_feed(rx, hdr, sizeof(hdr)), 0);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EAGAIN);
	for (i = 0; i < len; i++) {
		assert_int_equal(frame_rx_feed(rx, p + i, 1), 0);
		rc = frame_rx_next(rx, &m, &mlen);
		if (i + 1 < len)
			assert_int_equal(rc, BAL_EAGAIN);
		else
			return rc;
	}
	return BAL_EAGAIN;
}

/* Length prefixes above the maximum die from the 4 bytes alone. */
static void
test_oversized_prefix(void **state)
{
	static const uint32_t bad[] = {
		FRAME_ABYTES + FRAME_MAX_PLAIN + 1, 0x7fffffff, 0x80000000,
		0xffffffff, 0x01000000,
	};
	uint32_t n;
	uint8_t p[4], *m;
	struct frame_rx *rx;
	size_t i, mlen;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = bad[i];
		p[0] = n >> 24;
		p[1] = n >> 16;
		p[2] = n >> 8;
		p[3] = n;
		assert_int_equal(frame_rx_new(key_a, &rx), 0);
		assert_int_equal(feed_prefix(rx, p, 4), BAL_ETOOBIG);
		/* Dead: the same error for everything after. */
		assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_ETOOBIG);
		assert_int_equal(frame_rx_feed(rx, p, 4), BAL_ETOOBIG);
		assert_int_equal(frame_rx_feed(rx, NULL, 0), BAL_ETOOBIG);
		assert_false(frame_rx_finished(rx));
		frame_rx_free(rx);
	}
	/* The maximum itself waits for its body. */
	n = FRAME_ABYTES + FRAME_MAX_PLAIN;
	p[0] = n >> 24;
	p[1] = n >> 16;
	p[2] = n >> 8;
	p[3] = n;
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	assert_int_equal(feed_prefix(rx, p, 4), BAL_EAGAIN);
	assert_int_equal(frame_rx_room(rx),
	    FRAME_RX_CAP - FRAME_LEN_BYTES);
	frame_rx_free(rx);
}

/* Length prefixes of 0 or below ABYTES are malformed; ABYTES must verify. */
static void
test_short_prefix(void **state)
{
	uint8_t p[4 + FRAME_ABYTES] = { 0 }, *m;
	struct frame_rx *rx;
	uint32_t n;
	size_t mlen;

	(void)state;
	for (n = 0; n < FRAME_ABYTES; n++) {
		p[3] = (uint8_t)n;
		assert_int_equal(frame_rx_new(key_a, &rx), 0);
		assert_int_equal(feed_prefix(rx, p, 4), BAL_EPROTO);
		assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EPROTO);
		frame_rx_free(rx);
	}
	/* 17 bytes of zeros are a well-formed but unauthentic frame. */
	p[3] = FRAME_ABYTES;
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	assert_int_equal(feed_prefix(rx, p, sizeof(p)), BAL_ECRYPTO);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_ECRYPTO);
	frame_rx_free(rx);
}

/* After FINAL: EEOF for good; any further byte is a protocol error. */
static void
test_final(void **state)
{
	struct frame_rx *rx;
	struct stream st;
	struct result r;
	uint8_t *m, *junk;
	size_t mlen;

	(void)state;
	std_stream(&st);
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	assert_int_equal(frame_rx_feed(rx, st.buf, st.len), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(drain(rx, &r), BAL_EEOF);
	assert_int_equal(r.n, STD_N + 1);
	assert_true(frame_rx_finished(rx));
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EEOF);
	assert_int_equal(frame_rx_feed(rx, NULL, 0), 0);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EEOF);
	assert_int_equal(frame_rx_feed(rx, st.buf, 1), BAL_EPROTO);
	assert_false(frame_rx_finished(rx));
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EPROTO);
	frame_rx_free(rx);
	result_free(&r);

	/* Trailing bytes in the same chunk: the goodbye, then EPROTO. */
	junk = malloc(st.len + 1);
	assert_non_null(junk);
	memcpy(junk, st.buf, st.len);
	junk[st.len] = 0;
	receive(key_a, junk, st.len + 1, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EPROTO);
	assert_int_equal(r.n, STD_N + 1);
	assert_false(r.finished);
	result_free(&r);

	/* The whole stream twice (replayed after its end). */
	junk = realloc(junk, 2 * st.len);
	assert_non_null(junk);
	memcpy(junk + st.len, st.buf, st.len);
	receive(key_a, junk, 2 * st.len, 3, 9, &r);
	assert_int_equal(r.rc, BAL_EPROTO);
	assert_int_equal(r.n, STD_N + 1);
	result_free(&r);
	free(junk);
	stream_free(&st);

	/* An empty FINAL followed by junk: EPROTO at once. */
	make_stream(key_a, NULL, NULL, 0, 1, NULL, 0, &st);
	append(&st, std_bye, 1);
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EPROTO);
	assert_int_equal(r.n, 0);
	assert_false(r.finished);
	result_free(&r);
	stream_free(&st);
}

/* Cut anywhere before its end, a stream is never finished. */
static void
test_truncation(void **state)
{
	const uint8_t *msgs[STD_N + 1];
	size_t lens[STD_N + 1], cut;
	struct stream st;
	struct result r;

	(void)state;
	std_msgs(msgs, lens);
	std_stream(&st);
	for (cut = 0; cut < st.len; cut++) {
		receive(key_a, st.buf, cut, cut % 2 ? 0 : 5, cut, &r);
		assert_int_equal(r.rc, BAL_EAGAIN);
		assert_false(r.finished);
		assert_prefix(&r, msgs, lens, STD_N + 1);
		assert_true(r.n <= STD_N);	/* the goodbye needs FINAL */
		result_free(&r);
	}
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_true(r.finished);
	result_free(&r);
	stream_free(&st);

	/* A stream whose sender never pushed FINAL. */
	make_stream(key_a, msgs, lens, STD_N, 0, NULL, 0, &st);
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EAGAIN);
	assert_int_equal(r.n, STD_N);
	assert_false(r.finished);
	result_free(&r);
	stream_free(&st);
}

/*
 * Every byte flipped (three ways): the receiver stops with an error, or
 * (a length prefix grown past the end) waits unfinished; it never hands
 * out a message that was not sent, and never reports a clean end.
 */
static void
test_tamper(void **state)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	const uint8_t *msgs[STD_N + 1];
	size_t lens[STD_N + 1], i, j, fr;
	struct stream st;
	struct result r;

	(void)state;
	std_msgs(msgs, lens);
	std_stream(&st);
	for (i = 0; i < st.len; i++) {
		/* fr: the frame that holds byte i (the header counts as 0). */
		for (fr = 0; fr + 1 < st.nframes && st.off[fr + 1] <= i; fr++)
			;
		for (j = 0; j < sizeof(flips); j++) {
			st.buf[i] ^= flips[j];
			receive(key_a, st.buf, st.len, i % 3 ? 0 : 4, i, &r);
			st.buf[i] ^= flips[j];
			assert_prefix(&r, msgs, lens, STD_N + 1);
			assert_true(r.n <= fr);
			assert_false(r.finished);
			if (r.rc != BAL_ECRYPTO && r.rc != BAL_EPROTO &&
			    r.rc != BAL_ETOOBIG)
				assert_int_equal(r.rc, BAL_EAGAIN);
			result_free(&r);
		}
	}
	stream_free(&st);
}

/* Builds header || the frames of st listed in order[0..n). */
static void
splice(const struct stream *st, const size_t *order, size_t n,
    struct stream *out)
{
	size_t i, f;

	memset(out, 0, sizeof(*out));
	append(out, st->buf, FRAME_HEADER_BYTES);
	for (i = 0; i < n; i++) {
		f = order[i];
		append(out, st->buf + st->off[f], st->off[f + 1] - st->off[f]);
	}
}

/* Dropped, duplicated and reordered frames fail at the first wrong one. */
static void
test_drop_replay_reorder(void **state)
{
	static const struct {
		size_t order[8];
		size_t n;
		size_t good;	/* messages delivered before the failure */
	} cases[] = {
		{ { 0, 2, 3, 4, 5 }, 5, 1 },		/* dropped */
		{ { 1, 2, 3, 4, 5 }, 5, 0 },		/* first dropped */
		{ { 0, 1, 2, 3, 5 }, 5, 4 },		/* last MESSAGE dropped */
		{ { 0, 1, 1, 2, 3, 4, 5 }, 7, 2 },	/* duplicated */
		{ { 0, 1, 2, 0 }, 4, 3 },		/* replayed later */
		{ { 0, 2, 1, 3, 4, 5 }, 6, 1 },		/* swapped */
		{ { 1, 0, 2, 3, 4, 5 }, 6, 0 },		/* swapped first */
		{ { 0, 1, 2, 3, 5, 4 }, 6, 4 },		/* FINAL early */
	};
	const uint8_t *msgs[STD_N + 1];
	size_t lens[STD_N + 1], i;
	struct stream st, other, sp;
	struct result r;

	(void)state;
	std_msgs(msgs, lens);
	std_stream(&st);
	assert_int_equal(st.nframes, STD_N + 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		splice(&st, cases[i].order, cases[i].n, &sp);
		receive(key_a, sp.buf, sp.len, 0, 0, &r);
		assert_int_equal(r.rc, BAL_ECRYPTO);
		assert_int_equal(r.n, cases[i].good);
		assert_prefix(&r, msgs, lens, STD_N + 1);
		assert_false(r.finished);
		result_free(&r);
		stream_free(&sp);
	}

	/* A frame from another stream under the same key. */
	std_stream(&other);
	splice(&st, (const size_t[]){ 0, 1 }, 2, &sp);
	append(&sp, other.buf + other.off[2], other.off[3] - other.off[2]);
	receive(key_a, sp.buf, sp.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_ECRYPTO);
	assert_int_equal(r.n, 2);
	result_free(&r);
	stream_free(&sp);

	/* Another stream's header in front of this stream's frames. */
	memcpy(st.buf, other.buf, FRAME_HEADER_BYTES);
	receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_ECRYPTO);
	assert_int_equal(r.n, 0);
	result_free(&r);
	stream_free(&other);
	stream_free(&st);
}

/* The other direction's key (or any other) opens nothing. */
static void
test_wrong_key(void **state)
{
	struct frame_rx *rx;
	struct stream st;
	struct result r;
	uint8_t *m;
	size_t mlen;

	(void)state;
	std_stream(&st);
	receive(key_b, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_ECRYPTO);
	assert_int_equal(r.n, 0);
	assert_false(r.finished);
	result_free(&r);

	assert_int_equal(frame_rx_new(key_b, &rx), 0);
	assert_int_equal(frame_rx_feed(rx, st.buf, st.len), 0);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_ECRYPTO);
	assert_null(m);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_ECRYPTO);
	assert_int_equal(frame_rx_feed(rx, st.buf, 1), BAL_ECRYPTO);
	assert_false(frame_rx_finished(rx));
	frame_rx_free(rx);
	stream_free(&st);
}

/* Tags balint never sends (PUSH, REKEY) are protocol errors. */
static void
test_foreign_tags(void **state)
{
	static const unsigned char tags[] = {
		crypto_secretstream_xchacha20poly1305_TAG_PUSH,
		crypto_secretstream_xchacha20poly1305_TAG_REKEY,
	};
	crypto_secretstream_xchacha20poly1305_state ss;
	uint8_t buf[FRAME_HEADER_BYTES + FRAME_WIRE_BYTES(3)];
	struct result r;
	unsigned long long clen;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tags); i++) {
		crypto_secretstream_xchacha20poly1305_init_push(&ss, buf,
		    key_a);
		buf[FRAME_HEADER_BYTES] = 0;
		buf[FRAME_HEADER_BYTES + 1] = 0;
		buf[FRAME_HEADER_BYTES + 2] = 0;
		buf[FRAME_HEADER_BYTES + 3] = FRAME_ABYTES + 3;
		crypto_secretstream_xchacha20poly1305_push(&ss,
		    buf + FRAME_HEADER_BYTES + 4, &clen, std_bye, 3, NULL, 0,
		    tags[i]);
		assert_int_equal(clen, FRAME_ABYTES + 3);
		receive(key_a, buf, sizeof(buf), 0, 0, &r);
		assert_int_equal(r.rc, BAL_EPROTO);
		assert_int_equal(r.n, 0);
		result_free(&r);
	}
	sodium_memzero(&ss, sizeof(ss));
}

/* Random bytes, and random frames behind a real header, never crash. */
static void
test_garbage(void **state)
{
	uint8_t buf[3000], hdr[FRAME_HEADER_BYTES];
	struct frame_tx *tx;
	struct result r;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t len, i, body;

	(void)state;
	assert_int_equal(frame_tx_new(key_a, hdr, &tx), 0);
	for (i = 0; i < 400; i++) {
		len = prng(&s) % sizeof(buf);
		prng_fill(&s, buf, len);
		if (i % 2 && len > FRAME_HEADER_BYTES + 4) {
			/* A real header and a plausible length prefix. */
			memcpy(buf, hdr, FRAME_HEADER_BYTES);
			body = prng(&s) % (len - FRAME_HEADER_BYTES - 4 + 40);
			buf[FRAME_HEADER_BYTES] = 0;
			buf[FRAME_HEADER_BYTES + 1] = 0;
			buf[FRAME_HEADER_BYTES + 2] = (uint8_t)(body >> 8);
			buf[FRAME_HEADER_BYTES + 3] = (uint8_t)body;
		}
		receive(key_a, buf, len, i % 4 ? 0 : 9, s, &r);
		assert_int_equal(r.n, 0);
		assert_false(r.finished);
		if (r.rc != BAL_ECRYPTO && r.rc != BAL_EPROTO &&
		    r.rc != BAL_ETOOBIG)
			assert_int_equal(r.rc, BAL_EAGAIN);
		result_free(&r);
	}
	frame_tx_free(tx);
}

/* The receive buffer is bounded; oversized feeds are refused untouched. */
static void
test_bounded_buffer(void **state)
{
	struct frame_rx *rx;
	struct stream st;
	struct result r;
	uint8_t *big, *m;
	size_t room, mlen;

	(void)state;
	big = calloc(1, FRAME_RX_CAP + 1);
	assert_non_null(big);
	std_stream(&st);
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	assert_int_equal(frame_rx_room(rx), FRAME_RX_CAP);
	assert_int_equal(frame_rx_feed(rx, big, FRAME_RX_CAP + 1), BAL_EINVAL);
	assert_int_equal(frame_rx_room(rx), FRAME_RX_CAP);
	/* Still alive: the real stream goes through. */
	assert_int_equal(frame_rx_feed(rx, st.buf, 10), 0);
	assert_int_equal(frame_rx_room(rx), FRAME_RX_CAP - 10);
	assert_int_equal(frame_rx_feed(rx, big, FRAME_RX_CAP - 9), BAL_EINVAL);
	assert_int_equal(frame_rx_feed(rx, st.buf + 10, st.len - 10), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(drain(rx, &r), BAL_EEOF);
	assert_int_equal(r.n, STD_N + 1);
	result_free(&r);
	frame_rx_free(rx);

	/* A full buffer (header + maximal frame) is allowed, not more. */
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	big[FRAME_HEADER_BYTES + 1] = 0x10;	/* 0x00100000 + ... */
	big[FRAME_HEADER_BYTES + 3] = FRAME_ABYTES;
	assert_int_equal(frame_rx_feed(rx, big, FRAME_RX_CAP - 1), 0);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EAGAIN);
	room = frame_rx_room(rx);
	assert_int_equal(room, FRAME_HEADER_BYTES + 1);
	assert_int_equal(frame_rx_feed(rx, big, room + 1), BAL_EINVAL);
	assert_int_equal(frame_rx_feed(rx, big, 1), 0);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_ECRYPTO);
	frame_rx_free(rx);
	stream_free(&st);
	free(big);
}

/*
 * The example stream of docs/protocol.md (key 01 02 .. 20): "hello",
 * then FINAL "bye".  Pins the wire format: byte order, no associated
 * data, tags.
 */
static void
test_known_answer(void **state)
{
	static const uint8_t kat[] = {
		/* secretstream header */
		0xaa, 0x25, 0x25, 0xf3, 0xd9, 0x7b, 0x8d, 0xca,
		0xd0, 0x24, 0xa7, 0x2e, 0xb9, 0x3a, 0x8d, 0x60,
		0x06, 0x06, 0x5f, 0xd9, 0x03, 0x81, 0xf0, 0xe4,
		/* N = 22, MESSAGE "hello" */
		0x00, 0x00, 0x00, 0x16, 0xfb, 0xe2, 0xcf, 0x95,
		0x3b, 0x8a, 0xb6, 0x93, 0x86, 0x60, 0x5f, 0xfb,
		0xac, 0x38, 0xd4, 0x7f, 0xe0, 0x02, 0xba, 0xaf,
		0x12, 0xa9,
		/* N = 20, FINAL "bye" */
		0x00, 0x00, 0x00, 0x14, 0x41, 0x99, 0xfe, 0xde,
		0xe9, 0xec, 0x3f, 0x27, 0xb2, 0xd5, 0x51, 0x9b,
		0x7a, 0xde, 0x43, 0x4b, 0xcf, 0x7d, 0x56, 0x8a,
	};
	struct result r;

	(void)state;
	receive(key_a, kat, sizeof(kat), 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_true(r.finished);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.len[0], 5);
	assert_memory_equal(r.msg[0], "hello", 5);
	assert_int_equal(r.len[1], 3);
	assert_memory_equal(r.msg[1], "bye", 3);
	result_free(&r);
}

/*
 * A connection keeps one plaintext buffer: messages freed before the next
 * one arrives cost no guarded allocation each.  Messages above 64 KiB and
 * messages that arrive while the kept one is still held get their own.
 */
static void
test_kept_buffer(void **state)
{
	static uint8_t big[100000];
	uint8_t msg[1024], hdr[FRAME_HEADER_BYTES], *f, *m, *held, *m2;
	struct frame_tx *tx;
	struct frame_rx *rx;
	size_t flen, mlen, i;
	unsigned long before;
	uint64_t s = 11;

	(void)state;
	prng_fill(&s, big, sizeof(big));
	assert_int_equal(frame_tx_new(key_a, hdr, &tx), 0);
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	assert_int_equal(frame_rx_feed(rx, hdr, sizeof(hdr)), 0);
	before = n_guarded;
	for (i = 0; i < 100; i++) {
		memset(msg, (int)i, sizeof(msg));
		assert_int_equal(frame_push(tx, msg, sizeof(msg) - i, &f,
		    &flen), 0);
		assert_int_equal(frame_rx_feed(rx, f, flen), 0);
		free(f);
		assert_int_equal(frame_rx_next(rx, &m, &mlen), 0);
		assert_int_equal(mlen, sizeof(msg) - i);
		assert_memory_equal(m, msg, mlen);
		frame_msg_free(m);
	}
	assert_true(n_guarded - before <= 1);

	/* A big message, then small ones again: all intact. */
	assert_int_equal(frame_push(tx, big, sizeof(big), &f, &flen), 0);
	assert_int_equal(frame_rx_feed(rx, f, flen), 0);
	free(f);
	assert_int_equal(frame_rx_next(rx, &m, &mlen), 0);
	assert_int_equal(mlen, sizeof(big));
	assert_memory_equal(m, big, sizeof(big));
	frame_msg_free(m);

	/* Two messages held at once stay apart and intact. */
	for (i = 0; i < 2; i++) {
		memset(msg, 0x50 + (int)i, sizeof(msg));
		assert_int_equal(frame_push(tx, msg, sizeof(msg), &f, &flen),
		    0);
		assert_int_equal(frame_rx_feed(rx, f, flen), 0);
		free(f);
	}
	assert_int_equal(frame_rx_next(rx, &held, &mlen), 0);
	assert_int_equal(frame_rx_next(rx, &m2, &mlen), 0);
	assert_ptr_not_equal(held, m2);
	memset(msg, 0x50, sizeof(msg));
	assert_memory_equal(held, msg, sizeof(msg));
	memset(msg, 0x51, sizeof(msg));
	assert_memory_equal(m2, msg, sizeof(msg));
	frame_msg_free(m2);

	/* A message outlives its receiver until it is freed. */
	frame_rx_free(rx);
	memset(msg, 0x50, sizeof(msg));
	assert_memory_equal(held, msg, sizeof(msg));
	frame_msg_free(held);
	frame_tx_free(tx);
}

/* Bad arguments are refused; frees accept NULL. */
static void
test_args(void **state)
{
	struct frame_tx *tx;
	struct frame_rx *rx;
	uint8_t hdr[FRAME_HEADER_BYTES], *f, *m;
	size_t flen, mlen;

	(void)state;
	frame_tx_free(NULL);
	frame_rx_free(NULL);
	frame_msg_free(NULL);
	assert_int_equal(frame_tx_new(NULL, hdr, &tx), BAL_EINVAL);
	assert_null(tx);
	assert_int_equal(frame_tx_new(key_a, NULL, &tx), BAL_EINVAL);
	assert_int_equal(frame_tx_new(key_a, hdr, NULL), BAL_EINVAL);
	assert_int_equal(frame_rx_new(NULL, &rx), BAL_EINVAL);
	assert_null(rx);
	assert_int_equal(frame_rx_new(key_a, NULL), BAL_EINVAL);
	assert_int_equal(frame_push(NULL, NULL, 0, &f, &flen), BAL_EINVAL);
	assert_int_equal(frame_tx_new(key_a, hdr, &tx), 0);
	assert_int_equal(frame_push(tx, NULL, 1, &f, &flen), BAL_EINVAL);
	assert_null(f);
	assert_int_equal(frame_push(tx, hdr, 1, NULL, &flen), BAL_EINVAL);
	assert_int_equal(frame_push(tx, hdr, 1, &f, NULL), BAL_EINVAL);
	frame_tx_free(tx);
	assert_int_equal(frame_rx_new(key_a, &rx), 0);
	assert_int_equal(frame_rx_feed(rx, NULL, 1), BAL_EINVAL);
	assert_int_equal(frame_rx_next(rx, NULL, &mlen), BAL_EINVAL);
	assert_int_equal(frame_rx_next(rx, &m, NULL), BAL_EINVAL);
	assert_int_equal(frame_rx_next(NULL, &m, &mlen), BAL_EINVAL);
	assert_int_equal(frame_rx_feed(NULL, hdr, 1), BAL_EINVAL);
	assert_int_equal(frame_rx_room(NULL), 0);
	assert_false(frame_rx_finished(NULL));
	/* Argument errors do not kill the stream. */
	assert_int_equal(frame_rx_next(rx, &m, &mlen), BAL_EAGAIN);
	frame_rx_free(rx);
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_toobig_keeps_sender),
		cmocka_unit_test(test_oversized_prefix),
		cmocka_unit_test(test_short_prefix),
		cmocka_unit_test(test_final),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_drop_replay_reorder),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_foreign_tags),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_bounded_buffer),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_kept_buffer),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
