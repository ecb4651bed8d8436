/* cmd-status.c — balint status: daemon, groups, peers and sync progress. */
#include <stdio.h>
#include <string.h>

#include <uniwidth.h>

#include "addr.h"
#include "cli.h"

static const char usage[] = N_(
    "usage: balint [--home DIR] [--json] status\n"
    "  first, for each group, in plain words: its members and notes, the\n"
    "  members this one is up to date with, when the others were last\n"
    "  seen, and a contract amendment that waits for your acceptance.\n"
    "  show the daemon (member, listen address, version), every group\n"
    "  (members, entries, epoch, how many notes are new to you: not read\n"
    "  yet with note show or case show, and the group state code to read aloud:\n"
    "  members who see the same code have the same contract, members and\n"
    "  epoch; and any forked logs, yours above all: then this profile was\n"
    "  restored from an older copy and cannot write in the group; and any\n"
    "  member whose entry does not open under a key you hold: their log\n"
    "  is held before it) and every peer session (state, level); the\n"
    "  daemon's process id; or that it is locked and syncs nothing until\n"
    "  balint unlock.\n"
    "  It says how other members reach this one (tor: the onion address\n"
    "  and whether it is published, or that tor is still starting, off or\n"
    "  not installed), which addresses it listens on work on this LAN or\n"
    "  this machine only, and, per member, whether the session goes\n"
    "  through tor, when they were last reached and why the last attempt\n"
    "  failed.\n"
    "  It says whether LAN discovery runs (beacons sent, recognised, and\n"
    "  heard from others) and which members were found on the LAN, and\n"
    "  whether the router forwards the port (port map: PCP, NAT-PMP or UPnP,\n"
    "  the external address and port, the lease left; or none, and why)\n"
    "  and whether its firewall lets members elsewhere in to this\n"
    "  machine's IPv6 addresses (IPv6 in: a pinhole opened by PCP or UPnP, the\n"
    "  lease left; or not, and why).\n");

static int
is_kind(const struct ctl_resp *resp, size_t r, const char *kind)
{
	const char *s;

	return ctl_resp_get_str(resp, r, "kind", &s, NULL) == 0 &&
	    strcmp(s, kind) == 0;
}

static void
field(const struct ctl_resp *resp, size_t r, const char *key, int fmt)
{
	char buf[64];

	output_safe(stdout, output_field(resp, r, key, fmt, buf, sizeof(buf)),
	    0);
}

/*
 * Field key as text safe to print (output_safe's rules) in buf, for a
 * sentence that the language orders around it.
 */
static const char *
safe_field(const struct ctl_resp *resp, size_t r, const char *key, int fmt,
    char *buf, size_t len)
{
	char raw[256];
	FILE *f;

	buf[0] = '\0';
	if ((f = fmemopen(buf, len, "w")) == NULL)
		return buf;
	output_safe(f, output_field(resp, r, key, fmt, raw, sizeof(raw)), 0);
	fclose(f);
	buf[len - 1] = '\0';
	return buf;
}

/*
 * A daemon's line: label (translated here) in a column of 13 display
 * columns, whatever the language's letters.
 */
static void
label(const char *l)
{
	int w = u8_strwidth((const uint8_t *)l, "UTF-8");

	printf("  %s", l);
	do
		putchar(' ');
	while (++w < 13);
}

/* A text balintd made (a reason, a state), in the member's language. */
static void
said(const char *en)
{
	char text[CTL_MAX_ERR];

	output_safe(stdout, daemon_text(en, text, sizeof(text)), 0);
}

/* The field key, a text balintd made, in the member's language. */
static int
said_field(const struct ctl_resp *resp, size_t r, const char *key)
{
	const char *s;

	if (ctl_resp_get_str(resp, r, key, &s, NULL) != 0 || *s == '\0')
		return 0;
	said(s);
	return 1;
}

