#!/bin/sh
# Retention: in a group whose contract says "Retention: 1" (day), notes
# older than a day are erased on every member: at start-up, and on arrival
# when a member whose clock has not moved on hands one over intact.  The
# erased entries keep their rows (erased = 1, no body); a note written
# later survives; a group without Retention keeps its notes.  The daemons'
# clocks move two days on through the test hook BALINT_CLOCK_OFFSET_MS.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol
start alice; start bob; start carol

printf 'Name: Short memory\nHistory: full\nRetention: 1\n\nNotes here last a day.\n' \
	>"$T/short.txt"
printf 'Name: Long memory\nHistory: full\n\nNotes here are kept.\n' >"$T/long.txt"
gs=$(b alice group create --contract "$T/short.txt") || fail "create short"
gl=$(b alice group create --contract "$T/long.txt") || fail "create long"
for g in "$gs" "$gl"; do
	for m in bob carol; do
		code=$(b alice -g "$g" invite) || fail "invite $m to $g"
		b $m join "$code" --accept >/dev/null || fail "$m joins $g"
	done
done

shows() {	# member group note text
	b "$1" -g "$2" note show "$3" 2>/dev/null | grep -q -- "$4"
}
lists() {	# member group text
	b "$1" -g "$2" note list 2>/dev/null | grep -q -- "$3"
}
gone() {	# member group note title — neither listed nor shown
	! b "$1" -g "$2" note show "$3" >/dev/null 2>&1 &&
	b "$1" -g "$2" note list >"$T/list.$1" 2>&1 &&
	! grep -q -- "$4" "$T/list.$1"
}
entries() {	# member group — the group's entry count in `status`
	b "$1" --json status | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o.get("kind") == "group" and o.get("group") == sys.argv[1]:
        print(o["entries"])' "$2"
}
level() {	# member member group — both hold as many entries
	x=$(entries "$1" "$3") && y=$(entries "$2" "$3") && [ -n "$x" ] &&
	[ "$x" = "$y" ]
}

MARK=retention-$$
na=$(b alice -g "$gs" note write --title "old by alice" -m "old-a $MARK") \
	|| fail "alice writes in the short group"
nk=$(b alice -g "$gl" note write --title "kept by alice" -m "kept $MARK") \
	|| fail "alice writes in the long group"
for m in bob carol; do
	until_ok 30 shows $m "$gs" "$na" "old-a" || fail "$m did not get alice's note"
	until_ok 30 shows $m "$gl" "$nk" "kept" || fail "$m did not get the kept note"
done
# carol is away while bob writes: she will get bob's note only later.
stop carol
nb=$(b bob -g "$gs" note write --title "old by bob" -m "old-b $MARK") \
	|| fail "bob writes in the short group"
until_ok 30 shows alice "$gs" "$nb" "old-b" || fail "alice did not get bob's note"
stop alice
stop bob

# Two days on.  carol erases alice's note at start-up; then bob, whose
# clock has not moved, hands her his note intact: she erases it on arrival.
export BALINT_CLOCK_OFFSET_MS=$((2 * 86400 * 1000))
export BALINT_RETENTION_INTERVAL_MS=200
start carol
gone carol "$gs" "$na" "old by alice" || fail "carol still has alice's expired note"
unset BALINT_CLOCK_OFFSET_MS
start bob
until_ok 30 level bob carol "$gs" || fail "carol did not catch up with bob"
shows bob "$gs" "$nb" "old-b" || fail "bob (clock not moved) lost his note"
gone carol "$gs" "$nb" "old by bob" || fail "carol kept bob's expired note"
shows carol "$gl" "$nk" "kept" || fail "carol lost the note of the long group"

# Everyone two days on.
stop bob
export BALINT_CLOCK_OFFSET_MS=$((2 * 86400 * 1000))
start bob; start alice
for m in alice bob carol; do
	gone $m "$gs" "$na" "old by alice" || fail "$m still has alice's expired note"
	gone $m "$gs" "$nb" "old by bob" || fail "$m still has bob's expired note"
	shows $m "$gl" "$nk" "kept" || fail "$m lost the note of the long group"
	grep -q "warning: BALINT_CLOCK_OFFSET_MS" "$T/$m.log" \
		|| fail "$m did not warn about the shifted clock"
done
for m in alice bob; do
	grep -q "retention: erased 2 notes older than 1 day in group ${gs%"${gs#????????}"}" \
		"$T/$m.log" || fail "$m did not log its start-up erasure"
done
grep -q "retention: erased 1 note older than 1 day" "$T/carol.log" \
	|| fail "carol did not log her start-up erasure"

# A note written now (at the shifted clock) reaches everyone and stays.
nf=$(b carol -g "$gs" note write --title "fresh" -m "fresh $MARK") \
	|| fail "carol writes a fresh note"
for m in alice bob; do
	until_ok 30 shows $m "$gs" "$nf" "fresh" || fail "$m did not get the fresh note"
done
for m in alice bob carol; do
	until_ok 30 level $m carol "$gs" || fail "$m is not level with carol"
	b $m -g "$gs" sync --wait --timeout 20s >/dev/null 2>&1 || true
	shows $m "$gs" "$nf" "fresh" || fail "$m lost the fresh note"
	shows $m "$gl" "$nk" "kept" || fail "$m lost the note of the long group"
done
stop alice; stop bob; stop carol

# The stores, on copies: expired entries keep their rows, erased and
# without a body; the fresh note and the long group's note are intact.
for m in alice bob carol; do
	rm -rf "$T/check"; mkdir "$T/check"
	cp "$T/$m/store.db" "$T/check/" || fail "copy $m's store"
	[ ! -f "$T/$m/store.db-wal" ] || cp "$T/$m/store.db-wal" "$T/check/"
	python3 - "$T/check/store.db" "$gs" "$gl" <<'PY' || fail "$m's store: see above"
import sqlite3, sys

db, short, long_ = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
con = sqlite3.connect(db)

def has_body(blob):
    # [header bin8, body_hash bin8 32, body bin|nil, sig bin8 64]
    assert blob[0] == 0x94 and blob[1] == 0xc4, "not an encoded entry"
    p = 3 + blob[2]
    assert blob[p] == 0xc4 and blob[p + 1] == 0x20, "bad body hash"
    return blob[p + 34] != 0xc0

def notes(gid):
    return con.execute("SELECT erased, time, blob FROM entries "
                       "WHERE gid = ? AND kind = 1 ORDER BY time", (gid,)).fetchall()

s = notes(short)
assert len(s) == 3, "short group: %d note entries, not 3" % len(s)
for erased, _, blob in s[:2]:
    assert erased == 1, "an expired note is not marked erased"
    assert not has_body(blob), "an expired note still has its body"
assert s[2][0] == 0 and has_body(s[2][2]), "the fresh note was erased"
l = notes(long_)
assert len(l) == 1 and l[0][0] == 0 and has_body(l[0][2]), \
    "the long group's note was erased"
assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
PY
done

# No plaintext on disk, anywhere in any profile.
for m in alice bob carol; do
	if grep -r -a -l -- "$MARK" "$T/$m" "$T/$m.log" 2>/dev/null; then
		fail "plaintext marker found on disk in $m's profile"
	fi
done
exit 0
