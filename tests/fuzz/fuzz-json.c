/*
 * fuzz-json.c — json_escape and json_quote (proto/json.c), which put
 * member names, note text and peer-supplied strings into the CLI's --json
 * output.
 *
 * Input: [output size u8] then the string.  Checked: no memory error;
 * the output is one valid JSON string (quotes, no raw control character,
 * only valid escapes, valid UTF-8); unescaping it gives back the input
 * when that was valid UTF-8; a smaller buffer gets a NUL-terminated
 * prefix of the same output and the same returned length.
 */
#include "fuzz.h"
#include "json.h"
#include "mp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends code point cp as UTF-8. */
static size_t
put_utf8(uint8_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	o[0] = (uint8_t)(0xe0 | cp >> 12);
	o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	o[2] = (uint8_t)(0x80 | (cp & 0x3f));
	return 3;
}

/* Checks that j[0..n) is one JSON string; unescapes it into u. */
static size_t
json_check(const char *j, size_t n, uint8_t *u)
{
	size_t i, o = 0;
	uint32_t cp;
	int k, v;

	fuzz_check(n >= 2 && j[0] == '"' && j[n - 1] == '"');
	for (i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)j[i];

		fuzz_check(c >= 0x20 && c != 0x7f && c != '"');
		if (c != '\\') {
			u[o++] = c;
			continue;
		}
		fuzz_check(i + 1 < n - 1);
		switch (j[++i]) {
		case '"': u[o++] = '"'; break;
		case '\\': u[o++] = '\\'; break;
		case '/': u[o++] = '/'; break;
		case 'b': u[o++] = '\b'; break;
		case 'f': u[o++] = '\f'; break;
		case 'n': u[o++] = '\n'; break;
		case 'r': u[o++] = '\r'; break;
		case 't': u[o++] = '\t'; break;
		case 'u':
			fuzz_check(i + 4 < n - 1);
			cp = 0;
			for (k = 1; k <= 4; k++) {
				v = hexval(j[i + k]);
				fuzz_check(v >= 0);
				cp = cp << 4 | (uint32_t)v;
			}
			fuzz_check(cp < 0xd800 || cp > 0xdfff);
			o += put_utf8(u + o, cp);
			i += 4;
			break;
		default:
			fuzz_check(!"bad escape");
		}
	}
	/* The output as a whole is valid UTF-8 (mp_utf8_valid: no NUL). */
	fuzz_check(memchr(j, '\0', n) == NULL && mp_utf8_valid(j, n));
	return o;
}

/* 1 when s is valid UTF-8, NUL bytes allowed. */
static int
utf8_with_nul(const char *s, size_t len)
{
	const char *z;

	while ((z = memchr(s, '\0', len)) != NULL) {
		if (!mp_utf8_valid(s, (size_t)(z - s)))
			return 0;
		len -= (size_t)(z - s) + 1;
		s = z + 1;
	}
	return mp_utf8_valid(s, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const uint8_t *p;
	char *q, *small;
	uint8_t *u;
	size_t n, need, need2, k, ulen;

	fuzz_reset();
	k = fuzz_u8(&in);
	n = fuzz_take(&in, in.n, &p);
	need = json_escape((const char *)p, n, NULL, 0);
	fuzz_check(need >= 2 && need <= 2 + 6 * n);
	fuzz_check((q = json_quote((const char *)p, n)) != NULL);
	fuzz_check(strlen(q) == need);
	fuzz_check((u = malloc(need + 1)) != NULL);
	ulen = json_check(q, need, u);
	if (utf8_with_nul((const char *)p, n))
		fuzz_check(ulen == n && memcmp(u, p, n) == 0);
	/* A small buffer: same length returned, a prefix written. */
	fuzz_check((small = malloc(k + 1)) != NULL);
	need2 = json_escape((const char *)p, n, small, k);
	fuzz_check(need2 == need);
	if (k > 0) {
		fuzz_check(strlen(small) == (need < k ? need : k - 1));
		fuzz_check(memcmp(small, q, strlen(small)) == 0);
	}
	free(small);
	free(u);
	free(q);
	return 0;
}
