/*
 * punch-seen.c — the SEEN reports of other members, one per member, and
 * the address they agree on (punch-seen.h).
 */
#include <stdio.h>
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

	for (i = 0; i < t->n && k == NULL; i++)
		if (memcmp(t->r[i].reporter, s->reporter, BAL_PK_BYTES) == 0)
			k = &t->r[i];
	if (k != NULL && same_report(k, s)) {
		if (s->at_ms > k->at_ms)
			k->at_ms = s->at_ms;
		if (k->at_ms - k->kept_ms < write_ms)
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
    int (*local_ok)(const char *))
{
	return s->host[0] != '\0' && s->at_ms <= now_ms &&
	    now_ms - s->at_ms <= max_ms && local_ok(s->local);
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
    uint64_t max_ms, int (*local_ok)(const char *), size_t *votes)
{
	const struct punch_seen *best = NULL, *newest;
	size_t i, j, n, best_n = 0;
	int ok[PUNCH_SEEN_REPORTERS];

	for (i = 0; i < t->n; i++)
		ok[i] = counts(&t->r[i], now_ms, max_ms, local_ok);
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

size_t
punch_seen_parse(struct punch_seen_tab *t, const char *text, size_t len,
    int (*host_ok)(const char *))
{
	char line[160], hex[BAL_PK_BYTES * 2 + 2];
	struct punch_seen s;
	const char *p = text, *end = text + len, *nl;
	unsigned port, lport;
	unsigned long long at;
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
		memset(&s, 0, sizeof(s));
		if (sscanf(line, "%65s %15s %u %15s %u %llu", hex, s.host,
		    &port, s.local, &lport, &at) != 6 ||
		    strlen(hex) != BAL_PK_BYTES * 2 ||
		    sodium_hex2bin(s.reporter, BAL_PK_BYTES, hex, strlen(hex),
		    NULL, NULL, NULL) != 0 || !host_ok(s.host) ||
		    port < 1 || port > 65535 || lport < 1 || lport > 65535)
			continue;
		s.port = (uint16_t)port;
		s.lport = (uint16_t)lport;
		s.at_ms = at;
		(void)punch_seen_put(t, &s, 0);
	}
	return t->n;
}
