/*
 * guard-score.h — scores the de-identification guard on the annotated
 * corpus in tests/guard/ (test-guard.c, bench/guardbench.c).
 *
 * Corpus files: tests/guard/<lang>.txt, lang sv, he, en.  Notes are
 * separated by lines starting with "=== "; an identifier is marked
 * [[category:text]] (categories as guard_cat_name).  A marked span is
 * found when a hit overlaps it; a hit is right when it overlaps a marked
 * span (of any category).
 */
#ifndef BAL_GUARD_SCORE_H
#define BAL_GUARD_SCORE_H

#include <stdio.h>

#include "guard.h"

#define SCORE_LANGS 3

struct score_cell {
	unsigned gold, found;	/* marked spans, of them found */
	unsigned hits, right;	/* hits, of them overlapping a mark */
};

struct score {
	struct score_cell c[SCORE_LANGS][GUARD_NCATS];
	unsigned notes[SCORE_LANGS];
};

extern const char *const score_lang[SCORE_LANGS];

/*
 * score_corpus checks every note of dir/<lang>.txt; verbose prints each
 * miss and each wrong hit on stderr.  0, or -1 when a file is missing
 * or malformed.
 */
int score_corpus(struct guard *g, const char *dir, int verbose,
    struct score *out);
/* score_print writes the figures, one key=value a line. */
void score_print(const struct score *s, FILE *f);
/*
 * score_goals is 0 when recall >= 0.98 for numbers, e-mail, phones and
 * dates, >= 0.85 for names, and precision >= 0.90 overall; else -1 and
 * why gets the first goal missed.
 */
int score_goals(const struct score *s, char *why, size_t len);
/* score_sample is size bytes of the corpus' text (marks removed). */
int score_sample(const char *dir, size_t size, char **out, size_t *len);

#endif
