/*
 * handlers.c — the control command table, the helpers the handlers
 * share, and the handlers of the daemon's local state: status, group.*,
 * contract.* (show, text, versions, amend, accept), members.  Notes are in
 * handlers-note.c, everything that involves the network in handlers-net.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "contract.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "note.h"
#include "net.h"
#include "roster.h"
#include "statecode.h"
#include "store.h"
#include "tor.h"

static void cmd_status(struct ctl_call *, const struct ctl_req *);
static void cmd_group_create(struct ctl_call *, const struct ctl_req *);
static void cmd_group_list(struct ctl_call *, const struct ctl_req *);
static void cmd_contract_show(struct ctl_call *, const struct ctl_req *);
static void cmd_contract_text(struct ctl_call *, const struct ctl_req *);
static void cmd_contract_versions(struct ctl_call *,
    const struct ctl_req *);
static void cmd_contract_amend(struct ctl_call *, const struct ctl_req *);
static void cmd_contract_accept(struct ctl_call *, const struct ctl_req *);
static void cmd_members(struct ctl_call *, const struct ctl_req *);

static const struct handlers_cmd cmds[] = {
	{ "status",		cmd_status },
	{ "group.create",	cmd_group_create },
	{ "group.list",		cmd_group_list },
	{ "contract.show",	cmd_contract_show },
	{ "contract.text",	cmd_contract_text },
	{ "contract.versions",	cmd_contract_versions },
	{ "contract.amend",	cmd_contract_amend },
	{ "contract.accept",	cmd_contract_accept },
	{ "invite",		handlers_net_invite },
	{ "invite.list",	handlers_invite_list },
	{ "invite.cancel",	handlers_invite_cancel },
	{ "join",		handlers_net_join },
	{ "admit",		handlers_admit },
	{ "members",		cmd_members },
	{ "note.write",		handlers_note_write },
	{ "note.list",		handlers_note_list },
	{ "note.show",		handlers_note_show },
	{ "note.edit",		handlers_note_edit },
	{ "note.delete",	handlers_note_delete },
	{ "note.search",	handlers_note_search },
	{ "note.log",		handlers_note_log },
	{ "case.list",		handlers_case_list },
	{ "case.show",		handlers_case_show },
	{ "note.kept",		handlers_roster_kept },
	{ "guard.check",	handlers_guard_check },
	{ "guard.allow",	handlers_guard_allow },
	{ "guard.allowed",	handlers_guard_allowed },
	{ "peer.add",		handlers_net_peer_add },
	{ "peer.list",		handlers_net_peer_list },
	{ "peer.remove",	handlers_net_peer_remove },
	{ "sync",		handlers_net_sync },
	{ "bundle.write",	handlers_bundle_write },
	{ "bundle.read",	handlers_bundle_read },
	{ "revoke",		handlers_roster_revoke },
	{ "leave",		handlers_roster_leave },
	{ "unlock",		handlers_lock_unlock },
	{ "unlock.forget",	handlers_lock_forget },
	{ "lock",		handlers_lock_lock },
	{ "daemon.stop",	handlers_lock_stop },
	{ "web.open",		handlers_web_open },
};

const struct handlers_cmd *
handlers_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
handlers_str(struct ctl_call *call, const struct ctl_req *req,
    const char *key, int required, const char **s, size_t *len)
{
	size_t dummy;
	int rc;

	if (len == NULL)
		len = &dummy;
	*s = NULL;
	*len = 0;
	rc = ctl_req_get_str(req, key, s, len);
	if (rc == BAL_ENOENT && !required)
		return 0;
	if (rc == BAL_ENOENT) {
		control_fail(call, CTL_USAGE, N_("missing argument '%s'"), key);
		return -1;
	}
	if (rc != 0) {
		control_fail(call, CTL_USAGE, N_("argument '%s' must be a string"),
		    key);
		return -1;
	}
	return 0;
}

/*
 * An optional argument as read (rc): absent or good is 0; otherwise the
 * call fails saying what key must be, and -1.
 */
static int
optional_arg(struct ctl_call *call, const char *key, int rc, const char *must)
{
	if (rc == 0 || rc == BAL_ENOENT)
		return 0;
	control_fail(call, CTL_USAGE, N_("argument '%s' must be %s"), key, must);
	return -1;
}

