/*
 * main.c — balintd, the member's sync daemon: parse the arguments, check
 * the profile directory, unlock the key (before anything listens), open the
 * store, load the groups, run the loop, and on SIGINT/SIGTERM close
 * everything and exit 0.  A refusal to start is one line on stderr with
 * what to do, and exit status 1 (2 for a bad argument).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <signal.h>
#include <sodium.h>
#include <uv.h>

#include "control.h"
#include "daemon.h"
#include "group.h"
#include "loop.h"
#include "net.h"
#include "settings.h"
#include "store.h"

#define DEFAULT_LISTEN "0.0.0.0:7451"
#define DEFAULT_ANY "0.0.0.0:0"

static void
usage(FILE *f)
{
	fprintf(f, "usage: balintd [--home DIR] [--listen HOST:PORT]\n"
	    "\n"
	    "Runs this member's sync daemon in the foreground; logs go to "
	    "stderr.\n"
	    "  --home DIR          the profile (default $BALINT_HOME, else\n"
	    "                      $XDG_DATA_HOME/balint, else "
	    "~/.local/share/balint)\n"
	    "  --listen HOST:PORT  where other members reach this one "
	    "(default\n"
	    "                      the last one used, else %s; port 0 picks "
	    "one;\n"
	    "                      on 0.0.0.0 invites carry this machine's "
	    "addresses)\n"
	    "The passphrase is read from the terminal, or from the file "
	    "named by\nBALINT_PASSPHRASE_FILE.  SIGINT or SIGTERM stops it "
	    "cleanly.\n", DEFAULT_LISTEN);
}

/* Where the listen address came from, for the messages about it. */
enum listen_from {
	LISTEN_OPTION,		/* --listen: a failure refuses the start */
	LISTEN_SETTING,		/* the settings file */
	LISTEN_REMEMBERED,	/* the store: the last one used */
	LISTEN_DEFAULT
};

/*
 * Picks the listen address: --listen, else the settings file's "listen",
 * else the stored one, else default.  Not being able to remember it (a
 * full disk) costs a warning, not the start: the member can still read
 * what is stored.
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
	} else {
		strcpy(d->listen, DEFAULT_LISTEN);
		*from = LISTEN_DEFAULT;
	}
	free(v);
	if (store_fault(d->store, NULL, NULL) == STORE_FAULT_DAMAGED)
		return BAL_EIO;
	if (store_meta_put(d->store, "listen", d->listen,
	    strlen(d->listen)) != 0) {
		if (store_fault(d->store, NULL, NULL) == STORE_FAULT_DAMAGED)
			return BAL_EIO;
		daemon_log("warning: cannot remember the listen address (%s)",
		    store_errmsg(d->store));
	}
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
		return "not HOST:PORT with a numeric IP address";
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
start_net(struct daemon *d, int from)
{
	int rc;

	d->listen_error = 0;
	if ((rc = net_start(d)) == 0 || from == LISTEN_OPTION ||
	    from == LISTEN_DEFAULT || (d->listen_error != UV_EADDRNOTAVAIL &&
	    d->listen_error != UV_EINVAL))
		return rc;
	daemon_log("warning: the %s listen address %s cannot be used (%s); "
	    "listening on %s instead (choose one with: balint config set "
	    "listen HOST:PORT)", from == LISTEN_SETTING ? "configured" :
	    "remembered", d->listen, listen_cause(d->listen_error),
	    DEFAULT_LISTEN);
	/* net_start stopped what it began; its handles close first. */
	while (d->net != NULL)
		uv_run(d->loop, UV_RUN_NOWAIT);
	strcpy(d->listen, DEFAULT_LISTEN);
	d->listen_error = 0;
	if ((rc = net_start(d)) != 0 && d->listen_error == UV_EADDRINUSE) {
		/* Another program has the default port: any port will do. */
		while (d->net != NULL)
			uv_run(d->loop, UV_RUN_NOWAIT);
		daemon_log("warning: %s is in use; listening on a port the "
		    "system picks", DEFAULT_LISTEN);
		strcpy(d->listen, DEFAULT_ANY);
		d->listen_error = 0;
		rc = net_start(d);
	}
	if (rc == 0 && store_meta_put(d->store, "listen",
	    d->listen, strlen(d->listen)) != 0)
		daemon_log("warning: cannot remember the listen address (%s)",
		    store_errmsg(d->store));
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
    const char *doing)
{
	const char *what = "";
	int f = store_fault(d->store, NULL, &what);

	if (rc == BAL_EPROTO || f == STORE_FAULT_DAMAGED)
		fprintf(stderr, "balintd: the store '%s' is damaged (%s) and "
		    "was left as it is: %s\n", path, *what != '\0' ? what :
		    "SQLite cannot read it", PROFILE_DAMAGED_FIX);
	else if (rc == BAL_EVERSION)
		fprintf(stderr, "balintd: the store '%s' was made by a newer "
		    "balintd; run that one (this is %s)\n", path,
		    BAL_VERSION_STRING);
	else if (f == STORE_FAULT_FULL || disk_full(d->home))
		fprintf(stderr, "balintd: the disk holding '%s' is full: free "
		    "some space there, then start balintd again\n", d->home);
	else if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0)
		fprintf(stderr, "balintd: cannot %s the store '%s' (%s); run: "
		    "chmod 600 '%s'\n", doing, path, strerror(errno), path);
	else
		fprintf(stderr, "balintd: cannot %s the store '%s' (%s); see "
		    "'When something goes wrong' in the member guide\n", doing,
		    path, *what != '\0' ? what : store_errmsg(d->store));
}

