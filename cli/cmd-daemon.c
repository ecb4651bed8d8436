/*
 * cmd-daemon.c — balint daemon start | stop | restart | status | log:
 * run balintd in the background (through the systemd user unit when it is
 * installed and the profile is the default one, else as a child of its
 * own with its log in DIR/balintd.log), stop it cleanly, and show its
 * state and its log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bal.h"
#include "cli.h"

#define LOG_FILE "balintd.log"
#define LOG_ROTATE (1024L * 1024)	/* bytes before balintd.log.1 */
#define WAIT_TENTHS 300			/* 30 s for a start or a stop */
#define UNIT "balintd.service"

static const char usage[] = N_(
    "usage: balint daemon start [--listen HOST:PORT]\n"
    "       balint daemon stop | restart | status\n"
    "       balint daemon log [-n LINES]\n"
    "  start    start balintd in the background, locked (run balint\n"
    "           unlock next, unless the login keyring holds the\n"
    "           passphrase): through the systemd user unit when it is\n"
    "           installed and this is the default profile, else as a\n"
    "           process of its own that logs to DIR/balintd.log\n"
    "  stop     stop it cleanly (every session closed, the store flushed)\n"
    "  restart  stop it, then start it\n"
    "  status   whether it runs: process id, locked or not, where it logs\n"
    "           (exit 3 when it does not run)\n"
    "  log      its last LINES log lines (default 50): from the journal\n"
    "           when systemd runs it, else from DIR/balintd.log\n"
    "  --listen HOST:PORT  where it listens (see balintd --help)\n");

struct state {
	int running, locked, systemd;
	unsigned long pid;
};

static void
pause_tenth(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Asks the daemon; quiet: a daemon that does not run is an answer. */
static void
ask(struct cli *c, struct state *st)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	uint64_t u = 0;

	memset(st, 0, sizeof(*st));
	if ((req = client_req("status", NULL)) == NULL)
		return;
	util_quiet = 1;
	if (client_call(c, req, 10000, &resp) == CLI_OK) {
		st->running = 1;
		(void)ctl_resp_get_bool(resp, 0, "locked", &st->locked);
		(void)ctl_resp_get_bool(resp, 0, "systemd", &st->systemd);
		(void)ctl_resp_get_uint(resp, 0, "pid", &u);
		st->pid = (unsigned long)u;
	}
	util_quiet = 0;
	ctl_req_free(req);
	ctl_resp_free(resp);
}

