/*
 * start.c — what balintd does once the member's key is unlocked: open the
 * store, load the groups, pick the listen address, erase what is past
 * retention, then listen, dial and run the timers.  main.c runs it at
 * once; a daemon started locked runs it when balint unlock (or the login
 * keyring) hands it the passphrase.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <sodium.h>
#include <uv.h>

#include "addr.h"
#include "control.h"
#include "daemon.h"
#include "group.h"
#include "net.h"
#include "settings.h"
#include "start.h"
#include "store.h"
#include "tor.h"

#define DEFAULT_ANY "0.0.0.0:0"
/* --listen none: no TCP listener (onion service only), kept as such. */
#define LISTEN_NONE "none"

/* Where the listen address came from, for the messages about it. */
enum listen_from {
	LISTEN_OPTION,		/* --listen: a failure refuses the start */
	LISTEN_SETTING,		/* the settings file */
	LISTEN_REMEMBERED,	/* the store: the last one used */
	LISTEN_DEFAULT
};

/*
 * Picks the listen address: --listen, else the settings file's "listen",
 * else the stored one (the last one bound), else default.
 */
static int
choose_listen(struct daemon *d, const char *opt, const char *setting,
    int *from)
{
	uint8_t *v = NULL;
	size_t len;

	if (opt != NULL) {
		if (strlen(opt) >= sizeof(d->listen))
			return BAL_ETOOBIG;
		strcpy(d->listen, opt);
		*from = LISTEN_OPTION;
	} else if (*setting != '\0') {
		snprintf(d->listen, sizeof(d->listen), "%s", setting);
		*from = LISTEN_SETTING;
	} else if (store_meta_get(d->store, "listen", &v, &len) == 0 &&
	    len > 0 && len < sizeof(d->listen)) {
		memcpy(d->listen, v, len);
		d->listen[len] = '\0';
		*from = LISTEN_REMEMBERED;
		/* The old default (IPv4 only) becomes the new one. */
		if (strcmp(d->listen, START_DEFAULT_LISTEN4) == 0) {
			strcpy(d->listen, START_DEFAULT_LISTEN);
			*from = LISTEN_DEFAULT;
		}
	} else {
		strcpy(d->listen, START_DEFAULT_LISTEN);
		*from = LISTEN_DEFAULT;
	}
	free(v);
	if (store_fault(d->store, NULL, NULL) == STORE_FAULT_DAMAGED)
		return BAL_EIO;
	if (strcmp(d->listen, LISTEN_NONE) == 0)
		d->listen[0] = '\0';
	return 0;
}

/*
 * Remembers the listen address once it is bound (begin_net), never
 * before: an address that cannot be bound must not become the one the
 * next start tries.  Not being able to remember it (a full disk) costs a
 * warning, not the start.
 */
static void
remember_listen(struct daemon *d)
{
	const char *l = d->listen[0] != '\0' ? d->listen : LISTEN_NONE;

	if (store_meta_put(d->store, "listen", l, strlen(l)) != 0)
		daemon_log("warning: cannot remember the listen address (%s)",
		    store_errmsg(d->store));
}

/*
 * The advertised address: --advertise (remembered; "none" forgets it),
 * else the remembered one, else none.  BAL_EINVAL for one that cannot be
 * dialed (a wildcard, port 0, not HOST:PORT).
 */
static int
choose_advertise(struct daemon *d)
{
	const char *opt = d->advertise_opt;
	struct addr_parts a;
	uint8_t *v = NULL;
	size_t len;

	d->advertise[0] = '\0';
	if (opt == NULL) {
		if (store_meta_get(d->store, "advertise", &v, &len) == 0 &&
		    len > 0 && len < sizeof(d->advertise)) {
			memcpy(d->advertise, v, len);
			d->advertise[len] = '\0';
		}
		free(v);
		return 0;
	}
	if (strcmp(opt, LISTEN_NONE) != 0) {
		if (strlen(opt) >= sizeof(d->advertise) ||
		    addr_split(opt, &a) != 0 || a.port == 0 ||
		    a.scope == ADDR_WILDCARD || net_addr_parse(opt, NULL) != 0)
			return BAL_EINVAL;
		snprintf(d->advertise, sizeof(d->advertise), "%s", opt);
	}
	if (store_meta_put(d->store, "advertise", d->advertise,
	    strlen(d->advertise)) != 0)
		daemon_log("warning: cannot remember the advertised address "
		    "(%s)", store_errmsg(d->store));
	return 0;
}

