#!/bin/sh
# A member who joins after others have written catches up whatever order
# the authors' logs sort in (entries travel in causal order), and under
# "History: full" reads what was written before they joined; under
# "from-join" (the other group) they cannot.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol
start alice; start bob; start carol

printf 'Name: Full history\nHistory: full\n\nWhat is discussed here stays here.\n' \
	>"$T/full.txt"
printf 'Name: From join\nHistory: from-join\n\nWhat is discussed here stays here.\n' \
	>"$T/join.txt"
b alice group create --contract "$T/full.txt" >/dev/null || fail "create full"
b alice group create --contract "$T/join.txt" >/dev/null || fail "create from-join"

for g in "Full history" "From join"; do
	code=$(b alice -g "$g" invite) || fail "invite bob to $g"
	b bob join "$code" --accept >/dev/null || fail "bob joins $g"
done
full=$(b bob -g "Full history" note write --title "before carol" -m "early-full-$$") \
	|| fail "bob writes (full)"
join=$(b bob -g "From join" note write --title "before carol" -m "early-join-$$") \
	|| fail "bob writes (from-join)"
b alice -g "Full history" note write --title "alice early" -m "alice-$$" >/dev/null \
	|| fail "alice writes"

for g in "Full history" "From join"; do
	code=$(b alice -g "$g" invite) || fail "invite carol to $g"
	b carol join "$code" --accept >/dev/null || fail "carol joins $g"
done

shows() { b carol -g "$1" note show "$2" 2>/dev/null | grep -q -- "$3"; }
until_ok 20 shows "Full history" "$full" "early-full-$$" \
	|| fail "carol cannot read bob's earlier note under History: full"
sleep 1
shows "From join" "$join" "early-join-$$" \
	&& fail "carol reads a note written before she joined under from-join"

# After joining, everyone reads what carol writes, in both groups.
for g in "Full history" "From join"; do
	n=$(b carol -g "$g" note write --title "carol" -m "late-$g-$$") \
		|| fail "carol writes in $g"
	for m in alice bob; do
		until_ok 20 sh -c "'$BALINT' --home '$T/$m' -g '$g' note show '$n' | grep -q 'late-'" \
			|| fail "$m did not get carol's note in $g"
	done
done
exit 0
