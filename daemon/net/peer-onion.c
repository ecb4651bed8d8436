/*
 * peer-onion.c — the network side of onion services (tor.h): the Unix
 * socket that this member's onion service forwards to (connections that
 * came through tor), dialing .onion addresses through tor's SOCKS port
 * (socks5.h), and what changes when tor is ready or the onion address
 * becomes known.  See docs/protocol.md "Onion services".
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

/* ---- the onion service's socket ---- */

static void
on_onion_connection(uv_stream_t *server, int status)
{
	peer_listen_accept(server, status, 1);
}

int
peer_onion_listen_start(struct net *net)
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

/* ---- dialing through SOCKS ---- */

static void on_socks_connect(uv_connect_t *req, int status);

int
peer_onion_dial(struct net_conn *c, const char *socks)
{
	struct sockaddr_storage ss;

	c->connect.data = c;
	c->via_tor = 1;
	if (strncmp(socks, "unix:", 5) == 0) {
		uv_pipe_connect(&c->connect, &c->pipe, socks + 5,
		    on_socks_connect);
		return 0;
	}
	if (net_addr_parse(socks, &ss) != 0)
		return BAL_EINVAL;
	return uv_tcp_connect(&c->connect, &c->tcp, (struct sockaddr *)&ss,
	    on_socks_connect) == 0 ? 0 : BAL_EIO;
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
		snprintf(why, sizeof(why), "cannot reach tor's SOCKS port "
		    "(%s)", uv_strerror(status));
		peer_conn_drop(c, -1, RL_PENDING, why);
		return;
	}
	c->state = C_SOCKS;
	c->socks_len = 0;
	c->socks_stage = 0;
	socks5_greeting(greet);
	if (socks_write(c, greet, sizeof(greet)) != 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, peer_on_alloc,
	    peer_on_read) != 0)
		peer_conn_drop(c, -1, RL_PENDING, "cannot write to tor");
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

ssize_t
peer_onion_feed(struct net_conn *c, const uint8_t *data, size_t len)
{
	uint8_t req[SOCKS5_REQUEST_MAX], rep = 0;
	char host[ONION_HOST_LEN + 1];
	uint16_t port;
	size_t take, used, rlen;
	int rc;

	take = sizeof(c->socks_buf) - c->socks_len;
	if (take > len)
		take = len;
	if (take > 0)
		memcpy(c->socks_buf + c->socks_len, data, take);
	c->socks_len += take;
	if (c->socks_stage == 0) {
		rc = socks5_method_parse(c->socks_buf, c->socks_len);
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
		c->socks_stage = 1;
	} else {
		rc = socks5_reply_parse(c->socks_buf, c->socks_len, &rep,
		    &used);
		if (rc == BAL_EAGAIN) {
			if (c->socks_len == sizeof(c->socks_buf)) {
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
		c->socks_stage = 2;
	}
	/* What came after the message belongs to the next stage. */
	if (used < c->socks_len) {
		if (c->socks_stage < 2) {
			memmove(c->socks_buf, c->socks_buf + used,
			    c->socks_len - used);
			c->socks_len -= used;
			return peer_onion_feed(c, NULL, 0) < 0 ? BAL_EPROTO :
			    (ssize_t)take;
		}
		/* The server speaks after us: nothing may follow. */
		peer_conn_drop(c, -1, RL_PENDING, "bytes before the handshake");
		return BAL_EPROTO;
	}
	c->socks_len = 0;
	if (c->socks_stage == 2)
		peer_dial_handshake(c);
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
		if (t->conn == NULL && onion_addr_is(t->addr)) {
			t->fails = 0;
			peer_dial_schedule(t, 1);
		}
}
