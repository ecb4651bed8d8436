#!/bin/sh
# balint unlock --remember keeps the passphrase in the login keyring
# (Secret Service, here Debian's gnome-keyring on a private D-Bus session,
# its login keyring unlocked with a test password), and balintd --locked
# unlocks itself from it at start; balint lock does not ask it again; a
# wrong passphrase is never kept; --forget removes it.  Normal tree only
# (gnome-keyring and D-Bus are not built with the sanitizers).
case "${BUILD:-}" in */san) echo "normal tree only"; exit 77 ;; esac
if [ "${1:-}" != inner ]; then
	for t in dbus-run-session gnome-keyring-daemon secret-tool; do
		command -v $t >/dev/null || { echo "FAIL: no $t (make deps)"; exit 1; }
	done
	# The keyring's files and sockets live in a directory of their own.
	KT=$(mktemp -d "${TMPDIR:-/tmp}/balint-kr.XXXXXX")
	mkdir -m 700 "$KT/home" "$KT/run"
	HOME=$KT/home XDG_RUNTIME_DIR=$KT/run dbus-run-session -- \
	    sh "$0" inner >"$KT/out" 2>&1
	rc=$?
	grep -v 'Failed to set fd limit' "$KT/out"
	rm -rf "$KT"
	exit $rc
fi
. "$(dirname "$0")/../lib/daemons.sh"

printf 'keyring test password' | gnome-keyring-daemon --unlock \
    --components=secrets >/dev/null || fail "gnome-keyring-daemon --unlock"
member anna protected
start_locked() {
	env -u BALINT_PASSPHRASE_FILE "$BALINTD" --home "$T/anna" --locked \
	    --listen 127.0.0.1:0 >>"$T/anna.log" 2>&1 &
	PID_anna=$!
	PIDS="$PIDS $!"
	until_ok 10 b anna status || fail "locked anna did not come up"
}
is_locked() { b anna --json status | grep -q "\"locked\": $1"; }
start_locked
until_ok 10 grep -q "no passphrase in the login keyring" "$T/anna.log" ||
	fail "the daemon did not ask the keyring: $(cat "$T/anna.log")"
is_locked true || fail "unlocked with nothing in the keyring"

# A wrong passphrase is never kept.
printf 'not it\n' >"$T/wrong"; chmod 600 "$T/wrong"
BALINT_PASSPHRASE_FILE=$T/wrong b anna unlock --remember 2>/dev/null && fail "wrong passphrase accepted"
secret-tool lookup profile "$T/anna" >/dev/null 2>&1 && fail "a wrong passphrase was kept"

b anna unlock --remember >"$T/out" || fail "unlock --remember: $(cat "$T/out")"
grep -q "kept in your login keyring" "$T/out" || fail "remember: $(cat "$T/out")"
[ "$(secret-tool lookup profile "$T/anna")" = "test passphrase" ] ||
	fail "the keyring does not hold the passphrase"

# A "reboot": stopped and started locked, it unlocks itself.
stop anna
start_locked
until_ok 20 is_locked false || fail "not unlocked from the keyring: $(tail -3 "$T/anna.log")"
grep -q "unlocked with the passphrase from the login keyring" "$T/anna.log" || fail "no log of it"

# balint lock: locked again, and the keyring is not asked this time.
n=$(grep -c "asking the login keyring" "$T/anna.log")
b anna lock >/dev/null || fail "lock"
is_locked true || fail "lock did not lock"
b anna status >/dev/null || fail "status after lock"
[ "$(grep -c "asking the login keyring" "$T/anna.log")" = "$n" ] || fail "lock asked the keyring again"
is_locked true || fail "unlocked itself after balint lock"

# --forget: gone from the keyring; the next start waits for unlock.
b anna unlock --forget | grep -q "removed from the login keyring" || fail "forget"
secret-tool lookup profile "$T/anna" >/dev/null 2>&1 && fail "still in the keyring"
b anna unlock --forget | grep -q "no passphrase was kept" || fail "forget twice"
stop anna
: >"$T/anna.log"
start_locked
until_ok 10 grep -q "no passphrase in the login keyring" "$T/anna.log" || fail "no lookup"
is_locked true || fail "unlocked after --forget"
echo "keyring: ok"
