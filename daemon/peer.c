/*
 * peer.c — TCP bytes <-> messages: the listener, the dialer with backoff,
 * the handshake (shs.h), framing (frame.h), HELLO, and one sync engine
 * (sync.h) per member session.  See peer.h and docs/protocol.md.
 *
 * Lifetimes: a connection and a dial target own libuv handles and are
 * freed by the close callback of their last handle, never earlier, so a
 * pointer to one stays valid during any callback of the same loop turn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "entry.h"
#include "frame.h"
#include "group.h"
#include "invite.h"
#include "peer.h"
#include "roster.h"
#include "shs.h"
#include "store.h"
#include "sync.h"
#include "wire.h"

#define NET_KEYS_PER_GROUP 64
#define NET_READ_BUF (64u * 1024)
#define NET_CLOSE_GUARD_MS 2000
#define NET_TICK_MS 1000
#define NET_JOIN_TIMEOUT_MS 30000
/*
 * Entries received from one session are relayed to the others only after
 * this delay, and only if the peer has not meanwhile said (HAVE, sent at
 * once to every other session) that it holds them: in a mesh every member
 * gets a new entry straight from its author, and the relays would
 * otherwise send each one again to everyone.
 */
#define NET_RELAY_DELAY_MS 20
#define NET_SOFTWARE "balintd " BAL_VERSION_STRING
#define NET_LABEL_MAX (ROSTER_NAME_MAX + DAEMON_ADDR_MAX + 20)
#define NET_TIE_BYTES 16
#define NET_TIE_LABEL "balint-session-tie-v1"

enum conn_state {
	C_CONNECTING,
	C_HANDSHAKE,
	C_HELLO,		/* our HELLO sent, waiting for the peer's */
	C_UP,			/* member session with a sync engine */
	C_HANDLER		/* invite conversation (invite.c) */
};

/* What each network key of a listening handshake stands for. */
struct keyslot {
	int is_invite;
	uint8_t group[BAL_GROUP_ID_BYTES];
	struct invite_open inv;
};

struct target;

struct net_conn {
	struct net *net;
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t connect;
	uv_shutdown_t shutdown;
	int handles;			/* open handles of this conn */
	int closing;
	int outgoing;
	enum conn_state state;
	struct shs *shs;
	uint8_t hsbuf[SHS_MSG_MAX];
	size_t hslen;
	struct keyslot *slots;		/* listening side, until the end */
	size_t nslots;
	struct frame_tx *tx;
	int tx_final;
	struct frame_rx *rx;
	struct group *g;
	uint8_t remote_pk[BAL_PK_BYTES];
	int has_remote;
	/* Equal on both ends: orders two sessions of the same dialer. */
	uint8_t tie[NET_TIE_BYTES];
	char addr[DAEMON_ADDR_MAX];
	struct target *target;
	struct sync *sync;
	const struct net_handler *h;
	void *hctx;
	uint64_t up_ms;
	uint64_t blocked_since;
	uint64_t acked;
	uint64_t acked_ms;
	int blocked;
	int have_due;			/* send our HAVE at the next relay tick */
	uint64_t relay_due;		/* loop time to relay at, 0: none */
	char rbuf[NET_READ_BUF];
	struct net_conn *next;
};

struct target {
	struct net *net;
	uv_timer_t timer;
	int closed;
	uint8_t group[BAL_GROUP_ID_BYTES];
	char addr[DAEMON_ADDR_MAX];
	uint8_t member[BAL_PK_BYTES];
	int has_member;
	size_t cand;			/* next candidate when member unknown */
	size_t keyi;			/* network key to try */
	unsigned fails;
	struct net_conn *conn;		/* the attempt or session */
	struct target *next;
};

struct waiter {
	struct net *net;
	uv_timer_t timer;
	int timed;
	int done;
	struct group *g;
	net_level_cb cb;
	void *ctx;
	struct waiter *next;
};

struct net {
	struct daemon *d;
	uv_tcp_t listener;
	int listening;
	int handles;
	int stopping;
	struct net_conn *conns;
	struct target *targets;
	struct waiter *waiters;
	void *invite;			/* invite.c's state */
	uv_timer_t rescan;		/* re-reads stored peer addresses */
	int has_rescan;
	uv_timer_t relay;		/* HAVEs and delayed relays */
	int has_relay;
};

static void conn_close(struct net_conn *c, int reason, const char *why);
static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void target_schedule(struct target *t, uint64_t delay_ms);
static void target_failed(struct target *t, int reached);
static void waiters_check(struct net *net);

/* ---- small helpers ---- */

static void
net_handle_gone(struct net *net)
{
	struct daemon *d = net->d;

	net->handles--;
	if (net->stopping && net->handles == 0) {
		free(net);
		d->net = NULL;
	}
}

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

static const char *
conn_label(const struct net_conn *c, char buf[NET_LABEL_MAX])
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
	char host[DAEMON_ADDR_MAX];
	const char *colon, *p;
	unsigned long port = 0;
	size_t hl;

	if (ss == NULL)
		ss = &tmp;
	if (addr == NULL || strlen(addr) >= DAEMON_ADDR_MAX)
		return BAL_EINVAL;
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

static void
sockaddr_text(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char ip[64] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		uv_ip4_name(s4, ip, sizeof(ip));
		port = ntohs(s4->sin_port);
		snprintf(out, outlen, "%s:%d", ip, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		uv_ip6_name(s6, ip, sizeof(ip));
		port = ntohs(s6->sin6_port);
		snprintf(out, outlen, "[%s]:%d", ip, port);
	} else {
		snprintf(out, outlen, "?");
	}
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
			snprintf(why, sizeof(why), "cannot send");
			conn_close(c, WIRE_BYE_PROTOCOL, why);
			return;
		}
	}
	if (!c->blocked && !c->closing &&
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
		conn_close(c, -1, "cannot read");
}

