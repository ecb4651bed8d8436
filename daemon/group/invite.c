/*
 * invite.c — one-time invites and joining (see invite.h and
 * docs/protocol.md §Invites and §Joining).
 *
 * The inviter keeps each invite in the store keyed by BLAKE2b-256 of its
 * secret, the secret (and the bound name) sealed with keyring_seal
 * (purpose "invite-secret", ad = group id || hash).  Its listener accepts
 * the invite's network key while the invite is open; invites used by this
 * process stay reachable (in memory) so that a reused code gets a clear
 * refusal instead of silence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "contract.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "invcode.h"
#include "invite.h"
#include "joinmsg.h"
#include "keyring.h"
#include "peer.h"
#include "roster.h"
#include "shs.h"
#include "store.h"

_Static_assert(INVCODE_MAX_ADDR == WIRE_MAX_ADDR, "an invite's addresses "
    "are announced and dialed as any other");

#define INVITE_PURPOSE "invite-secret"
#define INVITE_USED_MAX 64

struct join;

struct used {
	struct invite_open inv;
};

struct istate {
	struct join *joins;
	struct used used[INVITE_USED_MAX];
	size_t nused;
	size_t usednext;
};

enum join_state { J_DIAL, J_HELLO, J_ACCEPTED, J_MEMBER, J_DONE };

struct join {
	struct daemon *d;
	struct invcode ic;
	size_t addri;
	int preview;
	enum join_state state;
	uv_timer_t timer;
	uint64_t timeout_ms;
	struct net_conn *conn;
	struct group *g;
	join_done_cb done;
	void *ctx;
	struct join *next;
	/* The contract shown was an amendment: its hash, checked once joined. */
	int shown_amended;
	uint8_t shown[BAL_HASH_BYTES];
};

struct serve {
	struct daemon *d;
	struct invite_open inv;
	int used;			/* refuse with this text */
	char refuse[JOINMSG_TEXT_MAX + 1];
};

static struct istate *
istate(struct daemon *d, int create)
{
	void **slot = net_invite_state(d);

	if (slot == NULL)
		return NULL;
	if (*slot == NULL && create)
		*slot = calloc(1, sizeof(struct istate));
	return *slot;
}

static void
date_text(uint64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M UTC", &tm);
}

static void
invite_ad(const uint8_t *group, const uint8_t *hash, uint8_t ad[64])
{
	memcpy(ad, group, 32);
	memcpy(ad + 32, hash, 32);
}

/* ---- creating ---- */

