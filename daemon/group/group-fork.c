/*
 * group-fork.c — logs that have forked (docs/protocol.md "Forked logs").
 *
 * An author's log forks when two different entries, both signed by the
 * author, claim one place in it: a member's modified software sending
 * one branch to some members and another to others, or an honest member
 * whose profile was restored from an older copy (or runs on two machines)
 * and writes again from an old head.  No member can tell which branch is
 * right, so each keeps the one it holds and ignores the other: an entry
 * of the other branch is skipped like an entry beyond a removal cut,
 * without failing its batch, so that everything else keeps syncing (a
 * refused batch would end the session, every time, with every member who
 * holds the other branch).  The first skip of an author is logged; a fork
 * of this member's own log is also kept in the store (meta "forked:" and
 * the group id in hex) and refuses this member's further writes in the
 * group, since they would reach nobody.
 *
 * An entry that does not pass the checks only a holder of its epoch key
 * can make (it does not open, holds no valid note, supersedes what it may
 * not, or is the first version of a note id not its author's) is skipped
 * the same way: members without the key stored and relay it, so refusing
 * its batch would end every session with them, every time.  Its author
 * signed it, so the log is held here just before it.  So is an entry over
 * a per-author limit (group-limits.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "group-int.h"
#include "identity.h"
#include "store.h"

#define FORK_META "forked:"

static void
meta_key(const struct group *g, char key[sizeof(FORK_META) +
    2 * BAL_GROUP_ID_BYTES])
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1];

	gid_hex(g->id, hex);
	snprintf(key, sizeof(FORK_META) + 2 * BAL_GROUP_ID_BYTES, "%s%s",
	    FORK_META, hex);
}

int
group_fork_seen(const struct group *g, const uint8_t *author)
{
	size_t i;

	for (i = 0; i < g->nforks; i++)
		if (memcmp(g->forks[i].author, author, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

static void
fork_log(const struct group *g, const struct entry *e, int own)
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1], id[IDENTITY_ID_TEXT_BYTES];

	gid_hex(g->id, hex);
	if (own) {
		daemon_log("group %.8s: this member's own log has forked "
		    "(another entry of ours at seq %llu, held elsewhere): "
		    "this profile was restored from an older copy or also "
		    "runs on another machine; what is written here would "
		    "reach nobody, so writing in this group is refused",
		    hex, (unsigned long long)e->h.seq);
		return;
	}
	identity_id_encode(e->h.author, id);
	daemon_log("group %.8s: member %.12s signed two different entries "
	    "for one place of their log (found at seq %llu): the branch held "
	    "here is kept, the other ignored", hex, id,
	    (unsigned long long)e->h.seq);
}

/* Adds e's author to the logs held back (0), or BAL_ENOMEM. */
static int
held_add(struct group *g, const struct entry *e, int held)
{
	struct group_fork *f;

	if ((f = realloc(g->forks, (g->nforks + 1) * sizeof(*f))) == NULL)
		return BAL_ENOMEM;
	g->forks = f;
	memcpy(f[g->nforks].author, e->h.author, BAL_PK_BYTES);
	f[g->nforks].seq = e->h.seq;
	f[g->nforks++].held = held;
	return 0;
}

int
group_held_skip(struct batch *b, const struct entry *e, int held,
    const char *why)
{
	struct group *g = b->g;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], id[IDENTITY_ID_TEXT_BYTES];

	if (group_fork_seen(g, e->h.author))
		return 1;
	if (held_add(g, e, held) != 0)
		return BAL_ENOMEM;
	gid_hex(g->id, hex);
	identity_id_encode(e->h.author, id);
	daemon_log("group %.8s: member %.12s signed an entry (seq %llu) %s: "
	    "%s; it is not stored, and their log is held here up to seq %llu",
	    hex, id, (unsigned long long)e->h.seq, held == GROUP_HELD_LIMIT ?
	    "beyond what one member may store here" : "that this member "
	    "holds the key of and that does not pass", why,
	    (unsigned long long)e->h.seq - 1);
	return 1;
}

size_t
group_held_count(const struct group *g, int held)
{
	size_t i, n = 0;

	for (i = 0; i < g->nforks; i++)
		if (g->forks[i].held == held)
			n++;
	return n;
}

int
group_fork_skip(struct batch *b, const struct entry *e)
{
	struct group *g = b->g;
	char key[sizeof(FORK_META) + 2 * BAL_GROUP_ID_BYTES], val[24];
	int own = memcmp(e->h.author, g->d->id->pk, BAL_PK_BYTES) == 0;

	if (group_fork_seen(g, e->h.author))
		return 1;
	if (held_add(g, e, GROUP_HELD_FORK) != 0)
		return BAL_ENOMEM;
	if (own && g->own_fork == 0) {
		g->own_fork = e->h.seq;
		meta_key(g, key);
		snprintf(val, sizeof(val), "%llu",
		    (unsigned long long)e->h.seq);
		/* Inside the batch's transaction; memory holds it anyway. */
		(void)store_meta_put(g->d->store, key, val, strlen(val));
	}
	fork_log(g, e, own);
	return 1;
}

const char *
group_write_error(const struct group *g, int rc)
{
	if (rc == BAL_ECHAIN && g != NULL && g->own_fork != 0)
		return N_("your log in this group has forked: this profile "
		    "was restored from an older copy or also runs on another "
		    "machine, and the others hold another branch; see "
		    "\"Restoring a profile\" in the member guide");
	if (rc == BAL_ETOOBIG)
		return N_("you have written more in this group than the "
		    "others store of one member (the per-author limits: "
		    "1,000 entries or 32 MiB a day, 100,000 or 1 GiB in "
		    "all)");
	return bal_strerror(rc);
}

int
group_fork_load(struct group *g)
{
	char key[sizeof(FORK_META) + 2 * BAL_GROUP_ID_BYTES], val[24];
	uint8_t *v = NULL;
	size_t len = 0;
	int ret;

	meta_key(g, key);
	if ((ret = store_meta_get(g->d->store, key, &v, &len)) != 0)
		return ret == BAL_ENOENT ? 0 : ret;
	if (len > 0 && len < sizeof(val)) {
		memcpy(val, v, len);
		val[len] = '\0';
		g->own_fork = strtoull(val, NULL, 10);
	}
	free(v);
	return 0;
}
