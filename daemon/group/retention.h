/*
 * retention.h — the contract's retention period, enforced: in every group
 * whose current contract says "Retention: N" (days), each note entry
 * (kind 1) whose header time is more than N days before now is erased
 * (body dropped; header, body hash and signature kept, so the log still
 * verifies and chains).  Each entry counts by its own time: an old version
 * of a note goes even when a later edit stays.
 *
 * It happens at start-up (retention_run after group_load_all), on a timer
 * (retention_start; every hour, or BALINT_RETENTION_INTERVAL_MS in tests)
 * and when an expired note arrives from a peer (group-batch.c asks
 * retention_expired and stores it erased).  See docs/protocol.md.
 */
#ifndef BAL_RETENTION_H
#define BAL_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "contract.h"

struct daemon;
struct group;

#define RETENTION_DAY_MS 86400000ull
#define RETENTION_INTERVAL_MS 3600000ull	/* one pass an hour */
/* The test hook that shortens the interval (milliseconds, >= 1). */
#define RETENTION_INTERVAL_ENV "BALINT_RETENTION_INTERVAL_MS"

/*
 * retention_cutoff is the time (Unix ms) before which notes have expired
 * under contract c at now_ms; 0 (nothing expires) when c is NULL, has no
 * retention period, or now_ms is less than one period after the epoch.
 */
uint64_t retention_cutoff(const struct contract *c, uint64_t now_ms);

/* retention_expired is 1 when a note written at time_ms has expired. */
int retention_expired(const struct contract *c, uint64_t time_ms,
    uint64_t now_ms);

/*
 * retention_group erases g's expired note entries as of now_ms in one
 * store transaction, then checkpoints the WAL; *erased (optional) counts
 * the entries erased.  0, or a negative BAL_E* code (nothing erased).
 */
int retention_group(struct group *g, uint64_t now_ms, size_t *erased);

/*
 * retention_run is one pass over every group of d as of now_ms; it logs a
 * line for each group where it erased something, and each failure.
 * Returns 0 or the first failure's code (the other groups are still done).
 */
int retention_run(struct daemon *d, uint64_t now_ms);

/*
 * retention_start starts the pass timer on d->loop (d->retention owns it).
 * 0, or BAL_ENOMEM / BAL_EIO (nothing started).
 */
int retention_start(struct daemon *d);

/* retention_stop closes the timer (daemon_stop calls it); idempotent. */
void retention_stop(struct daemon *d);

#endif
