/* wire.c — replication messages: encoding and strict decoding (wire.h). */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "entry.h"
#include "frame.h"
#include "mp.h"
#include "wire.h"

/* One message must always fit one transport frame. */
_Static_assert(WIRE_MAX_MSG <= FRAME_MAX_PLAIN, "wire message above frame");
/* Any single entry fits a PUSH. */
_Static_assert(WIRE_MAX_ENTRY < WIRE_MAX_MSG, "entry above message");

/* HAVE sequence numbers stay in SQLite's signed range (ENTRY_MAX_COUNTER). */
#define WIRE_MAX_SEQ ((uint64_t)INT64_MAX)

/* Largest version number a HELLO may name at all. */
#define WIRE_MAX_VERSION ((uint64_t)UINT32_MAX)

/* Elements of a RUNS item: without, and with the explicit body hash. */
#define RUN_ITEM_FIELDS 6
#define RUN_ITEM_FIELDS_ERASED 7

/* The RUNS cost bounds hold for the largest counts. */
_Static_assert(WIRE_MAX_RUN_AUTHORS <= 256, "author index above uint8");
_Static_assert(WIRE_MAX_RUN_ITEMS <= 0xffff, "items above array16");

/*
 * A decoded message is one malloc'd block: the struct wire_msg, then its
 * arrays, then copies of its strings and entries.  The block is sized in
 * advance from the element count and the input length (every string or
 * bin copied is a part of the input), so blk_take never runs out.
 */
struct blk {
	uint8_t *p;
	size_t used;
	size_t cap;
};

#define BLK_ALIGN (alignof(max_align_t))

static size_t
round_up(size_t n)
{
	return (n + BLK_ALIGN - 1) & ~(BLK_ALIGN - 1);
}

/* Allocates a block for a message with arrbytes of arrays and bytes of data. */
static struct wire_msg *
blk_new(struct blk *b, size_t arrbytes, size_t bytes)
{
	b->cap = round_up(sizeof(struct wire_msg)) + round_up(arrbytes) + bytes;
	b->used = 0;
	if ((b->p = calloc(1, b->cap)) == NULL)
		return NULL;
	b->used = round_up(sizeof(struct wire_msg));
	return (struct wire_msg *)(void *)b->p;
}

static void *
blk_take(struct blk *b, size_t n, size_t align)
{
	size_t off = (b->used + align - 1) & ~(align - 1);

	if (off > b->cap || n > b->cap - off)
		abort();	/* the block was sized wrong: a bug */
	b->used = off + n;
	return b->p + off;
}

