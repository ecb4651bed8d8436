#!/bin/sh
# Two leaders, partitioned.  lena founds the group naming lars as
# Co-leader; lars, once added, invites (cem) and revokes (cem) like lena.
# Then the two never meet until the end: with lars and xaver offline, lena
# revokes xaver (bea sees it); with lena and bea offline, lars invites
# yuki, who joins at lars, and xaver -- who has not heard of his removal --
# writes a note that lars and yuki store.  When everyone is back, all
# members agree on the roster, the current epoch and the group state code;
# xaver is revoked everywhere (remove wins) and his note written beyond the
# cut is gone; yuki is active, and a note yuki writes afterwards reaches
# lena and bea but never xaver.  Last, bea's software goes bad
# (tests/interop/forge-peer with bea's profile): over a real session it
# pushes forged roster entries to lena, who refuses them (session dropped,
# store unchanged), an ADD signed by bea, no leader, included.
. "$(dirname "$0")/../lib/daemons.sh"

member lena; member lars; member bea; member cem; member xaver; member yuki
start lena; start lars; start bea; start cem; start xaver

# mid WHO — WHO's member id.
mid() {
	b "$1" --json status | grep '"kind": "daemon"' |
		sed 's/.*"member_id": "\([^"]*\)".*/\1/'
}
# code WHO — the group state code WHO shows (status), or "".
code() {
	b "$1" --json status | grep '"kind": "group"' |
		sed -n 's/.*"state_code": "\([0-9-]*\)".*/\1/p'
}
# epoch WHO — WHO's current epoch (status).
epoch() {
	b "$1" --json status | grep '"kind": "group"' |
		sed -n 's/.*"epoch": \([0-9]*\).*/\1/p'
}
# st WHO NAME STATUS — WHO's roster has NAME with STATUS.
st() {
	b "$1" --json members | grep "\"name\": \"$2\"" |
		grep -q "\"status\": \"$3\""
}
# agree WHO... — all show the same members (--json, state code included),
# the same state code and the same current epoch.
agree() {
	_first=$1; shift
	b "$_first" --json members >"$T/agree.$_first" 2>/dev/null || return 1
	_c=$(code "$_first"); _e=$(epoch "$_first")
	[ -n "$_c" ] || return 1
	for _w in "$@"; do
		b "$_w" --json members >"$T/agree.$_w" 2>/dev/null || return 1
		cmp -s "$T/agree.$_first" "$T/agree.$_w" || return 1
		[ "$(code "$_w")" = "$_c" ] || return 1
		[ "$(epoch "$_w")" = "$_e" ] || return 1
	done
}
# shows WHO TEXT — WHO's note list has TEXT.
shows() {
	b "$1" note list 2>/dev/null | grep -q -- "$2"
}

LARS=$(mid lars)
[ -n "$LARS" ] || fail "no member id for lars"
cat >"$T/contract.txt" <<TXT
Name: Two leaders
History: from-join
Co-leader: $LARS

What is discussed in the group stays in the group.
TXT
b lena group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
c=$(b lena invite) || fail "invite lars"
b lars join "$c" --accept >/dev/null || fail "lars join"
for m in bea xaver; do
	c=$(b lena invite) || fail "invite $m"
	b $m join "$c" --accept >/dev/null || fail "$m join"
done
# The co-leader invites, and revokes.
c=$(b lars invite) || fail "lars (co-leader) cannot invite"
b cem join "$c" --accept >/dev/null || fail "cem join (invited by lars)"
for m in lena lars bea xaver; do
	until_ok 30 st $m cem active || fail "$m does not see cem"
done
b lars revoke --yes cem >/dev/null || fail "lars (co-leader) cannot revoke"
for m in lena lars bea xaver; do
	until_ok 30 st $m cem revoked || fail "$m does not see cem revoked"
done
stop cem
MARK=two-leaders-$$
b xaver note write --title "xaver before" -m "x1 $MARK" >/dev/null ||
	fail "xaver writes"
for m in lena lars bea; do
	until_ok 30 shows $m "xaver before" || fail "$m lacks xaver's note"
done
until_ok 30 agree lena lars bea xaver ||
	fail "members disagree before the partition"
code0=$(code lena)

# ---- lena's side: lars and xaver are away; lena revokes xaver. ----------
stop lars; stop xaver
b lena revoke --yes xaver >/dev/null || fail "lena revokes xaver"
until_ok 30 st bea xaver revoked || fail "bea does not see xaver revoked"
until_ok 30 agree lena bea || fail "lena and bea disagree"
code_lena=$(code lena)
[ "$code_lena" != "$code0" ] || fail "the revocation kept the state code"
stop lena; stop bea

