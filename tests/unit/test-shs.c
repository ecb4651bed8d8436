/* test-shs.c — the Secret Handshake state machine and network keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "identity.h"
#include "shs.h"

/* The four messages of one handshake, in order. */
struct transcript {
	uint8_t m[4][SHS_MSG_MAX];
};
static const size_t msg_len[4] = {
	SHS_HELLO_BYTES, SHS_HELLO_BYTES, SHS_AUTH_BYTES, SHS_ACCEPT_BYTES
};

/* A deterministic random source: ChaCha20 keystream of a seed. */
struct seq_rng {
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	uint64_t ctr;
};

static void
seq_fill(void *ctx, void *buf, size_t len)
{
	struct seq_rng *r = ctx;
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = { 0 };
	uint64_t c = r->ctr++;
	size_t i;

	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(c >> (8 * i));
	crypto_stream_chacha20(buf, len, nonce, r->key);
}

static void
seq_init(struct seq_rng *r, struct bal_rng *rng, uint8_t b)
{
	memset(r, 0, sizeof(*r));
	memset(r->key, b, sizeof(r->key));
	rng->fill = seq_fill;
	rng->ctx = r;
}

/* A random source that hands out one fixed 32-byte value (test vectors). */
static void
fixed_fill(void *ctx, void *buf, size_t len)
{
	assert_int_equal(len, 32);
	memcpy(buf, ctx, len);
}

static void
hex(const char *h, uint8_t *out, size_t len)
{
	size_t n;

	assert_int_equal(sodium_hex2bin(out, len, h, strlen(h), NULL, &n,
	    NULL), 0);
	assert_int_equal(n, len);
}

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
netkey(uint8_t k[32], uint8_t b)
{
	memset(k, b, 32);
}

/* The fixture of most tests: client 1 (Alice), server 2 (Bob), key 7. */
struct pair {
	struct identity *alice, *bob;
	uint8_t k[32];
	struct seq_rng cr, sr;
	struct bal_rng crng, srng;
	struct shs *c, *s;
};

static void
pair_open(struct pair *p, uint8_t cseed, uint8_t sseed)
{
	memset(p, 0, sizeof(*p));
	p->alice = seeded(1);
	p->bob = seeded(2);
	netkey(p->k, 7);
	seq_init(&p->cr, &p->crng, cseed);
	seq_init(&p->sr, &p->srng, sseed);
	assert_int_equal(shs_client_new(p->k, p->alice, p->bob->pk, &p->crng,
	    &p->c), 0);
	assert_int_equal(shs_server_new(p->k, p->bob, &p->srng, &p->s), 0);
}

static void
pair_close(struct pair *p)
{
	shs_free(p->c);
	shs_free(p->s);
	identity_free(p->alice);
	identity_free(p->bob);
}

/*
 * Runs the handshake between c and s, recording the messages into t (may
 * be NULL); tamper, if not NULL, is applied to message number tmsg before
 * it is delivered.  Returns the first error, 0 on success; *who says which
 * step failed (0..3: the receiver of message who; 4: none).
 */
static int
run(struct shs *c, struct shs *s, struct transcript *t, int tmsg,
    void (*tamper)(uint8_t *, size_t, void *), void *targ, int *who)
{
	struct transcript local;
	uint8_t buf[SHS_MSG_MAX];
	size_t len;
	int i, ret;
	struct shs *recv;

	if (t == NULL)
		t = &local;
	*who = -1;
	len = sizeof(buf);
	if ((ret = shs_step(c, NULL, 0, t->m[0], &len)) != 0)
		return ret;
	assert_int_equal(len, msg_len[0]);
	for (i = 0; i < 4; i++) {
		memcpy(buf, t->m[i], msg_len[i]);
		if (tamper != NULL && i == tmsg)
			tamper(buf, msg_len[i], targ);
		recv = (i % 2 == 0) ? s : c;
		assert_int_equal(shs_expect(recv), msg_len[i]);
		len = i < 3 ? sizeof(t->m[i + 1]) : 0;
		ret = shs_step(recv, buf, msg_len[i], i < 3 ? t->m[i + 1] :
		    NULL, &len);
		if (ret != 0) {
			*who = i;
			assert_int_equal(len, 0);
			return ret;
		}
		assert_int_equal(len, i < 3 ? msg_len[i + 1] : 0);
	}
	*who = 4;
	return 0;
}

