/* benchlib.c — the bench drivers' clock and control client (benchlib.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "benchlib.h"

static const char *prog = "bench";

void
benchlib_prog(const char *name)
{
	const char *slash = strrchr(name, '/');

	prog = slash != NULL ? slash + 1 : name;
}

void
benchlib_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t
benchlib_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
benchlib_sleep_us(uint64_t us)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
benchlib_connect(const char *home)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/balintd.sock",
	    home) >= (int)sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
send_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			benchlib_die("control socket: send: %s",
			    strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
recv_all(int fd, uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = recv(fd, p, len, 0)) < 0) {
			if (errno == EINTR)
				continue;
			benchlib_die("control socket: recv: %s",
			    strerror(errno));
		}
		if (n == 0)
			benchlib_die("control socket: the daemon hung up");
		p += n;
		len -= (size_t)n;
	}
}

void
benchlib_send(int fd, const struct ctl_req *req)
{
	uint8_t hdr[CTL_HDR_BYTES], *msg = NULL;
	size_t len = 0;
	int rc;

	if ((rc = ctl_req_encode(req, &msg, &len)) != 0 ||
	    (rc = ctl_frame_hdr(len, hdr)) != 0)
		benchlib_die("cannot encode a request: %s", bal_strerror(rc));
	send_all(fd, hdr, sizeof(hdr));
	send_all(fd, msg, len);
	free(msg);
}

struct ctl_resp *
benchlib_recv(int fd)
{
	struct ctl_resp *resp = NULL;
	uint8_t hdr[CTL_HDR_BYTES], *msg;
	size_t len;
	int rc;

	recv_all(fd, hdr, sizeof(hdr));
	if ((rc = ctl_frame_len(hdr, &len)) != 0)
		benchlib_die("control socket: bad length prefix");
	if ((msg = malloc(len)) == NULL)
		benchlib_die("out of memory");
	recv_all(fd, msg, len);
	rc = ctl_resp_decode(msg, len, &resp);
	free(msg);
	if (rc != 0)
		benchlib_die("control socket: bad response (%s)",
		    bal_strerror(rc));
	return resp;
}

void
benchlib_resp_ok(const struct ctl_resp *resp, const char *what)
{
	if (ctl_resp_status(resp) != CTL_OK)
		benchlib_die("%s: %s", what, ctl_resp_err(resp));
}

struct ctl_resp *
benchlib_call(int fd, const char *cmd)
{
	struct ctl_req *req;
	struct ctl_resp *resp;

	if (ctl_req_new(cmd, 1, &req) != 0)
		benchlib_die("cannot build request '%s'", cmd);
	benchlib_send(fd, req);
	ctl_req_free(req);
	resp = benchlib_recv(fd);
	benchlib_resp_ok(resp, cmd);
	return resp;
}

uint64_t
benchlib_entries(int fd)
{
	struct ctl_resp *resp = benchlib_call(fd, "status");
	const char *kind;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < ctl_resp_nrecords(resp); i++)
		if (ctl_resp_get_str(resp, i, "kind", &kind, NULL) == 0 &&
		    strcmp(kind, "group") == 0) {
			(void)ctl_resp_get_uint(resp, i, "entries", &n);
			break;
		}
	ctl_resp_free(resp);
	return n;
}

void
benchlib_fill(char *buf, size_t len, uint64_t seed)
{
	static const char words[] = "the patient said that the doctor felt "
	    "uneasy when the group asked about the relationship and what "
	    "stayed unspoken between them during the last consultation ";
	uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;
	size_t i, off;

	off = (size_t)(x % (sizeof(words) - 1));
	for (i = 0; i < len; i++) {
		buf[i] = words[off];
		off = (off + 1) % (sizeof(words) - 1);
	}
	/*
	 * A unique tag at the start, so no two notes are the same text: x's
	 * 16 nibbles as the letters a-p.  Letters, not hex digits, because
	 * a run of digits can pass an identity number's check digits and be
	 * stopped by the de-identification guard.
	 */
	if (len >= 17) {
		for (i = 0; i < 16; i++)
			buf[i] = (char)('a' + ((x >> (60 - 4 * i)) & 0xf));
		buf[16] = ' ';
	}
}
