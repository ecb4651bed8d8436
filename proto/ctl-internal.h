/*
 * ctl-internal.h — shared by ctl.c, ctl-req.c, ctl-resp.c and ctl-kv.c only.
 *
 * Requests carry one list of key/value pairs (the arguments), responses
 * one per record; both are built, sized, checked, packed and read the
 * same way.  ctl-kv.c holds that machinery once, ctl-req.c and
 * ctl-resp.c the two messages around it and ctl.c what else they share,
 * so the messages can share it without a copy.  Not part of the public
 * API: nothing outside those files includes it.
 *
 * Ownership: strings and bins live in a struct arena (copied in by
 * ctl_kv_arena_str and ctl_kv_add) until ctl_kv_arena_free wipes and
 * releases every chunk; the pairs array of a struct kvl is realloc'd by
 * ctl_kv_add and freed by its owner.  Values handed out point into the
 * arena.
 */
#ifndef BAL_CTL_INTERNAL_H
#define BAL_CTL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "mp.h"

/*
 * Strings and bins are copied into an arena of chunks, so that a listing
 * of many records costs few allocations; the chunks are wiped on free
 * because note text passes through.  A zeroed struct arena is empty.
 */
struct chunk;
struct arena {
	struct chunk *head;
};

/* A growable array of key/value pairs; a zeroed struct kvl is empty. */
struct kvl {
	struct ctl_kv *v;
	size_t n;
	size_t cap;
};

/* ctl_kv_arena_free wipes and frees every chunk of a; a is left empty. */
void ctl_kv_arena_free(struct arena *a);

/* ctl_kv_arena_str copies s[0..len) into a, NUL-terminated; NULL: ENOMEM. */
char *ctl_kv_arena_str(struct arena *a, const char *s, size_t len);

/* Encoded sizes of a uint, a str of len bytes and an array header of n
 * elements, as msgpack-c's packer chooses them. */
size_t ctl_kv_sz_uint(uint64_t u);
size_t ctl_kv_sz_str(size_t len);
size_t ctl_kv_sz_arr(size_t n);

/* ctl_kv_name_ok: 1 if s[0..len) is 1..max bytes of [a-z0-9._-], else 0. */
int ctl_kv_name_ok(const char *s, size_t len, size_t max);

/*
 * ctl_kv_add appends key = *v (key of keylen bytes, value copied into a)
 * to the segment l->v[first..] of at most max pairs; *grown gets the
 * growth of the encoding.  BAL_EINVAL: bad or repeated key, bad value;
 * BAL_ETOOBIG: segment full or value too long; BAL_ENOMEM.  On error
 * nothing visible changes.
 */
int ctl_kv_add(struct kvl *l, size_t first, size_t max, struct arena *a,
    const char *key, size_t keylen, const struct ctl_value *v,
    size_t *grown);

/* ctl_kv_get finds key among v[0..n); NULL when absent. */
const struct ctl_value *ctl_kv_get(const struct ctl_kv *v, size_t n,
    const char *key);

/*
 * Typed reads of a value from ctl_kv_get: 0 and the value when v holds
 * that type; BAL_ENOENT when v is NULL or nil; BAL_EPROTO for another
 * type.  len may be NULL.
 */
int ctl_kv_val_str(const struct ctl_value *v, const char **s, size_t *len);
int ctl_kv_val_uint(const struct ctl_value *v, uint64_t *u);
int ctl_kv_val_bool(const struct ctl_value *v, int *b);
int ctl_kv_val_bin(const struct ctl_value *v, const uint8_t **p,
    size_t *len);

/* ctl_kv_pack writes v[0..n) as [[key, value]...]; BAL_ENOMEM on failure. */
int ctl_kv_pack(msgpack_packer *pk, const struct ctl_kv *v, size_t n);

/*
 * ctl_kv_read reads the next element of r, one [key, value] pair, into
 * the segment as ctl_kv_add does; anything refused is BAL_EPROTO (or
 * BAL_ENOMEM).
 */
int ctl_kv_read(struct mp_rd *r, struct kvl *l, size_t first, size_t max,
    struct arena *a, size_t *grown);

/*
 * ctl_rd_open opens a control message: strict msgpack, an array whose
 * first element is the version.  For another version, *id is the second
 * element when it is an integer (0 otherwise) and the result is
 * BAL_EVERSION.
 */
int ctl_rd_open(struct mp_doc *doc, const uint8_t *buf, size_t len,
    struct mp_rd *r, uint64_t *version, uint64_t *id);
/* ctl_encode_start packs into a buffer of exactly size bytes. */
int ctl_encode_start(msgpack_sbuffer *sbuf, msgpack_packer *pk, size_t size);
/* ctl_encode_abort wipes and frees what ctl_encode_start began. */
void ctl_encode_abort(msgpack_sbuffer *sbuf);

#endif
