/*
 * cmd-open.c — balint open [--print]: the member's page in the browser.
 * balintd gives a one-time login URL (web.open); the browser is started
 * with xdg-open on a small 0600 file in the profile that redirects to it,
 * so that the token never shows in the process list (Jupyter does the
 * same).  --print prints the URL instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"

#define OPEN_FILE "open.html"

static const char open_usage[] = N_(
    "usage: balint open [--print]\n"
    "  open your page in the browser: the group, the notes, writing,\n"
    "  invites and status, served by your own balintd on 127.0.0.1 only\n"
    "  and logged in by a one-time link (valid for two minutes)\n"
    "  --print  print that link instead (to paste into a browser)\n");

/* Starts xdg-open on path and waits for it; 0 when it started a browser. */
static int
xdg_open(const char *path)
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		execlp("xdg-open", "xdg-open", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int
cmd_open(struct cli *c, int argc, char **argv)
{
	int print = 0, npos, rc;
	const struct util_opt opts[] = {
		{ "--print", 0, NULL, &print },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	char html[512], path[CLI_PATH_MAX + 16], *pos[1];
	const char *url;
	int n;

	if ((rc = util_getopt(c, "open", open_usage, argc, argv, 1, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "web.open", NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	if (ctl_resp_get_str(resp, 0, "url", &url, NULL) != 0) {
		ctl_resp_free(resp);
		util_err(_("balintd's answer has no URL"));
		return CLI_FAILED;
	}
	if (print) {
		printf("%s\n", url);
		ctl_resp_free(resp);
		return CLI_OK;
	}
	n = snprintf(html, sizeof(html), "<!doctype html><meta charset=utf-8>"
	    "<meta http-equiv=refresh content=\"0;url=%s\"><title>balint"
	    "</title>\n", url);
	ctl_resp_free(resp);
	rc = CLI_FAILED;
	if (n < 0 || (size_t)n >= sizeof(html))
		util_err(_("the page's URL is too long"));
	else if ((errno = util_write_atomic(c->home, OPEN_FILE, html,
	    (size_t)n, 0)) != 0)
		util_err(_("cannot write '%s/%s': %s"), c->home, OPEN_FILE,
		    strerror(errno));
	else {
		snprintf(path, sizeof(path), "%s/%s", c->home, OPEN_FILE);
		if (xdg_open(path) != 0)
			util_err(_("cannot start a browser with xdg-open; run "
			    "'balint open --print' and paste the link into "
			    "one"));
		else
			rc = CLI_OK;
	}
	sodium_memzero(html, sizeof(html));
	return rc;
}
