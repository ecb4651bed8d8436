/*
 * transport-tcp.c — direct TCP (transport.h): dialing numeric IPv4 and
 * bracketed IPv6 addresses at once, and host names (dynamic DNS) after
 * looking them up with libuv's uv_getaddrinfo at each dial; the TCP
 * listener on d->listen (a host name there is looked up once, at start).  Addresses found on the LAN are dialed the same
 * way.  See docs/protocol.md "Connections".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>

#include "addr.h"
#include "onion.h"
#include "peer-int.h"
#include "transport.h"

/* A host name being looked up for a dial: c->tpctx until known. */
struct resolve {
	uv_getaddrinfo_t req;
	struct net_conn *c;		/* NULL once the connection closed */
};

/* HOST:PORT with a numeric IP, "localhost" or a host name; no onion. */
static int
tcp_match(const char *addr)
{
	return !onion_addr_is(addr) && net_addr_parse(addr, NULL) == 0;
}

static void
on_connect(uv_connect_t *req, int status)
{
	struct net_conn *c = req->data;
	struct target *t = c->target;

	if (status == UV_ECANCELED || c->closing)
		return;
	if (status < 0) {
		if (t != NULL && t->fails == 0)
			daemon_log("cannot reach %s: %s (will retry)",
			    c->addr, uv_strerror(status));
		peer_conn_close(c, -1, uv_strerror(status));
		return;
	}
	transport_connected(c);
}

/*
 * A dial's host name is known (or not): connect to its first address,
 * IPv4 first (a daemon on 127.0.0.1 is not on ::1), or fail like a dial.
 */
static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct resolve *r = req->data;
	struct net_conn *c = r->c;
	struct addrinfo *ai, *pick = NULL;
	struct sockaddr_storage ss;
	char why[160];
	int rc;

	free(r);
	if (c == NULL) {		/* closed meanwhile */
		uv_freeaddrinfo(res);
		return;
	}
	c->tpctx = NULL;
	for (ai = res; status == 0 && ai != NULL; ai = ai->ai_next)
		if ((ai->ai_family == AF_INET && (pick == NULL ||
		    pick->ai_family != AF_INET)) ||
		    (ai->ai_family == AF_INET6 && pick == NULL))
			pick = ai;
	if (pick == NULL) {
		snprintf(why, sizeof(why), N_("cannot look up the name: %s"),
		    status != 0 ? uv_strerror(status) : "no address");
		if (c->target == NULL || c->target->fails == 0)
			daemon_log("cannot reach %s: %s (will retry)", c->addr,
			    why);
		uv_freeaddrinfo(res);
		peer_conn_close(c, -1, why);
		return;
	}
	/* Where the name led: status shows one peer for both names. */
	if (c->target != NULL && pick->ai_addrlen <= sizeof(ss)) {
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, pick->ai_addr, pick->ai_addrlen);
		peer_sockaddr_text(&ss, c->target->resolved,
		    sizeof(c->target->resolved));
	}
	rc = uv_tcp_connect(&c->connect, &c->tcp, pick->ai_addr, on_connect);
	uv_freeaddrinfo(res);
	if (rc != 0)
		peer_conn_close(c, -1, uv_strerror(rc));
}

