/* cmd-note.c — balint note write | list | show | edit | delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <uniwidth.h>

#include "cli.h"
#include "mp.h"
#include "note.h"

static const char usage[] = N_(
    "usage: balint note write [-g GROUP] [--kind K] [--case REF] [--title T]\n"
    "                         [-m TEXT | -F FILE] [--allow-identifiers] [--yes]\n"
    "       balint [--json] note list [-g GROUP] [--kind K] [--case REF]\n"
    "                                 [--new] [--since DATE|last-meeting]\n"
    "       balint [--json] note show [-g GROUP] NOTE [--version N]\n"
    "       balint note edit [-g GROUP] NOTE [--title T] [-m TEXT | -F FILE]\n"
    "                        [--allow-identifiers]\n"
    "       balint note delete [-g GROUP] [--yes] NOTE\n"
    "       balint note search [-g GROUP] WORDS... (see: balint note search "
    "--help)\n"
    "       balint [--json] note log [-g GROUP] NOTE\n"
    "  write   encrypt, sign and share a new note; prints its id.  Without\n"
    "          -m or -F, opens the editor (the editor setting, $VISUAL,\n"
    "          $EDITOR, editor, vi) on a private temporary file, wiped\n"
    "          afterwards, with Title, Kind and Case lines to fill in and\n"
    "          '#' comment lines that are removed; with no title, the first\n"
    "          line of the text becomes the title.  An editor that returns\n"
    "          at once (code, gedit without --wait) is waited for: the file\n"
    "          stays until you save it\n"
    "  list    the group's notes (newest version of each, with the time of\n"
    "          its last change)\n"
    "  show    one note with its text; NOTE is its id or a unique prefix\n"
    "          (4 characters at least), in any of your groups without -g;\n"
    "          --version N shows version N as it was (see: note log)\n"
    "  search  the notes that hold some words (letter case and accents\n"
    "          ignored), best first, with the line that matched\n"
    "  log     the versions of a note: who changed what, when\n"
    "  edit    a new version of your own note (text from -m, -F or $EDITOR;\n"
    "          --title alone changes only the title)\n"
    "  delete  erase your own note on every member's machine; asks first\n"
    "          (-y, --yes: do not ask, for scripts)\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n"
    "  --kind K       session, followup, case or other (default session)\n"
    "  --case REF     a case reference, so follow-ups link to their case;\n"
    "                 filters ignore letter case (see: balint case --help)\n"
    "  --yes, --force write a follow-up without a case, or to a case no\n"
    "                 note carries yet, without asking\n"
    "  --new          (list) only notes you have not read yet: another\n"
    "                 member's note whose latest version you have not\n"
    "                 seen with note show or case show (an edit makes it\n"
    "                 new again); the marks stay on this computer\n"
    "  --since DATE   (list) notes changed since DATE (YYYY-MM-DD, an age\n"
    "                 such as 7d); last-meeting: since the start of the day\n"
    "                 of the newest session note (the last meeting's notes\n"
    "                 and everything after them)\n"
    "  --title T      the note's title\n"
    "  -m TEXT        the text itself\n"
    "  -F FILE        read the text from FILE (- for stdin)\n"
    "  --allow-identifiers  write even if the guard finds details that may\n"
    "                 identify a patient (see: balint check --help)\n"
    "Before a note leaves this computer, balintd checks its title, case and\n"
    "text for identifying details (numbers, phones, e-mail, addresses,\n"
    "dates, names).  If it finds some and the group's contract says\n"
    "'Identifiers: refuse' (the default), each is shown with a line of\n"
    "context and nothing is written, unless you confirm on a terminal\n"
    "(share anyway? [y/N]) or give --allow-identifiers (exit 1 otherwise).\n");

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* Checks the options shared by write, list and edit. */
static int
check_fields(const char *kind, const char *cref, const char *title)
{
	if (kind != NULL && note_kind_from_string(kind) < 0) {
		util_err(_("unknown note kind '%s' (use session, followup, case "
		    "or other)"), kind);
		return CLI_USAGE;
	}
	if (cref != NULL && !util_line_ok(cref, NOTE_MAX_CASE)) {
		util_err(_("bad --case '%s' (one line of at most %d bytes of "
		    "text, no control characters)"), cref, NOTE_MAX_CASE);
		return CLI_USAGE;
	}
	if (title != NULL && !util_line_ok(title, NOTE_MAX_TITLE)) {
		util_err(_("bad --title '%s' (one line of at most %d bytes of "
		    "text, no control characters)"), title, NOTE_MAX_TITLE);
		return CLI_USAGE;
	}
	return CLI_OK;
}

