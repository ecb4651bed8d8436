/*
 * identity.c — member key pairs, the sealed key file format, member ids and
 * fingerprints.  Formats are written down in docs/protocol.md §Identity.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "identity.h"
#include "mp.h"

#define SEALED_VERSION 1
#define KDF_NONE 0
#define KDF_ARGON2ID13 1
#define SEED_BYTES crypto_sign_SEEDBYTES
/*
 * Decoders refuse costs above these so a crafted file cannot stall us.
 * Argon2 counts memory in KiB, so memlimit must be a whole number of KiB:
 * otherwise two spellings of one cost would derive the same key.
 */
#define OPSLIMIT_MAX 64ULL
#define MEMLIMIT_MAX (1024ULL * 1024 * 1024)

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
#define ID_PREFIX "bm"
#define ID_RAW_BYTES (BAL_PK_BYTES + 2)
#define ID_B32_CHARS 55		/* ceil(34 * 8 / 5) */

static struct identity *
identity_alloc(void)
{
	struct identity *id;

	if ((id = calloc(1, sizeof(*id))) == NULL)
		return NULL;
	if ((id->sk = sodium_malloc(BAL_SK_BYTES)) == NULL) {
		free(id);
		return NULL;
	}
	return id;
}

int
identity_from_seed(const uint8_t seed[32], struct identity **out)
{
	struct identity *id;

	*out = NULL;
	if ((id = identity_alloc()) == NULL)
		return BAL_ENOMEM;
	if (crypto_sign_seed_keypair(id->pk, id->sk, seed) != 0) {
		identity_free(id);
		return BAL_ECRYPTO;
	}
	*out = id;
	return 0;
}

