/*
 * settings.c — balint's side of the settings file (proto/config.h): where
 * it is, reading it, and the value of one key for a command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bal.h"
#include "cli.h"
#include "config.h"

int
settings_dir(char *out, size_t outlen)
{
	const char *v;
	int n;

	if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v == '/')
		n = snprintf(out, outlen, "%s/balint", v);
	else if ((v = getenv("HOME")) != NULL && *v != '\0')
		n = snprintf(out, outlen, "%s/.config/balint", v);
	else
		return BAL_ENOENT;
	return n > 0 && (size_t)n < outlen ? 0 : BAL_ETOOBIG;
}

int
settings_read(char *path, size_t pathlen, char **text, size_t *len)
{
	char dir[CLI_PATH_MAX];
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc;

	*text = NULL;
	*len = 0;
	if ((rc = settings_dir(dir, sizeof(dir))) != 0)
		return rc;
	if (snprintf(path, pathlen, "%s/config", dir) >= (int)pathlen)
		return BAL_ETOOBIG;
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL)
		return BAL_ENOMEM;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? 0 : BAL_EIO;	/* none: all unset */
		goto out;
	}
	while ((n = read(fd, buf + got, CONFIG_FILE_MAX + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	rc = n < 0 ? BAL_EIO : got > CONFIG_FILE_MAX ? BAL_ETOOBIG : 0;
out:
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

int
settings_get(const char *key, char *value, size_t vallen)
{
	char path[CLI_PATH_MAX];
	char *text;
	size_t len;
	int rc;

	if ((rc = settings_read(path, sizeof(path), &text, &len)) != 0)
		return rc;
	rc = text != NULL ? config_lookup(text, len, key, value, vallen) :
	    BAL_ENOENT;
	free(text);
	return rc;
}

int
settings_write(const char *text, size_t len)
{
	char dir[CLI_PATH_MAX], parent[CLI_PATH_MAX], *slash;
	int rc;

	if ((rc = settings_dir(dir, sizeof(dir))) != 0)
		return rc == BAL_ENOENT ? ENOENT : ENAMETOOLONG;
	/* $XDG_CONFIG_HOME itself may not exist yet on a new machine. */
	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0700) != 0 && errno != EEXIST)
			return errno;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return errno;
	return util_write_atomic(dir, "config", text, len, 0);
}
