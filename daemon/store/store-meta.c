/*
 * store-meta.c — what the store keeps beside the entries (see store.h):
 * the groups, sealed epoch keys, the meta table, peer addresses and
 * invites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store-int.h"

int
store_group_put(struct store *st, const uint8_t *group, const char *name)
{
	sqlite3_stmt *s = store_q(st, Q_GROUP_PUT);

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	return store_done(st, s);
}

/* The caller's callback and context, for the row functions (store_rows). */
struct each {
	union {
		store_group_cb group;
		store_key_cb key;
		store_peer_cb peer;
		store_invite_cb invite;
	} cb;
	void *ctx;
};

static int
group_row(void *ctx, sqlite3_stmt *s)
{
	struct each *e = ctx;

	if (sqlite3_column_bytes(s, 0) != BAL_GROUP_ID_BYTES)
		return BAL_EIO;
	return e->cb.group(e->ctx, sqlite3_column_blob(s, 0),
	    (const char *)sqlite3_column_text(s, 1));
}

int
store_group_each(struct store *st, store_group_cb cb, void *ctx)
{
	struct each e = { .cb.group = cb, .ctx = ctx };

	return store_rows(st, store_q(st, Q_GROUP_EACH), group_row, &e);
}

int
store_key_put(struct store *st, const uint8_t *group, uint64_t epoch,
    const uint8_t *sealed, size_t len)
{
	sqlite3_stmt *s = store_q(st, Q_KEY_PUT);

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)epoch);
	store_bind_blob(s, 3, sealed, len);
	return store_done(st, s);
}

static int
key_row(void *ctx, sqlite3_stmt *s)
{
	struct each *e = ctx;

	return e->cb.key(e->ctx, (uint64_t)sqlite3_column_int64(s, 0),
	    sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
}

int
store_key_each(struct store *st, const uint8_t *group, store_key_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = store_q(st, Q_KEY_EACH);
	struct each e = { .cb.key = cb, .ctx = ctx };

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	return store_rows(st, s, key_row, &e);
}

int
store_meta_put(struct store *st, const char *key, const void *val, size_t len)
{
	sqlite3_stmt *s = store_q(st, Q_META_PUT);

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	store_bind_blob(s, 2, val, len);
	return store_done(st, s);
}

int
store_meta_get(struct store *st, const char *key, uint8_t **val, size_t *len)
{
	sqlite3_stmt *s = store_q(st, Q_META_GET);
	int rc, ret;

	*val = NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = store_copy_blob(s, 0, val, len);
	else
		ret = rc == SQLITE_DONE ? BAL_ENOENT : store_failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_peer_add(struct store *st, const uint8_t *group, const char *addr,
    const uint8_t *member)
{
	sqlite3_stmt *s = store_q(st, Q_PEER_ADD);

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	if (member != NULL)
		store_bind_blob(s, 3, member, BAL_PK_BYTES);
	else
		sqlite3_bind_null(s, 3);
	return store_done(st, s);
}

static int
peer_row(void *ctx, sqlite3_stmt *s)
{
	struct each *e = ctx;
	struct store_peer p;

	memset(&p, 0, sizeof(p));
	if ((p.addr = (const char *)sqlite3_column_text(s, 0)) == NULL)
		return 0;
	if (sqlite3_column_bytes(s, 1) == BAL_PK_BYTES)
		p.member = sqlite3_column_blob(s, 1);
	p.typed = sqlite3_column_int(s, 2);
	p.ord = (unsigned)sqlite3_column_int(s, 3);
	p.ok_ms = (uint64_t)sqlite3_column_int64(s, 4);
	return e->cb.peer(e->ctx, &p);
}

int
store_peer_each(struct store *st, const uint8_t *group, store_peer_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = store_q(st, Q_PEER_EACH);
	struct each e = { .cb.peer = cb, .ctx = ctx };

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	return store_rows(st, s, peer_row, &e);
}

/*
 * Only the latest announce of a member counts: an older or the same one
 * (seq not above the one held) changes nothing.
 */
int
store_peer_announced(struct store *st, const uint8_t *group,
    const uint8_t *member, uint64_t seq, const char *const *addrs, size_t n)
{
	sqlite3_stmt *s = store_q(st, Q_PEER_ANN_SEQ);
	int rc, ret;
	size_t i;

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, member, BAL_PK_BYTES);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		ret = store_failed(st, rc);
		sqlite3_reset(s);
		return ret;
	}
	if (sqlite3_column_type(s, 0) != SQLITE_NULL &&
	    (uint64_t)sqlite3_column_int64(s, 0) >= seq) {
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	s = store_q(st, Q_PEER_ANN_DEL);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, member, BAL_PK_BYTES);
	if ((ret = store_done(st, s)) != 0)
		return ret;
	for (i = 0; i < n; i++) {
		s = store_q(st, Q_PEER_ANN_ADD);
		store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		store_bind_blob(s, 2, member, BAL_PK_BYTES);
		sqlite3_bind_text(s, 3, addrs[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)seq);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)i);
		if ((ret = store_done(st, s)) != 0)
			return ret;
	}
	return 0;
}

