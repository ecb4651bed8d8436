#!/bin/sh
# A leader's software goes bad and hands two members different keys for one
# epoch (tests/interop/forge-peer split-key with lena's profile): a ROTATE
# whose envelope commits to the key sealed to lena but seals another key to
# bea.  The entry is valid (signed by a leader, the envelope decodes), so bea
# stores it; but the key sealed to her is not the committed one, so she
# refuses it (one log line), and cannot write under that epoch, instead of
# writing notes the others could never read.
. "$(dirname "$0")/../lib/daemons.sh"

member lena; member bea
start lena; start bea

printf 'Name: Split\nHistory: from-join\n\nWhat is said here stays here.\n' \
	>"$T/contract.txt"
b lena group create --contract "$T/contract.txt" >/dev/null || fail "group create"
code=$(b lena invite) || fail "invite"
b bea join "$code" --accept >/dev/null || fail "bea join"
epoch() {	# WHO: current epoch
	b "$1" --json status | grep '"kind": "group"' |
		sed -n 's/.*"epoch": \([0-9]*\).*/\1/p'
}
both() {	# both members see 2 active members
	for m in lena bea; do
		[ "$(b $m members --json | grep -o '"status": *"active"' | wc -l)" \
			-eq 2 ] || return 1
	done
}
until_ok 30 both || fail "lena and bea do not see each other as members"
b bea note write --title before -m "before" >/dev/null ||
	fail "bea cannot write before the split"
e0=$(epoch bea)

FORGE=$BUILD/tests/forge-peer
[ -x "$FORGE" ] || fail "no $FORGE (make unit builds it)"
BEA=$(b bea --json status | grep '"kind": "daemon"' |
	sed 's/.*"member_id": "\([^"]*\)".*/\1/')
stop lena
out=$("$FORGE" "$T/lena" "$(addr bea)" "$BEA" split-key) ||
	fail "forge-peer split-key: $out"
[ "$out" = "acked" ] || fail "bea did not take lena's ROTATE: $out"
until_ok 10 grep -q "refused the key of epoch" "$T/bea.log" ||
	fail "bea did not refuse the key that is not the committed one"
[ "$(epoch bea)" != "$e0" ] || fail "bea did not fold lena's ROTATE"
# The new epoch is the one to write under, and bea holds no key for it.
b bea note write --title after -m "after" >"$T/out" 2>&1 &&
	fail "bea wrote under a key that is not the epoch's: $(cat "$T/out")"
exit 0
