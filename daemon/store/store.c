/* store.c — balintd's SQLite store (see store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "store.h"

enum {
	Q_ENTRY_INSERT, Q_ENTRY_ID, Q_ENTRY_GET, Q_ENTRY_HEAD, Q_ENTRY_REPLACE,
	Q_ENTRIES_AFTER, Q_ENTRIES_KIND, Q_VEC_NEXT, Q_VEC_MAX, Q_ENTRY_COUNT,
	Q_GROUP_PUT, Q_GROUP_EACH, Q_KEY_PUT, Q_KEY_EACH, Q_META_PUT,
	Q_META_GET, Q_PEER_ADD, Q_PEER_EACH, Q_INVITE_PUT, Q_INVITE_EACH,
	Q_INVITE_GET, Q_INVITE_USE, Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_ENTRIES_DROP, Q_ENTRY_HEAD_ROW, Q_COUNT
};

static const char *const queries[Q_COUNT] = {
	[Q_ENTRY_INSERT] = "INSERT INTO entries (gid, author, seq, id, kind, "
	    "epoch, lamport, time, erased, blob) VALUES (?,?,?,?,?,?,?,?,?,?)",
	[Q_ENTRY_ID] = "SELECT id FROM entries WHERE gid=? AND author=? "
	    "AND seq=?",
	[Q_ENTRY_GET] = "SELECT blob FROM entries WHERE gid=? AND author=? "
	    "AND seq=?",
	[Q_ENTRY_HEAD] = "SELECT seq, id FROM entries WHERE gid=? AND "
	    "author=? ORDER BY seq DESC LIMIT 1",
	[Q_ENTRY_REPLACE] = "UPDATE entries SET blob=?, erased=? WHERE gid=? "
	    "AND author=? AND seq=?",
	[Q_ENTRIES_AFTER] = "SELECT gid, author, seq, id, kind, epoch, "
	    "lamport, time, erased, blob FROM entries WHERE gid=? AND "
	    "author=? AND seq>? ORDER BY seq LIMIT ?",
	[Q_ENTRIES_KIND] = "SELECT gid, author, seq, id, kind, epoch, "
	    "lamport, time, erased, blob FROM entries WHERE gid=? AND kind=? "
	    "ORDER BY lamport, author, seq",
	/*
	 * The vector is read author by author with two index seeks each
	 * (the next author, then its highest seq), never by scanning the
	 * group's entries: O(authors x log entries).
	 */
	[Q_VEC_NEXT] = "SELECT author FROM entries WHERE gid=? AND author>? "
	    "ORDER BY author LIMIT 1",
	[Q_VEC_MAX] = "SELECT max(seq) FROM entries WHERE gid=? AND author=?",
	[Q_ENTRY_COUNT] = "SELECT count(*) FROM entries WHERE gid=?",
	[Q_GROUP_PUT] = "INSERT INTO groups (gid, name) VALUES (?,?) "
	    "ON CONFLICT(gid) DO UPDATE SET name=excluded.name",
	[Q_GROUP_EACH] = "SELECT gid, name FROM groups ORDER BY name",
	[Q_KEY_PUT] = "INSERT OR REPLACE INTO keys (gid, epoch, sealed) "
	    "VALUES (?,?,?)",
	[Q_KEY_EACH] = "SELECT epoch, sealed FROM keys WHERE gid=? "
	    "ORDER BY rowid",
	[Q_META_PUT] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?,?)",
	[Q_META_GET] = "SELECT value FROM meta WHERE key=?",
	[Q_PEER_ADD] = "INSERT INTO peers (gid, addr, member) VALUES (?,?,?) "
	    "ON CONFLICT(gid, addr) DO UPDATE SET "
	    "member=coalesce(excluded.member, member)",
	[Q_PEER_EACH] = "SELECT addr, member FROM peers WHERE gid=? "
	    "ORDER BY addr",
	[Q_INVITE_PUT] = "INSERT INTO invites (hash, gid, expires, sealed, "
	    "used) VALUES (?,?,?,?,0)",
	[Q_INVITE_EACH] = "SELECT gid, hash, expires, sealed FROM invites "
	    "WHERE expires>?",
	[Q_INVITE_GET] = "SELECT expires, used FROM invites WHERE hash=?",
	[Q_INVITE_USE] = "UPDATE invites SET used=1 WHERE hash=?",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_ENTRIES_DROP] = "DELETE FROM entries WHERE gid=? AND author=? "
	    "AND seq>?",
	[Q_ENTRY_HEAD_ROW] = "SELECT seq, id, kind, epoch, lamport, time, "
	    "erased FROM entries WHERE gid=? AND author=? ORDER BY seq DESC "
	    "LIMIT 1",
};

