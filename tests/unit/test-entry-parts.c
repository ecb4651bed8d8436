/*
 * test-entry-parts.c — entries taken apart for RUNS and rebuilt
 * (proto/entry-parts.c), with real sealed entries: byte-for-byte
 * reconstruction, runs of several authors, prev lookups, tampering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "bal.h"
#include "entry-parts.h"
#include "entry.h"
#include "identity.h"
#include "wire.h"

#define NAUTH 3
#define NLOG 6			/* entries per author's log */

static struct identity *who[NAUTH];
static uint8_t group[BAL_GROUP_ID_BYTES];
static uint8_t key5[BAL_KEY_BYTES], key9[BAL_KEY_BYTES];

/* Every author's log: sealed entries and their encodings (seq = i + 1). */
static struct entry *logs[NAUTH][NLOG];
static uint8_t *encs[NAUTH][NLOG];
static size_t enclens[NAUTH][NLOG];

/* A deterministic random source: splitmix64 over a counter. */
static void
det_fill(void *ctx, void *buf, size_t len)
{
	uint64_t *state = ctx, z;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		z = (*state += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		p[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static uint64_t rng_state = 7;
static const struct bal_rng rng = { det_fill, &rng_state };

/*
 * The logs: kinds 1, 2 and 3, epochs that change and come back, times
 * that go back (negative differences) and jump by more than 2^32 ms, one
 * empty body, erased entries.
 */
static void
make_logs(void)
{
	static const uint8_t kinds[NLOG] = { 2, 1, 1, 1, 3, 1 };
	static const uint64_t epochs[NLOG] = { 0, 5, 5, 9, 0, 5 };
	static const int64_t dtimes[NLOG] = { 0, 1, -70000, 1LL << 40, 3, -1 };
	struct entry_header h;
	const uint8_t *k;
	char plain[120];
	size_t a, i, len;
	uint64_t t;

	for (a = 0; a < NAUTH; a++) {
		t = 1700000000000ULL + a * 1000;
		for (i = 0; i < NLOG; i++) {
			assert_int_equal(entry_header_next(&h, group,
			    who[a]->pk, i > 0 ? logs[a][i - 1] : NULL,
			    a * 300 + i * (a + 1) * 40), 0);
			h.kind = kinds[i];
			h.epoch = epochs[i];
			t = (uint64_t)((int64_t)t + dtimes[i]);
			h.time = t;
			k = kinds[i] != ENTRY_KIND_NOTE ? NULL :
			    epochs[i] == 5 ? key5 : key9;
			len = (size_t)snprintf(plain, sizeof(plain),
			    "entry %zu of author %zu", i + 1, a);
			if (a == 1 && i == 4)
				len = 0;	/* an empty announce */
			assert_int_equal(entry_seal(&h, who[a], k,
			    (const uint8_t *)plain, len, &rng,
			    &logs[a][i]), 0);
			/* Erased: a note of author 0 and one of author 2. */
			if ((a == 0 && i == 2) || (a == 2 && i == 1))
				entry_erase(logs[a][i]);
			assert_int_equal(entry_encode(logs[a][i], &encs[a][i],
			    &enclens[a][i]), 0);
		}
	}
}

static int
setup(void **state)
{
	uint8_t seed[32];
	size_t a;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (a = 0; a < NAUTH; a++) {
		memset(seed, (int)('a' + a), sizeof(seed));
		if (identity_from_seed(seed, &who[a]) != 0)
			return -1;
	}
	memset(group, 0x11, sizeof(group));
	memset(key5, 0x55, sizeof(key5));
	memset(key9, 0x99, sizeof(key9));
	make_logs();
	return 0;
}

static int
teardown(void **state)
{
	size_t a, i;

	(void)state;
	for (a = 0; a < NAUTH; a++) {
		for (i = 0; i < NLOG; i++) {
			entry_free(logs[a][i]);
			free(encs[a][i]);
		}
		identity_free(who[a]);
	}
	return 0;
}

static void
test_split_join_roundtrip(void **state)
{
	struct entry_parts p;
	uint8_t *out, id[BAL_HASH_BYTES];
	size_t a, i, len;

	(void)state;
	for (a = 0; a < NAUTH; a++) {
		for (i = 0; i < NLOG; i++) {
			assert_int_equal(entry_parts_split(encs[a][i],
			    enclens[a][i], &p), 0);
			assert_memory_equal(&p.h, &logs[a][i]->h, sizeof(p.h));
			assert_memory_equal(p.body_hash,
			    logs[a][i]->body_hash, BAL_HASH_BYTES);
			assert_memory_equal(p.sig, logs[a][i]->sig,
			    BAL_SIG_BYTES);
			if (logs[a][i]->body == NULL) {
				assert_null(p.body);
			} else {
				/* The body points into the encoding. */
				assert_non_null(p.body);
				assert_true(p.body > encs[a][i] && p.body +
				    p.bodylen < encs[a][i] + enclens[a][i]);
				assert_int_equal(p.bodylen,
				    logs[a][i]->bodylen);
			}
			/* Joined again: the very bytes, and the same id. */
			assert_int_equal(entry_parts_join(&p, &out, &len, id),
			    0);
			assert_int_equal(len, enclens[a][i]);
			assert_memory_equal(out, encs[a][i], len);
			assert_memory_equal(id, logs[a][i]->id,
			    BAL_HASH_BYTES);
			free(out);
			/* The body hash of a present body is recomputed. */
			if (p.body != NULL) {
				memset(p.body_hash, 0, BAL_HASH_BYTES);
				assert_int_equal(entry_parts_join(&p, &out,
				    &len, NULL), 0);
				assert_memory_equal(out, encs[a][i], len);
				free(out);
			}
		}
	}
}

static void
test_split_rejects(void **state)
{
	struct entry_parts p;
	uint8_t *buf, *out, hash[BAL_HASH_BYTES];
	const uint8_t *orig;
	size_t a, i, k, len, olen;
	unsigned v;
	int rc;

	(void)state;
	assert_int_equal(entry_parts_split(NULL, 0, &p), BAL_EPROTO);
	for (a = 0; a < NAUTH; a++) {
		for (i = 0; i < NLOG; i++) {
			orig = encs[a][i];
			len = enclens[a][i];
			buf = malloc(len + 1);
			assert_non_null(buf);
			/* Truncated at every length, or one byte too long. */
			for (k = 0; k < len; k++)
				assert_int_not_equal(entry_parts_split(orig, k,
				    &p), 0);
			memcpy(buf, orig, len);
			buf[len] = 0xc0;
			assert_int_equal(entry_parts_split(buf, len + 1, &p),
			    BAL_EPROTO);
			if (a > 0)
				goto next;	/* all values: one author */
			/*
			 * Every single-byte change: refused, or taken apart
			 * into parts that join back to exactly these bytes
			 * when the body hash agrees (nothing is lost, nothing
			 * is made canonical behind the caller's back).
			 */
			for (k = 0; k < len; k++) {
				for (v = 0; v < 256; v++) {
					if (v == orig[k])
						continue;
					memcpy(buf, orig, len);
					buf[k] = (uint8_t)v;
					rc = entry_parts_split(buf, len, &p);
					if (rc != 0) {
						assert_null(p.body);
						continue;
					}
					assert_int_equal(entry_parts_join(&p,
					    &out, &olen, NULL), 0);
					if (p.body != NULL)
						entry_body_hash(p.body,
						    p.bodylen, hash);
					if (p.body == NULL || memcmp(hash,
					    p.body_hash, sizeof(hash)) == 0) {
						assert_int_equal(olen, len);
						assert_memory_equal(out, buf,
						    len);
					} else {
						assert_true(olen != len ||
						    memcmp(out, buf, len) != 0);
					}
					free(out);
				}
			}
next:
			free(buf);
		}
	}
}

/* Hand-made encodings that are not canonical, or not entries. */
static void
test_split_not_canonical(void **state)
{
	static const uint8_t zero[64];
	struct entry_parts p;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const struct entry *e = logs[0][1];
	uint8_t *big;

	(void)state;
	/* The header's seq as a uint16 instead of a fixint. */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_bin(&pk, e->hdrlen + 2);
	msgpack_pack_bin_body(&pk, e->hdr, 72);		/* up to seq */
	msgpack_pack_bin_body(&pk, "\xcd\x00", 2);
	msgpack_pack_bin_body(&pk, e->hdr + 72, e->hdrlen - 72);
	msgpack_pack_bin(&pk, 32);
	msgpack_pack_bin_body(&pk, e->body_hash, 32);
	msgpack_pack_bin(&pk, e->bodylen);
	msgpack_pack_bin_body(&pk, e->body, e->bodylen);
	msgpack_pack_bin(&pk, 64);
	msgpack_pack_bin_body(&pk, e->sig, 64);
	assert_int_equal(entry_parts_split((uint8_t *)sb.data, sb.size, &p),
	    BAL_EPROTO);
	msgpack_sbuffer_destroy(&sb);
	/* Version 3 of the header. */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_bin(&pk, e->hdrlen);
	msgpack_pack_bin_body(&pk, "\x99\x03", 2);
	msgpack_pack_bin_body(&pk, e->hdr + 2, e->hdrlen - 2);
	msgpack_pack_bin(&pk, 32);
	msgpack_pack_bin_body(&pk, zero, 32);
	msgpack_pack_nil(&pk);
	msgpack_pack_bin(&pk, 64);
	msgpack_pack_bin_body(&pk, zero, 64);
	assert_int_equal(entry_parts_split((uint8_t *)sb.data, sb.size, &p),
	    BAL_EVERSION);
	msgpack_sbuffer_destroy(&sb);
	/*
	 * A header of another version may have other fields: as for
	 * entry_decode, version 3 in a 10-element array is BAL_EVERSION.
	 */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_bin(&pk, 11);
	msgpack_pack_bin_body(&pk, "\x9a\x03\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00", 11);
	msgpack_pack_bin(&pk, 32);
	msgpack_pack_bin_body(&pk, zero, 32);
	msgpack_pack_nil(&pk);
	msgpack_pack_bin(&pk, 64);
	msgpack_pack_bin_body(&pk, zero, 64);
	assert_int_equal(entry_parts_split((uint8_t *)sb.data, sb.size, &p),
	    BAL_EVERSION);
	{
		struct entry *x = NULL;

		assert_int_equal(entry_decode((uint8_t *)sb.data, sb.size, &x),
		    BAL_EVERSION);
	}
	msgpack_sbuffer_destroy(&sb);
	/* Too long to be an entry. */
	big = calloc(1, ENTRY_MAX_ENCODED + 1);
	assert_non_null(big);
	assert_int_equal(entry_parts_split(big, ENTRY_MAX_ENCODED + 1, &p),
	    BAL_ETOOBIG);
	free(big);
}

static void
test_join_rejects(void **state)
{
	struct entry_parts p, good;
	uint8_t *out = (uint8_t *)&out, body[64];
	size_t len = 1;

	(void)state;
	assert_int_equal(entry_parts_split(encs[1][1], enclens[1][1], &good),
	    0);
#define REFUSED(code) do {						\
	assert_int_equal(entry_parts_join(&p, &out, &len, NULL), code);	\
	assert_null(out);						\
	assert_int_equal(len, 0);					\
} while (0)
	p = good;
	p.h.kind = 0;
	REFUSED(BAL_EINVAL);
	p.h.kind = 4;
	REFUSED(BAL_EINVAL);
	p = good;
	p.h.kind = ENTRY_KIND_ROSTER;	/* epoch 5 */
	REFUSED(BAL_EINVAL);
	p = good;
	p.h.seq = 0;
	REFUSED(BAL_EINVAL);
	p.h.seq = ENTRY_MAX_COUNTER + 1;
	REFUSED(BAL_EINVAL);
	p = good;
	p.h.lamport = ENTRY_MAX_COUNTER + 1;
	REFUSED(BAL_EINVAL);
	p = good;
	p.h.time = UINT64_MAX;
	REFUSED(BAL_EINVAL);
	/* A kind-1 body shorter than nonce and tag; a body above the limit. */
	memset(body, 0, sizeof(body));
	p = good;
	p.body = body;
	p.bodylen = ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES - 1;
	REFUSED(BAL_EINVAL);
	p.bodylen = ENTRY_MAX_BODY + 1;
	REFUSED(BAL_ETOOBIG);
#undef REFUSED
}

/* A batch: (author, seq) pairs, in sending order. */
struct pick {
	size_t a;
	uint64_t seq;
};

/* The batch's RUNS message, encoded. */
static void
runs_encode(const struct pick *b, size_t n, uint8_t **buf, size_t *len,
    struct entry_runs **rout)
{
	struct entry_parts *parts = calloc(n, sizeof(*parts));
	struct entry_runs *r = NULL;
	size_t i;

	assert_non_null(parts);
	for (i = 0; i < n; i++)
		assert_int_equal(entry_parts_split(encs[b[i].a][b[i].seq - 1],
		    enclens[b[i].a][b[i].seq - 1], &parts[i]), 0);
	assert_int_equal(entry_runs_make(group, parts, n, &r), 0);
	assert_int_equal(wire_encode(&r->msg, buf, len), 0);
	if (rout != NULL)
		*rout = r;
	else
		entry_runs_free(r);
	free(parts);
}

/* Decodes and rebuilds; checks every entry against the original. */
static void
runs_check(const struct pick *b, size_t n, const uint8_t *buf, size_t len)
{
	struct wire_msg *m = NULL;
	struct entry_rebuilt *rb = NULL;
	size_t i;

	assert_int_equal(wire_decode(buf, len, &m), 0);
	assert_int_equal(m->type, WIRE_RUNS);
	assert_int_equal(entry_runs_rebuild(group, m, &rb), 0);
	assert_int_equal(rb->n, n);
	for (i = 0; i < n; i++) {
		assert_memory_equal(rb->authors[i], who[b[i].a]->pk,
		    BAL_PK_BYTES);
		assert_int_equal(rb->seqs[i], b[i].seq);
		assert_int_equal(rb->lens[i], enclens[b[i].a][b[i].seq - 1]);
		assert_memory_equal(rb->blobs[i], encs[b[i].a][b[i].seq - 1],
		    rb->lens[i]);
	}
	entry_rebuilt_free(rb);
	wire_msg_free(m);
}

/* Interleaved authors, as causal order interleaves them. */
static const struct pick whole[] = {
	{ 0, 1 }, { 0, 2 }, { 1, 1 }, { 1, 2 }, { 0, 3 }, { 0, 4 },
	{ 1, 3 }, { 2, 1 }, { 0, 5 }, { 2, 2 }, { 2, 3 }, { 1, 4 },
	{ 1, 5 }, { 1, 6 }, { 2, 4 }, { 2, 5 }, { 2, 6 }, { 0, 6 },
};
#define NWHOLE (sizeof(whole) / sizeof(whole[0]))

static void
test_runs_roundtrip(void **state)
{
	struct entry_runs *r;
	uint8_t *buf;
	size_t len, i, items = 0;

	(void)state;
	runs_encode(whole, NWHOLE, &buf, &len, &r);
	/* Maximal runs: a1-2 b1-2 a3-4 b3 c1 a5 c2-3 b4-6 c4-6 a6. */
	assert_int_equal(r->msg.runs.nauthors, 3);
	assert_int_equal(r->msg.runs.nruns, 10);
	assert_memory_equal(r->msg.runs.authors[0], who[0]->pk, 32);
	assert_memory_equal(r->msg.runs.authors[1], who[1]->pk, 32);
	assert_memory_equal(r->msg.runs.authors[2], who[2]->pk, 32);
	for (i = 0; i < r->msg.runs.nruns; i++) {
		items += r->msg.runs.runs[i].n;
		/* Every chain starts at seq 1: no prev travels. */
		assert_null(r->msg.runs.runs[i].prev);
	}
	assert_int_equal(items, NWHOLE);
	assert_int_equal(r->msg.runs.runs[2].author, 0);
	assert_int_equal(r->msg.runs.runs[2].first_seq, 3);
	assert_int_equal(r->msg.runs.runs[2].n, 2);
	entry_runs_free(r);
	runs_check(whole, NWHOLE, buf, len);
	free(buf);

	/*
	 * From the third entries on: each author's first run carries the id
	 * of the entry before it, and the receiver needs nothing of its own.
	 */
	runs_encode(whole + 4, NWHOLE - 4, &buf, &len, &r);
	for (i = 0; i < r->msg.runs.nruns; i++) {
		const struct wire_run *run = &r->msg.runs.runs[i];
		size_t a = run->author;

		if (run->first_seq == 3 && a < 2) {
			assert_non_null(run->prev);
			assert_memory_equal(run->prev, logs[a][1]->id,
			    BAL_HASH_BYTES);
		} else {
			assert_null(run->prev);
		}
	}
	entry_runs_free(r);
	runs_check(whole + 4, NWHOLE - 4, buf, len);
	free(buf);
}

static void
test_runs_rebuild_rejects(void **state)
{
	struct wire_msg *m = NULL;
	struct entry_rebuilt *rb = (struct entry_rebuilt *)&rb;
	uint8_t *buf;
	size_t len;

	(void)state;
	runs_encode(whole + 4, NWHOLE - 4, &buf, &len, NULL);
	assert_int_equal(wire_decode(buf, len, &m), 0);
	/* Only a RUNS message. */
	m->type = WIRE_ACK;
	assert_int_equal(entry_runs_rebuild(group, m, &rb), BAL_EINVAL);
	assert_null(rb);
	m->type = WIRE_RUNS;
	assert_int_equal(entry_runs_rebuild(group, NULL, &rb), BAL_EINVAL);
	/* An author's first run after seq 1 without its prev. */
	((struct wire_run *)m->runs.runs)[0].prev = NULL;
	assert_int_equal(entry_runs_rebuild(group, m, &rb), BAL_EINVAL);
	assert_null(rb);
	wire_msg_free(m);
	free(buf);
}

/*
 * Rebuilt in another group, or from another prev (a run of another branch
 * of a forked log, or a changed prev), the entries are not the originals
 * and entry_decode refuses them.
 */
static void
test_runs_wrong_context(void **state)
{
	struct wire_msg *m = NULL;
	struct entry_rebuilt *rb = NULL;
	struct entry *e = NULL;
	uint8_t other[BAL_GROUP_ID_BYTES], *buf;
	size_t len, i;

	(void)state;
	runs_encode(whole + 4, NWHOLE - 4, &buf, &len, NULL);
	assert_int_equal(wire_decode(buf, len, &m), 0);
	memset(other, 0x12, sizeof(other));
	assert_int_equal(entry_runs_rebuild(other, m, &rb), 0);
	for (i = 0; i < rb->n; i++)
		assert_int_equal(entry_decode(rb->blobs[i], rb->lens[i], &e),
		    BAL_ECRYPTO);
	entry_rebuilt_free(rb);
	/* Author 0's chain from a changed prev: all of it refused. */
	((uint8_t *)m->runs.runs[0].prev)[7] ^= 1;
	assert_int_equal(entry_runs_rebuild(group, m, &rb), 0);
	for (i = 0; i < rb->n; i++) {
		if (memcmp(rb->authors[i], who[0]->pk, BAL_PK_BYTES) != 0)
			continue;
		assert_int_equal(entry_decode(rb->blobs[i], rb->lens[i], &e),
		    BAL_ECRYPTO);
	}
	entry_rebuilt_free(rb);
	wire_msg_free(m);
	free(buf);
}

static void
test_runs_make_rejects(void **state)
{
	struct entry_parts parts[4], *many;
	struct entry_runs *r = (struct entry_runs *)&r;
	uint8_t other[BAL_GROUP_ID_BYTES];
	size_t i;

	(void)state;
	memset(parts, 0, sizeof(parts));
	assert_int_equal(entry_runs_make(group, parts, 0, &r), BAL_EINVAL);
	assert_null(r);
	assert_int_equal(entry_parts_split(encs[0][0], enclens[0][0],
	    &parts[0]), 0);
	assert_int_equal(entry_parts_split(encs[0][2], enclens[0][2],
	    &parts[1]), 0);
	/* a1 a3: a gap within a run. */
	assert_int_equal(entry_runs_make(group, parts, 2, &r), BAL_EINVAL);
	/* a1 b1 a3: a later run that does not continue the author's log. */
	assert_int_equal(entry_parts_split(encs[1][0], enclens[1][0],
	    &parts[1]), 0);
	assert_int_equal(entry_parts_split(encs[0][2], enclens[0][2],
	    &parts[2]), 0);
	assert_int_equal(entry_runs_make(group, parts, 3, &r), BAL_EINVAL);
	/* a2 a1: backwards. */
	assert_int_equal(entry_parts_split(encs[0][1], enclens[0][1],
	    &parts[0]), 0);
	assert_int_equal(entry_parts_split(encs[0][0], enclens[0][0],
	    &parts[1]), 0);
	assert_int_equal(entry_runs_make(group, parts, 2, &r), BAL_EINVAL);
	/* Of another group. */
	memset(other, 0x12, sizeof(other));
	assert_int_equal(entry_runs_make(other, parts, 1, &r), BAL_EINVAL);
	assert_null(r);
	/* 257 authors; 1025 entries. */
	many = calloc(WIRE_MAX_RUN_ITEMS + 1, sizeof(*many));
	assert_non_null(many);
	for (i = 0; i <= WIRE_MAX_RUN_ITEMS; i++) {
		assert_int_equal(entry_parts_split(encs[0][0], enclens[0][0],
		    &many[i]), 0);
		many[i].h.author[0] = (uint8_t)i;
		many[i].h.author[1] = (uint8_t)(i >> 8);
	}
	assert_int_equal(entry_runs_make(group, many, WIRE_MAX_RUN_AUTHORS,
	    &r), 0);
	assert_int_equal(r->msg.runs.nauthors, WIRE_MAX_RUN_AUTHORS);
	entry_runs_free(r);
	assert_int_equal(entry_runs_make(group, many,
	    WIRE_MAX_RUN_AUTHORS + 1, &r), BAL_ETOOBIG);
	for (i = 0; i <= WIRE_MAX_RUN_ITEMS; i++) {
		memset(many[i].h.author, 7, BAL_PK_BYTES);
		many[i].h.seq = i + 1;
	}
	assert_int_equal(entry_runs_make(group, many, WIRE_MAX_RUN_ITEMS,
	    &r), 0);
	assert_int_equal(r->msg.runs.nruns, 1);
	entry_runs_free(r);
	assert_int_equal(entry_runs_make(group, many, WIRE_MAX_RUN_ITEMS + 1,
	    &r), BAL_ETOOBIG);
	free(many);
}

/* A small batch for the exhaustive tamper test: 2 authors, 5 items. */
static const struct pick small[] = {
	{ 0, 2 }, { 0, 3 }, { 0, 4 }, { 1, 2 }, { 1, 3 },
};
#define NSMALL (sizeof(small) / sizeof(small[0]))

/* Marks where needle's bytes lie in hay (a bin's payload). */
static void
mark_payload(uint8_t *mark, const uint8_t *hay, size_t len,
    const uint8_t *needle, size_t n)
{
	size_t i;

	for (i = 0; n > 0 && i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0) {
			memset(mark + i, 1, n);
			return;
		}
	fail_msg("payload not found in the message");
}

/*
 * Every single-byte change of a RUNS message: wire_decode refuses it, or
 * the rebuild fails, or entry_decode refuses an entry that differs from
 * the original at its place.  Whatever is accepted is exactly the
 * original entries (and then the message differs only in an integer's
 * msgpack form): never other entries, nor the same ones elsewhere.
 * Every value is tried at every byte of the msgpack structure; inside a
 * bin's payload (keys, bodies, hashes, signatures), which the decoder
 * does not look into, four values (each payload byte still changes).
 */
static void
test_runs_tamper(void **state)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff, 0x5a };
	struct wire_msg *m, *om = NULL;
	struct entry_rebuilt *rb;
	struct entry *e;
	const struct wire_run_item *it;
	uint8_t *orig, *buf, *re, *mark, val;
	size_t len, relen, k, i, r, nv;
	unsigned v;
	int same, refused, decoded = 0;

	(void)state;
	runs_encode(small, NSMALL, &orig, &len, NULL);
	buf = malloc(len);
	mark = calloc(1, len);
	assert_non_null(buf);
	assert_non_null(mark);
	assert_int_equal(wire_decode(orig, len, &om), 0);
	for (i = 0; i < om->runs.nauthors; i++)
		mark_payload(mark, orig, len, om->runs.authors[i],
		    BAL_PK_BYTES);
	for (r = 0; r < om->runs.nruns; r++) {
		if (om->runs.runs[r].prev != NULL)
			mark_payload(mark, orig, len, om->runs.runs[r].prev,
			    BAL_HASH_BYTES);
		for (i = 0; i < om->runs.runs[r].n; i++) {
			it = &om->runs.runs[r].items[i];
			mark_payload(mark, orig, len, it->sig, BAL_SIG_BYTES);
			if (it->body != NULL)
				mark_payload(mark, orig, len, it->body,
				    it->bodylen);
			else
				mark_payload(mark, orig, len, it->body_hash,
				    BAL_HASH_BYTES);
		}
	}
	wire_msg_free(om);
	for (k = 0; k < len; k++) {
		nv = mark[k] ? sizeof(flips) : 256;
		for (v = 0; v < nv; v++) {
			val = mark[k] ? (uint8_t)(orig[k] ^ flips[v]) :
			    (uint8_t)v;
			if (val == orig[k])
				continue;
			memcpy(buf, orig, len);
			buf[k] = val;
			m = NULL;
			if (wire_decode(buf, len, &m) != 0) {
				assert_null(m);
				continue;
			}
			decoded++;
			rb = NULL;
			if (entry_runs_rebuild(group, m, &rb) != 0) {
				wire_msg_free(m);
				continue;
			}
			same = rb->n == NSMALL;
			refused = 0;
			for (i = 0; i < rb->n && !refused; i++) {
				if (i < NSMALL && rb->lens[i] == enclens[small[
				    i].a][small[i].seq - 1] &&
				    memcmp(rb->blobs[i], encs[small[i].a][
				    small[i].seq - 1], rb->lens[i]) == 0)
					continue;
				same = 0;
				e = NULL;
				refused = entry_decode(rb->blobs[i],
				    rb->lens[i], &e) != 0;
				entry_free(e);
			}
			assert_true(same || refused);
			if (same) {
				/* Only an integer's form changed. */
				assert_int_equal(wire_encode(m, &re, &relen),
				    0);
				assert_int_equal(relen, len);
				assert_memory_equal(re, orig, len);
				free(re);
			}
			entry_rebuilt_free(rb);
			wire_msg_free(m);
		}
	}
	/* Payload bytes decode whatever their value. */
	assert_true(decoded > 0);
	free(mark);
	free(buf);
	free(orig);
}

