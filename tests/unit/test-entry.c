/* test-entry.c — unit tests for proto/entry.c. */
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

static struct identity *alice, *bob;
static uint8_t group[BAL_GROUP_ID_BYTES];
static uint8_t group2[BAL_GROUP_ID_BYTES];
static uint8_t key[BAL_KEY_BYTES];
static uint8_t key2[BAL_KEY_BYTES];

static const char text[] = "the case of the doctor who could not say no";

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

static uint64_t rng_state = 42;
static const struct bal_rng rng = { det_fill, &rng_state };

static int
setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(seed, 'a', sizeof(seed));
	if (identity_from_seed(seed, &alice) != 0)
		return -1;
	memset(seed, 'b', sizeof(seed));
	if (identity_from_seed(seed, &bob) != 0)
		return -1;
	memset(group, 0x11, sizeof(group));
	memset(group2, 0x22, sizeof(group2));
	memset(key, 0x33, sizeof(key));
	memset(key2, 0x44, sizeof(key2));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	identity_free(alice);
	identity_free(bob);
	return 0;
}

/* A header for author's entry after prev (NULL: the first). */
static struct entry_header
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
static struct entry *
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
static void
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
static void
body_hash(const uint8_t *body, size_t len, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"balint-body-v2", 14);
	crypto_generichash_update(&st, body, len);
	crypto_generichash_final(&st, out, 32);
}

static void
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

/* Whether the string s occurs in buf[0..len). */
static int
contains(const uint8_t *buf, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(buf + i, s, n) == 0)
			return 1;
	return 0;
}

/* Decodes buf and expects error code want (and no entry). */
static void
expect_decode(const uint8_t *buf, size_t len, int want)
{
	struct entry *e = (struct entry *)1;

	assert_int_equal(entry_decode(buf, len, &e), want);
	assert_null(e);
}

/* Hand-builds a header from h (version given) with a valid body and sig. */
static void
expect_header_rejected(const struct entry_header *h, uint64_t version,
    int want)
{
	uint8_t *hdr, *enc;
	size_t hdrlen, enclen;
	uint8_t body[64];

	memset(body, 0x5a, sizeof(body));
	raw_header(h, version, &hdr, &hdrlen);
	raw_entry(hdr, hdrlen, body, sizeof(body), NULL, alice, &enc,
	    &enclen);
	expect_decode(enc, enclen, want);
	free(hdr);
	free(enc);
}

static void
test_seal_open_roundtrip(void **state)
{
	struct entry *e, *d;
	uint8_t *enc, *plain;
	size_t enclen, plainlen;

	(void)state;
	e = mk_note(alice, NULL);
	assert_int_equal(e->h.seq, 1);
	assert_int_equal(e->bodylen, strlen(text) + 40);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	assert_memory_equal(d->id, e->id, 32);
	assert_memory_equal(&d->h, &e->h, sizeof(e->h));
	assert_int_equal(d->hdrlen, e->hdrlen);
	assert_memory_equal(d->hdr, e->hdr, e->hdrlen);
	assert_memory_equal(d->sig, e->sig, 64);
	assert_int_equal(d->h.kind, ENTRY_KIND_NOTE);
	assert_int_equal(d->h.epoch, 7);
	assert_int_equal(d->h.time, 1700000000000ULL);
	assert_memory_equal(d->h.author, alice->pk, 32);
	assert_memory_equal(d->h.group, group, 32);

	/* The plaintext must not appear in the encoding. */
	assert_false(contains(enc, enclen, "doctor"));

	assert_int_equal(entry_open(d, key, &plain, &plainlen), 0);
	assert_int_equal(plainlen, strlen(text));
	assert_memory_equal(plain, text, plainlen);
	entry_plain_free(plain, plainlen);

	/* Re-encoding a decoded entry gives the same bytes. */
	{
		uint8_t *enc2;
		size_t enc2len;

		assert_int_equal(entry_encode(d, &enc2, &enc2len), 0);
		assert_int_equal(enc2len, enclen);
		assert_memory_equal(enc2, enc, enclen);
		free(enc2);
	}

	/* An empty note body round-trips too. */
	{
		struct entry_header h = mk_header(alice, NULL,
		    ENTRY_KIND_NOTE, 0);
		struct entry *z;

		assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng,
		    &z), 0);
		assert_int_equal(entry_open(z, key, &plain, &plainlen), 0);
		assert_int_equal(plainlen, 0);
		entry_plain_free(plain, plainlen);
		entry_free(z);
	}
	free(enc);
	entry_free(e);
	entry_free(d);
}

