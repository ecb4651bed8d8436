/*
 * profile.h — the member's profile directory on disk: where it is, the
 * sealed key file, the passphrase, the member's name.
 *
 *	DIR/identity.key   sealed secret key (0600)
 *	DIR/name           the member's display name (0600)
 *	DIR/store.db       the SQLite store (0600, plus -wal and -shm)
 *	DIR/balintd.sock   the control socket (0600)
 *	DIR/balintd.lock   locked (flock) by the running balintd (0600, empty)
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
 * profile_check_dir checks the profile directory before anything is read
 * from it: it must exist, belong to this user, be writable, and be
 * writable by nobody else (BAL_ENOENT, BAL_EPERM; *err gets one line with
 * the fix).  One that others may only read or enter is set to 0700, and
 * *warn (else "") says so; its files are 0600 anyway.
 */
int profile_check_dir(const char *dir, char *err, size_t errlen, char *warn,
    size_t warnlen);

/* What to do about a damaged store, for the messages that report one. */
#define PROFILE_DAMAGED_FIX "restore the profile from a backup, or move it " \
    "aside and join again with a new one (see 'When something goes wrong' " \
    "in the member guide)"

/*
 * profile_passphrase reads the passphrase from the file named by
 * $BALINT_PASSPHRASE_FILE (first line), else from the terminal with echo
 * off.  *pass is sodium_malloc'd (sodium_free it).  BAL_ENOENT: no file and
 * no terminal; BAL_EIO: the file cannot be read; BAL_EPERM: group or others
 * may read the file.
 */
int profile_passphrase(const char *prompt, char **pass, size_t *len);

/*
 * profile_unlock reads DIR/identity.key and unseals it, asking for the
 * passphrase only when the key is protected.  A key file that others may
 * read or change, or that belongs to another user, is refused (BAL_EPERM);
 * one cut short or not a key at all is "damaged", never a wrong
 * passphrase.  The file is only read.  *err gets a one-line reason with
 * what to do on failure.
 */
int profile_unlock(const char *dir, struct identity **id, char *err,
    size_t errlen);
/*
 * profile_unlock_with is profile_unlock with the passphrase given (given,
 * givenlen: balint unlock, the login keyring), or, with given NULL, asked
 * only when ask is 1; with given NULL and ask 0 a protected key is
 * BAL_ESTATE (an unprotected one unlocks).
 */
int profile_unlock_with(const char *dir, const char *given, size_t givenlen,
    int ask, struct identity **id, char *err, size_t errlen);
/*
 * profile_lock takes DIR/balintd.lock (an exclusive flock, created 0600):
 * one balintd per profile, also when two start at the same moment (the
 * control socket's probe alone is check-then-act).  Returns the descriptor
 * (close-on-exec; kept open for the daemon's life, the kernel drops the
 * lock at any exit, SIGKILL too); BAL_EEXIST when another process holds
 * it, BAL_EIO with *err set otherwise.
 */
int profile_lock(const char *dir, char *err, size_t errlen);
/* profile_name reads DIR/name into out (NUL-terminated). */
int profile_name(const char *dir, char *out, size_t outlen);

#endif
