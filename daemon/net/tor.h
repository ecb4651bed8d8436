/*
 * tor.h — balintd's use of Tor: its own `tor` child process (or a running
 * tor's control port, --tor-control), the member's onion service, and the
 * SOCKS port that .onion addresses are dialed through.
 *
 *	tor.c      the child: finding tor, its torrc, start, restart with
 *	           backoff, stop (SIGTERM, SIGKILL after TOR_KILL_MS)
 *	tor-ctl.c  the control connection: authentication (cookie), bootstrap
 *	           progress, ADD_ONION with the key kept sealed in the store,
 *	           descriptor uploads, the SOCKS listener
 *
 * The onion service forwards its virtual port ONION_PORT to the Unix
 * socket DIR/onion.sock, where peer-onion.c listens: a member with
 * `--listen none` has no TCP port at all.  The service's key is made by
 * tor once (ADD_ONION NEW:ED25519-V3), sealed with keyring.h (purpose
 * TOR_KEY_PURPOSE) in the store's meta TOR_META_KEY, and given back on
 * every start, so the address never changes; the address itself is kept
 * in meta TOR_META_ADDR.  docs/protocol.md "Onion services".
 *
 * Ownership: struct tor belongs to the daemon (d->tor); tor_start makes
 * it, tor_stop begins closing it; it frees itself when its last handle is
 * closed (d->tor is then NULL).
 */
#ifndef BAL_TOR_H
#define BAL_TOR_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

enum tor_mode {
	TOR_AUTO,		/* on when `tor` is found */
	TOR_ON,			/* on; say so loudly if tor is missing */
	TOR_OFF
};

/* The default of --tor when it is not given: "on" or "off". */
#define TOR_ENV "BALINT_TOR"
/* The tor binary instead of the one found on PATH (an unusual install;
   tests: a path to nothing is a machine without tor). */
#define TOR_BIN_ENV "BALINT_TOR_BIN"
#define TOR_KEY_PURPOSE "onion-key"
#define TOR_META_KEY "onion-key"
#define TOR_META_ADDR "onion-address"
/* Restarts of a dead tor: doubling from MIN to MAX. */
#define TOR_RESTART_MIN_MS 1000
#define TOR_RESTART_MAX_MS 60000
/* A tor that ran this long has its restart backoff reset. */
#define TOR_STABLE_MS 60000
/* SIGTERM, then SIGKILL after this long. */
#define TOR_KILL_MS 5000
/* Connecting to a starting tor's control socket: every, at most. */
#define TOR_CTL_RETRY_MS 200
#define TOR_CTL_WAIT_MS 60000

/*
 * tor_start makes d->tor from d->tor_mode, d->tor_control and
 * d->torrc_extra: starts `tor` (or connects to the running one), or, when
 * tor is off or not installed, leaves a struct that says why (one log
 * line).  Returns 0, BAL_ENOMEM, or BAL_EINVAL when --torrc-extra cannot
 * be read (err says why).
 */
int tor_start(struct daemon *d, char *err, size_t errlen);

/* tor_stop ends the control connection and the child (see above). */
void tor_stop(struct daemon *d);

/* tor_enabled is 1 when this daemon uses tor (on, and tor was found). */
int tor_enabled(const struct daemon *d);

/*
 * tor_socks gives the SOCKS endpoint to dial .onion addresses through
 * ("unix:PATH" or "HOST:PORT"), or NULL when tor cannot take them yet;
 * *why (optional) then says why in words ("tor is still starting (40%)").
 */
const char *tor_socks(const struct daemon *d, const char **why);

/* tor_onion is this member's onion address "ID.onion:PORT", or NULL. */
const char *tor_onion(const struct daemon *d);

/* tor_onion_socket is the Unix socket the onion service forwards to. */
const char *tor_onion_socket(const struct daemon *d);

/* For `balint status`: what tor does, in words. */
struct tor_status {
	const char *state;	/* "off", "missing", "starting", "ready",
				   "failed" */
	char text[512];		/* one line for people */
	int progress;		/* bootstrap, 0..100 */
	int published;		/* the onion service's descriptor is up */
	const char *onion;	/* as tor_onion */
};

void tor_status(const struct daemon *d, struct tor_status *st);

#endif
