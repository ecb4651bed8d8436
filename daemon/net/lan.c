/*
 * lan.c — LAN discovery (docs/protocol.md "LAN discovery"): this member's
 * beacons (proto/beacon.h) sent by UDP multicast on each interface, and
 * the beacons of members of the same group, heard on the LAN, turned into
 * dial targets (TCP to the datagram's source address and the beacon's
 * port; the session is authenticated by the handshake as always).
 *
 * A round sends one beacon per group (under the newest network key this
 * member holds, never for a tor-only group) on each interface: at start,
 * LAN_START_ROUNDS times; when an interface, an address or the groups'
 * keys change; then every LAN_INTERVAL_MS with +-25% jitter; never more
 * than LAN_ROUNDS_PER_MIN rounds, nor LAN_BEACONS_PER_MIN beacons, in any
 * 60 s (lan-limit.c).  Received datagrams are
 * rate limited before any decryption (a token bucket per source address
 * inside one for all); garbage, stale
 * beacons and beacons of other groups are dropped silently and counted.
 *
 * The sockets are open only while this member holds a beacon key
 * (lan_sockets): with none left (the last group amended to tor-only,
 * left or revoked: lan_groups_changed), they close and so leave the
 * multicast groups.
 *
 * Nothing is sent when the setting lan-discovery is off (d->lan == 0),
 * when balintd listens nowhere or on loopback only, and for tor-only
 * groups; beacons are sent only on the interface of a specific listen
 * address, and for "0.0.0.0:P" on IPv4 only.
 */
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "addr.h"
#include "beacon.h"
#include "group.h"
#include "lan-limit.h"
#include "peer-int.h"
#include "transport.h"

#define LAN_PORT 7451
#define LAN_GROUP4 "239.255.77.51"
#define LAN_GROUP6 "ff05::7451"	/* site-local scope: a ULA or global
				   source when the interface has one */
#define LAN_START_ROUNDS 3		/* at 0, 1 and 3 s */
#define LAN_INTERVAL_MS 30000
#define LAN_CHECK_MS 5000		/* interfaces and keys looked at */
#define LAN_GROUPS_MAX 16		/* beacons per interface and round */
#define LAN_IFS_MAX 16			/* interfaces per family */
#define LAN_KEYS_MAX 256		/* beacon keys tried per datagram */
#define LAN_FRESH_MS (5 * 60 * 1000)	/* a beacon's time vs our clock */
#define LAN_FORGET_MS (4 * LAN_INTERVAL_MS)
/*
 * A beacon can be replayed from any source address within LAN_FRESH_MS:
 * each (group, member) keeps at most LAN_PER_MEMBER targets, the newest
 * replacing the one heard longest ago, and LAN_TARGETS_MAX in all, so a
 * replay cannot turn us into a dialer of thousands of addresses.
 */
#define LAN_PER_MEMBER 2
#define LAN_TARGETS_MAX 64

struct lan_key {
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t key[BAL_KEY_BYTES];
	int send;			/* the group's newest: we send under it */
};

struct lan {
	struct net *net;
	uv_timer_t timer;
	uv_udp_t *udp4, *udp6;		/* malloc'd; NULL while closed */
	int bind_logged;		/* a failed bind said once */
	int handles;
	int v4, v6;			/* families we send on */
	char only[ADDR_HOST_MAX + 1];	/* the listen address, or "" (any) */
	uint16_t port;			/* where we listen (TCP) */
	struct lan_key *keys;		/* sodium_malloc'd, LAN_KEYS_MAX */
	size_t nkeys, nsend;
	uint8_t keystamp[16];		/* of the keys we send under */
	uint8_t ifstamp[16];		/* of the interfaces' addresses */
	int started;			/* rounds of the start burst done */
	uint64_t next_round;		/* loop time of the next round */
	struct lan_limit limit;		/* the caps, on loop time */
	struct net_lan_info info;
};

static void
on_lan_closed(uv_handle_t *h)
{
	struct lan *lan = h->data;
	struct net *net = lan->net;

	if (h != (uv_handle_t *)&lan->timer)
		free(h);		/* a socket's, from lan_bind */
	if (--lan->handles == 0) {
		sodium_free(lan->keys);
		net->lan = NULL;
		free(lan);
	}
	net_handle_gone(net);
}

static void lan_sockets(struct lan *lan);

static void
lan_handle(struct lan *lan, uv_handle_t *h)
{
	h->data = lan;
	lan->handles++;
	lan->net->handles++;
}

