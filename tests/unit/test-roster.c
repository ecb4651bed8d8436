/* test-roster.c — roster operations and the roster fold (proto/roster.c). */
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

static void
det_fill(void *ctx, void *buf, size_t len)
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

static struct world *
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
	w->rng.fill = det_fill;
	w->rng.ctx = &w->det;
	memset(w->contract, 'c', sizeof(w->contract));
	roster_contract_hash(w->contract, sizeof(w->contract),
	    w->contract_hash);
	return w;
}

static void
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

static const uint8_t *
pk(struct world *w, int who)
{
	return w->p[who]->pk;
}

static void
be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The signed bytes of input i: author || seq || lamport || time || body. */
static uint8_t *
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
static size_t
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

static size_t
emit(struct world *w, int who, uint64_t lamport, uint8_t *body, size_t len)
{
	return emit_key(w, who, lamport, body, len, NULL);
}

/* A fresh epoch key sealed (id 0) to the people in mask. */
static uint8_t *
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

static const char *const names[NPEOPLE] = {
	"Lea Leader", "Lutz Coleader", "Anna", "Bernd", "Cem", "Dora", "Xaver"
};

static size_t
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
static size_t
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

static size_t
op_add(struct world *w, int who, uint64_t lamport, int member,
    const uint8_t *readmits, unsigned mask)
{
	return op_add_h(w, who, lamport, member, readmits, mask, NULL, 0);
}

/* An ADD of a made-up key (no envelope), for counting members. */
static size_t
op_add_raw(struct world *w, int who, uint64_t lamport, const uint8_t *mpk)
{
	uint8_t *body, sig[64];
	size_t blen;

	memset(sig, 0x5e, sizeof(sig));
	assert_int_equal(roster_encode_add(mpk, "Someone", sig, NULL, NULL, 0,
	    NULL, 0, &body, &blen), 0);
	return emit(w, who, lamport, body, blen);
}

static size_t
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
static size_t
op_leave(struct world *w, int who, uint64_t lamport)
{
	uint8_t *body;
	size_t blen;

	assert_int_equal(roster_encode_leave(w->seq[who] + 1, &body, &blen), 0);
	return emit(w, who, lamport, body, blen);
}

static size_t
op_rotate(struct world *w, int who, uint64_t lamport, unsigned mask)
{
	uint8_t *env, *key, *body;
	size_t elen, blen;

	env = envelope(w, mask, &elen, &key);
	assert_int_equal(roster_encode_rotate(env, elen, &body, &blen), 0);
	free(env);
	return emit_key(w, who, lamport, body, blen, key);
}

static size_t
op_amend(struct world *w, int who, uint64_t lamport, const char *text,
    const uint8_t prev[32])
{
	uint8_t *body;
	size_t blen;

	assert_int_equal(roster_encode_amend((const uint8_t *)text,
	    strlen(text), prev, &body, &blen), 0);
	return emit(w, who, lamport, body, blen);
}

/* A non-roster entry of who's log (advances seq, e.g. a note). */
static void
skip_seq(struct world *w, int who, uint64_t n)
{
	w->seq[who] += n;
}

/* Folds in[0..n) as they are (the base fold checked the signatures). */
static int
fold_raw(struct world *w, const struct roster_in *in, size_t n,
    struct roster **out)
{
	uint8_t lead[2][32];

	memcpy(lead[0], pk(w, L1), 32);
	memcpy(lead[1], pk(w, L2), 32);
	return roster_fold((const uint8_t (*)[32])lead, 2, in, n, out);
}

/* Folds in[0..n) after checking every signature (the entry layer's job). */
static int
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

static struct roster *
fold(struct world *w)
{
	struct roster *r;

	assert_int_equal(fold_in(w, w->in, w->n, BIT(L1) | BIT(L2), NULL, &r),
	    0);
	return r;
}

static int
status(const struct roster *r, struct world *w, int who)
{
	const struct roster_member *m = roster_member_find(r, pk(w, who));

	return m == NULL ? -1 : m->status;
}

static int
reason(const struct roster *r, struct world *w, size_t i)
{
	size_t k;

	for (k = 0; k < r->nrejected; k++)
		if (memcmp(r->rejected[k].entry_id, w->in[i].entry_id, 32) == 0)
			return r->rejected[k].reason;
	return 0;
}

static const struct roster_epoch *
epoch_of(const struct roster *r, struct world *w, size_t i)
{
	size_t e;

	for (e = 0; e < r->nepochs; e++)
		if (memcmp(r->epochs[e].entry_id, w->in[i].entry_id, 32) == 0)
			return &r->epochs[e];
	return NULL;
}

/* Two rosters are the same: state hash and rejected list. */
static void
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

static uint64_t
xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Folds nshuffles seeded shuffles of w's inputs; all equal to base. */
static void
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
static void
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

