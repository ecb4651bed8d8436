/*
 * settings.c — balintd's side of the settings file (proto/config.h): the
 * keys it reads at start.  A file it cannot read, a line that does not
 * parse, an unknown key or a bad value is a log line, never a refusal to
 * start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "settings.h"

/* Reads the file into a malloc'd, NUL-terminated buffer (NULL: none). */
static char *
read_file(char *path, size_t pathlen, size_t *len)
{
	const char *v;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v == '/')
		n = snprintf(path, pathlen, "%s/balint/config", v);
	else if ((v = getenv("HOME")) != NULL && *v != '\0')
		n = snprintf(path, pathlen, "%s/.config/balint/config", v);
	else
		return NULL;
	if (n < 0 || (size_t)n >= pathlen)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			daemon_log("warning: cannot read the settings file "
			    "'%s' (%s); using none", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) != NULL) {
		while ((n = read(fd, buf + got, CONFIG_FILE_MAX + 1 - got)) > 0)
			got += (size_t)n;
		if (n < 0 || got > CONFIG_FILE_MAX) {
			daemon_log("warning: cannot read the settings file "
			    "'%s' (%s); using none", path, n < 0 ?
			    strerror(errno) : "larger than 64 KiB");
			free(buf);
			buf = NULL;
		} else
			buf[got] = '\0';
	}
	close(fd);
	*len = got;
	return buf;
}

/* Copies a value into a field of n bytes, or logs that it is too long. */
static void
take(char *field, size_t n, const struct config_line *l, const char *path)
{
	if (strlen(l->value) >= n)
		daemon_log("warning: the %s on line %u of '%s' is too long; "
		    "ignored", l->key, l->lineno, path);
	else
		strcpy(field, l->value);
}

int
settings_load(struct settings *s)
{
	static struct settings once;
	static int loaded;
	const struct config_key *k;
	struct config_line l;
	const char *why;
	size_t len = 0, pos = 0;
	char *text;

	if (loaded) {
		*s = once;
		return 0;
	}
	loaded = 1;
	memset(s, 0, sizeof(*s));
	if ((text = read_file(s->path, sizeof(s->path), &len)) == NULL) {
		once = *s;
		return 0;
	}
	while (config_next(text, len, &pos, &l)) {
		if (l.bad) {
			daemon_log("warning: line %u of '%s' is not \"key = "
			    "value\"; ignored", l.lineno, s->path);
			continue;
		}
		if ((k = config_key_find(l.key)) == NULL) {
			daemon_log("warning: unknown setting '%s' on line %u "
			    "of '%s'; ignored", l.key, l.lineno, s->path);
			continue;
		}
		if (k->who != CONFIG_DAEMON)
			continue;
		if (config_check(l.key, l.value, &why) != 0) {
			daemon_log("warning: bad %s '%s' on line %u of '%s' "
			    "(%s); ignored", l.key, l.value, l.lineno,
			    s->path, why);
			continue;
		}
		if (strcmp(l.key, "listen") == 0)
			take(s->listen, sizeof(s->listen), &l, s->path);
		else if (strcmp(l.key, "tor") == 0)
			take(s->tor, sizeof(s->tor), &l, s->path);
		else if (strcmp(l.key, "lan-discovery") == 0)
			take(s->lan, sizeof(s->lan), &l, s->path);
		else if (strcmp(l.key, "portmap") == 0)
			take(s->portmap, sizeof(s->portmap), &l, s->path);
		else if (strcmp(l.key, "hole-punching") == 0)
			take(s->punch, sizeof(s->punch), &l, s->path);
		else if (strcmp(l.key, "tor-control") == 0)
			take(s->tor_control, sizeof(s->tor_control), &l,
			    s->path);
		else if (strcmp(l.key, "web-port") == 0)
			take(s->web_port, sizeof(s->web_port), &l, s->path);
	}
	free(text);
	once = *s;
	return 0;
}
