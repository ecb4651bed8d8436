/*
 * mkscale — set up large stores for the benchmark's scale scenarios, with
 * the daemon's own code, while the daemons are stopped.  Setup only: every
 * figure is then measured on real daemons started on these stores.
 *
 *	mkscale [--authors K] [--entries N] [--body BYTES] [--lack PCT]
 *	    HOME_A [HOME_B]
 *
 * HOME_A is a member (a leader when K > 2) of exactly one group; HOME_B,
 * if given, another member of the same group.  The K authors are A, B
 * (if given) and K - 1 (or K - 2) new members that A adds to the roster
 * with invite_add_member (each with its signed acceptance; every ADD is a
 * new epoch, as for a real join); B receives those roster entries through
 * group_receive, so it folds the roster and opens the keys itself.
 *
 * Then N note entries (BYTES of text each, default 100) are written round
 * robin over the K authors' logs, each sealed and signed by its author
 * under the newest epoch, exactly as group_append would, and inserted into
 * A's store; into B's store too, except the last PCT percent (so B lacks
 * the newest entries of every log).  Inserts go straight to the store in
 * large transactions; that is the only shortcut, and it is taken for
 * entries that are valid by construction.
 *
 * Prints "entries N authors K lack L seconds S".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "benchlib.h"
#include "contract.h"
#include "daemon.h"
#include "entry.h"
#include "group.h"
#include "invite.h"
#include "note.h"
#include "profile.h"
#include "store.h"

#define MAX_AUTHORS 4096
#define TXN_ROWS 5000

struct ctx {
	struct daemon d;
	struct group *g;
	int open;
};

struct author {
	struct identity *id;	/* owned when fresh */
	int fresh;
	struct entry *prev;	/* the log's head, NULL when empty */
};

static void
ctx_open(struct ctx *c, const char *home)
{
	char path[PROFILE_PATH_MAX], err[256];

	memset(c, 0, sizeof(*c));
	snprintf(c->d.home, sizeof(c->d.home), "%s", home);
	if (profile_unlock(c->d.home, &c->d.id, err, sizeof(err)) != 0)
		benchlib_die("%s", err);
	if (profile_path(c->d.home, "store.db", path, sizeof(path)) != 0 ||
	    store_open(path, &c->d.store) != 0)
		benchlib_die("cannot open the store of %s (is its daemon "
		    "still running?)", home);
	if (group_load_all(&c->d) != 0 || (c->g = c->d.groups) == NULL)
		benchlib_die("no group in %s", home);
	c->open = 1;
}

static void
ctx_close(struct ctx *c)
{
	if (!c->open)
		return;
	group_free_all(&c->d);
	store_close(c->d.store);
	identity_free(c->d.id);
	c->open = 0;
}

/* The head of author's log in c's store, decoded (NULL: empty log). */
static struct entry *
head_of(struct ctx *c, const uint8_t *pk)
{
	uint8_t id[BAL_HASH_BYTES], *blob = NULL;
	struct entry *e = NULL;
	uint64_t seq;
	size_t len;

	if (store_entry_head(c->d.store, c->g->id, pk, &seq, id) != 0)
		benchlib_die("cannot read a log head");
	if (seq == 0)
		return NULL;
	if (store_entry_get(c->d.store, c->g->id, pk, seq, &blob, &len) != 0 ||
	    entry_decode(blob, len, &e) != 0)
		benchlib_die("cannot read entry %llu of a log",
		    (unsigned long long)seq);
	free(blob);
	return e;
}

struct level {
	uint8_t **blobs;
	size_t *lens;
	size_t n, cap;
};

static int
level_cb(void *ctx, const uint8_t *author, uint64_t seq, const uint8_t *blob,
    size_t len)
{
	struct level *l = ctx;

	(void)author;
	(void)seq;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((l->blobs = realloc(l->blobs, l->cap * sizeof(*l->blobs))) ==
		    NULL || (l->lens = realloc(l->lens, l->cap *
		    sizeof(*l->lens))) == NULL)
			benchlib_die("out of memory");
	}
	if ((l->blobs[l->n] = malloc(len)) == NULL)
		benchlib_die("out of memory");
	memcpy(l->blobs[l->n], blob, len);
	l->lens[l->n++] = len;
	return 0;
}

