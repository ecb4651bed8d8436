/*
 * test-fuzz-regress.c — the inputs with which the fuzz harnesses
 * (tests/fuzz/) found bugs in proto/, kept as unit tests so that the
 * plain and the sanitizer unit runs check them too.  The same files are in
 * tests/fuzz/regress/<harness>/ and are replayed by the fuzz smoke test.
 * docs/testing-fuzz.md lists the findings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "contract.h"
#include "ctl.h"
#include "entry.h"
#include "epoch.h"
#include "identity.h"
#include "joinmsg.h"
#include "mp.h"
#include "note.h"
#include "roster.h"
#include "wire.h"

/*
 * Finding 1 (fuzz-mp, fuzz-identity-unseal): more than 32 nested non-empty
 * arrays made msgpack-c give up with MSGPACK_UNPACK_NOMEM_ERROR, so
 * mp_doc_parse and every decoder reported a malformed peer input as
 * BAL_ENOMEM (our own lack of memory).  Fixed in mp.c's pre-scan.
 */
static const uint8_t mp_deep_nesting[] = {	/* regress/mp/ */
	0x95, 0x01, 0x01, 0x47, 0xc4, 0x47, 0x47, 0x20, 0x47, 0x47, 0x47, 0x47,
	0x47, 0x47, 0x47, 0x47, 0x47, 0x47, 0x47, 0x47, 0x47, 0x47, 0x47, 0x47,
	0x47, 0x47, 0x47, 0x47, 0x47, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x30
};

static const uint8_t unseal_deep_nesting[] = {	/* regress/identity-unseal/ */
	0x98, 0x01, 0x01, 0x01, 0x98, 0x10, 0x5e, 0x00, 0x30, 0x86, 0x78, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3b, 0x00, 0x00, 0x00, 0x01,
	0x01, 0x98, 0x10, 0x5e, 0x78, 0x86, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
	0x91, 0x91, 0x91, 0x91, 0x91, 0x00, 0x00
};

/* depth nested one-element arrays (or maps) around a nil, in buf. */
static size_t
nest(uint8_t *buf, size_t depth, int maps)
{
	size_t i, n = 0;

	for (i = 0; i < depth; i++) {
		buf[n++] = maps ? 0x81 : 0x91;
		if (maps)
			buf[n++] = 0xc0;	/* the key */
	}
	buf[n++] = 0xc0;
	return n;
}

static void
test_mp_depth_limit(void **state)
{
	struct mp_doc doc;
	uint8_t buf[2 * 40 + 1];
	size_t n;
	int maps;

	(void)state;
	for (maps = 0; maps <= 1; maps++) {
		/* 32 levels parse, as msgpack-c allows. */
		n = nest(buf, 32, maps);
		assert_int_equal(mp_doc_parse(&doc, buf, n), 0);
		mp_doc_free(&doc);
		/* Deeper is malformed input, not an allocation failure. */
		n = nest(buf, 33, maps);
		assert_int_equal(mp_doc_parse(&doc, buf, n), BAL_EPROTO);
		assert_null(mp_doc_root(&doc));
		n = nest(buf, 40, maps);
		assert_int_equal(mp_doc_parse(&doc, buf, n), BAL_EPROTO);
	}
	/* Not even an empty array or map inside 32 open ones. */
	memset(buf, 0x91, 32);
	buf[32] = 0x90;
	assert_int_equal(mp_doc_parse(&doc, buf, 33), BAL_EPROTO);
	buf[32] = 0x80;
	assert_int_equal(mp_doc_parse(&doc, buf, 33), BAL_EPROTO);
	buf[31] = 0x90;
	assert_int_equal(mp_doc_parse(&doc, buf, 32), 0);
	mp_doc_free(&doc);
	buf[31] = 0xdc;		/* array 16 with 0 elements */
	buf[32] = 0x00;
	buf[33] = 0x00;
	assert_int_equal(mp_doc_parse(&doc, buf, 34), 0);
	mp_doc_free(&doc);
	/* The depth limit does not loosen the end check. */
	n = nest(buf, 3, 0);
	buf[n++] = 0xc0;
	assert_int_equal(mp_doc_parse(&doc, buf, n), BAL_EPROTO);
}

static void
test_mp_deep_nesting_input(void **state)
{
	struct mp_doc doc;

	(void)state;
	assert_int_equal(mp_doc_parse(&doc, mp_deep_nesting,
	    sizeof(mp_deep_nesting)), BAL_EPROTO);
	mp_doc_free(&doc);
}

