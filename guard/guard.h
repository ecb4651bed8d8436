/*
 * guard.h — the de-identification guard: finds details in a note's text
 * that may identify a patient (identity numbers, phones, e-mail, addresses,
 * record numbers, identifying dates, ages over 89, names of people).
 *
 * The module does no I/O but loading its data once, in guard_new: the
 * name and allow lists under a data directory (data/guard/, see
 * data/guard/SOURCES.md) and Debian's Hunspell dictionaries (sv_SE,
 * en_US).  guard_check is then pure: text in, hits out.  A struct guard is
 * used by one thread at a time (it keeps a cache of dictionary answers).
 *
 * What it cannot see: anything that identifies by meaning rather than by
 * form (a rare occupation in a small village, a well-known event), names
 * that are also ordinary words at the start of a sentence, Hebrew names
 * missing from its lists.  docs/member-guide.md says so to members.
 */
#ifndef BAL_GUARD_H
#define BAL_GUARD_H

#include <stddef.h>
#include <stdint.h>

enum guard_cat {
	GUARD_ID = 0,		/* national identity number (checked) */
	GUARD_PHONE,		/* telephone number */
	GUARD_EMAIL,		/* e-mail address */
	GUARD_ADDRESS,		/* street address, postal code with a town */
	GUARD_RECORD,		/* hospital record / journal number */
	GUARD_DATE,		/* full date, or admission/discharge/birth day */
	GUARD_AGE,		/* an age over 89 */
	GUARD_NAME,		/* a person's name */
	GUARD_NCATS
};

struct guard_hit {
	enum guard_cat cat;
	size_t start, end;	/* Unicode code points of the text, [start, end) */
	size_t bstart, bend;	/* the same span in bytes */
	unsigned line, col;	/* 1-based; col counts code points */
};

struct guard;
struct guard_allow;

/*
 * guard_new loads the lists under datadir (NULL: the built-in default,
 * or $BALINT_GUARD_DATA) and the Hunspell dictionaries under dictdir
 * (NULL: /usr/share/hunspell).  A missing dictionary or list is not an
 * error: that detector then does less, and guard_warning says which.
 * Returns NULL only when out of memory.
 */
struct guard *guard_new(const char *datadir, const char *dictdir);
/* guard_free releases g; NULL is a no-op. */
void guard_free(struct guard *g);
/* guard_warning is "" or one line naming data that could not be loaded. */
const char *guard_warning(const struct guard *g);

/*
 * A per-check allow list: words (names the group uses every day, the
 * members' own names, a group's own list) that are never reported as
 * names.  Matching ignores case, Unicode normalisation (NFC/NFD) and
 * Hebrew points.
 */
struct guard_allow *guard_allow_new(void);
void guard_allow_free(struct guard_allow *a);
/* guard_allow_add adds every word of s (split at spaces and punctuation). */
int guard_allow_add(struct guard_allow *a, const char *s, size_t len);

/*
 * guard_check scans len bytes of UTF-8 text (invalid bytes count as one
 * code point each and match nothing).  *hits is malloc'd (free() it), in
 * text order, without overlaps; *n may be 0.  allow may be NULL.
 * 0 or BAL_ENOMEM (-4).
 */
int guard_check(struct guard *g, const char *text, size_t len,
    const struct guard_allow *allow, struct guard_hit **hits, size_t *n);

/* guard_cat_name is "id", "phone", "email", "address", "record", "date",
 * "age" or "name"; guard_cat_from_name the reverse (-1 if unknown). */
const char *guard_cat_name(enum guard_cat c);
int guard_cat_from_name(const char *s, size_t len);
/* guard_cat_label is the category in words, for people ("identity number"). */
const char *guard_cat_label(enum guard_cat c);

#endif
