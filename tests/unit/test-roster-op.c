/*
 * test-roster-op.c — roster operation bodies: round trips, tampering and
 * truncation, garbage.
 */
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
#include "roster-fixture.h"

/* ------------------------------------------------------------------ */

static void
test_op_roundtrip(void **state)
{
	struct world *w = world_new();
	struct roster_op *op;
	uint8_t *env, *key, *body, sig[64], rid[32], prev[32];
	size_t elen, blen;

	(void)state;
	env = envelope(w, BIT(L1) | BIT(A), &elen, &key);
	memset(sig, 7, sizeof(sig));
	memset(rid, 9, sizeof(rid));
	memset(prev, 3, sizeof(prev));

	assert_int_equal(roster_encode_create(w->contract, sizeof(w->contract),
	    "Lea", env, elen, &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_int_equal(op->type, ROSTER_OP_CREATE);
	assert_int_equal(op->contract_len, sizeof(w->contract));
	assert_memory_equal(op->contract, w->contract, sizeof(w->contract));
	assert_string_equal(op->name, "Lea");
	assert_int_equal(op->envelope_len, elen);
	assert_memory_equal(op->envelope, env, elen);
	roster_op_free(op);
	free(body);

	assert_int_equal(roster_encode_add(pk(w, A), "Anna", sig, rid, env,
	    elen, NULL, 0, &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_int_equal(op->type, ROSTER_OP_ADD);
	assert_memory_equal(op->member, pk(w, A), 32);
	assert_string_equal(op->name, "Anna");
	assert_memory_equal(op->accept_sig, sig, 64);
	assert_true(op->has_readmits);
	assert_memory_equal(op->readmits, rid, 32);
	assert_non_null(op->envelope);
	assert_null(op->history);
	roster_op_free(op);
	free(body);

	assert_int_equal(roster_encode_add(pk(w, A), "Anna", sig, NULL, NULL,
	    0, NULL, 0, &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_false(op->has_readmits);
	assert_null(op->envelope);
	roster_op_free(op);
	free(body);

	assert_int_equal(roster_encode_revoke(pk(w, B), 1234567890123ULL, env,
	    elen, &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_int_equal(op->type, ROSTER_OP_REVOKE);
	assert_memory_equal(op->member, pk(w, B), 32);
	assert_true(op->cut == 1234567890123ULL);
	roster_op_free(op);
	free(body);

	assert_int_equal(roster_encode_leave(42, &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_int_equal(op->type, ROSTER_OP_LEAVE);
	assert_true(op->cut == 42);
	roster_op_free(op);
	free(body);

	assert_int_equal(roster_encode_rotate(env, elen, &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_int_equal(op->type, ROSTER_OP_ROTATE);
	roster_op_free(op);
	free(body);

	assert_int_equal(roster_encode_amend((const uint8_t *)"v2", 2, prev,
	    &body, &blen), 0);
	assert_int_equal(roster_op_decode(body, blen, &op), 0);
	assert_int_equal(op->type, ROSTER_OP_AMEND);
	assert_memory_equal(op->contract, "v2", 2);
	assert_memory_equal(op->prev_hash, prev, 32);
	roster_op_free(op);
	free(body);
	roster_op_free(NULL);

	assert_string_equal(roster_op_name(ROSTER_OP_REVOKE), "revoke");
	assert_string_equal(roster_op_name(99), "unknown");
	assert_string_equal(roster_reason_name(ROSTER_R_REMOVED),
	    "member was removed (remove wins)");
	free(env);
	epoch_key_free(key);
	world_free(w);
}

/* Every truncation is refused; no byte flip crashes or goes unnoticed. */
static void
test_op_tamper_truncate(void **state)
{
	struct world *w = world_new();
	struct roster_op *op, *orig;
	uint8_t *env, *key, *hist, *body[6], sig[64];
	size_t elen, hlen, blen[6], i, k;
	struct epoch_history_key hk = { 0, NULL };

	(void)state;
	env = envelope(w, BIT(L1) | BIT(A), &elen, &key);
	hk.key = key;
	assert_int_equal(epoch_history_seal(&hk, 1, w->contract_hash, pk(w, A),
	    &w->rng, &hist, &hlen), 0);
	memset(sig, 7, sizeof(sig));
	assert_int_equal(roster_encode_create(w->contract, 3, "Lea", env, elen,
	    &body[0], &blen[0]), 0);
	assert_int_equal(roster_encode_add(pk(w, A), "Anna", sig, sig, env,
	    elen, hist, hlen, &body[1], &blen[1]), 0);
	assert_int_equal(roster_encode_revoke(pk(w, B), 300, env, elen,
	    &body[2], &blen[2]), 0);
	assert_int_equal(roster_encode_leave(1000, &body[3], &blen[3]), 0);
	assert_int_equal(roster_encode_rotate(env, elen, &body[4], &blen[4]),
	    0);
	assert_int_equal(roster_encode_amend(w->contract, 5, sig, &body[5],
	    &blen[5]), 0);
	for (k = 0; k < 6; k++) {
		assert_int_equal(roster_op_decode(body[k], blen[k], &orig), 0);
		for (i = 0; i < blen[k]; i++) {
			assert_int_equal(roster_op_decode(body[k], i, &op),
			    BAL_EPROTO);
			assert_null(op);
		}
		for (i = 0; i < blen[k]; i++) {
			body[k][i] ^= 0x01;
			if (roster_op_decode(body[k], blen[k], &op) == 0) {
				/* Then it says something else. */
				assert_true(op->type != orig->type ||
				    memcmp(op->member, orig->member, 32) != 0 ||
				    strcmp(op->name, orig->name) != 0 ||
				    memcmp(op->accept_sig, orig->accept_sig,
				    64) != 0 ||
				    memcmp(op->readmits, orig->readmits,
				    32) != 0 ||
				    op->cut != orig->cut ||
				    op->contract_len != orig->contract_len ||
				    (op->contract != NULL &&
				    memcmp(op->contract, orig->contract,
				    op->contract_len) != 0) ||
				    memcmp(op->prev_hash, orig->prev_hash,
				    32) != 0 ||
				    op->envelope_len != orig->envelope_len ||
				    op->history_len != orig->history_len ||
				    (op->envelope != NULL &&
				    memcmp(op->envelope, orig->envelope,
				    op->envelope_len) != 0) ||
				    (op->history != NULL &&
				    memcmp(op->history, orig->history,
				    op->history_len) != 0));
				roster_op_free(op);
			}
			body[k][i] ^= 0x01;
		}
		roster_op_free(orig);
		free(body[k]);
	}
	free(hist);
	free(env);
	epoch_key_free(key);
	world_free(w);
}

/* Packs [type, ...] by hand from a small template. */
static uint8_t *
hand_op(const char *tmpl, const uint8_t *env, size_t elen, size_t *len)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t b[200], *out;
	const char *t;

	memset(b, 0x11, sizeof(b));
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, strlen(tmpl));
	for (t = tmpl; *t != '\0'; t++) {
		switch (*t) {
		case '1': case '2': case '3': case '4': case '5': case '6':
		case '0': case '7':
			msgpack_pack_uint8(&pk, (uint8_t)(*t - '0'));
			break;
		case 'k': mp_pack_bin(&pk, b, 32); break;	/* pk, hash */
		case 's': mp_pack_bin(&pk, b, 64); break;	/* signature */
		case 'c': mp_pack_bin(&pk, b, 10); break;	/* contract */
		case 'n': mp_pack_cstr(&pk, "Name"); break;
		case 'N': mp_pack_cstr(&pk, "Bad\033[2Jname"); break;
		case 'E': mp_pack_str(&pk, "", 0); break;
		case 'e': mp_pack_bin(&pk, env, elen); break;
		case 'z': msgpack_pack_nil(&pk); break;
		case 'i': msgpack_pack_int8(&pk, -1); break;
		case 'S': mp_pack_bin(&pk, b, 31); break;
		case 'm': msgpack_pack_map(&pk, 0); break;
		}
	}
	out = NULL;
	assert_int_equal(mp_sbuf_take(&sbuf, &out, len), 0);
	msgpack_sbuffer_destroy(&sbuf);
	return out;
}

static void
test_op_garbage(void **state)
{
	struct world *w = world_new();
	struct roster_op *op;
	struct roster *r;
	struct roster_in junk[3];
	uint8_t *env, *env9, *key, *key9, *b, sig[64], big[ROSTER_NAME_MAX + 2];
	uint8_t rnd[300];
	size_t elen, elen9, len, i;
	uint64_t s = 77;
	static const char *const bad[] = {
		"0z", "7z", "4i", "4zz", "4", "5z", "5k", "3kk1",
		"3k1e1", "2kns", "2knszzz1", "2Nnszzz", "2kEszzz", "2kNszzz",
		"2knSzzz", "2knsSzz", "2knszkz", "2knszzk", "6Ek", "6cS",
		"6zk", "1cne1", "1cn", "1zne", "1cEe", "1cnz", "4m",
	};
	uint8_t rcpt[1][32];

	(void)state;
	memset(sig, 1, sizeof(sig));
	env = envelope(w, BIT(L1), &elen, &key);
	memcpy(rcpt[0], pk(w, L1), 32);
	assert_int_equal(epoch_key_new(NULL, &key9), 0);
	assert_int_equal(epoch_seal(key9, 9, w->contract_hash,
	    (const uint8_t (*)[32])rcpt, 1, NULL, &env9, &elen9), 0);
	/* The good templates decode. */
	b = hand_op("41", env, elen, &len);
	assert_int_equal(roster_op_decode(b, len, &op), 0);
	roster_op_free(op);
	free(b);
	b = hand_op("6ck", env, elen, &len);
	assert_int_equal(roster_op_decode(b, len, &op), 0);
	roster_op_free(op);
	free(b);
	b = hand_op("1cne", env, elen, &len);
	assert_int_equal(roster_op_decode(b, len, &op), 0);
	roster_op_free(op);
	free(b);
	b = hand_op("2knszzz", env, elen, &len);
	assert_int_equal(roster_op_decode(b, len, &op), 0);
	roster_op_free(op);
	free(b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = hand_op(bad[i], env, elen, &len);
		assert_int_equal(roster_op_decode(b, len, &op), BAL_EPROTO);
		assert_null(op);
		free(b);
	}
	/* An envelope inside an op must carry id 0. */
	b = hand_op("5e", env9, elen9, &len);
	assert_int_equal(roster_op_decode(b, len, &op), BAL_EPROTO);
	free(b);
	assert_int_equal(roster_encode_rotate(env9, elen9, &b, &len),
	    BAL_EINVAL);
	/* Not an envelope at all. */
	assert_int_equal(roster_encode_rotate(sig, 10, &b, &len), BAL_EINVAL);
	/* Encoders check names and sizes. */
	memset(sig, 1, sizeof(sig));
	memset(big, 'a', sizeof(big));
	big[ROSTER_NAME_MAX + 1] = '\0';
	assert_int_equal(roster_encode_add(pk(w, A), (char *)big, sig, NULL,
	    NULL, 0, NULL, 0, &b, &len), BAL_EINVAL);
	big[ROSTER_NAME_MAX] = '\0';
	assert_int_equal(roster_encode_add(pk(w, A), (char *)big, sig, NULL,
	    NULL, 0, NULL, 0, &b, &len), 0);
	free(b);
	assert_int_equal(roster_encode_add(pk(w, A), "", sig, NULL, NULL, 0,
	    NULL, 0, &b, &len), BAL_EINVAL);
	assert_int_equal(roster_encode_add(pk(w, A), "tab\there", sig, NULL,
	    NULL, 0, NULL, 0, &b, &len), BAL_EINVAL);
	assert_int_equal(roster_encode_add(pk(w, A), "\xc3\x28", sig, NULL,
	    NULL, 0, NULL, 0, &b, &len), BAL_EINVAL);
	assert_int_equal(roster_encode_add(pk(w, A), "C1\xc2\x85", sig, NULL,
	    NULL, 0, NULL, 0, &b, &len), BAL_EINVAL);
	assert_int_equal(roster_encode_add(pk(w, A), "LS\xe2\x80\xa8x", sig,
	    NULL, NULL, 0, NULL, 0, &b, &len), BAL_EINVAL);
	assert_int_equal(roster_encode_add(pk(w, A), "Jos\xc3\xa9\xc2\xa0M",
	    sig, NULL, NULL, 0, NULL, 0, &b, &len), 0);
	free(b);
	assert_int_equal(roster_encode_add(pk(w, A), "Ok", sig, NULL, NULL, 0,
	    sig, 20, &b, &len), BAL_EINVAL);	/* history is garbage */
	{
		uint8_t *huge = calloc(1, ROSTER_CONTRACT_MAX + 1);

		assert_int_equal(roster_encode_create(huge,
		    ROSTER_CONTRACT_MAX + 1, "Lea", env, elen, &b, &len),
		    BAL_ETOOBIG);
		assert_int_equal(roster_encode_amend(huge,
		    ROSTER_CONTRACT_MAX + 1, sig, &b, &len), BAL_ETOOBIG);
		assert_int_equal(roster_encode_create(huge,
		    ROSTER_CONTRACT_MAX, "Lea", env, elen, &b, &len), 0);
		assert_int_equal(roster_op_decode(b, len, &op), 0);
		roster_op_free(op);
		free(b);
		assert_int_equal(roster_encode_create(huge, 0, "Lea", env,
		    elen, &b, &len), BAL_EINVAL);
		assert_int_equal(roster_op_decode(huge, ROSTER_BODY_MAX + 1,
		    &op), BAL_ETOOBIG);
		free(huge);
	}
	/* Random bytes never decode. */
	for (i = 0; i < 3000; i++) {
		size_t n = 1 + (size_t)(xs(&s) % sizeof(rnd)), k;

		for (k = 0; k < n; k++)
			rnd[k] = (uint8_t)xs(&s);
		if (i % 3 == 0)
			rnd[0] = 0x92 + (i % 6);
		if (i % 3 == 1 && n > 1)
			rnd[1] = (uint8_t)(1 + i % 6);
		assert_int_not_equal(roster_op_decode(rnd, n, &op), 0);
	}

	/* In a fold, garbage bodies are reported and change nothing. */
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, A, NULL, BIT(L1) | BIT(A));
	memset(junk, 0, sizeof(junk));
	for (i = 0; i < 3; i++) {
		memcpy(junk[i].author, pk(w, L1), 32);
		junk[i].seq = 10 + i;
		junk[i].lamport = 3;
		memset(junk[i].entry_id, 0xa0 + (int)i, 32);
		junk[i].body = rnd;
		junk[i].body_len = i == 0 ? 0 : 5 * i;
	}
	junk[0].body = NULL;
	memcpy(&w->in[w->n], junk, sizeof(junk));
	assert_int_equal(fold_in(w, w->in, w->n + 3, BIT(L1), NULL, &r), 0);
	assert_int_equal(r->nrejected, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(r->rejected[i].reason, ROSTER_R_MALFORMED);
	assert_int_equal(r->nmembers, 2);
	roster_free(r);
	free(env);
	free(env9);
	epoch_key_free(key);
	epoch_key_free(key9);
	world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_roundtrip),
		cmocka_unit_test(test_op_tamper_truncate),
		cmocka_unit_test(test_op_garbage),
	};

	return cmocka_run_group_tests(tests, roster_setup, NULL);
}