/*
 * The beacon keys of every group that is not tor-only and of which this
 * member is active: every epoch's (to recognise), the newest marked to
 * send under.  A stamp of the sending keys tells when they changed.
 */
static void
lan_keys_load(struct lan *lan)
{
	struct daemon *d = lan->net->d;
	uint8_t (*nk)[32] = NULL;
	crypto_generichash_state st;
	struct group *g;
	size_t i, n;

	lan->nkeys = lan->nsend = 0;
	crypto_generichash_init(&st, NULL, 0, sizeof(lan->keystamp));
	if ((nk = sodium_malloc(NET_KEYS_PER_GROUP * 32)) == NULL)
		return;
	for (g = d->groups; g != NULL; g = g->next) {
		if (group_tor_only(g) || g->roster == NULL ||
		    !roster_is_active(g->roster, d->id->pk) ||
		    group_network_keys(g, nk, NET_KEYS_PER_GROUP, &n) != 0)
			continue;
		for (i = 0; i < n && lan->nkeys < LAN_KEYS_MAX; i++) {
			struct lan_key *k = &lan->keys[lan->nkeys++];

			memcpy(k->group, g->id, BAL_GROUP_ID_BYTES);
			(void)beacon_key(nk[i], k->key);
			k->send = i == 0 && lan->nsend < LAN_GROUPS_MAX;
			if (k->send) {
				lan->nsend++;
				crypto_generichash_update(&st, k->key,
				    BAL_KEY_BYTES);
			}
		}
	}
	sodium_free(nk);
	crypto_generichash_final(&st, lan->keystamp, sizeof(lan->keystamp));
}

/* Sends one beacon per sending key to dst on the current interface. */
static void
lan_send_all(struct lan *lan, uv_udp_t *h, const struct sockaddr *dst)
{
	struct beacon b;
	uint8_t out[BEACON_MAX_BYTES];
	size_t i, len;
	uv_buf_t buf;
	uint64_t now = uv_now(lan->net->d->loop);

	memcpy(b.member, lan->net->d->id->pk, BAL_PK_BYTES);
	b.port = lan->port;
	for (i = 0; i < lan->nkeys; i++) {
		if (!lan->keys[i].send)
			continue;
		/* The hard cap: many groups on many interfaces wait. */
		if (!lan_limit_beacon(&lan->limit, now)) {
			lan->info.capped++;
			continue;
		}
		b.time_ms = daemon_now_ms();
		if (beacon_seal(lan->keys[i].key, &b, out, &len) != 0)
			continue;
		buf = uv_buf_init((char *)out, (unsigned)len);
		if (uv_udp_try_send(h, &buf, 1, dst) == (int)len) {
			lan->info.sent++;
			lan->info.sent_bytes += len;
		} else
			lan->info.send_errors++;
	}
}

/* 1 when interface address a is one we send on (and join the group on). */
static int
lan_if_use(const struct lan *lan, const uv_interface_address_t *a,
    char *ip, size_t iplen)
{
	int v4 = a->address.address4.sin_family == AF_INET;

	if (a->is_internal || (v4 ? !lan->v4 : !lan->v6))
		return 0;
	if (v4)
		uv_ip4_name(&a->address.address4, ip, iplen);
	else
		uv_ip6_name(&a->address.address6, ip, iplen);
	return lan->only[0] == '\0' || strcmp(lan->only, ip) == 0;
}

/*
 * Looks at the interfaces: joins the groups on each (again: a new one, or
 * one that came back), and with send, sends a round on each.  Only with a
 * key to hear under: a join is an IGMP or MLD report that others on the
 * link see, and a member whose groups are all tor-only shows nothing.  Returns the
 * stamp of the addresses in use.
 */
