/*
 * contract.h — the group contract: its text form (what a leader writes in
 * an editor), its canonical msgpack encoding, the group id derived from it,
 * leader signatures, member acceptances and amendments.
 *
 * Ownership: a struct contract and its strings belong to whoever received
 * it from contract_parse, contract_decode, contract_amend, contract_dup or
 * contract_signed_decode; release it with contract_free (NULL is a no-op).
 * Every byte buffer handed out through uint8_t ** or char ** is malloc'd;
 * the caller free()s it.  Nothing here is secret: the contract is shown to
 * people before they join.
 *
 * The exact formats are in docs/protocol.md.
 */
#ifndef BAL_CONTRACT_H
#define BAL_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "identity.h"

#define CONTRACT_VERSION 1		/* format version, first element */
#define CONTRACT_NAME_MAX 80		/* bytes of the group name (min 1) */
#define CONTRACT_CADENCE_MAX 200	/* bytes of the cadence ("" = none) */
#define CONTRACT_TEXT_MAX (64u * 1024)	/* bytes of the free text */
#define CONTRACT_RETENTION_MAX 36500u	/* days (100 years); 0 = none */
#define CONTRACT_LEADERS_MAX 2
#define CONTRACT_MEMBER_NAME_MAX 80	/* bytes of a member name (= roster) */
#define CONTRACT_SALT_BYTES 32
/* Upper bounds of the encodings (decoders refuse anything larger). */
#define CONTRACT_ENC_MAX (CONTRACT_TEXT_MAX + 1024)
#define CONTRACT_SIGNED_MAX (CONTRACT_ENC_MAX + 256)

/* Domain-separation strings (see identity_sign and contract_hash). */
#define CONTRACT_HASH_DOMAIN "balint-group-v1"
#define CONTRACT_SIGN_DOMAIN "balint-contract-v1"
#define CONTRACT_ACCEPT_DOMAIN "balint-accept-v1"

/* The placeholder group name of contract_template(), for a CLI warning. */
#define CONTRACT_TEMPLATE_NAME "Our Balint group (change this name)"

/* How members reach each other ("Network:"). */
enum contract_network {
	CONTRACT_NETWORK_ANY = 0,	/* directly when possible, else onion */
	CONTRACT_NETWORK_TOR_ONLY = 1,	/* onion services only: no member
					   announces or dials an IP address */
};

/* What a new member may read. */
enum contract_history {
	CONTRACT_HISTORY_FROM_JOIN = 0,	/* only what is written after joining */
	CONTRACT_HISTORY_FULL = 1,	/* everything since the group began */
};

/*
 * What the de-identification guard does when a note holds details that
 * may identify a patient (the "Identifiers" key; docs/member-guide.md).
 */
enum contract_identifiers {
	CONTRACT_IDS_REFUSE = 0,	/* the note is not written unless the
					   member confirms (the default) */
	CONTRACT_IDS_WARN = 1,		/* written, the details shown */
	CONTRACT_IDS_OFF = 2,		/* no check */
};

struct contract {
	uint32_t version;		/* CONTRACT_VERSION */
	char *name;			/* 1..CONTRACT_NAME_MAX bytes, 1 line */
	char *text;			/* 0..CONTRACT_TEXT_MAX bytes, LF lines;
					   NULL encodes as "" */
	/* leaders[0] wrote this version; leaders[1], if any, is the other. */
	uint8_t leaders[CONTRACT_LEADERS_MAX][BAL_PK_BYTES];
	unsigned nleaders;		/* 1 or 2, all distinct */
	char *cadence;			/* 0..CONTRACT_CADENCE_MAX bytes; "" or
					   NULL = none */
	enum contract_history history;
	uint32_t retention_days;	/* ..CONTRACT_RETENTION_MAX; 0 = none */
	uint64_t created_ms;		/* Unix time in milliseconds */
	uint8_t salt[CONTRACT_SALT_BYTES];	/* random; kept by amendments */
	uint8_t prev[BAL_HASH_BYTES];	/* contract_hash of the previous
					   version; all zero in the first */
	/*
	 * Optional trailing fields: encoded only up to the last one that
	 * differs from its default, so a contract that leaves them all at
	 * their defaults encodes (and hashes) as before they existed.
	 */
	enum contract_identifiers identifiers;
	/* The 12th element ("Network:"), after identifiers. */
	enum contract_network network;
};

/*
 * contract_parse reads the text form ("Key: value" header, a blank line,
 * free text).  founder_pk becomes leaders[0], a Co-leader leaders[1];
 * created_ms and salt (32 random bytes, see bal_random) are copied in and
 * prev is zero.  On failure *out is NULL and err (if errlen > 0) holds one
 * line such as "line 3: unknown key 'Colour' (allowed: ...)".
 * BAL_ESYNTAX: refused text; BAL_ETOOBIG: free text above
 * CONTRACT_TEXT_MAX; BAL_EINVAL: bad arguments; BAL_ENOMEM.
 */
int contract_parse(const char *text, size_t len,
    const uint8_t founder_pk[BAL_PK_BYTES], uint64_t created_ms,
    const uint8_t salt[CONTRACT_SALT_BYTES], struct contract **out,
    char *err, size_t errlen);

/* contract_template is a commented starting contract that parses. */
const char *contract_template(void);

/*
 * contract_text writes c back in the text form that contract_parse reads.
 * self_pk (may be NULL) is the leader who will edit it: the Co-leader line
 * names the other leader, so contract_amend(c, text, self_pk, ...) keeps
 * the same leader set.  *out is NUL-terminated; *outlen excludes the NUL.
 */
int contract_text(const struct contract *c, const uint8_t *self_pk,
    char **out, size_t *outlen);

