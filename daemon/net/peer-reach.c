/*
 * peer-reach.c — where this daemon's listener can be reached, for the
 * address list of an invite code (docs/protocol.md "Invite codes").
 *
 * A daemon listening on a wildcard address ("0.0.0.0:P", the default, or
 * "[::]:P") cannot put that in a code: the newcomer would dial nothing.
 * It gives the machine's own addresses instead, from libuv's list of the
 * interfaces, never the loopback address: on another machine that leads
 * to the newcomer's own machine (its own daemon, on the default port).
 * Only a daemon that listens on loopback alone, and so can be reached
 * from this machine only, puts its loopback address in a code.
 *
 * Nor an IPv6 address the kernel flags as temporary (a privacy address,
 * RFC 8981: made to change, so that nothing links this machine's traffic
 * over days; in a code or an announce it would link exactly that, and it
 * is gone within a day or so), deprecated (on its way out), tentative or
 * failed duplicate address detection (not usable).  libuv's list of the
 * interfaces has no flags; the kernel's /proc/net/if_inet6 has them.
 *
 * A newcomer never dials itself from a code (net_addr_skip): not its own
 * listen address, nor a loopback address with its own port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_addr.h>
#include <sodium.h>
#include <uv.h>

#include "addr.h"
#include "daemon.h"
#include "net.h"

#define REACH_IF6_PATH "/proc/net/if_inet6"
#define REACH_IF6_MAX (64 * 1024)	/* ~1,200 addresses */
#define REACH_IF6_SKIP (IFA_F_TEMPORARY | IFA_F_DEPRECATED | \
	IFA_F_TENTATIVE | IFA_F_DADFAILED)

int
net_reach_v6_unwanted(const char *if_inet6, const uint8_t addr[16])
{
	const char *line = if_inet6, *p;
	uint8_t a[16];
	unsigned long flags;
	size_t alen;
	char *end;
	int fields;

	for (; line != NULL && *line != '\0'; line = strchr(line, '\n'),
	    line = line != NULL ? line + 1 : NULL) {
		/* "ADDR(32 hex) IFINDEX PREFIXLEN SCOPE FLAGS NAME" */
		if (sodium_hex2bin(a, sizeof(a), line, 32, NULL, &alen,
		    &p) != 0 || alen != 16 || memcmp(a, addr, 16) != 0)
			continue;
		/* The fourth hex field after the address is its flags. */
		for (p = line + 32, fields = 0; fields < 4; fields++) {
			flags = strtoul(p, &end, 16);
			if (end == p || (*end != ' ' && *end != '\t'))
				break;
			p = end;
		}
		if (fields == 4 && (flags & REACH_IF6_SKIP) != 0)
			return 1;
	}
	return 0;
}

