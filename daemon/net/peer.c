/*
 * peer.c — TCP bytes <-> messages: connections (writing, reading, the
 * handshake (shs.h), framing (frame.h), timeouts and liveness, closing)
 * and the connections of join.c.  The network's start and stop are in
 * net.c, the member session in peer-session.c, the listener in
 * peer-listen.c, dial targets in peer-dial.c, level waiters and status in
 * peer-wait.c, rate-limited log lines in peer-ratelog.c (peer-int.h).  See
 * peer.h and docs/protocol.md.
 *
 * Lifetimes: a connection and a dial target own libuv handles and are
 * freed by the close callback of their last handle, never earlier, so a
 * pointer to one stays valid during any callback of the same loop turn.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sodium.h>

#include "addr.h"
#include "frame.h"
#include "group.h"
#include "onion.h"
#include "peer-int.h"
#include "store.h"
#include "sync.h"
#include "transport.h"

static void
short_id(const uint8_t pk[BAL_PK_BYTES], char out[16])
{
	char id[IDENTITY_ID_TEXT_BYTES];

	identity_id_encode(pk, id);
	snprintf(out, 16, "%.10s", id);
}

/* The member's roster name or short id, for the log. */
static const char *
member_label(const struct group *g, const uint8_t pk[BAL_PK_BYTES],
    char buf[NET_LABEL_MAX])
{
	const struct roster_member *m = NULL;
	char sid[16];

	short_id(pk, sid);
	if (g != NULL && g->roster != NULL)
		m = roster_member_find(g->roster, pk);
	if (m != NULL)
		snprintf(buf, NET_LABEL_MAX, "%s (%s)", m->name, sid);
	else
		snprintf(buf, NET_LABEL_MAX, "%s", sid);
	return buf;
}

const char *
peer_conn_label(const struct net_conn *c, char buf[NET_LABEL_MAX])
{
	if (!c->has_remote) {
		snprintf(buf, NET_LABEL_MAX, "%s", c->addr);
		return buf;
	}
	return member_label(c->g, c->remote_pk, buf);
}

int
net_addr_parse(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_storage tmp;
	struct addr_parts parts;
	char host[DAEMON_ADDR_MAX];
	const char *colon, *p;
	unsigned long port = 0;
	size_t hl;

	if (ss == NULL)
		ss = &tmp;
	if (addr == NULL || strlen(addr) >= DAEMON_ADDR_MAX)
		return BAL_EINVAL;
	/* An onion address has no socket address: it is dialed by name. */
	if (onion_addr_is(addr))
		return ss == &tmp ? 0 : BAL_EINVAL;
	/* Nor a host name (dynamic DNS): it is resolved when dialed. */
	if (addr_split(addr, &parts) == 0 && parts.kind == ADDR_NAME &&
	    strcmp(parts.host, "localhost") != 0)
		return ss == &tmp && parts.port != 0 ? 0 : BAL_EINVAL;
	if ((colon = strrchr(addr, ':')) == NULL || colon[1] == '\0')
		return BAL_EINVAL;
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return BAL_EINVAL;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535 || colon - addr > 6 + 64)
		return BAL_EINVAL;
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		memcpy(host, addr + 1, hl - 2);
		host[hl - 2] = '\0';
		if (uv_ip6_addr(host, (int)port,
		    (struct sockaddr_in6 *)ss) != 0)
			return BAL_EINVAL;
		return 0;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) != 0)
		return BAL_EINVAL;
	return 0;
}