int
invite_create(struct daemon *d, struct group *g, const char *name,
    uint64_t expires_s, char **code, char *err, size_t errlen)
{
	struct invcode *ic = NULL;
	uint8_t hash[BAL_HASH_BYTES], ad[64], *plain = NULL, *sealed = NULL;
	size_t nlen = name != NULL ? strlen(name) : 0, plen, slen;
	int ret = BAL_EPERM;

	*code = NULL;
	if (g->roster == NULL || !roster_is_leader(g->roster, d->id->pk)) {
		snprintf(err, errlen, "only a leader of %s can invite",
		    group_name(g));
		goto out;
	}
	if (g->own_fork != 0) {
		ret = BAL_ECHAIN;
		snprintf(err, errlen, "cannot invite: %s",
		    group_write_error(g, ret));
		goto out;
	}
	ret = BAL_ESTATE;
	if (d->listen[0] == '\0' || strrchr(d->listen, ':') == NULL) {
		snprintf(err, errlen, "this daemon does not listen for peers; "
		    "restart balintd with --listen HOST:PORT");
		goto out;
	}
	ret = BAL_EINVAL;
	if (nlen > INVCODE_NAME_MAX) {
		snprintf(err, errlen, "the name is too long (at most %d bytes)",
		    INVCODE_NAME_MAX);
		goto out;
	}
	if (expires_s == 0)
		expires_s = INVITE_DEFAULT_EXPIRY_S;
	ret = BAL_ENOMEM;
	if ((ic = sodium_malloc(sizeof(*ic))) == NULL)
		goto out;
	memset(ic, 0, sizeof(*ic));
	memcpy(ic->group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(ic->inviter, d->id->pk, BAL_PK_BYTES);
	ic->naddrs = net_reach_addrs(d->listen, ic->addrs, INVCODE_MAX_ADDRS);
	if (ic->naddrs == 0) {
		ret = BAL_ESTATE;
		snprintf(err, errlen, "this daemon's listen address '%s' "
		    "cannot go in an invite; restart balintd with --listen "
		    "HOST:PORT", d->listen);
		goto out;
	}
	ic->expires_ms = daemon_now_ms() + expires_s * 1000;
	randombytes_buf(ic->secret, sizeof(ic->secret));
	if (nlen > 0)
		memcpy(ic->name, name, nlen);
	crypto_generichash(hash, sizeof(hash), ic->secret, sizeof(ic->secret),
	    NULL, 0);
	plen = BAL_KEY_BYTES + nlen;
	slen = plen + KEYRING_OVERHEAD;
	if ((plain = sodium_malloc(plen)) == NULL ||
	    (sealed = malloc(slen)) == NULL)
		goto out;
	memcpy(plain, ic->secret, BAL_KEY_BYTES);
	if (nlen > 0)
		memcpy(plain + BAL_KEY_BYTES, name, nlen);
	invite_ad(g->id, hash, ad);
	if ((ret = keyring_seal(d->id, INVITE_PURPOSE, ad, sizeof(ad), plain,
	    plen, NULL, sealed, slen)) != 0)
		goto out;
	if ((ret = invcode_encode(ic, code)) != 0) {
		snprintf(err, errlen, "cannot make the invite (%s)",
		    bal_strerror(ret));
		goto out;
	}
	if ((ret = store_invite_put(d->store, g->id, hash, ic->expires_ms,
	    sealed, slen)) != 0) {
		snprintf(err, errlen, "cannot store the invite (%s)",
		    bal_strerror(ret));
		sodium_memzero(*code, strlen(*code));
		free(*code);
		*code = NULL;
		goto out;
	}
	/* The listener accepts its network key from now on. */
	net_keys_changed(d);
	daemon_log("invite made for group %s%s%s", group_name(g),
	    nlen ? ", bound to " : "", nlen ? name : "");
	ret = 0;
out:
	sodium_free(ic);
	sodium_free(plain);
	free(sealed);
	return ret;
}

/* ---- the listener's side ---- */

struct open_fill {
	struct daemon *d;
	struct invite_open *out;
	size_t max, n;
};

/* Opens one sealed invite into *inv (network key and bound name). */
static int
invite_unseal(struct daemon *d, const uint8_t *group, const uint8_t *hash,
    uint64_t expires_ms, const uint8_t *sealed, size_t len,
    struct invite_open *inv)
{
	uint8_t ad[64], *plain = NULL;
	size_t plen, nlen;
	int ret = BAL_EPROTO;

	if (len < KEYRING_OVERHEAD + BAL_KEY_BYTES ||
	    len > KEYRING_OVERHEAD + BAL_KEY_BYTES + INVCODE_NAME_MAX)
		return ret;
	plen = len - KEYRING_OVERHEAD;
	if ((plain = sodium_malloc(plen)) == NULL)
		return BAL_ENOMEM;
	invite_ad(group, hash, ad);
	if ((ret = keyring_open(d->id, INVITE_PURPOSE, ad, sizeof(ad), sealed,
	    len, plain, plen)) != 0)
		goto out;
	memset(inv, 0, sizeof(*inv));
	memcpy(inv->group, group, 32);
	memcpy(inv->hash, hash, 32);
	inv->expires_ms = expires_ms;
	nlen = plen - BAL_KEY_BYTES;
	memcpy(inv->name, plain + BAL_KEY_BYTES, nlen);
	inv->name[nlen] = '\0';
	ret = shs_invite_network_key(plain, group, inv->netkey);
out:
	sodium_free(plain);
	return ret;
}

static int
open_cb(void *ctx, const uint8_t *group, const uint8_t *hash,
    uint64_t expires_ms, const uint8_t *sealed, size_t len)
{
	struct open_fill *of = ctx;
	struct group *g;

	if (of->n >= of->max)
		return 1;
	if ((g = group_find(of->d, group)) == NULL || g->roster == NULL)
		return 0;
	if (invite_unseal(of->d, group, hash, expires_ms, sealed, len,
	    &of->out[of->n]) == 0)
		of->n++;
	return 0;
}

int
invite_open_list(struct daemon *d, struct invite_open *out, size_t max,
    size_t *n)
{
	struct open_fill of;
	struct istate *is;
	size_t i;
	int rc;

	of.d = d;
	of.out = out;
	of.max = max;
	of.n = 0;
	rc = store_invite_each(d->store, daemon_now_ms(), open_cb, &of);
	/* Used ones stay reachable, to be told so. */
	if ((is = istate(d, 0)) != NULL)
		for (i = 0; i < is->nused && of.n < max; i++)
			out[of.n++] = is->used[i].inv;
	*n = of.n;
	return rc < 0 ? rc : 0;
}

static int
serve_send(struct net_conn *c, const struct joinmsg *m)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if ((rc = joinmsg_encode(m, &buf, &len)) != 0)
		return rc;
	rc = net_conn_send(c, buf, len);
	free(buf);
	return rc;
}

