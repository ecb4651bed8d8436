/*
 * group.h — the face of daemon/group/: the state of each group this member
 * belongs to.  The folder owns loading, founding and joining groups and
 * this member's writes (group.c), receiving a batch (group-receive.c),
 * storing entries and epoch keys at rest (group-batch.c), checking one
 * entry by kind (group-check.c), the roster log folded once a batch
 * (group-rlog.c), per-author limits (group-limits.c), what announces
 * leave in the store (group-announce.c), revoke, leave, rotation and
 * erasure (group-roster.c),
 * contract amendments (group-amend.c), notes (group-notes.c), forked logs
 * (group-fork.c), the logs read for a peer (group-logs.c), the events it
 * emits (group-event.c), bundles (group-bundle.c), invites' state
 * (invite.c) and retention (retention.c); invite.h and retention.h come with this header,
 * group-int.h stays inside.  It calls the store and proto/ only, never the
 * network or the control socket: what happened leaves as events (struct
 * group_event through d->on_event).
 *
 * The state: contract, folded roster, epoch keys, and the entries in the
 * store.
 *
 * Every entry that enters the store passes group_receive or group_append:
 * decoded and verified (signature, canonical form), its author allowed by
 * the roster (member, not beyond a cut), its chain following the author's
 * stored head, its epoch known.  Note plaintext exists only in memory,
 * in sodium_malloc'd buffers, while a request is answered.
 *
 * Epoch keys are kept at rest in the store sealed under a key derived from
 * the member's secret key (crypto_kdf, context "balkeys1"); in memory in
 * sodium_malloc'd buffers.
 */
#ifndef BAL_GROUP_H
#define BAL_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "contract.h"
#include "note.h"
#include "roster.h"
#include "statecode.h"
#include "wire.h"

struct daemon;
struct entry;

struct group_key {
	uint64_t epoch;
	uint8_t *key;			/* 32 bytes, sodium_malloc'd */
};

struct group {
	struct daemon *d;
	uint8_t id[BAL_GROUP_ID_BYTES];
	struct contract *contract;	/* the current version */
	struct roster *roster;		/* fold of every stored roster entry */
	struct group_key *keys;		/* every epoch key this member holds */
	size_t nkeys;
	uint64_t lamport;		/* highest lamport seen in the group */
	uint8_t *plain;			/* note plaintext scratch, sodium_malloc'd */
	size_t plain_cap;		/* (group-batch.c; wiped after each use) */
	struct group_fork *forks;	/* authors whose log forked (this run) */
	size_t nforks;
	uint64_t own_fork;		/* our own log forked here (seq), or 0 */
	uint64_t folds;			/* roster folds run (group-rlog.c) */
	struct group *next;
};

/*
 * An author whose log is held back here (this run): seen to sign two
 * entries for one place of their log, an entry that does not open under an
 * epoch key this member holds, or one over a per-author limit
 * (group-fork.c).
 */
struct group_fork {
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;			/* where the other branch was found */
	int held;			/* why: enum group_held */
};

/* Why an author's log is held back (group_fork.held). */
enum group_held {
	GROUP_HELD_FORK,		/* two entries for one place */
	GROUP_HELD_UNREADABLE,		/* an entry that does not open */
	GROUP_HELD_LIMIT		/* over a per-author limit */
};

/* One note as the member sees it: its latest version. */
struct group_note {
	uint8_t note_id[16];
	struct note *note;		/* decrypted latest version */
	uint8_t author[BAL_PK_BYTES];
	uint64_t created_ms;		/* time of the first version */
	uint64_t updated_ms;		/* time of the latest version */
	unsigned versions;
	int deleted;			/* latest version is a tombstone */
	uint8_t entry_id[BAL_HASH_BYTES];	/* of the latest version */
};

/*
 * group_fork_seen is 1 when author's log is held back in g (this run): it
 * forked, or holds an entry that does not open under a key held here or
 * is over a per-author limit; entries past the place held are skipped
 * (group-fork.c).
 */