int
handlers_uint(struct ctl_call *call, const struct ctl_req *req,
    const char *key, uint64_t *u)
{
	return optional_arg(call, key, ctl_req_get_uint(req, key, u),
	    "a number");
}

int
handlers_bool(struct ctl_call *call, const struct ctl_req *req,
    const char *key, int *b)
{
	return optional_arg(call, key, ctl_req_get_bool(req, key, b),
	    "true or false");
}

int
handlers_kind(struct ctl_call *call, const char *kind, int dflt, int *k)
{
	if (kind == NULL || *kind == '\0') {
		*k = dflt;
		return 0;
	}
	if ((*k = note_kind_from_string(kind)) >= 0)
		return 0;
	control_fail(call, CTL_USAGE, N_("unknown note kind '%s' (use session, "
	    "followup, case or other)"), kind);
	return -1;
}

int
handlers_limit(struct ctl_call *call, uint64_t limit, int all_ok)
{
	if (limit != 0 && (limit <= CTL_LIST_PAGE_MAX ||
	    (all_ok && limit == UINT64_MAX)))
		return 0;
	control_fail(call, CTL_USAGE, N_("argument 'limit' must be 1..%u"),
	    CTL_LIST_PAGE_MAX);
	return -1;
}

int
handlers_line(struct ctl_call *call, const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; p != NULL && *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 &&
		    p[1] <= 0x9f)) {
			control_fail(call, CTL_USAGE, N_("the %s must be one line "
			    "of text without control characters"), what);
			return -1;
		}
	return 0;
}

struct group *
handlers_group(struct ctl_call *call, const struct ctl_req *req)
{
	struct group *g;
	const char *sel;
	char err[512];

	if (handlers_str(call, req, "group", 0, &sel, NULL) != 0)
		return NULL;
	if (sel != NULL && *sel == '\0') {
		control_fail(call, CTL_USAGE, N_("an empty group (give a group "
		    "id, a unique prefix of it or the group name; see: balint "
		    "group list)"));
		return NULL;
	}
	err[0] = '\0';
	g = group_select(control_call_daemon(call), sel, err, sizeof(err));
	if (g == NULL)
		control_fail(call, CTL_FAILED, "%s", err[0] != '\0' ? err :
		    "no such group (see: balint group list)");
	return g;
}

void
handlers_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *
handlers_member_name(const struct group *g, const uint8_t *pk, char *buf)
{
	const struct roster_member *m = NULL;

	if (g->roster != NULL)
		m = roster_member_find(g->roster, pk);
	if (m != NULL && m->name[0] != '\0')
		return m->name;
	identity_id_encode(pk, buf);
	return buf;
}

uint64_t
handlers_active_count(const struct group *g)
{
	uint64_t n = 0;
	size_t i;

	if (g->roster == NULL)
		return 0;
	for (i = 0; i < g->roster->nmembers; i++)
		if (g->roster->members[i].status == ROSTER_ACTIVE)
			n++;
	return n;
}

/*
 * One record per author whose log is held back at an entry that does not
 * open under a key held here or is over a per-author limit (group-fork.c):
 * who, where and why.
 */
static int
status_held(const struct group *g, const char *hex, struct ctl_resp *resp)
{
	char mid[IDENTITY_ID_TEXT_BYTES], buf[IDENTITY_ID_TEXT_BYTES];
	size_t i;

	for (i = 0; i < g->nforks; i++) {
		if (g->forks[i].held == GROUP_HELD_FORK)
			continue;
		identity_id_encode(g->forks[i].author, mid);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "kind", "held") != 0 ||
		    ctl_resp_add_str(resp, "why", g->forks[i].held ==
		    GROUP_HELD_LIMIT ? "limit" : "unreadable") != 0 ||
		    ctl_resp_add_str(resp, "group", hex) != 0 ||
		    ctl_resp_add_str(resp, "member_id", mid) != 0 ||
		    ctl_resp_add_str(resp, "name", handlers_member_name(g,
		    g->forks[i].author, buf)) != 0 ||
		    ctl_resp_add_uint(resp, "seq", g->forks[i].seq) != 0)
			return BAL_ENOMEM;
	}
	return 0;
}

/* The readable notes of g (0 and *n 0 when they cannot be read). */
static int
status_notes(struct group *g, uint64_t *n)
{
	struct group_note *notes = NULL;
	size_t k = 0, i;

	*n = 0;
	if (group_notes(g, &notes, &k) != 0)
		return 0;
	for (i = 0; i < k; i++)
		*n += !notes[i].deleted && notes[i].note != NULL;
	group_notes_free(notes, k);
	return 0;
}

