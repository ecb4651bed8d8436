/*
 * client.c — balint's side of the control socket: connect to
 * DIR/balintd.sock, send one request, read one response (proto/ctl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"
#include "ctl.h"

#define CLIENT_MARGIN_MS 30000u
#define CLIENT_DEFAULT_MS 60000u

static int
send_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0, or -1 with errno (0 for a clean end of stream). */
static int
recv_all(int fd, uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = recv(fd, p, len, 0)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = 0;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct ctl_req *
client_req(const char *cmd, const char *group)
{
	struct ctl_req *req;

	if (ctl_req_new(cmd, 1, &req) != 0)
		return NULL;
	if (group != NULL && ctl_req_add_str(req, "group", group) != 0) {
		ctl_req_free(req);
		return NULL;
	}
	return req;
}

int
client_not_running(const struct cli *c)
{
	char key[CLI_PATH_MAX + 16], opt[CLI_PATH_MAX + 16] = "";

	/* --home as given, so that the command can be pasted as it is. */
	if (c->home_opt != NULL)
		snprintf(opt, sizeof(opt), "--home '%s' ", c->home);
	snprintf(key, sizeof(key), "%s/identity.key", c->home);
	if (access(key, F_OK) != 0)
		util_err(_("there is no profile in %s yet: first run balint "
		    "%sinit --name NAME"), c->home, opt);
	else
		util_err(_("balintd is not running for %s (start it: balint "
		    "%sdaemon start)"), c->home, opt);
	return CLI_NODAEMON;
}

/* The daemon hung up before answering: another user's, or a bad request. */
static void
closed_early(const struct cli *c)
{
	util_err(_("balintd for %s closed the connection without an answer "
	    "(it serves only the user it runs as; see its log)"), c->home);
}

/* client_call; keep: a refusal that carries records is handed back. */
static int
call(struct cli *c, const struct ctl_req *req, uint64_t wait_ms,
    struct ctl_resp **out, int keep)
{
	struct sockaddr_un sa;
	struct timeval tv;
	struct ctl_resp *resp = NULL;
	uint8_t hdr[CTL_HDR_BYTES], *msg = NULL, *in = NULL;
	char text[CTL_MAX_ERR];
	size_t len = 0, inlen = 0;
	uint64_t ms;
	int fd = -1, rc, ret = CLI_FAILED;

	*out = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/balintd.sock",
	    c->home) >= (int)sizeof(sa.sun_path)) {
		util_err(_("the socket path '%s/balintd.sock' is too long; use "
		    "a shorter --home"), c->home);
		return CLI_USAGE;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		util_err(_("socket: %s"), strerror(errno));
		return CLI_FAILED;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (errno == ENOENT || errno == ECONNREFUSED ||
		    errno == ENOTDIR)
			ret = client_not_running(c);
		else {
			util_err(_("cannot reach balintd for %s (%s: %s)"),
			    c->home, sa.sun_path, strerror(errno));
			ret = CLI_NODAEMON;
		}
		goto out;
	}
	ms = (wait_ms > 0 ? wait_ms : CLIENT_DEFAULT_MS) + CLIENT_MARGIN_MS;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((rc = ctl_req_encode(req, &msg, &len)) != 0) {
		util_err(rc == BAL_ETOOBIG ? "the request is too large" :
		    "cannot encode the request (%s)", bal_strerror(rc));
		goto out;
	}
	if (ctl_frame_hdr(len, hdr) != 0 || send_all(fd, hdr, sizeof(hdr)) ||
	    send_all(fd, msg, len) != 0) {
		if (errno == EPIPE || errno == ECONNRESET)
			closed_early(c);
		else
			util_err(_("cannot talk to balintd for %s: %s"),
			    c->home, strerror(errno));
		goto out;
	}
	if (recv_all(fd, hdr, sizeof(hdr)) != 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			util_err(_("balintd did not answer within %llu s (see "
			    "its log)"), (unsigned long long)(ms / 1000));
		else
			closed_early(c);
		goto out;
	}
	if (ctl_frame_len(hdr, &inlen) != 0 || (in = malloc(inlen)) == NULL) {
		util_err(_("balintd sent a malformed answer"));
		goto out;
	}
	if (recv_all(fd, in, inlen) != 0) {
		util_err(_("balintd's answer was cut short (see its log)"));
		goto out;
	}
	rc = ctl_resp_decode(in, inlen, &resp);
	if (rc == BAL_EVERSION) {
		util_err(_("balintd speaks control protocol version %llu, this "
		    "balint speaks %d (use balint and balintd of the same "
		    "release)"), (unsigned long long)ctl_resp_version(resp),
		    CTL_VERSION);
		goto out;
	}
	if (rc != 0) {
		util_err(_("balintd sent a malformed answer (%s)"),
		    bal_strerror(rc));
		goto out;
	}
	if (ctl_resp_id(resp) != ctl_req_id(req)) {
		util_err(_("balintd answered another request"));
		goto out;
	}
	if (ctl_resp_status(resp) != CTL_OK) {
		ret = ctl_resp_status(resp) == CTL_USAGE ? CLI_USAGE :
		    CLI_FAILED;
		if (keep && ctl_resp_nrecords(resp) > 0) {
			*out = resp;
			resp = NULL;
			goto out;
		}
		util_err("%s", daemon_text(ctl_resp_err(resp), text,
		    sizeof(text)));
		goto out;
	}
	*out = resp;
	resp = NULL;
	ret = CLI_OK;
out:
	ctl_resp_free(resp);
	if (msg != NULL) {
		sodium_memzero(msg, len);
		free(msg);
	}
	if (in != NULL) {
		sodium_memzero(in, inlen);
		free(in);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int
client_ask(struct cli *c, const char *cmd, const char *group,
    struct ctl_resp **out)
{
	struct ctl_req *req;
	int rc;

	if ((req = client_req(cmd, group)) == NULL) {
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, out);
	ctl_req_free(req);
	return rc;
}

int
client_call_str(struct cli *c, const char *cmd, const char *group,
    const char *key, const char *value, struct ctl_resp **out)
{
	struct ctl_req *req;
	int rc;

	if ((req = client_req(cmd, group)) == NULL ||
	    ctl_req_add_str(req, key, value) != 0) {
		ctl_req_free(req);
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, out);
	ctl_req_free(req);
	return rc;
}

int
client_group_name(struct cli *c, const char *group, char *out, size_t outlen)
{
	struct ctl_resp *resp = NULL;
	const char *s;
	int rc;

	if (outlen > 0)
		out[0] = '\0';
	rc = client_ask(c, "contract.show", group, &resp);
	if (rc != CLI_OK)
		return rc;
	if (ctl_resp_get_str(resp, 0, "name", &s, NULL) == 0)
		snprintf(out, outlen, "%s", s);
	ctl_resp_free(resp);
	return CLI_OK;
}

int
client_call(struct cli *c, const struct ctl_req *req, uint64_t wait_ms,
    struct ctl_resp **out)
{
	return call(c, req, wait_ms, out, 0);
}

int
client_call_keep(struct cli *c, const struct ctl_req *req, uint64_t wait_ms,
    struct ctl_resp **out)
{
	return call(c, req, wait_ms, out, 1);
}
