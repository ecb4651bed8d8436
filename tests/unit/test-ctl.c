/* test-ctl.c — control protocol messages: builders, codec, hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "ctl.h"

/* A deterministic generator (xorshift64*). */
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const uint8_t blob[5] = { 0, 1, 2, 0xfe, 0xff };

static struct ctl_req *
sample_req(void)
{
	struct ctl_req *req;

	assert_int_equal(ctl_req_new("note.write", 300, &req), 0);
	assert_int_equal(ctl_req_add_str(req, "title", "Fall: Frau K."), 0);
	assert_int_equal(ctl_req_add_str(req, "text",
	    "Sie kam wieder zu sp\xc3\xa4t; ich war ver\xc3\xa4rgert.\n"), 0);
	assert_int_equal(ctl_req_add_str(req, "kind", "followup"), 0);
	assert_int_equal(ctl_req_add_uint(req, "count", 70000), 0);
	assert_int_equal(ctl_req_add_uint(req, "big", 1ULL << 40), 0);
	assert_int_equal(ctl_req_add_bool(req, "wait", 1), 0);
	assert_int_equal(ctl_req_add_bool(req, "json", 0), 0);
	assert_int_equal(ctl_req_add_bin(req, "hash", blob, sizeof(blob)), 0);
	assert_int_equal(ctl_req_add_bin(req, "empty-bin", NULL, 0), 0);
	assert_int_equal(ctl_req_add_nil(req, "case"), 0);
	assert_int_equal(ctl_req_add_str(req, "g", ""), 0);
	return req;
}

static struct ctl_resp *
sample_resp(void)
{
	struct ctl_resp *resp;
	char id[16];
	int i;

	assert_int_equal(ctl_resp_new(7, CTL_OK, NULL, &resp), 0);
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "n%d", i);
		assert_int_equal(ctl_resp_record_begin(resp), 0);
		assert_int_equal(ctl_resp_add_str(resp, "id", id), 0);
		assert_int_equal(ctl_resp_add_str(resp, "title",
		    "Supervision 3. M\xc3\xa4rz"), 0);
		assert_int_equal(ctl_resp_add_uint(resp, "time",
		    1700000000000ULL + (uint64_t)i), 0);
		assert_int_equal(ctl_resp_add_bool(resp, "erased", i == 1), 0);
		assert_int_equal(ctl_resp_add_bin(resp, "hash", blob,
		    sizeof(blob)), 0);
		assert_int_equal(ctl_resp_add_nil(resp, "case"), 0);
	}
	assert_int_equal(ctl_resp_record_begin(resp), 0);	/* empty */
	return resp;
}

static void
req_enc(const struct ctl_req *req, uint8_t **buf, size_t *len)
{
	assert_int_equal(ctl_req_encode(req, buf, len), 0);
	assert_int_equal(*len, ctl_req_size(req));
}

static void
resp_enc(const struct ctl_resp *resp, uint8_t **buf, size_t *len)
{
	assert_int_equal(ctl_resp_encode(resp, buf, len), 0);
	assert_int_equal(*len, ctl_resp_size(resp));
}

