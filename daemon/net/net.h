/*
 * net.h — the face of daemon/net/: balintd's network side.  The folder
 * owns connections and their bytes (peer.c: the handshake (shs.h),
 * framing (frame.h), timeouts, closing), the network's start and stop
 * (net.c), the member session and its sync engine (peer-session.c,
 * sync.c), admission of connections that came in (peer-listen.c),
 * dialing (peer-dial.c), the ways of reaching a peer, each behind one
 * interface (transport.h: direct TCP in transport-tcp.c, onion services
 * through tor in transport-onion.c), reachable addresses (peer-reach.c),
 * the router's port mapping (portmap.c), hole punching through a
 * third member (punch.c), the choice of dial targets
 * (peer-pick.c), level waiters and status (peer-wait.c), rate-limited
 * log lines (peer-ratelog.c), the join conversation (join.c), Tor: the
 * tor child and its control port (tor.c, tor-ctl.c, with their own
 * header tor.h), and LAN discovery (lan.c); peer-int.h, peer-pick.h,
 * transport.h, tor-int.h and sync.h stay inside.  It calls the group
 * folder, the store and proto/, and hears from the group state through
 * its events (d->on_event); only the process and the control folder call
 * it.  Everything runs on the daemon's loop thread.
 *
 * One session per (peer member, group).  The listener accepts the network
 * key of every epoch of every group this member holds, and the invite
 * network key of every open invite (one table, shared by the pending
 * handshakes, built again when the keys change); a member key is admitted
 * only when it is an active member of the group whose key it used.
 * Pending incoming connections are capped (NET_PENDING_MAX, and
 * NET_PENDING_PER_ADDR per address); refusals a flood could repeat are
 * logged at most once per NET_RATELOG_MS.  A session that receives nothing
 * for NET_DEAD_FACTOR * NET_IDLE_MS is closed; each side sends HAVE when
 * idle.  The dialer keeps one target per (group, address) with reconnects,
 * exponential backoff and jitter.  Addresses are numeric IPv4
 * ("127.0.0.1:7000"), bracketed IPv6 ("[::1]:7000") or "localhost:PORT".
 * The rules are in docs/protocol.md; the code is in peer*.c (peer-int.h).
 *
 * Ownership: struct net belongs to the daemon (d->net); net_start makes
 * it, net_stop begins closing it and it frees itself once the loop has run
 * every close callback (d->net is then NULL).
 */
#ifndef BAL_NET_H
#define BAL_NET_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "daemon.h"
#include "wire.h"

struct group;
struct net;
struct net_conn;

/* Reconnect backoff: doubles from MIN to MAX, with +-25% jitter. */
#define NET_BACKOFF_MIN_MS 200
#define NET_BACKOFF_MAX_MS 30000
#define NET_HANDSHAKE_TIMEOUT_MS 10000
/* A session whose peer reads nothing for this long is dropped. */
#define NET_STALL_TIMEOUT_MS 60000
/*
 * Liveness of a session (docs/protocol.md "Liveness"): after NET_IDLE_MS
 * without sending anything it sends HAVE; after NET_DEAD_FACTOR times that
 * without receiving any byte it is closed.  TCP keepalive starts after
 * NET_IDLE_MS too.  NET_IDLE_ENV (a test hook) lowers NET_IDLE_MS to
 * NET_IDLE_MIN_MS at least.
 */
#define NET_IDLE_MS 30000
#define NET_DEAD_FACTOR 3
#define NET_IDLE_MIN_MS 100
#define NET_IDLE_ENV "BALINT_PEER_IDLE_MS"
/*
 * Incoming connections not yet authenticated as a member session
 * (handshake, HELLO, join conversation): at most this many in all, and
 * per remote IP address; beyond, a new connection is closed at once.
 */
#define NET_PENDING_MAX 128
#define NET_PENDING_PER_ADDR 16
/* A log line that a flood could repeat is written at most this often. */
#define NET_RATELOG_MS 10000
/* Bytes queued on one socket above which we stop producing and reading. */
#define NET_WRITE_QUEUE_CAP (4u * 1024 * 1024)
/*
 * Dial targets per group, and announced addresses per member among them
 * (peer-pick.h): typed addresses first, then members' announced ones in
 * rounds across members.  A member's later addresses are first dialed
 * NET_NEXT_ADDR_MS apart, so that the best one can come up first.
 */
