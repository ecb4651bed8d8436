/*
 * start.h — balintd's start once the key is unlocked (start.c): at once
 * from main.c, or later for a daemon started locked (--locked).
 */
#ifndef BAL_START_H
#define BAL_START_H

#include <stddef.h>

struct daemon;

/* Where balintd listens when nothing else says. */
/* Dual stack: IPv4 too (libuv clears IPV6_V6ONLY); IPv4 alone without IPv6. */
#define START_DEFAULT_LISTEN "[::]:7451"
#define START_DEFAULT_LISTEN4 "0.0.0.0:7451"

/*
 * start_open opens the store, loads the groups, picks the listen address
 * (d->listen_opt, the settings, the remembered one, the default) and runs
 * the retention pass; d->id must be set.  On failure *err has one line
 * with what to do; the caller frees what was opened (start_close).
 */
int start_open(struct daemon *d, char *err, size_t errlen);
/*
 * start_run starts listening and dialing (d->loop must exist), the
 * retention timer and the roster checks, and logs "ready".  On failure
 * *err has one line; nothing of the network is left running.
 */
int start_run(struct daemon *d, char *err, size_t errlen);
/* start_close frees the groups, closes the store and wipes the key. */
void start_close(struct daemon *d);
/*
 * start_unlock unlocks a daemon started locked with the passphrase pass
 * (NULL: only an unprotected key unlocks) and starts it.  A wrong
 * passphrase or a store that cannot be opened leaves it locked (*err
 * says why); a failure to listen stops the daemon (exit status 1).
 */
int start_unlock(struct daemon *d, const char *pass, size_t plen, char *err,
    size_t errlen);

#endif
