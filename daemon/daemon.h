/*
 * daemon.h — the state of one balintd process, shared by its parts.
 *
 *	main.c     arguments, unlocking the key, start and stop
 *	loop.c     the libuv loop, signals, clean shutdown
 *	control.c  the control socket (CLI requests) and its dispatch
 *	handlers.c one handler per control command
 *	group.c    each group's state: contract, roster, keys, entries, notes
 *	peer.c     TCP: listener, dialer, handshake, frames (bytes <-> messages)
 *	sync.c     the sync engine: decoded messages in, messages out, no I/O
 *	store.c    SQLite
 *	retention.c the contract's retention period, on a timer
 *
 * Everything runs on the one loop thread.
 */
#ifndef BAL_DAEMON_H
#define BAL_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "bal.h"
#include "identity.h"
#include "profile.h"

struct store;
struct group;
struct net;
struct control;
struct retention;
struct roster_tasks;
struct group_event;
struct invites;
struct tor;
struct web;

#define DAEMON_ADDR_MAX 128

struct daemon {
	uv_loop_t *loop;
	char home[PROFILE_PATH_MAX];		/* the profile directory */
	char name[PROFILE_NAME_MAX + 1];	/* this member's display name */
	struct identity *id;			/* this member's keys */
	struct store *store;
	struct group *groups;			/* list, see group.h */
	char listen[DAEMON_ADDR_MAX];		/* "HOST:PORT" or "" */
	int listen_error;			/* libuv's error of the last
						   failed listen, else 0 */
	struct net *net;			/* peer.c */
	struct tor *tor;			/* net/tor.c */
	int tor_mode;				/* enum tor_mode (tor.h) */
	char tor_control[DAEMON_ADDR_MAX];	/* --tor-control, or "" */
	char torrc_extra[PROFILE_PATH_MAX];	/* --torrc-extra, or "" */
	int lan;				/* LAN discovery on (net/lan.c):
						   lan-discovery, BALINT_LAN */
	struct control *control;		/* control.c */
	struct retention *retention;		/* retention.c: its timer */
	struct roster_tasks *roster_tasks;	/* group-roster.c: its timer */
	uv_signal_t sigint, sigterm;
	int stopping;
	int exit_code;				/* of a clean stop: 0, or 1 */
	/* Locked start (start.c, passkeep.c, handlers-lock.c). */
	const char *listen_opt;			/* --listen, or NULL */
	const char *advertise_opt;		/* --advertise, or NULL */
	/*
	 * Where others reach this member, when not where it listens (a
	 * router's forwarded port, a dynamic DNS name): announced and put
	 * in codes before the listen address; "" for none (start.c).
	 */
	char advertise[DAEMON_ADDR_MAX];
	int listen_from;			/* start.c: where listen came
						   from */
	int relock;				/* balint lock: start again
						   locked after the stop */
	struct passkeep *passkeep;		/* a keyring lookup running */
	uv_timer_t stop_timer;			/* stop after an answer */
	int has_stop_timer;
	/*
	 * The group state's events (group.h, struct group_event): the group
	 * code never calls the network; net_start sets this to the network's
	 * handler and net_stop clears it (NULL in unit tests).
	 */
	void (*on_event)(struct daemon *d, const struct group_event *ev);
	/* The same events for the page (web_start sets it, web_stop clears). */
	void (*on_event_page)(struct daemon *d, const struct group_event *ev);
	struct web *web;			/* daemon/web/: the page */
	const char *web_port_opt;		/* --web-port, or NULL */
	struct invites *invites;		/* invite.c: used by this run */
	struct guard *guard;			/* handlers-guard.c: loaded at
						   its first use, or NULL */
};

/*
 * daemon_log writes one timestamped line to stderr; never pass secrets.
 * Control characters in it (text from a router or a peer) become '?'.
 */
void daemon_log(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * daemon_now_ms is the wall clock in Unix milliseconds, shifted by the
 * test hook BALINT_CLOCK_OFFSET_MS (signed, read once at first use);
 * daemon_clock_offset_ms is that shift (0 when unset or malformed).
 */
uint64_t daemon_now_ms(void);
int64_t daemon_clock_offset_ms(void);

/* daemon_stop begins a clean shutdown (sessions closed, handles closed). */
void daemon_stop(struct daemon *d);
/*
 * daemon_stop_soon calls daemon_stop on the next turn of the loop, after
 * the answer to the control command that asked for it has gone out.
 */
void daemon_stop_soon(struct daemon *d);

#endif
