/*
 * benchctl — start and watch daemons for the benchmark, through their
 * control sockets only.
 *
 *	benchctl spawn [--sync-wait MS] LOG HOME -- COMMAND...
 *		forks COMMAND (stdout and stderr appended to LOG) and times
 *		it until HOME/balintd.sock answers a request: "pid P
 *		serve_ms X".  With --sync-wait it then asks `sync` with wait
 *		(at most MS) and adds "level_ms Y" (from the start) and
 *		"sync_ms Z" (from serving).  The daemon keeps running.
 *	benchctl sync HOME [MS]
 *		`sync` with wait: "sync_ms X" once every session is level.
 *	benchctl wait HOME ENTRIES [MS]
 *		polls `status` every 2 ms until the group holds ENTRIES
 *		entries: "wait_ms X entries N".
 *	benchctl entries HOME
 *		"entries N".
 *	benchctl peers HOME N [MS]
 *		polls `status` every 10 ms until N sessions are up and
 *		level: "peers_ms X".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "benchlib.h"

#define SERVE_LIMIT_NS (60ull * 1000000000u)

static double
ms_between(uint64_t a, uint64_t b)
{
	return (double)(b - a) / 1e6;
}

/* Sends `sync` with wait and returns when it is answered (dies on error). */
static void
sync_wait(int fd, uint64_t ms)
{
	struct ctl_req *req;
	struct ctl_resp *resp;

	if (ctl_req_new("sync", 7, &req) != 0 ||
	    ctl_req_add_bool(req, "wait", 1) != 0 ||
	    ctl_req_add_uint(req, "timeout", ms) != 0)
		benchlib_die("cannot build sync");
	benchlib_send(fd, req);
	ctl_req_free(req);
	resp = benchlib_recv(fd);
	benchlib_resp_ok(resp, "sync --wait");
	ctl_resp_free(resp);
}

/* Connects and gets an answer to `group.list`: the descriptor, or -1. */
static int
try_serve(const char *home)
{
	struct ctl_req *req;
	struct ctl_resp *resp;
	int fd;

	if ((fd = benchlib_connect(home)) < 0)
		return -1;
	if (ctl_req_new("group.list", 1, &req) != 0)
		benchlib_die("cannot build group.list");
	benchlib_send(fd, req);
	ctl_req_free(req);
	resp = benchlib_recv(fd);
	ctl_resp_free(resp);
	return fd;
}

static int
cmd_spawn(int argc, char **argv)
{
	const char *log, *home;
	uint64_t t0, t1, t2, wait_ms = 0;
	pid_t pid;
	int fd, st;

	if (argc > 1 && strcmp(argv[0], "--sync-wait") == 0) {
		wait_ms = strtoull(argv[1], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || strcmp(argv[2], "--") != 0)
		benchlib_die("usage: benchctl spawn [--sync-wait MS] LOG HOME "
		    "-- COMMAND...");
	log = argv[0];
	home = argv[1];
	argv += 3;
	fflush(stdout);
	t0 = benchlib_now_ns();
	if ((pid = fork()) < 0)
		benchlib_die("fork: %s", strerror(errno));
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		setsid();
		execv(argv[0], argv);
		_exit(127);
	}
	while ((fd = try_serve(home)) < 0) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			benchlib_die("%s exited before serving (see %s)",
			    argv[0], log);
		if (benchlib_now_ns() - t0 > SERVE_LIMIT_NS)
			benchlib_die("%s did not serve within 60 s", argv[0]);
		benchlib_sleep_us(200);
	}
	t1 = benchlib_now_ns();
	printf("pid %ld serve_ms %.2f", (long)pid, ms_between(t0, t1));
	if (wait_ms > 0) {
		sync_wait(fd, wait_ms);
		t2 = benchlib_now_ns();
		printf(" level_ms %.2f sync_ms %.2f", ms_between(t0, t2),
		    ms_between(t1, t2));
	}
	printf("\n");
	close(fd);
	return 0;
}

