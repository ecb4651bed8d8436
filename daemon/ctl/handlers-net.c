/*
 * handlers-net.c — the control commands that involve other members:
 * invite, join (asynchronous), peer.add, peer.list, sync (asynchronous with
 * wait), and the "peer" records of status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "addr.h"
#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "invcode.h"
#include "net.h"
#include "store.h"
#include "tor.h"
#include "wire.h"

#define JOIN_DEFAULT_TIMEOUT_MS 60000u
#define SYNC_DEFAULT_TIMEOUT_MS 60000u
#define INVITE_MAX_EXPIRY_S (366u * 24 * 3600)

struct status_ctx {
	struct ctl_resp *resp;
	int failed;
};

static void
status_peer_cb(void *ctx, const struct net_status_info *si)
{
	struct status_ctx *sc = ctx;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], mid[IDENTITY_ID_TEXT_BYTES];
	char caps[64];

	if (sc->failed)
		return;
	hex[0] = mid[0] = '\0';
	(void)wire_caps_text(si->caps, caps, sizeof(caps));
	if (si->g != NULL)
		handlers_hex(si->g->id, BAL_GROUP_ID_BYTES, hex);
	if (si->has_member)
		identity_id_encode(si->member, mid);
	if (ctl_resp_record_begin(sc->resp) != 0 ||
	    ctl_resp_add_str(sc->resp, "kind", "peer") != 0 ||
	    ctl_resp_add_str(sc->resp, "group", hex) != 0 ||
	    ctl_resp_add_str(sc->resp, "member", mid) != 0 ||
	    ctl_resp_add_str(sc->resp, "name",
	    si->name != NULL ? si->name : "") != 0 ||
	    ctl_resp_add_str(sc->resp, "address",
	    si->addr != NULL ? si->addr : "") != 0 ||
	    ctl_resp_add_str(sc->resp, "state",
	    si->state != NULL ? si->state : "") != 0 ||
	    ctl_resp_add_bool(sc->resp, "level", si->level) != 0 ||
	    ctl_resp_add_bool(sc->resp, "outgoing", si->outgoing) != 0 ||
	    ctl_resp_add_uint(sc->resp, "sent", si->entries_sent) != 0 ||
	    ctl_resp_add_uint(sc->resp, "received",
	    si->entries_received) != 0 ||
	    ctl_resp_add_str(sc->resp, "via", si->via != NULL ? si->via :
	    "") != 0 ||
	    ctl_resp_add_str(sc->resp, "last_error", si->why != NULL ?
	    si->why : "") != 0 ||
	    ctl_resp_add_uint(sc->resp, "last_reached", si->reached_ms) != 0 ||
	    ctl_resp_add_bool(sc->resp, "lan", si->lan) != 0 ||
	    ctl_resp_add_bool(sc->resp, "punched", si->punched) != 0 ||
	    ctl_resp_add_str(sc->resp, "capabilities", caps) != 0)
		sc->failed = 1;
}

/* LAN discovery in words, for status (net/lan.c). */
static void
lan_text(struct daemon *d, const struct net_lan_info *li, char *out,
    size_t len)
{
	/* Whole sentences, each translated by the CLI (daemon-text.c). */
	if (!d->lan)
		snprintf(out, len, "%s", N_("off (lan-discovery = off)"));
	else if (!li->running)
		snprintf(out, len, "%s", N_("off (the network is not "
		    "running)"));
	else if (!li->sending)
		snprintf(out, len, "%s", N_("listening only: no beacon sent "
		    "(balintd listens nowhere or on loopback only)"));
	else if (li->groups == 0)
		snprintf(out, len, "%s", N_("on, no beacon sent (no group to "
		    "send for: none yet, or every one is tor-only)"));
	else
		snprintf(out, len, li->groups == 1 ? (li->interfaces == 1 ?
		    N_("on: beacons for %u group on %u interface address") :
		    N_("on: beacons for %u group on %u interface addresses")) :
		    li->interfaces == 1 ?
		    N_("on: beacons for %u groups on %u interface address") :
		    N_("on: beacons for %u groups on %u interface addresses"),
		    li->groups, li->interfaces);
}

