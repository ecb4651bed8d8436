/*
 * gen-corpus.c — writes the seed corpora of the fuzz harnesses with the
 * project's own encoders: gen-corpus DIR makes DIR/<target>/<name> for
 * every harness tests/fuzz/fuzz-<target>.c.  The roster and join seeds
 * are made in gen-corpus-roster.c, the RUNS and entry-parts seeds in
 * gen-corpus-runs.c (gen-corpus.h).
 *
 * Deterministic (fuzz.h): the same bytes on every run, so the corpora kept
 * in tests/fuzz/corpus/ can be regenerated (make fuzz-corpus) and compared.
 * The keys, identities and input layouts are those the harnesses use;
 * when a harness's layout changes, change its generator here.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "gen-corpus.h"
#include "contract.h"
#include "ctl.h"
#include "entry-parts.h"
#include "entry.h"
#include "epoch.h"
#include "frame.h"
#include "invcode.h"
#include "joinmsg.h"
#include "pcp.h"
#include "note.h"
#include "roster.h"
#include "shs.h"
#include "wire.h"

static const char *outdir;
static int files;



void
put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		CHECK((b->p = realloc(b->p, b->cap)) != NULL);
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

void
put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

void
put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

void
put64(struct buf *b, uint64_t v)
{
	int i;

	for (i = 56; i >= 0; i -= 8)
		put8(b, (unsigned)(v >> i));
}

void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
mkdirs(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen-corpus: mkdir %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

/* Writes one seed, outdir/target/name. */
void
emit(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
		fprintf(stderr, "gen-corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	files++;
}

/* emit, then free() p. */
void
emit_free(const char *target, const char *name, uint8_t *p, size_t n)
{
	emit(target, name, p, n);
	free(p);
}

void
emit_buf(const char *target, const char *name, struct buf *b)
{
	emit(target, name, b->p, b->n);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* The cast: the harnesses' fixed identities. */
struct identity *leader, *coleader, *member, *other, *server,
    *client;
uint8_t group_id[BAL_GROUP_ID_BYTES];

static void
cast_new(void)
{
	leader = fuzz_identity(FUZZ_SEED_LEADER);
	coleader = fuzz_identity(FUZZ_SEED_COLEADER);
	member = fuzz_identity(FUZZ_SEED_MEMBER);
	other = fuzz_identity(FUZZ_SEED_OTHER);
	server = fuzz_identity(FUZZ_SEED_SERVER);
	client = fuzz_identity(FUZZ_SEED_CLIENT);
	memset(group_id, 0x47, sizeof(group_id));
}

static void
cast_free(void)
{
	identity_free(leader);
	identity_free(coleader);
	identity_free(member);
	identity_free(other);
	identity_free(server);
	identity_free(client);
}

/* ---- contracts ---- */

/* The template contract of leader, or with the co-leader named. */
struct contract *
contract_make(int two_leaders)
{
	struct contract *c = NULL;
	char id[IDENTITY_ID_TEXT_BYTES], err[200];
	uint8_t salt[CONTRACT_SALT_BYTES];
	struct buf t = { NULL, 0, 0 };
	const char *tmpl = contract_template();

	memset(salt, FUZZ_SALT, sizeof(salt));
	if (two_leaders) {
		identity_id_encode(coleader->pk, id);
		put_str(&t, "Name: Balint group Nord\nHistory: full\n"
		    "Retention: 730\nCo-leader: ");
		put_str(&t, id);
		put_str(&t, "\n\nWhat is said here stays here.\n");
	} else {
		put(&t, tmpl, strlen(tmpl));
	}
	if (contract_parse((const char *)t.p, t.n, leader->pk, FUZZ_TIME_MS,
	    salt, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "gen-corpus: contract: %s\n", err);
		exit(1);
	}
	free(t.p);
	return c;
}

static void
gen_contract(void)
{
	struct contract *c1 = contract_make(0), *c2 = contract_make(1), *a;
	uint8_t *enc;
	char *text, err[200];
	size_t len, tlen;

	CHECK(contract_encode(c1, &enc, &len) == 0);
	emit_free("contract", "template", enc, len);
	CHECK(contract_encode(c2, &enc, &len) == 0);
	emit_free("contract", "two-leaders", enc, len);
	CHECK(contract_signed_encode(c1, leader, &enc, &len) == 0);
	emit_free("contract", "signed-template", enc, len);
	CHECK(contract_signed_encode(c2, coleader, &enc, &len) == 0);
	emit_free("contract", "signed-by-coleader", enc, len);
	CHECK(contract_text(c2, leader->pk, &text, &tlen) == 0);
	CHECK(contract_amend(c2, text, tlen, leader->pk, FUZZ_TIME_MS + 1000,
	    &a, err, sizeof(err)) == 0);
	CHECK(contract_signed_encode(a, leader, &enc, &len) == 0);
	emit_free("contract", "signed-amendment", enc, len);

	/* The text forms, for the parser. */
	emit("contract-text", "template", contract_template(),
	    strlen(contract_template()));
	emit_free("contract-text", "two-leaders", (uint8_t *)text, tlen);
	CHECK(contract_text(c1, leader->pk, &text, &tlen) == 0);
	emit_free("contract-text", "template-written", (uint8_t *)text, tlen);
	emit("contract-text", "minimal", "Name: x\n", 8);
	contract_free(c1);
	contract_free(c2);
	contract_free(a);
}

/* ---- entries and notes ---- */

/* The author of the corpus's notes (their ids are bound to it). */
static const uint8_t NOTE_AUTHOR[BAL_PK_BYTES] = { 0x5a, 0x11, 0x7e };

/* A note as note_encode writes it, in a malloc'd copy. */
static uint8_t *
note_make(int kind, const char *title, const char *body, int tombstone,
    size_t *len)
{
	struct note n;
	uint8_t *enc, *copy;

	memset(&n, 0, sizeof(n));
	note_id_generate(fuzz_rng(), NOTE_AUTHOR, n.id);
	n.kind = kind;
	n.case_ref = tombstone ? NULL : "case 12";
	n.title = (char *)title;	/* borrowed, never freed */
	n.body = (char *)body;
	n.tombstone = tombstone;
	if (tombstone) {
		n.has_supersedes = 1;
		memset(n.supersedes, 0x5e, sizeof(n.supersedes));
		n.erases = &n.supersedes;
		n.nerases = 1;
	}
	CHECK(note_encode(&n, &enc, len) == 0);
	CHECK((copy = malloc(*len)) != NULL);
	memcpy(copy, enc, *len);
	note_buf_free(enc, *len);
	return copy;
}

static void
gen_note(void)
{
	uint8_t *p, id[NOTE_ID_BYTES];
	char hex[NOTE_ID_HEX_BYTES];
	size_t len;

	p = note_make(NOTE_KIND_SESSION, "Session 14 March",
	    "We talked about a patient who \"never\" comes on time.\n"
	    "Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x94 \xf0\x9f\x99\x82", 0, &len);
	emit_free("note", "session", p, len);
	p = note_make(NOTE_KIND_FOLLOWUP, "Follow-up", "", 0, &len);
	emit_free("note", "followup-empty", p, len);
	p = note_make(NOTE_KIND_CASE, NULL, NULL, 1, &len);
	emit_free("note", "tombstone", p, len);
	note_id_generate(fuzz_rng(), NOTE_AUTHOR, id);
	note_id_to_hex(id, hex);
	emit("note", "id-hex", hex, strlen(hex));
	emit("note", "kind-name", note_kind_name(NOTE_KIND_OTHER),
	    strlen(note_kind_name(NOTE_KIND_OTHER)));
}

/* The entry after prev (NULL: first) of author, kind and plaintext. */
static struct entry *
entry_make(const struct identity *author, const struct entry *prev,
    int kind, const uint8_t *plain, size_t len)
{
	struct entry_header h;
	struct entry *e;
	uint8_t key[BAL_KEY_BYTES];

	fuzz_key(key, FUZZ_KEY_EPOCH);
	CHECK(entry_header_next(&h, group_id, author->pk, prev, 7) == 0);
	h.kind = (uint8_t)kind;
	h.epoch = kind == ENTRY_KIND_NOTE ? 0x1234 : 0;
	h.time = FUZZ_TIME_MS + h.seq * 60000;
	CHECK(entry_seal(&h, author, kind == ENTRY_KIND_NOTE ? key : NULL,
	    plain, len, fuzz_rng(), &e) == 0);
	return e;
}

/* Seeds of entry, and the encodings for wire messages (kept in e[]). */
static void
gen_entry(uint8_t *enc[3], size_t enclen[3])
{
	struct entry *e1, *e2, *e3;
	struct buf b = { NULL, 0, 0 };
	uint8_t *p, *op;
	size_t len, oplen;

	p = note_make(NOTE_KIND_SESSION, "Session", "Text of the note.", 0,
	    &len);
	e1 = entry_make(leader, NULL, ENTRY_KIND_NOTE, p, len);
	free(p);
	CHECK(roster_encode_leave(2, &op, &oplen) == 0);
	e2 = entry_make(leader, e1, ENTRY_KIND_ROSTER, op, oplen);
	free(op);
	e3 = entry_make(leader, e2, ENTRY_KIND_ANNOUNCE,
	    (const uint8_t *)"127.0.0.1:7000", 14);
	CHECK(entry_encode(e1, &enc[0], &enclen[0]) == 0);
	CHECK(entry_encode(e2, &enc[1], &enclen[1]) == 0);
	CHECK(entry_encode(e3, &enc[2], &enclen[2]) == 0);
	emit("entry", "note", enc[0], enclen[0]);
	emit("entry", "roster", enc[1], enclen[1]);
	emit("entry", "announce", enc[2], enclen[2]);
	entry_erase(e1);
	CHECK(entry_encode(e1, &p, &len) == 0);
	emit_free("entry", "note-erased", p, len);
	entry_free(e1);
	entry_free(e2);
	entry_free(e3);

	/* entry-seal: [kind][seq][epoch][lamport][time][prev 32][plain] */
	put8(&b, ENTRY_KIND_NOTE);
	put64(&b, 1);
	put64(&b, 0x1234);
	put64(&b, 1);
	put64(&b, FUZZ_TIME_MS);
	put(&b, (const uint8_t[32]){ 0 }, 32);
	put(&b, "plaintext of a note", 19);
	emit_buf("entry-seal", "note-first", &b);
	put8(&b, ENTRY_KIND_ROSTER);
	put64(&b, 5);
	put64(&b, 0);
	put64(&b, 9);
	put64(&b, FUZZ_TIME_MS + 5);
	put(&b, enclen[0] >= 32 ? enc[0] + enclen[0] - 32 : enc[0], 32);
	put(&b, enc[1], 20);
	emit_buf("entry-seal", "roster-later", &b);
	put8(&b, ENTRY_KIND_ANNOUNCE);
	put64(&b, (uint64_t)INT64_MAX);
	put64(&b, 0);
	put64(&b, (uint64_t)INT64_MAX);
	put64(&b, (uint64_t)INT64_MAX);
	put(&b, (const uint8_t[32]){ 1 }, 32);
	emit_buf("entry-seal", "announce-max", &b);
}

/* ---- wire, framing ---- */

static void
gen_wire(uint8_t *const ent[3], const size_t entlen[3], uint8_t **hello,
    size_t *hellolen)
{
	static const char *const addrs[] = { "127.0.0.1:7000",
	    "[::1]:7000", "laptop.local:7001" };
	struct wire_have_item have[3];
	struct wire_bytes items[3];
	struct wire_msg m;
	uint8_t *p;
	size_t len;
	int i;

	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	memcpy(m.hello.group_id, group_id, sizeof(group_id));
	m.hello.software = "balint 0.1.0";
	m.hello.addrs = addrs;
	m.hello.naddrs = 3;
	CHECK(wire_encode(&m, hello, hellolen) == 0);
	emit("wire", "hello", *hello, *hellolen);
	/* The same with every capability (the 6th element). */
	m.hello.caps = WIRE_CAPS_KNOWN;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "hello-caps", p, len);

	memset(&m, 0, sizeof(m));
	m.type = WIRE_HAVE;
	for (i = 0; i < 3; i++) {
		memcpy(have[i].author, (i == 0 ? leader : i == 1 ? member :
		    other)->pk, BAL_PK_BYTES);
		have[i].seq = (uint64_t)(i * 1000 + 3);
	}
	m.have.items = have;
	m.have.n = 3;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "have", p, len);

	/* WANT: the same (author, seq) pairs, entries held without body. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_WANT;
	m.want.items = have;
	m.want.n = 3;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "want", p, len);

	/* PUNCH: an ASK (no host) and a GO (the relay's view, a wait). */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUNCH;
	m.punch.op = WIRE_PUNCH_ASK;
	memcpy(m.punch.member, member->pk, BAL_PK_BYTES);
	m.punch.host = "";
	m.punch.port = 40123;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "punch-ask", p, len);
	m.punch.op = WIRE_PUNCH_GO;
	m.punch.host = "203.0.113.2";
	m.punch.wait_ms = 250;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "punch-go", p, len);
	m.punch.op = WIRE_PUNCH_CALL;	/* over an onion session */
	m.punch.wait_ms = 0;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "punch-call", p, len);

	memset(&m, 0, sizeof(m));
	m.type = WIRE_ENTRIES;
	for (i = 0; i < 3; i++) {
		items[i].p = ent[i];
		items[i].len = entlen[i];
	}
	m.entries.items = items;
	m.entries.n = 3;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "entries", p, len);

	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUSH;
	m.push = items[0];
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "push", p, len);

	memset(&m, 0, sizeof(m));
	m.type = WIRE_ACK;
	m.ack.stored = 70000;
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "ack", p, len);

	memset(&m, 0, sizeof(m));
	m.type = WIRE_BYE;
	m.bye.reason = WIRE_BYE_VERSION;
	m.bye.text = "version 1 here, you sent 2";
	CHECK(wire_encode(&m, &p, &len) == 0);
	emit_free("wire", "bye", p, len);
}

