/*
 * test-frame-hostile.c — the framed stream under hostile input: bad length
 * prefixes, truncation, tampering, dropped, replayed and reordered frames,
 * wrong keys, foreign tags, garbage.
 */
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

static const uint8_t key_b[BAL_KEY_BYTES] = { 0xaa };

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
		frame_receive(key_a, st.buf, cut, cut % 2 ? 0 : 5, cut, &r);
		assert_int_equal(r.rc, BAL_EAGAIN);
		assert_false(r.finished);
		assert_prefix(&r, msgs, lens, STD_N + 1);
		assert_true(r.n <= STD_N);	/* the goodbye needs FINAL */
		result_free(&r);
	}
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_true(r.finished);
	result_free(&r);
	stream_free(&st);

	/* A stream whose sender never pushed FINAL. */
	make_stream(key_a, msgs, lens, STD_N, 0, NULL, 0, &st);
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
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
			frame_receive(key_a, st.buf, st.len, i % 3 ? 0 : 4, i, &r);
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
		frame_receive(key_a, sp.buf, sp.len, 0, 0, &r);
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
	frame_receive(key_a, sp.buf, sp.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_ECRYPTO);
	assert_int_equal(r.n, 2);
	result_free(&r);
	stream_free(&sp);

	/* Another stream's header in front of this stream's frames. */
	memcpy(st.buf, other.buf, FRAME_HEADER_BYTES);
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
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
	frame_receive(key_b, st.buf, st.len, 0, 0, &r);
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
		frame_receive(key_a, buf, sizeof(buf), 0, 0, &r);
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
		frame_receive(key_a, buf, len, i % 4 ? 0 : 9, s, &r);
		assert_int_equal(r.n, 0);
		assert_false(r.finished);
		if (r.rc != BAL_ECRYPTO && r.rc != BAL_EPROTO &&
		    r.rc != BAL_ETOOBIG)
			assert_int_equal(r.rc, BAL_EAGAIN);
		result_free(&r);
	}
	frame_tx_free(tx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oversized_prefix),
		cmocka_unit_test(test_short_prefix),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_drop_replay_reorder),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_foreign_tags),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, frame_setup, NULL);
}
