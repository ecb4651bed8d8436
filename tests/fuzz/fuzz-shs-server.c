/*
 * fuzz-shs-server.c — the handshake state machine (proto/shs.c) in the
 * server role, fed an arbitrary client hello and client auth.
 *
 * Input: the first 64 bytes are the client hello (a shorter input is a
 * hello of the wrong length), the rest the client auth (any length).
 * The server is a multi-key listener (FUZZ_NET_KEYS keys) with a fixed
 * identity and a deterministic ephemeral key, so the seed corpus (real
 * transcripts of the fixed client, made with shs_client_new by
 * gen-corpus) completes the handshake.
 *
 * Checked: no memory error; a step writes exactly one message or nothing;
 * every error is final (BAL_ESTATE afterwards, no result); a completed
 * handshake names the fixed client, whose key the fuzzer cannot forge,
 * and a valid key index; nothing is written in answer to a hello that
 * fails.
 */
#include "fuzz.h"
#include "shs.h"

static struct identity *server, *client;
static uint8_t netkeys[FUZZ_NET_KEYS * BAL_KEY_BYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	server = fuzz_identity(FUZZ_SEED_SERVER);
	client = fuzz_identity(FUZZ_SEED_CLIENT);
	fuzz_net_keys(netkeys);
	return 0;
}

/* After an error: nothing more, ever. */
static void
check_dead(struct shs *s)
{
	uint8_t out[SHS_MSG_MAX], in[SHS_AUTH_BYTES];
	size_t outlen = sizeof(out);

	memset(in, 0, sizeof(in));
	fuzz_check(!shs_done(s) && shs_result(s) == NULL);
	fuzz_check(shs_expect(s) == 0);
	fuzz_check(shs_step(s, in, SHS_AUTH_BYTES, out, &outlen) ==
	    BAL_ESTATE && outlen == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct shs_result *res;
	struct shs *s = NULL;
	const uint8_t *hello, *auth;
	uint8_t out[SHS_MSG_MAX];
	size_t hlen, alen, outlen;
	int rc;

	fuzz_reset();
	fuzz_check(shs_server_new_multi(netkeys, FUZZ_NET_KEYS, server,
	    fuzz_rng(), &s) == 0);
	fuzz_check(shs_expect(s) == SHS_HELLO_BYTES);
	hlen = fuzz_take(&in, SHS_HELLO_BYTES, &hello);
	outlen = sizeof(out);
	rc = shs_step(s, hlen > 0 ? hello : NULL, hlen, out, &outlen);
	if (rc != 0) {
		fuzz_check(outlen == 0);
		check_dead(s);
		goto out;
	}
	fuzz_check(outlen == SHS_HELLO_BYTES);
	fuzz_check(shs_expect(s) == SHS_AUTH_BYTES);
	fuzz_check(!shs_done(s) && shs_result(s) == NULL);
	alen = fuzz_take(&in, in.n, &auth);
	outlen = sizeof(out);
	rc = shs_step(s, alen > 0 ? auth : NULL, alen, out, &outlen);
	if (rc != 0) {
		fuzz_check(rc == BAL_EPROTO || rc == BAL_ECRYPTO ||
		    rc == BAL_ESTATE);
		fuzz_check(outlen == 0);
		check_dead(s);
		goto out;
	}
	fuzz_check(outlen == SHS_ACCEPT_BYTES);
	fuzz_check(shs_done(s) && (res = shs_result(s)) != NULL);
	fuzz_check(!res->is_client && res->key_index < FUZZ_NET_KEYS);
	fuzz_check(memcmp(res->remote_pk, client->pk, BAL_PK_BYTES) == 0);
	fuzz_check(memcmp(res->c2s_key, res->s2c_key, BAL_KEY_BYTES) != 0);
	outlen = sizeof(out);
	fuzz_check(shs_step(s, auth, alen, out, &outlen) == BAL_ESTATE);
	fuzz_check(outlen == 0 && shs_result(s) == res);
out:
	shs_free(s);
	return 0;
}
