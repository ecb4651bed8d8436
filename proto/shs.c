/*
 * shs.c — Secret Handshake (SHS v1) as a state machine over byte buffers
 * (see shs.h; the format is in docs/protocol.md §Handshake).
 *
 * Names follow the SHS paper: K the network key ("app key"), a/b the
 * client's/server's ephemeral X25519 keys, A/B their long-term Ed25519
 * member keys (turned into X25519 keys for Diffie-Hellman).  The secrets
 * are ab = DH(a, b), aB = DH(a, B), Ab = DH(A, b).
 */
#include <string.h>
#include <sodium.h>

#include "shs.h"

_Static_assert(sizeof(SHS_NETKEY_KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
    "a crypto_kdf context is 8 bytes");

enum {
	ST_CLIENT_START = 1,	/* client: send the client hello */
	ST_CLIENT_HELLO,	/* client: expect the server hello */
	ST_CLIENT_ACCEPT,	/* client: expect the server accept */
	ST_SERVER_HELLO,	/* server: expect the client hello */
	ST_SERVER_AUTH,		/* server: expect the client auth */
	ST_DONE,
	ST_FAILED,
};

#define X_BYTES 32		/* X25519 keys and DH outputs */
#define MAC_BYTES crypto_auth_BYTES	/* HMAC-SHA-512-256: 32 */
#define SHA_BYTES crypto_hash_sha256_BYTES
/* The client's "hello" inside the client auth: sig_A || A. */
#define CLIENT_ID_BYTES (BAL_SIG_BYTES + BAL_PK_BYTES)

struct shs {
	int state;
	int is_client;
	uint8_t *netkeys;	/* server: nkeys * 32 bytes, sodium_malloc'd */
	size_t nkeys;
	uint8_t netkey[BAL_KEY_BYTES];	/* K, once known */
	uint8_t sk[BAL_SK_BYTES];	/* our Ed25519 secret key (a copy) */
	uint8_t pk[BAL_PK_BYTES];	/* our member key */
	uint8_t xsk[X_BYTES];		/* our long-term X25519 secret */
	uint8_t remote_pk[BAL_PK_BYTES];	/* client: B; server: A */
	uint8_t eph_sk[X_BYTES];
	uint8_t eph_pk[X_BYTES];
	uint8_t mac[MAC_BYTES];		/* HMAC_K(our ephemeral pk) */
	uint8_t remote_eph[X_BYTES];
	uint8_t remote_mac[MAC_BYTES];
	uint8_t dh_ab[X_BYTES];
	uint8_t dh_aB[X_BYTES];
	uint8_t dh_Ab[X_BYTES];
	uint8_t shash[SHA_BYTES];	/* sha256(ab) */
	uint8_t client_id[CLIENT_ID_BYTES];	/* sig_A || A */
	struct shs_result res;
};

static const uint8_t zero_nonce[crypto_secretbox_NONCEBYTES];

/* sha256 over n 32-byte parts, without building the concatenation. */
static void
sha256_parts(uint8_t out[SHA_BYTES], const uint8_t *const *parts, size_t n)
{
	crypto_hash_sha256_state st;
	size_t i;

	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++)
		crypto_hash_sha256_update(&st, parts[i], 32);
	crypto_hash_sha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* Wipes everything the handshake needed, keeping the result. */
static void
wipe_handshake(struct shs *s)
{
	if (s->netkeys != NULL) {
		sodium_memzero(s->netkeys, s->nkeys * BAL_KEY_BYTES);
		sodium_free(s->netkeys);
		s->netkeys = NULL;
	}
	s->nkeys = 0;
	sodium_memzero(s->netkey, sizeof(s->netkey));
	sodium_memzero(s->sk, sizeof(s->sk));
	sodium_memzero(s->xsk, sizeof(s->xsk));
	sodium_memzero(s->eph_sk, sizeof(s->eph_sk));
	sodium_memzero(s->dh_ab, sizeof(s->dh_ab));
	sodium_memzero(s->dh_aB, sizeof(s->dh_aB));
	sodium_memzero(s->dh_Ab, sizeof(s->dh_Ab));
	sodium_memzero(s->shash, sizeof(s->shash));
	sodium_memzero(s->client_id, sizeof(s->client_id));
}

static void
fail(struct shs *s)
{
	wipe_handshake(s);
	sodium_memzero(&s->res, sizeof(s->res));
	s->state = ST_FAILED;
}

/* Allocates a session for identity me with a fresh ephemeral key. */
static int
alloc_session(const struct identity *me, const struct bal_rng *rng,
    struct shs **out)
{
	struct shs *s;
	int ret = BAL_ENOMEM;

	if ((s = sodium_malloc(sizeof(*s))) == NULL)
		goto out;
	memset(s, 0, sizeof(*s));
	s->state = ST_FAILED;
	memcpy(s->sk, me->sk, BAL_SK_BYTES);
	memcpy(s->pk, me->pk, BAL_PK_BYTES);
	if ((ret = identity_x25519_sk(me, s->xsk)) != 0)
		goto out;
	bal_random(rng, s->eph_sk, sizeof(s->eph_sk));
	if (crypto_scalarmult_base(s->eph_pk, s->eph_sk) != 0) {
		ret = BAL_ECRYPTO;
		goto out;
	}
	*out = s;
	s = NULL;
	ret = 0;
out:
	if (s != NULL)
		shs_free(s);
	return ret;
}

int
shs_client_new(const uint8_t netkey[BAL_KEY_BYTES],
    const struct identity *me, const uint8_t server_pk[BAL_PK_BYTES],
    const struct bal_rng *rng, struct shs **out)
{
	struct shs *s = NULL;
	uint8_t xpk[X_BYTES];
	int ret = BAL_EINVAL;

	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (netkey == NULL || me == NULL || me->sk == NULL || server_pk == NULL)
		goto out;
	/* A server key that is no curve point could never answer. */
	if ((ret = identity_x25519_pk(server_pk, xpk)) != 0)
		goto out;
	if ((ret = alloc_session(me, rng, &s)) != 0)
		goto out;
	s->is_client = 1;
	memcpy(s->netkey, netkey, BAL_KEY_BYTES);
	memcpy(s->remote_pk, server_pk, BAL_PK_BYTES);
	crypto_auth(s->mac, s->eph_pk, X_BYTES, s->netkey);
	s->state = ST_CLIENT_START;
	*out = s;
	s = NULL;
	ret = 0;
out:
	sodium_memzero(xpk, sizeof(xpk));
	shs_free(s);
	return ret;
}

int
shs_server_new_multi(const uint8_t *netkeys, size_t nkeys,
    const struct identity *me, const struct bal_rng *rng, struct shs **out)
{
	struct shs *s = NULL;
	int ret = BAL_EINVAL;

	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (netkeys == NULL || nkeys == 0 || nkeys > SHS_NETWORK_KEYS_MAX ||
	    me == NULL || me->sk == NULL)
		goto out;
	if ((ret = alloc_session(me, rng, &s)) != 0)
		goto out;
	if ((s->netkeys = sodium_malloc(nkeys * BAL_KEY_BYTES)) == NULL) {
		ret = BAL_ENOMEM;
		goto out;
	}
	memcpy(s->netkeys, netkeys, nkeys * BAL_KEY_BYTES);
	s->nkeys = nkeys;
	s->state = ST_SERVER_HELLO;
	*out = s;
	s = NULL;
	ret = 0;
out:
	shs_free(s);
	return ret;
}

int
shs_server_new(const uint8_t netkey[BAL_KEY_BYTES],
    const struct identity *me, const struct bal_rng *rng, struct shs **out)
{
	return shs_server_new_multi(netkey, 1, me, rng, out);
}

void
shs_free(struct shs *s)
{
	if (s == NULL)
		return;
	wipe_handshake(s);
	sodium_memzero(s, sizeof(*s));
	sodium_free(s);
}

size_t
shs_expect(const struct shs *s)
{
	if (s == NULL)
		return 0;
	switch (s->state) {
	case ST_CLIENT_HELLO:
	case ST_SERVER_HELLO:
		return SHS_HELLO_BYTES;
	case ST_SERVER_AUTH:
		return SHS_AUTH_BYTES;
	case ST_CLIENT_ACCEPT:
		return SHS_ACCEPT_BYTES;
	default:
		return 0;
	}
}

/* How many bytes the step from state writes. */
static size_t
produces(int state)
{
	switch (state) {
	case ST_CLIENT_START:
	case ST_SERVER_HELLO:
		return SHS_HELLO_BYTES;
	case ST_CLIENT_HELLO:
		return SHS_AUTH_BYTES;
	case ST_SERVER_AUTH:
		return SHS_ACCEPT_BYTES;
	default:
		return 0;
	}
}

/* Writes our hello: HMAC_K(eph_pk) || eph_pk. */
static void
write_hello(const struct shs *s, uint8_t *out)
{
	memcpy(out, s->mac, MAC_BYTES);
	memcpy(out + MAC_BYTES, s->eph_pk, X_BYTES);
}

/*
 * Takes the peer's hello once its HMAC has been checked: records its
 * ephemeral key and computes ab and sha256(ab).
 */
static int
take_hello(struct shs *s, const uint8_t *in)
{
	const uint8_t *parts[1];

	memcpy(s->remote_mac, in, MAC_BYTES);
	memcpy(s->remote_eph, in + MAC_BYTES, X_BYTES);
	/* libsodium refuses low-order points (an all-zero result). */
	if (crypto_scalarmult(s->dh_ab, s->eph_sk, s->remote_eph) != 0)
		return BAL_ECRYPTO;
	parts[0] = s->dh_ab;
	sha256_parts(s->shash, parts, 1);
	return 0;
}

/* Client: the client hello. */
static int
client_start(struct shs *s, uint8_t *out)
{
	write_hello(s, out);
	s->state = ST_CLIENT_HELLO;
	return 0;
}

/* Server: checks the client hello against every network key it knows. */
static int
server_hello(struct shs *s, const uint8_t *in, uint8_t *out)
{
	size_t i, idx = 0;
	int found = 0, ret;

	/* Try every key, so the time taken does not say which one matched. */
	for (i = 0; i < s->nkeys; i++) {
		if (crypto_auth_verify(in, in + MAC_BYTES, X_BYTES,
		    s->netkeys + i * BAL_KEY_BYTES) == 0 && !found) {
			found = 1;
			idx = i;
		}
	}
	if (!found)
		return BAL_ECRYPTO;
	memcpy(s->netkey, s->netkeys + idx * BAL_KEY_BYTES, BAL_KEY_BYTES);
	s->res.key_index = idx;
	sodium_memzero(s->netkeys, s->nkeys * BAL_KEY_BYTES);
	sodium_free(s->netkeys);
	s->netkeys = NULL;
	s->nkeys = 0;
	if ((ret = take_hello(s, in)) != 0)
		return ret;
	crypto_auth(s->mac, s->eph_pk, X_BYTES, s->netkey);
	write_hello(s, out);
	s->state = ST_SERVER_AUTH;
	return 0;
}

/*
 * Client: checks the server hello, then proves its identity with
 * client auth = secretbox_{sha256(K||ab||aB)}(sig_A || A), zero nonce,
 * where sig_A signs K || B || sha256(ab).
 */
static int
client_auth(struct shs *s, const uint8_t *in, uint8_t *out)
{
	uint8_t xB[X_BYTES], secret2[SHA_BYTES];
	uint8_t msg[BAL_KEY_BYTES + BAL_PK_BYTES + SHA_BYTES];
	const uint8_t *parts[3];
	int ret = BAL_ECRYPTO;

	if (crypto_auth_verify(in, in + MAC_BYTES, X_BYTES, s->netkey) != 0)
		goto out;
	if ((ret = take_hello(s, in)) != 0)
		goto out;
	ret = BAL_ECRYPTO;
	if (identity_x25519_pk(s->remote_pk, xB) != 0)
		goto out;
	if (crypto_scalarmult(s->dh_aB, s->eph_sk, xB) != 0)
		goto out;
	parts[0] = s->netkey;
	parts[1] = s->dh_ab;
	parts[2] = s->dh_aB;
	sha256_parts(secret2, parts, 3);

	memcpy(msg, s->netkey, BAL_KEY_BYTES);
	memcpy(msg + BAL_KEY_BYTES, s->remote_pk, BAL_PK_BYTES);
	memcpy(msg + BAL_KEY_BYTES + BAL_PK_BYTES, s->shash, SHA_BYTES);
	if (crypto_sign_detached(s->client_id, NULL, msg, sizeof(msg),
	    s->sk) != 0)
		goto out;
	memcpy(s->client_id + BAL_SIG_BYTES, s->pk, BAL_PK_BYTES);
	if (crypto_secretbox_easy(out, s->client_id, CLIENT_ID_BYTES,
	    zero_nonce, secret2) != 0)
		goto out;
	s->state = ST_CLIENT_ACCEPT;
	ret = 0;
out:
	sodium_memzero(xB, sizeof(xB));
	sodium_memzero(secret2, sizeof(secret2));
	sodium_memzero(msg, sizeof(msg));
	return ret;
}

/*
 * Both sides: the session keys.  With sec = sha256(secret3): the
 * box-stream keys sha256(sec || remote pk) for sending and
 * sha256(sec || own pk) for receiving, nonces from the hello HMACs; the
 * transport keys BLAKE2b-256 keyed with each direction's box-stream key
 * over its domain string; the tie BLAKE2b-128 keyed with sec over its own.
 */
static void
finish(struct shs *s, const uint8_t secret3[SHA_BYTES])
{
	struct shs_result *r = &s->res;
	uint8_t sec[SHA_BYTES];
	const uint8_t *parts[2], *c2s, *s2c;

	parts[0] = secret3;
	sha256_parts(sec, parts, 1);
	parts[0] = sec;
	parts[1] = s->remote_pk;
	sha256_parts(r->enc_key, parts, 2);
	parts[1] = s->pk;
	sha256_parts(r->dec_key, parts, 2);
	memcpy(r->enc_nonce, s->remote_mac, SHS_NONCE_BYTES);
	memcpy(r->dec_nonce, s->mac, SHS_NONCE_BYTES);

	c2s = s->is_client ? r->enc_key : r->dec_key;
	s2c = s->is_client ? r->dec_key : r->enc_key;
	crypto_generichash(r->c2s_key, BAL_KEY_BYTES,
	    (const uint8_t *)SHS_C2S_DOMAIN, strlen(SHS_C2S_DOMAIN),
	    c2s, BAL_KEY_BYTES);
	crypto_generichash(r->s2c_key, BAL_KEY_BYTES,
	    (const uint8_t *)SHS_S2C_DOMAIN, strlen(SHS_S2C_DOMAIN),
	    s2c, BAL_KEY_BYTES);
	/* The tie: its own derivation from sec, no transport key's. */
	crypto_generichash(r->tie, SHS_TIE_BYTES,
	    (const uint8_t *)SHS_TIE_DOMAIN, strlen(SHS_TIE_DOMAIN),
	    sec, sizeof(sec));
	memcpy(r->remote_pk, s->remote_pk, BAL_PK_BYTES);
	r->is_client = s->is_client;

	sodium_memzero(sec, sizeof(sec));
	wipe_handshake(s);
	s->state = ST_DONE;
}

/* secret3 = sha256(K || ab || aB || Ab). */
static void
make_secret3(const struct shs *s, uint8_t secret3[SHA_BYTES])
{
	const uint8_t *parts[4];

	parts[0] = s->netkey;
	parts[1] = s->dh_ab;
	parts[2] = s->dh_aB;
	parts[3] = s->dh_Ab;
	sha256_parts(secret3, parts, 4);
}

/*
 * Server: opens and checks the client auth, learns A, and accepts with
 * secretbox_{secret3}(sig_B), zero nonce, where sig_B signs
 * K || sig_A || A || sha256(ab).
 */
static int
server_auth(struct shs *s, const uint8_t *in, uint8_t *out)
{
	uint8_t secret2[SHA_BYTES], secret3[SHA_BYTES], xA[X_BYTES];
	uint8_t sig[BAL_SIG_BYTES];
	uint8_t msg[BAL_KEY_BYTES + CLIENT_ID_BYTES + SHA_BYTES];
	const uint8_t *parts[3], *A;
	int ret = BAL_ECRYPTO;

	if (crypto_scalarmult(s->dh_aB, s->xsk, s->remote_eph) != 0)
		goto out;
	parts[0] = s->netkey;
	parts[1] = s->dh_ab;
	parts[2] = s->dh_aB;
	sha256_parts(secret2, parts, 3);
	if (crypto_secretbox_open_easy(s->client_id, in, SHS_AUTH_BYTES,
	    zero_nonce, secret2) != 0)
		goto out;
	A = s->client_id + BAL_SIG_BYTES;
	memcpy(msg, s->netkey, BAL_KEY_BYTES);
	memcpy(msg + BAL_KEY_BYTES, s->pk, BAL_PK_BYTES);
	memcpy(msg + BAL_KEY_BYTES + BAL_PK_BYTES, s->shash, SHA_BYTES);
	if (crypto_sign_verify_detached(s->client_id, msg,
	    BAL_KEY_BYTES + BAL_PK_BYTES + SHA_BYTES, A) != 0)
		goto out;
	if (identity_x25519_pk(A, xA) != 0)
		goto out;
	if (crypto_scalarmult(s->dh_Ab, s->eph_sk, xA) != 0)
		goto out;
	memcpy(s->remote_pk, A, BAL_PK_BYTES);
	make_secret3(s, secret3);

	memcpy(msg, s->netkey, BAL_KEY_BYTES);
	memcpy(msg + BAL_KEY_BYTES, s->client_id, CLIENT_ID_BYTES);
	memcpy(msg + BAL_KEY_BYTES + CLIENT_ID_BYTES, s->shash, SHA_BYTES);
	if (crypto_sign_detached(sig, NULL, msg, sizeof(msg), s->sk) != 0)
		goto out;
	if (crypto_secretbox_easy(out, sig, sizeof(sig), zero_nonce,
	    secret3) != 0)
		goto out;
	finish(s, secret3);
	ret = 0;
out:
	sodium_memzero(secret2, sizeof(secret2));
	sodium_memzero(secret3, sizeof(secret3));
	sodium_memzero(xA, sizeof(xA));
	sodium_memzero(sig, sizeof(sig));
	sodium_memzero(msg, sizeof(msg));
	return ret;
}

/* Client: opens and checks the server accept; the handshake is done. */
static int
client_accept(struct shs *s, const uint8_t *in)
{
	uint8_t secret3[SHA_BYTES], sig[BAL_SIG_BYTES];
	uint8_t msg[BAL_KEY_BYTES + CLIENT_ID_BYTES + SHA_BYTES];
	int ret = BAL_ECRYPTO;

	if (crypto_scalarmult(s->dh_Ab, s->xsk, s->remote_eph) != 0)
		goto out;
	make_secret3(s, secret3);
	if (crypto_secretbox_open_easy(sig, in, SHS_ACCEPT_BYTES, zero_nonce,
	    secret3) != 0)
		goto out;
	memcpy(msg, s->netkey, BAL_KEY_BYTES);
	memcpy(msg + BAL_KEY_BYTES, s->client_id, CLIENT_ID_BYTES);
	memcpy(msg + BAL_KEY_BYTES + CLIENT_ID_BYTES, s->shash, SHA_BYTES);
	if (crypto_sign_verify_detached(sig, msg, sizeof(msg),
	    s->remote_pk) != 0)
		goto out;
	finish(s, secret3);
	ret = 0;
out:
	sodium_memzero(secret3, sizeof(secret3));
	sodium_memzero(sig, sizeof(sig));
	sodium_memzero(msg, sizeof(msg));
	return ret;
}

int
shs_step(struct shs *s, const uint8_t *in, size_t inlen, uint8_t *out,
    size_t *outlen)
{
	size_t cap, need, n = 0;
	int ret = BAL_EINVAL;

	if (s == NULL || outlen == NULL)
		return BAL_EINVAL;
	cap = *outlen;
	*outlen = 0;
	if (s->state == ST_DONE || s->state == ST_FAILED)
		return BAL_ESTATE;
	if (out == NULL && cap > 0)
		goto out;
	need = shs_expect(s);
	n = produces(s->state);
	if (need == 0 ? (in != NULL || inlen != 0) : in == NULL) {
		ret = BAL_ESTATE;
		goto out;
	}
	if (inlen != need) {
		ret = BAL_EPROTO;
		goto out;
	}
	if (cap < n) {
		ret = BAL_EINVAL;
		goto out;
	}
	switch (s->state) {
	case ST_CLIENT_START:
		ret = client_start(s, out);
		break;
	case ST_CLIENT_HELLO:
		ret = client_auth(s, in, out);
		break;
	case ST_CLIENT_ACCEPT:
		ret = client_accept(s, in);
		break;
	case ST_SERVER_HELLO:
		ret = server_hello(s, in, out);
		break;
	case ST_SERVER_AUTH:
		ret = server_auth(s, in, out);
		break;
	default:
		ret = BAL_ESTATE;
		break;
	}
	if (ret == 0)
		*outlen = n;
out:
	if (ret != 0) {
		if (out != NULL && cap > 0)
			sodium_memzero(out, cap < n ? cap : n);
		fail(s);
	}
	return ret;
}

int
shs_done(const struct shs *s)
{
	return s != NULL && s->state == ST_DONE;
}

const struct shs_result *
shs_result(const struct shs *s)
{
	return shs_done(s) ? &s->res : NULL;
}

/* BLAKE2b-256 keyed with key over domain || group_id. */
static int
derive_netkey(const char *domain, const uint8_t key[BAL_KEY_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES])
{
	crypto_generichash_state st;

	if (key == NULL || group_id == NULL || out == NULL)
		return BAL_EINVAL;
	crypto_generichash_init(&st, key, BAL_KEY_BYTES, BAL_KEY_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)domain,
	    strlen(domain));
	crypto_generichash_update(&st, group_id, BAL_GROUP_ID_BYTES);
	crypto_generichash_final(&st, out, BAL_KEY_BYTES);
	sodium_memzero(&st, sizeof(st));
	return 0;
}

int
shs_network_key(const uint8_t epoch_key[BAL_KEY_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES])
{
	uint8_t sub[BAL_KEY_BYTES];
	int ret;

	if (epoch_key == NULL)
		return BAL_EINVAL;
	/* The epoch key's network subkey: no other use of the key sees it. */
	crypto_kdf_derive_from_key(sub, sizeof(sub), SHS_NETKEY_KDF_ID,
	    SHS_NETKEY_KDF_CONTEXT, epoch_key);
	ret = derive_netkey(SHS_NETKEY_DOMAIN, sub, group_id, out);
	sodium_memzero(sub, sizeof(sub));
	return ret;
}

int
shs_invite_network_key(const uint8_t invite_secret[BAL_KEY_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES])
{
	return derive_netkey(SHS_INVITE_NETKEY_DOMAIN, invite_secret,
	    group_id, out);
}