int
handlers_net_lan(struct daemon *d, struct ctl_resp *resp)
{
	struct net_lan_info li;
	char text[160];

	net_lan_status(d, &li);
	lan_text(d, &li, text, sizeof(text));
	if (ctl_resp_add_bool(resp, "lan", li.running) != 0 ||
	    ctl_resp_add_str(resp, "lan_text", text) != 0 ||
	    ctl_resp_add_uint(resp, "lan_beacons_sent", li.sent) != 0 ||
	    ctl_resp_add_uint(resp, "lan_bytes_sent", li.sent_bytes) != 0 ||
	    ctl_resp_add_uint(resp, "lan_rounds", li.rounds) != 0 ||
	    ctl_resp_add_uint(resp, "lan_heard", li.heard) != 0 ||
	    ctl_resp_add_uint(resp, "lan_recognised", li.recognised) != 0 ||
	    ctl_resp_add_uint(resp, "lan_garbage", li.garbage) != 0 ||
	    ctl_resp_add_uint(resp, "lan_stale", li.stale) != 0 ||
	    ctl_resp_add_uint(resp, "lan_dropped", li.dropped) != 0 ||
	    ctl_resp_add_uint(resp, "lan_capped", li.capped) != 0)
		return BAL_ENOMEM;
	return 0;
}

/*
 * The addresses this member listens on that work only locally: private,
 * CGNAT or link-local ones (this LAN) and loopback (this machine), for the
 * plain words of status ("local_only", space-separated); and whether
 * members elsewhere can reach it all the same ("reachable_elsewhere": an
 * onion address, --advertise, a port the router forwards, or a global
 * address it listens on: an IPv6 one only through a pinhole when port
 * mapping asked the router for one).
 */
int
handlers_net_status_self(struct daemon *d, struct ctl_resp *resp)
{
	char addrs[INVCODE_MAX_ADDRS * 2][WIRE_MAX_ADDR + 1];
	char out[INVCODE_MAX_ADDRS * 2 * (WIRE_MAX_ADDR + 1) + 1];
	struct net_portmap_info pi;
	struct addr_parts a;
	size_t n = 0, i, used = 0;
	int elsewhere = tor_onion(d) != NULL || d->advertise[0] != '\0';

	net_portmap_status(d, &pi);
	if (pi.ext != NULL && pi.ext[0] != '\0')
		elsewhere = 1;	/* the router forwards a port */

	out[0] = '\0';
	if (d->listen[0] != '\0')
		n = net_reach_addrs(d->listen, addrs, INVCODE_MAX_ADDRS * 2);
	for (i = 0; i < n; i++) {
		if (addr_split(addrs[i], &a) != 0)
			continue;
		/* A global IPv6 address behind a router that was asked for
		 * a pinhole leads here only when it opened one. */
		if (a.scope == ADDR_GLOBAL) {
			if (a.kind != ADDR_IPV6 ||
			    net_portmap_v6_open(d, a.host) != 0)
				elsewhere = 1;
			continue;
		}
		if ((a.scope != ADDR_LOCAL && a.scope != ADDR_LOOPBACK) ||
		    used + 1 + strlen(addrs[i]) >= sizeof(out))
			continue;
		used += (size_t)snprintf(out + used, sizeof(out) - used,
		    "%s%s", used > 0 ? " " : "", addrs[i]);
	}
	return ctl_resp_add_str(resp, "local_only", out) != 0 ||
	    ctl_resp_add_bool(resp, "reachable_elsewhere", elsewhere) != 0 ?
	    BAL_ENOMEM : 0;
}

int
handlers_net_status(struct daemon *d, struct ctl_resp *resp)
{
	struct status_ctx sc = { resp, 0 };

	if (d->net != NULL)
		net_status(d, NULL, status_peer_cb, &sc);
	return sc.failed ? BAL_ENOMEM : 0;
}

/*
 * The addresses of an invite code: this member's onion address first, then
 * where its listener can be reached (none in a tor-only group).  0, with
 * err saying why, when there is none.
 */
