/*
 * passphrase.c — passphrases the CLI reads (init, balint passphrase): from
 * a file named by an environment variable that only its owner may read, or
 * from the terminal with echo off (util_tty_line: read(2) into
 * sodium_malloc'd memory); new ones asked twice and judged by Debian's
 * libpwquality, which says why it refuses one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pwquality.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"

int
passphrase_weak(const char *pass, char *why, size_t whylen)
{
	pwquality_settings_t *pwq;
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	void *aux = NULL;
	int rc;

	if ((pwq = pwquality_default_settings()) == NULL) {
		snprintf(why, whylen, "cannot judge it (out of memory)");
		return 1;
	}
	/* The machine's own policy (/etc/security/pwquality.conf), if any. */
	if ((rc = pwquality_read_config(pwq, NULL, &aux)) != 0)
		(void)pwquality_strerror(buf, sizeof(buf), rc, aux); /* frees */
	aux = NULL;
	rc = pwquality_check(pwq, pass, NULL, NULL, &aux);
	if (rc < 0)
		snprintf(why, whylen, "%s", pwquality_strerror(buf,
		    sizeof(buf), rc, aux));
	pwquality_free_settings(pwq);
	sodium_memzero(buf, sizeof(buf));
	return rc < 0;
}

int
passphrase_read(const char *env, const char *prompt, char **out,
    size_t *outlen)
{
	const char *file = getenv(env);
	struct stat sb;
	char *p;
	size_t len;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (file != NULL && *file != '\0') {
		/* A passphrase others can read protects nothing. */
		if (stat(file, &sb) == 0 && (sb.st_mode & 044) != 0) {
			util_err(_("%s '%s' can be read by others (mode %03o); "
			    "run: chmod 600 '%s'"), env, file,
			    (unsigned)(sb.st_mode & 0777), file);
			return CLI_FAILED;
		}
		if ((rc = util_read_file(file, PASSPHRASE_MAX,
		    "passphrase file", &p, &len)) != 0)
			return rc;
		p[strcspn(p, "\r\n")] = '\0';
	} else {
		if ((p = sodium_malloc(PASSPHRASE_MAX + 2)) == NULL) {
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		if ((rc = util_tty_line(prompt, 1, p,
		    PASSPHRASE_MAX + 2)) != 0) {
			sodium_free(p);
			if (rc == BAL_ENOENT) {
				util_err(_("no terminal to ask for a passphrase "
				    "(set %s, or run this in a terminal)"), env);
				return CLI_USAGE;
			}
			util_err(rc == BAL_ETOOBIG ? "the passphrase is longer "
			    "than %d bytes" : "cannot read the passphrase "
			    "from the terminal", PASSPHRASE_MAX);
			return CLI_FAILED;
		}
	}
	*out = p;
	*outlen = strlen(p);
	return CLI_OK;
}

int
passphrase_new(const char *env, char **out, size_t *outlen)
{
	char *a = NULL, *b = NULL, why[PWQ_MAX_ERROR_MESSAGE_LEN];
	const char *file = getenv(env);
	size_t alen = 0, blen = 0;
	int rc, ret = CLI_FAILED;

	*out = NULL;
	*outlen = 0;
	if ((rc = passphrase_read(env, "new passphrase: ", &a, &alen)) !=
	    CLI_OK)
		return rc;
	if (file == NULL || *file == '\0') {
		if ((rc = passphrase_read(env, "repeat it: ", &b, &blen)) !=
		    CLI_OK) {
			ret = rc;
			goto out;
		}
		if (alen != blen || sodium_memcmp(a, b, alen) != 0) {
			util_err(_("the two passphrases differ; nothing was "
			    "changed"));
			goto out;
		}
	}
	if (alen == 0) {
		util_err(_("empty passphrase (type one)"));
		ret = CLI_USAGE;
		goto out;
	}
	if (passphrase_weak(a, why, sizeof(why))) {
		util_err(_("this passphrase is too weak: %s (use five or more "
		    "random words)"), why);
		goto out;
	}
	*out = a;
	*outlen = alen;
	a = NULL;
	ret = CLI_OK;
out:
	if (a != NULL)
		sodium_free(a);
	if (b != NULL)
		sodium_free(b);
	return ret;
}
