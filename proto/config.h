/*
 * config.h — the member's settings file, $XDG_CONFIG_HOME/balint/config
 * (else ~/.config/balint/config): one "key = value" per line, '#'
 * comments, blank lines.  Pure functions over the text; balint and
 * balintd each read the file themselves.
 *
 * The known keys are one table (config.c): to add a setting, add a row
 * with its name, who reads it, a check of its value and a one-line help.
 * A key the table does not know is reported, never an error that stops
 * balint or balintd.
 */
#ifndef BAL_CONFIG_H
#define BAL_CONFIG_H

#include <stddef.h>

#define CONFIG_FILE_MAX (64u * 1024)	/* bytes of the whole file */
#define CONFIG_VALUE_MAX 1024		/* bytes of one value */
#define CONFIG_KEY_MAX 32		/* bytes of one key */

/* Who reads a key. */
enum config_who {
	CONFIG_CLI = 1,		/* balint */
	CONFIG_DAEMON = 2	/* balintd (read at its start) */
};

struct config_key {
	const char *key;
	int who;				/* enum config_who */
	/* 0 when value is acceptable, else -1 with *why (a static text). */
	int (*check)(const char *value, const char **why);
	const char *help;			/* one line */
};

/* config_keys is the table of known keys, ended by a row with key NULL. */
extern const struct config_key config_keys[];

/* config_key_find is the row of key, or NULL for an unknown key. */
const struct config_key *config_key_find(const char *key);

/*
 * config_check says whether key = value may be set: 0; BAL_ENOENT for an
 * unknown key; BAL_EINVAL for a value its check refuses (or not one line
 * of at most CONFIG_VALUE_MAX bytes without control characters).  *why
 * gets a static reason on BAL_EINVAL.
 */
int config_check(const char *key, const char *value, const char **why);

/* One setting as config_next finds it. */
struct config_line {
	unsigned lineno;			/* 1-based */
	char key[CONFIG_KEY_MAX + 1];
	char value[CONFIG_VALUE_MAX + 1];
	int bad;	/* 1: the line is neither a setting, a comment nor blank */
};

/*
 * config_next reads the next setting of text[0..len) from *pos on: 1 and
 * *line filled (line->bad for a line that does not parse: key and value
 * then empty), 0 at the end.  Start with *pos = 0, and pass the same line
 * each time (its lineno counts on).
 */
int config_next(const char *text, size_t len, size_t *pos,
    struct config_line *line);

/*
 * config_lookup finds key's value (its last setting wins): 0 with value
 * copied (NUL-terminated), BAL_ENOENT when not set, BAL_ETOOBIG when
 * vallen is too small.
 */
int config_lookup(const char *text, size_t len, const char *key, char *value,
    size_t vallen);

/*
 * config_edit writes into *out (malloc'd, NUL-terminated; free it) the text
 * with key set to value, or removed when value is NULL: the first line of
 * key is replaced, later ones dropped, comments and other lines kept; a
 * new key is appended.  BAL_ENOMEM, BAL_ETOOBIG (above CONFIG_FILE_MAX).
 */
int config_edit(const char *text, size_t len, const char *key,
    const char *value, char **out, size_t *outlen);

#endif
