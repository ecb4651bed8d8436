/*
 * peer-dial.c — dial targets: one per (group, address, member), with the
 * member expected there (or candidates in turn), the network key to try,
 * and reconnects with exponential backoff and jitter, each through the
 * transport that dials its address (transport.h).  Which of the
 * stored addresses (typed with `balint peer add` or from an invite code,
 * or announced by members) become targets is peer-pick.c's rule; targets
 * it no longer picks are dropped.  See docs/protocol.md "Connections" and
 * "Dial targets".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sodium.h>

#include "group.h"
#include "identity.h"
#include "onion.h"
#include "peer-int.h"
#include "peer-pick.h"
#include "store.h"
#include "sync.h"
#include "tor.h"
#include "transport.h"

static void
on_target_closed(uv_handle_t *h)
{
	struct target *t = h->data;
	struct net *net = t->net;
	struct target **pp;

	for (pp = &net->targets; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t);
	net_handle_gone(net);
}

static void on_target_timer(uv_timer_t *timer);

/* Closes t: it is freed once the loop has run its close callback. */
void
peer_dial_close(struct target *t)
{
	if (t->closed)
		return;
	t->closed = 1;
	uv_close((uv_handle_t *)&t->timer, on_target_closed);
}

/* Each transport backs off within its own bounds (tor's circuits: longer). */
static uint64_t
backoff_ms(unsigned fails, const struct transport *tp)
{
	uint64_t min = tp != NULL ? tp->backoff_min_ms : NET_BACKOFF_MIN_MS;
	uint64_t max = tp != NULL ? tp->backoff_max_ms : NET_BACKOFF_MAX_MS;
	uint64_t ms = min;
	unsigned i;

	for (i = 1; i < fails && ms < max; i++)
		ms *= 2;
	if (ms > max)
		ms = max;
	/* +-25% jitter */
	return ms * 3 / 4 + randombytes_uniform((uint32_t)(ms / 2 + 1));
}

/* Schedules t's next dial after delay_ms (0: by its failure count). */
void
peer_dial_schedule(struct target *t, uint64_t delay_ms)
{
	if (t->closed || t->net->stopping || t->conn != NULL)
		return;
	if (delay_ms == 0)
		delay_ms = backoff_ms(t->fails, t->tp);
	uv_timer_start(&t->timer, on_target_timer, delay_ms, 0);
}

/*
 * Starts an outgoing connection to addr through tp (NULL: the backend
 * that dials addr) with a client handshake.
 */
struct net_conn *
peer_dial_conn(struct net *net, const struct transport *tp, const char *addr,
    const uint8_t netkey[32], const uint8_t server_pk[BAL_PK_BYTES])
{
	struct net_conn *c;

	if (tp == NULL && (tp = transport_for(addr)) == NULL)
		return NULL;
	if ((c = tp->dial(net, addr)) == NULL)
		return NULL;
	if (shs_client_new(netkey, net->d->id, server_pk, NULL,
	    &c->shs) != 0) {
		peer_conn_close(c, -1, NULL);
		return NULL;
	}
	return c;
}

/* How many members an address of unknown member may be: the others. */
static size_t
target_candidates(const struct target *t, const struct group *g)
{
	const struct roster *r = g->roster;
	size_t i, n = 0;

	for (i = 0; r != NULL && i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE &&
		    memcmp(r->members[i].pk, t->net->d->id->pk,
		    BAL_PK_BYTES) != 0)
			n++;
	return n;
}

/* The server key to try for t: its member, or the next active member. */
static int
target_server_pk(struct target *t, struct group *g, uint8_t pk[BAL_PK_BYTES])
{
	const struct roster *r = g->roster;
	size_t i, k, n;

	if (t->has_member) {
		memcpy(pk, t->member, BAL_PK_BYTES);
		return 0;
	}
	if ((n = target_candidates(t, g)) == 0)
		return BAL_ENOENT;
	k = t->cand % n;
	for (i = 0; i < r->nmembers; i++) {
		if (r->members[i].status != ROSTER_ACTIVE ||
		    memcmp(r->members[i].pk, t->net->d->id->pk,
		    BAL_PK_BYTES) == 0)
			continue;
		if (k-- == 0) {
			memcpy(pk, r->members[i].pk, BAL_PK_BYTES);
			return 0;
		}
	}
	return BAL_ENOENT;
}

