/*
 * store.h — the face of daemon/store/: everything balintd keeps on disk.
 * The folder owns the SQLite database (schema, migrations, statements and
 * transactions in store.c, entries in store-entries.c, groups, sealed
 * keys, meta, peers and invites in store-meta.c, the last HAVE seen of
 * each member in store-have.c; store-int.h is theirs
 * alone) and the keyring that seals secrets at rest under the member's own
 * key (keyring.c; keyring.h comes with this header).  It knows no group
 * rule, socket or loop: the group and network folders above call it; it
 * calls only proto/, libsodium and SQLite.
 *
 * The store holds what replicates (encoded entries: signed headers and
 * ciphertext, never note plaintext), epoch keys sealed under the member's
 * own key, peers, invites and settings.  WAL journal, synchronous=FULL
 * (NORMAL for batches received from peers, see store_begin_received),
 * secure_delete and in-memory temp storage: a write the CLI was told
 * succeeded survives a power cut, and erased bytes do not linger in free
 * pages or temp files.  Functions return 0 or a negative BAL_E* code
 * (BAL_EIO for SQLite failures, logged by the caller).
 */
#ifndef BAL_STORE_H
#define BAL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "keyring.h"

#define STORE_SCHEMA_VERSION 2

struct store;

/*
 * An entry's body state (column erased): 0 held; STORE_ERASED dropped for
 * a reason this member checked (a tombstone it holds, retention by its own
 * clock); STORE_BODY_MISSING received without its body for no such
 * reason: kept to be restored when a full copy arrives (group-batch.c),
 * asked for from peers, counted in status.
 */
#define STORE_ERASED 1
#define STORE_BODY_MISSING 2

/* One row of the entries table; blob is the encoded entry. */
struct store_entry_row {
	uint8_t group[BAL_GROUP_ID_BYTES];
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;
	uint8_t id[BAL_HASH_BYTES];
	int kind;
	uint64_t epoch;
	uint64_t lamport;
	uint64_t time;
	int erased;	/* 0 body held, STORE_ERASED, STORE_BODY_MISSING */
	const uint8_t *blob;
	size_t bloblen;
};

/* Callbacks return 0 to go on, 1 to stop early, or a negative error. */
typedef int (*store_entry_cb)(void *ctx, const struct store_entry_row *row);
typedef int (*store_vector_cb)(void *ctx, const uint8_t author[BAL_PK_BYTES],
    uint64_t seq);

/*
 * store_open opens or creates the database at path (0600) and migrates it.
 * BAL_EPROTO: the file is damaged (not a database, or malformed where
 * opening reads it) and was left as it is; BAL_EVERSION: made by a newer
 * balintd; BAL_EIO: anything else.
 */
int store_open(const char *path, struct store **out);
/* store_close finalises every statement and closes; NULL is a no-op. */
void store_close(struct store *st);
/* store_errmsg is SQLite's last message, for the log. */
const char *store_errmsg(const struct store *st);

/* What a failure of the store means for the person using it. */
enum store_fault {
	STORE_FAULT_NONE = 0,
	STORE_FAULT_FULL,	/* SQLITE_FULL: the disk (or a quota) is full */
	STORE_FAULT_DAMAGED,	/* SQLITE_CORRUPT, SQLITE_NOTADB */
	STORE_FAULT_IO,		/* SQLITE_IOERR, _READONLY, _CANTOPEN, _PERM */
};

/*
 * store_fault is the kind of the store's last failure that a person must
 * hear about: FULL or IO until a transaction commits again; DAMAGED for
 * good, and from then on every write (and the checkpoint at close) is
 * refused with BAL_EIO, so the file stays as it was found.  *count
 * (optional) counts such failures, so that a caller can tell whether its
 * own operation met one; *what (optional) is SQLite's text for it.
 */
int store_fault(const struct store *st, unsigned long *count,
    const char **what);

/*
 * Transactions: one per received batch or local write.  store_begin's
 * transaction commits with synchronous=FULL: durable when store_commit
 * returns, and with it every earlier commit (the WAL is synced up to it).
 * store_begin_received's transaction commits with synchronous=NORMAL,
 * without an fsync: it survives a crash of the process, but the last such
 * commits may be lost in a power cut or a crash of the system, until the
 * next FULL commit or checkpoint.  Only for entries received from peers,
 * which their authors still hold and the next sync fetches again; never
 * for this member's own writes.  Statements outside a transaction are
 * FULL.
 */
