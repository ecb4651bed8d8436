/*
 * fuzz-epoch.c — epoch_envelope_decode and epoch_history_decode
 * (proto/epoch.c), the sealed epoch keys carried in roster entries, and
 * opening them with a fixed recipient's key.
 *
 * Input: one encoding, given to both decoders.  The seed corpus holds
 * envelopes and histories sealed to FUZZ_SEED_MEMBER.  Checked: no memory
 * error; counts within limits, recipients and ids distinct;
 * epoch_envelope_find agrees with the list; epoch_open and
 * epoch_history_open return a key or a documented error and zero the key
 * on failure, and a key they return matches the commitment it was opened
 * against.  Keys are opened as group 0x47 * 32 (gen-corpus's group_id);
 * history items against the commitments of gen-corpus's three keys (bytes
 * 0x60, 0x61, 0x62).
 */
#include "fuzz.h"
#include "epoch.h"

static struct identity *me;
static uint8_t gid[BAL_GROUP_ID_BYTES];
static uint8_t commits[3][EPOCH_COMMIT_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	me = fuzz_identity(FUZZ_SEED_MEMBER);
	memset(gid, 0x47, sizeof(gid));
	for (int i = 0; i < 3; i++) {
		uint8_t k[BAL_KEY_BYTES];

		memset(k, 0x60 + i, sizeof(k));
		epoch_commit(k, commits[i]);
	}
	return 0;
}

static int
is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n-- > 0)
		acc |= *p++;
	return acc == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct epoch_envelope env;
	struct epoch_history *h = NULL;
	uint8_t key[BAL_KEY_BYTES], c[EPOCH_COMMIT_BYTES];
	size_t i, j, k;
	int rc;

	fuzz_reset();
	if (epoch_envelope_decode(data, size, &env) == 0) {
		fuzz_check(env.n >= 1 && env.n <= EPOCH_MAX_RECIPIENTS);
		for (i = 0; i < env.n; i++) {
			fuzz_check(epoch_envelope_find(&env, env.r[i].pk) ==
			    (int)i);
			for (j = 0; j < i; j++)
				fuzz_check(memcmp(env.r[i].pk, env.r[j].pk,
				    BAL_PK_BYTES) != 0);
		}
		memset(key, 0xaa, sizeof(key));
		rc = epoch_open(&env, gid, me, key);
		if (rc != 0) {
			fuzz_check(rc == BAL_ENOENT || rc == BAL_ECRYPTO);
			fuzz_check(is_zero(key, sizeof(key)));
		} else {
			fuzz_check(epoch_envelope_find(&env, me->pk) >= 0);
			epoch_commit(key, c);
			fuzz_check(memcmp(c, env.commit, sizeof(c)) == 0);
		}
	}
	if (epoch_history_decode(data, size, &h) == 0) {
		fuzz_check(h->n >= 1 && h->n <= EPOCH_HISTORY_MAX);
		for (i = 0; i < h->n; i++) {
			for (j = 0; j < i; j++)
				fuzz_check(h->items[i].id != h->items[j].id);
			if (i >= 8)
				continue;	/* each open costs an X25519 */
			for (k = 0; k < 3; k++) {
				memset(key, 0xaa, sizeof(key));
				rc = epoch_history_open(h, h->items[i].id, gid,
				    commits[k], me, key);
				if (rc != 0) {
					fuzz_check(rc == BAL_ECRYPTO);
					fuzz_check(is_zero(key, sizeof(key)));
				} else {
					epoch_commit(key, c);
					fuzz_check(memcmp(c, commits[k],
					    sizeof(c)) == 0);
				}
			}
		}
		memset(key, 0xaa, sizeof(key));
		/* An id none of the items has, if there is one. */
		for (i = 0; i < h->n && h->items[i].id != UINT64_MAX; i++)
			;
		if (i == h->n) {
			rc = epoch_history_open(h, UINT64_MAX, gid, commits[0],
			    me, key);
			fuzz_check(rc == BAL_ENOENT && is_zero(key, sizeof(key)));
		}
	} else {
		fuzz_check(h == NULL);
	}
	sodium_memzero(key, sizeof(key));
	epoch_history_free(h);
	return 0;
}
