/* cmd-members.c — balint members: the group's roster. */
#include <stdio.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint [--json] members [-g GROUP]\n"
    "  list the group's members: name, role, status, member id and the\n"
    "  fingerprint to compare aloud at a meeting, under the group state\n"
    "  code (the same on every member who holds the same contract,\n"
    "  members and epoch; in --json the field state_code)\n"
    "  -g, --group GROUP  group id, unique id prefix or name (needed\n"
    "                     when this member is in several groups)\n");

int
cmd_members(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "name", N_("NAME"), OUT_STR },
		{ "role", N_("ROLE"), OUT_WORD },
		{ "status", N_("STATUS"), OUT_WORD },
		{ "member_id", N_("MEMBER ID"), OUT_STR },
		{ "fingerprint", N_("FINGERPRINT"), OUT_STR },
	};
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1];
	const char *code;
	int npos, rc;

	if ((rc = util_getopt(c, "members", usage, argc, argv, 1, opts, pos,
	    0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "members", group, &resp);
	if (rc != CLI_OK)
		return rc;
	if (!c->json && ctl_resp_nrecords(resp) > 0 &&
	    ctl_resp_get_str(resp, 0, "state_code", &code, NULL) == 0 &&
	    *code != '\0') {
		printf(_("state code: "));
		output_safe(stdout, code, 0);
		printf("\n\n");
	}
	rc = output_list(c, resp, cols, sizeof(cols) / sizeof(cols[0]),
	    _("no members known yet"));
	ctl_resp_free(resp);
	return rc;
}
