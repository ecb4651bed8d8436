/*
 * portmap-hole.c — IPv6 pinholes: the home router's firewall lets members
 * elsewhere in to balintd's port on this machine's global IPv6 addresses
 * (docs/protocol.md "Port mapping", threat-model.md on what that opens).
 *
 * An IPv6 address needs no mapping (no NAT), but a home router drops every
 * new connection from outside unless its firewall holds a pinhole for it.
 * PCP first (portmap-pcp.c): a MAP request from that address to the
 * default router, the external address and port the same as the
 * internal ones; renewed with the same nonce, deleted by lifetime 0.
 * Else UPnP IGDv2's WANIPv6FirewallControl (Debian's libminiupnpc):
 * AddPinhole for TCP to [address]:port from any host and port, for the
 * lease asked; UpdatePinhole renews it by its UniqueID; DeletePinhole at
 * shutdown or when the address is no longer this machine's.  The router
 * is found by SSDP over IPv6 (a discovery of its own: the SOAP requests
 * must come from the address the pinhole is for, which a router in
 * secure mode checks, and they do when they go over IPv6 from it).
 *
 * These run inside portmap.c's jobs on the thread pool: portmap_hole_
 * prepare (loop) says which addresses, portmap_hole_work (thread) asks the
 * router, portmap_hole_after (loop) takes the answer in.  A lease is
 * held for what the router granted but never longer than was asked
 * (portmap_lease_held), and renewed at half that, the floor applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include "addr.h"
#include "portmap-int.h"

/* ---- on the loop, before a job ---- */

static int
hole_listed(const struct pm_hole *h, size_t n, const char *ip)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].ip, ip) == 0)
			return (int)i;
	return -1;
}

void
portmap_hole_prepare(struct portmap *pm)
{
	char g[8][WIRE_MAX_ADDR + 1];
	struct addr_parts a;
	struct pm_hole *h;
	size_t n = 0, i, now = 0;
	int k, v6 = 0;

	memset(pm->r_holes, 0, sizeof(pm->r_holes));
	pm->r_nholes = 0;
	if (pm->d != NULL && !pm->stopping && pm->job != PM_REMOVE)
		n = net_reach_global(pm->d->listen, g, 8);
	for (i = 0; i < n && now < PM_HOLES; i++) {
		if (addr_split(g[i], &a) != 0 || a.kind != ADDR_IPV6 ||
		    strlen(a.host) >= PM_IP6_MAX)
			continue;
		v6 = 1;
		if (!(pm->tries & (PM_TRY_UPNP | PM_TRY_PCP)))
			continue;
		h = &pm->r_holes[now++];
		if ((k = hole_listed(pm->holes, pm->nholes, a.host)) >= 0)
			*h = pm->holes[k];	/* its method, id, nonce */
		snprintf(h->ip, sizeof(h->ip), "%s", a.host);
		h->why[0] = '\0';
		h->gone = 0;
	}
	pm->r_nholes = now;
	/* Open ones no longer listed (all of them when removing): close. */
	for (i = 0; i < pm->nholes; i++) {
		if (pm->holes[i].method == PORTMAP_NONE ||
		    hole_listed(pm->r_holes, now, pm->holes[i].ip) >= 0)
			continue;
		h = &pm->r_holes[pm->r_nholes++];
		*h = pm->holes[i];
		h->gone = 1;
	}
	if (pm->job == PM_REMOVE || pm->stopping)
		return;
	pm->v6_noaddr = !v6;
	if (now == 0)
		snprintf(pm->v6_why, sizeof(pm->v6_why), "%s", !v6 ?
		    (strncmp(pm->d->listen, "[", 1) != 0 ?
		    N_("balintd listens on IPv4 only") :
		    N_("this machine has no global IPv6 address")) :
		    N_("pinholes are asked for by PCP or UPnP, neither of "
		    "which is tried"));
}

/* ---- on the thread pool ---- */

