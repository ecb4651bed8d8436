/*
 * group-lookup.c — small read-only lookups in a group's stored logs, for
 * the sync engine (see group.h).
 */
#include <string.h>

#include "daemon.h"
#include "group.h"
#include "store.h"

struct idcopy {
	uint64_t seq;
	uint8_t id[BAL_HASH_BYTES];
	int found;
};

static int
idcopy_cb(void *ctx, const struct store_entry_row *row)
{
	struct idcopy *c = ctx;

	c->found = row->seq == c->seq;
	memcpy(c->id, row->id, BAL_HASH_BYTES);
	return 1;
}

int
group_entry_id(struct group *g, const uint8_t author[BAL_PK_BYTES],
    uint64_t seq, uint8_t id[BAL_HASH_BYTES], uint64_t *head)
{
	struct idcopy c;
	uint64_t top;
	int ret;

	memset(id, 0, BAL_HASH_BYTES);
	if (head != NULL)
		*head = 0;
	if (g == NULL || author == NULL || seq == 0)
		return BAL_EINVAL;
	/* Mostly the run continues the head: one indexed lookup. */
	if ((ret = store_entry_head(g->d->store, g->id, author, &top,
	    id)) != 0)
		return ret;
	if (head != NULL)
		*head = top;
	if (seq == top)
		return 0;
	memset(id, 0, BAL_HASH_BYTES);
	if (seq > top)
		return BAL_ENOENT;
	memset(&c, 0, sizeof(c));
	c.seq = seq;
	if ((ret = store_entries_each(g->d->store, g->id, author, seq - 1, 1,
	    idcopy_cb, &c)) != 0)
		return ret;
	if (!c.found)
		return BAL_ENOENT;
	memcpy(id, c.id, BAL_HASH_BYTES);
	return 0;
}
