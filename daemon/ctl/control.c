/* control.c — the control socket: clients, framing, dispatch (control.h). */
#define _GNU_SOURCE	/* struct ucred */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sodium.h>
#include <uv.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "profile.h"
#include "store.h"

#define CONTROL_READ_BYTES 65536
#define CONTROL_BACKLOG 64

struct ctl_client;

struct control {
	struct daemon *d;
	uv_pipe_t server;
	int listening;			/* server handle initialised */
	unsigned open_handles;		/* server + clients not yet closed */
	struct ctl_client *clients;
	char path[PROFILE_PATH_MAX];
	int stopped;
	int damage_logged;		/* the damaged store was logged */
};

struct ctl_client {
	struct control *ctl;
	uv_pipe_t pipe;
	struct ctl_client *next;
	struct ctl_client *prev;
	struct ctl_call *calls;		/* pending calls of this client */
	uint8_t hdr[CTL_HDR_BYTES];
	size_t hdrgot;
	uint8_t *msg;			/* the message being read */
	size_t need;
	size_t got;
	uint8_t *rbuf;			/* libuv read buffer */
	int closing;
	unsigned writes;		/* writes in flight */
	int close_after_write;
};

struct ctl_call {
	struct daemon *d;
	struct ctl_client *client;	/* NULL once the client is gone */
	struct ctl_call *next;		/* in client->calls */
	uint64_t id;
	char cmd[CTL_MAX_CMD + 1];
	unsigned long faults;		/* store_fault's count at the start */
	control_local_cb local;		/* an in-process caller (the page) */
	void *local_arg;
};

struct ctl_write {
	uv_write_t req;
	struct ctl_client *client;
	uint8_t *buf;
	size_t len;
};

static void client_close(struct ctl_client *c);

static void
control_release(struct control *ctl)
{
	if (ctl->open_handles == 0 && ctl->stopped)
		free(ctl);
}

static void
client_closed_cb(uv_handle_t *h)
{
	struct ctl_client *c = h->data;
	struct control *ctl = c->ctl;

	if (c->msg != NULL) {
		sodium_memzero(c->msg, c->need);
		free(c->msg);
	}
	if (c->rbuf != NULL) {
		sodium_memzero(c->rbuf, CONTROL_READ_BYTES);
		free(c->rbuf);
	}
	free(c);
	ctl->open_handles--;
	control_release(ctl);
}

/* Detaches the pending calls, unlinks and closes a client (once). */
static void
client_close(struct ctl_client *c)
{
	struct ctl_call *call;

	if (c->closing)
		return;
	c->closing = 1;
	while ((call = c->calls) != NULL) {
		c->calls = call->next;
		call->client = NULL;
		call->next = NULL;
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->ctl->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	uv_close((uv_handle_t *)&c->pipe, client_closed_cb);
}

static void
call_free(struct ctl_call *call)
{
	struct ctl_call **pp;

	if (call == NULL)
		return;
	if (call->client != NULL) {
		for (pp = &call->client->calls; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == call) {
				*pp = call->next;
				break;
			}
		}
	}
	free(call);
}

static void
write_cb(uv_write_t *req, int status)
{
	struct ctl_write *w = (struct ctl_write *)req;
	struct ctl_client *c = w->client;

	(void)status;
	sodium_memzero(w->buf, w->len);
	free(w->buf);
	free(w);
	c->writes--;
	if (c->close_after_write && c->writes == 0)
		client_close(c);
}

/* Queues one framed message; buf (taken over) is wiped after the write. */
static int
client_send(struct ctl_client *c, uint8_t *msg, size_t len)
{
	struct ctl_write *w = NULL;
	uv_buf_t b;
	int rc;

	if (c->closing || (w = calloc(1, sizeof(*w))) == NULL)
		goto fail;
	if ((w->buf = malloc(CTL_HDR_BYTES + len)) == NULL)
		goto fail;
	if (ctl_frame_hdr(len, w->buf) != 0)
		goto fail;
	memcpy(w->buf + CTL_HDR_BYTES, msg, len);
	w->len = CTL_HDR_BYTES + len;
	w->client = c;
	b = uv_buf_init((char *)w->buf, (unsigned)w->len);
	if ((rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1,
	    write_cb)) != 0) {
		daemon_log("control: cannot answer a client: %s",
		    uv_strerror(rc));
		goto fail;
	}
	c->writes++;
	sodium_memzero(msg, len);
	free(msg);
	return 0;
