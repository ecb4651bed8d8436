/* json.c — JSON string escaping for the CLI (json.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void
put(char *out, size_t outlen, size_t *pos, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, (*pos)++)
		if (*pos + 1 < outlen)
			out[*pos] = p[i];
}

size_t
json_escape(const char *s, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0, i = 0, n;
	char esc[6];

	put(out, outlen, &pos, "\"", 1);
	while (i < len) {
		switch (u[i]) {
		case '"':	put(out, outlen, &pos, "\\\"", 2); i++; continue;
		case '\\':	put(out, outlen, &pos, "\\\\", 2); i++; continue;
		case '\b':	put(out, outlen, &pos, "\\b", 2); i++; continue;
		case '\f':	put(out, outlen, &pos, "\\f", 2); i++; continue;
		case '\n':	put(out, outlen, &pos, "\\n", 2); i++; continue;
		case '\r':	put(out, outlen, &pos, "\\r", 2); i++; continue;
		case '\t':	put(out, outlen, &pos, "\\t", 2); i++; continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[u[i] >> 4];
			esc[5] = hex[u[i] & 15];
			put(out, outlen, &pos, esc, 6);
			i++;
			continue;
		}
		if ((n = utf8_seq(u + i, len - i)) == 0) {
			put(out, outlen, &pos, "\\ufffd", 6);
			i++;
			continue;
		}
		put(out, outlen, &pos, s + i, n);
		i += n;
	}
	put(out, outlen, &pos, "\"", 1);
	if (outlen > 0)
		out[pos < outlen ? pos : outlen - 1] = '\0';
	return pos;
}

char *
json_quote(const char *s, size_t len)
{
	size_t need = json_escape(s, len, NULL, 0);
	char *out;

	if ((out = malloc(need + 1)) == NULL)
		return NULL;
	json_escape(s, len, out, need + 1);
	return out;
}
