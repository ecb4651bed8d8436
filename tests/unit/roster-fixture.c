/* roster-fixture.c — see roster-fixture.h. */
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

void
roster_det_fill(void *ctx, void *buf, size_t len)
{
	struct det *d = ctx;
	uint8_t s[randombytes_SEEDBYTES];
	int i;

	memcpy(s, d->seed, sizeof(s));
	for (i = 0; i < 8; i++)
		s[i] ^= (uint8_t)(d->ctr >> (8 * i));
	d->ctr++;
	randombytes_buf_deterministic(buf, len, s);
}

struct world *
world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	uint8_t seed[32];
	int i;

	assert_non_null(w);
	for (i = 0; i < NPEOPLE; i++) {
		memset(seed, 0x10 + i, sizeof(seed));
		assert_int_equal(identity_from_seed(seed, &w->p[i]), 0);
	}
	memset(w->det.seed, 0x5a, sizeof(w->det.seed));
	w->rng.fill = roster_det_fill;
	w->rng.ctx = &w->det;
	memset(w->contract, 'c', sizeof(w->contract));
	roster_contract_hash(w->contract, sizeof(w->contract),
	    w->contract_hash);
	return w;
}

void
world_free(struct world *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free((void *)w->in[i].body);
		epoch_key_free(w->key[i]);
	}
	for (i = 0; i < NPEOPLE; i++)
		identity_free(w->p[i]);
	free(w);
}

const uint8_t *
pk(struct world *w, int who)
{
	return w->p[who]->pk;
}

void
be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The signed bytes of input i: author || seq || lamport || time || body. */
uint8_t *
signed_msg(const struct roster_in *in, size_t *len)
{
	uint8_t *m;

	*len = 56 + in->body_len;
	m = malloc(*len);
	assert_non_null(m);
	memcpy(m, in->author, 32);
	be64(m + 32, in->seq);
	be64(m + 40, in->lamport);
	be64(m + 48, in->time_ms);
	memcpy(m + 56, in->body, in->body_len);
	return m;
}

/* Appends an entry of who's log at lamport carrying body (taken over). */
size_t
emit_key(struct world *w, int who, uint64_t lamport, uint8_t *body,
    size_t len, uint8_t *key)
{
	struct roster_in *in;
	crypto_generichash_state st;
	uint8_t *msg;
	size_t mlen, i = w->n;

	assert_true(i < MAXIN);
	in = &w->in[i];
	memcpy(in->author, pk(w, who), 32);
	in->seq = ++w->seq[who];
	in->lamport = lamport;
	in->time_ms = 1700000000000ULL + lamport * 1000;
	in->body = body;
	in->body_len = len;
	msg = signed_msg(in, &mlen);
	assert_int_equal(identity_sign(w->p[who], SIGN_DOMAIN, msg, mlen,
	    w->sig[i]), 0);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, msg, mlen);
	crypto_generichash_update(&st, w->sig[i], BAL_SIG_BYTES);
	crypto_generichash_final(&st, in->entry_id, 32);
	free(msg);
	w->key[i] = key;
	w->n++;
	return i;
}

size_t
emit(struct world *w, int who, uint64_t lamport, uint8_t *body, size_t len)
{
	return emit_key(w, who, lamport, body, len, NULL);
}

/* A fresh epoch key sealed (id 0) to the people in mask. */
uint8_t *
envelope(struct world *w, unsigned mask, size_t *len, uint8_t **key)
{
	uint8_t rcpt[NPEOPLE][32], *buf;
	size_t n = 0;
	int i;

	for (i = 0; i < NPEOPLE; i++)
		if (mask & BIT(i))
			memcpy(rcpt[n++], pk(w, i), 32);
	assert_int_equal(epoch_key_new(&w->rng, key), 0);
	assert_int_equal(epoch_seal(*key, 0, w->contract_hash,
	    (const uint8_t (*)[32])rcpt, n, &w->rng, &buf, len), 0);
	return buf;
}

const char *const names[NPEOPLE] = {
	"Lea Leader", "Lutz Coleader", "Anna", "Bernd", "Cem", "Dora", "Xaver"
};

