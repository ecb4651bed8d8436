#!/bin/sh
# Members reach each other through onion services only, on a private Tor
# network on 127.0.0.1 (tests/lib/tornet.sh): three daemons with
# --listen none (no TCP port at all), each with its own tor, a client of
# that network.  A group found through invite codes that carry only an
# onion address, one of them while the inviter's tor stalls its first
# attempt; notes sync both ways; a revoked member's onion dials are
# refused; a restart of a member's tor and of a daemon keep the onion
# address and the sync; a group whose contract says "Network: tor-only"
# announces no IP address (checked in every store), while its members
# also listen on TCP.  As root, beside these: two clinics behind NAT and a
# public member on a simulated internet (tests/lib/internet.sh), every
# pair syncing through its own session (see "Two clinics" below).
# Normal tree only: it runs up to thirteen tor processes.
case ${BUILD:-build} in
*/san) echo "normal tree only (up to thirteen tor processes)"; exit 77 ;;
esac
command -v tor >/dev/null 2>&1 && command -v tor-gencert >/dev/null 2>&1 \
	|| { echo "tor is not installed (make deps installs it)"; exit 77; }
. "$(dirname "$0")/../lib/daemons.sh"
. "$(dirname "$0")/../lib/tornet.sh"
. "$(dirname "$0")/../lib/internet.sh"
# Daemons restarted in the NAT phase's subshell: their pids in nat.pids.
trap 'rc=$?; PIDS="$PIDS $(cat "$T/nat.pids" 2>/dev/null)"; tornet_stop; (exit $rc); cleanup' EXIT INT TERM

# As root, the Tor network and the first phases' daemons run on "torhost",
# a machine on the public segment of a simulated internet
# (tests/lib/internet.sh), so that the last phase's members behind two
# NATs reach the same network; else all on this machine's 127.0.0.1.
INNS=
if inet_start; then
	inet_member public torhost
	INNS="ip netns exec $(inet_ns torhost)"
	tornet_start "$T/tornet" 27100 "$(inet_addr torhost)" \
	    "$(inet_ns torhost)" || fail "cannot build the private Tor network"
else
	tornet_start "$T/tornet" 27100 ||
		fail "cannot build the private Tor network"
fi
echo "$(date -u +%T) start"

# start_tor NAME [LISTEN [NS]] — NAME's daemon with its own tor, a client
# of the private network, on torhost (or in namespace NS); no TCP listener
# unless LISTEN is given; ENV_NAME, if set, is VAR=VALUE words for it.
start_tor() {
	_st_x=$INNS
	[ -z "${3:-}" ] || _st_x="ip netns exec $3"
	eval "_st_env=\${ENV_$1:-}"
	$_st_x env $_st_env "$BALINTD" --home "$T/$1" \
	    --listen "${2:-none}" --tor on \
	    --torrc-extra "$TORNET_CLIENT" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	until_ok 10 b "$1" status || fail "daemon $1 did not come up"
}
# field NAME KEY — KEY of NAME's daemon record in `balint --json status`.
field() {
	b "$1" --json status | python3 -c 'import json,sys
r=[x for x in json.load(sys.stdin) if x["kind"]=="daemon"][0]
v=r.get(sys.argv[1], "")
print(str(v).lower() if isinstance(v, bool) else v)' "$2"
}
published() { [ "$(field "$1" tor)" = ready ] &&
	[ "$(field "$1" onion_published)" = true ]; }
# code_addrs CODE — the addresses an invite code carries, one a line.
code_addrs() {
	python3 - "$1" <<'PY'
import base64, sys
t = sys.argv[1].split(":", 1)[1]
b = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))[:-4]
# [1, group bin32, inviter bin32, [addr...], ...]
i = 2 + 34 + 34
n = b[i] & 0x0f; i += 1
for _ in range(n):
    if b[i] == 0xd9: l = b[i + 1]; i += 2
    else: l = b[i] & 0x1f; i += 1
    print(b[i:i + l].decode()); i += l
PY
}

