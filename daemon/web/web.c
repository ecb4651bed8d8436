/*
 * web.c — the page's server: libh2o on the daemon's loop, on 127.0.0.1
 * only; the one-time logins, the sessions, the routes and the assets
 * (web.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sodium.h>
#include <uv.h>

#include "bal.h"
#include "daemon.h"
#include "web.h"
#include "web-int.h"

#define WEB_SESSION_IDLE_MS (24u * 3600 * 1000)

/* One accepted connection; h2o owns it until its close callback. */
struct web_conn {
	uv_tcp_t tcp;			/* first: the close callback's handle */
	struct web *w;
	struct web_conn *next;
	struct web_conn *prev;
};

struct web_handler {
	h2o_handler_t super;
	struct web *w;
};

static const char csp[] = "default-src 'none'; script-src 'self'; "
    "style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/* Adds a response header; value is copied (h2o keeps the pointer). */
static void
add(h2o_req_t *req, const char *name, const char *value)
{
	h2o_iovec_t v = h2o_strdup(&req->pool, value, strlen(value));

	h2o_add_header_by_str(&req->pool, &req->res.headers, name,
	    strlen(name), 1, NULL, v.base, v.len);
}

void
web_headers(h2o_req_t *req)
{
	add(req, "content-security-policy", csp);
	add(req, "x-frame-options", "DENY");
	add(req, "cache-control", "no-store");
	add(req, "x-content-type-options", "nosniff");
	add(req, "referrer-policy", "no-referrer");
	add(req, "cross-origin-opener-policy", "same-origin");
	add(req, "cross-origin-resource-policy", "same-origin");
}

void
web_respond(h2o_req_t *req, int status, const char *reason,
    const char *type, const char *body, size_t len)
{
	req->res.status = status;
	req->res.reason = reason;
	web_headers(req);
	if (type != NULL)
		add(req, "content-type", type);
	h2o_send_inline(req, body, len);
}

/* A refusal as JSON: {"status":1,"error":"why"}. */
static void
refuse(h2o_req_t *req, int status, const char *reason, const char *why)
{
	char body[512];
	int n;

	n = snprintf(body, sizeof(body), "{\"status\":1,\"error\":\"%s\"}",
	    why);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	web_respond(req, status, reason, "application/json", body,
	    (size_t)n);
}

static void
random_hex(char out[WEB_TOKEN_HEX + 1])
{
	uint8_t b[WEB_TOKEN_HEX / 2];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, WEB_TOKEN_HEX + 1, b, sizeof(b));
	sodium_memzero(b, sizeof(b));
}

struct web_session *
web_session_of(struct web *w, h2o_req_t *req)
{
	const char *v;
	size_t vlen, i;
	ssize_t at;
	uint64_t now = daemon_now_ms();

	/*
	 * The secret travels only in this header, which the page's script
	 * sets from its sessionStorage (its origin's, port included).  No
	 * cookie authenticates: a browser sends a cookie for 127.0.0.1 to
	 * every port, so another local user's server could collect it.
	 */
	if ((at = h2o_find_header_by_str(&req->headers,
	    H2O_STRLIT("x-balint-session"), -1)) < 0)
		return NULL;
	v = req->headers.entries[at].value.base;
	vlen = req->headers.entries[at].value.len;
	for (i = 0; i < WEB_MAX_SESSIONS; i++) {
		struct web_session *s = &w->sessions[i];

		if (!web_session_live(s, s->serial))
			continue;
		if (web_check_token(v, vlen, s->id)) {
			s->last_ms = now;
			return s;
		}
	}
	return NULL;
}

int
web_session_live(const struct web_session *s, uint64_t serial)
{
	return s->id[0] != '\0' && s->serial == serial &&
	    daemon_now_ms() - s->last_ms <= WEB_SESSION_IDLE_MS;
}

/*
 * The session whose unused event ticket is the query's ?t=TICKET, or
 * NULL; the ticket is spent either way it matched.
 */
static struct web_session *
session_of_ticket(struct web *w, h2o_req_t *req)
{
	const char *tk;
	size_t i;
	uint64_t now = daemon_now_ms();

	if (req->query_at == SIZE_MAX || (tk = web_check_query_token(
	    req->path.base + req->query_at, req->path.len -
	    req->query_at)) == NULL)
		return NULL;
	for (i = 0; i < WEB_MAX_SESSIONS; i++) {
		struct web_session *s = &w->sessions[i];

		if (!web_session_live(s, s->serial) || s->ticket[0] == '\0' ||
		    now > s->ticket_expires_ms ||
		    !web_check_token(tk, WEB_TOKEN_HEX, s->ticket))
			continue;
		sodium_memzero(s->ticket, sizeof(s->ticket));
		s->last_ms = now;
		return s;
	}
	return NULL;
}

