/*
 * handlers-roster.c — the control commands that change who is in a group:
 * revoke (a leader removes a member) and leave (asynchronous: the LEAVE is
 * pushed to the peers before the group is erased here), and the "removed"
 * records of status (docs/protocol.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "net.h"
#include "note.h"
#include "roster.h"

#define LEAVE_WAIT_MS 5000u	/* for a peer to take the LEAVE */
#define LEAVE_TICK_MS 100u
#define LEAVE_PEERS_MAX 64
#define MEMBER_PREFIX_MIN 6	/* characters of a member id prefix */

static const char *
status_word(int status)
{
	return status == ROSTER_LEFT ? "left" : "revoked";
}

int
handlers_roster_member(struct ctl_call *call, const struct group *g, const char *sel,
    uint8_t pk[BAL_PK_BYTES])
{
	const struct roster *r = g->roster;
	const struct roster_member *m, *found = NULL;
	char id[IDENTITY_ID_TEXT_BYTES];
	size_t i, n = 0, len = strlen(sel);
	int pass;

	/* By name: active members first, then removed ones. */
	for (pass = 0; pass < 2 && n == 0; pass++)
		for (i = 0; i < r->nmembers; i++) {
			m = &r->members[i];
			if ((m->status == ROSTER_ACTIVE) != (pass == 0) ||
			    strcmp(m->name, sel) != 0)
				continue;
			found = m;
			n++;
		}
	if (n > 1) {
		control_fail(call, CTL_FAILED, N_("%zu members are named '%s': "
		    "give the member id instead (see: balint members)"), n,
		    sel);
		return -1;
	}
	if (n == 1) {
		memcpy(pk, found->pk, BAL_PK_BYTES);
		return 0;
	}
	if (identity_id_decode(sel, pk) == 0 &&
	    roster_member_find(r, pk) != NULL)
		return 0;
	for (i = 0; len >= MEMBER_PREFIX_MIN && i < r->nmembers; i++) {
		identity_id_encode(r->members[i].pk, id);
		if (strncasecmp(id, sel, len) == 0) {
			found = &r->members[i];
			n++;
		}
	}
	if (n == 1) {
		memcpy(pk, found->pk, BAL_PK_BYTES);
		return 0;
	}
	if (n > 1) {
		control_fail(call, CTL_FAILED, N_("member id prefix '%s' matches "
		    "%zu members: give more of it (see: balint members)"), sel,
		    n);
		return -1;
	}
	/* A first name ("Anna" for "Anna Berg"), letter case aside. */
	for (i = 0; len > 0 && i < r->nmembers; i++) {
		m = &r->members[i];
		if (m->status == ROSTER_ACTIVE &&
		    strncasecmp(m->name, sel, len) == 0 &&
		    (m->name[len] == ' ' || m->name[len] == '\0')) {
			found = m;
			n++;
		}
	}
	if (n == 1) {
		memcpy(pk, found->pk, BAL_PK_BYTES);
		return 0;
	}
	if (n > 1)
		control_fail(call, CTL_FAILED, N_("%zu members are called '%s': "
		    "give the whole name or the member id (see: balint "
		    "members)"), n, sel);
	else
		control_fail(call, CTL_FAILED, N_("unknown member '%s' (see: "
		    "balint members): no name, first name or member id (of "
		    "which %d characters are enough) is that"), sel,
		    MEMBER_PREFIX_MIN);
	return -1;
}

