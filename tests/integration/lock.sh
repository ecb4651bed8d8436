#!/bin/sh
# balintd --locked: only the control socket, nothing synced, status says
# so (with its pid); balint unlock hands it the passphrase (a wrong one
# leaves it locked), and it syncs; balint lock makes it forget the key
# (same process, locked again, the port closed); an unprotected key needs
# no unlock.  A member whose daemon was locked catches up once unlocked.
. "$(dirname "$0")/../lib/daemons.sh"

member anna protected
member ben protected
start ben
listening() { python3 -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1',$1))==0 else 1)"; }
# start_locked NAME — balintd --locked, without the passphrase file.
start_locked() {
	[ -f "$T/$1.port" ] || free_port >"$T/$1.port"
	env -u BALINT_PASSPHRASE_FILE "$BALINTD" --home "$T/$1" --locked \
	    --listen "127.0.0.1:$(cat "$T/$1.port")" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	until_ok 10 b "$1" status || fail "locked $1 did not come up"
}
start_locked anna
port=$(cat "$T/anna.port")
b anna status >"$T/st" || fail "status of a locked daemon"
grep -q "is locked: it syncs nothing until you run: balint unlock" "$T/st" || fail "status: $(cat "$T/st")"
b anna --json status | grep -q "\"pid\": $PID_anna, \"locked\": true" || fail "json: $(b anna --json status)"
listening "$port" && fail "a locked daemon listens on $port"
b anna note list 2>"$T/err"; [ $? -eq 1 ] || fail "note list on a locked daemon is not exit 1"
grep -q "balintd is locked.*balint unlock" "$T/err" || fail "locked refusal: $(cat "$T/err")"
# The same refusal and status in the member's language (i18n.sh).
LANGUAGE=sv b anna note list 2>"$T/err"
grep -q "^balint: balintd är låst: inget synkas förrän du låser upp den (kör: balint unlock)" \
    "$T/err" || fail "locked refusal in Swedish: $(cat "$T/err")"
LANGUAGE=he b anna status | grep -q "^balintd .* של anna (pid $PID_anna) נעול: " ||
	fail "locked status in Hebrew: $(LANGUAGE=he b anna status)"

# A wrong passphrase: refused, still locked.
printf 'not it\n' >"$T/wrong"; chmod 600 "$T/wrong"
BALINT_PASSPHRASE_FILE=$T/wrong b anna unlock 2>"$T/err"; [ $? -eq 1 ] || fail "wrong passphrase is not exit 1"
grep -q "wrong passphrase" "$T/err" || fail "wrong: $(cat "$T/err")"
LANGUAGE=sv BALINT_PASSPHRASE_FILE=$T/wrong b anna unlock 2>"$T/err"
grep -q "fel lösenfras för '.*identity.key' (eller så har nyckelfilen ändrats)" "$T/err" ||
	fail "wrong passphrase in Swedish: $(cat "$T/err")"
b anna --json status | grep -q '"locked": true' || fail "unlocked by a wrong passphrase"

b anna unlock >"$T/out" || fail "unlock"
grep -q "unlocked" "$T/out" || fail "unlock said: $(cat "$T/out")"
b anna --json status | grep -q "\"pid\": $PID_anna, \"locked\": false" || fail "not unlocked"
listening "$port" || fail "unlocked daemon does not listen"
b anna unlock | grep -q "already unlocked" || fail "second unlock"
printf 'Name: Locks\n\nWhat is said here stays here.\n' >"$T/c.txt"
b anna group create --contract "$T/c.txt" >/dev/null || fail "group create"
code=$(b anna invite) || fail "invite"
b ben join --accept "$code" >/dev/null || fail "ben joins"
b anna note write -m 'before the lock' >/dev/null || fail "write"

# lock: the same process, without the key, syncing nothing.
b anna lock | grep -q "^locked" || fail "lock"
b anna --json status | grep -q "\"pid\": $PID_anna, \"locked\": true" || fail "not locked again (same pid)"
listening "$port" && fail "a locked daemon still listens"
b anna note list 2>/dev/null && fail "notes readable after lock"
grep -q "balint lock: closing every session and wiping the key" "$T/anna.log" || fail "no lock log"
b anna lock | grep -q "already locked" || fail "second lock"

# While anna is locked ben writes; once unlocked she catches up.
b ben note write -m 'while anna was locked' >/dev/null || fail "ben writes"
b anna unlock >/dev/null || fail "unlock again"
until_ok 20 sh -c "'$BALINT' --home '$T/anna' note list | grep -q ' ben '" ||
	fail "anna did not catch up after unlock: $(b anna note list)"
stop anna

# An unprotected key unlocks itself even with --locked.
env -u BALINT_PASSPHRASE_FILE "$BALINT" --home "$T/open" init --name Open --no-passphrase >/dev/null 2>&1 ||
	fail "init --no-passphrase"
start_locked open
b open --json status | grep -q '"locked": false' || fail "unprotected key stayed locked"

# --locked without a profile says what to do.
"$BALINTD" --home "$T/none" --locked 2>"$T/err"; [ $? -eq 1 ] || fail "no profile is not exit 1"
grep -q "init --name NAME" "$T/err" || fail "no profile: $(cat "$T/err")"
echo "lock: ok"
