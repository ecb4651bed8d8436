/*
 * test-ctl-hostile.c — control messages under hostile input: tampering,
 * truncation, decode limits, duplicate keys, versions, field types,
 * garbage.
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
	ctl_rng_state = 0x0ddc0ffeeULL;
	for (i = 0; i < 30000; i++) {
		len = ctl_rnd() % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)ctl_rnd();
		if (len >= 2 && (i & 1)) {
			buf[0] = (uint8_t)(0x92 + ctl_rnd() % 4);
			buf[1] = (uint8_t)(ctl_rnd() % 3);
		}
		try_both(buf, len);
	}
	req_enc(req, &enc[0], &lens[0]);
	resp_enc(resp, &enc[1], &lens[1]);
	for (i = 0; i < 30000; i++) {
		k = ctl_rnd() & 1;
		assert_true(lens[k] <= sizeof(buf));
		memcpy(buf, enc[k], lens[k]);
		len = lens[k];
		for (edits = 1 + ctl_rnd() % 4; edits > 0; edits--)
			buf[ctl_rnd() % len] = (uint8_t)ctl_rnd();
		if (ctl_rnd() % 4 == 0)
			len = ctl_rnd() % (len + 1);
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
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_decode_limits),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_wrong_field_types),
		cmocka_unit_test(test_garbage),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
