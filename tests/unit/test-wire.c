/*
 * test-wire.c — replication messages: round trips, hostile input
 * (tampering, truncation, versions, types, field counts, garbage).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "entry.h"
#include "wire.h"
#include "wire-fixture.h"

/* The sample of each message type. */
#define NSAMPLES 7

static const char *sample_addrs[] = { "127.0.0.1:7000", "[::1]:7001" };

static struct wire_have_item sample_have[4];

static uint8_t e1[1], e2[40], e3[300];

static struct wire_bytes sample_entries[3];

static uint8_t sample_authors[2][BAL_PK_BYTES];

static struct wire_run sample_runs[3];

static struct wire_run_item sample_items[6];

static uint8_t body_note[60], body_ann[5], sample_prev_b[BAL_HASH_BYTES];

/*
 * A RUNS of two authors, three runs: A 1..3, B 5 (with the id of B 4),
 * A 4..5.  Kinds 1, 2 and 3, an epoch that changes and one repeated (nil),
 * an erased note, a time that goes back, differences of every integer
 * width.
 */
static void
sample_runs_fill(struct wire_msg *m)
{
	struct wire_run_item *it = sample_items;
	size_t i;

	memset(sample_authors[0], 0xa1, BAL_PK_BYTES);
	memset(sample_authors[1], 0xb2, BAL_PK_BYTES);
	for (i = 0; i < sizeof(body_note); i++)
		body_note[i] = (uint8_t)(i * 3 + 7);
	memcpy(body_ann, "a:1\0\1", sizeof(body_ann));
	memset(sample_items, 0, sizeof(sample_items));
	for (i = 0; i < 6; i++)
		memset(it[i].sig, (int)(0x10 + i), BAL_SIG_BYTES);
	/* A 1: the group's CREATE, say. */
	it[0].kind = 2;
	it[0].lamport = 1;
	it[0].time = 1700000000000ULL;
	it[0].body = body_ann;
	it[0].bodylen = sizeof(body_ann);
	/* A 2: a note under epoch 7, 300 lamports later. */
	it[1].kind = 1;
	it[1].epoch = 7;
	it[1].lamport = 301;
	it[1].time = 1700000000000ULL + 70000;
	it[1].body = body_note;
	it[1].bodylen = sizeof(body_note);
	/* A 3: erased, same epoch, its clock went back. */
	it[2].kind = 1;
	it[2].epoch = 7;
	it[2].lamport = 302;
	it[2].time = 1700000000000ULL + 69000;
	memset(it[2].body_hash, 0xee, BAL_HASH_BYTES);
	/* B 5. */
	it[3].kind = 1;
	it[3].epoch = 1ULL << 40;
	it[3].lamport = 1ULL << 33;
	it[3].time = 5;
	it[3].body = body_note;
	it[3].bodylen = 40;
	/* A 4, A 5: an announce, then a note under a new epoch. */
	it[4].kind = 3;
	it[4].lamport = 400;
	it[4].time = 1700000000000ULL + (1ULL << 33);
	it[4].body = body_ann;
	it[4].bodylen = 0;
	it[5].kind = 1;
	it[5].epoch = 8;
	it[5].lamport = 70000;
	it[5].time = 1700000000000ULL;
	it[5].body = body_note;
	it[5].bodylen = sizeof(body_note);
	sample_runs[0].author = 0;
	sample_runs[0].first_seq = 1;
	sample_runs[0].items = &it[0];
	sample_runs[0].n = 3;
	sample_runs[1].author = 1;
	sample_runs[1].first_seq = 5;
	sample_runs[1].items = &it[3];
	sample_runs[1].n = 1;
	memset(sample_prev_b, 0x4b, sizeof(sample_prev_b));
	sample_runs[1].prev = sample_prev_b;
	sample_runs[2].author = 0;
	sample_runs[2].first_seq = 4;
	sample_runs[2].items = &it[4];
	sample_runs[2].n = 2;
	m->type = WIRE_RUNS;
	m->runs.authors = (const uint8_t (*)[BAL_PK_BYTES])sample_authors;
	m->runs.nauthors = 2;
	m->runs.runs = sample_runs;
	m->runs.nruns = 3;
}