int
store_peer_forget(struct store *st, const uint8_t *group,
    const uint8_t *member)
{
	sqlite3_stmt *s = store_q(st, Q_PEER_FORGET);
	int ret;

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, member, BAL_PK_BYTES);
	if ((ret = store_done(st, s)) != 0)
		return ret;
	s = store_q(st, Q_PEER_FORGET_ANN);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, member, BAL_PK_BYTES);
	return store_done(st, s);
}

int
store_peer_remove(struct store *st, const uint8_t *group, const char *addr,
    int *typed, int *announced)
{
	sqlite3_stmt *s = store_q(st, Q_PEER_REMOVE);
	int ret;

	*typed = *announced = 0;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	if ((ret = store_done(st, s)) != 0)
		return ret;
	*typed = sqlite3_changes(st->db) > 0;
	s = store_q(st, Q_PEER_REMOVE_ANN);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	if ((ret = store_done(st, s)) != 0)
		return ret;
	*announced = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_peer_remove_of(struct store *st, const uint8_t *group, const char *addr,
    const uint8_t *member, int typed_too, int *typed, int *announced)
{
	sqlite3_stmt *s;
	int ret;

	*typed = *announced = 0;
	if (typed_too) {
		s = store_q(st, Q_PEER_REMOVE_OF);
		store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
		store_bind_blob(s, 3, member, BAL_PK_BYTES);
		if ((ret = store_done(st, s)) != 0)
			return ret;
		*typed = sqlite3_changes(st->db) > 0;
	}
	s = store_q(st, Q_PEER_REMOVE_ANN_OF);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	store_bind_blob(s, 3, member, BAL_PK_BYTES);
	if ((ret = store_done(st, s)) != 0)
		return ret;
	*announced = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_peer_worked(struct store *st, const uint8_t *group, const char *addr,
    const uint8_t *member, uint64_t ms)
{
	sqlite3_stmt *s = store_q(st, Q_PEER_OK);
	int ret;

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)ms);
	if ((ret = store_done(st, s)) != 0 || member == NULL)
		return ret;
	s = store_q(st, Q_PEER_OK_ANN);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)ms);
	store_bind_blob(s, 4, member, BAL_PK_BYTES);
	return store_done(st, s);
}

int
store_invite_put(struct store *st, const uint8_t *group,
    const uint8_t hash[BAL_HASH_BYTES], uint64_t expires_ms,
    const uint8_t *sealed_secret, size_t len)
{
	sqlite3_stmt *s = store_q(st, Q_INVITE_PUT);

	store_bind_blob(s, 1, hash, BAL_HASH_BYTES);
	store_bind_blob(s, 2, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)expires_ms);
	store_bind_blob(s, 4, sealed_secret, len);
	return store_done(st, s);
}

static int
invite_row(void *ctx, sqlite3_stmt *s)
{
	struct each *e = ctx;

	if (sqlite3_column_bytes(s, 0) != BAL_GROUP_ID_BYTES ||
	    sqlite3_column_bytes(s, 1) != BAL_HASH_BYTES)
		return BAL_EIO;
	return e->cb.invite(e->ctx, sqlite3_column_blob(s, 0),
	    sqlite3_column_blob(s, 1), (uint64_t)sqlite3_column_int64(s, 2),
	    sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3));
}

int
store_invite_each(struct store *st, uint64_t now_ms, store_invite_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = store_q(st, Q_INVITE_EACH);
	struct each e = { .cb.invite = cb, .ctx = ctx };

	sqlite3_bind_int64(s, 1, (sqlite3_int64)now_ms);
	return store_rows(st, s, invite_row, &e);
}

int
store_invite_used(struct store *st, const uint8_t hash[BAL_HASH_BYTES])
{
	sqlite3_stmt *s = store_q(st, Q_INVITE_GET);
	int rc, ret;

	store_bind_blob(s, 1, hash, BAL_HASH_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = sqlite3_column_int(s, 1) != 0;
	else
		ret = rc == SQLITE_DONE ? BAL_ENOENT : store_failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_invite_fail(struct store *st, const uint8_t hash[BAL_HASH_BYTES],
    unsigned max, unsigned *fails)
{
	sqlite3_stmt *s = store_q(st, Q_INVITE_FAIL);
	int rc, ret = 0;

	*fails = max;
	store_bind_blob(s, 1, hash, BAL_HASH_BYTES);
	sqlite3_bind_int(s, 2, (int)max);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*fails = (unsigned)sqlite3_column_int(s, 0);
	else if (rc == SQLITE_DONE)
		ret = BAL_EEXIST;		/* used, spent or unknown */
	else
		ret = store_failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_invite_take(struct store *st, const uint8_t hash[BAL_HASH_BYTES],
    uint64_t now_ms)
{
	sqlite3_stmt *s = store_q(st, Q_INVITE_GET);
	int rc, used = 0, ret;
	uint64_t expires = 0;

	store_bind_blob(s, 1, hash, BAL_HASH_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		expires = (uint64_t)sqlite3_column_int64(s, 0);
		used = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? BAL_ENOENT : store_failed(st, rc);
	if (used)
		return BAL_EEXIST;
	if (expires <= now_ms)
		return BAL_EEXPIRED;
	s = store_q(st, Q_INVITE_USE);
	store_bind_blob(s, 1, hash, BAL_HASH_BYTES);
	ret = store_done(st, s);
	return ret;
}
