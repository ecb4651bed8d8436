/*
 * handlers-guard.c — the de-identification guard in the daemon (guard/,
 * docs/member-guide.md).  note.write and note.edit check the title, the
 * case reference and the text before anything is sealed
 * (handlers_guard_note), so every client gets the check; the guard.*
 * commands check a text without writing it and keep the group's allow
 * list.
 *
 * A group's rule comes from its contract (Identifiers: refuse | warn |
 * off).  Names never reported: the guard's own list (data/guard/
 * allow.txt), the names on the group's roster, this member's name, and the
 * words this member added for the group (`balint check --allow`), kept in
 * the store's meta table under "guard-allow:<group id hex>", one word a
 * line.  The list is this member's: it is not synced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "guard.h"
#include "store.h"

#define ALLOW_WORD_MAX 64	/* bytes of one allowed word */
#define ALLOW_WORDS_MAX 1000	/* words of one group's list */

/* The guard, loaded at its first use (its dictionaries take ~0.2 s). */
static struct guard *
get_guard(struct daemon *d)
{
	if (d->guard == NULL) {
		if ((d->guard = guard_new(NULL, NULL)) == NULL)
			return NULL;
		if (*guard_warning(d->guard) != '\0')
			daemon_log("guard: %s (it finds less)",
			    guard_warning(d->guard));
	}
	return d->guard;
}

void
handlers_guard_free(struct daemon *d)
{
	guard_free(d->guard);
	d->guard = NULL;
}

static void
meta_key(const struct group *g, char *key, size_t len)
{
	char hex[2 * BAL_GROUP_ID_BYTES + 1];

	handlers_hex(g->id, sizeof(g->id), hex);
	snprintf(key, len, "guard-allow:%s", hex);
}

/* The group's own words ("" when none); *out is malloc'd, NUL-ended. */
static int
allow_words(struct daemon *d, const struct group *g, char **out)
{
	char key[128];
	uint8_t *v = NULL;
	size_t len = 0;
	int rc;

	meta_key(g, key, sizeof(key));
	rc = store_meta_get(d->store, key, &v, &len);
	if (rc == BAL_ENOENT) {
		v = NULL;
		len = 0;
	} else if (rc != 0)
		return rc;
	if ((*out = malloc(len + 1)) == NULL) {
		free(v);
		return BAL_ENOMEM;
	}
	if (len > 0)
		memcpy(*out, v, len);
	(*out)[len] = '\0';
	free(v);
	return 0;
}

/* Everything never reported as a name in g (g may be NULL). */
static struct guard_allow *
allow_for(struct daemon *d, const struct group *g)
{
	struct guard_allow *a = guard_allow_new();
	char *words = NULL;
	size_t i;

	if (a == NULL)
		return NULL;
	if (guard_allow_add(a, d->name, strlen(d->name)) != 0)
		goto fail;
	if (g == NULL)
		return a;
	if (g->roster != NULL)
		for (i = 0; i < g->roster->nmembers; i++)
			if (guard_allow_add(a, g->roster->members[i].name,
			    strlen(g->roster->members[i].name)) != 0)
				goto fail;
	if (allow_words(d, g, &words) != 0 ||
	    guard_allow_add(a, words, strlen(words)) != 0)
		goto fail;
	free(words);
	return a;
fail:
	free(words);
	guard_allow_free(a);
	return NULL;
}

static enum contract_identifiers
policy(const struct group *g)
{
	return g != NULL && g->contract != NULL ? g->contract->identifiers :
	    CONTRACT_IDS_REFUSE;
}

struct handlers_guard_hits {
	struct ctl_resp *recs;		/* records built, to copy over */
	size_t n;
};

/* Adds one {kind:"hit", ...} record per hit of field `what` to resp. */
static int
add_hits(struct ctl_resp *resp, const char *what, const char *text,
    const struct guard_hit *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "kind", "hit") != 0 ||
		    ctl_resp_add_str(resp, "field", what) != 0 ||
		    ctl_resp_add_str(resp, "category",
		    guard_cat_name(h[i].cat)) != 0 ||
		    ctl_resp_add_str(resp, "label",
		    guard_cat_label(h[i].cat)) != 0 ||
		    ctl_resp_add_uint(resp, "start", h[i].start) != 0 ||
		    ctl_resp_add_uint(resp, "end", h[i].end) != 0 ||
		    ctl_resp_add_uint(resp, "line", h[i].line) != 0 ||
		    ctl_resp_add_uint(resp, "col", h[i].col) != 0 ||
		    ctl_resp_add_strn(resp, "text", text + h[i].bstart,
		    h[i].bend - h[i].bstart) != 0)
			return BAL_ENOMEM;
	return 0;
}