fail:
	if (w != NULL) {
		if (w->buf != NULL) {
			sodium_memzero(w->buf, CTL_HDR_BYTES + len);
			free(w->buf);
		}
		free(w);
	}
	sodium_memzero(msg, len);
	free(msg);
	return BAL_EIO;
}

/* Sends a bare error response (no call), e.g. for a version mismatch. */
static void
client_send_error(struct ctl_client *c, uint64_t id, int status,
    const char *msg)
{
	struct ctl_resp *resp = NULL;
	uint8_t *buf = NULL;
	size_t len;

	if (ctl_resp_new(id, status, msg, &resp) != 0 ||
	    ctl_resp_encode(resp, &buf, &len) != 0) {
		ctl_resp_free(resp);
		client_close(c);
		return;
	}
	ctl_resp_free(resp);
	if (client_send(c, buf, len) != 0)
		client_close(c);
}

struct daemon *
control_call_daemon(const struct ctl_call *call)
{
	return call->d;
}

struct ctl_resp *
control_call_resp(const struct ctl_call *call)
{
	struct ctl_resp *resp;

	if (ctl_resp_new(call->id, CTL_OK, NULL, &resp) != 0)
		return NULL;
	return resp;
}

void
control_reply(struct ctl_call *call, struct ctl_resp *resp)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if (resp == NULL) {
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	if ((rc = ctl_resp_encode(resp, &buf, &len)) != 0) {
		ctl_resp_free(resp);
		if (rc == BAL_ETOOBIG)
			control_fail(call, CTL_FAILED, N_("the answer to '%s' is "
			    "too large for one message"), call->cmd);
		else
			control_fail(call, CTL_FAILED, N_("cannot encode the "
			    "answer to '%s' (%s)"), call->cmd, bal_strerror(rc));
		return;
	}
	if (call->local != NULL) {
		sodium_memzero(buf, len);
		free(buf);
		/* A refusal may carry records (the guard's hits). */
		call->local(call->local_arg, ctl_resp_status(resp),
		    ctl_resp_err(resp), resp);
		ctl_resp_free(resp);
		call_free(call);
		return;
	}
	ctl_resp_free(resp);
	if (call->client != NULL) {
		if (client_send(call->client, buf, len) != 0)
			client_close(call->client);
	} else {
		sodium_memzero(buf, len);
		free(buf);
	}
	call_free(call);
}

/*
 * When the store failed during call (a full disk, a damaged file), says
 * so in msg instead of the handler's "(storage or I/O error)": what failed
 * is kept, the reason and what to do replace the parenthesis.
 */
static void
fault_text(struct ctl_call *call, char *msg, size_t len)
{
	struct daemon *d = call->d;
	struct control *ctl = d->control;
	char head[CTL_MAX_ERR], *p;
	const char *what;
	unsigned long n;
	size_t hl;
	int f, w;

	f = store_fault(d->store, &n, &what);
	if (f == STORE_FAULT_NONE || n == call->faults)
		return;
	snprintf(head, sizeof(head), "%s", msg);
	hl = strlen(head);
	if (hl > 0 && head[hl - 1] == ')' && (p = strrchr(head, '(')) !=
	    NULL && p > head + 1 && p[-1] == ' ')
		p[-1] = '\0';
	/* A long --home may cut the line short; the cause comes first. */
	if (f == STORE_FAULT_FULL)
		w = snprintf(msg, len, N_("%s: the disk holding '%s' is full, "
		    "nothing was written (free some space there, then try "
		    "again)"), head, d->home);
	else if (f == STORE_FAULT_DAMAGED)
		w = snprintf(msg, len, N_("%s: the store '%s/store.db' is damaged "
		    "(%s) and balintd writes nothing more to it: stop "
		    "balintd, then %s"), head, d->home, what,
		    PROFILE_DAMAGED_FIX);
	else
		w = snprintf(msg, len, N_("%s: cannot use the store '%s/store.db' "
		    "(%s): check the disk and the file's permissions, then "
		    "restart balintd"), head, d->home, what);
	if (w < 0)
		snprintf(msg, len, "%s", head);
	if (f != STORE_FAULT_DAMAGED || (ctl != NULL && !ctl->damage_logged))
		daemon_log("control: %s: %s", call->cmd, msg);
	if (f == STORE_FAULT_DAMAGED && ctl != NULL)
		ctl->damage_logged = 1;
}

