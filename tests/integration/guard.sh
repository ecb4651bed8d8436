#!/bin/sh
# The de-identification guard in the note path (issue 17): balintd checks
# what note write and note edit send.  With the default rule (Identifiers:
# refuse) a note holding a personnummer and a phone is refused: exit 1,
# each finding with category, line:column and its line of context, and
# nothing written; --allow-identifiers writes it; a "y" typed on a
# terminal at "share anyway? [y/N]" does too.  balint check finds the same
# without writing (exit 1 / 0, --json with code point offsets), knows the
# member's own name, the other members' names (the roster) and the words
# of the group's allow list; an amendment
# to "Identifiers: warn" writes and warns, "off" does not check.
. "$(dirname "$0")/../lib/daemons.sh"

member anna
start anna
cat >"$T/contract.txt" <<TXT
Name: Guard group
History: full

What is discussed in the group stays in the group.
TXT
b anna group create --contract "$T/contract.txt" >/dev/null || fail "group create"
notes() { b anna --json note list | grep -c '"note"'; }

ID_TEXT="Anna talade med Wikander.
Han ringde från 070-312 45 88 och har pnr 19811228-9874."

# check: exit 1, the findings; the member's own name (Anna) is no finding.
b anna check -m "$ID_TEXT" >"$T/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "check of identifiers: exit $rc, want 1"
grep -q "text 1:17  name: Wikander" "$T/out" || fail "check: no name: $(cat "$T/out")"
grep -q "text 2:17  phone number: 070-312 45 88" "$T/out" || fail "check: no phone"
grep -q "identity number: 19811228-9874" "$T/out" || fail "check: no personnummer"
grep -q "| Han ringde från 070-312 45 88" "$T/out" || fail "check: no context line"
grep -q "Anna" "$T/out" && grep -q "name: Anna" "$T/out" && fail "anna's own name reported"
b anna --json check -m "Vi såg Wikander." >"$T/json"; rc=$?
[ $rc -eq 1 ] || fail "check --json: exit $rc"
tr -d '\n ' <"$T/json" | grep -q '"category":"name","start":7,"end":15,"text":"Wikander"' ||
	fail "check --json: $(cat "$T/json")"
# Hebrew: offsets are code points, not bytes.
b anna --json check -m "שלום, דני הגיע" | tr -d '\n ' |
	grep -q '"category":"name","start":6,"end":9' || fail "check --json (Hebrew)"
b anna check -m "Sertralin 50 mg 1-0-1, BT 120/80, session 12, 2019." >"$T/out"; rc=$?
[ $rc -eq 0 ] || fail "check of non-identifiers: exit $rc: $(cat "$T/out")"
grep -q "no identifying details found" "$T/out" || fail "check: no all-clear"

# note write: refused, shown, nothing written.
b anna note write --title "Session 3" -m "$ID_TEXT" </dev/null >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "note write with identifiers: exit $rc, want 1"
grep -q "text 2:17  phone number: 070-312 45 88" "$T/err" || fail "write: findings not shown: $(cat "$T/err")"
grep -q "| Han ringde" "$T/err" || fail "write: no context line"
grep -q "nothing written" "$T/err" || fail "write: does not say nothing was written"
[ ! -s "$T/out" ] || fail "write printed a note id"
[ "$(notes)" -eq 0 ] || fail "a refused note was written"
# The title and the case are checked too.
b anna note write --title "Mrs Lindqvist" -m "ok text" </dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "a name in the title: exit $rc"
grep -q "title 1:5  name: Lindqvist" "$T/err" || fail "title finding: $(cat "$T/err")"
# "Mrs K" is how cases are kept anonymous.
b anna note write --title "Mrs K" -m "She came back." >/dev/null || fail "Mrs K refused"

# --allow-identifiers: written, and the findings still shown.
id=$(b anna note write -m "$ID_TEXT" --allow-identifiers 2>"$T/err") ||
	fail "--allow-identifiers: $(cat "$T/err")"
[ -n "$id" ] || fail "no note id"
grep -q "written with 3 possible" "$T/err" || fail "no warning: $(cat "$T/err")"

# Confirmed on a terminal.
if command -v script >/dev/null 2>&1; then
	printf 'y\n' | script -qec "'$BALINT' --home '$T/anna' note write -m 'Dr Wikander ringde.'" \
	    /dev/null >"$T/tty" 2>&1
	grep -q "share anyway? \[y/N\]" "$T/tty" || fail "no question on a terminal: $(cat "$T/tty")"
	b anna note list | grep -q . && [ "$(notes)" -eq 3 ] ||
		fail "confirmed note not written ($(notes) notes)"
	printf 'n\n' | script -qec "'$BALINT' --home '$T/anna' note write -m 'Dr Wikander igen.'" \
	    /dev/null >"$T/tty" 2>&1
	[ "$(notes)" -eq 3 ] || fail "a note written after 'n'"
fi

# note edit: the new text is checked the same way.
b anna note edit "$id" -m "Han heter Wikander." </dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "edit with a name: exit $rc"
b anna note edit "$id" -m "Han ringde igen." >/dev/null || fail "edit without identifiers"

# Another member's name, from the roster, is no finding either.
member wikander
start wikander
c=$(b anna invite) || fail "invite"
b wikander join "$c" --accept >/dev/null || fail "wikander join"
until_ok 20 sh -c "'$BALINT' --home '$T/anna' members | grep -q '^wikander '" ||
	fail "wikander not on anna's roster"
b anna check -m "Vi såg Wikander." >/dev/null || fail "a member's name reported"
stop wikander

# The group's allow list.
b anna check -m "Vi såg Vendelbo." >/dev/null; [ $? -eq 1 ] || fail "Vendelbo not reported"
b anna check --allow Vendelbo | grep -q "'Vendelbo' is allowed in Guard group" || fail "--allow"
b anna check -m "Vi såg Vendelbo." >/dev/null || fail "an allowed word reported"
b anna check --allowed | grep -qx "Vendelbo" || fail "--allowed"
b anna check --disallow Vendelbo >/dev/null || fail "--disallow"
b anna check -m "Vi såg Vendelbo." >/dev/null; [ $? -eq 1 ] || fail "a disallowed word not reported"
b anna check --allow "two words" 2>/dev/null; [ $? -eq 2 ] || fail "--allow of two words"

# Identifiers: warn, then off, by amendment.
amend() {
	printf 'Name: Guard group\nHistory: full\nIdentifiers: %s\n\nWhat is discussed in the group stays in the group.\n' "$1" >"$T/c2.txt"
	b anna contract amend "$T/c2.txt" >/dev/null || fail "amend to $1"
}
b anna contract show | grep -q "^Identifiers: refuse" || fail "contract show lacks Identifiers"
amend warn
b anna contract text | grep -qx "Identifiers: warn" || fail "contract text lacks Identifiers"
b anna contract show | grep -q "^Identifiers: warn" || fail "contract show: not warn"
b anna note write -m "Hon såg Vendelbo." </dev/null >/dev/null 2>"$T/err" || fail "warn: refused"
grep -q "written with 1 possible" "$T/err" || fail "warn: no warning: $(cat "$T/err")"
amend off
b anna note write -m "Hon såg Vendelbo igen." </dev/null >/dev/null 2>"$T/err" || fail "off: refused"
[ ! -s "$T/err" ] || fail "off: $(cat "$T/err")"
echo "guard: ok"
