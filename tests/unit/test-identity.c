/* test-identity.c — member keys, sealed key files, member ids, fingerprints. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "identity.h"

#define OPS crypto_pwhash_OPSLIMIT_MIN
#define MEM crypto_pwhash_MEMLIMIT_MIN

static struct identity *
seeded(uint8_t b)
{
	uint8_t seed[32];
	struct identity *id;

	memset(seed, b, sizeof(seed));
	assert_int_equal(identity_from_seed(seed, &id), 0);
	return id;
}

static void
test_seal_roundtrip(void **state)
{
	struct identity *id = seeded(1), *back;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(identity_seal(id, "correct horse", 13, OPS, MEM, NULL,
	    &buf, &len), 0);
	assert_true(identity_sealed_is_protected(buf, len));
	/* The seed must not appear in the sealed bytes. */
	assert_null(memmem(buf, len, id->sk, 32));
	assert_int_equal(identity_unseal(buf, len, "correct horse", 13, &back), 0);
	assert_memory_equal(back->pk, id->pk, 32);
	assert_memory_equal(back->sk, id->sk, 64);
	identity_free(back);
	free(buf);
	identity_free(id);
}

static void
test_wrong_passphrase(void **state)
{
	struct identity *id = seeded(2), *back = (struct identity *)1;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(identity_seal(id, "right", 5, OPS, MEM, NULL, &buf,
	    &len), 0);
	assert_int_equal(identity_unseal(buf, len, "wrong", 5, &back),
	    BAL_ECRYPTO);
	assert_null(back);
	assert_int_equal(identity_unseal(buf, len, NULL, 0, &back), BAL_ECRYPTO);
	free(buf);
	identity_free(id);
}

static void
test_unprotected(void **state)
{
	struct identity *id = seeded(3), *back;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(identity_seal(id, NULL, 0, 0, 0, NULL, &buf, &len), 0);
	assert_false(identity_sealed_is_protected(buf, len));
	assert_int_equal(identity_unseal(buf, len, NULL, 0, &back), 0);
	assert_memory_equal(back->sk, id->sk, 64);
	identity_free(back);
	free(buf);
	identity_free(id);
}

static void
test_sealed_tamper_every_byte(void **state)
{
	struct identity *id = seeded(4), *back;
	uint8_t *buf;
	size_t len, i;

	(void)state;
	assert_int_equal(identity_seal(id, "pw", 2, OPS, MEM, NULL, &buf,
	    &len), 0);
	for (i = 0; i < len; i++) {
		buf[i] ^= 0x01;
		/* A cost flip may still derive: then the box must fail. */
		assert_int_not_equal(identity_unseal(buf, len, "pw", 2, &back), 0);
		assert_null(back);
		buf[i] ^= 0x01;
	}
	free(buf);
	identity_free(id);
}

static void
test_sealed_truncated(void **state)
{
	struct identity *id = seeded(5), *back;
	uint8_t *buf;
	size_t len, i;

	(void)state;
	assert_int_equal(identity_seal(id, NULL, 0, 0, 0, NULL, &buf, &len), 0);
	for (i = 0; i < len; i++)
		assert_int_not_equal(identity_unseal(buf, i, NULL, 0, &back), 0);
	free(buf);
	identity_free(id);
}

static void
test_sealed_garbage(void **state)
{
	uint8_t junk[256];
	struct identity *back;
	uint32_t x = 12345;
	size_t i, n;

	(void)state;
	for (n = 0; n < 2000; n++) {
		for (i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (uint8_t)(x >> 16);
		}
		assert_int_not_equal(identity_unseal(junk, 1 + n % sizeof(junk),
		    NULL, 0, &back), 0);
	}
}

static void
test_seal_refuses_bad_costs(void **state)
{
	struct identity *id = seeded(6);
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(identity_seal(id, "pw", 2, 0, MEM, NULL, &buf, &len),
	    BAL_EINVAL);
	assert_int_equal(identity_seal(id, "pw", 2, OPS, (size_t)1 << 40, NULL,
	    &buf, &len), BAL_EINVAL);
	identity_free(id);
}

static void
test_member_id_roundtrip(void **state)
{
	struct identity *id = seeded(7);
	char text[IDENTITY_ID_TEXT_BYTES], spaced[80];
	uint8_t pk[32];
	size_t i, o = 0;

	(void)state;
	identity_id_encode(id->pk, text);
	assert_int_equal(strlen(text), IDENTITY_ID_TEXT_BYTES - 1);
	assert_int_equal(identity_id_decode(text, pk), 0);
	assert_memory_equal(pk, id->pk, 32);
	/* Upper case, spaces and dashes are tolerated. */
	for (i = 0; text[i] != '\0'; i++) {
		if (i > 0 && i % 5 == 0)
			spaced[o++] = i % 10 == 0 ? ' ' : '-';
		spaced[o++] = (char)(text[i] >= 'a' && text[i] <= 'z' ?
		    text[i] - 'a' + 'A' : text[i]);
	}
	spaced[o] = '\0';
	assert_int_equal(identity_id_decode(spaced, pk), 0);
	assert_memory_equal(pk, id->pk, 32);
	identity_free(id);
}