static void
on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct net_conn *c = w->c;

	free(w->buf);
	free(w);
	if (status < 0 && !c->closing) {
		conn_close(c, -1, uv_strerror(status));
		return;
	}
	conn_unblock_check(c);
}

/* Queues buf (taken over) on c's socket. */
static int
conn_write(struct net_conn *c, uint8_t *buf, size_t len)
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
	return conn_write(c, fr, frlen);
}

static int
conn_send_msg(struct net_conn *c, const struct wire_msg *m)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if ((rc = wire_encode(m, &buf, &len)) != 0)
		return rc;
	rc = conn_send_frame(c, buf, len);
	free(buf);
	return rc;
}

static int
sync_send_cb(void *ctx, const struct wire_msg *m)
{
	return conn_send_msg(ctx, m);
}

/* ---- closing ---- */

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
	shs_free(c->shs);
	frame_tx_free(c->tx);
	frame_rx_free(c->rx);
	sync_free(c->sync);
	if (c->slots != NULL) {
		sodium_memzero(c->slots, c->nslots * sizeof(*c->slots));
		free(c->slots);
	}
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

static int
member_session_up(const struct net *net, const uint8_t *group,
    const uint8_t *pk, const struct net_conn *except)
{
	const struct net_conn *o;

	for (o = net->conns; o != NULL; o = o->next)
		if (o != except && !o->closing && o->state == C_UP &&
		    o->g != NULL && memcmp(o->g->id, group,
		    BAL_GROUP_ID_BYTES) == 0 &&
		    memcmp(o->remote_pk, pk, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

/*
 * Closes c: sends BYE reason (reason < 0: none), notifies its handler or
 * target, and closes its handles once the BYE is written.  why is logged
 * for sessions that were up (NULL: nothing to log).
 */
static void
conn_close(struct net_conn *c, int reason, const char *why)
{
	struct net *net = c->net;
	struct wire_msg m;
	struct target *t;
	uint8_t *buf = NULL, *fr = NULL;
	size_t len, frlen;
	char text[WIRE_MAX_BYE_TEXT + 1], label[NET_LABEL_MAX];
	int was_up = c->state == C_UP, wrote = 0;

	if (c->closing)
		return;
	c->closing = 1;
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
			wrote = conn_write(c, fr, frlen) == 0;
		}
		free(buf);
	} else if (reason >= 0 && c->tx != NULL && !c->tx_final &&
	    c->state == C_HANDLER) {
		/* The join conversation ends with an empty FINAL frame. */
		if (frame_push_final(c->tx, NULL, 0, &fr, &frlen) == 0) {
			c->tx_final = 1;
			wrote = conn_write(c, fr, frlen) == 0;
		}
	}
	if (was_up) {
		daemon_log("peer down: %s, group %s: %s", conn_label(c, label),
		    group_name(c->g), why != NULL && why[0] ? why : "closed");
	}
	if (c->h != NULL && c->h->down != NULL) {
		const struct net_handler *h = c->h;

		c->h = NULL;
		h->down(c->hctx, c, why != NULL ? why : "");
	}
	if ((t = c->target) != NULL) {
		c->target = NULL;
		t->conn = NULL;
		if (!was_up) {
			target_failed(t, c->state == C_HANDSHAKE);
		} else {
			t->fails = 0;
			target_schedule(t, 0);
		}
	}
	/* Other targets of that member may dial now. */
	if (was_up && !net->stopping)
		for (t = net->targets; t != NULL; t = t->next)
			if (t->conn == NULL && t->has_member && c->g != NULL &&
			    memcmp(t->group, c->g->id, BAL_GROUP_ID_BYTES) ==
			    0 && memcmp(t->member, c->remote_pk,
			    BAL_PK_BYTES) == 0)
				target_schedule(t, NET_BACKOFF_MIN_MS);
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
		waiters_check(net);
}

/* ---- connections ---- */

static void on_timer(uv_timer_t *t);

static struct net_conn *
conn_new(struct net *net)
{
	struct net_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->net = net;
	if (uv_tcp_init(net->d->loop, &c->tcp) != 0) {
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
	uv_timer_start(&c->timer, on_timer, NET_HANDSHAKE_TIMEOUT_MS, 0);
	return c;
}

/* Periodic check of an established connection; handshake timeout. */
static void
on_timer(uv_timer_t *t)
{
	struct net_conn *c = t->data;
	struct sync_stats st;
	uint64_t now = uv_now(c->net->d->loop);

	if (c->closing)
		return;
	if (c->state < C_UP || c->state == C_HANDLER) {
		if (c->outgoing && c->target != NULL && c->target->fails == 0)
			daemon_log("peer %s: handshake timed out", c->addr);
		conn_close(c, WIRE_BYE_PROTOCOL, c->state == C_HANDLER ?
		    "join timed out" : "handshake timed out");
		return;
	}
	if (c->blocked && now - c->blocked_since > NET_STALL_TIMEOUT_MS) {
		daemon_log("peer %s: does not read, dropped", c->addr);
		conn_close(c, -1, "peer does not read");
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
			conn_close(c, WIRE_BYE_PROTOCOL,
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
	/* A keyed hash of the client's transport key: public, shared. */
	crypto_generichash(c->tie, sizeof(c->tie),
	    (const uint8_t *)NET_TIE_LABEL, strlen(NET_TIE_LABEL), r->c2s_key,
	    sizeof(r->c2s_key));
	if ((rc = frame_tx_new(r->is_client ? r->c2s_key : r->s2c_key, header,
	    &c->tx)) != 0 || (rc = frame_rx_new(r->is_client ? r->s2c_key :
	    r->c2s_key, &c->rx)) != 0)
		return rc;
	if ((buf = malloc(sizeof(header))) == NULL)
		return BAL_ENOMEM;
	memcpy(buf, header, sizeof(header));
	return conn_write(c, buf, sizeof(header));
}

/* Sends our HELLO and waits for the peer's. */
static int
conn_hello(struct net_conn *c)
{
	struct wire_msg m;
	const char *addrs[1];

	memset(&m, 0, sizeof(m));
	m.type = WIRE_HELLO;
	m.hello.version = WIRE_VERSION;
	memcpy(m.hello.group_id, c->g->id, BAL_GROUP_ID_BYTES);
	m.hello.software = NET_SOFTWARE;
	if (c->net->d->listen[0] != '\0') {
		addrs[0] = c->net->d->listen;
		m.hello.addrs = addrs;
		m.hello.naddrs = 1;
	}
	c->state = C_HELLO;
	return conn_send_msg(c, &m);
}

static struct target *target_add(struct net *net, const uint8_t *group,
    const char *addr, const uint8_t *member, int *added);

/* Adds the addresses of a HELLO as dial targets of the peer. */
static void
hello_addrs(struct net_conn *c, const struct wire_msg *m)
{
	struct sockaddr_storage ss;
	char peer_ip[DAEMON_ADDR_MAX], addr[DAEMON_ADDR_MAX];
	const char *colon;
	int namelen = sizeof(ss), added;
	size_t i;

	peer_ip[0] = '\0';
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss,
	    &namelen) == 0) {
		sockaddr_text(&ss, peer_ip, sizeof(peer_ip));
		if ((colon = strrchr(peer_ip, ':')) != NULL)
			peer_ip[colon - peer_ip] = '\0';
	}
	for (i = 0; i < m->hello.naddrs; i++) {
		const char *a = m->hello.addrs[i];

		colon = strrchr(a, ':');
		if (colon == NULL)
			continue;
		if ((strncmp(a, "0.0.0.0:", 8) == 0 ||
		    strncmp(a, "[::]:", 5) == 0) && peer_ip[0] != '\0')
			snprintf(addr, sizeof(addr), "%s%s", peer_ip, colon);
		else
			snprintf(addr, sizeof(addr), "%s", a);
		if (net_addr_parse(addr, NULL) != 0)
			continue;
		if (target_add(c->net, c->g->id, addr, c->remote_pk,
		    &added) != NULL && added)
			store_peer_add(c->net->d->store, c->g->id, addr,
			    c->remote_pk);
	}
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
	char label[NET_LABEL_MAX], why[160];
	int rc, cmp;

	if (memcmp(m->hello.group_id, c->g->id, BAL_GROUP_ID_BYTES) != 0) {
		conn_close(c, WIRE_BYE_NOT_MEMBER, "wrong group");
		return;
	}
	hello_addrs(c, m);
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
		cmp = memcmp(conn_dialer(c), conn_dialer(o), BAL_PK_BYTES);
		if (cmp == 0)
			cmp = memcmp(c->tie, o->tie, sizeof(c->tie));
		if (cmp < 0) {
			conn_close(o, WIRE_BYE_DUPLICATE,
			    "already connected to this member");
		} else {
			daemon_log("peer %s: already connected to this "
			    "member, duplicate session closed",
			    conn_label(c, label));
			conn_close(c, WIRE_BYE_DUPLICATE,
			    "already connected to this member");
			return;
		}
	}
	if ((rc = sync_new(c->g, c, sync_send_cb, c, &c->sync)) != 0) {
		conn_close(c, WIRE_BYE_SHUTDOWN, "out of memory");
		return;
	}
	if (c->blocked)
		sync_set_blocked(c->sync, 1);
	c->state = C_UP;
	c->up_ms = daemon_now_ms();
	c->acked_ms = uv_now(c->net->d->loop);
	uv_timer_start(&c->timer, on_timer, NET_TICK_MS, NET_TICK_MS);
	if (c->target != NULL)
		c->target->fails = 0;
	daemon_log("peer up: %s at %s, group %s", conn_label(c, label),
	    c->addr, group_name(c->g));
	if ((rc = sync_start(c->sync)) != 0) {
		snprintf(why, sizeof(why), "cannot send HAVE: %s",
		    bal_strerror(rc));
		conn_close(c, WIRE_BYE_PROTOCOL, why);
	}
}

/* Handles one received frame of a member connection. */
static void
conn_on_wire(struct net_conn *c, const uint8_t *buf, size_t len)
{
	struct wire_msg *m = NULL;
	struct sync_stats before, after;
	char why[256], label[NET_LABEL_MAX];
	int rc;

	rc = wire_decode(buf, len, &m);
	if (rc == BAL_EVERSION) {
		snprintf(why, sizeof(why), "protocol version mismatch: we "
		    "speak %d, you speak %llu", WIRE_VERSION,
		    (unsigned long long)m->hello.version);
		daemon_log("peer %s: %s", conn_label(c, label), why);
		conn_close(c, WIRE_BYE_VERSION, why);
		goto out;
	}
	if (rc != 0) {
		daemon_log("peer %s: malformed message (%s), dropped",
		    conn_label(c, label), bal_strerror(rc));
		conn_close(c, WIRE_BYE_PROTOCOL, "malformed message");
		goto out;
	}
	if (m->type == WIRE_BYE) {
		snprintf(why, sizeof(why), "peer said bye (%s%s%s)",
		    wire_bye_reason_name(m->bye.reason),
		    m->bye.text[0] ? ": " : "", m->bye.text);
		if (c->state != C_UP)
			daemon_log("peer %s: %s", conn_label(c, label), why);
		conn_close(c, -1, why);
		goto out;
	}
	if (c->state == C_HELLO) {
		if (m->type != WIRE_HELLO) {
			daemon_log("peer %s: %s before HELLO, dropped",
			    conn_label(c, label), wire_type_name(m->type));
			conn_close(c, WIRE_BYE_PROTOCOL, "expected HELLO");
			goto out;
		}
		conn_on_hello(c, m);
		goto out;
	}
	if (m->type == WIRE_HELLO) {
		daemon_log("peer %s: second HELLO, dropped",
		    conn_label(c, label));
		conn_close(c, WIRE_BYE_PROTOCOL, "second HELLO");
		goto out;
	}
	sync_stats(c->sync, &before);
	if ((rc = sync_on_msg(c->sync, m, why, sizeof(why))) != 0) {
		/* Closed while it stored them (the roster removed the peer). */
		if (c->closing)
			goto out;
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "%s", bal_strerror(rc));
		daemon_log("peer %s: rejected %s: %s", conn_label(c, label),
		    wire_type_name(m->type), why);
		conn_close(c, WIRE_BYE_PROTOCOL, why);
		goto out;
	}
	sync_stats(c->sync, &after);
	if (after.entries_stored > before.entries_stored)
		daemon_log("sync: %llu entries received from %s, group %s",
		    (unsigned long long)(after.entries_stored -
		    before.entries_stored), conn_label(c, label),
		    group_name(c->g));
	waiters_check(c->net);
out:
	wire_msg_free(m);
}