static void
test_unseal_deep_nesting_input(void **state)
{
	struct identity *id = (struct identity *)1;

	(void)state;
	assert_int_equal(identity_unseal(unseal_deep_nesting,
	    sizeof(unseal_deep_nesting), "fuzz passphrase", 15, &id),
	    BAL_EPROTO);
	assert_null(id);
	assert_int_equal(identity_sealed_is_protected(unseal_deep_nesting,
	    sizeof(unseal_deep_nesting)), 0);
}

/* Every decoder refuses a deeply nested document as BAL_EPROTO. */
static void
test_decoders_deep_nesting(void **state)
{
	struct wire_msg *w = (struct wire_msg *)1;
	struct ctl_req *q = (struct ctl_req *)1;
	struct ctl_resp *r = (struct ctl_resp *)1;
	struct entry *e = (struct entry *)1;
	struct note *no = (struct note *)1;
	struct roster_op *op = (struct roster_op *)1;
	struct contract *c = (struct contract *)1;
	struct epoch_history *h = (struct epoch_history *)1;
	struct epoch_envelope env;
	struct joinmsg jm;
	uint8_t buf[64];
	size_t n;

	(void)state;
	/* [3, [[[...]]]]: an ENTRIES-like head, then 40 levels. */
	buf[0] = 0x92;
	buf[1] = 0x03;
	n = 2 + nest(buf + 2, 40, 0);
	assert_int_equal(wire_decode(buf, n, &w), BAL_EPROTO);
	assert_null(w);
	assert_int_equal(ctl_req_decode(buf, n, &q), BAL_EPROTO);
	assert_null(q);
	assert_int_equal(ctl_resp_decode(buf, n, &r), BAL_EPROTO);
	assert_null(r);
	assert_int_equal(entry_decode(buf, n, &e), BAL_EPROTO);
	assert_null(e);
	assert_int_equal(note_decode(buf, n, &no), BAL_EPROTO);
	assert_null(no);
	assert_int_equal(roster_op_decode(buf, n, &op), BAL_EPROTO);
	assert_null(op);
	assert_int_equal(contract_decode(buf, n, &c), BAL_EPROTO);
	assert_null(c);
	assert_int_equal(epoch_history_decode(buf, n, &h), BAL_EPROTO);
	assert_null(h);
	assert_int_equal(epoch_envelope_decode(buf, n, &env), BAL_EPROTO);
	assert_int_equal(joinmsg_decode(buf, n, &jm), BAL_EPROTO);
}

/*
 * Finding 2 (fuzz-joinmsg, fuzz-mp): msgpack-c gives an empty str or bin
 * a NULL pointer, which mp_rd_str/mp_rd_bin handed out; memcpy(dst, NULL,
 * 0) in mp_rd_strdup and joinmsg_decode is undefined behaviour (an abort
 * in the sanitizer build, e.g. a daemon given a JOIN_REFUSE with an empty
 * text).  Fixed in mp.c: the readers never hand out NULL.
 */
static const uint8_t joinmsg_refuse_empty[] = { 0x92, 0x14, 0xa0 };
static const uint8_t mp_strdup_empty[] = { 0x95, 0xfd, 0xff, 0xa0, 0x00,
	0x4c };

static void
test_mp_empty_str_bin(void **state)
{
	static const uint8_t doc_bytes[] = { 0x93, 0xa0, 0xc4, 0x00, 0xa0 };
	struct mp_doc doc;
	struct mp_rd r;
	const char *s = NULL;
	const uint8_t *p = NULL;
	char *dup = NULL;
	size_t len = 99;

	(void)state;
	assert_int_equal(mp_doc_parse(&doc, doc_bytes, sizeof(doc_bytes)), 0);
	assert_int_equal(mp_rd_array(&r, mp_doc_root(&doc), 3, 3), 0);
	assert_int_equal(mp_rd_str(&r, 0, 10, &s, &len), 0);
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_int_equal(mp_rd_bin(&r, 0, 10, &p, &len), 0);
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_int_equal(mp_rd_strdup(&r, 0, 10, &dup), 0);
	assert_string_equal(dup, "");
	free(dup);
	assert_int_equal(mp_rd_end(&r), 0);
	mp_doc_free(&doc);

	assert_int_equal(mp_doc_parse(&doc, mp_strdup_empty,
	    sizeof(mp_strdup_empty)), 0);
	assert_int_equal(mp_rd_array(&r, mp_doc_root(&doc), 5, 5), 0);
	r.i = 2;
	assert_int_equal(mp_rd_strdup(&r, 0, 64, &dup), 0);
	assert_string_equal(dup, "");
	free(dup);
	mp_doc_free(&doc);
}

