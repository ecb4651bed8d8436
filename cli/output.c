/* output.c — balint's tables, JSON and safe printing of other members' text. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The number of characters of UTF-8 text (for column widths). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
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
		return v->str.p;
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

void
output_table(const struct ctl_resp *resp, const struct output_col *cols,
    size_t ncols)
{
	size_t nrec = ctl_resp_nrecords(resp), r, i, w[16], k;
	char buf[64];
	const char *s;

	if (ncols > 16)
		ncols = 16;
	for (i = 0; i < ncols; i++)
		w[i] = width(cols[i].head);
	for (r = 0; r < nrec; r++)
		for (i = 0; i < ncols; i++) {
			s = output_field(resp, r, cols[i].key, cols[i].fmt,
			    buf, sizeof(buf));
			if (width(s) > w[i])
				w[i] = width(s);
		}
	for (i = 0; i < ncols; i++) {
		fputs(cols[i].head, stdout);
		for (k = width(cols[i].head); i + 1 < ncols && k < w[i] + 2;
		    k++)
			fputc(' ', stdout);
	}
	fputc('\n', stdout);
	for (r = 0; r < nrec; r++) {
		for (i = 0; i < ncols; i++) {
			s = output_field(resp, r, cols[i].key, cols[i].fmt,
			    buf, sizeof(buf));
			output_safe(stdout, s, 0);
			for (k = width(s); i + 1 < ncols && k < w[i] + 2; k++)
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
