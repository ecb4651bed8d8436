/*
 * tor.c — balintd's own `tor` child (tor.h): found on PATH, given a torrc
 * in DIR/tor/ (its data directory, a control socket with cookie
 * authentication, a SOCKS socket, __OwningControllerProcess, the lines of
 * --torrc-extra by %include), restarted with backoff when it dies, and
 * stopped at shutdown.  Or, with --tor-control, a running tor.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "net.h"
#include "store.h"
#include "tor-int.h"

static void
tor_free(struct tor *t)
{
	struct daemon *d = t->d;

	free(t->rbuf);
	free(t->reply);
	free(t);
	d->tor = NULL;
}

void
tor_handle_gone(struct tor *t)
{
	if (--t->handles == 0 && t->stopping)
		tor_free(t);
}

static void
on_handle_closed(uv_handle_t *h)
{
	tor_handle_gone(h->data);
}

void
tor_note(struct tor *t, const char *fmt, ...)
{
	char buf[sizeof(t->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, t->why) != 0)
		daemon_log("tor: %s", buf);
	snprintf(t->why, sizeof(t->why), "%s", buf);
}

/*
 * Finds an executable `tor`: $BALINT_TOR_BIN when set (and nothing else),
 * else on PATH, then /usr/bin, /usr/sbin.
 */
static int
find_tor(char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *bin = getenv(TOR_BIN_ENV), *p, *e;
	char dirs[8192];
	size_t n;

	if (bin != NULL && *bin != '\0') {
		if (strlen(bin) >= outlen || access(bin, X_OK) != 0)
			return BAL_ENOENT;
		snprintf(out, outlen, "%s", bin);
		return 0;
	}
	snprintf(dirs, sizeof(dirs), "%s:/usr/bin:/usr/sbin",
	    path != NULL ? path : "");
	for (p = dirs; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 0 || n + 5 >= outlen)
			continue;
		memcpy(out, p, n);
		memcpy(out + n, "/tor", 5);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return BAL_ENOENT;
}

/* 1 when s can stand unquoted in a torrc line and a unix: address. */
static int
torrc_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s == '"' || *s == '\\' || *s == '#' ||
		    *s == 0x7f)
			return 0;
	return 1;
}

/* Writes DIR/tor/torrc afresh. */
static int
write_torrc(struct tor *t, char *path, size_t pathlen)
{
	FILE *f;
	int ok;

	if ((size_t)snprintf(path, pathlen, "%s/torrc", t->dir) >= pathlen)
		return BAL_ETOOBIG;
	if ((f = fopen(path, "w")) == NULL)
		return BAL_EIO;
	fprintf(f, "# Written by balintd at each start of tor; put your own "
	    "lines in a file\n# named by balintd --torrc-extra.\n");
	fprintf(f, "DataDirectory %s/data\n", t->dir);
	fprintf(f, "ControlPort %s\n", t->ctl_addr);
	fprintf(f, "CookieAuthentication 1\n");
	fprintf(f, "SocksPort unix:%s ExtendedErrors\n", t->socks_own);
	fprintf(f, "__OwningControllerProcess %ld\n", (long)getpid());
	fprintf(f, "Log notice file %s/tor.log\n", t->dir);
	if (t->extra[0] != '\0')
		fprintf(f, "%%include %s\n", t->extra);
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : BAL_EIO;
}

