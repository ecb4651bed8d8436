/* loop.h — the daemon's libuv loop: signals, run, clean shutdown. */
#ifndef BAL_LOOP_H
#define BAL_LOOP_H

struct daemon;

/*
 * loop_run installs the SIGINT/SIGTERM handlers and runs d->loop until
 * daemon_stop has closed every handle.  0 when the loop closed cleanly.
 */
int loop_run(struct daemon *d);

#endif
