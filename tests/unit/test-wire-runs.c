/*
 * test-wire-runs.c — the RUNS message: decoding and encoding rules, its
 * cost, the example of docs/protocol.md.
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

/* ---- RUNS ---- */

/*
 * One RUNS item as packed by hand: the raw wire values.  bodylen NOBODY
 * packs nil; hashlen 0 packs no body hash; extra adds a nil element.
 */
#define NOBODY ((size_t)-1)

struct ritem {
	uint64_t kind;
	int epoch_nil;
	uint64_t epoch;
	uint64_t dlamport;
	int64_t dtime;
	int dtime_uint;			/* pack dtime as this uint instead */
	uint64_t dtime_u;
	size_t bodylen;
	size_t siglen;
	size_t hashlen;
	int extra;
};

struct rrun {
	uint64_t author;
	uint64_t first_seq;
	size_t n;
	const struct ritem *items;	/* NULL: RI_OK, then RI_NEXT */
	/*
	 * The run's prev: 0 where the rules want one (an author's first run
	 * after seq 1), else absent; 1 always, -1 never; or its length.
	 */
	int prev;
};

static const struct ritem RI_OK = { 3, 0, 0, 1, 1, 0, 0, 2, 64, 0, 0 };

/* A later item of the same epoch: nil. */
static const struct ritem RI_NEXT = { 3, 1, 0, 1, 1, 0, 0, 2, 64, 0, 0 };

static void
author_key(uint8_t pk[BAL_PK_BYTES], size_t i)
{
	memset(pk, 0x77, BAL_PK_BYTES);
	pk[0] = (uint8_t)i;
	pk[1] = (uint8_t)(i >> 8);
}

static void
pk_ritem(msgpack_packer *pk, const struct ritem *it)
{
	msgpack_pack_array(pk, 5 + (it->hashlen > 0) + (it->siglen > 0) +
	    (it->extra != 0));
	msgpack_pack_uint64(pk, it->kind);
	if (it->epoch_nil)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_uint64(pk, it->epoch);
	msgpack_pack_uint64(pk, it->dlamport);
	if (it->dtime_uint)
		msgpack_pack_uint64(pk, it->dtime_u);
	else
		msgpack_pack_int64(pk, it->dtime);
	if (it->bodylen == NOBODY)
		msgpack_pack_nil(pk);
	else
		pk_bin(pk, it->bodylen, 0x42);
	if (it->siglen > 0)
		pk_bin(pk, it->siglen, 0x51);
	if (it->hashlen > 0)
		pk_bin(pk, it->hashlen, 0x68);
	if (it->extra)
		msgpack_pack_nil(pk);
}

/*
 * Packs [7, authors, runs] by hand and decodes it; dup makes the last
 * author key a copy of the first.
 */
static int
runs_with(size_t nauthors, int dup, const struct rrun *runs, size_t nruns)
{
	struct pkb b;
	uint8_t key[BAL_PK_BYTES];
	size_t i, k;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 3);
	msgpack_pack_uint64(&b.pk, WIRE_RUNS);
	msgpack_pack_array(&b.pk, nauthors);
	for (i = 0; i < nauthors; i++) {
		author_key(key, dup && i == nauthors - 1 ? 0 : i);
		msgpack_pack_bin(&b.pk, BAL_PK_BYTES);
		msgpack_pack_bin_body(&b.pk, key, BAL_PK_BYTES);
	}
	msgpack_pack_array(&b.pk, nruns);
	for (i = 0; i < nruns; i++) {
		int first = 1, prev = runs[i].prev;

		for (k = 0; k < i; k++)
			if (runs[k].author == runs[i].author)
				first = 0;
		if (prev == 0)
			prev = first && runs[i].first_seq > 1 ? 1 : -1;
		msgpack_pack_array(&b.pk, prev > 0 ? 4 : 3);
		msgpack_pack_uint64(&b.pk, runs[i].author);
		msgpack_pack_uint64(&b.pk, runs[i].first_seq);
		msgpack_pack_array(&b.pk, runs[i].n);
		for (k = 0; k < runs[i].n; k++)
			pk_ritem(&b.pk, runs[i].items != NULL ?
			    &runs[i].items[k] : k > 0 ? &RI_NEXT : &RI_OK);
		if (prev > 0)
			pk_bin(&b.pk, prev == 1 ? BAL_HASH_BYTES :
			    (size_t)prev, 0x9e);
	}
	return pkb_decode(&b);
}