void
peer_sockaddr_text(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 1] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		uv_ip4_name(s4, ip, sizeof(ip));
		port = ntohs(s4->sin_port);
		snprintf(out, outlen, "%s:%d", ip, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		const uint8_t *a = s6->sin6_addr.s6_addr;

		port = ntohs(s6->sin6_port);
		/* IPv4 on a dual-stack listener ([::]:P): said as IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			snprintf(out, outlen, "%u.%u.%u.%u:%d", a[12], a[13],
			    a[14], a[15], port);
			return;
		}
		uv_ip6_name(s6, ip, sizeof(ip));
		/*
		 * A link-local address means nothing without its interface:
		 * "[fe80::1%eth0]:P", which uv_ip6_addr reads back when it
		 * is dialed (a LAN target; never in a code or an announce).
		 */
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) &&
		    s6->sin6_scope_id != 0) {
			char zone[UV_IF_NAMESIZE];
			size_t zlen = sizeof(zone);

			if (uv_if_indextoname(s6->sin6_scope_id, zone,
			    &zlen) == 0)
				snprintf(ip + strlen(ip), sizeof(ip) -
				    strlen(ip), "%%%s", zone);
		}
		snprintf(out, outlen, "[%s]:%d", ip, port);
	} else {
		snprintf(out, outlen, "?");
	}
}

/* "90 s", or "300 ms" when not whole seconds. */
static void
ms_text(uint64_t ms, char *out, size_t outlen)
{
	if (ms % 1000 == 0)
		snprintf(out, outlen, "%llu s",
		    (unsigned long long)(ms / 1000));
	else
		snprintf(out, outlen, "%llu ms", (unsigned long long)ms);
}

/* Copies text as one BYE-safe line (printable ASCII, <= 200 bytes). */
static void
bye_text(const char *in, char out[WIRE_MAX_BYE_TEXT + 1])
{
	size_t i;

	for (i = 0; in != NULL && in[i] != '\0' && i < WIRE_MAX_BYE_TEXT; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

/* ---- writing ---- */

struct wreq {
	uv_write_t req;
	struct net_conn *c;
	uint8_t *buf;
};

static void
conn_unblock_check(struct net_conn *c)
{
	char why[160];

	if (!c->blocked || c->closing ||
	    uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >
	    NET_WRITE_QUEUE_CAP / 2)
		return;
	c->blocked = 0;
	if (c->sync != NULL) {
		sync_set_blocked(c->sync, 0);
		if (sync_notify(c->sync) != 0) {
			snprintf(why, sizeof(why), N_("cannot send"));
			peer_conn_close(c, WIRE_BYE_PROTOCOL, why);
			return;
		}
	}
	if (!c->blocked && !c->closing &&
	    uv_read_start((uv_stream_t *)&c->tcp, peer_on_alloc,
	    peer_on_read) != 0)
		peer_conn_close(c, -1, "cannot read");
}

static void
on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct net_conn *c = w->c;
	char why[96];

	free(w->buf);
	free(w);
	if (status < 0 && !c->closing) {
		snprintf(why, sizeof(why), N_("cannot write: %s"),
		    uv_strerror(status));
		peer_conn_drop(c, -1, RL_PENDING, why);
		return;
	}
	conn_unblock_check(c);
}

/* Queues buf (taken over) on c's socket. */
int
peer_conn_write(struct net_conn *c, uint8_t *buf, size_t len)
{
	struct wreq *w;
	uv_buf_t b;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		free(buf);
		return BAL_ENOMEM;
	}
	w->c = c;
	w->buf = buf;
	b = uv_buf_init((char *)buf, (unsigned)len);
	if ((rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1,
	    on_write)) != 0) {
		free(buf);
		free(w);
		return BAL_EIO;
	}
	if (!c->blocked && uv_stream_get_write_queue_size(
	    (uv_stream_t *)&c->tcp) > NET_WRITE_QUEUE_CAP) {
		c->blocked = 1;
		c->blocked_since = uv_now(c->net->d->loop);
		if (c->sync != NULL)
			sync_set_blocked(c->sync, 1);
		uv_read_stop((uv_stream_t *)&c->tcp);
	}
	return 0;
}

