/*
 * web-api.c — POST /api/call/CMD: the page's JSON bridge to the control
 * handlers (web.h).  The body, a JSON object, becomes the arguments of a
 * control request (a string a str, a whole number a uint, true/false a
 * bool, null a nil; the passphrase bytes); the handler's answer becomes
 * {"status":N,"error":"...","records":[{...}...]} with the same fields the
 * CLI gets (a bin as hex).  Only the commands a member uses on the page
 * are let through: no file paths (bundle.*), no stopping or locking the
 * daemon (lock starts a new process: the page's session would end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "json.h"
#include "web-int.h"

/* The commands the page may call; what the CLI would show, nothing else. */
static const char *const page_cmds[] = {
	"status", "group.list", "contract.show", "contract.text",
	"contract.amend", "contract.accept", "invite", "join", "members",
	"note.write", "note.list", "note.show", "note.edit", "note.delete",
	"note.search", "guard.check", "peer.list", "sync", "revoke", "leave",
	"unlock", NULL
};

/* Arguments that travel as bytes, not text. */
static const char *const bin_args[] = { "passphrase", NULL };

/* A call waiting for its handler; req is NULL once the browser is gone. */
struct pending {
	h2o_req_t *req;
	struct pending **holder;	/* in req's pool */
};

static int
listed(const char *const *list, const char *s, size_t len)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

/*
 * jansson's memory, wiped when freed: request bodies carry passphrases
 * and notes.  Each block remembers its size in front of it.
 */
static void *
wipe_alloc(size_t n)
{
	size_t *p = malloc(sizeof(size_t) * 2 + n);

	if (p == NULL)
		return NULL;
	p[0] = n;
	return p + 2;
}

static void
wipe_free(void *q)
{
	size_t *p;

	if (q == NULL)
		return;
	p = (size_t *)q - 2;
	sodium_memzero(q, p[0]);
	free(p);
}

/* A growing output buffer, wiped when released (it holds notes). */
struct out {
	char *p;
	size_t len, cap;
	int failed;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		cap = o->cap == 0 ? 4096 : o->cap;
		while (cap < o->len + n + 1)
			cap *= 2;
		if ((np = malloc(cap)) == NULL) {
			o->failed = 1;
			return;
		}
		if (o->p != NULL) {
			memcpy(np, o->p, o->len);
			sodium_memzero(o->p, o->cap);
			free(o->p);
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s, size_t len)
{
	char *q;

	if ((q = json_quote(s, len)) == NULL) {
		o->failed = 1;
		return;
	}
	out_put(o, q, strlen(q));
	sodium_memzero(q, strlen(q));
	free(q);
}

static void
out_value(struct out *o, const struct ctl_value *v)
{
	char num[32], *hex;
	size_t hl;

	switch (v->type) {
	case CTL_STR:
		out_str(o, v->str.p, v->str.len);
		break;
	case CTL_UINT:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v->u);
		out_put(o, num, strlen(num));
		break;
	case CTL_BOOL:
		out_put(o, v->b ? "true" : "false", v->b ? 4 : 5);
		break;
	case CTL_BIN:
		hl = v->bin.len * 2 + 1;
		if ((hex = malloc(hl)) == NULL) {
			o->failed = 1;
			break;
		}
		sodium_bin2hex(hex, hl, v->bin.p, v->bin.len);
		out_str(o, hex, hl - 1);
		sodium_memzero(hex, hl);
		free(hex);
		break;
	default:
		out_put(o, "null", 4);
	}
}

/* The answer as JSON into o. */
static void
answer_json(struct out *o, int status, const char *err,
    const struct ctl_resp *resp)
{
	const struct ctl_kv *kv;
	size_t r, n, i, nrec = resp != NULL ? ctl_resp_nrecords(resp) : 0;
	char head[32];

	snprintf(head, sizeof(head), "{\"status\":%d,\"error\":", status);
	out_put(o, head, strlen(head));
	out_str(o, err != NULL ? err : "", err != NULL ? strlen(err) : 0);
	out_put(o, ",\"records\":[", 12);
	for (r = 0; r < nrec; r++) {
		kv = ctl_resp_record(resp, r, &n);
		out_put(o, r > 0 ? ",{" : "{", r > 0 ? 2 : 1);
		for (i = 0; kv != NULL && i < n; i++) {
			if (i > 0)
				out_put(o, ",", 1);
			out_str(o, kv[i].key, strlen(kv[i].key));
			out_put(o, ":", 1);
			out_value(o, &kv[i].val);
		}
		out_put(o, "}", 1);
	}
	out_put(o, "]}", 2);
}

