/*
 * peer-int.h — what the files of balintd's network side share (peer.h is
 * their public face): the connection, dial target, level waiter and
 * network structs, and the functions each file offers the others.
 *
 *	peer.c		connections: bytes in and out, the handshake, frames,
 *			timers and liveness, closing; start and stop; the
 *			connections of invite.c
 *	peer-session.c	a member session: HELLO, messages to the sync engine,
 *			relays, the hooks from group.c
 *	peer-listen.c	the listener: its shared key table, the pending
 *			handshake caps, admission
 *	peer-dial.c	dial targets: candidates, network keys, backoff,
 *			stored and announced addresses
 *	peer-wait.c	`balint sync --wait` (level waiters) and status
 *	transport*.c	the ways of reaching a peer (transport.h): direct
 *			TCP, onion services through tor
 *
 * Only for daemon/peer*.c.  Ownership and lifetimes as in peer.c.
 */
#ifndef BAL_PEER_INT_H
#define BAL_PEER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "net.h"
#include "roster.h"
#include "shs.h"
#include "wire.h"

struct frame_rx;
struct frame_tx;
struct sync;
struct transport;

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
/*
 * A session that ends sooner than this after coming up counts as a failed
 * dial: its target backs off instead of dialing again at once, so two
 * members whose sessions keep failing (one refused as a duplicate, a store
 * that cannot take the entries, a log the peer refuses) do not reconnect
 * several times a second.
 */
#define NET_SESSION_STABLE_MS 10000
#define NET_SOFTWARE "balintd " BAL_VERSION_STRING
/*
 * The capabilities our HELLO announces (docs/protocol.md "Capabilities"):
 * every one this version understands, whatever the settings (with hole
 * punching off, a PUNCH received is still understood, and a SEEN kept).
 */
#define NET_CAPS WIRE_CAPS_KNOWN
#define NET_LABEL_MAX (ROSTER_NAME_MAX + DAEMON_ADDR_MAX + 20)
#define NET_TIE_BYTES SHS_TIE_BYTES

