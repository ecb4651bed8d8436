/*
 * group-shortid.c — the short note ids of `balint note list` (group.h):
 * the shortest prefix of a note id, at least GROUP_NOTE_PREFIX_MIN hex
 * digits, that no other readable note of this member's groups starts
 * with, as git abbreviates commit ids.  Every group counts, so that what
 * the table shows names the note in every command, with -g or without
 * (a note named without -g is looked for in all the member's groups).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "group.h"
#include "note.h"

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, NOTE_ID_BYTES);
}

/* Appends the ids of the readable notes of notes[n]. */
static int
add(struct group_shortids *set, const struct group_note *notes, size_t n)
{
	uint8_t (*a)[NOTE_ID_BYTES];
	size_t i;

	if ((a = realloc(set->id, (set->n + n + 1) * sizeof(*a))) == NULL)
		return BAL_ENOMEM;
	set->id = a;
	for (i = 0; i < n; i++)
		if (!notes[i].deleted && notes[i].note != NULL)
			memcpy(set->id[set->n++], notes[i].note_id,
			    NOTE_ID_BYTES);
	return 0;
}

int
group_shortids_load(struct daemon *d, const struct group *g,
    const struct group_note *notes, size_t n, struct group_shortids *set)
{
	struct group_note *other;
	struct group *each;
	size_t k;
	int rc;

	memset(set, 0, sizeof(*set));
	if ((rc = add(set, notes, n)) != 0)
		return rc;
	for (each = d->groups; each != NULL; each = each->next) {
		if (each == g || each->contract == NULL ||
		    group_notes(each, &other, &k) != 0)
			continue;
		rc = add(set, other, k);
		group_notes_free(other, k);
		if (rc != 0)
			return rc;
	}
	qsort(set->id, set->n, sizeof(*set->id), id_cmp);
	return 0;
}

void
group_shortids_free(struct group_shortids *set)
{
	free(set->id);
	memset(set, 0, sizeof(*set));
}

/* The hex digits two ids share at their start. */
static size_t
common_digits(const uint8_t *a, const uint8_t *b)
{
	size_t i;

	for (i = 0; i < NOTE_ID_BYTES && a[i] == b[i]; i++)
		;
	if (i == NOTE_ID_BYTES)
		return 2 * NOTE_ID_BYTES;
	return 2 * i + ((a[i] >> 4) == (b[i] >> 4));
}

void
group_shortid(const struct group_shortids *set,
    const uint8_t id[NOTE_ID_BYTES], char out[NOTE_ID_HEX_BYTES])
{
	const uint8_t (*hit)[NOTE_ID_BYTES];
	size_t len = GROUP_NOTE_PREFIX_MIN, c, i;

	note_id_to_hex(id, out);
	hit = bsearch(id, set->id, set->n, sizeof(*set->id), id_cmp);
	if (hit != NULL) {
		/* Sorted: the ids sharing most digits are its neighbours. */
		i = (size_t)(hit - set->id);
		if (i > 0 && (c = common_digits(set->id[i - 1], id) + 1) > len)
			len = c;
		if (i + 1 < set->n &&
		    (c = common_digits(set->id[i + 1], id) + 1) > len)
			len = c;
	}
	if (len < NOTE_ID_HEX_BYTES - 1)
		out[len] = '\0';
}