/* The session failed for good: nothing more happens. */
static void
assert_dead(struct shs *x)
{
	uint8_t buf[SHS_MSG_MAX] = { 0 };
	size_t len = sizeof(buf);

	assert_false(shs_done(x));
	assert_null(shs_result(x));
	assert_int_equal(shs_expect(x), 0);
	assert_int_equal(shs_step(x, buf, 64, buf, &len), BAL_ESTATE);
	assert_int_equal(len, 0);
	len = sizeof(buf);
	assert_int_equal(shs_step(x, NULL, 0, buf, &len), BAL_ESTATE);
	assert_int_equal(len, 0);
}

/*
 * Known answer: the handshake recorded from the reference JavaScript
 * implementation (npm test-secret-handshake, data.json: the first
 * successful session), replayed through both of our roles.
 */
static void
test_known_answer(void **state)
{
	uint8_t k[32], aseed[32], bseed[32], aeph[32], beph[32], apk[32],
	    bpk[32];
	uint8_t want[4][SHS_MSG_MAX], buf[SHS_MSG_MAX];
	uint8_t enc[32], dec[32], encn[24], decn[24], c2s[32], s2c[32];
	struct identity *alice, *bob;
	struct bal_rng crng = { fixed_fill, aeph }, srng = { fixed_fill, beph };
	struct shs *c, *s;
	const struct shs_result *cr, *sr;
	size_t len;

	(void)state;
	hex("291356d28154da68e8a9ee4fed71497c0a67d121a41b544d7a6157e76e0df5bc",
	    k, 32);
	hex("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90",
	    aseed, 32);
	hex("d5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4",
	    apk, 32);
	hex("81b637d8fcd2c6da6359e6963113a1170de795e4b725b84d1e0b4cfd9ec58ce9",
	    bseed, 32);
	hex("ecc1b58727f3f12b3194881a9ecb9de0b28ce7b207230d8e930fe1bce75e256c",
	    bpk, 32);
	hex("3886cd3e87ce98aa0e68da9ad04fb5b7b9089cc8a6705bc83cb507e69419a95b",
	    aeph, 32);
	hex("58be5dc9fd64fc4e476035c9870af05ee32c5f1de6e28ea708b267f9e6315b41",
	    beph, 32);
	hex("9e0986a9df0d04dc9884a58aa9f68cbd1690d0140a602d1ad4ba5599c4205596"
	    "0b6ea52868f0cbbac2deba8bb0fc1a1251d5aa80bc4fa85d8143571abc458752",
	    want[0], 64);
	hex("a7efd4c608bf19b20ceccee3af33d2df9fdc6dec05f11a383259875f9cf2e995"
	    "7924d8b4cc7ddc4c5414cdafa1da6bbe1d6f5051644b8e5bec8feacde708b343",
	    want[1], 64);
	hex("ae275d3a4d2dcaf857e67b101b46d30c5970229afd4f0e109dd48313e2b79754"
	    "6e8654269461247e4a328ca91f69343a2ab4168dbb8cd10107131663ccb5b3d6"
	    "a33295fa6b9575eac28a42ea7e40764cd9e0c24a99da19b484dfbe3f2e5d8bf5"
	    "0aa5dc80238c54bd212dc91bce3be8f0", want[2], 112);
	hex("e65dda80039b9a18f021663c387afc259bf41543f4daae6b1a9e80e499b83eb7"
	    "cd6af630647a472bc05351a4a98bab741664dd3082a183f3fc5c9ebaf735cd0c"
	    "58230a269518059ff7289fcf5c205928", want[3], 80);
	/* The client's box-stream keys (the server's are swapped). */
	hex("4f7153c9c56be7e6ff516e421c229351aebd23422a21d32ae8f0131cc2814722",
	    enc, 32);
	hex("e8f22683b27dd0401d48579f12592473502f23ba862d40d4ddc1b4485899f178",
	    dec, 32);
	hex("a7efd4c608bf19b20ceccee3af33d2df9fdc6dec05f11a38", encn, 24);
	hex("9e0986a9df0d04dc9884a58aa9f68cbd1690d0140a602d1a", decn, 24);
	/* balint's transport keys, computed with Python's hashlib.blake2b. */
	hex("43296608c5d985da9c657727c1eb8f4b2a51b4051cac02b435f27b82c8b986e6",
	    c2s, 32);
	hex("452ce1cdab14308577fbfd4530edbcad1df3e337a446edd12aa99ad61d1d9a9f",
	    s2c, 32);

	assert_int_equal(identity_from_seed(aseed, &alice), 0);
	assert_int_equal(identity_from_seed(bseed, &bob), 0);
	assert_memory_equal(alice->pk, apk, 32);
	assert_memory_equal(bob->pk, bpk, 32);
	assert_int_equal(shs_client_new(k, alice, bpk, &crng, &c), 0);
	assert_int_equal(shs_server_new(k, bob, &srng, &s), 0);

	len = sizeof(buf);
	assert_int_equal(shs_step(c, NULL, 0, buf, &len), 0);
	assert_int_equal(len, 64);
	assert_memory_equal(buf, want[0], 64);
	len = sizeof(buf);
	assert_int_equal(shs_step(s, want[0], 64, buf, &len), 0);
	assert_int_equal(len, 64);
	assert_memory_equal(buf, want[1], 64);
	len = sizeof(buf);
	assert_int_equal(shs_step(c, want[1], 64, buf, &len), 0);
	assert_int_equal(len, 112);
	assert_memory_equal(buf, want[2], 112);
	len = sizeof(buf);
	assert_int_equal(shs_step(s, want[2], 112, buf, &len), 0);
	assert_int_equal(len, 80);
	assert_memory_equal(buf, want[3], 80);
	len = 0;
	assert_int_equal(shs_step(c, want[3], 80, NULL, &len), 0);
	assert_int_equal(len, 0);

	assert_non_null(cr = shs_result(c));
	assert_non_null(sr = shs_result(s));
	assert_memory_equal(cr->remote_pk, bpk, 32);
	assert_memory_equal(sr->remote_pk, apk, 32);
	assert_memory_equal(cr->enc_key, enc, 32);
	assert_memory_equal(cr->dec_key, dec, 32);
	assert_memory_equal(cr->enc_nonce, encn, 24);
	assert_memory_equal(cr->dec_nonce, decn, 24);
	assert_memory_equal(sr->enc_key, dec, 32);
	assert_memory_equal(sr->dec_key, enc, 32);
	assert_memory_equal(sr->enc_nonce, decn, 24);
	assert_memory_equal(sr->dec_nonce, encn, 24);
	assert_memory_equal(cr->c2s_key, c2s, 32);
	assert_memory_equal(cr->s2c_key, s2c, 32);
	assert_memory_equal(sr->c2s_key, c2s, 32);
	assert_memory_equal(sr->s2c_key, s2c, 32);
	shs_free(c);
	shs_free(s);
	identity_free(alice);
	identity_free(bob);
}

