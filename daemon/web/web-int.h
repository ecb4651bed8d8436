/*
 * web-int.h — what the files of daemon/web/ share (not for the rest of
 * the daemon: web.h is the face).
 */
#ifndef BAL_WEB_INT_H
#define BAL_WEB_INT_H

#include <stddef.h>
#include <stdint.h>
#include <h2o.h>

#include "web-check.h"

struct daemon;
struct web_stream;
struct group_event;

#define WEB_MAX_SESSIONS 8
#define WEB_MAX_LOGINS 8
#define WEB_MAX_CONNS 64
#define WEB_MAX_BODY (1024u * 1024)

struct web_session {
	char id[WEB_TOKEN_HEX + 1];	/* X-Balint-Session; "" unused */
	char csrf[WEB_TOKEN_HEX + 1];
	char ticket[WEB_TOKEN_HEX + 1];	/* for /api/events; "" none */
	uint64_t ticket_expires_ms;
	uint64_t serial;		/* which session held this slot */
	uint64_t last_ms;
};

struct web_login {
	char token[WEB_TOKEN_HEX + 1];	/* "" unused */
	uint64_t expires_ms;
};

struct web_conn;

struct web {
	struct daemon *d;
	h2o_globalconf_t config;
	h2o_context_t ctx;
	h2o_accept_ctx_t accept_ctx;
	int ctx_live;			/* ctx initialised, not disposed */
	uv_tcp_t *listener;		/* NULL when none */
	int listening;
	unsigned port;
	uint64_t serials;		/* the last session's serial */
	struct web_conn *conns;
	unsigned nconns;
	struct web_session sessions[WEB_MAX_SESSIONS];
	struct web_login logins[WEB_MAX_LOGINS];
	struct web_stream *streams;	/* web-events.c */
	int stopping;
};

/* A page asset compiled in (build/gen/web-assets.c, assets.sh). */
struct web_asset {
	const char *path;		/* "/index.html" */
	const char *type;		/* its Content-Type */
	const unsigned char *data;
	size_t len;
};
extern const struct web_asset web_assets[];

/*
 * web_respond sends a whole answer with the page's security headers
 * (CSP, X-Frame-Options, no-store, nosniff, no referrer).
 */
void web_respond(h2o_req_t *req, int status, const char *reason,
    const char *type, const char *body, size_t len);
/* web_headers adds the security headers to req's response. */
void web_headers(h2o_req_t *req);
/* web_session_of is req's session (its X-Balint-Session), or NULL. */
struct web_session *web_session_of(struct web *w, h2o_req_t *req);
/*
 * web_session_live is 1 while s is the session numbered serial, not
 * logged out, replaced or idle too long.
 */
int web_session_live(const struct web_session *s, uint64_t serial);

/* web-api.c: POST /api/call/CMD, the JSON bridge to a handler. */
void web_api_call(struct web *w, h2o_req_t *req, const char *cmd,
    size_t cmdlen);
/* web-events.c: GET /api/events, and the group events that feed it. */
void web_events_open(struct web *w, h2o_req_t *req, struct web_session *s);
void web_events_close_all(struct web *w);
/* web_events_end_session ends the streams that session s opened. */
void web_events_end_session(struct web *w, const struct web_session *s);
void web_events_on_group(struct daemon *d, const struct group_event *ev);

#endif
