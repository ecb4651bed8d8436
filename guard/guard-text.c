/*
 * guard-text.c — detectors that start from words: dates with a month
 * name (Swedish, English, Hebrew), street addresses and UK postcodes.
 *
 * A date is reported when it has a day, a month and a year ("3 maj 1961",
 * "March 3rd, 1961", "3 במרץ 1961"), or a day and a month beside a word
 * of admission, discharge, birth or death ("utskrevs den 3 maj").  A
 * month with a year alone ("i mars 2023") or a year alone is not.
 */
#include <string.h>

#include "bal.h"
#include "guard-int.h"

static const char *const months[] = {
	"januari", "februari", "mars", "april", "maj", "juni", "juli",
	"augusti", "september", "oktober", "november", "december",
	"january", "february", "march", "may", "june", "july", "august",
	"october", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
	"sept", "okt", "oct", "nov", "dec",
	"ינואר", "פברואר", "מרץ", "מרס", "אפריל", "מאי", "יוני", "יולי",
	"אוגוסט", "ספטמבר", "אוקטובר", "נובמבר", "דצמבר", NULL
};

static const char *const street_suffix[] = {
	"gatan", "vägen", "gränd", "gränden", "torget", "stigen", "backen",
	"allén", "gata", "platsen", "leden", "esplanaden", "promenaden",
	"kajen", "stråket", "gade", "vej", "veien", "gaten", "vägen", "tie",
	"katu", NULL
};

static const char *const street_word[] = {
	"street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive",
	"close", "way", "court", "place", "crescent", "terrace", "boulevard",
	"blvd", "gardens", "square", "grove", "row", "mews", NULL
};

static const char *const he_street[] = {
	"רחוב", "ברחוב", "לרחוב", "מרחוב", "ברח'", "רח'", "שדרות", "בשדרות",
	"שד'", "בשד'", "סמטת", "בסמטת", "כתובת", "בכתובת", NULL
};

static int
word_char(uint32_t c)
{
	return guard_is_letter(c) || guard_is_mark(c);
}

/* End of the word that starts at i. */
static size_t
word_end(const struct guard_scan *s, size_t i)
{
	while (i < s->n && (word_char(s->cp[i]) || s->cp[i] == '\'' ||
	    s->cp[i] == 0x05F3))
		i++;
	return i;
}

static size_t
skip_spaces(const struct guard_scan *s, size_t i)
{
	while (i < s->n && guard_is_space(s->cp[i]))
		i++;
	return i;
}

/* The month name at [i, e) (a Hebrew ב or ל before it allowed). */
static int
is_month(const struct guard_scan *s, size_t i, size_t e)
{
	size_t k, len;

	if (e > i + 1 && (s->cp[i] == 0x05D1 || s->cp[i] == 0x05DC) &&
	    guard_is_hebrew(s->cp[i + 1]))
		if (is_month(s, i + 1, e))
			return 1;
	for (k = 0; months[k] != NULL; k++) {
		len = guard_ci_eq(s, i, e, months[k]);
		if (len > 0 && i + len == e)
			return 1;
	}
	return 0;
}

/* Digits (1 or 2) ending at e, not part of a longer number: their start. */
static size_t
day_before(const struct guard_scan *s, size_t e)
{
	size_t i = e;

	/* "3:e", "3e", "3rd", "3." */
	if (i >= 2 && (s->cp[i - 1] == 'e' || s->cp[i - 1] == 'a') &&
	    s->cp[i - 2] == ':')
		i -= 2;
	else if (i >= 1 && (s->cp[i - 1] == 'e' || s->cp[i - 1] == '.'))
		i -= 1;
	else if (i >= 2 && guard_is_letter(s->cp[i - 1]) &&
	    guard_is_letter(s->cp[i - 2]) && guard_is_digit(s->cp[i >= 3 ?
	    i - 3 : 0]))
		i -= 2;
	if (i == 0 || !guard_is_digit(s->cp[i - 1]))
		return SIZE_MAX;
	i--;
	if (i > 0 && guard_is_digit(s->cp[i - 1]))
		i--;
	if (i > 0 && (guard_is_digit(s->cp[i - 1]) ||
	    (guard_is_letter(s->cp[i - 1]) && !guard_is_hebrew(s->cp[i - 1]))))
		return SIZE_MAX;
	return i;
}