/* A frame stream under the fixed key: header, msgs, optional FINAL. */
static void
stream(struct buf *b, const uint8_t *const *msgs, const size_t *lens,
    size_t n, int final)
{
	struct frame_tx *tx;
	uint8_t key[BAL_KEY_BYTES], hdr[FRAME_HEADER_BYTES], *f;
	size_t i, flen;

	fuzz_key(key, FUZZ_KEY_FRAME);
	CHECK(frame_tx_new(key, hdr, &tx) == 0);
	put(b, hdr, sizeof(hdr));
	for (i = 0; i < n; i++) {
		if (final && i == n - 1)
			CHECK(frame_push_final(tx, msgs[i], lens[i], &f,
			    &flen) == 0);
		else
			CHECK(frame_push(tx, msgs[i], lens[i], &f, &flen) == 0);
		put(b, f, flen);
		free(f);
	}
	frame_tx_free(tx);
}

static void
gen_frame(const uint8_t *hello, size_t hellolen, uint8_t *const ent[3],
    const size_t entlen[3])
{
	const uint8_t *msgs[4] = { hello, ent[0], ent[1], NULL };
	size_t lens[4] = { hellolen, entlen[0], entlen[1], 0 };
	static uint8_t big[3000];
	const uint8_t *bigp[1] = { big };
	size_t biglen[1] = { sizeof(big) };
	struct buf b = { NULL, 0, 0 };
	size_t i;

	put8(&b, 0);
	stream(&b, msgs, lens, 4, 1);
	emit_buf("frame-rx", "three-and-empty-final", &b);
	put8(&b, 0x71);
	stream(&b, msgs, lens, 3, 1);
	emit_buf("frame-rx", "final-with-message", &b);
	put8(&b, 0xc3);
	stream(&b, msgs, lens, 2, 0);
	emit_buf("frame-rx", "no-final", &b);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	put8(&b, 0x05);
	stream(&b, bigp, biglen, 1, 1);
	emit_buf("frame-rx", "big", &b);

	/* frame-flip: [flags][seed] per message [len u16][bytes] [cut]... */
	put8(&b, 3 | 8);
	put8(&b, 0);
	for (i = 0; i < 3; i++) {
		put16(&b, (unsigned)(i == 0 ? hellolen : 40));
		put(&b, i == 0 ? hello : ent[i - 1], i == 0 ? hellolen : 40);
	}
	put16(&b, 0);
	emit_buf("frame-flip", "untouched-final", &b);
	put8(&b, 2);
	put8(&b, 9);
	put16(&b, 5);
	put(&b, "hello", 5);
	put16(&b, 0);
	put16(&b, 0);
	put16(&b, FRAME_HEADER_BYTES + FRAME_LEN_BYTES + 9);
	put8(&b, 0x01);
	emit_buf("frame-flip", "flip-in-second", &b);
	put8(&b, 1 | 8);
	put8(&b, 200);
	put16(&b, 0);
	put16(&b, 30);
	emit_buf("frame-flip", "cut-empty-final", &b);
}

