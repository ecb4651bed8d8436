/*
 * fuzz-entry-seal.c — entry_seal then entry_decode (proto/entry.c) with
 * header fields and plaintexts chosen by the fuzzer: every entry the
 * project signs must be one that every peer accepts.
 *
 * Input: [kind u8][seq u64][epoch u64][lamport u64][time u64]
 *        [prev: 32 bytes][plaintext: the rest].
 * Checked: when entry_seal accepts the header, the entry encodes,
 * decodes to the same header, id and body, and opens to the plaintext
 * under FUZZ_KEY_EPOCH (kind 1) or as itself (kinds 2 and 3); a flipped
 * byte of the encoding (chosen by the plaintext's hash) is refused.
 */
#include "fuzz.h"
#include "entry.h"

static uint8_t epoch_key[BAL_KEY_BYTES];
static struct identity *author;
static uint8_t group[BAL_GROUP_ID_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_key(epoch_key, FUZZ_KEY_EPOCH);
	memset(group, 0x47, sizeof(group));
	author = fuzz_identity(FUZZ_SEED_LEADER);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct entry_header h;
	struct entry *e = NULL, *d = NULL;
	const uint8_t *p, *plainp;
	uint8_t *enc = NULL, *plain = NULL, hash[8];
	size_t len, plen = 0, n, pos;
	int rc;

	fuzz_reset();
	memset(&h, 0, sizeof(h));
	h.kind = fuzz_u8(&in);
	h.seq = fuzz_u64(&in);
	h.epoch = fuzz_u64(&in);
	h.lamport = fuzz_u64(&in);
	h.time = fuzz_u64(&in);
	if (fuzz_take(&in, BAL_HASH_BYTES, &p) == BAL_HASH_BYTES)
		memcpy(h.prev, p, BAL_HASH_BYTES);
	memcpy(h.group, group, sizeof(group));
	memcpy(h.author, author->pk, BAL_PK_BYTES);
	n = fuzz_take(&in, in.n, &plainp);
	rc = entry_seal(&h, author, h.kind == ENTRY_KIND_NOTE ? epoch_key :
	    NULL, n > 0 ? plainp : NULL, n, fuzz_rng(), &e);
	if (rc != 0) {
		fuzz_check(e == NULL);
		goto out;
	}
	fuzz_check(entry_encode(e, &enc, &len) == 0);
	fuzz_check(entry_decode(enc, len, &d) == 0);
	fuzz_check(d->h.kind == h.kind && d->h.seq == h.seq &&
	    d->h.epoch == h.epoch && d->h.lamport == h.lamport &&
	    d->h.time == h.time &&
	    memcmp(d->h.prev, h.prev, BAL_HASH_BYTES) == 0 &&
	    memcmp(d->h.group, h.group, BAL_GROUP_ID_BYTES) == 0 &&
	    memcmp(d->h.author, h.author, BAL_PK_BYTES) == 0);
	fuzz_check(memcmp(d->id, e->id, BAL_HASH_BYTES) == 0);
	fuzz_check(d->bodylen == e->bodylen &&
	    memcmp(d->body, e->body, e->bodylen) == 0);
	fuzz_check(entry_open(d, epoch_key, &plain, &plen) == 0);
	fuzz_check(plen == n && (n == 0 || memcmp(plain, plainp, n) == 0));
	entry_plain_free(plain, plen);
	entry_free(d);
	d = NULL;
	/* One flipped bit anywhere is refused. */
	crypto_generichash(hash, sizeof(hash), data, size, NULL, 0);
	pos = ((size_t)hash[0] << 16 | (size_t)hash[1] << 8 | hash[2]) % len;
	enc[pos] ^= (uint8_t)(1u << (hash[3] & 7));
	fuzz_check(entry_decode(enc, len, &d) != 0 && d == NULL);
out:
	entry_free(e);
	entry_free(d);
	free(enc);
	return 0;
}