static void
holder_dispose(void *p)
{
	struct pending **holder = p;

	if (*holder != NULL)
		(*holder)->req = NULL;
}

static void
done_cb(void *arg, int status, const char *err, const struct ctl_resp *resp)
{
	static const char oom[] = "{\"status\":1,\"error\":\"balintd ran "
	    "out of memory\"}";
	struct pending *pd = arg;
	struct out o = { 0 };

	if (pd->req != NULL) {
		*pd->holder = NULL;
		answer_json(&o, status, err, resp);
		if (o.failed)
			web_respond(pd->req, 500, "Internal Server Error",
			    "application/json", oom, sizeof(oom) - 1);
		else
			web_respond(pd->req, 200, "OK", "application/json",
			    o.p, o.len);
	}
	if (o.p != NULL) {
		sodium_memzero(o.p, o.cap);
		free(o.p);
	}
	free(pd);
}

/* Adds the JSON object's members to creq; -1 with why set when it cannot. */
static int
args_add(struct ctl_req *creq, json_t *obj, const char **why)
{
	const char *key;
	json_t *v;
	json_int_t n;
	int rc = 0;

	json_object_foreach(obj, key, v) {
		if (json_is_string(v) && listed(bin_args, key, strlen(key)))
			rc = ctl_req_add_bin(creq, key, json_string_value(v),
			    json_string_length(v));
		else if (json_is_string(v))
			rc = ctl_req_add_strn(creq, key, json_string_value(v),
			    json_string_length(v));
		else if (json_is_integer(v) && (n = json_integer_value(v)) >= 0)
			rc = ctl_req_add_uint(creq, key, (uint64_t)n);
		else if (json_is_boolean(v))
			rc = ctl_req_add_bool(creq, key, json_is_true(v));
		else if (json_is_null(v))
			rc = ctl_req_add_nil(creq, key);
		else
			rc = BAL_EINVAL;
		if (rc != 0) {
			*why = "an argument is not a string, a whole number "
			    "from 0, true, false or null";
			return -1;
		}
	}
	return 0;
}

void
web_api_call(struct web *w, h2o_req_t *req, const char *cmd, size_t cmdlen)
{
	static uint64_t next_id;
	static const char no_cmd[] = "{\"status\":2,\"error\":\"the page "
	    "cannot run this command\"}";
	struct ctl_req *creq = NULL;
	struct pending *pd = NULL;
	char name[CTL_MAX_CMD + 1], msg[160];
	const char *why = NULL;
	json_error_t jerr;
	json_t *body = NULL;

	json_set_alloc_funcs(wipe_alloc, wipe_free);
	if (!listed(page_cmds, cmd, cmdlen)) {
		web_respond(req, 404, "Not Found", "application/json", no_cmd,
		    sizeof(no_cmd) - 1);
		return;
	}
	memcpy(name, cmd, cmdlen);
	name[cmdlen] = '\0';
	if (req->entity.len > 0)
		body = json_loadb(req->entity.base, req->entity.len, 0, &jerr);
	else
		body = json_object();
	if (req->entity.len > 0)
		sodium_memzero((void *)req->entity.base, req->entity.len);
	if (body == NULL || !json_is_object(body))
		why = "the body must be a JSON object";
	else if (ctl_req_new(name, ++next_id, &creq) != 0)
		why = "balintd ran out of memory";
	else if (args_add(creq, body, &why) == 0 &&
	    (pd = calloc(1, sizeof(*pd))) != NULL &&
	    (pd->holder = h2o_mem_alloc_shared(&req->pool,
	    sizeof(*pd->holder), holder_dispose)) != NULL) {
		*pd->holder = pd;
		pd->req = req;
		control_call_local(w->d, creq, done_cb, pd);
		pd = NULL;
	} else if (why == NULL)
		why = "balintd ran out of memory";
	json_decref(body);
	ctl_req_free(creq);
	free(pd);
	if (why != NULL) {
		snprintf(msg, sizeof(msg), "{\"status\":2,\"error\":\"%s\"}",
		    why);
		web_respond(req, 400, "Bad Request", "application/json", msg,
		    strlen(msg));
	}
}