/* Sends one message as a frame. */
static int
conn_send_frame(struct net_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t *fr = NULL;
	size_t frlen;
	int rc;

	if (c->closing || c->tx == NULL || c->tx_final)
		return BAL_ESTATE;
	if ((rc = frame_push(c->tx, msg, len, &fr, &frlen)) != 0)
		return rc;
	if ((rc = peer_conn_write(c, fr, frlen)) == 0)
		c->tx_ms = uv_now(c->net->d->loop);
	return rc;
}

int
peer_conn_send_msg(struct net_conn *c, const struct wire_msg *m)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	/* Never what the peer did not say it understands (its HELLO). */
	if ((wire_caps_needed(m) & ~c->caps) != 0)
		return BAL_EINVAL;
	if ((rc = wire_encode(m, &buf, &len)) != 0)
		return rc;
	rc = conn_send_frame(c, buf, len);
	free(buf);
	return rc;
}

/* ---- closing ---- */

/* c no longer counts as a pending handshake (a session, or gone). */
void
peer_conn_pending_done(struct net_conn *c)
{
	if (!c->pending)
		return;
	c->pending = 0;
	c->net->npending--;
}

static void
conn_free(struct net_conn *c)
{
	struct net *net = c->net;
	struct net_conn **pp;

	for (pp = &net->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	peer_conn_pending_done(c);
	shs_free(c->shs);
	peer_listen_unref(c->tab);
	frame_tx_free(c->tx);
	frame_rx_free(c->rx);
	sync_free(c->sync);
	free(c);
}

static void
on_conn_handle_closed(uv_handle_t *h)
{
	struct net_conn *c = h->data;
	struct net *net = c->net;

	if (--c->handles == 0)
		conn_free(c);
	net_handle_gone(net);
}

static void
conn_close_handles(struct net_conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&c->timer))
		uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
}

static void
on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	conn_close_handles(req->data);
}

static void
on_close_guard(uv_timer_t *t)
{
	conn_close_handles(t->data);
}

int
peer_member_session_up(const struct net *net, const uint8_t *group,
    const uint8_t *pk, const struct net_conn *except)
{
	const struct net_conn *o;
	int up = 0;

	for (o = net->conns; o != NULL; o = o->next)
		if (o != except && !o->closing && o->state == C_UP &&
		    o->g != NULL && memcmp(o->g->id, group,
		    BAL_GROUP_ID_BYTES) == 0 &&
		    memcmp(o->remote_pk, pk, BAL_PK_BYTES) == 0) {
			if (!o->via_tor)
				return 1;
			up = 2;
		}
	return up;
}

/*
 * Closes c: sends BYE reason (reason < 0: none), notifies its handler or
 * target, and closes its handles once the BYE is written.  why is logged
 * for sessions that were up (NULL: nothing to log).
 */
void
peer_member_seen(struct net *net, const struct group *g,
    const uint8_t pk[BAL_PK_BYTES], uint64_t ms)
{
	struct target *t;

	for (t = net->targets; t != NULL; t = t->next)
		if (t->has_member && memcmp(t->group, g->id,
		    BAL_GROUP_ID_BYTES) == 0 && memcmp(t->member, pk,
		    BAL_PK_BYTES) == 0)
			t->reached_ms = ms;
}