static void
on_exit_cb(uv_process_t *p, int64_t status, int signo)
{
	struct tor *t = p->data;
	uint64_t delay, ran;
	unsigned i;

	t->proc_alive = 0;
	uv_close((uv_handle_t *)&t->proc, on_handle_closed);
	if (t->stopping) {
		uv_timer_stop(&t->kill_timer);
		uv_close((uv_handle_t *)&t->kill_timer, on_handle_closed);
		return;
	}
	tor_ctl_close(t);
	ran = uv_now(t->d->loop) - t->started_ms;
	if (ran >= TOR_STABLE_MS)
		t->restarts = 0;
	delay = TOR_RESTART_MIN_MS;
	for (i = 0; i < t->restarts && delay < TOR_RESTART_MAX_MS; i++)
		delay *= 2;
	if (delay > TOR_RESTART_MAX_MS)
		delay = TOR_RESTART_MAX_MS;
	t->restarts++;
	if (signo != 0)
		tor_note(t, N_("tor was killed by signal %d; restarting it in "
		    "%llu s (see %s/tor.log)"), signo,
		    (unsigned long long)(delay / 1000), t->dir);
	else
		tor_note(t, N_("tor exited with status %lld; restarting it in "
		    "%llu s (see %s/tor.log)"), (long long)status,
		    (unsigned long long)(delay / 1000), t->dir);
	uv_timer_start(&t->timer, tor_on_timer, delay, 0);
}

/* Starts the child tor and, soon after, its control connection. */
static void
spawn_tor(struct tor *t)
{
	uv_process_options_t o;
	uv_stdio_container_t io[3];
	char torrc[PROFILE_PATH_MAX];
	char *args[4];
	int rc;

	if ((rc = write_torrc(t, torrc, sizeof(torrc))) != 0) {
		tor_note(t, N_("cannot write %s/torrc (%s)"), t->dir,
		    bal_strerror(rc));
		uv_timer_start(&t->timer, tor_on_timer,
		    TOR_RESTART_MAX_MS, 0);
		return;
	}
	/* A socket file left by a killed tor would make it fail. */
	(void)unlink(t->socks_own);
	(void)unlink(t->ctl_addr + 5);
	memset(&o, 0, sizeof(o));
	memset(io, 0, sizeof(io));
	io[0].flags = io[1].flags = io[2].flags = UV_IGNORE;
	args[0] = t->bin;
	args[1] = "-f";
	args[2] = torrc;
	args[3] = NULL;
	o.file = t->bin;
	o.args = args;
	o.exit_cb = on_exit_cb;
	o.stdio = io;
	o.stdio_count = 3;
	t->proc.data = t;
	if ((rc = uv_spawn(t->d->loop, &t->proc, &o)) != 0) {
		/* libuv initialised the handle even so: close it. */
		t->handles++;
		uv_close((uv_handle_t *)&t->proc, on_handle_closed);
		tor_note(t, N_("cannot start %s (%s); trying again later"), t->bin,
		    uv_strerror(rc));
		uv_timer_start(&t->timer, tor_on_timer,
		    TOR_RESTART_MAX_MS, 0);
		return;
	}
	t->handles++;
	t->proc_alive = 1;
	t->started_ms = uv_now(t->d->loop);
	t->ctl_wait_start = t->started_ms;
	t->progress = 0;
	t->summary[0] = '\0';
	t->published = 0;
	t->service_up = 0;
	t->socks[0] = '\0';
	daemon_log("tor: started %s (pid %d), data in %s", t->bin,
	    t->proc.pid, t->dir);
	uv_timer_start(&t->timer, tor_on_timer, TOR_CTL_RETRY_MS, 0);
}

/*
 * The one timer: starts tor when none runs, else (re)connects to its
 * control socket.
 */
void
tor_on_timer(uv_timer_t *timer)
{
	struct tor *t = timer->data;

	if (t->stopping)
		return;
	if (!t->external && !t->proc_alive) {
		spawn_tor(t);
		return;
	}
	if (!t->ctl_open)
		tor_ctl_connect(t);
}

static void
on_kill_timer(uv_timer_t *timer)
{
	struct tor *t = timer->data;

	if (t->proc_alive) {
		daemon_log("tor: did not stop within %d s, killed",
		    TOR_KILL_MS / 1000);
		uv_process_kill(&t->proc, SIGKILL);
	}
}

