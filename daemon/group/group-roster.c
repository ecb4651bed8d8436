/*
 * group-roster.c — a group's membership over its lifetime, as this member's
 * daemon acts on it (group.h, docs/protocol.md): writing REVOKE,
 * LEAVE and ROTATE roster entries, rotating the epoch when a fold asks for
 * it, and cooperative erasure when this member is no longer active.
 *
 * The checks after a fold run on a later turn of the loop (a timer of
 * d->roster_tasks), never inside the fold: the fold runs inside
 * group_receive, whose callers (the sync engine of a session) still use
 * the group when it returns, and erasure frees it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <uv.h>

#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "mp.h"
#include "roster.h"
#include "store.h"
#include "wire.h"

#define REMOVED_VERSION 1
#define REMOVED_INDEX "removed"
#define REMOVED_PREFIX "removed:"
#define KEY_BYTES (16 + 2 * BAL_GROUP_ID_BYTES + 1)
#define TASKS_MAX 256

/* One pending check of a group. */
struct roster_task {
	uint8_t gid[BAL_GROUP_ID_BYTES];
	uint64_t due;			/* uv_now of the loop */
	int late;			/* after the grace of other leaders */
};

struct roster_tasks {
	struct daemon *d;
	uv_timer_t timer;
	int closing;
	struct roster_task task[TASKS_MAX];
	size_t ntasks;
	/* Groups a pending `leave` is leaving (not erased by the check). */
	uint8_t (*leaving)[BAL_GROUP_ID_BYTES];
	size_t nleaving;
};

static void
gid_hex(const uint8_t id[BAL_GROUP_ID_BYTES],
    char out[2 * BAL_GROUP_ID_BYTES + 1])
{
	sodium_bin2hex(out, 2 * BAL_GROUP_ID_BYTES + 1, id, BAL_GROUP_ID_BYTES);
}

static void
errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a one-line reason into err. */
static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The roster name of pk in r, else its member id text, into buf. */
static const char *
member_text(const struct roster *r, const uint8_t pk[BAL_PK_BYTES],
    char buf[IDENTITY_ID_TEXT_BYTES])
{
	const struct roster_member *m = r != NULL ?
	    roster_member_find(r, pk) : NULL;

	if (m != NULL && m->name[0] != '\0')
		return m->name;
	identity_id_encode(pk, buf);
	return buf;
}

/* The active members of r, except skip (may be NULL), into rcpt. */
static size_t
active_members(const struct roster *r, const uint8_t *skip,
    uint8_t rcpt[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES])
{
	size_t i, n = 0;

	for (i = 0; i < r->nmembers && n < EPOCH_MAX_RECIPIENTS; i++) {
		if (r->members[i].status != ROSTER_ACTIVE ||
		    (skip != NULL && memcmp(r->members[i].pk, skip,
		    BAL_PK_BYTES) == 0))
			continue;
		memcpy(rcpt[n++], r->members[i].pk, BAL_PK_BYTES);
	}
	return n;
}

/*
 * Writes a roster entry whose operation carries a fresh epoch key sealed
 * to rcpt: REVOKE of pk with cut (pk not NULL), else ROTATE.
 */
static int
write_epoch_op(struct group *g, const uint8_t *pk, uint64_t cut,
    uint8_t rcpt[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES], size_t n)
{
	uint8_t *key = NULL, *env = NULL, *body = NULL;
	size_t envlen = 0, bodylen = 0;
	int ret;

	if ((ret = epoch_key_new(NULL, &key)) != 0 ||
	    (ret = epoch_seal(key, 0, g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])rcpt,
	    n, NULL, &env, &envlen)) != 0)
		goto out;
	if (pk != NULL)
		ret = roster_encode_revoke(pk, cut, env, envlen, &body,
		    &bodylen);
	else
		ret = roster_encode_rotate(env, envlen, &body, &bodylen);
	if (ret != 0)
		goto out;
	ret = group_append(g, ENTRY_KIND_ROSTER, body, bodylen, NULL);
out:
	epoch_key_free(key);
	free(env);
	free(body);
	return ret;
}

