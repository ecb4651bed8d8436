/*
 * transport.h — the ways of reaching a peer, each behind one small
 * interface, as curl's TLS backends sit behind lib/vtls/vtls.h.  A
 * backend knows its kind of address, whether it can dial one now, how to
 * make a connected byte stream to it (a libuv stream in the connection,
 * net_conn), and how to take connections that come in; everything after
 * the stream (the handshake, frames, sessions) is the same for all of
 * them and never asks which backend carried the bytes.
 *
 *	transport-tcp.c		direct TCP: numeric IPv4/IPv6 and host
 *				names (looked up with uv_getaddrinfo at
 *				each dial); the TCP listener
 *	transport-onion.c	.onion addresses through tor's SOCKS port;
 *				the onion service's Unix socket
 *
 * A new way (a TCP simultaneous open from a given local port, ...) is a
 * new file defining one struct transport, and its line in transport.c's
 * table.  Dial targets pick a backend by address (transport_for), or a
 * target carries the one it was made for (struct target's tp), for
 * addresses that look like another backend's.  Bundles (group-bundle.c)
 * are a transport without a connection: entries carried as a file, read
 * through the same group_receive; they are not behind this interface.
 * See docs/architecture.md "Transports".
 *
 * Only for daemon/net/.  Everything runs on the daemon's loop thread.
 */
#ifndef BAL_TRANSPORT_H
#define BAL_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct net;
struct net_conn;

struct transport {
	const char *name;		/* "tcp", "onion": in logs */
	const char *via;		/* a session's "via" in status */
	int tor;			/* through tor: said so in logs */
	/* Until the handshake starts (the connection's timer). */
	uint64_t dial_timeout_ms;
	/* Reconnects back off from min, doubling, up to max. */
	uint64_t backoff_min_ms;
	uint64_t backoff_max_ms;
	/* Why a dial that ran out of time in C_PREAMBLE failed. */
	const char *preamble_late;
	/* 1 when addr (HOST:PORT syntax) is this backend's kind. */
	int (*match)(const char *addr);
	/*
	 * NULL when addr can be dialed now, else why not (then *later, when
	 * not NULL, is 1 if it may become possible without the user: tor
	 * starting).  NULL hook: always.
	 */
	const char *(*unready)(struct net *net, const char *addr, int *later);
	/*
	 * Starts a dial of addr: a connection made with transport_conn_new
	 * whose stream is being connected; the backend calls
	 * transport_connected once bytes can flow to the peer, or closes it
	 * (peer_conn_close / peer_conn_drop, which say why).  NULL when it
	 * cannot start (nothing is left open).
	 */
	struct net_conn *(*dial)(struct net *net, const char *addr);
	/*
	 * Bytes read in C_PREAMBLE (the backend's own exchange before the
	 * handshake, e.g. SOCKS): how many it used, or < 0 when it dropped
	 * the connection.  NULL: the backend has no preamble.
	 */
	ssize_t (*feed)(struct net_conn *c, const uint8_t *data, size_t len);
	/*
	 * The connection is closing: cancel what the dial started beside the
	 * stream, let go of c->tpctx.  NULL: nothing to do.
	 */
	void (*close)(struct net_conn *c);
	/*
	 * Starts taking connections (handed to peer_listen_accept); logged.
	 * An error stops the network from starting.  NULL: dials only.
	 */
	int (*listen)(struct net *net);
	/* Closes what listen opened (net_stop).  NULL: nothing. */
	void (*stop)(struct net *net);
};

extern const struct transport transport_tcp;
extern const struct transport transport_onion;

/* transport_for is the backend that dials addr, or NULL when none does. */
const struct transport *transport_for(const char *addr);
/*
 * transport_unready says why addr cannot be dialed now (see the hook), or
 * NULL when it can or no backend dials it (the dial will say so).
 */
const char *transport_unready(struct net *net, const char *addr, int *later);
/*
 * transport_conn_new makes an outgoing connection for tp's dial of addr:
 * its stream (a Unix socket when pipe, else TCP), state C_CONNECTING and
 * tp's dial timeout.
 */
struct net_conn *transport_conn_new(struct net *net,
    const struct transport *tp, const char *addr, int pipe);
/*
 * transport_connected: c's stream reaches the peer; sends the client's
 * first handshake message and reads (unless the backend reads already).
 */
void transport_connected(struct net_conn *c);
/* transport_listen starts every backend's listener (stops at an error). */
int transport_listen(struct net *net);
/* transport_stop closes every backend's listener. */
void transport_stop(struct net *net);

#endif
