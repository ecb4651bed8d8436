/*
 * portmap-pcp.c — the Port Control Protocol's MAP (RFC 6887) on the
 * wire: one UDP exchange with the default router's port 5351, for the
 * IPv4 mapping (through its NAT) and for IPv6 pinholes (its firewall).
 * The messages are proto/pcp.c's; docs/protocol.md "Port mapping" has
 * their bytes and the order in which PCP, NAT-PMP and UPnP are tried.
 *
 * Runs on the thread pool inside portmap.c's jobs, blocking: a connected
 * UDP socket (so the router's ICMP "port unreachable" ends the wait at
 * once when it runs no PCP server), the request sent at 0, 250, 750 and
 * 1750 ms, answers read until 3 s have passed; a datagram that is not the
 * answer to this request (another nonce, garbage) is skipped.  Each
 * answer's Epoch Time is checked against the last one from that router
 * (RFC 6887 §8.5, pcp_epoch_check): one that says the router lost its
 * state sets pm->r_lost, and portmap.c maps everything again at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pcp.h"
#include "portmap-int.h"

#define PCP_WAIT_MS 3000

static uint64_t
pcp_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The IPv4 default gateway, from /proc/net/route (hex, host order). */
static int
gateway4(struct sockaddr_in *sa)
{
	char line[256], ifn[64];
	unsigned long dst, gw, flags, mask;
	FILE *f = fopen("/proc/net/route", "r");
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %lx %lx %lx %*s %*s %*s %lx", ifn, &dst,
		    &gw, &flags, &mask) != 5)
			continue;
		if (dst == 0 && mask == 0 && (flags & 0x2) != 0 && gw != 0) {
			memset(sa, 0, sizeof(*sa));
			sa->sin_family = AF_INET;
			sa->sin_addr.s_addr = (uint32_t)gw;	/* as stored */
			sa->sin_port = htons(PCP_PORT);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

/* 32 hex digits into 16 bytes. */
static int
hex16(const char *s, uint8_t out[16])
{
	unsigned v;
	int i;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/*
 * The IPv6 default router, from /proc/net/ipv6_route: the route ::/0 with
 * a next hop and the lowest metric (a link-local next hop gets its
 * interface as scope).
 */
static int
gateway6(struct sockaddr_in6 *sa)
{
	char line[256], dst[40], hop[40], dev[IF_NAMESIZE + 1];
	unsigned plen, metric, flags, best = ~0u;
	uint8_t a[16], zero[16] = { 0 };
	FILE *f = fopen("/proc/net/ipv6_route", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%39s %x %*s %*s %39s %x %*s %*s %x %16s", dst,
		    &plen, hop, &metric, &flags, dev) != 6 || plen != 0 ||
		    (flags & 0x2) == 0 || hex16(dst, a) != 0 ||
		    memcmp(a, zero, 16) != 0 || hex16(hop, a) != 0 ||
		    memcmp(a, zero, 16) == 0 || metric >= best)
			continue;
		best = metric;
		memset(sa, 0, sizeof(*sa));
		sa->sin6_family = AF_INET6;
		memcpy(&sa->sin6_addr, a, 16);
		sa->sin6_port = htons(PCP_PORT);
		if (IN6_IS_ADDR_LINKLOCAL(&sa->sin6_addr))
			sa->sin6_scope_id = if_nametoindex(dev);
	}
	fclose(f);
	return best != ~0u ? 0 : -1;
}

/*
 * One MAP exchange with server, from src (NULL: the address the kernel
 * picks); req->client is filled with the socket's own address.  0 with
 * *resp (result PCP_R_SUCCESS); 1 when the router speaks only NAT-PMP;
 * -1 with why.  Any answer's epoch goes through ep; *lost is set to 1
 * when it says the router lost its state.
 */
static int
pcp_exchange(const struct sockaddr *server, socklen_t slen,
    const struct sockaddr *src, struct pcp_map *req, struct pcp_map *resp,
    struct pcp_epoch *ep, int *lost, char *why, size_t whylen)
{
	struct sockaddr_storage me;
	socklen_t mlen = sizeof(me);
	uint8_t out[PCP_MAP_BYTES], in[PCP_MAX_BYTES + 4];
	uint64_t start = pcp_mono_ms(), now, next = start, gap = 250;
	struct pollfd pfd;
	ssize_t n;
	int fd, rc;