static void
test_plain_kinds(void **state)
{
	static const uint8_t addr[] = { 0x91, 0xa3, 'a', 'b', 'c' };
	struct entry_header h;
	struct entry *e, *d;
	uint8_t *enc, *plain;
	size_t enclen, plainlen;
	uint8_t kind;

	(void)state;
	for (kind = ENTRY_KIND_ROSTER; kind <= ENTRY_KIND_ANNOUNCE; kind++) {
		h = mk_header(alice, NULL, kind, 0);
		assert_int_equal(entry_seal(&h, alice, NULL, addr,
		    sizeof(addr), NULL, &e), 0);
		assert_int_equal(e->bodylen, sizeof(addr));
		assert_memory_equal(e->body, addr, sizeof(addr));
		assert_int_equal(entry_encode(e, &enc, &enclen), 0);
		assert_int_equal(entry_decode(enc, enclen, &d), 0);
		assert_int_equal(d->h.kind, kind);
		assert_memory_equal(d->id, e->id, 32);
		assert_int_equal(entry_open(d, NULL, &plain, &plainlen), 0);
		assert_int_equal(plainlen, sizeof(addr));
		assert_memory_equal(plain, addr, sizeof(addr));
		entry_plain_free(plain, plainlen);
		/* A key is ignored for plaintext kinds when opening. */
		assert_int_equal(entry_open(d, key, &plain, &plainlen), 0);
		entry_plain_free(plain, plainlen);
		free(enc);
		entry_free(e);
		entry_free(d);

		/* Plaintext kinds take no key and epoch 0 only. */
		assert_int_equal(entry_seal(&h, alice, key, addr,
		    sizeof(addr), NULL, &e), BAL_EINVAL);
		assert_null(e);
		h.epoch = 1;
		assert_int_equal(entry_seal(&h, alice, NULL, addr,
		    sizeof(addr), NULL, &e), BAL_EINVAL);
		expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	}
	/* An empty plaintext body. */
	h = mk_header(alice, NULL, ENTRY_KIND_ANNOUNCE, 0);
	assert_int_equal(entry_seal(&h, alice, NULL, NULL, 0, NULL, &e), 0);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	assert_false(entry_is_erased(d));
	assert_int_equal(d->bodylen, 0);
	free(enc);
	entry_free(e);
	entry_free(d);
}

static void
test_wrong_key(void **state)
{
	struct entry *e;
	uint8_t *plain = (uint8_t *)1;
	size_t plainlen = 99;

	(void)state;
	e = mk_note(alice, NULL);
	assert_int_equal(entry_open(e, key2, &plain, &plainlen), BAL_ECRYPTO);
	assert_null(plain);
	assert_int_equal(plainlen, 0);
	assert_int_equal(entry_open(e, NULL, &plain, &plainlen), BAL_EINVAL);
	assert_null(plain);
	/* Kind 1 cannot be sealed without a key. */
	{
		struct entry_header h = mk_header(alice, NULL,
		    ENTRY_KIND_NOTE, 0);
		struct entry *x;

		assert_int_equal(entry_seal(&h, alice, NULL,
		    (const uint8_t *)"x", 1, &rng, &x), BAL_EINVAL);
		assert_null(x);
	}
	entry_free(e);
}

/*
 * entry_open_buf decrypts into the caller's buffer: the same plaintext as
 * entry_open, a buffer too small refused untouched, a failure leaves no
 * plaintext behind, and plaintext kinds are copied.
 */
static void
test_open_buf(void **state)
{
	static const uint8_t addr[] = { 0x91, 0xa3, 'a', 'b', 'c' };
	uint8_t buf[256], zero[256];
	struct entry_header h;
	struct entry *e, *p;
	size_t len, n = strlen(text);

	(void)state;
	memset(zero, 0, sizeof(zero));
	e = mk_note(alice, NULL);
	assert_int_equal(entry_plain_len(e), n);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(entry_open_buf(e, key, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, text, n);
	assert_int_equal(buf[n], 0xee);		/* nothing written beyond */
	/* Exactly big enough, then one byte short. */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(entry_open_buf(e, key, buf, n, &len), 0);
	assert_memory_equal(buf, text, n);
	memset(buf, 0xee, sizeof(buf));
	len = 99;
	assert_int_equal(entry_open_buf(e, key, buf, n - 1, &len),
	    BAL_ETOOBIG);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], 0xee);
	/* The wrong key: no plaintext remains in the buffer. */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(entry_open_buf(e, key2, buf, sizeof(buf), &len),
	    BAL_ECRYPTO);
	assert_int_equal(len, 0);
	assert_memory_equal(buf, zero, n);
	assert_int_equal(entry_open_buf(e, NULL, buf, sizeof(buf), &len),
	    BAL_EINVAL);
	assert_int_equal(entry_open_buf(NULL, key, buf, sizeof(buf), &len),
	    BAL_EINVAL);
	assert_int_equal(entry_open_buf(e, key, NULL, sizeof(buf), &len),
	    BAL_EINVAL);
	assert_int_equal(entry_open_buf(e, key, buf, sizeof(buf), NULL),
	    BAL_EINVAL);
	/* Erased: nothing to open. */
	entry_erase(e);
	assert_int_equal(entry_plain_len(e), 0);
	assert_int_equal(entry_open_buf(e, key, buf, sizeof(buf), &len),
	    BAL_ENOENT);
	entry_free(e);
	assert_int_equal(entry_plain_len(NULL), 0);

	/* Plaintext kinds: a copy of the body. */
	h = mk_header(alice, NULL, ENTRY_KIND_ANNOUNCE, 0);
	assert_int_equal(entry_seal(&h, alice, NULL, addr, sizeof(addr), NULL,
	    &p), 0);
	assert_int_equal(entry_plain_len(p), sizeof(addr));
	assert_int_equal(entry_open_buf(p, NULL, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(addr));
	assert_memory_equal(buf, addr, sizeof(addr));
	assert_int_equal(entry_open_buf(p, NULL, buf, sizeof(addr) - 1, &len),
	    BAL_ETOOBIG);
	entry_free(p);
}

/*
 * entry_decode_stored checks everything entry_decode checks but the
 * signature: a changed signature is not looked at, and every other
 * changed byte of a note is refused, by the decoder or (a header field:
 * the header is the AEAD's associated data) when the note is opened.
 */
