#!/bin/sh
# balintd refuses a wrong passphrase with one line before it listens;
# `note write` without -m/-F goes through $EDITOR on a private temporary
# file that is gone afterwards, also after SIGTERM or SIGHUP, and what a
# killed balint left is wiped at the next editing; SIGINT stops the daemon cleanly (exit 0).
. "$(dirname "$0")/../lib/daemons.sh"

member alice protected

# A passphrase file that others can read: refused, one line.
printf 'test passphrase\n' >"$T/open"
chmod 640 "$T/open"
BALINT_PASSPHRASE_FILE=$T/open "$BALINTD" --home "$T/alice" \
	--listen "127.0.0.1:$(free_port)" >/dev/null 2>"$T/open.err" &&
	fail "balintd started with a passphrase file others can read"
[ "$(wc -l <"$T/open.err")" -eq 1 ] || fail "readable passphrase file: $(cat "$T/open.err")"
grep -q "BALINT_PASSPHRASE_FILE '$T/open' can be read by others; run: chmod 600" \
	"$T/open.err" || fail "readable passphrase file: $(cat "$T/open.err")"

# A wrong passphrase: one line on stderr, non-zero exit, nothing listening.
printf 'not the passphrase\n' >"$T/wrong"
chmod 600 "$T/wrong"
port=$(free_port)
BALINT_PASSPHRASE_FILE=$T/wrong "$BALINTD" --home "$T/alice" \
	--listen "127.0.0.1:$port" >"$T/wrong.out" 2>"$T/wrong.err" &&
	fail "balintd started with a wrong passphrase"
[ "$(wc -l <"$T/wrong.err")" -eq 1 ] || fail "wrong passphrase: $(cat "$T/wrong.err")"
grep -q "wrong passphrase" "$T/wrong.err" || fail "wrong passphrase: $(cat "$T/wrong.err")"
[ -e "$T/alice/balintd.sock" ] && fail "a control socket exists after a refused start"
python3 -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1',$port)) else 1)" ||
	fail "something listens on $port after a refused start"

# A key file readable by others is refused with the chmod to run.
chmod 644 "$T/alice/identity.key"
"$BALINTD" --home "$T/alice" --listen "127.0.0.1:$port" 2>"$T/mode.err" &&
	fail "balintd started with a world-readable key file"
grep -q "chmod 600" "$T/mode.err" || fail "key mode: $(cat "$T/mode.err")"
chmod 600 "$T/alice/identity.key"

# Two balintd started at the same moment for one profile: exactly one runs,
# the other says at once that one is already running (the profile's lock;
# the control socket's probe alone let both through while each unlocked
# the key).  The one that runs is alice's daemon from here on.
free_port >"$T/alice.port"
for i in 1 2; do
	"$BALINTD" --home "$T/alice" --listen "$(addr alice)" \
	    >>"$T/alice.log" 2>&1 &
	eval "twin$i=\$!"
	PIDS="$PIDS $!"
done
gone() { [ ! -e "/proc/$1" ] || grep -q ') Z ' "/proc/$1/stat"; }
either_gone() { gone "$twin1" || gone "$twin2"; }
until_ok 30 either_gone || fail "two balintd started at once for one profile both run"
if gone "$twin1"; then lost=$twin1; PID_alice=$twin2; else lost=$twin2; PID_alice=$twin1; fi
wait "$lost"
rc=$?
PIDS=$(echo " $PIDS " | sed "s/ $lost / /")
[ "$rc" -eq 1 ] || fail "the second balintd exited $rc, not 1"
[ "$(grep -c "already running" "$T/alice.log")" -eq 1 ] &&
grep -qxF "balintd: balintd is already running for '$T/alice' (stop it first, or use another --home)" \
	"$T/alice.log" || fail "the second balintd: $(cat "$T/alice.log")"
until_ok 30 b alice status || fail "the first of two balintd did not come up"
gone "$PID_alice" && fail "the first of two balintd stopped"
printf 'Name: Editors\n\nWhat is discussed here stays here.\n' >"$T/c.txt"
b alice group create --contract "$T/c.txt" >/dev/null || fail "group create"

# $EDITOR: a script that records where it was asked to edit, then writes.
cat >"$T/editor.sh" <<'ED'
#!/bin/sh
echo "$1" >"$(dirname "$0")/edited-path"
printf 'written in the editor %s\n' "$MARK" >"$1"
ED
chmod +x "$T/editor.sh"
MARK=ed-marker-$$
export MARK
id=$(EDITOR="$T/editor.sh" b alice note write --title "via editor") ||
	fail "note write through \$EDITOR"
b alice note show "$id" | grep -q "written in the editor $MARK" ||
	fail "the editor's text is not the note"
path=$(cat "$T/edited-path")
[ -e "$path" ] && fail "the editor's temporary file '$path' is still there"
[ -e "$(dirname "$path")" ] && fail "the editor's private directory is still there"
# An editor that leaves the file empty: refused, nothing written.
printf '#!/bin/sh\n: >"$1"\n' >"$T/empty.sh"
chmod +x "$T/empty.sh"
before=$(b alice note list --json | grep -c '"note"')
EDITOR="$T/empty.sh" b alice note write --title empty 2>/dev/null &&
	fail "an empty note was written"
[ "$(b alice note list --json | grep -c '"note"')" -eq "$before" ] ||
	fail "a refused note changed the list"
# SIGTERM or SIGHUP (the terminal closed) while the editor runs: the editor
# is ended, the private directory wiped, and balint ends by the signal.
cat >"$T/slow.sh" <<'ED'
#!/bin/sh
printf 'half a note %s\n' "$MARK" >"$1"
echo "$1" >"$(dirname "$0")/slow-path"
exec sleep 60
ED
chmod +x "$T/slow.sh"
for sig in TERM HUP; do
	rm -f "$T/slow-path"
	EDITOR="$T/slow.sh" "$BALINT" --home "$T/alice" note write --title "cut" \
		2>/dev/null &
	bp=$!
	until_ok 10 test -s "$T/slow-path" || fail "the editor did not start (SIG$sig)"
	kill -$sig $bp
	wait $bp
	st=$?
	[ $st -gt 128 ] || fail "balint exited $st after SIG$sig, not by the signal"
	[ -e "$(dirname "$(cat "$T/slow-path")")" ] &&
		fail "the editing directory is still there after SIG$sig"
done
# What a balint killed outright left is wiped at the next editing, unless
# its process still runs (this shell's pid: another balint editing).
mkdir -m 700 "$T/alice/.edit-99999999-AAAAAA" "$T/alice/.edit-$$-BBBBBB"
printf 'left %s\n' "$MARK" >"$T/alice/.edit-99999999-AAAAAA/note.txt"
EDITOR="$T/editor.sh" b alice note write --title "after a crash" >/dev/null ||
	fail "note write after a crash"
[ -e "$T/alice/.edit-99999999-AAAAAA" ] &&
	fail "a crashed balint's editing directory is still there"
[ -d "$T/alice/.edit-$$-BBBBBB" ] ||
	fail "the editing directory of a running process was removed"
rmdir "$T/alice/.edit-$$-BBBBBB"
grep -r -a -l -- "$MARK" "$T/alice" "$T/alice.log" && fail "plaintext on disk"

# SIGINT: clean exit 0, socket removed.
eval "pid=\$PID_alice"
kill -INT "$pid"
wait "$pid"
st=$?
[ "$st" -eq 0 ] || fail "balintd exited $st on SIGINT"
[ -e "$T/alice/balintd.sock" ] && fail "the control socket was left behind"
grep -q "stopped" "$T/alice.log" || fail "no 'stopped' log line"
exit 0
