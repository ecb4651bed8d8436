/*
 * note.c — encoding and strict decoding of note plaintexts (see note.h and
 * docs/protocol.md §Notes).
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "mp.h"
#include "note.h"

#define NOTE_FIELDS 9
/* Largest msgpack array the version check still looks into. */
#define NOTE_FIELDS_MAX 64

static const char *const kind_names[] = {
	/* N_: the CLI shows a kind in the member's language in tables. */
	[NOTE_KIND_SESSION] = N_("session"),
	[NOTE_KIND_FOLLOWUP] = N_("followup"),
	[NOTE_KIND_CASE] = N_("case"),
	[NOTE_KIND_OTHER] = N_("other"),
};

/*
 * A msgpack-c write callback into a fixed buffer that never grows, so that
 * no realloc leaves stray copies of the plaintext on the heap.
 */
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

/* BLAKE2b-128("balint-note-id-v1" || author), of which the first half. */
static void
note_id_tag(const uint8_t author[BAL_PK_BYTES], uint8_t tag[NOTE_ID_TAG_BYTES])
{
	static const char domain[] = "balint-note-id-v1";
	crypto_generichash_state st;
	uint8_t h[crypto_generichash_BYTES_MIN];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)domain,
	    sizeof(domain) - 1);
	crypto_generichash_update(&st, author, BAL_PK_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(tag, h, NOTE_ID_TAG_BYTES);
}

void
note_id_generate(const struct bal_rng *rng,
    const uint8_t author[BAL_PK_BYTES], uint8_t id[NOTE_ID_BYTES])
{
	/* Random first, so that the ids' hex prefixes people type differ. */
	bal_random(rng, id, NOTE_ID_BYTES - NOTE_ID_TAG_BYTES);
	note_id_tag(author, id + NOTE_ID_BYTES - NOTE_ID_TAG_BYTES);
}

int
note_id_is_authors(const uint8_t id[NOTE_ID_BYTES],
    const uint8_t author[BAL_PK_BYTES])
{
	uint8_t tag[NOTE_ID_TAG_BYTES];

	note_id_tag(author, tag);
	return sodium_memcmp(tag, id + NOTE_ID_BYTES - NOTE_ID_TAG_BYTES,
	    NOTE_ID_TAG_BYTES) == 0;
}

void
note_id_to_hex(const uint8_t id[NOTE_ID_BYTES], char out[NOTE_ID_HEX_BYTES])
{
	sodium_bin2hex(out, NOTE_ID_HEX_BYTES, id, NOTE_ID_BYTES);
}

int
note_id_from_hex(const char *text, uint8_t id[NOTE_ID_BYTES])
{
	size_t n = 0;
	const char *end = NULL;

	if (text == NULL || strlen(text) != 2 * NOTE_ID_BYTES ||
	    sodium_hex2bin(id, NOTE_ID_BYTES, text, 2 * NOTE_ID_BYTES, NULL,
	    &n, &end) != 0 || n != NOTE_ID_BYTES ||
	    end != text + 2 * NOTE_ID_BYTES) {
		memset(id, 0, NOTE_ID_BYTES);
		return BAL_EPROTO;
	}
	return 0;
}

static int
kind_valid(int kind)
{
	return kind >= NOTE_KIND_SESSION && kind <= NOTE_KIND_OTHER;
}

