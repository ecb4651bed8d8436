#!/bin/sh
# Port mapping (docs/protocol.md "Port mapping"), on the simulated internet
# (tests/lib/internet.sh): alice is on clinic LAN 1 behind router 1, which
# runs Debian's miniupnpd (UPnP-IGD and NAT-PMP); carol has a public
# address.  Alice's balintd maps its port by UPnP, status says so, her
# invite code carries the router's external address first, and carol joins
# with that code from outside: the only way in, since carol has no route
# to alice's private address and router 1 drops every new connection from
# outside that it was not asked to forward.  Then alice restarts with
# NAT-PMP only and a short lease: renewed, and carol's session comes back
# through the new mapping; at the end the mapping is gone from the router.
# IPv6: alice listens on [::] too; her balintd opens a pinhole for her
# global IPv6 address in router 1's firewall by UPnP IGDv2 (status says
# so), renews it and closes it at stop; without it carol does not reach
# that address, with it carol's session comes in through it alone.  PCP
# (RFC 6887, balintd's own client) maps the IPv4 port and opens the IPv6
# pinhole against the same miniupnpd, and both again when miniupnpd
# restarts (its PCP epoch went back).
# A hostile NAT-PMP gateway (1-s leases, a new port each time; then a
# private external address): no renewal before 60 s, nothing announced.
#
# miniupnpd refuses to forward when the router's WAN address is reserved
# (TEST-NET-3, 203.0.113.0/24, is), so router 1 also holds 11.0.0.1 and
# tells its clients that one (ext_ip); carol routes it to router 1.
case "${BUILD:-}" in */san) echo "normal tree only"; exit 77;; esac
. "$(dirname "$0")/../lib/daemons.sh"
. "$(dirname "$0")/../lib/internet.sh"
command -v miniupnpd >/dev/null 2>&1 ||
	{ echo "SKIP: no miniupnpd (miniupnpd-nftables)"; exit 77; }
inet_start || { echo "SKIP: $INET_WHY"; exit 77; }
inet_member lan1 alice
inet_member public carol
EXT=11.0.0.1
R1=$(inet_ns router1)
ip -n "$R1" addr add "$EXT/32" dev wan || fail "router 1: $EXT"
inet_exec carol ip route add "$EXT/32" via "$(inet_addr router1)" ||
	fail "carol: route to $EXT"
# miniupnpd's own NAT chains, beside the router's NAT; its filter rules
# (IPv6 pinholes) go in the router's firewall, chain pinholes
# (tests/lib/internet.sh), the only way in besides what was DNATed.
ip netns exec "$R1" nft -f - <<'EOT' || fail "router 1: miniupnpd's tables"
table inet miniupnpd {
	chain prerouting { type nat hook prerouting priority dstnat - 1; policy accept; jump prerouting_miniupnpd; }
	chain postrouting { type nat hook postrouting priority srcnat - 1; policy accept; jump postrouting_miniupnpd; }
	chain prerouting_miniupnpd { }
	chain postrouting_miniupnpd { }
}
EOT
cat >"$T/miniupnpd.conf" <<EOT
ext_ifname=wan
ext_ip=$EXT
listening_ip=lan
port=0
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
min_lifetime=2
uuid=6b1d3c0e-5a52-4c59-9d1f-0b0a11a7e015
upnp_table_name=filter
upnp_forward_chain=pinholes
upnp_nat_table_name=miniupnpd
allow 1024-65535 192.168.1.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOT
inet_router_run 1 miniupnpd -d -f "$T/miniupnpd.conf" -P "$T/miniupnpd.pid" \
	>"$T/miniupnpd.log" 2>&1
until_ok 10 inet_exec router1 sh -c 'ss -lun | grep -q ":5351 "' ||
	fail "miniupnpd did not start: $(cat "$T/miniupnpd.log")"
mapped() { ip netns exec "$R1" nft list chain inet miniupnpd prerouting_miniupnpd; }
pinholes() { ip netns exec "$R1" nft list chain inet filter pinholes; }
A6=$(inet_addr alice 6)
# The pinhole's rule: TCP to alice's IPv6 address (hex) and port.
A6HEX=0x20010db8000100000000000000000010
# probe6 — a TCP connection from carol's namespace to alice's IPv6
# address gets an answer within 1 s (the router drops what it lets not in;
# in these namespaces an answer takes milliseconds).
probe6() {
	inet_exec carol python3 -c "import socket; socket.create_connection(('$A6', $INET_PORT), timeout=1)" 2>/dev/null
}

