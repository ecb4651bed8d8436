# tests/lib/internet.sh — sourced after tests/lib/daemons.sh by scenarios
# that need a simulated internet of network namespaces (root, iproute2,
# nftables): two clinics, each behind a router doing NAT, and a public
# segment where members with a public address live.
#
#                 public segment (bridge br0 in namespace "inet")
#             203.0.113.0/24 and 2001:db8::/64 (both "global" to balintd)
#          |                       |                      |
#   router1 wan 203.0.113.1   router2 wan 203.0.113.2   public members
#   NAT (masquerade), inbound  NAT, the same            203.0.113.10, .11..
#   new connections dropped                            2001:db8::10, ::11..
#   lan 192.168.1.1           lan 192.168.2.1
#   2001:db8:1::1 (routed,    2001:db8:2::1
#   no NAT; inbound new
#   connections dropped
#   unless a pinhole is open)
#          |                       |
#   clinic LAN 1 members      clinic LAN 2 members
#   192.168.1.10, .11..       192.168.2.10, .11..
#   2001:db8:1::10, ::11..    2001:db8:2::10, ::11..
#
#   . "$(dirname "$0")/../lib/daemons.sh"
#   . "$(dirname "$0")/../lib/internet.sh"
#   inet_start || { echo "SKIP: $INET_WHY"; exit 77; }
#   inet_member lan1 alice; inet_member lan2 bob; inet_member public carol
#   netns_start alice          # daemons.sh: alice's daemon in her namespace,
#                              # listening on $(netns_addr alice)
#   inet_exec carol CMD...     # any command in carol's namespace
#   inet_router_run 1 miniupnpd -d -f CONF    # a daemon on router 1
#
# Functions (the interface other scenarios build on; keep it stable):
#   inet_start        builds the public segment and both routers with their
#                     LANs; 0, or 1 with the reason in INET_WHY (not root,
#                     no ip or nft, namespaces refused).
#   inet_member WHERE NAME
#                     a namespace for NAME on WHERE (lan1, lan2 or public):
#                     interface eth0 with the next address of that segment
#                     (IPv4 and IPv6), default routes through the router.
#                     Writes $T/NAME.ns (namespace) and $T/NAME.addr
#                     (IPv4:$INET_PORT), so that daemons.sh's netns_start,
#                     netns_addr work on it.
#   inet_ns NAME      NAME's namespace (a member, router1, router2, or inet
#                     for the public segment's switch).
#   inet_addr NAME [6]
#                     NAME's IPv4 (or IPv6) address, no port; for router1 and
#                     router2 their public (wan) address.
#   inet_exec NAME CMD...
#                     runs CMD in NAME's namespace (foreground).
#   inet_router_run N CMD...
#                     starts CMD in router N's namespace in the background
#                     (e.g. miniupnpd); its pid is in INET_RUN_PID and is
#                     killed at the end (daemons.sh's cleanup, PIDS).  Router
#                     interfaces: wan (public side), lan (the clinic bridge);
#                     nftables: table ip nat (chains prerouting, postrouting),
#                     table inet filter (chain forward: what came in on wan
#                     passes when it belongs to a connection made from inside
#                     or was DNATed, i.e. port-mapped, or what a rule in
#                     chain pinholes accepts: IPv6 pinholes, which
#                     miniupnpd adds there with upnp_table_name=filter,
#                     upnp_forward_chain=pinholes; other new connections
#                     from wan, IPv4 and IPv6, are dropped).
#   inet_router_newaddr N
#                     router N comes back with a new public address (the
#                     next free one of the segment; conntrack entries of the
#                     old one go with it); prints it.
#   inet_stealth N [reject]
#                     router N drops a TCP segment from wan to itself that
#                     belongs to no connection (a home router's "stealth"
#                     default: a punch's first SYN vanishes); with reject it
#                     answers it with an RST instead (punch.sh,
#                     tor-network.sh).
#   inet_cut NAME / inet_mend NAME
#                     takes NAME's link down (packets vanish), or up again.
#   inet_stop         kills what inet_router_run started and deletes every
#                     namespace; daemons.sh's cleanup does the same (the
#                     namespaces are in NETNS_ALL), so a scenario calls it
#                     only to tear the internet down early.
# Names carry the scenario's PID (balint-t$$-...), so parallel runs never
# collide, and netns_sweep removes those of a run killed with SIGKILL.
# Nothing touches the host's own network.

INET_PORT=${INET_PORT:-7451}
INET_P=balint-t$$
INET_WHY=
INET_RUN_PID=
INET_RUN_PIDS=
INET_UP=

