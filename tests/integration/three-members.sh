#!/bin/sh
# Three members found a group and join by invite; a note written by one
# appears at the other two; edits and deletions propagate; a deleted
# note's text is gone from every store; no plaintext ever reaches a disk.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol
start alice; start bob; start carol

cat >"$T/contract.txt" <<'TXT'
Name: Tuesday Balint
History: from-join
Cadence: every other week, 90 minutes

What is discussed in the group stays in the group.
TXT
gid=$(b alice group create --contract "$T/contract.txt") || fail "group create"
[ ${#gid} -eq 64 ] || fail "group create printed '$gid', not a group id"

code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
code=$(b alice invite) || fail "invite for carol"
b carol join "$code" --accept >/dev/null || fail "carol join"
# The same code a second time is refused.
b carol join "$code" --accept 2>"$T/err" && fail "a used invite was accepted twice"

for m in alice bob carol; do
	n=$(b $m members --json | grep -o '"status": *"active"' | wc -l)
	[ "$n" -eq 3 ] || fail "$m sees $n active members, not 3"
done

MARK=zebra-kite-$$
note=$(b bob note write --kind case --case K1 --title "Mrs K" \
	-m "first version $MARK-v1") || fail "note write"
b carol note write --kind followup --case K1 --yes --title "Re Mrs K" \
	-m "follow-up $MARK-fu" >/dev/null || fail "carol follow-up"

shows() {	# member note text
	b "$1" note show "$2" 2>/dev/null | grep -q -- "$3"
}
lists() {	# member text
	b "$1" note list 2>/dev/null | grep -q -- "$2"
}
for m in alice carol; do
	until_ok 20 shows $m "$note" "$MARK-v1" || fail "$m did not get bob's note"
done
for m in alice bob; do
	until_ok 20 lists $m "Re Mrs K" || fail "$m did not get carol's follow-up"
done

b bob note edit "$note" -m "second version $MARK-v2" >/dev/null || fail "edit"
for m in alice carol; do
	until_ok 20 shows $m "$note" "$MARK-v2" || fail "$m did not get the edit"
done
# Only the author edits.
b alice note edit "$note" -m "hijack" 2>/dev/null && fail "alice edited bob's note"

b bob note delete --yes "$note" >/dev/null || fail "delete"
for m in alice carol; do
	until_ok 20 sh -c "! '$BALINT' --home '$T/$m' note show '$note'" \
		|| fail "$m still shows the deleted note"
	lists $m "$note" && fail "$m still lists the deleted note"
	lists $m "Re Mrs K" || fail "$m lost carol's follow-up"
done

# No plaintext on disk, anywhere in any profile (database, WAL, logs, temp).
for m in alice bob carol; do
	if grep -r -a -l -- "$MARK" "$T/$m" "$T/$m.log" 2>/dev/null; then
		fail "plaintext marker found on disk in $m's profile"
	fi
done
exit 0
