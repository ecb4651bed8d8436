/* profile.c — the profile directory, key file and passphrase (profile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>

#include "profile.h"

#define KEYFILE_MAX 4096
#define PASS_MAX 1024

int
profile_dir(const char *opt, char *out, size_t outlen)
{
	const char *v;
	int n;

	if (opt != NULL && *opt != '\0')
		n = snprintf(out, outlen, "%s", opt);
	else if ((v = getenv("BALINT_HOME")) != NULL && *v != '\0')
		n = snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_DATA_HOME")) != NULL && *v != '\0')
		n = snprintf(out, outlen, "%s/balint", v);
	else if ((v = getenv("HOME")) != NULL && *v != '\0')
		n = snprintf(out, outlen, "%s/.local/share/balint", v);
	else
		return BAL_ENOENT;
	return n > 0 && (size_t)n < outlen ? 0 : BAL_ETOOBIG;
}

int
profile_path(const char *dir, const char *file, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", dir, file);

	return n > 0 && (size_t)n < outlen ? 0 : BAL_ETOOBIG;
}

/* Reads at most max bytes of a small file into a sodium_malloc'd buffer. */
static int
read_small(const char *path, size_t max, uint8_t **out, size_t *len)
{
	uint8_t *buf = NULL;
	ssize_t n;
	size_t got = 0;
	int fd, ret = BAL_EIO;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? BAL_ENOENT : BAL_EIO;
	if ((buf = sodium_malloc(max + 1)) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	while ((n = read(fd, buf + got, max + 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0)
		goto out;
	if (got > max) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	buf[got] = '\0';	/* text callers may treat it as a string */
	*out = buf;
	*len = got;
	buf = NULL;
	ret = 0;
out:
	sodium_free(buf);
	close(fd);
	return ret;
}

/* Reads one line from the terminal with echo turned off. */
static int
tty_line(const char *prompt, char *buf, size_t max, size_t *len)
{
	struct termios old, quiet;
	FILE *tty;
	int ret = BAL_EIO;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return BAL_ENOENT;
	if (tcgetattr(fileno(tty), &old) != 0)
		goto out;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	fputs(prompt, tty);
	fflush(tty);
	if (tcsetattr(fileno(tty), TCSAFLUSH, &quiet) != 0)
		goto out;
	if (fgets(buf, (int)max, tty) != NULL) {
		*len = strcspn(buf, "\r\n");
		buf[*len] = '\0';
		ret = 0;
	}
	(void)tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputs("\n", tty);
out:
	fclose(tty);
	return ret;
}

int
profile_passphrase(const char *prompt, char **pass, size_t *len)
{
	const char *file = getenv("BALINT_PASSPHRASE_FILE");
	uint8_t *buf = NULL;
	char *line;
	size_t n;
	int rc;

	*pass = NULL;
	if (file != NULL && *file != '\0') {
		if ((rc = read_small(file, PASS_MAX, &buf, &n)) != 0)
			return rc == BAL_ENOENT ? BAL_EIO : rc;
		n = strcspn((char *)buf, "\r\n");
		buf[n] = '\0';
		*pass = (char *)buf;
		*len = n;
		return 0;
	}
	if ((line = sodium_malloc(PASS_MAX + 2)) == NULL)
		return BAL_ENOMEM;
	if ((rc = tty_line(prompt, line, PASS_MAX + 2, &n)) != 0) {
		sodium_free(line);
		return rc;
	}
	*pass = line;
	*len = n;
	return 0;
}

int
profile_unlock(const char *dir, struct identity **id, char *err,
    size_t errlen)
{
	char path[PROFILE_PATH_MAX];
	uint8_t *buf = NULL;
	char *pass = NULL;
	size_t len, plen = 0;
	struct stat sb;
	int rc;

	*id = NULL;
	if ((rc = profile_path(dir, "identity.key", path, sizeof(path))) != 0)
		goto out;
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "key file '%s' is readable by others "
		    "(mode %03o); run: chmod 600 '%s'", path,
		    (unsigned)(sb.st_mode & 0777), path);
		rc = BAL_EPERM;
		goto out;
	}
	if ((rc = read_small(path, KEYFILE_MAX, &buf, &len)) != 0) {
		if (rc == BAL_ENOENT)
			snprintf(err, errlen, "no identity in '%s' (run: "
			    "balint --home '%s' init --name NAME)", dir, dir);
		else
			snprintf(err, errlen, "cannot read key file '%s'",
			    path);
		goto out;
	}
	if (identity_sealed_is_protected(buf, len)) {
		rc = profile_passphrase("passphrase: ", &pass, &plen);
		if (rc == BAL_ENOENT) {
			snprintf(err, errlen, "the key is protected: set "
			    "BALINT_PASSPHRASE_FILE or run from a terminal");
			goto out;
		} else if (rc != 0) {
			snprintf(err, errlen, "cannot read the passphrase "
			    "file named by BALINT_PASSPHRASE_FILE");
			goto out;
		}
	}
	rc = identity_unseal(buf, len, pass, plen, id);
	if (rc == BAL_ECRYPTO)
		snprintf(err, errlen, "wrong passphrase for '%s'", path);
	else if (rc != 0)
		snprintf(err, errlen, "key file '%s' is damaged (%s)", path,
		    bal_strerror(rc));
out:
	sodium_free(buf);
	sodium_free(pass);
	return rc;
}

int
profile_name(const char *dir, char *out, size_t outlen)
{
	char path[PROFILE_PATH_MAX];
	uint8_t *buf;
	size_t len;
	int rc;

	if ((rc = profile_path(dir, "name", path, sizeof(path))) != 0)
		return rc;
	if ((rc = read_small(path, PROFILE_NAME_MAX, &buf, &len)) != 0)
		return rc;
	len = strcspn((char *)buf, "\r\n");
	if (len + 1 > outlen) {
		sodium_free(buf);
		return BAL_ETOOBIG;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
	sodium_free(buf);
	return 0;
}