static void
lan_interfaces(struct lan *lan, int send, uint8_t stamp[16])
{
	uv_interface_address_t *ifs = NULL;
	struct sockaddr_in dst4;
	struct sockaddr_in6 dst6;
	char ip[INET6_ADDRSTRLEN], zone[IF_NAMESIZE + 8];
	char done6[LAN_IFS_MAX][IF_NAMESIZE + 1];
	crypto_generichash_state st;
	int count = 0, i, j, n4 = 0, n6 = 0;

	crypto_generichash_init(&st, NULL, 0, 16);
	if (uv_interface_addresses(&ifs, &count) != 0)
		count = 0;
	uv_ip4_addr(LAN_GROUP4, LAN_PORT, &dst4);
	uv_ip6_addr(LAN_GROUP6, LAN_PORT, &dst6);
	for (i = 0; i < count; i++) {
		if (!lan_if_use(lan, &ifs[i], ip, sizeof(ip)))
			continue;
		crypto_generichash_update(&st, (const uint8_t *)ifs[i].name,
		    strlen(ifs[i].name));
		crypto_generichash_update(&st, (const uint8_t *)ip,
		    strlen(ip));
		if (ifs[i].address.address4.sin_family == AF_INET) {
			if (lan->udp4 == NULL || n4++ >= LAN_IFS_MAX)
				continue;
			/* Joined already: EADDRINUSE, harmless. */
			if (lan->nkeys > 0)
				(void)uv_udp_set_membership(lan->udp4,
				    LAN_GROUP4, ip, UV_JOIN_GROUP);
			if (send && uv_udp_set_multicast_interface(lan->udp4,
			    ip) == 0)
				lan_send_all(lan, lan->udp4,
				    (const struct sockaddr *)&dst4);
			continue;
		}
		/* IPv6: once per interface, by its index. */
		if (lan->udp6 == NULL || n6 >= LAN_IFS_MAX)
			continue;
		for (j = 0; j < n6 && strcmp(done6[j], ifs[i].name) != 0; j++)
			;
		if (j < n6)
			continue;
		snprintf(done6[n6++], sizeof(done6[0]), "%s", ifs[i].name);
		snprintf(zone, sizeof(zone), "::%%%s", ifs[i].name);
		if (lan->nkeys > 0)
			(void)uv_udp_set_membership(lan->udp6, LAN_GROUP6,
			    zone, UV_JOIN_GROUP);
		dst6.sin6_scope_id = if_nametoindex(ifs[i].name);
		if (send && uv_udp_set_multicast_interface(lan->udp6,
		    zone) == 0)
			lan_send_all(lan, lan->udp6,
			    (const struct sockaddr *)&dst6);
	}
	lan->info.interfaces = (unsigned)(n4 + n6);
	if (count > 0)
		uv_free_interface_addresses(ifs, count);
	crypto_generichash_final(&st, stamp, 16);
}

static void
lan_round(struct lan *lan)
{
	uint8_t stamp[16];

	lan->info.rounds++;
	lan_interfaces(lan, 1, stamp);
	memcpy(lan->ifstamp, stamp, sizeof(stamp));
}

static uint64_t
lan_jitter(uint64_t ms)
{
	return ms * 3 / 4 + randombytes_uniform((uint32_t)(ms / 2 + 1));
}

static void
on_lan_timer(uv_timer_t *timer)
{
	struct lan *lan = timer->data;
	uint64_t now = uv_now(lan->net->d->loop), wait;
	uint8_t ks[16], ifs[16];
	int changed;

	if (lan->net->stopping)
		return;
	lan_expire(lan->net);
	memcpy(ks, lan->keystamp, sizeof(ks));
	lan_keys_load(lan);
	lan_sockets(lan);
	lan_interfaces(lan, 0, ifs);
	changed = sodium_memcmp(ks, lan->keystamp, sizeof(ks)) != 0 ||
	    sodium_memcmp(ifs, lan->ifstamp, sizeof(ifs)) != 0;
	/* The round cap: a burst of address changes waits. */
	if (lan->nsend > 0 && (changed || now >= lan->next_round) &&
	    lan_limit_round(&lan->limit, now)) {
		lan_round(lan);
		if (++lan->started < LAN_START_ROUNDS)
			lan->next_round = now + 1000 * (uint64_t)lan->started;
		else
			lan->next_round = now + lan_jitter(LAN_INTERVAL_MS);
	}
	wait = lan->next_round > now ? lan->next_round - now : 1000;
	uv_timer_start(&lan->timer, on_lan_timer, wait < LAN_CHECK_MS ? wait :
	    LAN_CHECK_MS, 0);
}

/*
 * Room for one more LAN target of (gid, member): the member's oldest
 * unconnected one is closed when it has LAN_PER_MEMBER; -1 when none
 * can go or LAN_TARGETS_MAX are reached (the beacon is then ignored).
 */
