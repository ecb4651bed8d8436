#!/bin/sh
# Where an invite code leads (docs/protocol.md "Invite codes").  A daemon
# listening on 127.0.0.1 puts that in its codes, and `balint invite` warns
# that such a code leads to this machine only.  A daemon listening on a
# wildcard address (balintd's default is [::]:7451) puts the machine's
# own addresses in the code, never the loopback address (on another
# machine it leads to the newcomer's own).  As root, lena and ben are two
# machines (network namespaces on one bridge): lena listens on 0.0.0.0,
# then on [::] (her global IPv6 address first in the code and announced,
# not her temporary or deprecated one; cai joins through it), and ben
# joins with her code from his machine; a code of 127.0.0.1 on ben's own
# port does not make ben dial himself.  status
# names the addresses that work on this machine or this LAN only, and
# says when nothing else leads to the member.
. "$(dirname "$0")/../lib/daemons.sh"

# addrs CODE — the addresses an invite code carries, one per line
# (docs/protocol.md: base64url of [1, group bin32, inviter bin32,
# [addr...], ...]).
addrs() {
	python3 - "$1" <<'PY'
import base64, sys
s = sys.argv[1].split(":", 1)[1]
b = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
assert b[0] == 0x97 and b[1] == 1 and b[2:4] == b"\xc4\x20", b[:4]
i = 2 + 34 + 34
n = b[i] - 0x90
assert 1 <= n <= 4, b[i]
i += 1
for _ in range(n):
    if 0xa0 <= b[i] <= 0xbf:
        ln, i = b[i] - 0xa0, i + 1
    else:
        assert b[i] == 0xd9, b[i]
        ln, i = b[i + 1], i + 2
    print(b[i:i + ln].decode())
    i += ln
PY
}

cat >"$T/contract" <<'C'
Name: Addresses

Where invite codes lead.
C

# ---- a daemon on 127.0.0.1: the code leads here only, and says so -----------
member alice
start alice
b alice group create --contract "$T/contract" >/dev/null || fail "group create"
code=$(b alice invite 2>"$T/err") || fail "invite"
[ "$(addrs "$code")" = "$(addr alice)" ] ||
	fail "code of a daemon on 127.0.0.1: $(addrs "$code")"
grep -q "this code leads to $(addr alice), on this machine only" "$T/err" ||
	fail "no warning for a code that leads to this machine only: $(cat "$T/err")"
[ "$(grep -c warning "$T/err")" -eq 1 ] || fail "more than one warning: $(cat "$T/err")"
echo "127.0.0.1: $(addrs "$code"), warned"
# status says it in plain words: this address works here only, and
# nothing else leads to alice (no tor in the tests, no --advertise).
b alice status >"$T/st"
grep -qxF "  local only   $(addr alice) works on this machine only" "$T/st" ||
	fail "status does not say $(addr alice) works on this machine only: $(cat "$T/st")"
grep -q "^  members elsewhere cannot reach this one" "$T/st" ||
	fail "status does not say nobody elsewhere reaches alice: $(cat "$T/st")"

# ---- --advertise: where others reach alice, first in her codes --------------
# (a router's forwarded port or a dynamic DNS name); remembered, and
# "none" forgets it; a wildcard is refused with one line.
stop alice
adv() {	# args... — start alice with them
	"$BALINTD" --home "$T/alice" --listen "$(addr alice)" "$@" \
		>>"$T/alice.log" 2>&1 &
	PID_alice=$!
	PIDS="$PIDS $!"
	until_ok 10 b alice status || fail "alice did not start with $*"
}
"$BALINTD" --home "$T/alice" --advertise 0.0.0.0:7451 >"$T/out" 2>"$T/err" &&
	fail "balintd took a wildcard --advertise"
grep -q "bad --advertise '0.0.0.0:7451'" "$T/err" || fail "wildcard: $(cat "$T/err")"
adv --advertise clinic-7.dyndns.example:7451
b alice status | grep -q "cannot reach this one" &&
	fail "status says nobody reaches alice, though she advertises an address"
got=$(addrs "$(b alice invite 2>/dev/null)" | tr '\n' ' ')
[ "$got" = "clinic-7.dyndns.example:7451 $(addr alice) " ] ||
	fail "code with --advertise: $got"
stop alice
adv
got=$(addrs "$(b alice invite 2>/dev/null)" | tr '\n' ' ')
[ "$got" = "clinic-7.dyndns.example:7451 $(addr alice) " ] ||
	fail "--advertise not remembered: $got"
stop alice
adv --advertise none
got=$(addrs "$(b alice invite 2>/dev/null)" | tr '\n' ' ')
[ "$got" = "$(addr alice) " ] || fail "--advertise none: $got"
echo "--advertise: first in the code, remembered, forgotten with none"

# ---- on 0.0.0.0: this machine's IPv4 addresses, no loopback -----------------
stop alice
start alice 0.0.0.0
P=$(cat "$T/alice.port")
code=$(b alice invite 2>"$T/err") || fail "invite on 0.0.0.0"
addrs "$code" >"$T/got"
echo "0.0.0.0: $(tr '\n' ' ' <"$T/got")"
grep -q '^127\.\|^\[::1\]' "$T/got" &&
	fail "the code of a daemon on 0.0.0.0 carries a loopback address"
