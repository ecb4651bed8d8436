#!/bin/sh
# LAN discovery (issue 15; docs/protocol.md "LAN discovery"), as root on
# network namespaces: a public member pub and the clinic's alice, bob and
# carol on one LAN (bridge br0); dave and an ear on another (br1).
# 1. alice and bob joined through pub's codes (only pub's address is in
#    them; alice and bob listen on [::], the default, and announce none:
#    no global address).  With
#    lan-discovery = off they do not meet while pub is offline; with the
#    default they find each other within seconds, status says so, and a
#    note bob writes reaches alice.
# 2. carol, of another group on the same LAN, hears their beacons, does
#    not recognise them and dials no one, nor does anyone dial her.
#    Garbage and a flood at alice's beacon port: counted, never logged,
#    rate limited before decryption; the session stays.  A beacon of
#    alice's replayed by carol from her own address: bob dials carol's
#    address, the handshake fails there, no session; replayed from 6
#    more addresses while carol floods bob from her first one, every
#    replay is recognised (a bucket per source address) and bob keeps at
#    most 2 LAN targets for alice; from an
#    address off bob's subnets, it is dropped.  Over IPv6 alone
#    (alice with a ULA and no IPv4 address): bob finds her there; with
#    link-local addresses alone, at [fe80::...%eth0].
# 3. dave's tor-only group sends no beacon (an ear on his LAN, a socket
#    joined to the multicast group, hears nothing); a second, ordinary
#    group of his is heard within seconds; amended to tor-only, dave
#    leaves the multicast group at once and the ear hears no more; a
#    burst of 10 changes sends no more than 8 rounds in a minute.
. "$(dirname "$0")/../lib/daemons.sh"
case "$BUILD" in */san) echo "normal tree only"; exit 77;; esac
if ! netns_init; then
	echo "SKIP: $NETNS_WHY"
	exit 77
fi
# The daemon's default: on (daemons.sh turns it off for other scenarios).
unset BALINT_LAN
mkdir -p "$T/config/balint"

for m in pub alice bob carol; do member "$m"; netns_member "$m"; done
netns_start pub
netns_start alice "[::]:7000"
netns_start bob "[::]:7000"
printf 'Name: Clinic\n\nWe meet on Mondays.\n' >"$T/contract"
b pub group create --contract "$T/contract" >/dev/null || fail "group create"
for m in alice bob; do
	code=$(b pub invite 2>/dev/null) || fail "invite $m"
	b "$m" join "$code" --accept >/dev/null || fail "$m join"
done
stop pub
stop alice; stop bob

# json FIELD NAME — one number of NAME's daemon record.
json() {
	b "$2" --json status | grep '"kind": "daemon"' |
		sed -n "s/.*\"$1\": \\([0-9]*\\).*/\\1/p"
}
met() { b "$1" peer list | grep -w "$2" | grep -qw up; }

# ---- 1. off in the settings: they do not meet --------------------------------
printf 'lan-discovery = off\n' >"$T/config/balint/config"
netns_start alice "[::]:7000"
netns_start bob "[::]:7000"
b alice status | grep -q '^  LAN  *off (lan-discovery = off)' ||
	fail "status does not say LAN discovery is off: $(b alice status)"
sleep 4
met alice bob && fail "alice met bob with LAN discovery off"
stop alice; stop bob
echo "lan-discovery = off: no beacon, alice and bob do not meet"

# ---- 1. on (the default): they find each other -------------------------------
rm -f "$T/config/balint/config"
netns_start alice "[::]:7000"
netns_start bob "[::]:7000"
netns_start carol 0.0.0.0:7000
t0=$(date +%s)
until_ok 20 met alice bob || fail "alice and bob did not find each other: $(b alice status)"
echo "alice and bob in session $(( $(date +%s) - t0 )) s after both started, no address typed"
b alice status | grep -w bob | grep -q 'found on the LAN' ||
	fail "status does not say bob was found on the LAN: $(b alice status)"
b alice status | grep -q '^  LAN  *on: beacons for 1 group on 2 interface addresses' ||
	fail "status does not say LAN discovery runs: $(b alice status)"
