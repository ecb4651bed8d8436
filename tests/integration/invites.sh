#!/bin/sh
# Invites: a mistyped code is caught by its checksum (and does not burn
# the invite); an expired code is refused; a used code is refused to a
# different newcomer, also after the inviter restarts; a code bound to a
# name is refused to another name; only a leader invites; garbage codes
# and bad --expires values get one line and a non-zero exit.  No refused
# attempt changes anyone's roster.  An invite made with --confirm holds
# the newcomer, not a member, until the leader admits them by the
# fingerprint they read aloud, or refuses them (and the code is spent).
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol; member dave
start alice; start bob; start carol; start dave

cat >"$T/contract.txt" <<'TXT'
Name: Invites
History: from-join

We meet on Mondays.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
code_bob=$(b alice invite) || fail "invite for bob"
b bob --json join "$code_bob" --accept >"$T/bob.join" || fail "bob join"
# The joiner is told who invites: her name and her key's fingerprint.
fpr=$(b alice --json status | grep '"kind": "daemon"' |
	sed 's/.*"fingerprint": "\([^"]*\)".*/\1/')
[ -n "$fpr" ] || fail "no fingerprint in alice's status"
grep -q '"inviter": "alice"' "$T/bob.join" || fail "no inviter: $(cat "$T/bob.join")"
grep -qF "\"inviter_fingerprint\": \"$fpr\"" "$T/bob.join" ||
	fail "not alice's fingerprint ($fpr): $(cat "$T/bob.join")"

# refused CODE WHO TEXT ARGS... — balint as WHO exits CODE with one line
# on stderr that contains TEXT.
refused() {
	want=$1 who=$2 text=$3; shift 3
	b "$who" "$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] ||
		fail "$who $*: exit $got, want $want: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] ||
		fail "$who $*: not one line: $(cat "$T/err")"
	grep -q -- "$text" "$T/err" ||
		fail "$who $*: '$(cat "$T/err")' does not say '$text'"
	[ ! -s "$T/out" ] || fail "$who $*: printed $(cat "$T/out")"
}
# no_group WHO — WHO is in no group.
no_group() {
	b "$1" --json group list >"$T/groups" || fail "$1 group list"
	! grep -q '"group"' "$T/groups" || fail "$1 is in a group: $(cat "$T/groups")"
}
# members WHO — the names of WHO's active members, sorted, one line.
members() {
	b "$1" --json members | grep '"status": "active"' |
		sed 's/.*"name": "\([^"]*\)".*/\1/' | sort | tr '\n' ' '
}

# The join command documents the checksum and its exit codes.
b carol join --help >"$T/help" || fail "join --help"
grep -q "checksum" "$T/help" || fail "join --help does not mention the checksum"
grep -qi "exit 1" "$T/help" || fail "join --help does not give its exit codes"