if command -v ip >/dev/null 2>&1; then
	# This machine's IPv4 addresses but loopback; the code carries the
	# first three (in the kernel's order, which ip and libuv may list
	# differently when there are more).
	ip -4 -o addr show | awk '$2 != "lo" { sub("/.*", "", $4); print $4 }' |
	    sed "s/\$/:$P/" | sort -u >"$T/want"
	cp "$T/got" "$T/got-others"
	n=$(wc -l <"$T/want")
	[ "$n" -le 3 ] || n=3
	[ "$(wc -l <"$T/got-others")" -eq "$n" ] ||
		fail "the code carries $(wc -l <"$T/got-others") of this machine's addresses, not $n"
	while read -r a; do
		grep -qxF "$a" "$T/want" || fail "$a is not an address of this machine"
	done <"$T/got-others"
	if [ -s "$T/want" ]; then
		grep -q warning "$T/err" && fail "warned though the code leads elsewhere too: $(cat "$T/err")"
	else
		grep -q "on this machine only" "$T/err" || fail "no warning"
	fi
fi
# A newcomer on this machine joins with it (through the first address).
member bob
start bob
b bob join "$code" --accept >/dev/null || fail "bob join with the 0.0.0.0 code"

# ---- two machines --------------------------------------------------------------
if ! netns_init; then
	echo "SKIP two machines: $NETNS_WHY"
	exit 0
fi
member lena
member ben
netns_member lena
netns_member ben
LENA_IP=${NETNS_NET}.1
netns_start lena "0.0.0.0:$NETNS_PORT"
b lena group create --contract "$T/contract" >/dev/null || fail "lena group create"
code=$(b lena invite 2>"$T/err") || fail "lena invite"
got=$(addrs "$code" | tr '\n' ' ')
echo "lena on 0.0.0.0: $got"
[ "$got" = "$LENA_IP:$NETNS_PORT " ] ||
	fail "lena's code: $got"
grep -q warning "$T/err" && fail "warned: $(cat "$T/err")"
b lena status | grep -qxF "  local only   $LENA_IP:$NETNS_PORT works on this LAN only (a private address)" ||
	fail "lena's status does not say her private address works on her LAN only: $(b lena status)"
netns_start ben "0.0.0.0:$NETNS_PORT"
# A code that leads to 127.0.0.1 on the port ben listens on too (lena on
# loopback alone, e.g. a code made for a test on her machine): ben, on his
# own machine, does not dial himself, and says so.
stop lena
netns_start lena "127.0.0.1:$NETNS_PORT"
code_lo=$(b lena invite 2>/dev/null) || fail "lena invite on 127.0.0.1"
b ben join "$code_lo" --accept --timeout 10s >"$T/out" 2>"$T/err" &&
	fail "ben joined through his own loopback address"
grep -q "leads to this daemon, not to the inviter" "$T/err" ||
	fail "ben's join did not skip his own address: $(cat "$T/err")"
stop lena
netns_start lena "0.0.0.0:$NETNS_PORT"
b ben join "$code" --accept >/dev/null || fail "ben cannot join from his machine"
b ben peer list | grep "$LENA_IP:$NETNS_PORT" | grep -q lena ||
	fail "ben did not join through $LENA_IP: $(b ben peer list)"
# On [::]: her global IPv6 address first, then IPv4; no link-local
# address, no ::1.  Her announce carries the global one (on a wildcard
# address a member announces only its global addresses), and a newcomer
# joins through it.
# Her machine also has a temporary (privacy) address, which the kernel
# makes from the first (use_tempaddr=2, mngtmpaddr), and a deprecated
# one (preferred_lft 0): neither is in the code nor announced.
stop lena
V6=2001:db8:77
LENA_NS=$(cat "$T/lena.ns")
ip netns exec "$LENA_NS" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 \
    net.ipv6.conf.eth0.use_tempaddr=2 &&
ip -n "$LENA_NS" addr add "$V6::1/64" dev eth0 nodad mngtmpaddr &&
ip -n "$LENA_NS" addr add 2001:db8:78::1/64 dev eth0 nodad preferred_lft 0 &&
ip -n "$(cat "$T/ben.ns")" addr add "$V6::2/64" dev eth0 nodad ||
	fail "IPv6 addresses"
TEMP=$(ip -n "$LENA_NS" -6 addr show dev eth0 | awk '/ temporary / { sub("/.*", "", $2); print $2; exit }')
[ -n "$TEMP" ] || fail "no temporary address: $(ip -n "$LENA_NS" -6 addr show dev eth0)"
netns_start lena "[::]:$NETNS_PORT"
code=$(b lena invite 2>"$T/err") || fail "lena invite on [::]"
got=$(addrs "$code" | tr '\n' ' ')
echo "lena on [::]: $got (not her temporary $TEMP, nor her deprecated 2001:db8:78::1)"
[ "$got" = "[$V6::1]:$NETNS_PORT $LENA_IP:$NETNS_PORT " ] ||
	fail "lena's code on [::]: $got"
until_ok 20 sh -c "'$BALINT' --home '$T/ben' peer list | grep -F '[$V6::1]:$NETNS_PORT' | grep -qw lena" ||
	fail "lena's global IPv6 address is not announced: $(b ben peer list)"
b ben peer list | grep -qF -e "[$TEMP]" -e "[2001:db8:78::1]" &&
	fail "lena announced a temporary or deprecated address: $(b ben peer list)"
echo "lena's announce carries [$V6::1]:$NETNS_PORT, not $TEMP"
member cai; netns_member cai
ip -n "$(cat "$T/cai.ns")" addr add "$V6::3/64" dev eth0 nodad || fail "cai's IPv6"
netns_start cai "[::]:$NETNS_PORT"
b cai join "$code" --accept >/dev/null || fail "cai cannot join through IPv6"
b cai peer list | grep -F "[$V6::1]:$NETNS_PORT" | grep -w lena | grep -qw up ||
	fail "cai did not join through [$V6::1]: $(b cai peer list)"
echo "cai joined through [$V6::1]:$NETNS_PORT"
echo "ben joined from his machine through $LENA_IP:$NETNS_PORT"
exit 0
