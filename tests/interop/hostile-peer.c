/*
 * hostile-peer.c — a member's misbehaving software, for
 * tests/integration/hostile.sh (docs/testing-hostile.md).  It takes a
 * current member's profile (identity.key, unlocked with
 * $BALINT_PASSPHRASE_FILE; store.db read only with the SQLite C API, while
 * that member's daemon is stopped), derives the group's network key from
 * the newest epoch key the member holds (unsealed as daemon/store/keyring.c does,
 * docs/protocol.md) and misbehaves towards another member's balintd.
 *
 *	hostile-peer PROFILE HOST:PORT SERVER_MEMBER_ID MODE [AUTHOR_PROFILE]
 *
 * MODE is one of:
 *	wrongkey   a handshake under a random network key
 *	replay     a full handshake, recorded; then its client bytes replayed
 *	           on a second connection
 *	tamper     HELLO, HAVE, then the member's next note entry with one
 *	           byte of its signature flipped
 *	epoch      the member's next note entry under an epoch far beyond any
 *	           the group has (sealed with a random key)
 *	lamport    the member's next note entry, valid but for its lamport
 *	           clock: ENTRY_MAX_COUNTER, which would leave no member a
 *	           lamport to write with
 *	fork       another first entry of the member's log (a note), signed
 *	           by the member: their log forks
 *	relay      the next note entry of AUTHOR_PROFILE's member (e.g. one
 *	           revoked, whose next entry lies beyond its cut), relayed
 *	poison     the member's next note entry under the current epoch but
 *	           sealed with a random key: it does not open for those who
 *	           hold the epoch's key (and is stored by those who do not)
 *	takeover   the member's next note entry, a first version of the note
 *	           id given as hex in place of AUTHOR_PROFILE (another
 *	           member's note)
 *	strip      the newest entry of the member named by id in place of
 *	           AUTHOR_PROFILE, as this member's store holds it, relayed
 *	           without its body (issue 12, "Stripped bodies")
 *	huge       a frame length prefix of 0xffffffff
 *	overmax    a length prefix one above the largest frame
 *	truncated  half a frame, then our side is shut
 *	garbage    a well-formed frame carrying random bytes (not msgpack)
 *	badmsg     a well-formed frame carrying msgpack that is no message
 *	stopread   HELLO and an empty HAVE with a tiny receive buffer, then
 *	           never reads again; prints "holding" and sleeps until killed
 *	           (at most 120 s)
 *	flood      FLOOD_ENTRIES announces of the member, each of
 *	           FLOOD_ADDRS junk addresses on 127.0.0.10 (that sort before
 *	           127.0.0.1:PORT and lead nowhere): 64 in all, as many as
 *	           a group used to dial (issue 12, docs/threat-model.md
 *	           "Address flooding"); FLOOD_ADDR in the environment
 *	           ("A B", each at most 31 bytes) are the first addresses
 *	           of each
 *	notes      N (in place of AUTHOR_PROFILE) of the member's next notes
 *	           in ENTRIES messages as full as they go, each sent once the
 *	           last was acked (and the daemon's data acknowledged);
 *	           prints "flooded N in M messages, slowest S ms" (a round
 *	           trip: the daemon's batch time and the rest)
 *	offer      a PUNCH OFFER, as from a relay: the member named by id in
 *	           place of AUTHOR_PROFILE asks to punch at 127.0.0.1:9;
 *	           prints "sent"
 *	silent     HELLO and an empty HAVE, then reads everything and sends
 *	           nothing; prints "holding", then, once the daemon ends the
 *	           session (at most 120 s), "closed after N s (BYE ...), M
 *	           HAVE": the seconds since our HAVE and the HAVEs received
 *	           after the first
 *	old        an older member's software: its HELLO announces no
 *	           capabilities (docs/protocol.md "Capabilities"); then like
 *	           silent for S seconds (in place of AUTHOR_PROFILE, default
 *	           3), or, S a path (/...), until that file exists (at most
 *	           60 s: "held until FILE, P PUNCH"); prints "held S s, P
 *	           PUNCH" (P: PUNCH messages
 *	           received, which such software could not take) or "closed
 *	           after N s (BYE ...), P PUNCH"
 *	oldpunch   a HELLO without capabilities, then a PUNCH ASK anyway (for
 *	           the member named by id in place of AUTHOR_PROFILE)
 *
 * Only offer's HELLO announces capabilities (every one this version
 * knows: it sends a PUNCH); the others need none, and so still talk to
 * daemon builds from before capabilities (HOSTILE= in hostile-member.sh).
 *
 * Prints one line: "acked", "closed" (with the BYE reason, if any) or
 * "closed after N bytes" (what the daemon sent after the handshake, or for
 * wrongkey and replay, after our last handshake message).  Exit status 0
 * for any such answer, 1 when the session could not be made, 2 on bad
 * usage, 3 when the daemon kept the connection open for 25 s.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sodium.h>
#include <sqlite3.h>

#include "entry.h"
#include "frame.h"
#include "identity.h"
#include "note.h"
#include "shs.h"
#include "peer-client.h"
#include "wire.h"

#define HOLD_S 120
#define FLOOD_ENTRIES 8
#define FLOOD_ADDRS 8

/* What the forged entry needs from the member's store. */
struct view {
	uint8_t gid[BAL_GROUP_ID_BYTES];
	uint8_t key[BAL_KEY_BYTES];	/* the newest epoch key it holds */
	uint64_t epoch;			/* that key's epoch */
	struct entry *head;		/* the member's last entry, or NULL */
	uint64_t lamport;		/* the group's highest */
};

