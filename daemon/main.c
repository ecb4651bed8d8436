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
#include "loop.h"
#include "net.h"
#include "passkeep.h"
#include "settings.h"
#include "start.h"
#include "store.h"
#include "config.h"
#include "tor.h"
#include "web.h"
#include "i18n.h"

/* --listen, kept for a start after balint unlock. */
static const char *listen_opt;
static const char *advertise_opt;
static const char *web_port_opt;

/*
 * balintd --help, in the member's language (one message of the shared
 * catalogue, i18n/): %1 the default listen address, %2 the environment
 * variable that sets --tor's default, %3 the page's default port.
 */
static void
usage(FILE *f)
{
	fprintf(f, _("usage: balintd [--home DIR] [--listen HOST:PORT|none] "
	    "[--advertise HOST:PORT|none]\n"
	    "               [--locked | --stay-locked] [--web-port PORT|off]\n"
	    "               [--tor on|off] [--torrc-extra FILE] "
	    "[--tor-control ADDR]\n"
	    "\n"
	    "Runs this member's sync daemon in the foreground; logs go to "
	    "stderr.\n"
	    "  --home DIR          the profile (default $BALINT_HOME, else\n"
	    "                      $XDG_DATA_HOME/balint, else "
	    "~/.local/share/balint)\n"
	    "  --listen HOST:PORT  where other members reach this one "
	    "(default\n"
	    "                      the listen setting, else the last one "
	    "used,\n"
	    "                      else %s; port 0 picks one; a host\n"
	    "                      name is looked up at start; on [::]\n"
	    "                      invites carry this machine's addresses;\n"
	    "                      none: no TCP port at all, reached "
	    "through tor only)\n"
	    "  --advertise HOST:PORT  where others reach this one when it "
	    "is not\n"
	    "                      where it listens (a router's forwarded "
	    "port, a\n"
	    "                      dynamic DNS name): announced and put in "
	    "invites\n"
	    "                      first; remembered; none forgets it\n"
	    "  --tor on|off        run tor for an onion service and to dial "
	    "onion\n"
	    "                      addresses (default: on when tor is "
	    "installed;\n"
	    "                      %s=on|off changes the default)\n"
	    "  --torrc-extra FILE  lines added to the configuration of "
	    "balintd's own\n"
	    "                      tor (e.g. a private test network's)\n"
	    "  --tor-control ADDR  use the tor already running with this "
	    "control port\n"
	    "                      (unix:PATH or HOST:PORT; cookie "
	    "authentication)\n"
	    "  --web-port PORT|off the page's port on 127.0.0.1 (default "
	    "the web-port\n"
	    "                      setting, else %d, else one the kernel "
	    "picks;\n"
	    "                      balint open opens it; off: no page)\n"
	    "  --locked            start locked: only the control socket, "
	    "nothing\n"
	    "                      synced, until balint unlock gives the "
	    "passphrase\n"
	    "                      (or the login keyring has it: balint "
	    "unlock\n"
	    "                      --remember); the systemd unit starts it "
	    "so\n"
	    "  --stay-locked       the same, without asking the login "
	    "keyring\n"
	    "Without --locked the passphrase is read from the terminal, or "
	    "from the\nfile named by BALINT_PASSPHRASE_FILE.  SIGINT or "
	    "SIGTERM stops it cleanly.  This member's onion address is "
	    "kept in the\nprofile and never changes; balint status shows "
	    "it.\n"), START_DEFAULT_LISTEN, TOR_ENV, WEB_DEFAULT_PORT);
	fprintf(f, "%s", _("The settings file (balint config) is read at start: "
	    "besides listen, tor and\ntor-control, lan-discovery = off (no "
	    "LAN beacons), portmap = off (no port\nforwarding asked of the "
	    "router) and hole-punching = off (no direct\nconnection opened "
	    "through two routers at once, through a third member or\nan "
	    "onion session); each is on by default.\n"));
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

/*
 * balint lock: the daemon has stopped cleanly (sessions closed, keys
 * wiped) and now becomes a new locked balintd in the same process, so the
 * key is gone with the old address space and systemd still sees its
 * service.  The login keyring is not asked this time.
 */
static void
relock(int argc, char **argv)
{
	char **nargv;
	int i, n = 0;

	if ((nargv = calloc((size_t)argc + 3, sizeof(*nargv))) == NULL)
		return;
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--locked") != 0 &&
		    strcmp(argv[i], "--stay-locked") != 0)
			nargv[n++] = argv[i];
	nargv[n++] = (char *)(uintptr_t)"--stay-locked";
	nargv[n] = NULL;
	fflush(NULL);
	execv("/proc/self/exe", nargv);
	daemon_log("cannot start again locked (%s); stopped", strerror(errno));
	free(nargv);
}

