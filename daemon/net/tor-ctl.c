/*
 * tor-ctl.c — balintd's client of tor's control port (tor.h): PROTOCOLINFO,
 * AUTHENTICATE (no authentication, or the cookie file), TAKEOWNERSHIP of
 * our own tor, SETEVENTS STATUS_CLIENT HS_DESC, the SOCKS listener and
 * the bootstrap phase (GETINFO), and ADD_ONION with the key sealed in the
 * store.  Replies are parsed by proto/torctl.c; every command waits for
 * its reply in order (t->queue).  docs/protocol.md "Onion services".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "keyring.h"
#include "net.h"
#include "store.h"
#include "tor-int.h"

#define COOKIE_BYTES 32
/* An ED25519-V3 key as tor writes it: "ED25519-V3:" + 88 base64. */
#define KEYBLOB_MAX 128

static const char key_ad[] = "balint-onion-service";

struct ctl_write {
	uv_write_t req;
	char *buf;
};

static void
on_ctl_closed(uv_handle_t *h)
{
	struct tor *t = h->data;

	t->ctl_open = 0;
	tor_handle_gone(t);
}

void
tor_ctl_close(struct tor *t)
{
	if (!t->ctl_open || uv_is_closing((uv_handle_t *)&t->ctl))
		return;
	t->ctl_up = 0;
	t->authed = 0;
	t->nqueue = 0;
	t->rlen = 0;
	t->service_up = 0;
	t->published = 0;
	t->progress = 0;
	uv_close((uv_handle_t *)&t->ctl, on_ctl_closed);
}

/* Control connection lost (or refused): try again, unless stopping. */
static void
ctl_lost(struct tor *t, const char *why, const char *what)
{
	tor_ctl_close(t);
	if (t->stopping)
		return;
	tor_note(t, N_("tor's control connection %s (%s)"), why, what);
	if (t->external || t->proc_alive)
		uv_timer_start(&t->timer, tor_on_timer, TOR_RESTART_MIN_MS, 0);
}

static void
on_written(uv_write_t *req, int status)
{
	struct ctl_write *w = (struct ctl_write *)req;

	(void)status;
	sodium_memzero(w->buf, strlen(w->buf));
	free(w->buf);
	free(w);
}

/* Sends one command line (CRLF added) and queues what answers it. */
static int
ctl_send(struct tor *t, enum tor_cmd cmd, const char *line)
{
	struct ctl_write *w;
	uv_buf_t b;
	size_t n = strlen(line);

	if (t->nqueue >= TOR_QUEUE_MAX)
		return BAL_ESTATE;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->buf = malloc(n + 3)) == NULL) {
		free(w);
		return BAL_ENOMEM;
	}
	memcpy(w->buf, line, n);
	memcpy(w->buf + n, "\r\n", 3);
	b = uv_buf_init(w->buf, (unsigned)(n + 2));
	if (uv_write(&w->req, (uv_stream_t *)&t->ctl, &b, 1,
	    on_written) != 0) {
		sodium_memzero(w->buf, n);
		free(w->buf);
		free(w);
		return BAL_EIO;
	}
	t->queue[t->nqueue++] = cmd;
	return 0;
}

/* The onion service's key from the store, unsealed into blob. */
static int
stored_key(struct tor *t, char *blob, size_t bloblen)
{
	uint8_t *v = NULL;
	size_t len;
	int rc;

	if ((rc = store_meta_get(t->d->store, TOR_META_KEY, &v, &len)) != 0)
		return rc;
	if (len <= KEYRING_OVERHEAD || len - KEYRING_OVERHEAD >= bloblen) {
		free(v);
		return BAL_EPROTO;
	}
	rc = keyring_open(t->d->id, TOR_KEY_PURPOSE, (const uint8_t *)key_ad,
	    sizeof(key_ad) - 1, v, len, (uint8_t *)blob,
	    len - KEYRING_OVERHEAD);
	if (rc == 0)
		blob[len - KEYRING_OVERHEAD] = '\0';
	free(v);
	return rc;
}

/* Seals the key tor made for us and keeps it, with the address. */
static int
keep_key(struct tor *t, const char *blob)
{
	size_t n = strlen(blob), slen = n + KEYRING_OVERHEAD;
	uint8_t *sealed;
	int rc;

	if ((sealed = malloc(slen)) == NULL)
		return BAL_ENOMEM;
	rc = keyring_seal(t->d->id, TOR_KEY_PURPOSE, (const uint8_t *)key_ad,
	    sizeof(key_ad) - 1, (const uint8_t *)blob, n, NULL, sealed, slen);
	if (rc == 0)
		rc = store_meta_put(t->d->store, TOR_META_KEY, sealed, slen);
	free(sealed);
	return rc;
}

