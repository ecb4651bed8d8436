/*
 * shs-peer.c — runs one role of the Secret Handshake (proto/shs.c) over
 * stdin/stdout, for the interoperability test against the JavaScript
 * `secret-handshake` package (tests/interop/shs-interop.sh).
 *
 *	shs-peer client NETKEY SEED SERVER_PK RESULT_FILE
 *	shs-peer server NETKEY SEED RESULT_FILE
 *
 * NETKEY, SEED (the Ed25519 seed of our member key) and SERVER_PK are 64
 * hex digits.  The handshake bytes go over stdin (from the peer) and
 * stdout (to the peer); on success RESULT_FILE gets "name=hex" lines
 * (local_pk, remote_pk, enc_key, enc_nonce, dec_key, dec_nonce, c2s_key,
 * s2c_key), stdout is closed and stdin is read to its end, so that the
 * peer can finish writing before we exit.  Exit status 0 on success, 1 on
 * a failed handshake, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "identity.h"
#include "shs.h"

static int
parse_hex32(const char *what, const char *h, uint8_t out[32])
{
	size_t n;

	if (sodium_hex2bin(out, 32, h, strlen(h), NULL, &n, NULL) != 0 ||
	    n != 32 || strlen(h) != 64) {
		fprintf(stderr, "shs-peer: %s '%s' is not 64 hex digits\n",
		    what, h);
		return -1;
	}
	return 0;
}

static int
read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const uint8_t *buf, size_t len)
{
	size_t put = 0;
	ssize_t r;

	while (put < len) {
		r = write(fd, buf + put, len - put);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		put += (size_t)r;
	}
	return 0;
}

static void
put_hex(FILE *f, const char *name, const uint8_t *p, size_t len)
{
	char h[2 * 64 + 1];

	sodium_bin2hex(h, sizeof(h), p, len);
	fprintf(f, "%s=%s\n", name, h);
}

static int
write_result(const char *path, const struct identity *me,
    const struct shs_result *r)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "shs-peer: cannot write '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	put_hex(f, "local_pk", me->pk, 32);
	put_hex(f, "remote_pk", r->remote_pk, 32);
	put_hex(f, "enc_key", r->enc_key, 32);
	put_hex(f, "enc_nonce", r->enc_nonce, 24);
	put_hex(f, "dec_key", r->dec_key, 32);
	put_hex(f, "dec_nonce", r->dec_nonce, 24);
	put_hex(f, "c2s_key", r->c2s_key, 32);
	put_hex(f, "s2c_key", r->s2c_key, 32);
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct identity *me = NULL;
	struct shs *s = NULL;
	uint8_t k[32], seed[32], server_pk[32], in[SHS_MSG_MAX],
	    out[SHS_MSG_MAX];
	const char *result;
	size_t need, outlen;
	int client, ret = 1, err;

	if (argc == 6 && strcmp(argv[1], "client") == 0)
		client = 1;
	else if (argc == 5 && strcmp(argv[1], "server") == 0)
		client = 0;
	else {
		fprintf(stderr, "usage: shs-peer client NETKEY SEED SERVER_PK "
		    "RESULT_FILE\n       shs-peer server NETKEY SEED "
		    "RESULT_FILE\n");
		return 2;
	}
	result = argv[argc - 1];
	if (sodium_init() < 0)
		return 1;
	ret = 2;
	if (parse_hex32("network key", argv[2], k) != 0 ||
	    parse_hex32("seed", argv[3], seed) != 0 ||
	    (client && parse_hex32("server key", argv[4], server_pk) != 0))
		goto out;
	ret = 1;
	if (identity_from_seed(seed, &me) != 0)
		goto out;
	err = client ? shs_client_new(k, me, server_pk, NULL, &s) :
	    shs_server_new(k, me, NULL, &s);
	if (err != 0) {
		fprintf(stderr, "shs-peer: %s\n", bal_strerror(err));
		goto out;
	}
	while (!shs_done(s)) {
		need = shs_expect(s);
		if (need > 0 && read_full(0, in, need) != 0) {
			fprintf(stderr, "shs-peer: peer hung up during the "
			    "handshake\n");
			goto out;
		}
		outlen = sizeof(out);
		err = shs_step(s, need > 0 ? in : NULL, need, out, &outlen);
		if (err != 0) {
			fprintf(stderr, "shs-peer: handshake failed: %s\n",
			    bal_strerror(err));
			goto out;
		}
		if (outlen > 0 && write_full(1, out, outlen) != 0) {
			fprintf(stderr, "shs-peer: write: %s\n",
			    strerror(errno));
			goto out;
		}
	}
	if (write_result(result, me, shs_result(s)) != 0)
		goto out;
	/* Done: close our side, then let the peer finish (it ends its side). */
	close(1);
	while (read(0, in, sizeof(in)) > 0)
		;
	ret = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(k, sizeof(k));
	shs_free(s);
	identity_free(me);
	return ret;
}
