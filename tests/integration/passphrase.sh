#!/bin/sh
# Passphrases: init refuses a weak one and says why (libpwquality), writing
# nothing; balint passphrase changes it (old one, new one twice), refusing
# a weak new one or a wrong old one without touching the key; afterwards
# only the new one unlocks balintd, for the same member.  On a terminal
# (a pty driven by python3), for balint passphrase and for balintd, nothing
# typed is echoed.
. "$(dirname "$0")/../lib/daemons.sh"

pf() { printf '%s\n' "$2" >"$T/$1"; chmod 600 "$T/$1"; }
pf weak password
pf good 'violet harbour seven lanterns'
pf new 'copper meadow quietly sings'

# init: a dictionary word is refused, with libpwquality's reason.
BALINT_PASSPHRASE_FILE=$T/weak b ann init --name ann >"$T/out" 2>"$T/err" &&
	fail "init took a weak passphrase"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "weak passphrase: $(cat "$T/err")"
grep -q "too weak: .*dictionary" "$T/err" || fail "weak passphrase: $(cat "$T/err")"
[ ! -e "$T/ann/identity.key" ] || fail "a refused init wrote a key"
BALINT_PASSPHRASE_FILE=$T/good b ann init --name ann >"$T/init.out" ||
	fail "init with a good passphrase"
mid=$(sed -n 's/^member id: *//p' "$T/init.out")
cp "$T/ann/identity.key" "$T/key.before"

# balint passphrase: a weak new one, or a wrong old one, changes nothing.
BALINT_PASSPHRASE_FILE=$T/good BALINT_NEW_PASSPHRASE_FILE=$T/weak \
	b ann passphrase >/dev/null 2>"$T/err" && fail "a weak new passphrase was taken"
grep -q "too weak" "$T/err" || fail "weak new passphrase: $(cat "$T/err")"
BALINT_PASSPHRASE_FILE=$T/new BALINT_NEW_PASSPHRASE_FILE=$T/new \
	b ann passphrase >/dev/null 2>"$T/err" && fail "a wrong old passphrase was taken"
grep -q "wrong passphrase" "$T/err" || fail "wrong old passphrase: $(cat "$T/err")"
cmp -s "$T/ann/identity.key" "$T/key.before" || fail "a refused change touched the key"
# A good one: changed; only the new passphrase unlocks, same member.
BALINT_PASSPHRASE_FILE=$T/good BALINT_NEW_PASSPHRASE_FILE=$T/new \
	b ann passphrase >"$T/out" 2>"$T/err" || fail "passphrase: $(cat "$T/err")"
grep -q "was changed" "$T/out" || fail "passphrase said: $(cat "$T/out")"
[ "$(stat -c %a "$T/ann/identity.key")" = 600 ] || fail "the new key file is not 0600"
BALINT_PASSPHRASE_FILE=$T/good "$BALINTD" --home "$T/ann" \
	--listen "127.0.0.1:$(free_port)" >/dev/null 2>"$T/err" &&
	fail "the old passphrase still unlocks"
grep -q "wrong passphrase" "$T/err" || fail "old passphrase: $(cat "$T/err")"
BALINT_PASSPHRASE_FILE=$T/new start ann
b ann status | grep -q "$mid" || fail "another member after the change"
stop ann

# On a terminal: asked twice, nothing echoed; balintd asks there too.
PTY="python3 $(dirname "$0")/../lib/pty-answer.py"
unset BALINT_PASSPHRASE_FILE
$PTY --send "old passphrase: " "copper meadow quietly sings" \
	--send "new passphrase: " "amber tunnel fourteen owls" \
	--send "repeat it: " "amber tunnel fourteen owls" \
	--until "was changed" --secret meadow --secret tunnel \
	-- "$BALINT" --home "$T/ann" passphrase >"$T/pty.out" 2>&1 ||
	fail "passphrase on a terminal: $(cat "$T/pty.out")"
$PTY --send "passphrase: " "amber tunnel fourteen owls" --until ready --term \
	--secret tunnel -- "$BALINTD" --home "$T/ann" \
	--listen "127.0.0.1:$(free_port)" >"$T/pty.out" 2>&1 ||
	fail "balintd on a terminal: $(cat "$T/pty.out")"
exit 0