static int
lan_make_room(const struct lan *lan, const uint8_t *gid, const uint8_t *member)
{
	struct target *t, *oldest = NULL;
	size_t all = 0, mine = 0;

	for (t = lan->net->targets; t != NULL; t = t->next) {
		if (t->closed || !t->lan)
			continue;
		all++;
		if (memcmp(t->group, gid, BAL_GROUP_ID_BYTES) != 0 ||
		    memcmp(t->member, member, BAL_PK_BYTES) != 0)
			continue;
		mine++;
		if (t->conn == NULL && (oldest == NULL ||
		    t->lan_ms < oldest->lan_ms))
			oldest = t;
	}
	if (mine >= LAN_PER_MEMBER) {
		if (oldest == NULL)
			return -1;
		peer_dial_close(oldest);
		return 0;
	}
	return all >= LAN_TARGETS_MAX ? -1 : 0;
}

/*
 * 1 when src lies in the subnet of one of this machine's interfaces: a
 * beacon comes over one link, so a source off every local subnet is
 * spoofed (or routed in from afar) and is not dialed.
 */
int
lan_on_link(const struct sockaddr *src)
{
	uv_interface_address_t *ifs = NULL;
	const uint8_t *a, *ia, *m;
	int count = 0, i, ok = 0;
	size_t k, len;

	if (uv_interface_addresses(&ifs, &count) != 0)
		return 0;
	for (i = 0; i < count && !ok; i++) {
		if (ifs[i].address.address4.sin_family != src->sa_family)
			continue;
		if (src->sa_family == AF_INET) {
			a = (const uint8_t *)&((const struct sockaddr_in *)
			    src)->sin_addr;
			ia = (const uint8_t *)&ifs[i].address.address4.sin_addr;
			m = (const uint8_t *)&ifs[i].netmask.netmask4.sin_addr;
			len = 4;
		} else {
			a = ((const struct sockaddr_in6 *)src)->sin6_addr.s6_addr;
			ia = ifs[i].address.address6.sin6_addr.s6_addr;
			m = ifs[i].netmask.netmask6.sin6_addr.s6_addr;
			len = 16;
		}
		for (ok = 1, k = 0; k < len && ok; k++)
			ok = (a[k] & m[k]) == (ia[k] & m[k]);
	}
	uv_free_interface_addresses(ifs, count);
	return ok;
}

/* A recognised beacon b of group gid from src: a dial target. */
static void
lan_found(struct lan *lan, const uint8_t *gid, const struct beacon *b,
    const struct sockaddr *src)
{
	struct net *net = lan->net;
	struct group *g;
	struct target *t;
	struct sockaddr_storage ss;
	char addr[DAEMON_ADDR_MAX];
	uint64_t now = daemon_now_ms();
	int added;

	if (memcmp(b->member, net->d->id->pk, BAL_PK_BYTES) == 0)
		return;			/* our own, looped back */
	if ((g = group_find(net->d, gid)) == NULL || g->roster == NULL ||
	    !roster_is_active(g->roster, b->member) ||
	    (b->time_ms + LAN_FRESH_MS < now || b->time_ms > now +
	    LAN_FRESH_MS)) {
		lan->info.stale++;
		return;
	}
	memset(&ss, 0, sizeof(ss));
	if (src->sa_family == AF_INET) {
		memcpy(&ss, src, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)&ss)->sin_port = htons(b->port);
	} else {
		memcpy(&ss, src, sizeof(struct sockaddr_in6));
		/*
		 * A link-local source is dialed on the interface it came in
		 * by ("[fe80::1%eth0]:P", peer_sockaddr_text); without one
		 * it cannot be.
		 */
		if (IN6_IS_ADDR_LINKLOCAL(
		    &((struct sockaddr_in6 *)&ss)->sin6_addr) &&
		    ((struct sockaddr_in6 *)&ss)->sin6_scope_id == 0) {
			lan->info.stale++;
			return;
		}
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(b->port);
	}
	if (!lan_on_link(src)) {
		lan->info.stale++;
		return;
	}
	peer_sockaddr_text(&ss, addr, sizeof(addr));
	lan->info.recognised++;
	/* The member is in session already: only refresh a LAN target. */
	for (t = net->targets; t != NULL; t = t->next)
		if (!t->closed && t->lan && memcmp(t->group, gid,
		    BAL_GROUP_ID_BYTES) == 0 && memcmp(t->member, b->member,
		    BAL_PK_BYTES) == 0 && strcmp(t->addr, addr) == 0) {
			t->lan_ms = now;
			return;
		}
	/* Through tor only (2): a direct session on the LAN is preferred. */
	if (peer_member_session_up(net, gid, b->member, NULL) == 1)
		return;
	if (lan_make_room(lan, gid, b->member) != 0)
		return;
	if ((t = peer_dial_add(net, gid, addr, b->member, 1, &added)) == NULL)
		return;
	if (!t->lan)
		daemon_log("%s: a member found on the LAN at %s",
		    group_name(g), addr);
	t->lan = t->picked = 1;
	t->lan_made |= added;
	t->lan_ms = now;
	t->tp = &transport_tcp;		/* the beacon's sender, over TCP */
}