static void
test_fold_basic(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	const struct roster_member *m;
	const struct roster_epoch *e;
	size_t c, a, b, rv;
	uint8_t k[32];

	(void)state;
	c = op_create(w, L1, 1, BIT(L1));
	a = op_add(w, L1, 2, A, NULL, BIT(L1) | BIT(A));
	skip_seq(w, A, 4);	/* Anna writes notes 1..4 */
	b = op_add(w, L1, 3, B, NULL, BIT(L1) | BIT(A) | BIT(B));
	rv = op_revoke(w, L1, 9, A, 3, BIT(L1) | BIT(B));
	r = fold(w);
	assert_int_equal(r->passes, 1);
	assert_int_equal(r->nrejected, 0);
	assert_memory_equal(r->founder, pk(w, L1), 32);
	assert_int_equal(r->contract_len, sizeof(w->contract));
	assert_memory_equal(r->contract_hash, w->contract_hash, 32);
	assert_int_equal(r->nmembers, 3);
	m = roster_member_find(r, pk(w, L1));
	assert_non_null(m);
	assert_int_equal(m->role, ROSTER_ROLE_LEADER);
	assert_int_equal(m->status, ROSTER_ACTIVE);
	assert_string_equal(m->name, "Lea Leader");
	assert_memory_equal(m->added_entry, w->in[c].entry_id, 32);
	m = roster_member_find(r, pk(w, A));
	assert_int_equal(m->role, ROSTER_ROLE_MEMBER);
	assert_int_equal(m->status, ROSTER_REVOKED);
	assert_true(m->cut == 3);
	assert_memory_equal(m->added_by, pk(w, L1), 32);
	assert_memory_equal(m->added_entry, w->in[a].entry_id, 32);
	assert_memory_equal(m->removed_by, pk(w, L1), 32);
	assert_memory_equal(m->removed_entry, w->in[rv].entry_id, 32);
	assert_true(m->removed_ms == w->in[rv].time_ms);
	assert_int_equal(status(r, w, B), ROSTER_ACTIVE);
	assert_true(roster_is_active(r, pk(w, B)));
	assert_false(roster_is_active(r, pk(w, A)));
	assert_true(roster_is_leader(r, pk(w, L1)));
	assert_false(roster_is_leader(r, pk(w, B)));
	assert_null(roster_member_find(r, pk(w, X)));

	/* Epochs: create, two from-join adds, the revoke. */
	assert_int_equal(r->nepochs, 4);
	assert_true(r->epochs[0].id == 0);
	assert_true(r->epochs[1].id == epoch_id_from_entry(w->in[a].entry_id));
	assert_true(r->epochs[3].id == epoch_id_from_entry(w->in[rv].entry_id));
	assert_int_equal(r->epochs[3].ordinal, 3);
	assert_int_equal(r->epochs[3].op, ROSTER_OP_REVOKE);
	assert_int_equal(r->epochs[2].nrecipients, 3);
	assert_int_equal(r->current, 3);
	assert_int_equal(r->write_epoch, 3);
	assert_false(r->needs_rotation);
	e = epoch_of(r, w, b);
	assert_non_null(e);
	assert_ptr_equal(roster_epoch_find(r, e->id), e);
	assert_null(roster_epoch_find(r, 12345));

	/* Keys: B reads from its join on; A not after the revoke. */
	assert_int_equal(roster_epoch_key(r, r->epochs[3].id, w->p[B], k), 0);
	assert_memory_equal(k, w->key[rv], 32);
	assert_int_equal(roster_epoch_key(r, r->epochs[2].id, w->p[B], k), 0);
	assert_memory_equal(k, w->key[b], 32);
	assert_int_equal(roster_epoch_key(r, 0, w->p[B], k), BAL_ENOENT);
	assert_int_equal(roster_epoch_key(r, r->epochs[3].id, w->p[A], k),
	    BAL_ENOENT);
	assert_int_equal(roster_epoch_key(r, 999, w->p[L1], k), BAL_ENOENT);
	assert_int_equal(roster_epoch_key(r, 0, w->p[L1], k), 0);
	assert_memory_equal(k, w->key[c], 32);

	/* The cut: Anna's entries up to 3 stay, later ones are refused. */
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 3), 0);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 4), BAL_EPERM);
	assert_int_equal(roster_entry_allowed(r, pk(w, B), 1000), 0);
	assert_int_equal(roster_entry_allowed(r, pk(w, X), 1), BAL_EPERM);
	roster_free(r);
	roster_free(NULL);
	world_free(w);
}

