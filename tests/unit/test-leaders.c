/*
 * test-leaders.c — leaders on real members: the group state code, the co-
 * leader, contract amendments and acceptances, and two leaders changing
 * the roster while partitioned.
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

static int
rotate(struct member *l)
{
	uint8_t *env = NULL, *body = NULL;
	size_t envlen = 0, len = 0;

	seal_new_epoch(l->g, NULL, NULL, &env, &envlen);
	assert_int_equal(roster_encode_rotate(env, envlen, &body, &len), 0);
	free(env);
	return append_body(l, body, len);
}

/* Does m read a note with this title? */
static int
reads(struct member *m, const char *title)
{
	struct group_note *notes = NULL;
	size_t n = 0, i;
	int found = 0;

	assert_int_equal(group_notes(m->g, &notes, &n), 0);
	for (i = 0; i < n; i++)
		if (notes[i].note != NULL && !notes[i].deleted &&
		    strcmp(notes[i].note->title, title) == 0)
			found = 1;
	group_notes_free(notes, n);
	return found;
}

/* The contract of m's group, edited: text replaced, co-leader kept. */
static void
amended_text(const struct member *m, const char *body, char **out,
    size_t *len)
{
	char *t = NULL, *blank;
	size_t tl = 0;

	assert_int_equal(contract_text(m->g->contract, m->d.id->pk, &t, &tl),
	    0);
	blank = strstr(t, "\n\n");
	assert_non_null(blank);
	blank[2] = '\0';
	*len = strlen(t) + strlen(body);
	*out = malloc(*len + 1);
	assert_non_null(*out);
	snprintf(*out, *len + 1, "%s%s", t, body);
	free(t);
}

/* Tests. */

static void
test_state_code(void **state)
{
	struct cast k;
	struct member *all[4];
	uint8_t h[BAL_HASH_BYTES];
	char code[STATECODE_TEXT_BYTES], want[STATECODE_TEXT_BYTES];
	char before[STATECODE_TEXT_BYTES];
	struct group *joining = NULL;
	size_t i;

	(void)state;
	cast_open(&k);
	found_forged(&k.l1, NULL);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	hash_of(&k.l1, h);
	statecode_make(k.l1.g->id, h, want);
	assert_string_equal(code, want);
	assert_int_equal(strlen(code), STATECODE_TEXT_BYTES - 1);
	for (i = 0; i < STATECODE_TEXT_BYTES - 1; i++)
		assert_true(i % 5 == 4 ? code[i] == '-' :
		    (code[i] >= '0' && code[i] <= '9'));
	/* A group being joined has no code yet. */
	assert_int_equal(group_join_new(&k.b.d, k.l1.g->id, &joining), 0);
	assert_int_equal(group_state_code(joining, code), BAL_ESTATE);
	assert_string_equal(code, "");
	group_forget(joining);
	/* Any change of the roster changes it; equal rosters, equal codes. */
	memcpy(before, want, sizeof(before));
	assert_int_equal(do_add(&k.l1, &k.b), 0);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	assert_string_not_equal(code, before);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	all[0] = &k.l1;
	all[1] = &k.b;
	expect_same(all, 2);
	/* Notes do not change it; a new epoch does. */
	assert_int_equal(group_state_code(k.l1.g, before), 0);
	assert_int_equal(write_titled(&k.b, "note"), 0);
	assert_int_equal(sync_pair(&k.b, &k.l1), 0);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	assert_string_equal(code, before);
	assert_int_equal(rotate(&k.l1), 0);
	assert_int_equal(group_state_code(k.l1.g, code), 0);
	assert_string_not_equal(code, before);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	expect_same(all, 2);
	cast_close(&k);
}

