/*
 * cmd-history.c — balint note log NOTE: every readable version of a note,
 * who wrote it, when, and what it changed (note show --version N reads
 * one of them).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint [--json] note log [-g GROUP] NOTE\n"
    "  The versions of a note, oldest first: its number, when and by whom\n"
    "  it was written, what it changed against the one before (title,\n"
    "  text), and the size of its text.  Read one with: balint note show\n"
    "  NOTE --version N.  Versions erased by the note's deletion or by the\n"
    "  group's retention are not there.\n");

int
cmd_history(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "version", N_("V"), OUT_UINT },
		{ "time", N_("WHEN"), OUT_TIME },
		{ "author", N_("WHO"), OUT_STR },
		{ "change", N_("CHANGED"), OUT_STR },
		{ "lines", N_("LINES"), OUT_UINT },
		{ "title", N_("TITLE"), OUT_STR },
	};
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "note log", usage, argc, argv, 2, opts, pos,
	    1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("note log needs a note id (see: balint note list)"));
		return CLI_USAGE;
	}
	rc = client_call_str(c, "note.log", group, "note", pos[0], &resp);
	if (rc != CLI_OK)
		return rc;
	rc = output_list(c, resp, cols, sizeof(cols) / sizeof(cols[0]),
	    _("no readable version"));
	ctl_resp_free(resp);
	return rc;
}
