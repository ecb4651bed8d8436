# tests/lib/tornet.sh — sourced by scenarios that need Tor: a private Tor
# network on 127.0.0.1 (3 directory authorities that are also relays, 3
# more relays), built the way chutney does, offline, and a torrc fragment
# that makes a daemon's own tor a client of it (balintd --torrc-extra).
# Measured facts and pitfalls: docs/testing-tor.md.
#
#   . "$(dirname "$0")/../lib/tornet.sh"
#   tornet_start "$T/tornet" 27100 || fail "..."   # ports 27100..27119
#   tornet_start "$T/tornet" 27100 ADDR NETNS  # on ADDR inside namespace
#                  # NETNS instead (e.g. a host of tests/lib/internet.sh's
#                  # public segment, reached from namespaces behind NAT)
#   balintd ... --tor on --torrc-extra "$TORNET_CLIENT"
#   tornet_stop
#
# Every tor gets __OwningControllerProcess (the scenario's shell), so it
# exits if the scenario dies; tornet_stop sends SIGTERM and SIGKILL after
# 5 s (a relay that logged "exiting cleanly" sometimes never exits).

TORNET_PIDS=
TORNET_DIR=
TORNET_CLIENT=

# tornet_torrc_common DIR — the lines every node of the network has.
tornet_torrc_common() {
	cat <<EOT
TestingTorNetwork 1
DataDirectory $1
RunAsDaemon 0
ShutdownWaitLength 0
Log notice file $1/notice.log
SafeLogging 0
AssumeReachable 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
GeoIPFile $TORNET_DIR/empty
GeoIPv6File $TORNET_DIR/empty
Schedulers Vanilla
LearnCircuitBuildTimeout 0
CircuitBuildTimeout 10
SocksPort 0
__OwningControllerProcess $$
EOT
	cat "$TORNET_DIR/dirauth"
}

