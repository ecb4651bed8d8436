/*
 * template.c — the file balint note write opens in the editor: the note's
 * title, kind and case as header lines, a blank line, the text, and
 * comment lines that say how, removed afterwards (as git's commit
 * template is).  With no title, the text's first line becomes the title.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "cli.h"
#include "note.h"

static const char comment[] =
    "# Write the note below the blank line above.  Lines that start with\n"
    "# '#' are removed.  Title, Kind (session, followup, case or other)\n"
    "# and Case may be changed or left empty; with no title, the first\n"
    "# line of the note becomes its title.  Save and close the editor to\n"
    "# share the note; an empty note shares nothing.\n";

char *
template_make(const char *kind, const char *cref, const char *title)
{
	size_t n = 64 + NOTE_MAX_TITLE + NOTE_MAX_CASE + sizeof(comment);
	char *t;

	if ((t = sodium_malloc(n)) == NULL)
		return NULL;
	snprintf(t, n, "Title: %s\nKind: %s\nCase: %s\n\n\n%s",
	    title != NULL ? title : "", kind != NULL ? kind : "session",
	    cref != NULL ? cref : "", comment);
	return t;
}

/* Copies the value of a header line (blanks trimmed) into out. */
static void
value(const char *p, size_t n, char *out, size_t outlen)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The longest start of s, at most max bytes, that ends between characters. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

int
template_parse(char *text, size_t *len, struct template_fields *f)
{
	static const char *const keys[] = { "Title:", "Kind:", "Case:" };
	size_t i = 0, o = 0, n, k, line;
	int head = 1;

	f->title[0] = f->kind[0] = f->cref[0] = '\0';
	f->has_title = f->has_kind = f->has_case = 0;
	while (i < *len) {
		for (n = i; n < *len && text[n] != '\n'; n++)
			;
		line = n - i;
		if (line > 0 && text[i] == '#') {
			i = n + 1;	/* a comment */
			continue;
		}
		for (k = 0; head && k < 3; k++)
			if (line >= strlen(keys[k]) && strncasecmp(text + i,
			    keys[k], strlen(keys[k])) == 0)
				break;
		if (head && k < 3) {
			const char *v = text + i + strlen(keys[k]);
			size_t vn = line - strlen(keys[k]);

			if (k == 0) {
				value(v, vn, f->title, sizeof(f->title));
				f->has_title = 1;
			} else if (k == 1) {
				value(v, vn, f->kind, sizeof(f->kind));
				f->has_kind = 1;
			} else {
				value(v, vn, f->cref, sizeof(f->cref));
				f->has_case = 1;
			}
			i = n + 1;
			continue;
		}
		head = 0;
		/* Blank lines before the text are dropped. */
		if (o == 0 && (line == 0 || (line == 1 && text[i] == '\r'))) {
			i = n + 1;
			continue;
		}
		memmove(text + o, text + i, n < *len ? line + 1 : line);
		o += n < *len ? line + 1 : line;
		i = n + 1;
	}
	/* Trailing blank lines and blanks go. */
	while (o > 0 && (text[o - 1] == '\n' || text[o - 1] == ' ' ||
	    text[o - 1] == '\t' || text[o - 1] == '\r'))
		o--;
	if (o < *len)
		sodium_memzero(text + o, *len - o);
	*len = o;
	if (f->title[0] == '\0' && o > 0) {
		/* The first line, as git takes a commit's subject. */
		for (n = 0; n < o && text[n] != '\n'; n++)
			;
		n = utf8_cut(text, n, NOTE_MAX_TITLE);
		value(text, n, f->title, sizeof(f->title));
	}
	return 0;
}