/*
 * Schema migrations: migrations[i] brings version i to i + 1.  A database
 * newer than this program is refused rather than guessed at.
 */
static const char *const migrations[] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
	"CREATE TABLE groups (gid BLOB PRIMARY KEY, name TEXT NOT NULL);"
	"CREATE TABLE entries (gid BLOB NOT NULL, author BLOB NOT NULL,"
	" seq INTEGER NOT NULL, id BLOB NOT NULL, kind INTEGER NOT NULL,"
	" epoch INTEGER NOT NULL, lamport INTEGER NOT NULL,"
	" time INTEGER NOT NULL, erased INTEGER NOT NULL, blob BLOB NOT NULL,"
	" PRIMARY KEY (gid, author, seq)) WITHOUT ROWID;"
	"CREATE INDEX entries_kind ON entries (gid, kind, lamport);"
	"CREATE TABLE keys (gid BLOB NOT NULL, epoch INTEGER NOT NULL,"
	" sealed BLOB NOT NULL, PRIMARY KEY (gid, epoch));"
	"CREATE TABLE peers (gid BLOB NOT NULL, addr TEXT NOT NULL,"
	" member BLOB, PRIMARY KEY (gid, addr));"
	"CREATE TABLE invites (hash BLOB PRIMARY KEY, gid BLOB NOT NULL,"
	" expires INTEGER NOT NULL, sealed BLOB NOT NULL,"
	" used INTEGER NOT NULL);",
	/*
	 * 1 -> 2: entries become a rowid table.  In a WITHOUT ROWID table a
	 * row lives in an index b-tree page, whose largest local payload is
	 * about 1,000 bytes of a 4 KiB page: every 1 KiB note spilled to an
	 * overflow page of its own (about 4.7 KB of file per note, and that
	 * much written per entry).  A table b-tree keeps rows up to about
	 * 4,000 bytes in place; (gid, author, seq) stays unique and indexed.
	 */
	"CREATE TABLE entries_v2 (gid BLOB NOT NULL, author BLOB NOT NULL,"
	" seq INTEGER NOT NULL, id BLOB NOT NULL, kind INTEGER NOT NULL,"
	" epoch INTEGER NOT NULL, lamport INTEGER NOT NULL,"
	" time INTEGER NOT NULL, erased INTEGER NOT NULL, blob BLOB NOT NULL,"
	" UNIQUE (gid, author, seq));"
	"INSERT INTO entries_v2 (gid, author, seq, id, kind, epoch, lamport,"
	" time, erased, blob) SELECT gid, author, seq, id, kind, epoch,"
	" lamport, time, erased, blob FROM entries ORDER BY gid, lamport;"
	"DROP TABLE entries;"
	"ALTER TABLE entries_v2 RENAME TO entries;"
	"CREATE INDEX entries_kind ON entries (gid, kind, lamport);",
};

#define STORE_PAGE_SIZE "8192"

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

const char *
store_errmsg(const struct store *st)
{
	if (st != NULL && st->fault == STORE_FAULT_DAMAGED)
		return "the store is damaged; nothing more is written to it";
	/* A call after the failure (a rollback, a pragma) cleared SQLite's. */
	if (st != NULL && st->db != NULL && st->fault != STORE_FAULT_NONE &&
	    sqlite3_errcode(st->db) == SQLITE_OK)
		return sqlite3_errstr(st->fault_rc);
	return st != NULL && st->db != NULL ? sqlite3_errmsg(st->db) :
	    "no database";
}