void
control_fail(struct ctl_call *call, int status, const char *fmt, ...)
{
	char msg[CTL_MAX_ERR];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (msg[0] == '\0')
		snprintf(msg, sizeof(msg), N_("'%s' failed"), call->cmd);
	if (status != CTL_USAGE)
		status = CTL_FAILED;
	if (status == CTL_FAILED)
		fault_text(call, msg, sizeof(msg));
	if (call->local != NULL)
		call->local(call->local_arg, status, msg, NULL);
	else if (call->client != NULL)
		client_send_error(call->client, call->id, status, msg);
	call_free(call);
}

/* Runs the handler of a call's command; it answers the call. */
static void
dispatch(struct ctl_call *call, const struct ctl_req *req)
{
	const struct handlers_cmd *h;

	if ((h = handlers_find(ctl_req_cmd(req))) == NULL)
		control_fail(call, CTL_USAGE, N_("unknown command '%s' (this "
		    "balintd is version %s)"), ctl_req_cmd(req),
		    BAL_VERSION_STRING);
	else if (!handlers_lock_serves(call->d, ctl_req_cmd(req)))
		control_fail(call, CTL_FAILED, N_("balintd is locked: it syncs "
		    "nothing until you unlock it (run: balint unlock)"));
	else
		h->fn(call, req);
}

/* Decodes and dispatches one whole message; 0, or -1 to drop the client. */
static int
client_message(struct ctl_client *c, const uint8_t *buf, size_t len)
{
	struct ctl_req *req = NULL;
	struct ctl_call *call;
	char msg[256];
	int rc;

	rc = ctl_req_decode(buf, len, &req);
	if (rc == BAL_EVERSION) {
		snprintf(msg, sizeof(msg), N_("control protocol version %llu is "
		    "not supported: this balintd speaks version %d (use "
		    "balint and balintd of the same release)"),
		    (unsigned long long)ctl_req_version(req), CTL_VERSION);
		daemon_log("control: client speaks version %llu, not %d",
		    (unsigned long long)ctl_req_version(req), CTL_VERSION);
		c->close_after_write = 1;
		client_send_error(c, ctl_req_id(req), CTL_USAGE, msg);
		ctl_req_free(req);
		return 0;
	}
	if (rc != 0) {
		daemon_log("control: closing a client that sent a malformed "
		    "request (%s)", bal_strerror(rc));
		return -1;
	}
	if ((call = calloc(1, sizeof(*call))) == NULL) {
		client_send_error(c, ctl_req_id(req), CTL_FAILED,
		    "balintd ran out of memory");
		ctl_req_free(req);
		return 0;
	}
	call->d = c->ctl->d;
	call->client = c;
	call->id = ctl_req_id(req);
	(void)store_fault(call->d->store, &call->faults, NULL);
	snprintf(call->cmd, sizeof(call->cmd), "%s", ctl_req_cmd(req));
	call->next = c->calls;
	c->calls = call;
	dispatch(call, req);
	ctl_req_free(req);
	return 0;
}

