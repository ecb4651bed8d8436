/* pcp.c — PCP MAP requests and responses (pcp.h, RFC 6887). */
#include <string.h>

#include "bal.h"
#include "pcp.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
pcp_map_request(const struct pcp_map *req, uint8_t out[PCP_MAP_BYTES])
{
	if (req == NULL || out == NULL || req->protocol == 0 ||
	    req->internal_port == 0)
		return BAL_EINVAL;
	memset(out, 0, PCP_MAP_BYTES);
	out[0] = PCP_VERSION;
	out[1] = PCP_OP_MAP;
	put32(out + 4, req->lifetime);
	memcpy(out + 8, req->client, 16);
	memcpy(out + 24, req->nonce, PCP_NONCE_BYTES);
	out[36] = req->protocol;
	put16(out + 40, req->internal_port);
	put16(out + 42, req->external_port);
	memcpy(out + 44, req->external, 16);
	return 0;
}

/* The options after the MAP data: each header whole, each within len. */
static int
options_ok(const uint8_t *buf, size_t len)
{
	size_t at = PCP_MAP_BYTES, olen;

	while (at < len) {
		if (len - at < 4)
			return 0;
		olen = get16(buf + at + 2);
		/* Data padded to a multiple of 4 (RFC 6887 §7.3). */
		olen = (olen + 3) & ~(size_t)3;
		if (olen > len - at - 4)
			return 0;
		at += 4 + olen;
	}
	return 1;
}

int
pcp_map_response(const uint8_t *buf, size_t len,
    const struct pcp_map *req, struct pcp_map *out)
{
	if (buf == NULL || req == NULL || out == NULL)
		return BAL_EINVAL;
	/* An older server's answer (NAT-PMP is version 0): a response. */
	if (len >= 4 && buf[0] < PCP_VERSION && (buf[1] & 0x80) != 0)
		return BAL_EVERSION;
	if (len < PCP_MAP_BYTES || len > PCP_MAX_BYTES || len % 4 != 0 ||
	    buf[0] != PCP_VERSION || buf[1] != (0x80 | PCP_OP_MAP) ||
	    !options_ok(buf, len))
		return BAL_EPROTO;
	if (memcmp(buf + 24, req->nonce, PCP_NONCE_BYTES) != 0 ||
	    buf[36] != req->protocol || get16(buf + 40) != req->internal_port)
		return BAL_EPROTO;
	memset(out, 0, sizeof(*out));
	out->result = buf[3];
	out->lifetime = get32(buf + 4);
	out->epoch = get32(buf + 8);
	memcpy(out->nonce, buf + 24, PCP_NONCE_BYTES);
	out->protocol = buf[36];
	out->internal_port = get16(buf + 40);
	out->external_port = get16(buf + 42);
	memcpy(out->external, buf + 44, 16);
	if (out->result == PCP_R_SUCCESS && req->lifetime > 0 &&
	    (out->lifetime == 0 || out->external_port == 0))
		return BAL_EPROTO;
	return 0;
}

int
pcp_epoch_check(struct pcp_epoch *e, uint32_t server, uint64_t client_s)
{
	uint64_t cd, sd;
	int valid = 1;

	if (e->seen) {
		/* Reordered answers may step back a second, no more. */
		if ((uint64_t)server + 1 < e->server)
			valid = 0;
		else {
			/* A clock that went back counts as no time passed. */
			cd = client_s > e->client_s ? client_s - e->client_s : 0;
			sd = server > e->server ? (uint64_t)server - e->server :
			    0;
			if (cd + 2 < sd - sd / 16 || sd + 2 < cd - cd / 16)
				valid = 0;
		}
	}
	e->seen = 1;
	e->server = server;
	e->client_s = client_s;
	return valid;
}

const char *
pcp_result_text(unsigned result)
{
	static const char *const text[] = {
		"success", "unsupported version", "not authorized",
		"malformed request", "unsupported opcode",
		"unsupported option", "malformed option", "network failure",
		"no resources", "unsupported protocol", "user exceeded quota",
		"cannot provide an external address", "address mismatch",
		"excessive remote peers",
	};

	return result < sizeof(text) / sizeof(text[0]) ? text[result] :
	    "unknown result";
}
