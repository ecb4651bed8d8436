#!/bin/sh
# balintd keeps its keys out of core files and away from ptrace: a running
# daemon has a core file limit of 0 (/proc/PID/limits) and is not dumpable.
# A non-dumpable process's /proc/PID files belong to root, whoever runs it,
# so the second check runs a daemon as user nobody (setpriv) and looks at
# the owner of /proc/PID/status: root, not nobody.
. "$(dirname "$0")/../lib/daemons.sh"

member alice
# The daemon inherits a core limit above 0 (if the hard limit allows one),
# so a limit of 0 is its own doing.
ulimit -c unlimited 2>/dev/null || ulimit -c 1024 2>/dev/null || true
start alice
eval "pid=\$PID_alice"
grep -q '^Max core file size *0 *0 ' "/proc/$pid/limits" ||
	fail "core dumps are on: $(grep '^Max core' "/proc/$pid/limits")"

command -v setpriv >/dev/null 2>&1 || { echo "no setpriv: dumpable not checked"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "not root: dumpable not checked"; exit 0; }
NOBODY=65534
D=$(mktemp -d "${TMPDIR:-/tmp}/balint-hard.XXXXXX")
chmod 755 "$D"
chown $NOBODY:$NOBODY "$D"
asnobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }
asnobody "$BALINT" --home "$D/p" init --name nob --no-passphrase >/dev/null 2>&1 ||
	{ rm -rf "$D"; fail "init as nobody"; }
port=$(free_port)
XDG_CONFIG_HOME=$D setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	"$BALINTD" --home "$D/p" --listen "127.0.0.1:$port" >"$T/nob.log" 2>&1 &
npid=$!
PIDS="$PIDS $npid"
i=0
until asnobody "$BALINT" --home "$D/p" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { rm -rf "$D"; fail "nobody's daemon did not come up"; }
	sleep 0.1
done
owner=$(stat -c %u "/proc/$npid/status")
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$npid/status")
kill "$npid"; wait "$npid" 2>/dev/null
rm -rf "$D"
[ "$uid" = $NOBODY ] || fail "the daemon runs as uid $uid, not nobody"
[ "$owner" = 0 ] || fail "balintd is dumpable (its /proc files belong to uid $owner)"
exit 0
