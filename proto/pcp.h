/*
 * pcp.h — the MAP opcode of the Port Control Protocol (PCP, RFC 6887) as
 * balintd speaks it to the router: a request asking it to forward a TCP
 * port (IPv4, through its NAT) or to open a pinhole in its firewall
 * (IPv6), and the router's answer.  Pure functions over byte buffers, no
 * I/O; the daemon (daemon/net/portmap-pcp.c) moves the datagrams.  Exact
 * bytes in docs/protocol.md "Port mapping".  libnatpmp speaks NAT-PMP
 * (RFC 6886, PCP's version 0) only, and Debian has no PCP client library.
 *
 *	request   (60 bytes, all big-endian)
 *	  0  02            version
 *	  1  01            R = 0, opcode MAP
 *	  2  00 00         reserved
 *	  4  LIFETIME(4)   seconds asked; 0 deletes the mapping
 *	  8  CLIENT(16)    the request's source address (IPv4: ::ffff:a.b.c.d)
 *	 24  NONCE(12)     random, the same for renewals and the deletion
 *	 36  PROTO(1)      6 (TCP)
 *	 37  00 00 00      reserved
 *	 40  IPORT(2)      internal port
 *	 42  EPORT(2)      suggested external port
 *	 44  EXTIP(16)     suggested external address (:: or ::ffff:0.0.0.0)
 *
 *	response  (60 bytes, then options, at most 1100 in all, a multiple
 *	          of 4)
 *	  0  02            version
 *	  1  81            R = 1, opcode MAP
 *	  2  00            reserved
 *	  3  RESULT(1)     0 success, else PCP_R_* below
 *	  4  LIFETIME(4)   seconds granted (on an error: how long it holds)
 *	  8  EPOCH(4)      the server's epoch time
 *	 12  00 x 12       reserved
 *	 24  NONCE(12), PROTO(1), 3 reserved, IPORT(2): as in the request
 *	 42  EPORT(2)      assigned external port
 *	 44  EXTIP(16)     assigned external address (IPv4: ::ffff:a.b.c.d)
 *	 60  options       each CODE(1) 00 LENGTH(2) DATA, padded to 4
 */
#ifndef BAL_PCP_H
#define BAL_PCP_H

#include <stddef.h>
#include <stdint.h>

#define PCP_PORT 5351
#define PCP_VERSION 2
#define PCP_OP_MAP 1
#define PCP_MAP_BYTES 60
#define PCP_HEADER_BYTES 24
#define PCP_MAX_BYTES 1100
#define PCP_NONCE_BYTES 12
#define PCP_PROTO_TCP 6

/* Result codes (RFC 6887 §7.4) balintd tells apart in its words. */
#define PCP_R_SUCCESS 0
#define PCP_R_UNSUPP_VERSION 1
#define PCP_R_NOT_AUTHORIZED 2
#define PCP_R_MALFORMED_REQUEST 3
#define PCP_R_UNSUPP_OPCODE 4
#define PCP_R_UNSUPP_OPTION 5
#define PCP_R_MALFORMED_OPTION 6
#define PCP_R_NETWORK_FAILURE 7
#define PCP_R_NO_RESOURCES 8
#define PCP_R_UNSUPP_PROTOCOL 9
#define PCP_R_USER_EX_QUOTA 10
#define PCP_R_CANNOT_PROVIDE_EXTERNAL 11
#define PCP_R_ADDRESS_MISMATCH 12
#define PCP_R_EXCESSIVE_REMOTE_PEERS 13

struct pcp_map {
	uint32_t lifetime;		/* asked, or granted */
	uint8_t client[16];		/* request: its source address */
	uint8_t nonce[PCP_NONCE_BYTES];
	uint8_t protocol;		/* PCP_PROTO_TCP */
	uint16_t internal_port;
	uint16_t external_port;		/* suggested, or assigned */
	uint8_t external[16];		/* suggested, or assigned */
	/* Response only. */
	uint8_t result;			/* PCP_R_* */
	uint32_t epoch;
};

/*
 * pcp_map_request writes the 60 bytes of req into out.  BAL_EINVAL when
 * req's protocol or internal port is 0.
 */
int pcp_map_request(const struct pcp_map *req, uint8_t out[PCP_MAP_BYTES]);

/*
 * pcp_map_response reads a server's datagram buf[0..len) as the answer to
 * req: 0 with *out filled (out->result says whether it worked) when it
 * is a MAP response to req (same nonce, protocol and internal port) whose
 * options are well formed; BAL_EVERSION when it is an older version's
 * response, 4 bytes at least, version 0 or 1 with the R bit (a
 * NAT-PMP-only server answers version 0: fall back to NAT-PMP);
 * BAL_EPROTO for anything else: shorter than 60 bytes, longer than
 * PCP_MAX_BYTES or not a multiple of 4, not a response, not MAP, another
 * request's answer, an option running past the end (a stray or spoofed
 * datagram: keep waiting).  On success with result 0, a lifetime of 0 or
 * an external port of 0 is refused as BAL_EPROTO too (it maps nothing).
 */
int pcp_map_response(const uint8_t *buf, size_t len,
    const struct pcp_map *req, struct pcp_map *out);

/*
 * What a client remembers of one server's epoch (RFC 6887 §8.5): the
 * Epoch Time of its last answer and this machine's clock (seconds of a
 * clock that only goes forward) when that answer came.
 */
struct pcp_epoch {
	int seen;			/* an answer was read before */
	uint32_t server;		/* prev_server_time */
	uint64_t client_s;		/* prev_client_time */
};

/*
 * pcp_epoch_check takes an answer's Epoch Time server, read at client_s,
 * into *e: 1 when it is valid, 0 when the server has evidently lost its
 * state (rebooted: every mapping it held is gone), by RFC 6887 §8.5's
 * rule (docs/protocol.md "Port mapping"): the first answer is valid;
 * then an Epoch Time that went back more than 1 s is invalid, and so is
 * one that moved too little or too much for the time passed here:
 * client_delta + 2 < server_delta - server_delta / 16, or server_delta + 2
 * < client_delta - client_delta / 16.  Either way *e keeps this answer.
 */
int pcp_epoch_check(struct pcp_epoch *e, uint32_t server, uint64_t client_s);

/* pcp_result_text says what a result code means, in a few words. */
const char *pcp_result_text(unsigned result);

#endif