static void
serve_refuse(struct serve *s, struct net_conn *c, const char *text)
{
	struct joinmsg m;

	memset(&m, 0, sizeof(m));
	m.type = JOIN_REFUSE;
	snprintf(m.text, sizeof(m.text), "%s", text);
	serve_send(c, &m);
	daemon_log("join refused for %s: %s", net_conn_addr(c), text);
	(void)s;
	net_conn_close(c, 0, NULL);
}

static void
remember_used(struct daemon *d, const struct invite_open *inv)
{
	struct istate *is = istate(d, 1);

	if (is == NULL)
		return;
	is->used[is->usednext].inv = *inv;
	is->usednext = (is->usednext + 1) % INVITE_USED_MAX;
	if (is->nused < INVITE_USED_MAX)
		is->nused++;
}

static int
is_used(struct daemon *d, const uint8_t *hash)
{
	struct istate *is = istate(d, 0);
	size_t i;

	for (i = 0; is != NULL && i < is->nused; i++)
		if (memcmp(is->used[i].inv.hash, hash, 32) == 0)
			return 1;
	/* After a restart the ring is empty: the store remembers. */
	return store_invite_used(d->store, hash) == 1;
}

/* See invite.h. */
int
invite_add_member(struct group *g, const uint8_t *pk, const char *name,
    const uint8_t *sig)
{
	const struct roster *r = g->roster;
	uint8_t (*rcpt)[BAL_PK_BYTES] = NULL, *key = NULL;
	uint8_t *env = NULL, *hist = NULL, *body = NULL;
	size_t envlen = 0, histlen = 0, bodylen = 0, n = 0, i;
	struct epoch_history_key *hk = NULL;
	int ret = BAL_ENOMEM;

	if ((rcpt = calloc(r->nmembers + 1, sizeof(*rcpt))) == NULL)
		goto out;
	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE)
			memcpy(rcpt[n++], r->members[i].pk, BAL_PK_BYTES);
	memcpy(rcpt[n++], pk, BAL_PK_BYTES);
	if ((ret = epoch_key_new(NULL, &key)) != 0 ||
	    (ret = epoch_seal(key, 0, (const uint8_t (*)[BAL_PK_BYTES])rcpt,
	    n, NULL, &env, &envlen)) != 0)
		goto out;
	if (g->contract != NULL &&
	    g->contract->history == CONTRACT_HISTORY_FULL && g->nkeys > 0) {
		ret = BAL_ENOMEM;
		if ((hk = calloc(g->nkeys, sizeof(*hk))) == NULL)
			goto out;
		for (i = 0; i < g->nkeys && i < EPOCH_HISTORY_MAX; i++) {
			hk[i].id = g->keys[i].epoch;
			hk[i].key = g->keys[i].key;
		}
		if ((ret = epoch_history_seal(hk, i, pk, NULL, &hist,
		    &histlen)) != 0)
			goto out;
	}
	if ((ret = roster_encode_add(pk, name, sig, NULL, env, envlen, hist,
	    histlen, &body, &bodylen)) != 0)
		goto out;
	ret = group_append(g, ENTRY_KIND_ROSTER, body, bodylen, NULL);
