/*
 * wire-runs.c — the RUNS message (docs/protocol.md "RUNS"): runs of
 * consecutive entries of one author without what the receiver rebuilds,
 * their exact sizes, and their strict encoding and decoding.  The rest of
 * the replication messages is in wire.c.
 */
#include "bal.h"
#include "entry.h"
#include "wire-int.h"

/* Elements of a RUNS item: without, and with the explicit body hash. */
#define RUN_ITEM_FIELDS 6
#define RUN_ITEM_FIELDS_ERASED 7

/* The RUNS cost bounds hold for the largest counts. */
_Static_assert(WIRE_MAX_RUN_AUTHORS <= 256, "author index above uint8");
_Static_assert(WIRE_MAX_RUN_ITEMS <= 0xffff, "items above array16");

/* Bytes of msgpack's shortest form of an unsigned integer. */
static size_t
uint_size(uint64_t v)
{
	if (v < 0x80)
		return 1;
	if (v <= 0xff)
		return 2;
	if (v <= 0xffff)
		return 3;
	if (v <= 0xffffffffu)
		return 5;
	return 9;
}

/* Bytes of msgpack-c's form of a signed integer (msgpack_pack_int64). */
static size_t
int_size(int64_t v)
{
	if (v >= 0)
		return uint_size((uint64_t)v);
	if (v >= -32)
		return 1;
	if (v >= -128)
		return 2;
	if (v >= -32768)
		return 3;
	if (v >= -2147483648LL)
		return 5;
	return 9;
}

/* Bytes of a bin header for len bytes. */
static size_t
bin_hdr_size(size_t len)
{
	if (len <= 0xff)
		return 2;
	if (len <= 0xffff)
		return 3;
	return 5;
}

/*
 * The time difference to the previous item: both times are at most
 * ENTRY_MAX_COUNTER, so it fits an int64_t.
 */
static int64_t
time_delta(uint64_t t, uint64_t prev)
{
	return (int64_t)t - (int64_t)prev;
}

size_t
wire_run_item_cost(const struct wire_run_item *it,
    const struct wire_run_item *prev)
{
	size_t n = 1 + uint_size(it->kind);

	if (prev == NULL)
		n += uint_size(it->epoch) + uint_size(it->lamport) +
		    uint_size(it->time);
	else
		n += (it->epoch == prev->epoch ? 1 : uint_size(it->epoch)) +
		    uint_size(it->lamport - prev->lamport) +
		    int_size(time_delta(it->time, prev->time));
	if (it->body != NULL)
		n += bin_hdr_size(it->bodylen) + it->bodylen;
	else
		n += 1 + 2 + BAL_HASH_BYTES;
	return n + 2 + BAL_SIG_BYTES;
}

/*
 * The rules of one RUNS item on its absolute values, prev being the item
 * before it in its run (NULL for the first): the header limits of an
 * entry, lamport rising within a run.  Shared by encoder and decoder.
 */