static void
test_decode_stored(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	struct entry *e, *d;
	uint8_t *enc, *cut, buf[256];
	size_t enclen, i, m, len;
	int rc;

	(void)state;
	e = mk_note(alice, NULL);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	assert_int_equal(entry_decode_stored(enc, enclen, &d), 0);
	assert_memory_equal(&d->h, &e->h, sizeof(e->h));
	assert_memory_equal(d->id, e->id, BAL_HASH_BYTES);
	assert_int_equal(entry_open_buf(d, key, buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, text, len);
	entry_free(d);
	for (i = 0; i < enclen; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			enc[i] ^= masks[m];
			rc = entry_decode_stored(enc, enclen, &d);
			if (i >= enclen - BAL_SIG_BYTES) {
				assert_int_equal(rc, 0);
				assert_memory_equal(d->id, e->id,
				    BAL_HASH_BYTES);
				entry_free(d);
				assert_int_equal(entry_decode(enc, enclen,
				    &d), BAL_ECRYPTO);
			} else if (rc == 0) {
				rc = entry_open_buf(d, key, buf, sizeof(buf),
				    &len);
				entry_free(d);
				if (rc != BAL_ECRYPTO)
					fail_msg("tamper at %zu mask %02x "
					    "accepted (open: %d)", i, masks[m],
					    rc);
				d = NULL;
			}
			assert_null(d);
			enc[i] ^= masks[m];
		}
	}
	for (i = 0; i < enclen; i++) {
		cut = malloc(i + 1);
		assert_non_null(cut);
		memcpy(cut, enc, i);
		assert_int_not_equal(entry_decode_stored(i == 0 ? NULL : cut, i,
		    &d), 0);
		assert_null(d);
		free(cut);
	}
	free(enc);
	entry_free(e);
}

/* Every byte changed (three ways) is rejected by decode or by open. */
static void
tamper_all(const struct entry *e)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	uint8_t *enc, *plain;
	size_t enclen, plainlen, i, m;
	struct entry *d;
	int rc;

	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	for (i = 0; i < enclen; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			enc[i] ^= masks[m];
			rc = entry_decode(enc, enclen, &d);
			if (rc == 0) {
				/* Decode must have caught it; open surely. */
				rc = entry_open(d, key, &plain, &plainlen);
				entry_plain_free(plain, plainlen);
				entry_free(d);
				fail_msg("tamper at %zu mask %02x accepted "
				    "by decode (open: %d)", i, masks[m], rc);
			}
			assert_null(d);
			enc[i] ^= masks[m];
		}
	}
	/* The untouched bytes still decode. */
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	entry_free(d);
	free(enc);
}

static void
test_tamper_every_byte(void **state)
{
	struct entry *e, *p;
	struct entry_header h;

	(void)state;
	e = mk_note(alice, NULL);
	tamper_all(e);
	entry_erase(e);
	tamper_all(e);
	entry_free(e);

	h = mk_header(alice, NULL, ENTRY_KIND_ROSTER, 0);
	assert_int_equal(entry_seal(&h, alice, NULL,
	    (const uint8_t *)"\x92\x01\x02", 3, NULL, &p), 0);
	tamper_all(p);
	entry_free(p);
}

static void
test_truncation(void **state)
{
	struct entry *e;
	uint8_t *enc, *cut;
	size_t enclen, i;

	(void)state;
	e = mk_note(alice, NULL);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	for (i = 0; i < enclen; i++) {
		/* A copy of exactly i bytes, so ASan sees any overread. */
		cut = malloc(i + 1);
		assert_non_null(cut);
		memcpy(cut, enc, i);
		expect_decode(i == 0 ? NULL : cut, i,
		    BAL_EPROTO);
		free(cut);
	}
	/* And one byte too many. */
	cut = malloc(enclen + 1);
	assert_non_null(cut);
	memcpy(cut, enc, enclen);
	cut[enclen] = 0xc0;
	expect_decode(cut, enclen + 1, BAL_EPROTO);
	free(cut);
	free(enc);
	entry_free(e);
}

static void
test_other_signer(void **state)
{
	struct entry *e, *x;
	uint8_t *enc;
	size_t enclen;
	struct entry_header h;

	(void)state;
	/* Alice's header signed by Bob. */
	e = mk_note(alice, NULL);
	raw_entry(e->hdr, e->hdrlen, e->body, e->bodylen, NULL, bob, &enc,
	    &enclen);
	expect_decode(enc, enclen, BAL_ECRYPTO);
	free(enc);
	/* The same parts signed by Alice are fine (the builder is right). */
	raw_entry(e->hdr, e->hdrlen, e->body, e->bodylen, NULL, alice, &enc,
	    &enclen);
	assert_int_equal(entry_decode(enc, enclen, &x), 0);
	assert_memory_equal(x->id, e->id, 32);
	entry_free(x);
	free(enc);
	/* A signature over another body hash than the one carried. */
	raw_entry(e->hdr, e->hdrlen, e->body, e->bodylen, e->id, alice, &enc,
	    &enclen);
	expect_decode(enc, enclen, BAL_ECRYPTO);
	free(enc);
	/* Under another domain string. */
	{
		uint8_t msg[ENTRY_MAX_HEADER + 32], sig[64];
		uint8_t *enc2;
		size_t enc2len;

		memcpy(msg, e->hdr, e->hdrlen);
		memcpy(msg + e->hdrlen, e->body_hash, 32);
		assert_int_equal(identity_sign(alice, "balint-other-v1", msg,
		    e->hdrlen + 32, sig), 0);
		assert_int_equal(entry_encode(e, &enc2, &enc2len), 0);
		memcpy(enc2 + enc2len - 64, sig, 64);
		expect_decode(enc2, enc2len, BAL_ECRYPTO);
		free(enc2);
	}
	entry_free(e);
	/* Sealing a header whose author is not the signer is refused. */
	h = mk_header(alice, NULL, ENTRY_KIND_NOTE, 1);
	assert_int_equal(entry_seal(&h, bob, key, (const uint8_t *)"x", 1,
	    &rng, &x), BAL_EINVAL);
	assert_null(x);
}

