/*
 * wire.h — the replication messages that peers exchange after the
 * handshake (DESIGN.md §4 "Replication").
 *
 * Each message is one msgpack document carried in one transport frame
 * (frame.h): a positional array whose first element is the message type.
 *
 *	HELLO	[1, version, group id bin32, software str, [address str...]
 *		 (, [capability str...])]
 *	HAVE	[2, [[author bin32, highest seq]...]]   authors ascending
 *	ENTRIES	[3, [entry bin...]]
 *	PUSH	[4, entry bin]
 *	ACK	[5, stored data messages]
 *	BYE	[6, reason, text str]
 *	RUNS	[7, [author bin32...], [run...]]
 *		run = [author index, first seq, [item...]]
 *		item = [kind, epoch|nil, dlamport, dtime, body bin|nil,
 *		        sig bin64 (, body hash bin32 when the body is nil)]
 *
 * The exact format and the conversation rules are in docs/protocol.md
 * ("Replication messages").  Entries travel as opaque encoded bytes in
 * ENTRIES and PUSH; the entry module (entry_decode) validates them.  RUNS
 * carries batches compactly: runs of consecutive entries of one author,
 * without what the receiver can rebuild (group, author, seq, prev but that
 * of an author's first run after seq 1, the body hash of a present body);
 * entry-parts.h turns a batch into RUNS and back into encoded entries.
 * wire-runs.c checks the syntax and the ranges of a RUNS message, never a
 * hash or a signature.
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

#define WIRE_VERSION 2

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
#define WIRE_MAX_RUN_AUTHORS 256	/* distinct authors in one RUNS */
#define WIRE_MAX_RUN_ITEMS WIRE_MAX_ENTRIES	/* entries in one RUNS */
#define WIRE_MAX_WANT 64		/* entries asked for in one WANT */
#define WIRE_MAX_PUNCH_HOST 45		/* bytes of a PUNCH's IP address */
#define WIRE_MAX_PUNCH_WAIT 10000	/* ms a PUNCH may ask to wait */
#define WIRE_MAX_CAPS 32		/* capability names in one HELLO */
#define WIRE_MAX_CAP_NAME 32		/* bytes of one capability name */

/*
 * Flow control: the receiver ACKs the cumulative number of data messages
 * (ENTRIES, RUNS and PUSH) it has finished with on this connection
 * (stored, already present or skipped); a sender keeps at most
 * WIRE_WINDOW of them unacknowledged.
 */
#define WIRE_WINDOW 8

/* An ENTRIES message's bytes besides the entries (see wire_entry_cost). */
#define WIRE_ENTRIES_OVERHEAD 5

/*
 * Upper bounds of a RUNS message's bytes besides its items, for filling a
 * batch (see wire_run_item_cost): the message's own headers, each distinct
 * author (its key, and the prev of its first run: 34 bytes each), each
 * run (its array, author index, first seq, items header).
 */
#define WIRE_RUNS_OVERHEAD 8
#define WIRE_RUNS_AUTHOR_COST 68
#define WIRE_RUNS_RUN_COST 15

enum wire_type {
	WIRE_HELLO = 1,
	WIRE_HAVE = 2,
	WIRE_ENTRIES = 3,
	WIRE_PUSH = 4,
	WIRE_ACK = 5,
	WIRE_BYE = 6,
	WIRE_RUNS = 7,
	WIRE_WANT = 8,
	WIRE_PUNCH = 9
};

/* PUNCH's steps (docs/protocol.md "Hole punching"). */
enum wire_punch_op {
	WIRE_PUNCH_ASK = 1,		/* to a relay: introduce me to member */
	WIRE_PUNCH_OFFER = 2,		/* from the relay: member asks, at */
	WIRE_PUNCH_ANSWER = 3,		/* to the relay: yes, to member */
	WIRE_PUNCH_GO = 4,		/* from the relay: member answered, at */
	/* Two members with only an onion session between them. */
	WIRE_PUNCH_SEEN = 5,		/* direct session: you come from */
	WIRE_PUNCH_CALL = 6,		/* onion session: meet me at */
	WIRE_PUNCH_CALLED = 7		/* onion session: yes, meet me at */
};

/*
 * Capabilities (docs/protocol.md "Capabilities"): what a HELLO announces
 * that its sender understands beyond the base of protocol 2 (message
 * types 1 to 8).  On the wire each is a name; in memory a set is a bit
 * mask of the names this version knows (unknown names are skipped).
 */
enum wire_cap {
	WIRE_CAP_PUNCH = 1u << 0,	/* "punch": PUNCH ops 1..4 */
	WIRE_CAP_PUNCH_ONION = 1u << 1	/* "punch-onion": PUNCH ops 5..7 */
};
#define WIRE_CAPS_COUNT 2
#define WIRE_CAPS_KNOWN (WIRE_CAP_PUNCH | WIRE_CAP_PUNCH_ONION)

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

