/*
 * epoch.c — epoch keys, envelopes sealed to members and histories sealed to
 * newcomers.  Formats: docs/protocol.md §Epochs.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "epoch.h"
#include "mp.h"

_Static_assert(EPOCH_SEALED_BYTES == BAL_KEY_BYTES + crypto_box_SEALBYTES,
    "EPOCH_SEALED_BYTES must match crypto_box_SEALBYTES");
_Static_assert(crypto_box_PUBLICKEYBYTES == 32 &&
    crypto_box_SECRETKEYBYTES == 32 && crypto_box_SEEDBYTES == 32,
    "unexpected crypto_box sizes");

int
epoch_key_new(const struct bal_rng *rng, uint8_t **key)
{
	if (key == NULL)
		return BAL_EINVAL;
	if ((*key = sodium_malloc(BAL_KEY_BYTES)) == NULL)
		return BAL_ENOMEM;
	bal_random(rng, *key, BAL_KEY_BYTES);
	return 0;
}

void
epoch_key_free(uint8_t *key)
{
	if (key != NULL)
		sodium_free(key);	/* sodium_free wipes before releasing */
}

uint64_t
epoch_id_from_entry(const uint8_t entry_id[BAL_HASH_BYTES])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | entry_id[i];
	return v == 0 ? 1 : v;
}

/*
 * crypto_box_seal with the ephemeral key pair made from rng: the output is
 * ephemeral pk || crypto_box_easy(m, nonce, recipient, ephemeral sk) with
 * nonce = BLAKE2b-192(ephemeral pk || recipient pk), exactly libsodium's
 * sealed-box format, so crypto_box_seal_open opens it.
 */
static int
seal_seeded(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t xpk[32],
    const struct bal_rng *rng)
{
	uint8_t seed[crypto_box_SEEDBYTES], esk[crypto_box_SECRETKEYBYTES];
	uint8_t nonce[crypto_box_NONCEBYTES];
	crypto_generichash_state st;
	int ret = BAL_ECRYPTO;

	bal_random(rng, seed, sizeof(seed));
	if (crypto_box_seed_keypair(c, esk, seed) != 0)
		goto out;
	if (crypto_generichash_init(&st, NULL, 0, sizeof(nonce)) != 0 ||
	    crypto_generichash_update(&st, c, crypto_box_PUBLICKEYBYTES) != 0 ||
	    crypto_generichash_update(&st, xpk, 32) != 0 ||
	    crypto_generichash_final(&st, nonce, sizeof(nonce)) != 0)
		goto out;
	if (crypto_box_easy(c + crypto_box_PUBLICKEYBYTES, m, mlen, nonce, xpk,
	    esk) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(esk, sizeof(esk));
	sodium_memzero(&st, sizeof(st));
	return ret;
}

int
epoch_seal_to(const uint8_t *key, const uint8_t pk[BAL_PK_BYTES],
    const struct bal_rng *rng, uint8_t sealed[EPOCH_SEALED_BYTES])
{
	uint8_t xpk[32];

	if (key == NULL || pk == NULL || sealed == NULL)
		return BAL_EINVAL;
	if (identity_x25519_pk(pk, xpk) != 0)
		return BAL_EINVAL;
	if (rng == NULL) {
		if (crypto_box_seal(sealed, key, BAL_KEY_BYTES, xpk) != 0)
			return BAL_ECRYPTO;
		return 0;
	}
	return seal_seeded(sealed, key, BAL_KEY_BYTES, xpk, rng);
}

int
epoch_sealed_open(const uint8_t sealed[EPOCH_SEALED_BYTES],
    const struct identity *me, uint8_t key_out[BAL_KEY_BYTES])
{
	uint8_t xpk[32], xsk[32];
	int ret = BAL_ECRYPTO;

	if (key_out == NULL)
		return BAL_EINVAL;
	sodium_memzero(key_out, BAL_KEY_BYTES);
	if (sealed == NULL || me == NULL || me->sk == NULL) {
		ret = BAL_EINVAL;
		goto out;
	}
	if (identity_x25519_pk(me->pk, xpk) != 0 ||
	    identity_x25519_sk(me, xsk) != 0)
		goto out;
	if (crypto_box_seal_open(key_out, sealed, EPOCH_SEALED_BYTES, xpk,
	    xsk) != 0) {
		sodium_memzero(key_out, BAL_KEY_BYTES);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(xsk, sizeof(xsk));
	return ret;
}

int
epoch_seal(const uint8_t *key, uint64_t id,
    const uint8_t recipients[][BAL_PK_BYTES], size_t n,
    const struct bal_rng *rng, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t sealed[EPOCH_SEALED_BYTES];
	size_t i, j;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL)
		goto out;
	*out = NULL;
	*outlen = 0;
	if (key == NULL || recipients == NULL || n == 0 ||
	    n > EPOCH_MAX_RECIPIENTS)
		goto out;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (memcmp(recipients[i], recipients[j],
			    BAL_PK_BYTES) == 0)
				goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_uint64(&pk, id) != 0 ||
	    msgpack_pack_array(&pk, n) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((ret = epoch_seal_to(key, recipients[i], rng, sealed)) != 0)
			goto out;
		ret = BAL_ENOMEM;
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    mp_pack_bin(&pk, recipients[i], BAL_PK_BYTES) != 0 ||
		    mp_pack_bin(&pk, sealed, sizeof(sealed)) != 0)
			goto out;
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
epoch_envelope_decode(const uint8_t *buf, size_t len,
    struct epoch_envelope *env)
{
	struct mp_doc doc;
	struct mp_rd r, list, item;
	size_t i, j;
	int ret = BAL_EPROTO;

	memset(&doc, 0, sizeof(doc));
	if (env == NULL)
		return BAL_EINVAL;
	memset(env, 0, sizeof(*env));
	if (buf == NULL || len == 0)
		goto out;
	if (len > EPOCH_ENVELOPE_ENC_MAX) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 2, 2) != 0 ||
	    mp_rd_uint(&r, UINT64_MAX, &env->id) != 0 ||
	    mp_rd_sub(&r, 1, EPOCH_MAX_RECIPIENTS, &list) != 0 ||
	    mp_rd_end(&r) != 0)
		goto out;
	env->n = list.n;
	for (i = 0; i < env->n; i++) {
		if (mp_rd_sub(&list, 2, 2, &item) != 0 ||
		    mp_rd_bin_fixed(&item, env->r[i].pk, BAL_PK_BYTES) != 0 ||
		    mp_rd_bin_fixed(&item, env->r[i].sealed,
		    EPOCH_SEALED_BYTES) != 0 ||
		    mp_rd_end(&item) != 0)
			goto out;
		for (j = 0; j < i; j++)
			if (memcmp(env->r[j].pk, env->r[i].pk,
			    BAL_PK_BYTES) == 0)
				goto out;
	}
	if (mp_rd_end(&list) != 0)
		goto out;
	ret = 0;
