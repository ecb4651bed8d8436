/*
 * group-fixture.h — members with real profiles and stores, and the helpers
 * that test-group.c, test-receive.c, test-forged*.c, test-revoke.c and
 * test-retention.c share: found a group, add and join members, collect and
 * forge entries, receive them.
 */
#ifndef BAL_GROUP_FIXTURE_H
#define BAL_GROUP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "entry.h"
#include "group.h"
#include "note.h"

#define MARKER "PLAINTEXT-MARKER-7c1f"
#define MAXB 256

struct member {
	char dir[64];
	char path[128];
	struct daemon d;
	struct group *g;	/* its copy of the group under test, if kept */
};

/* Encoded entries, copied. */
struct blobs {
	uint8_t *p[MAXB];
	size_t len[MAXB];
	size_t n;
};

/* What the members' daemons reported (GROUP_EVENT_ENTRY, _ROSTER). */
extern int n_entry, n_roster;
extern const void *last_source;

/* A member with the identity of seed_byte and a fresh store in /tmp. */
void member_open(struct member *m, uint8_t seed_byte, const char *name);

/* Frees the member and removes its directory. */
void member_close(struct member *m);

/* Restarts the member: forget everything in memory, load from the store. */
void member_reopen(struct member *m);

/* cmocka setup: the counters at zero. */
int setup(void **state);

/* m founds a group named name (m leads it). */
struct group *found(struct member *m, const char *name);

/*
 * m founds a group named name (m leads it), with co (may be NULL) named
 * Co-leader in the contract.
 */
struct group *found_co(struct member *m, const char *name,
    const struct member *co);

/* The entries m stores of g. */
uint64_t count(struct member *m, struct group *g);

/* Writes one version of a note; entry_id (optional) gets its entry id. */
int write_note(struct group *g, const uint8_t note_id[NOTE_ID_BYTES],
    const char *title, const char *body, const uint8_t *supersedes,
    int tombstone, uint8_t *entry_id);

/* The leader adds nm with a fresh epoch sealed to both. */
int add_member(struct member *leader, struct group *g, struct member *nm,
    int good_accept);

/* Appends a copy of an encoded entry to a struct blobs (ctx). */
int collect_cb(void *ctx, const uint8_t *blob, size_t len);

/* collect_cb for group_entries_missing, which also names author and seq. */
int collect_missing_cb(void *ctx, const uint8_t *author, uint64_t seq,
    const uint8_t *blob, size_t len);

/* All of author's log in g, after seq. */
void log_of(struct group *g, const uint8_t *author, uint64_t after,
    struct blobs *b);

/* Frees the copies; b can be filled again. */
void blobs_free(struct blobs *b);

/* nm, added to g, joins: its group, holding the log of author in g. */
struct group *join_log(struct member *nm, struct group *g,
    const uint8_t *author);

/* g receives b->p[from .. from+n) as one batch (group_receive). */
int receive(struct group *g, struct blobs *b, size_t from, size_t n,
    size_t *stored);

/*
 * Makes (but does not store) m's entry after prev (NULL: seq 1) with the
 * given lamport, or (0) the one entry_header_next gives.
 */
void forge_lamport(struct member *m, const uint8_t *gid,
    const struct entry *prev, uint64_t lamport, int kind, uint64_t epoch,
    const uint8_t *key, const uint8_t *plain, size_t len, struct blobs *out);

/* Makes (but does not store) m's entry after prev (NULL: seq 1). */
void forge(struct member *m, const uint8_t *gid, const struct entry *prev,
    int kind, uint64_t epoch, const uint8_t *key, const uint8_t *plain,
    size_t len, struct blobs *out);

/* The roster's state hash; zeros while a group has no roster. */
void state_hash(const struct group *g, uint8_t out[BAL_HASH_BYTES]);

#endif