static const char *
blk_str(struct blk *b, const char *s, size_t len)
{
	char *d = blk_take(b, len + 1, 1);

	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static const uint8_t *
blk_bytes(struct blk *b, const uint8_t *s, size_t len)
{
	uint8_t *d = blk_take(b, len, 1);

	memcpy(d, s, len);
	return d;
}

/* Software names: printable ASCII, spaces allowed. */
static int
software_ok(const char *s, size_t len)
{
	size_t i;

	if (len > WIRE_MAX_SOFTWARE)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* Addresses: 1..WIRE_MAX_ADDR bytes of printable ASCII without spaces. */
static int
addr_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > WIRE_MAX_ADDR)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* BYE text: UTF-8 on one line (no C0 control characters, no DEL). */
static int
text_ok(const char *s, size_t len)
{
	size_t i;

	if (len > WIRE_MAX_BYE_TEXT || !mp_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

size_t
wire_entry_cost(size_t len)
{
	if (len <= 0xff)
		return 2 + len;
	if (len <= 0xffff)
		return 3 + len;
	return 5 + len;
}

static int
have_cmp(const void *a, const void *b)
{
	const struct wire_have_item *x = a, *y = b;

	return memcmp(x->author, y->author, BAL_PK_BYTES);
}

static int
pack_hello(msgpack_packer *pk, const struct wire_msg *m)
{
	const char *sw = m->hello.software != NULL ? m->hello.software : "";
	size_t i, swlen = strlen(sw);

	if (m->hello.version != WIRE_VERSION)
		return BAL_EINVAL;
	if (swlen > WIRE_MAX_SOFTWARE || m->hello.naddrs > WIRE_MAX_ADDRS)
		return BAL_ETOOBIG;
	if (!software_ok(sw, swlen) ||
	    (m->hello.naddrs > 0 && m->hello.addrs == NULL))
		return BAL_EINVAL;
	for (i = 0; i < m->hello.naddrs; i++) {
		if (m->hello.addrs[i] == NULL)
			return BAL_EINVAL;
		if (strlen(m->hello.addrs[i]) > WIRE_MAX_ADDR)
			return BAL_ETOOBIG;
		if (!addr_ok(m->hello.addrs[i], strlen(m->hello.addrs[i])))
			return BAL_EINVAL;
	}
	if (msgpack_pack_array(pk, 5) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_HELLO) != 0 ||
	    msgpack_pack_uint64(pk, m->hello.version) != 0 ||
	    mp_pack_bin(pk, m->hello.group_id, BAL_GROUP_ID_BYTES) != 0 ||
	    mp_pack_str(pk, sw, swlen) != 0 ||
	    msgpack_pack_array(pk, m->hello.naddrs) != 0)
		return BAL_ENOMEM;
	for (i = 0; i < m->hello.naddrs; i++)
		if (mp_pack_cstr(pk, m->hello.addrs[i]) != 0)
			return BAL_ENOMEM;
	return 0;
}

static int
pack_have(msgpack_packer *pk, const struct wire_msg *m)
{
	struct wire_have_item *v = NULL;
	size_t i, n = m->have.n;
	int ret = BAL_EINVAL;

	if (n > WIRE_MAX_HAVE)
		return BAL_ETOOBIG;
	if (n > 0 && m->have.items == NULL)
		return BAL_EINVAL;
	if (n > 0) {
		if ((v = malloc(n * sizeof(*v))) == NULL)
			return BAL_ENOMEM;
		memcpy(v, m->have.items, n * sizeof(*v));
		qsort(v, n, sizeof(*v), have_cmp);
	}
	for (i = 0; i < n; i++) {
		if (v[i].seq > WIRE_MAX_SEQ)
			goto out;
		if (i > 0 && have_cmp(&v[i - 1], &v[i]) == 0)
			goto out;
	}
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(pk, 2) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_HAVE) != 0 ||
	    msgpack_pack_array(pk, n) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (msgpack_pack_array(pk, 2) != 0 ||
		    mp_pack_bin(pk, v[i].author, BAL_PK_BYTES) != 0 ||
		    msgpack_pack_uint64(pk, v[i].seq) != 0)
			goto out;
	ret = 0;
out:
	free(v);
	return ret;
}

static int
entry_ok(const struct wire_bytes *e)
{
	if (e->len > WIRE_MAX_ENTRY)
		return BAL_ETOOBIG;
	if (e->len == 0 || e->p == NULL)
		return BAL_EINVAL;
	return 0;
}

static int
pack_entries(msgpack_packer *pk, const struct wire_msg *m)
{
	size_t i, total = WIRE_ENTRIES_OVERHEAD;
	int rc;

	if (m->entries.n > WIRE_MAX_ENTRIES)
		return BAL_ETOOBIG;
	if (m->entries.n > 0 && m->entries.items == NULL)
		return BAL_EINVAL;
	for (i = 0; i < m->entries.n; i++) {
		if ((rc = entry_ok(&m->entries.items[i])) != 0)
			return rc;
		total += wire_entry_cost(m->entries.items[i].len);
		if (total > WIRE_MAX_MSG + WIRE_ENTRIES_OVERHEAD)
			return BAL_ETOOBIG;	/* exact check after packing */
	}
	if (msgpack_pack_array(pk, 2) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_ENTRIES) != 0 ||
	    msgpack_pack_array(pk, m->entries.n) != 0)
		return BAL_ENOMEM;
	for (i = 0; i < m->entries.n; i++)
		if (mp_pack_bin(pk, m->entries.items[i].p,
		    m->entries.items[i].len) != 0)
			return BAL_ENOMEM;
	return 0;
}

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

static int
pack_runs(msgpack_packer *pk, const struct wire_msg *m)
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

