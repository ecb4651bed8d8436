#!/bin/sh
# balint daemon start | stop | restart | status | log: start runs balintd
# in the background, locked, logging to DIR/balintd.log (no systemd here);
# status gives its pid (also in status --json); stop ends it cleanly;
# restart gives a new process; log shows its lines.
. "$(dirname "$0")/../lib/daemons.sh"

member anna protected
b anna daemon status 2>"$T/err"; [ $? -eq 3 ] || fail "status with no daemon is not exit 3"
grep -q "daemon start" "$T/err" || fail "status: $(cat "$T/err")"
b anna daemon stop | grep -q "not running" || fail "stop with no daemon"
b anna daemon frob 2>/dev/null; [ $? -eq 2 ] || fail "bad subcommand is not exit 2"
b anna daemon status --listen 1.2.3.4:5 2>/dev/null; [ $? -eq 2 ] || fail "--listen with status is not exit 2"

b anna daemon start --listen 127.0.0.1:0 >"$T/out" || fail "daemon start: $(cat "$T/out")"
# Its pid first, so that cleanup stops it whatever fails next.
pid=$(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/out")
PIDS="$PIDS $pid"
grep -q "balintd started (pid [0-9]*)" "$T/out" || fail "start: $(cat "$T/out")"
grep -q "locked: run balint unlock" "$T/out" || fail "start: $(cat "$T/out")"
kill -0 "$pid" || fail "no process $pid"
b anna --json status | grep -q "\"pid\": $pid" || fail "status --json has no pid $pid"
b anna daemon status | grep -q "running (pid $pid), locked" || fail "daemon status: $(b anna daemon status)"
b anna daemon start | grep -q "already running (pid $pid)" || fail "second start"
# It is a process of its own: not a child of this shell's session.
[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "balintd is not in a session of its own"

b anna unlock >/dev/null || fail "unlock"
b anna daemon status | grep -q "unlocked" || fail "not unlocked"
[ "$(stat -c %a "$T/anna/balintd.log")" = 600 ] || fail "log mode"
b anna daemon log >"$T/log" || fail "daemon log"
grep -q "anna ready: listening on 127.0.0.1:" "$T/log" || fail "log: $(cat "$T/log")"
[ "$(b anna daemon log -n 1 | wc -l)" -eq 1 ] || fail "log -n 1"
b anna daemon log -n x 2>/dev/null; [ $? -eq 2 ] || fail "log -n x is not exit 2"

b anna daemon restart --listen 127.0.0.1:0 >"$T/out" || fail "restart: $(cat "$T/out")"
pid2=$(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/out")
PIDS="$PIDS $pid2"
grep -q "balintd stopped" "$T/out" || fail "restart did not stop"
[ -n "$pid2" ] && [ "$pid2" != "$pid" ] || fail "restart: same or no pid ($pid2)"
kill -0 "$pid" 2>/dev/null && fail "the old balintd $pid still runs"
b anna daemon stop | grep -q "balintd stopped" || fail "stop"
kill -0 "$pid2" 2>/dev/null && fail "balintd $pid2 still runs after stop"
grep -q "balint daemon stop: shutting down" "$T/anna/balintd.log" || fail "no clean stop in the log"
[ "$(grep -c 'balintd: stopped$' "$T/anna/balintd.log")" -eq 2 ] || fail "not two clean stops"
b anna daemon status 2>/dev/null; [ $? -eq 3 ] || fail "status after stop is not exit 3"

# Run as systemd runs it (the environment of a service: INVOCATION_ID, and
# JOURNAL_STREAM naming stderr): status says so, and the lines carry no
# time stamp of their own, as the journal stamps them.
: >"$T/journal"
js=$(stat -c '%d:%i' "$T/journal")
INVOCATION_ID=0123abcd JOURNAL_STREAM=$js "$BALINTD" --home "$T/anna" \
    --locked --listen 127.0.0.1:0 2>>"$T/journal" &
PIDS="$PIDS $!"
until_ok 10 b anna status || fail "balintd as a service did not start"
b anna --json status | grep -q '"systemd": true' || fail "status: not systemd"
b anna daemon status | grep -q "its log: the journal" || fail "daemon status: $(b anna daemon status)"
grep -q '^balintd: anna is locked' "$T/journal" || fail "journal lines: $(cat "$T/journal")"
# No systemd runs here: stop says so and stops it directly.
b anna daemon stop >"$T/out" 2>"$T/err" || fail "stop: $(cat "$T/err")"
grep -q "systemctl --user stop balintd.service failed; stopping balintd directly" "$T/err" ||
	fail "stop: $(cat "$T/err")"
b anna daemon status >/dev/null 2>&1 && fail "still running"
echo "daemon: ok"