#define NET_TARGETS_MAX 64
#define NET_TARGETS_PER_MEMBER 4
#define NET_NEXT_ADDR_MS 1500

/*
 * net_start sets up the network of d: listens on d->listen (if not empty;
 * port 0 picks a free port and d->listen is rewritten with it), dials the
 * stored peers of every group in d->groups and listens to the group
 * state's events (d->on_event, group.h).  Returns 0, BAL_EINVAL for a bad d->listen, or BAL_EIO
 * when the address cannot be bound (logged).
 */
int net_start(struct daemon *d);

/*
 * net_stop ends every session (BYE SHUTDOWN), stops dialing and closes
 * every handle; run the loop afterwards until it has no handles left
 * (struct net is freed by the last close callback).  Pending level waits
 * and joins are called back with BAL_ESTATE.  NULL d->net is a no-op.
 */
void net_stop(struct daemon *d);

/*
 * net_group_added makes g's dial targets what peer_pick keeps of its
 * stored addresses (docs/protocol.md "Dial targets"): for a group created
 * or joined after net_start, and again whenever they may have changed.
 */
int net_group_added(struct daemon *d, struct group *g);

/*
 * net_announce appends this member's listen address to g as an announce
 * entry (group_announce) when it is not the one announced last (kept in
 * the store's meta "announced:GROUPHEX"); not for 0.0.0.0 / [::].  Called
 * by net_start for every group and when a join completes.
 */
void net_announce(struct daemon *d, struct group *g);

/*
 * net_add_peer remembers addr ("HOST:PORT") for g in the store as a typed
 * address and dials it at once.  member is the member expected there, or
 * NULL if unknown: the dialer then tries the active members of the group
 * in turn until one answers, and remembers who did.  On 0, said gets one
 * line telling what happens ("dialing ADDR", "already connected to NAME
 * at ADDR", ...); else err says why not: BAL_EINVAL for a bad address,
 * BAL_EEXIST for this daemon's own address, BAL_ESTATE when the network
 * is not running, or the store's error.
 */
int net_add_peer(struct daemon *d, struct group *g, const char *addr,
    const uint8_t *member, char *said, size_t saidlen, char *err,
    size_t errlen);

/*
 * net_sync_now asks every session of g (NULL: of every group) for a new
 * vector exchange (HAVE) and dials every waiting target of g at once.
 */
int net_sync_now(struct daemon *d, struct group *g);

/* One line of `balint status` / `balint peer list`. */
struct net_status_info {
	const struct group *g;
	uint8_t member[BAL_PK_BYTES];	/* valid when has_member */
	int has_member;
	const char *name;		/* the member's roster name, or NULL */
	/*
	 * "HOST:PORT": dialed; for a session that came in, the address we
	 * dial that member at if we know one, else the remote end.
	 */
	const char *addr;
	/*
	 * Where addr leads, as numbers (localhost:P is 127.0.0.1:P, a host
	 * name as its last dial looked it up): lines of one member, or of
	 * one such place, are reported once.
	 */
	const char *endpoint;
	/*
	 * "up" (session established), "connecting" (dial or handshake in
	 * progress), "waiting" (a target waiting for its next dial).
	 */
	const char *state;
	int outgoing;			/* we dialed it */
	int level;			/* up: both sides hold the same entries */
	uint64_t entries_sent;
	uint64_t entries_received;
	uint64_t since_ms;		/* up: when it came up (Unix ms) */
	/* up or connecting: "onion" (through tor) or "direct" */
	const char *via;
	/* waiting: why the last attempt failed ("" if none or unknown) */
	const char *why;
	uint64_t reached_ms;		/* waiting: last session (Unix ms), 0 */
	int lan;			/* found by its LAN beacons (lan.c) */
	int punched;			/* opened by hole punching (punch.c) */
	uint32_t caps;			/* its HELLO's capabilities (wire.h) */
};

/*
 * LAN_ENV=off turns LAN discovery off when the settings file does not say
 * (the tests' default: their daemons send no multicast on the host).
 */
#define LAN_ENV "BALINT_LAN"

