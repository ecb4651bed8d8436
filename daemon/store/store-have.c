/*
 * store-have.c — the last HAVE seen of each member (store.h,
 * store_have_put / store_have_get): the author -> seq vector a member
 * last said it holds, in a session or in a bundle it wrote, kept so that
 * a bundle written for that member holds only what it lacks.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store-int.h"
#include "wire.h"

int
store_have_put(struct store *st, const uint8_t *group, const uint8_t *member,
    const struct wire_have_item *items, size_t n)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	size_t i;
	int ret = BAL_EIO;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM have_seen WHERE gid=? AND "
	    "member=?", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO have_seen (gid, member, "
	    "author, seq) VALUES (?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
		goto out;
	store_bind_blob(del, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(del, 2, member, BAL_PK_BYTES);
	if ((ret = store_done(st, del)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_reset(ins);
		store_bind_blob(ins, 1, group, BAL_GROUP_ID_BYTES);
		store_bind_blob(ins, 2, member, BAL_PK_BYTES);
		store_bind_blob(ins, 3, items[i].author, BAL_PK_BYTES);
		sqlite3_bind_int64(ins, 4, (sqlite3_int64)items[i].seq);
		if ((ret = store_done(st, ins)) != 0 && ret != BAL_EEXIST)
			goto out;
		ret = 0;	/* an author twice: the first counts */
	}
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return ret;
}

/* What store_have_get collects: the vector read so far. */
struct have_rows {
	struct wire_have_item *v;
	size_t n;
};

static int
have_row(void *ctx, sqlite3_stmt *s)
{
	struct have_rows *h = ctx;
	struct wire_have_item *nv;

	if (sqlite3_column_bytes(s, 0) != BAL_PK_BYTES ||
	    sqlite3_column_int64(s, 1) < 0)
		return 0;
	if ((nv = realloc(h->v, (h->n + 1) * sizeof(*nv))) == NULL)
		return BAL_ENOMEM;
	h->v = nv;
	memcpy(h->v[h->n].author, sqlite3_column_blob(s, 0), BAL_PK_BYTES);
	h->v[h->n].seq = (uint64_t)sqlite3_column_int64(s, 1);
	h->n++;
	return 0;
}

int
store_have_get(struct store *st, const uint8_t *group, const uint8_t *member,
    struct wire_have_item **items, size_t *n)
{
	struct have_rows h = { NULL, 0 };
	sqlite3_stmt *s = NULL;
	int ret;

	*items = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT author, seq FROM have_seen "
	    "WHERE gid=? AND member=? ORDER BY author", -1, &s, NULL) !=
	    SQLITE_OK)
		return BAL_EIO;
	store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	store_bind_blob(s, 2, member, BAL_PK_BYTES);
	ret = store_rows(st, s, have_row, &h);
	sqlite3_finalize(s);
	if (ret != 0) {
		free(h.v);
		return ret;
	}
	*items = h.v;
	*n = h.n;
	return 0;
}