/* A busy history folds to the same roster from any arrival order. */
static void
test_fold_order_free(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	size_t rA, lB;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
	op_add(w, L1, 3, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
	op_add(w, L2, 3, B, NULL, BIT(L1) | BIT(L2) | BIT(B));	/* concurrent */
	op_add(w, L2, 4, C, NULL, BIT(L1) | BIT(L2) | BIT(A) | BIT(B) |
	    BIT(C));
	rA = op_revoke(w, L1, 5, A, 0, BIT(L1) | BIT(L2) | BIT(B) | BIT(C));
	op_add(w, L2, 5, D, NULL, BIT(L1) | BIT(L2) | BIT(A) | BIT(B) |
	    BIT(C) | BIT(D));			/* concurrent with the revoke */
	lB = op_leave(w, B, 6);
	op_add(w, X, 6, X, NULL, BIT(X));	/* outsider: rejected */
	op_add(w, L2, 7, A, NULL, BIT(L2) | BIT(A));	/* remove wins */
	op_rotate(w, L1, 8, BIT(L1) | BIT(L2) | BIT(C) | BIT(D));
	op_add(w, L1, 9, A, w->in[rA].entry_id, BIT(L1) | BIT(L2) | BIT(C) |
	    BIT(D) | BIT(A));			/* deliberate readmission */
	op_amend(w, L2, 10, "contract v2", w->contract_hash);
	op_amend(w, L1, 10, "contract v2'", w->contract_hash);	/* loses */
	r = fold(w);
	assert_int_equal(status(r, w, A), ROSTER_ACTIVE);
	assert_int_equal(status(r, w, B), ROSTER_LEFT);
	assert_int_equal(status(r, w, D), ROSTER_ACTIVE);
	assert_int_equal(status(r, w, X), -1);
	assert_int_equal(reason(r, w, lB), 0);
	assert_int_equal(r->nrejected, 3);
	assert_false(r->needs_rotation);
	assert_int_equal(r->write_epoch, r->current);
	assert_order_free(w, r, 300);
	roster_free(r);
	world_free(w);
}

static void
test_non_leader(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	size_t i[8], cr2;
	uint8_t k[32];

	(void)state;
	/* Ops before the group exists, and a CREATE by a non-leader. */
	i[0] = op_add(w, L1, 1, A, NULL, BIT(L1) | BIT(A));
	i[1] = op_create(w, A, 1, BIT(A));
	assert_int_equal(fold_in(w, w->in, 2, BIT(L1), NULL, &r), BAL_ENOENT);
	assert_null(r);
	op_create(w, L1, 2, BIT(L1));
	op_add(w, L1, 3, A, NULL, BIT(L1) | BIT(A));
	op_add(w, L1, 3, B, NULL, BIT(L1) | BIT(A) | BIT(B));
	i[2] = op_add(w, A, 5, C, NULL, BIT(L1) | BIT(A) | BIT(B) | BIT(C));
	i[3] = op_revoke(w, A, 5, B, 0, BIT(L1) | BIT(A));
	i[4] = op_rotate(w, B, 5, BIT(B));
	i[5] = op_amend(w, A, 5, "mine now", w->contract_hash);
	i[6] = op_leave(w, X, 5);
	cr2 = op_create(w, L1, 6, BIT(L1));
	/* A co-leader named by the contract but never added is no member. */
	i[7] = op_add(w, L2, 7, D, NULL, BIT(L2) | BIT(D));
	assert_int_equal(fold_in(w, w->in, w->n, BIT(L1) | BIT(L2), NULL, &r),
	    0);
	assert_int_equal(reason(r, w, i[0]), ROSTER_R_NO_GROUP);
	assert_int_equal(reason(r, w, i[1]), ROSTER_R_NOT_LEADER);
	assert_int_equal(reason(r, w, i[2]), ROSTER_R_NOT_LEADER);
	assert_int_equal(reason(r, w, i[3]), ROSTER_R_NOT_LEADER);
	assert_int_equal(reason(r, w, i[4]), ROSTER_R_NOT_LEADER);
	assert_int_equal(reason(r, w, i[5]), ROSTER_R_NOT_LEADER);
	assert_int_equal(reason(r, w, i[6]), ROSTER_R_NOT_MEMBER);
	assert_int_equal(reason(r, w, cr2), ROSTER_R_CREATE_AGAIN);
	assert_int_equal(reason(r, w, i[7]), ROSTER_R_NOT_MEMBER);
	assert_int_equal(r->nrejected, 9);
	assert_int_equal(status(r, w, B), ROSTER_ACTIVE);
	assert_int_equal(status(r, w, C), -1);
	assert_int_equal(status(r, w, D), -1);
	assert_memory_equal(r->contract_hash, w->contract_hash, 32);
	assert_int_equal(r->nepochs, 3);
	assert_int_equal(roster_epoch_key(r, r->epochs[2].id, w->p[C], k),
	    BAL_ENOENT);
	roster_free(r);
	world_free(w);
}

/* Two leaders; one revokes the other, whose later ops are void. */
static void
test_revoked_leader(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	size_t addA, rv, late, conc, c2;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
	addA = op_add(w, L2, 3, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
	/* L1 saw L2's log up to the add of A (seq 1) and revokes at 10. */
	rv = op_revoke(w, L1, 10, L2, w->seq[L2], BIT(L1) | BIT(A));
	/* L2, not yet aware, adds C at lamport 5: concurrent, beyond cut. */
	conc = op_add(w, L2, 5, C, NULL, BIT(L1) | BIT(L2) | BIT(A) | BIT(C));
	/* ... and after the revoke, adds B and tries to revoke L1. */
	late = op_add(w, L2, 11, B, NULL, BIT(L2) | BIT(B));
	c2 = op_revoke(w, L2, 12, L1, 1, BIT(L2));
	r = fold(w);
	assert_int_equal(r->passes, 2);
	assert_int_equal(reason(r, w, addA), 0);
	assert_int_equal(reason(r, w, rv), 0);
	assert_int_equal(reason(r, w, conc), ROSTER_R_BEYOND_CUT);
	assert_int_equal(reason(r, w, late), ROSTER_R_BEYOND_CUT);
	assert_int_equal(reason(r, w, c2), ROSTER_R_BEYOND_CUT);
	assert_int_equal(status(r, w, L2), ROSTER_REVOKED);
	assert_int_equal(status(r, w, A), ROSTER_ACTIVE);
	assert_int_equal(status(r, w, C), -1);
	assert_int_equal(status(r, w, B), -1);
	assert_int_equal(status(r, w, L1), ROSTER_ACTIVE);
	/* A revoked leader keeps the role name but is no active leader. */
	assert_false(roster_is_leader(r, pk(w, L2)));
	assert_null(epoch_of(r, w, conc));
	assert_false(r->needs_rotation);
	assert_order_free(w, r, 100);
	roster_free(r);

	/* Mutual revocation at the same lamport: the first in order wins. */
	world_free(w);
	w = world_new();
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
	rv = op_revoke(w, L1, 5, L2, 0, BIT(L1));
	c2 = op_revoke(w, L2, 5, L1, 2, BIT(L2));
	r = fold(w);
	if (memcmp(pk(w, L1), pk(w, L2), 32) < 0) {
		assert_int_equal(status(r, w, L2), ROSTER_REVOKED);
		assert_int_equal(status(r, w, L1), ROSTER_ACTIVE);
		assert_int_not_equal(reason(r, w, c2), 0);
	} else {
		assert_int_equal(status(r, w, L1), ROSTER_REVOKED);
		assert_int_equal(status(r, w, L2), ROSTER_ACTIVE);
		assert_int_not_equal(reason(r, w, rv), 0);
	}
	assert_every_order(w, r);
	roster_free(r);
	world_free(w);
}

/*
 * Anna is invited twice.  L2's add is followed by L2's revoke; L1's add,
 * concurrent, may sort anywhere.  In every order and arrival order Anna
 * ends revoked: a concurrent add never undoes a revoke.
 */
static void
test_remove_wins(void **state)
{
	struct world *w;
	struct roster *r;
	const struct roster_member *m;
	uint64_t lam;
	size_t a1, rv;

	(void)state;
	for (lam = 2; lam <= 7; lam++) {
		w = world_new();
		op_create(w, L1, 1, BIT(L1));
		op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
		op_add(w, L2, 3, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
		rv = op_revoke(w, L2, 5, A, 0, BIT(L1) | BIT(L2));
		a1 = op_add(w, L1, lam, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
		r = fold(w);
		m = roster_member_find(r, pk(w, A));
		assert_non_null(m);
		assert_int_equal(m->status, ROSTER_REVOKED);
		assert_memory_equal(m->removed_entry, w->in[rv].entry_id, 32);
		assert_int_equal(reason(r, w, rv), 0);
		if (lam > 5)
			assert_int_equal(reason(r, w, a1), ROSTER_R_REMOVED);
		/* The last epoch is the revoke's, without Anna. */
		assert_memory_equal(r->epochs[r->current].entry_id,
		    w->in[rv].entry_id, 32);
		assert_false(r->needs_rotation);
		assert_every_order(w, r);
		roster_free(r);
		world_free(w);
	}
}

static void
test_readmission(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	const struct roster_member *m;
	size_t rv, early, wrong, ok, again, never, lv;
	uint8_t bogus[32];

	(void)state;
	memset(bogus, 0xbb, sizeof(bogus));
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
	op_add(w, L1, 3, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
	skip_seq(w, A, 2);
	rv = op_revoke(w, L1, 5, A, 2, BIT(L1) | BIT(L2));
	/* Naming the revoke but sorting before it: Anna is still active. */
	early = op_add(w, L2, 4, A, w->in[rv].entry_id, BIT(L1) | BIT(L2) |
	    BIT(A));
	wrong = op_add(w, L2, 6, A, bogus, BIT(L1) | BIT(L2) | BIT(A));
	ok = op_add(w, L2, 7, A, w->in[rv].entry_id, BIT(L1) | BIT(L2) |
	    BIT(A));
	again = op_add(w, L1, 8, A, w->in[rv].entry_id, 0);
	never = op_add(w, L1, 8, B, w->in[rv].entry_id, 0);
	/* Anna wrote a little after the readmission, then leaves. */
	w->seq[A] = 6;
	lv = op_leave(w, A, 9);
	r = fold(w);
	assert_int_equal(reason(r, w, early), ROSTER_R_ALREADY_MEMBER);
	assert_int_equal(reason(r, w, wrong), ROSTER_R_REMOVED);
	assert_int_equal(reason(r, w, ok), 0);
	assert_int_equal(reason(r, w, again), ROSTER_R_ALREADY_MEMBER);
	assert_int_equal(reason(r, w, never), ROSTER_R_READMITS);
	/* The old cut (2) does not void the leave (seq 7) after readmission. */
	assert_int_equal(reason(r, w, lv), 0);
	m = roster_member_find(r, pk(w, A));
	assert_int_equal(m->status, ROSTER_LEFT);
	assert_true(m->cut == 7);
	assert_memory_equal(m->added_entry, w->in[ok].entry_id, 32);
	assert_memory_equal(m->added_by, pk(w, L2), 32);
	assert_true(r->needs_rotation);	/* the leave awaits a rotation */
	assert_order_free(w, r, 100);
	roster_free(r);

	/* Without the leave, the readmitted Anna is active with no cut. */
	assert_int_equal(fold_in(w, w->in, w->n - 1, BIT(L1) | BIT(L2), NULL,
	    &r), 0);
	m = roster_member_find(r, pk(w, A));
	assert_int_equal(m->status, ROSTER_ACTIVE);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 100), 0);
	assert_false(r->needs_rotation);
	roster_free(r);
	world_free(w);
}

static void
test_cut(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	const struct roster_member *m;
	size_t rv, lv;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, A, NULL, BIT(L1) | BIT(A));
	skip_seq(w, A, 3);		/* notes 1..3, seen by the leader */
	rv = op_revoke(w, L1, 8, A, 3, BIT(L1));
	skip_seq(w, A, 2);		/* notes 4, 5: unseen */
	lv = op_leave(w, A, 6);		/* seq 6, sorts before the revoke */
	r = fold(w);
	/*
	 * Pass 1: the leave applies (cut 6), the revoke lowers the cut to 3;
	 * pass 2: the leave is beyond the cut and void.
	 */
	assert_int_equal(r->passes, 2);
	assert_int_equal(reason(r, w, lv), ROSTER_R_BEYOND_CUT);
	assert_int_equal(reason(r, w, rv), 0);
	m = roster_member_find(r, pk(w, A));
	assert_int_equal(m->status, ROSTER_REVOKED);
	assert_true(m->cut == 3);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 1), 0);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 3), 0);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 4), BAL_EPERM);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), 6), BAL_EPERM);
	assert_int_equal(roster_entry_allowed(r, pk(w, A), UINT64_MAX),
	    BAL_EPERM);
	assert_every_order(w, r);
	roster_free(r);
	world_free(w);
}