# opened NAME METHOD LEASE — alice's port is mapped and her IPv6 pinhole
# open by METHOD (NAME in status), with LEASE seconds, as status (plain
# and --json) and router 1's rules say.
opened() {
	until_ok 10 sh -c "\"$BALINT\" --home \"$T/alice\" status | grep -q 'port map     $1: $EXT:$INET_PORT (lease'" ||
		fail "no $1 mapping in status: $(b alice status; cat "$T/alice.log")"
	until_ok 10 sh -c "\"$BALINT\" --home \"$T/alice\" status | grep -q 'IPv6 in      $1 opened the router.s firewall to \[$A6\]:$INET_PORT (lease'" ||
		fail "no $1 pinhole in status: $(b alice status; cat "$T/alice.log")"
	b alice --json status | grep -q "\"portmap\": \"$2\", \"portmap_addr\": \"$EXT:$INET_PORT\", \"portmap_lease\": $3" ||
		fail "status --json, $1: $(b alice --json status)"
	b alice --json status | grep -q "\"pinhole\": \"$2\", \"pinhole_addrs\": \"\[$A6\]:$INET_PORT\", \"pinhole_lease\": $3" ||
		fail "status --json, $1 pinhole: $(b alice --json status)"
	mapped | grep -q "dport $INET_PORT dnat ip to $(inet_addr alice):$INET_PORT" ||
		fail "router 1 forwards nothing by $1: $(mapped)"
	pinholes | grep -q "dport $INET_PORT .*$A6HEX" ||
		fail "router 1 has no $1 pinhole for alice: $(pinholes)"
}

cat >"$T/contract" <<'C'
Name: Mapped

Reached through the router's forwarded port.
C

# ---- UPnP: mapped, in status, in the code; carol joins from outside --------
member alice
member carol
BALINT_PORTMAP=upnp BALINT_PORTMAP_LEASE_S=4 netns_start alice "[::]:$INET_PORT"
opened UPnP upnp 4
b alice group create --contract "$T/contract" >/dev/null || fail "group create"
code=$(b alice invite 2>/dev/null) || fail "invite"
BALINT_PORTMAP=off netns_start carol
b carol join "$code" --accept --timeout 20s >"$T/out" 2>&1 ||
	fail "carol cannot join from outside with alice's code: $(cat "$T/out")"
b carol peer list | grep -q "$EXT:$INET_PORT" ||
	fail "carol did not come in through $EXT: $(b carol peer list)"
n=$(b alice note write --title mapped -m "through-the-router-$$") || fail "write"
b carol sync --wait --timeout 20 >/dev/null || fail "carol sync"
b carol note list | grep -q mapped || fail "carol lacks alice's note"
echo "UPnP: alice reached at $EXT:$INET_PORT from her code, carol joined"

# ---- IPv6 through the pinhole only ---------------------------------------------
# carol restarts where she can no longer reach alice's IPv4 mapping (no
# route to $EXT) nor be dialed (her firewall drops new connections in): a
# session between them is carol's, to alice's global IPv6 address,
# through the pinhole alice's balintd opened by UPnP, renewed (a 4 s
# lease) by UpdatePinhole.
until_ok 10 grep -q "port map: pinhole renewed for \[$A6\]:$INET_PORT (upnp)" "$T/alice.log" ||
	fail "no pinhole renewal: $(cat "$T/alice.log")"
stop carol
inet_exec carol ip route del "$EXT/32" || fail "carol: route to $EXT"
inet_exec carol nft -f - <<'EOT' || fail "carol: firewall"
table inet carolfw {
	chain input { type filter hook input priority filter; policy accept; tcp flags syn / syn,ack ct state new drop; }
}
EOT
BALINT_PORTMAP=off netns_start carol
b alice note write --title pinhole -m "through-the-pinhole-$$" >/dev/null || fail "write"
b carol peer add "[$A6]:$INET_PORT" >/dev/null 2>&1
until_ok 20 sh -c "\"$BALINT\" --home \"$T/carol\" note list | grep -q pinhole" ||
	fail "carol did not reach alice through the pinhole: $(b carol peer list; cat "$T/alice.log")"