size_t
op_create(struct world *w, int who, uint64_t lamport, unsigned mask)
{
	uint8_t *env, *key, *body;
	size_t elen, blen;

	env = envelope(w, mask, &elen, &key);
	assert_int_equal(roster_encode_create(w->contract,
	    sizeof(w->contract), names[who], env, elen, &body, &blen), 0);
	free(env);
	return emit_key(w, who, lamport, body, blen, key);
}

/* An ADD; mask 0 means no new epoch; readmits may be NULL. */
size_t
op_add_h(struct world *w, int who, uint64_t lamport, int member,
    const uint8_t *readmits, unsigned mask, const uint8_t *hist,
    size_t hlen)
{
	uint8_t *env = NULL, *key = NULL, *body, sig[64];
	size_t elen = 0, blen;

	if (mask != 0)
		env = envelope(w, mask, &elen, &key);
	memset(sig, 0x5e, sizeof(sig));
	assert_int_equal(roster_encode_add(pk(w, member), names[member], sig,
	    readmits, env, elen, hist, hlen, &body, &blen), 0);
	free(env);
	return emit_key(w, who, lamport, body, blen, key);
}

size_t
op_add(struct world *w, int who, uint64_t lamport, int member,
    const uint8_t *readmits, unsigned mask)
{
	return op_add_h(w, who, lamport, member, readmits, mask, NULL, 0);
}

size_t
op_revoke(struct world *w, int who, uint64_t lamport, int member,
    uint64_t cut, unsigned mask)
{
	uint8_t *env, *key, *body;
	size_t elen, blen;

	env = envelope(w, mask, &elen, &key);
	assert_int_equal(roster_encode_revoke(pk(w, member), cut, env, elen,
	    &body, &blen), 0);
	free(env);
	return emit_key(w, who, lamport, body, blen, key);
}

/* A LEAVE whose cut is the leave entry's own seq. */
size_t
op_leave(struct world *w, int who, uint64_t lamport)
{
	uint8_t *body;
	size_t blen;

	assert_int_equal(roster_encode_leave(w->seq[who] + 1, &body, &blen), 0);
	return emit(w, who, lamport, body, blen);
}

size_t
op_rotate(struct world *w, int who, uint64_t lamport, unsigned mask)
{
	uint8_t *env, *key, *body;
	size_t elen, blen;

	env = envelope(w, mask, &elen, &key);
	assert_int_equal(roster_encode_rotate(env, elen, &body, &blen), 0);
	free(env);
	return emit_key(w, who, lamport, body, blen, key);
}

size_t
op_amend(struct world *w, int who, uint64_t lamport, const char *text,
    const uint8_t prev[32])
{
	uint8_t *body;
	size_t blen;

	assert_int_equal(roster_encode_amend((const uint8_t *)text,
	    strlen(text), prev, &body, &blen), 0);
	return emit(w, who, lamport, body, blen);
}

/* Folds in[0..n) as they are (the base fold checked the signatures). */
int
fold_raw(struct world *w, const struct roster_in *in, size_t n,
    struct roster **out)
{
	uint8_t lead[2][32];

	memcpy(lead[0], pk(w, L1), 32);
	memcpy(lead[1], pk(w, L2), 32);
	return roster_fold((const uint8_t (*)[32])lead, 2, in, n, out);
}

/* Folds in[0..n) after checking every signature (the entry layer's job). */
int
fold_in(struct world *w, const struct roster_in *in, size_t n,
    unsigned leaders, const struct roster_contract_cb *cb,
    struct roster **out)
{
	uint8_t lead[NPEOPLE][32], *msg;
	size_t nl = 0, i, j, mlen;
	int k;

