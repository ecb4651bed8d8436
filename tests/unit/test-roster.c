/*
 * test-roster.c — the roster fold: order, leaders, revocation,
 * readmission, cuts and leaving.
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

/* A non-roster entry of who's log (advances seq, e.g. a note). */
static void
skip_seq(struct world *w, int who, uint64_t n)
{
	w->seq[who] += n;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_basic),
		cmocka_unit_test(test_fold_order_free),
		cmocka_unit_test(test_non_leader),
		cmocka_unit_test(test_revoked_leader),
		cmocka_unit_test(test_remove_wins),
		cmocka_unit_test(test_readmission),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_leave),
	};

	return cmocka_run_group_tests(tests, roster_setup, NULL);
}