int group_fork_seen(const struct group *g, const uint8_t *author);
/* group_held_count counts the logs held back in g for reason held. */
size_t group_held_count(const struct group *g, int held);
/*
 * group_write_error is why this member's write in g failed with rc, for a
 * person: a forked own log or the per-author limits explained, else
 * bal_strerror(rc).
 */
const char *group_write_error(const struct group *g, int rc);

/*
 * What the group state tells the rest of the daemon.  It never calls the
 * network: it emits these events through d->on_event (set by net_start;
 * NULL in unit tests, where nothing listens).  group-event.c.
 */
enum group_event_kind {
	/*
	 * An entry was committed to the store (blob, len): written here
	 * (source NULL) or received from source (a session); the network
	 * pushes it live to every other session of g.
	 */
	GROUP_EVENT_ENTRY,
	/*
	 * g's roster was refolded: sessions of members no longer active end,
	 * epoch keys may have come or gone, pending joins may be complete.
	 */
	GROUP_EVENT_ROSTER,
	/*
	 * This member was removed from g (revoked, or left), which is about to
	 * be erased and forgotten: nothing may point to g afterwards.  reason
	 * (a WIRE_BYE_*) and text go to g's sessions.
	 */
	GROUP_EVENT_REMOVED,
	/*
	 * The network keys to accept changed in a way not seen otherwise: an
	 * invite was made (g is NULL).
	 */
	GROUP_EVENT_KEYS,
};

struct group_event {
	enum group_event_kind kind;
	struct group *g;
	const uint8_t *blob;		/* ENTRY */
	size_t len;
	const void *source;
	int reason;			/* REMOVED */
	const char *text;
};

/* group_emit_entry emits GROUP_EVENT_ENTRY (see above). */
void group_emit_entry(struct group *g, const uint8_t *blob, size_t len,
    const void *source);
/* group_emit_roster emits GROUP_EVENT_ROSTER. */
void group_emit_roster(struct group *g);
/* group_emit_removed emits GROUP_EVENT_REMOVED. */
void group_emit_removed(struct group *g, int reason, const char *text);
/* group_emit_keys emits GROUP_EVENT_KEYS. */
void group_emit_keys(struct daemon *d);

/* group_load_all loads every group of the store into d->groups. */
int group_load_all(struct daemon *d);
/* group_free_all releases d->groups, wiping keys. */
void group_free_all(struct daemon *d);

/*
 * group_create founds a group from contract text: this member is leader;
 * writes the CREATE roster entry with epoch 0's key sealed to the leader.
 * err gets a one-line reason (e.g. the contract's line number).
 */
int group_create(struct daemon *d, const char *text, size_t len,
    struct group **out, char *err, size_t errlen);

/*
 * group_select finds a group by id (hex), name, unique id prefix (4 hex
 * digits at least) or unique start of its name (letter case aside); NULL
 * sel means "the only group".  On failure err says what to do.
 */
struct group *group_select(struct daemon *d, const char *sel, char *err,
    size_t errlen);
/* group_find finds a group by exact id (a joining one included). */
struct group *group_find(struct daemon *d, const uint8_t id[BAL_GROUP_ID_BYTES]);

/*
 * group_join_new adds an empty group for id, one this member is joining:
 * no contract, roster or keys (contract and roster are NULL) until its
 * CREATE arrives through group_receive, and not in the store until then.
 * group_select skips it; group_find finds it.  BAL_EEXIST: the group is
 * known already (*out is set to it).
 */
int group_join_new(struct daemon *d, const uint8_t id[BAL_GROUP_ID_BYTES],
    struct group **out);
/* group_forget unlinks g from its daemon and frees it; the store is kept. */
void group_forget(struct group *g);

/*
 * group_receive verifies and stores a batch of encoded entries received
 * from a peer (source, passed on in GROUP_EVENT_ENTRY) in one
 * transaction.  Entries already held are skipped.  Roster entries are folded
 * as they come, so an ADD early in a batch admits the newcomer's entries
 * later in it.  Any invalid entry
 * rejects the whole batch (nothing stored), returns a negative code and
 * puts the reason in why.  *stored counts new entries.  The commit is not
 * synced to disk unless the batch holds a roster entry (docs/protocol.md,
 * "Durability").
 */