/* A new session, in the oldest slot when all are taken. */
static struct web_session *
session_new(struct web *w)
{
	struct web_session *s = &w->sessions[0];
	size_t i;

	for (i = 0; i < WEB_MAX_SESSIONS; i++) {
		if (w->sessions[i].id[0] == '\0') {
			s = &w->sessions[i];
			break;
		}
		if (w->sessions[i].last_ms < s->last_ms)
			s = &w->sessions[i];
	}
	web_events_end_session(w, s);
	sodium_memzero(s, sizeof(*s));
	random_hex(s->id);
	random_hex(s->csrf);
	s->serial = ++w->serials;
	s->last_ms = daemon_now_ms();
	return s;
}

int
web_login_url(struct daemon *d, char *url, size_t len)
{
	struct web *w = d->web;
	struct web_login *l;
	uint64_t now = daemon_now_ms();
	size_t i;
	int n;

	if (w == NULL || !w->listening || w->stopping)
		return BAL_ESTATE;
	l = &w->logins[0];
	for (i = 0; i < WEB_MAX_LOGINS; i++) {
		if (w->logins[i].token[0] == '\0' ||
		    w->logins[i].expires_ms < now) {
			l = &w->logins[i];
			break;
		}
		if (w->logins[i].expires_ms < l->expires_ms)
			l = &w->logins[i];
	}
	random_hex(l->token);
	l->expires_ms = now + WEB_LOGIN_TTL_MS;
	n = snprintf(url, len, "http://127.0.0.1:%u/login?t=%s", w->port,
	    l->token);
	return n > 0 && (size_t)n < len ? 0 : BAL_ETOOBIG;
}

/*
 * GET /login?t=TOKEN: a one-time token becomes a session whose secret
 * goes to the page in the redirect's fragment (#s=SECRET: never sent to
 * any server, not even this one again); the page keeps it in its tab's
 * sessionStorage and sends it as X-Balint-Session.
 */
static void
login(struct web *w, h2o_req_t *req)
{
	struct web_session *s;
	const char *tk = NULL;
	size_t i;
	uint64_t now = daemon_now_ms();
	char where[16 + WEB_TOKEN_HEX];
	static const char gone[] = "This login link was used already or "
	    "has expired: run 'balint open' for a new one.\n";

	if (req->query_at != SIZE_MAX)
		tk = web_check_query_token(req->path.base + req->query_at,
		    req->path.len - req->query_at);
	for (i = 0; tk != NULL && i < WEB_MAX_LOGINS; i++) {
		struct web_login *l = &w->logins[i];

		if (l->token[0] == '\0' || l->expires_ms < now ||
		    !web_check_token(tk, WEB_TOKEN_HEX, l->token))
			continue;
		sodium_memzero(l, sizeof(*l));
		s = session_new(w);
		snprintf(where, sizeof(where), "/#s=%s", s->id);
		req->res.status = 303;
		req->res.reason = "See Other";
		web_headers(req);
		add(req, "location", where);
		sodium_memzero(where, sizeof(where));
		h2o_send_inline(req, "", 0);
		return;
	}
	web_respond(req, 403, "Forbidden", "text/plain; charset=utf-8",
	    gone, sizeof(gone) - 1);
}

/*
 * POST /api/events: a ticket for one GET /api/events?t=TICKET (an
 * EventSource cannot send headers), single use, valid 60 s.
 */
static void
events_ticket(h2o_req_t *req, struct web_session *s)
{
	char body[128];
	int n;

	random_hex(s->ticket);
	s->ticket_expires_ms = daemon_now_ms() + 60000u;
	n = snprintf(body, sizeof(body), "{\"status\":0,\"ticket\":\"%s\"}",
	    s->ticket);
	web_respond(req, 200, "OK", "application/json", body, (size_t)n);
	sodium_memzero(body, sizeof(body));
}

/* GET /api/session: this session's CSRF token for the page's requests. */
static void
session_info(struct web *w, h2o_req_t *req, struct web_session *s)
{
	char body[256];
	int n;

	n = snprintf(body, sizeof(body), "{\"status\":0,\"csrf\":\"%s\","
	    "\"port\":%u}", s->csrf, w->port);
	web_respond(req, 200, "OK", "application/json", body, (size_t)n);
	sodium_memzero(body, sizeof(body));
}

static const struct web_asset *
asset_find(const char *path, size_t len)
{
	size_t i;

	if (len == 1 && path[0] == '/') {
		path = "/index.html";
		len = strlen(path);
	}
	for (i = 0; web_assets[i].path != NULL; i++)
		if (strlen(web_assets[i].path) == len &&
		    memcmp(web_assets[i].path, path, len) == 0)
			return &web_assets[i];
	return NULL;
}

