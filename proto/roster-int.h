/*
 * roster-int.h — shared by roster.c (the fold) and roster-state.c (its
 * lookups) only; not part of the public API.
 */
#ifndef BAL_ROSTER_INT_H
#define BAL_ROSTER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "roster.h"

/* roster_member_index is pk's index in r->members, or (size_t)-1. */
size_t roster_member_index(const struct roster *r,
    const uint8_t pk[BAL_PK_BYTES]);
/* roster_leader_listed is 1 when pk is among r->leaders (active or not). */
int roster_leader_listed(const struct roster *r,
    const uint8_t pk[BAL_PK_BYTES]);

#endif
