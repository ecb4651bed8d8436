/*
 * ctl-fixture.h — what the control message tests share (test-ctl.c, test-
 * ctl-hostile.c): sample requests and responses, packers.
 */
#ifndef BAL_TEST_CTL_FIXTURE_H
#define BAL_TEST_CTL_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "ctl.h"

/* A deterministic generator (xorshift64*). */
extern uint64_t ctl_rng_state;

uint64_t ctl_rnd(void);

extern const uint8_t blob[5];

struct ctl_req * sample_req(void);

struct ctl_resp * sample_resp(void);

void req_enc(const struct ctl_req *req, uint8_t **buf, size_t *len);

void resp_enc(const struct ctl_resp *resp, uint8_t **buf, size_t *len);

#endif