/*
 * The number of g's current contract version when this member has not
 * accepted it (an amendment waits for them), else 0.
 */
static unsigned
status_amend_waiting(struct daemon *d, struct group *g)
{
	struct group_contract_info *ci = NULL;
	unsigned waiting = 0;
	size_t i;

	if (g->roster == NULL || d->id == NULL ||
	    group_contract_info(g, &ci) != 0)
		return 0;
	for (i = 0; i < ci->nmembers && ci->nversions > 1; i++)
		if (memcmp(ci->members[i].member, d->id->pk,
		    BAL_PK_BYTES) == 0 && ci->members[i].accepted_version <
		    ci->versions[ci->nversions - 1].number)
			waiting = ci->versions[ci->nversions - 1].number;
	group_contract_info_free(ci);
	return waiting;
}

/* Adds one group's record of "status". */
static int
status_group(struct daemon *d, struct group *g, int want_new,
    struct ctl_resp *resp)
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1], code[STATECODE_TEXT_BYTES];
	uint64_t entries = 0, epoch = 0, missing = 0, nnew = 0, nnotes = 0;
	unsigned waiting;

	handlers_hex(g->id, sizeof(g->id), hex);
	if (d->store != NULL) {
		(void)store_entry_count(d->store, g->id, &entries);
		(void)store_entry_missing(d->store, g->id, &missing);
	}
	if (g->roster != NULL && g->roster->nepochs > 0)
		epoch = g->roster->current;
	if (ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "kind", "group") != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", group_name(g)) != 0 ||
	    ctl_resp_add_uint(resp, "members", handlers_active_count(g)) != 0 ||
	    ctl_resp_add_uint(resp, "entries", entries) != 0 ||
	    ctl_resp_add_uint(resp, "missing_bodies", missing) != 0 ||
	    ctl_resp_add_uint(resp, "epoch", epoch) != 0)
		return BAL_ENOMEM;
	/* Notes not read yet (asked for: it decrypts every note). */
	if (want_new && g->roster != NULL &&
	    handlers_marks_count(g, &nnew) == 0 &&
	    ctl_resp_add_uint(resp, "new_notes", nnew) != 0)
		return BAL_ENOMEM;
	if (want_new && g->roster != NULL &&
	    (status_notes(g, &nnotes) != 0 ||
	    ctl_resp_add_uint(resp, "notes", nnotes) != 0))
		return BAL_ENOMEM;
	/* A contract version this member has not accepted yet. */
	if ((waiting = status_amend_waiting(d, g)) != 0 &&
	    ctl_resp_add_uint(resp, "amend_waiting", waiting) != 0)
		return BAL_ENOMEM;
	/* A group still being joined has no roster, hence no code. */
	if (group_state_code(g, code) == 0 &&
	    ctl_resp_add_str(resp, "state_code", code) != 0)
		return BAL_ENOMEM;
	/* Logs that forked (group-fork.c): ours, and how many in all. */
	if ((g->own_fork != 0 &&
	    ctl_resp_add_uint(resp, "own_log_forked_at", g->own_fork) != 0) ||
	    (group_held_count(g, GROUP_HELD_FORK) > 0 && ctl_resp_add_uint(resp,
	    "forked_logs", group_held_count(g, GROUP_HELD_FORK)) != 0) ||
	    (group_held_count(g, GROUP_HELD_UNREADABLE) > 0 &&
	    ctl_resp_add_uint(resp, "unreadable_logs", group_held_count(g,
	    GROUP_HELD_UNREADABLE)) != 0) ||
	    (group_held_count(g, GROUP_HELD_LIMIT) > 0 &&
	    ctl_resp_add_uint(resp, "over_limit_logs", group_held_count(g,
	    GROUP_HELD_LIMIT)) != 0))
		return BAL_ENOMEM;
	return status_held(g, hex, resp);
}