void
control_call_local(struct daemon *d, const struct ctl_req *req,
    control_local_cb cb, void *arg)
{
	struct ctl_call *call;

	if ((call = calloc(1, sizeof(*call))) == NULL) {
		cb(arg, CTL_FAILED, "balintd ran out of memory", NULL);
		return;
	}
	call->d = d;
	call->local = cb;
	call->local_arg = arg;
	call->id = ctl_req_id(req);
	(void)store_fault(d->store, &call->faults, NULL);
	snprintf(call->cmd, sizeof(call->cmd), "%s", ctl_req_cmd(req));
	dispatch(call, req);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ctl_client *c = h->data;

	(void)suggested;
	if (c->rbuf == NULL)
		c->rbuf = malloc(CONTROL_READ_BYTES);
	*buf = uv_buf_init((char *)c->rbuf,
	    c->rbuf != NULL ? CONTROL_READ_BYTES : 0);
}

static void
read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_client *c = s->data;
	const uint8_t *p = (const uint8_t *)buf->base;
	size_t n, take;
	int rc;

	if (nread < 0) {
		if (nread != UV_EOF)
			daemon_log("control: client read failed: %s",
			    uv_strerror((int)nread));
		client_close(c);
		return;
	}
	n = (size_t)nread;
	while (n > 0 && !c->closing && !c->close_after_write) {
		if (c->msg == NULL) {
			take = CTL_HDR_BYTES - c->hdrgot;
			if (take > n)
				take = n;
			memcpy(c->hdr + c->hdrgot, p, take);
			c->hdrgot += take;
			p += take;
			n -= take;
			if (c->hdrgot < CTL_HDR_BYTES)
				break;
			if ((rc = ctl_frame_len(c->hdr, &c->need)) != 0) {
				daemon_log("control: closing a client that "
				    "sent a bad frame length (%s)",
				    bal_strerror(rc));
				client_close(c);
				break;
			}
			if ((c->msg = malloc(c->need)) == NULL) {
				daemon_log("control: out of memory for a "
				    "%zu-byte request", c->need);
				client_close(c);
				break;
			}
			c->got = 0;
		}
		take = c->need - c->got;
		if (take > n)
			take = n;
		memcpy(c->msg + c->got, p, take);
		c->got += take;
		p += take;
		n -= take;
		if (c->got == c->need) {
			uint8_t *m = c->msg;
			size_t mlen = c->need;

			c->msg = NULL;
			c->hdrgot = 0;
			rc = client_message(c, m, mlen);
			sodium_memzero(m, mlen);
			free(m);
			if (rc != 0) {
				client_close(c);
				break;
			}
		}
	}
	if (nread > 0)
		sodium_memzero(buf->base, (size_t)nread);
}

/* Checks the connecting uid; 0 when it is ours. */
static int
peer_uid_ok(uv_pipe_t *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)p, &fd) != 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred)) {
		daemon_log("control: cannot read a client's credentials: %s",
		    strerror(errno));
		return -1;
	}
	if (cred.uid != getuid()) {
		daemon_log("refused control client uid %lu",
		    (unsigned long)cred.uid);
		return -1;
	}
	return 0;
}

static void
connection_cb(uv_stream_t *server, int status)
{
	struct control *ctl = server->data;
	struct ctl_client *c;
	int rc;

	if (status < 0) {
		daemon_log("control: accept failed: %s", uv_strerror(status));
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		daemon_log("control: out of memory for a client");
		return;
	}
	c->ctl = ctl;
	if ((rc = uv_pipe_init(ctl->d->loop, &c->pipe, 0)) != 0) {
		daemon_log("control: %s", uv_strerror(rc));
		free(c);
		return;
	}
	c->pipe.data = c;
	ctl->open_handles++;
	c->next = ctl->clients;
	if (ctl->clients != NULL)
		ctl->clients->prev = c;
	ctl->clients = c;
	if ((rc = uv_accept(server, (uv_stream_t *)&c->pipe)) != 0) {
		daemon_log("control: accept failed: %s", uv_strerror(rc));
		client_close(c);
		return;
	}
	if (peer_uid_ok(&c->pipe) != 0) {
		client_close(c);
		return;
	}
	if ((rc = uv_read_start((uv_stream_t *)&c->pipe, alloc_cb,
	    read_cb)) != 0) {
		daemon_log("control: %s", uv_strerror(rc));
		client_close(c);
	}
}

