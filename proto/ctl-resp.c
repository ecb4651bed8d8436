/*
 * ctl-resp.c — a control response (ctl.h): [version, id, status, err,
 * [record...]], each record a key/value list; built by the daemon, decoded
 * and read by the CLI.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "mp.h"

struct ctl_rec {
	size_t first;		/* index into kvs */
	size_t n;
};

struct ctl_resp {
	uint64_t version;
	uint64_t id;
	int status;
	const char *err;
	struct kvl kvs;		/* the fields of every record, in order */
	struct ctl_rec *recs;
	size_t nrecs;
	size_t reccap;
	struct arena ar;
	size_t size;		/* exact encoded length */
};

/* Error messages: UTF-8 on one line (no C0 control character, no DEL). */
static int
err_ok(const char *s, size_t len)
{
	size_t i;

	if (len > CTL_MAX_ERR || !mp_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Copies the NUL-terminated s into d (room for CTL_MAX_ERR + 1 bytes) as a
 * valid err: invalid UTF-8 and control characters become '?', and the text
 * is cut on a character boundary.  Returns the length written.
 */
static size_t
err_clean(const char *s, char *d)
{
	size_t i = 0, o = 0, need;
	unsigned char c;

	while (s[i] != '\0') {
		c = (unsigned char)s[i];
		if (c < 0x80)
			need = 1;
		else if ((c & 0xe0) == 0xc0)
			need = 2;
		else if ((c & 0xf0) == 0xe0)
			need = 3;
		else if ((c & 0xf8) == 0xf0)
			need = 4;
		else
			need = 0;
		if (need == 0 || strnlen(s + i, need) < need ||
		    !mp_utf8_valid(s + i, need) ||
		    (need == 1 && (c < 0x20 || c == 0x7f))) {
			if (o + 1 > CTL_MAX_ERR)
				break;
			d[o++] = '?';
			i++;
			continue;
		}
		if (o + need > CTL_MAX_ERR)
			break;
		memcpy(d + o, s + i, need);
		o += need;
		i += need;
	}
	d[o] = '\0';
	return o;
}

static struct ctl_resp *
resp_alloc(uint64_t version, uint64_t id, int status, const char *err,
    size_t errlen)
{
	struct ctl_resp *resp;

	if ((resp = calloc(1, sizeof(*resp))) == NULL)
		return NULL;
	resp->version = version;
	resp->id = id;
	resp->status = status;
	if ((resp->err = ctl_kv_arena_str(&resp->ar, err, errlen)) == NULL) {
		ctl_resp_free(resp);
		return NULL;
	}
	resp->size = ctl_kv_sz_arr(5) + ctl_kv_sz_uint(version) +
	    ctl_kv_sz_uint(id) + ctl_kv_sz_uint((uint64_t)status) +
	    ctl_kv_sz_str(errlen) + ctl_kv_sz_arr(0);
	return resp;
}

int
ctl_resp_new(uint64_t id, int status, const char *err, struct ctl_resp **out)
{
	char clean[CTL_MAX_ERR + 1];
	size_t len = 0;

	*out = NULL;
	if (err == NULL)
		err = "";
	if (status != CTL_OK && status != CTL_FAILED && status != CTL_USAGE)
		return BAL_EINVAL;
	if ((status == CTL_OK) != (err[0] == '\0'))
		return BAL_EINVAL;
	len = err_clean(err, clean);
	*out = resp_alloc(CTL_VERSION, id, status, clean, len);
	sodium_memzero(clean, sizeof(clean));
	return *out != NULL ? 0 : BAL_ENOMEM;
}

void
ctl_resp_free(struct ctl_resp *resp)
{
	if (resp == NULL)
		return;
	if (resp->kvs.v != NULL)
		sodium_memzero(resp->kvs.v,
		    resp->kvs.cap * sizeof(*resp->kvs.v));
	free(resp->kvs.v);
	free(resp->recs);
	ctl_kv_arena_free(&resp->ar);
	free(resp);
}

int
ctl_resp_record_begin(struct ctl_resp *resp)
{
	struct ctl_rec *nr;
	size_t ncap;

	if (resp == NULL)
		return BAL_EINVAL;
	if (resp->nrecs >= CTL_MAX_RECORDS)
		return BAL_ETOOBIG;
	if (resp->nrecs == resp->reccap) {
		ncap = resp->reccap > 0 ? resp->reccap * 2 : 16;
		if ((nr = realloc(resp->recs, ncap * sizeof(*nr))) == NULL)
			return BAL_ENOMEM;
		resp->recs = nr;
		resp->reccap = ncap;
	}
	resp->recs[resp->nrecs].first = resp->kvs.n;
	resp->recs[resp->nrecs].n = 0;
	resp->size += ctl_kv_sz_arr(resp->nrecs + 1) -
	    ctl_kv_sz_arr(resp->nrecs) + ctl_kv_sz_arr(0);
	resp->nrecs++;
	return 0;
}

/* Adds key = *v to the newest record; key has keylen bytes. */
static int
resp_add(struct ctl_resp *resp, const char *key, size_t keylen,
    const struct ctl_value *v)
{
	struct ctl_rec *rec;
	size_t grown;
	int rc;

	if (resp->nrecs == 0)
		return BAL_ESTATE;
	rec = &resp->recs[resp->nrecs - 1];
	rc = ctl_kv_add(&resp->kvs, rec->first, CTL_MAX_FIELDS, &resp->ar, key,
	    keylen, v, &grown);
	if (rc == 0) {
		rec->n++;
		resp->size += grown;
	}
	return rc;
}

int
ctl_resp_add(struct ctl_resp *resp, const char *key,
    const struct ctl_value *v)
{
	if (resp == NULL || key == NULL)
		return BAL_EINVAL;
	return resp_add(resp, key, strlen(key), v);
}

int
ctl_resp_add_str(struct ctl_resp *resp, const char *key, const char *s)
{
	if (s == NULL)
		return BAL_EINVAL;
	return ctl_resp_add_strn(resp, key, s, strlen(s));
}

int
ctl_resp_add_strn(struct ctl_resp *resp, const char *key, const char *s,
    size_t len)
{
	return ctl_resp_add(resp, key, &(struct ctl_value){ .type = CTL_STR,
	    .str = { s, len } });
}

int
ctl_resp_add_uint(struct ctl_resp *resp, const char *key, uint64_t u)
{
	return ctl_resp_add(resp, key, &(struct ctl_value){ .type = CTL_UINT,
	    .u = u });
}

int
ctl_resp_add_bool(struct ctl_resp *resp, const char *key, int b)
{
	return ctl_resp_add(resp, key, &(struct ctl_value){ .type = CTL_BOOL,
	    .b = b != 0 });
}

int
ctl_resp_add_bin(struct ctl_resp *resp, const char *key, const void *p,
    size_t len)
{
	return ctl_resp_add(resp, key, &(struct ctl_value){ .type = CTL_BIN,
	    .bin = { p, len } });
}

int
ctl_resp_add_nil(struct ctl_resp *resp, const char *key)
{
	return ctl_resp_add(resp, key, &(struct ctl_value){ .type = CTL_NIL });
}

size_t
ctl_resp_size(const struct ctl_resp *resp)
{
	return resp->size;
}

/*
 * The fields of record i.  kvs.v stays NULL until a record has a field,
 * and C leaves even NULL + 0 undefined (UBSan aborts on it), so an empty
 * record gets a pointer to an empty entry instead.
 */
static const struct ctl_kv *
rec_fields(const struct ctl_resp *resp, size_t i)
{
	static const struct ctl_kv none;

	if (resp->recs[i].n == 0)
		return &none;
	return resp->kvs.v + resp->recs[i].first;
}

int
ctl_resp_encode(const struct ctl_resp *resp, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	size_t i;
	int ret;

	*out = NULL;
	*outlen = 0;
	memset(&sbuf, 0, sizeof(sbuf));
	if (resp->version != CTL_VERSION) {
		ret = BAL_EINVAL;
		goto out;
	}
	if ((ret = ctl_encode_start(&sbuf, &pk, resp->size)) != 0)
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 5) != 0 ||
	    msgpack_pack_uint64(&pk, resp->version) != 0 ||
	    msgpack_pack_uint64(&pk, resp->id) != 0 ||
	    msgpack_pack_uint64(&pk, (uint64_t)resp->status) != 0 ||
	    mp_pack_cstr(&pk, resp->err) != 0 ||
	    msgpack_pack_array(&pk, resp->nrecs) != 0)
		goto out;
	for (i = 0; i < resp->nrecs; i++)
		if (ctl_kv_pack(&pk, rec_fields(resp, i),
		    resp->recs[i].n) != 0)
			goto out;
	if (sbuf.size != resp->size) {
		ret = BAL_EINVAL;	/* size accounting is wrong: a bug */
		goto out;
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	ctl_encode_abort(&sbuf);
	return ret;
}

int
ctl_resp_decode(const uint8_t *buf, size_t len, struct ctl_resp **out)
{
	struct mp_doc doc;
	struct mp_rd r, recs, rec;
	struct ctl_resp *resp = NULL;
	struct ctl_rec *cur;
	const char *err;
	size_t errlen, grown;
	uint64_t version, id, status;
	uint32_t i, j;
	int ret;

	memset(&doc, 0, sizeof(doc));
	*out = NULL;
	ret = ctl_rd_open(&doc, buf, len, &r, &version, &id);
	if (ret == BAL_EVERSION) {
		if ((*out = resp_alloc(version, id, CTL_FAILED, "", 0)) == NULL)
			ret = BAL_ENOMEM;
		goto out;
	}
	if (ret != 0)
		goto out;
	if ((ret = mp_rd_uint(&r, CTL_USAGE, &status)) != 0 ||
	    (ret = mp_rd_str(&r, 0, CTL_MAX_ERR, &err, &errlen)) != 0 ||
	    (ret = mp_rd_sub(&r, 0, CTL_MAX_RECORDS, &recs)) != 0 ||
	    (ret = mp_rd_end(&r)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (!err_ok(err, errlen) || (status == CTL_OK) != (errlen == 0))
		goto out;
	ret = BAL_ENOMEM;
	if ((resp = resp_alloc(version, id, (int)status, err, errlen)) == NULL)
		goto out;
	for (i = 0; i < recs.n; i++) {
		if ((ret = mp_rd_sub(&recs, 0, CTL_MAX_FIELDS, &rec)) != 0 ||
		    (ret = ctl_resp_record_begin(resp)) != 0)
			goto out;
		cur = &resp->recs[resp->nrecs - 1];
		for (j = 0; j < rec.n; j++) {
			if ((ret = ctl_kv_read(&rec, &resp->kvs, cur->first,
			    CTL_MAX_FIELDS, &resp->ar, &grown)) != 0)
				goto out;
			cur->n++;
			resp->size += grown;
		}
	}
	*out = resp;
	resp = NULL;
	ret = 0;
out:
	ctl_resp_free(resp);
	mp_doc_free(&doc);
	return ret;
}

uint64_t
ctl_resp_version(const struct ctl_resp *resp)
{
	return resp->version;
}

uint64_t
ctl_resp_id(const struct ctl_resp *resp)
{
	return resp->id;
}

int
ctl_resp_status(const struct ctl_resp *resp)
{
	return resp->status;
}

const char *
ctl_resp_err(const struct ctl_resp *resp)
{
	return resp->err;
}

size_t
ctl_resp_nrecords(const struct ctl_resp *resp)
{
	return resp->nrecs;
}

const struct ctl_kv *
ctl_resp_record(const struct ctl_resp *resp, size_t i, size_t *n)
{
	if (i >= resp->nrecs) {
		if (n != NULL)
			*n = 0;
		return NULL;
	}
	if (n != NULL)
		*n = resp->recs[i].n;
	return rec_fields(resp, i);
}

const struct ctl_value *
ctl_resp_get(const struct ctl_resp *resp, size_t rec, const char *key)
{
	if (rec >= resp->nrecs)
		return NULL;
	return ctl_kv_get(rec_fields(resp, rec), resp->recs[rec].n, key);
}

int
ctl_resp_get_str(const struct ctl_resp *resp, size_t rec, const char *key,
    const char **s, size_t *len)
{
	return ctl_kv_val_str(ctl_resp_get(resp, rec, key), s, len);
}

int
ctl_resp_get_uint(const struct ctl_resp *resp, size_t rec, const char *key,
    uint64_t *u)
{
	return ctl_kv_val_uint(ctl_resp_get(resp, rec, key), u);
}

int
ctl_resp_get_bool(const struct ctl_resp *resp, size_t rec, const char *key,
    int *b)
{
	return ctl_kv_val_bool(ctl_resp_get(resp, rec, key), b);
}

int
ctl_resp_get_bin(const struct ctl_resp *resp, size_t rec, const char *key,
    const uint8_t **p, size_t *len)
{
	return ctl_kv_val_bin(ctl_resp_get(resp, rec, key), p, len);
}
