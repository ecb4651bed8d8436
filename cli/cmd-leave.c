/* cmd-leave.c — balint leave (comes with the next release). */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: balint leave [-g GROUP]\n"
    "  leave the group: the others stop sharing with this member and its\n"
    "  daemon erases the group's data.  Not available yet in this release.\n";

int
cmd_leave(struct cli *c, int argc, char **argv)
{
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "leave", usage, argc, argv, 1, opts, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	util_err("'leave' is not available yet (it comes with the next "
	    "release)");
	return CLI_FAILED;
}
