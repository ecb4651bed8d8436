/* test-wire.c — replication messages: round trips, limits, hostile input. */
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

/* A deterministic generator (xorshift64*) for the garbage tests. */
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

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

/* Two decoded RUNS hold the same values. */
static void
assert_same_runs(const struct wire_msg *a, const struct wire_msg *b)
{
	const struct wire_run_item *x, *y;
	size_t i, k;

	assert_int_equal(a->runs.nauthors, b->runs.nauthors);
	assert_memory_equal(a->runs.authors, b->runs.authors,
	    a->runs.nauthors * BAL_PK_BYTES);
	assert_int_equal(a->runs.nruns, b->runs.nruns);
	for (i = 0; i < a->runs.nruns; i++) {
		assert_int_equal(a->runs.runs[i].author,
		    b->runs.runs[i].author);
		assert_int_equal(a->runs.runs[i].first_seq,
		    b->runs.runs[i].first_seq);
		assert_int_equal(a->runs.runs[i].n, b->runs.runs[i].n);
		assert_int_equal(a->runs.runs[i].prev == NULL,
		    b->runs.runs[i].prev == NULL);
		if (a->runs.runs[i].prev != NULL)
			assert_memory_equal(a->runs.runs[i].prev,
			    b->runs.runs[i].prev, BAL_HASH_BYTES);
		for (k = 0; k < a->runs.runs[i].n; k++) {
			x = &a->runs.runs[i].items[k];
			y = &b->runs.runs[i].items[k];
			assert_int_equal(x->kind, y->kind);
			assert_true(x->epoch == y->epoch);
			assert_true(x->lamport == y->lamport);
			assert_true(x->time == y->time);
			assert_int_equal(x->body == NULL, y->body == NULL);
			assert_int_equal(x->bodylen, y->bodylen);
			if (x->body != NULL && x->bodylen > 0)
				assert_memory_equal(x->body, y->body,
				    x->bodylen);
			if (x->body == NULL)
				assert_memory_equal(x->body_hash,
				    y->body_hash, BAL_HASH_BYTES);
			assert_memory_equal(x->sig, y->sig, BAL_SIG_BYTES);
		}
	}
}

static void
enc(const struct wire_msg *m, uint8_t **buf, size_t *len)
{
	assert_int_equal(wire_encode(m, buf, len), 0);
	assert_non_null(*buf);
	assert_true(*len > 0 && *len <= WIRE_MAX_MSG);
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
	assert_string_equal(wire_type_name(9), "?");
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

/* Packers for hand-made (hostile) messages. */
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

/* Decodes the packed bytes, frees them and returns the result code. */
static int
pkb_decode(struct pkb *b)
{
	struct wire_msg *m = (struct wire_msg *)&m;
	int rc;

	rc = wire_decode((const uint8_t *)b->sb.data, b->sb.size, &m);
	if (rc == 0 || rc == BAL_EVERSION)
		wire_msg_free(m);
	else
		assert_null(m);
	msgpack_sbuffer_destroy(&b->sb);
	return rc;
}

static void
pk_bin(msgpack_packer *pk, size_t len, uint8_t fill)
{
	uint8_t *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memset(p, fill, len);
	msgpack_pack_bin(pk, len);
	msgpack_pack_bin_body(pk, p, len);
	free(p);
}

static void
pk_str(msgpack_packer *pk, size_t len, char fill)
{
	char *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memset(p, fill, len);
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, p, len);
	free(p);
}

static void
pk_cstr(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static int
hello_with(const char *software, size_t naddrs, size_t addrlen, char fill)
{
	struct pkb b;
	uint8_t gid[32] = { 1 };
	size_t i;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 5);
	msgpack_pack_uint64(&b.pk, WIRE_HELLO);
	msgpack_pack_uint64(&b.pk, WIRE_VERSION);
	msgpack_pack_bin(&b.pk, 32);
	msgpack_pack_bin_body(&b.pk, gid, 32);
	pk_cstr(&b.pk, software);
	msgpack_pack_array(&b.pk, naddrs);
	for (i = 0; i < naddrs; i++)
		pk_str(&b.pk, addrlen, fill);
	return pkb_decode(&b);
}

