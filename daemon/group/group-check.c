/*
 * group-check.c — one decoded entry checked against the group, by kind
 * (group-int.h): a note against the epochs and keys (and, readable, the
 * author's own earlier versions), a roster operation against what its
 * author may do, an announce's body.  Nothing here writes: the checks read
 * the batch's roster and what the store holds, and group_batch_process
 * stores what passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "daemon.h"
#include "group-int.h"
#include "mp.h"
#include "wire.h"

/*
 * May author make a leader's roster operation: a leader of the roster as
 * folded so far, or of the group's CREATE?  (Leaders of a later contract
 * version come with the AMEND that names them, which sorts first; a leader
 * an AMEND dropped may have written concurrently, and the fold decides.)
 */
static int
may_lead(const struct batch *b, const uint8_t *author)
{
	const struct roster *r = group_batch_roster(b);
	size_t i;

	for (i = 0; r != NULL && i < r->nleaders; i++)
		if (memcmp(r->leaders[i], author, BAL_PK_BYTES) == 0)
			return 1;
	for (i = 0; i < b->rl.nleaders; i++)
		if (memcmp(b->rl.leaders[i], author, BAL_PK_BYTES) == 0)
			return 1;
	return 0;
}

/*
 * Decodes an announce body [1, [address str...]] into addrs.  Another
 * version is BAL_EVERSION (kept in the log, ignored here).
 */
int
group_check_announce(const uint8_t *body, size_t len,
    char addrs[GROUP_ANNOUNCE_MAX][WIRE_MAX_ADDR + 1], size_t *n)
{
	struct mp_doc doc;
	struct mp_rd rd, sub;
	const char *s;
	size_t slen;
	uint64_t v;
	int ret;

	*n = 0;
	memset(&doc, 0, sizeof(doc));
	if ((ret = mp_doc_parse(&doc, body, len)) != 0)
		goto out;
	if ((ret = mp_rd_array(&rd, mp_doc_root(&doc), 1, 16)) != 0 ||
	    (ret = mp_rd_uint(&rd, UINT32_MAX, &v)) != 0)
		goto out;
	if (v != GROUP_ANNOUNCE_VERSION) {
		ret = BAL_EVERSION;
		goto out;
	}
	if ((ret = mp_rd_sub(&rd, 1, GROUP_ANNOUNCE_MAX, &sub)) != 0)
		goto out;
	while (mp_rd_left(&sub) > 0) {
		if ((ret = mp_rd_str(&sub, 1, WIRE_MAX_ADDR, &s, &slen)) != 0)
			goto out;
		if (!group_batch_addr_ok(s, slen)) {
			ret = BAL_EPROTO;
			goto out;
		}
		memcpy(addrs[*n], s, slen);
		addrs[*n][slen] = '\0';
		(*n)++;
	}
	if ((ret = mp_rd_end(&sub)) != 0 || (ret = mp_rd_end(&rd)) != 0)
		goto out;
	ret = 0;
out:
	mp_doc_free(&doc);
	if (ret != 0)
		*n = 0;
	return ret;
}

/*
 * Kind 1: the epoch is known; what this member can read must be sound.
 * A failure that needs the epoch key to see sets *unreadable (members
 * without the key store such an entry; group_unreadable_skip).
 */
