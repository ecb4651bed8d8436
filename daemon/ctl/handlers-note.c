/*
 * handlers-note.c — the note.* control commands: write, list, show, edit,
 * delete.  Plaintext exists here only in memory (group_notes' decrypted
 * copies, note_encode's sodium_malloc'd buffer, the request and response,
 * all wiped when freed).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "entry.h"
#include "group.h"
#include "identity.h"
#include "note.h"

/* Checks one string field against its limit; fails the call if over. */
static int
check_len(struct ctl_call *call, const char *what, size_t len, size_t max)
{
	if (len <= max)
		return 0;
	control_fail(call, CTL_FAILED, N_("the %s is too long (%zu bytes, at "
	    "most %zu)"), what, len, max);
	return -1;
}

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/*
 * Seals n as this member's next note entry and answers {note}, then the
 * guard's hits (Identifiers: warn, or confirmed) as records; frees gh.
 */
static void
append_note(struct ctl_call *call, struct group *g, const struct note *n,
    const char *what, struct handlers_guard_hits *gh)
{
	struct ctl_resp *resp = NULL;
	char hex[NOTE_ID_HEX_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = note_encode(n, &buf, &len)) != 0) {
		handlers_guard_hits_free(gh);
		control_fail(call, CTL_FAILED, N_("cannot %s the note: %s"), what,
		    rc == BAL_ETOOBIG ? N_("a field is over its limit") :
		    N_("a field is not valid UTF-8 text"));
		return;
	}
	rc = group_append(g, ENTRY_KIND_NOTE, buf, len, NULL);
	note_buf_free(buf, len);
	if (rc != 0) {
		daemon_log("note %s failed in group '%s': %s", what,
		    group_name(g), bal_strerror(rc));
		handlers_guard_hits_free(gh);
		control_fail(call, CTL_FAILED, N_("cannot %s the note (%s)"), what,
		    rc == BAL_EPERM ? N_("this member may not write in the group")
		    : group_write_error(g, rc));
		return;
	}
	note_id_to_hex(n->id, hex);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "note", hex) != 0 ||
	    handlers_guard_hits_add(resp, gh) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	handlers_guard_hits_free(gh);
	control_reply(call, resp);
}

void
handlers_note_write(struct ctl_call *call, const struct ctl_req *req)
{
	const char *kind, *cref, *title, *body;
	size_t clen, tlen, blen;
	struct handlers_guard_field f[3];
	struct handlers_guard_hits *gh = NULL;
	struct note n;
	struct group *g;
	int k;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_str(call, req, "kind", 0, &kind, NULL) != 0 ||
	    handlers_str(call, req, "case", 0, &cref, &clen) != 0 ||
	    handlers_str(call, req, "title", 0, &title, &tlen) != 0 ||
	    handlers_str(call, req, "body", 1, &body, &blen) != 0)
		return;
	if (handlers_kind(call, kind, NOTE_KIND_SESSION, &k) != 0)
		return;
	if (is_blank(body, blen)) {
		control_fail(call, CTL_FAILED, N_("refusing to write an empty "
		    "note (give it some text)"));
		return;
	}
	if (check_len(call, N_("case reference"), clen, NOTE_MAX_CASE) != 0 ||
	    check_len(call, N_("title"), tlen, NOTE_MAX_TITLE) != 0 ||
	    check_len(call, N_("note text"), blen, NOTE_MAX_BODY) != 0 ||
	    handlers_line(call, N_("case reference"), cref) != 0 ||
	    handlers_line(call, N_("title"), title) != 0)
		return;
	/* The de-identification guard, before anything is sealed. */
	f[0] = (struct handlers_guard_field){ "title", title, tlen };
	f[1] = (struct handlers_guard_field){ "case", cref, clen };
	f[2] = (struct handlers_guard_field){ "text", body, blen };
	if (handlers_guard_note(call, req, g, f, 3, &gh) != 0)
		return;
	memset(&n, 0, sizeof(n));
	note_id_generate(NULL, g->d->id->pk, n.id);
	n.kind = k;
	n.case_ref = (char *)(uintptr_t)cref;
	n.title = (char *)(uintptr_t)title;
	n.body = (char *)(uintptr_t)body;
	append_note(call, g, &n, N_("write"), gh);
}

