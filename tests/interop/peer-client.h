/*
 * peer-client.h — what the hostile test clients (bad-peer.c, forge-peer.c,
 * hostile-peer.c) share: a TCP connection to a daemon, the client side of
 * the handshake over it, a member's key and epoch keys read from its
 * profile, and sending and reading framed messages.  Built on proto/ only,
 * as a client of another implementation would be.
 */
#ifndef BAL_PEER_CLIENT_H
#define BAL_PEER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bal.h"
#include "frame.h"
#include "identity.h"
#include "shs.h"
#include "wire.h"

/* How long a client waits for an answer; key file and passphrase caps. */
#define WAIT_MS 25000
#define KEY_FILE_MAX 4096
#define PASS_MAX 1024

/* write_full and read_full move exactly len bytes (0, or -1). */
int write_full(int fd, const uint8_t *buf, size_t len);
int read_full(int fd, uint8_t *buf, size_t len);
/* Connects to hostport; rcvbuf > 0 shrinks our receive buffer first. */
int dial(const char *hostport, int rcvbuf);

/* The steps of a handshake as the client ran them (hostile-peer replays). */
struct record {
	size_t need[4];			/* server bytes read before step i */
	uint8_t out[4][SHS_MSG_MAX];	/* what step i sent */
	size_t outlen[4];
	size_t n;
};

/*
 * client_handshake runs the client handshake s on fd to its end, recording
 * its steps in rec (may be NULL): 0 done, 1 the daemon hung up (a read
 * failed), 2 a write failed, -1 the handshake failed (*err gets its code).
 */
int client_handshake(int fd, struct shs *s, struct record *rec, int *err);

/* Reads a small file into malloc'd memory. */
int slurp(const char *path, size_t max, uint8_t **out, size_t *len);
/* Unlocks PROFILE/identity.key with $BALINT_PASSPHRASE_FILE. */
int unlock(const char *dir, struct identity **me);
/* Opens a key sealed by daemon/store/keyring.c (purpose "epoch-key"). */
int unseal_key(const struct identity *me, const uint8_t *gid, uint64_t epoch,
    const uint8_t *sealed, size_t len, uint8_t key[BAL_KEY_BYTES]);
/* Encodes m and sends it as one frame. */
int send_msg(int fd, struct frame_tx *tx, const struct wire_msg *m);
/* The daemon's data messages (ENTRIES, RUNS, PUSH) drain has read. */
extern uint64_t peer_client_data_in;
/* Decodes every whole message: 0 acked, 1 the stream ended, 2 more. */
int drain(struct frame_rx *rx, uint64_t want, char *bye, size_t byelen);
/*
 * Reads the daemon's messages until it ACKs `want` data messages or ends
 * the session: 0 acked, 1 closed, 3 silent for WAIT_MS.  Data messages it
 * sends are read (counted in peer_client_data_in) but not acknowledged
 * (its window only fills).  What follows the ACK in the last read is kept
 * for the next call (one connection per process).
 */
int await(int fd, struct frame_rx *rx, uint64_t want, char *bye,
    size_t byelen);

#endif