int
group_check_note(struct batch *b, const struct entry *e, struct note **note,
    int *unreadable, char *why, size_t whylen)
{
	struct group *g = b->g;
	const uint8_t *key;
	uint8_t *plain;
	size_t plen = 0;
	struct nrec r;
	int ret;

	*note = NULL;
	*unreadable = 0;
	if (roster_epoch_find(group_batch_roster(b), e->h.epoch) == NULL) {
		b->again = 1;	/* its roster entry may come later */
		return reject(why, whylen, BAL_ENOENT,
		    "unknown epoch %llu", (unsigned long long)e->h.epoch);
	}
	if (entry_is_erased(e) ||
	    (key = group_batch_key(g, b, e->h.epoch)) == NULL)
		return 0;
	*unreadable = 1;
	if ((plain = group_batch_plain(g, entry_plain_len(e))) == NULL)
		return BAL_ENOMEM;
	if (entry_open_buf(e, key, plain, g->plain_cap, &plen) != 0)
		return reject(why, whylen, BAL_ECRYPTO,
		    "the note does not decrypt under its epoch key");
	ret = note_decode(plain, plen, note);
	sodium_memzero(plain, plen);
	if (ret != 0)
		return reject(why, whylen, BAL_EPROTO,
		    "the ciphertext holds no valid note");
	if (!(*note)->has_supersedes) {
		/* A first version: of a note id bound to its author. */
		if (note_id_is_authors((*note)->id, e->h.author))
			return 0;
		ret = reject(why, whylen, BAL_EPERM, "the first "
		    "version of a note id that is not the author's");
		goto out;
	}
	/* Only the author of a note supersedes it: look in their own log. */
	ret = group_notes_find(g, b, e->h.author, (*note)->supersedes, &r);
	if (ret == BAL_ENOENT)
		ret = reject(why, whylen, BAL_EPERM, "supersedes "
		    "an entry that is not one of the author's notes");
	else if (ret == 0 && r.note != NULL && memcmp(r.note->id,
	    (*note)->id, NOTE_ID_BYTES) != 0)
		ret = reject(why, whylen, BAL_EPERM,
		    "supersedes a version of another note");
	else if (ret != 0)
		*unreadable = 0;	/* the store failed, not the entry */
	note_free(r.note);
	sodium_memzero(&r, sizeof(r));
out:
	if (ret != 0) {
		note_free(*note);
		*note = NULL;
	}
	return ret;
}

/* Kind 2: a well-formed operation; CREATE only of this group, once. */
int
group_check_roster(struct batch *b, const struct entry *e,
    struct roster_op **op, struct contract **created, char *why,
    size_t whylen)
{
	struct group *g = b->g;
	uint8_t h[BAL_HASH_BYTES];
	int ret;

	*op = NULL;
	*created = NULL;
	if (entry_is_erased(e))
		return reject(why, whylen, BAL_EPROTO,
		    "a roster entry without its body");
	if (roster_op_decode(e->body, e->bodylen, op) != 0)
		return reject(why, whylen, BAL_EPROTO,
		    "malformed roster operation");
	if ((*op)->type == ROSTER_OP_CREATE) {
		if (group_batch_roster(b) != NULL || b->rl.nleaders > 0)
			return reject(why, whylen, BAL_EPERM,
			    "CREATE of a group that exists");
		roster_contract_hash((*op)->contract, (*op)->contract_len, h);
		if (sodium_memcmp(h, g->id, BAL_HASH_BYTES) != 0)
			return reject(why, whylen, BAL_EPERM,
			    "CREATE with another group's contract");
		if (contract_decode((*op)->contract, (*op)->contract_len,
		    created) != 0)
			return reject(why, whylen, BAL_EPROTO,
			    "CREATE with a malformed contract");
		/* The founder wrote the first version: leaders[0]. */
		if (memcmp((*created)->leaders[0], e->h.author,
		    BAL_PK_BYTES) != 0)
			return reject(why, whylen, BAL_EPERM,
			    "CREATE by someone other than the founder");
		return 0;
	}
	/* (A CREATE stored in this batch and not yet folded will do.) */
	if (group_batch_roster(b) == NULL && b->rl.nleaders == 0) {
		b->again = 1;
		return reject(why, whylen, BAL_EPERM,
		    "roster operation before the group's CREATE");
	}
	/* What no fold would take from this author is not stored. */
	if ((*op)->type == ROSTER_OP_LEAVE && (*op)->cut != e->h.seq)
		return reject(why, whylen, BAL_EPERM,
		    "a LEAVE whose cut is not its own seq");
	if ((*op)->type != ROSTER_OP_LEAVE) {
		if ((ret = group_rlog_leaders_load(b)) != 0)
			return ret;
		if (!may_lead(b, e->h.author)) {
			b->again = b->rl_dirty;	/* a fold due may make them */
			return reject(why, whylen, BAL_EPERM,
			    "a roster operation only a leader may make, by a "
			    "member who is no leader");
		}
	}
	if ((*op)->type == ROSTER_OP_ADD && (ret = contract_accept_verify(
	    (*op)->member, g->id, (*op)->name, (*op)->accept_sig)) != 0)
		return reject(why, whylen, BAL_EPERM,
		    "ADD without the newcomer's valid acceptance");
	return 0;
}