/* Both sides agree on identities and keys; directions are independent. */
static void
test_roundtrip(void **state)
{
	struct pair p;
	const struct shs_result *cr, *sr;
	uint8_t old_tie[SHS_TIE_BYTES];
	int who;

	(void)state;
	pair_open(&p, 10, 20);
	assert_int_equal(shs_expect(p.c), 0);
	assert_int_equal(shs_expect(p.s), SHS_HELLO_BYTES);
	assert_int_equal(run(p.c, p.s, NULL, -1, NULL, NULL, &who), 0);
	assert_true(shs_done(p.c));
	assert_true(shs_done(p.s));
	assert_int_equal(shs_expect(p.c), 0);
	assert_non_null(cr = shs_result(p.c));
	assert_non_null(sr = shs_result(p.s));
	assert_int_equal(cr->is_client, 1);
	assert_int_equal(sr->is_client, 0);
	assert_int_equal(sr->key_index, 0);
	assert_memory_equal(cr->remote_pk, p.bob->pk, 32);
	assert_memory_equal(sr->remote_pk, p.alice->pk, 32);
	assert_memory_equal(cr->c2s_key, sr->c2s_key, 32);
	assert_memory_equal(cr->s2c_key, sr->s2c_key, 32);
	assert_memory_not_equal(cr->c2s_key, cr->s2c_key, 32);
	assert_memory_equal(cr->enc_key, sr->dec_key, 32);
	assert_memory_equal(cr->dec_key, sr->enc_key, 32);
	assert_memory_equal(cr->enc_nonce, sr->dec_nonce, 24);
	assert_memory_equal(cr->dec_nonce, sr->enc_nonce, 24);
	assert_memory_not_equal(cr->enc_key, cr->dec_key, 32);
	/* The transport keys are not the box-stream keys themselves. */
	assert_memory_not_equal(cr->c2s_key, cr->enc_key, 32);
	assert_memory_not_equal(cr->s2c_key, cr->dec_key, 32);
	/* The tie: shared, and no function of a transport key's (v1's was). */
	assert_memory_equal(cr->tie, sr->tie, SHS_TIE_BYTES);
	crypto_generichash(old_tie, sizeof(old_tie),
	    (const uint8_t *)"balint-session-tie-v1", 21, cr->c2s_key, 32);
	assert_memory_not_equal(cr->tie, old_tie, SHS_TIE_BYTES);
	assert_memory_not_equal(cr->tie, cr->c2s_key, SHS_TIE_BYTES);
	assert_memory_not_equal(cr->tie, cr->s2c_key, SHS_TIE_BYTES);
	pair_close(&p);
}

