/*
 * mp.h — strict msgpack-c helpers shared by every encoder and decoder.
 *
 * Encoding goes through msgpack-c's packer into a msgpack_sbuffer;
 * mp_sbuf_take() hands the bytes to the caller (free() them).
 *
 * Decoding: mp_doc_parse() accepts exactly one msgpack object that fills
 * the whole buffer (trailing bytes are BAL_EPROTO), after a pre-scan that
 * bounds every array/map count by the bytes that remain, so msgpack-c never
 * allocates for a length a peer only claimed.  Readers (struct mp_rd) then
 * walk positional arrays and check the type and length of every element;
 * mp_rd_end() fails unless every element was consumed.
 */
#ifndef BAL_MP_H
#define BAL_MP_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

/* The largest object mp_doc_parse accepts (every frame is smaller). */
#define MP_MAX_DOC (64u * 1024 * 1024)

struct mp_doc {
	msgpack_unpacked u;
	int live;
};

struct mp_rd {
	const msgpack_object *items;
	uint32_t n;
	uint32_t i;
};

/* mp_sbuf_take moves the bytes of sbuf to the caller; sbuf is left empty. */
int mp_sbuf_take(msgpack_sbuffer *sbuf, uint8_t **out, size_t *outlen);

/* mp_pack_bin / mp_pack_str write one bin or str object with its body. */
int mp_pack_bin(msgpack_packer *pk, const void *p, size_t len);
int mp_pack_str(msgpack_packer *pk, const char *s, size_t len);
/* mp_pack_cstr writes a NUL-terminated string (NULL writes nil). */
int mp_pack_cstr(msgpack_packer *pk, const char *s);

/* mp_doc_parse decodes buf[0..len) as exactly one object; see above. */
int mp_doc_parse(struct mp_doc *doc, const uint8_t *buf, size_t len);
/* mp_doc_root is the decoded object (valid until mp_doc_free). */
const msgpack_object *mp_doc_root(const struct mp_doc *doc);
/* mp_doc_free releases the decoded object; safe on a zeroed or freed doc. */
void mp_doc_free(struct mp_doc *doc);

/* mp_rd_array opens array o holding between min and max elements. */
int mp_rd_array(struct mp_rd *r, const msgpack_object *o, uint32_t min,
    uint32_t max);
/* mp_rd_sub opens the next element as a nested array (min..max elements). */
int mp_rd_sub(struct mp_rd *r, uint32_t min, uint32_t max, struct mp_rd *sub);
/* mp_rd_end is 0 when every element was consumed, else BAL_EPROTO. */
int mp_rd_end(const struct mp_rd *r);
/* mp_rd_left is how many elements remain. */
uint32_t mp_rd_left(const struct mp_rd *r);
/* mp_rd_next returns the next raw element, or NULL when none is left. */
const msgpack_object *mp_rd_next(struct mp_rd *r);

/* mp_rd_uint reads a non-negative integer no larger than max. */
int mp_rd_uint(struct mp_rd *r, uint64_t max, uint64_t *v);
int mp_rd_bool(struct mp_rd *r, int *v);
/* mp_rd_nil consumes a nil; mp_rd_peek_nil tells whether the next is nil. */
int mp_rd_nil(struct mp_rd *r);
int mp_rd_peek_nil(const struct mp_rd *r);
/* mp_rd_bin reads a bin of min..max bytes; *p points into the document. */
int mp_rd_bin(struct mp_rd *r, size_t min, size_t max, const uint8_t **p,
    size_t *len);
/* mp_rd_bin_fixed copies a bin of exactly len bytes into dst. */
int mp_rd_bin_fixed(struct mp_rd *r, void *dst, size_t len);
/*
 * mp_rd_str reads a str of min..max bytes that is valid UTF-8 without NUL
 * bytes; *p points into the document (not NUL-terminated).
 */
int mp_rd_str(struct mp_rd *r, size_t min, size_t max, const char **p,
    size_t *len);
/* mp_rd_strdup is mp_rd_str into a malloc'd NUL-terminated copy. */
int mp_rd_strdup(struct mp_rd *r, size_t min, size_t max, char **out);

/* mp_utf8_valid is 1 when s[0..len) is UTF-8 with no NUL byte. */
int mp_utf8_valid(const char *s, size_t len);

#endif
