/* output.c — balint's tables, JSON and safe printing of other members' text. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <uniwidth.h>

#include "cli.h"
#include "ctl.h"
#include "json.h"
#include "mp.h"

/* The length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_seq(const unsigned char *p)
{
	size_t n, i;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return mp_utf8_valid((const char *)p, n) ? n : 0;
}

/*
 * 1 for the bidirectional embedding, override and isolate controls
 * (U+202A..U+202E, U+2066..U+2069), which can make one name look like
 * another.
 */
static int
is_bidi_control(const unsigned char *p, size_t n)
{
	return n == 3 && p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa &&
	    p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

void
output_safe(FILE *f, const char *s, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		n = utf8_seq(p);
		if (multiline && (*p == '\n' || *p == '\t'))
			fputc(*p, f);
		else if (n == 0 || *p < 0x20 || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
		    (!multiline && is_bidi_control(p, n)))
			fputc('?', f);	/* control, C1 or bad UTF-8 */
		else
			fwrite(p, 1, n, f);
		p += n > 0 ? n : 1;
	}
}

int
output_name_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;

	if (len == 0 || !util_line_ok(s, max) || s[0] == ' ' ||
	    s[len - 1] == ' ')
		return 0;
	for (; *p != '\0'; p += n)
		if ((n = utf8_seq(p)) == 0 || is_bidi_control(p, n))
			return 0;
	return 1;
}

/*
 * The display width of one character as output_safe prints it: what
 * libunistring's uc_width says (2 for CJK, 0 for combining marks), 1 for
 * what becomes '?'.
 */
static size_t
char_width(const unsigned char *p, size_t n)
{
	unsigned int uc;
	int w;

	if (n == 0 || *p < 0x20 || *p == 0x7f ||
	    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
	    is_bidi_control(p, n))
		return 1;
	if (n == 1)
		return 1;
	uc = n == 2 ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu) :
	    n == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
	    (p[2] & 0x3fu) : (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
	    (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
	w = uc_width(uc, "UTF-8");
	return w < 0 ? 1 : (size_t)w;
}

/*
 * The display width of UTF-8 text in terminal columns; with max, *cut
 * gets the bytes of the longest start of s that fits in max columns.
 */
static size_t
width_cut(const char *s, size_t max, size_t *cut)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, n, cw;

	if (cut != NULL)
		*cut = 0;
	while (*p != '\0') {
		n = utf8_seq(p);
		cw = char_width(p, n);
		p += n > 0 ? n : 1;
		if (cut != NULL && w + cw <= max)
			*cut = (size_t)(p - (const unsigned char *)s);
		w += cw;
	}
	return w;
}

static size_t
width(const char *s)
{
	return width_cut(s, 0, NULL);
}

/*
 * The terminal's width for tables: stdout's when it is a terminal, else
 * $COLUMNS when set, else 0 (no limit: a pipe gets whole lines).
 */
static size_t
term_columns(void)
{
	struct winsize ws;
	const char *v = getenv("COLUMNS");
	long n;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ,
	    &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (v != NULL && (n = strtol(v, NULL, 10)) > 0 && n < 10000)
		return (size_t)n;
	return 0;
}

/*
 * Prints s in at most max columns, ending with "..." (one column) when
 * shortened; the columns used go to *used.
 */
static void
print_cell(const char *s, size_t max, size_t *used)
{
	size_t cut;
	char *t;

	if ((*used = width_cut(s, max, &cut)) <= max || max < 2) {
		output_safe(stdout, s, 0);
		return;
	}
	(void)width_cut(s, max - 1, &cut);
	if ((t = strndup(s, cut)) == NULL) {
		output_safe(stdout, s, 0);
		return;
	}
	output_safe(stdout, t, 0);
	*used = width(t) + 1;
	free(t);
	fputs("\xe2\x80\xa6", stdout);	/* U+2026 HORIZONTAL ELLIPSIS */
}

void
output_time(uint64_t ms, char *buf, size_t buflen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, buflen, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, buflen, "%" PRIu64, ms);
}

const char *
output_field(const struct ctl_resp *resp, size_t rec, const char *key,
    int fmt, char *buf, size_t buflen)
{
	const struct ctl_value *v = ctl_resp_get(resp, rec, key);

	if (v == NULL || v->type == CTL_NIL)
		return "";
	switch (v->type) {
	case CTL_STR:
		/* The catalogue has balintd's words (N_() where it says them). */
		return fmt == OUT_WORD && v->str.p[0] != '\0' ?
		    gettext(v->str.p) : v->str.p;
	case CTL_UINT:
		if (fmt == OUT_TIME)
			output_time(v->u, buf, buflen);
		else
			snprintf(buf, buflen, "%" PRIu64, v->u);
		return buf;
	case CTL_BOOL:
		return v->b ? "yes" : "no";
	default:
		return "?";
	}
}