# ---- lars's side: lena and bea are away; lars adds yuki; xaver writes. --
start lars; start xaver; start yuki
st lars xaver active || fail "lars heard of the revocation too early"
c=$(b lars invite) || fail "lars invites yuki"
b yuki join "$c" --accept >/dev/null || fail "yuki join (at lars)"
until_ok 30 st lars yuki active || fail "lars does not see yuki"
b xaver note write --title "xaver during" -m "x2 $MARK" >/dev/null ||
	fail "xaver writes during the partition"
for m in lars yuki; do
	until_ok 30 shows $m "xaver during" || fail "$m lacks xaver's 2nd note"
done
code_lars=$(code lars)
[ "$code_lars" != "$code_lena" ] || fail "the two sides show one code"

# ---- they reconnect. -----------------------------------------------------
start lena; start bea
# merged — everyone knows both changes and agrees on the result.
merged() {
	for _m in lena lars bea yuki; do
		st $_m xaver revoked && st $_m yuki active || return 1
	done
	agree lena lars bea yuki
}
until_ok 60 merged ||
	fail "members disagree after the merge: $(code lena) $(code lars) $(code bea) $(code yuki)"
for m in lena lars bea yuki; do
	st $m lars active || fail "$m lost lars"
	b $m members | grep -q "^lars *leader" || fail "$m: lars is no leader"
done
code_end=$(code lena)
[ "$code_end" != "$code_lena" ] && [ "$code_end" != "$code_lars" ] ||
	fail "the merged state code is one side's"
# xaver's note beyond his cut is gone everywhere; the one before stays.
for m in lars yuki; do
	until_ok 30 sh -c "! '$BALINT' --home '$T/$m' note list |
		grep -q 'xaver during'" || fail "$m keeps xaver's note beyond his cut"
done
for m in lena bea; do
	shows $m "xaver during" && fail "$m has xaver's note beyond his cut"
	shows $m "xaver before" || fail "$m lost xaver's note before the cut"
done

# yuki writes (once a leader has rotated to the merged members).
until_ok 30 b yuki note write --title "yuki after" -m "y1 $MARK" ||
	fail "yuki cannot write after the merge"
for m in lena lars bea; do
	until_ok 30 shows $m "yuki after" || fail "$m does not get yuki's note"
done
shows xaver "yuki after" && fail "xaver reads yuki's note"
# No plaintext of it anywhere in xaver's profile.
grep -r -a -l -- "y1 $MARK" "$T/xaver" "$T/xaver.log" 2>/dev/null &&
	fail "yuki's note is in plaintext in xaver's profile"
# After the leaders' rotation everyone agrees again, on a new code.
until_ok 30 agree lena lars bea yuki || fail "members disagree at the end"
for m in lena lars bea yuki; do
	st $m xaver revoked || fail "$m: xaver is not revoked at the end"
done

# ---- forged roster entries over a real session. --------------------------
FORGE=$BUILD/tests/forge-peer
[ -x "$FORGE" ] || fail "no $FORGE (make unit builds it)"
stop bea
# entries WHO — the group's entry count at WHO.
entries() {
	b "$1" --json status | grep '"kind": "group"' |
		sed -n 's/.*"entries": \([0-9]*\).*/\1/p'
}
LENA=$(mid lena)
code_f=$(code lena); n_f=$(entries lena)
b lena --json members >"$T/members.before"
for mode in bad-accept wrong-create stranger; do
	out=$("$FORGE" "$T/bea" "$(addr lena)" "$LENA" $mode) ||
		fail "forge-peer $mode: $out"
	case $out in
	closed*) ;;
	*) fail "lena kept the session after a forged entry ($mode): $out" ;;
	esac
	[ "$(entries lena)" = "$n_f" ] || fail "lena stored a forged entry ($mode)"
	[ "$(code lena)" = "$code_f" ] || fail "a forged entry ($mode) changed lena's code"
done
# (bea is no leader: her ADD with a bad acceptance is refused for that.)
for why in "a roster operation only a leader may make" \
    "CREATE of a group that exists" "the author may not write here"; do
	grep "rejected a batch" "$T/lena.log" | grep -q "$why" ||
		fail "lena did not refuse a forged entry for: $why"
done
# bea's own (valid, signed) log entry, but she is no leader: no fold would
# take it, so lena refuses it on receipt (issue 12; it used to be stored,
# relayed and refolded by everyone).
out=$("$FORGE" "$T/bea" "$(addr lena)" "$LENA" non-leader) ||
	fail "forge-peer non-leader: $out"
case $out in
closed*) ;;
*) fail "forge-peer non-leader: lena kept the session: $out" ;;
esac
[ "$(entries lena)" -eq "$n_f" ] || fail "lena stored bea's ADD"
[ "$(code lena)" = "$code_f" ] || fail "bea's ADD changed lena's state code"
b lena --json members >"$T/members.after"
cmp -s "$T/members.before" "$T/members.after" || fail "bea's ADD changed lena's roster"
b lena members | grep -q mallory && fail "bea's ADD admitted someone"
exit 0