/* One author, one run of the given items from seq 1. */
static int
items_with(const struct ritem *items, size_t n)
{
	struct rrun r = { 0, 1, n, items, 0 };

	return runs_with(1, 0, &r, 1);
}

static void
test_runs_decode_rules(void **state)
{
	struct rrun *many, r[3];
	struct ritem it[3];
	size_t i;

	(void)state;
	/* The smallest valid RUNS, and its counts. */
	r[0] = (struct rrun){ 0, 1, 1, NULL, 0 };
	assert_int_equal(runs_with(1, 0, r, 1), 0);
	assert_int_equal(runs_with(0, 0, r, 0), BAL_EPROTO);
	assert_int_equal(runs_with(1, 0, r, 0), BAL_EPROTO);
	r[0].n = 0;
	assert_int_equal(runs_with(1, 0, r, 1), BAL_EPROTO);
	r[0].n = WIRE_MAX_RUN_ITEMS;
	assert_int_equal(runs_with(1, 0, r, 1), 0);
	r[0].n = WIRE_MAX_RUN_ITEMS + 1;
	assert_int_equal(runs_with(1, 0, r, 1), BAL_EPROTO);
	/* 1024 items in all, whatever the runs. */
	r[0] = (struct rrun){ 0, 1, 1000, NULL, 0 };
	r[1] = (struct rrun){ 1, 1, 24, NULL, 0 };
	assert_int_equal(runs_with(2, 0, r, 2), 0);
	r[1].n = 25;
	assert_int_equal(runs_with(2, 0, r, 2), BAL_EPROTO);
	/* 256 authors of one entry each; 257. */
	many = calloc(WIRE_MAX_RUN_AUTHORS + 1, sizeof(*many));
	assert_non_null(many);
	for (i = 0; i <= WIRE_MAX_RUN_AUTHORS; i++)
		many[i] = (struct rrun){ i, 1, 1, NULL, 0 };
	assert_int_equal(runs_with(WIRE_MAX_RUN_AUTHORS, 0, many,
	    WIRE_MAX_RUN_AUTHORS), 0);
	assert_int_equal(runs_with(WIRE_MAX_RUN_AUTHORS + 1, 0, many,
	    WIRE_MAX_RUN_AUTHORS + 1), BAL_EPROTO);
	/* ... and distinct. */
	assert_int_equal(runs_with(WIRE_MAX_RUN_AUTHORS, 1, many,
	    WIRE_MAX_RUN_AUTHORS), BAL_EPROTO);
	free(many);

	/* Authors: an index out of range, out of first-use order, unused. */
	r[0] = (struct rrun){ 1, 1, 1, NULL, 0 };
	assert_int_equal(runs_with(1, 0, r, 1), BAL_EPROTO);
	assert_int_equal(runs_with(2, 0, r, 1), BAL_EPROTO);
	r[0].author = 0;
	assert_int_equal(runs_with(2, 0, r, 1), BAL_EPROTO);
	r[1] = (struct rrun){ 1, 1, 1, NULL, 0 };
	assert_int_equal(runs_with(2, 0, r, 2), 0);

	/* Seqs: 1..2^63-1, an author's runs contiguous and never adjacent. */
	r[0] = (struct rrun){ 0, 0, 1, NULL, 0 };
	assert_int_equal(runs_with(1, 0, r, 1), BAL_EPROTO);
	r[0].first_seq = (uint64_t)INT64_MAX;
	assert_int_equal(runs_with(1, 0, r, 1), 0);
	r[0].first_seq = (uint64_t)INT64_MAX + 1;
	assert_int_equal(runs_with(1, 0, r, 1), BAL_EPROTO);
	r[0] = (struct rrun){ 0, (uint64_t)INT64_MAX - 1, 2, NULL, 0 };
	assert_int_equal(runs_with(1, 0, r, 1), 0);
	r[0].n = 3;
	assert_int_equal(runs_with(1, 0, r, 1), BAL_EPROTO);
	r[0] = (struct rrun){ 0, 1, 2, NULL, 0 };
	r[1] = (struct rrun){ 0, 3, 1, NULL, 0 };		/* adjacent */
	assert_int_equal(runs_with(1, 0, r, 2), BAL_EPROTO);
	r[1] = (struct rrun){ 1, 7, 1, NULL, 0 };
	r[2] = (struct rrun){ 0, 3, 2, NULL, 0 };		/* A 1-2, B 7, A 3-4 */
	assert_int_equal(runs_with(2, 0, r, 3), 0);
	r[2].first_seq = 4;				/* a gap */
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[2].first_seq = 2;				/* overlaps */
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[2].first_seq = 1;
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);

	/*
	 * prev: on an author's first run exactly when it starts after seq 1
	 * (B 7 above), 32 bytes.
	 */
	r[2].first_seq = 3;
	assert_int_equal(runs_with(2, 0, r, 3), 0);
	r[1].prev = -1;					/* missing */
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[1].prev = 31;
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[1].prev = 33;
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[1].prev = 0;
	r[0].prev = 1;					/* on a seq 1 run */
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[0].prev = 0;
	r[2].prev = 1;					/* on a later run */
	assert_int_equal(runs_with(2, 0, r, 3), BAL_EPROTO);
	r[2].prev = 0;

	/* Kinds, and the epoch of plaintext kinds. */
	it[0] = RI_OK;
	assert_int_equal(items_with(it, 1), 0);
	it[0].kind = 0;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].kind = 4;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].kind = 2;
	it[0].epoch = 1;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	/* Epoch nil: the previous item's, never on a run's first. */
	it[0] = RI_OK;
	it[0].kind = 1;
	it[0].epoch = 5;
	it[0].bodylen = 40;
	it[1] = it[0];
	it[1].epoch_nil = 1;
	assert_int_equal(items_with(it, 2), 0);
	assert_int_equal(items_with(&it[1], 1), BAL_EPROTO);
	it[1].epoch_nil = 0;				/* "the same" is nil */
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[1].epoch = 6;
	assert_int_equal(items_with(it, 2), 0);
	it[1] = RI_OK;					/* kind 3: epoch 0 */
	it[1].epoch_nil = 1;				/* ... not 5 */
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[1].epoch_nil = 0;
	assert_int_equal(items_with(it, 2), 0);

	/* Lamport: absolute, then rising differences, within 2^63-1. */
	it[0] = RI_OK;
	it[0].dlamport = (uint64_t)INT64_MAX;
	assert_int_equal(items_with(it, 1), 0);
	it[0].dlamport = (uint64_t)INT64_MAX + 1;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].dlamport = 0;
	it[1] = RI_NEXT;
	it[1].dlamport = 0;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[0].dlamport = (uint64_t)INT64_MAX - 1;
	it[1].dlamport = 1;
	assert_int_equal(items_with(it, 2), 0);
	it[1].dlamport = 2;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[1].dlamport = UINT64_MAX;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);

	/* Time: absolute (not negative), then signed differences. */
	it[0] = RI_OK;
	it[0].dtime = -1;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].dtime = INT64_MAX;
	assert_int_equal(items_with(it, 1), 0);
	it[0].dtime_uint = 1;
	it[0].dtime_u = (uint64_t)INT64_MAX + 1;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0] = RI_OK;
	it[0].dtime = 5;
	it[1] = RI_NEXT;
	it[1].dtime = -5;				/* back to 0 */
	assert_int_equal(items_with(it, 2), 0);
	it[1].dtime = -6;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[1].dtime = INT64_MIN;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[0].dtime = INT64_MAX;
	it[1].dtime = INT64_MIN + 1;			/* back to 0 */
	assert_int_equal(items_with(it, 2), 0);
	it[1].dtime = 1;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);
	it[1].dtime_uint = 1;
	it[1].dtime_u = UINT64_MAX;
	assert_int_equal(items_with(it, 2), BAL_EPROTO);

	/* Bodies, signature, and the body hash of an erased item only. */
	it[0] = RI_OK;
	it[0].bodylen = 0;
	assert_int_equal(items_with(it, 1), 0);
	it[0].bodylen = ENTRY_MAX_BODY;
	assert_int_equal(items_with(it, 1), 0);
	it[0].bodylen = ENTRY_MAX_BODY + 1;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].kind = 1;
	it[0].bodylen = 39;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].bodylen = NOBODY;				/* erased: any kind */
	it[0].hashlen = 32;
	assert_int_equal(items_with(it, 1), 0);
	it[0].hashlen = 31;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].hashlen = 0;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0] = RI_OK;
	it[0].hashlen = 32;				/* body and hash */
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].hashlen = 0;
	it[0].siglen = 63;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].siglen = 65;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
	it[0].siglen = 64;
	it[0].extra = 1;
	assert_int_equal(items_with(it, 1), BAL_EPROTO);
}

