/*
 * test-group.c — the daemon's per-group state on real SQLite files: found,
 * reload, notes, edits and deletion (erasure), receiving another member's
 * log, selection, and secrets at rest (keyring).  What a member refuses or
 * skips is in test-receive.c; the shared helpers in group-fixture.c.
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
#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group-fixture.h"
#include "group.h"
#include "keyring.h"
#include "note.h"
#include "roster.h"
#include "shs.h"
#include "store.h"


static int
file_has(const char *path, const void *needle, size_t nlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long sz;
	size_t i;
	int found = 0;

	if (f == NULL)
		return 0;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	rewind(f);
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	for (i = 0; !found && (size_t)sz >= nlen && i <= (size_t)sz - nlen; i++)
		found = memcmp(buf + i, needle, nlen) == 0;
	free(buf);
	return found;
}

/* Is needle anywhere in the store's files (database, WAL, shared memory)? */
static int
store_has(struct member *m, const void *needle, size_t nlen)
{
	char p[160];

	if (file_has(m->path, needle, nlen))
		return 1;
	snprintf(p, sizeof(p), "%s-wal", m->path);
	if (file_has(p, needle, nlen))
		return 1;
	snprintf(p, sizeof(p), "%s-shm", m->path);
	return file_has(p, needle, nlen);
}


/* Tests. */

static void
test_keyring(void **state)
{
	struct identity *a = NULL, *b = NULL;
	uint8_t seed[32], key[32], ad[8] = "group-1", out[32];
	uint8_t sealed[32 + KEYRING_OVERHEAD], t[sizeof(sealed)];
	size_t i;

	(void)state;
	memset(seed, 1, sizeof(seed));
	assert_int_equal(identity_from_seed(seed, &a), 0);
	memset(seed, 2, sizeof(seed));
	assert_int_equal(identity_from_seed(seed, &b), 0);
	randombytes_buf(key, sizeof(key));
	assert_int_equal(keyring_seal(a, "epoch-key", ad, sizeof(ad), key,
	    sizeof(key), NULL, sealed, sizeof(sealed)), 0);
	assert_int_equal(keyring_open(a, "epoch-key", ad, sizeof(ad), sealed,
	    sizeof(sealed), out, sizeof(out)), 0);
	assert_memory_equal(out, key, sizeof(key));
	/* Wrong member, purpose or ad. */
	assert_int_equal(keyring_open(b, "epoch-key", ad, sizeof(ad), sealed,
	    sizeof(sealed), out, sizeof(out)), BAL_ECRYPTO);
	assert_true(sodium_is_zero(out, sizeof(out)));
	assert_int_equal(keyring_open(a, "invite-secret", ad, sizeof(ad),
	    sealed, sizeof(sealed), out, sizeof(out)), BAL_ECRYPTO);
	assert_int_equal(keyring_open(a, "epoch-key", ad, sizeof(ad) - 1,
	    sealed, sizeof(sealed), out, sizeof(out)), BAL_ECRYPTO);
	/* Every single-byte tamper. */
	for (i = 0; i < sizeof(sealed); i++) {
		memcpy(t, sealed, sizeof(t));
		t[i] ^= 0x40;
		assert_int_not_equal(keyring_open(a, "epoch-key", ad,
		    sizeof(ad), t, sizeof(t), out, sizeof(out)), 0);
	}
	/* Every truncation. */
	for (i = 0; i < sizeof(sealed); i++)
		assert_int_not_equal(keyring_open(a, "epoch-key", ad,
		    sizeof(ad), sealed, i, out, sizeof(out)), 0);
	/* Bad arguments. */
	assert_int_equal(keyring_seal(a, "", ad, sizeof(ad), key, sizeof(key),
	    NULL, sealed, sizeof(sealed)), BAL_EINVAL);
	assert_int_equal(keyring_seal(a, "epoch-key", ad, sizeof(ad), key,
	    sizeof(key), NULL, sealed, sizeof(sealed) - 1), BAL_EINVAL);
	identity_free(a);
	identity_free(b);
}

