# tests/lib/daemons.sh — sourced by integration scenarios: make members with
# their own profiles, start real balintd processes on 127.0.0.1, drive them
# through balint, and clean up (keeping logs of a failure under $T).
#
#   . "$(dirname "$0")/../lib/daemons.sh"
#   member alice; start alice; b alice status
#
# BUILD is the build tree (tests/run.sh sets it); T the scenario's directory.
# The helpers' own variables start with _ so they never clobber a caller's.

set -u
BUILD=${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
BALINT=$BUILD/balint
BALINTD=$BUILD/balintd
T=$(mktemp -d "${TMPDIR:-/tmp}/balint-it.XXXXXX")
PIDS=
export BALINT_PASSPHRASE_FILE=$T/passphrase
printf 'test passphrase\n' >"$BALINT_PASSPHRASE_FILE"
chmod 600 "$BALINT_PASSPHRASE_FILE"

cleanup() {
	rc=$?
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	if [ "$rc" -ne 0 ]; then
		echo "--- scenario failed (rc $rc); daemon logs:"
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "=== $f"; tail -n 40 "$f"
		done
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# b NAME ARGS... — run balint as member NAME.
b() { _b_n=$1; shift; "$BALINT" --home "$T/$_b_n" "$@"; }

# member NAME — create the profile of NAME (init with a passphrase).
member() {
	b "$1" init --name "$1" >"$T/$1.init" 2>&1 || { cat "$T/$1.init"; fail "init $1"; }
}

# A free TCP port on 127.0.0.1 (asks the kernel; tiny race accepted).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start NAME — start NAME's daemon on its own port; waits for the socket.
start() {
	_s_n=$1
	_s_port=$T/$_s_n.port
	[ -f "$_s_port" ] || free_port >"$_s_port"
	"$BALINTD" --home "$T/$_s_n" --listen "127.0.0.1:$(cat "$_s_port")" \
		>>"$T/$_s_n.log" 2>&1 &
	eval "PID_$_s_n=$!"
	PIDS="$PIDS $!"
	_s_i=0
	while ! b "$_s_n" status >/dev/null 2>&1; do
		_s_i=$((_s_i + 1))
		[ $_s_i -lt 100 ] || fail "daemon $_s_n did not come up"
		sleep 0.1
	done
}

# stop NAME [SIGNAL] — stop NAME's daemon and wait for it to exit.
stop() {
	eval "_p_pid=\$PID_$1"
	kill -"${2:-TERM}" "$_p_pid" 2>/dev/null
	wait "$_p_pid" 2>/dev/null
	_p_st=$?
	[ "${2:-TERM}" != TERM ] || [ "$_p_st" -eq 0 ] || fail "$1 exited $_p_st on SIGTERM"
	return 0
}

addr() { echo "127.0.0.1:$(cat "$T/$1.port")"; }

# until_ok SECONDS CMD... — retry CMD until it succeeds or time runs out.
until_ok() {
	_u_limit=$(( $1 * 10 )); shift
	_u_i=0
	until "$@" >/dev/null 2>&1; do
		_u_i=$((_u_i + 1))
		[ $_u_i -lt "$_u_limit" ] || return 1
		sleep 0.1
	done
}
