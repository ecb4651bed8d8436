/*
 * daemon-text.c — balintd's words in the member's language.  balintd
 * speaks English (its log stays English, and one daemon serves members of
 * any language): the texts it sends for members to read, errors in its
 * control replies and status lines, are printf formats marked N_() in
 * daemon/ and proto/, which make gathers into a table (po/daemon-texts.sh)
 * and po/LANG.po translates.  Here the CLI finds the format an English
 * text was made from, takes its variable parts (a note id, a name, a
 * number) and writes them into the translated format; a variable part
 * that is itself such a text (an error inside an error) is translated the
 * same way.  A text of no known format (another daemon version) is shown
 * as it came, in English.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#include "daemon-texts.inc"

#define NTEXTS (sizeof(daemon_texts) / sizeof(daemon_texts[0]))
#define ARGS_MAX 9
#define DEPTH_MAX 3		/* errors inside errors */
#define STEPS_MAX 400000	/* the matcher's bound on one text, all formats */

struct capture {
	const char *s;
	size_t len;
	int str;		/* %s: may be a text of its own */
};

struct match {
	struct capture cap[ARGS_MAX];
	int n;
};

/* Steps the matcher took for the text being shown (errors inside too). */
static long spent;

/*
 * Reads the conversion at f (just after '%'): its end, whether it takes a
 * string, and the characters a number may have.  Returns NULL for what
 * the daemon's formats do not use ('*' widths, %n, positional arguments).
 */
static const char *
spec(const char *f, int *conv)
{
	while (*f != '\0' && strchr("-+ #0", *f) != NULL)
		f++;
	while (isdigit((unsigned char)*f) || *f == '.')
		f++;
	while (*f != '\0' && strchr("hlLqjzt", *f) != NULL)
		f++;
	if (*f == '\0' || strchr("diuxXcs", *f) == NULL)
		return NULL;
	*conv = *f;
	return f + 1;
}

/* Does text s (to end) follow format f?  Fills m's captures. */
static int
match(const char *f, const char *s, const char *end, struct match *m)
{
	const char *next, *t;
	int conv, n = m->n;

	for (;;) {
		if (++spent > STEPS_MAX)
			return 0;
		if (*f == '\0')
			return s == end;
		if (*f != '%' || f[1] == '%') {
			if (s == end || *s != *f)
				return 0;
			f += *f == '%' ? 2 : 1;
			s++;
			continue;
		}
		if ((next = spec(f + 1, &conv)) == NULL || n == ARGS_MAX)
			return 0;
		if (conv != 's') {
			t = s;
			if (conv == 'c')
				t += t < end;
			else {
				if (t < end && *t == '-' && conv != 'u')
					t++;
				while (t < end && (conv == 'x' || conv ==
				    'X' ? isxdigit((unsigned char)*t) :
				    isdigit((unsigned char)*t)))
					t++;
			}
			if (t == s)
				return 0;
			m->cap[n] = (struct capture){ s, (size_t)(t - s), 0 };
			m->n = ++n;
			f = next;
			s = t;
			continue;
		}
		/* %s: the shortest string after which the rest follows. */
		for (t = s; t <= end; t++) {
			if (*next != '\0' && *next != '%' && t < end &&
			    *t != *next)
				continue;
			m->cap[n] = (struct capture){ s, (size_t)(t - s), 1 };
			m->n = n + 1;
			if (match(next, t, end, m))
				return 1;
			m->n = n;
			if (spent > STEPS_MAX)
				return 0;
		}
		return 0;
	}
}

/*
 * How well format f explains a text it matches: an outer format (one that
 * begins with words of its own, "cannot add peer '%s': %s") before one
 * that begins with a variable part ("%s is where this daemon listens"),
 * which would otherwise take the outer text as its variable part; then
 * the more fixed words the better.
 */
static size_t
score(const char *f)
{
	size_t k = f[0] != '%' || f[1] == '%' ? 100000 : 0;

	for (; *f != '\0'; f++)
		k += *f != '%';
	return k;
}

static void
put(char *out, size_t len, size_t *o, const char *s, size_t n)
{
	for (; n > 0 && *o + 1 < len; n--)
		out[(*o)++] = *s++;
	out[*o < len ? *o : len - 1] = '\0';
}

static void tr(const char *s, size_t slen, char *out, size_t len, int depth);

/*
 * Writes the translated format t with the captures in order, or by
 * position (%2$s) where a language orders them otherwise.
 */
static void
render(const char *t, const struct match *m, char *out, size_t len,
    int depth)
{
	char arg[CTL_MAX_ERR];
	const char *next, *p;
	size_t o = 0;
	int conv, i = 0, k;

	out[0] = '\0';
	for (p = t; *p != '\0'; ) {
		if (*p != '%') {
			put(out, len, &o, p++, 1);
			continue;
		}
		if (p[1] == '%') {
			put(out, len, &o, "%", 1);
			p += 2;
			continue;
		}
		k = i++;
		p++;
		if (isdigit((unsigned char)*p) && p[1] == '$') {
			k = *p - '1';
			p += 2;
		}
		if ((next = spec(p, &conv)) == NULL || k < 0 || k >= m->n) {
			put(out, len, &o, "%", 1);
			continue;
		}
		p = next;
		if (m->cap[k].str && depth < DEPTH_MAX) {
			tr(m->cap[k].s, m->cap[k].len, arg, sizeof(arg),
			    depth + 1);
			put(out, len, &o, arg, strlen(arg));
		} else
			put(out, len, &o, m->cap[k].s, m->cap[k].len);
	}
}

static void
tr(const char *s, size_t slen, char *out, size_t len, int depth)
{
	char en[CTL_MAX_ERR];
	const char *t;
	struct match m, best;
	size_t i, lit, best_lit = 0;
	int found = 0;

	out[0] = '\0';
	if (slen >= sizeof(en) || len == 0) {
		if (len > 0)
			snprintf(out, len, "%.*s", (int)slen, s);
		return;
	}
	memcpy(en, s, slen);
	en[slen] = '\0';
	/*
	 * Only balintd's own texts are translated: a name, an address or a
	 * title that happens to be a word of the catalogue (a group called
	 * "yes") is shown as it is.
	 */
	for (i = 0; i < NTEXTS; i++)
		if (strcmp(daemon_texts[i], en) == 0) {
			snprintf(out, len, "%s", gettext(daemon_texts[i]));
			return;
		}
	for (i = 0; i < NTEXTS; i++) {
		if (strchr(daemon_texts[i], '%') == NULL ||
		    (lit = score(daemon_texts[i])) <= best_lit)
			continue;
		if (spent > STEPS_MAX)
			break;
		memset(&m, 0, sizeof(m));
		if (match(daemon_texts[i], en, en + slen, &m)) {
			best = m;
			best_lit = lit;
			found = 1;
			t = daemon_texts[i];
		}
	}
	if (!found) {
		snprintf(out, len, "%s", en);
		return;
	}
	/* The captures point into en, which lives until render is done. */
	render(gettext(t), &best, out, len, depth);
}

const char *
daemon_text(const char *en, char *buf, size_t len)
{
	if (en == NULL || len == 0)
		return en != NULL ? en : "";
	spent = 0;
	tr(en, strlen(en), buf, len, 0);
	return buf;
}
