/*
 * fuzz-entry-parts.c — entry_parts_split, entry_parts_join,
 * entry_runs_make and entry_runs_rebuild (proto/entry-parts.c): encoded
 * entries taken apart for RUNS, and rebuilt from RUNS.
 *
 * Input: [mode] then the mode's bytes.
 *   mode 0: an encoded entry.  entry_parts_split refuses exactly what
 *     entry_decode refuses for another reason than hash or signature, with
 *     the same code; what it takes apart joins back to the very bytes
 *     (when the body hash agrees), with entry_decode's id.
 *   mode 1: parts field by field: [kind][seq 8][epoch 8][lamport 8]
 *     [time 8][flags][prev 32][body_hash 32][sig 64][body...]; flags bit 0
 *     erased, bit 1 author = the fixed member instead of the leader, bit
 *     2 sign (the leader's signature over the joined header and hash),
 *     bit 3 another group.  entry_parts_join fails with EINVAL/ETOOBIG
 *     only, or gives an entry that entry_parts_split takes apart into the
 *     same parts and that entry_decode accepts (then with join's id) or
 *     refuses with ECRYPTO only; signed by its author, it is accepted.
 *   mode 2: a wire message.  A RUNS is rebuilt in the fixed group (each
 *     author's chain from its first run's prev).  Every rebuilt entry
 *     takes apart into its item's values at its author and seq, and the
 *     first of each chain into that prev; entry_decode never refuses one
 *     for its structure; rebuilt again from its own parts
 *     (entry_runs_make) the message encodes to the same bytes.
 */
#include "fuzz.h"
#include "entry-parts.h"
#include "entry.h"
#include "wire.h"

static struct identity *leader, *member;
static uint8_t group_id[BAL_GROUP_ID_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	leader = fuzz_identity(FUZZ_SEED_LEADER);
	member = fuzz_identity(FUZZ_SEED_MEMBER);
	memset(group_id, 0x47, sizeof(group_id));
	return 0;
}

/* Two parts are the same entry's (body hash as join computes it). */
static void
check_same_parts(const struct entry_parts *a, const struct entry_parts *b)
{
	uint8_t hash[BAL_HASH_BYTES];

	fuzz_check(memcmp(&a->h, &b->h, sizeof(a->h)) == 0);
	fuzz_check((a->body == NULL) == (b->body == NULL));
	fuzz_check(a->bodylen == b->bodylen);
	fuzz_check(memcmp(a->sig, b->sig, BAL_SIG_BYTES) == 0);
	if (a->body != NULL) {
		fuzz_check(a->bodylen == 0 ||
		    memcmp(a->body, b->body, a->bodylen) == 0);
		entry_body_hash(a->body, a->bodylen, hash);
		fuzz_check(memcmp(hash, b->body_hash, BAL_HASH_BYTES) == 0);
	} else {
		fuzz_check(memcmp(a->body_hash, b->body_hash,
		    BAL_HASH_BYTES) == 0);
	}
}

static void
mode_split(const uint8_t *data, size_t size)
{
	struct entry_parts p;
	struct entry *e = NULL;
	uint8_t *out = NULL, id[BAL_HASH_BYTES], hash[BAL_HASH_BYTES];
	size_t len;
	int rs, rd;

	rs = entry_parts_split(data, size, &p);
	rd = entry_decode(data, size, &e);
	fuzz_check(rs == (rd == BAL_ECRYPTO ? 0 : rd));
	if (rs != 0) {
		fuzz_check(p.body == NULL);
		goto out;
	}
	fuzz_check(entry_parts_join(&p, &out, &len, id) == 0);
	if (p.body != NULL)
		entry_body_hash(p.body, p.bodylen, hash);
	if (p.body == NULL || memcmp(hash, p.body_hash, sizeof(hash)) == 0)
		fuzz_check(len == size && memcmp(out, data, size) == 0);
	else
		fuzz_check(rd == BAL_ECRYPTO);
	if (rd == 0) {
		fuzz_check(memcmp(&p.h, &e->h, sizeof(p.h)) == 0);
		fuzz_check(memcmp(id, e->id, BAL_HASH_BYTES) == 0);
	}
out:
	free(out);
	entry_free(e);
}

