/*
 * portmap.c — the router maps balintd's TCP port: PCP (portmap-pcp.c),
 * NAT-PMP (libnatpmp) or UPnP-IGD (libminiupnpc), docs/protocol.md "Port
 * mapping"; and opens its IPv6 firewall (portmap-hole.c).
 *
 * All three block (SSDP discovery, SOAP over HTTP, UDP retries), so
 * every request runs on libuv's thread pool (uv_queue_work)
 * and only its result comes back to the loop.  One job at a time: the
 * library state (the IGD's URLs, the NAT-PMP socket) is touched by that
 * job's thread only, and the loop reads the result in after_work.
 *
 * At start: PCP, then NAT-PMP (3 s at most each), then UPnP (discovery
 * 2 s).  What works maps the listen port for PORTMAP_LEASE_S, learns the external
 * address, and the mapped "EXTERNAL:PORT" is announced and put in codes
 * after the onion and the advertised address (net_announce, invite
 * codes), never in a tor-only group.  The lease is renewed at half its
 * time (the time asked for when the router grants more); a failed
 * renewal maps again from the start, and so does a PCP answer saying the
 * router lost its state (portmap-pcp.c), at once; nothing found is
 * tried again after PORTMAP_RETRY_S.  At shutdown the mapping is removed
 * (the loop runs until that job is done: a work request keeps it alive).
 *
 * struct portmap outlives struct net: net_stop detaches it, and it frees
 * itself when its timer is closed and its last job came back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <natpmp.h>

#include "addr.h"
#include "group.h"
#include "portmap-int.h"
#include "settings.h"

/* ---- on the thread pool ---- */

/* Milliseconds of a monotonic clock, for the NAT-PMP deadline. */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* UPnP-IGD: discover, map port -> port, read the external address. */
static int
upnp_map(struct portmap *pm)
{
	struct UPNPDev *devs;
	char ext[40], port[8], lease[16];
	struct in_addr ext4;
	int err = 0, r;

	if (!pm->has_urls) {
		devs = upnpDiscover(2000, NULL, NULL, UPNP_LOCAL_PORT_ANY, 0, 2,
		    &err);
		if (devs == NULL) {
			snprintf(pm->r_why, sizeof(pm->r_why), N_("upnp: no "
			    "router answered"));
			return -1;
		}
		memset(&pm->urls, 0, sizeof(pm->urls));
		/* Only devices whose URLs are on the LAN (portmap-igd.c). */
		r = portmap_igd_pick(devs, &pm->urls, &pm->data, pm->lanaddr,
		    sizeof(pm->lanaddr));
		freeUPNPDevlist(devs);
		if (r != 1) {
			if (r != 0)
				FreeUPNPUrls(&pm->urls);
			snprintf(pm->r_why, sizeof(pm->r_why), N_("upnp: no "
			    "connected internet gateway device"));
			return -1;
		}
		pm->has_urls = 1;
	}
	/*
	 * The router's text (up to 15 bytes of its XML): only a numeric
	 * IPv4 address is taken, logged, shown or announced.
	 */
	if (UPNP_GetExternalIPAddress(pm->urls.controlURL,
	    pm->data.first.servicetype, ext) != UPNPCOMMAND_SUCCESS ||
	    inet_pton(AF_INET, ext, &ext4) != 1) {
		snprintf(pm->r_why, sizeof(pm->r_why), N_("upnp: the router "
		    "gives no external address"));
		return -1;
	}
	snprintf(port, sizeof(port), "%u", (unsigned)pm->port);
	snprintf(lease, sizeof(lease), "%u", pm->lease_ask);
	r = UPNP_AddPortMapping(pm->urls.controlURL,
	    pm->data.first.servicetype, port, port, pm->lanaddr, "balintd",
	    "TCP", NULL, lease);
	if (r == 725) {		/* OnlyPermanentLeasesSupported */
		snprintf(lease, sizeof(lease), "0");
		r = UPNP_AddPortMapping(pm->urls.controlURL,
		    pm->data.first.servicetype, port, port, pm->lanaddr,
		    "balintd", "TCP", NULL, lease);
	}
	if (r != UPNPCOMMAND_SUCCESS) {
		snprintf(pm->r_why, sizeof(pm->r_why), N_("upnp: the router "
		    "refused the mapping (%d %s)"), r, strupnperror(r));
		return -1;
	}
	pm->r_method = PORTMAP_UPNP;
	snprintf(pm->r_ip, sizeof(pm->r_ip), "%s", ext);
	pm->r_port = pm->port;
	pm->r_lease = (unsigned)strtoul(lease, NULL, 10);
	return 0;
}