static void
test_create_and_reload(void **state)
{
	struct member a;
	struct group *g;
	uint8_t gid[BAL_GROUP_ID_BYTES], h1[BAL_HASH_BYTES], h2[BAL_HASH_BYTES];
	uint8_t key[BAL_KEY_BYTES];
	uint64_t lamport;

	(void)state;
	member_open(&a, 1, "alice");
	g = found(&a, "Balint group Nord");
	assert_ptr_equal(group_find(&a.d, g->id), g);
	assert_string_equal(group_name(g), "Balint group Nord");
	assert_non_null(g->roster);
	assert_int_equal(g->roster->nmembers, 1);
	assert_memory_equal(g->roster->founder, a.d.id->pk, BAL_PK_BYTES);
	assert_true(roster_is_leader(g->roster, a.d.id->pk));
	assert_string_equal(g->roster->members[0].name, "alice");
	assert_int_equal(g->nkeys, 1);
	assert_int_equal(g->keys[0].epoch, 0);
	assert_int_equal(g->lamport, 1);
	assert_int_equal(count(&a, g), 1);
	assert_int_equal(n_entry, 1);
	assert_int_equal(n_roster, 1);
	assert_null(last_source);
	memcpy(gid, g->id, sizeof(gid));
	memcpy(key, g->keys[0].key, sizeof(key));
	state_hash(g, h1);
	lamport = g->lamport;
	/* The epoch key never reaches the disk in the clear. */
	assert_false(store_has(&a, key, sizeof(key)));

	member_reopen(&a);
	g = group_find(&a.d, gid);
	assert_non_null(g);
	assert_null(g->next);
	assert_string_equal(group_name(g), "Balint group Nord");
	assert_int_equal(g->contract->nleaders, 1);
	state_hash(g, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_int_equal(g->nkeys, 1);
	assert_int_equal(g->keys[0].epoch, 0);
	assert_memory_equal(g->keys[0].key, key, sizeof(key));
	assert_int_equal(g->lamport, lamport);
	sodium_memzero(key, sizeof(key));
	member_close(&a);
}

static void
test_create_refused(void **state)
{
	struct member a;
	struct group *g = NULL;
	char err[256];
	const char *bad = "Name: G\nColour: blue\n";

	(void)state;
	member_open(&a, 1, "alice");
	assert_int_equal(group_create(&a.d, bad, strlen(bad), &g, err,
	    sizeof(err)), BAL_ESYNTAX);
	assert_null(g);
	assert_non_null(strstr(err, "line 2"));
	assert_null(a.d.groups);
	/* No member name: the CREATE cannot name the founder. */
	a.d.name[0] = '\0';
	bad = "Name: G\n";
	assert_int_not_equal(group_create(&a.d, bad, strlen(bad), &g, err,
	    sizeof(err)), 0);
	assert_null(g);
	assert_true(strlen(err) > 0);
	assert_null(a.d.groups);
	member_reopen(&a);
	assert_null(a.d.groups);
	assert_int_equal(n_entry, 0);
	member_close(&a);
}

static void
test_notes_roundtrip(void **state)
{
	struct member a;
	struct group *g;
	struct group_note *notes = NULL;
	const struct group_note *f;
	uint8_t id1[NOTE_ID_BYTES], id2[NOTE_ID_BYTES], e1[BAL_HASH_BYTES];
	uint8_t gid[BAL_GROUP_ID_BYTES];
	char hex[NOTE_ID_HEX_BYTES];
	size_t n = 0;

	(void)state;
	member_open(&a, 1, "alice");
	g = found(&a, "G");
	memcpy(gid, g->id, sizeof(gid));
	note_id_generate(NULL, g->d->id->pk, id1);
	note_id_generate(NULL, g->d->id->pk, id2);
	id2[0] = (uint8_t)(id1[0] ^ 0xff);	/* distinct prefixes */
	n_entry = 0;
	assert_int_equal(write_note(g, id1, "first", "one " MARKER, NULL, 0,
	    e1), 0);
	assert_int_equal(write_note(g, id2, "second", "two", NULL, 0, NULL), 0);
	assert_int_equal(n_entry, 2);
	assert_int_equal(g->lamport, 3);
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(notes[0].note_id, id1, NOTE_ID_BYTES);
	assert_string_equal(notes[0].note->title, "first");
	assert_string_equal(notes[0].note->body, "one " MARKER);
	assert_memory_equal(notes[0].author, a.d.id->pk, BAL_PK_BYTES);
	assert_memory_equal(notes[0].entry_id, e1, BAL_HASH_BYTES);
	assert_int_equal(notes[0].versions, 1);
	assert_false(notes[0].deleted);
	assert_string_equal(notes[1].note->title, "second");
	note_id_to_hex(id2, hex);
	f = group_note_find(notes, n, hex);
	assert_ptr_equal(f, &notes[1]);
	hex[6] = '\0';
	assert_ptr_equal(group_note_find(notes, n, hex), &notes[1]);
	hex[2] = '\0';
	assert_null(group_note_find(notes, n, hex));	/* too short */
	assert_null(group_note_find(notes, n, "zzzz"));
	group_notes_free(notes, n);
	assert_false(store_has(&a, MARKER, strlen(MARKER)));

	member_reopen(&a);
	g = group_find(&a.d, gid);
	assert_non_null(g);
	assert_int_equal(g->lamport, 3);
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(notes[0].note->body, "one " MARKER);
	group_notes_free(notes, n);
	/* The next write continues the chain. */
	assert_int_equal(write_note(g, id2, "second", "two, edited", NULL, 0,
	    NULL), 0);
	assert_int_equal(count(&a, g), 4);
	member_close(&a);
}

/* Copies 32 bytes of the ciphertext of author's entry at seq. */
static void
ciphertext_sample(struct member *m, struct group *g, uint64_t seq,
    uint8_t out[32])
{
	uint8_t *blob = NULL;
	size_t len = 0;
	struct entry *e = NULL;

	assert_int_equal(store_entry_get(m->d.store, g->id, m->d.id->pk, seq,
	    &blob, &len), 0);
	assert_int_equal(entry_decode(blob, len, &e), 0);
	assert_non_null(e->body);
	assert_true(e->bodylen >= 24 + 32);
	memcpy(out, e->body + 24, 32);
	entry_free(e);
	free(blob);
}

static int
stored_erased(struct member *m, struct group *g, const uint8_t *author,
    uint64_t seq)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	struct entry *e = NULL;
	int erased;

	assert_int_equal(store_entry_get(m->d.store, g->id, author, seq,
	    &blob, &len), 0);
	assert_int_equal(entry_decode(blob, len, &e), 0);
	erased = entry_is_erased(e);
	entry_free(e);
	free(blob);
	return erased;
}

