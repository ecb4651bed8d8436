/*
 * gen-corpus-roster.c — seeds of the roster harnesses (fold records and
 * operation bodies) and of the join messages and invite codes; see
 * gen-corpus.c.
 */
#include <string.h>
#include <sodium.h>

#include "fuzz.h"
#include "gen-corpus.h"
#include "contract.h"
#include "entry.h"
#include "epoch.h"
#include "invcode.h"
#include "joinmsg.h"
#include "roster.h"

/* The fold harness's people: author indexes of its records. */
enum { P_LEADER, P_COLEADER, P_MEMBER, P_OTHER };

/*
 * One record of the fold harness; id gets its entry id, computed as the
 * harness does (BLAKE2b of the author's key and the record's bytes).
 */
static void
fold_rec(struct buf *b, int author, unsigned seq, unsigned lamport,
    const uint8_t *body, size_t len, uint8_t id[BAL_HASH_BYTES])
{
	const struct identity *who = author == P_LEADER ? leader :
	    author == P_COLEADER ? coleader : author == P_MEMBER ? member :
	    other;
	crypto_generichash_state st;
	size_t start = b->n;

	put8(b, (unsigned)author);
	put8(b, seq);
	put16(b, lamport);
	put8(b, seq * 3);
	put16(b, (unsigned)len);
	put(b, body, len);
	crypto_generichash_init(&st, NULL, 0, BAL_HASH_BYTES);
	crypto_generichash_update(&st, who->pk, BAL_PK_BYTES);
	crypto_generichash_update(&st, b->p + start, b->n - start);
	crypto_generichash_final(&st, id, BAL_HASH_BYTES);
}

/* An ADD of who (named name) with an envelope to rcpt[0..n). */
static void
op_add(const struct identity *who, const char *name,
    const uint8_t *readmits, const struct identity *const *rcpt, size_t n,
    int with_history, uint8_t **op, size_t *oplen)
{
	uint8_t *env = NULL, *hist = NULL, sig[BAL_SIG_BYTES];
	size_t elen = 0, hlen = 0;

	CHECK(contract_accept_sign(who, group_id, name, sig) == 0);
	if (n > 0)
		env = envelope_make(0, rcpt, n, &elen);
	if (with_history)
		hist = history_make(who, &hlen);
	CHECK(roster_encode_add(who->pk, name, sig, readmits, env, elen,
	    hist, hlen, op, oplen) == 0);
	free(env);
	free(hist);
}

void
gen_roster(void)
{
	const struct identity *l[1] = { leader };
	const struct identity *lm[2] = { leader, member };
	const struct identity *lmo[3] = { leader, member, other };
	const struct identity *lc[2] = { leader, coleader };
	const struct identity *lcm[3] = { leader, coleader, member };
	struct contract *c1 = contract_make(0), *c2 = contract_make(1), *am;
	uint8_t *cenc, *aenc, *env, *op, h[BAL_HASH_BYTES], id[BAL_HASH_BYTES];
	uint8_t revoke_id[BAL_HASH_BYTES];
	size_t clen, alen, elen, oplen;
	struct buf f = { NULL, 0, 0 }, g = { NULL, 0, 0 };
	char *text, err[200];
	size_t tlen;

	CHECK(contract_encode(c1, &cenc, &clen) == 0);
	CHECK(contract_text(c1, leader->pk, &text, &tlen) == 0);
	CHECK(contract_amend(c1, text, tlen, leader->pk, FUZZ_TIME_MS + 5000,
	    &am, err, sizeof(err)) == 0);
	CHECK(contract_encode(am, &aenc, &alen) == 0);
	contract_hash_bytes(cenc, clen, h);
	seal_gid = h;
	free(text);

	/*
	 * One leader: create, add Anna, add Xaver (with a history), rotate,
	 * Anna leaves, Xaver is revoked, the contract is amended, and Anna
	 * writes a roster entry beyond her cut.
	 */
	put8(&f, 0);
	env = envelope_make(0, l, 1, &elen);
	CHECK(roster_encode_create(cenc, clen, "Lea Leader", env, elen, &op,
	    &oplen) == 0);
	emit("roster-op", "create", op, oplen);
	fold_rec(&f, P_LEADER, 1, 1, op, oplen, id);
	free(op);
	free(env);
	op_add(member, "Anna", NULL, lm, 2, 0, &op, &oplen);
	fold_rec(&f, P_LEADER, 2, 2, op, oplen, id);
	free(op);
	op_add(other, "Xaver", NULL, lmo, 3, 1, &op, &oplen);
	emit("roster-op", "add-envelope-history", op, oplen);
	fold_rec(&f, P_LEADER, 3, 3, op, oplen, id);
	free(op);
	env = envelope_make(0, lmo, 3, &elen);
	CHECK(roster_encode_rotate(env, elen, &op, &oplen) == 0);
	emit("roster-op", "rotate", op, oplen);
	fold_rec(&f, P_LEADER, 4, 4, op, oplen, id);
	free(op);
	free(env);
	CHECK(roster_encode_leave(1, &op, &oplen) == 0);
	emit("roster-op", "leave", op, oplen);
	fold_rec(&f, P_MEMBER, 1, 5, op, oplen, id);
	fold_rec(&f, P_MEMBER, 2, 9, op, oplen, id);	/* beyond the cut */
	free(op);
	env = envelope_make(0, l, 1, &elen);
	CHECK(roster_encode_revoke(other->pk, 0, env, elen, &op,
	    &oplen) == 0);
	emit("roster-op", "revoke", op, oplen);
	fold_rec(&f, P_LEADER, 5, 6, op, oplen, id);
	free(op);
	free(env);
	CHECK(roster_encode_amend(aenc, alen, h, &op, &oplen) == 0);
	emit("roster-op", "amend", op, oplen);
	fold_rec(&f, P_LEADER, 6, 7, op, oplen, id);
	free(op);
	emit_buf("roster-fold", "one-leader-history", &f);

	/*
	 * Two leaders: create, add the co-leader, who adds Anna, revokes her
	 * and readmits her, then rotates.
	 */
	free(cenc);
	CHECK(contract_encode(c2, &cenc, &clen) == 0);
	put8(&g, 1);
	env = envelope_make(0, l, 1, &elen);
	CHECK(roster_encode_create(cenc, clen, "Lea Leader", env, elen, &op,
	    &oplen) == 0);
	fold_rec(&g, P_LEADER, 1, 1, op, oplen, id);
	free(op);
	free(env);
	op_add(coleader, "Lutz", NULL, lc, 2, 0, &op, &oplen);
	fold_rec(&g, P_LEADER, 2, 2, op, oplen, id);
	free(op);
	op_add(member, "Anna", NULL, lcm, 3, 0, &op, &oplen);
	fold_rec(&g, P_COLEADER, 1, 3, op, oplen, id);
	free(op);
	env = envelope_make(0, lc, 2, &elen);
	CHECK(roster_encode_revoke(member->pk, 0, env, elen, &op,
	    &oplen) == 0);
	fold_rec(&g, P_COLEADER, 2, 4, op, oplen, revoke_id);
	free(op);
	free(env);
	op_add(member, "Anna", revoke_id, lcm, 3, 0, &op, &oplen);
	emit("roster-op", "add-readmits", op, oplen);
	fold_rec(&g, P_LEADER, 3, 5, op, oplen, id);
	free(op);
	env = envelope_make(0, lcm, 3, &elen);
	CHECK(roster_encode_rotate(env, elen, &op, &oplen) == 0);
	fold_rec(&g, P_COLEADER, 3, 6, op, oplen, id);
	free(op);
	free(env);
	emit_buf("roster-fold", "two-leaders-history", &g);

	free(cenc);
	free(aenc);
	contract_free(c1);
	contract_free(c2);
	contract_free(am);
}

