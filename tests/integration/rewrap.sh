#!/bin/sh
# A key file sealed by an older release at Argon2id's "interactive" costs
# (2 passes, 64 MiB; tests/lib/interactive-profile, passphrase "test
# passphrase") is rewrapped at today's "moderate" costs (3 passes, 256 MiB)
# when balintd unlocks it: same member, and the next start unlocks the new
# file.
. "$(dirname "$0")/../lib/daemons.sh"

FIX=$(dirname "$0")/../lib/interactive-profile
mkdir -m 700 "$T/old"
cp "$FIX/identity.key" "$FIX/name" "$T/old/"
chmod 600 "$T/old/identity.key" "$T/old/name"
costs() { od -An -tx1 -N9 "$T/old/identity.key" | tr -d ' \n'; }
# [1, 1, opslimit, memlimit (uint32), ...]
[ "$(costs)" = 98010102ce04000000 ] || fail "the fixture is not at interactive costs: $(costs)"
start old
[ "$(costs)" = 98010103ce10000000 ] || fail "the key file was not rewrapped: $(costs)"
[ "$(stat -c %a "$T/old/identity.key")" = 600 ] || fail "the rewrapped key file is not 0600"
grep -q "rewrapped under Argon2id" "$T/old.log" || fail "no log line of the rewrap"
want=$(sed 's/^member id: *//' "$FIX/member-id")
b old status | grep -q "$want" || fail "another member after the rewrap"
stop old
start old
b old status | grep -q "$want" || fail "the rewrapped key does not unlock"
[ "$(grep -c "rewrapped" "$T/old.log")" -eq 1 ] || fail "rewrapped twice"
exit 0