static void
test_runs_encode_rules(void **state)
{
	struct wire_msg m;
	struct wire_run_item *its, *it;
	struct wire_run *runs;
	uint8_t (*keys)[BAL_PK_BYTES], body[64], *buf = (uint8_t *)&buf;
	size_t len = 1, i;

	(void)state;
#define REFUSED(code) do {						\
	assert_int_equal(wire_encode(&m, &buf, &len), code);		\
	assert_null(buf);						\
	assert_int_equal(len, 0);					\
} while (0)
#define ACCEPTED() do {							\
	enc(&m, &buf, &len);						\
	free(buf);							\
} while (0)
	its = calloc(WIRE_MAX_RUN_ITEMS + 1, sizeof(*its));
	runs = calloc(WIRE_MAX_RUN_ITEMS + 1, sizeof(*runs));
	keys = calloc(WIRE_MAX_RUN_AUTHORS + 1, BAL_PK_BYTES);
	assert_non_null(its);
	assert_non_null(runs);
	assert_non_null(keys);
	memset(body, 0x42, sizeof(body));
	for (i = 0; i <= WIRE_MAX_RUN_ITEMS; i++) {
		its[i].kind = 3;
		its[i].lamport = i + 1;
		its[i].body = body;
		its[i].bodylen = 2;
	}
	for (i = 0; i <= WIRE_MAX_RUN_AUTHORS; i++)
		author_key(keys[i], i);
	memset(&m, 0, sizeof(m));
	m.type = WIRE_RUNS;
	REFUSED(BAL_EINVAL);
	m.runs.authors = (const uint8_t (*)[BAL_PK_BYTES])keys;
	m.runs.nauthors = 1;
	m.runs.runs = runs;
	m.runs.nruns = 1;
	runs[0].first_seq = 1;
	runs[0].items = its;
	runs[0].n = 1;
	ACCEPTED();
	/* Counts. */
	runs[0].n = 0;
	REFUSED(BAL_EINVAL);
	runs[0].n = WIRE_MAX_RUN_ITEMS;
	ACCEPTED();
	runs[0].n = WIRE_MAX_RUN_ITEMS + 1;
	REFUSED(BAL_ETOOBIG);
	runs[0].n = 1;
	runs[0].items = NULL;
	REFUSED(BAL_EINVAL);
	runs[0].items = its;
	for (i = 0; i <= WIRE_MAX_RUN_AUTHORS; i++) {
		runs[i].author = (uint32_t)i;
		runs[i].first_seq = 1;
		runs[i].items = &its[i];
		runs[i].n = 1;
	}
	m.runs.nauthors = m.runs.nruns = WIRE_MAX_RUN_AUTHORS;
	ACCEPTED();
	m.runs.nauthors = m.runs.nruns = WIRE_MAX_RUN_AUTHORS + 1;
	REFUSED(BAL_ETOOBIG);
	m.runs.nauthors = 2;
	m.runs.nruns = 2;
	memcpy(keys[1], keys[0], BAL_PK_BYTES);		/* duplicate */
	REFUSED(BAL_EINVAL);
	author_key(keys[1], 1);
	m.runs.nruns = 1;				/* unused author */
	REFUSED(BAL_EINVAL);
	m.runs.nruns = 2;
	runs[0].author = 1;				/* out of order */
	runs[1].author = 0;
	REFUSED(BAL_EINVAL);
	runs[0].author = 0;
	runs[1].author = 2;				/* out of range */
	REFUSED(BAL_EINVAL);
	runs[1].author = 0;				/* adjacent */
	runs[1].first_seq = 2;
	REFUSED(BAL_EINVAL);
	m.runs.nauthors = 1;
	runs[1].first_seq = 3;
	REFUSED(BAL_EINVAL);
	m.runs.nauthors = 2;
	m.runs.nruns = 3;				/* A 1, B 1, A 2 */
	runs[1].author = 1;
	runs[1].first_seq = 1;
	runs[2].author = 0;
	runs[2].first_seq = 2;
	ACCEPTED();
	runs[2].first_seq = 3;				/* a gap */
	REFUSED(BAL_EINVAL);
	runs[2].first_seq = 1;				/* again */
	REFUSED(BAL_EINVAL);
	/* A prev on an author's first run exactly when it starts after 1. */
	runs[1].first_seq = 4;				/* A 1, B 4, A 2 */
	runs[2].first_seq = 2;
	REFUSED(BAL_EINVAL);
	runs[1].prev = body;
	ACCEPTED();
	runs[2].prev = body;				/* on a later run */
	REFUSED(BAL_EINVAL);
	runs[2].prev = NULL;
	runs[0].prev = body;				/* on a seq 1 run */
	REFUSED(BAL_EINVAL);
	runs[0].prev = NULL;
	runs[1].prev = NULL;
	/* Seqs in range. */
	m.runs.nauthors = 1;
	m.runs.nruns = 1;
	runs[0].first_seq = 0;
	REFUSED(BAL_EINVAL);
	runs[0].first_seq = (uint64_t)INT64_MAX;
	runs[0].prev = body;
	ACCEPTED();
	runs[0].n = 2;
	REFUSED(BAL_EINVAL);
	runs[0].n = 1;
	runs[0].first_seq = 1;
	runs[0].prev = NULL;
	/* Items: the header limits, rising lamports, kind-1 bodies. */
	it = &its[0];
	it->kind = 4;
	REFUSED(BAL_EINVAL);
	it->kind = 2;
	it->epoch = 1;
	REFUSED(BAL_EINVAL);
	it->kind = 1;
	it->bodylen = 39;
	REFUSED(BAL_EINVAL);
	it->bodylen = 40;
	ACCEPTED();
	it->body = NULL;				/* erased */
	ACCEPTED();
	it->body = body;
	it->lamport = (uint64_t)INT64_MAX + 1;
	REFUSED(BAL_EINVAL);
	it->lamport = 1;
	it->time = (uint64_t)INT64_MAX + 1;
	REFUSED(BAL_EINVAL);
	it->time = 0;
	it->bodylen = ENTRY_MAX_BODY + 1;
	REFUSED(BAL_ETOOBIG);
	it->bodylen = 40;
	runs[0].n = 2;
	its[1].lamport = 1;				/* not rising */
	REFUSED(BAL_EINVAL);
	its[1].lamport = 2;
	ACCEPTED();
	/* Above WIRE_MAX_MSG in all: 8 bodies of ENTRY_MAX_BODY. */
	{
		uint8_t *big = calloc(1, ENTRY_MAX_BODY);

		assert_non_null(big);
		for (i = 0; i < 8; i++) {
			its[i].kind = 3;
			its[i].epoch = 0;
			its[i].lamport = i + 1;
			its[i].body = big;
			its[i].bodylen = ENTRY_MAX_BODY;
		}
		runs[0].n = 7;
		ACCEPTED();
		runs[0].n = 8;
		REFUSED(BAL_ETOOBIG);
		free(big);
	}
