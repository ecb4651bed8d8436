/*
 * cmd-contract.c — balint contract show | text | amend FILE | accept |
 * template.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "contract.h"
#include "mp.h"

#define CONTRACT_FILE_MAX (80u * 1024)

static const char usage[] =
    "usage: balint [--json] contract show [-g GROUP]\n"
    "       balint contract text [-g GROUP]\n"
    "       balint contract amend FILE [-g GROUP]\n"
    "       balint contract accept [-g GROUP]\n"
    "       balint contract template\n"
    "  show      the group's contract: name, version (who amended it,\n"
    "            when), history policy, cadence, retention, the guard's\n"
    "            rule (Identifiers), leaders, its versions, which version\n"
    "            each member accepted, its text\n"
    "  text      print the current contract in the form amend reads\n"
    "            (balint contract text > FILE, edit FILE, then amend)\n"
    "  amend     (leaders) make FILE the contract's next version; every\n"
    "            member sees it, and it changes the group state code\n"
    "  accept    accept the current version of the contract\n"
    "  template  print a commented starting contract to edit, then found\n"
    "            the group with: balint group create --contract FILE\n"
    "  FILE      the contract text (at most 80 KiB; - for stdin)\n"
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
is_kind(const struct ctl_resp *resp, size_t r, const char *kind)
{
	const char *s;

	return ctl_resp_get_str(resp, r, "kind", &s, NULL) == 0 &&
	    strcmp(s, kind) == 0;
}

/* The display width of a name (UTF-8 code points). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The "Versions:" and "Accepted:" sections of contract show. */
static void
show_history(const struct ctl_resp *resp, uint64_t current)
{
	size_t n = ctl_resp_nrecords(resp), r, w = 0, k;
	uint64_t v = 0, ms = 0;
	char when[64];
	const char *s, *how;
	int behind = 0;

	printf("\nVersions:\n");
	for (r = 0; r < n; r++) {
		if (!is_kind(resp, r, "version"))
			continue;
		(void)ctl_resp_get_uint(resp, r, "version", &v);
		(void)ctl_resp_get_uint(resp, r, "time", &ms);
		output_time(ms, when, sizeof(when));
		printf("  %-3" PRIu64 " %s  %s ", v, when, v == 1 ?
		    "founded by" : "amended by");
		if (ctl_resp_get_str(resp, r, "by", &s, NULL) == 0)
			output_safe(stdout, s, 0);
		printf(v == current ? "  (current)\n" : "\n");
	}
	for (r = 0; r < n; r++)
		if (is_kind(resp, r, "member") &&
		    ctl_resp_get_str(resp, r, "status", &s, NULL) == 0 &&
		    strcmp(s, "active") == 0 &&
		    ctl_resp_get_str(resp, r, "name", &s, NULL) == 0 &&
		    width(s) > w)
			w = width(s);
	printf("Accepted:\n");
	for (r = 0; r < n; r++) {
		if (!is_kind(resp, r, "member") ||
		    ctl_resp_get_str(resp, r, "status", &s, NULL) != 0 ||
		    strcmp(s, "active") != 0 ||
		    ctl_resp_get_str(resp, r, "name", &s, NULL) != 0 ||
		    ctl_resp_get_str(resp, r, "how", &how, NULL) != 0)
			continue;
		printf("  ");
		output_safe(stdout, s, 0);
		for (k = width(s); k < w + 2; k++)
			fputc(' ', stdout);
		(void)ctl_resp_get_uint(resp, r, "accepted", &v);
		(void)ctl_resp_get_uint(resp, r, "accepted_time", &ms);
		output_time(ms, when, sizeof(when));
		if (strcmp(how, "author") == 0)
			printf("wrote version %" PRIu64 "\n", v);
		else if (strcmp(how, "accepted") == 0)
			printf("accepted version %" PRIu64 " on %s\n", v, when);
		else
			printf("accepted at join (version %" PRIu64 ")\n", v);
		if (v < current)
			behind = 1;
	}
	if (behind)
		printf("(members accept version %" PRIu64 " with: balint "
		    "contract accept)\n", current);
}

