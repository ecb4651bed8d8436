/*
 * roster-fixture.h — what the roster tests share (test-roster.c, test-
 * roster-op.c, test-roster-epochs.c): members, contracts, operation
 * builders and fold helpers.
 */
#ifndef BAL_TEST_ROSTER_FIXTURE_H
#define BAL_TEST_ROSTER_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "roster.h"
#include "mp.h"

/*
 * The cast of every test: two leaders named by the contract, members, and
 * an outsider.  Bit masks of these pick envelope recipients.
 */
enum { L1, L2, A, B, C, D, X, NPEOPLE };

#define BIT(p) (1u << (p))

#define MAXIN 80

#define SIGN_DOMAIN "balint-test-roster-v1"

/* A deterministic random source: each call draws from seed || counter. */
struct det {
	uint8_t seed[randombytes_SEEDBYTES];
	uint64_t ctr;
};

/*
 * A group's roster entries as the entry layer would hand them over: every
 * body signed by its author over a small header, with an entry id that
 * hashes header, body and signature.  key[i] is the epoch key of the
 * envelope input i carries (NULL if none).
 */
struct world {
	struct identity *p[NPEOPLE];
	uint64_t seq[NPEOPLE];
	struct roster_in in[MAXIN];
	uint8_t sig[MAXIN][BAL_SIG_BYTES];
	uint8_t *key[MAXIN];
	size_t n;
	struct det det;
	struct bal_rng rng;
	uint8_t contract[64];
	uint8_t contract_hash[32];
};

void roster_det_fill(void *ctx, void *buf, size_t len);

struct world * world_new(void);

void world_free(struct world *w);

const uint8_t * pk(struct world *w, int who);

void be64(uint8_t *p, uint64_t v);

/* The signed bytes of input i: author || seq || lamport || time || body. */
uint8_t * signed_msg(const struct roster_in *in, size_t *len);

/* Appends an entry of who's log at lamport carrying body (taken over). */
size_t emit_key(struct world *w, int who, uint64_t lamport, uint8_t *body,
    size_t len, uint8_t *key);

size_t emit(struct world *w, int who, uint64_t lamport, uint8_t *body,
    size_t len);

/* A fresh epoch key sealed (id 0) to the people in mask. */
uint8_t * envelope(struct world *w, unsigned mask, size_t *len, uint8_t **key);

extern const char *const names[NPEOPLE];

size_t op_create(struct world *w, int who, uint64_t lamport, unsigned mask);

/* An ADD; mask 0 means no new epoch; readmits may be NULL. */
size_t op_add_h(struct world *w, int who, uint64_t lamport, int member,
    const uint8_t *readmits, unsigned mask, const uint8_t *hist,
    size_t hlen);

size_t op_add(struct world *w, int who, uint64_t lamport, int member,
    const uint8_t *readmits, unsigned mask);

size_t op_revoke(struct world *w, int who, uint64_t lamport, int member,
    uint64_t cut, unsigned mask);

/* A LEAVE whose cut is the leave entry's own seq. */
size_t op_leave(struct world *w, int who, uint64_t lamport);

size_t op_rotate(struct world *w, int who, uint64_t lamport, unsigned mask);

size_t op_amend(struct world *w, int who, uint64_t lamport, const char *text,
    const uint8_t prev[32]);

/* Folds in[0..n) as they are (the base fold checked the signatures). */
int fold_raw(struct world *w, const struct roster_in *in, size_t n,
    struct roster **out);

/* Folds in[0..n) after checking every signature (the entry layer's job). */
int fold_in(struct world *w, const struct roster_in *in, size_t n,
    unsigned leaders, const struct roster_contract_cb *cb,
    struct roster **out);

struct roster * fold(struct world *w);

int status(const struct roster *r, struct world *w, int who);

int reason(const struct roster *r, struct world *w, size_t i);

const struct roster_epoch * epoch_of(const struct roster *r, struct world *w,
    size_t i);

/* Two rosters are the same: state hash and rejected list. */
void assert_same(const struct roster *a, const struct roster *b);

uint64_t xs(uint64_t *s);

/* Folds nshuffles seeded shuffles of w's inputs; all equal to base. */
void assert_order_free(struct world *w, const struct roster *base,
    unsigned nshuffles);

/* Folds every permutation of w's inputs (Heap's algorithm). */
void assert_every_order(struct world *w, const struct roster *base);

int roster_setup(void **state);

#endif
