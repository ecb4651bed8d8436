/*
 * store-kept.c — a revoked member's own notes, kept apart from the group
 * it was removed from (store.h, store_kept_put / store_kept_each): sealed
 * values only (group-kept.c seals them under the member's own key), which
 * the group's erasure leaves, so the member can still export them.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store-int.h"

int
store_kept_put(struct store *st, const uint8_t *group, uint64_t ord,
    const uint8_t *sealed, size_t len)
{
	sqlite3_stmt *s = NULL;
	int ret;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO kept_notes "
	    "(gid, ord, sealed) VALUES (?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return BAL_EIO;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)ord);
	store_bind_blob(s, 3, sealed, len);
	ret = store_done(st, s);
	sqlite3_finalize(s);
	return ret;
}

int
store_kept_each(struct store *st, const uint8_t *group, store_kept_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT ord, sealed FROM kept_notes "
	    "WHERE gid=? ORDER BY ord", -1, &s, NULL) != SQLITE_OK)
		return BAL_EIO;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = cb(ctx, (uint64_t)sqlite3_column_int64(s, 0),
		    sqlite3_column_blob(s, 1),
		    (size_t)sqlite3_column_bytes(s, 1))) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_failed(st, rc);
	sqlite3_finalize(s);
	return ret < 0 ? ret : 0;
}
