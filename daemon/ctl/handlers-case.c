/*
 * handlers-case.c — case.list and case.show: a group's notes gathered by
 * their case reference, letter case and accents ignored
 * (handlers_search_same), so "k7" and "K7" are one case.  A case is known
 * as soon as one note carries its reference (a case note, or a session
 * note that presented it).
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "note.h"

/* One case of case.list: the first note that named it, and counts. */
struct gcase {
	size_t first;		/* index in the notes of its first note */
	size_t casenote;	/* its (first) case note, or SIZE_MAX */
	uint64_t notes, followups, last_ms;
	char *fold;		/* its reference folded (handlers_search_fold) */
	size_t flen;
};

static void
cases_free(struct gcase *cs, size_t nc)
{
	size_t j;

	for (j = 0; cs != NULL && j < nc; j++)
		handlers_search_free(cs[j].fold, cs[j].flen);
	free(cs);
}

static int
live(const struct group_note *gn)
{
	return !gn->deleted && gn->note != NULL && gn->note->case_ref != NULL &&
	    gn->note->case_ref[0] != '\0';
}

/*
 * The case of live note i among the *nc cases of cs (room for every
 * note), added as a new one first seen at i if none folds alike: its
 * index in *j.  0, or handlers_search_fold's error.
 */
static int
case_of(struct gcase *cs, size_t *nc, const struct group_note *gn,
    size_t i, size_t *j)
{
	char *f = NULL;
	size_t flen = 0;
	int rc;

	if ((rc = handlers_search_fold(gn->note->case_ref,
	    strlen(gn->note->case_ref), &f, &flen)) != 0)
		return rc;
	for (*j = 0; *j < *nc; (*j)++)
		if (cs[*j].flen == flen && memcmp(cs[*j].fold, f, flen) == 0) {
			handlers_search_free(f, flen);
			return 0;
		}
	cs[*nc].first = i;
	cs[*nc].fold = f;
	cs[*nc].flen = flen;
	cs[(*nc)++].casenote = SIZE_MAX;
	return 0;
}

void
handlers_case_list(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	struct group_note *notes = NULL;
	const struct group_note *gn;
	struct gcase *cs = NULL;
	char idbuf[IDENTITY_ID_TEXT_BYTES];
	size_t n = 0, nc = 0, i, j;
	struct group *g;
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if ((rc = group_notes(g, &notes, &n)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the notes of "
		    "group '%s' (%s)"), group_name(g), bal_strerror(rc));
		return;
	}
	if (n > 0 && (cs = calloc(n, sizeof(*cs))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		gn = &notes[i];
		if (!live(gn))
			continue;
		if (case_of(cs, &nc, gn, i, &j) != 0)
			goto fail;
		cs[j].notes++;
		if (gn->note->kind == NOTE_KIND_FOLLOWUP)
			cs[j].followups++;
		if (gn->note->kind == NOTE_KIND_CASE &&
		    cs[j].casenote == SIZE_MAX)
			cs[j].casenote = i;
		if (gn->updated_ms > cs[j].last_ms)
			cs[j].last_ms = gn->updated_ms;
	}
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (j = 0; j < nc; j++) {
		gn = &notes[cs[j].casenote != SIZE_MAX ? cs[j].casenote :
		    cs[j].first];
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "case", gn->note->case_ref) != 0 ||
		    ctl_resp_add_str(resp, "title", cs[j].casenote != SIZE_MAX
		    && gn->note->title != NULL ? gn->note->title : "") != 0 ||
		    ctl_resp_add_str(resp, "presenter", cs[j].casenote !=
		    SIZE_MAX ? handlers_member_name(g, gn->author, idbuf) :
		    "") != 0 ||
		    ctl_resp_add_uint(resp, "time", gn->created_ms) != 0 ||
		    ctl_resp_add_uint(resp, "updated", cs[j].last_ms) != 0 ||
		    ctl_resp_add_uint(resp, "notes", cs[j].notes) != 0 ||
		    ctl_resp_add_uint(resp, "followups", cs[j].followups) != 0)
			goto fail;
	}
	cases_free(cs, nc);
	group_notes_free(notes, n);
	control_reply(call, resp);
	return;
fail:
	cases_free(cs, nc);
	group_notes_free(notes, n);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

/* The notes of a case: case notes first, then the rest as written. */
static const struct group_note *order_notes;