/* LAN discovery as `balint status` shows it (lan.c). */
struct net_lan_info {
	int running;			/* on: the setting, not tor-only */
	int sending;			/* listens where beacons can lead */
	unsigned groups;		/* groups we send beacons for */
	unsigned interfaces;		/* interface addresses sent on */
	uint64_t rounds;		/* rounds sent (a beacon per group and
					   interface each) */
	uint64_t sent, sent_bytes, send_errors;
	uint64_t capped;		/* not sent: over the cap a minute */
	uint64_t heard;			/* datagrams examined */
	uint64_t recognised;		/* beacons of members of our groups */
	uint64_t garbage;		/* not a beacon of any of our groups */
	uint64_t stale;			/* ours, but too old, of no member, or
					   from an address we cannot dial */
	uint64_t dropped;		/* over the rate limit, unexamined */
};

/* net_lan_status fills out (all zero when LAN discovery does not run). */
void net_lan_status(struct daemon *d, struct net_lan_info *out);

typedef void (*net_status_cb)(void *ctx, const struct net_status_info *si);

/*
 * net_peer_endpoint writes where addr, a stored address of g, leads as
 * numbers (see net_status_info's endpoint), or addr itself while that is
 * not known.
 */
void net_peer_endpoint(struct daemon *d, const struct group *g,
    const char *addr, char *out, size_t outlen);
/* net_member_removed is 1 when pk left g or was revoked from it. */
int net_member_removed(const struct group *g, const uint8_t *pk);

/*
 * net_status calls cb once for every peer of g (NULL: of every group): a
 * session, else a dial in progress, else the dial target reached last of
 * one member (or, while nobody answered there, of one place: see
 * endpoint).  Members who left or were revoked are left out.  The
 * pointers in *si are valid during the call only.
 */
void net_status(struct daemon *d, const struct group *g, net_status_cb cb,
    void *ctx);
/*
 * net_status_each is net_status with merge 0: every session, dial in
 * progress and waiting target, the lines of one peer not merged (peer.list
 * shows each address).
 */
void net_status_each(struct daemon *d, const struct group *g, int merge,
    net_status_cb cb, void *ctx);

/*
 * net_level_cb gets 0 when every session of the group is level (at least
 * one session up, or no peer known at all) and what was received is synced
 * to disk, BAL_EAGAIN on timeout, BAL_ESTATE when the daemon stops, or the
 * store's error when the sync failed.
 */
typedef void (*net_level_cb)(void *ctx, int status);

/*
 * net_level_wait calls cb once g's sessions are level (see net_level_cb),
 * at the latest after timeout_ms (0: no limit); cb may be called before
 * net_level_wait returns.  For `balint sync --wait`.
 */
int net_level_wait(struct daemon *d, struct group *g, uint64_t timeout_ms,
    net_level_cb cb, void *ctx);

/*
 * The outcome of a join: status 0 and the group, or a negative code and a
 * one-line reason ("this invite was already used", "invite expired on
 * DATE", "cannot reach the inviter at ADDR", "timed out after N s").
 * For a preview, contract_text is the contract to show (else NULL).
 * inviter is the name the inviter gave with the contract ("" if none
 * came); its key is the code's, which the handshake proved.  confirm: the
 * inviter confirms the newcomer's fingerprint before adding them.
 */
typedef void (*join_done_cb)(void *ctx, int status, struct group *g,
    const char *contract_text, const char *inviter, int confirm,
    const char *err);

/* How long a newcomer waits for the inviter's confirmation by default. */
#define JOIN_ADMIT_WAIT_MS (10u * 60 * 1000)

/*
 * join_start begins joining with code (join.c).  preview: only fetch the
 * contract (the invite is not used up).  Otherwise accept: sign the
 * acceptance, get added, and call done once this member holds the roster
 * and the epoch key(s), or on failure or after timeout_ms; when the
 * inviter confirms newcomers first, after wait_ms from the acceptance (0:
 * JOIN_ADMIT_WAIT_MS).  BAL_ECHECKSUM: the code was mistyped (done is not
 * called for errors returned directly).
 */
int join_start(struct daemon *d, const char *code, int preview,
    uint64_t timeout_ms, uint64_t wait_ms, join_done_cb done, void *ctx,
    char *err, size_t errlen);

