/*
 * frame.c — length-prefixed secretstream frames over byte buffers (see
 * frame.h).  The wire format is written down in docs/protocol.md
 * §Transport framing.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "frame.h"

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define SS_TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

_Static_assert(FRAME_HEADER_BYTES ==
    crypto_secretstream_xchacha20poly1305_HEADERBYTES, "header size");
_Static_assert(FRAME_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES,
    "abytes");
_Static_assert(BAL_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES,
    "key size");
_Static_assert(FRAME_MAX_PLAIN <=
    crypto_secretstream_xchacha20poly1305_MESSAGEBYTES_MAX, "max plain");

/* The largest length prefix: the ciphertext of a maximal frame. */
#define FRAME_MAX_CIPHER ((uint32_t)FRAME_ABYTES + FRAME_MAX_PLAIN)
/* An emptied receive buffer larger than this is released. */
#define RX_KEEP_BYTES (64u * 1024)
/* The smallest receive buffer allocated. */
#define RX_MIN_ALLOC 4096u
/* The smallest kept plaintext buffer (bytes after its header). */
#define RX_PLAIN_MIN 4000u

struct frame_tx {
	crypto_secretstream_xchacha20poly1305_state st;
	int done;		/* the FINAL frame was pushed */
};

/* The secrets of a receiver, kept apart in sodium_malloc'd memory. */
struct frame_rx_secret {
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t key[BAL_KEY_BYTES];	/* only until the header arrives */
};

enum rx_state {
	RX_HEADER,		/* waiting for the 24-byte stream header */
	RX_FRAMES,		/* reading frames */
	RX_EOF,			/* the FINAL frame was read */
};

/*
 * Every plaintext that frame_rx_next hands out sits in a sodium_malloc'd
 * block behind this header, which tells frame_msg_free how many bytes to
 * wipe and whether the block is the receiver's kept buffer (owner set:
 * wiped and kept for the next message) or the message's own (owner NULL:
 * released).  Messages up to RX_KEEP_BYTES go into the kept buffer when it
 * is free, so a connection does not map and unmap guarded memory (several
 * system calls) for every message; larger ones, and messages that arrive
 * while the kept buffer is still handed out, get a block of their own.
 */
struct rx_plain {
	struct frame_rx *owner;	/* the receiver keeping it, or NULL */
	size_t cap;		/* bytes after the header */
	size_t len;		/* bytes of the message it holds */
	int busy;		/* handed out and not yet freed */
};

/* The header's size, rounded so that the bytes after it stay aligned. */
#define PLAIN_HDR ((sizeof(struct rx_plain) + 15) & ~(size_t)15)
#define PLAIN_BYTES(b) ((uint8_t *)(b) + PLAIN_HDR)

struct frame_rx {
	struct frame_rx_secret *sec;
	struct rx_plain *plain;	/* the kept plaintext buffer, or NULL */
	enum rx_state state;
	int err;		/* 0, or the error that killed the stream */
	uint8_t *buf;		/* ciphertext only, malloc'd lazily */
	size_t bufsz;		/* allocated bytes of buf */
	size_t start;		/* first unread byte */
	size_t end;		/* one past the last received byte */
};