static int
add_onion(struct tor *t)
{
	char *blob, *line;
	size_t linelen = KEYBLOB_MAX + TOR_SUN_MAX + 64;
	int rc, fresh = 0;

	if ((blob = sodium_malloc(KEYBLOB_MAX)) == NULL ||
	    (line = sodium_malloc(linelen)) == NULL) {
		sodium_free(blob);
		return BAL_ENOMEM;
	}
	rc = stored_key(t, blob, KEYBLOB_MAX);
	if (rc == BAL_ENOENT) {
		snprintf(blob, KEYBLOB_MAX, "NEW:ED25519-V3");
		fresh = 1;
	} else if (rc != 0) {
		tor_note(t, N_("the onion service's key in the store cannot be "
		    "opened (%s); the onion service is not started"),
		    bal_strerror(rc));
		goto out;
	}
	snprintf(line, linelen, "ADD_ONION %s %sPort=%d,unix:%s", blob,
	    fresh ? "" : "Flags=DiscardPK ", ONION_PORT, t->onion_sock);
	rc = ctl_send(t, TC_ADD_ONION, line);
out:
	sodium_memzero(blob, KEYBLOB_MAX);
	sodium_memzero(line, linelen);
	sodium_free(blob);
	sodium_free(line);
	return rc;
}

/* Reads the cookie file and sends AUTHENTICATE with it in hex. */
static int
authenticate_cookie(struct tor *t, const char *path)
{
	uint8_t cookie[COOKIE_BYTES + 1];
	char line[16 + 2 * COOKIE_BYTES + 1];
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		tor_note(t, N_("cannot read tor's cookie file '%s' (%s)"), path,
		    strerror(errno));
		return BAL_EIO;
	}
	n = read(fd, cookie, sizeof(cookie));
	close(fd);
	if (n != COOKIE_BYTES) {
		tor_note(t, N_("tor's cookie file '%s' is not %d bytes long"),
		    path, COOKIE_BYTES);
		sodium_memzero(cookie, sizeof(cookie));
		return BAL_EPROTO;
	}
	memcpy(line, "AUTHENTICATE ", 13);
	sodium_bin2hex(line + 13, sizeof(line) - 13, cookie, COOKIE_BYTES);
	rc = ctl_send(t, TC_AUTHENTICATE, line);
	sodium_memzero(cookie, sizeof(cookie));
	sodium_memzero(line, sizeof(line));
	return rc;
}