static void
target_dial(struct target *t)
{
	struct net *net = t->net;
	struct group *g;
	uint8_t (*keys)[32] = NULL, pk[BAL_PK_BYTES];
	const char *why = NULL;
	size_t n = 0;
	int up;

	if (net->stopping || t->closed || t->conn != NULL)
		return;
	if ((g = group_find(net->d, t->group)) == NULL)
		return;
	/*
	 * Rescheduled when that session ends; the count is kept, so that
	 * sessions that keep ending at once go on backing off.  A session
	 * through tor does not stop a dial of an IP address: a direct
	 * session that works is preferred, and replaces it (peer-session.c;
	 * then a member seen from outside learns its public address, SEEN
	 * in punch-onion.c).
	 */
	if (t->has_member && (up = peer_member_session_up(net, t->group,
	    t->member, NULL)) != 0 && (up == 1 || t->tp == NULL ||
	    t->tp->tor))
		return;
	/* A removed member is not dialed (they may be readmitted later). */
	if (t->has_member && g->roster != NULL &&
	    !roster_is_active(g->roster, t->member)) {
		peer_dial_schedule(t, NET_BACKOFF_MAX_MS);
		return;
	}
	/* A group that became tor-only dials no IP address any more. */
	if (group_tor_only(g) && !onion_addr_is(t->addr)) {
		peer_dial_close(t);
		return;
	}
	if (target_server_pk(t, g, pk) != 0) {
		peer_dial_schedule(t, NET_BACKOFF_MAX_MS);
		return;
	}
	if ((keys = sodium_malloc(NET_KEYS_PER_GROUP * 32)) == NULL ||
	    group_network_keys(g, keys, NET_KEYS_PER_GROUP, &n) != 0 ||
	    n == 0) {
		sodium_free(keys);
		peer_dial_schedule(t, NET_BACKOFF_MAX_MS);
		return;
	}
	t->tried_ms = daemon_now_ms();
	if (t->tp != NULL && t->tp->unready != NULL &&
	    (why = t->tp->unready(net, t->addr, NULL)) != NULL) {
		/* Its transport dials it once ready (net_tor_changed). */
		sodium_free(keys);
		snprintf(t->why, sizeof(t->why), "%s", why);
		t->fails++;
		peer_dial_schedule(t, 0);
		return;
	}
	t->conn = peer_dial_conn(net, t->tp, t->addr, keys[t->keyi % n], pk);
	sodium_free(keys);
	if (t->conn == NULL) {
		snprintf(t->why, sizeof(t->why), N_("cannot dial"));
		if (t->fails == 0)
			daemon_log("cannot dial %s (will retry)", t->addr);
		t->fails++;
		peer_dial_schedule(t, 0);
		return;
	}
	t->conn->target = t;
	t->conn->g = g;
}

/*
 * A session of t's member ended; stable: it stayed up long enough to count
 * as a success (NET_SESSION_STABLE_MS).  Otherwise it counts as a failure,
 * so that sessions that keep failing at once (a store that cannot take the
 * entries, a log the peer refuses) back off on both sides.
 */
void
peer_dial_after_session(struct target *t, int stable)
{
	if (stable)
		t->fails = 0;
	else
		t->fails++;
	peer_dial_schedule(t, 0);
}

/*
 * A dial of t failed; reached: the TCP connection was made, but the
 * handshake failed (the wrong member there, or a network key the server
 * lacks).  A target whose member is unknown tries the next candidate soon,
 * and a whole round of candidates counts as one failure; then, as after a
 * refused handshake of a known member, the next older network key.
 */
