/*
 * sync-fixture.h — the set-up that test-sync.c and test-sync-runs.c share:
 * members with real stores in /tmp, the first of them founding a group
 * the others join (group_join_new), and the leader adding a member.
 */
#ifndef BAL_SYNC_FIXTURE_H
#define BAL_SYNC_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "group.h"

#define SYNC_NMEM_MAX 4

struct sync_member {
	struct daemon d;
	char dir[64];
	char path[96];
	struct group *g;
};

struct sync_fix {
	struct sync_member m[SYNC_NMEM_MAX];
	int n;
};

/*
 * sync_fix_setup (a cmocka setup) opens n members, member i with the
 * identity of seed byte seed + i, named "member<i>", in
 * /tmp/balint-test-<dir>-XXXXXX; member 0 founds a group from contract,
 * the others join it empty.  *state gets the struct sync_fix.
 */
int sync_fix_setup(void **state, int n, uint8_t seed, const char *contract,
    const char *dir);
/* sync_fix_teardown closes every member and removes its files. */
int sync_fix_teardown(void **state);
/* sync_fix_add: the leader (member 0) adds member i. */
void sync_fix_add(struct sync_fix *f, int i);

#endif