static void
test_erased(void **state)
{
	struct entry *e, *d, *n2, *d2;
	uint8_t *enc, *enc2, *plain = (uint8_t *)1;
	size_t enclen, enc2len, plainlen;
	uint8_t id[32];

	(void)state;
	e = mk_note(alice, NULL);
	n2 = mk_note(alice, e);
	memcpy(id, e->id, 32);
	assert_false(entry_is_erased(e));
	entry_erase(e);
	assert_true(entry_is_erased(e));
	entry_erase(e);		/* twice is harmless */
	assert_memory_equal(e->id, id, 32);
	assert_int_equal(entry_open(e, key, &plain, &plainlen), BAL_ENOENT);
	assert_null(plain);

	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	assert_true(entry_is_erased(d));
	assert_memory_equal(d->id, id, 32);
	assert_memory_equal(d->body_hash, e->body_hash, 32);
	assert_int_equal(entry_open(d, key, &plain, &plainlen), BAL_ENOENT);
	/* The chain holds across the erased entry. */
	assert_int_equal(entry_follows(NULL, d), 0);
	assert_int_equal(entry_follows(d, n2), 0);
	/* Erasing a decoded entry gives the same bytes. */
	assert_int_equal(entry_encode(n2, &enc2, &enc2len), 0);
	assert_int_equal(entry_decode(enc2, enc2len, &d2), 0);
	entry_erase(d2);
	free(enc2);
	assert_int_equal(entry_encode(d2, &enc2, &enc2len), 0);
	entry_erase(n2);
	{
		uint8_t *enc3;
		size_t enc3len;

		assert_int_equal(entry_encode(n2, &enc3, &enc3len), 0);
		assert_int_equal(enc3len, enc2len);
		assert_memory_equal(enc3, enc2, enc2len);
		free(enc3);
	}
	free(enc);
	free(enc2);
	entry_free(e);
	entry_free(d);
	entry_free(n2);
	entry_free(d2);
}

static void
test_chain(void **state)
{
	struct entry *e1, *e2, *e3, *b1, *x;
	struct entry_header h;

	(void)state;
	e1 = mk_note(alice, NULL);
	e2 = mk_note(alice, e1);
	e3 = mk_note(alice, e2);
	b1 = mk_note(bob, NULL);
	assert_int_equal(entry_follows(NULL, e1), 0);
	assert_int_equal(entry_follows(e1, e2), 0);
	assert_int_equal(entry_follows(e2, e3), 0);
	assert_int_equal(e3->h.seq, 3);
	assert_memory_equal(e3->h.prev, e2->id, 32);

	/* Gap. */
	assert_int_equal(entry_follows(e1, e3), BAL_ECHAIN);
	assert_int_equal(entry_follows(NULL, e2), BAL_ECHAIN);
	/* Backwards, and an entry after itself. */
	assert_int_equal(entry_follows(e2, e1), BAL_ECHAIN);
	assert_int_equal(entry_follows(e2, e2), BAL_ECHAIN);
	/* Other author. */
	assert_int_equal(entry_follows(b1, e2), BAL_ECHAIN);
	/* Right seq, wrong prev hash. */
	h = mk_header(alice, e1, ENTRY_KIND_NOTE, 7);
	h.prev[5] ^= 1;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(e1, x), BAL_ECHAIN);
	entry_free(x);
	/* Other group. */
	h = mk_header(alice, e1, ENTRY_KIND_NOTE, 7);
	memcpy(h.group, group2, 32);
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(e1, x), BAL_ECHAIN);
	entry_free(x);
	/* Lamport not increasing. */
	h = mk_header(alice, e1, ENTRY_KIND_NOTE, 7);
	h.lamport = e1->h.lamport;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(e1, x), BAL_ECHAIN);
	entry_free(x);
	/* A lamport step above ENTRY_MAX_LAMPORT_STEP, and one at it. */
	h = mk_header(alice, e1, ENTRY_KIND_NOTE, 7);
	h.lamport = e1->h.lamport + ENTRY_MAX_LAMPORT_STEP + 1;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(e1, x), BAL_ECHAIN);
	entry_free(x);
	h.lamport = ENTRY_MAX_COUNTER;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(e1, x), BAL_ECHAIN);
	entry_free(x);
	h.lamport = e1->h.lamport + ENTRY_MAX_LAMPORT_STEP;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(e1, x), 0);
	entry_free(x);
	/* The first entry of a log: a lamport of at most the step. */
	h = mk_header(alice, NULL, ENTRY_KIND_NOTE, 7);
	h.lamport = ENTRY_MAX_LAMPORT_STEP;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(NULL, x), 0);
	entry_free(x);
	h.lamport = ENTRY_MAX_LAMPORT_STEP + 1;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(NULL, x), BAL_ECHAIN);
	entry_free(x);
	/* Seq 1 with a non-zero prev. */
	h = mk_header(alice, NULL, ENTRY_KIND_NOTE, 7);
	h.prev[31] = 1;
	assert_int_equal(entry_seal(&h, alice, key, (const uint8_t *)"y", 1,
	    &rng, &x), 0);
	assert_int_equal(entry_follows(NULL, x), BAL_ECHAIN);
	entry_free(x);
	assert_int_equal(entry_follows(NULL, NULL), BAL_EINVAL);

	entry_free(e1);
	entry_free(e2);
	entry_free(e3);
	entry_free(b1);
}