static void
test_req_roundtrip(void **state)
{
	struct ctl_req *req = sample_req(), *d;
	const struct ctl_kv *kv;
	const char *s;
	const uint8_t *p;
	uint8_t *buf, *again;
	size_t len, alen, n;
	uint64_t u;
	int b;

	(void)state;
	req_enc(req, &buf, &len);
	assert_int_equal(ctl_req_decode(buf, len, &d), 0);
	/* The request owns its data. */
	memset(buf, 0, len);
	assert_int_equal(ctl_req_version(d), CTL_VERSION);
	assert_int_equal(ctl_req_id(d), 300);
	assert_string_equal(ctl_req_cmd(d), "note.write");
	assert_int_equal(ctl_req_nargs(d), 11);
	kv = ctl_req_arg(d, 0);
	assert_string_equal(kv->key, "title");
	assert_int_equal(kv->val.type, CTL_STR);
	assert_null(ctl_req_arg(d, 11));
	assert_int_equal(ctl_req_get_str(d, "text", &s, &n), 0);
	assert_string_equal(s,
	    "Sie kam wieder zu sp\xc3\xa4t; ich war ver\xc3\xa4rgert.\n");
	assert_int_equal(n, strlen(s));
	assert_int_equal(ctl_req_get_str(d, "g", &s, NULL), 0);
	assert_string_equal(s, "");
	assert_int_equal(ctl_req_get_uint(d, "count", &u), 0);
	assert_int_equal(u, 70000);
	assert_int_equal(ctl_req_get_uint(d, "big", &u), 0);
	assert_true(u == 1ULL << 40);
	assert_int_equal(ctl_req_get_bool(d, "wait", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ctl_req_get_bool(d, "json", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(ctl_req_get_bin(d, "hash", &p, &n), 0);
	assert_int_equal(n, sizeof(blob));
	assert_memory_equal(p, blob, sizeof(blob));
	assert_int_equal(ctl_req_get_bin(d, "empty-bin", &p, &n), 0);
	assert_non_null(p);
	assert_int_equal(n, 0);
	/* nil and absent read as absent; another type is BAL_EPROTO. */
	assert_non_null(ctl_req_get(d, "case"));
	assert_int_equal(ctl_req_get(d, "case")->type, CTL_NIL);
	assert_int_equal(ctl_req_get_str(d, "case", &s, NULL), BAL_ENOENT);
	assert_int_equal(ctl_req_get_str(d, "nope", &s, NULL), BAL_ENOENT);
	assert_null(ctl_req_get(d, "nope"));
	assert_int_equal(ctl_req_get_uint(d, "title", &u), BAL_EPROTO);
	assert_int_equal(ctl_req_get_str(d, "count", &s, NULL), BAL_EPROTO);
	assert_int_equal(ctl_req_get_bool(d, "hash", &b), BAL_EPROTO);
	assert_int_equal(ctl_req_get_bin(d, "wait", &p, &n), BAL_EPROTO);
	/* Deterministic: decode + encode gives the same bytes. */
	free(buf);
	req_enc(req, &buf, &len);
	req_enc(d, &again, &alen);
	assert_int_equal(alen, len);
	assert_memory_equal(again, buf, len);
	free(again);
	free(buf);
	ctl_req_free(d);
	ctl_req_free(req);
	ctl_req_free(NULL);

	/* A request without arguments. */
	assert_int_equal(ctl_req_new("status", 0, &req), 0);
	req_enc(req, &buf, &len);
	assert_int_equal(ctl_req_decode(buf, len, &d), 0);
	assert_string_equal(ctl_req_cmd(d), "status");
	assert_int_equal(ctl_req_nargs(d), 0);
	free(buf);
	ctl_req_free(d);
	ctl_req_free(req);
}

static void
test_resp_roundtrip(void **state)
{
	struct ctl_resp *resp = sample_resp(), *d;
	const struct ctl_kv *kv;
	const char *s;
	const uint8_t *p;
	uint8_t *buf, *again;
	size_t len, alen, n;
	uint64_t u;
	int b;

	(void)state;
	resp_enc(resp, &buf, &len);
	assert_int_equal(ctl_resp_decode(buf, len, &d), 0);
	assert_int_equal(ctl_resp_version(d), CTL_VERSION);
	assert_int_equal(ctl_resp_id(d), 7);
	assert_int_equal(ctl_resp_status(d), CTL_OK);
	assert_string_equal(ctl_resp_err(d), "");
	assert_int_equal(ctl_resp_nrecords(d), 4);
	kv = ctl_resp_record(d, 1, &n);
	assert_int_equal(n, 6);
	assert_string_equal(kv[0].key, "id");
	assert_string_equal(kv[0].val.str.p, "n1");
	assert_non_null(ctl_resp_record(d, 3, &n));
	assert_int_equal(n, 0);
	assert_null(ctl_resp_record(d, 4, &n));
	assert_int_equal(ctl_resp_get_str(d, 2, "id", &s, NULL), 0);
	assert_string_equal(s, "n2");
	assert_int_equal(ctl_resp_get_uint(d, 2, "time", &u), 0);
	assert_true(u == 1700000000002ULL);
	assert_int_equal(ctl_resp_get_bool(d, 1, "erased", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ctl_resp_get_bin(d, 0, "hash", &p, &n), 0);
	assert_memory_equal(p, blob, sizeof(blob));
	assert_int_equal(ctl_resp_get_str(d, 0, "case", &s, NULL), BAL_ENOENT);
	assert_int_equal(ctl_resp_get_str(d, 3, "id", &s, NULL), BAL_ENOENT);
	assert_int_equal(ctl_resp_get_str(d, 9, "id", &s, NULL), BAL_ENOENT);
	assert_int_equal(ctl_resp_get_uint(d, 0, "id", &u), BAL_EPROTO);
	assert_null(ctl_resp_get(d, 0, "nope"));
	resp_enc(d, &again, &alen);
	assert_int_equal(alen, len);
	assert_memory_equal(again, buf, len);
	free(again);
	free(buf);
	ctl_resp_free(d);
	ctl_resp_free(resp);
	ctl_resp_free(NULL);

	/* An error response. */
	assert_int_equal(ctl_resp_new(9, CTL_FAILED,
	    "unknown member 'bobb' (see: balint members)", &resp), 0);
	resp_enc(resp, &buf, &len);
	assert_int_equal(ctl_resp_decode(buf, len, &d), 0);
	assert_int_equal(ctl_resp_status(d), CTL_FAILED);
	assert_string_equal(ctl_resp_err(d),
	    "unknown member 'bobb' (see: balint members)");
	assert_int_equal(ctl_resp_nrecords(d), 0);
	free(buf);
	ctl_resp_free(d);
	ctl_resp_free(resp);
}

/* Random builds: the announced size is exact and everything round-trips. */
static void
rnd_value(struct ctl_value *v, char *sbuf, uint8_t *bbuf)
{
	static const size_t lens[] = { 0, 1, 31, 32, 255, 256, 65535, 65536 };
	static const uint64_t uints[] = { 0, 127, 128, 255, 256, 65535, 65536,
	    0xffffffffULL, 0x100000000ULL, UINT64_MAX };
	size_t len = lens[rnd() % 6], i;

	if (rnd() % 50 == 0)
		len = lens[6 + rnd() % 2];
	memset(v, 0, sizeof(*v));
	v->type = (int)(rnd() % 5);
	switch (v->type) {
	case CTL_STR:
		for (i = 0; i < len; i++)
			sbuf[i] = (char)('a' + rnd() % 26);
		v->str.p = sbuf;
		v->str.len = len;
		break;
	case CTL_BIN:
		for (i = 0; i < len; i++)
			bbuf[i] = (uint8_t)rnd();
		v->bin.p = bbuf;
		v->bin.len = len;
		break;
	case CTL_UINT:
		v->u = uints[rnd() % 10];
		break;
	case CTL_BOOL:
		v->b = (int)(rnd() & 1);
		break;
	default:
		break;
	}
}

static void
test_size_exact(void **state)
{
	struct ctl_req *req, *dreq;
	struct ctl_resp *resp, *dresp;
	struct ctl_value v;
	char key[16], *sbuf;
	uint8_t *bbuf, *buf, *again;
	size_t len, alen, nr, nf, r, f;
	int iter;

	(void)state;
	rng_state = 0x1234567887654321ULL;
	sbuf = malloc(65536);
	bbuf = malloc(65536);
	assert_non_null(sbuf);
	assert_non_null(bbuf);
	for (iter = 0; iter < 150; iter++) {
		assert_int_equal(ctl_req_new("x", rnd() % 3 ? rnd() % 300 :
		    UINT64_MAX, &req), 0);
		nf = rnd() % (CTL_MAX_ARGS + 1);
		for (f = 0; f < nf; f++) {
			snprintf(key, sizeof(key), "k%zu", f);
			rnd_value(&v, sbuf, bbuf);
			assert_int_equal(ctl_req_add(req, key, &v), 0);
		}
		req_enc(req, &buf, &len);
		assert_int_equal(ctl_req_decode(buf, len, &dreq), 0);
		assert_int_equal(ctl_req_size(dreq), len);
		req_enc(dreq, &again, &alen);
		assert_memory_equal(again, buf, len);
		free(again);
		free(buf);
		ctl_req_free(dreq);
		ctl_req_free(req);

		assert_int_equal(ctl_resp_new(rnd(), CTL_USAGE, "usage: x",
		    &resp), 0);
		nr = rnd() % 40;
		for (r = 0; r < nr; r++) {
			assert_int_equal(ctl_resp_record_begin(resp), 0);
			nf = rnd() % 20;
			for (f = 0; f < nf; f++) {
				snprintf(key, sizeof(key), "f%zu", f);
				rnd_value(&v, sbuf, bbuf);
				assert_int_equal(ctl_resp_add(resp, key, &v),
				    0);
			}
		}
		resp_enc(resp, &buf, &len);
		assert_int_equal(ctl_resp_decode(buf, len, &dresp), 0);
		assert_int_equal(ctl_resp_size(dresp), len);
		assert_int_equal(ctl_resp_nrecords(dresp), nr);
		resp_enc(dresp, &again, &alen);
		assert_memory_equal(again, buf, len);
		free(again);
		free(buf);
		ctl_resp_free(dresp);
		ctl_resp_free(resp);
	}
	free(sbuf);
	free(bbuf);
}

/*
 * Every single-byte change: rejected (*out NULL), another version
 * (BAL_EVERSION, *out set), or a different valid message; the same message
 * only through msgpack's signed alias of a uint16/32/64.
 */
static void
tamper_req(const uint8_t *orig, size_t len)
{
	struct ctl_req *d;
	uint8_t *buf, *re;
	size_t pos, relen;
	unsigned v;
	int rc;

	buf = malloc(len);
	assert_non_null(buf);
	for (pos = 0; pos < len; pos++) {
		for (v = 0; v < 256; v++) {
			if (v == orig[pos])
				continue;
			memcpy(buf, orig, len);
			buf[pos] = (uint8_t)v;
			rc = ctl_req_decode(buf, len, &d);
			if (rc == BAL_EVERSION) {
				assert_true(ctl_req_version(d) != CTL_VERSION);
				ctl_req_free(d);
				continue;
			}
			if (rc != 0) {
				assert_null(d);
				continue;
			}
			req_enc(d, &re, &relen);
			if (relen == len && memcmp(re, orig, len) == 0)
				assert_true(orig[pos] >= 0xcd &&
				    orig[pos] <= 0xcf && v == orig[pos] + 4u);
			free(re);
			ctl_req_free(d);
		}
	}
	free(buf);
}

static void
tamper_resp(const uint8_t *orig, size_t len)
{
	struct ctl_resp *d;
	uint8_t *buf, *re;
	size_t pos, relen;
	unsigned v;
	int rc;

	buf = malloc(len);
	assert_non_null(buf);
	for (pos = 0; pos < len; pos++) {
		for (v = 0; v < 256; v++) {
			if (v == orig[pos])
				continue;
			memcpy(buf, orig, len);
			buf[pos] = (uint8_t)v;
			rc = ctl_resp_decode(buf, len, &d);
			if (rc == BAL_EVERSION) {
				assert_true(ctl_resp_version(d) != CTL_VERSION);
				ctl_resp_free(d);
				continue;
			}
			if (rc != 0) {
				assert_null(d);
				continue;
			}
			resp_enc(d, &re, &relen);
			if (relen == len && memcmp(re, orig, len) == 0)
				assert_true(orig[pos] >= 0xcd &&
				    orig[pos] <= 0xcf && v == orig[pos] + 4u);
			free(re);
			ctl_resp_free(d);
		}
	}
	free(buf);
}

static void
test_tamper_every_byte(void **state)
{
	struct ctl_req *req = sample_req();
	struct ctl_resp *resp = sample_resp();
	uint8_t *buf;
	size_t len;

	(void)state;
	req_enc(req, &buf, &len);
	tamper_req(buf, len);
	free(buf);
	resp_enc(resp, &buf, &len);
	tamper_resp(buf, len);
	free(buf);
	ctl_req_free(req);
	ctl_resp_free(resp);
	assert_int_equal(ctl_resp_new(1, CTL_USAGE, "usage: balint note show "
	    "NOTE", &resp), 0);
	resp_enc(resp, &buf, &len);
	tamper_resp(buf, len);
	free(buf);
	ctl_resp_free(resp);
}

static void
test_truncated_and_trailing(void **state)
{
	struct ctl_req *req = sample_req(), *d = NULL;
	struct ctl_resp *resp = sample_resp(), *e = NULL;
	uint8_t *rq, *rs, *big;
	size_t rqlen, rslen, k;

	(void)state;
	req_enc(req, &rq, &rqlen);
	resp_enc(resp, &rs, &rslen);
	for (k = 0; k < rqlen; k++) {
		assert_int_equal(ctl_req_decode(k ? rq : NULL, k, &d),
		    BAL_EPROTO);
		assert_null(d);
	}
	for (k = 0; k < rslen; k++) {
		assert_int_equal(ctl_resp_decode(k ? rs : NULL, k, &e),
		    BAL_EPROTO);
		assert_null(e);
	}
	big = malloc(rqlen + rslen + 1);
	assert_non_null(big);
	memcpy(big, rq, rqlen);
	big[rqlen] = 0xc0;
	assert_int_equal(ctl_req_decode(big, rqlen + 1, &d), BAL_EPROTO);
	memcpy(big + rqlen, rs, rslen);
	assert_int_equal(ctl_req_decode(big, rqlen + rslen, &d), BAL_EPROTO);
	memcpy(big, rs, rslen);
	big[rslen] = 0x00;
	assert_int_equal(ctl_resp_decode(big, rslen + 1, &e), BAL_EPROTO);
	/* A request is not a response and vice versa. */
	assert_int_equal(ctl_resp_decode(rq, rqlen, &e), BAL_EPROTO);
	assert_int_equal(ctl_req_decode(rs, rslen, &d), BAL_EPROTO);
	assert_null(d);
	assert_null(e);
	free(big);
	free(rq);
	free(rs);
	ctl_req_free(req);
	ctl_resp_free(resp);
}

static void
test_builder_limits(void **state)
{
	struct ctl_req *req;
	struct ctl_resp *resp;
	struct ctl_value v;
	char key[40], *huge;
	uint8_t *buf;
	size_t len, size, i;

	(void)state;
	/* Command names. */
	assert_int_equal(ctl_req_new(NULL, 1, &req), BAL_EINVAL);
	assert_int_equal(ctl_req_new("", 1, &req), BAL_EINVAL);
	assert_null(req);
	assert_int_equal(ctl_req_new("Note.write", 1, &req), BAL_EINVAL);
	assert_int_equal(ctl_req_new("note write", 1, &req), BAL_EINVAL);
	assert_int_equal(ctl_req_new("note/write", 1, &req), BAL_EINVAL);
	assert_int_equal(ctl_req_new("abcdefghijklmnopqrstuvwxyz0123456",
	    1, &req), BAL_EINVAL);
	assert_int_equal(ctl_req_new("abcdefghijklmnopqrstuvwxyz012345",
	    1, &req), 0);

	/* Keys, values, count; the request is unchanged on error. */
	size = ctl_req_size(req);
	assert_int_equal(ctl_req_add_str(req, "", "x"), BAL_EINVAL);
	assert_int_equal(ctl_req_add_str(req, "Key", "x"), BAL_EINVAL);
	assert_int_equal(ctl_req_add_str(req, "k y", "x"), BAL_EINVAL);
	assert_int_equal(ctl_req_add_str(req,
	    "abcdefghijklmnopqrstuvwxyz0123456", "x"), BAL_EINVAL);
	assert_int_equal(ctl_req_add_str(req, NULL, "x"), BAL_EINVAL);
	assert_int_equal(ctl_req_add_str(req, "k", NULL), BAL_EINVAL);
	assert_int_equal(ctl_req_add_strn(req, "k", "a\0b", 3), BAL_EINVAL);
	assert_int_equal(ctl_req_add_strn(req, "k", "\xc3(", 2), BAL_EINVAL);
	assert_int_equal(ctl_req_add_strn(req, "k", "\xed\xa0\x80", 3),
	    BAL_EINVAL);	/* a UTF-16 surrogate */
	assert_int_equal(ctl_req_add_bin(req, "k", NULL, 3), BAL_EINVAL);
	memset(&v, 0, sizeof(v));
	v.type = CTL_BOOL;
	v.b = 2;
	assert_int_equal(ctl_req_add(req, "k", &v), BAL_EINVAL);
	v.type = 9;
	assert_int_equal(ctl_req_add(req, "k", &v), BAL_EINVAL);
	assert_int_equal(ctl_req_add(req, "k", NULL), BAL_EINVAL);
	v.type = CTL_STR;
	v.str.p = "x";
	v.str.len = CTL_MAX_MSG + 1;
	assert_int_equal(ctl_req_add(req, "k", &v), BAL_ETOOBIG);
	assert_int_equal(ctl_req_nargs(req), 0);
	assert_int_equal(ctl_req_size(req), size);
	assert_int_equal(ctl_req_add_bool(req, "yes", 42), 0);
	assert_int_equal(ctl_req_get(req, "yes")->b, 1);
	for (i = 1; i < CTL_MAX_ARGS; i++) {
		snprintf(key, sizeof(key), "a%zu", i);
		assert_int_equal(ctl_req_add_uint(req, key, i), 0);
	}
	assert_int_equal(ctl_req_add_uint(req, "more", 1), BAL_ETOOBIG);
	assert_int_equal(ctl_req_nargs(req), CTL_MAX_ARGS);
	req_enc(req, &buf, &len);
	free(buf);
	ctl_req_free(req);

	/* A message of exactly CTL_MAX_MSG bytes, and one byte more. */
	huge = malloc(CTL_MAX_MSG + 1);
	assert_non_null(huge);
	memset(huge, 'z', CTL_MAX_MSG + 1);
	assert_int_equal(ctl_req_new("note.write", 1, &req), 0);
	assert_int_equal(ctl_req_add_strn(req, "text", huge, 100000), 0);
	size = ctl_req_size(req);
	ctl_req_free(req);
	assert_int_equal(ctl_req_new("note.write", 1, &req), 0);
	assert_int_equal(ctl_req_add_strn(req, "text", huge,
	    100000 + CTL_MAX_MSG - size), 0);
	assert_int_equal(ctl_req_size(req), CTL_MAX_MSG);
	req_enc(req, &buf, &len);
	{
		struct ctl_req *d;
		const char *s;
		size_t n;

		assert_int_equal(ctl_req_decode(buf, len, &d), 0);
		assert_int_equal(ctl_req_get_str(d, "text", &s, &n), 0);
		assert_int_equal(n, 100000 + CTL_MAX_MSG - size);
		ctl_req_free(d);
	}
	free(buf);
	ctl_req_free(req);
	assert_int_equal(ctl_req_new("note.write", 1, &req), 0);
	assert_int_equal(ctl_req_add_strn(req, "text", huge,
	    100001 + CTL_MAX_MSG - size), 0);
	assert_int_equal(ctl_req_encode(req, &buf, &len), BAL_ETOOBIG);
	assert_null(buf);
	ctl_req_free(req);
	free(huge);

	/* Responses: status and message, state, counts. */
	assert_int_equal(ctl_resp_new(1, 3, "x", &resp), BAL_EINVAL);
	assert_int_equal(ctl_resp_new(1, -1, "x", &resp), BAL_EINVAL);
	assert_int_equal(ctl_resp_new(1, CTL_OK, "x", &resp), BAL_EINVAL);
	assert_int_equal(ctl_resp_new(1, CTL_FAILED, "", &resp), BAL_EINVAL);
	assert_int_equal(ctl_resp_new(1, CTL_USAGE, NULL, &resp), BAL_EINVAL);
	assert_null(resp);
	assert_int_equal(ctl_resp_new(1, CTL_OK, "", &resp), 0);
	assert_int_equal(ctl_resp_add_str(resp, "k", "v"), BAL_ESTATE);
	assert_int_equal(ctl_resp_record_begin(resp), 0);
	for (i = 0; i < CTL_MAX_FIELDS; i++) {
		snprintf(key, sizeof(key), "f%zu", i);
		assert_int_equal(ctl_resp_add_uint(resp, key, i), 0);
	}
	assert_int_equal(ctl_resp_add_uint(resp, "more", 1), BAL_ETOOBIG);
	for (i = 1; i < CTL_MAX_RECORDS; i++)
		assert_int_equal(ctl_resp_record_begin(resp), 0);
	assert_int_equal(ctl_resp_record_begin(resp), BAL_ETOOBIG);
	resp_enc(resp, &buf, &len);
	{
		struct ctl_resp *d;

		assert_int_equal(ctl_resp_decode(buf, len, &d), 0);
		assert_int_equal(ctl_resp_nrecords(d), CTL_MAX_RECORDS);
		ctl_resp_free(d);
	}
	free(buf);
	ctl_resp_free(resp);
}

static void
test_err_made_safe(void **state)
{
	struct ctl_resp *resp, *d;
	char in[2100];
	uint8_t *buf;
	size_t len, i;

	(void)state;
	assert_int_equal(ctl_resp_new(1, CTL_FAILED,
	    "a\nb\x01" "c\xff" "d\xc3" "\te\x7f" "\xe2\x82\xac", &resp), 0);
	assert_string_equal(ctl_resp_err(resp), "a?b?c?d??e?\xe2\x82\xac");
	ctl_resp_free(resp);

	/* Cut at CTL_MAX_ERR bytes without splitting a character. */
	in[0] = 'x';
	for (i = 1; i + 2 < sizeof(in); i += 2) {
		in[i] = '\xc3';
		in[i + 1] = '\xa9';
	}
	in[i] = '\0';
	assert_int_equal(ctl_resp_new(1, CTL_FAILED, in, &resp), 0);
	assert_int_equal(strlen(ctl_resp_err(resp)), CTL_MAX_ERR - 1);
	resp_enc(resp, &buf, &len);
	assert_int_equal(ctl_resp_decode(buf, len, &d), 0);
	assert_string_equal(ctl_resp_err(d), ctl_resp_err(resp));
	ctl_resp_free(d);
	free(buf);
	ctl_resp_free(resp);
	memset(in, 'y', sizeof(in));
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(ctl_resp_new(1, CTL_FAILED, in, &resp), 0);
	assert_int_equal(strlen(ctl_resp_err(resp)), CTL_MAX_ERR);
	ctl_resp_free(resp);
}

/* Hand-made messages. */
struct pkb {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void
pkb_init(struct pkb *b)
{
	msgpack_sbuffer_init(&b->sb);
	msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
}

static void
pk_cstr(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static int
pkb_req(struct pkb *b)
{
	struct ctl_req *d = (struct ctl_req *)&d;
	int rc;

	rc = ctl_req_decode((uint8_t *)b->sb.data, b->sb.size, &d);
	if (rc == 0 || rc == BAL_EVERSION)
		ctl_req_free(d);
	else
		assert_null(d);
	msgpack_sbuffer_destroy(&b->sb);
	return rc;
}

static int
pkb_resp(struct pkb *b)
{
	struct ctl_resp *d = (struct ctl_resp *)&d;
	int rc;

	rc = ctl_resp_decode((uint8_t *)b->sb.data, b->sb.size, &d);
	if (rc == 0 || rc == BAL_EVERSION)
		ctl_resp_free(d);
	else
		assert_null(d);
	msgpack_sbuffer_destroy(&b->sb);
	return rc;
}

/* [1, 1, cmd, [[key, 1]...]]: keys[i], or "k<i>" when keys is NULL. */
static int
craft_req(const char *cmd, size_t n, const char *const *keys)
{
	struct pkb b;
	char key[48];
	size_t i;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 4);
	msgpack_pack_uint64(&b.pk, CTL_VERSION);
	msgpack_pack_uint64(&b.pk, 1);
	pk_cstr(&b.pk, cmd);
	msgpack_pack_array(&b.pk, n);
	for (i = 0; i < n; i++) {
		if (keys == NULL)
			snprintf(key, sizeof(key), "k%zu", i);
		msgpack_pack_array(&b.pk, 2);
		pk_cstr(&b.pk, keys != NULL ? keys[i] : key);
		msgpack_pack_uint64(&b.pk, 1);
	}
	return pkb_req(&b);
}

/* [1, 1, status, err, [nrecs records of nf fields]]; keys as above. */
static int
craft_resp(uint64_t status, const char *err, size_t nrecs, size_t nf,
    const char *const *keys)
{
	struct pkb b;
	char key[48];
	size_t r, i;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 5);
	msgpack_pack_uint64(&b.pk, CTL_VERSION);
	msgpack_pack_uint64(&b.pk, 1);
	msgpack_pack_uint64(&b.pk, status);
	pk_cstr(&b.pk, err);
	msgpack_pack_array(&b.pk, nrecs);
	for (r = 0; r < nrecs; r++) {
		msgpack_pack_array(&b.pk, nf);
		for (i = 0; i < nf; i++) {
			if (keys == NULL)
				snprintf(key, sizeof(key), "k%zu", i);
			msgpack_pack_array(&b.pk, 2);
			pk_cstr(&b.pk, keys != NULL ? keys[i] : key);
			msgpack_pack_true(&b.pk);
		}
	}
	return pkb_resp(&b);
}

static void
test_decode_limits(void **state)
{
	static const char *const long_key[] = {
	    "abcdefghijklmnopqrstuvwxyz0123456" };
	static const char *const max_key[] = {
	    "abcdefghijklmnopqrstuvwxyz012345" };
	static const char *const bad_keys[][1] = { { "" }, { "Key" },
	    { "k y" }, { "k\xc3\xa9" }, { "k:" } };
	char err[CTL_MAX_ERR + 2];
	uint8_t *big;
	size_t i;

	(void)state;
	assert_int_equal(craft_req("note.write", 0, NULL), 0);
	assert_int_equal(craft_req("abcdefghijklmnopqrstuvwxyz012345", 0,
	    NULL), 0);
	assert_int_equal(craft_req("abcdefghijklmnopqrstuvwxyz0123456", 0,
	    NULL), BAL_EPROTO);
	assert_int_equal(craft_req("", 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_req("Note", 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_req("note\nwrite", 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_req("x", CTL_MAX_ARGS, NULL), 0);
	assert_int_equal(craft_req("x", CTL_MAX_ARGS + 1, NULL), BAL_EPROTO);
	assert_int_equal(craft_req("x", 1, max_key), 0);
	assert_int_equal(craft_req("x", 1, long_key), BAL_EPROTO);
	for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		assert_int_equal(craft_req("x", 1, bad_keys[i]), BAL_EPROTO);
		assert_int_equal(craft_resp(0, "", 1, 1, bad_keys[i]),
		    BAL_EPROTO);
	}

	assert_int_equal(craft_resp(0, "", 2, CTL_MAX_FIELDS, NULL), 0);
	assert_int_equal(craft_resp(0, "", 1, CTL_MAX_FIELDS + 1, NULL),
	    BAL_EPROTO);
	assert_int_equal(craft_resp(0, "", CTL_MAX_RECORDS, 0, NULL), 0);
	assert_int_equal(craft_resp(0, "", CTL_MAX_RECORDS + 1, 0, NULL),
	    BAL_EPROTO);
	assert_int_equal(craft_resp(3, "x", 0, 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_resp(0, "x", 0, 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_resp(1, "", 0, 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_resp(2, "", 0, 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_resp(1, "two\nlines", 0, 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_resp(1, "tab\there", 0, 0, NULL), BAL_EPROTO);
	assert_int_equal(craft_resp(1, "bad \xff", 0, 0, NULL), BAL_EPROTO);
	memset(err, 'e', sizeof(err));
	err[CTL_MAX_ERR] = '\0';
	assert_int_equal(craft_resp(2, err, 0, 0, NULL), 0);
	err[CTL_MAX_ERR] = 'e';
	err[CTL_MAX_ERR + 1] = '\0';
	assert_int_equal(craft_resp(2, err, 0, 0, NULL), BAL_EPROTO);

	/* Above CTL_MAX_MSG before any parsing. */
	big = calloc(1, CTL_MAX_MSG + 1);
	assert_non_null(big);
	{
		struct ctl_req *d = NULL;
		struct ctl_resp *e = NULL;

		assert_int_equal(ctl_req_decode(big, CTL_MAX_MSG + 1, &d),
		    BAL_ETOOBIG);
		assert_int_equal(ctl_resp_decode(big, CTL_MAX_MSG + 1, &e),
		    BAL_ETOOBIG);
		assert_null(d);
		assert_null(e);
	}
	free(big);
}

static void
test_duplicate_keys(void **state)
{
	static const char *const dup[] = { "a", "b", "a" };
	static const char *const prefix[] = { "a", "ab" };
	struct ctl_req *req;
	struct ctl_resp *resp;

	(void)state;
	assert_int_equal(craft_req("x", 3, dup), BAL_EPROTO);
	assert_int_equal(craft_resp(0, "", 1, 3, dup), BAL_EPROTO);
	/* Same key in different records, or a key that prefixes another. */
	assert_int_equal(craft_resp(0, "", 3, 2, prefix), 0);
	assert_int_equal(craft_req("x", 2, prefix), 0);

	assert_int_equal(ctl_req_new("x", 1, &req), 0);
	assert_int_equal(ctl_req_add_str(req, "a", "1"), 0);
	assert_int_equal(ctl_req_add_uint(req, "a", 2), BAL_EINVAL);
	assert_int_equal(ctl_req_nargs(req), 1);
	ctl_req_free(req);
	assert_int_equal(ctl_resp_new(1, CTL_OK, "", &resp), 0);
	assert_int_equal(ctl_resp_record_begin(resp), 0);
	assert_int_equal(ctl_resp_add_str(resp, "a", "1"), 0);
	assert_int_equal(ctl_resp_add_nil(resp, "a"), BAL_EINVAL);
	assert_int_equal(ctl_resp_record_begin(resp), 0);
	assert_int_equal(ctl_resp_add_nil(resp, "a"), 0);
	ctl_resp_free(resp);
}

static void
test_version_mismatch(void **state)
{
	struct ctl_req *req;
	struct ctl_resp *resp;
	struct pkb b;
	uint8_t *buf;
	size_t len;

	(void)state;
	/* A newer request: only [version, id] are readable. */
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 3);
	msgpack_pack_uint64(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, 77);
	msgpack_pack_map(&b.pk, 0);
	assert_int_equal(ctl_req_decode((uint8_t *)b.sb.data, b.sb.size, &req),
	    BAL_EVERSION);
	assert_non_null(req);
	assert_int_equal(ctl_req_version(req), 2);
	assert_int_equal(ctl_req_id(req), 77);
	assert_string_equal(ctl_req_cmd(req), "");
	assert_int_equal(ctl_req_nargs(req), 0);
	/* It cannot be sent on. */
	assert_int_equal(ctl_req_encode(req, &buf, &len), BAL_EINVAL);
	ctl_req_free(req);
	/* The same bytes as a response. */
	assert_int_equal(ctl_resp_decode((uint8_t *)b.sb.data, b.sb.size,
	    &resp), BAL_EVERSION);
	assert_int_equal(ctl_resp_version(resp), 2);
	assert_int_equal(ctl_resp_id(resp), 77);
	assert_int_equal(ctl_resp_status(resp), CTL_FAILED);
	assert_int_equal(ctl_resp_nrecords(resp), 0);
	assert_int_equal(ctl_resp_encode(resp, &buf, &len), BAL_EINVAL);
	ctl_resp_free(resp);
	msgpack_sbuffer_destroy(&b.sb);

	/* [0] and [9, "id?"]: the id is 0 when it cannot be read. */
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 1);
	msgpack_pack_uint64(&b.pk, 0);
	assert_int_equal(ctl_req_decode((uint8_t *)b.sb.data, b.sb.size, &req),
	    BAL_EVERSION);
	assert_int_equal(ctl_req_version(req), 0);
	assert_int_equal(ctl_req_id(req), 0);
	ctl_req_free(req);
	msgpack_sbuffer_destroy(&b.sb);
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, UINT64_MAX);
	pk_cstr(&b.pk, "id?");
	assert_int_equal(ctl_resp_decode((uint8_t *)b.sb.data, b.sb.size,
	    &resp), BAL_EVERSION);
	assert_true(ctl_resp_version(resp) == UINT64_MAX);
	assert_int_equal(ctl_resp_id(resp), 0);
	ctl_resp_free(resp);
	msgpack_sbuffer_destroy(&b.sb);

	/* The version must be an integer; version 1 must be complete. */
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	pk_cstr(&b.pk, "1");
	msgpack_pack_uint64(&b.pk, 1);
	assert_int_equal(pkb_req(&b), BAL_EPROTO);
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, CTL_VERSION);
	msgpack_pack_uint64(&b.pk, 1);
	assert_int_equal(pkb_resp(&b), BAL_EPROTO);
}

/* Wrong-typed stand-ins. */
enum { K_UINT, K_NEG, K_NIL, K_BOOL, K_FLOAT, K_STR, K_BIN, K_ARR, K_MAP,
	K_EXT, NKINDS };
#define M(k) (1u << (k))
#define M_VALUE (M(K_UINT) | M(K_NIL) | M(K_BOOL) | M(K_STR) | M(K_BIN))

static void
pk_kind(msgpack_packer *pk, int kind)
{
	switch (kind) {
	case K_UINT:	msgpack_pack_uint64(pk, 1); break;
	case K_NEG:	msgpack_pack_int64(pk, -1); break;
	case K_NIL:	msgpack_pack_nil(pk); break;
	case K_BOOL:	msgpack_pack_true(pk); break;
	case K_FLOAT:	msgpack_pack_float(pk, 1.0f); break;
	case K_STR:	pk_cstr(pk, "x"); break;
	case K_BIN:
		msgpack_pack_bin(pk, 1);
		msgpack_pack_bin_body(pk, "x", 1);
		break;
	case K_ARR:	msgpack_pack_array(pk, 0); break;
	case K_MAP:	msgpack_pack_map(pk, 0); break;
	default:
		msgpack_pack_ext(pk, 1, -1);
		msgpack_pack_ext_body(pk, "x", 1);
		break;
	}
}

/*
 * Packs a request (resp 0) or a response (resp 1) with field f replaced
 * by kind k; fills ok[] with the kinds each field may have.
 */
static int
pk_message(msgpack_packer *pk, int resp, int f, int k, unsigned ok[12])
{
	int n = 0;

#define FIELD(mask, code) do {						\
	ok[n] = (mask);							\
	if (f == n++)							\
		pk_kind(pk, k);						\
	else {								\
		code;							\
	}								\
} while (0)

	if (!resp) {
		msgpack_pack_array(pk, 4);
		FIELD(M(K_UINT), msgpack_pack_uint64(pk, CTL_VERSION));
		FIELD(M(K_UINT), msgpack_pack_uint64(pk, 5));
		FIELD(M(K_STR), pk_cstr(pk, "peer.add"));
		FIELD(M(K_ARR), msgpack_pack_array(pk, 1);
		    FIELD(M(K_ARR), msgpack_pack_array(pk, 2);
		    FIELD(M(K_STR), pk_cstr(pk, "addr"));
		    FIELD(M_VALUE, pk_cstr(pk, "127.0.0.1:7000"))));
	} else {
		msgpack_pack_array(pk, 5);
		FIELD(M(K_UINT), msgpack_pack_uint64(pk, CTL_VERSION));
		FIELD(M(K_UINT), msgpack_pack_uint64(pk, 5));
		FIELD(M(K_UINT), msgpack_pack_uint64(pk, CTL_OK));
		FIELD(M(K_STR), pk_cstr(pk, ""));
		FIELD(M(K_ARR), msgpack_pack_array(pk, 1);
		    FIELD(M(K_ARR), msgpack_pack_array(pk, 1);
		    FIELD(M(K_ARR), msgpack_pack_array(pk, 2);
		    FIELD(M(K_STR), pk_cstr(pk, "name"));
		    FIELD(M_VALUE, pk_cstr(pk, "Anna")))));
	}
#undef FIELD
	return n;
}

static void
test_wrong_field_types(void **state)
{
	struct pkb b;
	unsigned ok[12];
	int resp, f, k, nf, rc;

	(void)state;
	for (resp = 0; resp < 2; resp++) {
		pkb_init(&b);
		nf = pk_message(&b.pk, resp, -1, 0, ok);
		assert_int_equal(resp ? pkb_resp(&b) : pkb_req(&b), 0);
		for (f = 0; f < nf; f++) {
			for (k = 0; k < NKINDS; k++) {
				pkb_init(&b);
				pk_message(&b.pk, resp, f, k, ok);
				rc = resp ? pkb_resp(&b) : pkb_req(&b);
				if (ok[f] & M(k))
					continue;
				assert_int_equal(rc, BAL_EPROTO);
			}
		}
	}
	/* A status as bool or nil is not an integer either. */
	pkb_init(&b);
	pk_message(&b.pk, 1, 2, K_BOOL, ok);
	assert_int_equal(pkb_resp(&b), BAL_EPROTO);
	pkb_init(&b);
	pk_message(&b.pk, 1, 2, K_NIL, ok);
	assert_int_equal(pkb_resp(&b), BAL_EPROTO);
}

static void
test_frame_len(void **state)
{
	static const uint8_t zero[4] = { 0, 0, 0, 0 };
	static const uint8_t one[4] = { 0, 0, 0, 1 };
	static const uint8_t max[4] = { 0x00, 0x10, 0x00, 0x00 };
	static const uint8_t over[4] = { 0x00, 0x10, 0x00, 0x01 };
	static const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t hdr[4];
	size_t len = 99;

	(void)state;
	assert_int_equal(ctl_frame_len(zero, &len), BAL_EPROTO);
	assert_int_equal(len, 0);
	assert_int_equal(ctl_frame_len(one, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(ctl_frame_len(max, &len), 0);
	assert_int_equal(len, CTL_MAX_MSG);
	assert_int_equal(ctl_frame_len(over, &len), BAL_ETOOBIG);
	assert_int_equal(ctl_frame_len(huge, &len), BAL_ETOOBIG);
	assert_int_equal(ctl_frame_hdr(0x0a0b0c, hdr), 0);
	assert_memory_equal(hdr, "\x00\x0a\x0b\x0c", 4);
	assert_int_equal(ctl_frame_len(hdr, &len), 0);
	assert_int_equal(len, 0x0a0b0c);
	assert_int_equal(ctl_frame_hdr(0, hdr), BAL_EINVAL);
	assert_int_equal(ctl_frame_hdr(CTL_MAX_MSG + 1, hdr), BAL_EINVAL);
	assert_int_equal(ctl_frame_hdr(CTL_MAX_MSG, hdr), 0);
	assert_memory_equal(hdr, max, 4);
}

static void
try_both(const uint8_t *buf, size_t len)
{
	struct ctl_req *req = NULL;
	struct ctl_resp *resp = NULL;
	uint8_t *re;
	size_t relen;
	int rc;

	rc = ctl_req_decode(buf, len, &req);
	if (rc == 0) {
		req_enc(req, &re, &relen);
		free(re);
	}
	if (rc == 0 || rc == BAL_EVERSION)
		ctl_req_free(req);
	else
		assert_null(req);
	rc = ctl_resp_decode(buf, len, &resp);
	if (rc == 0) {
		resp_enc(resp, &re, &relen);
		free(re);
	}
	if (rc == 0 || rc == BAL_EVERSION)
		ctl_resp_free(resp);
	else
		assert_null(resp);
}

static void
test_garbage(void **state)
{
	struct ctl_req *req = sample_req();
	struct ctl_resp *resp = sample_resp();
	uint8_t buf[600], *enc[2];
	size_t lens[2], len, i, k, edits;

	(void)state;
	rng_state = 0x0ddc0ffeeULL;
	for (i = 0; i < 30000; i++) {
		len = rnd() % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		if (len >= 2 && (i & 1)) {
			buf[0] = (uint8_t)(0x92 + rnd() % 4);
			buf[1] = (uint8_t)(rnd() % 3);
		}
		try_both(buf, len);
	}
	req_enc(req, &enc[0], &lens[0]);
	resp_enc(resp, &enc[1], &lens[1]);
	for (i = 0; i < 30000; i++) {
		k = rnd() & 1;
		assert_true(lens[k] <= sizeof(buf));
		memcpy(buf, enc[k], lens[k]);
		len = lens[k];
		for (edits = 1 + rnd() % 4; edits > 0; edits--)
			buf[rnd() % len] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			len = rnd() % (len + 1);
		try_both(buf, len);
	}
	free(enc[0]);
	free(enc[1]);
	ctl_req_free(req);
	ctl_resp_free(resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_roundtrip),
		cmocka_unit_test(test_resp_roundtrip),
		cmocka_unit_test(test_size_exact),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_err_made_safe),
		cmocka_unit_test(test_decode_limits),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_wrong_field_types),
		cmocka_unit_test(test_frame_len),
		cmocka_unit_test(test_garbage),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