static void
test_leave(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	size_t eB, lA, bad, lL2, late, rot;
	uint8_t *body, k[32];
	size_t blen;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
	op_add(w, L1, 3, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
	eB = op_add(w, L1, 4, B, NULL, BIT(L1) | BIT(L2) | BIT(A) | BIT(B));
	/* A leave whose cut is not its own seq is refused. */
	assert_int_equal(roster_encode_leave(w->seq[A], &body, &blen), 0);
	bad = emit(w, A, 5, body, blen);
	lA = op_leave(w, A, 6);
	r = fold(w);
	assert_int_equal(reason(r, w, bad), ROSTER_R_BAD_CUT);
	assert_int_equal(reason(r, w, lA), 0);
	assert_int_equal(status(r, w, A), ROSTER_LEFT);
	assert_true(roster_member_find(r, pk(w, A))->cut == w->in[lA].seq);
	assert_memory_equal(roster_member_find(r, pk(w, A))->removed_by,
	    pk(w, A), 32);
	/* Anna still holds the current key: rotate; write under an old one. */
	assert_true(r->needs_rotation);
	assert_int_equal(r->current, 3);
	assert_int_equal(r->write_epoch, 1);	/* {L1, L2} */
	roster_free(r);

	/* The co-leader leaves too; their later ops are void. */
	lL2 = op_leave(w, L2, 7);
	late = op_rotate(w, L2, 8, BIT(L2));
	rot = op_rotate(w, L1, 8, BIT(L1) | BIT(B));
	r = fold(w);
	assert_int_equal(reason(r, w, lL2), 0);
	assert_int_equal(reason(r, w, late), ROSTER_R_BEYOND_CUT);
	assert_int_equal(reason(r, w, rot), 0);
	assert_int_equal(status(r, w, L2), ROSTER_LEFT);
	assert_false(r->needs_rotation);
	assert_int_equal(r->write_epoch, r->current);
	assert_memory_equal(r->epochs[r->current].entry_id,
	    w->in[rot].entry_id, 32);
	assert_int_equal(roster_epoch_key(r, r->epochs[r->current].id,
	    w->p[B], k), 0);
	assert_memory_equal(k, w->key[rot], 32);
	assert_int_equal(roster_epoch_key(r, r->epochs[r->current].id,
	    w->p[A], k), BAL_ENOENT);
	assert_int_equal(roster_epoch_key(r, epoch_of(r, w, eB)->id, w->p[A],
	    k), 0);	/* what Anna had, she keeps */
	assert_order_free(w, r, 100);
	roster_free(r);
	world_free(w);
}

/*
 * L1 adds Dora with a new epoch sealed to everyone L1 knows, Anna
 * included; L2 concurrently revokes Anna.  Whichever sorts first, the
 * roster asks for a rotation, and L1's ROTATE settles it.
 */
static void
test_needs_rotation(void **state)
{
	struct world *w;
	struct roster *r;
	uint64_t la, lr;
	size_t addD, rv, rot;
	uint8_t k[32];
	int v;

	(void)state;
	for (v = 0; v < 3; v++) {
		la = v == 1 ? 11 : 10;
		lr = v == 2 ? 11 : 10;
		w = world_new();
		op_create(w, L1, 1, BIT(L1));
		op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
		op_add(w, L1, 3, A, NULL, BIT(L1) | BIT(L2) | BIT(A));
		addD = op_add(w, L1, la, D, NULL, BIT(L1) | BIT(L2) | BIT(A) |
		    BIT(D));
		rv = op_revoke(w, L2, lr, A, 0, BIT(L1) | BIT(L2));
		r = fold(w);
		assert_int_equal(reason(r, w, addD), 0);
		assert_int_equal(reason(r, w, rv), 0);
		assert_int_equal(status(r, w, A), ROSTER_REVOKED);
		assert_int_equal(status(r, w, D), ROSTER_ACTIVE);
		assert_true(r->needs_rotation);
		/* Never write under a key that Anna holds. */
		assert_true(r->write_epoch != ROSTER_NO_EPOCH);
		assert_true(r->write_epoch == r->current ||
		    epoch_of(r, w, addD)->ordinal == r->current);
		assert_int_equal(roster_epoch_key(r,
		    r->epochs[r->write_epoch].id, w->p[A], k), BAL_ENOENT);
		assert_every_order(w, r);
		roster_free(r);

		rot = op_rotate(w, L1, 12, BIT(L1) | BIT(L2) | BIT(D));
		r = fold(w);
		assert_false(r->needs_rotation);
		assert_int_equal(r->write_epoch, r->current);
		assert_ptr_equal(epoch_of(r, w, rot), &r->epochs[r->current]);
		assert_int_equal(roster_epoch_key(r, r->epochs[r->current].id,
		    w->p[D], k), 0);
		assert_memory_equal(k, w->key[rot], 32);
		assert_int_equal(roster_epoch_key(r, r->epochs[r->current].id,
		    w->p[A], k), BAL_ENOENT);
		assert_every_order(w, r);
		roster_free(r);
		world_free(w);
	}
}

/* History: full — the newcomer gets the earlier keys, no new epoch. */
static void
test_history_full(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	struct epoch_history_key hk[3];
	uint8_t *hist, k[32];
	size_t hlen, c, rv, addC, e;

	(void)state;
	c = op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, A, NULL, 0);
	op_add(w, L1, 3, B, NULL, 0);
	rv = op_revoke(w, L1, 4, B, 0, BIT(L1) | BIT(A));
	hk[0].id = 0;
	hk[0].key = w->key[c];
	hk[1].id = epoch_id_from_entry(w->in[rv].entry_id);
	hk[1].key = w->key[rv];
	hk[2].id = 4242;	/* unknown to the fold: ignored */
	hk[2].key = w->key[rv];
	assert_int_equal(epoch_history_seal(hk, 3, w->contract_hash, pk(w, C),
	    &w->rng, &hist, &hlen), 0);
	addC = op_add_h(w, L1, 5, C, NULL, 0, hist, hlen);
	free(hist);
	r = fold(w);
	assert_int_equal(reason(r, w, addC), 0);
	assert_int_equal(r->nepochs, 2);
	assert_int_equal(r->ngrants, 2);
	for (e = 0; e < 2; e++) {
		assert_int_equal(roster_epoch_key(r, r->epochs[e].id, w->p[C],
		    k), 0);
		assert_memory_equal(k, hk[e].key, 32);
	}
	/* C holds the current epoch through the history: nothing to do. */
	assert_false(r->needs_rotation);
	assert_int_equal(r->write_epoch, r->current);
	/* A was added without any key (the leader forgot the history). */
	assert_int_equal(roster_epoch_key(r, 0, w->p[A], k), BAL_ENOENT);
	roster_free(r);
	op_rotate(w, L1, 6, BIT(L1) | BIT(A) | BIT(C));
	r = fold(w);
	assert_false(r->needs_rotation);
	assert_order_free(w, r, 50);
	roster_free(r);

	/*
	 * C is revoked but the leader seals the new key to C as well: every
	 * epoch C holds is unclean, so there is nothing safe to write under.
	 */
	op_revoke(w, L1, 7, C, 0, BIT(L1) | BIT(A) | BIT(C));
	r = fold(w);
	assert_true(r->needs_rotation);
	assert_true(r->write_epoch == ROSTER_NO_EPOCH);
	roster_free(r);
	world_free(w);
}

