/*
 * wire-caps.c — the capabilities a HELLO announces (docs/protocol.md
 * "Capabilities"): which messages beyond the base of protocol 2 the
 * sender understands, as an array of short names.  A name this version
 * does not know is skipped (a later version may announce more); a field
 * that is no such array, or is over its limits, makes the HELLO
 * malformed.  Which message needs which capability is decided here too,
 * so that the daemon's sending and receiving sides ask the same table.
 */
#include <stdio.h>

#include "wire-int.h"

/* Bit k of a set is names[k]. */
static const char *const names[] = {
	"punch",		/* WIRE_CAP_PUNCH: PUNCH ops 1..4 */
	"punch-onion"		/* WIRE_CAP_PUNCH_ONION: PUNCH ops 5..7 */
};

_Static_assert(sizeof(names) / sizeof(names[0]) == WIRE_CAPS_COUNT,
    "a name for each capability");
_Static_assert(WIRE_CAPS_KNOWN == (1u << WIRE_CAPS_COUNT) - 1,
    "capabilities are the low bits");

/* A name: 1..WIRE_MAX_CAP_NAME bytes of a-z, 0-9, '-', '.', '@'. */
static int
name_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > WIRE_MAX_CAP_NAME)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '.' || s[i] == '@'))
			return 0;
	return 1;
}

const char *
wire_caps_name(uint32_t cap)
{
	unsigned k;

	for (k = 0; k < WIRE_CAPS_COUNT; k++)
		if (cap == 1u << k)
			return names[k];
	return NULL;
}

uint32_t
wire_caps_needed(const struct wire_msg *m)
{
	if (m->type != WIRE_PUNCH)
		return 0;	/* types 1..8: every peer of protocol 2 */
	return m->punch.op <= WIRE_PUNCH_GO ? WIRE_CAP_PUNCH :
	    WIRE_CAP_PUNCH_ONION;
}

size_t
wire_caps_text(uint32_t caps, char *buf, size_t size)
{
	size_t n = 0;
	unsigned k;
	int w;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	for (k = 0; k < WIRE_CAPS_COUNT; k++) {
		if ((caps & (1u << k)) == 0)
			continue;
		w = snprintf(buf + n, size - n, "%s%s", n > 0 ? " " : "",
		    names[k]);
		if (w < 0 || (size_t)w >= size - n) {
			buf[n] = '\0';	/* what fitted, whole names only */
			break;
		}
		n += (size_t)w;
	}
	return n;
}

int
wire_caps_pack(msgpack_packer *pk, uint32_t caps)
{
	unsigned k, n = 0;

	for (k = 0; k < WIRE_CAPS_COUNT; k++)
		n += (caps >> k) & 1u;
	if (msgpack_pack_array(pk, n) != 0)
		return BAL_ENOMEM;
	for (k = 0; k < WIRE_CAPS_COUNT; k++)
		if ((caps & (1u << k)) != 0 && mp_pack_cstr(pk, names[k]) != 0)
			return BAL_ENOMEM;
	return 0;
}

int
wire_caps_dec(struct mp_rd *r, uint32_t *caps)
{
	struct mp_rd sub;
	const char *s;
	size_t len;
	uint32_t i;
	unsigned k;
	int rc;

	*caps = 0;
	if ((rc = mp_rd_sub(r, 0, WIRE_MAX_CAPS, &sub)) != 0)
		return rc;
	for (i = 0; i < sub.n; i++) {
		if ((rc = mp_rd_str(&sub, 1, WIRE_MAX_CAP_NAME, &s,
		    &len)) != 0)
			return rc;
		if (!name_ok(s, len))
			return BAL_EPROTO;
		/* Unknown names, and a name twice, change nothing. */
		for (k = 0; k < WIRE_CAPS_COUNT; k++)
			if (strlen(names[k]) == len &&
			    memcmp(names[k], s, len) == 0)
				*caps |= 1u << k;
	}
	return 0;
}
