/*
 * punch-onion.c — hole punching between two members whose only session
 * goes through tor (docs/protocol.md "Hole punching", "Over an onion
 * session").  No third member sees both, and over tor neither sees the
 * other's address, so each names its own: the public address another
 * member last saw it come from over a direct session (PUNCH SEEN, sent by
 * every member with punching on at the start of each direct session, kept
 * in the store with its time), else the one its port mapping learned;
 * the port is the one it binds for the attempt, which a router that keeps
 * source ports (as SEEN showed it does) leaves as it is.  One member sends
 * CALL (its address and port) over the onion session, the other answers
 * CALLED (its own) and connects; the caller connects on CALLED: the same
 * simultaneous open as through a relay (punch.c), and the direct session
 * replaces the onion one.  A failure costs a log line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "group.h"
#include "punch-int.h"
#include "roster.h"
#include "store.h"

/* c's two ends as IPv4 text and ports (direct TCP sessions only): 0/-1. */
static int
conn_ends(struct net_conn *c, char *lhost, uint16_t *lport, char *rhost,
    uint16_t *rport)
{
	struct sockaddr_storage l, r;
	int ll = sizeof(l), rl = sizeof(r);

	if (c->is_pipe || c->via_tor ||
	    uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&l, &ll) != 0 ||
	    uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&r, &rl) != 0 ||
	    l.ss_family != AF_INET || r.ss_family != AF_INET ||
	    uv_ip4_name((struct sockaddr_in *)&l, lhost, INET_ADDRSTRLEN) ||
	    uv_ip4_name((struct sockaddr_in *)&r, rhost, INET_ADDRSTRLEN))
		return -1;
	*lport = ntohs(((struct sockaddr_in *)&l)->sin_port);
	*rport = ntohs(((struct sockaddr_in *)&r)->sin_port);
	return 0;
}

/* 1 when host is the IPv4 address of one of this machine's interfaces. */
int
punch_local_has(const char *host)
{
	uv_interface_address_t *ifs = NULL;
	struct in_addr a;
	int count = 0, i, ok = 0;

	if (inet_pton(AF_INET, host, &a) != 1 ||
	    uv_interface_addresses(&ifs, &count) != 0)
		return 0;
	for (i = 0; i < count && !ok; i++)
		ok = ifs[i].address.address4.sin_family == AF_INET &&
		    ifs[i].address.address4.sin_addr.s_addr == a.s_addr;
	uv_free_interface_addresses(ifs, count);
	return ok;
}

/* 1 when host is a public IPv4 address (0 for anything else). */
static int
is_public(const char *host)
{
	uint8_t a[4];

	return inet_pton(AF_INET, host, a) == 1 && addr_ipv4_global(a);
}

/*
 * 1 when this member may punch in group g over tor: the group is not
 * tor-only (its members show each other no IP address), this member is
 * active in it, and balintd listens on TCP (--listen none: reached
 * through tor only, and so it stays).
 */
static int
may_punch(struct net *net, const struct group *g)
{
	struct addr_parts a;

	return net->listening && !group_tor_only(g) && g->roster != NULL &&
	    roster_is_active(g->roster, net->d->id->pk) &&
	    addr_split(net->d->listen, &a) == 0 && a.scope != ADDR_LOOPBACK;
}

/* 1 when pk is an active member of the group (a struct group) called:
 * the reports of removed members and of other groups' count not. */
static int
reporter_active(const uint8_t *pk, const void *g)
{
	const struct group *grp = g;

	return grp->roster != NULL && roster_is_active(grp->roster, pk);
}

/*
 * This member's public address for a CALL or CALLED in group g, into
 * host: the one the most of g's active members saw (punch_seen_pick)
 * within PUNCH_SEEN_MAX_MS from a local address this machine still has,
 * else the port mapping's.  -1 and why when there is none.
 */
static int
self_host(struct net *net, const struct group *g, char *host, size_t len,
    const char **why)
{
	const struct punch_seen *s;
	const struct punch_seen_ok ok = { punch_local_has, reporter_active,
	    g };
	const char *pm = net_portmap_addr(net->d);
	size_t n, votes;

	s = punch_seen_pick(&net->punch->seen, daemon_now_ms(),
	    PUNCH_SEEN_MAX_MS, &ok, &votes);
	if (s != NULL) {
		if (s->port != s->lport) {
			*why = "its router gives connections other ports "
			    "(seen from outside at another port)";
			return -1;
		}
		snprintf(host, len, "%s", s->host);
		return 0;
	}
	if (pm != NULL && (n = strcspn(pm, ":")) < len) {
		memcpy(host, pm, n);
		host[n] = '\0';
		if (is_public(host))
			return 0;
	}
	*why = "no member saw its public address over a direct session in "
	    "the last 24 hours, and the router maps no port";
	return -1;
}