/*
 * Hands B what A holds and B lacks (an announce A wrote after B's last
 * session, say), through group_receive, so that the ADDs follow.
 */
static void
level_b(struct ctx *a, struct ctx *b)
{
	struct wire_have_item *have = NULL;
	struct level l;
	size_t n = 0, i, stored;
	char why[256];

	memset(&l, 0, sizeof(l));
	if (group_have(b->g, &have, &n) != 0 ||
	    group_entries_missing(a->g, have, n, 0, level_cb, &l) != 0)
		benchlib_die("cannot compare A's and B's logs");
	if (l.n > 0 && group_receive(b->g, (const uint8_t *const *)l.blobs,
	    l.lens, l.n, NULL, &stored, why, sizeof(why)) != 0)
		benchlib_die("B refused A's entries: %s", why);
	for (i = 0; i < l.n; i++)
		free(l.blobs[i]);
	free(l.blobs);
	free(l.lens);
	free(have);
}

/* Adds a fresh member through A (and hands the ADD to B). */
static struct identity *
add_member(struct ctx *a, struct ctx *b, unsigned k)
{
	struct identity *id;
	uint8_t sig[BAL_SIG_BYTES], *blob = NULL;
	struct entry *head;
	char name[32], why[256];
	const uint8_t *blobs[1];
	size_t len, lens[1], stored;
	int rc;

	snprintf(name, sizeof(name), "member%03u", k);
	if (identity_generate(NULL, &id) != 0 ||
	    contract_accept_sign(id, a->g->id, name, sig) != 0)
		benchlib_die("cannot make member %s", name);
	if ((rc = invite_add_member(a->g, id->pk, name, sig)) != 0)
		benchlib_die("cannot add %s (%s); is %s a leader?", name,
		    bal_strerror(rc), a->d.home);
	if (b == NULL)
		return id;
	head = head_of(a, a->d.id->pk);
	if (entry_encode(head, &blob, &len) != 0)
		benchlib_die("cannot encode the ADD");
	blobs[0] = blob;
	lens[0] = len;
	if ((rc = group_receive(b->g, blobs, lens, 1, NULL, &stored, why,
	    sizeof(why))) != 0)
		benchlib_die("B refused the ADD of %s: %s", name, why);
	free(blob);
	entry_free(head);
	return id;
}

static const uint8_t *
write_key(const struct group *g, uint64_t *epoch)
{
	size_t i;

	if (g->roster == NULL || g->roster->write_epoch == ROSTER_NO_EPOCH)
		benchlib_die("the group has no epoch to write under");
	*epoch = g->roster->epochs[g->roster->write_epoch].id;
	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].epoch == *epoch)
			return g->keys[i].key;
	benchlib_die("this member lacks the write epoch's key");
}

static void
put(struct ctx *c, const struct entry *e, const uint8_t *blob, size_t len)
{
	struct store_entry_row row;

	memset(&row, 0, sizeof(row));
	memcpy(row.group, e->h.group, BAL_GROUP_ID_BYTES);
	memcpy(row.author, e->h.author, BAL_PK_BYTES);
	row.seq = e->h.seq;
	memcpy(row.id, e->id, BAL_HASH_BYTES);
	row.kind = e->h.kind;
	row.epoch = e->h.epoch;
	row.lamport = e->h.lamport;
	row.time = e->h.time;
	row.blob = blob;
	row.bloblen = len;
	if (store_entry_put(c->d.store, &row) != 0)
		benchlib_die("insert failed: %s", store_errmsg(c->d.store));
}

static void
txn(struct ctx *c, int begin)
{
	if (c == NULL)
		return;
	if (begin ? store_begin(c->d.store) : store_commit(c->d.store))
		benchlib_die("transaction failed: %s",
		    store_errmsg(c->d.store));
}

