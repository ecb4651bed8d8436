/*
 * test-ctl.c — CLI <-> daemon control messages: round trips of requests
 * and responses, exact sizes, builder limits, safe error text, the frame
 * header.
 */
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
#include "ctl-fixture.h"

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
	size_t len = lens[ctl_rnd() % 6], i;

	if (ctl_rnd() % 50 == 0)
		len = lens[6 + ctl_rnd() % 2];
	memset(v, 0, sizeof(*v));
	v->type = (int)(ctl_rnd() % 5);
	switch (v->type) {
	case CTL_STR:
		for (i = 0; i < len; i++)
			sbuf[i] = (char)('a' + ctl_rnd() % 26);
		v->str.p = sbuf;
		v->str.len = len;
		break;
	case CTL_BIN:
		for (i = 0; i < len; i++)
			bbuf[i] = (uint8_t)ctl_rnd();
		v->bin.p = bbuf;
		v->bin.len = len;
		break;
	case CTL_UINT:
		v->u = uints[ctl_rnd() % 10];
		break;
	case CTL_BOOL:
		v->b = (int)(ctl_rnd() & 1);
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
	ctl_rng_state = 0x1234567887654321ULL;
	sbuf = malloc(65536);
	bbuf = malloc(65536);
	assert_non_null(sbuf);
	assert_non_null(bbuf);
	for (iter = 0; iter < 150; iter++) {
		assert_int_equal(ctl_req_new("x", ctl_rnd() % 3 ? ctl_rnd() % 300 :
		    UINT64_MAX, &req), 0);
		nf = ctl_rnd() % (CTL_MAX_ARGS + 1);
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

		assert_int_equal(ctl_resp_new(ctl_rnd(), CTL_USAGE, "usage: x",
		    &resp), 0);
		nr = ctl_rnd() % 40;
		for (r = 0; r < nr; r++) {
			assert_int_equal(ctl_resp_record_begin(resp), 0);
			nf = ctl_rnd() % 20;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_roundtrip),
		cmocka_unit_test(test_resp_roundtrip),
		cmocka_unit_test(test_size_exact),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_err_made_safe),
		cmocka_unit_test(test_frame_len),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
