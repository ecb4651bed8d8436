/*
 * group.c — each group's state (group.h): loading, selecting, founding,
 * joining and forgetting groups, and this member's own writes (append,
 * announce).  Receiving a batch is in group-receive.c, checking and
 * storing entries in group-batch.c, reading the logs for a peer in
 * group-logs.c, notes in group-notes.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "invite.h"
#include "mp.h"
#include "store.h"
#include "wire.h"

#define GROUP_PREFIX_MIN 4	/* hex digits of a group id prefix */

static struct group *
group_alloc(struct daemon *d, const uint8_t id[BAL_GROUP_ID_BYTES])
{
	struct group *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->d = d;
	memcpy(g->id, id, BAL_GROUP_ID_BYTES);
	return g;
}

static void
group_free(struct group *g)
{
	if (g == NULL)
		return;
	contract_free(g->contract);
	roster_free(g->roster);
	group_batch_keys_free(g->keys, g->nkeys);
	sodium_free(g->plain);		/* wipes; NULL is a no-op */
	free(g->forks);
	free(g);
}

static void
group_link(struct daemon *d, struct group *g)
{
	struct group **p;

	for (p = &d->groups; *p != NULL; p = &(*p)->next)
		;
	g->next = NULL;
	*p = g;
}

struct idlist {
	uint8_t (*ids)[BAL_GROUP_ID_BYTES];
	size_t n, cap;
};

static int
idlist_cb(void *ctx, const uint8_t *group, const char *name)
{
	struct idlist *l = ctx;
	uint8_t (*a)[BAL_GROUP_ID_BYTES];

	(void)name;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;

		if ((a = realloc(l->ids, cap * sizeof(*a))) == NULL)
			return BAL_ENOMEM;
		l->ids = a;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], group, BAL_GROUP_ID_BYTES);
	return 0;
}

/* The highest lamport of the group: each log's head holds its highest. */
static int
group_lamport(struct group *g, uint64_t *lamport)
{
	struct wire_have_item *items = NULL;
	struct rowcopy rc;
	size_t n = 0, i;
	int ret;

	*lamport = 0;
	if ((ret = group_have(g, &items, &n)) != 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++)
		if ((ret = group_batch_entry_at(g, items[i].author,
		    items[i].seq, &rc)) == 0 && rc.found &&
		    rc.lamport > *lamport)
			*lamport = rc.lamport;
	free(items);
	return ret;
}

/* Loads one group of the store: fold, contract, keys, clock. */
static int
group_load(struct daemon *d, const uint8_t id[BAL_GROUP_ID_BYTES],
    struct group **out)
{
	struct group *g;
	struct batch b;
	int ret, began = 0;

	*out = NULL;
	if ((g = group_alloc(d, id)) == NULL)
		return BAL_ENOMEM;
	group_batch_init(&b, g, 0);
	if ((ret = group_rlog_load(&b)) != 0)
		goto out;
	g->roster = b.roster;
	b.roster = NULL;
	g->contract = b.contract;
	b.contract = NULL;
	if ((ret = store_key_each(d->store, id, group_batch_key_load,
	    g)) != 0 ||
	    (ret = group_lamport(g, &g->lamport)) != 0 ||
	    (ret = group_fork_load(g)) != 0)
		goto out;
	/* Keys sealed to this member in the roster but not yet stored. */
	if ((ret = store_begin(d->store)) != 0)
		goto out;
	began = 1;
	b.lamport = g->lamport;
	if ((ret = group_batch_acquire(&b)) != 0 ||
	    (ret = group_batch_commit(&b)) != 0)
		goto out;
	began = 0;
	*out = g;
	g = NULL;
out:
	if (began)
		store_rollback(d->store);
	group_batch_free(&b);
	group_free(g);
	return ret;
}

