/*
 * punch.c — TCP hole punching between two members behind NATs, introduced
 * by a third member both have a session with (docs/protocol.md "Hole
 * punching").  PUNCH messages travel on the sessions: the asker sends ASK
 * (its bound local port) to a relay, the relay sends OFFER (the asker's
 * address as the relay sees it, and that port) to the member asked for,
 * who binds a port of its own, answers ANSWER, and connects; the relay
 * passes that on as GO (the answerer's address as it sees it, its port),
 * and the asker connects too.  Both connect() from the port they bound
 * (SO_REUSEADDR, SO_REUSEPORT) to the other's public address and port:
 * a simultaneous open that NATs which keep a connection's source port (or
 * map it the same for every destination) let through.  The member with
 * the smaller key runs the handshake's client side, the other its server
 * side; from then on it is a session like any other, and it replaces a
 * session through tor (peer-session.c's rule for a new session).  A
 * failure costs a log line; the member is asked for again after
 * PUNCH_RETRY_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sodium.h>

#include "addr.h"
#include "group.h"
#include "punch-int.h"
#include "roster.h"
#include "settings.h"
#include "transport.h"

/* pk's session up in group (direct: not through tor), or NULL. */
struct net_conn *
punch_session(struct net *net, const uint8_t *group, const uint8_t *pk,
    int direct)
{
	struct net_conn *o;

	for (o = net->conns; o != NULL; o = o->next)
		if (!o->closing && o->state == C_UP && o->g != NULL &&
		    (!direct || !o->via_tor) &&
		    memcmp(o->g->id, group, BAL_GROUP_ID_BYTES) == 0 &&
		    memcmp(o->remote_pk, pk, BAL_PK_BYTES) == 0)
			return o;
	return NULL;
}

/* The IP address c's peer comes from (not through tor), else -1. */
static int
seen_host(struct net_conn *c, char *host, size_t len)
{
	struct sockaddr_storage ss;
	int namelen = sizeof(ss);

	if (c->is_pipe || c->via_tor || uv_tcp_getpeername(&c->tcp,
	    (struct sockaddr *)&ss, &namelen) != 0 || ss.ss_family != AF_INET)
		return -1;
	if (uv_ip4_name((struct sockaddr_in *)&ss, host, len) != 0)
		return -1;
	/* Two members on this machine dial each other; nothing to punch. */
	return addr_is_loopback(host) ? -1 : 0;
}

/* A socket bound to a free port of every IPv4 address, to connect from. */
static int
bind_port(uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
#ifdef SO_REUSEPORT
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
#endif
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * A new attempt with member of group, on a freshly bound port; relay: the
 * session asked (then it waits PUNCH_WAIT_MS for the answer), or NULL.
 */
struct punch *
punch_new(struct net *net, const uint8_t *group, const uint8_t *member,
    struct net_conn *relay)
{
	struct punch *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->fd = bind_port(&p->port)) < 0) {
		daemon_log("punch: cannot bind a port: %s", strerror(errno));
		free(p);
		return NULL;
	}
	memcpy(p->group, group, BAL_GROUP_ID_BYTES);
	memcpy(p->member, member, BAL_PK_BYTES);
	if ((p->relay = relay) != NULL)
		p->until = uv_now(net->d->loop) + PUNCH_WAIT_MS;
	p->next = net->punch->list;
	net->punch->list = p;
	return p;
}

