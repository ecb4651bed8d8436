#!/bin/sh
# A member leaves: asked to confirm (no terminal and no --yes: exit 2), the
# LEAVE reaches the others (they show the member as "left"), the leader
# rotates to a new epoch, the leaver's daemon erased the group, and a note
# written afterwards never reaches the leaver.  The only leader cannot
# leave.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol
start alice; start bob; start carol

printf 'Name: Leaving\nHistory: from-join\n\nWhat is said here stays here.\n' \
	>"$T/contract.txt"
gid=$(b alice group create --contract "$T/contract.txt") || fail "group create"
for m in bob carol; do
	code=$(b alice invite) || fail "invite $m"
	b $m join "$code" --accept >/dev/null || fail "$m join"
done
active() {	# member count
	[ "$(b "$1" members --json | grep -o '"status": *"active"' | wc -l)" \
		-eq "$2" ]
}
for m in alice bob carol; do
	until_ok 30 active $m 3 || fail "$m does not see 3 active members"
done
MARK=leave-mark-$$
shows() {	# member note text
	b "$1" note show "$2" 2>/dev/null | grep -q -- "$3"
}
first=$(b bob note write --title "before" -m "before-$MARK") || fail "bob writes"
until_ok 30 shows carol "$first" "before-$MARK" || fail "carol did not get bob's note"

# Without a terminal, leave asks for --yes (exit 2) and does nothing.
if command -v setsid >/dev/null 2>&1; then
	setsid -w "$BALINT" --home "$T/carol" leave </dev/null >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] || fail "leave without a terminal exited $rc, not 2"
	grep -q -- "--yes" "$T/err" || fail "leave without a terminal said: $(cat "$T/err")"
	active carol 3 || fail "a refused leave changed the roster"
fi
# The only leader cannot leave.
b alice leave --yes 2>"$T/err" && fail "the only leader left"
grep -q "only active leader" "$T/err" || fail "leader leave said: $(cat "$T/err")"
active alice 3 || fail "the refused leave of the leader changed the roster"

epoch() { b alice status --json | grep -o '"epoch": *[0-9]*' | grep -o '[0-9]*$'; }
e0=$(epoch)
b carol leave --yes >"$T/out" || fail "carol cannot leave"
grep -q "left the group 'Leaving'" "$T/out" || fail "leave printed: $(cat "$T/out")"
b carol group list --json | grep -q '^\[\]$' || fail "carol still lists the group"
b carol status | grep -q "you left 'Leaving' on" || fail "carol's status does not say she left"

left() {	# member: sees carol as left
	[ "$(b "$1" members --json | python3 -c '
import json, sys
print([m["status"] for m in json.load(sys.stdin) if m["name"] == "carol"][0])')" = left ]
}
for m in alice bob; do
	until_ok 30 left $m || fail "$m does not see carol as left"
done
rotated() { [ "$(epoch)" -gt "$e0" ]; }
until_ok 30 rotated || fail "alice did not rotate the epoch after carol left"
grep -q "rotated to a new epoch" "$T/alice.log" || fail "alice did not log the rotation"

# A note written afterwards reaches alice, never carol.
bob_epoch() { b bob status --json | grep -o '"epoch": *[0-9]*' | grep -o '[0-9]*$'; }
until_ok 30 sh -c "[ \"\$('$BALINT' --home '$T/bob' status --json | grep -o '\"epoch\": *[0-9]*' | grep -o '[0-9]*\$')\" -gt $e0 ]" \
	|| fail "bob did not get the new epoch"
after=$(b bob note write --title "after" -m "after-$MARK") || fail "bob writes after"
until_ok 30 shows alice "$after" "after-$MARK" || fail "alice did not get bob's note"
b carol note list >/dev/null 2>&1 && fail "carol can still list notes"
for f in "$T/carol" "$T/carol.log"; do
	if grep -r -a -l -- "after-$MARK" "$f" 2>/dev/null; then
		fail "the note written after the leave is in $f"
	fi
done
exit 0
