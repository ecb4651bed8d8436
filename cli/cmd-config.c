/*
 * cmd-config.c — balint config get | set | unset | list | keys: the
 * settings file ($XDG_CONFIG_HOME/balint/config, proto/config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "cli.h"
#include "config.h"

static const char usage[] = N_(
    "usage: balint config get KEY\n"
    "       balint config set KEY VALUE\n"
    "       balint config unset KEY\n"
    "       balint config list\n"
    "       balint config keys\n"
    "  the settings in $XDG_CONFIG_HOME/balint/config (else\n"
    "  ~/.config/balint/config), one \"key = value\" per line:\n"
    "  get    print KEY's value (exit 1 when it is not set)\n"
    "  set    set KEY to VALUE (balintd reads its keys when it starts)\n"
    "  unset  remove KEY\n"
    "  list   every setting in the file\n"
    "  keys   the keys there are, what each does and who reads it\n");

/* Reads the file or says why not; 0 or an exit code. */
static int
load(char *path, size_t pathlen, char **text, size_t *len)
{
	int rc = settings_read(path, pathlen, text, len);

	if (rc == BAL_ENOENT) {
		util_err(_("no settings directory: set HOME or XDG_CONFIG_HOME"));
		return CLI_FAILED;
	}
	if (rc != 0) {
		util_err(_("cannot read the settings file '%s' (%s)"), path,
		    rc == BAL_ETOOBIG ? "larger than 64 KiB" : strerror(errno));
		return CLI_FAILED;
	}
	return 0;
}

static int
unknown_key(const char *key)
{
	util_err(_("unknown setting '%s' (see: balint config keys)"), key);
	return CLI_USAGE;
}

static int
do_list(const char *path, const char *text, size_t len)
{
	struct config_line l;
	size_t pos = 0;

	while (text != NULL && config_next(text, len, &pos, &l)) {
		if (l.bad) {
			util_err(_("warning: line %u of '%s' is not \"key = "
			    "value\"; ignored"), l.lineno, path);
			continue;
		}
		if (config_key_find(l.key) == NULL) {
			util_err(_("warning: unknown setting '%s' on line %u of "
			    "'%s'; ignored"), l.key, l.lineno, path);
			continue;
		}
		printf("%s = ", l.key);
		output_safe(stdout, l.value, 0);
		printf("\n");
	}
	return CLI_OK;
}

static int
do_edit(const char *path, const char *text, size_t len, const char *key,
    const char *value)
{
	const char *why;
	char *out = NULL;
	size_t outlen;
	int rc;

	if (value != NULL && (rc = config_check(key, value, &why)) != 0) {
		if (rc == BAL_ENOENT)
			return unknown_key(key);
		util_err(_("bad value for '%s': %s"), key, why);
		return CLI_USAGE;
	}
	if (value == NULL && config_key_find(key) == NULL)
		return unknown_key(key);
	if ((rc = config_edit(text != NULL ? text : "", len, key, value, &out,
	    &outlen)) != 0) {
		util_err(_("cannot change '%s' (%s)"), path, bal_strerror(rc));
		return CLI_FAILED;
	}
	rc = settings_write(out, outlen);
	free(out);
	if (rc != 0) {
		util_err(_("cannot write the settings file '%s' (%s)"), path,
		    strerror(rc));
		return CLI_FAILED;
	}
	if (config_key_find(key)->who == CONFIG_DAEMON)
		printf(_("balintd reads '%s' when it starts (restart it)\n"),
		    key);
	return CLI_OK;
}

int
cmd_config(struct cli *c, int argc, char **argv)
{
	const struct config_key *k;
	char path[CLI_PATH_MAX], value[CONFIG_VALUE_MAX + 1];
	char *pos[3], *text = NULL;
	const char *sub;
	size_t len;
	int npos, rc;

	if ((rc = util_getopt(c, "config", usage, argc, argv, 1, NULL, pos, 3,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos == 0) {
		util_err(_("config needs get, set, unset, list or keys (see: "
		    "balint config --help)"));
		return CLI_USAGE;
	}
	sub = pos[0];
	if (strcmp(sub, "keys") == 0 && npos == 1) {
		for (k = config_keys; k->key != NULL; k++)
			printf("%-8s %-8s %s\n", k->key, k->who ==
			    CONFIG_DAEMON ? "balintd" : "balint", _(k->help));
		return CLI_OK;
	}
	if (!((strcmp(sub, "list") == 0 && npos == 1) ||
	    ((strcmp(sub, "get") == 0 || strcmp(sub, "unset") == 0) &&
	    npos == 2) || (strcmp(sub, "set") == 0 && npos == 3))) {
		util_err(_("usage: balint config get KEY | set KEY "
		    "VALUE | unset KEY | list | keys"));
		return CLI_USAGE;
	}
	if ((rc = load(path, sizeof(path), &text, &len)) != 0)
		return rc;
	if (strcmp(sub, "list") == 0)
		rc = do_list(path, text, len);
	else if (strcmp(sub, "set") == 0)
		rc = do_edit(path, text, len, pos[1], pos[2]);
	else if (strcmp(sub, "unset") == 0)
		rc = do_edit(path, text, len, pos[1], NULL);
	else if (config_key_find(pos[1]) == NULL)
		rc = unknown_key(pos[1]);
	else if (text == NULL || config_lookup(text, len, pos[1], value,
	    sizeof(value)) != 0)
		rc = CLI_FAILED;	/* not set: nothing printed, like git */
	else {
		output_safe(stdout, value, 0);
		printf("\n");
		rc = CLI_OK;
	}
	free(text);
	return rc;
}