out:
	epoch_key_free(key);
	free(rcpt);
	free(env);
	free(hist);
	free(hk);
	free(body);
	return ret;
}

static void
serve_accept(struct serve *s, struct net_conn *c, const struct joinmsg *m)
{
	struct daemon *d = s->d;
	struct group *g = group_find(d, s->inv.group);
	const uint8_t *pk = net_conn_remote_pk(c);
	const struct roster_member *rm;
	struct joinmsg w;
	char text[JOINMSG_TEXT_MAX + 1], date[64];
	int rc;

	if (g == NULL || g->roster == NULL) {
		serve_refuse(s, c, "the inviter no longer holds this group");
		return;
	}
	if (is_used(d, s->inv.hash)) {
		serve_refuse(s, c, "this invite was already used");
		return;
	}
	if (s->inv.name[0] != '\0' && strcmp(s->inv.name, m->name) != 0) {
		snprintf(text, sizeof(text), "this invite is for '%s', not "
		    "'%s'", s->inv.name, m->name);
		serve_refuse(s, c, text);
		return;
	}
	if (contract_accept_verify(pk, g->id, m->name, m->sig) != 0) {
		serve_refuse(s, c, "the acceptance signature does not verify");
		return;
	}
	if (roster_is_active(g->roster, pk)) {
		serve_refuse(s, c, "already a member of this group");
		return;
	}
	if ((rm = roster_member_find(g->roster, pk)) != NULL) {
		serve_refuse(s, c, "this member was removed from the group; "
		    "readmission is not supported yet");
		return;
	}
	rc = store_invite_take(d->store, s->inv.hash, daemon_now_ms());
	if (rc == BAL_EEXIST || rc == BAL_ENOENT) {
		serve_refuse(s, c, "this invite was already used");
		return;
	}
	if (rc == BAL_EEXPIRED) {
		date_text(s->inv.expires_ms, date, sizeof(date));
		snprintf(text, sizeof(text), "this invite expired on %s",
		    date);
		serve_refuse(s, c, text);
		return;
	}
	if (rc != 0) {
		serve_refuse(s, c, "the inviter cannot use its store");
		return;
	}
	remember_used(d, &s->inv);
	if ((rc = invite_add_member(g, pk, m->name, m->sig)) != 0) {
		snprintf(text, sizeof(text), "the inviter cannot add you (%s)",
		    group_write_error(g, rc));
		serve_refuse(s, c, text);
		return;
	}
	daemon_log("'%s' joined group %s", m->name, group_name(g));
	memset(&w, 0, sizeof(w));
	w.type = JOIN_WELCOME;
	if (serve_send(c, &w) != 0) {
		net_conn_close(c, 0, NULL);
		return;
	}
	net_conn_member(c, g);
}

static int
serve_msg(void *ctx, struct net_conn *c, const uint8_t *buf, size_t len)
{
	struct serve *s = ctx;
	struct group *g;
	struct joinmsg m, out;
	int rc;

	if ((rc = joinmsg_decode(buf, len, &m)) != 0) {
		daemon_log("join from %s: malformed message, dropped",
		    net_conn_addr(c));
		return rc;
	}
	switch (m.type) {
	case JOIN_HELLO:
		g = group_find(s->d, s->inv.group);
		if (memcmp(m.group, s->inv.group, 32) != 0 || g == NULL ||
		    g->roster == NULL) {
			serve_refuse(s, c, "wrong group for this invite");
			break;
		}
		if (is_used(s->d, s->inv.hash)) {
			serve_refuse(s, c, "this invite was already used");
			break;
		}
		memset(&out, 0, sizeof(out));
		out.type = JOIN_CONTRACT;
		out.contract = g->roster->contract;
		out.contract_len = g->roster->contract_len;
		if (serve_send(c, &out) != 0)
			net_conn_close(c, 0, NULL);
		break;
	case JOIN_ACCEPT:
		serve_accept(s, c, &m);
		break;
	default:
		daemon_log("join from %s: unexpected message, dropped",
		    net_conn_addr(c));
		rc = BAL_EPROTO;
		break;
	}
	joinmsg_clear(&m);
	return rc;
}