void
punch_free(struct net *net, struct punch *p)
{
	struct punch **pp;

	for (pp = &net->punch->list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

struct punch *
punch_find(struct net *net, const uint8_t *group, const uint8_t *member)
{
	struct punch *p;

	for (p = net->punch->list; p != NULL; p = p->next)
		if (memcmp(p->group, group, BAL_GROUP_ID_BYTES) == 0 &&
		    memcmp(p->member, member, BAL_PK_BYTES) == 0)
			return p;
	return NULL;
}

int
punch_send(struct net_conn *c, int op, const uint8_t *member,
    const char *host, uint16_t port)
{
	struct wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUNCH;
	m.punch.op = (uint8_t)op;
	memcpy(m.punch.member, member, BAL_PK_BYTES);
	m.punch.host = host;
	m.punch.port = port;
	return peer_conn_send_msg(c, &m);
}

static void
on_punch_connect(uv_connect_t *req, int status)
{
	struct net_conn *c = req->data;

	if (status == UV_ECANCELED || c->closing)
		return;
	if (status < 0) {
		daemon_log("punch: %s: %s", c->addr, uv_strerror(status));
		peer_conn_close(c, -1, uv_strerror(status));
		return;
	}
	daemon_log("punch: connected to %s, handshake as %s", c->addr,
	    c->outgoing ? "client" : "server");
	if (c->outgoing) {
		transport_connected(c);
		return;
	}
	/* The server's side, as if the listener had accepted it. */
	c->state = C_HANDSHAKE;
	c->rx_ms = uv_now(c->net->d->loop);
	c->pending = 1;
	c->net->npending++;
	uv_tcp_nodelay(&c->tcp, 1);
	uv_timer_start(&c->timer, peer_on_timer, NET_HANDSHAKE_TIMEOUT_MS, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, peer_on_alloc,
	    peer_on_read) != 0)
		peer_conn_close(c, -1, "cannot read");
	c->reading = 1;
}

/*
 * Connects p's bound socket to host:port.  The smaller member key is the
 * handshake's client; both sides connect (a simultaneous open).
 */
void
punch_connect(struct net *net, struct punch *p, const char *host,
    uint16_t port)
{
	struct daemon *d = net->d;
	struct sockaddr_in sin;
	struct net_conn *c;
	struct group *g;
	char addr[DAEMON_ADDR_MAX];
	uint8_t (*keys)[32] = NULL;
	size_t n = 0;
	int client = memcmp(d->id->pk, p->member, BAL_PK_BYTES) < 0, rc;

	snprintf(addr, sizeof(addr), "%s:%u", host, (unsigned)port);
	/*
	 * A TCP connection like transport-tcp.c's, but from the bound port
	 * and started by a PUNCH rather than a dial target (no transport of
	 * its own: a backend dials an address, this needs the socket).
	 */
	if ((g = group_find(d, p->group)) == NULL ||
	    uv_ip4_addr(host, port, &sin) != 0 ||
	    (c = transport_conn_new(net, &transport_tcp, addr, 0)) == NULL)
		goto fail;
	c->outgoing = client;
	c->g = g;
	if ((rc = uv_tcp_open(&c->tcp, p->fd)) != 0) {
		peer_conn_close(c, -1, uv_strerror(rc));
		goto fail;
	}
	p->fd = -1;		/* the connection's now */
	c->punched = 1;		/* status says so */
	if (client) {
		if ((keys = sodium_malloc(NET_KEYS_PER_GROUP * 32)) == NULL ||
		    group_network_keys(g, keys, NET_KEYS_PER_GROUP, &n) != 0 ||
		    n == 0 || shs_client_new(keys[0], d->id, p->member, NULL,
		    &c->shs) != 0) {
			sodium_free(keys);
			peer_conn_close(c, -1, "no network key");
			goto fail;
		}
		sodium_free(keys);
	}
	daemon_log("punch: connecting to %s from port %u", c->addr,
	    (unsigned)p->port);
	if ((rc = uv_tcp_connect(&c->connect, &c->tcp,
	    (const struct sockaddr *)&sin, on_punch_connect)) != 0)
		peer_conn_close(c, -1, uv_strerror(rc));
	punch_free(net, p);
	return;
fail:
	daemon_log("punch: cannot connect to %s:%u", host, (unsigned)port);
	punch_free(net, p);
}

/* ---- the relay ---- */

static void
relay_ask(struct net_conn *c, const struct wire_msg *m)
{
	struct net *net = c->net;
	struct net_conn *t;
	struct intro *in, *free_in = NULL;
	char host[INET6_ADDRSTRLEN];
	uint64_t now = uv_now(net->d->loop);
	size_t i;

	if ((t = punch_session(net, c->g->id, m->punch.member, 0)) == NULL ||
	    memcmp(m->punch.member, c->remote_pk, BAL_PK_BYTES) == 0 ||
	    seen_host(c, host, sizeof(host)) != 0) {
		daemon_log("punch: %s asks for a member this one has no direct "
		    "session with; not introduced", c->addr);
		return;
	}
	/* An OFFER would end the session of a member that cannot take it. */
	if ((t->caps & WIRE_CAP_PUNCH) == 0) {
		daemon_log("punch: %s asks for a member whose software does "
		    "not announce punch; not introduced", c->addr);
		return;
	}
	for (i = 0; i < PUNCH_INTROS; i++) {
		in = &net->punch->intros[i];
		if (in->until <= now || (memcmp(in->asker, c->remote_pk,
		    BAL_PK_BYTES) == 0 && memcmp(in->target, m->punch.member,
		    BAL_PK_BYTES) == 0)) {
			free_in = in;
			break;
		}
	}
	if (free_in == NULL)
		return;		/* 16 introductions under way: later */
	memcpy(free_in->group, c->g->id, BAL_GROUP_ID_BYTES);
	memcpy(free_in->asker, c->remote_pk, BAL_PK_BYTES);
	memcpy(free_in->target, m->punch.member, BAL_PK_BYTES);
	free_in->port = m->punch.port;
	free_in->until = now + PUNCH_WAIT_MS;
	daemon_log("punch: introducing %s (seen at %s:%u) to %s", c->addr,
	    host, (unsigned)m->punch.port, t->addr);
	(void)punch_send(t, WIRE_PUNCH_OFFER, c->remote_pk, host,
	    m->punch.port);
}

static void
relay_answer(struct net_conn *c, const struct wire_msg *m)
{
	struct net *net = c->net;
	struct net_conn *a;
	struct intro *in;
	char host[INET6_ADDRSTRLEN];
	uint64_t now = uv_now(net->d->loop);
	size_t i;

	for (i = 0; i < PUNCH_INTROS; i++) {
		in = &net->punch->intros[i];
		if (in->until > now && memcmp(in->group, c->g->id,
		    BAL_GROUP_ID_BYTES) == 0 && memcmp(in->target,
		    c->remote_pk, BAL_PK_BYTES) == 0 && memcmp(in->asker,
		    m->punch.member, BAL_PK_BYTES) == 0)
			break;
	}
	if (i == PUNCH_INTROS)
		return;		/* nobody asked: an ANSWER of nothing */
	in->until = 0;
	if ((a = punch_session(net, c->g->id, m->punch.member, 0)) == NULL ||
	    seen_host(c, host, sizeof(host)) != 0)
		return;
	(void)punch_send(a, WIRE_PUNCH_GO, c->remote_pk, host,
	    m->punch.port);
}

/* ---- the two ends ---- */

/*
 * 1 when host (from the relay, or the other end over tor: public) may be
 * connected to: one other host's IPv4 address, never this machine's own,
 * loopback, 0/8, link-local, multicast or broadcast (a relay must not aim
 * this daemon at itself or at the whole link); public: also a public address, or one
 * in the subnet of one of this machine's interfaces (the same LAN).
 * Else a log line and 0.
 */
int
punch_host_ok(const struct net_conn *c, const char *host, uint16_t port,
    int public)
{
	struct sockaddr_in sin;
	uint8_t a[4];

	/* Never at this machine itself: a relay cannot aim us at our own
	 * services (threat-model.md). */
	if (port != 0 && inet_pton(AF_INET, host, a) == 1 &&
	    addr_ipv4_unicast(a) && !punch_local_has(host) &&
	    (!public || addr_ipv4_global(a) ||
	    (uv_ip4_addr(host, port, &sin) == 0 &&
	    lan_on_link((const struct sockaddr *)&sin))))
		return 1;
	daemon_log("punch: %s names %.64s:%u, %s; not connected", c->addr,
	    host, (unsigned)port, public ? "neither a public address nor "
	    "one on this LAN, or this machine's own" : "no unicast IPv4 "
	    "address, or this machine's own");
	return 0;
}

static void
end_offer(struct net_conn *c, const struct wire_msg *m)
{
	struct net *net = c->net;
	struct punch *p;

	if (punch_session(net, c->g->id, m->punch.member, 0) != NULL ||
	    memcmp(m->punch.member, net->d->id->pk, BAL_PK_BYTES) == 0 ||
	    c->g->roster == NULL || !roster_is_active(c->g->roster,
	    m->punch.member) || group_tor_only(c->g))
		return;
	/*
	 * One answer per member per PUNCH_ANSWER_GAP_MS, however many
	 * OFFERs come: a member cannot make this daemon connect to
	 * addresses of its choice at any rate (nor log refusals at any).
	 */
	if (!punch_may(net->punch->answered, &net->punch->nanswered, c->g->id,
	    m->punch.member, uv_now(net->d->loop), PUNCH_ANSWER_GAP_MS, 0))
		return;
	/*
	 * Not over an onion session: the relay knows this member only by
	 * its onion, and answering would show it this member's IP address.
	 */
	if (c->is_pipe || c->via_tor) {
		daemon_log("punch: an OFFER from %s through tor; not answered",
		    c->addr);
		return;
	}
	if (!punch_host_ok(c, m->punch.host, m->punch.port, 0))
		return;
	if ((p = punch_find(net, c->g->id, m->punch.member)) != NULL) {
		/* Both asked at once: the smaller key's ask goes on. */
		if (memcmp(net->d->id->pk, m->punch.member, BAL_PK_BYTES) < 0)
			return;
		punch_free(net, p);
	}
	if ((p = punch_new(net, c->g->id, m->punch.member, NULL)) == NULL)
		return;
	if (punch_send(c, WIRE_PUNCH_ANSWER, m->punch.member, "",
	    p->port) != 0) {
		punch_free(net, p);
		return;
	}
	punch_connect(net, p, m->punch.host, m->punch.port);
}

static void
end_go(struct net_conn *c, const struct wire_msg *m)
{
	struct punch *p = punch_find(c->net, c->g->id, m->punch.member);

	if (p == NULL || p->relay != c || p->fd < 0)
		return;		/* not asked through this session */
	if (!punch_host_ok(c, m->punch.host, m->punch.port, 0))
		return;
	punch_connect(c->net, p, m->punch.host, m->punch.port);
}

void
punch_on_msg(struct net_conn *c, const struct wire_msg *m)
{
	if (c->net->punch == NULL || c->g == NULL ||
	    (!c->net->punch->on && m->punch.op != WIRE_PUNCH_SEEN))
		return;		/* punching is off here: ignored */
	switch (m->punch.op) {
	case WIRE_PUNCH_ASK:
		relay_ask(c, m);
		break;
	case WIRE_PUNCH_OFFER:
		end_offer(c, m);
		break;
	case WIRE_PUNCH_ANSWER:
		relay_answer(c, m);
		break;
	case WIRE_PUNCH_GO:
		end_go(c, m);
		break;
	default:	/* SEEN, CALL, CALLED */
		punch_onion_on_msg(c, m);
		break;
	}
}

/* ---- asking ---- */

static struct tried *
tried_find(const struct tried *tab, size_t n, const uint8_t *group,
    const uint8_t *member)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(tab[i].group, group, BAL_GROUP_ID_BYTES) == 0 &&
		    memcmp(tab[i].member, member, BAL_PK_BYTES) == 0)
			return (struct tried *)&tab[i];
	return NULL;
}

