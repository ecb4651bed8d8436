/*
 * store-entries.c — the entries of the store (see store.h): writing,
 * reading one, an author's head, walking them, the version vector of a
 * group (cached while nothing changed), counting, dropping a tail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store-int.h"
#include "wire.h"

int
store_entry_put(struct store *st, const struct store_entry_row *row)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRY_INSERT);
	int rc, same;

	/*
	 * The insert comes first: a new entry (the common case) costs one
	 * statement, and (gid, author, seq) is unique, so a held seq fails
	 * the insert without changing anything; only then is the held id
	 * read, to tell "held" from "fork".
	 */
	store_bind_blob(s, 1, row->group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, row->author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)row->seq);
	store_bind_blob(s, 4, row->id, BAL_HASH_BYTES);
	sqlite3_bind_int(s, 5, row->kind);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)row->epoch);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)row->lamport);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)row->time);
	sqlite3_bind_int(s, 9, row->erased);
	store_bind_blob(s, 10, row->blob, row->bloblen);
	if ((rc = store_done(st, s)) == 0 && st->cnt_valid &&
	    memcmp(st->cnt_gid, row->group, BAL_GROUP_ID_BYTES) == 0) {
		if (sqlite3_get_autocommit(st->db))
			st->cnt++;
		else
			st->cnt_add++;
	}
	if (rc != BAL_EEXIST)
		return rc;
	s = store_q(st, Q_ENTRY_ID);
	store_bind_blob(s, 1, row->group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, row->author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)row->seq);
	rc = sqlite3_step(s);
	same = rc == SQLITE_ROW &&
	    sqlite3_column_bytes(s, 0) == BAL_HASH_BYTES &&
	    memcmp(sqlite3_column_blob(s, 0), row->id, BAL_HASH_BYTES) == 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_failed(st, rc);
	return same ? BAL_EEXIST : BAL_ECHAIN;
}

int
store_entry_get(struct store *st, const uint8_t *group, const uint8_t *author,
    uint64_t seq, uint8_t **blob, size_t *len)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRY_GET);
	int rc, ret;

	*blob = NULL;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = store_copy_blob(s, 0, blob, len);
	else
		ret = rc == SQLITE_DONE ? BAL_ENOENT : store_failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_entry_head(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t *seq, uint8_t id[BAL_HASH_BYTES])
{
	sqlite3_stmt *s = store_q(st, Q_ENTRY_HEAD);
	int rc, ret = 0;

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	rc = sqlite3_step(s);
	*seq = 0;
	memset(id, 0, BAL_HASH_BYTES);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == BAL_HASH_BYTES)
			memcpy(id, sqlite3_column_blob(s, 1), BAL_HASH_BYTES);
	} else if (rc != SQLITE_DONE) {
		ret = store_failed(st, rc);
	}
	sqlite3_reset(s);
	return ret;
}

int
store_entry_head_row(struct store *st, const uint8_t *group,
    const uint8_t *author, struct store_entry_row *row)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRY_HEAD_ROW);
	int rc, ret = 0;

	memset(row, 0, sizeof(*row));
	memcpy(row->group, group, BAL_GROUP_ID_BYTES);
	memcpy(row->author, author, BAL_PK_BYTES);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 1) != BAL_HASH_BYTES)
			ret = store_failed(st, SQLITE_CORRUPT);
		else {
			row->seq = (uint64_t)sqlite3_column_int64(s, 0);
			memcpy(row->id, sqlite3_column_blob(s, 1),
			    BAL_HASH_BYTES);
			row->kind = sqlite3_column_int(s, 2);
			row->epoch = (uint64_t)sqlite3_column_int64(s, 3);
			row->lamport = (uint64_t)sqlite3_column_int64(s, 4);
			row->time = (uint64_t)sqlite3_column_int64(s, 5);
			row->erased = sqlite3_column_int(s, 6);
		}
	} else if (rc != SQLITE_DONE) {
		ret = store_failed(st, rc);
	}
	sqlite3_reset(s);
	return ret;
}

int
store_entry_replace(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t seq, const uint8_t *blob, size_t len,
    int erased)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRY_REPLACE);
	int rc;

	store_bind_blob(s, 1, blob, len);
	sqlite3_bind_int(s, 2, erased);
	store_bind_blob(s, 3, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 4, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)seq);
	if ((rc = store_done(st, s)) != 0)
		return rc;
	return sqlite3_changes(st->db) == 1 ? 0 : BAL_ENOENT;
}

