/*
 * peer-session.c — a member session: HELLO, one session per (member,
 * group), the messages of the sync engine (sync.h), relays to the other
 * sessions, and the hooks from group.c (new entries, roster changes, a
 * group forgotten).  See docs/protocol.md "Sessions and sync".
 */
#include <stdio.h>
#include <string.h>
#include <netinet/tcp.h>

#include "group.h"
#include "onion.h"
#include "peer-int.h"
#include "store.h"
#include "sync.h"
#include "tor.h"

static int
sync_send_cb(void *ctx, const struct wire_msg *m)
{
	return peer_conn_send_msg(ctx, m);
}

/*
 * TCP keepalive on a session: the first probe after idle_ms (rounded down
 * to seconds, at least 1) without traffic, then one every third of that;
 * after 6 unanswered ones the kernel ends the connection.  The liveness
 * check of peer_on_timer bounds it anyway; the probes keep NAT mappings
 * alive and find a peer that rebooted.
 */
static void
conn_keepalive(struct net_conn *c)
{
	unsigned delay = (unsigned)(c->net->idle_ms / 1000);
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
	uv_os_fd_t fd;
	int intvl, cnt = 6;
#endif

	if (delay == 0)
		delay = 1;
	if (c->is_pipe)
		return;		/* through tor: its own liveness */
	if (uv_tcp_keepalive(&c->tcp, 1, delay) != 0)
		return;
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
	intvl = delay / 3 > 0 ? (int)(delay / 3) : 1;
	if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
		    sizeof(intvl));
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt,
		    sizeof(cnt));
	}
#endif
}

/* Sends our HELLO and waits for the peer's. */
int
peer_session_hello(struct net_conn *c)
{
	struct wire_msg m;
	const char *addrs[2];
	size_t n = 0;

	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	memcpy(m.hello.group_id, c->g->id, BAL_GROUP_ID_BYTES);
	m.hello.software = NET_SOFTWARE;
	m.hello.caps = NET_CAPS;
	/* The onion address first; no IP address in a tor-only group. */
	if (tor_onion(c->net->d) != NULL)
		addrs[n++] = tor_onion(c->net->d);
	if (c->net->d->listen[0] != '\0' && !group_tor_only(c->g))
		addrs[n++] = c->net->d->listen;
	if (n > 0) {
		m.hello.addrs = addrs;
		m.hello.naddrs = n;
	}
	c->state = C_HELLO;
	return peer_conn_send_msg(c, &m);
}

/* The member (by pk) who dialed connection c. */
static const uint8_t *
conn_dialer(const struct net_conn *c)
{
	return c->outgoing ? c->net->d->id->pk : c->remote_pk;
}

