/*
 * fuzz-torctl.c — tor's control-port replies (proto/torctl.c), which
 * balintd reads from its tor (or a running one, --tor-control).
 *
 * Input: bytes as a control port might send them.  Checked: no memory
 * error; torctl_reply_parse returns documented codes and, for a whole
 * reply, uses at most the input and at least one line, keeps at most
 * TORCTL_LINES_MAX NUL-terminated lines of at most TORCTL_LINE_MAX bytes,
 * a code of 100..699; parsing on from there ends; torctl_kv on every kept
 * line returns documented codes and a NUL-terminated value that fits.
 */
#include "fuzz.h"
#include "torctl.h"

static struct torctl_reply reply;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void
check_kv(const char *line)
{
	static const char *const keys[] = {
		"METHODS", "COOKIEFILE", "PROGRESS", "SUMMARY", "ServiceID",
		"net/listeners/socks", "A"
	};
	char v[64];
	size_t k;
	int rc;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		memset(v, 0x5a, sizeof(v));
		rc = torctl_kv(line, keys[k], v, sizeof(v));
		fuzz_check(rc == 0 || rc == BAL_ENOENT || rc == BAL_EPROTO ||
		    rc == BAL_ETOOBIG);
		if (rc == 0)
			fuzz_check(strlen(v) < sizeof(v));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, used, i, rounds = 0;
	int rc;

	fuzz_reset();
	while (off < size) {
		rc = torctl_reply_parse(data + off, size - off, &reply, &used);
		fuzz_check(rc == 0 || rc == BAL_EAGAIN || rc == BAL_EPROTO ||
		    rc == BAL_ETOOBIG);
		if (rc != 0) {
			fuzz_check(used == 0);
			break;
		}
		fuzz_check(used >= 5 && used <= size - off);
		fuzz_check(reply.code >= 100 && reply.code <= 699);
		fuzz_check(reply.nlines >= 1 &&
		    reply.nlines <= TORCTL_LINES_MAX);
		for (i = 0; i < reply.nlines; i++) {
			fuzz_check(memchr(reply.line[i], '\0',
			    TORCTL_LINE_MAX + 1) != NULL);
			check_kv(reply.line[i]);
		}
		off += used;
		fuzz_check(++rounds <= size);
	}
	return 0;
}
