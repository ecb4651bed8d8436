/* config.c — the settings file's text and its table of keys (config.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "config.h"

/* A value is one line without control characters. */
static int
one_line(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* HOST:PORT, [IPv6]:PORT; the daemon checks the host when it binds. */
static int
check_addr(const char *v, const char **why)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (colon == NULL || colon == v || strchr(v, ' ') != NULL) {
		*why = "want HOST:PORT, e.g. 0.0.0.0:7451";
		return -1;
	}
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535) {
		*why = "the port must be a number from 0 to 65535";
		return -1;
	}
	return 0;
}

/* listen: HOST:PORT, or none (no TCP port: an onion service only). */
static int
check_listen(const char *v, const char **why)
{
	return strcmp(v, "none") == 0 ? 0 : check_addr(v, why);
}

static int
check_onoff(const char *v, const char **why)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
		return 0;
	*why = "want on or off";
	return -1;
}

/* web-port: the page's port on 127.0.0.1, 0 for any, or off. */
static int
check_web_port(const char *v, const char **why)
{
	char *end;
	long port;

	if (strcmp(v, "off") == 0)
		return 0;
	port = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || port < 0 || port > 65535) {
		*why = "want a port from 0 to 65535, or off";
		return -1;
	}
	return 0;
}

static int
check_any(const char *v, const char **why)
{
	if (*v == '\0') {
		*why = "the value is empty (unset the key instead)";
		return -1;
	}
	return 0;
}

/*
 * Each key's help is marked N_() (bal.h): balint config keys shows it
 * translated.
 */
const struct config_key config_keys[] = {
	{ "group", CONFIG_CLI, check_any,
	    N_("the group of group-scoped commands when -g is not given") },
	{ "editor", CONFIG_CLI, check_any,
	    N_("the editor for note write and note edit (before $EDITOR)") },
	{ "listen", CONFIG_DAEMON, check_listen,
	    N_("where balintd listens, HOST:PORT or none (before the last one "
	    "used)") },
	{ "tor", CONFIG_DAEMON, check_onoff,
	    N_("on or off: balintd runs tor for an onion service (as --tor)") },
	{ "tor-control", CONFIG_DAEMON, check_addr,
	    N_("the control port of a tor already running (as "
	    "--tor-control)") },
	{ "lan-discovery", CONFIG_DAEMON, check_onoff,
	    N_("on (default) or off: balintd finds members on the same LAN by "
	    "multicast beacons") },
	{ "portmap", CONFIG_DAEMON, check_onoff,
	    N_("on or off: balintd asks the router to forward its port and to "
	    "let members in to its IPv6 addresses (PCP, NAT-PMP, UPnP)") },
	{ "hole-punching", CONFIG_DAEMON, check_onoff,
	    N_("on (default) or off: balintd opens direct connections "
	    "through two routers (TCP hole punching)") },
	{ "web-port", CONFIG_DAEMON, check_web_port,
	    N_("the port of the page on 127.0.0.1 (balint open), 0 for any, "
	    "or off (as --web-port)") },
	{ NULL, 0, NULL, NULL }
};

const struct config_key *
config_key_find(const char *key)
{
	const struct config_key *k;

	for (k = config_keys; k->key != NULL; k++)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

int
config_check(const char *key, const char *value, const char **why)
{
	const struct config_key *k = config_key_find(key);

	*why = "";
	if (k == NULL)
		return BAL_ENOENT;
	if (strlen(value) > CONFIG_VALUE_MAX || !one_line(value)) {
		*why = "the value must be one line of at most 1024 bytes";
		return BAL_EINVAL;
	}
	return k->check(value, why) == 0 ? 0 : BAL_EINVAL;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trims blanks of s[0..*n) at both ends; returns the new start. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && blank(*s)) {
		s++;
		(*n)--;
	}
	while (*n > 0 && blank(s[*n - 1]))
		(*n)--;
	return s;
}

/* Parses one line (no '\n') into l; 1 for a setting or bad, 0 to skip. */
static int
parse_line(const char *s, size_t n, struct config_line *l)
{
	const char *eq, *k, *v;
	size_t kn, vn, i;

	s = trim(s, &n);
	if (n == 0 || *s == '#')
		return 0;
	l->key[0] = l->value[0] = '\0';
	l->bad = 1;
	if ((eq = memchr(s, '=', n)) == NULL)
		return 1;
	kn = (size_t)(eq - s);
	k = trim(s, &kn);
	vn = n - (size_t)(eq - s) - 1;
	v = trim(eq + 1, &vn);
	if (kn == 0 || kn > CONFIG_KEY_MAX || vn > CONFIG_VALUE_MAX)
		return 1;
	for (i = 0; i < kn; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' &&
		    k[i] <= '9') || k[i] == '-' || k[i] == '_' || k[i] == '.'))
			return 1;
	for (i = 0; i < vn; i++)
		if (v[i] == '\0')
			return 1;
	memcpy(l->key, k, kn);
	l->key[kn] = '\0';
	memcpy(l->value, v, vn);
	l->value[vn] = '\0';
	l->bad = 0;
	return 1;
}

int
config_next(const char *text, size_t len, size_t *pos,
    struct config_line *line)
{
	const char *s, *nl;
	/* Lines consumed so far: the number of the line returned last. */
	unsigned lineno = *pos == 0 ? 0 : line->lineno;
	size_t n;

	while (*pos < len) {
		s = text + *pos;
		nl = memchr(s, '\n', len - *pos);
		n = nl != NULL ? (size_t)(nl - s) : len - *pos;
		*pos += n + (nl != NULL);
		lineno++;
		if (parse_line(s, n, line)) {
			line->lineno = lineno;
			return 1;
		}
	}
	return 0;
}

int
config_lookup(const char *text, size_t len, const char *key, char *value,
    size_t vallen)
{
	struct config_line l;
	size_t pos = 0;
	int found = 0;

	while (config_next(text, len, &pos, &l))
		if (!l.bad && strcmp(l.key, key) == 0) {
			if (strlen(l.value) >= vallen)
				return BAL_ETOOBIG;
			strcpy(value, l.value);
			found = 1;
		}
	return found ? 0 : BAL_ENOENT;
}

int
config_edit(const char *text, size_t len, const char *key,
    const char *value, char **out, size_t *outlen)
{
	struct config_line l;
	size_t pos = 0, start, cap, o = 0, n;
	const char *s, *nl;
	char *buf;
	int done = value == NULL;

	*out = NULL;
	cap = len + strlen(key) + (value != NULL ? strlen(value) : 0) + 8;
	if ((buf = malloc(cap)) == NULL)
		return BAL_ENOMEM;
	while (pos < len) {
		start = pos;
		s = text + pos;
		nl = memchr(s, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		if (parse_line(s, n, &l) && !l.bad && strcmp(l.key, key) == 0) {
			if (!done)
				o += (size_t)sprintf(buf + o, "%s = %s\n",
				    key, value);
			done = 1;
			continue;
		}
		memcpy(buf + o, text + start, pos - start);
		o += pos - start;
		if (nl == NULL)
			buf[o++] = '\n';
	}
	if (!done)
		o += (size_t)sprintf(buf + o, "%s = %s\n", key, value);
	buf[o] = '\0';
	if (o > CONFIG_FILE_MAX) {
		free(buf);
		return BAL_ETOOBIG;
	}
	*out = buf;
	*outlen = o;
	return 0;
}