static int
run_item_ok(const struct wire_run_item *it, const struct wire_run_item *prev)
{
	if (it->kind < ENTRY_KIND_NOTE || it->kind > ENTRY_KIND_ANNOUNCE)
		return 0;
	if (it->kind != ENTRY_KIND_NOTE && it->epoch != 0)
		return 0;
	if (it->lamport > ENTRY_MAX_COUNTER || it->time > ENTRY_MAX_COUNTER)
		return 0;
	if (prev != NULL && it->lamport <= prev->lamport)
		return 0;
	if (it->body != NULL && it->kind == ENTRY_KIND_NOTE &&
	    it->bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
		return 0;
	return 1;
}

/*
 * The rules of a RUNS message that tie its runs together (docs): authors
 * distinct and in the order of their first run, every author used, the
 * runs of one author contiguous in seq and never adjacent (they would be
 * one run), seqs in range, a prev on an author's first run exactly when
 * it starts after seq 1.  run_prev[] (nauthors entries, scratch) gets
 * each author's last run.  Shared by encoder and decoder.
 */
static int
runs_linked_ok(const uint8_t (*authors)[BAL_PK_BYTES], size_t nauthors,
    const struct wire_run *runs, size_t nruns, size_t *run_prev)
{
	const struct wire_run *r, *p;
	size_t i, j, used = 0;

	for (i = 0; i < nauthors; i++)
		for (j = 0; j < i; j++)
			if (memcmp(authors[i], authors[j], BAL_PK_BYTES) == 0)
				return 0;
	for (i = 0; i < nruns; i++) {
		r = &runs[i];
		if (r->n < 1 || r->first_seq < 1 ||
		    r->first_seq > ENTRY_MAX_COUNTER - (r->n - 1))
			return 0;
		if (r->author >= nauthors || r->author > used)
			return 0;	/* a new author takes the next index */
		if (r->author == used) {
			if ((r->prev != NULL) != (r->first_seq > 1))
				return 0;
			used++;
			run_prev[r->author] = i;
			continue;
		}
		if (r->prev != NULL)
			return 0;
		p = &runs[run_prev[r->author]];
		if (run_prev[r->author] == i - 1 ||
		    r->first_seq != p->first_seq + p->n)
			return 0;
		run_prev[r->author] = i;
	}
	return used == nauthors;
}

int
wire_pack_runs(msgpack_packer *pk, const struct wire_msg *m)
{
	const struct wire_run *r;
	const struct wire_run_item *it, *prev;
	size_t *run_prev = NULL, i, k, total = 0;
	int ret = BAL_ETOOBIG;

	if (m->runs.nauthors > WIRE_MAX_RUN_AUTHORS ||
	    m->runs.nruns > WIRE_MAX_RUN_ITEMS)
		return BAL_ETOOBIG;
	if (m->runs.nauthors == 0 || m->runs.nruns == 0 ||
	    m->runs.authors == NULL || m->runs.runs == NULL)
		return BAL_EINVAL;
	for (i = 0; i < m->runs.nruns; i++) {
		r = &m->runs.runs[i];
		if (r->n > WIRE_MAX_RUN_ITEMS - total)
			return BAL_ETOOBIG;
		total += r->n;
		if (r->n > 0 && r->items == NULL)
			return BAL_EINVAL;
		for (k = 0; k < r->n; k++) {
			if (r->items[k].body != NULL &&
			    r->items[k].bodylen > ENTRY_MAX_BODY)
				return BAL_ETOOBIG;
			if (!run_item_ok(&r->items[k], k > 0 ?
			    &r->items[k - 1] : NULL))
				return BAL_EINVAL;
		}
	}
	if ((run_prev = calloc(m->runs.nauthors, sizeof(*run_prev))) == NULL)
		return BAL_ENOMEM;
	ret = BAL_EINVAL;
	if (!runs_linked_ok(m->runs.authors, m->runs.nauthors, m->runs.runs,
	    m->runs.nruns, run_prev))
		goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(pk, 3) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_RUNS) != 0 ||
	    msgpack_pack_array(pk, m->runs.nauthors) != 0)
		goto out;
	for (i = 0; i < m->runs.nauthors; i++)
		if (mp_pack_bin(pk, m->runs.authors[i], BAL_PK_BYTES) != 0)
			goto out;
	if (msgpack_pack_array(pk, m->runs.nruns) != 0)
		goto out;
	for (i = 0; i < m->runs.nruns; i++) {
		r = &m->runs.runs[i];
		if (msgpack_pack_array(pk, r->prev != NULL ? 4 : 3) != 0 ||
		    msgpack_pack_uint64(pk, r->author) != 0 ||
		    msgpack_pack_uint64(pk, r->first_seq) != 0 ||
		    msgpack_pack_array(pk, r->n) != 0)
			goto out;
		for (k = 0; k < r->n; k++) {
			it = &r->items[k];
			prev = k > 0 ? &r->items[k - 1] : NULL;
			if (msgpack_pack_array(pk, it->body != NULL ?
			    RUN_ITEM_FIELDS : RUN_ITEM_FIELDS_ERASED) != 0 ||
			    msgpack_pack_uint64(pk, it->kind) != 0)
				goto out;
			if (prev == NULL) {
				if (msgpack_pack_uint64(pk, it->epoch) != 0 ||
				    msgpack_pack_uint64(pk, it->lamport) != 0 ||
				    msgpack_pack_uint64(pk, it->time) != 0)
					goto out;
			} else if ((it->epoch == prev->epoch ?
			    msgpack_pack_nil(pk) :
			    msgpack_pack_uint64(pk, it->epoch)) != 0 ||
			    msgpack_pack_uint64(pk,
			    it->lamport - prev->lamport) != 0 ||
			    msgpack_pack_int64(pk,
			    time_delta(it->time, prev->time)) != 0) {
				goto out;
			}
			if ((it->body != NULL ?
			    mp_pack_bin(pk, it->body, it->bodylen) :
			    msgpack_pack_nil(pk)) != 0 ||
			    mp_pack_bin(pk, it->sig, BAL_SIG_BYTES) != 0)
				goto out;
			if (it->body == NULL && mp_pack_bin(pk, it->body_hash,
			    BAL_HASH_BYTES) != 0)
				goto out;
		}
		if (r->prev != NULL &&
		    mp_pack_bin(pk, r->prev, BAL_HASH_BYTES) != 0)
			goto out;
	}
	ret = 0;
