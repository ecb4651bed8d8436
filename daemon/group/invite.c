/*
 * invite.c — the state of one-time invites (see invite.h and
 * docs/protocol.md §Invites): making them, the open ones the listener
 * accepts, and the checks and roster ADD that admit a newcomer.  The join
 * conversation on a connection, both sides, is the network's
 * (daemon/net/join.c).
 *
 * The inviter keeps each invite in the store keyed by BLAKE2b-256 of its
 * secret, the secret (and the bound name) sealed with keyring_seal
 * (purpose "invite-secret", ad = group id || hash).  Its listener accepts
 * the invite's network key while the invite is open; invites used by this
 * process stay reachable (in memory) so that a reused code gets a clear
 * refusal instead of silence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "contract.h"
#include "daemon.h"
#include "entry.h"
#include "epoch.h"
#include "group.h"
#include "invcode.h"
#include "invite.h"
#include "joinmsg.h"
#include "roster.h"
#include "shs.h"
#include "store.h"

_Static_assert(INVCODE_MAX_ADDR == WIRE_MAX_ADDR, "an invite's addresses "
    "are announced and dialed as any other");

#define INVITE_PURPOSE "invite-secret"
/* Domain string of the hash that names an invite in the store (no NUL). */
#define INVITE_HASH_DOMAIN "balint-invite-hash-v2"
#define INVITE_USED_MAX 64
/* The flags byte sealed with the secret: hold the newcomer for admit. */
#define INVITE_FLAG_CONFIRM 0x01

/* The invites used by this process (d->invites), a ring. */
struct invites {
	struct invite_open used[INVITE_USED_MAX];
	size_t nused;
	size_t usednext;
};

/* See invite.h. */
void
invite_expiry_text(uint64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M UTC", &tm);
}

static void
invite_ad(const uint8_t *group, const uint8_t *hash, uint8_t ad[64])
{
	memcpy(ad, group, 32);
	memcpy(ad + 32, hash, 32);
}

/* ---- creating ---- */

int
invite_create(struct daemon *d, struct group *g, const char *name,
    int confirm, uint64_t expires_s, const char (*addrs)[WIRE_MAX_ADDR + 1],
    size_t naddrs, char **code, char *err, size_t errlen)
{
	struct invcode *ic = NULL;
	crypto_generichash_state st;
	uint8_t hash[BAL_HASH_BYTES], ad[64], *plain = NULL, *sealed = NULL;
	size_t nlen = name != NULL ? strlen(name) : 0, plen, slen;
	int ret = BAL_EPERM;

	*code = NULL;
	if (g->roster == NULL || !roster_is_leader(g->roster, d->id->pk)) {
		snprintf(err, errlen, N_("only a leader of %s can invite"),
		    group_name(g));
		goto out;
	}
	if (g->own_fork != 0) {
		ret = BAL_ECHAIN;
		snprintf(err, errlen, N_("cannot invite: %s"),
		    group_write_error(g, ret));
		goto out;
	}
	ret = BAL_EINVAL;
	if (nlen > INVCODE_NAME_MAX) {
		snprintf(err, errlen, N_("the name is too long (at most %d bytes)"),
		    INVCODE_NAME_MAX);
		goto out;
	}
	if (expires_s == 0)
		expires_s = INVITE_DEFAULT_EXPIRY_S;
	ret = BAL_ENOMEM;
	if ((ic = sodium_malloc(sizeof(*ic))) == NULL)
		goto out;
	memset(ic, 0, sizeof(*ic));
	memcpy(ic->group, g->id, BAL_GROUP_ID_BYTES);
	memcpy(ic->inviter, d->id->pk, BAL_PK_BYTES);
	for (ic->naddrs = 0; ic->naddrs < naddrs &&
	    ic->naddrs < INVCODE_MAX_ADDRS; ic->naddrs++)
		memcpy(ic->addrs[ic->naddrs], addrs[ic->naddrs],
		    sizeof(ic->addrs[0]));
	if (ic->naddrs == 0) {
		ret = BAL_ESTATE;
		snprintf(err, errlen, N_("this daemon has no address to put in "
		    "an invite; restart balintd with --listen HOST:PORT"));
		goto out;
	}
	ic->expires_ms = daemon_now_ms() + expires_s * 1000;
	randombytes_buf(ic->secret, sizeof(ic->secret));
	if (nlen > 0)
		memcpy(ic->name, name, nlen);
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	crypto_generichash_update(&st, (const uint8_t *)INVITE_HASH_DOMAIN,
	    strlen(INVITE_HASH_DOMAIN));
	crypto_generichash_update(&st, ic->secret, sizeof(ic->secret));
	crypto_generichash_final(&st, hash, sizeof(hash));
	/* secret || flags || bound name (docs/protocol.md, Invite codes) */
	plen = BAL_KEY_BYTES + 1 + nlen;
	slen = plen + KEYRING_OVERHEAD;
	if ((plain = sodium_malloc(plen)) == NULL ||
	    (sealed = malloc(slen)) == NULL)
		goto out;
	memcpy(plain, ic->secret, BAL_KEY_BYTES);
	plain[BAL_KEY_BYTES] = confirm ? INVITE_FLAG_CONFIRM : 0;
	if (nlen > 0)
		memcpy(plain + BAL_KEY_BYTES + 1, name, nlen);
	invite_ad(g->id, hash, ad);
	if ((ret = keyring_seal(d->id, INVITE_PURPOSE, ad, sizeof(ad), plain,
	    plen, NULL, sealed, slen)) != 0)
		goto out;
	if ((ret = invcode_encode(ic, code)) != 0) {
		snprintf(err, errlen, N_("cannot make the invite (%s)"),
		    bal_strerror(ret));
		goto out;
	}
	if ((ret = store_invite_put(d->store, g->id, hash, ic->expires_ms,
	    sealed, slen)) != 0) {
		snprintf(err, errlen, N_("cannot store the invite (%s)"),
		    bal_strerror(ret));
		sodium_memzero(*code, strlen(*code));
		free(*code);
		*code = NULL;
		goto out;
	}
	/* The listener accepts its network key from now on. */
	group_emit_keys(d);
	daemon_log("invite made for group %s%s%s%s", group_name(g),
	    nlen ? ", bound to " : "", nlen ? name : "", confirm ?
	    ", to be confirmed (balint admit)" : "");
	ret = 0;
out:
	sodium_free(ic);
	sodium_free(plain);
	free(sealed);
	return ret;
}