void
handlers_roster_revoke(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	const struct roster_member *m;
	struct group *g;
	uint8_t pk[BAL_PK_BYTES];
	char id[IDENTITY_ID_TEXT_BYTES], name[ROSTER_NAME_MAX + 1];
	char err[512];
	const char *sel;
	uint64_t cut = 0;
	size_t epoch = 0;
	int rc;

	if ((g = handlers_group(call, req)) == NULL ||
	    handlers_str(call, req, "member", 1, &sel, NULL) != 0)
		return;
	if (*sel == '\0') {
		control_fail(call, CTL_USAGE, N_("an empty member (give a name "
		    "or member id; see: balint members)"));
		return;
	}
	if (g->roster == NULL || !roster_is_leader(g->roster, d->id->pk)) {
		control_fail(call, CTL_FAILED, N_("only a leader of %s can "
		    "revoke members"), group_name(g));
		return;
	}
	if (handlers_roster_member(call, g, sel, pk) != 0)
		return;
	m = roster_member_find(g->roster, pk);
	snprintf(name, sizeof(name), "%s", m != NULL ? m->name : "");
	err[0] = '\0';
	if ((rc = group_roster_revoke(g, pk, &cut, &epoch, err,
	    sizeof(err))) != 0) {
		control_fail(call, CTL_FAILED, "%s", err[0] != '\0' ? err :
		    group_write_error(g, rc));
		return;
	}
	identity_id_encode(pk, id);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "member", id) != 0 ||
	    ctl_resp_add_str(resp, "name", name) != 0 ||
	    ctl_resp_add_uint(resp, "cut", cut) != 0 ||
	    ctl_resp_add_uint(resp, "epoch", epoch) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

/* A pending leave: waits for a peer to take the LEAVE, then erases. */
struct leave_wait {
	struct ctl_call *call;
	struct daemon *d;
	uv_timer_t timer;
	uint8_t gid[BAL_GROUP_ID_BYTES];
	char name[CONTRACT_NAME_MAX + 1];
	uint64_t start;
	/* Members seen with a session up since the LEAVE was written. */
	uint8_t seen[LEAVE_PEERS_MAX][BAL_PK_BYTES];
	size_t nseen;
	/* Scratch of one tick: members up now, and whether one is level. */
	uint8_t up[LEAVE_PEERS_MAX][BAL_PK_BYTES];
	size_t nup;
	int level;
	int confirmed;
};