/* A member talking to itself (same key both ends) still gets two keys. */
static void
test_same_identity(void **state)
{
	struct identity *a = seeded(1);
	uint8_t k[32];
	struct shs *c, *s;
	const struct shs_result *cr, *sr;
	int who;

	(void)state;
	netkey(k, 3);
	assert_int_equal(shs_client_new(k, a, a->pk, NULL, &c), 0);
	assert_int_equal(shs_server_new(k, a, NULL, &s), 0);
	assert_int_equal(run(c, s, NULL, -1, NULL, NULL, &who), 0);
	cr = shs_result(c);
	sr = shs_result(s);
	assert_memory_equal(cr->c2s_key, sr->c2s_key, 32);
	assert_memory_equal(cr->s2c_key, sr->s2c_key, 32);
	assert_memory_not_equal(cr->c2s_key, cr->s2c_key, 32);
	shs_free(c);
	shs_free(s);
	identity_free(a);
}

/* Without the network key the client gets no byte back. */
static void
test_wrong_network_key(void **state)
{
	struct identity *alice = seeded(1), *bob = seeded(2);
	uint8_t k1[32], k2[32], hello[64], buf[SHS_MSG_MAX];
	struct shs *c, *s;
	size_t len;

	(void)state;
	netkey(k1, 7);
	netkey(k2, 8);
	assert_int_equal(shs_client_new(k1, alice, bob->pk, NULL, &c), 0);
	assert_int_equal(shs_server_new(k2, bob, NULL, &s), 0);
	len = sizeof(hello);
	assert_int_equal(shs_step(c, NULL, 0, hello, &len), 0);
	memset(buf, 0xa5, sizeof(buf));
	len = sizeof(buf);
	assert_int_equal(shs_step(s, hello, 64, buf, &len), BAL_ECRYPTO);
	assert_int_equal(len, 0);
	assert_dead(s);
	shs_free(c);
	shs_free(s);
	identity_free(alice);
	identity_free(bob);
}

/* A server that knows several keys accepts each and says which. */
static void
test_multi_key_server(void **state)
{
	struct identity *alice = seeded(1), *bob = seeded(2);
	uint8_t keys[3 * 32], other[32];
	struct shs *c, *s;
	size_t i;
	int who;

	(void)state;
	for (i = 0; i < 3; i++)
		netkey(keys + 32 * i, (uint8_t)(40 + i));
	for (i = 0; i < 3; i++) {
		assert_int_equal(shs_client_new(keys + 32 * i, alice, bob->pk,
		    NULL, &c), 0);
		assert_int_equal(shs_server_new_multi(keys, 3, bob, NULL, &s),
		    0);
		assert_int_equal(run(c, s, NULL, -1, NULL, NULL, &who), 0);
		assert_int_equal(shs_result(s)->key_index, i);
		assert_int_equal(shs_result(c)->key_index, 0);
		assert_memory_equal(shs_result(c)->c2s_key,
		    shs_result(s)->c2s_key, 32);
		shs_free(c);
		shs_free(s);
	}
	netkey(other, 43);
	assert_int_equal(shs_client_new(other, alice, bob->pk, NULL, &c), 0);
	assert_int_equal(shs_server_new_multi(keys, 3, bob, NULL, &s), 0);
	assert_int_equal(run(c, s, NULL, -1, NULL, NULL, &who), BAL_ECRYPTO);
	assert_int_equal(who, 0);
	assert_dead(s);
	shs_free(c);
	shs_free(s);
	/* Key counts out of range. */
	assert_int_equal(shs_server_new_multi(keys, 0, bob, NULL, &s),
	    BAL_EINVAL);
	assert_null(s);
	assert_int_equal(shs_server_new_multi(keys, SHS_NETWORK_KEYS_MAX + 1,
	    bob, NULL, &s), BAL_EINVAL);
	assert_null(s);
	identity_free(alice);
	identity_free(bob);
}