static void
test_header_next(void **state)
{
	struct entry_header h;
	struct entry *e1, *e2;

	(void)state;
	assert_int_equal(entry_header_next(&h, group, alice->pk, NULL, 0), 0);
	assert_int_equal(h.seq, 1);
	assert_int_equal(h.lamport, 1);
	assert_int_equal(h.kind, 0);
	assert_int_equal(h.epoch, 0);
	assert_int_equal(h.time, 0);
	{
		static const uint8_t zero[32];

		assert_memory_equal(h.prev, zero, 32);
	}
	assert_int_equal(entry_header_next(&h, group, alice->pk, NULL, 41),
	    0);
	assert_int_equal(h.lamport, 42);

	e1 = mk_note(alice, NULL);
	/* observed below prev: prev's lamport + 1 */
	assert_int_equal(entry_header_next(&h, group, alice->pk, e1, 0), 0);
	assert_int_equal(h.seq, 2);
	assert_int_equal(h.lamport, e1->h.lamport + 1);
	assert_memory_equal(h.prev, e1->id, 32);
	/* observed above prev: observed + 1 */
	assert_int_equal(entry_header_next(&h, group, alice->pk, e1, 1000), 0);
	assert_int_equal(h.lamport, 1001);
	h.kind = ENTRY_KIND_NOTE;
	assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng, &e2), 0);
	assert_int_equal(entry_follows(e1, e2), 0);
	entry_free(e2);

	/* prev of another author or group. */
	assert_int_equal(entry_header_next(&h, group, bob->pk, e1, 0),
	    BAL_EINVAL);
	assert_int_equal(entry_header_next(&h, group2, alice->pk, e1, 0),
	    BAL_EINVAL);
	/*
	 * A clock pushed far ahead is followed by at most
	 * ENTRY_MAX_LAMPORT_STEP per entry, so that peers take the entry.
	 */
	assert_int_equal(entry_header_next(&h, group, alice->pk, NULL,
	    ENTRY_MAX_COUNTER), 0);
	assert_int_equal(h.lamport, ENTRY_MAX_LAMPORT_STEP);
	assert_int_equal(entry_header_next(&h, group, alice->pk, NULL,
	    UINT64_MAX), 0);
	assert_int_equal(h.lamport, ENTRY_MAX_LAMPORT_STEP);
	assert_int_equal(entry_header_next(&h, group, alice->pk, NULL,
	    ENTRY_MAX_LAMPORT_STEP - 1), 0);
	assert_int_equal(h.lamport, ENTRY_MAX_LAMPORT_STEP);
	assert_int_equal(entry_header_next(&h, group, alice->pk, e1,
	    ENTRY_MAX_COUNTER), 0);
	assert_int_equal(h.lamport, e1->h.lamport + ENTRY_MAX_LAMPORT_STEP);
	h.kind = ENTRY_KIND_NOTE;
	assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng, &e2), 0);
	assert_int_equal(entry_follows(e1, e2), 0);
	entry_free(e2);
	/* Counters at their limit. */
	e1->h.lamport = ENTRY_MAX_COUNTER - 10;
	assert_int_equal(entry_header_next(&h, group, alice->pk, e1,
	    UINT64_MAX), 0);
	assert_int_equal(h.lamport, ENTRY_MAX_COUNTER);
	e1->h.lamport = ENTRY_MAX_COUNTER;
	assert_int_equal(entry_header_next(&h, group, alice->pk, e1, 0),
	    BAL_ETOOBIG);
	e1->h.lamport = 1;
	e1->h.seq = ENTRY_MAX_COUNTER;	/* a fake log at its end */
	assert_int_equal(entry_header_next(&h, group, alice->pk, e1, 0),
	    BAL_ETOOBIG);
	entry_free(e1);
}

/* Splices: replaces hdr[at..at+dellen) with ins[0..inslen). */
static uint8_t *
splice(const uint8_t *hdr, size_t hdrlen, size_t at, size_t dellen,
    const uint8_t *ins, size_t inslen, size_t *outlen)
{
	uint8_t *p = malloc(hdrlen - dellen + inslen);

	assert_non_null(p);
	memcpy(p, hdr, at);
	memcpy(p + at, ins, inslen);
	memcpy(p + at + inslen, hdr + at + dellen, hdrlen - at - dellen);
	*outlen = hdrlen - dellen + inslen;
	return p;
}

