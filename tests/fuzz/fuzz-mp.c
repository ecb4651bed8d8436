/*
 * fuzz-mp.c — mp_doc_parse and the mp_rd_* readers (proto/mp.c), the
 * strict msgpack layer under every decoder.
 *
 * Input: any bytes.  Checked: no memory error and no allocation beyond
 * what the input can back (the pre-scan bounds every count); a parsed
 * document is exactly one object; every reader, applied to every element
 * of every array (to nesting depth 8), returns 0 or BAL_EPROTO and agrees
 * with the element's type; mp_utf8_valid agrees with a second, simpler
 * UTF-8 check on every str.
 */
#include "fuzz.h"
#include "mp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* A second UTF-8 validator, written from RFC 3629 §4 (no NUL). */
static int
utf8_ref(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
		} else if (c >= 0xc2 && c <= 0xdf) {
			if (n - i < 2 || (s[i + 1] & 0xc0) != 0x80)
				return 0;
			i += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			uint8_t lo = c == 0xe0 ? 0xa0 : 0x80;
			uint8_t hi = c == 0xed ? 0x9f : 0xbf;

			if (n - i < 3 || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80)
				return 0;
			i += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			uint8_t lo = c == 0xf0 ? 0x90 : 0x80;
			uint8_t hi = c == 0xf4 ? 0x8f : 0xbf;

			if (n - i < 4 || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80 ||
			    (s[i + 3] & 0xc0) != 0x80)
				return 0;
			i += 4;
		} else {
			return 0;
		}
	}
	return 1;
}

static void walk(const msgpack_object *o, int depth);

/* Applies every reader to element i of array o. */
static void
readers(const msgpack_object *o, uint32_t i)
{
	const msgpack_object *e = &o->via.array.ptr[i];
	struct mp_rd r;
	const uint8_t *p;
	const char *s;
	uint8_t fixed[32];
	char *dup;
	size_t len;
	uint64_t v;
	int b, rc;

#define AT(r) do {							\
	fuzz_check(mp_rd_array(&(r), o, 0, UINT32_MAX) == 0);		\
	(r).i = i;							\
} while (0)
	AT(r);
	rc = mp_rd_uint(&r, UINT64_MAX, &v);
	fuzz_check(rc == 0 ? e->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    v == e->via.u64 : rc == BAL_EPROTO);
	AT(r);
	rc = mp_rd_bool(&r, &b);
	fuzz_check((rc == 0) == (e->type == MSGPACK_OBJECT_BOOLEAN));
	AT(r);
	fuzz_check(mp_rd_peek_nil(&r) == (e->type == MSGPACK_OBJECT_NIL));
	rc = mp_rd_nil(&r);
	fuzz_check((rc == 0) == (e->type == MSGPACK_OBJECT_NIL));
	AT(r);
	rc = mp_rd_bin(&r, 0, SIZE_MAX, &p, &len);
	fuzz_check((rc == 0) == (e->type == MSGPACK_OBJECT_BIN));
	if (rc == 0)
		fuzz_touch(p, len);
	AT(r);
	rc = mp_rd_bin_fixed(&r, fixed, sizeof(fixed));
	fuzz_check((rc == 0) == (e->type == MSGPACK_OBJECT_BIN &&
	    e->via.bin.size == sizeof(fixed)));
	AT(r);
	rc = mp_rd_str(&r, 0, SIZE_MAX, &s, &len);
	if (e->type == MSGPACK_OBJECT_STR)
		fuzz_check((rc == 0) == utf8_ref((const uint8_t *)
		    e->via.str.ptr, e->via.str.size));
	else
		fuzz_check(rc == BAL_EPROTO);
	AT(r);
	rc = mp_rd_strdup(&r, 0, 64, &dup);
	if (rc == 0) {
		fuzz_check(strlen(dup) == e->via.str.size);
		free(dup);
	} else {
		fuzz_check(dup == NULL);
	}
#undef AT
}

static void
walk(const msgpack_object *o, int depth)
{
	struct mp_rd r, sub;
	uint32_t i;

	if (depth > 8)
		return;
	if (o->type == MSGPACK_OBJECT_MAP) {
		for (i = 0; i < o->via.map.size; i++) {
			walk(&o->via.map.ptr[i].key, depth + 1);
			walk(&o->via.map.ptr[i].val, depth + 1);
		}
		return;
	}
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return;
	fuzz_check(mp_rd_array(&r, o, o->via.array.size,
	    o->via.array.size) == 0);
	if (o->via.array.size > 0)
		fuzz_check(mp_rd_array(&sub, o, o->via.array.size + 1,
		    UINT32_MAX) == BAL_EPROTO);
	for (i = 0; i < o->via.array.size; i++) {
		readers(o, i);
		fuzz_check(mp_rd_left(&r) == o->via.array.size - i);
		fuzz_check(mp_rd_end(&r) == BAL_EPROTO);
		if (o->via.array.ptr[i].type == MSGPACK_OBJECT_ARRAY)
			fuzz_check(mp_rd_sub(&r, 0, UINT32_MAX, &sub) == 0);
		else
			fuzz_check(mp_rd_next(&r) == &o->via.array.ptr[i]);
		walk(&o->via.array.ptr[i], depth + 1);
	}
	fuzz_check(mp_rd_end(&r) == 0 && mp_rd_next(&r) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_doc doc;
	int rc;

	fuzz_reset();
	rc = mp_doc_parse(&doc, data, size);
	if (rc != 0) {
		fuzz_check(rc == BAL_EPROTO || rc == BAL_ETOOBIG);
		fuzz_check(mp_doc_root(&doc) == NULL);
		mp_doc_free(&doc);
		return 0;
	}
	walk(mp_doc_root(&doc), 0);
	mp_doc_free(&doc);
	mp_doc_free(&doc);	/* a freed document frees again safely */
	return 0;
}
