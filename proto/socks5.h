/*
 * socks5.h — the client side of SOCKS5 (RFC 1928) as balintd speaks it to
 * tor's SOCKS port: no authentication, CONNECT to a domain name (an onion
 * address) and a port.  Pure functions over byte buffers, no I/O; the
 * daemon (daemon/net/peer-onion.c) moves the bytes.  Exact bytes in
 * docs/protocol.md "Onion services".
 *
 *	greeting  05 01 00                      (one method: no auth)
 *	method    05 00                         (server chose no auth)
 *	request   05 01 00 03 LEN HOST PORT(2, big-endian)
 *	reply     05 REP 00 ATYP ADDR PORT(2)   ATYP 1: 4 bytes, 3: 1 + LEN,
 *	                                        4: 16 bytes
 *
 * tor answers REP 0xF0..0xF7 for onion services when its SocksPort has
 * the ExtendedErrors flag (tor's socks-extensions.txt).
 */
#ifndef BAL_SOCKS5_H
#define BAL_SOCKS5_H

#include <stddef.h>
#include <stdint.h>

#define SOCKS5_GREETING_BYTES 3
#define SOCKS5_METHOD_BYTES 2
#define SOCKS5_HOST_MAX 255
/* The longest request: 4 + 1 + 255 + 2. */
#define SOCKS5_REQUEST_MAX (4 + 1 + SOCKS5_HOST_MAX + 2)
/* The longest reply: 4 + 1 + 255 + 2. */
#define SOCKS5_REPLY_MAX (4 + 1 + 255 + 2)

#define SOCKS5_REP_OK 0x00
#define SOCKS5_REP_HS_DESC_NOT_FOUND 0xf0

/* socks5_greeting writes the 3 bytes of the client's greeting. */
void socks5_greeting(uint8_t out[SOCKS5_GREETING_BYTES]);

/*
 * socks5_method_parse reads the server's method choice from buf[0..len):
 * 0 when it chose "no authentication" (2 bytes used), BAL_EAGAIN when
 * fewer than 2 bytes are there, BAL_EPERM when it accepts no method we
 * offered (05 FF), BAL_EPROTO for anything else.
 */
int socks5_method_parse(const uint8_t *buf, size_t len);

/*
 * socks5_request writes a CONNECT request for host:port into out (outlen
 * bytes, SOCKS5_REQUEST_MAX is always enough) and its length into *len.
 * BAL_EINVAL: host empty, longer than SOCKS5_HOST_MAX, or with a byte
 * outside printable ASCII; port 0; out too small.
 */
int socks5_request(const char *host, uint16_t port, uint8_t *out,
    size_t outlen, size_t *len);

/*
 * socks5_reply_parse reads the server's reply from buf[0..len): 0 with
 * *rep (the REP byte: SOCKS5_REP_OK when connected) and *used (its
 * length, at most SOCKS5_REPLY_MAX) once the whole reply is there;
 * BAL_EAGAIN when more bytes are needed; BAL_EPROTO for a malformed one
 * (version not 5, reserved byte not 0, unknown address type, empty
 * domain name).
 */
int socks5_reply_parse(const uint8_t *buf, size_t len, uint8_t *rep,
    size_t *used);

/* socks5_reply_text names a REP byte in words ("onion service not found"). */
const char *socks5_reply_text(uint8_t rep);

/*
 * socks5_reply_retry is 1 when tor says that trying again soon may work
 * (descriptor not found yet, introduction or rendezvous failed, timed
 * out, general failure, TTL expired), 0 when it will not (bad address,
 * refused, client authorisation).
 */
int socks5_reply_retry(uint8_t rep);

#endif
