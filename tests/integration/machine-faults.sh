#!/bin/sh
# Bad input from the machine.  Each fault gets one clear line that says what
# to do, a documented exit code, and loses nothing already stored:
#  1. a key file cut short (several lengths, 0 bytes too) or replaced by
#     garbage: balintd refuses (exit 1) and says "damaged", never "wrong
#     passphrase"; the file is left byte for byte as it was;
#  2. a key file that others may read or change, and a profile directory
#     that others may change (refused) or only read (set to 0700 with a
#     warning);
#  3. a profile directory that is not writable (a read-only bind mount in a
#     private mount namespace; chmod 0500 when neither root nor a user
#     namespace is at hand): balintd and `balint init` refuse with one line
#     naming the directory and the fix;
#  4. the disk full (a member's profile on a small tmpfs): `note write`
#     says so (exit 1), nothing is half-written, the daemon stays up, a
#     peer's entries arriving meanwhile are refused and fetched again, and
#     after space is freed everything works without a restart;
#  5. a damaged store (the SQLite header overwritten, a page in the middle
#     overwritten, the file cut short): balintd never deletes or writes the
#     file, refuses to start or refuses further writes, and says so;
#  6. the control socket: a second balintd, a file in the socket's place,
#     a lax umask (garbage and other users: bad-input.sh).
# After every fault the stores pass PRAGMA integrity_check and hold the
# same notes as before.  The parts run in the order 1, 2, 3, 5, 6, 4: the
# disk-full part, which needs a mount, last.
#
# The scenario runs in a private mount namespace when it can (as root:
# unshare -m; else unshare -rm, a user namespace), so that its mounts are
# its own and vanish with it.
if [ -z "${BALINT_MF_NS:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		BALINT_MF_NS=mount exec unshare -m sh "$0" "$@"
	elif unshare -rm true 2>/dev/null; then
		BALINT_MF_NS=user exec unshare -rm sh "$0" "$@"
	fi
	BALINT_MF_NS=none
fi
. "$(dirname "$0")/../lib/daemons.sh"

# Mount points to undo before daemons.sh removes $T.
MOUNTS=
trap '_mf_rc=$?; for _m in $MOUNTS; do umount -l "$_m" 2>/dev/null; done
	(exit $_mf_rc); cleanup' EXIT INT TERM
mounted() { MOUNTS="$1 $MOUNTS"; }
unmount() { umount "$1" || fail "umount $1"; MOUNTS=$(echo "$MOUNTS" | sed "s|$1 ||"); }

sum() { cksum <"$1"; }
# integrity FILE — SQLite's full check of a store (its daemon stopped).
integrity() {
	python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
r = c.execute("PRAGMA integrity_check").fetchall()
sys.exit(0 if r == [("ok",)] else "integrity_check: %r" % r[:3])
PY
}
has() {	# member title
	b "$1" note list 2>/dev/null | grep -q -- " $2\$"
}
notes_json() { b "$1" --json note list; }

# refused WHAT PATTERN [FILE] — balintd as alice must exit 1 with exactly
# one line on stderr that matches PATTERN; FILE (if given) must be left as
# it was, and no control socket may be left.
refused() {
	_r_sum=
	[ -n "${3:-}" ] && _r_sum=$(sum "$3")
	# (a daemon that starts after all is stopped by timeout: status 124)
	timeout 30 "$BALINTD" --home "$T/alice" --listen 127.0.0.1:0 \
		>"$T/refused.out" 2>"$T/refused.err"
	_r_st=$?
	[ "$_r_st" -eq 1 ] || fail "$1: balintd exited $_r_st, not 1: $(cat "$T/refused.err")"
	[ "$(wc -l <"$T/refused.err")" -eq 1 ] ||
		fail "$1: not one line: $(cat "$T/refused.err")"
	grep -q -- "$2" "$T/refused.err" ||
		fail "$1: want '$2', got: $(cat "$T/refused.err")"
	[ -z "$_r_sum" ] || [ "$_r_sum" = "$(sum "$3")" ] ||
		fail "$1: balintd changed $3"
	[ ! -S "$T/alice/balintd.sock" ] || fail "$1: a socket was left"
}

# one_error CODE WHAT PATTERN CMD... — CMD must exit CODE with one line on
# stderr matching PATTERN.
one_error() {
	_o_want=$1 _o_what=$2 _o_pat=$3
	shift 3
	"$@" >"$T/one.out" 2>"$T/one.err"
	_o_st=$?
	[ "$_o_st" -eq "$_o_want" ] ||
		fail "$_o_what: exit $_o_st, not $_o_want: $(cat "$T/one.err")"
	[ "$(wc -l <"$T/one.err")" -eq 1 ] ||
		fail "$_o_what: not one line: $(cat "$T/one.err")"
	grep -q -- "$_o_pat" "$T/one.err" ||
		fail "$_o_what: want '$_o_pat', got: $(cat "$T/one.err")"
}

member alice; member bob
start alice; start bob
printf 'Name: Faults\nHistory: full\n\nWhat is said here stays here.\n' >"$T/contract.txt"
b alice group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
# Enough notes for the entries to fill several pages of the store.
pad=$(head -c 2000 /dev/zero | tr '\0' p)
i=1
while [ $i -le 18 ]; do
	b alice note write --title "a$i" -m "alice note $i $pad" >/dev/null ||
		fail "alice note $i"
	i=$((i + 1))
done
b bob note write --title b1 -m "bob note 1" >/dev/null || fail "bob note"
until_ok 30 has alice b1 || fail "alice did not get bob's note"
until_ok 30 has bob a18 || fail "bob did not get alice's notes"
# A restart announces alice's address (an entry of her log): the copy of
# her profile below must hold all she ever wrote, or its later use would
# fork her log (her peers hold the newer entry).
stop alice
start alice
entries() { b "$1" --json status | sed -n 's/.*"kind": "group".*"entries": \([0-9]*\).*/\1/p'; }
level() { [ -n "$(entries alice)" ] && [ "$(entries alice)" = "$(entries bob)" ]; }
until_ok 30 level || fail "bob is not level with alice"
notes_json alice >"$T/alice.notes" || fail "alice note list"
stop alice
integrity "$T/alice/store.db" || fail "alice's store before the faults"
cp -a "$T/alice" "$T/alice.good"
KEY=$T/alice/identity.key
DB=$T/alice/store.db

# alice_back — alice's whole profile as it was, started; her notes the same.
alice_back() {
	rm -rf "$T/alice"
	cp -a "$T/alice.good" "$T/alice"
	start alice
	notes_json alice >"$T/alice.now" || fail "alice note list ($1)"
	cmp -s "$T/alice.notes" "$T/alice.now" || fail "alice's notes changed ($1)"
	stop alice
	integrity "$DB" || fail "alice's store ($1)"
}

# ---- 1. the key file cut short or replaced ---------------------------------
cp "$KEY" "$T/key.good"
klen=$(wc -c <"$KEY")
for n in 0 1 2 8 32 $((klen / 2)) $((klen - 16)) $((klen - 1)); do
	head -c "$n" "$T/key.good" >"$KEY"
	refused "key cut to $n bytes" "key file '$KEY' is damaged" "$KEY"
	grep -q "restore it from your backup" "$T/refused.err" ||
		fail "key cut to $n: no fix: $(cat "$T/refused.err")"
	grep -q "passphrase" "$T/refused.err" &&
		fail "key cut to $n: blamed the passphrase"
done
head -c "$klen" /dev/urandom >"$KEY"
refused "garbage key" "key file '$KEY' is damaged" "$KEY"
printf 'hello\n' >"$KEY"
refused "text key" "key file '$KEY' is damaged" "$KEY"
head -c 5000 /dev/urandom >"$KEY"
refused "oversized key" "key file '$KEY' is damaged" "$KEY"
cp "$T/key.good" "$KEY"
chmod 600 "$KEY"

# ---- 2. permissions of the key file and of the profile directory -----------
for m in 640 604 620 602; do
	chmod "$m" "$KEY"
	refused "key mode $m" "run: chmod 600 '$KEY'" "$KEY"
	grep -q "read or changed by others (mode $m)" "$T/refused.err" ||
		fail "key mode $m: $(cat "$T/refused.err")"
	[ "$(stat -c %a "$KEY")" = "$m" ] || fail "key mode $m was changed"
done
chmod 600 "$KEY"
if [ "$(id -u)" = 0 ] && [ "$BALINT_MF_NS" != user ] &&
    chown nobody "$KEY" 2>/dev/null; then
	refused "key of another user" "key file '$KEY' belongs to uid" "$KEY"
	chown 0 "$KEY"
	chown nobody "$T/alice"
	refused "profile of another user" "belongs to uid .*, not to this user"
	chown 0 "$T/alice"
fi
# Writable by others: refused, mode left alone.
for m in 720 702; do
	chmod "$m" "$T/alice"
	refused "profile mode $m" "can be changed by others (mode $m); .*chmod 700 '$T/alice'"
	[ "$(stat -c %a "$T/alice")" = "$m" ] || fail "profile mode $m was changed"
done
# Only readable or searchable by others: closed, with a warning.
chmod 755 "$T/alice"
start alice
[ "$(stat -c %a "$T/alice")" = 700 ] || fail "profile mode 755 left open"
grep -q "warning: the profile directory '$T/alice' was open to others (mode 755); it is now 700" \
	"$T/alice.log" || fail "profile mode 755: no warning"
stop alice
alice_back "permissions"

# ---- 3. a profile directory that is not writable ---------------------------
ro_dir() {	# DIR — make DIR read-only (bind mount, or chmod)
	if [ "$BALINT_MF_NS" != none ]; then
		mount --bind -o ro "$1" "$1" || return 1
		mounted "$1"
	elif [ "$(id -u)" != 0 ]; then
		chmod 0500 "$1"
	else
		return 1
	fi
}
rw_dir() {
	if [ "$BALINT_MF_NS" != none ]; then unmount "$1"; else chmod 0700 "$1"; fi
}
mkdir -m 700 "$T/fresh"
if ro_dir "$T/alice" && ro_dir "$T/fresh"; then
	refused "read-only profile" "the profile directory '$T/alice' is not writable (.*): make it writable" "$DB"
	one_error 1 "init in a read-only directory" \
		"the profile directory '$T/fresh' is not writable (.*): make it writable" \
		b fresh init --name Fresh
	one_error 1 "init below a read-only directory" \
		"cannot create the profile directory '$T/fresh/sub': .*(choose a place you can write to with --home DIR)" \
		b fresh/sub init --name Fresh
	[ -z "$(ls -A "$T/fresh")" ] || fail "init wrote into a read-only directory"
	rw_dir "$T/alice"
	rw_dir "$T/fresh"
	alice_back "read-only profile"
else
	echo "skipped: cannot make a directory read-only here (root without a mount namespace)"
fi

# ---- 5. a damaged store ------------------------------------------------------
# (a) the SQLite header overwritten
printf 'this is no longer an SQLite database' |
	dd of="$DB" conv=notrunc 2>/dev/null
refused "header overwritten" "the store '$DB' is damaged (.*) and was left as it is: restore the profile from a backup" "$DB"
[ -e "$DB" ] && [ "$(stat -c %s "$DB")" = "$(stat -c %s "$T/alice.good/store.db")" ] ||
	fail "header overwritten: the store was removed or resized"
alice_back "header"
# (c) cut short, at several lengths
dbsize=$(stat -c %s "$DB")
for n in 0 100 8192 $((dbsize / 2)) $((dbsize - 8192)); do
	truncate -s "$n" "$DB"
	refused "store cut to $n bytes" "the store '$DB' is damaged (.*) and was left as it is" "$DB"
	[ "$(stat -c %s "$DB")" = "$n" ] || fail "store cut to $n: resized"
	[ "$n" -ne 0 ] || grep -q "(cut to 0 bytes)" "$T/refused.err" ||
		fail "store cut to 0: $(cat "$T/refused.err")"
	rm -rf "$T/alice"
	cp -a "$T/alice.good" "$T/alice"
done
# (b) a page in the middle of the notes overwritten with garbage: start-up
# does not read it, so balintd starts; the first read of it is answered
# "damaged", and from then on nothing is written to the file.
# The middle one of the leaf pages of the entries table, in key order.
set -- $(python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
leaves = [p for (p,) in c.execute("SELECT pageno FROM dbstat WHERE "
          "name='entries' AND pagetype='leaf' ORDER BY path")]
if len(leaves) >= 5:
    print(leaves[len(leaves) // 2],
          c.execute("PRAGMA page_size").fetchone()[0])
PY
)
[ $# -eq 2 ] || fail "the notes fill too few pages of the store"
page=$1 psize=$2
head -c "$psize" /dev/urandom |
	dd of="$DB" bs="$psize" seek=$((page - 1)) conv=notrunc 2>/dev/null
damaged=$(sum "$DB")
start alice
damage="the store '$DB' is damaged (database disk image is malformed) and balintd writes nothing more to it: stop balintd, then restore the profile from a backup"
one_error 1 "note list, page $page damaged" "cannot read the notes of group 'Faults': $damage" \
	b alice note list
one_error 1 "note write, page $page damaged" "cannot write the note: $damage" \
	b alice note write --title refused -m "not written"
b alice status >/dev/null || fail "status with a damaged store"
kill -0 "$PID_alice" || fail "alice died on a damaged store"
[ "$(grep -c "store .* is damaged" "$T/alice.log")" -eq 1 ] ||
	fail "the damaged store was not logged exactly once"
stop alice
[ "$(sum "$DB")" = "$damaged" ] || fail "balintd wrote to the damaged store"
alice_back "page $page"

# ---- 6. the control socket ---------------------------------------------------
start alice
# A second balintd for the same profile: refused, the first one unharmed.
one_error 1 "second balintd" "balintd is already running for '$T/alice'" \
	timeout 30 "$BALINTD" --home "$T/alice" --listen 127.0.0.1:0
b alice status >/dev/null || fail "the first balintd after a second one"
[ "$(stat -c %a "$T/alice/balintd.sock")" = 600 ] || fail "socket not 0600"
stop alice
# Something else in the socket's place is not removed.
printf 'keep me\n' >"$T/alice/balintd.sock"
refused "file at the socket path" "'$T/alice/balintd.sock' exists and is not a socket (remove it)" "$T/alice/balintd.sock"
rm -f "$T/alice/balintd.sock"
# A lax umask does not open the socket.
(umask 000; exec "$BALINTD" --home "$T/alice" --listen "$(addr alice)" \
	>>"$T/alice.log" 2>&1) &
PID_alice=$!
PIDS="$PIDS $PID_alice"
until_ok 20 b alice status || fail "alice did not start under umask 000"
[ "$(stat -c %a "$T/alice/balintd.sock")" = 600 ] || fail "socket not 0600 under umask 000"
stop alice
rm -rf "$T/alice"
cp -a "$T/alice.good" "$T/alice"

# ---- 4. the disk full --------------------------------------------------------
start alice
if [ "$BALINT_MF_NS" = none ]; then
	echo "skipped: the disk-full part needs a mount namespace (root, or unshare -rm)"
	stop alice; stop bob
	exit 0
fi
mkdir -m 700 "$T/carol"
if ! mount -t tmpfs -o size=3m,mode=700 tmpfs "$T/carol" 2>"$T/mount.err"; then
	echo "skipped: cannot mount a small tmpfs here ($(cat "$T/mount.err"))"
	stop alice; stop bob
	exit 0
fi
mounted "$T/carol"
member carol
start carol
code=$(b alice invite) || fail "invite for carol"
b carol join "$code" --accept >/dev/null || fail "carol join"
for i in 1 2 3; do
	b carol note write --title "c$i" -m "carol note $i" >/dev/null ||
		fail "carol note $i"
done
until_ok 30 has carol b1 || fail "carol did not catch up"
until_ok 30 has alice c3 || fail "alice did not get carol's notes"
notes_json carol >"$T/carol.notes" || fail "carol note list"
# Fill carol's disk to the last byte.
dd if=/dev/zero of="$T/carol/fill1" bs=64k 2>/dev/null
dd if=/dev/zero of="$T/carol/fill2" bs=4k 2>/dev/null
dd if=/dev/zero of="$T/carol/fill3" bs=1 2>/dev/null
printf x >"$T/carol/probe" 2>/dev/null && [ -s "$T/carol/probe" ] &&
	fail "carol's disk is not full"
full="cannot write the note: the disk holding '$T/carol' is full, nothing was written (free some space there, then try again)"
one_error 1 "note write, disk full" "$full" \
	b carol note write --title full1 -m "a short note"
one_error 1 "big note write, disk full" "$full" \
	b carol note write --title full2 -m "$(head -c 60000 /dev/zero | tr '\0' f)"
one_error 1 "note write again, disk full" "$full" \
	b carol note write --title full3 -m "another short note"
kill -0 "$PID_carol" || fail "carol died on a full disk"
# balint's own writes on a full disk: init says so and leaves no key.
one_error 1 "init on a full disk" \
	"No space left on device (free some space there, then run init again)" \
	b carol/new init --name New
[ ! -e "$T/carol/new/identity.key" ] || fail "init left a key on a full disk"
[ -z "$(ls -A "$T/carol/new" 2>/dev/null)" ] || fail "init left files on a full disk"
notes_json carol >"$T/carol.now" || fail "note list on a full disk"
cmp -s "$T/carol.notes" "$T/carol.now" || fail "carol's notes changed on a full disk"
# A peer's entries arriving meanwhile are refused, and carol stays up.
b bob note write --title b2 -m "bob writes while carol is full" >/dev/null ||
	fail "bob note 2"
until_ok 30 has alice b2 || fail "alice did not get bob's second note"
until_ok 30 grep -q "rejected .*database or disk is full" "$T/carol.log" ||
	fail "carol did not refuse a batch on a full disk"
kill -0 "$PID_carol" || fail "carol died on a peer's batch on a full disk"
has carol b2 && fail "carol stored a note on a full disk"
# Sessions that keep failing back off: in 8 s of refusals carol's peers do
# not reconnect every 200 ms (that would be some 60 sessions; backing off
# from 200 ms, doubling, makes at most 6 per dialing side, 4 sides).
ups0=$(grep -c "peer up:" "$T/carol.log")
sleep 8
ups=$(( $(grep -c "peer up:" "$T/carol.log") - ups0 ))
echo "sessions at carol in 8 s of refusals: $ups"
[ "$ups" -le 24 ] || fail "carol's peers reconnected $ups times in 8 s"
# Space again: writes work and carol catches up, with no restart.
rm -f "$T/carol/fill1" "$T/carol/fill2" "$T/carol/fill3" "$T/carol/probe"
b carol note write --title c4 -m "carol writes again" >/dev/null ||
	fail "carol cannot write after space was freed"
b carol sync >/dev/null 2>&1
until_ok 30 has carol b2 || fail "carol did not catch up after space was freed"
until_ok 30 has alice c4 || fail "alice did not get carol's note after the disk was full"
for t in full1 full2 full3; do
	has carol "$t" && fail "the refused note $t is there"
	has alice "$t" && fail "the refused note $t reached alice"
done
stop carol
integrity "$T/carol/store.db" || fail "carol's store after the disk was full"
stop alice
stop bob
integrity "$T/alice/store.db" || fail "alice's store at the end"
integrity "$T/bob/store.db" || fail "bob's store at the end"
if grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/*.log; then
	fail "a sanitizer complained"
fi
exit 0