int
group_load_all(struct daemon *d)
{
	struct idlist l;
	struct group *g;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	size_t i;
	int ret, rc;

	memset(&l, 0, sizeof(l));
	if ((ret = store_group_each(d->store, idlist_cb, &l)) != 0)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (group_find(d, l.ids[i]) != NULL)
			continue;
		if ((rc = group_load(d, l.ids[i], &g)) == 0) {
			group_link(d, g);
			continue;
		}
		gid_hex(l.ids[i], hex);
		daemon_log("group %.8s: cannot load it: %s", hex,
		    bal_strerror(rc));
		if (rc == BAL_ENOMEM || rc == BAL_EIO) {
			ret = rc;
			goto out;
		}
	}
out:
	free(l.ids);
	return ret;
}

void
group_free_all(struct daemon *d)
{
	struct group *g, *next;

	for (g = d->groups; g != NULL; g = next) {
		next = g->next;
		group_free(g);
	}
	d->groups = NULL;
	invite_free_all(d);
}

struct group *
group_find(struct daemon *d, const uint8_t id[BAL_GROUP_ID_BYTES])
{
	struct group *g;

	for (g = d->groups; g != NULL; g = g->next)
		if (memcmp(g->id, id, BAL_GROUP_ID_BYTES) == 0)
			return g;
	return NULL;
}

int
group_join_new(struct daemon *d, const uint8_t id[BAL_GROUP_ID_BYTES],
    struct group **out)
{
	struct group *g;

	if ((*out = group_find(d, id)) != NULL)
		return BAL_EEXIST;
	if ((g = group_alloc(d, id)) == NULL)
		return BAL_ENOMEM;
	group_link(d, g);
	*out = g;
	return 0;
}

void
group_forget(struct group *g)
{
	struct group **p;

	if (g == NULL)
		return;
	for (p = &g->d->groups; *p != NULL; p = &(*p)->next)
		if (*p == g) {
			*p = g->next;
			break;
		}
	group_free(g);
}

const char *
group_name(const struct group *g)
{
	if (g == NULL || g->contract == NULL || g->contract->name == NULL)
		return "(joining)";
	return g->contract->name;
}

int
group_tor_only(const struct group *g)
{
	return g != NULL && g->contract != NULL &&
	    g->contract->network == CONTRACT_NETWORK_TOR_ONLY;
}

struct group *
group_select(struct daemon *d, const char *sel, char *err, size_t errlen)
{
	struct group *g, *found = NULL;
	char hex[2 * BAL_GROUP_ID_BYTES + 1];
	size_t n = 0, len;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (sel == NULL || *sel == '\0') {
		for (g = d->groups; g != NULL; g = g->next)
			if (g->contract != NULL) {
				found = g;
				n++;
			}
		if (n == 1)
			return found;
		if (n == 0)
			reject(err, errlen, 0, N_("you are in no group yet "
			    "(see: balint group create, balint join)"));
		else
			reject(err, errlen, 0, N_("you are in %zu groups: say "
			    "which with -g GROUP (see: balint group list)"), n);
		return NULL;
	}
	len = strlen(sel);
	for (g = d->groups; g != NULL; g = g->next) {
		gid_hex(g->id, hex);
		if (g->contract != NULL && strcasecmp(hex, sel) == 0)
			return g;
	}
	for (g = d->groups; g != NULL; g = g->next)
		if (g->contract != NULL &&
		    strcmp(g->contract->name, sel) == 0) {
			found = g;
			n++;
		}
	if (n == 1)
		return found;
	if (n > 1) {
		reject(err, errlen, 0, N_("%zu groups are named '%s': give the "
		    "group id (see: balint group list)"), n, sel);
		return NULL;
	}
	if (len >= GROUP_PREFIX_MIN && len < sizeof(hex) - 1 && is_hex(sel)) {
		for (g = d->groups; g != NULL; g = g->next) {
			gid_hex(g->id, hex);
			if (g->contract != NULL &&
			    strncasecmp(hex, sel, len) == 0) {
				found = g;
				n++;
			}
		}
		if (n == 1)
			return found;
		if (n > 1) {
			reject(err, errlen, 0, N_("group id prefix '%s' "
			    "matches %zu groups: give more of it (see: balint "
			    "group list)"), sel, n);
			return NULL;
		}
	}
	/* The start of a name, letter case aside ("tues" for "Tuesday"). */
	n = 0;
	for (g = d->groups; g != NULL; g = g->next)
		if (g->contract != NULL &&
		    strncasecmp(g->contract->name, sel, len) == 0) {
			found = g;
			n++;
		}
	if (n == 1)
		return found;
	if (n > 1) {
		reject(err, errlen, 0, N_("'%s' starts the names of %zu "
		    "groups: give more of the name (see: balint group list)"),
		    sel, n);
		return NULL;
	}
	reject(err, errlen, 0,
	    N_("unknown group '%s' (see: balint group list)"),
	    sel);
	return NULL;
}

