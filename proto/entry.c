/*
 * entry.c — signed, hash-chained log entries (see entry.h and
 * docs/protocol.md §Entries).
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "entry.h"
#include "entry-internal.h"
#include "mp.h"

_Static_assert(sizeof(ENTRY_NOTE_KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
    "a crypto_kdf context is 8 bytes");

#define SIGN_DOMAIN "balint-entry-v1"
#define ID_DOMAIN "balint-entry-id-v1"
#define HEADER_FIELDS 9
/* Largest msgpack array the header version check still looks into. */
#define HEADER_FIELDS_MAX 64

static const uint8_t zero_hash[BAL_HASH_BYTES];

/* A msgpack-c write callback into a fixed buffer that never grows. */
struct fixbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
};

static int
fixbuf_write(void *data, const char *buf, size_t len)
{
	struct fixbuf *fb = data;

	if (len > fb->cap - fb->len)
		return -1;
	memcpy(fb->p + fb->len, buf, len);
	fb->len += len;
	return 0;
}

static int
is_plain_kind(uint8_t kind)
{
	return kind == ENTRY_KIND_ROSTER || kind == ENTRY_KIND_ANNOUNCE;
}

/* The rules every header obeys, whoever made it. */
static int
header_valid(const struct entry_header *h)
{
	if (h->kind != ENTRY_KIND_NOTE && !is_plain_kind(h->kind))
		return 0;
	if (h->seq < 1 || h->seq > ENTRY_MAX_COUNTER ||
	    h->lamport > ENTRY_MAX_COUNTER || h->time > ENTRY_MAX_COUNTER)
		return 0;
	if (is_plain_kind(h->kind) && h->epoch != 0)
		return 0;
	return 1;
}

/* Writes the canonical header into buf[ENTRY_MAX_HEADER]. */
static int
header_pack(const struct entry_header *h, uint8_t *buf, size_t *len)
{
	struct fixbuf fb = { buf, ENTRY_MAX_HEADER, 0 };
	msgpack_packer pk;

	msgpack_packer_init(&pk, &fb, fixbuf_write);
	if (msgpack_pack_array(&pk, HEADER_FIELDS) != 0 ||
	    msgpack_pack_uint64(&pk, ENTRY_VERSION) != 0 ||
	    msgpack_pack_uint64(&pk, h->kind) != 0 ||
	    mp_pack_bin(&pk, h->group, sizeof(h->group)) != 0 ||
	    mp_pack_bin(&pk, h->author, sizeof(h->author)) != 0 ||
	    msgpack_pack_uint64(&pk, h->seq) != 0 ||
	    mp_pack_bin(&pk, h->prev, sizeof(h->prev)) != 0 ||
	    msgpack_pack_uint64(&pk, h->epoch) != 0 ||
	    msgpack_pack_uint64(&pk, h->lamport) != 0 ||
	    msgpack_pack_uint64(&pk, h->time) != 0)
		return BAL_EINVAL;	/* cannot happen: the buffer fits all */
	*len = fb.len;
	return 0;
}

int
entry_header_read(const uint8_t *buf, size_t len, struct entry_header *h)
{
	struct mp_doc doc;
	struct mp_rd r;
	uint64_t v;
	int ret;

	memset(h, 0, sizeof(*h));
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		return ret;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 1, HEADER_FIELDS_MAX) != 0 ||
	    mp_rd_uint(&r, UINT64_MAX, &v) != 0)
		goto out;
	if (v != ENTRY_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if (mp_rd_left(&r) != HEADER_FIELDS - 1 ||
	    mp_rd_uint(&r, UINT8_MAX, &v) != 0)
		goto out;
	h->kind = (uint8_t)v;
	if (mp_rd_bin_fixed(&r, h->group, sizeof(h->group)) != 0 ||
	    mp_rd_bin_fixed(&r, h->author, sizeof(h->author)) != 0 ||
	    mp_rd_uint(&r, ENTRY_MAX_COUNTER, &h->seq) != 0 ||
	    mp_rd_bin_fixed(&r, h->prev, sizeof(h->prev)) != 0 ||
	    mp_rd_uint(&r, UINT64_MAX, &h->epoch) != 0 ||
	    mp_rd_uint(&r, ENTRY_MAX_COUNTER, &h->lamport) != 0 ||
	    mp_rd_uint(&r, ENTRY_MAX_COUNTER, &h->time) != 0 ||
	    mp_rd_end(&r) != 0)
		goto out;
	ret = 0;
out:
	mp_doc_free(&doc);
	return ret;
}

