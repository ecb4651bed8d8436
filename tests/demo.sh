#!/bin/sh
# tests/demo.sh — `make demo`: a narrated story in a temporary directory.
# Three members, Anna (the leader), Ben and Clara, each with their own
# profile and their own balintd on 127.0.0.1: Anna founds a group from a
# contract, invites Ben and Clara, who join with their one-time codes; Ben
# writes a case note, Clara a follow-up report on the same case; all three
# list and read the same notes; the stores hold no plaintext.  Then a
# fourth member, David, joins and later departs: Anna reads the group state
# code aloud, revokes David, and reads the new code; a note written
# afterwards reaches the three who stay and not David, whose daemon erased
# the group and tells him he was removed.  It ends by printing how to drive
# the profiles by hand, then stops its daemons.
# Exits 0 on success, 1 with a "demo: FAILED" line otherwise; never leaves
# a daemon running.  BUILD selects the build tree (default build/).

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
for f in balint balintd; do
	if [ ! -x "$BUILD/$f" ]; then
		echo "demo: FAILED: $BUILD/$f is missing (run make first)" >&2
		exit 1
	fi
done
# The commands below run exactly as they are shown: "balint", "balintd".
PATH=$BUILD:$PATH
export PATH
unset BALINT_HOME

D=$(mktemp -d "${TMPDIR:-/tmp}/balint-demo.XXXXXX") || {
	echo "demo: FAILED: cannot make a temporary directory" >&2
	exit 1
}
cd "$D" || exit 1
MEMBERS="anna ben clara david"
PIDS=
STEP="setup"

# The phrases of the notes that must never reach a disk in the clear.
CASE_TITLE="The patient who always brings gifts"
CASE_TEXT="A widow in her sixties brings me a small gift at every visit. I feel obliged and irritated at once; the group wondered what the gifts ask of me."
FU_TITLE="Follow-up: the gifts"
FU_TEXT="Three weeks on, the doctor thanked her and said he would rather hear what worries her. She came with a question instead of a gift."
SECRET1="obliged and irritated"
SECRET2="a question instead of a gift"
LATE_TITLE="After David left"
LATE_TEXT="We talked about endings: how a member's leaving stirs up the partings we go through with our patients."
SECRET3="stirs up the partings"

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for m in $MEMBERS; do
		eval "p=\${PID_$m-}"
		[ -n "$p" ] || continue
		case " $PIDS " in *" $p "*) ;; *) continue ;; esac
		wait "$p" 2>/dev/null
		st=$?
		[ "$st" -eq 0 ] || [ "$rc" -eq 0 ] ||
		    echo "demo: $m's daemon ended with status $st" >&2
	done
	if [ "$rc" -ne 0 ]; then
		for m in $MEMBERS; do
			[ -s "$D/$m.log" ] || continue
			echo "--- last lines of $D/$m.log:" >&2
			tail -n 15 "$D/$m.log" >&2
		done
		echo "demo: FAILED at step: $STEP (exit $rc); daemons" \
		    "stopped; files kept in $D" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

step() {
	STEP=$1
	printf '\n== %s\n' "$1"
}

say() {
	printf '# %s\n' "$@"
}

# show ARGS... — print a command line the way one would type it.
show() {
	line='$'
	for a in "$@"; do
		case $a in
		'' | *[!A-Za-z0-9_./:=@%+,-]*)
			a="'$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
		esac
		line="$line $a"
	done
	printf '%s\n' "$line"
}

# run CMD ARGS... — show a command, run it, stop the demo if it fails.
run() {
	show "$@"
	"$@" || die "'$*' exited $?"
}

# get VAR CMD ARGS... — like run, and keep the output in VAR too.
get() {
	var=$1
	shift
	show "$@"
	out=$("$@") || die "'$*' exited $?"
	printf '%s\n' "$out"
	eval "$var=\$out"
}

# expect_fail CMD ARGS... — show a command that must be refused, with its
# error line and exit code.
expect_fail() {
	show "$@"
	if "$@" 2>&1; then
		die "'$*' succeeded but should have been refused"
	else
		echo "(exit $?)"
	fi
}