int
group_create(struct daemon *d, const char *text, size_t len,
    struct group **out, char *err, size_t errlen)
{
	struct contract *c = NULL;
	struct group *g = NULL;
	struct batch b;
	struct entry_header h;
	struct entry *e = NULL;
	uint8_t salt[CONTRACT_SALT_BYTES], gid[BAL_GROUP_ID_BYTES];
	uint8_t *key = NULL, *cenc = NULL, *env = NULL, *body = NULL;
	uint8_t *blob = NULL;
	size_t clen = 0, envlen = 0, bodylen = 0, bloblen = 0;
	char why[256];
	int ret, began = 0;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&b, 0, sizeof(b));
	bal_random(NULL, salt, sizeof(salt));
	if ((ret = contract_parse(text, len, d->id->pk, daemon_now_ms(), salt,
	    &c, err, errlen)) != 0)
		goto out;
	if ((ret = contract_encode(c, &cenc, &clen)) != 0 ||
	    (ret = contract_group_id(c, gid)) != 0) {
		reject(err, errlen, 0, N_("cannot encode the contract: %s"),
		    bal_strerror(ret));
		goto out;
	}
	if (group_find(d, gid) != NULL) {
		ret = reject(err, errlen, BAL_EEXIST, N_("this group exists "
		    "already"));
		goto out;
	}
	/* Epoch 0's key, sealed to the founder alone. */
	if ((ret = epoch_key_new(NULL, &key)) != 0 ||
	    (ret = epoch_seal(key, 0, gid,
	    (const uint8_t (*)[BAL_PK_BYTES])d->id->pk, 1, NULL, &env,
	    &envlen)) != 0)
		goto out;
	if ((ret = roster_encode_create(cenc, clen, d->name, env, envlen,
	    &body, &bodylen)) != 0) {
		reject(err, errlen, 0, N_("cannot write the roster: %s (is "
		    "this member's name set?)"), bal_strerror(ret));
		goto out;
	}
	if ((g = group_alloc(d, gid)) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	group_batch_init(&b, g, 1);
	if ((ret = entry_header_next(&h, gid, d->id->pk, NULL, 0)) != 0)
		goto out;
	h.kind = ENTRY_KIND_ROSTER;
	h.epoch = 0;
	h.time = daemon_now_ms();
	if ((ret = entry_seal(&h, d->id, NULL, body, bodylen, NULL, &e)) != 0 ||
	    (ret = entry_encode(e, &blob, &bloblen)) != 0)
		goto out;
	if ((ret = store_begin(d->store)) != 0)
		goto out;
	began = 1;
	if ((ret = group_batch_process(&b, e, blob, bloblen, why,
	    sizeof(why))) != 0) {
		if (ret > 0)
			ret = BAL_EEXIST;
		reject(err, errlen, 0, N_("cannot found the group: %s"), why);
		goto out;
	}
	if ((ret = group_batch_commit(&b)) != 0)
		goto out;
	began = 0;
	group_link(d, g);
	*out = g;
	group_emit_entry(g, blob, bloblen, NULL);
	group_emit_roster(g);
	g = NULL;
out:
	if (began)
		store_rollback(d->store);
	if (ret != 0 && err != NULL && errlen > 0 && err[0] == '\0')
		reject(err, errlen, 0, N_("cannot found the group: %s"),
		    bal_strerror(ret));
	group_batch_free(&b);
	group_free(g);
	contract_free(c);
	epoch_key_free(key);
	free(cenc);
	free(env);
	free(body);
	free(blob);
	entry_free(e);
	sodium_memzero(salt, sizeof(salt));
	return ret;
}