static void
test_edit_delete_erases(void **state)
{
	struct member a;
	struct group *g;
	struct group_note *notes = NULL;
	uint8_t id[NOTE_ID_BYTES], e1[BAL_HASH_BYTES], e2[BAL_HASH_BYTES];
	uint8_t e3[BAL_HASH_BYTES], c1[32], c2[32];
	size_t n = 0;

	(void)state;
	member_open(&a, 1, "alice");
	g = found(&a, "G");
	note_id_generate(NULL, g->d->id->pk, id);
	assert_int_equal(write_note(g, id, "t", "v1 " MARKER, NULL, 0, e1), 0);
	assert_int_equal(write_note(g, id, "t2", "v2 " MARKER, e1, 0, e2), 0);
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(notes[0].note->body, "v2 " MARKER);
	assert_string_equal(notes[0].note->title, "t2");
	assert_int_equal(notes[0].versions, 2);
	assert_memory_equal(notes[0].entry_id, e2, BAL_HASH_BYTES);
	assert_false(notes[0].deleted);
	group_notes_free(notes, n);
	ciphertext_sample(&a, g, 2, c1);
	ciphertext_sample(&a, g, 3, c2);
	assert_true(store_has(&a, c1, sizeof(c1)));

	/* Delete: a tombstone, and the bodies of v1 and v2 are erased. */
	assert_int_equal(write_note(g, id, "", "", e2, 1, e3), 0);
	assert_true(stored_erased(&a, g, a.d.id->pk, 2));
	assert_true(stored_erased(&a, g, a.d.id->pk, 3));
	assert_false(stored_erased(&a, g, a.d.id->pk, 4));
	assert_false(store_has(&a, c1, sizeof(c1)));
	assert_false(store_has(&a, c2, sizeof(c2)));
	assert_false(store_has(&a, MARKER, strlen(MARKER)));
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(n, 1);
	assert_true(notes[0].deleted);
	assert_memory_equal(notes[0].entry_id, e3, BAL_HASH_BYTES);
	assert_memory_equal(notes[0].note_id, id, NOTE_ID_BYTES);
	assert_string_equal(notes[0].note->body, "");
	group_notes_free(notes, n);
	/* The erased log still reloads and verifies. */
	member_reopen(&a);
	g = a.d.groups;
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(n, 1);
	assert_true(notes[0].deleted);
	group_notes_free(notes, n);
	member_close(&a);
}