# until_ok SECONDS CMD ARGS... — retry CMD until it succeeds or time is up.
until_ok() {
	tries=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# start NAME — start NAME's daemon on a port the kernel picks; wait for it.
start() {
	printf '$ balintd --home %s --listen 127.0.0.1:0 2>>%s.log &\n' "$1" "$1"
	balintd --home "$1" --listen 127.0.0.1:0 2>>"$1.log" &
	pid=$!
	PIDS="$PIDS $pid"
	eval "PID_$1=\$pid"
	tries=150
	while ! balint --home "$1" status >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || die "$1's daemon exited; see $D/$1.log"
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || die "$1's daemon did not answer within 15 s"
		sleep 0.1
	done
	port=$(balint --home "$1" status | sed -n 's/^  listening *127\.0\.0\.1://p')
	case $port in
	'' | *[!0-9]*) die "cannot read $1's port from 'balint status'" ;;
	esac
	eval "PORT_$1=\$port"
}

# active NAME N — NAME sees N active members.
active() {
	[ "$(balint --home "$1" --json members | grep -c '"status": *"active"')" \
	    -eq "$2" ]
}

# lists NAME TEXT... — NAME's note list shows every TEXT.
lists() {
	m=$1
	shift
	l=$(balint --home "$m" note list) || return 1
	for t in "$@"; do
		case $l in *"$t"*) ;; *) return 1 ;; esac
	done
}

# display_name NAME — the name a member chose at init.
display_name() {
	case $1 in
	anna) echo Anna ;; ben) echo Ben ;; clara) echo Clara ;;
	david) echo David ;;
	esac
}

# peer_up NAME OTHER — NAME has a session with OTHER that is up and level.
peer_up() {
	balint --home "$1" status | grep -q "^  $2 .* up, level"
}

# code NAME — the group state code NAME's `balint status` shows (or "").
code() {
	balint --home "$1" status 2>/dev/null |
	    sed -n 's/^ *state code: *\([0-9-]*\).*/\1/p' | head -n 1
}

# same_code OLD NAME... — every NAME shows the same state code, not OLD.
same_code() {
	old=$1
	shift
	c0=$(code "$1")
	[ -n "$c0" ] && [ "$c0" != "$old" ] || return 1
	for m in "$@"; do
		[ "$(code "$m")" = "$c0" ] || return 1
	done
}

# removed NAME — NAME's daemon says NAME was removed from the group.
removed() {
	balint --home "$1" status | grep -q "you were removed from"
}

cat <<TXT
balint demo: three members of a Balint group, each with their own daemon
on this machine, found a group, join it and share encrypted notes; a
fourth joins and later departs, and the leader revokes him.

TXT
say "Everything happens in $D" \
    "(this run's profiles, contract and daemon logs)." \
    "The daemons read their passphrase from the file named by" \
    "BALINT_PASSPHRASE_FILE; here a demo passphrase, never for real use:"
printf 'demo passphrase - not for real use\n' >passphrase
chmod 600 passphrase
BALINT_PASSPHRASE_FILE=$D/passphrase
export BALINT_PASSPHRASE_FILE
# The tour is on one machine: no tor (the guides show onion addresses).
BALINT_TOR=off
export BALINT_TOR
BALINT_LAN=off
export BALINT_LAN
show export BALINT_PASSPHRASE_FILE="$D/passphrase"
show cd "$D"

step "1. Anna, Ben and Clara each create an identity"
say "A key pair, sealed under the passphrase, in each member's profile."
run balint --home anna init --name Anna
run balint --home ben init --name Ben
run balint --home clara init --name Clara

step "2. Each member starts a daemon"
say "Port 0: the system picks a free port.  Logs go to anna.log, ben.log" \
    "and clara.log in $D."
for m in anna ben clara; do start "$m"; done
say "Anna listens on 127.0.0.1:$PORT_anna, Ben on 127.0.0.1:$PORT_ben," \
    "Clara on 127.0.0.1:$PORT_clara."

step "3. Anna writes a contract and founds the group"
cat >contract.txt <<'TXT'
Name: Tuesday Balint group
History: from-join
Cadence: every other week, 90 minutes

