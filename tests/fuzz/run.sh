#!/bin/sh
# tests/fuzz/run.sh — runs the libFuzzer harnesses of an instrumented tree
# (make fuzz-build) and prints the executions of each.
#
#   run.sh --deps [CC [LDFLAGS]]
#                             check that CC (clang) links libFuzzer with
#                             LDFLAGS (-fuse-ld=lld); as root on Debian
#                             install them, else print the command
#   run.sh [--build DIR] [--seconds N] [--smoke] [TARGET...]
#                             run each harness (all of tests/fuzz/fuzz-*.c
#                             when no TARGET is named) with libFuzzer's
#                             -max_total_time=N: it stops once more than N
#                             whole seconds have passed since it started,
#                             so each harness fuzzes about N+1 seconds
#
# Each harness starts from the seed corpus kept in tests/fuzz/corpus/<t>/
# (plus, with --smoke, one freshly made by DIR/gen-corpus, so the seeds
# always match the current encoders) and first replays every regression
# input in tests/fuzz/regress/<t>/.  New inputs go to DIR/corpus/<t>/ (or a
# temporary directory with --smoke), crashes to DIR/crashes/.  The exit
# status is non-zero when any harness crashed, leaked, timed out or failed
# an invariant; the log of each harness is DIR/logs/<t>.log (with --smoke
# DIR/smoke-logs/<t>.log).
#
# Everything is in functions called from the last line, so that editing
# this file while it runs cannot change what a running copy does.

DEB_FUZZ_PKGS="clang libclang-rt-dev lld"

# Checks that $1 compiles and links a libFuzzer harness (with the linker
# flags $2).
links_fuzzer() {
	d=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ (void)d; (void)n; return 0; }' >"$d/t.c"
	# shellcheck disable=SC2086
	"$1" $2 -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" \
	    >/dev/null 2>&1
	rc=$?
	rm -rf "$d"
	return $rc
}

deps() {	# [CC [LDFLAGS]]
	cc=${1:-clang}
	ldflags=${2:-}
	links_fuzzer "$cc" "$ldflags" && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "fuzz-deps: installing $DEB_FUZZ_PKGS"
		# shellcheck disable=SC2086
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq $DEB_FUZZ_PKGS >/dev/null || return 1
		links_fuzzer "$cc" "$ldflags" && return 0
	fi
	echo "fuzz-deps: '$cc $ldflags' cannot link libFuzzer (-fsanitize=fuzzer); run:" >&2
	echo "  sudo apt-get install $DEB_FUZZ_PKGS" >&2
	return 1
}

# Runs harness $1; prints its table line; returns non-zero on a failure.
run_one() {
	t=$1
	bin=$build/fuzz-$t
	log=$logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "run.sh: no harness '$bin' (make fuzz-build)" >&2
		return 1
	fi
	: >"$log"
	result=ok
	# Regression inputs first: each file is run once.
	if [ -d "tests/fuzz/regress/$t" ] &&
	    [ -n "$(ls -A "tests/fuzz/regress/$t")" ]; then
		if ! "$bin" "tests/fuzz/regress/$t"/* >>"$log" 2>&1; then
			result=REGRESSION
		fi
	fi
	if [ -n "$tmp" ]; then
		work=$tmp/work-$t
	else
		work=$build/corpus/$t
	fi
	mkdir -p "$work"
	seeds=
	[ -d "tests/fuzz/corpus/$t" ] && seeds="tests/fuzz/corpus/$t"
	[ -n "$tmp" ] && [ -d "$tmp/fresh/$t" ] && seeds="$seeds $tmp/fresh/$t"
	execs=0
	rate=0
	if [ "$result" = ok ]; then
		# shellcheck disable=SC2086
		"$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		    -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
		    "$work" $seeds >>"$log" 2>&1 || result=CRASH
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		    tail -n 1)
		execs=${execs:-0}
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" |
		    tail -n 1)
	fi
	printf '%-16s %12s %8s %8s\n' "$t" "$execs" "${rate:-0}" "$result"
	total=$((total + execs))
	[ "$result" = ok ] && return 0
	echo "    log: $log" >&2
	grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$log" |
	    head -n 8 | sed 's/^/    | /' >&2
	return 1
}

run() {	# [options] [TARGET...]
	build=build/fuzz
	seconds=60
	smoke=
	while [ $# -gt 0 ]; do
		case $1 in
		--build) build=$2; shift 2 ;;
		--seconds) seconds=$2; shift 2 ;;
		--smoke) smoke=1; shift ;;
		--) shift; break ;;
		-*) echo "run.sh: unknown option '$1'" >&2; return 2 ;;
		*) break ;;
		esac
	done
	if [ $# -eq 0 ]; then
		for f in tests/fuzz/fuzz-*.c; do
			t=$(basename "$f" .c)
			set -- "$@" "${t#fuzz-}"
		done
	fi
	# A smoke run (make test) keeps its logs apart from make fuzz's.
	logs=$build/logs
	[ -n "$smoke" ] && logs=$build/smoke-logs
	mkdir -p "$logs" "$build/crashes" || return 2
	tmp=
	if [ -n "$smoke" ]; then
		tmp=$(mktemp -d) || return 2
		trap 'rm -rf "$tmp"' EXIT
		if ! "$build/gen-corpus" "$tmp/fresh" \
		    >"$logs/gen-corpus.log" 2>&1; then
			echo "FAIL gen-corpus (log: $logs/gen-corpus.log)"
			return 1
		fi
	fi
	failed=0
	total=0
	printf '%-16s %12s %8s %8s\n' harness executions exec/s result
	for t in "$@"; do
		run_one "$t" || failed=$((failed + 1))
	done
	echo "fuzz: $# harnesses, $total executions, $failed failed"
	[ "$failed" -eq 0 ]
}

cd "$(dirname "$0")/../.." || exit 2
if [ "$1" = --deps ]; then deps "$2" "$3"; else run "$@"; fi; exit $?