static void
conn_on_hello(struct net_conn *c, const struct wire_msg *m)
{
	struct net_conn *o;
	char label[NET_LABEL_MAX], why[160], lack[64];
	int rc, cmp;

	if (memcmp(m->hello.group_id, c->g->id, BAL_GROUP_ID_BYTES) != 0) {
		peer_conn_drop(c, WIRE_BYE_NOT_MEMBER, RL_PENDING,
		    "HELLO of another group");
		return;
	}
	/*
	 * What the peer understands beyond the base, for the whole session
	 * (a second HELLO ends it): what it did not announce is never sent
	 * to it, nor taken from it.
	 */
	c->caps = m->hello.caps & NET_CAPS;
	/*
	 * The HELLO's addresses are not dial targets: only announced and
	 * typed addresses are (docs/protocol.md "Dial targets").  Where a
	 * member was seen connecting from is a NAT's address and port.
	 */
	/*
	 * One session per (member, group): keep the one dialed by the
	 * smaller key; between two of the same dialer, the one with the
	 * smaller tie.  Both ends decide alike, whatever the order in which
	 * the HELLOs arrive.
	 */
	for (o = c->net->conns; o != NULL; o = o->next) {
		if (o == c || o->closing || o->state != C_UP || o->g != c->g ||
		    memcmp(o->remote_pk, c->remote_pk, BAL_PK_BYTES) != 0)
			continue;
		/*
		 * A member dials only when it holds no session with us, so a
		 * new session next to one that has been up for
		 * NET_SESSION_STABLE_MS means the member lost it: it
		 * restarted, or its address changed (a router back with a new
		 * public address), and ours is dead without a FIN or RST and
		 * would only be closed by the liveness rule, 90 s later.  Only
		 * the member can make a new authenticated session, so the
		 * new one replaces the old at once, on both ends alike.  Two
		 * young sessions are dials at the same time: the rule below.
		 */
		/*
		 * A direct session (dialed or punched) replaces one through
		 * tor at once, whatever their ages and dialers: faster, and
		 * both ends see alike which is which.
		 */
		if (o->via_tor && !c->via_tor) {
			daemon_log("peer %s: a direct session replaces the one "
			    "through tor", peer_conn_label(c, label));
			peer_conn_close(o, WIRE_BYE_DUPLICATE,
			    "replaced by a direct session");
			continue;
		}
		if (daemon_now_ms() - o->up_ms >= NET_SESSION_STABLE_MS) {
			daemon_log("peer %s: a new session replaces the one up "
			    "since %llu s at %s (the member lost it; its "
			    "address may have changed)", peer_conn_label(c,
			    label), (unsigned long long)((daemon_now_ms() -
			    o->up_ms) / 1000), o->addr);
			peer_conn_close(o, WIRE_BYE_DUPLICATE,
			    "replaced by a new session of this member");
			continue;
		}
		cmp = memcmp(conn_dialer(c), conn_dialer(o), BAL_PK_BYTES);
		if (cmp == 0)
			cmp = memcmp(c->tie, o->tie, sizeof(c->tie));
		if (cmp < 0) {
			peer_conn_close(o, WIRE_BYE_DUPLICATE,
			    "already connected to this member");
		} else {
			daemon_log("peer %s: already connected to this "
			    "member, duplicate session closed",
			    peer_conn_label(c, label));
			/*
			 * The peer dialed although we hold a session with it:
			 * ours may be half-open (it restarted while the network
			 * was down).  Sending on it draws the peer's RST at once,
			 * so the next dial gets in.
			 */
			if (!o->blocked && o->sync != NULL)
				(void)sync_resend_have(o->sync);
			peer_conn_close(c, WIRE_BYE_DUPLICATE,
			    "already connected to this member");
			return;
		}
	}
	if ((rc = sync_new(c->g, c, sync_send_cb, c, &c->sync)) != 0) {
		peer_conn_drop(c, WIRE_BYE_SHUTDOWN, RL_PENDING,
		    "out of memory");
		return;
	}
	sync_set_peer(c->sync, c->remote_pk);
	if (c->blocked)
		sync_set_blocked(c->sync, 1);
	c->state = C_UP;
	peer_conn_pending_done(c);
	conn_keepalive(c);
	c->up_ms = daemon_now_ms();
	if (c->target != NULL) {
		c->target->reached_ms = c->up_ms;
		c->target->why[0] = '\0';
	} else	/* dialed by them: seen all the same */
		peer_member_seen(c->net, c->g, c->remote_pk, c->up_ms);
	c->acked_ms = c->rx_ms = c->tx_ms = uv_now(c->net->d->loop);
	uv_timer_start(&c->timer, peer_on_timer, c->net->tick_ms,
	    c->net->tick_ms);
	if (c->target != NULL)
		peer_dial_up(c->target);
	daemon_log("peer up: %s at %s, group %s%s", peer_conn_label(c, label),
	    c->addr, group_name(c->g), c->via_tor ? ", through tor" : "");
	if ((NET_CAPS & ~c->caps) != 0) {
		(void)wire_caps_text(NET_CAPS & ~c->caps, lack, sizeof(lack));
		/* Such software reconnecting at each backoff: a line
		 * per NET_RATELOG_MS, not per session. */
		peer_ratelog(c->net, RL_OLD_SOFTWARE, "peer %s: announces no "
		    "%s (older software): nothing of it is sent to it",
		    peer_conn_label(c, label), lack);
	}
	if ((rc = sync_start(c->sync)) != 0) {
		snprintf(why, sizeof(why), N_("cannot send HAVE: %s"),
		    bal_strerror(rc));
		peer_conn_close(c, WIRE_BYE_PROTOCOL, why);
	}
}

