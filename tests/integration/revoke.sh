#!/bin/sh
# A leader revokes a member.  A non-leader's revoke is refused and changes
# nothing.  After the revocation a note written by another member reaches
# every member but the revoked one, whose daemon erased the group (no
# entries left in its store, status tells it plainly) and never held the
# note; a copy of the revoked member's old profile that re-dials with the
# old network keys is refused after the handshake; a member offline during
# the revocation catches up and ends with the same roster as everyone.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol; member dave
start alice; start bob; start carol; start dave

printf 'Name: Revocation\nHistory: from-join\n\nWhat is said here stays here.\n' \
	>"$T/contract.txt"
gid=$(b alice group create --contract "$T/contract.txt") || fail "group create"
for m in bob carol dave; do
	code=$(b alice invite) || fail "invite $m"
	b $m join "$code" --accept >/dev/null || fail "$m join"
done

active() {	# member count
	[ "$(b "$1" members --json | grep -o '"status": *"active"' | wc -l)" \
		-eq "$2" ]
}
for m in alice bob carol dave; do
	until_ok 30 active $m 4 || fail "$m does not see 4 active members"
done

MARK=revoke-mark-$$
shows() {	# member note text
	b "$1" note show "$2" 2>/dev/null | grep -q -- "$3"
}
before=$(b dave note write --title "dave's case" -m "dave-before-$MARK") \
	|| fail "dave writes"
for m in alice bob carol; do
	until_ok 30 shows $m "$before" "dave-before-$MARK" \
		|| fail "$m did not get dave's note"
done
b bob sync --wait --timeout 20000 >/dev/null 2>&1

# A non-leader's revoke: exit 1, the message, and nothing changes.
for m in alice bob carol dave; do
	b $m members --json >"$T/$m.members.before" || fail "members $m"
done
b bob revoke --yes dave 2>"$T/err" && fail "bob (not a leader) revoked dave"
[ $? -eq 1 ] || fail "bob's revoke did not exit 1"
grep -q "only a leader of Revocation can revoke members" "$T/err" \
	|| fail "bob's revoke said: $(cat "$T/err")"
b alice revoke --yes nobody 2>"$T/err" && fail "revoked an unknown member"
grep -q "unknown member 'nobody' (see: balint members)" "$T/err" \
	|| fail "unknown member said: $(cat "$T/err")"
b alice revoke --yes alice 2>"$T/err" && fail "alice revoked herself"
grep -q "balint leave" "$T/err" || fail "self revoke said: $(cat "$T/err")"
b alice sync --wait --timeout 20000 >/dev/null 2>&1
for m in alice bob carol dave; do
	b $m members --json >"$T/$m.members.after" || fail "members $m"
	cmp -s "$T/$m.members.before" "$T/$m.members.after" \
		|| fail "a refused revoke changed the roster at $m"
done

# A copy of dave's profile as it is now: a daemon that would not erase.
stop dave
cp -a "$T/dave" "$T/dave2"
rm -f "$T/dave2/balintd.sock"
start dave
# Carol is offline during the revocation.
stop carol

