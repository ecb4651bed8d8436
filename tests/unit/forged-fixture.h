/*
 * forged-fixture.h — what test-forged.c and test-leaders.c share: a cast
 * of members (l1 founds with co-leader l2), syncing pairs, roster bodies
 * written or forged, and the checks that a forged entry changed nothing.
 */
#ifndef BAL_TEST_FORGED_FIXTURE_H
#define BAL_TEST_FORGED_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "contract.h"
#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "note.h"
#include "roster.h"
#include "statecode.h"
#include "store.h"

#include "group-fixture.h"

/* m founds the group "Forged", naming co (may be NULL) as Co-leader. */
void found_forged(struct member *m, const struct member *co);

void hash_of(const struct member *m, uint8_t out[BAL_HASH_BYTES]);

/* Hands the whole batch b to m; the code of group_receive. */
int deliver(struct member *m, struct blobs *b, size_t *stored);

/* What to lacks of from's store, in causal order, handed over at once. */
int sync_pair(struct member *from, struct member *to);

/* A new epoch key sealed to g's active members, plus extra, less except. */
void seal_new_epoch(const struct group *g, const uint8_t *extra,
    const uint8_t *except, uint8_t **env, size_t *envlen);

/* The ADD of nm by l, with a new epoch for everyone and nm. */
void add_body(struct member *l, struct member *nm, uint8_t **body, size_t *len);

/* The highest seq of author's log in m's store. */
uint64_t head_seq(const struct member *m, const uint8_t *author);

/* The REVOKE of who by l: cut = who's head in l's store, a new epoch. */
void revoke_body(struct member *l, struct member *who, uint8_t **body,
    size_t *len);

int append_body(struct member *m, uint8_t *body, size_t len);

int do_add(struct member *l, struct member *nm);

int do_revoke(struct member *l, struct member *who);

/*
 * Signs body as m's next entry of kind in m's log as m's store holds it,
 * without storing it: what a member's modified software could send.
 */
void forge_entry(struct member *m, const uint8_t *gid, int kind,
    const uint8_t *body,
    size_t len, struct blobs *out);

/* Writes a note; returns group_append's code. */
int write_titled(struct member *m, const char *title);

/* The reason the fold gave for rejecting entry id, or 0. */
int reject_reason(const struct member *m, const uint8_t *blob, size_t len);

int status_of(const struct member *m, const struct member *who);

/*
 * The forged entry is stored (it is its author's signed log) but the fold
 * rejects it with reason: roster, state hash and keys unchanged.
 */
void expect_folded_out(struct member *m, struct blobs *bad, int reason);

/* Every member in ms[0..n) has the same state hash and code. */
void expect_same(struct member **ms, size_t n);

/* The members of a typical test: l1 founds with l2 as co-leader. */
struct cast {
	struct member l1, l2, b, c, x, y;
};

void cast_open(struct cast *k);

void cast_close(struct cast *k);

/* l1 founds with co-leader l2 and adds l2, b, c; everyone synced. */
void cast_group(struct cast *k);

#endif
