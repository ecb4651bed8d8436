/*
 * guard-int.h — what the guard's files share: the decoded text, the hit
 * list being built, the word sets and the detectors' entry points.
 */
#ifndef BAL_GUARD_INT_H
#define BAL_GUARD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "guard.h"

/* A set of normalised words (guard_key): open addressing, grows. */
struct guard_set;

struct guard_set *guard_set_new(void);
void guard_set_free(struct guard_set *s);
/* guard_set_add adds key (copied); 0 or BAL_ENOMEM. */
int guard_set_add(struct guard_set *s, const char *key, size_t len);
/* guard_set_has is 1 when key is in s (s may be NULL). */
int guard_set_has(const struct guard_set *s, const char *key, size_t len);
/* guard_set_load adds each line of a file ('#' comments); BAL_EIO. */
int guard_set_load(struct guard_set *s, const char *path);

/*
 * guard_key writes the lookup form of the code points cp[0..n): NFC,
 * lower case, Hebrew points and cantillation dropped, geresh and
 * gershayim as ' and ".  Returns its length in bytes (0: does not fit
 * in cap, or empty).
 */
size_t guard_key(const uint32_t *cp, size_t n, char *out, size_t cap);

/* Answers of the dictionaries, cached by the hash of the word's key. */
#define GUARD_CACHE_SLOTS 8192

struct guard {
	struct guard_set *given;	/* given names, Latin script */
	struct guard_set *surname;	/* surnames, Latin script */
	struct guard_set *he_names;	/* Hebrew names, never words */
	struct guard_set *he_ambig;	/* Hebrew names that are also words */
	struct guard_set *allow;	/* words never reported as names */
	void *dict[2];			/* Hunhandle: sv_SE, en_US */
	struct {
		uint64_t h;		/* 0: empty */
		uint8_t known;		/* bit 0: sv, bit 1: en */
	} cache[GUARD_CACHE_SLOTS];
	char warn[256];
};

/*
 * guard_dict_known says which dictionaries know the word (key form,
 * lower case, UTF-8): bit 0 Swedish, bit 1 English.
 */
unsigned guard_dict_known(struct guard *g, const char *key, size_t len);

/* guard_allow_has is 1 when key is on a's list (a may be NULL). */
int guard_allow_has(const struct guard_allow *a, const char *key,
    size_t len);

/* The text being checked and the hits found so far. */
struct guard_scan {
	const uint32_t *cp;	/* code points */
	size_t n;
	struct guard_hit *hits;
	size_t nhits, cap;
	int oom;
};

/* guard_scan_add records a hit on [start, end) (sets s->oom on failure). */
void guard_scan_add(struct guard_scan *s, enum guard_cat cat, size_t start,
    size_t end);

/* Character classes over code points. */
int guard_is_digit(uint32_t c);
int guard_is_letter(uint32_t c);	/* letters of any script */
int guard_is_mark(uint32_t c);		/* combining marks (NFD, niqqud) */
int guard_is_hebrew(uint32_t c);	/* Hebrew letters */
int guard_is_upper(uint32_t c);
int guard_is_space(uint32_t c);		/* spaces but not line breaks */
/*
 * guard_ci_eq is the length in code points of the UTF-8 word w (lower
 * case) when cp[i..end) starts with it, ASCII letters in any case; else 0.
 */
size_t guard_ci_eq(const struct guard_scan *s, size_t i, size_t end,
    const char *w);
/*
 * guard_context_before is 1 when one of the words (a NULL-ended list)
 * occurs, case-insensitively, at the start of a word within the `window`
 * code points before position i on the same line (with no digit between
 * it and i when `nearest`: the label belongs to this number).
 */
int guard_context_before(const struct guard_scan *s, size_t i,
    size_t window, const char *const *words, int nearest);

/* The detectors (guard-num.c, guard-text.c, guard-names.c). */
void guard_scan_numbers(struct guard_scan *s);
void guard_scan_email(struct guard_scan *s);
void guard_scan_words(struct guard_scan *s);	/* textual dates, streets */

struct guard;
void guard_scan_names(struct guard *g, struct guard_scan *s,
    const struct guard_allow *allow);

/* Context word lists shared by the detectors. */
extern const char *const guard_date_context[];

#endif