static int
is(h2o_iovec_t v, const char *s)
{
	return v.len == strlen(s) && memcmp(v.base, s, v.len) == 0;
}

static int
on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct web *w = ((struct web_handler *)self)->w;
	struct web_check_in in;
	struct web_session *s;
	const struct web_asset *a;
	h2o_iovec_t path = req->path_normalized;
	ssize_t at;
	int v, get = is(req->method, "GET"), post = is(req->method, "POST");
	static const char api[] = "/api/call/";

	if (!get && !post) {
		refuse(req, 405, "Method Not Allowed", "GET or POST only");
		return 0;
	}
	a = get ? asset_find(path.base, path.len) : NULL;
	s = get && is(path, "/api/events") ? session_of_ticket(w, req) :
	    web_session_of(w, req);
	memset(&in, 0, sizeof(in));
	in.port = w->port;
	in.post = post;
	in.needs_session = a == NULL && !is(path, "/login");
	in.host = req->input.authority.base;
	in.host_len = req->input.authority.len;
	if ((at = h2o_find_header_by_str(&req->headers,
	    H2O_STRLIT("origin"), -1)) >= 0) {
		in.origin = req->headers.entries[at].value.base;
		in.origin_len = req->headers.entries[at].value.len;
	}
	if ((at = h2o_find_header_by_str(&req->headers,
	    H2O_STRLIT("x-csrf-token"), -1)) >= 0) {
		in.csrf = req->headers.entries[at].value.base;
		in.csrf_len = req->headers.entries[at].value.len;
	}
	in.session_csrf = s != NULL ? s->csrf : NULL;
	if ((v = web_check_request(&in)) != WEB_OK) {
		if (v != WEB_NO_SESSION)
			daemon_log("page: refused a %s request for %.*s: %s",
			    post ? "POST" : "GET", (int)(path.len > 64 ? 64 :
			    path.len), path.base, web_check_why(v));
		refuse(req, v == WEB_NO_SESSION ? 401 : 403, v ==
		    WEB_NO_SESSION ? "Unauthorized" : "Forbidden",
		    web_check_why(v));
		return 0;
	}
	if (a != NULL)
		web_respond(req, 200, "OK", a->type, (const char *)a->data,
		    a->len);
	else if (get && is(path, "/login"))
		login(w, req);
	else if (get && is(path, "/api/session"))
		session_info(w, req, s);
	else if (get && is(path, "/api/events"))
		web_events_open(w, req, s);
	else if (post && is(path, "/api/events"))
		events_ticket(req, s);
	else if (post && is(path, "/api/logout")) {
		web_events_end_session(w, s);
		sodium_memzero(s, sizeof(*s));
		web_respond(req, 200, "OK", "application/json",
		    "{\"status\":0}", strlen("{\"status\":0}"));
	} else if (post && path.len > sizeof(api) - 1 &&
	    memcmp(path.base, api, sizeof(api) - 1) == 0)
		web_api_call(w, req, path.base + sizeof(api) - 1,
		    path.len - (sizeof(api) - 1));
	else
		refuse(req, 404, "Not Found", "no such page");
	return 0;
}

static void
conn_closed_cb(uv_handle_t *h)
{
	struct web_conn *c = (struct web_conn *)h;
	struct web *w = c->w;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
	w->nconns--;
	if (w->stopping && w->nconns == 0 && w->ctx_live) {
		w->ctx_live = 0;
		h2o_context_dispose(&w->ctx);
	}
}

static void
on_accept(uv_stream_t *server, int status)
{
	struct web *w = server->data;
	struct web_conn *c;
	h2o_socket_t *sock;

	if (status != 0 || w->stopping)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->w = w;
	if (uv_tcp_init(server->loop, &c->tcp) != 0) {
		free(c);
		return;
	}
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
	    w->nconns > WEB_MAX_CONNS) {
		uv_close((uv_handle_t *)&c->tcp, conn_closed_cb);
		return;
	}
	sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, conn_closed_cb);
	h2o_accept(&w->accept_ctx, sock);
}

static void
listener_closed_cb(uv_handle_t *h)
{
	free(h);
}

/* Closes the listener, if any (its memory goes with the close). */
static void
listener_close(struct web *w)
{
	if (w->listener != NULL)
		uv_close((uv_handle_t *)w->listener, listener_closed_cb);
	w->listener = NULL;
	w->listening = 0;
}

/*
 * Listens on 127.0.0.1:port with a new handle; 0 or a libuv error (the
 * handle then closed: a failed bind spoils it).
 */