/*
 * 1 when a balintd answers on the profile's control socket.  Asked before
 * the passphrase and the store: the store of a running daemon is locked,
 * and SQLite would only say so after its busy timeout.
 */
static int
already_running(const char *home)
{
	struct sockaddr_un sa;
	int fd, up;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/balintd.sock",
	    home) >= (int)sizeof(sa.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;	/* control_start reports it */
	up = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return up;
}

/*
 * A store file cut to nothing: SQLite would take it for a new database and
 * start afresh over it.  A new store is never left empty (store_open
 * writes its first page at once), so an empty one is a damaged one.
 */
static int
store_emptied(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size == 0;
}

/*
 * The daemon holds the member's secret key and every epoch key: no core
 * file may carry them to disk, and no process of the same user may attach
 * with ptrace or read /proc/PID/mem (a non-dumpable process's /proc files
 * belong to root).  Done before the key is unlocked.
 */
static int
harden(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) != 0) {
		fprintf(stderr, "balintd: cannot turn off core dumps: %s\n",
		    strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		fprintf(stderr, "balintd: cannot turn off ptrace attach and "
		    "core dumps (prctl): %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct daemon *d = NULL;
	const char *home = NULL, *listen = NULL;
	char err[1024], warn[512], path[PROFILE_PATH_MAX];
	struct settings set;
	uv_loop_t loop;
	int i, rc, from, ret = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("balintd %s\n", BAL_VERSION_STRING);
			return 0;
		} else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
			home = argv[++i];
		} else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			listen = argv[++i];
		} else {
			fprintf(stderr, "balintd: unknown argument '%s' "
			    "(see: balintd --help)\n", argv[i]);
			return 2;
		}
	}
	if (daemon_clock_offset_ms() != 0)
		daemon_log("warning: BALINT_CLOCK_OFFSET_MS shifts this "
		    "daemon's clock by %lld ms; it is a test hook, never set "
		    "it in real use", (long long)daemon_clock_offset_ms());
	if (sodium_init() < 0) {
		fprintf(stderr, "balintd: cannot initialise libsodium\n");
		return 1;
	}
	if (harden() != 0)
		return 1;
	/* A peer closing mid-write must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto out;
	if (profile_dir(home, d->home, sizeof(d->home)) != 0) {
		fprintf(stderr, "balintd: cannot tell the profile directory; "
		    "give one with --home DIR\n");
		goto out;
	}
	if (profile_check_dir(d->home, err, sizeof(err), warn,
	    sizeof(warn)) != 0) {
		fprintf(stderr, "balintd: %s\n", err);
		goto out;
	}
	if (warn[0] != '\0')
		daemon_log("%s", warn);
	if (profile_path(d->home, "store.db", path, sizeof(path)) != 0) {
		fprintf(stderr, "balintd: the profile path '%s' is too long\n",
		    d->home);
		goto out;
	}
	if (already_running(d->home)) {
		fprintf(stderr, "balintd: balintd is already running for '%s' "
		    "(stop it first, or use another --home)\n", d->home);
		goto out;
	}
	if (store_emptied(path)) {
		fprintf(stderr, "balintd: the store '%s' is damaged (cut to 0 "
		    "bytes) and was left as it is: %s\n", path,
		    PROFILE_DAMAGED_FIX);
		goto out;
	}
	if (profile_unlock(d->home, &d->id, err, sizeof(err)) != 0) {
		fprintf(stderr, "balintd: %s\n", err);
		goto out;
	}
	if (profile_name(d->home, d->name, sizeof(d->name)) != 0)
		strcpy(d->name, "(unnamed)");
	/*
	 * Start-up reads what it needs (the header and schema as SQLite
	 * opens the file, the groups, their rosters and keys) and stops at
	 * the first sign of damage there.  It does not run a full check
	 * (PRAGMA quick_check reads every page): damage elsewhere is found
	 * when it is read, and then no more is written (store_fault).
	 */
	if ((rc = store_open(path, &d->store)) != 0) {
		store_refused(d, path, rc, "open");
		goto out;
	}
	if ((rc = group_load_all(d)) != 0) {
		if (rc == BAL_EIO)
			store_refused(d, path, rc, "read");
		else
			fprintf(stderr, "balintd: cannot load the groups "
			    "(%s)\n", bal_strerror(rc));
		goto out;
	}
	(void)settings_load(&set);
	if ((rc = choose_listen(d, listen, set.listen, &from)) != 0) {
		if (rc == BAL_EIO)
			store_refused(d, path, rc, "read");
		else
			fprintf(stderr, "balintd: bad --listen '%s'\n",
			    listen != NULL ? listen : "");
		goto out;
	}
	/* Notes past a contract's retention go before any peer sees them. */
	(void)retention_run(d, daemon_now_ms());
	if (uv_loop_init(&loop) != 0)
		goto out;
	d->loop = &loop;
	if (control_start(d, err, sizeof(err)) != 0) {
		fprintf(stderr, "balintd: %s\n", err);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		goto out;
	}
	if ((rc = start_net(d, from)) != 0) {
		fprintf(stderr, "balintd: cannot listen on %s (%s); pick "
		    "another with --listen HOST:PORT\n", d->listen,
		    listen_cause(d->listen_error));
		control_stop(d);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		goto out;
	}
	if ((rc = retention_start(d)) != 0) {
		fprintf(stderr, "balintd: cannot start the retention timer "
		    "(%s)\n", bal_strerror(rc));
		net_stop(d);
		control_stop(d);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		goto out;
	}
	/* Removals and rotations missed while the daemon was down. */
	if ((rc = group_roster_start(d)) != 0)
		daemon_log("cannot start the roster checks (%s)",
		    bal_strerror(rc));
	daemon_log("%s ready: listening on %s, %s", d->name, d->listen,
	    "control socket balintd.sock");
	ret = loop_run(d) == 0 ? 0 : 1;
	daemon_log("stopped");
out:
	if (d != NULL) {
		group_free_all(d);
		store_close(d->store);
		identity_free(d->id);
		free(d);
	}
	return ret;
}
