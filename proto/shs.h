/*
 * shs.h — the peer handshake: Secure Scuttlebutt's Secret Handshake (SHS,
 * Dominic Tarr's paper; the `secret-handshake` npm package, v1) as a pure
 * state machine over byte buffers, keyed by balint's network key
 * (DESIGN.md §4).  The exact format is in docs/protocol.md §Handshake.
 *
 *	client                                   server
 *	  shs_step(NULL)   -> client hello (64) ->   shs_step(hello)
 *	  shs_step(shello) <- server hello (64) <-
 *	                   -> client auth (112) ->   shs_step(auth)
 *	  shs_step(accept) <- server accept (80) <-  (done; see below)
 *	  (done)
 *
 * Every call to shs_step consumes exactly the next expected message
 * (shs_expect() bytes; the client's first call takes none) and writes the
 * next one to send.  A server whose network keys do not match the client
 * hello writes nothing: a caller without the network key gets no byte back.
 *
 * Admission: the server learns the client's member key when it verifies
 * the client auth; that step already writes the accept and finishes.  The
 * caller must check shs_result()->remote_pk (and key_index) against the
 * roster *before* sending the accept, and close the connection without
 * sending it if the member is not admitted.
 *
 * Any error is final: the session is wiped, later steps return
 * BAL_ESTATE, shs_result() returns NULL.  After a successful end later
 * steps return BAL_ESTATE too, and the result stays.  Errors: BAL_EINVAL (bad
 * argument, output buffer too small), BAL_ESTATE (step out of order, or
 * after the end), BAL_EPROTO (message of the wrong length), BAL_ECRYPTO
 * (authentication failed: wrong network key, wrong server, tampered or
 * replayed message), BAL_ENOMEM.
 *
 * Needs sodium_init().  Ownership: struct shs belongs to the caller
 * (shs_free); it lives in sodium_malloc'd memory and copies what it needs
 * of the identity and network keys, so neither has to outlive the call
 * that passed it.  The ephemeral X25519 secret is 32 bytes read from rng
 * (NULL: libsodium) when the session is created.
 */
#ifndef BAL_SHS_H
#define BAL_SHS_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "identity.h"

#define SHS_HELLO_BYTES 64	/* client hello and server hello */
#define SHS_AUTH_BYTES 112	/* client auth: secretbox of sig || pk */
#define SHS_ACCEPT_BYTES 80	/* server accept: secretbox of sig */
#define SHS_MSG_MAX SHS_AUTH_BYTES	/* largest message: size out for it */
#define SHS_NONCE_BYTES 24	/* box-stream nonce (SSB compatibility) */
/* The most network keys a server tries on one client hello. */
#define SHS_NETWORK_KEYS_MAX 1024

/* Domain strings of the key derivations (no NUL on the wire). */
#define SHS_NETKEY_DOMAIN "balint-netkey-v2"
#define SHS_NETKEY_KDF_CONTEXT "bal_netk"	/* crypto_kdf, 8 bytes */
#define SHS_NETKEY_KDF_ID 1
#define SHS_TIE_DOMAIN "balint-session-tie-v2"
#define SHS_TIE_BYTES 16
#define SHS_INVITE_NETKEY_DOMAIN "balint-invite-netkey-v1"
#define SHS_C2S_DOMAIN "balint-secretstream-c2s-v1"
#define SHS_S2C_DOMAIN "balint-secretstream-s2c-v1"

struct shs;

/*
 * What a finished handshake leaves behind; it lives inside struct shs
 * (secure memory) and stays valid until shs_free.
 */
