/*
 * status-words.c — a group's state in plain words for balint status, for
 * clinicians rather than engineers: "3 members, 12 notes; up to date with
 * Anna and Ben; Clara last seen 2 days ago", and an amendment of the
 * contract that waits for this member's acceptance.  Built from the
 * status records (the group's, and its peers', one per address: a member
 * counts once, at the best of their addresses).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define WORDS_MAX 32	/* members named in the line */

struct who {
	const char *id, *name;
	int up, level;
	uint64_t seen;		/* last reached, Unix ms */
};

/* "2 days ago": how long since ms, in the largest whole unit. */
static void
ago(uint64_t ms, char *buf, size_t len)
{
	uint64_t now = (uint64_t)time(NULL) * 1000, s;

	s = now > ms ? (now - ms) / 1000 : 0;
	if (s < 120)
		snprintf(buf, len, "%s", _("just now"));
	else if (s < 7200)
		snprintf(buf, len, ngettext("%llu minute ago",
		    "%llu minutes ago", s / 60), (unsigned long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, len, ngettext("%llu hour ago", "%llu hours ago",
		    s / 3600), (unsigned long long)(s / 3600));
	else
		snprintf(buf, len, ngettext("%llu day ago", "%llu days ago",
		    s / 86400), (unsigned long long)(s / 86400));
}

/* Prints names "A", "A and B", "A, B and C". */
static void
names(const struct who *w, size_t n, int (*pick)(const struct who *))
{
	size_t i, k = 0, total = 0;

	for (i = 0; i < n; i++)
		total += pick(&w[i]) != 0;
	for (i = 0; i < n; i++) {
		if (!pick(&w[i]))
			continue;
		if (k > 0)
			fputs(k + 1 == total ? _(" and ") : ", ", stdout);
		output_safe(stdout, w[i].name, 0);
		k++;
	}
}

static int is_level(const struct who *w) { return w->up && w->level; }
static int is_syncing(const struct who *w) { return w->up && !w->level; }

void
status_words(const struct ctl_resp *resp, size_t grec)
{
	struct who w[WORDS_MAX];
	const char *gid, *id, *s;
	char when[64];
	uint64_t members = 0, notes = 0, seen, u;
	size_t r, i, n = 0, nlevel = 0, nsync = 0;
	int level, up;

	if (ctl_resp_get_str(resp, grec, "group", &gid, NULL) != 0)
		return;
	(void)ctl_resp_get_uint(resp, grec, "members", &members);
	printf("    ");
	printf(ngettext("%llu member", "%llu members", members),
	    (unsigned long long)members);
	if (ctl_resp_get_uint(resp, grec, "notes", &notes) == 0) {
		fputs(", ", stdout);
		printf(ngettext("%llu note", "%llu notes", notes),
		    (unsigned long long)notes);
	}
	for (r = 0; r < ctl_resp_nrecords(resp); r++) {
		if (ctl_resp_get_str(resp, r, "kind", &s, NULL) != 0 ||
		    strcmp(s, "peer") != 0 ||
		    ctl_resp_get_str(resp, r, "group", &s, NULL) != 0 ||
		    strcmp(s, gid) != 0 ||
		    ctl_resp_get_str(resp, r, "member", &id, NULL) != 0 ||
		    *id == '\0')
			continue;
		level = 0;
		seen = 0;
		up = ctl_resp_get_str(resp, r, "state", &s, NULL) == 0 &&
		    strcmp(s, "up") == 0;
		(void)ctl_resp_get_bool(resp, r, "level", &level);
		(void)ctl_resp_get_uint(resp, r, "last_reached", &seen);
		for (i = 0; i < n && strcmp(w[i].id, id) != 0; i++)
			;
		if (i == n) {
			if (n == WORDS_MAX)
				continue;
			memset(&w[n], 0, sizeof(w[n]));
			w[n].id = id;
			if (ctl_resp_get_str(resp, r, "name", &s, NULL) != 0 ||
			    *s == '\0')
				s = id;
			w[n++].name = s;
		}
		/* The best of the member's addresses. */
		if (up && (!w[i].up || level)) {
			w[i].up = 1;
			w[i].level = level;
		}
		if (seen > w[i].seen)
			w[i].seen = seen;
	}
	for (i = 0; i < n; i++) {
		nlevel += is_level(&w[i]);
		nsync += is_syncing(&w[i]);
	}
	if (nlevel > 0) {
		fputs(_("; up to date with "), stdout);
		names(w, n, is_level);
	}
	if (nsync > 0) {
		fputs(_("; catching up with "), stdout);
		names(w, n, is_syncing);
	}
	for (i = 0; i < n; i++) {
		if (w[i].up)
			continue;
		fputs("; ", stdout);
		output_safe(stdout, w[i].name, 0);
		if (w[i].seen == 0)
			fputs(_(" not reached yet"), stdout);
		else {
			ago(w[i].seen, when, sizeof(when));
			printf(_(" last seen %s"), when);
		}
	}
	fputc('\n', stdout);
	if (ctl_resp_get_uint(resp, grec, "amend_waiting", &u) == 0 && u > 0)
		printf(_("    the contract was amended (version %llu) and waits "
		    "for your acceptance: balint contract show, then balint "
		    "contract accept\n"), (unsigned long long)u);
}