static void
test_noncanonical(void **state)
{
	/* Offset of seq in a header: array, version, kind, two bin32. */
	enum { SEQ_AT = 1 + 1 + 1 + 34 + 34 };
	static const uint8_t seq_u8[] = { 0xcc, 0x01 };
	static const uint8_t seq_i8[] = { 0xd0, 0x01 };
	static const uint8_t seq_u64[] = { 0xcf, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t arr16[] = { 0xdc, 0x00, 0x09 };
	static const uint8_t grp16[] = { 0xc5, 0x00, 0x20 };
	struct entry *e;
	uint8_t *hdr, *enc;
	size_t hdrlen, enclen;

	(void)state;
	e = mk_note(alice, NULL);
	assert_int_equal(e->hdr[0], 0x99);
	assert_int_equal(e->hdr[SEQ_AT], 0x01);

	/* Non-canonical but signed headers: same values, other bytes. */
#define CHECK(at, del, ins) do {					\
	hdr = splice(e->hdr, e->hdrlen, (at), (del), (ins), sizeof(ins),	\
	    &hdrlen);							\
	raw_entry(hdr, hdrlen, e->body, e->bodylen, NULL, alice, &enc,	\
	    &enclen);							\
	expect_decode(enc, enclen, BAL_EPROTO);				\
	free(hdr);							\
	free(enc);							\
} while (0)
	CHECK(SEQ_AT, 1, seq_u8);
	CHECK(SEQ_AT, 1, seq_i8);
	CHECK(SEQ_AT, 1, seq_u64);
	CHECK(0, 1, arr16);
	CHECK(3, 2, grp16);
#undef CHECK

	/* The outer array with a bin16 header field instead of bin8. */
	{
		uint8_t sig[64];
		msgpack_sbuffer sb;
		msgpack_packer pk;
		static const uint8_t b16[] = { 0xc5, 0x00 };

		assert_int_equal(entry_encode(e, &enc, &enclen), 0);
		memcpy(sig, enc + enclen - 64, 64);
		free(enc);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		msgpack_sbuffer_write(&sb, (const char *)b16, 2);
		msgpack_sbuffer_write(&sb, (const char *)&(uint8_t){
		    (uint8_t)e->hdrlen }, 1);
		msgpack_sbuffer_write(&sb, (const char *)e->hdr, e->hdrlen);
		mp_pack_bin(&pk, e->body_hash, 32);
		mp_pack_bin(&pk, e->body, e->bodylen);
		mp_pack_bin(&pk, sig, 64);
		expect_decode((const uint8_t *)sb.data, sb.size, BAL_EPROTO);
		msgpack_sbuffer_destroy(&sb);
	}
	/* A str where a bin belongs. */
	{
		msgpack_sbuffer sb;
		msgpack_packer pk;

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		mp_pack_bin(&pk, e->hdr, e->hdrlen);
		mp_pack_bin(&pk, e->body_hash, 32);
		mp_pack_str(&pk, "abc", 3);
		mp_pack_bin(&pk, e->sig, 64);
		expect_decode((const uint8_t *)sb.data, sb.size, BAL_EPROTO);
		msgpack_sbuffer_destroy(&sb);
	}
	entry_free(e);
}

static void
test_bad_header_fields(void **state)
{
	struct entry_header h;

	(void)state;
	h = mk_header(alice, NULL, ENTRY_KIND_NOTE, 3);
	/* The builder makes valid entries when the header is valid. */
	{
		uint8_t *hdr, *enc;
		size_t hdrlen, enclen;
		uint8_t body[64];
		struct entry *e;

		memset(body, 0x5a, sizeof(body));
		raw_header(&h, ENTRY_VERSION, &hdr, &hdrlen);
		raw_entry(hdr, hdrlen, body, sizeof(body), NULL, alice, &enc,
		    &enclen);
		assert_int_equal(entry_decode(enc, enclen, &e), 0);
		entry_free(e);
		/* A kind-1 body shorter than nonce + tag. */
		free(enc);
		raw_entry(hdr, hdrlen, body, 39, NULL, alice, &enc, &enclen);
		expect_decode(enc, enclen, BAL_EPROTO);
		free(enc);
		free(hdr);
	}
	expect_header_rejected(&h, 1, BAL_EVERSION);	/* the old format */
	expect_header_rejected(&h, 3, BAL_EVERSION);
	expect_header_rejected(&h, 0, BAL_EVERSION);
	h.kind = 0;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.kind = 4;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.kind = ENTRY_KIND_NOTE;
	h.seq = 0;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.seq = ENTRY_MAX_COUNTER + 1;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.seq = 1;
	h.lamport = UINT64_MAX;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.lamport = 1;
	h.time = ENTRY_MAX_COUNTER + 1;
	expect_header_rejected(&h, ENTRY_VERSION, BAL_EPROTO);
	h.time = 0;
	/* Epoch may use all 64 bits. */
	h.epoch = UINT64_MAX;
	{
		struct entry *e;

		assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng,
		    &e), 0);
		entry_free(e);
	}
	/* The same invalid fields are refused by entry_seal. */
	h.seq = 0;
	{
		struct entry *e;
		uint8_t *p;
		size_t plen;

		assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng,
		    &e), BAL_EINVAL);
		assert_int_equal(entry_header_encode(&h, &p, &plen),
		    BAL_EINVAL);
		assert_null(p);
		h.seq = 1;
		h.kind = 9;
		assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng,
		    &e), BAL_EINVAL);
		h.kind = ENTRY_KIND_NOTE;
		assert_int_equal(entry_header_encode(&h, &p, &plen), 0);
		assert_true(plen <= ENTRY_MAX_HEADER);
		free(p);
		/* The longest header fits ENTRY_MAX_HEADER exactly. */
		h.seq = h.lamport = h.time = ENTRY_MAX_COUNTER;
		h.epoch = UINT64_MAX;
		assert_int_equal(entry_header_encode(&h, &p, &plen), 0);
		assert_int_equal(plen, ENTRY_MAX_HEADER);
		free(p);
		assert_int_equal(entry_seal(&h, alice, key, NULL, 0, &rng,
		    &e), 0);
		entry_free(e);
	}
	/* A header array with a tenth field. */
	{
		msgpack_sbuffer sb;
		msgpack_packer pk;
		uint8_t *hdr, *enc;
		size_t hdrlen, enclen;

		h = mk_header(alice, NULL, ENTRY_KIND_NOTE, 3);
		raw_header(&h, ENTRY_VERSION, &hdr, &hdrlen);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 10);
		msgpack_sbuffer_write(&sb, (const char *)hdr + 1, hdrlen - 1);
		msgpack_pack_uint64(&pk, 0);
		raw_entry((const uint8_t *)sb.data, sb.size,
		    (const uint8_t *)"0123456789012345678901234567890123456789",
		    40, NULL, alice, &enc, &enclen);
		expect_decode(enc, enclen, BAL_EPROTO);
		free(enc);
		/* Trailing bytes after the header array. */
		msgpack_sbuffer_destroy(&sb);
		msgpack_sbuffer_init(&sb);
		msgpack_sbuffer_write(&sb, (const char *)hdr, hdrlen);
		msgpack_sbuffer_write(&sb, "\x00", 1);
		raw_entry((const uint8_t *)sb.data, sb.size,
		    (const uint8_t *)"0123456789012345678901234567890123456789",
		    40, NULL, alice, &enc, &enclen);
		expect_decode(enc, enclen, BAL_EPROTO);
		free(enc);
		msgpack_sbuffer_destroy(&sb);
		free(hdr);
	}
}

