/*
 * transport-onion.c — onion services as a way of reaching a peer
 * (transport.h): dialing .onion addresses through tor's SOCKS port
 * (socks5.h), the Unix socket that this member's onion service forwards
 * to (connections that came through tor), and what changes when tor is
 * ready or the onion address becomes known.  See docs/protocol.md "Onion
 * services".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "group.h"
#include "onion.h"
#include "peer-int.h"
#include "socks5.h"
#include "tor.h"
#include "transport.h"

/* A dial's SOCKS exchange with tor: c->tpctx until the handshake. */
struct socks {
	uint8_t buf[SOCKS5_REPLY_MAX];
	size_t len;
	int stage;			/* 0 method, 1 reply, 2 done */
};

/* ---- the onion service's socket ---- */

static void
on_onion_connection(uv_stream_t *server, int status)
{
	peer_listen_accept(server, status, &transport_onion);
}

/* Listens on the onion service's Unix socket, when tor gives one. */
static int
onion_listen(struct net *net)
{
	struct daemon *d = net->d;
	const char *path = tor_onion_socket(d);
	int rc;

	if (path == NULL)
		return 0;
	/* A socket left by a daemon that was killed. */
	(void)unlink(path);
	uv_pipe_init(d->loop, &net->onion_listener, 0);
	net->onion_listener.data = net;
	net->handles++;
	net->onion_listening = 1;
	if ((rc = uv_pipe_bind(&net->onion_listener, path)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&net->onion_listener, 64,
	    on_onion_connection)) != 0) {
		daemon_log("cannot listen on %s for the onion service: %s",
		    path, uv_strerror(rc));
		return BAL_EIO;
	}
	return 0;
}

static void
onion_stop(struct net *net)
{
	if (net->onion_listening)
		uv_close((uv_handle_t *)&net->onion_listener,
		    net_on_handle_closed);
}

/* ---- dialing through SOCKS ---- */

static const char *
onion_unready(struct net *net, const char *addr, int *later)
{
	const char *why = NULL;

	(void)addr;
	if (tor_socks(net->d, &why) != NULL)
		return NULL;
	if (later != NULL)
		*later = tor_enabled(net->d);
	return why;
}

static void on_socks_connect(uv_connect_t *req, int status);

/* Connects to tor's SOCKS endpoint (a Unix socket or TCP), then C_PREAMBLE. */
static struct net_conn *
onion_dial(struct net *net, const char *addr)
{
	struct sockaddr_storage ss;
	struct net_conn *c;
	const char *socks;
	int pipe;

	if ((socks = tor_socks(net->d, NULL)) == NULL)
		return NULL;
	pipe = strncmp(socks, "unix:", 5) == 0;
	if (!pipe && net_addr_parse(socks, &ss) != 0)
		return NULL;
	if ((c = transport_conn_new(net, &transport_onion, addr, pipe)) ==
	    NULL)
		return NULL;
	if ((c->tpctx = calloc(1, sizeof(struct socks))) == NULL) {
		peer_conn_close(c, -1, NULL);
		return NULL;
	}
	if (pipe) {
		uv_pipe_connect(&c->connect, &c->pipe, socks + 5,
		    on_socks_connect);
		return c;
	}
	if (uv_tcp_connect(&c->connect, &c->tcp, (struct sockaddr *)&ss,
	    on_socks_connect) != 0) {
		peer_conn_close(c, -1, NULL);
		return NULL;
	}
	return c;
}

static void
onion_close(struct net_conn *c)
{
	free(c->tpctx);
	c->tpctx = NULL;
}

static int
socks_write(struct net_conn *c, const uint8_t *b, size_t n)
{
	uint8_t *buf;

	if ((buf = malloc(n)) == NULL)
		return BAL_ENOMEM;
	memcpy(buf, b, n);
	return peer_conn_write(c, buf, n);
}

static void
on_socks_connect(uv_connect_t *req, int status)
{
	struct net_conn *c = req->data;
	uint8_t greet[SOCKS5_GREETING_BYTES];
	char why[128];

	if (status == UV_ECANCELED || c->closing)
		return;
	if (status < 0) {
		snprintf(why, sizeof(why), N_("cannot reach tor's SOCKS port "
		    "(%s)"), uv_strerror(status));
		peer_conn_drop(c, -1, RL_PENDING, why);
		return;
	}
	c->state = C_PREAMBLE;
	socks5_greeting(greet);
	if (socks_write(c, greet, sizeof(greet)) != 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, peer_on_alloc,
	    peer_on_read) != 0) {
		peer_conn_drop(c, -1, RL_PENDING, "cannot write to tor");
		return;
	}
	c->reading = 1;
}