static void
samples(struct wire_msg m[NSAMPLES])
{
	size_t i;

	memset(m, 0, NSAMPLES * sizeof(*m));
	m[0].type = WIRE_HELLO;
	m[0].hello.version = WIRE_VERSION;
	memset(m[0].hello.group_id, 0x5a, BAL_GROUP_ID_BYTES);
	m[0].hello.software = "balintd/0.1.0";
	m[0].hello.addrs = sample_addrs;
	m[0].hello.naddrs = 2;

	/* Deliberately unsorted; seqs in every integer width. */
	for (i = 0; i < 4; i++)
		memset(sample_have[i].author, (int)(0xc0 - 0x20 * i),
		    BAL_PK_BYTES);
	sample_have[0].seq = 1;
	sample_have[1].seq = 300;
	sample_have[2].seq = 70000;
	sample_have[3].seq = 1ULL << 40;
	m[1].type = WIRE_HAVE;
	m[1].have.items = sample_have;
	m[1].have.n = 4;

	e1[0] = 0x42;
	for (i = 0; i < sizeof(e2); i++)
		e2[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(e3); i++)
		e3[i] = (uint8_t)(i * 13 + 5);
	sample_entries[0].p = e1;
	sample_entries[0].len = sizeof(e1);
	sample_entries[1].p = e2;
	sample_entries[1].len = sizeof(e2);
	sample_entries[2].p = e3;
	sample_entries[2].len = sizeof(e3);
	m[2].type = WIRE_ENTRIES;
	m[2].entries.items = sample_entries;
	m[2].entries.n = 3;

	m[3].type = WIRE_PUSH;
	m[3].push.p = e2;
	m[3].push.len = sizeof(e2);

	m[4].type = WIRE_ACK;
	m[4].ack.stored = 1000;

	m[5].type = WIRE_BYE;
	m[5].bye.reason = WIRE_BYE_VERSION;
	m[5].bye.text = "version mismatch: we speak 1, you speak 2";

	sample_runs_fill(&m[6]);
}

/* Decodes buf and expects rc; a failed decode must leave *out NULL. */
static void
dec_fails(const uint8_t *buf, size_t len, int rc)
{
	struct wire_msg *m = (struct wire_msg *)&m;	/* poison */

	assert_int_equal(wire_decode(buf, len, &m), rc);
	assert_null(m);
}

static void
test_roundtrip(void **state)
{
	struct wire_msg m[NSAMPLES], *d;
	uint8_t *buf, *again;
	size_t len, alen, i;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		enc(&m[i], &buf, &len);
		assert_int_equal(wire_decode(buf, len, &d), 0);
		assert_int_equal(d->type, m[i].type);
		/* Deterministic: decode + encode gives the bytes. */
		enc(d, &again, &alen);
		assert_int_equal(alen, len);
		assert_memory_equal(again, buf, len);
		free(again);
		switch (d->type) {
		case WIRE_HELLO:
			assert_int_equal(d->hello.version, WIRE_VERSION);
			assert_memory_equal(d->hello.group_id,
			    m[i].hello.group_id, BAL_GROUP_ID_BYTES);
			assert_string_equal(d->hello.software, "balintd/0.1.0");
			assert_int_equal(d->hello.naddrs, 2);
			assert_string_equal(d->hello.addrs[0],
			    "127.0.0.1:7000");
			assert_string_equal(d->hello.addrs[1], "[::1]:7001");
			break;
		case WIRE_HAVE:
			/* Sorted by author on the wire. */
			assert_int_equal(d->have.n, 4);
			assert_memory_equal(d->have.items[0].author,
			    sample_have[3].author, BAL_PK_BYTES);
			assert_int_equal(d->have.items[0].seq, 1ULL << 40);
			assert_int_equal(d->have.items[1].seq, 70000);
			assert_int_equal(d->have.items[2].seq, 300);
			assert_int_equal(d->have.items[3].seq, 1);
			break;
		case WIRE_ENTRIES:
			assert_int_equal(d->entries.n, 3);
			assert_int_equal(d->entries.items[2].len, sizeof(e3));
			assert_memory_equal(d->entries.items[2].p, e3,
			    sizeof(e3));
			assert_memory_equal(d->entries.items[0].p, e1, 1);
			break;
		case WIRE_RUNS:
			assert_same_runs(d, &m[i]);
			/* A body present but empty is not an erased one. */
			assert_non_null(d->runs.runs[2].items[0].body);
			break;
		case WIRE_PUSH:
			assert_int_equal(d->push.len, sizeof(e2));
			assert_memory_equal(d->push.p, e2, sizeof(e2));
			break;
		case WIRE_ACK:
			assert_int_equal(d->ack.stored, 1000);
			break;
		case WIRE_BYE:
			assert_int_equal(d->bye.reason, WIRE_BYE_VERSION);
			assert_string_equal(d->bye.text, m[i].bye.text);
			break;
		}
		/* The message owns its data: the input may go away. */
		memset(buf, 0xee, len);
		free(buf);
		enc(d, &again, &alen);
		free(again);
		wire_msg_free(d);
	}
	wire_msg_free(NULL);
}

