#!/bin/sh
# tests/chaos/stale-session.sh — measures one case the chaos test meets at
# random (docs/testing-chaos.md, "Half-open sessions"): two members, each
# in its own network namespace (root and `ip netns` needed).  The member
# with the larger key (R) is cut off (packets silently dropped), its
# machine crashes and restarts (its namespace is replaced: no FIN or RST
# ever reaches the other), its daemon starts, and the network comes back.
# The other member (S) dialed the session and has nothing to send: it
# still holds its half of the old session.  R writes a note; the script
# prints how long the note takes to reach S, how many sessions S refused
# meanwhile, and how S's old session ended.  Exits 1 if the note has not
# arrived after STALE_WAIT seconds (default 120), 2 if it cannot run.
# STALE_CUT=N keeps R off the network N seconds after its restart (default
# 0); STALE_BUSY=1 has S write a note meanwhile, so that S's old session
# holds unacknowledged data, retransmitted with a growing backoff.
# BUILD is the build tree (as for tests/integration).
. "$(dirname "$0")/../lib/daemons.sh"

WAIT=${STALE_WAIT:-120}
netns_init || { echo "stale-session: needs root and ip netns: $NETNS_WHY"; exit 2; }
for m in m1 m2; do member $m; netns_member $m; netns_start $m; done
printf 'Name: T\nHistory: full\n\nT.\n' >"$T/contract.txt"
b m1 group create --contract "$T/contract.txt" >/dev/null || fail "group create"
code=$(b m1 invite) || fail "invite"
until_ok 30 b m2 join "$code" --accept || fail "join"

# pk NAME — NAME's public key in hex (from its member id).
pk() {
	b "$1" --json status | python3 -c '
import base64, json, sys
i = json.load(sys.stdin)[0]["member_id"][2:].upper()
print(base64.b32decode(i + "=" * (-len(i) % 8))[:32].hex())'
}
# dialed NAME — 1 if NAME dialed its session that is up, 0 if not, none.
dialed() {
	b "$1" --json status | python3 -c '
import json, sys
u = [r for r in json.load(sys.stdin)
     if r.get("kind") == "peer" and r.get("state") == "up"]
print("none" if not u else 1 if u[0].get("outgoing") else 0)'
}
if [ "$(pk m1)" \< "$(pk m2)" ]; then S=m1; R=m2; else S=m2; R=m1; fi
# A daemon that starts dials at once: restart S until it holds the
# session it dialed (the peer's own redial waits a backoff).
n=0
until [ "$(dialed $S)" = 1 ]; do
	n=$((n + 1))
	[ $n -le 20 ] || fail "could not make $S the dialer"
	stop $S; netns_start $S
	until_ok 30 sh -c "[ \"\$(\"$BALINT\" --home \"$T/$S\" --json status |
	    grep -c '\"up\"')\" -ge 1 ]" || true
done
echo "stale-session: $S (smaller key) dialed the session; $R (larger key)" \
	"is cut off, crashes, restarts and comes back"
netns_cut $R drop
stop $R KILL
netns_reboot $R
netns_start $R
[ "${STALE_BUSY:-0}" = 0 ] || b $S note write --title busy -m "meanwhile" \
	>/dev/null || fail "note write at $S"
sleep "${STALE_CUT:-0}"
netns_mend $R
t0=$(date +%s.%N)
id=$(b $R note write --title probe -m "after the reboot") || fail "note write"
i=0
until b $S note show "$id" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt $((WAIT * 10)) ] || break
	sleep 0.1
done
t=$(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }')
refused=$(grep -c "duplicate session closed" "$T/$S.log")
ended=$(grep "peer down: $R " "$T/$S.log" | tail -n 1 | sed 's/.*, group [^:]*: //')
if [ $i -ge $((WAIT * 10)) ]; then
	echo "stale-session: the note from $R is NOT at $S after ${WAIT}s;" \
		"$S refused $refused sessions from $R"
	exit 1
fi
echo "stale-session: the note from $R reached $S ${t}s after the network" \
	"came back; meanwhile $S refused $refused sessions from $R as" \
	"duplicates; its old session ended: ${ended:-(still up)}"
exit 0