/* Adds a note's common fields to the newest record. */
static int
add_note_fields(struct ctl_resp *resp, const struct group *g,
    const struct group_note *gn)
{
	char hex[NOTE_ID_HEX_BYTES], idbuf[IDENTITY_ID_TEXT_BYTES];
	const char *kind = note_kind_name(gn->note->kind);

	note_id_to_hex(gn->note_id, hex);
	if (ctl_resp_add_str(resp, "note", hex) != 0 ||
	    ctl_resp_add_str(resp, "kind", kind != NULL ? kind : "other") != 0 ||
	    ctl_resp_add_str(resp, "case", gn->note->case_ref != NULL ?
	    gn->note->case_ref : "") != 0 ||
	    ctl_resp_add_str(resp, "title", gn->note->title != NULL ?
	    gn->note->title : "") != 0 ||
	    ctl_resp_add_str(resp, "author",
	    handlers_member_name(g, gn->author, idbuf)) != 0 ||
	    ctl_resp_add_uint(resp, "time", gn->created_ms) != 0 ||
	    ctl_resp_add_uint(resp, "updated", gn->updated_ms) != 0 ||
	    ctl_resp_add_uint(resp, "versions", gn->versions) != 0)
		return BAL_ENOMEM;
	return 0;
}

void
handlers_note_list(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	struct group_note *notes = NULL;
	const struct group_note *gn;
	struct handlers_marks marks;
	struct group_shortids ids;
	char shortid[NOTE_ID_HEX_BYTES];
	const char *kind, *cref;
	struct group *g;
	uint64_t offset = 0, limit = UINT64_MAX, skipped = 0, sent = 0;
	uint64_t since = 0, bytes = 0;
	size_t i, n = 0, *order = NULL;
	int k = 0, rc, only_new = 0, meeting = 0, isnew, bodies = 0, mine = 0;
	int by_case = 0;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_str(call, req, "kind", 0, &kind, NULL) != 0 ||
	    handlers_str(call, req, "case", 0, &cref, NULL) != 0 ||
	    handlers_uint(call, req, "offset", &offset) != 0 ||
	    handlers_uint(call, req, "limit", &limit) != 0 ||
	    handlers_bool(call, req, "new", &only_new) != 0 ||
	    handlers_uint(call, req, "since", &since) != 0 ||
	    handlers_bool(call, req, "since_meeting", &meeting) != 0 ||
	    handlers_bool(call, req, "bodies", &bodies) != 0 ||
	    handlers_bool(call, req, "mine", &mine) != 0 ||
	    handlers_bool(call, req, "by_case", &by_case) != 0)
		return;
	if (handlers_limit(call, limit, 1) != 0 ||
	    handlers_kind(call, kind, 0, &k) != 0)
		return;
	memset(&ids, 0, sizeof(ids));
	if ((rc = handlers_marks_load(g, &marks)) != 0 ||
	    (rc = group_notes(g, &notes, &n)) != 0 ||
	    (rc = group_shortids_load(control_call_daemon(call), g, notes,
	    n, &ids)) != 0) {
		handlers_marks_free(&marks);
		group_notes_free(notes, n);
		group_shortids_free(&ids);
		control_fail(call, CTL_FAILED, N_("cannot read the notes of "
		    "group '%s' (%s)"), group_name(g), bal_strerror(rc));
		return;
	}
	if (meeting && (since = handlers_marks_last_meeting(notes, n)) == 0)
		since = UINT64_MAX;	/* no meeting yet: nothing since */
	/* The export's order: each case's notes together (handlers-case.c). */
	if ((by_case && handlers_case_order(notes, n, &order) != 0) ||
	    (resp = control_call_resp(call)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		gn = &notes[order != NULL ? order[i] : i];
		if (gn->deleted || gn->note == NULL)
			continue;
		isnew = handlers_marks_new(&marks, gn);
		if ((only_new && !isnew) || gn->updated_ms < since ||
		    (mine && memcmp(gn->author, marks.self, BAL_PK_BYTES) != 0))
			continue;
		if (k > 0 && gn->note->kind != k)
			continue;
		/* Letter case and accents do not matter ("k7" is "K7"). */
		if (cref != NULL && *cref != '\0' &&
		    !handlers_search_same(gn->note->case_ref, cref))
			continue;
		if (skipped < offset) {
			skipped++;
			continue;
		}
		/*
		 * With the texts, a page also ends before it outgrows a
		 * message (3/4 of it, a record's keys and numbers included):
		 * the client asks again from where it ended.
		 */
		if (bodies) {
			bytes += 512 + strlen(gn->note->body ?
			    gn->note->body : "") + strlen(gn->note->title ?
			    gn->note->title : "");
			if (sent > 0 && bytes > CTL_MAX_MSG / 4 * 3)
				break;
		}
		if (sent++ == limit)
			break;
		group_shortid(&ids, gn->note_id, shortid);
		if (ctl_resp_record_begin(resp) != 0 ||
		    add_note_fields(resp, g, gn) != 0 ||
		    ctl_resp_add_str(resp, "short", shortid) != 0 ||
		    ctl_resp_add_bool(resp, "new", isnew) != 0 ||
		    (bodies && ctl_resp_add_str(resp, "body", gn->note->body ?
		    gn->note->body : "") != 0))
			goto fail;
	}
	free(order);
	handlers_marks_free(&marks);
	group_notes_free(notes, n);
	group_shortids_free(&ids);
	control_reply(call, resp);
	return;
fail:
	free(order);
	handlers_marks_free(&marks);
	group_notes_free(notes, n);
	group_shortids_free(&ids);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

/*
 * The group of a note named without -g by a member of several groups:
 * the one group that holds a note whose id starts with sel, else NULL
 * with the number of such notes in all of them in *total.
 */
static struct group *
group_of_note(struct daemon *d, const char *sel, size_t *total)
{
	struct group *g, *hit = NULL;
	struct group_note *notes;
	size_t n, k;

	*total = 0;
	for (g = d->groups; g != NULL; g = g->next) {
		if (g->contract == NULL || group_notes(g, &notes, &n) != 0)
			continue;
		if ((k = group_note_matches(notes, n, sel)) > 0) {
			*total += k;
			hit = g;
		}
		group_notes_free(notes, n);
	}
	return *total == 1 ? hit : NULL;
}

/* Says why sel names no one note: too short, ambiguous or unknown. */
static void
no_such_note(struct ctl_call *call, const char *sel, size_t matches)
{
	size_t len = strlen(sel), i;

	for (i = 0; i < len && isxdigit((unsigned char)sel[i]); i++)
		;
	if (len < GROUP_NOTE_PREFIX_MIN || i < len)
		control_fail(call, CTL_FAILED, N_("unknown note '%s' (see: "
		    "balint note list): a note id is hex digits, and its "
		    "first %d name it when no other note starts so"), sel,
		    GROUP_NOTE_PREFIX_MIN);
	else if (matches > 1)
		control_fail(call, CTL_FAILED, N_("note id prefix '%s' matches "
		    "%zu notes: give more of it (see: balint note list)"), sel,
		    matches);
	else
		control_fail(call, CTL_FAILED, N_("unknown note '%s' (see: "
		    "balint note list)"), sel);
}

/*
 * Loads the notes of the call's group and finds the "note" argument; on
 * failure the call is answered and NULL returned (notes freed).  Without
 * a group, a member of several groups finds the note in any of them.
 */
static const struct group_note *
find_note(struct ctl_call *call, const struct ctl_req *req,
    struct group **g, struct group_note **notes, size_t *n)
{
	struct daemon *d = control_call_daemon(call);
	const struct group_note *gn = NULL;
	struct group *each;
	const char *sel;
	size_t i, k = 0, ngroups = 0;
	int rc;

	*notes = NULL;
	*n = 0;
	if (handlers_str(call, req, "note", 1, &sel, NULL) != 0)
		return NULL;
	if (ctl_req_get(req, "group") == NULL)
		for (each = d->groups; each != NULL; each = each->next)
			ngroups += each->contract != NULL;
	if (ngroups > 1) {
		if ((*g = group_of_note(d, sel, &k)) == NULL) {
			no_such_note(call, sel, k);
			return NULL;
		}
	} else if ((*g = handlers_group(call, req)) == NULL)
		return NULL;
	if ((rc = group_notes(*g, notes, n)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the notes of "
		    "group '%s' (%s)"), group_name(*g), bal_strerror(rc));
		return NULL;
	}
	/* The one readable note whose id starts so (deleted ones aside). */
	if ((k = group_note_matches(*notes, *n, sel)) == 1)
		for (i = 0; i < *n && gn == NULL; i++)
			if (group_note_matches(&(*notes)[i], 1, sel) == 1)
				gn = &(*notes)[i];
	if (gn == NULL) {
		no_such_note(call, sel, k);
		group_notes_free(*notes, *n);
		*notes = NULL;
		*n = 0;
		return NULL;
	}
	return gn;
}