/* Admits the client of a finished listening handshake, or refuses it. */
static int
conn_admit(struct net_conn *c)
{
	const struct shs_result *r = shs_result(c->shs);
	const struct keyslot *ks;
	struct group *g;

	if (r->key_index >= c->nslots)
		return BAL_EPERM;
	ks = &c->slots[r->key_index];
	if (ks->is_invite)
		return 0;
	g = group_find(c->net->d, ks->group);
	if (g == NULL || g->roster == NULL ||
	    !roster_is_active(g->roster, r->remote_pk) ||
	    memcmp(r->remote_pk, c->net->d->id->pk, BAL_PK_BYTES) == 0)
		return BAL_EPERM;
	c->g = g;
	return 0;
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
		conn_close(c, -1, "cannot start the stream");
		return;
	}
	if (!r->is_client && c->slots[r->key_index].is_invite) {
		struct invite_open inv = c->slots[r->key_index].inv;

		c->state = C_HANDLER;
		uv_timer_start(&c->timer, on_timer, NET_JOIN_TIMEOUT_MS, 0);
		invite_serve(c->net->d, c, &inv);
		if (c->h == NULL && !c->closing)
			conn_close(c, -1, "invite no longer open");
		else if (c->h != NULL && c->h->up != NULL && !c->closing)
			c->h->up(c->hctx, c);
		return;
	}
	if (c->state == C_HANDLER || c->h != NULL) {
		c->state = C_HANDLER;
		uv_timer_start(&c->timer, on_timer, NET_JOIN_TIMEOUT_MS, 0);
		if (c->h->up != NULL)
			c->h->up(c->hctx, c);
		return;
	}
	/* Whom we dialed must be an active member too (not a revoked one). */
	if (r->is_client && (c->g == NULL || c->g->roster == NULL ||
	    !roster_is_active(c->g->roster, c->remote_pk))) {
		daemon_log("peer %s: not an active member of the group, "
		    "closed", c->addr);
		conn_close(c, WIRE_BYE_NOT_MEMBER, "not a member");
		return;
	}
	if (t != NULL && !t->has_member) {
		memcpy(t->member, c->remote_pk, BAL_PK_BYTES);
		t->has_member = 1;
		store_peer_add(c->net->d->store, t->group, t->addr,
		    c->remote_pk);
	}
	if ((rc = conn_hello(c)) != 0) {
		snprintf(why, sizeof(why), "cannot send HELLO: %s",
		    bal_strerror(rc));
		conn_close(c, -1, why);
	}
}

