/*
 * bad-peer.c — a misbehaving joiner for tests/integration/bad-input.sh: it
 * completes the Secret Handshake with an inviter's balintd under the
 * network key of an invite code (so its bytes reach the frame layer and the
 * join conversation, past the handshake), then sends one kind of bad input
 * and waits until the daemon closes the connection.
 *
 *	bad-peer HOST:PORT CODE MODE
 *
 * MODE is one of:
 *	huge       a frame length prefix of 0xffffffff
 *	overmax    a length prefix one above the largest frame
 *	undermin   a length prefix below the smallest frame
 *	junk       a plausible length prefix followed by random bytes
 *	truncated  half a frame, then our side of the connection is shut
 *	noheader   a few bytes of the stream header, then shut
 *	garbage    a well-formed frame carrying random bytes
 *	version    a JOIN_HELLO of the next join protocol version
 *	forged     a JOIN_ACCEPT whose contract signature is random
 *	final      an empty FINAL frame, then more bytes after it
 *	stall      half a frame, then silence (our side stays open)
 *
 * HOST is a numeric IPv4 address.  Prints one line: "closed after N bytes"
 * (what the daemon sent after its handshake messages).  Exit status 0 when
 * the daemon closed the connection, 1 when the handshake failed, 2 on bad
 * usage, 3 when the daemon kept the connection open for 25 s.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sodium.h>

#include "frame.h"
#include "identity.h"
#include "invcode.h"
#include "joinmsg.h"
#include "shs.h"
#include "peer-client.h"


static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Sends one whole frame carrying msg[0..len) (final: tag FINAL). */
static int
send_frame(int fd, struct frame_tx *tx, const uint8_t *msg, size_t len,
    int final)
{
	uint8_t *fr = NULL;
	size_t frlen;
	int rc;

	rc = final ? frame_push_final(tx, msg, len, &fr, &frlen) :
	    frame_push(tx, msg, len, &fr, &frlen);
	if (rc != 0)
		return -1;
	rc = write_full(fd, fr, frlen);
	free(fr);
	return rc;
}

/* msgpack of [16, JOINMSG_VERSION + 1, group bin32, false]: a JOIN_HELLO of
 * the next join protocol version, which this daemon does not speak. */
static size_t
hello_next(const uint8_t group[BAL_GROUP_ID_BYTES], uint8_t *out)
{
	size_t n = 0;

	out[n++] = 0x94;
	out[n++] = 16;
	out[n++] = JOINMSG_VERSION + 1;	/* a positive fixint */
	out[n++] = 0xc4;
	out[n++] = BAL_GROUP_ID_BYTES;
	memcpy(out + n, group, BAL_GROUP_ID_BYTES);
	n += BAL_GROUP_ID_BYTES;
	out[n++] = 0xc2;
	return n;
}

