/*
 * join.c — the join conversation on a connection (docs/protocol.md
 * §Joining), both sides: the inviter's listener serving a connection that
 * used an invite's network key, and the newcomer dialing the inviter with
 * a code.  What an invite is and whether it admits someone is the group's
 * (daemon/group/invite.c); this file only talks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "contract.h"
#include "group.h"
#include "identity.h"
#include "invcode.h"
#include "joinmsg.h"
#include "peer-int.h"
#include "shs.h"
#include "store.h"
#include "transport.h"

/* A new round over a code's addresses when tor said a retry may help. */
#define JOIN_RETRY_MS 2000
/* How long an inviter holds a newcomer it waits to confirm (admit). */
#define JOIN_ADMIT_HOLD_MS (60u * 60 * 1000)

enum join_state { J_DIAL, J_HELLO, J_ACCEPTED, J_MEMBER, J_DONE };

struct join {
	struct daemon *d;
	struct invcode ic;
	size_t addri;
	int preview;
	enum join_state state;
	uv_timer_t timer;		/* the timeout, or the next round */
	uint64_t timeout_ms;
	uint64_t wait_ms;		/* for the inviter's confirmation */
	int confirm;			/* the inviter confirms us first */
	uint64_t deadline;		/* loop time of the timeout */
	int retryable;			/* a failure of this round may mend */
	char tried[512];		/* "ADDR (why); ..." of this round */
	struct net_conn *conn;
	struct group *g;
	join_done_cb done;
	void *ctx;
	struct join *next;
	/* The inviter's name as it said (JOIN_CONTRACT), "" before. */
	char inviter[JOINMSG_NAME_MAX + 1];
	/* The contract shown was an amendment: its hash, checked once joined. */
	int shown_amended;
	uint8_t shown[BAL_HASH_BYTES];
};

/*
 * One join conversation served.  A newcomer who used an invite made with
 * --confirm is held here, their acceptance checked and kept, until a
 * leader confirms their fingerprint (join_admit) or refuses them, or the
 * connection ends; meanwhile it is on net->waiting.
 */
struct serve {
	struct daemon *d;
	struct invite_open inv;
	struct net_conn *c;
	int waiting;
	uint8_t pk[BAL_PK_BYTES];
	char name[JOINMSG_NAME_MAX + 1];
	uint8_t sig[BAL_SIG_BYTES];
	uint64_t since_ms;		/* Unix ms */
	struct serve *next;
};

/* ---- the inviter's side ---- */