static int
load_view(const char *dir, const struct identity *me, struct view *v)
{
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ret = -1, found = 0;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT gid FROM groups LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_bytes(st, 0) != BAL_GROUP_ID_BYTES)
		goto out;
	memcpy(v->gid, sqlite3_column_blob(st, 0), BAL_GROUP_ID_BYTES);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT epoch, sealed FROM keys WHERE "
	    "gid = ? ORDER BY epoch DESC", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 1, v->gid, BAL_GROUP_ID_BYTES,
	    SQLITE_STATIC) != SQLITE_OK)
		goto out;
	while (!found && sqlite3_step(st) == SQLITE_ROW) {
		v->epoch = (uint64_t)sqlite3_column_int64(st, 0);
		found = unseal_key(me, v->gid, v->epoch,
		    sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), v->key) == 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!found)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT max(lamport) FROM entries WHERE "
	    "gid = ?", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 1, v->gid, BAL_GROUP_ID_BYTES,
	    SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	v->lamport = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT blob FROM entries WHERE gid = ? "
	    "AND author = ? ORDER BY seq DESC LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK ||
	    sqlite3_bind_blob(st, 1, v->gid, BAL_GROUP_ID_BYTES,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 2, me->pk, BAL_PK_BYTES, SQLITE_STATIC) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW && entry_decode(
	    sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
	    &v->head) != 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/*
 * Reads and decodes everything until the daemon closes (at most limit
 * seconds): 0 and the HAVEs, the PUNCHes, the seconds and the BYE, or 3
 * when it stays open.
 */