int
frame_tx_new(const uint8_t key[BAL_KEY_BYTES],
    uint8_t header[FRAME_HEADER_BYTES], struct frame_tx **out)
{
	struct frame_tx *tx = NULL;
	int ret = BAL_EINVAL;

	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (key == NULL || header == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if ((tx = sodium_malloc(sizeof(*tx))) == NULL)
		goto out;
	tx->done = 0;
	ret = BAL_ECRYPTO;
	if (crypto_secretstream_xchacha20poly1305_init_push(&tx->st, header,
	    key) != 0)
		goto out;
	*out = tx;
	tx = NULL;
	ret = 0;
out:
	frame_tx_free(tx);
	return ret;
}

void
frame_tx_free(struct frame_tx *tx)
{
	sodium_free(tx);	/* wipes; NULL is a no-op */
}

/* Encrypts one frame with tag; shared by frame_push and frame_push_final. */
static int
push_tagged(struct frame_tx *tx, const uint8_t *msg, size_t len,
    unsigned char tag, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	unsigned long long clen;
	uint32_t n;
	int ret = BAL_EINVAL;

	if (out == NULL || outlen == NULL)
		return BAL_EINVAL;
	*out = NULL;
	*outlen = 0;
	if (tx == NULL || (msg == NULL && len > 0))
		goto out;
	ret = BAL_ESTATE;
	if (tx->done)
		goto out;
	ret = BAL_ETOOBIG;
	if (len > FRAME_MAX_PLAIN)
		goto out;
	ret = BAL_ENOMEM;
	if ((buf = malloc(FRAME_WIRE_BYTES(len))) == NULL)
		goto out;
	n = (uint32_t)(len + SS_ABYTES);
	buf[0] = (uint8_t)(n >> 24);
	buf[1] = (uint8_t)(n >> 16);
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	ret = BAL_ECRYPTO;
	if (crypto_secretstream_xchacha20poly1305_push(&tx->st,
	    buf + FRAME_LEN_BYTES, &clen, msg, len, NULL, 0, tag) != 0 ||
	    clen != n)
		goto out;
	if (tag == SS_TAG_FINAL)
		tx->done = 1;
	*out = buf;
	*outlen = FRAME_WIRE_BYTES(len);
	buf = NULL;
	ret = 0;
out:
	free(buf);
	return ret;
}

int
frame_push(struct frame_tx *tx, const uint8_t *msg, size_t len,
    uint8_t **out, size_t *outlen)
{
	return push_tagged(tx, msg, len, SS_TAG_MESSAGE, out, outlen);
}

int
frame_push_final(struct frame_tx *tx, const uint8_t *msg, size_t len,
    uint8_t **out, size_t *outlen)
{
	return push_tagged(tx, msg, len, SS_TAG_FINAL, out, outlen);
}

int
frame_rx_new(const uint8_t key[BAL_KEY_BYTES], struct frame_rx **out)
{
	struct frame_rx *rx = NULL;
	int ret = BAL_EINVAL;

	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (key == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if ((rx = calloc(1, sizeof(*rx))) == NULL)
		goto out;
	if ((rx->sec = sodium_malloc(sizeof(*rx->sec))) == NULL)
		goto out;
	memcpy(rx->sec->key, key, BAL_KEY_BYTES);
	rx->state = RX_HEADER;
	*out = rx;
	rx = NULL;
	ret = 0;
out:
	frame_rx_free(rx);
	return ret;
}

/*
 * A block for cap bytes of plaintext.  Its size is a multiple of 16:
 * sodium_malloc puts a block right before a guard page, so the block (and
 * the header at its start) is then aligned.
 */
static struct rx_plain *
plain_alloc(size_t cap)
{
	struct rx_plain *b;

	cap = (cap + 15) & ~(size_t)15;
	if ((b = sodium_malloc(PLAIN_HDR + cap)) == NULL)
		return NULL;
	b->owner = NULL;
	b->cap = cap;
	b->len = 0;
	b->busy = 0;
	return b;
}

/* Wipes a block's message; keeps the receiver's buffer, frees the rest. */
static void
plain_release(struct rx_plain *b)
{
	if (b == NULL)
		return;
	if (b->owner == NULL) {
		sodium_free(b);		/* wipes the whole block */
		return;
	}
	sodium_memzero(PLAIN_BYTES(b), b->len);
	b->len = 0;
	b->busy = 0;
}

/* A block for a message of n bytes: the kept buffer if it can, else new. */
static struct rx_plain *
plain_get(struct frame_rx *rx, size_t n)
{
	struct rx_plain *b;
	size_t cap;

	if (n > RX_KEEP_BYTES || (rx->plain != NULL && rx->plain->busy))
		return plain_alloc(n);
	if (rx->plain == NULL || rx->plain->cap < n) {
		cap = rx->plain != NULL ? 2 * rx->plain->cap : RX_PLAIN_MIN;
		if (cap < n)
			cap = n;
		if (cap > RX_KEEP_BYTES)
			cap = RX_KEEP_BYTES;
		if ((b = plain_alloc(cap)) == NULL)
			return NULL;
		sodium_free(rx->plain);	/* idle and wiped; NULL is a no-op */
		b->owner = rx;
		rx->plain = b;
	}
	return rx->plain;
}

void
frame_rx_free(struct frame_rx *rx)
{
	if (rx == NULL)
		return;
	sodium_free(rx->sec);	/* wipes the key and the stream state */
	if (rx->plain != NULL) {
		if (rx->plain->busy)
			rx->plain->owner = NULL;  /* its frame_msg_free frees it */
		else
			sodium_free(rx->plain);
	}
	free(rx->buf);
	free(rx);
}

/* Kills the stream: every later call returns err. */
static int
rx_die(struct frame_rx *rx, int err)
{
	rx->err = err;
	free(rx->buf);
	rx->buf = NULL;
	rx->bufsz = rx->start = rx->end = 0;
	return err;
}

size_t
frame_rx_room(const struct frame_rx *rx)
{
	if (rx == NULL)
		return 0;
	return FRAME_RX_CAP - (rx->end - rx->start);
}

int
frame_rx_feed(struct frame_rx *rx, const uint8_t *data, size_t len)
{
	uint8_t *nb;
	size_t used, want;

	if (rx == NULL || (data == NULL && len > 0))
		return BAL_EINVAL;
	if (rx->err != 0)
		return rx->err;
	if (len == 0)
		return 0;
	if (rx->state == RX_EOF)
		return rx_die(rx, BAL_EPROTO);
	used = rx->end - rx->start;
	if (len > FRAME_RX_CAP - used)
		return BAL_EINVAL;
	if (rx->end + len > rx->bufsz && rx->start > 0) {
		/* Compact only when needed, so each byte moves rarely. */
		memmove(rx->buf, rx->buf + rx->start, used);
		rx->start = 0;
		rx->end = used;
	}
	if (rx->end + len > rx->bufsz) {
		want = rx->bufsz * 2;
		if (want < RX_MIN_ALLOC)
			want = RX_MIN_ALLOC;
		if (want < rx->end + len)
			want = rx->end + len;
		if (want > FRAME_RX_CAP)
			want = FRAME_RX_CAP;
		if ((nb = realloc(rx->buf, want)) == NULL)
			return BAL_ENOMEM;
		rx->buf = nb;
		rx->bufsz = want;
	}
	memcpy(rx->buf + rx->end, data, len);
	rx->end += len;
	return 0;
}

/* Drops the bytes before rx->start; releases an emptied large buffer. */
static void
rx_consumed(struct frame_rx *rx)
{
	if (rx->start != rx->end)
		return;
	rx->start = rx->end = 0;
	if (rx->bufsz > RX_KEEP_BYTES) {
		free(rx->buf);
		rx->buf = NULL;
		rx->bufsz = 0;
	}
}

int
frame_rx_next(struct frame_rx *rx, uint8_t **msg, size_t *len)
{
	const uint8_t *p;
	struct rx_plain *m = NULL;
	unsigned long long mlen;
	unsigned char tag;
	uint32_t n;
	int ret = BAL_EINVAL;

	if (msg == NULL || len == NULL)
		return BAL_EINVAL;
	*msg = NULL;
	*len = 0;
	if (rx == NULL)
		goto out;
	if ((ret = rx->err) != 0)
		goto out;
	if (rx->state == RX_EOF) {
		ret = rx->end > rx->start ? rx_die(rx, BAL_EPROTO) : BAL_EEOF;
		goto out;
	}
	ret = BAL_EAGAIN;
	if (rx->state == RX_HEADER) {
		if (rx->end - rx->start < FRAME_HEADER_BYTES)
			goto out;
		if (crypto_secretstream_xchacha20poly1305_init_pull(
		    &rx->sec->st, rx->buf + rx->start, rx->sec->key) != 0) {
			ret = rx_die(rx, BAL_ECRYPTO);
			goto out;
		}
		sodium_memzero(rx->sec->key, sizeof(rx->sec->key));
		rx->start += FRAME_HEADER_BYTES;
		rx->state = RX_FRAMES;
		rx_consumed(rx);
	}
	if (rx->end - rx->start < FRAME_LEN_BYTES)
		goto out;
	/* The length prefix alone decides, before any body is awaited. */
	p = rx->buf + rx->start;
	n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	if (n < SS_ABYTES) {
		ret = rx_die(rx, BAL_EPROTO);
		goto out;
	}
	if (n > FRAME_MAX_CIPHER) {
		ret = rx_die(rx, BAL_ETOOBIG);
		goto out;
	}
	if (rx->end - rx->start - FRAME_LEN_BYTES < n)
		goto out;
	ret = BAL_ENOMEM;
	/* Guarded memory: plaintext stays out of swap and is wiped. */
	if ((m = plain_get(rx, n - SS_ABYTES)) == NULL)
		goto out;
	m->busy = 1;
	m->len = n - SS_ABYTES;		/* what plain_release wipes */
	if (crypto_secretstream_xchacha20poly1305_pull(&rx->sec->st,
	    PLAIN_BYTES(m), &mlen, &tag, p + FRAME_LEN_BYTES, n, NULL,
	    0) != 0) {
		ret = rx_die(rx, BAL_ECRYPTO);
		goto out;
	}
	m->len = (size_t)mlen;
	rx->start += FRAME_LEN_BYTES + (size_t)n;
	if (tag == SS_TAG_FINAL) {
		rx->state = RX_EOF;
		if (mlen == 0) {
			/* No goodbye message: report the end right away. */
			ret = rx->end > rx->start ? rx_die(rx, BAL_EPROTO) :
			    BAL_EEOF;
			rx_consumed(rx);
			goto out;
		}
	} else if (tag != SS_TAG_MESSAGE) {
		/* PUSH and REKEY are never sent by balint. */
		ret = rx_die(rx, BAL_EPROTO);
		goto out;
	}
	rx_consumed(rx);
	*msg = PLAIN_BYTES(m);
	*len = (size_t)mlen;
	m = NULL;
	ret = 0;
out:
	plain_release(m);	/* wipes a rejected or unused plaintext */
	return ret;
}

int
frame_rx_finished(const struct frame_rx *rx)
{
	return rx != NULL && rx->err == 0 && rx->state == RX_EOF;
}

void
frame_msg_free(uint8_t *msg)
{
	if (msg != NULL)
		plain_release((struct rx_plain *)(void *)(msg - PLAIN_HDR));
}
