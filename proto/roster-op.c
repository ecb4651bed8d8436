/* roster-op.c — roster operation bodies: encoders and decoder (roster.h). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "roster.h"
#include "mp.h"

void
roster_contract_hash(const uint8_t *contract, size_t len,
    uint8_t out[BAL_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
	crypto_generichash_update(&st,
	    (const uint8_t *)ROSTER_CONTRACT_HASH_DOMAIN,
	    strlen(ROSTER_CONTRACT_HASH_DOMAIN));
	if (len > 0)
		crypto_generichash_update(&st, contract, len);
	crypto_generichash_final(&st, out, BAL_HASH_BYTES);
}

/*
 * A member name: 1..ROSTER_NAME_MAX bytes of UTF-8 without control
 * characters as the contract defines them (C0, DEL, C1, U+2028, U+2029),
 * so that it always shows as one line and carries no terminal escapes.
 */
static int
name_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	if (len < 1 || len > ROSTER_NAME_MAX || !mp_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] < 0xa0)
			return 0;	/* U+0080..U+009F */
		if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			return 0;	/* U+2028, U+2029 */
	}
	return 1;
}

/* An envelope inside a roster op: decodes, and its id field is 0. */
static int
envelope_ok(const uint8_t *buf, size_t len)
{
	struct epoch_envelope *env;
	int rc;

	if ((env = malloc(sizeof(*env))) == NULL)
		return BAL_ENOMEM;
	rc = epoch_envelope_decode(buf, len, env);
	if (rc == 0 && env->id != 0)
		rc = BAL_EPROTO;
	free(env);
	return rc == BAL_ENOMEM ? rc : (rc == 0 ? 0 : BAL_EPROTO);
}

static int
history_ok(const uint8_t *buf, size_t len)
{
	struct epoch_history *h;
	int rc;

	rc = epoch_history_decode(buf, len, &h);
	epoch_history_free(h);
	return rc == BAL_ENOMEM ? rc : (rc == 0 ? 0 : BAL_EPROTO);
}

void
roster_op_free(struct roster_op *op)
{
	if (op == NULL)
		return;
	free(op->contract);
	free(op->envelope);
	free(op->history);
	free(op);
}

/* Reads a bin of min..max bytes into a malloc'd copy. */
static int
rd_bin_dup(struct mp_rd *r, size_t min, size_t max, uint8_t **out,
    size_t *outlen)
{
	const uint8_t *p;
	size_t len;

	if (mp_rd_bin(r, min, max, &p, &len) != 0)
		return BAL_EPROTO;
	if ((*out = malloc(len)) == NULL)
		return BAL_ENOMEM;
	memcpy(*out, p, len);
	*outlen = len;
	return 0;
}

static int
rd_name(struct mp_rd *r, char name[ROSTER_NAME_MAX + 1])
{
	const char *p;
	size_t len;

	if (mp_rd_str(r, 1, ROSTER_NAME_MAX, &p, &len) != 0 ||
	    !name_ok(p, len))
		return BAL_EPROTO;
	memcpy(name, p, len);
	name[len] = '\0';
	return 0;
}

static int
rd_envelope(struct mp_rd *r, struct roster_op *op)
{
	int rc;

	if ((rc = rd_bin_dup(r, 1, EPOCH_ENVELOPE_ENC_MAX, &op->envelope,
	    &op->envelope_len)) != 0)
		return rc;
	return envelope_ok(op->envelope, op->envelope_len);
}