/* Looks up c's host name (libuv's getaddrinfo), then connects. */
static int
dial_by_name(struct net_conn *c, const char *addr)
{
	struct addr_parts a;
	struct addrinfo hints;
	struct resolve *r;
	char port[8];

	if (addr_split(addr, &a) != 0 || (r = calloc(1, sizeof(*r))) == NULL)
		return BAL_EINVAL;
	snprintf(port, sizeof(port), "%u", (unsigned)a.port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r->c = c;
	r->req.data = r;
	if (uv_getaddrinfo(c->net->d->loop, &r->req, on_resolved, a.host, port,
	    &hints) != 0) {
		free(r);
		return BAL_EIO;
	}
	c->tpctx = r;
	return 0;
}

static struct net_conn *
tcp_dial(struct net *net, const char *addr)
{
	struct sockaddr_storage ss;
	struct net_conn *c;
	int named = 0;

	if (net_addr_parse(addr, &ss) != 0) {
		if (net_addr_parse(addr, NULL) != 0)
			return NULL;
		named = 1;	/* a host name */
	}
	if ((c = transport_conn_new(net, &transport_tcp, addr, 0)) == NULL)
		return NULL;
	if ((named ? dial_by_name(c, addr) : uv_tcp_connect(&c->connect,
	    &c->tcp, (struct sockaddr *)&ss, on_connect)) != 0) {
		peer_conn_close(c, -1, NULL);
		return NULL;
	}
	return c;
}

/* A name still being looked up: its callback frees the request. */
static void
tcp_close(struct net_conn *c)
{
	struct resolve *r = c->tpctx;

	if (r == NULL)
		return;
	r->c = NULL;
	uv_cancel((uv_req_t *)&r->req);
	c->tpctx = NULL;
}

/* ---- the listener ---- */

static void
on_connection(uv_stream_t *server, int status)
{
	peer_listen_accept(server, status, &transport_tcp);
}

/*
 * The socket address of d->listen: a numeric one as it is, a host name
 * (e.g. the machine's name on its LAN) looked up with libuv's getaddrinfo,
 * synchronously (once, at start), its first IPv4 address first.  0, or a
 * libuv error (UV_EINVAL: not HOST:PORT; UV_EAI_*: the name's lookup).
 */
static int
listen_addr(const char *listen, uv_loop_t *loop, struct sockaddr_storage *ss)
{
	struct addr_parts a;
	struct addrinfo hints, *ai, *pick = NULL;
	uv_getaddrinfo_t req;
	char port[8];
	int rc;

	if (net_addr_parse(listen, ss) == 0)
		return 0;
	if (addr_split(listen, &a) != 0 || a.kind != ADDR_NAME)
		return UV_EINVAL;
	snprintf(port, sizeof(port), "%u", (unsigned)a.port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = uv_getaddrinfo(loop, &req, NULL, a.host, port, &hints)) != 0)
		return rc;
	for (ai = req.addrinfo; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == AF_INET || (pick == NULL &&
		    ai->ai_family == AF_INET6)) {
			pick = ai;
			if (ai->ai_family == AF_INET)
				break;
		}
	if (pick != NULL && pick->ai_addrlen <= sizeof(*ss))
		memcpy(ss, pick->ai_addr, pick->ai_addrlen);
	else
		rc = UV_EAI_NONAME;
	uv_freeaddrinfo(req.addrinfo);
	return rc;
}

/* Listens on d->listen, unless it is empty (--listen none). */
static int
tcp_listen(struct net *net)
{
	struct daemon *d = net->d;
	struct sockaddr_storage ss;
	int namelen = sizeof(ss), rc;
	char bound[DAEMON_ADDR_MAX];

	if (d->listen[0] == '\0')
		return 0;
	memset(&ss, 0, sizeof(ss));
	if ((rc = listen_addr(d->listen, d->loop, &ss)) != 0) {
		if (rc == UV_EINVAL)
			daemon_log("bad listen address '%s' (want HOST:PORT)",
			    d->listen);
		else
			daemon_log("cannot listen on %s: the name does not "
			    "resolve (%s)", d->listen, uv_strerror(rc));
		d->listen_error = rc;
		return BAL_EINVAL;
	}
	uv_tcp_init(d->loop, &net->listener);
	net->listener.data = net;
	net->handles++;
	net->listening = 1;
	if ((rc = uv_tcp_bind(&net->listener, (struct sockaddr *)&ss, 0)) !=
	    0 || (rc = uv_listen((uv_stream_t *)&net->listener, 64,
	    on_connection)) != 0) {
		daemon_log("cannot listen on %s: %s", d->listen,
		    uv_strerror(rc));
		d->listen_error = rc;
		return BAL_EIO;
	}
	if (uv_tcp_getsockname(&net->listener, (struct sockaddr *)&ss,
	    &namelen) == 0) {
		peer_sockaddr_text(&ss, bound, sizeof(bound));
		snprintf(d->listen, sizeof(d->listen), "%s", bound);
	}
	daemon_log("listening on %s", d->listen);
	return 0;
}

static void
tcp_stop(struct net *net)
{
	if (net->listening)
		uv_close((uv_handle_t *)&net->listener, net_on_handle_closed);
}

const struct transport transport_tcp = {
	.name = "tcp",
	.via = "direct",
	.dial_timeout_ms = NET_HANDSHAKE_TIMEOUT_MS,
	.backoff_min_ms = NET_BACKOFF_MIN_MS,
	.backoff_max_ms = NET_BACKOFF_MAX_MS,
	.match = tcp_match,
	.dial = tcp_dial,
	.close = tcp_close,
	.listen = tcp_listen,
	.stop = tcp_stop,
};
