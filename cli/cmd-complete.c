/*
 * cmd-complete.c — balint complete WHAT: the names the bash completion
 * (dist/balint.bash) offers that only the running daemon knows, one per
 * line: groups, members (of the group), notes (ids of the group).  Silent
 * when the daemon does not answer: a completion never prints errors.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint complete groups | members | notes [-g GROUP]\n"
    "  for the bash completion: print the group names, the member names\n"
    "  of the group or the note ids of the group, one per line, as the\n"
    "  running balintd knows them (nothing when it is not running)\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n");

/* Prints field key of every record (one line each, made safe). */
static void
print_field(const struct ctl_resp *resp, const char *key)
{
	size_t r, n = ctl_resp_nrecords(resp);
	const char *s;

	for (r = 0; r < n; r++)
		if (ctl_resp_get_str(resp, r, key, &s, NULL) == 0 &&
		    *s != '\0') {
			output_safe(stdout, s, 0);
			fputc('\n', stdout);
		}
}

int
cmd_complete(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *cmd, *key;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "complete", usage, argc, argv, 1, opts, pos,
	    1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("complete needs one of groups, members, notes (see: "
		    "balint complete --help)"));
		return CLI_USAGE;
	}
	if (strcmp(pos[0], "groups") == 0) {
		cmd = "group.list";
		key = "name";
		group = NULL;
	} else if (strcmp(pos[0], "members") == 0) {
		cmd = "members";
		key = "name";
	} else if (strcmp(pos[0], "notes") == 0) {
		cmd = "note.list";
		key = "note";
	} else {
		util_err(_("cannot complete '%s' (groups, members or notes)"),
		    pos[0]);
		return CLI_USAGE;
	}
	/* A completion prints nothing on stderr, whatever goes wrong. */
	if (freopen("/dev/null", "w", stderr) == NULL)
		return CLI_FAILED;
	if ((req = client_req(cmd, group)) == NULL)
		return CLI_FAILED;
	rc = client_call(c, req, 5000, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	print_field(resp, key);
	ctl_resp_free(resp);
	return CLI_OK;
}
