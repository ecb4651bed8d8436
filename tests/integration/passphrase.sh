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

# On a terminal: asked twice, nothing echoed.
unset BALINT_PASSPHRASE_FILE
python3 - "$BALINT" "$T/ann" >"$T/pty.out" 2>&1 <<'PY' || fail "passphrase on a terminal: $(cat "$T/pty.out")"
import os, pty, sys, time
balint, home = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(balint, [balint, "--home", home, "passphrase"])
out = b""
def until(want):
    global out
    t = time.time() + 60
    while want not in out:
        if time.time() > t:
            sys.exit("no %r in %r" % (want, out))
        try:
            out += os.read(fd, 1024)
        except OSError:
            break
for prompt, line in ((b"old passphrase: ", b"copper meadow quietly sings"),
                     (b"new passphrase: ", b"amber tunnel fourteen owls"),
                     (b"repeat it: ", b"amber tunnel fourteen owls")):
    until(prompt)
    os.write(fd, line + b"\n")
until(b"was changed")
_, st = os.waitpid(pid, 0)
if b"meadow" in out or b"tunnel" in out:
    sys.exit("the passphrase was echoed: %r" % out)
sys.exit(0 if os.WEXITSTATUS(st) == 0 else 1)
PY
# balintd asks on its terminal too, without echo.
python3 - "$BALINTD" "$T/ann" "$(free_port)" >"$T/pty.out" 2>&1 <<'PY' || fail "balintd on a terminal: $(cat "$T/pty.out")"
import os, pty, signal, sys, time
balintd, home, port = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(balintd, [balintd, "--home", home, "--listen", "127.0.0.1:" + port])
out = b""
def until(want):
    global out
    t = time.time() + 60
    while want not in out:
        if time.time() > t:
            os.kill(pid, signal.SIGTERM)
            sys.exit("no %r in %r" % (want, out))
        try:
            out += os.read(fd, 1024)
        except OSError:
            break
until(b"passphrase: ")
os.write(fd, b"amber tunnel fourteen owls\n")
until(b"ready")
os.kill(pid, signal.SIGTERM)
os.waitpid(pid, 0)
if b"tunnel" in out:
    sys.exit("the passphrase was echoed: %r" % out)
PY
exit 0