# lists NAME TEXT [GROUP] — NAME's note list (of GROUP) shows TEXT.
lists() { b "$1" note list ${3:+-g "$3"} 2>/dev/null | grep -q -- "$2"; }
# tcp_reaches NAME HOST PORT — a TCP connection from NAME's machine.
tcp_reaches() {
	inet_exec "$1" python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)' "$2" "$3"
}
# vias NAME — "OTHER VIA" for each member NAME has a session up with (VIA:
# onion or direct).
vias() {
	b "$1" --json status | python3 -c 'import json, sys
for r in json.load(sys.stdin):
    if r["kind"] == "peer" and r.get("state") == "up" and r.get("name"):
        print(r["name"], r.get("via") or "direct")' | sort -u
}
# both_up NAME "A B" — NAME has sessions up with A and B, no one else.
both_up() { [ "$(vias "$1" | cut -d' ' -f1 | sort -u | tr '\n' ' ')" = "$2 " ]; }

step() { echo "$(date -u +%T) $*"; }
# ---- Two clinics behind NAT and a public member ------------------------
# lena in clinic 1 and otto in clinic 2, each behind a router doing NAT
# that lets no new connection in, pia on the public segment; each runs
# balintd as a member would (every address, port 7451) with its own tor,
# which reaches the private network on torhost through the NAT.  lena
# invites: her code (her onion, then her LAN address, which leads nowhere
# outside clinic 1) works from clinic 2 and from the public segment;
# every pair of members has a session of its own, lena and otto's
# through tor, and notes written by each reach the others.
# It runs beside the phases above (tor is mostly waiting), in a subshell
# whose failure the end of the scenario reports.
nat_phase() {
	NMARK=nat-mark-$$
	# The NATs hold: nobody outside clinic 1 opens a connection to lena.
	lena_lan=$(inet_addr lena)
	tcp_reaches lena "$(inet_addr pia)" 7451 || fail "lena cannot reach pia's public address"
	for m in otto pia; do
		tcp_reaches $m "$lena_lan" 7451 2>/dev/null &&
			fail "$m reaches lena's LAN address through the NAT"
		tcp_reaches $m "$(inet_addr router1)" 7451 2>/dev/null &&
			fail "$m reaches a port on clinic 1's router"
	done
	for m in lena otto pia; do
		until_ok 120 published $m || fail "$m's onion service behind the NAT: $(field $m tor_text)"
	done
	step "lena, otto, pia published their onions"
	# lena's status says which of her addresses work in her clinic only.
	b lena status | grep -qxF "  local only   $lena_lan:7451 works on this LAN only (a private address)" ||
		fail "lena's status does not say her LAN address works there only: $(b lena status)"
	b lena status | grep -q "cannot reach this one" &&
		fail "lena's status says nobody reaches her, though her onion does"
	b pia status | grep -q "local only" && fail "pia's status calls an address local: $(b pia status)"
	onion_l=$(field lena onion)
	printf 'Name: Two Clinics\n\nWe meet on Thursdays.\n' >"$T/clinics.txt"
	b lena group create --contract "$T/clinics.txt" >/dev/null || fail "lena group create"
	for m in otto pia; do
		code=$(b lena invite --name $m 2>/dev/null) || fail "lena's invite for $m"
		[ "$(code_addrs "$code" | head -n 1)" = "$onion_l" ] ||
			fail "lena's code does not begin with her onion: $(code_addrs "$code")"
		code_addrs "$code" | grep -qxF "$lena_lan:7451" ||
			fail "lena's code lacks her LAN address: $(code_addrs "$code")"
		b $m join "$code" --accept >"$T/nat-join.out" 2>&1 ||
			fail "$m cannot join lena's group from behind the NAT: $(cat "$T/nat-join.out")"
	done
	step "otto and pia joined lena's group"
	for m in lena otto pia; do
		b $m note write -g "Two Clinics" --title "N $m $NMARK" -m "from $m" >/dev/null ||
			fail "$m write"
	done
	for m in lena otto pia; do
		for w in lena otto pia; do
			until_ok 120 lists $m "N $w $NMARK" "Two Clinics" ||
				fail "$m did not get $w's note"
		done
	done
	step "every note everywhere"
	# Every pair has a session of its own: no note needs a third member.
	until_ok 120 both_up lena "otto pia" || fail "lena's sessions: $(vias lena)"
	until_ok 120 both_up otto "lena pia" || fail "otto's sessions: $(vias otto)"
	vias lena | sed 's/^/lena - /'
	vias otto | sed 's/^/otto - /'
	vias lena | grep -qx "otto onion" || fail "lena and otto's session is not through tor"
	step "two clinics behind NAT and a public member sync, every pair through its own session"
	punch_phase
}

