/* cmd-invite.c — balint invite: a one-line, one-time invite code. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "invcode.h"

static const char usage[] = N_(
    "usage: balint [--json] invite [-g GROUP] [--name NAME] [--confirm]\n"
    "                             [--expires 7d]\n"
    "       balint [--json] invite list [-g GROUP]\n"
    "       balint invite cancel [-g GROUP] ID\n"
    "  print a one-line, one-time invite code for a new member (leaders\n"
    "  only); give it to them by any channel, they run: balint join CODE.\n"
    "  When it expires is said on stderr.\n"
    "  list    the group's open invites (not expired): id, name, expiry,\n"
    "          used or not\n"
    "  cancel  take an unused invite back (its ID from invite list, 4\n"
    "          digits at least): its code is refused from now on\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n"
    "  --name NAME        the name you expect the new member to use\n"
    "  --confirm          hold the newcomer, not yet a member, until you\n"
    "                     compare the fingerprint they read to you and\n"
    "                     run balint admit NAME (a code someone else used\n"
    "                     first is caught there: balint admit --refuse)\n"
    "  --expires TIME     validity: N, Ns, Nm, Nh, Nd or Nw (default 7d)\n"
    "The code leads to balintd's --listen address (on [::], the default, or\n"
    "0.0.0.0, to this machine's own addresses, a global IPv6 address\n"
    "first); a warning says when it leads to this machine only.\n");

/*
 * Warns when the code leads to this machine only: the daemon listens on a
 * loopback address, or on a wildcard one on a machine with no other
 * address (docs/protocol.md "Invite codes").
 */
static void
warn_local_only(const char *code)
{
	struct invcode ic;
	size_t i;

	if (invcode_decode(code, &ic) != 0)
		return;		/* *ic is zeroed */
	for (i = 0; i < ic.naddrs; i++)
		if (strncmp(ic.addrs[i], "127.", 4) != 0 &&
		    strncmp(ic.addrs[i], "[::1]:", 6) != 0 &&
		    strncmp(ic.addrs[i], "localhost:", 10) != 0)
			break;
	if (i == ic.naddrs)
		util_err(_("warning: this code leads to %s, on this machine "
		    "only; for another machine, restart balintd with --listen "
		    "ADDRESS:PORT"), ic.addrs[0]);
	invcode_wipe(&ic);
}

static int
invite_list(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "invite", N_("ID"), OUT_STR },
		{ "name", N_("NAME"), OUT_STR },
		{ "expires", N_("EXPIRES"), OUT_TIME },
		{ "used", N_("USED"), OUT_BOOL },
	};
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "invite list", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "invite.list", group, &resp);
	if (rc != CLI_OK)
		return rc;
	rc = output_list(c, resp, cols, sizeof(cols) / sizeof(cols[0]),
	    _("no open invites (make one: balint invite)"));
	ctl_resp_free(resp);
	return rc;
}

static int
invite_cancel(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *id = "";
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "invite cancel", usage, argc, argv, 2, opts,
	    pos, 1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("invite cancel needs an invite id (see: balint "
		    "invite list)"));
		return CLI_USAGE;
	}
	rc = client_call_str(c, "invite.cancel", group, "invite", pos[0], &resp);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else {
		(void)ctl_resp_get_str(resp, 0, "invite", &id, NULL);
		printf(_("cancelled the invite %s: its code is refused from "
		    "now on\n"), id);
	}
	ctl_resp_free(resp);
	return rc;
}

int
cmd_invite(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *name = NULL, *expires = NULL, *code;
	int confirm = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--name", 0, &name, NULL },
		{ "--confirm", 0, NULL, &confirm },
		{ "--expires", 0, &expires, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	uint64_t secs = 7 * 86400, until;
	char *pos[1], when[64];
	int npos, rc;

	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return invite_list(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "cancel") == 0)
		return invite_cancel(c, argc, argv);
	if ((rc = util_getopt(c, "invite", usage, argc, argv, 1, opts, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (expires != NULL && (util_duration(expires, &secs) != 0 ||
	    secs == 0)) {
		util_err(_("bad --expires '%s' (use e.g. 30s, 90m, 12h, 7d or 2w)"),
		    expires);
		return CLI_USAGE;
	}
	if (name != NULL && !output_name_ok(name, CLI_NAME_MAX)) {
		util_err(_("bad --name '%s' (the name the new member chose at "
		    "init: 1 to %d bytes of text without control characters)"),
		    name, CLI_NAME_MAX);
		return CLI_USAGE;
	}
	if ((req = client_req("invite", group)) == NULL ||
	    ctl_req_add_uint(req, "expires", secs) != 0 ||
	    (confirm && ctl_req_add_bool(req, "confirm", 1) != 0) ||
	    (name != NULL && ctl_req_add_str(req, "name", name) != 0)) {
		ctl_req_free(req);
		util_err(name != NULL ? "bad --name (use text without control "
		    "characters)" : "out of memory");
		return name != NULL ? CLI_USAGE : CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_get_str(resp, 0, "code", &code, NULL) == 0) {
		output_safe(stdout, code, 0);
		fputc('\n', stdout);
		fflush(stdout);
		warn_local_only(code);
		if (ctl_resp_get_uint(resp, 0, "expires", &until) == 0) {
			output_time(until, when, sizeof(when));
			util_err(_("this code can be used once, until %s (see: "
			    "balint invite list; take it back: balint invite "
			    "cancel)"), when);
		}
	}
	ctl_resp_free(resp);
	return rc;
}
