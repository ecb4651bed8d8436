/*
 * note.h — the plaintext of a note: what a kind-1 entry's ciphertext holds.
 *
 * A note has a 16-byte id chosen at its first write, bound to its author:
 * 8 random bytes, then 8 bytes derived from the author's key.  Every later
 * version (an edit, or a tombstone that deletes it) keeps the id and names
 * the entry id of the version it supersedes.  The exact format is in
 * docs/protocol.md §Notes.
 *
 * Ownership: note_decode returns a malloc'd struct note owning its three
 * strings and its erases; note_free wipes and releases them.  For
 * note_encode the caller may fill a struct note with borrowed strings
 * (NULL means empty) and a borrowed erases array, and must
 * then not pass it to note_free.  Encoded notes are plaintext: they live in
 * sodium_malloc'd memory and are released with note_buf_free.
 */
#ifndef BAL_NOTE_H
#define BAL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define NOTE_VERSION 1
#define NOTE_ID_BYTES 16
/* Hex form of a note id, NUL included. */
#define NOTE_ID_HEX_BYTES (2 * NOTE_ID_BYTES + 1)
/* Hard limits, in bytes of UTF-8. */
#define NOTE_MAX_CASE 64
#define NOTE_MAX_TITLE 200
#define NOTE_MAX_BODY (64u * 1024)
/* Most versions a tombstone names (docs/protocol.md, Notes). */
#define NOTE_MAX_ERASES 1024
/* An upper bound on note_encode's output for any valid note. */
#define NOTE_MAX_ENCODED (NOTE_MAX_CASE + NOTE_MAX_TITLE + NOTE_MAX_BODY + 128)

enum note_kind {
	NOTE_KIND_SESSION = 1,	/* notes on a group session */
	NOTE_KIND_FOLLOWUP = 2,	/* a presenter's follow-up report */
	NOTE_KIND_CASE = 3,	/* a case presentation */
	NOTE_KIND_OTHER = 4
};

struct note {
	uint8_t id[NOTE_ID_BYTES];
	int kind;			/* enum note_kind */
	char *case_ref;			/* UTF-8, 0..NOTE_MAX_CASE bytes */
	char *title;			/* UTF-8, 0..NOTE_MAX_TITLE bytes */
	char *body;			/* UTF-8, 0..NOTE_MAX_BODY bytes */
	int has_supersedes;		/* 1: supersedes is set */
	uint8_t supersedes[BAL_HASH_BYTES];	/* entry id of the replaced version */
	int tombstone;			/* 1: a deletion (title, body empty) */
	/*
	 * A tombstone's: the entry ids of every version it erases (the one
	 * it supersedes among them), so that a receiver holding a version
	 * without its body knows it erased; owned (note_free), none for
	 * other notes.
	 */
	uint8_t (*erases)[BAL_HASH_BYTES];
	size_t nerases;
};

/* The bytes of a note id derived from its author's key (the rest random). */
#define NOTE_ID_TAG_BYTES 8

/*
 * note_id_generate picks a fresh note id of author: 8 bytes from rng
 * (NULL: libsodium), then the first NOTE_ID_TAG_BYTES of
 * BLAKE2b-128("balint-note-id-v1" || author).
 */
void note_id_generate(const struct bal_rng *rng,
    const uint8_t author[BAL_PK_BYTES], uint8_t id[NOTE_ID_BYTES]);
/*
 * note_id_is_authors is 1 when id was made by note_id_generate for author:
 * a first version whose id is not its author's takes nobody's note, it is
 * refused (docs/protocol.md, Notes).
 */
int note_id_is_authors(const uint8_t id[NOTE_ID_BYTES],
    const uint8_t author[BAL_PK_BYTES]);
/* note_id_to_hex writes the lower-case hex form shown to users. */
void note_id_to_hex(const uint8_t id[NOTE_ID_BYTES],
    char out[NOTE_ID_HEX_BYTES]);
/* note_id_from_hex parses a full hex note id; BAL_EPROTO if it is not one. */
int note_id_from_hex(const char *text, uint8_t id[NOTE_ID_BYTES]);

/* note_kind_from_string maps "session" etc. to a kind, else BAL_EINVAL. */
int note_kind_from_string(const char *s);
/* note_kind_name is the name of a kind, or NULL for an unknown kind. */
const char *note_kind_name(int kind);

/*
 * note_encode writes n as msgpack into sodium_malloc'd memory (release it
 * with note_buf_free).  BAL_ETOOBIG: a string over its limit; BAL_EINVAL:
 * unknown kind, a string that is not UTF-8 or holds NUL, or a tombstone
 * with a title or body or without supersedes.
 */
int note_encode(const struct note *n, uint8_t **out, size_t *outlen);

/* note_buf_free wipes and releases the output of note_encode. */
void note_buf_free(uint8_t *buf, size_t len);

/*
 * note_decode parses a note strictly (types, limits, UTF-8, no trailing
 * bytes).  BAL_EPROTO: malformed; BAL_EVERSION: version other than 1.
 */
int note_decode(const uint8_t *buf, size_t len, struct note **out);

/* note_free wipes and releases a note from note_decode; NULL is a no-op. */
void note_free(struct note *n);

#endif