static int
pack_bye(msgpack_packer *pk, const struct wire_msg *m)
{
	const char *t = m->bye.text != NULL ? m->bye.text : "";
	size_t tlen = strlen(t);

	if (tlen > WIRE_MAX_BYE_TEXT)
		return BAL_ETOOBIG;
	if (m->bye.reason > WIRE_MAX_BYE_REASON || !text_ok(t, tlen))
		return BAL_EINVAL;
	if (msgpack_pack_array(pk, 3) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_BYE) != 0 ||
	    msgpack_pack_uint64(pk, m->bye.reason) != 0 ||
	    mp_pack_str(pk, t, tlen) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
wire_encode(const struct wire_msg *m, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	if (out != NULL)
		*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (m == NULL || out == NULL || outlen == NULL)
		goto out;
	switch (m->type) {
	case WIRE_HELLO:
		ret = pack_hello(&pk, m);
		break;
	case WIRE_HAVE:
		ret = pack_have(&pk, m);
		break;
	case WIRE_ENTRIES:
		ret = pack_entries(&pk, m);
		break;
	case WIRE_PUSH:
		if ((ret = entry_ok(&m->push)) != 0)
			break;
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    msgpack_pack_uint64(&pk, WIRE_PUSH) != 0 ||
		    mp_pack_bin(&pk, m->push.p, m->push.len) != 0)
			ret = BAL_ENOMEM;
		break;
	case WIRE_ACK:
		ret = 0;
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    msgpack_pack_uint64(&pk, WIRE_ACK) != 0 ||
		    msgpack_pack_uint64(&pk, m->ack.stored) != 0)
			ret = BAL_ENOMEM;
		break;
	case WIRE_BYE:
		ret = pack_bye(&pk, m);
		break;
	case WIRE_RUNS:
		ret = pack_runs(&pk, m);
		break;
	default:
		ret = BAL_EINVAL;
		break;
	}
	if (ret != 0)
		goto out;
	if (sbuf.size > WIRE_MAX_MSG) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

/* HELLO after its type: the version, then (version 1) the fields. */
static int
dec_hello(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	struct mp_rd sub;
	uint8_t gid[BAL_GROUP_ID_BYTES];
	const char *sw, *s;
	const char **addrs;
	size_t swlen, slen;
	uint64_t version;
	uint32_t i;
	int rc;

	if ((rc = mp_rd_uint(r, WIRE_MAX_VERSION, &version)) != 0)
		return rc;
	if (version != WIRE_VERSION) {
		/* Whatever follows is the other version's business. */
		if ((m = blk_new(b, 0, 0)) == NULL)
			return BAL_ENOMEM;
		m->type = WIRE_HELLO;
		m->hello.version = version;
		m->hello.software = "";
		return BAL_EVERSION;
	}
	if ((rc = mp_rd_bin_fixed(r, gid, sizeof(gid))) != 0 ||
	    (rc = mp_rd_str(r, 0, WIRE_MAX_SOFTWARE, &sw, &swlen)) != 0 ||
	    (rc = mp_rd_sub(r, 0, WIRE_MAX_ADDRS, &sub)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if (!software_ok(sw, swlen))
		return BAL_EPROTO;
	if ((m = blk_new(b, sub.n * sizeof(char *), len + sub.n + 1)) == NULL)
		return BAL_ENOMEM;
	/* The array first (aligned), then the strings. */
	addrs = blk_take(b, sub.n * sizeof(char *), alignof(char *));
	m->type = WIRE_HELLO;
	m->hello.version = version;
	memcpy(m->hello.group_id, gid, sizeof(gid));
	m->hello.software = blk_str(b, sw, swlen);
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_str(&sub, 1, WIRE_MAX_ADDR, &s, &slen)) != 0)
			return rc;
		if (!addr_ok(s, slen))
			return BAL_EPROTO;
		addrs[i] = blk_str(b, s, slen);
	}
	m->hello.addrs = sub.n > 0 ? addrs : NULL;
	m->hello.naddrs = sub.n;
	return 0;
}

static int
dec_have(struct mp_rd *r, struct blk *b)
{
	struct wire_msg *m;
	struct wire_have_item *v;
	struct mp_rd sub, it;
	uint32_t i;
	int rc;

	if ((rc = mp_rd_sub(r, 0, WIRE_MAX_HAVE, &sub)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, sub.n * sizeof(*v), 0)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_HAVE;
	v = blk_take(b, sub.n * sizeof(*v), alignof(struct wire_have_item));
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_sub(&sub, 2, 2, &it)) != 0 ||
		    (rc = mp_rd_bin_fixed(&it, v[i].author,
		    BAL_PK_BYTES)) != 0 ||
		    (rc = mp_rd_uint(&it, WIRE_MAX_SEQ, &v[i].seq)) != 0)
			return rc;
		/* Strictly ascending: one canonical order, no duplicates. */
		if (i > 0 && have_cmp(&v[i - 1], &v[i]) >= 0)
			return BAL_EPROTO;
	}
	m->have.items = sub.n > 0 ? v : NULL;
	m->have.n = sub.n;
	return 0;
}

