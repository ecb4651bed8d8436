/*
 * test-forged.c — roster entries that must not count, handed to real
 * members (stores on disk, groups as the daemon keeps them): ADD, REVOKE
 * and AMEND signed by a member who is no leader, a REVOKE by a revoked
 * leader beyond its cut, CREATEs of the wrong group or by the wrong
 * founder. Each is refused by group_receive (non-zero, store unchanged) or
 * stored and folded as rejected (roster and state hash unchanged).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "contract.h"
#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "note.h"
#include "roster.h"
#include "statecode.h"
#include "store.h"

#include "group-fixture.h"
#include "forged-fixture.h"

/*
 * The forged entry is refused: group_receive fails and m's store, roster
 * and keys are as they were.
 */
static void
expect_refused(struct member *m, struct blobs *bad)
{
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	uint64_t before = count(m, m->g);
	size_t nkeys = m->g->nkeys, stored = 99;

	hash_of(m, h1);
	assert_true(deliver(m, bad, &stored) < 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count(m, m->g), before);
	assert_int_equal(m->g->nkeys, nkeys);
	hash_of(m, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
}

/*
 * An entry of a removed member beyond their cut: not stored, and the batch
 * still goes through (an honest relay may hold it from before the removal).
 */
static void
expect_skipped(struct member *m, struct blobs *bad)
{
	uint8_t h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	uint64_t before = count(m, m->g);
	size_t nkeys = m->g->nkeys, stored = 99;

	hash_of(m, h1);
	assert_int_equal(deliver(m, bad, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count(m, m->g), before);
	assert_int_equal(m->g->nkeys, nkeys);
	hash_of(m, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
}

/* ADD and REVOKE signed by a member who is no leader, and by a stranger. */
static void
test_forged_by_non_leader(void **state)
{
	struct cast k;
	struct blobs bad;
	uint8_t *body = NULL, sig[BAL_SIG_BYTES], *env = NULL;
	size_t len = 0, envlen = 0;
	struct member *all[4];

	(void)state;
	cast_open(&k);
	cast_group(&k);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.c;
	memset(&bad, 0, sizeof(bad));
	/* b's own daemon does not write it. */
	assert_int_equal(do_add(&k.b, &k.x), BAL_EPERM);
	/*
	 * b (a member) signs an ADD of x: refused on receipt by everyone
	 * (no fold would take it; storing it let one member make every
	 * other store and refold junk, issue 12).
	 */
	add_body(&k.l1, &k.x, &body, &len);	/* well-formed, x accepted */
	forge_entry(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l1, &bad);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.c, &bad);
	expect_refused(&k.b, &bad);
	assert_null(roster_member_find(k.l1.g->roster, k.x.d.id->pk));
	assert_false(roster_is_active(k.c.g->roster, k.x.d.id->pk));
	blobs_free(&bad);
	/* b signs a REVOKE of c, with a new epoch: refused. */
	revoke_body(&k.l1, &k.c, &body, &len);
	forge_entry(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l1, &bad);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.c, &bad);
	assert_int_equal(status_of(&k.l1, &k.c), ROSTER_ACTIVE);
	assert_int_equal(status_of(&k.c, &k.c), ROSTER_ACTIVE);
	blobs_free(&bad);
	/* b signs a ROTATE: refused. */
	seal_new_epoch(k.l1.g, NULL, NULL, &env, &envlen);
	assert_int_equal(roster_encode_rotate(env, envlen, &body, &len), 0);
	free(env);
	forge_entry(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l1, &bad);
	expect_refused(&k.c, &bad);
	blobs_free(&bad);
	/* A LEAVE whose cut is not its own seq: refused. */
	assert_int_equal(roster_encode_leave(7, &body, &len), 0);
	forge_entry(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l1, &bad);
	blobs_free(&bad);
	/* x, never admitted, signs an ADD of y: refused outright. */
	add_body(&k.l1, &k.y, &body, &len);
	forge_entry(&k.x, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l1, &bad);
	expect_refused(&k.b, &bad);
	blobs_free(&bad);
	/* A leader's ADD whose newcomer never accepted the contract. */
	memset(sig, 0x55, sizeof(sig));
	seal_new_epoch(k.l1.g, k.y.d.id->pk, NULL, &env, &envlen);
	assert_int_equal(roster_encode_add(k.y.d.id->pk, "yuki", sig, NULL,
	    env, envlen, NULL, 0, &body, &len), 0);
	free(env);
	forge_entry(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.c, &bad);
	blobs_free(&bad);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(sync_pair(&k.c, &k.b), 0);
	expect_same(all, 4);
	cast_close(&k);
}

/* A REVOKE by a leader who was revoked, beyond the cut. */
static void
test_forged_by_revoked_leader(void **state)
{
	struct cast k;
	struct blobs bad;
	struct member *all[3];
	uint8_t *body = NULL;
	size_t len = 0;
	int reason;

	(void)state;
	cast_open(&k);
	cast_group(&k);
	/* l2 writes a note (seq 1), seen by l1 and c; l1 revokes l2. */
	assert_int_equal(write_titled(&k.l2, "by lars"), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l2, &k.c), 0);
	assert_int_equal(do_revoke(&k.l1, &k.l2), 0);
	assert_int_equal(k.l1.g->roster->members[1].cut, 1);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_false(roster_is_leader(k.b.g->roster, k.l2.d.id->pk));
	/*
	 * l2, not knowing (or not caring), revokes b: seq 2, beyond the cut.
	 * Who knows of the revocation refuses it.
	 */
	assert_int_equal(do_revoke(&k.l2, &k.b), 0);
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(group_entries_after(k.l2.g, k.l2.d.id->pk, 1, 0,
	    collect_cb, &bad), 0);
	assert_int_equal(bad.n, 1);
	expect_skipped(&k.l1, &bad);
	expect_skipped(&k.b, &bad);
	assert_int_equal(status_of(&k.b, &k.b), ROSTER_ACTIVE);
	/*
	 * c has not heard of it yet and takes l2's REVOKE (b revoked, for
	 * now); once the revocation of l2 arrives, the cut voids l2's REVOKE
	 * (and c drops it from its store), so c agrees with everyone:
	 * whatever the order, one outcome.
	 */
	assert_int_equal(deliver(&k.c, &bad, NULL), 0);
	assert_int_equal(status_of(&k.c, &k.b), ROSTER_REVOKED);
	assert_int_equal(sync_pair(&k.l1, &k.c), 0);
	assert_int_equal(status_of(&k.c, &k.b), ROSTER_ACTIVE);
	assert_int_equal(status_of(&k.c, &k.l2), ROSTER_REVOKED);
	assert_int_equal(head_seq(&k.c, k.l2.d.id->pk), 1);
	/* (Folded out as beyond-cut, or gone from the fold's input.) */
	reason = reject_reason(&k.c, bad.p[0], bad.len[0]);
	assert_true(reason == ROSTER_R_BEYOND_CUT || reason == 0);
	blobs_free(&bad);
	all[0] = &k.l1;
	all[1] = &k.b;
	all[2] = &k.c;
	expect_same(all, 3);
	/* Anything else l2 signs is refused too: an ADD of x. */
	add_body(&k.l1, &k.x, &body, &len);
	forge_entry(&k.l2, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_skipped(&k.l1, &bad);
	expect_skipped(&k.c, &bad);
	blobs_free(&bad);
	expect_same(all, 3);
	cast_close(&k);
}

/* CREATEs: of another group, a second one, or by the wrong founder. */
static void
test_forged_create(void **state)
{
	struct cast k;
	struct member other;
	struct blobs bad, good;
	struct group *gp = NULL;
	uint8_t *cenc = NULL, *body = NULL, *env = NULL, *key = NULL;
	size_t clen = 0, len = 0, envlen = 0;

	(void)state;
	cast_open(&k);
	cast_group(&k);
	member_open(&other, 9, "otto");
	found_forged(&other, NULL);
	memset(&bad, 0, sizeof(bad));
	/* other's CREATE (its own group's contract) signed into our group. */
	assert_int_equal(contract_encode(other.g->contract, &cenc, &clen), 0);
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	assert_int_equal(epoch_seal(key, 0, k.l1.g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])k.b.d.id->pk, 1, NULL, &env,
	    &envlen), 0);
	assert_int_equal(roster_encode_create(cenc, clen, "bea", env, envlen,
	    &body, &len), 0);
	forge_entry(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	free(cenc);
	/* At members: a CREATE of a group that exists. */
	expect_refused(&k.l1, &bad);
	expect_refused(&k.c, &bad);
	/* At a newcomer who has nothing yet: another group's contract. */
	k.x.g = NULL;
	assert_int_equal(group_join_new(&k.x.d, k.l1.g->id, &gp), 0);
	assert_true(group_receive(gp, (const uint8_t *const *)bad.p, bad.len,
	    bad.n, NULL, NULL, NULL, 0) < 0);
	assert_null(gp->roster);
	blobs_free(&bad);
	/* Our group's own contract, but signed by the co-leader. */
	assert_int_equal(contract_encode(k.l1.g->contract, &cenc, &clen), 0);
	assert_int_equal(roster_encode_create(cenc, clen, "lars", env, envlen,
	    &body, &len), 0);
	free(cenc);
	{
		struct member fresh;

		member_open(&fresh, 2, "lars");	/* l2's key, empty store */
		forge_entry(&fresh, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
		member_close(&fresh);
	}
	free(body);
	assert_true(group_receive(gp, (const uint8_t *const *)bad.p, bad.len,
	    bad.n, NULL, NULL, NULL, 0) < 0);
	assert_null(gp->roster);
	blobs_free(&bad);
	/* The true CREATE goes in after all that. */
	memset(&good, 0, sizeof(good));
	assert_int_equal(group_entries_after(k.l1.g, k.l1.d.id->pk, 0, 1,
	    collect_cb, &good), 0);
	assert_int_equal(group_receive(gp, (const uint8_t *const *)good.p,
	    good.len, good.n, NULL, NULL, NULL, 0), 0);
	assert_non_null(gp->roster);
	blobs_free(&good);
	group_forget(gp);
	/* The founder's second CREATE: refused too. */
	assert_int_equal(contract_encode(k.l1.g->contract, &cenc, &clen), 0);
	assert_int_equal(roster_encode_create(cenc, clen, "lena", env, envlen,
	    &body, &len), 0);
	free(cenc);
	forge_entry(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.b, &bad);
	/* Nor does the founder's own daemon write it. */
	assert_int_equal(group_append(k.l1.g, ENTRY_KIND_ROSTER, body, len,
	    NULL), BAL_EPERM);
	free(body);
	blobs_free(&bad);
	free(env);
	epoch_key_free(key);
	member_close(&other);
	cast_close(&k);
}

/* AMENDs: by a member who is no leader, stale, or dropping its author. */
static void
test_forged_amend(void **state)
{
	struct cast k;
	struct blobs bad;
	struct contract *next = NULL;
	struct member *all[4];
	uint8_t *cenc = NULL, *body = NULL;
	size_t clen = 0, len = 0;
	char err[256];

	(void)state;
	cast_open(&k);
	cast_group(&k);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.c;
	memset(&bad, 0, sizeof(bad));
	/* b's daemon refuses to amend. */
	assert_int_equal(group_amend(k.b.g, "Name: X\n", 8, NULL, err,
	    sizeof(err)), BAL_EPERM);
	assert_string_equal(err, "only a leader of Forged can amend the "
	    "contract");
	/* b makes a version naming b as leader (contract_amend refuses). */
	assert_int_equal(contract_dup(k.l1.g->contract, &next), 0);
	memcpy(next->leaders[0], k.b.d.id->pk, BAL_PK_BYTES);
	memset(next->leaders[1], 0, BAL_PK_BYTES);
	next->nleaders = 1;
	free(next->text);
	next->text = strdup("b rules now.\n");
	assert_int_equal(contract_hash(k.l1.g->contract, next->prev), 0);
	assert_int_equal(contract_encode(next, &cenc, &clen), 0);
	assert_int_equal(roster_encode_amend(cenc, clen,
	    k.l1.g->roster->contract_hash, &body, &len), 0);
	free(cenc);
	contract_free(next);
	forge_entry(&k.b, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	assert_int_equal(group_append(k.b.g, ENTRY_KIND_ROSTER, body, len,
	    NULL), BAL_EPERM);
	free(body);
	expect_refused(&k.l1, &bad);
	expect_refused(&k.l2, &bad);
	expect_refused(&k.c, &bad);
	expect_refused(&k.b, &bad);
	assert_string_equal(k.c.g->contract->text,
	    "What is said here stays here.\n");
	blobs_free(&bad);
	/* A leader's AMEND whose version drops its author: contract. */
	assert_int_equal(contract_dup(k.l1.g->contract, &next), 0);
	memcpy(next->leaders[0], k.l2.d.id->pk, BAL_PK_BYTES);
	memset(next->leaders[1], 0, BAL_PK_BYTES);
	next->nleaders = 1;
	assert_int_equal(contract_hash(k.l1.g->contract, next->prev), 0);
	next->created_ms++;
	assert_int_equal(contract_encode(next, &cenc, &clen), 0);
	assert_int_equal(roster_encode_amend(cenc, clen,
	    k.l1.g->roster->contract_hash, &body, &len), 0);
	free(cenc);
	contract_free(next);
	forge_entry(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, len, &bad);
	free(body);
	expect_folded_out(&k.l2, &bad, ROSTER_R_CONTRACT);
	expect_folded_out(&k.c, &bad, ROSTER_R_CONTRACT);
	blobs_free(&bad);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	expect_same(all, 4);
	assert_string_equal(k.b.g->contract->text,
	    "What is said here stays here.\n");
	cast_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_by_non_leader),
		cmocka_unit_test(test_forged_by_revoked_leader),
		cmocka_unit_test(test_forged_create),
		cmocka_unit_test(test_forged_amend),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