epoch0=$(b alice status --json | grep -o '"epoch": *[0-9]*' | grep -o '[0-9]*$')
# By a prefix of dave's member id (a name works as well).
did=$(b alice members --json | python3 -c '
import json, sys
print([m["member_id"] for m in json.load(sys.stdin) if m["name"] == "dave"][0])')
[ -n "$did" ] || fail "no member id for dave"
b alice revoke --yes "$(printf %s "$did" | cut -c1-12)" >"$T/out" \
	|| fail "alice cannot revoke dave"
grep -q "revoked dave ($did)" "$T/out" || fail "revoke printed: $(cat "$T/out")"
epoch1=$(b alice status --json | grep -o '"epoch": *[0-9]*' | grep -o '[0-9]*$')
[ "$epoch1" -gt "$epoch0" ] || fail "no new epoch after the revocation"

status_of() {	# member name: that member's status as member sees it
	b "$1" members --json | python3 -c '
import json, sys
print([m["status"] for m in json.load(sys.stdin) if m["name"] == sys.argv[1]][0])' "$2"
}
revoked() { [ "$(status_of "$1" dave)" = revoked ]; }
until_ok 30 revoked bob || fail "bob does not see dave revoked"
revoked alice || fail "alice does not see dave revoked"

# Dave's daemon erased the group and says so.
erased() {
	b dave group list --json | grep -q '^\[\]$' &&
		b dave status | grep -q "you were removed from 'Revocation' by alice on"
}
until_ok 30 erased || fail "dave's daemon did not erase the group"
b dave group list | grep -q "you were removed from 'Revocation' by alice" \
	|| fail "group list does not tell dave he was removed"
b dave note list >/dev/null 2>&1 && fail "dave can still list notes"

# The note written afterwards reaches alice, not dave.
after=$(b bob note write --title "after dave" -m "after-$MARK") \
	|| fail "bob writes after the revocation"
until_ok 30 shows alice "$after" "after-$MARK" || fail "alice did not get the note"

# Carol comes back, catches up and reads it.
start carol
until_ok 30 shows carol "$after" "after-$MARK" \
	|| fail "carol (offline during the revocation) did not catch up"
until_ok 30 revoked carol || fail "carol does not see dave revoked"
b alice sync --wait --timeout 20000 >/dev/null 2>&1
same() {
	b alice members --json >"$T/m.alice" &&
		b bob members --json >"$T/m.bob" &&
		b carol members --json >"$T/m.carol" &&
		cmp -s "$T/m.alice" "$T/m.bob" && cmp -s "$T/m.alice" "$T/m.carol"
}
until_ok 30 same || fail "alice, bob and carol do not agree on the roster"
code() { b "$1" status --json | grep -o '"state_code": *"[^"]*"'; }
codes_same() { [ -n "$(code alice)" ] && [ "$(code alice)" = "$(code bob)" ] &&
	[ "$(code alice)" = "$(code carol)" ]; }
if [ -n "$(code alice)" ]; then
	until_ok 30 codes_same || fail "alice, bob and carol show different state codes"
fi

# Dave's store holds nothing of the group (a copy, read with sqlite3).
stop dave
cp "$T/dave/store.db" "$T/dave-copy.db"
[ -f "$T/dave/store.db-wal" ] && cp "$T/dave/store.db-wal" "$T/dave-copy.db-wal"
n=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
gid = bytes.fromhex(sys.argv[2])
n = 0
for t in ("entries", "keys", "peers", "announced", "invites", "groups"):
    n += db.execute("SELECT count(*) FROM %s WHERE gid=?" % t, (gid,)).fetchone()[0]
print(n)' "$T/dave-copy.db" "$gid") || fail "cannot read dave's store"
[ "$n" -eq 0 ] || fail "dave's store still holds $n rows of the group"

# The old copy of dave re-dials with the old keys: refused after the
# handshake, no session comes up, and it never gets the new note.
cp "$T/dave.port" "$T/dave2.port"
start dave2
b dave2 -g "$gid" peer add "$(addr alice)" >/dev/null || fail "dave2 peer add"
until_ok 30 grep -q "handshake refused (not permitted)" "$T/alice.log" \
	|| fail "alice did not refuse dave's re-dial"
b dave2 status | grep -q " up" && fail "a session with revoked dave came up"
b dave2 note show "$after" >/dev/null 2>&1 && fail "dave's old copy got the new note"

# The note written after the revocation never reached dave's profile.
for f in "$T/dave" "$T/dave2" "$T/dave.log" "$T/dave2.log"; do
	if grep -r -a -l -- "after-$MARK" "$f" 2>/dev/null; then
		fail "the note written after the revocation is in $f"
	fi
done
exit 0
