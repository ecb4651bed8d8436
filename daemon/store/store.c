/*
 * store.c — balintd's SQLite store (see store.h): the schema and its
 * migrations, opening and closing, the prepared statements, failures,
 * transactions and durability, erasing a group.  Entries are in
 * store-entries.c, groups, keys, meta, peers and invites in store-meta.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "store-int.h"


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
	[Q_ENTRY_MISSING] = "SELECT count(*) FROM entries WHERE gid=? AND "
	    "erased=2",
	[Q_ENTRIES_MISSING] = "SELECT author, seq FROM entries WHERE gid=? "
	    "AND erased=2 ORDER BY author, seq LIMIT ?",
	[Q_ENTRIES_MISSING_ERASE] = "UPDATE entries SET erased=1 WHERE gid=? "
	    "AND author=? AND erased=2",
	/* length() of a blob reads its size, not its pages. */
	[Q_AUTHOR_USE] = "SELECT count(*), total(length(blob)), "
	    "total(time>=?3 AND time<?4), "
	    "total(CASE WHEN time>=?3 AND time<?4 THEN length(blob) END) "
	    "FROM entries WHERE gid=?1 AND author=?2",
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
	[Q_PEER_EACH] = "SELECT addr, member, 1, 0, ok_ms FROM peers "
	    "WHERE gid=?1 UNION ALL SELECT addr, member, 0, ord, ok_ms "
	    "FROM announced WHERE gid=?1 ORDER BY 1, 3 DESC, 2",
	[Q_PEER_ANN_SEQ] = "SELECT max(seq) FROM announced WHERE gid=? AND "
	    "member=?",
	[Q_PEER_ANN_DEL] = "DELETE FROM announced WHERE gid=? AND member=?",
	[Q_PEER_ANN_ADD] = "INSERT OR IGNORE INTO announced (gid, member, "
	    "addr, seq, ord) VALUES (?,?,?,?,?)",
	[Q_PEER_FORGET] = "DELETE FROM peers WHERE gid=? AND member=?",
	[Q_PEER_FORGET_ANN] = "DELETE FROM announced WHERE gid=? AND "
	    "member=?",
	[Q_PEER_REMOVE] = "DELETE FROM peers WHERE gid=? AND addr=?",
	[Q_PEER_REMOVE_ANN] = "DELETE FROM announced WHERE gid=? AND addr=?",
	[Q_PEER_REMOVE_OF] = "DELETE FROM peers WHERE gid=? AND addr=? AND "
	    "(member IS NULL OR member=?)",
	[Q_PEER_REMOVE_ANN_OF] = "DELETE FROM announced WHERE gid=? AND "
	    "addr=? AND member=?",
	[Q_PEER_OK] = "UPDATE peers SET ok_ms=?3 WHERE gid=?1 AND addr=?2",
	[Q_PEER_OK_ANN] = "UPDATE announced SET ok_ms=?3 WHERE gid=?1 AND "
	    "addr=?2 AND member=?4",
	[Q_INVITE_PUT] = "INSERT INTO invites (hash, gid, expires, sealed, "
	    "used) VALUES (?,?,?,?,0)",
	[Q_INVITE_EACH] = "SELECT gid, hash, expires, sealed FROM invites "
	    "WHERE expires>?",
	[Q_INVITE_GET] = "SELECT expires, used FROM invites WHERE hash=?",
	[Q_INVITE_USE] = "UPDATE invites SET used=1 WHERE hash=?",
	[Q_INVITE_FAIL] = "UPDATE invites SET fails=fails+1, used=CASE WHEN "
	    "fails+1>=?2 THEN 2 ELSE used END WHERE hash=?1 AND used=0 "
	    "RETURNING fails",
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
	/*
	 * 2 -> 3: what members announce is kept apart from what was typed
	 * (`peer add`, an invite code): only each member's latest announce,
	 * its first addresses (docs/protocol.md "Dial targets").  Both keep
	 * when a session through the address last came up.  Rows that came
	 * from announces or HELLOs before carry a member: they go.
	 */
	"DELETE FROM peers WHERE member IS NOT NULL;"
	"ALTER TABLE peers ADD COLUMN ok_ms INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE announced (gid BLOB NOT NULL, member BLOB NOT NULL,"
	" addr TEXT NOT NULL, seq INTEGER NOT NULL, ord INTEGER NOT NULL,"
	" ok_ms INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (gid, member, addr));",
	/*
	 * 3 -> 4: refused attempts on an invite (a name it is not bound
	 * to) are counted; after INVITE_TRIES_MAX the code is spent
	 * (used = 2).
	 */
	"ALTER TABLE invites ADD COLUMN fails INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 4 -> 5: the last HAVE (author -> seq) seen of each member, from a
	 * session or a bundle, so `bundle write --for MEMBER` holds only
	 * what they lack (store-have.c).
	 */
	"CREATE TABLE have_seen (gid BLOB NOT NULL, member BLOB NOT NULL,"
	" author BLOB NOT NULL, seq INTEGER NOT NULL,"
	" PRIMARY KEY (gid, member, author)) WITHOUT ROWID;",
	/*
	 * 5 -> 6: read marks, the entry ids of the note versions this
	 * member read (store-marks.c); local, never synced.
	 */
	"CREATE TABLE read_marks (gid BLOB NOT NULL, entry BLOB NOT NULL,"
	" PRIMARY KEY (gid, entry)) WITHOUT ROWID;",
	/*
	 * 6 -> 7: a revoked member's own notes, sealed under the member's
	 * own key, kept apart for export when the group is erased
	 * (store-kept.c, group-kept.c).
	 */
	"CREATE TABLE kept_notes (gid BLOB NOT NULL, ord INTEGER NOT NULL,"
	" sealed BLOB NOT NULL, PRIMARY KEY (gid, ord));",
};

