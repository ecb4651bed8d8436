/* cmd-leave.c — balint leave: this member leaves the group. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* How long the daemon waits for a peer to take the LEAVE, plus margin. */
#define LEAVE_WAIT_MS 10000u

static const char usage[] = N_(
    "usage: balint [--json] leave [-g GROUP] [--yes] [--export FILE]\n"
    "  leave the group: a signed LEAVE goes to the other members (a\n"
    "  leader then starts a new epoch without you), and this daemon\n"
    "  erases the group's notes, keys, peers and invites from this\n"
    "  computer.  It cannot be undone: to come back you need a new\n"
    "  invite.  Asks for confirmation on the terminal, and first offers\n"
    "  to export the notes you wrote to a file (balint export --mine).\n"
    "  -y, --yes          do not ask (for scripts)\n"
    "  --export FILE      first write your own notes to FILE (0600,\n"
    "                     plaintext; PDF if FILE ends in .pdf, JSON in\n"
    "                     .json, else Markdown); leaves only if that worked\n"
    "  -g, --group GROUP  group id, unique id prefix or name (needed\n"
    "                     when this member is in several groups)\n");

int
cmd_leave(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *name = "", *export = NULL;
	int yes = 0, confirmed = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--yes", 'y', NULL, &yes },
		{ "--export", 0, &export, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char *pos[1], gname[128], prompt[300], file[CLI_PATH_MAX];
	int npos, rc, fd;

	if ((rc = util_getopt(c, "leave", usage, argc, argv, 1, opts, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	/* What the member wrote is theirs: offered before it is erased. */
	if (export == NULL && !yes && isatty(STDIN_FILENO) &&
	    util_tty_line(_("Export the notes you wrote to a file first (they "
	    "are erased here when you leave)?\nFile name, or empty for no: "),
	    0, file, sizeof(file)) == 0) {
		file[strcspn(file, "\r\n")] = '\0';
		if (file[0] != '\0')
			export = file;
	}
	if (export != NULL && (rc = cmd_export_notes(c, group, 1, 0,
	    cmd_export_format_of(export), export)) != CLI_OK) {
		util_err(_("not left: your notes were not exported"));
		return rc;
	}
	if (!yes) {
		gname[0] = '\0';
		if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) >= 0) {
			close(fd);
			if ((rc = client_group_name(c, group,
			    gname, sizeof(gname))) != 0)
				return rc;
		}
		snprintf(prompt, sizeof(prompt), _("Leave the group '%s'? Its "
		    "notes and keys will be erased from this computer, and "
		    "only a new invite brings you back. [y/N] "), gname);
		if ((rc = util_confirm(prompt, _("leaving"))) != CLI_OK)
			return rc;
	}
	if ((req = client_req("leave", group)) == NULL) {
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, LEAVE_WAIT_MS, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json) {
		rc = output_json(resp);
		ctl_resp_free(resp);
		return rc;
	}
	(void)ctl_resp_get_str(resp, 0, "name", &name, NULL);
	(void)ctl_resp_get_bool(resp, 0, "confirmed", &confirmed);
	printf(_("left the group '"));
	output_safe(stdout, name, 0);
	printf(_("'; its notes, keys, peers and invites were erased from this "
	    "computer\n"));
	if (!confirmed)
		util_err(_("warning: no other member confirmed that it "
		    "received your leave; if none did, they still count you "
		    "as a member: ask a leader to revoke you"));
	ctl_resp_free(resp);
	return CLI_OK;
}
