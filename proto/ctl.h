/*
 * ctl.h — the control protocol between the CLI (balint) and the daemon
 * (balintd) over the profile's Unix socket: the messages only.  The CLI
 * and the daemon move the bytes; each message travels behind a 4-byte
 * big-endian length prefix (ctl_frame_hdr / ctl_frame_len).
 *
 *	request  [version, id, command str, [[key str, value]...]]
 *	response [version, id, status, error str, [[[key str, value]...]...]]
 *
 * A value is a str, a non-negative integer, a bool, a bin or nil.  The
 * exact format is in docs/protocol.md ("Control protocol").  Every control
 * message of every version starts with [version uint, id uint, ...], so a
 * version mismatch can always be reported with both versions.
 *
 * Ownership: a struct ctl_req or struct ctl_resp (built or decoded) owns
 * copies of every string and bin it holds; pointers handed out by the
 * accessors stay valid until the object is freed.  Note text passes
 * through here, so ctl_req_free and ctl_resp_free wipe what they held;
 * the encoded bytes are the caller's to free() (and wipe).
 */
#ifndef BAL_CTL_H
#define BAL_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"

#define CTL_VERSION 1

#define CTL_HDR_BYTES 4			/* the length prefix on the socket */
#define CTL_MAX_MSG (1024u * 1024)	/* one message, prefix excluded */
#define CTL_MAX_CMD 32			/* bytes of a command name */
#define CTL_MAX_KEY 32			/* bytes of a key */
#define CTL_MAX_ARGS 64			/* arguments of one request */
#define CTL_MAX_FIELDS 64		/* fields of one response record */
#define CTL_MAX_RECORDS 100000		/* records of one response */
#define CTL_MAX_ERR 1024		/* bytes of a response's error */
/*
 * Records of one page of a listing that can outgrow one message (note.list
 * with `offset`/`limit`): a note record is at most about 520 bytes, so a
 * full page stays well inside CTL_MAX_MSG.
 */
#define CTL_LIST_PAGE_MAX 1000

enum ctl_type {
	CTL_NIL = 0,
	CTL_STR = 1,
	CTL_UINT = 2,
	CTL_BOOL = 3,
	CTL_BIN = 4
};

/* Response status, the same numbers as the CLI's exit codes. */
enum ctl_status {
	CTL_OK = 0,
	CTL_FAILED = 1,		/* refused or failed operation */
	CTL_USAGE = 2		/* bad usage */
};

struct ctl_value {
	int type;		/* enum ctl_type */
	union {
		struct {
			const char *p;	/* UTF-8, no NUL, NUL-terminated */
			size_t len;
		} str;
		uint64_t u;
		int b;		/* 0 or 1 */
		struct {
			const uint8_t *p;	/* never NULL, even if len 0 */
			size_t len;
		} bin;
	};
};

struct ctl_kv {
	const char *key;	/* 1..CTL_MAX_KEY bytes of [a-z0-9._-] */
	struct ctl_value val;
};

struct ctl_req;
struct ctl_resp;

/*
 * ctl_frame_len reads a length prefix: 0 and *len in 1..CTL_MAX_MSG;
 * BAL_EPROTO for a zero length, BAL_ETOOBIG above CTL_MAX_MSG (drop the
 * connection: the stream cannot be resynchronised).
 */
int ctl_frame_len(const uint8_t hdr[CTL_HDR_BYTES], size_t *len);
/* ctl_frame_hdr writes the prefix of a len-byte message (or BAL_EINVAL). */
int ctl_frame_hdr(size_t len, uint8_t hdr[CTL_HDR_BYTES]);

/*
 * ctl_req_new starts a request for command cmd (1..CTL_MAX_CMD bytes of
 * [a-z0-9._-], e.g. "note.write") with request id id.  BAL_EINVAL: bad cmd.
 */
int ctl_req_new(const char *cmd, uint64_t id, struct ctl_req **out);
/* ctl_req_free wipes and releases a request; NULL is a no-op. */
void ctl_req_free(struct ctl_req *req);

/*
 * ctl_req_add appends argument key = *v (copied).  BAL_EINVAL: bad key,
 * key already present, invalid value (str not UTF-8 or with NUL, bool not
 * 0/1, unknown type); BAL_ETOOBIG: more than CTL_MAX_ARGS arguments or a
 * value alone above CTL_MAX_MSG.  The request is unchanged on error.
 */