void
peer_conn_close(struct net_conn *c, int reason, const char *why)
{
	struct net *net = c->net;
	struct wire_msg m;
	struct target *t, *ct;
	uint8_t *buf = NULL, *fr = NULL;
	size_t len, frlen;
	char text[WIRE_MAX_BYE_TEXT + 1], label[NET_LABEL_MAX];
	int was_up = c->state == C_UP, wrote = 0, stable;

	if (c->closing)
		return;
	c->closing = 1;
	punch_conn_gone(c);
	/* What the dial started beside the stream (a name's look-up). */
	if (c->tp != NULL && c->tp->close != NULL)
		c->tp->close(c);
	if (reason >= 0 && c->tx != NULL && !c->tx_final &&
	    c->state >= C_HELLO && c->state != C_HANDLER) {
		memset(&m, 0, sizeof(m));
		m.type = WIRE_BYE;
		m.bye.reason = (uint64_t)reason;
		bye_text(why, text);
		m.bye.text = text;
		if (wire_encode(&m, &buf, &len) == 0 &&
		    frame_push_final(c->tx, buf, len, &fr, &frlen) == 0) {
			c->tx_final = 1;
			wrote = peer_conn_write(c, fr, frlen) == 0;
		}
		free(buf);
	} else if (reason >= 0 && c->tx != NULL && !c->tx_final &&
	    c->state == C_HANDLER) {
		/* The join conversation ends with an empty FINAL frame. */
		if (frame_push_final(c->tx, NULL, 0, &fr, &frlen) == 0) {
			c->tx_final = 1;
			wrote = peer_conn_write(c, fr, frlen) == 0;
		}
	}
	if (was_up) {
		daemon_log("peer down: %s, group %s: %s",
		    peer_conn_label(c, label), group_name(c->g),
		    why != NULL && why[0] ? why : "closed");
		/* Last seen now, at each of the member's addresses. */
		if (c->g != NULL)
			peer_member_seen(net, c->g, c->remote_pk,
			    daemon_now_ms());
	}
	if (c->h != NULL && c->h->down != NULL) {
		const struct net_handler *h = c->h;

		c->h = NULL;
		h->down(c->hctx, c, why != NULL ? why : "");
	}
	stable = was_up &&
	    daemon_now_ms() - c->up_ms >= NET_SESSION_STABLE_MS;
	if ((ct = c->target) != NULL) {
		c->target = NULL;
		ct->conn = NULL;
		if (!was_up)
			snprintf(ct->why, sizeof(ct->why), "%s",
			    why != NULL && why[0] ? why : N_("closed"));
		if (!was_up)
			peer_dial_failed(ct, c->state == C_HANDSHAKE);
		else
			peer_dial_after_session(ct, stable);
	}
	/* Other targets of that member may dial now. */
	if (was_up && !net->stopping)
		for (t = net->targets; t != NULL; t = t->next)
			if (t != ct && t->conn == NULL && t->has_member &&
			    c->g != NULL && memcmp(t->group, c->g->id,
			    BAL_GROUP_ID_BYTES) == 0 && memcmp(t->member,
			    c->remote_pk, BAL_PK_BYTES) == 0)
				peer_dial_after_session(t, stable);
	uv_read_stop((uv_stream_t *)&c->tcp);
	uv_timer_stop(&c->timer);
	if (wrote && c->state != C_CONNECTING) {
		c->shutdown.data = c;
		if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp,
		    on_shutdown) == 0) {
			uv_timer_start(&c->timer, on_close_guard,
			    NET_CLOSE_GUARD_MS, 0);
			goto done;
		}
	}
	conn_close_handles(c);
done:
	if (was_up)
		peer_wait_check(net);
}

/*
 * Closes c like peer_conn_close, with one log line ("peer LABEL: WHY") if it
 * is no session yet
 * (a session's end is logged by peer_conn_close): rate limited (kind k) when c
 * came in, since a flood could repeat it; for a dial, on its target's
 * first failure only, since the backoff repeats it.
 */
void
peer_conn_drop(struct net_conn *c, int reason, enum ratelog_kind k,
    const char *why)
{
	char label[NET_LABEL_MAX];

	if (c->closing)
		return;
	if (c->state == C_UP) {
		peer_conn_close(c, reason, why);
		return;
	}
	if (!c->outgoing)
		peer_ratelog(c->net, k, "peer %s: %s%s",
		    peer_conn_label(c, label), c->state == C_HANDLER ?
		    "join conversation: " : "", why);
	else if (c->target == NULL || c->target->fails == 0)
		daemon_log("peer %s: %s%s", peer_conn_label(c, label),
		    c->state == C_HANDLER ? "join conversation: " : "", why);
	peer_conn_close(c, reason, why);
}