out:
	free(run_prev);
	return ret;
}

/* A signed integer of any msgpack form. */
static int
rd_int(struct mp_rd *r, int64_t *v)
{
	const msgpack_object *o = mp_rd_next(r);

	if (o == NULL)
		return BAL_EPROTO;
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return 0;
	}
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > (uint64_t)INT64_MAX)
		return BAL_EPROTO;
	*v = (int64_t)o->via.u64;
	return 0;
}

/* One RUNS item; prev is the item before it in its run, or NULL. */
static int
dec_run_item(struct mp_rd *items, struct wire_run_item *it,
    const struct wire_run_item *prev, struct blk *b)
{
	struct mp_rd r;
	const uint8_t *p;
	uint64_t v, mag;
	int64_t dt;
	size_t plen;
	int rc;

	if ((rc = mp_rd_sub(items, RUN_ITEM_FIELDS, RUN_ITEM_FIELDS_ERASED,
	    &r)) != 0 ||
	    (rc = mp_rd_uint(&r, ENTRY_KIND_ANNOUNCE, &v)) != 0)
		return rc;
	it->kind = (uint8_t)v;
	/* epoch: nil repeats the previous item's, never on a run's first. */
	if (mp_rd_peek_nil(&r)) {
		if (prev == NULL)
			return BAL_EPROTO;
		(void)mp_rd_nil(&r);
		it->epoch = prev->epoch;
	} else {
		if ((rc = mp_rd_uint(&r, UINT64_MAX, &it->epoch)) != 0)
			return rc;
		if (prev != NULL && it->epoch == prev->epoch)
			return BAL_EPROTO;	/* "the same" is nil */
	}
	if ((rc = mp_rd_uint(&r, ENTRY_MAX_COUNTER, &v)) != 0 ||
	    (rc = rd_int(&r, &dt)) != 0)
		return rc;
	if (prev == NULL) {
		if (dt < 0)
			return BAL_EPROTO;
		it->lamport = v;
		it->time = (uint64_t)dt;
	} else {
		if (v < 1)
			return BAL_EPROTO;
		it->lamport = prev->lamport + v;	/* < 2^64: no wrap */
		mag = dt < 0 ? (uint64_t)(-(dt + 1)) + 1 : (uint64_t)dt;
		if (dt < 0 && mag > prev->time)
			return BAL_EPROTO;
		it->time = dt < 0 ? prev->time - mag : prev->time + mag;
	}
	if (mp_rd_peek_nil(&r)) {
		(void)mp_rd_nil(&r);
		it->body = NULL;
		it->bodylen = 0;
	} else {
		if ((rc = mp_rd_bin(&r, 0, ENTRY_MAX_BODY, &p, &plen)) != 0)
			return rc;
		/* Never NULL, even for an empty body. */
		it->body = plen > 0 ? blk_bytes(b, p, plen) :
		    (const uint8_t *)"";
		it->bodylen = plen;
	}
	if ((rc = mp_rd_bin_fixed(&r, it->sig, BAL_SIG_BYTES)) != 0)
		return rc;
	if (it->body == NULL &&
	    (rc = mp_rd_bin_fixed(&r, it->body_hash, BAL_HASH_BYTES)) != 0)
		return rc;
	if ((rc = mp_rd_end(&r)) != 0)
		return rc;
	return run_item_ok(it, prev) ? 0 : BAL_EPROTO;
}