/* Handles one received frame of a member connection. */
void
peer_session_on_wire(struct net_conn *c, const uint8_t *buf, size_t len)
{
	struct wire_msg *m = NULL;
	struct sync_stats before, after;
	char why[256], label[NET_LABEL_MAX];
	int rc;

	rc = wire_decode(buf, len, &m);
	if (rc == BAL_EVERSION) {
		snprintf(why, sizeof(why), N_("protocol version mismatch: we "
		    "speak %d, you speak %llu"), WIRE_VERSION,
		    (unsigned long long)m->hello.version);
		daemon_log("peer %s: %s", peer_conn_label(c, label), why);
		peer_conn_close(c, WIRE_BYE_VERSION, why);
		goto out;
	}
	if (rc != 0) {
		daemon_log("peer %s: malformed message (%s), dropped",
		    peer_conn_label(c, label), bal_strerror(rc));
		peer_conn_close(c, WIRE_BYE_PROTOCOL, "malformed message");
		goto out;
	}
	if (m->type == WIRE_BYE) {
		snprintf(why, sizeof(why), "peer said bye (%s%s%s)",
		    wire_bye_reason_name(m->bye.reason),
		    m->bye.text[0] ? ": " : "", m->bye.text);
		if (c->state != C_UP)
			daemon_log("peer %s: %s", peer_conn_label(c, label),
			    why);
		peer_conn_close(c, -1, why);
		goto out;
	}
	if (c->state == C_HELLO) {
		if (m->type != WIRE_HELLO) {
			daemon_log("peer %s: %s before HELLO, dropped",
			    peer_conn_label(c, label), wire_type_name(m->type));
			peer_conn_close(c, WIRE_BYE_PROTOCOL, "expected HELLO");
			goto out;
		}
		conn_on_hello(c, m);
		goto out;
	}
	if (m->type == WIRE_HELLO) {
		daemon_log("peer %s: second HELLO, dropped",
		    peer_conn_label(c, label));
		peer_conn_close(c, WIRE_BYE_PROTOCOL, "second HELLO");
		goto out;
	}
	/*
	 * A message of a capability that one of us did not announce: the
	 * peer breaks the protocol it chose at the handshake (the treatment
	 * of any unexpected message).
	 */
	if ((wire_caps_needed(m) & ~c->caps) != 0) {
		char name[32];

		(void)wire_caps_text(wire_caps_needed(m), name, sizeof(name));
		if (m->type == WIRE_PUNCH)
			snprintf(why, sizeof(why), " op %u",
			    (unsigned)m->punch.op);
		else
			why[0] = '\0';
		daemon_log("peer %s: %s%s without capability %s, dropped",
		    peer_conn_label(c, label), wire_type_name(m->type), why,
		    name);
		peer_conn_close(c, WIRE_BYE_PROTOCOL,
		    "message of a capability not announced");
		goto out;
	}
	if (m->type == WIRE_PUNCH) {	/* punch.c: not the sync's */
		punch_on_msg(c, m);
		goto out;
	}
	sync_stats(c->sync, &before);
	if ((rc = sync_on_msg(c->sync, m, why, sizeof(why))) != 0) {
		/* Closed while it stored them (the roster removed the peer). */
		if (c->closing)
			goto out;
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "%s", bal_strerror(rc));
		daemon_log("peer %s: rejected %s: %s",
		    peer_conn_label(c, label), wire_type_name(m->type), why);
		peer_conn_close(c, WIRE_BYE_PROTOCOL, why);
		goto out;
	}
	sync_stats(c->sync, &after);
	if (after.entries_stored > before.entries_stored)
		daemon_log("sync: %llu entries received from %s, group %s",
		    (unsigned long long)(after.entries_stored -
		    before.entries_stored), peer_conn_label(c, label),
		    group_name(c->g));
	peer_wait_check(c->net);
out:
	wire_msg_free(m);
}

/* ---- hooks from group.c ---- */

/*
 * The relay tick: sends the HAVEs that are due (what we just stored, so
 * that peers do not relay it to us) and then the relays whose delay has
 * passed; re-arms itself for the next one.
 */
static void
on_relay(uv_timer_t *t)
{
	struct net *net = t->data;
	struct net_conn *c;
	uint64_t now = uv_now(net->d->loop), next = 0;

	for (c = net->conns; c != NULL; c = c->next) {
		if (c->closing || c->state != C_UP) {
			c->have_due = 0;
			c->relay_due = 0;
			continue;
		}
		if (c->have_due) {
			c->have_due = 0;
			if (sync_resend_have(c->sync) != 0) {
				peer_conn_close(c, WIRE_BYE_PROTOCOL,
				    "cannot send");
				continue;
			}
		}
	}
	for (c = net->conns; c != NULL; c = c->next) {
		if (c->closing || c->state != C_UP || c->relay_due == 0)
			continue;
		if (c->relay_due > now) {
			if (next == 0 || c->relay_due < next)
				next = c->relay_due;
			continue;
		}
		c->relay_due = 0;
		if (sync_notify(c->sync) != 0)
			peer_conn_close(c, WIRE_BYE_PROTOCOL, "cannot send");
	}
	if (next != 0 && !net->stopping)
		uv_timer_start(&net->relay, on_relay, next - now, 0);
}