void
peer_dial_failed(struct target *t, int reached)
{
	struct group *g;
	size_t m;

	if (reached && !t->has_member &&
	    (g = group_find(t->net->d, t->group)) != NULL &&
	    (m = target_candidates(t, g)) > 1 && ++t->cand % m != 0) {
		peer_dial_schedule(t, NET_BACKOFF_MIN_MS);
		return;
	}
	if (reached)
		t->keyi++;
	t->fails++;
	peer_dial_schedule(t, 0);
}

static void
on_target_timer(uv_timer_t *timer)
{
	target_dial(timer->data);
}

/*
 * 1 when t stands for (group, addr, member).  A target of unknown member
 * (typed, or from a code) stands for whoever is said to be there: it tries
 * every member in turn.  A typed address (NULL member) is a target with a
 * member only once a session showed that member there (member_seen): an
 * announce naming someone at an address proves nobody is there.
 */
static int
target_is(const struct target *t, const uint8_t *group, const char *addr,
    const uint8_t *member)
{
	if (memcmp(t->group, group, BAL_GROUP_ID_BYTES) != 0 ||
	    strcmp(t->addr, addr) != 0)
		return 0;
	if (!t->has_member)
		return 1;
	if (member == NULL)
		return t->member_seen;
	return memcmp(t->member, member, BAL_PK_BYTES) == 0;
}

/*
 * Adds a dial target (group, addr, member) unless it is known or ours; its
 * first dial comes after delay_ms.  An announce or a beacon never names the
 * member of a known target of unknown member: it is learned only from a
 * session there (peer.c), else a member who announced another's typed
 * address would be dialed there instead (docs/protocol.md "Dial targets").
 * Returns the target, or NULL when it is ours or out of memory.
 */
struct target *
peer_dial_add(struct net *net, const uint8_t *group, const char *addr,
    const uint8_t *member, uint64_t delay_ms, int *added)
{
	struct target *t;

	*added = 0;
	if (member != NULL && memcmp(member, net->d->id->pk,
	    BAL_PK_BYTES) == 0)
		return NULL;
	if (peer_dial_is_ours(net, addr) || net->stopping)
		return NULL;
	for (t = net->targets; t != NULL; t = t->next) {
		if (!t->closed && target_is(t, group, addr, member))
			return t;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->net = net;
	memcpy(t->group, group, BAL_GROUP_ID_BYTES);
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	t->tp = transport_for(addr);
	if (member != NULL) {
		memcpy(t->member, member, BAL_PK_BYTES);
		t->has_member = 1;
	}
	uv_timer_init(net->d->loop, &t->timer);
	t->timer.data = t;
	net->handles++;
	t->next = net->targets;
	net->targets = t;
	*added = 1;
	/* Not from inside a callback: on a later loop turn at the soonest. */
	uv_timer_start(&t->timer, on_target_timer, delay_ms > 0 ? delay_ms : 1,
	    0);
	return t;
}

/* 1 when addr is where this daemon listens or what it advertises. */
int
peer_dial_is_ours(const struct net *net, const char *addr)
{
	const char *mapped = net_portmap_addr(net->d);

	return strcmp(addr, net->d->listen) == 0 || (tor_onion(net->d) !=
	    NULL && strcmp(addr, tor_onion(net->d)) == 0) || (mapped !=
	    NULL && strcmp(addr, mapped) == 0);
}

/* ---- stored addresses ---- */

struct peer_load {
	struct net *net;
	struct group *g;
	struct peer_cand *c;
	size_t n, cap;
	uint8_t (*gone)[BAL_PK_BYTES];	/* members no longer in the group */
	size_t ngone, capgone;
};

int
peer_dial_member_removed(const struct group *g, const uint8_t *pk)
{
	const struct roster_member *m;

	if (g->roster == NULL || (m = roster_member_find(g->roster,
	    pk)) == NULL)
		return 0;
	return m->status != ROSTER_ACTIVE;
}

void
peer_dial_endpoint(const char *addr, const struct target *t,
    char out[DAEMON_ADDR_MAX])
{
	struct sockaddr_storage ss;

	if (net_addr_parse(addr, &ss) == 0)
		peer_sockaddr_text(&ss, out, DAEMON_ADDR_MAX);
	else if (t != NULL && t->resolved[0] != '\0')
		snprintf(out, DAEMON_ADDR_MAX, "%s", t->resolved);
	else
		snprintf(out, DAEMON_ADDR_MAX, "%s", addr);
}

/*
 * 1 for an address bound to a link: an IPv6 zone ("[fe80::1%eth0]:P") or
 * a link-local address.  Announced, it would be dialed on this machine's
 * own link (interface names are easy to guess); such targets come from
 * LAN beacons only (lan.c), or typed by the member.
 */
static int
link_bound(const char *addr)
{
	struct sockaddr_storage ss;

	if (strchr(addr, '%') != NULL)
		return 1;
	return net_addr_parse(addr, &ss) == 0 && ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)&ss)->sin6_addr);
}