/*
 * Newcomers held by this inviter until a leader confirms their fingerprint
 * (invites made with --confirm; join.c).  join_waiting_each calls cb for
 * each (group id, key, name, since when in Unix ms); a non-zero return
 * stops it and is returned.
 */
typedef int (*join_waiting_cb)(void *ctx, const uint8_t *group,
    const uint8_t *pk, const char *name, uint64_t since_ms);
int join_waiting_each(struct daemon *d, join_waiting_cb cb, void *ctx);
/*
 * join_admit admits (or, refuse, turns away and spends the code of) the
 * one newcomer waiting in group (NULL: any) whose name or whole
 * fingerprint (blanks ignored) is sel.  msg gets one line either way;
 * BAL_ENOENT: none, BAL_EEXIST: several, BAL_EPERM: the admission failed.
 */
int join_admit(struct daemon *d, const uint8_t *group, const char *sel,
    int refuse, char *msg, size_t msglen);

/*
 * Connections for join.c (the join conversation).  A connection that carries the join
 * conversation has a handler instead of a sync engine; msg gets each
 * received frame's plaintext (return a negative code to close it with BYE
 * PROTOCOL), down is called once when it closes (why: a one-line reason,
 * "" when it ended normally).  After down the connection is gone.
 */
struct net_handler {
	void (*up)(void *ctx, struct net_conn *c);
	int (*msg)(void *ctx, struct net_conn *c, const uint8_t *msg,
	    size_t len);
	void (*down)(void *ctx, struct net_conn *c, const char *why);
};

/*
 * net_dial_invite dials addr with the invite network key netkey, expecting
 * server_pk there; h gets the connection's events.  *out (optional) is the
 * connection until h->down.  dial_ms, if not 0 and shorter than the
 * transport's own limit, is how long reaching addr may take (a join that
 * wants time left for another attempt).
 */
int net_dial_invite(struct daemon *d, const char *addr,
    const uint8_t netkey[BAL_KEY_BYTES], const uint8_t server_pk[BAL_PK_BYTES],
    uint64_t dial_ms, const struct net_handler *h, void *ctx,
    struct net_conn **out);
/* net_conn_set_handler gives an accepted invite connection its handler. */
void net_conn_set_handler(struct net_conn *c, const struct net_handler *h,
    void *ctx);
/* net_conn_send sends one message (a frame) on c. */
int net_conn_send(struct net_conn *c, const uint8_t *msg, size_t len);
/*
 * net_conn_member turns c into a member session of g with the peer: it
 * sends HELLO and continues as any other session (the handler's down is
 * called, with why "", and not used again).
 */
int net_conn_member(struct net_conn *c, struct group *g);
/*
 * net_conn_hold gives a join conversation ms more before it times out
 * (a newcomer waiting for a leader's confirmation).
 */
void net_conn_hold(struct net_conn *c, uint64_t ms);
/* net_conn_close sends BYE reason text (if possible) and closes c. */
void net_conn_close(struct net_conn *c, int reason, const char *text);
/* net_conn_remote_pk is the peer's member key (after the handshake). */
const uint8_t *net_conn_remote_pk(const struct net_conn *c);
/*
 * net_conn_retryable is 1 when c failed in a way that a retry soon may
 * mend: tor was not ready, or said that the onion service is not found
 * yet, or its circuits failed or timed out.
 */
int net_conn_retryable(const struct net_conn *c);
/* net_conn_addr is the dialed address or the remote end, "HOST:PORT". */
const char *net_conn_addr(const struct net_conn *c);

/*
 * net_addr_parse checks "HOST:PORT" (see above) and fills ss (may be
 * NULL).  BAL_EINVAL when it is not an address we can dial or bind.
 */
int net_addr_parse(const char *addr, struct sockaddr_storage *ss);

/*
 * net_tor_changed: tor became ready to dial, or this member's onion
 * address became known (tor-ctl.c): announce it, dial onion targets now.
 */
void net_tor_changed(struct daemon *d);

/*
 * net_addr_skip says why addr, from an invite code, is not dialed, or
 * NULL: it is this daemon itself (its own listen address, or a loopback
 * address with its own port while it listens on a wildcard or loopback
 * address).
 */
const char *net_addr_skip(const struct daemon *d, const char *addr);