/* Parses the header bytes as their own document and checks canonicity. */
static int
header_parse(const uint8_t *buf, size_t len, struct entry_header *h)
{
	uint8_t again[ENTRY_MAX_HEADER];
	size_t againlen;
	int ret;

	if ((ret = entry_header_read(buf, len, h)) != 0)
		return ret;
	if (!header_valid(h))
		return BAL_EPROTO;
	/* One header, one encoding: the signed bytes must be the canonical. */
	if (header_pack(h, again, &againlen) != 0 || againlen != len ||
	    memcmp(again, buf, len) != 0)
		return BAL_EPROTO;
	return 0;
}

void
entry_id_of(const uint8_t *hdr, size_t hdrlen,
    const uint8_t body_hash[BAL_HASH_BYTES], uint8_t id[BAL_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)ID_DOMAIN,
	    strlen(ID_DOMAIN));
	crypto_generichash_update(&st, hdr, hdrlen);
	crypto_generichash_update(&st, body_hash, BAL_HASH_BYTES);
	crypto_generichash_final(&st, id, BAL_HASH_BYTES);
}

void
entry_body_hash(const uint8_t *body, size_t len, uint8_t out[BAL_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)ENTRY_BODY_DOMAIN,
	    strlen(ENTRY_BODY_DOMAIN));
	if (len > 0)
		crypto_generichash_update(&st, body, len);
	crypto_generichash_final(&st, out, BAL_HASH_BYTES);
}

void
entry_note_key(const uint8_t epoch_key[BAL_KEY_BYTES],
    uint8_t out[BAL_KEY_BYTES])
{
	crypto_kdf_derive_from_key(out, BAL_KEY_BYTES, ENTRY_NOTE_KDF_ID,
	    ENTRY_NOTE_KDF_CONTEXT, epoch_key);
}

/* BLAKE2b-256("balint-entry-id-v1" || header || body_hash). */
static void
entry_compute_id(struct entry *e)
{
	entry_id_of(e->hdr, e->hdrlen, e->body_hash, e->id);
}

/* The signed message: header bytes || body_hash, into msg. */
static size_t
entry_sig_msg(const struct entry *e, uint8_t msg[ENTRY_MAX_HEADER +
    BAL_HASH_BYTES])
{
	memcpy(msg, e->hdr, e->hdrlen);
	memcpy(msg + e->hdrlen, e->body_hash, BAL_HASH_BYTES);
	return e->hdrlen + BAL_HASH_BYTES;
}

int
entry_header_next(struct entry_header *h,
    const uint8_t group[BAL_GROUP_ID_BYTES],
    const uint8_t author[BAL_PK_BYTES], const struct entry *prev,
    uint64_t observed_lamport)
{
	uint64_t base = 0, limit, lamport;

	memset(h, 0, sizeof(*h));
	if (prev != NULL) {
		if (memcmp(prev->h.group, group, BAL_GROUP_ID_BYTES) != 0 ||
		    memcmp(prev->h.author, author, BAL_PK_BYTES) != 0)
			return BAL_EINVAL;
		if (prev->h.seq >= ENTRY_MAX_COUNTER ||
		    prev->h.lamport >= ENTRY_MAX_COUNTER)
			return BAL_ETOOBIG;
		base = prev->h.lamport;
	}
	/*
	 * Peers refuse a step above ENTRY_MAX_LAMPORT_STEP (entry_follows), so
	 * a clock pushed far ahead by some member's entries is followed only
	 * that far: the entry orders before those, and stays writable.
	 */
	limit = ENTRY_MAX_COUNTER - base < ENTRY_MAX_LAMPORT_STEP ?
	    ENTRY_MAX_COUNTER : base + ENTRY_MAX_LAMPORT_STEP;
	lamport = observed_lamport > base ? observed_lamport : base;
	lamport = lamport >= limit ? limit : lamport + 1;
	memcpy(h->group, group, BAL_GROUP_ID_BYTES);
	memcpy(h->author, author, BAL_PK_BYTES);
	if (prev != NULL) {
		h->seq = prev->h.seq + 1;
		memcpy(h->prev, prev->id, BAL_HASH_BYTES);
	} else {
		h->seq = 1;
	}
	h->lamport = lamport;
	return 0;
}

