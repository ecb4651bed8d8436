/*
 * fuzz-wire.c — wire_decode (proto/wire.c), the replication messages.
 *
 * Input: one encoded message.  Checked: no memory error; every field of a
 * decoded message is within its documented limit; a decoded message
 * re-encodes (wire_encode accepts what wire_decode produced) and the
 * re-encoding decodes to the same bytes again (a stable round trip); a
 * BAL_EVERSION result is a HELLO carrying the other version.
 */
#include "fuzz.h"
#include "wire.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* Reads every field of m and checks its limits. */
static void
check_msg(const struct wire_msg *m)
{
	size_t i;

	switch (m->type) {
	case WIRE_HELLO:
		fuzz_check(m->hello.version == WIRE_VERSION);
		fuzz_check(strlen(m->hello.software) <= WIRE_MAX_SOFTWARE);
		fuzz_check(m->hello.naddrs <= WIRE_MAX_ADDRS);
		for (i = 0; i < m->hello.naddrs; i++)
			fuzz_check(strlen(m->hello.addrs[i]) >= 1 &&
			    strlen(m->hello.addrs[i]) <= WIRE_MAX_ADDR);
		break;
	case WIRE_HAVE:
		fuzz_check(m->have.n <= WIRE_MAX_HAVE);
		for (i = 0; i < m->have.n; i++) {
			fuzz_touch(m->have.items[i].author, BAL_PK_BYTES);
			fuzz_check(m->have.items[i].seq <= INT64_MAX);
			if (i > 0)
				fuzz_check(memcmp(m->have.items[i - 1].author,
				    m->have.items[i].author, BAL_PK_BYTES) < 0);
		}
		break;
	case WIRE_ENTRIES:
		fuzz_check(m->entries.n <= WIRE_MAX_ENTRIES);
		for (i = 0; i < m->entries.n; i++) {
			fuzz_check(m->entries.items[i].len >= 1 &&
			    m->entries.items[i].len <= WIRE_MAX_ENTRY);
			fuzz_touch(m->entries.items[i].p,
			    m->entries.items[i].len);
		}
		break;
	case WIRE_PUSH:
		fuzz_check(m->push.len >= 1 && m->push.len <= WIRE_MAX_ENTRY);
		fuzz_touch(m->push.p, m->push.len);
		break;
	case WIRE_ACK:
		break;
	case WIRE_BYE:
		fuzz_check(m->bye.reason <= WIRE_MAX_BYE_REASON);
		fuzz_check(strlen(m->bye.text) <= WIRE_MAX_BYE_TEXT);
		(void)wire_bye_reason_name(m->bye.reason);
		break;
	default:
		fuzz_check(!"unknown type decoded");
	}
	(void)wire_type_name(m->type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_msg *m = NULL, *m2 = NULL;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1, l2;
	int rc;

	fuzz_reset();
	rc = wire_decode(data, size, &m);
	if (rc == BAL_EVERSION) {
		fuzz_check(m != NULL && m->type == WIRE_HELLO &&
		    m->hello.version != WIRE_VERSION);
		goto out;
	}
	if (rc != 0) {
		fuzz_check(m == NULL);
		goto out;
	}
	check_msg(m);
	fuzz_check(wire_encode(m, &e1, &l1) == 0);
	fuzz_check(l1 <= size);		/* the packer's forms are minimal */
	fuzz_check(wire_decode(e1, l1, &m2) == 0);
	check_msg(m2);
	fuzz_check(wire_encode(m2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	wire_msg_free(m);
	wire_msg_free(m2);
	free(e1);
	free(e2);
	return 0;
}