int group_receive(struct group *g, const uint8_t *const *blobs,
    const size_t *lens, size_t n, const void *source, size_t *stored,
    char *why, size_t whylen);

/*
 * group_append seals plain as this member's next entry of kind (a note
 * under the write epoch, or a plaintext roster/announce body), stores it
 * durably (synchronous=FULL) and pushes it to the peers.  *out (optional)
 * gets the entry; entry_free it.
 */
int group_append(struct group *g, int kind, const uint8_t *plain, size_t len,
    struct entry **out);

/*
 * group_announce appends this member's reachable addresses ("HOST:PORT",
 * 1..GROUP_ANNOUNCE_MAX) as an announce entry (kind 3).  The body is
 * msgpack [1, [address str...]]; see docs/protocol.md.
 */
#define GROUP_ANNOUNCE_VERSION 1
#define GROUP_ANNOUNCE_MAX WIRE_MAX_ADDRS
int group_announce(struct group *g, const char *const *addrs, size_t n);

/*
 * group_announced keeps what member's announce number seq says
 * (group-announce.c): only a member's latest announce counts, and of it
 * the first GROUP_ANNOUNCE_KEEP addresses; those of an older announce are
 * dropped.  Called inside the batch's transaction.
 */
#define GROUP_ANNOUNCE_KEEP 4
int group_announced(struct group *g, const uint8_t *member, uint64_t seq,
    char addrs[][WIRE_MAX_ADDR + 1], size_t n);

/*
 * group_have lists (author, highest seq) of the group's stored logs,
 * authors ascending; *items is malloc'd (free() it; NULL when n is 0).
 */
int group_have(struct group *g, struct wire_have_item **items, size_t *n);

/*
 * group_missing_bodies names up to max entries held without their body
 * (author, seq; docs/protocol.md, WANT) in items; *n how many.
 */
int group_missing_bodies(struct group *g, struct wire_have_item *items,
    size_t max, size_t *n);

/*
 * group_entries_after calls cb with the encoded entries of author after
 * seq, ascending, until cb returns non-zero or max entries were given.
 */
int group_entries_after(struct group *g, const uint8_t author[BAL_PK_BYTES],
    uint64_t after, size_t max,
    int (*cb)(void *ctx, const uint8_t *blob, size_t len), void *ctx);

/*
 * group_entries_missing calls cb with up to max (0: no limit) encoded
 * entries that a peer holding the vector have[0..nhave) lacks, across all
 * authors in lamport order, which is causal order: an ADD comes before the
 * newcomer's entries and an epoch's roster entry before the notes under
 * it, so each batch verifies on arrival.  Stops early when cb returns
 * non-zero (a negative value is returned).  have need not be sorted.
 */
typedef int (*group_missing_cb)(void *ctx, const uint8_t *author,
    uint64_t seq, const uint8_t *blob, size_t len);
int group_entries_missing(struct group *g, const struct wire_have_item *have,
    size_t nhave, size_t max, group_missing_cb cb, void *ctx);

/*
 * Bundles (group-bundle.c; docs/protocol.md "Bundles").  group_bundle_write
 * encrypts under g's current epoch key the entries that a member holding
 * for_member's last seen HAVE lacks (NULL, or none seen (*known 0): every
 * entry), of them those written at or after since_ms (0: all), with this
 * member's own HAVE; *file is malloc'd, *n counts its entries.
 */
int group_bundle_write(struct group *g, const uint8_t *for_member,
    uint64_t since_ms, int *known, uint8_t **file, size_t *len, size_t *n);

/* What a bundle read added, per author. */
struct group_bundle_author {
	uint8_t author[BAL_PK_BYTES];
	uint64_t added, refused;	/* refused: beyond a removal's cut */
};
struct group_bundle_read {
	struct group *g;		/* whose key opened it */
	uint8_t writer[BAL_PK_BYTES];
	uint64_t time_ms;		/* when it was written (writer's clock) */
	size_t total, added, refused;	/* entries in it, stored, refused */
	struct group_bundle_author *authors;
	size_t nauthors;
};
/*
 * group_bundle_read opens a bundle with the key of any epoch of any group
 * this member holds and takes its entries in through group_receive (one
 * transaction, verified; nothing stored when a batch is refused); keeps the
 * writer's HAVE.  Negative code and a one-line reason in why on failure.
 * Free r with group_bundle_read_free.
 */