What is discussed in the group stays in the group.  A member presents a
case from memory, without details that could identify the patient; notes
never contain names or dates of birth.
TXT
run cat contract.txt
get GID balint --home anna group create --contract contract.txt
say "That is the group id (a hash of the contract)."

step "4. Anna invites Ben and Clara; they join with their one-time codes"
say "Anna sends each code by any channel; it holds no key to the notes."
get CODE balint --home anna invite --name Ben
say "The warning is right for this demo, where every daemon runs on this" \
    "machine on 127.0.0.1.  Across machines Anna would give --listen an" \
    "address the others can reach, or keep balintd's default [::]:7451," \
    "whose codes carry this machine's own addresses."
run balint --home ben join "$CODE" --accept
get CODE balint --home anna invite --name Clara
say "Clara mistypes one character of hers; the code's checksum catches it:"
TYPO=$(printf '%s\n' "$CODE" | awk '{ c = substr($0, 40, 1);
    print substr($0, 1, 39) (c == "x" ? "y" : "x") substr($0, 41) }')
expect_fail balint --home clara join "$TYPO" --accept
run balint --home clara join "$CODE" --accept
say "Clara reads the contract she accepted:"
run balint --home clara contract show

step "5. Everyone sees the same three members"
for m in anna ben clara; do
	until_ok 30 active "$m" 3 || die "$m does not see 3 active members"
done
run balint --home ben members
say "Compare the fingerprints aloud at the next meeting."

step "6. Ben writes a case note; Clara a follow-up report on the same case"
get NOTE1 balint --home ben note write --kind case --case K7 \
    --title "$CASE_TITLE" -m "$CASE_TEXT"
# A follow-up names a case someone wrote: Clara waits for Ben's note.
until_ok 30 lists clara "$NOTE1" || die "clara does not list ben's case note"
get NOTE2 balint --home clara note write --kind followup --case K7 \
    --title "$FU_TITLE" -m "$FU_TEXT"

step "7. All three list and read the same notes"
for m in anna ben clara; do
	until_ok 30 lists "$m" "$NOTE1" "$NOTE2" ||
	    die "$m does not list both notes within 30 s"
done
for m in anna ben clara; do run balint --home "$m" note list; done
say "A note is named by its id or a unique prefix of it:"
run balint --home anna note show "$(printf '%.8s' "$NOTE1")"
say "A case and its follow-ups, in order (letter case does not matter):"
run balint --home anna case show k7
run balint --home anna note list --case K7 --kind followup

step "8. The daemons talk to each other directly"
for pair in "anna ben" "anna clara" "ben anna" "ben clara" "clara anna" \
    "clara ben"; do
	set -- $pair
	until_ok 30 peer_up "$1" "$(display_name "$2")" ||
	    die "$1 has no session with $2 that is up and level"
done
say "Clara is connected to Anna and to Ben: members sync with each other," \
    "not only through the leader."
run balint --home clara status

step "9. The stores hold no plaintext"
say "Search every file of the three profiles, and the daemons' logs, for" \
    "phrases of the two notes:"
show grep -r -a -l -F -e "$SECRET1" -e "$SECRET2" -e "$CASE_TITLE" \
    anna ben clara anna.log ben.log clara.log
grep -r -a -l -F -e "$SECRET1" -e "$SECRET2" -e "$CASE_TITLE" \
    anna ben clara anna.log ben.log clara.log
case $? in
0) die "plaintext of a note found on disk (files above)" ;;
1) say "Nothing found: note bodies and titles are stored encrypted." ;;
*) die "grep failed" ;;
esac
say "In the clear, by design: the contract, member names and ids, and" \
    "each entry's author, number, size and time (docs/threat-model.md)."

step "10. A fourth member, David, joins"
say "Months later David joins the group.  The contract says" \
    "'History: from-join': he reads only what is written from now on."
run balint --home david init --name David
start david
get CODE balint --home anna invite --name David
run balint --home david join "$CODE" --accept
for m in $MEMBERS; do
	until_ok 30 active "$m" 4 || die "$m does not see 4 active members"
