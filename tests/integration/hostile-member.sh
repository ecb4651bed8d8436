#!/bin/sh
# A member's modified software against the group's rules (issue 12): a
# note id taken over, an entry that does not open under the epoch key, a
# flood of notes.
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
#  - notes: thousands of carol's notes; alice stores up to the per-author
#    limit of a day and skips the rest, the session and sync go on.
#  - strip: bob's note, relayed by carol without its body: alice holds it
#    as missing and counts it in status; once bob is back she asks him for
#    it (WANT), and the note shows.
#  - offer: carol as a relay names bob at 127.0.0.1:9: alice (punching
#    on) refuses it with a log line and connects nowhere.
#  - oldpunch: carol's HELLO announces no capabilities (older software),
#    then she sends a PUNCH ASK anyway: alice ends the session (BYE 3).
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

# ---- notes: FLOOD_N (default 1100) of carol's notes, in full ENTRIES -------
# alice stores carol's up to the per-author limit of a day (1000;
# docs/protocol.md, Per-author limits), skips the rest without ending the
# session, logs it once and counts it in status; bob holds no more than
# she does.  Meanwhile a probe times `balint status` at alice over and
# over: its slowest answer bounds the event loop's worst stall
# (docs/performance.md has the figures of FLOOD_N=100000).
N=${FLOOD_N:-1100}
stop alice; start alice	# (forgets carol's log held back since poison)
until_ok 30 level bob || fail "bob is not level with alice"
n0=$(entries alice)
# The probe: `balint status` at alice until told to stop; the slowest.
python3 - "$BALINT" "$T/alice" "$T/probe.stop" >"$T/probe.out" <<'PY' &
import subprocess, sys, time, os
worst, n = 0.0, 0
while not os.path.exists(sys.argv[3]):
    t0 = time.monotonic()
    subprocess.run([sys.argv[1], "--home", sys.argv[2], "status"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worst = max(worst, time.monotonic() - t0)
    n += 1
print("%d probes, slowest %.0f ms" % (n, worst * 1000))
PY
PROBE=$!
PIDS="$PIDS $PROBE"
cpu() { awk '{ print $14 + $15 }' "/proc/$PID_alice/stat"; }	# ticks
t0=$(date +%s); c0=$(cpu)
out=$("$HOSTILE" "$T/carol" "$(addr alice)" "$ALICE" notes "$N" 2>&1) ||
	fail "hostile-peer notes: $out"
t1=$(date +%s); c1=$(cpu)
touch "$T/probe.stop"
wait "$PROBE"
echo "flood of $N: $out, $((t1 - t0)) s; alice's CPU $((c1 - c0)) ticks" \
	"of $(getconf CLK_TCK) a second; status probe: $(cat "$T/probe.out")"
case $out in
flooded*) ;;
*) fail "alice ended the session during the flood: $out" ;;
esac
kill -0 "$PID_alice" 2>/dev/null || fail "alice died"
got=$(( $(entries alice) - n0 ))
echo "alice stored $got of carol's $N"
[ "$got" -le 1000 ] || fail "alice stored $got entries of carol's today"
[ "$got" -ge 900 ] || fail "alice stored only $got of carol's entries"
b alice status | grep -q "over the per-author limits: 1" ||
	fail "alice's status does not count carol: $(b alice status)"
grep -q "beyond what one member may store here" "$T/alice.log" ||
	fail "no log line for carol's flood"
# bob holds what alice holds, no more.
b alice note write --title "after the flood" -m "x" >/dev/null ||
	fail "alice note write"
until_ok 60 has bob "after the flood" || fail "bob lacks alice's note"
b bob note write --title "bob after" -m "x" >/dev/null || fail "bob write"
until_ok 30 has alice "bob after" || fail "alice lacks bob's note"
until_ok 30 level bob || fail "bob is not level with alice"