static int
sub_show(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *text, *by;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	uint64_t days = 0, version = 1, ms = 0;
	const char *ids;
	char *pos[1], when[64];
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
	(void)ctl_resp_get_uint(resp, 0, "version", &version);
	printf("%-11s%" PRIu64, "Version:", version);
	if (version > 1 && ctl_resp_get_str(resp, 0, "amended_by", &by,
	    NULL) == 0) {
		(void)ctl_resp_get_uint(resp, 0, "amended", &ms);
		output_time(ms, when, sizeof(when));
		printf(", amended by ");
		output_safe(stdout, by, 0);
		printf(" on %s", when);
	} else
		printf(" (as founded)");
	fputc('\n', stdout);
	line(resp, "History:", "history", OUT_STR);
	line(resp, "Cadence:", "cadence", OUT_STR);
	(void)ctl_resp_get_uint(resp, 0, "retention", &days);
	if (days > 0)
		printf("%-11s%" PRIu64 " days\n", "Retention:", days);
	else
		printf("%-11s%s\n", "Retention:", "none");
	if (ctl_resp_get_str(resp, 0, "identifiers", &ids, NULL) == 0)
		printf("%-11s %s\n", "Identifiers:", ids);
	line(resp, "Network:", "network", OUT_STR);
	line(resp, "Leaders:", "leaders", OUT_STR);
	line(resp, "Created:", "created", OUT_TIME);
	show_history(resp, version);
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

static int
sub_text(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *text;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "contract text", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((req = client_req("contract.text", group)) == NULL) {
		util_err("out of memory");
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_get_str(resp, 0, "text", &text, NULL) == 0)
		output_safe(stdout, text, 1);
	ctl_resp_free(resp);
	return rc;
}

/* Prints "WHAT the contract of NAME: version N" from a response. */
static void
done_line(const struct ctl_resp *resp, const char *what)
{
	const char *name = "";
	uint64_t v = 0;

	(void)ctl_resp_get_str(resp, 0, "name", &name, NULL);
	(void)ctl_resp_get_uint(resp, 0, "version", &v);
	printf("%s the contract of ", what);
	output_safe(stdout, name, 0);
	printf(": version %" PRIu64 "\n", v);
}

static int
sub_amend(struct cli *c, int argc, char **argv)
{
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req = NULL;
	char *pos[1], *text = NULL;
	size_t len = 0;
	int npos, rc;

	if ((rc = util_getopt(c, "contract amend", usage, argc, argv, 2, opts,
	    pos, 1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err("contract amend needs the amended contract FILE "
		    "(start from: balint contract text > FILE)");
		return CLI_USAGE;
	}
	if ((rc = util_read_file(pos[0], CONTRACT_FILE_MAX, "contract file",
	    &text, &len)) != 0)
		return rc;
	if (!mp_utf8_valid(text, len)) {
		util_err("contract file '%s' is not UTF-8 text", pos[0]);
		rc = CLI_FAILED;
		goto out;
	}
	if ((req = client_req("contract.amend", group)) == NULL ||
	    ctl_req_add_strn(req, "contract", text, len) != 0) {
		util_err("out of memory");
		rc = CLI_FAILED;
		goto out;
	}
	if ((rc = client_call(c, req, 0, &resp)) != CLI_OK)
		goto out;
	if (c->json)
		rc = output_json(resp);
	else
		done_line(resp, "amended");
out:
	ctl_resp_free(resp);
	ctl_req_free(req);
	util_buf_free(text, len);
	return rc;
}

static int
sub_accept(struct cli *c, int argc, char **argv)
{
	const char *group = c->group;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "contract accept", usage, argc, argv, 2,
	    opts, pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((req = client_req("contract.accept", group)) == NULL) {
		util_err("out of memory");
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else
		done_line(resp, "accepted");
	ctl_resp_free(resp);
	return rc;
}

int
cmd_contract(struct cli *c, int argc, char **argv)
{
	static const char *const names[] = { "show", "text", "amend",
	    "accept", "template" };
	char *pos[1];
	int npos, rc;

	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return sub_show(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "text") == 0)
		return sub_text(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "amend") == 0)
		return sub_amend(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "accept") == 0)
		return sub_accept(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "template") == 0) {
		if ((rc = util_getopt(c, "contract template", usage, argc,
		    argv, 2, NULL, pos, 0, &npos)) != 0)
			return rc < 0 ? CLI_OK : rc;
		fputs(contract_template(), stdout);
		return CLI_OK;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return CLI_OK;
	}
	if (argc < 2) {
		util_err("contract needs a subcommand: show, text, amend, "
		    "accept or template (see: balint contract --help)");
		return CLI_USAGE;
	}
	return suggest_unknown_sub("contract", argv[1], names, 5);
}