static size_t
invite_addrs(struct daemon *d, const struct group *g,
    char (*addrs)[WIRE_MAX_ADDR + 1], char *err, size_t errlen)
{
	const char *onion = tor_onion(d);
	size_t n = 0;

	if (onion != NULL)
		snprintf(addrs[n++], WIRE_MAX_ADDR + 1, "%s", onion);
	if (!group_tor_only(g) && d->advertise[0] != '\0')
		snprintf(addrs[n++], WIRE_MAX_ADDR + 1, "%s", d->advertise);
	if (!group_tor_only(g) && net_portmap_addr(d) != NULL)
		snprintf(addrs[n++], WIRE_MAX_ADDR + 1, "%s",
		    net_portmap_addr(d));
	if (!group_tor_only(g) && d->listen[0] != '\0' &&
	    strrchr(d->listen, ':') != NULL)
		n += net_reach_addrs(d->listen, addrs + n,
		    INVCODE_MAX_ADDRS - n);
	if (n > 0)
		return n;
	if (group_tor_only(g))
		snprintf(err, errlen, N_("%s is tor-only and this member has no "
		    "onion address yet (%s); see balint status"),
		    group_name(g), tor_enabled(d) ? "tor is still starting" :
		    "tor is not running");
	else if (tor_enabled(d))
		snprintf(err, errlen, N_("tor is still starting and this daemon "
		    "has no TCP listener; try again when balint status shows "
		    "the onion address"));
	else
		snprintf(err, errlen, N_("this daemon does not listen for peers; "
		    "restart balintd with --listen HOST:PORT, or install tor"));
	return 0;
}

void
handlers_net_invite(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	uint64_t expires = INVITE_DEFAULT_EXPIRY_S;
	const char *name;
	char *code = NULL;
	char err[512], addrs[INVCODE_MAX_ADDRS][WIRE_MAX_ADDR + 1];
	size_t naddrs;
	struct group *g;
	int rc, confirm = 0;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_str(call, req, "name", 0, &name, NULL) != 0 ||
	    handlers_bool(call, req, "confirm", &confirm) != 0 ||
	    handlers_uint(call, req, "expires", &expires) != 0)
		return;
	if (expires == 0 || expires > INVITE_MAX_EXPIRY_S) {
		control_fail(call, CTL_USAGE, N_("an invite must expire within "
		    "1 second and 366 days (got %llu s)"),
		    (unsigned long long)expires);
		return;
	}
	if (name != NULL && *name == '\0')
		name = NULL;
	if (handlers_line(call, N_("name"), name) != 0)
		return;
	err[0] = '\0';
	if ((naddrs = invite_addrs(d, g, addrs, err, sizeof(err))) == 0) {
		control_fail(call, CTL_FAILED, "%s", err);
		return;
	}
	rc = invite_create(d, g, name, confirm, expires, (const char
	    (*)[WIRE_MAX_ADDR + 1])addrs, naddrs, &code, err, sizeof(err));
	if (rc != 0 || code == NULL) {
		if (code != NULL)
			sodium_memzero(code, strlen(code));
		free(code);
		control_fail(call, CTL_FAILED, "%s", err[0] != '\0' ? err :
		    bal_strerror(rc));
		return;
	}
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "code", code) != 0 ||
	    ctl_resp_add_uint(resp, "expires", daemon_now_ms() +
	    expires * 1000) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	/* The code carries the invite secret. */
	sodium_memzero(code, strlen(code));
	free(code);
	control_reply(call, resp);
}

