/*
 * fuzz-socks5.c — the SOCKS5 client messages (proto/socks5.c) that
 * balintd reads from tor's SOCKS port and writes to it.
 *
 * Input: bytes as a SOCKS server might send them.  Checked: no memory
 * error; socks5_method_parse and socks5_reply_parse return documented
 * codes; a whole reply uses at most SOCKS5_REPLY_MAX bytes and never more
 * than given, and every shorter prefix of it asks for more; the input as
 * a host name makes a request only if it is printable, 1..255 bytes, and
 * the request holds it exactly.
 */
#include "fuzz.h"
#include "socks5.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t rep = 0, req[SOCKS5_REQUEST_MAX];
	char host[SOCKS5_HOST_MAX + 2];
	size_t used = 0, used2, i, len, hl;
	int rc;

	fuzz_reset();
	rc = socks5_method_parse(data, size);
	fuzz_check(rc == 0 || rc == BAL_EAGAIN || rc == BAL_EPERM ||
	    rc == BAL_EPROTO);
	fuzz_check(rc != BAL_EAGAIN || size < SOCKS5_METHOD_BYTES);
	rc = socks5_reply_parse(data, size, &rep, &used);
	fuzz_check(rc == 0 || rc == BAL_EAGAIN || rc == BAL_EPROTO);
	if (rc == 0) {
		fuzz_check(used >= 8 && used <= SOCKS5_REPLY_MAX &&
		    used <= size);
		fuzz_check(rep == data[1]);
		fuzz_check(socks5_reply_text(rep) != NULL);
		for (i = 0; i < used; i++)
			fuzz_check(socks5_reply_parse(data, i, &rep,
			    &used2) != 0 && used2 == 0);
	} else {
		fuzz_check(used == 0);
	}
	hl = size < sizeof(host) - 1 ? size : sizeof(host) - 1;
	memcpy(host, data, hl);
	host[hl] = '\0';
	rc = socks5_request(host, 7451, req, sizeof(req), &len);
	if (rc == 0) {
		hl = strlen(host);
		fuzz_check(hl >= 1 && hl <= SOCKS5_HOST_MAX);
		fuzz_check(len == 4 + 1 + hl + 2 && req[4] == hl);
		fuzz_check(memcmp(req + 5, host, hl) == 0);
		for (i = 0; i < hl; i++)
			fuzz_check(host[i] > 0x20 && host[i] < 0x7f);
	} else {
		fuzz_check(rc == BAL_EINVAL && len == 0);
	}
	return 0;
}