static void
test_empty_and_edge_values(void **state)
{
	struct wire_msg m, *d;
	struct wire_have_item it;
	uint8_t *buf;
	size_t len;

	(void)state;
	/* HELLO without software (NULL = "") and addresses. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	enc(&m, &buf, &len);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_string_equal(d->hello.software, "");
	assert_int_equal(d->hello.naddrs, 0);
	assert_null(d->hello.addrs);
	wire_msg_free(d);
	free(buf);

	/* Empty HAVE and ENTRIES. */
	m.type = WIRE_HAVE;
	m.have.items = NULL;
	m.have.n = 0;
	enc(&m, &buf, &len);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->have.n, 0);
	wire_msg_free(d);
	free(buf);
	memset(&m, 0, sizeof(m));
	m.type = WIRE_ENTRIES;
	enc(&m, &buf, &len);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->entries.n, 0);
	wire_msg_free(d);
	free(buf);

	/* Largest seq and ack counter; BYE with NULL text and reason 255. */
	memset(&it, 0xff, sizeof(it.author));
	it.seq = (uint64_t)INT64_MAX;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HAVE;
	m.have.items = &it;
	m.have.n = 1;
	enc(&m, &buf, &len);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->have.items[0].seq, (uint64_t)INT64_MAX);
	wire_msg_free(d);
	free(buf);
	memset(&m, 0, sizeof(m));
	m.type = WIRE_ACK;
	m.ack.stored = UINT64_MAX;
	enc(&m, &buf, &len);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_true(d->ack.stored == UINT64_MAX);
	wire_msg_free(d);
	free(buf);
	memset(&m, 0, sizeof(m));
	m.type = WIRE_BYE;
	m.bye.reason = WIRE_MAX_BYE_REASON;
	enc(&m, &buf, &len);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->bye.reason, WIRE_MAX_BYE_REASON);
	assert_string_equal(d->bye.text, "");
	assert_string_equal(wire_bye_reason_name(d->bye.reason),
	    "unknown reason");
	wire_msg_free(d);
	free(buf);

	assert_string_equal(wire_type_name(WIRE_PUSH), "PUSH");
	assert_string_equal(wire_type_name(WIRE_RUNS), "RUNS");
	assert_string_equal(wire_type_name(10), "?");
	assert_string_equal(wire_bye_reason_name(WIRE_BYE_REVOKED), "revoked");
}

/*
 * Every single-byte change: rejected (and *out NULL), a HELLO of another
 * version (BAL_EVERSION), or a different valid message.  The only way to
 * decode to the same message is msgpack's signed alias of an unsigned
 * integer (uint16/32/64 0xcd..0xcf read as int16/32/64 0xd1..0xd3).
 */
static void
tamper_all(const uint8_t *orig, size_t len)
{
	struct wire_msg *d;
	uint8_t *buf, *re, *re2;
	size_t pos, relen, re2len;
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
			d = NULL;
			rc = wire_decode(buf, len, &d);
			if (rc == BAL_EVERSION) {
				assert_non_null(d);
				assert_int_equal(d->type, WIRE_HELLO);
				assert_true(d->hello.version != WIRE_VERSION);
				wire_msg_free(d);
				continue;
			}
			if (rc != 0) {
				assert_null(d);
				continue;
			}
			/* Valid: it re-encodes and round-trips. */
			assert_int_equal(wire_encode(d, &re, &relen), 0);
			if (relen == len && memcmp(re, orig, len) == 0)
				assert_true(orig[pos] >= 0xcd &&
				    orig[pos] <= 0xcf && v == orig[pos] + 4u);
			wire_msg_free(d);
			assert_int_equal(wire_decode(re, relen, &d), 0);
			assert_int_equal(wire_encode(d, &re2, &re2len), 0);
			assert_int_equal(re2len, relen);
			assert_memory_equal(re2, re, relen);
			free(re2);
			free(re);
			wire_msg_free(d);
		}
	}
	free(buf);
}

static void
test_tamper_every_byte(void **state)
{
	struct wire_msg m[NSAMPLES];
	uint8_t *buf;
	size_t len, i;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		enc(&m[i], &buf, &len);
		tamper_all(buf, len);
		free(buf);
	}
}