/* This member's name in g's roster, else its profile name. */
static void
inviter_name(const struct daemon *d, const struct group *g, char *out,
    size_t len)
{
	const struct roster_member *rm = roster_member_find(g->roster,
	    d->id->pk);

	snprintf(out, len, "%s", rm != NULL ? rm->name : d->name);
	if (out[0] == '\0')
		snprintf(out, len, "?");
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

/* Takes s off the list of newcomers waiting to be confirmed. */
static void
serve_unwait(struct serve *s)
{
	struct serve **pp;

	if (!s->waiting || s->d->net == NULL)
		return;
	for (pp = &s->d->net->waiting; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->waiting = 0;
}

/*
 * Holds a newcomer whose acceptance passed the checks, under an invite
 * that a leader confirms first.  One newcomer waits per code: another key
 * presenting it meanwhile is refused (and the leader sees both in the
 * log), the same key again replaces its older connection.
 */
static void
serve_hold(struct serve *s, struct net_conn *c, const struct joinmsg *m,
    const struct group *g)
{
	struct serve *o;
	char fp[IDENTITY_FPR_TEXT_BYTES];

	identity_fingerprint(net_conn_remote_pk(c), fp);
	for (o = s->d->net->waiting; o != NULL; o = o->next) {
		if (memcmp(o->inv.hash, s->inv.hash, 32) != 0)
			continue;
		if (memcmp(o->pk, net_conn_remote_pk(c), BAL_PK_BYTES) != 0) {
			daemon_log("join: '%s' (fingerprint %s) presented a code "
			    "of group %s that '%s' already waits with; refused",
			    m->name, fp, group_name(g), o->name);
			serve_refuse(s, c, "another newcomer already waits "
			    "with this code; tell your inviter");
			return;
		}
		serve_unwait(o);
		net_conn_close(o->c, 0, NULL);
		break;
	}
	memcpy(s->pk, net_conn_remote_pk(c), BAL_PK_BYTES);
	snprintf(s->name, sizeof(s->name), "%s", m->name);
	memcpy(s->sig, m->sig, BAL_SIG_BYTES);
	s->since_ms = daemon_now_ms();
	s->waiting = 1;
	s->next = s->d->net->waiting;
	s->d->net->waiting = s;
	net_conn_hold(c, JOIN_ADMIT_HOLD_MS);
	daemon_log("join: '%s' (fingerprint %s) waits to join group %s; "
	    "compare the fingerprint, then balint admit '%s' (or --refuse)",
	    s->name, fp, group_name(g), s->name);
}

static void
serve_accept(struct serve *s, struct net_conn *c, const struct joinmsg *m)
{
	struct group *g;
	struct joinmsg w;
	char text[JOINMSG_TEXT_MAX + 1];

	if (s->waiting) {
		serve_refuse(s, c, "unexpected second acceptance");
		return;
	}
	if (s->inv.confirm) {
		if ((g = invite_check(s->d, &s->inv, net_conn_remote_pk(c),
		    m->name, m->sig, text, sizeof(text))) == NULL)
			serve_refuse(s, c, text);
		else
			serve_hold(s, c, m, g);
		return;
	}
	if ((g = invite_admit(s->d, &s->inv, net_conn_remote_pk(c), m->name,
	    m->sig, text, sizeof(text))) == NULL) {
		serve_refuse(s, c, text);
		return;
	}
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
	char text[JOINMSG_TEXT_MAX + 1];
	int rc;

	if ((rc = joinmsg_decode(buf, len, &m)) != 0) {
		daemon_log("join from %s: malformed message, dropped",
		    net_conn_addr(c));
		return rc;
	}
	switch (m.type) {
	case JOIN_HELLO:
		/* Every attempt that reached us is in the inviter's log. */
		daemon_log("join attempt from %s%s%s", net_conn_addr(c),
		    c->via_tor ? " (through tor)" : "", m.preview ?
		    " (preview)" : "");
		if ((g = invite_hello(s->d, &s->inv, m.group, text,
		    sizeof(text))) == NULL) {
			serve_refuse(s, c, text);
			break;
		}
		memset(&out, 0, sizeof(out));
		out.type = JOIN_CONTRACT;
		out.contract = g->roster->contract;
		out.contract_len = g->roster->contract_len;
		/* The name the group knows the inviter by (shown with its
		 * fingerprint, which the newcomer takes from the code). */
		inviter_name(s->d, g, out.name, sizeof(out.name));
		out.confirm = s->inv.confirm;
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
	struct serve *s = ctx;

	(void)c;
	if (s->waiting)
		daemon_log("join: '%s' no longer waits to be admitted (%s)",
		    s->name, why != NULL && *why != '\0' ? why : "closed");
	serve_unwait(s);
	/* The invite's network key goes with the conversation. */
	sodium_memzero(ctx, sizeof(struct serve));
	free(ctx);
}

static const struct net_handler serve_handler = {
	NULL, serve_msg, serve_down
};

void
join_serve(struct daemon *d, struct net_conn *c,
    const struct invite_open *inv)
{
	struct serve *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return;
	s->d = d;
	s->inv = *inv;
	s->c = c;
	net_conn_set_handler(c, &serve_handler, s);
}

/* Does sel name s: its name, or its fingerprint (blanks ignored)? */
static int
serve_selected(const struct serve *s, const char *sel)
{
	char fp[IDENTITY_FPR_TEXT_BYTES];
	const char *a, *b;

	if (strcmp(s->name, sel) == 0)
		return 1;
	identity_fingerprint(s->pk, fp);
	for (a = fp, b = sel;; a++, b++) {
		while (*a == ' ')
			a++;
		while (*b == ' ' || *b == '-')
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
	}
}

int
join_waiting_each(struct daemon *d, join_waiting_cb cb, void *ctx)
{
	struct serve *s;
	int rc;

	for (s = d->net != NULL ? d->net->waiting : NULL; s != NULL;
	    s = s->next)
		if ((rc = cb(ctx, s->inv.group, s->pk, s->name,
		    s->since_ms)) != 0)
			return rc;
	return 0;
}

int
join_admit(struct daemon *d, const uint8_t *group, const char *sel,
    int refuse, char *msg, size_t msglen)
{
	struct serve *s, *found = NULL;
	struct group *g;
	struct net_conn *c;
	struct joinmsg w;
	char fp[IDENTITY_FPR_TEXT_BYTES], name[JOINMSG_NAME_MAX + 1];
	char text[JOINMSG_TEXT_MAX + 1];
	size_t n = 0;

	for (s = d->net != NULL ? d->net->waiting : NULL; s != NULL;
	    s = s->next)
		if ((group == NULL || memcmp(s->inv.group, group, 32) == 0) &&
		    serve_selected(s, sel)) {
			found = s;
			n++;
		}
	if (n == 0) {
		snprintf(msg, msglen, N_("no newcomer waits as '%s' (see: balint "
		    "admit; their fingerprint must match in full)"), sel);
		return BAL_ENOENT;
	}
	if (n > 1) {
		snprintf(msg, msglen, N_("'%s' names %zu newcomers who wait; give "
		    "the fingerprint of the one to admit"), sel, n);
		return BAL_EEXIST;
	}
	s = found;
	c = s->c;
	identity_fingerprint(s->pk, fp);
	snprintf(name, sizeof(name), "%s", s->name);
	serve_unwait(s);
	if (refuse) {
		invite_refuse(d, &s->inv);
		daemon_log("join: '%s' (fingerprint %s) refused by this leader; "
		    "the code is spent", name, fp);
		serve_refuse(s, c, "the inviter refused to admit you, and this "
		    "code can no longer be used");
		snprintf(msg, msglen, N_("refused '%s' (fingerprint %s); their "
		    "code can no longer be used"), name, fp);
		return 0;
	}
	if ((g = invite_admit(d, &s->inv, s->pk, s->name, s->sig, text,
	    sizeof(text))) == NULL) {
		serve_refuse(s, c, text);
		snprintf(msg, msglen, N_("cannot admit '%s': %s"), name, text);
		return BAL_EPERM;
	}
	memset(&w, 0, sizeof(w));
	w.type = JOIN_WELCOME;
	if (serve_send(c, &w) != 0)
		net_conn_close(c, 0, NULL);
	else
		net_conn_member(c, g);	/* s is freed (serve_down) */
	snprintf(msg, msglen, N_("admitted '%s' (fingerprint %s) to %s"), name,
	    fp, group_name(g));
	return 0;
}

/* ---- the joiner's side ---- */

static void on_join_timeout(uv_timer_t *t);

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
	struct net *net = j->d->net;
	struct join **pp;

	if (j->state == J_DONE)
		return;
	j->state = J_DONE;
	if (net != NULL)
		for (pp = &net->joins; *pp != NULL; pp = &(*pp)->next)
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
	j->done(j->ctx, status, g, text, j->inviter, j->confirm, err);
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
	j->confirm = m->confirm;
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
	if (join_send(j, &a) != 0) {
		join_finish(j, BAL_EIO, NULL, NULL, "cannot talk to the inviter");
		return 0;
	}
	/* The inviter confirms our fingerprint first: wait that long. */
	if (j->confirm) {
		daemon_log("join: waiting for the inviter to confirm this "
		    "member's fingerprint (balint admit)");
		j->deadline = uv_now(j->d->loop) + j->wait_ms;
		uv_timer_start(&j->timer, on_join_timeout, j->wait_ms, 0);
	}
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
	/* Admitted after a wait: the roster and keys get the usual time. */
	if (j->confirm)
		uv_timer_start(&j->timer, on_join_timeout, j->timeout_ms, 0);
	store_peer_add(j->d->store, j->ic.group, j->ic.addrs[j->addri],
	    j->ic.inviter);
	j->conn = NULL;		/* from now on a member session of peer.c */
	net_conn_member(c, g);
	net_group_added(j->d, g);
	if (invite_join_complete(j->d, g))
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
		snprintf(j->inviter, sizeof(j->inviter), "%s", m.name);
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
	const struct transport *tp;
	uint8_t netkey[BAL_KEY_BYTES];
	int rc;

	if ((rc = shs_invite_network_key(j->ic.secret, j->ic.group,
	    netkey)) != 0)
		return rc;
	j->state = J_DIAL;
	/*
	 * Each attempt through tor gets at most half the join's time, so
	 * that one that tor holds on to (introduced, but the inviter's tor
	 * never joined the rendezvous: it was restarting, or stopped) leaves
	 * time for another, with the descriptor and circuits tor has by
	 * then.  A TCP dial keeps its own limit (it is not tried again).
	 */
	tp = transport_for(j->ic.addrs[j->addri]);
	rc = net_dial_invite(j->d, j->ic.addrs[j->addri], netkey,
	    j->ic.inviter, tp != NULL && tp->tor ? j->timeout_ms / 2 : 0,
	    &join_handler, j, &j->conn);
	sodium_memzero(netkey, sizeof(netkey));
	return rc;
}

/* Notes why the dial of the current address failed, for the error. */
static void
join_tried(struct join *j, const char *why)
{
	size_t n = strlen(j->tried);

	daemon_log("join: %s: %s", j->ic.addrs[j->addri], why);
	snprintf(j->tried + n, sizeof(j->tried) - n, "%s%s (%s)",
	    n > 0 ? "; " : "", j->ic.addrs[j->addri], why);
}

/*
 * Dials the code's addresses from addri on, skipping those that cannot
 * be dialed at all (an onion address while tor starts): 0 when one is
 * being dialed, else the error of the last.
 */
static int
join_dial_next(struct join *j)
{
	const char *why;
	int rc = BAL_EIO, later;

	for (; j->addri < j->ic.naddrs; j->addri++) {
		if ((why = net_addr_skip(j->d, j->ic.addrs[j->addri])) !=
		    NULL) {
			join_tried(j, why);
			continue;
		}
		if ((why = transport_unready(j->d->net, j->ic.addrs[j->addri],
		    &later)) != NULL) {
			join_tried(j, why);
			j->retryable |= later;
			continue;
		}
		if ((rc = join_dial(j)) == 0)
			return 0;
		join_tried(j, bal_strerror(rc));
	}
	j->addri = j->ic.naddrs - 1;
	return rc;
}

/* The next round over the code's addresses (tor may be ready now). */
static void
on_join_retry(uv_timer_t *t)
{
	struct join *j = t->data;
	uint64_t now = uv_now(j->d->loop);
	char err[sizeof(j->tried) + 64];

	j->addri = 0;
	j->retryable = 0;
	j->tried[0] = '\0';
	uv_timer_start(&j->timer, on_join_timeout, j->deadline > now ?
	    j->deadline - now : 1, 0);
	if (join_dial_next(j) != 0) {
		snprintf(err, sizeof(err), N_("cannot reach the inviter: %s"),
		    j->tried);
		join_finish(j, BAL_EIO, NULL, NULL, err);
	}
}

static void
join_down(void *ctx, struct net_conn *c, const char *why)
{
	struct join *j = ctx;
	char err[sizeof(j->tried) + 128];
	uint64_t now;

	if (j->state == J_MEMBER || j->state == J_DONE)
		return;
	j->conn = NULL;
	if (j->state == J_DIAL) {
		join_tried(j, why && why[0] ? why : "closed");
		j->retryable |= net_conn_retryable(c);
	}
	if (j->state == J_DIAL && j->addri + 1 < j->ic.naddrs) {
		j->addri++;
		if (join_dial_next(j) == 0)
			return;
	}
	now = uv_now(j->d->loop);
	if (j->state == J_DIAL && j->retryable &&
	    now + JOIN_RETRY_MS < j->deadline) {
		/* tor: not found yet, or circuits failed: a new round. */
		uv_timer_start(&j->timer, on_join_retry, JOIN_RETRY_MS, 0);
		return;
	}
	if (j->state == J_DIAL)
		snprintf(err, sizeof(err), N_("cannot reach the inviter, or the "
		    "invite is no longer valid there; tried %s"), j->tried);
	else
		snprintf(err, sizeof(err), N_("the inviter closed the connection"
		    " (%s)"), why && why[0] ? why : "closed");
	join_finish(j, BAL_EIO, NULL, NULL, err);
}

static void
on_join_timeout(uv_timer_t *t)
{
	struct join *j = t->data;
	char err[sizeof(j->tried) + 96], fp[IDENTITY_FPR_TEXT_BYTES];

	snprintf(err, sizeof(err), "timed out after %llu s%s%s",
	    (unsigned long long)((j->timeout_ms + 999) / 1000),
	    j->state == J_DIAL && j->tried[0] ? "; tried " : "",
	    j->state == J_DIAL ? j->tried : "");
	if (j->state == J_ACCEPTED && j->confirm) {
		identity_fingerprint(j->d->id->pk, fp);
		snprintf(err, sizeof(err), N_("your inviter did not admit you "
		    "within %llu s: they compare your fingerprint %s and run "
		    "balint admit; the code stays valid, run balint join again"),
		    (unsigned long long)((j->wait_ms + 999) / 1000), fp);
	}
	if (j->state == J_MEMBER)
		snprintf(err, sizeof(err), N_("joined, but the roster and keys "
		    "did not arrive within %llu s"),
		    (unsigned long long)((j->timeout_ms + 999) / 1000));
	join_finish(j, BAL_EAGAIN, NULL, NULL, err);
}

int
join_start(struct daemon *d, const char *code, int preview,
    uint64_t timeout_ms, uint64_t wait_ms, join_done_cb done, void *ctx,
    char *err, size_t errlen)
{
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
			snprintf(err, errlen, N_("the invite code is mistyped (its "
			    "checksum does not match); copy it again"));
		else if (ret == BAL_EVERSION)
			snprintf(err, errlen, N_("this invite code is of a newer "
			    "version; update balint"));
		else
			snprintf(err, errlen, N_("this is not an invite code (it "
			    "starts with '%s')"), INVCODE_PREFIX);
		goto fail;
	}
	if (j->ic.expires_ms <= daemon_now_ms()) {
		invite_expiry_text(j->ic.expires_ms, date, sizeof(date));
		snprintf(err, errlen, N_("this invite expired on %s"), date);
		ret = BAL_EEXPIRED;
		goto fail;
	}
	if ((g = group_find(d, j->ic.group)) != NULL && g->roster != NULL &&
	    roster_is_active(g->roster, d->id->pk)) {
		snprintf(err, errlen, N_("already a member of %s"), group_name(g));
		ret = BAL_EEXIST;
		goto fail;
	}
	if (d->net == NULL) {
		snprintf(err, errlen, N_("the network is not running"));
		ret = BAL_ESTATE;
		goto fail;
	}
	j->d = d;
	j->preview = preview;
	j->done = done;
	j->ctx = ctx;
	j->timeout_ms = timeout_ms ? timeout_ms : 60000;
	j->wait_ms = wait_ms ? wait_ms : JOIN_ADMIT_WAIT_MS;
	if ((ret = join_dial_next(j)) != 0 && !j->retryable) {
		snprintf(err, errlen, N_("cannot reach the inviter: %s"),
		    j->tried);
		goto fail;
	}
	uv_timer_init(d->loop, &j->timer);
	j->timer.data = j;
	j->deadline = uv_now(d->loop) + j->timeout_ms;
	if (ret != 0)		/* tor is still starting: wait for it */
		uv_timer_start(&j->timer, on_join_retry, JOIN_RETRY_MS, 0);
	else
		uv_timer_start(&j->timer, on_join_timeout, j->timeout_ms, 0);
	j->next = d->net->joins;
	d->net->joins = j;
	return 0;
fail:
	invcode_wipe(&j->ic);
	free(j);
	return ret;
}

void
join_on_roster(struct daemon *d, struct group *g)
{
	struct join *j, *next;

	for (j = d->net != NULL ? d->net->joins : NULL; j != NULL; j = next) {
		next = j->next;
		if (j->state == J_MEMBER && j->g == g &&
		    invite_join_complete(d, g)) {
			join_succeed(j, g);
			net_announce(d, g);
		}
	}
}

void
join_stop(struct daemon *d)
{
	if (d->net == NULL)
		return;
	while (d->net->joins != NULL)
		join_finish(d->net->joins, BAL_ESTATE, NULL, NULL,
		    "balintd is shutting down");
}