/* HAVE of n authors numbered from first (big-endian in the last bytes). */
static int
have_with(size_t n, int dup, int unsorted, uint64_t seq)
{
	struct pkb b;
	uint8_t pk[32];
	size_t i, k;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_HAVE);
	msgpack_pack_array(&b.pk, n);
	for (i = 0; i < n; i++) {
		k = i;
		if (dup && i == n - 1)
			k = i - 1;
		if (unsorted && i >= n - 2)
			k = (i == n - 2) ? n - 1 : n - 2;
		memset(pk, 0, sizeof(pk));
		pk[30] = (uint8_t)(k >> 8);
		pk[31] = (uint8_t)k;
		msgpack_pack_array(&b.pk, 2);
		msgpack_pack_bin(&b.pk, 32);
		msgpack_pack_bin_body(&b.pk, pk, 32);
		msgpack_pack_uint64(&b.pk, seq);
	}
	return pkb_decode(&b);
}

static int
entries_with(size_t n, size_t len)
{
	struct pkb b;
	size_t i;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_ENTRIES);
	msgpack_pack_array(&b.pk, n);
	for (i = 0; i < n; i++)
		pk_bin(&b.pk, len, (uint8_t)i);
	return pkb_decode(&b);
}

static int
push_with(size_t len)
{
	struct pkb b;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_uint64(&b.pk, WIRE_PUSH);
	pk_bin(&b.pk, len, 0x33);
	return pkb_decode(&b);
}

static int
bye_with(uint64_t reason, const char *text)
{
	struct pkb b;

	pkb_init(&b);
	msgpack_pack_array(&b.pk, 3);
	msgpack_pack_uint64(&b.pk, WIRE_BYE);
	msgpack_pack_uint64(&b.pk, reason);
	pk_cstr(&b.pk, text);
	return pkb_decode(&b);
}