#undef REFUSED
#undef ACCEPTED
	free(its);
	free(runs);
	free(keys);
}

/* Bytes of msgpack's shortest array header. */
static size_t
arr_hdr(size_t n)
{
	return n < 16 ? 1 : n <= 0xffff ? 3 : 5;
}

static size_t
uint_len(uint64_t v)
{
	return v < 0x80 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 :
	    v <= 0xffffffffu ? 5 : 9;
}

/*
 * wire_run_item_cost is exact: the encoded size is the headers plus the
 * costs; and the batch bound (WIRE_RUNS_*) is never below it.
 */
static void
test_runs_cost(void **state)
{
	struct wire_msg m;
	struct wire_run_item its[300];
	struct wire_run runs[40];
	uint8_t keys[20][BAL_PK_BYTES], prevs[20][BAL_HASH_BYTES];
	uint8_t body[70000], *buf;
	size_t len, i, k, at, exact, bound, round, tested = 0;
	uint64_t t;

	(void)state;
	wire_rng_state = 0x1234567;
	memset(body, 0x24, sizeof(body));
	for (i = 0; i < 20; i++) {
		author_key(keys[i], i);
		memset(prevs[i], (int)(0x30 + i), BAL_HASH_BYTES);
	}
	for (round = 0; round < 300; round++) {
		size_t nauth = 1 + wire_rnd() % 20, nruns = 0, used = 0;
		uint64_t next[20] = { 0 };

		at = 0;
		memset(&m, 0, sizeof(m));
		m.type = WIRE_RUNS;
		while (at < 300 - 20 && nruns < 40) {
			size_t a = used < nauth && (nruns == 0 ||
			    wire_rnd() % 2) ? used++ : wire_rnd() % used;
			size_t n = 1 + wire_rnd() % 20;

			if (nruns > 0 && runs[nruns - 1].author == a) {
				if (nauth == 1)
					break;	/* one author: one run */
				continue;
			}
			runs[nruns].prev = NULL;
			if (next[a] == 0) {
				next[a] = 1 + (wire_rnd() % 3 == 0 ? wire_rnd() >> 2 :
				    wire_rnd() % 300);
				if (next[a] > 1)
					runs[nruns].prev = prevs[a];
			}
			runs[nruns].author = (uint32_t)a;
			runs[nruns].first_seq = next[a];
			runs[nruns].items = &its[at];
			runs[nruns].n = n;
			next[a] += n;
			t = wire_rnd() >> (1 + wire_rnd() % 63);
			for (k = 0; k < n; k++) {
				struct wire_run_item *it = &its[at + k];

				memset(it, 0, sizeof(*it));
				it->kind = (uint8_t)(1 + wire_rnd() % 3);
				it->epoch = it->kind != 1 ? 0 :
				    wire_rnd() % 2 ? 7 : wire_rnd() >> (wire_rnd() % 64);
				it->lamport = (k == 0 ? 0 : its[at + k - 1].
				    lamport) + 1 + (wire_rnd() >> (wire_rnd() % 54 +
				    10));
				if (wire_rnd() % 2)
					t += wire_rnd() >> (wire_rnd() % 54 + 10);
				if (t > (uint64_t)INT64_MAX)
					t = (uint64_t)INT64_MAX;
				else if (t > 0)
					t -= wire_rnd() % t;
				it->time = t;
				it->bodylen = wire_rnd() % 40 == 0 ? 60000 + wire_rnd() %
				    10000 : 40 + wire_rnd() % 300;
				it->body = wire_rnd() % 4 == 0 ? NULL : body;
			}
			at += n;
			nruns++;
		}
		if (used < nauth)
			nauth = used;
		m.runs.authors = (const uint8_t (*)[BAL_PK_BYTES])keys;
		m.runs.nauthors = nauth;
		m.runs.runs = runs;
		m.runs.nruns = nruns;
		exact = 2 + arr_hdr(nauth) + nauth * 34 + arr_hdr(nruns);
		bound = WIRE_RUNS_OVERHEAD + nauth * WIRE_RUNS_AUTHOR_COST +
		    nruns * WIRE_RUNS_RUN_COST;
		for (i = 0; i < nruns; i++) {
			exact += 1 + uint_len(runs[i].author) +
			    uint_len(runs[i].first_seq) + arr_hdr(runs[i].n) +
			    (runs[i].prev != NULL ? 2 + BAL_HASH_BYTES : 0);
			for (k = 0; k < runs[i].n; k++) {
				size_t c = wire_run_item_cost(
				    &runs[i].items[k], k > 0 ?
				    &runs[i].items[k - 1] : NULL);

				exact += c;
				bound += c;
			}
		}
		if (exact > WIRE_MAX_MSG)
			continue;
		enc(&m, &buf, &len);
		assert_int_equal(len, exact);
		assert_true(bound >= len);
		free(buf);
		tested++;
	}
	assert_true(tested >= 100);
}

