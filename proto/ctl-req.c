/*
 * ctl-req.c — a control request (ctl.h): [version, id, cmd, [[key,
 * value]...]], built by the CLI, decoded and read by the daemon.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "mp.h"

struct ctl_req {
	uint64_t version;
	uint64_t id;
	const char *cmd;
	struct kvl args;
	struct arena ar;
	size_t size;		/* exact encoded length */
};

static struct ctl_req *
req_alloc(uint64_t version, uint64_t id, const char *cmd, size_t cmdlen)
{
	struct ctl_req *req;

	if ((req = calloc(1, sizeof(*req))) == NULL)
		return NULL;
	req->version = version;
	req->id = id;
	if ((req->cmd = ctl_kv_arena_str(&req->ar, cmd, cmdlen)) == NULL) {
		ctl_req_free(req);
		return NULL;
	}
	req->size = ctl_kv_sz_arr(4) + ctl_kv_sz_uint(version) +
	    ctl_kv_sz_uint(id) + ctl_kv_sz_str(cmdlen) + ctl_kv_sz_arr(0);
	return req;
}

int
ctl_req_new(const char *cmd, uint64_t id, struct ctl_req **out)
{
	*out = NULL;
	if (cmd == NULL || !ctl_kv_name_ok(cmd, strlen(cmd), CTL_MAX_CMD))
		return BAL_EINVAL;
	if ((*out = req_alloc(CTL_VERSION, id, cmd, strlen(cmd))) == NULL)
		return BAL_ENOMEM;
	return 0;
}

void
ctl_req_free(struct ctl_req *req)
{
	if (req == NULL)
		return;
	if (req->args.v != NULL)
		sodium_memzero(req->args.v,
		    req->args.cap * sizeof(*req->args.v));
	free(req->args.v);
	ctl_kv_arena_free(&req->ar);
	free(req);
}

int
ctl_req_add(struct ctl_req *req, const char *key, const struct ctl_value *v)
{
	size_t grown;
	int rc;

	if (req == NULL || key == NULL)
		return BAL_EINVAL;
	rc = ctl_kv_add(&req->args, 0, CTL_MAX_ARGS, &req->ar, key, strlen(key),
	    v, &grown);
	if (rc == 0)
		req->size += grown;
	return rc;
}

int
ctl_req_add_str(struct ctl_req *req, const char *key, const char *s)
{
	if (s == NULL)
		return BAL_EINVAL;
	return ctl_req_add_strn(req, key, s, strlen(s));
}

int
ctl_req_add_strn(struct ctl_req *req, const char *key, const char *s,
    size_t len)
{
	return ctl_req_add(req, key, &(struct ctl_value){ .type = CTL_STR,
	    .str = { s, len } });
}

int
ctl_req_add_uint(struct ctl_req *req, const char *key, uint64_t u)
{
	return ctl_req_add(req, key, &(struct ctl_value){ .type = CTL_UINT,
	    .u = u });
}

int
ctl_req_add_bool(struct ctl_req *req, const char *key, int b)
{
	return ctl_req_add(req, key, &(struct ctl_value){ .type = CTL_BOOL,
	    .b = b != 0 });
}

int
ctl_req_add_bin(struct ctl_req *req, const char *key, const void *p,
    size_t len)
{
	return ctl_req_add(req, key, &(struct ctl_value){ .type = CTL_BIN,
	    .bin = { p, len } });
}

int
ctl_req_add_nil(struct ctl_req *req, const char *key)
{
	return ctl_req_add(req, key, &(struct ctl_value){ .type = CTL_NIL });
}

size_t
ctl_req_size(const struct ctl_req *req)
{
	return req->size;
}

int
ctl_req_encode(const struct ctl_req *req, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret;

	*out = NULL;
	*outlen = 0;
	memset(&sbuf, 0, sizeof(sbuf));
	if (req->version != CTL_VERSION) {
		ret = BAL_EINVAL;
		goto out;
	}
	if ((ret = ctl_encode_start(&sbuf, &pk, req->size)) != 0)
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 4) != 0 ||
	    msgpack_pack_uint64(&pk, req->version) != 0 ||
	    msgpack_pack_uint64(&pk, req->id) != 0 ||
	    mp_pack_cstr(&pk, req->cmd) != 0 ||
	    ctl_kv_pack(&pk, req->args.v, req->args.n) != 0)
		goto out;
	if (sbuf.size != req->size) {
		ret = BAL_EINVAL;	/* size accounting is wrong: a bug */
		goto out;
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	ctl_encode_abort(&sbuf);
	return ret;
}

int
ctl_req_decode(const uint8_t *buf, size_t len, struct ctl_req **out)
{
	struct mp_doc doc;
	struct mp_rd r, args;
	struct ctl_req *req = NULL;
	const char *cmd;
	size_t cmdlen, grown;
	uint64_t version, id;
	uint32_t i;
	int ret;

	memset(&doc, 0, sizeof(doc));
	*out = NULL;
	ret = ctl_rd_open(&doc, buf, len, &r, &version, &id);
	if (ret == BAL_EVERSION) {
		if ((*out = req_alloc(version, id, "", 0)) == NULL)
			ret = BAL_ENOMEM;
		goto out;
	}
	if (ret != 0)
		goto out;
	if ((ret = mp_rd_str(&r, 1, CTL_MAX_CMD, &cmd, &cmdlen)) != 0 ||
	    (ret = mp_rd_sub(&r, 0, CTL_MAX_ARGS, &args)) != 0 ||
	    (ret = mp_rd_end(&r)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (!ctl_kv_name_ok(cmd, cmdlen, CTL_MAX_CMD))
		goto out;
	ret = BAL_ENOMEM;
	if ((req = req_alloc(version, id, cmd, cmdlen)) == NULL)
		goto out;
	for (i = 0; i < args.n; i++) {
		if ((ret = ctl_kv_read(&args, &req->args, 0, CTL_MAX_ARGS,
		    &req->ar, &grown)) != 0)
			goto out;
		req->size += grown;
	}
	*out = req;
	req = NULL;
	ret = 0;
out:
	ctl_req_free(req);
	mp_doc_free(&doc);
	return ret;
}

uint64_t
ctl_req_version(const struct ctl_req *req)
{
	return req->version;
}

uint64_t
ctl_req_id(const struct ctl_req *req)
{
	return req->id;
}

const char *
ctl_req_cmd(const struct ctl_req *req)
{
	return req->cmd;
}

size_t
ctl_req_nargs(const struct ctl_req *req)
{
	return req->args.n;
}

const struct ctl_kv *
ctl_req_arg(const struct ctl_req *req, size_t i)
{
	return i < req->args.n ? &req->args.v[i] : NULL;
}

const struct ctl_value *
ctl_req_get(const struct ctl_req *req, const char *key)
{
	return ctl_kv_get(req->args.v, req->args.n, key);
}

int
ctl_req_get_str(const struct ctl_req *req, const char *key, const char **s,
    size_t *len)
{
	return ctl_kv_val_str(ctl_req_get(req, key), s, len);
}

int
ctl_req_get_uint(const struct ctl_req *req, const char *key, uint64_t *u)
{
	return ctl_kv_val_uint(ctl_req_get(req, key), u);
}

int
ctl_req_get_bool(const struct ctl_req *req, const char *key, int *b)
{
	return ctl_kv_val_bool(ctl_req_get(req, key), b);
}

int
ctl_req_get_bin(const struct ctl_req *req, const char *key,
    const uint8_t **p, size_t *len)
{
	return ctl_kv_val_bin(ctl_req_get(req, key), p, len);
}