static void
upnp_remove(struct portmap *pm)
{
	char port[8];

	if (!pm->has_urls)
		return;
	snprintf(port, sizeof(port), "%u", (unsigned)pm->port);
	(void)UPNP_DeletePortMapping(pm->urls.controlURL,
	    pm->data.first.servicetype, port, "TCP", NULL);
}

/* One NAT-PMP request's answer, waiting until deadline (monotonic ms). */
static int
natpmp_wait(natpmp_t *n, natpmpresp_t *resp, uint64_t deadline)
{
	struct timeval tv;
	fd_set fds;
	int r;

	for (;;) {
		r = readnatpmpresponseorretry(n, resp);
		if (r != NATPMP_TRYAGAIN)
			return r;
		if (mono_ms() >= deadline)
			return NATPMP_ERR_NOGATEWAYSUPPORT;
		FD_ZERO(&fds);
		FD_SET(n->s, &fds);
		if (getnatpmprequesttimeout(n, &tv) != 0)
			tv.tv_sec = 0, tv.tv_usec = 250000;
		if (tv.tv_sec > 1)
			tv.tv_sec = 1;
		(void)select(n->s + 1, &fds, NULL, NULL, &tv);
	}
}

/* NAT-PMP: ask the default gateway; lifetime 0 removes the mapping. */
static int
natpmp_request(struct portmap *pm, unsigned lifetime)
{
	natpmp_t n;
	natpmpresp_t resp;
	struct in_addr a;
	uint64_t deadline = mono_ms() + 3000;
	int r;

	if ((r = initnatpmp(&n, 0, 0)) < 0) {
		snprintf(pm->r_why, sizeof(pm->r_why), N_("natpmp: no default "
		    "gateway (%d)"), r);
		return -1;
	}
	if (lifetime > 0) {
		if (sendpublicaddressrequest(&n) < 0 ||
		    natpmp_wait(&n, &resp, deadline) < 0 ||
		    resp.type != NATPMP_RESPTYPE_PUBLICADDRESS) {
			closenatpmp(&n);
			snprintf(pm->r_why, sizeof(pm->r_why), N_("natpmp: the "
			    "gateway does not answer"));
			return -1;
		}
		a = resp.pnu.publicaddress.addr;
		inet_ntop(AF_INET, &a, pm->r_ip, sizeof(pm->r_ip));
	}
	if (sendnewportmappingrequest(&n, NATPMP_PROTOCOL_TCP, pm->port,
	    lifetime > 0 ? pm->port : 0, lifetime) < 0 ||
	    (r = natpmp_wait(&n, &resp, deadline)) < 0) {
		closenatpmp(&n);
		if (lifetime > 0)
			snprintf(pm->r_why, sizeof(pm->r_why), N_("natpmp: the "
			    "gateway refused the mapping (%d)"), r);
		return -1;
	}
	closenatpmp(&n);
	if (lifetime == 0)
		return 0;
	pm->r_method = PORTMAP_NATPMP;
	pm->r_port = resp.pnu.newportmapping.mappedpublicport;
	pm->r_lease = resp.pnu.newportmapping.lifetime;
	return 0;
}

/* The failures of a map job, one per method tried, in r_why. */
struct pm_whys {
	char w[3][sizeof(((struct portmap *)0)->r_why)];
	int n;
};

static void
why_add(struct pm_whys *ws, const char *one)
{
	if (one[0] != '\0' && ws->n < 3)
		snprintf(ws->w[ws->n++], sizeof(ws->w[0]), "%s", one);
}

