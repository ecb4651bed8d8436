/*
 * wire.c — replication messages: encoding and strict decoding (wire.h).
 * RUNS has a file of its own, wire-runs.c.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "entry.h"
#include "frame.h"
#include "mp.h"
#include "wire-int.h"

/* One message must always fit one transport frame. */
_Static_assert(WIRE_MAX_MSG <= FRAME_MAX_PLAIN, "wire message above frame");
/* Any single entry fits a PUSH. */
_Static_assert(WIRE_MAX_ENTRY < WIRE_MAX_MSG, "entry above message");

/* HAVE sequence numbers stay in SQLite's signed range (ENTRY_MAX_COUNTER). */
#define WIRE_MAX_SEQ ((uint64_t)INT64_MAX)

/* Largest version number a HELLO may name at all. */
#define WIRE_MAX_VERSION ((uint64_t)UINT32_MAX)

static const char *
blk_str(struct blk *b, const char *s, size_t len)
{
	char *d = blk_take(b, len + 1, 1);

	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* Software names: printable ASCII, spaces allowed. */
static int
software_ok(const char *s, size_t len)
{
	size_t i;

	if (len > WIRE_MAX_SOFTWARE)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* Addresses: 1..WIRE_MAX_ADDR bytes of printable ASCII without spaces. */
static int
addr_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > WIRE_MAX_ADDR)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* BYE text: UTF-8 on one line (no C0 control characters, no DEL). */
static int
text_ok(const char *s, size_t len)
{
	size_t i;

	if (len > WIRE_MAX_BYE_TEXT || !mp_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

size_t
wire_entry_cost(size_t len)
{
	if (len <= 0xff)
		return 2 + len;
	if (len <= 0xffff)
		return 3 + len;
	return 5 + len;
}

static int
have_cmp(const void *a, const void *b)
{
	const struct wire_have_item *x = a, *y = b;

	return memcmp(x->author, y->author, BAL_PK_BYTES);
}

static int
pack_hello(msgpack_packer *pk, const struct wire_msg *m)
{
	const char *sw = m->hello.software != NULL ? m->hello.software : "";
	size_t i, swlen = strlen(sw);

	if (m->hello.version != WIRE_VERSION ||
	    (m->hello.caps & ~(uint32_t)WIRE_CAPS_KNOWN) != 0)
		return BAL_EINVAL;
	if (swlen > WIRE_MAX_SOFTWARE || m->hello.naddrs > WIRE_MAX_ADDRS)
		return BAL_ETOOBIG;
	if (!software_ok(sw, swlen) ||
	    (m->hello.naddrs > 0 && m->hello.addrs == NULL))
		return BAL_EINVAL;
	for (i = 0; i < m->hello.naddrs; i++) {
		if (m->hello.addrs[i] == NULL)
			return BAL_EINVAL;
		if (strlen(m->hello.addrs[i]) > WIRE_MAX_ADDR)
			return BAL_ETOOBIG;
		if (!addr_ok(m->hello.addrs[i], strlen(m->hello.addrs[i])))
			return BAL_EINVAL;
	}
	/* No capabilities: no field, the bytes of a HELLO before them. */
	if (msgpack_pack_array(pk, m->hello.caps != 0 ? 6 : 5) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_HELLO) != 0 ||
	    msgpack_pack_uint64(pk, m->hello.version) != 0 ||
	    mp_pack_bin(pk, m->hello.group_id, BAL_GROUP_ID_BYTES) != 0 ||
	    mp_pack_str(pk, sw, swlen) != 0 ||
	    msgpack_pack_array(pk, m->hello.naddrs) != 0)
		return BAL_ENOMEM;
	for (i = 0; i < m->hello.naddrs; i++)
		if (mp_pack_cstr(pk, m->hello.addrs[i]) != 0)
			return BAL_ENOMEM;
	return m->hello.caps != 0 ? wire_caps_pack(pk, m->hello.caps) : 0;
}


/* WANT items: by author, then seq. */
static int
want_cmp(const void *a, const void *b)
{
	const struct wire_have_item *x = a, *y = b;
	int c = memcmp(x->author, y->author, BAL_PK_BYTES);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * HAVE and WANT carry the same list of [author, seq] pairs, each under
 * its own rules: how many, the least seq, and the order (strictly
 * ascending under cmp: one canonical encoding, no duplicates).
 */
struct pairs_rule {
	uint64_t type;
	uint32_t min, max;		/* items */
	uint64_t seq_min;
	int (*cmp)(const void *, const void *);
};

/* HAVE: 0..WIRE_MAX_HAVE items, one per author. */
static const struct pairs_rule have_rule = {
	WIRE_HAVE, 0, WIRE_MAX_HAVE, 0, have_cmp
};
/* WANT: 1..WIRE_MAX_WANT items, by author then seq, seq >= 1. */
static const struct pairs_rule want_rule = {
	WIRE_WANT, 1, WIRE_MAX_WANT, 1, want_cmp
};

/* Packs [type, [[author, seq]...]] from a sorted copy of items. */
static int
pack_pairs(msgpack_packer *pk, const struct pairs_rule *k,
    const struct wire_have_item *items, size_t n)
{
	struct wire_have_item *v = NULL;
	size_t i;
	int ret = BAL_EINVAL;

	if (n > k->max)
		return BAL_ETOOBIG;
	if (n < k->min || (n > 0 && items == NULL))
		return BAL_EINVAL;
	if (n > 0) {
		if ((v = malloc(n * sizeof(*v))) == NULL)
			return BAL_ENOMEM;
		memcpy(v, items, n * sizeof(*v));
		qsort(v, n, sizeof(*v), k->cmp);
	}
	for (i = 0; i < n; i++)
		if (v[i].seq < k->seq_min || v[i].seq > WIRE_MAX_SEQ ||
		    (i > 0 && k->cmp(&v[i - 1], &v[i]) == 0))
			goto out;
	ret = BAL_ENOMEM;
	if (msgpack_pack_array(pk, 2) != 0 ||
	    msgpack_pack_uint64(pk, k->type) != 0 ||
	    msgpack_pack_array(pk, n) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (msgpack_pack_array(pk, 2) != 0 ||
		    mp_pack_bin(pk, v[i].author, BAL_PK_BYTES) != 0 ||
		    msgpack_pack_uint64(pk, v[i].seq) != 0)
			goto out;
	ret = 0;
out:
	free(v);
	return ret;
}

static int
entry_ok(const struct wire_bytes *e)
{
	if (e->len > WIRE_MAX_ENTRY)
		return BAL_ETOOBIG;
	if (e->len == 0 || e->p == NULL)
		return BAL_EINVAL;
	return 0;
}

static int
pack_entries(msgpack_packer *pk, const struct wire_msg *m)
{
	size_t i, total = WIRE_ENTRIES_OVERHEAD;
	int rc;

	if (m->entries.n > WIRE_MAX_ENTRIES)
		return BAL_ETOOBIG;
	if (m->entries.n > 0 && m->entries.items == NULL)
		return BAL_EINVAL;
	for (i = 0; i < m->entries.n; i++) {
		if ((rc = entry_ok(&m->entries.items[i])) != 0)
			return rc;
		total += wire_entry_cost(m->entries.items[i].len);
		if (total > WIRE_MAX_MSG + WIRE_ENTRIES_OVERHEAD)
			return BAL_ETOOBIG;	/* exact check after packing */
	}
	if (msgpack_pack_array(pk, 2) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_ENTRIES) != 0 ||
	    msgpack_pack_array(pk, m->entries.n) != 0)
		return BAL_ENOMEM;
	for (i = 0; i < m->entries.n; i++)
		if (mp_pack_bin(pk, m->entries.items[i].p,
		    m->entries.items[i].len) != 0)
			return BAL_ENOMEM;
	return 0;
}

static int
pack_bye(msgpack_packer *pk, const struct wire_msg *m)
{
	const char *t = m->bye.text != NULL ? m->bye.text : "";
	size_t tlen = strlen(t);

	if (tlen > WIRE_MAX_BYE_TEXT)
		return BAL_ETOOBIG;
	if (m->bye.reason > WIRE_MAX_BYE_REASON || !text_ok(t, tlen))
		return BAL_EINVAL;
	if (msgpack_pack_array(pk, 3) != 0 ||
	    msgpack_pack_uint64(pk, WIRE_BYE) != 0 ||
	    msgpack_pack_uint64(pk, m->bye.reason) != 0 ||
	    mp_pack_str(pk, t, tlen) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
wire_encode(const struct wire_msg *m, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	int ret = BAL_EINVAL;

	if (out != NULL)
		*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (m == NULL || out == NULL || outlen == NULL)
		goto out;
	switch (m->type) {
	case WIRE_HELLO:
		ret = pack_hello(&pk, m);
		break;
	case WIRE_HAVE:
		ret = pack_pairs(&pk, &have_rule, m->have.items, m->have.n);
		break;
	case WIRE_WANT:
		ret = pack_pairs(&pk, &want_rule, m->want.items, m->want.n);
		break;
	case WIRE_PUNCH:
		ret = wire_pack_punch(&pk, m);
		break;
	case WIRE_ENTRIES:
		ret = pack_entries(&pk, m);
		break;
	case WIRE_PUSH:
		if ((ret = entry_ok(&m->push)) != 0)
			break;
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    msgpack_pack_uint64(&pk, WIRE_PUSH) != 0 ||
		    mp_pack_bin(&pk, m->push.p, m->push.len) != 0)
			ret = BAL_ENOMEM;
		break;
	case WIRE_ACK:
		ret = 0;
		if (msgpack_pack_array(&pk, 2) != 0 ||
		    msgpack_pack_uint64(&pk, WIRE_ACK) != 0 ||
		    msgpack_pack_uint64(&pk, m->ack.stored) != 0)
			ret = BAL_ENOMEM;
		break;
	case WIRE_BYE:
		ret = pack_bye(&pk, m);
		break;
	case WIRE_RUNS:
		ret = wire_pack_runs(&pk, m);
		break;
	default:
		ret = BAL_EINVAL;
		break;
	}
	if (ret != 0)
		goto out;
	if (sbuf.size > WIRE_MAX_MSG) {
		ret = BAL_ETOOBIG;
		goto out;
	}
	ret = mp_sbuf_take(&sbuf, out, outlen);
out:
	msgpack_sbuffer_destroy(&sbuf);
	return ret;
}

/*
 * HELLO after its type: the version, then (version 2) the fields; the
 * capabilities may be absent (an older peer: none), and elements after
 * them are a later version's fields, skipped.
 */
static int
dec_hello(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	struct mp_rd sub;
	uint8_t gid[BAL_GROUP_ID_BYTES];
	const char *sw, *s;
	const char **addrs;
	size_t swlen, slen;
	uint64_t version;
	uint32_t i, caps = 0;
	int rc;

	if ((rc = mp_rd_uint(r, WIRE_MAX_VERSION, &version)) != 0)
		return rc;
	if (version != WIRE_VERSION) {
		/* Whatever follows is the other version's business. */
		if ((m = blk_new(b, 0, 0)) == NULL)
			return BAL_ENOMEM;
		m->type = WIRE_HELLO;
		m->hello.version = version;
		m->hello.software = "";
		return BAL_EVERSION;
	}
	if ((rc = mp_rd_bin_fixed(r, gid, sizeof(gid))) != 0 ||
	    (rc = mp_rd_str(r, 0, WIRE_MAX_SOFTWARE, &sw, &swlen)) != 0 ||
	    (rc = mp_rd_sub(r, 0, WIRE_MAX_ADDRS, &sub)) != 0)
		return rc;
	if (mp_rd_left(r) > 0 && (rc = wire_caps_dec(r, &caps)) != 0)
		return rc;
	if (!software_ok(sw, swlen))
		return BAL_EPROTO;
	if ((m = blk_new(b, sub.n * sizeof(char *), len + sub.n + 1)) == NULL)
		return BAL_ENOMEM;
	/* The array first (aligned), then the strings. */
	addrs = blk_take(b, sub.n * sizeof(char *), alignof(char *));
	m->type = WIRE_HELLO;
	m->hello.version = version;
	memcpy(m->hello.group_id, gid, sizeof(gid));
	m->hello.software = blk_str(b, sw, swlen);
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_str(&sub, 1, WIRE_MAX_ADDR, &s, &slen)) != 0)
			return rc;
		if (!addr_ok(s, slen))
			return BAL_EPROTO;
		addrs[i] = blk_str(b, s, slen);
	}
	m->hello.addrs = sub.n > 0 ? addrs : NULL;
	m->hello.naddrs = sub.n;
	m->hello.caps = caps;
	return 0;
}

/*
 * Decodes [[author, seq]...] under k's rules into a message of k's type
 * (HAVE and WANT hold their list alike: items, n).
 */
static int
dec_pairs(struct mp_rd *r, struct blk *b, const struct pairs_rule *k)
{
	struct wire_msg *m;
	struct wire_have_item *v;
	struct mp_rd sub, it;
	uint32_t i;
	int rc;

	if ((rc = mp_rd_sub(r, k->min, k->max, &sub)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, sub.n * sizeof(*v), 0)) == NULL)
		return BAL_ENOMEM;
	m->type = (int)k->type;
	v = blk_take(b, sub.n * sizeof(*v), alignof(struct wire_have_item));
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_sub(&sub, 2, 2, &it)) != 0 ||
		    (rc = mp_rd_bin_fixed(&it, v[i].author,
		    BAL_PK_BYTES)) != 0 ||
		    (rc = mp_rd_uint(&it, WIRE_MAX_SEQ, &v[i].seq)) != 0)
			return rc;
		if (v[i].seq < k->seq_min ||
		    (i > 0 && k->cmp(&v[i - 1], &v[i]) >= 0))
			return BAL_EPROTO;
	}
	if (k->type == WIRE_HAVE) {
		m->have.items = sub.n > 0 ? v : NULL;
		m->have.n = sub.n;
	} else {
		m->want.items = sub.n > 0 ? v : NULL;
		m->want.n = sub.n;
	}
	return 0;
}


