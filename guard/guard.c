/*
 * guard.c — the guard's data (loaded once) and guard_check, which runs
 * every detector over the decoded text and turns what they found into
 * one ordered list of hits without overlaps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hunspell.h>
#include <unistr.h>

#include "bal.h"
#include "guard-int.h"

#ifndef GUARD_DATADIR
#define GUARD_DATADIR "/usr/local/share/balint/guard"
#endif
#define GUARD_DICTDIR "/usr/share/hunspell"

struct guard_allow {
	struct guard_set *words;
};

static const char *const cat_names[GUARD_NCATS] = {
	"id", "phone", "email", "address", "record", "date", "age", "name"
};
static const char *const cat_labels[GUARD_NCATS] = {
	/* Shown to members: translated by the CLI (cli/daemon-text.c). */
	N_("identity number"), N_("phone number"), N_("e-mail address"),
	N_("address"), N_("record number"), N_("date"), N_("age over 89"),
	N_("name")
};

const char *
guard_cat_name(enum guard_cat c)
{
	return (unsigned)c < GUARD_NCATS ? cat_names[c] : "?";
}

const char *
guard_cat_label(enum guard_cat c)
{
	return (unsigned)c < GUARD_NCATS ? cat_labels[c] : "?";
}

int
guard_cat_from_name(const char *s, size_t len)
{
	int i;

	for (i = 0; i < GUARD_NCATS; i++)
		if (strlen(cat_names[i]) == len &&
		    memcmp(cat_names[i], s, len) == 0)
			return i;
	return -1;
}

static void
warn_add(struct guard *g, const char *what)
{
	size_t len = strlen(g->warn);

	snprintf(g->warn + len, sizeof(g->warn) - len, "%s%s",
	    len > 0 ? ", " : "cannot load ", what);
}

/* Loads one list; a missing file leaves the set empty and says so. */
static struct guard_set *
load_list(struct guard *g, const char *dir, const char *file)
{
	struct guard_set *s = guard_set_new();
	char path[4096];

	if (s == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (guard_set_load(s, path) != 0)
		warn_add(g, path);
	return s;
}

static void *
load_dict(struct guard *g, const char *dir, const char *lang)
{
	char aff[4096], dic[4096];
	FILE *f;

	snprintf(aff, sizeof(aff), "%s/%s.aff", dir, lang);
	snprintf(dic, sizeof(dic), "%s/%s.dic", dir, lang);
	/* Hunspell_create does not say when its files are missing. */
	if ((f = fopen(dic, "r")) == NULL) {
		warn_add(g, dic);
		return NULL;
	}
	fclose(f);
	return Hunspell_create(aff, dic);
}

struct guard *
guard_new(const char *datadir, const char *dictdir)
{
	struct guard *g = calloc(1, sizeof(*g));
	char path[4096];
	FILE *f;

	if (g == NULL)
		return NULL;
	(void)path;
	(void)f;
	if (datadir == NULL)
		datadir = getenv("BALINT_GUARD_DATA");
	if (datadir == NULL || *datadir == '\0') {
		/* Installed lists first; a build tree uses its own. */
		datadir = GUARD_DATADIR;
#ifdef GUARD_SRCDIR
		snprintf(path, sizeof(path), "%s/allow.txt", datadir);
		if ((f = fopen(path, "r")) != NULL)
			fclose(f);
		else
			datadir = GUARD_SRCDIR;
#endif
	}
	if (dictdir == NULL)
		dictdir = GUARD_DICTDIR;
	g->given = load_list(g, datadir, "given-names.txt");
	g->surname = load_list(g, datadir, "surnames.txt");
	g->he_names = load_list(g, datadir, "names-he.txt");
	g->he_ambig = load_list(g, datadir, "names-he-words.txt");
	g->allow = load_list(g, datadir, "allow.txt");
	if (g->given == NULL || g->surname == NULL || g->he_names == NULL ||
	    g->he_ambig == NULL || g->allow == NULL) {
		guard_free(g);
		return NULL;
	}
	g->dict[0] = load_dict(g, dictdir, "sv_SE");
	g->dict[1] = load_dict(g, dictdir, "en_US");
	return g;
}

void
guard_free(struct guard *g)
{
	int i;

	if (g == NULL)
		return;
	guard_set_free(g->given);
	guard_set_free(g->surname);
	guard_set_free(g->he_names);
	guard_set_free(g->he_ambig);
	guard_set_free(g->allow);
	for (i = 0; i < 2; i++)
		if (g->dict[i] != NULL)
			Hunspell_destroy(g->dict[i]);
	free(g);
}

const char *
guard_warning(const struct guard *g)
{
	return g->warn;
}

unsigned
guard_dict_known(struct guard *g, const char *key, size_t len)
{
	char word[256];
	uint64_t h = 1469598103934665603ull;
	unsigned known = 0;
	size_t i, slot;

	if (len == 0 || len >= sizeof(word))
		return 0;
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ull;
	}
	h |= 1;
	slot = (size_t)(h >> 20) & (GUARD_CACHE_SLOTS - 1);
	if (g->cache[slot].h == h)
		return g->cache[slot].known;
	memcpy(word, key, len);
	word[len] = '\0';
	for (i = 0; i < 2; i++)
		if (g->dict[i] != NULL && Hunspell_spell(g->dict[i], word))
			known |= 1u << i;
	g->cache[slot].h = h;
	g->cache[slot].known = (uint8_t)known;
	return known;
}

