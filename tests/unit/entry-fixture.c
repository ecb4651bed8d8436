/* entry-fixture.c — see entry-fixture.h. */
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
#include "entry-fixture.h"

struct identity *entry_alice, *entry_bob;

uint8_t group[BAL_GROUP_ID_BYTES];

uint8_t group2[BAL_GROUP_ID_BYTES];

uint8_t key[BAL_KEY_BYTES];

uint8_t key2[BAL_KEY_BYTES];

const char text[] = "the case of the doctor who could not say no";

/* A deterministic random source: splitmix64 over a counter. */
void
entry_det_fill(void *ctx, void *buf, size_t len)
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

uint64_t entry_rng_state = 42;

const struct bal_rng rng = { entry_det_fill, &entry_rng_state };

int
entry_setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(seed, 'a', sizeof(seed));
	if (identity_from_seed(seed, &entry_alice) != 0)
		return -1;
	memset(seed, 'b', sizeof(seed));
	if (identity_from_seed(seed, &entry_bob) != 0)
		return -1;
	memset(group, 0x11, sizeof(group));
	memset(group2, 0x22, sizeof(group2));
	memset(key, 0x33, sizeof(key));
	memset(key2, 0x44, sizeof(key2));
	return 0;
}

int
entry_teardown(void **state)
{
	(void)state;
	identity_free(entry_alice);
	identity_free(entry_bob);
	return 0;
}

/* A header for author's entry after prev (NULL: the first). */
struct entry_header
mk_header(const struct identity *author, const struct entry *prev,
    uint8_t kind, uint64_t epoch)
{
	struct entry_header h;

	assert_int_equal(entry_header_next(&h, group, author->pk, prev, 0), 0);
	h.kind = kind;
	h.epoch = epoch;
	h.time = 1700000000000ULL;
	return h;
}

/* Seals a note entry with text under key. */
struct entry *
mk_note(const struct identity *author, const struct entry *prev)
{
	struct entry_header h = mk_header(author, prev, ENTRY_KIND_NOTE, 7);
	struct entry *e = NULL;

	assert_int_equal(entry_seal(&h, author, key, (const uint8_t *)text,
	    strlen(text), &rng, &e), 0);
	return e;
}

/*
 * Packs header fields without any validation (version and field values as
 * given), for hand-built bad entries.
 */
void
raw_header(const struct entry_header *h, uint64_t version, uint8_t **out,
    size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 9);
	msgpack_pack_uint64(&pk, version);
	msgpack_pack_uint64(&pk, h->kind);
	mp_pack_bin(&pk, h->group, 32);
	mp_pack_bin(&pk, h->author, 32);
	msgpack_pack_uint64(&pk, h->seq);
	mp_pack_bin(&pk, h->prev, 32);
	msgpack_pack_uint64(&pk, h->epoch);
	msgpack_pack_uint64(&pk, h->lamport);
	msgpack_pack_uint64(&pk, h->time);
	assert_int_equal(mp_sbuf_take(&sb, out, outlen), 0);
	msgpack_sbuffer_destroy(&sb);
}

/*
 * Builds an encoded entry from raw parts, signed by signer over
 * hdr || hash; hash is BLAKE2b(body) unless given.  body NULL: erased.
 */
/* BLAKE2b-256("balint-body-v2" || body), recomputed here. */
void
body_hash(const uint8_t *body, size_t len, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"balint-body-v2", 14);
	crypto_generichash_update(&st, body, len);
	crypto_generichash_final(&st, out, 32);
}

void
raw_entry(const uint8_t *hdr, size_t hdrlen, const uint8_t *body,
    size_t bodylen, const uint8_t *hash_in, const struct identity *signer,
    uint8_t **out, size_t *outlen)
{
	uint8_t hash[32], sig[64];
	uint8_t *msg;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	if (hash_in != NULL)
		memcpy(hash, hash_in, 32);
	else
		body_hash(body, bodylen, hash);
	msg = malloc(hdrlen + 32);
	assert_non_null(msg);
	memcpy(msg, hdr, hdrlen);
	memcpy(msg + hdrlen, hash, 32);
	assert_int_equal(identity_sign(signer, "balint-entry-v1", msg,
	    hdrlen + 32, sig), 0);
	free(msg);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	mp_pack_bin(&pk, hdr, hdrlen);
	mp_pack_bin(&pk, hash, 32);
	if (body != NULL)
		mp_pack_bin(&pk, body, bodylen);
	else
		msgpack_pack_nil(&pk);
	mp_pack_bin(&pk, sig, 64);
	assert_int_equal(mp_sbuf_take(&sb, out, outlen), 0);
	msgpack_sbuffer_destroy(&sb);
}

/* Decodes buf and expects error code want (and no entry). */
void
expect_decode(const uint8_t *buf, size_t len, int want)
{
	struct entry *e = (struct entry *)1;

	assert_int_equal(entry_decode(buf, len, &e), want);
	assert_null(e);
}

/* Hand-builds a header from h (version given) with a valid body and sig. */
void
expect_header_rejected(const struct entry_header *h, uint64_t version,
    int want)
{
	uint8_t *hdr, *enc;
	size_t hdrlen, enclen;
	uint8_t body[64];

	memset(body, 0x5a, sizeof(body));
	raw_header(h, version, &hdr, &hdrlen);
	raw_entry(hdr, hdrlen, body, sizeof(body), NULL, entry_alice, &enc,
	    &enclen);
	expect_decode(enc, enclen, want);
	free(hdr);
	free(enc);
}
