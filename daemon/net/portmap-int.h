/*
 * portmap-int.h — what the files of the router's port mapping share
 * (docs/protocol.md "Port mapping"):
 *
 *	portmap.c	the jobs on the thread pool, their timer, the IPv4
 *			mapping (UPnP-IGD, NAT-PMP), announces, status
 *	portmap-hole.c	IPv6 pinholes in the router's firewall (PCP, UPnP
 *			IGDv2 WANIPv6FirewallControl)
 *	portmap-pcp.c	PCP MAP (RFC 6887) on the wire, for both
 *	portmap-igd.c	which UPnP device is believed (URLs on the LAN)
 *
 * Only for daemon/net/portmap*.c.  Fields marked "thread" are touched by
 * the running job's thread only; the loop copies them in and out around a
 * job (one job at a time), so no lock is needed.
 */
#ifndef BAL_PORTMAP_INT_H
#define BAL_PORTMAP_INT_H

#include <stdint.h>

#include <miniupnpc/miniupnpc.h>

#include "pcp.h"
#include "peer-int.h"

enum pm_job { PM_MAP, PM_RENEW, PM_REMOVE };

/* Which methods to try (struct portmap's tries). */
#define PM_TRY_UPNP 1
#define PM_TRY_NATPMP 2
#define PM_TRY_PCP 4

#define PM_HOLES NET_REACH_V6	/* the global IPv6 addresses announced */
#define PM_IP6_MAX 46		/* INET6_ADDRSTRLEN */

/* One pinhole: the router lets TCP to [ip]:port in from anywhere. */
struct pm_hole {
	char ip[PM_IP6_MAX];	/* a global IPv6 address of this machine */
	int method;		/* PORTMAP_PCP, _UPNP, or _NONE: not open */
	char id[16];		/* UPnP's UniqueID, "" when none */
	uint8_t nonce[12];	/* PCP's mapping nonce (renewals, deletion) */
	unsigned lease;		/* seconds granted */
	int open;		/* the router said yes */
	int gone;		/* no longer this machine's: close it */
	char why[160];		/* why not open, or "" */
};

/*
 * The announce gap (portmap_gap): the first change is announced at once,
 * then at most one announce per PORTMAP_ANNOUNCE_GAP_S.
 */
struct pm_gap {
	uint64_t announced_ms;	/* the last announce (0: none yet) */
	int due;		/* a change waits for its turn */
};

/*
 * portmap_gap: a change (changed 1) or a waiting one at now_ms.  1 when it
 * is to be announced now (and the gap starts again); 0 when it waits, with
 * *wait_s the seconds until its turn.  Pure (the clock is the caller's),
 * so tests/unit/test-portmap.c plays ten minutes in microseconds.
 */
int portmap_gap(struct pm_gap *g, uint64_t now_ms, int changed,
    uint64_t *wait_s);

/*
 * The lease balintd holds for one it asked (0: none, or permanent): what
 * the router granted, never more than was asked (a router granting
 * 0xffffffff s would otherwise be renewed in 68 years, and its reboot
 * go unseen that long).  Status shows this one.
 */
unsigned portmap_lease_held(unsigned granted, unsigned asked);
/*
 * Seconds from a request until the next one, for a lease granted when
 * asked was asked: half the lease held (a permanent one: an hour), never
 * sooner than portmap_floor_s(asked) (a router granting 1 s).  Pure.
 */
uint64_t portmap_renew_s(unsigned granted, unsigned asked);
/*
 * The shortest wait between two requests to the router: PORTMAP_RENEW_
 * MIN_S, or half the lease asked when that is shorter (the tests' hook
 * asks for 4 s), 2 s at least.
 */
uint64_t portmap_floor_s(unsigned asked);

/*
 * The wait until the next job after one whose PCP answers said lost (1:
 * the router lost its state, RFC 6887 §8.5), next_s otherwise: 1 s, all
 * asked again at once, since the router lost every mapping and pinhole
 * it held, those asked before its answer in this job too; but not twice
 * in a row (*again: the job was such a re-map; a router whose epoch jumps
 * on every answer gets one more job per renewal, not one a second).
 */
uint64_t portmap_lost_next(int *again, int lost, uint64_t next_s);

