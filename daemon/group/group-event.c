/*
 * group-event.c — the group state's events (group.h): what it tells the
 * rest of the daemon through d->on_event (the network) and
 * d->on_event_page (the page's live updates) instead of calling them.
 */
#include <string.h>

#include "daemon.h"
#include "group.h"

/* Hands one event of kind about g to the daemon's subscriber, if any. */
static void
emit(struct daemon *d, enum group_event_kind kind, struct group *g,
    const struct group_event *more)
{
	struct group_event ev;

	if (d->on_event == NULL && d->on_event_page == NULL)
		return;
	if (more != NULL)
		ev = *more;
	else
		memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.g = g;
	if (d->on_event != NULL)
		d->on_event(d, &ev);
	if (d->on_event_page != NULL)
		d->on_event_page(d, &ev);
}

void
group_emit_entry(struct group *g, const uint8_t *blob, size_t len,
    const void *source)
{
	struct group_event ev = { .blob = blob, .len = len, .source = source };

	emit(g->d, GROUP_EVENT_ENTRY, g, &ev);
}

void
group_emit_roster(struct group *g)
{
	emit(g->d, GROUP_EVENT_ROSTER, g, NULL);
}

void
group_emit_removed(struct group *g, int reason, const char *text)
{
	struct group_event ev = { .reason = reason, .text = text };

	emit(g->d, GROUP_EVENT_REMOVED, g, &ev);
}

void
group_emit_keys(struct daemon *d)
{
	emit(d, GROUP_EVENT_KEYS, NULL, NULL);
}