/* Each reason translated by the CLI (daemon-text.c), joined by "; ". */
static void
why_join(const struct pm_whys *ws, char *out, size_t len)
{
	if (ws->n == 1)
		snprintf(out, len, "%s", ws->w[0]);
	else if (ws->n == 2)
		snprintf(out, len, N_("%.70s; %.80s"), ws->w[0], ws->w[1]);
	else if (ws->n == 3)
		snprintf(out, len, N_("%.50s; %.50s; %.50s"), ws->w[0],
		    ws->w[1], ws->w[2]);
}

/*
 * The IPv4 mapping's part of a job.  A renewal asks the same router the
 * same way again; a map tries PCP, then NAT-PMP, then UPnP-IGD (why this
 * order: docs/protocol.md "Port mapping").
 */
static void
pm_work_v4(struct portmap *pm)
{
	struct pm_whys ws;

	ws.n = 0;
	pm->r_method = PORTMAP_NONE;
	pm->r_ip[0] = pm->r_why[0] = '\0';
	if (pm->job == PM_REMOVE) {
		if (pm->method == PORTMAP_UPNP)
			upnp_remove(pm);
		else if (pm->method == PORTMAP_NATPMP)
			(void)natpmp_request(pm, 0);
		else if (pm->method == PORTMAP_PCP)
			(void)portmap_pcp_map4(pm, 0);
		return;
	}
	if (pm->job == PM_RENEW) {
		if (pm->method == PORTMAP_PCP)
			(void)portmap_pcp_map4(pm, pm->lease_ask);
		else if (pm->method == PORTMAP_NATPMP)
			(void)natpmp_request(pm, pm->lease_ask);
		else if (pm->method == PORTMAP_UPNP)
			(void)upnp_map(pm);
		return;
	}
	if (pm->tries & PM_TRY_PCP) {
		if (portmap_pcp_map4(pm, pm->lease_ask) == 0)
			return;
		why_add(&ws, pm->r_why);
	}
	if (pm->tries & PM_TRY_NATPMP) {
		if (natpmp_request(pm, pm->lease_ask) == 0)
			return;
		why_add(&ws, pm->r_why);
	}
	if (pm->tries & PM_TRY_UPNP) {
		if (upnp_map(pm) == 0)
			return;
		why_add(&ws, pm->r_why);
	}
	why_join(&ws, pm->r_why, sizeof(pm->r_why));
}

static void
pm_work(uv_work_t *w)
{
	struct portmap *pm = w->data;

	pm->r_lost = 0;
	pm_work_v4(pm);
	portmap_hole_work(pm);
}

/* ---- on the loop ---- */

static void pm_queue(struct portmap *pm, enum pm_job job);

static void
pm_free(struct portmap *pm)
{
	if (pm->has_urls)
		FreeUPNPUrls(&pm->urls);
	portmap_hole_free(pm);
	free(pm);
}

static void
pm_timer_closed(uv_handle_t *h)
{
	struct portmap *pm = h->data;

	pm->timer_closed = 1;
	if (!pm->busy)
		pm_free(pm);
}

static void
pm_on_timer(uv_timer_t *t)
{
	struct portmap *pm = t->data;

	if (!pm->busy && !pm->stopping)
		pm_queue(pm, pm->method != PORTMAP_NONE ? PM_RENEW : PM_MAP);
}

int
portmap_gap(struct pm_gap *g, uint64_t now_ms, int changed,
    uint64_t *wait_s)
{
	uint64_t due = g->announced_ms + PORTMAP_ANNOUNCE_GAP_S * 1000ULL;

	*wait_s = 0;
	if (!changed && !g->due)
		return 0;
	/* Within the gap (a clock set back counts as past it). */
	if (g->announced_ms != 0 && now_ms >= g->announced_ms &&
	    now_ms < due) {
		g->due = 1;
		*wait_s = (due - now_ms + 999) / 1000;
		return 0;
	}
	g->due = 0;
	g->announced_ms = now_ms;
	return 1;
}

/*
 * Announce the new address (or its loss) in every group, as tor does; but
 * at most once per PORTMAP_ANNOUNCE_GAP_S after the first (portmap_gap): a
 * gateway that hands out a new port on every renewal would otherwise fill
 * the groups with announces that count toward this member's own limits.
 * A change within the gap waits; *wait_s says when pm_after should come
 * back to announce it.
 */