/* A day number at i ("12", "12th", "12,"): its end, else 0. */
static size_t
day_after(const struct guard_scan *s, size_t i)
{
	size_t j = i;

	while (j < s->n && j < i + 2 && guard_is_digit(s->cp[j]))
		j++;
	if (j == i || (j < s->n && guard_is_digit(s->cp[j])))
		return 0;
	if (j + 1 < s->n && (guard_ci_eq(s, j, s->n, "st") ||
	    guard_ci_eq(s, j, s->n, "nd") || guard_ci_eq(s, j, s->n, "rd") ||
	    guard_ci_eq(s, j, s->n, "th")))
		j += 2;
	return j;
}

/* A year at i (1900-2099, or '61): its end, else 0. */
static size_t
year_after(const struct guard_scan *s, size_t i)
{
	unsigned y = 0;
	size_t k;

	if (i < s->n && (s->cp[i] == ',' || s->cp[i] == '-'))
		i++;
	i = skip_spaces(s, i);
	if (i + 3 < s->n && (s->cp[i] == '\'' || s->cp[i] == 0x2019) &&
	    guard_is_digit(s->cp[i + 1]) && guard_is_digit(s->cp[i + 2]) &&
	    !guard_is_digit(s->cp[i + 3]))
		return i + 3;
	if (i + 4 > s->n)
		return 0;
	for (k = 0; k < 4; k++) {
		if (!guard_is_digit(s->cp[i + k]))
			return 0;
		y = y * 10 + (s->cp[i + k] - '0');
	}
	if (i + 4 < s->n && guard_is_digit(s->cp[i + 4]))
		return 0;
	return y >= 1900 && y <= 2099 ? i + 4 : 0;
}

static void
date_at(struct guard_scan *s, size_t i, size_t e)
{
	size_t start = SIZE_MAX, end = 0, j, y;

	/* Day before the month: "3 maj", "3:e maj", "3rd of May". */
	j = i;
	while (j > 0 && guard_is_space(s->cp[j - 1]))
		j--;
	if (j >= 2 && guard_ci_eq(s, j - 2, j, "of") &&
	    (j < 3 || guard_is_space(s->cp[j - 3]))) {
		j -= 2;
		while (j > 0 && guard_is_space(s->cp[j - 1]))
			j--;
	}
	if (j < i && j > 0)
		start = day_before(s, j);
	end = e;
	if (start == SIZE_MAX) {
		/* Day after: "May 3, 1961". */
		j = skip_spaces(s, e);
		if (j > e && (end = day_after(s, j)) > 0)
			start = i;
		else
			return;
	}
	if ((y = year_after(s, end)) > 0)
		end = y;
	else if (!guard_context_before(s, start, 30, guard_date_context, 0))
		return;
	guard_scan_add(s, GUARD_DATE, start, end);
}

/* "Storgatan 12", "Storgatan 12B": a street word, a house number. */
static void
street_sv(struct guard_scan *s, size_t i, size_t e)
{
	size_t k, len, j, n;

	if (!guard_is_upper(s->cp[i]))
		return;
	for (k = 0; street_suffix[k] != NULL; k++) {
		for (len = 0; street_suffix[k][len] != '\0'; len++)
			;
		/* Code points of the suffix (it may hold å ä ö). */
		n = 0;
		for (j = 0; j < len; j++)
			if (((unsigned char)street_suffix[k][j] & 0xC0) != 0x80)
				n++;
		if (e - i <= n || guard_ci_eq(s, e - n, e,
		    street_suffix[k]) != n)
			continue;
		j = skip_spaces(s, e);
		if (j == e || j >= s->n || !guard_is_digit(s->cp[j]))
			return;
		while (j < s->n && guard_is_digit(s->cp[j]))
			j++;
		if (j < s->n && guard_is_letter(s->cp[j]) &&
		    (j + 1 >= s->n || !guard_is_letter(s->cp[j + 1])))
			j++;
		guard_scan_add(s, GUARD_ADDRESS, i, j);
		return;
	}
}