/* ---- control messages ---- */

static void
gen_ctl(void)
{
	struct ctl_req *q;
	struct ctl_resp *r;
	uint8_t *p;
	size_t len;
	int i;

	CHECK(ctl_req_new("note.write", 7, &q) == 0);
	CHECK(ctl_req_add_str(q, "title", "Session 3") == 0);
	CHECK(ctl_req_add_str(q, "body", "B\xc3\xa4r \xe2\x80\x94 text") == 0);
	CHECK(ctl_req_add_uint(q, "kind", 1) == 0);
	CHECK(ctl_req_add_bool(q, "json", 1) == 0);
	CHECK(ctl_req_add_bin(q, "id", group_id, 16) == 0);
	CHECK(ctl_req_add_nil(q, "case") == 0);
	CHECK(ctl_req_encode(q, &p, &len) == 0);
	emit_free("ctl-req", "note-write", p, len);
	ctl_req_free(q);
	CHECK(ctl_req_new("status", UINT64_MAX, &q) == 0);
	CHECK(ctl_req_encode(q, &p, &len) == 0);
	emit_free("ctl-req", "status", p, len);
	ctl_req_free(q);

	CHECK(ctl_resp_new(7, CTL_OK, NULL, &r) == 0);
	for (i = 0; i < 3; i++) {
		CHECK(ctl_resp_record_begin(r) == 0);
		CHECK(ctl_resp_add_str(r, "name", i ? "Anna" : "Lea") == 0);
		CHECK(ctl_resp_add_uint(r, "seq", (uint64_t)i * 300) == 0);
		CHECK(ctl_resp_add_bool(r, "leader", i == 0) == 0);
		CHECK(ctl_resp_add_bin(r, "pk", leader->pk, 32) == 0);
		CHECK(ctl_resp_add_nil(r, "left") == 0);
	}
	CHECK(ctl_resp_encode(r, &p, &len) == 0);
	emit_free("ctl-resp", "members", p, len);
	ctl_resp_free(r);
	CHECK(ctl_resp_new(8, CTL_FAILED, "unknown member 'bobb' (see: "
	    "balint members)", &r) == 0);
	CHECK(ctl_resp_encode(r, &p, &len) == 0);
	emit_free("ctl-resp", "failed", p, len);
	ctl_resp_free(r);
}