/* Runs argv and waits: its exit status, or -1 when it cannot run. */
static int
run(char *const argv[], int quiet)
{
	pid_t pid;
	int st, fd;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (quiet && (fd = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * 1 when the systemd user unit can run this profile's balintd: the
 * unit is installed, the user's systemd answers, and the profile is the
 * default one (the unit starts balintd without --home).
 */
static int
unit_usable(const struct cli *c)
{
	char *const show[] = { "systemctl", "--user", "--quiet", "cat", UNIT,
	    NULL };
	const char *v;
	char def[CLI_PATH_MAX];

	if ((v = getenv("XDG_DATA_HOME")) != NULL && *v != '\0')
		snprintf(def, sizeof(def), "%s/balint", v);
	else if ((v = getenv("HOME")) != NULL && *v != '\0')
		snprintf(def, sizeof(def), "%s/.local/share/balint", v);
	else
		return 0;
	if (strcmp(def, c->home) != 0)
		return 0;
	return run(show, 1) == 0;
}

/* The balintd next to this balint, else the one on PATH. */
static void
find_balintd(char *out, size_t outlen)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	snprintf(out, outlen, "balintd");
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return;
	*slash = '\0';
	if (snprintf(out, outlen, "%s/balintd", self) >= (int)outlen ||
	    access(out, X_OK) != 0)
		snprintf(out, outlen, "balintd");
}

/* Starts balintd as a process of its own, logging to DIR/balintd.log. */
static int
spawn(struct cli *c, const char *listen, struct state *st)
{
	char bin[PATH_MAX], log[CLI_PATH_MAX + 16], old[CLI_PATH_MAX + 16];
	char *argv[8];
	struct stat sb;
	pid_t pid;
	int fd, status, i, n = 0;

	find_balintd(bin, sizeof(bin));
	snprintf(log, sizeof(log), "%s/%s", c->home, LOG_FILE);
	snprintf(old, sizeof(old), "%s/%s.1", c->home, LOG_FILE);
	/* One older log is kept; the log never grows without end. */
	if (stat(log, &sb) == 0 && sb.st_size > LOG_ROTATE)
		(void)rename(log, old);
	argv[n++] = bin;
	argv[n++] = (char *)(uintptr_t)"--home";
	argv[n++] = c->home;
	argv[n++] = (char *)(uintptr_t)"--locked";
	if (listen != NULL) {
		argv[n++] = (char *)(uintptr_t)"--listen";
		argv[n++] = (char *)(uintptr_t)listen;
	}
	argv[n] = NULL;
	if ((fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) < 0) {
		util_err(_("cannot open the log '%s' (%s)"), log,
		    strerror(errno));
		return CLI_FAILED;
	}
	if ((pid = fork()) < 0) {
		close(fd);
		util_err(_("cannot start balintd (%s)"), strerror(errno));
		return CLI_FAILED;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		/* Its own session: closing the terminal does not stop it. */
		(void)setsid();
		if (nul >= 0) {
			dup2(nul, STDIN_FILENO);
			dup2(nul, STDOUT_FILENO);
		}
		dup2(fd, STDERR_FILENO);
		execvp(bin, argv);
		dprintf(fd, "balint daemon start: cannot run %s: %s\n", bin,
		    strerror(errno));
		_exit(127);
	}
	close(fd);
	for (i = 0; i < WAIT_TENTHS; i++) {
		ask(c, st);
		if (st->running)
			return CLI_OK;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			util_err(_("balintd did not start (see: balint daemon "
			    "log)"));
			return CLI_FAILED;
		}
		pause_tenth();
	}
	util_err(_("balintd did not answer within 30 s (see: balint daemon "
	    "log)"));
	return CLI_FAILED;
}

static int
do_start(struct cli *c, const char *listen)
{
	char *const start[] = { "systemctl", "--user", "start", UNIT, NULL };
	char key[CLI_PATH_MAX + 16];
	struct state st;
	int i, rc;

	ask(c, &st);
	if (st.running) {
		printf(_("balintd is already running (pid %lu)\n"), st.pid);
		return CLI_OK;
	}
	snprintf(key, sizeof(key), "%s/identity.key", c->home);
	if (access(key, F_OK) != 0)
		return client_not_running(c);	/* no profile: init first */
	if (listen == NULL && unit_usable(c)) {
		if (run(start, 0) != 0) {
			util_err(_("systemctl --user start %s failed (see: "
			    "balint daemon log)"), UNIT);
			return CLI_FAILED;
		}
		for (i = 0; i < WAIT_TENTHS && !st.running; i++) {
			pause_tenth();
			ask(c, &st);
		}
		if (!st.running) {
			util_err(_("balintd did not answer within 30 s (see: "
			    "balint daemon log)"));
			return CLI_FAILED;
		}
	} else if ((rc = spawn(c, listen, &st)) != CLI_OK)
		return rc;
	printf(st.systemd ? _("balintd started (pid %lu, by systemd)\n") :
	    _("balintd started (pid %lu)\n"), st.pid);
	if (st.locked)
		printf(_("it is locked: run balint unlock (unless your login "
		    "keyring holds the passphrase: see balint status)\n"));
	return CLI_OK;
}

/* 1 for yes (the default), 0 for no or no answer. */
static int
yes(const char *prompt)
{
	char line[16];

	if (util_tty_line(prompt, 0, line, sizeof(line)) != 0)
		return 0;
	return line[0] == '\0' || util_yes(line);
}

int
cmd_daemon_offer(struct cli *c)
{
	char *const enable[] = { "systemctl", "--user", "enable", "--now",
	    UNIT, NULL };
	struct state st;
	int i;

	if (unit_usable(c)) {
		if (!yes(_("Start balintd now, and at every login (systemd "
		    "user unit)? [Y/n] ")))
			goto later;
		if (run(enable, 0) != 0) {
			util_err(_("systemctl --user enable --now %s failed; "
			    "start it with: balint daemon start"), UNIT);
			return CLI_FAILED;
		}
		for (i = 0, ask(c, &st); i < WAIT_TENTHS && !st.running; i++) {
			pause_tenth();
			ask(c, &st);
		}
		printf(st.running ? "balintd runs, and starts at every "
		    "login\n" : "balintd is enabled; see: balint daemon "
		    "status\n");
	} else {
		if (!yes(_("Start balintd now, in the background? [Y/n] ")))
			goto later;
		if (do_start(c, NULL) != CLI_OK)
			return CLI_FAILED;
	}
	printf(_("next: balint unlock (the passphrase you just chose), then "
	    "found a group or join one (see the member guide)\n"));
	return CLI_OK;
later:
	printf(_("start it later with: balint daemon start\n"));
	return CLI_OK;
}

static int
do_stop(struct cli *c)
{
	char *const stop[] = { "systemctl", "--user", "stop", UNIT, NULL };
	struct ctl_resp *resp = NULL;
	struct state st;
	unsigned long pid;
	int i, rc;

	ask(c, &st);
	if (!st.running) {
		printf(_("balintd is not running\n"));
		return CLI_OK;
	}
	pid = st.pid;
	/* Through systemd, else it would take the stop for a failure. */
	if (st.systemd && run(stop, 1) == 0)
		;
	else {
		if (st.systemd)
			util_err(_("warning: systemctl --user stop %s failed; "
			    "stopping balintd directly"), UNIT);
		rc = client_ask(c, "daemon.stop", NULL, &resp);
		ctl_resp_free(resp);
		if (rc != CLI_OK)
			return rc;
	}
	for (i = 0; i < WAIT_TENTHS; i++) {
		ask(c, &st);
		if (!st.running && (pid == 0 || kill((pid_t)pid, 0) != 0))
			break;
		pause_tenth();
	}
	if (i == WAIT_TENTHS) {
		util_err(_("balintd (pid %lu) did not stop within 30 s"), pid);
		return CLI_FAILED;
	}
	printf(_("balintd stopped\n"));
	return CLI_OK;
}

static int
do_status(struct cli *c)
{
	struct state st;

	ask(c, &st);
	if (!st.running)
		return client_not_running(c);
	printf(_("balintd is running (pid %lu), %s; its log: %s\n"), st.pid,
	    st.locked ? _("locked (run: balint unlock)") : _("unlocked"),
	    st.systemd ? _("the journal (balint daemon log)") :
	    "balint daemon log");
	return CLI_OK;
}

/* Prints the last n lines of the log file. */
static int
tail_file(const char *path, long n)
{
	char *buf = NULL, *p;
	long size, from, lines = 0;
	FILE *f;
	int ret = CLI_FAILED;

	if ((f = fopen(path, "r")) == NULL) {
		util_err(_("no log at '%s' (balint daemon start writes it; a "
		    "balintd started by hand logs to its terminal)"), path);
		return CLI_FAILED;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0)
		goto out;
	from = size > 1024 * 1024 ? size - 1024 * 1024 : 0;
	if (fseek(f, from, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)(size - from) + 1)) == NULL)
		goto out;
	size = (long)fread(buf, 1, (size_t)(size - from), f);
	buf[size] = '\0';
	for (p = buf + size; p > buf; p--)
		if (p[-1] == '\n' && p != buf + size && ++lines >= n)
			break;
	fputs(p, stdout);
	ret = CLI_OK;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int