int
entry_header_encode(const struct entry_header *h, uint8_t **out,
    size_t *outlen)
{
	uint8_t buf[ENTRY_MAX_HEADER];
	size_t len;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (!header_valid(h))
		return BAL_EINVAL;
	if ((rc = header_pack(h, buf, &len)) != 0)
		return rc;
	if ((*out = malloc(len)) == NULL)
		return BAL_ENOMEM;
	memcpy(*out, buf, len);
	*outlen = len;
	return 0;
}

int
entry_seal(const struct entry_header *h, const struct identity *author,
    const uint8_t *epoch_key, const uint8_t *plain, size_t len,
    const struct bal_rng *rng, struct entry **out)
{
	struct entry *e = NULL;
	uint8_t msg[ENTRY_MAX_HEADER + BAL_HASH_BYTES], nk[BAL_KEY_BYTES];
	unsigned long long clen;
	size_t msglen;
	int ret = BAL_EINVAL;

	*out = NULL;
	if (h == NULL || author == NULL || (plain == NULL && len > 0) ||
	    !header_valid(h) ||
	    memcmp(h->author, author->pk, BAL_PK_BYTES) != 0)
		goto out;
	if ((h->kind == ENTRY_KIND_NOTE) != (epoch_key != NULL))
		goto out;
	ret = BAL_ETOOBIG;
	if (h->kind == ENTRY_KIND_NOTE ? len > ENTRY_MAX_PLAIN :
	    len > ENTRY_MAX_BODY)
		goto out;
	ret = BAL_ENOMEM;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->hdr = malloc(ENTRY_MAX_HEADER)) == NULL)
		goto out;
	e->h = *h;
	if ((ret = header_pack(h, e->hdr, &e->hdrlen)) != 0)
		goto out;

	ret = BAL_ENOMEM;
	if (h->kind == ENTRY_KIND_NOTE) {
		e->bodylen = ENTRY_NONCE_BYTES + len + ENTRY_TAG_BYTES;
		if ((e->body = malloc(e->bodylen)) == NULL)
			goto out;
		bal_random(rng, e->body, ENTRY_NONCE_BYTES);
		entry_note_key(epoch_key, nk);
		if (crypto_aead_xchacha20poly1305_ietf_encrypt(
		    e->body + ENTRY_NONCE_BYTES, &clen, plain, len,
		    e->hdr, e->hdrlen, NULL, e->body, nk) != 0 ||
		    clen != len + ENTRY_TAG_BYTES) {
			ret = BAL_ECRYPTO;
			goto out;
		}
	} else {
		e->bodylen = len;
		/* One spare byte so that an empty body is not a NULL one. */
		if ((e->body = malloc(len + 1)) == NULL)
			goto out;
		if (len > 0)
			memcpy(e->body, plain, len);
	}
	entry_body_hash(e->body, e->bodylen, e->body_hash);
	msglen = entry_sig_msg(e, msg);
	if ((ret = identity_sign(author, SIGN_DOMAIN, msg, msglen,
	    e->sig)) != 0)
		goto out;
	entry_compute_id(e);
	*out = e;
	e = NULL;
	ret = 0;
out:
	sodium_memzero(nk, sizeof(nk));
	entry_free(e);
	return ret;
}

int
entry_encode(const struct entry *e, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_ENOMEM;

	*out = NULL;
	*outlen = 0;
	msgpack_sbuffer_init(&sbuf);
	if (e == NULL || e->hdr == NULL) {
		ret = BAL_EINVAL;
		goto out;
	}
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, 4) != 0 ||
	    mp_pack_bin(&pk, e->hdr, e->hdrlen) != 0 ||
	    mp_pack_bin(&pk, e->body_hash, BAL_HASH_BYTES) != 0)
		goto out;
	if (e->body != NULL) {
		if (mp_pack_bin(&pk, e->body, e->bodylen) != 0)
			goto out;
	} else if (msgpack_pack_nil(&pk) != 0) {
		goto out;
	}
	if (mp_pack_bin(&pk, e->sig, BAL_SIG_BYTES) != 0)
		goto out;
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

/* Size of msgpack's bin header for a body of len bytes. */
static size_t
bin_hdr_len(size_t len)
{
	if (len < 256)
		return 2;
	if (len < 65536)
		return 3;
	return 5;
}