# _inet_ns NAME — the namespace name of NAME.
_inet_ns() {
	case $1 in
	inet) echo "$INET_P-inet" ;;
	router1|router2) echo "$INET_P-$1" ;;
	*) echo "$INET_P-at-$1" ;;
	esac
}
inet_ns() { _inet_ns "$1"; }

# _inet_new_ns NS — makes NS (the caller adds it to NETNS_ALL, which
# daemons.sh's cleanup deletes: not here, since this may run in $(...)).
_inet_new_ns() {
	ip netns add "$1" && ip -n "$1" link set lo up
}

inet_start() {
	INET_WHY=
	if [ "$(id -u)" != 0 ]; then INET_WHY="not root"; return 1; fi
	for _i_t in ip nft; do
		command -v "$_i_t" >/dev/null 2>&1 ||
			{ INET_WHY="no $_i_t (iproute2, nftables)"; return 1; }
	done
	command -v netns_sweep >/dev/null 2>&1 && netns_sweep
	_i_s=$(_inet_ns inet)
	NETNS_ALL="${NETNS_ALL:-} $_i_s $(_inet_ns router1) $(_inet_ns router2)"
	if ! _i_e=$(_inet_new_ns "$_i_s" 2>&1); then
		INET_WHY="ip netns add: $_i_e"; return 1
	fi
	if ! _i_e=$( { ip -n "$_i_s" link add br0 type bridge mcast_snooping 0 &&
	    ip -n "$_i_s" link set br0 up &&
	    ip netns exec "$_i_s" true; } 2>&1); then
		INET_WHY="bridge or ip netns exec: $_i_e"; return 1
	fi
	INET_K_lan1=10; INET_K_lan2=10; INET_K_public=10
	INET_PUB_NEXT=100	# inet_router_newaddr's addresses
	for _i_n in 1 2; do
		_i_e=$(_inet_router "$_i_n" 2>&1) ||
			{ INET_WHY="router $_i_n: $_i_e"; return 1; }
		echo "203.0.113.$_i_n" >"$T/router$_i_n.pub"
	done
	INET_UP=1
}

# _inet_router N — router N: wan on the public segment, a NAT for IPv4,
# IPv6 routed, the firewall of a home router (no new connection in).
_inet_router() {
	_r_ns=$(_inet_ns "router$1")
	_r_s=$(_inet_ns inet)
	_inet_new_ns "$_r_ns" &&
	ip -n "$_r_s" link add "r$1" type veth peer name wan netns "$_r_ns" &&
	ip -n "$_r_s" link set "r$1" master br0 up &&
	ip -n "$_r_ns" addr add "203.0.113.$1/24" dev wan &&
	ip -n "$_r_ns" addr add "2001:db8::$1/64" dev wan nodad &&
	ip -n "$_r_ns" link set wan up &&
	ip -n "$_r_ns" link add lan type bridge mcast_snooping 0 &&
	ip -n "$_r_ns" addr add "192.168.$1.1/24" dev lan &&
	ip -n "$_r_ns" addr add "2001:db8:$1::1/64" dev lan nodad &&
	ip -n "$_r_ns" link set lan up &&
	ip -n "$_r_ns" -6 route add "2001:db8:$((3 - $1))::/64" \
	    via "2001:db8::$((3 - $1))" &&
	ip netns exec "$_r_ns" sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 >/dev/null &&
	ip netns exec "$_r_ns" nft -f - <<EOT
table ip nat {
	chain prerouting { type nat hook prerouting priority dstnat; }
	chain postrouting {
		type nat hook postrouting priority srcnat;
		oifname "wan" masquerade
	}
}
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" ct status dnat accept
		iifname "wan" jump pinholes
		iifname "wan" drop
	}
	chain pinholes {
	}
}
EOT
}