int
main(int argc, char **argv)
{
	struct ctx a, bctx, *b = NULL;
	struct author *au;
	struct entry_header h;
	struct entry *e;
	struct note n;
	const uint8_t *key;
	uint8_t *plain, *blob;
	char *text;
	size_t k = 2, bytes = 100, plen, len, nauth, i, j, lackn, inb;
	uint64_t count = 1000, epoch, lamport, now, t0;
	double lack = 0;
	int ai = 1;

	benchlib_prog(argv[0]);
	for (; ai + 1 < argc && argv[ai][0] == '-'; ai += 2) {
		if (strcmp(argv[ai], "--authors") == 0)
			k = (size_t)strtoul(argv[ai + 1], NULL, 10);
		else if (strcmp(argv[ai], "--entries") == 0)
			count = strtoull(argv[ai + 1], NULL, 10);
		else if (strcmp(argv[ai], "--body") == 0)
			bytes = (size_t)strtoul(argv[ai + 1], NULL, 10);
		else if (strcmp(argv[ai], "--lack") == 0)
			lack = strtod(argv[ai + 1], NULL);
		else
			benchlib_die("unknown option '%s'", argv[ai]);
	}
	if (ai >= argc || argc - ai > 2)
		benchlib_die("usage: mkscale [--authors K] [--entries N] "
		    "[--body BYTES] [--lack PCT] HOME_A [HOME_B]");
	if (sodium_init() < 0)
		benchlib_die("cannot initialise libsodium");
	if (k < 1 || k > MAX_AUTHORS || bytes < 1 || bytes > NOTE_MAX_BODY ||
	    lack < 0 || lack > 100)
		benchlib_die("bad --authors, --body or --lack");
	t0 = benchlib_now_ns();
	ctx_open(&a, argv[ai]);
	if (argc - ai == 2) {
		ctx_open(&bctx, argv[ai + 1]);
		b = &bctx;
		if ((b->g = group_find(&b->d, a.g->id)) == NULL)
			benchlib_die("%s is not in %s's group", argv[ai + 1],
			    argv[ai]);
	}
	if (b != NULL)
		level_b(&a, b);
	nauth = b != NULL ? 2 : 1;
	if (k < nauth)
		k = nauth;
	if ((au = calloc(k, sizeof(*au))) == NULL ||
	    (text = malloc(bytes + 1)) == NULL)
		benchlib_die("out of memory");
	text[bytes] = '\0';	/* note bodies are C strings */
	au[0].id = a.d.id;
	if (b != NULL)
		au[1].id = b->d.id;
	for (i = nauth; i < k; i++) {
		au[i].id = add_member(&a, b, (unsigned)i);
		au[i].fresh = 1;
	}
	key = write_key(a.g, &epoch);
	for (i = 0; i < k; i++)
		au[i].prev = head_of(&a, au[i].id->pk);
	lamport = a.g->lamport;
	lackn = (size_t)((double)count * lack / 100.0);
	inb = (size_t)count - lackn;
	now = daemon_now_ms() - count;
	txn(&a, 1);
	txn(b, 1);
	for (j = 0; j < count; j++) {
		struct author *w = &au[j % k];

		if (j > 0 && j % TXN_ROWS == 0) {
			txn(&a, 0);
			txn(&a, 1);
			txn(b, 0);
			txn(b, 1);
		}
		if (entry_header_next(&h, a.g->id, w->id->pk, w->prev,
		    lamport) != 0)
			benchlib_die("cannot make a header");
		h.kind = ENTRY_KIND_NOTE;
		h.epoch = epoch;
		h.time = now + j;
		benchlib_fill(text, bytes, j);
		memset(&n, 0, sizeof(n));
		note_id_generate(NULL, w->id->pk, n.id);
		n.kind = NOTE_KIND_SESSION;
		n.case_ref = (char *)"";
		n.title = (char *)"";
		n.body = text;
		if (note_encode(&n, &plain, &plen) != 0 ||
		    entry_seal(&h, w->id, key, plain, plen, NULL, &e) != 0 ||
		    entry_encode(e, &blob, &len) != 0)
			benchlib_die("cannot seal entry %zu", j);
		note_buf_free(plain, plen);
		put(&a, e, blob, len);
		if (b != NULL && j < inb)
			put(b, e, blob, len);
		free(blob);
		lamport = e->h.lamport;
		entry_free(w->prev);
		w->prev = e;
	}
	txn(&a, 0);
	txn(b, 0);
	for (i = 0; i < k; i++) {
		entry_free(au[i].prev);
		if (au[i].fresh)
			identity_free(au[i].id);
	}
	free(au);
	free(text);
	ctx_close(&a);
	if (b != NULL)
		ctx_close(b);
	printf("entries %llu authors %zu lack %zu seconds %.1f\n",
	    (unsigned long long)count, k, b != NULL ? lackn : 0,
	    (double)(benchlib_now_ns() - t0) / 1e9);
	return 0;
}
