/*
 * passkeep.c — the passphrase in the login keyring (passkeep.h), with
 * libsecret's synchronous calls: from a libuv worker thread for the
 * lookup at start, directly for balint unlock --remember / --forget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <uv.h>
#include <libsecret/secret.h>

#include "daemon.h"
#include "passkeep.h"
#include "start.h"

static const SecretSchema schema = {
	"org.balint.Passphrase", SECRET_SCHEMA_NONE,
	{
		{ "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
	0, 0, 0, 0, 0, 0, 0, 0
};

struct passkeep {
	uv_work_t work;
	struct daemon *d;		/* NULL once the daemon stops */
	GCancellable *cancel;
	char home[PROFILE_PATH_MAX];
	char *pass;			/* sodium_malloc'd, or NULL */
	size_t len;
	char why[256];			/* the keyring's error, or "" */
};

/* 1 when a session bus is there to ask (else libsecret would try hard). */
static int
have_bus(void)
{
	const char *v = getenv("DBUS_SESSION_BUS_ADDRESS"), *rt;
	char path[PROFILE_PATH_MAX];

	if (v != NULL && *v != '\0')
		return 1;
	rt = getenv("XDG_RUNTIME_DIR");
	return rt != NULL && *rt == '/' &&
	    snprintf(path, sizeof(path), "%s/bus", rt) < (int)sizeof(path) &&
	    access(path, F_OK) == 0;
}

/* Copies libsecret's answer into guarded memory and wipes its own. */
static void
take(struct passkeep *pk, gchar *found)
{
	size_t n;

	if (found == NULL)
		return;
	n = strlen(found);
	if ((pk->pass = sodium_malloc(n + 1)) != NULL) {
		memcpy(pk->pass, found, n + 1);
		pk->len = n;
	}
	secret_password_free(found);	/* wipes it */
}

static void
lookup_work(uv_work_t *w)
{
	struct passkeep *pk = w->data;
	GError *error = NULL;
	gchar *found;

	found = secret_password_lookup_sync(&schema, pk->cancel, &error,
	    "profile", pk->home, NULL);
	if (error != NULL) {
		snprintf(pk->why, sizeof(pk->why), "%s", error->message);
		g_error_free(error);
	}
	take(pk, found);
}

static void
lookup_done(uv_work_t *w, int status)
{
	struct passkeep *pk = w->data;
	struct daemon *d = pk->d;
	char err[1024];

	if (d != NULL)
		d->passkeep = NULL;
	if (d == NULL || d->stopping || status != 0)
		;	/* stopped meanwhile: nothing to unlock */
	else if (pk->why[0] != '\0')
		daemon_log("the login keyring did not answer (%s); waiting for "
		    "balint unlock", pk->why);
	else if (pk->pass == NULL)
		daemon_log("no passphrase in the login keyring; waiting for "
		    "balint unlock");
	else if (d->id != NULL)
		;	/* balint unlock was faster */
	else if (start_unlock(d, pk->pass, pk->len, err, sizeof(err)) != 0)
		daemon_log("the passphrase in the login keyring does not "
		    "unlock: %s (run balint unlock, and balint unlock "
		    "--remember to store the right one)", err);
	else
		daemon_log("unlocked with the passphrase from the login "
		    "keyring");
	sodium_free(pk->pass);
	g_object_unref(pk->cancel);
	free(pk);
}

void
passkeep_unlock_start(struct daemon *d)
{
	struct passkeep *pk;

	if (!have_bus() || d->passkeep != NULL ||
	    (pk = calloc(1, sizeof(*pk))) == NULL)
		return;
	pk->d = d;
	pk->work.data = pk;
	pk->cancel = g_cancellable_new();
	snprintf(pk->home, sizeof(pk->home), "%s", d->home);
	if (uv_queue_work(d->loop, &pk->work, lookup_work, lookup_done) != 0) {
		g_object_unref(pk->cancel);
		free(pk);
		return;
	}
	d->passkeep = pk;
	daemon_log("asking the login keyring for the passphrase");
}

void
passkeep_stop(struct daemon *d)
{
	struct passkeep *pk = d->passkeep;

	if (pk == NULL)
		return;
	d->passkeep = NULL;
	pk->d = NULL;
	g_cancellable_cancel(pk->cancel);
}

int
passkeep_store(const char *home, const char *pass, size_t len, char *err,
    size_t errlen)
{
	GError *error = NULL;
	char label[PROFILE_PATH_MAX + 64], *copy;
	gboolean ok;

	if (!have_bus()) {
		snprintf(err, errlen, N_("no login keyring here (no desktop "
		    "session: D-Bus session bus not found)"));
		return BAL_ENOENT;
	}
	/* libsecret takes a NUL-terminated string. */
	if ((copy = sodium_malloc(len + 1)) == NULL) {
		snprintf(err, errlen, N_("out of memory"));
		return BAL_ENOMEM;
	}
	memcpy(copy, pass, len);
	copy[len] = '\0';
	snprintf(label, sizeof(label), "balint passphrase (%s)", home);
	ok = secret_password_store_sync(&schema, SECRET_COLLECTION_DEFAULT,
	    label, copy, NULL, &error, "profile", home, NULL);
	sodium_free(copy);
	if (!ok) {
		snprintf(err, errlen, N_("the login keyring refused it (%s)"),
		    error != NULL ? error->message : "no reason given");
		if (error != NULL)
			g_error_free(error);
		return BAL_EIO;
	}
	return 0;
}

int
passkeep_forget(const char *home, char *err, size_t errlen)
{
	GError *error = NULL;
	gboolean removed;

	if (!have_bus())
		return BAL_ENOENT;
	removed = secret_password_clear_sync(&schema, NULL, &error,
	    "profile", home, NULL);
	if (error != NULL) {
		snprintf(err, errlen, N_("the login keyring refused (%s)"),
		    error->message);
		g_error_free(error);
		return BAL_EIO;
	}
	return removed ? 0 : BAL_ENOENT;
}