/* The bad input of mode after the handshake; -1 for an unknown mode. */
static int
attack(int fd, struct frame_tx *tx, const uint8_t *header,
    const struct invcode *ic, const char *mode)
{
	uint8_t buf[512], pre[4];
	struct joinmsg m;
	uint8_t *enc = NULL;
	size_t len;
	int rc;

	if (strcmp(mode, "noheader") == 0) {
		if (write_full(fd, header, FRAME_HEADER_BYTES / 2) != 0)
			return -1;
		shutdown(fd, SHUT_WR);
		return 0;
	}
	if (write_full(fd, header, FRAME_HEADER_BYTES) != 0)
		return -1;
	randombytes_buf(buf, sizeof(buf));
	if (strcmp(mode, "huge") == 0) {
		put_be32(pre, 0xffffffffu);
		return write_full(fd, pre, 4) || write_full(fd, buf, 64);
	}
	if (strcmp(mode, "overmax") == 0) {
		put_be32(pre, FRAME_ABYTES + FRAME_MAX_PLAIN + 1);
		return write_full(fd, pre, 4) || write_full(fd, buf, 64);
	}
	if (strcmp(mode, "undermin") == 0) {
		put_be32(pre, 3);
		return write_full(fd, pre, 4) || write_full(fd, buf, 64);
	}
	if (strcmp(mode, "junk") == 0) {
		put_be32(pre, 200);
		return write_full(fd, pre, 4) || write_full(fd, buf, 200);
	}
	if (strcmp(mode, "truncated") == 0 || strcmp(mode, "stall") == 0) {
		put_be32(pre, 200);
		if (write_full(fd, pre, 4) || write_full(fd, buf, 100))
			return -1;
		if (strcmp(mode, "truncated") == 0)
			shutdown(fd, SHUT_WR);
		return 0;
	}
	if (strcmp(mode, "garbage") == 0)
		return send_frame(fd, tx, buf, 40, 0);
	if (strcmp(mode, "version") == 0)
		return send_frame(fd, tx, buf, hello_next(ic->group, buf), 0);
	if (strcmp(mode, "forged") == 0) {
		memset(&m, 0, sizeof(m));
		m.type = JOIN_ACCEPT;
		snprintf(m.name, sizeof(m.name), "mallory");
		randombytes_buf(m.sig, sizeof(m.sig));
		if (joinmsg_encode(&m, &enc, &len) != 0)
			return -1;
		rc = send_frame(fd, tx, enc, len, 0);
		free(enc);
		return rc;
	}
	if (strcmp(mode, "final") == 0)
		return send_frame(fd, tx, NULL, 0, 1) ||
		    write_full(fd, buf, 64);
	return -1;
}

int
main(int argc, char **argv)
{
	struct identity *me = NULL;
	struct shs *s = NULL;
	struct frame_tx *tx = NULL;
	struct invcode ic;
	struct pollfd pfd;
	uint8_t netkey[BAL_KEY_BYTES], header[FRAME_HEADER_BYTES];
	uint8_t rbuf[4096];
	size_t got = 0;
	ssize_t r;
	int fd = -1, ret = 2, rc, err = 0, waited = 0;

	memset(&ic, 0, sizeof(ic));
	if (argc != 4) {
		fprintf(stderr, "usage: bad-peer HOST:PORT CODE MODE\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if ((rc = invcode_decode(argv[2], &ic)) != 0) {
		fprintf(stderr, "bad-peer: not an invite code (%s)\n",
		    bal_strerror(rc));
		goto out;
	}
	ret = 1;
	if (shs_invite_network_key(ic.secret, ic.group, netkey) != 0 ||
	    identity_generate(NULL, &me) != 0 ||
	    shs_client_new(netkey, me, ic.inviter, NULL, &s) != 0)
		goto out;
	if ((fd = dial(argv[1], 0)) < 0) {
		fprintf(stderr, "bad-peer: cannot connect to %s: %s\n",
		    argv[1], strerror(errno));
		goto out;
	}
	if ((rc = client_handshake(fd, s, NULL, &err)) != 0) {
		if (rc == 1)
			fprintf(stderr, "bad-peer: the daemon hung up during "
			    "the handshake\n");
		else if (rc < 0)
			fprintf(stderr, "bad-peer: handshake failed: %s\n",
			    bal_strerror(err));
		goto out;
	}
	if (frame_tx_new(shs_result(s)->c2s_key, header, &tx) != 0)
		goto out;
	ret = 2;
	if ((rc = attack(fd, tx, header, &ic, argv[3])) != 0) {
		fprintf(stderr, "bad-peer: mode '%s' failed (unknown mode, or "
		    "the daemon hung up early)\n", argv[3]);
		goto out;
	}
	/* Wait for the daemon to close; count what it sends meanwhile. */
	ret = 3;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (waited < WAIT_MS) {
		if ((rc = poll(&pfd, 1, 100)) < 0 && errno != EINTR)
			break;
		if (rc <= 0) {
			waited += 100;
			continue;
		}
		if ((r = recv(fd, rbuf, sizeof(rbuf), 0)) > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		printf("closed after %zu bytes\n", got);
		ret = 0;
		break;
	}
	if (ret == 3)
		printf("still open after %d s\n", WAIT_MS / 1000);
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(netkey, sizeof(netkey));
	invcode_wipe(&ic);
	frame_tx_free(tx);
	shs_free(s);
	identity_free(me);
	return ret;
}