static int
peer_load_cb(void *ctx, const struct store_peer *p)
{
	struct peer_load *pl = ctx;
	struct peer_cand *c;
	void *grown;

	if (p->member != NULL && peer_dial_member_removed(pl->g, p->member)) {
		if (pl->ngone == pl->capgone) {
			pl->capgone = pl->capgone ? 2 * pl->capgone : 4;
			if ((grown = realloc(pl->gone, pl->capgone *
			    sizeof(*pl->gone))) == NULL)
				return BAL_ENOMEM;
			pl->gone = grown;
		}
		memcpy(pl->gone[pl->ngone++], p->member, BAL_PK_BYTES);
		return 0;
	}
	if ((p->member != NULL && memcmp(p->member, pl->net->d->id->pk,
	    BAL_PK_BYTES) == 0) || strlen(p->addr) >= DAEMON_ADDR_MAX ||
	    net_addr_parse(p->addr, NULL) != 0 ||
	    peer_dial_is_ours(pl->net, p->addr) ||
	    (!p->typed && link_bound(p->addr)))
		return 0;
	/* A tor-only group never dials an IP address. */
	if (group_tor_only(pl->g) && !onion_addr_is(p->addr))
		return 0;
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 16;
		if ((grown = realloc(pl->c, pl->cap * sizeof(*pl->c))) == NULL)
			return BAL_ENOMEM;
		pl->c = grown;
	}
	c = &pl->c[pl->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->addr, sizeof(c->addr), "%s", p->addr);
	if (p->member != NULL) {
		memcpy(c->member, p->member, BAL_PK_BYTES);
		c->has_member = 1;
	}
	c->typed = p->typed;
	c->ord = p->ord;
	c->ok_ms = p->ok_ms;
	return 0;
}

/*
 * 1 when a session showed t's member at t's address, or at another name
 * of the same place (localhost:P for 127.0.0.1:P: one of them is dialed).
 */
static int
member_shown(struct net *net, const struct target *t)
{
	char here[DAEMON_ADDR_MAX], there[DAEMON_ADDR_MAX];
	const struct target *o;

	if (t->member_seen)
		return 1;
	peer_dial_endpoint(t->addr, t, here);
	for (o = net->targets; o != NULL; o = o->next) {
		if (o->closed || !o->member_seen || !o->has_member ||
		    memcmp(o->group, t->group, BAL_GROUP_ID_BYTES) != 0 ||
		    memcmp(o->member, t->member, BAL_PK_BYTES) != 0)
			continue;
		peer_dial_endpoint(o->addr, o, there);
		if (strcmp(here, there) == 0)
			return 1;
	}
	return 0;
}

/*
 * Drops what the departed member of t owned at t's address from the
 * candidates and the store: its own announced row, and the typed row only
 * when a session proved that member answers there (member_shown; an
 * announce naming the member proves nothing: anyone may announce anyone's
 * address).  Other
 * members' rows of the same address stay.
 */