/*
 * Notes a failed SQLite call for store_fault; returns BAL_EIO.  After the
 * first sign of a damaged file nothing more is written to it, not even the
 * checkpoint at close: it stays as it was found, to restore or examine.
 */
static int
failed(struct store *st, int rc)
{
	int f;

	switch (rc & 0xff) {
	case SQLITE_FULL:
		f = STORE_FAULT_FULL;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		f = STORE_FAULT_DAMAGED;
		(void)sqlite3_db_config(st->db,
		    SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
		break;
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		f = STORE_FAULT_IO;
		break;
	default:
		return BAL_EIO;
	}
	st->nfaults++;
	if (st->fault != STORE_FAULT_DAMAGED) {
		st->fault = f;
		st->fault_rc = rc;
	}
	return BAL_EIO;
}

int
store_fault(const struct store *st, unsigned long *count, const char **what)
{
	if (count != NULL)
		*count = st != NULL ? st->nfaults : 0;
	if (what != NULL)
		*what = st != NULL && st->fault != STORE_FAULT_NONE ?
		    sqlite3_errstr(st->fault_rc) : "";
	return st != NULL ? st->fault : STORE_FAULT_NONE;
}

static int
exec(struct store *st, const char *sql)
{
	int rc;

	if (st->fault == STORE_FAULT_DAMAGED)
		return failed(st, SQLITE_CORRUPT);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : failed(st, rc);
}

static int
user_version(struct store *st, int *v)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL)) != SQLITE_OK)
		return failed(st, rc);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = 0;
	} else
		rc = failed(st, rc);
	sqlite3_finalize(s);
	return rc;
}

static int
migrate(struct store *st)
{
	int v, n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	char sql[64];

	if (user_version(st, &v) != 0)
		return BAL_EIO;
	if (v > n)
		return BAL_EVERSION;
	for (; v < n; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if (exec(st, "BEGIN IMMEDIATE") != 0)
			return BAL_EIO;
		if (exec(st, migrations[v]) != 0 || exec(st, sql) != 0 ||
		    exec(st, "COMMIT") != 0) {
			exec(st, "ROLLBACK");
			return BAL_EIO;
		}
	}
	return 0;
}

int
store_open(const char *path, struct store **out)
{
	struct store *st;
	int fd, i, rc, ret = BAL_EIO;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return BAL_ENOMEM;
	/* Create the file 0600 ourselves; SQLite would honour the umask. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		goto out;
	close(fd);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(st->db, 5000);
	/*
	 * 8 KiB pages (new stores only; SQLite ignores it for an existing
	 * file): an entry with a 1 KiB note is about 1.35 KB, and a 4 KiB
	 * table page holds only two of them.
	 */
	/*
	 * Exclusive locking: the daemon is the store's only user (a second
	 * balintd refuses to start), so SQLite takes its file locks once
	 * and keeps the WAL index in heap memory instead of taking and
	 * dropping shared-memory locks (several fcntl calls) around every
	 * statement outside a transaction.  Other programs may read the
	 * store when the daemon is stopped, or a copy of it.
	 */
	if (exec(st, "PRAGMA page_size=" STORE_PAGE_SIZE) != 0 ||
	    exec(st, "PRAGMA locking_mode=EXCLUSIVE") != 0 ||
	    exec(st, "PRAGMA journal_mode=WAL") != 0 ||
	    exec(st, "PRAGMA synchronous=FULL") != 0 ||
	    exec(st, "PRAGMA secure_delete=ON") != 0 ||
	    exec(st, "PRAGMA temp_store=MEMORY") != 0 ||
	    exec(st, "PRAGMA foreign_keys=ON") != 0)
		goto out;
	if ((ret = migrate(st)) != 0)
		goto out;
	ret = BAL_EIO;
	for (i = 0; i < Q_COUNT; i++)
		if ((rc = sqlite3_prepare_v3(st->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL)) != SQLITE_OK) {
			(void)failed(st, rc);
			goto out;
		}
	*out = st;
	st = NULL;
	ret = 0;
out:
	if (ret == BAL_EIO && st != NULL && st->fault == STORE_FAULT_DAMAGED)
		ret = BAL_EPROTO;
	store_close(st);
	return ret;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(st->q[i]);
	sqlite3_close(st->db);
	free(st->vec);
	free(st);
}

