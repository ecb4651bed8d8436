/*
 * main.c — balint, the command line client of balintd.
 *
 * A {name, fn, help} table dispatches subcommands (wireguard-tools wg.c
 * style), one cli/cmd-<name>.c each.  Exit codes: 0 ok, 1 refused or
 * failed, 2 usage, 3 daemon not running.
 */
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"
#include "config.h"

static const struct cli_cmd commands[] = {
	{ "init",	cmd_init,	N_("create this member's identity; prints the member id") },
	{ "status",	cmd_status,	N_("daemon, groups, peers and how far sync has come") },
	{ "group",	cmd_group,	N_("create --contract FILE | list") },
	{ "contract",	cmd_contract,	N_("show | text | amend FILE | accept | diff | template") },
	{ "invite",	cmd_invite,	N_("print a one-line, one-time invite code") },
	{ "join",	cmd_join,	N_("join a group with an invite code") },
	{ "admit",	cmd_admit,	N_("admit a newcomer after comparing their fingerprint") },
	{ "members",	cmd_members,	N_("name, member id, role, status") },
	{ "revoke",	cmd_revoke,	N_("remove a member (leaders only)") },
	{ "leave",	cmd_leave,	N_("leave the group; erases it from this computer") },
	{ "note",	cmd_note,	N_("write | list | show | edit | delete") },
	{ "case",	cmd_case,	N_("list | show REF: a case and its follow-ups") },
	{ "export",	cmd_export,	N_("write the notes to a plaintext file (md, json, pdf)") },
	{ "check",	cmd_check,	N_("look for details that identify a patient, writing nothing") },
	{ "peer",	cmd_peer,	N_("add HOST:PORT | list | remove HOST:PORT") },
	{ "sync",	cmd_sync,	N_("ask for sync now; --wait returns when all peers are level") },
	{ "bundle",	cmd_bundle,	N_("carry notes by hand in an encrypted file: write, read") },
	{ "daemon",	cmd_daemon,	N_("start | stop | restart | status | log: balintd itself") },
	{ "unlock",	cmd_unlock,	N_("give balintd the passphrase [--remember | --forget]") },
	{ "lock",	cmd_lock,	N_("make balintd forget the key until balint unlock") },
	{ "open",	cmd_open,	N_("open your page in the browser (--print: its link)") },
	{ "passphrase",	cmd_passphrase,	N_("change the passphrase of this member's key") },
	{ "config",	cmd_config,	N_("get KEY | set KEY VALUE | unset KEY | list | keys: settings") },
	{ "complete",	cmd_complete,	N_("groups | members | notes: names for the bash completion") },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "%s\n\n", _("usage: balint [--home DIR] [--json] "
	    "[-g GROUP] COMMAND ..."));
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		    _(commands[i].help));
	fprintf(f, "\n%s", _("  --home DIR  the member profile (default "
	    "$BALINT_HOME, $XDG_DATA_HOME/balint,\n"
	    "              ~/.local/share/balint)\n"
	    "  --json      machine-readable output of listings\n"
	    "  -g GROUP    the group of group-scoped commands: its name or a\n"
	    "              unique start of it, its id or 4 or more digits of\n"
	    "              it; needed with several groups (not for a note id)\n"));
	fprintf(f, "\n%s", _("Short names: ls (list), rm (delete, remove), "
	    "cat (show), new (write,\ncreate).  balint help [COMMAND] | "
	    "balint COMMAND --help | balint --version\n"));
}

static const struct cli_cmd *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* "unknown command", with the nearest command when one is near. */
static int
unknown(const char *name)
{
	const char *names[NCOMMANDS], *near;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	if ((near = suggest_word(name, names, NCOMMANDS)) != NULL)
		util_err(_("unknown command '%s'; did you mean '%s'? (see: "
		    "balint help)"), name, near);
	else
		util_err(_("unknown command '%s' (see: balint help)"), name);
	return CLI_USAGE;
}

/*
 * 1 when stdout is a pipe whose reader went away (balint ... | head): the
 * output was not wanted any more, which is no error to report.  SIGPIPE is
 * ignored (the control socket), so a write fails with EPIPE, perhaps long
 * before the last flush; poll says so for good (POLLERR).
 */
static int
reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	return errno == EPIPE || (poll(&p, 1, 0) == 1 &&
	    (p.revents & POLLERR) != 0);
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	struct cli c;
	char *hargv[3], group[CONFIG_VALUE_MAX + 1];
	int i, rc;

	memset(&c, 0, sizeof(c));
	/* Display widths of the tables' text; then the language. */
	(void)setlocale(LC_CTYPE, "");
	i18n_init();
	if (sodium_init() < 0) {
		fprintf(stderr, "balint: cannot initialise libsodium\n");
		return CLI_FAILED;
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--home") == 0) {
			if (i + 1 >= argc) {
				util_err(_("option '--home' needs a directory "
				    "(see: balint help)"));
				return CLI_USAGE;
			}
			c.home_opt = argv[++i];
		} else if (strncmp(argv[i], "--home=", 7) == 0)
			c.home_opt = argv[i] + 7;
		else if (strcmp(argv[i], "--json") == 0)
			c.json = 1;
		else if (strcmp(argv[i], "-g") == 0 ||
		    strcmp(argv[i], "--group") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				util_err(_("option '%s' needs a group (see: "
				    "balint help)"), argv[i]);
				return CLI_USAGE;
			}
			c.group = argv[++i];
		}
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_OK;
		} else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("balint %s (control protocol %d)\n",
			    BAL_VERSION_STRING, CTL_VERSION);
			return CLI_OK;
		} else {
			util_err(_("unknown option '%s' (see: balint help)"),
			    argv[i]);
			return CLI_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 >= argc) {
			usage(stdout);
			return CLI_OK;
		}
		if ((cmd = find(argv[i + 1])) == NULL)
			return unknown(argv[i + 1]);
		hargv[0] = argv[i + 1];
		hargv[1] = (char *)(uintptr_t)"--help";
		hargv[2] = NULL;
		return cmd->fn(&c, 2, hargv);
	}
	if ((cmd = find(argv[i])) == NULL) {
		rc = unknown(argv[i]);
		usage(stderr);
		return rc;
	}
	if ((rc = util_home(&c)) != 0)
		return rc;
	/* The group setting stands in for -g (balint config set group). */
	if (c.group == NULL && settings_get("group", group,
	    sizeof(group)) == 0)
		c.group = group;
	rc = cmd->fn(&c, argc - i, argv + i);
	if ((fflush(stdout) != 0 || ferror(stdout)) && !reader_gone() &&
	    rc == CLI_OK) {
		util_err(_("cannot write the output"));
		rc = CLI_FAILED;
	}
	return rc;
}