/*
 * One entry of a RUNS run, with its header values in full: the encoding
 * writes epoch, lamport and time as differences from the previous item of
 * the run (docs/protocol.md), the decoding adds them up again.
 */
struct wire_run_item {
	uint8_t kind;			/* enum entry_kind: 1..3 */
	uint64_t epoch;			/* 0 for kinds 2 and 3 */
	uint64_t lamport;		/* 0..ENTRY_MAX_COUNTER, rising */
	uint64_t time;			/* 0..ENTRY_MAX_COUNTER */
	const uint8_t *body;		/* NULL: erased */
	size_t bodylen;			/* 0..ENTRY_MAX_BODY; kind 1: >= 40 */
	/* Travels only for an erased item; decoded as zeros otherwise. */
	uint8_t body_hash[BAL_HASH_BYTES];
	uint8_t sig[BAL_SIG_BYTES];
};

/*
 * n consecutive entries of one author: seqs first_seq .. first_seq+n-1.
 * The author's first run of the message carries the id of the entry
 * before it (prev) when first_seq > 1, so that the receiver rebuilds the
 * sender's chain even where it holds another branch (a forked log); every
 * other run has prev NULL.
 */
struct wire_run {
	uint32_t author;		/* index into runs.authors */
	uint64_t first_seq;		/* >= 1 */
	const struct wire_run_item *items;
	size_t n;			/* >= 1 */
	const uint8_t *prev;		/* BAL_HASH_BYTES, or NULL */
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
			/*
			 * enum wire_cap bits; 0 (also a HELLO without
			 * the field: an older peer) is sent without it.
			 */
			uint32_t caps;
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
			/*
			 * Entries held without their body, asked for by
			 * (author, seq): 1..WIRE_MAX_WANT, strictly ascending
			 * by author then seq (the encoding sorts a copy).
			 */
			const struct wire_have_item *items;
			size_t n;
		} want;
		struct {
			uint8_t op;		/* enum wire_punch_op */
			uint8_t member[BAL_PK_BYTES];
			/*
			 * "" for ASK and ANSWER; for OFFER and GO the
			 * member's IP address as the relay sees it; for
			 * SEEN the receiver's as the sender sees it; for
			 * CALL and CALLED the sender's own public one.
			 */
			const char *host;
			uint16_t port;		/* 1..65535 */
			uint32_t wait_ms;	/* 0..WIRE_MAX_PUNCH_WAIT */
		} punch;
		struct {
			uint64_t stored;	/* data messages done */
		} ack;
		struct {
			uint64_t reason;	/* enum wire_bye_reason */
			const char *text;	/* one line, may be empty */
		} bye;
		struct {
			/* Distinct, in the order of their first run. */
			const uint8_t (*authors)[BAL_PK_BYTES];
			size_t nauthors;	/* 1..WIRE_MAX_RUN_AUTHORS */
			/*
			 * Maximal runs; an author's later run starts right
			 * after its previous one ends.  1..WIRE_MAX_RUN_ITEMS
			 * items in all.
			 */
			const struct wire_run *runs;
			size_t nruns;
		} runs;
	};
};

/*
 * wire_encode writes m as one msgpack document; *out is malloc'd (free()
 * it).  BAL_EINVAL: unknown type, NULL pointer, string that is not valid
 * for its field (see docs), empty entry, duplicate HAVE author, HELLO
 * version other than WIRE_VERSION, HELLO caps outside WIRE_CAPS_KNOWN, a
 * RUNS that breaks a rule of its
 * layout (see struct wire_run and docs); BAL_ETOOBIG: a count or length
 * above its WIRE_MAX_* limit, or the whole message above WIRE_MAX_MSG.
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

/*
 * wire_run_item_cost is the exact number of bytes that item it adds to a
 * RUNS message, prev being the previous item of its run (NULL for a run's
 * first).  A batch fits one RUNS when WIRE_RUNS_OVERHEAD, plus
 * WIRE_RUNS_AUTHOR_COST per distinct author, plus WIRE_RUNS_RUN_COST per
 * run, plus the costs of its items is at most WIRE_MAX_MSG.
 */
size_t wire_run_item_cost(const struct wire_run_item *it,
    const struct wire_run_item *prev);

/* wire_type_name is a static name for a message type ("HELLO", "?"). */
const char *wire_type_name(int type);

/*
 * wire_caps_needed is the capability a peer must have announced for m to
 * be sent to it (and that its sender must have announced): 0 for the base
 * of protocol 2, else one enum wire_cap bit.
 */
uint32_t wire_caps_needed(const struct wire_msg *m);

/* wire_caps_name is the wire name of one capability bit, else NULL. */
const char *wire_caps_name(uint32_t cap);

/*
 * wire_caps_text writes the names of caps' bits, separated by one space,
 * into buf (NUL-terminated; "" for none; whole names only when it is too
 * small) and returns its length.
 */
size_t wire_caps_text(uint32_t caps, char *buf, size_t size);

/* wire_bye_reason_name is a static name for a BYE reason ("version"). */
const char *wire_bye_reason_name(uint64_t reason);

#endif