/* The router's IGD over IPv6, with its IPv6 firewall control. */
static int
hole_igd(struct portmap *pm)
{
	struct UPNPDev *devs;
	char lan[64];
	int err = 0, r, on = 1, allowed = 1;

	if (!pm->has_urls6) {
		devs = upnpDiscover(2000, NULL, NULL, UPNP_LOCAL_PORT_ANY, 1,
		    2, &err);
		if (devs == NULL) {
			snprintf(pm->r6_why, sizeof(pm->r6_why), N_("upnp: no "
			    "router answered over IPv6"));
			return -1;
		}
		memset(&pm->urls6, 0, sizeof(pm->urls6));
		/* Only devices whose URLs are on the LAN (portmap-igd.c). */
		r = portmap_igd_pick(devs, &pm->urls6, &pm->data6, lan,
		    sizeof(lan));
		freeUPNPDevlist(devs);
		if (r != 1 && r != 2) {
			if (r != 0)
				FreeUPNPUrls(&pm->urls6);
			snprintf(pm->r6_why, sizeof(pm->r6_why), N_("upnp: no "
			    "internet gateway device over IPv6"));
			return -1;
		}
		pm->has_urls6 = 1;
	}
	if (pm->urls6.controlURL_6FC == NULL ||
	    pm->urls6.controlURL_6FC[0] == '\0' ||
	    pm->data6.IPv6FC.servicetype[0] == '\0') {
		snprintf(pm->r6_why, sizeof(pm->r6_why), N_("upnp: the router "
		    "offers no IPv6 firewall control (IGDv2)"));
		return -1;
	}
	r = UPNP_GetFirewallStatus(pm->urls6.controlURL_6FC,
	    pm->data6.IPv6FC.servicetype, &on, &allowed);
	if (r != UPNPCOMMAND_SUCCESS) {
		snprintf(pm->r6_why, sizeof(pm->r6_why), N_("upnp: the router "
		    "does not say how its IPv6 firewall is (%d %s)"), r,
		    strupnperror(r));
		FreeUPNPUrls(&pm->urls6);	/* found again next time */
		pm->has_urls6 = 0;
		return -1;
	}
	if (!on) {
		pm->r6_nofw = 1;
		return 0;
	}
	if (!allowed) {
		snprintf(pm->r6_why, sizeof(pm->r6_why), N_("upnp: the router "
		    "allows no pinholes in its IPv6 firewall"));
		return -1;
	}
	return 0;
}

static void
hole_delete(struct portmap *pm, struct pm_hole *h)
{
	if (h->method == PORTMAP_UPNP && pm->has_urls6 && h->id[0] != '\0')
		(void)UPNP_DeletePinhole(pm->urls6.controlURL_6FC,
		    pm->data6.IPv6FC.servicetype, h->id);
	else if (h->method == PORTMAP_PCP)
		(void)portmap_pcp_hole(pm, h, 0);
	h->id[0] = '\0';
	h->method = PORTMAP_NONE;
	h->open = 0;
}

/* Renew h by its id, or open it anew. */
static void
hole_open(struct portmap *pm, struct pm_hole *h)
{
	char port[8], lease[16], id[sizeof(h->id) + 8];
	int r;

	snprintf(lease, sizeof(lease), "%u", pm->lease_ask);
	h->lease = pm->lease_ask;
	if (h->id[0] != '\0' && UPNP_UpdatePinhole(pm->urls6.controlURL_6FC,
	    pm->data6.IPv6FC.servicetype, h->id, lease) ==
	    UPNPCOMMAND_SUCCESS) {
		h->open = 1;
		return;
	}
	h->id[0] = '\0';
	h->method = PORTMAP_NONE;
	snprintf(port, sizeof(port), "%u", (unsigned)pm->port);
	memset(id, 0, sizeof(id));
	r = UPNP_AddPinhole(pm->urls6.controlURL_6FC,
	    pm->data6.IPv6FC.servicetype, "", "0", h->ip, port, "6", lease,
	    id);
	if (r == UPNPCOMMAND_SUCCESS && id[0] != '\0' &&
	    strlen(id) < sizeof(h->id)) {
		memcpy(h->id, id, strlen(id) + 1);
		h->method = PORTMAP_UPNP;
		h->open = 1;
		return;
	}
	h->open = 0;
	snprintf(h->why, sizeof(h->why), N_("upnp: the router refused the "
	    "pinhole (%d %s)"), r, strupnperror(r));
	if (r < 0) {			/* no answer: find it again */
		FreeUPNPUrls(&pm->urls6);
		pm->has_urls6 = 0;
	}
}

void
portmap_hole_work(struct portmap *pm)
{
	char pcp_why[sizeof(((struct pm_hole *)0)->why)];
	struct pm_hole *h;
	size_t i, want = 0, shut = 0;
	int igd = -1;

	pm->r6_method = PORTMAP_NONE;
	pm->r6_nofw = 0;
	pm->r6_lease = 0;
	pm->r6_why[0] = '\0';
	for (i = 0; i < pm->r_nholes; i++) {
		h = &pm->r_holes[i];
		h->open = 0;
		h->why[0] = '\0';
		if (h->gone)
			hole_delete(pm, h);
		else
			want++;
	}
	for (i = 0; i < pm->r_nholes; i++) {
		h = &pm->r_holes[i];
		if (h->gone)
			continue;
		/* PCP first, unless UPnP holds this one already. */
		pcp_why[0] = '\0';
		if ((pm->tries & PM_TRY_PCP) && h->method != PORTMAP_UPNP) {
			if (portmap_pcp_hole(pm, h, pm->lease_ask) == 0)
				h->open = 1;
			else {
				h->method = PORTMAP_NONE;
				memcpy(pcp_why, h->why, sizeof(pcp_why));
			}
		}
		if (!h->open && (pm->tries & PM_TRY_UPNP)) {
			if (igd < 0)
				igd = hole_igd(pm);
			if (igd == 0 && pm->r6_nofw)
				h->open = 1;
			else if (igd == 0 && pm->has_urls6)
				hole_open(pm, h);
			else
				snprintf(h->why, sizeof(h->why), "%.90s",
				    pm->r6_why);
		}
		if (!h->open && pcp_why[0] != '\0' && h->why[0] != '\0' &&
		    strcmp(pcp_why, h->why) != 0) {
			char both[sizeof(h->why)];

			snprintf(both, sizeof(both), N_("%.70s; %.80s"),
			    pcp_why, h->why);
			memcpy(h->why, both, sizeof(both));
		} else if (!h->open && h->why[0] == '\0')
			memcpy(h->why, pcp_why, sizeof(pcp_why));
		if (!h->open) {
			shut++;
			continue;
		}
		if (pm->r6_method == PORTMAP_NONE)
			pm->r6_method = h->method;
		if (h->method != PORTMAP_NONE && (pm->r6_lease == 0 ||
		    h->lease < pm->r6_lease))
			pm->r6_lease = h->lease;
	}
	if (pm->r6_nofw && pm->r6_method == PORTMAP_NONE)
		pm->r6_method = PORTMAP_UPNP;
	/* Why none is open: the first hole's reason. */
	for (i = 0; shut == want && i < pm->r_nholes; i++)
		if (!pm->r_holes[i].gone && pm->r_holes[i].why[0] != '\0') {
			memcpy(pm->r6_why, pm->r_holes[i].why,
			    sizeof(pm->r_holes[i].why));
			break;
		}
}

