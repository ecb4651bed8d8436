/*
 * entry-internal.h — parts of entry.c that entry-parts.c shares, so that
 * the header is read and the entry id computed in one place.  Not part of
 * the proto/ API.
 */
#ifndef BAL_ENTRY_INTERNAL_H
#define BAL_ENTRY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

/*
 * entry_header_read reads the fields of header bytes in any msgpack form
 * (limits of every field checked; canonicity and kind/epoch rules are
 * entry_decode's).  BAL_EVERSION: version is not 1; BAL_EPROTO: malformed.
 */
int entry_header_read(const uint8_t *buf, size_t len, struct entry_header *h);

/* entry_id_of: BLAKE2b-256("balint-entry-id-v1" || hdr || body_hash). */
void entry_id_of(const uint8_t *hdr, size_t hdrlen,
    const uint8_t body_hash[BAL_HASH_BYTES], uint8_t id[BAL_HASH_BYTES]);

#endif
