/* cmd-revoke.c — balint revoke MEMBER: a leader removes a member. */
#include <stdio.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint [--json] revoke [-g GROUP] [--yes] MEMBER\n"
    "  remove a member from the group (leaders only).  MEMBER is a name,\n"
    "  a first name, a member id or a unique prefix of one (6 characters\n"
    "  at least; see: balint members).\n"
    "  The member's log is cut at the last entry this member holds:\n"
    "  anything they write later is refused by everyone.  A new epoch key\n"
    "  goes to the remaining members, so the revoked member can neither\n"
    "  read notes written from now on nor connect.  Their own daemon\n"
    "  erases the group when it learns of it; what they already read\n"
    "  cannot be taken back.\n"
    "  It asks first, on the terminal.\n"
    "  -g, --group GROUP  group id, unique id prefix or name (needed\n"
    "                     when this member is in several groups)\n"
    "  -y, --yes          do not ask (for scripts)\n");

int
cmd_revoke(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *name = "", *id = "";
	int yes = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--yes", 'y', NULL, &yes },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	uint64_t cut = 0, epoch = 0;
	char *pos[1], prompt[300];
	int npos, rc;

	if ((rc = util_getopt(c, "revoke", usage, argc, argv, 1, opts, pos, 1,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1 || pos[0][0] == '\0') {
		util_err(_("revoke needs a member name or id (see: balint "
		    "members)"));
		return CLI_USAGE;
	}
	if (!util_line_ok(pos[0], 200)) {
		util_err(_("bad member '%s' (give a name or member id; see: "
		    "balint members)"), pos[0]);
		return CLI_USAGE;
	}
	if (!yes) {
		snprintf(prompt, sizeof(prompt), _("Revoke '%s'? They will "
		    "neither read new notes nor connect, and only a new invite "
		    "brings them back. [y/N] "), pos[0]);
		if ((rc = util_confirm(prompt, _("the revocation"))) !=
		    CLI_OK)
			return rc;
	}
	rc = client_call_str(c, "revoke", group, "member", pos[0], &resp);
	if (rc != CLI_OK)
		return rc;
	if (c->json) {
		rc = output_json(resp);
		ctl_resp_free(resp);
		return rc;
	}
	(void)ctl_resp_get_str(resp, 0, "name", &name, NULL);
	(void)ctl_resp_get_str(resp, 0, "member", &id, NULL);
	(void)ctl_resp_get_uint(resp, 0, "cut", &cut);
	(void)ctl_resp_get_uint(resp, 0, "epoch", &epoch);
	printf(_("revoked "));
	output_safe(stdout, name, 0);
	printf(" (");
	output_safe(stdout, id, 0);
	printf(_(")\n  their log is cut at entry %llu; new epoch %llu for the "
	    "remaining members\n"), (unsigned long long)cut,
	    (unsigned long long)epoch);
	ctl_resp_free(resp);
	return CLI_OK;
}