int
note_kind_from_string(const char *s)
{
	int k;

	if (s == NULL)
		return BAL_EINVAL;
	for (k = NOTE_KIND_SESSION; k <= NOTE_KIND_OTHER; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return BAL_EINVAL;
}

const char *
note_kind_name(int kind)
{
	return kind_valid(kind) ? kind_names[kind] : NULL;
}

/* Checks one string field for note_encode; NULL counts as empty. */
static int
str_check(const char *s, size_t max, size_t *len)
{
	*len = 0;
	if (s == NULL)
		return 0;
	*len = strnlen(s, max + 1);
	if (*len > max)
		return BAL_ETOOBIG;
	return mp_utf8_valid(s, *len) ? 0 : BAL_EINVAL;
}

/*
 * The erased versions a note names: none unless it is a tombstone; a
 * tombstone names 1..NOTE_MAX_ERASES entry ids, the one it supersedes
 * among them, no id twice.
 */
static int
erases_valid(const struct note *n)
{
	size_t i, j;
	int sup = 0;

	if (!n->tombstone)
		return n->nerases == 0;
	if (n->nerases < 1 || n->nerases > NOTE_MAX_ERASES || n->erases == NULL)
		return 0;
	for (i = 0; i < n->nerases; i++) {
		if (memcmp(n->erases[i], n->supersedes, BAL_HASH_BYTES) == 0)
			sup = 1;
		for (j = 0; j < i; j++)
			if (memcmp(n->erases[i], n->erases[j],
			    BAL_HASH_BYTES) == 0)
				return 0;
	}
	return sup;
}

int
note_encode(const struct note *n, uint8_t **out, size_t *outlen)
{
	struct fixbuf fb = { NULL, 0, 0 };
	msgpack_packer pk;
	size_t caselen, titlelen, bodylen, i;
	int ret;

	*out = NULL;
	*outlen = 0;
	ret = BAL_EINVAL;
	if (n == NULL || !kind_valid(n->kind))
		goto out;
	if ((ret = str_check(n->case_ref, NOTE_MAX_CASE, &caselen)) != 0 ||
	    (ret = str_check(n->title, NOTE_MAX_TITLE, &titlelen)) != 0 ||
	    (ret = str_check(n->body, NOTE_MAX_BODY, &bodylen)) != 0)
		goto out;
	ret = BAL_EINVAL;
	if (n->tombstone && (titlelen != 0 || bodylen != 0 ||
	    !n->has_supersedes))
		goto out;
	if (!erases_valid(n))
		goto out;

	/*
	 * 5 bytes bound every str or array header, 34 each erased id; the
	 * rest is at most 64 bytes.
	 */
	fb.cap = caselen + titlelen + bodylen + 4 * 5 + 64 +
	    n->nerases * (BAL_HASH_BYTES + 2);
	ret = BAL_ENOMEM;
	if ((fb.p = sodium_malloc(fb.cap)) == NULL)
		goto out;
	msgpack_packer_init(&pk, &fb, fixbuf_write);
	if (msgpack_pack_array(&pk, NOTE_FIELDS) != 0 ||
	    msgpack_pack_uint64(&pk, NOTE_VERSION) != 0 ||
	    mp_pack_bin(&pk, n->id, NOTE_ID_BYTES) != 0 ||
	    msgpack_pack_uint64(&pk, (uint64_t)n->kind) != 0 ||
	    mp_pack_str(&pk, n->case_ref, caselen) != 0 ||
	    mp_pack_str(&pk, n->title, titlelen) != 0 ||
	    mp_pack_str(&pk, n->body, bodylen) != 0)
		goto out;
	if (n->has_supersedes) {
		if (mp_pack_bin(&pk, n->supersedes, BAL_HASH_BYTES) != 0)
			goto out;
	} else if (msgpack_pack_nil(&pk) != 0) {
		goto out;
	}
	if ((n->tombstone ? msgpack_pack_true(&pk) :
	    msgpack_pack_false(&pk)) != 0 ||
	    msgpack_pack_array(&pk, (uint32_t)n->nerases) != 0)
		goto out;
	for (i = 0; i < n->nerases; i++)
		if (mp_pack_bin(&pk, n->erases[i], BAL_HASH_BYTES) != 0)
			goto out;
	*out = fb.p;
	*outlen = fb.len;
	fb.p = NULL;
	ret = 0;
out:
	if (fb.p != NULL) {
		sodium_memzero(fb.p, fb.cap);
		sodium_free(fb.p);
	}
	return ret;
}

void
note_buf_free(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	sodium_memzero(buf, len);
	sodium_free(buf);
}

int
note_decode(const uint8_t *buf, size_t len, struct note **out)
{
	struct mp_doc doc;
	struct mp_rd r, ids;
	struct note *n = NULL;
	uint64_t v;
	size_t i;
	int ret;

	*out = NULL;
	memset(&doc, 0, sizeof(doc));
	if (buf == NULL || len == 0) {
		ret = BAL_EPROTO;
		goto out;
	}
	if (len > NOTE_MAX_ENCODED) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_array(&r, mp_doc_root(&doc), 1, NOTE_FIELDS_MAX) != 0 ||
	    mp_rd_uint(&r, UINT64_MAX, &v) != 0)
		goto out;
	if (v != NOTE_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if (mp_rd_left(&r) != NOTE_FIELDS - 1)
		goto out;
	ret = BAL_ENOMEM;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_bin_fixed(&r, n->id, NOTE_ID_BYTES) != 0 ||
	    mp_rd_uint(&r, NOTE_KIND_OTHER, &v) != 0 || !kind_valid((int)v))
		goto out;
	n->kind = (int)v;
	if ((ret = mp_rd_strdup(&r, 0, NOTE_MAX_CASE, &n->case_ref)) != 0 ||
	    (ret = mp_rd_strdup(&r, 0, NOTE_MAX_TITLE, &n->title)) != 0 ||
	    (ret = mp_rd_strdup(&r, 0, NOTE_MAX_BODY, &n->body)) != 0)
		goto out;
	ret = BAL_EPROTO;
	if (mp_rd_peek_nil(&r)) {
		(void)mp_rd_nil(&r);
	} else if (mp_rd_bin_fixed(&r, n->supersedes, BAL_HASH_BYTES) != 0) {
		goto out;
	} else {
		n->has_supersedes = 1;
	}
	if (mp_rd_bool(&r, &n->tombstone) != 0 ||
	    mp_rd_sub(&r, 0, NOTE_MAX_ERASES, &ids) != 0)
		goto out;
	if ((n->nerases = mp_rd_left(&ids)) > 0) {
		ret = BAL_ENOMEM;
		if ((n->erases = calloc(n->nerases, BAL_HASH_BYTES)) == NULL)
			goto out;
		ret = BAL_EPROTO;
		for (i = 0; i < n->nerases; i++)
			if (mp_rd_bin_fixed(&ids, n->erases[i],
			    BAL_HASH_BYTES) != 0)
				goto out;
	}
	if (mp_rd_end(&ids) != 0 || mp_rd_end(&r) != 0)
		goto out;
	if (n->tombstone && (n->title[0] != '\0' || n->body[0] != '\0' ||
	    !n->has_supersedes))
		goto out;
	if (!erases_valid(n))
		goto out;
	*out = n;
	n = NULL;
	ret = 0;
out:
	note_free(n);
	mp_doc_free(&doc);
	return ret;
}

/* Wipes and frees one owned string. */
static void
str_wipe_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

void
note_free(struct note *n)
{
	if (n == NULL)
		return;
	str_wipe_free(n->case_ref);
	str_wipe_free(n->title);
	str_wipe_free(n->body);
	free(n->erases);
	sodium_memzero(n, sizeof(*n));
	free(n);
}