/* The example of docs/protocol.md, byte for byte. */
static void
test_runs_example(void **state)
{
	static const char hex[] =
	    "9307" "91c420" "%AA" "91" "930001" "92"
	    "960300" "05" "cf0000018bcfe56800" "c4026869" "c440" "%11"
	    "970107" "02" "d1ff06" "c0" "c440" "%22" "c420" "%33";
	struct wire_run_item it[2];
	struct wire_run run;
	struct wire_msg m, *d;
	uint8_t author[BAL_PK_BYTES], want[400], *buf;
	size_t len, n = 0, i;
	unsigned v;

	(void)state;
	for (i = 0; hex[i] != '\0'; i += 3) {
		if (hex[i] == '%') {
			sscanf(hex + i + 1, "%2x", &v);
			memset(want + n, (int)v, hex[i + 1] == '1' ||
			    hex[i + 1] == '2' ? 64 : 32);
			n += hex[i + 1] == '1' || hex[i + 1] == '2' ? 64 : 32;
			continue;
		}
		sscanf(hex + i, "%2x", &v);
		want[n++] = (uint8_t)v;
		i -= 1;
	}
	memset(author, 0xaa, sizeof(author));
	memset(it, 0, sizeof(it));
	it[0].kind = 3;
	it[0].epoch = 0;
	it[0].lamport = 5;
	it[0].time = 1700000000000ULL;
	it[0].body = (const uint8_t *)"hi";
	it[0].bodylen = 2;
	memset(it[0].sig, 0x11, BAL_SIG_BYTES);
	it[1].kind = 1;
	it[1].epoch = 7;
	it[1].lamport = 7;
	it[1].time = 1700000000000ULL - 250;
	memset(it[1].sig, 0x22, BAL_SIG_BYTES);
	memset(it[1].body_hash, 0x33, BAL_HASH_BYTES);
	memset(&run, 0, sizeof(run));
	run.author = 0;
	run.first_seq = 1;
	run.items = it;
	run.n = 2;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_RUNS;
	m.runs.authors = (const uint8_t (*)[BAL_PK_BYTES])&author;
	m.runs.nauthors = 1;
	m.runs.runs = &run;
	m.runs.nruns = 1;
	enc(&m, &buf, &len);
	assert_int_equal(len, n);
	assert_memory_equal(buf, want, n);
	assert_int_equal(wire_decode(buf, len, &d), 0);
	assert_same_runs(d, &m);
	wire_msg_free(d);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_decode_rules),
		cmocka_unit_test(test_runs_encode_rules),
		cmocka_unit_test(test_runs_cost),
		cmocka_unit_test(test_runs_example),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