/* The column that gives way on a narrow terminal: the title, else the last. */
static size_t
narrow_column(const struct output_col *cols, size_t ncols)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if (strcmp(cols[i].key, "title") == 0)
			return i;
	return ncols - 1;
}

void
output_table(const struct ctl_resp *resp, const struct output_col *cols,
    size_t ncols)
{
	size_t nrec = ctl_resp_nrecords(resp), r, i, w[16], k, total, term;
	size_t t, used;
	char buf[64];
	const char *s;

	if (ncols > 16)
		ncols = 16;
	if (ncols == 0)
		return;
	for (i = 0; i < ncols; i++)
		w[i] = width(gettext(cols[i].head));
	for (r = 0; r < nrec; r++)
		for (i = 0; i < ncols; i++) {
			s = output_field(resp, r, cols[i].key, cols[i].fmt,
			    buf, sizeof(buf));
			if (width(s) > w[i])
				w[i] = width(s);
		}
	/* Fit the terminal: the title column is shortened (to 10 at least). */
	t = narrow_column(cols, ncols);
	for (total = 0, i = 0; i < ncols; i++)
		total += w[i] + (i + 1 < ncols ? 2 : 0);
	if ((term = term_columns()) > 0 && total > term)
		w[t] = w[t] > total - term + 10 ? w[t] - (total - term) :
		    (w[t] < 10 ? w[t] : 10);
	for (i = 0; i < ncols; i++) {
		print_cell(gettext(cols[i].head), w[i], &used);
		for (k = used; i + 1 < ncols && k < w[i] + 2; k++)
			fputc(' ', stdout);
	}
	fputc('\n', stdout);
	for (r = 0; r < nrec; r++) {
		for (i = 0; i < ncols; i++) {
			s = output_field(resp, r, cols[i].key, cols[i].fmt,
			    buf, sizeof(buf));
			print_cell(s, w[i], &used);
			for (k = used; i + 1 < ncols && k < w[i] + 2; k++)
				fputc(' ', stdout);
		}
		fputc('\n', stdout);
	}
}

static int
json_value(const struct ctl_value *v)
{
	static const char hex[] = "0123456789abcdef";
	char *q;
	size_t i;

	switch (v->type) {
	case CTL_STR:
		if ((q = json_quote(v->str.p, v->str.len)) == NULL)
			return -1;
		fputs(q, stdout);
		free(q);
		break;
	case CTL_UINT:
		printf("%" PRIu64, v->u);
		break;
	case CTL_BOOL:
		fputs(v->b ? "true" : "false", stdout);
		break;
	case CTL_BIN:
		fputc('"', stdout);
		for (i = 0; i < v->bin.len; i++) {
			fputc(hex[v->bin.p[i] >> 4], stdout);
			fputc(hex[v->bin.p[i] & 15], stdout);
		}
		fputc('"', stdout);
		break;
	default:
		fputs("null", stdout);
	}
	return 0;
}

int
output_json(const struct ctl_resp *resp)
{
	size_t nrec = ctl_resp_nrecords(resp), r, i, n;
	const struct ctl_kv *kv;
	char *q;

	fputs("[", stdout);
	for (r = 0; r < nrec; r++) {
		kv = ctl_resp_record(resp, r, &n);
		fputs(r > 0 ? ",\n  {" : "\n  {", stdout);
		for (i = 0; i < n; i++) {
			if ((q = json_quote(kv[i].key,
			    strlen(kv[i].key))) == NULL)
				return CLI_FAILED;
			printf("%s%s: ", i > 0 ? ", " : "", q);
			free(q);
			if (json_value(&kv[i].val) != 0)
				return CLI_FAILED;
		}
		fputs("}", stdout);
	}
	fputs(nrec > 0 ? "\n]\n" : "]\n", stdout);
	return CLI_OK;
}

int
output_list(const struct cli *c, const struct ctl_resp *resp,
    const struct output_col *cols, size_t ncols, const char *empty)
{
	if (c->json)
		return output_json(resp);
	if (ctl_resp_nrecords(resp) == 0 && empty != NULL) {
		printf("%s\n", empty);
		return CLI_OK;
	}
	output_table(resp, cols, ncols);
	return CLI_OK;
}