# sub_stop NAME — in the NAT phase's subshell, which cannot wait for the
# daemons the main shell started: SIGTERM, then until it is gone (or a
# zombie that the main shell reaps).
sub_stop() {
	eval "_ss_p=\$PID_$1"
	kill "$_ss_p" 2>/dev/null
	_ss_gone() { case $(awk '{print $3}' /proc/"$_ss_p"/stat 2>/dev/null) in ""|Z) ;; *) return 1;; esac; }
	until_ok 30 _ss_gone || fail "$1's daemon did not stop"
}
# ---- Hole punching over the onion session ------------------------------
# pia (punching on) tells lena and otto, over their direct sessions, where
# she sees them come from (PUNCH SEEN): router 1's and router 2's public
# addresses; each keeps it.  With hole-punching = off in their settings
# (BALINT_PUNCH=on in their environment: the setting wins) lena and otto
# stay on their onion session.  Then pia goes offline, both restart with
# hole-punching = on, and with nothing but the onion session between them
# they punch a direct session through both NATs (CALL, CALLED): status
# says so, and a note travels over it.
punch_phase() {
	r1=$(inet_addr router1); r2=$(inet_addr router2)
	until_ok 30 grep -q "punch: .* sees this member come from $r1:[0-9]* (.*keeps the port)" "$T/lena.log" ||
		fail "lena did not keep where pia sees her: $(grep punch: "$T/lena.log")"
	until_ok 30 grep -q "punch: .* sees this member come from $r2:[0-9]* (.*keeps the port)" "$T/otto.log" ||
		fail "otto did not keep where pia sees him: $(grep punch: "$T/otto.log")"
	# Off: past the 2 s an onion session waits before a CALL (and a
	# second's tick), still onion.
	_w=$(python3 - "$T/lena.log" <<'PY'
import datetime, sys
up = [l[:23] for l in open(sys.argv[1]) if "peer up: otto" in l and "through tor" in l][-1]
age = (datetime.datetime.utcnow() - datetime.datetime.strptime(up, "%Y-%m-%dT%H:%M:%S.%f")).total_seconds()
print(max(0, int(5 - age + 1)))
PY
) || fail "no session lena-otto through tor in lena's log"
	sleep "$_w"	# 0 unless the onion session is younger than 5 s
	vias lena | grep -qx "otto onion" || fail "with hole-punching = off, lena-otto: $(vias lena)"
	grep -q "punch: calling\|calls through tor" "$T/lena.log" "$T/otto.log" &&
		fail "hole-punching = off, yet lena or otto called"
	step "hole-punching = off: lena and otto know their public addresses and stay on the onion"
	sub_stop pia
	# The routers drop a SYN that no mapping lets in (a home router's
	# "stealth" default), rather than answer it with an RST.
	for r in 1 2; do inet_stealth $r || fail "router $r: input filter"; done
	sub_stop lena; sub_stop otto
	for m in lena otto; do
		echo "hole-punching = on" >"$T/cfg-$m/balint/config"
		eval "ENV_$m=XDG_CONFIG_HOME=$T/cfg-$m"
	done
	t0=$(date +%s)
	for m in lena otto; do
		start_tor $m "0.0.0.0:7451" "$(inet_ns $m)"
		eval "echo \$PID_$m" >>"$T/nat.pids"	# the parent's cleanup
	done
	punched() { b lena status | grep -w otto | grep -F "$r2:" | grep -qF "direct (hole punched)"; }
	until_ok 90 punched || fail "no punched session lena-otto: $(b lena status; grep -h "punch:" "$T/lena.log" "$T/otto.log" | tail -20)"
	step "lena and otto, pia offline: a direct session punched over their onion session ($(($(date +%s) - t0)) s after the restart)"
	b otto --json status | python3 -c 'import json, sys
sys.exit(0 if any(r.get("kind") == "peer" and r.get("name") == "lena" and
    r.get("punched") is True and r.get("state") == "up" for r in json.load(sys.stdin)) else 1)' ||
		fail "otto's status --json does not say lena's session was punched"
	until_ok 30 both_up lena otto || fail "lena's sessions: $(vias lena)"
	vias lena | grep -qx "otto direct" || fail "lena-otto not direct only: $(vias lena)"
	b lena note write -g "Two Clinics" --title "P $NMARK" -m "punched" >/dev/null || fail "lena write"
	until_ok 60 lists otto "P $NMARK" "Two Clinics" || fail "otto did not get lena's note over the punched session"
	vias otto | grep -qx "lena direct" || fail "otto's sessions: $(vias otto)"
	step "lena's note reached otto over the punched session"
	# PUNCH_RUNS=N: otto restarts N more times (pia still offline); how
	# often the punched session comes back, and how long after his start.
	_runs=${PUNCH_RUNS:-0} _ok=0 _i=0 _times=
	while [ "$_i" -lt "$_runs" ]; do
		_i=$((_i + 1))
		sub_stop otto
		until_ok 10 sh -c "! \"$BALINT\" --home \"$T/lena\" status | grep -w otto | grep -q ' up'" || true
		_t0=$(date +%s)
		start_tor otto "0.0.0.0:7451" "$(inet_ns otto)"
		echo "$PID_otto" >>"$T/nat.pids"
		if until_ok 60 punched; then
			_ok=$((_ok + 1)); _times="$_times $(($(date +%s) - _t0))"
		else
			echo "run $_i: no punched session: $(vias lena | tr '\n' ' '); $(grep -h "punch:" "$T/lena.log" "$T/otto.log" | tail -4)"
		fi
	done
	[ "$_runs" -eq 0 ] || echo "punching over tor: $_ok of $_runs restarts of otto gave a punched session (s after his start:$_times)"
}