/*
 * Gets the note text from -m, -F or the editor into sodium_malloc'd
 * memory; *text NULL and CLI_OK when none was asked for and !need.
 */
static int
get_text(const struct cli *c, const char *msg, const char *file,
    const char *initial, char **text, size_t *len)
{
	size_t n;

	*text = NULL;
	*len = 0;
	if (msg != NULL && file != NULL) {
		util_err(_("give the text with -m or -F, not both"));
		return CLI_USAGE;
	}
	if (msg != NULL) {
		n = strlen(msg);
		if ((*text = sodium_malloc(n + 1)) == NULL) {
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		memcpy(*text, msg, n + 1);
		*len = n;
		return CLI_OK;
	}
	if (file != NULL)
		return util_read_file(file, NOTE_MAX_BODY, "note file", text,
		    len);
	return editor_text(c, initial, text, len);
}

/*
 * Checks the note text, after turning Windows line ends (CR LF) into
 * plain ones; file is where it came from (for the hint to convert a file
 * in another encoding), or NULL.
 */
static int
check_text(char *text, size_t *len, const char *what, const char *file)
{
	size_t i, o;

	for (i = o = 0; i < *len; i++)
		if (text[i] != '\r' || i + 1 >= *len || text[i + 1] != '\n')
			text[o++] = text[i];
	if (o < *len)
		sodium_memzero(text + o, *len - o);
	*len = o;
	if (is_blank(text, *len)) {
		util_err(_("refusing %s an empty note (nothing was written)"),
		    what);
		return CLI_FAILED;
	}
	if (!mp_utf8_valid(text, *len)) {
		if (file != NULL && strcmp(file, "-") != 0)
			util_err(_("the note text is not UTF-8 text, perhaps "
			    "Latin-1 (nothing was written); convert it with: "
			    "iconv -f LATIN1 -t UTF-8 '%s' > note.txt"), file);
		else
			util_err(_("the note text is not UTF-8 text, perhaps "
			    "Latin-1 (nothing was written); convert it with: "
			    "iconv -f LATIN1 -t UTF-8"));
		return CLI_FAILED;
	}
	if (*len > NOTE_MAX_BODY) {
		util_err(_("the note text is too long (%zu bytes, at most %u)"),
		    *len, NOTE_MAX_BODY);
		return CLI_FAILED;
	}
	return CLI_OK;
}

/* Prints a written note's id, and the guard's findings as a warning. */
static int
note_written(struct cli *c, const struct ctl_resp *resp,
    const struct hits_field *f, size_t nf)
{
	const char *id;
	int rc = CLI_OK;

	if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_get_str(resp, 0, "note", &id, NULL) == 0)
		printf("%s\n", id);
	if (!c->json && hits_count(resp) > 0) {
		fprintf(stderr, _("balint: written with %zu possible identifying "
		    "detail(s):\n"), hits_count(resp));
		hits_print(stderr, resp, f, nf);
	}
	return rc;
}

/*
 * Sends a note.write or note.edit request and prints the answer.  When
 * the guard refuses the note, its findings are shown and, on a terminal,
 * the member is asked whether to share it anyway.
 */
static int
send_note(struct cli *c, struct ctl_req *req, const struct hits_field *f,
    size_t nf)
{
	struct ctl_resp *resp = NULL;
	char answer[16], text[CTL_MAX_ERR];
	int rc;

	rc = client_call_keep(c, req, 0, &resp);
	if (rc == CLI_OK) {
		rc = note_written(c, resp, f, nf);
		ctl_resp_free(resp);
		return rc;
	}
	if (resp == NULL)
		return rc;
	fprintf(stderr, _("balint: %zu possible identifying detail(s) in the "
	    "note:\n"), hits_count(resp));
	hits_print(stderr, resp, f, nf);
	if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO) &&
	    util_tty_line(_("share anyway? [y/N] "), 0, answer,
	    sizeof(answer)) == 0 && util_yes(answer)) {
		ctl_resp_free(resp);
		resp = NULL;
		if (ctl_req_add_bool(req, "allow_identifiers", 1) != 0) {
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		if ((rc = client_call(c, req, 0, &resp)) != CLI_OK)
			return rc;
		rc = note_written(c, resp, f, nf);
		ctl_resp_free(resp);
		return rc;
	}
	util_err("%s", daemon_text(ctl_resp_err(resp), text, sizeof(text)));
	ctl_resp_free(resp);
	return CLI_FAILED;
}

