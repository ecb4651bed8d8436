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
FREE_PORTS=/tmp/balint-test-ports	# free_port's reservations
export BALINT_PASSPHRASE_FILE=$T/passphrase
# The member's own settings never reach a test: each has its own.
export XDG_CONFIG_HOME=$T/config
# The CLI's messages in English, whatever the runner's language (i18n.sh
# checks the others).
export LANGUAGE=en
# No tor unless a scenario asks (--tor on): never the public Tor network.
export BALINT_TOR=${BALINT_TOR:-off}
# No LAN beacons on the host's network unless a scenario asks (lan.sh).
export BALINT_LAN=${BALINT_LAN:-off}
# No daemon of the tests asks a router for a port mapping (UPnP's SSDP
# multicast and NAT-PMP would leave the machine); portmap.sh turns it on.
export BALINT_PORTMAP=${BALINT_PORTMAP:-off}
# Nor does any punch holes unless a scenario asks (punch.sh).
export BALINT_PUNCH=${BALINT_PUNCH:-off}
printf 'test passphrase\n' >"$BALINT_PASSPHRASE_FILE"
chmod 600 "$BALINT_PASSPHRASE_FILE"

# ours PID — PID is still one of this scenario's processes: a child of
# this shell, or one whose command line names $T (a daemon that `balint
# daemon start` spawned).  A pid reaped long ago may be anyone's by now
# (pid_max wraps every few minutes under make test), and cleanup must not
# kill the other tree's daemon.
ours() {
	[ -r "/proc/$1/stat" ] || return 1
	[ "$(sed 's/.*) . \([0-9]*\) .*/\1/' "/proc/$1/stat" 2>/dev/null)" = "$$" ] ||
	    tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$T"
}

