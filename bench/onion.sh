# bench/onion.sh — sourced by bench/run.sh: the figures over onion
# services (docs/performance.md "Over Tor"), on a private Tor network on
# the bench's own loopback (tests/lib/tornet.sh, ports 27200..27219), each
# member's daemon with its own tor, a client of that network, and no TCP
# listener (--listen none: every session goes through tor); the same
# figures over direct TCP in the same run, for comparison.
#   tor_first_session_ms    a daemon's start (tor's state kept from an
#                           earlier run, as on a member's machine) to its
#                           first session, level, with another member
#   tor_live_p50/p99_ms     note latency between five members, writer's
#                           write to every other member holding it
#   tor_catchup_ms          a member back after 1,000 notes of 1 KiB were
#                           written: its daemon's start to holding them all
# and tcp_first_session_ms, tcp_live_p50/p99_ms, tcp_catchup_ms alike.
#
# Uses from run.sh: W, TOP, TOOLS, BALINTD, MODE, N_LIVE, NOTE_BYTES,
# member, b, stop, put, field, calc, log, die, group.

ONION_BASE=27200
ONION_NOTES=1000

# onion_start NAME tor|tcp — NAME's daemon, through tor only or on TCP.
onion_start() {
	if [ "$2" = tor ]; then
		_ob_o=$("$TOOLS/benchctl" spawn "$W/$1.log" "$W/$1" -- \
		    "$BALINTD" --home "$W/$1" --listen none --tor on \
		    --torrc-extra "$TORNET_CLIENT") ||
		    die "onion: balintd $1 did not start (see $W/$1.log)"
	else
		_ob_o=$("$TOOLS/benchctl" spawn "$W/$1.log" "$W/$1" -- \
		    "$BALINTD" --home "$W/$1" \
		    --listen "127.0.0.1:$(cat "$W/$1.port")") ||
		    die "onion: balintd $1 did not start (see $W/$1.log)"
	fi
	field "$_ob_o" pid >"$W/$1.pid"
}

# onion_published NAME — its onion service is up.
onion_published() {
	b "$1" --json status 2>/dev/null | grep '"kind": "daemon"' |
	    grep -q '"onion_published": true'
}

# onion_figures PREFIX tor|tcp — the three figures over one transport.
onion_figures() {
	_ob_p=$1; _ob_how=$2
	_ob_homes=
	for _ob_i in 1 2 3 4 5; do
		member "$_ob_p$_ob_i"
		onion_start "$_ob_p$_ob_i" "$_ob_how"
		_ob_homes="$_ob_homes $W/$_ob_p$_ob_i"
	done
	if [ "$_ob_how" = tor ]; then
		_ob_i=0
		until onion_published "${_ob_p}1"; do
			_ob_i=$((_ob_i + 1)); [ $_ob_i -lt 1800 ] ||
			    die "onion: ${_ob_p}1's onion service was not published"
			sleep 0.1
		done
	fi
	group "${_ob_p}1" "${_ob_p}2" "${_ob_p}3" "${_ob_p}4" "${_ob_p}5"
	for _ob_i in 1 2 3 4 5; do
		"$TOOLS/benchctl" peers "$W/$_ob_p$_ob_i" 4 300000 >/dev/null ||
		    die "onion: $_ob_p$_ob_i did not meet every other member ($_ob_how)"
	done
	for _ob_i in 1 2 3 4 5; do
		b "$_ob_p$_ob_i" check -m "warm-up" >/dev/null || die "$_ob_p$_ob_i: balint check"
	done
	log "onion: live latency over $_ob_how, $N_LIVE notes among 5 members"
	# shellcheck disable=SC2086
	_ob_out=$("$TOOLS/latency" "$N_LIVE" "$NOTE_BYTES" 20251123 $_ob_homes) ||
	    die "onion: latency over $_ob_how"
	put "${_ob_how}_live_p50_ms" "$(field "$_ob_out" p50_ms)"
	put "${_ob_how}_live_p99_ms" "$(field "$_ob_out" p99_ms)"
	# A daemon's start to its first session (m5 back; the others run).
	log "onion: first session after a start, over $_ob_how"
	stop "${_ob_p}5"
	_ob_t0=$(date +%s%N)
	onion_start "${_ob_p}5" "$_ob_how"
	"$TOOLS/benchctl" peers "$W/${_ob_p}5" 1 300000 >/dev/null ||
	    die "onion: ${_ob_p}5 found no session after its start ($_ob_how)"
	_ob_t1=$(date +%s%N)
	put "${_ob_how}_first_session_ms" "$(calc "($_ob_t1 - $_ob_t0) / 1e6" 0)"
	# Catch-up: m5 away while m1 writes 1,000 notes, then back.
	log "onion: catch-up of $ONION_NOTES notes over $_ob_how"
	stop "${_ob_p}5"
	"$TOOLS/bulkwrite" "$W/${_ob_p}1" "$ONION_NOTES" "$NOTE_BYTES" 32 \
	    "$W/$_ob_p.ids" >/dev/null || die "onion: bulkwrite"
	_ob_want=$(entries "${_ob_p}1")
	_ob_t0=$(date +%s%N)
	onion_start "${_ob_p}5" "$_ob_how"
	"$TOOLS/benchctl" wait "$W/${_ob_p}5" "$_ob_want" 600000 >/dev/null ||
	    die "onion: ${_ob_p}5 did not catch up ($_ob_how)"
	_ob_t1=$(date +%s%N)
	put "${_ob_how}_catchup_ms" "$(calc "($_ob_t1 - $_ob_t0) / 1e6" 0)"
	for _ob_i in 1 2 3 4 5; do stop "$_ob_p$_ob_i"; done
	rm -rf "$W/$_ob_p"[1-5]
}

onion_bench() {
	if [ "$BENCH_NETNS" != yes ] || ! command -v tor >/dev/null 2>&1 ||
	    ! command -v tor-gencert >/dev/null 2>&1; then
		log "onion: skipped (needs tor, tor-gencert and the bench's own namespace)"
		for _ob_k in first_session_ms live_p50_ms live_p99_ms catchup_ms; do
			put "tor_$_ob_k" null; put "tcp_$_ob_k" null
		done
		return 0
	fi
	. "$TOP/tests/lib/tornet.sh"
	log "onion: a private Tor network on the bench's loopback"
	tornet_start "$W/tornet" "$ONION_BASE" || die "onion: no Tor network"
	ONION_UP=1
	onion_figures o tor
	tornet_stop
	ONION_UP=
	onion_figures t tcp
}
