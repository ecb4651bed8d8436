/*
 * group-fixture.c — see group-fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "contract.h"
#include "epoch.h"
#include "group-fixture.h"
#include "roster.h"
#include "store.h"

int n_entry, n_roster;
const void *last_source;

static void
on_event(struct daemon *d, const struct group_event *ev)
{
	(void)d;
	if (ev->kind == GROUP_EVENT_ENTRY) {
		n_entry++;
		last_source = ev->source;
	} else if (ev->kind == GROUP_EVENT_ROSTER) {
		n_roster++;
	}
}

void
member_open(struct member *m, uint8_t seed_byte, const char *name)
{
	uint8_t seed[32];

	memset(m, 0, sizeof(*m));
	memset(seed, seed_byte, sizeof(seed));
	strcpy(m->dir, "/tmp/balint-test-group-XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	snprintf(m->path, sizeof(m->path), "%s/store.db", m->dir);
	assert_int_equal(identity_from_seed(seed, &m->d.id), 0);
	assert_int_equal(store_open(m->path, &m->d.store), 0);
	snprintf(m->d.name, sizeof(m->d.name), "%s", name);
	m->d.on_event = on_event;
}

void
member_close(struct member *m)
{
	char cmd[128];

	group_free_all(&m->d);
	store_close(m->d.store);
	identity_free(m->d.id);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->dir);
	assert_int_equal(system(cmd), 0);
}

/* Restarts the member: forget everything in memory, load from the store. */
void
member_reopen(struct member *m)
{
	group_free_all(&m->d);
	store_close(m->d.store);
	assert_int_equal(store_open(m->path, &m->d.store), 0);
	assert_int_equal(group_load_all(&m->d), 0);
}

int
setup(void **state)
{
	(void)state;
	n_entry = n_roster = 0;
	last_source = NULL;
	return 0;
}

struct group *
found(struct member *m, const char *name)
{
	char text[256], err[256];
	struct group *g = NULL;

	snprintf(text, sizeof(text), "Name: %s\nHistory: from-join\n\n"
	    "What is said here stays here.\n", name);
	assert_int_equal(group_create(&m->d, text, strlen(text), &g, err,
	    sizeof(err)), 0);
	assert_non_null(g);
	return g;
}

struct group *
found_co(struct member *m, const char *name, const struct member *co)
{
	char text[512], err[256], id[IDENTITY_ID_TEXT_BYTES];
	struct group *g = NULL;

	if (co != NULL)
		identity_id_encode(co->d.id->pk, id);
	snprintf(text, sizeof(text), "Name: %s\nHistory: from-join\n%s%s%s\n"
	    "What is said here stays here.\n", name,
	    co != NULL ? "Co-leader: " : "", co != NULL ? id : "",
	    co != NULL ? "\n" : "");
	assert_int_equal(group_create(&m->d, text, strlen(text), &g, err,
	    sizeof(err)), 0);
	assert_non_null(g);
	return g;
}

uint64_t
count(struct member *m, struct group *g)
{
	uint64_t n = 0;

	assert_int_equal(store_entry_count(m->d.store, g->id, &n), 0);
	return n;
}

/* Writes one version of a note; entry_id (optional) gets its entry id. */
int
write_note(struct group *g, const uint8_t note_id[NOTE_ID_BYTES],
    const char *title, const char *body, const uint8_t *supersedes,
    int tombstone, uint8_t *entry_id)
{
	struct note n;
	struct entry *e = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	memset(&n, 0, sizeof(n));
	memcpy(n.id, note_id, NOTE_ID_BYTES);
	n.kind = NOTE_KIND_SESSION;
	n.case_ref = "case-1";
	n.title = (char *)title;
	n.body = (char *)body;
	if (supersedes != NULL) {
		n.has_supersedes = 1;
		memcpy(n.supersedes, supersedes, BAL_HASH_BYTES);
	}
	n.tombstone = tombstone;
	/* A tombstone names every version it erases, as balintd's. */
	if (tombstone)
		assert_int_equal(group_note_erases(g, note_id, &n.erases,
		    &n.nerases), 0);
	/* None of its own (another member's note): the superseded one. */
	if (tombstone && n.nerases == 0 && supersedes != NULL) {
		free(n.erases);
		if ((n.erases = malloc(BAL_HASH_BYTES)) == NULL)
			return BAL_ENOMEM;
		memcpy(n.erases[0], supersedes, BAL_HASH_BYTES);
		n.nerases = 1;
	}
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	free(n.erases);
	ret = group_append(g, ENTRY_KIND_NOTE, buf, len, &e);
	note_buf_free(buf, len);
	if (ret == 0) {
		assert_non_null(e);
		if (entry_id != NULL)
			memcpy(entry_id, e->id, BAL_HASH_BYTES);
	}
	entry_free(e);
	return ret;
}