/* The test's contract checker: "lead:N" makes person N co-leader. */
static int
amend_cb(void *ctx, const uint8_t *cur, size_t cur_len, const uint8_t *next,
    size_t next_len, const uint8_t author[32], uint8_t leaders[][32],
    size_t *nleaders)
{
	struct world *w = ctx;

	(void)cur;
	(void)cur_len;
	if (next_len != 6 || memcmp(next, "lead:", 5) != 0 ||
	    next[5] < '0' || next[5] >= '0' + NPEOPLE)
		return BAL_EPROTO;
	memcpy(leaders[0], author, 32);
	memcpy(leaders[1], pk(w, next[5] - '0'), 32);
	*nleaders = 2;
	return 0;
}

static void
test_amend(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	struct roster_contract_cb cb = { amend_cb, NULL };
	uint8_t h2[32];
	size_t a1, a2, stale, a3, bad, addC;

	(void)state;
	cb.ctx = w;
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, B, NULL, BIT(L1) | BIT(B));
	a1 = op_amend(w, L1, 3, "lead:3", w->contract_hash);
	roster_contract_hash((const uint8_t *)"lead:3", 6, h2);
	stale = op_amend(w, L1, 4, "lead:4", w->contract_hash);
	bad = op_amend(w, L1, 5, "nonsense", h2);
	addC = op_add(w, B, 6, C, NULL, BIT(L1) | BIT(B) | BIT(C));
	/* Without a checker, leaders stay those of the caller. */
	r = fold(w);
	assert_int_equal(reason(r, w, a1), 0);
	assert_int_equal(reason(r, w, stale), ROSTER_R_CONTRACT);
	assert_int_equal(reason(r, w, bad), 0);
	assert_int_equal(reason(r, w, addC), ROSTER_R_NOT_LEADER);
	assert_int_equal(r->contract_len, 8);
	assert_memory_equal(r->contract, "nonsense", 8);
	roster_free(r);
	/* With it: B becomes co-leader; the bad text is refused. */
	assert_int_equal(fold_in(w, w->in, w->n, BIT(L1), &cb, &r), 0);
	assert_int_equal(reason(r, w, a1), 0);
	assert_int_equal(reason(r, w, stale), ROSTER_R_CONTRACT);
	assert_int_equal(reason(r, w, bad), ROSTER_R_CONTRACT);
	assert_int_equal(reason(r, w, addC), 0);
	assert_memory_equal(r->contract_hash, h2, 32);
	assert_int_equal(r->nleaders, 2);
	assert_true(roster_is_leader(r, pk(w, B)));
	assert_int_equal(roster_member_find(r, pk(w, B))->role,
	    ROSTER_ROLE_LEADER);
	roster_free(r);
	/*
	 * Two concurrent amendments of one version: only the first holds
	 * (and as each names a new co-leader, the other author may no longer
	 * be a leader at all).
	 */
	a2 = op_amend(w, L1, 7, "lead:2", h2);
	a3 = op_amend(w, B, 7, "lead:5", h2);
	assert_int_equal(fold_in(w, w->in, w->n, BIT(L1), &cb, &r), 0);
	if (memcmp(pk(w, L1), pk(w, B), 32) < 0) {
		assert_int_equal(reason(r, w, a2), 0);
		assert_int_equal(reason(r, w, a3), ROSTER_R_NOT_LEADER);
		assert_false(roster_is_leader(r, pk(w, B)));
	} else {
		assert_int_equal(reason(r, w, a3), 0);
		assert_int_equal(reason(r, w, a2), ROSTER_R_NOT_LEADER);
		assert_false(roster_is_leader(r, pk(w, L1)));
	}
	roster_free(r);
	world_free(w);
}

