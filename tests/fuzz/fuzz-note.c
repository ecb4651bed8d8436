/*
 * fuzz-note.c — note_decode (proto/note.c), the plaintext inside a kind-1
 * entry, and the small text parsers of note ids and kinds.
 *
 * Input: one encoded note (also read as text by note_id_from_hex and
 * note_kind_from_string).  Checked: no memory error; a decoded note's
 * strings are UTF-8 within their limits, a tombstone has no title or body
 * and names what it supersedes and the versions it erases (1 to
 * NOTE_MAX_ERASES), other notes none; it re-encodes and the round trip is
 * stable; a parsed note id prints back to the same id.
 */
#include "fuzz.h"
#include "note.h"
#include "mp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void
check_note(const struct note *n)
{
	fuzz_check(note_kind_name(n->kind) != NULL);
	fuzz_check(strlen(n->case_ref) <= NOTE_MAX_CASE &&
	    mp_utf8_valid(n->case_ref, strlen(n->case_ref)));
	fuzz_check(strlen(n->title) <= NOTE_MAX_TITLE &&
	    mp_utf8_valid(n->title, strlen(n->title)));
	fuzz_check(strlen(n->body) <= NOTE_MAX_BODY &&
	    mp_utf8_valid(n->body, strlen(n->body)));
	if (n->tombstone)
		fuzz_check(n->has_supersedes && n->title[0] == '\0' &&
		    n->body[0] == '\0' && n->nerases >= 1 &&
		    n->nerases <= NOTE_MAX_ERASES);
	else
		fuzz_check(n->nerases == 0 && n->erases == NULL);
}

/* The text parsers on the same bytes, NUL-terminated. */
static void
check_text(const uint8_t *data, size_t size)
{
	char *s, hex[NOTE_ID_HEX_BYTES];
	uint8_t id[NOTE_ID_BYTES], id2[NOTE_ID_BYTES];
	int k;

	if (size > 256)
		return;
	fuzz_check((s = malloc(size + 1)) != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (note_id_from_hex(s, id) == 0) {
		note_id_to_hex(id, hex);
		fuzz_check(note_id_from_hex(hex, id2) == 0);
		fuzz_check(memcmp(id, id2, sizeof(id)) == 0);
	}
	k = note_kind_from_string(s);
	if (k >= 0)
		fuzz_check(note_kind_name(k) != NULL &&
		    strcmp(note_kind_name(k), s) == 0);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct note *n = NULL, *n2 = NULL;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1 = 0, l2 = 0;

	fuzz_reset();
	check_text(data, size);
	if (note_decode(data, size, &n) != 0) {
		fuzz_check(n == NULL);
		goto out;
	}
	check_note(n);
	fuzz_check(note_encode(n, &e1, &l1) == 0);
	fuzz_check(l1 <= size && l1 <= NOTE_MAX_ENCODED);
	fuzz_check(note_decode(e1, l1, &n2) == 0);
	check_note(n2);
	fuzz_check(note_encode(n2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	note_free(n);
	note_free(n2);
	note_buf_free(e1, l1);
	note_buf_free(e2, l2);
	return 0;
}
