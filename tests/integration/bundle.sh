#!/bin/sh
# Bundles: members who are never online together sync by files only, both
# ways.  After the group forms (everyone online once), each daemon runs
# alone: alice writes a note and a bundle --for bob (only what bob lacks,
# from his HAVE of that session); bob reads it, writes back; alice reads his.
# A bundle read twice changes nothing and says so.  A bundle written by a
# copy of dave's profile after dave was revoked: his entries beyond the cut
# refused.  A truncated, a tampered and another group's bundle: refused with
# one line, exit 1, the store unchanged.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member dave
start alice; start bob; start dave
printf 'Name: Paper Trail\nHistory: from-join\n\nWhat is said here stays here.\n' \
	>"$T/contract.txt"
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
for m in bob dave; do
	code=$(b alice invite) || fail "invite $m"
	b $m join "$code" --accept >/dev/null || fail "$m join"
done
active() {	# member count
	[ "$(b "$1" members --json | grep -o '"status": *"active"' | wc -l)" \
		-eq "$2" ]
}
for m in alice bob dave; do
	until_ok 30 active $m 3 || fail "$m does not see 3 active members"
done
b alice sync --wait --timeout 20 >/dev/null 2>&1
b bob sync --wait --timeout 20 >/dev/null 2>&1
stop alice; stop bob; stop dave
# A copy of dave's profile from before his revocation (a dishonest daemon).
cp -a "$T/dave" "$T/dave2"
rm -f "$T/dave2/balintd.sock"

entries() {	# member: the group's entry count (status, first group)
	b "$1" status --json | grep -o '"entries": *[0-9]*' | head -1 |
		grep -o '[0-9]*$'
}
shows() {	# member note text
	b "$1" note show "$2" 2>/dev/null | grep -q -- "$3"
}
written() {	# output of bundle write: its entry count
	sed -n 's/^wrote \([0-9]*\) entries.*/\1/p' "$1"
}

# alice alone: a note, a full bundle and one for bob.
start alice
na=$(b alice note write --title "On paper" -m "carried-by-hand-$$") \
	|| fail "alice note write"
b alice bundle write "$T/all.bal" >"$T/out" || fail "full bundle"
full=$(written "$T/out")
b alice bundle write "$T/for-bob.bal" --for bob >"$T/out" || fail "bundle --for bob"
forbob=$(written "$T/out")
[ -n "$full" ] && [ -n "$forbob" ] && [ "$forbob" -ge 1 ] \
	&& [ "$forbob" -lt "$full" ] \
	|| fail "--for bob held $forbob entries of $full: not only what bob lacks"
b alice bundle write "$T/since.bal" --since 2000-01-01 >"$T/out" || fail "--since"
[ "$(written "$T/out")" = "$full" ] || fail "--since 2000-01-01: $(cat "$T/out")"
b alice bundle write "$T/since.bal" --since 2999-01-01 >"$T/out" || fail "--since later"
[ "$(written "$T/out")" = 0 ] || fail "--since 2999-01-01: $(cat "$T/out")"
b alice bundle write "$T/since.bal" --since soon 2>"$T/err"
[ $? -eq 2 ] && grep -q "bad --since 'soon'" "$T/err" || fail "bad --since: $(cat "$T/err")"
b alice bundle write "$T/since.bal" --since 1d --for bob 2>/dev/null
[ $? -eq 2 ] || fail "--since with --for was not a usage error"
[ "$(stat -c %a "$T/for-bob.bal")" = 600 ] || fail "bundle file not 0600"
ls "$T"/for-bob.bal.* >/dev/null 2>&1 && fail "a temporary file was left"
# Nothing identifying in the header: the group id and names nowhere.
gid=$(b alice status --json | grep -o '"group": *"[0-9a-f]*"' | head -1 |
	grep -o '[0-9a-f]\{64\}')
python3 - "$T/for-bob.bal" "$gid" <<'PY' || fail "the bundle shows what it should not"
import sys
d = open(sys.argv[1], "rb").read()
gid = bytes.fromhex(sys.argv[2]) if sys.argv[2] else b""
assert d[:8] == b"balbndl1", d[:8]
for s in (gid[:8], b"alice", b"bob", b"Paper Trail", b"carried-by-hand"):
    assert s and s not in d, s
PY
stop alice

# bob alone: reads it, writes back.
start bob
b bob bundle read "$T/for-bob.bal" >"$T/out" || fail "bob cannot read alice's bundle"
# --for works from bob's last HAVE that alice kept: an entry bob took in
# the last moment before both stopped may be in the file, and is not
# added twice.
grep -q "written by alice: added [1-9][0-9]* of its $forbob entries" "$T/out" \
	|| fail "bob's read said: $(cat "$T/out")"
