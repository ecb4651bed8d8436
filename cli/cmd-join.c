/* cmd-join.c — balint join CODE [--accept]: show the contract, accept, join. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"

static const char usage[] = N_(
    "usage: balint join [CODE | -] [--accept] [--timeout 60s] [--wait 10m]\n"
    "  join a group with an invite code: shows who invites you (name and\n"
    "  fingerprint) and the group's contract and asks whether you accept\n"
    "  it, then joins and waits until this member holds the group's keys\n"
    "  and roster.  Without CODE (or with -) the code is read from\n"
    "  standard input, or asked for on the terminal (not echoed): other\n"
    "  users of this machine see arguments in `ps`\n"
    "  --accept        accept the contract without asking (for scripts)\n"
    "  --timeout TIME  give up after TIME (default 60s)\n"
    "  --wait TIME     when the inviter confirms newcomers first, wait\n"
    "                  that long for them to run balint admit (default\n"
    "                  10m); read them your fingerprint, shown here and\n"
    "                  in balint status\n"
    "  Blanks and line breaks in CODE are ignored; a mistyped code is\n"
    "  caught by its checksum.  Exit 1 when the code is mistyped, expired,\n"
    "  already used or not for you, or the join fails; 2 on bad usage; 3\n"
    "  when balintd is not running.\n");

/* Longest code read from standard input or the terminal. */
#define JOIN_CODE_MAX 8192

/*
 * The code when it is not an argument: standard input if it is no
 * terminal, else a line asked for on the terminal without echo.  *buf is
 * sodium_malloc'd (util_buf_free); an exit code on failure.
 */