static void
cmd_status(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp;
	char mid[IDENTITY_ID_TEXT_BYTES], fpr[IDENTITY_FPR_TEXT_BYTES];
	struct group *g;
	struct tor_status ts;
	int want_new = 0;
	struct net_portmap_info pi;

	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	if (d->id == NULL) {
		/* Locked: who and which process, nothing of the groups. */
		if (handlers_lock_status(d, resp) != 0)
			goto fail;
		control_reply(call, resp);
		return;
	}
	tor_status(d, &ts);
	net_portmap_status(d, &pi);
	identity_id_encode(d->id->pk, mid);
	identity_fingerprint(d->id->pk, fpr);
	if (ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "kind", "daemon") != 0 ||
	    ctl_resp_add_str(resp, "name", d->name) != 0 ||
	    ctl_resp_add_str(resp, "member_id", mid) != 0 ||
	    ctl_resp_add_str(resp, "fingerprint", fpr) != 0 ||
	    ctl_resp_add_str(resp, "listen", d->listen) != 0 ||
	    ctl_resp_add_str(resp, "onion", ts.onion != NULL ? ts.onion :
	    "") != 0 ||
	    ctl_resp_add_bool(resp, "onion_published", ts.published) != 0 ||
	    ctl_resp_add_str(resp, "tor", ts.state) != 0 ||
	    ctl_resp_add_str(resp, "tor_text", ts.text) != 0 ||
	    ctl_resp_add_str(resp, "portmap", pi.method) != 0 ||
	    ctl_resp_add_str(resp, "portmap_addr", pi.ext) != 0 ||
	    ctl_resp_add_uint(resp, "portmap_lease", pi.lease_s) != 0 ||
	    ctl_resp_add_uint(resp, "portmap_left", pi.left_s) != 0 ||
	    ctl_resp_add_str(resp, "portmap_why", pi.why) != 0 ||
	    ctl_resp_add_str(resp, "pinhole", pi.v6_method) != 0 ||
	    ctl_resp_add_str(resp, "pinhole_addrs", pi.v6_open) != 0 ||
	    ctl_resp_add_uint(resp, "pinhole_lease", pi.v6_lease_s) != 0 ||
	    ctl_resp_add_uint(resp, "pinhole_left", pi.v6_left_s) != 0 ||
	    ctl_resp_add_str(resp, "pinhole_why", pi.v6_why) != 0 ||
	    ctl_resp_add_str(resp, "version", BAL_VERSION_STRING) != 0 ||
	    handlers_net_lan(d, resp) != 0 ||
	    handlers_net_status_self(d, resp) != 0 ||
	    handlers_lock_process(d, resp) != 0)
		goto fail;
	/* New notes only when asked: counting them decrypts every note. */
	if (ctl_req_get_bool(req, "new", &want_new) != 0)
		want_new = 0;
	for (g = d->groups; g != NULL; g = g->next)
		if (status_group(d, g, want_new, resp) != 0)
			goto fail;
	if (handlers_net_status(d, resp) != 0)
		goto fail;
	if (handlers_admit_status(d, resp) != 0)
		goto fail;
	if (handlers_removed_records(d, resp) != 0)
		goto fail;
	control_reply(call, resp);
	return;
fail:
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

static void
cmd_group_create(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	char err[512];
	struct group *g = NULL;
	const char *text;
	size_t len;
	int rc;

	if (handlers_str(call, req, "contract", 1, &text, &len) != 0)
		return;
	err[0] = '\0';
	if ((rc = group_create(d, text, len, &g, err, sizeof(err))) != 0 ||
	    g == NULL) {
		control_fail(call, CTL_FAILED, "%s", err[0] != '\0' ? err :
		    bal_strerror(rc));
		return;
	}
	handlers_hex(g->id, sizeof(g->id), hex);
	daemon_log("founded group '%s' (%.16s)", group_name(g), hex);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", group_name(g)) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

static void
cmd_group_list(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	struct group *g;
	int leader;

	(void)req;
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (g = d->groups; g != NULL; g = g->next) {
		handlers_hex(g->id, sizeof(g->id), hex);
		leader = g->roster != NULL ?
		    roster_is_leader(g->roster, d->id->pk) :
		    (g->contract != NULL &&
		    contract_is_leader(g->contract, d->id->pk));
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "group", hex) != 0 ||
		    ctl_resp_add_str(resp, "name", group_name(g)) != 0 ||
		    ctl_resp_add_str(resp, "role",
		    leader ? N_("leader") : N_("member")) != 0 ||
		    ctl_resp_add_uint(resp, "members",
		    handlers_active_count(g)) != 0)
			goto fail;
	}
	control_reply(call, resp);
	return;