/* ---- epochs and the roster ---- */

/*
 * The group sealed keys are bound to: group_id, but the CREATE contract's
 * hash while the roster seeds are made (the fold opens keys with it).
 */
const uint8_t *seal_gid = group_id;

/* An envelope of a fresh key for id, sealed to the pks of who[]. */
uint8_t *
envelope_make(uint64_t id, const struct identity *const *who, size_t n,
    size_t *len)
{
	uint8_t rcpt[4][BAL_PK_BYTES], *key, *env;
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(rcpt[i], who[i]->pk, BAL_PK_BYTES);
	CHECK(epoch_key_new(fuzz_rng(), &key) == 0);
	CHECK(epoch_seal(key, id, seal_gid,
	    (const uint8_t (*)[BAL_PK_BYTES])rcpt, n, fuzz_rng(), &env,
	    len) == 0);
	epoch_key_free(key);
	return env;
}

uint8_t *
history_make(const struct identity *to, size_t *len)
{
	struct epoch_history_key keys[3];
	uint8_t k[3][BAL_KEY_BYTES], *out;
	int i;

	for (i = 0; i < 3; i++) {
		memset(k[i], 0x60 + i, BAL_KEY_BYTES);
		keys[i].id = i == 0 ? 0 : (uint64_t)i * 0x1111111111ULL;
		keys[i].key = k[i];
	}
	CHECK(epoch_history_seal(keys, 3, seal_gid, to->pk, fuzz_rng(), &out,
	    len) == 0);
	return out;
}

