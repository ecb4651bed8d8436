/*
 * cmd-contract.c — balint contract show | text | amend FILE | accept |
 * diff [OLD [NEW]] | template.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "contract.h"
#include "mp.h"

#define CONTRACT_FILE_MAX (80u * 1024)

static const char usage[] = N_(
    "usage: balint [--json] contract show [-g GROUP]\n"
    "       balint contract text [-g GROUP]\n"
    "       balint contract amend FILE [-g GROUP]\n"
    "       balint contract accept [-g GROUP]\n"
    "       balint contract diff [-g GROUP] [OLD [NEW]]\n"
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
    "  diff      what changed between two versions of the contract, as\n"
    "            a unified diff (who amended it, when); OLD and NEW are\n"
    "            version numbers (see: contract show) or current; NEW is\n"
    "            the current version when not given, OLD the one before\n"
    "  template  print a commented starting contract to edit, then found\n"
    "            the group with: balint group create --contract FILE\n"
    "  FILE      the contract text (at most 80 KiB; - for stdin)\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n");

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

	printf(_("\nVersions:\n"));
	for (r = 0; r < n; r++) {
		if (!is_kind(resp, r, "version"))
			continue;
		(void)ctl_resp_get_uint(resp, r, "version", &v);
		(void)ctl_resp_get_uint(resp, r, "time", &ms);
		output_time(ms, when, sizeof(when));
		printf("  %-3" PRIu64 " %s  %s ", v, when, v == 1 ?
		    _("founded by") : _("amended by"));
		if (ctl_resp_get_str(resp, r, "by", &s, NULL) == 0)
			output_safe(stdout, s, 0);
		printf("%s", v == current ? _("  (current)\n") : "\n");
	}
	for (r = 0; r < n; r++)
		if (is_kind(resp, r, "member") &&
		    ctl_resp_get_str(resp, r, "status", &s, NULL) == 0 &&
		    strcmp(s, "active") == 0 &&
		    ctl_resp_get_str(resp, r, "name", &s, NULL) == 0 &&
		    width(s) > w)
			w = width(s);
	printf(_("Accepted:\n"));
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
			printf(_("wrote version %llu\n"), (unsigned long long)v);
		else if (strcmp(how, "accepted") == 0)
			printf(_("accepted version %llu on %s\n"),
			    (unsigned long long)v, when);
		else
			printf(_("accepted at join (version %llu)\n"),
			    (unsigned long long)v);
		if (v < current)
			behind = 1;
	}
	if (behind)
		printf(_("(members accept version %llu with: balint contract "
		    "accept)\n"), (unsigned long long)current);
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
	uint64_t days = 0, version = 1, ms = 0;
	const char *ids;
	char *pos[1], when[64];
	int npos, rc;

	if ((rc = util_getopt(c, "contract show", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "contract.show", group, &resp);
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
		printf(_(", amended by "));
		output_safe(stdout, by, 0);
		printf(" on %s", when);
	} else
		printf(_(" (as founded)"));
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
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "contract text", usage, argc, argv, 2, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "contract.text", group, &resp);
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
	printf("%s", strcmp(what, "amended") == 0 ?
	    _("amended the contract of ") : _("accepted the contract of "));
	output_safe(stdout, name, 0);
	printf(_(": version %llu\n"), (unsigned long long)v);
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
		util_err(_("contract amend needs the amended contract FILE "
		    "(start from: balint contract text > FILE)"));
		return CLI_USAGE;
	}
	if ((rc = util_read_file(pos[0], CONTRACT_FILE_MAX, "contract file",
	    &text, &len)) != 0)
		return rc;
	if (!mp_utf8_valid(text, len)) {
		util_err(_("contract file '%s' is not UTF-8 text"), pos[0]);
		rc = CLI_FAILED;
		goto out;
	}
	if ((req = client_req("contract.amend", group)) == NULL ||
	    ctl_req_add_strn(req, "contract", text, len) != 0) {
		util_err(_("out of memory"));
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
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "contract accept", usage, argc, argv, 2,
	    opts, pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "contract.accept", group, &resp);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else
		done_line(resp, "accepted");
	ctl_resp_free(resp);
	return rc;
}

/* Reads a version argument: 0 for current, else its number; -1 if bad. */
static int
version_arg(const char *s, uint64_t *v)
{
	char *end;

	*v = 0;
	if (strcmp(s, "current") == 0)
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v == 0)
		return -1;
	return 0;
}

/* Asks for version v of the contract (contract.versions) with its text. */
static int
fetch_version(struct cli *c, const char *group, uint64_t v,
    struct ctl_resp **resp)
{
	struct ctl_req *req;
	int rc;