static void
test_supersede_rules(void **state)
{
	struct member a, b;
	struct group *ga, *gb = NULL;
	uint8_t id[NOTE_ID_BYTES], e1[BAL_HASH_BYTES], bogus[BAL_HASH_BYTES];
	uint64_t before;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	note_id_generate(NULL, a.d.id->pk, id);
	assert_int_equal(write_note(ga, id, "t", "mine", NULL, 0, e1), 0);
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	/* An edit must name an existing version of the author's own. */
	memset(bogus, 7, sizeof(bogus));
	before = count(&a, ga);
	assert_int_equal(write_note(ga, id, "t", "x", bogus, 0, NULL),
	    BAL_EPERM);
	assert_int_equal(count(&a, ga), before);
	/* Another note's version cannot be superseded under a new id. */
	id[0] ^= 1;
	assert_int_equal(write_note(ga, id, "t", "x", e1, 0, NULL), BAL_EPERM);
	id[0] ^= 1;
	/* bob joins and cannot edit alice's note. */
	gb = join_log(&b, ga, a.d.id->pk);
	before = count(&b, gb);
	assert_int_equal(write_note(gb, id, "t", "hijack", e1, 0, NULL),
	    BAL_EPERM);
	assert_int_equal(write_note(gb, id, "", "", e1, 1, NULL), BAL_EPERM);
	assert_int_equal(count(&b, gb), before);
	member_close(&a);
	member_close(&b);
}

