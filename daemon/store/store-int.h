/*
 * store-int.h — what the store's files share (store.c, store-entries.c,
 * store-meta.c): the connection and its prepared statements.  Nothing
 * outside daemon/store/ includes it.
 */
#ifndef BAL_STORE_INT_H
#define BAL_STORE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"

enum {
	Q_ENTRY_INSERT, Q_ENTRY_ID, Q_ENTRY_GET, Q_ENTRY_HEAD, Q_ENTRY_REPLACE,
	Q_ENTRIES_AFTER, Q_ENTRIES_KIND, Q_VEC_NEXT, Q_VEC_MAX, Q_ENTRY_COUNT,
	Q_GROUP_PUT, Q_GROUP_EACH, Q_KEY_PUT, Q_KEY_EACH, Q_META_PUT,
	Q_META_GET, Q_PEER_ADD, Q_PEER_EACH, Q_PEER_ANN_SEQ, Q_PEER_ANN_DEL,
	Q_PEER_ANN_ADD, Q_PEER_FORGET, Q_PEER_FORGET_ANN, Q_PEER_OK,
	Q_PEER_OK_ANN, Q_INVITE_PUT, Q_INVITE_EACH, Q_INVITE_FAIL,
	Q_INVITE_GET, Q_INVITE_USE, Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_ENTRIES_DROP, Q_ENTRY_HEAD_ROW, Q_AUTHOR_USE, Q_ENTRY_MISSING,
	Q_ENTRIES_MISSING, Q_ENTRIES_MISSING_ERASE,
	Q_PEER_REMOVE, Q_PEER_REMOVE_ANN, Q_PEER_REMOVE_OF,
	Q_PEER_REMOVE_ANN_OF,
	Q_COUNT
};

struct store_vec_item {
	uint8_t author[BAL_PK_BYTES];
	uint64_t seq;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	/* The last vector read (store_vector_each), and when. */
	struct store_vec_item *vec;
	size_t nvec, capvec;
	uint8_t vec_gid[BAL_GROUP_ID_BYTES];
	sqlite3_int64 vec_changes;
	int vec_valid;
	/* synchronous=NORMAL is set, for a received batch's transaction. */
	int sync_normal;
	/*
	 * The entry count of one group (store_entry_count, asked by every
	 * `status`; counting walks an index, about 0.4 ms per 10,000
	 * entries), kept by this connection's own inserts: cnt_add counts
	 * those of the open transaction, added at its commit.  Anything else
	 * that changes the count (a rollback, a delete) makes it unknown
	 * until the next count.
	 */
	uint8_t cnt_gid[BAL_GROUP_ID_BYTES];
	uint64_t cnt, cnt_add;
	int cnt_valid;
	/* The last failure a person must hear about (store_fault). */
	int fault;
	int fault_rc;
	unsigned long nfaults;
};

/* store_q resets a cached statement for its next use. */
sqlite3_stmt *store_q(struct store *st, int which);
/* store_done runs a statement that returns no rows (BAL_EEXIST, BAL_EIO). */
int store_done(struct store *st, sqlite3_stmt *s);
/*
 * store_rows steps s (its parameters bound), handing each row to fn: 0 goes
 * on, > 0 stops the walk (not an error), < 0 is the error returned.  s is
 * reset; a failed step is store_failed's BAL_EIO.
 */
int store_rows(struct store *st, sqlite3_stmt *s,
    int (*fn)(void *ctx, sqlite3_stmt *row), void *ctx);
/* store_count steps s (bound) for its one row's first column, a count. */
int store_count(struct store *st, sqlite3_stmt *s, uint64_t *n);
/* store_bind_blob binds len bytes at p (NULL: empty) to parameter i. */
void store_bind_blob(sqlite3_stmt *s, int i, const void *p, size_t len);
/* store_failed notes a failed SQLite call for store_fault; BAL_EIO. */
int store_failed(struct store *st, int rc);
/* store_copy_blob copies column i of the current row (malloc'd). */
int store_copy_blob(sqlite3_stmt *s, int i, uint8_t **out, size_t *len);

#endif