void
portmap_hole_free(struct portmap *pm)
{
	if (pm->has_urls6)
		FreeUPNPUrls(&pm->urls6);
	pm->has_urls6 = 0;
}

/* ---- on the loop, after a job ---- */

int
portmap_hole_any(const struct portmap *pm, int result)
{
	size_t i;

	if (result) {
		for (i = 0; i < pm->r_nholes; i++)
			if (!pm->r_holes[i].gone &&
			    pm->r_holes[i].method != PORTMAP_NONE)
				return 1;
		return 0;
	}
	for (i = 0; i < pm->nholes; i++)
		if (pm->holes[i].method != PORTMAP_NONE)
			return 1;
	return 0;
}

uint64_t
portmap_hole_after(struct portmap *pm)
{
	struct pm_hole *h, old[PM_HOLES];
	size_t i, n = 0, used = 0, nold = pm->nholes;
	int k, open = 0;

	memcpy(old, pm->holes, sizeof(old));
	for (i = 0; i < pm->r_nholes; i++) {
		h = &pm->r_holes[i];
		if (h->gone) {
			daemon_log("port map: closed the pinhole for [%s]:%u%s",
			    h->ip, (unsigned)pm->port, pm->job == PM_REMOVE ?
			    "" : " (no longer this machine's address)");
			continue;
		}
		if (n < PM_HOLES)
			pm->holes[n++] = *h;
		k = hole_listed(old, nold, h->ip);
		if (h->open && h->method != PORTMAP_NONE)
			daemon_log("port map: pinhole %s for [%s]:%u (%s), "
			    "lease %u s", k >= 0 && old[k].open ? "renewed" :
			    "open", h->ip, (unsigned)pm->port,
			    portmap_method_name(h->method), h->lease);
		else if (!h->open && (k < 0 || old[k].open ||
		    strcmp(old[k].why, h->why) != 0))
			daemon_log("port map: no pinhole for [%s]:%u (%s)",
			    h->ip, (unsigned)pm->port, h->why[0] != '\0' ?
			    h->why : pm->r6_why);
		if (h->open) {
			open = 1;
			if (used + PM_IP6_MAX + 10 < sizeof(pm->v6_text))
				used += (size_t)snprintf(pm->v6_text + used,
				    sizeof(pm->v6_text) - used, "%s[%s]:%u",
				    used > 0 ? " " : "", h->ip,
				    (unsigned)pm->port);
		}
	}
	pm->nholes = n;
	if (used == 0)
		pm->v6_text[0] = '\0';
	if (n == 0) {
		pm->v6_method = PORTMAP_NONE;
		pm->v6_nofw = 0;
		pm->v6_lease = 0;
		pm->v6_until_ms = 0;
		return 0;	/* v6_why set by portmap_hole_prepare */
	}
	pm->v6_tried = 1;
	pm->v6_method = pm->r6_method;
	if (pm->r6_nofw && !pm->v6_nofw)
		daemon_log("port map: the router's IPv6 firewall is off "
		    "(upnp): no pinhole needed");
	pm->v6_nofw = pm->r6_nofw;
	snprintf(pm->v6_why, sizeof(pm->v6_why), "%s", open ? "" :
	    pm->r6_why);
	pm->v6_lease = open ? portmap_lease_held(pm->r6_lease,
	    pm->lease_ask) : 0;
	pm->v6_until_ms = pm->v6_lease > 0 ? daemon_now_ms() +
	    (uint64_t)pm->v6_lease * 1000 : 0;
	/* Half the shortest lease, the floor applied: a pinhole granted
	 * for 1 s is still renewed (at the floor), not left to lapse. */
	return pm->v6_lease > 0 ? portmap_renew_s(pm->v6_lease,
	    pm->lease_ask) : 0;
}
