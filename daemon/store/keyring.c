/* keyring.c — secrets at rest sealed under the member's key (keyring.h). */
#include <string.h>
#include <sodium.h>

#include "keyring.h"

#define KEYRING_DOMAIN "balint-keyring-v1"
#define KEYRING_CONTEXT "balkeys1"
#define KEYRING_SUBKEY_ID 1
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

_Static_assert(KEYRING_OVERHEAD == 1 + NONCE_BYTES + TAG_BYTES,
    "KEYRING_OVERHEAD must match the AEAD sizes");
_Static_assert(sizeof(KEYRING_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
    "the kdf context is 8 bytes");

/* Derives the sealing key from the member's seed (see keyring.h). */
static int
derive(const struct identity *id, uint8_t key[32])
{
	uint8_t master[crypto_kdf_KEYBYTES];
	int ret = BAL_ECRYPTO;

	/* The seed is the first half of libsodium's Ed25519 secret key. */
	if (crypto_generichash(master, sizeof(master), id->sk, 32,
	    (const uint8_t *)KEYRING_DOMAIN, sizeof(KEYRING_DOMAIN) - 1) != 0)
		goto out;
	if (crypto_kdf_derive_from_key(key, 32, KEYRING_SUBKEY_ID,
	    KEYRING_CONTEXT, master) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(master, sizeof(master));
	if (ret != 0)
		sodium_memzero(key, 32);
	return ret;
}

/* Builds the associated data purpose || 0x00 || ad into buf. */
static int
make_ad(const char *purpose, const uint8_t *ad, size_t adlen,
    uint8_t buf[KEYRING_PURPOSE_MAX + 1 + KEYRING_AD_MAX], size_t *len)
{
	size_t plen;

	if (purpose == NULL || (ad == NULL && adlen > 0) ||
	    adlen > KEYRING_AD_MAX)
		return BAL_EINVAL;
	plen = strlen(purpose);
	if (plen < 1 || plen > KEYRING_PURPOSE_MAX)
		return BAL_EINVAL;
	memcpy(buf, purpose, plen);
	buf[plen] = 0;
	if (adlen > 0)
		memcpy(buf + plen + 1, ad, adlen);
	*len = plen + 1 + adlen;
	return 0;
}

int
keyring_seal(const struct identity *id, const char *purpose,
    const uint8_t *ad, size_t adlen, const uint8_t *plain, size_t len,
    const struct bal_rng *rng, uint8_t *out, size_t outlen)
{
	uint8_t key[32], abuf[KEYRING_PURPOSE_MAX + 1 + KEYRING_AD_MAX];
	size_t alen;
	int ret = BAL_EINVAL;

	if (id == NULL || id->sk == NULL || out == NULL ||
	    (plain == NULL && len > 0) || len > KEYRING_PLAIN_MAX ||
	    outlen != len + KEYRING_OVERHEAD)
		return BAL_EINVAL;
	if ((ret = make_ad(purpose, ad, adlen, abuf, &alen)) != 0)
		return ret;
	if ((ret = derive(id, key)) != 0)
		goto out;
	out[0] = KEYRING_VERSION;
	bal_random(rng, out + 1, NONCE_BYTES);
	ret = BAL_ECRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 + NONCE_BYTES,
	    NULL, plain, len, abuf, alen, NULL, out + 1, key) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	if (ret != 0)
		sodium_memzero(out, outlen);
	return ret;
}

int
keyring_open(const struct identity *id, const char *purpose,
    const uint8_t *ad, size_t adlen, const uint8_t *sealed, size_t len,
    uint8_t *plain, size_t plainlen)
{
	uint8_t key[32], abuf[KEYRING_PURPOSE_MAX + 1 + KEYRING_AD_MAX];
	size_t alen;
	int ret;

	if (id == NULL || id->sk == NULL || sealed == NULL ||
	    len < KEYRING_OVERHEAD || (plain == NULL && plainlen > 0) ||
	    plainlen != len - KEYRING_OVERHEAD)
		return BAL_EINVAL;
	if (plainlen > 0)
		sodium_memzero(plain, plainlen);
	if ((ret = make_ad(purpose, ad, adlen, abuf, &alen)) != 0)
		return ret;
	if (sealed[0] != KEYRING_VERSION)
		return BAL_EVERSION;
	if ((ret = derive(id, key)) != 0)
		goto out;
	ret = BAL_ECRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL,
	    sealed + 1 + NONCE_BYTES, len - 1 - NONCE_BYTES, abuf, alen,
	    sealed + 1, key) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	if (ret != 0 && plainlen > 0)
		sodium_memzero(plain, plainlen);
	return ret;
}