struct portmap {
	struct daemon *d;		/* NULL once net_stop detached it */
	uv_timer_t timer;
	uv_work_t work;
	int busy;			/* a job is on the thread pool */
	int closing;			/* timer closed or closing */
	int timer_closed;
	int stopping;			/* remove, then free */
	int tries;			/* PM_TRY_* */
	uint16_t port;			/* the listen port */
	unsigned lease_ask;		/* seconds asked for */
	enum pm_job job;
	uint64_t job_start_ms;		/* when the running job was queued */
	/* Loop side: what works now. */
	int method;			/* PORTMAP_NONE, _UPNP, _NATPMP, _PCP */
	char ext[DAEMON_ADDR_MAX];	/* "EXTERNAL:PORT" or "" */
	unsigned lease;			/* seconds granted (0: permanent) */
	uint64_t until_ms;		/* the lease ends (0: none) */
	char why[160];			/* the last failure, for status */
	struct pm_gap gap;		/* announces the mapping causes */
	/* Loop side, IPv6 (portmap-hole.c). */
	struct pm_hole holes[PM_HOLES];
	size_t nholes;
	int v6_method;			/* PORTMAP_NONE, _UPNP, _PCP */
	int v6_tried;			/* a job has looked at IPv6 */
	int v6_noaddr;			/* no address to open (v6_why) */
	int v6_nofw;			/* the router's IPv6 firewall is off */
	unsigned v6_lease;		/* the shortest granted (0: none) */
	uint64_t v6_until_ms;
	char v6_why[160];
	char v6_text[PM_HOLES * (PM_IP6_MAX + 10)];
	int lost_again;			/* this job re-maps a lost state */
	/* Thread side (only the job's thread touches these). */
	struct UPNPUrls urls;
	struct IGDdatas data;
	int has_urls;
	char lanaddr[64];
	int r_method;			/* result of the job */
	char r_ip[64];
	uint16_t r_port;
	unsigned r_lease;
	char r_why[160];
	uint8_t pcp_nonce[12];		/* the IPv4 mapping's, for renewals */
	int pcp_nonce_set;
	/* PCP servers' epochs (RFC 6887 §8.5): the IPv4 gateway's, the
	 * IPv6 router's; r_lost: an answer of this job said one of them
	 * lost its state (rebooted). */
	struct pcp_epoch epoch4, epoch6;
	int r_lost;
	/* Thread side, IPv6: the loop fills r_holes before the job. */
	struct UPNPUrls urls6;
	struct IGDdatas data6;
	int has_urls6;
	struct pm_hole r_holes[PM_HOLES * 2];	/* now and gone */
	size_t r_nholes;
	int r6_method;
	unsigned r6_lease;		/* the shortest granted */
	int r6_nofw;
	char r6_why[160];
};

/* ---- portmap-igd.c ---- */

#define PM_URL_MAX 512		/* longer URLs are refused */
#define PM_URL_HOST_MAX 64	/* miniupnpc's MAXHOSTNAMELEN */
#define PM_LANS 32		/* interface addresses looked at */

/* One address of this machine's interfaces (loopback left out). */
struct pm_lan {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes */
	uint8_t mask[16];
	unsigned ifindex;
	char name[16];		/* IF_NAMESIZE */
};

/* A URL's host, as portmap_url_check read it. */
struct pm_urlhost {
	int family;
	uint8_t addr[16];
	unsigned scope;		/* link-local only: the interface */
};

/* portmap_url_check's answers (portmap_url_why says each in words). */
enum {
	PM_URL_OK, PM_URL_LONG, PM_URL_GARBAGE, PM_URL_NAME,
	PM_URL_LOOPBACK, PM_URL_SELF, PM_URL_SCOPE, PM_URL_NOTLAN,
	PM_URL_OTHER
};

/*
 * portmap_url_check: PM_URL_OK when url (a UPnP description or control
 * URL) is http:// to a numeric address in the subnet of one of lans, not
 * loopback, unspecified, multicast or one of lans' own addresses; a
 * link-local IPv6 one only with the scope (the URL's own %25NAME, else
 * scope, from the SSDP answer) of an interface of lans that has that
 * subnet.  h gets the host.  Pure (tests/unit/test-portmap.c).
 */
int portmap_url_check(const char *url, unsigned scope,
    const struct pm_lan *lans, size_t n, struct pm_urlhost *h);
const char *portmap_url_why(int r);
/*
 * portmap_igd_pick: as miniupnpc's UPNP_GetValidIGD (1: a connected IGD,
 * 2: an IGD, 0: none), but a device whose description URL fails
 * portmap_url_check is never fetched, and one whose control URLs fail it
 * or name another host is never posted to (one log line each).  Thread.
 */
int portmap_igd_pick(struct UPNPDev *devs, struct UPNPUrls *urls,
    struct IGDdatas *data, char *lan, int lanlen);

/* ---- portmap-hole.c ---- */

/* On the loop, before a job: the addresses to open, those to close. */
void portmap_hole_prepare(struct portmap *pm);
/* On the job's thread: open or renew (PM_MAP, PM_RENEW), or close. */
void portmap_hole_work(struct portmap *pm);
/*
 * On the loop, after a job: takes its result in, logs what changed;
 * returns the seconds until the pinholes want renewing (0: none open).
 */
uint64_t portmap_hole_after(struct portmap *pm);
/* 1 when a job's result left a pinhole open (to close while stopping). */
int portmap_hole_any(const struct portmap *pm, int result);
/* Thread side: forget the IGD's URLs. */
void portmap_hole_free(struct portmap *pm);

/* ---- portmap-pcp.c (on the job's thread) ---- */

/*
 * portmap_pcp_map4 maps the listen port through the default gateway's
 * NAT for lifetime seconds (0: deletes it), the same nonce each time: 0
 * with pm->r_* filled (r_method PORTMAP_PCP); 1 when the gateway speaks
 * only NAT-PMP; -1 with pm->r_why.
 */
int portmap_pcp_map4(struct portmap *pm, unsigned lifetime);
/*
 * portmap_pcp_hole opens (renews, or with lifetime 0 deletes) a pinhole
 * for h->ip in the default router's firewall: 0 (h->method PORTMAP_PCP,
 * h->lease), or -1 with h->why.
 */
int portmap_pcp_hole(struct portmap *pm, struct pm_hole *h,
    unsigned lifetime);

#endif