/* Resets a cached statement for its next use. */
static sqlite3_stmt *
q(struct store *st, int which)
{
	sqlite3_stmt *s = st->q[which];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Runs a statement that returns no rows; a damaged file gets no writes. */
static int
done(struct store *st, sqlite3_stmt *s)
{
	int rc;

	if (st->fault == STORE_FAULT_DAMAGED && s != st->q[Q_ROLLBACK])
		return failed(st, SQLITE_CORRUPT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return BAL_EEXIST;
	return rc == SQLITE_DONE ? 0 : failed(st, rc);
}

static void
bind_blob(sqlite3_stmt *s, int i, const void *p, size_t len)
{
	sqlite3_bind_blob64(s, i, p != NULL ? p : "", len, SQLITE_STATIC);
}

/*
 * Sets synchronous=NORMAL (normal 1) or FULL (0) for the next commits,
 * outside a transaction (SQLite refuses it inside one).  The store is FULL
 * except during a transaction begun by store_begin_received.  SQLite
 * applies this pragma when it compiles it, so it is run afresh each time
 * (sqlite3_exec), never kept prepared.
 */
static int
sync_level(struct store *st, int normal)
{
	int ret;

	if (st->sync_normal == normal)
		return 0;
	if ((ret = exec(st, normal ? "PRAGMA synchronous=NORMAL" :
	    "PRAGMA synchronous=FULL")) == 0)
		st->sync_normal = normal;
	return ret;
}

int
store_begin(struct store *st)
{
	int ret;

	if ((ret = sync_level(st, 0)) != 0)
		return ret;
	st->cnt_add = 0;
	return done(st, q(st, Q_BEGIN));
}

int
store_begin_received(struct store *st)
{
	int ret;

	if ((ret = sync_level(st, 1)) != 0)
		return ret;
	st->cnt_add = 0;
	if ((ret = done(st, q(st, Q_BEGIN))) != 0)
		(void)sync_level(st, 0);
	return ret;
}

int
store_commit(struct store *st)
{
	int ret = done(st, q(st, Q_COMMIT));

	/* A transaction went through: the disk had room again. */
	if (ret == 0 && st->fault != STORE_FAULT_DAMAGED)
		st->fault = STORE_FAULT_NONE;
	if (ret == 0) {
		st->cnt += st->cnt_add;
		st->cnt_add = 0;
	}
	/*
	 * Back to FULL for every other write.  Setting the level does no
	 * I/O and fails only inside a transaction; should it fail, the
	 * next store_begin sets it again.
	 */
	if (sqlite3_get_autocommit(st->db))
		(void)sync_level(st, 0);
	return ret;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)done(st, q(st, Q_ROLLBACK));
	if (sqlite3_get_autocommit(st->db))
		(void)sync_level(st, 0);
	st->cnt_valid = 0;
	st->cnt_add = 0;
}

int
store_entry_put(struct store *st, const struct store_entry_row *row)
{
	sqlite3_stmt *s = q(st, Q_ENTRY_INSERT);
	int rc, same;

	/*
	 * The insert comes first: a new entry (the common case) costs one
	 * statement, and (gid, author, seq) is unique, so a held seq fails
	 * the insert without changing anything; only then is the held id
	 * read, to tell "held" from "fork".
	 */
	bind_blob(s, 1, row->group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, row->author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)row->seq);
	bind_blob(s, 4, row->id, BAL_HASH_BYTES);
	sqlite3_bind_int(s, 5, row->kind);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)row->epoch);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)row->lamport);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)row->time);
	sqlite3_bind_int(s, 9, row->erased);
	bind_blob(s, 10, row->blob, row->bloblen);
	if ((rc = done(st, s)) == 0 && st->cnt_valid &&
	    memcmp(st->cnt_gid, row->group, BAL_GROUP_ID_BYTES) == 0) {
		if (sqlite3_get_autocommit(st->db))
			st->cnt++;
		else
			st->cnt_add++;
	}
	if (rc != BAL_EEXIST)
		return rc;
	s = q(st, Q_ENTRY_ID);
	bind_blob(s, 1, row->group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, row->author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)row->seq);
	rc = sqlite3_step(s);
	same = rc == SQLITE_ROW &&
	    sqlite3_column_bytes(s, 0) == BAL_HASH_BYTES &&
	    memcmp(sqlite3_column_blob(s, 0), row->id, BAL_HASH_BYTES) == 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return failed(st, rc);
	return same ? BAL_EEXIST : BAL_ECHAIN;
}

