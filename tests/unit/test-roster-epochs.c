/*
 * test-roster-epochs.c — the roster fold's epochs and edges: rotation,
 * full history, amendments, duplicates and collisions, edge cases,
 * arguments.
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

/*
 * An earlier epoch's envelope written again as a new epoch (the same key,
 * so the same commitment) is refused as epoch-id: a leader cannot bring
 * back a key a removed member holds.  The fold keeps each epoch's
 * commitment, and a holder's key opens against it.
 */
static void
test_replayed_envelope(void **state)
{
	struct world *w = world_new();
	struct roster *r;
	struct roster_op *op;
	uint8_t *body, k[32], c[EPOCH_COMMIT_BYTES];
	size_t blen, rot, again;

	(void)state;
	op_create(w, L1, 1, BIT(L1));
	op_add(w, L1, 2, A, NULL, BIT(L1) | BIT(A));
	rot = op_rotate(w, L1, 3, BIT(L1) | BIT(A));
	assert_int_equal(roster_op_decode(w->in[rot].body, w->in[rot].body_len,
	    &op), 0);
	assert_int_equal(roster_encode_rotate(op->envelope, op->envelope_len,
	    &body, &blen), 0);
	roster_op_free(op);
	again = emit(w, L1, 4, body, blen);
	r = fold(w);
	assert_int_equal(reason(r, w, again), ROSTER_R_EPOCH_ID);
	assert_int_equal(r->nepochs, 3);
	epoch_commit(w->key[rot], c);
	assert_memory_equal(r->epochs[2].commit, c, sizeof(c));
	assert_int_equal(roster_epoch_key(r, r->epochs[2].id, w->p[A], k), 0);
	assert_memory_equal(k, w->key[rot], 32);
	roster_free(r);
	world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_rotation),
		cmocka_unit_test(test_history_full),
		cmocka_unit_test(test_amend),
		cmocka_unit_test(test_duplicates_and_collisions),
		cmocka_unit_test(test_fold_edge_cases),
		cmocka_unit_test(test_fold_args),
		cmocka_unit_test(test_replayed_envelope),
	};

	return cmocka_run_group_tests(tests, roster_setup, NULL);
}