static int
cmd_sync(int argc, char **argv)
{
	uint64_t t0, ms = 600000;
	int fd;

	if (argc < 1)
		benchlib_die("usage: benchctl sync HOME [MS]");
	if (argc > 1)
		ms = strtoull(argv[1], NULL, 10);
	if ((fd = benchlib_connect(argv[0])) < 0)
		benchlib_die("no daemon answers at %s", argv[0]);
	t0 = benchlib_now_ns();
	sync_wait(fd, ms);
	printf("sync_ms %.2f\n", ms_between(t0, benchlib_now_ns()));
	close(fd);
	return 0;
}

static int
cmd_wait(int argc, char **argv)
{
	uint64_t t0, want, n, limit = 600000;
	int fd;

	if (argc < 2)
		benchlib_die("usage: benchctl wait HOME ENTRIES [MS]");
	want = strtoull(argv[1], NULL, 10);
	if (argc > 2)
		limit = strtoull(argv[2], NULL, 10);
	if ((fd = benchlib_connect(argv[0])) < 0)
		benchlib_die("no daemon answers at %s", argv[0]);
	t0 = benchlib_now_ns();
	while ((n = benchlib_entries(fd)) < want) {
		if (benchlib_now_ns() - t0 > limit * 1000000u)
			benchlib_die("%s holds %llu entries, not %llu, after "
			    "%llu ms", argv[0], (unsigned long long)n,
			    (unsigned long long)want,
			    (unsigned long long)limit);
		benchlib_sleep_us(2000);
	}
	printf("wait_ms %.2f entries %llu\n", ms_between(t0,
	    benchlib_now_ns()), (unsigned long long)n);
	close(fd);
	return 0;
}

static int
cmd_entries(int argc, char **argv)
{
	int fd;

	if (argc < 1)
		benchlib_die("usage: benchctl entries HOME");
	if ((fd = benchlib_connect(argv[0])) < 0)
		benchlib_die("no daemon answers at %s", argv[0]);
	printf("entries %llu\n", (unsigned long long)benchlib_entries(fd));
	close(fd);
	return 0;
}

/* Sessions of the daemon that are up and level, from `status`. */
static size_t
peers_level(int fd)
{
	struct ctl_resp *resp = benchlib_call(fd, "status");
	const char *kind, *state;
	size_t i, n = 0;
	int level;

	for (i = 0; i < ctl_resp_nrecords(resp); i++)
		if (ctl_resp_get_str(resp, i, "kind", &kind, NULL) == 0 &&
		    strcmp(kind, "peer") == 0 &&
		    ctl_resp_get_str(resp, i, "state", &state, NULL) == 0 &&
		    strcmp(state, "up") == 0 &&
		    ctl_resp_get_bool(resp, i, "level", &level) == 0 && level)
			n++;
	ctl_resp_free(resp);
	return n;
}

static int
cmd_peers(int argc, char **argv)
{
	uint64_t t0, limit = 60000;
	size_t want;
	int fd;

	if (argc < 2)
		benchlib_die("usage: benchctl peers HOME N [MS]");
	want = (size_t)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		limit = strtoull(argv[2], NULL, 10);
	if ((fd = benchlib_connect(argv[0])) < 0)
		benchlib_die("no daemon answers at %s", argv[0]);
	t0 = benchlib_now_ns();
	while (peers_level(fd) < want) {
		if (benchlib_now_ns() - t0 > limit * 1000000u)
			benchlib_die("%s has fewer than %zu level sessions "
			    "after %llu ms", argv[0], want,
			    (unsigned long long)limit);
		benchlib_sleep_us(10000);
	}
	printf("peers_ms %.2f\n", ms_between(t0, benchlib_now_ns()));
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	benchlib_prog(argv[0]);
	if (argc < 2)
		benchlib_die("usage: benchctl spawn|sync|wait|entries|peers ...");
	if (strcmp(argv[1], "spawn") == 0)
		return cmd_spawn(argc - 2, argv + 2);
	if (strcmp(argv[1], "sync") == 0)
		return cmd_sync(argc - 2, argv + 2);
	if (strcmp(argv[1], "wait") == 0)
		return cmd_wait(argc - 2, argv + 2);
	if (strcmp(argv[1], "entries") == 0)
		return cmd_entries(argc - 2, argv + 2);
	if (strcmp(argv[1], "peers") == 0)
		return cmd_peers(argc - 2, argv + 2);
	benchlib_die("unknown command '%s'", argv[1]);
}
