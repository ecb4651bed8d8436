/*
 * cmd-bundle.c — balint bundle write/read: entries carried by hand, in an
 * encrypted file, between members who are never online together.  The
 * daemon reads and writes the file (a bundle may outgrow one control
 * message); this side makes the path absolute and says what happened.
 */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint bundle write FILE [--for MEMBER | --since DATE] "
    "[-g GROUP]\n"
    "       balint [--json] bundle read FILE\n"
    "  carry notes by hand (a USB stick, a mail attachment) to a member\n"
    "  who is never online with you; the file is encrypted under the\n"
    "  group's current key: only current members can open it\n"
    "  write FILE        write the group's entries into FILE (mode 0600)\n"
    "  --for MEMBER      only what MEMBER lacks, as far as this daemon\n"
    "                    knows from their last session or bundle\n"
    "  --since DATE      only entries written since DATE (YYYY-MM-DD, or\n"
    "                    an age such as 7d); the reader needs what came\n"
    "                    before already\n"
    "  -g, --group GROUP group id, unique id prefix or name\n"
    "  read FILE         take in a bundle as from the network: verified,\n"
    "                    in one transaction; says what it added\n");

/* An absolute form of path (its directory resolved), into out. */
static int
abs_path(const char *path, char *out, size_t outlen)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, outlen, "%s", path) >= (int)outlen;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	return snprintf(out, outlen, "%s/%s", cwd, path) >= (int)outlen;
}

static int
bundle_write(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *forwho = NULL, *since = NULL, *name;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--for", 0, &forwho, NULL },
		{ "--since", 0, &since, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	char path[PATH_MAX], *pos[1];
	uint64_t ms = 0, n = 0, bytes = 0;
	int npos, rc, known = 0;

	if ((rc = util_getopt(c, "bundle write", usage, argc, argv, 2, opts,
	    pos, 1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("bundle write needs a FILE (see: balint bundle "
		    "--help)"));
		return CLI_USAGE;
	}
	if (forwho != NULL && since != NULL) {
		util_err(_("give --for or --since, not both"));
		return CLI_USAGE;
	}
	if (since != NULL && util_since_ms(since, &ms) != 0) {
		util_err(_("bad --since '%s' (use YYYY-MM-DD or an age such as "
		    "7d)"), since);
		return CLI_USAGE;
	}
	if (abs_path(pos[0], path, sizeof(path)) != 0) {
		util_err(_("the path '%s' is too long"), pos[0]);
		return CLI_USAGE;
	}
	if ((req = client_req("bundle.write", group)) == NULL ||
	    ctl_req_add_str(req, "path", path) != 0 ||
	    (forwho != NULL && ctl_req_add_str(req, "for", forwho) != 0) ||
	    (ms != 0 && ctl_req_add_uint(req, "since", ms) != 0)) {
		ctl_req_free(req);
		util_err(_("out of memory"));
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
	(void)ctl_resp_get_uint(resp, 0, "entries", &n);
	(void)ctl_resp_get_uint(resp, 0, "bytes", &bytes);
	printf(_("wrote %llu entries (%llu bytes) to "), (unsigned long long)n,
	    (unsigned long long)bytes);
	output_safe(stdout, path, 0);
	putchar('\n');
	if (forwho != NULL && ctl_resp_get_str(resp, 0, "for", &name,
	    NULL) == 0 && ctl_resp_get_bool(resp, 0, "for_known",
	    &known) == 0 && !known) {
		printf(_("nothing is known yet of what "));
		output_safe(stdout, name, 0);
		printf(_(" holds: the bundle holds every entry\n"));
	}
	ctl_resp_free(resp);
	return CLI_OK;
}

static int
bundle_read(struct cli *c, int argc, char **argv)
{
	const struct util_opt opts[] = { { NULL, 0, NULL, NULL } };
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	const char *name = "", *writer = "", *author;
	char path[PATH_MAX], *pos[1];
	uint64_t total = 0, added = 0, refused = 0, a, r;
	size_t i;
	int npos, rc;

	if ((rc = util_getopt(c, "bundle read", usage, argc, argv, 2, opts,
	    pos, 1, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("bundle read needs a FILE (see: balint bundle "
		    "--help)"));
		return CLI_USAGE;
	}
	if (abs_path(pos[0], path, sizeof(path)) != 0) {
		util_err(_("the path '%s' is too long"), pos[0]);
		return CLI_USAGE;
	}
	if ((req = client_req("bundle.read", NULL)) == NULL ||
	    ctl_req_add_str(req, "path", path) != 0) {
		ctl_req_free(req);
		util_err(_("out of memory"));
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
	(void)ctl_resp_get_str(resp, 0, "name", &name, NULL);
	(void)ctl_resp_get_str(resp, 0, "writer", &writer, NULL);
	(void)ctl_resp_get_uint(resp, 0, "entries", &total);
	(void)ctl_resp_get_uint(resp, 0, "added", &added);
	(void)ctl_resp_get_uint(resp, 0, "refused", &refused);
	printf(_("bundle of group "));
	output_safe(stdout, name, 0);
	printf(_(" written by "));
	output_safe(stdout, writer, 0);
	if (added == 0)
		printf(_(": nothing new, all %llu entries were here already; "
		    "nothing changed\n"), (unsigned long long)total);
	else
		printf(_(": added %llu of its %llu entries\n"),
		    (unsigned long long)added, (unsigned long long)total);
	for (i = 1; i < ctl_resp_nrecords(resp); i++) {
		if (ctl_resp_get_str(resp, i, "author", &author, NULL) != 0 ||
		    ctl_resp_get_uint(resp, i, "added", &a) != 0 ||
		    ctl_resp_get_uint(resp, i, "refused", &r) != 0)
			continue;
		printf("  ");
		output_safe(stdout, author, 0);
		printf(_(": %llu added"), (unsigned long long)a);
		if (r > 0)
			printf(_(", %llu refused (beyond the cut of their "
			    "removal)"), (unsigned long long)r);
		putchar('\n');
	}
	ctl_resp_free(resp);
	return CLI_OK;
}

int
cmd_bundle(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "write") == 0)
		return bundle_write(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "read") == 0)
		return bundle_read(c, argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(_(usage), stdout);
		return CLI_OK;
	}
	if (argc < 2)
		util_err(_("bundle needs a subcommand: write or read (see: "
		    "balint bundle --help)"));
	else
		util_err(_("unknown subcommand 'bundle %s' (use write or read; "
		    "see: balint bundle --help)"), argv[1]);
	return CLI_USAGE;
}
