/*
 * handlers-admit.c — newcomers held for a leader's confirmation (invites
 * made with `balint invite --confirm`): "admit" lists them, admits one by
 * name or fingerprint, or refuses one; status shows them.  The holding is
 * the join conversation's (daemon/net/join.c).
 */
#include <stdio.h>
#include <string.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "identity.h"
#include "net.h"

struct waiting_ctx {
	struct daemon *d;
	struct ctl_resp *resp;
	const uint8_t *group;		/* only this group's, or NULL */
};

/* One record of kind "waiting": who waits to join which group. */
static int
waiting_cb(void *ctx, const uint8_t *group, const uint8_t *pk,
    const char *name, uint64_t since_ms)
{
	struct waiting_ctx *wc = ctx;
	struct group *g = group_find(wc->d, group);
	char hex[2 * BAL_GROUP_ID_BYTES + 1], fp[IDENTITY_FPR_TEXT_BYTES];
	char mid[IDENTITY_ID_TEXT_BYTES];

	if (wc->group != NULL && memcmp(wc->group, group,
	    BAL_GROUP_ID_BYTES) != 0)
		return 0;
	handlers_hex(group, BAL_GROUP_ID_BYTES, hex);
	identity_fingerprint(pk, fp);
	identity_id_encode(pk, mid);
	if (ctl_resp_record_begin(wc->resp) != 0 ||
	    ctl_resp_add_str(wc->resp, "kind", "waiting") != 0 ||
	    ctl_resp_add_str(wc->resp, "group", hex) != 0 ||
	    ctl_resp_add_str(wc->resp, "group_name", g != NULL ?
	    group_name(g) : "") != 0 ||
	    ctl_resp_add_str(wc->resp, "name", name) != 0 ||
	    ctl_resp_add_str(wc->resp, "member_id", mid) != 0 ||
	    ctl_resp_add_str(wc->resp, "fingerprint", fp) != 0 ||
	    ctl_resp_add_uint(wc->resp, "since", since_ms) != 0)
		return BAL_ENOMEM;
	return 0;
}

int
handlers_admit_status(struct daemon *d, struct ctl_resp *resp)
{
	struct waiting_ctx wc = { d, resp, NULL };

	return join_waiting_each(d, waiting_cb, &wc);
}

/*
 * admit [group] [who] [refuse]: without who, the newcomers waiting (of
 * the group, if given); with who (a name or a whole fingerprint), admits
 * that one (the roster ADD is written now) or refuses them.
 */
void
handlers_admit(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp = NULL;
	struct waiting_ctx wc;
	struct group *g = NULL;
	const char *who, *gsel;
	char msg[512];
	int refuse = 0, rc;

	if (handlers_str(call, req, "who", 0, &who, NULL) != 0 ||
	    handlers_bool(call, req, "refuse", &refuse) != 0 ||
	    handlers_str(call, req, "group", 0, &gsel, NULL) != 0)
		return;
	if (gsel != NULL && (g = handlers_group(call, req)) == NULL)
		return;
	if (who == NULL || *who == '\0') {
		if (refuse) {
			control_fail(call, CTL_USAGE, N_("admit --refuse needs "
			    "the name or fingerprint of the newcomer"));
			return;
		}
		wc.d = d;
		wc.group = g != NULL ? g->id : NULL;
		if ((wc.resp = control_call_resp(call)) == NULL ||
		    join_waiting_each(d, waiting_cb, &wc) != 0) {
			ctl_resp_free(wc.resp);
			control_fail(call, CTL_FAILED, N_("balintd ran out of "
			    "memory"));
			return;
		}
		control_reply(call, wc.resp);
		return;
	}
	if (g != NULL && (g->roster == NULL ||
	    !roster_is_leader(g->roster, d->id->pk))) {
		control_fail(call, CTL_FAILED, N_("only a leader of %s can admit "
		    "members"), group_name(g));
		return;
	}
	rc = join_admit(d, g != NULL ? g->id : NULL, who, refuse, msg,
	    sizeof(msg));
	if (rc != 0) {
		control_fail(call, rc == BAL_EEXIST ? CTL_USAGE : CTL_FAILED,
		    "%s", msg);
		return;
	}
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "kind", "admitted") != 0 ||
	    ctl_resp_add_bool(resp, "refused", refuse) != 0 ||
	    ctl_resp_add_str(resp, "text", msg) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}