/* "221B Baker Street": a number, capitalised words, a street word. */
static void
street_en(struct guard_scan *s, size_t i, size_t e)
{
	size_t k, j, words = 0, end = e;

	for (k = 0; street_word[k] != NULL; k++)
		if (guard_ci_eq(s, i, e, street_word[k]) == e - i)
			break;
	if (street_word[k] == NULL || !guard_is_upper(s->cp[i]))
		return;
	if (end < s->n && s->cp[end] == '.')
		end++;
	j = i;
	for (;;) {
		while (j > 0 && guard_is_space(s->cp[j - 1]))
			j--;
		if (j == 0)
			return;
		if (guard_is_digit(s->cp[j - 1]) ||
		    (guard_is_letter(s->cp[j - 1]) && j >= 2 &&
		    guard_is_digit(s->cp[j - 2])))
			break;
		if (!guard_is_letter(s->cp[j - 1]) || ++words > 3)
			return;
		while (j > 0 && guard_is_letter(s->cp[j - 1]))
			j--;
		if (!guard_is_upper(s->cp[j]))
			return;
	}
	if (words == 0)
		return;
	if (guard_is_letter(s->cp[j - 1]))
		j--;
	while (j > 0 && guard_is_digit(s->cp[j - 1]))
		j--;
	guard_scan_add(s, GUARD_ADDRESS, j, end);
}

/* "ברחוב הרצל 12": a street word, up to three words, a number. */
static void
street_he(struct guard_scan *s, size_t i, size_t e)
{
	size_t k, j, words = 0;

	for (k = 0; he_street[k] != NULL; k++)
		if (guard_ci_eq(s, i, e, he_street[k]) == e - i)
			break;
	if (he_street[k] == NULL)
		return;
	j = i + guard_ci_eq(s, i, s->n, he_street[k]);
	if (j < s->n && s->cp[j] == ':')
		j++;
	for (;;) {
		j = skip_spaces(s, j);
		if (j < s->n && guard_is_digit(s->cp[j]))
			break;
		if (j >= s->n || !guard_is_hebrew(s->cp[j]) || ++words > 3)
			return;
		j = word_end(s, j);
		if (j < s->n && (s->cp[j] == '-' || s->cp[j] == 0x05BE))
			j++;
	}
	if (words == 0)
		return;
	while (j < s->n && guard_is_digit(s->cp[j]))
		j++;
	guard_scan_add(s, GUARD_ADDRESS, i, j);
}

/* A UK postcode at i: "SW1A 1AA", "M1 1AE". */
static void
postcode_uk(struct guard_scan *s, size_t i)
{
	size_t j = i, k;

	for (k = 0; k < 2 && j < s->n && s->cp[j] >= 'A' && s->cp[j] <= 'Z';
	    k++)
		j++;
	if (k == 0 || j >= s->n || !guard_is_digit(s->cp[j]))
		return;
	j++;
	if (j < s->n && (guard_is_digit(s->cp[j]) ||
	    (s->cp[j] >= 'A' && s->cp[j] <= 'Z')))
		j++;
	if (j + 4 > s->n || s->cp[j] != ' ' || !guard_is_digit(s->cp[j + 1]))
		return;
	for (k = 2; k < 4; k++)
		if (s->cp[j + k] < 'A' || s->cp[j + k] > 'Z')
			return;
	if (j + 4 < s->n && (guard_is_letter(s->cp[j + 4]) ||
	    guard_is_digit(s->cp[j + 4])))
		return;
	guard_scan_add(s, GUARD_ADDRESS, i, j + 4);
}

/* A digit within a few code points before i or after e. */
static int
digit_near(const struct guard_scan *s, size_t i, size_t e)
{
	size_t k;

	for (k = i; k > 0 && k + 8 > i; k--)
		if (guard_is_digit(s->cp[k - 1]))
			return 1;
	for (k = e; k < s->n && k < e + 4; k++)
		if (guard_is_digit(s->cp[k]))
			return 1;
	return 0;
}

void
guard_scan_words(struct guard_scan *s)
{
	size_t i, e;

	for (i = 0; i < s->n; i = e) {
		if (!guard_is_letter(s->cp[i])) {
			e = i + 1;
			continue;
		}
		e = word_end(s, i);
		if (i > 0 && (guard_is_letter(s->cp[i - 1]) ||
		    guard_is_digit(s->cp[i - 1])))
			continue;
		/* Cheap tests first: a date and a street have digits near. */
		if (e - i <= 9 && digit_near(s, i, e) && is_month(s, i, e))
			date_at(s, i, e);
		if (guard_is_hebrew(s->cp[i]))
			street_he(s, i, e);
		else if (e - i >= 2) {
			if (e - i > 3 && skip_spaces(s, e) < s->n &&
			    guard_is_digit(s->cp[skip_spaces(s, e)]))
				street_sv(s, i, e);
			if (i > 2 && guard_is_upper(s->cp[i]))
				street_en(s, i, e);
			if (s->cp[i] >= 'A' && s->cp[i] <= 'Z')
				postcode_uk(s, i);
		}
	}
}