# ---- a mistyped code --------------------------------------------------------
code=$(b alice invite) || fail "invite for carol"
prefix=${code%%:*}:
body=${code#"$prefix"}
[ "$prefix" = "balint-invite:" ] || fail "invite code '$code'"
# One character changed, in the middle of the code.
c=$(printf %s "$body" | cut -c20)
[ "$c" = A ] && r=B || r=A
typo="$prefix$(printf %s "$body" | cut -c1-19)$r$(printf %s "$body" | cut -c21-)"
[ "$typo" != "$code" ] || fail "typo not made"
refused 1 carol "mistyped (its checksum does not match)" join "$typo" --accept
# One character dropped, one added, two swapped.
refused 1 carol "mistyped" join "${code%?}" --accept
refused 1 carol "mistyped" join "${code}Q" --accept
a=$(printf %s "$body" | cut -c30) z=$(printf %s "$body" | cut -c31)
if [ "$a" != "$z" ]; then
	swap="$prefix$(printf %s "$body" | cut -c1-29)$z$a$(printf %s "$body" | cut -c32-)"
	refused 1 carol "mistyped" join "$swap" --accept
fi
no_group carol
# Blanks and line breaks, as a mail program may add, are fine; the typos
# did not burn the invite.
wrapped="$(printf %s "$code" | cut -c1-40)
   $(printf %s "$code" | cut -c41-)"
b carol join "$wrapped" --accept >"$T/out" 2>"$T/err" ||
	fail "carol join: $(cat "$T/err")"
grep -q "^joined group 'Invites'" "$T/out" || fail "carol join: $(cat "$T/out")"

# ---- a used code, tried by someone else --------------------------------------
refused 1 dave "already used" join "$code" --accept
refused 1 dave "already used" join "$code_bob" --accept
no_group dave
# A member is told so, whatever the code.
code=$(b alice invite) || fail "invite"
refused 1 bob "already a member" join "$code" --accept

# ---- an expired code ---------------------------------------------------------
code=$(b alice invite --expires 1s) || fail "invite --expires 1s"
sleep 2		# let it expire (not an assertion)
refused 1 dave "expired" join "$code" --accept
no_group dave

# ---- a code bound to another name ----------------------------------------------
# The refusal tells nothing of the binding (not the name, which whoever
# holds the code could then take), the same whatever the bound name; each
# refusal is counted and the third spends the code, for erin too.
code=$(b alice invite --name erin) || fail "invite --name erin"
refused 1 dave "did not admit you with this code (2 of 3 attempts left)" \
	join "$code" --accept
grep -qi erin "$T/err" && fail "the refusal tells the bound name: $(cat "$T/err")"
sed 's/erin/NAME/' "$T/err" >"$T/err-erin"
code_f=$(b alice invite --name frank) || fail "invite --name frank"
refused 1 dave "did not admit you" join "$code_f" --accept
cmp -s "$T/err" "$T/err-erin" ||
	fail "refusals differ by the bound name: $(cat "$T/err-erin") / $(cat "$T/err")"
# The code is read from standard input too (never from ps).
printf '%s\n' "$code" | b dave join --accept >"$T/out" 2>"$T/err" &&
	fail "the bound code let dave in"
grep -q "(1 of 3 attempts left)" "$T/err" || fail "second try: $(cat "$T/err")"
refused 1 dave "this code can no longer be used" join - --accept <<EOF2
$code
EOF2
grep -q "'dave' refused (attempt 3 of 3, the code is spent)" "$T/alice.log" ||
	fail "alice's log does not tell the spent code"
member erin; start erin
refused 1 erin "already used" join "$code" --accept
no_group dave
no_group erin

# ---- only a leader invites ---------------------------------------------------
refused 1 bob "only a leader" invite
refused 1 carol "only a leader" invite --expires 1h

# ---- garbage -------------------------------------------------------------------
refused 1 dave "not an invite code" join "hello" --accept
refused 1 dave "not an invite code" join "" --accept
refused 1 dave "mistyped" join "balint-invite:hello" --accept
refused 1 dave "mistyped" join "balint-invite:" --accept
refused 1 dave "not an invite code" join "$(head -c 3000 /dev/zero | tr '\0' x)" --accept
refused 1 dave "" join "$(printf 'balint-invite:\033[2J\001')" --accept
refused 2 dave "needs the invite code" join --accept </dev/null
refused 2 dave "" join a b --accept
refused 2 alice "bad --expires '0'" invite --expires 0
refused 2 alice "bad --expires 'soon'" invite --expires soon
refused 2 alice "bad --expires '-1d'" invite --expires -1d
refused 2 alice "within 1 second and 366 days" invite --expires 367d
no_group dave

# ---- a used code after the inviter restarts ---------------------------------------
stop alice
start alice
b dave join "$code_bob" --accept >"$T/out" 2>"$T/err" &&
	fail "bob's used code let dave in after alice's restart"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "used after restart: $(cat "$T/err")"
grep -q "already used" "$T/err" || fail "used after restart: $(cat "$T/err")"
no_group dave

# Nobody's roster changed by any refused attempt.
for m in alice bob carol; do
	until_ok 20 sh -c "[ \"\$('$BALINT' --home '$T/$m' --json members |
	    grep -c '\"status\": \"active\"')\" -eq 3 ]" ||
		fail "$m does not see 3 active members"
	[ "$(members $m)" = "alice bob carol " ] ||
		fail "$m's members: $(members $m)"