static void
gen_epoch(void)
{
	const struct identity *who[3] = { leader, member, other };
	uint8_t *p;
	size_t len;

	p = envelope_make(0, who, 3, &len);
	emit_free("epoch", "envelope-3", p, len);
	p = envelope_make(0x7fffffffffffULL, who + 1, 1, &len);
	emit_free("epoch", "envelope-1", p, len);
	p = history_make(member, &len);
	emit_free("epoch", "history-3", p, len);
}

static void
gen_identity(void)
{
	char id[IDENTITY_ID_TEXT_BYTES];
	uint8_t *p;
	size_t len;

	identity_id_encode(leader->pk, id);
	emit("identity-id", "leader", id, strlen(id));
	identity_id_encode(client->pk, id);
	emit("identity-id", "client", id, strlen(id));
	/* Addresses as codes, announces and `peer add` carry them. */
	emit("addr", "ipv4", "192.0.2.7:7000", 14);
	emit("addr", "ipv6", "[2001:db8::1]:7451", 18);
	emit("addr", "name", "clinic-7.dyndns.example:7451", 28);
	emit("addr", "localhost", "localhost:1", 11);

	CHECK(identity_seal(member, FUZZ_PASS, strlen(FUZZ_PASS),
	    crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
	    fuzz_rng(), &p, &len) == 0);
	emit_free("identity-unseal", "protected-min", p, len);
	CHECK(identity_seal(member, NULL, 0, 0, 0, fuzz_rng(), &p,
	    &len) == 0);
	emit_free("identity-unseal", "unprotected", p, len);
}

