/* ctl-kv.c — key/value lists of control messages (see ctl-internal.h). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "ctl.h"
#include "ctl-internal.h"
#include "mp.h"

#define CHUNK_BYTES 16384

/* One block of an arena; big pieces get a block of their own. */
struct chunk {
	struct chunk *next;
	size_t used;
	size_t cap;
	unsigned char data[];
};

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t cap;
	void *p;

	if (n == 0)
		n = 1;
	if (c != NULL && c->cap - c->used >= n) {
		p = c->data + c->used;
		c->used += n;
		return p;
	}
	cap = n > CHUNK_BYTES / 4 ? n : CHUNK_BYTES;
	if ((c = malloc(sizeof(*c) + cap)) == NULL)
		return NULL;
	c->cap = cap;
	c->used = n;
	if (cap == n && a->head != NULL) {
		/* A big piece of its own: keep the current chunk's room. */
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c->data;
}

void
ctl_kv_arena_free(struct arena *a)
{
	struct chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		sodium_memzero(c->data, c->used);
		free(c);
	}
	a->head = NULL;
}

char *
ctl_kv_arena_str(struct arena *a, const char *s, size_t len)
{
	char *d = arena_alloc(a, len + 1);

	if (d == NULL)
		return NULL;
	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* Encoded sizes, as msgpack-c's packer chooses them. */
size_t
ctl_kv_sz_uint(uint64_t u)
{
	if (u < 0x80)
		return 1;
	if (u <= 0xff)
		return 2;
	if (u <= 0xffff)
		return 3;
	if (u <= 0xffffffffu)
		return 5;
	return 9;
}

size_t
ctl_kv_sz_str(size_t len)
{
	if (len < 32)
		return 1 + len;
	if (len <= 0xff)
		return 2 + len;
	if (len <= 0xffff)
		return 3 + len;
	return 5 + len;
}

static size_t
sz_bin(size_t len)
{
	if (len <= 0xff)
		return 2 + len;
	if (len <= 0xffff)
		return 3 + len;
	return 5 + len;
}

size_t
ctl_kv_sz_arr(size_t n)
{
	if (n < 16)
		return 1;
	if (n <= 0xffff)
		return 3;
	return 5;
}

static size_t
sz_value(const struct ctl_value *v)
{
	switch (v->type) {
	case CTL_STR:
		return ctl_kv_sz_str(v->str.len);
	case CTL_UINT:
		return ctl_kv_sz_uint(v->u);
	case CTL_BIN:
		return sz_bin(v->bin.len);
	default:
		return 1;	/* bool, nil */
	}
}

/* Command names and keys: 1..max bytes of [a-z0-9._-]. */
int
ctl_kv_name_ok(const char *s, size_t len, size_t max)
{
	size_t i;

	if (s == NULL || len < 1 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
value_check(const struct ctl_value *v)
{
	if (v == NULL)
		return BAL_EINVAL;
	switch (v->type) {
	case CTL_NIL:
	case CTL_UINT:
		return 0;
	case CTL_BOOL:
		return v->b == 0 || v->b == 1 ? 0 : BAL_EINVAL;
	case CTL_STR:
		if (v->str.len > CTL_MAX_MSG)
			return BAL_ETOOBIG;
		if (v->str.p == NULL && v->str.len > 0)
			return BAL_EINVAL;
		if (v->str.len > 0 && !mp_utf8_valid(v->str.p, v->str.len))
			return BAL_EINVAL;
		return 0;
	case CTL_BIN:
		if (v->bin.len > CTL_MAX_MSG)
			return BAL_ETOOBIG;
		if (v->bin.p == NULL && v->bin.len > 0)
			return BAL_EINVAL;
		return 0;
	default:
		return BAL_EINVAL;
	}
}

/*
 * Appends key = *v to the segment l->v[first..] (one request's arguments
 * or one record's fields) unless the key is bad or present, the segment
 * holds max pairs already, or the value is invalid.  *grown is the growth
 * of the encoding, the segment's array header included.  On error nothing
 * visible changes.
 */
int
ctl_kv_add(struct kvl *l, size_t first, size_t max, struct arena *a,
    const char *key, size_t keylen, const struct ctl_value *v, size_t *grown)
{
	struct ctl_kv kv;
	struct ctl_kv *nv;
	uint8_t *bin;
	size_t i, cnt = l->n - first, ncap;
	int rc;

	if (!ctl_kv_name_ok(key, keylen, CTL_MAX_KEY))
		return BAL_EINVAL;
	if (cnt >= max)
		return BAL_ETOOBIG;
	for (i = first; i < l->n; i++)
		if (strlen(l->v[i].key) == keylen &&
		    memcmp(l->v[i].key, key, keylen) == 0)
			return BAL_EINVAL;
	if ((rc = value_check(v)) != 0)
		return rc;
	if (l->n == l->cap) {
		ncap = l->cap > 0 ? l->cap * 2 : 8;
		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return BAL_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	memset(&kv, 0, sizeof(kv));
	kv.val.type = v->type;
	if ((kv.key = ctl_kv_arena_str(a, key, keylen)) == NULL)
		return BAL_ENOMEM;
	switch (v->type) {
	case CTL_STR:
		kv.val.str.len = v->str.len;
		kv.val.str.p = ctl_kv_arena_str(a, v->str.p, v->str.len);
		if (kv.val.str.p == NULL)
			return BAL_ENOMEM;
		break;
	case CTL_BIN:
		if ((bin = arena_alloc(a, v->bin.len)) == NULL)
			return BAL_ENOMEM;
		if (v->bin.len > 0)
			memcpy(bin, v->bin.p, v->bin.len);
		kv.val.bin.p = bin;
		kv.val.bin.len = v->bin.len;
		break;
	case CTL_UINT:
		kv.val.u = v->u;
		break;
	case CTL_BOOL:
		kv.val.b = v->b;
		break;
	default:
		break;
	}
	l->v[l->n++] = kv;
	*grown = ctl_kv_sz_arr(cnt + 1) - ctl_kv_sz_arr(cnt) + 1 +
	    ctl_kv_sz_str(keylen) + sz_value(v);
	return 0;
}

const struct ctl_value *
ctl_kv_get(const struct ctl_kv *v, size_t n, const char *key)
{
	size_t i;

	if (key == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return &v[i].val;
	return NULL;
}

/* 0 when v holds type; BAL_ENOENT when absent or nil; else BAL_EPROTO. */
static int
typed(const struct ctl_value *v, int type)
{
	if (v == NULL || v->type == CTL_NIL)
		return BAL_ENOENT;
	return v->type == type ? 0 : BAL_EPROTO;
}

int
ctl_kv_val_str(const struct ctl_value *v, const char **s, size_t *len)
{
	int rc;

	if ((rc = typed(v, CTL_STR)) != 0)
		return rc;
	*s = v->str.p;
	if (len != NULL)
		*len = v->str.len;
	return 0;
}

int
ctl_kv_val_uint(const struct ctl_value *v, uint64_t *u)
{
	int rc;

	if ((rc = typed(v, CTL_UINT)) == 0)
		*u = v->u;
	return rc;
}

int
ctl_kv_val_bool(const struct ctl_value *v, int *b)
{
	int rc;

	if ((rc = typed(v, CTL_BOOL)) == 0)
		*b = v->b;
	return rc;
}

int
ctl_kv_val_bin(const struct ctl_value *v, const uint8_t **p, size_t *len)
{
	int rc;

	if ((rc = typed(v, CTL_BIN)) != 0)
		return rc;
	*p = v->bin.p;
	if (len != NULL)
		*len = v->bin.len;
	return 0;
}

static int
pack_value(msgpack_packer *pk, const struct ctl_value *v)
{
	switch (v->type) {
	case CTL_STR:
		return mp_pack_str(pk, v->str.p, v->str.len);
	case CTL_UINT:
		return msgpack_pack_uint64(pk, v->u) == 0 ? 0 : BAL_ENOMEM;
	case CTL_BOOL:
		if (v->b)
			return msgpack_pack_true(pk) == 0 ? 0 : BAL_ENOMEM;
		return msgpack_pack_false(pk) == 0 ? 0 : BAL_ENOMEM;
	case CTL_BIN:
		return mp_pack_bin(pk, v->bin.p, v->bin.len);
	default:
		return msgpack_pack_nil(pk) == 0 ? 0 : BAL_ENOMEM;
	}
}

int
ctl_kv_pack(msgpack_packer *pk, const struct ctl_kv *v, size_t n)
{
	size_t i;

	if (msgpack_pack_array(pk, n) != 0)
		return BAL_ENOMEM;
	for (i = 0; i < n; i++)
		if (msgpack_pack_array(pk, 2) != 0 ||
		    mp_pack_cstr(pk, v[i].key) != 0 ||
		    pack_value(pk, &v[i].val) != 0)
			return BAL_ENOMEM;
	return 0;
}

/*
 * Reads the next element of r as a value; str and bin point into the
 * document, to be copied by ctl_kv_add.
 */
static int
rd_value(struct mp_rd *r, struct ctl_value *v)
{
	const msgpack_object *o;

	memset(v, 0, sizeof(*v));
	if (mp_rd_left(r) == 0)
		return BAL_EPROTO;
	o = &r->items[r->i];
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		v->type = CTL_STR;
		return mp_rd_str(r, 0, CTL_MAX_MSG, &v->str.p, &v->str.len);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		v->type = CTL_UINT;
		return mp_rd_uint(r, UINT64_MAX, &v->u);
	case MSGPACK_OBJECT_BOOLEAN:
		v->type = CTL_BOOL;
		return mp_rd_bool(r, &v->b);
	case MSGPACK_OBJECT_BIN:
		v->type = CTL_BIN;
		return mp_rd_bin(r, 0, CTL_MAX_MSG, &v->bin.p, &v->bin.len);
	case MSGPACK_OBJECT_NIL:
		v->type = CTL_NIL;
		return mp_rd_nil(r);
	default:
		return BAL_EPROTO;
	}
}

/* Reads one [key, value] pair of r into the segment (decoders). */
int
ctl_kv_read(struct mp_rd *r, struct kvl *l, size_t first, size_t max,
    struct arena *a, size_t *grown)
{
	struct mp_rd kv;
	struct ctl_value v;
	const char *key;
	size_t keylen;
	int rc;

	if ((rc = mp_rd_sub(r, 2, 2, &kv)) != 0 ||
	    (rc = mp_rd_str(&kv, 1, CTL_MAX_KEY, &key, &keylen)) != 0 ||
	    (rc = rd_value(&kv, &v)) != 0)
		return rc;
	rc = ctl_kv_add(l, first, max, a, key, keylen, &v, grown);
	return rc == BAL_ENOMEM ? rc : rc != 0 ? BAL_EPROTO : 0;
}