/* A client that expects another server is refused at the client auth. */
static void
test_wrong_server_pk(void **state)
{
	struct identity *alice = seeded(1), *bob = seeded(2);
	struct identity *carol = seeded(3);
	uint8_t k[32];
	struct shs *c, *s;
	int who;

	(void)state;
	netkey(k, 7);
	/* Alice dials Carol's key but reaches Bob. */
	assert_int_equal(shs_client_new(k, alice, carol->pk, NULL, &c), 0);
	assert_int_equal(shs_server_new(k, bob, NULL, &s), 0);
	assert_int_equal(run(c, s, NULL, -1, NULL, NULL, &who), BAL_ECRYPTO);
	/* Bob cannot open the client auth, so there is no accept. */
	assert_int_equal(who, 2);
	assert_dead(s);
	assert_false(shs_done(c));
	shs_free(c);
	shs_free(s);
	identity_free(alice);
	identity_free(bob);
	identity_free(carol);
}

struct flip {
	size_t byte;
	uint8_t mask;
};

static void
flip_byte(uint8_t *buf, size_t len, void *arg)
{
	struct flip *f = arg;

	assert_true(f->byte < len);
	buf[f->byte] ^= f->mask;
}

/* Any single flipped byte in any of the four messages ends the handshake. */
static void
test_tamper_every_byte(void **state)
{
	struct pair p;
	struct flip f;
	int m, who;
	static const uint8_t masks[2] = { 0x01, 0x80 };
	size_t mi;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (f.byte = 0; f.byte < msg_len[m]; f.byte++) {
			for (mi = 0; mi < 2; mi++) {
				f.mask = masks[mi];
				pair_open(&p, 10, 20);
				assert_int_equal(run(p.c, p.s, NULL, m,
				    flip_byte, &f, &who), BAL_ECRYPTO);
				assert_int_equal(who, m);
				assert_dead(m % 2 == 0 ? p.s : p.c);
				assert_false(shs_done(p.c));
				pair_close(&p);
			}
		}
	}
}

/* Messages recorded from one session fail in a new one. */
static void
test_replay(void **state)
{
	struct pair p, q;
	struct transcript t;
	uint8_t buf[SHS_MSG_MAX];
	size_t len;
	int who;

	(void)state;
	pair_open(&p, 10, 20);
	assert_int_equal(run(p.c, p.s, &t, -1, NULL, NULL, &who), 0);

	/*
	 * A recorded client hello still carries a valid HMAC, so a new server
	 * answers it (with its fresh ephemeral key, revealing no identity);
	 * the recorded client auth then fails.
	 */
	pair_open(&q, 11, 21);
	len = sizeof(buf);
	assert_int_equal(shs_step(q.s, t.m[0], 64, buf, &len), 0);
	assert_int_equal(len, 64);
	assert_memory_not_equal(buf, t.m[1], 64);
	len = sizeof(buf);
	assert_int_equal(shs_step(q.s, t.m[2], 112, buf, &len), BAL_ECRYPTO);
	assert_int_equal(len, 0);
	assert_dead(q.s);

	/* A recorded server hello and accept against a new client. */
	len = sizeof(buf);
	assert_int_equal(shs_step(q.c, NULL, 0, buf, &len), 0);
	len = sizeof(buf);
	assert_int_equal(shs_step(q.c, t.m[1], 64, buf, &len), 0);
	len = sizeof(buf);
	assert_int_equal(shs_step(q.c, t.m[3], 80, buf, &len), BAL_ECRYPTO);
	assert_int_equal(len, 0);
	assert_dead(q.c);
	pair_close(&q);

	/* The same session fed its own messages again is out of order. */
	len = sizeof(buf);
	assert_int_equal(shs_step(p.s, t.m[0], 64, buf, &len), BAL_ESTATE);
	assert_true(shs_done(p.s));
	pair_close(&p);
}