static void
test_truncated_and_trailing(void **state)
{
	struct wire_msg m[NSAMPLES];
	uint8_t *buf, *big;
	size_t len, i, k;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		enc(&m[i], &buf, &len);
		for (k = 0; k < len; k++)
			dec_fails(k == 0 ? NULL : buf, k, BAL_EPROTO);
		big = malloc(2 * len);
		assert_non_null(big);
		memcpy(big, buf, len);
		big[len] = 0x00;
		dec_fails(big, len + 1, BAL_EPROTO);
		big[len] = 0xc0;
		dec_fails(big, len + 1, BAL_EPROTO);
		memcpy(big + len, buf, len);	/* two messages in one */
		dec_fails(big, 2 * len, BAL_EPROTO);
		free(big);
		free(buf);
	}
}

static void
test_version_mismatch(void **state)
{
	struct wire_msg *d;
	struct pkb b;
	uint64_t versions[] = { 0, 1, 3, 77, UINT32_MAX };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		/* A future HELLO may carry anything after its version. */
		pkb_init(&b);
		msgpack_pack_array(&b.pk, 4);
		msgpack_pack_uint64(&b.pk, WIRE_HELLO);
		msgpack_pack_uint64(&b.pk, versions[i]);
		msgpack_pack_map(&b.pk, 1);
		pk_cstr(&b.pk, "new");
		msgpack_pack_double(&b.pk, 1.5);
		msgpack_pack_nil(&b.pk);
		d = NULL;
		assert_int_equal(wire_decode((uint8_t *)b.sb.data, b.sb.size,
		    &d), BAL_EVERSION);
		assert_non_null(d);
		assert_int_equal(d->type, WIRE_HELLO);
		assert_true(d->hello.version == versions[i]);
		assert_string_equal(d->hello.software, "");
		assert_int_equal(d->hello.naddrs, 0);
		wire_msg_free(d);
		msgpack_sbuffer_destroy(&b.sb);
	}
	/* Just [1, 2]. */
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_HELLO);
	msgpack_pack_uint64(&b.pk, WIRE_VERSION + 1);
	assert_int_equal(pkb_decode(&b), BAL_EVERSION);
	/* A version beyond 32 bits or not an integer is malformed. */
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_HELLO);
	msgpack_pack_uint64(&b.pk, (uint64_t)UINT32_MAX + 1);
	assert_int_equal(pkb_decode(&b), BAL_EPROTO);
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 1);
	msgpack_pack_uint64(&b.pk, WIRE_HELLO);
	assert_int_equal(pkb_decode(&b), BAL_EPROTO);
	/* Version 1 with a missing field. */
	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_HELLO);
	msgpack_pack_uint64(&b.pk, WIRE_VERSION);
	assert_int_equal(pkb_decode(&b), BAL_EPROTO);
}

static void
test_unknown_type(void **state)
{
	static const uint8_t cases[][4] = {
		{ 0x91, 0x00 },			/* [0] */
		{ 0x91, 0x0a },			/* [10] */
		{ 0x92, 0x0a, 0x01 },		/* [10, 1] */
		{ 0x91, 0x7f },			/* [127] */
		{ 0x92, 0xcc, 0xff, 0x00 },	/* [255, 0] */
		{ 0x91, 0xcd, 0x01, 0x05 },	/* [261] (5 + 256) */
		{ 0x92, 0xff, 0x00 },		/* [-1, 0] */
		{ 0x92, 0xa1, 0x05, 0x00 },	/* ["\x05", 0] */
		{ 0x92, 0xc3, 0x00 },		/* [true, 0] */
		{ 0x90 },			/* [] */
		{ 0x05 },			/* 5 */
		{ 0x81, 0x05, 0x00 },		/* {5: 0} */
		{ 0xc0 },			/* nil */
		{ 0x92, 0xd0, 0x05, 0x00 },	/* [int8 5, 0]: same as 5 */
	};
	static const size_t lens[] = { 2, 2, 3, 2, 4, 4, 3, 4, 3, 1, 1, 3, 1,
	    4 };
	struct wire_msg *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (i == 13) {
			/* msgpack's int8 5 is the integer 5: an ACK. */
			assert_int_equal(wire_decode(cases[i], lens[i], &d), 0);
			assert_int_equal(d->type, WIRE_ACK);
			wire_msg_free(d);
			continue;
		}
		dec_fails(cases[i], lens[i], BAL_EPROTO);
	}
	dec_fails(NULL, 0, BAL_EPROTO);
	assert_int_equal(wire_decode(cases[0], 2, NULL), BAL_EINVAL);
}

