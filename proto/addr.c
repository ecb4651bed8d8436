/*
 * addr.c — the syntax and kind of "HOST:PORT" texts (addr.h).  inet_pton
 * does the numeric forms; names are checked here, byte by byte.
 */
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "addr.h"

/* 1 for a host name as addr.h describes it; *onion for NAME.onion. */
static int
name_ok(const char *h, size_t len, int *onion)
{
	size_t i, label = 0;
	int digits_only = 1;	/* of the last label */
	char c;

	if (len < 1 || len > ADDR_HOST_MAX || h[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			digits_only = 1;
			continue;
		}
		if (c == '-') {
			if (label == 0)
				return 0;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))) {
			return 0;
		}
		if (c < '0' || c > '9')
			digits_only = 0;
		if (++label > 63)
			return 0;
	}
	if (h[len - 1] == '-' || digits_only)
		return 0;
	*onion = len > 6 && strcasecmp(h + len - 6, ".onion") == 0;
	return 1;
}

static enum addr_scope
scope4(const uint8_t a[4])
{
	if (a[0] == 127)
		return ADDR_LOOPBACK;
	if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0)
		return ADDR_WILDCARD;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64))
		return ADDR_LOCAL;
	return ADDR_GLOBAL;
}

static enum addr_scope
scope6(const uint8_t a[16])
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a, one, 16) == 0)
		return ADDR_LOOPBACK;
	if (memcmp(a, zero, 16) == 0)
		return ADDR_WILDCARD;
	if (memcmp(a, mapped, 12) == 0)
		return scope4(a + 12);
	if ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return ADDR_LOCAL;
	return ADDR_GLOBAL;
}

int
addr_split(const char *text, struct addr_parts *out)
{
	struct addr_parts tmp;
	const char *colon, *p;
	uint8_t bin[16];
	unsigned long port = 0;
	size_t len, hl;
	int onion = 0;

	if (out == NULL)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	if (text == NULL || (len = strlen(text)) == 0 || len > ADDR_TEXT_MAX ||
	    (colon = strrchr(text, ':')) == NULL || colon[1] == '\0' ||
	    strlen(colon + 1) > 5)
		return BAL_EINVAL;
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return BAL_EINVAL;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535)
		return BAL_EINVAL;
	out->port = (uint16_t)port;
	hl = (size_t)(colon - text);
	if (hl >= 2 && text[0] == '[' && text[hl - 1] == ']') {
		memcpy(out->host, text + 1, hl - 2);
		out->host[hl - 2] = '\0';
		if (inet_pton(AF_INET6, out->host, bin) != 1)
			return BAL_EINVAL;
		out->kind = ADDR_IPV6;
		out->scope = scope6(bin);
		return 0;
	}
	if (hl == 0 || hl > ADDR_HOST_MAX || memchr(text, ':', hl) != NULL)
		return BAL_EINVAL;
	memcpy(out->host, text, hl);
	out->host[hl] = '\0';
	if (inet_pton(AF_INET, out->host, bin) == 1) {
		out->kind = ADDR_IPV4;
		out->scope = scope4(bin);
		return 0;
	}
	if (!name_ok(out->host, hl, &onion))
		return BAL_EINVAL;
	out->kind = onion ? ADDR_ONION : ADDR_NAME;
	out->scope = ADDR_GLOBAL;
	if (strcasecmp(out->host, "localhost") == 0 || (hl > 10 &&
	    strcasecmp(out->host + hl - 10, ".localhost") == 0))
		out->scope = ADDR_LOOPBACK;
	return 0;
}

int
addr_is_loopback(const char *text)
{
	struct addr_parts a;

	return addr_split(text, &a) == 0 && a.scope == ADDR_LOOPBACK;
}

int
addr_ipv4_unicast(const uint8_t a[4])
{
	return a[0] != 0 && a[0] != 127 && !(a[0] == 169 && a[1] == 254) &&
	    a[0] < 224;
}

int
addr_ipv4_global(const uint8_t a[4])
{
	return addr_ipv4_unicast(a) && scope4(a) == ADDR_GLOBAL;
}