int group_bundle_read(struct daemon *d, const uint8_t *file, size_t len,
    struct group_bundle_read *r, char *why, size_t whylen);
void group_bundle_read_free(struct group_bundle_read *r);
/*
 * group_bundle_have_seen keeps member's HAVE in the store (a hint for
 * bundles; never fails).
 */
void group_bundle_have_seen(struct group *g, const uint8_t *member,
    const struct wire_have_item *items, size_t n);

/*
 * group_network_keys fills keys with the handshake network key of every
 * epoch this member holds, newest first; *n gets the count.
 */
int group_network_keys(struct group *g, uint8_t (*keys)[32], size_t max,
    size_t *n);

/*
 * group_notes decrypts the group's notes and returns their latest
 * versions, oldest first (deleted ones included, flagged).  Free with
 * group_notes_free.
 */
int group_notes(struct group *g, struct group_note **out, size_t *n);
void group_notes_free(struct group_note *notes, size_t n);
/* One readable version of a note, oldest first (group_note_versions). */
struct group_note_version {
	struct note *note;		/* decrypted; a tombstone for a deletion */
	uint8_t author[BAL_PK_BYTES];
	uint64_t time_ms;
	uint64_t seq;			/* in its author's log */
};
/*
 * group_note_versions decrypts the readable versions of gn (from
 * group_notes) in the order written: version 1 is the first; versions
 * erased by a deletion or retention are not there.  Free the array with
 * group_note_versions_free.
 */
int group_note_versions(struct group *g, const struct group_note *gn,
    struct group_note_version **out, size_t *n);
void group_note_versions_free(struct group_note_version *v, size_t n);
/*
 * group-kept.c: a revoked member's own notes, kept apart.  group_kept_save
 * seals this member's live notes of g under its own key into the store
 * (one transaction; *count of them) before g is erased; group_kept_each
 * opens those of the erased group gid and calls cb with each (a nonzero
 * return stops; a negative one is returned).
 */
struct group_kept_note {
	struct note *note;
	uint64_t created_ms, updated_ms;
};
typedef int (*group_kept_cb)(void *ctx, const struct group_kept_note *kn);
int group_kept_save(struct group *g, size_t *count);
int group_kept_each(struct daemon *d, const uint8_t gid[BAL_GROUP_ID_BYTES],
    group_kept_cb cb, void *ctx);
/* The fewest hex digits of a note id that name a note. */
#define GROUP_NOTE_PREFIX_MIN 4
/*
 * Short note ids (group-shortid.c): the ids of every readable note of this
 * member's groups, sorted.  group_shortids_load takes g's notes[n]
 * (already read) and reads the other groups'; free with
 * group_shortids_free.  group_shortid writes the shortest prefix of id,
 * GROUP_NOTE_PREFIX_MIN hex digits at least, that no other id of set
 * starts with (the whole id when another shares it all).
 */
struct group_shortids {
	uint8_t (*id)[NOTE_ID_BYTES];
	size_t n;
};
int group_shortids_load(struct daemon *d, const struct group *g,
    const struct group_note *notes, size_t n, struct group_shortids *set);
void group_shortids_free(struct group_shortids *set);
void group_shortid(const struct group_shortids *set,
    const uint8_t id[NOTE_ID_BYTES], char out[NOTE_ID_HEX_BYTES]);
/*
 * group_note_matches is the number of readable notes (not deleted) of the
 * list whose id starts with sel (0 when sel is shorter than
 * GROUP_NOTE_PREFIX_MIN or not hex).
 */
size_t group_note_matches(const struct group_note *notes, size_t n,
    const char *sel);
/*
 * group_note_erases lists what this member's tombstone of note_id must
 * name (docs/protocol.md, Notes): the entry ids of its own versions of
 * that note and of the versions they supersede, ascending, the newest
 * NOTE_MAX_ERASES; *ids is malloc'd (free() it).
 */