static int
bind_listen(struct web *w, unsigned port)
{
	struct sockaddr_in sa;
	struct sockaddr_storage got;
	int rc, len = sizeof(got);

	if ((w->listener = malloc(sizeof(*w->listener))) == NULL)
		return UV_ENOMEM;
	if ((rc = uv_tcp_init(w->d->loop, w->listener)) != 0) {
		free(w->listener);
		w->listener = NULL;
		return rc;
	}
	w->listener->data = w;
	if ((rc = uv_ip4_addr("127.0.0.1", (int)port, &sa)) != 0 ||
	    (rc = uv_tcp_bind(w->listener, (struct sockaddr *)&sa, 0)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)w->listener, 32, on_accept)) != 0 ||
	    (rc = uv_tcp_getsockname(w->listener, (struct sockaddr *)&got,
	    &len)) != 0) {
		listener_close(w);
		return rc;
	}
	w->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	w->listening = 1;
	return 0;
}

/* Reads a port setting: 0..65535, or -1 for "off"; -2 when malformed. */
static long
port_of(const char *s)
{
	char *end;
	long p;

	if (strcmp(s, "off") == 0 || strcmp(s, "none") == 0)
		return -1;
	errno = 0;
	p = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || p < 0 || p > 65535)
		return -2;
	return p;
}

void
web_start(struct daemon *d, const char *port_setting)
{
	struct web *w;
	h2o_hostconf_t *host;
	h2o_pathconf_t *pathconf;
	struct web_handler *h;
	const char *opt = d->web_port_opt != NULL ? d->web_port_opt :
	    port_setting;
	long port = WEB_DEFAULT_PORT;
	int rc, chosen = opt != NULL && *opt != '\0';

	if (opt != NULL && *opt != '\0' && (port = port_of(opt)) == -2) {
		daemon_log("warning: the page's port '%s' is not a number "
		    "from 0 to 65535 or off; serving it on %d", opt,
		    WEB_DEFAULT_PORT);
		port = WEB_DEFAULT_PORT;
	}
	if (port == -1)
		return;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		daemon_log("warning: out of memory: the page is not served");
		return;
	}
	w->d = d;
	h2o_config_init(&w->config);
	w->config.max_request_entity_size = WEB_MAX_BODY;
	w->config.server_name = h2o_iovec_init(H2O_STRLIT("balintd"));
	host = h2o_config_register_host(&w->config,
	    h2o_iovec_init(H2O_STRLIT("default")), 65535);
	pathconf = h2o_config_register_path(host, "/", 0);
	h = (struct web_handler *)h2o_create_handler(pathconf, sizeof(*h));
	h->super.on_req = on_req;
	h->w = w;
	d->web = w;
	rc = bind_listen(w, (unsigned)port);
	if (rc == UV_EADDRINUSE && !chosen) {
		daemon_log("page: 127.0.0.1:%ld is in use (another "
		    "balintd?), so the page's port is one the kernel picks "
		    "(balint open knows it)", port);
		rc = bind_listen(w, 0);
	}
	if (rc != 0) {
		daemon_log("warning: the page is not served: cannot listen on "
		    "127.0.0.1:%ld: %s", port, uv_strerror(rc));
		w->stopping = 1;
		return;
	}
	h2o_context_init(&w->ctx, d->loop, &w->config);
	w->ctx_live = 1;
	w->accept_ctx.ctx = &w->ctx;
	w->accept_ctx.hosts = w->config.hosts;
	d->on_event_page = web_events_on_group;
	daemon_log("the page is served on http://127.0.0.1:%u (open it "
	    "with: balint open)", w->port);
}

unsigned
web_port(const struct daemon *d)
{
	return d->web != NULL && d->web->listening && !d->web->stopping ?
	    d->web->port : 0;
}

void
web_stop(struct daemon *d)
{
	struct web *w = d->web;
	struct web_conn *c;
	uv_os_fd_t fd;

	if (w == NULL || w->stopping)
		return;
	w->stopping = 1;
	d->on_event_page = NULL;
	listener_close(w);
	web_events_close_all(w);
	/* Idle keep-alive connections read an EOF and h2o closes them. */
	for (c = w->conns; c != NULL; c = c->next)
		if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
			shutdown(fd, SHUT_RDWR);
	if (w->nconns == 0 && w->ctx_live) {
		w->ctx_live = 0;
		h2o_context_dispose(&w->ctx);
	}
	sodium_memzero(w->sessions, sizeof(w->sessions));
	sodium_memzero(w->logins, sizeof(w->logins));
}

void
web_free(struct daemon *d)
{
	struct web *w = d->web;

	if (w == NULL)
		return;
	d->web = NULL;
	if (w->ctx_live)
		daemon_log("page: %u connections still open at exit",
		    w->nconns);
	h2o_config_dispose(&w->config);
	free(w);
}