/* The SOCKS reply failed: says why, and whether a retry may help. */
static void
socks_failed(struct net_conn *c, uint8_t rep)
{
	char why[160];

	c->tor_retry = socks5_reply_retry(rep);
	snprintf(why, sizeof(why), "%s", socks5_reply_text(rep));
	peer_conn_drop(c, -1, RL_PENDING, why);
}

/*
 * The SOCKS exchange: the method tor chose, then our request's reply;
 * at the end the handshake starts.
 */
static ssize_t
onion_feed(struct net_conn *c, const uint8_t *data, size_t len)
{
	struct socks *sk = c->tpctx;
	uint8_t req[SOCKS5_REQUEST_MAX], rep = 0;
	char host[ONION_HOST_LEN + 1];
	uint16_t port;
	size_t take, used, rlen;
	int rc;

	take = sizeof(sk->buf) - sk->len;
	if (take > len)
		take = len;
	if (take > 0)
		memcpy(sk->buf + sk->len, data, take);
	sk->len += take;
	if (sk->stage == 0) {
		rc = socks5_method_parse(sk->buf, sk->len);
		if (rc == BAL_EAGAIN)
			return (ssize_t)take;
		if (rc != 0) {
			peer_conn_drop(c, -1, RL_PENDING, rc == BAL_EPERM ?
			    "tor's SOCKS port wants a password" :
			    "tor's SOCKS port answered garbage");
			return BAL_EPROTO;
		}
		used = SOCKS5_METHOD_BYTES;
		if (onion_addr_parse(c->addr, host, &port) != 0 ||
		    socks5_request(host, port, req, sizeof(req),
		    &rlen) != 0 || socks_write(c, req, rlen) != 0) {
			peer_conn_drop(c, -1, RL_PENDING, "cannot ask tor");
			return BAL_EPROTO;
		}
		sk->stage = 1;
	} else {
		rc = socks5_reply_parse(sk->buf, sk->len, &rep,
		    &used);
		if (rc == BAL_EAGAIN) {
			if (sk->len == sizeof(sk->buf)) {
				peer_conn_drop(c, -1, RL_PENDING,
				    "tor's SOCKS reply is too long");
				return BAL_EPROTO;
			}
			return (ssize_t)take;
		}
		if (rc != 0) {
			peer_conn_drop(c, -1, RL_PENDING,
			    "tor's SOCKS port answered garbage");
			return BAL_EPROTO;
		}
		if (rep != SOCKS5_REP_OK) {
			socks_failed(c, rep);
			return BAL_EPROTO;
		}
		sk->stage = 2;
	}
	/* What came after the message belongs to the next stage. */
	if (used < sk->len) {
		if (sk->stage < 2) {
			memmove(sk->buf, sk->buf + used,
			    sk->len - used);
			sk->len -= used;
			return onion_feed(c, NULL, 0) < 0 ? BAL_EPROTO :
			    (ssize_t)take;
		}
		/* The server speaks after us: nothing may follow. */
		peer_conn_drop(c, -1, RL_PENDING, "bytes before the handshake");
		return BAL_EPROTO;
	}
	sk->len = 0;
	if (sk->stage == 2) {
		onion_close(c);		/* the exchange is over */
		transport_connected(c);
	}
	return (ssize_t)take;
}

/* ---- tor's state changed ---- */

void
net_tor_changed(struct daemon *d)
{
	struct net *net = d->net;
	struct group *g;
	struct target *t;

	if (net == NULL || net->stopping)
		return;
	for (g = d->groups; g != NULL; g = g->next)
		net_announce(d, g);
	if (tor_socks(d, NULL) == NULL)
		return;
	for (t = net->targets; t != NULL; t = t->next)
		if (t->conn == NULL && t->tp == &transport_onion) {
			t->fails = 0;
			peer_dial_schedule(t, 1);
		}
}

const struct transport transport_onion = {
	.name = "onion",
	.via = "onion",
	.tor = 1,
	.dial_timeout_ms = NET_ONION_TIMEOUT_MS,
	.backoff_min_ms = NET_ONION_BACKOFF_MIN_MS,
	.backoff_max_ms = NET_ONION_BACKOFF_MAX_MS,
	.preamble_late = "tor did not reach the onion service in time",
	.match = onion_addr_is,
	.unready = onion_unready,
	.dial = onion_dial,
	.feed = onion_feed,
	.close = onion_close,
	.listen = onion_listen,
	.stop = onion_stop,
};