/* ---- handshakes ---- */

/* A full handshake; writes the client's and the server's messages. */
static void
handshake(int server_first, size_t key_index, struct buf *cmsgs,
    struct buf *smsgs)
{
	struct shs *c = NULL, *s = NULL;
	uint8_t keys[FUZZ_NET_KEYS * BAL_KEY_BYTES], a[SHS_MSG_MAX];
	uint8_t b[SHS_MSG_MAX];
	size_t alen, blen;

	fuzz_net_keys(keys);
	fuzz_reset();
	/* The harness makes its own side first: same rng draws. */
	if (server_first) {
		CHECK(shs_server_new_multi(keys, FUZZ_NET_KEYS, server,
		    fuzz_rng(), &s) == 0);
		CHECK(shs_client_new(keys + BAL_KEY_BYTES * key_index, client,
		    server->pk, fuzz_rng(), &c) == 0);
	} else {
		CHECK(shs_client_new(keys + BAL_KEY_BYTES * key_index, client,
		    server->pk, fuzz_rng(), &c) == 0);
		CHECK(shs_server_new(keys + BAL_KEY_BYTES * key_index, server,
		    fuzz_rng(), &s) == 0);
	}
	alen = sizeof(a);
	CHECK(shs_step(c, NULL, 0, a, &alen) == 0);
	put(cmsgs, a, alen);
	blen = sizeof(b);
	CHECK(shs_step(s, a, alen, b, &blen) == 0);
	put(smsgs, b, blen);
	alen = sizeof(a);
	CHECK(shs_step(c, b, blen, a, &alen) == 0);
	put(cmsgs, a, alen);
	blen = sizeof(b);
	CHECK(shs_step(s, a, alen, b, &blen) == 0);
	put(smsgs, b, blen);
	alen = sizeof(a);
	CHECK(shs_step(c, b, blen, a, &alen) == 0);
	CHECK(shs_done(c) && shs_done(s));
	shs_free(c);
	shs_free(s);
}

static void
gen_shs(void)
{
	struct buf c = { NULL, 0, 0 }, s = { NULL, 0, 0 };
	static const char *const names[FUZZ_NET_KEYS] = { "key-0", "key-1",
	    "key-2" };
	size_t i;

	for (i = 0; i < FUZZ_NET_KEYS; i++) {
		handshake(1, i, &c, &s);
		emit_buf("shs-server", names[i], &c);
		free(s.p);
		memset(&s, 0, sizeof(s));
	}
	/* The client harness uses network key 1 (FUZZ_KEY_NET). */
	handshake(0, 1, &c, &s);
	emit("shs-server", "hello-only", c.p, SHS_HELLO_BYTES);
	emit_buf("shs-client", "genuine", &s);
	free(c.p);
}