static int
silent(int fd, struct frame_rx *rx, double limit, unsigned *haves,
    unsigned *punches, double *secs, char *bye, size_t byelen)
{
	struct wire_msg *m = NULL;
	struct timespec t0, t1;
	struct pollfd pfd;
	uint8_t buf[4096], *msg = NULL;
	size_t have, off, n, mlen;
	ssize_t r;
	int rc, ret = 3;

	*haves = *punches = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		*secs = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (*secs > limit)
			break;
		if ((rc = poll(&pfd, 1, 100)) < 0 && errno != EINTR)
			return 0;
		if (rc <= 0)
			continue;
		if ((r = recv(fd, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = 0;
			break;
		}
		for (have = (size_t)r, off = 0; off < have; off += n) {
			if ((n = frame_rx_room(rx)) > have - off)
				n = have - off;
			if (n == 0 || frame_rx_feed(rx, buf + off, n) != 0)
				return 0;
			while (frame_rx_next(rx, &msg, &mlen) == 0) {
				rc = wire_decode(msg, mlen, &m);
				frame_msg_free(msg);
				if (rc == 0 && m->type == WIRE_HAVE)
					(*haves)++;
				if (rc == 0 && m->type == WIRE_PUNCH)
					(*punches)++;
				if (rc == 0 && m->type == WIRE_BYE)
					snprintf(bye, byelen, " (BYE %s: %s)",
					    wire_bye_reason_name(
					    m->bye.reason), m->bye.text);
				wire_msg_free(m);
				m = NULL;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return ret;
}

/* Sends PUNCH op naming member id (text) with host and port 9. */
static int
send_punch(int fd, struct frame_tx *tx, int op, const char *host,
    const char *id)
{
	struct wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUNCH;
	m.punch.op = (uint8_t)op;
	m.punch.host = host;
	m.punch.port = 9;
	if (id == NULL || identity_id_decode(id, m.punch.member) != 0)
		return -1;
	return send_msg(fd, tx, &m);
}

/* The handshake's client side, as recorded for a replay. */
/* Runs a client handshake on fd; records its steps when rec != NULL. */
static int
handshake(int fd, const uint8_t *netkey, const struct identity *me,
    const uint8_t *server, struct record *rec, struct shs **out)
{
	struct shs *s = NULL;
	int rc, err = 0;

	if (shs_client_new(netkey, me, server, NULL, &s) != 0)
		return -1;
	if ((rc = client_handshake(fd, s, rec, &err)) != 0) {
		if (rc < 0)
			fprintf(stderr, "hostile-peer: handshake failed: %s\n",
			    bal_strerror(err));
		shs_free(s);
		return rc < 0 ? -1 : 1;	/* 1: the daemon hung up */
	}
	*out = s;
	return 0;
}

/* Counts what the daemon sends until it closes: 0 closed, 3 still open. */
static int
until_closed(int fd, size_t *got)
{
	struct pollfd pfd;
	uint8_t buf[4096];
	ssize_t r;
	int rc, waited = 0;

	*got = 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (waited < WAIT_MS) {
		if ((rc = poll(&pfd, 1, 100)) < 0 && errno != EINTR)
			return 0;
		if (rc <= 0) {
			waited += 100;
			continue;
		}
		if ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
			*got += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return 0;
	}
	return 3;
}

/* Sends a client hello under netkey; counts the answer until the close. */
static int
wrong_key(int fd, const uint8_t *netkey, const struct identity *me,
    const uint8_t *server, size_t *got)
{
	struct shs *s = NULL;
	uint8_t msg[SHS_MSG_MAX];
	size_t outlen = sizeof(msg);
	int ret = -1;

	if (shs_client_new(netkey, me, server, NULL, &s) != 0 ||
	    shs_expect(s) != 0 || shs_step(s, NULL, 0, msg, &outlen) != 0 ||
	    write_full(fd, msg, outlen) != 0)
		goto out;
	ret = until_closed(fd, got);
out:
	shs_free(s);
	return ret;
}

/*
 * The next note entry of the member of v, sealed under (epoch, key), with
 * the given lamport or (0) the one entry_header_next gives, a first version
 * of note id (NULL: a fresh one of the author's).
 */
static int
next_note(const struct identity *author, const struct view *v,
    uint64_t epoch, const uint8_t *key, uint64_t lamport,
    const uint8_t *note_id, uint8_t **blob, size_t *len)
{
	struct entry_header h;
	struct entry *e = NULL;
	struct note n;
	uint8_t *plain = NULL;
	size_t plen = 0;
	int ret = -1;

	memset(&n, 0, sizeof(n));
	if (note_id != NULL)
		memcpy(n.id, note_id, NOTE_ID_BYTES);
	else
		note_id_generate(NULL, author->pk, n.id);
	n.kind = NOTE_KIND_OTHER;
	n.case_ref = (char *)"";
	n.title = (char *)"hostile";
	n.body = (char *)"written by hostile-peer";
	if (note_encode(&n, &plain, &plen) != 0 ||
	    entry_header_next(&h, v->gid, author->pk, v->head,
	    v->lamport) != 0)
		goto out;
	h.kind = ENTRY_KIND_NOTE;
	h.epoch = epoch;
	h.time = (uint64_t)time(NULL) * 1000;
	if (lamport != 0)
		h.lamport = lamport;
	if (entry_seal(&h, author, key, plain, plen, NULL, &e) != 0 ||
	    entry_encode(e, blob, len) != 0)
		goto out;
	ret = 0;
out:
	if (plain != NULL)
		note_buf_free(plain, plen);
	entry_free(e);
	return ret;
}

/*
 * The newest entry of author (a member id) in the store of dir, encoded
 * without its body: what a stripping relay sends.
 */
static int
stripped_of(const char *dir, const struct view *v, const char *author,
    uint8_t **blob, size_t *len)
{
	char path[4096];
	uint8_t pk[BAL_PK_BYTES];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct entry *e = NULL;
	int ret = -1;

	if (author == NULL || identity_id_decode(author, pk) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT blob FROM entries WHERE gid = ? "
	    "AND author = ? ORDER BY seq DESC LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK ||
	    sqlite3_bind_blob(st, 1, v->gid, BAL_GROUP_ID_BYTES,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 2, pk, BAL_PK_BYTES, SQLITE_STATIC) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
	    entry_decode(sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), &e) != 0)
		goto out;
	entry_erase(e);
	ret = entry_encode(e, blob, len) == 0 ? 0 : -1;
out:
	entry_free(e);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/*
 * The entry a push mode sends (tamper, epoch, lamport, fork, relay,
 * poison, takeover), encoded.
 */
static int
push_blob(const char *mode, const char *author_dir,
    const struct identity *me, const struct view *v, uint8_t **blob,
    size_t *len)
{
	struct identity *other = NULL;
	struct view ov;
	uint8_t key[BAL_KEY_BYTES];
	int ret = -1;

	memset(&ov, 0, sizeof(ov));
	if (strcmp(mode, "tamper") == 0) {
		if (next_note(me, v, v->epoch, v->key, 0, NULL, blob, len) != 0)
			goto out;
		(*blob)[*len - 10] ^= 0x01;	/* inside the signature */
	} else if (strcmp(mode, "epoch") == 0) {
		randombytes_buf(key, sizeof(key));
		if (next_note(me, v, v->epoch + 1000, key, 0, NULL, blob,
		    len) != 0)
			goto out;
	} else if (strcmp(mode, "fork") == 0) {
		ov = *v;
		ov.head = NULL;		/* a view, not an owner: not freed */
		if (next_note(me, &ov, v->epoch, v->key, 0, NULL, blob,
		    len) != 0)
			goto out;
	} else if (strcmp(mode, "lamport") == 0) {
		if (next_note(me, v, v->epoch, v->key, ENTRY_MAX_COUNTER,
		    NULL, blob, len) != 0)
			goto out;
	} else if (strcmp(mode, "poison") == 0) {
		/* The current epoch, a key nobody holds: it does not open. */
		randombytes_buf(key, sizeof(key));
		if (next_note(me, v, v->epoch, key, 0, NULL, blob, len) != 0)
			goto out;
	} else if (strcmp(mode, "takeover") == 0) {
		uint8_t id[NOTE_ID_BYTES];

		if (author_dir == NULL || note_id_from_hex(author_dir, id) != 0)
			goto out;
		if (next_note(me, v, v->epoch, v->key, 0, id, blob, len) != 0)
			goto out;
	} else if (strcmp(mode, "relay") == 0) {
		if (author_dir == NULL || unlock(author_dir, &other) != 0 ||
		    load_view(author_dir, other, &ov) != 0)
			goto out;
		if (ov.lamport < v->lamport)
			ov.lamport = v->lamport;
		if (next_note(other, &ov, ov.epoch, ov.key, 0, NULL, blob,
		    len) != 0)
			goto out;
	} else
		goto out;
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(ov.key, sizeof(ov.key));
	entry_free(ov.head);
	identity_free(other);
	return ret;
}

/*
 * The member's next n announces (kind 3, body [1, [addr...]]), each of
 * FLOOD_ADDRS junk addresses "127.0.0.10:P", P = 1, 2, ... (the first
 * ones FLOOD_ADDR's space-separated addresses when set: another member's
 * address, say); blobs[i] malloc'd.
 */
static int
flood_blobs(const struct identity *me, const struct view *v, size_t n,
    uint8_t **blobs, size_t *lens)
{
	struct entry_header h;
	struct entry *prev = NULL, *e = NULL;
	uint8_t body[512];
	size_t i, k, len;
	unsigned port = 1;
	int alen, ret = -1;
	const char *first;

	for (i = 0; i < n; i++) {
		first = getenv("FLOOD_ADDR");
		len = 0;
		body[len++] = 0x92;		/* [1, [FLOOD_ADDRS strs]] */
		body[len++] = 0x01;
		body[len++] = 0x90 | FLOOD_ADDRS;
		for (k = 0; k < FLOOD_ADDRS; k++) {
			if (first != NULL && *first != '\0') {
				size_t fl = strcspn(first, " ");

				alen = fl < 32 ? (int)fl : 32;
				memcpy(body + len + 1, first, (size_t)alen);
				first += fl + (first[fl] == ' ');
			} else
				alen = snprintf((char *)body + len + 1, 32,
				    "127.0.0.10:%u", port++);
			if (alen < 0 || alen > 31)
				goto out;
			body[len] = (uint8_t)(0xa0 | alen);
			len += 1 + (size_t)alen;
		}
		if (entry_header_next(&h, v->gid, me->pk, prev != NULL ? prev :
		    v->head, v->lamport) != 0)
			goto out;
		h.kind = ENTRY_KIND_ANNOUNCE;
		h.epoch = 0;
		h.time = (uint64_t)time(NULL) * 1000;
		if (entry_seal(&h, me, NULL, body, len, NULL, &e) != 0 ||
		    entry_encode(e, &blobs[i], &lens[i]) != 0)
			goto out;
		entry_free(prev);
		prev = e;
		e = NULL;
	}
	ret = 0;
out:
	entry_free(prev);
	entry_free(e);
	return ret;
}

/* A frame-level attack after HELLO and HAVE; -1 for an unknown mode. */
static int
frame_attack(int fd, struct frame_tx *tx, const char *mode)
{
	static const uint8_t badmsg[] = { 0x93, 0x7f, 0xc0, 0xa1, 'x' };
	uint8_t buf[256], pre[4], *fr = NULL;
	size_t frlen = 0;
	uint32_t n;
	int rc;

	randombytes_buf(buf, sizeof(buf));
	if (strcmp(mode, "huge") == 0 || strcmp(mode, "overmax") == 0) {
		n = strcmp(mode, "huge") == 0 ? 0xffffffffu :
		    (uint32_t)(FRAME_ABYTES + FRAME_MAX_PLAIN + 1);
		pre[0] = (uint8_t)(n >> 24);
		pre[1] = (uint8_t)(n >> 16);
		pre[2] = (uint8_t)(n >> 8);
		pre[3] = (uint8_t)n;
		return write_full(fd, pre, 4) || write_full(fd, buf, 64);
	}
	if (strcmp(mode, "truncated") == 0) {
		if (frame_push(tx, buf, 200, &fr, &frlen) != 0)
			return -1;
		rc = write_full(fd, fr, frlen / 2);
		free(fr);
		shutdown(fd, SHUT_WR);
		return rc;
	}
	if (strcmp(mode, "garbage") == 0)
		rc = frame_push(tx, buf, 100, &fr, &frlen);
	else if (strcmp(mode, "badmsg") == 0)
		rc = frame_push(tx, badmsg, sizeof(badmsg), &fr, &frlen);
	else
		return -1;
	if (rc != 0)
		return -1;
	rc = write_full(fd, fr, frlen);
	free(fr);
	return rc;
}

/* Replays rec's client bytes on a new connection: 0 and *got, or -1. */
static int
replay(const char *hostport, const struct record *rec, size_t *got)
{
	uint8_t in[SHS_MSG_MAX];
	size_t i, last;
	int fd, ret = -1;

	*got = 0;
	/* Up to our last message: what follows it is counted, not read. */
	for (last = rec->n; last > 0 && rec->outlen[last - 1] == 0; last--)
		;
	if ((fd = dial(hostport, 0)) < 0)
		return -1;
	for (i = 0; i < last; i++) {
		if (rec->need[i] > 0 && read_full(fd, in, rec->need[i]) != 0)
			break;	/* the daemon hung up: the replay failed */
		if (rec->outlen[i] > 0 &&
		    write_full(fd, rec->out[i], rec->outlen[i]) != 0)
			break;
	}
	if (until_closed(fd, got) == 0)
		ret = 0;
	close(fd);
	return ret;
}

/* Mode notes: n of the member's next notes; see the file comment. */
static int
flood_notes(int fd, struct frame_tx *tx, struct frame_rx *rx,
    const struct identity *me, struct view *v, unsigned long n)
{
	static struct wire_bytes items[WIRE_MAX_ENTRIES];
	struct wire_msg m;
	struct timespec t0, t1;
	uint8_t *blob = NULL;
	size_t len = 0, k = 0, size = WIRE_ENTRIES_OVERHEAD, i;
	unsigned long made = 0, msgs = 0;
	double ms, worst = 0;
	char bye[300] = "";
	int ret = 1;

	while (made < n || k > 0 || blob != NULL) {
		if (made < n && blob == NULL) {
			if (next_note(me, v, v->epoch, v->key, 0, NULL, &blob,
			    &len) != 0)
				goto out;
			entry_free(v->head);
			if (entry_decode_stored(blob, len, &v->head) != 0)
				goto out;
			v->lamport = v->head->h.lamport;
			made++;
		}
		if (blob != NULL && k < WIRE_MAX_ENTRIES &&
		    size + wire_entry_cost(len) <= WIRE_MAX_MSG) {
			size += wire_entry_cost(len);
			items[k].p = blob;
			items[k++].len = len;
			blob = NULL;
			continue;
		}
		memset(&m, 0, sizeof(m));
		m.type = WIRE_ENTRIES;
		m.entries.items = items;
		m.entries.n = k;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (send_msg(fd, tx, &m) != 0 ||
		    await(fd, rx, ++msgs, bye, sizeof(bye)) != 0) {
			printf("closed after %lu messages%s\n", msgs, bye);
			ret = 0;
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1e3 +
		    (t1.tv_nsec - t0.tv_nsec) / 1e6;
		worst = ms > worst ? ms : worst;
		for (i = 0; i < k; i++)
			free((void *)items[i].p);
		k = 0;
		size = WIRE_ENTRIES_OVERHEAD;
		m.type = WIRE_ACK;	/* what the daemon sent us, as a peer */
		if ((m.ack.stored = peer_client_data_in) > 0 &&
		    send_msg(fd, tx, &m) != 0)
			goto out;
	}
	printf("flooded %lu in %lu messages, slowest %.0f ms\n", made, msgs,
	    worst);
	ret = 0;
out:
	for (i = 0; i < k; i++)
		free((void *)items[i].p);
	free(blob);
	return ret;
}

int
main(int argc, char **argv)
{
	struct identity *me = NULL;
	struct shs *s = NULL;
	struct frame_tx *tx = NULL;
	struct frame_rx *rx = NULL;
	struct view v;
	struct wire_msg m;
	struct record rec;
	uint8_t netkey[BAL_KEY_BYTES], header[FRAME_HEADER_BYTES];
	uint8_t server[BAL_PK_BYTES];
	uint8_t *blob = NULL;
	const char *mode;
	size_t bloblen = 0, got = 0;
	char bye[300] = "";
	int fd = -1, ret = 2, rc, i;

	memset(&v, 0, sizeof(v));
	memset(&rec, 0, sizeof(rec));
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: hostile-peer PROFILE HOST:PORT "
		    "SERVER_MEMBER_ID MODE [AUTHOR_PROFILE]\n");
		return 2;
	}
	mode = argv[4];
	if (sodium_init() < 0)
		return 1;
	if (identity_id_decode(argv[3], server) != 0) {
		fprintf(stderr, "hostile-peer: not a member id: %s\n", argv[3]);
		goto out;
	}
	ret = 1;
	if (unlock(argv[1], &me) != 0 || load_view(argv[1], me, &v) != 0) {
		fprintf(stderr, "hostile-peer: cannot read the profile %s\n",
		    argv[1]);
		goto out;
	}
	if (strcmp(mode, "tamper") == 0 || strcmp(mode, "epoch") == 0 ||
	    strcmp(mode, "lamport") == 0 || strcmp(mode, "fork") == 0 ||
	    strcmp(mode, "relay") == 0 || strcmp(mode, "poison") == 0 ||
	    strcmp(mode, "takeover") == 0 || strcmp(mode, "strip") == 0) {
		if ((strcmp(mode, "strip") == 0 ? stripped_of(argv[1], &v,
		    argc == 6 ? argv[5] : NULL, &blob, &bloblen) :
		    push_blob(mode, argc == 6 ? argv[5] : NULL, me, &v, &blob,
		    &bloblen)) != 0) {
			fprintf(stderr, "hostile-peer: cannot make '%s'\n",
			    mode);
			ret = 2;
			goto out;
		}
	}
	if (strcmp(mode, "wrongkey") == 0)
		randombytes_buf(netkey, sizeof(netkey));
	else if (shs_network_key(v.key, v.gid, netkey) != 0)
		goto out;
	if ((fd = dial(argv[2], strcmp(mode, "stopread") == 0 ? 4096 : 0))
	    < 0) {
		fprintf(stderr, "hostile-peer: cannot connect to %s: %s\n",
		    argv[2], strerror(errno));
		goto out;
	}
	if (strcmp(mode, "wrongkey") == 0) {
		/* Our hello goes out; the daemon must close, sending nothing. */
		if ((rc = wrong_key(fd, netkey, me, server, &got)) == 0)
			printf("closed after %zu bytes\n", got);
		else if (rc == 3)
			printf("still open after %d s\n", WAIT_MS / 1000);
		ret = rc == 0 ? 0 : rc == 3 ? 3 : 1;
		goto out;
	}
	rc = handshake(fd, netkey, me, server,
	    strcmp(mode, "replay") == 0 ? &rec : NULL, &s);
	if (rc != 0) {
		fprintf(stderr, "hostile-peer: no session with %s\n", argv[2]);
		goto out;
	}
	if (strcmp(mode, "replay") == 0) {
		close(fd);
		fd = -1;
		if (replay(argv[2], &rec, &got) != 0) {
			printf("still open after %d s\n", WAIT_MS / 1000);
			ret = 3;
			goto out;
		}
		printf("closed after %zu bytes\n", got);
		ret = 0;
		goto out;
	}
	if (frame_tx_new(shs_result(s)->c2s_key, header, &tx) != 0 ||
	    frame_rx_new(shs_result(s)->s2c_key, &rx) != 0 ||
	    write_full(fd, header, sizeof(header)) != 0)
		goto out;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	memcpy(m.hello.group_id, v.gid, BAL_GROUP_ID_BYTES);
	m.hello.software = "hostile-peer/1";
	/* What a PUNCH needs; old and oldpunch play older software. */
	if (strcmp(mode, "offer") == 0)
		m.hello.caps = WIRE_CAPS_KNOWN;
	if (send_msg(fd, tx, &m) != 0)
		goto out;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HAVE;
	if (send_msg(fd, tx, &m) != 0)
		goto out;
	if (strcmp(mode, "old") == 0) {
		unsigned haves, punches;
		double secs, limit = argc == 6 ? strtod(argv[5], NULL) : 3;

		/* Until a file exists: the test's condition, not a time. */
		if (argc == 6 && argv[5][0] == '/') {
			unsigned all = 0, tries;

			for (tries = 0; tries < 300 && access(argv[5], F_OK) != 0;
			    tries++, all += punches)
				if (silent(fd, rx, 0.2, &haves, &punches,
				    &secs, bye, sizeof(bye)) == 0) {
					printf("closed%s, %u PUNCH\n", bye,
					    all + punches);
					ret = 0;
					goto out;
				}
			printf(tries < 300 ? "held until %s, %u PUNCH\n" :
			    "file %s never came, %u PUNCH\n", argv[5], all);
			ret = 0;
			goto out;
		}
		if (silent(fd, rx, limit, &haves, &punches, &secs, bye,
		    sizeof(bye)) != 0)
			printf("held %.0f s, %u PUNCH\n", limit, punches);
		else
			printf("closed after %.1f s%s, %u PUNCH\n", secs, bye,
			    punches);
		ret = 0;
		goto out;
	}
	if (strcmp(mode, "oldpunch") == 0) {
		if (send_punch(fd, tx, WIRE_PUNCH_ASK, "",
		    argc == 6 ? argv[5] : NULL) != 0) {
			fprintf(stderr, "hostile-peer: no ASK sent\n");
			ret = 2;
			goto out;
		}
		rc = await(fd, rx, 1, bye, sizeof(bye));
		printf(rc == 1 ? "closed%s\n" : "no answer\n", bye);
		ret = rc == 1 ? 0 : 3;
		goto out;
	}
	if (strcmp(mode, "silent") == 0) {
		unsigned haves, punches;
		double secs;

		printf("holding\n");
		fflush(stdout);
		if (silent(fd, rx, HOLD_S, &haves, &punches, &secs, bye,
		    sizeof(bye)) != 0) {
			printf("still open after %d s\n", HOLD_S);
			ret = 3;
			goto out;
		}
		printf("closed after %.1f s%s, %u HAVE\n", secs, bye,
		    haves > 0 ? haves - 1 : 0);
		ret = 0;
		goto out;
	}
	if (strcmp(mode, "notes") == 0) {
		ret = argc == 6 ? flood_notes(fd, tx, rx, me, &v,
		    strtoul(argv[5], NULL, 10)) : 2;
		goto out;
	}
	if (strcmp(mode, "stopread") == 0) {
		printf("holding\n");
		fflush(stdout);
		for (i = 0; i < HOLD_S; i++)
			sleep(1);
		ret = 0;
		goto out;
	}
	if (strcmp(mode, "offer") == 0) {
		/* As a relay: the member named in place of AUTHOR_PROFILE
		 * asks to punch, at 127.0.0.1:9 or OFFER_HOST:9 (punch.c
		 * refuses both: loopback, this machine's own address). */
		if (send_punch(fd, tx, WIRE_PUNCH_OFFER,
		    getenv("OFFER_HOST") != NULL ? getenv("OFFER_HOST") :
		    "127.0.0.1", argc == 6 ? argv[5] : NULL) != 0) {
			fprintf(stderr, "hostile-peer: no OFFER sent\n");
			ret = 2;
			goto out;
		}
		sleep(1);	/* read before our side closes */
		printf("sent\n");
		ret = 0;
		goto out;
	}
	if (strcmp(mode, "flood") == 0) {
		uint8_t *fb[FLOOD_ENTRIES] = { NULL };
		size_t fl[FLOOD_ENTRIES], k;

		rc = flood_blobs(me, &v, FLOOD_ENTRIES, fb, fl);
		for (k = 0; k < FLOOD_ENTRIES && rc == 0; k++) {
			memset(&m, 0, sizeof(m));
			m.type = WIRE_PUSH;
			m.push.p = fb[k];
			m.push.len = fl[k];
			rc = send_msg(fd, tx, &m);
		}
		for (k = 0; k < FLOOD_ENTRIES; k++)
			free(fb[k]);
		if (rc != 0) {
			fprintf(stderr, "hostile-peer: cannot send the flood\n");
			goto out;
		}
		rc = await(fd, rx, FLOOD_ENTRIES, bye, sizeof(bye));
		printf(rc == 0 ? "acked\n" : rc == 1 ? "closed%s\n" :
		    "no answer\n", bye);
		ret = rc == 0 || rc == 1 ? 0 : 3;
		goto out;
	}
	if (blob == NULL) {
		if (frame_attack(fd, tx, mode) != 0) {
			fprintf(stderr, "hostile-peer: mode '%s' failed "
			    "(unknown mode, or the daemon hung up early)\n",
			    mode);
			ret = 2;
			goto out;
		}
		if (until_closed(fd, &got) != 0) {
			printf("still open after %d s\n", WAIT_MS / 1000);
			ret = 3;
			goto out;
		}
		printf("closed after %zu bytes\n", got);
		ret = 0;
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.type = WIRE_PUSH;
	m.push.p = blob;
	m.push.len = bloblen;
	if (send_msg(fd, tx, &m) != 0)
		goto out;
	switch (await(fd, rx, 1, bye, sizeof(bye))) {
	case 0:
		printf("acked\n");
		ret = 0;
		break;
	case 1:
		printf("closed%s\n", bye);
		ret = 0;
		break;
	default:
		printf("no answer after %d s\n", WAIT_MS / 1000);
		ret = 3;
	}
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(netkey, sizeof(netkey));
	sodium_memzero(v.key, sizeof(v.key));
	entry_free(v.head);
	free(blob);
	frame_tx_free(tx);
	frame_rx_free(rx);
	shs_free(s);
	identity_free(me);
	return ret;
}
