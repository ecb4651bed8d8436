/*
 * group-event.c — the group state's events (group.h): what it tells the
 * rest of the daemon through d->on_event instead of calling it.
 */
#include <string.h>

#include "daemon.h"
#include "group.h"

static void
emit(struct daemon *d, const struct group_event *ev)
{
	if (d->on_event != NULL)
		d->on_event(d, ev);
}

void
group_emit_entry(struct group *g, const uint8_t *blob, size_t len,
    const void *source)
{
	struct group_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GROUP_EVENT_ENTRY;
	ev.g = g;
	ev.blob = blob;
	ev.len = len;
	ev.source = source;
	emit(g->d, &ev);
}

void
group_emit_roster(struct group *g)
{
	struct group_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GROUP_EVENT_ROSTER;
	ev.g = g;
	emit(g->d, &ev);
}

void
group_emit_removed(struct group *g, int reason, const char *text)
{
	struct group_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GROUP_EVENT_REMOVED;
	ev.g = g;
	ev.reason = reason;
	ev.text = text;
	emit(g->d, &ev);
}

void
group_emit_keys(struct daemon *d)
{
	struct group_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GROUP_EVENT_KEYS;
	emit(d, &ev);
}