fail:
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

/* The "how" of an acceptance, for contract.show. */
static const char *
accepted_how(int how)
{
	switch (how) {
	case GROUP_ACCEPTED_AUTHOR:	return "author";
	case GROUP_ACCEPTED_EXPLICITLY:	return "accepted";
	}
	return "join";
}

static const char *status_name(int);

/* Adds one record per contract version and one per member to resp. */
static int
contract_show_history(struct group *g, const struct group_contract_info *ci,
    struct ctl_resp *resp)
{
	char hex[2 * BAL_HASH_BYTES + 1], mid[IDENTITY_ID_TEXT_BYTES];
	char idbuf[IDENTITY_ID_TEXT_BYTES];
	const struct group_version *v;
	const struct group_acceptance *a;
	const struct roster_member *m;
	size_t i;

	for (i = 0; i < ci->nversions; i++) {
		v = &ci->versions[i];
		handlers_hex(v->hash, sizeof(v->hash), hex);
		identity_id_encode(v->author, mid);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "kind", "version") != 0 ||
		    ctl_resp_add_uint(resp, "version", v->number) != 0 ||
		    ctl_resp_add_str(resp, "hash", hex) != 0 ||
		    ctl_resp_add_str(resp, "by", handlers_member_name(g,
		    v->author, idbuf)) != 0 ||
		    ctl_resp_add_str(resp, "by_id", mid) != 0 ||
		    ctl_resp_add_uint(resp, "time", v->time_ms) != 0)
			return BAL_ENOMEM;
	}
	for (i = 0; i < ci->nmembers && i < g->roster->nmembers; i++) {
		a = &ci->members[i];
		m = &g->roster->members[i];
		identity_id_encode(a->member, mid);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "kind", "member") != 0 ||
		    ctl_resp_add_str(resp, "name", m->name) != 0 ||
		    ctl_resp_add_str(resp, "member_id", mid) != 0 ||
		    ctl_resp_add_str(resp, "status",
		    status_name(m->status)) != 0 ||
		    ctl_resp_add_uint(resp, "accepted", a->accepted_version) !=
		    0 ||
		    ctl_resp_add_str(resp, "how", accepted_how(a->how)) != 0 ||
		    ctl_resp_add_uint(resp, "joined", a->joined_version) != 0 ||
		    ctl_resp_add_uint(resp, "accepted_time", a->accepted_ms) != 0)
			return BAL_ENOMEM;
	}
	return 0;
}

/*
 * Reads the versions of g's contract (group_contract_info); on failure
 * the call is answered (not synced yet, or the store's error) and -1.
 */
static int
contract_info(struct ctl_call *call, struct group *g,
    struct group_contract_info **ci)
{
	int rc;

	if (g->contract == NULL || g->roster == NULL) {
		control_fail(call, CTL_FAILED, N_("the contract of group '%s' "
		    "is not known yet (wait for sync: balint sync --wait)"),
		    group_name(g));
		return -1;
	}
	if ((rc = group_contract_info(g, ci)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the versions of "
		    "the contract of group '%s': %s"), group_name(g),
		    bal_strerror(rc));
		return -1;
	}
	return 0;
}