static void
test_duplicates_and_collisions(void **state)
{
	struct world *w = world_new();
	struct roster *r, *r0;
	struct roster_in in[MAXIN];
	size_t n, a, rot;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	a = op_add(w, L1, 2, A, NULL, BIT(L1) | BIT(A));
	rot = op_rotate(w, L1, 3, BIT(L1) | BIT(A));
	r0 = fold(w);
	/* The same entry twice: one copy is reported, nothing changes. */
	memcpy(in, w->in, w->n * sizeof(in[0]));
	in[w->n] = w->in[a];
	n = w->n + 1;
	assert_int_equal(fold_in(w, in, n, BIT(L1) | BIT(L2), NULL, &r), 0);
	assert_int_equal(r->nrejected, 1);
	assert_int_equal(r->rejected[0].reason, ROSTER_R_DUPLICATE);
	assert_int_equal(r->nmembers, r0->nmembers);
	assert_int_equal(r->nepochs, r0->nepochs);
	roster_free(r);
	/* Two different entries at one (author, seq): both are void. */
	in[w->n] = w->in[a];
	in[w->n].lamport = 7;
	in[w->n].entry_id[5] ^= 1;
	assert_int_equal(fold_in(w, in, n, BIT(L1) | BIT(L2), NULL, &r), 0);
	assert_int_equal(r->nrejected, 2);
	assert_int_equal(reason(r, w, a), ROSTER_R_FORK);
	assert_int_equal(status(r, w, A), -1);
	roster_free(r);
	/* An epoch id that is taken (forged entry id prefix) is refused. */
	memcpy(in, w->in, w->n * sizeof(in[0]));
	memcpy(in[rot].entry_id, in[a].entry_id, 8);
	assert_int_equal(fold_in(w, in, w->n, BIT(L1) | BIT(L2), NULL, &r), 0);
	assert_int_equal(r->nrejected, 1);
	assert_memory_equal(r->rejected[0].entry_id, in[rot].entry_id, 32);
	assert_int_equal(r->rejected[0].reason, ROSTER_R_EPOCH_ID);
	roster_free(r);
	/* An entry id starting with 8 zero bytes makes epoch id 1. */
	memset(in[rot].entry_id, 0, 8);
	assert_int_equal(fold_in(w, in, w->n, BIT(L1) | BIT(L2), NULL, &r), 0);
	assert_true(r->epochs[2].id == 1);
	roster_free(r);
	roster_free(r0);
	world_free(w);
}