static void
lan_on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	struct lan *lan = h->data;

	(void)size;
	/* Longer datagrams are cut and then refused by their length. */
	buf->base = lan->net->rbuf;
	buf->len = BEACON_MAX_BYTES + 1;
}

/* The receive limits (lan-limit.c) for a datagram from src; known: a
 * member's beacon opened from src (lan_limit_known), 0 when not. */
static enum lan_rx
lan_rx_limit(struct lan *lan, const struct sockaddr *src, int known)
{
	const uint8_t *a;
	size_t len;

	if (src->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)src)->sin6_addr.s6_addr;
		len = 16;
	} else {
		a = (const uint8_t *)&((const struct sockaddr_in *)src)->
		    sin_addr.s_addr;
		len = 4;
	}
	if (known) {
		lan_limit_known(&lan->limit, uv_now(lan->net->d->loop), a,
		    len);
		return LAN_RX_OK;
	}
	return lan_limit_rx(&lan->limit, uv_now(lan->net->d->loop), a, len);
}

static void
lan_on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *src, unsigned flags)
{
	struct lan *lan = h->data;
	struct beacon b;
	size_t i;

	if (nread <= 0 || src == NULL || lan->net->stopping)
		return;
	if (lan_rx_limit(lan, src, 0) != LAN_RX_OK) {
		lan->info.dropped++;
		return;
	}
	lan->info.heard++;
	if ((flags & UV_UDP_PARTIAL) || (size_t)nread > BEACON_MAX_BYTES ||
	    (size_t)nread < BEACON_NONCE_BYTES + BEACON_TAG_BYTES + 1) {
		lan->info.garbage++;
		return;
	}
	for (i = 0; i < lan->nkeys; i++)
		if (beacon_open(lan->keys[i].key, (const uint8_t *)buf->base,
		    (size_t)nread, &b) == 0) {
			(void)lan_rx_limit(lan, src, 1);
			lan_found(lan, lan->keys[i].group, &b, src);
			return;
		}
	lan->info.garbage++;	/* another group's, or noise */
}

/*
 * A socket bound to the beacons' port on family's wildcard, receiving
 * (malloc'd, closed by lan_sockets); NULL and *rc libuv's error when not.
 */
static uv_udp_t *
lan_bind(struct lan *lan, int v6, int *rc)
{
	struct sockaddr_storage ss;
	uv_udp_t *h;

	if (v6)
		*rc = uv_ip6_addr("::", LAN_PORT, (struct sockaddr_in6 *)&ss);
	else
		*rc = uv_ip4_addr("0.0.0.0", LAN_PORT,
		    (struct sockaddr_in *)&ss);
	if (*rc != 0)
		return NULL;
	if ((h = malloc(sizeof(*h))) == NULL) {
		*rc = UV_ENOMEM;
		return NULL;
	}
	if ((*rc = uv_udp_init(lan->net->d->loop, h)) != 0) {
		free(h);
		return NULL;
	}
	lan_handle(lan, (uv_handle_t *)h);
	if ((*rc = uv_udp_bind(h, (const struct sockaddr *)&ss,
	    UV_UDP_REUSEADDR | (v6 ? UV_UDP_IPV6ONLY : 0))) != 0 ||
	    (*rc = uv_udp_set_multicast_ttl(h, 1)) != 0 ||
	    (*rc = uv_udp_recv_start(h, lan_on_alloc, lan_on_recv)) != 0) {
		uv_close((uv_handle_t *)h, on_lan_closed);
		return NULL;
	}
	return h;
}

/*
 * The sockets open while this member holds a beacon key, closed when it
 * holds none (its last group amended to tor-only, left, or revoked):
 * closing a socket leaves the multicast groups on every interface it
 * joined, at once, whatever became of the interfaces meanwhile.
 */
