/*
 * web-events.c — GET /api/events: server-sent events that tell the open
 * pages when something changed (a note arrived, the roster changed, this
 * member was removed), so that a note from another member appears without
 * reloading.  An event carries no note: the page asks for what changed
 * through the same handlers as for everything else (web-api.c).
 */
#include <string.h>

#include "daemon.h"
#include "group.h"
#include "web-int.h"

#define EV_ENTRY 1u
#define EV_ROSTER 2u
#define EV_REMOVED 4u

/* One open stream; lives in its request's pool. */
struct web_stream {
	h2o_generator_t gen;		/* first: h2o hands it back */
	struct web *w;
	h2o_req_t *req;
	const struct web_session *session;	/* the one that opened it */
	uint64_t serial;		/* ... while it holds this number */
	struct web_stream *next;
	struct web_stream *prev;
	unsigned due;			/* EV_* not sent yet */
	int busy;			/* a send in flight */
	int ending;			/* send the end at the next chance */
	int ended;
};

static h2o_iovec_t
text_of(unsigned due)
{
	/* The strongest news first; one message says all the page needs. */
	if (due & EV_REMOVED)
		return h2o_iovec_init(H2O_STRLIT("event: removed\ndata: 1\n\n"));
	if (due & EV_ROSTER)
		return h2o_iovec_init(H2O_STRLIT("event: roster\ndata: 1\n\n"));
	return h2o_iovec_init(H2O_STRLIT("event: entry\ndata: 1\n\n"));
}

static void
pump(struct web_stream *s)
{
	h2o_iovec_t b;

	if (s->busy || s->ended)
		return;
	if (s->ending) {
		s->ended = 1;
		h2o_send(s->req, NULL, 0, H2O_SEND_STATE_FINAL);
		return;
	}
	if (s->due == 0)
		return;
	b = text_of(s->due);
	s->due = 0;
	s->busy = 1;
	h2o_send(s->req, &b, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void
on_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
	struct web_stream *s = (struct web_stream *)gen;

	(void)req;
	s->busy = 0;
	pump(s);
}

static void
on_stop(h2o_generator_t *gen, h2o_req_t *req)
{
	struct web_stream *s = (struct web_stream *)gen;

	(void)req;
	s->ended = 1;
}

static void
unlink_stream(void *p)
{
	struct web_stream *s = p;

	if (s->w == NULL)
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		s->w->streams = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->w = NULL;
}

void
web_events_open(struct web *w, h2o_req_t *req, struct web_session *ses)
{
	struct web_stream *s;
	h2o_iovec_t hello = h2o_iovec_init(H2O_STRLIT(": balintd\n\n"));

	s = h2o_mem_alloc_shared(&req->pool, sizeof(*s), unlink_stream);
	memset(s, 0, sizeof(*s));
	s->gen.proceed = on_proceed;
	s->gen.stop = on_stop;
	s->w = w;
	s->req = req;
	s->session = ses;
	s->serial = ses->serial;
	s->next = w->streams;
	if (w->streams != NULL)
		w->streams->prev = s;
	w->streams = s;
	req->res.status = 200;
	req->res.reason = "OK";
	web_headers(req);
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE,
	    NULL, H2O_STRLIT("text/event-stream"));
	h2o_start_response(req, &s->gen);
	s->busy = 1;
	h2o_send(req, &hello, 1, H2O_SEND_STATE_IN_PROGRESS);
}

void
web_events_close_all(struct web *w)
{
	struct web_stream *s;

	for (s = w->streams; s != NULL; s = s->next) {
		s->ending = 1;
		pump(s);
	}
}

void
web_events_end_session(struct web *w, const struct web_session *ses)
{
	struct web_stream *s;

	for (s = w->streams; s != NULL; s = s->next)
		if (s->session == ses && s->serial == ses->serial) {
			s->ending = 1;
			pump(s);
		}
}

void
web_events_on_group(struct daemon *d, const struct group_event *ev)
{
	struct web_stream *s;
	unsigned bit;

	if (d->web == NULL)
		return;
	switch (ev->kind) {
	case GROUP_EVENT_ENTRY:
		bit = EV_ENTRY;
		break;
	case GROUP_EVENT_ROSTER:
		bit = EV_ROSTER;
		break;
	case GROUP_EVENT_REMOVED:
		bit = EV_REMOVED;
		break;
	default:
		return;
	}
	for (s = d->web->streams; s != NULL; s = s->next) {
		/* A session that ended (expired, replaced) ends its streams. */
		if (!web_session_live(s->session, s->serial))
			s->ending = 1;
		else
			s->due |= bit;
		pump(s);
	}
}
