/*
 * portmap-igd.c — which UPnP device balintd believes: the SSDP answers of
 * the LAN name the URLs it fetches and posts SOAP to, so only URLs on one
 * of this machine's LANs are used (docs/protocol.md "Port mapping",
 * threat-model.md).
 *
 * Any device on the LAN may answer M-SEARCH; its LOCATION (the
 * description URL) and, in the description, the control URLs are what
 * balintd's HTTP requests go to.  A LAN host answering with
 * http://127.0.0.1:7452/ (or a description naming such control URLs)
 * would aim them at services of this machine that trust loopback (its
 * own web page, tor's control port).  So a URL is taken only when it is
 * http:// with a numeric host in the subnet of one of this machine's
 * interfaces, not loopback, not unspecified, not one of this machine's
 * own addresses, link-local IPv6 only with the scope of an interface that
 * has such an address; and the control URLs must name the description
 * URL's host.
 *
 * miniupnpc's UPNP_GetValidIGD fetches every description and posts to
 * the control URLs (GetStatusInfo) before its caller sees them, so the
 * choice is made here with the library's own pieces (miniwget_getaddr,
 * parserootdesc, GetUPNPUrls, UPNPIGD_IsConnected) and the check between
 * them; portmap_url_check is pure (tests/unit/test-portmap.c).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miniupnpc/miniwget.h>
#include <miniupnpc/upnpcommands.h>

#include "portmap-int.h"

/* ---- pure: one URL against this machine's interfaces ---- */

static int
in_subnet(const struct pm_lan *l, const uint8_t *a, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((a[i] & l->mask[i]) != (l->addr[i] & l->mask[i]))
			return 0;
	return 1;
}

static int
all_zero(const uint8_t *a, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != 0)
			return 0;
	return 1;
}

int
portmap_url_check(const char *url, unsigned scope, const struct pm_lan *lans,
    size_t n, struct pm_urlhost *h)
{
	char host[PM_URL_HOST_MAX], sc[IF_NAMESIZE];
	const char *p, *e, *pct;
	size_t len, i, hl;
	unsigned long v;
	char *end;
	int ll, on_lan = 0, scope_ok = 0;

	memset(h, 0, sizeof(*h));
	if (url == NULL || (len = strnlen(url, PM_URL_MAX + 1)) > PM_URL_MAX)
		return PM_URL_LONG;
	if (strncmp(url, "http://", 7) != 0)
		return PM_URL_GARBAGE;
	p = url + 7;
	/* Stricter than miniupnpc's parseURL, and the same host for it. */
	if (*p == '[') {
		if ((e = strchr(p, ']')) == NULL)
			return PM_URL_GARBAGE;
		hl = (size_t)(e - p - 1);
		if (hl == 0 || hl >= sizeof(host))
			return hl == 0 ? PM_URL_GARBAGE : PM_URL_LONG;
		memcpy(host, p + 1, hl);
		host[hl] = '\0';
		if ((pct = strchr(host, '%')) != NULL) {
			const char *s = pct + 1;

			if (strncmp(s, "25", 2) == 0)	/* as miniupnpc */
				s += 2;
			if (*s == '\0' || strlen(s) >= sizeof(sc))
				return PM_URL_GARBAGE;
			snprintf(sc, sizeof(sc), "%s", s);
			host[pct - host] = '\0';
			/* An interface's name, or its number. */
			scope = 0;
			for (i = 0; i < n && scope == 0; i++)
				if (strcmp(lans[i].name, sc) == 0)
					scope = lans[i].ifindex;
			if (scope == 0) {
				v = strtoul(sc, &end, 10);
				if (*end != '\0' || sc[0] < '0' ||
				    sc[0] > '9' || v == 0 || v > 0xffffffUL)
					return PM_URL_SCOPE;
				scope = (unsigned)v;
			}
		}
		if (inet_pton(AF_INET6, host, h->addr) != 1)
			return PM_URL_NAME;
		h->family = AF_INET6;
		p = e + 1;
	} else {
		for (e = p; (*e >= '0' && *e <= '9') || *e == '.'; e++)
			;
		hl = (size_t)(e - p);
		if (*e != ':' && *e != '/')
			return hl > 0 && *e == '\0' ? PM_URL_GARBAGE :
			    PM_URL_NAME;
		if (hl == 0 || hl >= sizeof(host))
			return hl == 0 ? PM_URL_NAME : PM_URL_LONG;
		memcpy(host, p, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET, host, h->addr) != 1)
			return PM_URL_NAME;
		h->family = AF_INET;
		p = e;
	}
	if (*p == ':') {
		for (e = ++p, v = 0; *e >= '0' && *e <= '9' && e - p < 6; e++)
			v = v * 10 + (unsigned long)(*e - '0');
		if (e == p || v == 0 || v > 65535)
			return PM_URL_GARBAGE;
		p = e;
	}
	if (*p != '/')
		return PM_URL_GARBAGE;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return PM_URL_GARBAGE;
	hl = h->family == AF_INET ? 4 : 16;
	if (h->family == AF_INET) {
		if (h->addr[0] == 127)
			return PM_URL_LOOPBACK;
		if (h->addr[0] == 0 || h->addr[0] >= 224)
			return PM_URL_NOTLAN;
	} else {
		static const uint8_t lo[16] = { [15] = 1 };

		if (memcmp(h->addr, lo, 16) == 0)
			return PM_URL_LOOPBACK;
		if (all_zero(h->addr, 16) || h->addr[0] == 0xff ||
		    all_zero(h->addr, 10))	/* ::, multicast, ::ffff:v4 */
			return PM_URL_NOTLAN;
	}
	ll = h->family == AF_INET6 && h->addr[0] == 0xfe &&
	    (h->addr[1] & 0xc0) == 0x80;
	for (i = 0; i < n; i++) {
		if (lans[i].family != h->family)
			continue;
		if (memcmp(lans[i].addr, h->addr, hl) == 0)
			return PM_URL_SELF;
		if (!in_subnet(&lans[i], h->addr, hl))
			continue;
		if (ll) {
			if (scope != 0 && lans[i].ifindex == scope)
				scope_ok = on_lan = 1;
		} else if (!all_zero(lans[i].mask, hl))	/* no /0 */
			on_lan = 1;
	}
	if (ll && !scope_ok)
		return PM_URL_SCOPE;
	if (!on_lan)
		return PM_URL_NOTLAN;
	h->scope = ll ? scope : 0;
	return PM_URL_OK;
}

