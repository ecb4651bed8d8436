/*
 * entry-parts.c — encoded entries taken apart for RUNS and rebuilt from
 * it (see entry-parts.h and docs/protocol.md, "Replication messages").
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "entry-internal.h"
#include "entry-parts.h"
#include "mp.h"

#define ENCODED_FIELDS 4

/* Size of msgpack's bin header for len bytes. */
static size_t
bin_hdr_len(size_t len)
{
	if (len < 256)
		return 2;
	if (len < 65536)
		return 3;
	return 5;
}

int
entry_parts_split(const uint8_t *buf, size_t len, struct entry_parts *p)
{
	struct mp_doc doc;
	struct mp_rd r;
	const uint8_t *hdr, *body;
	uint8_t *canon = NULL;
	size_t hdrlen, bodylen = 0, canonlen, off;
	int ret, have_body = 0;

	memset(p, 0, sizeof(*p));
	memset(&doc, 0, sizeof(doc));
	if (buf == NULL || len == 0)
		return BAL_EPROTO;
	if (len > ENTRY_MAX_ENCODED)
		return BAL_ETOOBIG;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), ENCODED_FIELDS,
	    ENCODED_FIELDS) != 0 ||
	    mp_rd_bin(&r, 1, ENTRY_MAX_HEADER, &hdr, &hdrlen) != 0 ||
	    mp_rd_bin_fixed(&r, p->body_hash, BAL_HASH_BYTES) != 0)
		goto out;
	if (mp_rd_peek_nil(&r)) {
		(void)mp_rd_nil(&r);
	} else if (mp_rd_bin(&r, 0, UINT32_MAX, &body, &bodylen) != 0) {
		goto out;
	} else if (bodylen > ENTRY_MAX_BODY) {
		ret = BAL_ETOOBIG;
		goto out;
	} else {
		have_body = 1;
	}
	if (mp_rd_bin_fixed(&r, p->sig, BAL_SIG_BYTES) != 0 ||
	    mp_rd_end(&r) != 0)
		goto out;
	/* Only bins and nil: the canonical form is the only one this long. */
	canonlen = 1 + bin_hdr_len(hdrlen) + hdrlen + 2 + BAL_HASH_BYTES +
	    (have_body ? bin_hdr_len(bodylen) + bodylen : 1) +
	    2 + BAL_SIG_BYTES;
	if (canonlen != len)
		goto out;
	/* So the header and the body are where the canonical form puts them. */
	off = 1 + bin_hdr_len(hdrlen);
	if ((ret = entry_header_read(buf + off, hdrlen, &p->h)) != 0)
		goto out;
	/* The header bytes must be the canonical ones of its fields. */
	ret = BAL_EPROTO;
	if (entry_header_encode(&p->h, &canon, &canonlen) != 0 ||
	    canonlen != hdrlen || memcmp(canon, buf + off, hdrlen) != 0)
		goto out;
	if (have_body) {
		if (p->h.kind == ENTRY_KIND_NOTE &&
		    bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
			goto out;
		off += hdrlen + 2 + BAL_HASH_BYTES + bin_hdr_len(bodylen);
		p->body = buf + off;
		p->bodylen = bodylen;
	}
	ret = 0;
out:
	free(canon);
	mp_doc_free(&doc);
	if (ret != 0)
		memset(p, 0, sizeof(*p));
	return ret;
}