step "private Tor network up"
member alice; member bob; member carol
if [ -n "$INET_UP" ]; then
	# The last phase's members behind NAT: started now, so that their
	# tors bootstrap while the first phases run.
	member lena; member otto; member pia
	inet_member lan1 lena; inet_member lan2 otto; inet_member public pia
	# Settings of their own: punching off for lena and otto (until the
	# punch phase), on for pia.
	for m in lena otto; do
		mkdir -p "$T/cfg-$m/balint"
		echo "hole-punching = off" >"$T/cfg-$m/balint/config"
		eval "ENV_$m=\"XDG_CONFIG_HOME=$T/cfg-$m BALINT_PUNCH=on\""
	done
	ENV_pia=BALINT_PUNCH=on
	for m in lena otto pia; do
		start_tor $m "0.0.0.0:7451" "$(inet_ns $m)"
	done
fi
for m in alice bob carol; do start_tor $m; done
for m in alice bob carol; do
	grep -q "no TCP listener" "$T/$m.log" || fail "$m listens on TCP"
done
until_ok 240 published alice || fail "alice's onion service was not published: $(field alice tor_text)"
onion_a=$(field alice onion)
case $onion_a in *.onion:7451) ;; *) fail "alice's onion address: '$onion_a'" ;; esac
b alice status | grep -q "reachable through tor at $onion_a (published)" ||
	fail "status does not say how alice is reached: $(b alice status)"

step "alice published"
if [ -n "$INET_UP" ]; then
	(trap - EXIT INT TERM; nat_phase) >"$T/nat.out" 2>&1 &
	NAT_PID=$!