# inet_member WHERE NAME — NAME's namespace on lan1, lan2 or public.
inet_member() {
	[ -n "$INET_UP" ] || fail "inet_member before inet_start"
	case $1 in lan1|lan2|public) ;;
	*) fail "inet_member: no segment '$1' (lan1, lan2, public)" ;;
	esac
	_m_ns=$(_inet_ns "$2")
	eval "_m_k=\$INET_K_$1"
	eval "INET_K_$1=$((_m_k + 1))"
	NETNS_ALL="${NETNS_ALL:-} $_m_ns"
	_inet_new_ns "$_m_ns" || fail "ip netns add $_m_ns"
	case $1 in
	lan1|lan2)
		_m_n=${1#lan}
		_m_r=$(_inet_ns "router$_m_n")
		_m_v4=192.168.$_m_n.$_m_k; _m_v6=2001:db8:$_m_n::$_m_k
		ip -n "$_m_r" link add "m$_m_k" type veth peer name eth0 \
		    netns "$_m_ns" &&
		ip -n "$_m_r" link set "m$_m_k" master lan up &&
		ip -n "$_m_ns" addr add "$_m_v4/24" dev eth0 &&
		ip -n "$_m_ns" addr add "$_m_v6/64" dev eth0 nodad &&
		ip -n "$_m_ns" link set eth0 up &&
		ip -n "$_m_ns" route add default via "192.168.$_m_n.1" &&
		ip -n "$_m_ns" -6 route add default via "2001:db8:$_m_n::1" ||
			fail "network of $2 on $1"
		echo "$_m_r m$_m_k" >"$T/$2.port-at"
		;;
	public)
		_m_s=$(_inet_ns inet)
		_m_v4=203.0.113.$_m_k; _m_v6=2001:db8::$_m_k
		ip -n "$_m_s" link add "p$_m_k" type veth peer name eth0 \
		    netns "$_m_ns" &&
		ip -n "$_m_s" link set "p$_m_k" master br0 up &&
		ip -n "$_m_ns" addr add "$_m_v4/24" dev eth0 &&
		ip -n "$_m_ns" addr add "$_m_v6/64" dev eth0 nodad &&
		ip -n "$_m_ns" link set eth0 up &&
		ip -n "$_m_ns" -6 route add 2001:db8:1::/64 via 2001:db8::1 &&
		ip -n "$_m_ns" -6 route add 2001:db8:2::/64 via 2001:db8::2 ||
			fail "network of $2 on the public segment"
		echo "$_m_s p$_m_k" >"$T/$2.port-at"
		;;
	esac
	echo "$_m_ns" >"$T/$2.ns"
	echo "$_m_v4" >"$T/$2.ip4"
	echo "$_m_v6" >"$T/$2.ip6"
	echo "$_m_v4:$INET_PORT" >"$T/$2.addr"
}

inet_addr() {
	case $1 in
	router1|router2)
		if [ "${2:-4}" = 6 ]; then echo "2001:db8::${1#router}"
		else cat "$T/$1.pub"; fi ;;
	*)	cat "$T/$1.ip${2:-4}" ;;
	esac
}

inet_exec() { _x_ns=$(_inet_ns "$1"); shift; ip netns exec "$_x_ns" "$@"; }

inet_router_run() {
	_u_ns=$(_inet_ns "router$1"); shift
	ip netns exec "$_u_ns" "$@" &
	INET_RUN_PID=$!
	INET_RUN_PIDS="$INET_RUN_PIDS $!"
	PIDS="${PIDS:-} $!"
}

inet_router_newaddr() {
	_a_ns=$(_inet_ns "router$1")
	_a_new=203.0.113.$INET_PUB_NEXT
	INET_PUB_NEXT=$((INET_PUB_NEXT + 1))
	ip -n "$_a_ns" -4 addr flush dev wan &&
	ip -n "$_a_ns" addr add "$_a_new/24" dev wan ||
		fail "router $1: new address $_a_new"
	echo "$_a_new" >"$T/router$1.pub"
	echo "$_a_new"
}

inet_stealth() {
	_t_act=drop
	[ "${2:-}" != reject ] || _t_act="reject with tcp reset"
	ip netns exec "$(_inet_ns "router$1")" nft -f - <<EOT
table inet stealth {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" meta l4proto tcp $_t_act
	}
}
EOT
}

inet_cut() { read -r _c_ns _c_if <"$T/$1.port-at"; ip -n "$_c_ns" link set "$_c_if" down; }
inet_mend() { read -r _c_ns _c_if <"$T/$1.port-at"; ip -n "$_c_ns" link set "$_c_if" up; }

inet_stop() {
	for _s_p in $INET_RUN_PIDS; do kill "$_s_p" 2>/dev/null; done
	for _s_p in $INET_RUN_PIDS; do wait "$_s_p" 2>/dev/null; done
	INET_RUN_PIDS=
	for _s_ns in $(ip netns list 2>/dev/null | sed -n "s/^\($INET_P-\(inet\|router[12]\|at-[^ ]*\)\).*/\1/p"); do
		ip netns del "$_s_ns" 2>/dev/null
	done
	INET_UP=
}