static void
server_closed_cb(uv_handle_t *h)
{
	struct control *ctl = h->data;

	ctl->open_handles--;
	control_release(ctl);
}

/*
 * Probes an existing socket file: 1 if a daemon answers on it, 0 if it is
 * stale (removed), negative with err set otherwise.
 */
static int
probe_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat sb;
	int fd, rc;

	if (lstat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check '%s': %s", path,
		    strerror(errno));
		return BAL_EIO;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, errlen, "'%s' exists and is not a socket "
		    "(remove it)", path);
		return BAL_EEXIST;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return BAL_EIO;
	}
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc != 0)
		rc = errno;
	close(fd);
	if (rc == 0)
		return 1;
	if (rc != ECONNREFUSED && rc != ENOENT) {
		snprintf(err, errlen, "cannot check whether a balintd answers "
		    "on '%s': %s", path, strerror(rc));
		return BAL_EIO;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale socket '%s': "
		    "%s", path, strerror(errno));
		return BAL_EIO;
	}
	return 0;
}

int
control_start(struct daemon *d, char *err, size_t errlen)
{
	struct control *ctl = NULL;
	struct sockaddr_un sa;
	mode_t old;
	int rc, ret = BAL_EIO;

	if (errlen > 0)
		err[0] = '\0';
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return BAL_ENOMEM;
	}
	ctl->d = d;
	/*
	 * A client that hangs up before its answer is written must cost an
	 * EPIPE, not the daemon (libuv leaves SIGPIPE alone).
	 */
	signal(SIGPIPE, SIG_IGN);
	if (profile_path(d->home, "balintd.sock", ctl->path,
	    sizeof(ctl->path)) != 0 ||
	    strlen(ctl->path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "the socket path '%s/balintd.sock' is "
		    "too long (at most %zu bytes); use a shorter --home",
		    d->home, sizeof(sa.sun_path) - 1);
		ret = BAL_ETOOBIG;
		goto out;
	}
	if ((rc = probe_socket(ctl->path, err, errlen)) < 0) {
		ret = rc;
		goto out;
	}
	if (rc == 1) {
		snprintf(err, errlen, "balintd is already running for '%s' "
		    "(it answers on '%s')", d->home, ctl->path);
		ret = BAL_EEXIST;
		goto out;
	}
	if ((rc = uv_pipe_init(d->loop, &ctl->server, 0)) != 0) {
		snprintf(err, errlen, "control socket: %s", uv_strerror(rc));
		goto out;
	}
	ctl->server.data = ctl;
	ctl->listening = 1;
	ctl->open_handles = 1;
	/* Made 0600 at once: no moment at 0700 before the chmod below. */
	old = umask(0177);
	rc = uv_pipe_bind(&ctl->server, ctl->path);
	umask(old);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create the control socket "
		    "'%s': %s", ctl->path, uv_strerror(rc));
		goto out;
	}
	if (chmod(ctl->path, 0600) != 0) {
		snprintf(err, errlen, "cannot chmod 0600 '%s': %s",
		    ctl->path, strerror(errno));
		unlink(ctl->path);
		goto out;
	}
	if ((rc = uv_listen((uv_stream_t *)&ctl->server, CONTROL_BACKLOG,
	    connection_cb)) != 0) {
		snprintf(err, errlen, "cannot listen on '%s': %s", ctl->path,
		    uv_strerror(rc));
		unlink(ctl->path);
		goto out;
	}
	d->control = ctl;
	ctl = NULL;
	ret = 0;
out:
	if (ctl != NULL) {
		ctl->stopped = 1;
		if (ctl->listening)
			uv_close((uv_handle_t *)&ctl->server,
			    server_closed_cb);
		else
			free(ctl);
	}
	return ret;
}

void
control_stop(struct daemon *d)
{
	struct control *ctl = d->control;

	if (ctl == NULL)
		return;
	d->control = NULL;
	ctl->stopped = 1;
	while (ctl->clients != NULL)
		client_close(ctl->clients);
	unlink(ctl->path);
	uv_close((uv_handle_t *)&ctl->server, server_closed_cb);
}