fi
cat >"$T/contract.txt" <<'TXT'
Name: Onion Balint
History: full

What is discussed in the group stays in the group.
TXT
gid=$(b alice group create --contract "$T/contract.txt") || fail "group create"
# carol joins while alice's tor is stopped (SIGSTOP): her tor is
# introduced, then waits for a rendezvous that alice's never joins, as
# after a restart of the service's tor or a failed rendezvous circuit.
# A join gives each attempt half its time: once carol's first attempt
# gave up, alice's tor goes on and the second attempt joins.
tor_a=$(sed -n 's/.*tor: started .* (pid \([0-9]*\)).*/\1/p' "$T/alice.log" | tail -n 1)
[ -n "$tor_a" ] || fail "no pid of alice's tor in the log"
for m in bob carol; do
	code=$(b alice invite --name $m) || fail "invite for $m"
	[ "$(code_addrs "$code")" = "$onion_a" ] ||
		fail "the code for $m carries $(code_addrs "$code"), not only $onion_a"
	if [ $m = carol ]; then
		kill -STOP "$tor_a"
		b carol join "$code" --accept --timeout 16s >"$T/join.out" 2>&1 &
		jpid=$!
		late() { grep -q "join: $onion_a: tor did not reach the onion service in time" "$T/carol.log"; }
		until_ok 30 late
		kill -CONT "$tor_a"
		late || fail "carol's first attempt did not give up in time: $(grep "join: " "$T/carol.log")"
		wait "$jpid" || fail "carol cannot join through tor after a stalled attempt: $(cat "$T/join.out")"
		continue
	fi
	b $m join "$code" --accept >"$T/join.out" 2>&1 ||
		fail "$m cannot join through tor: $(cat "$T/join.out")"
done
for m in alice bob carol; do
	n=$(b $m members --json | grep -o '"status": *"active"' | wc -l)
	[ "$n" -eq 3 ] || fail "$m sees $n active members, not 3"
done
# The inviter's log records each attempt, and how it came.
[ "$(grep -c "join attempt from onion:0 (through tor)" "$T/alice.log")" -ge 2 ] ||
	fail "alice's log does not record the join attempts through tor"

step "bob and carol joined"
# Notes both ways, and between the two who joined (bob <-> carol).
MARK=onion-mark-$$
b alice note write --title "A $MARK" -m "from alice" >/dev/null || fail "alice write"
b bob note write --title "B $MARK" -m "from bob" >/dev/null || fail "bob write"
b carol note write --title "C $MARK" -m "from carol" >/dev/null || fail "carol write"
for m in alice bob carol; do
	for w in A B C; do
		until_ok 120 lists $m "$w $MARK" || fail "$m did not get note $w"
	done
done
b bob status | grep -q "through tor" || fail "bob's sessions do not say through tor"
for m in alice bob carol; do
	grep -q "peer up: .*through tor" "$T/$m.log" || fail "$m had no session through tor"
done

step "notes synced"
# A restart of bob's tor (killed): balintd starts it again, the address
# stays, and notes flow.
onion_b=$(field bob onion)
torpid=$(sed -n 's/.*tor: started .* (pid \([0-9]*\)).*/\1/p' "$T/bob.log" | tail -n 1)
[ -n "$torpid" ] || fail "no pid of bob's tor in the log"
kill -KILL "$torpid"
until_ok 30 grep -q "tor was killed by signal 9; restarting" "$T/bob.log" ||
	fail "bob's daemon did not notice its tor died"
until_ok 120 published bob || fail "bob's onion service is not back: $(field bob tor_text)"
[ "$(field bob onion)" = "$onion_b" ] || fail "bob's onion address changed with tor's restart"
b alice note write --title "D $MARK" -m "after bob's tor restart" >/dev/null
until_ok 120 lists bob "D $MARK" || fail "bob did not get a note after his tor restarted"

