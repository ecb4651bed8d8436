#!/bin/sh
# Address flooding (issue 12 point 2, docs/threat-model.md "Address
# flooding").  mallory, a member, uses tests/interop/hostile-peer (flood)
# to push 8 announces of 8 junk addresses each, 64 in all, on 127.0.0.10,
# which sort before every real address and lead nowhere.  Before the fix
# every announced address was kept and a group dialed the first 64 in
# address order: after a restart alice and bob dialed only the junk, had
# no session, and alice's next note never reached bob.  Now each member's
# latest announce counts, with at most 4 of its addresses, and dial
# targets are picked in rounds across members: alice and bob meet again
# at once and the note arrives.  When mallory is revoked, her addresses
# are gone from everyone's list.  One of her announced addresses is
# link-local ("[fe80::1%lo]:9"): nobody dials it.  Another is bob's:
# revoking her must not make alice forget bob's address (a restart shows
# what alice's store kept).  A third is carol's, which alice typed before
# she met carol: that target learns its member from the session there, so
# it names carol, not mallory (before: mallory's announce named mallory
# there, alice dialed carol's address with mallory's key, and after the
# revoke that target stayed mallory's, never dialed).
. "$(dirname "$0")/../lib/daemons.sh"

HOSTILE=$BUILD/tests/hostile-peer
[ -x "$HOSTILE" ] || fail "no $HOSTILE (make unit builds it)"

member alice; member bob; member mallory
start alice; start bob; start mallory
cat >"$T/contract.txt" <<'TXT'
Name: Eclipse Tuesday

What is discussed in the group stays in the group.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
code=$(b alice invite) || fail "invite for mallory"
b mallory join "$code" --accept >/dev/null || fail "mallory join"
ALICE=$(b alice --json status | grep '"kind": "daemon"' |
	sed 's/.*"member_id": "\([^"]*\)".*/\1/')

# up WHO NAME — WHO has a session with NAME.
up() { b "$1" peer list | grep -w "$2" | grep -qw up; }
# junk WHO — how many of mallory's junk addresses WHO keeps.
junk() { b "$1" peer list | grep -c '127\.0\.0\.10:'; }
until_ok 30 up alice bob || fail "alice and bob never met: $(b alice peer list)"
until_ok 30 up bob alice || fail "bob and alice never met"
# bob has alice's and mallory's announces (alice relays them).
until_ok 30 sh -c "'$BALINT' --home '$T/bob' peer list | grep -q '$(addr mallory)'" ||
	fail "bob never learned mallory's address: $(b bob peer list)"

stop mallory
member carol; free_port >"$T/carol.port"
LL='[fe80::1%lo]:9'
out=$(FLOOD_ADDR="$(addr bob) $LL $(addr carol)" "$HOSTILE" "$T/mallory" "$(addr alice)" "$ALICE" flood 2>&1) ||
	fail "the flood did not run: $out"
[ "$out" = acked ] || fail "alice did not take mallory's announces: $out"
until_ok 30 sh -c "[ \$('$BALINT' --home '$T/bob' peer list | grep -c '127\.0\.0\.10:') -gt 0 ]" ||
	fail "bob never got mallory's announces"
a=$(junk alice); bj=$(junk bob)
echo "junk addresses kept: alice $a, bob $bj (of 64 announced)"
[ "$a" -le 4 ] && [ "$bj" -le 4 ] ||
	fail "more than 4 addresses of one member kept: alice $a, bob $bj"

# Both restart (a power cut, a new day): they must meet again.
stop alice; stop bob
start alice; start bob
until_ok 30 up alice bob ||
	fail "alice has no session with bob after a restart: $(b alice peer list)"
MARK=eclipse-$$
b alice note write --title "after the flood" -m "$MARK" >/dev/null ||
	fail "alice note write"
until_ok 30 sh -c "'$BALINT' --home '$T/bob' note list | grep -q 'after the flood'" ||
	fail "alice's note never reached bob"
echo "after a restart alice and bob met and her note reached bob"
# An announced link-local address with a zone is stored but never dialed
# (a member would dial it on its own link): idle, no dial target.
b alice peer list | grep -F "$LL" | grep -qw idle ||
	fail "alice dials an announced link-local address: $(b alice peer list)"

# carol: alice types her address (nobody there yet), then carol joins.
b alice peer add "$(addr carol)" >/dev/null 2>&1
start carol 0.0.0.0	# announces no loopback address: only the typed one leads to her
code=$(b alice invite) || fail "invite for carol"
b carol join "$code" --accept >/dev/null || fail "carol join"
until_ok 30 up alice carol || fail "alice and carol never met"
b alice peer add "$(addr carol)" >/dev/null 2>&1
# at_carol — alice's rows of carol's address name carol, none mallory.
at_carol() {
	_l=$(b alice peer list | grep -F "$(addr carol)")
	echo "$_l" | grep -qw carol && ! echo "$_l" | grep -qw mallory
}

# mallory revoked: her addresses are dropped everywhere.
b alice revoke --yes mallory >/dev/null || fail "revoke mallory"
until_ok 30 sh -c "! '$BALINT' --home '$T/alice' peer list | grep -q '127\.0\.0\.10:\|$(addr mallory)'" ||
	fail "alice keeps a revoked member's addresses: $(b alice peer list)"
until_ok 30 sh -c "! '$BALINT' --home '$T/bob' peer list | grep -q '127\.0\.0\.10:\|$(addr mallory)'" ||
	fail "bob keeps a revoked member's addresses: $(b bob peer list)"
echo "mallory revoked: her addresses are gone at alice and bob"
until_ok 30 at_carol ||
	fail "carol's typed address is mallory's at alice: $(b alice peer list)"
echo "carol's address, typed and announced by mallory, names carol at alice"
stop bob; stop alice; start alice
until_ok 10 sh -c "'$BALINT' --home '$T/alice' peer list | grep -w bob | grep -q '$(addr bob)'" ||
	fail "alice forgot bob's address with mallory's announce of it: $(b alice peer list)"
echo "bob's address, announced by mallory too, kept at alice"
exit 0