static void
forget_cand(struct daemon *d, struct group *g, struct peer_load *pl,
    const struct target *t)
{
	const struct peer_cand *c;
	size_t i, k;
	int typed = 0, announced = 0, shown = member_shown(d->net, t);

	for (i = k = 0; i < pl->n; i++) {
		c = &pl->c[i];
		if (strcmp(c->addr, t->addr) == 0 && (c->has_member ?
		    memcmp(c->member, t->member, BAL_PK_BYTES) == 0 :
		    c->typed && shown))
			continue;
		pl->c[k++] = *c;
	}
	pl->n = k;
	if (store_peer_remove_of(d->store, g->id, t->addr, t->member, shown,
	    &typed, &announced) == 0 && (typed || announced))
		daemon_log("forgot %s in '%s': the member there is no longer "
		    "in the group", t->addr, group_name(g));
}

/*
 * Makes g's dial targets those that peer_pick keeps of its stored
 * addresses: new ones are added (a member's later picks dialed a little
 * later, so that the first can come up), targets no longer picked are
 * dropped unless they carry a connection, and the addresses of members
 * who left the group are forgotten.
 */
int
net_group_added(struct daemon *d, struct group *g)
{
	struct net *net = d->net;
	struct peer_load pl;
	struct target *t;
	size_t i, k;
	int ret, added;

	if (net == NULL)
		return BAL_ESTATE;
	net->tab_dirty = 1;
	memset(&pl, 0, sizeof(pl));
	pl.net = net;
	pl.g = g;
	if ((ret = store_peer_each(d->store, g->id, peer_load_cb, &pl)) != 0)
		goto out;
	for (i = 0; i < pl.ngone; i++)
		(void)store_peer_forget(d->store, g->id, pl.gone[i]);
	/*
	 * An address typed before its member was known (peer add, an
	 * invite) is stored without the member; the target learned who
	 * answered there.  Once that member left or was revoked the address
	 * is forgotten too, and not dialed (forget_cand: only when a session
	 * showed that member there).
	 */
	for (t = net->targets; t != NULL; t = t->next)
		if (!t->closed && t->has_member &&
		    memcmp(t->group, g->id, BAL_GROUP_ID_BYTES) == 0 &&
		    peer_dial_member_removed(g, t->member))
			forget_cand(d, g, &pl, t);
	k = peer_pick(pl.c, pl.n, NET_TARGETS_MAX, NET_TARGETS_PER_MEMBER);
	for (t = net->targets; t != NULL; t = t->next)
		if (memcmp(t->group, g->id, BAL_GROUP_ID_BYTES) == 0) {
			t->picked = t->lan;	/* kept while heard */
			t->typed = 0;
		}
	for (i = 0; i < k; i++) {
		t = peer_dial_add(net, g->id, pl.c[i].addr, pl.c[i].has_member ?
		    pl.c[i].member : NULL, 1 + (uint64_t)pl.c[i].rank *
		    NET_NEXT_ADDR_MS, &added);
		if (t == NULL)
			continue;
		t->picked = 1;
		t->typed |= pl.c[i].typed;
		if (pl.c[i].ok_ms > t->ok_ms)
			t->ok_ms = pl.c[i].ok_ms;
	}
	for (t = net->targets; t != NULL; t = t->next)
		if (!t->picked && !t->closed && t->conn == NULL &&
		    memcmp(t->group, g->id, BAL_GROUP_ID_BYTES) == 0)
			peer_dial_close(t);
out:
	free(pl.c);
	free(pl.gone);
	return ret;
}

/*
 * After new entries: dial the addresses they taught the store, and announce
 * ours in groups that lack it (a group founded since net_start, whose
 * CREATE came through GROUP_EVENT_ENTRY; net_announce does nothing when it
 * is done).
 */