int
group_roster_revoke(struct group *g, const uint8_t pk[BAL_PK_BYTES],
    uint64_t *cut, size_t *epoch, char *err, size_t errlen)
{
	struct daemon *d;
	const struct roster_member *m;
	uint8_t rcpt[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES], head[BAL_HASH_BYTES];
	char hex[2 * BAL_GROUP_ID_BYTES + 1], name[IDENTITY_ID_TEXT_BYTES];
	uint64_t seq = 0;
	size_t n;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (g == NULL || pk == NULL)
		return BAL_EINVAL;
	d = g->d;
	if (g->roster == NULL || !roster_is_leader(g->roster, d->id->pk)) {
		errf(err, errlen, "only a leader of %s can revoke members",
		    group_name(g));
		return BAL_EPERM;
	}
	if (memcmp(pk, d->id->pk, BAL_PK_BYTES) == 0) {
		errf(err, errlen, "you cannot revoke yourself; to leave %s "
		    "use: balint leave", group_name(g));
		return BAL_EINVAL;
	}
	if ((m = roster_member_find(g->roster, pk)) == NULL) {
		identity_id_encode(pk, name);
		errf(err, errlen, "unknown member '%s' (see: balint members)",
		    name);
		return BAL_ENOENT;
	}
	if (m->status != ROSTER_ACTIVE) {
		errf(err, errlen, "%s is no longer a member (%s already)",
		    m->name, m->status == ROSTER_LEFT ? "left" : "revoked");
		return BAL_EEXIST;
	}
	/* The cut: the highest seq of their log this member holds. */
	if ((ret = store_entry_head(d->store, g->id, pk, &seq, head)) != 0) {
		errf(err, errlen, "cannot read the store: %s",
		    bal_strerror(ret));
		return ret;
	}
	n = active_members(g->roster, pk, rcpt);
	if ((ret = write_epoch_op(g, pk, seq, rcpt, n)) != 0) {
		errf(err, errlen, "cannot write the revocation: %s",
		    bal_strerror(ret));
		return ret;
	}
	gid_hex(g->id, hex);
	daemon_log("group %.8s: revoked %s (cut at seq %llu); new epoch %zu "
	    "sealed to %zu members", hex, member_text(g->roster, pk, name),
	    (unsigned long long)seq, g->roster->current, n);
	if (cut != NULL)
		*cut = seq;
	if (epoch != NULL)
		*epoch = g->roster->current;
	return 0;
}

int
group_roster_leave(struct group *g, char *err, size_t errlen)
{
	struct daemon *d;
	const struct roster *r;
	uint8_t *body = NULL, head[BAL_HASH_BYTES];
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	uint64_t seq = 0;
	size_t bodylen = 0, i, others = 0;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (g == NULL)
		return BAL_EINVAL;
	d = g->d;
	if ((r = g->roster) == NULL || !roster_is_active(r, d->id->pk)) {
		errf(err, errlen, "you are not an active member of %s",
		    group_name(g));
		return BAL_EPERM;
	}
	if (roster_is_leader(r, d->id->pk)) {
		for (i = 0; i < r->nleaders; i++)
			if (memcmp(r->leaders[i], d->id->pk,
			    BAL_PK_BYTES) != 0 &&
			    roster_is_active(r, r->leaders[i]))
				others++;
		if (others == 0) {
			errf(err, errlen, "you are the only active leader of "
			    "%s: a group cannot lose its last leader (name a "
			    "co-leader first: balint contract amend)",
			    group_name(g));
			return BAL_EPERM;
		}
	}
	/* The cut of a LEAVE is the seq of the LEAVE entry itself. */
	if ((ret = store_entry_head(d->store, g->id, d->id->pk, &seq,
	    head)) != 0 ||
	    (ret = roster_encode_leave(seq + 1, &body, &bodylen)) != 0 ||
	    (ret = group_append(g, ENTRY_KIND_ROSTER, body, bodylen,
	    NULL)) != 0) {
		errf(err, errlen, "cannot write the leave: %s",
		    group_write_error(g, ret));
		goto out;
	}
	gid_hex(g->id, hex);
	daemon_log("group %.8s: this member left (cut at seq %llu)", hex,
	    (unsigned long long)(seq + 1));
out:
	free(body);
	return ret;
}

