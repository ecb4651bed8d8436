/* test-store.c — the daemon's SQLite store, on real files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

/*
 * The syncs SQLite asks of its files, counted by a VFS registered as the
 * default over the usual one: each file is that VFS's own, given a copy of
 * its methods whose xSync counts the call and hands it on.
 */
#define IO_TABLES 8
static sqlite3_vfs *base_vfs;
static sqlite3_vfs count_vfs;
static struct {
	const sqlite3_io_methods *orig;
	sqlite3_io_methods copy;
} io[IO_TABLES];
static size_t nio;
static unsigned long n_syncs;

static int
count_sync(sqlite3_file *file, int flags)
{
	size_t i;

	n_syncs++;
	for (i = 0; i < nio; i++)
		if (file->pMethods == &io[i].copy)
			return io[i].orig->xSync(file, flags);
	return SQLITE_IOERR;
}

static int
count_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
    int *out)
{
	size_t i;
	int rc;

	(void)vfs;
	rc = base_vfs->xOpen(base_vfs, name, file, flags, out);
	if (rc != SQLITE_OK || file->pMethods == NULL)
		return rc;
	for (i = 0; i < nio && io[i].orig != file->pMethods; i++)
		;
	if (i == IO_TABLES)
		return SQLITE_CANTOPEN;
	if (i == nio) {
		io[i].orig = file->pMethods;
		io[i].copy = *file->pMethods;
		io[i].copy.xSync = count_sync;
		nio++;
	}
	file->pMethods = &io[i].copy;
	return rc;
}

static int
group_setup(void **state)
{
	(void)state;
	if ((base_vfs = sqlite3_vfs_find(NULL)) == NULL)
		return -1;
	count_vfs = *base_vfs;
	count_vfs.zName = "balint-test-count";
	count_vfs.pNext = NULL;
	count_vfs.xOpen = count_open;
	return sqlite3_vfs_register(&count_vfs, 1) == SQLITE_OK ? 0 : -1;
}

