/*
 * cmd-export.c — balint export [--mine] [--format md|json|pdf] FILE: the
 * readable notes of a group written to a file of this member's, mode
 * 0600, never over an existing file, which appears only once whole
 * (export-file.c: a stopped or failed export leaves no part of it).  The file is plaintext, which is
 * said on stderr every time: it is what a member keeps of their notes
 * (before leaving, say), outside balint's encryption.  The notes come in
 * the daemon's order by case (note.list by_case): each case's notes
 * together where the case first appears, its case note first.  The PDF
 * is made by the program balint-export-pdf (export-pdf.c runs it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "json.h"

static const char usage[] = N_(
    "usage: balint export [-g GROUP] [--mine | --kept] "
    "[--format md|json|pdf] FILE\n"
    "  Writes the group's notes that this computer can read (the latest\n"
    "  version of each, with its kind, case, title, author, times and\n"
    "  text) to FILE, created with mode 0600; an existing FILE is never\n"
    "  overwritten.  A case's follow-ups come right after its case note\n"
    "  (with --kept, the notes come as they were written).\n"
    "  The file is NOT encrypted: keep it safe, and delete it when you no\n"
    "  longer need it.\n"
    "  FILE appears only when complete: an export that fails or is\n"
    "  stopped leaves nothing (after kill -9 or a power cut, on a file\n"
    "  system such as FAT or NFS, a hidden .FILE.balint-partial-XXXXXX may\n"
    "  stay beside it; the next export into that folder removes it).\n"
    "  --mine          only the notes you wrote\n"
    "  --kept          the notes you wrote in a group a leader revoked you\n"
    "                  from: balintd kept them apart, sealed under your own\n"
    "                  key, when it erased the group (-g: that group's name)\n"
    "  --format md     Markdown, one section per note (the default)\n"
    "  --format json   a JSON array, one object per note\n"
    "  --format pdf    an A4 document to read or print: the group's name,\n"
    "                  the date, each note with its title, kind, case,\n"
    "                  author, date and text, numbered pages (Hebrew\n"
    "                  runs right to left)\n"
    "  balint leave offers this export of your own notes first (PDF for\n"
    "  a FILE ending in .pdf, JSON in .json, else Markdown).\n");

/* Fetches every note with its text, page by page, into *all. */
static int
fetch_all(struct cli *c, const char *group, int mine, int kept,
    struct ctl_resp **all)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	uint64_t offset = 0;
	size_t n;
	int rc;

	if (ctl_resp_new(0, CTL_OK, NULL, all) != 0) {
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	/* A page ends before it outgrows a message: ask until one is empty. */
	for (;;) {
		if ((req = client_req(kept ? "note.kept" : "note.list",
		    group)) == NULL ||
		    (!kept && ctl_req_add_bool(req, "bodies", 1) != 0) ||
		    (!kept && ctl_req_add_bool(req, "by_case", 1) != 0) ||
		    (mine && !kept && ctl_req_add_bool(req, "mine", 1) != 0) ||
		    ctl_req_add_uint(req, "offset", offset) != 0 ||
		    ctl_req_add_uint(req, "limit", CTL_LIST_PAGE_MAX) != 0) {
			ctl_req_free(req);
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		rc = client_call(c, req, 0, &resp);
		ctl_req_free(req);
		if (rc != CLI_OK)
			return rc;
		n = ctl_resp_nrecords(resp);
		rc = cmd_note_append(*all, resp);
		ctl_resp_free(resp);
		if (rc != CLI_OK)
			return rc;
		if (n == 0)
			return CLI_OK;
		offset += n;
	}
}

static void
put_json_str(FILE *f, const char *s)
{
	char *q = json_quote(s, strlen(s));

	fputs(q != NULL ? q : "\"\"", f);
	free(q);
}

static void
write_json(FILE *f, const struct ctl_resp *all)
{
	static const char *const strs[] = { "note", "kind", "case", "title",
	    "author" };
	static const char *const nums[] = { "time", "updated", "versions" };
	const char *s;
	uint64_t u;
	size_t r, i;

	fputs("[", f);
	for (r = 0; r < ctl_resp_nrecords(all); r++) {
		fputs(r > 0 ? ",\n  {" : "\n  {", f);
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
			if (ctl_resp_get_str(all, r, strs[i], &s, NULL) != 0)
				s = "";
			fprintf(f, "%s\"%s\": ", i > 0 ? ", " : "", strs[i]);
			put_json_str(f, s);
		}
		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
			if (ctl_resp_get_uint(all, r, nums[i], &u) == 0)
				fprintf(f, ", \"%s\": %llu", nums[i],
				    (unsigned long long)u);
		if (ctl_resp_get_str(all, r, "body", &s, NULL) != 0)
			s = "";
		fputs(", \"text\": ", f);
		put_json_str(f, s);
		fputs("}", f);
		if (r == 0)
			export_file_test_pause(f);
	}
	fputs(ctl_resp_nrecords(all) > 0 ? "\n]\n" : "]\n", f);
}