void
peer_dial_rescan(uv_timer_t *t)
{
	struct net *net = t->data;
	struct group *g;

	for (g = net->d->groups; g != NULL && !net->stopping; g = g->next) {
		net_announce(net->d, g);
		net_group_added(net->d, g);
	}
}

/*
 * The onion address first, then the advertised one, the router's mapped
 * one (portmap.c) and the listen address (unless the group is tor-only),
 * or on 0.0.0.0 / [::] the machine's global addresses.  Kept in meta as
 * one line, the addresses separated by blanks.
 */
void
net_announce(struct daemon *d, struct group *g)
{
	char key[16 + 2 * BAL_GROUP_ID_BYTES + 1];
	char line[5 * DAEMON_ADDR_MAX + 5];
	char global[NET_REACH_V6][WIRE_MAX_ADDR + 1];
	uint8_t *val = NULL;
	size_t len = 0, i, n = 0, k, used;
	const char *addrs[5], *listen = d->listen;
	const char *mapped = net_portmap_addr(d);
	int same;

	if (g->roster == NULL || !roster_is_active(g->roster, d->id->pk))
		return;
	if (tor_onion(d) != NULL)
		addrs[n++] = tor_onion(d);
	if (d->advertise[0] != '\0' && !group_tor_only(g))
		addrs[n++] = d->advertise;
	if (mapped != NULL && !group_tor_only(g))
		addrs[n++] = mapped;
	if (listen[0] != '\0' && strncmp(listen, "0.0.0.0:", 8) != 0 &&
	    strncmp(listen, "[::]:", 5) != 0 && !group_tor_only(g))
		addrs[n++] = listen;
	/* On a wildcard: the machine's global addresses (IPv6 above all). */
	else if (listen[0] != '\0' && !group_tor_only(g))
		for (k = net_reach_global(listen, global, NET_REACH_V6), i = 0;
		    i < k; i++)
			addrs[n++] = global[i];
	if (n == 0)
		return;
	for (k = 0, used = 0; k < n && used < sizeof(line); k++)
		used += (size_t)snprintf(line + used, sizeof(line) - used,
		    "%s%s", k > 0 ? " " : "", addrs[k]);
	memcpy(key, "announced:", 10);
	for (i = 0; i < BAL_GROUP_ID_BYTES; i++)
		snprintf(key + 10 + 2 * i, 3, "%02x", g->id[i]);
	if (store_meta_get(d->store, key, &val, &len) == 0) {
		same = len == strlen(line) && memcmp(val, line, len) == 0;
		free(val);
		if (same)
			return;
	}
	if (group_announce(g, addrs, n) == 0)
		store_meta_put(d->store, key, line, strlen(line));
}

/* ---- control requests ---- */

/* A session through t came up: t worked, remembered for the next pick. */
void
peer_dial_up(struct target *t)
{
	struct net *net = t->net;

	t->ok_ms = daemon_now_ms();
	(void)store_peer_worked(net->d->store, t->group, t->addr,
	    t->has_member ? t->member : NULL, t->ok_ms);
}

/* The roster name of pk in g, or its short id. */
static void
member_text(const struct group *g, const uint8_t *pk, char *out, size_t len)
{
	const struct roster_member *m = NULL;
	char id[IDENTITY_ID_TEXT_BYTES];

	if (g->roster != NULL)
		m = roster_member_find(g->roster, pk);
	if (m != NULL) {
		snprintf(out, len, "%s", m->name);
		return;
	}
	identity_id_encode(pk, id);
	snprintf(out, len, "%.10s", id);
}