step "bob's tor restarted"
# A restart of bob's daemon: same address, notes flow both ways.
stop bob
restart_line=$(($(wc -l <"$T/bob.log") + 1))
start_tor bob
until_ok 120 published bob || fail "bob's onion service after a restart: $(field bob tor_text)"
[ "$(field bob onion)" = "$onion_b" ] || fail "bob's onion address changed with a restart"
b bob note write --title "E $MARK" -m "after bob's restart" >/dev/null
until_ok 120 lists alice "E $MARK" || fail "alice did not get bob's note after his restart"
b alice note write --title "F $MARK" -m "to bob after restart" >/dev/null
until_ok 120 lists bob "F $MARK" || fail "bob did not get a note after his restart"

# Figures (printed, never checked): from the lines of the logs.
python3 - "$T/alice.log" "$T/bob.log" "$restart_line" <<'PY' || true
import datetime, sys
def t(line):
    return datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f")
def first(lines, what):
    return next(t(l) for l in lines if what in l)
a = open(sys.argv[1]).read().splitlines()
b = open(sys.argv[2]).read().splitlines()[int(sys.argv[3]) - 1:]
print("figure: alice's tor started -> onion service published: %.1f s"
      % (first(a, "published") - first(a, "tor: started")).total_seconds())
s = first(b, "tor: started")
print("figure: bob's daemon restarted -> tor at 100%%: %.1f s, first session "
      "through tor: %.1f s" % ((first(b, "bootstrapped 100%") - s).total_seconds(),
      (first(b, "through tor") - s).total_seconds()))