/* "METHODS=A,B,C": 1 when name is one of them. */
static int
has_method(const char *methods, const char *name)
{
	size_t n = strlen(name);
	const char *p = methods;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == methods || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int
on_protocolinfo(struct tor *t, const struct torctl_reply *r)
{
	char methods[256], cookie[TOR_SUN_MAX + 256];
	size_t i;

	for (i = 0; i < r->nlines; i++) {
		if (strncmp(r->line[i], "AUTH ", 5) != 0)
			continue;
		if (torctl_kv(r->line[i], "METHODS", methods,
		    sizeof(methods)) != 0)
			break;
		if (has_method(methods, "NULL"))
			return ctl_send(t, TC_AUTHENTICATE, "AUTHENTICATE");
		if (has_method(methods, "COOKIE") &&
		    torctl_kv(r->line[i], "COOKIEFILE", cookie,
		    sizeof(cookie)) == 0)
			return authenticate_cookie(t, cookie);
		tor_note(t, N_("tor's control port asks for a password "
		    "(METHODS=%.100s); balintd needs cookie authentication "
		    "(CookieAuthentication 1)"), methods);
		return BAL_EPERM;
	}
	tor_note(t, N_("tor's control port did not say how to authenticate"));
	return BAL_EPROTO;
}

static void
on_bootstrap_line(struct tor *t, const char *line)
{
	char v[128];
	int was = t->progress;

	if (torctl_kv(line, "PROGRESS", v, sizeof(v)) == 0)
		t->progress = atoi(v) < 0 ? 0 : atoi(v) > 100 ? 100 : atoi(v);
	if (torctl_kv(line, "SUMMARY", v, sizeof(v)) == 0)
		snprintf(t->summary, sizeof(t->summary), "%s", v);
	if (t->progress >= 100 && was < 100) {
		daemon_log("tor: bootstrapped 100%%: onion addresses can be "
		    "dialed");
		net_tor_changed(t->d);
	}
}

static int
on_socks(struct tor *t, const struct torctl_reply *r)
{
	char v[TOR_ENDPOINT_MAX + 8];

	if (r->nlines == 0 || torctl_kv(r->line[0], "net/listeners/socks", v,
	    sizeof(v)) != 0 || v[0] == '\0') {
		tor_note(t, N_("tor has no SOCKS port; onion addresses cannot be "
		    "dialed"));
		return 0;
	}
	/* The first of a space-separated list of quoted endpoints. */
	if (strchr(v, ' ') != NULL)
		*strchr(v, ' ') = '\0';
	if (v[0] == '"') {
		memmove(v, v + 1, strlen(v));
		if (strchr(v, '"') != NULL)
			*strchr(v, '"') = '\0';
	}
	snprintf(t->socks, sizeof(t->socks), "%s", v);
	return 0;
}

static int
on_add_onion(struct tor *t, const struct torctl_reply *r)
{
	char id[ONION_ID_LEN + 8], addr[sizeof(t->onion)], *blob = NULL;
	size_t i;
	int rc = 0, fresh = 0;

	id[0] = '\0';
	if ((blob = sodium_malloc(KEYBLOB_MAX)) == NULL)
		return BAL_ENOMEM;
	blob[0] = '\0';
	for (i = 0; i < r->nlines; i++) {
		if (strncmp(r->line[i], "ServiceID=", 10) == 0)
			snprintf(id, sizeof(id), "%.60s", r->line[i] + 10);
		else if (strncmp(r->line[i], "PrivateKey=", 11) == 0 &&
		    strlen(r->line[i] + 11) < KEYBLOB_MAX) {
			snprintf(blob, KEYBLOB_MAX, "%s", r->line[i] + 11);
			fresh = 1;
		}
	}
	snprintf(addr, sizeof(addr), "%s.onion:%d", id, ONION_PORT);
	if (!onion_addr_is(addr)) {
		tor_note(t, N_("tor's answer to ADD_ONION has no service id"));
		rc = BAL_EPROTO;
		goto out;
	}
	if (fresh && (rc = keep_key(t, blob)) != 0) {
		tor_note(t, N_("cannot keep the onion service's key in the "
		    "store (%s)"), bal_strerror(rc));
		goto out;
	}
	if (strcmp(addr, t->onion) != 0) {
		if (t->onion[0] != '\0')
			daemon_log("tor: warning: the onion address changed "
			    "from %s", t->onion);
		snprintf(t->onion, sizeof(t->onion), "%s", addr);
		(void)store_meta_put(t->d->store, TOR_META_ADDR, addr,
		    strlen(addr));
	}
	t->service_up = 1;
	t->why[0] = '\0';
	daemon_log("tor: onion service %s%s, forwarding to %s", addr,
	    fresh ? " made (its key is sealed in the store)" : " started",
	    t->onion_sock);
	net_tor_changed(t->d);
out:
	sodium_memzero(blob, KEYBLOB_MAX);
	sodium_free(blob);
	return rc;
}

/* A 650 event: bootstrap progress or a descriptor upload. */
static void
on_event(struct tor *t, const struct torctl_reply *r)
{
	const char *l = r->line[0];
	char id[ONION_ID_LEN + 1];

	if (strncmp(l, "STATUS_CLIENT ", 14) == 0 &&
	    strstr(l, " BOOTSTRAP ") != NULL) {
		on_bootstrap_line(t, l);
	} else if (strncmp(l, "HS_DESC UPLOADED ", 17) == 0 &&
	    t->onion[0] != '\0') {
		memcpy(id, t->onion, ONION_ID_LEN);
		id[ONION_ID_LEN] = '\0';
		if (strncmp(l + 17, id, ONION_ID_LEN) == 0 && !t->published) {
			t->published = 1;
			daemon_log("tor: onion service %s published", t->onion);
		}
	}
}

/* The reply to the oldest command; a negative return drops the link. */
static int
on_reply(struct tor *t, const struct torctl_reply *r)
{
	enum tor_cmd cmd;
	size_t i;

	if (r->code == TORCTL_EVENT) {
		on_event(t, r);
		return 0;
	}
	if (t->nqueue == 0)
		return BAL_EPROTO;
	cmd = t->queue[0];
	t->nqueue--;
	memmove(t->queue, t->queue + 1, t->nqueue * sizeof(t->queue[0]));
	if (r->code != 250) {
		tor_note(t, N_("tor refused %s: %d %.200s"),
		    cmd == TC_ADD_ONION ? "to start the onion service" :
		    cmd == TC_AUTHENTICATE ? "our authentication" :
		    "a command", r->code, r->line[r->nlines - 1]);
		return cmd == TC_SOCKS || cmd == TC_BOOTSTRAP ? 0 : BAL_EPERM;
	}
	switch (cmd) {
	case TC_PROTOCOLINFO:
		return on_protocolinfo(t, r);
	case TC_AUTHENTICATE:
		t->authed = 1;
		if (!t->external && ctl_send(t, TC_TAKEOWNERSHIP,
		    "TAKEOWNERSHIP") != 0)
			return BAL_EIO;
		if (ctl_send(t, TC_SETEVENTS, "SETEVENTS STATUS_CLIENT "
		    "HS_DESC") != 0 || ctl_send(t, TC_SOCKS,
		    "GETINFO net/listeners/socks") != 0 ||
		    ctl_send(t, TC_BOOTSTRAP,
		    "GETINFO status/bootstrap-phase") != 0)
			return BAL_EIO;
		return add_onion(t);
	case TC_SOCKS:
		return on_socks(t, r);
	case TC_BOOTSTRAP:
		for (i = 0; i < r->nlines; i++)
			if (strncmp(r->line[i], "status/bootstrap-phase=",
			    23) == 0)
				on_bootstrap_line(t, r->line[i]);
		return 0;
	case TC_ADD_ONION:
		return on_add_onion(t, r);
	default:
		return 0;
	}
}

static void
on_ctl_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	struct tor *t = h->data;

	(void)size;
	*buf = uv_buf_init((char *)t->rbuf + t->rlen,
	    (unsigned)(TOR_RBUF_MAX - t->rlen));
}

