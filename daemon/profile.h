/*
 * profile.h — the member's profile directory on disk: where it is, the
 * sealed key file, the passphrase, the member's name.
 *
 *	DIR/identity.key   sealed secret key (0600)
 *	DIR/name           the member's display name (0600)
 *	DIR/store.db       the SQLite store (0600, plus -wal and -shm)
 *	DIR/balintd.sock   the control socket (0600)
 */
#ifndef BAL_PROFILE_H
#define BAL_PROFILE_H

#include <stddef.h>

#include "identity.h"

#define PROFILE_PATH_MAX 4096
#define PROFILE_NAME_MAX 80

/*
 * profile_dir picks the profile directory: opt (--home), else $BALINT_HOME,
 * else $XDG_DATA_HOME/balint, else ~/.local/share/balint.
 */
int profile_dir(const char *opt, char *out, size_t outlen);
/* profile_path joins dir and a file name into out. */
int profile_path(const char *dir, const char *file, char *out, size_t outlen);

/*
 * profile_passphrase reads the passphrase from the file named by
 * $BALINT_PASSPHRASE_FILE (first line), else from the terminal with echo
 * off.  *pass is sodium_malloc'd (sodium_free it).  BAL_ENOENT: no file and
 * no terminal; BAL_EIO: the file cannot be read.
 */
int profile_passphrase(const char *prompt, char **pass, size_t *len);

/*
 * profile_unlock reads DIR/identity.key and unseals it, asking for the
 * passphrase only when the key is protected.  *err gets a one-line reason
 * for the user on failure.
 */
int profile_unlock(const char *dir, struct identity **id, char *err,
    size_t errlen);
/* profile_name reads DIR/name into out (NUL-terminated). */
int profile_name(const char *dir, char *out, size_t outlen);

#endif
