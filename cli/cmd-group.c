/* cmd-group.c — balint group create --contract FILE | group list. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "contract.h"
#include "mp.h"

#define CONTRACT_FILE_MAX (80u * 1024)

static const char usage[] = N_(
    "usage: balint group create --contract FILE\n"
    "       balint [--json] group list\n"
    "  create  found a group from a contract file (start from: balint\n"
    "          contract template); you become its leader; prints the\n"
    "          group id\n"
    "  list    the groups of this member: id, name, role, members\n"
    "  --contract FILE  the contract text (at most 80 KiB; - for stdin)\n");

static int
group_create(struct cli *c, int argc, char **argv)
{
	const char *file = NULL, *s;
	const struct util_opt opts[] = {
		{ "--contract", 'c', &file, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req = NULL;
	char *pos[1], *text = NULL;
	size_t len = 0;
	int npos, rc;

	if ((rc = util_getopt(c, "group create", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (file == NULL) {
		util_err(_("group create needs --contract FILE (start from: "
		    "balint contract template > FILE)"));
		return CLI_USAGE;
	}
	if ((rc = util_read_file(file, CONTRACT_FILE_MAX, "contract file",
	    &text, &len)) != 0)
		return rc;
	if (!mp_utf8_valid(text, len)) {
		util_err(_("contract file '%s' is not UTF-8 text"), file);
		rc = CLI_FAILED;
		goto out;
	}
	if ((req = client_req("group.create", NULL)) == NULL ||
	    ctl_req_add_strn(req, "contract", text, len) != 0) {
		util_err(_("out of memory"));
		rc = CLI_FAILED;
		goto out;
	}
	if ((rc = client_call(c, req, 0, &resp)) != CLI_OK)
		goto out;
	if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_get_str(resp, 0, "group", &s, NULL) == 0)
		printf("%s\n", s);
	if (ctl_resp_get_str(resp, 0, "name", &s, NULL) == 0 &&
	    strcmp(s, CONTRACT_TEMPLATE_NAME) == 0)
		util_err(_("warning: the group has the template's name '%s' "
		    "(edit the Name: line of the contract next time)"), s);
out:
	ctl_resp_free(resp);
	ctl_req_free(req);
	util_buf_free(text, len);
	return rc;
}

/* Tells the groups this member was removed from (status "removed"). */
static void
removed_notes(struct cli *c)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	const char *s, *how;
	char when[64];
	size_t r, n;

	if ((req = client_req("status", NULL)) == NULL)
		return;
	if (client_call(c, req, 0, &resp) != CLI_OK) {
		ctl_req_free(req);
		return;
	}
	ctl_req_free(req);
	n = ctl_resp_nrecords(resp);
	for (r = 0; r < n; r++) {
		if (ctl_resp_get_str(resp, r, "kind", &s, NULL) != 0 ||
		    strcmp(s, "removed") != 0 ||
		    ctl_resp_get_str(resp, r, "how", &how, NULL) != 0)
			continue;
		printf("%s '", strcmp(how, "left") == 0 ? _("you left") :
		    _("you were removed from"));
		output_safe(stdout, output_field(resp, r, "name", OUT_STR,
		    when, sizeof(when)), 0);
		printf("'");
		if (strcmp(how, "left") != 0) {
			printf(" %s ", _("by"));
			output_safe(stdout, output_field(resp, r, "by",
			    OUT_STR, when, sizeof(when)), 0);
		}
		printf(_(" on %s\n"), output_field(resp, r, "time", OUT_TIME,
		    when, sizeof(when)));
	}
	ctl_resp_free(resp);
}

static int
group_list(struct cli *c, int argc, char **argv)
{
	static const struct output_col cols[] = {
		{ "group", N_("GROUP"), OUT_STR },
		{ "name", N_("NAME"), OUT_STR },
		{ "role", N_("ROLE"), OUT_WORD },
		{ "members", N_("MEMBERS"), OUT_UINT },
	};
	struct ctl_resp *resp = NULL;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "group list", usage, argc, argv, 2, NULL,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "group.list", NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	rc = output_list(c, resp, cols, sizeof(cols) / sizeof(cols[0]),
	    _("no groups yet (found one: balint group create --contract FILE, "
	    "or join: balint join CODE)"));
	ctl_resp_free(resp);
	if (rc == CLI_OK && !c->json)
		removed_notes(c);
	return rc;
}

int
cmd_group(struct cli *c, int argc, char **argv)
{
	static const char *const names[] = { "create", "list" };
	const char *sub = argc >= 2 ? suggest_sub(argv[1], names, 2) : NULL;

	if (sub != NULL && strcmp(sub, "create") == 0)
		return group_create(c, argc, argv);
	if (sub != NULL && strcmp(sub, "list") == 0)
		return group_list(c, argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return CLI_OK;
	}
	if (argc < 2) {
		util_err(_("group needs a subcommand: create or list (see: "
		    "balint group --help)"));
		return CLI_USAGE;
	}
	return suggest_unknown_sub("group", argv[1], names, 2);
}
