/*
 * ctl.c — CLI <-> daemon control messages (ctl.h): what requests and
 * responses share, the frame header, opening a message and packing one
 * into a buffer of its exact size.  Requests are in ctl-req.c, responses
 * in ctl-resp.c, the key/value lists inside both in ctl-kv.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "mp.h"

/*
 * Opens a control message: strict msgpack, an array whose first element
 * is the version.  For another version, *id is the second element when it
 * is an integer (0 otherwise) and the result is BAL_EVERSION.
 */
int
ctl_rd_open(struct mp_doc *doc, const uint8_t *buf, size_t len, struct mp_rd *r,
    uint64_t *version, uint64_t *id)
{
	int rc;

	*version = 0;
	*id = 0;
	if (len > CTL_MAX_MSG)
		return BAL_ETOOBIG;
	if ((rc = mp_doc_parse(doc, buf, len)) != 0)
		return rc;
	if ((rc = mp_rd_array(r, mp_doc_root(doc), 1, UINT32_MAX)) != 0 ||
	    (rc = mp_rd_uint(r, UINT64_MAX, version)) != 0)
		return rc;
	if (*version == CTL_VERSION)
		return mp_rd_uint(r, UINT64_MAX, id);
	if (mp_rd_left(r) > 0 &&
	    r->items[r->i].type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		*id = r->items[r->i].via.u64;
	return BAL_EVERSION;
}

/* Packs into a buffer of exactly size bytes, so nothing is reallocated. */
int
ctl_encode_start(msgpack_sbuffer *sbuf, msgpack_packer *pk, size_t size)
{
	memset(sbuf, 0, sizeof(*sbuf));
	if (size > CTL_MAX_MSG)
		return BAL_ETOOBIG;
	if ((sbuf->data = malloc(size)) == NULL)
		return BAL_ENOMEM;
	sbuf->alloc = size;
	msgpack_packer_init(pk, sbuf, msgpack_sbuffer_write);
	return 0;
}

void
ctl_encode_abort(msgpack_sbuffer *sbuf)
{
	if (sbuf->data != NULL)
		sodium_memzero(sbuf->data, sbuf->alloc);
	free(sbuf->data);
	memset(sbuf, 0, sizeof(*sbuf));
}

int
ctl_frame_len(const uint8_t hdr[CTL_HDR_BYTES], size_t *len)
{
	uint32_t v;

	v = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	*len = 0;
	if (v == 0)
		return BAL_EPROTO;
	if (v > CTL_MAX_MSG)
		return BAL_ETOOBIG;
	*len = v;
	return 0;
}

int
ctl_frame_hdr(size_t len, uint8_t hdr[CTL_HDR_BYTES])
{
	if (len == 0 || len > CTL_MAX_MSG)
		return BAL_EINVAL;
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	return 0;
}
