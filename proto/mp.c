/* mp.c — strict msgpack-c encoding and decoding helpers (see mp.h). */
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "mp.h"

int
mp_sbuf_take(msgpack_sbuffer *sbuf, uint8_t **out, size_t *outlen)
{
	if (sbuf->data == NULL || sbuf->size == 0)
		return BAL_EINVAL;
	*outlen = sbuf->size;
	*out = (uint8_t *)msgpack_sbuffer_release(sbuf);
	return 0;
}

int
mp_pack_bin(msgpack_packer *pk, const void *p, size_t len)
{
	if (msgpack_pack_bin(pk, len) != 0)
		return BAL_ENOMEM;
	if (len > 0 && msgpack_pack_bin_body(pk, p, len) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
mp_pack_str(msgpack_packer *pk, const char *s, size_t len)
{
	if (msgpack_pack_str(pk, len) != 0)
		return BAL_ENOMEM;
	if (len > 0 && msgpack_pack_str_body(pk, s, len) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
mp_pack_cstr(msgpack_packer *pk, const char *s)
{
	if (s == NULL)
		return msgpack_pack_nil(pk) == 0 ? 0 : BAL_ENOMEM;
	return mp_pack_str(pk, s, strlen(s));
}

/*
 * msgpack-c gives an empty str or bin a NULL pointer; the readers hand out
 * this instead, so that no caller passes NULL to memcpy (undefined even
 * for 0 bytes, and fatal under UBSan).
 */
static const char mp_empty[1] = "";

/* Reads a big-endian length of n bytes at buf[*pos]. */
static int
be_len(const uint8_t *buf, size_t len, size_t *pos, size_t n, uint64_t *v)
{
	size_t i;

	if (len - *pos < n)
		return BAL_EPROTO;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = (*v << 8) | buf[*pos + i];
	*pos += n;
	return 0;
}

/*
 * msgpack-c's unpacker keeps at most MSGPACK_EMBED_STACK_SIZE (32, fixed
 * when the library was built) non-empty arrays and maps open, refuses to
 * start any array or map inside that many, and reports such a document
 * as MSGPACK_UNPACK_NOMEM_ERROR.  The pre-scan refuses it first, as
 * malformed: a peer's input must never look like our own lack of memory.
 * balint's own objects nest a few levels.
 */
#define MP_MAX_DEPTH 32

/*
 * Walks the encoding without building anything: every object header is
 * checked to fit, every array or map count must be coverable by the bytes
 * that remain (each element takes at least one byte), no array or map
 * starts inside MP_MAX_DEPTH open ones, and the objects must end
 * exactly at len.  Only then may msgpack-c allocate for the counts.
 */
static int
prescan(const uint8_t *buf, size_t len)
{
	uint64_t left[MP_MAX_DEPTH + 1];	/* elements still to read */
	size_t pos = 0, depth = 0;
	uint64_t n, skip;
	uint8_t b;
	int cont;

	left[0] = 1;
	for (;;) {
		if (pos >= len)
			return BAL_EPROTO;
		b = buf[pos++];
		left[depth]--;
		n = 0;
		skip = 0;
		cont = (b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf);
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 ||
		    b == 0xc3) {
			/* no body */
		} else if (b >= 0x80 && b <= 0x8f) {
			n = 2u * (b & 0x0f);
		} else if (b >= 0x90 && b <= 0x9f) {
			n = b & 0x0f;
		} else if (b >= 0xa0 && b <= 0xbf) {
			skip = b & 0x1f;
		} else {
			switch (b) {
			case 0xc4: case 0xd9:
				if (be_len(buf, len, &pos, 1, &skip)) return BAL_EPROTO;
				break;
			case 0xc5: case 0xda:
				if (be_len(buf, len, &pos, 2, &skip)) return BAL_EPROTO;
				break;
			case 0xc6: case 0xdb:
				if (be_len(buf, len, &pos, 4, &skip)) return BAL_EPROTO;
				break;
			case 0xc7:
				if (be_len(buf, len, &pos, 1, &skip)) return BAL_EPROTO;
				skip += 1;
				break;
			case 0xc8:
				if (be_len(buf, len, &pos, 2, &skip)) return BAL_EPROTO;
				skip += 1;
				break;
			case 0xc9:
				if (be_len(buf, len, &pos, 4, &skip)) return BAL_EPROTO;
				skip += 1;
				break;
			case 0xca: skip = 4; break;
			case 0xcb: skip = 8; break;
			case 0xcc: case 0xd0: skip = 1; break;
			case 0xcd: case 0xd1: skip = 2; break;
			case 0xce: case 0xd2: skip = 4; break;
			case 0xcf: case 0xd3: skip = 8; break;
			case 0xd4: skip = 2; break;
			case 0xd5: skip = 3; break;
			case 0xd6: skip = 5; break;
			case 0xd7: skip = 9; break;
			case 0xd8: skip = 17; break;
			case 0xdc:
				if (be_len(buf, len, &pos, 2, &n)) return BAL_EPROTO;
				break;
			case 0xdd:
				if (be_len(buf, len, &pos, 4, &n)) return BAL_EPROTO;
				break;
			case 0xde:
				if (be_len(buf, len, &pos, 2, &n)) return BAL_EPROTO;
				n *= 2;
				break;
			case 0xdf:
				if (be_len(buf, len, &pos, 4, &n)) return BAL_EPROTO;
				n *= 2;
				break;
			default:	/* 0xc1 is never used */
				return BAL_EPROTO;
			}
		}
		if (skip > len - pos)
			return BAL_EPROTO;
		pos += skip;
		if (n > len - pos)
			return BAL_EPROTO;
		if (cont && depth == MP_MAX_DEPTH)
			return BAL_EPROTO;	/* even an empty one */
		if (n > 0)
			left[++depth] = n;
		while (left[depth] == 0) {
			if (depth == 0)
				return pos == len ? 0 : BAL_EPROTO;
			depth--;
		}
	}
}

int
mp_doc_parse(struct mp_doc *doc, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	msgpack_unpack_return rc;

	memset(doc, 0, sizeof(*doc));
	if (buf == NULL || len == 0)
		return BAL_EPROTO;
	if (len > MP_MAX_DOC)
		return BAL_ETOOBIG;
	if (prescan(buf, len) != 0)
		return BAL_EPROTO;
	msgpack_unpacked_init(&doc->u);
	doc->live = 1;
	rc = msgpack_unpack_next(&doc->u, (const char *)buf, len, &off);
	if (rc != MSGPACK_UNPACK_SUCCESS || off != len) {
		mp_doc_free(doc);
		return rc == MSGPACK_UNPACK_NOMEM_ERROR ? BAL_ENOMEM : BAL_EPROTO;
	}
	return 0;
}

const msgpack_object *
mp_doc_root(const struct mp_doc *doc)
{
	return doc->live ? &doc->u.data : NULL;
}

void
mp_doc_free(struct mp_doc *doc)
{
	if (doc == NULL || !doc->live)
		return;
	msgpack_unpacked_destroy(&doc->u);
	doc->live = 0;
}

int
mp_rd_array(struct mp_rd *r, const msgpack_object *o, uint32_t min,
    uint32_t max)
{
	memset(r, 0, sizeof(*r));
	if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY)
		return BAL_EPROTO;
	if (o->via.array.size < min || o->via.array.size > max)
		return BAL_EPROTO;
	r->items = o->via.array.ptr;
	r->n = o->via.array.size;
	return 0;
}

const msgpack_object *
mp_rd_next(struct mp_rd *r)
{
	if (r->i >= r->n)
		return NULL;
	return &r->items[r->i++];
}

int
mp_rd_sub(struct mp_rd *r, uint32_t min, uint32_t max, struct mp_rd *sub)
{
	return mp_rd_array(sub, mp_rd_next(r), min, max);
}

int
mp_rd_end(const struct mp_rd *r)
{
	return r->i == r->n ? 0 : BAL_EPROTO;
}

uint32_t
mp_rd_left(const struct mp_rd *r)
{
	return r->n - r->i;
}

int
mp_rd_uint(struct mp_rd *r, uint64_t max, uint64_t *v)
{
	const msgpack_object *o = mp_rd_next(r);

	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > max)
		return BAL_EPROTO;
	*v = o->via.u64;
	return 0;
}

int
mp_rd_bool(struct mp_rd *r, int *v)
{
	const msgpack_object *o = mp_rd_next(r);

	if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN)
		return BAL_EPROTO;
	*v = o->via.boolean ? 1 : 0;
	return 0;
}