static void
serve_down(void *ctx, struct net_conn *c, const char *why)
{
	(void)c;
	(void)why;
	free(ctx);
}

static const struct net_handler serve_handler = {
	NULL, serve_msg, serve_down
};

void
invite_serve(struct daemon *d, struct net_conn *c,
    const struct invite_open *inv)
{
	struct serve *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return;
	s->d = d;
	s->inv = *inv;
	net_conn_set_handler(c, &serve_handler, s);
}

/* ---- the joiner's side ---- */

static void
on_join_timer_closed(uv_handle_t *h)
{
	struct join *j = h->data;

	invcode_wipe(&j->ic);
	free(j);
}

/* Calls done once and frees the join. */
static void
join_finish(struct join *j, int status, struct group *g, const char *text,
    const char *err)
{
	struct istate *is = istate(j->d, 0);
	struct join **pp;

	if (j->state == J_DONE)
		return;
	j->state = J_DONE;
	if (is != NULL)
		for (pp = &is->joins; *pp != NULL; pp = &(*pp)->next)
			if (*pp == j) {
				*pp = j->next;
				break;
			}
	uv_timer_stop(&j->timer);
	uv_close((uv_handle_t *)&j->timer, on_join_timer_closed);
	if (j->conn != NULL) {
		struct net_conn *c = j->conn;

		j->conn = NULL;
		net_conn_close(c, 0, NULL);
	}
	j->done(j->ctx, status, g, text, err);
}

static int
join_send(struct join *j, const struct joinmsg *m)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if ((rc = joinmsg_encode(m, &buf, &len)) != 0)
		return rc;
	rc = net_conn_send(j->conn, buf, len);
	free(buf);
	return rc;
}

static void
join_up(void *ctx, struct net_conn *c)
{
	struct join *j = ctx;
	struct joinmsg m;

	(void)c;
	memset(&m, 0, sizeof(m));
	m.type = JOIN_HELLO;
	memcpy(m.group, j->ic.group, 32);
	m.preview = j->preview;
	j->state = J_HELLO;
	if (join_send(j, &m) != 0)
		join_finish(j, BAL_EIO, NULL, NULL, "cannot talk to the inviter");
}

/* 1 when this member holds g's roster (as active) and its write key. */
static int
join_complete(struct daemon *d, const struct group *g)
{
	const struct roster *r = g->roster;
	uint64_t id;
	size_t i;

	if (r == NULL || !roster_is_active(r, d->id->pk) ||
	    r->write_epoch == ROSTER_NO_EPOCH)
		return 0;
	id = r->epochs[r->write_epoch].id;
	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].epoch == id)
			return 1;
	return 0;
}

/*
 * Ends a join whose roster and keys have arrived.  If the inviter showed an
 * amended contract, it must be one of the group's versions.
 */
static void
join_succeed(struct join *j, struct group *g)
{
	struct group_contract_info *ci = NULL;
	size_t i;
	int found = 0;

	if (j->shown_amended && group_contract_info(g, &ci) == 0)
		for (i = 0; i < ci->nversions; i++)
			if (memcmp(ci->versions[i].hash, j->shown,
			    BAL_HASH_BYTES) == 0)
				found = 1;
	group_contract_info_free(ci);
	if (j->shown_amended && !found)
		join_finish(j, BAL_ECHAIN, NULL, NULL, "joined, but the "
		    "contract the inviter showed is no version of this "
		    "group's contract (compare: balint contract show)");
	else
		join_finish(j, 0, g, NULL, NULL);
}

