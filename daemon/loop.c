/* loop.c — signals, the run loop and a clean shutdown (loop.h). */
#include <signal.h>
#include <uv.h>

#include "control.h"
#include "daemon.h"
#include "group.h"
#include "loop.h"
#include "net.h"
#include "tor.h"
#include "passkeep.h"
#include "web.h"

static void
on_signal(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;

	daemon_log("caught %s, shutting down",
	    signum == SIGINT ? "SIGINT" : "SIGTERM");
	daemon_stop(d);
}

void
daemon_stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	passkeep_stop(d);
	if (d->has_stop_timer) {
		d->has_stop_timer = 0;
		uv_close((uv_handle_t *)&d->stop_timer, NULL);
	}
	web_stop(d);
	net_stop(d);
	tor_stop(d);
	control_stop(d);
	retention_stop(d);
	group_roster_stop(d);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
}

static void
on_stop_timer(uv_timer_t *t)
{
	daemon_stop(t->data);
}

void
daemon_stop_soon(struct daemon *d)
{
	if (d->stopping || d->has_stop_timer)
		return;
	if (uv_timer_init(d->loop, &d->stop_timer) != 0) {
		daemon_stop(d);
		return;
	}
	d->has_stop_timer = 1;
	d->stop_timer.data = d;
	uv_timer_start(&d->stop_timer, on_stop_timer, 0, 0);
}

int
loop_run(struct daemon *d)
{
	int rc;

	uv_signal_init(d->loop, &d->sigint);
	uv_signal_init(d->loop, &d->sigterm);
	d->sigint.data = d;
	d->sigterm.data = d;
	uv_signal_start(&d->sigint, on_signal, SIGINT);
	uv_signal_start(&d->sigterm, on_signal, SIGTERM);
	uv_run(d->loop, UV_RUN_DEFAULT);
	/* Whatever a callback closed late still needs one more turn. */
	uv_run(d->loop, UV_RUN_DEFAULT);
	if ((rc = uv_loop_close(d->loop)) != 0)
		daemon_log("event loop did not close cleanly: %s",
		    uv_strerror(rc));
	return rc == 0 ? 0 : -1;
}
