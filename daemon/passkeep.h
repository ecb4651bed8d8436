/*
 * passkeep.h — the member's passphrase in the desktop's login keyring,
 * through the Secret Service API (libsecret): balint unlock --remember
 * stores it there, a daemon started locked asks for it, --forget removes
 * it.  One item per profile (attribute "profile" = the profile directory),
 * in the default collection (the login keyring, unlocked at login).
 * Without a D-Bus session bus (a server, a test) there is no keyring:
 * the lookup finds nothing, store says so.
 */
#ifndef BAL_PASSKEEP_H
#define BAL_PASSKEEP_H

#include <stddef.h>

struct daemon;
struct passkeep;

/*
 * passkeep_unlock_start asks the keyring for the passphrase of d's
 * profile in a worker thread (the keyring may take its time, or prompt)
 * and, when it has one and d is still locked, unlocks d (start_unlock).
 * Failures are log lines; d stays locked for balint unlock.
 */
void passkeep_unlock_start(struct daemon *d);
/* passkeep_stop cancels a lookup still running (daemon_stop). */
void passkeep_stop(struct daemon *d);
/*
 * passkeep_store stores pass[0..len) for profile home: 0, or BAL_EIO /
 * BAL_ENOENT (no keyring) with one line in *err.  It blocks while the
 * keyring answers.
 */
int passkeep_store(const char *home, const char *pass, size_t len, char *err,
    size_t errlen);
/*
 * passkeep_forget removes home's passphrase: 0 when one was removed,
 * BAL_ENOENT when none was stored (or no keyring), BAL_EIO with *err.
 */
int passkeep_forget(const char *home, char *err, size_t errlen);

#endif