/* Feeds handshake bytes; returns how many of data were used, or < 0. */
static ssize_t
conn_handshake_feed(struct net_conn *c, const uint8_t *data, size_t len)
{
	uint8_t out[SHS_MSG_MAX], *buf;
	size_t need, take, outlen;
	int rc;

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
	    conn_admit(c) != 0) {
		sodium_memzero(out, sizeof(out));
		return BAL_EPERM;
	}
	if (outlen > 0) {
		if ((buf = malloc(outlen)) == NULL)
			return BAL_ENOMEM;
		memcpy(buf, out, outlen);
		if ((rc = conn_write(c, buf, outlen)) != 0)
			return rc;
	}
	if (shs_done(c->shs))
		conn_handshake_done(c);
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
				conn_close(c, -1, "peer closed the stream");
				return;
			}
			if (rc != 0)
				goto bad;
			if (c->state == C_HANDLER) {
				if (c->h != NULL && c->h->msg != NULL &&
				    c->h->msg(c->hctx, c, msg, mlen) != 0 &&
				    !c->closing)
					conn_close(c, -1, "join failed");
			} else {
				conn_on_wire(c, msg, mlen);
			}
			frame_msg_free(msg);
		}
		if (len == 0)
			return;
	}
	return;
bad:
	snprintf(why, sizeof(why), "bad frame (%s)", bal_strerror(rc));
	daemon_log("peer %s: %s, dropped", conn_label(c, label), why);
	conn_close(c, -1, why);
}

static void
on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	struct net_conn *c = h->data;

	(void)size;
	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct net_conn *c = s->data;
	const uint8_t *p = (const uint8_t *)buf->base;
	size_t len;
	ssize_t used;
	char label[NET_LABEL_MAX];

	if (c->closing || nread == 0)
		return;
	if (nread < 0) {
		if (c->state == C_HANDSHAKE && !c->outgoing)
			daemon_log("peer %s: closed during the handshake",
			    c->addr);
		conn_close(c, -1, nread == UV_EOF ? "connection closed" :
		    uv_strerror((int)nread));
		return;
	}
	len = (size_t)nread;
	while (len > 0 && !c->closing && c->state == C_HANDSHAKE) {
		if ((used = conn_handshake_feed(c, p, len)) < 0) {
			if (!c->outgoing)
				daemon_log("peer %s: handshake refused (%s)",
				    conn_label(c, label),
				    bal_strerror((int)used));
			conn_close(c, -1, "handshake failed");
			return;
		}
		p += used;
		len -= (size_t)used;
	}
	if (len > 0 && !c->closing)
		conn_frames_feed(c, p, len);
}

