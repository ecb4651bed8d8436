/* cmd-contract.c — balint contract show | contract template. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "contract.h"

static const char usage[] =
    "usage: balint [--json] contract show [-g GROUP]\n"
    "       balint contract template\n"
    "  show      the group's contract: name, history policy, cadence,\n"
    "            retention, leaders, creation time and its text\n"
    "  template  print a commented starting contract to edit, then found\n"
    "            the group with: balint group create --contract FILE\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n";

static void
line(const struct ctl_resp *resp, const char *label, const char *key,
    int fmt)
{
	char buf[64];

	printf("%-11s", label);
	output_safe(stdout, output_field(resp, 0, key, fmt, buf, sizeof(buf)),
	    0);
	fputc('\n', stdout);
}

static int
contract_show(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *text;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	uint64_t days = 0;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "contract show", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((req = client_req("contract.show", group)) == NULL) {
		util_err("out of memory");
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json) {
		rc = output_json(resp);
		ctl_resp_free(resp);
		return rc;
	}
	line(resp, "Group:", "group", OUT_STR);
	line(resp, "Name:", "name", OUT_STR);
	line(resp, "History:", "history", OUT_STR);
	line(resp, "Cadence:", "cadence", OUT_STR);
	(void)ctl_resp_get_uint(resp, 0, "retention", &days);
	if (days > 0)
		printf("%-11s%" PRIu64 " days\n", "Retention:", days);
	else
		printf("%-11s%s\n", "Retention:", "none");
	line(resp, "Leaders:", "leaders", OUT_STR);
	line(resp, "Created:", "created", OUT_TIME);
	if (ctl_resp_get_str(resp, 0, "text", &text, NULL) == 0 &&
	    *text != '\0') {
		fputc('\n', stdout);
		output_safe(stdout, text, 1);
		if (text[strlen(text) - 1] != '\n')
			fputc('\n', stdout);
	}
	ctl_resp_free(resp);
	return CLI_OK;
}

int
cmd_contract(struct cli *c, int argc, char **argv)
{
	char *pos[1];
	int npos, rc;

	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return contract_show(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "template") == 0) {
		if ((rc = util_getopt(c, "contract template", usage, argc,
		    argv, 2, NULL, pos, 0, &npos)) != 0)
			return rc < 0 ? CLI_OK : rc;
		fputs(contract_template(), stdout);
		return CLI_OK;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (argc < 2)
		util_err("contract needs a subcommand: show or template (see: "
		    "balint contract --help)");
	else
		util_err("unknown subcommand 'contract %s' (use show or "
		    "template; see: balint contract --help)", argv[1]);
	return CLI_USAGE;
}
