/*
 * transport.c — the table of ways to reach a peer (transport.h) and what
 * every backend shares: choosing one for an address, making an outgoing
 * connection, starting the handshake once its stream is connected, and
 * the listeners' start and stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer-int.h"
#include "transport.h"

/*
 * The first backend whose match takes an address dials it; listeners
 * start in this order.
 */
static const struct transport *const transports[] = {
	&transport_tcp,
	&transport_onion,
	NULL
};

const struct transport *
transport_for(const char *addr)
{
	size_t i;

	if (addr == NULL || strlen(addr) >= DAEMON_ADDR_MAX)
		return NULL;
	for (i = 0; transports[i] != NULL; i++)
		if (transports[i]->match(addr))
			return transports[i];
	return NULL;
}

const char *
transport_unready(struct net *net, const char *addr, int *later)
{
	const struct transport *tp = transport_for(addr);

	if (later != NULL)
		*later = 0;
	if (tp == NULL || tp->unready == NULL)
		return NULL;
	return tp->unready(net, addr, later);
}

struct net_conn *
transport_conn_new(struct net *net, const struct transport *tp,
    const char *addr, int pipe)
{
	struct net_conn *c;

	if ((c = peer_conn_new(net, pipe)) == NULL)
		return NULL;
	c->tp = tp;
	c->via_tor = tp->tor;
	c->outgoing = 1;
	c->state = C_CONNECTING;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	c->connect.data = c;
	uv_timer_start(&c->timer, peer_on_timer, tp->dial_timeout_ms, 0);
	return c;
}

void
transport_connected(struct net_conn *c)
{
	uint8_t out[SHS_MSG_MAX], *buf;
	size_t outlen = sizeof(out);

	c->state = C_HANDSHAKE;
	uv_timer_start(&c->timer, peer_on_timer, NET_HANDSHAKE_TIMEOUT_MS, 0);
	if (!c->is_pipe)
		uv_tcp_nodelay(&c->tcp, 1);
	if (shs_step(c->shs, NULL, 0, out, &outlen) != 0 ||
	    (buf = malloc(outlen)) == NULL) {
		peer_conn_drop(c, -1, RL_PENDING, "cannot start the handshake");
		return;
	}
	memcpy(buf, out, outlen);
	/* A backend with a preamble reads since then. */
	if (peer_conn_write(c, buf, outlen) != 0 || (!c->reading &&
	    uv_read_start((uv_stream_t *)&c->tcp, peer_on_alloc,
	    peer_on_read) != 0))
		peer_conn_drop(c, -1, RL_PENDING, "cannot write");
	c->reading = 1;
}

int
transport_listen(struct net *net)
{
	size_t i;
	int rc;

	for (i = 0; transports[i] != NULL; i++)
		if (transports[i]->listen != NULL &&
		    (rc = transports[i]->listen(net)) != 0)
			return rc;
	return 0;
}

void
transport_stop(struct net *net)
{
	size_t i;

	for (i = 0; transports[i] != NULL; i++)
		if (transports[i]->stop != NULL)
			transports[i]->stop(net);
}