int
group_roster_needs_rotation(const struct group *g, int *first)
{
	const struct roster *r;
	const struct roster_epoch *ep;
	const uint8_t *me, *low = NULL;
	uint8_t rcpt[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES];
	size_t i, j, n;

	if (first != NULL)
		*first = 0;
	if (g == NULL || (r = g->roster) == NULL || !r->needs_rotation ||
	    r->nepochs == 0)
		return 0;
	me = g->d->id->pk;
	if (!roster_is_leader(r, me))
		return 0;
	for (i = 0; i < r->nleaders; i++)
		if (roster_is_active(r, r->leaders[i]) && (low == NULL ||
		    memcmp(r->leaders[i], low, BAL_PK_BYTES) < 0))
			low = r->leaders[i];
	if (first != NULL)
		*first = low != NULL && memcmp(low, me, BAL_PK_BYTES) == 0;
	/*
	 * No loop: if the current epoch is already ours, sealed to exactly
	 * the active members, another ROTATE would change nothing.
	 */
	ep = &r->epochs[r->current];
	n = active_members(r, NULL, rcpt);
	if (memcmp(ep->author, me, BAL_PK_BYTES) != 0 ||
	    ep->nrecipients != n)
		return 1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < ep->nrecipients; j++)
			if (memcmp(ep->recipients[j], rcpt[i],
			    BAL_PK_BYTES) == 0)
				break;
		if (j == ep->nrecipients)
			return 1;
	}
	return 0;
}

int
group_roster_rotate(struct group *g)
{
	uint8_t rcpt[EPOCH_MAX_RECIPIENTS][BAL_PK_BYTES];
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	size_t n;
	int ret;

	if (g == NULL || g->roster == NULL ||
	    !roster_is_leader(g->roster, g->d->id->pk))
		return BAL_EPERM;
	gid_hex(g->id, hex);
	n = active_members(g->roster, NULL, rcpt);
	if ((ret = write_epoch_op(g, NULL, 0, rcpt, n)) != 0) {
		daemon_log("group %.8s: cannot rotate the epoch: %s", hex,
		    bal_strerror(ret));
		return ret;
	}
	daemon_log("group %.8s: rotated to a new epoch (%zu) sealed to the "
	    "%zu active members", hex, g->roster->current, n);
	return 0;
}

/* ---- removal records ---- */

static void
removed_key(const uint8_t gid[BAL_GROUP_ID_BYTES], char key[KEY_BYTES])
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1];

	gid_hex(gid, hex);
	snprintf(key, KEY_BYTES, "%s%s", REMOVED_PREFIX, hex);
}

/* Encodes a record: [1, group name, by, status, removed ms, erased ms]. */
static int
removed_encode(const struct group_removed *rm, uint8_t **out, size_t *len)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_ENOMEM;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, 6) != 0 ||
	    msgpack_pack_uint8(&pk, REMOVED_VERSION) != 0 ||
	    mp_pack_cstr(&pk, rm->name) != 0 ||
	    mp_pack_cstr(&pk, rm->by) != 0 ||
	    msgpack_pack_uint8(&pk, (uint8_t)rm->status) != 0 ||
	    msgpack_pack_uint64(&pk, rm->removed_ms) != 0 ||
	    msgpack_pack_uint64(&pk, rm->erased_ms) != 0)
		goto out;
	ret = mp_sbuf_take(&sbuf, out, len);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

