/* cmd-revoke.c — balint revoke MEMBER (comes with the next release). */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: balint revoke [-g GROUP] MEMBER\n"
    "  remove a member from the group (leaders only); MEMBER is a name or\n"
    "  member id.  Not available yet in this release.\n";

int
cmd_revoke(struct cli *c, int argc, char **argv)
{
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "revoke", usage, argc, argv, 1, opts, pos, 1,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err("revoke needs a member name or id (see: balint "
		    "members)");
		return CLI_USAGE;
	}
	util_err("'revoke' is not available yet (it comes with the next "
	    "release)");
	return CLI_FAILED;
}
