/* test-note.c — unit tests for proto/note.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bal.h"
#include "entry.h"
#include "identity.h"
#include "mp.h"
#include "note.h"

/* A deterministic random source: splitmix64 over a counter. */
static void
det_fill(void *ctx, void *buf, size_t len)
{
	uint64_t *state = ctx, z;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		z = (*state += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		p[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static uint64_t rng_state = 99;
static const struct bal_rng rng = { det_fill, &rng_state };
/* The author of the notes made here (any 32 bytes will do). */
static const uint8_t AUTHOR[BAL_PK_BYTES] = { 0xa1, 0x17, 0x0c, 0xe5 };

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* A filled-in note with borrowed strings. */
static struct note
mk(void)
{
	struct note n;

	memset(&n, 0, sizeof(n));
	note_id_generate(&rng, AUTHOR, n.id);
	n.kind = NOTE_KIND_FOLLOWUP;
	n.case_ref = "2024-03 Dr. K";
	n.title = "Follow-up: the patient who calls at night";
	n.body = "She has stopped calling after hours.\n"
	    "Zusammenfassung: Grenzen gesetzt \xc3\xa4\xc3\xb6\xc3\xbc "
	    "\xe2\x82\xac \xf0\x9f\x98\x80";
	n.has_supersedes = 1;
	memset(n.supersedes, 0xab, sizeof(n.supersedes));
	return n;
}

/* Encodes n and expects want. */
static void
expect_encode(const struct note *n, int want)
{
	uint8_t *buf = (uint8_t *)1;
	size_t len = 1;

	assert_int_equal(note_encode(n, &buf, &len), want);
	if (want != 0) {
		assert_null(buf);
		assert_int_equal(len, 0);
	}
	note_buf_free(buf, len);
}

/* Decodes buf and expects want (and no note on failure). */
static void
expect_decode(const uint8_t *buf, size_t len, int want)
{
	struct note *n = (struct note *)1;

	assert_int_equal(note_decode(buf, len, &n), want);
	if (want != 0)
		assert_null(n);
	note_free(n);
}

/*
 * Packs a note without validation: version, kind and the three strings
 * (with their lengths) as given; supersedes given or nil.
 */
static void
raw_note(uint64_t version, uint64_t kind, const char *c, size_t clen,
    const char *t, size_t tlen, const char *b, size_t blen,
    const uint8_t *sup, int tomb, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint8_t id[NOTE_ID_BYTES] = { 1, 2, 3 };

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 9);
	msgpack_pack_uint64(&pk, version);
	mp_pack_bin(&pk, id, sizeof(id));
	msgpack_pack_uint64(&pk, kind);
	mp_pack_str(&pk, c, clen);
	mp_pack_str(&pk, t, tlen);
	mp_pack_str(&pk, b, blen);
	if (sup != NULL)
		mp_pack_bin(&pk, sup, 32);
	else
		msgpack_pack_nil(&pk);
	if (tomb)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
	/* A tombstone names the version it supersedes among those erased. */
	msgpack_pack_array(&pk, tomb && sup != NULL ? 1 : 0);
	if (tomb && sup != NULL)
		mp_pack_bin(&pk, sup, 32);
	assert_int_equal(mp_sbuf_take(&sb, out, outlen), 0);
	msgpack_sbuffer_destroy(&sb);
}

/* A tombstone superseding ids[0] and naming ids[0..n) as erased. */
static void
raw_tomb(const uint8_t (*ids)[32], size_t n, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint8_t id[NOTE_ID_BYTES] = { 1, 2, 3 };
	size_t i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 9);
	msgpack_pack_uint64(&pk, 1);
	mp_pack_bin(&pk, id, sizeof(id));
	msgpack_pack_uint64(&pk, 1);
	mp_pack_str(&pk, "", 0);
	mp_pack_str(&pk, "", 0);
	mp_pack_str(&pk, "", 0);
	mp_pack_bin(&pk, ids[0], 32);
	msgpack_pack_true(&pk);
	msgpack_pack_array(&pk, (uint32_t)n);
	for (i = 0; i < n; i++)
		mp_pack_bin(&pk, ids[i], 32);
	assert_int_equal(mp_sbuf_take(&sb, out, outlen), 0);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_roundtrip(void **state)
{
	struct note n = mk(), *d;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_true(len <= NOTE_MAX_ENCODED);
	assert_int_equal(note_decode(buf, len, &d), 0);
	assert_memory_equal(d->id, n.id, NOTE_ID_BYTES);
	assert_int_equal(d->kind, NOTE_KIND_FOLLOWUP);
	assert_string_equal(d->case_ref, n.case_ref);
	assert_string_equal(d->title, n.title);
	assert_string_equal(d->body, n.body);
	assert_true(d->has_supersedes);
	assert_memory_equal(d->supersedes, n.supersedes, 32);
	assert_false(d->tombstone);
	/* Re-encoding gives the same bytes. */
	{
		uint8_t *buf2;
		size_t len2;

		assert_int_equal(note_encode(d, &buf2, &len2), 0);
		assert_int_equal(len2, len);
		assert_memory_equal(buf2, buf, len);
		note_buf_free(buf2, len2);
	}
	note_free(d);
	note_buf_free(buf, len);

	/* A first version: no supersedes; NULL strings are empty. */
	n.has_supersedes = 0;
	n.case_ref = NULL;
	n.title = NULL;
	n.kind = NOTE_KIND_SESSION;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(note_decode(buf, len, &d), 0);
	assert_false(d->has_supersedes);
	assert_string_equal(d->case_ref, "");
	assert_string_equal(d->title, "");
	assert_int_equal(d->kind, NOTE_KIND_SESSION);
	note_free(d);
	note_buf_free(buf, len);
	note_free(NULL);
	note_buf_free(NULL, 0);
}

static void
test_tombstone(void **state)
{
	struct note n = mk(), *d;
	uint8_t *buf;
	size_t len;
	uint8_t sup[32];

	(void)state;
	memset(sup, 0xab, sizeof(sup));
	n.tombstone = 1;
	n.erases = &n.supersedes;
	n.nerases = 1;
	/* A tombstone with text is refused. */
	expect_encode(&n, BAL_EINVAL);
	n.body = "";
	expect_encode(&n, BAL_EINVAL);
	n.title = NULL;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(note_decode(buf, len, &d), 0);
	assert_true(d->tombstone);
	assert_true(d->has_supersedes);
	assert_string_equal(d->title, "");
	assert_string_equal(d->body, "");
	/* The case reference may stay, so that lists still group it. */
	assert_string_equal(d->case_ref, n.case_ref);
	note_free(d);
	note_buf_free(buf, len);
	/* A tombstone must name the version it deletes. */
	n.has_supersedes = 0;
	expect_encode(&n, BAL_EINVAL);
	n.has_supersedes = 1;

	/* The same rules hold when decoding. */
	raw_note(1, 1, "", 0, "t", 1, "", 0, sup, 1, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 1, "", 0, "", 0, "b", 1, sup, 1, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 1, "", 0, "", 0, "", 0, NULL, 1, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 1, "", 0, "", 0, "", 0, sup, 1, &buf, &len);
	expect_decode(buf, len, 0);
	free(buf);
}

/*
 * Issue 12: a tombstone names every version it erases, the one it
 * supersedes among them, none twice, at most NOTE_MAX_ERASES; other notes
 * name none.  Encoded and decoded alike.
 */
static void
test_tombstone_erases(void **state)
{
	struct note n = mk(), *d;
	uint8_t (*ids)[32], *buf;
	size_t len, i;

	(void)state;
	ids = calloc(NOTE_MAX_ERASES + 1, 32);
	assert_non_null(ids);
	for (i = 0; i <= NOTE_MAX_ERASES; i++) {
		ids[i][0] = (uint8_t)i;
		ids[i][1] = (uint8_t)(i >> 8);
	}
	n.title = n.body = NULL;
	n.tombstone = 1;
	memcpy(n.supersedes, ids[2], 32);
	/* None named, or not the superseded one, or one twice: refused. */
	expect_encode(&n, BAL_EINVAL);
	n.erases = ids;
	n.nerases = 2;
	expect_encode(&n, BAL_EINVAL);
	memcpy(ids[3], ids[1], 32);
	n.nerases = 4;
	expect_encode(&n, BAL_EINVAL);
	ids[3][0] = 3;
	/* Three named, the superseded last: round trip. */
	n.nerases = 3;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(note_decode(buf, len, &d), 0);
	assert_int_equal(d->nerases, 3);
	assert_memory_equal(d->erases, ids, 3 * 32);
	note_free(d);
	note_buf_free(buf, len);
	/* The most: NOTE_MAX_ERASES fits the encoded limit, one more not. */
	memcpy(n.supersedes, ids[0], 32);
	n.nerases = NOTE_MAX_ERASES;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_true(len <= NOTE_MAX_ENCODED);
	assert_int_equal(note_decode(buf, len, &d), 0);
	assert_int_equal(d->nerases, NOTE_MAX_ERASES);
	note_free(d);
	note_buf_free(buf, len);
	n.nerases = NOTE_MAX_ERASES + 1;
	expect_encode(&n, BAL_EINVAL);
	/* An edit names none. */
	n.tombstone = 0;
	n.title = "t";
	n.nerases = 1;
	expect_encode(&n, BAL_EINVAL);

	/* Decoding: the same rules. */
	raw_tomb((const uint8_t (*)[32])ids, 3, &buf, &len);
	expect_decode(buf, len, 0);
	free(buf);
	raw_tomb((const uint8_t (*)[32])ids + 1, 0, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	memcpy(ids[1], ids[0], 32);
	raw_tomb((const uint8_t (*)[32])ids, 2, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	ids[1][0] = 1;
	raw_tomb((const uint8_t (*)[32])ids, NOTE_MAX_ERASES + 1, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	free(ids);
}

static void
test_limits(void **state)
{
	struct note n = mk(), *d;
	char *big;
	uint8_t *buf;
	size_t len;

	(void)state;
	big = malloc(NOTE_MAX_BODY + 2);
	assert_non_null(big);
	memset(big, 'x', NOTE_MAX_BODY + 1);
	big[NOTE_MAX_BODY + 1] = '\0';

	/* Body: 64 KiB fits, one more byte does not. */
	n.body = big + 1;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_true(len <= NOTE_MAX_ENCODED);
	assert_int_equal(note_decode(buf, len, &d), 0);
	assert_int_equal(strlen(d->body), NOTE_MAX_BODY);
	note_free(d);
	note_buf_free(buf, len);
	n.body = big;
	expect_encode(&n, BAL_ETOOBIG);
	n.body = "";

	/* Title: 200 fits, 201 does not. */
	n.title = big + NOTE_MAX_BODY + 1 - NOTE_MAX_TITLE;
	expect_encode(&n, 0);
	n.title = big + NOTE_MAX_BODY - NOTE_MAX_TITLE;
	expect_encode(&n, BAL_ETOOBIG);
	n.title = "";

	/* Case reference: 64 fits, 65 does not. */
	n.case_ref = big + NOTE_MAX_BODY + 1 - NOTE_MAX_CASE;
	expect_encode(&n, 0);
	n.case_ref = big + NOTE_MAX_BODY - NOTE_MAX_CASE;
	expect_encode(&n, BAL_ETOOBIG);

	/* The encoded form of every field at its limit is under the bound. */
	n.case_ref = big + NOTE_MAX_BODY + 1 - NOTE_MAX_CASE;
	n.title = big + NOTE_MAX_BODY + 1 - NOTE_MAX_TITLE;
	n.body = big + 1;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_true(len <= NOTE_MAX_ENCODED);
	note_buf_free(buf, len);

	/* Decoding refuses fields over their limits. */
	raw_note(1, 1, big, NOTE_MAX_CASE + 1, "", 0, "", 0, NULL, 0, &buf,
	    &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 1, "", 0, big, NOTE_MAX_TITLE + 1, "", 0, NULL, 0, &buf,
	    &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 1, "", 0, "", 0, big, NOTE_MAX_BODY + 1, NULL, 0, &buf,
	    &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 1, big, NOTE_MAX_CASE, big, NOTE_MAX_TITLE, big,
	    NOTE_MAX_BODY, NULL, 0, &buf, &len);
	expect_decode(buf, len, 0);
	free(buf);
	free(big);

	/* Anything longer than the largest note is refused unparsed. */
	big = calloc(1, NOTE_MAX_ENCODED + 1);
	assert_non_null(big);
	expect_decode((uint8_t *)big, NOTE_MAX_ENCODED + 1, BAL_ETOOBIG);
	free(big);
}

static void
test_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff",			/* never valid */
		"abc\xc3",		/* truncated sequence */
		"\xc0\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\x80",			/* lone continuation */
	};
	struct note n = mk();
	uint8_t *buf;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = mk();
		n.body = (char *)bad[i];
		expect_encode(&n, BAL_EINVAL);
		n = mk();
		n.title = (char *)bad[i];
		expect_encode(&n, BAL_EINVAL);
		n = mk();
		n.case_ref = (char *)bad[i];
		expect_encode(&n, BAL_EINVAL);

		raw_note(1, 2, "", 0, "", 0, bad[i], strlen(bad[i]), NULL, 0,
		    &buf, &len);
		expect_decode(buf, len, BAL_EPROTO);
		free(buf);
		raw_note(1, 2, "", 0, bad[i], strlen(bad[i]), "", 0, NULL, 0,
		    &buf, &len);
		expect_decode(buf, len, BAL_EPROTO);
		free(buf);
		raw_note(1, 2, bad[i], strlen(bad[i]), "", 0, "", 0, NULL, 0,
		    &buf, &len);
		expect_decode(buf, len, BAL_EPROTO);
		free(buf);
	}
	/* An embedded NUL is refused when decoding. */
	raw_note(1, 2, "", 0, "a\0b", 3, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
}

static void
test_kinds(void **state)
{
	struct note n = mk();
	uint8_t *buf;
	size_t len;
	int k;

	(void)state;
	assert_int_equal(note_kind_from_string("session"), NOTE_KIND_SESSION);
	assert_int_equal(note_kind_from_string("followup"),
	    NOTE_KIND_FOLLOWUP);
	assert_int_equal(note_kind_from_string("case"), NOTE_KIND_CASE);
	assert_int_equal(note_kind_from_string("other"), NOTE_KIND_OTHER);
	assert_int_equal(note_kind_from_string("Session"), BAL_EINVAL);
	assert_int_equal(note_kind_from_string(""), BAL_EINVAL);
	assert_int_equal(note_kind_from_string(NULL), BAL_EINVAL);
	for (k = NOTE_KIND_SESSION; k <= NOTE_KIND_OTHER; k++)
		assert_int_equal(note_kind_from_string(note_kind_name(k)), k);
	assert_null(note_kind_name(0));
	assert_null(note_kind_name(5));
	assert_null(note_kind_name(-1));

	for (k = NOTE_KIND_SESSION; k <= NOTE_KIND_OTHER; k++) {
		struct note *d;

		n.kind = k;
		assert_int_equal(note_encode(&n, &buf, &len), 0);
		assert_int_equal(note_decode(buf, len, &d), 0);
		assert_int_equal(d->kind, k);
		note_free(d);
		note_buf_free(buf, len);
	}
	n.kind = 0;
	expect_encode(&n, BAL_EINVAL);
	n.kind = 5;
	expect_encode(&n, BAL_EINVAL);
	expect_encode(NULL, BAL_EINVAL);

	raw_note(1, 0, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 5, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, UINT64_MAX, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	raw_note(1, 4, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, 0);
	free(buf);
}

static void
test_version_and_shape(void **state)
{
	static const uint8_t shapes[][6] = {
		{ 0xc0 },				/* nil */
		{ 0x90 },				/* [] */
		{ 0x91, 0x01 },				/* [1] */
		{ 0x98, 0x01 },				/* short */
		{ 0x81, 0x01, 0x01 },			/* {1: 1} */
		{ 0x92, 0xa1, 'x', 0x01 },		/* ["x", 1] */
	};
	static const size_t shape_len[] = { 1, 1, 2, 2, 3, 4 };
	uint8_t *buf, *more;
	size_t len, i;

	(void)state;
	raw_note(2, 1, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, BAL_EVERSION);
	free(buf);
	raw_note(0, 1, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	expect_decode(buf, len, BAL_EVERSION);
	free(buf);

	/* A tenth element; trailing bytes after the array. */
	raw_note(1, 1, "", 0, "", 0, "", 0, NULL, 0, &buf, &len);
	more = malloc(len + 1);
	assert_non_null(more);
	memcpy(more, buf, len);
	more[0] = 0x9a;
	more[len] = 0xc0;
	expect_decode(more, len + 1, BAL_EPROTO);
	more[0] = buf[0];
	expect_decode(more, len + 1, BAL_EPROTO);
	free(more);

	/*
	 * A supersedes of the wrong size, a tombstone that is not a bool,
	 * erased versions that are no array.
	 */
	buf[len - 2] = 0x00;
	expect_decode(buf, len, BAL_EPROTO);
	buf[len - 2] = 0xc2;
	buf[len - 1] = 0xc0;
	expect_decode(buf, len, BAL_EPROTO);
	free(buf);
	{
		uint8_t sup[32] = { 0 };

		raw_note(1, 1, "", 0, "", 0, "", 0, sup, 0, &buf, &len);
		/* bin8 of 32 -> claim 31 and drop one byte */
		assert_int_equal(buf[len - 36], 0xc4);
		buf[len - 35] = 31;
		memmove(buf + len - 3, buf + len - 2, 2);
		expect_decode(buf, len - 1, BAL_EPROTO);
		free(buf);
	}
	for (i = 0; i < sizeof(shape_len) / sizeof(shape_len[0]); i++)
		expect_decode(shapes[i], shape_len[i], BAL_EPROTO);
	expect_decode(NULL, 0, BAL_EPROTO);
}

static void
test_truncation_and_tamper(void **state)
{
	struct note n = mk(), *d;
	uint8_t *buf, *cut;
	size_t len, i;
	int b, rc;

	(void)state;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	for (i = 0; i < len; i++) {
		cut = malloc(i + 1);
		assert_non_null(cut);
		memcpy(cut, buf, i);
		expect_decode(i == 0 ? NULL : cut, i, BAL_EPROTO);
		free(cut);
	}
	/*
	 * Notes carry no authentication of their own (the entry's AEAD does
	 * that); a changed byte must still never crash and never yield a
	 * note that breaks the rules.
	 */
	for (i = 0; i < len; i++) {
		for (b = 0; b < 256; b += 17) {
			uint8_t save = buf[i];

			buf[i] ^= (uint8_t)(b + 1);
			rc = note_decode(buf, len, &d);
			if (rc == 0) {
				assert_true(d->kind >= 1 && d->kind <= 4);
				assert_true(strlen(d->case_ref) <=
				    NOTE_MAX_CASE);
				assert_true(strlen(d->title) <=
				    NOTE_MAX_TITLE);
				note_free(d);
			} else {
				assert_null(d);
			}
			buf[i] = save;
		}
	}
	note_buf_free(buf, len);

	/* Random garbage. */
	{
		uint8_t g[300];
		uint64_t st = 5;
		size_t glen;

		for (i = 0; i < 2000; i++) {
			det_fill(&st, &glen, sizeof(glen));
			glen = glen % sizeof(g) + 1;
			det_fill(&st, g, glen);
			if (i % 2)
				g[0] = 0x98;
			rc = note_decode(g, glen, &d);
			assert_int_not_equal(rc, 0);
			assert_null(d);
		}
	}
}

/* A note sealed in an entry, decoded, opened and parsed again. */
static void
test_in_entry(void **state)
{
	struct note n = mk(), *d;
	struct identity *me;
	struct entry_header h;
	struct entry *e, *e2;
	uint8_t seed[32], group[32], key[32];
	uint8_t *buf, *enc, *plain;
	size_t len, enclen, plainlen, i;
	int found = 0;

	(void)state;
	memset(seed, 7, sizeof(seed));
	memset(group, 8, sizeof(group));
	memset(key, 9, sizeof(key));
	assert_int_equal(identity_from_seed(seed, &me), 0);
	assert_int_equal(entry_header_next(&h, group, me->pk, NULL, 0), 0);
	h.kind = ENTRY_KIND_NOTE;
	h.epoch = 0;
	n.body = "MARKER-balint-secret";
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_true(len <= ENTRY_MAX_PLAIN);
	assert_int_equal(entry_seal(&h, me, key, buf, len, &rng, &e), 0);
	note_buf_free(buf, len);
	assert_int_equal(entry_encode(e, &enc, &enclen), 0);
	for (i = 0; i + 6 <= enclen; i++)
		if (memcmp(enc + i, "MARKER", 6) == 0)
			found = 1;
	assert_false(found);
	assert_int_equal(entry_decode(enc, enclen, &e2), 0);
	assert_int_equal(entry_open(e2, key, &plain, &plainlen), 0);
	assert_int_equal(note_decode(plain, plainlen, &d), 0);
	assert_string_equal(d->body, "MARKER-balint-secret");
	assert_memory_equal(d->id, n.id, NOTE_ID_BYTES);
	note_free(d);
	entry_plain_free(plain, plainlen);
	/* The largest note fits the largest entry body. */
	assert_true(NOTE_MAX_ENCODED <= ENTRY_MAX_PLAIN);
	free(enc);
	entry_free(e);
	entry_free(e2);
	identity_free(me);
}

/* A note id is bound to its author: nobody else's key makes it. */
static void
test_note_id_bound(void **state)
{
	uint8_t id[NOTE_ID_BYTES], id2[NOTE_ID_BYTES], other[BAL_PK_BYTES];

	(void)state;
	memcpy(other, AUTHOR, sizeof(other));
	other[31] ^= 1;
	note_id_generate(&rng, AUTHOR, id);
	note_id_generate(&rng, AUTHOR, id2);
	assert_true(note_id_is_authors(id, AUTHOR));
	assert_true(note_id_is_authors(id2, AUTHOR));
	assert_false(note_id_is_authors(id, other));
	/* Random where people type prefixes, bound at the end. */
	assert_memory_not_equal(id, id2, NOTE_ID_BYTES - NOTE_ID_TAG_BYTES);
	assert_memory_equal(id + NOTE_ID_BYTES - NOTE_ID_TAG_BYTES,
	    id2 + NOTE_ID_BYTES - NOTE_ID_TAG_BYTES, NOTE_ID_TAG_BYTES);
	id[NOTE_ID_BYTES - 1] ^= 0x80;
	assert_false(note_id_is_authors(id, AUTHOR));
	id[NOTE_ID_BYTES - 1] ^= 0x80;
	id[0] ^= 0x80;		/* the random part is the author's to choose */
	assert_true(note_id_is_authors(id, AUTHOR));
	/* Another author's id: ours does not match it. */
	note_id_generate(&rng, other, id2);
	assert_false(note_id_is_authors(id2, AUTHOR));
}

static void
test_note_id(void **state)
{
	uint8_t id[NOTE_ID_BYTES], back[NOTE_ID_BYTES];
	char hex[NOTE_ID_HEX_BYTES];

	(void)state;
	note_id_generate(&rng, AUTHOR, id);
	note_id_to_hex(id, hex);
	assert_int_equal(strlen(hex), 32);
	assert_int_equal(note_id_from_hex(hex, back), 0);
	assert_memory_equal(id, back, NOTE_ID_BYTES);
	memcpy(id, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
	    "\x0d\x0e\xff", NOTE_ID_BYTES);
	note_id_to_hex(id, hex);
	assert_string_equal(hex, "000102030405060708090a0b0c0d0eff");
	assert_int_equal(note_id_from_hex("000102030405060708090A0B0C0D0EFF",
	    back), 0);
	assert_memory_equal(id, back, NOTE_ID_BYTES);
	assert_int_equal(note_id_from_hex("000102", back), BAL_EPROTO);
	assert_int_equal(note_id_from_hex(
	    "000102030405060708090a0b0c0d0eff00", back), BAL_EPROTO);
	assert_int_equal(note_id_from_hex(
	    "000102030405060708090a0b0c0d0ezz", back), BAL_EPROTO);
	assert_int_equal(note_id_from_hex(NULL, back), BAL_EPROTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_tombstone),
		cmocka_unit_test(test_tombstone_erases),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_version_and_shape),
		cmocka_unit_test(test_truncation_and_tamper),
		cmocka_unit_test(test_in_entry),
		cmocka_unit_test(test_note_id),
		cmocka_unit_test(test_note_id_bound),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