/* Why binding the listen address failed, in words (d->listen_error). */
static const char *
listen_cause(int uverr)
{
	switch (uverr) {
	case UV_EADDRINUSE:
		return "the address is in use: another balintd or another "
		    "program listens there";
	case UV_EADDRNOTAVAIL:
		return "the address is not on this machine";
	case UV_EACCES:
	case UV_EPERM:
		return "permission denied: ports below 1024 need privileges";
	case UV_EINVAL:
		return "not HOST:PORT";
	case UV_EAI_NONAME:
	case UV_EAI_NODATA:
	case UV_EAI_AGAIN:
	case UV_EAI_FAIL:
		return "the host name does not resolve to an address";
	default:
		return uverr != 0 ? uv_strerror(uverr) : "cannot listen";
	}
}

/*
 * Starts the network on d->listen.  An address from the settings or the
 * store that is not on this machine (any more: a laptop on another
 * network) or does not parse is a warning, and the default takes its
 * place; an address given with --listen is the member's order, and its
 * failure refuses the start.
 */
static int
begin_net(struct daemon *d, int from)
{
	int rc;

	d->listen_error = 0;
	rc = net_start(d);
	/* A machine without IPv6: the default on IPv4 alone. */
	if (rc != 0 && from == LISTEN_DEFAULT && d->listen_error !=
	    UV_EADDRINUSE && strcmp(d->listen, START_DEFAULT_LISTEN) == 0) {
		while (d->net != NULL)
			uv_run(d->loop, UV_RUN_NOWAIT);
		strcpy(d->listen, START_DEFAULT_LISTEN4);
		d->listen_error = 0;
		rc = net_start(d);
	}
	if (rc == 0 || from == LISTEN_OPTION ||
	    from == LISTEN_DEFAULT || (d->listen_error != UV_EADDRNOTAVAIL &&
	    d->listen_error != UV_EINVAL && d->listen_error != UV_EAI_NONAME &&
	    d->listen_error != UV_EAI_NODATA &&
	    d->listen_error != UV_EAI_AGAIN)) {
		if (rc == 0)
			remember_listen(d);
		return rc;
	}
	daemon_log("warning: the %s listen address %s cannot be used (%s); "
	    "listening on %s instead (choose one with: balint config set "
	    "listen HOST:PORT)", from == LISTEN_SETTING ? "configured" :
	    "remembered", d->listen, listen_cause(d->listen_error),
	    START_DEFAULT_LISTEN);
	/* net_start stopped what it began; its handles close first. */
	while (d->net != NULL)
		uv_run(d->loop, UV_RUN_NOWAIT);
	strcpy(d->listen, START_DEFAULT_LISTEN);
	d->listen_error = 0;
	if ((rc = net_start(d)) != 0 && d->listen_error == UV_EADDRINUSE) {
		/* Another program has the default port: any port will do. */
		while (d->net != NULL)
			uv_run(d->loop, UV_RUN_NOWAIT);
		daemon_log("warning: %s is in use; listening on a port the "
		    "system picks", START_DEFAULT_LISTEN);
		strcpy(d->listen, DEFAULT_ANY);
		d->listen_error = 0;
		rc = net_start(d);
	}
	if (rc == 0)
		remember_listen(d);
	return rc;
}

/* 1 when the file system holding dir has (almost) no room left. */
static int
disk_full(const char *dir)
{
	struct statvfs vfs;

	return statvfs(dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < 64 * 1024;
}

/*
 * Says in one line why the store cannot be used at start (rc from
 * store_open, or the failure of a first read), and what to do.
 */
static void
store_refused(const struct daemon *d, const char *path, int rc,
    const char *doing, char *err, size_t errlen)
{
	const char *what = "";
	int f = store_fault(d->store, NULL, &what);

	if (rc == BAL_EPROTO || f == STORE_FAULT_DAMAGED)
		snprintf(err, errlen, N_("the store '%s' is damaged (%s) and "
		    "was left as it is: %s"), path, *what != '\0' ? what :
		    "SQLite cannot read it", PROFILE_DAMAGED_FIX);
	else if (rc == BAL_EVERSION)
		snprintf(err, errlen, N_("the store '%s' was made by a newer "
		    "balintd; run that one (this is %s)"), path,
		    BAL_VERSION_STRING);
	else if (f == STORE_FAULT_FULL || disk_full(d->home))
		snprintf(err, errlen, N_("the disk holding '%s' is full: free "
		    "some space there, then start balintd again"), d->home);
	else if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0)
		snprintf(err, errlen, N_("cannot %s the store '%s' (%s); run: "
		    "chmod 600 '%s'"), doing, path, strerror(errno), path);
	else
		snprintf(err, errlen, N_("cannot %s the store '%s' (%s); see "
		    "'When something goes wrong' in the member guide"), doing,
		    path, *what != '\0' ? what : store_errmsg(d->store));
}