int ctl_req_add(struct ctl_req *req, const char *key,
    const struct ctl_value *v);
/* ctl_req_add_str appends a NUL-terminated string argument. */
int ctl_req_add_str(struct ctl_req *req, const char *key, const char *s);
/* ctl_req_add_strn appends a string argument of len bytes. */
int ctl_req_add_strn(struct ctl_req *req, const char *key, const char *s,
    size_t len);
/* ctl_req_add_uint appends an integer argument. */
int ctl_req_add_uint(struct ctl_req *req, const char *key, uint64_t u);
/* ctl_req_add_bool appends a boolean argument (any non-zero b is true). */
int ctl_req_add_bool(struct ctl_req *req, const char *key, int b);
/* ctl_req_add_bin appends a byte-string argument (p may be NULL if len 0). */
int ctl_req_add_bin(struct ctl_req *req, const char *key, const void *p,
    size_t len);
/* ctl_req_add_nil appends a nil argument. */
int ctl_req_add_nil(struct ctl_req *req, const char *key);

/* ctl_req_size is the exact length ctl_req_encode would produce. */
size_t ctl_req_size(const struct ctl_req *req);
/*
 * ctl_req_encode writes req (malloc'd *out; free() it).  BAL_ETOOBIG: above
 * CTL_MAX_MSG; BAL_EINVAL: req came from a decode of another version.
 */
int ctl_req_encode(const struct ctl_req *req, uint8_t **out, size_t *outlen);
/*
 * ctl_req_decode parses buf[0..len) (the prefix excluded).  0: *out is the
 * request.  BAL_EVERSION: the message is of another version; *out is still
 * set, to a request with only ctl_req_version() (and ctl_req_id() when it
 * could be read) meaningful, so the daemon can answer naming both versions.
 * BAL_ETOOBIG: len above CTL_MAX_MSG; BAL_EPROTO: anything malformed
 * (types, limits, key syntax, duplicate keys, trailing bytes); BAL_ENOMEM.
 * On every error but BAL_EVERSION, *out is NULL.
 */
int ctl_req_decode(const uint8_t *buf, size_t len, struct ctl_req **out);

/* ctl_req_version is the request's protocol version (CTL_VERSION if built). */
uint64_t ctl_req_version(const struct ctl_req *req);
/* ctl_req_id is the request id. */
uint64_t ctl_req_id(const struct ctl_req *req);
/* ctl_req_cmd is the command ("" after a BAL_EVERSION decode). */
const char *ctl_req_cmd(const struct ctl_req *req);
/* ctl_req_nargs is the number of arguments. */
size_t ctl_req_nargs(const struct ctl_req *req);
/* ctl_req_arg is argument i in message order (NULL when out of range). */
const struct ctl_kv *ctl_req_arg(const struct ctl_req *req, size_t i);
/* ctl_req_get is the value of key, or NULL when absent. */
const struct ctl_value *ctl_req_get(const struct ctl_req *req,
    const char *key);
/*
 * ctl_req_get_str and friends read a typed argument: 0; BAL_ENOENT when
 * the key is absent or nil; BAL_EPROTO when it holds another type.  len
 * may be NULL.
 */
int ctl_req_get_str(const struct ctl_req *req, const char *key,
    const char **s, size_t *len);
/* ctl_req_get_uint reads an integer argument (as ctl_req_get_str). */
int ctl_req_get_uint(const struct ctl_req *req, const char *key,
    uint64_t *u);
/* ctl_req_get_bool reads a boolean argument (as ctl_req_get_str). */
int ctl_req_get_bool(const struct ctl_req *req, const char *key, int *b);
/* ctl_req_get_bin reads a byte-string argument (as ctl_req_get_str). */
int ctl_req_get_bin(const struct ctl_req *req, const char *key,
    const uint8_t **p, size_t *len);

/*
 * ctl_resp_new starts the response to request id.  status is an enum
 * ctl_status; err must be NULL or "" for CTL_OK and a non-empty message
 * otherwise (BAL_EINVAL).  err is copied and made safe for one line: control
 * characters and invalid UTF-8 become '?', and it is cut (on a character
 * boundary) to CTL_MAX_ERR bytes.
 */
int ctl_resp_new(uint64_t id, int status, const char *err,
    struct ctl_resp **out);
