#!/bin/sh
# A profile restored from an older copy (docs/member-guide.md, "Restoring a
# profile"; docs/protocol.md, "Forked logs").  Restored and started while
# the others are reachable, bob's daemon gets his own newer entries back
# from alice and nothing is lost.  Restored and written to before it meets
# anyone, bob's log forks: when alice sends him her longer branch of it,
# he skips it and keeps his, says so (status, log), refuses his own
# further writes with one line, and everything else keeps syncing (a fork
# used to fail every batch between them and end every session).  Then
# carol's branches are of equal length: the fork probes at session start
# show it to both sides.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob
start alice; start bob
cat >"$T/contract" <<'C'
Name: Restore

Backups get restored.
C
b alice group create --contract "$T/contract" >/dev/null || fail "group create"
code=$(b alice invite 2>/dev/null) || fail "invite"
b bob join "$code" --accept >/dev/null || fail "bob join"

# has MEMBER TITLE — MEMBER lists a note of that title.
has() { b "$1" note list 2>/dev/null | grep -q -- "$2"; }
b bob note write --title "before the backup" -m one >/dev/null || fail "write 1"
until_ok 30 has alice "before the backup" || fail "alice lacks bob's first note"

# A backup of bob's profile, taken while his daemon is stopped.
backup() {
	stop bob
	rm -rf "$T/bob-copy"
	cp -a "$T/bob" "$T/bob-copy" || fail "copy of bob's profile"
	start bob
}
restore() {
	stop bob
	rm -rf "$T/bob"
	mv "$T/bob-copy" "$T/bob" || fail "restore of bob's profile"
}

# ---- restored, then started with alice online: nothing lost ----------------
backup
b bob note write --title "after the backup" -m two >/dev/null || fail "write 2"
until_ok 30 has alice "after the backup" || fail "alice lacks bob's second note"
restore
start bob
until_ok 30 has bob "after the backup" ||
	fail "bob's restored profile did not get his own newer note back"
b bob note write --title "after catching up" -m three >/dev/null ||
	fail "bob cannot write after catching up with his own log"
until_ok 30 has alice "after catching up" || fail "alice lacks bob's third note"
echo "restored with alice online: caught up with his own log, writes on"

# ---- restored and written to before meeting anyone: a fork -----------------
# The newer copy wrote three notes, the restored one writes one of its own
# at the first one's place: alice then holds a longer branch of bob's log,
# and what she sends him of it (two entries: a RUNS message, whose first
# entry names its prev) does not follow his.
backup
b bob note write --title "on the newer copy" -m four >/dev/null || fail "write 4"
b bob note write --title "newer still" -m five >/dev/null || fail "write 5"
b bob note write --title "newest" -m five-b >/dev/null || fail "write 5b"
until_ok 30 has alice "newest" || fail "alice lacks bob's newer notes"
stop alice
restore
start bob
b bob note write --title "on the restored copy" -m six >/dev/null ||
	fail "bob cannot write on his restored copy while alone"
start alice
b alice note write --title "from alice after the fork" -m seven >/dev/null ||
	fail "alice write"
until_ok 30 has bob "from alice after the fork" ||
	fail "bob does not get alice's notes any more after the fork"
until_ok 30 sh -c "'$BALINT' --home '$T/bob' status | grep -q 'YOUR LOG HAS FORKED'" ||
	fail "bob's status does not say that his log forked"
grep -q "this member's own log has forked" "$T/bob.log" ||
	fail "no log line at bob"
has bob "on the newer copy" && fail "bob took the other branch"
has alice "on the restored copy" && fail "alice took the other branch"
# bob's further writes are refused, with one line saying why.
b bob note write --title "refused" -m eight 2>"$T/err" >/dev/null &&
	fail "bob wrote on a forked log"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "has forked" "$T/err" ||
	fail "refusal: $(cat "$T/err")"
echo "refusal: $(cat "$T/err")"
# bob still receives, and is level with alice.
b alice note write --title "alice again" -m nine >/dev/null || fail "alice write 2"
until_ok 30 has bob "alice again" || fail "bob stopped receiving"
b bob sync --wait --timeout 20s >/dev/null || fail "bob never level with alice"
stop bob
start bob
b bob note write --title "after a restart" -m ten 2>/dev/null >/dev/null &&
	fail "bob's restart forgot that his log forked"
echo "forked: bob keeps his branch, is told, refused, and still syncs"

# ---- a fork of equal length: carol's branches are one entry each ------------
# Neither side's HAVE shows anything to send; the entries at the heads,
# sent once per session, show the fork to both.  (bob, who would relay
# carol's newer entry back to her restored copy, stays away.)
stop bob
member carol
start carol
code=$(b alice invite 2>/dev/null) || fail "invite carol"
b carol join "$code" --accept >/dev/null || fail "carol join"
b carol note write --title "carol before the backup" -m a >/dev/null ||
	fail "carol write"
until_ok 30 has alice "carol before the backup" || fail "alice lacks carol's note"
stop carol
cp -a "$T/carol" "$T/carol-copy"
start carol
b carol note write --title "carol on the newer copy" -m b >/dev/null ||
	fail "carol write 2"
until_ok 30 has alice "carol on the newer copy" || fail "alice lacks carol's note 2"
stop alice
stop carol
rm -rf "$T/carol"
mv "$T/carol-copy" "$T/carol"
start carol
b carol note write --title "carol on the restored copy" -m c >/dev/null ||
	fail "carol cannot write on her restored copy while alone"
start alice
until_ok 30 sh -c "'$BALINT' --home '$T/carol' status | grep -q 'YOUR LOG HAS FORKED'" ||
	fail "carol's status does not say that her log forked (equal length)"
until_ok 30 sh -c "'$BALINT' --home '$T/alice' status | grep -q 'forked logs:'" ||
	fail "alice's status does not count carol's forked log"
has alice "carol on the restored copy" && fail "alice took carol's other branch"
has carol "carol on the newer copy" && fail "carol took the other branch"
echo "equal length: both see the fork"
exit 0