static int
join_contract(struct join *j, const struct joinmsg *m)
{
	struct contract *c = NULL;
	struct joinmsg a;
	uint8_t gid[BAL_GROUP_ID_BYTES];
	char *text = NULL;
	size_t tlen;
	int rc;

	/*
	 * An amended version does not hash to the group id: its chain back
	 * to the founding version comes with the roster, so it is checked
	 * once joined (join_succeed).
	 */
	if ((rc = contract_decode(m->contract, m->contract_len, &c)) == 0 &&
	    (rc = contract_group_id(c, gid)) == BAL_ESTATE &&
	    (rc = contract_hash(c, j->shown)) == 0) {
		j->shown_amended = 1;
		memcpy(gid, j->ic.group, BAL_GROUP_ID_BYTES);
	}
	if (rc != 0 || memcmp(gid, j->ic.group, BAL_GROUP_ID_BYTES) != 0) {
		contract_free(c);
		join_finish(j, BAL_EPROTO, NULL, NULL, "the inviter sent a "
		    "contract that is not this group's");
		return 0;
	}
	if (j->preview) {
		rc = contract_text(c, NULL, &text, &tlen);
		contract_free(c);
		if (rc != 0) {
			join_finish(j, rc, NULL, NULL, "cannot show the "
			    "contract");
			return 0;
		}
		join_finish(j, 0, NULL, text, NULL);
		free(text);
		return 0;
	}
	contract_free(c);
	memset(&a, 0, sizeof(a));
	a.type = JOIN_ACCEPT;
	snprintf(a.name, sizeof(a.name), "%s", j->d->name);
	if ((rc = contract_accept_sign(j->d->id, j->ic.group, a.name,
	    a.sig)) != 0) {
		join_finish(j, rc, NULL, NULL, "cannot sign the acceptance "
		    "(is this member's name valid?)");
		return 0;
	}
	j->state = J_ACCEPTED;
	if (join_send(j, &a) != 0)
		join_finish(j, BAL_EIO, NULL, NULL, "cannot talk to the inviter");
	return 0;
}

static int
join_welcome(struct join *j)
{
	struct group *g = NULL;
	struct net_conn *c = j->conn;
	int rc;

	rc = group_join_new(j->d, j->ic.group, &g);
	if (rc != 0 && rc != BAL_EEXIST) {
		join_finish(j, rc, NULL, NULL, "cannot set up the group");
		return 0;
	}
	j->g = g;
	j->state = J_MEMBER;
	store_peer_add(j->d->store, j->ic.group, j->ic.addrs[j->addri],
	    j->ic.inviter);
	j->conn = NULL;		/* from now on a member session of peer.c */
	net_conn_member(c, g);
	net_group_added(j->d, g);
	if (join_complete(j->d, g))
		join_succeed(j, g);
	return 0;
}

static int
join_msg(void *ctx, struct net_conn *c, const uint8_t *buf, size_t len)
{
	struct join *j = ctx;
	struct joinmsg m;
	char err[JOINMSG_TEXT_MAX + 64];
	int rc;

	(void)c;
	if ((rc = joinmsg_decode(buf, len, &m)) != 0) {
		join_finish(j, BAL_EPROTO, NULL, NULL, "the inviter sent a "
		    "malformed message");
		return 0;
	}
	if (m.type == JOIN_REFUSE) {
		snprintf(err, sizeof(err), "%s", m.text[0] ? m.text :
		    "the inviter refused");
		join_finish(j, BAL_EPERM, NULL, NULL, err);
	} else if (m.type == JOIN_CONTRACT && j->state == J_HELLO) {
		join_contract(j, &m);
	} else if (m.type == JOIN_WELCOME && j->state == J_ACCEPTED) {
		join_welcome(j);
	} else {
		join_finish(j, BAL_EPROTO, NULL, NULL, "the inviter sent an "
		    "unexpected message");
	}
	joinmsg_clear(&m);
	return 0;
}

static void join_down(void *ctx, struct net_conn *c, const char *why);

static const struct net_handler join_handler = {
	join_up, join_msg, join_down
};

static int
join_dial(struct join *j)
{
	uint8_t netkey[BAL_KEY_BYTES];
	int rc;

	if ((rc = shs_invite_network_key(j->ic.secret, j->ic.group,
	    netkey)) != 0)
		return rc;
	j->state = J_DIAL;
	rc = net_dial_invite(j->d, j->ic.addrs[j->addri], netkey,
	    j->ic.inviter, &join_handler, j, &j->conn);
	sodium_memzero(netkey, sizeof(netkey));
	return rc;
}