/* Fills a row from the 10 columns of Q_ENTRIES_AFTER / Q_ENTRIES_KIND. */
static int
row_from(sqlite3_stmt *s, struct store_entry_row *row)
{
	if (sqlite3_column_bytes(s, 0) != BAL_GROUP_ID_BYTES ||
	    sqlite3_column_bytes(s, 1) != BAL_PK_BYTES ||
	    sqlite3_column_bytes(s, 3) != BAL_HASH_BYTES)
		return BAL_EIO;
	memcpy(row->group, sqlite3_column_blob(s, 0), BAL_GROUP_ID_BYTES);
	memcpy(row->author, sqlite3_column_blob(s, 1), BAL_PK_BYTES);
	row->seq = (uint64_t)sqlite3_column_int64(s, 2);
	memcpy(row->id, sqlite3_column_blob(s, 3), BAL_HASH_BYTES);
	row->kind = sqlite3_column_int(s, 4);
	row->epoch = (uint64_t)sqlite3_column_int64(s, 5);
	row->lamport = (uint64_t)sqlite3_column_int64(s, 6);
	row->time = (uint64_t)sqlite3_column_int64(s, 7);
	row->erased = sqlite3_column_int(s, 8);
	row->blob = sqlite3_column_blob(s, 9);
	row->bloblen = (size_t)sqlite3_column_bytes(s, 9);
	return 0;
}

/* The caller's callback and context (each_row). */
struct each {
	store_entry_cb cb;
	void *ctx;
};

static int
entry_row(void *ctx, sqlite3_stmt *s)
{
	struct each *e = ctx;
	struct store_entry_row row;
	int ret;

	if ((ret = row_from(s, &row)) != 0)
		return ret;
	return e->cb(e->ctx, &row);
}

/* Steps s, handing each row to cb; the callback may stop the walk. */
static int
each_row(struct store *st, sqlite3_stmt *s, store_entry_cb cb, void *ctx)
{
	struct each e = { cb, ctx };

	return store_rows(st, s, entry_row, &e);
}

int
store_entries_each(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t after, size_t limit, store_entry_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRIES_AFTER);

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)after);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	return each_row(st, s, cb, ctx);
}

int
store_entries_kind_each(struct store *st, const uint8_t *group, int kind,
    store_entry_cb cb, void *ctx)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRIES_KIND);

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int(s, 2, kind);
	return each_row(st, s, cb, ctx);
}

/*
 * Reads the vector of group into st->vec (author by author, see
 * Q_VEC_NEXT).  0, or BAL_EIO / BAL_ENOMEM with st->vec left invalid.
 */
static int
vector_read(struct store *st, const uint8_t *group)
{
	struct store_vec_item *a;
	sqlite3_stmt *s;
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;
	size_t alen = 0;	/* the first seek starts below every author */
	int rc;

	st->vec_valid = 0;
	st->nvec = 0;
	memset(author, 0, sizeof(author));
	for (;;) {
		s = store_q(st, Q_VEC_NEXT);
		store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		store_bind_blob(s, 2, author, alen);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW &&
		    sqlite3_column_bytes(s, 0) != BAL_PK_BYTES)
			rc = SQLITE_CORRUPT;
		else if (rc == SQLITE_ROW)
			memcpy(author, sqlite3_column_blob(s, 0),
			    BAL_PK_BYTES);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW)
			return store_failed(st, rc);
		alen = BAL_PK_BYTES;
		s = store_q(st, Q_VEC_MAX);
		store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		store_bind_blob(s, 2, author, BAL_PK_BYTES);
		rc = sqlite3_step(s);
		seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) :
		    0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW || seq == 0)
			return store_failed(st, rc);
		if (st->nvec == st->capvec) {
			size_t cap = st->capvec ? 2 * st->capvec : 16;

			if ((a = realloc(st->vec, cap * sizeof(*a))) == NULL)
				return BAL_ENOMEM;
			st->vec = a;
			st->capvec = cap;
		}
		memcpy(st->vec[st->nvec].author, author, BAL_PK_BYTES);
		st->vec[st->nvec].seq = seq;
		st->nvec++;
	}
	memcpy(st->vec_gid, group, BAL_GROUP_ID_BYTES);
	st->vec_changes = sqlite3_total_changes64(st->db);
	st->vec_valid = 1;
	return 0;
}

