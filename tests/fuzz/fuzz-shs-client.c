/*
 * fuzz-shs-client.c — the handshake state machine (proto/shs.c) in the
 * client role, fed an arbitrary server hello and server accept.
 *
 * Input: the first 64 bytes are the server hello (a shorter input is a
 * hello of the wrong length), the rest the server accept (any length).
 * The client has a fixed identity, network key (FUZZ_KEY_NET) and
 * deterministic ephemeral key; the seed corpus holds the real answers of
 * the fixed server (made with shs_server_new by gen-corpus).
 *
 * Checked: no memory error; every error is final; a completed handshake
 * names the fixed server and derives exactly the keys of the genuine
 * transcript (computed once at start-up by running the real server), so
 * no mutated answer is ever accepted with other keys.
 */
#include "fuzz.h"
#include "shs.h"

static struct identity *server, *client;
static uint8_t netkey[BAL_KEY_BYTES];
static struct shs_result want;	/* of the genuine handshake */

/* Runs client and server to the end, as gen-corpus does. */
static void
genuine(void)
{
	struct shs *c = NULL, *s = NULL;
	uint8_t a[SHS_MSG_MAX], b[SHS_MSG_MAX];
	size_t alen, blen;

	fuzz_reset();
	fuzz_check(shs_client_new(netkey, client, server->pk, fuzz_rng(),
	    &c) == 0);
	fuzz_check(shs_server_new(netkey, server, fuzz_rng(), &s) == 0);
	alen = sizeof(a);
	fuzz_check(shs_step(c, NULL, 0, a, &alen) == 0);
	blen = sizeof(b);
	fuzz_check(shs_step(s, a, alen, b, &blen) == 0);
	alen = sizeof(a);
	fuzz_check(shs_step(c, b, blen, a, &alen) == 0);
	blen = sizeof(b);
	fuzz_check(shs_step(s, a, alen, b, &blen) == 0);
	alen = sizeof(a);
	fuzz_check(shs_step(c, b, blen, a, &alen) == 0 && alen == 0);
	fuzz_check(shs_done(c));
	want = *shs_result(c);
	shs_free(c);
	shs_free(s);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	server = fuzz_identity(FUZZ_SEED_SERVER);
	client = fuzz_identity(FUZZ_SEED_CLIENT);
	fuzz_key(netkey, FUZZ_KEY_NET);
	genuine();
	return 0;
}

static void
check_dead(struct shs *s)
{
	uint8_t out[SHS_MSG_MAX], in[SHS_ACCEPT_BYTES];
	size_t outlen = sizeof(out);

	memset(in, 0, sizeof(in));
	fuzz_check(!shs_done(s) && shs_result(s) == NULL);
	fuzz_check(shs_step(s, in, SHS_ACCEPT_BYTES, out, &outlen) ==
	    BAL_ESTATE && outlen == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct shs_result *res;
	struct shs *c = NULL;
	const uint8_t *hello, *acc;
	uint8_t out[SHS_MSG_MAX];
	size_t hlen, alen, outlen;
	int rc;

	fuzz_reset();
	fuzz_check(shs_client_new(netkey, client, server->pk, fuzz_rng(),
	    &c) == 0);
	fuzz_check(shs_expect(c) == 0);
	outlen = sizeof(out);
	fuzz_check(shs_step(c, NULL, 0, out, &outlen) == 0);
	fuzz_check(outlen == SHS_HELLO_BYTES);
	fuzz_check(shs_expect(c) == SHS_HELLO_BYTES);
	hlen = fuzz_take(&in, SHS_HELLO_BYTES, &hello);
	outlen = sizeof(out);
	rc = shs_step(c, hlen > 0 ? hello : NULL, hlen, out, &outlen);
	if (rc != 0) {
		fuzz_check(outlen == 0);
		check_dead(c);
		goto out;
	}
	fuzz_check(outlen == SHS_AUTH_BYTES);
	fuzz_check(shs_expect(c) == SHS_ACCEPT_BYTES);
	alen = fuzz_take(&in, in.n, &acc);
	outlen = sizeof(out);
	rc = shs_step(c, alen > 0 ? acc : NULL, alen, out, &outlen);
	if (rc != 0) {
		fuzz_check(rc == BAL_EPROTO || rc == BAL_ECRYPTO ||
		    rc == BAL_ESTATE);
		fuzz_check(outlen == 0);
		check_dead(c);
		goto out;
	}
	fuzz_check(outlen == 0);
	fuzz_check(shs_done(c) && (res = shs_result(c)) != NULL);
	fuzz_check(res->is_client && res->key_index == 0);
	fuzz_check(memcmp(res->remote_pk, server->pk, BAL_PK_BYTES) == 0);
	fuzz_check(sodium_memcmp(res->c2s_key, want.c2s_key,
	    BAL_KEY_BYTES) == 0);
	fuzz_check(sodium_memcmp(res->s2c_key, want.s2c_key,
	    BAL_KEY_BYTES) == 0);
	fuzz_check(sodium_memcmp(res->enc_key, want.enc_key,
	    BAL_KEY_BYTES) == 0);
out:
	shs_free(c);
	return 0;
}
