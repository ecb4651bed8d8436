/*
 * group-announce.c — what a member's announce leaves in the store: the
 * addresses other members dial them at (docs/protocol.md "Announces" and
 * "Dial targets").  Any member may announce anything, as often as they
 * like, so a receiver keeps only the latest announce of each member and
 * only its first GROUP_ANNOUNCE_KEEP addresses: one member can never
 * crowd out the others' addresses (docs/threat-model.md "Address
 * flooding").
 */
#include <string.h>

#include "daemon.h"
#include "group.h"
#include "store.h"

int
group_announced(struct group *g, const uint8_t *member, uint64_t seq,
    char addrs[][WIRE_MAX_ADDR + 1], size_t n)
{
	const char *keep[GROUP_ANNOUNCE_KEEP];
	size_t i, k = 0;

	for (i = 0; i < n && k < GROUP_ANNOUNCE_KEEP; i++)
		keep[k++] = addrs[i];
	return store_peer_announced(g->d->store, g->id, member, seq, keep, k);
}
