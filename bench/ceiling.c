/*
 * ceiling — the crypto limit of receiving: how many of a member's stored
 * note entries one core can verify and decrypt per second in a tight loop
 * with no I/O (no store, no socket, no event loop).
 *
 *	ceiling HOME [SECONDS]
 *
 * HOME is a member profile with a stopped or running daemon; its store is
 * only read.  The entries are loaded into memory first (not timed) and
 * the epoch keys opened with the member's key, as balintd does.  Two loops
 * run over the same entries, each for at least SECONDS (default 1):
 *
 *	crypto  the libsodium work an entry needs and nothing else: BLAKE2b
 *	        of the body against its body hash, the Ed25519 signature
 *	        over "balint-entry-v1" || header || body hash, and the
 *	        XChaCha20-Poly1305 decryption (into a reused buffer);
 *	proto   what proto/ does for the same: entry_decode (parse, checks,
 *	        hash, signature, entry id), entry_open (sodium_malloc'd
 *	        plaintext) and note_decode.
 *
 * Prints "entries N crypto_per_s X proto_per_s Y verify_per_s Z
 * crypto_per_cpu_s C": rates per second of wall time, and the crypto rate
 * per second of this process's CPU time (the same when the core is not
 * shared; on a busy machine the wall-time rates drop, the CPU-time one
 * much less).  The daemon's code is linked only to unlock the key and
 * read the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "benchlib.h"
#include "daemon.h"
#include "entry.h"
#include "group.h"
#include "note.h"
#include "profile.h"
#include "store.h"

#define SIGN_DOMAIN "balint-entry-v1"
#define MSG_MAX (sizeof(SIGN_DOMAIN) + ENTRY_MAX_HEADER + BAL_HASH_BYTES)

struct blobs {
	uint8_t **p;
	size_t *len;
	size_t n, cap;
};

static int
collect(void *ctx, const struct store_entry_row *row)
{
	struct blobs *b = ctx;

	if (row->erased)
		return 0;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		if ((b->p = realloc(b->p, b->cap * sizeof(*b->p))) == NULL ||
		    (b->len = realloc(b->len, b->cap * sizeof(*b->len))) ==
		    NULL)
			benchlib_die("out of memory");
	}
	if ((b->p[b->n] = malloc(row->bloblen)) == NULL)
		benchlib_die("out of memory");
	memcpy(b->p[b->n], row->blob, row->bloblen);
	b->len[b->n++] = row->bloblen;
	return 0;
}

static const uint8_t *
key_of(const struct group *g, uint64_t epoch)
{
	size_t i;

	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].epoch == epoch)
			return g->keys[i].key;
	return NULL;
}

/* One pass of the libsodium work over every entry; returns 0 or dies. */
static void
crypto_pass(struct entry **e, const uint8_t **keys, size_t n, uint8_t *plain,
    int verify_only)
{
	uint8_t msg[MSG_MAX], hash[BAL_HASH_BYTES];
	unsigned long long plen;
	size_t i, dl = strlen(SIGN_DOMAIN), ml;

	for (i = 0; i < n; i++) {
		entry_body_hash(e[i]->body, e[i]->bodylen, hash);
		if (sodium_memcmp(hash, e[i]->body_hash, sizeof(hash)) != 0)
			benchlib_die("body hash mismatch");
		memcpy(msg, SIGN_DOMAIN, dl);
		memcpy(msg + dl, e[i]->hdr, e[i]->hdrlen);
		memcpy(msg + dl + e[i]->hdrlen, e[i]->body_hash,
		    BAL_HASH_BYTES);
		ml = dl + e[i]->hdrlen + BAL_HASH_BYTES;
		if (crypto_sign_verify_detached(e[i]->sig, msg, ml,
		    e[i]->h.author) != 0)
			benchlib_die("signature does not verify");
		if (verify_only)
			continue;
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen,
		    NULL, e[i]->body + ENTRY_NONCE_BYTES,
		    e[i]->bodylen - ENTRY_NONCE_BYTES, e[i]->hdr, e[i]->hdrlen,
		    e[i]->body, keys[i]) != 0)
			benchlib_die("entry does not decrypt");
	}
}