/*
 * Answers note.show --version N: the note's fields as version N had them,
 * with "version" and "time" of that version.
 */
static void
show_version(struct ctl_call *call, struct group *g,
    const struct group_note *gn, uint64_t version)
{
	struct group_note_version *v = NULL;
	struct ctl_resp *resp = NULL;
	struct group_note at;
	char idbuf[IDENTITY_ID_TEXT_BYTES];
	size_t nv = 0;
	int rc;

	if ((rc = group_note_versions(g, gn, &v, &nv)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the versions of "
		    "the note (%s)"), bal_strerror(rc));
		return;
	}
	if (version == 0 || version > nv) {
		group_note_versions_free(v, nv);
		control_fail(call, CTL_FAILED, N_("the note has no version %llu "
		    "(it has %zu: see balint note log)"),
		    (unsigned long long)version, nv);
		return;
	}
	at = *gn;
	at.note = v[version - 1].note;
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    add_note_fields(resp, g, &at) != 0 ||
	    ctl_resp_add_uint(resp, "version", version) != 0 ||
	    ctl_resp_add_uint(resp, "changed", v[version - 1].time_ms) != 0 ||
	    ctl_resp_add_str(resp, "changed_by", handlers_member_name(g,
	    v[version - 1].author, idbuf)) != 0 ||
	    ctl_resp_add_str(resp, "body", at.note->body != NULL ?
	    at.note->body : "") != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	group_note_versions_free(v, nv);
	control_reply(call, resp);
}