static int
pk_in(uint8_t (*list)[BAL_PK_BYTES], size_t n, const uint8_t *pk)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(list[i], pk, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

static void
leave_status_cb(void *ctx, const struct net_status_info *si)
{
	struct leave_wait *lw = ctx;

	if (!si->has_member || strcmp(si->state, "up") != 0)
		return;
	if (si->level)
		lw->level = 1;
	if (lw->nup < LEAVE_PEERS_MAX && !pk_in(lw->up, lw->nup, si->member))
		memcpy(lw->up[lw->nup++], si->member, BAL_PK_BYTES);
	if (lw->nseen < LEAVE_PEERS_MAX &&
	    !pk_in(lw->seen, lw->nseen, si->member))
		memcpy(lw->seen[lw->nseen++], si->member, BAL_PK_BYTES);
}

static void
on_leave_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Erases the group and answers the call; lw goes with its timer. */
static void
leave_finish(struct leave_wait *lw)
{
	struct ctl_resp *resp = NULL;
	struct group *g;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	int erased = 0;

	uv_timer_stop(&lw->timer);
	(void)group_roster_leaving(lw->d, lw->gid, 0);
	if ((g = group_find(lw->d, lw->gid)) != NULL)
		erased = group_roster_erase(g) == 0;
	else
		erased = 1;	/* erased already (e.g. a check after a stop) */
	handlers_hex(lw->gid, BAL_GROUP_ID_BYTES, hex);
	if ((resp = control_call_resp(lw->call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", lw->name) != 0 ||
	    ctl_resp_add_bool(resp, "confirmed", lw->confirmed) != 0 ||
	    ctl_resp_add_bool(resp, "erased", erased) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(lw->call, resp);
	uv_close((uv_handle_t *)&lw->timer, on_leave_closed);
}

/*
 * One look at the group's sessions.  A peer has the LEAVE when its session
 * is level (it acknowledged everything), or when a member whose session was
 * up is no longer connected: a peer closes the session of a member that
 * left as soon as it folds the LEAVE.
 */
static void
on_leave_tick(uv_timer_t *t)
{
	struct leave_wait *lw = t->data;
	struct daemon *d = lw->d;
	struct group *g;
	size_t i;

	if (d->stopping || d->net == NULL ||
	    (g = group_find(d, lw->gid)) == NULL) {
		leave_finish(lw);
		return;
	}
	lw->nup = 0;
	lw->level = 0;
	net_status(d, g, leave_status_cb, lw);
	if (lw->level)
		lw->confirmed = 1;
	for (i = 0; i < lw->nseen && !lw->confirmed; i++)
		if (!pk_in(lw->up, lw->nup, lw->seen[i]))
			lw->confirmed = 1;
	if (lw->confirmed || uv_now(d->loop) - lw->start >= LEAVE_WAIT_MS)
		leave_finish(lw);
}

void
handlers_roster_leave(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct leave_wait *lw;
	struct group *g;
	char err[512];
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if ((lw = calloc(1, sizeof(*lw))) == NULL) {
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	lw->call = call;
	lw->d = d;
	memcpy(lw->gid, g->id, BAL_GROUP_ID_BYTES);
	snprintf(lw->name, sizeof(lw->name), "%s", group_name(g));
	if (group_roster_leaving(d, g->id, 1) != 0) {
		free(lw);
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	/* The sessions up now: each that ends after the LEAVE confirms it. */
	if (d->net != NULL)
		net_status(d, g, leave_status_cb, lw);
	err[0] = '\0';
	if ((rc = group_roster_leave(g, err, sizeof(err))) != 0) {
		(void)group_roster_leaving(d, lw->gid, 0);
		free(lw);
		control_fail(call, CTL_FAILED, "%s", err[0] != '\0' ? err :
		    bal_strerror(rc));
		return;
	}
	if (d->loop == NULL || uv_timer_init(d->loop, &lw->timer) != 0) {
		(void)group_roster_leaving(d, lw->gid, 0);
		if ((g = group_find(d, lw->gid)) != NULL)
			(void)group_roster_erase(g);
		control_fail(call, CTL_FAILED, N_("left %s, but cannot wait for "
		    "the peers; its data was erased here"), lw->name);
		free(lw);
		return;
	}
	lw->timer.data = lw;
	lw->start = uv_now(d->loop);
	uv_timer_start(&lw->timer, on_leave_tick, LEAVE_TICK_MS,
	    LEAVE_TICK_MS);
}

int
handlers_removed_records(struct daemon *d, struct ctl_resp *resp)
{
	struct group_removed *rm = NULL;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	size_t n = 0, i;
	int ret;

	if ((ret = group_removed_list(d, &rm, &n)) != 0)
		return ret == BAL_ENOMEM ? ret : 0;
	for (i = 0; i < n; i++) {
		handlers_hex(rm[i].gid, BAL_GROUP_ID_BYTES, hex);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "kind", "removed") != 0 ||
		    ctl_resp_add_str(resp, "group", hex) != 0 ||
		    ctl_resp_add_str(resp, "name", rm[i].name) != 0 ||
		    ctl_resp_add_str(resp, "by", rm[i].by) != 0 ||
		    ctl_resp_add_str(resp, "how",
		    status_word(rm[i].status)) != 0 ||
		    ctl_resp_add_uint(resp, "time", rm[i].removed_ms) != 0) {
			ret = BAL_ENOMEM;
			break;
		}
	}
	free(rm);
	return ret;
}

/* The records of note.kept: a page of the kept notes, as note.list's. */
struct kept_page {
	struct ctl_resp *resp;
	const char *name;		/* this member's name */
	const char *gname;		/* the group's */
	uint64_t offset, limit, seen, sent, bytes;
	int full;
};

static int
kept_page_cb(void *ctx, const struct group_kept_note *kn)
{
	struct kept_page *kp = ctx;
	const struct note *n = kn->note;
	char hex[NOTE_ID_HEX_BYTES];
	const char *kind = note_kind_name(n->kind);

	if (kp->seen++ < kp->offset)
		return 0;
	kp->bytes += 512 + strlen(n->body ? n->body : "") +
	    strlen(n->title ? n->title : "");
	if (kp->sent == kp->limit || (kp->sent > 0 &&
	    kp->bytes > CTL_MAX_MSG / 4 * 3))
		return 1;
	kp->sent++;
	note_id_to_hex(n->id, hex);
	if (ctl_resp_record_begin(kp->resp) != 0 ||
	    ctl_resp_add_str(kp->resp, "note", hex) != 0 ||
	    ctl_resp_add_str(kp->resp, "kind", kind ? kind : "other") != 0 ||
	    ctl_resp_add_str(kp->resp, "case", n->case_ref ? n->case_ref :
	    "") != 0 ||
	    ctl_resp_add_str(kp->resp, "title", n->title ? n->title : "") !=
	    0 ||
	    ctl_resp_add_str(kp->resp, "author", kp->name) != 0 ||
	    ctl_resp_add_str(kp->resp, "group_name", kp->gname) != 0 ||
	    ctl_resp_add_uint(kp->resp, "time", kn->created_ms) != 0 ||
	    ctl_resp_add_uint(kp->resp, "updated", kn->updated_ms) != 0 ||
	    ctl_resp_add_str(kp->resp, "body", n->body ? n->body : "") != 0)
		return BAL_ENOMEM;
	return 0;
}

void
handlers_roster_kept(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct group_removed *rm = NULL;
	struct kept_page kp;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	const char *sel;
	size_t n = 0, i, found = SIZE_MAX, matches = 0;
	int ret;

	memset(&kp, 0, sizeof(kp));
	kp.limit = CTL_LIST_PAGE_MAX;
	if (handlers_str(call, req, "group", 0, &sel, NULL) != 0 ||
	    handlers_uint(call, req, "offset", &kp.offset) != 0 ||
	    handlers_uint(call, req, "limit", &kp.limit) != 0)
		return;
	if (group_removed_list(d, &rm, &n) != 0)
		n = 0;
	/* The group removed from: its name, or its id or a prefix of it. */
	for (i = 0; i < n; i++) {
		handlers_hex(rm[i].gid, BAL_GROUP_ID_BYTES, hex);
		if (rm[i].status != ROSTER_REVOKED)
			continue;
		if (sel == NULL || *sel == '\0' || strcmp(rm[i].name, sel) ==
		    0 || (strlen(sel) >= 4 && strncasecmp(hex, sel,
		    strlen(sel)) == 0)) {
			found = i;
			matches++;
		}
	}
	if (matches != 1) {
		free(rm);
		if (sel != NULL)
			control_fail(call, CTL_FAILED, matches == 0 ?
			    N_("no group this member was revoked from is "
			    "named '%s' (see: balint status)") :
			    N_("several groups this member was revoked from "
			    "match '%s': give -g with the group's name or id"),
			    sel);
		else
			control_fail(call, CTL_FAILED, matches == 0 ?
			    N_("no group this member was revoked from (see: "
			    "balint status)") : N_("several groups this "
			    "member was revoked from: give -g with the "
			    "group's name or id"));
		return;
	}
	if ((kp.resp = control_call_resp(call)) == NULL) {
		free(rm);
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	kp.name = d->name;
	kp.gname = rm[found].name;
	ret = group_kept_each(d, rm[found].gid, kept_page_cb, &kp);
	free(rm);
	if (ret != 0) {
		ctl_resp_free(kp.resp);
		control_fail(call, CTL_FAILED, N_("cannot read the kept notes "
		    "(%s)"), bal_strerror(ret));
		return;
	}
	control_reply(call, kp.resp);
}