/* ---- SEEN: the address a direct session comes from ---- */

static void
seen_write(struct net *net)
{
	char v[PUNCH_SEEN_TEXT_MAX];
	int n;

	n = punch_seen_format(&net->punch->seen, v, sizeof(v));
	if (n < 0 || store_meta_put(net->d->store, PUNCH_SEEN_META, v,
	    (size_t)n) != 0)
		daemon_log("punch: cannot keep the address seen (store)");
}

/* A kept report before this version (one for all members) is dropped:
 * its reporter is unknown; the next direct sessions report again. */
void
punch_onion_load(struct net *net)
{
	uint8_t *val = NULL;
	size_t len = 0;

	if (store_meta_get(net->d->store, PUNCH_SEEN_META, &val, &len) != 0)
		return;
	(void)punch_seen_parse(&net->punch->seen, (const char *)val, len,
	    is_public, daemon_now_ms());
	free(val);
}

/* Each new direct session: where this member sees the other come from. */
static void
seen_send(struct net_conn *c)
{
	char lhost[INET_ADDRSTRLEN], rhost[INET_ADDRSTRLEN];
	uint16_t lport, rport;

	c->seen_sent = 1;
	/* An older member would end the session (its HELLO said so). */
	if ((c->caps & WIRE_CAP_PUNCH_ONION) == 0 ||
	    group_tor_only(c->g) || conn_ends(c, lhost, &lport, rhost,
	    &rport) != 0 || !is_public(rhost))
		return;		/* on this LAN or machine: not worth saying */
	(void)punch_send(c, WIRE_PUNCH_SEEN, c->remote_pk, rhost, rport);
}

static void
on_seen(struct net_conn *c, const struct wire_msg *m)
{
	struct punch_seen n;
	char rhost[INET_ADDRSTRLEN];
	uint16_t rport;
	enum punch_seen_put put;

	/* One a session, on a direct one, about this member. */
	if (c->seen_got || c->state != C_UP || memcmp(m->punch.member,
	    c->net->d->id->pk, BAL_PK_BYTES) != 0)
		return;
	c->seen_got = 1;
	memset(&n, 0, sizeof(n));
	if (conn_ends(c, n.local, &n.lport, rhost, &rport) != 0 ||
	    !is_public(m->punch.host))
		return;
	memcpy(n.reporter, c->remote_pk, BAL_PK_BYTES);
	snprintf(n.host, sizeof(n.host), "%s", m->punch.host);
	n.port = m->punch.port;
	n.at_ms = daemon_now_ms();
	/* This member's report only: another's stays (punch-seen.c). */
	put = punch_seen_put(&c->net->punch->seen, &n, PUNCH_SEEN_WRITE_MS);
	if (put == PUNCH_SEEN_CHANGED)
		daemon_log("punch: %s sees this member come from %s:%u (from "
		    "%s:%u here: the router %s the port)", c->addr, n.host,
		    (unsigned)n.port, n.local, (unsigned)n.lport, n.port ==
		    n.lport ? "keeps" : "changes");
	/* The store only when it changed, or the time kept grew old. */
	if (put != PUNCH_SEEN_SAME)
		seen_write(c->net);
}

/* ---- CALL and CALLED over an onion session ---- */

/* Calls member pk of g, whose one session o goes through tor. */
static void
call(struct net *net, struct group *g, struct net_conn *o,
    const uint8_t *pk)
{
	struct punches *ps = net->punch;
	struct punch *p;
	char host[INET_ADDRSTRLEN];
	const char *why;

	/* Its software cannot take a CALL: the onion session stays. */
	if ((o->caps & WIRE_CAP_PUNCH_ONION) == 0 ||
	    punch_find(net, g->id, pk) != NULL || daemon_now_ms() - o->up_ms <
	    PUNCH_CALL_AFTER_MS || !punch_may(ps->tried, &ps->ntried, g->id,
	    pk, uv_now(net->d->loop), ps->retry_ms, 1))
		return;
	if (self_host(net, g, host, sizeof(host), &why) != 0) {
		if (ps->not_called != why)	/* once, not every minute */
			daemon_log("punch: sessions through tor stay so: this "
			    "member knows no public address of its own (%s)",
			    why);
		ps->not_called = why;
		return;
	}
	ps->not_called = NULL;
	if ((p = punch_new(net, g->id, pk, o)) == NULL)
		return;
	daemon_log("punch: calling %s through tor, to meet at %s:%u", o->addr,
	    host, (unsigned)p->port);
	if (punch_send(o, WIRE_PUNCH_CALL, pk, host, p->port) != 0)
		punch_free(net, p);
}