# The same line in the member's language (balintd's text translated by
# the CLI, its numbers kept: i18n.sh, docs/architecture.md).
LANGUAGE=sv b alice status | grep -q '^  lokalt nät  *på: signaler för 1 grupp på 2 gränssnittsadresser (' ||
	fail "LAN line in Swedish: $(LANGUAGE=sv b alice status | grep -i 'lokalt')"
LANGUAGE=he b alice status | grep -w bob | grep -q 'נמצא ברשת המקומית' ||
	fail "found on the LAN in Hebrew: $(LANGUAGE=he b alice status)"
b bob note write --title "Found on the LAN" -m "quiet-monday-$$" >/dev/null ||
	fail "note write"
until_ok 20 sh -c "'$BALINT' --home '$T/alice' note list | grep -q 'Found on the LAN'" ||
	fail "bob's note did not reach alice"
echo "bob's note reached alice with pub offline"

# ---- 2. another group's member recognises nothing ----------------------------
printf 'Name: Other\n\nWe meet on Tuesdays.\n' >"$T/contract2"
b carol group create --contract "$T/contract2" >/dev/null || fail "carol's group"
heard_some() { [ "$(json lan_garbage "$1")" -gt 0 ]; }
until_ok 20 heard_some carol
heard=$(json lan_garbage carol)
[ "${heard:-0}" -gt 0 ] || fail "carol heard no beacon: $(b carol --json status)"
[ "$(json lan_recognised carol)" = 0 ] || fail "carol recognised a beacon"
b carol --json status | grep -q '"kind": "peer"' &&
	fail "carol dialed or was dialed: $(b carol peer list)"
CAROL_IP=$(netns_addr carol | sed 's/:.*//')
b alice --json status | grep '"kind": "peer"' | grep -q "\"address\": \"$CAROL_IP:" &&
	fail "alice dialed carol: $(b alice peer list)"
until_ok 15 heard_some alice || fail "alice heard none of carol's beacons"
echo "carol heard $heard beacons of another group: none recognised, no dial either way"
# Garbage and a flood at alice's beacon port, from carol's machine: noise,
# every length around a beacon's, a beacon's length of zeros, a
# datagram too long; then 400 at once.  Dropped silently (no log line),
# counted; over the rate limit unexamined; alice and bob stay in session.
g0=$(json lan_garbage alice); lines0=$(wc -l <"$T/alice.log")
ALICE_IP=$(netns_addr alice | sed 's/:.*//')
ip netns exec "$(cat "$T/carol.ns")" python3 - "$ALICE_IP" <<'PY' || fail "garbage"
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = (sys.argv[1], 7451)
for n in (0, 1, 40, 41, 88, 90, 91, 2000):
    s.sendto(os.urandom(n), dst)
s.sendto(bytes(88), dst)
time.sleep(0.5)
for i in range(400):
    s.sendto(os.urandom(88), dst)
PY
flooded() { [ "$(json lan_dropped alice)" -gt 0 ]; }
until_ok 10 flooded || fail "the flood was not rate limited: $(b alice --json status | grep lan_)"
g1=$(json lan_garbage alice)
[ $((g1 - g0)) -ge 8 ] || fail "garbage not counted: $g0 -> $g1"
[ $((g1 - g0)) -le 100 ] || fail "more examined than the rate limit allows: $((g1 - g0))"
lines1=$(wc -l <"$T/alice.log")
[ "$lines1" = "$lines0" ] || fail "garbage was logged: $(tail -n 3 "$T/alice.log")"
met alice bob || fail "the session ended under the flood"
echo "garbage and a flood: $((g1 - g0)) examined and counted, $(json lan_dropped alice) dropped unexamined, no log line, session kept"
# A replayed beacon: carol captures one of alice's (alice gets a second
# address, so she sends a round within seconds); alice goes offline and
# carol sends it to bob from her own address.  Bob recognises it and
# dials carol's address for alice: the handshake fails there (carol holds
# no key of the group) and no session comes of it.
CAROL_NS=$(cat "$T/carol.ns")
ip netns exec "$CAROL_NS" python3 - "$CAROL_IP" "$ALICE_IP" "$T/replay" \
    >"$T/replay.out" 2>&1 <<'PY' &