struct fx {
	char dir[64];
	char path[96];
	struct store *st;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/balint-test-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	if (store_open(f->path, &f->st) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
mkrow(struct store_entry_row *r, uint8_t g, uint8_t a, uint64_t seq,
    uint8_t idb, const char *blob)
{
	memset(r, 0, sizeof(*r));
	memset(r->group, g, sizeof(r->group));
	memset(r->author, a, sizeof(r->author));
	memset(r->id, idb, sizeof(r->id));
	r->seq = seq;
	r->kind = 1;
	r->lamport = seq * 10 + a;
	r->blob = (const uint8_t *)blob;
	r->bloblen = strlen(blob);
}

static void
test_file_mode_and_schema(void **state)
{
	struct fx *f = *state;
	struct stat sb;

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
test_entry_put_get_head(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	uint8_t *blob, id[32], g[32], a[32];
	size_t len;
	uint64_t seq;

	mkrow(&r, 1, 2, 1, 0xa1, "first");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	mkrow(&r, 1, 2, 2, 0xa2, "second");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	memset(g, 1, 32);
	memset(a, 2, 32);
	assert_int_equal(store_entry_get(f->st, g, a, 2, &blob, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(blob, "second", 6);
	free(blob);
	assert_int_equal(store_entry_get(f->st, g, a, 3, &blob, &len),
	    BAL_ENOENT);
	assert_int_equal(store_entry_head(f->st, g, a, &seq, id), 0);
	assert_int_equal(seq, 2);
	assert_int_equal(id[0], 0xa2);
	/* The head's header columns in one query, without the blob. */
	assert_int_equal(store_entry_head_row(f->st, g, a, &r), 0);
	assert_int_equal(r.seq, 2);
	assert_int_equal(r.id[31], 0xa2);
	assert_int_equal(r.kind, 1);
	assert_int_equal(r.lamport, 22);
	assert_memory_equal(r.group, g, 32);
	assert_memory_equal(r.author, a, 32);
	assert_null(r.blob);
	memset(a, 9, 32);
	assert_int_equal(store_entry_head(f->st, g, a, &seq, id), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(store_entry_head_row(f->st, g, a, &r), 0);
	assert_int_equal(r.seq, 0);
}

static void
test_duplicate_and_fork(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	uint8_t *blob, g[32], a[32];
	size_t len;

	mkrow(&r, 1, 2, 1, 0xa1, "first");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_entry_put(f->st, &r), BAL_EEXIST);
	mkrow(&r, 1, 2, 1, 0xb1, "forked");
	assert_int_equal(store_entry_put(f->st, &r), BAL_ECHAIN);
	memset(g, 1, 32);
	memset(a, 2, 32);
	assert_int_equal(store_entry_get(f->st, g, a, 1, &blob, &len), 0);
	assert_memory_equal(blob, "first", 5);
	free(blob);
}

static int
collect_seq(void *ctx, const struct store_entry_row *row)
{
	uint64_t *acc = ctx;

	*acc = *acc * 10 + row->seq;
	return 0;
}

static int
sum_vector(void *ctx, const uint8_t *author, uint64_t seq)
{
	uint64_t *acc = ctx;

	*acc += author[0] * 100 + seq;
	return 0;
}

static void
test_ranges_and_vector(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	uint8_t g[32], a[32];
	uint64_t acc = 0, s;

	for (s = 1; s <= 5; s++) {
		mkrow(&r, 1, 2, s, (uint8_t)s, "x");
		assert_int_equal(store_entry_put(f->st, &r), 0);
	}
	mkrow(&r, 1, 3, 1, 0x31, "y");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	mkrow(&r, 7, 3, 1, 0x71, "other group");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	memset(g, 1, 32);
	memset(a, 2, 32);
	assert_int_equal(store_entries_each(f->st, g, a, 1, 3, collect_seq,
	    &acc), 0);
	assert_int_equal(acc, 234);
	acc = 0;
	assert_int_equal(store_vector_each(f->st, g, sum_vector, &acc), 0);
	assert_int_equal(acc, 2 * 100 + 5 + 3 * 100 + 1);
	assert_int_equal(store_entry_count(f->st, g, &s), 0);
	assert_int_equal(s, 6);
}

static void
test_replace_and_erase_group(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	uint8_t *blob, g[32], a[32];
	size_t len;
	uint64_t n;

	mkrow(&r, 1, 2, 1, 0xa1, "ciphertext");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	memset(g, 1, 32);
	memset(a, 2, 32);
	assert_int_equal(store_entry_replace(f->st, g, a, 1,
	    (const uint8_t *)"hdr", 3, 1), 0);
	assert_int_equal(store_entry_get(f->st, g, a, 1, &blob, &len), 0);
	assert_int_equal(len, 3);
	free(blob);
	assert_int_equal(store_entry_replace(f->st, g, a, 9,
	    (const uint8_t *)"hdr", 3, 1), BAL_ENOENT);
	assert_int_equal(store_group_put(f->st, g, "Tuesday group"), 0);
	assert_int_equal(store_key_put(f->st, g, 0, (const uint8_t *)"k", 1), 0);
	assert_int_equal(store_group_erase(f->st, g), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 0);
}

/* Collects kept rows (store_kept_each). */
static int
kept_count_cb(void *ctx, uint64_t ord, const uint8_t *sealed, size_t len)
{
	uint64_t *n = ctx;

	assert_int_equal(ord, *n + 1);
	assert_int_equal(len, 6);
	assert_memory_equal(sealed, "sealed", 6);
	(*n)++;
	return 0;
}

/*
 * Read marks: put twice is one mark, sorted back, per group, erased with
 * the group; kept notes outlive the group's erasure (store-marks.c,
 * store-kept.c).
 */
static void
test_marks_and_kept(void **state)
{
	struct fx *f = *state;
	uint8_t g[32], h[32], ids[3][32], *got = NULL;
	size_t n = 0;
	uint64_t kept = 0;

	memset(g, 1, 32);
	memset(h, 2, 32);
	memset(ids[0], 0xc0, 32);
	memset(ids[1], 0x10, 32);
	memset(ids[2], 0xc0, 32);
	assert_int_equal(store_marks_put(f->st, g, (const uint8_t (*)[32])ids,
	    3), 0);
	assert_int_equal(store_marks_put(f->st, h, (const uint8_t (*)[32])ids,
	    1), 0);
	assert_int_equal(store_marks_get(f->st, g, &got, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(got, ids[1], 32);
	assert_memory_equal(got + 32, ids[0], 32);
	free(got);
	assert_int_equal(store_kept_put(f->st, g, 1, (const uint8_t *)"sealed",
	    6), 0);
	assert_int_equal(store_kept_put(f->st, g, 2, (const uint8_t *)"sealed",
	    6), 0);
	assert_int_equal(store_group_erase(f->st, g), 0);
	assert_int_equal(store_marks_get(f->st, g, &got, &n), 0);
	assert_int_equal(n, 0);
	free(got);
	assert_int_equal(store_marks_get(f->st, h, &got, &n), 0);
	assert_int_equal(n, 1);
	free(got);
	assert_int_equal(store_kept_each(f->st, g, kept_count_cb, &kept), 0);
	assert_int_equal(kept, 2);
}

static void
test_transaction_rollback(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	uint8_t g[32];
	uint64_t n;

	assert_int_equal(store_begin(f->st), 0);
	mkrow(&r, 1, 2, 1, 0xa1, "a");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	store_rollback(f->st);
	memset(g, 1, 32);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 1);
}

/*
 * A member's own writes are synced to disk when they commit; a batch
 * received from a peer is committed without a sync (synchronous=NORMAL),
 * and everything after it is synced again, whether it committed or not.
 */
static void
test_received_commits_unsynced(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	unsigned long n0;
	uint8_t g[32];
	uint64_t n;

	memset(g, 1, 32);
	n0 = n_syncs;
	assert_int_equal(store_begin(f->st), 0);
	mkrow(&r, 1, 2, 1, 0xa1, "own");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_true(n_syncs > n0);

	n0 = n_syncs;
	assert_int_equal(store_begin_received(f->st), 0);
	mkrow(&r, 1, 3, 1, 0xb1, "received");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(n_syncs, n0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 2);
	/* Made durable on demand. */
	assert_int_equal(store_sync(f->st), 0);
	assert_int_equal(n_syncs, n0 + 1);

	/* Outside a transaction: synced again. */
	n0 = n_syncs;
	assert_int_equal(store_meta_put(f->st, "k", "v", 1), 0);
	assert_true(n_syncs > n0);

	/* After a received batch that rolled back, too. */
	assert_int_equal(store_begin_received(f->st), 0);
	mkrow(&r, 1, 3, 2, 0xb2, "dropped");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	store_rollback(f->st);
	n0 = n_syncs;
	assert_int_equal(store_meta_put(f->st, "k", "w", 1), 0);
	assert_true(n_syncs > n0);
	n0 = n_syncs;
	assert_int_equal(store_begin(f->st), 0);
	mkrow(&r, 1, 2, 2, 0xa2, "own again");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_true(n_syncs > n0);

	/* All of it is there after a reopen. */
	store_close(f->st);
	assert_int_equal(store_open(f->path, &f->st), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 3);
}

/* The count of a group's entries, once counted, follows every change. */
static void
test_entry_count_kept(void **state)
{
	struct fx *f = *state;
	struct store_entry_row r;
	uint8_t g[32], other[32], a[32];
	uint64_t n, k;

	memset(g, 1, 32);
	memset(other, 9, 32);
	memset(a, 2, 32);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 0);
	mkrow(&r, 1, 2, 1, 0xa1, "a");			/* outside a transaction */
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_begin(f->st), 0);
	mkrow(&r, 1, 2, 2, 0xa2, "b");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	mkrow(&r, 1, 3, 1, 0xb1, "c");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	mkrow(&r, 9, 3, 1, 0xc1, "another group");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);	/* inside */
	assert_int_equal(n, 3);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 3);
	/* Held and forked entries are no new rows. */
	mkrow(&r, 1, 2, 2, 0xa2, "b");
	assert_int_equal(store_entry_put(f->st, &r), BAL_EEXIST);
	mkrow(&r, 1, 2, 2, 0xee, "fork");
	assert_int_equal(store_entry_put(f->st, &r), BAL_ECHAIN);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 3);
	/* A rolled back batch adds nothing; a received one does. */
	assert_int_equal(store_begin(f->st), 0);
	mkrow(&r, 1, 2, 3, 0xa3, "d");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	store_rollback(f->st);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_begin_received(f->st), 0);
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 4);
	/* Dropped entries leave the count. */
	assert_int_equal(store_entries_drop_after(f->st, g, a, 1, &k), 0);
	assert_int_equal(k, 2);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_entry_count(f->st, other, &n), 0);
	assert_int_equal(n, 1);
	mkrow(&r, 1, 2, 2, 0xa2, "b");
	assert_int_equal(store_entry_put(f->st, &r), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 3);
	/* After a reopen the count is the same. */
	store_close(f->st);
	assert_int_equal(store_open(f->path, &f->st), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_group_erase(f->st, g), 0);
	assert_int_equal(store_entry_count(f->st, g, &n), 0);
	assert_int_equal(n, 0);
}