/* ---- connections: handshake, frames, timers ---- */

struct net_conn *
peer_conn_new(struct net *net, int pipe)
{
	struct net_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->net = net;
	c->is_pipe = pipe;
	if ((pipe ? uv_pipe_init(net->d->loop, &c->pipe, 0) :
	    uv_tcp_init(net->d->loop, &c->tcp)) != 0) {
		free(c);
		return NULL;
	}
	c->tcp.data = c;
	uv_timer_init(net->d->loop, &c->timer);
	c->timer.data = c;
	c->handles = 2;
	net->handles += 2;
	c->next = net->conns;
	net->conns = c;
	uv_timer_start(&c->timer, peer_on_timer, NET_HANDSHAKE_TIMEOUT_MS, 0);
	return c;
}

/*
 * Whether bytes from the peer wait unread in the socket.  libuv runs the
 * timers of a loop turn before it polls for input, so after a long stall
 * of the loop (a big commit, the process descheduled on a loaded machine)
 * the liveness check can run before the HAVE that arrived meanwhile is
 * read: a peer whose bytes are there is alive.
 */
static int
peer_unread(struct net_conn *c)
{
	uv_os_fd_t fd;
	int n = 0;

	if (uv_fileno((const uv_handle_t *)&c->tcp, &fd) != 0 ||
	    ioctl(fd, FIONREAD, &n) != 0)
		return 0;
	return n > 0;
}

/*
 * Periodic check of an established connection (liveness, stalls); the
 * timeout of the handshake, HELLO and the join conversation.
 */
void
peer_on_timer(uv_timer_t *t)
{
	struct net_conn *c = t->data;
	struct net *net = c->net;
	struct sync_stats st;
	uint64_t now = uv_now(net->d->loop);
	char why[64], dur[32];

	if (c->closing)
		return;
	if (c->state < C_UP || c->state == C_HANDLER) {
		if (c->state <= C_PREAMBLE)
			c->tor_retry = c->via_tor;
		peer_conn_drop(c, WIRE_BYE_PROTOCOL, c->state == C_HANDLER ?
		    RL_PENDING : RL_HS_TIMEOUT, c->state == C_HANDLER ?
		    "timed out" : c->state == C_HELLO ? "no HELLO in time" :
		    c->state == C_PREAMBLE && c->tp->preamble_late != NULL ?
		    c->tp->preamble_late : c->state == C_CONNECTING ?
		    "connection timed out" : "handshake timed out");
		return;
	}
	/* Liveness (docs/protocol.md): the peer sends at least every idle. */
	if (now - c->rx_ms >= net->dead_ms && !peer_unread(c)) {
		ms_text(net->dead_ms, dur, sizeof(dur));
		snprintf(why, sizeof(why), N_("nothing received for %s"), dur);
		peer_conn_close(c, WIRE_BYE_NORMAL, why);
		return;
	}
	if (!c->blocked && now - c->tx_ms >= net->idle_ms &&
	    sync_resend_have(c->sync) != 0) {
		peer_conn_close(c, WIRE_BYE_PROTOCOL, "cannot send");
		return;
	}
	if (c->blocked && now - c->blocked_since > NET_STALL_TIMEOUT_MS) {
		daemon_log("peer %s: does not read, dropped", c->addr);
		peer_conn_close(c, -1, "peer does not read");
		return;
	}
	if (c->sync != NULL) {
		sync_stats(c->sync, &st);
		if (st.data_acked != c->acked) {
			c->acked = st.data_acked;
			c->acked_ms = now;
		} else if (st.data_sent == st.data_acked) {
			c->acked_ms = now;
		} else if (now - c->acked_ms > NET_STALL_TIMEOUT_MS) {
			peer_conn_close(c, WIRE_BYE_PROTOCOL,
			    "no acknowledgement for too long");
			return;
		}
	}
}