/* The co-leader is a leader once added: invites (ADD) and revokes. */
static void
test_co_leader(void **state)
{
	struct cast k;
	struct member *all[4];

	(void)state;
	cast_open(&k);
	found_forged(&k.l1, &k.l2);
	assert_int_equal(k.l1.g->contract->nleaders, 2);
	/* Named by the contract, but no member yet: no leader. */
	assert_false(roster_is_leader(k.l1.g->roster, k.l2.d.id->pk));
	assert_int_equal(do_add(&k.l1, &k.l2), 0);
	assert_true(roster_is_leader(k.l1.g->roster, k.l2.d.id->pk));
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_true(roster_is_leader(k.l2.g->roster, k.l2.d.id->pk));
	/* l2 adds b and c, then revokes c. */
	assert_int_equal(do_add(&k.l2, &k.b), 0);
	assert_int_equal(do_add(&k.l2, &k.c), 0);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(status_of(&k.l1, &k.c), ROSTER_ACTIVE);
	assert_false(roster_is_leader(k.l1.g->roster, k.b.d.id->pk));
	assert_int_equal(do_revoke(&k.l2, &k.c), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(status_of(&k.l1, &k.c), ROSTER_REVOKED);
	assert_int_equal(status_of(&k.b, &k.c), ROSTER_REVOKED);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	expect_same(all, 3);
	/* A leader cannot revoke themself; b (no leader) cannot write one. */
	assert_int_equal(do_revoke(&k.l2, &k.l2), BAL_EPERM);
	assert_int_equal(do_revoke(&k.b, &k.l1), BAL_EPERM);
	assert_int_equal(do_add(&k.b, &k.x), BAL_EPERM);
	cast_close(&k);
}

/* Amendments through group_amend; versions and acceptances. */
static void
test_amend_and_accept(void **state)
{
	struct cast k;
	struct group_contract_info *ci = NULL;
	struct member *all[4];
	char err[256], *text = NULL;
	char c1[STATECODE_TEXT_BYTES], c2[STATECODE_TEXT_BYTES];
	uint8_t v1hash[BAL_HASH_BYTES];
	size_t len = 0, i;
	unsigned v = 0;

	(void)state;
	cast_open(&k);
	cast_group(&k);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.c;
	assert_int_equal(group_state_code(k.l1.g, c1), 0);
	memcpy(v1hash, k.l1.g->roster->contract_hash, sizeof(v1hash));
	assert_memory_equal(v1hash, k.l1.g->id, BAL_HASH_BYTES);
	assert_int_equal(group_contract_info(k.b.g, &ci), 0);
	assert_int_equal(ci->nversions, 1);
	assert_memory_equal(ci->versions[0].author, k.l1.d.id->pk,
	    BAL_PK_BYTES);
	assert_int_equal(ci->nmembers, 4);
	/* Version 1 only: the founder wrote it, everyone else joined. */
	for (i = 0; i < ci->nmembers; i++) {
		assert_int_equal(ci->members[i].accepted_version, 1);
		assert_int_equal(ci->members[i].how, i == 0 ?
		    GROUP_ACCEPTED_AUTHOR : GROUP_ACCEPTED_AT_JOIN);
	}
	group_contract_info_free(ci);
	/* Nothing changed: refused.  A text that does not parse: refused. */
	amended_text(&k.l2, "What is said here stays here.\n", &text, &len);
	assert_int_equal(group_amend(k.l2.g, text, len, &v, err,
	    sizeof(err)), BAL_EEXIST);
	free(text);
	assert_int_equal(group_amend(k.l2.g, "Colour: x\n", 10, &v, err,
	    sizeof(err)), BAL_ESYNTAX);
	assert_non_null(strstr(err, "line 1"));
	/* The co-leader amends. */
	amended_text(&k.l2, "We meet on Thursdays.\n", &text, &len);
	assert_int_equal(group_amend(k.l2.g, text, len, &v, err,
	    sizeof(err)), 0);
	free(text);
	assert_int_equal(v, 2);
	assert_string_equal(k.l2.g->contract->text, "We meet on Thursdays.\n");
	assert_int_equal(k.l2.g->contract->nleaders, 2);
	assert_true(roster_is_leader(k.l2.g->roster, k.l1.d.id->pk));
	assert_int_equal(group_state_code(k.l2.g, c2), 0);
	assert_string_not_equal(c1, c2);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.c), 0);
	expect_same(all, 4);
	assert_string_equal(k.c.g->contract->text, "We meet on Thursdays.\n");
	/* c accepts version 2; l1 sees it; the state code stays. */
	assert_int_equal(group_accept(k.c.g, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 2);
	assert_int_equal(group_accept(k.c.g, &v, err, sizeof(err)),
	    BAL_EEXIST);
	assert_int_equal(sync_pair(&k.c, &k.l1), 0);
	expect_same(all, 2);
	assert_int_equal(group_contract_info(k.l1.g, &ci), 0);
	assert_int_equal(ci->nversions, 2);
	assert_memory_equal(ci->versions[0].hash, v1hash, BAL_HASH_BYTES);
	assert_memory_equal(ci->versions[1].hash,
	    k.l1.g->roster->contract_hash, BAL_HASH_BYTES);
	assert_memory_equal(ci->versions[1].author, k.l2.d.id->pk,
	    BAL_PK_BYTES);
	for (i = 0; i < ci->nmembers; i++) {
		const struct group_acceptance *a = &ci->members[i];

		assert_int_equal(a->joined_version, 1);
		if (memcmp(a->member, k.l2.d.id->pk, BAL_PK_BYTES) == 0) {
			assert_int_equal(a->accepted_version, 2);
			assert_int_equal(a->how, GROUP_ACCEPTED_AUTHOR);
		} else if (memcmp(a->member, k.c.d.id->pk,
		    BAL_PK_BYTES) == 0) {
			assert_int_equal(a->accepted_version, 2);
			assert_int_equal(a->how, GROUP_ACCEPTED_EXPLICITLY);
		} else {
			assert_int_equal(a->accepted_version, 1);
			assert_int_equal(a->how, memcmp(a->member,
			    k.l1.d.id->pk, BAL_PK_BYTES) == 0 ?
			    GROUP_ACCEPTED_AUTHOR : GROUP_ACCEPTED_AT_JOIN);
		}
	}
	group_contract_info_free(ci);
	/* x joins under version 2: accepted at join, version 2. */
	assert_int_equal(do_add(&k.l1, &k.x), 0);
	assert_int_equal(sync_pair(&k.l1, &k.x), 0);
	assert_int_equal(group_contract_info(k.x.g, &ci), 0);
	assert_int_equal(ci->members[4].joined_version, 2);
	assert_int_equal(ci->members[4].accepted_version, 2);
	group_contract_info_free(ci);
	/* A stale amendment (of version 1) after version 2: contract. */
	{
		struct blobs bad;
		struct contract *next = NULL;
		uint8_t *cenc = NULL, *body = NULL;
		size_t clen = 0, blen = 0;

		memset(&bad, 0, sizeof(bad));
		assert_int_equal(sync_pair(&k.l1, &k.b), 0);
		assert_int_equal(contract_dup(k.l1.g->contract, &next), 0);
		memcpy(next->prev, v1hash, BAL_HASH_BYTES);
		memcpy(next->leaders[0], k.l1.d.id->pk, BAL_PK_BYTES);
		memcpy(next->leaders[1], k.l2.d.id->pk, BAL_PK_BYTES);
		assert_int_equal(contract_encode(next, &cenc, &clen), 0);
		assert_int_equal(roster_encode_amend(cenc, clen, v1hash, &body,
		    &blen), 0);
		forge_entry(&k.l1, k.l1.g->id, ENTRY_KIND_ROSTER, body, blen, &bad);
		expect_folded_out(&k.b, &bad, ROSTER_R_CONTRACT);
		free(cenc);
		free(body);
		contract_free(next);
		blobs_free(&bad);
	}
	/* An amendment that drops the co-leader: l2 leads no more. */
	{
		static const char t3[] = "Name: Forged\nHistory: full\n\n"
		    "Only lena leads.\n";

		assert_int_equal(group_amend(k.l1.g, t3, strlen(t3), &v, err,
		    sizeof(err)), 0);
		assert_int_equal(v, 3);
		assert_false(roster_is_leader(k.l1.g->roster, k.l2.d.id->pk));
		assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
		assert_int_equal(do_add(&k.l2, &k.y), BAL_EPERM);
		amended_text(&k.l2, "lars again\n", &text, &len);
		assert_int_equal(group_amend(k.l2.g, text, len, &v, err,
		    sizeof(err)), BAL_EPERM);
		free(text);
		assert_int_equal(k.l2.g->contract->history,
		    CONTRACT_HISTORY_FULL);
	}
	/* Reloaded from the store: the same versions. */
	group_free_all(&k.l1.d);
	assert_int_equal(group_load_all(&k.l1.d), 0);
	k.l1.g = k.l1.d.groups;
	assert_int_equal(group_contract_info(k.l1.g, &ci), 0);
	assert_int_equal(ci->nversions, 3);
	group_contract_info_free(ci);
	cast_close(&k);
}

