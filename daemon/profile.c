/* profile.c — the profile directory, key file and passphrase (profile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sodium.h>

#include "profile.h"

#define KEYFILE_MAX 4096
#define PASS_MAX 1024
/* Nothing else holds the secret key: a damaged one is lost without a copy. */
#define KEY_DAMAGED_FIX "restore it from your backup of the profile (without " \
    "one this identity is lost: run balint init in a new profile and ask " \
    "a leader for an invite)"

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

int
profile_check_dir(const char *dir, char *err, size_t errlen, char *warn,
    size_t warnlen)
{
	struct stat sb;
	mode_t mode;

	if (warnlen > 0)
		warn[0] = '\0';
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, N_("no profile at '%s' (run: balint --home "
		    "'%s' init --name NAME)"), dir, dir);
		return BAL_ENOENT;
	}
	mode = sb.st_mode & 0777;
	if (sb.st_uid != geteuid()) {
		snprintf(err, errlen, N_("the profile directory '%s' belongs to "
		    "uid %lu, not to this user (uid %lu): run balintd as its "
		    "owner, or use your own --home DIR"), dir,
		    (unsigned long)sb.st_uid, (unsigned long)geteuid());
		return BAL_EPERM;
	}
	/* Others could swap the key file, the store or the socket. */
	if ((mode & 022) != 0) {
		snprintf(err, errlen, N_("the profile directory '%s' can be "
		    "changed by others (mode %03o); check its files, then "
		    "run: chmod 700 '%s'"), dir, (unsigned)mode, dir);
		return BAL_EPERM;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, N_("the profile directory '%s' is not "
		    "writable (%s): make it writable (chmod 700 '%s', or "
		    "mount it read-write), or use another --home DIR"), dir,
		    strerror(errno), dir);
		return BAL_EPERM;
	}
	if ((mode & 077) != 0) {
		if (chmod(dir, 0700) != 0) {
			snprintf(err, errlen, N_("the profile directory '%s' is "
			    "open to others (mode %03o) and cannot be closed "
			    "(%s); run: chmod 700 '%s'"), dir, (unsigned)mode,
			    strerror(errno), dir);
			return BAL_EPERM;
		}
		snprintf(warn, warnlen, "warning: the profile directory '%s' "
		    "was open to others (mode %03o); it is now 700", dir,
		    (unsigned)mode);
	}
	return 0;
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

/*
 * Reads one line from the terminal with echo turned off (termios), by
 * read(2) straight into buf (sodium_malloc'd by the caller): no stdio
 * buffer ever holds the passphrase.
 */
static int
tty_line(const char *prompt, char *buf, size_t max, size_t *len)
{
	struct termios old, quiet;
	size_t n = 0, plen = strlen(prompt);
	ssize_t r = 0;
	char c;
	int fd, ret = BAL_EIO, over = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return BAL_ENOENT;
	if (tcgetattr(fd, &old) != 0)
		goto out;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/*
	 * Echo off before the prompt: TCSAFLUSH discards what was typed
	 * before it, so a line typed as soon as the prompt shows would be
	 * echoed, then thrown away, and the read would wait for ever.
	 */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0 ||
	    write(fd, prompt, plen) < 0)
		goto restore;
	for (;;) {
		if ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 < max)
			buf[n++] = c;
		else
			over = 1;
	}
	c = 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (r >= 0 && !over && (r > 0 || n > 0)) {
		*len = n;
		ret = 0;
	} else
		sodium_memzero(buf, max);
restore:
	(void)tcsetattr(fd, TCSAFLUSH, &old);
out:
	close(fd);
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
		struct stat sb;

		/* A passphrase others can read protects nothing. */
		if (stat(file, &sb) == 0 && (sb.st_mode & 044) != 0)
			return BAL_EPERM;
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

/*
 * Seals id again under pass at today's Argon2id costs and replaces the key
 * file in one rename (a crash leaves the old file or the new one, never
 * half of either).  Failure keeps the old file and says so.  The rename
 * happens only while the file still holds was (the bytes unlocked), under
 * a flock of the profile directory that balint passphrase takes around its
 * own rename: a passphrase changed meanwhile is never undone.
 */
static void
rewrap(const char *dir, const char *path, const struct identity *id,
    const char *pass, size_t plen, const uint8_t *was, size_t waslen)
{
	char tmp[PROFILE_PATH_MAX + 8];
	uint8_t *sealed = NULL, *now = NULL;
	size_t slen = 0, off = 0, nowlen = 0;
	ssize_t n;
	int fd = -1, dfd = -1, ok = 0, same;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp) ||
	    identity_seal(id, pass, plen, IDENTITY_OPSLIMIT_DEFAULT,
	    IDENTITY_MEMLIMIT_DEFAULT, NULL, &sealed, &slen) != 0)
		goto out;
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0)
		goto out;
	while (off < slen) {
		if ((n = write(fd, sealed + off, slen - off)) < 0 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    flock(dfd, LOCK_EX) != 0)
		goto out;
	same = read_small(path, KEYFILE_MAX, &now, &nowlen) == 0 &&
	    nowlen == waslen && memcmp(now, was, waslen) == 0;
	sodium_free(now);
	if (!same) {
		(void)unlink(tmp);
		fprintf(stderr, "balintd: the key file '%s' changed while it "
		    "was unlocked (balint passphrase?): left as it is\n", path);
		ok = 2;
		goto out;
	}
	if (rename(tmp, path) != 0)
		goto out;
	ok = 1;
out:
	if (dfd >= 0)
		close(dfd);	/* and the flock with it */
	if (fd >= 0)
		close(fd);
	if (!ok) {
		(void)unlink(tmp);
		fprintf(stderr, "balintd: warning: could not rewrap the key "
		    "file '%s' under today's Argon2id costs; it stays as it "
		    "was\n", path);
	} else if (ok == 1) {
		fprintf(stderr, "balintd: the key file '%s' was rewrapped "
		    "under Argon2id (opslimit %llu, memlimit %llu MiB)\n", path,
		    (unsigned long long)IDENTITY_OPSLIMIT_DEFAULT,
		    (unsigned long long)(IDENTITY_MEMLIMIT_DEFAULT >> 20));
	}
	free(sealed);
}