static int
frames_start(struct net_conn *c)
{
	const struct shs_result *r = shs_result(c->shs);
	uint8_t header[FRAME_HEADER_BYTES], *buf;
	int rc;

	memcpy(c->remote_pk, r->remote_pk, BAL_PK_BYTES);
	c->has_remote = 1;
	memcpy(c->tie, r->tie, sizeof(c->tie));
	if ((rc = frame_tx_new(r->is_client ? r->c2s_key : r->s2c_key, header,
	    &c->tx)) != 0 || (rc = frame_rx_new(r->is_client ? r->s2c_key :
	    r->c2s_key, &c->rx)) != 0)
		return rc;
	if ((buf = malloc(sizeof(header))) == NULL)
		return BAL_ENOMEM;
	memcpy(buf, header, sizeof(header));
	return peer_conn_write(c, buf, sizeof(header));
}

/* The handshake finished: frames, then HELLO or the invite handler. */
static void
conn_handshake_done(struct net_conn *c)
{
	const struct shs_result *r = shs_result(c->shs);
	struct target *t = c->target;
	char why[128];
	int rc;

	if ((rc = frames_start(c)) != 0) {
		snprintf(why, sizeof(why), N_("cannot start the stream: %s"),
		    bal_strerror(rc));
		peer_conn_drop(c, -1, RL_PENDING, why);
		return;
	}
	if (!r->is_client && c->tab->slots[r->key_index].is_invite) {
		struct invite_open inv = c->tab->slots[r->key_index].inv;

		c->state = C_HANDLER;
		uv_timer_start(&c->timer, peer_on_timer, NET_JOIN_TIMEOUT_MS,
		    0);
		join_serve(c->net->d, c, &inv);
		sodium_memzero(&inv, sizeof(inv));
		if (c->h == NULL && !c->closing)
			peer_conn_drop(c, -1, RL_PENDING,
			    "cannot serve the invite");
		else if (c->h != NULL && c->h->up != NULL && !c->closing)
			c->h->up(c->hctx, c);
		return;
	}
	if (c->state == C_HANDLER || c->h != NULL) {
		c->state = C_HANDLER;
		uv_timer_start(&c->timer, peer_on_timer, NET_JOIN_TIMEOUT_MS,
		    0);
		if (c->h->up != NULL)
			c->h->up(c->hctx, c);
		return;
	}
	/* Whom we dialed must be an active member too (not a revoked one). */
	if (r->is_client && (c->g == NULL || c->g->roster == NULL ||
	    !roster_is_active(c->g->roster, c->remote_pk))) {
		daemon_log("peer %s: not an active member of the group, "
		    "closed", c->addr);
		peer_conn_close(c, WIRE_BYE_NOT_MEMBER, "not a member");
		return;
	}
	if (t != NULL && !t->has_member) {
		memcpy(t->member, c->remote_pk, BAL_PK_BYTES);
		t->has_member = 1;
		store_peer_add(c->net->d->store, t->group, t->addr,
		    c->remote_pk);
	}
	/* The handshake proved who answers at t (its member's key). */
	if (t != NULL && memcmp(t->member, c->remote_pk, BAL_PK_BYTES) == 0)
		t->member_seen = 1;
	if ((rc = peer_session_hello(c)) != 0) {
		snprintf(why, sizeof(why), N_("cannot send HELLO: %s"),
		    bal_strerror(rc));
		peer_conn_drop(c, -1, RL_PENDING, why);
	}
}