/* The router's port mapping: which worked, where, the lease left. */
static void
status_portmap(const struct ctl_resp *resp, size_t r)
{
	const char *m, *s;
	uint64_t u;

	if (ctl_resp_get_str(resp, r, "portmap", &m, NULL) != 0 ||
	    strcmp(m, "off") == 0)
		return;
	printf("\n");
	label(_("port map"));
	if (strcmp(m, "upnp") == 0 || strcmp(m, "natpmp") == 0 ||
	    strcmp(m, "pcp") == 0) {
		printf("%s: ", strcmp(m, "upnp") == 0 ? "UPnP" :
		    strcmp(m, "pcp") == 0 ? "PCP" : "NAT-PMP");
		field(resp, r, "portmap_addr", OUT_STR);
		if (ctl_resp_get_uint(resp, r, "portmap_lease", &u) == 0 &&
		    u == 0)
			printf(" %s", _("(permanent)"));
		else if (ctl_resp_get_uint(resp, r, "portmap_left", &u) == 0)
			printf(_(" (lease %llu s left)"),
			    (unsigned long long)u);
	} else if (strcmp(m, "trying") == 0) {
		printf("%s", _("asking the router"));
	} else {
		printf("%s", _("none"));
		if (ctl_resp_get_str(resp, r, "portmap_why", &s, NULL) == 0 &&
		    *s != '\0') {
			printf(" (");
			said(s);
			printf(")");
		}
	}
}

/*
 * The addresses a pinhole lets in to ("[IPV6]:PORT ..."), with anything
 * but what such a list holds shown as '?' (the daemon's text, printed).
 */
