/*
 * test-contract.c — the encoded contract: round trips, group id, canonical
 * form, hostile input, the leader's signature, acceptance, amendments,
 * known answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "contract.h"
#include "identity.h"
#include "mp.h"

#define T0 1700000000000ULL	/* a fixed creation time, Unix ms */
#include "contract-fixture.h"

static void
test_encode_decode_roundtrip(void **state)
{
	struct contract *c, *d, *e;
	uint8_t *e1, *e2;
	size_t l1, l2;

	(void)state;
	c = full_contract();
	encode_ok(c, &e1, &l1);
	assert_int_equal(contract_decode(e1, l1, &d), 0);
	assert_string_equal(d->name, c->name);
	assert_string_equal(d->text, c->text);
	assert_string_equal(d->cadence, c->cadence);
	assert_int_equal(d->nleaders, 2);
	assert_memory_equal(d->leaders, c->leaders, sizeof(c->leaders));
	assert_int_equal(d->history, c->history);
	assert_int_equal(d->retention_days, c->retention_days);
	assert_int_equal(d->created_ms, c->created_ms);
	assert_memory_equal(d->salt, c->salt, 32);
	assert_memory_equal(d->prev, c->prev, 32);
	encode_ok(d, &e2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(e1, e2, l1);
	free(e2);

	assert_int_equal(contract_dup(d, &e), 0);
	assert_ptr_not_equal(e->name, d->name);
	encode_ok(e, &e2, &l2);
	assert_memory_equal(e1, e2, l1);
	free(e1);
	free(e2);
	contract_free(c);
	contract_free(d);
	contract_free(e);

	/* NULL strings in a hand-built contract encode as "". */
	c = parse_ok("Name: G\n");
	free(c->text);
	free(c->cadence);
	c->text = c->cadence = NULL;
	c->created_ms = UINT64_MAX;
	encode_ok(c, &e1, &l1);
	assert_int_equal(contract_decode(e1, l1, &d), 0);
	assert_string_equal(d->text, "");
	assert_string_equal(d->cadence, "");
	assert_true(d->created_ms == UINT64_MAX);
	free(e1);
	contract_free(c);
	contract_free(d);

	contract_free(NULL);
}

/* Each field change gives another hash; the hash does not wander. */
/*
 * Network: tor-only is the 12th element of the encoding, after
 * Identifiers (written as its default then); the default "any" is never
 * written, so contracts made before it keep their bytes and group id, and
 * a written "any" is not canonical.
 */
static void
test_network(void **state)
{
	struct contract *c, *a, *back = NULL;
	uint8_t *enc = NULL, *enc2 = NULL, h1[BAL_HASH_BYTES],
	    h2[BAL_HASH_BYTES];
	size_t len, len2;
	char *text = NULL;

	(void)state;
	c = parse_ok("Name: G\n");
	assert_int_equal(c->network, CONTRACT_NETWORK_ANY);
	assert_int_equal(contract_encode(c, &enc, &len), 0);
	assert_int_equal(enc[0], 0x9a);		/* fixarray of 10 */
	a = parse_ok("Name: G\nNetwork: any\n");
	assert_int_equal(contract_encode(a, &enc2, &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(enc, enc2, len);
	free(enc2);
	contract_free(a);
	a = parse_ok("Name: G\nnetwork: Tor-Only\n");
	assert_int_equal(a->network, CONTRACT_NETWORK_TOR_ONLY);
	assert_int_equal(contract_encode(a, &enc2, &len2), 0);
	assert_int_equal(enc2[0], 0x9c);	/* fixarray of 12 */
	assert_int_equal(len2, len + 2);
	assert_int_equal(enc2[len2 - 2], 0x00);	/* Identifiers: refuse */
	assert_int_equal(enc2[len2 - 1], 0x01);	/* Network: tor-only */
	assert_int_equal(contract_decode(enc2, len2, &back), 0);
	assert_int_equal(back->network, CONTRACT_NETWORK_TOR_ONLY);
	assert_int_equal(contract_hash(c, h1), 0);
	assert_int_equal(contract_hash(a, h2), 0);
	assert_memory_not_equal(h1, h2, BAL_HASH_BYTES);
	/* The text form says so. */
	assert_int_equal(contract_text(a, NULL, &text, NULL), 0);
	assert_non_null(strstr(text, "Network: tor-only\n"));
	free(text);
	contract_free(back);
	back = NULL;
	/* "any" written out, or another value: not canonical / refused. */
	enc2[len2 - 1] = 0x00;
	assert_int_equal(contract_decode(enc2, len2, &back), BAL_EPROTO);
	enc2[len2 - 1] = 0x02;
	assert_int_equal(contract_decode(enc2, len2, &back), BAL_EPROTO);
	assert_null(back);
	free(enc);
	free(enc2);
	contract_free(a);
	contract_free(c);
}

static void
test_group_id(void **state)
{
	uint8_t g0[32], g1[32], h[32], seen[12][32];
	struct contract *c, *d;
	char *s;
	int i, j, n = 0;

	(void)state;
	c = full_contract();
	assert_int_equal(contract_group_id(c, g0), 0);
	assert_int_equal(contract_group_id(c, g1), 0);
	assert_memory_equal(g0, g1, 32);
	assert_int_equal(contract_hash(c, h), 0);
	assert_memory_equal(g0, h, 32);
	/* A second parse of the same text and inputs: the same group id. */
	d = full_contract();
	assert_int_equal(contract_group_id(d, g1), 0);
	assert_memory_equal(g0, g1, 32);
	contract_free(d);

	/* The domain prefix is part of the hash: check it by hand. */
	{
		crypto_generichash_state st;
		uint8_t *enc;
		size_t len;

		encode_ok(c, &enc, &len);
		crypto_generichash_init(&st, NULL, 0, 32);
		crypto_generichash_update(&st,
		    (const unsigned char *)"balint-group-v1", 15);
		crypto_generichash_update(&st, enc, len);
		crypto_generichash_final(&st, h, 32);
		assert_memory_equal(g0, h, 32);
		crypto_generichash(h, 32, enc, len, NULL, 0);
		assert_memory_not_equal(g0, h, 32);
		free(enc);
	}

	memcpy(seen[n++], g0, 32);
	for (i = 0; i < 10; i++) {
		s = full_text();
		d = parse_ok(s);
		free(s);
		switch (i) {
		case 0: d->name[0] = 'b'; break;
		case 1: d->text[0] = 'g'; break;
		case 2: d->cadence[0] = 'E'; break;
		case 3: d->history = CONTRACT_HISTORY_FROM_JOIN; break;
		case 4: d->retention_days = 731; break;
		case 5: d->created_ms++; break;
		case 6: d->salt[31] ^= 1; break;
		case 7: d->nleaders = 1; break;
		case 8: memcpy(d->leaders[1], carol->pk, 32); break;
		case 9: d->prev[0] = 1; break;
		}
		if (i == 9) {
			assert_int_equal(contract_group_id(d, h), BAL_ESTATE);
			assert_int_equal(contract_hash(d, h), 0);
		} else {
			assert_int_equal(contract_group_id(d, h), 0);
		}
		for (j = 0; j < n; j++)
			assert_memory_not_equal(h, seen[j], 32);
		memcpy(seen[n++], h, 32);
		contract_free(d);
	}
	/* Swapping the two leaders is another contract too. */
	memcpy(c->leaders[0], contract_bob->pk, 32);
	memcpy(c->leaders[1], contract_alice->pk, 32);
	assert_int_equal(contract_group_id(c, h), 0);
	for (j = 0; j < n; j++)
		assert_memory_not_equal(h, seen[j], 32);
	contract_free(c);
}

/* Variants of the hand-made encoding in test_noncanonical. */
enum {
	V_CANON,
	V_WIDE_VERSION,
	V_WIDE_HISTORY,
	V_WIDE_RETENTION,
	V_WIDE_CREATED,
	V_INT16_RETENTION,
	V_STR8_NAME,
	V_STR16_CADENCE,
	V_BIN16_SALT,
	V_ARRAY16,
	V_ARRAY16_LEADERS,
	V_EXTRA_FIELD,
	V_MISSING_FIELD,
	V_NIL_CADENCE,
	V_BIN_NAME,
	V_MAP,
	V_VERSION2,
	V_COUNT
};

static void
raw(msgpack_sbuffer *sb, const void *p, size_t n)
{
	assert_int_equal(msgpack_sbuffer_write(sb, p, n), 0);
}

/*
 * Packs c field by field as docs/protocol.md describes, without
 * any validity check, with one variant applied.
 */
static void
pack_by_hand(const struct contract *c, int v, uint8_t **out, size_t *len)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint8_t hdr[3];
	size_t n;
	unsigned i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (v == V_MAP) {
		msgpack_pack_map(&pk, 1);
		msgpack_pack_uint32(&pk, 1);
		msgpack_pack_nil(&pk);
		goto done;
	}
	n = v == V_EXTRA_FIELD ? 11 : v == V_MISSING_FIELD ? 9 : 10;
	if (v == V_ARRAY16) {
		hdr[0] = 0xdc;
		hdr[1] = 0;
		hdr[2] = (uint8_t)n;
		raw(&sb, hdr, 3);
	} else {
		msgpack_pack_array(&pk, n);
	}
	if (v == V_WIDE_VERSION)
		msgpack_pack_fix_uint8(&pk, (uint8_t)c->version);
	else
		msgpack_pack_uint32(&pk, v == V_VERSION2 ? 2 : c->version);
	n = strlen(c->name);
	if (v == V_STR8_NAME) {
		hdr[0] = 0xd9;
		hdr[1] = (uint8_t)n;
		raw(&sb, hdr, 2);
		raw(&sb, c->name, n);
	} else if (v == V_BIN_NAME) {
		mp_pack_bin(&pk, c->name, n);
	} else {
		mp_pack_str(&pk, c->name, n);
	}
	mp_pack_str(&pk, c->text, strlen(c->text));
	if (v == V_ARRAY16_LEADERS) {
		hdr[0] = 0xdc;
		hdr[1] = 0;
		hdr[2] = (uint8_t)c->nleaders;
		raw(&sb, hdr, 3);
	} else {
		msgpack_pack_array(&pk, c->nleaders);
	}
	for (i = 0; i < c->nleaders; i++)
		mp_pack_bin(&pk, c->leaders[i], 32);
	n = strlen(c->cadence);
	if (v == V_NIL_CADENCE) {
		msgpack_pack_nil(&pk);
	} else if (v == V_STR16_CADENCE) {
		hdr[0] = 0xda;
		hdr[1] = (uint8_t)(n >> 8);
		hdr[2] = (uint8_t)n;
		raw(&sb, hdr, 3);
		raw(&sb, c->cadence, n);
	} else {
		mp_pack_str(&pk, c->cadence, n);
	}
	if (v == V_WIDE_HISTORY)
		msgpack_pack_fix_uint16(&pk, (uint16_t)c->history);
	else
		msgpack_pack_uint32(&pk, (uint32_t)c->history);
	if (v == V_WIDE_RETENTION)
		msgpack_pack_fix_uint32(&pk, c->retention_days);
	else if (v == V_INT16_RETENTION)
		msgpack_pack_fix_int16(&pk, (int16_t)c->retention_days);
	else
		msgpack_pack_uint32(&pk, c->retention_days);
	if (v == V_WIDE_CREATED)
		msgpack_pack_fix_uint64(&pk, c->created_ms);
	else
		msgpack_pack_uint64(&pk, c->created_ms);
	if (v == V_BIN16_SALT) {
		hdr[0] = 0xc5;
		hdr[1] = 0;
		hdr[2] = 32;
		raw(&sb, hdr, 3);
		raw(&sb, c->salt, 32);
	} else {
		mp_pack_bin(&pk, c->salt, 32);
	}
	if (v != V_MISSING_FIELD)
		mp_pack_bin(&pk, c->prev, 32);
	if (v == V_EXTRA_FIELD)
		msgpack_pack_nil(&pk);
done:
	assert_int_equal(mp_sbuf_take(&sb, out, len), 0);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_noncanonical(void **state)
{
	struct contract *c, *d;
	uint8_t *canon, *buf;
	size_t clen, len;
	int v;

	(void)state;
	c = full_contract();
	c->retention_days = 300;	/* > 255: uint16 in canonical form */
	c->created_ms = 70000;		/* uint32 in canonical form */
	encode_ok(c, &canon, &clen);
	pack_by_hand(c, V_CANON, &buf, &len);
	/* The documented layout is what contract_encode writes. */
	assert_int_equal(len, clen);
	assert_memory_equal(buf, canon, len);
	free(buf);
	for (v = V_CANON + 1; v < V_COUNT; v++) {
		pack_by_hand(c, v, &buf, &len);
		d = (struct contract *)1;
		assert_int_equal(contract_decode(buf, len, &d),
		    v == V_VERSION2 ? BAL_EVERSION : BAL_EPROTO);
		assert_null(d);
		free(buf);
	}
	free(canon);
	contract_free(c);
}

/* Contracts that are well-formed msgpack but break a rule. */
static void
test_decode_semantic(void **state)
{
	struct contract *c, *d;
	uint8_t *buf;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < 11; i++) {
		c = full_contract();
		switch (i) {
		case 0: memcpy(c->leaders[1], c->leaders[0], 32); break;
		case 1: c->name[strlen(c->name) - 1] = ' '; break;
		case 2: c->name[0] = ' '; break;
		case 3: c->text[2] = '\r'; break;
		case 4: c->cadence[1] = '\t'; break;
		case 5: c->history = 2; break;
		case 6: c->retention_days = CONTRACT_RETENTION_MAX + 1; break;
		case 7: c->nleaders = 0; break;
		case 8: c->name[0] = '\0'; break;
		case 9: c->text[0] = '\x1b'; break;
		case 10: c->name[0] = '\n'; break;
		}
		/* The library refuses to write it ... */
		assert_int_equal(contract_check(c), BAL_EINVAL);
		buf = (uint8_t *)1;
		assert_int_equal(contract_encode(c, &buf, &len), BAL_EINVAL);
		assert_null(buf);
		/* ... and to read it. */
		pack_by_hand(c, V_CANON, &buf, &len);
		assert_int_equal(contract_decode(buf, len, &d), BAL_EPROTO);
		assert_null(d);
		free(buf);
		contract_free(c);
	}
}

static void
test_tamper(void **state)
{
	struct contract *c, *d;
	uint8_t g0[32], h[32];
	uint8_t *enc, *sig;
	size_t len, slen, i;
	static const uint8_t flips[] = { 0x01, 0x10, 0x80, 0xff };
	unsigned f, decoded = 0;

	(void)state;
	c = full_contract();
	encode_ok(c, &enc, &len);
	assert_int_equal(contract_group_id(c, g0), 0);
	for (i = 0; i < len; i++) {
		for (f = 0; f < sizeof(flips); f++) {
			enc[i] ^= flips[f];
			if (contract_decode(enc, len, &d) == 0) {
				/* Only a field value changed: another group. */
				decoded++;
				assert_int_equal(contract_hash(d, h), 0);
				assert_memory_not_equal(h, g0, 32);
				contract_free(d);
			}
			enc[i] ^= flips[f];
		}
	}
	assert_true(decoded > 0);
	assert_int_equal(contract_decode(enc, len, &d), 0);
	contract_free(d);

	/* Signed: every single-byte change is refused outright. */
	assert_int_equal(contract_signed_encode(c, contract_alice, &sig, &slen), 0);
	for (i = 0; i < slen; i++) {
		for (f = 0; f < sizeof(flips); f++) {
			sig[i] ^= flips[f];
			d = (struct contract *)1;
			assert_int_not_equal(contract_signed_decode(sig, slen,
			    &d, NULL), 0);
			assert_null(d);
			sig[i] ^= flips[f];
		}
	}
	assert_int_equal(contract_signed_decode(sig, slen, &d, NULL), 0);
	contract_free(d);
	free(sig);
	free(enc);
	contract_free(c);
}

static void
test_truncation(void **state)
{
	struct contract *c, *d;
	uint8_t *enc, *sig, *cut;
	size_t len, slen, i;

	(void)state;
	c = full_contract();
	encode_ok(c, &enc, &len);
	assert_int_equal(contract_signed_encode(c, contract_bob, &sig, &slen), 0);
	for (i = 0; i < len; i++) {
		/* A fresh allocation of exactly i bytes, for ASan. */
		cut = malloc(i > 0 ? i : 1);
		assert_non_null(cut);
		memcpy(cut, enc, i);
		d = (struct contract *)1;
		assert_int_not_equal(contract_decode(cut, i, &d), 0);
		assert_null(d);
		free(cut);
	}
	for (i = 0; i < slen; i++) {
		cut = malloc(i > 0 ? i : 1);
		assert_non_null(cut);
		memcpy(cut, sig, i);
		assert_int_not_equal(contract_signed_decode(cut, i, &d, NULL),
		    0);
		assert_null(d);
		free(cut);
	}
	/* A trailing byte is refused too. */
	cut = malloc(len + 1);
	assert_non_null(cut);
	memcpy(cut, enc, len);
	cut[len] = 0xc0;
	assert_int_equal(contract_decode(cut, len + 1, &d), BAL_EPROTO);
	free(cut);
	free(enc);
	free(sig);
	contract_free(c);
}

static void
test_garbage(void **state)
{
	struct contract *d;
	uint8_t buf[512], *big;
	uint64_t x = 0x243f6a8885a308d3ULL;
	size_t i, n;
	int round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		n = (size_t)(round % 500) + 1;
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		/* Half the rounds look like a contract array at first. */
		if (round & 1)
			buf[0] = 0x9a;
		if (round & 2 && n > 1)
			buf[1] = 0x01;
		assert_int_not_equal(contract_decode(buf, n, &d), 0);
		assert_null(d);
		assert_int_not_equal(contract_signed_decode(buf, n, &d, NULL),
		    0);
		assert_null(d);
	}
	assert_int_equal(contract_decode(NULL, 0, &d), BAL_EPROTO);
	assert_int_equal(contract_decode(buf, 0, &d), BAL_EPROTO);
	assert_int_equal(contract_decode(buf, 1, NULL), BAL_EINVAL);
	big = calloc(1, CONTRACT_SIGNED_MAX + 1);
	assert_non_null(big);
	assert_int_equal(contract_decode(big, CONTRACT_ENC_MAX + 1, &d),
	    BAL_ETOOBIG);
	assert_int_equal(contract_signed_decode(big, CONTRACT_SIGNED_MAX + 1,
	    &d, NULL), BAL_ETOOBIG);
	/* A claimed 4-GiB string in a small buffer. */
	memcpy(big, "\x9a\x01\xdb\xff\xff\xff\xff", 7);
	assert_int_equal(contract_decode(big, 64, &d), BAL_EPROTO);
	free(big);
}

/* Builds a signed container by hand (any signer, any signature). */
static void
signed_by_hand(const uint8_t *enc, size_t len, const uint8_t pk[32],
    const uint8_t sig[64], uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer p;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&p, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&p, 4);
	msgpack_pack_uint32(&p, 1);
	mp_pack_bin(&p, enc, len);
	mp_pack_bin(&p, pk, 32);
	mp_pack_bin(&p, sig, 64);
	assert_int_equal(mp_sbuf_take(&sb, out, outlen), 0);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_leader_signature(void **state)
{
	struct contract *c, *d;
	uint8_t sig[64], sig2[64], pk[32], *enc, *s1, *s2;
	size_t len, l1, l2;

	(void)state;
	c = full_contract();
	assert_int_equal(contract_sign(c, contract_alice, sig), 0);
	assert_int_equal(contract_verify(c, contract_alice->pk, sig), 0);
	assert_int_equal(contract_sign(c, contract_bob, sig2), 0);
	assert_int_equal(contract_verify(c, contract_bob->pk, sig2), 0);
	/* The wrong leader for a signature. */
	assert_int_equal(contract_verify(c, contract_bob->pk, sig), BAL_ECRYPTO);
	/* A non-leader neither signs nor verifies. */
	assert_int_equal(contract_sign(c, carol, sig2), BAL_EPERM);
	assert_int_equal(identity_sign(carol, CONTRACT_SIGN_DOMAIN,
	    (const uint8_t *)"x", 1, sig2), 0);
	assert_int_equal(contract_verify(c, carol->pk, sig2), BAL_EPERM);
	/* The signature covers every field. */
	c->retention_days++;
	assert_int_equal(contract_verify(c, contract_alice->pk, sig), BAL_ECRYPTO);
	c->retention_days--;
	assert_int_equal(contract_verify(c, contract_alice->pk, sig), 0);
	/* Another domain's signature over the same bytes does not count. */
	encode_ok(c, &enc, &len);
	assert_int_equal(identity_sign(contract_alice, CONTRACT_ACCEPT_DOMAIN, enc,
	    len, sig2), 0);
	assert_int_equal(contract_verify(c, contract_alice->pk, sig2), BAL_ECRYPTO);

	/* The signed container. */
	assert_int_equal(contract_signed_encode(c, contract_bob, &s1, &l1), 0);
	memset(pk, 0, sizeof(pk));
	assert_int_equal(contract_signed_decode(s1, l1, &d, pk), 0);
	assert_memory_equal(pk, contract_bob->pk, 32);
	assert_string_equal(d->name, c->name);
	contract_free(d);
	free(s1);
	s1 = (uint8_t *)1;
	assert_int_equal(contract_signed_encode(c, carol, &s1, &l1),
	    BAL_EPERM);
	assert_null(s1);

	/* Hand-made: a non-leader's valid signature is refused. */
	assert_int_equal(identity_sign(carol, CONTRACT_SIGN_DOMAIN, enc, len,
	    sig2), 0);
	signed_by_hand(enc, len, carol->pk, sig2, &s2, &l2);
	assert_int_equal(contract_signed_decode(s2, l2, &d, NULL), BAL_EPERM);
	assert_null(d);
	free(s2);
	/* A leader named as signer with a non-leader's signature. */
	signed_by_hand(enc, len, contract_alice->pk, sig2, &s2, &l2);
	assert_int_equal(contract_signed_decode(s2, l2, &d, NULL),
	    BAL_ECRYPTO);
	free(s2);
	/* The right signature in a container with a wider bin header. */
	signed_by_hand(enc, len, contract_alice->pk, sig, &s2, &l2);
	assert_int_equal(contract_signed_decode(s2, l2, &d, NULL), 0);
	contract_free(d);
	{
		/* The same container with a bin32 header for the contract. */
		uint8_t *w = malloc(len + 2 + 5 + 2 + 32 + 2 + 64), *p;

		assert_non_null(w);
		p = w;
		*p++ = 0x94;
		*p++ = 0x01;
		*p++ = 0xc6;
		*p++ = (uint8_t)(len >> 24);
		*p++ = (uint8_t)(len >> 16);
		*p++ = (uint8_t)(len >> 8);
		*p++ = (uint8_t)len;
		memcpy(p, enc, len);
		p += len;
		*p++ = 0xc4;
		*p++ = 32;
		memcpy(p, contract_alice->pk, 32);
		p += 32;
		*p++ = 0xc4;
		*p++ = 64;
		memcpy(p, sig, 64);
		p += 64;
		assert_int_equal(contract_signed_decode(w, (size_t)(p - w), &d,
		    NULL), BAL_EPROTO);
		assert_null(d);
		w[1] = 0x02;
		assert_int_equal(contract_signed_decode(w, (size_t)(p - w), &d,
		    NULL), BAL_EVERSION);
		free(w);
	}
	free(s2);
	free(enc);
	contract_free(c);
}

static void
test_accept(void **state)
{
	uint8_t g[32], g2[32], sig[64];
	char name[CONTRACT_MEMBER_NAME_MAX + 2];
	struct contract *c;

	(void)state;
	c = full_contract();
	assert_int_equal(contract_group_id(c, g), 0);
	memcpy(g2, g, 32);
	g2[0] ^= 1;
	assert_int_equal(contract_accept_sign(carol, g, "Carol Müller", sig),
	    0);
	assert_int_equal(contract_accept_verify(carol->pk, g, "Carol Müller",
	    sig), 0);
	assert_int_equal(contract_accept_verify(carol->pk, g2, "Carol Müller",
	    sig), BAL_ECRYPTO);
	assert_int_equal(contract_accept_verify(carol->pk, g, "Carol Muller",
	    sig), BAL_ECRYPTO);
	assert_int_equal(contract_accept_verify(contract_bob->pk, g, "Carol Müller",
	    sig), BAL_ECRYPTO);
	sig[10] ^= 4;
	assert_int_equal(contract_accept_verify(carol->pk, g, "Carol Müller",
	    sig), BAL_ECRYPTO);
	/* An acceptance is not a contract signature and vice versa. */
	assert_int_equal(contract_sign(c, contract_alice, sig), 0);
	assert_int_equal(contract_accept_verify(contract_alice->pk, g, "Alice", sig),
	    BAL_ECRYPTO);

	/* Names out of limits. */
	assert_int_equal(contract_accept_sign(carol, g, "", sig), BAL_EINVAL);
	assert_int_equal(contract_accept_sign(carol, g, "Ca\x7frol", sig),
	    BAL_EINVAL);
	assert_int_equal(contract_accept_sign(carol, g, "Car\xffol", sig),
	    BAL_EINVAL);
	assert_int_equal(contract_accept_sign(carol, g, "Ca\nrol", sig),
	    BAL_EINVAL);
	assert_int_equal(contract_accept_sign(carol, g, NULL, sig),
	    BAL_EINVAL);
	memset(name, 'n', sizeof(name));
	name[CONTRACT_MEMBER_NAME_MAX] = '\0';
	assert_int_equal(contract_accept_sign(carol, g, name, sig), 0);
	assert_int_equal(contract_accept_verify(carol->pk, g, name, sig), 0);
	name[CONTRACT_MEMBER_NAME_MAX] = 'n';
	name[CONTRACT_MEMBER_NAME_MAX + 1] = '\0';
	assert_int_equal(contract_accept_sign(carol, g, name, sig),
	    BAL_EINVAL);
	assert_int_equal(contract_accept_verify(carol->pk, g, name, sig),
	    BAL_EINVAL);
	contract_free(c);
}

static void
test_amend(void **state)
{
	struct contract *v1, *v2, *v3, *x;
	uint8_t g[32], h1[32], h2[32], *s;
	uint8_t signer[32];
	char err[256], *t;
	size_t tl, sl;

	(void)state;
	v1 = full_contract();
	assert_int_equal(contract_group_id(v1, g), 0);
	assert_int_equal(contract_hash(v1, h1), 0);

	/* Bob, the co-leader, edits the text that contract_text gives him. */
	assert_int_equal(contract_text(v1, contract_bob->pk, &t, &tl), 0);
	assert_int_equal(contract_amend(v1, t, tl, contract_bob->pk, T0 + 1000, &v2,
	    err, sizeof(err)), 0);
	free(t);
	assert_memory_equal(v2->prev, h1, 32);
	assert_memory_equal(v2->salt, v1->salt, 32);
	assert_int_equal(v2->nleaders, 2);
	assert_memory_equal(v2->leaders[0], contract_bob->pk, 32);
	assert_memory_equal(v2->leaders[1], contract_alice->pk, 32);
	assert_int_equal(v2->created_ms, T0 + 1000);
	assert_int_equal(contract_group_id(v2, h2), BAL_ESTATE);
	assert_int_equal(contract_amend_verify(v1, v2, contract_bob->pk), 0);
	assert_int_equal(contract_amend_verify(v1, v2, contract_alice->pk), 0);
	assert_int_equal(contract_amend_verify(v1, v2, carol->pk), BAL_EPERM);
	/* Sign, ship and check the amendment like a peer would. */
	assert_int_equal(contract_signed_encode(v2, contract_bob, &s, &sl), 0);
	assert_int_equal(contract_signed_decode(s, sl, &x, signer), 0);
	assert_int_equal(contract_amend_verify(v1, x, signer), 0);
	contract_free(x);
	free(s);

	/* Alice hands over to Carol: Carol was not a leader of v2. */
	assert_int_equal(contract_amend(v2, "Name: G2\n\nnew text\n",
	    strlen("Name: G2\n\nnew text\n"),
	    contract_alice->pk, T0 + 2000, &v3, err, sizeof(err)), 0);
	assert_int_equal(contract_hash(v2, h2), 0);
	assert_memory_equal(v3->prev, h2, 32);
	assert_int_equal(v3->nleaders, 1);
	assert_int_equal(contract_amend_verify(v2, v3, contract_alice->pk), 0);
	/* The chain: v3 does not follow v1 directly. */
	assert_int_equal(contract_amend_verify(v1, v3, contract_alice->pk),
	    BAL_ECHAIN);
	/* A signer who leads v3 but not v2 may not have written it. */
	memcpy(v3->leaders[0], carol->pk, 32);
	assert_int_equal(contract_amend_verify(v2, v3, carol->pk), BAL_EPERM);
	/* A changed salt breaks the chain. */
	memcpy(v3->leaders[0], contract_alice->pk, 32);
	v3->salt[0] ^= 1;
	assert_int_equal(contract_amend_verify(v2, v3, contract_alice->pk),
	    BAL_ECHAIN);
	contract_free(v3);

	/* The same checks on encodings, as the roster's callback. */
	{
		uint8_t *e1, *e2, lead[CONTRACT_LEADERS_MAX][32];
		size_t l1, l2, nl = 0;

		encode_ok(v1, &e1, &l1);
		encode_ok(v2, &e2, &l2);
		assert_int_equal(contract_amend_check_bytes(e1, l1, e2, l2,
		    contract_bob->pk, lead, &nl), 0);
		assert_int_equal(nl, 2);
		assert_memory_equal(lead[0], contract_bob->pk, 32);
		assert_memory_equal(lead[1], contract_alice->pk, 32);
		assert_int_equal(contract_amend_check_bytes(e1, l1, e2, l2,
		    carol->pk, lead, &nl), BAL_EPERM);
		assert_int_equal(contract_amend_check_bytes(e2, l2, e1, l1,
		    contract_bob->pk, lead, &nl), BAL_ECHAIN);
		assert_int_equal(contract_amend_check_bytes(e1, l1 - 1, e2, l2,
		    contract_bob->pk, lead, &nl), BAL_EPROTO);
		free(e1);
		free(e2);
	}

	/* Carol cannot amend; a bad text is reported like in parse. */
	x = (struct contract *)1;
	assert_int_equal(contract_amend(v2, "Name: G\n", 8, carol->pk, T0,
	    &x, err, sizeof(err)), BAL_EPERM);
	assert_null(x);
	assert_non_null(strstr(err, "only a leader"));
	assert_int_equal(contract_amend(v2, "Name: G\nX: y\n", 13, contract_alice->pk,
	    T0, &x, err, sizeof(err)), BAL_ESYNTAX);
	assert_null(x);
	assert_non_null(strstr(err, "line 2: unknown key 'X'"));

	contract_free(v1);
	contract_free(v2);
}

/* Hex to bytes for the known answers. */
static void
unhex(const char *h, uint8_t *out, size_t n)
{
	size_t bin_len = 0;

	assert_int_equal(sodium_hex2bin(out, n, h, strlen(h), NULL, &bin_len,
	    NULL), 0);
	assert_int_equal(bin_len, n);
}

/*
 * The example of docs/protocol.md: fixed key, salt and time, so
 * the encoding, group id and (deterministic Ed25519) signatures are fixed.
 */
static void
test_known_answer(void **state)
{
	static const char text[] = "Name: G\n\nWhat is discussed in the "
	    "group stays in the group.\n";
	static const char enc_hex[] =
	    "9a01a147d933576861742069732064697363757373656420696e207468652067"
	    "726f757020737461797320696e207468652067726f75702e0a91c420af06a3e3"
	    "291714e4f356c19c9b15cd1951ec6e6662aa77be07547f289383341da00000cf"
	    "0000018bcfe56800c4205a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
	    "5a5a5a5a5a5a5a5a5a5ac4200000000000000000000000000000000000000000"
	    "000000000000000000000000";
	static const char gid_hex[] =
	    "98c97a7303493ae02f76af0472ad4feef6b11c996ac62d1d7b418843cc874fce";
	static const char sig_hex[] =
	    "8f9e7be01afe0154cf83ee129ef93d72eb21162817acc10aeac03dd4efa31ed6"
	    "dadd4b9c13fa0c3957d7a06bef144f99ed07ca30fbb0324727d97ef399981806";
	static const char acc_hex[] =
	    "7d5858e65a55f73b3b5399ce632b3763ae5ed86931bc18d7152371908362b168"
	    "bf4f5443154e91140aecf52cfa8ef4788017e3b77b01a2c8cdeadcac356e6e04";
	uint8_t want[172], gid[32], sig[64], g[32], s[64], *enc;
	struct contract *c;
	size_t len;

	(void)state;
	unhex(enc_hex, want, sizeof(want));
	unhex(gid_hex, gid, sizeof(gid));
	c = parse_ok(text);
	encode_ok(c, &enc, &len);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(enc, want, len);
	assert_int_equal(contract_group_id(c, g), 0);
	assert_memory_equal(g, gid, 32);
	unhex(sig_hex, sig, sizeof(sig));
	assert_int_equal(contract_sign(c, contract_alice, s), 0);
	assert_memory_equal(s, sig, 64);
	assert_int_equal(contract_verify(c, contract_alice->pk, sig), 0);
	unhex(acc_hex, sig, sizeof(sig));
	assert_int_equal(contract_accept_sign(contract_alice, gid, "Alice", s), 0);
	assert_memory_equal(s, sig, 64);
	free(enc);
	contract_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode_roundtrip),
		cmocka_unit_test(test_group_id),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_noncanonical),
		cmocka_unit_test(test_decode_semantic),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_leader_signature),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_amend),
		cmocka_unit_test(test_known_answer),
	};

	return cmocka_run_group_tests(tests, contract_setup, contract_teardown);
}