/* Brings the receiver of message m to the point where it expects m. */
static void
advance(struct pair *p, int m, struct transcript *t)
{
	uint8_t buf[SHS_MSG_MAX];
	size_t len;
	int i;

	len = sizeof(buf);
	assert_int_equal(shs_step(p->c, NULL, 0, t->m[0], &len), 0);
	for (i = 0; i < m; i++) {
		len = sizeof(buf);
		assert_int_equal(shs_step(i % 2 == 0 ? p->s : p->c, t->m[i],
		    msg_len[i], t->m[i + 1], &len), 0);
	}
}

/* Every wrong length of every message is refused. */
static void
test_truncated_and_overlong(void **state)
{
	struct pair p;
	struct transcript t;
	uint8_t in[SHS_MSG_MAX + 1], buf[SHS_MSG_MAX];
	struct shs *recv;
	size_t len, l;
	int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (l = 0; l <= msg_len[m] + 1; l++) {
			if (l == msg_len[m])
				continue;
			pair_open(&p, 10, 20);
			advance(&p, m, &t);
			memset(in, 0, sizeof(in));
			memcpy(in, t.m[m], msg_len[m]);
			recv = m % 2 == 0 ? p.s : p.c;
			len = sizeof(buf);
			assert_int_equal(shs_step(recv, in, l, buf, &len),
			    BAL_EPROTO);
			assert_int_equal(len, 0);
			assert_dead(recv);
			pair_close(&p);
		}
	}
}

/* Steps in the wrong order, or bad arguments, end the session. */
static void
test_out_of_order(void **state)
{
	struct pair p;
	uint8_t hello[64], buf[SHS_MSG_MAX];
	size_t len;
	int who;

	(void)state;
	/* The client's first step takes no input. */
	pair_open(&p, 10, 20);
	memset(hello, 1, sizeof(hello));
	len = sizeof(buf);
	assert_int_equal(shs_step(p.c, hello, 64, buf, &len), BAL_ESTATE);
	assert_int_equal(len, 0);
	assert_dead(p.c);
	/* The server's first step needs the client hello. */
	len = sizeof(buf);
	assert_int_equal(shs_step(p.s, NULL, 0, buf, &len), BAL_ESTATE);
	assert_dead(p.s);
	pair_close(&p);

	/* The client's second step needs the server hello. */
	pair_open(&p, 10, 20);
	len = sizeof(buf);
	assert_int_equal(shs_step(p.c, NULL, 0, hello, &len), 0);
	assert_null(shs_result(p.c));
	len = sizeof(buf);
	assert_int_equal(shs_step(p.c, NULL, 0, buf, &len), BAL_ESTATE);
	assert_dead(p.c);
	/* A client auth where the server expects a hello. */
	memset(buf, 0, sizeof(buf));
	len = sizeof(buf);
	assert_int_equal(shs_step(p.s, buf, SHS_AUTH_BYTES, buf, &len),
	    BAL_EPROTO);
	assert_dead(p.s);
	pair_close(&p);

	/* Output buffer too small for the message: refused, nothing written. */
	pair_open(&p, 10, 20);
	len = SHS_HELLO_BYTES - 1;
	assert_int_equal(shs_step(p.c, NULL, 0, buf, &len), BAL_EINVAL);
	assert_int_equal(len, 0);
	assert_dead(p.c);
	len = 1;
	assert_int_equal(shs_step(p.s, hello, 64, NULL, &len), BAL_EINVAL);
	assert_dead(p.s);
	pair_close(&p);

	/* After the end every step is out of order; the result stays. */
	pair_open(&p, 10, 20);
	assert_int_equal(run(p.c, p.s, NULL, -1, NULL, NULL, &who), 0);
	len = sizeof(buf);
	assert_int_equal(shs_step(p.c, NULL, 0, buf, &len), BAL_ESTATE);
	assert_int_equal(shs_step(p.s, hello, 64, buf, &len), BAL_ESTATE);
	assert_true(shs_done(p.c));
	assert_non_null(shs_result(p.s));
	pair_close(&p);

	/* NULL arguments. */
	len = sizeof(buf);
	assert_int_equal(shs_step(NULL, NULL, 0, buf, &len), BAL_EINVAL);
	assert_int_equal(shs_expect(NULL), 0);
	assert_false(shs_done(NULL));
	assert_null(shs_result(NULL));
	shs_free(NULL);
}