int store_begin(struct store *st);
int store_begin_received(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/*
 * store_sync makes every commit so far durable (one fsync of the WAL), for
 * a caller about to report received entries as stored for good.
 */
int store_sync(struct store *st);

/*
 * store_entry_put inserts an entry.  The same (group, author, seq) with the
 * same id is a no-op returning BAL_EEXIST; with another id it is a fork:
 * BAL_ECHAIN, nothing written.
 */
int store_entry_put(struct store *st, const struct store_entry_row *row);
/* store_entry_get copies out the blob of one entry (free() it). */
int store_entry_get(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t seq, uint8_t **blob, size_t *len);
/* store_entry_head gives the highest seq and its id (seq 0: empty log). */
int store_entry_head(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t *seq, uint8_t id[BAL_HASH_BYTES]);
/*
 * store_entry_head_row fills row with the header columns of author's
 * highest entry (blob NULL), in one index seek; row->seq 0: empty log.
 */
int store_entry_head_row(struct store *st, const uint8_t *group,
    const uint8_t *author, struct store_entry_row *row);
/* store_entry_replace rewrites one entry's blob (erasure keeps the row). */
int store_entry_replace(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t seq, const uint8_t *blob, size_t len,
    int erased);
/* store_entries_each visits author's entries with seq > after, ascending. */
int store_entries_each(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t after, size_t limit, store_entry_cb cb,
    void *ctx);
/* store_entries_kind_each visits a group's entries of one kind, by lamport. */
int store_entries_kind_each(struct store *st, const uint8_t *group, int kind,
    store_entry_cb cb, void *ctx);
/* store_vector_each visits (author, highest seq) of a group. */
int store_vector_each(struct store *st, const uint8_t *group,
    store_vector_cb cb, void *ctx);
/*
 * store_entries_drop_after deletes author's entries with seq > after (the
 * void entries of a removed member beyond their cut), inside the caller's
 * transaction; *n (optional) counts them.
 */
int store_entries_drop_after(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t after, uint64_t *n);
/*
 * store_have_put keeps items as the last HAVE seen of member in group,
 * replacing the one before (inside the caller's transaction, or alone);
 * store_have_get reads it back, authors ascending (*items malloc'd, NULL
 * and 0 when none was seen).  store-have.c.
 */
struct wire_have_item;
int store_have_put(struct store *st, const uint8_t *group,
    const uint8_t *member, const struct wire_have_item *items, size_t n);
int store_have_get(struct store *st, const uint8_t *group,
    const uint8_t *member, struct wire_have_item **items, size_t *n);

/*
 * store_entry_missing counts a group's entries held without their body
 * for no reason this member checked (erased = STORE_BODY_MISSING).
 */
int store_entry_missing(struct store *st, const uint8_t *group, uint64_t *n);
/*
 * store_entries_missing names up to max of them (author, seq), ascending,
 * in items (room for max); *n how many.
 */
int store_entries_missing(struct store *st, const uint8_t *group,
    struct wire_have_item *items, size_t max, size_t *n);
/*
 * store_entries_missing_erase marks author's entries held without their
 * body as erased (a removed author's: their removal is the reason), inside
 * the caller's transaction; *n counts them.
 */
int store_entries_missing_erase(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t *n);

/* store_entry_count counts a group's entries. */
int store_entry_count(struct store *st, const uint8_t *group, uint64_t *n);

/* What one author's log holds in a group: in all, and in a time window. */
struct store_use {
	uint64_t entries, bytes;		/* every stored entry */
	uint64_t day_entries, day_bytes;	/* header time in [from, to) */
};
/*
 * store_author_use sums author's stored entries in group (their encoded
 * bytes as stored), in all and with a header time in [from, to).
 */
int store_author_use(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t from, uint64_t to, struct store_use *u);

/* Groups this member belongs to; name is for display. */
/*
 * store_marks_put marks the note versions with entry ids ids[0..n) read in
 * group (store-marks.c, one transaction); store_marks_get gives every
 * marked entry id of group, sorted, n * BAL_HASH_BYTES malloc'd bytes.
 */
int store_marks_put(struct store *st, const uint8_t *group,
    const uint8_t (*ids)[BAL_HASH_BYTES], size_t n);
int store_marks_get(struct store *st, const uint8_t *group, uint8_t **ids,
    size_t *n);
/*
 * A revoked member's own notes, kept apart (store-kept.c): store_kept_put
 * writes the sealed note number ord of group (kept when the group is
 * erased); store_kept_each calls cb for each in order (cb's nonzero stops:
 * a negative value is returned, a positive one is 0).
 */
int store_kept_put(struct store *st, const uint8_t *group, uint64_t ord,
    const uint8_t *sealed, size_t len);
typedef int (*store_kept_cb)(void *ctx, uint64_t ord, const uint8_t *sealed,
    size_t len);
int store_kept_each(struct store *st, const uint8_t *group, store_kept_cb cb,
    void *ctx);
int store_group_put(struct store *st, const uint8_t *group, const char *name);
typedef int (*store_group_cb)(void *ctx, const uint8_t *group,
    const char *name);
int store_group_each(struct store *st, store_group_cb cb, void *ctx);
/*
 * store_checkpoint copies the WAL into the database and truncates it, so
 * that bytes just erased (secure_delete) leave the WAL file too.  Call it
 * outside a transaction.
 */
int store_checkpoint(struct store *st);
/* store_group_erase deletes everything of a group (cooperative erasure). */
int store_group_erase(struct store *st, const uint8_t *group);

/* Epoch keys, sealed by the caller under the member's key. */
int store_key_put(struct store *st, const uint8_t *group, uint64_t epoch,
    const uint8_t *sealed, size_t len);
typedef int (*store_key_cb)(void *ctx, uint64_t epoch, const uint8_t *sealed,
    size_t len);
int store_key_each(struct store *st, const uint8_t *group, store_key_cb cb,
    void *ctx);

/* Settings and small state: a key/value table of blobs. */
int store_meta_put(struct store *st, const char *key, const void *val,
    size_t len);
/* store_meta_get copies the value (free() it); BAL_ENOENT if absent. */
int store_meta_get(struct store *st, const char *key, uint8_t **val,
    size_t *len);

/*
 * Peer addresses ("HOST:PORT") per group, of two origins: typed ones
 * (`balint peer add`, an invite code), with the member found there once
 * known, and announced ones (each member's latest announce only, as many
 * as the caller keeps).  Both record when a session through them last
 * came up (ok_ms, Unix ms; 0: never).  The choice of dial targets among
 * them is peer-pick.c's.
 */
struct store_peer {
	const char *addr;
	const uint8_t *member;		/* NULL: not known yet */
	int typed;			/* 1 typed, 0 announced */
	unsigned ord;			/* place in the member's announce */
	uint64_t ok_ms;
};
/* store_peer_add remembers a typed address (member may be NULL). */
int store_peer_add(struct store *st, const uint8_t *group, const char *addr,
    const uint8_t *member);
/*
 * store_peer_announced replaces member's announced addresses by addrs[n]
 * from their announce number seq, unless the one held is as new (then 0
 * and nothing changes).
 */
int store_peer_announced(struct store *st, const uint8_t *group,
    const uint8_t *member, uint64_t seq, const char *const *addrs, size_t n);
/* store_peer_forget drops every address of member (typed and announced). */
int store_peer_forget(struct store *st, const uint8_t *group,
    const uint8_t *member);
/*
 * store_peer_remove drops addr of group, typed and announced (*typed and
 * *announced: whether it was).  An announced address comes back with its
 * member's next announce.
 */
int store_peer_remove(struct store *st, const uint8_t *group,
    const char *addr, int *typed, int *announced);
/*
 * store_peer_remove_of drops only what member owns of addr: its announced
 * row and, when typed_too, the typed row if it names member or nobody
 * (another member's announce of the same address stays).
 */
int store_peer_remove_of(struct store *st, const uint8_t *group,
    const char *addr, const uint8_t *member, int typed_too, int *typed,
    int *announced);
/* store_peer_worked records that a session through addr came up at ms. */
int store_peer_worked(struct store *st, const uint8_t *group, const char *addr,
    const uint8_t *member, uint64_t ms);
/* store_peer_each visits every address of group (cb's nonzero stops). */
typedef int (*store_peer_cb)(void *ctx, const struct store_peer *p);
int store_peer_each(struct store *st, const uint8_t *group, store_peer_cb cb,
    void *ctx);

/* One-time invites: keyed by the hash of the invite secret. */
int store_invite_put(struct store *st, const uint8_t *group,
    const uint8_t hash[BAL_HASH_BYTES], uint64_t expires_ms,
    const uint8_t *sealed_secret, size_t len);
typedef int (*store_invite_cb)(void *ctx, const uint8_t *group,
    const uint8_t *hash, uint64_t expires_ms, const uint8_t *sealed_secret,
    size_t len);
/*
 * store_invite_each visits invites that expire after now_ms, used ones
 * too: the listener still answers a used code so that its holder hears
 * "already used" (store_invite_take) rather than silence.
 */
int store_invite_each(struct store *st, uint64_t now_ms, store_invite_cb cb,
    void *ctx);
/*
 * store_invite_fail counts one refused attempt on an unused invite; at
 * the max-th it is spent (counts as used).  *fails gets the count: 0, or
 * BAL_EEXIST when the invite is used, spent or unknown.
 */
int store_invite_fail(struct store *st, const uint8_t hash[BAL_HASH_BYTES],
    unsigned max, unsigned *fails);
/*
 * store_invite_used is 1 for a used (or spent) invite, 0 for an unused
 * one, else <0.
 */
int store_invite_used(struct store *st, const uint8_t hash[BAL_HASH_BYTES]);
/*
 * store_invite_take marks an unused invite as used and returns 0; BAL_ENOENT
 * if unknown, BAL_EEXIST if already used, BAL_EEXPIRED past its expiry.
 */
int store_invite_take(struct store *st, const uint8_t hash[BAL_HASH_BYTES],
    uint64_t now_ms);

#endif
