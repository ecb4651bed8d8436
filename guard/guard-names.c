/*
 * guard-names.c — names of people.
 *
 * Swedish and English: a capitalised word that does not start a sentence
 * is a name when neither dictionary (Hunspell sv_SE, en_US) knows it in
 * lower case, or when it is on the given-name or surname list (names
 * that are also words: Björn, Lund, Rose); at the start of a sentence
 * only a listed name that is no word of the note's language counts.  A
 * word after a title (Dr, Mrs, fru, herr) is a name whatever it is.
 * Possessives (Karlssons, Smith's) are looked up without their s.
 *
 * Hebrew has no capitals: a word is a name when it is on the Hebrew list,
 * also behind up to two of the one-letter prefixes ו ל ב מ ש ה כ; a name
 * that is also a common word (אור, גיל, שמש) only after a title or next
 * to another name.  Points (niqqud) and NFD forms are ignored throughout.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "guard-int.h"

#define MAX_WORD 64	/* code points; longer words are never names */

enum script { LATIN, HEBREW, OTHER };

struct word {
	size_t start, end;
	enum script script;
	int initial;		/* starts a sentence */
	int upper;		/* first letter upper case */
	int allcaps;
	char key[4 * MAX_WORD + 8];
	size_t klen;
};

static const char *const titles[] = {
	"dr", "dr.", "doktor", "mrs", "mrs.", "mr", "mr.", "ms", "ms.",
	"miss", "prof", "prof.", "professor", "fru", "herr", "fröken",
	"syster", "sister", "nurse", "pastor", "rabbi", "mx", NULL
};

static const char *const he_titles[] = {
	"ד\"ר", "דר'", "גב'", "גברת", "הגברת", "פרופ'", "פרופסור", "עו\"ד",
	"לד\"ר", "לגב'", "לגברת", "מד\"ר", "מגב'", "הרב", "לרב", NULL
};

/* "מר" is also a word (bitter): a name only when a listed one follows. */
static const char *const he_weak_titles[] = {
	"מר", "למר", "ממר", "ומר", "אדון", NULL
};

static const char *const sv_stop[] = {
	"och", "att", "det", "som", "är", "på", "med", "för", "inte", "har",
	"jag", "hon", "han", "till", "av", "en", "ett", "vi", "var", NULL
};

static const char *const en_stop[] = {
	"the", "and", "of", "to", "is", "was", "he", "she", "with", "for",
	"not", "in", "that", "we", "had", "his", "her", "a", "it", NULL
};

static int
word_char(uint32_t c)
{
	return guard_is_letter(c) || guard_is_mark(c);
}

static int
is_apos(uint32_t c)
{
	return c == '\'' || c == 0x2019 || c == 0x05F3 || c == 0x05F4 ||
	    c == '"';
}

/* Is position i (a word's first letter) the start of a sentence? */
static int
starts_sentence(const struct guard_scan *s, size_t i)
{
	while (i > 0) {
		uint32_t c = s->cp[i - 1];

		if (guard_is_space(c) || c == '"' || c == '(' || c == 0x201C ||
		    c == 0x201D || c == 0x201E || c == 0xAB || c == 0xBB ||
		    c == '\'' || c == '*' || c == 0x2022 || c == '-' ||
		    c == 0x2013 || c == 0x2014 || c == '>' || c == '[') {
			i--;
			continue;
		}
		return c == '\n' || c == '.' || c == '!' || c == '?' ||
		    c == ':' || c == ';' || c == '\r';
	}
	return 1;
}

static int
in_list(const struct word *w, const char *const *list)
{
	size_t k;

	if (w->klen == 0)
		return 0;
	for (k = 0; list[k] != NULL; k++)
		if (list[k][0] == w->key[0] && strlen(list[k]) == w->klen &&
		    memcmp(list[k], w->key, w->klen) == 0)
			return 1;
	return 0;
}

/* Reads the word at i (a letter); 0 when it is too long to matter. */
static size_t
read_word(const struct guard_scan *s, size_t i, struct word *w)
{
	size_t j = i, letters = 0, upper = 0;

	while (j < s->n && (word_char(s->cp[j]) || ((is_apos(s->cp[j]) ||
	    s->cp[j] == '-' || s->cp[j] == 0x05BE) && j + 1 < s->n &&
	    word_char(s->cp[j + 1]) && j > i) ||
	    ((s->cp[j] == 0x05F3 || s->cp[j] == '\'') && j > i &&
	    guard_is_hebrew(s->cp[j - 1])))) {
		if (guard_is_letter(s->cp[j])) {
			letters++;
			if (guard_is_upper(s->cp[j]))
				upper++;
		}
		j++;
	}
	memset(w, 0, offsetof(struct word, key));
	w->start = i;
	w->end = j;
	w->script = guard_is_hebrew(s->cp[i]) ? HEBREW :
	    s->cp[i] < 0x250 ? LATIN : OTHER;
	w->upper = guard_is_upper(s->cp[i]);
	w->allcaps = letters >= 2 && upper == letters;
	w->initial = starts_sentence(s, i);
	w->klen = j - i <= MAX_WORD ?
	    guard_key(s->cp + i, j - i, w->key, sizeof(w->key)) : 0;
	return j;
}