/* The group name from the "Name:" header line of a contract text. */
static void
contract_text_name(const char *text, char *out, size_t outlen)
{
	const char *p = text, *eol;
	size_t n;

	out[0] = '\0';
	while (p != NULL && *p != '\0' && *p != '\n') {
		eol = strchr(p, '\n');
		n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (n > 5 && strncmp(p, "Name:", 5) == 0) {
			p += 5;
			n -= 5;
			while (n > 0 && (*p == ' ' || *p == '\t')) {
				p++;
				n--;
			}
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
				n--;
			snprintf(out, outlen, "%.*s", (int)n, p);
			return;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
}

struct join_ctx {
	struct ctl_call *call;
	int preview;
	uint8_t inviter[BAL_PK_BYTES];	/* from the code */
	int has_inviter;
};

static void
join_done(void *ctx, int status, struct group *g, const char *contract_text,
    const char *inviter, int confirm, const char *err)
{
	struct join_ctx *jc = ctx;
	struct ctl_call *call = jc->call;
	struct ctl_resp *resp = NULL;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], name[256];
	char fp[IDENTITY_FPR_TEXT_BYTES], id[IDENTITY_ID_TEXT_BYTES];
	char own[IDENTITY_FPR_TEXT_BYTES];
	int preview = jc->preview;

	fp[0] = id[0] = '\0';
	if (jc->has_inviter) {
		identity_fingerprint(jc->inviter, fp);
		identity_id_encode(jc->inviter, id);
	}
	free(jc);
	if (status != 0) {
		daemon_log("%s failed: %s", preview ? "join preview" : "join",
		    err != NULL && *err != '\0' ? err : bal_strerror(status));
		control_fail(call, CTL_FAILED, "%s", err != NULL &&
		    *err != '\0' ? err : bal_strerror(status));
		return;
	}
	hex[0] = name[0] = '\0';
	if (g != NULL) {
		handlers_hex(g->id, BAL_GROUP_ID_BYTES, hex);
		snprintf(name, sizeof(name), "%s", group_name(g));
	} else if (contract_text != NULL)
		contract_text_name(contract_text, name, sizeof(name));
	if (!preview && g != NULL)
		daemon_log("joined group '%s' (%.16s)", name, hex);
	/* The newcomer's own, to read aloud when the inviter confirms. */
	identity_fingerprint(control_call_daemon(call)->id->pk, own);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    (preview && ctl_resp_add_str(resp, "contract",
	    contract_text != NULL ? contract_text : "") != 0) ||
	    ctl_resp_add_str(resp, "inviter", inviter != NULL ? inviter :
	    "") != 0 ||
	    ctl_resp_add_str(resp, "inviter_id", id) != 0 ||
	    ctl_resp_add_str(resp, "inviter_fingerprint", fp) != 0 ||
	    ctl_resp_add_str(resp, "fingerprint", own) != 0 ||
	    ctl_resp_add_bool(resp, "confirm", confirm) != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", name) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

void
handlers_net_join(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	uint64_t timeout = JOIN_DEFAULT_TIMEOUT_MS, wait = JOIN_ADMIT_WAIT_MS;
	struct join_ctx *jc;
	const char *code;
	struct invcode *ic;
	int accept = 0, preview = 0, rc;
	char err[512];

	if (handlers_str(call, req, "code", 1, &code, NULL) != 0 ||
	    handlers_bool(call, req, "accept", &accept) != 0 ||
	    handlers_bool(call, req, "preview", &preview) != 0 ||
	    handlers_uint(call, req, "timeout", &timeout) != 0 ||
	    handlers_uint(call, req, "wait", &wait) != 0)
		return;
	if (accept == preview) {
		control_fail(call, CTL_USAGE, N_("join needs exactly one of "
		    "preview and accept"));
		return;
	}
	if ((jc = calloc(1, sizeof(*jc))) == NULL) {
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	jc->call = call;
	jc->preview = preview;
	/* Whom the code says invites: the handshake proves that key. */
	if ((ic = sodium_malloc(sizeof(*ic))) != NULL) {
		if (invcode_decode(code, ic) == 0) {
			memcpy(jc->inviter, ic->inviter, BAL_PK_BYTES);
			jc->has_inviter = 1;
		}
		invcode_wipe(ic);
		sodium_free(ic);
	}
	err[0] = '\0';
	rc = join_start(d, code, preview, timeout, wait, join_done, jc, err,
	    sizeof(err));
	if (rc != 0) {
		free(jc);
		if (err[0] != '\0')
			control_fail(call, CTL_FAILED, "%s", err);
		else if (rc == BAL_ECHECKSUM)
			control_fail(call, CTL_FAILED, N_("the invite code is "
			    "mistyped (its checksum does not match); copy it "
			    "again"));
		else
			control_fail(call, CTL_FAILED, N_("cannot join (%s)"),
			    bal_strerror(rc));
	}
}

void
handlers_net_peer_add(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	const char *addr;
	struct group *g;
	char err[512], said[512];
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_str(call, req, "address", 1, &addr, NULL) != 0)
		return;
	if (strlen(addr) >= DAEMON_ADDR_MAX ||
	    net_addr_parse(addr, NULL) != 0) {
		control_fail(call, CTL_USAGE, N_("bad address '%s' (use HOST:PORT "
		    "with a numeric IP, [IPv6], a host name or an onion "
		    "address, e.g. 192.0.2.7:7000)"), addr);
		return;
	}
	err[0] = '\0';
	rc = net_add_peer(d, g, addr, NULL, said, sizeof(said), err,
	    sizeof(err));
	if (rc != 0) {
		control_fail(call, rc == BAL_EINVAL ? CTL_USAGE : CTL_FAILED,
		    N_("cannot add peer '%s': %s"), addr, err[0] != '\0' ? err :
		    bal_strerror(rc));
		return;
	}
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "address", addr) != 0 ||
	    ctl_resp_add_str(resp, "result", said) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

/*
 * peer.remove: forgets an address of the group (typed or announced) and
 * re-picks the dial targets (net_group_added), so that it is no longer
 * dialed; a session up through it ends in its own time.
 */
void
handlers_net_peer_remove(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	const char *addr;
	struct group *g;
	int rc, typed = 0, announced = 0;

	if ((g = handlers_group(call, req)) == NULL ||
	    handlers_str(call, req, "address", 1, &addr, NULL) != 0)
		return;
	if ((rc = store_peer_remove(d->store, g->id, addr, &typed,
	    &announced)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot remove peer '%s': %s"),
		    addr, bal_strerror(rc));
		return;
	}
	if (!typed && !announced) {
		control_fail(call, CTL_FAILED, N_("no peer '%s' in %s (see: "
		    "balint peer list)"), addr, group_name(g));
		return;
	}
	(void)net_group_added(d, g);
	daemon_log("peer %s of %s removed", addr, group_name(g));
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "address", addr) != 0 ||
	    ctl_resp_add_bool(resp, "typed", typed) != 0 ||
	    ctl_resp_add_bool(resp, "announced", announced) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

/*
 * One row of peer.list: a stored address, or a session that came in from
 * an address we do not dial.  Rows that lead to the same place (the same
 * endpoint: localhost:P and 127.0.0.1:P, a host name and its address, an
 * address both typed and announced) are one row, the other names in
 * `also`.
 */
struct peer_row {
	char addr[DAEMON_ADDR_MAX];
	char endpoint[DAEMON_ADDR_MAX];
	char member[ROSTER_NAME_MAX + IDENTITY_ID_TEXT_BYTES];
	char state[16];
	char also[4 * DAEMON_ADDR_MAX];
	char why[128];			/* waiting: why the last dial failed */
	const char *origin;		/* "typed", "announced", "incoming" */
	int lan;			/* found by its LAN beacons */
	int rank;			/* idle 0, waiting 1, connecting 2, up 3 */
	int used;			/* a session row: shown with a stored one */
};

struct peer_rows {
	struct peer_row *v;
	size_t n, cap;
};

struct peer_list_ctx {
	struct daemon *d;
	struct group *g;
	struct peer_rows seen;		/* what the network reports */
	struct peer_rows rows;		/* what is listed */
	int failed;
};

static struct peer_row *
row_push(struct peer_rows *r)
{
	struct peer_row *v;
	size_t cap;

	if (r->n == r->cap) {
		cap = r->cap ? 2 * r->cap : 16;
		if ((v = realloc(r->v, cap * sizeof(*v))) == NULL)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	v = &r->v[r->n++];
	memset(v, 0, sizeof(*v));
	return v;
}

static int
state_rank(const char *state)
{
	return strcmp(state, "up") == 0 ? 3 : strcmp(state, "connecting") ==
	    0 ? 2 : strcmp(state, "waiting") == 0 ? 1 : 0;
}

static void
peer_list_net_cb(void *ctx, const struct net_status_info *si)
{
	struct peer_list_ctx *pc = ctx;
	char idbuf[IDENTITY_ID_TEXT_BYTES];
	struct peer_row *s;

	if (pc->failed)
		return;
	if ((s = row_push(&pc->seen)) == NULL) {
		pc->failed = 1;
		return;
	}
	snprintf(s->addr, sizeof(s->addr), "%s",
	    si->addr != NULL ? si->addr : "");
	snprintf(s->endpoint, sizeof(s->endpoint), "%s",
	    si->endpoint != NULL ? si->endpoint : s->addr);
	snprintf(s->state, sizeof(s->state), "%s",
	    si->state != NULL ? si->state : "");
	s->rank = state_rank(s->state);
	s->origin = N_("incoming");
	s->lan = si->lan;
	snprintf(s->why, sizeof(s->why), "%s", si->why != NULL ? si->why : "");
	if (si->name != NULL)
		snprintf(s->member, sizeof(s->member), "%s", si->name);
	else if (si->has_member)
		snprintf(s->member, sizeof(s->member), "%s",
		    handlers_member_name(pc->g, si->member, idbuf));
}

/*
 * One stored address: typed (`peer add`, an invite code) or announced by
 * its member; "idle" when it is no dial target (not picked).  The
 * addresses of members who left or were revoked are not listed.
 */
static int
peer_list_store_cb(void *ctx, const struct store_peer *p)
{
	struct peer_list_ctx *pc = ctx;
	char idbuf[IDENTITY_ID_TEXT_BYTES];
	struct peer_row *r, *s;
	size_t i;

	if (p->member != NULL && net_member_removed(pc->g, p->member))
		return 0;
	if ((r = row_push(&pc->rows)) == NULL)
		return BAL_ENOMEM;
	snprintf(r->addr, sizeof(r->addr), "%s", p->addr);
	net_peer_endpoint(pc->d, pc->g, p->addr, r->endpoint,
	    sizeof(r->endpoint));
	snprintf(r->state, sizeof(r->state), "%s", N_("idle"));
	r->origin = p->typed ? N_("typed") : N_("announced");
	if (p->member != NULL)
		snprintf(r->member, sizeof(r->member), "%s",
		    handlers_member_name(pc->g, p->member, idbuf));
	for (i = 0; i < pc->seen.n; i++) {
		s = &pc->seen.v[i];
		if (strcmp(s->endpoint, r->endpoint) != 0 &&
		    strcmp(s->addr, r->addr) != 0)
			continue;
		s->used = 1;
		snprintf(r->state, sizeof(r->state), "%s", s->state);
		snprintf(r->why, sizeof(r->why), "%s", s->why);
		r->rank = s->rank;
		r->lan = s->lan;
		if (s->member[0] != '\0')
			snprintf(r->member, sizeof(r->member), "%s",
			    s->member);
		break;
	}
	return 0;
}

/* Folds row b into row a (the same place): a keeps the better of both. */
static void
row_fold(struct peer_row *a, const struct peer_row *b)
{
	size_t len = strlen(a->also);

	if (strcmp(a->addr, b->addr) != 0 && strstr(a->also, b->addr) == NULL)
		snprintf(a->also + len, sizeof(a->also) - len, "%s%s",
		    len > 0 ? ", " : "", b->addr);
	if (b->rank > a->rank) {
		snprintf(a->state, sizeof(a->state), "%s", b->state);
		snprintf(a->why, sizeof(a->why), "%s", b->why);
		a->rank = b->rank;
	}
	a->lan |= b->lan;
	if (a->member[0] == '\0')
		snprintf(a->member, sizeof(a->member), "%s", b->member);
	if (strcmp(b->origin, "typed") == 0)
		a->origin = b->origin;
}

static int
peer_record(struct ctl_resp *resp, const struct peer_row *r)
{
	if (ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "address", r->addr) != 0 ||
	    ctl_resp_add_str(resp, "member", r->member) != 0 ||
	    ctl_resp_add_str(resp, "state", r->state) != 0 ||
	    ctl_resp_add_str(resp, "origin", r->origin) != 0 ||
	    ctl_resp_add_str(resp, "also", r->also) != 0 ||
	    ctl_resp_add_bool(resp, "lan", r->lan) != 0 ||
	    ctl_resp_add_str(resp, "last_error", r->why) != 0)
		return BAL_ENOMEM;
	return 0;
}

void
handlers_net_peer_list(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct peer_list_ctx pc;
	struct ctl_resp *resp = NULL;
	struct peer_row *r;
	size_t i, j;
	int rc;

	memset(&pc, 0, sizeof(pc));
	pc.d = d;
	if ((pc.g = handlers_group(call, req)) == NULL)
		return;
	if (d->net != NULL)
		net_status_each(d, pc.g, 0, peer_list_net_cb, &pc);
	if (pc.failed)
		goto fail;
	if ((rc = store_peer_each(d->store, pc.g->id, peer_list_store_cb,
	    &pc)) < 0) {
		free(pc.seen.v);
		free(pc.rows.v);
		control_fail(call, CTL_FAILED, N_("cannot read the peers (%s)"),
		    bal_strerror(rc));
		return;
	}
	/* Sessions that came in from addresses we do not dial. */
	for (i = 0; i < pc.seen.n; i++)
		if (!pc.seen.v[i].used) {
			if ((r = row_push(&pc.rows)) == NULL)
				goto fail;
			*r = pc.seen.v[i];
		}
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	/* One row per place, in the store's order. */
	for (i = 0; i < pc.rows.n; i++) {
		r = &pc.rows.v[i];
		if (r->used == 2)
			continue;
		for (j = i + 1; j < pc.rows.n; j++)
			if (pc.rows.v[j].used != 2 && strcmp(r->endpoint,
			    pc.rows.v[j].endpoint) == 0 &&
			    (r->member[0] == '\0' ||
			    pc.rows.v[j].member[0] == '\0' ||
			    strcmp(r->member, pc.rows.v[j].member) == 0)) {
				row_fold(r, &pc.rows.v[j]);
				pc.rows.v[j].used = 2;
			}
		if (peer_record(resp, r) != 0)
			goto fail;
	}
	free(pc.seen.v);
	free(pc.rows.v);
	control_reply(call, resp);
	return;
fail:
	free(pc.seen.v);
	free(pc.rows.v);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

struct sync_ctx {
	struct ctl_call *call;
	uint64_t timeout_ms;
	char group[2 * BAL_GROUP_ID_BYTES + 1];
};

static void
sync_level_cb(void *ctx, int status)
{
	struct sync_ctx *sc = ctx;
	struct ctl_call *call = sc->call;
	struct ctl_resp *resp = NULL;

	if (status == BAL_EAGAIN)
		control_fail(call, CTL_FAILED, N_("not level after %llu s (see: "
		    "balint status)"),
		    (unsigned long long)((sc->timeout_ms + 999) / 1000));
	else if (status == BAL_ESTATE)
		control_fail(call, CTL_FAILED, N_("balintd is shutting down"));
	else if (status != 0)
		control_fail(call, CTL_FAILED, N_("sync failed (%s)"),
		    bal_strerror(status));
	else {
		if ((resp = control_call_resp(call)) == NULL ||
		    ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "group", sc->group) != 0 ||
		    ctl_resp_add_bool(resp, "level", 1) != 0) {
			ctl_resp_free(resp);
			resp = NULL;
		}
		control_reply(call, resp);
	}
	free(sc);
}

void
handlers_net_sync(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	uint64_t timeout = SYNC_DEFAULT_TIMEOUT_MS;
	struct ctl_resp *resp = NULL;
	struct sync_ctx *sc;
	struct group *g;
	int wait = 0, rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_bool(call, req, "wait", &wait) != 0 ||
	    handlers_uint(call, req, "timeout", &timeout) != 0)
		return;
	if (d->net != NULL)
		(void)net_sync_now(d, g);
	if (!wait) {
		char hex[2 * BAL_GROUP_ID_BYTES + 1];

		handlers_hex(g->id, BAL_GROUP_ID_BYTES, hex);
		if ((resp = control_call_resp(call)) == NULL ||
		    ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "group", hex) != 0) {
			ctl_resp_free(resp);
			resp = NULL;
		}
		control_reply(call, resp);
		return;
	}
	if (d->net == NULL) {
		control_fail(call, CTL_FAILED, N_("the network is not running"));
		return;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	sc->call = call;
	sc->timeout_ms = timeout;
	handlers_hex(g->id, BAL_GROUP_ID_BYTES, sc->group);
	if ((rc = net_level_wait(d, g, timeout, sync_level_cb, sc)) != 0) {
		free(sc);
		control_fail(call, CTL_FAILED, N_("cannot wait for sync (%s)"),
		    bal_strerror(rc));
	}
}