/*
 * Checks fields[0..n) (NULL texts skipped) into resp's hit records;
 * *count is the number of hits.  BAL_ENOMEM, or BAL_ESTATE when the guard
 * cannot be loaded.
 */
static int
check_fields(struct daemon *d, const struct group *g,
    const struct handlers_guard_field *f, size_t n, struct ctl_resp *resp,
    size_t *count)
{
	struct guard *gd = get_guard(d);
	struct guard_allow *a;
	struct guard_hit *h;
	size_t i, nh;
	int rc = 0;

	*count = 0;
	if (gd == NULL)
		return BAL_ESTATE;
	if ((a = allow_for(d, g)) == NULL)
		return BAL_ENOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		if (f[i].text == NULL)
			continue;
		if ((rc = guard_check(gd, f[i].text, f[i].len, a, &h,
		    &nh)) != 0)
			break;
		rc = add_hits(resp, f[i].name, f[i].text, h, nh);
		*count += nh;
		free(h);
	}
	guard_allow_free(a);
	return rc;
}

int
handlers_guard_note(struct ctl_call *call, const struct ctl_req *req,
    const struct group *g, const struct handlers_guard_field *f, size_t n,
    struct handlers_guard_hits **out)
{
	struct daemon *d = control_call_daemon(call);
	struct handlers_guard_hits *gh = NULL;
	enum contract_identifiers p = policy(g);
	struct ctl_resp *resp = NULL;
	int confirmed = 0, rc;
	size_t count = 0;

	*out = NULL;
	if (p == CONTRACT_IDS_OFF)
		return 0;
	if (handlers_bool(call, req, "allow_identifiers", &confirmed) != 0)
		return -1;
	if ((gh = calloc(1, sizeof(*gh))) == NULL ||
	    ctl_resp_new(ctl_req_id(req), CTL_OK, NULL, &gh->recs) != 0) {
		free(gh);
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return -1;
	}
	if ((rc = check_fields(d, g, f, n, gh->recs, &count)) != 0) {
		handlers_guard_hits_free(gh);
		control_fail(call, CTL_FAILED, N_("cannot check the note for "
		    "identifying details (%s); nothing written"),
		    rc == BAL_ESTATE ? "the guard did not load" :
		    "out of memory");
		return -1;
	}
	gh->n = count;
	if (count == 0 || p == CONTRACT_IDS_WARN || confirmed) {
		if (count > 0)
			daemon_log("note in group '%s' written with %zu "
			    "possible identifier(s) (%s)", group_name(g), count,
			    confirmed ? "confirmed" : "Identifiers: warn");
		*out = gh;
		return 0;
	}
	/* Refused: the hits travel with the error. */
	if (ctl_resp_new(ctl_req_id(req), CTL_FAILED, count == 1 ?
	    N_("the note holds a detail that may identify a patient; "
	    "nothing written (change it, or confirm with "
	    "--allow-identifiers)") :
	    N_("the note holds details that may identify a patient; "
	    "nothing written (change them, or confirm with "
	    "--allow-identifiers)"),
	    &resp) != 0 || handlers_guard_hits_add(resp, gh) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	handlers_guard_hits_free(gh);
	control_reply(call, resp);
	return -1;
}

int
handlers_guard_hits_add(struct ctl_resp *resp,
    const struct handlers_guard_hits *gh)
{
	const struct ctl_kv *kv;
	size_t i, j, nf;

	if (gh == NULL)
		return 0;
	for (i = 0; i < ctl_resp_nrecords(gh->recs); i++) {
		if ((kv = ctl_resp_record(gh->recs, i, &nf)) == NULL ||
		    ctl_resp_record_begin(resp) != 0)
			return BAL_ENOMEM;
		for (j = 0; j < nf; j++)
			if (ctl_resp_add(resp, kv[j].key, &kv[j].val) != 0)
				return BAL_ENOMEM;
	}
	return 0;
}

void
handlers_guard_hits_free(struct handlers_guard_hits *gh)
{
	if (gh == NULL)
		return;
	ctl_resp_free(gh->recs);
	free(gh);
}

/* The group of a guard.* call: optional when the member has none. */
static int
guard_group(struct ctl_call *call, const struct ctl_req *req,
    struct group **g)
{
	struct daemon *d = control_call_daemon(call);