/* ---- the listener's side ---- */

struct open_fill {
	struct daemon *d;
	struct invite_open *out;
	size_t max, n;
};

/* Opens one sealed invite into *inv (network key and bound name). */
static int
invite_unseal(struct daemon *d, const uint8_t *group, const uint8_t *hash,
    uint64_t expires_ms, const uint8_t *sealed, size_t len,
    struct invite_open *inv)
{
	uint8_t ad[64], *plain = NULL;
	size_t plen, nlen;
	int ret = BAL_EPROTO;

	if (len < KEYRING_OVERHEAD + BAL_KEY_BYTES + 1 ||
	    len > KEYRING_OVERHEAD + BAL_KEY_BYTES + 1 + INVCODE_NAME_MAX)
		return ret;
	plen = len - KEYRING_OVERHEAD;
	if ((plain = sodium_malloc(plen)) == NULL)
		return BAL_ENOMEM;
	invite_ad(group, hash, ad);
	if ((ret = keyring_open(d->id, INVITE_PURPOSE, ad, sizeof(ad), sealed,
	    len, plain, plen)) != 0)
		goto out;
	memset(inv, 0, sizeof(*inv));
	memcpy(inv->group, group, 32);
	memcpy(inv->hash, hash, 32);
	inv->expires_ms = expires_ms;
	inv->confirm = (plain[BAL_KEY_BYTES] & INVITE_FLAG_CONFIRM) != 0;
	nlen = plen - BAL_KEY_BYTES - 1;
	memcpy(inv->name, plain + BAL_KEY_BYTES + 1, nlen);
	inv->name[nlen] = '\0';
	ret = shs_invite_network_key(plain, group, inv->netkey);
out:
	sodium_free(plain);
	return ret;
}

static int
open_cb(void *ctx, const uint8_t *group, const uint8_t *hash,
    uint64_t expires_ms, const uint8_t *sealed, size_t len)
{
	struct open_fill *of = ctx;
	struct group *g;

	if (of->n >= of->max)
		return 1;
	if ((g = group_find(of->d, group)) == NULL || g->roster == NULL)
		return 0;
	if (invite_unseal(of->d, group, hash, expires_ms, sealed, len,
	    &of->out[of->n]) == 0)
		of->n++;
	return 0;
}