grep -q "^  alice: [1-9][0-9]* added" "$T/out" || fail "no per-author line: $(cat "$T/out")"
shows bob "$na" "carried-by-hand-$$" || fail "bob does not show alice's note"
# Read twice: a no-op that says so.
before=$(entries bob)
b bob bundle read "$T/for-bob.bal" >"$T/out" || fail "second read failed"
grep -q "nothing new, all $forbob entries were here already; nothing changed" \
	"$T/out" || fail "second read said: $(cat "$T/out")"
[ "$(entries bob)" = "$before" ] || fail "a second read changed bob's store"
nb=$(b bob note write --title "Reply on paper" -m "back-by-hand-$$") \
	|| fail "bob note write"
b bob bundle write "$T/for-alice.bal" --for alice >"$T/out" || fail "bundle --for alice"
[ "$(written "$T/out")" -ge 1 ] || fail "bob's bundle is empty"
stop bob

# alice alone again: reads bob's, and now knows bob's HAVE from his bundle.
start alice
b alice bundle read "$T/for-alice.bal" >"$T/out" || fail "alice cannot read bob's bundle"
grep -q "written by bob: added" "$T/out" || fail "alice's read said: $(cat "$T/out")"
shows alice "$nb" "back-by-hand-$$" || fail "alice does not show bob's note"
b alice bundle write "$T/again.bal" --for bob >"$T/out" || fail "second --for bob"
[ "$(written "$T/out")" -eq 0 ] \
	|| fail "bob lacks nothing, yet: $(cat "$T/out")"

# Refused bundles leave the store as it was.
refused() {	# member file what
	_r_before=$(entries "$1"); b "$1" note list >"$T/list.before"
	[ -n "$_r_before" ] || fail "no entry count for $1"
	b "$1" bundle read "$2" >"$T/out" 2>"$T/err"
	_r_rc=$?
	[ $_r_rc -eq 1 ] || fail "$3: exit $_r_rc"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$3: not one line: $(cat "$T/err")"
	grep -q "refused, nothing taken in" "$T/err" || fail "$3 said: $(cat "$T/err")"
	[ "$(entries "$1")" = "$_r_before" ] || fail "$3 changed the store"
	b "$1" note list >"$T/list.after"
	cmp -s "$T/list.before" "$T/list.after" || fail "$3 changed the notes"
}
size=$(stat -c %s "$T/all.bal")
head -c $((size - 40)) "$T/all.bal" >"$T/short.bal"
refused alice "$T/short.bal" "a truncated bundle"
python3 - "$T/all.bal" "$T/bent.bal" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[len(d) // 2] ^= 0x01
open(sys.argv[2], "wb").write(d)
PY
refused alice "$T/bent.bal" "a tampered bundle"
grep -q "does not open with the key" "$T/err" || fail "tampered said: $(cat "$T/err")"
head -c 100 /dev/urandom >"$T/noise.bal"
refused alice "$T/noise.bal" "a file that is no bundle"
grep -q "not a balint bundle" "$T/err" || fail "noise said: $(cat "$T/err")"

# Another group's bundle: dave2 (alone) founds one and writes its bundle.
printf 'Name: Elsewhere\n\nAnother group.\n' >"$T/other.txt"
start dave2
b dave2 group create --contract "$T/other.txt" >/dev/null || fail "other group"
b dave2 bundle write "$T/other.bal" -g Elsewhere >/dev/null || fail "other bundle"
stop dave2
refused alice "$T/other.bal" "another group's bundle"

# alice revokes dave (alone); dave2 writes on and sends a bundle.
b alice revoke --yes dave >/dev/null || fail "revoke dave"
stop alice
start dave2
nd=$(b dave2 note write -g "Paper Trail" --title "After the cut" -m "void-$$") \
	|| fail "dave2 note write"
b dave2 bundle write "$T/dave.bal" -g "Paper Trail" >/dev/null || fail "dave2 bundle"
stop dave2
start alice
b alice bundle read "$T/dave.bal" >"$T/out" 2>"$T/err" \
	|| fail "alice refused dave's bundle whole: $(cat "$T/err")"
grep -q "^  dave: 0 added, [1-9][0-9]* refused (beyond the cut of their removal)" \
	"$T/out" || fail "dave's bundle read said: $(cat "$T/out")"
b alice note show "$nd" >/dev/null 2>&1 && fail "alice took dave's note beyond the cut"
stop alice
exit 0
