/*
 * linediff.c — a unified diff of two short texts, line by line, for
 * `balint contract diff`: the longest common subsequence of their lines
 * (the lines both share at the start and the end set aside first), printed
 * as hunks with context lines in the format of diff -u.  A contract is at
 * most 80 KiB; the table of the part that differs is bounded
 * (LINEDIFF_CELLS), and beyond it that part is shown as removed and added
 * whole: a longer diff, never a wrong one.  No temporary files, no
 * external diff: the texts never leave the process.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Cells of the LCS table (4 bytes each): at most 64 MiB. */
#define LINEDIFF_CELLS (16u * 1024 * 1024)

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

/* One line of the diff: ' ' both, '-' only in a, '+' only in b. */
struct op {
	char what;
	size_t a, b;		/* line indexes (a for ' ' and '-', b for '+') */
};

static void
lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

/* Splits s into lines (a last line without '\n' counts as one). */
static int
lines_split(const char *s, struct lines *l)
{
	size_t n = 0, i;
	const char *q, *nl;

	memset(l, 0, sizeof(*l));
	for (q = s; *q != '\0'; q = nl + 1) {
		n++;
		if ((nl = strchr(q, '\n')) == NULL)
			break;
	}
	if (n == 0)
		return 0;
	if ((l->p = calloc(n, sizeof(*l->p))) == NULL ||
	    (l->len = calloc(n, sizeof(*l->len))) == NULL) {
		lines_free(l);
		return -1;
	}
	for (q = s, i = 0; i < n; i++) {
		nl = strchr(q, '\n');
		l->p[i] = q;
		l->len[i] = nl != NULL ? (size_t)(nl - q) : strlen(q);
		q = nl != NULL ? nl + 1 : q + l->len[i];
	}
	l->n = n;
	return 0;
}

static int
same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] &&
	    memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* Fills ops (room for a->n + b->n) with an edit script; returns its length. */
static size_t
script(const struct lines *a, const struct lines *b, struct op *ops)
{
	size_t pre = 0, suf = 0, n, m, i, j, k = 0, w;
	uint32_t *t = NULL;

	while (pre < a->n && pre < b->n && same(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	    same(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	n = a->n - pre - suf;
	m = b->n - pre - suf;
	for (i = 0; i < pre; i++)
		ops[k++] = (struct op){ ' ', i, i };
	w = m + 1;
	if (n > 0 && m > 0 && (n + 1) <= LINEDIFF_CELLS / w)
		t = calloc((n + 1) * w, sizeof(*t));
	if (t != NULL) {
		/* t[i][j]: the LCS of a's middle from i and b's from j. */
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				t[i * w + j] = same(a, pre + i, b, pre + j) ?
				    t[(i + 1) * w + j + 1] + 1 :
				    t[(i + 1) * w + j] >= t[i * w + j + 1] ?
				    t[(i + 1) * w + j] : t[i * w + j + 1];
		i = j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && same(a, pre + i, b, pre + j)) {
				ops[k++] = (struct op){ ' ', pre + i, pre + j };
				i++, j++;
			} else if (j == m || (i < n &&
			    t[(i + 1) * w + j] >= t[i * w + j + 1]))
				ops[k++] = (struct op){ '-', pre + i++, 0 };
			else
				ops[k++] = (struct op){ '+', 0, pre + j++ };
		}
		free(t);
	} else {
		for (i = 0; i < n; i++)
			ops[k++] = (struct op){ '-', pre + i, 0 };
		for (j = 0; j < m; j++)
			ops[k++] = (struct op){ '+', 0, pre + j };
	}
	for (i = 0; i < suf; i++)
		ops[k++] = (struct op){ ' ', a->n - suf + i, b->n - suf + i };
	return k;
}

/* The lines of a and b before op k: where a hunk starting there begins. */
static void
position(const struct op *ops, size_t k, size_t *na, size_t *nb)
{
	size_t i;

	*na = *nb = 0;
	for (i = 0; i < k; i++) {
		*na += ops[i].what != '+';
		*nb += ops[i].what != '-';
	}
}

/* One line: its sign, then its text as other members' text is printed. */
static void
put_line(FILE *f, char what, const char *p, size_t len)
{
	char *s;

	fputc(what, f);
	if ((s = malloc(len + 1)) != NULL) {
		memcpy(s, p, len);
		s[len] = '\0';
		output_safe(f, s, 1);	/* one line: it holds no '\n' */
		free(s);
	}
	fputc('\n', f);
}

int
linediff_print(FILE *f, const char *old, const char *new, size_t context)
{
	struct lines a, b;
	struct op *ops = NULL;
	size_t nops, k, start, end, last, na, nb, ca, cb, i;
	int hunks = -1;

	memset(&b, 0, sizeof(b));
	if (lines_split(old, &a) != 0 || lines_split(new, &b) != 0 ||
	    (ops = calloc(a.n + b.n + 1, sizeof(*ops))) == NULL)
		goto out;
	nops = script(&a, &b, ops);
	hunks = 0;
	for (k = 0; k < nops; k = end) {
		while (k < nops && ops[k].what == ' ')
			k++;
		if (k == nops)
			break;
		/*
		 * A hunk: the next change joins it when at most 2 * context
		 * + 1 lines lie between (diff -u's rule: leaving out one
		 * line would save nothing).
		 */
		start = k > context ? k - context : 0;
		last = k;
		for (i = k; i < nops && i <= last + (context > 0 ?
		    2 * context + 2 : 1); i++)
			if (ops[i].what != ' ')
				last = i;
		end = last + 1 + context < nops ? last + 1 + context : nops;
		position(ops, start, &na, &nb);
		for (ca = cb = 0, i = start; i < end; i++) {
			ca += ops[i].what != '+';
			cb += ops[i].what != '-';
		}
		fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", ca > 0 ? na + 1 : na,
		    ca, cb > 0 ? nb + 1 : nb, cb);
		for (i = start; i < end; i++)
			if (ops[i].what == '+')
				put_line(f, '+', b.p[ops[i].b], b.len[ops[i].b]);
			else
				put_line(f, ops[i].what, a.p[ops[i].a],
				    a.len[ops[i].a]);
		hunks++;
	}
out:
	free(ops);
	lines_free(&a);
	lines_free(&b);
	return hunks;
}
