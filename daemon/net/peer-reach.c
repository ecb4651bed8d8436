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
 * A newcomer never dials itself from a code (net_addr_skip): not its own
 * listen address, nor a loopback address with its own port.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <uv.h>

#include "addr.h"
#include "daemon.h"
#include "net.h"

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
reach_text(const uv_interface_address_t *a, int v6, const char *port,
    char *text, size_t len)
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
	    !IN6_IS_ADDR_LINKLOCAL(in6) && !IN6_IS_ADDR_V4MAPPED(in6)) {
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
	char text[WIRE_MAX_ADDR + 1];
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
	if (uv_interface_addresses(&ifs, &count) == 0) {
		for (rank = 0; rank < 3; rank++)
			for (i = 0; i < count; i++) {
				reach_text(&ifs[i], v6, port, text,
				    sizeof(text));
				if (text[0] == '\0' || reach_rank(text) != rank)
					continue;
				/* Temporary (privacy) ones: at most two. */
				if (rank == 0 && v6global++ >= NET_REACH_V6)
					continue;
				reach_add(out, max, &n, text);
			}
		uv_free_interface_addresses(ifs, count);
	}
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