static void
pm_changed(struct portmap *pm, int changed, uint64_t *wait_s)
{
	struct group *g;

	*wait_s = 0;
	if (pm->d == NULL || pm->d->net == NULL || pm->d->net->stopping)
		return;
	if (!portmap_gap(&pm->gap, daemon_now_ms(), changed, wait_s))
		return;
	for (g = pm->d->groups; g != NULL; g = g->next)
		net_announce(pm->d, g);
}

uint64_t
portmap_floor_s(unsigned asked)
{
	uint64_t f = asked / 2;

	if (f > PORTMAP_RENEW_MIN_S)
		f = PORTMAP_RENEW_MIN_S;
	return f < 2 ? 2 : f;
}

unsigned
portmap_lease_held(unsigned granted, unsigned asked)
{
	return granted > asked ? asked : granted;
}

uint64_t
portmap_renew_s(unsigned granted, unsigned asked)
{
	unsigned held = portmap_lease_held(granted, asked);
	uint64_t s = held > 0 ? held / 2 : 3600;

	return s < portmap_floor_s(asked) ? portmap_floor_s(asked) : s;
}

uint64_t
portmap_lost_next(int *again, int lost, uint64_t next_s)
{
	if (lost && !*again) {
		*again = 1;
		return 1;
	}
	*again = 0;
	return next_s;
}

static uint64_t
pm_floor_s(const struct portmap *pm)
{
	return portmap_floor_s(pm->lease_ask);
}

/* 1 when the gateway's answer ip:port may be announced: a global unicast
 * IPv4 address and a port 1..65535. */
static int
pm_ext_ok(const char *ip, unsigned port)
{
	uint8_t a[4];

	return port > 0 && port <= 65535 && inet_pton(AF_INET, ip, a) == 1 &&
	    addr_ipv4_global(a);
}

static void
pm_after(uv_work_t *w, int status)
{
	struct portmap *pm = w->data;
	char old[DAEMON_ADDR_MAX];
	uint64_t next_s, wait_s, hole_s, now, took_s;

	pm->busy = 0;
	if (pm->job == PM_REMOVE || status != 0) {
		if (pm->job == PM_REMOVE && pm->method != PORTMAP_NONE)
			daemon_log("port map: removed %s (%s)", pm->ext,
			    portmap_method_name(pm->method));
		if (pm->job == PM_REMOVE)
			(void)portmap_hole_after(pm);
		pm->method = PORTMAP_NONE;
		pm->ext[0] = '\0';
		if (pm->timer_closed)
			pm_free(pm);
		return;
	}
	if (pm->stopping) {
		/* Mapped while stopping: take it down again. */
		if (pm->r_method != PORTMAP_NONE ||
		    portmap_hole_any(pm, 1)) {
			pm->method = pm->r_method;
			snprintf(pm->ext, sizeof(pm->ext), "%s:%u", pm->r_ip,
			    (unsigned)pm->r_port);
			(void)portmap_hole_after(pm);
			pm_queue(pm, PM_REMOVE);
		} else if (pm->timer_closed)
			pm_free(pm);
		return;
	}
	snprintf(old, sizeof(old), "%s", pm->ext);
	if (pm->r_method != PORTMAP_NONE) {
		pm->method = pm->r_method;
		snprintf(pm->ext, sizeof(pm->ext), "%s:%u", pm->r_ip,
		    (unsigned)pm->r_port);
		pm->lease = portmap_lease_held(pm->r_lease, pm->lease_ask);
		pm->until_ms = pm->lease > 0 ? daemon_now_ms() +
		    (uint64_t)pm->lease * 1000 : 0;
		pm->why[0] = '\0';
		daemon_log("port map: %s %s -> port %u, lease %u s", pm->job ==
		    PM_RENEW ? "renewed" : "mapped", pm->ext,
		    (unsigned)pm->port, pm->lease);
		if (!pm_ext_ok(pm->r_ip, pm->r_port)) {
			/* Kept (renewed, removed at stop), never announced. */
			snprintf(pm->why, sizeof(pm->why), N_("the gateway names "
			    "%.64s, no global IPv4 address and port: not "
			    "announced"), pm->ext);
			daemon_log("port map: %s", pm->why);
			pm->ext[0] = '\0';
		}
		/* Renew at half the lease (a permanent one: check hourly). */
		next_s = portmap_renew_s(pm->lease, pm->lease_ask);
	} else if (pm->job == PM_RENEW) {
		daemon_log("port map: renewing %s failed (%s); mapping again",
		    pm->ext, pm->r_why);
		pm->method = PORTMAP_NONE;
		pm->ext[0] = '\0';
		pm->until_ms = 0;
		snprintf(pm->why, sizeof(pm->why), "%s", pm->r_why);
		next_s = pm_floor_s(pm);
	} else {
		snprintf(pm->why, sizeof(pm->why), "%s", pm->r_why);
		daemon_log("port map: none (%s); trying again in %d s",
		    pm->why, PORTMAP_RETRY_S);
		next_s = PORTMAP_RETRY_S;
	}
	/* A change waiting for its turn: ask again when it comes. */
	pm_changed(pm, strcmp(old, pm->ext) != 0, &wait_s);
	if (wait_s > 0 && wait_s < next_s)
		next_s = wait_s;
	/* The pinholes' renewal, when it comes sooner. */
	if ((hole_s = portmap_hole_after(pm)) > 0) {
		if (hole_s < pm_floor_s(pm))
			hole_s = pm_floor_s(pm);
		if (hole_s < next_s)
			next_s = hole_s;
	}
	/*
	 * A lease runs from the request, and a job asks for the IPv4
	 * mapping before it spends seconds on the IPv6 pinholes: the wait
	 * is counted from the job's start, not its end.
	 */
	now = daemon_now_ms();
	took_s = now > pm->job_start_ms ? (now - pm->job_start_ms) / 1000 : 0;
	next_s = next_s > took_s + 1 ? next_s - took_s : 1;
	if (pm->r_lost)
		daemon_log("port map: the PCP router lost its state (its epoch "
		    "went back or jumped)%s", pm->lost_again ? "" :
		    ": mapping again");
	next_s = portmap_lost_next(&pm->lost_again, pm->r_lost, next_s);
	uv_timer_start(&pm->timer, pm_on_timer, next_s * 1000, 0);
}