grep -q "peer up: alice .* at \[$A6\]:$INET_PORT" "$T/carol.log" ||
	fail "carol's session is not to [$A6]:$INET_PORT: $(b carol peer list)"
inet_exec carol nft delete table inet carolfw || fail "carol: firewall off"
inet_exec carol ip route add "$EXT/32" via "$(inet_addr router1)" ||
	fail "carol: route to $EXT again"
echo "IPv6: carol reached alice at [$A6]:$INET_PORT only through the pinhole (renewed)"

# ---- NAT-PMP, a lease of 4 s: renewed; the session comes back; no pinhole ---
stop alice
mapped | grep -q dnat && fail "the UPnP mapping outlived alice: $(mapped)"
pinholes | grep -q "$A6HEX" && fail "the pinhole outlived alice: $(pinholes)"
grep -q "port map: closed the pinhole for \[$A6\]:$INET_PORT$" "$T/alice.log" ||
	fail "no pinhole closing logged: $(cat "$T/alice.log")"
mv "$T/alice.log" "$T/alice-upnp.log"
BALINT_PORTMAP=natpmp BALINT_PORTMAP_LEASE_S=4 netns_start alice "[::]:$INET_PORT"
until_ok 15 grep -q "port map: renewed $EXT:$INET_PORT" "$T/alice.log" ||
	fail "no NAT-PMP renewal: $(cat "$T/alice.log")"
b alice status | grep -q "port map     NAT-PMP: $EXT:$INET_PORT (lease" ||
	fail "status after NAT-PMP: $(b alice status)"
# No pinhole (NAT-PMP opens none): carol cannot reach alice's IPv6
# address, and status says so.
b alice status | grep -q "IPv6 in      the router's firewall is not open to this machine: members elsewhere may not reach its IPv6 address (" ||
	fail "status without a pinhole: $(b alice status)"
probe6 && fail "carol reached [$A6]:$INET_PORT without a pinhole"
b alice note write --title natpmp -m "after-restart-$$" >/dev/null || fail "write"
until_ok 20 sh -c "\"$BALINT\" --home \"$T/carol\" note list | grep -q natpmp" ||
	fail "carol did not get alice's note through NAT-PMP: $(b carol peer list)"
stop alice
mapped | grep -q dnat && fail "the NAT-PMP mapping outlived alice: $(mapped)"
grep -q "port map: removed $EXT:$INET_PORT (natpmp)" "$T/alice.log" ||
	fail "no removal logged: $(cat "$T/alice.log")"
echo "NAT-PMP: lease renewed, carol back through $EXT, mapping removed at stop; no pinhole: [$A6]:$INET_PORT not reached"


# ---- PCP: the IPv4 mapping and the IPv6 pinhole, a datagram each ---------------
mv "$T/alice.log" "$T/alice-natpmp.log"
BALINT_PORTMAP=pcp netns_start alice "[::]:$INET_PORT"
opened PCP pcp 3600
probe6 || fail "carol does not reach [$A6]:$INET_PORT through the PCP pinhole"
stop alice
mapped | grep -q dnat && fail "the PCP mapping outlived alice: $(mapped)"
pinholes | grep -q "$A6HEX" && fail "the PCP pinhole outlived alice: $(pinholes)"
grep -q "port map: removed $EXT:$INET_PORT (pcp)" "$T/alice.log" ||
	fail "no PCP removal logged: $(cat "$T/alice.log")"
grep -q "lost its state" "$T/alice.log" &&
	fail "a PCP router's reboot seen where none was: $(cat "$T/alice.log")"
echo "PCP: $EXT:$INET_PORT mapped and [$A6]:$INET_PORT let in (carol connects), both gone at stop"

# ---- PCP: the router reboots -------------------------------------------------
# A lease of 4 s (renewed every 2 s); miniupnpd restarts with its rules
# flushed (a router rebooting: it forgets what it mapped, its PCP epoch
# starts again at 0): the next answer's epoch went back (RFC 6887 §8.5),
# alice maps both again at once, and the router holds both again.
mv "$T/alice.log" "$T/alice-pcp.log"
BALINT_PORTMAP=pcp BALINT_PORTMAP_LEASE_S=4 netns_start alice "[::]:$INET_PORT"
opened PCP pcp 4
kill "$INET_RUN_PID"; wait "$INET_RUN_PID" 2>/dev/null
ip netns exec "$R1" nft flush chain inet filter pinholes &&
	ip netns exec "$R1" nft flush chain inet miniupnpd prerouting_miniupnpd &&
	ip netns exec "$R1" nft flush chain inet miniupnpd postrouting_miniupnpd ||
	fail "router 1: rules not flushed"
