/*
 * fuzz-wire.c — wire_decode (proto/wire.c), the replication messages.
 *
 * Input: one encoded message.  Checked: no memory error; every field of a
 * decoded message is within its documented limit (for RUNS: every rule of
 * docs/protocol.md on the absolute values: header limits, rising
 * lamports, distinct authors in first-use order, runs of an author
 * contiguous and never adjacent, at most 1024 items; a HELLO's
 * capabilities only known bits); a decoded message
 * re-encodes (wire_encode accepts what wire_decode produced) and the
 * re-encoding decodes to the same bytes again (a stable round trip); a
 * RUNS re-encodes to exactly its size by wire_run_item_cost, within the
 * batch bound; a BAL_EVERSION result is a HELLO carrying the other
 * version.
 */
#include "fuzz.h"
#include "entry.h"
#include "wire.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* Bytes of msgpack's shortest uint and array header. */
static size_t
uint_len(uint64_t v)
{
	return v < 0x80 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 :
	    v <= 0xffffffffu ? 5 : 9;
}

static size_t
arr_len(size_t n)
{
	return n < 16 ? 1 : n <= 0xffff ? 3 : 5;
}

/*
 * Checks a RUNS against its rules; *exact gets its encoded size from
 * wire_run_item_cost, *bound the batch bound of wire.h.
 */
static void
check_runs(const struct wire_msg *m, size_t *exact, size_t *bound)
{
	const struct wire_run *r;
	const struct wire_run_item *it, *prev;
	uint64_t next[WIRE_MAX_RUN_AUTHORS];
	size_t i, k, used = 0, items = 0, c;

	fuzz_check(m->runs.nauthors >= 1 &&
	    m->runs.nauthors <= WIRE_MAX_RUN_AUTHORS);
	fuzz_check(m->runs.nruns >= 1 && m->runs.nruns <= WIRE_MAX_RUN_ITEMS);
	for (i = 0; i < m->runs.nauthors; i++)
		for (k = 0; k < i; k++)
			fuzz_check(memcmp(m->runs.authors[i],
			    m->runs.authors[k], BAL_PK_BYTES) != 0);
	*exact = 2 + arr_len(m->runs.nauthors) + 34 * m->runs.nauthors +
	    arr_len(m->runs.nruns);
	*bound = WIRE_RUNS_OVERHEAD + WIRE_RUNS_AUTHOR_COST *
	    m->runs.nauthors + WIRE_RUNS_RUN_COST * m->runs.nruns;
	for (i = 0; i < m->runs.nruns; i++) {
		r = &m->runs.runs[i];
		fuzz_check(r->n >= 1 && r->first_seq >= 1 &&
		    r->first_seq - 1 + r->n <= ENTRY_MAX_COUNTER);
		items += r->n;
		fuzz_check(r->author <= used && r->author < m->runs.nauthors);
		if (r->author == used) {
			used++;
			/* A prev where the author's chain starts after 1. */
			fuzz_check((r->prev != NULL) == (r->first_seq > 1));
		} else {
			fuzz_check(r->first_seq == next[r->author] &&
			    m->runs.runs[i - 1].author != r->author &&
			    r->prev == NULL);
		}
		next[r->author] = r->first_seq + r->n;
		*exact += 1 + uint_len(r->author) + uint_len(r->first_seq) +
		    arr_len(r->n) + (r->prev != NULL ? 2 + BAL_HASH_BYTES : 0);
		for (k = 0; k < r->n; k++) {
			it = &r->items[k];
			prev = k > 0 ? &r->items[k - 1] : NULL;
			fuzz_check(it->kind >= ENTRY_KIND_NOTE &&
			    it->kind <= ENTRY_KIND_ANNOUNCE);
			fuzz_check(it->kind == ENTRY_KIND_NOTE ||
			    it->epoch == 0);
			fuzz_check(it->lamport <= ENTRY_MAX_COUNTER &&
			    it->time <= ENTRY_MAX_COUNTER);
			fuzz_check(prev == NULL || it->lamport > prev->lamport);
			if (it->body != NULL) {
				fuzz_check(it->bodylen <= ENTRY_MAX_BODY);
				fuzz_check(it->kind != ENTRY_KIND_NOTE ||
				    it->bodylen >= ENTRY_NONCE_BYTES +
				    ENTRY_TAG_BYTES);
				fuzz_touch(it->body, it->bodylen);
			} else {
				fuzz_check(it->bodylen == 0);
			}
			fuzz_touch(it->sig, BAL_SIG_BYTES);
			c = wire_run_item_cost(it, prev);
			*exact += c;
			*bound += c;
		}
	}
	fuzz_check(used == m->runs.nauthors);
	fuzz_check(items >= 1 && items <= WIRE_MAX_RUN_ITEMS);
}

/* Reads every field of m and checks its limits. */
static void
check_msg(const struct wire_msg *m)
{
	size_t i, exact, bound;

	switch (m->type) {
	case WIRE_HELLO:
		fuzz_check(m->hello.version == WIRE_VERSION);
		fuzz_check(strlen(m->hello.software) <= WIRE_MAX_SOFTWARE);
		fuzz_check(m->hello.naddrs <= WIRE_MAX_ADDRS);
		for (i = 0; i < m->hello.naddrs; i++)
			fuzz_check(strlen(m->hello.addrs[i]) >= 1 &&
			    strlen(m->hello.addrs[i]) <= WIRE_MAX_ADDR);
		/* Only names this version knows become bits. */
		fuzz_check((m->hello.caps & ~(uint32_t)WIRE_CAPS_KNOWN) == 0);
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
	case WIRE_WANT:
		fuzz_check(m->want.n >= 1 && m->want.n <= WIRE_MAX_WANT);
		for (i = 0; i < m->want.n; i++) {
			fuzz_touch(m->want.items[i].author, BAL_PK_BYTES);
			fuzz_check(m->want.items[i].seq >= 1 &&
			    m->want.items[i].seq <= INT64_MAX);
			if (i > 0) {
				int c = memcmp(m->want.items[i - 1].author,
				    m->want.items[i].author, BAL_PK_BYTES);

				fuzz_check(c < 0 || (c == 0 &&
				    m->want.items[i - 1].seq <
				    m->want.items[i].seq));
			}
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
	case WIRE_PUNCH:
		fuzz_check(m->punch.op >= WIRE_PUNCH_ASK &&
		    m->punch.op <= WIRE_PUNCH_CALLED);
		fuzz_touch(m->punch.member, BAL_PK_BYTES);
		fuzz_check(m->punch.port >= 1);
		fuzz_check(m->punch.wait_ms <= WIRE_MAX_PUNCH_WAIT);
		fuzz_check(strlen(m->punch.host) <= WIRE_MAX_PUNCH_HOST);
		fuzz_check((strlen(m->punch.host) == 0) ==
		    (m->punch.op == WIRE_PUNCH_ASK ||
		    m->punch.op == WIRE_PUNCH_ANSWER));
		break;
	case WIRE_BYE:
		fuzz_check(m->bye.reason <= WIRE_MAX_BYE_REASON);
		fuzz_check(strlen(m->bye.text) <= WIRE_MAX_BYE_TEXT);
		(void)wire_bye_reason_name(m->bye.reason);
		break;
	case WIRE_RUNS:
		check_runs(m, &exact, &bound);
		fuzz_check(bound >= exact);
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
	if (m->type == WIRE_RUNS) {
		size_t exact, bound;

		check_runs(m, &exact, &bound);
		fuzz_check(l1 == exact);	/* the costs are exact */
	}
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