static void
test_decode_limits(void **state)
{
	char text[WIRE_MAX_BYE_TEXT + 2];

	(void)state;
	/* HELLO: software, address count, address length and bytes. */
	assert_int_equal(hello_with("", 0, 0, 'a'), 0);
	assert_int_equal(hello_with("balintd/0.1.0 (debian)", WIRE_MAX_ADDRS,
	    WIRE_MAX_ADDR, 'a'), 0);
	assert_int_equal(hello_with("x", WIRE_MAX_ADDRS + 1, 10, 'a'),
	    BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, WIRE_MAX_ADDR + 1, 'a'),
	    BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, 0, 'a'), BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, 5, ' '), BAL_EPROTO);
	assert_int_equal(hello_with("x", 1, 5, '\n'), BAL_EPROTO);
	assert_int_equal(hello_with(
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    0, 0, 'a'), 0);
	assert_int_equal(hello_with(
	    "01234567890123456789012345678901234567890123456789012345678901234",
	    0, 0, 'a'), BAL_EPROTO);
	assert_int_equal(hello_with("bal\x1b[2Jintd", 0, 0, 'a'), BAL_EPROTO);
	assert_int_equal(hello_with("bal\xc3\xa9", 0, 0, 'a'), BAL_EPROTO);

	/* HAVE: count, order, duplicates, seq range. */
	assert_int_equal(have_with(WIRE_MAX_HAVE, 0, 0, 5), 0);
	assert_int_equal(have_with(WIRE_MAX_HAVE + 1, 0, 0, 5), BAL_EPROTO);
	assert_int_equal(have_with(3, 1, 0, 5), BAL_EPROTO);
	assert_int_equal(have_with(3, 0, 1, 5), BAL_EPROTO);
	assert_int_equal(have_with(2, 0, 0, (uint64_t)INT64_MAX), 0);
	assert_int_equal(have_with(2, 0, 0, (uint64_t)INT64_MAX + 1),
	    BAL_EPROTO);

	/* ENTRIES and PUSH: counts and entry sizes. */
	assert_int_equal(entries_with(WIRE_MAX_ENTRIES, 1), 0);
	assert_int_equal(entries_with(WIRE_MAX_ENTRIES + 1, 1), BAL_EPROTO);
	assert_int_equal(entries_with(2, 0), BAL_EPROTO);
	assert_int_equal(entries_with(1, WIRE_MAX_ENTRY), 0);
	assert_int_equal(entries_with(1, WIRE_MAX_ENTRY + 1), BAL_EPROTO);
	assert_int_equal(entries_with(6, WIRE_MAX_ENTRY), BAL_ETOOBIG);
	assert_int_equal(push_with(WIRE_MAX_ENTRY), 0);
	assert_int_equal(push_with(WIRE_MAX_ENTRY + 1), BAL_EPROTO);
	assert_int_equal(push_with(0), BAL_EPROTO);

	/* BYE: reason range, text length, one line. */
	memset(text, 'b', sizeof(text));
	text[WIRE_MAX_BYE_TEXT] = '\0';
	assert_int_equal(bye_with(0, text), 0);
	text[WIRE_MAX_BYE_TEXT] = 'b';
	text[WIRE_MAX_BYE_TEXT + 1] = '\0';
	assert_int_equal(bye_with(0, text), BAL_EPROTO);
	assert_int_equal(bye_with(WIRE_MAX_BYE_REASON, "x"), 0);
	assert_int_equal(bye_with(WIRE_MAX_BYE_REASON + 1, "x"), BAL_EPROTO);
	assert_int_equal(bye_with(0, "two\nlines"), BAL_EPROTO);
	assert_int_equal(bye_with(0, "del\x7f"), BAL_EPROTO);
	assert_int_equal(bye_with(0, "d\xc3\xa9j\xc3\xa0 vu"), 0);
	assert_int_equal(bye_with(0, "bad \xc3 utf8"), BAL_EPROTO);
}