int
invite_open_list(struct daemon *d, struct invite_open *out, size_t max,
    size_t *n)
{
	struct open_fill of;
	struct invites *is = d->invites;
	size_t i;
	int rc;

	of.d = d;
	of.out = out;
	of.max = max;
	of.n = 0;
	rc = store_invite_each(d->store, daemon_now_ms(), open_cb, &of);
	/* Used ones stay reachable, to be told so. */
	if (is != NULL)
		for (i = 0; i < is->nused && of.n < max; i++)
			out[of.n++] = is->used[i];
	*n = of.n;
	return rc < 0 ? rc : 0;
}

static void
remember_used(struct daemon *d, const struct invite_open *inv)
{
	struct invites *is = d->invites;

	if (is == NULL && (is = d->invites = calloc(1, sizeof(*is))) == NULL)
		return;
	is->used[is->usednext] = *inv;
	is->usednext = (is->usednext + 1) % INVITE_USED_MAX;
	if (is->nused < INVITE_USED_MAX)
		is->nused++;
}

static int
is_used(struct daemon *d, const uint8_t *hash)
{
	struct invites *is = d->invites;
	size_t i;

	for (i = 0; is != NULL && i < is->nused; i++)
		if (memcmp(is->used[i].hash, hash, 32) == 0)
			return 1;
	/* After a restart the ring is empty: the store remembers. */
	return store_invite_used(d->store, hash) == 1;
}

/* See invite.h. */
int
invite_add_member(struct group *g, const uint8_t *pk, const char *name,
    const uint8_t *sig)
{
	const struct roster *r = g->roster;
	uint8_t (*rcpt)[BAL_PK_BYTES] = NULL, *key = NULL;
	uint8_t *env = NULL, *hist = NULL, *body = NULL;
	size_t envlen = 0, histlen = 0, bodylen = 0, n = 0, i;
	struct epoch_history_key *hk = NULL;
	int ret = BAL_ENOMEM;

	if ((rcpt = calloc(r->nmembers + 1, sizeof(*rcpt))) == NULL)
		goto out;
	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].status == ROSTER_ACTIVE)
			memcpy(rcpt[n++], r->members[i].pk, BAL_PK_BYTES);
	memcpy(rcpt[n++], pk, BAL_PK_BYTES);
	if ((ret = epoch_key_new(NULL, &key)) != 0 ||
	    (ret = epoch_seal(key, 0, g->id,
	    (const uint8_t (*)[BAL_PK_BYTES])rcpt,
	    n, NULL, &env, &envlen)) != 0)
		goto out;
	if (g->contract != NULL &&
	    g->contract->history == CONTRACT_HISTORY_FULL && g->nkeys > 0) {
		ret = BAL_ENOMEM;
		if ((hk = calloc(g->nkeys, sizeof(*hk))) == NULL)
			goto out;
		for (i = 0; i < g->nkeys && i < EPOCH_HISTORY_MAX; i++) {
			hk[i].id = g->keys[i].epoch;
			hk[i].key = g->keys[i].key;
		}
		if ((ret = epoch_history_seal(hk, i, g->id, pk, NULL, &hist,
		    &histlen)) != 0)
			goto out;
	}
	if ((ret = roster_encode_add(pk, name, sig, NULL, env, envlen, hist,
	    histlen, &body, &bodylen)) != 0)
		goto out;
	ret = group_append(g, ENTRY_KIND_ROSTER, body, bodylen, NULL);
out:
	epoch_key_free(key);
	free(rcpt);
	free(env);
	free(hist);
	free(hk);
	free(body);
	return ret;
}

/* See invite.h. */
struct group *
invite_hello(struct daemon *d, const struct invite_open *inv,
    const uint8_t *group, char *refuse, size_t refuselen)
{
	struct group *g = group_find(d, inv->group);

	if (memcmp(group, inv->group, 32) != 0 || g == NULL ||
	    g->roster == NULL) {
		snprintf(refuse, refuselen, N_("wrong group for this invite"));
		return NULL;
	}
	if (is_used(d, inv->hash)) {
		snprintf(refuse, refuselen, N_("this invite was already used"));
		return NULL;
	}
	return g;
}

/*
 * A newcomer gave a name the invite is not bound to.  Whoever holds the
 * code learns nothing of the binding (not the name, which they could
 * then take): the refusal is the same whatever the bound name, and each
 * one is counted; the INVITE_TRIES_MAX-th spends the code.  The inviter's
 * log tells both names.
 */
