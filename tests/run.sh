# tests/run.sh BUILD... — runs the unit tests (cmocka), the interop tests and
# the integration scenarios against each build tree, keeps the log of every
# failure under build/test-logs/, and ends with "N passed, N failed".
#
# A scenario that exits 77 was skipped (for instance one that needs a
# private Tor network runs in the normal tree only): counted apart, never as
# passed.
#
# Two workers (one per core; BALINT_TEST_JOBS=1: one) take the tests of
# every tree from one shared list, the longest scenarios first, so that
# neither core idles at the end while the other tree still has a long
# scenario to run (the trees' halves differ by a minute and more: the
# normal tree alone runs fuzz-smoke, tor-network, package).  Each
# scenario has its own directory, ports from its tree's own window
# (free_port in tests/lib/daemons.sh) and namespaces named after its
# process, and none of them times anything, so they do
# not disturb each other; the second tree's scenarios come in the list
# half a list apart from the first's, so a scenario rarely runs twice at
# once.  The few that run make here or dpkg (ALONE) wait for each other.
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
# Daemons run without tor unless a scenario asks for it (tor-network.sh):
# no scenario may reach the public Tor network.
export BALINT_TOR=off
export BALINT_LAN=off
export BALINT_PORTMAP=off
export BALINT_PUNCH=off
LOGS=$TOP/build/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

note_fail() {	# name log
	# one write, so that the other worker's lines do not cut into it
	printf 'FAIL %s (log: %s)\n%s\n' "$1" "$2" \
	    "$(tail -n 20 "$2" | sed 's/^/    | /')"
}

# Scenarios that run make in this checkout or dpkg on this machine: in
# the first tree (the one that runs them; the others skip them), never two
# at once.
ALONE="fuzz-smoke install package"
FIRST_TREE=$1

# The scenarios that take longest (in either tree), run first.
FIRST="fuzz-smoke tor-network hostile chaos-short long-list package \
machine-faults reconnect two-leaders lan reach page hostile-member"

# The job list, one "BUILD PATH" a line: FIRST in every tree, then the
# unit tests, then every other script, tree k's list turned by k/N of
# its length.
JOBS=$LOGS/jobs
{
	for name in $FIRST; do
		[ -f "tests/integration/$name.sh" ] || continue
		for build in "$@"; do
			echo "$build tests/integration/$name.sh"
		done
	done
	for build in "$@"; do
		for t in "$build"/tests/test-*; do
			[ -x "$t" ] && echo "$build $t"
		done
	done
	for s in tests/interop/*.sh tests/integration/*.sh; do
		[ -f "$s" ] || continue
		case " $FIRST " in
		*" $(basename "$s" .sh) "*) continue ;;
		esac
		echo "$s"
	done >"$LOGS/rest"
	k=0
	for build in "$@"; do
		awk -v b="$build" -v k="$k" -v n="$#" '
		    { l[NR] = $0 }
		    END { o = int(NR * k / n)
			for (i = 0; i < NR; i++) print b, l[(i + o) % NR + 1] }' \
		    "$LOGS/rest" >"$LOGS/rest.$k"
		k=$((k + 1))
	done
	# Interleave the trees' lists: one line of each in turn.
	paste -d '\n' "$LOGS"/rest.* | sed '/^$/d'
} >"$JOBS"
echo 0 >"$LOGS/next"

# take — the number of the next job (under a lock: mkdir is atomic).
take() {
	until mkdir "$LOGS/lock" 2>/dev/null; do sleep 0.05; done
	_n=$(( $(cat "$LOGS/next") + 1 ))
	echo "$_n" >"$LOGS/next"
	rmdir "$LOGS/lock"
	echo "$_n"
}

# run_job BUILD PATH — one unit-test binary or script against BUILD;
# appends "PASSED FAILED SKIPPED" to $LOGS/TAG.res.
run_job() {
	build=$1
	tag=$(echo "$build" | tr / -)
	passed=0
	failed=0
	skipped=0
	case $2 in
	*.sh)
		name=$(basename "$2" .sh)
		log=$LOGS/$tag-$name.log
		alone=
		case " $ALONE " in
		*" $name "*) [ "$build" = "$FIRST_TREE" ] && alone=1 ;;
		esac
		if [ -n "$alone" ]; then
			until mkdir "$LOGS/alone" 2>/dev/null; do sleep 0.5; done
		fi
		t0=$(date +%s)
		BUILD="$TOP/$build" timeout 600 sh "$2" >"$log" 2>&1
		rc=$?
		[ -z "$alone" ] || rmdir "$LOGS/alone"
		if [ "$rc" -eq 0 ]; then
			passed=1
			echo "ok   $build $name ($(( $(date +%s) - t0 )) s)"
		elif [ "$rc" -eq 77 ]; then
			skipped=1
			echo "skip $build $name ($(tail -n 1 "$log"))"
		else
			failed=1
			note_fail "$build $name" "$log"
		fi
		;;
	*)
		name=$(basename "$2")
		log=$LOGS/$tag-$name.log
		timeout 600 "$2" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		passed=${p:-0}
		failed=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
			failed=1	# crashed or sanitizer abort before cmocka summed up
		fi
		if [ "$failed" -gt 0 ]; then
			note_fail "$build $name" "$log"
		else
			echo "ok   $build $name ($passed tests)"
		fi
		;;
	esac
	# one short write: the workers append to the same file
	echo "$passed $failed $skipped" >>"$LOGS/$tag.res"
}

worker() {
	while :; do
		n=$(take)
		job=$(sed -n "${n}p" "$JOBS")
		[ -n "$job" ] || return 0
		# shellcheck disable=SC2086
		run_job $job
	done
}

if [ "${BALINT_TEST_JOBS:-2}" = 1 ]; then
	worker
else
	worker &
	worker &
	wait
fi
passed=0
failed=0
skipped=0
for build in "$@"; do
	tag=$(echo "$build" | tr / -)
	want=$(grep -c "^$build " "$JOBS")
	got=0
	if [ -f "$LOGS/$tag.res" ]; then
		while read -r p f s; do
			passed=$((passed + p))
			failed=$((failed + f))
			skipped=$((skipped + s))
			got=$((got + 1))
		done <"$LOGS/$tag.res"
	fi
	if [ "$got" -ne "$want" ]; then
		echo "FAIL $build: $got of its $want tests ran to the end"
		failed=$((failed + 1))
	fi
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