/*
 * Two leaders, partitioned: l1 revokes x while l2 adds y.  Whatever order
 * the entries then reach each member, all agree on roster, epochs and
 * state code; x is revoked (remove wins), y active; once a leader rotates,
 * y's note is read by l1 and sealed under a key x never held.
 */
static void
test_two_leaders_partitioned(void **state)
{
	struct cast k;
	struct member *all[5];
	const struct roster *r;
	uint8_t key[BAL_KEY_BYTES];
	uint64_t wid;

	(void)state;
	cast_open(&k);
	found_forged(&k.l1, &k.l2);
	assert_int_equal(do_add(&k.l1, &k.l2), 0);
	assert_int_equal(do_add(&k.l1, &k.b), 0);
	assert_int_equal(do_add(&k.l1, &k.x), 0);
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.x), 0);
	assert_int_equal(write_titled(&k.x, "by xaver"), 0);
	assert_int_equal(sync_pair(&k.x, &k.l1), 0);
	assert_int_equal(sync_pair(&k.x, &k.l2), 0);
	/* Partition: l1 with b, l2 alone (then with y). */
	assert_int_equal(do_revoke(&k.l1, &k.x), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(do_add(&k.l2, &k.y), 0);
	assert_int_equal(sync_pair(&k.l2, &k.y), 0);
	assert_int_equal(status_of(&k.y, &k.x), ROSTER_ACTIVE);
	/* Reconnect, in different orders at different members. */
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);	/* l1: add after revoke */
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);	/* l2: revoke after add */
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.y), 0);
	all[0] = &k.l1;
	all[1] = &k.l2;
	all[2] = &k.b;
	all[3] = &k.y;
	expect_same(all, 4);
	r = k.y.g->roster;
	assert_int_equal(status_of(&k.y, &k.x), ROSTER_REVOKED);
	assert_int_equal(status_of(&k.l1, &k.y), ROSTER_ACTIVE);
	assert_int_equal(status_of(&k.l2, &k.x), ROSTER_REVOKED);
	/* An epoch x holds, or one y lacks, is current: a leader rotates. */
	assert_true(r->needs_rotation);
	/* Both leaders rotate at once: still one outcome. */
	assert_int_equal(rotate(&k.l1), 0);
	assert_int_equal(rotate(&k.l2), 0);
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_int_equal(sync_pair(&k.l2, &k.l1), 0);
	assert_int_equal(sync_pair(&k.l2, &k.y), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l2, &k.b), 0);
	expect_same(all, 4);
	r = k.y.g->roster;
	assert_false(r->needs_rotation);
	assert_int_equal(r->write_epoch, r->current);
	/* y writes; l1 reads it; x holds no key of its epoch. */
	assert_int_equal(write_titled(&k.y, "by yuki"), 0);
	assert_int_equal(sync_pair(&k.y, &k.l1), 0);
	assert_true(reads(&k.l1, "by yuki"));
	assert_true(reads(&k.l1, "by xaver"));
	wid = r->epochs[r->write_epoch].id;
	assert_int_not_equal(roster_epoch_key(k.l1.g->roster, wid, k.x.d.id,
	    key), 0);
	assert_true(sodium_is_zero(key, sizeof(key)));
	for (size_t i = 0; i < k.x.g->nkeys; i++)
		assert_true(k.x.g->keys[i].epoch != wid);
	/* A latecomer that gets everything at once agrees too. */
	assert_int_equal(do_add(&k.l1, &k.c), 0);
	assert_int_equal(sync_pair(&k.l1, &k.c), 0);
	assert_int_equal(sync_pair(&k.l1, &k.l2), 0);
	assert_int_equal(sync_pair(&k.l1, &k.b), 0);
	assert_int_equal(sync_pair(&k.l1, &k.y), 0);
	all[4] = &k.c;
	expect_same(all, 5);
	/* History: from-join: c reads nothing written before c joined. */
	assert_false(reads(&k.c, "by yuki"));
	cast_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_code),
		cmocka_unit_test(test_co_leader),
		cmocka_unit_test(test_amend_and_accept),
		cmocka_unit_test(test_two_leaders_partitioned),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
