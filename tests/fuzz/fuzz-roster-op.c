/*
 * fuzz-roster-op.c — roster_op_decode (proto/roster-op.c), the bodies of
 * roster entries (create, add, revoke, leave, rotate, amend).
 *
 * Input: one operation body.  Checked: no memory error; the fields of a
 * decoded operation are within their limits (names NUL-terminated, the
 * envelope and history still decode); the matching roster_encode_*
 * accepts it again and the round trip is stable.
 */
#include "fuzz.h"
#include "roster.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* Re-encodes op with the encoder of its type. */
static int
reencode(const struct roster_op *op, uint8_t **out, size_t *outlen)
{
	switch (op->type) {
	case ROSTER_OP_CREATE:
		return roster_encode_create(op->contract, op->contract_len,
		    op->name, op->envelope, op->envelope_len, out, outlen);
	case ROSTER_OP_ADD:
		return roster_encode_add(op->member, op->name, op->accept_sig,
		    op->has_readmits ? op->readmits : NULL, op->envelope,
		    op->envelope_len, op->history, op->history_len, out,
		    outlen);
	case ROSTER_OP_REVOKE:
		return roster_encode_revoke(op->member, op->cut, op->envelope,
		    op->envelope_len, out, outlen);
	case ROSTER_OP_LEAVE:
		return roster_encode_leave(op->cut, out, outlen);
	case ROSTER_OP_ROTATE:
		return roster_encode_rotate(op->envelope, op->envelope_len,
		    out, outlen);
	case ROSTER_OP_AMEND:
		return roster_encode_amend(op->contract, op->contract_len,
		    op->prev_hash, out, outlen);
	}
	fuzz_check(!"unknown operation type decoded");
	return BAL_EINVAL;
}

static void
check_op(const struct roster_op *op)
{
	struct epoch_envelope env;
	struct epoch_history *h = NULL;

	fuzz_check(op->type >= ROSTER_OP_CREATE && op->type <= ROSTER_OP_AMEND);
	fuzz_check(memchr(op->name, '\0', sizeof(op->name)) != NULL);
	fuzz_check(op->contract_len <= ROSTER_CONTRACT_MAX);
	if (op->contract != NULL)
		fuzz_touch(op->contract, op->contract_len);
	if (op->envelope != NULL) {
		fuzz_check(epoch_envelope_decode(op->envelope,
		    op->envelope_len, &env) == 0);
		fuzz_check(env.id == 0);
	}
	if (op->history != NULL) {
		fuzz_check(epoch_history_decode(op->history, op->history_len,
		    &h) == 0);
		epoch_history_free(h);
	}
	(void)roster_op_name(op->type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roster_op *op = NULL, *op2 = NULL;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1, l2;

	fuzz_reset();
	if (roster_op_decode(data, size, &op) != 0) {
		fuzz_check(op == NULL);
		goto out;
	}
	check_op(op);
	fuzz_check(reencode(op, &e1, &l1) == 0);
	fuzz_check(l1 <= size);
	fuzz_check(roster_op_decode(e1, l1, &op2) == 0);
	check_op(op2);
	fuzz_check(reencode(op2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	roster_op_free(op);
	roster_op_free(op2);
	free(e1);
	free(e2);
	return 0;
}