static void
on_ctl_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct tor *t = s->data;
	size_t used;
	int rc;

	(void)buf;
	if (nread < 0) {
		ctl_lost(t, "closed", nread == UV_EOF ? "end of stream" :
		    uv_strerror((int)nread));
		return;
	}
	t->rlen += (size_t)nread;
	while (t->ctl_up) {
		rc = torctl_reply_parse(t->rbuf, t->rlen, t->reply, &used);
		if (rc == BAL_EAGAIN)
			return;
		if (rc != 0 || (rc = on_reply(t, t->reply)) != 0) {
			ctl_lost(t, "dropped", bal_strerror(rc));
			return;
		}
		memmove(t->rbuf, t->rbuf + used, t->rlen - used);
		t->rlen -= used;
	}
}

static void
on_ctl_connect(uv_connect_t *req, int status)
{
	struct tor *t = req->data;

	if (t->stopping || !t->ctl_open)
		return;
	if (status < 0) {
		tor_ctl_close(t);
		if (uv_now(t->d->loop) - t->ctl_wait_start < TOR_CTL_WAIT_MS) {
			/* A starting tor has not made its socket yet. */
			uv_timer_start(&t->timer, tor_on_timer,
			    TOR_CTL_RETRY_MS, 0);
			return;
		}
		tor_note(t, N_("cannot reach tor's control port %s (%s); trying "
		    "again"), t->ctl_addr, uv_strerror(status));
		uv_timer_start(&t->timer, tor_on_timer,
		    TOR_RESTART_MAX_MS / 4, 0);
		return;
	}
	t->ctl_up = 1;
	if (uv_read_start((uv_stream_t *)&t->ctl, on_ctl_alloc,
	    on_ctl_read) != 0 || ctl_send(t, TC_PROTOCOLINFO,
	    "PROTOCOLINFO 1") != 0)
		ctl_lost(t, "failed", "cannot write");
}

void
tor_ctl_connect(struct tor *t)
{
	struct sockaddr_storage ss;
	const char *a = t->ctl_addr;
	int rc;

	if (t->ctl_open || t->stopping)
		return;
	t->connect.data = t;
	t->rlen = 0;
	t->nqueue = 0;
	if (strncmp(a, "unix:", 5) == 0 || a[0] == '/') {
		uv_pipe_init(t->d->loop, &t->ctl.pipe, 0);
		t->ctl.pipe.data = t;
		t->ctl_open = 1;
		t->handles++;
		uv_pipe_connect(&t->connect, &t->ctl.pipe, a[0] == '/' ? a :
		    a + 5, on_ctl_connect);
		return;
	}
	if (net_addr_parse(a, &ss) != 0) {
		tor_note(t, N_("bad --tor-control '%s' (want unix:PATH or "
		    "HOST:PORT)"), a);
		return;
	}
	uv_tcp_init(t->d->loop, &t->ctl.tcp);
	t->ctl.tcp.data = t;
	t->ctl_open = 1;
	t->handles++;
	if ((rc = uv_tcp_connect(&t->connect, &t->ctl.tcp,
	    (struct sockaddr *)&ss, on_ctl_connect)) != 0) {
		tor_ctl_close(t);
		tor_note(t, N_("cannot connect to tor's control port %s (%s)"), a,
		    uv_strerror(rc));
	}
}