static void
cmd_contract_show(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	struct group_contract_info *ci = NULL;
	const struct group_version *cur;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], hhex[2 * BAL_HASH_BYTES + 1];
	char leaders[2 * (ROSTER_NAME_MAX + IDENTITY_ID_TEXT_BYTES) + 8];
	char idbuf[IDENTITY_ID_TEXT_BYTES], mid[IDENTITY_ID_TEXT_BYTES];
	const struct contract *c;
	const char *hist;
	struct group *g;
	unsigned i;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (contract_info(call, g, &ci) != 0)
		return;
	c = g->contract;
	cur = &ci->versions[ci->nversions - 1];
	handlers_hex(g->id, sizeof(g->id), hex);
	handlers_hex(g->roster->contract_hash, BAL_HASH_BYTES, hhex);
	identity_id_encode(cur->author, mid);
	leaders[0] = '\0';
	for (i = 0; i < c->nleaders && i < CONTRACT_LEADERS_MAX; i++) {
		if (i > 0)
			strncat(leaders, ", ",
			    sizeof(leaders) - strlen(leaders) - 1);
		strncat(leaders, handlers_member_name(g, c->leaders[i], idbuf),
		    sizeof(leaders) - strlen(leaders) - 1);
	}
	hist = contract_history_name(c->history);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "kind", "contract") != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", c->name) != 0 ||
	    ctl_resp_add_str(resp, "history", hist != NULL ? hist : "?") != 0 ||
	    ctl_resp_add_str(resp, "cadence",
	    c->cadence != NULL ? c->cadence : "") != 0 ||
	    ctl_resp_add_uint(resp, "retention", c->retention_days) != 0 ||
	    ctl_resp_add_str(resp, "identifiers",
	    contract_identifiers_name(c->identifiers) != NULL ?
	    contract_identifiers_name(c->identifiers) : "?") != 0 ||
	    ctl_resp_add_str(resp, "network", c->network ==
	    CONTRACT_NETWORK_TOR_ONLY ? "tor-only" : "any") != 0 ||
	    ctl_resp_add_str(resp, "leaders", leaders) != 0 ||
	    ctl_resp_add_str(resp, "text", c->text != NULL ? c->text : "") != 0 ||
	    ctl_resp_add_uint(resp, "created", ci->versions[0].time_ms) != 0 ||
	    ctl_resp_add_uint(resp, "version", cur->number) != 0 ||
	    ctl_resp_add_str(resp, "hash", hhex) != 0 ||
	    ctl_resp_add_str(resp, "amended_by", cur->number > 1 ?
	    handlers_member_name(g, cur->author, idbuf) : "") != 0 ||
	    ctl_resp_add_str(resp, "amended_by_id", cur->number > 1 ?
	    mid : "") != 0 ||
	    ctl_resp_add_uint(resp, "amended", cur->number > 1 ?
	    cur->time_ms : 0) != 0 ||
	    contract_show_history(g, ci, resp) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	group_contract_info_free(ci);
	control_reply(call, resp);
}

/* contract.text: the current contract in the text form amend reads. */
static void
cmd_contract_text(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	struct group *g;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (g->contract == NULL) {
		control_fail(call, CTL_FAILED, N_("the contract of group '%s' "
		    "is not known yet (wait for sync: balint sync --wait)"),
		    group_name(g));
		return;
	}
	if ((rc = contract_text(g->contract, d->id->pk, &text, &len)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot write the contract as "
		    "text: %s"), bal_strerror(rc));
		return;
	}
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_strn(resp, "text", text, len) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	free(text);
	control_reply(call, resp);
}

/*
 * contract.versions: every version of the contract (number, hash, who
 * wrote it, when), or with `version` N that one version and its text in
 * the text form, decoded from its CREATE or AMEND roster entry (the daemon
 * keeps only the current contract).  `balint contract diff` compares two.
 */
static void
cmd_contract_versions(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	const uint8_t *ref = d->id->pk;
	struct group_contract_info *ci = NULL;
	struct ctl_resp *resp = NULL;
	struct contract *c = NULL;
	const struct group_version *v;
	char hex[2 * BAL_HASH_BYTES + 1], mid[IDENTITY_ID_TEXT_BYTES];
	char idbuf[IDENTITY_ID_TEXT_BYTES], *text = NULL;
	uint64_t want = 0;
	size_t i, len = 0;
	struct group *g;
	int rc;

	if ((g = handlers_group(call, req)) == NULL ||
	    handlers_uint(call, req, "version", &want) != 0)
		return;
	if (contract_info(call, g, &ci) != 0)
		return;
	if (ctl_req_get(req, "version") != NULL &&
	    (want == 0 || want > ci->nversions)) {
		control_fail(call, CTL_FAILED, N_("the contract of %s has no "
		    "version %llu (its versions are 1 to %zu)"),
		    group_name(g), (unsigned long long)want, ci->nversions);
		goto out;
	}
	/*
	 * The Co-leader line names the leader other than ref: this member
	 * when they lead now, else the current contract's first leader, the
	 * same for every version so that two versions compare.
	 */
	if (!contract_is_leader(g->contract, ref) && g->contract->nleaders > 0)
		ref = g->contract->leaders[0];
	if ((resp = control_call_resp(call)) == NULL)
		goto out;
	for (i = 0; i < ci->nversions; i++) {
		v = &ci->versions[i];
		if (want != 0 && v->number != want)
			continue;
		if (want != 0 && (v->contract == NULL ||
		    (rc = contract_decode(v->contract, v->contract_len,
		    &c)) != 0 ||
		    (rc = contract_text(c, ref, &text, &len)) != 0)) {
			ctl_resp_free(resp);
			resp = NULL;
			control_fail(call, CTL_FAILED, N_("cannot read version "
			    "%u of the contract of %s: %s"), v->number,
			    group_name(g), bal_strerror(v->contract == NULL ?
			    BAL_ENOENT : rc));
			goto out;
		}
		handlers_hex(v->hash, sizeof(v->hash), hex);
		identity_id_encode(v->author, mid);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_uint(resp, "version", v->number) != 0 ||
		    ctl_resp_add_str(resp, "hash", hex) != 0 ||
		    ctl_resp_add_str(resp, "by", handlers_member_name(g,
		    v->author, idbuf)) != 0 ||
		    ctl_resp_add_str(resp, "by_id", mid) != 0 ||
		    ctl_resp_add_uint(resp, "time", v->time_ms) != 0 ||
		    ctl_resp_add_bool(resp, "current",
		    i + 1 == ci->nversions) != 0 ||
		    (text != NULL &&
		    ctl_resp_add_strn(resp, "text", text, len) != 0)) {
			ctl_resp_free(resp);
			resp = NULL;
			break;
		}
	}
	control_reply(call, resp);
