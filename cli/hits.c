/*
 * hits.c — prints the de-identification guard's findings: category,
 * where (line:column, columns in characters), the matched text and the
 * line of the note it stands in, made safe for the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

size_t
hits_count(const struct ctl_resp *resp)
{
	const char *kind;
	size_t i, n = 0;

	for (i = 0; i < ctl_resp_nrecords(resp); i++)
		if (ctl_resp_get_str(resp, i, "kind", &kind, NULL) == 0 &&
		    strcmp(kind, "hit") == 0)
			n++;
	return n;
}

/* Line `line` (1-based) of text, without its newline. */
static const char *
line_of(const char *text, size_t len, uint64_t line, size_t *n)
{
	const char *p = text, *end = text + len, *nl;

	while (--line > 0 && p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
	return p;
}

void
hits_print(FILE *f, const struct ctl_resp *resp,
    const struct hits_field *fields, size_t nfields)
{
	const char *kind, *field, *label, *text, *ln;
	uint64_t line, col;
	char buf[512];
	size_t i, k, n;

	for (i = 0; i < ctl_resp_nrecords(resp); i++) {
		if (ctl_resp_get_str(resp, i, "kind", &kind, NULL) != 0 ||
		    strcmp(kind, "hit") != 0 ||
		    ctl_resp_get_str(resp, i, "field", &field, NULL) != 0 ||
		    ctl_resp_get_str(resp, i, "label", &label, NULL) != 0 ||
		    ctl_resp_get_str(resp, i, "text", &text, NULL) != 0 ||
		    ctl_resp_get_uint(resp, i, "line", &line) != 0 ||
		    ctl_resp_get_uint(resp, i, "col", &col) != 0)
			continue;
		fprintf(f, "  %s %llu:%llu  %s: ", field,
		    (unsigned long long)line, (unsigned long long)col,
		    daemon_text(label, buf, sizeof(buf)));
		output_safe(f, text, 0);
		fputc('\n', f);
		for (k = 0; k < nfields; k++) {
			if (strcmp(fields[k].name, field) != 0 ||
			    fields[k].text == NULL)
				continue;
			ln = line_of(fields[k].text, fields[k].len, line, &n);
			if (ln == NULL)
				break;
			if (n >= sizeof(buf)) {
				/* Cut, but not inside a UTF-8 sequence. */
				n = sizeof(buf) - 1;
				while (n > 0 &&
				    ((unsigned char)ln[n] & 0xC0) == 0x80)
					n--;
			}
			memcpy(buf, ln, n);
			buf[n] = '\0';
			fputs("    | ", f);
			output_safe(f, buf, 0);
			fputc('\n', f);
			break;
		}
	}
}