/* ---- listening ---- */

struct slot_fill {
	struct keyslot *slots;
	uint8_t *keys;
	size_t n;
};

static int
conn_listen_keys(struct net_conn *c, uint8_t **keysp, size_t *nkeys)
{
	struct daemon *d = c->net->d;
	struct group *g;
	struct invite_open *inv = NULL;
	uint8_t (*gk)[32] = NULL, *keys = NULL;
	size_t n = 0, gn, i, ninv = 0;
	int ret = BAL_ENOMEM;

	*keysp = NULL;
	if ((keys = sodium_malloc(SHS_NETWORK_KEYS_MAX * 32)) == NULL ||
	    (gk = sodium_malloc(NET_KEYS_PER_GROUP * 32)) == NULL ||
	    (c->slots = calloc(SHS_NETWORK_KEYS_MAX,
	    sizeof(*c->slots))) == NULL ||
	    (inv = calloc(INVITE_OPEN_MAX, sizeof(*inv))) == NULL)
		goto out;
	for (g = d->groups; g != NULL; g = g->next) {
		gn = 0;
		if (group_network_keys(g, gk, NET_KEYS_PER_GROUP, &gn) != 0)
			continue;
		for (i = 0; i < gn && n < SHS_NETWORK_KEYS_MAX; i++, n++) {
			memcpy(keys + n * 32, gk[i], 32);
			memcpy(c->slots[n].group, g->id, BAL_GROUP_ID_BYTES);
		}
	}
	if (invite_open_list(d, inv, INVITE_OPEN_MAX, &ninv) == 0)
		for (i = 0; i < ninv && n < SHS_NETWORK_KEYS_MAX; i++, n++) {
			memcpy(keys + n * 32, inv[i].netkey, 32);
			c->slots[n].is_invite = 1;
			c->slots[n].inv = inv[i];
			memcpy(c->slots[n].group, inv[i].group,
			    BAL_GROUP_ID_BYTES);
		}
	c->nslots = n;
	*keysp = keys;
	keys = NULL;
	*nkeys = n;
	ret = 0;
out:
	sodium_free(keys);
	sodium_free(gk);
	if (inv != NULL) {
		sodium_memzero(inv, INVITE_OPEN_MAX * sizeof(*inv));
		free(inv);
	}
	return ret;
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct net *net = server->data;
	struct net_conn *c;
	struct sockaddr_storage ss;
	uint8_t *keys = NULL;
	size_t nkeys = 0;
	int namelen = sizeof(ss);

	if (status < 0 || net->stopping)
		return;
	if ((c = conn_new(net)) == NULL)
		return;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c, -1, NULL);
		return;
	}
	c->state = C_HANDSHAKE;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss,
	    &namelen) == 0)
		sockaddr_text(&ss, c->addr, sizeof(c->addr));
	else
		snprintf(c->addr, sizeof(c->addr), "?");
	if (conn_listen_keys(c, &keys, &nkeys) != 0 || nkeys == 0 ||
	    shs_server_new_multi(keys, nkeys, net->d->id, NULL,
	    &c->shs) != 0) {
		sodium_free(keys);
		conn_close(c, -1, NULL);
		return;
	}
	sodium_free(keys);
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
		conn_close(c, -1, NULL);
}

static int
net_listen(struct net *net)
{
	struct daemon *d = net->d;
	struct sockaddr_storage ss;
	int namelen = sizeof(ss), rc;
	char bound[DAEMON_ADDR_MAX];

	if (net_addr_parse(d->listen, &ss) != 0) {
		daemon_log("bad listen address '%s' (want HOST:PORT with a "
		    "numeric IP)", d->listen);
		return BAL_EINVAL;
	}
	uv_tcp_init(d->loop, &net->listener);
	net->listener.data = net;
	net->handles++;
	net->listening = 1;
	if ((rc = uv_tcp_bind(&net->listener, (struct sockaddr *)&ss, 0)) !=
	    0 || (rc = uv_listen((uv_stream_t *)&net->listener, 64,
	    on_connection)) != 0) {
		daemon_log("cannot listen on %s: %s", d->listen,
		    uv_strerror(rc));
		return BAL_EIO;
	}
	if (uv_tcp_getsockname(&net->listener, (struct sockaddr *)&ss,
	    &namelen) == 0) {
		sockaddr_text(&ss, bound, sizeof(bound));
		snprintf(d->listen, sizeof(d->listen), "%s", bound);
	}
	daemon_log("listening on %s", d->listen);
	return 0;
}

/* ---- dialing ---- */

static void
on_target_closed(uv_handle_t *h)
{
	struct target *t = h->data;
	struct net *net = t->net;
	struct target **pp;

	for (pp = &net->targets; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t);
	net_handle_gone(net);
}

static uint64_t
backoff_ms(unsigned fails)
{
	uint64_t ms = NET_BACKOFF_MIN_MS;
	unsigned i;

	for (i = 1; i < fails && ms < NET_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > NET_BACKOFF_MAX_MS)
		ms = NET_BACKOFF_MAX_MS;
	/* +-25% jitter */
	return ms * 3 / 4 + randombytes_uniform((uint32_t)(ms / 2 + 1));
}

static void on_target_timer(uv_timer_t *timer);

/* Schedules t's next dial after delay_ms (0: by its failure count). */
static void
target_schedule(struct target *t, uint64_t delay_ms)
{
	if (t->closed || t->net->stopping || t->conn != NULL)
		return;
	if (delay_ms == 0)
		delay_ms = backoff_ms(t->fails);
	uv_timer_start(&t->timer, on_target_timer, delay_ms, 0);
}