int
identity_generate(const struct bal_rng *rng, struct identity **out)
{
	uint8_t seed[SEED_BYTES];
	int rc;

	bal_random(rng, seed, sizeof(seed));
	rc = identity_from_seed(seed, out);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void
identity_free(struct identity *id)
{
	if (id == NULL)
		return;
	sodium_free(id->sk);	/* sodium_free wipes before releasing */
	free(id);
}

/* Derives the secretbox key from the passphrase with Argon2id. */
static int
derive_key(uint8_t key[crypto_secretbox_KEYBYTES], const char *pass,
    size_t passlen, const uint8_t salt[crypto_pwhash_SALTBYTES],
    uint64_t opslimit, size_t memlimit)
{
	if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, passlen, salt,
	    opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
identity_seal(const struct identity *id, const char *pass, size_t passlen,
    uint64_t opslimit, size_t memlimit, const struct bal_rng *rng,
    uint8_t **out, size_t *outlen)
{
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t box[SEED_BYTES + crypto_secretbox_MACBYTES];
	uint8_t *key = NULL;
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int protect = pass != NULL && passlen > 0;
	int ret = BAL_ENOMEM;

	*out = NULL;
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (protect && (opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    opslimit > OPSLIMIT_MAX || memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    memlimit > MEMLIMIT_MAX || memlimit % 1024 != 0)) {
		ret = BAL_EINVAL;
		goto out;
	}
	msgpack_pack_array(&pk, 8);
	msgpack_pack_uint8(&pk, SEALED_VERSION);
	if (protect) {
		if ((key = sodium_malloc(crypto_secretbox_KEYBYTES)) == NULL)
			goto out;
		bal_random(rng, salt, sizeof(salt));
		bal_random(rng, nonce, sizeof(nonce));
		if ((ret = derive_key(key, pass, passlen, salt, opslimit,
		    memlimit)) != 0)
			goto out;
		/* The seed is the first half of libsodium's Ed25519 secret key. */
		crypto_secretbox_easy(box, id->sk, SEED_BYTES, nonce, key);
		msgpack_pack_uint8(&pk, KDF_ARGON2ID13);
		msgpack_pack_uint64(&pk, opslimit);
		msgpack_pack_uint64(&pk, memlimit);
		mp_pack_bin(&pk, salt, sizeof(salt));
		mp_pack_bin(&pk, nonce, sizeof(nonce));
		mp_pack_bin(&pk, id->pk, BAL_PK_BYTES);
		mp_pack_bin(&pk, box, sizeof(box));
	} else {
		msgpack_pack_uint8(&pk, KDF_NONE);
		msgpack_pack_uint8(&pk, 0);
		msgpack_pack_uint8(&pk, 0);
		mp_pack_bin(&pk, NULL, 0);
		mp_pack_bin(&pk, NULL, 0);
		mp_pack_bin(&pk, id->pk, BAL_PK_BYTES);
		mp_pack_bin(&pk, id->sk, SEED_BYTES);
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	/* The unprotected form held the seed in sbuf: wipe whatever is left. */
	if (sbuf.data != NULL)
		sodium_memzero(sbuf.data, sbuf.alloc);
	msgpack_sbuffer_destroy(&sbuf);
	sodium_free(key);
	sodium_memzero(box, sizeof(box));
	return ret;
}

/* Fields of a decoded sealed key; pointers into the parsed document. */
struct sealed {
	uint64_t kdf, opslimit, memlimit;
	const uint8_t *salt, *nonce, *box;
	size_t saltlen, noncelen, boxlen;
	uint8_t pk[BAL_PK_BYTES];
};

static int
sealed_parse(struct mp_doc *doc, const uint8_t *buf, size_t len,
    struct sealed *s)
{
	struct mp_rd r;
	uint64_t version;
	int rc;

	if ((rc = mp_doc_parse(doc, buf, len)) != 0)
		return rc;
	if (mp_rd_array(&r, mp_doc_root(doc), 8, 8) != 0 ||
	    mp_rd_uint(&r, UINT8_MAX, &version) != 0)
		return BAL_EPROTO;
	if (version != SEALED_VERSION)
		return BAL_EVERSION;
	if (mp_rd_uint(&r, KDF_ARGON2ID13, &s->kdf) != 0 ||
	    mp_rd_uint(&r, OPSLIMIT_MAX, &s->opslimit) != 0 ||
	    mp_rd_uint(&r, MEMLIMIT_MAX, &s->memlimit) != 0 ||
	    mp_rd_bin(&r, 0, crypto_pwhash_SALTBYTES, &s->salt,
	    &s->saltlen) != 0 ||
	    mp_rd_bin(&r, 0, crypto_secretbox_NONCEBYTES, &s->nonce,
	    &s->noncelen) != 0 ||
	    mp_rd_bin_fixed(&r, s->pk, BAL_PK_BYTES) != 0 ||
	    mp_rd_bin(&r, SEED_BYTES, SEED_BYTES + crypto_secretbox_MACBYTES,
	    &s->box, &s->boxlen) != 0 ||
	    mp_rd_end(&r) != 0)
		return BAL_EPROTO;
	if (s->kdf == KDF_ARGON2ID13) {
		if (s->saltlen != crypto_pwhash_SALTBYTES ||
		    s->noncelen != crypto_secretbox_NONCEBYTES ||
		    s->boxlen != SEED_BYTES + crypto_secretbox_MACBYTES ||
		    s->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
		    s->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
		    s->memlimit % 1024 != 0)
			return BAL_EPROTO;
	} else if (s->saltlen != 0 || s->noncelen != 0 ||
	    s->boxlen != SEED_BYTES || s->opslimit != 0 || s->memlimit != 0) {
		return BAL_EPROTO;
	}
	return 0;
}

int
identity_sealed_is_protected(const uint8_t *buf, size_t len)
{
	struct mp_doc doc;
	struct sealed s;
	int prot = 0;

	if (sealed_parse(&doc, buf, len, &s) == 0)
		prot = s.kdf == KDF_ARGON2ID13;
	mp_doc_free(&doc);
	return prot;
}

int
identity_sealed_is_weak(const uint8_t *buf, size_t len)
{
	struct mp_doc doc;
	struct sealed s;
	int weak = 0;

	if (sealed_parse(&doc, buf, len, &s) == 0)
		weak = s.kdf == KDF_ARGON2ID13 &&
		    (s.opslimit < IDENTITY_OPSLIMIT_DEFAULT ||
		    s.memlimit < IDENTITY_MEMLIMIT_DEFAULT);
	mp_doc_free(&doc);
	return weak;
}

int
identity_unseal(const uint8_t *buf, size_t len, const char *pass,
    size_t passlen, struct identity **out)
{
	struct mp_doc doc;
	struct sealed s;
	uint8_t *key = NULL, *seed = NULL;
	struct identity *id = NULL;
	int ret;

	*out = NULL;
	if ((ret = sealed_parse(&doc, buf, len, &s)) != 0)
		goto out;
	ret = BAL_ENOMEM;
	if ((seed = sodium_malloc(SEED_BYTES)) == NULL)
		goto out;
	if (s.kdf == KDF_ARGON2ID13) {
		if (pass == NULL || passlen == 0) {
			ret = BAL_ECRYPTO;
			goto out;
		}
		if ((key = sodium_malloc(crypto_secretbox_KEYBYTES)) == NULL)
			goto out;
		if ((ret = derive_key(key, pass, passlen, s.salt, s.opslimit,
		    s.memlimit)) != 0)
			goto out;
		if (crypto_secretbox_open_easy(seed, s.box, s.boxlen, s.nonce,
		    key) != 0) {
			ret = BAL_ECRYPTO;
			goto out;
		}
	} else {
		memcpy(seed, s.box, SEED_BYTES);
	}
	if ((ret = identity_from_seed(seed, &id)) != 0)
		goto out;
	/* A key file whose public half does not match its secret is corrupt. */
	if (sodium_memcmp(id->pk, s.pk, BAL_PK_BYTES) != 0) {
		ret = BAL_ECRYPTO;
		goto out;
	}
	*out = id;
	id = NULL;
	ret = 0;
out:
	identity_free(id);
	sodium_free(key);
	sodium_free(seed);
	mp_doc_free(&doc);
	return ret;
}

/* The 2-byte checksum that catches typing errors in a member id. */
static void
id_checksum(const uint8_t pk[BAL_PK_BYTES], uint8_t sum[2])
{
	static const char domain[] = "balint-member-id-v1";
	crypto_generichash_state st;
	uint8_t h[32];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)domain,
	    sizeof(domain) - 1);
	crypto_generichash_update(&st, pk, BAL_PK_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	sum[0] = h[0];
	sum[1] = h[1];
}

void
identity_id_encode(const uint8_t pk[BAL_PK_BYTES],
    char out[IDENTITY_ID_TEXT_BYTES])
{
	uint8_t raw[ID_RAW_BYTES];
	uint32_t acc = 0;
	int bits = 0;
	size_t i, o = 0;

	memcpy(raw, pk, BAL_PK_BYTES);
	id_checksum(pk, raw + BAL_PK_BYTES);
	memcpy(out, ID_PREFIX, 2);
	o = 2;
	for (i = 0; i < ID_RAW_BYTES; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

int
identity_id_decode(const char *text, uint8_t pk[BAL_PK_BYTES])
{
	char clean[ID_B32_CHARS + 3];
	uint8_t raw[ID_RAW_BYTES], sum[2];
	const char *p, *hit;
	uint32_t acc = 0;
	size_t n = 0, o = 0, i;
	int bits = 0;

	if (text == NULL)
		return BAL_EINVAL;
	for (p = text; *p != '\0'; p++) {
		char c = *p;

		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (n >= sizeof(clean) - 1)
			return BAL_EPROTO;
		clean[n++] = c;
	}
	clean[n] = '\0';
	if (n != 2 + ID_B32_CHARS || memcmp(clean, ID_PREFIX, 2) != 0)
		return BAL_EPROTO;
	for (i = 2; i < n; i++) {
		if ((hit = strchr(b32_alphabet, clean[i])) == NULL)
			return BAL_EPROTO;
		acc = (acc << 5) | (uint32_t)(hit - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			raw[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* Leftover pad bits must be zero: one id has exactly one spelling. */
	if (o != ID_RAW_BYTES || (acc & ((1u << bits) - 1)) != 0)
		return BAL_ECHECKSUM;
	id_checksum(raw, sum);
	if (sum[0] != raw[BAL_PK_BYTES] || sum[1] != raw[BAL_PK_BYTES + 1])
		return BAL_ECHECKSUM;
	memcpy(pk, raw, BAL_PK_BYTES);
	return 0;
}

void
identity_fingerprint(const uint8_t pk[BAL_PK_BYTES],
    char out[IDENTITY_FPR_TEXT_BYTES])
{
	static const char domain[] = "balint-fingerprint-v1";
	crypto_generichash_state st;
	uint8_t h[20];
	uint32_t v;
	size_t g, o = 0;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)domain,
	    sizeof(domain) - 1);
	crypto_generichash_update(&st, pk, BAL_PK_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	for (g = 0; g < 5; g++) {
		v = ((uint32_t)h[4 * g] << 24 | (uint32_t)h[4 * g + 1] << 16 |
		    (uint32_t)h[4 * g + 2] << 8 | h[4 * g + 3]) % 10000;
		if (g > 0)
			out[o++] = ' ';
		out[o++] = (char)('0' + v / 1000);
		out[o++] = (char)('0' + v / 100 % 10);
		out[o++] = (char)('0' + v / 10 % 10);
		out[o++] = (char)('0' + v % 10);
	}
	out[o] = '\0';
}

/* Builds "domain || msg" in a fresh buffer (free it with free()). */
static uint8_t *
domain_msg(const char *domain, const uint8_t *msg, size_t len, size_t *total)
{
	size_t dlen = strlen(domain);
	uint8_t *buf;

	if (len > SIZE_MAX - dlen - 1 ||
	    (buf = malloc(dlen + len + 1)) == NULL)
		return NULL;
	memcpy(buf, domain, dlen);
	if (len > 0)
		memcpy(buf + dlen, msg, len);
	*total = dlen + len;
	return buf;
}

int
identity_sign(const struct identity *id, const char *domain,
    const uint8_t *msg, size_t len, uint8_t sig[BAL_SIG_BYTES])
{
	uint8_t *buf;
	size_t total;

	if ((buf = domain_msg(domain, msg, len, &total)) == NULL)
		return BAL_ENOMEM;
	crypto_sign_detached(sig, NULL, buf, total, id->sk);
	free(buf);
	return 0;
}

int
identity_verify(const uint8_t pk[BAL_PK_BYTES], const char *domain,
    const uint8_t *msg, size_t len, const uint8_t sig[BAL_SIG_BYTES])
{
	uint8_t *buf;
	size_t total;
	int rc;

	if ((buf = domain_msg(domain, msg, len, &total)) == NULL)
		return BAL_ENOMEM;
	rc = crypto_sign_verify_detached(sig, buf, total, pk);
	free(buf);
	return rc == 0 ? 0 : BAL_ECRYPTO;
}

int
identity_x25519_pk(const uint8_t pk[BAL_PK_BYTES], uint8_t xpk[32])
{
	return crypto_sign_ed25519_pk_to_curve25519(xpk, pk) == 0 ?
	    0 : BAL_ECRYPTO;
}

int
identity_x25519_sk(const struct identity *id, uint8_t *xsk)
{
	return crypto_sign_ed25519_sk_to_curve25519(xsk, id->sk) == 0 ?
	    0 : BAL_ECRYPTO;
}
