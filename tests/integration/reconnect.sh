#!/bin/sh
# Connections between members: bob and carol, who only ever got alice's
# address from their invites, end up with a direct session (learned from
# announce entries or HELLO); when two members dial each other at once,
# both keep the same one session; `peer add HOST:PORT` by hand reaches a
# member whose address nobody announced.
. "$(dirname "$0")/../lib/daemons.sh"

# sessions NAME OTHER — NAME's peer records of OTHER in `status --json`:
# prints "records up outgoing" (outgoing: of the sessions that are up).
sessions() {
	b "$1" --json status | python3 -c '
import json, sys
other = sys.argv[1]
recs = [r for r in json.load(sys.stdin)
        if r.get("kind") == "peer" and r.get("name") == other]
up = [r for r in recs if r.get("state") == "up"]
print(len(recs), len(up), sum(1 for r in up if r.get("outgoing")))
' "$2"
}
# one_session A B — A and B each have exactly one record of the other, up,
# and it is the same connection (dialed by one of them).
one_session() {
	set -- "$1" "$2" "$(sessions "$1" "$2")" "$(sessions "$2" "$1")"
	case "$3/$4" in
	"1 1 1/1 1 0"|"1 1 0/1 1 1") return 0 ;;
	esac
	return 1
}

member alice; member bob; member carol; member dave; member erin
start alice; start bob; start carol

cat >"$T/contract.txt" <<'TXT'
Name: Mesh Group

Members reach each other directly.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
for m in bob carol; do
	code=$(b alice invite) || fail "invite for $m"
	b $m join "$code" --accept >/dev/null || fail "$m join"
done

# bob and carol meet without alice's help.
until_ok 30 one_session bob carol || {
	sessions bob carol; sessions carol bob
	fail "bob and carol have no single direct session"
}
for m in bob carol; do
	until_ok 30 one_session alice $m || fail "alice and $m: not one session"
done

# Both know each other's address and dial each other at once: after
# settling, each side has exactly one session with the other, the same
# one.  To have both handshakes in flight together: bob is frozen while
# carol restarts and dials him; carol is frozen while bob, thawed, answers
# and dials her; then carol thaws.
thaw() { kill -CONT "$PID_bob" "$PID_carol" 2>/dev/null; }
# A frozen daemon would not stop at cleanup: thaw before failing.
fail() { thaw; echo "FAIL: $*" >&2; exit 1; }
dialing() {	# member other — member has an outgoing dial to other going
	b "$1" --json status | python3 -c '
import json, sys
sys.exit(not any(r.get("kind") == "peer" and r.get("name") == sys.argv[1]
    and r.get("outgoing") and r.get("state") == "connecting"
    for r in json.load(sys.stdin)))' "$2"
}
round=1
while [ $round -le 2 ]; do
	seen_b=$(wc -l <"$T/bob.log"); seen_c=$(wc -l <"$T/carol.log")
	kill -STOP "$PID_bob"
	stop carol
	start carol
	kill -STOP "$PID_carol"
	kill -CONT "$PID_bob"
	until_ok 30 dialing bob carol || fail "round $round: bob does not dial carol"
	kill -CONT "$PID_carol"
	until_ok 30 one_session bob carol || {
		sessions bob carol; sessions carol bob
		fail "round $round: bob and carol do not settle on one session"
	}
	{ tail -n +$((seen_b + 1)) "$T/bob.log"
	  tail -n +$((seen_c + 1)) "$T/carol.log"; } |
	    grep -q "already connected to this member" ||
	    fail "round $round: no duplicate session was resolved"
	round=$((round + 1))
done
# The session settled on is used, and it stays the only one.
nid=$(b bob note write --title "over the direct link" -m "hello carol") \
	|| fail "bob note write"
until_ok 30 sh -c "'$BALINT' --home '$T/carol' note show '$nid' >/dev/null" \
	|| fail "carol did not get bob's note"
one_session bob carol || fail "bob and carol have more than one session"

# dave and erin listen on 0.0.0.0: on a wildcard a member announces only
# the machine's global addresses (none of its loopback or private ones).
# Each reaches the others (whose addresses were announced); each other
# only through such a global address, if this machine has one...
start dave 0.0.0.0; start erin 0.0.0.0
for m in dave erin; do
	code=$(b alice invite) || fail "invite for $m"
	b $m join "$code" --accept >/dev/null || fail "$m join"
done
for m in dave erin; do
	until_ok 30 one_session $m bob || fail "$m did not reach bob"
	until_ok 30 one_session $m carol || fail "$m did not reach carol"
done
erin_port=$(cat "$T/erin.port")
until_ok 10 sh -c "'$BALINT' --home '$T/dave' peer list | grep -w erin |
    grep -qw announced"
erin_ann=$(b dave peer list | awk -v p=":$erin_port" \
    '$2 == "erin" && $NF == "announced" && index($1, p) { print $1 }')
echo "erin announced: ${erin_ann:-nothing}"
case "$erin_ann" in
127.*|\[::1\]*|localhost*) fail "erin announced a loopback address: $erin_ann" ;;
"")	[ "$(sessions dave erin)" = "0 0 0" ] ||
		fail "dave knows erin's address" ;;
*)	# this machine has a global address: dave reaches erin there
	until_ok 30 one_session dave erin ||
		fail "dave did not reach erin at her announced $erin_ann" ;;
esac
# ...until dave adds erin's address by hand: the session comes up and
# dave's peer list says who answered there.
b dave peer add "127.0.0.1:$(cat "$T/erin.port")" >/dev/null || fail "peer add"
until_ok 30 one_session dave erin || {
	sessions dave erin; sessions erin dave
	fail "peer add did not connect dave and erin"
}
b dave peer list | grep "127.0.0.1:$(cat "$T/erin.port")" | grep -q erin \
	|| fail "dave's peer list does not name erin at her address"
# A second address of erin's: dave dials her there too (two sessions of
# the same dialer); one of them is kept, on both ends alike.
b dave peer add "localhost:$(cat "$T/erin.port")" >/dev/null || fail "peer add localhost"
until_ok 30 sh -c "'$BALINT' --home '$T/dave' peer list |
    grep 'localhost:$(cat "$T/erin.port")' | grep -q erin" \
	|| fail "dave did not learn who answers at localhost"
until_ok 30 one_session dave erin || {
	sessions dave erin; sessions erin dave
	fail "dave and erin do not settle on one session"
}
b dave peer add "not-an-address" 2>/dev/null && fail "peer add took a bad address"
exit 0
