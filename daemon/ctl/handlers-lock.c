/*
 * handlers-lock.c — the control commands of a daemon's lock and life:
 * unlock (the passphrase from balint unlock; --remember keeps it in the
 * login keyring), unlock.forget, lock, daemon.stop, and the status of a
 * daemon that is locked.  While locked, only these commands are served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "passkeep.h"
#include "profile.h"
#include "start.h"

/* The commands a locked daemon serves. */
static const char *const while_locked[] = {
	"status", "unlock", "unlock.forget", "lock", "daemon.stop",
	"web.open", NULL
};

int
handlers_lock_serves(const struct daemon *d, const char *cmd)
{
	size_t i;

	if (d->id != NULL)
		return 1;
	for (i = 0; while_locked[i] != NULL; i++)
		if (strcmp(while_locked[i], cmd) == 0)
			return 1;
	return 0;
}

int
handlers_lock_process(struct daemon *d, struct ctl_resp *resp)
{
	const char *inv = getenv("INVOCATION_ID");

	/* systemd gives every service it runs an invocation id. */
	return ctl_resp_add_uint(resp, "pid", (uint64_t)getpid()) != 0 ||
	    ctl_resp_add_bool(resp, "locked", d->id == NULL) != 0 ||
	    ctl_resp_add_bool(resp, "systemd", inv != NULL &&
	    *inv != '\0') != 0 ? BAL_ENOMEM : 0;
}

int
handlers_lock_status(struct daemon *d, struct ctl_resp *resp)
{
	return ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "kind", "daemon") != 0 ||
	    ctl_resp_add_str(resp, "name", d->name) != 0 ||
	    ctl_resp_add_str(resp, "version", BAL_VERSION_STRING) != 0 ||
	    handlers_lock_process(d, resp) != 0 ||
	    ctl_resp_add_str(resp, "listen", "") != 0 ? BAL_ENOMEM : 0;
}

/* Answers with one record: what happened to the keyring, if asked. */
static void
reply(struct ctl_call *call, const char *state, const char *keyring)
{
	struct ctl_resp *resp = control_call_resp(call);

	if (resp != NULL && (ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "state", state) != 0 ||
	    (keyring != NULL &&
	    ctl_resp_add_str(resp, "keyring", keyring) != 0))) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

void
handlers_lock_unlock(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct identity *check = NULL;
	const uint8_t *pass = NULL;
	size_t plen = 0;
	char err[1024], kerr[512], note[600];
	int remember = 0, rc;

	if (handlers_bool(call, req, "remember", &remember) != 0)
		return;
	rc = ctl_req_get_bin(req, "passphrase", &pass, &plen);
	if (rc != 0 && rc != BAL_ENOENT) {
		control_fail(call, CTL_USAGE, N_("argument 'passphrase' must be "
		    "bytes"));
		return;
	}
	err[0] = '\0';
	if (d->id == NULL) {
		if (start_unlock(d, (const char *)pass, plen, err,
		    sizeof(err)) != 0) {
			control_fail(call, CTL_FAILED, "%s", err);
			return;
		}
	} else if (remember) {
		/* Already unlocked: only a passphrase that unlocks is kept. */
		if (profile_unlock_with(d->home, (const char *)pass, plen, 0,
		    &check, err, sizeof(err)) != 0) {
			control_fail(call, CTL_FAILED, "%s", err);
			return;
		}
		identity_free(check);
	}
	if (!remember) {
		reply(call, "unlocked", NULL);
		return;
	}
	kerr[0] = '\0';
	if (pass == NULL || plen == 0)
		snprintf(note, sizeof(note), "%s", N_("nothing to remember: "
		    "the key has no passphrase"));
	else if (passkeep_store(d->home, (const char *)pass, plen, kerr,
	    sizeof(kerr)) != 0)
		snprintf(note, sizeof(note), N_("not remembered: %s"), kerr);
	else {
		snprintf(note, sizeof(note), "remembered");
		daemon_log("the passphrase is now kept in the login keyring");
	}
	reply(call, "unlocked", note);
}

void
handlers_lock_forget(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	char err[512];
	int rc;

	(void)req;
	err[0] = '\0';
	if ((rc = passkeep_forget(d->home, err, sizeof(err))) == BAL_EIO) {
		control_fail(call, CTL_FAILED, "%s", err);
		return;
	}
	if (rc == 0)
		daemon_log("the passphrase was removed from the login keyring");
	reply(call, d->id == NULL ? "locked" : "unlocked",
	    rc == 0 ? "forgotten" : "none stored");
}

void
handlers_lock_lock(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);

	(void)req;
	if (d->id == NULL) {
		reply(call, "locked", NULL);
		return;
	}
	daemon_log("balint lock: closing every session and wiping the key");
	d->relock = 1;
	reply(call, "locking", NULL);
	daemon_stop_soon(d);
}

void
handlers_lock_stop(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);

	(void)req;
	daemon_log("balint daemon stop: shutting down");
	reply(call, "stopping", NULL);
	daemon_stop_soon(d);
}