/* ---- joining, invites, identities ---- */

void
gen_join(void)
{
	struct contract *c = contract_make(1);
	struct joinmsg m;
	struct invcode ic;
	uint8_t *p, *enc;
	size_t len, elen;
	char *text;

	CHECK(contract_encode(c, &enc, &elen) == 0);
	memset(&m, 0, sizeof(m));
	m.type = JOIN_HELLO;
	m.version = JOINMSG_VERSION;
	memcpy(m.group, group_id, sizeof(group_id));
	m.preview = 1;
	CHECK(joinmsg_encode(&m, &p, &len) == 0);
	emit_free("joinmsg", "hello", p, len);
	memset(&m, 0, sizeof(m));
	m.type = JOIN_CONTRACT;
	m.contract = enc;
	m.contract_len = elen;
	strcpy(m.name, "Anna M\xc3\xbcller");
	CHECK(joinmsg_encode(&m, &p, &len) == 0);
	emit_free("joinmsg", "contract", p, len);
	memset(&m, 0, sizeof(m));
	m.type = JOIN_ACCEPT;
	strcpy(m.name, "Anna M\xc3\xbcller");
	CHECK(contract_accept_sign(member, group_id, m.name, m.sig) == 0);
	CHECK(joinmsg_encode(&m, &p, &len) == 0);
	emit_free("joinmsg", "accept", p, len);
	memset(&m, 0, sizeof(m));
	m.type = JOIN_WELCOME;
	CHECK(joinmsg_encode(&m, &p, &len) == 0);
	emit_free("joinmsg", "welcome", p, len);
	memset(&m, 0, sizeof(m));
	m.type = JOIN_REFUSE;
	strcpy(m.text, "this invite was already used");
	CHECK(joinmsg_encode(&m, &p, &len) == 0);
	emit_free("joinmsg", "refuse", p, len);
	free(enc);
	contract_free(c);

	memset(&ic, 0, sizeof(ic));
	memcpy(ic.group, group_id, sizeof(group_id));
	memcpy(ic.inviter, leader->pk, BAL_PK_BYTES);
	strcpy(ic.addrs[0], "192.168.1.20:7000");
	strcpy(ic.addrs[1], "[fe80::1]:7000");
	ic.naddrs = 2;
	ic.expires_ms = FUZZ_TIME_MS + 86400000;
	memset(ic.secret, 0x53, sizeof(ic.secret));
	CHECK(invcode_encode(&ic, &text) == 0);
	emit("invcode", "two-addrs", text, strlen(text));
	free(text);
	strcpy(ic.name, "Anna M\xc3\xbcller");
	ic.naddrs = 1;
	CHECK(invcode_encode(&ic, &text) == 0);
	emit("invcode", "bound-name", text, strlen(text));
	free(text);
	invcode_wipe(&ic);
}
