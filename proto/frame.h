/*
 * frame.h — the transport framing of a peer connection (DESIGN.md §4).
 *
 * After the handshake each direction of a connection is one
 * crypto_secretstream_xchacha20poly1305 stream under that direction's key:
 *
 *	header (24 bytes) || frame || frame || ... || final frame
 *	frame = N (4 bytes, big-endian) || N bytes of secretstream ciphertext
 *
 * Every frame but the last has tag MESSAGE; the last has tag FINAL, so a
 * stream that stops without it was truncated.  A frame carries at most
 * FRAME_MAX_PLAIN bytes of plaintext.  Byte buffers only: the caller moves
 * the bytes over its socket.  The exact format is in docs/protocol.md.
 *
 * Both sides need sodium_init() to have been called.
 *
 * Ownership: struct frame_tx and struct frame_rx belong to their caller
 * (frame_*_free); their secretstream state lives in sodium_malloc'd memory
 * and is wiped on free.  frame_push* hand out malloc'd ciphertext (free()
 * it); frame_rx_next hands out plaintext in sodium_malloc'd memory, which
 * frame_msg_free() wipes and releases.  A receiver keeps one such buffer
 * for messages of up to 64 KiB and hands it out again once its message
 * was freed, so that a connection does not allocate guarded memory for
 * every message; larger messages, and messages taken while an earlier one
 * is still held, get their own.  A message stays valid until it is freed,
 * even after frame_rx_free.
 */
#ifndef BAL_FRAME_H
#define BAL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

/* The stream header (crypto_secretstream_xchacha20poly1305_HEADERBYTES). */
#define FRAME_HEADER_BYTES 24
/* The length prefix of every frame. */
#define FRAME_LEN_BYTES 4
/* Secretstream's per-frame expansion (tag byte + MAC, _ABYTES). */
#define FRAME_ABYTES 17
/* The hard maximum of plaintext in one frame: 1 MiB. */
#define FRAME_MAX_PLAIN (1024u * 1024)
/* Bytes on the wire for a frame carrying n bytes of plaintext. */
#define FRAME_WIRE_BYTES(n) ((size_t)FRAME_LEN_BYTES + FRAME_ABYTES + (n))
/* The most a struct frame_rx ever buffers: the header plus one frame. */
#define FRAME_RX_CAP (FRAME_HEADER_BYTES + FRAME_WIRE_BYTES(FRAME_MAX_PLAIN))

struct frame_tx;
struct frame_rx;

/*
 * frame_tx_new starts the sending stream under key and writes the stream
 * header that must be sent before any frame.
 */
int frame_tx_new(const uint8_t key[BAL_KEY_BYTES],
    uint8_t header[FRAME_HEADER_BYTES], struct frame_tx **out);
/* frame_tx_free wipes and releases the sender; NULL is a no-op. */
void frame_tx_free(struct frame_tx *tx);

/*
 * frame_push encrypts msg[0..len) into one frame (tag MESSAGE); *out is
 * malloc'd, *outlen = FRAME_WIRE_BYTES(len).  BAL_ETOOBIG: len is above
 * FRAME_MAX_PLAIN (the sender stays usable); BAL_ESTATE: the stream was
 * already ended with frame_push_final.  msg may be NULL when len is 0.
 */
int frame_push(struct frame_tx *tx, const uint8_t *msg, size_t len,
    uint8_t **out, size_t *outlen);
/*
 * frame_push_final ends the stream with a FINAL frame carrying msg (may be
 * empty, e.g. no goodbye); after it every push is BAL_ESTATE.
 */
int frame_push_final(struct frame_tx *tx, const uint8_t *msg, size_t len,
    uint8_t **out, size_t *outlen);

/* frame_rx_new prepares to receive a stream under key. */
int frame_rx_new(const uint8_t key[BAL_KEY_BYTES], struct frame_rx **out);
/* frame_rx_free wipes and releases the receiver; NULL is a no-op. */
void frame_rx_free(struct frame_rx *rx);

/*
 * frame_rx_room is how many bytes frame_rx_feed accepts right now: the
 * buffer never holds more than FRAME_RX_CAP bytes.  After frame_rx_next
 * has returned BAL_EAGAIN the room is at least FRAME_HEADER_BYTES + 1, so
 * a caller that feeds min(len, room) bytes and then drains frame_rx_next
 * always makes progress.
 */
size_t frame_rx_room(const struct frame_rx *rx);
/*
 * frame_rx_feed appends received bytes (all of them, or none).  0: taken;
 * BAL_EINVAL: len is above frame_rx_room (nothing taken, rx unchanged);
 * BAL_ENOMEM: nothing taken, rx unchanged; BAL_EPROTO: bytes after the
 * end of the stream; after an error of the stream, that error.
 */
int frame_rx_feed(struct frame_rx *rx, const uint8_t *data, size_t len);
/*
 * frame_rx_next decrypts the next whole message.  0: *msg (never NULL,
 * free with frame_msg_free) holds *len bytes; BAL_EAGAIN: more bytes are
 * needed; BAL_EEOF: the FINAL frame was read (its message, if not empty,
 * came first) and the stream ended cleanly.  Errors, after which the
 * receiver is dead and every later call returns the same code:
 * BAL_ETOOBIG a length prefix above FRAME_ABYTES + FRAME_MAX_PLAIN
 * (decided from the 4 prefix bytes alone); BAL_EPROTO a length prefix
 * below FRAME_ABYTES, a tag other than MESSAGE or FINAL, or any byte
 * after the FINAL frame; BAL_ECRYPTO a frame that does not authenticate
 * (tampered, wrong key, dropped, replayed or reordered frame).
 * BAL_ENOMEM leaves the receiver unchanged.
 */
int frame_rx_next(struct frame_rx *rx, uint8_t **msg, size_t *len);
/*
 * frame_rx_finished is 1 when the FINAL frame was read and nothing wrong
 * came after it, else 0: a connection that closes while this is 0 was
 * truncated (or broken).
 */
int frame_rx_finished(const struct frame_rx *rx);

/* frame_msg_free wipes and releases a message of frame_rx_next; NULL ok. */
void frame_msg_free(uint8_t *msg);

#endif
