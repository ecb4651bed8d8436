/*
 * peer-wait.c — `balint sync --wait` (waiters called back once a group's
 * sessions are level) and the lines of `balint status` / `peer list`.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "group.h"
#include "peer-int.h"
#include "store.h"
#include "sync.h"
#include "transport.h"

static void
on_waiter_closed(uv_handle_t *h)
{
	struct waiter *w = h->data;
	struct net *net = w->net;

	free(w);
	net_handle_gone(net);
}

void
peer_wait_finish(struct waiter *w, int status)
{
	struct waiter **pp;

	if (w->done)
		return;
	w->done = 1;
	for (pp = &w->net->waiters; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	uv_timer_stop(&w->timer);
	uv_close((uv_handle_t *)&w->timer, on_waiter_closed);
	w->cb(w->ctx, status);
}

/* 1: g is level (see net_level_cb), 0: not yet. */
static int
group_level(struct net *net, const struct group *g)
{
	const struct net_conn *c;
	const struct target *t;
	struct sync_stats st;
	size_t up = 0;

	for (c = net->conns; c != NULL; c = c->next) {
		if (c->closing || c->state != C_UP || c->g != g)
			continue;
		sync_stats(c->sync, &st);
		if (!st.level)
			return 0;
		up++;
	}
	if (up > 0)
		return 1;
	for (t = net->targets; t != NULL; t = t->next)
		if (memcmp(t->group, g->id, BAL_GROUP_ID_BYTES) == 0)
			return 0;
	for (c = net->conns; c != NULL; c = c->next)
		if (!c->closing && c->g == g)
			return 0;
	return 1;
}

/*
 * Received batches commit without an fsync (store_begin_received); a
 * group reported level must hold what it received for good, so the WAL is
 * synced once before the answer.
 */
static int
level_durable(struct net *net)
{
	int rc = store_sync(net->d->store);

	if (rc != 0)
		daemon_log("store: cannot sync received entries to disk (%s)",
		    bal_strerror(rc));
	return rc;
}

void
peer_wait_check(struct net *net)
{
	struct waiter *w, *next;
	int synced = 0, rc = 0;

	for (w = net->waiters; w != NULL; w = next) {
		next = w->next;
		if (!group_level(net, w->g))
			continue;
		if (!synced) {
			rc = level_durable(net);
			synced = 1;
		}
		peer_wait_finish(w, rc);
	}
}

static void
on_waiter_timer(uv_timer_t *timer)
{
	peer_wait_finish(timer->data, BAL_EAGAIN);
}

int
net_level_wait(struct daemon *d, struct group *g, uint64_t timeout_ms,
    net_level_cb cb, void *ctx)
{
	struct net *net = d->net;
	struct waiter *w;

	if (net == NULL || net->stopping)
		return BAL_ESTATE;
	if (group_level(net, g)) {
		cb(ctx, level_durable(net));
		return 0;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return BAL_ENOMEM;
	w->net = net;
	w->g = g;
	w->cb = cb;
	w->ctx = ctx;
	uv_timer_init(d->loop, &w->timer);
	w->timer.data = w;
	net->handles++;
	if (timeout_ms > 0)
		uv_timer_start(&w->timer, on_waiter_timer, timeout_ms, 0);
	w->next = net->waiters;
	net->waiters = w;
	return 0;
}

/* ---- status ---- */

/* 1 when two "HOST:PORT" texts have the same host. */
static int
same_host(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	return ca != NULL && cb != NULL && ca - a == cb - b &&
	    memcmp(a, b, (size_t)(ca - a)) == 0;
}

/*
 * The dial target to show for a session that came in: of the member's
 * current targets, the one on the host the session came from, else the
 * one that worked last; NULL if none (the remote end is shown).  Stale
 * ones (no longer picked) never.
 */
static struct target *
session_target(struct net *net, const struct net_conn *c)
{
	struct target *t, *best = NULL;

	for (t = net->targets; t != NULL; t = t->next) {
		if (t->closed || !t->picked || !t->has_member ||
		    memcmp(t->group, c->g->id, BAL_GROUP_ID_BYTES) != 0 ||
		    memcmp(t->member, c->remote_pk, BAL_PK_BYTES) != 0)
			continue;
		if (same_host(t->addr, c->addr))
			return t;
		if (best == NULL || t->ok_ms > best->ok_ms)
			best = t;
	}
	return best;
}

void
net_status(struct daemon *d, const struct group *g, net_status_cb cb,
    void *ctx)
{
	struct net_status_info si;
	struct net_conn *c;
	struct target *t;
	struct sync_stats st;
	const struct roster_member *m;
	struct group *tg;

	if (d->net == NULL)
		return;
	for (c = d->net->conns; c != NULL; c = c->next) {
		if (c->closing || c->g == NULL || (g != NULL && c->g != g) ||
		    (c->state != C_UP && !c->outgoing))
			continue;
		memset(&si, 0, sizeof(si));
		si.g = c->g;
		si.has_member = c->has_remote || (c->target != NULL &&
		    c->target->has_member);
		if (c->has_remote)
			memcpy(si.member, c->remote_pk, BAL_PK_BYTES);
		else if (si.has_member)
			memcpy(si.member, c->target->member, BAL_PK_BYTES);
		m = si.has_member && c->g->roster ? roster_member_find(
		    c->g->roster, si.member) : NULL;
		si.name = m ? m->name : NULL;
		si.addr = c->addr;
		/* A session that came in: the address we dial it at. */
		if (!c->outgoing && c->has_remote &&
		    (t = session_target(d->net, c)) != NULL)
			si.addr = t->addr;
		si.outgoing = c->outgoing;
		si.state = c->state == C_UP ? N_("up") : N_("connecting");
		si.via = c->tp != NULL ? c->tp->via : "direct";
		si.why = "";
		si.lan = si.has_member && lan_member_found(d->net, c->g->id,
		    si.member);
		if (c->sync != NULL) {
			sync_stats(c->sync, &st);
			si.level = st.level;
			si.entries_sent = st.entries_sent;
			si.entries_received = st.entries_received;
			si.since_ms = c->up_ms;
		}
		cb(ctx, &si);
	}
	for (t = d->net->targets; t != NULL; t = t->next) {
		if (t->conn != NULL || t->closed || !t->picked ||
		    (tg = group_find(d, t->group)) == NULL ||
		    (g != NULL && tg != g))
			continue;
		if (t->has_member && peer_member_session_up(d->net, t->group,
		    t->member, NULL))
			continue;
		memset(&si, 0, sizeof(si));
		si.g = tg;
		si.has_member = t->has_member;
		memcpy(si.member, t->member, BAL_PK_BYTES);
		m = t->has_member && tg->roster ? roster_member_find(
		    tg->roster, t->member) : NULL;
		si.name = m ? m->name : NULL;
		si.addr = t->addr;
		si.outgoing = 1;
		si.state = N_("waiting");
		si.via = "";
		si.why = t->why;
		si.reached_ms = t->reached_ms;
		si.lan = t->lan;
		cb(ctx, &si);
	}
}
