/*
 * guard-score.c — recall and precision of the guard on tests/guard/
 * (guard-score.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard-score.h"

const char *const score_lang[SCORE_LANGS] = { "sv", "he", "en" };

struct mark {
	int cat;
	size_t start, end;	/* code points of the clean text */
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static size_t
cps(const char *p, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/*
 * Removes the marks of src[0..len) into out (clean text, *olen bytes) and
 * marks (*nm of them).  -1 on a malformed mark.
 */
static int
unmark(const char *src, size_t len, char *out, size_t *olen,
    struct mark *marks, size_t *nm, size_t maxm)
{
	size_t i = 0, o = 0, cp = 0, k;
	const char *colon, *close;

	*nm = 0;
	while (i < len) {
		if (i + 1 < len && src[i] == '[' && src[i + 1] == '[') {
			colon = memchr(src + i, ':', len - i);
			close = strstr(src + i, "]]");
			if (colon == NULL || close == NULL || colon > close ||
			    *nm == maxm)
				return -1;
			marks[*nm].cat = guard_cat_from_name(src + i + 2,
			    (size_t)(colon - src - i - 2));
			if (marks[*nm].cat < 0)
				return -1;
			k = (size_t)(close - colon - 1);
			memcpy(out + o, colon + 1, k);
			marks[*nm].start = cp;
			cp += cps(colon + 1, k);
			marks[*nm].end = cp;
			(*nm)++;
			o += k;
			i = (size_t)(close - src) + 2;
			continue;
		}
		if (((unsigned char)src[i] & 0xC0) != 0x80)
			cp++;
		out[o++] = src[i++];
	}
	*olen = o;
	return 0;
}

/* The byte offset of code point cp in text. */
static size_t
cp_byte(const char *text, size_t len, size_t cp)
{
	size_t i, c = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80 && c++ == cp)
			return i;
	return len;
}

static void
score_note(struct guard *g, const struct guard_allow *allow, int lang,
    const char *note, size_t len, int verbose, struct score *sc)
{
	static struct mark marks[512];
	struct guard_hit *hits = NULL;
	char *text = malloc(len + 1);
	size_t tlen, nm, nh = 0, i, j;
	int ok;

	if (text == NULL)
		return;
	if (unmark(note, len, text, &tlen, marks, &nm, 512) != 0) {
		fprintf(stderr, "guard-score: bad mark in %s note: %.60s\n",
		    score_lang[lang], note);
		free(text);
		return;
	}
	if (guard_check(g, text, tlen, allow, &hits, &nh) != 0) {
		free(text);
		return;
	}
	sc->notes[lang]++;
	for (i = 0; i < nm; i++) {
		ok = 0;
		for (j = 0; j < nh && !ok; j++)
			ok = hits[j].start < marks[i].end &&
			    marks[i].start < hits[j].end;
		sc->c[lang][marks[i].cat].gold++;
		sc->c[lang][marks[i].cat].found += ok;
		if (!ok && verbose)
			fprintf(stderr, "MISS %s %s '%.*s' in: %.50s\n",
			    score_lang[lang], guard_cat_name(marks[i].cat),
			    (int)(cp_byte(text, tlen, marks[i].end) -
			    cp_byte(text, tlen, marks[i].start)),
			    text + cp_byte(text, tlen, marks[i].start), note);
	}
	for (j = 0; j < nh; j++) {
		ok = 0;
		for (i = 0; i < nm && !ok; i++)
			ok = hits[j].start < marks[i].end &&
			    marks[i].start < hits[j].end;
		sc->c[lang][hits[j].cat].hits++;
		sc->c[lang][hits[j].cat].right += ok;
		if (!ok && verbose)
			fprintf(stderr, "WRONG %s %s '%.*s' (line %u)\n",
			    score_lang[lang], guard_cat_name(hits[j].cat),
			    (int)(hits[j].bend - hits[j].bstart),
			    text + hits[j].bstart, hits[j].line);
	}
	free(hits);
	free(text);
}

int
score_corpus(struct guard *g, const char *dir, int verbose,
    struct score *sc)
{
	char path[4096], *buf, *p, *next, *end;
	struct guard_allow *allow;
	size_t len;
	int lang;

	memset(sc, 0, sizeof(*sc));
	for (lang = 0; lang < SCORE_LANGS; lang++) {
		snprintf(path, sizeof(path), "%s/%s.txt", dir,
		    score_lang[lang]);
		if ((buf = slurp(path, &len)) == NULL)
			return -1;
		end = buf + len;
		/* "# members: ..." names the group's members (the roster). */
		if ((allow = guard_allow_new()) == NULL) {
			free(buf);
			return -1;
		}
		if ((p = strstr(buf, "# members:")) != NULL)
			guard_allow_add(allow, p + 10, strcspn(p + 10, "\n"));
		/* Each note runs from after its "=== " line to the next. */
		p = strstr(buf, "=== ");
		while (p != NULL) {
			p = strchr(p, '\n');
			if (p == NULL)
				break;
			p++;
			next = strstr(p, "\n=== ");
			score_note(g, allow, lang, p, (size_t)((next ?
			    next + 1 : end) - p), verbose, sc);
			p = next ? next + 1 : NULL;
		}
		guard_allow_free(allow);
		free(buf);
	}
	return 0;
}

