/*
 * web.h — the face of daemon/web/: the member's page in the browser.
 *
 * balintd serves one page (HTML, CSS and JavaScript compiled into the
 * binary: daemon/web/page/, no external request of any kind) on
 * 127.0.0.1 only, with libh2o on the daemon's libuv loop.  The page does
 * what the CLI does through the same control handlers
 * (control_call_local): nothing reaches it that `balint` would not show
 * the same member.
 *
 * Who may use it: `balint open` asks for a one-time login token
 * (web.open, web_login_url) and opens the browser at /login?t=TOKEN,
 * which starts a session: its secret goes to the page in the redirect's
 * fragment, the page keeps it in its tab's sessionStorage and sends it as
 * X-Balint-Session; /api/events takes a single-use ticket instead.  No
 * cookie: a cookie for 127.0.0.1 goes to every port, another user's too.
 * Every request's Host must name 127.0.0.1:PORT (DNS rebinding); every
 * state change needs this origin and the session's CSRF token
 * (web-check.h); every answer carries a strict Content-Security-Policy,
 * X-Frame-Options DENY and Cache-Control no-store.
 *
 * Files: web.c (the server, sessions, logins, assets), web-api.c (the
 * JSON bridge to the control handlers), web-events.c (server-sent events
 * for live updates), web-check.c (the pure request checks), page/ (the
 * page), assets.sh (the page into a C array at make time).  web/ calls
 * ctl/ (the handlers); ctl/ calls web/ only for web.open.
 */
#ifndef BAL_WEB_H
#define BAL_WEB_H

#include <stddef.h>

struct daemon;

/* The page's port when neither --web-port nor web-port says one. */
#define WEB_DEFAULT_PORT 7452

/*
 * web_start serves the page on 127.0.0.1: the port of --web-port, else
 * of the web-port setting, else WEB_DEFAULT_PORT (another in use: one the
 * kernel picks, logged); "off" serves none.  Never fatal: a page that
 * cannot be served is a log line, the daemon runs on.
 */
void web_start(struct daemon *d, const char *port_setting);
/* web_stop ends the live streams, closes the listener and connections. */
void web_stop(struct daemon *d);
/* web_free releases what web_stop left for the loop's last turn. */
void web_free(struct daemon *d);
/* web_port is the port the page is served on, 0 when it is not. */
unsigned web_port(const struct daemon *d);
/*
 * web_login_url writes a one-time login URL (valid WEB_LOGIN_TTL_MS, used
 * once) into url; 0, or BAL_ESTATE when the page is not served.
 */
int web_login_url(struct daemon *d, char *url, size_t len);
#define WEB_LOGIN_TTL_MS 120000u

#endif
