/*
 * fuzz-entry.c — entry_decode and entry_open (proto/entry.c): the signed,
 * hash-chained log entries that peers relay.
 *
 * Input: one encoded entry.  The seed corpus holds entries of every kind
 * signed by a fixed author, kind 1 sealed under FUZZ_KEY_EPOCH, so
 * entry_open gets past the AEAD on the seeds.  Checked: no memory error;
 * a decoded entry is canonical (entry_encode gives back exactly the
 * input); its fields are in range; entry_open with the fixed key returns a
 * plaintext of the documented size or fails cleanly; an erased entry still
 * encodes, decodes and keeps its id.
 */
#include "fuzz.h"
#include "entry.h"

static uint8_t epoch_key[BAL_KEY_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_key(epoch_key, FUZZ_KEY_EPOCH);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry *e = NULL, *e2 = NULL;
	uint8_t *enc = NULL, *enc2 = NULL, *plain = NULL, *hdr = NULL;
	size_t len, len2, plen = 0, hlen;
	int rc;

	fuzz_reset();
	if (entry_decode(data, size, &e) != 0) {
		fuzz_check(e == NULL);
		goto out;
	}
	fuzz_check(e->h.kind >= ENTRY_KIND_NOTE &&
	    e->h.kind <= ENTRY_KIND_ANNOUNCE);
	fuzz_check(e->h.seq >= 1 && e->h.seq <= ENTRY_MAX_COUNTER);
	fuzz_check(e->h.lamport <= ENTRY_MAX_COUNTER);
	fuzz_check(e->h.time <= ENTRY_MAX_COUNTER);
	fuzz_check(e->hdrlen <= ENTRY_MAX_HEADER);
	fuzz_check(e->bodylen <= ENTRY_MAX_BODY);
	fuzz_touch(e->hdr, e->hdrlen);
	if (e->body != NULL)
		fuzz_touch(e->body, e->bodylen);
	/* The header bytes are the canonical encoding of the fields. */
	fuzz_check(entry_header_encode(&e->h, &hdr, &hlen) == 0);
	fuzz_check(hlen == e->hdrlen && memcmp(hdr, e->hdr, hlen) == 0);
	/* Canonical: the only encoding of this entry is the input. */
	fuzz_check(entry_encode(e, &enc, &len) == 0);
	fuzz_check(len == size && memcmp(enc, data, size) == 0);
	(void)entry_follows(NULL, e);
	fuzz_check(entry_follows(e, e) == BAL_ECHAIN);

	rc = entry_open(e, epoch_key, &plain, &plen);
	if (rc == 0) {
		if (e->h.kind == ENTRY_KIND_NOTE)
			fuzz_check(plen == e->bodylen - ENTRY_NONCE_BYTES -
			    ENTRY_TAG_BYTES);
		else
			fuzz_check(plen == e->bodylen &&
			    (plen == 0 || memcmp(plain, e->body, plen) == 0));
		fuzz_touch(plain, plen);
		entry_plain_free(plain, plen);
	} else {
		fuzz_check(plain == NULL);
		fuzz_check(e->h.kind == ENTRY_KIND_NOTE ||
		    e->body == NULL);
	}
	if (e->h.kind == ENTRY_KIND_NOTE && e->body != NULL) {
		fuzz_check(entry_open(e, NULL, &plain, &plen) == BAL_EINVAL);
		fuzz_check(plain == NULL);
	}

	/* Erased, it still verifies and keeps its place in the chain. */
	entry_erase(e);
	fuzz_check(entry_is_erased(e));
	fuzz_check(entry_open(e, epoch_key, &plain, &plen) == BAL_ENOENT);
	fuzz_check(entry_encode(e, &enc2, &len2) == 0);
	fuzz_check(entry_decode(enc2, len2, &e2) == 0);
	fuzz_check(entry_is_erased(e2));
	fuzz_check(memcmp(e->id, e2->id, BAL_HASH_BYTES) == 0);
out:
	entry_free(e);
	entry_free(e2);
	free(enc);
	free(enc2);
	free(hdr);
	return 0;
}
