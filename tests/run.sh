#!/bin/sh
# tests/run.sh BUILD... — runs the unit tests (cmocka), the interop tests and
# the integration scenarios against each build tree, keeps the log of every
# failure under build/test-logs/, and ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
LOGS=$TOP/build/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
passed=0
failed=0

note_fail() {	# name log
	failed=$((failed + 1))
	echo "FAIL $1 (log: $2)"
	tail -n 20 "$2" | sed 's/^/    | /'
}

for build in "$@"; do
	tag=$(echo "$build" | tr / -)
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
		if BUILD="$TOP/$build" timeout 600 sh "$s" >"$log" 2>&1; then
			passed=$((passed + 1))
			echo "ok   $build $name ($(( $(date +%s) - t0 )) s)"
		else
			note_fail "$build $name" "$log"
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