static int
removed_decode(const uint8_t *buf, size_t len, struct group_removed *rm)
{
	struct mp_doc doc;
	struct mp_rd rd;
	const char *s;
	size_t slen;
	uint64_t v;
	int ret;

	memset(&doc, 0, sizeof(doc));
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	if ((ret = mp_rd_array(&rd, mp_doc_root(&doc), 6, 6)) != 0 ||
	    (ret = mp_rd_uint(&rd, 255, &v)) != 0)
		goto out;
	if (v != REMOVED_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if ((ret = mp_rd_str(&rd, 0, CONTRACT_NAME_MAX, &s, &slen)) != 0)
		goto out;
	memcpy(rm->name, s, slen);
	rm->name[slen] = '\0';
	if ((ret = mp_rd_str(&rd, 0, ROSTER_NAME_MAX, &s, &slen)) != 0)
		goto out;
	memcpy(rm->by, s, slen);
	rm->by[slen] = '\0';
	if ((ret = mp_rd_uint(&rd, ROSTER_LEFT, &v)) != 0)
		goto out;
	rm->status = (int)v;
	if ((ret = mp_rd_uint(&rd, UINT64_MAX, &rm->removed_ms)) != 0 ||
	    (ret = mp_rd_uint(&rd, UINT64_MAX, &rm->erased_ms)) != 0 ||
	    (ret = mp_rd_end(&rd)) != 0)
		goto out;
	ret = 0;
out:
	mp_doc_free(&doc);
	return ret;
}

/*
 * Remembers rm: its record under "removed:GROUPHEX" and its group id at the
 * front of the index "removed" (group ids, 32 bytes each, newest first, at
 * most GROUP_REMOVED_MAX).
 */
static int
removed_put(struct daemon *d, const struct group_removed *rm)
{
	uint8_t *rec = NULL, *old = NULL, *idx = NULL;
	size_t reclen = 0, oldlen = 0, n = 0, i;
	char key[KEY_BYTES];
	int ret;

	if ((ret = removed_encode(rm, &rec, &reclen)) != 0)
		goto out;
	removed_key(rm->gid, key);
	if ((ret = store_meta_put(d->store, key, rec, reclen)) != 0)
		goto out;
	if ((ret = store_meta_get(d->store, REMOVED_INDEX, &old,
	    &oldlen)) != 0 && ret != BAL_ENOENT)
		goto out;
	if ((idx = malloc((GROUP_REMOVED_MAX + 1) * BAL_GROUP_ID_BYTES)) ==
	    NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	memcpy(idx, rm->gid, BAL_GROUP_ID_BYTES);
	n = 1;
	for (i = 0; old != NULL && i + BAL_GROUP_ID_BYTES <= oldlen &&
	    n < GROUP_REMOVED_MAX; i += BAL_GROUP_ID_BYTES) {
		if (memcmp(old + i, rm->gid, BAL_GROUP_ID_BYTES) == 0)
			continue;
		memcpy(idx + n * BAL_GROUP_ID_BYTES, old + i,
		    BAL_GROUP_ID_BYTES);
		n++;
	}
	ret = store_meta_put(d->store, REMOVED_INDEX, idx,
	    n * BAL_GROUP_ID_BYTES);
out:
	free(rec);
	free(old);
	free(idx);
	return ret;
}

int
group_removed_list(struct daemon *d, struct group_removed **out, size_t *n)
{
	struct group_removed *list = NULL;
	struct group *g;
	uint8_t *idx = NULL, *rec = NULL;
	size_t idxlen = 0, reclen = 0, i, cnt = 0;
	char key[KEY_BYTES];
	int ret;

	*out = NULL;
	*n = 0;
	if ((ret = store_meta_get(d->store, REMOVED_INDEX, &idx,
	    &idxlen)) != 0)
		return ret == BAL_ENOENT ? 0 : ret;
	if (idxlen < BAL_GROUP_ID_BYTES)
		goto out;
	if ((list = calloc(idxlen / BAL_GROUP_ID_BYTES,
	    sizeof(*list))) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	for (i = 0; i + BAL_GROUP_ID_BYTES <= idxlen &&
	    cnt < GROUP_REMOVED_MAX; i += BAL_GROUP_ID_BYTES) {
		/* A member again (re-admitted): nothing to tell. */
		if ((g = group_find(d, idx + i)) != NULL && g->roster != NULL &&
		    roster_is_active(g->roster, d->id->pk))
			continue;
		removed_key(idx + i, key);
		if (store_meta_get(d->store, key, &rec, &reclen) != 0)
			continue;
		memset(&list[cnt], 0, sizeof(list[cnt]));
		if (removed_decode(rec, reclen, &list[cnt]) == 0) {
			memcpy(list[cnt].gid, idx + i, BAL_GROUP_ID_BYTES);
			cnt++;
		}
		free(rec);
		rec = NULL;
	}
	if (cnt > 0) {
		*out = list;
		*n = cnt;
		list = NULL;
	}
	ret = 0;
out:
	free(list);
	free(idx);
	return ret;
}

/* ---- erasure ---- */

int
group_roster_erase(struct group *g)
{
	struct daemon *d;
	const struct roster_member *m = NULL;
	struct group_removed rm;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], key[KEY_BYTES];
	char idbuf[IDENTITY_ID_TEXT_BYTES];
	int ret;

	if (g == NULL)
		return BAL_EINVAL;
	d = g->d;
	memset(&rm, 0, sizeof(rm));
	memcpy(rm.gid, g->id, BAL_GROUP_ID_BYTES);
	snprintf(rm.name, sizeof(rm.name), "%s", group_name(g));
	rm.status = ROSTER_LEFT;
	if (g->roster != NULL &&
	    (m = roster_member_find(g->roster, d->id->pk)) != NULL &&
	    m->status != ROSTER_ACTIVE) {
		rm.status = m->status;
		rm.removed_ms = m->removed_ms;
		snprintf(rm.by, sizeof(rm.by), "%s",
		    member_text(g->roster, m->removed_by, idbuf));
	}
	gid_hex(g->id, hex);
	/* A revoked member keeps its own notes, sealed, for an export. */
	if (rm.status == ROSTER_REVOKED && d->id != NULL) {
		size_t kept = 0;

		if ((ret = group_kept_save(g, &kept)) != 0)
			daemon_log("group %.8s: cannot keep this member's own "
			    "notes (%s)", hex, bal_strerror(ret));
		else if (kept > 0)
			daemon_log("group %.8s: kept %zu note(s) this member "
			    "wrote, sealed under its own key (balint export "
			    "--kept)", hex, kept);
	}
	(void)group_roster_leaving(d, g->id, 0);
	group_emit_removed(g, WIRE_BYE_NOT_MEMBER,
	    rm.status == ROSTER_REVOKED ? "revoked" : "left the group");
	if ((ret = store_group_erase(d->store, g->id)) != 0) {
		daemon_log("group %.8s: cannot erase it from the store (%s); "
		    "trying again at the next start", hex, bal_strerror(ret));
		group_forget(g);
		return ret;
	}
	/* The address announced in the group is no business of anyone now. */
	snprintf(key, sizeof(key), "announced:%s", hex);
	(void)store_meta_put(d->store, key, "", 0);
	rm.erased_ms = daemon_now_ms();
	if (removed_put(d, &rm) != 0)
		daemon_log("group %.8s: cannot remember the removal", hex);
	if (rm.status == ROSTER_REVOKED)
		daemon_log("group %.8s '%s': this member was revoked by %s; "
		    "the group's entries, keys, peers and invites were erased "
		    "from this computer", hex, rm.name, rm.by);
	else
		daemon_log("group %.8s '%s': this member left; the group's "
		    "entries, keys, peers and invites were erased from this "
		    "computer", hex, rm.name);
	group_forget(g);
	return 0;
}

/* ---- the checks after a fold ---- */

int
group_roster_leaving(struct daemon *d, const uint8_t gid[BAL_GROUP_ID_BYTES],
    int on)
{
	struct roster_tasks *rt = d->roster_tasks;
	uint8_t (*a)[BAL_GROUP_ID_BYTES];
	size_t i;

	if (rt == NULL)
		return 0;
	for (i = 0; i < rt->nleaving; i++)
		if (memcmp(rt->leaving[i], gid, BAL_GROUP_ID_BYTES) == 0) {
			if (!on) {
				memmove(&rt->leaving[i], &rt->leaving[i + 1],
				    (rt->nleaving - i - 1) *
				    sizeof(*rt->leaving));
				rt->nleaving--;
			}
			return 0;
		}
	if (!on)
		return 0;
	if ((a = realloc(rt->leaving, (rt->nleaving + 1) *
	    sizeof(*a))) == NULL)
		return BAL_ENOMEM;
	rt->leaving = a;
	memcpy(rt->leaving[rt->nleaving++], gid, BAL_GROUP_ID_BYTES);
	return 0;
}

static int
is_leaving(const struct roster_tasks *rt, const uint8_t *gid)
{
	size_t i;

	for (i = 0; i < rt->nleaving; i++)
		if (memcmp(rt->leaving[i], gid, BAL_GROUP_ID_BYTES) == 0)
			return 1;
	return 0;
}

static void on_tasks_timer(uv_timer_t *t);

/* Starts the timer for the earliest pending task. */
static void
tasks_arm(struct roster_tasks *rt)
{
	uint64_t now, due = UINT64_MAX;
	size_t i;

	if (rt->closing)
		return;
	for (i = 0; i < rt->ntasks; i++)
		if (rt->task[i].due < due)
			due = rt->task[i].due;
	if (rt->ntasks == 0) {
		uv_timer_stop(&rt->timer);
		return;
	}
	now = uv_now(rt->d->loop);
	uv_timer_start(&rt->timer, on_tasks_timer, due > now ? due - now : 0,
	    0);
}

/* Queues a check of gid after delay ms (one of each kind per group). */
static void
tasks_add(struct roster_tasks *rt, const uint8_t *gid, uint64_t delay,
    int late)
{
	uint64_t due = uv_now(rt->d->loop) + delay;
	size_t i;

	if (rt->closing)
		return;
	for (i = 0; i < rt->ntasks; i++)
		if (rt->task[i].late == late &&
		    memcmp(rt->task[i].gid, gid, BAL_GROUP_ID_BYTES) == 0) {
			if (!late && due < rt->task[i].due)
				rt->task[i].due = due;
			tasks_arm(rt);
			return;
		}
	if (rt->ntasks == TASKS_MAX) {
		daemon_log("too many pending roster checks; one dropped");
		return;
	}
	memcpy(rt->task[rt->ntasks].gid, gid, BAL_GROUP_ID_BYTES);
	rt->task[rt->ntasks].due = due;
	rt->task[rt->ntasks].late = late;
	rt->ntasks++;
	tasks_arm(rt);
}

/* One check of a group: erase it, rotate, or wait for the other leader. */
static void
check(struct roster_tasks *rt, const struct roster_task *t)
{
	struct daemon *d = rt->d;
	struct group *g;
	const struct roster_member *m;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	int first;

	if (d->stopping || (g = group_find(d, t->gid)) == NULL ||
	    g->roster == NULL)
		return;
	m = roster_member_find(g->roster, d->id->pk);
	if (m != NULL && m->status != ROSTER_ACTIVE) {
		if (!is_leaving(rt, t->gid))
			(void)group_roster_erase(g);
		return;
	}
	if (!group_roster_needs_rotation(g, &first))
		return;
	if (!first && !t->late) {
		/* The first leader rotates; the others only if it did not. */
		gid_hex(g->id, hex);
		daemon_log("group %.8s: the roster needs a new epoch; another "
		    "leader is expected to write it (checking again in %u s)",
		    hex, GROUP_ROTATE_GRACE_MS / 1000);
		tasks_add(rt, t->gid, GROUP_ROTATE_GRACE_MS, 1);
		return;
	}
	(void)group_roster_rotate(g);
}

static void
on_tasks_timer(uv_timer_t *timer)
{
	struct roster_tasks *rt = timer->data;
	struct roster_task t;
	uint64_t now = uv_now(rt->d->loop);
	size_t i;

	/* Each check may queue more (a rotation's own fold): take one at once. */
	for (;;) {
		for (i = 0; i < rt->ntasks; i++)
			if (rt->task[i].due <= now)
				break;
		if (i == rt->ntasks || rt->closing)
			break;
		t = rt->task[i];
		rt->task[i] = rt->task[--rt->ntasks];
		check(rt, &t);
	}
	tasks_arm(rt);
}

void
group_roster_folded(struct group *g)
{
	struct roster_tasks *rt;

	if (g == NULL || (rt = g->d->roster_tasks) == NULL)
		return;
	tasks_add(rt, g->id, 0, 0);
}

int
group_roster_start(struct daemon *d)
{
	struct roster_tasks *rt;
	struct group *g;

	if (d->roster_tasks != NULL)
		return 0;
	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		return BAL_ENOMEM;
	rt->d = d;
	if (uv_timer_init(d->loop, &rt->timer) != 0) {
		free(rt);
		return BAL_EIO;
	}
	rt->timer.data = rt;
	d->roster_tasks = rt;
	for (g = d->groups; g != NULL; g = g->next)
		tasks_add(rt, g->id, 0, 0);
	return 0;
}

static void
on_tasks_closed(uv_handle_t *h)
{
	struct roster_tasks *rt = h->data;

	free(rt->leaving);
	free(rt);
}

void
group_roster_stop(struct daemon *d)
{
	struct roster_tasks *rt = d->roster_tasks;

	if (rt == NULL)
		return;
	d->roster_tasks = NULL;
	rt->closing = 1;
	uv_close((uv_handle_t *)&rt->timer, on_tasks_closed);
}
