#!/bin/sh
# The first minutes on a new machine: with no profile, every command says
# in one line to run balint init first (and balintd too); with a profile
# and no daemon, to start it with balint daemon start; init on a terminal
# offers to start balintd and does; usage mistakes exit 2.
. "$(dirname "$0")/../lib/daemons.sh"

N=$T/new	# a profile that does not exist yet
for args in "status" "members" "note list" "group list" "invite" "sync" \
    "peer list" "unlock" "lock" "daemon status" "daemon start" \
    "daemon log" "join balint-invite:x --accept"; do
	# shellcheck disable=SC2086
	"$BALINT" --home "$N" $args >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 3 ] || fail "$args with no profile: exit $rc"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$args: not one line: $(cat "$T/err")"
	grep -q "there is no profile in $N yet: first run balint --home '$N' init --name NAME" "$T/err" ||
		fail "$args: $(cat "$T/err")"
done
# Without --home the line is the one to type.
HOME=$T/home XDG_DATA_HOME= BALINT_HOME= "$BALINT" status 2>"$T/err"
grep -q "first run balint init --name NAME" "$T/err" || fail "default profile: $(cat "$T/err")"
"$BALINTD" --home "$N" 2>"$T/err"; [ $? -eq 1 ] || fail "balintd with no profile"
grep -q "init --name NAME" "$T/err" || fail "balintd: $(cat "$T/err")"
[ -e "$N" ] && fail "a command made the profile directory"

# A profile, no daemon: start it.
member anna
b anna status 2>"$T/err"; [ $? -eq 3 ] || fail "status with no daemon"
grep -q "balintd is not running for $T/anna (start it: balint --home '$T/anna' daemon start)" "$T/err" ||
	fail "no daemon: $(cat "$T/err")"

# Usage mistakes: exit 2.
for args in "" "frobnicate" "--bogus status" "daemon" "daemon start --bogus" \
    "unlock extra" "unlock --remember --forget" "config" "config get" \
    "lock --now" "complete" "note"; do
	# shellcheck disable=SC2086
	b anna $args >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "'balint $args' exits $rc, not 2"
done

# init on a terminal offers to start balintd (script(1) gives it one).
if command -v script >/dev/null 2>&1; then
	printf 'y\n' | script -qec "'$BALINT' --home '$T/nia' init --name Nia" \
	    /dev/null >"$T/tty.out" 2>&1 || fail "init on a terminal: $(cat "$T/tty.out")"
	pid=$(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/tty.out")
	PIDS="$PIDS $pid"
	grep -q "Start balintd now" "$T/tty.out" || fail "no offer: $(cat "$T/tty.out")"
	grep -q "balintd started (pid" "$T/tty.out" || fail "not started: $(cat "$T/tty.out")"
	b nia --json status | grep -q "\"pid\": $pid, \"locked\": true" || fail "nia's balintd"
	b nia daemon stop >/dev/null || fail "stop nia"
	# Declined: nothing started.
	printf 'n\n' | script -qec "'$BALINT' --home '$T/ola' init --name Ola" \
	    /dev/null >"$T/tty.out" 2>&1 || fail "init, declined"
	grep -q "start it later with: balint daemon start" "$T/tty.out" || fail "declined: $(cat "$T/tty.out")"
	b ola status >/dev/null 2>&1 && fail "started though declined"
fi
# Not on a terminal: init asks nothing.
b pia init --name Pia </dev/null >"$T/out" 2>&1 || fail "init"
grep -q "Start balintd" "$T/out" && fail "init asked without a terminal"
echo "first-minutes: ok"
