/*
 * handlers-web.c — web.open: a one-time login URL for the page
 * (daemon/web/, web.h), asked by `balint open`.  Served while locked too:
 * the page is where a member who never opens a terminal unlocks.
 */
#include <stdio.h>
#include <sodium.h>

#include "bal.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "web.h"

void
handlers_web_open(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct ctl_resp *resp;
	char url[160];

	(void)req;
	if (web_login_url(d, url, sizeof(url)) != 0) {
		control_fail(call, CTL_FAILED, N_("balintd does not serve the "
		    "page (its port is off, or it could not listen on "
		    "127.0.0.1: see balint daemon log)"));
		return;
	}
	resp = control_call_resp(call);
	if (resp != NULL && (ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "url", url) != 0 ||
	    ctl_resp_add_uint(resp, "port", web_port(d)) != 0 ||
	    ctl_resp_add_uint(resp, "expires-ms", WEB_LOGIN_TTL_MS) != 0)) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	sodium_memzero(url, sizeof(url));
	control_reply(call, resp);
}