static void
on_connect(uv_connect_t *req, int status)
{
	struct net_conn *c = req->data;
	uint8_t out[SHS_MSG_MAX], *buf;
	size_t outlen = sizeof(out);
	struct target *t = c->target;

	if (status == UV_ECANCELED || c->closing)
		return;
	if (status < 0) {
		if (t != NULL && t->fails == 0)
			daemon_log("cannot reach %s: %s (will retry)",
			    c->addr, uv_strerror(status));
		conn_close(c, -1, uv_strerror(status));
		return;
	}
	c->state = C_HANDSHAKE;
	uv_tcp_nodelay(&c->tcp, 1);
	if (shs_step(c->shs, NULL, 0, out, &outlen) != 0 ||
	    (buf = malloc(outlen)) == NULL) {
		conn_close(c, -1, "handshake failed");
		return;
	}
	memcpy(buf, out, outlen);
	if (conn_write(c, buf, outlen) != 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
		conn_close(c, -1, "cannot write");
}

/* Starts an outgoing connection to addr with a client handshake. */
static struct net_conn *
conn_dial(struct net *net, const char *addr, const uint8_t netkey[32],
    const uint8_t server_pk[BAL_PK_BYTES])
{
	struct sockaddr_storage ss;
	struct net_conn *c;

	if (net_addr_parse(addr, &ss) != 0 || (c = conn_new(net)) == NULL)
		return NULL;
	c->outgoing = 1;
	c->state = C_CONNECTING;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	c->connect.data = c;
	if (shs_client_new(netkey, net->d->id, server_pk, NULL,
	    &c->shs) != 0 || uv_tcp_connect(&c->connect, &c->tcp,
	    (struct sockaddr *)&ss, on_connect) != 0) {
		conn_close(c, -1, NULL);
		return NULL;
	}
	return c;
}

/* How many members an address of unknown member may be: the others. */
static size_t
target_candidates(const struct target *t, const struct group *g)
{
	const struct roster *r = g->roster;
	size_t i, n = 0;

	for (i = 0; r != NULL && i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE &&
		    memcmp(r->members[i].pk, t->net->d->id->pk,
		    BAL_PK_BYTES) != 0)
			n++;
	return n;
}

/* The server key to try for t: its member, or the next active member. */
static int
target_server_pk(struct target *t, struct group *g, uint8_t pk[BAL_PK_BYTES])
{
	const struct roster *r = g->roster;
	size_t i, k, n;

	if (t->has_member) {
		memcpy(pk, t->member, BAL_PK_BYTES);
		return 0;
	}
	if ((n = target_candidates(t, g)) == 0)
		return BAL_ENOENT;
	k = t->cand % n;
	for (i = 0; i < r->nmembers; i++) {
		if (r->members[i].status != ROSTER_ACTIVE ||
		    memcmp(r->members[i].pk, t->net->d->id->pk,
		    BAL_PK_BYTES) == 0)
			continue;
		if (k-- == 0) {
			memcpy(pk, r->members[i].pk, BAL_PK_BYTES);
			return 0;
		}
	}
	return BAL_ENOENT;
}

static void
target_dial(struct target *t)
{
	struct net *net = t->net;
	struct group *g;
	uint8_t (*keys)[32] = NULL, pk[BAL_PK_BYTES];
	size_t n = 0;

	if (net->stopping || t->closed || t->conn != NULL)
		return;
	if ((g = group_find(net->d, t->group)) == NULL)
		return;
	if (t->has_member && member_session_up(net, t->group, t->member,
	    NULL)) {
		t->fails = 0;
		return;		/* rescheduled when that session ends */
	}
	/* A removed member is not dialed (they may be readmitted later). */
	if (t->has_member && g->roster != NULL &&
	    !roster_is_active(g->roster, t->member)) {
		target_schedule(t, NET_BACKOFF_MAX_MS);
		return;
	}
	if (target_server_pk(t, g, pk) != 0) {
		target_schedule(t, NET_BACKOFF_MAX_MS);
		return;
	}
	if ((keys = sodium_malloc(NET_KEYS_PER_GROUP * 32)) == NULL ||
	    group_network_keys(g, keys, NET_KEYS_PER_GROUP, &n) != 0 ||
	    n == 0) {
		sodium_free(keys);
		target_schedule(t, NET_BACKOFF_MAX_MS);
		return;
	}
	t->conn = conn_dial(net, t->addr, keys[t->keyi % n], pk);
	sodium_free(keys);
	if (t->conn == NULL) {
		t->fails++;
		target_schedule(t, 0);
		return;
	}
	t->conn->target = t;
	t->conn->g = g;
}

/*
 * A dial of t failed; reached: the TCP connection was made, but the
 * handshake failed (the wrong member there, or a network key the server
 * lacks).  A target whose member is unknown tries the next candidate soon,
 * and a whole round of candidates counts as one failure; then, as after a
 * refused handshake of a known member, the next older network key.
 */
static void
target_failed(struct target *t, int reached)
{
	struct group *g;
	size_t m;

	if (reached && !t->has_member &&
	    (g = group_find(t->net->d, t->group)) != NULL &&
	    (m = target_candidates(t, g)) > 1 && ++t->cand % m != 0) {
		target_schedule(t, NET_BACKOFF_MIN_MS);
		return;
	}
	if (reached)
		t->keyi++;
	t->fails++;
	target_schedule(t, 0);
}

static void
on_target_timer(uv_timer_t *timer)
{
	target_dial(timer->data);
}

/*
 * Adds a dial target (group, addr) unless it is known (then fills in its
 * member if it had none), ours, or the group has too many.
 */
static struct target *
target_add(struct net *net, const uint8_t *group, const char *addr,
    const uint8_t *member, int *added)
{
	struct target *t;
	size_t n = 0;

	*added = 0;
	if (member != NULL && memcmp(member, net->d->id->pk,
	    BAL_PK_BYTES) == 0)
		return NULL;
	if (strcmp(addr, net->d->listen) == 0)
		return NULL;
	for (t = net->targets; t != NULL; t = t->next) {
		if (memcmp(t->group, group, BAL_GROUP_ID_BYTES) != 0)
			continue;
		n++;
		if (strcmp(t->addr, addr) == 0) {
			if (member != NULL && !t->has_member) {
				memcpy(t->member, member, BAL_PK_BYTES);
				t->has_member = 1;
				*added = 1;
			}
			return t;
		}
	}
	if (n >= NET_TARGETS_MAX || net->stopping)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->net = net;
	memcpy(t->group, group, BAL_GROUP_ID_BYTES);
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	if (member != NULL) {
		memcpy(t->member, member, BAL_PK_BYTES);
		t->has_member = 1;
	}
	uv_timer_init(net->d->loop, &t->timer);
	t->timer.data = t;
	net->handles++;
	t->next = net->targets;
	net->targets = t;
	*added = 1;
	/* Dial soon (on the next loop turn, not from inside a callback). */
	uv_timer_start(&t->timer, on_target_timer, 1, 0);
	return t;
}

struct peer_load {
	struct net *net;
	const uint8_t *group;
};

static int
peer_load_cb(void *ctx, const char *addr, const uint8_t *member)
{
	struct peer_load *pl = ctx;
	int added;

	if (net_addr_parse(addr, NULL) == 0)
		target_add(pl->net, pl->group, addr, member, &added);
	return 0;
}

int
net_group_added(struct daemon *d, struct group *g)
{
	struct peer_load pl;

	if (d->net == NULL)
		return BAL_ESTATE;
	pl.net = d->net;
	pl.group = g->id;
	return store_peer_each(d->store, g->id, peer_load_cb, &pl);
}

/* ---- hooks from group.c ---- */

/*
 * After new entries: dial the addresses they taught the store, and announce
 * ours in groups that lack it (a group founded since net_start, whose CREATE
 * came through on_entry; net_announce does nothing when it is done).
 */
static void
on_rescan(uv_timer_t *t)
{
	struct net *net = t->data;
	struct group *g;

	for (g = net->d->groups; g != NULL && !net->stopping; g = g->next) {
		net_announce(net->d, g);
		net_group_added(net->d, g);
	}
}

void
net_announce(struct daemon *d, struct group *g)
{
	char key[16 + 2 * BAL_GROUP_ID_BYTES + 1];
	uint8_t *val = NULL;
	size_t len = 0, i;
	const char *addr = d->listen;
	int same;

	if (addr[0] == '\0' || strncmp(addr, "0.0.0.0:", 8) == 0 ||
	    strncmp(addr, "[::]:", 5) == 0 || g->roster == NULL ||
	    !roster_is_active(g->roster, d->id->pk))
		return;
	memcpy(key, "announced:", 10);
	for (i = 0; i < BAL_GROUP_ID_BYTES; i++)
		snprintf(key + 10 + 2 * i, 3, "%02x", g->id[i]);
	if (store_meta_get(d->store, key, &val, &len) == 0) {
		same = len == strlen(addr) && memcmp(val, addr, len) == 0;
		free(val);
		if (same)
			return;
	}
	if (group_announce(g, &addr, 1) == 0)
		store_meta_put(d->store, key, addr, strlen(addr));
}

static void on_rescan(uv_timer_t *t);

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
				conn_close(c, WIRE_BYE_PROTOCOL, "cannot send");
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
			conn_close(c, WIRE_BYE_PROTOCOL, "cannot send");
	}
	if (next != 0 && !net->stopping)
		uv_timer_start(&net->relay, on_relay, next - now, 0);
}

