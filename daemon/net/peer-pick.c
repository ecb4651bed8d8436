/*
 * peer-pick.c — the choice of dial targets among a group's stored
 * addresses (peer-pick.h).  No I/O: peer-dial.c gives it the candidates
 * and dials what it keeps.
 */
#include <stdlib.h>
#include <string.h>

#include "peer-pick.h"

/* Within one member: worked last first, typed first, announce order. */
static int
cand_cmp(const struct peer_cand *a, const struct peer_cand *b)
{
	if (a->ok_ms != b->ok_ms)
		return a->ok_ms > b->ok_ms ? -1 : 1;
	if (a->typed != b->typed)
		return a->typed ? -1 : 1;
	if (a->ord != b->ord)
		return a->ord < b->ord ? -1 : 1;
	return strcmp(a->addr, b->addr);
}

/* Typed first; then by member; within a member by cand_cmp. */
static int
member_order(const void *pa, const void *pb)
{
	const struct peer_cand *a = pa, *b = pb;
	int rc;

	if (a->typed != b->typed)
		return a->typed ? -1 : 1;
	if (a->has_member != b->has_member)
		return a->has_member ? 1 : -1;
	if (a->has_member && (rc = memcmp(a->member, b->member,
	    BAL_PK_BYTES)) != 0)
		return rc;
	return cand_cmp(a, b);
}

/* Rounds: rank first, then the member's best ok_ms, then the member. */
struct slot {
	size_t i;		/* index into the sorted candidates */
	unsigned rank;
	uint64_t best;		/* its member's best ok_ms */
	const uint8_t *member;
};

static int
round_order(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->best != b->best)
		return a->best > b->best ? -1 : 1;
	return memcmp(a->member, b->member, BAL_PK_BYTES);
}

size_t
peer_pick(struct peer_cand *c, size_t n, size_t max, size_t per_member)
{
	struct peer_cand *tmp = NULL;
	struct slot *slots = NULL;
	size_t i, j, ntyped = 0, nslots = 0, out, start;
	uint64_t best = 0;
	unsigned rank = 0;

	if (n == 0)
		return 0;
	qsort(c, n, sizeof(*c), member_order);
	/* Ranks: typed ones among themselves, announced ones per member. */
	for (i = 0; i < n; i++) {
		if (c[i].typed) {
			c[i].rank = 0;
			ntyped++;
			continue;
		}
		if (i == 0 || c[i - 1].typed ||
		    memcmp(c[i - 1].member, c[i].member, BAL_PK_BYTES) != 0)
			rank = 0;
		c[i].rank = rank++;
	}
	for (i = 0; i < ntyped; i++)
		c[i].rank = (unsigned)i;
	if ((slots = calloc(n, sizeof(*slots))) == NULL ||
	    (tmp = malloc(n * sizeof(*tmp))) == NULL) {
		/* Out of memory: the typed ones, then as sorted. */
		free(slots);
		return n < max ? n : max;
	}
	/* Each announced address under the cap, with its member's best. */
	for (i = ntyped; i < n; i = j) {
		best = c[i].ok_ms;	/* the member's first is its best */
		for (j = i; j < n && memcmp(c[j].member, c[i].member,
		    BAL_PK_BYTES) == 0; j++)
			if (c[j].rank < per_member) {
				slots[nslots].i = j;
				slots[nslots].rank = c[j].rank;
				slots[nslots].member = c[j].member;
				slots[nslots++].best = best;
			}
	}
	qsort(slots, nslots, sizeof(*slots), round_order);
	memcpy(tmp, c, n * sizeof(*tmp));
	out = ntyped;
	start = ntyped;
	for (i = 0; i < nslots; i++)
		c[out++] = tmp[slots[i].i];
	/* What is left over (beyond per_member) goes last, never dialed. */
	for (i = start; i < n; i++)
		if (tmp[i].rank >= per_member)
			c[out++] = tmp[i];
	free(slots);
	free(tmp);
	out = ntyped + nslots;
	return out < max ? out : max;
}
