/*
 * entry-fixture.h — what the entry tests share (test-entry.c, test-entry-
 * hostile.c): identities, keys, sample entries and helpers.
 */
#ifndef BAL_TEST_ENTRY_FIXTURE_H
#define BAL_TEST_ENTRY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "entry.h"
#include "identity.h"
#include "mp.h"

extern struct identity *entry_alice, *entry_bob;

extern uint8_t group[BAL_GROUP_ID_BYTES];

extern uint8_t group2[BAL_GROUP_ID_BYTES];

extern uint8_t key[BAL_KEY_BYTES];

extern uint8_t key2[BAL_KEY_BYTES];

extern const char text[44];

/* A deterministic random source: splitmix64 over a counter. */
void entry_det_fill(void *ctx, void *buf, size_t len);

extern uint64_t entry_rng_state;

extern const struct bal_rng rng;

int entry_setup(void **state);

int entry_teardown(void **state);

/* A header for author's entry after prev (NULL: the first). */
struct entry_header mk_header(const struct identity *author,
    const struct entry *prev,
    uint8_t kind, uint64_t epoch);

/* Seals a note entry with text under key. */
struct entry * mk_note(const struct identity *author, const struct entry *prev);

/*
 * Packs header fields without any validation (version and field values as
 * given), for hand-built bad entries.
 */
void raw_header(const struct entry_header *h, uint64_t version, uint8_t **out,
    size_t *outlen);

/*
 * Builds an encoded entry from raw parts, signed by signer over
 * hdr || hash; hash is BLAKE2b(body) unless given.  body NULL: erased.
 */
/* BLAKE2b-256("balint-body-v2" || body), recomputed here. */
void
body_hash(const uint8_t *body, size_t len, uint8_t out[32]);

void raw_entry(const uint8_t *hdr, size_t hdrlen, const uint8_t *body,
    size_t bodylen, const uint8_t *hash_in, const struct identity *signer,
    uint8_t **out, size_t *outlen);

/* Decodes buf and expects error code want (and no entry). */
void expect_decode(const uint8_t *buf, size_t len, int want);

/* Hand-builds a header from h (version given) with a valid body and sig. */
void expect_header_rejected(const struct entry_header *h, uint64_t version,
    int want);

#endif