/* Wrong-typed stand-ins for a field. */
enum { K_UINT, K_NEG, K_NIL, K_BOOL, K_FLOAT, K_STR, K_BIN, K_ARR, K_MAP,
	K_EXT, NKINDS };

static void
pk_kind(msgpack_packer *pk, int kind)
{
	static const uint8_t b32[32];

	switch (kind) {
	case K_UINT:	msgpack_pack_uint64(pk, 1); break;
	case K_NEG:	msgpack_pack_int64(pk, -1); break;
	case K_NIL:	msgpack_pack_nil(pk); break;
	case K_BOOL:	msgpack_pack_true(pk); break;
	case K_FLOAT:	msgpack_pack_double(pk, 1.0); break;
	case K_STR:	pk_cstr(pk, "x"); break;
	case K_BIN:
		msgpack_pack_bin(pk, 32);
		msgpack_pack_bin_body(pk, b32, 32);
		break;
	case K_ARR:	msgpack_pack_array(pk, 0); break;
	case K_MAP:	msgpack_pack_map(pk, 0); break;
	default:
		msgpack_pack_ext(pk, 1, 1);
		msgpack_pack_ext_body(pk, "x", 1);
		break;
	}
}

/*
 * Packs one message of type t; field f (numbered in packing order, nested
 * ones included) is replaced by kind k.  f = -1 packs a valid message.
 * Returns the number of fields, with their right kinds in right[].
 */
static int
pk_message(msgpack_packer *pk, int t, int f, int k, int right[24])
{
	static const uint8_t gid[32] = { 9 }, sig[64] = { 3 };
	int n = 0;

#define FIELD(kind, code) do {						\
	right[n] = (kind);						\
	if (f == n++)							\
		pk_kind(pk, k);						\
	else {								\
		code;							\
	}								\
} while (0)

	switch (t) {
	case WIRE_HELLO:
		msgpack_pack_array(pk, 5);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_HELLO));
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_VERSION));
		FIELD(K_BIN, msgpack_pack_bin(pk, 32);
		    msgpack_pack_bin_body(pk, gid, 32));
		FIELD(K_STR, pk_cstr(pk, "sw"));
		FIELD(K_ARR, msgpack_pack_array(pk, 1);
		    FIELD(K_STR, pk_cstr(pk, "h:1")));
		break;
	case WIRE_HAVE:
		msgpack_pack_array(pk, 2);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_HAVE));
		FIELD(K_ARR, msgpack_pack_array(pk, 1);
		    FIELD(K_ARR, msgpack_pack_array(pk, 2);
		    FIELD(K_BIN, msgpack_pack_bin(pk, 32);
			msgpack_pack_bin_body(pk, gid, 32));
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 5))));
		break;
	case WIRE_ENTRIES:
		msgpack_pack_array(pk, 2);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_ENTRIES));
		FIELD(K_ARR, msgpack_pack_array(pk, 1);
		    FIELD(K_BIN, msgpack_pack_bin(pk, 3);
		    msgpack_pack_bin_body(pk, "abc", 3)));
		break;
	case WIRE_PUSH:
		msgpack_pack_array(pk, 2);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_PUSH));
		FIELD(K_BIN, msgpack_pack_bin(pk, 3);
		    msgpack_pack_bin_body(pk, "abc", 3));
		break;
	case WIRE_ACK:
		msgpack_pack_array(pk, 2);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_ACK));
		FIELD(K_UINT, msgpack_pack_uint64(pk, 12));
		break;
	case WIRE_BYE:
		msgpack_pack_array(pk, 3);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_BYE));
		FIELD(K_UINT, msgpack_pack_uint64(pk, 0));
		FIELD(K_STR, pk_cstr(pk, "bye"));
		break;
	case WIRE_RUNS:
		msgpack_pack_array(pk, 3);
		FIELD(K_UINT, msgpack_pack_uint64(pk, WIRE_RUNS));
		FIELD(K_ARR, msgpack_pack_array(pk, 1);
		    FIELD(K_BIN, msgpack_pack_bin(pk, 32);
		    msgpack_pack_bin_body(pk, gid, 32)));
		FIELD(K_ARR, msgpack_pack_array(pk, 1);
		    FIELD(K_ARR, msgpack_pack_array(pk, 3);
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 0));
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 1));
		    FIELD(K_ARR, msgpack_pack_array(pk, 1);
		    FIELD(K_ARR, msgpack_pack_array(pk, 6);
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 3));
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 0));
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 1));
		    FIELD(K_UINT, msgpack_pack_uint64(pk, 2));
		    FIELD(K_BIN, msgpack_pack_bin(pk, 3);
		    msgpack_pack_bin_body(pk, "abc", 3));
		    FIELD(K_BIN, msgpack_pack_bin(pk, 64);
		    msgpack_pack_bin_body(pk, sig, 64))))));
		break;
	}