/* The leader adds nm with a fresh epoch sealed to both. */
int
add_member(struct member *leader, struct group *g, struct member *nm,
    int good_accept)
{
	uint8_t sig[BAL_SIG_BYTES], rcpt[2][BAL_PK_BYTES];
	uint8_t *key = NULL, *env = NULL, *body = NULL;
	size_t envlen = 0, bodylen = 0;
	int ret;

	assert_int_equal(contract_accept_sign(nm->d.id, g->id, nm->d.name,
	    sig), 0);
	if (!good_accept)
		sig[5] ^= 1;
	assert_int_equal(epoch_key_new(NULL, &key), 0);
	memcpy(rcpt[0], leader->d.id->pk, BAL_PK_BYTES);
	memcpy(rcpt[1], nm->d.id->pk, BAL_PK_BYTES);
	assert_int_equal(epoch_seal(key, 0, g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])rcpt, 2, NULL, &env, &envlen), 0);
	assert_int_equal(roster_encode_add(nm->d.id->pk, nm->d.name, sig, NULL,
	    env, envlen, NULL, 0, &body, &bodylen), 0);
	ret = group_append(g, ENTRY_KIND_ROSTER, body, bodylen, NULL);
	epoch_key_free(key);
	free(env);
	free(body);
	return ret;
}

int
collect_cb(void *ctx, const uint8_t *blob, size_t len)
{
	struct blobs *b = ctx;

	assert_true(b->n < MAXB);
	b->p[b->n] = malloc(len);
	assert_non_null(b->p[b->n]);
	memcpy(b->p[b->n], blob, len);
	b->len[b->n++] = len;
	return 0;
}

/* collect_cb for group_entries_missing, which also names author and seq. */
int
collect_missing_cb(void *ctx, const uint8_t *author, uint64_t seq,
    const uint8_t *blob, size_t len)
{
	(void)author;
	(void)seq;
	return collect_cb(ctx, blob, len);
}

/* All of author's log in g, after seq. */
void
log_of(struct group *g, const uint8_t *author, uint64_t after,
    struct blobs *b)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(group_entries_after(g, author, after, 0, collect_cb,
	    b), 0);
}

void
blobs_free(struct blobs *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->p[i]);
	b->n = 0;
}

/* nm, added to g, joins: its group, holding the log of author in g. */
struct group *
join_log(struct member *nm, struct group *g, const uint8_t *author)
{
	struct group *ng = NULL;
	struct blobs l;
	char why[512];

	assert_int_equal(group_join_new(&nm->d, g->id, &ng), 0);
	log_of(g, author, 0, &l);
	assert_int_equal(group_receive(ng, (const uint8_t *const *)l.p, l.len,
	    l.n, &n_entry, NULL, why, sizeof(why)), 0);
	blobs_free(&l);
	return ng;
}

int
receive(struct group *g, struct blobs *b, size_t from, size_t n,
    size_t *stored)
{
	char why[512];

	return group_receive(g, (const uint8_t *const *)b->p + from,
	    b->len + from, n, &n_entry, stored, why, sizeof(why));
}

/*
 * Makes (but does not store) m's entry after prev (NULL: seq 1) with the
 * given lamport, or (0) the one entry_header_next gives.
 */
void
forge_lamport(struct member *m, const uint8_t *gid,
    const struct entry *prev, uint64_t lamport, int kind, uint64_t epoch,
    const uint8_t *key, const uint8_t *plain, size_t len, struct blobs *out)
{
	struct entry_header h;
	struct entry *e = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;

	assert_int_equal(entry_header_next(&h, gid, m->d.id->pk, prev, 1000),
	    0);
	if (lamport != 0)
		h.lamport = lamport;
	h.kind = (uint8_t)kind;
	h.epoch = epoch;
	h.time = 1;
	assert_int_equal(entry_seal(&h, m->d.id, key, plain, len, NULL, &e), 0);
	assert_int_equal(entry_encode(e, &blob, &bloblen), 0);
	collect_cb(out, blob, bloblen);
	free(blob);
	entry_free(e);
}

/* Makes (but does not store) m's entry after prev (NULL: seq 1). */
void
forge(struct member *m, const uint8_t *gid, const struct entry *prev,
    int kind, uint64_t epoch, const uint8_t *key, const uint8_t *plain,
    size_t len, struct blobs *out)
{
	forge_lamport(m, gid, prev, 0, kind, epoch, key, plain, len, out);
}

/* The roster's state hash; zeros while a group has no roster. */
void
state_hash(const struct group *g, uint8_t out[BAL_HASH_BYTES])
{
	memset(out, 0, BAL_HASH_BYTES);
	if (g->roster != NULL)
		assert_int_equal(roster_state_hash(g->roster, out), 0);
}
