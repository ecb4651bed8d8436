/*
 * forge-peer.c — a member whose software went bad, for
 * tests/integration/two-leaders.sh: it takes a member's profile (its key,
 * unlocked with $BALINT_PASSPHRASE_FILE, and its store, read only, while
 * that member's daemon is stopped), opens a real session to another
 * member's balintd under the group's network key, says HELLO and HAVE like
 * balintd and pushes one forged roster entry.  Then it waits for the
 * daemon's answer: an ACK of the push (the entry was taken) or the end of
 * the session (it was refused).
 *
 *	forge-peer PROFILE HOST:PORT SERVER_MEMBER_ID MODE
 *
 * MODE is one of:
 *	bad-accept    the member's next entry: an ADD of a stranger whose
 *	              acceptance of the contract is a random signature
 *	wrong-create  the member's next entry: a CREATE carrying another
 *	              group's contract
 *	stranger      an ADD signed by a key that was never admitted,
 *	              relayed by the member
 *	non-leader    the member's next entry: an ADD of a stranger with a
 *	              valid acceptance, signed by a member who is no leader
 *	split-key     the member's next entry (a leader's): a ROTATE whose
 *	              envelope commits to one fresh key, sealed to the
 *	              member, and seals another fresh key to the server
 *	              member: a leader handing two members different keys
 *	              for one epoch (tests/integration/split-key.sh)
 *
 * Prints one line: "acked" or "closed" (with the BYE reason, if any).
 * Exit status 0 for either answer, 1 when the session could not be made,
 * 2 on bad usage, 3 when the daemon answered nothing for 25 s.
 *
 * The epoch key is unsealed as daemon/store/keyring.c does ("balint-keyring-v1",
 * context "balkeys1", XChaCha20-Poly1305 with purpose "epoch-key" and the
 * group id || epoch as associated data; docs/protocol.md).
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
#include <msgpack.h>

#include "contract.h"
#include "entry.h"
#include "epoch.h"
#include "frame.h"
#include "identity.h"
#include "roster.h"
#include "shs.h"
#include "peer-client.h"
#include "wire.h"


/* What the forged entry needs from the member's store. */
struct view {
	uint8_t gid[BAL_GROUP_ID_BYTES];
	uint8_t key[BAL_KEY_BYTES];	/* one epoch key the member holds */
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
	/* The newest key stored: an epoch every current member knows. */
	if (sqlite3_prepare_v2(db, "SELECT epoch, sealed FROM keys WHERE "
	    "gid = ? ORDER BY rowid DESC", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 1, v->gid, BAL_GROUP_ID_BYTES,
	    SQLITE_STATIC) != SQLITE_OK)
		goto out;
	while (!found && sqlite3_step(st) == SQLITE_ROW)
		found = unseal_key(me, v->gid,
		    (uint64_t)sqlite3_column_int64(st, 0),
		    sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), v->key) == 0;
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

/* An ADD of a fresh key (good: its real acceptance; else random). */
static int
stranger_add(const uint8_t *gid, int good, uint8_t **body, size_t *len)
{
	struct identity *x = NULL;
	uint8_t sig[BAL_SIG_BYTES];
	int ret = -1;

	if (identity_generate(NULL, &x) != 0)
		return -1;
	if (good) {
		if (contract_accept_sign(x, gid, "mallory", sig) != 0)
			goto out;
	} else
		randombytes_buf(sig, sizeof(sig));
	if (roster_encode_add(x->pk, "mallory", sig, NULL, NULL, 0, NULL, 0,
	    body, len) != 0)
		goto out;
	ret = 0;
out:
	identity_free(x);
	return ret;
}

