/*
 * peer-listen.c — the listening side, whatever transport a connection
 * came in through (their listeners hand it to peer_listen_accept): the
 * table of network keys it accepts (built once per change and shared by
 * the pending handshakes), the caps on pending connections, and the
 * admission of a finished handshake.  See docs/protocol.md "Connections".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "group.h"
#include "peer-int.h"
#include "transport.h"

/* 1 when two "HOST:PORT" texts name the same host. */
static int
same_host(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	return ca != NULL && cb != NULL && ca - a == cb - b &&
	    memcmp(a, b, (size_t)(ca - a)) == 0;
}

/* ---- the network keys ---- */

void
peer_listen_unref(struct keytab *t)
{
	if (t == NULL || --t->refs > 0)
		return;
	sodium_free(t->keys);		/* wipes them */
	sodium_free(t->slots);
	free(t);
}

/*
 * A digest of what the groups' part of the table is made from: each
 * group's id, its count of epoch keys (they are only ever added) and
 * whether it has a roster.  Changes of a roster mark the table dirty.
 */
static void
keytab_stamp(const struct daemon *d, uint8_t stamp[16])
{
	crypto_generichash_state st;
	const struct group *g;
	uint8_t b[9];
	uint64_t n;
	int i;

	crypto_generichash_init(&st, NULL, 0, 16);
	for (g = d->groups; g != NULL; g = g->next) {
		n = (uint64_t)g->nkeys;
		for (i = 0; i < 8; i++)
			b[i] = (uint8_t)(n >> (8 * i));
		b[8] = g->roster != NULL;
		crypto_generichash_update(&st, g->id, BAL_GROUP_ID_BYTES);
		crypto_generichash_update(&st, b, sizeof(b));
	}
	crypto_generichash_final(&st, stamp, 16);
}

/*
 * Builds the table: the network keys of every epoch of every group (at
 * most NET_KEYS_PER_GROUP each, newest first), then those of the open
 * invites (invite_open_list); at most SHS_NETWORK_KEYS_MAX in all.
 */
static struct keytab *
keytab_build(struct net *net, const uint8_t stamp[16])
{
	struct daemon *d = net->d;
	struct keytab *t = NULL, *ret = NULL;
	struct keyslot *slots = NULL;
	struct invite_open *inv = NULL;
	struct group *g;
	uint8_t (*gk)[32] = NULL, *keys = NULL;
	size_t n = 0, gn, i, ninv = 0;
	uint64_t now = daemon_now_ms();

	if ((keys = sodium_malloc(SHS_NETWORK_KEYS_MAX * 32)) == NULL ||
	    (slots = sodium_malloc(SHS_NETWORK_KEYS_MAX *
	    sizeof(*slots))) == NULL ||
	    (gk = sodium_malloc(NET_KEYS_PER_GROUP * 32)) == NULL ||
	    (inv = sodium_malloc(INVITE_OPEN_MAX * sizeof(*inv))) == NULL ||
	    (t = calloc(1, sizeof(*t))) == NULL)
		goto out;
	memset(slots, 0, SHS_NETWORK_KEYS_MAX * sizeof(*slots));
	for (g = d->groups; g != NULL; g = g->next) {
		gn = 0;
		if (group_network_keys(g, gk, NET_KEYS_PER_GROUP, &gn) != 0)
			continue;
		for (i = 0; i < gn && n < SHS_NETWORK_KEYS_MAX; i++, n++) {
			memcpy(keys + n * 32, gk[i], 32);
			memcpy(slots[n].group, g->id, BAL_GROUP_ID_BYTES);
		}
	}
	if (invite_open_list(d, inv, INVITE_OPEN_MAX, &ninv) == 0)
		for (i = 0; i < ninv && n < SHS_NETWORK_KEYS_MAX; i++, n++) {
			memcpy(keys + n * 32, inv[i].netkey, 32);
			slots[n].is_invite = 1;
			slots[n].inv = inv[i];
			memcpy(slots[n].group, inv[i].group,
			    BAL_GROUP_ID_BYTES);
			/* Rebuilt when the first open one expires. */
			if (inv[i].expires_ms > now && (t->expires_ms == 0 ||
			    inv[i].expires_ms < t->expires_ms))
				t->expires_ms = inv[i].expires_ms;
		}
	if (n > 0) {
		if ((t->keys = sodium_malloc(n * 32)) == NULL ||
		    (t->slots = sodium_malloc(n * sizeof(*slots))) == NULL)
			goto out;
		memcpy(t->keys, keys, n * 32);
		memcpy(t->slots, slots, n * sizeof(*slots));
	}
	t->n = n;
	t->refs = 1;
	memcpy(t->stamp, stamp, sizeof(t->stamp));
	ret = t;
	t = NULL;
out:
	if (t != NULL) {
		sodium_free(t->keys);
		sodium_free(t->slots);
		free(t);
	}
	sodium_free(keys);		/* sodium_free wipes */
	sodium_free(slots);
	sodium_free(gk);
	sodium_free(inv);
	return ret;
}

