/*
 * peer-wait.c — `balint sync --wait` (waiters called back once a group's
 * sessions are level) and the lines of `balint status` / `peer list`.
 */
#include <stdio.h>
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

/* A line net_status would report, before lines of one peer are merged. */
struct status_line {
	struct net_status_info si;
	char endpoint[DAEMON_ADDR_MAX];	/* where it leads, as numbers */
	int rank;			/* up 3, connecting 2, waiting 1 */
};

/*
 * Do two lines stand for the same peer: the same member of the same group
 * (once a session authenticated who is there), or addresses that lead to
 * the same place (localhost:P and 127.0.0.1:P, a host name and its
 * address)?
 */
static int
same_peer(const struct status_line *a, const struct status_line *b)
{
	if (a->si.g != b->si.g)
		return 0;
	if (a->si.has_member && b->si.has_member)
		return memcmp(a->si.member, b->si.member, BAL_PK_BYTES) == 0;
	return strcmp(a->endpoint, b->endpoint) == 0;
}

/* Is line i outranked by another line of the same peer? */
static int
outranked(const struct status_line *l, size_t n, size_t i)
{
	size_t j;

	for (j = 0; j < n; j++) {
		if (j == i || !same_peer(&l[i], &l[j]))
			continue;
		if (l[j].rank != l[i].rank) {
			if (l[j].rank > l[i].rank)
				return 1;
		} else if (l[j].si.reached_ms != l[i].si.reached_ms) {
			if (l[j].si.reached_ms > l[i].si.reached_ms)
				return 1;
		} else if (j < i)
			return 1;
	}
	return 0;
}

static struct status_line *
line_push(struct status_line **l, size_t *n, size_t *cap)
{
	struct status_line *a;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((a = realloc(*l, *cap * sizeof(*a))) == NULL)
			return NULL;
		*l = a;
	}
	a = &(*l)[(*n)++];
	memset(a, 0, sizeof(*a));
	return a;
}

void
net_status(struct daemon *d, const struct group *g, net_status_cb cb,
    void *ctx)
{
	net_status_each(d, g, 1, cb, ctx);
}

void
net_status_each(struct daemon *d, const struct group *g, int merge,
    net_status_cb cb, void *ctx)
{
	struct status_line *lines = NULL, *ln;
	struct net_status_info *si;
	struct net_conn *c;
	struct target *t;
	struct sync_stats st;
	const struct roster_member *m;
	struct group *tg;
	size_t n = 0, cap = 0, i;

	if (d->net == NULL)
		return;
	for (c = d->net->conns; c != NULL; c = c->next) {
		if (c->closing || c->g == NULL || (g != NULL && c->g != g) ||
		    (c->state != C_UP && !c->outgoing))
			continue;
		if ((ln = line_push(&lines, &n, &cap)) == NULL)
			goto out;
		si = &ln->si;
		si->g = c->g;
		si->has_member = c->has_remote || (c->target != NULL &&
		    c->target->has_member);
		if (c->has_remote)
			memcpy(si->member, c->remote_pk, BAL_PK_BYTES);
		else if (si->has_member)
			memcpy(si->member, c->target->member, BAL_PK_BYTES);
		m = si->has_member && c->g->roster ? roster_member_find(
		    c->g->roster, si->member) : NULL;
		si->name = m ? m->name : NULL;
		si->addr = c->addr;
		t = c->target;
		/*
		 * A session that came in: the address we dial it at (a
		 * punched one: where it is, the other's public address).
		 */
		if (!c->outgoing && c->has_remote && !c->punched &&
		    (t = session_target(d->net, c)) != NULL)
			si->addr = t->addr;
		if (!c->outgoing && t == NULL)
			snprintf(ln->endpoint, sizeof(ln->endpoint), "%s",
			    c->addr);
		else
			peer_dial_endpoint(si->addr, t, ln->endpoint);
		si->outgoing = c->outgoing;
		si->state = c->state == C_UP ? N_("up") : N_("connecting");
		ln->rank = c->state == C_UP ? 3 : 2;
		si->via = c->tp != NULL ? c->tp->via : "direct";
		si->punched = c->punched;
		si->caps = c->state == C_UP ? c->caps : 0;
		si->why = "";
		si->lan = si->has_member && lan_member_found(d->net, c->g->id,
		    si->member);
		if (c->sync != NULL) {
			sync_stats(c->sync, &st);
			si->level = st.level;
			si->entries_sent = st.entries_sent;
			si->entries_received = st.entries_received;
			si->since_ms = c->up_ms;
		}
	}
	for (t = d->net->targets; t != NULL; t = t->next) {
		if (t->conn != NULL || t->closed || !t->picked ||
		    (tg = group_find(d, t->group)) == NULL ||
		    (g != NULL && tg != g))
			continue;
		/* Its member is reached through another: no line of its own. */
		if (t->has_member && peer_member_session_up(d->net, t->group,
		    t->member, NULL))
			continue;
		if ((ln = line_push(&lines, &n, &cap)) == NULL)
			goto out;
		si = &ln->si;
		si->g = tg;
		si->has_member = t->has_member;
		memcpy(si->member, t->member, BAL_PK_BYTES);
		m = t->has_member && tg->roster ? roster_member_find(
		    tg->roster, t->member) : NULL;
		si->name = m ? m->name : NULL;
		si->addr = t->addr;
		peer_dial_endpoint(t->addr, t, ln->endpoint);
		si->outgoing = 1;
		si->state = N_("waiting");
		ln->rank = 1;
		si->via = "";
		si->why = t->why;
		si->reached_ms = t->reached_ms;
		si->lan = t->lan;
	}
	/*
	 * One line per peer: of the lines of one member (or of one place),
	 * the session, else the attempt, else the target reached last.  A
	 * member who left or was revoked is no peer.
	 */
	for (i = 0; i < n; i++)
		if (!(lines[i].si.has_member &&
		    peer_dial_member_removed(lines[i].si.g,
		    lines[i].si.member)) && (!merge ||
		    !outranked(lines, n, i))) {
			lines[i].si.endpoint = lines[i].endpoint;
			cb(ctx, &lines[i].si);
		}
out:
	free(lines);
}

void
net_peer_endpoint(struct daemon *d, const struct group *g, const char *addr,
    char *out, size_t outlen)
{
	char ep[DAEMON_ADDR_MAX];
	struct target *t = NULL;

	for (t = d->net != NULL ? d->net->targets : NULL; t != NULL;
	    t = t->next)
		if (!t->closed && memcmp(t->group, g->id,
		    BAL_GROUP_ID_BYTES) == 0 && strcmp(t->addr, addr) == 0)
			break;
	peer_dial_endpoint(addr, t, ep);
	snprintf(out, outlen, "%s", ep);
}

int
net_member_removed(const struct group *g, const uint8_t *pk)
{
	return peer_dial_member_removed(g, pk);
}