int
entry_parts_join(const struct entry_parts *p, uint8_t **out, size_t *outlen,
    uint8_t id[BAL_HASH_BYTES])
{
	struct entry e;
	uint8_t *shrunk;
	int ret;

	*out = NULL;
	*outlen = 0;
	if (p->body != NULL) {
		if (p->bodylen > ENTRY_MAX_BODY)
			return BAL_ETOOBIG;
		if (p->h.kind == ENTRY_KIND_NOTE &&
		    p->bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
			return BAL_EINVAL;
	}
	memset(&e, 0, sizeof(e));
	e.h = p->h;
	if ((ret = entry_header_encode(&p->h, &e.hdr, &e.hdrlen)) != 0)
		return ret;
	if (p->body != NULL)
		entry_body_hash(p->body, p->bodylen, e.body_hash);
	else
		memcpy(e.body_hash, p->body_hash, BAL_HASH_BYTES);
	/* entry_encode only reads the body. */
	e.body = (uint8_t *)(uintptr_t)p->body;
	e.bodylen = p->bodylen;
	memcpy(e.sig, p->sig, BAL_SIG_BYTES);
	if ((ret = entry_encode(&e, out, outlen)) != 0)
		goto out;
	/*
	 * msgpack-c's buffer starts at 8 KiB: give the rest back, since a
	 * receiver holds a whole message's entries at once.
	 */
	if ((shrunk = realloc(*out, *outlen)) != NULL)
		*out = shrunk;
	if (id != NULL)
		entry_id_of(e.hdr, e.hdrlen, e.body_hash, id);
out:
	free(e.hdr);
	return ret;
}

void
entry_parts_item(const struct entry_parts *p, struct wire_run_item *it)
{
	memset(it, 0, sizeof(*it));
	it->kind = p->h.kind;
	it->epoch = p->h.epoch;
	it->lamport = p->h.lamport;
	it->time = p->h.time;
	it->body = p->body;
	it->bodylen = p->bodylen;
	memcpy(it->body_hash, p->body_hash, BAL_HASH_BYTES);
	memcpy(it->sig, p->sig, BAL_SIG_BYTES);
}

/* Bytes of n elements of size sz, rounded up to any object's alignment. */
static size_t
arr_bytes(size_t n, size_t sz)
{
	size_t a = alignof(max_align_t);

	return (n * sz + a - 1) & ~(a - 1);
}

int
entry_runs_make(const uint8_t group[BAL_GROUP_ID_BYTES],
    const struct entry_parts *parts, size_t n, struct entry_runs **out)
{
	struct entry_runs *r;
	struct wire_run *run = NULL;
	const struct entry_parts *p, *last = NULL;
	uint64_t *next = NULL;		/* per author: the seq that follows */
	size_t i, a, nauthors = 0, nruns = 0;
	uint8_t *mem;
	int ret = BAL_EINVAL;

	*out = NULL;
	if (n == 0 || parts == NULL)
		return BAL_EINVAL;
	if (n > WIRE_MAX_RUN_ITEMS)
		return BAL_ETOOBIG;
	mem = calloc(1, arr_bytes(1, sizeof(*r)) +
	    arr_bytes(n, BAL_PK_BYTES) + arr_bytes(n, sizeof(*r->runs)) +
	    arr_bytes(n, sizeof(*r->items)));
	if (mem == NULL || (next = calloc(n, sizeof(*next))) == NULL) {
		free(mem);
		return BAL_ENOMEM;
	}
	r = (struct entry_runs *)(void *)mem;
	mem += arr_bytes(1, sizeof(*r));
	r->authors = (uint8_t (*)[BAL_PK_BYTES])(void *)mem;
	mem += arr_bytes(n, BAL_PK_BYTES);
	r->runs = (struct wire_run *)(void *)mem;
	mem += arr_bytes(n, sizeof(*r->runs));
	r->items = (struct wire_run_item *)(void *)mem;
	for (i = 0; i < n; i++) {
		p = &parts[i];
		if (memcmp(p->h.group, group, BAL_GROUP_ID_BYTES) != 0)
			goto out;
		entry_parts_item(p, &r->items[i]);
		if (last != NULL && memcmp(last->h.author, p->h.author,
		    BAL_PK_BYTES) == 0) {
			/* The run goes on, or the order cannot be a RUNS. */
			if (p->h.seq != last->h.seq + 1)
				goto out;
			run->n++;
			next[run->author] = p->h.seq + 1;
			last = p;
			continue;
		}
		for (a = 0; a < nauthors; a++)
			if (memcmp(r->authors[a], p->h.author,
			    BAL_PK_BYTES) == 0)
				break;
		if (a == nauthors) {
			if (nauthors == WIRE_MAX_RUN_AUTHORS) {
				ret = BAL_ETOOBIG;
				goto out;
			}
			memcpy(r->authors[nauthors++], p->h.author,
			    BAL_PK_BYTES);
		} else if (p->h.seq != next[a]) {
			goto out;	/* not where its last run ended */
		}
		run = &r->runs[nruns++];
		run->author = (uint32_t)a;
		run->first_seq = p->h.seq;
		run->items = &r->items[i];
		run->n = 1;
		/* The author's first run names where its chain starts. */
		run->prev = next[a] == 0 && p->h.seq > 1 ? p->h.prev : NULL;
		next[a] = p->h.seq + 1;
		last = p;
	}
	r->msg.type = WIRE_RUNS;
	r->msg.runs.authors = (const uint8_t (*)[BAL_PK_BYTES])r->authors;
	r->msg.runs.nauthors = nauthors;
	r->msg.runs.runs = r->runs;
	r->msg.runs.nruns = nruns;
	*out = r;
	r = NULL;
	ret = 0;
out:
	entry_runs_free(r);
	free(next);
	return ret;
}

void
entry_runs_free(struct entry_runs *r)
{
	free(r);
}

int
entry_runs_rebuild(const uint8_t group[BAL_GROUP_ID_BYTES],
    const struct wire_msg *m, struct entry_rebuilt **out)
{
	struct entry_rebuilt *rb = NULL;
	const struct wire_run *run;
	const struct wire_run_item *it;
	struct entry_parts p;
	uint8_t (*last_id)[BAL_HASH_BYTES] = NULL;
	uint8_t *started = NULL;	/* per author: its chain has begun */
	size_t i, k, idx = 0, total = 0;
	uint8_t *mem;
	int ret = BAL_EINVAL;

	*out = NULL;
	if (m == NULL || m->type != WIRE_RUNS)
		return BAL_EINVAL;
	for (i = 0; i < m->runs.nruns; i++)
		total += m->runs.runs[i].n;
	ret = BAL_ENOMEM;
	mem = calloc(1, arr_bytes(1, sizeof(*rb)) +
	    arr_bytes(total, sizeof(*rb->blobs)) +
	    arr_bytes(total, sizeof(*rb->lens)) +
	    arr_bytes(total, sizeof(*rb->authors)) +
	    arr_bytes(total, sizeof(*rb->seqs)));
	if (mem == NULL)
		goto out;
	rb = (struct entry_rebuilt *)(void *)mem;
	mem += arr_bytes(1, sizeof(*rb));
	rb->blobs = (uint8_t **)(void *)mem;
	mem += arr_bytes(total, sizeof(*rb->blobs));
	rb->lens = (size_t *)(void *)mem;
	mem += arr_bytes(total, sizeof(*rb->lens));
	rb->authors = (uint8_t (*)[BAL_PK_BYTES])(void *)mem;
	mem += arr_bytes(total, sizeof(*rb->authors));
	rb->seqs = (uint64_t *)(void *)mem;
	rb->n = total;
	if ((last_id = calloc(m->runs.nauthors + 1, sizeof(*last_id))) ==
	    NULL || (started = calloc(m->runs.nauthors + 1, 1)) == NULL)
		goto out;
	for (i = 0; i < m->runs.nruns; i++) {
		run = &m->runs.runs[i];
		ret = BAL_EINVAL;
		if (run->author >= m->runs.nauthors)
			goto out;
		memset(&p, 0, sizeof(p));
		memcpy(p.h.group, group, BAL_GROUP_ID_BYTES);
		memcpy(p.h.author, m->runs.authors[run->author],
		    BAL_PK_BYTES);
		if (!started[run->author]) {
			/* The author's first run: its chain starts here. */
			started[run->author] = 1;
			if (run->first_seq > 1) {
				if (run->prev == NULL)
					goto out;
				memcpy(last_id[run->author], run->prev,
				    BAL_HASH_BYTES);
			}
		}
		for (k = 0; k < run->n; k++, idx++) {
			memcpy(rb->authors[idx], p.h.author, BAL_PK_BYTES);
			rb->seqs[idx] = run->first_seq + k;
			it = &run->items[k];
			p.h.kind = it->kind;
			p.h.seq = run->first_seq + k;
			memcpy(p.h.prev, last_id[run->author],
			    BAL_HASH_BYTES);
			p.h.epoch = it->epoch;
			p.h.lamport = it->lamport;
			p.h.time = it->time;
			p.body = it->body;
			p.bodylen = it->bodylen;
			memcpy(p.body_hash, it->body_hash, BAL_HASH_BYTES);
			memcpy(p.sig, it->sig, BAL_SIG_BYTES);
			if ((ret = entry_parts_join(&p, &rb->blobs[idx],
			    &rb->lens[idx], last_id[run->author])) != 0)
				goto out;
		}
	}
	*out = rb;
	rb = NULL;
	ret = 0;
out:
	entry_rebuilt_free(rb);
	free(last_id);
	free(started);
	return ret;
}

void
entry_rebuilt_free(struct entry_rebuilt *rb)
{
	size_t i;

	if (rb == NULL)
		return;
	for (i = 0; i < rb->n; i++)
		free(rb->blobs[i]);
	free(rb);
}
