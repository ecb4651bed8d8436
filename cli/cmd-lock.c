/*
 * cmd-lock.c — balint unlock [--remember | --forget] and balint lock: hand
 * the passphrase to a daemon that started locked, keep it in the login
 * keyring, forget it, or make the daemon forget the key again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"


static const char unlock_usage[] = N_(
    "usage: balint unlock [--remember | --forget]\n"
    "  give the running balintd the passphrase of your key, so that it\n"
    "  starts syncing (a balintd started locked, as the systemd unit and\n"
    "  balint daemon start do, syncs nothing until then).  The passphrase\n"
    "  is asked on the terminal (or read from the file named by\n"
    "  BALINT_PASSPHRASE_FILE)\n"
    "  --remember  also keep it in your desktop's login keyring, so that\n"
    "              balintd unlocks itself when it starts (after a reboot)\n"
    "  --forget    remove it from the login keyring again (nothing else)\n");

static const char lock_usage[] = N_(
    "usage: balint lock\n"
    "  make the running balintd forget your key: it closes every session,\n"
    "  wipes the key and starts again locked, syncing nothing until\n"
    "  balint unlock (it does not ask the login keyring this time)\n");

/* Reads the passphrase once (file or terminal) into guarded memory. */
static int
read_pass(const char *name, char **out, size_t *outlen)
{
	char prompt[128];

	snprintf(prompt, sizeof(prompt), "passphrase of %.80s: ", name);
	return passphrase_read("BALINT_PASSPHRASE_FILE", prompt, out, outlen);
}

/* The daemon's record: its name and whether it is locked. */
static int
daemon_state(struct cli *c, char *name, size_t namelen, int *locked)
{
	struct ctl_resp *resp = NULL;
	const char *s;
	int rc;

	*locked = 0;
	rc = client_ask(c, "status", NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	(void)ctl_resp_get_bool(resp, 0, "locked", locked);
	snprintf(name, namelen, "%s", ctl_resp_get_str(resp, 0, "name", &s,
	    NULL) == 0 ? s : "this member");
	ctl_resp_free(resp);
	return CLI_OK;
}

static int
forget(struct cli *c)
{
	struct ctl_resp *resp = NULL;
	const char *k = "";
	int rc;

	rc = client_ask(c, "unlock.forget", NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	(void)ctl_resp_get_str(resp, 0, "keyring", &k, NULL);
	printf(strcmp(k, "forgotten") == 0 ? "the passphrase was removed from "
	    "the login keyring\n" : "no passphrase was kept in the login "
	    "keyring\n");
	ctl_resp_free(resp);
	return CLI_OK;
}

int
cmd_unlock(struct cli *c, int argc, char **argv)
{
	int remember = 0, forg = 0, locked, npos, rc;
	const struct util_opt opts[] = {
		{ "--remember", 0, NULL, &remember },
		{ "--forget", 0, NULL, &forg },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req = NULL;
	char name[128], *pass = NULL, *pos[1];
	const char *k;
	size_t plen = 0;

	if ((rc = util_getopt(c, "unlock", unlock_usage, argc, argv, 1, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (remember && forg) {
		util_err(_("--remember and --forget exclude each other"));
		return CLI_USAGE;
	}
	if (forg)
		return forget(c);
	if ((rc = daemon_state(c, name, sizeof(name), &locked)) != CLI_OK)
		return rc;
	if (!locked && !remember) {
		printf(_("balintd is already unlocked\n"));
		return CLI_OK;
	}
	if ((rc = read_pass(name, &pass, &plen)) != CLI_OK)
		return rc;
	if ((req = client_req("unlock", NULL)) == NULL ||
	    ctl_req_add_bin(req, "passphrase", pass, plen) != 0 ||
	    ctl_req_add_bool(req, "remember", remember) != 0) {
		util_err(_("out of memory"));
		rc = CLI_FAILED;
		goto out;
	}
	if ((rc = client_call(c, req, 0, &resp)) != CLI_OK)
		goto out;
	printf("%s", locked ? _("unlocked: balintd syncs now\n") :
	    _("balintd was already unlocked\n"));
	if (ctl_resp_get_str(resp, 0, "keyring", &k, NULL) == 0) {
		if (strcmp(k, "remembered") == 0)
			printf(_("the passphrase is kept in your login keyring: "
			    "balintd unlocks itself when it starts (balint "
			    "unlock --forget removes it)\n"));
		else {
			char text[CTL_MAX_ERR];

			util_err("%s", daemon_text(k, text, sizeof(text)));
			rc = CLI_FAILED;
		}
	}
out:
	ctl_req_free(req);
	ctl_resp_free(resp);
	if (pass != NULL)
		sodium_free(pass);
	return rc;
}

int
cmd_lock(struct cli *c, int argc, char **argv)
{
	struct ctl_resp *resp = NULL;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char name[128], *pos[1];
	const char *st = "";
	int npos, rc, locked = 0, i;

	if ((rc = util_getopt(c, "lock", lock_usage, argc, argv, 1, NULL, pos,
	    0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	rc = client_ask(c, "lock", NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	(void)ctl_resp_get_str(resp, 0, "state", &st, NULL);
	locked = strcmp(st, "locked") == 0;
	ctl_resp_free(resp);
	if (locked) {
		printf(_("balintd was already locked\n"));
		return CLI_OK;
	}
	/* It stops cleanly and comes back locked: wait for it (30 s). */
	for (i = 0; i < 300 && !locked; i++) {
		nanosleep(&ts, NULL);
		util_quiet = 1;
		(void)daemon_state(c, name, sizeof(name), &locked);
		util_quiet = 0;
	}
	if (!locked) {
		util_err(_("balintd did not come back locked within 30 s (see "
		    "balint daemon log)"));
		return CLI_FAILED;
	}
	printf(_("locked: balintd forgot the key and syncs nothing until "
	    "balint unlock\n"));
	return CLI_OK;
}