static void
session_on_entry(struct daemon *d, struct group *g, const uint8_t *blob,
    size_t len, const void *source)
{
	struct net_conn *c;
	struct sync_stats st;
	uint64_t now;
	int tick = 0, rc;

	(void)blob;
	(void)len;
	if (d->net == NULL)
		return;
	now = uv_now(d->loop);
	for (c = d->net->conns; c != NULL; c = c->next) {
		if (c->closing || c->state != C_UP || c->g != g ||
		    (const void *)c == source)
			continue;
		if (source == NULL || !d->net->has_relay) {
			/* Our own entry: every peer lacks it, send now. */
			if (sync_notify(c->sync) != 0)
				peer_conn_close(c, WIRE_BYE_PROTOCOL,
				    "cannot send");
			continue;
		}
		c->have_due = 1;
		if (c->relay_due == 0)
			c->relay_due = now + NET_RELAY_DELAY_MS;
		tick = 1;
		/*
		 * The session is no longer level until the relay: let the
		 * engine see that now (blocked, so it sends nothing), or
		 * `sync --wait` would answer before the relay went out.
		 */
		sync_stats(c->sync, &st);
		if (st.level) {
			sync_set_blocked(c->sync, 1);
			rc = sync_notify(c->sync);
			sync_set_blocked(c->sync, c->blocked);
			if (rc != 0)
				peer_conn_close(c, WIRE_BYE_PROTOCOL,
				    "cannot send");
		}
	}
	/* At the next loop turn: once per batch, however many entries. */
	if (tick)
		uv_timer_start(&d->net->relay, on_relay, 0, 0);
	/* Announces may have taught the store new addresses. */
	if (d->net->has_rescan && !uv_is_active((uv_handle_t *)&d->net->rescan))
		uv_timer_start(&d->net->rescan, peer_dial_rescan, 200, 0);
	peer_wait_check(d->net);
}

static void
session_on_roster(struct daemon *d, struct group *g)
{
	struct net_conn *c;
	const struct roster_member *m;

	if (d->net == NULL)
		return;
	for (c = d->net->conns; c != NULL; c = c->next) {
		if (c->closing || c->g != g || !c->has_remote ||
		    (c->state != C_UP && c->state != C_HELLO))
			continue;
		if (g->roster != NULL && roster_is_active(g->roster,
		    c->remote_pk))
			continue;
		m = g->roster ? roster_member_find(g->roster, c->remote_pk) :
		    NULL;
		if (m != NULL && m->status == ROSTER_REVOKED)
			peer_conn_drop(c, WIRE_BYE_REVOKED, RL_PENDING,
			    "revoked");
		else
			peer_conn_drop(c, WIRE_BYE_NOT_MEMBER, RL_PENDING,
			    "no longer a member");
	}
	/* Epoch keys may have come or gone with it. */
	d->net->tab_dirty = 1;
	join_on_roster(d, g);
}

void
peer_session_on_event(struct daemon *d, const struct group_event *ev)
{
	switch (ev->kind) {
	case GROUP_EVENT_ENTRY:
		session_on_entry(d, ev->g, ev->blob, ev->len, ev->source);
		break;
	case GROUP_EVENT_ROSTER:
		session_on_roster(d, ev->g);
		if (d->net != NULL)
			lan_groups_changed(d->net);
		break;
	case GROUP_EVENT_REMOVED:
		net_group_gone(d, ev->g, ev->reason, ev->text);
		if (d->net != NULL)
			lan_groups_changed(d->net);
		break;
	case GROUP_EVENT_KEYS:
		net_keys_changed(d);
		break;
	}
}

void
net_group_gone(struct daemon *d, struct group *g, int reason,
    const char *text)
{
	struct net *net = d->net;
	struct net_conn *c;
	struct target *t;
	struct waiter *w, *next;

	if (net == NULL || g == NULL || net->stopping)
		return;
	net->tab_dirty = 1;
	/* Targets first, so that closing their connections redials nothing. */
	for (t = net->targets; t != NULL; t = t->next)
		if (memcmp(t->group, g->id, BAL_GROUP_ID_BYTES) == 0)
			peer_dial_close(t);
	for (c = net->conns; c != NULL; c = c->next)
		if (c->g == g) {
			peer_conn_close(c, reason, text);
			c->g = NULL;
		}
	for (w = net->waiters; w != NULL; w = next) {
		next = w->next;
		if (w->g == g)
			peer_wait_finish(w, BAL_ESTATE);
	}
}
