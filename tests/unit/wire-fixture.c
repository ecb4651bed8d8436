/* wire-fixture.c — see wire-fixture.h. */
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
#include "wire-fixture.h"

/* A deterministic generator (xorshift64*) for the garbage tests. */
uint64_t wire_rng_state;

uint64_t
wire_rnd(void)
{
	wire_rng_state ^= wire_rng_state >> 12;
	wire_rng_state ^= wire_rng_state << 25;
	wire_rng_state ^= wire_rng_state >> 27;
	return wire_rng_state * 0x2545f4914f6cdd1dULL;
}

/* Two decoded RUNS hold the same values. */
void
assert_same_runs(const struct wire_msg *a, const struct wire_msg *b)
{
	const struct wire_run_item *x, *y;
	size_t i, k;

	assert_int_equal(a->runs.nauthors, b->runs.nauthors);
	assert_memory_equal(a->runs.authors, b->runs.authors,
	    a->runs.nauthors * BAL_PK_BYTES);
	assert_int_equal(a->runs.nruns, b->runs.nruns);
	for (i = 0; i < a->runs.nruns; i++) {
		assert_int_equal(a->runs.runs[i].author,
		    b->runs.runs[i].author);
		assert_int_equal(a->runs.runs[i].first_seq,
		    b->runs.runs[i].first_seq);
		assert_int_equal(a->runs.runs[i].n, b->runs.runs[i].n);
		assert_int_equal(a->runs.runs[i].prev == NULL,
		    b->runs.runs[i].prev == NULL);
		if (a->runs.runs[i].prev != NULL)
			assert_memory_equal(a->runs.runs[i].prev,
			    b->runs.runs[i].prev, BAL_HASH_BYTES);
		for (k = 0; k < a->runs.runs[i].n; k++) {
			x = &a->runs.runs[i].items[k];
			y = &b->runs.runs[i].items[k];
			assert_int_equal(x->kind, y->kind);
			assert_true(x->epoch == y->epoch);
			assert_true(x->lamport == y->lamport);
			assert_true(x->time == y->time);
			assert_int_equal(x->body == NULL, y->body == NULL);
			assert_int_equal(x->bodylen, y->bodylen);
			if (x->body != NULL && x->bodylen > 0)
				assert_memory_equal(x->body, y->body,
				    x->bodylen);
			if (x->body == NULL)
				assert_memory_equal(x->body_hash,
				    y->body_hash, BAL_HASH_BYTES);
			assert_memory_equal(x->sig, y->sig, BAL_SIG_BYTES);
		}
	}
}

void
enc(const struct wire_msg *m, uint8_t **buf, size_t *len)
{
	assert_int_equal(wire_encode(m, buf, len), 0);
	assert_non_null(*buf);
	assert_true(*len > 0 && *len <= WIRE_MAX_MSG);
}

void
pkb_init(struct pkb *b)
{
	msgpack_sbuffer_init(&b->sb);
	msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
}

/* Decodes the packed bytes, frees them and returns the result code. */
int
pkb_decode(struct pkb *b)
{
	struct wire_msg *m = (struct wire_msg *)&m;
	int rc;

	rc = wire_decode((const uint8_t *)b->sb.data, b->sb.size, &m);
	if (rc == 0 || rc == BAL_EVERSION)
		wire_msg_free(m);
	else
		assert_null(m);
	msgpack_sbuffer_destroy(&b->sb);
	return rc;
}

void
pk_bin(msgpack_packer *pk, size_t len, uint8_t fill)
{
	uint8_t *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memset(p, fill, len);
	msgpack_pack_bin(pk, len);
	msgpack_pack_bin_body(pk, p, len);
	free(p);
}

void
pk_cstr(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}
