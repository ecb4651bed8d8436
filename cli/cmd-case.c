/*
 * cmd-case.c — balint case list | show REF: a group's notes gathered by
 * case reference (letter case ignored), and the check that a follow-up
 * names a case someone wrote (cmd_case_check, used by note write).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "note.h"

static const char usage[] = N_(
    "usage: balint [--json] case list [-g GROUP]\n"
    "       balint [--json] case show [-g GROUP] REF\n"
    "  list  every case reference the group's notes carry: the case note's\n"
    "        title and presenter, how many notes and follow-ups, the last\n"
    "        change\n"
    "  show  the case note and every follow-up report of case REF, in\n"
    "        order (case notes first, then the others as written), each\n"
    "        with its text\n"
    "  Letter case and accents in REF do not matter: 'k7' is case 'K7'.\n"
    "  A case is known once any note carries its reference (--case): a\n"
    "  follow-up (note write --kind followup) without --case, or with a\n"
    "  case no note carries, is asked about on a terminal and refused\n"
    "  elsewhere (exit 1) unless --yes is given.\n");

static int
case_list(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "case", N_("CASE"), OUT_STR },
		{ "notes", N_("NOTES"), OUT_UINT },
		{ "followups", N_("FOLLOW-UPS"), OUT_UINT },
		{ "updated", N_("CHANGED"), OUT_TIME },
		{ "presenter", N_("PRESENTER"), OUT_STR },
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

	if ((rc = util_getopt(c, "case list", usage, argc, argv, 2, opts, pos,
	    0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "case.list", group, &resp);
	if (rc != CLI_OK)
		return rc;
	rc = output_list(c, resp, cols, sizeof(cols) / sizeof(cols[0]),
	    _("no cases yet (write one: balint note write --kind case --case "
	    "REF)"));
	ctl_resp_free(resp);
	return rc;
}

static int
case_show(struct cli *c, int argc, char **argv)
{
	static const struct output_col head[] = {
		{ "kind", NULL, OUT_STR },
		{ "author", NULL, OUT_STR },
		{ "time", NULL, OUT_TIME },
		{ "title", NULL, OUT_STR },
	};
	const char *group = c->group, *s, *body, *id;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1], buf[64];
	size_t i, j;
	int npos, rc;

	if ((rc = util_getopt(c, "case show", usage, argc, argv, 2, opts, pos,
	    1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("case show needs a case reference (see: balint case "
		    "list)"));
		return CLI_USAGE;
	}
	rc = client_call_str(c, "case.show", group, "case", pos[0], &resp);
	if (rc != CLI_OK)
		return rc;
	if (c->json) {
		rc = output_json(resp);
		ctl_resp_free(resp);
		return rc;
	}
	for (i = 0; i < ctl_resp_nrecords(resp); i++) {
		if (i > 0)
			fputc('\n', stdout);
		if (ctl_resp_get_str(resp, i, "note", &id, NULL) == 0)
			printf("== %.8s", id);
		for (j = 0; j < sizeof(head) / sizeof(head[0]); j++) {
			s = output_field(resp, i, head[j].key, head[j].fmt,
			    buf, sizeof(buf));
			if (*s == '\0')
				continue;
			fputs("  ", stdout);
			output_safe(stdout, s, 0);
		}
		fputs("\n\n", stdout);
		if (ctl_resp_get_str(resp, i, "body", &body, NULL) == 0) {
			output_safe(stdout, body, 1);
			if (*body != '\0' && body[strlen(body) - 1] != '\n')
				fputc('\n', stdout);
		}
	}
	ctl_resp_free(resp);
	return CLI_OK;
}

/* 1 when some note of the group carries case ref, 0 if none, or an exit code < 0. */
static int
case_known(struct cli *c, const char *group, const char *ref, int *known)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	int rc;

	if ((req = client_req("note.list", group)) == NULL ||
	    ctl_req_add_str(req, "case", ref) != 0 ||
	    ctl_req_add_uint(req, "limit", 1) != 0) {
		ctl_req_free(req);
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	*known = ctl_resp_nrecords(resp) > 0;
	ctl_resp_free(resp);
	return CLI_OK;
}

static int
on_terminal(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

int
cmd_case_check(struct cli *c, const char *group, const char *kind,
    const char **cref, char *buf, size_t buflen, int yes)
{
	char answer[16];
	int known = 0, rc;

	if (kind == NULL || note_kind_from_string(kind) != NOTE_KIND_FOLLOWUP
	    || yes)
		return CLI_OK;
	if (*cref == NULL || **cref == '\0') {
		if (!on_terminal()) {
			util_err(_("a follow-up needs the case it follows: give "
			    "--case REF (see: balint case list), or --yes to "
			    "write it without one"));
			return CLI_FAILED;
		}
		if (util_tty_line(_("which case does this follow up (its "
		    "reference; empty: none)? "), 0, buf, buflen) != 0)
			return CLI_FAILED;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] == '\0')
			return CLI_OK;
		if (!util_line_ok(buf, NOTE_MAX_CASE)) {
			util_err(_("bad case reference '%s'"), buf);
			return CLI_USAGE;
		}
		*cref = buf;
	}
	if ((rc = case_known(c, group, *cref, &known)) != CLI_OK || known)
		return rc;
	if (!on_terminal()) {
		util_err(_("no note carries the case '%s' (see: balint case "
		    "list); give --yes to write this follow-up anyway"), *cref);
		return CLI_FAILED;
	}
	fprintf(stderr, _("balint: no note carries the case '%s' yet.\n"), *cref);
	if (util_tty_line(_("write the follow-up anyway? [y/N] "), 0, answer,
	    sizeof(answer)) == 0 && util_yes(answer))
		return CLI_OK;
	util_err(_("nothing was written"));
	return CLI_FAILED;
}

int
cmd_case(struct cli *c, int argc, char **argv)
{
	static const char *const names[] = { "list", "show" };
	const char *sub = argc >= 2 ? suggest_sub(argv[1], names, 2) : NULL;

	if (sub != NULL)
		return strcmp(sub, "list") == 0 ? case_list(c, argc, argv) :
		    case_show(c, argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return CLI_OK;
	}
	if (argc < 2) {
		util_err(_("case needs a subcommand: list or show (see: balint "
		    "case --help)"));
		return CLI_USAGE;
	}
	return suggest_unknown_sub("case", argv[1], names, 2);
}