/* What version b changed against a ("title, text"), into buf. */
static const char *
what_changed(const struct note *a, const struct note *b, char *buf,
    size_t len)
{
	const char *at = a->title ? a->title : "", *bt = b->title ? b->title :
	    "", *ab = a->body ? a->body : "", *bb = b->body ? b->body : "";
	int t = strcmp(at, bt) != 0, x = strcmp(ab, bb) != 0;

	if (b->tombstone)
		return "deleted";
	snprintf(buf, len, "%s%s%s", t ? "title" : "", t && x ? ", " : "",
	    x ? "text" : "");
	if (!t && !x)
		snprintf(buf, len, "nothing");
	return buf;
}

/* Counts the lines of s (a last line without '\n' counts). */
static uint64_t
lines(const char *s)
{
	uint64_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		if (*s == '\n' || s[1] == '\0')
			n++;
	return n;
}

void
handlers_note_log(struct ctl_call *call, const struct ctl_req *req)
{
	struct group_note_version *v = NULL;
	struct ctl_resp *resp = NULL;
	struct group_note *notes;
	const struct group_note *gn;
	char idbuf[IDENTITY_ID_TEXT_BYTES], what[32];
	struct group *g;
	size_t n, nv = 0, i;
	int rc;

	if ((gn = find_note(call, req, &g, &notes, &n)) == NULL)
		return;
	if ((rc = group_note_versions(g, gn, &v, &nv)) != 0) {
		group_notes_free(notes, n);
		control_fail(call, CTL_FAILED, N_("cannot read the versions of "
		    "the note (%s)"), bal_strerror(rc));
		return;
	}
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (i = 0; i < nv; i++)
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_uint(resp, "version", i + 1) != 0 ||
		    ctl_resp_add_uint(resp, "time", v[i].time_ms) != 0 ||
		    ctl_resp_add_str(resp, "author", handlers_member_name(g,
		    v[i].author, idbuf)) != 0 ||
		    ctl_resp_add_str(resp, "change", i == 0 ? "written" :
		    what_changed(v[i - 1].note, v[i].note, what,
		    sizeof(what))) != 0 ||
		    ctl_resp_add_str(resp, "title", v[i].note->title ?
		    v[i].note->title : "") != 0 ||
		    ctl_resp_add_uint(resp, "lines", lines(v[i].note->body)) !=
		    0 ||
		    ctl_resp_add_uint(resp, "bytes", v[i].note->body ?
		    strlen(v[i].note->body) : 0) != 0)
			goto fail;
	group_note_versions_free(v, nv);
	group_notes_free(notes, n);
	control_reply(call, resp);
	return;
fail:
	group_note_versions_free(v, nv);
	group_notes_free(notes, n);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