import socket, struct, sys
me, alice, path = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7451))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton("239.255.77.51"),
                         socket.inet_aton(me)))
s.settimeout(20)
open(path + ".ready", "w").close()
while True:
    data, src = s.recvfrom(2048)
    if src[0] == alice:
        break
open(path, "wb").write(data)
PY
REPLAY=$!
PIDS="$PIDS $REPLAY"
until_ok 10 test -f "$T/replay.ready" || fail "the replayer did not start"
ip -n "$(cat "$T/alice.ns")" addr add "$NETNS_NET.99/24" dev eth0 ||
	fail "alice's second address"
wait "$REPLAY" || fail "no beacon of alice's to replay: $(cat "$T/replay.out")"
stop alice
ip netns exec "$CAROL_NS" python3 - "$CAROL_IP" "$(netns_addr bob | sed 's/:.*//')" \
    "$T/replay" <<'PY' || fail "replay"
import socket, sys
me, bob, path = sys.argv[1:4]
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out.bind((me, 0))
out.sendto(open(path, "rb").read(), (bob, 7451))
PY
dialed() {
	b bob --json peer list | grep -F "\"address\": \"$CAROL_IP:7000\"" |
		grep -q '"last_error": "[^"]'
}
until_ok 15 dialed || fail "bob did not dial the replayed beacon's address: $(b bob --json status)"
b bob --json status | grep '"kind": "peer"' | grep -q '"state": "up"' &&
	fail "a session came of the replayed beacon: $(b bob peer list)"