/* A CREATE carrying the contract of another, new group. */
static int
other_create(const struct identity *me, uint8_t **body, size_t *len)
{
	static const char text[] = "Name: Another group\n\nNothing.\n";
	struct contract *c = NULL;
	uint8_t salt[CONTRACT_SALT_BYTES], gid[BAL_GROUP_ID_BYTES];
	uint8_t *cenc = NULL, *key = NULL;
	uint8_t *env = NULL;
	size_t clen = 0, envlen = 0;
	int ret = -1;

	randombytes_buf(salt, sizeof(salt));
	if (contract_parse(text, sizeof(text) - 1, me->pk,
	    (uint64_t)time(NULL) * 1000, salt, &c, NULL, 0) != 0 ||
	    contract_encode(c, &cenc, &clen) != 0 ||
	    contract_group_id(c, gid) != 0 ||
	    epoch_key_new(NULL, &key) != 0 ||
	    epoch_seal(key, 0, gid, (const uint8_t (*)[BAL_PK_BYTES])me->pk,
	    1, NULL, &env, &envlen) != 0 ||
	    roster_encode_create(cenc, clen, "mallory", env, envlen, body,
	    len) != 0)
		goto out;
	ret = 0;
out:
	contract_free(c);
	epoch_key_free(key);
	free(cenc);
	free(env);
	return ret;
}

/*
 * A ROTATE whose envelope commits to k1, sealed to me, and carries k2
 * sealed to server: each copy bound to the group and its recipient as an
 * honest leader's are, but two keys for one epoch.
 */
