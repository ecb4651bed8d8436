/*
 * guard-num.c — the detectors that start from digits: identity numbers
 * (by their check digits, or a label before them), phone numbers, dates
 * written in digits, record numbers, ages over 89, postal codes with a
 * town; and e-mail addresses.
 *
 * A run of digit groups with separators (spaces, - . / ( ) +) is cut into
 * groups; from each group on, the longest run of groups that one of the
 * classifiers accepts becomes a hit.  A dose (5 mg, 1-0-1), a blood
 * pressure (120/80), a year, a duration or a session number matches none.
 */
#include <string.h>

#include "bal.h"
#include "guard-int.h"

#define MAX_GROUPS 8

struct group {
	size_t start, end;	/* code points of the digits */
	unsigned len;
	uint32_t sep;		/* separator before it: ' ', '-', '.', ... */
};

/* The labels before a group, looked up once (-1: not yet). */
enum { L_ID, L_CPR, L_POSTAL, L_RECORD, L_DATE, L_AGE, L_COUNT };

struct chunk {
	struct group g[MAX_GROUPS];
	unsigned n;
	int plus, paren;	/* the run began with '+', '(' */
	size_t start;		/* where the run began ('+' or '(') */
	unsigned label_at;	/* the group the labels below are for */
	int label[L_COUNT];
};

/* Labels that make the number after them an identity number. */
static const char *const id_context[] = {
	"personnummer", "personnr", "pers.nr", "pnr", "samordningsnummer",
	"fødselsnummer", "fodselsnummer", "f.nr", "cpr", "hetu",
	"henkilötunnus", "sotu", "ssn", "social security", "nhs number",
	"nhs no", "nhs", "id number", "id no", "identity number",
	"ת\"ז", "ת.ז", "תז", "תעודת זהות", "מספר זהות", "מס' זהות",
	NULL
};

static const char *const record_context[] = {
	"journalnummer", "journalnr", "journal nr", "journal-nr",
	"journalnr.", "patientnummer", "pat.nr", "patientnr", "patient-id",
	"patient id", "diarienummer", "diarienr", "dnr", "remissnummer",
	"remiss-nr", "lopnummer", "löpnummer", "mrn", "record number",
	"record no", "medical record", "hospital number", "hospital no",
	"chart number", "chart no", "case number", "hospital id",
	"מספר תיק", "מס' תיק", "תיק רפואי", "מספר רשומה", "מספר מטופל",
	"מספר אשפוז", "מס' אשפוז", "מס' מטופל", "מס' רשומה", "תיק מס'",
	"תיק מספר", NULL
};

const char *const guard_date_context[] = {
	"inlagd", "inlades", "inlagdes", "inskriven", "inskrevs", "skrevs in",
	"utskriven", "utskrevs", "skrevs ut", "född", "födde", "födelsedag",
	"avled", "dog ", "intagen", "togs in", "inläggning", "utskrivning",
	"admitted", "admission", "discharged", "discharge", "born", "birth",
	"dob", "d.o.b", "died", "death", "passed away",
	"אושפז", "אושפזה", "אשפוז", "שוחרר", "שוחררה", "שחרור", "נולד",
	"נולדה", "לידה", "נפטר", "נפטרה", "הולדת", NULL
};

static const char *const postal_context[] = {
	"postnummer", "postnr", "zip", "postcode", "post code", "מיקוד", NULL
};

static const char *const age_before[] = {
	"aged", "age", "he is", "she is", "he's", "she's", "turned", "turns",
	"ålder", "åldern", "han är", "hon är", "fyller", "fyllde",
	"בן", "בת", "בגיל", "גיל", NULL
};

static const char *const age_after[] = {
	"år", "års", "årig", "åring", "years", "year", "yrs", "yo", "y/o",
	"y.o", "שנים", "שנה", NULL
};

static const char *const cpr_context[] = { "cpr", NULL };

