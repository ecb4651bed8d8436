/*
 * group-limits.c — per-author limits (group-int.h; docs/protocol.md,
 * "Per-author limits").
 *
 * What one author's log may hold in a group: entries and bytes per day
 * (by the UTC day of each entry's own header time) and in all.  The
 * defaults are far above what a real group writes (a member of a weekly
 * group writes tens of entries a week, not a thousand a day) and bound
 * what one member's modified software can make every other member store.
 *
 * Counts are of the author's log as stored, which every member holds as the
 * same prefix in seq order, so members refuse the same entry: the first
 * over a limit.  Such an entry is skipped like an entry that does not
 * open (group_unreadable_skip): not stored, the author's log held there,
 * logged once and counted in status.  Roster entries are not refused here:
 * only leaders write them beyond one LEAVE (group-check.c), and a leader's
 * revocation must never wait on a quota.  Bytes count the entries as
 * stored, so a member that erased more (a tombstone it could read) may
 * hold a flooding author's log a little further than another.
 *
 * BALINT_AUTHOR_LIMITS="E,B,TE,TB" (entries a day, bytes a day, entries,
 * bytes) replaces the defaults, for tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "group-int.h"
#include "store.h"

#define DAY_MS (24ull * 3600 * 1000)

static struct group_limits limits = {
	GROUP_LIMIT_DAY_ENTRIES, GROUP_LIMIT_DAY_BYTES,
	GROUP_LIMIT_ENTRIES, GROUP_LIMIT_BYTES
};
static int limits_read;

void
group_limits_reload(void)
{
	limits_read = 0;
	limits.day_entries = GROUP_LIMIT_DAY_ENTRIES;
	limits.day_bytes = GROUP_LIMIT_DAY_BYTES;
	limits.entries = GROUP_LIMIT_ENTRIES;
	limits.bytes = GROUP_LIMIT_BYTES;
}

const struct group_limits *
group_limits(void)
{
	unsigned long long v[4];
	const char *s;

	if (!limits_read) {
		limits_read = 1;
		if ((s = getenv("BALINT_AUTHOR_LIMITS")) != NULL &&
		    sscanf(s, "%llu,%llu,%llu,%llu", &v[0], &v[1], &v[2],
		    &v[3]) == 4) {
			limits.day_entries = v[0];
			limits.day_bytes = v[1];
			limits.entries = v[2];
			limits.bytes = v[3];
		}
	}
	return &limits;
}

/* Reads what author's log holds, for the day of time, into u. */
int
group_limits_load(struct group *g, const uint8_t *author, uint64_t time,
    struct group_use *u)
{
	struct store_use su;
	int ret;

	u->day = time / DAY_MS;
	if ((ret = store_author_use(g->d->store, g->id, author,
	    u->day * DAY_MS, (u->day + 1) * DAY_MS, &su)) != 0)
		return ret;
	u->entries = su.entries;
	u->bytes = su.bytes;
	u->day_entries = su.day_entries;
	u->day_bytes = su.day_bytes;
	u->loaded = 1;
	return 0;
}

int
group_limits_check(const struct group_use *u, uint64_t time, size_t len,
    char *why, size_t whylen)
{
	const struct group_limits *l = group_limits();

	if (u->entries + 1 > l->entries)
		return reject(why, whylen, BAL_ETOOBIG, "over the "
		    "limit of %llu entries per author",
		    (unsigned long long)l->entries);
	if (u->bytes + len > l->bytes)
		return reject(why, whylen, BAL_ETOOBIG, "over the "
		    "limit of %llu bytes per author",
		    (unsigned long long)l->bytes);
	if (time / DAY_MS != u->day)
		return 0;	/* (the caller loads the entry's day first) */
	if (u->day_entries + 1 > l->day_entries)
		return reject(why, whylen, BAL_ETOOBIG, "over the "
		    "limit of %llu entries per author and day",
		    (unsigned long long)l->day_entries);
	if (u->day_bytes + len > l->day_bytes)
		return reject(why, whylen, BAL_ETOOBIG, "over the "
		    "limit of %llu bytes per author and day",
		    (unsigned long long)l->day_bytes);
	return 0;
}

void
group_limits_add(struct group_use *u, uint64_t time, size_t len)
{
	u->entries++;
	u->bytes += len;
	if (time / DAY_MS == u->day) {
		u->day_entries++;
		u->day_bytes += len;
	}
}