int group_note_erases(struct group *g, const uint8_t note_id[NOTE_ID_BYTES],
    uint8_t (**ids)[BAL_HASH_BYTES], size_t *n);
/* group_note_find finds a note by id hex or unique prefix in a list. */
const struct group_note *group_note_find(const struct group_note *notes,
    size_t n, const char *sel);

/* group_name is the group's display name (from its contract). */
const char *group_name(const struct group *g);
/*
 * group_tor_only is 1 when g's contract says "Network: tor-only": its
 * members announce and dial onion addresses only (0 for NULL, or while
 * joining).
 */
int group_tor_only(const struct group *g);

/*
 * group-amend.c: contract amendments, acceptances, the state code.
 *
 * An acceptance is a kind-3 entry with body [GROUP_ACCEPT_VERSION,
 * contract hash] (readers of announce version 1 keep and ignore it).
 */
#define GROUP_ACCEPT_VERSION 2

/* One contract version: 1 is the founding contract. */
struct group_version {
	unsigned number;
	uint8_t hash[BAL_HASH_BYTES];		/* its contract hash */
	uint8_t author[BAL_PK_BYTES];		/* founder or amending leader */
	uint64_t time_ms;			/* its created time */
	uint8_t entry_id[BAL_HASH_BYTES];	/* its CREATE or AMEND entry */
	/* The encoded contract (contract_decode), malloc'd, or NULL. */
	uint8_t *contract;
	size_t contract_len;
};

enum group_accepted_how {
	GROUP_ACCEPTED_AT_JOIN = 0,	/* the version in force at their ADD */
	GROUP_ACCEPTED_AUTHOR = 1,	/* they wrote that version */
	GROUP_ACCEPTED_EXPLICITLY = 2,	/* an acceptance entry */
};

/* What one member (roster order) accepted. */
struct group_acceptance {
	uint8_t member[BAL_PK_BYTES];
	unsigned joined_version;	/* in force at their latest admission */
	unsigned accepted_version;	/* the highest they accepted */
	int how;			/* enum group_accepted_how */
	uint64_t accepted_ms;
};

/* The versions of a group's contract and its members' acceptances. */
struct group_contract_info {
	struct group_version *versions;		/* by number */
	size_t nversions;			/* 1.. (the last is current) */
	struct group_acceptance *members;	/* as g->roster->members */
	size_t nmembers;
};

/*
 * group_contract_info reads the applied versions of g's contract from its
 * roster entries and every member's acceptance.  BAL_ESTATE: no roster.
 * Free with group_contract_info_free (NULL is a no-op).
 */
int group_contract_info(struct group *g, struct group_contract_info **out);
void group_contract_info_free(struct group_contract_info *ci);

/*
 * group_amend writes an AMEND roster entry: the contract text parsed as the
 * next version of g's contract by this member, who must be a leader
 * (BAL_EPERM).  BAL_EEXIST: it changes nothing; BAL_ESYNTAX etc. from
 * contract_amend.  *version (optional) gets the new version's number; err
 * a one-line reason on failure.
 */
int group_amend(struct group *g, const char *text, size_t len,
    unsigned *version, char *err, size_t errlen);
/*
 * group_accept writes this member's acceptance of the current contract
 * version.  BAL_EEXIST: accepted already.  *version gets its number.
 */
int group_accept(struct group *g, unsigned *version, char *err,
    size_t errlen);
/*
 * group_state_code writes the group state code ("1234-5678-9012-3456",
 * statecode.h) of g's folded roster.  BAL_ESTATE: no roster yet.
 */
int group_state_code(const struct group *g,
    char out[STATECODE_TEXT_BYTES]);

/*
 * group-roster.c: revoke, leave, epoch rotation and cooperative erasure
 * (docs/protocol.md).
 *
 * After every fold that changed a group's roster (group-batch.c calls
 * group_roster_folded), the daemon checks the group on a later turn of its
 * loop, never inside the fold: if this member is no longer active (revoked,
 * or left) it erases the group (group_roster_erase); if it is a leader and
 * the roster needs_rotation, it writes a ROTATE.  d->roster_tasks (made by
 * group_roster_start, closed by group_roster_stop) owns the timer; without
 * it (unit tests) nothing happens on its own.
 */