int
main(int argc, char **argv)
{
	struct daemon *d = NULL;
	const char *home = NULL, *torrc_extra = NULL, *tor_control = NULL;
	const char *tor_env = getenv(TOR_ENV), *lan_env = getenv(LAN_ENV);
	char err[1024], warn[512], path[PROFILE_PATH_MAX];
	uv_loop_t loop;
	int i, rc, locked = 0, stay = 0, ret = 1, again = 0, lockfd;
	int tor_mode = TOR_AUTO, tor_set = 0, lan = 1;
	const char *why;
	struct settings set;

	/* Its messages in the member's language; LC_CTYPE stays C. */
	i18n_init();
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
			listen_opt = argv[++i];
		} else if (strcmp(argv[i], "--advertise") == 0 &&
		    i + 1 < argc) {
			advertise_opt = argv[++i];
		} else if (strcmp(argv[i], "--tor") == 0 && i + 1 < argc) {
			i++;
			tor_set = 1;
			if (strcmp(argv[i], "on") == 0)
				tor_mode = TOR_ON;
			else if (strcmp(argv[i], "off") == 0)
				tor_mode = TOR_OFF;
			else {
				fprintf(stderr, "balintd: --tor takes 'on' or "
				    "'off', not '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--torrc-extra") == 0 &&
		    i + 1 < argc) {
			torrc_extra = argv[++i];
		} else if (strcmp(argv[i], "--tor-control") == 0 &&
		    i + 1 < argc) {
			tor_control = argv[++i];
		} else if (strcmp(argv[i], "--web-port") == 0 &&
		    i + 1 < argc) {
			web_port_opt = argv[++i];
			if (config_check("web-port", web_port_opt,
			    &why) != 0) {
				fprintf(stderr, "balintd: --web-port '%s': "
				    "%s\n", web_port_opt, why);
				return 2;
			}
		} else if (strcmp(argv[i], "--locked") == 0) {
			locked = 1;
		} else if (strcmp(argv[i], "--stay-locked") == 0) {
			locked = stay = 1;
		} else {
			fprintf(stderr, "balintd: unknown argument '%s' "
			    "(see: balintd --help)\n", argv[i]);
			return 2;
		}
	}
	/* The settings file: --tor and --tor-control when not given. */
	(void)settings_load(&set);
	if (!tor_set && set.tor[0] != '\0')
		tor_mode = strcmp(set.tor, "on") == 0 ? TOR_ON : TOR_OFF;
	if (tor_control == NULL && set.tor_control[0] != '\0')
		tor_control = set.tor_control;
	/* The default of --tor from the environment (tests set it off). */
	if (!tor_set && tor_env != NULL && *tor_env != '\0') {
		if (strcmp(tor_env, "off") == 0)
			tor_mode = TOR_OFF;
		else if (strcmp(tor_env, "on") == 0)
			tor_mode = TOR_ON;
		else {
			fprintf(stderr, "balintd: %s must be 'on' or 'off', not "
			    "'%.40s'\n", TOR_ENV, tor_env);
			return 2;
		}
	}
	/*
	 * LAN discovery: on, unless the settings file says off; without a
	 * setting, LAN_ENV=off (tests) turns it off.
	 */
	if (set.lan[0] != '\0')
		lan = strcmp(set.lan, "on") == 0;
	else if (lan_env != NULL && *lan_env != '\0') {
		if (strcmp(lan_env, "off") != 0 && strcmp(lan_env, "on") != 0) {
			fprintf(stderr, "balintd: %s must be 'on' or 'off', not "
			    "'%.40s'\n", LAN_ENV, lan_env);
			return 2;
		}
		lan = strcmp(lan_env, "on") == 0;
	}
	/* A tor to use, named: that is asking for tor. */
	if (!tor_set && tor_control != NULL)
		tor_mode = TOR_ON;
	if ((tor_control != NULL && strlen(tor_control) >= DAEMON_ADDR_MAX) ||
	    (torrc_extra != NULL && strlen(torrc_extra) >= PROFILE_PATH_MAX)) {
		fprintf(stderr, "balintd: --tor-control or --torrc-extra is "
		    "too long\n");
		return 2;
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
	d->listen_opt = listen_opt;
	d->web_port_opt = web_port_opt;
	d->advertise_opt = advertise_opt;
	d->tor_mode = tor_mode;
	d->lan = lan;
	if (tor_control != NULL)
		strcpy(d->tor_control, tor_control);
	if (torrc_extra != NULL)
		strcpy(d->torrc_extra, torrc_extra);
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
	/*
	 * The lock first (held until exit): of two balintd started at the
	 * same moment only one gets past here.  The socket's probe still
	 * catches a daemon of an older version, which takes no lock.
	 */
	if ((lockfd = profile_lock(d->home, err, sizeof(err))) < 0 &&
	    lockfd != BAL_EEXIST) {
		fprintf(stderr, "balintd: %s\n", err);
		goto out;
	}
	if (lockfd == BAL_EEXIST || already_running(d->home)) {
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
	if (profile_name(d->home, d->name, sizeof(d->name)) != 0)
		strcpy(d->name, "(unnamed)");
	/* Unlocked at once: the key, then the store, before anything listens. */
	if (!locked) {
		if (profile_unlock(d->home, &d->id, err, sizeof(err)) != 0 ||
		    start_open(d, err, sizeof(err)) != 0) {
			fprintf(stderr, "balintd: %s\n", err);
			goto out;
		}
	} else if (profile_path(d->home, "identity.key", path,
	    sizeof(path)) != 0 || access(path, F_OK) != 0) {
		fprintf(stderr, "balintd: no identity in '%s' (run: balint "
		    "--home '%s' init --name NAME)\n", d->home, d->home);
		goto out;
	}
	if (uv_loop_init(&loop) != 0)
		goto out;
	d->loop = &loop;
	if (control_start(d, err, sizeof(err)) != 0) {
		fprintf(stderr, "balintd: %s\n", err);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		goto out;
	}
	if (!locked && start_run(d, err, sizeof(err)) != 0) {
		fprintf(stderr, "balintd: %s\n", err);
		control_stop(d);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		goto out;
	}
	if (locked && (rc = start_unlock(d, NULL, 0, err,
	    sizeof(err))) != BAL_ESTATE) {
		/* An unprotected key needs no passphrase. */
		if (rc != 0)
			daemon_log("%s", err);
	} else if (locked) {
		daemon_log("%s is locked: it syncs nothing until balint unlock "
		    "gives it the passphrase (control socket balintd.sock)",
		    d->name);
		if (!stay)
			passkeep_unlock_start(d);
	}
	web_start(d, set.web_port[0] != '\0' ? set.web_port : NULL);
	ret = loop_run(d) == 0 ? d->exit_code : 1;
	web_free(d);
	again = d->relock && ret == 0;
	daemon_log(again ? "locked: starting again without the key" :
	    "stopped");
out:
	if (d != NULL) {
		start_close(d);
		free(d);
	}
	if (again)
		relock(argc, argv);
	return ret;
}