static void
lan_sockets(struct lan *lan)
{
	int rc4 = 0, rc6 = 0;

	if (lan->nkeys == 0 || !lan->info.running) {
		if (lan->udp4 != NULL)
			uv_close((uv_handle_t *)lan->udp4, on_lan_closed);
		if (lan->udp6 != NULL)
			uv_close((uv_handle_t *)lan->udp6, on_lan_closed);
		lan->udp4 = lan->udp6 = NULL;
		return;
	}
	if (lan->udp4 != NULL || lan->udp6 != NULL)
		return;
	lan->udp4 = lan_bind(lan, 0, &rc4);
	lan->udp6 = lan_bind(lan, 1, &rc6);
	if (lan->udp4 == NULL && lan->udp6 == NULL && !lan->bind_logged) {
		lan->bind_logged = 1;
		daemon_log("LAN discovery: cannot listen on UDP port %d (%s); "
		    "members on this LAN are found only by their addresses",
		    LAN_PORT, uv_strerror(rc4));
	}
}

/* What we send on, from d->listen; 0 when nothing (see above). */
static int
lan_sends(struct lan *lan, const char *listen)
{
	struct addr_parts a;

	if (listen[0] == '\0' || addr_split(listen, &a) != 0 || a.port == 0)
		return 0;
	lan->port = a.port;
	if (a.scope == ADDR_WILDCARD) {
		lan->v4 = 1;
		lan->v6 = a.kind == ADDR_IPV6;
		return 1;
	}
	if (a.scope == ADDR_LOOPBACK || a.kind == ADDR_NAME ||
	    a.kind == ADDR_ONION)
		return 0;
	lan->v4 = a.kind == ADDR_IPV4;
	lan->v6 = a.kind == ADDR_IPV6;
	snprintf(lan->only, sizeof(lan->only), "%s", a.host);
	return 1;
}

int
lan_start(struct net *net)
{
	struct daemon *d = net->d;
	struct lan *lan;

	if (!d->lan)
		return 0;
	if ((lan = calloc(1, sizeof(*lan))) == NULL ||
	    (lan->keys = sodium_malloc(LAN_KEYS_MAX *
	    sizeof(*lan->keys))) == NULL) {
		free(lan);
		return BAL_ENOMEM;
	}
	lan->net = net;
	net->lan = lan;
	lan->info.sending = lan_sends(lan, d->listen);
	lan_limit_init(&lan->limit, uv_now(d->loop));
	uv_timer_init(d->loop, &lan->timer);
	lan_handle(lan, (uv_handle_t *)&lan->timer);
	if (!lan->info.sending)
		lan->v4 = lan->v6 = 0;
	lan->info.running = 1;	/* the sockets come with the first key */
	lan->next_round = uv_now(d->loop);
	uv_timer_start(&lan->timer, on_lan_timer, 1, 0);
	return 0;
}

void
lan_stop(struct net *net)
{
	struct lan *lan = net->lan;

	if (lan == NULL || lan->info.running == 0)
		return;
	lan->info.running = 0;
	uv_timer_stop(&lan->timer);
	lan_sockets(lan);
	uv_close((uv_handle_t *)&lan->timer, on_lan_closed);
}

void
lan_groups_changed(struct net *net)
{
	struct lan *lan = net->lan;

	if (lan != NULL && lan->info.running && !net->stopping)
		uv_timer_start(&lan->timer, on_lan_timer, 0, 0);
}

/* LAN targets not heard from for LAN_FORGET_MS, without a conn, go. */
void
lan_expire(struct net *net)
{
	struct target *t;
	uint64_t now = daemon_now_ms();

	for (t = net->targets; t != NULL; t = t->next)
		if (t->lan && !t->closed && t->conn == NULL &&
		    t->lan_ms + LAN_FORGET_MS < now) {
			/* A typed or announced target a beacon found (a beacon
			 * anyone on the link can replay) stays as it was. */
			if (t->lan_made)
				peer_dial_close(t);
			else
				t->lan = 0;
		}
}

int
lan_member_found(const struct net *net, const uint8_t *group,
    const uint8_t *member)
{
	const struct target *t;

	for (t = net->targets; t != NULL; t = t->next)
		if (t->lan && !t->closed && memcmp(t->group, group,
		    BAL_GROUP_ID_BYTES) == 0 && memcmp(t->member, member,
		    BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

void
net_lan_status(struct daemon *d, struct net_lan_info *out)
{
	memset(out, 0, sizeof(*out));
	if (d->net != NULL && d->net->lan != NULL) {
		*out = d->net->lan->info;
		out->groups = (unsigned)d->net->lan->nsend;
	}
}