PY
step "bob's daemon restarted"
# Revocation: carol is offline when alice revokes her; when carol comes
# back, her daemon dials alice's onion with the old network keys and is
# refused after the handshake.
stop carol
cid=$(b alice members --json | python3 -c 'import json,sys
print([m["member_id"] for m in json.load(sys.stdin) if m["name"]=="carol"][0])')
b alice revoke --yes carol >/dev/null || fail "alice cannot revoke carol"
: >"$T/alice.log.mark"
lines=$(wc -l <"$T/alice.log")
start_tor carol
refused() { tail -n +"$lines" "$T/alice.log" | grep -q "peer onion:0: handshake refused (not permitted)"; }
until_ok 180 refused || fail "alice did not refuse carol's onion dial"
b alice note write --title "G $MARK" -m "after carol's revocation" >/dev/null
until_ok 120 lists bob "G $MARK" || fail "bob did not get a note after the revocation"
sleep 2
lists carol "G $MARK" && fail "revoked carol got a note written after her revocation"
stop carol

step "carol revoked and refused"
# --tor-control: dave's daemon uses a tor that runs already (its control
# socket, cookie authentication), and joins through it.
mkdir -p "$T/dtor" && chmod 700 "$T/dtor"
cat >"$T/dtor/torrc" <<EOT
DataDirectory $T/dtor/data
ControlPort unix:$T/dtor/control.sock
CookieAuthentication 1
SocksPort unix:$T/dtor/socks.sock
Log notice file $T/dtor/tor.log
__OwningControllerProcess $$
%include $TORNET_CLIENT
EOT
$INNS tor -f "$T/dtor/torrc" --quiet >/dev/null 2>&1 &
TORNET_PIDS="$TORNET_PIDS $!"
member dave
$INNS "$BALINTD" --home "$T/dave" --listen none --tor-control \
    "unix:$T/dtor/control.sock" >>"$T/dave.log" 2>&1 &
PID_dave=$!
PIDS="$PIDS $!"
until_ok 10 b dave status || fail "daemon dave did not come up"
until_ok 120 published dave || fail "dave's onion service through a running tor: $(field dave tor_text)"
grep -q "tor: started" "$T/dave.log" && fail "dave's daemon started a tor of its own"
code=$(b alice invite --name dave) || fail "invite for dave"
b dave join "$code" --accept >"$T/join.out" 2>&1 ||
	fail "dave cannot join through a running tor: $(cat "$T/join.out")"
until_ok 120 lists dave "G $MARK" || fail "dave did not get the notes"
stop dave

step "dave joined through a running tor"
# Network: tor-only.  Alice and bob also listen on TCP now; a tor-only
# group's code, announces and stored peers hold onion addresses only.
stop alice; stop bob
pa=$(free_port); pb=$(free_port)
start_tor alice "127.0.0.1:$pa"; start_tor bob "127.0.0.1:$pb"
until_ok 120 published alice || fail "alice's onion service with TCP: $(field alice tor_text)"
cat >"$T/tor-only.txt" <<'TXT'
Name: Hidden Balint
Network: tor-only

No member learns where the others are.
TXT
gid2=$(b alice group create --contract "$T/tor-only.txt") || fail "tor-only group create"
b alice contract show -g "Hidden Balint" | grep -q "^Network: *tor-only" ||
	fail "contract show does not say tor-only"
code=$(b alice invite -g "Hidden Balint") || fail "tor-only invite"
[ "$(code_addrs "$code")" = "$onion_a" ] ||
	fail "the tor-only code carries $(code_addrs "$code")"
code_any=$(b alice invite -g "Onion Balint") || fail "invite of the other group"
code_addrs "$code_any" | grep -q "127.0.0.1:$pa" ||
	fail "the code of a group of Network: any lacks alice's TCP address"
b bob join "$code" --accept >"$T/join.out" 2>&1 ||
	fail "bob cannot join the tor-only group: $(cat "$T/join.out")"
b bob note write -g "Hidden Balint" --title "H $MARK" -m "hidden" >/dev/null ||
	fail "bob cannot write in the tor-only group"
until_ok 120 lists alice "H $MARK" "Hidden Balint" || fail "alice did not get bob's note in the tor-only group"
# Every store: the tor-only group's announces and peers are onions only.
for m in alice bob; do
	cp "$T/$m/store.db" "$T/$m-copy.db"
	[ -f "$T/$m/store.db-wal" ] && cp "$T/$m/store.db-wal" "$T/$m-copy.db-wal"
	python3 - "$T/$m-copy.db" "$gid2" "$m" <<'PY' || fail "$m's store holds an IP address of the tor-only group"
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
gid = bytes.fromhex(sys.argv[2])
ann = [r[0] for r in db.execute("SELECT blob FROM entries WHERE gid=? AND kind=3", (gid,))]
peers = [r[0] for r in db.execute("SELECT addr FROM peers WHERE gid=?", (gid,))]
ip = re.compile(rb"(\d{1,3}\.){3}\d{1,3}:\d+|\[[0-9a-fA-F:]+\]:\d+")
if len(ann) < 2:
    sys.exit("%s: %d announces, want 2" % (sys.argv[3], len(ann)))
for a in ann:
    if b".onion:7451" not in a or ip.search(a):
        sys.exit("%s: announce %r" % (sys.argv[3], a))
for p in peers:
    if not p.endswith(".onion:7451"):
        sys.exit("%s: peer %s" % (sys.argv[3], p))
PY
done
# The group of Network: any does announce alice's TCP address.
python3 - "$T/alice-copy.db" "$gid" <<'PY' || fail "alice's TCP address is not announced in the group of Network: any"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ann = [r[0] for r in db.execute("SELECT blob FROM entries WHERE gid=? AND kind=3", (bytes.fromhex(sys.argv[2]),))]
sys.exit(0 if any(b"127.0.0.1:" in a for a in ann) else 1)
PY
b bob peer add -g "Hidden Balint" "127.0.0.1:$pa" 2>"$T/err" &&
	fail "peer add took an IP address in a tor-only group"
grep -q "tor-only" "$T/err" || fail "peer add said: $(cat "$T/err")"

step "tor-only group announces onions only"
[ -n "$INET_UP" ] || { echo "SKIP two clinics behind NAT: $INET_WHY"; exit 0; }
wait "$NAT_PID"
nat_rc=$?
cat "$T/nat.out"
[ "$nat_rc" -eq 0 ] || fail "two clinics behind NAT (above)"
exit 0