	for (k = 0; k < NPEOPLE; k++)
		if (leaders & BIT(k))
			memcpy(lead[nl++], pk(w, k), 32);
	for (i = 0; i < n; i++) {
		for (j = 0; j < w->n; j++)
			if (memcmp(&w->in[j], &in[i], sizeof(in[i])) == 0)
				break;
		if (j == w->n)
			continue;	/* forged by the test on purpose */
		msg = signed_msg(&in[i], &mlen);
		assert_int_equal(identity_verify(in[i].author, SIGN_DOMAIN,
		    msg, mlen, w->sig[j]), 0);
		free(msg);
	}
	return roster_fold_ex((const uint8_t (*)[32])lead, nl, cb, in, n, out);
}

struct roster *
fold(struct world *w)
{
	struct roster *r;

	assert_int_equal(fold_in(w, w->in, w->n, BIT(L1) | BIT(L2), NULL, &r),
	    0);
	return r;
}

int
status(const struct roster *r, struct world *w, int who)
{
	const struct roster_member *m = roster_member_find(r, pk(w, who));

	return m == NULL ? -1 : m->status;
}

int
reason(const struct roster *r, struct world *w, size_t i)
{
	size_t k;

	for (k = 0; k < r->nrejected; k++)
		if (memcmp(r->rejected[k].entry_id, w->in[i].entry_id, 32) == 0)
			return r->rejected[k].reason;
	return 0;
}

const struct roster_epoch *
epoch_of(const struct roster *r, struct world *w, size_t i)
{
	size_t e;

	for (e = 0; e < r->nepochs; e++)
		if (memcmp(r->epochs[e].entry_id, w->in[i].entry_id, 32) == 0)
			return &r->epochs[e];
	return NULL;
}

/* Two rosters are the same: state hash and rejected list. */
void
assert_same(const struct roster *a, const struct roster *b)
{
	uint8_t ha[32], hb[32];
	size_t k;

	assert_int_equal(roster_state_hash(a, ha), 0);
	assert_int_equal(roster_state_hash(b, hb), 0);
	assert_memory_equal(ha, hb, 32);
	assert_int_equal(a->nrejected, b->nrejected);
	for (k = 0; k < a->nrejected; k++) {
		assert_memory_equal(a->rejected[k].entry_id,
		    b->rejected[k].entry_id, 32);
		assert_int_equal(a->rejected[k].reason, b->rejected[k].reason);
	}
	assert_int_equal(a->nmembers, b->nmembers);
	assert_int_equal(a->nepochs, b->nepochs);
}

uint64_t
xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Folds nshuffles seeded shuffles of w's inputs; all equal to base. */
void
assert_order_free(struct world *w, const struct roster *base,
    unsigned nshuffles)
{
	struct roster_in in[MAXIN], t;
	struct roster *r;
	uint64_t s = 0x243f6a8885a308d3ULL;
	size_t i, j;
	unsigned k;

	memcpy(in, w->in, w->n * sizeof(in[0]));
	for (k = 0; k < nshuffles; k++) {
		for (i = w->n; i > 1; i--) {
			j = (size_t)(xs(&s) % i);
			t = in[i - 1];
			in[i - 1] = in[j];
			in[j] = t;
		}
		assert_int_equal(fold_raw(w, in, w->n, &r), 0);
		assert_same(base, r);
		roster_free(r);
	}
}

/* Folds every permutation of w's inputs (Heap's algorithm). */
void
assert_every_order(struct world *w, const struct roster *base)
{
	struct roster_in in[MAXIN], t;
	struct roster *r;
	size_t c[MAXIN], i = 1, n = w->n, count = 1;

	assert_true(n <= 8);
	memcpy(in, w->in, n * sizeof(in[0]));
	memset(c, 0, sizeof(c));
	while (i < n) {
		if (c[i] < i) {
			if (i % 2 == 0) {
				t = in[0]; in[0] = in[i]; in[i] = t;
			} else {
				t = in[c[i]]; in[c[i]] = in[i]; in[i] = t;
			}
			assert_int_equal(fold_raw(w, in, n, &r), 0);
			assert_same(base, r);
			roster_free(r);
			count++;
			c[i]++;
			i = 1;
		} else {
			c[i] = 0;
			i++;
		}
	}
	for (i = 2; i <= n; i++)
		count /= i;
	assert_int_equal(count, 1);	/* n! orders were folded */
}

int
roster_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}