/*
 * A full table forgets only a member whose gap is over: evicting one
 * still running would let a member with more than PUNCH_TRIED others
 * lift the limit by cycling through them.  A member whose attempts keep
 * failing (a NAT that changes ports, a relay that cannot introduce) is
 * tried a minute later, then two, four... up to an hour: a log line or
 * two an hour, not one a minute.
 */
int
punch_may(struct tried *tab, size_t *n, const uint8_t *group,
    const uint8_t *member, uint64_t now, uint64_t gap, int grow)
{
	struct tried *t = tried_find(tab, *n, group, member);
	size_t i;

	if (t != NULL && t->next > now)
		return 0;
	if (t == NULL) {
		if (*n < PUNCH_TRIED)
			t = &tab[(*n)++];
		else {	/* forget the one due first, if it is due */
			for (t = &tab[0], i = 1; i < PUNCH_TRIED; i++)
				if (tab[i].next < t->next)
					t = &tab[i];
			if (t->next > now)
				return 0;
		}
		memcpy(t->group, group, BAL_GROUP_ID_BYTES);
		memcpy(t->member, member, BAL_PK_BYTES);
		t->gap = 0;
	}
	if (grow && t->gap != 0)
		gap = t->gap >= PUNCH_RETRY_MAX_MS / 2 ? PUNCH_RETRY_MAX_MS :
		    t->gap * 2 > gap ? t->gap * 2 : gap;
	t->gap = gap;
	t->next = now + gap;
	return 1;
}