static void
test_oversized(void **state)
{
	struct entry_header h;
	struct entry *e, *d;
	uint8_t *big, *enc, *hdr, *plain;
	size_t enclen, hdrlen, plainlen;

	(void)state;
	big = calloc(1, ENTRY_MAX_BODY + 2);
	assert_non_null(big);
	memset(big, 'x', ENTRY_MAX_BODY + 1);

	h = mk_header(alice, NULL, ENTRY_KIND_NOTE, 1);
	assert_int_equal(entry_seal(&h, alice, key, big, ENTRY_MAX_PLAIN + 1,
	    &rng, &e), BAL_ETOOBIG);
	assert_null(e);
	assert_int_equal(entry_seal(&h, alice, key, big, ENTRY_MAX_PLAIN,
	    &rng, &e), 0);
	assert_int_equal(e->bodylen, ENTRY_MAX_BODY);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	assert_true(enclen <= ENTRY_MAX_ENCODED);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	assert_int_equal(entry_open(d, key, &plain, &plainlen), 0);
	assert_int_equal(plainlen, ENTRY_MAX_PLAIN);
	assert_memory_equal(plain, big, plainlen);
	entry_plain_free(plain, plainlen);
	entry_free(d);
	entry_free(e);
	free(enc);

	h = mk_header(alice, NULL, ENTRY_KIND_ANNOUNCE, 0);
	assert_int_equal(entry_seal(&h, alice, NULL, big, ENTRY_MAX_BODY + 1,
	    NULL, &e), BAL_ETOOBIG);
	assert_int_equal(entry_seal(&h, alice, NULL, big, ENTRY_MAX_BODY,
	    NULL, &e), 0);
	entry_free(e);

	/* A signed entry whose body is one byte over the limit. */
	raw_header(&h, ENTRY_VERSION, &hdr, &hdrlen);
	raw_entry(hdr, hdrlen, big, ENTRY_MAX_BODY + 1, NULL, alice, &enc,
	    &enclen);
	expect_decode(enc, enclen, BAL_ETOOBIG);
	free(enc);
	raw_entry(hdr, hdrlen, big, ENTRY_MAX_BODY, NULL, alice, &enc,
	    &enclen);
	assert_int_equal(entry_decode(enc, enclen, &d), 0);
	entry_free(d);
	free(enc);
	free(hdr);

	/* Any buffer over ENTRY_MAX_ENCODED is refused before parsing. */
	free(big);
	big = calloc(1, ENTRY_MAX_ENCODED + 1);
	assert_non_null(big);
	expect_decode(big, ENTRY_MAX_ENCODED + 1, BAL_ETOOBIG);
	free(big);
}

static void
test_garbage(void **state)
{
	static const uint8_t shapes[][8] = {
		{ 0xc0 },			/* nil */
		{ 0x90 },			/* [] */
		{ 0x80 },			/* {} */
		{ 0x94, 1, 2, 3, 4 },		/* [1,2,3,4] */
		{ 0x94, 0xc0, 0xc0, 0xc0, 0xc0 },
		{ 0xdd, 0xff, 0xff, 0xff, 0xff },	/* array32 claim */
		{ 0xc6, 0xff, 0xff, 0xff, 0xff },	/* bin32 claim */
		{ 0x94, 0xc4, 0x00, 0xc4, 0x00, 0xc0, 0xc4, 0x00 },
	};
	static const size_t shape_len[] = { 1, 1, 1, 5, 5, 5, 5, 8 };
	uint8_t buf[512], two[2];
	uint64_t st = 7;
	size_t i, len;
	int b;

	(void)state;
	expect_decode(NULL, 0, BAL_EPROTO);
	expect_decode(buf, 0, BAL_EPROTO);
	for (i = 0; i < sizeof(shape_len) / sizeof(shape_len[0]); i++) {
		struct entry *e;

		assert_int_not_equal(entry_decode(shapes[i], shape_len[i], &e),
		    0);
		assert_null(e);
	}
	for (b = 0; b < 256; b++) {
		struct entry *e;

		two[0] = (uint8_t)b;
		assert_int_not_equal(entry_decode(two, 1, &e), 0);
		two[1] = 0;
		assert_int_not_equal(entry_decode(two, 2, &e), 0);
		assert_null(e);
	}
	for (i = 0; i < 2000; i++) {
		struct entry *e;

		det_fill(&st, &len, sizeof(len));
		len = len % sizeof(buf) + 1;
		det_fill(&st, buf, len);
		if (i % 2)
			buf[0] = 0x94;	/* at least the right outer array */
		assert_int_not_equal(entry_decode(buf, len, &e), 0);
		assert_null(e);
	}
	/* NULL-safe helpers. */
	entry_free(NULL);
	entry_plain_free(NULL, 0);
	entry_erase(NULL);
	assert_true(entry_is_erased(NULL));
	{
		uint8_t *p;
		size_t plen;

		assert_int_equal(entry_encode(NULL, &p, &plen), BAL_EINVAL);
		assert_int_equal(entry_open(NULL, key, &p, &plen), BAL_EINVAL);
	}
}

