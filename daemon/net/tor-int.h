/*
 * tor-int.h — what tor.c and tor-ctl.c share (tor.h is their face).
 * Only for daemon/net/tor*.c.
 */
#ifndef BAL_TOR_INT_H
#define BAL_TOR_INT_H

#include <sys/un.h>
#include <uv.h>

#include "onion.h"
#include "tor.h"
#include "torctl.h"

#define TOR_SUN_MAX sizeof(((struct sockaddr_un *)0)->sun_path)
#define TOR_ENDPOINT_MAX (TOR_SUN_MAX + 32)
#define TOR_RBUF_MAX TORCTL_REPLY_MAX
#define TOR_QUEUE_MAX 8

/* Commands sent on the control connection, answered in order. */
enum tor_cmd {
	TC_PROTOCOLINFO,
	TC_AUTHENTICATE,
	TC_TAKEOWNERSHIP,
	TC_SETEVENTS,
	TC_SOCKS,		/* GETINFO net/listeners/socks */
	TC_BOOTSTRAP,		/* GETINFO status/bootstrap-phase */
	TC_ADD_ONION
};

struct tor {
	struct daemon *d;
	int mode;		/* enum tor_mode */
	int found;		/* tor was found (or a control port given) */
	int external;		/* --tor-control: a tor we do not run */
	int stopping;
	int handles;
	char why[256];		/* why tor is not used / failed, or "" */
	char bin[PROFILE_PATH_MAX];
	char dir[PROFILE_PATH_MAX];	/* DIR/tor */
	char ctl_addr[TOR_ENDPOINT_MAX];	/* "unix:PATH" or HOST:PORT */
	char socks_own[TOR_SUN_MAX];	/* our tor's SOCKS socket */
	char onion_sock[TOR_SUN_MAX];	/* DIR/onion.sock */
	char extra[PROFILE_PATH_MAX];	/* --torrc-extra, absolute */
	/* the child */
	uv_process_t proc;
	int proc_alive;
	uint64_t started_ms;
	unsigned restarts;		/* since it last ran TOR_STABLE_MS */
	uv_timer_t timer;		/* restart / control connect retry */
	uv_timer_t kill_timer;
	uint64_t ctl_wait_start;
	/* the control connection */
	union {
		uv_pipe_t pipe;
		uv_tcp_t tcp;
	} ctl;
	uv_connect_t connect;
	int ctl_open;			/* handle initialised, not closed */
	int ctl_up;			/* connected */
	int authed;
	uint8_t *rbuf;
	size_t rlen;
	struct torctl_reply *reply;
	enum tor_cmd queue[TOR_QUEUE_MAX];
	size_t nqueue;
	/* what tor told */
	int progress;
	char summary[128];
	char socks[TOR_ENDPOINT_MAX];	/* "" until known */
	char onion[ONION_HOST_LEN + 8];	/* "ID.onion:PORT" or "" */
	int service_up;			/* ADD_ONION succeeded */
	int published;
};

/* ---- tor.c ---- */
void tor_handle_gone(struct tor *t);
/* tor_note sets t->why and logs it (once per distinct text). */
void tor_note(struct tor *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * tor_on_timer is t->timer's callback: starts tor when none runs, else
 * (re)connects to its control port.
 */
void tor_on_timer(uv_timer_t *timer);

/* ---- tor-ctl.c ---- */
/* tor_ctl_connect (re)connects to t->ctl_addr. */
void tor_ctl_connect(struct tor *t);
/* tor_ctl_close closes the control connection (if open). */
void tor_ctl_close(struct tor *t);

#endif