static int
dec_entries(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	struct wire_bytes *v;
	struct mp_rd sub;
	const uint8_t *p;
	size_t plen;
	uint32_t i;
	int rc;

	if ((rc = mp_rd_sub(r, 0, WIRE_MAX_ENTRIES, &sub)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, sub.n * sizeof(*v), len)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_ENTRIES;
	v = blk_take(b, sub.n * sizeof(*v), alignof(struct wire_bytes));
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_bin(&sub, 1, WIRE_MAX_ENTRY, &p, &plen)) != 0)
			return rc;
		v[i].p = blk_bytes(b, p, plen);
		v[i].len = plen;
	}
	m->entries.items = sub.n > 0 ? v : NULL;
	m->entries.n = sub.n;
	return 0;
}

static int
dec_push(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	const uint8_t *p;
	size_t plen;
	int rc;

	if ((rc = mp_rd_bin(r, 1, WIRE_MAX_ENTRY, &p, &plen)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, 0, len)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_PUSH;
	m->push.p = blk_bytes(b, p, plen);
	m->push.len = plen;
	return 0;
}

static int
dec_ack(struct mp_rd *r, struct blk *b)
{
	struct wire_msg *m;
	uint64_t v;
	int rc;

	if ((rc = mp_rd_uint(r, UINT64_MAX, &v)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if ((m = blk_new(b, 0, 0)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_ACK;
	m->ack.stored = v;
	return 0;
}

static int
dec_bye(struct mp_rd *r, size_t len, struct blk *b)
{
	struct wire_msg *m;
	const char *t;
	size_t tlen;
	uint64_t reason;
	int rc;

	if ((rc = mp_rd_uint(r, WIRE_MAX_BYE_REASON, &reason)) != 0 ||
	    (rc = mp_rd_str(r, 0, WIRE_MAX_BYE_TEXT, &t, &tlen)) != 0 ||
	    (rc = mp_rd_end(r)) != 0)
		return rc;
	if (!text_ok(t, tlen))
		return BAL_EPROTO;
	if ((m = blk_new(b, 0, len + 1)) == NULL)
		return BAL_ENOMEM;
	m->type = WIRE_BYE;
	m->bye.reason = reason;
	m->bye.text = blk_str(b, t, tlen);
	return 0;
}

int
wire_decode(const uint8_t *buf, size_t len, struct wire_msg **out)
{
	struct mp_doc doc;
	struct mp_rd r;
	struct blk b = { NULL, 0, 0 };
	uint64_t type;
	int ret;

	memset(&doc, 0, sizeof(doc));
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (len > WIRE_MAX_MSG)
		return BAL_ETOOBIG;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0)
		goto out;
	if ((ret = mp_rd_array(&r, mp_doc_root(&doc), 1, UINT32_MAX)) != 0 ||
	    (ret = mp_rd_uint(&r, 0xff, &type)) != 0)
		goto out;
	switch (type) {
	case WIRE_HELLO:
		ret = dec_hello(&r, len, &b);
		break;
	case WIRE_HAVE:
		ret = dec_pairs(&r, &b, &have_rule);
		break;
	case WIRE_WANT:
		ret = dec_pairs(&r, &b, &want_rule);
		break;
	case WIRE_PUNCH:
		ret = wire_dec_punch(&r, &b);
		break;
	case WIRE_ENTRIES:
		ret = dec_entries(&r, len, &b);
		break;
	case WIRE_PUSH:
		ret = dec_push(&r, len, &b);
		break;
	case WIRE_ACK:
		ret = dec_ack(&r, &b);
		break;
	case WIRE_BYE:
		ret = dec_bye(&r, len, &b);
		break;
	case WIRE_RUNS:
		ret = wire_dec_runs(&r, len, &b);
		break;
	default:
		ret = BAL_EPROTO;
		break;
	}
out:
	mp_doc_free(&doc);
	if (ret == 0 || ret == BAL_EVERSION)
		*out = (struct wire_msg *)(void *)b.p;
	else
		free(b.p);
	return ret;
}

void
wire_msg_free(struct wire_msg *m)
{
	free(m);
}

const char *
wire_type_name(int type)
{
	switch (type) {
	case WIRE_HELLO:	return "HELLO";
	case WIRE_HAVE:		return "HAVE";
	case WIRE_ENTRIES:	return "ENTRIES";
	case WIRE_PUSH:		return "PUSH";
	case WIRE_ACK:		return "ACK";
	case WIRE_BYE:		return "BYE";
	case WIRE_RUNS:		return "RUNS";
	case WIRE_WANT:		return "WANT";
	case WIRE_PUNCH:	return "PUNCH";
	default:		return "?";
	}
}

const char *
wire_bye_reason_name(uint64_t reason)
{
	switch (reason) {
	case WIRE_BYE_NORMAL:		return "normal";
	case WIRE_BYE_VERSION:		return "version mismatch";
	case WIRE_BYE_NOT_MEMBER:	return "not a member";
	case WIRE_BYE_PROTOCOL:		return "protocol error";
	case WIRE_BYE_REVOKED:		return "revoked";
	case WIRE_BYE_SHUTDOWN:		return "shutting down";
	case WIRE_BYE_DUPLICATE:	return "duplicate connection";
	default:			return "unknown reason";
	}
}
