#!/bin/sh
# Store and forward: bob is offline while carol writes; carol goes offline
# before bob comes back; bob gets carol's note from alice (they are never
# online together after it was written).  Then a note bob writes while
# alice is down reaches alice once she is back: reconnects survive a
# peer's restart.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol
start alice; start bob; start carol

cat >"$T/contract.txt" <<'TXT'
Name: Relay Group
History: from-join

Notes are relayed by whoever is online.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
code=$(b alice invite) || fail "invite for carol"
b carol join "$code" --accept >/dev/null || fail "carol join"

active() {	# member count
	[ "$(b "$1" --json members | grep -o '"status": *"active"' |
	    wc -l)" -eq "$2" ]
}
lists() {	# member text
	b "$1" note list 2>/dev/null | grep -q -- "$2"
}
shows() {	# member note text
	b "$1" note show "$2" 2>/dev/null | grep -q -- "$3"
}
for m in alice bob carol; do
	until_ok 30 active $m 3 || fail "$m does not see 3 active members"
done

# bob goes offline; carol writes; alice gets it; carol goes offline.
stop bob
note=$(b carol note write --kind case --case R1 --title "Relayed case" \
	-m "written while bob was away, relay-$$") || fail "carol note write"
until_ok 30 shows alice "$note" "relay-$$" || fail "alice did not get carol's note"
stop carol

# bob comes back and gets carol's note from alice.
seen=$(wc -l <"$T/bob.log")
start bob
until_ok 30 shows bob "$note" "relay-$$" \
	|| fail "bob did not get carol's note relayed by alice"
tail -n +$((seen + 1)) "$T/bob.log" | grep -q "entries received from alice" \
	|| fail "bob's log shows nothing received from alice since his restart"

# alice goes down; bob writes; alice comes back and gets it.
stop alice
note2=$(b bob note write --kind followup --case R1 --yes --title "While alice was away" \
	-m "written while alice was down, back-$$") || fail "bob note write"
start alice
until_ok 30 shows alice "$note2" "back-$$" \
	|| fail "alice did not get bob's note after her restart"

# carol comes back last and catches up with both.
start carol
until_ok 30 shows carol "$note2" "back-$$" || fail "carol did not catch up"
for m in alice bob carol; do
	lists $m "Relayed case" || fail "$m lost carol's note"
	lists $m "While alice was away" || fail "$m lacks bob's note"
done
exit 0