	if ((fd = socket(server->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) <
	    0 || (src != NULL && bind(fd, src, server->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) != 0) ||
	    connect(fd, server, slen) != 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &mlen) != 0) {
		snprintf(why, whylen, N_("pcp: no socket to the router (%s)"),
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(req->client, 0, 16);
	if (me.ss_family == AF_INET) {
		req->client[10] = req->client[11] = 0xff;
		memcpy(req->client + 12, &((struct sockaddr_in *)&me)->sin_addr,
		    4);
	} else
		memcpy(req->client, &((struct sockaddr_in6 *)&me)->sin6_addr,
		    16);
	if (pcp_map_request(req, out) != 0) {
		close(fd);
		snprintf(why, whylen, N_("pcp: bad request"));
		return -1;
	}
	snprintf(why, whylen, N_("pcp: the router does not answer"));
	for (;;) {
		now = pcp_mono_ms();
		if (now >= start + PCP_WAIT_MS)
			break;
		if (now >= next) {
			(void)send(fd, out, sizeof(out), 0);
			next = now + gap;
			gap *= 2;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)((next < start + PCP_WAIT_MS ? next :
		    start + PCP_WAIT_MS) - now)) <= 0)
			continue;
		n = recv(fd, in, sizeof(in), 0);
		if (n < 0 && errno == ECONNREFUSED) {
			snprintf(why, whylen, N_("pcp: the router runs no PCP "
			    "server"));
			break;
		}
		if (n < 0)
			continue;
		rc = pcp_map_response(in, (size_t)n, req, resp);
		if (rc == BAL_EVERSION) {
			close(fd);
			snprintf(why, whylen, N_("pcp: the router speaks only "
			    "NAT-PMP"));
			return 1;
		}
		if (rc != 0)
			continue;	/* not the answer to this request */
		close(fd);
		if (!pcp_epoch_check(ep, resp->epoch, pcp_mono_ms() / 1000))
			*lost = 1;
		if (resp->result != PCP_R_SUCCESS) {
			snprintf(why, whylen, N_("pcp: the router refused (%u %s)"),
			    (unsigned)resp->result,
			    pcp_result_text(resp->result));
			return -1;
		}
		return 0;
	}
	close(fd);
	return -1;
}

/* A MAP of TCP to the listen port, suggested external port the same. */
static void
req_init(struct pcp_map *req, const struct portmap *pm,
    const uint8_t nonce[PCP_NONCE_BYTES], unsigned lifetime)
{
	memset(req, 0, sizeof(*req));
	req->lifetime = lifetime;
	memcpy(req->nonce, nonce, PCP_NONCE_BYTES);
	req->protocol = PCP_PROTO_TCP;
	req->internal_port = pm->port;
	req->external_port = pm->port;
}

int
portmap_pcp_map4(struct portmap *pm, unsigned lifetime)
{
	/* ::ffff:0:0/96, IPv4-mapped (bytes: no struct in6_addr cast). */
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct sockaddr_in gw;
	struct pcp_map req, resp;
	int rc;

	if (gateway4(&gw) != 0) {
		snprintf(pm->r_why, sizeof(pm->r_why), N_("pcp: no default "
		    "gateway"));
		return -1;
	}
	if (!pm->pcp_nonce_set) {
		randombytes_buf(pm->pcp_nonce, sizeof(pm->pcp_nonce));
		pm->pcp_nonce_set = 1;
	}
	req_init(&req, pm, pm->pcp_nonce, lifetime);
	req.external[10] = req.external[11] = 0xff;	/* ::ffff:0.0.0.0 */
	rc = pcp_exchange((struct sockaddr *)&gw, sizeof(gw), NULL, &req,
	    &resp, &pm->epoch4, &pm->r_lost, pm->r_why, sizeof(pm->r_why));
	if (rc != 0 || lifetime == 0)
		return rc == 0 ? 0 : -1;
	if (memcmp(resp.external, v4mapped, sizeof(v4mapped)) != 0) {
		snprintf(pm->r_why, sizeof(pm->r_why), N_("pcp: the router "
		    "names no IPv4 external address"));
		return -1;
	}
	inet_ntop(AF_INET, resp.external + 12, pm->r_ip, sizeof(pm->r_ip));
	pm->r_method = PORTMAP_PCP;
	pm->r_port = resp.external_port;
	pm->r_lease = resp.lifetime;	/* bounded by portmap.c */
	return 0;
}

int
portmap_pcp_hole(struct portmap *pm, struct pm_hole *h, unsigned lifetime)
{
	struct sockaddr_in6 gw, src;
	struct pcp_map req, resp;
	int rc;

	if (gateway6(&gw) != 0) {
		snprintf(h->why, sizeof(h->why), N_("pcp: no IPv6 default "
		    "router"));
		return -1;
	}
	memset(&src, 0, sizeof(src));
	src.sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, h->ip, &src.sin6_addr) != 1) {
		snprintf(h->why, sizeof(h->why), N_("pcp: bad address"));
		return -1;
	}
	if (h->method != PORTMAP_PCP)
		randombytes_buf(h->nonce, sizeof(h->nonce));
	req_init(&req, pm, h->nonce, lifetime);
	memcpy(req.external, &src.sin6_addr, 16);
	rc = pcp_exchange((struct sockaddr *)&gw, sizeof(gw),
	    (struct sockaddr *)&src, &req, &resp, &pm->epoch6, &pm->r_lost,
	    h->why, sizeof(h->why));
	if (rc != 0)
		return -1;
	if (lifetime == 0)
		return 0;
	h->method = PORTMAP_PCP;
	h->lease = portmap_lease_held(resp.lifetime, lifetime);
	return 0;
}