static void
test_fold_edge_cases(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	struct roster_in in[MAXIN];
	uint8_t mpk[32], h[32], other[8];
	size_t self, nosuch, full, i, a, rv, addB, n;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	self = op_revoke(w, L1, 2, L1, 0, BIT(L1));
	nosuch = op_revoke(w, L1, 2, X, 0, BIT(L1));
	/* 64 active members (with the founder) is the most. */
	memset(mpk, 0x77, sizeof(mpk));
	for (i = 0; i < ROSTER_ACTIVE_MAX - 1; i++) {
		mpk[0] = (uint8_t)i;
		op_add_raw(w, L1, 3, mpk);
	}
	mpk[0] = 0xff;
	full = op_add_raw(w, L1, 4, mpk);
	r = fold(w);
	assert_int_equal(reason(r, w, self), ROSTER_R_SELF);
	assert_int_equal(reason(r, w, nosuch), ROSTER_R_NO_SUCH_MEMBER);
	assert_int_equal(reason(r, w, full), ROSTER_R_FULL);
	assert_int_equal(r->nrejected, 3);
	assert_int_equal(r->nmembers, ROSTER_ACTIVE_MAX);
	roster_free(r);
	world_free(w);

	/* Epoch ids taken by an ADD's or a REVOKE's entry id are refused. */
	w = world_new();
	op_create(w, L1, 1, BIT(L1));
	a = op_add(w, L1, 2, A, NULL, BIT(L1) | BIT(A));
	addB = op_add(w, L1, 3, B, NULL, BIT(L1) | BIT(A) | BIT(B));
	rv = op_revoke(w, L1, 4, A, 0, BIT(L1));
	memcpy(in, w->in, w->n * sizeof(in[0]));
	memcpy(in[addB].entry_id, in[a].entry_id, 8);
	memcpy(in[rv].entry_id, in[a].entry_id, 8);
	assert_int_equal(fold_in(w, in, w->n, BIT(L1), NULL, &r), 0);
	assert_int_equal(r->nrejected, 2);
	assert_int_equal(r->rejected[0].reason, ROSTER_R_EPOCH_ID);
	assert_int_equal(r->rejected[1].reason, ROSTER_R_EPOCH_ID);
	assert_int_equal(status(r, w, B), -1);
	assert_int_equal(status(r, w, A), ROSTER_ACTIVE);
	roster_free(r);

	/* Forks that differ only in time, or only in body, are forks. */
	memcpy(in, w->in, w->n * sizeof(in[0]));
	n = w->n;
	in[n] = w->in[a];
	in[n].time_ms++;
	in[n + 1] = w->in[rv];
	memset(other, 0x91, sizeof(other));	/* fixarray of one nil */
	other[1] = 0xc0;
	in[n + 1].body = other;
	in[n + 1].body_len = 2;
	assert_int_equal(fold_in(w, in, n + 2, BIT(L1), NULL, &r), 0);
	assert_int_equal(reason(r, w, a), ROSTER_R_FORK);
	assert_int_equal(reason(r, w, rv), ROSTER_R_FORK);
	assert_int_equal(r->nrejected, 4);
	roster_free(r);

	/* A body pointer that is NULL with a length is a caller error. */
	in[n].body = NULL;
	in[n].body_len = 3;
	assert_int_equal(fold_in(w, in, n + 1, BIT(L1), NULL, &r), BAL_EINVAL);
	assert_null(r);

	world_free(w);

	/*
	 * The founder leaves before the co-leader rotates: every epoch is
	 * known to someone gone, so there is none to write under yet.
	 */
	w = world_new();
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, L2, NULL, BIT(L1) | BIT(L2));
	op_leave(w, L1, 3);
	r = fold(w);
	assert_true(r->write_epoch == ROSTER_NO_EPOCH);
	assert_true(r->needs_rotation);
	assert_int_equal(roster_state_hash(r, h), 0);
	roster_free(r);
	op_rotate(w, L2, 4, BIT(L2));
	r = fold(w);
	assert_int_equal(r->write_epoch, 2);
	assert_false(r->needs_rotation);
	roster_free(r);
	world_free(w);
}