/* entry_decode, and entry_decode_stored with verify 0. */
static int
decode(const uint8_t *buf, size_t len, int verify, struct entry **out)
{
	struct mp_doc doc;
	struct mp_rd r;
	struct entry *e = NULL;
	const uint8_t *hdr, *body = NULL;
	uint8_t msg[ENTRY_MAX_HEADER + BAL_HASH_BYTES];
	uint8_t hash[BAL_HASH_BYTES];
	size_t hdrlen, bodylen = 0, msglen, canon;
	int ret, have_body = 0;

	*out = NULL;
	memset(&doc, 0, sizeof(doc));
	if (buf == NULL || len == 0) {
		ret = BAL_EPROTO;
		goto out;
	}
	if (len > ENTRY_MAX_ENCODED) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	ret = BAL_ENOMEM;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 4, 4) != 0 ||
	    mp_rd_bin(&r, 1, ENTRY_MAX_HEADER, &hdr, &hdrlen) != 0 ||
	    mp_rd_bin_fixed(&r, e->body_hash, BAL_HASH_BYTES) != 0)
		goto out;
	if (mp_rd_peek_nil(&r)) {
		(void)mp_rd_nil(&r);
	} else if (mp_rd_bin(&r, 0, UINT32_MAX, &body, &bodylen) != 0) {
		goto out;
	} else if (bodylen > ENTRY_MAX_BODY) {
		ret = BAL_ETOOBIG;
		goto out;
	} else {
		have_body = 1;
	}
	if (mp_rd_bin_fixed(&r, e->sig, BAL_SIG_BYTES) != 0 ||
	    mp_rd_end(&r) != 0)
		goto out;
	/*
	 * The outer array holds only bins and nil, whose shortest encoding is
	 * the canonical one, so the canonical form is the only one this long.
	 */
	canon = 1 + bin_hdr_len(hdrlen) + hdrlen + 2 + BAL_HASH_BYTES +
	    (have_body ? bin_hdr_len(bodylen) + bodylen : 1) +
	    2 + BAL_SIG_BYTES;
	if (canon != len)
		goto out;
	if ((ret = header_parse(hdr, hdrlen, &e->h)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (have_body && e->h.kind == ENTRY_KIND_NOTE &&
	    bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
		goto out;

	ret = BAL_ENOMEM;
	if ((e->hdr = malloc(hdrlen)) == NULL)
		goto out;
	memcpy(e->hdr, hdr, hdrlen);
	e->hdrlen = hdrlen;
	if (have_body) {
		if ((e->body = malloc(bodylen + 1)) == NULL)
			goto out;
		if (bodylen > 0)
			memcpy(e->body, body, bodylen);
		e->bodylen = bodylen;
		entry_body_hash(e->body, e->bodylen, hash);
		if (sodium_memcmp(hash, e->body_hash, sizeof(hash)) != 0) {
			ret = BAL_ECRYPTO;
			goto out;
		}
	}
	if (verify) {
		msglen = entry_sig_msg(e, msg);
		if ((ret = identity_verify(e->h.author, SIGN_DOMAIN, msg,
		    msglen, e->sig)) != 0)
			goto out;
	}
	entry_compute_id(e);
	*out = e;
	e = NULL;
	ret = 0;
out:
	entry_free(e);
	mp_doc_free(&doc);
	return ret;
}

int
entry_decode(const uint8_t *buf, size_t len, struct entry **out)
{
	return decode(buf, len, 1, out);
}

int
entry_decode_stored(const uint8_t *buf, size_t len, struct entry **out)
{
	return decode(buf, len, 0, out);
}

size_t
entry_plain_len(const struct entry *e)
{
	if (e == NULL || e->body == NULL)
		return 0;
	if (e->h.kind != ENTRY_KIND_NOTE)
		return e->bodylen;
	if (e->bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
		return 0;
	return e->bodylen - ENTRY_NONCE_BYTES - ENTRY_TAG_BYTES;
}

int
entry_open_buf(const struct entry *e, const uint8_t *epoch_key, uint8_t *buf,
    size_t cap, size_t *len)
{
	unsigned long long plen = 0;
	uint8_t nk[BAL_KEY_BYTES];
	size_t n = 0;
	int ret = BAL_EINVAL;

	if (len == NULL)
		return BAL_EINVAL;
	*len = 0;
	sodium_memzero(nk, sizeof(nk));
	if (e == NULL || (buf == NULL && cap > 0))
		goto out;
	if (e->body == NULL) {
		ret = BAL_ENOENT;
		goto out;
	}
	if (e->h.kind == ENTRY_KIND_NOTE) {
		if (epoch_key == NULL)
			goto out;
		ret = BAL_ECRYPTO;
		if (e->bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
			goto out;
		n = e->bodylen - ENTRY_NONCE_BYTES - ENTRY_TAG_BYTES;
		ret = BAL_ETOOBIG;
		if (n > cap) {
			n = 0;		/* nothing was written */
			goto out;
		}
		entry_note_key(epoch_key, nk);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &plen,
		    NULL, e->body + ENTRY_NONCE_BYTES,
		    e->bodylen - ENTRY_NONCE_BYTES, e->hdr, e->hdrlen,
		    e->body, nk) != 0 || plen != n) {
			ret = BAL_ECRYPTO;
			goto out;
		}
	} else {
		n = e->bodylen;
		ret = BAL_ETOOBIG;
		if (n > cap) {
			n = 0;
			goto out;
		}
		if (n > 0)
			memcpy(buf, e->body, n);
	}
	*len = n;
	ret = 0;
out:
	sodium_memzero(nk, sizeof(nk));
	if (ret != 0 && n > 0)
		sodium_memzero(buf, n);
	return ret;
}

int
entry_open(const struct entry *e, const uint8_t *epoch_key, uint8_t **plain,
    size_t *len)
{
	uint8_t *p = NULL;
	size_t n = 0;
	int ret = BAL_EINVAL;

	*plain = NULL;
	*len = 0;
	if (e == NULL)
		goto out;
	if (e->body == NULL) {
		ret = BAL_ENOENT;
		goto out;
	}
	if (e->h.kind == ENTRY_KIND_NOTE) {
		if (epoch_key == NULL)
			goto out;
		ret = BAL_ECRYPTO;
		if (e->bodylen < ENTRY_NONCE_BYTES + ENTRY_TAG_BYTES)
			goto out;
	}
	n = entry_plain_len(e);
	ret = BAL_ENOMEM;
	/* One spare byte: sodium_malloc(0) is not a usable buffer. */
	if ((p = sodium_malloc(n + 1)) == NULL)
		goto out;
	if ((ret = entry_open_buf(e, epoch_key, p, n + 1, len)) != 0)
		goto out;
	*plain = p;
	p = NULL;
out:
	if (p != NULL) {
		sodium_memzero(p, n + 1);
		sodium_free(p);
	}
	return ret;
}

void
entry_plain_free(uint8_t *plain, size_t len)
{
	if (plain == NULL)
		return;
	sodium_memzero(plain, len);
	sodium_free(plain);	/* also wipes the whole allocation */
}

void
entry_erase(struct entry *e)
{
	if (e == NULL || e->body == NULL)
		return;
	sodium_memzero(e->body, e->bodylen);
	free(e->body);
	e->body = NULL;
	e->bodylen = 0;
}

int
entry_is_erased(const struct entry *e)
{
	return e == NULL || e->body == NULL;
}

int
entry_follows(const struct entry *prev, const struct entry *e)
{
	if (e == NULL)
		return BAL_EINVAL;
	if (prev == NULL) {
		if (e->h.seq != 1 ||
		    memcmp(e->h.prev, zero_hash, BAL_HASH_BYTES) != 0 ||
		    e->h.lamport > ENTRY_MAX_LAMPORT_STEP)
			return BAL_ECHAIN;
		return 0;
	}
	if (memcmp(prev->h.group, e->h.group, BAL_GROUP_ID_BYTES) != 0 ||
	    memcmp(prev->h.author, e->h.author, BAL_PK_BYTES) != 0 ||
	    prev->h.seq >= ENTRY_MAX_COUNTER ||
	    e->h.seq != prev->h.seq + 1 ||
	    memcmp(e->h.prev, prev->id, BAL_HASH_BYTES) != 0 ||
	    e->h.lamport <= prev->h.lamport ||
	    e->h.lamport - prev->h.lamport > ENTRY_MAX_LAMPORT_STEP)
		return BAL_ECHAIN;
	return 0;
}

void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	entry_erase(e);
	free(e->hdr);
	sodium_memzero(e, sizeof(*e));
	free(e);
}
