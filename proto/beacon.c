/*
 * beacon.c — LAN discovery beacons (beacon.h): the key, the msgpack
 * plaintext and the XChaCha20-Poly1305 datagram.  Pure: no sockets.
 */
#include <string.h>
#include <sodium.h>

#include "beacon.h"
#include "mp.h"

int
beacon_key(const uint8_t netkey[BAL_KEY_BYTES], uint8_t out[BAL_KEY_BYTES])
{
	if (netkey == NULL || out == NULL)
		return BAL_EINVAL;
	/* Keyed with the network key: a use of its own (its domain). */
	crypto_generichash(out, BAL_KEY_BYTES, (const uint8_t *)BEACON_DOMAIN,
	    strlen(BEACON_DOMAIN), netkey, BAL_KEY_BYTES);
	return 0;
}

int
beacon_encode(const struct beacon *b, uint8_t out[BEACON_MAX_PLAIN],
    size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int ret = BAL_ENOMEM;

	*outlen = 0;
	if (b == NULL || b->port == 0)
		return BAL_EINVAL;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, 4) != 0 ||
	    msgpack_pack_uint64(&pk, BEACON_VERSION) != 0 ||
	    mp_pack_bin(&pk, b->member, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_uint64(&pk, b->port) != 0 ||
	    msgpack_pack_uint64(&pk, b->time_ms) != 0)
		goto out;
	if (sb.size > BEACON_MAX_PLAIN) {
		ret = BAL_ETOOBIG;	/* cannot happen: 1+1+34+3+9 */
		goto out;
	}
	memcpy(out, sb.data, sb.size);
	*outlen = sb.size;
	ret = 0;
out:
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

int
beacon_decode(const uint8_t *buf, size_t len, struct beacon *b)
{
	struct mp_doc doc;
	struct mp_rd r;
	uint64_t v, port;
	int ret;

	memset(b, 0, sizeof(*b));
	memset(&doc, 0, sizeof(doc));
	if (buf == NULL || len > BEACON_MAX_PLAIN)
		return BAL_EPROTO;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0 ||
	    (ret = mp_rd_array(&r, mp_doc_root(&doc), 1, 4)) != 0 ||
	    (ret = mp_rd_uint(&r, UINT64_MAX, &v)) != 0)
		goto out;
	if (v != BEACON_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if (mp_rd_left(&r) != 3) {
		ret = BAL_EPROTO;
		goto out;
	}
	if ((ret = mp_rd_bin_fixed(&r, b->member, BAL_PK_BYTES)) != 0 ||
	    (ret = mp_rd_uint(&r, 65535, &port)) != 0 ||
	    (ret = mp_rd_uint(&r, UINT64_MAX, &b->time_ms)) != 0 ||
	    (ret = mp_rd_end(&r)) != 0)
		goto out;
	if (port == 0) {
		ret = BAL_EPROTO;
		goto out;
	}
	b->port = (uint16_t)port;
out:
	mp_doc_free(&doc);
	if (ret != 0)
		memset(b, 0, sizeof(*b));
	return ret;
}

int
beacon_seal(const uint8_t key[BAL_KEY_BYTES], const struct beacon *b,
    uint8_t out[BEACON_MAX_BYTES], size_t *outlen)
{
	uint8_t plain[BEACON_MAX_PLAIN];
	size_t plen;
	int ret;

	*outlen = 0;
	if (key == NULL)
		return BAL_EINVAL;
	if ((ret = beacon_encode(b, plain, &plen)) != 0)
		return ret;
	randombytes_buf(out, BEACON_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + BEACON_NONCE_BYTES,
	    NULL, plain, plen, out, BEACON_NONCE_BYTES, NULL, out, key);
	*outlen = BEACON_NONCE_BYTES + plen + BEACON_TAG_BYTES;
	sodium_memzero(plain, sizeof(plain));
	return 0;
}

int
beacon_open(const uint8_t key[BAL_KEY_BYTES], const uint8_t *buf,
    size_t len, struct beacon *b)
{
	uint8_t plain[BEACON_MAX_PLAIN];
	unsigned long long plen;
	int ret;

	memset(b, 0, sizeof(*b));
	if (key == NULL || buf == NULL)
		return BAL_EINVAL;
	if (len < BEACON_NONCE_BYTES + BEACON_TAG_BYTES + 1 ||
	    len > BEACON_MAX_BYTES)
		return BAL_EPROTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL,
	    buf + BEACON_NONCE_BYTES, len - BEACON_NONCE_BYTES, buf,
	    BEACON_NONCE_BYTES, buf, key) != 0)
		return BAL_ECRYPTO;
	ret = beacon_decode(plain, (size_t)plen, b);
	sodium_memzero(plain, sizeof(plain));
	return ret;
}
