/* contract.c — the group contract: canonical encoding, group id,
 * signatures, acceptances and amendments (see contract.h); the text form
 * is in contract-text.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bal.h"
#include "contract.h"
#include "contract-internal.h"
#include "identity.h"
#include "mp.h"

/* Elements of the encoded contract array, version included. */
#define CONTRACT_FIELDS 10
#define CONTRACT_TRAILING_MAX 2	/* optional fields after them */
/* Elements of the signed-contract container, version included. */
#define SIGNED_FIELDS 4
#define SIGNED_VERSION 1

const char *
contract_history_name(enum contract_history h)
{
	switch (h) {
	case CONTRACT_HISTORY_FROM_JOIN:	return "from-join";
	case CONTRACT_HISTORY_FULL:		return "full";
	default:				return NULL;
	}
}

const char *
contract_identifiers_name(enum contract_identifiers i)
{
	switch (i) {
	case CONTRACT_IDS_REFUSE:	return "refuse";
	case CONTRACT_IDS_WARN:		return "warn";
	case CONTRACT_IDS_OFF:		return "off";
	default:			return NULL;
	}
}

void
contract_free(struct contract *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->text);
	free(c->cadence);
	free(c);
}

int
contract_is_leader(const struct contract *c, const uint8_t pk[BAL_PK_BYTES])
{
	unsigned i;

	if (c == NULL || pk == NULL)
		return 0;
	for (i = 0; i < c->nleaders && i < CONTRACT_LEADERS_MAX; i++)
		if (memcmp(c->leaders[i], pk, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

/*
 * Classifies s[0..len): it must be UTF-8 without NUL and without control
 * characters (C0, DEL, C1).  Multi-line text may hold tab and LF; a single
 * line may not hold U+2028/U+2029 either, so that a name always displays
 * as one line.  Shared with the parser in contract-text.c (see
 * contract-internal.h).
 */
int
contract_chars_check(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	if (len > 0 && memchr(s, '\0', len) != NULL)
		return CONTRACT_CH_NUL;
	if (!mp_utf8_valid(s, len))
		return CONTRACT_CH_UTF8;
	for (i = 0; i < len; i++) {
		if (p[i] == '\r')
			return CONTRACT_CH_CR;
		if (p[i] == 0x7f)
			return CONTRACT_CH_CTRL;
		if (p[i] < 0x20 && !(multiline && (p[i] == '\t' ||
		    p[i] == '\n')))
			return CONTRACT_CH_CTRL;
		/* Lead bytes: valid UTF-8 guarantees their continuations. */
		if (p[i] == 0xc2 && p[i + 1] < 0xa0)
			return CONTRACT_CH_CTRL;
		if (!multiline && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			return CONTRACT_CH_CTRL;
	}
	return CONTRACT_CH_OK;
}

/* A one-line field: min..max bytes, clean characters, no outer spaces. */
static int
line_ok(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strnlen(s, max + 1);
	if (n < min || n > max)
		return 0;
	if (contract_chars_check(s, n, 0) != CONTRACT_CH_OK)
		return 0;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 0;
	return 1;
}

int
contract_check(const struct contract *c)
{
	size_t n;

	if (c == NULL || c->version != CONTRACT_VERSION)
		return BAL_EINVAL;
	if (!line_ok(c->name, 1, CONTRACT_NAME_MAX))
		return BAL_EINVAL;
	if (c->cadence != NULL &&
	    !line_ok(c->cadence, 0, CONTRACT_CADENCE_MAX))
		return BAL_EINVAL;
	if (c->text != NULL) {
		n = strnlen(c->text, CONTRACT_TEXT_MAX + 1);
		if (n > CONTRACT_TEXT_MAX ||
		    contract_chars_check(c->text, n, 1) != CONTRACT_CH_OK)
			return BAL_EINVAL;
	}
	if (c->nleaders < 1 || c->nleaders > CONTRACT_LEADERS_MAX)
		return BAL_EINVAL;
	if (c->nleaders == 2 &&
	    memcmp(c->leaders[0], c->leaders[1], BAL_PK_BYTES) == 0)
		return BAL_EINVAL;
	if (c->history != CONTRACT_HISTORY_FROM_JOIN &&
	    c->history != CONTRACT_HISTORY_FULL)
		return BAL_EINVAL;
	if (c->retention_days > CONTRACT_RETENTION_MAX)
		return BAL_EINVAL;
	if ((unsigned)c->identifiers > CONTRACT_IDS_OFF)
		return BAL_EINVAL;
	if (c->network != CONTRACT_NETWORK_ANY &&
	    c->network != CONTRACT_NETWORK_TOR_ONLY)
		return BAL_EINVAL;
	return 0;
}

/* How many of the optional trailing fields c's encoding carries. */
static unsigned
trailing_fields(const struct contract *c)
{
	if (c->network != CONTRACT_NETWORK_ANY)
		return 2;
	return c->identifiers != CONTRACT_IDS_REFUSE ? 1 : 0;
}

/* Writes the canonical array of c into pk (c already checked). */
static int
pack_contract(msgpack_packer *pk, const struct contract *c)
{
	const char *text = c->text != NULL ? c->text : "";
	const char *cadence = c->cadence != NULL ? c->cadence : "";
	unsigned i;

	if (msgpack_pack_array(pk, CONTRACT_FIELDS + trailing_fields(c)) != 0 ||
	    msgpack_pack_uint32(pk, c->version) != 0 ||
	    mp_pack_cstr(pk, c->name) != 0 ||
	    mp_pack_cstr(pk, text) != 0 ||
	    msgpack_pack_array(pk, c->nleaders) != 0)
		return BAL_ENOMEM;
	for (i = 0; i < c->nleaders; i++)
		if (mp_pack_bin(pk, c->leaders[i], BAL_PK_BYTES) != 0)
			return BAL_ENOMEM;
	if (mp_pack_cstr(pk, cadence) != 0 ||
	    msgpack_pack_uint32(pk, (uint32_t)c->history) != 0 ||
	    msgpack_pack_uint32(pk, c->retention_days) != 0 ||
	    msgpack_pack_uint64(pk, c->created_ms) != 0 ||
	    mp_pack_bin(pk, c->salt, CONTRACT_SALT_BYTES) != 0 ||
	    mp_pack_bin(pk, c->prev, BAL_HASH_BYTES) != 0)
		return BAL_ENOMEM;
	if (trailing_fields(c) >= 1 &&
	    msgpack_pack_uint32(pk, (uint32_t)c->identifiers) != 0)
		return BAL_ENOMEM;
	if (trailing_fields(c) >= 2 &&
	    msgpack_pack_uint32(pk, (uint32_t)c->network) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
contract_encode(const struct contract *c, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret;

	if (out == NULL || outlen == NULL)
		return BAL_EINVAL;
	*out = NULL;
	*outlen = 0;
	if (contract_check(c) != 0)
		return BAL_EINVAL;
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if ((ret = pack_contract(&pk, c)) != 0)
		goto out;
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
contract_decode(const uint8_t *buf, size_t len, struct contract **out)
{
	struct mp_doc doc;
	struct mp_rd r, lr;
	struct contract *c = NULL;
	uint8_t *enc = NULL;
	size_t enclen = 0;
	uint64_t v;
	unsigned i;
	int ret;

	memset(&doc, 0, sizeof(doc));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (buf == NULL || len == 0)
		return BAL_EPROTO;
	if (len > CONTRACT_ENC_MAX)
		return BAL_ETOOBIG;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 1, UINT32_MAX) != 0 ||
	    mp_rd_uint(&r, UINT32_MAX, &v) != 0)
		goto out;
	if (v != CONTRACT_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if (mp_rd_left(&r) < CONTRACT_FIELDS - 1 ||
	    mp_rd_left(&r) > CONTRACT_FIELDS - 1 + CONTRACT_TRAILING_MAX)
		goto out;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	c->version = (uint32_t)v;
	if ((ret = mp_rd_strdup(&r, 1, CONTRACT_NAME_MAX, &c->name)) != 0 ||
	    (ret = mp_rd_strdup(&r, 0, CONTRACT_TEXT_MAX, &c->text)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_sub(&r, 1, CONTRACT_LEADERS_MAX, &lr) != 0)
		goto out;
	c->nleaders = lr.n;
	for (i = 0; i < c->nleaders; i++)
		if (mp_rd_bin_fixed(&lr, c->leaders[i], BAL_PK_BYTES) != 0)
			goto out;
	if (mp_rd_end(&lr) != 0)
		goto out;
	if ((ret = mp_rd_strdup(&r, 0, CONTRACT_CADENCE_MAX,
	    &c->cadence)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_uint(&r, CONTRACT_HISTORY_FULL, &v) != 0)
		goto out;
	c->history = (enum contract_history)v;
	if (mp_rd_uint(&r, CONTRACT_RETENTION_MAX, &v) != 0)
		goto out;
	c->retention_days = (uint32_t)v;
	if (mp_rd_uint(&r, UINT64_MAX, &c->created_ms) != 0 ||
	    mp_rd_bin_fixed(&r, c->salt, CONTRACT_SALT_BYTES) != 0 ||
	    mp_rd_bin_fixed(&r, c->prev, BAL_HASH_BYTES) != 0)
		goto out;
	/* Optional trailing fields (canonical: the re-encoding below). */
	if (mp_rd_left(&r) > 0) {
		if (mp_rd_uint(&r, CONTRACT_IDS_OFF, &v) != 0)
			goto out;
		c->identifiers = (enum contract_identifiers)v;
	}
	if (mp_rd_left(&r) > 0) {
		if (mp_rd_uint(&r, CONTRACT_NETWORK_TOR_ONLY, &v) != 0)
			goto out;
		c->network = (enum contract_network)v;
	}
	if (mp_rd_end(&r) != 0)
		goto out;
	if (contract_check(c) != 0)
		goto out;
	/* One contract, one encoding: what we read must be what we write. */
	if ((ret = contract_encode(c, &enc, &enclen)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (enclen != len || memcmp(enc, buf, len) != 0)
		goto out;
	*out = c;
	c = NULL;
	ret = 0;
out:
	free(enc);
	contract_free(c);
	mp_doc_free(&doc);
	return ret;
}

int
contract_dup(const struct contract *c, struct contract **out)
{
	uint8_t *enc = NULL;
	size_t len = 0;
	int ret;

	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if ((ret = contract_encode(c, &enc, &len)) != 0)
		return ret;
	ret = contract_decode(enc, len, out);
	free(enc);
	return ret;
}

void
contract_hash_bytes(const uint8_t *enc, size_t len,
    uint8_t out[BAL_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
	crypto_generichash_update(&st,
	    (const unsigned char *)CONTRACT_HASH_DOMAIN,
	    strlen(CONTRACT_HASH_DOMAIN));
	crypto_generichash_update(&st, enc, len);
	crypto_generichash_final(&st, out, BAL_HASH_BYTES);
}

int
contract_hash(const struct contract *c, uint8_t out[BAL_HASH_BYTES])
{
	uint8_t *enc = NULL;
	size_t len = 0;
	int ret;

	if (out == NULL)
		return BAL_EINVAL;
	if ((ret = contract_encode(c, &enc, &len)) != 0)
		return ret;
	contract_hash_bytes(enc, len, out);
	free(enc);
	return 0;
}

int
contract_group_id(const struct contract *c, uint8_t out[BAL_GROUP_ID_BYTES])
{
	static const uint8_t zero[BAL_HASH_BYTES];

	if (c == NULL || out == NULL)
		return BAL_EINVAL;
	if (memcmp(c->prev, zero, sizeof(zero)) != 0)
		return BAL_ESTATE;
	return contract_hash(c, out);
}

int
contract_sign(const struct contract *c, const struct identity *leader,
    uint8_t sig[BAL_SIG_BYTES])
{
	uint8_t *enc = NULL;
	size_t len = 0;
	int ret;

	if (c == NULL || leader == NULL || sig == NULL)
		return BAL_EINVAL;
	if (!contract_is_leader(c, leader->pk))
		return BAL_EPERM;
	if ((ret = contract_encode(c, &enc, &len)) != 0)
		return ret;
	ret = identity_sign(leader, CONTRACT_SIGN_DOMAIN, enc, len, sig);
	free(enc);
	return ret;
}

/* Checks sig over the canonical bytes enc of contract c. */
static int
verify_bytes(const struct contract *c, const uint8_t *enc, size_t len,
    const uint8_t signer[BAL_PK_BYTES], const uint8_t sig[BAL_SIG_BYTES])
{
	int rc;

	if (!contract_is_leader(c, signer))
		return BAL_EPERM;
	rc = identity_verify(signer, CONTRACT_SIGN_DOMAIN, enc, len, sig);
	if (rc != 0)
		return rc == BAL_ENOMEM ? BAL_ENOMEM : BAL_ECRYPTO;
	return 0;
}

int
contract_verify(const struct contract *c, const uint8_t signer[BAL_PK_BYTES],
    const uint8_t sig[BAL_SIG_BYTES])
{
	uint8_t *enc = NULL;
	size_t len = 0;
	int ret;

	if (c == NULL || signer == NULL || sig == NULL)
		return BAL_EINVAL;
	if ((ret = contract_encode(c, &enc, &len)) != 0)
		return ret;
	ret = verify_bytes(c, enc, len, signer, sig);
	free(enc);
	return ret;
}

/* Packs the signed container [1, enc, signer, sig]. */
static int
pack_signed(const uint8_t *enc, size_t len, const uint8_t signer[BAL_PK_BYTES],
    const uint8_t sig[BAL_SIG_BYTES], uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_ENOMEM;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, SIGNED_FIELDS) != 0 ||
	    msgpack_pack_uint32(&pk, SIGNED_VERSION) != 0 ||
	    mp_pack_bin(&pk, enc, len) != 0 ||
	    mp_pack_bin(&pk, signer, BAL_PK_BYTES) != 0 ||
	    mp_pack_bin(&pk, sig, BAL_SIG_BYTES) != 0)
		goto out;
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

int
contract_signed_encode(const struct contract *c, const struct identity *leader,
    uint8_t **out, size_t *outlen)
{
	uint8_t sig[BAL_SIG_BYTES];
	uint8_t *enc = NULL;
	size_t len = 0;
	int ret;

	if (out == NULL || outlen == NULL)
		return BAL_EINVAL;
	*out = NULL;
	*outlen = 0;
	if (c == NULL || leader == NULL)
		return BAL_EINVAL;
	if (!contract_is_leader(c, leader->pk))
		return BAL_EPERM;
	if ((ret = contract_encode(c, &enc, &len)) != 0)
		goto out;
	if ((ret = identity_sign(leader, CONTRACT_SIGN_DOMAIN, enc, len,
	    sig)) != 0)
		goto out;
	ret = pack_signed(enc, len, leader->pk, sig, out, outlen);
out:
	free(enc);
	return ret;
}

int
contract_signed_decode(const uint8_t *buf, size_t len, struct contract **out,
    uint8_t *signer)
{
	struct mp_doc doc;
	struct mp_rd r;
	struct contract *c = NULL;
	uint8_t pk[BAL_PK_BYTES], sig[BAL_SIG_BYTES];
	const uint8_t *enc;
	uint8_t *again = NULL;
	size_t enclen, againlen = 0;
	uint64_t v;
	int ret;

	memset(&doc, 0, sizeof(doc));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (buf == NULL || len == 0)
		return BAL_EPROTO;
	if (len > CONTRACT_SIGNED_MAX)
		return BAL_ETOOBIG;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 1, UINT32_MAX) != 0 ||
	    mp_rd_uint(&r, UINT32_MAX, &v) != 0)
		goto out;
	if (v != SIGNED_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if (mp_rd_left(&r) != SIGNED_FIELDS - 1 ||
	    mp_rd_bin(&r, 1, CONTRACT_ENC_MAX, &enc, &enclen) != 0 ||
	    mp_rd_bin_fixed(&r, pk, BAL_PK_BYTES) != 0 ||
	    mp_rd_bin_fixed(&r, sig, BAL_SIG_BYTES) != 0 ||
	    mp_rd_end(&r) != 0)
		goto out;
	/* The container is canonical too. */
	if ((ret = pack_signed(enc, enclen, pk, sig, &again, &againlen)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (againlen != len || memcmp(again, buf, len) != 0)
		goto out;
	if ((ret = contract_decode(enc, enclen, &c)) != 0)
		goto out;
	if ((ret = verify_bytes(c, enc, enclen, pk, sig)) != 0)
		goto out;
	if (signer != NULL)
		memcpy(signer, pk, BAL_PK_BYTES);
	*out = c;
	c = NULL;
	ret = 0;
out:
	free(again);
	contract_free(c);
	mp_doc_free(&doc);
	return ret;
}

/*
 * A member name as the roster accepts it: 1..CONTRACT_MEMBER_NAME_MAX
 * bytes of UTF-8 without C0 controls or DEL.
 */
static int
member_name_ok(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return 0;
	n = strnlen(s, CONTRACT_MEMBER_NAME_MAX + 1);
	if (n < 1 || n > CONTRACT_MEMBER_NAME_MAX || !mp_utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Builds group_id || pk || name; *mlen gets its length. */
static int
accept_msg(const uint8_t group_id[BAL_GROUP_ID_BYTES],
    const uint8_t pk[BAL_PK_BYTES], const char *name,
    uint8_t msg[BAL_GROUP_ID_BYTES + BAL_PK_BYTES + CONTRACT_MEMBER_NAME_MAX],
    size_t *mlen)
{
	size_t n;

	if (group_id == NULL || pk == NULL || !member_name_ok(name))
		return BAL_EINVAL;
	n = strlen(name);
	memcpy(msg, group_id, BAL_GROUP_ID_BYTES);
	memcpy(msg + BAL_GROUP_ID_BYTES, pk, BAL_PK_BYTES);
	memcpy(msg + BAL_GROUP_ID_BYTES + BAL_PK_BYTES, name, n);
	*mlen = BAL_GROUP_ID_BYTES + BAL_PK_BYTES + n;
	return 0;
}

int
contract_accept_sign(const struct identity *member,
    const uint8_t group_id[BAL_GROUP_ID_BYTES], const char *name,
    uint8_t sig[BAL_SIG_BYTES])
{
	uint8_t msg[BAL_GROUP_ID_BYTES + BAL_PK_BYTES +
	    CONTRACT_MEMBER_NAME_MAX];
	size_t mlen;
	int ret;

	if (member == NULL || sig == NULL)
		return BAL_EINVAL;
	if ((ret = accept_msg(group_id, member->pk, name, msg, &mlen)) != 0)
		return ret;
	return identity_sign(member, CONTRACT_ACCEPT_DOMAIN, msg, mlen, sig);
}

int
contract_accept_verify(const uint8_t member_pk[BAL_PK_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], const char *name,
    const uint8_t sig[BAL_SIG_BYTES])
{
	uint8_t msg[BAL_GROUP_ID_BYTES + BAL_PK_BYTES +
	    CONTRACT_MEMBER_NAME_MAX];
	size_t mlen;
	int ret;

	if (sig == NULL)
		return BAL_EINVAL;
	if ((ret = accept_msg(group_id, member_pk, name, msg, &mlen)) != 0)
		return ret;
	ret = identity_verify(member_pk, CONTRACT_ACCEPT_DOMAIN, msg, mlen,
	    sig);
	if (ret != 0)
		return ret == BAL_ENOMEM ? BAL_ENOMEM : BAL_ECRYPTO;
	return 0;
}

int
contract_amend(const struct contract *prev, const char *text, size_t len,
    const uint8_t leader_pk[BAL_PK_BYTES], uint64_t created_ms,
    struct contract **out, char *err, size_t errlen)
{
	uint8_t h[BAL_HASH_BYTES];
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (prev == NULL || leader_pk == NULL)
		return BAL_EINVAL;
	if (!contract_is_leader(prev, leader_pk)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, N_("only a leader of the group can "
			    "amend its contract"));
		return BAL_EPERM;
	}
	if ((ret = contract_hash(prev, h)) != 0)
		return ret;
	if ((ret = contract_parse(text, len, leader_pk, created_ms,
	    prev->salt, out, err, errlen)) != 0)
		return ret;
	memcpy((*out)->prev, h, BAL_HASH_BYTES);
	return 0;
}

int
contract_amend_verify(const struct contract *prev, const struct contract *next,
    const uint8_t signer[BAL_PK_BYTES])
{
	uint8_t h[BAL_HASH_BYTES];
	int ret;

	if (prev == NULL || next == NULL || signer == NULL)
		return BAL_EINVAL;
	if ((ret = contract_hash(prev, h)) != 0)
		return ret;
	if (memcmp(next->prev, h, BAL_HASH_BYTES) != 0 ||
	    memcmp(next->salt, prev->salt, CONTRACT_SALT_BYTES) != 0)
		return BAL_ECHAIN;
	if (!contract_is_leader(prev, signer) ||
	    !contract_is_leader(next, signer))
		return BAL_EPERM;
	return 0;
}

int
contract_amend_check_bytes(const uint8_t *cur, size_t cur_len,
    const uint8_t *next, size_t next_len, const uint8_t author[BAL_PK_BYTES],
    uint8_t leaders[][BAL_PK_BYTES], size_t *nleaders)
{
	struct contract *a = NULL, *b = NULL;
	unsigned i;
	int ret;

	if (leaders == NULL || nleaders == NULL || author == NULL)
		return BAL_EINVAL;
	if ((ret = contract_decode(cur, cur_len, &a)) != 0 ||
	    (ret = contract_decode(next, next_len, &b)) != 0)
		goto out;
	if ((ret = contract_amend_verify(a, b, author)) != 0)
		goto out;
	for (i = 0; i < b->nleaders; i++)
		memcpy(leaders[i], b->leaders[i], BAL_PK_BYTES);
	*nleaders = b->nleaders;
out:
	contract_free(a);
	contract_free(b);
	return ret;
}