/*
 * net_reach_addrs fills out with at most max addresses where a listener on
 * listen can be reached (peer-reach.c): listen itself; for "0.0.0.0:P" the
 * machine's IPv4 addresses with port P; for "[::]:P" its IPv4 and IPv6
 * addresses (not link-local, temporary, deprecated or tentative); never a
 * loopback address for a wildcard.
 * Global IPv6 addresses (at most NET_REACH_V6) come first, then IPv4,
 * then ULAs.
 * Returns how many (0 when listen has no port, or the machine has no
 * address but loopback).
 */

size_t net_reach_addrs(const char *listen, char (*out)[WIRE_MAX_ADDR + 1],
    size_t max);

/*
 * net_reach_global is what net_reach_addrs gives of global scope only (an
 * IPv6 address of the machine, a public IPv4 address on an interface):
 * what a member on a wildcard address announces (net_announce).
 */
#define NET_REACH_V6 2		/* global IPv6 addresses at most, each */
/*
 * net_reach_v6_unwanted is 1 when if_inet6 (the text of the kernel's
 * /proc/net/if_inet6) flags addr as temporary, deprecated, tentative or
 * failed duplicate address detection: never given out.
 */
int net_reach_v6_unwanted(const char *if_inet6, const uint8_t addr[16]);
size_t net_reach_global(const char *listen, char (*out)[WIRE_MAX_ADDR + 1],
    size_t max);

/*
 * Hole punching (punch.c, docs/protocol.md "Hole punching"): PUNCH_ENV
 * "off" turns it off (the tests' default); PUNCH_RETRY_ENV (a test hook,
 * ms) asks for a member again sooner than once a minute.
 */
#define PUNCH_ENV "BALINT_PUNCH"
#define PUNCH_RETRY_ENV "BALINT_PUNCH_RETRY_MS"

/*
 * Port mapping (portmap.c, docs/protocol.md "Port mapping"): the router
 * forwards the listen port by UPnP-IGD or NAT-PMP, on the thread pool,
 * and opens its IPv6 firewall for it (portmap-hole.c: UPnP IGDv2).
 * The settings' "portmap = off" turns it off, and so does PORTMAP_ENV
 * ("off"; "upnp" or "natpmp" tries that one only; tests set it off);
 * never for a loopback listener, nor when every group is tor-only.
 */
#define PORTMAP_ENV "BALINT_PORTMAP"
#define PORTMAP_LEASE_ENV "BALINT_PORTMAP_LEASE_S"	/* test hook */
#define PORTMAP_LEASE_S 3600
#define PORTMAP_RETRY_S 300
#define PORTMAP_RENEW_MIN_S 60		/* whatever lease the gateway grants */
#define PORTMAP_ANNOUNCE_GAP_S 600	/* between announces it causes */

/* net_portmap_addr is the mapped "EXTERNAL:PORT", or NULL. */
const char *net_portmap_addr(const struct daemon *d);

struct net_portmap_info {
	const char *method;	/* "upnp", "natpmp", "none", "trying", "off" */
	const char *ext;	/* "EXTERNAL:PORT", or "" */
	const char *why;	/* why none worked, or "" */
	unsigned lease_s;	/* granted (0: permanent or none) */
	uint64_t left_s;	/* until the lease ends */
	/* IPv6 pinholes (portmap-hole.c): "pcp", "upnp", "nofirewall"
	 * (the router's IPv6 firewall is off), "unneeded" (no global IPv6
	 * address to open, or a listener on IPv4 only: v6_why says which),
	 * "none", "trying", "off". */
	const char *v6_method;
	const char *v6_open;	/* "[IPV6]:PORT ..." let in, or "" */
	const char *v6_why;	/* why none is open, or "" */
	unsigned v6_lease_s;
	uint64_t v6_left_s;
};

/* net_portmap_status fills *pi (pointers valid until the loop turns). */
void net_portmap_status(const struct daemon *d, struct net_portmap_info *pi);

/*
 * net_portmap_v6_open: 1 when the router lets members elsewhere in to the
 * IPv6 address host (no brackets) through a pinhole, or its IPv6 firewall
 * is off; 0 when not (or not known yet); -1 when no pinhole is asked for
 * (port mapping off, or not by UPnP): nothing known either way.
 */
int net_portmap_v6_open(const struct daemon *d, const char *host);

#endif