static void
pm_queue(struct portmap *pm, enum pm_job job)
{
	pm->job = job;
	pm->job_start_ms = daemon_now_ms();
	pm->work.data = pm;
	portmap_hole_prepare(pm);
	if (uv_queue_work(pm->timer.loop, &pm->work, pm_work, pm_after) == 0)
		pm->busy = 1;
}

const char *
portmap_method_name(int method)
{
	return method == PORTMAP_UPNP ? "upnp" : method == PORTMAP_NATPMP ?
	    "natpmp" : method == PORTMAP_PCP ? "pcp" : "none";
}

/*
 * Which methods to try (PM_TRY_*): the settings' "portmap" (on/off), then
 * the environment's PORTMAP_ENV (on, off, or one method: pcp, natpmp,
 * upnp; tests set off).  0: none.
 */
static int
pm_tries(const char *setting)
{
	const char *e = getenv(PORTMAP_ENV);
	const int all = PM_TRY_PCP | PM_TRY_NATPMP | PM_TRY_UPNP;

	if (e != NULL && *e != '\0') {
		if (strcmp(e, "off") == 0)
			return 0;
		if (strcmp(e, "upnp") == 0)
			return PM_TRY_UPNP;
		if (strcmp(e, "natpmp") == 0)
			return PM_TRY_NATPMP;
		if (strcmp(e, "pcp") == 0)
			return PM_TRY_PCP;
		if (strcmp(e, "on") == 0)
			return all;
		daemon_log("%s='%.20s' is not on, off, pcp, natpmp or upnp; "
		    "ignored", PORTMAP_ENV, e);
	}
	return setting != NULL && strcmp(setting, "off") == 0 ? 0 : all;
}

/* The lease asked for: PORTMAP_LEASE_S, or the test hook's (>= 4 s). */
static unsigned
pm_lease(void)
{
	const char *e = getenv(PORTMAP_LEASE_ENV);
	unsigned long v;
	char *end;

	if (e == NULL || *e == '\0')
		return PORTMAP_LEASE_S;
	v = strtoul(e, &end, 10);
	if (*end != '\0' || v < 4 || v > PORTMAP_LEASE_S) {
		daemon_log("%s='%.20s' is not 4..%d seconds; ignored",
		    PORTMAP_LEASE_ENV, e, PORTMAP_LEASE_S);
		return PORTMAP_LEASE_S;
	}
	return (unsigned)v;
}

