/*
 * sync.h — the sync engine of one peer session: decoded messages in,
 * messages out, no I/O of its own (DESIGN.md §4 "Replication",
 * docs/protocol.md).
 *
 * peer.c makes one struct sync per established session once HELLO was
 * exchanged, calls sync_start (which sends HAVE), passes every later
 * decoded message to sync_on_msg and calls sync_notify when the group's
 * store gained entries (live push).  The engine reads the store through
 * group.h (group_have, group_entries_missing, group_receive) and hands each outgoing message to the send callback,
 * which must encode and queue it before returning (the message points
 * into the engine's memory).  Batches of more than one entry leave as
 * RUNS (entry-parts.h), single entries as PUSH.
 *
 * What the engine keeps per session is bounded: the peer's vector (at most
 * WIRE_MAX_HAVE authors) and counters.  It never queues entries: what the
 * peer lacks is read again from the store when the window opens, so a slow
 * or stalled peer costs no memory (see "Flow control" in the doc).
 *
 * Ownership: struct sync belongs to its caller (sync_free).
 */
#ifndef BAL_SYNC_H
#define BAL_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "wire.h"

struct group;
struct sync;

/* send queues one message; 0, or a negative code that ends the session. */
typedef int (*sync_send_fn)(void *ctx, const struct wire_msg *m);

/* What status shows of a session. */
struct sync_stats {
	uint64_t entries_sent;		/* in RUNS, ENTRIES and PUSH */
	uint64_t entries_received;	/* entries received */
	uint64_t entries_stored;	/* of those, new to our store */
	uint64_t data_sent;		/* RUNS, ENTRIES, PUSH messages sent */
	uint64_t data_acked;		/* of those, acknowledged */
	int have_received;		/* the peer's HAVE has arrived */
	int level;			/* both sides hold the same entries */
};

/*
 * sync_new makes the engine of one session of g; source is what
 * group_receive passes on in GROUP_EVENT_ENTRY (peer.c's session pointer)
 * so that entries are not echoed to the session they came from.
 */
int sync_new(struct group *g, const void *source, sync_send_fn send,
    void *ctx, struct sync **out);
/* sync_free releases the engine; NULL is a no-op. */
void sync_free(struct sync *s);

/* sync_start sends our HAVE (the session is up). */
int sync_start(struct sync *s);

/*
 * sync_on_msg handles one decoded message: HAVE, ENTRIES, RUNS, PUSH or
 * ACK (anything else is BAL_EPROTO).  The entries of a RUNS are rebuilt
 * first (entry-parts.h), each author's chain from the prev its first run
 * carries, and then handled as those of an ENTRIES (docs/protocol.md).  A negative return ends the session: BAL_EPROTO for
 * a protocol violation (e.g. an ACK beyond what was sent), or
 * group_receive's code for an invalid batch, nothing of which was stored;
 * why gets a one-line reason for the log.
 */
int sync_on_msg(struct sync *s, const struct wire_msg *m, char *why,
    size_t whylen);

/*
 * sync_notify sends what the peer lacks, as far as the window and the
 * blocked flag allow: call it when the store gained entries, and when the
 * transport can take more bytes again.
 */
int sync_notify(struct sync *s);

/*
 * sync_resend_have sends HAVE again (`balint sync`): the peer answers with
 * what we lack.
 */
int sync_resend_have(struct sync *s);

/*
 * sync_set_blocked stops (1) or resumes (0) sending data messages, for a
 * transport whose write queue is full.
 */
void sync_set_blocked(struct sync *s, int blocked);

/*
 * sync_set_peer names the member at the other end (before its first HAVE):
 * after that HAVE the engine sends, once, the entries where a fork of the
 * peer's log or of ours would otherwise meet unseen (sync.c, probe_forks).
 * Without it (unit tests) nothing is probed.
 */
void sync_set_peer(struct sync *s, const uint8_t pk[BAL_PK_BYTES]);

/*
 * sync_set_limits lowers the window (1..WIRE_WINDOW) and the entries per
 * batch (1..WIRE_MAX_ENTRIES); 0 keeps a value.  For tests.
 */
void sync_set_limits(struct sync *s, size_t window, size_t batch);

/* sync_window_full is 1 when WIRE_WINDOW data messages await an ACK. */
int sync_window_full(const struct sync *s);

/* sync_stats fills st (level as of the last message or notify). */
void sync_stats(const struct sync *s, struct sync_stats *st);

#endif