/* Is label kind k before group a of c?  Looked up once per group. */
static int
label(const struct guard_scan *s, struct chunk *c, unsigned a, int k)
{
	static const struct {
		const char *const *words;
		size_t window;
		int nearest;
	} kinds[L_COUNT] = {
		[L_ID] = { id_context, 30, 1 },
		[L_CPR] = { cpr_context, 20, 1 },
		[L_POSTAL] = { postal_context, 20, 1 },
		[L_RECORD] = { record_context, 30, 1 },
		[L_DATE] = { guard_date_context, 30, 0 },
		[L_AGE] = { age_before, 12, 0 },
	};
	int i;

	if (c->label_at != a) {
		for (i = 0; i < L_COUNT; i++)
			c->label[i] = -1;
		c->label_at = a;
	}
	if (c->label[k] < 0)
		c->label[k] = guard_context_before(s, c->g[a].start,
		    kinds[k].window, kinds[k].words, kinds[k].nearest);
	return c->label[k];
}

static unsigned
digit(const struct guard_scan *s, size_t i)
{
	return s->cp[i] - '0';
}

/* The digits of groups [a, b) of c into d (at most cap), their count. */
static size_t
digits_of(const struct guard_scan *s, const struct chunk *c, unsigned a,
    unsigned b, unsigned char *d, size_t cap)
{
	size_t n = 0, i;
	unsigned k;

	for (k = a; k < b; k++)
		for (i = c->g[k].start; i < c->g[k].end && n < cap; i++)
			d[n++] = (unsigned char)digit(s, i);
	return n;
}

static unsigned
num(const unsigned char *d, size_t n)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + d[i];
	return v;
}

static int
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day d of month m exists (in a leap year when y is unknown, y = 0). */
static int
valid_date(unsigned y, unsigned m, unsigned d)
{
	static const unsigned mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && y != 0 && !leap(y))
		return 0;
	return 1;
}