#undef FIELD
	return n;
}

static void
test_wrong_field_types(void **state)
{
	struct pkb b;
	int right[24], t, f, k, nf;

	(void)state;
	for (t = WIRE_HELLO; t <= WIRE_RUNS; t++) {
		pkb_init(&b);
		nf = pk_message(&b.pk, t, -1, 0, right);
		assert_int_equal(pkb_decode(&b), 0);
		for (f = 0; f < nf; f++) {
			for (k = 0; k < NKINDS; k++) {
				if (k == right[f])
					continue;
				pkb_init(&b);
				pk_message(&b.pk, t, f, k, right);
				assert_int_equal(pkb_decode(&b), BAL_EPROTO);
			}
		}
	}
}

static void
test_field_counts(void **state)
{
	struct pkb b;
	int right[24], t;

	(void)state;
	/* One element more than the message has. */
	for (t = WIRE_HELLO; t <= WIRE_RUNS; t++) {
		uint8_t *buf;

		pkb_init(&b);
		pk_message(&b.pk, t, -1, 0, right);
		msgpack_pack_nil(&b.pk);
		buf = (uint8_t *)b.sb.data;
		buf[0]++;	/* the fixarray count */
		assert_int_equal(pkb_decode(&b), BAL_EPROTO);
		/* And one fewer. */
		pkb_init(&b);
		pk_message(&b.pk, t, -1, 0, right);
		buf = (uint8_t *)b.sb.data;
		buf[0]--;
		assert_int_not_equal(pkb_decode(&b), 0);
	}
	/* A count that only claims elements (array32 of 2^32-1). */
	{
		static const uint8_t claim[] = { 0x92, 0x03, 0xdd, 0xff, 0xff,
		    0xff, 0xff, 0xc4, 0x01, 0x00 };

		dec_fails(claim, sizeof(claim), BAL_EPROTO);
	}
	{
		uint8_t *big = calloc(1, WIRE_MAX_MSG + 1);

		assert_non_null(big);
		dec_fails(big, WIRE_MAX_MSG + 1, BAL_ETOOBIG);
		free(big);
	}
}

static void
try_decode(const uint8_t *buf, size_t len)
{
	struct wire_msg *d = NULL;
	uint8_t *re;
	size_t relen;
	int rc;

	rc = wire_decode(buf, len, &d);
	if (rc == 0) {
		/* Whatever decodes must be a valid message. */
		assert_int_equal(wire_encode(d, &re, &relen), 0);
		free(re);
	}
	if (rc == 0 || rc == BAL_EVERSION)
		wire_msg_free(d);
	else
		assert_null(d);
}

static void
test_garbage(void **state)
{
	struct wire_msg m[NSAMPLES];
	uint8_t buf[512], *encs[NSAMPLES];
	size_t lens[NSAMPLES], len, i, k, edits;

	(void)state;
	wire_rng_state = 0x9e3779b97f4a7c15ULL;
	/* Random bytes, often shaped like a small message array. */
	for (i = 0; i < 30000; i++) {
		len = wire_rnd() % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)wire_rnd();
		if (len >= 2 && (i & 1)) {
			buf[0] = (uint8_t)(0x91 + wire_rnd() % 5);
			buf[1] = (uint8_t)(1 + wire_rnd() % 7);
		}
		try_decode(buf, len);
	}
	/* Valid messages with several random edits. */
	samples(m);
	for (i = 0; i < NSAMPLES; i++)
		enc(&m[i], &encs[i], &lens[i]);
	for (i = 0; i < 30000; i++) {
		k = wire_rnd() % NSAMPLES;
		if (lens[k] > sizeof(buf))
			continue;
		memcpy(buf, encs[k], lens[k]);
		len = lens[k];
		for (edits = 1 + wire_rnd() % 4; edits > 0; edits--)
			buf[wire_rnd() % len] = (uint8_t)wire_rnd();
		if (wire_rnd() % 4 == 0)
			len = wire_rnd() % (len + 1);
		try_decode(buf, len);
	}
	for (i = 0; i < NSAMPLES; i++)
		free(encs[i]);
}