do_log(struct cli *c, const char *lines)
{
	char nbuf[32], path[CLI_PATH_MAX + 16];
	char *journal[] = { "journalctl", "--user", "-u", UNIT, "-n", nbuf,
	    "--no-pager", NULL };
	struct state st;
	char *end;
	long n = 50;

	if (lines != NULL && ((n = strtol(lines, &end, 10)) <= 0 ||
	    *end != '\0' || n > 1000000)) {
		util_err(_("bad -n '%s' (a number of lines)"), lines);
		return CLI_USAGE;
	}
	ask(c, &st);
	if (st.systemd || (!st.running && unit_usable(c))) {
		snprintf(nbuf, sizeof(nbuf), "%ld", n);
		fflush(stdout);
		return run(journal, 0) == 0 ? CLI_OK : CLI_FAILED;
	}
	snprintf(path, sizeof(path), "%s/identity.key", c->home);
	if (!st.running && access(path, F_OK) != 0)
		return client_not_running(c);	/* no profile: init first */
	snprintf(path, sizeof(path), "%s/%s", c->home, LOG_FILE);
	return tail_file(path, n);
}

int
cmd_daemon(struct cli *c, int argc, char **argv)
{
	const char *listen = NULL, *lines = NULL;
	const struct util_opt opts[] = {
		{ "--listen", 0, &listen, NULL },
		{ "--lines", 'n', &lines, NULL },
		{ NULL, 0, NULL, NULL }
	};
	char *pos[2];
	int npos, rc;

	if ((rc = util_getopt(c, "daemon", usage, argc, argv, 1, opts, pos, 1,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos != 1) {
		util_err(_("daemon needs start, stop, restart, status or log "
		    "(see: balint daemon --help)"));
		return CLI_USAGE;
	}
	if ((listen != NULL && strcmp(pos[0], "start") != 0 &&
	    strcmp(pos[0], "restart") != 0) ||
	    (lines != NULL && strcmp(pos[0], "log") != 0)) {
		util_err(_("that option does not go with daemon %s (see: balint "
		    "daemon --help)"), pos[0]);
		return CLI_USAGE;
	}
	if (strcmp(pos[0], "start") == 0)
		return do_start(c, listen);
	if (strcmp(pos[0], "stop") == 0)
		return do_stop(c);
	if (strcmp(pos[0], "restart") == 0)
		return (rc = do_stop(c)) != CLI_OK ? rc : do_start(c, listen);
	if (strcmp(pos[0], "status") == 0)
		return do_status(c);
	if (strcmp(pos[0], "log") == 0)
		return do_log(c, lines);
	util_err(_("unknown daemon command '%s' (start, stop, restart, status, "
	    "log)"), pos[0]);
	return CLI_USAGE;
}