static int
read_code(char **buf, size_t *len)
{
	int rc;

	*buf = NULL;
	*len = 0;
	if (!isatty(STDIN_FILENO))
		return util_read_file("-", JOIN_CODE_MAX, "the invite code",
		    buf, len);
	*len = JOIN_CODE_MAX;
	if ((*buf = sodium_malloc(*len)) == NULL) {
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = util_tty_line(_("Invite code (not shown): "), 1, *buf, *len);
	if (rc != 0) {
		util_buf_free(*buf, *len);
		*buf = NULL;
		util_err(_("join needs the invite code (see: balint join "
		    "--help)"));
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int
join_req(struct cli *c, const char *code, int preview, uint64_t ms,
    uint64_t wait_ms, struct ctl_resp **resp)
{
	struct ctl_req *req;
	int rc;

	if ((req = client_req("join", NULL)) == NULL ||
	    ctl_req_add_str(req, "code", code) != 0 ||
	    ctl_req_add_bool(req, "preview", preview) != 0 ||
	    ctl_req_add_bool(req, "accept", !preview) != 0 ||
	    ctl_req_add_uint(req, "timeout", ms) != 0 ||
	    ctl_req_add_uint(req, "wait", wait_ms) != 0) {
		ctl_req_free(req);
		util_err(_("bad invite code '%s' (copy it again)"), code);
		return CLI_USAGE;
	}
	rc = client_call(c, req, ms + wait_ms, resp);
	ctl_req_free(req);
	return rc;
}

/*
 * Who invites: the name the inviter gave and the fingerprint of the key
 * the code names (the handshake proved the inviter holds it), to compare
 * with what the inviter reads aloud or sends by another channel.
 */
static void
show_inviter(const struct ctl_resp *resp)
{
	const char *who = "", *fp = "";

	(void)ctl_resp_get_str(resp, 0, "inviter", &who, NULL);
	(void)ctl_resp_get_str(resp, 0, "inviter_fingerprint", &fp, NULL);
	if (*fp == '\0')
		return;
	printf(_("Invited by "));
	output_safe(stdout, *who != '\0' ? who : "(no name given)", 0);
	printf(_(", fingerprint "));
	output_safe(stdout, fp, 0);
	printf(_("\n(compare it with the fingerprint your inviter sees in "
	    "balint status)\n"));
	(void)ctl_resp_get_str(resp, 0, "fingerprint", &fp, NULL);
	printf(_("Your fingerprint: "));
	output_safe(stdout, fp, 0);
	printf("\n\n");
}

/* Shows the contract and asks (unless accept), then joins. */
static int
join(struct cli *c, const char *code, int accept, uint64_t secs,
    uint64_t wait)
{
	const char *s, *name = "", *gid = "", *fp = "";
	struct ctl_resp *resp = NULL;
	char answer[16];
	int rc, fd, confirm = 0;

	if (!accept) {
		if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0) {
			util_err(_("no terminal to ask whether you accept the "
			    "contract: use --accept to accept "
			    "non-interactively"));
			return CLI_USAGE;
		}
		close(fd);
		if ((rc = join_req(c, code, 1, secs * 1000, 0, &resp)) != 0)
			return rc;
		show_inviter(resp);
		(void)ctl_resp_get_bool(resp, 0, "confirm", &confirm);
		if (ctl_resp_get_str(resp, 0, "name", &s, NULL) == 0 &&
		    *s != '\0') {
			printf(_("Contract of the group '"));
			output_safe(stdout, s, 0);
			printf("':\n\n");
		}
		if (ctl_resp_get_str(resp, 0, "contract", &s, NULL) == 0) {
			output_safe(stdout, s, 1);
			if (*s != '\0' && s[strlen(s) - 1] != '\n')
				fputc('\n', stdout);
		}
		fputc('\n', stdout);
		if (confirm) {
			(void)ctl_resp_get_str(resp, 0, "fingerprint", &fp,
			    NULL);
			printf(_("Your inviter confirms your fingerprint before "
			    "adding you: when you have accepted, read it to "
			    "them ("));
			output_safe(stdout, fp, 0);
			printf(").\n\n");
		}
		fflush(stdout);
		ctl_resp_free(resp);
		resp = NULL;
		if (util_tty_line(_("Accept this contract and join? [y/N] "), 0,
		    answer, sizeof(answer)) != 0) {
			util_err(_("no answer: use --accept to accept "
			    "non-interactively"));
			return CLI_USAGE;
		}
		if (!util_yes(answer)) {
			util_err(_("not joined: the contract was not accepted"));
			return CLI_FAILED;
		}
	}
	if (confirm) {
		printf(_("Waiting for your inviter to admit you (up to %llu min)"
		    "...\n"), (unsigned long long)((wait + 59) / 60));
		fflush(stdout);
	}
	if ((rc = join_req(c, code, 0, secs * 1000, wait * 1000, &resp)) != 0)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else {
		(void)ctl_resp_get_str(resp, 0, "name", &name, NULL);
		(void)ctl_resp_get_str(resp, 0, "group", &gid, NULL);
		printf(_("joined group '"));
		output_safe(stdout, name, 0);
		printf("' (");
		output_safe(stdout, gid, 0);
		printf(")\n");
	}
	ctl_resp_free(resp);
	return rc;
}

int
cmd_join(struct cli *c, int argc, char **argv)
{
	const char *timeout = NULL, *wait = NULL, *code;
	int accept = 0;
	const struct util_opt opts[] = {
		{ "--accept", 'y', NULL, &accept },
		{ "--timeout", 0, &timeout, NULL },
		{ "--wait", 0, &wait, NULL },
		{ NULL, 0, NULL, NULL }
	};
	uint64_t secs = 60, wsecs = 600;
	char *pos[1], *buf = NULL;
	size_t buflen = 0;
	int npos, rc;

	if ((rc = util_getopt(c, "join", usage, argc, argv, 1, opts, pos, 1,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (timeout != NULL && (util_duration(timeout, &secs) != 0 ||
	    secs == 0 || secs > 86400)) {
		util_err(_("bad --timeout '%s' (use e.g. 30s or 5m)"), timeout);
		return CLI_USAGE;
	}
	if (wait != NULL && (util_duration(wait, &wsecs) != 0 ||
	    wsecs == 0 || wsecs > 3600)) {
		util_err(_("bad --wait '%s' (use e.g. 5m; at most 1h)"), wait);
		return CLI_USAGE;
	}
	if (npos == 1 && strcmp(pos[0], "-") != 0) {
		code = pos[0];
	} else {
		if ((rc = read_code(&buf, &buflen)) != CLI_OK)
			return rc;
		code = buf;
	}
	if (buf != NULL && code[strspn(code, " \t\r\n")] == '\0') {
		util_buf_free(buf, buflen);
		util_err(_("join needs the invite code (see: balint join --help)"));
		return CLI_USAGE;
	}
	rc = join(c, code, accept, secs, wsecs);
	util_buf_free(buf, buflen);
	return rc;
}