static const char *
pinhole_addrs(const struct ctl_resp *resp, size_t r, char *buf, size_t len)
{
	const char *s = "";
	size_t i;

	(void)ctl_resp_get_str(resp, r, "pinhole_addrs", &s, NULL);
	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = strchr("0123456789abcdefABCDEF:.[] ", s[i]) != NULL ?
		    s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* Why no pinhole is open, in parentheses, in the member's language. */
static void
pinhole_why(const struct ctl_resp *resp, size_t r)
{
	const char *s;

	if (ctl_resp_get_str(resp, r, "pinhole_why", &s, NULL) == 0 &&
	    *s != '\0') {
		printf(" (");
		said(s);
		printf(")");
	}
}

/*
 * The router's IPv6 firewall: which addresses it lets members elsewhere
 * in to (a pinhole, by PCP or UPnP), or why none.
 */
static void
status_pinhole(const struct ctl_resp *resp, size_t r)
{
	char buf[160];
	const char *m;
	uint64_t u = 0;

	if (ctl_resp_get_str(resp, r, "pinhole", &m, NULL) != 0 ||
	    strcmp(m, "off") == 0)
		return;
	printf("\n");
	label(_("IPv6 in"));
	if (strcmp(m, "upnp") == 0 || strcmp(m, "pcp") == 0) {
		(void)ctl_resp_get_uint(resp, r, "pinhole_left", &u);
		/* TRANSLATORS: the first %s is PCP or UPnP. */
		printf(_("%s opened the router's firewall to %s (lease %llu s "
		    "left)"), strcmp(m, "pcp") == 0 ? "PCP" : "UPnP",
		    pinhole_addrs(resp, r, buf, sizeof(buf)),
		    (unsigned long long)u);
	} else if (strcmp(m, "nofirewall") == 0) {
		printf(_("the router's IPv6 firewall is off: members "
		    "elsewhere reach %s"), pinhole_addrs(resp, r, buf,
		    sizeof(buf)));
	} else if (strcmp(m, "trying") == 0) {
		printf("%s", _("asking the router to open its firewall"));
	} else if (strcmp(m, "unneeded") == 0) {
		printf("%s", _("nothing to open"));
		pinhole_why(resp, r);
	} else {
		printf("%s", _("the router's firewall is not open to this "
		    "machine: members elsewhere may not reach its IPv6 "
		    "address"));
		pinhole_why(resp, r);
	}
}

/*
 * The addresses this member listens on that work only locally, one line
 * each, and, when nothing else leads here, what to do about it.
 */
static void
local_only(const struct ctl_resp *resp, size_t r)
{
	char one[300];
	struct addr_parts a;
	const char *s, *sp;
	size_t len;
	int elsewhere = 1;

	if (ctl_resp_get_str(resp, r, "local_only", &s, NULL) != 0 ||
	    *s == '\0')
		return;
	(void)ctl_resp_get_bool(resp, r, "reachable_elsewhere", &elsewhere);
	for (; *s != '\0'; s = *sp != '\0' ? sp + 1 : sp) {
		if ((sp = strchr(s, ' ')) == NULL)
			sp = s + strlen(s);
		if ((len = (size_t)(sp - s)) == 0 || len >= sizeof(one))
			continue;
		memcpy(one, s, len);
		one[len] = '\0';
		label(_("local only"));
		output_safe(stdout, one, 0);
		if (addr_split(one, &a) == 0 && a.scope == ADDR_LOOPBACK)
			printf(" %s\n", _("works on this machine only"));
		else
			printf(" %s\n", _("works on this LAN only (a private "
			    "address)"));
	}
	if (!elsewhere)
		printf("  %s\n", ctl_resp_get_str(resp, r, "tor", &s, NULL) ==
		    0 && strcmp(s, "missing") == 0 ? _("members elsewhere "
		    "cannot reach this one (it can still reach them): install "
		    "tor, or forward a port on the router and restart balintd "
		    "with --advertise HOST:PORT") : _("members elsewhere "
		    "cannot reach this one (it can still reach them): turn "
		    "tor on, or forward a port on the router and restart "
		    "balintd with --advertise HOST:PORT"));
}

int
cmd_status(struct cli *c, int argc, char **argv)
{
	struct ctl_resp *resp = NULL;
	struct ctl_req *req;
	size_t r, n, ng = 0, np = 0;
	char *pos[1];
	const char *s;
	uint64_t u;
	int npos, rc, locked = 0, on = 0;

	if ((rc = util_getopt(c, "status", usage, argc, argv, 1, NULL, pos, 0,
	    &npos)) != 0)
		return rc < 0 ? CLI_OK : rc;
	if ((req = client_req("status", NULL)) == NULL ||
	    ctl_req_add_bool(req, "new", 1) != 0) {
		ctl_req_free(req);
		util_err(_("out of memory"));
		return CLI_FAILED;
	}
	rc = client_call(c, req, 0, &resp);
	ctl_req_free(req);
	if (rc != CLI_OK)
		return rc;
	if (c->json) {
		rc = output_json(resp);
		ctl_resp_free(resp);
		return rc;
	}
	n = ctl_resp_nrecords(resp);
	for (r = 0; r < n; r++) {
		if (is_kind(resp, r, "daemon") &&
		    ctl_resp_get_bool(resp, r, "locked", &locked) == 0 &&
		    locked) {
			char v[64], nm[256], p[64];

			printf(_("balintd %s for %s (pid %s) is locked: it "
			    "syncs nothing until you run: balint unlock\n"),
			    safe_field(resp, r, "version", OUT_STR, v,
			    sizeof(v)), safe_field(resp, r, "name", OUT_STR,
			    nm, sizeof(nm)), safe_field(resp, r, "pid",
			    OUT_UINT, p, sizeof(p)));
		} else if (is_kind(resp, r, "daemon")) {
			char v[64], nm[256];
			uint64_t rec = 0, noise = 0;

			printf(_("balintd %s for %s"), safe_field(resp, r,
			    "version", OUT_STR, v, sizeof(v)), safe_field(resp,
			    r, "name", OUT_STR, nm, sizeof(nm)));
			printf("\n");
			label(_("member id"));
			field(resp, r, "member_id", OUT_STR);
			printf("\n");
			label(_("fingerprint"));
			field(resp, r, "fingerprint", OUT_STR);
			printf("\n");
			label(_("process id"));
			field(resp, r, "pid", OUT_UINT);
			printf("\n");
			label(_("listening"));
			if (ctl_resp_get_str(resp, r, "listen", &s, NULL) ==
			    0 && *s != '\0')
				output_safe(stdout, s, 0);
			else
				printf("%s", _("(no TCP port)"));
			/* How others reach this member, in words. */
			if (ctl_resp_get_str(resp, r, "tor_text", &s, NULL) ==
			    0 && *s != '\0') {
				printf("\n");
				label("tor");
				said(s);
			}
			if (ctl_resp_get_str(resp, r, "lan_text", &s, NULL) ==
			    0 && *s != '\0') {
				printf("\n");
				label(_("LAN"));
				said(s);
				if (ctl_resp_get_uint(resp, r,
				    "lan_beacons_sent", &u) == 0 &&
				    ctl_resp_get_bool(resp, r, "lan",
				    &on) == 0 && on) {
					(void)ctl_resp_get_uint(resp, r,
					    "lan_recognised", &rec);
					(void)ctl_resp_get_uint(resp, r,
					    "lan_garbage", &noise);
					printf(_(" (%llu beacons sent, %llu "
					    "recognised, %llu of others or "
					    "noise)"), (unsigned long long)u,
					    (unsigned long long)rec,
					    (unsigned long long)noise);
				}
			}
			status_portmap(resp, r);
			status_pinhole(resp, r);
			printf("\n");
			local_only(resp, r);
		} else if (is_kind(resp, r, "group")) {
			if (ng++ == 0)
				printf("%s\n", _("groups:"));
			printf("  ");
			field(resp, r, "name", OUT_STR);
			printf("  ");
			field(resp, r, "group", OUT_STR);
			printf("\n");
			status_words(resp, r);
			u = 0;
			(void)ctl_resp_get_uint(resp, r, "entries", &u);
			printf("    ");
			printf(ngettext("%llu entry", "%llu entries", u),
			    (unsigned long long)u);
			u = 0;
			(void)ctl_resp_get_uint(resp, r, "epoch", &u);
			printf(_(", epoch %llu"), (unsigned long long)u);
			if (ctl_resp_get_str(resp, r, "state_code", &s,
			    NULL) == 0 && *s != '\0') {
				printf("\n    %s ", _("state code:"));
				output_safe(stdout, s, 0);
			}
			if (ctl_resp_get_uint(resp, r, "new_notes", &u) == 0
			    && u > 0) {
				printf("\n    ");
				printf(ngettext("%llu new note (balint note "
				    "list --new)", "%llu new notes (balint note "
				    "list --new)", u), (unsigned long long)u);
			}
			if (ctl_resp_get_uint(resp, r, "missing_bodies", &u)
			    == 0 && u > 0)
				printf(_("\n    bodies missing: %llu (entries "
				    "received without their body, asked for "
				    "from peers)"), (unsigned long long)u);
			if (ctl_resp_get_uint(resp, r, "forked_logs", &u) == 0)
				printf(_("\n    forked logs: %llu (a member "
				    "signed two branches; the one held here "
				    "is kept)"), (unsigned long long)u);
			if (ctl_resp_get_uint(resp, r, "unreadable_logs", &u)
			    == 0)
				printf(_("\n    unreadable entries: %llu (a "
				    "member signed an entry that does not "
				    "open under a key held here)"),
				    (unsigned long long)u);
			if (ctl_resp_get_uint(resp, r, "over_limit_logs", &u)
			    == 0)
				printf(_("\n    over the per-author limits: %llu "
				    "(a member wrote more than a group "
				    "stores of one member)"),
				    (unsigned long long)u);
			if (ctl_resp_get_uint(resp, r, "own_log_forked_at",
			    &u) == 0)
				printf(_("\n    YOUR LOG HAS FORKED (seq %llu): "
				    "this profile was restored from an older "
				    "copy or also runs elsewhere; you cannot "
				    "write here (see the member guide, "
				    "\"Restoring a profile\")"),
				    (unsigned long long)u);
			printf("\n");
		} else if (is_kind(resp, r, "held")) {
			int limit = ctl_resp_get_str(resp, r, "why", &s,
			    NULL) == 0 && strcmp(s, "limit") == 0;

			u = 1;
			(void)ctl_resp_get_uint(resp, r, "seq", &u);
			printf("    ");
			field(resp, r, "name", OUT_STR);
			printf(limit ? _(": log held at seq %llu (the entry "
			    "after is over the per-author limits; not "
			    "stored)\n") : _(": log held at seq %llu (the "
			    "entry after does not open; not stored)\n"),
			    (unsigned long long)(u - 1));
		} else if (is_kind(resp, r, "peer")) {
			int level = 0, lan = 0, punched = 0;
			char when[64];

			if (np++ == 0)
				printf("%s\n", _("peers:"));
			printf("  ");
			if (ctl_resp_get_str(resp, r, "name", &s, NULL) == 0 &&
			    *s != '\0')
				output_safe(stdout, s, 0);
			else
				printf("%s", _("(unknown)"));
			printf("  ");
			field(resp, r, "address", OUT_STR);
			printf("  ");
			(void)said_field(resp, r, "state");
			(void)ctl_resp_get_bool(resp, r, "level", &level);
			if (ctl_resp_get_str(resp, r, "state", &s, NULL) == 0 &&
			    strcmp(s, "up") == 0)
				printf("%s", level ? _(", level") :
				    _(", syncing"));
			if (ctl_resp_get_str(resp, r, "via", &s, NULL) == 0 &&
			    strcmp(s, "onion") == 0)
				printf("%s", _(", through tor"));
			if (ctl_resp_get_bool(resp, r, "lan", &lan) == 0 &&
			    lan)
				printf("%s", _(", found on the LAN"));
			if (ctl_resp_get_bool(resp, r, "punched", &punched) ==
			    0 && punched)
				printf("%s", _(", direct (hole punched)"));
			if (ctl_resp_get_uint(resp, r, "last_reached", &u) ==
			    0 && u != 0)
				printf(_(", last reached %s"), output_field(
				    resp, r, "last_reached", OUT_TIME, when,
				    sizeof(when)));
			if (ctl_resp_get_str(resp, r, "last_error", &s,
			    NULL) == 0 && *s != '\0') {
				printf("\n    %s ", _("last attempt failed:"));
				said(s);
			}
			printf("\n");
		} else if (is_kind(resp, r, "waiting")) {
			/* A newcomer held for this leader's confirmation. */
			printf("%s '", _("waiting to join"));
			field(resp, r, "group_name", OUT_STR);
			printf("': ");
			field(resp, r, "name", OUT_STR);
			printf(", %s ", _("fingerprint"));
			field(resp, r, "fingerprint", OUT_STR);
			printf("\n  %s\n", _("compare it with the one they read "
			    "to you, then: balint admit NAME (or --refuse)"));
		} else if (is_kind(resp, r, "removed")) {
			/* A group this member was removed from, and erased. */
			int left = ctl_resp_get_str(resp, r, "how", &s,
			    NULL) == 0 && strcmp(s, "left") == 0;

			char g[256], by[256], when[64];

			safe_field(resp, r, "name", OUT_STR, g, sizeof(g));
			safe_field(resp, r, "by", OUT_STR, by, sizeof(by));
			safe_field(resp, r, "time", OUT_TIME, when,
			    sizeof(when));
			if (left)
				printf(_("you left '%s' on %s (the group's "
				    "data was erased from this computer)\n"), g,
				    when);
			else
				printf(_("you were removed from '%s' by %s on "
				    "%s (the group's data was erased from this "
				    "computer)\n"), g, by, when);
		}
	}
	if (locked)
		;	/* a locked daemon shows no group */
	else if (ng == 0)
		printf("%s\n", _("no groups yet (found one: balint group "
		    "create --contract FILE, or join: balint join CODE)"));
	else if (np == 0)
		printf("%s\n", _("no peers (add one: balint peer add "
		    "HOST:PORT)"));
	ctl_resp_free(resp);
	return CLI_OK;
}