#define GROUP_ROTATE_GRACE_MS 5000	/* other leaders wait this long */
#define GROUP_REMOVED_MAX 32		/* removal records kept */

/*
 * group_roster_revoke writes this leader's REVOKE of member pk: cut = the
 * highest seq of pk's log this member holds, a fresh epoch key sealed to
 * every remaining active member.  BAL_EPERM: not a leader; BAL_EINVAL: pk
 * is this member; BAL_ENOENT: pk was never admitted; BAL_EEXIST: pk is not
 * active.  *cut and *epoch (the new epoch's ordinal) are optional.  err
 * gets a one-line reason on failure.
 */
int group_roster_revoke(struct group *g, const uint8_t pk[BAL_PK_BYTES],
    uint64_t *cut, size_t *epoch, char *err, size_t errlen);
/*
 * group_roster_leave writes this member's LEAVE (cut = its own seq).
 * BAL_EPERM: not active, or the last active leader.  Nothing is erased
 * here: the caller pushes it to peers first (see group_roster_leaving).
 */
int group_roster_leave(struct group *g, char *err, size_t errlen);
/*
 * group_roster_rotate writes this leader's ROTATE: a fresh epoch key sealed
 * to exactly the active members.  BAL_EPERM: not an active leader.
 */
int group_roster_rotate(struct group *g);
/*
 * group_roster_needs_rotation is 1 when this member should ROTATE g now:
 * an active leader, the roster needs_rotation, and a rotation would change
 * something (the current epoch is not already this member's sealing to
 * exactly the active members).  *first (optional) is 1 when this member is
 * the leader expected to do it (the active leader with the smallest key).
 */
int group_roster_needs_rotation(const struct group *g, int *first);
/*
 * group_roster_erase erases g (cooperative erasure): ends its sessions, dial
 * targets and waiters (GROUP_EVENT_REMOVED), deletes its entries, keys, peers
 * and invites from the store (store_group_erase, secure_delete, WAL
 * checkpoint), remembers a removal record (meta "removed:GROUPHEX") and
 * frees g (group_forget).  g is invalid afterwards, also on failure of the
 * store (then nothing is remembered and the group stays in the store, to
 * be erased at the next start).
 */
int group_roster_erase(struct group *g);
/*
 * group_roster_leaving marks (on 1) or unmarks (0) g's id as being left by
 * a pending `leave`, so that the check after the LEAVE's fold does not erase
 * it before the LEAVE reached a peer.  BAL_ENOMEM.
 */
int group_roster_leaving(struct daemon *d, const uint8_t gid[BAL_GROUP_ID_BYTES],
    int on);
/* group_roster_folded is group-batch.c's hook after a roster changed. */
void group_roster_folded(struct group *g);
/*
 * group_roster_start makes d->roster_tasks on d->loop and checks every
 * group once (a removal or rotation missed while the daemon was down).
 */
int group_roster_start(struct daemon *d);
/* group_roster_stop closes d->roster_tasks (daemon_stop); idempotent. */
void group_roster_stop(struct daemon *d);

/* A removal record: what `balint status` tells a removed member. */
struct group_removed {
	uint8_t gid[BAL_GROUP_ID_BYTES];
	char name[CONTRACT_NAME_MAX + 1];	/* the group's name */
	char by[ROSTER_NAME_MAX + 1];		/* who removed: name or id */
	int status;				/* ROSTER_REVOKED, ROSTER_LEFT */
	uint64_t removed_ms;			/* the removal entry's time */
	uint64_t erased_ms;			/* when this daemon erased it */
};

/*
 * group_removed_list reads the removal records, newest first (at most
 * GROUP_REMOVED_MAX); *out is malloc'd (free() it; NULL when *n is 0).
 * Groups this member belongs to again are left out.
 */
int group_removed_list(struct daemon *d, struct group_removed **out,
    size_t *n);

/* The rest of the folder's face. */
#include "invite.h"
#include "retention.h"

#endif
