/*
 * fuzz-daemon-text.c — daemon_text (cli/daemon-text.c), which finds the
 * format of a text balintd sent (an error, a status line that may quote
 * a peer's name or address) among the daemon's N_() formats, takes its
 * variable parts and writes them into the translation.
 *
 * Input: [output size u8] then the text.  No catalogue is loaded, so
 * every format translates to itself.  Checked: no memory error; the
 * matcher's bound holds (it returns); the output is NUL-terminated in the
 * buffer; with a buffer large enough, the text comes back unchanged (a
 * format that matched, with its parts put back, is the text it was made
 * from); with a smaller one, a prefix of it.
 */
#include "fuzz.h"
#include "cli.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[CTL_MAX_ERR], out[CTL_MAX_ERR + 8];
	const char *r;
	size_t cap, n;

	if (size < 1)
		return 0;
	cap = (size_t)data[0] * 4 + 1;
	n = size - 1 < sizeof(in) - 1 ? size - 1 : sizeof(in) - 1;
	memcpy(in, data + 1, n);
	in[n] = '\0';
	n = strlen(in);
	memset(out, 0x5a, sizeof(out));
	r = daemon_text(in, out, cap);
	if (memchr(r, '\0', cap) == NULL)
		abort();
	if (out[cap] != 0x5a)
		abort();	/* wrote past the buffer */
	if (n < cap && strcmp(r, in) != 0)
		abort();	/* English must come back as it was */
	if (n >= cap && strncmp(r, in, strlen(r)) != 0)
		abort();
	return 0;
}
