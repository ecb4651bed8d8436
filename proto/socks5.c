/* socks5.c — SOCKS5 client messages (see socks5.h). */
#include <string.h>

#include "bal.h"
#include "socks5.h"

void
socks5_greeting(uint8_t out[SOCKS5_GREETING_BYTES])
{
	out[0] = 0x05;		/* version */
	out[1] = 0x01;		/* one method */
	out[2] = 0x00;		/* no authentication */
}

int
socks5_method_parse(const uint8_t *buf, size_t len)
{
	if (len < SOCKS5_METHOD_BYTES)
		return BAL_EAGAIN;
	if (buf[0] != 0x05)
		return BAL_EPROTO;
	if (buf[1] == 0xff)
		return BAL_EPERM;
	return buf[1] == 0x00 ? 0 : BAL_EPROTO;
}

int
socks5_request(const char *host, uint16_t port, uint8_t *out, size_t outlen,
    size_t *len)
{
	size_t hl, i;

	*len = 0;
	if (host == NULL || port == 0)
		return BAL_EINVAL;
	hl = strnlen(host, SOCKS5_HOST_MAX + 1);
	if (hl == 0 || hl > SOCKS5_HOST_MAX || outlen < 4 + 1 + hl + 2)
		return BAL_EINVAL;
	for (i = 0; i < hl; i++)
		if ((unsigned char)host[i] <= 0x20 ||
		    (unsigned char)host[i] >= 0x7f)
			return BAL_EINVAL;
	out[0] = 0x05;		/* version */
	out[1] = 0x01;		/* CONNECT */
	out[2] = 0x00;		/* reserved */
	out[3] = 0x03;		/* domain name */
	out[4] = (uint8_t)hl;
	memcpy(out + 5, host, hl);
	out[5 + hl] = (uint8_t)(port >> 8);
	out[6 + hl] = (uint8_t)(port & 0xff);
	*len = 4 + 1 + hl + 2;
	return 0;
}

int
socks5_reply_parse(const uint8_t *buf, size_t len, uint8_t *rep,
    size_t *used)
{
	size_t need;

	*used = 0;
	if (len < 4)
		return len >= 1 && buf[0] != 0x05 ? BAL_EPROTO : BAL_EAGAIN;
	if (buf[0] != 0x05 || buf[2] != 0x00)
		return BAL_EPROTO;
	switch (buf[3]) {
	case 0x01:
		need = 4 + 4 + 2;
		break;
	case 0x04:
		need = 4 + 16 + 2;
		break;
	case 0x03:
		if (len < 5)
			return BAL_EAGAIN;
		if (buf[4] == 0)
			return BAL_EPROTO;
		need = 4 + 1 + (size_t)buf[4] + 2;
		break;
	default:
		return BAL_EPROTO;
	}
	if (len < need)
		return BAL_EAGAIN;
	*rep = buf[1];
	*used = need;
	return 0;
}

const char *
socks5_reply_text(uint8_t rep)
{
	switch (rep) {
	case 0x00: return "connected";
	case 0x01: return "tor: general failure";
	case 0x02: return "tor: not allowed";
	case 0x03: return "tor: network unreachable";
	case 0x04: return "tor: host unreachable";
	case 0x05: return "tor: connection refused by the onion service";
	case 0x06: return "tor: timed out (TTL expired)";
	case 0x07: return "tor: command not supported";
	case 0x08: return "tor: address type not supported";
	case 0xf0: return "onion service not found (not published yet, or "
	    "offline)";
	case 0xf1: return "onion service descriptor is invalid";
	case 0xf2: return "onion service introduction failed (offline?)";
	case 0xf3: return "onion service rendezvous failed";
	case 0xf4: return "onion service needs client authorisation";
	case 0xf5: return "onion service refused our client authorisation";
	case 0xf6: return "not a valid onion address";
	case 0xf7: return "onion service introduction timed out";
	default: return "tor: unknown SOCKS error";
	}
}

int
socks5_reply_retry(uint8_t rep)
{
	switch (rep) {
	case 0x01: case 0x03: case 0x04: case 0x06:
	case 0xf0: case 0xf2: case 0xf3: case 0xf7:
		return 1;
	default:
		return 0;
	}
}
