#!/bin/sh
# fuzz-smoke.sh — a short run of every libFuzzer harness (tests/fuzz/),
# as part of make test: builds the instrumented tree build/fuzz/ with
# clang (make fuzz-build), replays the regression inputs of
# tests/fuzz/regress/, then fuzzes each harness from the kept seed corpus
# and a freshly generated one with libFuzzer's -max_total_time set to
# FUZZ_SMOKE_SECONDS (default 1: libFuzzer stops once more than that many
# whole seconds have passed, so each harness fuzzes about 2 s; the 2 of
# before gave 3 s each, 30 s more of make test).  Fails when any harness
# crashes, leaks or breaks an invariant.
#
# tests/run.sh runs every integration script once per tree; this one
# builds its own tree, so it does its work only for the normal tree
# (BUILD ending in /build) and skips the sanitizer tree.
case ${BUILD:-build} in
*/build|build) ;;
*)
	echo "fuzz-smoke: skipped in the sanitizer tree (runs once, in build/)"
	exit 0
	;;
esac
cd "$(dirname "$0")/../.." || exit 2
# The make that runs the tests is not our parent's job server.
unset MAKEFLAGS MFLAGS MAKELEVEL
make --no-print-directory fuzz-build || {
	echo "fuzz-smoke: make fuzz-build failed" >&2
	exit 1
}
exec sh tests/fuzz/run.sh --build build/fuzz --smoke \
    --seconds "${FUZZ_SMOKE_SECONDS:-1}"