int
store_vector_each(struct store *st, const uint8_t *group, store_vector_cb cb,
    void *ctx)
{
	struct store_vec_item *copy = NULL;
	size_t n, i;
	int ret;

	/*
	 * Every sync step asks for the vector, several times per message,
	 * and it changes only when entries are written.  The last one read
	 * is kept for as long as this connection has changed no row
	 * (sqlite3_total_changes64 counts every insert, update and delete,
	 * rolled back or not) and is only used or kept outside a
	 * transaction, so it never holds what a rollback undid.  The daemon
	 * is the store's only writer (locking_mode=EXCLUSIVE).
	 */
	if (!sqlite3_get_autocommit(st->db) || !st->vec_valid ||
	    memcmp(st->vec_gid, group, BAL_GROUP_ID_BYTES) != 0 ||
	    st->vec_changes != sqlite3_total_changes64(st->db)) {
		if ((ret = vector_read(st, group)) != 0)
			return ret;
		if (!sqlite3_get_autocommit(st->db))
			st->vec_valid = 0;
	}
	/* cb may use the store (and refill st->vec): walk a copy. */
	if ((n = st->nvec) > 0) {
		if ((copy = malloc(n * sizeof(*copy))) == NULL)
			return BAL_ENOMEM;
		memcpy(copy, st->vec, n * sizeof(*copy));
	}
	for (i = 0, ret = 0; i < n && ret == 0; i++)
		ret = cb(ctx, copy[i].author, copy[i].seq);
	free(copy);
	return ret > 0 ? 0 : ret;
}

int
store_author_use(struct store *st, const uint8_t *group, const uint8_t *author,
    uint64_t from, uint64_t to, struct store_use *u)
{
	sqlite3_stmt *s = store_q(st, Q_AUTHOR_USE);
	int rc, ret;

	memset(u, 0, sizeof(*u));
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)from);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)to);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		u->entries = (uint64_t)sqlite3_column_int64(s, 0);
		u->bytes = (uint64_t)sqlite3_column_double(s, 1);
		u->day_entries = (uint64_t)sqlite3_column_double(s, 2);
		u->day_bytes = (uint64_t)sqlite3_column_double(s, 3);
		ret = 0;
	} else
		ret = store_failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_entry_count(struct store *st, const uint8_t *group, uint64_t *n)
{
	sqlite3_stmt *s;
	int ret, outside = sqlite3_get_autocommit(st->db);

	if (outside && st->cnt_valid &&
	    memcmp(st->cnt_gid, group, BAL_GROUP_ID_BYTES) == 0) {
		*n = st->cnt;
		return 0;
	}
	s = store_q(st, Q_ENTRY_COUNT);
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	ret = store_count(st, s, n);
	/* Counted outside a transaction: what every later insert adds to. */
	if (ret == 0 && outside) {
		memcpy(st->cnt_gid, group, BAL_GROUP_ID_BYTES);
		st->cnt = *n;
		st->cnt_add = 0;
		st->cnt_valid = 1;
	}
	return ret;
}

int
store_entry_missing(struct store *st, const uint8_t *group, uint64_t *n)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRY_MISSING);

	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	return store_count(st, s, n);
}

/* Where store_entries_missing puts its rows. */
struct missing {
	struct wire_have_item *items;
	size_t max, *n;
};

static int
missing_row(void *ctx, sqlite3_stmt *s)
{
	struct missing *m = ctx;

	if (*m->n >= m->max)
		return 1;
	if (sqlite3_column_bytes(s, 0) != BAL_PK_BYTES)
		return BAL_EIO;
	memcpy(m->items[*m->n].author, sqlite3_column_blob(s, 0),
	    BAL_PK_BYTES);
	m->items[*m->n].seq = (uint64_t)sqlite3_column_int64(s, 1);
	(*m->n)++;
	return 0;
}

int
store_entries_missing(struct store *st, const uint8_t *group,
    struct wire_have_item *items, size_t max, size_t *n)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRIES_MISSING);
	struct missing m = { items, max, n };

	*n = 0;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	return store_rows(st, s, missing_row, &m);
}

int
store_entries_missing_erase(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t *n)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRIES_MISSING_ERASE);
	int ret;

	*n = 0;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	if ((ret = store_done(st, s)) == 0)
		*n = (uint64_t)sqlite3_changes(st->db);
	return ret;
}

int
store_entries_drop_after(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t after, uint64_t *n)
{
	sqlite3_stmt *s = store_q(st, Q_ENTRIES_DROP);
	int ret;

	if (n != NULL)
		*n = 0;
	if (after > (uint64_t)INT64_MAX)
		return 0;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)after);
	ret = store_done(st, s);
	if (ret == 0 && sqlite3_changes(st->db) > 0)
		st->cnt_valid = 0;
	if (ret == 0 && n != NULL)
		*n = (uint64_t)sqlite3_changes(st->db);
	return ret;
}
