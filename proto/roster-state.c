/*
 * roster-state.c — a folded roster read (roster.h): its members, leaders
 * and epochs looked up, an epoch's key opened for a member, the canonical
 * state and its hash, the names of the fold's reasons.
 * Formats: docs/protocol.md.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "roster.h"
#include "roster-int.h"
#include "mp.h"

#define STATE_HASH_DOMAIN "balint-roster-state-v1"
#define STATE_VERSION 1

/* See roster-int.h. */
size_t
roster_member_index(const struct roster *r, const uint8_t pk[BAL_PK_BYTES])
{
	size_t i;

	for (i = 0; i < r->nmembers; i++)
		if (memcmp(r->members[i].pk, pk, BAL_PK_BYTES) == 0)
			return i;
	return (size_t)-1;
}

/* See roster-int.h. */
int
roster_leader_listed(const struct roster *r, const uint8_t pk[BAL_PK_BYTES])
{
	size_t i;

	for (i = 0; i < r->nleaders; i++)
		if (memcmp(r->leaders[i], pk, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------------
 * Lookups
 */

const struct roster_member *
roster_member_find(const struct roster *r, const uint8_t pk[BAL_PK_BYTES])
{
	size_t i;

	if (r == NULL || pk == NULL)
		return NULL;
	i = roster_member_index(r, pk);
	return i == (size_t)-1 ? NULL : &r->members[i];
}

int
roster_is_active(const struct roster *r, const uint8_t pk[BAL_PK_BYTES])
{
	const struct roster_member *m = roster_member_find(r, pk);

	return m != NULL && m->status == ROSTER_ACTIVE;
}

int
roster_is_leader(const struct roster *r, const uint8_t pk[BAL_PK_BYTES])
{
	return roster_is_active(r, pk) && roster_leader_listed(r, pk);
}

int
roster_entry_allowed(const struct roster *r,
    const uint8_t author[BAL_PK_BYTES], uint64_t seq)
{
	const struct roster_member *m = roster_member_find(r, author);

	if (m == NULL)
		return BAL_EPERM;
	if (m->status == ROSTER_ACTIVE || seq <= m->cut)
		return 0;
	return BAL_EPERM;
}

const struct roster_epoch *
roster_epoch_find(const struct roster *r, uint64_t id)
{
	size_t i;

	if (r == NULL)
		return NULL;
	for (i = 0; i < r->nepochs; i++)
		if (r->epochs[i].id == id)
			return &r->epochs[i];
	return NULL;
}

int
roster_epoch_key(const struct roster *r, uint64_t id,
    const struct identity *me, uint8_t key_out[BAL_KEY_BYTES])
{
	const struct roster_epoch *e;
	struct epoch_envelope *env = NULL;
	size_t i;
	int ret = BAL_EINVAL;

	if (key_out == NULL)
		return BAL_EINVAL;
	sodium_memzero(key_out, BAL_KEY_BYTES);
	if (r == NULL || me == NULL)
		goto out;
	ret = BAL_ENOENT;
	if ((e = roster_epoch_find(r, id)) == NULL)
		goto out;
	ret = BAL_ENOMEM;
	if ((env = malloc(sizeof(*env))) == NULL)
		goto out;
	if ((ret = epoch_envelope_decode(e->envelope, e->envelope_len,
	    env)) != 0)
		goto out;
	if ((ret = epoch_open(env, r->group_id, me, key_out)) != BAL_ENOENT)
		goto out;
	for (i = 0; i < r->ngrants; i++) {
		if (r->grants[i].epoch != e->ordinal ||
		    memcmp(r->grants[i].member, me->pk, BAL_PK_BYTES) != 0)
			continue;
		if ((ret = epoch_sealed_open(r->grants[i].sealed, r->group_id,
		    e->commit, me, key_out)) == 0)
			goto out;
	}
out:
	free(env);
	if (ret != 0)
		sodium_memzero(key_out, BAL_KEY_BYTES);
	return ret;
}

/* Packs the canonical state of r (see docs/protocol.md). */
static int
pack_state(msgpack_packer *pk, const struct roster *r)
{
	const struct roster_member *m;
	const struct roster_epoch *e;
	const struct roster_grant *g;
	size_t i, j;

#define P(x) do { if ((x) != 0) return BAL_ENOMEM; } while (0)
	P(msgpack_pack_array(pk, 10));
	P(msgpack_pack_uint8(pk, STATE_VERSION));
	P(mp_pack_bin(pk, r->founder, BAL_PK_BYTES));
	P(msgpack_pack_array(pk, r->nleaders));
	for (i = 0; i < r->nleaders; i++)
		P(mp_pack_bin(pk, r->leaders[i], BAL_PK_BYTES));
	P(mp_pack_bin(pk, r->contract_hash, BAL_HASH_BYTES));
	P(msgpack_pack_array(pk, r->nmembers));
	for (i = 0; i < r->nmembers; i++) {
		m = &r->members[i];
		P(msgpack_pack_array(pk, 12));
		P(mp_pack_bin(pk, m->pk, BAL_PK_BYTES));
		P(mp_pack_str(pk, m->name, strlen(m->name)));
		P(msgpack_pack_uint8(pk, (uint8_t)m->role));
		P(msgpack_pack_uint8(pk, (uint8_t)m->status));
		P(msgpack_pack_uint64(pk, m->cut));
		P(mp_pack_bin(pk, m->accept_sig, BAL_SIG_BYTES));
		P(mp_pack_bin(pk, m->added_by, BAL_PK_BYTES));
		P(mp_pack_bin(pk, m->added_entry, BAL_HASH_BYTES));
		P(msgpack_pack_uint64(pk, m->added_ms));
		P(mp_pack_bin(pk, m->removed_by, BAL_PK_BYTES));
		P(mp_pack_bin(pk, m->removed_entry, BAL_HASH_BYTES));
		P(msgpack_pack_uint64(pk, m->removed_ms));
	}
	P(msgpack_pack_array(pk, r->nepochs));
	for (i = 0; i < r->nepochs; i++) {
		e = &r->epochs[i];
		P(msgpack_pack_array(pk, 7));
		P(msgpack_pack_uint64(pk, e->id));
		P(msgpack_pack_uint8(pk, (uint8_t)e->op));
		P(mp_pack_bin(pk, e->entry_id, BAL_HASH_BYTES));
		P(mp_pack_bin(pk, e->author, BAL_PK_BYTES));
		P(msgpack_pack_uint64(pk, e->lamport));
		P(msgpack_pack_uint64(pk, e->time_ms));
		P(msgpack_pack_array(pk, e->nrecipients));
		for (j = 0; j < e->nrecipients; j++)
			P(mp_pack_bin(pk, e->recipients[j], BAL_PK_BYTES));
	}
	P(msgpack_pack_array(pk, r->ngrants));
	for (i = 0; i < r->ngrants; i++) {
		g = &r->grants[i];
		P(msgpack_pack_array(pk, 4));
		P(msgpack_pack_uint64(pk, g->epoch));
		P(mp_pack_bin(pk, g->member, BAL_PK_BYTES));
		P(mp_pack_bin(pk, g->entry_id, BAL_HASH_BYTES));
		P(mp_pack_bin(pk, g->sealed, EPOCH_SEALED_BYTES));
	}
	P(msgpack_pack_uint64(pk, r->current));
	if (r->write_epoch == ROSTER_NO_EPOCH)
		P(msgpack_pack_nil(pk));
	else
		P(msgpack_pack_uint64(pk, r->write_epoch));
	P(r->needs_rotation ? msgpack_pack_true(pk) : msgpack_pack_false(pk));
#undef P
	return 0;
}

int
roster_state_hash(const struct roster *r, uint8_t out[BAL_HASH_BYTES])
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	crypto_generichash_state st;
	int ret = BAL_EINVAL;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (r == NULL || out == NULL || r->nepochs == 0)
		goto out;
	if ((ret = pack_state(&pk, r)) != 0)
		goto out;
	crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)STATE_HASH_DOMAIN,
	    strlen(STATE_HASH_DOMAIN));
	crypto_generichash_update(&st, (const uint8_t *)sbuf.data, sbuf.size);
	crypto_generichash_final(&st, out, BAL_HASH_BYTES);
	ret = 0;
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

const char *
roster_reason_name(int reason)
{
	switch (reason) {
	case ROSTER_R_MALFORMED:	return "malformed operation";
	case ROSTER_R_DUPLICATE:	return "duplicate entry";
	case ROSTER_R_FORK:		return "two entries with one seq (fork)";
	case ROSTER_R_NO_GROUP:		return "before the group's creation";
	case ROSTER_R_CREATE_AGAIN:	return "group already created";
	case ROSTER_R_NOT_MEMBER:	return "author is not an active member";
	case ROSTER_R_NOT_LEADER:	return "author is not a leader";
	case ROSTER_R_BEYOND_CUT:	return "beyond the author's cut";
	case ROSTER_R_REMOVED:		return "member was removed (remove wins)";
	case ROSTER_R_ALREADY_MEMBER:	return "already an active member";
	case ROSTER_R_READMITS:		return "readmits a never-admitted member";
	case ROSTER_R_NO_SUCH_MEMBER:	return "no such member";
	case ROSTER_R_SELF:		return "a leader cannot revoke themself";
	case ROSTER_R_BAD_CUT:		return "leave cut is not its own seq";
	case ROSTER_R_CONTRACT:		return "amendment does not follow the contract";
	case ROSTER_R_EPOCH_ID:		return "epoch id or key already in use";
	case ROSTER_R_FULL:		return "member limit reached";
	default:			return "unknown reason";
	}
}
