/*
 * wire-fixture.h — what the wire tests share (test-wire.c, test-wire-
 * limits.c, test-wire-runs.c): a sample of each message, a deterministic
 * generator, encoding and msgpack helpers.
 */
#ifndef BAL_TEST_WIRE_FIXTURE_H
#define BAL_TEST_WIRE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "entry.h"
#include "wire.h"

/* A deterministic generator (xorshift64*) for the garbage tests. */
extern uint64_t wire_rng_state;

uint64_t wire_rnd(void);

/* Two decoded RUNS hold the same values. */
void assert_same_runs(const struct wire_msg *a, const struct wire_msg *b);

void enc(const struct wire_msg *m, uint8_t **buf, size_t *len);

/* Packers for hand-made (hostile) messages. */
struct pkb {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

void pkb_init(struct pkb *b);

/* Decodes the packed bytes, frees them and returns the result code. */
int pkb_decode(struct pkb *b);

void pk_bin(msgpack_packer *pk, size_t len, uint8_t fill);

void pk_cstr(msgpack_packer *pk, const char *s);

#endif