/*
 * WANT (issue 12, stripped bodies): round trip in canonical order; the
 * encoder refuses none, too many, seq 0 and duplicates; the decoder an
 * empty list, more than WIRE_MAX_WANT, seq 0, items out of order, a wrong
 * key length, and every truncation.
 */
/* PUNCH: the example of docs/protocol.md, every rule, every truncation. */
static void
test_punch(void **state)
{
	static const uint8_t go[] = {
		0x96, 0x09, 0x04, 0xc4, 0x20,
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0xab, '2', '0', '3', '.', '0', '.', '1', '1', '3', '.', '2',
		0xcd, 0x9c, 0xbb, 0xcc, 0xfa
	};
	struct wire_msg m, *d = NULL;
	uint8_t *buf = NULL, *bad;
	size_t len = 0, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUNCH;
	m.punch.op = WIRE_PUNCH_GO;
	memset(m.punch.member, 0xaa, BAL_PK_BYTES);
	m.punch.host = "203.0.113.2";
	m.punch.port = 40123;
	m.punch.wait_ms = 250;
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	assert_int_equal(len, sizeof(go));
	assert_memory_equal(buf, go, sizeof(go));
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->type, WIRE_PUNCH);
	assert_int_equal(d->punch.op, WIRE_PUNCH_GO);
	assert_string_equal(d->punch.host, "203.0.113.2");
	assert_int_equal(d->punch.port, 40123);
	assert_int_equal(d->punch.wait_ms, 250);
	assert_memory_equal(d->punch.member, m.punch.member, BAL_PK_BYTES);
	assert_string_equal(wire_type_name(WIRE_PUNCH), "PUNCH");
	wire_msg_free(d);
	for (i = 0; i < len; i++) {
		d = (struct wire_msg *)&d;
		assert_int_not_equal(wire_decode(buf, i, &d), 0);
		assert_null(d);
	}
	/* Past the encoder: op 8, port 0, a letter in the host, wait. */
	bad = malloc(len);
	memcpy(bad, buf, len);
	bad[2] = 0x08;
	assert_int_equal(wire_decode(bad, len, &d), BAL_EPROTO);
	/* SEEN, CALL and CALLED carry a host, like GO. */
	for (i = WIRE_PUNCH_SEEN; i <= WIRE_PUNCH_CALLED; i++) {
		memcpy(bad, buf, len);
		bad[2] = (uint8_t)i;
		assert_int_equal(wire_decode(bad, len, &d), 0);
		assert_int_equal(d->punch.op, i);
		assert_string_equal(d->punch.host, "203.0.113.2");
		wire_msg_free(d);
	}
	memcpy(bad, buf, len);
	bad[2] = 0x01;			/* ASK with a host */
	assert_int_equal(wire_decode(bad, len, &d), BAL_EPROTO);
	memcpy(bad, buf, len);
	bad[40] = 'x';
	assert_int_equal(wire_decode(bad, len, &d), BAL_EPROTO);
	memcpy(bad, buf, len);
	bad[49] = 0x00;
	bad[50] = 0x00;			/* port 0 */
	assert_int_equal(wire_decode(bad, len, &d), BAL_EPROTO);
	memcpy(bad, buf, len);
	free(bad);
	bad = malloc(len + 1);		/* wait cc fa -> cd 27 11: 10001 */
	memcpy(bad, buf, len - 2);
	bad[len - 2] = 0xcd;
	bad[len - 1] = 0x27;
	bad[len] = 0x11;
	assert_int_equal(wire_decode(bad, len + 1, &d), BAL_EPROTO);
	bad[len] = 0x10;		/* 10000: the most */
	assert_int_equal(wire_decode(bad, len + 1, &d), 0);
	wire_msg_free(d);
	free(bad);
	free(buf);
	buf = NULL;
	/* The encoder refuses the same. */
	m.punch.op = WIRE_PUNCH_ASK;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.punch.host = "";
	free(buf);
	buf = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	free(buf);
	buf = NULL;
	m.punch.op = WIRE_PUNCH_OFFER;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.punch.host = "2001:db8::1";
	m.punch.port = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.punch.port = 1;
	m.punch.wait_ms = WIRE_MAX_PUNCH_WAIT + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.punch.wait_ms = WIRE_MAX_PUNCH_WAIT;
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	free(buf);
	buf = NULL;
	m.punch.host = "1111:2222:3333:4444:5555:6666:123.123.123.123x";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.punch.op = 0;
	m.punch.host = "10.0.0.1";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.punch.op = WIRE_PUNCH_CALLED + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.punch.op = WIRE_PUNCH_CALL;	/* CALL without its host */
	m.punch.host = "";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
}