/* The note's main Latin language: bit 0 Swedish, bit 1 English. */
static unsigned
language(struct word *words, size_t n)
{
	size_t i, sv = 0, en = 0;

	for (i = 0; i < n && i < 2000; i++) {
		sv += in_list(&words[i], sv_stop);
		en += in_list(&words[i], en_stop);
	}
	if (sv == 0 && en == 0)
		return 3;
	return sv >= en ? 1 : 2;
}

static int
allowed(const struct guard *g, const struct guard_allow *a, const char *key,
    size_t len)
{
	return guard_set_has(g->allow, key, len) ||
	    guard_allow_has(a, key, len);
}

/* The key without a possessive ending ('s, ’s, s), or len if none. */
static size_t
stem_len(const char *key, size_t len)
{
	if (len > 3 && key[len - 1] == 's' && key[len - 2] == '\'')
		return len - 2;
	if (len > 5 && key[len - 1] == 's' &&
	    (unsigned char)key[len - 2] == 0x99 &&
	    (unsigned char)key[len - 3] == 0x80 &&
	    (unsigned char)key[len - 4] == 0xE2)
		return len - 4;
	if (len > 3 && key[len - 1] == 's')
		return len - 1;
	return len;
}

static int
listed(const struct guard *g, const char *key, size_t len)
{
	return guard_set_has(g->given, key, len) ||
	    guard_set_has(g->surname, key, len);
}

/* "AA-möten", "KBT-behandling", "HIV-test": an acronym, a hyphen, a word. */
static int
acronym_compound(const struct guard_scan *s, const struct word *w)
{
	size_t i, caps = 0;

	for (i = w->start; i < w->end && s->cp[i] != '-'; i++) {
		if (!guard_is_upper(s->cp[i]))
			return 0;
		caps++;
	}
	return i < w->end && caps >= 2;
}

/*
 * A title stands right before w: only spaces between them, or the full
 * stop of an abbreviation ("Dr. Levi"), never a line break.
 */
static int
title_before(const struct guard_scan *s, const struct word *t,
    const struct word *w)
{
	size_t i = t->end;

	if (i < w->start && s->cp[i] == '.')
		i++;
	if (i == w->start)
		return 0;
	for (; i < w->start; i++)
		if (!guard_is_space(s->cp[i]))
			return 0;
	return 1;
}

/*
 * Swedish surnames are compounds the dictionary takes apart and accepts
 * (Sjöstrand, Brännström): capitalised inside a sentence, these endings
 * make a name.
 */
static int
surname_ending(const struct word *w)
{
	static const char *const endings[] = {
		"ström", "strand", "qvist", "kvist", "quist", "gren",
		"holm", "stedt", "blad", "dahl", "sson", "berg", "lund",
		"fors", "bäck", "stam", "mark", "näs", NULL
	};
	size_t k, n;

	if (w->klen < 6)
		return 0;
	for (k = 0; endings[k] != NULL; k++) {
		n = strlen(endings[k]);
		if (n + 2 <= w->klen &&
		    memcmp(w->key + w->klen - n, endings[k], n) == 0)
			return 1;
	}
	return 0;
}

/* Latin script: is w a name?  prev is the word before it (or NULL). */
static int
latin_name(struct guard *g, const struct guard_scan *s,
    const struct guard_allow *a, const struct word *w,
    const struct word *prev, unsigned lang)
{
	size_t st = stem_len(w->key, w->klen);
	int list, titled;
	unsigned known;

	if (!w->upper || w->allcaps || w->klen < 2 || w->end - w->start < 2)
		return 0;
	if (allowed(g, a, w->key, w->klen) || allowed(g, a, w->key, st))
		return 0;
	if (in_list(w, titles) || acronym_compound(s, w))
		return 0;
	/* "Mrs K" is how a case is kept anonymous: initials are not names. */
	titled = prev != NULL && prev->script == LATIN &&
	    in_list(prev, titles) && title_before(s, prev, w) &&
	    w->end - w->start >= 2;
	if (titled)
		return 1;
	list = listed(g, w->key, w->klen) || listed(g, w->key, st);
	known = guard_dict_known(g, w->key, w->klen);
	if (!w->initial)
		return list || (known == 0 && w->end - w->start >= 3) ||
		    surname_ending(w);
	/* At the start of a sentence: a listed name that is no word. */
	return list && (known & lang) == 0;
}

