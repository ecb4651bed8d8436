/*
 * fuzz-pcp.c — the router's answers to PCP MAP (proto/pcp.c), which
 * balintd reads from any datagram that reaches its PCP socket.
 *
 * Input: bytes as a PCP server (or anyone on the LAN) might send them.
 * Checked: no memory error; pcp_map_response returns 0, BAL_EPROTO or
 * BAL_EVERSION only; what it takes is 60..1100 bytes, a multiple of 4,
 * version 2, a MAP response to the request (nonce, protocol and internal
 * port as asked), and every field it gives is the input's byte for byte;
 * a request made from the answer's fields encodes and reads back.
 */
#include "fuzz.h"
#include "pcp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* The request the seeds answer (tests/fuzz/corpus/pcp). */
static void
request(struct pcp_map *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->lifetime = 3600;
	m->client[10] = m->client[11] = 0xff;
	m->client[12] = 192, m->client[13] = 168, m->client[15] = 10;
	m->client[14] = 1;
	for (i = 0; i < PCP_NONCE_BYTES; i++)
		m->nonce[i] = (uint8_t)(0xa0 + i);
	m->protocol = PCP_PROTO_TCP;
	m->internal_port = 7451;
	m->external_port = 7451;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcp_map req, r, again;
	uint8_t out[PCP_MAP_BYTES];
	int rc;

	fuzz_reset();
	request(&req);
	memset(&r, 0x55, sizeof(r));
	rc = pcp_map_response(data, size, &req, &r);
	fuzz_check(rc == 0 || rc == BAL_EPROTO || rc == BAL_EVERSION);
	if (rc == BAL_EVERSION)
		fuzz_check(size >= 4 && data[0] < PCP_VERSION &&
		    (data[1] & 0x80) != 0);
	if (rc != 0)
		return 0;
	fuzz_check(size >= PCP_MAP_BYTES && size <= PCP_MAX_BYTES &&
	    size % 4 == 0 && data[0] == PCP_VERSION && data[1] == 0x81);
	fuzz_check(memcmp(r.nonce, req.nonce, PCP_NONCE_BYTES) == 0 &&
	    r.protocol == req.protocol &&
	    r.internal_port == req.internal_port);
	fuzz_check(r.result == data[3] && memcmp(r.external, data + 44,
	    16) == 0 && r.external_port == (data[42] << 8 | data[43]));
	fuzz_check(r.result != 0 || (r.lifetime > 0 && r.external_port > 0));
	/* Renewing what was granted: the request encodes and reads back. */
	again = req;
	again.external_port = r.external_port;
	memcpy(again.external, r.external, 16);
	fuzz_check(pcp_map_request(&again, out) == 0);
	out[1] |= 0x80;
	out[3] = 0;
	fuzz_check(pcp_map_response(out, sizeof(out), &again, &r) == 0 ||
	    again.external_port == 0);
	return 0;
}