static int
dec_entries(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	struct wire_bytes *v;
	struct mp_rd sub;
	const uint8_t *p;
	size_t plen;
	uint32_t i;
	int rc;

	if ((rc = mp_rd_sub(r, 0, WIRE_MAX_ENTRIES, &sub)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, sub.n * sizeof(*v), len)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_ENTRIES;
	v = blk_take(b, sub.n * sizeof(*v), alignof(struct wire_bytes));
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_bin(&sub, 1, WIRE_MAX_ENTRY, &p, &plen)) != 0)
			return rc;
		v[i].p = blk_bytes(b, p, plen);
		v[i].len = plen;
	}
	m->entries.items = sub.n > 0 ? v : NULL;
	m->entries.n = sub.n;
	return 0;
}

static int
dec_push(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	const uint8_t *p;
	size_t plen;
	int rc;

	if ((rc = mp_rd_bin(r, 1, WIRE_MAX_ENTRY, &p, &plen)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, 0, len)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_PUSH;
	m->push.p = blk_bytes(b, p, plen);
	m->push.len = plen;
	return 0;
}

static int
dec_ack(struct mp_rd *r, struct blk *b)
{
	struct wire_msg *m;
	uint64_t v;
	int rc;

	if ((rc = mp_rd_uint(r, UINT64_MAX, &v)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, 0, 0)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_ACK;
	m->ack.stored = v;
	return 0;
}

static int
dec_bye(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	const char *t;
	size_t tlen;
	uint64_t reason;
	int rc;

	if ((rc = mp_rd_uint(r, WIRE_MAX_BYE_REASON, &reason)) != 0 ||
	    (rc = mp_rd_str(r, 0, WIRE_MAX_BYE_TEXT, &t, &tlen)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if (!text_ok(t, tlen))
		return BAL_EPROTO;
	if ((m = blk_new(b, 0, len + 1)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_BYE;
	m->bye.reason = reason;
	m->bye.text = blk_str(b, t, tlen);
	return 0;
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

static int
dec_runs(struct mp_rd *r, size_t len, struct blk *b)
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

int
wire_decode(const uint8_t *buf, size_t len, struct wire_msg **out)
{
	struct mp_doc doc;
	struct mp_rd r;
	struct blk b = { NULL, 0, 0 };
	uint64_t type;
	int ret;

	memset(&doc, 0, sizeof(doc));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (len > WIRE_MAX_MSG)
		return BAL_ETOOBIG;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	if ((ret = mp_rd_array(&r, mp_doc_root(&doc), 1, UINT32_MAX)) != 0 ||
	    (ret = mp_rd_uint(&r, 0xff, &type)) != 0)
		goto out;
	switch (type) {
	case WIRE_HELLO:
		ret = dec_hello(&r, len, &b);
		break;
	case WIRE_HAVE:
		ret = dec_have(&r, &b);
		break;
	case WIRE_ENTRIES:
		ret = dec_entries(&r, len, &b);
		break;
	case WIRE_PUSH:
		ret = dec_push(&r, len, &b);
		break;
	case WIRE_ACK:
		ret = dec_ack(&r, &b);
		break;
	case WIRE_BYE:
		ret = dec_bye(&r, len, &b);
		break;
	case WIRE_RUNS:
		ret = dec_runs(&r, len, &b);
		break;
	default:
		ret = BAL_EPROTO;
		break;
	}
out:
	mp_doc_free(&doc);
	if (ret == 0 || ret == BAL_EVERSION)
		*out = (struct wire_msg *)(void *)b.p;
	else
		free(b.p);
	return ret;
}

void
wire_msg_free(struct wire_msg *m)
{
	free(m);
}

const char *
wire_type_name(int type)
{
	switch (type) {
	case WIRE_HELLO:	return "HELLO";
	case WIRE_HAVE:		return "HAVE";
	case WIRE_ENTRIES:	return "ENTRIES";
	case WIRE_PUSH:		return "PUSH";
	case WIRE_ACK:		return "ACK";
	case WIRE_BYE:		return "BYE";
	case WIRE_RUNS:		return "RUNS";
	default:		return "?";
	}
}

const char *
wire_bye_reason_name(uint64_t reason)
{
	switch (reason) {
	case WIRE_BYE_NORMAL:		return "normal";
	case WIRE_BYE_VERSION:		return "version mismatch";
	case WIRE_BYE_NOT_MEMBER:	return "not a member";
	case WIRE_BYE_PROTOCOL:		return "protocol error";
	case WIRE_BYE_REVOKED:		return "revoked";
	case WIRE_BYE_SHUTDOWN:		return "shutting down";
	case WIRE_BYE_DUPLICATE:	return "duplicate connection";
	default:			return "unknown reason";
	}
}