struct shs_result {
	uint8_t remote_pk[BAL_PK_BYTES];	/* the peer's member key */
	/* Server: index of the network key the client used; client: 0. */
	size_t key_index;
	int is_client;		/* 1 on the client side */
	/*
	 * The SSB box-stream keys and nonces exactly as secret-handshake
	 * computes them (for interoperability tests; balint does not use
	 * box-stream).  enc = what this side sends, dec = what it receives.
	 */
	uint8_t enc_key[BAL_KEY_BYTES];
	uint8_t enc_nonce[SHS_NONCE_BYTES];
	uint8_t dec_key[BAL_KEY_BYTES];
	uint8_t dec_nonce[SHS_NONCE_BYTES];
	/*
	 * balint's transport keys (crypto_secretstream, frame.h): c2s is what
	 * the client sends and the server receives, s2c the other way.  Equal
	 * on both ends, independent of each other.
	 */
	uint8_t c2s_key[BAL_KEY_BYTES];
	uint8_t s2c_key[BAL_KEY_BYTES];
	/*
	 * A public value both ends share, unique to the session, that picks
	 * one of two duplicate sessions: BLAKE2b-128 keyed with sec over
	 * SHS_TIE_DOMAIN (docs/protocol.md §Session keys).
	 */
	uint8_t tie[SHS_TIE_BYTES];
};

/*
 * shs_client_new starts a client (dialer) session for network key netkey
 * towards the member whose key is server_pk.  BAL_EINVAL: NULL argument;
 * BAL_ECRYPTO: a key does not convert to X25519.
 */
int shs_client_new(const uint8_t netkey[BAL_KEY_BYTES],
    const struct identity *me, const uint8_t server_pk[BAL_PK_BYTES],
    const struct bal_rng *rng, struct shs **out);
/* shs_server_new starts a server (listener) session for one network key. */
int shs_server_new(const uint8_t netkey[BAL_KEY_BYTES],
    const struct identity *me, const struct bal_rng *rng, struct shs **out);
/*
 * shs_server_new_multi starts a server session that accepts any of nkeys
 * network keys (netkeys holds nkeys * 32 bytes: every epoch the server
 * knows, open invites); shs_result()->key_index says which one the client
 * used.  BAL_EINVAL: nkeys is 0 or above SHS_NETWORK_KEYS_MAX.
 */
int shs_server_new_multi(const uint8_t *netkeys, size_t nkeys,
    const struct identity *me, const struct bal_rng *rng, struct shs **out);
/* shs_free wipes and releases the session; NULL is a no-op. */
void shs_free(struct shs *s);

/*
 * shs_expect is the length of the message the next shs_step consumes:
 * 0 for the client's first step, and 0 once the session is done or failed.
 */
size_t shs_expect(const struct shs *s);
/*
 * shs_step consumes the next message in[0..inlen) (in NULL and inlen 0 for
 * the client's first step) and writes the next message to send into out;
 * *outlen is out's capacity on entry and the bytes written on return (0
 * on error and when nothing is to be sent).  out may be NULL when *outlen
 * is 0.  Returns 0 or a negative BAL_E* code; every error ends the session.
 */
int shs_step(struct shs *s, const uint8_t *in, size_t inlen, uint8_t *out,
    size_t *outlen);
/* shs_done is 1 once the handshake has finished successfully, else 0. */
int shs_done(const struct shs *s);
/* shs_result is the outcome of a finished handshake, or NULL before. */
const struct shs_result *shs_result(const struct shs *s);

/*
 * shs_network_key derives a group's network key for one epoch:
 * BLAKE2b-256 keyed with crypto_kdf_derive_from_key(32, SHS_NETKEY_KDF_ID,
 * SHS_NETKEY_KDF_CONTEXT, epoch_key) over "balint-netkey-v2" || group_id.
 */
int shs_network_key(const uint8_t epoch_key[BAL_KEY_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES]);
/*
 * shs_invite_network_key derives the network key of an invite: BLAKE2b-256
 * keyed with invite_secret over "balint-invite-netkey-v1" || group_id.
 */
int shs_invite_network_key(const uint8_t invite_secret[BAL_KEY_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], uint8_t out[BAL_KEY_BYTES]);

#endif
