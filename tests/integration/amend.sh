#!/bin/sh
# Co-leader and contract amendments: anna founds the group naming ben as
# Co-leader; once ben is added he invites carl (a co-leader's invite
# works); carl, no leader, can neither invite nor amend (exit 1, one line,
# nothing changes).  ben amends the contract: every member sees version 2
# in `contract show` (amended by ben) and a new group state code, the same
# on all; carl accepted version 1 at join and then accepts version 2; dora,
# invited after the amendment, is shown version 2 and accepted it at join.
# anna amends again without a Co-leader line: ben is no leader any more.
# contract diff shows what changed between versions.
. "$(dirname "$0")/../lib/daemons.sh"

member anna; member ben; member carl; member dora
start anna; start ben; start carl; start dora

# mid WHO — WHO's member id.
mid() {
	b "$1" --json status | grep '"kind": "daemon"' |
		sed 's/.*"member_id": "\([^"]*\)".*/\1/'
}
# code WHO — the state code WHO shows for the group (status), or "".
code() {
	b "$1" --json status | grep '"kind": "group"' |
		sed -n 's/.*"state_code": "\([0-9-]*\)".*/\1/p'
}
# same_code CODE WHO... — everyone shows CODE (and CODE is not empty).
same_code() {
	_want=$1; shift
	[ -n "$_want" ] || return 1
	for _w in "$@"; do
		[ "$(code "$_w")" = "$_want" ] || return 1
		# members shows the same code, on its header line and in --json.
		b "$_w" members | head -n 1 | grep -q "^state code: $_want$" ||
			return 1
		b "$_w" --json members | grep -q "\"state_code\": \"$_want\"" ||
			return 1
	done
}
# version WHO N — WHO's contract show says version N.
version() {
	b "$1" contract show | grep -q "^Version: *$2\\b"
}
# role WHO NAME ROLE — WHO's members list shows NAME with ROLE.
role() {
	b "$1" members | grep -q "^$2 *$3 *active"
}
# refused WHO TEXT ARGS... — balint as WHO exits 1 with one line saying TEXT.
refused() {
	_who=$1 _text=$2; shift 2
	b "$_who" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	[ "$_rc" -eq 1 ] || fail "$_who $*: exit $_rc, want 1: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] ||
		fail "$_who $*: not one line: $(cat "$T/err")"
	grep -q -- "$_text" "$T/err" ||
		fail "$_who $*: '$(cat "$T/err")' does not say '$_text'"
}

BEN=$(mid ben)
[ -n "$BEN" ] || fail "no member id for ben"
cat >"$T/contract.txt" <<TXT
Name: Amend group
History: from-join
Co-leader: $BEN

What is discussed in the group stays in the group.
TXT
b anna group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
b anna contract show | grep -q "^Leaders: *anna, $BEN" ||
	fail "the contract does not name ben as co-leader"
b anna contract show | grep -q "^Version: *1 (as founded)" ||
	fail "a new contract is not version 1"
c=$(b anna invite) || fail "invite for ben"
b ben join "$c" --accept >/dev/null || fail "ben join"
until_ok 20 role ben ben leader || fail "ben is not a leader at ben"
role anna ben leader || fail "ben is not a leader at anna"
b ben --json group list | grep -q '"role": "leader"' ||
	fail "ben's group list does not say leader"

# The co-leader invites.
c=$(b ben invite) || fail "ben (co-leader) cannot invite"
b carl join "$c" --accept >/dev/null || fail "carl join (invited by ben)"
until_ok 20 role anna carl member || fail "anna does not see carl"
role carl carl member || fail "carl is not a member at carl"
code1=$(code anna)
until_ok 30 same_code "$code1" anna ben carl ||
	fail "members disagree on the state code: $(code anna) $(code ben) $(code carl)"

# A member who is no leader can neither invite nor amend.
refused carl "only a leader of Amend group can invite" invite
b carl contract text >"$T/carl.txt" || fail "carl contract text"
sed 's/stays in the group\./stays in the group. Carl was here./' \
	"$T/carl.txt" >"$T/carl2.txt"
refused carl "only a leader of Amend group can amend the contract" \
	contract amend "$T/carl2.txt"
