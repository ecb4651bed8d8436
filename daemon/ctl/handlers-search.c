/*
 * handlers-search.c — note.search: words looked for in the titles, texts
 * and case references of a group's notes, decrypted in memory for the
 * call (group_notes) and folded with libunistring, never indexed on disk.
 * Folding (handlers_search_fold): canonical decomposition (NFD), Unicode
 * case folding, then every combining mark dropped (general category M:
 * accents, Swedish å ä ö's ring and dots, Hebrew points and cantillation
 * U+0591..U+05C7), so "LAKARE" finds "läkare" and "שלום" finds "שָׁלוֹם".
 * Every folded copy is plaintext: wiped before it is freed.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "note.h"

#define SEARCH_TERMS_MAX 16	/* words of one query */
#define SEARCH_LINE_MAX 160	/* bytes of the matching line shown */

int
handlers_search_fold(const char *s, size_t len, char **out, size_t *outlen)
{
	uint8_t *f;
	size_t flen = 0, i = 0, o = 0;
	ucs4_t c;
	int k;

	*out = NULL;
	*outlen = 0;
	if (len == 0) {
		if ((*out = calloc(1, 1)) == NULL)
			return BAL_ENOMEM;
		return 0;
	}
	/* ASCII folds to lower case alone (most notes): no libunistring. */
	for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
		;
	if (i == len) {
		if ((*out = malloc(len + 1)) == NULL)
			return BAL_ENOMEM;
		for (i = 0; i < len; i++)
			(*out)[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] + 32 : s[i]);
		(*out)[len] = '\0';
		*outlen = len;
		return 0;
	}
	i = 0;
	if (u8_check((const uint8_t *)s, len) != NULL)
		return BAL_EINVAL;
	if ((f = u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFD, NULL,
	    &flen)) == NULL)
		return BAL_ENOMEM;
	while (i < flen) {
		if ((k = u8_mbtouc(&c, f + i, flen - i)) <= 0)
			k = 1;
		if (c < 0x300 || !uc_is_general_category(c, UC_CATEGORY_M)) {
			memmove(f + o, f + i, (size_t)k);
			o += (size_t)k;
		}
		i += (size_t)k;
	}
	if (o < flen)
		sodium_memzero(f + o, flen - o);
	/* NUL-terminated for the caller's convenience. */
	if ((*out = malloc(o + 1)) == NULL) {
		sodium_memzero(f, flen);
		free(f);
		return BAL_ENOMEM;
	}
	memcpy(*out, f, o);
	(*out)[o] = '\0';
	*outlen = o;
	sodium_memzero(f, flen);
	free(f);
	return 0;
}

void
handlers_search_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	sodium_memzero(s, len);
	free(s);
}

int
handlers_search_same(const char *a, const char *b)
{
	char *fa = NULL, *fb = NULL;
	size_t la = 0, lb = 0;
	int same;

	if (a == NULL)
		a = "";
	if (b == NULL)
		b = "";
	if (strcmp(a, b) == 0)
		return 1;
	if (handlers_search_fold(a, strlen(a), &fa, &la) != 0 ||
	    handlers_search_fold(b, strlen(b), &fb, &lb) != 0)
		same = 0;
	else
		same = la == lb && memcmp(fa, fb, la) == 0;
	handlers_search_free(fa, la);
	handlers_search_free(fb, lb);
	return same;
}

/* The folded words of a query. */
struct terms {
	char *w[SEARCH_TERMS_MAX];
	size_t len[SEARCH_TERMS_MAX];
	size_t n;
};

static void
terms_free(struct terms *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		handlers_search_free(t->w[i], t->len[i]);
	t->n = 0;
}

/* Splits q at blanks and folds each word; BAL_ETOOBIG past the limit. */
static int
terms_parse(const char *q, struct terms *t)
{
	const char *p = q, *start;
	int ret;

	t->n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			return 0;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r')
			p++;
		if (t->n == SEARCH_TERMS_MAX)
			return BAL_ETOOBIG;
		if ((ret = handlers_search_fold(start, (size_t)(p - start),
		    &t->w[t->n], &t->len[t->n])) != 0)
			return ret;
		if (t->len[t->n] == 0) {
			/* A word of marks alone folds to nothing. */
			handlers_search_free(t->w[t->n], 0);
			continue;
		}
		t->n++;
	}
}

/* Occurrences of w in s (at most cap). */
static unsigned
count(const char *s, size_t slen, const char *w, size_t wlen, unsigned cap)
{
	const char *p = s, *end = s + slen, *hit;
	unsigned n = 0;

	while (n < cap && (size_t)(end - p) >= wlen &&
	    (hit = memmem(p, (size_t)(end - p), w, wlen)) != NULL) {
		n++;
		p = hit + wlen;
	}
	return n;
}

