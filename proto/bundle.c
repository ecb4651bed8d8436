/*
 * bundle.c — the bundle file (bundle.h): its key, its msgpack plaintext
 * and its XChaCha20-Poly1305 envelope.  Pure: no files, no store.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bundle.h"
#include "entry.h"
#include "mp.h"

struct bundle_priv {
	struct mp_doc doc;
	struct wire_have_item *have;
	const uint8_t **entries;
	size_t *lens;
};

int
bundle_key(const uint8_t epoch_key[BAL_KEY_BYTES],
    const uint8_t group[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES])
{
	crypto_generichash_state st;
	uint8_t sub[BAL_KEY_BYTES];

	if (epoch_key == NULL || group == NULL || out == NULL)
		return BAL_EINVAL;
	/* The epoch key's bundle subkey: no other use of the key sees it. */
	crypto_kdf_derive_from_key(sub, sizeof(sub), BUNDLE_KDF_ID,
	    BUNDLE_KDF_CONTEXT, epoch_key);
	/* Bound to the group as the network key is (docs/protocol.md). */
	crypto_generichash_init(&st, sub, sizeof(sub), BAL_KEY_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)BUNDLE_DOMAIN,
	    strlen(BUNDLE_DOMAIN));
	crypto_generichash_update(&st, group, BAL_GROUP_ID_BYTES);
	crypto_generichash_final(&st, out, BAL_KEY_BYTES);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(sub, sizeof(sub));
	return 0;
}

int
bundle_encode(const struct bundle *b, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t i;
	int ret = BAL_ENOMEM;

	*out = NULL;
	*outlen = 0;
	if (b == NULL || (b->nhave > 0 && b->have == NULL) ||
	    (b->n > 0 && (b->entries == NULL || b->lens == NULL)))
		return BAL_EINVAL;
	if (b->n > BUNDLE_MAX_ENTRIES || b->nhave > BUNDLE_MAX_HAVE)
		return BAL_ETOOBIG;
	for (i = 0; i < b->n; i++)
		if (b->lens[i] == 0 || b->lens[i] > ENTRY_MAX_ENCODED ||
		    b->entries[i] == NULL)
			return BAL_EINVAL;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, 6) != 0 ||
	    msgpack_pack_uint64(&pk, BUNDLE_VERSION) != 0 ||
	    mp_pack_bin(&pk, b->group, BAL_GROUP_ID_BYTES) != 0 ||
	    mp_pack_bin(&pk, b->writer, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_uint64(&pk, b->time_ms) != 0 ||
	    msgpack_pack_array(&pk, (size_t)b->nhave) != 0)
		goto out;
	for (i = 0; i < b->nhave; i++)
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    mp_pack_bin(&pk, b->have[i].author, BAL_PK_BYTES) != 0 ||
		    msgpack_pack_uint64(&pk, b->have[i].seq) != 0)
			goto out;
	if (msgpack_pack_array(&pk, (size_t)b->n) != 0)
		goto out;
	for (i = 0; i < b->n; i++) {
		if (mp_pack_bin(&pk, b->entries[i], b->lens[i]) != 0)
			goto out;
		if (sb.size > BUNDLE_MAX_PLAIN) {
			ret = BAL_ETOOBIG;
			goto out;
		}
	}
	if (sb.size > BUNDLE_MAX_PLAIN) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	ret = mp_sbuf_take(&sb, out, outlen);
out:
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

void
bundle_dec_free(struct bundle_dec *d)
{
	struct bundle_priv *p;

	if (d == NULL)
		return;
	if ((p = d->priv) != NULL) {
		mp_doc_free(&p->doc);
		free(p->have);
		free(p->entries);
		free(p->lens);
		free(p);
	}
	free(d);
}