[ "$(code carl)" = "$code1" ] || fail "carl's refused amendment changed his code"
version carl 1 || fail "carl's refused amendment made a version"
# Usage errors exit 2, a missing file 1.
b carl contract amend >/dev/null 2>&1; [ $? -eq 2 ] || fail "amend without FILE"
b ben contract amend "$T/missing" >/dev/null 2>&1; [ $? -eq 1 ] ||
	fail "amend of a missing file"
# An amendment that changes nothing, and a text that does not parse.
b ben contract text >"$T/same.txt" || fail "ben contract text"
grep -q "^Co-leader: " "$T/same.txt" || fail "contract text lost the co-leader"
refused ben "the same as the current version 1" contract amend "$T/same.txt"
printf 'Name: x\nColour: blue\n\n' >"$T/bad.txt"
refused ben "line 2: unknown key 'Colour'" contract amend "$T/bad.txt"

# ben (co-leader) amends: a new version, seen by all, with a new code.
sed 's/^Name: .*/Name: Amend group/; s/stays in the group\./stays in the group. We meet on Thursdays./' \
	"$T/same.txt" >"$T/v2.txt"
b ben contract amend "$T/v2.txt" >"$T/out" || fail "ben amend"
grep -q "amended the contract of Amend group: version 2" "$T/out" ||
	fail "amend printed '$(cat "$T/out")'"
for m in anna ben carl; do
	until_ok 20 version $m "2, amended by ben" ||
		fail "$m does not show version 2 amended by ben"
	b $m contract show | grep -q "We meet on Thursdays" ||
		fail "$m does not show the amended text"
	b $m contract show | grep -q "^Leaders: *ben, anna" ||
		fail "$m: the amendment changed the leaders"
done
code2=$(code anna)
[ "$code2" != "$code1" ] || fail "the amendment did not change the state code"
until_ok 30 same_code "$code2" anna ben carl ||
	fail "members disagree on the state code after the amendment"

# A newcomer after the amendment is shown version 2 (the inviter sends the
# current version; it no longer hashes to the group id, and the joiner
# checks it against the roster once joined) and joins under it.
c=$(b anna invite) || fail "invite for dora"
b dora join "$c" --accept >/dev/null || fail "dora join after the amendment"
until_ok 20 version dora "2, amended by ben" || fail "dora does not show version 2"
b dora contract show | grep -q "^  dora *accepted at join (version 2)" ||
	fail "dora did not accept version 2 at join"
until_ok 20 role carl dora member || fail "carl does not see dora"
code2=$(code anna)	# dora's ADD changed it
until_ok 30 same_code "$code2" anna ben carl dora ||
	fail "members disagree on the state code after dora joined"

# Who accepted which version.
b anna contract show >"$T/show" || fail "contract show"
grep -q "^  1 .*founded by anna" "$T/show" || fail "no version 1 line"
grep -q "^  2 .*amended by ben *(current)" "$T/show" || fail "no version 2 line"
grep -q "^  anna *wrote version 1" "$T/show" ||
	fail "anna's acceptance: $(cat "$T/show")"
grep -q "^  ben *wrote version 2" "$T/show" || fail "ben's acceptance"
grep -q "^  carl *accepted at join (version 1)" "$T/show" ||
	fail "carl's acceptance"
grep -q "^  dora *accepted at join (version 2)" "$T/show" ||
	fail "dora's acceptance"
# status says it in plain words: carl has version 2 to accept, dora not;
# a member counts once whatever their addresses.
b carl status >"$T/st" || fail "carl status"
grep -q "the contract was amended (version 2) and waits for your acceptance" \
	"$T/st" || fail "carl's status shows no amendment waiting: $(cat "$T/st")"
b dora status | grep -q "waits for your acceptance" &&
	fail "dora's status shows an amendment she accepted at join"
upto() { b anna status | grep -q "^    4 members, 0 notes; up to date with [^;]*dora"; }
until_ok 30 upto || fail "anna's status in words: $(b anna status | sed -n 3,4p)"
b carl contract accept >"$T/out" || fail "carl accept"
b carl status | grep -q "waits for your acceptance" &&
	fail "carl's status still shows the amendment after accepting"
grep -q "accepted the contract of Amend group: version 2" "$T/out" ||
	fail "accept printed '$(cat "$T/out")'"