static void
test_receive_between_members(void **state)
{
	struct member a, b;
	struct group *ga, *gb = NULL, *gx = NULL;
	struct group_note *notes = NULL;
	const struct group_note *f;
	struct blobs la, lb;
	char hex[NOTE_ID_HEX_BYTES];
	uint8_t n0[NOTE_ID_BYTES], n1[NOTE_ID_BYTES], nb[NOTE_ID_BYTES];
	uint8_t e1[BAL_HASH_BYTES], e2[BAL_HASH_BYTES], h1[32], h2[32];
	uint8_t gid[BAL_GROUP_ID_BYTES];
	const char *addrs[] = { "192.0.2.1:7700", "[2001:db8::1]:7700" };
	size_t n = 0, stored = 0;
	uint64_t cnt;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	memcpy(gid, ga->id, sizeof(gid));
	note_id_generate(NULL, a.d.id->pk, n0);
	note_id_generate(NULL, a.d.id->pk, n1);
	note_id_generate(NULL, b.d.id->pk, nb);
	assert_int_equal(write_note(ga, n0, "before bob", "old", NULL, 0,
	    NULL), 0);
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	assert_int_equal(ga->nkeys, 2);
	assert_int_equal(ga->roster->nmembers, 2);
	assert_int_equal(write_note(ga, n1, "after bob", "new " MARKER, NULL,
	    0, e1), 0);
	assert_int_equal(group_announce(ga, addrs, 2), 0);
	log_of(ga, a.d.id->pk, 0, &la);
	assert_int_equal(la.n, 5);

	/* bob joins: an empty group until the CREATE arrives. */
	assert_int_equal(group_join_new(&b.d, gid, &gb), 0);
	assert_int_equal(group_join_new(&b.d, gid, &gx), BAL_EEXIST);
	assert_ptr_equal(gx, gb);
	assert_string_equal(group_name(gb), "(joining)");
	assert_null(group_select(&b.d, NULL, NULL, 0));
	assert_int_equal(group_append(gb, ENTRY_KIND_ANNOUNCE,
	    (const uint8_t *)"x", 1, NULL), BAL_ESTATE);
	n_entry = n_roster = 0;
	assert_int_equal(receive(gb, &la, 0, la.n, &stored), 0);
	assert_int_equal(stored, 5);
	assert_int_equal(n_entry, 5);
	assert_int_equal(n_roster, 1);
	assert_ptr_equal(last_source, &n_entry);
	assert_string_equal(group_name(gb), "G");
	state_hash(ga, h1);
	state_hash(gb, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_int_equal(gb->lamport, ga->lamport);
	/* bob holds the key of his epoch only (from-join). */
	assert_int_equal(gb->nkeys, 1);
	assert_int_not_equal(gb->keys[0].epoch, 0);
	assert_int_equal(group_notes(gb, &notes, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(notes[0].note_id, n1, NOTE_ID_BYTES);
	assert_string_equal(notes[0].note->body, "new " MARKER);
	assert_memory_equal(notes[0].author, a.d.id->pk, BAL_PK_BYTES);
	group_notes_free(notes, n);
	/* The duplicate batch is a no-op. */
	cnt = count(&b, gb);
	n_entry = n_roster = 0;
	assert_int_equal(receive(gb, &la, 0, la.n, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(n_entry, 0);
	assert_int_equal(n_roster, 0);
	assert_int_equal(count(&b, gb), cnt);
	blobs_free(&la);

	/* bob writes; alice receives and reads it. */
	assert_int_equal(write_note(gb, nb, "bob's", "from bob", NULL, 0,
	    NULL), 0);
	log_of(gb, b.d.id->pk, 0, &lb);
	assert_int_equal(lb.n, 1);
	assert_int_equal(receive(ga, &lb, 0, lb.n, &stored), 0);
	assert_int_equal(stored, 1);
	blobs_free(&lb);
	assert_int_equal(group_notes(ga, &notes, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(notes[2].note->body, "from bob");
	assert_memory_equal(notes[2].author, b.d.id->pk, BAL_PK_BYTES);
	group_notes_free(notes, n);

	/* alice edits and deletes her note; bob's copies are erased too. */
	assert_int_equal(write_note(ga, n1, "after bob", "edit " MARKER, e1, 0,
	    e2), 0);
	assert_int_equal(write_note(ga, n1, "", "", e2, 1, NULL), 0);
	log_of(ga, a.d.id->pk, 5, &la);
	assert_int_equal(la.n, 2);
	assert_int_equal(receive(gb, &la, 0, la.n, &stored), 0);
	assert_int_equal(stored, 2);
	blobs_free(&la);
	assert_true(stored_erased(&b, gb, a.d.id->pk, 4));
	assert_true(stored_erased(&b, gb, a.d.id->pk, 6));
	assert_false(stored_erased(&b, gb, a.d.id->pk, 7));
	assert_false(stored_erased(&b, gb, a.d.id->pk, 2));	/* no key */
	assert_int_equal(group_notes(gb, &notes, &n), 0);
	assert_int_equal(n, 2);
	note_id_to_hex(n1, hex);
	f = group_note_find(notes, n, hex);
	assert_non_null(f);
	assert_true(f->deleted);
	assert_int_equal(f->versions, 1);	/* the others are erased */
	note_id_to_hex(nb, hex);
	f = group_note_find(notes, n, hex);
	assert_non_null(f);
	assert_false(f->deleted);
	group_notes_free(notes, n);

	/* bob restarts; neither store holds any plaintext. */
	member_reopen(&b);
	gb = group_find(&b.d, gid);
	assert_non_null(gb);
	assert_int_equal(gb->nkeys, 1);
	state_hash(gb, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_false(store_has(&a, MARKER, strlen(MARKER)));
	assert_false(store_has(&b, MARKER, strlen(MARKER)));
	member_close(&a);
	member_close(&b);
}

/*
 * A batch may come in any order: it is stored in causal order, entries
 * waiting for an ADD or an epoch later in the batch.
 */
static void
test_receive_any_order(void **state)
{
	struct member a, b, c;
	struct group *ga, *gb = NULL, *gc = NULL;
	struct group_note *notes = NULL;
	struct blobs la, lb, mix;
	uint8_t id[NOTE_ID_BYTES], h1[32], h2[32];
	size_t n = 0, stored = 0, i;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	note_id_generate(NULL, a.d.id->pk, id);
	assert_int_equal(write_note(ga, id, "t", "for bob", NULL, 0, NULL), 0);
	log_of(ga, a.d.id->pk, 0, &la);
	/* bob gets alice's log backwards. */
	memset(&mix, 0, sizeof(mix));
	for (i = la.n; i-- > 0;)
		collect_cb(&mix, la.p[i], la.len[i]);
	assert_int_equal(group_join_new(&b.d, ga->id, &gb), 0);
	n_entry = 0;
	assert_int_equal(receive(gb, &mix, 0, mix.n, &stored), 0);
	assert_int_equal(stored, 3);
	assert_int_equal(n_entry, 3);
	assert_int_equal(group_notes(gb, &notes, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(notes[0].note->body, "for bob");
	group_notes_free(notes, n);
	blobs_free(&mix);
	blobs_free(&la);
	/* bob writes; alice admits carol, who gets bob's note first. */
	note_id_generate(NULL, b.d.id->pk, id);
	assert_int_equal(write_note(gb, id, "b", "by bob", NULL, 0, NULL), 0);
	log_of(gb, b.d.id->pk, 0, &lb);
	assert_int_equal(receive(ga, &lb, 0, lb.n, NULL), 0);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	log_of(ga, a.d.id->pk, 0, &la);
	memset(&mix, 0, sizeof(mix));
	collect_cb(&mix, lb.p[0], lb.len[0]);
	for (i = la.n; i-- > 0;)
		collect_cb(&mix, la.p[i], la.len[i]);
	assert_int_equal(group_join_new(&c.d, ga->id, &gc), 0);
	assert_int_equal(receive(gc, &mix, 0, mix.n, &stored), 0);
	assert_int_equal(stored, 5);
	state_hash(ga, h1);
	state_hash(gc, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_int_equal(gc->roster->nmembers, 3);
	blobs_free(&mix);
	blobs_free(&la);
	blobs_free(&lb);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

/*
 * group_entries_missing gives what a peer lacks in causal order, so that a
 * newcomer can take it one entry at a time whatever the authors' keys.
 */
static void
test_entries_missing(void **state)
{
	struct member a, b, c;
	struct group *ga, *gb = NULL, *gc = NULL;
	struct blobs lb, miss;
	struct wire_have_item have[2];
	struct entry *e = NULL;
	uint8_t id[NOTE_ID_BYTES];
	uint64_t last = 0;
	size_t i;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	member_open(&c, 3, "carol");
	ga = found(&a, "G");
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	note_id_generate(NULL, b.d.id->pk, id);
	assert_int_equal(write_note(gb, id, "b", "by bob", NULL, 0, NULL), 0);
	assert_int_equal(write_note(gb, id, "b", "again", NULL, 0, NULL), 0);
	log_of(gb, b.d.id->pk, 0, &lb);
	assert_int_equal(receive(ga, &lb, 0, lb.n, NULL), 0);
	blobs_free(&lb);
	assert_int_equal(add_member(&a, ga, &c, 1), 0);
	note_id_generate(NULL, a.d.id->pk, id);
	assert_int_equal(write_note(ga, id, "a", "by alice", NULL, 0, NULL), 0);
	/* Everything, lamport ascending. */
	memset(&miss, 0, sizeof(miss));
	assert_int_equal(group_entries_missing(ga, NULL, 0, 0, collect_missing_cb,
	    &miss), 0);
	assert_int_equal(miss.n, 6);
	for (i = 0; i < miss.n; i++) {
		assert_int_equal(entry_decode(miss.p[i], miss.len[i], &e), 0);
		assert_true(e->h.lamport > last);
		last = e->h.lamport;
		entry_free(e);
	}
	/* carol takes it one entry at a time. */
	assert_int_equal(group_join_new(&c.d, ga->id, &gc), 0);
	for (i = 0; i < miss.n; i++)
		assert_int_equal(receive(gc, &miss, i, 1, NULL), 0);
	assert_int_equal(gc->roster->nmembers, 3);
	blobs_free(&miss);
	/* What a peer lacks beyond its vector, at most max. */
	memcpy(have[0].author, a.d.id->pk, BAL_PK_BYTES);
	have[0].seq = 3;
	memcpy(have[1].author, b.d.id->pk, BAL_PK_BYTES);
	have[1].seq = 1;
	assert_int_equal(group_entries_missing(ga, have, 2, 0, collect_missing_cb,
	    &miss), 0);
	assert_int_equal(miss.n, 2);
	blobs_free(&miss);
	assert_int_equal(group_entries_missing(ga, have, 2, 1, collect_missing_cb,
	    &miss), 0);
	assert_int_equal(miss.n, 1);
	assert_int_equal(entry_decode(miss.p[0], miss.len[0], &e), 0);
	assert_memory_equal(e->h.author, b.d.id->pk, BAL_PK_BYTES);
	assert_int_equal(e->h.seq, 2);
	entry_free(e);
	blobs_free(&miss);
	member_close(&a);
	member_close(&b);
	member_close(&c);
}

static int
peer_cb(void *ctx, const struct store_peer *p)
{
	struct blobs *b = ctx;

	assert_non_null(p->member);
	assert_int_equal(p->typed, 0);
	collect_cb(b, (const uint8_t *)p->addr, strlen(p->addr) + 1);
	return 0;
}

static void
test_announce(void **state)
{
	struct member a, b;
	struct group *ga, *gb = NULL;
	struct blobs peers;
	const char *addrs[] = { "192.0.2.1:7700", "host.example:7701" };
	const char *bad[] = { "has space:1" };

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	assert_int_equal(group_announce(ga, addrs, 2), 0);
	assert_int_equal(group_announce(ga, bad, 1), BAL_EINVAL);
	assert_int_equal(group_announce(ga, addrs, 0), BAL_EINVAL);
	/* An announce of a later version is kept but not used. */
	assert_int_equal(group_append(ga, ENTRY_KIND_ANNOUNCE,
	    (const uint8_t *)"\x92\x02\xa1x", 4, NULL), 0);
	/* alice does not dial herself. */
	memset(&peers, 0, sizeof(peers));
	assert_int_equal(store_peer_each(a.d.store, ga->id, peer_cb, &peers),
	    0);
	assert_int_equal(peers.n, 0);
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	gb = join_log(&b, ga, a.d.id->pk);
	assert_int_equal(store_peer_each(b.d.store, gb->id, peer_cb, &peers),
	    0);
	assert_int_equal(peers.n, 2);
	assert_string_equal((char *)peers.p[0], "192.0.2.1:7700");
	assert_string_equal((char *)peers.p[1], "host.example:7701");
	blobs_free(&peers);
	member_close(&a);
	member_close(&b);
}


static void
test_select(void **state)
{
	struct member a;
	struct group *g1, *g2;
	char err[256], hex[65];

	(void)state;
	member_open(&a, 1, "alice");
	assert_null(group_select(&a.d, NULL, err, sizeof(err)));
	assert_string_equal(err, "you are in no group yet (see: balint group "
	    "create, balint join)");
	g1 = found(&a, "Nord");
	assert_ptr_equal(group_select(&a.d, NULL, err, sizeof(err)), g1);
	g2 = found(&a, "Sued");
	assert_null(group_select(&a.d, NULL, err, sizeof(err)));
	assert_string_equal(err, "you are in 2 groups: say which with -g "
	    "GROUP (see: balint group list)");
	assert_ptr_equal(group_select(&a.d, "Nord", err, sizeof(err)), g1);
	assert_ptr_equal(group_select(&a.d, "Sued", err, sizeof(err)), g2);
	sodium_bin2hex(hex, sizeof(hex), g2->id, 32);
	assert_ptr_equal(group_select(&a.d, hex, err, sizeof(err)), g2);
	hex[8] = '\0';
	assert_ptr_equal(group_select(&a.d, hex, err, sizeof(err)), g2);
	hex[3] = '\0';
	assert_null(group_select(&a.d, hex, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown group"));
	assert_null(group_select(&a.d, "Ost", err, sizeof(err)));
	assert_string_equal(err, "unknown group 'Ost' (see: balint group "
	    "list)");
	/* Two groups of the same name. */
	(void)found(&a, "Nord");
	assert_null(group_select(&a.d, "Nord", err, sizeof(err)));
	assert_non_null(strstr(err, "2 groups are named 'Nord'"));
	member_reopen(&a);
	assert_non_null(group_select(&a.d, "Sued", err, sizeof(err)));
	member_close(&a);
}

static void
test_network_keys_and_have(void **state)
{
	struct member a, b;
	struct group *g;
	struct wire_have_item *items = NULL;
	uint8_t keys[4][32], want[32];
	size_t n = 0, i;
	struct blobs l;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	g = found(&a, "G");
	assert_int_equal(add_member(&a, g, &b, 1), 0);
	assert_int_equal(g->nkeys, 2);
	assert_int_equal(group_network_keys(g, keys, 4, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < g->nkeys; i++) {
		const struct roster_epoch *ep = roster_epoch_find(g->roster,
		    g->keys[i].epoch);

		assert_non_null(ep);
		assert_int_equal(shs_network_key(g->keys[i].key, g->id, want),
		    0);
		/* Newest (ordinal 1) first. */
		assert_memory_equal(keys[1 - ep->ordinal], want, 32);
	}
	assert_int_equal(group_network_keys(g, keys, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(group_have(g, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(items[0].author, a.d.id->pk, 32);
	assert_int_equal(items[0].seq, 2);
	free(items);
	/* group_entries_after: after a seq, and at most max. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(group_entries_after(g, a.d.id->pk, 1, 0, collect_cb,
	    &l), 0);
	assert_int_equal(l.n, 1);
	blobs_free(&l);
	assert_int_equal(group_entries_after(g, a.d.id->pk, 0, 1, collect_cb,
	    &l), 0);
	assert_int_equal(l.n, 1);
	blobs_free(&l);
	member_close(&a);
	member_close(&b);
}

static void
test_append_refused(void **state)
{
	struct member a, b;
	struct group *ga, *gb = NULL;
	uint64_t before;

	(void)state;
	member_open(&a, 1, "alice");
	member_open(&b, 2, "bob");
	ga = found(&a, "G");
	assert_int_equal(group_append(ga, 0, (const uint8_t *)"x", 1, NULL),
	    BAL_EINVAL);
	assert_int_equal(group_append(ga, 4, (const uint8_t *)"x", 1, NULL),
	    BAL_EINVAL);
	/* A note must be a note. */
	assert_int_equal(group_append(ga, ENTRY_KIND_NOTE,
	    (const uint8_t *)"garbage", 7, NULL), BAL_EPROTO);
	/* Roster operations: malformed, or refused by the fold. */
	assert_int_equal(group_append(ga, ENTRY_KIND_ROSTER,
	    (const uint8_t *)"\x91\x09", 2, NULL), BAL_EPROTO);
	assert_int_equal(add_member(&a, ga, &b, 1), 0);
	/* bob is a member already. */
	assert_int_equal(add_member(&a, ga, &b, 1), BAL_EPERM);
	gb = join_log(&b, ga, a.d.id->pk);
	before = count(&b, gb);
	/* bob is no leader: his ADD would not count, so it is not written. */
	{
		struct member c;

		member_open(&c, 3, "carol");
		assert_int_equal(add_member(&b, gb, &c, 1), BAL_EPERM);
		member_close(&c);
	}
	assert_int_equal(count(&b, gb), before);
	assert_int_equal(count(&a, ga), 2);
	member_close(&a);
	member_close(&b);
}

/*
 * Short note ids (note list's NOTE column): the shortest prefix, 4 hex
 * digits at least, that no other readable note of any of the member's
 * groups starts with.
 */
static void
test_shortids(void **state)
{
	struct member a;
	struct group *g, *h;
	struct group_note *notes = NULL;
	struct group_shortids set;
	uint8_t id1[NOTE_ID_BYTES], id2[NOTE_ID_BYTES], id3[NOTE_ID_BYTES];
	uint8_t id4[NOTE_ID_BYTES];
	char hex[NOTE_ID_HEX_BYTES], s[NOTE_ID_HEX_BYTES];
	size_t n = 0;

	(void)state;
	member_open(&a, 1, "alice");
	g = found(&a, "G");
	note_id_generate(NULL, g->d->id->pk, id1);
	memcpy(id2, id1, NOTE_ID_BYTES);
	id2[2] ^= 0x10;		/* 4 digits shared with id1 */
	memcpy(id3, id1, NOTE_ID_BYTES);
	id3[0] ^= 0x80;		/* the first digit differs */
	memcpy(id4, id3, NOTE_ID_BYTES);
	id4[3] ^= 0x01;		/* 7 digits shared with id3 */
	assert_int_equal(write_note(g, id1, "one", "1", NULL, 0, NULL), 0);
	/* Alone: 4 digits. */
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(group_shortids_load(&a.d, g, notes, n, &set), 0);
	group_shortid(&set, id1, s);
	note_id_to_hex(id1, hex);
	hex[4] = '\0';
	assert_string_equal(s, hex);
	group_shortids_free(&set);
	group_notes_free(notes, n);

	assert_int_equal(write_note(g, id2, "two", "2", NULL, 0, NULL), 0);
	assert_int_equal(write_note(g, id3, "three", "3", NULL, 0, NULL), 0);
	/* id4 in another group of the same member. */
	h = found(&a, "H");
	assert_int_equal(write_note(h, id4, "four", "4", NULL, 0, NULL), 0);
	assert_int_equal(group_notes(g, &notes, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(group_shortids_load(&a.d, g, notes, n, &set), 0);
	assert_int_equal(set.n, 4);
	group_shortid(&set, id1, s);
	assert_int_equal(strlen(s), 5);
	note_id_to_hex(id1, hex);
	assert_memory_equal(s, hex, 5);
	group_shortid(&set, id2, s);
	assert_int_equal(strlen(s), 5);
	group_shortid(&set, id3, s);
	assert_int_equal(strlen(s), 8);
	group_shortid(&set, id4, s);
	assert_int_equal(strlen(s), 8);
	/* What it shows names the note: one match in its group. */
	group_shortid(&set, id3, s);
	assert_int_equal(group_note_matches(notes, n, s), 1);
	s[7] = '\0';
	assert_int_equal(group_note_matches(notes, n, s), 1);	/* in g alone */
	group_shortids_free(&set);
	group_notes_free(notes, n);
	member_close(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_keyring, setup),
		cmocka_unit_test_setup(test_create_and_reload, setup),
		cmocka_unit_test_setup(test_create_refused, setup),
		cmocka_unit_test_setup(test_notes_roundtrip, setup),
		cmocka_unit_test_setup(test_shortids, setup),
		cmocka_unit_test_setup(test_edit_delete_erases, setup),
		cmocka_unit_test_setup(test_supersede_rules, setup),
		cmocka_unit_test_setup(test_receive_between_members, setup),
		cmocka_unit_test_setup(test_receive_any_order, setup),
		cmocka_unit_test_setup(test_entries_missing, setup),
		cmocka_unit_test_setup(test_announce, setup),
		cmocka_unit_test_setup(test_select, setup),
		cmocka_unit_test_setup(test_network_keys_and_have, setup),
		cmocka_unit_test_setup(test_append_refused, setup),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