static int
note_write(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *kind = NULL, *cref = NULL, *title = NULL;
	const char *msg = NULL, *file = NULL;
	int allow_ids = 0, yes = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--kind", 'k', &kind, NULL },
		{ "--case", 'c', &cref, NULL },
		{ "--title", 't', &title, NULL },
		{ "--message", 'm', &msg, NULL },
		{ "--file", 'F', &file, NULL },
		{ "--allow-identifiers", 0, NULL, &allow_ids },
		{ "--yes", 'y', NULL, &yes },
		{ "--force", 0, NULL, &yes },
		{ NULL, 0, NULL, NULL }
	};
	struct template_fields tf;
	struct hits_field f[3];
	struct ctl_req *req = NULL;
	char *pos[1], *text = NULL, casebuf[NOTE_MAX_CASE + 2], *tmpl;
	size_t len = 0;
	int npos, rc;

	if ((rc = util_getopt(c, "note write", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = check_fields(kind, cref, title)) != CLI_OK)
		return rc;
	if (msg == NULL && file == NULL) {
		/* The editor, on the template: its header lines win. */
		if ((tmpl = template_make(kind, cref, title)) == NULL) {
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		rc = editor_text(c, tmpl, &text, &len);
		util_buf_free(tmpl, 0);
		if (rc != CLI_OK)
			return rc;
		(void)template_parse(text, &len, &tf);
		if (tf.has_kind)
			kind = tf.kind[0] != '\0' ? tf.kind : NULL;
		if (tf.has_case)
			cref = tf.cref[0] != '\0' ? tf.cref : NULL;
		if (tf.has_title || title == NULL)
			title = tf.title[0] != '\0' ? tf.title : NULL;
		if ((rc = check_fields(kind, cref, title)) != CLI_OK)
			goto out;
	} else if ((rc = get_text(c, msg, file, NULL, &text, &len)) != CLI_OK)
		return rc;
	/* A follow-up names a case someone wrote (asks, or --yes). */
	if ((rc = cmd_case_check(c, group, kind, &cref, casebuf,
	    sizeof(casebuf), yes)) != CLI_OK)
		goto out;
	if ((rc = check_text(text, &len, _("to write"), file)) != CLI_OK)
		goto out;
	rc = CLI_FAILED;
	if ((req = client_req("note.write", group)) == NULL ||
	    ctl_req_add_strn(req, "body", text, len) != 0 ||
	    (kind != NULL && ctl_req_add_str(req, "kind", kind) != 0) ||
	    (cref != NULL && ctl_req_add_str(req, "case", cref) != 0) ||
	    (title != NULL && ctl_req_add_str(req, "title", title) != 0) ||
	    (allow_ids && ctl_req_add_bool(req, "allow_identifiers", 1) !=
	    0)) {
		util_err(_("out of memory"));
		goto out;
	}
	f[0] = (struct hits_field){ "text", text, len };
	f[1] = (struct hits_field){ "title", title, title ? strlen(title) : 0 };
	f[2] = (struct hits_field){ "case", cref, cref ? strlen(cref) : 0 };
	rc = send_note(c, req, f, 3);
out:
	ctl_req_free(req);
	if (text != NULL)
		util_buf_free(text, len);
	sodium_memzero(&tf, sizeof(tf));
	return rc;
}

/*
 * Appends the records of one page of note.list to all, skipping notes
 * already listed: a note that arrives between two pages may shift the
 * order by one, which must not show a note twice.
 */
int
cmd_note_append(struct ctl_resp *all, const struct ctl_resp *page)
{
	const struct ctl_kv *kv;
	const char *id, *seen;
	size_t i, j, nf, have = ctl_resp_nrecords(all);

	for (i = 0; i < ctl_resp_nrecords(page); i++) {
		if (ctl_resp_get_str(page, i, "note", &id, NULL) != 0) {
			util_err(_("balintd sent a note without an id"));
			return CLI_FAILED;
		}
		for (j = have > CTL_LIST_PAGE_MAX ? have - CTL_LIST_PAGE_MAX :
		    0; j < have; j++)
			if (ctl_resp_get_str(all, j, "note", &seen, NULL) ==
			    0 && strcmp(seen, id) == 0)
				break;
		if (j < have)
			continue;
		kv = ctl_resp_record(page, i, &nf);
		if (ctl_resp_record_begin(all) != 0) {
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		for (j = 0; j < nf; j++)
			if (ctl_resp_add(all, kv[j].key, &kv[j].val) != 0) {
				util_err(_("out of memory"));
				return CLI_FAILED;
			}
	}
	return CLI_OK;
}

static int
note_list(struct cli *c, int argc, char **argv)
{
	/* NOTE: the shortest unique id prefix; --json has the whole id. */
	static const struct output_col cols[] = {
		{ "short", N_("NOTE"), OUT_STR },
		{ "kind", N_("KIND"), OUT_WORD },
		{ "case", N_("CASE"), OUT_STR },
		{ "author", N_("AUTHOR"), OUT_STR },
		{ "updated", N_("CHANGED"), OUT_TIME },
		{ "versions", N_("V"), OUT_UINT },
		{ "title", N_("TITLE"), OUT_STR },
	};
	const char *group = c->group, *kind = NULL, *cref = NULL;
	const char *since = NULL;
	int only_new = 0, meeting = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--kind", 'k', &kind, NULL },
		{ "--case", 'c', &cref, NULL },
		{ "--new", 0, NULL, &only_new },
		{ "--since", 0, &since, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL, *all = NULL;
	struct ctl_req *req;
	uint64_t offset = 0, ms = 0;
	char *pos[1];
	size_t n;
	int npos, rc;

	if ((rc = util_getopt(c, "note list", usage, argc, argv, 2, opts, pos,
	    0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = check_fields(kind, cref, NULL)) != CLI_OK)
		return rc;
	if (since != NULL && strcmp(since, "last-meeting") == 0)
		meeting = 1;
	else if (since != NULL && util_since_ms(since, &ms) != 0) {
		util_err(_("bad --since '%s' (use YYYY-MM-DD, an age such as 7d, "
		    "or last-meeting)"), since);
		return CLI_USAGE;
	}
	if (ctl_resp_new(0, CTL_OK, NULL, &all) != 0) {
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	/* One page per request: a long listing outgrows one message. */
	for (;;) {
		if ((req = client_req("note.list", group)) == NULL ||
		    (kind != NULL && ctl_req_add_str(req, "kind", kind) != 0) ||
		    (cref != NULL && ctl_req_add_str(req, "case", cref) != 0) ||
		    (only_new && ctl_req_add_bool(req, "new", 1) != 0) ||
		    (ms > 0 && ctl_req_add_uint(req, "since", ms) != 0) ||
		    (meeting && ctl_req_add_bool(req, "since_meeting", 1) !=
		    0) ||
		    ctl_req_add_uint(req, "offset", offset) != 0 ||
		    ctl_req_add_uint(req, "limit", CTL_LIST_PAGE_MAX) != 0) {
			ctl_req_free(req);
			util_err(_("out of memory"));
			rc = CLI_FAILED;
			goto out;
		}
		rc = client_call(c, req, 0, &resp);
		ctl_req_free(req);
		if (rc != CLI_OK)
			goto out;
		n = ctl_resp_nrecords(resp);
		if ((rc = cmd_note_append(all, resp)) != CLI_OK)
			goto out;
		ctl_resp_free(resp);
		resp = NULL;
		if (n < CTL_LIST_PAGE_MAX)
			break;
		offset += n;
	}
	rc = output_list(c, all, cols, sizeof(cols) / sizeof(cols[0]),
	    only_new ? _("no new notes (every note was read: note show "
	    "marks it)") : since != NULL ? _("no notes changed since then") :
	    _("no notes (write one: balint note write)"));
out:
	ctl_resp_free(resp);
	ctl_resp_free(all);
	return rc;
}

/* Fetches one note (note.show); prints errors. */
static int
fetch_note(struct cli *c, const char *group, const char *sel,
    uint64_t version, struct ctl_resp **resp)
{
	struct ctl_req *req;
	int rc;

	if ((req = client_req("note.show", group)) == NULL ||
	    ctl_req_add_str(req, "note", sel) != 0 ||
	    (version > 0 && ctl_req_add_uint(req, "version", version) != 0)) {
		ctl_req_free(req);
		util_err(_("unknown note '%s' (see: balint note list)"), sel);
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, resp);
	ctl_req_free(req);
	return rc;
}

static int
note_show(struct cli *c, int argc, char **argv)
{
	static const struct output_col head[] = {
		/* Each label is followed by its value, in one column. */
		{ "note", N_("note:"), OUT_STR },
		{ "kind", N_("kind:"), OUT_WORD },
		{ "case", N_("case:"), OUT_STR },
		{ "title", N_("title:"), OUT_STR },
		{ "author", N_("author:"), OUT_STR },
		{ "time", N_("written:"), OUT_TIME },
		{ "updated", N_("updated:"), OUT_TIME },
		{ "versions", N_("versions:"), OUT_UINT },
		{ "version", N_("version:"), OUT_UINT },
		{ "changed", N_("changed:"), OUT_TIME },
		{ "changed_by", N_("by:"), OUT_STR },
	};
	const char *group = c->group, *body, *s, *ver = NULL;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--version", 0, &ver, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1], buf[64], *end;
	unsigned long long v = 0;
	size_t i;
	int npos, rc, w, col = 0;

	if ((rc = util_getopt(c, "note show", usage, argc, argv, 2, opts, pos,
	    1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("note show needs a note id (see: balint note list)"));
		return CLI_USAGE;
	}
	if (ver != NULL && ((v = strtoull(ver, &end, 10)) == 0 ||
	    *end != '\0' || *ver == '-')) {
		util_err(_("bad --version '%s' (a version number: 1, 2, ... see: "
		    "balint note log)"), ver);
		return CLI_USAGE;
	}
	if ((rc = fetch_note(c, group, pos[0], v, &resp)) != CLI_OK)
		return rc;
	if (c->json) {
		rc = output_json(resp);
		ctl_resp_free(resp);
		return rc;
	}
	/* The values in one column after the widest label, plus a space. */
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		w = u8_strwidth((const uint8_t *)_(head[i].head), "UTF-8");
		if (w + 1 > col)
			col = w + 1;
	}
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		s = output_field(resp, 0, head[i].key, head[i].fmt, buf,
		    sizeof(buf));
		if (*s == '\0')
			continue;
		fputs(_(head[i].head), stdout);
		w = u8_strwidth((const uint8_t *)_(head[i].head), "UTF-8");
		do
			fputc(' ', stdout);
		while (++w < col);
		output_safe(stdout, s, 0);
		fputc('\n', stdout);
	}
	if (ctl_resp_get_str(resp, 0, "body", &body, NULL) == 0) {
		fputc('\n', stdout);
		output_safe(stdout, body, 1);
		if (*body != '\0' && body[strlen(body) - 1] != '\n')
			fputc('\n', stdout);
	}
	ctl_resp_free(resp);
	return CLI_OK;
}

static int
note_edit(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *title = NULL, *msg = NULL, *file = NULL;
	const char *old = NULL, *id = NULL;
	int allow_ids = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--title", 't', &title, NULL },
		{ "--message", 'm', &msg, NULL },
		{ "--file", 'F', &file, NULL },
		{ "--allow-identifiers", 0, NULL, &allow_ids },
		{ NULL, 0, NULL, NULL }
	};
	struct hits_field f[2];
	struct ctl_resp *cur = NULL;
	struct ctl_req *req = NULL;
	char *pos[1], *text = NULL;
	size_t len = 0, oldlen = 0;
	int npos, rc;

	if ((rc = util_getopt(c, "note edit", usage, argc, argv, 2, opts, pos,
	    1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("note edit needs a note id (see: balint note list)"));
		return CLI_USAGE;
	}
	if ((rc = check_fields(NULL, NULL, title)) != CLI_OK)
		return rc;
	if (msg == NULL && file == NULL && title == NULL) {
		/* Edit the current text in $EDITOR. */
		if ((rc = fetch_note(c, group, pos[0], 0, &cur)) != CLI_OK)
			return rc;
		(void)ctl_resp_get_str(cur, 0, "body", &old, &oldlen);
		(void)ctl_resp_get_str(cur, 0, "note", &id, NULL);
		if ((rc = editor_text(c, old, &text, &len)) != CLI_OK)
			goto out;
		if (old != NULL && len == oldlen &&
		    memcmp(text, old, len) == 0) {
			util_err(_("the note is unchanged (nothing was written)"));
			rc = CLI_FAILED;
			goto out;
		}
	} else if (msg != NULL || file != NULL) {
		if ((rc = get_text(c, msg, file, NULL, &text, &len)) != CLI_OK)
			goto out;
	}
	if (text != NULL && (rc = check_text(text, &len, _("to make"),
	    file)) != CLI_OK)
		goto out;
	rc = CLI_FAILED;
	if ((req = client_req("note.edit", group)) == NULL ||
	    ctl_req_add_str(req, "note", id != NULL ? id : pos[0]) != 0 ||
	    (text != NULL && ctl_req_add_strn(req, "body", text, len) != 0) ||
	    (title != NULL && ctl_req_add_str(req, "title", title) != 0) ||
	    (allow_ids && ctl_req_add_bool(req, "allow_identifiers", 1) !=
	    0)) {
		util_err(_("unknown note '%s' (see: balint note list)"), pos[0]);
		goto out;
	}
	f[0] = (struct hits_field){ "text", text, len };
	f[1] = (struct hits_field){ "title", title, title ? strlen(title) : 0 };
	rc = send_note(c, req, f, 2);
out:
	ctl_req_free(req);
	ctl_resp_free(cur);
	if (text != NULL)
		util_buf_free(text, len);
	return rc;
}

static int
note_delete(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *id = NULL, *title = "";
	int yes = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--yes", 'y', NULL, &yes },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *cur = NULL, *resp = NULL;
	struct ctl_req *req = NULL;
	char *pos[1], prompt[400];
	int npos, rc;

	if ((rc = util_getopt(c, "note delete", usage, argc, argv, 2, opts,
	    pos, 1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("note delete needs a note id (see: balint note list)"));
		return CLI_USAGE;
	}
	/* The note first: its title for the question and the answer. */
	if ((rc = fetch_note(c, group, pos[0], 0, &cur)) != CLI_OK)
		return rc;
	(void)ctl_resp_get_str(cur, 0, "note", &id, NULL);
	(void)ctl_resp_get_str(cur, 0, "title", &title, NULL);
	if (id == NULL)
		id = pos[0];
	if (!yes) {
		snprintf(prompt, sizeof(prompt), _("Delete the note %.12s "
		    "'%.200s' on every member's computer? [y/N] "), id, title);
		if ((rc = util_confirm(prompt, _("deleting the note"))) !=
		    CLI_OK)
			goto out;
	}
	rc = CLI_FAILED;
	if ((req = client_req("note.delete", group)) == NULL ||
	    ctl_req_add_str(req, "note", id) != 0) {
		util_err(_("out of memory"));
		goto out;
	}
	if ((rc = client_call(c, req, 0, &resp)) != CLI_OK)
		goto out;
	if (c->json)
		rc = output_json(resp);
	else {
		printf(_("deleted the note %s '"), id);
		output_safe(stdout, title, 0);
		printf("%s", _("': erased here, and on the other members' "
		    "computers when they next sync\n"));
	}
out:
	ctl_req_free(req);
	ctl_resp_free(resp);
	ctl_resp_free(cur);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
} subs[] = {
	{ "write", note_write },
	{ "list", note_list },
	{ "show", note_show },
	{ "edit", note_edit },
	{ "delete", note_delete },
	{ "search", cmd_search },
	{ "log", cmd_history },
};

int
cmd_note(struct cli *c, int argc, char **argv)
{
	const char *names[sizeof(subs) / sizeof(subs[0])], *sub = NULL;
	size_t i, n = sizeof(subs) / sizeof(subs[0]);

	for (i = 0; i < n; i++)
		names[i] = subs[i].name;
	if (argc >= 2)
		sub = suggest_sub(argv[1], names, n);
	for (i = 0; sub != NULL && i < n; i++)
		if (strcmp(sub, subs[i].name) == 0)
			return subs[i].fn(c, argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return CLI_OK;
	}
	if (argc < 2) {
		util_err(_("note needs a subcommand: write, list, show, edit, "
		    "delete, search or log (see: balint note --help)"));
		return CLI_USAGE;
	}
	return suggest_unknown_sub("note", argv[1], names, n);
}
