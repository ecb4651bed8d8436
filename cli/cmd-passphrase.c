/*
 * cmd-passphrase.c — balint passphrase: change the passphrase of this
 * member's key (offline: the key file only; a running balintd keeps the
 * key it unlocked, and asks for the new passphrase at its next start).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"
#include "identity.h"

#define KEYFILE_MAX 4096

static const char usage[] = N_(
    "usage: balint [--home DIR] passphrase\n"
    "  change the passphrase of this member's key: asks the old one,\n"
    "  then the new one twice; a weak new one (a dictionary word, too\n"
    "  short or too simple, as judged by libpwquality) is refused with\n"
    "  the reason, and nothing changes.  The key is sealed again under\n"
    "  Argon2id (3 passes, 256 MiB) and replaces the key file at once.\n"
    "  Without a terminal: the old passphrase from the file named by\n"
    "  BALINT_PASSPHRASE_FILE, the new one from BALINT_NEW_PASSPHRASE_FILE\n"
    "  (each readable by you alone).  A key made with --no-passphrase\n"
    "  gets its first passphrase.\n");

int
cmd_passphrase(struct cli *c, int argc, char **argv)
{
	const struct util_opt opts[] = { { NULL, 0, NULL, NULL } };
	char keypath[CLI_PATH_MAX + 16], *buf = NULL, *old = NULL;
	char *pass = NULL, *pos[1];
	struct identity *id = NULL;
	uint8_t *sealed = NULL;
	size_t len = 0, olen = 0, plen = 0, slen = 0;
	int npos, rc, err, dfd;

	if ((rc = util_getopt(c, "passphrase", usage, argc, argv, 1, opts,
	    pos, 0, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	snprintf(keypath, sizeof(keypath), "%s/identity.key", c->home);
	if ((rc = util_read_file(keypath, KEYFILE_MAX, "key file", &buf,
	    &len)) != CLI_OK)
		goto out;
	rc = CLI_FAILED;
	if (identity_sealed_is_protected((uint8_t *)buf, len) &&
	    (rc = passphrase_read("BALINT_PASSPHRASE_FILE",
	    "old passphrase: ", &old, &olen)) != CLI_OK)
		goto out;
	rc = CLI_FAILED;
	if ((err = identity_unseal((uint8_t *)buf, len, old, olen, &id)) !=
	    0) {
		util_err(err == BAL_ECRYPTO ? "wrong passphrase for '%s'; "
		    "nothing was changed" : "the key file '%s' is damaged; "
		    "nothing was changed", keypath);
		goto out;
	}
	if ((rc = passphrase_new("BALINT_NEW_PASSPHRASE_FILE", &pass,
	    &plen)) != CLI_OK)
		goto out;
	rc = CLI_FAILED;
	if (identity_seal(id, pass, plen, IDENTITY_OPSLIMIT_DEFAULT,
	    IDENTITY_MEMLIMIT_DEFAULT, NULL, &sealed, &slen) != 0) {
		util_err(_("cannot seal the key (out of memory?)"));
		goto out;
	}
	/*
	 * Under the profile directory's flock: a balintd that rewraps the
	 * key it unlocked (costs of an older release) renames only while
	 * the file is still what it read, so this passphrase stays.
	 */
	if ((dfd = open(c->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		(void)flock(dfd, LOCK_EX);
	err = util_write_atomic(c->home, "identity.key", sealed, slen, 0);
	if (dfd >= 0)
		close(dfd);
	if (err != 0) {
		util_err(_("cannot write '%s': %s; the old passphrase still "
		    "opens it"), keypath, strerror(err));
		goto out;
	}
	printf(_("the passphrase of '%s' was changed\n"), keypath);
	rc = CLI_OK;
out:
	if (sealed != NULL) {
		sodium_memzero(sealed, slen);
		free(sealed);
	}
	identity_free(id);
	if (buf != NULL)
		sodium_free(buf);
	if (old != NULL)
		sodium_free(old);
	if (pass != NULL)
		sodium_free(pass);
	return rc;
}
