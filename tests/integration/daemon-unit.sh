#!/bin/sh
# balint's side of the systemd user unit, with systemctl and journalctl
# played by small scripts (no systemd runs on the test machine; the unit
# file itself is checked by install.sh with systemd-analyze verify): for
# the default profile, init on a terminal offers to enable the unit and
# runs systemctl --user enable --now; daemon start, stop and log go
# through systemctl and journalctl; with --home, or without the unit, they
# do not.
case "${BUILD:-}" in */san) echo "normal tree only (daemon.sh runs the same code there)"; exit 77 ;; esac
. "$(dirname "$0")/../lib/daemons.sh"

export XDG_DATA_HOME=$T/data HOME=$T/home
mkdir -p "$T/bin" "$HOME"
export T BALINTD
cat >"$T/bin/systemctl" <<'SC'
#!/bin/sh
# systemctl --user, as far as balint uses it; every call is recorded.
echo "$*" >>"$T/calls"
case "$*" in
"--user --quiet cat balintd.service") [ -f "$T/unit-installed" ] ;;
"--user start balintd.service"|"--user enable --now balintd.service")
	: >"$T/journal"
	INVOCATION_ID=stub JOURNAL_STREAM=$(stat -c %d:%i "$T/journal") \
	    setsid "$BALINTD" --locked --listen 127.0.0.1:0 \
	    </dev/null >/dev/null 2>>"$T/journal" &
	echo $! >"$T/unit.pid" ;;
"--user stop balintd.service") kill "$(cat "$T/unit.pid")" ;;
*) exit 1 ;;
esac
SC
cat >"$T/bin/journalctl" <<'JC'
#!/bin/sh
echo "journalctl $*" >>"$T/calls"
cat "$T/journal"
JC
chmod +x "$T/bin/systemctl" "$T/bin/journalctl"
export PATH="$T/bin:$PATH"
touch "$T/unit-installed"
unit_pid() { cat "$T/unit.pid"; }

# init on a terminal, for the default profile, with the unit there.
printf 'y\n' | script -qec "'$BALINT' init --name Uma" /dev/null >"$T/tty.out" 2>&1 ||
	fail "init: $(cat "$T/tty.out")"
grep -q "Start balintd now, and at every login (systemd user unit)" "$T/tty.out" ||
	fail "no unit offer: $(cat "$T/tty.out")"
[ -f "$T/unit.pid" ] && PIDS="$PIDS $(unit_pid)"
grep -qx -- "--user enable --now balintd.service" "$T/calls" || fail "calls: $(cat "$T/calls")"
grep -q "balintd runs, and starts at every login" "$T/tty.out" || fail "init: $(cat "$T/tty.out")"
"$BALINT" --json status | grep -q '"systemd": true' || fail "not run as a service"
"$BALINT" daemon log >"$T/log" || fail "daemon log"
grep -q "journalctl --user -u balintd.service -n 50 --no-pager" "$T/calls" || fail "log: $(cat "$T/calls")"
grep -q "^balintd: Uma is locked" "$T/log" || fail "log: $(cat "$T/log")"

"$BALINT" daemon stop | grep -q "balintd stopped" || fail "stop"
grep -qx -- "--user stop balintd.service" "$T/calls" || fail "stop did not use systemctl"
"$BALINT" daemon start >"$T/out"
PIDS="$PIDS $(unit_pid)"
grep -q "started (pid [0-9]*, by systemd)" "$T/out" || fail "start: $(cat "$T/out")"
grep -qx -- "--user start balintd.service" "$T/calls" || fail "start did not use systemctl"
"$BALINT" daemon stop >/dev/null || fail "stop again"

# Another profile (--home) is not the unit's: started directly.
member other protected
: >"$T/calls"
b other daemon start --listen 127.0.0.1:0 >"$T/out" || fail "start --home"
PIDS="$PIDS $(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/out")"
grep -q "start balintd.service" "$T/calls" && fail "--home went through the unit"
b other daemon stop >/dev/null || fail "stop --home"
# No unit installed: started directly, and init offers no login start.
rm "$T/unit-installed"
"$BALINT" daemon start >"$T/out" || fail "start without the unit"
PIDS="$PIDS $(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/out")"
grep -q "by systemd" "$T/out" && fail "without the unit: $(cat "$T/out")"
"$BALINT" daemon stop >/dev/null || fail "stop without the unit"
echo "daemon-unit: ok"