static void
test_want(void **state)
{
	struct wire_have_item it[WIRE_MAX_WANT + 1];
	struct wire_msg m, *d = NULL;
	uint8_t *buf = NULL, *bad = NULL;
	size_t len = 0, i;

	(void)state;
	memset(it, 0, sizeof(it));
	for (i = 0; i < WIRE_MAX_WANT + 1; i++) {
		it[i].author[0] = (uint8_t)(i % 3);
		it[i].seq = 100 - i;
	}
	memset(&m, 0, sizeof(m));
	m.type = WIRE_WANT;
	m.want.items = it;
	m.want.n = 5;
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_int_equal(d->type, WIRE_WANT);
	assert_int_equal(d->want.n, 5);
	for (i = 1; i < 5; i++)
		assert_true(memcmp(d->want.items[i - 1].author,
		    d->want.items[i].author, BAL_PK_BYTES) < 0 ||
		    (memcmp(d->want.items[i - 1].author,
		    d->want.items[i].author, BAL_PK_BYTES) == 0 &&
		    d->want.items[i - 1].seq < d->want.items[i].seq));
	assert_string_equal(wire_type_name(WIRE_WANT), "WANT");
	wire_msg_free(d);
	for (i = 0; i < len; i++) {
		d = (struct wire_msg *)&d;
		assert_int_not_equal(wire_decode(buf, i, &d), 0);
		assert_null(d);
	}
	/* A seq of 0, written past the encoder. */
	bad = malloc(len);
	memcpy(bad, buf, len);
	bad[len - 1] = 0x00;		/* the last item's seq (a fixint) */
	assert_int_not_equal(wire_decode(bad, len, &d), 0);
	assert_null(d);
	free(bad);
	free(buf);
	buf = NULL;
	/* The encoder's bounds. */
	m.want.n = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.want.n = WIRE_MAX_WANT + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.want.n = WIRE_MAX_WANT;
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	free(buf);
	buf = NULL;
	it[1] = it[0];
	m.want.n = 2;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	it[1].seq = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	/* Decoded: empty, out of order, too many, a short key. */
	{
		static const uint8_t empty[] = { 0x92, 0x08, 0x90 };
		uint8_t two[3 + 2 * 36], *p = two;
		size_t k;

		assert_int_not_equal(wire_decode(empty, sizeof(empty), &d), 0);
		*p++ = 0x92; *p++ = 0x08; *p++ = 0x92;
		for (k = 0; k < 2; k++) {
			*p++ = 0x92; *p++ = 0xc4; *p++ = 32;
			memset(p, 1, 32);
			p += 32;
			*p++ = (uint8_t)(5 - k);	/* 5 then 4: descending */
		}
		assert_int_equal(wire_decode(two, sizeof(two), &d),
		    BAL_EPROTO);
		two[3 + 36 - 1] = 4;
		two[3 + 2 * 36 - 1] = 5;
		assert_int_equal(wire_decode(two, sizeof(two), &d), 0);
		wire_msg_free(d);
		two[5] = 31;			/* a 31-byte key */
		assert_int_not_equal(wire_decode(two, sizeof(two), &d), 0);
	}
	m.want.n = WIRE_MAX_WANT;
	for (i = 0; i < WIRE_MAX_WANT; i++) {
		memset(it[i].author, 0, BAL_PK_BYTES);
		it[i].seq = i + 1;
	}
	assert_int_equal(wire_encode(&m, &buf, &len), 0);
	/* The same with an array16 count of 65: past the bound. */
	bad = malloc(len + 2);
	memcpy(bad, buf, 2);
	bad[2] = 0xdc; bad[3] = 0; bad[4] = WIRE_MAX_WANT + 1;
	memcpy(bad + 5, buf + 5, len - 5);
	assert_int_not_equal(wire_decode(bad, len, &d), 0);
	free(bad);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty_and_edge_values),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_punch),
		cmocka_unit_test(test_wrong_field_types),
		cmocka_unit_test(test_field_counts),
		cmocka_unit_test(test_garbage),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
