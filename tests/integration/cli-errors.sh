#!/bin/sh
# cli-errors.sh — balint's error paths: exit codes and one-line messages.
# Run by tests/run.sh with BUILD=/abs/path/to/build.  Starts a daemon only
# if this build's balintd can run one (--listen, BALINT_PASSPHRASE_FILE).
set -u
BUILD=${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
B=$BUILD/balint
T=$(mktemp -d "${TMPDIR:-/tmp}/balint-cli.XXXXXX")
DPID=
cleanup() {
	if [ -n "$DPID" ]; then kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT
export LANGUAGE=en	# the messages checked here are the English ones
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect CODE CMD... : runs CMD, checks the exit code, keeps stderr in $T/err
expect() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$* exited $got, want $want"; sed 's/^/    /' "$T/err"
	fi
	if [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -lt 1 ]; then
		fail "$*: no error message"
	fi
}
# one_line: an error is one line (usage listings excepted).
one_line() {
	[ "$(wc -l <"$T/err")" -eq 1 ] || { fail "$1: not one line:"; sed 's/^/    /' "$T/err"; }
}

expect 2 "$B" frobnicate
grep -q "unknown command 'frobnicate'" "$T/err" || fail "unknown command not quoted"
grep -q "usage: balint" "$T/err" || fail "no usage on stderr"
expect 2 "$B"
expect 2 "$B" --bogus
expect 0 "$B" --version
grep -q '^balint ' "$T/out" || fail "--version prints nothing"
expect 0 "$B" help
for c in init status group contract invite join members revoke leave note \
    peer sync; do
	expect 0 "$B" "$c" --help
	grep -q "usage: balint" "$T/out" || fail "$c --help has no usage"
	expect 0 "$B" help "$c"
	grep -q "usage: balint" "$T/out" || fail "help $c has no usage"
done
expect 0 "$B" note write --help
expect 2 "$B" note
expect 2 "$B" note frob
one_line "note frob"
expect 2 "$B" note write --bogus
one_line "note write --bogus"
grep -q "'--bogus'" "$T/err" || fail "bad option not quoted"

# No daemon: exit 3 with what to do.
H=$T/nodaemon
mkdir -p "$H"
for args in "status" "group list" "members" "note list" "peer list" \
    "note show abcd" "sync" "note write -m x" "note delete abcd" \
    "invite" "contract show" "peer add 127.0.0.1:9" \
    "join balint-invite:x --accept"; do
	# shellcheck disable=SC2086
	expect 3 "$B" --home "$H" $args
	one_line "$args"
	grep -q "there is no profile in $H yet: first run balint --home '$H' init --name NAME" \
	    "$T/err" || fail "$args: wrong message"
done

# init: bad names, twice, passphrase handling.
printf 'correct horse\n' >"$T/pass"
export BALINT_PASSPHRASE_FILE="$T/pass"
expect 2 "$B" --home "$T/a" init
expect 2 "$B" --home "$T/a" init --name ""
one_line "init --name ''"
expect 2 "$B" --home "$T/a" init --name "$(printf 'bad\033[2Jname')"
grep -q "bad name 'bad?\[2Jname'" "$T/err" || fail "bad name not quoted safely"
expect 2 "$B" --home "$T/a" init --name \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
# Newlines, tabs, DEL, C1 controls, bidirectional overrides, bad UTF-8,
# blanks only or at either end: refused, one line, nothing created.
for n in "$(printf 'two\nlines')" "$(printf 'tab\there')" \
    "$(printf 'del\177')" "$(printf 'c1\302\205x')" \
    "$(printf '\342\200\256evil')" "$(printf 'bad\377utf8')" \
    "   " " lead" "trail " "$(printf 'cr\r')"; do
	expect 2 "$B" --home "$T/a" init --name "$n"
	one_line "init --name with a control character or blank"
	grep -q "^balint: bad name '" "$T/err" || fail "bad name message"
done
[ ! -e "$T/a/identity.key" ] || fail "a refused init wrote a key"
[ ! -e "$T/a/name" ] || fail "a refused init wrote a name"
# A passphrase file that others can read is refused, in one line.
chmod 644 "$T/pass"
expect 1 "$B" --home "$T/a" init --name "Ann Example"
one_line "init with a readable passphrase file"
grep -q "BALINT_PASSPHRASE_FILE '$T/pass' can be read by others (mode 644); run: chmod 600" \
	"$T/err" || fail "readable passphrase file: $(cat "$T/err")"
[ ! -e "$T/a/identity.key" ] || fail "init with a readable passphrase file wrote a key"
chmod 600 "$T/pass"
expect 0 "$B" --home "$T/a/deep/er" init --name "Ann Example"
grep -q '^member id: *bm' "$T/out" || fail "init prints no member id"
grep -q '^fingerprint: ' "$T/out" || fail "init prints no fingerprint"
[ "$(stat -c %a "$T/a/deep/er")" = 700 ] || fail "profile dir not 0700"
[ "$(stat -c %a "$T/a/deep/er/identity.key")" = 600 ] || fail "key not 0600"
[ "$(cat "$T/a/deep/er/name")" = "Ann Example" ] || fail "name file"
expect 1 "$B" --home "$T/a/deep/er" init --name "Ann Example"
one_line "init twice"
grep -q "already initialised" "$T/err" || fail "init twice: message"
unset BALINT_PASSPHRASE_FILE
expect 0 "$B" --home "$T/np" init --name Bob --no-passphrase
grep -q "not protected" "$T/err" || fail "--no-passphrase: no warning"
export BALINT_PASSPHRASE_FILE="$T/pass"

# Offline commands and argument checks that need no daemon.
expect 0 "$B" contract template
grep -q '^Name:' "$T/out" || fail "template has no Name: line"
cp "$T/out" "$T/contract.txt"
expect 2 "$B" --home "$H" group create
expect 1 "$B" --home "$H" group create --contract "$T/missing"
grep -q "'$T/missing'" "$T/err" || fail "missing contract file not quoted"
expect 2 "$B" --home "$H" note write --kind weird -m x
grep -q "unknown note kind 'weird'" "$T/err" || fail "bad kind message"
expect 2 "$B" --home "$H" note write -m x -F "$T/pass"
expect 1 "$B" --home "$H" note write -m "   "
grep -q "empty note" "$T/err" || fail "empty note message"
expect 2 "$B" --home "$H" invite --expires soon
expect 2 "$B" --home "$H" revoke
expect 3 "$B" --home "$H" revoke --yes someone
# revoke asks first; no terminal and no --yes: refused before anything.
expect 2 "$B" --home "$H" revoke someone
grep -q "no terminal to confirm the revocation: add --yes" "$T/err" ||
	fail "revoke without a terminal: $(cat "$T/err")"
expect 3 "$B" --home "$H" leave --yes
expect 2 "$B" --home "$H" join
expect 2 "$B" --home "$H" peer add nocolon
grep -q "bad address 'nocolon'" "$T/err" || fail "bad address message"
expect 2 "$B" --home "$H" note show
expect 2 "$B" --home "$H" note show a b
# Missing arguments and option values: exit 2, one line, before any daemon.
for args in "note edit" "note delete" "peer add" "note write -m" \
    "note write --title" "note list --case" "invite --expires" \
    "join --timeout" "group create --contract"; do
	# shellcheck disable=SC2086
	expect 2 "$B" --home "$H" $args
	one_line "$args"
done
expect 2 "$B" --home
one_line "--home without a directory"
expect 2 "$B" --home "$H" -g
one_line "-g without a group"
expect 2 "$B" --home "$H" -g "" members
one_line "-g ''"
# Note fields over their limits or with control characters: exit 2.
expect 2 "$B" --home "$H" note write --title "$(printf 'a\nb')" -m x
grep -q "bad --title 'a?b'" "$T/err" || fail "title with a newline: message"
expect 2 "$B" --home "$H" note write --case "$(printf 'K\0331')" -m x
expect 2 "$B" --home "$H" note write -m x --title \
    "$(head -c 201 /dev/zero | tr '\0' t)"
one_line "--title of 201 bytes"
expect 2 "$B" --home "$H" note write -m x --case \
    "$(head -c 65 /dev/zero | tr '\0' c)"
expect 2 "$B" --home "$H" invite --name "$(printf 'x\ny')"
expect 2 "$B" --home "$H" invite --name " padded "

# With a daemon, if this build can run one.
D=$T/a/deep/er
if "$BUILD/balintd" --help 2>/dev/null | grep -q -- --listen; then
	"$BUILD/balintd" --home "$D" --listen 127.0.0.1:0 >"$T/daemon.log" 2>&1 &
	DPID=$!
	i=0
	while [ ! -S "$D/balintd.sock" ] && [ $i -lt 100 ] &&
	    kill -0 "$DPID" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	if ! kill -0 "$DPID" 2>/dev/null; then
		wait "$DPID"; DPID=
		echo "balintd cannot run a daemon yet: daemon scenarios skipped"
	elif [ -S "$D/balintd.sock" ]; then
		[ "$(stat -c %a "$D/balintd.sock")" = 600 ] || fail "socket not 0600"
		expect 0 "$B" --home "$D" status
		grep -q "Ann Example" "$T/out" || fail "status: no name"
		expect 0 "$B" --home "$D" --json status
		grep -q '"kind": "daemon"' "$T/out" || fail "status --json"
		expect 1 "$B" --home "$D" members
		one_line "members with no group"
		sed 's/^Name: .*/Name: Test group/' "$T/contract.txt" >"$T/c2.txt"
		expect 0 "$B" --home "$D" group create --contract "$T/c2.txt"
		GID=$(cat "$T/out")
		[ ${#GID} -eq 64 ] || fail "group create printed '$GID'"
		expect 0 "$B" --home "$D" group list
		grep -q "Test group" "$T/out" || fail "group list"
		expect 0 "$B" --home "$D" contract show
		grep -q "^Name: *Test group" "$T/out" || fail "contract show"
		expect 0 "$B" --home "$D" members
		grep -q "Ann Example *leader *active" "$T/out" || fail "members"
		expect 0 "$B" --home "$D" note write --title "T1" -m "marker text"
		NID=$(cat "$T/out")
		expect 0 "$B" --home "$D" note show "$NID"
		grep -q "marker text" "$T/out" || fail "note show"
		expect 0 "$B" --home "$D" --json note list
		grep -q "\"note\": \"$NID\"" "$T/out" || fail "note list --json"
		expect 1 "$B" --home "$D" note show abcd
		one_line "note show abcd"
		grep -q "unknown note 'abcd' (see: balint note list)" "$T/err" ||
		    fail "unknown note message"
		expect 0 "$B" --home "$D" note edit "$NID" -m "second text"
		# delete asks first: no terminal, no --yes: refused, kept.
		expect 2 "$B" --home "$D" note delete "$NID"
		one_line "note delete without a terminal"
		grep -q "no terminal to confirm deleting the note: add --yes" \
		    "$T/err" || fail "note delete without --yes: message"
		expect 0 "$B" --home "$D" note show "$NID"
		expect 0 "$B" --home "$D" note delete --yes "$NID"
		grep -q "^deleted the note $NID 'T1'" "$T/out" ||
		    fail "note delete does not say what it did: $(cat "$T/out")"
		expect 1 "$B" --home "$D" note show "$NID"
		expect 1 "$B" --home "$D" -g nosuchgroup members
		one_line "-g nosuchgroup"
		grep -q "unknown group 'nosuchgroup'" "$T/err" ||
		    fail "-g nosuchgroup: message"
		for args in "note list" "note write -m x" "contract show" \
		    "invite" "peer list" "note show abcd"; do
			# shellcheck disable=SC2086
			expect 1 "$B" --home "$D" -g nosuchgroup $args
			one_line "-g nosuchgroup $args"
		done
		# Unknown notes, whatever the command.
		for args in "note edit abcd -m x" "note delete abcd" \
		    "note show 0123456789abcdef0123456789abcdef"; do
			# shellcheck disable=SC2086
			expect 1 "$B" --home "$D" $args
			one_line "$args"
			grep -q "unknown note" "$T/err" || fail "$args: message"
		done
		# Unknown member (revoke is the command that takes one).
		expect 1 "$B" --home "$D" revoke --yes nosuchmember
		one_line "revoke nosuchmember"
		grep -q "unknown member 'nosuchmember' (see: balint members)" \
		    "$T/err" || fail "revoke nosuchmember: message"
		# Bad invite codes: one line, exit 1, no group joined.
		expect 1 "$B" --home "$D" join "not a code" --accept
		one_line "join garbage"
		grep -q "not an invite code" "$T/err" || fail "join garbage"
		code=$("$B" --home "$D" invite) || fail "invite"
		c20=$(printf %s "$code" | cut -c20)
		[ "$c20" = A ] && r=B || r=A
		typo="$(printf %s "$code" | cut -c1-19)$r$(printf %s "$code" |
		    cut -c21-)"
		expect 1 "$B" --home "$D" join "$typo" --accept
		one_line "join with a typo"
		grep -q "mistyped" "$T/err" || fail "join typo: message"
		# Notes over the limits: one line, nothing written.
		notes() {
			"$B" --home "$D" --json note list | grep -c '"note":'
		}
		before=$(notes)
		head -c 65537 /dev/zero | tr '\0' a >"$T/big"
		expect 1 "$B" --home "$D" note write -F "$T/big"
		one_line "note write -F (64 KiB + 1)"
		grep -q "too large (at most 65536 bytes)" "$T/err" ||
		    fail "big note file: message"
		expect 1 "$B" --home "$D" note write -m "$(cat "$T/big")"
		one_line "note write -m (64 KiB + 1)"
		grep -q "too long (65537 bytes, at most 65536)" "$T/err" ||
		    fail "big note text: message"
		expect 1 "$B" --home "$D" note write -F - <"$T/big"
		one_line "note write -F - (64 KiB + 1)"
		printf 'bad \377 text' >"$T/bad-utf8"
		expect 1 "$B" --home "$D" note write -F "$T/bad-utf8"
		grep -q "not UTF-8" "$T/err" || fail "bad UTF-8: message"
		expect 1 "$B" --home "$D" note write -F /dev/null
		expect 1 "$B" --home "$D" note write -F "$T/missing"
		expect 1 "$B" --home "$D" note write -F "$T"
		expect 2 "$B" --home "$D" note write --title "$(printf 'a\tb')" \
		    -m x
		[ "$(notes)" = "$before" ] ||
		    fail "a refused note was written ($(notes), was $before)"
		# Exactly at the limit is fine; then edits over it are refused.
		head -c 65536 /dev/zero | tr '\0' b >"$T/max"
		expect 0 "$B" --home "$D" note write -F "$T/max"
		NID=$(cat "$T/out")
		[ "$(notes)" = $((before + 1)) ] || fail "64 KiB note not written"
		expect 1 "$B" --home "$D" note edit "$NID" -F "$T/big"
		one_line "note edit -F (64 KiB + 1)"
		expect 2 "$B" --home "$D" note edit "$NID" --title \
		    "$(printf 'x\ny')"
		expect 0 "$B" --home "$D" --json note show "$NID"
		grep -q '"versions": 1' "$T/out" || fail "a refused edit was written"
		# Garbage on the control socket: the daemon stays up.
		if command -v python3 >/dev/null 2>&1; then
			python3 - "$D/balintd.sock" <<'PY'
import socket, sys
for payload in (b"\xff\xff\xff\xff", b"\x00\x00\x00\x05hello", b"\x00\x00\x00\x00"):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    s.sendall(payload)
    try:
        s.recv(10)
    except OSError:
        pass
    s.close()
PY
		fi
		expect 0 "$B" --home "$D" status
		kill "$DPID"; wait "$DPID"; DPID=
		[ ! -e "$D/balintd.sock" ] || fail "socket left after shutdown"
	else
		fail "balintd did not create its socket"; cat "$T/daemon.log"
	fi
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "cli-errors: ok"