void
punch_onion_tick(struct net *net)
{
	struct net_conn *c;
	struct group *g;
	size_t i;

	for (c = net->conns; c != NULL; c = c->next)
		if (!c->closing && c->state == C_UP && c->g != NULL &&
		    !c->via_tor && !c->is_pipe && !c->seen_sent)
			seen_send(c);
	for (g = net->d->groups; g != NULL; g = g->next) {
		if (!may_punch(net, g))
			continue;
		for (i = 0; i < g->roster->nmembers; i++) {
			const uint8_t *pk = g->roster->members[i].pk;

			if (g->roster->members[i].status != ROSTER_ACTIVE ||
			    memcmp(pk, net->d->id->pk, BAL_PK_BYTES) == 0 ||
			    punch_session(net, g->id, pk, 1) != NULL ||
			    (c = punch_session(net, g->id, pk, 0)) == NULL)
				continue;	/* direct, or none (punch.c) */
			call(net, g, c, pk);
		}
	}
}

static void
on_call(struct net_conn *c, const struct wire_msg *m)
{
	struct net *net = c->net;
	struct punch *p;
	char host[INET_ADDRSTRLEN];
	const char *why;

	if (!c->via_tor || c->state != C_UP || memcmp(m->punch.member,
	    net->d->id->pk, BAL_PK_BYTES) != 0 || !may_punch(net, c->g) ||
	    !roster_is_active(c->g->roster, c->remote_pk) ||
	    punch_session(net, c->g->id, c->remote_pk, 1) != NULL)
		return;
	/* One a member a second, however many come (as OFFERs, punch.c). */
	if (!punch_may(net->punch->answered, &net->punch->nanswered,
	    c->g->id, c->remote_pk, uv_now(net->d->loop),
	    PUNCH_ANSWER_GAP_MS, 0) || !punch_host_ok(c, m->punch.host,
	    m->punch.port, 1))
		return;
	if (self_host(net, c->g, host, sizeof(host), &why) != 0) {
		daemon_log("punch: %s calls through tor; not answered: this "
		    "member knows no public address of its own (%s)", c->addr,
		    why);
		return;
	}
	if ((p = punch_find(net, c->g->id, c->remote_pk)) != NULL) {
		/* Both called at once: the smaller key's call goes on. */
		if (memcmp(net->d->id->pk, c->remote_pk, BAL_PK_BYTES) < 0)
			return;
		punch_free(net, p);
	}
	if ((p = punch_new(net, c->g->id, c->remote_pk, NULL)) == NULL)
		return;
	if (punch_send(c, WIRE_PUNCH_CALLED, c->remote_pk, host,
	    p->port) != 0) {
		punch_free(net, p);
		return;
	}
	daemon_log("punch: %s calls through tor; meeting at %s:%u", c->addr,
	    host, (unsigned)p->port);
	punch_connect(net, p, m->punch.host, m->punch.port);
}

static void
on_called(struct net_conn *c, const struct wire_msg *m)
{
	struct punch *p = punch_find(c->net, c->g->id, c->remote_pk);

	if (p == NULL || p->relay != c || p->fd < 0 || memcmp(m->punch.member,
	    c->net->d->id->pk, BAL_PK_BYTES) != 0)
		return;		/* not called through this session */
	if (!punch_host_ok(c, m->punch.host, m->punch.port, 1))
		return;
	punch_connect(c->net, p, m->punch.host, m->punch.port);
}

void
punch_onion_on_msg(struct net_conn *c, const struct wire_msg *m)
{
	switch (m->punch.op) {
	case WIRE_PUNCH_SEEN:
		on_seen(c, m);
		break;
	case WIRE_PUNCH_CALL:
		on_call(c, m);
		break;
	case WIRE_PUNCH_CALLED:
		on_called(c, m);
		break;
	}
}