out:
	contract_free(c);
	free(text);
	group_contract_info_free(ci);
}

/*
 * Answers contract.amend and contract.accept: the failure (err, else rc's
 * text), or the group and the contract version now in force or accepted.
 */
static void
contract_version_reply(struct ctl_call *call, struct group *g, int rc,
    unsigned version, const char *err)
{
	struct ctl_resp *resp = NULL;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];

	if (rc != 0) {
		control_fail(call, CTL_FAILED, "%s", err[0] != '\0' ? err :
		    bal_strerror(rc));
		return;
	}
	handlers_hex(g->id, sizeof(g->id), hex);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", group_name(g)) != 0 ||
	    ctl_resp_add_uint(resp, "version", version) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

/* contract.amend: a leader writes the next version of the contract. */
static void
cmd_contract_amend(struct ctl_call *call, const struct ctl_req *req)
{
	char err[512];
	struct group *g;
	const char *text;
	size_t len;
	unsigned version = 0;
	int rc;

	if (handlers_str(call, req, "contract", 1, &text, &len) != 0 ||
	    (g = handlers_group(call, req)) == NULL)
		return;
	err[0] = '\0';
	rc = group_amend(g, text, len, &version, err, sizeof(err));
	contract_version_reply(call, g, rc, version, err);
}

/* contract.accept: this member accepts the current contract version. */
static void
cmd_contract_accept(struct ctl_call *call, const struct ctl_req *req)
{
	char err[512];
	struct group *g;
	unsigned version = 0;
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	err[0] = '\0';
	rc = group_accept(g, &version, err, sizeof(err));
	contract_version_reply(call, g, rc, version, err);
}

static const char *
status_name(int status)
{
	switch (status) {
	case ROSTER_ACTIVE:	return N_("active");
	case ROSTER_REVOKED:	return N_("revoked");
	case ROSTER_LEFT:	return N_("left");
	}
	return N_("unknown");
}

static void
cmd_members(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	char mid[IDENTITY_ID_TEXT_BYTES], fpr[IDENTITY_FPR_TEXT_BYTES];
	char code[STATECODE_TEXT_BYTES];
	const struct roster_member *m;
	struct group *g;
	size_t i;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	/* Every record carries the group's state code (its header line). */
	(void)group_state_code(g, code);
	for (i = 0; g->roster != NULL && i < g->roster->nmembers; i++) {
		m = &g->roster->members[i];
		identity_id_encode(m->pk, mid);
		identity_fingerprint(m->pk, fpr);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "name", m->name) != 0 ||
		    ctl_resp_add_str(resp, "member_id", mid) != 0 ||
		    ctl_resp_add_str(resp, "fingerprint", fpr) != 0 ||
		    ctl_resp_add_str(resp, "role", m->role == ROSTER_ROLE_LEADER ?
		    N_("leader") : N_("member")) != 0 ||
		    ctl_resp_add_str(resp, "status",
		    status_name(m->status)) != 0 ||
		    ctl_resp_add_str(resp, "state_code", code) != 0)
			goto fail;
	}
	control_reply(call, resp);
	return;
fail:
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}
