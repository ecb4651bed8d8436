/*
 * fuzz-roster-fold.c — roster_fold_ex (proto/roster.c) over a list of
 * roster entries made by the fuzzer, with the contract checker of the
 * daemon (contract_amend_check_bytes) deciding amendments.
 *
 * Input: [flags u8: bit 0 = two leaders] then up to MAX_OPS records
 *        [author u8 (mod 5)][seq u8][lamport u16][time u8][len u16][body]
 * Authors 0..3 are fixed identities (leader, co-leader, member, other),
 * 4 a key that is not on the curve.  An entry id is the BLAKE2b of the
 * record, as an entry id hashes its contents.  The seed corpus holds real
 * group histories (create, add, rotate, revoke, leave, amend) made with
 * the project's encoders.
 *
 * Checked: no memory error; the fold gives the same result (return code
 * and roster_state_hash) for the entries in reverse order; every member
 * and epoch record is within its limits; roster_epoch_key and the queries
 * run on every epoch and author without error other than documented.
 */
#include "fuzz.h"
#include "roster.h"
#include "contract.h"

#define MAX_OPS 24
#define NAUTHORS 5

static struct identity *people[4];
static uint8_t pks[NAUTHORS][BAL_PK_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const int seeds[4] = { FUZZ_SEED_LEADER, FUZZ_SEED_COLEADER,
	    FUZZ_SEED_MEMBER, FUZZ_SEED_OTHER };
	int i;

	(void)argc;
	(void)argv;
	fuzz_init();
	for (i = 0; i < 4; i++) {
		people[i] = fuzz_identity(seeds[i]);
		memcpy(pks[i], people[i]->pk, BAL_PK_BYTES);
	}
	memset(pks[4], 0xff, BAL_PK_BYTES);
	return 0;
}

static int
amend_cb(void *ctx, const uint8_t *cur, size_t cur_len, const uint8_t *next,
    size_t next_len, const uint8_t author[BAL_PK_BYTES],
    uint8_t leaders[][BAL_PK_BYTES], size_t *nleaders)
{
	(void)ctx;
	return contract_amend_check_bytes(cur, cur_len, next, next_len,
	    author, leaders, nleaders);
}

static void
check_roster(const struct roster *r)
{
	uint8_t key[BAL_KEY_BYTES];
	size_t i, j;
	int rc;

	fuzz_check(r->nleaders >= 1 && r->nleaders <= ROSTER_LEADERS_MAX);
	fuzz_check(r->nmembers <= ROSTER_MEMBERS_MAX);
	fuzz_check(r->nepochs >= 1 && r->current < r->nepochs);
	fuzz_check(r->write_epoch == ROSTER_NO_EPOCH ||
	    r->write_epoch < r->nepochs);
	fuzz_touch(r->contract, r->contract_len);
	for (i = 0; i < r->nmembers; i++) {
		fuzz_check(memchr(r->members[i].name, '\0',
		    sizeof(r->members[i].name)) != NULL);
		fuzz_check(r->members[i].status >= ROSTER_ACTIVE &&
		    r->members[i].status <= ROSTER_LEFT);
		fuzz_check(roster_member_find(r, r->members[i].pk) ==
		    &r->members[i]);
		(void)roster_is_leader(r, r->members[i].pk);
	}
	for (i = 0; i < r->nepochs; i++) {
		fuzz_check(r->epochs[i].nrecipients <= EPOCH_MAX_RECIPIENTS);
		fuzz_check(r->epochs[i].ordinal == i);
		fuzz_check(roster_epoch_find(r, r->epochs[i].id) != NULL);
		for (j = 0; j < 4; j++) {
			rc = roster_epoch_key(r, r->epochs[i].id, people[j],
			    key);
			fuzz_check(rc == 0 || rc == BAL_ENOENT ||
			    rc == BAL_ECRYPTO);
		}
	}
	for (i = 0; i < r->ngrants; i++)
		fuzz_check(r->grants[i].epoch < r->nepochs);
	for (i = 0; i < r->nrejected; i++)
		(void)roster_reason_name(r->rejected[i].reason);
	for (i = 0; i < NAUTHORS; i++) {
		(void)roster_is_active(r, pks[i]);
		rc = roster_entry_allowed(r, pks[i], 1);
		fuzz_check(rc == 0 || rc == BAL_EPERM);
	}
	sodium_memzero(key, sizeof(key));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct roster_contract_cb cb = { amend_cb, NULL };
	struct roster_in ops[MAX_OPS], rev[MAX_OPS];
	struct roster *r1 = NULL, *r2 = NULL;
	uint8_t leaders[2][BAL_PK_BYTES], h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	crypto_generichash_state st;
	const uint8_t *rec;
	size_t n = 0, i, nleaders, start;
	int rc1, rc2;

	fuzz_reset();
	nleaders = (fuzz_u8(&in) & 1) ? 2 : 1;
	memcpy(leaders[0], pks[0], BAL_PK_BYTES);
	memcpy(leaders[1], pks[1], BAL_PK_BYTES);
	while (in.n > 0 && n < MAX_OPS) {
		struct roster_in *o = &ops[n];

		rec = in.p;
		start = in.n;
		memcpy(o->author, pks[fuzz_u8(&in) % NAUTHORS], BAL_PK_BYTES);
		o->seq = fuzz_u8(&in);
		o->lamport = fuzz_u16(&in);
		o->time_ms = FUZZ_TIME_MS + 1000u * fuzz_u8(&in);
		o->body_len = fuzz_take(&in, fuzz_u16(&in), &o->body);
		crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
		crypto_generichash_update(&st, o->author, BAL_PK_BYTES);
		crypto_generichash_update(&st, rec, start - in.n);
		crypto_generichash_final(&st, o->entry_id, BAL_HASH_BYTES);
		n++;
	}
	for (i = 0; i < n; i++)
		rev[i] = ops[n - 1 - i];

	rc1 = roster_fold_ex((const uint8_t (*)[BAL_PK_BYTES])leaders,
	    nleaders, &cb, ops, n, &r1);
	rc2 = roster_fold_ex((const uint8_t (*)[BAL_PK_BYTES])leaders,
	    nleaders, &cb, rev, n, &r2);
	fuzz_check(rc1 == rc2);
	if (rc1 != 0) {
		fuzz_check(rc1 == BAL_ENOENT);
		fuzz_check(r1 == NULL && r2 == NULL);
		goto out;
	}
	check_roster(r1);
	fuzz_check(roster_state_hash(r1, h1) == 0);
	fuzz_check(roster_state_hash(r2, h2) == 0);
	/* The same roster from any order of the same entries. */
	fuzz_check(memcmp(h1, h2, sizeof(h1)) == 0);
	fuzz_check(r1->nrejected == r2->nrejected);
out:
	roster_free(r1);
	roster_free(r2);
	return 0;
}
