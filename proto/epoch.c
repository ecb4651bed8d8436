/*
 * epoch.c — epoch keys, envelopes sealed to members and histories sealed to
 * newcomers.  Formats: docs/protocol.md §Epochs.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "epoch.h"
#include "mp.h"

_Static_assert(EPOCH_SEALED_BYTES ==
    BAL_KEY_BYTES + EPOCH_BIND_BYTES + crypto_box_SEALBYTES,
    "EPOCH_SEALED_BYTES must match crypto_box_SEALBYTES");
_Static_assert(sizeof(EPOCH_COMMIT_KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
    "a crypto_kdf context is 8 bytes");

/* Bytes of the sealed message: the key and its binding tag. */
#define SEALED_PLAIN (BAL_KEY_BYTES + EPOCH_BIND_BYTES)
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

void
epoch_commit(const uint8_t *key, uint8_t out[EPOCH_COMMIT_BYTES])
{
	crypto_kdf_derive_from_key(out, EPOCH_COMMIT_BYTES, EPOCH_COMMIT_KDF_ID,
	    EPOCH_COMMIT_KDF_CONTEXT, key);
}

/* The binding tag: BLAKE2b-256(domain || group || commit || pk). */
static void
bind_tag(const uint8_t *group, const uint8_t *commit, const uint8_t *pk,
    uint8_t tag[EPOCH_BIND_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, EPOCH_BIND_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)EPOCH_SEAL_DOMAIN,
	    strlen(EPOCH_SEAL_DOMAIN));
	crypto_generichash_update(&st, group, BAL_GROUP_ID_BYTES);
	crypto_generichash_update(&st, commit, EPOCH_COMMIT_BYTES);
	crypto_generichash_update(&st, pk, BAL_PK_BYTES);
	crypto_generichash_final(&st, tag, EPOCH_BIND_BYTES);
}

int
epoch_seal_to(const uint8_t *key, const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t pk[BAL_PK_BYTES], const struct bal_rng *rng,
    uint8_t sealed[EPOCH_SEALED_BYTES])
{
	uint8_t xpk[32], commit[EPOCH_COMMIT_BYTES];
	uint8_t *m;
	int ret = BAL_EINVAL;

	if (key == NULL || group == NULL || pk == NULL || sealed == NULL)
		return BAL_EINVAL;
	if (identity_x25519_pk(pk, xpk) != 0)
		return BAL_EINVAL;
	if ((m = sodium_malloc(SEALED_PLAIN)) == NULL)
		return BAL_ENOMEM;
	memcpy(m, key, BAL_KEY_BYTES);
	epoch_commit(key, commit);
	bind_tag(group, commit, pk, m + BAL_KEY_BYTES);
	if (rng == NULL)
		ret = crypto_box_seal(sealed, m, SEALED_PLAIN, xpk) != 0 ?
		    BAL_ECRYPTO : 0;
	else
		ret = seal_seeded(sealed, m, SEALED_PLAIN, xpk, rng);
	sodium_free(m);		/* wipes */
	return ret;
}

int
epoch_sealed_open(const uint8_t sealed[EPOCH_SEALED_BYTES],
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t commit[EPOCH_COMMIT_BYTES], const struct identity *me,
    uint8_t key_out[BAL_KEY_BYTES])
{
	uint8_t xpk[32], xsk[32], tag[EPOCH_BIND_BYTES];
	uint8_t mine[EPOCH_COMMIT_BYTES], *m = NULL;
	int ret = BAL_ECRYPTO;

	if (key_out == NULL)
		return BAL_EINVAL;
	sodium_memzero(key_out, BAL_KEY_BYTES);
	if (sealed == NULL || group == NULL || commit == NULL || me == NULL ||
	    me->sk == NULL) {
		ret = BAL_EINVAL;
		goto out;
	}
	if ((m = sodium_malloc(SEALED_PLAIN)) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	if (identity_x25519_pk(me->pk, xpk) != 0 ||
	    identity_x25519_sk(me, xsk) != 0)
		goto out;
	if (crypto_box_seal_open(m, sealed, EPOCH_SEALED_BYTES, xpk,
	    xsk) != 0)
		goto out;
	/* The committed key, sealed for this group, epoch and member. */
	epoch_commit(m, mine);
	bind_tag(group, commit, me->pk, tag);
	if (sodium_memcmp(mine, commit, sizeof(mine)) != 0 ||
	    sodium_memcmp(tag, m + BAL_KEY_BYTES, sizeof(tag)) != 0)
		goto out;
	memcpy(key_out, m, BAL_KEY_BYTES);
	ret = 0;
out:
	sodium_memzero(xsk, sizeof(xsk));
	if (m != NULL)
		sodium_free(m);
	return ret;
}

int
epoch_seal(const uint8_t *key, uint64_t id,
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t recipients[][BAL_PK_BYTES], size_t n,
    const struct bal_rng *rng, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t sealed[EPOCH_SEALED_BYTES], commit[EPOCH_COMMIT_BYTES];
	size_t i, j;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (out == NULL || outlen == NULL)
		goto out;
	*out = NULL;
	*outlen = 0;
	if (key == NULL || group == NULL || recipients == NULL || n == 0 ||
	    n > EPOCH_MAX_RECIPIENTS)
		goto out;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (memcmp(recipients[i], recipients[j],
			    BAL_PK_BYTES) == 0)
				goto out;
	ret = BAL_ENOMEM;
	epoch_commit(key, commit);
	if (msgpack_pack_array(&pk, 3) != 0 ||
	    msgpack_pack_uint64(&pk, id) != 0 ||
	    mp_pack_bin(&pk, commit, sizeof(commit)) != 0 ||
	    msgpack_pack_array(&pk, n) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((ret = epoch_seal_to(key, group, recipients[i], rng,
		    sealed)) != 0)
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
	if (mp_rd_array(&r, mp_doc_root(&doc), 3, 3) != 0 ||
	    mp_rd_uint(&r, UINT64_MAX, &env->id) != 0 ||
	    mp_rd_bin_fixed(&r, env->commit, EPOCH_COMMIT_BYTES) != 0 ||
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
epoch_open(const struct epoch_envelope *env,
    const uint8_t group[BAL_GROUP_ID_BYTES], const struct identity *me,
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
	return epoch_sealed_open(env->r[i].sealed, group, env->commit, me,
	    key_out);
}

int
epoch_history_seal(const struct epoch_history_key *keys, size_t n,
    const uint8_t group[BAL_GROUP_ID_BYTES],
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
	if (keys == NULL || group == NULL || recipient == NULL || n == 0 ||
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
		if ((ret = epoch_seal_to(keys[i].key, group, recipient, rng,
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
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t commit[EPOCH_COMMIT_BYTES], const struct identity *me,
    uint8_t key_out[BAL_KEY_BYTES])
{
	size_t i;

	if (key_out == NULL)
		return BAL_EINVAL;
	sodium_memzero(key_out, BAL_KEY_BYTES);
	if (h == NULL || me == NULL)
		return BAL_EINVAL;
	for (i = 0; i < h->n && i < EPOCH_HISTORY_MAX; i++)
		if (h->items[i].id == id)
			return epoch_sealed_open(h->items[i].sealed, group,
			    commit, me, key_out);
	return BAL_ENOENT;
}
