/*
 * gen-corpus.h — what the files of the seed corpus generator share
 * (gen-corpus.c, gen-corpus-roster.c, gen-corpus-runs.c): the output
 * helpers, the harnesses' cast of identities and group, and the one
 * deterministic random stream they all draw from, in the order main()
 * calls the generators, so that the corpora stay byte for byte the same.
 */
#ifndef BAL_GEN_CORPUS_H
#define BAL_GEN_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bal.h"
#include "contract.h"
#include "identity.h"

#define CHECK(x) do {							\
	if (!(x)) {							\
		fprintf(stderr, "gen-corpus: %s:%d: %s failed\n",	\
		    __FILE__, __LINE__, #x);				\
		exit(1);						\
	}								\
} while (0)

/* A growable byte buffer for inputs with a harness-specific layout. */
struct buf {
	uint8_t *p;
	size_t n, cap;
};

/* Appends bytes, one byte, 16 and 64 bits big-endian, a string to b. */
void put(struct buf *b, const void *p, size_t n);
void put8(struct buf *b, unsigned v);
void put16(struct buf *b, unsigned v);
void put64(struct buf *b, uint64_t v);
void put_str(struct buf *b, const char *s);
/* Writes one seed DIR/target/name; emit_free and emit_buf free theirs. */
void emit(const char *target, const char *name, const void *p, size_t n);
void emit_free(const char *target, const char *name, uint8_t *p, size_t n);
void emit_buf(const char *target, const char *name, struct buf *b);

/* The cast: the harnesses' fixed identities, and their group. */
extern struct identity *leader, *coleader, *member, *other, *server,
    *client;
extern uint8_t group_id[BAL_GROUP_ID_BYTES];
/* The group sealed keys are bound to (gen-corpus-roster.c moves it). */
extern const uint8_t *seal_gid;

/* The template contract of leader, or with the co-leader named. */
struct contract *contract_make(int two_leaders);
/* An envelope of a fresh key for id, sealed to the pks of who[]. */
uint8_t *envelope_make(uint64_t id, const struct identity *const *who,
    size_t n, size_t *len);
/* The history of every earlier key, sealed to to. */
uint8_t *history_make(const struct identity *to, size_t *len);

/* gen_rng is fuzz_rng() of gen-corpus.c: the one stream of all files. */
const struct bal_rng *gen_rng(void);

/* The generators of the other files, called by main() in this order. */
void gen_roster(void);
void gen_join(void);
void gen_runs(void);
void gen_bundle(void);
void gen_beacon(void);

#endif