enum conn_state {
	C_CONNECTING,
	C_PREAMBLE,		/* the transport's own exchange (SOCKS) */
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

/*
 * The network keys the listener accepts, shared by every pending
 * handshake and built again only when they change (keytab_get): the keys
 * and their slots in sodium_malloc'd memory, wiped when the last
 * connection that uses a table lets go of it.
 */
struct keytab {
	int refs;			/* the net's (while current) + conns' */
	size_t n;
	uint8_t *keys;			/* n * 32 bytes */
	struct keyslot *slots;		/* n */
	uint64_t expires_ms;		/* next invite expiry (0: none) */
	uint8_t stamp[16];		/* of the groups it was made from */
};

/* Log lines that a flood could repeat (peer_ratelog). */
enum ratelog_kind {
	RL_REFUSED,		/* over the pending cap */
	RL_ACCEPT,		/* accept failed, no keys */
	RL_HS_REFUSED,		/* handshake failed */
	RL_HS_DENIED,		/* handshake of a member not admitted */
	RL_HS_CLOSED,		/* closed by the peer during the handshake */
	RL_HS_TIMEOUT,		/* handshake or HELLO timed out */
	RL_PENDING,		/* other ends before a session */
	RL_OLD_SOFTWARE,	/* a session of older software (no caps) */
	RL_N
};

struct ratelog {
	int logged;			/* a line was written at `last` */
	uint64_t last;			/* loop time of that line */
	unsigned long held;		/* lines not written since */
};

struct target;

/* Onion dials: tor's circuits take longer, and tor may retry inside. */
#define NET_ONION_TIMEOUT_MS 60000
#define NET_ONION_BACKOFF_MIN_MS 2000
#define NET_ONION_BACKOFF_MAX_MS 120000

struct net_conn {
	struct net *net;
	const struct transport *tp;	/* dialed or came in through */
	void *tpctx;			/* tp's own state of this connection */
	union {				/* is_pipe says which */
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	};
	int is_pipe;
	int reading;			/* uv_read_start was called */
	int via_tor;			/* through tor (dialed or came in) */
	int tor_retry;			/* tor said a retry may help */
	int punched;			/* opened by hole punching */
	int seen_sent, seen_got;	/* its PUNCH SEEN (punch-onion.c) */
	/*
	 * The capabilities of the peer's HELLO (enum wire_cap), fixed at the
	 * handshake: only what both announced is sent or taken.
	 */
	uint32_t caps;
	uv_timer_t timer;
	uv_connect_t connect;
	uv_shutdown_t shutdown;
	int handles;			/* open handles of this conn */
	int closing;
	int outgoing;
	enum conn_state state;
	struct shs *shs;		/* until the handshake is done */
	uint8_t hsbuf[SHS_MSG_MAX];
	size_t hslen;
	struct keytab *tab;		/* listening side, until it is done */
	int pending;			/* counted in net->npending */
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
	int have_due;			/* send HAVE at the next relay tick */
	uint64_t relay_due;		/* loop time to relay at, 0: none */
	uint64_t rx_ms;			/* loop time of the last byte in */
	uint64_t tx_ms;			/* loop time of the last frame out */
	struct net_conn *next;
};

struct target {
	struct net *net;
	uv_timer_t timer;
	int closed;
	uint8_t group[BAL_GROUP_ID_BYTES];
	char addr[DAEMON_ADDR_MAX];
	const struct transport *tp;	/* the way addr is dialed */
	uint8_t member[BAL_PK_BYTES];
	int has_member;
	/*
	 * member answered here (a session came up): not only named by an
	 * announce, which anyone can make about any address.
	 */
	int member_seen;
	int picked;			/* kept by the last peer_pick */
	int typed;			/* typed, not announced */
	uint64_t ok_ms;			/* a session through it came up */
	size_t cand;			/* next candidate when member unknown */
	size_t keyi;			/* network key to try */
	unsigned fails;
	char why[128];			/* why the last attempt failed */
	uint64_t tried_ms;		/* when (Unix ms), 0: never */
	uint64_t reached_ms;		/* last session up or down, 0 */
	struct net_conn *conn;		/* the attempt or session */
	int lan;			/* from a LAN beacon (lan.c) */
	int lan_made;			/* made by a beacon: not typed */
	uint64_t lan_ms;		/* its last beacon (Unix ms) */
	/* A host name's address as its last dial looked it up, or "". */
	char resolved[DAEMON_ADDR_MAX];
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
	uv_tcp_t listener;		/* transport-tcp.c */
	int listening;
	uv_pipe_t onion_listener;	/* transport-onion.c */
	int onion_listening;
	int handles;
	int stopping;
	struct net_conn *conns;
	struct target *targets;
	struct waiter *waiters;
	struct join *joins;		/* join.c: pending joins */
	struct serve *waiting;		/* join.c: newcomers to confirm */
	uv_timer_t rescan;		/* re-reads stored peer addresses */
	int has_rescan;
	uv_timer_t relay;		/* HAVEs and delayed relays */
	int has_relay;
	struct portmap *portmap;	/* portmap.c, or NULL */
	struct punches *punch;		/* punch.c, or NULL (off) */
	struct keytab *tab;		/* the current key table, or NULL */
	int tab_dirty;			/* net_keys_changed since it was made */
	size_t npending;		/* incoming conns before a session */
	struct ratelog rl[RL_N];
	uv_timer_t rltimer;		/* writes what peer_ratelog held back */
	int has_rltimer;
	uint64_t idle_ms;		/* NET_IDLE_MS, or the test hook's */
	uint64_t dead_ms;
	uint64_t tick_ms;		/* period of a session's checks */
	struct lan *lan;		/* lan.c: LAN discovery, or NULL */
	/* Every read goes here: peer_on_read consumes it before returning. */
	char rbuf[NET_READ_BUF];
};

/* ---- punch.c ---- */

#define PUNCH_TICK_MS 1000	/* members without a session looked at */
#define PUNCH_GRACE_MS 3000	/* after the start: dials go first */
#define PUNCH_WAIT_MS 10000	/* an ASK's answer, an OFFER's ANSWER */
#define PUNCH_RETRY_MS 60000	/* the same member asked for again */
#define PUNCH_RETRY_MAX_MS 3600000	/* ... then doubling up to an hour */
#define PUNCH_ANSWER_GAP_MS 1000	/* OFFERs of one member answered */
#define PUNCH_INTROS 16		/* introductions a relay has under way */
#define PUNCH_TRIED 64		/* members whose last ask is remembered */
/* punch-onion.c: CALL over an onion session up this long (a direct dial
 * that works goes first). */
#define PUNCH_CALL_AFTER_MS 2000
#define PUNCH_SEEN_MAX_MS (24ull * 3600 * 1000)	/* a SEEN used that long */
#define PUNCH_SEEN_WRITE_MS (600ull * 1000)	/* a same SEEN rewritten */
#define PUNCH_SEEN_META "punch.seen"

/*
 * punch_start (after the listener) asks relays for members without a
 * session, once a second; punch_stop closes it with net.  punch_on_msg
 * takes a session's PUNCH; punch_conn_gone: c is closing.
 */
void punch_start(struct net *net);
void punch_stop(struct net *net);
void punch_on_msg(struct net_conn *c, const struct wire_msg *m);
void punch_conn_gone(struct net_conn *c);

/* ---- portmap.c ---- */

enum { PORTMAP_NONE, PORTMAP_UPNP, PORTMAP_NATPMP, PORTMAP_PCP };

/*
 * portmap_start maps the listen port, on the thread pool (after
 * peer_listen_start); portmap_stop detaches it from net and removes the
 * mapping (the loop runs until that is done).
 */
void portmap_start(struct net *net);
void portmap_stop(struct net *net);
const char *portmap_method_name(int method);

/* ---- net.c ---- */

/* net_handle_gone: one of net's handles closed (frees net after the last). */
void net_handle_gone(struct net *net);
/* net_on_handle_closed: a close callback for net's handles (data: net). */
void net_on_handle_closed(uv_handle_t *h);

/* ---- peer.c ---- */

const char *peer_conn_label(const struct net_conn *c,
    char buf[NET_LABEL_MAX]);
void peer_sockaddr_text(const struct sockaddr_storage *ss, char *out,
    size_t outlen);
/*
 * peer_ratelog logs one line of kind k, or only counts it when a line of
 * that kind was logged less than NET_RATELOG_MS ago (the count is logged
 * later): for what connections that came in can make us log.
 */
void peer_ratelog(struct net *net, enum ratelog_kind k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* peer_ratelog_timer (net->rltimer) logs what peer_ratelog held back. */
void peer_ratelog_timer(uv_timer_t *t);
/* peer_conn_write queues buf (taken over) on c's socket. */
int peer_conn_write(struct net_conn *c, uint8_t *buf, size_t len);
/*
 * peer_conn_send_msg sends one message as a frame; BAL_EINVAL, nothing
 * sent, when it needs a capability the peer did not announce.
 */
int peer_conn_send_msg(struct net_conn *c, const struct wire_msg *m);
/* peer_conn_pending_done: c no longer counts as a pending handshake. */
void peer_conn_pending_done(struct net_conn *c);
/*
 * peer_member_session_up is 1 when a direct session with pk in group is
 * up, 2 when only one through tor is, else 0.
 */
int peer_member_session_up(const struct net *net, const uint8_t *group,
    const uint8_t *pk, const struct net_conn *except);
/*
 * peer_conn_close closes c: sends BYE reason (reason < 0: none), notifies
 * its handler or target, and closes its handles once the BYE is written;
 * why is logged for sessions that were up.
 */
void peer_conn_close(struct net_conn *c, int reason, const char *why);
/*
 * peer_member_seen sets reached_ms (last seen) of every dial target of
 * member pk in g: a session with them came up or went down at ms.
 */
void peer_member_seen(struct net *net, const struct group *g,
    const uint8_t pk[BAL_PK_BYTES], uint64_t ms);
/*
 * peer_conn_drop closes c like peer_conn_close, with one log line if it
 * is no session yet (rate limited as kind k if it came in).
 */
void peer_conn_drop(struct net_conn *c, int reason, enum ratelog_kind k,
    const char *why);
/*
 * peer_conn_new makes a connection with its handles (a Unix socket when
 * pipe, else TCP) and handshake timer.
 */
struct net_conn *peer_conn_new(struct net *net, int pipe);
/* peer_on_timer: a connection's timer (timeouts, liveness, stalls). */
void peer_on_timer(uv_timer_t *t);
/* peer_on_alloc and peer_on_read: every connection's read callbacks. */
void peer_on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);
void peer_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/* ---- peer-session.c ---- */

/* peer_session_hello sends our HELLO and waits for the peer's. */
int peer_session_hello(struct net_conn *c);
/* peer_session_on_wire handles one received frame of a member connection. */
void peer_session_on_wire(struct net_conn *c, const uint8_t *buf,
    size_t len);
/* peer_session_on_event is the group events' handler (d->on_event). */
void peer_session_on_event(struct daemon *d, const struct group_event *ev);
/*
 * net_group_gone ends everything the network holds of g before the group
 * is forgotten (GROUP_EVENT_REMOVED: cooperative erasure): its sessions and
 * connections (BYE reason with text, where a BYE can be sent), its dial
 * targets, and its level waiters (called back with BAL_ESTATE).  Nothing
 * of the network points to g afterwards.  NULL d->net is a no-op.
 */
void net_group_gone(struct daemon *d, struct group *g, int reason,
    const char *text);

/*
 * net_keys_changed tells the listener that the network keys it accepts
 * changed in a way it cannot see by itself (GROUP_EVENT_KEYS: an invite
 * was made): its key
 * table is built again for the next connection.  Epoch keys, groups and
 * roster changes are noticed without it.  NULL d->net is a no-op.
 */
void net_keys_changed(struct daemon *d);


/* ---- peer-listen.c ---- */

/* peer_listen_unref lets go of a key table (wiped with the last). */
void peer_listen_unref(struct keytab *t);
/*
 * peer_listen_handshake starts the listening side of c's handshake with
 * the current key table: BAL_ENOENT when there is no key, BAL_ENOMEM.
 */
int peer_listen_handshake(struct net_conn *c);
/* peer_listen_admit admits the client of c's finished handshake or not. */
int peer_listen_admit(struct net_conn *c);
/*
 * peer_listen_accept takes a connection that came in on server (its
 * callback's status) through tp: the TCP listener, or a Unix socket (the
 * onion service's: tor tells nothing of the caller).
 */
void peer_listen_accept(uv_stream_t *server, int status,
    const struct transport *tp);

/* ---- peer-dial.c ---- */

/* peer_dial_close closes t; it is freed by its close callback. */
void peer_dial_close(struct target *t);
/* peer_dial_schedule dials t after delay_ms (0: by its failure count). */
void peer_dial_schedule(struct target *t, uint64_t delay_ms);
/* peer_dial_failed: a dial of t failed (reached: the handshake did). */
void peer_dial_failed(struct target *t, int reached);
/* peer_dial_after_session: a session of t's member ended (stable or not). */
void peer_dial_after_session(struct target *t, int stable);
/* peer_dial_add adds a dial target (see peer-dial.c). */
struct target *peer_dial_add(struct net *net, const uint8_t *group,
    const char *addr, const uint8_t *member, uint64_t delay_ms, int *added);
/*
 * peer_dial_member_removed is 1 when pk is a member the roster of g says
 * has left or was revoked.
 */
int peer_dial_member_removed(const struct group *g, const uint8_t *pk);
/*
 * peer_dial_endpoint writes where addr leads as numbers ("HOST:PORT",
 * localhost as 127.0.0.1, IPv6 bracketed): a numeric address or localhost
 * in its canonical form, a host name as t's last dial looked it up (t may
 * be NULL), else addr itself.
 */
void peer_dial_endpoint(const char *addr, const struct target *t,
    char out[DAEMON_ADDR_MAX]);
/* peer_dial_is_ours is 1 for this daemon's own listen address. */
int peer_dial_is_ours(const struct net *net, const char *addr);
/* peer_dial_up: a session through t came up (remembered as working). */
void peer_dial_up(struct target *t);
/*
 * peer_dial_conn starts an outgoing connection to addr through tp (NULL:
 * the backend for addr, transport_for) with a client handshake.
 */
struct net_conn *peer_dial_conn(struct net *net, const struct transport *tp,
    const char *addr, const uint8_t netkey[32],
    const uint8_t server_pk[BAL_PK_BYTES]);
/* peer_dial_rescan (net->rescan's callback) dials newly stored addresses. */
void peer_dial_rescan(uv_timer_t *t);

/* ---- join.c ---- */

/*
 * join_serve takes over a connection whose handshake used inv's network
 * key: it sets the connection's handler (net_conn_set_handler) for the
 * join conversation, or leaves none to have it closed.
 */
void join_serve(struct daemon *d, struct net_conn *c,
    const struct invite_open *inv);
/* join_on_roster lets pending joins of g check whether they are done. */
void join_on_roster(struct daemon *d, struct group *g);
/* join_stop ends pending joins (done gets BAL_ESTATE); from net_stop. */
void join_stop(struct daemon *d);

/* ---- lan.c ---- */

/* lan_start begins LAN discovery when d->lan (BAL_ENOMEM). */
int lan_start(struct net *net);
/* lan_stop closes its sockets and timer (from net_stop). */
void lan_stop(struct net *net);
/*
 * lan_groups_changed looks at the groups again at the next loop turn: a
 * roster refolded (an amendment to tor-only, a revocation) or a group
 * gone; with no beacon key left, the multicast groups are left at once.
 */
void lan_groups_changed(struct net *net);
/* lan_expire drops LAN targets whose beacons stopped (no conn). */
void lan_expire(struct net *net);
/*
 * lan_on_link is 1 when src lies in the subnet of one of this machine's
 * interfaces (punch-onion.c asks it too).
 */
int lan_on_link(const struct sockaddr *src);
/* lan_member_found is 1 when member of group was found on the LAN. */
int lan_member_found(const struct net *net, const uint8_t *group,
    const uint8_t *member);

/* ---- peer-wait.c ---- */

/* peer_wait_check calls back the waiters whose group is level. */
void peer_wait_check(struct net *net);
/* peer_wait_finish calls w back with status and closes it. */
void peer_wait_finish(struct waiter *w, int status);

#endif
