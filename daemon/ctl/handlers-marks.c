/*
 * handlers-marks.c — what this member has not read yet: read marks kept
 * in the store (store-marks.c), one per note version read.  A note is new
 * when its latest version is neither marked nor written by this member:
 * reading it (note show, case show) marks it, and an edit by its author
 * makes it new again.  Also when the last meeting was, for note list
 * --since last-meeting.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "note.h"
#include "store.h"

int
handlers_marks_load(struct group *g, struct handlers_marks *m)
{
	memset(m, 0, sizeof(*m));
	m->self = g->d->id->pk;
	if (g->d->store == NULL)
		return 0;
	return store_marks_get(g->d->store, g->id, &m->ids, &m->n);
}

void
handlers_marks_free(struct handlers_marks *m)
{
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, BAL_HASH_BYTES);
}

int
handlers_marks_new(const struct handlers_marks *m, const struct group_note *gn)
{
	if (gn->deleted || gn->note == NULL ||
	    memcmp(gn->author, m->self, BAL_PK_BYTES) == 0)
		return 0;
	return m->n == 0 || bsearch(gn->entry_id, m->ids, m->n,
	    BAL_HASH_BYTES, cmp_id) == NULL;
}

int
handlers_marks_read(struct group *g, const struct group_note *gn)
{
	if (g->d->store == NULL)
		return 0;
	return store_marks_put(g->d->store, g->id,
	    (const uint8_t (*)[BAL_HASH_BYTES])gn->entry_id, 1);
}

int
handlers_marks_count(struct group *g, uint64_t *count)
{
	struct handlers_marks m;
	struct group_note *notes = NULL;
	size_t n = 0, i;
	int ret;

	*count = 0;
	if ((ret = handlers_marks_load(g, &m)) != 0)
		return ret;
	if ((ret = group_notes(g, &notes, &n)) == 0)
		for (i = 0; i < n; i++)
			*count += (uint64_t)handlers_marks_new(&m, &notes[i]);
	group_notes_free(notes, n);
	handlers_marks_free(&m);
	return ret;
}

uint64_t
handlers_marks_last_meeting(const struct group_note *notes, size_t n)
{
	uint64_t newest = 0;
	struct tm tm;
	time_t t;
	size_t i;

	for (i = 0; i < n; i++)
		if (!notes[i].deleted && notes[i].note != NULL &&
		    notes[i].note->kind == NOTE_KIND_SESSION &&
		    notes[i].created_ms > newest)
			newest = notes[i].created_ms;
	if (newest == 0)
		return 0;
	/* From the start of that day, local time: the meeting's own notes. */
	t = (time_t)(newest / 1000);
	if (localtime_r(&t, &tm) == NULL)
		return newest;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || t < 0)
		return newest;
	return (uint64_t)t * 1000;
}