static void
test_deterministic(void **state)
{
	struct entry *e1, *e2;
	uint8_t *a, *b;
	size_t alen, blen;

	(void)state;
	rng_state = 1234;
	e1 = mk_note(alice, NULL);
	rng_state = 1234;
	e2 = mk_note(alice, NULL);
	assert_int_equal(entry_encode(e1, &a, &alen), 0);
	assert_int_equal(entry_encode(e2, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	entry_free(e2);
	/* Another nonce: another ciphertext and id. */
	e2 = mk_note(alice, NULL);
	assert_memory_not_equal(e1->id, e2->id, 32);
	assert_memory_not_equal(e1->body, e2->body, ENTRY_NONCE_BYTES);
	entry_free(e1);
	entry_free(e2);
}

/* The id and signature inputs, recomputed independently. */
static void
test_id_and_sig_inputs(void **state)
{
	struct entry *e;
	uint8_t *m, id[32], hash[32];
	size_t dlen = strlen("balint-entry-id-v1");

	(void)state;
	e = mk_note(alice, NULL);
	body_hash(e->body, e->bodylen, hash);
	assert_memory_equal(hash, e->body_hash, 32);
	m = malloc(dlen + e->hdrlen + 32);
	assert_non_null(m);
	memcpy(m, "balint-entry-id-v1", dlen);
	memcpy(m + dlen, e->hdr, e->hdrlen);
	memcpy(m + dlen + e->hdrlen, e->body_hash, 32);
	crypto_generichash(id, 32, m, dlen + e->hdrlen + 32, NULL, 0);
	assert_memory_equal(id, e->id, 32);
	free(m);

	/* Signature: Ed25519 over "balint-entry-v1" || header || hash. */
	dlen = strlen("balint-entry-v1");
	m = malloc(dlen + e->hdrlen + 32);
	assert_non_null(m);
	memcpy(m, "balint-entry-v1", dlen);
	memcpy(m + dlen, e->hdr, e->hdrlen);
	memcpy(m + dlen + e->hdrlen, e->body_hash, 32);
	assert_int_equal(crypto_sign_verify_detached(e->sig, m,
	    dlen + e->hdrlen + 32, alice->pk), 0);
	free(m);

	/*
	 * The AEAD: nonce || ciphertext, header bytes as AD, under the note
	 * key crypto_kdf_derive_from_key(32, 1, "bal_note", epoch key).
	 */
	{
		uint8_t out[sizeof(text)], nk[32];
		unsigned long long olen;

		crypto_kdf_derive_from_key(nk, sizeof(nk), 1, "bal_note", key);
		assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, &olen, NULL, e->body + 24, e->bodylen - 24, e->hdr,
		    e->hdrlen, e->body, nk), 0);
		assert_int_equal(olen, strlen(text));
		/* Without the header as AD it does not open. */
		assert_int_not_equal(
		    crypto_aead_xchacha20poly1305_ietf_decrypt(out, &olen,
		    NULL, e->body + 24, e->bodylen - 24, NULL, 0, e->body,
		    nk), 0);
		/* Nor under the epoch key itself: it encrypts nothing. */
		assert_int_not_equal(
		    crypto_aead_xchacha20poly1305_ietf_decrypt(out, &olen,
		    NULL, e->body + 24, e->bodylen - 24, e->hdr, e->hdrlen,
		    e->body, key), 0);
		/* The kdf computed here matches Python's hashlib vector. */
		{
			uint8_t ek[32], want[32];
			size_t i;
			static const uint8_t v[32] = {
				0xd7, 0x3b, 0x1b, 0xcd, 0xe3, 0x77, 0x47, 0x33,
				0xb8, 0xa9, 0xec, 0x4b, 0xfe, 0x9a, 0x6b, 0x57,
				0x55, 0xfd, 0xf6, 0xa2, 0x7f, 0xfa, 0x4d, 0xee,
				0x4d, 0x00, 0x44, 0x6f, 0xac, 0xc5, 0xfe, 0xa0,
			};

			for (i = 0; i < 32; i++)
				ek[i] = (uint8_t)i;
			entry_note_key(ek, want);
			assert_memory_equal(want, v, 32);
		}
	}
	entry_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_open_roundtrip),
		cmocka_unit_test(test_plain_kinds),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_open_buf),
		cmocka_unit_test(test_decode_stored),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_other_signer),
		cmocka_unit_test(test_erased),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_header_next),
		cmocka_unit_test(test_noncanonical),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_id_and_sig_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