/* Reads the paths and checks that tor can use them. */
static int
tor_paths(struct tor *t)
{
	char home[PATH_MAX];

	if (realpath(t->d->home, home) == NULL) {
		tor_note(t, N_("cannot tell the full path of '%s' (%s); tor is "
		    "not used"), t->d->home, strerror(errno));
		return -1;
	}
	if (!torrc_safe(home)) {
		tor_note(t, N_("the profile path '%s' has blanks or quotes, "
		    "which tor's configuration cannot take; tor is not used"),
		    home);
		return -1;
	}
	if ((size_t)snprintf(t->dir, sizeof(t->dir), "%s/tor", home) >=
	    sizeof(t->dir) ||
	    (size_t)snprintf(t->onion_sock, sizeof(t->onion_sock),
	    "%s/onion.sock", home) >= sizeof(t->onion_sock) ||
	    (size_t)snprintf(t->socks_own, sizeof(t->socks_own),
	    "%s/tor/socks.sock", home) >= sizeof(t->socks_own) ||
	    (!t->external && (size_t)snprintf(t->ctl_addr,
	    sizeof(t->ctl_addr), "unix:%s/tor/control.sock", home) >=
	    TOR_SUN_MAX + 5)) {
		tor_note(t, N_("the profile path '%s' is too long for a Unix "
		    "socket (at most about %zu bytes); tor is not used"),
		    home, TOR_SUN_MAX - 20);
		return -1;
	}
	if (!t->external && mkdir(t->dir, 0700) != 0 && errno != EEXIST) {
		tor_note(t, N_("cannot make %s (%s); tor is not used"), t->dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads the onion address kept from an earlier start (for invites). */
static void
load_address(struct tor *t)
{
	uint8_t *v = NULL;
	size_t len;

	if (store_meta_get(t->d->store, TOR_META_ADDR, &v, &len) == 0 &&
	    len < sizeof(t->onion)) {
		memcpy(t->onion, v, len);
		t->onion[len] = '\0';
		if (!onion_addr_is(t->onion))
			t->onion[0] = '\0';
	}
	free(v);
}

int
tor_start(struct daemon *d, char *err, size_t errlen)
{
	struct tor *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return BAL_ENOMEM;
	t->d = d;
	d->tor = t;
	t->mode = d->tor_mode;
	t->external = d->tor_control[0] != '\0';
	if (d->torrc_extra[0] != '\0') {
		if (realpath(d->torrc_extra, t->extra) == NULL ||
		    access(t->extra, R_OK) != 0) {
			snprintf(err, errlen, "cannot read --torrc-extra '%s' "
			    "(%s)", d->torrc_extra, strerror(errno));
			goto fail;
		}
		if (!torrc_safe(t->extra)) {
			snprintf(err, errlen, "--torrc-extra '%s': tor cannot "
			    "include a path with blanks or quotes",
			    d->torrc_extra);
			goto fail;
		}
	}
	if (t->mode == TOR_OFF) {
		tor_note(t, N_("off (--tor off): this member is reached at its "
		    "IP addresses only, and cannot dial onion addresses"));
		return 0;
	}
	if (t->external) {
		snprintf(t->ctl_addr, sizeof(t->ctl_addr), "%s",
		    d->tor_control);
		t->found = 1;
	} else if (find_tor(t->bin, sizeof(t->bin)) == 0) {
		t->found = 1;
	} else {
		tor_note(t, N_("tor is not installed (apt-get install tor): this "
		    "member is reached at its IP addresses only, and cannot "
		    "dial onion addresses"));
		return 0;
	}
	if (tor_paths(t) != 0) {
		t->found = 0;
		return 0;
	}
	if ((t->rbuf = malloc(TOR_RBUF_MAX)) == NULL ||
	    (t->reply = malloc(sizeof(*t->reply))) == NULL)
		goto nomem;
	load_address(t);
	uv_timer_init(d->loop, &t->timer);
	t->timer.data = t;
	uv_timer_init(d->loop, &t->kill_timer);
	t->kill_timer.data = t;
	t->handles += 2;
	t->why[0] = '\0';
	if (t->external) {
		t->ctl_wait_start = uv_now(d->loop);
		tor_ctl_connect(t);
	} else {
		spawn_tor(t);
	}
	return 0;
nomem:
	free(t->rbuf);
	free(t->reply);
	free(t);
	d->tor = NULL;
	return BAL_ENOMEM;
fail:
	free(t);
	d->tor = NULL;
	return BAL_EINVAL;
}

void
tor_stop(struct daemon *d)
{
	struct tor *t = d->tor;

	if (t == NULL || t->stopping)
		return;
	t->stopping = 1;
	if (t->handles == 0) {
		tor_free(t);
		return;
	}
	tor_ctl_close(t);
	uv_timer_stop(&t->timer);
	uv_close((uv_handle_t *)&t->timer, on_handle_closed);
	if (t->proc_alive) {
		/* Closing the owning control connection stops it too. */
		uv_process_kill(&t->proc, SIGTERM);
		uv_timer_start(&t->kill_timer, on_kill_timer, TOR_KILL_MS, 0);
	} else {
		uv_close((uv_handle_t *)&t->kill_timer, on_handle_closed);
	}
}

int
tor_enabled(const struct daemon *d)
{
	return d->tor != NULL && d->tor->found && d->tor->mode != TOR_OFF;
}

const char *
tor_socks(const struct daemon *d, const char **why)
{
	const struct tor *t = d->tor;
	static char buf[64];

	if (!tor_enabled(d)) {
		if (why != NULL)
			*why = d->tor != NULL && d->tor->mode == TOR_OFF ?
			    N_("tor is off (--tor off)") :
			    N_("tor is not installed");
		return NULL;
	}
	if (t->socks[0] == '\0' || t->progress < 100) {
		if (why != NULL) {
			snprintf(buf, sizeof(buf), N_("tor is still "
			    "starting (%d%%)"), t->progress);
			*why = buf;
		}
		return NULL;
	}
	return t->socks;
}

const char *
tor_onion(const struct daemon *d)
{
	if (!tor_enabled(d) || d->tor->onion[0] == '\0')
		return NULL;
	return d->tor->onion;
}

const char *
tor_onion_socket(const struct daemon *d)
{
	return tor_enabled(d) ? d->tor->onion_sock : NULL;
}

void
tor_status(const struct daemon *d, struct tor_status *st)
{
	const struct tor *t = d->tor;

	memset(st, 0, sizeof(*st));
	st->onion = tor_onion(d);
	if (t == NULL || t->mode == TOR_OFF) {
		st->state = "off";
		snprintf(st->text, sizeof(st->text), "%s", t != NULL ?
		    t->why : N_("off"));
		return;
	}
	if (!t->found) {
		st->state = "missing";
		snprintf(st->text, sizeof(st->text), "%s", t->why);
		return;
	}
	st->progress = t->progress;
	st->published = t->published;
	if (t->progress >= 100 && t->service_up) {
		st->state = "ready";
		snprintf(st->text, sizeof(st->text), t->published ?
		    N_("reachable through tor at %s (published)") :
		    N_("reachable through tor at %s (being published)"),
		    t->onion);
	} else if (t->why[0] != '\0' && !t->ctl_up) {
		st->state = "failed";
		snprintf(st->text, sizeof(st->text), "%s", t->why);
	} else {
		st->state = "starting";
		/* Whole sentences, each translated (cli/daemon-text.c). */
		if (t->summary[0] != '\0' && t->onion[0] != '\0')
			snprintf(st->text, sizeof(st->text), N_("tor is still "
			    "starting (%d%%: %s); this member's onion address "
			    "will be %s"), t->progress, t->summary, t->onion);
		else if (t->summary[0] != '\0')
			snprintf(st->text, sizeof(st->text), N_("tor is still "
			    "starting (%d%%: %s)"), t->progress, t->summary);
		else if (t->onion[0] != '\0')
			snprintf(st->text, sizeof(st->text), N_("tor is still "
			    "starting (%d%%); this member's onion address will "
			    "be %s"), t->progress, t->onion);
		else
			snprintf(st->text, sizeof(st->text), N_("tor is still "
			    "starting (%d%%)"), t->progress);
	}
}