static void
test_invites_one_time_and_expiry(void **state)
{
	struct fx *f = *state;
	uint8_t g[32], h1[32], h2[32], h3[32];

	memset(g, 1, 32);
	memset(h1, 0x11, 32);
	memset(h2, 0x22, 32);
	memset(h3, 0x33, 32);
	assert_int_equal(store_invite_put(f->st, g, h1, 1000,
	    (const uint8_t *)"s", 1), 0);
	assert_int_equal(store_invite_put(f->st, g, h2, 500,
	    (const uint8_t *)"s", 1), 0);
	assert_int_equal(store_invite_take(f->st, h1, 900), 0);
	assert_int_equal(store_invite_take(f->st, h1, 900), BAL_EEXIST);
	assert_int_equal(store_invite_take(f->st, h2, 900), BAL_EEXPIRED);
	assert_int_equal(store_invite_take(f->st, h3, 900), BAL_ENOENT);
	/* Refused attempts are counted; the third spends the code. */
	{
		uint8_t h4[32];
		unsigned fails = 0;

		memset(h4, 4, 32);
		assert_int_equal(store_invite_put(f->st, g, h4, 2000,
		    (const uint8_t *)"s", 1), 0);
		assert_int_equal(store_invite_fail(f->st, h4, 3, &fails), 0);
		assert_int_equal(fails, 1);
		assert_int_equal(store_invite_used(f->st, h4), 0);
		assert_int_equal(store_invite_fail(f->st, h4, 3, &fails), 0);
		assert_int_equal(fails, 2);
		assert_int_equal(store_invite_fail(f->st, h4, 3, &fails), 0);
		assert_int_equal(fails, 3);
		assert_int_equal(store_invite_used(f->st, h4), 1);
		assert_int_equal(store_invite_take(f->st, h4, 900), BAL_EEXIST);
		assert_int_equal(store_invite_fail(f->st, h4, 3, &fails),
		    BAL_EEXIST);
		/* A used one is not counted. */
		assert_int_equal(store_invite_fail(f->st, h1, 3, &fails),
		    BAL_EEXIST);
	}
	/* Used-ness survives for the listener to refuse a used code. */
	assert_int_equal(store_invite_used(f->st, h1), 1);
	assert_int_equal(store_invite_used(f->st, h2), 0);
	assert_int_equal(store_invite_used(f->st, h3), BAL_ENOENT);
}