/* The body of each type after its type integer. */
static int
decode_fields(struct mp_rd *r, struct roster_op *op)
{
	int rc;

	switch (op->type) {
	case ROSTER_OP_CREATE:
		if (r->n != 4)
			return BAL_EPROTO;
		if ((rc = rd_bin_dup(r, 1, ROSTER_CONTRACT_MAX, &op->contract,
		    &op->contract_len)) != 0 ||
		    (rc = rd_name(r, op->name)) != 0 ||
		    (rc = rd_envelope(r, op)) != 0)
			return rc;
		break;
	case ROSTER_OP_ADD:
		if (r->n != 7)
			return BAL_EPROTO;
		if (mp_rd_bin_fixed(r, op->member, BAL_PK_BYTES) != 0 ||
		    (rc = rd_name(r, op->name)) != 0 ||
		    mp_rd_bin_fixed(r, op->accept_sig, BAL_SIG_BYTES) != 0)
			return BAL_EPROTO;
		if (mp_rd_peek_nil(r))
			rc = mp_rd_nil(r);
		else if ((rc = mp_rd_bin_fixed(r, op->readmits,
		    BAL_HASH_BYTES)) == 0)
			op->has_readmits = 1;
		if (rc != 0)
			return BAL_EPROTO;
		if (mp_rd_peek_nil(r)) {
			if (mp_rd_nil(r) != 0)
				return BAL_EPROTO;
		} else if ((rc = rd_envelope(r, op)) != 0)
			return rc;
		if (mp_rd_peek_nil(r)) {
			if (mp_rd_nil(r) != 0)
				return BAL_EPROTO;
		} else {
			if ((rc = rd_bin_dup(r, 1, EPOCH_HISTORY_ENC_MAX,
			    &op->history, &op->history_len)) != 0)
				return rc;
			if ((rc = history_ok(op->history,
			    op->history_len)) != 0)
				return rc;
		}
		break;
	case ROSTER_OP_REVOKE:
		if (r->n != 4)
			return BAL_EPROTO;
		if (mp_rd_bin_fixed(r, op->member, BAL_PK_BYTES) != 0 ||
		    mp_rd_uint(r, UINT64_MAX, &op->cut) != 0)
			return BAL_EPROTO;
		if ((rc = rd_envelope(r, op)) != 0)
			return rc;
		break;
	case ROSTER_OP_LEAVE:
		if (r->n != 2 || mp_rd_uint(r, UINT64_MAX, &op->cut) != 0)
			return BAL_EPROTO;
		break;
	case ROSTER_OP_ROTATE:
		if (r->n != 2)
			return BAL_EPROTO;
		if ((rc = rd_envelope(r, op)) != 0)
			return rc;
		break;
	case ROSTER_OP_AMEND:
		if (r->n != 3)
			return BAL_EPROTO;
		if ((rc = rd_bin_dup(r, 1, ROSTER_CONTRACT_MAX, &op->contract,
		    &op->contract_len)) != 0)
			return rc;
		if (mp_rd_bin_fixed(r, op->prev_hash, BAL_HASH_BYTES) != 0)
			return BAL_EPROTO;
		break;
	default:
		return BAL_EPROTO;
	}
	return mp_rd_end(r);
}

int
roster_op_decode(const uint8_t *body, size_t len, struct roster_op **out)
{
	struct roster_op *op = NULL;
	struct mp_doc doc;
	struct mp_rd r;
	uint64_t type;
	int ret = BAL_EPROTO;

	memset(&doc, 0, sizeof(doc));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (body == NULL || len == 0)
		goto out;
	if (len > ROSTER_BODY_MAX) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	if ((ret = mp_doc_parse(&doc, body, len)) != 0)
		goto out;
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 2, 7) != 0 ||
	    mp_rd_uint(&r, ROSTER_OP_AMEND, &type) != 0 ||
	    type < ROSTER_OP_CREATE)
		goto out;
	op->type = (int)type;
	if ((ret = decode_fields(&r, op)) != 0)
		goto out;
	*out = op;
	op = NULL;
out:
	mp_doc_free(&doc);
	roster_op_free(op);
	return ret;
}

/*
 * Finishes an encoder: hands out the bytes only if they decode again, so
 * every limit is checked in one place (roster_op_decode).
 */
static int
encode_finish(msgpack_sbuffer *sbuf, uint8_t **out, size_t *outlen)
{
	struct roster_op *op;
	int rc;

	if (sbuf->size > ROSTER_BODY_MAX)
		return BAL_ETOOBIG;
	rc = roster_op_decode((const uint8_t *)sbuf->data, sbuf->size, &op);
	roster_op_free(op);
	if (rc == BAL_ENOMEM)
		return rc;
	if (rc != 0)
		return BAL_EINVAL;
	return mp_sbuf_take(sbuf, out, outlen);
}

/* Packs a bin, or nil when p is NULL. */
static int
pack_opt_bin(msgpack_packer *pk, const uint8_t *p, size_t len)
{
	if (p == NULL)
		return msgpack_pack_nil(pk) == 0 ? 0 : BAL_ENOMEM;
	return mp_pack_bin(pk, p, len);
}