refused carl "you accepted version 2 of the contract of Amend group already" \
	contract accept
accepted() {
	b "$1" contract show | grep -q "^  carl *accepted version 2 on "
}
for m in anna ben carl dora; do
	until_ok 20 accepted $m || fail "$m does not see carl's acceptance"
done
# An acceptance is no change of the group: the code stays.
[ "$(code anna)" = "$code2" ] || fail "an acceptance changed the state code"
b anna --json contract show | grep '"kind": "member"' |
	grep '"name": "carl"' | grep -q '"accepted": 2' ||
	fail "contract show --json: carl's acceptance"

# anna amends without a Co-leader line: ben is a leader no more.
grep -v "^Co-leader:" "$T/v2.txt" | sed 's/Thursdays/Fridays/' >"$T/v3.txt"
b anna contract amend "$T/v3.txt" >/dev/null || fail "anna amend"
for m in anna ben carl dora; do
	until_ok 20 version $m "3, amended by anna" ||
		fail "$m does not show version 3"
	until_ok 20 role $m ben member || fail "$m still has ben as leader"
done
refused ben "only a leader of Amend group can invite" invite
refused ben "only a leader of Amend group can amend the contract" \
	contract amend "$T/v2.txt"
code3=$(code anna)
until_ok 30 same_code "$code3" anna ben carl dora ||
	fail "members disagree on the state code after the third version"
# contract diff: two versions as a unified diff, who amended and when in
# its header; by default the version before the current one against it.
b carl contract diff 1 2 >"$T/diff" || fail "contract diff 1 2"
grep -q "^--- version 1, founded by anna on 20" "$T/diff" &&
	grep -q "^+++ version 2, amended by ben on 20" "$T/diff" &&
	grep -q "^@@ -[0-9]*,[0-9]* +[0-9]*,[0-9]* @@$" "$T/diff" &&
	grep -qx -- "-What is discussed in the group stays in the group." "$T/diff" &&
	grep -qx -- "+What is discussed in the group stays in the group. We meet on Thursdays." "$T/diff" &&
	grep -qx " History: from-join" "$T/diff" ||
	fail "contract diff 1 2: $(cat "$T/diff")"
[ "$(grep -c '^[-+][^-+]' "$T/diff")" -eq 2 ] ||
	fail "contract diff 1 2 shows more than the changed line: $(cat "$T/diff")"
b dora contract diff >"$T/diff" || fail "contract diff (the default)"
grep -q "^--- version 2, amended by ben on " "$T/diff" &&
	grep -q "^+++ version 3, amended by anna on " "$T/diff" &&
	grep -qx -- "-Co-leader: $BEN" "$T/diff" &&
	grep -q "^-.*We meet on Thursdays\.$" "$T/diff" &&
	grep -q "^+.*We meet on Fridays\.$" "$T/diff" ||
	fail "contract diff (2 against 3): $(cat "$T/diff")"
b dora --json contract diff 1 2 | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert [v["version"] for v in r] == [1, 2], r
assert "Thursdays" in r[1]["text"] and "Thursdays" not in r[0]["text"], r
assert r[1]["by"] == "ben" and not r[0]["current"], r' ||
	fail "contract diff --json: $(b dora --json contract diff 1 2)"
b dora contract diff 2 current | cmp -s - "$T/diff" ||
	fail "contract diff 2 current is not the default"
b dora contract diff 3 3 >"$T/diff" && [ "$(grep -vc '^[-+][-+][-+] ' "$T/diff")" -eq 0 ] ||
	fail "a version against itself: $(cat "$T/diff")"
b carl contract diff two 2>"$T/err"; [ $? -eq 2 ] || fail "contract diff two is not exit 2"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "bad contract version 'two'" "$T/err" ||
	fail "contract diff two: $(cat "$T/err")"
refused carl "the contract of Amend group has no version 9 (its versions are 1 to 3)" \
	contract diff 1 9

# A member whose daemon stopped: "last seen just now" in anna's status.
stop dora
seen() { b anna status | grep -q "^    4 members, 0 notes;.*; dora last seen just now"; }
until_ok 30 seen || fail "dora stopped: anna's status says $(b anna status | grep '^    4 members')"
exit 0
