/*
 * fuzz-frame-flip.c — a valid frame stream (frame_tx, proto/frame.c) is
 * made from the fuzzer's messages, then bytes are flipped or cut as the
 * input says, and frame_rx reads the result in chunks.
 *
 * Input: [flags u8: bits 0-2 messages (0..7), bit 3 FINAL on the last]
 *        [chunk seed u8] then per message [len u16 (mod 1025)][bytes]
 *        [cut u16: 0 = keep all, else keep (cut-1) mod (n+1) bytes]
 *        then flips, each [position u16 (mod n)][xor u8].
 *
 * Checked: every message the receiver delivers is the original message of
 * the same index (a flip never yields a forged or shifted message); every
 * frame that lies wholly before the first changed byte is delivered; an
 * untouched stream delivers everything and ends (BAL_EEOF) exactly when
 * its last frame is FINAL.
 */
#include "fuzz.h"
#include "frame.h"

#define MAX_MSGS 7
#define MAX_LEN 1024

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

struct orig {
	const uint8_t *p;
	size_t len;
	size_t end;		/* wire offset one past its frame */
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct orig msgs[MAX_MSGS];
	struct frame_tx *tx = NULL;
	struct frame_rx *rx = NULL;
	uint8_t *wire = NULL, *orig = NULL, *f, *m;
	size_t nmsg, i, n = FRAME_HEADER_BYTES, flen, cut, pos, first, room;
	size_t got = 0, expect, chunk, mlen;
	uint32_t state;
	uint16_t c;
	int final, rc = 0, eof = 0;
	uint8_t flags, x;

	fuzz_reset();
	flags = fuzz_u8(&in);
	nmsg = flags & 7;
	final = (flags & 8) != 0 && nmsg > 0;
	state = 0x85ebca6bu ^ fuzz_u8(&in);
	for (i = 0; i < nmsg; i++) {
		msgs[i].len = fuzz_take(&in, fuzz_u16(&in) % (MAX_LEN + 1),
		    &msgs[i].p);
		n += FRAME_WIRE_BYTES(msgs[i].len);
		msgs[i].end = n;
	}
	fuzz_check((wire = malloc(n)) != NULL);
	fuzz_check((orig = malloc(n)) != NULL);
	fuzz_check(frame_tx_new(key, wire, &tx) == 0);
	for (i = 0; i < nmsg; i++) {
		if (final && i == nmsg - 1)
			rc = frame_push_final(tx, msgs[i].p, msgs[i].len, &f,
			    &flen);
		else
			rc = frame_push(tx, msgs[i].p, msgs[i].len, &f, &flen);
		fuzz_check(rc == 0 && flen == FRAME_WIRE_BYTES(msgs[i].len));
		memcpy(wire + msgs[i].end - flen, f, flen);
		free(f);
	}
	memcpy(orig, wire, n);
	c = fuzz_u16(&in);
	cut = c == 0 ? n : (size_t)(c - 1) % (n + 1);
	while (in.n > 0) {
		pos = fuzz_u16(&in) % n;
		x = fuzz_u8(&in);
		wire[pos] ^= x;
	}
	for (first = 0; first < cut && wire[first] == orig[first]; first++)
		;

	/* Read it back in chunks, stopping at the first error or the end. */
	fuzz_check(frame_rx_new(key, &rx) == 0);
	pos = 0;
	rc = 0;
	while (pos < cut && rc == 0 && !eof) {
		state = state * 1103515245u + 12345u;
		chunk = 1 + (state >> 16) % 700;
		if (chunk > cut - pos)
			chunk = cut - pos;
		room = frame_rx_room(rx);
		if (chunk > room)
			chunk = room;
		if ((rc = frame_rx_feed(rx, wire + pos, chunk)) != 0)
			break;
		pos += chunk;
		while ((rc = frame_rx_next(rx, &m, &mlen)) == 0) {
			/* Skip the index of a FINAL frame with no message. */
			fuzz_check(got < nmsg);
			fuzz_check(mlen == msgs[got].len);
			fuzz_check(mlen == 0 ||
			    memcmp(m, msgs[got].p, mlen) == 0);
			frame_msg_free(m);
			got++;
		}
		if (rc == BAL_EEOF) {
			eof = 1;
			rc = 0;
		} else if (rc == BAL_EAGAIN) {
			rc = 0;
		}
	}
	/* Messages in frames wholly before the first change. */
	expect = 0;
	for (i = 0; i < nmsg; i++) {
		if (msgs[i].end > first)
			break;
		if (!(final && i == nmsg - 1 && msgs[i].len == 0))
			expect = i + 1;
	}
	fuzz_check(got >= expect);
	if (first == n) {
		/* Untouched and complete. */
		fuzz_check(rc == 0);
		fuzz_check(got == (final && msgs[nmsg - 1].len == 0 ?
		    nmsg - 1 : nmsg));
		fuzz_check(eof == final);
		fuzz_check(frame_rx_finished(rx) == final);
	} else if (eof) {
		/* An end is only reached through the original FINAL frame. */
		fuzz_check(final && msgs[nmsg - 1].end <= first);
	}
	frame_rx_free(rx);
	frame_tx_free(tx);
	free(wire);
	free(orig);
	return 0;
}