/* Packs a NUL-terminated name, or fails if it is longer than allowed. */
static int
pack_name(msgpack_packer *pk, const char *name)
{
	size_t len;

	if (name == NULL ||
	    (len = strnlen(name, ROSTER_NAME_MAX + 1)) > ROSTER_NAME_MAX)
		return BAL_EINVAL;
	return mp_pack_str(pk, name, len);
}

int
roster_encode_create(const uint8_t *contract, size_t contract_len,
    const char *name, const uint8_t *envelope, size_t envelope_len,
    uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL || contract == NULL ||
	    envelope == NULL)
		goto out;
	if (contract_len > ROSTER_CONTRACT_MAX) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 4) != 0 ||
	    msgpack_pack_uint8(&pk, ROSTER_OP_CREATE) != 0 ||
	    (ret = mp_pack_bin(&pk, contract, contract_len)) != 0 ||
	    (ret = pack_name(&pk, name)) != 0 ||
	    (ret = mp_pack_bin(&pk, envelope, envelope_len)) != 0)
		goto out;
	ret = encode_finish(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
roster_encode_add(const uint8_t member[BAL_PK_BYTES], const char *name,
    const uint8_t accept_sig[BAL_SIG_BYTES], const uint8_t *readmits,
    const uint8_t *envelope, size_t envelope_len, const uint8_t *history,
    size_t history_len, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL || member == NULL ||
	    accept_sig == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 7) != 0 ||
	    msgpack_pack_uint8(&pk, ROSTER_OP_ADD) != 0 ||
	    (ret = mp_pack_bin(&pk, member, BAL_PK_BYTES)) != 0 ||
	    (ret = pack_name(&pk, name)) != 0 ||
	    (ret = mp_pack_bin(&pk, accept_sig, BAL_SIG_BYTES)) != 0 ||
	    (ret = pack_opt_bin(&pk, readmits, BAL_HASH_BYTES)) != 0 ||
	    (ret = pack_opt_bin(&pk, envelope, envelope_len)) != 0 ||
	    (ret = pack_opt_bin(&pk, history, history_len)) != 0)
		goto out;
	ret = encode_finish(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
roster_encode_revoke(const uint8_t member[BAL_PK_BYTES], uint64_t cut,
    const uint8_t *envelope, size_t envelope_len, uint8_t **out,
    size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL || member == NULL ||
	    envelope == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 4) != 0 ||
	    msgpack_pack_uint8(&pk, ROSTER_OP_REVOKE) != 0 ||
	    mp_pack_bin(&pk, member, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_uint64(&pk, cut) != 0 ||
	    mp_pack_bin(&pk, envelope, envelope_len) != 0)
		goto out;
	ret = encode_finish(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
roster_encode_leave(uint64_t cut, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_uint8(&pk, ROSTER_OP_LEAVE) != 0 ||
	    msgpack_pack_uint64(&pk, cut) != 0)
		goto out;
	ret = encode_finish(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
roster_encode_rotate(const uint8_t *envelope, size_t envelope_len,
    uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL || envelope == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_uint8(&pk, ROSTER_OP_ROTATE) != 0 ||
	    mp_pack_bin(&pk, envelope, envelope_len) != 0)
		goto out;
	ret = encode_finish(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
roster_encode_amend(const uint8_t *contract, size_t contract_len,
    const uint8_t prev_hash[BAL_HASH_BYTES], uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL || contract == NULL ||
	    prev_hash == NULL)
		goto out;
	if (contract_len > ROSTER_CONTRACT_MAX) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 3) != 0 ||
	    msgpack_pack_uint8(&pk, ROSTER_OP_AMEND) != 0 ||
	    mp_pack_bin(&pk, contract, contract_len) != 0 ||
	    mp_pack_bin(&pk, prev_hash, BAL_HASH_BYTES) != 0)
		goto out;
	ret = encode_finish(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

const char *
roster_op_name(int type)
{
	switch (type) {
	case ROSTER_OP_CREATE:	return "create";
	case ROSTER_OP_ADD:	return "add";
	case ROSTER_OP_REVOKE:	return "revoke";
	case ROSTER_OP_LEAVE:	return "leave";
	case ROSTER_OP_ROTATE:	return "rotate";
	case ROSTER_OP_AMEND:	return "amend";
	default:		return "unknown";
	}
}