int
start_open(struct daemon *d, char *err, size_t errlen)
{
	char path[PROFILE_PATH_MAX];
	struct settings set;
	int rc;

	if (profile_path(d->home, "store.db", path, sizeof(path)) != 0) {
		snprintf(err, errlen, N_("the profile path '%s' is too long"),
		    d->home);
		return BAL_ETOOBIG;
	}
	/*
	 * Start-up reads what it needs (the header and schema as SQLite
	 * opens the file, the groups, their rosters and keys) and stops at
	 * the first sign of damage there.  It does not run a full check
	 * (PRAGMA quick_check reads every page): damage elsewhere is found
	 * when it is read, and then no more is written (store_fault).
	 */
	if ((rc = store_open(path, &d->store)) != 0) {
		store_refused(d, path, rc, "open", err, errlen);
		return rc;
	}
	if ((rc = group_load_all(d)) != 0) {
		if (rc == BAL_EIO)
			store_refused(d, path, rc, "read", err, errlen);
		else
			snprintf(err, errlen, N_("cannot load the groups (%s)"),
			    bal_strerror(rc));
		return rc;
	}
	(void)settings_load(&set);
	if ((rc = choose_listen(d, d->listen_opt, set.listen,
	    &d->listen_from)) != 0) {
		if (rc == BAL_EIO)
			store_refused(d, path, rc, "read", err, errlen);
		else
			snprintf(err, errlen, N_("bad --listen '%s' (want "
			    "HOST:PORT, or none)"),
			    d->listen_opt != NULL ? d->listen_opt : "");
		return rc;
	}
	if ((rc = choose_advertise(d)) != 0) {
		snprintf(err, errlen, N_("bad --advertise '%s' (want HOST:PORT "
		    "with a numeric IP, [IPv6] or a host name, not a wildcard "
		    "nor port 0; or none)"), d->advertise_opt);
		return rc;
	}
	/* Notes past a contract's retention go before any peer sees them. */
	(void)retention_run(d, daemon_now_ms());
	return 0;
}

int
start_run(struct daemon *d, char *err, size_t errlen)
{
	int rc;

	/* tor first: the network announces the onion address it keeps. */
	if ((rc = tor_start(d, err, errlen)) != 0) {
		if (rc == BAL_ENOMEM)
			snprintf(err, errlen, N_("out of memory"));
		return rc;
	}
	if ((rc = begin_net(d, d->listen_from)) != 0) {
		snprintf(err, errlen, N_("cannot listen on %s (%s); pick another "
		    "with --listen HOST:PORT"), d->listen,
		    listen_cause(d->listen_error));
		tor_stop(d);
		return rc;
	}
	if ((rc = retention_start(d)) != 0) {
		snprintf(err, errlen, N_("cannot start the retention timer (%s)"),
		    bal_strerror(rc));
		net_stop(d);
		tor_stop(d);
		return rc;
	}
	/* Removals and rotations missed while the daemon was down. */
	if ((rc = group_roster_start(d)) != 0)
		daemon_log("cannot start the roster checks (%s)",
		    bal_strerror(rc));
	daemon_log("%s ready: %s%s, %s", d->name, d->listen[0] != '\0' ?
	    "listening on " : "no TCP listener", d->listen,
	    "control socket balintd.sock");
	if (d->listen[0] == '\0' && !tor_enabled(d))
		daemon_log("warning: --listen none and no tor: no other "
		    "member can reach this one; it can only dial out");
	return 0;
}

void
start_close(struct daemon *d)
{
	group_free_all(d);
	handlers_guard_free(d);
	store_close(d->store);
	d->store = NULL;
	identity_free(d->id);
	d->id = NULL;
}

int
start_unlock(struct daemon *d, const char *pass, size_t plen, char *err,
    size_t errlen)
{
	int rc;

	if (d->id != NULL) {
		snprintf(err, errlen, N_("balintd is already unlocked"));
		return BAL_ESTATE;
	}
	if ((rc = profile_unlock_with(d->home, pass, plen, 0, &d->id, err,
	    errlen)) != 0)
		return rc;
	if ((rc = start_open(d, err, errlen)) != 0) {
		start_close(d);
		return rc;
	}
	if ((rc = start_run(d, err, errlen)) != 0) {
		/* Half started: stop altogether rather than sync half-way. */
		daemon_log("%s; stopping", err);
		d->exit_code = 1;
		daemon_stop(d);
		return rc;
	}
	daemon_log("unlocked");
	return 0;
}
