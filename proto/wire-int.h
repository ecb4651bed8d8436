/*
 * wire-int.h — what wire.c (the messages) and wire-runs.c (RUNS) share:
 * the one-block memory of a decoded message, and the encoders and
 * decoders of RUNS, PUNCH and HELLO's capabilities.  Not part of the proto/ API.
 */
#ifndef BAL_WIRE_INT_H
#define BAL_WIRE_INT_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "mp.h"
#include "wire.h"

/*
 * A decoded message is one malloc'd block: the struct wire_msg, then its
 * arrays, then copies of its strings and entries.  The block is sized in
 * advance from the element count and the input length (every string or
 * bin copied is a part of the input), so blk_take never runs out.
 */
struct blk {
	uint8_t *p;
	size_t used;
	size_t cap;
};

#define BLK_ALIGN (alignof(max_align_t))

static inline size_t
round_up(size_t n)
{
	return (n + BLK_ALIGN - 1) & ~(BLK_ALIGN - 1);
}

/* Allocates a block for a message with arrbytes of arrays and bytes of data. */
static inline struct wire_msg *
blk_new(struct blk *b, size_t arrbytes, size_t bytes)
{
	b->cap = round_up(sizeof(struct wire_msg)) + round_up(arrbytes) + bytes;
	b->used = 0;
	if ((b->p = calloc(1, b->cap)) == NULL)
		return NULL;
	b->used = round_up(sizeof(struct wire_msg));
	return (struct wire_msg *)(void *)b->p;
}

static inline void *
blk_take(struct blk *b, size_t n, size_t align)
{
	size_t off = (b->used + align - 1) & ~(align - 1);

	if (off > b->cap || n > b->cap - off)
		abort();	/* the block was sized wrong: a bug */
	b->used = off + n;
	return b->p + off;
}

static inline const uint8_t *
blk_bytes(struct blk *b, const uint8_t *s, size_t len)
{
	uint8_t *d = blk_take(b, len, 1);

	memcpy(d, s, len);
	return d;
}

/* RUNS (wire-runs.c): packs m, or decodes the rest of r into b. */
int wire_pack_runs(msgpack_packer *pk, const struct wire_msg *m);
int wire_dec_runs(struct mp_rd *r, size_t len, struct blk *b);

/* PUNCH (wire-punch.c): packs m, or decodes the rest of r into b. */
int wire_pack_punch(msgpack_packer *pk, const struct wire_msg *m);
int wire_dec_punch(struct mp_rd *r, struct blk *b);

/*
 * HELLO's capabilities (wire-caps.c): packs the array of caps' names (the
 * caller leaves the field out when caps is 0), or decodes the next element
 * of r into *caps, skipping unknown names.
 */
int wire_caps_pack(msgpack_packer *pk, uint32_t caps);
int wire_caps_dec(struct mp_rd *r, uint32_t *caps);

#endif
