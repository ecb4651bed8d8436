/*
 * suggest.c — what balint says to a mistyped command: the nearest known
 * name by edit distance (git's "did you mean"), and the short aliases
 * members bring from other tools (ls, rm).
 */
#include <string.h>

#include "cli.h"

/* Damerau-Levenshtein (optimal string alignment) distance, bytes. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33][33], v;

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *
suggest_word(const char *word, const char *const *names, size_t n)
{
	size_t i, d, best = (size_t)-1, len = strlen(word), max;
	const char *pick = NULL;

	/* One edit in a short word, two in a longer one (as git allows). */
	max = len <= 4 ? 1 : 2;
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], word, len) == 0 && len >= 2)
			d = 1;	/* a start of the name: "stat" for status */
		else
			d = distance(word, names[i]);
		if (d <= max && d < best) {
			best = d;
			pick = names[i];
		}
	}
	return pick;
}

const char *
suggest_sub(const char *word, const char *const *names, size_t n)
{
	/* The aliases of other tools; the first one this command has wins. */
	static const char *const alias[][2] = {
		{ "ls", "list" },
		{ "rm", "delete" },
		{ "rm", "remove" },
		{ "remove", "delete" },
		{ "del", "delete" },
		{ "delete", "remove" },
		{ "cat", "show" },
		{ "new", "write" },
		{ "new", "create" },
	};
	size_t i, j;

	for (j = 0; j < n; j++)
		if (strcmp(word, names[j]) == 0)
			return names[j];
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		for (j = 0; j < n; j++)
			if (strcmp(word, alias[i][0]) == 0 &&
			    strcmp(names[j], alias[i][1]) == 0)
				return names[j];
	return NULL;
}

int
suggest_unknown_sub(const char *cmd, const char *word,
    const char *const *names, size_t n)
{
	const char *near = suggest_word(word, names, n);

	if (near != NULL)
		util_err(_("unknown subcommand '%s %s'; did you mean '%s %s'? "
		    "(see: balint %s --help)"), cmd, word, cmd, near, cmd);
	else
		util_err(_("unknown subcommand '%s %s' (see: balint %s "
		    "--help)"), cmd, word, cmd);
	return CLI_USAGE;
}
