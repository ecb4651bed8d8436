/* output.c — balint's tables, JSON and safe printing of other members' text. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ctl.h"
#include "json.h"

void
output_safe(FILE *f, const char *s, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (multiline && (*p == '\n' || *p == '\t'))
			fputc(*p, f);
		else if (*p < 0x20 || *p == 0x7f)
			fputc('?', f);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', f);	/* a C1 control character */
			p++;
		} else
			fputc(*p, f);
	}
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
