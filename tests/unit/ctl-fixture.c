/* ctl-fixture.c — see ctl-fixture.h. */
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
#include "ctl-fixture.h"

/* A deterministic generator (xorshift64*). */
uint64_t ctl_rng_state;

uint64_t
ctl_rnd(void)
{
	ctl_rng_state ^= ctl_rng_state >> 12;
	ctl_rng_state ^= ctl_rng_state << 25;
	ctl_rng_state ^= ctl_rng_state >> 27;
	return ctl_rng_state * 0x2545f4914f6cdd1dULL;
}

const uint8_t blob[5] = { 0, 1, 2, 0xfe, 0xff };

struct ctl_req *
sample_req(void)
{
	struct ctl_req *req;

	assert_int_equal(ctl_req_new("note.write", 300, &req), 0);
	assert_int_equal(ctl_req_add_str(req, "title", "Fall: Frau K."), 0);
	assert_int_equal(ctl_req_add_str(req, "text",
	    "Sie kam wieder zu sp\xc3\xa4t; ich war ver\xc3\xa4rgert.\n"), 0);
	assert_int_equal(ctl_req_add_str(req, "kind", "followup"), 0);
	assert_int_equal(ctl_req_add_uint(req, "count", 70000), 0);
	assert_int_equal(ctl_req_add_uint(req, "big", 1ULL << 40), 0);
	assert_int_equal(ctl_req_add_bool(req, "wait", 1), 0);
	assert_int_equal(ctl_req_add_bool(req, "json", 0), 0);
	assert_int_equal(ctl_req_add_bin(req, "hash", blob, sizeof(blob)), 0);
	assert_int_equal(ctl_req_add_bin(req, "empty-bin", NULL, 0), 0);
	assert_int_equal(ctl_req_add_nil(req, "case"), 0);
	assert_int_equal(ctl_req_add_str(req, "g", ""), 0);
	return req;
}

struct ctl_resp *
sample_resp(void)
{
	struct ctl_resp *resp;
	char id[16];
	int i;

	assert_int_equal(ctl_resp_new(7, CTL_OK, NULL, &resp), 0);
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "n%d", i);
		assert_int_equal(ctl_resp_record_begin(resp), 0);
		assert_int_equal(ctl_resp_add_str(resp, "id", id), 0);
		assert_int_equal(ctl_resp_add_str(resp, "title",
		    "Supervision 3. M\xc3\xa4rz"), 0);
		assert_int_equal(ctl_resp_add_uint(resp, "time",
		    1700000000000ULL + (uint64_t)i), 0);
		assert_int_equal(ctl_resp_add_bool(resp, "erased", i == 1), 0);
		assert_int_equal(ctl_resp_add_bin(resp, "hash", blob,
		    sizeof(blob)), 0);
		assert_int_equal(ctl_resp_add_nil(resp, "case"), 0);
	}
	assert_int_equal(ctl_resp_record_begin(resp), 0);	/* empty */
	return resp;
}

void
req_enc(const struct ctl_req *req, uint8_t **buf, size_t *len)
{
	assert_int_equal(ctl_req_encode(req, buf, len), 0);
	assert_int_equal(*len, ctl_req_size(req));
}

void
resp_enc(const struct ctl_resp *resp, uint8_t **buf, size_t *len)
{
	assert_int_equal(ctl_resp_encode(resp, buf, len), 0);
	assert_int_equal(*len, ctl_resp_size(resp));
}