b carol --json status | grep -q '"kind": "peer"' && fail "carol has a session"
echo "a replayed beacon: bob dialed carol's address for alice, the handshake failed ($(b bob --json peer list | grep -F "$CAROL_IP:7000" | sed -n 's/.*"last_error": "\([^"]*\)".*/\1/p')), no session"
# The same beacon replayed from 6 more addresses of carol's: bob keeps at
# most 2 LAN targets for alice (the newest), not one per source address.
# All the while carol floods bob's beacon port with junk from her first
# address (about 1,000 a second for 0.8 s): that source's bucket runs dry,
# the others' do not, and every replay is still examined (with one bucket
# for all, the flood took nearly every token).
for i in 150 151 152 153 154 155; do
	ip -n "$CAROL_NS" addr add "$NETNS_NET.$i/24" dev eth0 ||
		fail "carol's address .$i"
done
r0=$(json lan_recognised bob); d0=$(json lan_dropped bob)
ip netns exec "$CAROL_NS" python3 - "$NETNS_NET" "$CAROL_IP" \
    "$(netns_addr bob | sed 's/:.*//')" "$T/replay" <<'PY' || fail "replay from many addresses"
import os, socket, sys, time
net, me, bob, path = sys.argv[1:5]
data = open(path, "rb").read()
junk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
junk.bind((me, 0))
outs = []
for i in range(150, 156):
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind(("%s.%d" % (net, i), 0))
    outs.append(out)
t0 = time.monotonic()
while time.monotonic() - t0 < 0.8:
    junk.sendto(os.urandom(88), (bob, 7451))
    if outs and time.monotonic() - t0 >= 0.1 * (7 - len(outs)):
        outs.pop(0).sendto(data, (bob, 7451))
    time.sleep(0.001)
PY
# (peer list: an address a line; status shows alice once however many.)
lan_targets() { b bob --json peer list | grep -c '"lan": true'; }
all_heard() { [ "$(json lan_recognised bob)" -ge $((r0 + 6)) ]; }
until_ok 15 all_heard || fail "bob did not recognise the 6 replays under carol's flood: $(b bob --json status | grep lan_)"
d1=$(json lan_dropped bob)
[ "$d1" -gt "$d0" ] || fail "carol's flood was not rate limited: $(b bob --json status | grep lan_)"
n=$(lan_targets)
[ "$n" -le 2 ] || fail "bob keeps $n LAN targets for one replayed beacon: $(b bob peer list)"
echo "under a flood from carol's address ($((d1 - d0)) dropped unexamined), the 6 replays from her other addresses were all recognised"
echo "the beacon replayed from 7 addresses: bob keeps $n LAN targets for alice"
# From an address off every subnet of bob's (10.99.0.5): dropped as stale,
# not dialed (bob's reverse-path filter off, so that it reaches balintd).
ip netns exec "$(cat "$T/bob.ns")" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.eth0.rp_filter=0 || fail "bob's rp_filter"
ip -n "$CAROL_NS" addr add 10.99.0.5/24 dev eth0 || fail "carol's 10.99.0.5"
s0=$(json lan_stale bob)
ip netns exec "$CAROL_NS" python3 - "$(netns_addr bob | sed 's/:.*//')" \
    "$T/replay" <<'PY' || fail "replay from off the subnet"
import socket, sys
bob, path = sys.argv[1:3]
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out.bind(("10.99.0.5", 0))
out.sendto(open(path, "rb").read(), (bob, 7451))
PY
off_heard() { [ "$(json lan_stale bob)" -gt "$s0" ]; }
until_ok 15 off_heard || fail "bob did not drop the off-subnet replay: $(b bob --json status)"
b bob --json peer list | grep -qF '"address": "10.99.0.5:7000"' &&
	fail "bob dials the off-subnet source: $(b bob peer list)"
echo "the beacon replayed from 10.99.0.5 (off bob's subnets): dropped, not dialed"

# Over IPv6 alone: alice comes back with a ULA and no IPv4 address, bob
# gains a ULA: her beacons go to ff05::7451 only, from her ULA, and bob
# dials her there.
ALICE_NS=$(cat "$T/alice.ns")
ip -n "$ALICE_NS" addr flush dev eth0 scope global &&
ip -n "$ALICE_NS" addr add fd00:77::2/64 dev eth0 nodad &&
ip -n "$(cat "$T/bob.ns")" addr add fd00:77::3/64 dev eth0 nodad ||
	fail "ULAs"
netns_start alice "[::]:7000"
met6() { b bob peer list | grep -F '[fd00:77::2]:7000' | grep -w alice | grep -qw up; }
until_ok 20 met6 || fail "bob did not find alice over IPv6: $(b bob peer list)"
b bob status | grep -F '[fd00:77::2]:7000' | grep -q 'found on the LAN' ||
	fail "not said found on the LAN: $(b bob status)"
stop alice
echo "over IPv6 alone: bob found alice at [fd00:77::2]:7000"
# IPv6 link-local alone: the ULAs go, so alice's beacons come from her
# fe80:: address, which leads nowhere without its interface: bob takes
# the one it came in by and dials [fe80::...%eth0]:7000.
ip -n "$ALICE_NS" addr flush dev eth0 scope global &&
ip -n "$(cat "$T/bob.ns")" addr del fd00:77::3/64 dev eth0 || fail "ULAs away"
ALICE_LL=$(ip -n "$ALICE_NS" -6 addr show dev eth0 scope link |
	awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
[ -n "$ALICE_LL" ] || fail "alice has no link-local address"
netns_start alice "[::]:7000"
metll() { b bob peer list | grep -F "[$ALICE_LL%eth0]:7000" | grep -w alice | grep -qw up; }
until_ok 20 metll || fail "bob did not find alice by her link-local address: $(b bob peer list)"
b bob status | grep -F "[$ALICE_LL%eth0]:7000" | grep -q 'found on the LAN' ||
	fail "not said found on the LAN: $(b bob status)"
stop alice
echo "over IPv6 link-local alone: bob found alice at [$ALICE_LL%eth0]:7000"
stop carol

# ---- 3. a tor-only group sends no beacon -------------------------------------
member dave; netns_member dave; netns_member ear
for m in dave ear; do
	ip -n "$NETNS_HUB" link set "$(cat "$T/$m.if")" master br1 ||
		fail "$m onto br1"
done
ip netns exec "$(cat "$T/ear.ns")" python3 - "$T/ear.count" "$(netns_addr ear | sed 's/:.*//')" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7451))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton("239.255.77.51"),
                         socket.inet_aton(sys.argv[2])))
n = 0
open(sys.argv[1], "w").write("0\n")
while True:
    s.recv(2048)
    n += 1
    open(sys.argv[1], "w").write("%d\n" % n)