/* The same random source gives the same transcript and keys. */
static void
test_deterministic(void **state)
{
	struct pair p, q;
	struct transcript t1, t2;
	int who, i;

	(void)state;
	pair_open(&p, 10, 20);
	pair_open(&q, 10, 20);
	assert_int_equal(run(p.c, p.s, &t1, -1, NULL, NULL, &who), 0);
	assert_int_equal(run(q.c, q.s, &t2, -1, NULL, NULL, &who), 0);
	for (i = 0; i < 4; i++)
		assert_memory_equal(t1.m[i], t2.m[i], msg_len[i]);
	assert_memory_equal(shs_result(p.c)->c2s_key,
	    shs_result(q.c)->c2s_key, 32);
	pair_close(&p);
	pair_close(&q);

	/*
	 * Another client ephemeral key: every message but the server hello
	 * (which depends on the server's randomness only) changes.
	 */
	pair_open(&p, 10, 20);
	pair_open(&q, 12, 20);
	assert_int_equal(run(p.c, p.s, &t1, -1, NULL, NULL, &who), 0);
	assert_int_equal(run(q.c, q.s, &t2, -1, NULL, NULL, &who), 0);
	for (i = 0; i < 4; i++) {
		if (i == 1)
			assert_memory_equal(t1.m[i], t2.m[i], msg_len[i]);
		else
			assert_memory_not_equal(t1.m[i], t2.m[i], msg_len[i]);
	}
	assert_memory_not_equal(shs_result(p.c)->c2s_key,
	    shs_result(q.c)->c2s_key, 32);
	pair_close(&p);
	pair_close(&q);
}

/* Random bytes of any length at any step fail cleanly. */
static void
test_garbage(void **state)
{
	struct seq_rng gr;
	struct bal_rng grng;
	struct pair p;
	struct transcript t;
	uint8_t in[300], buf[SHS_MSG_MAX];
	size_t len, l;
	int m, i, ret;

	(void)state;
	seq_init(&gr, &grng, 99);
	for (i = 0; i < 200; i++) {
		for (m = 0; m < 4; m++) {
			pair_open(&p, 10, 20);
			advance(&p, m, &t);
			bal_random(&grng, in, sizeof(in));
			/* Half the time the right length, else any length. */
			l = (i % 2 == 0) ? msg_len[m] : in[0] + in[1] % 45;
			len = sizeof(buf);
			ret = shs_step(m % 2 == 0 ? p.s : p.c, in, l, buf,
			    &len);
			assert_int_equal(ret, l == msg_len[m] ? BAL_ECRYPTO :
			    BAL_EPROTO);
			assert_int_equal(len, 0);
			assert_dead(m % 2 == 0 ? p.s : p.c);
			pair_close(&p);
		}
	}
}

/*
 * A client holding the network key but sending a low-order ephemeral key
 * (here: zero) is refused, with no reply.
 */
static void
test_low_order_ephemeral(void **state)
{
	struct identity *bob = seeded(2);
	uint8_t k[32], hello[64], buf[SHS_MSG_MAX];
	struct shs *s;
	size_t len;

	(void)state;
	netkey(k, 7);
	memset(hello + 32, 0, 32);
	crypto_auth(hello, hello + 32, 32, k);
	assert_int_equal(shs_server_new(k, bob, NULL, &s), 0);
	len = sizeof(buf);
	assert_int_equal(shs_step(s, hello, 64, buf, &len), BAL_ECRYPTO);
	assert_int_equal(len, 0);
	assert_dead(s);
	shs_free(s);
	identity_free(bob);
}