static void
join_down(void *ctx, struct net_conn *c, const char *why)
{
	struct join *j = ctx;
	char err[256];

	(void)c;
	if (j->state == J_MEMBER || j->state == J_DONE)
		return;
	j->conn = NULL;
	if (j->state == J_DIAL && j->addri + 1 < j->ic.naddrs) {
		j->addri++;
		if (join_dial(j) == 0)
			return;
	}
	if (j->state == J_DIAL)
		snprintf(err, sizeof(err), "cannot reach the inviter at %s, "
		    "or the invite is no longer valid there (%s)",
		    j->ic.addrs[j->addri], why && why[0] ? why : "closed");
	else
		snprintf(err, sizeof(err), "the inviter closed the connection"
		    " (%s)", why && why[0] ? why : "closed");
	join_finish(j, BAL_EIO, NULL, NULL, err);
}

static void
on_join_timeout(uv_timer_t *t)
{
	struct join *j = t->data;
	char err[96];

	snprintf(err, sizeof(err), "timed out after %llu s",
	    (unsigned long long)((j->timeout_ms + 999) / 1000));
	if (j->state == J_MEMBER)
		snprintf(err, sizeof(err), "joined, but the roster and keys "
		    "did not arrive within %llu s",
		    (unsigned long long)((j->timeout_ms + 999) / 1000));
	join_finish(j, BAL_EAGAIN, NULL, NULL, err);
}

int
join_start(struct daemon *d, const char *code, int preview,
    uint64_t timeout_ms, join_done_cb done, void *ctx, char *err,
    size_t errlen)
{
	struct istate *is;
	struct join *j = NULL;
	struct group *g;
	char date[64];
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return BAL_ENOMEM;
	if ((ret = invcode_decode(code, &j->ic)) != 0) {
		if (ret == BAL_ECHECKSUM)
			snprintf(err, errlen, "the invite code is mistyped (its "
			    "checksum does not match); copy it again");
		else if (ret == BAL_EVERSION)
			snprintf(err, errlen, "this invite code is of a newer "
			    "version; update balint");
		else
			snprintf(err, errlen, "this is not an invite code (it "
			    "starts with '%s')", INVCODE_PREFIX);
		goto fail;
	}
	if (j->ic.expires_ms <= daemon_now_ms()) {
		date_text(j->ic.expires_ms, date, sizeof(date));
		snprintf(err, errlen, "this invite expired on %s", date);
		ret = BAL_EEXPIRED;
		goto fail;
	}
	if ((g = group_find(d, j->ic.group)) != NULL && g->roster != NULL &&
	    roster_is_active(g->roster, d->id->pk)) {
		snprintf(err, errlen, "already a member of %s", group_name(g));
		ret = BAL_EEXIST;
		goto fail;
	}
	if ((is = istate(d, 1)) == NULL) {
		snprintf(err, errlen, "the network is not running");
		ret = BAL_ESTATE;
		goto fail;
	}
	j->d = d;
	j->preview = preview;
	j->done = done;
	j->ctx = ctx;
	j->timeout_ms = timeout_ms ? timeout_ms : 60000;
	if ((ret = join_dial(j)) != 0) {
		snprintf(err, errlen, "cannot reach the inviter at %s (%s)",
		    j->ic.addrs[0], bal_strerror(ret));
		goto fail;
	}
	uv_timer_init(d->loop, &j->timer);
	j->timer.data = j;
	uv_timer_start(&j->timer, on_join_timeout, j->timeout_ms, 0);
	j->next = is->joins;
	is->joins = j;
	return 0;
fail:
	invcode_wipe(&j->ic);
	free(j);
	return ret;
}

void
invite_on_roster(struct daemon *d, struct group *g)
{
	struct istate *is = istate(d, 0);
	struct join *j, *next;

	for (j = is != NULL ? is->joins : NULL; j != NULL; j = next) {
		next = j->next;
		if (j->state == J_MEMBER && j->g == g && join_complete(d, g)) {
			join_succeed(j, g);
			net_announce(d, g);
		}
	}
}

void
invite_stop(struct daemon *d)
{
	void **slot = net_invite_state(d);
	struct istate *is;

	if (slot == NULL || (is = *slot) == NULL)
		return;
	while (is->joins != NULL)
		join_finish(is->joins, BAL_ESTATE, NULL, NULL,
		    "balintd is shutting down");
	sodium_memzero(is, sizeof(*is));
	free(is);
	*slot = NULL;
}
