/*
 * group-int.h — what group.c, group-batch.c and group-notes.c share.  The
 * rest of the daemon uses group.h only.
 *
 *	group.c        the API of group.h: groups, selection, append
 *	group-receive.c a received batch: decoded, ordered, checked, stored
 *	group-logs.c   the logs read for a peer: vector, missing entries
 *	group-batch.c  storing entries (one transaction a batch): the
 *	               pipeline of one entry, epoch keys at rest
 *	group-check.c  one entry checked against the group, by kind
 *	group-rlog.c   the batch's roster log, folded once per batch
 *	group-limits.c per-author limits
 *	group-notes.c  decrypting notes, their versions, erasure on deletion
 *	group-fork.c   logs held back: forked, unreadable, over a limit
 */
#ifndef BAL_GROUP_INT_H
#define BAL_GROUP_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "contract.h"
#include "entry.h"
#include "group.h"
#include "note.h"
#include "roster.h"
#include "wire.h"

/* gid_hex writes a group id in lower-case hex, for logs and store keys. */
static inline void
gid_hex(const uint8_t id[BAL_GROUP_ID_BYTES],
    char out[2 * BAL_GROUP_ID_BYTES + 1])
{
	sodium_bin2hex(out, 2 * BAL_GROUP_ID_BYTES + 1, id, BAL_GROUP_ID_BYTES);
}

