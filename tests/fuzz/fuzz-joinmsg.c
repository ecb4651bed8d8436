/*
 * fuzz-joinmsg.c — joinmsg_decode (proto/joinmsg.c), the messages of the
 * join conversation that an inviter and a joiner exchange.
 *
 * Input: one encoded message.  Checked: no memory error; the strings of
 * a decoded message are NUL-terminated within their limits; it re-encodes
 * and the round trip is stable; BAL_EVERSION leaves a HELLO naming the
 * other version.
 */
#include "fuzz.h"
#include "joinmsg.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void
check_msg(const struct joinmsg *m)
{
	fuzz_check(m->type >= JOIN_HELLO && m->type <= JOIN_REFUSE);
	fuzz_check(memchr(m->name, '\0', sizeof(m->name)) != NULL);
	fuzz_check(memchr(m->text, '\0', sizeof(m->text)) != NULL);
	if (m->type == JOIN_CONTRACT) {
		fuzz_check(m->contract != NULL && m->contract_len >= 1 &&
		    m->contract_len <= JOINMSG_CONTRACT_MAX);
		fuzz_touch(m->contract, m->contract_len);
		fuzz_check(strlen(m->name) >= 1);
	} else {
		fuzz_check(m->contract == NULL);
	}
	if (m->type == JOIN_HELLO)
		fuzz_check(m->version == JOINMSG_VERSION);
	if (m->type == JOIN_ACCEPT)
		fuzz_check(strlen(m->name) >= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct joinmsg m, m2;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1, l2;
	int rc;

	fuzz_reset();
	memset(&m2, 0, sizeof(m2));
	rc = joinmsg_decode(data, size, &m);
	if (rc == BAL_EVERSION) {
		fuzz_check(m.type == JOIN_HELLO &&
		    m.version != JOINMSG_VERSION && m.contract == NULL);
		goto out;
	}
	if (rc != 0) {
		fuzz_check(m.contract == NULL);
		goto out;
	}
	check_msg(&m);
	fuzz_check(joinmsg_encode(&m, &e1, &l1) == 0);
	fuzz_check(l1 <= size);
	fuzz_check(joinmsg_decode(e1, l1, &m2) == 0);
	check_msg(&m2);
	fuzz_check(joinmsg_encode(&m2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	joinmsg_clear(&m);
	joinmsg_clear(&m2);
	free(e1);
	free(e2);
	return 0;
}
