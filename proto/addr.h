/*
 * addr.h — "HOST:PORT" texts as members type, announce and put in invite
 * codes: their syntax and what kind of place they name, without resolving
 * anything (pure; docs/protocol.md "Addresses").
 *
 * HOST is a numeric IPv4 address, a bracketed IPv6 address ("[::1]"), or
 * a host name (a dynamic DNS name: letters, digits and hyphens in labels
 * of 1..63 bytes, dot-separated, 1..253 bytes, not all digits); PORT is a
 * decimal 0..65535.  Names ending in ".onion" are onion services (only
 * reached through Tor, never looked up in DNS).
 */
#ifndef BAL_ADDR_H
#define BAL_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define ADDR_TEXT_MAX 128	/* = WIRE_MAX_ADDR */
#define ADDR_HOST_MAX 253

enum addr_kind {
	ADDR_IPV4 = 1,
	ADDR_IPV6,
	ADDR_NAME,		/* resolved when dialed (DNS, /etc/hosts) */
	ADDR_ONION		/* NAME.onion: through Tor only */
};

enum addr_scope {
	ADDR_GLOBAL = 1,	/* may lead somewhere from anywhere */
	ADDR_LOCAL,		/* RFC 1918, CGNAT, ULA, link-local: one LAN */
	ADDR_LOOPBACK,		/* 127/8, ::1, "localhost": this machine */
	ADDR_WILDCARD		/* 0.0.0.0, ::: to bind, never to dial */
};

struct addr_parts {
	char host[ADDR_HOST_MAX + 1];	/* without the brackets */
	uint16_t port;
	enum addr_kind kind;
	enum addr_scope scope;		/* a name's is ADDR_GLOBAL, but for
					   "localhost" and *.localhost */
};

/*
 * addr_split checks text and fills *out (may be NULL): 0, or BAL_EINVAL
 * when it is no HOST:PORT as above (too long, no port, a port above
 * 65535, a bad IP or name).
 */
int addr_split(const char *text, struct addr_parts *out);

/* addr_is_loopback is 1 for a valid address of this machine only. */
int addr_is_loopback(const char *text);

/*
 * addr_ipv4_unicast is 1 when a (4 bytes, network order) may name one
 * other host: not 0/8 (this network), 127/8 (loopback), 169.254/16
 * (link-local), 224/4 (multicast) nor 240/4 (reserved, with the
 * broadcast address).  Private addresses pass.
 */
int addr_ipv4_unicast(const uint8_t a[4]);

/* addr_ipv4_global is 1 when a passes addr_ipv4_unicast and is no
 * private (RFC 1918) or shared (CGNAT) address: reachable from outside. */
int addr_ipv4_global(const uint8_t a[4]);

#endif