static void
test_member_id_typo_caught(void **state)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	struct identity *id = seeded(8);
	char text[IDENTITY_ID_TEXT_BYTES];
	uint8_t pk[32];
	size_t i, k, caught = 0, tries = 0;

	(void)state;
	identity_id_encode(id->pk, text);
	/* Every single-character substitution after the prefix. */
	for (i = 2; text[i] != '\0'; i++) {
		char orig = text[i];

		for (k = 0; k < 32; k++) {
			if (alphabet[k] == orig)
				continue;
			text[i] = alphabet[k];
			tries++;
			if (identity_id_decode(text, pk) != 0)
				caught++;
			text[i] = orig;
		}
	}
	assert_int_equal(caught, tries);
	/* A swapped pair, a dropped and a doubled character. */
	text[10] ^= text[11], text[11] ^= text[10], text[10] ^= text[11];
	if (text[10] != text[11])
		assert_int_not_equal(identity_id_decode(text, pk), 0);
	identity_id_encode(id->pk, text);
	text[20] = '\0';
	assert_int_equal(identity_id_decode(text, pk), BAL_EPROTO);
	assert_int_equal(identity_id_decode("bm!!", pk), BAL_EPROTO);
	assert_int_equal(identity_id_decode("", pk), BAL_EPROTO);
	identity_free(id);
}

static void
test_fingerprint(void **state)
{
	struct identity *a = seeded(9), *b = seeded(10);
	char fa[IDENTITY_FPR_TEXT_BYTES], fa2[IDENTITY_FPR_TEXT_BYTES];
	char fb[IDENTITY_FPR_TEXT_BYTES];
	size_t i;

	(void)state;
	identity_fingerprint(a->pk, fa);
	identity_fingerprint(a->pk, fa2);
	identity_fingerprint(b->pk, fb);
	assert_string_equal(fa, fa2);
	assert_string_not_equal(fa, fb);
	assert_int_equal(strlen(fa), 24);
	for (i = 0; i < 24; i++)
		assert_true(i % 5 == 4 ? fa[i] == ' ' :
		    (fa[i] >= '0' && fa[i] <= '9'));
	identity_free(a);
	identity_free(b);
}

static void
test_sign_domain_separated(void **state)
{
	struct identity *a = seeded(11), *b = seeded(12);
	const uint8_t msg[] = "header";
	uint8_t sig[64];

	(void)state;
	assert_int_equal(identity_sign(a, "balint-test-v1", msg, 6, sig), 0);
	assert_int_equal(identity_verify(a->pk, "balint-test-v1", msg, 6, sig), 0);
	assert_int_equal(identity_verify(a->pk, "balint-other-v1", msg, 6, sig),
	    BAL_ECRYPTO);
	assert_int_equal(identity_verify(b->pk, "balint-test-v1", msg, 6, sig),
	    BAL_ECRYPTO);
	sig[0] ^= 1;
	assert_int_equal(identity_verify(a->pk, "balint-test-v1", msg, 6, sig),
	    BAL_ECRYPTO);
	identity_free(a);
	identity_free(b);
}

static void
test_x25519_agree(void **state)
{
	struct identity *a = seeded(13), *b = seeded(14);
	uint8_t apk[32], bpk[32], ask[32], bsk[32], s1[32], s2[32];

	(void)state;
	assert_int_equal(identity_x25519_pk(a->pk, apk), 0);
	assert_int_equal(identity_x25519_pk(b->pk, bpk), 0);
	assert_int_equal(identity_x25519_sk(a, ask), 0);
	assert_int_equal(identity_x25519_sk(b, bsk), 0);
	assert_int_equal(crypto_scalarmult(s1, ask, bpk), 0);
	assert_int_equal(crypto_scalarmult(s2, bsk, apk), 0);
	assert_memory_equal(s1, s2, 32);
	identity_free(a);
	identity_free(b);
}

static void
test_generate_uses_rng(void **state)
{
	struct identity *a, *b, *c;

	(void)state;
	assert_int_equal(identity_generate(NULL, &a), 0);
	assert_int_equal(identity_generate(NULL, &b), 0);
	assert_memory_not_equal(a->pk, b->pk, 32);
	c = seeded(0);
	identity_free(a);
	identity_free(b);
	identity_free(c);
	identity_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_roundtrip),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_unprotected),
		cmocka_unit_test(test_sealed_tamper_every_byte),
		cmocka_unit_test(test_sealed_truncated),
		cmocka_unit_test(test_sealed_garbage),
		cmocka_unit_test(test_seal_refuses_bad_costs),
		cmocka_unit_test(test_member_id_roundtrip),
		cmocka_unit_test(test_member_id_typo_caught),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_sign_domain_separated),
		cmocka_unit_test(test_x25519_agree),
		cmocka_unit_test(test_generate_uses_rng),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