PY
PIDS="$PIDS $!"
until_ok 10 test -s "$T/ear.count" || fail "the ear did not start"
printf 'Name: Quiet\nNetwork: tor-only\n\nWe meet on Wednesdays.\n' >"$T/contract3"
netns_start dave 0.0.0.0:7000
b dave group create --contract "$T/contract3" >/dev/null || fail "tor-only group"
b dave status | grep -q '^  LAN  *on, no beacon sent' ||
	fail "status does not say no beacon is sent: $(b dave status)"
sleep 4
[ "$(cat "$T/ear.count")" = 0 ] || fail "dave's tor-only group sent $(cat "$T/ear.count") beacons"
[ "$(json lan_beacons_sent dave)" = 0 ] || fail "dave counts beacons sent"
# Nor did he join the group (an IGMP report would show him on the link).
ip -n "$(cat "$T/dave.ns")" maddr show dev eth0 | grep -q 239.255.77.51 &&
	fail "dave joined the multicast group with tor-only groups alone"
# The ear works: an ordinary group of dave's is heard at once.
t_first=$(date +%s)	# dave's first round comes with this group
b dave group create --contract "$T/contract2" >/dev/null || fail "dave's 2nd group"
until_ok 15 sh -c "[ \"\$(cat '$T/ear.count')\" -gt 0 ]" ||
	fail "the ear heard nothing of dave's ordinary group"
ip -n "$(cat "$T/dave.ns")" maddr show dev eth0 | grep -q 239.255.77.51 ||
	fail "dave did not join the multicast group for his ordinary group"
st=$(b dave --json status | grep '"kind": "daemon"')
bytes=$(echo "$st" | sed -n 's/.*"lan_bytes_sent": \([0-9]*\).*/\1/p')
sent=$(echo "$st" | sed -n 's/.*"lan_beacons_sent": \([0-9]*\).*/\1/p')
echo "tor-only: no beacon in 4 s, no multicast group joined; an ordinary group's heard ($sent beacons, $((bytes / sent)) bytes each)"
# The ordinary group amended to tor-only: dave leaves the multicast
# group at once, without a restart (his socket closes: no key to hear
# under), and the ear hears no more beacons, though dave gains an address
# (a change that would send a round).
DAVE_NS=$(cat "$T/dave.ns")
b dave -g Other contract text | sed 's/^Name: Other$/&\nNetwork: tor-only/' \
    >"$T/contract4" || fail "contract text"
grep -q '^Network: tor-only' "$T/contract4" || fail "amended text: $(cat "$T/contract4")"
b dave -g Other contract amend "$T/contract4" >/dev/null || fail "amend to tor-only"
left() { ! ip -n "$DAVE_NS" maddr show dev eth0 | grep -q 239.255.77.51; }
until_ok 10 left || fail "dave is still in the multicast group after the amendment to tor-only"
heard=$(cat "$T/ear.count")
ip -n "$DAVE_NS" addr add "$NETNS_NET.98/24" dev eth0 || fail "dave's second address"
sleep 3
[ "$(cat "$T/ear.count")" = "$heard" ] ||
	fail "dave sent beacons after the amendment to tor-only: $heard -> $(cat "$T/ear.count")"
b dave status | grep -q '^  LAN  *on, no beacon sent' ||
	fail "status does not say no beacon is sent: $(b dave status)"
echo "amended to tor-only: dave left the multicast group at once, no beacon since"
# A burst of changes: ten groups founded in a row, each a change of the
# keys sent under that sends a round at once, after the 3 rounds of the
# start: no more than 8 rounds in any 60 s (lan-limit.c; 11 without the
# cap).  Counted only when all of dave's rounds fall within 60 s.
for i in 1 2 3 4 5 6 7 8 9 10; do
	printf 'Name: Burst %s\n\nA burst of changes.\n' "$i" >"$T/burst"
	b dave group create --contract "$T/burst" >/dev/null || fail "burst group $i"
done
rounds=$(json lan_rounds dave)
if [ $(( $(date +%s) - t_first )) -lt 59 ]; then
	[ "$rounds" -le 8 ] || fail "dave sent $rounds rounds within a minute (cap 8)"
	echo "a burst of 10 changes: $rounds rounds within a minute (the cap is 8)"
else
	echo "a burst of 10 changes: $rounds rounds, over more than a minute (not counted)"
fi
