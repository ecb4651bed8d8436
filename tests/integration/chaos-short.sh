#!/bin/sh
# The short chaos test inside `make test`: three members write, edit and
# delete notes while daemons are killed (SIGKILL) and restarted, frozen
# (SIGSTOP/SIGCONT), and, as root with `ip netns`, cut off the network
# while they keep writing (two of them at once, each alone: a three-way
# partition), suspended (frozen and off the network) and rebooted while
# cut off; afterwards every member holds the same notes, every write the
# CLI reported as done is there, every store passes PRAGMA
# integrity_check.  The seed is random unless CHAOS_SEED is set; it is
# printed so a failure can be replayed.  `make chaos` is the full run
# (docs/testing-chaos.md).
CHAOS_MEMBERS=${CHAOS_MEMBERS:-3} CHAOS_OPS=${CHAOS_OPS:-20} \
CHAOS_FAULTS=${CHAOS_FAULTS:-5} CHAOS_REVOKE=${CHAOS_REVOKE:-0} \
	exec sh "$(dirname "$0")/../chaos/chaos.sh"
