/*
 * main.c — balint, the command line client of balintd.
 *
 * A {name, fn, help} table dispatches subcommands (wireguard-tools wg.c
 * style).  Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 daemon not
 * running.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"

struct command {
	const char *name;
	const char *help;
};

static const struct command commands[] = {
	{ "init",	"create this member's identity; prints the member id" },
	{ "status",	"daemon, groups, peers and how far sync has come" },
	{ "group",	"create --contract FILE | list" },
	{ "contract",	"show | template" },
	{ "invite",	"print a one-line, one-time invite code" },
	{ "join",	"join a group with an invite code" },
	{ "members",	"name, member id, role, status" },
	{ "revoke",	"remove a member (leaders only)" },
	{ "leave",	"leave the group" },
	{ "note",	"write | list | show | edit | delete" },
	{ "peer",	"add HOST:PORT | list" },
	{ "sync",	"ask for sync now; --wait returns when all peers are level" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: balint [--home DIR] [--json] COMMAND ...\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nbalint help | COMMAND --help | --version\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (sodium_init() < 0) {
		fprintf(stderr, "balint: cannot initialise libsodium\n");
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("balint %s\n", BAL_VERSION_STRING);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			fprintf(stderr, "balint: '%s' is not built yet "
			    "(this is the protocol-core release)\n", argv[1]);
			return 1;
		}
	}
	fprintf(stderr, "balint: unknown command '%s' (see: balint help)\n",
	    argv[1]);
	return 2;
}
