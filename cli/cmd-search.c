/*
 * cmd-search.c — balint note search WORDS: balintd decrypts the group's
 * notes in memory and ranks those holding every word (handlers-search.c);
 * this prints each with the line that matched.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "note.h"

static const char usage[] = N_(
    "usage: balint [--json] note search [-g GROUP] WORDS... [--kind K]\n"
    "                       [--case REF] [--author MEMBER] [--since DATE]\n"
    "  Finds the notes whose title, text or case reference holds every\n"
    "  word, best first (a word in the title counts most, then the case,\n"
    "  then each time it stands in the text), and shows the line of the\n"
    "  text that matched.  Letter case and accents do not matter: 'lakare'\n"
    "  finds 'Läkare', Hebrew with or without niqqud finds both.  The\n"
    "  notes are decrypted in balintd's memory for the search; no index is\n"
    "  kept on disk.\n"
    "  --kind K        session, followup, case or other\n"
    "  --case REF      notes of this case only (letter case ignored)\n"
    "  --author MEMBER notes written by MEMBER (a name or member id)\n"
    "  --since DATE    changed since DATE (YYYY-MM-DD, or an age: 7d)\n");

/* Prints the hits as "NOTE KIND CASE AUTHOR CHANGED TITLE" + the line. */
static void
print_hits(const struct ctl_resp *resp)
{
	static const struct output_col cols[] = {
		{ "note", NULL, OUT_STR },
		{ "kind", NULL, OUT_STR },
		{ "case", NULL, OUT_STR },
		{ "author", NULL, OUT_STR },
		{ "updated", NULL, OUT_TIME },
		{ "title", NULL, OUT_STR },
	};
	char buf[64];
	const char *s;
	uint64_t line;
	size_t i, j;

	for (i = 0; i < ctl_resp_nrecords(resp); i++) {
		for (j = 0; j < sizeof(cols) / sizeof(cols[0]); j++) {
			s = output_field(resp, i, cols[j].key, cols[j].fmt,
			    buf, sizeof(buf));
			if (j == 0) {
				/* The id's first 8 digits name it. */
				printf("%.8s", s);
				continue;
			}
			if (*s == '\0')
				continue;
			fputs("  ", stdout);
			output_safe(stdout, s, 0);
		}
		fputc('\n', stdout);
		if (ctl_resp_get_str(resp, i, "match", &s, NULL) == 0 &&
		    ctl_resp_get_uint(resp, i, "line", &line) == 0) {
			printf("    %4llu: ", (unsigned long long)line);
			output_safe(stdout, s, 0);
			fputc('\n', stdout);
		}
	}
}

int
cmd_search(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *kind = NULL, *cref = NULL;
	const char *author = NULL, *since = NULL;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--kind", 'k', &kind, NULL },
		{ "--case", 'c', &cref, NULL },
		{ "--author", 'a', &author, NULL },
		{ "--since", 0, &since, NULL },
		{ NULL, 0, NULL, NULL }
	};
	struct ctl_resp *resp = NULL;
	struct ctl_req *req = NULL;
	char *pos[16], query[1024];
	size_t qlen = 0, l;
	uint64_t ms = 0;
	int npos, rc, i;

	if ((rc = util_getopt(c, "note search", usage, argc, argv, 2, opts,
	    pos, 16, &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if (npos == 0) {
		util_err(_("note search needs the words to look for (see: "
		    "balint note search --help)"));
		return CLI_USAGE;
	}
	if (kind != NULL && note_kind_from_string(kind) < 0) {
		util_err(_("unknown note kind '%s' (use session, followup, case "
		    "or other)"), kind);
		return CLI_USAGE;
	}
	if (since != NULL && util_since_ms(since, &ms) != 0) {
		util_err(_("bad --since '%s' (use YYYY-MM-DD or an age such as "
		    "7d)"), since);
		return CLI_USAGE;
	}
	for (i = 0; i < npos; i++) {
		l = strlen(pos[i]);
		if (qlen + l + 2 > sizeof(query)) {
			util_err(_("too many words to search for"));
			return CLI_USAGE;
		}
		if (qlen > 0)
			query[qlen++] = ' ';
		memcpy(query + qlen, pos[i], l);
		qlen += l;
	}
	query[qlen] = '\0';
	if ((req = client_req("note.search", group)) == NULL ||
	    ctl_req_add_str(req, "query", query) != 0 ||
	    (kind != NULL && ctl_req_add_str(req, "kind", kind) != 0) ||
	    (cref != NULL && ctl_req_add_str(req, "case", cref) != 0) ||
	    (author != NULL && ctl_req_add_str(req, "author", author) != 0) ||
	    (ms > 0 && ctl_req_add_uint(req, "since", ms) != 0)) {
		ctl_req_free(req);
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json)
		rc = output_json(resp);
	else if (ctl_resp_nrecords(resp) == 0) {
		fprintf(stderr, _("balint: no note holds '%s'\n"), query);
		rc = CLI_FAILED;
	} else
		print_hits(resp);
	ctl_resp_free(resp);
	return rc;
}
