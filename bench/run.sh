#!/bin/sh
# bench/run.sh — `make bench [QUICK=1]`: balint's figures from real daemons
# driven through their control sockets, side by side with two Syncthing
# instances, and against the single-core crypto limit.  Prints a table and
# writes bench/results/latest.json (one key per figure, units in the key
# names).  See docs/performance.md for what each figure means.
#
#   BUILD   the build tree (default: build/ next to this directory)
#   QUICK=1 every scenario, reduced: the whole run takes under two minutes
#   BENCH_KEEP=1 keeps the work directory (build/bench/run) afterwards
#   BENCH_ONLY=onion runs the figures over Tor alone (bench/onion.sh)
#
# As root, with unshare(1) working, the whole run moves into a private
# network namespace (only its own loopback): nothing else's traffic is
# counted, and nothing leaves the machine.  Otherwise it runs on
# 127.0.0.1 with free ports.  Only processes this script started are
# ever stopped, by their PIDs.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
QUICK=${QUICK:-}
TOOLS=$BUILD/bench
BALINT=$BUILD/balint
BALINTD=$BUILD/balintd
# Direct TCP unless a scenario asks for tor; never the public Tor network.
export BALINT_TOR=${BALINT_TOR:-off}
# No LAN beacons on the host's network unless a scenario asks (lan.sh).
export BALINT_LAN=${BALINT_LAN:-off}

# Syncthing is installed here, before the move into a namespace that has
# no way out to the package registry (bench/syncthing.sh only checks).
if [ -z "${BENCH_NETNS:-}" ] && ! command -v syncthing >/dev/null 2>&1 &&
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	mkdir -p "$BUILD/bench"
	printf '%s  syncthing: installing Debian'"'"'s package\n' \
	    "$(date +%H:%M:%S)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syncthing \
	    >"$BUILD/bench/apt.log" 2>&1 ||
	{ apt-get update -qq >>"$BUILD/bench/apt.log" 2>&1 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    syncthing >>"$BUILD/bench/apt.log" 2>&1; } ||
	echo "bench: installing syncthing failed (see $BUILD/bench/apt.log)" >&2
fi

# The page's npm packages too (bench/page.sh).
. "$TOP/bench/page.sh"
[ -n "${BENCH_NETNS:-}" ] || page_install