static void
net_on_entry(struct daemon *d, struct group *g, const uint8_t *blob,
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
				conn_close(c, WIRE_BYE_PROTOCOL,
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
				conn_close(c, WIRE_BYE_PROTOCOL,
				    "cannot send");
		}
	}
	/* At the next loop turn: once per batch, however many entries. */
	if (tick)
		uv_timer_start(&d->net->relay, on_relay, 0, 0);
	/* Announces may have taught the store new addresses. */
	if (d->net->has_rescan && !uv_is_active((uv_handle_t *)&d->net->rescan))
		uv_timer_start(&d->net->rescan, on_rescan, 200, 0);
	waiters_check(d->net);
}

static void
net_on_roster(struct daemon *d, struct group *g)
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
			conn_close(c, WIRE_BYE_REVOKED, "revoked");
		else
			conn_close(c, WIRE_BYE_NOT_MEMBER,
			    "no longer a member");
	}
	invite_on_roster(d, g);
}

static void waiter_finish(struct waiter *w, int status);

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
	/* Targets first, so that closing their connections redials nothing. */
	for (t = net->targets; t != NULL; t = t->next)
		if (!t->closed && memcmp(t->group, g->id,
		    BAL_GROUP_ID_BYTES) == 0) {
			t->closed = 1;
			uv_close((uv_handle_t *)&t->timer, on_target_closed);
		}
	for (c = net->conns; c != NULL; c = c->next)
		if (c->g == g) {
			conn_close(c, reason, text);
			c->g = NULL;
		}
	for (w = net->waiters; w != NULL; w = next) {
		next = w->next;
		if (w->g == g)
			waiter_finish(w, BAL_ESTATE);
	}
}

/* ---- start and stop ---- */

int
net_start(struct daemon *d)
{
	struct net *net;
	struct group *g;
	int rc;

	if ((net = calloc(1, sizeof(*net))) == NULL)
		return BAL_ENOMEM;
	net->d = d;
	d->net = net;
	d->on_entry = net_on_entry;
	d->on_roster = net_on_roster;
	if (d->listen[0] != '\0' && (rc = net_listen(net)) != 0) {
		net_stop(d);
		return rc;
	}
	uv_timer_init(d->loop, &net->rescan);
	net->rescan.data = net;
	net->has_rescan = 1;
	net->handles++;
	uv_timer_init(d->loop, &net->relay);
	net->relay.data = net;
	net->has_relay = 1;
	net->handles++;
	for (g = d->groups; g != NULL; g = g->next) {
		net_announce(d, g);
		net_group_added(d, g);
	}
	return 0;
}