void
punch_tried_reset(struct tried *tab, size_t n, const uint8_t *group,
    const uint8_t *member)
{
	struct tried *t = tried_find(tab, n, group, member);

	if (t != NULL)
		t->gap = 0;
}

uint64_t
punch_tried_left(const struct tried *tab, size_t n, const uint8_t *group,
    const uint8_t *member, uint64_t now)
{
	const struct tried *t = tried_find(tab, n, group, member);

	return t != NULL && t->next > now ? t->next - now : 0;
}

static void
ask(struct net *net, struct group *g, const uint8_t *member)
{
	struct net_conn *o, *relay = NULL;
	struct punch *p;
	char host[INET6_ADDRSTRLEN];

	for (o = net->conns; o != NULL && relay == NULL; o = o->next)
		if (!o->closing && o->state == C_UP && o->g == g &&
		    (o->caps & WIRE_CAP_PUNCH) != 0 &&
		    memcmp(o->remote_pk, member, BAL_PK_BYTES) != 0 &&
		    seen_host(o, host, sizeof(host)) == 0)
			relay = o;
	if (relay == NULL || !punch_may(net->punch->tried, &net->punch->ntried,
	    g->id, member, uv_now(net->d->loop), net->punch->retry_ms, 1) ||
	    (p = punch_new(net, g->id, member, relay)) == NULL)
		return;
	daemon_log("punch: asking %s to introduce a member with no session "
	    "(from port %u)", relay->addr, (unsigned)p->port);
	if (punch_send(relay, WIRE_PUNCH_ASK, member, "", p->port) != 0)
		punch_free(net, p);
}

