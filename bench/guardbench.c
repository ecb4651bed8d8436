/*
 * guardbench.c — the de-identification guard's figures for `make bench`
 * (bench/run.sh): the time to check a 64 KiB note, and recall and
 * precision per category and language on the hand-annotated corpus in
 * tests/guard/ (tests/unit/guard-score.c does the scoring, shared with the
 * unit test).
 *
 *   guardbench [-n ROUNDS] [-c CORPUS_DIR] [-v]   figures as key=value
 *   guardbench -m TEXT                            the hits in TEXT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "guard-score.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
show(struct guard *g, const char *text)
{
	struct guard_hit *hits;
	size_t n, i;

	if (guard_check(g, text, strlen(text), NULL, &hits, &n) != 0)
		return 2;
	for (i = 0; i < n; i++)
		printf("%u:%u %s '%.*s'\n", hits[i].line, hits[i].col,
		    guard_cat_name(hits[i].cat),
		    (int)(hits[i].bend - hits[i].bstart), text + hits[i].bstart);
	free(hits);
	return n > 0;
}

int
main(int argc, char **argv)
{
	const char *dir = "tests/guard", *text = NULL;
	struct score sc;
	struct guard *g;
	char *big = NULL;
	size_t len = 0, n, best_n = 0;
	double t0, t, best = 1e9;
	int rounds = 50, verbose = 0, c, r, ret = 1;
	struct guard_hit *hits;

	while ((c = getopt(argc, argv, "n:c:m:v")) != -1) {
		switch (c) {
		case 'n': rounds = atoi(optarg); break;
		case 'c': dir = optarg; break;
		case 'm': text = optarg; break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: guardbench [-n ROUNDS] "
			    "[-c DIR] [-v] | -m TEXT\n");
			return 2;
		}
	}
	t0 = now_ms();
	if ((g = guard_new(NULL, NULL)) == NULL)
		return 1;
	printf("guard_load_ms=%.1f\n", now_ms() - t0);
	if (*guard_warning(g) != '\0')
		fprintf(stderr, "guardbench: %s\n", guard_warning(g));
	if (text != NULL) {
		ret = show(g, text);
		guard_free(g);
		return ret;
	}
	if (score_corpus(g, dir, verbose, &sc) != 0) {
		fprintf(stderr, "guardbench: cannot read the corpus in %s\n",
		    dir);
		goto out;
	}
	score_print(&sc, stdout);
	/* 64 KiB of the corpus' own text, repeated. */
	if (score_sample(dir, 64 * 1024, &big, &len) != 0)
		goto out;
	for (r = 0; r < rounds; r++) {
		t0 = now_ms();
		if (guard_check(g, big, len, NULL, &hits, &n) != 0)
			goto out;
		t = now_ms() - t0;
		free(hits);
		if (t < best) {
			best = t;
			best_n = n;
		}
	}
	printf("guard_64k_ms=%.2f\nguard_64k_hits=%zu\n", best, best_n);
	ret = 0;
out:
	free(big);
	guard_free(g);
	return ret;
}
