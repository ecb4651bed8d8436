/*
 * i18n.h — balint and balintd in the members' languages (English, Swedish,
 * Hebrew) with gettext.  Both programs share one catalogue, the text
 * domain "balint" (po/LANG.po, compiled by make into BUILD/locale and
 * installed under LOCALEDIR): balintd's --help is one more message of it,
 * and a translator keeps one file per language.
 */
#ifndef BAL_I18N_H
#define BAL_I18N_H

#include <libintl.h>

/*
 * _() translates at the point of use; N_() marks a string for the
 * catalogue that is translated later with _() (a table, a usage block
 * kept as a static array: N_ expands to the bare literal, so it may
 * initialise a char array).
 */
#define _(s) gettext(s)
#define N_(s) s

/*
 * i18n_init sets LC_MESSAGES from the environment and binds the "balint"
 * domain to the catalogues (build tree first, then the installed ones).
 * It leaves LC_CTYPE alone: the CLI sets it for its tables, balintd keeps
 * the C locale for everything but its messages.
 */
void i18n_init(void);

#endif
