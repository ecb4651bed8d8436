/*
 * net.c — the network of one daemon as a whole (struct net, d->net): its
 * start (every transport's listener, timers, dial targets of the stored
 * peers, the group events' handler) and its stop (every session, target, waiter and join
 * ended, every handle closed), and its freeing once the last handle is
 * gone.  See peer.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "peer-int.h"
#include "transport.h"

static void
net_free(struct net *net)
{
	struct daemon *d = net->d;

	peer_listen_unref(net->tab);
	free(net);
	d->net = NULL;
}

void
net_handle_gone(struct net *net)
{
	net->handles--;
	if (net->stopping && net->handles == 0)
		net_free(net);
}

/* The liveness intervals: NET_IDLE_MS, or NET_IDLE_ENV's (a test hook). */
static void
net_idle_load(struct net *net)
{
	const char *s = getenv(NET_IDLE_ENV);
	unsigned long long v;
	char *end;

	net->idle_ms = NET_IDLE_MS;
	if (s != NULL && *s != '\0') {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0 || *end != '\0' || strchr(s, '-') != NULL ||
		    v < NET_IDLE_MIN_MS || v > NET_IDLE_MS) {
			daemon_log("%s='%.40s' is not a number of milliseconds "
			    "from %d to %d; ignored", NET_IDLE_ENV, s,
			    NET_IDLE_MIN_MS, NET_IDLE_MS);
		} else {
			net->idle_ms = v;
			daemon_log("warning: %s=%llu: sessions send HAVE after "
			    "%llu ms without sending and are closed after "
			    "%llu ms without receiving; it is a test hook, "
			    "never set it in real use", NET_IDLE_ENV, v, v,
			    v * NET_DEAD_FACTOR);
		}
	}
	net->dead_ms = NET_DEAD_FACTOR * net->idle_ms;
	net->tick_ms = net->idle_ms / 4 < NET_TICK_MS ? net->idle_ms / 4 :
	    NET_TICK_MS;
}

int
net_start(struct daemon *d)
{
	struct net *net;
	struct group *g;
	int rc;

	if ((net = calloc(1, sizeof(*net))) == NULL)
		return BAL_ENOMEM;
	net->d = d;
	d->net = net;
	net_idle_load(net);
	uv_timer_init(d->loop, &net->rltimer);
	net->rltimer.data = net;
	net->has_rltimer = 1;
	net->handles++;
	d->on_event = peer_session_on_event;
	if ((rc = transport_listen(net)) != 0) {
		net_stop(d);
		return rc;
	}
	/* Once the TCP listener knows its port. */
	portmap_start(net);
	punch_start(net);
	uv_timer_init(d->loop, &net->rescan);
	net->rescan.data = net;
	net->has_rescan = 1;
	net->handles++;
	uv_timer_init(d->loop, &net->relay);
	net->relay.data = net;
	net->has_relay = 1;
	net->handles++;
	for (g = d->groups; g != NULL; g = g->next) {
		net_announce(d, g);
		net_group_added(d, g);
	}
	if ((rc = lan_start(net)) != 0) {
		net_stop(d);
		return rc;
	}
	return 0;
}

void
net_on_handle_closed(uv_handle_t *h)
{
	net_handle_gone(h->data);
}

void
net_stop(struct daemon *d)
{
	struct net *net = d->net;
	struct net_conn *c;
	struct target *t;

	if (net == NULL || net->stopping)
		return;
	net->stopping = 1;
	d->on_event = NULL;
	join_stop(d);
	lan_stop(net);
	portmap_stop(net);
	punch_stop(net);
	while (net->waiters != NULL)
		peer_wait_finish(net->waiters, BAL_ESTATE);
	for (c = net->conns; c != NULL; c = c->next)
		peer_conn_close(c, WIRE_BYE_SHUTDOWN, "shutting down");
	for (t = net->targets; t != NULL; t = t->next)
		peer_dial_close(t);	/* unless closing (net_group_gone) */
	transport_stop(net);
	if (net->has_rescan)
		uv_close((uv_handle_t *)&net->rescan, net_on_handle_closed);
	if (net->has_relay)
		uv_close((uv_handle_t *)&net->relay, net_on_handle_closed);
	if (net->has_rltimer) {
		peer_ratelog_timer(&net->rltimer);
		uv_close((uv_handle_t *)&net->rltimer, net_on_handle_closed);
	}
	if (net->handles == 0)
		net_free(net);
}