/*
 * The body line (0-based) holding the most of the terms, first of equals;
 * folding keeps every '\n', so a line of the folded text is that line of
 * the original.
 */
static size_t
best_line(const char *f, size_t flen, const struct terms *t)
{
	const char *p = f, *end = f + flen, *nl;
	size_t line = 0, best = 0, i;
	unsigned most = 0, have;

	while (p <= end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		for (have = 0, i = 0; i < t->n; i++)
			if (count(p, (size_t)(nl - p), t->w[i], t->len[i], 1))
				have++;
		if (have > most) {
			most = have;
			best = line;
		}
		if (nl == end)
			break;
		p = nl + 1;
		line++;
	}
	return best;
}

/* One note found: its place in the list, score and matching line. */
struct found {
	size_t i;
	unsigned score;
	long line;		/* -1: matched in the title or case only */
};

/*
 * Scores one note: 0 when a term is missing from all of title, case and
 * text; else 8 per term in the title, 4 in the case reference, 1 per
 * occurrence in the text (at most 8 each), and 8 more when the whole
 * query stands in the text as typed.
 */
static int
score_note(const struct note *n, const struct terms *t, const char *phrase,
    size_t phlen, struct found *out)
{
	char *ft = NULL, *fc = NULL, *fb = NULL;
	size_t ftl = 0, fcl = 0, fbl = 0, i;
	unsigned score = 0, s, intext = 0;
	int ret;

	out->score = 0;
	out->line = -1;
	if ((ret = handlers_search_fold(n->title ? n->title : "",
	    n->title ? strlen(n->title) : 0, &ft, &ftl)) != 0 ||
	    (ret = handlers_search_fold(n->case_ref ? n->case_ref : "",
	    n->case_ref ? strlen(n->case_ref) : 0, &fc, &fcl)) != 0 ||
	    (ret = handlers_search_fold(n->body ? n->body : "",
	    n->body ? strlen(n->body) : 0, &fb, &fbl)) != 0)
		goto out;
	for (i = 0; i < t->n; i++) {
		s = 8 * count(ft, ftl, t->w[i], t->len[i], 1) +
		    4 * count(fc, fcl, t->w[i], t->len[i], 1);
		if ((ret = (int)count(fb, fbl, t->w[i], t->len[i], 8)) > 0)
			intext = 1;
		s += (unsigned)ret;
		ret = 0;
		if (s == 0) {
			score = 0;
			goto out;
		}
		score += s;
	}
	if (t->n > 1 && phlen > 0 && count(fb, fbl, phrase, phlen, 1))
		score += 8;
	out->score = score;
	if (intext)
		out->line = (long)best_line(fb, fbl, t);
out:
	handlers_search_free(ft, ftl);
	handlers_search_free(fc, fcl);
	handlers_search_free(fb, fbl);
	return ret;
}

/* Best first; equal scores: the last changed first. */
static const struct group_note *sort_notes;

static int
by_score(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (sort_notes[x->i].updated_ms != sort_notes[y->i].updated_ms)
		return sort_notes[x->i].updated_ms > sort_notes[y->i].updated_ms
		    ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Adds line number line of body, cut at SEARCH_LINE_MAX bytes on a
 * character boundary, as "match".
 */
static int
add_line(struct ctl_resp *resp, const char *body, long line)
{
	const char *p = body, *nl;
	char buf[SEARCH_LINE_MAX + 4];
	size_t len;
	long k;

	for (k = 0; k < line && (nl = strchr(p, '\n')) != NULL; k++)
		p = nl + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	nl = strchr(p, '\n');
	len = nl != NULL ? (size_t)(nl - p) : strlen(p);
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len > SEARCH_LINE_MAX) {
		len = SEARCH_LINE_MAX;
		while (len > 0 && ((unsigned char)p[len] & 0xC0) == 0x80)
			len--;
		memcpy(buf, p, len);
		memcpy(buf + len, "...", 4);
	} else {
		memcpy(buf, p, len);
		buf[len] = '\0';
	}
	k = ctl_resp_add_str(resp, "match", buf) != 0 ||
	    ctl_resp_add_uint(resp, "line", (uint64_t)line + 1) != 0;
	sodium_memzero(buf, sizeof(buf));
	return k ? BAL_ENOMEM : 0;
}

