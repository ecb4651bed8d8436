/*
 * main.c — balintd, the member's sync daemon: parse the arguments, unlock
 * the key (before anything listens), open the store, load the groups, run
 * the loop, and on SIGINT/SIGTERM close everything and exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sodium.h>
#include <uv.h>

#include "control.h"
#include "daemon.h"
#include "group.h"
#include "loop.h"
#include "peer.h"
#include "retention.h"
#include "store.h"

#define DEFAULT_LISTEN "0.0.0.0:7451"

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
	    "one)\n"
	    "The passphrase is read from the terminal, or from the file "
	    "named by\nBALINT_PASSPHRASE_FILE.  SIGINT or SIGTERM stops it "
	    "cleanly.\n", DEFAULT_LISTEN);
}

/* Picks the listen address: --listen, else the stored one, else default. */
static int
choose_listen(struct daemon *d, const char *opt)
{
	uint8_t *v = NULL;
	size_t len;

	if (opt != NULL) {
		if (strlen(opt) >= sizeof(d->listen))
			return BAL_ETOOBIG;
		strcpy(d->listen, opt);
	} else if (store_meta_get(d->store, "listen", &v, &len) == 0 &&
	    len > 0 && len < sizeof(d->listen)) {
		memcpy(d->listen, v, len);
		d->listen[len] = '\0';
	} else {
		strcpy(d->listen, DEFAULT_LISTEN);
	}
	free(v);
	return store_meta_put(d->store, "listen", d->listen,
	    strlen(d->listen));
}

int
main(int argc, char **argv)
{
	struct daemon *d = NULL;
	const char *home = NULL, *listen = NULL;
	char err[512], path[PROFILE_PATH_MAX];
	uv_loop_t loop;
	struct stat sb;
	int i, rc, ret = 1;

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
	if (stat(d->home, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "balintd: no profile at '%s' (run: balint "
		    "--home '%s' init --name NAME)\n", d->home, d->home);
		goto out;
	}
	if (profile_unlock(d->home, &d->id, err, sizeof(err)) != 0) {
		fprintf(stderr, "balintd: %s\n", err);
		goto out;
	}
	if (profile_name(d->home, d->name, sizeof(d->name)) != 0)
		strcpy(d->name, "(unnamed)");
	if (profile_path(d->home, "store.db", path, sizeof(path)) != 0 ||
	    (rc = store_open(path, &d->store)) != 0) {
		fprintf(stderr, "balintd: cannot open the store '%s' (%s)\n",
		    path, d->store != NULL ? store_errmsg(d->store) :
		    "is the disk full, or the file damaged?");
		goto out;
	}
	if (choose_listen(d, listen) != 0) {
		fprintf(stderr, "balintd: bad --listen '%s'\n",
		    listen != NULL ? listen : "");
		goto out;
	}
	if ((rc = group_load_all(d)) != 0) {
		fprintf(stderr, "balintd: cannot load the groups (%s)\n",
		    bal_strerror(rc));
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
	if ((rc = net_start(d)) != 0) {
		fprintf(stderr, "balintd: cannot listen on %s (%s); pick "
		    "another with --listen HOST:PORT\n", d->listen,
		    bal_strerror(rc));
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
