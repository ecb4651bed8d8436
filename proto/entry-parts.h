/*
 * entry-parts.h — an encoded entry taken apart into the parts that a RUNS
 * message carries, and put together again by the receiver
 * (docs/protocol.md, "Replication messages", RUNS).
 *
 * A RUNS item carries kind, epoch, lamport, time, body and signature of an
 * entry (the body hash only when the body is erased).  The receiver knows
 * the rest from its context: the group from the session, the author and
 * seq from the run, prev from the entry before it (in the same run, an
 * earlier run of the same message, or, for the author's first run of the
 * message, the run's prev), the body hash from the body.  From these it rebuilds the canonical encoded entry
 * (entry_header_encode, entry_encode), which then goes through
 * entry_decode like any entry of an ENTRIES message: if any part was
 * changed on the way, the signature no longer verifies.
 *
 * Nothing here checks a signature, and only entry_parts_join hashes.
 *
 * Ownership: struct entry_parts from entry_parts_split points into the
 * caller's buffer (body), which must outlive it.  struct entry_runs and
 * struct entry_rebuilt are one allocation each with their arrays; their
 * free functions release them (NULL is a no-op).  The wire message in a
 * struct entry_runs points into the parts' bodies.
 */
#ifndef BAL_ENTRY_PARTS_H
#define BAL_ENTRY_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "entry.h"
#include "wire.h"

/* An encoded entry's fields, as entry_encode writes them. */
struct entry_parts {
	struct entry_header h;
	const uint8_t *body;		/* NULL: erased */
	size_t bodylen;
	uint8_t body_hash[BAL_HASH_BYTES];
	uint8_t sig[BAL_SIG_BYTES];
};

/*
 * entry_parts_split takes an encoded entry apart without any crypto:
 * entry_decode's checks but hash and signature, in its order and with its
 * codes (it refuses exactly what entry_decode refuses other than with
 * BAL_ECRYPTO); p->body points into buf.  BAL_EPROTO: malformed or not
 * canonical; BAL_EVERSION: header version other than 1; BAL_ETOOBIG:
 * longer than ENTRY_MAX_ENCODED or a body above ENTRY_MAX_BODY.  On
 * failure *p is zeroed.
 */
int entry_parts_split(const uint8_t *buf, size_t len, struct entry_parts *p);

/*
 * entry_parts_join writes the canonical encoded entry of p (malloc'd,
 * free() it): the header from p->h, body_hash = BLAKE2b-256(p->body) when
 * the body is present (p->body_hash is then ignored), else p->body_hash.
 * id (optional) gets the entry id.  For an entry that entry_parts_split
 * took apart, this gives back the same bytes.  BAL_EINVAL: not a valid
 * header, or a kind-1 body shorter than nonce and tag; BAL_ETOOBIG: a body
 * above ENTRY_MAX_BODY.
 */
int entry_parts_join(const struct entry_parts *p, uint8_t **out,
    size_t *outlen, uint8_t id[BAL_HASH_BYTES]);

/* entry_parts_item fills the RUNS item of p (it->body points to p's). */
void entry_parts_item(const struct entry_parts *p, struct wire_run_item *it);

/* A RUNS message made from a batch of entries; msg is what to encode. */
struct entry_runs {
	struct wire_msg msg;
	uint8_t (*authors)[BAL_PK_BYTES];
	struct wire_run *runs;
	struct wire_run_item *items;
};

/*
 * entry_runs_make builds the RUNS message of the entries parts[0..n), in
 * their order: maximal runs of consecutive seqs of one author.  Every
 * entry must be of group.  BAL_EINVAL: n is 0, an entry of another group,
 * or an order that RUNS cannot carry (an author's entries not in
 * ascending consecutive seqs across the batch); BAL_ETOOBIG: more than
 * WIRE_MAX_RUN_ITEMS entries or WIRE_MAX_RUN_AUTHORS authors.  The caller
 * encodes (*out)->msg with wire_encode, which checks the rest.
 */
int entry_runs_make(const uint8_t group[BAL_GROUP_ID_BYTES],
    const struct entry_parts *parts, size_t n, struct entry_runs **out);
/* entry_runs_free releases what entry_runs_make made; NULL is a no-op. */
void entry_runs_free(struct entry_runs *r);

/* The entries of a RUNS message, in message order. */
struct entry_rebuilt {
	size_t n;			/* items of the message */
	uint8_t **blobs;		/* encoded entries */
	size_t *lens;
	uint8_t (*authors)[BAL_PK_BYTES];	/* author of each */
	uint64_t *seqs;			/* seq of each */
};

/*
 * entry_runs_rebuild rebuilds the encoded entries of the RUNS message m
 * (from wire_decode) received in group: item k of a run is the author's
 * entry first_seq + k, its prev the id of the entry before it: the
 * previous item, the last item of the author's previous run in m, or (for
 * the author's first run) the run's prev; 32 zero bytes for seq 1.
 * BAL_EINVAL: m is not a RUNS, or an author's first run after seq 1
 * without prev; BAL_ENOMEM; or entry_parts_join's code for an item that
 * makes no valid entry.
 */
int entry_runs_rebuild(const uint8_t group[BAL_GROUP_ID_BYTES],
    const struct wire_msg *m, struct entry_rebuilt **out);
/* entry_rebuilt_free releases the rebuilt entries; NULL is a no-op. */
void entry_rebuilt_free(struct entry_rebuilt *rb);

#endif