# ---- strip: bob's note, relayed by carol without its body -------------------
# alice holds it as missing (not erased), counts it in status, and asks bob
# for it (WANT) when he is back: the body is restored, the note readable.
BOB=$(mid bob)
stop alice; start carol
b bob note write --title "hidden by carol" -m "stripped body" >/dev/null ||
	fail "bob note write"
until_ok 30 has carol "hidden by carol" || fail "carol lacks bob's note"
stop carol; stop bob; start alice
out=$(hp strip "$BOB") || fail "hostile-peer strip: $out"
echo "strip: $out"
alive strip
[ "$out" = acked ] || fail "strip: the session ended: $out"
b alice status | grep -q "bodies missing: 1" ||
	fail "alice's status does not count the missing body: $(b alice status)"
b alice --json status | grep -q '"missing_bodies": 1' ||
	fail "alice's status --json does not count the missing body"
has alice "hidden by carol" && fail "alice shows a note without its body"
# bob writes on while alice is away, so that the hidden note is not his
# head (which he sends at every session start, to probe for forks): only
# alice's WANT brings its body back.
stop alice; start bob
b bob note write --title "bob later" -m "x" >/dev/null || fail "bob write"
start alice
until_ok 60 has alice "bob later" || fail "alice lacks bob's later note"
until_ok 60 has alice "hidden by carol" ||
	fail "alice never got the body from bob: $(b alice status)"
snid=$(b alice --json note list | grep "hidden by carol" |
	sed -n 's/.*"note": "\([0-9a-f]*\)".*/\1/p')
b alice note show "$snid" | grep -q "stripped body" ||
	fail "alice cannot show bob's note: $(b alice note show "$snid" 2>&1)"
b alice --json status | grep -q '"missing_bodies": 0' ||
	fail "alice still counts a missing body"
# ---- offer: carol, as a relay, aims alice at her own loopback ----------------
# alice with hole punching on, bob away (no session with him): an OFFER
# naming bob at 127.0.0.1:9 is refused with a log line, no connection.
stop alice; stop bob
BALINT_PUNCH=on start alice
out=$(hp offer "$BOB") || fail "hostile-peer offer: $out"
alive offer
until_ok 10 grep -q "punch: .* names 127.0.0.1:9, no unicast IPv4 address, or this machine's own; not connected" "$T/alice.log" ||
	fail "alice did not refuse an OFFER at 127.0.0.1: $(grep punch "$T/alice.log")"
echo "offer: $out; alice refused to connect to 127.0.0.1:9"
# Nor at this machine's own address on another interface (connected
# before): a relay cannot aim alice at her machine's services that way.
own=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub("/.*", "", $4); print $4; exit}')
if [ -n "$own" ]; then
	sleep 1.2	# the answer gap: one OFFER a second per member named
	out=$(OFFER_HOST=$own hp offer "$BOB") || fail "hostile-peer offer at $own: $out"
	until_ok 10 grep -q "punch: .* names $own:9, no unicast IPv4 address, or this machine's own; not connected" "$T/alice.log" ||
		fail "alice did not refuse an OFFER at her own $own: $(grep punch "$T/alice.log")"
	echo "offer: alice refused to connect to her own $own:9"
fi
# ---- oldpunch: a PUNCH from software whose HELLO announced no capability ----
# The session's capabilities are fixed by the HELLOs: a PUNCH ASK from a
# member that did not announce "punch" ends the session (BYE 3), with a log
# line; nothing of it is relayed (docs/protocol.md "Capabilities").
out=$(hp oldpunch "$BOB") || fail "hostile-peer oldpunch: $out"
case $out in
*"BYE protocol error: message of a capability not announced"*) ;;
*) fail "alice took a PUNCH that carol's HELLO did not announce: $out" ;;
esac
alive oldpunch
grep -q "PUNCH op 1 without capability punch, dropped" "$T/alice.log" ||
	fail "alice did not log the PUNCH without capability: $(grep carol "$T/alice.log" | tail -3)"
echo "oldpunch: $out"
echo "ok"