int
bundle_decode(const uint8_t *buf, size_t len, struct bundle_dec **out)
{
	struct bundle_dec *d;
	struct bundle_priv *p;
	struct mp_rd r, items, item;
	uint64_t v;
	size_t i, n;
	int ret;

	*out = NULL;
	if (buf == NULL)
		return BAL_EINVAL;
	if (len > BUNDLE_MAX_PLAIN)
		return BAL_ETOOBIG;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		free(d);
		return BAL_ENOMEM;
	}
	d->priv = p;
	if ((ret = mp_doc_parse(&p->doc, buf, len)) != 0 ||
	    (ret = mp_rd_array(&r, mp_doc_root(&p->doc), 1, 6)) != 0 ||
	    (ret = mp_rd_uint(&r, UINT64_MAX, &v)) != 0)
		goto fail;
	if (v != BUNDLE_VERSION) {
		ret = BAL_EVERSION;
		goto fail;
	}
	if (mp_rd_left(&r) != 5) {
		ret = BAL_EPROTO;
		goto fail;
	}
	if ((ret = mp_rd_bin_fixed(&r, d->b.group, BAL_GROUP_ID_BYTES)) != 0 ||
	    (ret = mp_rd_bin_fixed(&r, d->b.writer, BAL_PK_BYTES)) != 0 ||
	    (ret = mp_rd_uint(&r, UINT64_MAX, &d->b.time_ms)) != 0 ||
	    (ret = mp_rd_sub(&r, 0, BUNDLE_MAX_HAVE, &items)) != 0)
		goto fail;
	n = mp_rd_left(&items);
	ret = BAL_ENOMEM;
	if (n > 0 && (p->have = calloc(n, sizeof(*p->have))) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if ((ret = mp_rd_sub(&items, 2, 2, &item)) != 0 ||
		    (ret = mp_rd_bin_fixed(&item, p->have[i].author,
		    BAL_PK_BYTES)) != 0 ||
		    (ret = mp_rd_uint(&item, ENTRY_MAX_COUNTER,
		    &p->have[i].seq)) != 0 ||
		    (ret = mp_rd_end(&item)) != 0)
			goto fail;
	d->b.have = p->have;
	d->b.nhave = n;
	if ((ret = mp_rd_sub(&r, 0, BUNDLE_MAX_ENTRIES, &items)) != 0)
		goto fail;
	n = mp_rd_left(&items);
	ret = BAL_ENOMEM;
	if (n > 0 && ((p->entries = calloc(n, sizeof(*p->entries))) == NULL ||
	    (p->lens = calloc(n, sizeof(*p->lens))) == NULL))
		goto fail;
	for (i = 0; i < n; i++)
		if ((ret = mp_rd_bin(&items, 1, ENTRY_MAX_ENCODED,
		    &p->entries[i], &p->lens[i])) != 0)
			goto fail;
	d->b.entries = p->entries;
	d->b.lens = p->lens;
	d->b.n = n;
	if ((ret = mp_rd_end(&items)) != 0 || (ret = mp_rd_end(&r)) != 0)
		goto fail;
	*out = d;
	return 0;
fail:
	bundle_dec_free(d);
	return ret;
}

int
bundle_seal(const uint8_t key[BAL_KEY_BYTES], const uint8_t *plain,
    size_t len, uint8_t **out, size_t *outlen)
{
	uint8_t *f;

	*out = NULL;
	*outlen = 0;
	if (key == NULL || (plain == NULL && len > 0))
		return BAL_EINVAL;
	if (len > BUNDLE_MAX_PLAIN)
		return BAL_ETOOBIG;
	if ((f = malloc(len + BUNDLE_OVERHEAD)) == NULL)
		return BAL_ENOMEM;
	memcpy(f, BUNDLE_MAGIC, BUNDLE_MAGIC_BYTES);
	randombytes_buf(f + BUNDLE_MAGIC_BYTES, BUNDLE_NONCE_BYTES);
	/* The header is the associated data: magic and nonce both bound. */
	crypto_aead_xchacha20poly1305_ietf_encrypt(f + BUNDLE_HEADER_BYTES,
	    NULL, plain, len, f, BUNDLE_HEADER_BYTES, NULL,
	    f + BUNDLE_MAGIC_BYTES, key);
	*out = f;
	*outlen = len + BUNDLE_OVERHEAD;
	return 0;
}

int
bundle_open(const uint8_t key[BAL_KEY_BYTES], const uint8_t *file,
    size_t len, uint8_t **plain, size_t *plainlen)
{
	unsigned long long n;
	uint8_t *p;
	size_t clen;

	*plain = NULL;
	*plainlen = 0;
	if (key == NULL || file == NULL)
		return BAL_EINVAL;
	if (len < BUNDLE_OVERHEAD ||
	    memcmp(file, BUNDLE_MAGIC, BUNDLE_MAGIC_BYTES) != 0)
		return BAL_EPROTO;
	if (len > BUNDLE_MAX_FILE)
		return BAL_ETOOBIG;
	clen = len - BUNDLE_HEADER_BYTES;
	if ((p = malloc(clen - BUNDLE_TAG_BYTES + 1)) == NULL)
		return BAL_ENOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(p, &n, NULL,
	    file + BUNDLE_HEADER_BYTES, clen, file, BUNDLE_HEADER_BYTES,
	    file + BUNDLE_MAGIC_BYTES, key) != 0) {
		free(p);
		return BAL_ECRYPTO;
	}
	*plain = p;
	*plainlen = (size_t)n;
	return 0;
}