/* Copies column i of the current row into a malloc'd buffer. */
static int
copy_blob(sqlite3_stmt *s, int i, uint8_t **out, size_t *len)
{
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	if ((*out = malloc(n > 0 ? n : 1)) == NULL)
		return BAL_ENOMEM;
	if (n > 0)
		memcpy(*out, sqlite3_column_blob(s, i), n);
	*len = n;
	return 0;
}

int
store_entry_get(struct store *st, const uint8_t *group, const uint8_t *author,
    uint64_t seq, uint8_t **blob, size_t *len)
{
	sqlite3_stmt *s = q(st, Q_ENTRY_GET);
	int rc, ret;

	*blob = NULL;
	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = copy_blob(s, 0, blob, len);
	else
		ret = rc == SQLITE_DONE ? BAL_ENOENT : failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_entry_head(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t *seq, uint8_t id[BAL_HASH_BYTES])
{
	sqlite3_stmt *s = q(st, Q_ENTRY_HEAD);
	int rc, ret = 0;

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, author, BAL_PK_BYTES);
	rc = sqlite3_step(s);
	*seq = 0;
	memset(id, 0, BAL_HASH_BYTES);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == BAL_HASH_BYTES)
			memcpy(id, sqlite3_column_blob(s, 1), BAL_HASH_BYTES);
	} else if (rc != SQLITE_DONE) {
		ret = failed(st, rc);
	}
	sqlite3_reset(s);
	return ret;
}

int
store_entry_head_row(struct store *st, const uint8_t *group,
    const uint8_t *author, struct store_entry_row *row)
{
	sqlite3_stmt *s = q(st, Q_ENTRY_HEAD_ROW);
	int rc, ret = 0;

	memset(row, 0, sizeof(*row));
	memcpy(row->group, group, BAL_GROUP_ID_BYTES);
	memcpy(row->author, author, BAL_PK_BYTES);
	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, author, BAL_PK_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 1) != BAL_HASH_BYTES)
			ret = failed(st, SQLITE_CORRUPT);
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
		ret = failed(st, rc);
	}
	sqlite3_reset(s);
	return ret;
}

int
store_entry_replace(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t seq, const uint8_t *blob, size_t len,
    int erased)
{
	sqlite3_stmt *s = q(st, Q_ENTRY_REPLACE);
	int rc;

	bind_blob(s, 1, blob, len);
	sqlite3_bind_int(s, 2, erased);
	bind_blob(s, 3, group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 4, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)seq);
	if ((rc = done(st, s)) != 0)
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

/* Steps s, handing each row to cb; the callback may stop the walk. */
static int
each_row(struct store *st, sqlite3_stmt *s, store_entry_cb cb, void *ctx)
{
	struct store_entry_row row;
	int rc, ret = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((ret = row_from(s, &row)) != 0)
			break;
		if ((ret = cb(ctx, &row)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = failed(st, rc);
	sqlite3_reset(s);
	return ret > 0 ? 0 : ret;
}

int
store_entries_each(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t after, size_t limit, store_entry_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = q(st, Q_ENTRIES_AFTER);

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)after);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	return each_row(st, s, cb, ctx);
}