static void
test_encode_limits(void **state)
{
	struct wire_msg m;
	struct wire_have_item it[2];
	struct wire_bytes eb[WIRE_MAX_ENTRIES + 1];
	const char *addrs[WIRE_MAX_ADDRS + 1];
	char longaddr[WIRE_MAX_ADDR + 2], text[WIRE_MAX_BYE_TEXT + 2];
	uint8_t one = 1, *buf, *big;
	size_t len, i;

	(void)state;
	assert_int_equal(wire_encode(NULL, &buf, &len), BAL_EINVAL);
	memset(&m, 0, sizeof(m));
	m.type = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	assert_null(buf);
	m.type = 8;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);

	/* HELLO. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.hello.version = WIRE_VERSION;
	for (i = 0; i <= WIRE_MAX_ADDRS; i++)
		addrs[i] = "10.0.0.1:7000";
	m.hello.addrs = addrs;
	m.hello.naddrs = WIRE_MAX_ADDRS + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.hello.naddrs = 1;
	memset(longaddr, 'h', sizeof(longaddr));
	longaddr[WIRE_MAX_ADDR + 1] = '\0';
	addrs[0] = longaddr;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	addrs[0] = "";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	addrs[0] = "a b:1";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	addrs[0] = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.hello.addrs = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.hello.naddrs = 0;
	m.hello.software = "tab\tseparated";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);

	/* HAVE: duplicates and seq range are the caller's bugs. */
	memset(&m, 0, sizeof(m));
	memset(it, 7, sizeof(it));
	it[0].seq = it[1].seq = 3;
	m.type = WIRE_HAVE;
	m.have.items = it;
	m.have.n = 2;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	it[1].author[0] = 8;
	it[1].seq = (uint64_t)INT64_MAX + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.have.n = WIRE_MAX_HAVE + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.have.items = NULL;
	m.have.n = 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);

	/* ENTRIES and PUSH. */
	for (i = 0; i <= WIRE_MAX_ENTRIES; i++) {
		eb[i].p = &one;
		eb[i].len = 1;
	}
	memset(&m, 0, sizeof(m));
	m.type = WIRE_ENTRIES;
	m.entries.items = eb;
	m.entries.n = WIRE_MAX_ENTRIES + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.entries.n = WIRE_MAX_ENTRIES;
	enc(&m, &buf, &len);
	free(buf);
	eb[3].len = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	eb[3].len = 1;
	eb[4].p = NULL;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	eb[4].p = &one;

	/* Exactly WIRE_MAX_MSG bytes fit; one more does not. */
	big = malloc(WIRE_MAX_ENTRY);
	assert_non_null(big);
	memset(big, 0x77, WIRE_MAX_ENTRY);
	for (i = 0; i < 5; i++) {
		eb[i].p = big;
		eb[i].len = WIRE_MAX_ENTRY;
	}
	eb[5].p = big;
	eb[5].len = WIRE_MAX_MSG - 3 - 5 * wire_entry_cost(WIRE_MAX_ENTRY) - 3;
	m.entries.n = 6;
	enc(&m, &buf, &len);
	assert_int_equal(len, WIRE_MAX_MSG);
	{
		struct wire_msg *d;

		assert_int_equal(wire_decode(buf, len, &d), 0);
		assert_int_equal(d->entries.n, 6);
		assert_int_equal(d->entries.items[5].len, eb[5].len);
		wire_msg_free(d);
	}
	free(buf);
	eb[5].len++;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	eb[0].len++;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.type = WIRE_PUSH;
	m.push.p = big;
	m.push.len = WIRE_MAX_ENTRY + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.push.len = 0;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	free(big);

	/* BYE. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_BYE;
	memset(text, 't', sizeof(text));
	text[WIRE_MAX_BYE_TEXT + 1] = '\0';
	m.bye.text = text;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_ETOOBIG);
	m.bye.text = "a\r\nb";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.bye.text = "\xff";
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	m.bye.text = "ok";
	m.bye.reason = WIRE_MAX_BYE_REASON + 1;
	assert_int_equal(wire_encode(&m, &buf, &len), BAL_EINVAL);
	assert_null(buf);
	assert_int_equal(len, 0);
}

static void
test_batch_rule(void **state)
{
	static const size_t lens[] = { 1, 255, 256, 65535, 65536,
	    WIRE_MAX_ENTRY, 17, 100000 };
	struct wire_bytes *eb;
	struct wire_msg m;
	uint8_t *big, *buf;
	size_t n = 0, used = WIRE_ENTRIES_OVERHEAD, len, k = 0;

	(void)state;
	/* A sender filling a batch by the documented rule never overflows. */
	big = calloc(1, WIRE_MAX_ENTRY);
	eb = calloc(WIRE_MAX_ENTRIES, sizeof(*eb));
	assert_non_null(big);
	assert_non_null(eb);
	for (;;) {
		size_t l = lens[k++ % (sizeof(lens) / sizeof(lens[0]))];

		if (n == WIRE_MAX_ENTRIES ||
		    used + wire_entry_cost(l) > WIRE_MAX_MSG)
			break;
		eb[n].p = big;
		eb[n].len = l;
		used += wire_entry_cost(l);
		n++;
	}
	assert_true(n > 5);
	memset(&m, 0, sizeof(m));
	m.type = WIRE_ENTRIES;
	m.entries.items = eb;
	m.entries.n = n;
	enc(&m, &buf, &len);
	assert_true(len <= used);
	assert_true(len + 2 >= used);
	free(buf);
	free(eb);
	free(big);
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
		{ 0x91, 0x08 },			/* [8] */
		{ 0x92, 0x08, 0x01 },		/* [8, 1] */
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
	rng_state = 0x9e3779b97f4a7c15ULL;
	/* Random bytes, often shaped like a small message array. */
	for (i = 0; i < 30000; i++) {
		len = rnd() % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		if (len >= 2 && (i & 1)) {
			buf[0] = (uint8_t)(0x91 + rnd() % 5);
			buf[1] = (uint8_t)(1 + rnd() % 7);
		}
		try_decode(buf, len);
	}
	/* Valid messages with several random edits. */
	samples(m);
	for (i = 0; i < NSAMPLES; i++)
		enc(&m[i], &encs[i], &lens[i]);
	for (i = 0; i < 30000; i++) {
		k = rnd() % NSAMPLES;
		if (lens[k] > sizeof(buf))
			continue;
		memcpy(buf, encs[k], lens[k]);
		len = lens[k];
		for (edits = 1 + rnd() % 4; edits > 0; edits--)
			buf[rnd() % len] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			len = rnd() % (len + 1);
		try_decode(buf, len);
	}
	for (i = 0; i < NSAMPLES; i++)
		free(encs[i]);
}

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
	rng_state = 0x1234567;
	memset(body, 0x24, sizeof(body));
	for (i = 0; i < 20; i++) {
		author_key(keys[i], i);
		memset(prevs[i], (int)(0x30 + i), BAL_HASH_BYTES);
	}
	for (round = 0; round < 300; round++) {
		size_t nauth = 1 + rnd() % 20, nruns = 0, used = 0;
		uint64_t next[20] = { 0 };

		at = 0;
		memset(&m, 0, sizeof(m));
		m.type = WIRE_RUNS;
		while (at < 300 - 20 && nruns < 40) {
			size_t a = used < nauth && (nruns == 0 ||
			    rnd() % 2) ? used++ : rnd() % used;
			size_t n = 1 + rnd() % 20;

			if (nruns > 0 && runs[nruns - 1].author == a) {
				if (nauth == 1)
					break;	/* one author: one run */
				continue;
			}
			runs[nruns].prev = NULL;
			if (next[a] == 0) {
				next[a] = 1 + (rnd() % 3 == 0 ? rnd() >> 2 :
				    rnd() % 300);
				if (next[a] > 1)
					runs[nruns].prev = prevs[a];
			}
			runs[nruns].author = (uint32_t)a;
			runs[nruns].first_seq = next[a];
			runs[nruns].items = &its[at];
			runs[nruns].n = n;
			next[a] += n;
			t = rnd() >> (1 + rnd() % 63);
			for (k = 0; k < n; k++) {
				struct wire_run_item *it = &its[at + k];

				memset(it, 0, sizeof(*it));
				it->kind = (uint8_t)(1 + rnd() % 3);
				it->epoch = it->kind != 1 ? 0 :
				    rnd() % 2 ? 7 : rnd() >> (rnd() % 64);
				it->lamport = (k == 0 ? 0 : its[at + k - 1].
				    lamport) + 1 + (rnd() >> (rnd() % 54 +
				    10));
				if (rnd() % 2)
					t += rnd() >> (rnd() % 54 + 10);
				if (t > (uint64_t)INT64_MAX)
					t = (uint64_t)INT64_MAX;
				else if (t > 0)
					t -= rnd() % t;
				it->time = t;
				it->bodylen = rnd() % 40 == 0 ? 60000 + rnd() %
				    10000 : 40 + rnd() % 300;
				it->body = rnd() % 4 == 0 ? NULL : body;
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
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty_and_edge_values),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_decode_limits),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_batch_rule),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_wrong_field_types),
		cmocka_unit_test(test_field_counts),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_runs_decode_rules),
		cmocka_unit_test(test_runs_encode_rules),
		cmocka_unit_test(test_runs_cost),
		cmocka_unit_test(test_runs_example),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