static void
write_md(FILE *f, const struct ctl_resp *all, int mine)
{
	char when[32], buf[64];
	const char *s, *title;
	size_t r, len;

	output_time((uint64_t)time(NULL) * 1000, when, sizeof(when));
	fprintf(f, "# %s, exported from balint %s\n\n", mine ? "My notes" :
	    "Notes", when);
	fputs("This file is not encrypted: keep it safe, and delete it when "
	    "you no longer need it.\n", f);
	for (r = 0; r < ctl_resp_nrecords(all); r++) {
		if (ctl_resp_get_str(all, r, "title", &title, NULL) != 0 ||
		    *title == '\0')
			title = "(no title)";
		fprintf(f, "\n---\n\n## %s\n\n", title);
		fprintf(f, "- note: %s\n", output_field(all, r, "note", OUT_STR,
		    buf, sizeof(buf)));
		fprintf(f, "- kind: %s\n", output_field(all, r, "kind", OUT_STR,
		    buf, sizeof(buf)));
		s = output_field(all, r, "case", OUT_STR, buf, sizeof(buf));
		if (*s != '\0')
			fprintf(f, "- case: %s\n", s);
		fprintf(f, "- author: %s\n", output_field(all, r, "author",
		    OUT_STR, buf, sizeof(buf)));
		fprintf(f, "- written: %s\n", output_field(all, r, "time",
		    OUT_TIME, buf, sizeof(buf)));
		fprintf(f, "- changed: %s (%s version%s)\n", output_field(all,
		    r, "updated", OUT_TIME, buf, sizeof(buf)), output_field(all,
		    r, "versions", OUT_UINT, when, sizeof(when)),
		    strcmp(when, "1") == 0 ? "" : "s");
		if (ctl_resp_get_str(all, r, "body", &s, NULL) == 0) {
			len = strlen(s);
			fprintf(f, "\n%s%s", s, len > 0 && s[len - 1] != '\n' ?
			    "\n" : "");
		}
		if (r == 0)
			export_file_test_pause(f);
	}
}

int
cmd_export(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *format = "md";
	int mine = 0, kept = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--mine", 0, NULL, &mine },
		{ "--kept", 0, NULL, &kept },
		{ "--format", 'f', &format, NULL },
		{ NULL, 0, NULL, NULL }
	};
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "export", usage, argc, argv, 1, opts, pos, 1,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("export needs the file to write (see: balint export "
		    "--help)"));
		return CLI_USAGE;
	}
	if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "pdf") != 0) {
		util_err(_("unknown --format '%s' (use md, json or pdf)"), format);
		return CLI_USAGE;
	}
	return cmd_export_notes(c, group, mine || kept, kept, format, pos[0]);
}

const char *
cmd_export_format_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && strcasecmp(path + n - 4, ".pdf") == 0)
		return "pdf";
	if (n > 5 && strcasecmp(path + n - 5, ".json") == 0)
		return "json";
	return "md";
}

int
cmd_export_notes(struct cli *c, const char *group, int mine, int kept,
    const char *format, const char *path)
{
	struct ctl_resp *all = NULL;
	FILE *f = NULL;
	char gname[256] = "";
	const char *s;
	int rc, fd = -1, err;

	if ((rc = fetch_all(c, group, mine, kept, &all)) != CLI_OK)
		goto out;
	/* The PDF is headed by the group's name (kept: named in each note). */
	if (strcmp(format, "pdf") == 0) {
		if (kept && ctl_resp_nrecords(all) > 0 && ctl_resp_get_str(all,
		    0, "group_name", &s, NULL) == 0)
			snprintf(gname, sizeof(gname), "%s", s);
		else if (!kept && (rc = client_group_name(c, group, gname,
		    sizeof(gname))) != CLI_OK)
			goto out;
	}
	rc = CLI_FAILED;
	/* An unfinished file, named path once whole (export-file.c). */
	if ((fd = export_file_open(path)) < 0)
		goto out;
	/* The PDF: written by balint-export-pdf into fd (export-pdf.c). */
	if (strcmp(format, "pdf") == 0 && export_pdf_write(fd, all, gname,
	    mine, kept) != 0)
		goto fail;
	if ((f = fdopen(fd, "w")) == NULL) {
		util_err(_("cannot write '%s': %s"), path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (strcmp(format, "json") == 0)
		write_json(f, all);
	else if (strcmp(format, "md") == 0)
		write_md(f, all, mine);
	/* A write that failed on the way (a full disk) fails the export. */
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		util_err(_("cannot write '%s': %s"), path, strerror(errno != 0 ?
		    errno : EIO));
		goto fail;
	}
	err = fclose(f);
	f = NULL;
	if (err != 0) {
		util_err(_("cannot write '%s': %s"), path, strerror(errno));
		goto fail;
	}
	if (export_file_commit(path) != 0)
		goto out;
	fprintf(stderr, ngettext("balint: wrote %zu note to %s (mode 0600).  "
	    "WARNING: this file is plaintext, not encrypted: keep it safe, "
	    "delete it when done.\n", "balint: wrote %zu notes to %s (mode "
	    "0600).  WARNING: this file is plaintext, not encrypted: keep it "
	    "safe, delete it when done.\n", ctl_resp_nrecords(all)),
	    ctl_resp_nrecords(all), path);
	rc = CLI_OK;
	goto out;
fail:
	if (f != NULL)
		fclose(f);
	export_file_abort();
out:
	if (fd >= 0)
		close(fd);
	ctl_resp_free(all);
	return rc;
}