static void
on_listener_closed(uv_handle_t *h)
{
	net_handle_gone(h->data);
}

static void
on_waiter_closed(uv_handle_t *h)
{
	struct waiter *w = h->data;
	struct net *net = w->net;

	free(w);
	net_handle_gone(net);
}

static void
waiter_finish(struct waiter *w, int status)
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

void
net_stop(struct daemon *d)
{
	struct net *net = d->net;
	struct net_conn *c;
	struct target *t;

	if (net == NULL || net->stopping)
		return;
	net->stopping = 1;
	d->on_entry = NULL;
	d->on_roster = NULL;
	invite_stop(d);
	while (net->waiters != NULL)
		waiter_finish(net->waiters, BAL_ESTATE);
	for (c = net->conns; c != NULL; c = c->next)
		conn_close(c, WIRE_BYE_SHUTDOWN, "shutting down");
	for (t = net->targets; t != NULL; t = t->next) {
		if (t->closed)
			continue;	/* closing already (net_group_gone) */
		t->closed = 1;
		uv_close((uv_handle_t *)&t->timer, on_target_closed);
	}
	if (net->listening)
		uv_close((uv_handle_t *)&net->listener, on_listener_closed);
	if (net->has_rescan)
		uv_close((uv_handle_t *)&net->rescan, on_listener_closed);
	if (net->has_relay)
		uv_close((uv_handle_t *)&net->relay, on_listener_closed);
	if (net->handles == 0) {
		free(net);
		d->net = NULL;
	}
}

/* ---- control requests ---- */

int
net_add_peer(struct daemon *d, struct group *g, const char *addr,
    const uint8_t *member, char *err, size_t errlen)
{
	struct target *t;
	int rc, added;

	if (net_addr_parse(addr, NULL) != 0) {
		snprintf(err, errlen, "bad address '%s' (want HOST:PORT with "
		    "a numeric IP, e.g. 192.0.2.7:7000)", addr);
		return BAL_EINVAL;
	}
	if ((rc = store_peer_add(d->store, g->id, addr, member)) != 0) {
		snprintf(err, errlen, "cannot store the address: %s",
		    bal_strerror(rc));
		return rc;
	}
	if (d->net == NULL)
		return 0;
	t = target_add(d->net, g->id, addr, member, &added);
	if (t != NULL && t->conn == NULL) {
		t->fails = 0;
		target_schedule(t, 1);
	}
	return 0;
}

int
net_sync_now(struct daemon *d, struct group *g)
{
	struct net_conn *c;
	struct target *t;

	if (d->net == NULL)
		return BAL_ESTATE;
	for (c = d->net->conns; c != NULL; c = c->next)
		if (!c->closing && c->state == C_UP && (g == NULL || c->g == g)
		    && sync_resend_have(c->sync) != 0)
			conn_close(c, WIRE_BYE_PROTOCOL, "cannot send");
	for (t = d->net->targets; t != NULL; t = t->next)
		if (t->conn == NULL && (g == NULL || memcmp(t->group, g->id,
		    BAL_GROUP_ID_BYTES) == 0)) {
			t->fails = 0;
			target_schedule(t, 1);
		}
	return 0;
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
		if (!c->outgoing && c->has_remote)
			for (t = d->net->targets; t != NULL; t = t->next)
				if (t->has_member && memcmp(t->group, c->g->id,
				    BAL_GROUP_ID_BYTES) == 0 && memcmp(
				    t->member, c->remote_pk, BAL_PK_BYTES) == 0) {
					si.addr = t->addr;
					break;
				}
		si.outgoing = c->outgoing;
		si.state = c->state == C_UP ? "up" : "connecting";
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
		if (t->conn != NULL || (tg = group_find(d, t->group)) == NULL ||
		    (g != NULL && tg != g))
			continue;
		if (t->has_member && member_session_up(d->net, t->group,
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
		si.state = "waiting";
		cb(ctx, &si);
	}
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

static void
waiters_check(struct net *net)
{
	struct waiter *w, *next;

	for (w = net->waiters; w != NULL; w = next) {
		next = w->next;
		if (group_level(net, w->g))
			waiter_finish(w, 0);
	}
}

static void
on_waiter_timer(uv_timer_t *timer)
{
	waiter_finish(timer->data, BAL_EAGAIN);
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
		cb(ctx, 0);
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

/* ---- invite connections ---- */

int
net_dial_invite(struct daemon *d, const char *addr,
    const uint8_t netkey[BAL_KEY_BYTES], const uint8_t server_pk[BAL_PK_BYTES],
    const struct net_handler *h, void *ctx, struct net_conn **out)
{
	struct net_conn *c;

	if (out != NULL)
		*out = NULL;
	if (d->net == NULL || d->net->stopping)
		return BAL_ESTATE;
	if (net_addr_parse(addr, NULL) != 0)
		return BAL_EINVAL;
	if ((c = conn_dial(d->net, addr, netkey, server_pk)) == NULL)
		return BAL_EIO;
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
	uv_timer_start(&c->timer, on_timer, NET_HANDSHAKE_TIMEOUT_MS, 0);
	if ((rc = conn_hello(c)) != 0)
		conn_close(c, -1, "cannot send HELLO");
	return rc;
}

void
net_conn_close(struct net_conn *c, int reason, const char *text)
{
	(void)reason;
	conn_close(c, c->state == C_HANDLER ? 0 : reason, text);
}

const uint8_t *
net_conn_remote_pk(const struct net_conn *c)
{
	return c->remote_pk;
}

const char *
net_conn_addr(const struct net_conn *c)
{
	return c->addr;
}

void **
net_invite_state(struct daemon *d)
{
	return d->net != NULL ? &d->net->invite : NULL;
}