	*g = NULL;
	if (d->groups == NULL && ctl_req_get(req, "group") == NULL)
		return 0;
	return (*g = handlers_group(call, req)) == NULL ? -1 : 0;
}

void
handlers_guard_check(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct handlers_guard_field f = { "text", NULL, 0 };
	struct ctl_resp *resp = NULL;
	const char *pname;
	struct group *g;
	size_t count;
	int rc;

	if (guard_group(call, req, &g) != 0 ||
	    handlers_str(call, req, "text", 1, &f.text, &f.len) != 0)
		return;
	pname = contract_identifiers_name(policy(g));
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "kind", "guard") != 0 ||
	    ctl_resp_add_str(resp, "policy", pname != NULL ? pname : "?") !=
	    0 || ctl_resp_add_str(resp, "group", g != NULL ? group_name(g) :
	    "") != 0) {
		ctl_resp_free(resp);
		control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
		return;
	}
	if ((rc = check_fields(d, g, &f, 1, resp, &count)) != 0) {
		ctl_resp_free(resp);
		control_fail(call, CTL_FAILED, N_("cannot check the text (%s)"),
		    rc == BAL_ESTATE ? "the guard did not load" :
		    "out of memory");
		return;
	}
	control_reply(call, resp);
}

/* One allowed word: letters, marks, ' and -, at most ALLOW_WORD_MAX. */
static int
word_ok(const char *w, size_t len)
{
	size_t i;

	if (len == 0 || len > ALLOW_WORD_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)w[i] <= ' ' || w[i] == 0x7f || w[i] == ',' ||
		    w[i] == '.' || w[i] == ';' || w[i] == ':')
			return 0;
	return 1;
}

/* guard.allow {group, word, remove}: adds or removes one word. */
void
handlers_guard_allow(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	char *words = NULL, *out = NULL, key[128];
	const char *w, *p, *nl;
	size_t wlen, o = 0, n = 0;
	int remove = 0, found = 0, rc;
	struct group *g;

	if ((g = handlers_group(call, req)) == NULL ||
	    handlers_str(call, req, "word", 1, &w, &wlen) != 0 ||
	    handlers_bool(call, req, "remove", &remove) != 0)
		return;
	if (!word_ok(w, wlen)) {
		control_fail(call, CTL_USAGE, N_("'%s' is not one word (no "
		    "spaces or punctuation, at most %d bytes)"), w,
		    ALLOW_WORD_MAX);
		return;
	}
	if ((rc = allow_words(d, g, &words)) != 0 ||
	    (out = malloc(strlen(words) + wlen + 2)) == NULL) {
		free(words);
		control_fail(call, CTL_FAILED, N_("cannot read the allow list "
		    "(%s)"), bal_strerror(rc != 0 ? rc : BAL_ENOMEM));
		return;
	}
	/* Rewrite the list without w, then with it unless removing. */
	for (p = words; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) == wlen && memcmp(p, w, wlen) == 0) {
			found = 1;
			continue;
		}
		memcpy(out + o, p, (size_t)(nl - p));
		o += (size_t)(nl - p);
		out[o++] = '\n';
		n++;
	}
	if (!remove) {
		if (n >= ALLOW_WORDS_MAX) {
			control_fail(call, CTL_FAILED, N_("the allow list of "
			    "group '%s' is full (%d words; remove some with "
			    "balint check --disallow)"), group_name(g),
			    ALLOW_WORDS_MAX);
			goto out;
		}
		memcpy(out + o, w, wlen);
		o += wlen;
		out[o++] = '\n';
	}
	meta_key(g, key, sizeof(key));
	if ((rc = store_meta_put(d->store, key, out, o)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot save the allow list "
		    "(%s)"), bal_strerror(rc));
		goto out;
	}
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "word", w) != 0 ||
	    ctl_resp_add_bool(resp, "changed", remove ? found : !found) != 0 ||
	    ctl_resp_add_str(resp, "group", group_name(g)) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
out:
	free(words);
	free(out);
}

/* guard.allowed {group}: the group's own words, one record each. */
void
handlers_guard_allowed(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	char *words = NULL;
	const char *p, *nl;
	struct group *g;
	int rc;

	if ((g = handlers_group(call, req)) == NULL)
		return;
	if ((rc = allow_words(d, g, &words)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read the allow list "
		    "(%s)"), bal_strerror(rc));
		return;
	}
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (p = words; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_strn(resp, "word", p, (size_t)(nl - p)) != 0)
			goto fail;
	}
	free(words);
	control_reply(call, resp);
	return;
fail:
	free(words);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}