/* One pass of proto's receive path over every entry. */
static void
proto_pass(const struct blobs *b, const uint8_t **keys)
{
	struct entry *e;
	struct note *note;
	uint8_t *plain;
	size_t i, plen;

	for (i = 0; i < b->n; i++) {
		if (entry_decode(b->p[i], b->len[i], &e) != 0)
			benchlib_die("entry %zu does not decode", i);
		if (entry_open(e, keys[i], &plain, &plen) != 0)
			benchlib_die("entry %zu does not open", i);
		if (note_decode(plain, plen, &note) != 0)
			benchlib_die("entry %zu holds no note", i);
		note_free(note);
		entry_plain_free(plain, plen);
		entry_free(e);
	}
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct daemon d;
	struct group *g;
	struct blobs b;
	struct entry **e;
	const uint8_t **keys;
	uint8_t (*nkeys)[BAL_KEY_BYTES];
	const uint8_t **nkp;
	uint8_t *plain;
	char path[PROFILE_PATH_MAX], err[256];
	double secs = 1.0, crypto_rate = 0, proto_rate = 0, verify_rate = 0;
	double crypto_cpu_rate = 0;
	uint64_t t0, c0, done;
	size_t i;
	int mode;

	benchlib_prog(argv[0]);
	if (argc < 2 || argc > 3)
		benchlib_die("usage: ceiling HOME [SECONDS]");
	if (argc > 2)
		secs = strtod(argv[2], NULL);
	if (sodium_init() < 0)
		benchlib_die("cannot initialise libsodium");
	memset(&d, 0, sizeof(d));
	memset(&b, 0, sizeof(b));
	snprintf(d.home, sizeof(d.home), "%s", argv[1]);
	if (profile_unlock(d.home, &d.id, err, sizeof(err)) != 0)
		benchlib_die("%s", err);
	if (profile_path(d.home, "store.db", path, sizeof(path)) != 0 ||
	    store_open(path, &d.store) != 0)
		benchlib_die("cannot open the store of %s", d.home);
	if (group_load_all(&d) != 0 || (g = d.groups) == NULL)
		benchlib_die("no group in %s", d.home);
	if (store_entries_kind_each(d.store, g->id, ENTRY_KIND_NOTE, collect,
	    &b) != 0 || b.n == 0)
		benchlib_die("no note entries in %s", d.home);
	if ((e = calloc(b.n, sizeof(*e))) == NULL ||
	    (keys = calloc(b.n, sizeof(*keys))) == NULL ||
	    (nkeys = sodium_malloc(b.n * sizeof(*nkeys))) == NULL ||
	    (nkp = calloc(b.n, sizeof(*nkp))) == NULL ||
	    (plain = sodium_malloc(ENTRY_MAX_PLAIN)) == NULL)
		benchlib_die("out of memory");
	for (i = 0; i < b.n; i++) {
		if (entry_decode(b.p[i], b.len[i], &e[i]) != 0)
			benchlib_die("entry %zu does not decode", i);
		if ((keys[i] = key_of(g, e[i]->h.epoch)) == NULL)
			benchlib_die("no key for the epoch of entry %zu", i);
		/*
		 * The bare libsodium loop decrypts with the note key that
		 * entry_open derives from the epoch key (protocol 2, "Key
		 * derivations"); derived once here, as a floor.
		 */
		entry_note_key(keys[i], nkeys[i]);
		nkp[i] = nkeys[i];
	}
	/* Each loop runs whole passes for at least secs seconds. */
	for (mode = 0; mode < 3; mode++) {
		done = 0;
		t0 = benchlib_now_ns();
		c0 = cpu_ns();
		do {
			if (mode == 0)
				crypto_pass(e, nkp, b.n, plain, 0);
			else if (mode == 1)
				proto_pass(&b, keys);
			else
				crypto_pass(e, nkp, b.n, plain, 1);
			done += b.n;
		} while ((double)(benchlib_now_ns() - t0) / 1e9 < secs);
		verify_rate = (double)done /
		    ((double)(benchlib_now_ns() - t0) / 1e9);
		if (mode == 0) {
			crypto_rate = verify_rate;
			crypto_cpu_rate = (double)done /
			    ((double)(cpu_ns() - c0) / 1e9);
		} else if (mode == 1)
			proto_rate = verify_rate;
	}
	printf("entries %zu crypto_per_s %.0f proto_per_s %.0f "
	    "verify_per_s %.0f crypto_per_cpu_s %.0f\n", b.n, crypto_rate,
	    proto_rate, verify_rate, crypto_cpu_rate);
	for (i = 0; i < b.n; i++) {
		entry_free(e[i]);
		free(b.p[i]);
	}
	sodium_free(plain);
	free(e);
	free(keys);
	sodium_free(nkeys);
	free(nkp);
	free(b.p);
	free(b.len);
	group_free_all(&d);
	store_close(d.store);
	identity_free(d.id);
	return 0;
}