static void
test_meta_and_peers_persist(void **state)
{
	struct fx *f = *state;
	uint8_t *v, g[32], m[32];
	size_t len;

	memset(g, 1, 32);
	memset(m, 5, 32);
	assert_int_equal(store_meta_put(f->st, "listen", "127.0.0.1:1", 11), 0);
	assert_int_equal(store_peer_add(f->st, g, "127.0.0.1:2", NULL), 0);
	assert_int_equal(store_peer_add(f->st, g, "127.0.0.1:2", m), 0);
	store_close(f->st);
	assert_int_equal(store_open(f->path, &f->st), 0);
	assert_int_equal(store_meta_get(f->st, "listen", &v, &len), 0);
	assert_int_equal(len, 11);
	free(v);
	assert_int_equal(store_meta_get(f->st, "nope", &v, &len), BAL_ENOENT);
}

/* What store_peer_each gives, as "T|A member-byte ord addr ok" lines. */
struct peers_seen {
	char lines[16][96];
	size_t n;
};

static int
peers_seen_cb(void *ctx, const struct store_peer *p)
{
	struct peers_seen *ps = ctx;

	if (ps->n < 16)
		snprintf(ps->lines[ps->n++], 96, "%c %d %u %s %llu",
		    p->typed ? 'T' : 'A', p->member != NULL ? p->member[0] : 0,
		    p->ord, p->addr, (unsigned long long)p->ok_ms);
	return 0;
}

