/*
 * settings.h — what balintd takes from the member's settings file
 * ($XDG_CONFIG_HOME/balint/config, proto/config.h) at start.  To read a
 * new daemon key: a row in config.c's table, a field here, a line in
 * settings_load.
 */
#ifndef BAL_SETTINGS_H
#define BAL_SETTINGS_H

#include "daemon.h"

struct settings {
	char path[PROFILE_PATH_MAX];	/* the file ("" when none) */
	char listen[DAEMON_ADDR_MAX];	/* "listen", or "" */
	char tor[4];			/* "tor": "on", "off" or "" */
	char tor_control[DAEMON_ADDR_MAX];	/* "tor-control", or "" */
	char lan[4];			/* "lan-discovery": "on", "off", "" */
	char portmap[4];		/* "portmap": "on", "off" or "" */
	char punch[4];			/* "hole-punching": "on", "off", "" */
	char web_port[8];		/* "web-port", or "" */
};

/*
 * settings_load reads the file into *s (all empty when there is none);
 * every problem is logged and skipped, once: later calls give the same
 * settings again without reading the file.  Always 0.
 */
int settings_load(struct settings *s);

#endif
