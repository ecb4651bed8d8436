/* cmd-sync.c — balint sync [--wait]: ask for sync now, or wait until level. */
#include <stdio.h>

#include "cli.h"

static const char usage[] = N_(
    "usage: balint sync [-g GROUP] [--wait] [--timeout 60s]\n"
    "  ask every connected peer of the group for what we lack, now\n"
    "  -g, --group GROUP  group id, unique id prefix or name\n"
    "  --wait             return only when every connected peer is level\n"
    "  --timeout TIME     give up waiting after TIME (default 60s)\n");

int
cmd_sync(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *timeout = NULL;
	int wait = 0;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--wait", 'w', NULL, &wait },
		{ "--timeout", 0, &timeout, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	uint64_t secs = 60;
	char *pos[1];
	int npos, rc;

	if ((rc = util_getopt(c, "sync", usage, argc, argv, 1, opts, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (timeout != NULL && (util_duration(timeout, &secs) != 0 ||
	    secs == 0 || secs > 86400)) {
		util_err(_("bad --timeout '%s' (use e.g. 30s or 5m)"), timeout);
		return CLI_USAGE;
	}
	if ((req = client_req("sync", group)) == NULL ||
	    ctl_req_add_bool(req, "wait", wait) != 0 ||
	    ctl_req_add_uint(req, "timeout", secs * 1000) != 0) {
		ctl_req_free(req);
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, wait ? secs * 1000 : 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else
		printf(wait ? "level with every connected peer\n" :
		    "sync requested\n");
	ctl_resp_free(resp);
	return rc;
}