static inline int
reject(char *why, size_t whylen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* reject writes a one-line reason into why (NULL: none) and returns code. */
static inline int
reject(char *why, size_t whylen, int code, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/*
 * group_grow makes room in a growing array: *(T **)pp of *cap elements
 * of size bytes, doubled (16 at first).  0, or BAL_ENOMEM with the array
 * unchanged.
 */
static inline int
group_grow(void *pp, size_t *cap, size_t size)
{
	size_t n = *cap ? 2 * *cap : 16;
	void *p, *grown;

	memcpy(&p, pp, sizeof(p));
	if (n > SIZE_MAX / size || (grown = realloc(p, n * size)) == NULL)
		return BAL_ENOMEM;
	memcpy(pp, &grown, sizeof(grown));
	*cap = n;
	return 0;
}

/* is_hex: is s a run of hex digits? */
static inline int
is_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F')))
			return 0;
	return 1;
}

/* Where an entry is: its author's log, seq and lamport. */
struct spot {
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq, lamport;
};

/* A growing list of spots (group_spots_add); a zeroed one is empty. */
struct spots {
	struct spot *s;
	size_t n, cap;
};

/* The roster entries of a group, decoded, and the leaders of its CREATE. */
struct rlog {
	uint8_t gid[BAL_GROUP_ID_BYTES];
	struct entry **e;
	size_t n, cap;
	uint8_t leaders[ROSTER_LEADERS_MAX][BAL_PK_BYTES];
	size_t nleaders;		/* 0 until the group's CREATE is seen */
};

/*
 * Per-author limits (group-limits.c; docs/protocol.md): entries and bytes
 * of one author's log, per day of header time and in all.
 */
#define GROUP_LIMIT_DAY_ENTRIES 1000u
#define GROUP_LIMIT_DAY_BYTES (32ull << 20)
#define GROUP_LIMIT_ENTRIES 100000u
#define GROUP_LIMIT_BYTES (1ull << 30)

struct group_limits {
	uint64_t day_entries, day_bytes, entries, bytes;
};

/* What an author's log holds, as a batch counts it. */
struct group_use {
	int loaded;
	uint64_t day;			/* the UTC day counted (since 1970) */
	uint64_t entries, bytes, day_entries, day_bytes;
};

/*
 * One author's log as the batch's transaction sees it: the head, and what
 * the log holds (for the limits), read from the store once per batch and
 * kept up to date as the batch stores entries.
 */
struct batch_head {
	int has;			/* 0: the log is empty */
	struct entry head;		/* header-only (group_batch_head) */
	struct group_use use;
};

/* What one batch (or one local write) changes before it is committed. */
struct batch {
	struct group *g;
	int local;			/* this member's own write */
	struct rlog rl;
	int rl_loaded;
	int rl_dirty;			/* a roster entry stored, not folded */
	uint8_t local_op[BAL_HASH_BYTES];	/* this member's roster entry */
	int has_local_op;
	struct roster *roster;		/* refolded here, else NULL */
	struct contract *contract;	/* its contract, else NULL */
	struct group_key *keys;		/* epoch keys opened here */
	size_t nkeys;
	uint64_t lamport;
	int roster_changed;
	int new_keys;
	int erased;
	int missing;			/* bodies found missing (store.h) */
	int restoring;			/* the entry now: a missing body */
	int again;			/* the last reject may pass later */
	/* The removed member whose entry beyond the cut was last logged. */
	uint8_t skip_logged[BAL_PK_BYTES];
	int has_skip_logged;
	/*
	 * Heads of the authors' logs read or written in this batch, so that
	 * checking each entry does not query the store again: kept up to
	 * date as entries are stored, emptied when entries are dropped.
	 */
	struct batch_head *heads;
	size_t nheads, capheads;
};

/* A kind-1 entry of the store, decrypted when this member can. */
struct nrec {
	uint8_t id[BAL_HASH_BYTES];
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq, lamport, time;
	int erased;
	struct note *note;	/* NULL: erased, no key, or unreadable */
};

/* One stored row, copied out of a store callback. */
struct rowcopy {
	int found;
	uint64_t seq, lamport, epoch;
	int kind, erased;
	uint8_t id[BAL_HASH_BYTES];
};

/* group-batch.c */

/* group_batch_init starts an empty batch of g (local: this member's write). */
void group_batch_init(struct batch *b, struct group *g, int local);
/* group_batch_free releases what a batch staged and did not apply. */
void group_batch_free(struct batch *b);
/* group_batch_roster is the roster b checks against: its own, or g's. */
const struct roster *group_batch_roster(const struct batch *b);
/*
 * group_batch_process checks one decoded entry and stores it (inside the
 * caller's transaction): 0 stored, 1 already held, or a negative code with
 * a one-line reason in why, and b->again set when the entry may pass once
 * other entries are stored (a gap, an author not yet admitted, an epoch
 * not yet known); nothing was written then.
 */
int group_batch_process(struct batch *b, const struct entry *e,
    const uint8_t *blob, size_t len, char *why, size_t whylen);
/* group_batch_acquire opens and stores the roster's keys sealed to us. */
int group_batch_acquire(struct batch *b);
/*
 * group_batch_commit commits the caller's transaction and moves the
 * batch's staged state into the group; on failure the caller rolls back.
 */
int group_batch_commit(struct batch *b);
/* group_batch_key is the key of epoch, from b (may be NULL) or g. */
const uint8_t *group_batch_key(const struct group *g, const struct batch *b,
    uint64_t epoch);
/* group_batch_key_load unseals a stored key into g (a store_key_cb). */
int group_batch_key_load(void *g, uint64_t epoch, const uint8_t *sealed,
    size_t len);
/* group_batch_keys_free wipes and releases an array of keys. */
void group_batch_keys_free(struct group_key *keys, size_t n);
/* group_batch_entry_at copies the stored row of author at seq. */
int group_batch_entry_at(struct group *g, const uint8_t *author, uint64_t seq,
    struct rowcopy *rc);
/* group_batch_head gives the head of author's log as a header-only entry. */
int group_batch_head(struct group *g, const uint8_t *author,
    struct entry *head, int *has);
/* group_batch_addr_ok is 1 for a valid "HOST:PORT" address. */
int group_batch_addr_ok(const char *s, size_t len);
/*
 * group_batch_plain is g's plaintext scratch buffer, at least n bytes
 * (n <= ENTRY_MAX_PLAIN), or NULL without memory: sodium_malloc'd once and
 * grown when needed, so that decrypting a note costs no allocation.  Its
 * user decrypts into it (entry_open_buf) and wipes what it wrote
 * (sodium_memzero) before returning; group_free releases it.
 */
uint8_t *group_batch_plain(struct group *g, size_t n);

/* group-logs.c */

/* group_spots_add appends a spot to l (BAL_ENOMEM). */
int group_spots_add(struct spots *l, const uint8_t author[BAL_PK_BYTES],
    uint64_t seq, uint64_t lamport);

/* group-check.c */

/*
 * group_check_note checks a kind-1 entry: its epoch known (else b->again),
 * and when this member holds the key, a valid note whose first version's
 * id is the author's, or whose supersedes names the author's own version
 * of the same note.  *note gets the note read (note_free it).  A failure
 * only a key holder can see sets *unreadable.
 */
int group_check_note(struct batch *b, const struct entry *e,
    struct note **note, int *unreadable, char *why, size_t whylen);
/*
 * group_check_roster checks a kind-2 entry: a well-formed operation;
 * CREATE only of this group, by its founder, once; a LEAVE whose cut is
 * its own seq; ADD, REVOKE, ROTATE and AMEND only by a leader; an ADD with
 * the newcomer's acceptance.  *op (and *created, for a CREATE) get what
 * was decoded.
 */
int group_check_roster(struct batch *b, const struct entry *e,
    struct roster_op **op, struct contract **created, char *why,
    size_t whylen);
/*
 * group_check_announce decodes an announce body [1, [address str...]]
 * into addrs; another version is BAL_EVERSION (kept in the log, ignored).
 */
int group_check_announce(const uint8_t *body, size_t len,
    char addrs[GROUP_ANNOUNCE_MAX][WIRE_MAX_ADDR + 1], size_t *n);

/* group-rlog.c */

/*
 * group_rlog_load folds the group's stored roster entries into b->roster
 * and decodes its current contract into b->contract.
 */
int group_rlog_load(struct batch *b);
/* group_rlog_leaders_load reads the roster log (and CREATE's leaders). */
int group_rlog_leaders_load(struct batch *b);
/* group_rlog_add adds a stored roster entry to b's log; a fold is due. */
int group_rlog_add(struct batch *b, const uint8_t *blob, size_t len);
/*
 * group_rlog_fold runs the fold that is due (none: 0): b->roster and
 * b->contract, keys sealed to us, entries made void dropped; a local
 * operation the fold rejects is BAL_EPERM with the reason in why.
 */
int group_rlog_fold(struct batch *b, char *why, size_t whylen);
/* group_rlog_free releases a roster log. */
void group_rlog_free(struct rlog *rl);

/* group-limits.c */

/* group_limits are the limits in force (the defaults, or the test hook). */
const struct group_limits *group_limits(void);
/* group_limits_reload reads BALINT_AUTHOR_LIMITS again (for tests). */
void group_limits_reload(void);
/* group_limits_load reads author's use of g for the day of time into u. */
int group_limits_load(struct group *g, const uint8_t *author, uint64_t time,
    struct group_use *u);
/*
 * group_limits_check is 0 when one more entry of len bytes at time fits
 * the limits given u (counted for time's day), else BAL_ETOOBIG and why.
 */
int group_limits_check(const struct group_use *u, uint64_t time, size_t len,
    char *why, size_t whylen);
/* group_limits_add counts a stored entry in u. */
void group_limits_add(struct group_use *u, uint64_t time, size_t len);

/* group-fork.c */

/*
 * group_fork_skip records that e, signed by its author, belongs to another
 * branch of their log than the one held: logs it (once per author), and
 * for this member's own log sets g->own_fork and keeps it in the store.
 * Returns 1 (skipped, as if held) or BAL_ENOMEM.
 */
int group_fork_skip(struct batch *b, const struct entry *e);
/*
 * group_held_skip records that e, signed by its author, does not pass a
 * check that needs its epoch key, which this member holds, or is over a
 * per-author limit (held; why says which): not stored, logged once per
 * author, the author's log held back from there (group_fork_seen).
 * Returns 1 (skipped) or BAL_ENOMEM.
 */
int group_held_skip(struct batch *b, const struct entry *e, int held,
    const char *why);
/* group_fork_load reads g->own_fork from the store. */
int group_fork_load(struct group *g);

/* group-notes.c */

/*
 * group_notes_collect gathers the kind-1 entries of author (NULL: of the
 * whole group, by lamport), decrypting those whose key is held.
 */
int group_notes_collect(struct group *g, const struct batch *b,
    const uint8_t *author, struct nrec **out, size_t *n);
/*
 * group_notes_find fills *rec with author's kind-1 entry of entry id id,
 * decrypting it alone when its key is held (rec->note stays NULL if not;
 * the caller note_free()s it); BAL_ENOENT: author has no such note.
 */
int group_notes_find(struct group *g, const struct batch *b,
    const uint8_t *author, const uint8_t id[BAL_HASH_BYTES],
    struct nrec *rec);
/* group_notes_recs_free wipes and releases collected records. */
void group_notes_recs_free(struct nrec *r, size_t n);
/*
 * group_notes_erase erases every earlier version of each deleted note of
 * author (NULL: of anyone), inside the batch's transaction.
 */
int group_notes_erase(struct batch *b, const uint8_t *author);
/*
 * group_notes_erase_revealed applies group_notes_erase to the whole group
 * after b opened epoch keys, when a stored note is under one of them.
 */
int group_notes_erase_revealed(struct batch *b);
/*
 * group_notes_erase_entry replaces the stored entry of author at seq by its
 * erased form (body dropped; header, body hash, signature kept; erased = 1)
 * inside the batch's transaction, and counts it in b->erased so that
 * group_batch_commit checkpoints the WAL.
 */
int group_notes_erase_entry(struct batch *b, const uint8_t *author,
    uint64_t seq);

#endif