int
net_add_peer(struct daemon *d, struct group *g, const char *addr,
    const uint8_t *member, char *said, size_t saidlen, char *err,
    size_t errlen)
{
	struct net_conn *c;
	struct target *t;
	char who[ROSTER_NAME_MAX + 1];
	int rc;

	said[0] = '\0';
	if (net_addr_parse(addr, NULL) != 0) {
		snprintf(err, errlen, N_("bad address '%s' (want HOST:PORT with "
		    "a numeric IP, e.g. 192.0.2.7:7000, or an onion address)"),
		    addr);
		return BAL_EINVAL;
	}
	if (d->net == NULL || d->net->stopping) {
		snprintf(err, errlen, N_("the daemon's network is not running"));
		return BAL_ESTATE;
	}
	if (peer_dial_is_ours(d->net, addr)) {
		snprintf(err, errlen, N_("%s is where this daemon listens (give "
		    "another member's address)"), addr);
		return BAL_EEXIST;
	}
	if (group_tor_only(g) && !onion_addr_is(addr)) {
		snprintf(err, errlen, N_("%s is tor-only (its contract says "
		    "Network: tor-only): give an onion address, not '%s'"),
		    group_name(g), addr);
		return BAL_EPERM;
	}
	if ((rc = store_peer_add(d->store, g->id, addr, member)) != 0) {
		snprintf(err, errlen, N_("cannot store the address: %s"),
		    bal_strerror(rc));
		return rc;
	}
	/* Typed addresses are always picked (peer-pick.h). */
	if ((rc = net_group_added(d, g)) != 0) {
		snprintf(err, errlen, N_("cannot read the stored addresses: %s"),
		    bal_strerror(rc));
		return rc;
	}
	for (t = d->net->targets; t != NULL; t = t->next)
		if (!t->closed && memcmp(t->group, g->id,
		    BAL_GROUP_ID_BYTES) == 0 && strcmp(t->addr, addr) == 0 &&
		    t->typed)
			break;
	if (t == NULL) {
		snprintf(err, errlen, N_("cannot dial %s: %s"), addr,
		    bal_strerror(BAL_ENOMEM));
		return BAL_ENOMEM;
	}
	if ((c = t->conn) != NULL) {
		if (c->state == C_UP) {
			member_text(g, c->remote_pk, who, sizeof(who));
			snprintf(said, saidlen, N_("already connected to %s at %s"),
			    who, addr);
		} else
			snprintf(said, saidlen, N_("dialing %s (an attempt is "
			    "under way)"), addr);
		return 0;
	}
	for (c = d->net->conns; t->has_member && c != NULL; c = c->next)
		if (!c->closing && c->state == C_UP && c->g == g &&
		    memcmp(c->remote_pk, t->member, BAL_PK_BYTES) == 0) {
			member_text(g, t->member, who, sizeof(who));
			if (strcmp(c->addr, addr) == 0)
				snprintf(said, saidlen, N_("already connected to "
				    "%s at %s"), who, addr);
			else
				snprintf(said, saidlen, N_("already connected to "
				    "%s (at %s); %s is kept for when that "
				    "session ends"), who, c->addr, addr);
			return 0;
		}
	t->fails = 0;
	uv_timer_stop(&t->timer);
	target_dial(t);
	if (t->conn == NULL) {
		snprintf(err, errlen, N_("cannot dial %s now (kept; it is "
		    "tried again later)"), addr);
		return BAL_EIO;
	}
	snprintf(said, saidlen, N_("dialing %s (see: balint peer list)"), addr);
	return 0;
}

int
net_sync_now(struct daemon *d, struct group *g)
{
	struct net_conn *c;
	struct target *t;

	if (d->net == NULL)
		return BAL_ESTATE;
	for (c = d->net->conns; c != NULL; c = c->next)
		if (!c->closing && c->state == C_UP && (g == NULL || c->g == g)
		    && sync_resend_have(c->sync) != 0)
			peer_conn_close(c, WIRE_BYE_PROTOCOL, "cannot send");
	for (t = d->net->targets; t != NULL; t = t->next)
		if (t->conn == NULL && (g == NULL || memcmp(t->group, g->id,
		    BAL_GROUP_ID_BYTES) == 0)) {
			t->fails = 0;
			peer_dial_schedule(t, 1);
		}
	return 0;
}