/* ---- text escaping, raw msgpack ---- */

static void
gen_json(void)
{
	static const struct {
		const char *name, *s;
		size_t len;
		unsigned k;
	} v[] = {
#define S(x) x, sizeof(x) - 1
		{ "plain", S("Anna"), 255 },
		{ "escapes", S("a\"b\\c\n\t\x01\x7f"), 8 },
		{ "utf8", S("Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x94 "
		    "\xf0\x9f\x99\x82"), 12 },
		{ "invalid", S("\xc0\xaf\xed\xa0\x80\xff\xf4\x90\x80\x80"),
		    30 },
		{ "nul", S("a\0b"), 4 },
#undef S
	};
	struct buf b = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		put8(&b, v[i].k);
		put(&b, v[i].s, v[i].len);
		emit_buf("json", v[i].name, &b);
	}
}

/*
 * See gen-corpus.h: one deterministic stream for every file of the
 * generator (fuzz.h's state is each file's own).
 */
const struct bal_rng *
gen_rng(void)
{
	return fuzz_rng();
}

/*
 * pcp: a router's answers to fuzz-pcp.c's request (port 7451, the nonce
 * a0..ab): IPv4 and IPv6 mappings, a refusal, one with an option, and a
 * NAT-PMP server's answer.  No random bytes: the other corpora stay the
 * same.
 */
static void
gen_pcp(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0x10 };
	static const uint8_t natpmp[8] = { 0, 0x81, 0, 1, 0, 0, 0, 5 };
	struct pcp_map m;
	uint8_t b[PCP_MAP_BYTES + 20];
	size_t i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < PCP_NONCE_BYTES; i++)
		m.nonce[i] = (uint8_t)(0xa0 + i);
	m.protocol = PCP_PROTO_TCP;
	m.internal_port = m.external_port = 7451;
	m.external[10] = m.external[11] = 0xff;
	m.external[12] = 11, m.external[15] = 1;
	m.lifetime = 3600;
	CHECK(pcp_map_request(&m, b) == 0);
	memset(b + 8, 0, 16);		/* epoch and reserved */
	b[1] = 0x81;
	b[11] = 7;
	emit("pcp", "map-ipv4", b, PCP_MAP_BYTES);
	memcpy(b + 44, v6, 16);
	emit("pcp", "map-ipv6", b, PCP_MAP_BYTES);
	b[3] = 2;			/* NOT_AUTHORIZED */
	emit("pcp", "not-authorized", b, PCP_MAP_BYTES);
	b[3] = 0;
	memset(b + PCP_MAP_BYTES, 0, 20);
	b[PCP_MAP_BYTES] = 1;		/* an option of 16 bytes */
	b[PCP_MAP_BYTES + 3] = 16;
	emit("pcp", "with-option", b, sizeof(b));
	emit("pcp", "natpmp-answer", natpmp, sizeof(natpmp));
}

int
main(int argc, char **argv)
{
	uint8_t *ent[3], *hello;
	size_t entlen[3], hellolen;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	mkdirs(outdir);
	fuzz_init();
	cast_new();
	gen_contract();
	gen_note();
	gen_entry(ent, entlen);
	gen_wire(ent, entlen, &hello, &hellolen);
	gen_frame(hello, hellolen, ent, entlen);
	gen_ctl();
	gen_epoch();
	gen_roster();
	gen_join();
	gen_identity();
	gen_shs();
	gen_json();
	/* mp: a few of the documents above. */
	emit("mp", "hello", hello, hellolen);
	for (i = 0; i < 3; i++)
		emit("mp", i == 0 ? "entry-note" : i == 1 ? "entry-roster" :
		    "entry-announce", ent[i], entlen[i]);
	for (i = 0; i < 3; i++)
		free(ent[i]);
	free(hello);
	gen_runs();
	gen_bundle();
	gen_beacon();
	gen_pcp();
	cast_free();
	printf("gen-corpus: %d files in %s\n", files, outdir);
	return 0;
}
