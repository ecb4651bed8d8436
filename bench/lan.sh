# bench/lan.sh — sourced by bench/run.sh: LAN discovery's figures
# (docs/performance.md "LAN discovery").  Two members on one LAN, two
# network namespaces joined by a veth pair (as root, inside the bench's
# own namespace): they joined the group earlier, their stores forget
# every address (stored and announced), they start on 0.0.0.0 with LAN
# discovery on, and the clock runs from the second one serving until
# both hold a level session.  Then the bytes of each beacon and, in the
# full run, the beacons one member sent in its first minute (one group,
# one interface address).
#
# Uses from run.sh: W, TOOLS, BALINTD, MODE, member, b, stop, put, field,
# calc, log, die.

lan_bench() {
	if [ "$BENCH_NETNS" != yes ] || [ "$(id -u)" != 0 ] ||
	    ! command -v python3 >/dev/null 2>&1; then
		log "lan: skipped (needs root, ip netns and python3)"
		for k in lan_session_ms lan_beacon_bytes lan_beacon_wire_bytes \
		    lan_beacons_first_min; do put "$k" null; done
		return 0
	fi
	log "lan: two members find each other on one LAN"
	_ns=balint-b$$
	LAN_NS="$_ns-la $_ns-lb"
	{ ip netns add "$_ns-la" && ip netns add "$_ns-lb" &&
	  ip link add lanA type veth peer name lanB &&
	  ip link set lanA netns "$_ns-la" && ip link set lanB netns "$_ns-lb" &&
	  ip -n "$_ns-la" addr add 10.99.0.1/24 dev lanA &&
	  ip -n "$_ns-lb" addr add 10.99.0.2/24 dev lanB &&
	  ip -n "$_ns-la" link set lo up && ip -n "$_ns-lb" link set lo up &&
	  ip -n "$_ns-la" link set lanA up && ip -n "$_ns-lb" link set lanB up
	} || die "lan: namespaces"
	member la; member lb
	lan_start la 10.99.0.1:7000 off >/dev/null
	lan_start lb 10.99.0.2:7000 off >/dev/null
	contract
	b la group create --contract "$W/contract.txt" >/dev/null || die "lan: group"
	_code=$(b la invite 2>/dev/null) || die "lan: invite"
	b lb join "$_code" --accept >/dev/null || die "lan: lb join"
	stop la; stop lb
	for _x in la lb; do
		python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM peers"); db.execute("DELETE FROM announced")
db.commit()' "$W/$_x/store.db" || die "lan: cannot forget addresses"
	done
	lan_start la 0.0.0.0:7000 on >/dev/null
	_t0=$(date +%s)
	lan_start lb 0.0.0.0:7000 on >/dev/null
	_out=$("$TOOLS/benchctl" peers "$W/lb" 1 30000) ||
	    die "lan: la and lb did not find each other"
	put lan_session_ms "$(field "$_out" peers_ms)"
	_st=$(b la --json status | grep '"kind": "daemon"')
	_n=$(echo "$_st" | sed -n 's/.*"lan_beacons_sent": \([0-9]*\).*/\1/p')
	_by=$(echo "$_st" | sed -n 's/.*"lan_bytes_sent": \([0-9]*\).*/\1/p')
	[ "${_n:-0}" -gt 0 ] || die "lan: la sent no beacon"
	put lan_beacon_bytes "$((_by / _n))"
	# UDP (8) and IPv4 (20) headers around each datagram.
	put lan_beacon_wire_bytes "$((_by / _n + 28))"
	if [ "$MODE" = full ]; then
		sleep $((60 - ($(date +%s) - _t0)))
		put lan_beacons_first_min "$(b la --json status |
		    sed -n 's/.*"lan_beacons_sent": \([0-9]*\).*/\1/p' | head -n 1)"
	else
		put lan_beacons_first_min null
	fi
	stop la; stop lb
	for _x in $LAN_NS; do ip netns del "$_x"; done
	LAN_NS=
	rm -rf "$W/la" "$W/lb"
}

# lan_start NAME LISTEN on|off — NAME's daemon in its namespace.
lan_start() {
	_o=$("$TOOLS/benchctl" spawn "$W/$1.log" "$W/$1" -- \
	    "$(command -v ip)" netns exec "balint-b$$-$1" env BALINT_LAN="$3" \
	    "$BALINTD" --home "$W/$1" --listen "$2") ||
	    die "lan: balintd $1 did not start (see $W/$1.log)"
	field "$_o" pid >"$W/$1.pid"
	echo "$_o"
}
