/*
 * handlers-invites.c — invite.list and invite.cancel: the codes a leader
 * handed out that are still open (not expired), used or not, and taking
 * one back.  A cancelled code is spent as a used one is: its holder's
 * join is refused ("already used").  Codes themselves are never kept in
 * the clear (invite.c keeps the secret sealed); an invite is named by the
 * first digits of its secret's hash.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"
#include "invite.h"
#include "store.h"

#define INVITE_ID_HEX 12	/* digits of the hash shown as the invite id */
#define INVITE_ID_MIN 4		/* digits enough to name one */

/* The group's open invites (invite_open_list is every group's). */
static struct invite_open *
open_invites(struct ctl_call *call, struct group *g, size_t *n)
{
	struct daemon *d = control_call_daemon(call);
	struct invite_open *all;
	size_t i, k = 0, total = 0;

	*n = 0;
	if ((all = calloc(INVITE_OPEN_MAX, sizeof(*all))) == NULL ||
	    invite_open_list(d, all, INVITE_OPEN_MAX, &total) != 0) {
		free(all);
		control_fail(call, CTL_FAILED, N_("cannot read the invites"));
		return NULL;
	}
	for (i = 0; i < total; i++)
		if (memcmp(all[i].group, g->id, BAL_GROUP_ID_BYTES) == 0)
			all[k++] = all[i];
	*n = k;
	return all;
}

void
handlers_invite_list(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp;
	struct invite_open *inv;
	struct group *g;
	char id[2 * BAL_HASH_BYTES + 1];
	size_t i, n;

	if ((g = handlers_group(call, req)) == NULL ||
	    (inv = open_invites(call, g, &n)) == NULL)
		return;
	if ((resp = control_call_resp(call)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		handlers_hex(inv[i].hash, BAL_HASH_BYTES, id);
		id[INVITE_ID_HEX] = '\0';
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "invite", id) != 0 ||
		    ctl_resp_add_str(resp, "name", inv[i].name) != 0 ||
		    ctl_resp_add_uint(resp, "expires", inv[i].expires_ms) != 0 ||
		    ctl_resp_add_bool(resp, "used", store_invite_used(d->store,
		    inv[i].hash) == 1) != 0)
			goto fail;
	}
	sodium_memzero(inv, INVITE_OPEN_MAX * sizeof(*inv));
	free(inv);
	control_reply(call, resp);
	return;
fail:
	sodium_memzero(inv, INVITE_OPEN_MAX * sizeof(*inv));
	free(inv);
	ctl_resp_free(resp);
	control_fail(call, CTL_FAILED, N_("balintd ran out of memory"));
}

void
handlers_invite_cancel(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp;
	struct invite_open *inv;
	struct group *g;
	const char *sel;
	char id[2 * BAL_HASH_BYTES + 1];
	size_t i, n, len, hit = 0, k = 0;
	int rc;

	if ((g = handlers_group(call, req)) == NULL ||
	    handlers_str(call, req, "invite", 1, &sel, NULL) != 0)
		return;
	if (g->roster == NULL || d->id == NULL ||
	    !roster_is_leader(g->roster, d->id->pk)) {
		control_fail(call, CTL_FAILED, N_("only a leader of %s can cancel "
		    "invites"), group_name(g));
		return;
	}
	len = strlen(sel);
	for (i = 0; i < len && isxdigit((unsigned char)sel[i]); i++)
		;
	if (len < INVITE_ID_MIN || i < len || len > 2 * BAL_HASH_BYTES) {
		control_fail(call, CTL_USAGE, N_("bad invite '%s': give its id "
		    "(at least %d of its digits; see: balint invite list)"),
		    sel, INVITE_ID_MIN);
		return;
	}
	if ((inv = open_invites(call, g, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		handlers_hex(inv[i].hash, BAL_HASH_BYTES, id);
		if (strncasecmp(id, sel, len) == 0) {
			hit = i;
			k++;
		}
	}
	if (k != 1) {
		if (k > 1)
			control_fail(call, CTL_FAILED, N_("invite id '%s' matches "
			    "%zu invites: give more of it (see: balint invite "
			    "list)"), sel, k);
		else
			control_fail(call, CTL_FAILED, N_("no open invite '%s' in "
			    "%s (see: balint invite list)"), sel,
			    group_name(g));
		goto out;
	}
	rc = store_invite_take(d->store, inv[hit].hash, daemon_now_ms());
	if (rc == BAL_EEXIST) {
		control_fail(call, CTL_FAILED, N_("invite '%s' was used already: "
		    "to remove the member, see balint revoke"), sel);
		goto out;
	}
	if (rc != 0) {
		control_fail(call, CTL_FAILED, N_("cannot cancel invite '%s' (%s)"),
		    sel, bal_strerror(rc));
		goto out;
	}
	handlers_hex(inv[hit].hash, BAL_HASH_BYTES, id);
	id[INVITE_ID_HEX] = '\0';
	daemon_log("invite %s of %s cancelled", id, group_name(g));
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "invite", id) != 0 ||
	    ctl_resp_add_str(resp, "name", inv[hit].name) != 0) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
out:
	sodium_memzero(inv, INVITE_OPEN_MAX * sizeof(*inv));
	free(inv);
}
