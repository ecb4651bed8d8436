/* peer-client.c — see peer-client.h. */
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

#include "peer-client.h"

int
write_full(int fd, const uint8_t *buf, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = send(fd, buf, len, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

int
read_full(int fd, uint8_t *buf, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = recv(fd, buf, len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Connects to hostport; rcvbuf > 0 shrinks our receive buffer first. */
int
dial(const char *hostport, int rcvbuf)
{
	struct sockaddr_in sa;
	char host[64];
	const char *colon = strrchr(hostport, ':');
	int fd;

	if (colon == NULL || (size_t)(colon - hostport) >= sizeof(host))
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads a small file into malloc'd memory. */
int
slurp(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL)
		return -1;
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(buf);
		return -1;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* Unlocks PROFILE/identity.key with $BALINT_PASSPHRASE_FILE. */
int
unlock(const char *dir, struct identity **me)
{
	char path[4096];
	const char *pf = getenv("BALINT_PASSPHRASE_FILE");
	uint8_t *key = NULL, *pass = NULL;
	size_t klen = 0, plen = 0;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/identity.key", dir);
	if (slurp(path, KEY_FILE_MAX, &key, &klen) != 0)
		goto out;
	if (pf != NULL && slurp(pf, PASS_MAX, &pass, &plen) == 0)
		plen = strcspn((char *)pass, "\r\n");
	if (identity_unseal(key, klen, pass != NULL ? (char *)pass : "",
	    plen, me) != 0)
		goto out;
	ret = 0;
out:
	if (pass != NULL)
		sodium_memzero(pass, plen);
	free(pass);
	free(key);
	return ret;
}

/* Opens a key sealed by daemon/store/keyring.c (purpose "epoch-key"). */
int
unseal_key(const struct identity *me, const uint8_t *gid, uint64_t epoch,
    const uint8_t *sealed, size_t len, uint8_t key[BAL_KEY_BYTES])
{
	static const char domain[] = "balint-keyring-v1";
	static const char purpose[] = "epoch-key";
	uint8_t master[crypto_kdf_KEYBYTES], k[32];
	uint8_t ad[sizeof(purpose) + BAL_GROUP_ID_BYTES + 8];
	const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	int i, ret = -1;

	if (len != 1 + nb + BAL_KEY_BYTES +
	    crypto_aead_xchacha20poly1305_ietf_ABYTES || sealed[0] != 1)
		return -1;
	memcpy(ad, purpose, sizeof(purpose));	/* with its NUL */
	memcpy(ad + sizeof(purpose), gid, BAL_GROUP_ID_BYTES);
	for (i = 0; i < 8; i++)
		ad[sizeof(purpose) + BAL_GROUP_ID_BYTES + i] =
		    (uint8_t)(epoch >> (56 - 8 * i));
	if (crypto_generichash(master, sizeof(master), me->sk, 32,
	    (const uint8_t *)domain, sizeof(domain) - 1) != 0 ||
	    crypto_kdf_derive_from_key(k, sizeof(k), 1, "balkeys1",
	    master) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL,
	    sealed + 1 + nb, len - 1 - nb, ad, sizeof(ad), sealed + 1, k) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(master, sizeof(master));
	sodium_memzero(k, sizeof(k));
	return ret;
}

/* Encodes m and sends it as one frame. */
int
send_msg(int fd, struct frame_tx *tx, const struct wire_msg *m)
{
	uint8_t *enc = NULL, *fr = NULL;
	size_t len = 0, frlen = 0;
	int ret = -1;

	if (wire_encode(m, &enc, &len) != 0 ||
	    frame_push(tx, enc, len, &fr, &frlen) != 0 ||
	    write_full(fd, fr, frlen) != 0)
		goto out;
	ret = 0;
out:
	free(enc);
	free(fr);
	return ret;
}

/* Decodes every whole message: 0 acked, 1 the stream ended, 2 more. */
uint64_t peer_client_data_in;

int
drain(struct frame_rx *rx, uint64_t want, char *bye, size_t byelen)
{
	struct wire_msg *m = NULL;
	uint8_t *msg = NULL;
	size_t mlen;
	int rc, acked;

	while ((rc = frame_rx_next(rx, &msg, &mlen)) == 0) {
		rc = wire_decode(msg, mlen, &m);
		frame_msg_free(msg);
		acked = rc == 0 && m->type == WIRE_ACK && m->ack.stored >= want;
		peer_client_data_in += rc == 0 && (m->type == WIRE_ENTRIES ||
		    m->type == WIRE_RUNS || m->type == WIRE_PUSH);
		if (rc == 0 && m->type == WIRE_BYE)
			snprintf(bye, byelen, " (BYE %s: %s)",
			    wire_bye_reason_name(m->bye.reason), m->bye.text);
		wire_msg_free(m);
		m = NULL;
		if (acked)
			return 0;
	}
	return rc == BAL_EAGAIN ? 2 : 1;
}

/*
 * Reads the daemon's messages until it ACKs `want` data messages or ends
 * the session: 0 acked, 1 closed, 3 silent for WAIT_MS.  Data messages it
 * sends are read but not acknowledged (its window only fills).
 */
int
await(int fd, struct frame_rx *rx, uint64_t want, char *bye, size_t byelen)
{
	/* Kept across calls: what follows an ACK in a read is the next's. */
	static uint8_t buf[4096];
	static size_t have, off;
	struct pollfd pfd;
	size_t n;
	ssize_t r;
	int rc, waited = 0;

	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		while (off < have) {
			if ((n = frame_rx_room(rx)) > have - off)
				n = have - off;
			if (n == 0 || frame_rx_feed(rx, buf + off, n) != 0)
				return 1;
			off += n;
			if ((rc = drain(rx, want, bye, byelen)) != 2)
				return rc;
		}
		if (waited >= WAIT_MS)
			return 3;
		if ((rc = poll(&pfd, 1, 100)) < 0 && errno != EINTR)
			return 1;
		if (rc <= 0) {
			waited += 100;
			continue;
		}
		if ((r = recv(fd, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 1;
		have = (size_t)r;
		off = 0;
	}
}

int
client_handshake(int fd, struct shs *s, struct record *rec, int *err)
{
	uint8_t in[SHS_MSG_MAX], msg[SHS_MSG_MAX];
	size_t need, outlen;
	int rc;

	while (!shs_done(s)) {
		need = shs_expect(s);
		if (need > 0 && read_full(fd, in, need) != 0)
			return 1;
		outlen = sizeof(msg);
		if ((rc = shs_step(s, need > 0 ? in : NULL, need, msg,
		    &outlen)) != 0) {
			*err = rc;
			return -1;
		}
		if (rec != NULL && rec->n < 4) {
			rec->need[rec->n] = need;
			memcpy(rec->out[rec->n], msg, outlen);
			rec->outlen[rec->n++] = outlen;
		}
		if (outlen > 0 && write_full(fd, msg, outlen) != 0)
			return 2;
	}
	return 0;
}