# tornet_start DIR BASEPORT [ADDR NETNS] — makes and starts the network;
# BASEPORT to BASEPORT+19 are its ports, on ADDR (default 127.0.0.1), its
# tors run in network namespace NETNS if given.  Returns 1 (reason on
# stderr) if it cannot.
tornet_start() {
	TORNET_DIR=$1
	_tn_base=$2
	_tn_a=${3:-127.0.0.1}
	_tn_x=
	[ -z "${4:-}" ] || _tn_x="ip netns exec $4"
	for _tn_tool in tor tor-gencert; do
		command -v "$_tn_tool" >/dev/null 2>&1 || {
			echo "tornet: $_tn_tool is not installed" >&2
			return 1
		}
	done
	mkdir -p "$TORNET_DIR" && chmod 700 "$TORNET_DIR" || return 1
	: >"$TORNET_DIR/empty"
	: >"$TORNET_DIR/dirauth"
	# Keys and fingerprints: authorities a0..a2, relays r0..r2.
	for _tn_i in 0 1 2; do
		_tn_d=$TORNET_DIR/a$_tn_i
		mkdir -p "$_tn_d/keys" && chmod 700 "$_tn_d"
		(cd "$_tn_d/keys" && echo "" | tor-gencert \
		    --create-identity-key --passphrase-fd 0 -m 12 \
		    -a "$_tn_a:$((_tn_base + 10 + _tn_i))" \
		    >"$_tn_d/gencert.log" 2>&1) || {
			echo "tornet: tor-gencert failed" >&2; return 1; }
		_tn_v3=$(sed -n 's/^fingerprint //p' \
		    "$_tn_d/keys/authority_certificate")
		_tn_fp=$(tor --list-fingerprint --orport 1 --nickname "a$_tn_i" \
		    --datadirectory "$_tn_d" --quiet 2>/dev/null |
		    sed -n "s/^a$_tn_i //p" | tr -d ' ')
		[ -n "$_tn_v3" ] && [ -n "$_tn_fp" ] || {
			echo "tornet: no fingerprint for a$_tn_i" >&2; return 1; }
		echo "DirAuthority a$_tn_i orport=$((_tn_base + _tn_i)) no-v2" \
		    "v3ident=$_tn_v3 $_tn_a:$((_tn_base + 10 + _tn_i))" \
		    "$_tn_fp" >>"$TORNET_DIR/dirauth"
		echo "$_tn_fp" >>"$TORNET_DIR/fps"
	done
	for _tn_i in 0 1 2; do
		_tn_d=$TORNET_DIR/r$_tn_i
		mkdir -p "$_tn_d" && chmod 700 "$_tn_d"
		tor --list-fingerprint --orport 1 --nickname "r$_tn_i" \
		    --datadirectory "$_tn_d" --quiet 2>/dev/null |
		    sed -n "s/^r$_tn_i //p" | tr -d ' ' >>"$TORNET_DIR/fps"
	done
	# Every relay the same bandwidth: a first consensus that weighs
	# one relay alone makes circuits fail.
	{ date +%s; sed 's/^/node_id=$/; s/$/ bw=1000/' "$TORNET_DIR/fps"; } \
	    >"$TORNET_DIR/bandwidths"
	for _tn_i in 0 1 2; do
		_tn_d=$TORNET_DIR/a$_tn_i
		{ tornet_torrc_common "$_tn_d"; cat <<EOT
Nickname a$_tn_i
ContactInfo a$_tn_i@balint.test
Address $_tn_a
ORPort $_tn_a:$((_tn_base + _tn_i))
DirPort $_tn_a:$((_tn_base + 10 + _tn_i))
ExitPolicy reject *:*
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
TestingV3AuthInitialVotingInterval 5
TestingV3AuthInitialVoteDelay 2
TestingV3AuthInitialDistDelay 2
V3AuthVotingInterval 10
V3AuthVoteDelay 2
V3AuthDistDelay 2
V3BandwidthsFile $TORNET_DIR/bandwidths
AuthDirVoteStableGuaranteeMinUptime 0
AuthDirVoteStableGuaranteeMTBF 0
EOT
		} >"$_tn_d/torrc"
	done
	for _tn_i in 0 1 2; do
		_tn_d=$TORNET_DIR/r$_tn_i
		{ tornet_torrc_common "$_tn_d"; cat <<EOT
Nickname r$_tn_i
ContactInfo r$_tn_i@balint.test
Address $_tn_a
ORPort $_tn_a:$((_tn_base + 3 + _tn_i))
DirPort $_tn_a:$((_tn_base + 13 + _tn_i))
ExitPolicy reject *:*
FetchDirInfoEarly 1
FetchDirInfoExtraEarly 1
EOT
		} >"$_tn_d/torrc"
	done
	for _tn_n in a0 a1 a2 r0 r1 r2; do
		$_tn_x tor -f "$TORNET_DIR/$_tn_n/torrc" --quiet \
		    >"$TORNET_DIR/$_tn_n/stdout" 2>&1 &
		TORNET_PIDS="$TORNET_PIDS $!"
	done
	# What a member's own tor adds to its configuration.  A fixed circuit
# build timeout of 10 s: a fresh tor's is 60 s until it has measured 100
# circuits, and a client waits 10/6 of it plus 1 s (its onion circuits
# have 4 hops) for a rendezvous the service never joins (the INTRODUCE2
# lost to a restarting tor) before it introduces itself again: 101 s,
# now 18 s; real tor learns a few seconds.
	TORNET_CLIENT=$TORNET_DIR/client.torrc
	{ cat "$TORNET_DIR/dirauth"; cat <<EOT
TestingTorNetwork 1
AssumeReachable 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
FetchDirInfoEarly 1
FetchDirInfoExtraEarly 1
GeoIPFile $TORNET_DIR/empty
GeoIPv6File $TORNET_DIR/empty
Schedulers Vanilla
LearnCircuitBuildTimeout 0
CircuitBuildTimeout 10
EOT
	} >"$TORNET_CLIENT"
	return 0
}

# tornet_stop — SIGTERM to every tor of the network, SIGKILL after 5 s.
tornet_stop() {
	[ -n "$TORNET_PIDS" ] || return 0
	for _tn_p in $TORNET_PIDS; do kill "$_tn_p" 2>/dev/null; done
	_tn_i=0
	while [ $_tn_i -lt 50 ]; do
		_tn_alive=
		for _tn_p in $TORNET_PIDS; do
			kill -0 "$_tn_p" 2>/dev/null && _tn_alive=1
		done
		[ -n "$_tn_alive" ] || break
		sleep 0.1
		_tn_i=$((_tn_i + 1))
	done
	for _tn_p in $TORNET_PIDS; do kill -KILL "$_tn_p" 2>/dev/null; done
	for _tn_p in $TORNET_PIDS; do wait "$_tn_p" 2>/dev/null; done
	TORNET_PIDS=
}