/* Feeds handshake bytes; returns how many of data were used, or < 0. */
static ssize_t
conn_handshake_feed(struct net_conn *c, const uint8_t *data, size_t len)
{
	uint8_t out[SHS_MSG_MAX], *buf;
	size_t need, take, outlen;
	int rc;

	if (c->shs == NULL)
		return BAL_ESTATE;
	need = shs_expect(c->shs);
	take = need - c->hslen < len ? need - c->hslen : len;
	memcpy(c->hsbuf + c->hslen, data, take);
	c->hslen += take;
	if (c->hslen < need)
		return (ssize_t)take;
	outlen = sizeof(out);
	rc = shs_step(c->shs, c->hsbuf, c->hslen, out, &outlen);
	sodium_memzero(c->hsbuf, sizeof(c->hsbuf));
	c->hslen = 0;
	if (rc != 0)
		return rc;
	if (shs_done(c->shs) && !shs_result(c->shs)->is_client &&
	    peer_listen_admit(c) != 0) {
		sodium_memzero(out, sizeof(out));
		return BAL_EPERM;
	}
	if (outlen > 0) {
		if ((buf = malloc(outlen)) == NULL)
			return BAL_ENOMEM;
		memcpy(buf, out, outlen);
		if ((rc = peer_conn_write(c, buf, outlen)) != 0)
			return rc;
	}
	if (shs_done(c->shs)) {
		conn_handshake_done(c);
		/* What is left of the handshake: the keys are in the frames. */
		shs_free(c->shs);
		c->shs = NULL;
		peer_listen_unref(c->tab);
		c->tab = NULL;
	}
	return (ssize_t)take;
}

/* Feeds transport bytes and handles every whole frame. */
static void
conn_frames_feed(struct net_conn *c, const uint8_t *data, size_t len)
{
	uint8_t *msg;
	size_t room, take, mlen;
	char label[NET_LABEL_MAX], why[128];
	int rc;

	while (!c->closing && (len > 0 || c->rx != NULL)) {
		room = frame_rx_room(c->rx);
		take = len < room ? len : room;
		if (take > 0 && (rc = frame_rx_feed(c->rx, data, take)) != 0)
			goto bad;
		data += take;
		len -= take;
		for (;;) {
			if (c->closing)
				return;
			rc = frame_rx_next(c->rx, &msg, &mlen);
			if (rc == BAL_EAGAIN)
				break;
			if (rc == BAL_EEOF) {
				peer_conn_drop(c, -1, RL_PENDING,
				    "peer closed the stream");
				return;
			}
			if (rc != 0)
				goto bad;
			if (c->state == C_HANDLER) {
				if (c->h != NULL && c->h->msg != NULL &&
				    c->h->msg(c->hctx, c, msg, mlen) != 0 &&
				    !c->closing)
					peer_conn_close(c, -1, "join failed");
			} else {
				peer_session_on_wire(c, msg, mlen);
			}
			frame_msg_free(msg);
		}
		if (len == 0)
			return;
	}
	return;
bad:
	snprintf(why, sizeof(why), N_("bad frame (%s)"), bal_strerror(rc));
	daemon_log("peer %s: %s, dropped", peer_conn_label(c, label), why);
	peer_conn_close(c, -1, why);
}

/*
 * Every connection reads into the one buffer of the net: peer_on_read consumes
 * what it gets before it returns, and libuv reads one stream at a time.
 */
void
peer_on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	struct net_conn *c = h->data;

	(void)size;
	*buf = uv_buf_init(c->net->rbuf, sizeof(c->net->rbuf));
}

