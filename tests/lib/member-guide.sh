# tests/lib/member-guide.sh — run by tests/integration/package.sh inside
# a private D-Bus session with an unlocked gnome-keyring: the member guide
# (docs/member-guide.md) step by step, with the installed package's
# binaries only.  T is the scenario's directory; exit 0 when every step
# did what the guide says.
set -u
B=/usr/bin/balint
fail() { echo "FAIL (member guide): $*" >&2; exit 1; }
# until_ok SECONDS CMD...
until_ok() {
	_n=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1)); [ $_n -gt 0 ] || return 1; sleep 0.1
	done
}
pid_of() { sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$1"; }

printf 'keyring test password' | gnome-keyring-daemon --unlock \
    --components=secrets >/dev/null || fail "gnome-keyring-daemon --unlock"

# The leader, Anna, founds the group (leader guide), her passphrase in a file.
export BALINT_PASSPHRASE_FILE=$T/passphrase
A="$B --home $T/anna"
$A init --name Anna >/dev/null || fail "anna init"
$A daemon start --listen 127.0.0.1:0 >"$T/anna.start" || fail "anna start"
echo "$(pid_of "$T/anna.start")" >>"$T/pids"
$A unlock >/dev/null || fail "anna unlock"
$A contract template | sed 's/^Name: .*/Name: Tuesday group/' >"$T/contract.txt"
$A group create --contract "$T/contract.txt" >/dev/null || fail "group create"
code=$($A invite --name Ben 2>/dev/null) || fail "invite"

# Ben follows the member guide.  "Create your identity".
unset BALINT_PASSPHRASE_FILE
P="$B --home $T/ben"
printf 'test passphrase\n' >"$T/ben.pass"; chmod 600 "$T/ben.pass"
BALINT_PASSPHRASE_FILE=$T/ben.pass $P init --name Ben >"$T/ben.init" </dev/null ||
	fail "ben init"
grep -q "^member id: *bm" "$T/ben.init" || fail "init printed no member id"
# "Start the daemon": locked until unlock, as the guide says.
$P daemon start --listen 127.0.0.1:0 >"$T/ben.start" || fail "ben daemon start"
echo "$(pid_of "$T/ben.start")" >>"$T/pids"
grep -q "locked: run balint unlock" "$T/ben.start" || fail "start: $(cat "$T/ben.start")"
$P status | grep -q "is locked" || fail "status does not say locked"
# "Unlock it", typed on a terminal, kept in the login keyring.
# (typed once the prompt shows: the terminal drops what came before it)
: >"$T/ben.unlock"
{ until_ok 30 grep -q "passphrase of Ben" "$T/ben.unlock"; printf 'test passphrase\n'; } |
	script -qfec "$P unlock --remember" /dev/null >"$T/ben.unlock" 2>&1 ||
	fail "unlock --remember: $(cat "$T/ben.unlock")"
grep -q "kept in your login keyring" "$T/ben.unlock" || fail "not remembered: $(cat "$T/ben.unlock")"
# "Join the group".
$P join --accept "$code" >/dev/null 2>&1 || fail "ben join"
$P members | grep -q "Anna" || fail "members has no Anna"
# "Write and read notes".
printf 'The patient who brings gifts, first session.\n' |
	$P note write --kind case --case K7 --title "Gifts" -F - >"$T/ben.note" || fail "ben write"
$A note write -m 'Anna after the session' --title "From Anna" >/dev/null || fail "anna write"
$P sync --wait --timeout 60s >/dev/null || fail "ben sync"
until_ok 30 sh -c "$A note list | grep -q Gifts" || fail "Anna did not get Ben's note"

# "After a reboot": the daemon stops, and starts without a passphrase typed.
$P daemon stop | grep -q "balintd stopped" || fail "ben daemon stop"
$P daemon start --listen 127.0.0.1:0 >"$T/ben.start2" </dev/null || fail "ben start again"
echo "$(pid_of "$T/ben.start2")" >>"$T/pids"
until_ok 30 sh -c "$P --json status | grep -q '\"locked\": false'" ||
	fail "ben's daemon did not unlock itself from the keyring"
$P note list >"$T/ben.list" || fail "ben note list after the reboot"
grep -q "Gifts" "$T/ben.list" && grep -q "From Anna" "$T/ben.list" ||
	fail "notes after the reboot: $(cat "$T/ben.list")"
$P note show "$(cat "$T/ben.note")" | grep -q "brings gifts" || fail "note show"
$P daemon log | grep -q "unlocked with the passphrase from the login keyring" ||
	fail "daemon log: $($P daemon log)"
$P daemon stop >/dev/null; $A daemon stop >/dev/null
echo "member guide: ok"