void
handlers_note_search(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp = NULL;
	struct group_note *notes = NULL;
	const struct group_note *gn;
	struct found *hits = NULL;
	struct terms t = { .n = 0 };
	const char *q, *kind, *cref, *author;
	char *phrase = NULL, *fcase = NULL, *fc = NULL;
	char idbuf[IDENTITY_ID_TEXT_BYTES], hex[NOTE_ID_HEX_BYTES];
	uint8_t pk[BAL_PK_BYTES];
	uint64_t since = 0, limit = CTL_LIST_PAGE_MAX;
	size_t i, n = 0, nhits = 0, phlen = 0, fclen = 0, fcl = 0, qlen;
	struct group *g;
	int k = 0, rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if (handlers_str(call, req, "query", 1, &q, &qlen) != 0 ||
	    handlers_str(call, req, "kind", 0, &kind, NULL) != 0 ||
	    handlers_str(call, req, "case", 0, &cref, NULL) != 0 ||
	    handlers_str(call, req, "author", 0, &author, NULL) != 0 ||
	    handlers_uint(call, req, "since", &since) != 0 ||
	    handlers_uint(call, req, "limit", &limit) != 0)
		return;
	if (handlers_limit(call, limit, 0) != 0 ||
	    handlers_kind(call, kind, 0, &k) != 0)
		return;
	if (author != NULL && *author != '\0' &&
	    handlers_roster_member(call, g, author, pk) != 0)
		return;
	if ((rc = terms_parse(q, &t)) != 0 || t.n == 0) {
		terms_free(&t);
		control_fail(call, CTL_USAGE, rc == BAL_ETOOBIG ?
		    N_("too many words to search for (at most %d)") : rc != 0 ?
		    N_("the words to search for are not UTF-8 text") :
		    N_("nothing to search for (give a word)"),
		    SEARCH_TERMS_MAX);
		return;
	}
	if ((rc = handlers_search_fold(q, qlen, &phrase, &phlen)) != 0 ||
	    (cref != NULL && *cref != '\0' &&
	    (rc = handlers_search_fold(cref, strlen(cref), &fcase,
	    &fclen)) != 0))
		goto fail;
	if ((rc = group_notes(g, &notes, &n)) != 0) {
		terms_free(&t);
		handlers_search_free(phrase, phlen);
		handlers_search_free(fcase, fclen);
		control_fail(call, CTL_FAILED, N_("cannot read the notes of "
		    "group '%s' (%s)"), group_name(g), bal_strerror(rc));
		return;
	}
	if (n > 0 && (hits = calloc(n, sizeof(*hits))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		gn = &notes[i];
		if (gn->deleted || gn->note == NULL ||
		    (k > 0 && gn->note->kind != k) ||
		    (since > 0 && gn->updated_ms < since) ||
		    (author != NULL && *author != '\0' &&
		    memcmp(gn->author, pk, BAL_PK_BYTES) != 0))
			continue;
		if (fcase != NULL) {
			const char *c = gn->note->case_ref ? gn->note->case_ref
			    : "";

			if ((rc = handlers_search_fold(c, strlen(c), &fc,
			    &fcl)) != 0)
				goto fail;
			rc = fcl == fclen && memcmp(fc, fcase, fcl) == 0;
			handlers_search_free(fc, fcl);
			fc = NULL;
			if (!rc)
				continue;
		}
		if ((rc = score_note(gn->note, &t, phrase, phlen,
		    &hits[nhits])) != 0)
			goto fail;
		if (hits[nhits].score > 0)
			hits[nhits++].i = i;
	}
	sort_notes = notes;
	qsort(hits, nhits, sizeof(*hits), by_score);
	sort_notes = NULL;
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (i = 0; i < nhits && i < limit; i++) {
		gn = &notes[hits[i].i];
		note_id_to_hex(gn->note_id, hex);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "note", hex) != 0 ||
		    ctl_resp_add_str(resp, "kind",
		    note_kind_name(gn->note->kind) ? note_kind_name(
		    gn->note->kind) : "other") != 0 ||
		    ctl_resp_add_str(resp, "case", gn->note->case_ref ?
		    gn->note->case_ref : "") != 0 ||
		    ctl_resp_add_str(resp, "title", gn->note->title ?
		    gn->note->title : "") != 0 ||
		    ctl_resp_add_str(resp, "author", handlers_member_name(g,
		    gn->author, idbuf)) != 0 ||
		    ctl_resp_add_uint(resp, "updated", gn->updated_ms) != 0 ||
		    ctl_resp_add_uint(resp, "score", hits[i].score) != 0 ||
		    (hits[i].line >= 0 && add_line(resp,
		    gn->note->body, hits[i].line) != 0))
			goto fail;
	}
	terms_free(&t);
	handlers_search_free(phrase, phlen);
	handlers_search_free(fcase, fclen);
	free(hits);
	group_notes_free(notes, n);
	control_reply(call, resp);
	return;
fail:
	terms_free(&t);
	handlers_search_free(phrase, phlen);
	handlers_search_free(fcase, fclen);
	free(hits);
	group_notes_free(notes, n);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, rc == BAL_EINVAL ? N_("the words to "
	    "search for are not UTF-8 text") : N_("balintd ran out of "
	    "memory"));
}
