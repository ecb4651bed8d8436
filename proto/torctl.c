/* torctl.c — tor control-port replies (see torctl.h). */
#include <string.h>

#include "bal.h"
#include "torctl.h"

/* Length of the line at p (to its LF) without CR/LF, or -1 if none yet. */
static long
line_end(const uint8_t *p, size_t len, size_t *next)
{
	const uint8_t *lf = memchr(p, '\n', len);
	size_t n;

	if (lf == NULL)
		return -1;
	n = (size_t)(lf - p);
	*next = n + 1;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return (long)n;
}

static int
text_ok(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\t')
			return 0;
	return 1;
}

int
torctl_reply_parse(const uint8_t *buf, size_t len, struct torctl_reply *r,
    size_t *used)
{
	size_t off = 0, next, tlen;
	long n;
	int code, in_data = 0;
	uint8_t sep;

	*used = 0;
	r->code = 0;
	r->nlines = 0;
	r->dropped = 0;
	for (;;) {
		if (off >= TORCTL_REPLY_MAX)
			return BAL_ETOOBIG;
		n = line_end(buf + off, len - off, &next);
		if (n < 0)
			return len >= TORCTL_REPLY_MAX ? BAL_ETOOBIG :
			    BAL_EAGAIN;
		if (in_data) {
			/* A data line: "." alone ends the block. */
			if (n == 1 && buf[off] == '.')
				in_data = 0;
			off += next;
			continue;
		}
		if (n < 4)
			return BAL_EPROTO;
		if ((size_t)n - 4 > TORCTL_LINE_MAX)
			return BAL_ETOOBIG;
		if (buf[off] < '1' || buf[off] > '6' || buf[off + 1] < '0' ||
		    buf[off + 1] > '9' || buf[off + 2] < '0' ||
		    buf[off + 2] > '9')
			return BAL_EPROTO;
		code = (buf[off] - '0') * 100 + (buf[off + 1] - '0') * 10 +
		    (buf[off + 2] - '0');
		sep = buf[off + 3];
		if ((sep != '-' && sep != '+' && sep != ' ') ||
		    (r->code != 0 && code != r->code))
			return BAL_EPROTO;
		tlen = (size_t)n - 4;
		if (!text_ok(buf + off + 4, tlen))
			return BAL_EPROTO;
		r->code = code;
		if (r->nlines < TORCTL_LINES_MAX) {
			memcpy(r->line[r->nlines], buf + off + 4, tlen);
			r->line[r->nlines][tlen] = '\0';
			r->nlines++;
		} else {
			r->dropped++;
		}
		off += next;
		if (sep == '+')
			in_data = 1;
		else if (sep == ' ')
			break;
	}
	*used = off;
	return 0;
}

/*
 * Reads one value at *pp (quoted or bare) into out (NULL: only skip it);
 * leaves *pp after it.
 */
static int
read_value(const char **pp, char *out, size_t outlen)
{
	const char *p = *pp;
	size_t o = 0;
	char ch;
	int toobig = 0;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return BAL_EPROTO;
			ch = *p;
			if (ch == '\\') {
				p++;
				if (*p == '\0')
					return BAL_EPROTO;
				ch = *p == 'n' ? '\n' : *p == 'r' ? '\r' :
				    *p == 't' ? '\t' : *p;
			}
			if (out != NULL) {
				if (o + 1 < outlen)
					out[o++] = ch;
				else
					toobig = 1;
			}
		}
		p++;
	} else {
		for (; *p != '\0' && *p != ' '; p++)
			if (out != NULL) {
				if (o + 1 < outlen)
					out[o++] = *p;
				else
					toobig = 1;
			}
	}
	*pp = p;
	if (out != NULL && outlen > 0)
		out[o] = '\0';
	return toobig ? BAL_ETOOBIG : 0;
}

int
torctl_kv(const char *line, const char *key, char *out, size_t outlen)
{
	const char *p = line, *eq;
	size_t kl = strlen(key);
	int rc;

	if (outlen > 0)
		out[0] = '\0';
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		/* A token: NAME=VALUE or a bare word (maybe quoted). */
		eq = p;
		while (*eq != '\0' && *eq != ' ' && *eq != '=' && *eq != '"')
			eq++;
		if (*eq == '=') {
			int match = (size_t)(eq - p) == kl &&
			    memcmp(p, key, kl) == 0;

			p = eq + 1;
			if ((rc = read_value(&p, match ? out : NULL,
			    outlen)) != 0)
				return rc;
			if (match)
				return 0;
		} else {
			p = eq;
			if ((rc = read_value(&p, NULL, 0)) != 0)
				return rc;
		}
	}
	return BAL_ENOENT;
}
