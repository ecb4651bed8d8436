/*
 * torctl.h — replies of tor's control port (tor's control-spec.txt §2.3),
 * read by balintd's control-port client (daemon/net/tor-ctl.c).  Pure
 * functions over byte buffers, no I/O.
 *
 * A reply is one or more lines "NNN-text", "NNN+text" (then data lines up
 * to a line "."), ending with "NNN text"; every line ends with CRLF (a
 * bare LF is accepted) and all carry the same three-digit code.  Code 650
 * is an asynchronous event.  Limits: TORCTL_LINE_MAX bytes of one line
 * (data lines excepted: they are skipped), TORCTL_LINES_MAX lines kept
 * (later ones are checked and counted, not kept), TORCTL_REPLY_MAX bytes
 * of a whole reply.  Exact use in docs/protocol.md "Onion services".
 */
#ifndef BAL_TORCTL_H
#define BAL_TORCTL_H

#include <stddef.h>
#include <stdint.h>

#define TORCTL_LINE_MAX 1024
#define TORCTL_LINES_MAX 16
#define TORCTL_REPLY_MAX 65536
#define TORCTL_EVENT 650

struct torctl_reply {
	int code;				/* 100..699 */
	size_t nlines;				/* kept, 1..TORCTL_LINES_MAX */
	size_t dropped;				/* lines beyond those */
	char line[TORCTL_LINES_MAX][TORCTL_LINE_MAX + 1];  /* after "NNN?" */
};

/*
 * torctl_reply_parse reads the first whole reply of buf[0..len) into *r
 * and its length into *used: 0; BAL_EAGAIN when no whole reply is there
 * yet (and len is below TORCTL_REPLY_MAX); BAL_EPROTO for a malformed
 * line (no code, a bad separator, codes that differ, a NUL or control
 * byte); BAL_ETOOBIG beyond a limit.
 */
int torctl_reply_parse(const uint8_t *buf, size_t len,
    struct torctl_reply *r, size_t *used);

/*
 * torctl_kv finds the first token KEY=VALUE of line (tokens are separated
 * by spaces; a VALUE in double quotes may hold spaces and backslash
 * escapes) and copies VALUE, unquoted, into out (outlen bytes with the
 * NUL): 0; BAL_ENOENT: no such key; BAL_EPROTO: an unterminated quoted
 * string or a NUL in the value; BAL_ETOOBIG: out is too small.
 */
int torctl_kv(const char *line, const char *key, char *out, size_t outlen);

#endif