int
mp_rd_nil(struct mp_rd *r)
{
	const msgpack_object *o = mp_rd_next(r);

	return o != NULL && o->type == MSGPACK_OBJECT_NIL ? 0 : BAL_EPROTO;
}

int
mp_rd_peek_nil(const struct mp_rd *r)
{
	return r->i < r->n && r->items[r->i].type == MSGPACK_OBJECT_NIL;
}

int
mp_rd_bin(struct mp_rd *r, size_t min, size_t max, const uint8_t **p,
    size_t *len)
{
	const msgpack_object *o = mp_rd_next(r);

	if (o == NULL || o->type != MSGPACK_OBJECT_BIN ||
	    o->via.bin.size < min || o->via.bin.size > max)
		return BAL_EPROTO;
	*p = o->via.bin.size > 0 ? (const uint8_t *)o->via.bin.ptr :
	    (const uint8_t *)mp_empty;
	*len = o->via.bin.size;
	return 0;
}

int
mp_rd_bin_fixed(struct mp_rd *r, void *dst, size_t len)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = mp_rd_bin(r, len, len, &p, &n)) != 0)
		return rc;
	if (len > 0)
		memcpy(dst, p, len);
	return 0;
}

int
mp_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, need;
	uint32_t cp;

	while (i < len) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = p[i] & 0x07;
		} else {
			return 0;
		}
		if (len - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Reject overlong forms, surrogates and values past U+10FFFF. */
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

int
mp_rd_str(struct mp_rd *r, size_t min, size_t max, const char **p,
    size_t *len)
{
	const msgpack_object *o = mp_rd_next(r);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR ||
	    o->via.str.size < min || o->via.str.size > max ||
	    !mp_utf8_valid(o->via.str.ptr, o->via.str.size))
		return BAL_EPROTO;
	*p = o->via.str.size > 0 ? o->via.str.ptr : mp_empty;
	*len = o->via.str.size;
	return 0;
}

int
mp_rd_strdup(struct mp_rd *r, size_t min, size_t max, char **out)
{
	const char *p;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = mp_rd_str(r, min, max, &p, &len)) != 0)
		return rc;
	if ((*out = malloc(len + 1)) == NULL)
		return BAL_ENOMEM;
	memcpy(*out, p, len);
	(*out)[len] = '\0';
	return 0;
}
