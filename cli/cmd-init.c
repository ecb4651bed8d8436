/*
 * cmd-init.c — balint init --name NAME [--no-passphrase]: create this
 * member's identity in the profile directory (offline, no daemon).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"
#include "identity.h"
#include "mp.h"


static const char usage[] = N_(
    "usage: balint [--home DIR] init --name NAME [--no-passphrase]\n"
    "  create this member's identity (a key pair sealed under a\n"
    "  passphrase) in DIR; prints the member id and the fingerprint\n"
    "  --name NAME       your name as the group sees it (1-64 bytes)\n"
    "  --no-passphrase   store the key unprotected (not recommended)\n"
    "  The passphrase is asked twice on the terminal, or read from the\n"
    "  file named by BALINT_PASSPHRASE_FILE.  On a terminal, init then\n"
    "  offers to start balintd (and, with the systemd user unit\n"
    "  installed, to start it at every login).\n");

/* 1 when name is 1..CLI_NAME_MAX bytes of UTF-8 without control chars. */
static int
name_ok(const char *name)
{
	return output_name_ok(name, CLI_NAME_MAX);
}

/* mkdir -p with mode 0700 for what it creates. */
static int
mkdirs(const char *dir)
{
	char path[CLI_PATH_MAX];
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return errno;
		path[i] = dir[i];
	}
	return 0;
}

int
cmd_init(struct cli *c, int argc, char **argv)
{
	const char *name = NULL;
	int nopass = 0;
	const struct util_opt opts[] = {
		{ "--name", 'n', &name, NULL },
		{ "--no-passphrase", 0, NULL, &nopass },
		{ NULL, 0, NULL, NULL }
	};
	char keypath[CLI_PATH_MAX + 16], mid[IDENTITY_ID_TEXT_BYTES];
	char fpr[IDENTITY_FPR_TEXT_BYTES], *pass = NULL, *namebuf = NULL;
	struct identity *id = NULL;
	uint8_t *sealed = NULL;
	size_t plen = 0, slen = 0, nlen;
	struct stat sb;
	char *pos[1];
	int npos, rc, err;

	if ((rc = util_getopt(c, "init", usage, argc, argv, 1, opts, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (name == NULL) {
		util_err(_("init needs --name NAME (see: balint init --help)"));
		return CLI_USAGE;
	}
	if (!name_ok(name)) {
		util_err(_("bad name '%s' (use 1 to %d bytes of text without "
		    "control characters or blanks at either end)"), name,
		    CLI_NAME_MAX);
		return CLI_USAGE;
	}
	snprintf(keypath, sizeof(keypath), "%s/identity.key", c->home);
	if ((err = mkdirs(c->home)) != 0) {
		util_err(_("cannot create the profile directory '%s': %s (%s)"),
		    c->home, strerror(err), err == ENOSPC ? "free some space "
		    "there, then run init again" : "choose a place you can "
		    "write to with --home DIR");
		return CLI_FAILED;
	}
	if (stat(keypath, &sb) == 0) {
		util_err(_("'%s' is already initialised (%s exists; use another "
		    "--home for another member)"), c->home, keypath);
		return CLI_FAILED;
	}
	/* Before the passphrase and the slow key derivation. */
	if (access(c->home, W_OK | X_OK) != 0) {
		util_err(_("the profile directory '%s' is not writable (%s): "
		    "make it writable (chmod 700 '%s', or mount it "
		    "read-write), or use another --home DIR"), c->home,
		    strerror(errno), c->home);
		return CLI_FAILED;
	}
	rc = CLI_FAILED;
	if (!nopass && (rc = passphrase_new("BALINT_PASSPHRASE_FILE", &pass,
	    &plen)) != CLI_OK)
		goto out;
	rc = CLI_FAILED;
	if (identity_generate(NULL, &id) != 0 ||
	    identity_seal(id, pass, plen, IDENTITY_OPSLIMIT_DEFAULT,
	    IDENTITY_MEMLIMIT_DEFAULT, NULL, &sealed, &slen) != 0) {
		util_err(_("cannot make the key (out of memory?)"));
		goto out;
	}
	if ((err = util_write_atomic(c->home, "identity.key", sealed, slen,
	    1)) != 0) {
		if (err == EEXIST)
			util_err(_("'%s' is already initialised (%s exists)"),
			    c->home, keypath);
		else
			util_err(_("cannot write '%s': %s%s"), keypath,
			    strerror(err), err == ENOSPC ? _(" (free some space "
			    "there, then run init again)") : "");
		goto out;
	}
	nlen = strlen(name);
	if ((namebuf = malloc(nlen + 1)) == NULL) {
		util_err(_("out of memory"));
		goto out;
	}
	memcpy(namebuf, name, nlen);
	namebuf[nlen] = '\n';
	if ((err = util_write_atomic(c->home, "name", namebuf, nlen + 1,
	    0)) != 0) {
		util_err(_("cannot write '%s/name': %s%s"), c->home, strerror(err),
		    err == ENOSPC ? _(" (free some space there, then run init "
		    "again)") : "");
		/* Nothing half-made: the key just written goes too. */
		(void)unlink(keypath);
		goto out;
	}
	identity_id_encode(id->pk, mid);
	identity_fingerprint(id->pk, fpr);
	if (c->json)
		printf("[\n  {\"member_id\": \"%s\", \"fingerprint\": \"%s\"}"
		    "\n]\n", mid, fpr);
	else
		printf(_("member id:   %s\nfingerprint: %s\n"), mid, fpr);
	if (nopass)
		util_err(_("warning: the key in '%s' is not protected by a "
		    "passphrase; anyone who can read the file can use it"),
		    keypath);
	rc = CLI_OK;
	/* The first minutes: on a terminal, offer to start the daemon. */
	if (!c->json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		fflush(stdout);
		(void)cmd_daemon_offer(c);
	}
out:
	free(namebuf);
	if (sealed != NULL) {
		sodium_memzero(sealed, slen);
		free(sealed);
	}
	identity_free(id);
	if (pass != NULL)
		sodium_free(pass);
	return rc;
}