void
peer_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct net_conn *c = s->data;
	const uint8_t *p = (const uint8_t *)buf->base;
	size_t len;
	ssize_t used;
	const char *why;
	char text[128];
	int rc;

	if (c->closing || nread == 0)
		return;
	if (nread < 0) {
		why = nread == UV_EOF ? N_("connection closed") :
		    uv_strerror((int)nread);
		if (c->state == C_HANDSHAKE)
			snprintf(text, sizeof(text), N_("%s during the "
			    "handshake"), why);
		else
			snprintf(text, sizeof(text), "%s", why);
		peer_conn_drop(c, -1, c->state == C_HANDSHAKE ? RL_HS_CLOSED :
		    RL_PENDING, text);
		return;
	}
	len = (size_t)nread;
	c->rx_ms = uv_now(c->net->d->loop);
	while (len > 0 && !c->closing && c->state == C_PREAMBLE) {
		if ((used = c->tp->feed(c, p, len)) < 0)
			return;
		p += used;
		len -= (size_t)used;
	}
	if (c->state == C_HANDSHAKE && !c->outgoing && c->shs == NULL &&
	    (rc = peer_listen_handshake(c)) != 0) {
		peer_ratelog(c->net, RL_HS_REFUSED, "peer %s: handshake "
		    "refused (%s)", c->addr, rc == BAL_ENOENT ?
		    "no network key: no group and no open invite" :
		    bal_strerror(rc));
		peer_conn_close(c, -1, N_("handshake failed"));
		return;
	}
	while (len > 0 && !c->closing && c->state == C_HANDSHAKE) {
		if ((used = conn_handshake_feed(c, p, len)) < 0) {
			snprintf(text, sizeof(text), c->outgoing ?
			    N_("handshake failed (%s)") :
			    N_("handshake refused (%s)"),
			    bal_strerror((int)used));
			peer_conn_drop(c, -1, used == BAL_EPERM ? RL_HS_DENIED :
			    RL_HS_REFUSED, text);
			return;
		}
		p += used;
		len -= (size_t)used;
	}
	if (len > 0 && !c->closing)
		conn_frames_feed(c, p, len);
}

/* ---- invite connections ---- */

int
net_dial_invite(struct daemon *d, const char *addr,
    const uint8_t netkey[BAL_KEY_BYTES], const uint8_t server_pk[BAL_PK_BYTES],
    uint64_t dial_ms, const struct net_handler *h, void *ctx,
    struct net_conn **out)
{
	struct net_conn *c;

	if (out != NULL)
		*out = NULL;
	if (d->net == NULL || d->net->stopping)
		return BAL_ESTATE;
	if (net_addr_parse(addr, NULL) != 0)
		return BAL_EINVAL;
	if ((c = peer_dial_conn(d->net, NULL, addr, netkey,
	    server_pk)) == NULL)
		return BAL_EIO;
	/* transport_conn_new started the transport's own limit. */
	if (dial_ms != 0 && c->tp != NULL && dial_ms < c->tp->dial_timeout_ms)
		uv_timer_start(&c->timer, peer_on_timer, dial_ms, 0);
	c->h = h;
	c->hctx = ctx;
	if (out != NULL)
		*out = c;
	return 0;
}

void
net_conn_set_handler(struct net_conn *c, const struct net_handler *h,
    void *ctx)
{
	c->h = h;
	c->hctx = ctx;
}

int
net_conn_send(struct net_conn *c, const uint8_t *msg, size_t len)
{
	return conn_send_frame(c, msg, len);
}

int
net_conn_member(struct net_conn *c, struct group *g)
{
	const struct net_handler *h = c->h;
	int rc;

	if (c->closing || c->state != C_HANDLER)
		return BAL_ESTATE;
	c->h = NULL;
	c->g = g;
	if (h != NULL && h->down != NULL)
		h->down(c->hctx, c, "");
	uv_timer_start(&c->timer, peer_on_timer, NET_HANDSHAKE_TIMEOUT_MS, 0);
	if ((rc = peer_session_hello(c)) != 0)
		peer_conn_drop(c, -1, RL_PENDING, "cannot send HELLO");
	return rc;
}

void
net_conn_hold(struct net_conn *c, uint64_t ms)
{
	if (!c->closing && c->state == C_HANDLER)
		uv_timer_start(&c->timer, peer_on_timer, ms, 0);
}

void
net_conn_close(struct net_conn *c, int reason, const char *text)
{
	(void)reason;
	peer_conn_close(c, c->state == C_HANDLER ? 0 : reason, text);
}

const uint8_t *
net_conn_remote_pk(const struct net_conn *c)
{
	return c->remote_pk;
}

int
net_conn_retryable(const struct net_conn *c)
{
	return c->tor_retry;
}

const char *
net_conn_addr(const struct net_conn *c)
{
	return c->addr;
}