done
grep -q "join refused for .*: this invite was already used" "$T/alice.log" ||
	fail "no log line for the used invite"

# ---- invite --confirm: held until the leader compares the fingerprint ----------
# A code used first by someone else (erin intercepted dave's code) does not
# let them in: they wait, not a member, until alice compares the
# fingerprint dave reads her and refuses erin; dave gets in with a new
# code only once alice admits him.
fpr_of() {
	b "$1" --json status | grep '"kind": "daemon"' |
		sed 's/.*"fingerprint": "\([^"]*\)".*/\1/'
}
waiting() { b alice --json admit | grep -q "\"name\": \"$1\""; }
b alice note write --title "before" -m "before dave" >/dev/null || fail "note"
code=$(b alice invite --confirm) || fail "invite --confirm"
b erin join "$code" --accept --wait 60s >"$T/erin.out" 2>"$T/erin.err" &
erin_pid=$!
until_ok 20 waiting erin || fail "erin does not wait: $(b alice admit)"
no_group erin
b alice status >"$T/out" || fail "status"
grep -q "waiting to join 'Invites': erin, fingerprint $(fpr_of erin)" \
	"$T/out" || fail "status does not show erin waiting: $(cat "$T/out")"
[ "$(members alice)" = "alice bob carol " ] ||
	fail "erin in alice's roster before admit: $(members alice)"
# dave, with the same code meanwhile, is told someone else waits with it.
refused 1 dave "another newcomer already waits with this code" \
	join "$code" --accept
# dave reads his fingerprint aloud: it is nobody's who waits.
refused 1 alice "no newcomer waits as '$(fpr_of dave)'" admit "$(fpr_of dave)"
refused 1 alice "no newcomer waits as 'zoe'" admit zoe
refused 2 alice "needs the newcomer's name" admit --refuse
b alice admit --refuse erin >"$T/out" 2>"$T/err" ||
	fail "admit --refuse erin: $(cat "$T/err")"
grep -q "refused 'erin'" "$T/out" || fail "refuse: $(cat "$T/out")"
wait $erin_pid && fail "erin's join succeeded after the refusal"
grep -q "the inviter refused to admit you" "$T/erin.err" ||
	fail "erin was not told: $(cat "$T/erin.err")"
no_group erin
refused 1 dave "already used" join "$code" --accept
# A new code for dave: he waits, cannot read, until alice admits him by
# the fingerprint he reads her.
code=$(b alice invite --confirm) || fail "invite --confirm"
b dave join "$code" --accept --wait 60s >"$T/dave.out" 2>"$T/dave.err" &
dave_pid=$!
until_ok 20 waiting dave || fail "dave does not wait: $(b alice admit)"
no_group dave
b dave note list >/dev/null 2>&1 && fail "dave reads before he is admitted"
b alice admit "$(fpr_of dave)" >"$T/out" 2>"$T/err" ||
	fail "admit dave: $(cat "$T/err")"
grep -q "admitted 'dave'" "$T/out" || fail "admit: $(cat "$T/out")"
wait $dave_pid || fail "dave's join: $(cat "$T/dave.err")"
grep -q "^joined group 'Invites'" "$T/dave.out" || fail "dave: $(cat "$T/dave.out")"
b alice admit >"$T/out" || fail "admit list"
grep -q "nobody waits" "$T/out" || fail "still waiting: $(cat "$T/out")"
b alice note write --title "after" -m "after dave" >/dev/null || fail "note after"
until_ok 20 sh -c "'$BALINT' --home '$T/dave' note list | grep -q after" ||
	fail "dave does not read alice's note after admit"
exit 0
