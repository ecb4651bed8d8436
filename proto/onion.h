/*
 * onion.h — onion addresses of Tor's v3 onion services as balintd writes
 * them: 56 characters of lower-case base32 (a-z, 2-7), ".onion", ':' and a
 * port, e.g. "abcd...xyz.onion:7451".  Only the form is checked (the
 * checksum is tor's business: a bad one is refused by tor with SOCKS
 * reply 0xF6).  Pure.
 */
#ifndef BAL_ONION_H
#define BAL_ONION_H

#include <stddef.h>
#include <stdint.h>

#define ONION_ID_LEN 56			/* base32 characters */
#define ONION_HOST_LEN (ONION_ID_LEN + 6)	/* with ".onion" */
/* The port every balintd onion service offers. */
#define ONION_PORT 7451

/*
 * onion_addr_parse checks "ID.onion:PORT" and copies "ID.onion" into host
 * (ONION_HOST_LEN + 1 bytes) and the port into *port (both may be NULL):
 * 0, or BAL_EINVAL when addr is not of that form.
 */
int onion_addr_parse(const char *addr, char *host, uint16_t *port);

/* onion_addr_is is 1 when addr is an onion address (onion_addr_parse). */
int onion_addr_is(const char *addr);

#endif
