/*
 * wire-punch.c — PUNCH, the hole-punching introduction (docs/protocol.md
 * "Hole punching"): [9, op, member bin(32), host str, port uint,
 * wait uint].  ASK and ANSWER carry no host (the relay fills in what it
 * sees); OFFER and GO carry a numeric IP address, the relay's view of the
 * member's public address; SEEN the receiver's address as the sender sees
 * it; CALL and CALLED the sender's own public address.  Every field is
 * checked both ways.
 */
#include "wire-int.h"

/* An IP address's text: 1..45 bytes of hex digits, '.' and ':'. */
static int
punch_host_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > WIRE_MAX_PUNCH_HOST)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F') ||
		    s[i] == '.' || s[i] == ':'))
			return 0;
	return 1;
}

/* The rules of one PUNCH: op, host present for all but ASK and ANSWER. */
static int
punch_ok(uint64_t op, const char *host, size_t hostlen, uint64_t port,
    uint64_t wait)
{
	if (op < WIRE_PUNCH_ASK || op > WIRE_PUNCH_CALLED || port < 1 ||
	    port > 65535 || wait > WIRE_MAX_PUNCH_WAIT)
		return 0;
	if (op == WIRE_PUNCH_ASK || op == WIRE_PUNCH_ANSWER)
		return hostlen == 0;
	return punch_host_ok(host, hostlen);
}

int
wire_pack_punch(msgpack_packer *pk, const struct wire_msg *m)
{
	const char *host = m->punch.host != NULL ? m->punch.host : "";
	size_t hostlen = strnlen(host, WIRE_MAX_PUNCH_HOST + 1);

	if (hostlen > WIRE_MAX_PUNCH_HOST)
		return BAL_ETOOBIG;
	if (!punch_ok(m->punch.op, host, hostlen, m->punch.port,
	    m->punch.wait_ms))
		return BAL_EINVAL;
	if (msgpack_pack_array(pk, 6) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_PUNCH) != 0 ||
	    msgpack_pack_uint64(pk, m->punch.op) != 0 ||
	    mp_pack_bin(pk, m->punch.member, BAL_PK_BYTES) != 0 ||
	    mp_pack_str(pk, host, hostlen) != 0 ||
	    msgpack_pack_uint64(pk, m->punch.port) != 0 ||
	    msgpack_pack_uint64(pk, m->punch.wait_ms) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
wire_dec_punch(struct mp_rd *r, struct blk *b)
{
	struct wire_msg *m;
	uint8_t member[BAL_PK_BYTES];
	const char *host;
	size_t hostlen;
	uint64_t op, port, wait;
	int rc;

	if ((rc = mp_rd_uint(r, 0xff, &op)) != 0 ||
	    (rc = mp_rd_bin_fixed(r, member, sizeof(member))) != 0 ||
	    (rc = mp_rd_str(r, 0, WIRE_MAX_PUNCH_HOST, &host,
	    &hostlen)) != 0 ||
	    (rc = mp_rd_uint(r, 65535, &port)) != 0 ||
	    (rc = mp_rd_uint(r, WIRE_MAX_PUNCH_WAIT, &wait)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if (!punch_ok(op, host, hostlen, port, wait))
		return BAL_EPROTO;
	if ((m = blk_new(b, 0, hostlen + 1)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_PUNCH;
	m->punch.op = (uint8_t)op;
	memcpy(m->punch.member, member, sizeof(member));
	m->punch.host = (const char *)blk_bytes(b, (const uint8_t *)host,
	    hostlen);
	blk_take(b, 1, 1);	/* the NUL: calloc'd */
	m->punch.port = (uint16_t)port;
	m->punch.wait_ms = (uint32_t)wait;
	return 0;
}
