/*
 * statecode.h — the group state code that members read aloud at the start
 * of a session: a short digest of the group id, the contract in force, the
 * roster and the current epoch (roster_state_hash covers all three).
 * Members who see the same code hold the same group: same contract, same
 * members, nobody hidden.  Any difference changes it.
 */
#ifndef BAL_STATECODE_H
#define BAL_STATECODE_H

#include <stdint.h>

#include "bal.h"

/* "1234-5678-9012-3456": four groups of four digits, NUL included. */
#define STATECODE_TEXT_BYTES 20

/*
 * statecode_make writes the code of a group from its id and the state hash
 * of its folded roster (roster_state_hash).
 */
void statecode_make(const uint8_t group_id[BAL_GROUP_ID_BYTES],
    const uint8_t state_hash[BAL_HASH_BYTES],
    char out[STATECODE_TEXT_BYTES]);

#endif