out:
	mp_doc_free(&doc);
	if (ret != 0 && env != NULL)
		memset(env, 0, sizeof(*env));
	return ret;
}

int
epoch_envelope_find(const struct epoch_envelope *env,
    const uint8_t pk[BAL_PK_BYTES])
{
	size_t i;

	if (env == NULL || pk == NULL)
		return -1;
	for (i = 0; i < env->n && i < EPOCH_MAX_RECIPIENTS; i++)
		if (memcmp(env->r[i].pk, pk, BAL_PK_BYTES) == 0)
			return (int)i;
	return -1;
}

int
epoch_open(const struct epoch_envelope *env, const struct identity *me,
    uint8_t key_out[BAL_KEY_BYTES])
{
	int i;

	if (key_out == NULL)
		return BAL_EINVAL;
	sodium_memzero(key_out, BAL_KEY_BYTES);
	if (env == NULL || me == NULL)
		return BAL_EINVAL;
	if ((i = epoch_envelope_find(env, me->pk)) < 0)
		return BAL_ENOENT;
	return epoch_sealed_open(env->r[i].sealed, me, key_out);
}

int
epoch_history_seal(const struct epoch_history_key *keys, size_t n,
    const uint8_t recipient[BAL_PK_BYTES], const struct bal_rng *rng,
    uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t sealed[EPOCH_SEALED_BYTES];
	size_t i, j;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL)
		goto out;
	*out = NULL;
	*outlen = 0;
	if (keys == NULL || recipient == NULL || n == 0 ||
	    n > EPOCH_HISTORY_MAX)
		goto out;
	for (i = 0; i < n; i++) {
		if (keys[i].key == NULL)
			goto out;
		for (j = i + 1; j < n; j++)
			if (keys[i].id == keys[j].id)
				goto out;
	}
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, n) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((ret = epoch_seal_to(keys[i].key, recipient, rng,
		    sealed)) != 0)
			goto out;
		ret = BAL_ENOMEM;
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    msgpack_pack_uint64(&pk, keys[i].id) != 0 ||
		    mp_pack_bin(&pk, sealed, sizeof(sealed)) != 0)
			goto out;
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
epoch_history_decode(const uint8_t *buf, size_t len,
    struct epoch_history **out)
{
	struct epoch_history *h = NULL;
	struct mp_doc doc;
	struct mp_rd list, item;
	size_t i, j;
	int ret = BAL_EPROTO;

	memset(&doc, 0, sizeof(doc));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (buf == NULL || len == 0)
		goto out;
	if (len > EPOCH_HISTORY_ENC_MAX) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	ret = BAL_EPROTO;
	if (mp_rd_array(&list, mp_doc_root(&doc), 1, EPOCH_HISTORY_MAX) != 0)
		goto out;
	h->n = list.n;
	for (i = 0; i < h->n; i++) {
		if (mp_rd_sub(&list, 2, 2, &item) != 0 ||
		    mp_rd_uint(&item, UINT64_MAX, &h->items[i].id) != 0 ||
		    mp_rd_bin_fixed(&item, h->items[i].sealed,
		    EPOCH_SEALED_BYTES) != 0 ||
		    mp_rd_end(&item) != 0)
			goto out;
		for (j = 0; j < i; j++)
			if (h->items[j].id == h->items[i].id)
				goto out;
	}
	if (mp_rd_end(&list) != 0)
		goto out;
	*out = h;
	h = NULL;
	ret = 0;
out:
	mp_doc_free(&doc);
	free(h);
	return ret;
}

void
epoch_history_free(struct epoch_history *h)
{
	free(h);
}

int
epoch_history_open(const struct epoch_history *h, uint64_t id,
    const struct identity *me, uint8_t key_out[BAL_KEY_BYTES])
{
	size_t i;

	if (key_out == NULL)
		return BAL_EINVAL;
	sodium_memzero(key_out, BAL_KEY_BYTES);
	if (h == NULL || me == NULL)
		return BAL_EINVAL;
	for (i = 0; i < h->n && i < EPOCH_HISTORY_MAX; i++)
		if (h->items[i].id == id)
			return epoch_sealed_open(h->items[i].sealed, me,
			    key_out);
	return BAL_ENOENT;
}
