/*
 * cmd-check.c — balint check: runs the de-identification guard of
 * balintd (the same check as note write and edit) on a text without
 * writing anything, and keeps the group's allow list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"
#include "mp.h"
#include "note.h"

static const char usage[] = N_(
    "usage: balint [--json] check [-g GROUP] [-m TEXT | -F FILE]\n"
    "       balint check [-g GROUP] --allow WORD | --disallow WORD\n"
    "       balint [--json] check [-g GROUP] --allowed\n"
    "  Looks for details that may identify a patient, as balintd does\n"
    "  before a note is written, and writes nothing.  Exit 0: nothing\n"
    "  found; 1: found (each is printed with a line of context).\n"
    "  -m TEXT          the text itself\n"
    "  -F FILE          read the text from FILE (- for stdin)\n"
    "  --json           per finding: category, start and end (Unicode\n"
    "                   code points of the text), text, line, col\n"
    "  --allow WORD     never report WORD as a name in this group (a\n"
    "                   colleague, a place, a theorist); your own list,\n"
    "                   kept on this computer, not shared\n"
    "  --disallow WORD  take WORD off that list again\n"
    "  --allowed        the list\n"
    "What it looks for: identity numbers by their check digits (Swedish\n"
    "personnummer and samordningsnummer, Norwegian fødselsnummer, Danish\n"
    "CPR, Finnish HETU, Israeli teudat zehut, US SSN, UK NHS), phone\n"
    "numbers, e-mail addresses, street addresses and postal codes with a\n"
    "town, record and journal numbers, full dates and admission, discharge\n"
    "and birth dates, ages over 89, and names (in Swedish and English:\n"
    "capitalised words the dictionaries do not know, listed names, a name\n"
    "after a title; in Hebrew: names on its lists).  Names on the group's\n"
    "roster, Balint, Freud, Winnicott and the like are not reported.\n"
    "What it cannot see: anything that identifies by what it says rather\n"
    "than how it looks.  A rare occupation in a small village, a well-known\n"
    "event, an unusual diagnosis, a family story, a nickname that is also\n"
    "a word, a Hebrew name missing from its lists: no program finds these.\n"
    "Reading your note as a stranger from the patient's town would is\n"
    "still your part (docs/member-guide.md).\n");

/* The hit records of resp, with the fields --json promises. */
static int
print_json(const struct ctl_resp *resp)
{
	static const char *const keys[] = {
		"category", "start", "end", "text", "line", "col", NULL
	};
	struct ctl_resp *out = NULL;
	const struct ctl_value *v;
	const char *kind;
	size_t i, k;
	int rc = CLI_FAILED;

	if (ctl_resp_new(0, CTL_OK, NULL, &out) != 0)
		goto out;
	for (i = 0; i < ctl_resp_nrecords(resp); i++) {
		if (ctl_resp_get_str(resp, i, "kind", &kind, NULL) != 0 ||
		    strcmp(kind, "hit") != 0)
			continue;
		if (ctl_resp_record_begin(out) != 0)
			goto out;
		for (k = 0; keys[k] != NULL; k++)
			if ((v = ctl_resp_get(resp, i, keys[k])) != NULL &&
			    ctl_resp_add(out, keys[k], v) != 0)
				goto out;
	}
	rc = output_json(out);
out:
	if (rc == CLI_FAILED && out == NULL)
		util_err(_("out of memory"));
	ctl_resp_free(out);
	return rc;
}

