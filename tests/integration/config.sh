#!/bin/sh
# The settings file ($XDG_CONFIG_HOME/balint/config) and balint config:
# get, set, unset, list, keys; unknown keys and bad values are usage
# errors; the group setting stands in for -g, the editor setting for
# $EDITOR, the listen setting for balintd's remembered address; a listen
# address (set or remembered) that is not on this machine is a warning and
# the default instead, never a refused start; --listen is still obeyed.
. "$(dirname "$0")/../lib/daemons.sh"

CONF=$XDG_CONFIG_HOME/balint/config
b x config get group >/dev/null 2>&1; [ $? -eq 1 ] || fail "get of an unset key is not exit 1"
b x config set colour blue 2>"$T/err"; [ $? -eq 2 ] || fail "unknown key is not exit 2"
grep -q "unknown setting 'colour'" "$T/err" || fail "unknown key: $(cat "$T/err")"
b x config set listen nowhere 2>"$T/err"; [ $? -eq 2 ] || fail "bad listen is not exit 2"
b x config set listen 1.2.3.4:99999 2>/dev/null; [ $? -eq 2 ] || fail "bad port is not exit 2"
b x config frobnicate 2>/dev/null; [ $? -eq 2 ] || fail "bad subcommand is not exit 2"
b x config set group 'Tuesday group' || fail "config set group"
[ "$(b x config get group)" = 'Tuesday group' ] || fail "config get group"
[ "$(stat -c %a "$CONF")" = 600 ] || fail "config file mode $(stat -c %a "$CONF")"
[ "$(stat -c %a "$(dirname "$CONF")")" = 700 ] || fail "config dir mode"
# A comment and an unknown key of the member's own are kept by set.
printf '# mine\nwho = me\n' >>"$CONF"
b x config set group Other >/dev/null || fail "config set again"
grep -qx '# mine' "$CONF" || fail "set dropped a comment"
[ "$(grep -c '^group' "$CONF")" -eq 1 ] || fail "set left two group lines"
b x config list >"$T/list" 2>"$T/list.err" || fail "config list"
grep -qx 'group = Other' "$T/list" || fail "list: $(cat "$T/list")"
grep -q "unknown setting 'who' on line 3" "$T/list.err" || fail "list warning: $(cat "$T/list.err")"
b x config unset group || fail "config unset"
b x config get group >/dev/null 2>&1 && fail "unset key still set"
b x config keys | grep -q '^listen ' || fail "config keys"

member anna
start anna
for g in Tuesday Thursday; do
	printf 'Name: %s group\n\nWhat is said here stays here.\n' $g >"$T/$g.txt"
	b anna group create --contract "$T/$g.txt" >/dev/null || fail "group create $g"
done
b anna note write -m one 2>"$T/err" && fail "note write with two groups and no -g"
b anna config set group 'Thursday group' || fail "config set group"
b anna note write -m 'into thursday' >/dev/null || fail "note write with the group setting"
b anna -g 'Thursday group' note list | grep -q . || fail "note not in Thursday"
[ "$(b anna -g 'Tuesday group' --json note list)" = '[]' ] || fail "note went to Tuesday"
# -g still wins over the setting.
b anna -g 'Tuesday group' note write -m 'into tuesday' >/dev/null || fail "-g over the setting"
[ "$(b anna -g 'Tuesday group' --json note list)" != '[]' ] || fail "-g did not win"

# The editor setting before $EDITOR.
cat >"$T/ed.sh" <<'ED'
#!/bin/sh
printf 'written by the configured editor\n' >"$1"
ED
chmod +x "$T/ed.sh"
b anna config set editor "$T/ed.sh" || fail "config set editor"
id=$(EDITOR=false b anna note write) || fail "note write with the editor setting"
b anna note show "$id" | grep -q 'written by the configured editor' || fail "editor setting unused"
b anna config unset editor

# The listen setting: balintd takes it over the address it remembers.
stop anna
port=$(free_port)
b anna config set listen "127.0.0.1:$port" | grep -q "when it starts" || fail "set listen does not say restart"
"$BALINTD" --home "$T/anna" >>"$T/anna.log" 2>&1 &
PID_anna=$!; PIDS="$PIDS $!"
until_ok 10 b anna status || fail "balintd with the listen setting did not start"
b anna status | grep -q "listening *127.0.0.1:$port" || fail "listen setting unused: $(b anna status)"
stop anna

# A configured address that is not on this machine: a warning, the
# default (or, if another program holds its port, any port) instead.
b anna config set listen 192.0.2.1:7451 >/dev/null
: >"$T/anna.log"
"$BALINTD" --home "$T/anna" >>"$T/anna.log" 2>&1 &
PID_anna=$!; PIDS="$PIDS $!"
until_ok 10 b anna status || fail "balintd refused a configured address not on this machine"
grep -q "configured listen address 192.0.2.1:7451 cannot be used (the address is not on this machine)" "$T/anna.log" ||
	fail "no warning: $(cat "$T/anna.log")"
b anna status | grep -q "listening *\(0.0.0.0\|\[::\]\):" || fail "not on the default: $(b anna status)"
stop anna
b anna config unset listen

# The same for the address it remembers (a laptop on another network).
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE meta SET value=? WHERE key=?", (b"192.0.2.7:7451", "listen")); c.commit()' "$T/anna/store.db" ||
	fail "cannot set the remembered address"
: >"$T/anna.log"
"$BALINTD" --home "$T/anna" >>"$T/anna.log" 2>&1 &
PID_anna=$!; PIDS="$PIDS $!"
until_ok 10 b anna status || fail "balintd refused a remembered address not on this machine"
grep -q "remembered listen address 192.0.2.7:7451 cannot be used" "$T/anna.log" ||
	fail "no warning: $(cat "$T/anna.log")"
stop anna

# --listen is the member's order: its failure refuses, naming the cause.
"$BALINTD" --home "$T/anna" --listen 192.0.2.1:7451 2>"$T/opt.err" &&
	fail "balintd started on a --listen address not on this machine"
grep -q "cannot listen on 192.0.2.1:7451 (the address is not on this machine)" "$T/opt.err" ||
	fail "--listen: $(cat "$T/opt.err")"
start anna
member anna2
"$BALINTD" --home "$T/anna2" --listen "$(addr anna)" 2>"$T/inuse.err" &&
	fail "balintd started on a port in use"
grep -q "the address is in use" "$T/inuse.err" || fail "in use: $(cat "$T/inuse.err")"

# The Tor settings: tor = on|off stands in for --tor (BALINT_TOR, the
# tests' default, still comes first), listen = none for --listen none.
b anna config set tor maybe 2>/dev/null; [ $? -eq 2 ] || fail "tor maybe is not exit 2"
b anna config set tor off >/dev/null || fail "config set tor off"
b anna config set listen none >/dev/null || fail "config set listen none"
stop anna
: >"$T/anna.log"
env -u BALINT_TOR "$BALINTD" --home "$T/anna" >>"$T/anna.log" 2>&1 &
PID_anna=$!; PIDS="$PIDS $!"
until_ok 10 b anna status || fail "balintd with tor off and listen none"
grep -q "no TCP listener" "$T/anna.log" || fail "listen none unused: $(cat "$T/anna.log")"
grep -q "listen none and no tor" "$T/anna.log" || fail "tor setting unused: $(cat "$T/anna.log")"
stop anna
echo "config: ok"