/*
 * Only each member's latest announce counts (an older one changes
 * nothing), typed addresses stay apart, a member's addresses can all be
 * forgotten, and a session that came up is remembered.
 */
static void
test_peers_announced(void **state)
{
	struct fx *f = *state;
	const char *a1[] = { "192.0.2.1:1", "192.0.2.1:2" };
	const char *a2[] = { "192.0.2.2:1" };
	struct peers_seen ps;
	uint8_t g[32], m[32], m2[32];

	memset(g, 1, 32);
	memset(m, 5, 32);
	memset(m2, 6, 32);
	assert_int_equal(store_peer_add(f->st, g, "192.0.2.9:9", NULL), 0);
	assert_int_equal(store_peer_announced(f->st, g, m, 3, a1, 2), 0);
	assert_int_equal(store_peer_announced(f->st, g, m2, 1, a2, 1), 0);
	/* An older announce of m: nothing changes. */
	assert_int_equal(store_peer_announced(f->st, g, m, 2, a2, 1), 0);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_peer_each(f->st, g, peers_seen_cb, &ps), 0);
	assert_int_equal(ps.n, 4);
	assert_string_equal(ps.lines[0], "A 5 0 192.0.2.1:1 0");
	assert_string_equal(ps.lines[1], "A 5 1 192.0.2.1:2 0");
	assert_string_equal(ps.lines[2], "A 6 0 192.0.2.2:1 0");
	assert_string_equal(ps.lines[3], "T 0 0 192.0.2.9:9 0");
	/* A newer one replaces all of m's. */
	assert_int_equal(store_peer_announced(f->st, g, m, 4, a2, 1), 0);
	assert_int_equal(store_peer_worked(f->st, g, "192.0.2.2:1", m, 77), 0);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_peer_each(f->st, g, peers_seen_cb, &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_string_equal(ps.lines[0], "A 5 0 192.0.2.2:1 77");
	assert_string_equal(ps.lines[1], "A 6 0 192.0.2.2:1 0");
	/* Forgetting m2 (removed from the group) leaves m's. */
	assert_int_equal(store_peer_add(f->st, g, "192.0.2.6:6", m2), 0);
	assert_int_equal(store_peer_forget(f->st, g, m2), 0);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_peer_each(f->st, g, peers_seen_cb, &ps), 0);
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.lines[0], "A 5 0 192.0.2.2:1 77");
	assert_string_equal(ps.lines[1], "T 0 0 192.0.2.9:9 0");
}

static void
test_newer_schema_refused(void **state)
{
	struct fx *f = *state;
	struct store *st2;
	sqlite3 *db;

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &st2), BAL_EVERSION);
	assert_null(st2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_mode_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_put_get_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_and_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges_and_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_and_erase_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marks_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_received_commits_unsynced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_count_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invites_one_time_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_and_peers_persist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers_announced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