/* Truncated at every length, or with a byte more: refused. */
static void
test_runs_truncated(void **state)
{
	struct wire_msg *m;
	uint8_t *orig, *big;
	size_t len, k;

	(void)state;
	runs_encode(whole, NWHOLE, &orig, &len, NULL);
	for (k = 0; k < len; k++) {
		m = (struct wire_msg *)&m;
		assert_int_equal(wire_decode(k == 0 ? NULL : orig, k, &m),
		    BAL_EPROTO);
		assert_null(m);
	}
	big = malloc(len + 1);
	assert_non_null(big);
	memcpy(big, orig, len);
	big[len] = 0xc0;
	assert_int_equal(wire_decode(big, len + 1, &m), BAL_EPROTO);
	free(big);
	free(orig);
}

/* RUNS is smaller than ENTRIES for the same batch, and by how much. */
static void
test_runs_smaller(void **state)
{
	struct wire_bytes items[NWHOLE];
	struct wire_msg em;
	uint8_t *rbuf, *ebuf;
	size_t rlen, elen, i;

	(void)state;
	runs_encode(whole, NWHOLE, &rbuf, &rlen, NULL);
	for (i = 0; i < NWHOLE; i++) {
		items[i].p = encs[whole[i].a][whole[i].seq - 1];
		items[i].len = enclens[whole[i].a][whole[i].seq - 1];
	}
	memset(&em, 0, sizeof(em));
	em.type = WIRE_ENTRIES;
	em.entries.items = items;
	em.entries.n = NWHOLE;
	assert_int_equal(wire_encode(&em, &ebuf, &elen), 0);
	/*
	 * Each entry saves at least its group, prev (34 bytes each), the
	 * header's own bytes for author and seq, and the body hash of a
	 * present body; the authors travel once.
	 */
	assert_true(rlen + NWHOLE * 100 < elen);
	free(rbuf);
	free(ebuf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_join_roundtrip),
		cmocka_unit_test(test_split_rejects),
		cmocka_unit_test(test_split_not_canonical),
		cmocka_unit_test(test_join_rejects),
		cmocka_unit_test(test_runs_roundtrip),
		cmocka_unit_test(test_runs_rebuild_rejects),
		cmocka_unit_test(test_runs_wrong_context),
		cmocka_unit_test(test_runs_make_rejects),
		cmocka_unit_test(test_runs_tamper),
		cmocka_unit_test(test_runs_truncated),
		cmocka_unit_test(test_runs_smaller),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