int
profile_unlock(const char *dir, struct identity **id, char *err,
    size_t errlen)
{
	return profile_unlock_with(dir, NULL, 0, 1, id, err, errlen);
}

int
profile_unlock_with(const char *dir, const char *given, size_t givenlen,
    int ask, struct identity **id, char *err, size_t errlen)
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
	if (stat(path, &sb) == 0 && sb.st_uid != geteuid()) {
		snprintf(err, errlen, N_("key file '%s' belongs to uid %lu, not "
		    "to this user (uid %lu): run balintd as its owner"), path,
		    (unsigned long)sb.st_uid, (unsigned long)geteuid());
		rc = BAL_EPERM;
		goto out;
	}
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, N_("key file '%s' can be read or changed by "
		    "others (mode %03o); run: chmod 600 '%s'"), path,
		    (unsigned)(sb.st_mode & 0777), path);
		rc = BAL_EPERM;
		goto out;
	}
	if ((rc = read_small(path, KEYFILE_MAX, &buf, &len)) != 0) {
		if (rc == BAL_ENOENT)
			snprintf(err, errlen, N_("no identity in '%s' (run: "
			    "balint --home '%s' init --name NAME)"), dir, dir);
		else if (rc == BAL_ETOOBIG)
			snprintf(err, errlen, N_("key file '%s' is damaged "
			    "(larger than any key) and was left as it is; %s"),
			    path, KEY_DAMAGED_FIX);
		else
			snprintf(err, errlen, N_("cannot read key file '%s' (%s); "
			    "check it with: ls -l '%s'"), path,
			    access(path, R_OK) != 0 ? strerror(errno) :
			    "read error", path);
		goto out;
	}
	if (identity_sealed_is_protected(buf, len) && given != NULL) {
		if ((pass = sodium_malloc(givenlen + 1)) == NULL) {
			rc = BAL_ENOMEM;
			snprintf(err, errlen, N_("out of memory unlocking '%s'"),
			    path);
			goto out;
		}
		memcpy(pass, given, givenlen);
		pass[givenlen] = '\0';
		plen = givenlen;
	} else if (identity_sealed_is_protected(buf, len) && !ask) {
		snprintf(err, errlen, "%s", N_("the key is protected: run "
		    "balint unlock"));
		rc = BAL_ESTATE;
		goto out;
	} else if (identity_sealed_is_protected(buf, len)) {
		rc = profile_passphrase("passphrase: ", &pass, &plen);
		if (rc == BAL_ENOENT) {
			snprintf(err, errlen, N_("the key is protected: set "
			    "BALINT_PASSPHRASE_FILE or run from a terminal"));
			goto out;
		} else if (rc == BAL_EPERM) {
			const char *f = getenv("BALINT_PASSPHRASE_FILE");

			snprintf(err, errlen, N_("BALINT_PASSPHRASE_FILE '%s' can "
			    "be read by others; run: chmod 600 '%s'"), f, f);
			goto out;
		} else if (rc != 0) {
			snprintf(err, errlen, N_("cannot read the passphrase "
			    "file named by BALINT_PASSPHRASE_FILE"));
			goto out;
		}
	}
	rc = identity_unseal(buf, len, pass, plen, id);
	/* A key file of an older release: its costs are today's from now. */
	if (rc == 0 && identity_sealed_is_weak(buf, len))
		rewrap(dir, path, *id, pass, plen, buf, len);
	if (rc == BAL_ECRYPTO)
		snprintf(err, errlen, N_("wrong passphrase for '%s' (or the "
		    "key file was altered)"), path);
	else if (rc == BAL_ENOMEM)
		snprintf(err, errlen, N_("out of memory unlocking '%s'"), path);
	else if (rc != 0)
		snprintf(err, errlen, N_("key file '%s' is damaged (%s: cut "
		    "short, or not a balint key) and was left as it is; %s"),
		    path, bal_strerror(rc), KEY_DAMAGED_FIX);
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

int
profile_lock(const char *dir, char *err, size_t errlen)
{
	char path[PROFILE_PATH_MAX];
	int fd, e;

	if (profile_path(dir, "balintd.lock", path, sizeof(path)) != 0) {
		snprintf(err, errlen, "the profile path '%s' is too long", dir);
		return BAL_EIO;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		snprintf(err, errlen, "cannot open the lock file '%s': %s",
		    path, strerror(errno));
		return BAL_EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return BAL_EEXIST;
		snprintf(err, errlen, "cannot lock '%s': %s", path,
		    strerror(e));
		return BAL_EIO;
	}
	return fd;
}