done
say "Ben's and Clara's notes were written before David joined; they were" \
    "sealed under a key David never received:"
run balint --home david note list

step "11. The group state code, read aloud"
say "At the start of a session Anna reads the group state code from" \
    "'balint status'; each member compares it with their own screen."
until_ok 30 same_code none $MEMBERS ||
    die "the four members do not show the same state code"
BEFORE=$(code anna)
run balint --home anna status
for m in $MEMBERS; do
	printf '%-6s sees %s\n' "$(display_name "$m"):" "$(code "$m")"
done
say "The same code on every screen: the same contract, the same four" \
    "members, nobody hidden.  Any change to either changes the code."

step "12. David departs; Anna revokes him"
say "David is moving away; the group says goodbye at his last session." \
    "Anna, the leader, then removes him from the group (he could also have" \
    "run 'balint leave' himself).  Only a leader can remove a member:"
expect_fail balint --home ben revoke --yes David
run balint --home anna revoke --yes David
say "A new key goes to Anna, Ben and Clara only; their daemons close" \
    "David's connections and refuse him; his own daemon erases the group:"
until_ok 30 removed david || die "David's daemon did not learn of the removal"
run balint --home david status
until_ok 30 same_code "$BEFORE" anna ben clara ||
    die "Anna, Ben and Clara do not agree on a new state code"
AFTER=$(code anna)
run balint --home anna members
say "The state code was $BEFORE; it is now $AFTER." \
    "Anna reads the new code aloud at the next session."

step "13. A note written afterwards"
get NOTE3 balint --home clara note write --kind session \
    --title "$LATE_TITLE" -m "$LATE_TEXT"
for m in anna ben; do
	until_ok 30 lists "$m" "$NOTE3" ||
	    die "$m does not list Clara's new note within 30 s"
done
run balint --home ben note show "$(printf '%.8s' "$NOTE3")"
say "David cannot read it: his daemon holds neither the group nor the new" \
    "key."
expect_fail balint --home david note show "$(printf '%.8s' "$NOTE3")"
show grep -r -a -l -F -e "$SECRET3" -e "$LATE_TITLE" david david.log
grep -r -a -l -F -e "$SECRET3" -e "$LATE_TITLE" david david.log
case $? in
0) die "the new note reached David's profile (files above)" ;;
1) say "Nothing of it in David's profile or log." ;;
*) die "grep failed" ;;
esac
say "What David read while he was a member stays with him: revocation" \
    "protects what is written afterwards, not what was already shared."

step "14. Drive them by hand"
cat <<TXT
The profiles are $D/anna, $D/ben,
$D/clara and $D/david; the daemons' logs are $D/*.log.
The demo's daemons stop now.  To start them again and use them:

  cd $D
  export BALINT_PASSPHRASE_FILE=$D/passphrase
  $BUILD/balintd --home anna --listen 127.0.0.1:$PORT_anna 2>>anna.log &
  $BUILD/balintd --home ben --listen 127.0.0.1:$PORT_ben 2>>ben.log &
  $BUILD/balintd --home clara --listen 127.0.0.1:$PORT_clara 2>>clara.log &
  $BUILD/balint --home ben note list
  $BUILD/balint --home clara note show $(printf '%.8s' "$NOTE1")
  $BUILD/balint --home anna note write --kind session --title "Next session" -m "..."
  $BUILD/balint --home anna members
  $BUILD/balint --home anna status
  $BUILD/balint help

Only balintd and init need the passphrase; balint talks to the daemon.
Stop the daemons with: kill %1 %2 %3.  Remove it all: rm -rf $D
TXT

step "15. The daemons stop (SIGTERM)"
for m in $MEMBERS; do
	eval "p=\$PID_$m"
	kill -TERM "$p" 2>/dev/null
done
for m in $MEMBERS; do
	eval "p=\$PID_$m"
	wait "$p"
	st=$?
	PIDS=$(echo " $PIDS " | sed "s/ $p / /")
	[ "$st" -eq 0 ] || die "$m's daemon exited $st on SIGTERM (see $m.log)"
done
echo "All four daemons stopped cleanly."
STEP="done"
echo
echo "demo: OK"
exit 0