static double
ratio(unsigned a, unsigned b)
{
	return b == 0 ? 1.0 : (double)a / b;
}

void
score_print(const struct score *sc, FILE *f)
{
	struct score_cell t;
	unsigned g, fo, h, r, th = 0, tr = 0;
	int l, c;

	for (l = 0; l < SCORE_LANGS; l++) {
		fprintf(f, "guard_%s_notes=%u\n", score_lang[l], sc->notes[l]);
		for (c = 0; c < GUARD_NCATS; c++) {
			t = sc->c[l][c];
			if (t.gold == 0 && t.hits == 0)
				continue;
			fprintf(f, "guard_%s_%s: marked=%u found=%u recall=%.3f"
			    " hits=%u right=%u precision=%.3f\n",
			    score_lang[l], guard_cat_name(c), t.gold, t.found,
			    ratio(t.found, t.gold), t.hits, t.right,
			    ratio(t.right, t.hits));
		}
	}
	for (c = 0; c < GUARD_NCATS; c++) {
		g = fo = h = r = 0;
		for (l = 0; l < SCORE_LANGS; l++) {
			g += sc->c[l][c].gold;
			fo += sc->c[l][c].found;
			h += sc->c[l][c].hits;
			r += sc->c[l][c].right;
		}
		fprintf(f, "guard_all_%s: marked=%u recall=%.3f hits=%u "
		    "precision=%.3f\n", guard_cat_name(c), g, ratio(fo, g), h,
		    ratio(r, h));
		th += h;
		tr += r;
	}
	fprintf(f, "guard_precision=%.3f\n", ratio(tr, th));
}

int
score_goals(const struct score *sc, char *why, size_t len)
{
	unsigned g[GUARD_NCATS] = { 0 }, fo[GUARD_NCATS] = { 0 }, h = 0,
	    r = 0;
	int l, c;

	for (l = 0; l < SCORE_LANGS; l++)
		for (c = 0; c < GUARD_NCATS; c++) {
			g[c] += sc->c[l][c].gold;
			fo[c] += sc->c[l][c].found;
			h += sc->c[l][c].hits;
			r += sc->c[l][c].right;
		}
	for (c = 0; c < GUARD_NCATS; c++) {
		double goal = c == GUARD_NAME ? 0.85 :
		    c == GUARD_ADDRESS ? 0.0 : 0.98;

		if (g[c] == 0 && c != GUARD_ADDRESS) {
			snprintf(why, len, "no marked %s in the corpus",
			    guard_cat_name(c));
			return -1;
		}
		if (ratio(fo[c], g[c]) < goal) {
			snprintf(why, len, "recall of %s %.3f < %.2f",
			    guard_cat_name(c), ratio(fo[c], g[c]), goal);
			return -1;
		}
	}
	if (ratio(r, h) < 0.90) {
		snprintf(why, len, "precision %.3f < 0.90", ratio(r, h));
		return -1;
	}
	return 0;
}

int
score_sample(const char *dir, size_t size, char **out, size_t *olen)
{
	static struct mark marks[4096];
	char path[4096], *all = NULL, *buf, *text, *tmp;
	size_t len, tlen, nm, have = 0;
	int lang;

	for (lang = 0; lang < SCORE_LANGS; lang++) {
		snprintf(path, sizeof(path), "%s/%s.txt", dir,
		    score_lang[lang]);
		if ((buf = slurp(path, &len)) == NULL)
			goto fail;
		if ((text = malloc(len + 1)) == NULL ||
		    unmark(buf, len, text, &tlen, marks, &nm, 4096) != 0 ||
		    (tmp = realloc(all, have + tlen)) == NULL) {
			free(text);
			free(buf);
			goto fail;
		}
		all = tmp;
		memcpy(all + have, text, tlen);
		have += tlen;
		free(text);
		free(buf);
	}
	if (have == 0 || (*out = malloc(size)) == NULL)
		goto fail;
	for (len = 0; len < size; len += tlen) {
		tlen = size - len < have ? size - len : have;
		memcpy(*out + len, all, tlen);
	}
	/* Do not end inside a UTF-8 sequence. */
	while (size > 0 && ((unsigned char)(*out)[size - 1] & 0x80))
		size--;
	*olen = size;
	free(all);
	return 0;
fail:
	free(all);
	return -1;
}