int
group_append(struct group *g, int kind, const uint8_t *plain, size_t len,
    struct entry **out)
{
	struct daemon *d;
	struct batch b;
	struct entry_header h;
	struct entry head, *e = NULL;
	const uint8_t *key = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	char why[256], hex[2 * BAL_GROUP_ID_BYTES + 1];
	uint64_t epoch = 0;
	int has, ret, began = 0;

	if (out != NULL)
		*out = NULL;
	if (g == NULL || (plain == NULL && len > 0) ||
	    kind < ENTRY_KIND_NOTE || kind > ENTRY_KIND_ANNOUNCE)
		return BAL_EINVAL;
	d = g->d;
	if (g->roster == NULL)
		return BAL_ESTATE;
	if (!roster_is_active(g->roster, d->id->pk))
		return BAL_EPERM;
	/* Our log forked: the others hold another branch and skip ours. */
	if (g->own_fork != 0)
		return BAL_ECHAIN;
	if (kind == ENTRY_KIND_NOTE) {
		if (g->roster->write_epoch == ROSTER_NO_EPOCH)
			return BAL_ESTATE;
		epoch = g->roster->epochs[g->roster->write_epoch].id;
		if ((key = group_batch_key(g, NULL, epoch)) == NULL)
			return BAL_ENOENT;
	}
	group_batch_init(&b, g, 1);
	why[0] = '\0';
	if ((ret = store_begin(d->store)) != 0)
		goto out;
	began = 1;
	if ((ret = group_batch_head(g, d->id->pk, &head, &has)) != 0 ||
	    (ret = entry_header_next(&h, g->id, d->id->pk, has ? &head : NULL,
	    g->lamport)) != 0)
		goto out;
	h.kind = (uint8_t)kind;
	h.epoch = epoch;
	h.time = daemon_now_ms();
	if ((ret = entry_seal(&h, d->id, key, plain, len, NULL, &e)) != 0 ||
	    (ret = entry_encode(e, &blob, &bloblen)) != 0)
		goto out;
	if ((ret = group_batch_process(&b, e, blob, bloblen, why,
	    sizeof(why))) != 0) {
		if (ret > 0)
			ret = BAL_ECHAIN;	/* cannot happen: a new seq */
		goto out;
	}
	if ((ret = group_batch_commit(&b)) != 0)
		goto out;
	began = 0;
	group_emit_entry(g, blob, bloblen, NULL);
	if (b.roster_changed)
		group_emit_roster(g);
	if (out != NULL) {
		*out = e;
		e = NULL;
	}
out:
	if (began)
		store_rollback(d->store);
	if (ret != 0) {
		gid_hex(g->id, hex);
		daemon_log("group %.8s: cannot write a kind-%d entry: %s", hex,
		    kind, why[0] != '\0' ? why : bal_strerror(ret));
	}
	group_batch_free(&b);
	entry_free(e);
	free(blob);
	return ret;
}

int
group_announce(struct group *g, const char *const *addrs, size_t n)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	uint8_t *body = NULL;
	size_t len = 0, i;
	int ret = BAL_EINVAL;

	if (g == NULL || addrs == NULL || n < 1 || n > GROUP_ANNOUNCE_MAX)
		return BAL_EINVAL;
	for (i = 0; i < n; i++)
		if (addrs[i] == NULL ||
		    !group_batch_addr_ok(addrs[i], strlen(addrs[i])))
			return BAL_EINVAL;
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, 2) != 0 ||
	    msgpack_pack_uint8(&pk, GROUP_ANNOUNCE_VERSION) != 0 ||
	    msgpack_pack_array(&pk, (uint32_t)n) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (mp_pack_cstr(&pk, addrs[i]) != 0)
			goto out;
	if ((ret = mp_sbuf_take(&sbuf, &body, &len)) != 0)
		goto out;
	ret = group_append(g, ENTRY_KIND_ANNOUNCE, body, len, NULL);
out:
	msgpack_sbuffer_destroy(&sbuf);
	free(body);
	return ret;
}