/* contract_free releases c and its strings; NULL is a no-op. */
void contract_free(struct contract *c);
/* contract_dup makes an independent copy of c. */
int contract_dup(const struct contract *c, struct contract **out);
/* contract_check is 0 when every field of c is within its limits. */
int contract_check(const struct contract *c);
/* contract_is_leader is 1 when pk is one of c's leaders, else 0. */
int contract_is_leader(const struct contract *c,
    const uint8_t pk[BAL_PK_BYTES]);
/* contract_history_name is "from-join" or "full" (NULL if unknown). */
const char *contract_history_name(enum contract_history h);
/* contract_identifiers_name is "refuse", "warn" or "off" (NULL if unknown). */
const char *contract_identifiers_name(enum contract_identifiers i);

/*
 * contract_encode writes the canonical encoding of c.  BAL_EINVAL if c
 * fails contract_check.
 */
int contract_encode(const struct contract *c, uint8_t **out, size_t *outlen);
/*
 * contract_decode accepts only a canonical encoding: the decoded contract
 * must re-encode to exactly buf.  BAL_EPROTO: malformed or not canonical;
 * BAL_EVERSION: another format version; BAL_ETOOBIG: above
 * CONTRACT_ENC_MAX.
 */
int contract_decode(const uint8_t *buf, size_t len, struct contract **out);

/*
 * contract_hash_bytes is BLAKE2b-256("balint-group-v1" || enc), the hash of
 * one contract version given its canonical encoding.
 */
void contract_hash_bytes(const uint8_t *enc, size_t len,
    uint8_t out[BAL_HASH_BYTES]);
/* contract_hash is contract_hash_bytes of contract_encode(c). */
int contract_hash(const struct contract *c, uint8_t out[BAL_HASH_BYTES]);
/*
 * contract_group_id is the group id: the contract_hash of the group's first
 * version.  BAL_ESTATE if c is an amendment (prev not zero): the group id
 * never changes, so take it from the group, not from an amendment.
 */
int contract_group_id(const struct contract *c,
    uint8_t out[BAL_GROUP_ID_BYTES]);

/*
 * contract_sign signs c's canonical encoding with domain
 * "balint-contract-v1".  BAL_EPERM if the signer is not one of c's leaders.
 */
int contract_sign(const struct contract *c, const struct identity *leader,
    uint8_t sig[BAL_SIG_BYTES]);
/*
 * contract_verify checks a contract_sign signature.  BAL_EPERM: signer is
 * not a leader of c; BAL_ECRYPTO: bad signature.
 */
int contract_verify(const struct contract *c,
    const uint8_t signer[BAL_PK_BYTES], const uint8_t sig[BAL_SIG_BYTES]);

/* contract_signed_encode signs c and packs [1, contract, signer, sig]. */
int contract_signed_encode(const struct contract *c,
    const struct identity *leader, uint8_t **out, size_t *outlen);
/*
 * contract_signed_decode decodes and verifies a signed contract: both the
 * container and the contract must be canonical, the signature valid and
 * the signer a leader of the contract.  signer (may be NULL) receives the
 * signer's key.  Errors as contract_decode and contract_verify.
 */
int contract_signed_decode(const uint8_t *buf, size_t len,
    struct contract **out, uint8_t *signer);

/*
 * contract_accept_sign signs a member's acceptance of the group's
 * contract: domain "balint-accept-v1" over group_id || member pk || name.
 * name is the member's display name as the roster carries it
 * (1..CONTRACT_MEMBER_NAME_MAX bytes of UTF-8 without C0 controls or DEL),
 * else BAL_EINVAL.
 */
int contract_accept_sign(const struct identity *member,
    const uint8_t group_id[BAL_GROUP_ID_BYTES], const char *name,
    uint8_t sig[BAL_SIG_BYTES]);
/*
 * contract_accept_verify checks an acceptance.  BAL_ECRYPTO: bad signature
 * (wrong group, member or name); BAL_EINVAL: name out of limits.
 */
int contract_accept_verify(const uint8_t member_pk[BAL_PK_BYTES],
    const uint8_t group_id[BAL_GROUP_ID_BYTES], const char *name,
    const uint8_t sig[BAL_SIG_BYTES]);

/*
 * contract_amend parses an edited text into the next version of prev: the
 * editing leader (leader_pk) becomes leaders[0], the text's Co-leader
 * leaders[1]; the salt is prev's and prev becomes contract_hash(prev).
 * BAL_EPERM if leader_pk is not a leader of prev; otherwise as
 * contract_parse.
 */
int contract_amend(const struct contract *prev, const char *text, size_t len,
    const uint8_t leader_pk[BAL_PK_BYTES], uint64_t created_ms,
    struct contract **out, char *err, size_t errlen);
/*
 * contract_amend_verify checks that next follows prev: next->prev is
 * contract_hash(prev) and the salt is unchanged (else BAL_ECHAIN), and the
 * signer of next was a leader of prev and is one of next (else BAL_EPERM).
 * The signature itself is checked by contract_verify/_signed_decode.
 */
int contract_amend_verify(const struct contract *prev,
    const struct contract *next, const uint8_t signer[BAL_PK_BYTES]);
/*
 * contract_amend_check_bytes is contract_amend_verify on two canonical
 * encodings (as a roster carries them); on success leaders (room for
 * CONTRACT_LEADERS_MAX) and *nleaders get the leaders of next.  It fits
 * the amend callback of roster_fold_ex.  BAL_EPROTO: an encoding does not
 * decode; otherwise as contract_amend_verify.
 */
int contract_amend_check_bytes(const uint8_t *cur, size_t cur_len,
    const uint8_t *next, size_t next_len, const uint8_t author[BAL_PK_BYTES],
    uint8_t leaders[][BAL_PK_BYTES], size_t *nleaders);

#endif