#define STORE_PAGE_SIZE "8192"


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
int
store_failed(struct store *st, int rc)
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
		return store_failed(st, SQLITE_CORRUPT);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : store_failed(st, rc);
}

static int
user_version(struct store *st, int *v)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL)) != SQLITE_OK)
		return store_failed(st, rc);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = 0;
	} else
		rc = store_failed(st, rc);
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
			(void)store_failed(st, rc);
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
sqlite3_stmt *
store_q(struct store *st, int which)
{
	sqlite3_stmt *s = st->q[which];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Runs a statement that returns no rows; a damaged file gets no writes. */
int
store_done(struct store *st, sqlite3_stmt *s)
{
	int rc;

	if (st->fault == STORE_FAULT_DAMAGED && s != st->q[Q_ROLLBACK])
		return store_failed(st, SQLITE_CORRUPT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return BAL_EEXIST;
	return rc == SQLITE_DONE ? 0 : store_failed(st, rc);
}

int
store_rows(struct store *st, sqlite3_stmt *s,
    int (*fn)(void *ctx, sqlite3_stmt *row), void *ctx)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = fn(ctx, s)) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_failed(st, rc);
	sqlite3_reset(s);
	return ret > 0 ? 0 : ret;
}

int
store_count(struct store *st, sqlite3_stmt *s, uint64_t *n)
{
	int rc, ret = 0;

	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(s, 0);
	else
		ret = store_failed(st, rc);
	sqlite3_reset(s);
	return ret;
}

void
store_bind_blob(sqlite3_stmt *s, int i, const void *p, size_t len)
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
	return store_done(st, store_q(st, Q_BEGIN));
}

int
store_begin_received(struct store *st)
{
	int ret;

	if ((ret = sync_level(st, 1)) != 0)
		return ret;
	st->cnt_add = 0;
	if ((ret = store_done(st, store_q(st, Q_BEGIN))) != 0)
		(void)sync_level(st, 0);
	return ret;
}

int
store_commit(struct store *st)
{
	int ret = store_done(st, store_q(st, Q_COMMIT));

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
		(void)store_done(st, store_q(st, Q_ROLLBACK));
	if (sqlite3_get_autocommit(st->db))
		(void)sync_level(st, 0);
	st->cnt_valid = 0;
	st->cnt_add = 0;
}

int
store_sync(struct store *st)
{
	sqlite3_file *wal = NULL;
	int rc;

	/* The WAL holds every commit not yet checkpointed: sync it alone. */
	if ((rc = sqlite3_file_control(st->db, "main",
	    SQLITE_FCNTL_JOURNAL_POINTER, &wal)) != SQLITE_OK)
		return store_failed(st, rc);
	if (wal == NULL || wal->pMethods == NULL)
		return 0;		/* no WAL open: nothing unsynced */
	if ((rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL)) != SQLITE_OK)
		return store_failed(st, rc);
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
		"entries", "keys", "peers", "announced", "invites",
		"have_seen", "read_marks", "groups"
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
			store_bind_blob(s, 1, group, BAL_GROUP_ID_BYTES);
			ret = store_done(st, s);
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

/* Copies column i of the current row into a malloc'd buffer. */
int
store_copy_blob(sqlite3_stmt *s, int i, uint8_t **out, size_t *len)
{
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	if ((*out = malloc(n > 0 ? n : 1)) == NULL)
		return BAL_ENOMEM;
	if (n > 0)
		memcpy(*out, sqlite3_column_blob(s, i), n);
	*len = n;
	return 0;
}