/* Hebrew: the key with up to two prefix letters taken off, if listed. */
static int
hebrew_lookup(const struct guard *g, const struct guard_allow *a,
    const struct word *w, int *ambiguous)
{
	static const char prefixes[] = "\xD7\x95\xD7\x9C\xD7\x91\xD7\x9E"
	    "\xD7\xA9\xD7\x94\xD7\x9B";	/* ו ל ב מ ש ה כ */
	const char *k = w->key;
	size_t len = w->klen, p, drop;

	for (drop = 0; drop <= 2; drop++) {
		if (len < 4)
			return 0;
		if (allowed(g, a, k, len))
			return 0;
		if (guard_set_has(g->he_names, k, len)) {
			*ambiguous = 0;
			return 1;
		}
		if (guard_set_has(g->he_ambig, k, len)) {
			*ambiguous = 1;
			return 1;
		}
		/* Hebrew letters are two bytes in UTF-8. */
		for (p = 0; p < sizeof(prefixes) - 1; p += 2)
			if (k[0] == prefixes[p] && k[1] == prefixes[p + 1])
				break;
		if (p >= sizeof(prefixes) - 1)
			return 0;
		/* Two prefixes only as Hebrew combines them: ו or ש first. */
		if (drop == 1 && !(k[-2] == '\xD7' && (k[-1] == '\x95' ||
		    k[-1] == '\xA9')))
			return 0;
		k += 2;
		len -= 2;
		/* "ה-" or "ו-" before a name written with a hyphen. */
		if (len > 0 && (k[0] == '-'))
			k++, len--;
	}
	return 0;
}

static void
hebrew_names(struct guard *g, struct guard_scan *s,
    const struct guard_allow *a, const struct word *words, size_t n)
{
	size_t i;
	int amb, pamb, namb, prev_hit = 0;

	for (i = 0; i < n; i++) {
		const struct word *w = &words[i];
		int titled = 0, strong = 0;

		if (w->script != HEBREW)
			continue;
		if (i > 0 && words[i - 1].script == HEBREW &&
		    words[i - 1].end + 2 >= w->start) {
			titled = in_list(&words[i - 1], he_titles);
			strong = in_list(&words[i - 1], he_weak_titles);
		}
		if (!hebrew_lookup(g, a, w, &amb)) {
			/* After a title any word is a name. */
			if (titled && w->klen >= 4 &&
			    !allowed(g, a, w->key, w->klen)) {
				guard_scan_add(s, GUARD_NAME, w->start, w->end);
				prev_hit = 1;
			} else
				prev_hit = 0;
			continue;
		}
		if (amb && !titled && !strong) {
			/* Next to an unambiguous name: a full name. */
			int near = prev_hit;

			if (!near && i + 1 < n && words[i + 1].script ==
			    HEBREW && w->end + 2 >= words[i + 1].start &&
			    hebrew_lookup(g, a, &words[i + 1], &namb) && !namb)
				near = 1;
			if (!near && i > 0 && words[i - 1].script == HEBREW &&
			    words[i - 1].end + 2 >= w->start &&
			    hebrew_lookup(g, a, &words[i - 1], &pamb) && !pamb)
				near = 1;
			if (!near) {
				prev_hit = 0;
				continue;
			}
		}
		guard_scan_add(s, GUARD_NAME, w->start, w->end);
		prev_hit = 1;
	}
}

void
guard_scan_names(struct guard *g, struct guard_scan *s,
    const struct guard_allow *a)
{
	struct word *words = NULL, *tmp;
	size_t i, n = 0, cap = 0;
	unsigned lang;

	for (i = 0; i < s->n;) {
		if (!guard_is_letter(s->cp[i]) ||
		    (i > 0 && guard_is_digit(s->cp[i - 1]))) {
			i++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((tmp = realloc(words, cap * sizeof(*words))) ==
			    NULL) {
				s->oom = 1;
				goto out;
			}
			words = tmp;
		}
		i = read_word(s, i, &words[n]);
		if (words[n].klen > 0)
			n++;
	}
	lang = language(words, n);
	for (i = 0; i < n; i++) {
		struct word *w = &words[i];

		if (w->script != LATIN)
			continue;
		if (latin_name(g, s, a, w, i > 0 ? &words[i - 1] : NULL,
		    lang)) {
			size_t end = w->end;

			/* Smith's: the name without the possessive. */
			if (end - w->start > 3 && (s->cp[end - 1] == 's') &&
			    is_apos(s->cp[end - 2]))
				end -= 2;
			guard_scan_add(s, GUARD_NAME, w->start, end);
		}
	}
	hebrew_names(g, s, a, words, n);
out:
	free(words);
}
