/*
 * punch-seen.c — the SEEN reports of other members, one per member, and
 * the address they agree on (punch-seen.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "punch-seen.h"

/* 1 when a and b name the same address and ports. */
static int
same_report(const struct punch_seen *a, const struct punch_seen *b)
{
	return strcmp(a->host, b->host) == 0 && a->port == b->port &&
	    strcmp(a->local, b->local) == 0 && a->lport == b->lport;
}

enum punch_seen_put
punch_seen_put(struct punch_seen_tab *t, const struct punch_seen *s,
    uint64_t write_ms)
{
	struct punch_seen *k = NULL;
	size_t i;

	/*
	 * Reports dated over a day after this one were kept while the
	 * clock ran ahead: they would count only once it caught up, and
	 * as the newest never be the oldest to give way.  Dropped.
	 */
	for (i = 0; i < t->n;)
		if (t->r[i].at_ms > s->at_ms &&
		    t->r[i].at_ms - s->at_ms > PUNCH_SEEN_AHEAD_MS)
			t->r[i] = t->r[--t->n];
		else
			i++;
	for (i = 0; i < t->n && k == NULL; i++)
		if (memcmp(t->r[i].reporter, s->reporter, BAL_PK_BYTES) == 0)
			k = &t->r[i];
	if (k != NULL && same_report(k, s)) {
		/* Last heard is last heard, earlier or not (clock set
		 * back): a time written ahead is written again. */
		k->at_ms = s->at_ms;
		if (k->at_ms >= k->kept_ms && k->at_ms - k->kept_ms < write_ms)
			return PUNCH_SEEN_SAME;
		k->kept_ms = k->at_ms;
		return PUNCH_SEEN_RENEWED;
	}
	if (k == NULL && t->n < PUNCH_SEEN_REPORTERS)
		k = &t->r[t->n++];
	else if (k == NULL)
		for (k = &t->r[0], i = 1; i < t->n; i++)
			if (t->r[i].at_ms < k->at_ms)
				k = &t->r[i];
	*k = *s;
	k->kept_ms = k->at_ms;
	return PUNCH_SEEN_CHANGED;
}

/* 1 when a report counts at now_ms. */
static int
counts(const struct punch_seen *s, uint64_t now_ms, uint64_t max_ms,
    const struct punch_seen_ok *ok)
{
	return s->host[0] != '\0' && s->at_ms <= now_ms &&
	    now_ms - s->at_ms <= max_ms && ok->local(s->local) &&
	    ok->reporter(s->reporter, ok->arg);
}

/* 1 when a and b name the same thing: the address, ports kept or not. */
static int
agree(const struct punch_seen *a, const struct punch_seen *b)
{
	return strcmp(a->host, b->host) == 0 &&
	    (a->port == a->lport) == (b->port == b->lport);
}

const struct punch_seen *
punch_seen_pick(const struct punch_seen_tab *t, uint64_t now_ms,
    uint64_t max_ms, const struct punch_seen_ok *check, size_t *votes)
{
	const struct punch_seen *best = NULL, *newest;
	size_t i, j, n, best_n = 0;
	int ok[PUNCH_SEEN_REPORTERS];

	for (i = 0; i < t->n; i++)
		ok[i] = counts(&t->r[i], now_ms, max_ms, check);
	for (i = 0; i < t->n; i++) {
		if (!ok[i])
			continue;
		/* Those that agree with report i, and the newest of them. */
		for (n = 0, newest = &t->r[i], j = 0; j < t->n; j++)
			if (ok[j] && agree(&t->r[i], &t->r[j])) {
				n++;
				if (t->r[j].at_ms > newest->at_ms)
					newest = &t->r[j];
			}
		if (n > best_n || (n == best_n && newest->at_ms >
		    best->at_ms)) {
			best = newest;
			best_n = n;
		}
	}
	*votes = best_n;
	return best;
}

int
punch_seen_format(const struct punch_seen_tab *t, char *out, size_t len)
{
	char hex[BAL_PK_BYTES * 2 + 1];
	size_t i, at = 0;
	int n;

	if (len == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < t->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), t->r[i].reporter,
		    BAL_PK_BYTES);
		n = snprintf(out + at, len - at, "%s %s %u %s %u %llu\n", hex,
		    t->r[i].host, (unsigned)t->r[i].port, t->r[i].local,
		    (unsigned)t->r[i].lport,
		    (unsigned long long)t->r[i].at_ms);
		if (n < 0 || (size_t)n >= len - at)
			return -1;
		at += (size_t)n;
	}
	return (int)at;
}

/* A decimal field of at most max into *v: digits only, no sign, no
 * wrap (sscanf's %u would take "4294967297" as 1).  0/-1. */
static int
field_num(const char *f, uint64_t max, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (f == NULL || *f < '0' || *f > '9')
		return -1;
	errno = 0;
	n = strtoull(f, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*v = n;
	return 0;
}

/* A text field of 1..len-1 characters into out.  0/-1. */
static int
field_text(const char *f, char *out, size_t len)
{
	if (f == NULL || *f == '\0' || strlen(f) >= len)
		return -1;
	memcpy(out, f, strlen(f) + 1);
	return 0;
}

/* One line REPORTER_HEX HOST PORT LOCAL LPORT UNIX_MS into s: 0/-1. */
static int
parse_line(char *line, struct punch_seen *s)
{
	char *f[7], *save = NULL;
	uint64_t port, lport;
	size_t i;

	memset(s, 0, sizeof(*s));
	f[0] = strtok_r(line, " ", &save);
	for (i = 1; i < 7; i++)
		f[i] = strtok_r(NULL, " ", &save);
	if (f[0] == NULL || f[6] != NULL ||
	    strlen(f[0]) != BAL_PK_BYTES * 2 ||
	    sodium_hex2bin(s->reporter, BAL_PK_BYTES, f[0], strlen(f[0]),
	    NULL, NULL, NULL) != 0 ||
	    field_text(f[1], s->host, sizeof(s->host)) != 0 ||
	    field_num(f[2], 65535, &port) != 0 || port < 1 ||
	    field_text(f[3], s->local, sizeof(s->local)) != 0 ||
	    field_num(f[4], 65535, &lport) != 0 || lport < 1 ||
	    field_num(f[5], UINT64_MAX, &s->at_ms) != 0)
		return -1;
	s->port = (uint16_t)port;
	s->lport = (uint16_t)lport;
	return 0;
}

size_t
punch_seen_parse(struct punch_seen_tab *t, const char *text, size_t len,
    int (*host_ok)(const char *), uint64_t now_ms)
{
	char line[160];
	struct punch_seen s;
	const char *p = text, *end = text + len, *nl;
	size_t n;

	memset(t, 0, sizeof(*t));
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		/* Dated over a day ahead: written while the clock ran
		 * ahead (punch_seen_put). */
		if (parse_line(line, &s) != 0 || !host_ok(s.host) ||
		    (s.at_ms > now_ms && s.at_ms - now_ms >
		    PUNCH_SEEN_AHEAD_MS))
			continue;
		(void)punch_seen_put(t, &s, 0);
	}
	return t->n;
}