static int
by_case_order(const void *a, const void *b)
{
	const struct group_note *x = &order_notes[*(const size_t *)a];
	const struct group_note *y = &order_notes[*(const size_t *)b];
	int xc = x->note->kind == NOTE_KIND_CASE;
	int yc = y->note->kind == NOTE_KIND_CASE;

	if (xc != yc)
		return xc ? -1 : 1;
	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

void
handlers_case_show(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	struct group_note *notes = NULL;
	const struct group_note *gn;
	const char *ref, *kind;
	char hex[NOTE_ID_HEX_BYTES], idbuf[IDENTITY_ID_TEXT_BYTES];
	size_t *idx = NULL, n = 0, m = 0, i;
	struct group *g;
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_str(call, req, "case", 1, &ref, NULL) != 0)
		return;
	if ((rc = group_notes(g, &notes, &n)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the notes of "
		    "group '%s' (%s)"), group_name(g), bal_strerror(rc));
		return;
	}
	if (n > 0 && (idx = calloc(n, sizeof(*idx))) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (live(&notes[i]) &&
		    handlers_search_same(notes[i].note->case_ref, ref))
			idx[m++] = i;
	if (m == 0) {
		free(idx);
		group_notes_free(notes, n);
		control_fail(call, CTL_FAILED, N_("no note carries the case '%s' "
		    "(see: balint case list)"), ref);
		return;
	}
	order_notes = notes;
	qsort(idx, m, sizeof(*idx), by_case_order);
	order_notes = NULL;
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (i = 0; i < m; i++) {
		gn = &notes[idx[i]];
		kind = note_kind_name(gn->note->kind);
		note_id_to_hex(gn->note_id, hex);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "note", hex) != 0 ||
		    ctl_resp_add_str(resp, "kind", kind ? kind : "other") != 0 ||
		    ctl_resp_add_str(resp, "case", gn->note->case_ref) != 0 ||
		    ctl_resp_add_str(resp, "title", gn->note->title ?
		    gn->note->title : "") != 0 ||
		    ctl_resp_add_str(resp, "author", handlers_member_name(g,
		    gn->author, idbuf)) != 0 ||
		    ctl_resp_add_uint(resp, "time", gn->created_ms) != 0 ||
		    ctl_resp_add_uint(resp, "updated", gn->updated_ms) != 0 ||
		    ctl_resp_add_str(resp, "body", gn->note->body ?
		    gn->note->body : "") != 0)
			goto fail;
		/* Shown whole: read (a failed mark leaves it new). */
		(void)handlers_marks_read(g, gn);
	}
	free(idx);
	group_notes_free(notes, n);
	control_reply(call, resp);
	return;
fail:
	free(idx);
	group_notes_free(notes, n);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

/* A note's place in handlers_case_order. */
struct order_key {
	size_t block;		/* where its case first appears, or its own */
	int notcase;		/* 0 for a case note: first in its block */
	uint64_t created;
	size_t i;
};

static int
by_order_key(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	if (x->notcase != y->notcase)
		return x->notcase < y->notcase ? -1 : 1;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
handlers_case_order(const struct group_note *notes, size_t n, size_t **idx)
{
	struct order_key *k = NULL;
	struct gcase *cs = NULL;
	size_t i, j, nc = 0;
	int ret = BAL_ENOMEM;

	*idx = NULL;
	if (n == 0)
		return 0;
	if ((k = calloc(n, sizeof(*k))) == NULL ||
	    (cs = calloc(n, sizeof(*cs))) == NULL ||
	    (*idx = calloc(n, sizeof(**idx))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		k[i].block = i;
		k[i].notcase = 1;
		k[i].i = i;
		if (!live(&notes[i]))
			continue;
		k[i].notcase = notes[i].note->kind != NOTE_KIND_CASE;
		k[i].created = notes[i].created_ms;
		/* A reference that does not fold keeps its note in place. */
		if (case_of(cs, &nc, &notes[i], i, &j) == 0)
			k[i].block = cs[j].first;
	}
	qsort(k, n, sizeof(*k), by_order_key);
	for (i = 0; i < n; i++)
		(*idx)[i] = k[i].i;
	ret = 0;
out:
	if (ret != 0) {
		free(*idx);
		*idx = NULL;
	}
	cases_free(cs, nc);
	free(k);
	return ret;
}
