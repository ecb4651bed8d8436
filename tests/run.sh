#!/bin/sh
# tests/run.sh BUILD... — runs the unit tests (cmocka), the interop tests and
# the integration scenarios against each build tree, keeps the log of every
# failure under build/test-logs/, and ends with "N passed, N failed".
#
# A scenario that exits 77 was skipped (for instance one that needs a
# private Tor network runs in the normal tree only): counted apart, never as
# passed.
#
# The trees run side by side, one per core (BALINT_TEST_JOBS=1: one after
# the other): each scenario has its own directory, ports the kernel picks
# and namespaces named after its process, and none of them times anything,
# so they do not disturb each other; on two cores this halves the wall time.
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
	failed=$((failed + 1))
	# one write, so that the other tree's lines do not cut into it
	printf 'FAIL %s (log: %s)\n%s\n' "$1" "$2" \
	    "$(tail -n 20 "$2" | sed 's/^/    | /')"
}

# run_tree BUILD — every test against BUILD; writes "PASSED FAILED" to
# $LOGS/TAG.sum.
run_tree() {
	build=$1
	tag=$(echo "$build" | tr / -)
	passed=0
	failed=0
	skipped=0
	for t in "$build"/tests/test-*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=$LOGS/$tag-$name.log
		timeout 600 "$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# crashed or sanitizer abort before cmocka summed up
		fi
		passed=$((passed + p))
		if [ "$f" -gt 0 ]; then
			failed=$((failed + f - 1))
			note_fail "$build $name" "$log"
		else
			echo "ok   $build $name ($p tests)"
		fi
	done
	for s in tests/interop/*.sh tests/integration/*.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		log=$LOGS/$tag-$name.log
		t0=$(date +%s)
		BUILD="$TOP/$build" timeout 600 sh "$s" >"$log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok   $build $name ($(( $(date +%s) - t0 )) s)"
		elif [ "$rc" -eq 77 ]; then
			skipped=$((skipped + 1))
			echo "skip $build $name ($(tail -n 1 "$log"))"
		else
			note_fail "$build $name" "$log"
		fi
	done
	echo "$passed $failed $skipped" >"$LOGS/$tag.sum"
}

if [ "${BALINT_TEST_JOBS:-2}" = 1 ]; then
	for build in "$@"; do run_tree "$build"; done
else
	for build in "$@"; do run_tree "$build" & done
	wait
fi
passed=0
failed=0
skipped=0
for build in "$@"; do
	tag=$(echo "$build" | tr / -)
	if read -r p f s <"$LOGS/$tag.sum"; then
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
	else
		echo "FAIL $build: the run of this tree did not finish"
		failed=$((failed + 1))
	fi
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
