/* main.c — balintd, the member's sync daemon (entry point). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "bal.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: balintd [--home DIR] [--listen HOST:PORT]\n"
	    "  run the daemon in the foreground (logs to stderr)\n");
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "balintd: cannot initialise libsodium\n");
		return 1;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("balintd %s\n", BAL_VERSION_STRING);
		return 0;
	}
	usage(stderr);
	return 2;
}