/* ctl_resp_free wipes and releases a response; NULL is a no-op. */
void ctl_resp_free(struct ctl_resp *resp);

/*
 * ctl_resp_record_begin starts a new (empty) record; the ctl_resp_add_*
 * functions add fields to the newest record.  BAL_ETOOBIG: already
 * CTL_MAX_RECORDS records.
 */
int ctl_resp_record_begin(struct ctl_resp *resp);
/*
 * ctl_resp_add adds field key = *v (copied) to the newest record: errors
 * as ctl_req_add (CTL_MAX_FIELDS per record), and BAL_ESTATE before the
 * first ctl_resp_record_begin.
 */
int ctl_resp_add(struct ctl_resp *resp, const char *key,
    const struct ctl_value *v);
/* ctl_resp_add_str adds a NUL-terminated string field. */
int ctl_resp_add_str(struct ctl_resp *resp, const char *key, const char *s);
/* ctl_resp_add_strn adds a string field of len bytes. */
int ctl_resp_add_strn(struct ctl_resp *resp, const char *key, const char *s,
    size_t len);
/* ctl_resp_add_uint adds an integer field. */
int ctl_resp_add_uint(struct ctl_resp *resp, const char *key, uint64_t u);
/* ctl_resp_add_bool adds a boolean field. */
int ctl_resp_add_bool(struct ctl_resp *resp, const char *key, int b);
/* ctl_resp_add_bin adds a byte-string field. */
int ctl_resp_add_bin(struct ctl_resp *resp, const char *key, const void *p,
    size_t len);
/* ctl_resp_add_nil adds a nil field. */
int ctl_resp_add_nil(struct ctl_resp *resp, const char *key);

/*
 * ctl_resp_size is the exact length ctl_resp_encode would produce, so a
 * daemon can stop adding records before CTL_MAX_MSG (O(1)).
 */
size_t ctl_resp_size(const struct ctl_resp *resp);
/* ctl_resp_encode writes resp (malloc'd *out; free() it); as ctl_req_encode. */
int ctl_resp_encode(const struct ctl_resp *resp, uint8_t **out,
    size_t *outlen);
/*
 * ctl_resp_decode parses a response; return values as ctl_req_decode (a
 * BAL_EVERSION response has only ctl_resp_version() and ctl_resp_id()
 * meaningful, status CTL_FAILED and no records).  Also BAL_EPROTO: a
 * status above 2, an error message on CTL_OK, an empty one otherwise.
 */
int ctl_resp_decode(const uint8_t *buf, size_t len, struct ctl_resp **out);

/* ctl_resp_version is the response's protocol version. */
uint64_t ctl_resp_version(const struct ctl_resp *resp);
/* ctl_resp_id is the id of the request answered. */
uint64_t ctl_resp_id(const struct ctl_resp *resp);
/* ctl_resp_status is an enum ctl_status. */
int ctl_resp_status(const struct ctl_resp *resp);
/* ctl_resp_err is the error message ("" for CTL_OK). */
const char *ctl_resp_err(const struct ctl_resp *resp);
/* ctl_resp_nrecords is the number of records. */
size_t ctl_resp_nrecords(const struct ctl_resp *resp);
/* ctl_resp_record is record i's fields (*n of them), NULL out of range. */
const struct ctl_kv *ctl_resp_record(const struct ctl_resp *resp, size_t i,
    size_t *n);
/* ctl_resp_get is field key of record rec, or NULL when absent. */
const struct ctl_value *ctl_resp_get(const struct ctl_resp *resp, size_t rec,
    const char *key);
/* ctl_resp_get_str and friends: as ctl_req_get_str, in record rec. */
int ctl_resp_get_str(const struct ctl_resp *resp, size_t rec,
    const char *key, const char **s, size_t *len);
/* ctl_resp_get_uint reads an integer field of record rec. */
int ctl_resp_get_uint(const struct ctl_resp *resp, size_t rec,
    const char *key, uint64_t *u);
/* ctl_resp_get_bool reads a boolean field of record rec. */
int ctl_resp_get_bool(const struct ctl_resp *resp, size_t rec,
    const char *key, int *b);
/* ctl_resp_get_bin reads a byte-string field of record rec. */
int ctl_resp_get_bin(const struct ctl_resp *resp, size_t rec,
    const char *key, const uint8_t **p, size_t *len);

#endif