static int
split_rotate(const struct identity *me, const uint8_t *gid,
    const uint8_t *server, uint8_t **body, size_t *len)
{
	struct epoch_envelope *e1 = NULL, *e2 = NULL;
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t *k1 = NULL, *k2 = NULL, *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	int ret = -1;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if ((e1 = malloc(sizeof(*e1))) == NULL ||
	    (e2 = malloc(sizeof(*e2))) == NULL ||
	    epoch_key_new(NULL, &k1) != 0 || epoch_key_new(NULL, &k2) != 0 ||
	    epoch_seal(k1, 0, gid, (const uint8_t (*)[BAL_PK_BYTES])me->pk, 1,
	    NULL, &b1, &l1) != 0 ||
	    epoch_seal(k2, 0, gid, (const uint8_t (*)[BAL_PK_BYTES])server, 1,
	    NULL, &b2, &l2) != 0 ||
	    epoch_envelope_decode(b1, l1, e1) != 0 ||
	    epoch_envelope_decode(b2, l2, e2) != 0)
		goto out;
	/* [0, commitment of k1, [[me, k1 sealed], [server, k2 sealed]]] */
	if (msgpack_pack_array(&pk, 3) != 0 ||
	    msgpack_pack_uint64(&pk, 0) != 0 ||
	    msgpack_pack_bin(&pk, EPOCH_COMMIT_BYTES) != 0 ||
	    msgpack_pack_bin_body(&pk, e1->commit, EPOCH_COMMIT_BYTES) != 0 ||
	    msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_bin(&pk, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_bin_body(&pk, me->pk, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_bin(&pk, EPOCH_SEALED_BYTES) != 0 ||
	    msgpack_pack_bin_body(&pk, e1->r[0].sealed,
	    EPOCH_SEALED_BYTES) != 0 ||
	    msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_bin(&pk, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_bin_body(&pk, server, BAL_PK_BYTES) != 0 ||
	    msgpack_pack_bin(&pk, EPOCH_SEALED_BYTES) != 0 ||
	    msgpack_pack_bin_body(&pk, e2->r[0].sealed,
	    EPOCH_SEALED_BYTES) != 0)
		goto out;
	if (roster_encode_rotate((const uint8_t *)sbuf.data, sbuf.size, body,
	    len) != 0)
		goto out;
	ret = 0;
out:
	msgpack_sbuffer_destroy(&sbuf);
	epoch_key_free(k1);
	epoch_key_free(k2);
	free(b1);
	free(b2);
	free(e1);
	free(e2);
	return ret;
}

/* The forged entry of mode, encoded. */
static int
forge(const char *mode, const struct identity *me, const struct view *v,
    const uint8_t *server, uint8_t **blob, size_t *bloblen)
{
	struct identity *stranger = NULL;
	const struct identity *author = me;
	const struct entry *prev = v->head;
	struct entry_header h;
	struct entry *e = NULL;
	uint8_t *body = NULL;
	size_t len = 0;
	int ret = -1;

	if (strcmp(mode, "bad-accept") == 0)
		ret = stranger_add(v->gid, 0, &body, &len);
	else if (strcmp(mode, "non-leader") == 0)
		ret = stranger_add(v->gid, 1, &body, &len);
	else if (strcmp(mode, "wrong-create") == 0)
		ret = other_create(me, &body, &len);
	else if (strcmp(mode, "split-key") == 0)
		ret = split_rotate(me, v->gid, server, &body, &len);
	else if (strcmp(mode, "stranger") == 0) {
		if (identity_generate(NULL, &stranger) != 0)
			goto out;
		author = stranger;
		prev = NULL;
		ret = stranger_add(v->gid, 1, &body, &len);
	}
	if (ret != 0)
		goto out;
	ret = -1;
	if (entry_header_next(&h, v->gid, author->pk, prev, v->lamport) != 0)
		goto out;
	h.kind = ENTRY_KIND_ROSTER;
	h.time = (uint64_t)time(NULL) * 1000;
	if (entry_seal(&h, author, NULL, body, len, NULL, &e) != 0 ||
	    entry_encode(e, blob, bloblen) != 0)
		goto out;
	ret = 0;
out:
	entry_free(e);
	free(body);
	identity_free(stranger);
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
	uint8_t netkey[BAL_KEY_BYTES], header[FRAME_HEADER_BYTES];
	uint8_t server[BAL_PK_BYTES];
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	char bye[300] = "";
	int fd = -1, ret = 2, rc, err = 0;

	memset(&v, 0, sizeof(v));
	if (argc != 5) {
		fprintf(stderr, "usage: forge-peer PROFILE HOST:PORT "
		    "SERVER_MEMBER_ID MODE\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (identity_id_decode(argv[3], server) != 0) {
		fprintf(stderr, "forge-peer: not a member id: %s\n", argv[3]);
		goto out;
	}
	ret = 1;
	if (unlock(argv[1], &me) != 0 || load_view(argv[1], me, &v) != 0) {
		fprintf(stderr, "forge-peer: cannot read the profile %s\n",
		    argv[1]);
		goto out;
	}
	if (forge(argv[4], me, &v, server, &blob, &bloblen) != 0) {
		fprintf(stderr, "forge-peer: cannot forge '%s'\n", argv[4]);
		ret = 2;
		goto out;
	}
	if (shs_network_key(v.key, v.gid, netkey) != 0 ||
	    shs_client_new(netkey, me, server, NULL, &s) != 0)
		goto out;
	if ((fd = dial(argv[2], 0)) < 0) {
		fprintf(stderr, "forge-peer: cannot connect to %s: %s\n",
		    argv[2], strerror(errno));
		goto out;
	}
	if ((rc = client_handshake(fd, s, NULL, &err)) != 0) {
		if (rc == 1)
			fprintf(stderr, "forge-peer: the daemon hung up during "
			    "the handshake\n");
		else if (rc < 0)
			fprintf(stderr, "forge-peer: handshake failed: %s\n",
			    bal_strerror(err));
		goto out;
	}
	if (frame_tx_new(shs_result(s)->c2s_key, header, &tx) != 0 ||
	    frame_rx_new(shs_result(s)->s2c_key, &rx) != 0 ||
	    write_full(fd, header, sizeof(header)) != 0)
		goto out;
	/* HELLO, an empty HAVE, then the forged entry. */
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	memcpy(m.hello.group_id, v.gid, BAL_GROUP_ID_BYTES);
	m.hello.software = "forge-peer/1";
	if (send_msg(fd, tx, &m) != 0)
		goto out;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_HAVE;
	if (send_msg(fd, tx, &m) != 0)
		goto out;
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
