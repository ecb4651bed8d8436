#!/bin/sh
# A member's modified software against the group's rules (issue 12): a
# note id taken over, and an entry that does not open under the epoch key.
# tests/interop/hostile-peer uses carol's profile (a current member, her
# daemon stopped) to open real sessions with alice and push:
#  - takeover: a "first version" of alice's note id, signed by carol.
#    alice skips it (a note id is bound to its author), keeps the session,
#    logs it and counts carol in status; the note stays alice's, with its
#    title, at alice and at bob.
#  - poison: carol's next note under the current epoch, sealed with a key
#    nobody holds.  alice holds the epoch's key: she skips it without
#    ending the session (a member without the key would store and relay
#    it, and each resync would end the session again), and keeps syncing
#    with bob both ways.
# HOSTILE may name another hostile-peer binary (to run this against an
# older daemon build: BUILD=that tree, HOSTILE=this tree's).
. "$(dirname "$0")/../lib/daemons.sh"

HOSTILE=${HOSTILE:-$BUILD/tests/hostile-peer}
[ -x "$HOSTILE" ] || fail "no $HOSTILE (make unit builds it)"

member alice; member bob; member carol
start alice; start bob; start carol
cat >"$T/contract.txt" <<'TXT'
Name: Hostile Wednesday
History: full
Cadence: weekly

What is discussed in the group stays in the group.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
code=$(b alice invite) || fail "invite for carol"
b carol join "$code" --accept >/dev/null || fail "carol join"

entries() {
	b "$1" --json status | grep '"kind": "group"' |
		sed -n 's/.*"entries": \([0-9]*\).*/\1/p'
}
mid() {
	b "$1" --json status | grep '"kind": "daemon"' |
		sed 's/.*"member_id": "\([^"]*\)".*/\1/'
}
has() {	# member title
	b "$1" note list 2>/dev/null | grep -q -- "$2"
}
level() {	# members...: all show alice's entry count
	_l=$(entries alice)
	for _m in "$@"; do [ "$(entries "$_m")" = "$_l" ] || return 1; done
}
alive() { kill -0 "$PID_alice" 2>/dev/null || fail "alice died ($*)"; }
ROUND=0
both_ways() {
	ROUND=$((ROUND + 1))
	b alice note write --title "a-$ROUND" -m "after $1" >/dev/null ||
		fail "alice note write after $1"
	b bob note write --title "b-$ROUND" -m "after $1" >/dev/null ||
		fail "bob note write after $1"
	until_ok 30 has bob "a-$ROUND" || fail "bob lacks alice's note after $1"
	until_ok 30 has alice "b-$ROUND" || fail "alice lacks bob's note after $1"
}
until_ok 30 level bob carol || fail "bob and carol are not level with alice"
ALICE=$(mid alice)
stop carol

# alice's note, which carol's software will claim.
nid=$(b alice --json note write --title "alice's own" -m "by alice" |
	sed -n 's/.*"note": "\([0-9a-f]*\)".*/\1/p')
[ -n "$nid" ] || fail "alice's note has no id"
until_ok 30 has bob "alice's own" || fail "bob lacks alice's note"
n0=$(entries alice)
hp() {
	"$HOSTILE" "$T/carol" "$(addr alice)" "$ALICE" "$@" 2>&1
}

# ---- takeover: a first version of alice's note id, by carol -----------------
out=$(hp takeover "$nid") || fail "hostile-peer takeover: $out"
echo "takeover: $out"
alive takeover
b alice note show "$nid" | grep -q "alice's own" ||
	fail "alice's note was taken over: $(b alice note show "$nid")"
b alice --json note list | grep "$nid" | grep -q '"author": "alice"' ||
	fail "alice's note is no longer hers"
[ "$(entries alice)" = "$n0" ] || fail "alice stored carol's takeover"
grep -q "a note id that is not the author's" "$T/alice.log" ||
	fail "no log line for the takeover"
[ "$out" = acked ] || fail "takeover: the session ended: $out"
b alice status | grep -q "unreadable entries: 1" ||
	fail "alice's status does not count carol: $(b alice status)"
b alice --json status | grep '"kind": "held"' | grep -q '"name": "carol"' ||
	fail "alice's status --json does not name carol"
both_ways takeover
b bob note show "$nid" | grep -q "alice's own" || fail "bob: note taken over"

# ---- poison: carol's next note does not open under the epoch key -------------
# (alice already holds carol's log back from the takeover on: start again
# with a fresh alice-side view by restarting her, which forgets it.)
stop alice; start alice
n0=$(entries alice)
out=$(hp poison) || fail "hostile-peer poison: $out"
echo "poison: $out"
alive poison
[ "$out" = acked ] || fail "poison: alice ended the session: $out"
[ "$(entries alice)" = "$n0" ] || fail "alice stored the poisoned entry"
grep -q "does not decrypt under its epoch key; it is not stored" \
	"$T/alice.log" || fail "no log line for the poisoned entry"
b alice status | grep -q "unreadable entries: 1" ||
	fail "alice's status does not count the poisoned entry"
both_ways poison
echo "ok"
