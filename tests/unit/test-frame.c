/*
 * test-frame.c — the framed stream: round trips, chunking, sizes, the
 * final frame, bounded and kept buffers, known answers, arguments.
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

/*
 * Guarded allocations made by the code under test: this definition takes
 * the place of libsodium's for the whole program and hands every call on
 * to it (each costs an mmap, mprotects, an mlock and later as many calls
 * to undo them).
 */
static unsigned long n_guarded;

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
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
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
	frame_receive(key_a, st.buf, st.len, 0, 0, &whole);
	assert_int_equal(whole.rc, BAL_EEOF);
	assert_int_equal(whole.n, STD_N + 1);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		for (seed = 1; seed <= 20; seed++) {
			frame_receive(key_a, st.buf, st.len, chunks[i], seed, &r);
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
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_true(r.finished);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.len[0], 0);
	assert_int_equal(r.len[1], 0);
	result_free(&r);
	stream_free(&st);

	/* A FINAL frame with a message delivers it, then the end. */
	make_stream(key_a, msgs, lens, 0, 1, std_bye, sizeof(std_bye), &st);
	frame_receive(key_a, st.buf, st.len, 1, 0, &r);
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
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_int_equal(r.n, 3);
	assert_prefix(&r, msgs, lens, 3);
	result_free(&r);
	frame_receive(key_a, st.buf, st.len, 65536, 5, &r);
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
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EEOF);
	assert_int_equal(r.n, 1);
	assert_memory_equal(r.msg[0], std_bye, sizeof(std_bye));
	result_free(&r);
	stream_free(&st);
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
	frame_receive(key_a, junk, st.len + 1, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EPROTO);
	assert_int_equal(r.n, STD_N + 1);
	assert_false(r.finished);
	result_free(&r);

	/* The whole stream twice (replayed after its end). */
	junk = realloc(junk, 2 * st.len);
	assert_non_null(junk);
	memcpy(junk + st.len, st.buf, st.len);
	frame_receive(key_a, junk, 2 * st.len, 3, 9, &r);
	assert_int_equal(r.rc, BAL_EPROTO);
	assert_int_equal(r.n, STD_N + 1);
	result_free(&r);
	free(junk);
	stream_free(&st);

	/* An empty FINAL followed by junk: EPROTO at once. */
	make_stream(key_a, NULL, NULL, 0, 1, NULL, 0, &st);
	append(&st, std_bye, 1);
	frame_receive(key_a, st.buf, st.len, 0, 0, &r);
	assert_int_equal(r.rc, BAL_EPROTO);
	assert_int_equal(r.n, 0);
	assert_false(r.finished);
	result_free(&r);
	stream_free(&st);
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
	frame_receive(key_a, kat, sizeof(kat), 0, 0, &r);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_toobig_keeps_sender),
		cmocka_unit_test(test_final),
		cmocka_unit_test(test_bounded_buffer),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_kept_buffer),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, frame_setup, NULL);
}
