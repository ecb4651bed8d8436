/*
 * benchlib.h — what the benchmark drivers in bench/ share: a monotonic
 * clock, and a blocking client of balintd's control socket (proto/ctl.h)
 * that can keep several requests in flight on one connection.
 *
 * The drivers measure real daemons through their control sockets; nothing
 * here reaches into a daemon.  Errors end the driver with one line on
 * stderr (benchlib_die): a benchmark that cannot measure has nothing to
 * report.
 */
#ifndef BAL_BENCHLIB_H
#define BAL_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

/* benchlib_now_ns is CLOCK_MONOTONIC in nanoseconds. */
uint64_t benchlib_now_ns(void);

/* benchlib_sleep_us sleeps for us microseconds. */
void benchlib_sleep_us(uint64_t us);

/* benchlib_die prints "PROG: message" on stderr and exits 1. */
void benchlib_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* benchlib_prog sets the program name benchlib_die prints. */
void benchlib_prog(const char *name);

/*
 * benchlib_connect connects to HOME/balintd.sock: the descriptor, or -1
 * (errno set) when no daemon answers there.
 */
int benchlib_connect(const char *home);

/* benchlib_send encodes and sends one request (dies on failure). */
void benchlib_send(int fd, const struct ctl_req *req);

/*
 * benchlib_recv reads one response (ctl_resp_free it); dies when the
 * daemon hangs up or answers garbage.
 */
struct ctl_resp *benchlib_recv(int fd);

/*
 * benchlib_call sends cmd (no arguments) and returns the response; dies
 * unless the status is CTL_OK.
 */
struct ctl_resp *benchlib_call(int fd, const char *cmd);

/*
 * benchlib_entries reads `status` and returns the entry count of the
 * first group record (0 when the daemon holds no group).
 */
uint64_t benchlib_entries(int fd);

/* benchlib_resp_ok dies unless resp has status CTL_OK (what: for the log). */
void benchlib_resp_ok(const struct ctl_resp *resp, const char *what);

/*
 * benchlib_fill writes len bytes of printable text into buf, different for
 * every seed (not a secret, not random: deterministic filler).
 */
void benchlib_fill(char *buf, size_t len, uint64_t seed);

#endif
