/*
 * cmd-admit.c — balint admit [NAME | FINGERPRINT] [--refuse]: the
 * newcomers who used an invite made with --confirm wait until a leader
 * compares their fingerprint and admits (or refuses) them.
 */
#include <stdio.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint [--json] admit [-g GROUP] [NAME | FINGERPRINT] [--refuse]\n"
    "  newcomers who used an invite made with `balint invite --confirm`\n"
    "  wait here, not yet members.  Without an argument, list them: name,\n"
    "  fingerprint and group.  Ask the newcomer to read their fingerprint\n"
    "  aloud (their `balint join` shows it) and compare; if it matches,\n"
    "  admit them by name or by the whole fingerprint: only then are they\n"
    "  added to the roster and given the group's keys.  If it does not\n"
    "  match, someone else used the code first: --refuse turns them away\n"
    "  and the code can no longer be used; give the newcomer a new one.\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n"
    "  --refuse           refuse the newcomer instead of admitting them\n"
    "  Exit 1 when nobody waits under that name or fingerprint.\n");

int
cmd_admit(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "name", N_("NAME"), OUT_STR },
		{ "fingerprint", N_("FINGERPRINT"), OUT_STR },
		{ "group_name", N_("GROUP"), OUT_STR },
		{ "since", N_("WAITING SINCE"), OUT_TIME },
	};
	const char *group = c->group, *text;
	int refuse = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--refuse", 0, NULL, &refuse },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "admit", usage, argc, argv, 1, opts, pos, 1,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (refuse && npos == 0) {
		util_err(_("admit --refuse needs the newcomer's name or "
		    "fingerprint (see: balint admit)"));
		return CLI_USAGE;
	}
	if ((req = client_req("admit", group)) == NULL ||
	    (npos == 1 && ctl_req_add_str(req, "who", pos[0]) != 0) ||
	    ctl_req_add_bool(req, "refuse", refuse) != 0) {
		ctl_req_free(req);
		util_err(_("bad name or fingerprint '%s'"), npos ? pos[0] : "");
		return CLI_USAGE;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (npos == 0)
		rc = output_list(c, resp, cols, sizeof(cols) / sizeof(cols[0]),
		    _("nobody waits to be admitted"));
	else if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_get_str(resp, 0, "text", &text, NULL) == 0) {
		char said[CTL_MAX_ERR];

		output_safe(stdout, daemon_text(text, said, sizeof(said)), 0);
		fputc('\n', stdout);
	}
	ctl_resp_free(resp);
	return rc;
}