static int
check_text(struct cli *c, const char *group, const char *msg,
    const char *file)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req = NULL;
	struct hits_field f;
	char *text = NULL;
	size_t len = 0, n;
	int rc;

	if ((msg == NULL) == (file == NULL)) {
		util_err(_("give the text to check with -m TEXT or -F FILE "
		    "(see: balint check --help)"));
		return CLI_USAGE;
	}
	if (msg != NULL) {
		len = strlen(msg);
		if ((text = sodium_malloc(len + 1)) == NULL) {
			util_err(_("out of memory"));
			return CLI_FAILED;
		}
		memcpy(text, msg, len + 1);
	} else if ((rc = util_read_file(file, NOTE_MAX_BODY, "text file",
	    &text, &len)) != CLI_OK)
		return rc;
	rc = CLI_FAILED;
	if (!mp_utf8_valid(text, len)) {
		util_err(_("the text is not UTF-8 text"));
		goto out;
	}
	if ((req = client_req("guard.check", group)) == NULL ||
	    ctl_req_add_strn(req, "text", text, len) != 0) {
		util_err(_("out of memory"));
		goto out;
	}
	if ((rc = client_call(c, req, 0, &resp)) != CLI_OK)
		goto out;
	n = hits_count(resp);
	if (c->json)
		rc = print_json(resp);
	else if (n == 0)
		printf(_("no identifying details found\n"));
	else {
		printf(_("%zu possible identifying detail(s):\n"), n);
		f = (struct hits_field){ "text", text, len };
		hits_print(stdout, resp, &f, 1);
	}
	if (rc == CLI_OK && n > 0)
		rc = CLI_FAILED;
out:
	ctl_resp_free(resp);
	ctl_req_free(req);
	if (text != NULL)
		util_buf_free(text, len);
	return rc;
}

static int
allow_word(struct cli *c, const char *group, const char *word, int remove)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	const char *gname = "";
	int rc, changed = 0;

	if ((req = client_req("guard.allow", group)) == NULL ||
	    ctl_req_add_str(req, "word", word) != 0 ||
	    (remove && ctl_req_add_bool(req, "remove", 1) != 0)) {
		ctl_req_free(req);
		util_err(_("'%s' is not one word of text"), word);
		return CLI_USAGE;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	(void)ctl_resp_get_bool(resp, 0, "changed", &changed);
	(void)ctl_resp_get_str(resp, 0, "group", &gname, NULL);
	printf(remove ? (changed ? "'%s' is no longer allowed in %s\n" :
	    "'%s' was not on the allow list of %s\n") :
	    (changed ? "'%s' is allowed in %s\n" :
	    "'%s' was already allowed in %s\n"), word, gname);
	ctl_resp_free(resp);
	return CLI_OK;
}

static int
allowed(struct cli *c, const char *group)
{
	static const struct output_col cols[] = {
		{ "word", N_("ALLOWED"), OUT_STR },
	};
	struct ctl_resp *resp = NULL;
	int rc;

	rc = client_ask(c, "guard.allowed", group, &resp);
	if (rc != CLI_OK)
		return rc;
	rc = output_list(c, resp, cols, 1, _("no words allowed in this group "
	    "(add one: balint check --allow WORD)"));
	ctl_resp_free(resp);
	return rc;
}

int
cmd_check(struct cli *c, int argc, char **argv)
{
	const char *group = c->group, *msg = NULL, *file = NULL;
	const char *allow = NULL, *disallow = NULL;
	int list = 0, npos, rc;
	const struct util_opt opts[] = {
		{ "--group", 'g', &group, NULL },
		{ "--message", 'm', &msg, NULL },
		{ "--file", 'F', &file, NULL },
		{ "--allow", 0, &allow, NULL },
		{ "--disallow", 0, &disallow, NULL },
		{ "--allowed", 0, NULL, &list },
		{ NULL, 0, NULL, NULL }
	};
	char *pos[1];

	if ((rc = util_getopt(c, "check", usage, argc, argv, 1, opts, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((allow != NULL) + (disallow != NULL) + list +
	    (msg != NULL || file != NULL) > 1) {
		util_err(_("give one of -m/-F, --allow, --disallow or --allowed"));
		return CLI_USAGE;
	}
	if (allow != NULL || disallow != NULL)
		return allow_word(c, group, allow != NULL ? allow : disallow,
		    disallow != NULL);
	if (list)
		return allowed(c, group);
	return check_text(c, group, msg, file);
}