/* Constructors check their arguments. */
static void
test_new_bad_args(void **state)
{
	struct identity *alice = seeded(1), *bob = seeded(2);
	uint8_t k[32], bad_pk[32];
	struct shs *s = (struct shs *)1;

	(void)state;
	netkey(k, 7);
	assert_int_equal(shs_client_new(NULL, alice, bob->pk, NULL, &s),
	    BAL_EINVAL);
	assert_null(s);
	assert_int_equal(shs_client_new(k, NULL, bob->pk, NULL, &s),
	    BAL_EINVAL);
	assert_int_equal(shs_client_new(k, alice, NULL, NULL, &s), BAL_EINVAL);
	assert_int_equal(shs_client_new(k, alice, bob->pk, NULL, NULL),
	    BAL_EINVAL);
	assert_int_equal(shs_server_new(NULL, bob, NULL, &s), BAL_EINVAL);
	assert_int_equal(shs_server_new(k, NULL, NULL, &s), BAL_EINVAL);
	/* A server key that is not a curve point is refused up front. */
	memset(bad_pk, 0xff, sizeof(bad_pk));
	assert_int_equal(shs_client_new(k, alice, bad_pk, NULL, &s),
	    BAL_ECRYPTO);
	assert_null(s);
	identity_free(alice);
	identity_free(bob);
}

/* The network keys: exact derivation, and every input matters. */
static void
test_network_keys(void **state)
{
	uint8_t ek[32], gid[32], out[32], out2[32], want[32], sub[32];
	uint8_t msg[23 + 32];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++) {
		ek[i] = (uint8_t)i;
		gid[i] = (uint8_t)(32 + i);
	}
	/*
	 * Vectors computed with Python's hashlib.blake2b(key=...); the kdf
	 * step as blake2b(b'', key=ek, salt=LE64(1) || 0^8,
	 * person=b'bal_netk' || 0^8).
	 */
	assert_int_equal(shs_network_key(ek, gid, out), 0);
	hex("ecc330096c8472cd2bf1354919a088aa63b792936d67f0c1352d1732ba2d0dbb",
	    want, 32);
	assert_memory_equal(out, want, 32);
	assert_int_equal(shs_invite_network_key(ek, gid, out2), 0);
	hex("51de6cbd5de1a2d0dc1d6d1506cab3ebafa93212ee7c33fb9457b0d4db67f820",
	    want, 32);
	assert_memory_equal(out2, want, 32);
	assert_memory_not_equal(out, out2, 32);

	/* The same, spelled out with crypto_kdf and crypto_generichash. */
	crypto_kdf_derive_from_key(sub, 32, 1, "bal_netk", ek);
	hex("0c9518326b4a6c32755de0d9aa2226b21bffccf17d9944287e6ae5fbec57efd1",
	    want, 32);
	assert_memory_equal(sub, want, 32);
	memcpy(msg, "balint-netkey-v2", 16);
	memcpy(msg + 16, gid, 32);
	crypto_generichash(want, 32, msg, 16 + 32, sub, 32);
	assert_memory_equal(out, want, 32);
	/* Not the epoch key itself: the old derivation gives another key. */
	crypto_generichash(want, 32, msg, 16 + 32, ek, 32);
	assert_memory_not_equal(out, want, 32);
	memcpy(msg, "balint-invite-netkey-v1", 23);
	memcpy(msg + 23, gid, 32);
	crypto_generichash(want, 32, msg, 23 + 32, ek, 32);
	assert_memory_equal(out2, want, 32);

	/* Another epoch or another group: another key. */
	ek[0] ^= 1;
	assert_int_equal(shs_network_key(ek, gid, out2), 0);
	assert_memory_not_equal(out, out2, 32);
	ek[0] ^= 1;
	gid[31] ^= 0x80;
	assert_int_equal(shs_network_key(ek, gid, out2), 0);
	assert_memory_not_equal(out, out2, 32);

	assert_int_equal(shs_network_key(NULL, gid, out), BAL_EINVAL);
	assert_int_equal(shs_network_key(ek, NULL, out), BAL_EINVAL);
	assert_int_equal(shs_invite_network_key(ek, gid, NULL), BAL_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_same_identity),
		cmocka_unit_test(test_wrong_network_key),
		cmocka_unit_test(test_multi_key_server),
		cmocka_unit_test(test_wrong_server_pk),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_truncated_and_overlong),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_low_order_ephemeral),
		cmocka_unit_test(test_new_bad_args),
		cmocka_unit_test(test_network_keys),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
