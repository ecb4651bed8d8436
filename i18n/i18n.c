/*
 * i18n.c — balint and balintd in the members' languages (English, Swedish,
 * Hebrew) with gettext: the catalogues (po/LANG.po, compiled by make into
 * BUILD/locale) are found next to the binary in a build tree, else in
 * ../share/locale from it or under LOCALEDIR, where make install puts
 * them.  The language comes from LANGUAGE, LC_ALL, LC_MESSAGES or LANG, as
 * gettext reads them.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "i18n.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/*
 * A member's LANG may name a language whose locale this machine has not
 * generated (sv_SE.UTF-8 on a fresh install): setlocale fails and gettext
 * would speak English.  Then the messages take the language from the
 * name all the same (LANGUAGE, under C.UTF-8), as they need no more than
 * UTF-8 of the locale.
 */
static void
fallback_language(void)
{
	const char *v = NULL, *names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	char lang[64];
	size_t i, n;

	for (i = 0; i < 3 && (v == NULL || *v == '\0'); i++)
		v = getenv(names[i]);
	if (v == NULL || *v == '\0' || strcmp(v, "C") == 0 ||
	    strcmp(v, "POSIX") == 0 || setlocale(LC_MESSAGES, "C.UTF-8") ==
	    NULL)
		return;
	n = strcspn(v, ".@");
	if (n == 0 || n >= sizeof(lang))
		return;
	memcpy(lang, v, n);
	lang[n] = '\0';
	if (getenv("LANGUAGE") == NULL || *getenv("LANGUAGE") == '\0')
		(void)setenv("LANGUAGE", lang, 1);
}

void
i18n_init(void)
{
	static const char *const rel[] = { "/locale", "/../share/locale",
	    "/../../share/locale" };
	char self[PATH_MAX], dir[PATH_MAX + 24], *slash;
	const char *where = LOCALEDIR;
	struct stat sb;
	ssize_t n;
	size_t i;

	if (setlocale(LC_MESSAGES, "") == NULL)
		fallback_language();
	/*
	 * A build tree: BUILD/balint (or balintd) finds BUILD/locale; an
	 * install, PREFIX/bin/balint, finds PREFIX/share/locale whatever PREFIX was
	 * when it was built (PREFIX/lib/balint/balint-export-pdf too); else
	 * LOCALEDIR.
	 */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(dir, sizeof(dir), "%s%s", self, rel[i]);
				if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
					where = dir;
					break;
				}
			}
		}
	}
	(void)bindtextdomain("balint", where);
	(void)bind_textdomain_codeset("balint", "UTF-8");
	(void)textdomain("balint");
}