static void
refuse_name(struct daemon *d, const struct group *g,
    const struct invite_open *inv, const char *name, char *refuse,
    size_t refuselen)
{
	unsigned fails = INVITE_TRIES_MAX;
	int rc;

	rc = store_invite_fail(d->store, inv->hash, INVITE_TRIES_MAX, &fails);
	daemon_log("invite of group %s bound to '%s': '%s' refused (attempt "
	    "%u of %u%s)", group_name(g), inv->name, name, fails,
	    INVITE_TRIES_MAX, rc != 0 || fails >= INVITE_TRIES_MAX ?
	    ", the code is spent" : "");
	if (rc != 0 || fails >= INVITE_TRIES_MAX) {
		remember_used(d, inv);
		snprintf(refuse, refuselen, N_("the inviter did not admit you, "
		    "and this code can no longer be used; ask the inviter for "
		    "a new one"));
	} else
		snprintf(refuse, refuselen, N_("the inviter did not admit you "
		    "with this code (%u of %u attempts left); ask the "
		    "inviter"), INVITE_TRIES_MAX - fails, INVITE_TRIES_MAX);
}

/* See invite.h. */
struct group *
invite_check(struct daemon *d, const struct invite_open *inv,
    const uint8_t *pk, const char *name, const uint8_t *sig, char *refuse,
    size_t refuselen)
{
	struct group *g = group_find(d, inv->group);

	if (g == NULL || g->roster == NULL) {
		snprintf(refuse, refuselen, N_("the inviter no longer holds this "
		    "group"));
		return NULL;
	}
	if (is_used(d, inv->hash)) {
		snprintf(refuse, refuselen, N_("this invite was already used"));
		return NULL;
	}
	if (inv->name[0] != '\0' && strcmp(inv->name, name) != 0) {
		refuse_name(d, g, inv, name, refuse, refuselen);
		return NULL;
	}
	if (contract_accept_verify(pk, g->id, name, sig) != 0) {
		snprintf(refuse, refuselen, N_("the acceptance signature does "
		    "not verify"));
		return NULL;
	}
	if (roster_is_active(g->roster, pk)) {
		snprintf(refuse, refuselen, N_("already a member of this group"));
		return NULL;
	}
	if (roster_member_find(g->roster, pk) != NULL) {
		snprintf(refuse, refuselen, N_("this member was removed from the "
		    "group; readmission is not supported yet"));
		return NULL;
	}
	return g;
}

/* See invite.h. */
void
invite_refuse(struct daemon *d, const struct invite_open *inv)
{
	unsigned fails = 0;

	/* One more refusal than the tries left: spent (used = 2). */
	(void)store_invite_fail(d->store, inv->hash, 1, &fails);
	remember_used(d, inv);
}

/* See invite.h. */
struct group *
invite_admit(struct daemon *d, const struct invite_open *inv,
    const uint8_t *pk, const char *name, const uint8_t *sig, char *refuse,
    size_t refuselen)
{
	struct group *g;
	char date[64];
	int rc;

	if ((g = invite_check(d, inv, pk, name, sig, refuse, refuselen)) ==
	    NULL)
		return NULL;
	rc = store_invite_take(d->store, inv->hash, daemon_now_ms());
	if (rc == BAL_EEXIST || rc == BAL_ENOENT) {
		snprintf(refuse, refuselen, N_("this invite was already used"));
		return NULL;
	}
	if (rc == BAL_EEXPIRED) {
		invite_expiry_text(inv->expires_ms, date, sizeof(date));
		snprintf(refuse, refuselen, N_("this invite expired on %s"), date);
		return NULL;
	}
	if (rc != 0) {
		snprintf(refuse, refuselen, N_("the inviter cannot use its store"));
		return NULL;
	}
	remember_used(d, inv);
	if ((rc = invite_add_member(g, pk, name, sig)) != 0) {
		snprintf(refuse, refuselen, N_("the inviter cannot add you (%s)"),
		    group_write_error(g, rc));
		return NULL;
	}
	daemon_log("'%s' joined group %s", name, group_name(g));
	return g;
}

/* See invite.h. */
int
invite_join_complete(struct daemon *d, const struct group *g)
{
	const struct roster *r = g->roster;
	uint64_t id;
	size_t i;

	if (r == NULL || !roster_is_active(r, d->id->pk) ||
	    r->write_epoch == ROSTER_NO_EPOCH)
		return 0;
	id = r->epochs[r->write_epoch].id;
	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].epoch == id)
			return 1;
	return 0;
}

/* See invite.h. */
void
invite_free_all(struct daemon *d)
{
	if (d->invites == NULL)
		return;
	sodium_memzero(d->invites, sizeof(*d->invites));
	free(d->invites);
	d->invites = NULL;
}
