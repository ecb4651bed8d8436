/*
 * store-marks.c — read marks (store.h, store_marks_put / store_marks_get):
 * the entry ids of the note versions this member has read, kept locally
 * and never synced.  An entry id is already in the entries table, so a
 * mark says nothing about a note's content; the group's erasure removes
 * them with the rest.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store-int.h"

int
store_marks_put(struct store *st, const uint8_t *group,
    const uint8_t (*ids)[BAL_HASH_BYTES], size_t n)
{
	sqlite3_stmt *s = NULL;
	size_t i;
	int ret = BAL_EIO;

	if (n == 0)
		return 0;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO read_marks "
	    "(gid, entry) VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK)
		return BAL_EIO;
	if (store_begin(st) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_reset(s);
		store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		store_bind_blob(s, 2, ids[i], BAL_HASH_BYTES);
		if ((ret = store_done(st, s)) != 0) {
			store_rollback(st);
			goto out;
		}
	}
	ret = store_commit(st) != 0 ? BAL_EIO : 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
store_marks_get(struct store *st, const uint8_t *group, uint8_t **ids,
    size_t *n)
{
	sqlite3_stmt *s = NULL;
	uint8_t *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	int rc, ret = BAL_EIO;

	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT entry FROM read_marks WHERE "
	    "gid=? ORDER BY entry", -1, &s, NULL) != SQLITE_OK)
		return BAL_EIO;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != BAL_HASH_BYTES)
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nv = realloc(v, cap * BAL_HASH_BYTES)) == NULL) {
				ret = BAL_ENOMEM;
				goto out;
			}
			v = nv;
		}
		memcpy(v + cnt * BAL_HASH_BYTES, sqlite3_column_blob(s, 0),
		    BAL_HASH_BYTES);
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		ret = store_failed(st, rc);
		goto out;
	}
	*ids = v;
	*n = cnt;
	v = NULL;
	ret = 0;
out:
	free(v);
	sqlite3_finalize(s);
	return ret;
}