	*resp = NULL;
	if ((req = client_req("contract.versions", group)) == NULL ||
	    ctl_req_add_uint(req, "version", v) != 0) {
		ctl_req_free(req);
		util_err("%s", _("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, resp);
	ctl_req_free(req);
	return rc;
}

/* "--- version 1, founded by NAME on WHEN" (or +++, amended by). */
static void
diff_head(const char *mark, const struct ctl_resp *resp)
{
	const char *by = "";
	char when[64], *safe = NULL;
	size_t sz = 0;
	uint64_t v = 0, ms = 0;
	FILE *m;

	(void)ctl_resp_get_uint(resp, 0, "version", &v);
	(void)ctl_resp_get_uint(resp, 0, "time", &ms);
	(void)ctl_resp_get_str(resp, 0, "by", &by, NULL);
	output_time(ms, when, sizeof(when));
	/* The name as other members' text is printed, in one string. */
	if ((m = open_memstream(&safe, &sz)) != NULL) {
		output_safe(m, by, 0);
		fclose(m);
	}
	printf("%s ", mark);
	printf(v == 1 ? _("version %llu, founded by %s on %s") :
	    _("version %llu, amended by %s on %s"), (unsigned long long)v,
	    safe != NULL ? safe : "?", when);
	fputc('\n', stdout);
	free(safe);
}

/* --json: the two versions compared, their texts included. */
static int
diff_json(const struct ctl_resp *old, const struct ctl_resp *new)
{
	const struct ctl_resp *two[2] = { old, new };
	const struct ctl_kv *kv;
	struct ctl_resp *both = NULL;
	size_t i, k, nf;
	int rc = CLI_FAILED;

	if (ctl_resp_new(0, CTL_OK, NULL, &both) != 0)
		goto out;
	for (i = 0; i < 2; i++) {
		if ((kv = ctl_resp_record(two[i], 0, &nf)) == NULL ||
		    ctl_resp_record_begin(both) != 0)
			goto out;
		for (k = 0; k < nf; k++)
			if (ctl_resp_add(both, kv[k].key, &kv[k].val) != 0)
				goto out;
	}
	rc = output_json(both);
out:
	if (rc == CLI_FAILED && both == NULL)
		util_err("%s", _("out of memory"));
	ctl_resp_free(both);
	return rc;
}

static int
sub_diff(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *told = NULL, *tnew = NULL;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *list = NULL, *old = NULL, *new = NULL;
	struct ctl_req *req;
	uint64_t vold = 0, vnew = 0, cur = 0;
	char *pos[2];
	int npos, rc, i;

	if ((rc = util_getopt(c, "contract diff", usage, argc, argv, 2, opts,
	    pos, 2, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	for (i = 0; i < npos; i++)
		if (version_arg(pos[i], i == 0 ? &vold : &vnew) != 0) {
			util_err(_("bad contract version '%s': give a version "
			    "number (see: balint contract show) or current"),
			    pos[i]);
			return CLI_USAGE;
		}
	/* The versions there are: the last is the current one. */
	if ((req = client_req("contract.versions", group)) == NULL) {
		util_err("%s", _("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &list);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if ((i = (int)ctl_resp_nrecords(list)) > 0)
		(void)ctl_resp_get_uint(list, (size_t)i - 1, "version", &cur);
	ctl_resp_free(list);
	if (npos < 2 || vnew == 0)
		vnew = cur;
	if (npos == 0) {
		if (cur < 2) {
			util_err("%s", _("the contract has one version only, "
			    "as founded: nothing to compare yet"));
			return CLI_FAILED;
		}
		vold = cur - 1;
	} else if (vold == 0)
		vold = cur;
	if ((rc = fetch_version(c, group, vold, &old)) != CLI_OK ||
	    (rc = fetch_version(c, group, vnew, &new)) != CLI_OK)
		goto out;
	if (ctl_resp_get_str(old, 0, "text", &told, NULL) != 0 ||
	    ctl_resp_get_str(new, 0, "text", &tnew, NULL) != 0) {
		util_err("%s", _("balintd sent a contract version without "
		    "its text"));
		rc = CLI_FAILED;
		goto out;
	}
	if (c->json) {
		rc = diff_json(old, new);
		goto out;
	}
	diff_head("---", old);
	diff_head("+++", new);
	if (linediff_print(stdout, told, tnew, 3) < 0) {
		util_err("%s", _("out of memory"));
		rc = CLI_FAILED;
	}
out:
	ctl_resp_free(old);
	ctl_resp_free(new);
	return rc;
}

int
cmd_contract(struct cli *c, int argc, char **argv)
{
	static const char *const names[] = { "show", "text", "amend",
	    "accept", "template", "diff" };
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
	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return sub_diff(c, argc, argv);
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
		util_err(_("contract needs a subcommand: show, text, amend, "
		    "accept, diff or template (see: balint contract --help)"));
		return CLI_USAGE;
	}
	return suggest_unknown_sub("contract", argv[1], names, 6);
}
