/*
 * fuzz-frame-rx.c — frame_rx (proto/frame.c) fed arbitrary bytes in
 * arbitrary chunks under a fixed key.
 *
 * Input: [chunk seed u8] || stream bytes.  The seed drives the sizes of
 * the chunks handed to frame_rx_feed (1..512 bytes, never above
 * frame_rx_room); after every chunk frame_rx_next is drained.  The seed
 * corpus holds valid streams under FUZZ_KEY_FRAME, so the fuzzer starts
 * from frames that authenticate and mutates them.
 *
 * Checked: no memory error; a message is never above FRAME_MAX_PLAIN;
 * after BAL_EAGAIN there is room for progress; an error is final (the same
 * code on every later call); frame_rx_finished agrees with BAL_EEOF.
 */
#include "fuzz.h"
#include "frame.h"

static uint8_t key[BAL_KEY_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_key(key, FUZZ_KEY_FRAME);
	return 0;
}

/* Drains every whole message; returns 0 (need more), or the final code. */
static int
drain(struct frame_rx *rx)
{
	uint8_t *msg;
	size_t len;
	int rc;

	for (;;) {
		rc = frame_rx_next(rx, &msg, &len);
		if (rc == 0) {
			fuzz_check(msg != NULL && len <= FRAME_MAX_PLAIN);
			fuzz_touch(msg, len);
			frame_msg_free(msg);
			continue;
		}
		fuzz_check(msg == NULL && len == 0);
		if (rc == BAL_EAGAIN) {
			fuzz_check(frame_rx_room(rx) > FRAME_HEADER_BYTES);
			return 0;
		}
		return rc;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct frame_rx *rx = NULL;
	const uint8_t *p;
	uint8_t *msg;
	size_t n, room, len;
	uint32_t state;
	int rc = 0, rc2;

	fuzz_reset();
	state = 0x9e3779b9u ^ fuzz_u8(&in);
	fuzz_check(frame_rx_new(key, &rx) == 0);
	while (in.n > 0) {
		state = state * 1103515245u + 12345u;
		n = 1 + (state >> 16) % 512;
		room = frame_rx_room(rx);
		if (n > room)
			n = room;
		n = fuzz_take(&in, n, &p);
		rc = frame_rx_feed(rx, p, n);
		if (rc != 0)
			break;
		if ((rc = drain(rx)) != 0)
			break;
	}
	if (rc == BAL_EEOF) {
		fuzz_check(frame_rx_finished(rx));
		/* A clean end stays clean while nothing more comes. */
		fuzz_check(frame_rx_next(rx, &msg, &len) == BAL_EEOF);
		if (in.n > 0) {
			/* Bytes after FINAL kill the stream. */
			n = fuzz_take(&in, 1, &p);
			rc2 = frame_rx_feed(rx, p, n);
			fuzz_check(rc2 == BAL_EPROTO);
			fuzz_check(!frame_rx_finished(rx));
		}
	} else if (rc != 0 && rc != BAL_EINVAL && rc != BAL_ENOMEM) {
		/* Dead: the same error from every later call. */
		fuzz_check(!frame_rx_finished(rx));
		fuzz_check(frame_rx_next(rx, &msg, &len) == rc);
		fuzz_check(msg == NULL);
		fuzz_check(frame_rx_feed(rx, data, 1) == rc);
	}
	frame_rx_free(rx);
	return 0;
}