/*
 * The current key table, built again when the keys may have changed
 * (net_keys_changed, a roster change, another stamp, an invite expired);
 * NULL when out of memory.  The net holds one reference to it.
 */
static struct keytab *
keytab_get(struct net *net)
{
	struct keytab *t = net->tab;
	uint8_t stamp[16];

	keytab_stamp(net->d, stamp);
	if (t != NULL && !net->tab_dirty &&
	    memcmp(stamp, t->stamp, sizeof(stamp)) == 0 &&
	    (t->expires_ms == 0 || daemon_now_ms() < t->expires_ms))
		return t;
	if ((t = keytab_build(net, stamp)) == NULL)
		return NULL;
	peer_listen_unref(net->tab);
	net->tab = t;
	net->tab_dirty = 0;
	return t;
}

void
net_keys_changed(struct daemon *d)
{
	if (d->net != NULL)
		d->net->tab_dirty = 1;
}

/* ---- the handshake ---- */

/* Admits the client of a finished listening handshake, or refuses it. */
int
peer_listen_admit(struct net_conn *c)
{
	const struct shs_result *r = shs_result(c->shs);
	const struct keyslot *ks;
	struct group *g;

	if (c->tab == NULL || r->key_index >= c->tab->n)
		return BAL_EPERM;
	ks = &c->tab->slots[r->key_index];
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

/*
 * Starts the listening side of the handshake when the first bytes of a
 * connection arrive (a connection that sends nothing costs no keys): with
 * the current key table, which c holds until the handshake ends.
 */
int
peer_listen_handshake(struct net_conn *c)
{
	struct keytab *t;
	int rc;

	if ((t = keytab_get(c->net)) == NULL)
		return BAL_ENOMEM;
	if (t->n == 0)
		return BAL_ENOENT;
	if ((rc = shs_server_new_multi(t->keys, t->n, c->net->d->id, NULL,
	    &c->shs)) != 0)
		return rc;
	c->tab = t;
	t->refs++;
	return 0;
}

/* ---- accepting ---- */

/*
 * A connection came in through tp: refused at once (one rate-limited log
 * line) when NET_PENDING_MAX connections are pending in all or
 * NET_PENDING_PER_ADDR from its address; else it waits for its first
 * bytes (peer_listen_handshake).  On a Unix socket (the onion service's,
 * transport-onion.c) nothing is known of the caller: all such count as
 * one address, "onion:0" (tp's name).
 */
void
peer_listen_accept(uv_stream_t *server, int status,
    const struct transport *tp)
{
	struct net *net = server->data;
	struct net_conn *c, *o;
	struct sockaddr_storage ss;
	int namelen = sizeof(ss), rc, pipe = server->type == UV_NAMED_PIPE;
	size_t same = 0;

	if (net->stopping)
		return;
	if (status < 0) {
		peer_ratelog(net, RL_ACCEPT, "cannot accept a connection: %s",
		    uv_strerror(status));
		return;
	}
	if ((c = peer_conn_new(net, pipe)) == NULL) {
		peer_ratelog(net, RL_ACCEPT, "cannot accept a connection: %s",
		    bal_strerror(BAL_ENOMEM));
		return;
	}
	if ((rc = uv_accept(server, (uv_stream_t *)&c->tcp)) != 0) {
		peer_ratelog(net, RL_ACCEPT, "cannot accept a connection: %s",
		    uv_strerror(rc));
		peer_conn_close(c, -1, NULL);
		return;
	}
	c->state = C_HANDSHAKE;
	c->rx_ms = uv_now(net->d->loop);
	c->tp = tp;
	c->via_tor = tp->tor;
	if (pipe)
		snprintf(c->addr, sizeof(c->addr), "%s:0", tp->name);
	else if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss,
	    &namelen) == 0)
		peer_sockaddr_text(&ss, c->addr, sizeof(c->addr));
	else
		snprintf(c->addr, sizeof(c->addr), "?");
	for (o = net->conns; o != NULL; o = o->next)
		if (o->pending && same_host(o->addr, c->addr))
			same++;
	if (net->npending >= NET_PENDING_MAX ||
	    same >= NET_PENDING_PER_ADDR) {
		peer_ratelog(net, RL_REFUSED, "peer %s: connection refused: "
		    "%zu handshakes pending, %zu from this address (at most "
		    "%d, %d per address)", c->addr, net->npending, same,
		    NET_PENDING_MAX, NET_PENDING_PER_ADDR);
		peer_conn_close(c, -1, NULL);
		return;
	}
	c->pending = 1;
	net->npending++;
	if (!pipe)
		uv_tcp_nodelay(&c->tcp, 1);
	if ((rc = uv_read_start((uv_stream_t *)&c->tcp, peer_on_alloc,
	    peer_on_read)) != 0) {
		peer_ratelog(net, RL_ACCEPT, "peer %s: cannot read: %s",
		    c->addr, uv_strerror(rc));
		peer_conn_close(c, -1, NULL);
		return;
	}
	c->reading = 1;
}