void
handlers_note_show(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	struct group_note *notes;
	const struct group_note *gn;
	struct group *g;
	uint64_t version = 0;
	size_t n;

	if (handlers_uint(call, req, "version", &version) != 0)
		return;
	if ((gn = find_note(call, req, &g, &notes, &n)) == NULL)
		return;
	if (version != 0) {
		show_version(call, g, gn, version);
		group_notes_free(notes, n);
		return;
	}
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    add_note_fields(resp, g, gn) != 0 ||
	    ctl_resp_add_str(resp, "body", gn->note->body != NULL ?
	    gn->note->body : "") != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	/* Read now: no longer new (a failed mark only leaves it new). */
	if (resp != NULL && handlers_marks_read(g, gn) != 0)
		daemon_log("cannot keep a read mark in group '%s'",
		    group_name(g));
	group_notes_free(notes, n);
	control_reply(call, resp);
}

/* Shared by edit and delete: only the author may supersede a note. */
static int
check_author(struct ctl_call *call, const struct group_note *gn,
    const char *what)
{
	struct daemon *d = control_call_daemon(call);

	if (sodium_memcmp(gn->author, d->id->pk, BAL_PK_BYTES) == 0)
		return 0;
	control_fail(call, CTL_FAILED, N_("only the author of a note can %s it"),
	    what);
	return -1;
}

void
handlers_note_edit(struct ctl_call *call, const struct ctl_req *req)
{
	struct group_note *notes;
	const struct group_note *gn;
	const char *title, *body;
	size_t tlen, blen, n;
	struct handlers_guard_field f[2];
	struct handlers_guard_hits *gh = NULL;
	struct group *g;
	struct note nn;

	if ((gn = find_note(call, req, &g, &notes, &n)) == NULL)
		return;
	if (check_author(call, gn, N_("edit")) != 0)
		goto out;
	if (handlers_str(call, req, "title", 0, &title, &tlen) != 0 ||
	    handlers_str(call, req, "body", 0, &body, &blen) != 0)
		goto out;
	if (title == NULL && body == NULL) {
		control_fail(call, CTL_USAGE, N_("nothing to change (give a new "
		    "text or title)"));
		goto out;
	}
	if (body != NULL && is_blank(body, blen)) {
		control_fail(call, CTL_FAILED, N_("refusing to make the note "
		    "empty (to remove it: balint note delete)"));
		goto out;
	}
	if ((title != NULL &&
	    (check_len(call, N_("title"), tlen, NOTE_MAX_TITLE) != 0 ||
	    handlers_line(call, N_("title"), title) != 0)) ||
	    (body != NULL &&
	    check_len(call, N_("note text"), blen, NOTE_MAX_BODY) != 0))
		goto out;
	/* The guard checks what changes (the rest was checked before). */
	f[0] = (struct handlers_guard_field){ "title", title, tlen };
	f[1] = (struct handlers_guard_field){ "text", body, blen };
	if (handlers_guard_note(call, req, g, f, 2, &gh) != 0)
		goto out;
	memset(&nn, 0, sizeof(nn));
	memcpy(nn.id, gn->note_id, NOTE_ID_BYTES);
	nn.kind = gn->note->kind;
	nn.case_ref = gn->note->case_ref;
	nn.title = title != NULL ? (char *)(uintptr_t)title : gn->note->title;
	nn.body = body != NULL ? (char *)(uintptr_t)body : gn->note->body;
	nn.has_supersedes = 1;
	memcpy(nn.supersedes, gn->entry_id, BAL_HASH_BYTES);
	append_note(call, g, &nn, N_("edit"), gh);
out:
	group_notes_free(notes, n);
}

void
handlers_note_delete(struct ctl_call *call, const struct ctl_req *req)
{
	struct group_note *notes;
	const struct group_note *gn;
	struct group *g;
	struct note nn;
	size_t n;

	memset(&nn, 0, sizeof(nn));
	if ((gn = find_note(call, req, &g, &notes, &n)) == NULL)
		return;
	if (check_author(call, gn, N_("delete")) != 0)
		goto out;
	/* It names every version it erases (docs/protocol.md, Notes). */
	if (group_note_erases(g, gn->note_id, &nn.erases, &nn.nerases) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the note's "
		    "versions from the store"));
		goto out;
	}
	memcpy(nn.id, gn->note_id, NOTE_ID_BYTES);
	nn.kind = gn->note->kind;
	nn.has_supersedes = 1;
	memcpy(nn.supersedes, gn->entry_id, BAL_HASH_BYTES);
	nn.tombstone = 1;
	append_note(call, g, &nn, N_("delete"), NULL);
out:
	free(nn.erases);
	group_notes_free(notes, n);
}