static int
luhn(const unsigned char *d, size_t n)
{
	unsigned sum = 0, v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = d[n - 1 - i];
		if (i % 2 == 1 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return sum % 10 == 0;
}

/* Swedish personnummer / samordningsnummer: the last ten digits. */
static int
is_personnummer(const unsigned char *d, size_t n)
{
	const unsigned char *t = d + n - 10;
	unsigned day = num(t + 4, 2);

	if (n != 10 && n != 12)
		return 0;
	if (n == 12 && num(d, 2) != 18 && num(d, 2) != 19 && num(d, 2) != 20)
		return 0;
	if (day > 60)
		day -= 60;	/* samordningsnummer */
	return valid_date(0, num(t + 2, 2), day) && luhn(t, 10);
}

static int
is_fodselsnummer(const unsigned char *d, size_t n)
{
	static const unsigned w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const unsigned w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	unsigned s1 = 0, s2 = 0, k1, k2, day = num(d, 2), i;

	if (n != 11)
		return 0;
	if (day > 40)
		day -= 40;	/* D-nummer */
	if (!valid_date(0, num(d + 2, 2), day))
		return 0;
	for (i = 0; i < 9; i++)
		s1 += w1[i] * d[i];
	k1 = (11 - s1 % 11) % 11;
	if (k1 == 10 || k1 != d[9])
		return 0;
	for (i = 0; i < 10; i++)
		s2 += w2[i] * d[i];
	k2 = (11 - s2 % 11) % 11;
	return k2 != 10 && k2 == d[10];
}

static int
is_cpr(const unsigned char *d, size_t n, int labelled)
{
	static const unsigned w[10] = { 4, 3, 2, 7, 6, 5, 4, 3, 2, 1 };
	unsigned sum = 0, i;

	if (n != 10 || !valid_date(0, num(d + 2, 2), num(d, 2)))
		return 0;
	for (i = 0; i < 10; i++)
		sum += w[i] * d[i];
	/* Numbers issued since 2007 need not pass modulus 11. */
	return sum % 11 == 0 || labelled;
}

static int
is_nhs(const unsigned char *d, size_t n)
{
	unsigned sum = 0, i, k;

	if (n != 10)
		return 0;
	for (i = 0; i < 9; i++)
		sum += (10 - i) * d[i];
	k = 11 - sum % 11;
	if (k == 11)
		k = 0;
	return k != 10 && k == d[9];
}

static int
is_teudat_zehut(const unsigned char *d, size_t n)
{
	unsigned sum = 0, v, i, z = 0;

	if (n != 9)
		return 0;
	for (i = 0; i < 9; i++) {
		v = d[i] * (i % 2 + 1);
		sum += v > 9 ? v - 9 : v;
		z += d[i];
	}
	return z != 0 && sum % 10 == 0;
}

static int
is_ssn(const unsigned char *d, size_t n)
{
	unsigned area = num(d, 3);

	return n == 9 && area != 0 && area != 666 && area < 900 &&
	    num(d + 3, 2) != 0 && num(d + 5, 4) != 0;
}

static int
same_sep(const struct chunk *c, unsigned a, unsigned b, const char *set)
{
	unsigned k;

	if (b - a < 2 || strchr(set, (int)c->g[a + 1].sep) == NULL)
		return 0;
	for (k = a + 2; k < b; k++)
		if (c->g[k].sep != c->g[a + 1].sep)
			return 0;
	return 1;
}

static int
lens(const struct chunk *c, unsigned a, unsigned b, const char *pat)
{
	unsigned k;

	if (strlen(pat) != b - a)
		return 0;
	for (k = a; k < b; k++)
		if (c->g[k].len != (unsigned)(pat[k - a] - '0'))
			return 0;
	return 1;
}

/* The number after the chunk's end is followed by a capitalised word. */
static int
town_after(const struct guard_scan *s, size_t end)
{
	size_t i = end;

	if (i < s->n && s->cp[i] == ',')
		i++;
	if (i >= s->n || !guard_is_space(s->cp[i]))
		return 0;
	i++;
	return i + 1 < s->n && (guard_is_upper(s->cp[i]) ||
	    guard_is_hebrew(s->cp[i])) && guard_is_letter(s->cp[i + 1]);
}

/* The start of the word after a postal code (town_after said yes). */
static size_t
skip_to_word(const struct guard_scan *s, size_t i)
{
	while (i < s->n && !guard_is_letter(s->cp[i]))
		i++;
	return i;
}

/* Two upper-case letters (a US state) then a space before position i. */
static int
state_before(const struct guard_scan *s, size_t i)
{
	return i >= 4 && s->cp[i - 1] == ' ' && guard_is_upper(s->cp[i - 2]) &&
	    guard_is_upper(s->cp[i - 3]) && s->cp[i - 3] < 0x80 &&
	    (s->cp[i - 4] == ' ' || s->cp[i - 4] == ',');
}

static int
is_numeric_date(const struct guard_scan *s, struct chunk *c,
    unsigned a, unsigned b, const unsigned char *d)
{
	unsigned l0 = c->g[a].len, l1, l2, y, m, dd;

	if (b - a == 3 && same_sep(c, a, b, "-./")) {
		l1 = c->g[a + 1].len;
		l2 = c->g[a + 2].len;
		if (l0 == 4 && l1 <= 2 && l2 <= 2) {
			y = num(d, 4);
			return y >= 1900 && y <= 2099 &&
			    valid_date(y, num(d + 4, l1), num(d + 4 + l1, l2));
		}
		if (l0 <= 2 && l1 <= 2 && (l2 == 2 || l2 == 4)) {
			y = num(d + l0 + l1, l2);
			if (l2 == 4 && (y < 1900 || y > 2099))
				return 0;
			if (l2 == 2)
				y = 2000 + y;
			dd = num(d, l0);
			m = num(d + l0, l1);
			return valid_date(y, m, dd) ||
			    (c->g[a + 1].sep == '/' && valid_date(y, dd, m));
		}
		return 0;
	}
	/* Day and month alone: only beside admission, discharge, birth. */
	if (b - a == 2 && same_sep(c, a, b, "./") && l0 <= 2 &&
	    c->g[a + 1].len <= 2 &&
	    (b == c->n || c->g[b].sep == ' ') &&
	    label(s, c, a, L_DATE)) {
		dd = num(d, l0);
		m = num(d + l0, c->g[a + 1].len);
		return valid_date(0, m, dd) || valid_date(0, dd, m);
	}
	return 0;
}

static int
is_phone(const struct chunk *c, unsigned a, unsigned b,
    const unsigned char *d, size_t nd)
{
	unsigned ng = b - a;

	if (a == 0 && c->plus)
		return nd >= 8 && nd <= 15;
	if (nd >= 10 && nd <= 15 && d[0] == 0 && d[1] == 0)
		return 1;
	if (d[0] == 0 && d[1] != 0 && nd >= 8 && nd <= 11 &&
	    (ng >= 2 || nd >= 9))
		return 1;
	if (lens(c, a, b, "334") && d[0] >= 2 &&
	    (same_sep(c, a, b, "-. ") || (a == 0 && c->paren)))
		return 1;
	if ((lens(c, a, b, "2222") || lens(c, a, b, "323") ||
	    lens(c, a, b, "44")) && same_sep(c, a, b, " ") && d[0] >= 2)
		return 1;
	return 0;
}

/* What groups [a, b) of c are, or -1. */
static int
classify(const struct guard_scan *s, struct chunk *c, unsigned a,
    unsigned b)
{
	unsigned char d[64];
	size_t nd = digits_of(s, c, a, b, d, sizeof(d));
	unsigned ng = b - a, sep = ng > 1 ? c->g[a + 1].sep : 0;
	size_t at = c->g[a].start;
	int n;

	if (nd > 20)
		return -1;
	/* Identity numbers. */
	if ((ng == 1 && (nd == 10 || nd == 12)) ||
	    (ng == 2 && (c->g[a].len == 6 || c->g[a].len == 8) &&
	    c->g[a + 1].len == 4 && (sep == '-' || sep == '+')))
		if (is_personnummer(d, nd))
			return GUARD_ID;
	if ((ng == 1 && nd == 11) || (lens(c, a, b, "65") && sep == ' '))
		if (is_fodselsnummer(d, nd))
			return GUARD_ID;
	if ((ng == 1 && nd == 10) || (lens(c, a, b, "64") && sep == '-'))
		if (is_cpr(d, nd, label(s, c, a, L_CPR)))
			return GUARD_ID;
	if ((ng == 1 && nd == 10) ||
	    (lens(c, a, b, "334") && same_sep(c, a, b, " -")))
		if (is_nhs(d, nd))
			return GUARD_ID;
	if ((ng == 1 && nd == 9) || (lens(c, a, b, "81") && sep == '-'))
		if (is_teudat_zehut(d, nd))
			return GUARD_ID;
	if (lens(c, a, b, "324") && same_sep(c, a, b, "- ") && is_ssn(d, nd))
		return GUARD_ID;
	if (nd >= 9 && nd <= 12 && ng <= 3 && label(s, c, a, L_ID))
		return GUARD_ID;
	/* Dates. */
	if (is_numeric_date(s, c, a, b, d))
		return GUARD_DATE;
	/* Postal codes with a town (before phones: "123 45 Stad"). */
	if (lens(c, a, b, "32") && sep == ' ' && town_after(s, c->g[b - 1].end))
		return GUARD_ADDRESS;
	if (ng == 1 && nd == 5 && (town_after(s, c->g[a].end) ||
	    state_before(s, at)))
		return GUARD_ADDRESS;
	if (ng == 1 && nd == 4 && at >= 2 && s->cp[at - 2] == ',' &&
	    town_after(s, c->g[a].end))
		return GUARD_ADDRESS;
	if (ng <= 2 && nd >= 4 && nd <= 7 &&
	    label(s, c, a, L_POSTAL))
		return GUARD_ADDRESS;
	/* Record numbers. */
	if (nd >= 4 && label(s, c, a, L_RECORD))
		return GUARD_RECORD;
	if (is_phone(c, a, b, d, nd))
		return GUARD_PHONE;
	/* Ages over 89. */
	if (ng == 1 && (nd == 2 || nd == 3) && (n = (int)num(d, nd)) >= 90 &&
	    n <= 130) {
		size_t j = c->g[a].end;
		unsigned k;

		if (j < s->n && (s->cp[j] == ' ' || s->cp[j] == '-'))
			j++;
		for (k = 0; age_after[k] != NULL; k++)
			if (guard_ci_eq(s, j, s->n, age_after[k]) > 0)
				return GUARD_AGE;
		if (label(s, c, a, L_AGE))
			return GUARD_AGE;
	}
	return -1;
}

static int
is_sep(uint32_t c)
{
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' ||
	    c == ')' || c == '+' || c == 0x2013 || c == 0xA0 || c == 0x2009;
}

/* Reads the digit groups from i on; returns the end of the run. */
static size_t
read_chunk(const struct guard_scan *s, size_t i, struct chunk *c)
{
	size_t j, k;
	uint32_t sep;

	memset(c, 0, sizeof(*c));
	c->label_at = UINT32_MAX;
	c->start = i;
	if (s->cp[i] == '+') {
		c->plus = 1;
		i++;
	} else if (s->cp[i] == '(') {
		c->paren = 1;
		i++;
	}
	sep = 0;
	while (c->n < MAX_GROUPS) {
		for (j = i; j < s->n && guard_is_digit(s->cp[j]); j++)
			;
		c->g[c->n].start = i;
		c->g[c->n].end = j;
		c->g[c->n].len = (unsigned)(j - i);
		c->g[c->n].sep = sep;
		c->n++;
		/* A separator: up to three characters, one kind of mark. */
		sep = 0;
		for (k = j; k < s->n && k < j + 3 && is_sep(s->cp[k]); k++) {
			uint32_t m = s->cp[k];

			if (m == 0xA0 || m == 0x2009)
				m = ' ';
			if (m == 0x2013)
				m = '-';
			if (m == ')')
				m = ' ';
			if (sep == 0 || sep == ' ')
				sep = m;
			else if (m != ' ')
				break;
		}
		if (k == j || k >= s->n || !guard_is_digit(s->cp[k]) ||
		    (sep == '.' && k - j > 1))
			return j;
		i = k;
	}
	return c->g[c->n - 1].end;
}

/* A Finnish HETU at i: DDMMYY, century sign, 3 digits, check character. */
static size_t
hetu_at(const struct guard_scan *s, size_t i)
{
	static const char chk[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
	unsigned long v = 0;
	size_t k;

	if (i + 11 > s->n)
		return 0;
	for (k = 0; k < 6; k++)
		if (!guard_is_digit(s->cp[i + k]))
			return 0;
	if (s->cp[i + 6] > 0x7f ||
	    strchr("+-ABCDEFUVWXY", (int)s->cp[i + 6]) == NULL ||
	    s->cp[i + 6] == 0)
		return 0;
	for (k = 7; k < 10; k++)
		if (!guard_is_digit(s->cp[i + k]))
			return 0;
	if (i + 11 < s->n && (guard_is_letter(s->cp[i + 11]) ||
	    guard_is_digit(s->cp[i + 11])))
		return 0;
	for (k = 0; k < 10; k++)
		if (k != 6)
			v = v * 10 + digit(s, i + k);
	/* v is DDMMYYNNN. */
	if (!valid_date(0, (unsigned)((v / 100000) % 100),
	    (unsigned)(v / 10000000)))
		return 0;
	return s->cp[i + 10] == (uint32_t)chk[v % 31] ? 11 : 0;
}

/* Letters and digits of a record number after a label ("J-2023-0041"). */
static size_t
record_token(const struct guard_scan *s, size_t i)
{
	size_t j = i, letters = 0, digits = 0;

	while (j < s->n && (guard_is_digit(s->cp[j]) ||
	    (s->cp[j] < 0x80 && guard_is_letter(s->cp[j])) ||
	    ((s->cp[j] == '-' || s->cp[j] == '/') && j + 1 < s->n &&
	    guard_is_digit(s->cp[j + 1])))) {
		if (guard_is_digit(s->cp[j]))
			digits++;
		else if (guard_is_letter(s->cp[j]))
			letters++;
		j++;
	}
	if (letters == 0 || letters > 4 || digits < 4)
		return 0;
	return j;
}

void
guard_scan_numbers(struct guard_scan *s)
{
	struct chunk c;
	size_t i, end, h;
	unsigned a, b;
	int cat;

	for (i = 0; i < s->n; i++) {
		uint32_t ch = s->cp[i], prev = i > 0 ? s->cp[i - 1] : ' ';
		int start = guard_is_digit(ch) ||
		    ((ch == '+' || ch == '(') && i + 1 < s->n &&
		    guard_is_digit(s->cp[i + 1]));

		if (guard_is_digit(prev) || (guard_is_letter(prev) &&
		    !guard_is_hebrew(prev)))
			start = 0;
		if (!start) {
			/* "MRN AB123456": letters first, a label before. */
			if (ch < 0x80 && guard_is_upper(ch) &&
			    !guard_is_letter(prev) && !guard_is_digit(prev) &&
			    (end = record_token(s, i)) > 0 &&
			    guard_context_before(s, i, 30, record_context, 1)) {
				guard_scan_add(s, GUARD_RECORD, i, end);
				i = end - 1;
			}
			continue;
		}
		if (guard_is_digit(ch) && (h = hetu_at(s, i)) > 0) {
			guard_scan_add(s, GUARD_ID, i, i + h);
			i += h - 1;
			continue;
		}
		end = read_chunk(s, i, &c);
		for (a = 0; a < c.n;) {
			cat = -1;
			for (b = c.n; b > a; b--)
				if (c.g[b - 1].len > 0 &&
				    (cat = classify(s, &c, a, b)) >= 0)
					break;
			if (cat >= 0) {
				size_t hend = c.g[b - 1].end;

				/* A postal code takes its town along. */
				if (cat == GUARD_ADDRESS &&
				    town_after(s, hend)) {
					hend = skip_to_word(s, hend);
					while (hend < s->n &&
					    guard_is_letter(s->cp[hend]))
						hend++;
				}
				guard_scan_add(s, (enum guard_cat)cat,
				    a == 0 ? c.start : c.g[a].start, hend);
				a = b;
			} else
				a++;
		}
		i = end > i ? end - 1 : i;
	}
}

static int
email_local(uint32_t c)
{
	return guard_is_digit(c) || (guard_is_letter(c) &&
	    !guard_is_hebrew(c)) || (c < 0x80 && strchr("._%+-", (int)c) &&
	    c != 0);
}

void
guard_scan_email(struct guard_scan *s)
{
	size_t i, a, b, lastdot, tld;

	for (i = 1; i + 1 < s->n; i++) {
		if (s->cp[i] != '@')
			continue;
		for (a = i; a > 0 && email_local(s->cp[a - 1]); a--)
			;
		while (a < i && s->cp[a] == '.')
			a++;
		if (a == i)
			continue;
		for (b = i + 1; b < s->n && (guard_is_digit(s->cp[b]) ||
		    (guard_is_letter(s->cp[b]) && !guard_is_hebrew(s->cp[b])) ||
		    s->cp[b] == '-' || s->cp[b] == '.'); b++)
			;
		/* A full stop after the address ends the sentence. */
		while (b > i + 1 && (s->cp[b - 1] == '.' || s->cp[b - 1] == '-'))
			b--;
		for (lastdot = b; lastdot > i + 1 && s->cp[lastdot - 1] != '.';
		    lastdot--)
			;
		if (lastdot <= i + 2)
			continue;
		lastdot--;
		tld = b - lastdot - 1;
		if (tld < 2)
			continue;
		guard_scan_add(s, GUARD_EMAIL, a, b);
		i = b;
	}
}