/* 1 when every group held is tor-only (none held: 0). */
static int
all_tor_only(const struct daemon *d)
{
	const struct group *g;

	for (g = d->groups; g != NULL; g = g->next)
		if (!group_tor_only(g))
			return 0;
	return d->groups != NULL;
}

void
portmap_start(struct net *net)
{
	struct daemon *d = net->d;
	struct settings set;
	struct addr_parts a;
	struct portmap *pm;
	int tries;

	(void)settings_load(&set);
	tries = pm_tries(set.portmap);

	if (tries == 0 || !net->listening || addr_split(d->listen, &a) != 0 ||
	    a.scope == ADDR_LOOPBACK || a.port == 0)
		return;
	if (all_tor_only(d)) {
		daemon_log("port map: not tried (every group is tor-only)");
		return;
	}
	if ((pm = calloc(1, sizeof(*pm))) == NULL)
		return;
	pm->d = d;
	pm->tries = tries;
	pm->port = (uint16_t)a.port;
	pm->lease_ask = pm_lease();
	uv_timer_init(d->loop, &pm->timer);
	pm->timer.data = pm;
	net->portmap = pm;
	pm_queue(pm, PM_MAP);
}

void
portmap_stop(struct net *net)
{
	struct portmap *pm = net->portmap;

	if (pm == NULL)
		return;
	net->portmap = NULL;
	pm->d = NULL;
	pm->stopping = 1;
	uv_timer_stop(&pm->timer);
	if (!pm->busy && (pm->method != PORTMAP_NONE ||
	    portmap_hole_any(pm, 0)))
		pm_queue(pm, PM_REMOVE);
	uv_close((uv_handle_t *)&pm->timer, pm_timer_closed);
}

const char *
net_portmap_addr(const struct daemon *d)
{
	const struct portmap *pm;

	if (d->net == NULL || (pm = d->net->portmap) == NULL ||
	    pm->method == PORTMAP_NONE || pm->ext[0] == '\0')
		return NULL;
	return pm->ext;
}

void
net_portmap_status(const struct daemon *d, struct net_portmap_info *pi)
{
	const struct portmap *pm = d->net != NULL ? d->net->portmap : NULL;
	uint64_t now = daemon_now_ms();

	memset(pi, 0, sizeof(*pi));
	pi->method = pi->v6_method = "off";
	pi->ext = pi->why = pi->v6_open = pi->v6_why = "";
	if (pm == NULL)
		return;
	pi->method = pm->method != PORTMAP_NONE ? portmap_method_name(
	    pm->method) : pm->busy ? "trying" : "none";
	pi->ext = pm->ext;
	pi->why = pm->why;
	pi->lease_s = pm->lease;
	pi->left_s = pm->until_ms > now ? (pm->until_ms - now) / 1000 : 0;
	pi->v6_method = pm->v6_nofw ? "nofirewall" : pm->v6_method !=
	    PORTMAP_NONE ? portmap_method_name(pm->v6_method) :
	    pm->v6_noaddr ? "unneeded" : pm->busy && !pm->v6_tried &&
	    pm->v6_why[0] == '\0' ? "trying" : "none";
	pi->v6_open = pm->v6_text;
	pi->v6_why = pm->v6_why;
	pi->v6_lease_s = pm->v6_lease;
	pi->v6_left_s = pm->v6_until_ms > now ? (pm->v6_until_ms - now) /
	    1000 : 0;
}

int
net_portmap_v6_open(const struct daemon *d, const char *host)
{
	const struct portmap *pm = d->net != NULL ? d->net->portmap : NULL;
	size_t i;

	if (pm == NULL || !(pm->tries & (PM_TRY_UPNP | PM_TRY_PCP)))
		return -1;
	if (pm->v6_nofw)
		return 1;
	for (i = 0; i < pm->nholes; i++)
		if (strcmp(pm->holes[i].ip, host) == 0)
			return pm->holes[i].open;
	return 0;
}