const char *
portmap_url_why(int r)
{
	switch (r) {
	case PM_URL_OK:		return "ok";
	case PM_URL_LONG:	return "over-long";
	case PM_URL_GARBAGE:	return "not an http:// URL";
	case PM_URL_NAME:	return "a name, not a numeric address";
	case PM_URL_LOOPBACK:	return "a loopback address";
	case PM_URL_SELF:	return "this machine's own address";
	case PM_URL_SCOPE:	return "link-local without this machine's "
				    "interface as scope";
	case PM_URL_NOTLAN:	return "not on this machine's LANs";
	case PM_URL_OTHER:	return "another host than the device's "
				    "description";
	default:		return "refused";
	}
}

/* ---- on the job's thread: this machine's interfaces ---- */

static size_t
lans_load(struct pm_lan *lans, size_t max)
{
	struct ifaddrs *ifs, *i;
	size_t n = 0;

	if (getifaddrs(&ifs) != 0)
		return 0;
	for (i = ifs; i != NULL && n < max; i = i->ifa_next) {
		struct pm_lan *l = &lans[n];

		if (i->ifa_addr == NULL || i->ifa_netmask == NULL ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		memset(l, 0, sizeof(*l));
		if (i->ifa_addr->sa_family == AF_INET) {
			memcpy(l->addr, &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, 4);
			memcpy(l->mask, &((struct sockaddr_in *)(void *)
			    i->ifa_netmask)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(l->addr, &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr, 16);
			memcpy(l->mask, &((struct sockaddr_in6 *)(void *)
			    i->ifa_netmask)->sin6_addr, 16);
		} else
			continue;
		l->family = i->ifa_addr->sa_family;
		l->ifindex = if_nametoindex(i->ifa_name);
		snprintf(l->name, sizeof(l->name), "%s", i->ifa_name);
		n++;
	}
	freeifaddrs(ifs);
	return n;
}

/* 0 when every control URL of u names the description's host d. */
static int
urls_check(const struct UPNPUrls *u, const struct pm_urlhost *d,
    const struct pm_lan *lans, size_t n, const char **bad)
{
	const char *c[4] = { u->controlURL, u->ipcondescURL,
	    u->controlURL_CIF, u->controlURL_6FC };
	struct pm_urlhost h;
	size_t i;
	int r;

	for (i = 0; i < 4; i++) {
		if (c[i] == NULL || c[i][0] == '\0')
			continue;
		*bad = c[i];
		/* A SOAP request's scope is its URL's own (miniupnpc). */
		if ((r = portmap_url_check(c[i], 0, lans, n, &h)) != PM_URL_OK)
			return r;
		if (h.family != d->family || memcmp(h.addr, d->addr, 16) != 0)
			return PM_URL_OTHER;
	}
	return PM_URL_OK;
}

static void
skip_log(const char *url, int r)
{
	daemon_log("port map: upnp: skipped the device at '%.100s' (%s)",
	    url, portmap_url_why(r));
}

/* Connected: as UPNP_GetValidIGD's state 1 (a non-RFC 1918 address). */
static int
igd_connected(struct UPNPUrls *u, struct IGDdatas *d)
{
	char ext[40];
	struct in_addr a;

	if (!UPNPIGD_IsConnected(u, d))
		return 0;
	memset(ext, 0, sizeof(ext));
	if (UPNP_GetExternalIPAddress(u->controlURL, d->first.servicetype,
	    ext) != UPNPCOMMAND_SUCCESS || inet_pton(AF_INET, ext, &a) != 1)
		return 0;
	a.s_addr = ntohl(a.s_addr);
	return a.s_addr != 0 && (a.s_addr >> 24) != 10 &&
	    (a.s_addr >> 20) != 0xac1 && (a.s_addr >> 16) != 0xc0a8;
}

int
portmap_igd_pick(struct UPNPDev *devs, struct UPNPUrls *urls,
    struct IGDdatas *data, char *lan, int lanlen)
{
	static const char cif[] =
	    "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:";
	struct pm_lan lans[PM_LANS];
	struct pm_urlhost dh;
	struct UPNPUrls u;
	struct IGDdatas d;
	struct UPNPDev *dev;
	char mylan[64], *xml;
	const char *bad;
	size_t n = lans_load(lans, PM_LANS);
	int size, status, r, found = 0, swap, c;

	for (dev = devs; dev != NULL; dev = dev->pNext) {
		r = portmap_url_check(dev->descURL, dev->scope_id, lans, n,
		    &dh);
		if (r != PM_URL_OK) {
			skip_log(dev->descURL, r);
			continue;
		}
		size = 0;
		status = -1;
		xml = miniwget_getaddr(dev->descURL, &size, mylan,
		    sizeof(mylan), dev->scope_id, &status);
		if (xml == NULL)
			continue;
		memset(&d, 0, sizeof(d));
		parserootdesc(xml, size, &d);
		free(xml);
		if (strncmp(d.CIF.servicetype, cif, sizeof(cif) - 1) != 0)
			continue;
		for (swap = 0; swap < 2; swap++) {
			if (swap) {	/* the second connection service */
				if (d.second.servicetype[0] == '\0')
					break;
				memcpy(&d.tmp, &d.first, sizeof(d.tmp));
				memcpy(&d.first, &d.second, sizeof(d.first));
				memcpy(&d.second, &d.tmp, sizeof(d.second));
			}
			memset(&u, 0, sizeof(u));
			GetUPNPUrls(&u, &d, dev->descURL, dev->scope_id);
			if ((r = urls_check(&u, &dh, lans, n, &bad)) !=
			    PM_URL_OK) {
				skip_log(bad, r);
				FreeUPNPUrls(&u);
				break;	/* the same base for both */
			}
			/* The first connected one; else the first IGD. */
			c = igd_connected(&u, &d);
			if (!c && found != 0) {
				FreeUPNPUrls(&u);
				continue;
			}
			if (found != 0)
				FreeUPNPUrls(urls);
			found = c ? 1 : 2;
			*urls = u;
			*data = d;
			if (lan != NULL && lanlen > 0)
				snprintf(lan, (size_t)lanlen, "%s", mylan);
			if (c)
				return 1;
		}
	}
	return found;
}
