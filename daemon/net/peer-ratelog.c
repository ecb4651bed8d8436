/*
 * peer-ratelog.c — log lines that a flood of connections could repeat:
 * one line of a kind per NET_RATELOG_MS, and later how many were held
 * back (net->rl, net->rltimer).
 */
#include <stdarg.h>
#include <stdio.h>

#include "peer-int.h"

static const char *const ratelog_what[RL_N] = {
	"connections refused (too many pending handshakes)",
	"connections not accepted",
	"handshakes refused",
	"handshakes of members not admitted refused",
	"connections closed during the handshake",
	"handshakes timed out",
	"connections closed before a session",
	"sessions of older software (capabilities missing)",
};

/* Logs how many lines of kind k were held back, if any. */
static void
ratelog_flush(struct net *net, int k, uint64_t now)
{
	struct ratelog *rl = &net->rl[k];

	if (rl->held == 0)
		return;
	daemon_log("peer: %lu more %s in the last %llu s", rl->held,
	    ratelog_what[k], (unsigned long long)((now - rl->last + 999) /
	    1000));
	rl->held = 0;
	rl->last = now;
}

/* Logs what was held back for a whole interval; re-arms for the rest. */
void
peer_ratelog_timer(uv_timer_t *t)
{
	struct net *net = t->data;
	uint64_t now = uv_now(net->d->loop), due, next = 0;
	int k;

	for (k = 0; k < RL_N; k++) {
		if (net->rl[k].held == 0)
			continue;
		due = net->rl[k].last + NET_RATELOG_MS;
		if (due <= now || net->stopping)
			ratelog_flush(net, k, now);
		else if (next == 0 || due < next)
			next = due;
	}
	if (next != 0)
		uv_timer_start(&net->rltimer, peer_ratelog_timer, next - now, 0);
}

void
peer_ratelog(struct net *net, enum ratelog_kind k, const char *fmt, ...)
{
	struct ratelog *rl = &net->rl[k];
	uint64_t now = uv_now(net->d->loop);
	char line[512];
	va_list ap;

	if (rl->logged && now - rl->last < NET_RATELOG_MS) {
		rl->held++;
		if (net->has_rltimer && !net->stopping &&
		    !uv_is_active((uv_handle_t *)&net->rltimer))
			uv_timer_start(&net->rltimer, peer_ratelog_timer,
			    rl->last + NET_RATELOG_MS - now, 0);
		return;
	}
	ratelog_flush(net, k, now);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	daemon_log("%s", line);
	rl->logged = 1;
	rl->last = now;
}