static void
test_joinmsg_refuse_empty_text(void **state)
{
	struct joinmsg m;

	(void)state;
	assert_int_equal(joinmsg_decode(joinmsg_refuse_empty,
	    sizeof(joinmsg_refuse_empty), &m), 0);
	assert_int_equal(m.type, JOIN_REFUSE);
	assert_string_equal(m.text, "");
	joinmsg_clear(&m);
}

/* Empty strings and bins through the other decoders that copy them. */
static void
test_decoders_empty_strings(void **state)
{
	static const uint8_t bye[] = { 0x93, 0x06, 0x00, 0xa0 };
	struct wire_msg *w = NULL;
	struct wire_msg hello;
	uint8_t *enc = NULL;
	size_t len;

	(void)state;
	assert_int_equal(wire_decode(bye, sizeof(bye), &w), 0);
	assert_string_equal(w->bye.text, "");
	wire_msg_free(w);
	/* A HELLO with an empty software string and no addresses. */
	memset(&hello, 0, sizeof(hello));
	hello.type = WIRE_HELLO;
	hello.hello.version = WIRE_VERSION;
	hello.hello.software = "";
	assert_int_equal(wire_encode(&hello, &enc, &len), 0);
	assert_int_equal(wire_decode(enc, len, &w), 0);
	assert_string_equal(w->hello.software, "");
	wire_msg_free(w);
	free(enc);
}

/*
 * Finding 3 (fuzz-ctl-resp, first seen by the smoke test of make test):
 * a response whose records have no field kept kvs.v NULL, and
 * ctl_resp_record, ctl_resp_get and ctl_resp_encode computed NULL + 0,
 * undefined behaviour that clang's UBSan aborts on.  Fixed in ctl.c.
 */
static const uint8_t ctl_resp_empty_record[] = {	/* regress/ctl-resp/ */
	0x95, 0x01, 0x08, 0x01, 0xd9, 0x2b, 0x75, 0x6e, 0x6b, 0x6e, 0x6f, 0x77,
	0x6e, 0x20, 0x6d, 0x65, 0x6d, 0x62, 0x65, 0x72, 0x20, 0x27, 0x62, 0x6f,
	0x62, 0x62, 0x27, 0x20, 0x28, 0x73, 0x65, 0x65, 0x3a, 0x20, 0x62, 0x61,
	0x6c, 0x69, 0x6e, 0x74, 0x20, 0x6d, 0x65, 0x6d, 0x62, 0x65, 0x72, 0x73,
	0x29, 0x91, 0x90
};

static void
test_ctl_resp_empty_record(void **state)
{
	struct ctl_resp *r = NULL;
	uint8_t *enc = NULL;
	size_t len, n = 99;

	(void)state;
	assert_int_equal(ctl_resp_decode(ctl_resp_empty_record,
	    sizeof(ctl_resp_empty_record), &r), 0);
	assert_int_equal(ctl_resp_nrecords(r), 1);
	assert_non_null(ctl_resp_record(r, 0, &n));
	assert_int_equal(n, 0);
	assert_null(ctl_resp_get(r, 0, "name"));
	assert_int_equal(ctl_resp_encode(r, &enc, &len), 0);
	assert_int_equal(len, sizeof(ctl_resp_empty_record));
	assert_memory_equal(enc, ctl_resp_empty_record, len);
	free(enc);
	ctl_resp_free(r);

	/* The same built by hand: two empty records. */
	assert_int_equal(ctl_resp_new(3, CTL_OK, NULL, &r), 0);
	assert_int_equal(ctl_resp_record_begin(r), 0);
	assert_int_equal(ctl_resp_record_begin(r), 0);
	assert_non_null(ctl_resp_record(r, 1, &n));
	assert_int_equal(n, 0);
	assert_null(ctl_resp_get(r, 1, "x"));
	assert_int_equal(ctl_resp_encode(r, &enc, &len), 0);
	assert_int_equal(len, ctl_resp_size(r));
	free(enc);
	ctl_resp_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mp_depth_limit),
		cmocka_unit_test(test_mp_deep_nesting_input),
		cmocka_unit_test(test_unseal_deep_nesting_input),
		cmocka_unit_test(test_decoders_deep_nesting),
		cmocka_unit_test(test_mp_empty_str_bin),
		cmocka_unit_test(test_joinmsg_refuse_empty_text),
		cmocka_unit_test(test_decoders_empty_strings),
		cmocka_unit_test(test_ctl_resp_empty_record),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