static void
on_tick(uv_timer_t *t)
{
	struct net *net = t->data;
	struct punches *ps = net->punch;
	struct punch *p, *next;
	struct group *g;
	uint64_t now = uv_now(net->d->loop);
	size_t i;

	for (p = ps->list; p != NULL; p = next) {
		next = p->next;
		if (p->until != 0 && p->until <= now) {
			daemon_log("punch: no answer through %s in %d s; given "
			    "up (asked again in %llu s)", p->relay != NULL ?
			    p->relay->addr : "?", PUNCH_WAIT_MS / 1000,
			    (unsigned long long)punch_tried_left(ps->tried,
			    ps->ntried, p->group, p->member, now) / 1000);
			punch_free(net, p);
		}
	}
	if (net->stopping || now - ps->start < PUNCH_GRACE_MS)
		return;
	/* Once a start: from here SEEN and punches go (tests wait for it). */
	if (!ps->graced)
		daemon_log("punch: the start's %d s are over: SEEN to each "
		    "direct session, punching for members with none",
		    PUNCH_GRACE_MS / 1000);
	ps->graced = 1;
	punch_onion_tick(net);
	for (g = net->d->groups; g != NULL; g = g->next) {
		if (g->roster == NULL || group_tor_only(g) ||
		    !roster_is_active(g->roster, net->d->id->pk))
			continue;
		for (i = 0; i < g->roster->nmembers; i++) {
			const uint8_t *pk = g->roster->members[i].pk;

			/* A direct session: its next attempts start afresh. */
			if (punch_session(net, g->id, pk, 1) != NULL)
				punch_tried_reset(ps->tried, ps->ntried, g->id,
				    pk);
			if (g->roster->members[i].status != ROSTER_ACTIVE ||
			    memcmp(pk, net->d->id->pk, BAL_PK_BYTES) == 0 ||
			    punch_session(net, g->id, pk, 0) != NULL ||
			    punch_find(net, g->id, pk) != NULL)
				continue;
			ask(net, g, pk);
		}
	}
}

/* A session ended: attempts asked through it wait for nothing more. */
void
punch_conn_gone(struct net_conn *c)
{
	struct punch *p;

	if (c->net->punch == NULL)
		return;
	for (p = c->net->punch->list; p != NULL; p = p->next)
		if (p->relay == c)
			p->relay = NULL;
}

static void
on_tick_closed(uv_handle_t *h)
{
	struct net *net = h->data;

	free(net->punch);
	net->punch = NULL;
	net_handle_gone(net);
}

/*
 * On unless the settings' "hole-punching" says off; without that line,
 * PUNCH_ENV=off (the tests' default) turns it off.
 */
void
punch_start(struct net *net)
{
	const char *e = getenv(PUNCH_ENV);
	struct settings set;
	struct punches *ps;
	char *end;
	unsigned long v;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return;
	(void)settings_load(&set);
	ps->on = set.punch[0] != '\0' ? strcmp(set.punch, "on") == 0 :
	    e == NULL || strcmp(e, "off") != 0;
	ps->retry_ms = PUNCH_RETRY_MS;
	if ((e = getenv(PUNCH_RETRY_ENV)) != NULL && *e != '\0') {
		v = strtoul(e, &end, 10);
		if (*end == '\0' && v >= 500 && v <= PUNCH_RETRY_MS)
			ps->retry_ms = v;
	}
	ps->start = uv_now(net->d->loop);
	uv_timer_init(net->d->loop, &ps->tick);
	ps->tick.data = net;
	net->handles++;
	net->punch = ps;
	punch_onion_load(net);
	/* Off: nothing sent or answered; a SEEN is still kept (for later). */
	if (ps->on)
		uv_timer_start(&ps->tick, on_tick, PUNCH_TICK_MS,
		    PUNCH_TICK_MS);
}

void
punch_stop(struct net *net)
{
	struct punches *ps = net->punch;

	if (ps == NULL)
		return;
	while (ps->list != NULL)
		punch_free(net, ps->list);
	uv_timer_stop(&ps->tick);
	uv_close((uv_handle_t *)&ps->tick, on_tick_closed);
}