static void
mode_join(struct fuzz_in *in)
{
	struct entry_parts p, q;
	struct entry *e = NULL;
	const struct identity *author;
	const uint8_t *x;
	uint8_t *out = NULL, *hdr = NULL, id[BAL_HASH_BYTES], msg[256];
	size_t len, hlen;
	uint8_t flags;
	int rc;

	memset(&p, 0, sizeof(p));
	p.h.kind = fuzz_u8(in);
	p.h.seq = fuzz_u64(in);
	p.h.epoch = fuzz_u64(in);
	p.h.lamport = fuzz_u64(in);
	p.h.time = fuzz_u64(in);
	flags = fuzz_u8(in);
	author = flags & 2 ? member : leader;
	memcpy(p.h.group, group_id, BAL_GROUP_ID_BYTES);
	if (flags & 8)
		p.h.group[0] ^= 1;
	memcpy(p.h.author, author->pk, BAL_PK_BYTES);
	if (fuzz_take(in, BAL_HASH_BYTES, &x) == BAL_HASH_BYTES)
		memcpy(p.h.prev, x, BAL_HASH_BYTES);
	if (fuzz_take(in, BAL_HASH_BYTES, &x) == BAL_HASH_BYTES)
		memcpy(p.body_hash, x, BAL_HASH_BYTES);
	if (fuzz_take(in, BAL_SIG_BYTES, &x) == BAL_SIG_BYTES)
		memcpy(p.sig, x, BAL_SIG_BYTES);
	p.bodylen = fuzz_take(in, in->n, &p.body);
	if (flags & 1) {
		p.body = NULL;
		p.bodylen = 0;
	}
	if (flags & 4) {
		/* Signed by the leader (the author only when bit 1 is 0). */
		if (entry_header_encode(&p.h, &hdr, &hlen) != 0)
			goto join;
		if (p.body != NULL)
			entry_body_hash(p.body, p.bodylen, p.body_hash);
		memcpy(msg, hdr, hlen);
		memcpy(msg + hlen, p.body_hash, BAL_HASH_BYTES);
		fuzz_check(identity_sign(leader, "balint-entry-v1", msg,
		    hlen + BAL_HASH_BYTES, p.sig) == 0);
	}
join:
	rc = entry_parts_join(&p, &out, &len, id);
	if (rc != 0) {
		fuzz_check(rc == BAL_EINVAL || rc == BAL_ETOOBIG);
		fuzz_check(out == NULL && len == 0);
		goto out;
	}
	fuzz_check(entry_parts_split(out, len, &q) == 0);
	check_same_parts(&p, &q);
	rc = entry_decode(out, len, &e);
	fuzz_check(rc == 0 || rc == BAL_ECRYPTO);
	if (rc == 0)
		fuzz_check(memcmp(id, e->id, BAL_HASH_BYTES) == 0);
	if ((flags & 4) && !(flags & 2))
		fuzz_check(rc == 0);
out:
	free(hdr);
	free(out);
	entry_free(e);
}

static void
mode_runs(struct fuzz_in *in)
{
	struct wire_msg *m = NULL;
	struct entry_rebuilt *rb = NULL;
	struct entry_runs *again = NULL;
	struct entry_parts *parts = NULL;
	struct entry *e = NULL;
	const struct wire_run *r;
	const struct wire_run_item *it;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t i, k, idx = 0, l1, l2;
	int rc;

	if (wire_decode(in->p, in->n, &m) != 0 || m->type != WIRE_RUNS)
		goto out;
	/* A decoded RUNS always rebuilds: its structure was checked. */
	rc = entry_runs_rebuild(group_id, m, &rb);
	fuzz_check(rc == 0 || rc == BAL_ENOMEM);
	if (rc != 0)
		goto out;
	if ((parts = calloc(rb->n, sizeof(*parts))) == NULL)
		goto out;
	for (i = 0; i < m->runs.nruns; i++) {
		r = &m->runs.runs[i];
		for (k = 0; k < r->n; k++, idx++) {
			it = &r->items[k];
			fuzz_check(idx < rb->n);
			fuzz_check(memcmp(rb->authors[idx],
			    m->runs.authors[r->author], BAL_PK_BYTES) == 0);
			fuzz_check(rb->seqs[idx] == r->first_seq + k);
			fuzz_check(entry_parts_split(rb->blobs[idx],
			    rb->lens[idx], &parts[idx]) == 0);
			if (k == 0 && r->prev != NULL)
				fuzz_check(memcmp(parts[idx].h.prev, r->prev,
				    BAL_HASH_BYTES) == 0);
			fuzz_check(parts[idx].h.kind == it->kind &&
			    parts[idx].h.epoch == it->epoch &&
			    parts[idx].h.lamport == it->lamport &&
			    parts[idx].h.time == it->time &&
			    parts[idx].h.seq == r->first_seq + k);
			fuzz_check(memcmp(parts[idx].h.group, group_id,
			    BAL_GROUP_ID_BYTES) == 0);
			fuzz_check(memcmp(parts[idx].sig, it->sig,
			    BAL_SIG_BYTES) == 0);
			fuzz_check((parts[idx].body == NULL) ==
			    (it->body == NULL));
			if (it->body == NULL)
				fuzz_check(memcmp(parts[idx].body_hash,
				    it->body_hash, BAL_HASH_BYTES) == 0);
			rc = entry_decode(rb->blobs[idx], rb->lens[idx], &e);
			fuzz_check(rc == 0 || rc == BAL_ECRYPTO);
			entry_free(e);
			e = NULL;
		}
	}
	fuzz_check(idx == rb->n);
	/* Taken apart and made into RUNS again: the same message. */
	fuzz_check(entry_runs_make(group_id, parts, rb->n, &again) == 0);
	fuzz_check(wire_encode(m, &e1, &l1) == 0);
	fuzz_check(wire_encode(&again->msg, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	entry_runs_free(again);
	entry_rebuilt_free(rb);
	wire_msg_free(m);
	free(parts);
	free(e1);
	free(e2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	fuzz_reset();
	switch (fuzz_u8(&in) % 3) {
	case 0:
		mode_split(in.p, in.n);
		break;
	case 1:
		mode_join(&in);
		break;
	default:
		mode_runs(&in);
		break;
	}
	return 0;
}