int
wire_dec_runs(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	struct mp_rd ard, rrd, scan, run, items;
	uint8_t (*authors)[BAL_PK_BYTES];
	struct wire_run *runs;
	struct wire_run_item *all;
	uint8_t *prev;
	size_t run_prev[WIRE_MAX_RUN_AUTHORS];
	size_t total = 0, arr, i, k;
	uint64_t v;
	int rc;

	if ((rc = mp_rd_sub(r, 1, WIRE_MAX_RUN_AUTHORS, &ard)) != 0 ||
	    (rc = mp_rd_sub(r, 1, WIRE_MAX_RUN_ITEMS, &rrd)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	/* Count the items first, to size the block. */
	scan = rrd;
	for (i = 0; i < rrd.n; i++) {
		if ((rc = mp_rd_sub(&scan, 3, 4, &run)) != 0)
			return rc;
		(void)mp_rd_next(&run);
		(void)mp_rd_next(&run);
		if ((rc = mp_rd_sub(&run, 1, WIRE_MAX_RUN_ITEMS, &items)) != 0)
			return rc;
		if (items.n > WIRE_MAX_RUN_ITEMS - total)
			return BAL_EPROTO;
		total += items.n;
	}
	arr = round_up(ard.n * sizeof(*authors)) +
	    round_up(rrd.n * sizeof(*runs)) + total * sizeof(*all);
	if ((m = blk_new(b, arr, len)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_RUNS;
	authors = blk_take(b, ard.n * sizeof(*authors), 1);
	runs = blk_take(b, rrd.n * sizeof(*runs), alignof(struct wire_run));
	all = blk_take(b, total * sizeof(*all),
	    alignof(struct wire_run_item));
	for (i = 0; i < ard.n; i++)
		if ((rc = mp_rd_bin_fixed(&ard, authors[i],
		    BAL_PK_BYTES)) != 0)
			return rc;
	for (i = 0; i < rrd.n; i++) {
		if ((rc = mp_rd_sub(&rrd, 3, 4, &run)) != 0 ||
		    (rc = mp_rd_uint(&run, ard.n - 1, &v)) != 0)
			return rc;
		runs[i].author = (uint32_t)v;
		if ((rc = mp_rd_uint(&run, ENTRY_MAX_COUNTER,
		    &runs[i].first_seq)) != 0 ||
		    (rc = mp_rd_sub(&run, 1, WIRE_MAX_RUN_ITEMS, &items)) != 0)
			return rc;
		runs[i].items = all;
		runs[i].n = items.n;
		for (k = 0; k < items.n; k++)
			if ((rc = dec_run_item(&items, &all[k],
			    k > 0 ? &all[k - 1] : NULL, b)) != 0)
				return rc;
		all += items.n;
		runs[i].prev = NULL;
		if (mp_rd_left(&run) > 0) {
			prev = blk_take(b, BAL_HASH_BYTES, 1);
			if ((rc = mp_rd_bin_fixed(&run, prev,
			    BAL_HASH_BYTES)) != 0)
				return rc;
			runs[i].prev = prev;
		}
	}
	if (!runs_linked_ok((const uint8_t (*)[BAL_PK_BYTES])authors, ard.n,
	    runs, rrd.n, run_prev))
		return BAL_EPROTO;
	m->runs.authors = (const uint8_t (*)[BAL_PK_BYTES])authors;
	m->runs.nauthors = ard.n;
	m->runs.runs = runs;
	m->runs.nruns = rrd.n;
	return 0;
}