/* The kernel's IPv6 address list (malloc'd, NUL-ended), or NULL. */
static char *
reach_if6_read(void)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(REACH_IF6_PATH, "r")) == NULL)
		return NULL;
	if ((buf = malloc(REACH_IF6_MAX + 1)) != NULL) {
		n = fread(buf, 1, REACH_IF6_MAX, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* Adds text to out unless it is there already or out is full. */
static void
reach_add(char (*out)[WIRE_MAX_ADDR + 1], size_t max, size_t *n,
    const char *text)
{
	size_t i;

	if (*n >= max || strlen(text) > WIRE_MAX_ADDR)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(out[i], text) == 0)
			return;
	snprintf(out[(*n)++], WIRE_MAX_ADDR + 1, "%s", text);
}

/* The text of one interface address with port, or "" to skip it. */
static void
reach_text(const uv_interface_address_t *a, int v6, const char *if6,
    const char *port, char *text, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	const struct in6_addr *in6 = &a->address.address6.sin6_addr;

	text[0] = '\0';
	if (a->is_internal)
		return;
	if (a->address.address4.sin_family == AF_INET) {
		if (uv_ip4_name(&a->address.address4, host, sizeof(host)) == 0)
			snprintf(text, len, "%s%s", host, port);
	} else if (v6 && a->address.address6.sin6_family == AF_INET6 &&
	    !IN6_IS_ADDR_LINKLOCAL(in6) && !IN6_IS_ADDR_V4MAPPED(in6) &&
	    (if6 == NULL || !net_reach_v6_unwanted(if6, in6->s6_addr))) {
		/* A link-local address needs a scope no code can carry. */
		if (uv_ip6_name(&a->address.address6, host, sizeof(host)) == 0)
			snprintf(text, len, "[%s]%s", host, port);
	}
}

/*
 * The rank of an address text in a code: a global IPv6 address first (it
 * leads here from anywhere, where an RFC 1918 one does not), then IPv4,
 * then the other IPv6 ones (ULA: this LAN only).
 */
static int
reach_rank(const char *text)
{
	struct addr_parts a;

	if (addr_split(text, &a) != 0)
		return 3;
	if (a.kind == ADDR_IPV6)
		return a.scope == ADDR_GLOBAL ? 0 : 2;
	return 1;
}

size_t
net_reach_addrs(const char *listen, char (*out)[WIRE_MAX_ADDR + 1],
    size_t max)
{
	uv_interface_address_t *ifs = NULL;
	char text[WIRE_MAX_ADDR + 1], *if6 = NULL;
	const char *port;
	size_t n = 0, v6global = 0;
	int count = 0, i, v4, v6, rank;

	if (listen == NULL || max == 0 || (port = strrchr(listen, ':')) ==
	    NULL)
		return 0;
	v4 = strncmp(listen, "0.0.0.0:", 8) == 0;
	v6 = strncmp(listen, "[::]:", 5) == 0;
	if (!v4 && !v6) {
		reach_add(out, max, &n, listen);
		return n;
	}
	/* Unreadable (no /proc): libuv's list as it is. */
	if (v6)
		if6 = reach_if6_read();
	if (uv_interface_addresses(&ifs, &count) == 0) {
		for (rank = 0; rank < 3; rank++)
			for (i = 0; i < count; i++) {
				reach_text(&ifs[i], v6, if6, port, text,
				    sizeof(text));
				if (text[0] == '\0' || reach_rank(text) != rank)
					continue;
				/* At most two (a machine may have many). */
				if (rank == 0 && v6global++ >= NET_REACH_V6)
					continue;
				reach_add(out, max, &n, text);
			}
		uv_free_interface_addresses(ifs, count);
	}
	free(if6);
	return n;
}

size_t
net_reach_global(const char *listen, char (*out)[WIRE_MAX_ADDR + 1],
    size_t max)
{
	char all[8][WIRE_MAX_ADDR + 1];
	struct addr_parts a;
	size_t i, n, k = 0;

	n = net_reach_addrs(listen, all, 8);
	for (i = 0; i < n && k < max; i++)
		if (addr_split(all[i], &a) == 0 && a.scope == ADDR_GLOBAL &&
		    (a.kind == ADDR_IPV4 || a.kind == ADDR_IPV6))
			memcpy(out[k++], all[i], sizeof(all[i]));
	return k;
}

const char *
net_addr_skip(const struct daemon *d, const char *addr)
{
	struct addr_parts a, own;

	if (d->listen[0] == '\0' || addr_split(d->listen, &own) != 0)
		return NULL;
	if (strcmp(addr, d->listen) == 0)
		return "this daemon's own address";
	/* 127.0.0.1:P with our own port P: on our machine, that is us. */
	if (addr_split(addr, &a) == 0 && a.scope == ADDR_LOOPBACK &&
	    a.port == own.port && (own.scope == ADDR_WILDCARD ||
	    own.scope == ADDR_LOOPBACK))
		return "a loopback address with this daemon's own port: it "
		    "leads to this daemon, not to the inviter";
	return NULL;
}