struct guard_allow *
guard_allow_new(void)
{
	struct guard_allow *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	if ((a->words = guard_set_new()) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void
guard_allow_free(struct guard_allow *a)
{
	if (a == NULL)
		return;
	guard_set_free(a->words);
	free(a);
}

int
guard_allow_add(struct guard_allow *a, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	uint32_t cp[120];
	char key[512];
	size_t n = 0, klen;
	ucs4_t c;
	int k, ret;

	while (p <= end) {
		c = ' ';
		k = 1;
		if (p < end)
			k = u8_mbtouc(&c, p, (size_t)(end - p));
		if (guard_is_letter(c) || guard_is_mark(c) ||
		    (n > 0 && (c == '\'' || c == 0x05F3 || c == 0x05F4 ||
		    c == '"' || c == 0x2019))) {
			if (n < sizeof(cp) / sizeof(cp[0]))
				cp[n++] = c;
		} else if (n > 0) {
			if ((klen = guard_key(cp, n, key, sizeof(key))) > 0 &&
			    (ret = guard_set_add(a->words, key, klen)) != 0)
				return ret;
			n = 0;
		}
		p += k;
	}
	return 0;
}

int
guard_allow_has(const struct guard_allow *a, const char *key, size_t len)
{
	return a != NULL && guard_set_has(a->words, key, len);
}

void
guard_scan_add(struct guard_scan *s, enum guard_cat cat, size_t start,
    size_t end)
{
	struct guard_hit *h;

	if (end <= start || end > s->n)
		return;
	if (s->nhits == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;

		if ((h = realloc(s->hits, cap * sizeof(*h))) == NULL) {
			s->oom = 1;
			return;
		}
		s->hits = h;
		s->cap = cap;
	}
	h = &s->hits[s->nhits++];
	memset(h, 0, sizeof(*h));
	h->cat = cat;
	h->start = start;
	h->end = end;
}

int
guard_context_before(const struct guard_scan *s, size_t i, size_t window,
    const char *const *words, int nearest)
{
	size_t j, lo = i > window ? i - window : 0, k;

	for (j = i; j-- > lo;) {
		if (s->cp[j] == '\n' || (nearest && guard_is_digit(s->cp[j])))
			break;
		/* Only at the start of a word (Hebrew prefixes aside). */
		if (j > 0 && guard_is_letter(s->cp[j - 1]) &&
		    !guard_is_hebrew(s->cp[j]))
			continue;
		for (k = 0; words[k] != NULL; k++)
			if (guard_ci_eq(s, j, i, words[k]) > 0)
				return 1;
	}
	return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct guard_hit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;	/* longer first */
	return (int)x->cat - (int)y->cat;
}

/* Sorts the hits and merges overlaps (the earlier, longer one wins). */
static void
settle(struct guard_scan *s)
{
	size_t i, m = 0;

	if (s->nhits == 0)
		return;
	qsort(s->hits, s->nhits, sizeof(*s->hits), hit_cmp);
	for (i = 1; i < s->nhits; i++) {
		struct guard_hit *last = &s->hits[m];

		if (s->hits[i].start < last->end) {
			if (s->hits[i].end > last->end)
				last->end = s->hits[i].end;
			continue;
		}
		s->hits[++m] = s->hits[i];
	}
	s->nhits = m + 1;
}

int
guard_check(struct guard *g, const char *text, size_t len,
    const struct guard_allow *allow, struct guard_hit **hits, size_t *n)
{
	struct guard_scan s;
	uint32_t *cp = NULL;
	size_t *boff = NULL, i, h, line, col;
	const uint8_t *p = (const uint8_t *)text;
	ucs4_t c;
	int k, ret = BAL_ENOMEM;

	*hits = NULL;
	*n = 0;
	memset(&s, 0, sizeof(s));
	if (len == 0)
		return 0;
	if ((cp = malloc(len * sizeof(*cp))) == NULL ||
	    (boff = malloc((len + 1) * sizeof(*boff))) == NULL)
		goto out;
	for (i = 0; i < len; i += (size_t)k) {
		k = u8_mbtouc(&c, p + i, len - i);
		if (k <= 0)
			k = 1;
		if (c == 0)
			c = 0xFFFD;
		boff[s.n] = i;
		cp[s.n++] = c;
	}
	boff[s.n] = len;
	s.cp = cp;
	guard_scan_email(&s);
	guard_scan_numbers(&s);
	guard_scan_words(&s);
	guard_scan_names(g, &s, allow);
	if (s.oom)
		goto out;
	settle(&s);
	/* Lines and columns, in one walk over the text. */
	line = 1;
	col = 1;
	for (i = 0, h = 0; i < s.n && h < s.nhits; i++) {
		while (h < s.nhits && s.hits[h].start == i) {
			s.hits[h].line = (unsigned)line;
			s.hits[h].col = (unsigned)col;
			s.hits[h].bstart = boff[s.hits[h].start];
			s.hits[h].bend = boff[s.hits[h].end];
			h++;
		}
		if (cp[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	*hits = s.hits;
	*n = s.nhits;
	s.hits = NULL;
	ret = 0;
out:
	free(s.hits);
	free(cp);
	free(boff);
	return ret;
}