if [ -z "${BENCH_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	    command -v ip >/dev/null 2>&1 &&
	    unshare --net sh -c 'ip link set lo up' 2>/dev/null; then
		BENCH_NETNS=yes exec unshare --net sh -c \
		    'ip link set lo up && exec sh "$0"' "$0"
	fi
	BENCH_NETNS=no
fi

# The bench's authors write in minutes what a member of a group writes in
# years (10,000 notes of one author, 1,000,000 entries of 50): above the
# per-author limits of a day and in all (docs/protocol.md "Per-author
# limits"), so its daemons get limits that the figures never reach.
BALINT_AUTHOR_LIMITS=100000000,1099511627776,100000000,1099511627776
export BALINT_AUTHOR_LIMITS

for t in benchctl bulkwrite ceiling guardbench latency mkscale stlat; do
	[ -x "$TOOLS/$t" ] || { echo "bench: $TOOLS/$t missing (run: make bench)" >&2; exit 2; }
done

if [ -n "$QUICK" ] && [ "$QUICK" != 0 ]; then
	MODE=quick
	N_BULK=1000		# notes / files of the bulk
	N_LIVE=100		# notes of the live latency
	N_STLAT=10		# files of Syncthing's rescan latency
	N_BIG=20000		# "100,000 notes" (start-up, RSS)
	N_SCALE=50000		# "1,000,000 entries" (scale)
	N_ROUNDS=50		# idle reconciliations
	CEIL_S=0.5
	N_GUARD=20		# rounds of the guard's 64 KiB check
else
	MODE=full
	N_BULK=10000
	N_LIVE=500
	N_STLAT=50
	N_BIG=100000
	N_SCALE=1000000
	N_ROUNDS=200
	CEIL_S=2
	N_GUARD=200
fi
N_MEMBERS=5
SCALE_AUTHORS=50
NOTE_BYTES=1024

W=$BUILD/bench/run
RES=$W/results.txt
rm -rf "$W"
mkdir -p "$W" || exit 1

log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
put() { echo "$1 $2" >>"$RES"; }		# key value (JSON literal)
get() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' "$RES"; }
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# Every process this script starts has a W/NAME.pid file until it is
# stopped; cleanup stops those, and only those.
cleanup() {
	rc=$?
	for f in "$W"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for f in "$W"/*.pid; do
		[ -f "$f" ] || continue
		i=0
		while kill -0 "$(cat "$f")" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
	done
	for n in ${LAN_NS:-}; do ip netns del "$n" 2>/dev/null; done
	[ -z "${ONION_UP:-}" ] || tornet_stop
	if [ "$rc" -ne 0 ]; then
		echo "bench: failed (rc $rc); logs under $W" >&2
	elif [ -z "${BENCH_KEEP:-}" ]; then
		rm -rf "$W"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# /proc figures of a process: resident KiB; CPU nanoseconds of all its
# threads (schedstat: time on a CPU, exact, unlike stat's 10 ms ticks).
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f", s }'; }
kib_mib() { calc "$1 / 1024" 1; }

# wire_bytes PORT... — TCP payload bytes received by every socket from or
# to one of the ports; both ends of each connection are here, so this is
# both directions.  Only connections that are still open count.
wire_bytes() {
	f=
	for p in "$@"; do
		f="$f${f:+ or }sport = :$p or dport = :$p"
	done
	ss -tinH state established "( $f )" | grep -o 'bytes_received:[0-9]*' |
	    awk -F: '{ s += $2 } END { print s + 0 }'
}

# ---- balint members ----

b() { _h=$1; shift; "$BALINT" --home "$W/$_h" "$@"; }

member() {	# NAME
	b "$1" init --name "$1" --no-passphrase >"$W/$1.init" 2>&1 ||
	    { cat "$W/$1.init"; die "init $1"; }
	free_port >"$W/$1.port"
}

# start NAME [--sync-wait MS]: prints benchctl's line; remembers the PID.
start() {
	_n=$1; shift
	_out=$("$TOOLS/benchctl" spawn "$@" "$W/$_n.log" "$W/$_n" -- \
	    "$BALINTD" --home "$W/$_n" --listen "127.0.0.1:$(cat "$W/$_n.port")") ||
	    die "balintd $_n did not start (see $W/$_n.log)"
	field "$_out" pid >"$W/$_n.pid"
	echo "$_out"
}

pid() { cat "$W/$1.pid"; }

stop() {	# NAME
	_p=$(pid "$1")
	kill "$_p" 2>/dev/null
	_i=0
	while kill -0 "$_p" 2>/dev/null; do
		_i=$((_i + 1)); [ $_i -lt 300 ] || die "balintd $1 does not stop"
		sleep 0.05
	done
	rm -f "$W/$1.pid"
}

contract() {
	printf 'Name: Bench\nHistory: full\n\nWhat is discussed in the group stays in the group.\n' >"$W/contract.txt"
}

# group NAME... — the first founds the group, the others join by invite.
group() {
	contract
	_lead=$1; shift
	b "$_lead" group create --contract "$W/contract.txt" >/dev/null || die "group create"
	for _m in "$@"; do
		# On 127.0.0.1 the code leads here only, as it should: no warning.
		_code=$(b "$_lead" invite 2>"$W/invite.err") ||
			die "invite: $(cat "$W/invite.err")"
		b "$_m" join "$_code" --accept >/dev/null || die "$_m join"
	done
}

entries() { field "$("$TOOLS/benchctl" entries "$W/$1")" entries; }

# ---- the run ----

: >"$RES"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "balint bench ($MODE), network namespace: $BENCH_NETNS, load $LOAD0"
put mode "\"$MODE\""
put date "\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\""
put machine_cpu "\"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)\""
put machine_nproc "$(nproc)"
put machine_mem_mib "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
put network_namespace "\"$BENCH_NETNS\""
put load_before "\"$LOAD0\""

# BENCH_ONLY=onion: the figures over Tor alone (bench/onion.sh), written
# to bench/results/onion-MODE.json.
if [ "${BENCH_ONLY:-}" = onion ]; then
	. "$TOP/bench/onion.sh"
	onion_bench
	put load_after "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
	mkdir -p "$TOP/bench/results"
	awk 'BEGIN { printf "{\n" }
	    { if (NR > 1) printf ",\n"; printf "  \"%s\": ", $1;
	      $1 = ""; sub(/^ /, ""); printf "%s", $0 }
	    END { printf "\n}\n" }' "$RES" >"$TOP/bench/results/onion-$MODE.json"
	cat "$TOP/bench/results/onion-$MODE.json"
	exit 0
fi

# 1. Bulk: A writes N notes while B is away; B comes back and catches up.
log "bulk: $N_BULK notes of $NOTE_BYTES bytes at A, B away"
member alice; member bob
start alice >/dev/null; start bob >/dev/null
group alice bob
"$TOOLS/benchctl" sync "$W/bob" 30000 >/dev/null || die "bob not level after joining"
sleep 1
put rss_idle_mib "$(kib_mib "$(rss_kib "$(pid bob)")")"
stop bob
# Bob as he is before the bulk, for the bundle figures (1b).
cp -a "$W/bob" "$W/bobcopy"
rm -f "$W/bobcopy/balintd.sock" "$W/bobcopy/balintd.pid"
out=$("$TOOLS/bulkwrite" "$W/alice" "$N_BULK" "$NOTE_BYTES" 32 "$W/ids") ||
    die "bulkwrite"
put bulk_write_notes_per_s "$(field "$out" rate)"
want=$(entries alice)
log "bulk: B catches up ($want entries at A)"
out=$(start bob --sync-wait 600000) || exit 1
bpid=$(pid bob)
bcpu=$(cpu_ns "$bpid")
brss=$(rss_kib "$bpid")
wire=$(wire_bytes "$(cat "$W/alice.port")" "$(cat "$W/bob.port")")
got=$(entries bob)
[ "$got" = "$want" ] || die "bob holds $got entries after the bulk, alice $want"
# Readable: the first, a middle and the last note decrypt at bob (not
# timed; `note list` of 10,000 notes is larger than one control message).
for id in $(sed -n "1p;$((N_BULK / 2))p;\$p" "$W/ids"); do
	b bob note show "$id" >/dev/null || die "bob cannot read note $id"
done
# 7. Finding: a search that every note matches (each decrypted, folded
# and scored in balintd's memory, the best 1,000 answered) and the whole
# listing (pages of 1,000), over the bulk at bob.
log "search and list over $N_BULK notes at B"
t0=$(date +%s%N)
b bob note search unspoken consultation >/dev/null || die "bob note search"
t1=$(date +%s%N)
b bob note list >/dev/null || die "bob note list"
t2=$(date +%s%N)
put search_ms "$(calc "($t1 - $t0) / 1e6" 0)"
put list_ms "$(calc "($t2 - $t1) / 1e6" 0)"
bulk_ms=$(field "$out" level_ms)
put bulk_balint_s "$(calc "$bulk_ms / 1000")"
put bulk_balint_serve_ms "$(field "$out" serve_ms)"
put bulk_rate_notes_per_s "$(calc "$N_BULK / ($bulk_ms / 1000)" 0)"
put bulk_receive_cpu_s "$(calc "$bcpu / 1e9")"
put rss_after_bulk_mib "$(kib_mib "$brss")"
put rss_sender_after_bulk_mib "$(kib_mib "$(rss_kib "$(pid alice)")")"
put wire_balint_bytes "$wire"
put wire_balint_bytes_per_note "$(calc "$wire / $N_BULK" 0)"
put wire_balint_overhead_bytes_per_note "$(calc "$wire / $N_BULK - $NOTE_BYTES" 0)"

# 6. Idle cost: reconciliations between two level members.
log "idle: $N_ROUNDS reconciliations between level members"
sleep 0.5
w0=$(wire_bytes "$(cat "$W/alice.port")" "$(cat "$W/bob.port")")
c0=$(( $(cpu_ns "$(pid alice)") + $(cpu_ns "$(pid bob)") ))
i=0
while [ $i -lt "$N_ROUNDS" ]; do
	"$TOOLS/benchctl" sync "$W/alice" >/dev/null || die "sync alice"
	"$TOOLS/benchctl" sync "$W/bob" >/dev/null || die "sync bob"
	i=$((i + 1))
done
sleep 0.5
w1=$(wire_bytes "$(cat "$W/alice.port")" "$(cat "$W/bob.port")")
c1=$(( $(cpu_ns "$(pid alice)") + $(cpu_ns "$(pid bob)") ))
put idle_reconcile_bytes "$(calc "($w1 - $w0) / $N_ROUNDS" 0)"
put idle_reconcile_cpu_us "$(calc "($c1 - $c0) / $N_ROUNDS / 1000" 0)"
stop bob; stop alice

# 2. Ceiling: the same entries, verified and decrypted on one core.
log "ceiling: verify + decrypt of bob's entries on one core"
out=$("$TOOLS/ceiling" "$W/bob" "$CEIL_S") || die "ceiling"
crypto=$(field "$out" crypto_per_s)
put ceiling_crypto_entries_per_s "$crypto"
put ceiling_proto_entries_per_s "$(field "$out" proto_per_s)"
put ceiling_verify_per_s "$(field "$out" verify_per_s)"
put ceiling_crypto_entries_per_cpu_s "$(field "$out" crypto_per_cpu_s)"
put bulk_fraction_of_ceiling_pct "$(calc "100 * $N_BULK / ($bulk_ms / 1000) / $crypto" 1)"
# The same in CPU time: notes per CPU-second of Bob's daemon (start-up
# included) against entries per CPU-second of the ceiling's loop.  Less
# sensitive to other load than the wall-time fraction above.
put bulk_receive_notes_per_cpu_s "$(calc "$N_BULK / ($bcpu / 1e9)" 0)"
put bulk_fraction_of_ceiling_cpu_pct "$(calc "100 * $N_BULK / ($bcpu / 1e9) / $(field "$out" crypto_per_cpu_s)" 1)"

# 5. Store size per note (bob: the group's few entries and N notes).
sz=$(stat -c %s "$W/bob/store.db")
[ -f "$W/bob/store.db-wal" ] && sz=$((sz + $(stat -c %s "$W/bob/store.db-wal")))
put store_bytes_per_note "$(calc "$sz / $N_BULK" 0)"

# 1b. Bundle: the bulk carried by hand.  Alice (alone) writes every
# entry into a bundle; the copy of bob from before the bulk (alone: alice
# is stopped) reads it.  Its size against the notes' text, and the time of
# `balint bundle read` (verify, decrypt, one transaction).
log "bundle: $N_BULK notes written into a bundle by A, read by B's copy"
start alice >/dev/null
b alice bundle write "$W/bulk.bal" >/dev/null || die "bundle write"
want=$(entries alice)
stop alice
free_port >"$W/bobcopy.port"
start bobcopy >/dev/null
t0=$(date +%s%N)
b bobcopy bundle read "$W/bulk.bal" >"$W/bundle.out" || die "bundle read"
t1=$(date +%s%N)
got=$(entries bobcopy)
# (his copy announces its own new port: one entry more than alice's.)
[ "$got" -ge "$want" ] && grep -q "added" "$W/bundle.out" ||
    die "bob's copy holds $got entries after the bundle, alice $want"
stop bobcopy
rm -rf "$W/bobcopy"
bsz=$(stat -c %s "$W/bulk.bal")
put bundle_notes "$N_BULK"
put bundle_bytes "$bsz"
put bundle_bytes_per_note "$(calc "$bsz / $N_BULK" 0)"
put bundle_text_ratio "$(calc "$bsz / ($N_BULK * $NOTE_BYTES)" 3)"
put bundle_read_s "$(calc "($t1 - $t0) / 1e9")"

# 5. A store of N_BIG notes: start-up time and memory.
log "resources: $N_BIG notes in one store (set up by mkscale)"
"$TOOLS/mkscale" --authors 1 --entries $((N_BIG - N_BULK)) --body "$NOTE_BYTES" \
    "$W/alice" >"$W/mkscale-big.out" || die "mkscale (big)"
out=$(start alice) || exit 1
put startup_big_notes "$N_BIG"
put startup_big_ms "$(field "$out" serve_ms)"
sleep 1
put rss_big_mib "$(kib_mib "$(rss_kib "$(pid alice)")")"
stop alice
out=$(start alice) || exit 1
put startup_big_second_ms "$(field "$out" serve_ms)"
stop alice

# 3. Live latency: five members, notes written one at a time.
log "live: $N_LIVE notes at random members of $N_MEMBERS"
homes=
i=1
while [ $i -le $N_MEMBERS ]; do
	member "m$i"; start "m$i" >/dev/null
	homes="$homes $W/m$i"
	i=$((i + 1))
done
group m1 m2 m3 m4 m5
i=1
while [ $i -le $N_MEMBERS ]; do
	"$TOOLS/benchctl" peers "$W/m$i" $((N_MEMBERS - 1)) 60000 >/dev/null ||
	    die "m$i did not connect to every other member"
	i=$((i + 1))
done
# A daemon loads the guard's dictionaries at its first check (about
# 0.2 s, guard/guard.h); do that before the clock runs.
i=1
while [ $i -le $N_MEMBERS ]; do
	b "m$i" check -m "warm-up" >/dev/null || die "m$i: balint check"
	i=$((i + 1))
done
# shellcheck disable=SC2086
out=$("$TOOLS/latency" "$N_LIVE" "$NOTE_BYTES" 20251123 $homes) || die "latency"
put live_p50_ms "$(field "$out" p50_ms)"
put live_p99_ms "$(field "$out" p99_ms)"
put live_max_ms "$(field "$out" max_ms)"
put live_each_p50_ms "$(field "$out" each_p50_ms)"
put live_write_p50_ms "$(field "$out" write_p50_ms)"
put live_poll_rtt_us "$(field "$out" poll_us)"
i=1
while [ $i -le $N_MEMBERS ]; do stop "m$i"; i=$((i + 1)); done

# 7. Scale: 50 members' logs in one store; two members 1% and 0% apart.
log "scale: $N_SCALE entries of $SCALE_AUTHORS authors (set up by mkscale)"
member sa; member sb
start sa >/dev/null; start sb >/dev/null
group sa sb
"$TOOLS/benchctl" sync "$W/sb" 30000 >/dev/null || die "sb not level"
stop sb; stop sa
out=$("$TOOLS/mkscale" --authors "$SCALE_AUTHORS" --entries "$N_SCALE" --body 100 \
    --lack 1 "$W/sa" "$W/sb") || die "mkscale (scale)"
put scale_setup_s "$(field "$out" seconds)"
put scale_entries "$N_SCALE"
put scale_authors "$SCALE_AUTHORS"
put scale_lacking_entries "$(field "$out" lack)"
out=$(start sa) || exit 1
put scale_startup_ms "$(field "$out" serve_ms)"
log "scale: sb reconciles (1% apart)"
out=$(start sb --sync-wait 600000) || exit 1
put scale_reconcile_1pct_ms "$(field "$out" sync_ms)"
put scale_startup_b_ms "$(field "$out" serve_ms)"
[ "$(entries sb)" = "$(entries sa)" ] || die "sb and sa differ after reconciling"
put scale_rss_mib "$(kib_mib "$(rss_kib "$(pid sb)")")"
stop sb
log "scale: sb reconciles (0% apart)"
out=$(start sb --sync-wait 600000) || exit 1
put scale_reconcile_0pct_ms "$(field "$out" sync_ms)"
sleep 0.3
put scale_reconcile_0pct_bytes "$(wire_bytes "$(cat "$W/sa.port")" "$(cat "$W/sb.port")")"
stop sb; stop sa
rm -rf "$W/sa" "$W/sb" "$W/alice"

# 8. The de-identification guard (guard/): the best of N_GUARD checks of
# a 64 KiB note made of the corpus' text, and recall and precision per
# category and language on the annotated corpus in tests/guard/.
log "guard: a 64 KiB note, and the corpus' recall and precision"
out=$("$TOOLS/guardbench" -n "$N_GUARD" -c "$TOP/tests/guard") || die "guardbench"
echo "$out" | grep -E '^guard_(sv|he|en|all)_[a-z]+:' |
    sed 's/^guard_/guard  /; s/: / /'
put guard_64k_ms "$(echo "$out" | sed -n 's/^guard_64k_ms=//p')"
put guard_load_ms "$(echo "$out" | sed -n 's/^guard_load_ms=//p')"
put guard_precision "$(echo "$out" | sed -n 's/^guard_precision=//p')"
for c in id phone email address record date age name; do
	line=$(echo "$out" | grep "^guard_all_$c:")
	put "guard_${c}_recall" "$(echo "$line" | sed -n 's/.* recall=\([0-9.]*\).*/\1/p')"
	put "guard_${c}_precision" "$(echo "$line" | sed -n 's/.* precision=\([0-9.]*\).*/\1/p')"
done

# 9. LAN discovery: two members on one LAN find each other (bench/lan.sh).
. "$TOP/bench/lan.sh"
lan_bench

# 10. The page in the browser: the notes list with 1,000 notes, and B's
# note on A's page (bench/page.sh).
page_bench

# 11. Over Tor: the same figures over onion services and direct TCP.
. "$TOP/bench/onion.sh"
onion_bench

# 1, 3, 4, 5 for Syncthing.
. "$TOP/bench/syncthing.sh"
syncthing_all

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
put load_after "\"$LOAD1\""
log "done, load $LOAD1"
. "$TOP/bench/report.sh"
report