static void
test_fold_args(void **state)
{
	struct world *w = world_new();
	struct roster *r = (struct roster *)1;
	uint8_t lead[1][32], h[32], k[32];

	(void)state;
	memcpy(lead[0], pk(w, L1), 32);
	op_create(w, L1, 1, BIT(L1));
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead, 1, NULL, 0,
	    &r), BAL_ENOENT);
	assert_null(r);
	assert_int_equal(roster_fold(NULL, 1, w->in, 1, &r), BAL_EINVAL);
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead, 0, w->in, 1,
	    &r), BAL_EINVAL);
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead,
	    ROSTER_LEADERS_MAX + 1, w->in, 1, &r), BAL_EINVAL);
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead, 1, NULL, 1,
	    &r), BAL_EINVAL);
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead, 1, w->in,
	    ROSTER_OPS_MAX + 1, &r), BAL_ETOOBIG);
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead, 1, w->in, 1,
	    NULL), BAL_EINVAL);
	assert_int_equal(roster_fold((const uint8_t (*)[32])lead, 1, w->in, 1,
	    &r), 0);
	assert_int_equal(roster_state_hash(r, h), 0);
	assert_int_equal(roster_state_hash(NULL, h), BAL_EINVAL);
	assert_int_equal(roster_epoch_key(NULL, 0, w->p[L1], k), BAL_EINVAL);
	assert_int_equal(roster_epoch_key(r, 0, NULL, k), BAL_EINVAL);
	assert_null(roster_member_find(NULL, pk(w, L1)));
	assert_false(roster_is_active(NULL, pk(w, L1)));
	assert_int_equal(roster_entry_allowed(NULL, pk(w, L1), 1), BAL_EPERM);
	assert_null(roster_epoch_find(NULL, 0));
	roster_free(r);
	world_free(w);
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_roundtrip),
		cmocka_unit_test(test_op_tamper_truncate),
		cmocka_unit_test(test_op_garbage),
		cmocka_unit_test(test_fold_basic),
		cmocka_unit_test(test_fold_order_free),
		cmocka_unit_test(test_non_leader),
		cmocka_unit_test(test_revoked_leader),
		cmocka_unit_test(test_remove_wins),
		cmocka_unit_test(test_readmission),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_needs_rotation),
		cmocka_unit_test(test_history_full),
		cmocka_unit_test(test_amend),
		cmocka_unit_test(test_duplicates_and_collisions),
		cmocka_unit_test(test_fold_edge_cases),
		cmocka_unit_test(test_fold_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
