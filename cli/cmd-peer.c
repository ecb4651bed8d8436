/* cmd-peer.c — balint peer add HOST:PORT | peer list. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint peer add [-g GROUP] HOST:PORT\n"
    "       balint peer remove [-g GROUP] HOST:PORT\n"
    "       balint [--json] peer list [-g GROUP]\n"
    "  add   remember another member's address and dial it now; says\n"
    "        what happens (dialing, already connected) or why not\n"
    "        (HOST: numeric IPv4, [IPv6], a host name such as a\n"
    "        dynamic DNS name, looked up at each dial, or .onion)\n"
    "  remove  forget an address (typed, or announced: an announced\n"
    "        one comes back with its member's next announce)\n"
    "  list  the known addresses, who answers there, the state, and\n"
    "        where each came from: typed (peer add, an invite code),\n"
    "        announced (by that member), incoming (a session dialed to us)\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n");

static int
peer_add(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *addr;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char *pos[1], text[CTL_MAX_ERR];
	int npos, rc;

	if ((rc = util_getopt(c, "peer add", usage, argc, argv, 2, opts, pos,
	    1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("peer add needs an address HOST:PORT (see: balint "
		    "peer --help)"));
		return CLI_USAGE;
	}
	if (strchr(pos[0], ':') == NULL) {
		util_err(_("bad address '%s' (use HOST:PORT, e.g. "
		    "192.0.2.7:7000)"), pos[0]);
		return CLI_USAGE;
	}
	if ((req = client_req("peer.add", group)) == NULL ||
	    ctl_req_add_str(req, "address", pos[0]) != 0) {
		ctl_req_free(req);
		util_err(_("bad address '%s' (use HOST:PORT)"), pos[0]);
		return CLI_USAGE;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_get_str(resp, 0, "result", &addr, NULL) == 0) {
		output_safe(stdout, daemon_text(addr, text, sizeof(text)), 0);
		fputc('\n', stdout);
	}
	ctl_resp_free(resp);
	return rc;
}

static int
peer_remove(struct cli *c, int argc, char **argv)
{
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char *pos[1];
	int npos, rc, typed = 0, announced = 0;

	if ((rc = util_getopt(c, "peer remove", usage, argc, argv, 2, opts,
	    pos, 1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("peer remove needs an address HOST:PORT (see: "
		    "balint peer list)"));
		return CLI_USAGE;
	}
	rc = client_call_str(c, "peer.remove", group, "address", pos[0], &resp);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else {
		(void)ctl_resp_get_bool(resp, 0, "typed", &typed);
		(void)ctl_resp_get_bool(resp, 0, "announced", &announced);
		printf(_("removed the peer %s: it is no longer dialed\n"),
		    pos[0]);
		if (announced)
			util_err(_("its member announced it: it comes back "
			    "with their next announce"));
	}
	ctl_resp_free(resp);
	return rc;
}

static int
peer_list(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "address", N_("ADDRESS"), OUT_STR },
		{ "member", N_("MEMBER"), OUT_STR },
		{ "state", N_("STATE"), OUT_WORD },
		{ "origin", N_("FROM"), OUT_WORD },
		{ "also", N_("SAME AS"), OUT_STR },	/* the other names of it */
	};
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	const char *also;
	size_t i, ncols = sizeof(cols) / sizeof(cols[0]) - 1;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "peer list", usage, argc, argv, 2, opts, pos,
	    0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "peer.list", group, &resp);
	if (rc != CLI_OK)
		return rc;
	/* SAME AS only when a place is known under several names. */
	for (i = 0; i < ctl_resp_nrecords(resp); i++)
		if (ctl_resp_get_str(resp, i, "also", &also, NULL) == 0 &&
		    *also != '\0')
			ncols = sizeof(cols) / sizeof(cols[0]);
	rc = output_list(c, resp, cols, ncols,
	    _("no peers (add one: balint peer add HOST:PORT)"));
	ctl_resp_free(resp);
	return rc;
}

int
cmd_peer(struct cli *c, int argc, char **argv)
{
	static const char *const names[] = { "add", "list", "remove" };
	const char *sub = argc >= 2 ? suggest_sub(argv[1], names, 3) : NULL;

	if (sub != NULL && strcmp(sub, "add") == 0)
		return peer_add(c, argc, argv);
	if (sub != NULL && strcmp(sub, "list") == 0)
		return peer_list(c, argc, argv);
	if (sub != NULL && strcmp(sub, "remove") == 0)
		return peer_remove(c, argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return CLI_OK;
	}
	if (argc < 2) {
		util_err(_("peer needs a subcommand: add, list or remove (see: "
		    "balint peer --help)"));
		return CLI_USAGE;
	}
	return suggest_unknown_sub("peer", argv[1], names, 3);
}
