/*
 * wire.h — the replication messages that peers exchange after the
 * handshake (DESIGN.md §4 "Replication").
 *
 * Each message is one msgpack document carried in one transport frame
 * (frame.h): a positional array whose first element is the message type.
 *
 *	HELLO	[1, version, group id bin32, software str, [address str...]]
 *	HAVE	[2, [[author bin32, highest seq]...]]   authors ascending
 *	ENTRIES	[3, [entry bin...]]
 *	PUSH	[4, entry bin]
 *	ACK	[5, stored data messages]
 *	BYE	[6, reason, text str]
 *
 * The exact format and the conversation rules are in docs/protocol.md
 * ("Replication messages").  Entries travel as opaque encoded bytes; the
 * entry module (entry_decode) validates them.
 *
 * Ownership: a struct wire_msg from wire_decode is one allocation that
 * holds the message and copies of every string, array and entry it points
 * to (nothing points into the caller's buffer); wire_msg_free releases it.
 * A struct wire_msg that the caller fills for wire_encode points to the
 * caller's own memory and must never be passed to wire_msg_free.
 */
#ifndef BAL_WIRE_H
#define BAL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define WIRE_VERSION 1

/* Hard limits; every one is checked by wire_encode and by wire_decode. */
#define WIRE_MAX_MSG (1024u * 1024)	/* one encoded message = one frame */
#define WIRE_MAX_SOFTWARE 64		/* bytes of HELLO software */
#define WIRE_MAX_ADDRS 8		/* HELLO listen addresses */
#define WIRE_MAX_ADDR 128		/* bytes of one address */
#define WIRE_MAX_HAVE 4096		/* authors in one HAVE */
#define WIRE_MAX_ENTRIES 1024		/* entries in one ENTRIES */
#define WIRE_MAX_ENTRY (200u * 1024)	/* bytes of one encoded entry */
#define WIRE_MAX_BYE_TEXT 200		/* bytes of BYE text */
#define WIRE_MAX_BYE_REASON 255		/* reasons above 6 decode (unknown) */

/*
 * Flow control: the receiver ACKs the cumulative number of data messages
 * (ENTRIES and PUSH) it has finished with on this connection (stored,
 * already present or skipped); a sender keeps at most WIRE_WINDOW of them
 * unacknowledged.
 */
#define WIRE_WINDOW 8

/* An ENTRIES message's bytes besides the entries (see wire_entry_cost). */
#define WIRE_ENTRIES_OVERHEAD 5

enum wire_type {
	WIRE_HELLO = 1,
	WIRE_HAVE = 2,
	WIRE_ENTRIES = 3,
	WIRE_PUSH = 4,
	WIRE_ACK = 5,
	WIRE_BYE = 6
};

enum wire_bye_reason {
	WIRE_BYE_NORMAL = 0,
	WIRE_BYE_VERSION = 1,		/* HELLO version mismatch */
	WIRE_BYE_NOT_MEMBER = 2,	/* wrong group, or not on the roster */
	WIRE_BYE_PROTOCOL = 3,		/* malformed or unexpected message */
	WIRE_BYE_REVOKED = 4,		/* the peer was revoked */
	WIRE_BYE_SHUTDOWN = 5,		/* the daemon is shutting down */
	WIRE_BYE_DUPLICATE = 6		/* already connected to this member */
};

/* One author's position in a HAVE vector. */
struct wire_have_item {
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;			/* highest seq held of that log */
};

/* An opaque encoded entry. */
struct wire_bytes {
	const uint8_t *p;
	size_t len;
};

struct wire_msg {
	int type;			/* enum wire_type */
	union {
		struct {
			uint64_t version;	/* WIRE_VERSION */
			uint8_t group_id[BAL_GROUP_ID_BYTES];
			const char *software;	/* printable ASCII */
			const char *const *addrs;	/* "host:port" */
			size_t naddrs;
		} hello;
		struct {
			/* Decoded: strictly ascending by author.  Encoding
			 * sorts a copy; duplicate authors are BAL_EINVAL. */
			const struct wire_have_item *items;
			size_t n;
		} have;
		struct {
			const struct wire_bytes *items;
			size_t n;
		} entries;
		struct wire_bytes push;
		struct {
			uint64_t stored;	/* data messages done */
		} ack;
		struct {
			uint64_t reason;	/* enum wire_bye_reason */
			const char *text;	/* one line, may be empty */
		} bye;
	};
};

/*
 * wire_encode writes m as one msgpack document; *out is malloc'd (free()
 * it).  BAL_EINVAL: unknown type, NULL pointer, string that is not valid
 * for its field (see docs), empty entry, duplicate HAVE author, HELLO
 * version other than WIRE_VERSION; BAL_ETOOBIG: a count or length above
 * its WIRE_MAX_* limit, or the whole message above WIRE_MAX_MSG.
 */
int wire_encode(const struct wire_msg *m, uint8_t **out, size_t *outlen);

/*
 * wire_decode parses buf[0..len) as one message.  0: *out is the message
 * (wire_msg_free it).  BAL_EVERSION: a HELLO of another protocol version;
 * *out is then still set, to a HELLO whose only meaningful field is
 * hello.version, so that the caller can answer BYE WIRE_BYE_VERSION naming
 * both versions.  BAL_ETOOBIG: len above WIRE_MAX_MSG; BAL_EPROTO: not
 * exactly one well-formed message (unknown type, wrong field type, count
 * or length out of range, trailing bytes...); BAL_ENOMEM.  On every error
 * but BAL_EVERSION, *out is NULL.
 */
int wire_decode(const uint8_t *buf, size_t len, struct wire_msg **out);

/* wire_msg_free releases a message from wire_decode; NULL is a no-op. */
void wire_msg_free(struct wire_msg *m);

/*
 * wire_entry_cost is how many bytes an entry of len bytes adds to an
 * ENTRIES message: a batch of entries fits when WIRE_ENTRIES_OVERHEAD plus
 * the sum of their costs is at most WIRE_MAX_MSG.
 */
size_t wire_entry_cost(size_t len);

/* wire_type_name is a static name for a message type ("HELLO", "?"). */
const char *wire_type_name(int type);

/* wire_bye_reason_name is a static name for a BYE reason ("version"). */
const char *wire_bye_reason_name(uint64_t reason);

#endif