cleanup() {
	rc=$?
	for p in $PIDS; do ours "$p" && kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for _c_ns in ${NETNS_ALL:-}; do ip netns del "$_c_ns" 2>/dev/null; done
	# 77 is a skip, not a failure: nothing more is printed, so the reason
	# the scenario echoed stays the log's last line (run.sh shows it).
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		echo "--- scenario failed (rc $rc); daemon logs:"
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "=== $f"; tail -n 40 "$f"
		done
	fi
	for _c_p in $(cat "$T/free-ports" 2>/dev/null); do
		[ "$(cat "$FREE_PORTS/$_c_p" 2>/dev/null)" != "$$" ] ||
		    rm -f "$FREE_PORTS/$_c_p"
	done
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# b NAME ARGS... — run balint as member NAME.
b() { _b_n=$1; shift; "$BALINT" --home "$T/$_b_n" "$@"; }

# member NAME [protected] — create the profile of NAME: unprotected
# (init --no-passphrase), since unlocking a key under Argon2id "moderate"
# costs about a second and 256 MiB at every init and start; "protected"
# seals it under the passphrase in $BALINT_PASSPHRASE_FILE (daemon-basics).
member() {
	if [ "${2:-}" = protected ]; then
		b "$1" init --name "$1" >"$T/$1.init" 2>&1
	else
		b "$1" init --name "$1" --no-passphrase >"$T/$1.init" 2>&1
	fi || { cat "$T/$1.init"; fail "init $1"; }
}

# free_port — a free TCP port for a member to listen on.  Never one the
# kernel hands out itself (bind to port 0 - every test daemon's page
# listener falls back to that - and connect()): a member's port is kept
# across stop and start so that peers can dial it again, and a port from
# the kernel's pool could be taken by anyone while the member is stopped.
# So the port comes from a window below ip_local_port_range, one half per
# build tree, at random in it, not handed out before in this scenario (nor
# in "$T"/*.port), free on every address (bind 0.0.0.0 without
# SO_REUSEADDR: `start NAME 0.0.0.0` must work), and reserved for the
# scenario's life in $FREE_PORTS (a file per port holding the scenario's
# pid, made with O_EXCL; cleanup removes them): two scenarios running at
# the same time, of one tree or from two checkouts, never share a port.
free_port() {
	python3 - "$BUILD" "$T" "$$" "$FREE_PORTS" <<'PY'
import glob, os, random, socket, sys, time
build, t, owner, resdir = sys.argv[1:5]
os.makedirs(resdir, exist_ok=True)

def reserve(port):
    path = os.path.join(resdir, str(port))
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            # A scenario killed with SIGKILL leaves its reservations: one
            # whose owner is gone and that is old is taken back.
            try:
                with open(path) as f:
                    pid = int(f.read() or 0)
                old = time.time() - os.stat(path).st_mtime > 3600
            except (OSError, ValueError):
                return False
            if not old or (pid > 0 and os.path.exists("/proc/%d" % pid)):
                return False
            try:
                os.unlink(path)
            except OSError:
                return False
            continue
        os.write(fd, owner.encode())
        os.close(fd)
        return True
    return False

try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
except (OSError, ValueError):
    lo, hi = 32768, 60999
base, size = 12000, 4000          # 12000-15999 normal, 16000-19999 ASan
if lo <= base + 2 * size and hi >= base and 65535 - hi >= 2000:
    base, size = hi + 1, (65535 - hi) // 2   # an odd kernel: above its pool
if build.rstrip("/").endswith("/san"):
    base += size
given = os.path.join(t, "free-ports")
taken = set()
for name in glob.glob(os.path.join(t, "*.port")) + [given]:
    try:
        with open(name) as f:
            taken.update(int(w) for w in f.read().split())
    except (OSError, ValueError):
        pass
rng = random.SystemRandom()
for _ in range(2000):
    port = base + rng.randrange(size)
    if port in taken:
        continue
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", port))
    except OSError:
        continue
    finally:
        s.close()
    if not reserve(port):
        continue
    with open(given, "a") as f:
        f.write("%d\n" % port)
    print(port)
    sys.exit(0)
sys.exit("free_port: no free port in %d-%d" % (base, base + size - 1))
PY
}

# start NAME [HOST] — start NAME's daemon on its own port, listening on
# HOST (default 127.0.0.1; 0.0.0.0 listens on every address and announces
# none); waits for the socket (polling status without the leak check at
# exit, as until_ok does).
start() {
	_s_n=$1
	_s_port=$T/$_s_n.port
	[ -f "$_s_port" ] || free_port >"$_s_port"
	"$BALINTD" --home "$T/$_s_n" --listen "${2:-127.0.0.1}:$(cat "$_s_port")" \
		>>"$T/$_s_n.log" 2>&1 &
	eval "PID_$_s_n=$!"
	PIDS="$PIDS $!"
	_s_i=0
	while ! ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    b "$_s_n" status >/dev/null 2>&1; do
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
	PIDS=$(echo " $PIDS " | sed "s/ $_p_pid / /")
	[ "${2:-TERM}" != TERM ] || [ "$_p_st" -eq 0 ] || fail "$1 exited $_p_st on SIGTERM"
	return 0
}

addr() { echo "127.0.0.1:$(cat "$T/$1.port")"; }

# until_ok SECONDS CMD... — retry CMD until it succeeds or time runs out.
# In the sanitizer tree the tries run without LeakSanitizer's check at
# exit: it is half the CPU of a balint run there (60 of 120 ms), a poll
# runs the same query (status, note list, note show, peer list) again and
# again, and every one of those queries also runs outside any poll, with
# the check, in many scenarios.  AddressSanitizer and UBSan still check
# every try, and the daemons' leak checks are untouched.
until_ok() {
	_u_limit=$(( $1 * 10 )); shift
	_u_i=0
	until ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    "$@" >/dev/null 2>&1; do
		_u_i=$((_u_i + 1))
		[ $_u_i -lt "$_u_limit" ] || return 1
		sleep 0.1
	done
}

# ---- Optional: members on a network of their own (root only) ----
# netns_init makes a hub namespace with two bridges (br0, the network, and
# br1, the far side of a partition); netns_member NAME gives NAME its own
# namespace with a veth pair to br0 and the address $NETNS_NET.K/24;
# netns_start NAME runs NAME's daemon inside it, listening on that address
# (the CLI still reaches it over the pathname socket in the profile).
# Nothing touches the host's own network; every namespace is deleted by
# cleanup (names carry the scenario's PID: balint-tPID-...).
NETNS_ALL=
NETNS_NET=${NETNS_NET:-10.77.0}
NETNS_PORT=${NETNS_PORT:-7000}

# netns_init — 0 if namespaces work (the hub is made), else 1 with the
# reason in NETNS_WHY.
netns_init() {
	NETNS_WHY=
	_n_p=balint-t$$
	if [ "$(id -u)" != 0 ]; then
		NETNS_WHY="not root"; return 1
	fi
	if ! command -v ip >/dev/null 2>&1; then
		NETNS_WHY="no ip (iproute2)"; return 1
	fi
	netns_sweep
	if ! _n_e=$(ip netns add "$_n_p-hub" 2>&1); then
		NETNS_WHY="ip netns add: $_n_e"; return 1
	fi
	NETNS_ALL=$_n_p-hub
	NETNS_HUB=$_n_p-hub
	NETNS_K=0
	if ! _n_e=$( { ip -n "$NETNS_HUB" link set lo up &&
	    ip -n "$NETNS_HUB" link add br0 type bridge &&
	    ip -n "$NETNS_HUB" link set br0 up &&
	    ip -n "$NETNS_HUB" link add br1 type bridge &&
	    ip -n "$NETNS_HUB" link set br1 up &&
	    ip -n "$NETNS_HUB" link add v0 type veth peer name v0p &&
	    ip -n "$NETNS_HUB" link del v0 &&
	    ip netns exec "$NETNS_HUB" true; } 2>&1); then
		NETNS_WHY="bridge, veth or ip netns exec: $_n_e"; return 1
	fi
}

# netns_sweep — deletes namespaces of scenarios whose process is gone
# (a run killed with SIGKILL cannot clean up after itself).
netns_sweep() {
	for _w_ns in $(ip netns list 2>/dev/null |
	    sed -n 's/^\(balint-t[0-9][0-9]*-[^ ]*\).*/\1/p'); do
		_w_pid=${_w_ns#balint-t}; _w_pid=${_w_pid%%-*}
		kill -0 "$_w_pid" 2>/dev/null || ip netns del "$_w_ns" 2>/dev/null
	done
	return 0
}

# netns_member NAME — NAME's namespace, link (port vK on br0) and address.
netns_member() {
	NETNS_K=$((NETNS_K + 1))
	_m_ns=$NETNS_HUB-$1
	ip netns add "$_m_ns" || fail "ip netns add $_m_ns"
	NETNS_ALL="$NETNS_ALL $_m_ns"
	ip -n "$NETNS_HUB" link add "v$NETNS_K" type veth peer name eth0 \
	    netns "$_m_ns" &&
	ip -n "$NETNS_HUB" link set "v$NETNS_K" master br0 up &&
	ip -n "$_m_ns" link set lo up &&
	ip -n "$_m_ns" addr add "$NETNS_NET.$NETNS_K/24" dev eth0 &&
	ip -n "$_m_ns" link set eth0 up || fail "network of $1"
	echo "$_m_ns" >"$T/$1.ns"
	echo "v$NETNS_K" >"$T/$1.if"
	echo "$NETNS_NET.$NETNS_K:$NETNS_PORT" >"$T/$1.addr"
}

netns_addr() { cat "$T/$1.addr"; }

# netns_reboot NAME — NAME's machine restarts while cut off: its namespace
# goes, with every socket in it (no FIN nor RST reaches anyone), and a new
# one with the same address takes its place, still off the network
# (netns_mend joins it).  Stop NAME's daemon first.
netns_reboot() {
	_r_ns=$(cat "$T/$1.ns")
	ip netns del "$_r_ns" || fail "ip netns del $_r_ns"
	_r_i=0
	while ip netns list | grep -q "^$_r_ns\( \|\$\)" ||
	    ! ip netns add "$_r_ns" 2>/dev/null; do
		_r_i=$((_r_i + 1))
		[ $_r_i -lt 100 ] || fail "cannot make $_r_ns again"
		sleep 0.1
	done
	NETNS_K=$((NETNS_K + 1))	# a new port: the old one may linger
	ip -n "$NETNS_HUB" link add "v$NETNS_K" type veth peer name eth0 \
	    netns "$_r_ns" &&
	ip -n "$NETNS_HUB" link set "v$NETNS_K" up &&
	ip -n "$_r_ns" link set lo up &&
	ip -n "$_r_ns" addr add "$(netns_addr "$1" | sed 's/:.*//')/24" \
	    dev eth0 &&
	ip -n "$_r_ns" link set eth0 up || fail "network of $1 after reboot"
	echo "v$NETNS_K" >"$T/$1.if"
}

# netns_start NAME [LISTEN] — start NAME's daemon in its namespace,
# listening on its address (or LISTEN); waits for the socket (the CLI runs
# outside the namespace).
netns_start() {
	ip netns exec "$(cat "$T/$1.ns")" "$BALINTD" --home "$T/$1" \
	    --listen "${2:-$(netns_addr "$1")}" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	_t_i=0
	while ! ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    b "$1" status >/dev/null 2>&1; do
		_t_i=$((_t_i + 1))
		[ $_t_i -lt 100 ] || fail "daemon $1 did not come up"
		sleep 0.1
	done
}

# netns_cut NAME [drop|down] — cut NAME off: drop (default) takes its port
# off the bridge, so packets vanish with no sign on either end (a laptop
# asleep or gone out of range); down takes the link down (its end sees
# NO-CARRIER, as when a cable is pulled).
netns_cut() {
	if [ "${2:-drop}" = down ]; then
		ip -n "$NETNS_HUB" link set "$(cat "$T/$1.if")" down
	else
		ip -n "$NETNS_HUB" link set "$(cat "$T/$1.if")" nomaster
	fi
}

# netns_side NAME 0|1 — put NAME's port on br0 (the network) or br1.
netns_side() {
	ip -n "$NETNS_HUB" link set "$(cat "$T/$1.if")" master "br$2"
}

# netns_mend NAME — NAME back on the network (br0, link up).
netns_mend() {
	ip -n "$NETNS_HUB" link set "$(cat "$T/$1.if")" master br0 up
}