inet_router_run 1 miniupnpd -d -f "$T/miniupnpd.conf" -P "$T/miniupnpd.pid" \
	>>"$T/miniupnpd.log" 2>&1
until_ok 10 grep -q "port map: the PCP router lost its state (its epoch went back or jumped): mapping again" "$T/alice.log" ||
	fail "miniupnpd's restart not seen: $(cat "$T/alice.log")"
until_ok 10 sh -c "sed -n '/lost its state/,\$p' \"$T/alice.log\" | grep -q 'port map: pinhole renewed'" ||
	fail "not mapped again after the restart: $(cat "$T/alice.log")"
opened PCP pcp 4
stop alice
mapped | grep -q dnat && fail "the PCP mapping outlived alice: $(mapped)"
# miniupnpd 2.3.1 (nftables) drops a PCP pinhole's label when it renews
# it, and then refuses its deletion (not authorized): flushed by hand.
ip netns exec "$R1" nft flush chain inet filter pinholes
echo "PCP: miniupnpd restarted (epoch back): alice mapped $EXT:$INET_PORT and [$A6]:$INET_PORT again at once"

# ---- a hostile NAT-PMP gateway ------------------------------------------------
# miniupnpd gives way to a gateway that grants 1-second leases on a new
# port each time: alice renews no sooner than 60 s (within 5 s: one
# mapping, not one every 2 s), so no stream of changed addresses to
# announce.  Then it names a private external address: kept, renewed,
# never announced, and status says why.
kill "$INET_RUN_PID"; wait "$INET_RUN_PID" 2>/dev/null
hostile() {
	ip netns exec "$R1" python3 - "$1" >"$T/hostile.log" 2>&1 <<'PY' &
import socket, struct, sys
ext = socket.inet_aton(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5351))
n = 0
while True:
    req, src = s.recvfrom(64)
    if len(req) >= 2 and req[1] == 0:
        s.sendto(struct.pack("!BBHI4s", 0, 128, 0, n, ext), src)
    elif len(req) >= 12:
        n += 1
        iport = struct.unpack("!H", req[4:6])[0]
        s.sendto(struct.pack("!BBHIHHI", 0, 128 + req[1], 0, n, iport,
                             20000 + n, 1), src)
PY
	HOSTILE=$!
	PIDS="$PIDS $HOSTILE"
}
hostile "$EXT"
until_ok 10 inet_exec router1 sh -c 'ss -lun | grep -q ":5351 "' ||
	fail "the hostile gateway did not start: $(cat "$T/hostile.log")"
: >"$T/alice.log"
BALINT_PORTMAP=natpmp netns_start alice "0.0.0.0:$INET_PORT"
until_ok 10 grep -q "port map: mapped $EXT:2000" "$T/alice.log" ||
	fail "no mapping from the hostile gateway: $(cat "$T/alice.log")"
b alice status | grep -q "IPv6 in      nothing to open (balintd listens on IPv4 only)" ||
	fail "status on 0.0.0.0 says: $(b alice status)"
sleep 5
n=$(grep -c "port map: \(mapped\|renewed\)" "$T/alice.log")
[ "$n" = 1 ] || fail "$n mappings in 5 s of 1-second leases: $(cat "$T/alice.log")"
stop alice
kill "$HOSTILE"; wait "$HOSTILE" 2>/dev/null
hostile 10.9.9.9
until_ok 10 inet_exec router1 sh -c 'ss -lun | grep -q ":5351 "' ||
	fail "the hostile gateway did not restart"
BALINT_PORTMAP=natpmp netns_start alice "0.0.0.0:$INET_PORT"
until_ok 10 sh -c "\"$BALINT\" --home \"$T/alice\" --json status | grep -q '\"portmap_why\": \"the gateway names 10.9.9.9:2000[0-9]*, no global IPv4 address and port: not announced\"'" ||
	fail "a private external address taken: $(b alice --json status)"
b alice --json status | grep -q '"portmap_addr": ""' ||
	fail "status shows the private address as mapped: $(b alice --json status)"
stop alice
echo "a hostile gateway: 1-s leases renewed after 60 s ($n mapping in 5 s), a private external address not announced"
