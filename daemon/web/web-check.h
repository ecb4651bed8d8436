/*
 * web-check.h — the page's request checks, pure (no sockets, no h2o), so
 * a unit test can try to break them (tests/unit/test-web-check.c).
 *
 * The page is served on 127.0.0.1 only, but a browser can still be led to
 * it by another site: a form posted from elsewhere (CSRF) or a name of the
 * attacker's that resolves to 127.0.0.1 (DNS rebinding).  Every request is
 * refused unless its Host names this server (127.0.0.1:PORT or
 * localhost:PORT); an Origin, when sent, must be this server's; a state
 * change (POST) needs the Origin and the session's CSRF token.  The
 * session itself is the X-Balint-Session header (web.c), never a cookie:
 * cookies for 127.0.0.1 go to every port, so to another user's server.
 */
#ifndef BAL_WEB_CHECK_H
#define BAL_WEB_CHECK_H

#include <stddef.h>

/* Hex of a random 32-byte token (sessions, CSRF, logins, tickets). */
#define WEB_TOKEN_HEX 64

enum web_verdict {
	WEB_OK = 0,
	WEB_BAD_HOST,		/* Host absent or not this server's */
	WEB_BAD_ORIGIN,		/* Origin of another site, or absent on POST */
	WEB_NO_SESSION,		/* no valid X-Balint-Session (or ticket) */
	WEB_BAD_CSRF		/* POST without the session's CSRF token */
};

/* One request as the checks see it; absent headers are NULL. */
struct web_check_in {
	unsigned port;			/* the port the page is served on */
	int post;			/* a state change */
	int needs_session;		/* anything but the assets and login */
	const char *host;		/* Host (HTTP/1) or :authority */
	size_t host_len;
	const char *origin;
	size_t origin_len;
	const char *csrf;		/* X-CSRF-Token */
	size_t csrf_len;
	const char *session_csrf;	/* the session's token, NULL: none */
};

/* web_check_host is 1 when h is 127.0.0.1:port or localhost:port. */
int web_check_host(const char *h, size_t len, unsigned port);
/* web_check_origin is 1 when o is http://127.0.0.1:port or localhost's. */
int web_check_origin(const char *o, size_t len, unsigned port);
/*
 * web_check_token is 1 when given (len bytes) equals want (WEB_TOKEN_HEX
 * hex characters), compared in constant time.
 */
int web_check_token(const char *given, size_t len, const char *want);
/*
 * web_check_query_token is the token of a query "?t=" and WEB_TOKEN_HEX
 * lowercase hex digits (a login link's, an event ticket's), or NULL.
 */
const char *web_check_query_token(const char *q, size_t len);
/* web_check_request is the verdict on one request (enum web_verdict). */
int web_check_request(const struct web_check_in *in);
/* web_check_why is one line saying why a verdict refused. */
const char *web_check_why(int verdict);

#endif