int
store_entries_kind_each(struct store *st, const uint8_t *group, int kind,
    store_entry_cb cb, void *ctx)
{
	sqlite3_stmt *s = q(st, Q_ENTRIES_KIND);

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
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
		s = q(st, Q_VEC_NEXT);
		bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		bind_blob(s, 2, author, alen);
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
			return failed(st, rc);
		alen = BAL_PK_BYTES;
		s = q(st, Q_VEC_MAX);
		bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
		bind_blob(s, 2, author, BAL_PK_BYTES);
		rc = sqlite3_step(s);
		seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) :
		    0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW || seq == 0)
			return failed(st, rc);
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
store_entry_count(struct store *st, const uint8_t *group, uint64_t *n)
{
	sqlite3_stmt *s;
	int rc, ret, outside = sqlite3_get_autocommit(st->db);

	if (outside && st->cnt_valid &&
	    memcmp(st->cnt_gid, group, BAL_GROUP_ID_BYTES) == 0) {
		*n = st->cnt;
		return 0;
	}
	s = q(st, Q_ENTRY_COUNT);
	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(s, 0);
		ret = 0;
	} else
		ret = failed(st, rc);
	sqlite3_reset(s);
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
store_group_put(struct store *st, const uint8_t *group, const char *name)
{
	sqlite3_stmt *s = q(st, Q_GROUP_PUT);

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	return done(st, s);
}

int
store_group_each(struct store *st, store_group_cb cb, void *ctx)
{
	sqlite3_stmt *s = q(st, Q_GROUP_EACH);
	int rc, ret = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != BAL_GROUP_ID_BYTES) {
			ret = BAL_EIO;
			break;
		}
		if ((ret = cb(ctx, sqlite3_column_blob(s, 0),
		    (const char *)sqlite3_column_text(s, 1))) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = failed(st, rc);
	sqlite3_reset(s);
	return ret > 0 ? 0 : ret;
}

int
store_entries_drop_after(struct store *st, const uint8_t *group,
    const uint8_t *author, uint64_t after, uint64_t *n)
{
	sqlite3_stmt *s = q(st, Q_ENTRIES_DROP);
	int ret;

	if (n != NULL)
		*n = 0;
	if (after > (uint64_t)INT64_MAX)
		return 0;
	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	bind_blob(s, 2, author, BAL_PK_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)after);
	ret = done(st, s);
	if (ret == 0 && sqlite3_changes(st->db) > 0)
		st->cnt_valid = 0;
	if (ret == 0 && n != NULL)
		*n = (uint64_t)sqlite3_changes(st->db);
	return ret;
}

int
store_sync(struct store *st)
{
	sqlite3_file *wal = NULL;
	int rc;

	/* The WAL holds every commit not yet checkpointed: sync it alone. */
	if ((rc = sqlite3_file_control(st->db, "main",
	    SQLITE_FCNTL_JOURNAL_POINTER, &wal)) != SQLITE_OK)
		return failed(st, rc);
	if (wal == NULL || wal->pMethods == NULL)
		return 0;		/* no WAL open: nothing unsynced */
	if ((rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL)) != SQLITE_OK)
		return failed(st, rc);
	return 0;
}

int
store_checkpoint(struct store *st)
{
	return exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
}

int
store_group_erase(struct store *st, const uint8_t *group)
{
	static const char *const tables[] = {
		"entries", "keys", "peers", "invites", "groups"
	};
	sqlite3_stmt *s;
	char sql[64];
	size_t i;
	int ret = 0;

	st->cnt_valid = 0;
	if (store_begin(st) != 0)
		return BAL_EIO;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]) && ret == 0; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE gid=?",
		    tables[i]);
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
			ret = BAL_EIO;
		else {
			bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
			ret = done(st, s);
			sqlite3_finalize(s);
		}
	}
	if (ret != 0 || store_commit(st) != 0) {
		store_rollback(st);
		return BAL_EIO;
	}
	/* secure_delete zeroed the pages; also push them out of the WAL. */
	(void)exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	return 0;
}

int
store_key_put(struct store *st, const uint8_t *group, uint64_t epoch,
    const uint8_t *sealed, size_t len)
{
	sqlite3_stmt *s = q(st, Q_KEY_PUT);

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)epoch);
	bind_blob(s, 3, sealed, len);
	return done(st, s);
}

