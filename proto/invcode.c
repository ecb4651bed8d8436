/* invcode.c — invite code text form (see invcode.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "invcode.h"
#include "mp.h"

static int
text_ok(const char *s, size_t min, size_t max, int printable_ascii)
{
	size_t i, len = strnlen(s, max + 1);

	if (len < min || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f)
			return 0;
		if (printable_ascii && ch > 0x7e)
			return 0;
	}
	return mp_utf8_valid(s, len);
}

static void
checksum(const uint8_t *body, size_t len, uint8_t out[INVCODE_CHECK_BYTES])
{
	uint8_t h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), body, len,
	    (const uint8_t *)INVCODE_CHECK_KEY, strlen(INVCODE_CHECK_KEY));
	memcpy(out, h, INVCODE_CHECK_BYTES);
}

int
invcode_encode(const struct invcode *ic, char **out)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint8_t *body = NULL;
	size_t len = 0, i, b64len, plen = strlen(INVCODE_PREFIX);
	char *text = NULL;
	int ret = BAL_EINVAL;

	*out = NULL;
	msgpack_sbuffer_init(&sb);
	if (ic->naddrs < 1 || ic->naddrs > INVCODE_MAX_ADDRS)
		goto out;
	for (i = 0; i < ic->naddrs; i++)
		if (!text_ok(ic->addrs[i], 1, INVCODE_MAX_ADDR, 1))
			goto out;
	if (ic->name[0] != '\0' && !text_ok(ic->name, 1, INVCODE_NAME_MAX, 0))
		goto out;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(&pk, 7) != 0 ||
	    msgpack_pack_uint8(&pk, INVCODE_VERSION) != 0 ||
	    mp_pack_bin(&pk, ic->group, BAL_GROUP_ID_BYTES) != 0 ||
	    mp_pack_bin(&pk, ic->inviter, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_array(&pk, ic->naddrs) != 0)
		goto out;
	for (i = 0; i < ic->naddrs; i++)
		if (mp_pack_cstr(&pk, ic->addrs[i]) != 0)
			goto out;
	if (msgpack_pack_uint64(&pk, ic->expires_ms) != 0 ||
	    mp_pack_bin(&pk, ic->secret, BAL_KEY_BYTES) != 0 ||
	    mp_pack_cstr(&pk, ic->name[0] ? ic->name : NULL) != 0)
		goto out;
	/* room for the checksum */
	if (msgpack_sbuffer_write(&sb, "\0\0\0\0", INVCODE_CHECK_BYTES) != 0 ||
	    mp_sbuf_take(&sb, &body, &len) != 0)
		goto out;
	checksum(body, len - INVCODE_CHECK_BYTES,
	    body + len - INVCODE_CHECK_BYTES);
	b64len = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((text = malloc(plen + b64len)) == NULL)
		goto out;
	memcpy(text, INVCODE_PREFIX, plen);
	sodium_bin2base64(text + plen, b64len, body, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*out = text;
	ret = 0;
out:
	if (body != NULL) {
		sodium_memzero(body, len);
		free(body);
	}
	if (sb.data != NULL)
		sodium_memzero(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

static int
decode_body(const uint8_t *body, size_t len, struct invcode *ic)
{
	struct mp_doc doc;
	struct mp_rd r, a;
	uint64_t version;
	const char *s;
	size_t slen, i;
	int ret;

	memset(&doc, 0, sizeof(doc));
	if ((ret = mp_doc_parse(&doc, body, len)) != 0 ||
	    (ret = mp_rd_array(&r, mp_doc_root(&doc), 2, 7)) != 0 ||
	    (ret = mp_rd_uint(&r, UINT64_MAX, &version)) != 0)
		goto out;
	if (version != INVCODE_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	ret = BAL_EPROTO;
	if (mp_rd_left(&r) != 6)
		goto out;
	if ((ret = mp_rd_bin_fixed(&r, ic->group, BAL_GROUP_ID_BYTES)) != 0 ||
	    (ret = mp_rd_bin_fixed(&r, ic->inviter, BAL_PK_BYTES)) != 0 ||
	    (ret = mp_rd_sub(&r, 1, INVCODE_MAX_ADDRS, &a)) != 0)
		goto out;
	for (i = 0; mp_rd_left(&a) > 0; i++) {
		if ((ret = mp_rd_str(&a, 1, INVCODE_MAX_ADDR, &s, &slen)) != 0)
			goto out;
		memcpy(ic->addrs[i], s, slen);
		ic->addrs[i][slen] = '\0';
		if (!text_ok(ic->addrs[i], 1, INVCODE_MAX_ADDR, 1)) {
			ret = BAL_EPROTO;
			goto out;
		}
	}
	ic->naddrs = i;
	if ((ret = mp_rd_uint(&r, UINT64_MAX, &ic->expires_ms)) != 0 ||
	    (ret = mp_rd_bin_fixed(&r, ic->secret, BAL_KEY_BYTES)) != 0)
		goto out;
	if (mp_rd_peek_nil(&r)) {
		ret = mp_rd_nil(&r);
	} else if ((ret = mp_rd_str(&r, 1, INVCODE_NAME_MAX, &s,
	    &slen)) == 0) {
		memcpy(ic->name, s, slen);
		ic->name[slen] = '\0';
		if (!text_ok(ic->name, 1, INVCODE_NAME_MAX, 0))
			ret = BAL_EPROTO;
	}
	if (ret == 0)
		ret = mp_rd_end(&r);
out:
	mp_doc_free(&doc);
	return ret;
}

int
invcode_decode(const char *text, struct invcode *ic)
{
	char *clean = NULL;
	uint8_t *bin = NULL, check[INVCODE_CHECK_BYTES];
	size_t i, n = 0, plen = strlen(INVCODE_PREFIX), binlen = 0, tlen;
	int ret = BAL_EPROTO;

	memset(ic, 0, sizeof(*ic));
	if (text == NULL)
		return BAL_EINVAL;
	tlen = strnlen(text, INVCODE_TEXT_MAX + 1);
	if (tlen > INVCODE_TEXT_MAX)
		return BAL_ETOOBIG;
	if ((clean = malloc(tlen + 1)) == NULL ||
	    (bin = malloc(tlen + 1)) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	for (i = 0; i < tlen; i++)
		if (!isspace((unsigned char)text[i]))
			clean[n++] = text[i];
	clean[n] = '\0';
	if (n < plen || strncasecmp(clean, INVCODE_PREFIX, plen) != 0)
		goto out;
	ret = BAL_ECHECKSUM;
	if (sodium_base642bin(bin, tlen + 1, clean + plen, n - plen, NULL,
	    &binlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen <= INVCODE_CHECK_BYTES ||
	    binlen > INVCODE_BODY_MAX + INVCODE_CHECK_BYTES)
		goto out;
	checksum(bin, binlen - INVCODE_CHECK_BYTES, check);
	if (sodium_memcmp(check, bin + binlen - INVCODE_CHECK_BYTES,
	    INVCODE_CHECK_BYTES) != 0)
		goto out;
	if ((ret = decode_body(bin, binlen - INVCODE_CHECK_BYTES, ic)) != 0)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		sodium_memzero(ic, sizeof(*ic));
	if (clean != NULL) {
		sodium_memzero(clean, tlen + 1);
		free(clean);
	}
	if (bin != NULL) {
		sodium_memzero(bin, tlen + 1);
		free(bin);
	}
	return ret;
}

void
invcode_wipe(struct invcode *ic)
{
	sodium_memzero(ic, sizeof(*ic));
}
