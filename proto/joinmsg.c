/* joinmsg.c — the join conversation's messages (see joinmsg.h). */
#include <stdlib.h>
#include <string.h>

#include "joinmsg.h"
#include "mp.h"

/* A name or text: 1 line of UTF-8 without control characters. */
static int
line_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return mp_utf8_valid(s, len);
}

int
joinmsg_encode(const struct joinmsg *m, uint8_t **out, size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t len;
	int ret = BAL_EINVAL, rc = 0;

	*out = NULL;
	*outlen = 0;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	switch (m->type) {
	case JOIN_HELLO:
		rc = msgpack_pack_array(&pk, 4) ||
		    msgpack_pack_uint8(&pk, JOIN_HELLO) ||
		    msgpack_pack_uint64(&pk, JOINMSG_VERSION) ||
		    mp_pack_bin(&pk, m->group, BAL_GROUP_ID_BYTES) ||
		    (m->preview ? msgpack_pack_true(&pk) :
		    msgpack_pack_false(&pk));
		break;
	case JOIN_CONTRACT:
		len = strnlen(m->name, JOINMSG_NAME_MAX + 1);
		if (m->contract == NULL || m->contract_len == 0 ||
		    m->contract_len > JOINMSG_CONTRACT_MAX || len < 1 ||
		    len > JOINMSG_NAME_MAX || !line_ok(m->name, len))
			goto out;
		rc = msgpack_pack_array(&pk, 4) ||
		    msgpack_pack_uint8(&pk, JOIN_CONTRACT) ||
		    mp_pack_bin(&pk, m->contract, m->contract_len) ||
		    mp_pack_str(&pk, m->name, len) ||
		    (m->confirm ? msgpack_pack_true(&pk) :
		    msgpack_pack_false(&pk));
		break;
	case JOIN_ACCEPT:
		len = strnlen(m->name, JOINMSG_NAME_MAX + 1);
		if (len < 1 || len > JOINMSG_NAME_MAX || !line_ok(m->name, len))
			goto out;
		rc = msgpack_pack_array(&pk, 3) ||
		    msgpack_pack_uint8(&pk, JOIN_ACCEPT) ||
		    mp_pack_str(&pk, m->name, len) ||
		    mp_pack_bin(&pk, m->sig, BAL_SIG_BYTES);
		break;
	case JOIN_WELCOME:
		rc = msgpack_pack_array(&pk, 1) ||
		    msgpack_pack_uint8(&pk, JOIN_WELCOME);
		break;
	case JOIN_REFUSE:
		len = strnlen(m->text, JOINMSG_TEXT_MAX + 1);
		if (len > JOINMSG_TEXT_MAX || !line_ok(m->text, len))
			goto out;
		rc = msgpack_pack_array(&pk, 2) ||
		    msgpack_pack_uint8(&pk, JOIN_REFUSE) ||
		    mp_pack_str(&pk, m->text, len);
		break;
	default:
		goto out;
	}
	ret = BAL_ENOMEM;
	if (rc != 0)
		goto out;
	ret = mp_sbuf_take(&sb, out, outlen);
out:
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

int
joinmsg_decode(const uint8_t *buf, size_t len, struct joinmsg *m)
{
	struct mp_doc doc;
	struct mp_rd r;
	const uint8_t *p;
	const char *s;
	size_t plen;
	uint64_t type;
	int ret;

	memset(m, 0, sizeof(*m));
	memset(&doc, 0, sizeof(doc));
	if (len > JOINMSG_CONTRACT_MAX + 64)
		return BAL_EPROTO;
	if ((ret = mp_doc_parse(&doc, buf, len)) != 0 ||
	    (ret = mp_rd_array(&r, mp_doc_root(&doc), 1, 4)) != 0 ||
	    (ret = mp_rd_uint(&r, 0xff, &type)) != 0)
		goto out;
	m->type = (int)type;
	switch (type) {
	case JOIN_HELLO:
		if ((ret = mp_rd_uint(&r, UINT64_MAX, &m->version)) != 0)
			goto out;
		if (m->version != JOINMSG_VERSION) {
			ret = BAL_EVERSION;
			goto out;
		}
		if ((ret = mp_rd_bin_fixed(&r, m->group,
		    BAL_GROUP_ID_BYTES)) != 0 ||
		    (ret = mp_rd_bool(&r, &m->preview)) != 0)
			goto out;
		break;
	case JOIN_CONTRACT:
		if ((ret = mp_rd_bin(&r, 1, JOINMSG_CONTRACT_MAX, &p,
		    &plen)) != 0)
			goto out;
		ret = BAL_ENOMEM;
		if ((m->contract = malloc(plen)) == NULL)
			goto out;
		memcpy(m->contract, p, plen);
		m->contract_len = plen;
		if ((ret = mp_rd_str(&r, 1, JOINMSG_NAME_MAX, &s,
		    &plen)) != 0)
			goto out;
		ret = BAL_EPROTO;
		if (!line_ok(s, plen))
			goto out;
		memcpy(m->name, s, plen);
		if ((ret = mp_rd_bool(&r, &m->confirm)) != 0)
			goto out;
		break;
	case JOIN_ACCEPT:
		if ((ret = mp_rd_str(&r, 1, JOINMSG_NAME_MAX, &s,
		    &plen)) != 0)
			goto out;
		ret = BAL_EPROTO;
		if (!line_ok(s, plen))
			goto out;
		memcpy(m->name, s, plen);
		if ((ret = mp_rd_bin_fixed(&r, m->sig, BAL_SIG_BYTES)) != 0)
			goto out;
		break;
	case JOIN_WELCOME:
		break;
	case JOIN_REFUSE:
		if ((ret = mp_rd_str(&r, 0, JOINMSG_TEXT_MAX, &s,
		    &plen)) != 0)
			goto out;
		ret = BAL_EPROTO;
		if (!line_ok(s, plen))
			goto out;
		memcpy(m->text, s, plen);
		break;
	default:
		ret = BAL_EPROTO;
		goto out;
	}
	ret = mp_rd_end(&r);
out:
	mp_doc_free(&doc);
	if (ret != 0) {
		uint64_t v = m->version;

		joinmsg_clear(m);
		if (ret == BAL_EVERSION) {
			m->type = JOIN_HELLO;
			m->version = v;
		}
	}
	return ret;
}

void
joinmsg_clear(struct joinmsg *m)
{
	free(m->contract);
	memset(m, 0, sizeof(*m));
}