int
store_key_each(struct store *st, const uint8_t *group, store_key_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = q(st, Q_KEY_EACH);
	int rc, ret = 0;

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((ret = cb(ctx, (uint64_t)sqlite3_column_int64(s, 0),
		    sqlite3_column_blob(s, 1),
		    (size_t)sqlite3_column_bytes(s, 1))) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = failed(st, rc);
	sqlite3_reset(s);
	return ret > 0 ? 0 : ret;
}

int
store_meta_put(struct store *st, const char *key, const void *val, size_t len)
{
	sqlite3_stmt *s = q(st, Q_META_PUT);

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	bind_blob(s, 2, val, len);
	return done(st, s);
}

int
store_meta_get(struct store *st, const char *key, uint8_t **val, size_t *len)
{
	sqlite3_stmt *s = q(st, Q_META_GET);
	int rc, ret;

	*val = NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = copy_blob(s, 0, val, len);
	else
		ret = rc == SQLITE_DONE ? BAL_ENOENT : failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_peer_add(struct store *st, const uint8_t *group, const char *addr,
    const uint8_t *member)
{
	sqlite3_stmt *s = q(st, Q_PEER_ADD);

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	if (member != NULL)
		bind_blob(s, 3, member, BAL_PK_BYTES);
	else
		sqlite3_bind_null(s, 3);
	return done(st, s);
}

int
store_peer_each(struct store *st, const uint8_t *group, store_peer_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = q(st, Q_PEER_EACH);
	int rc, ret = 0;

	bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *member = NULL;

		if (sqlite3_column_bytes(s, 1) == BAL_PK_BYTES)
			member = sqlite3_column_blob(s, 1);
		if ((ret = cb(ctx, (const char *)sqlite3_column_text(s, 0),
		    member)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = failed(st, rc);
	sqlite3_reset(s);
	return ret > 0 ? 0 : ret;
}

int
store_invite_put(struct store *st, const uint8_t *group,
    const uint8_t hash[BAL_HASH_BYTES], uint64_t expires_ms,
    const uint8_t *sealed_secret, size_t len)
{
	sqlite3_stmt *s = q(st, Q_INVITE_PUT);

	bind_blob(s, 1, hash, BAL_HASH_BYTES);
	bind_blob(s, 2, group, BAL_GROUP_ID_BYTES);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)expires_ms);
	bind_blob(s, 4, sealed_secret, len);
	return done(st, s);
}

int
store_invite_each(struct store *st, uint64_t now_ms, store_invite_cb cb,
    void *ctx)
{
	sqlite3_stmt *s = q(st, Q_INVITE_EACH);
	int rc, ret = 0;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)now_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != BAL_GROUP_ID_BYTES ||
		    sqlite3_column_bytes(s, 1) != BAL_HASH_BYTES) {
			ret = BAL_EIO;
			break;
		}
		if ((ret = cb(ctx, sqlite3_column_blob(s, 0),
		    sqlite3_column_blob(s, 1),
		    (uint64_t)sqlite3_column_int64(s, 2),
		    sqlite3_column_blob(s, 3),
		    (size_t)sqlite3_column_bytes(s, 3))) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = failed(st, rc);
	sqlite3_reset(s);
	return ret > 0 ? 0 : ret;
}

int
store_invite_used(struct store *st, const uint8_t hash[BAL_HASH_BYTES])
{
	sqlite3_stmt *s = q(st, Q_INVITE_GET);
	int rc, ret;

	bind_blob(s, 1, hash, BAL_HASH_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = sqlite3_column_int(s, 1) != 0;
	else
		ret = rc == SQLITE_DONE ? BAL_ENOENT : failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

int
store_invite_take(struct store *st, const uint8_t hash[BAL_HASH_BYTES],
    uint64_t now_ms)
{
	sqlite3_stmt *s = q(st, Q_INVITE_GET);
	int rc, used = 0, ret;
	uint64_t expires = 0;

	bind_blob(s, 1, hash, BAL_HASH_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		expires = (uint64_t)sqlite3_column_int64(s, 0);
		used = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? BAL_ENOENT : failed(st, rc);
	if (used)
		return BAL_EEXIST;
	if (expires <= now_ms)
		return BAL_EEXPIRED;
	s = q(st, Q_INVITE_USE);
	bind_blob(s, 1, hash, BAL_HASH_BYTES);
	ret = done(st, s);
	return ret;
}
