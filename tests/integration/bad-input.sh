#!/bin/sh
# Bad input: with A and B members syncing, A's TCP port gets garbage,
# truncated handshakes, oversized and lying length prefixes, bad frames
# past a real handshake (under an invite's network key, by
# $BUILD/tests/bad-peer) and a connection that stops half-way; A's control
# socket gets garbage, huge and zero length prefixes, truncated and
# malformed requests, another protocol version, arguments of the wrong
# type, an oversized note, and a client of another uid.  Afterwards A is
# still running, its store is unchanged, and A and B still sync both ways.
. "$(dirname "$0")/../lib/daemons.sh"

BADPEER=$BUILD/tests/bad-peer
[ -x "$BADPEER" ] || fail "$BADPEER not built (run: make unit)"

member alice; member bob
start alice; start bob

cat >"$T/contract.txt" <<'TXT'
Name: Bad input
History: from-join

Be kind to each other, not to strangers' bytes.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null ||
	fail "group create"
code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
# An open invite: its network key gets bad-peer past the handshake.
spare=$(b alice invite) || fail "spare invite"

has() {	# member text
	b "$1" note list 2>/dev/null | grep -q -- "$2"
}
b bob note write --title "before" -m "written before the attacks" \
	>/dev/null || fail "bob note write"
until_ok 20 has alice before || fail "alice did not get bob's first note"

# A restart settles alice's own announcement (made at start); bob comes
# back to her by himself.
stop alice
start alice

# The store's state: entry count (status) and notes (note list).
entries() {	# member
	b "$1" --json status |
		sed -n 's/.*"kind": "group".*"entries": \([0-9]*\).*/\1/p'
}
level() {
	[ -n "$(entries alice)" ] && [ "$(entries alice)" = "$(entries bob)" ]
}
until_ok 30 level || fail "bob is not level with alice after her restart"
n_entries=$(entries alice)
fds() { ls "/proc/$PID_alice/fd" | wc -l; }
n_fds=$(fds)
b alice --json note list >"$T/notes.before" || fail "note list"

port=$(cat "$T/alice.port")
sock=$T/alice/balintd.sock

# ---- the TCP port, before any handshake ------------------------------------
cat >"$T/tcp.py" <<'PY'
# tcp.py PORT MODE [RESULT]: bad bytes to balintd's TCP port; the daemon
# must close without sending a byte (it never answers without the network
# key).  Prints "ok" or why not.  Mode silent: half a hello, then wait for
# the daemon to close; writes "closed N" to RESULT.
import os, socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s

def drain(s):
    got = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except ConnectionResetError:
        pass
    except socket.timeout:
        return None
    return got

def send(s, data):
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass

r = os.urandom
if mode == "silent":
    s = conn()
    send(s, r(20))
    t0 = time.time()
    got = drain(s)
    with open(sys.argv[3], "w") as f:
        f.write("closed %d bytes after %.1f s\n" %
                (-1 if got is None else len(got), time.time() - t0))
    sys.exit(0)
cases = {
    "garbage": [r(1000)],
    "text": [b"GET / HTTP/1.0\r\nHost: x\r\n\r\n" * 4],
    "zeros": [bytes(64)],
    "huge-prefix": [b"\xff\xff\xff\xff" + r(200)],
    "prefix-junk": [b"\x00\x00\x00\x40" + r(60), r(64)],
    "short-hello": [r(30)],
    "two-hellos": [r(64), r(64), r(112)],
}
for name in (cases if mode == "all" else [mode]):
    s = conn()
    for part in cases[name]:
        send(s, part)
    if name == "short-hello":
        s.shutdown(socket.SHUT_WR)
    got = drain(s)
    s.close()
    if got is None:
        print("%s: still open after 30 s" % name)
        sys.exit(1)
    if got:
        print("%s: the daemon sent %d bytes" % (name, len(got)))
        sys.exit(1)
print("ok")
PY

# A connection that sends half a hello and goes silent, held open while
# the rest runs; the handshake timeout must close it.
python3 "$T/tcp.py" "$port" silent "$T/silent.out" &
silent_pid=$!
PIDS="$PIDS $silent_pid"

out=$(python3 "$T/tcp.py" "$port" all) || fail "tcp: $out"
[ "$out" = ok ] || fail "tcp: $out"
# A burst of garbage connections at once.
i=0
while [ $i -lt 20 ]; do
	python3 "$T/tcp.py" "$port" garbage >"$T/burst.$i" 2>&1 &
	eval "burst_$i=\$!"
	i=$((i + 1))
done
i=0
while [ $i -lt 20 ]; do
	eval "wait \$burst_$i" || { cat "$T/burst.$i"; fail "burst $i"; }
	i=$((i + 1))
done
kill -0 "$PID_alice" || fail "alice died on TCP garbage"

# ---- past the handshake: bad frames and join messages -----------------------
# A stalled frame (half of it, then nothing) held open meanwhile.
"$BADPEER" "$(addr alice)" "$spare" stall >"$T/stall.out" 2>&1 &
stall_pid=$!
PIDS="$PIDS $stall_pid"
for mode in huge overmax undermin junk truncated noheader garbage version \
    forged final; do
	out=$("$BADPEER" "$(addr alice)" "$spare" $mode 2>&1) ||
		fail "bad-peer $mode: $out"
	case $out in
	"closed after "*) ;;
	*) fail "bad-peer $mode: $out" ;;
	esac
done
kill -0 "$PID_alice" || fail "alice died on bad frames"

# ---- the control socket ------------------------------------------------------
cat >"$T/ctl.py" <<'PY'
# ctl.py SOCKET MODE: bad input on balintd's control socket (4-byte
# big-endian length + msgpack).  Prints "ok" or what went wrong.
import os, socket, struct, sys
path, mode = sys.argv[1], sys.argv[2]

def enc(v):
    if isinstance(v, bool):
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        return bytes([v]) if v < 128 else b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, str):
        v = v.encode()
        if len(v) < 32:
            return bytes([0xa0 | len(v)]) + v
        return b"\xdb" + struct.pack(">I", len(v)) + v
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b"".join(enc(x) for x in v)
    raise ValueError(v)

def dec(b, i=0):
    t = b[i]
    if t < 0x80: return t, i + 1
    if t & 0xf0 == 0x90:
        out, i = [], i + 1
        for _ in range(t & 15):
            x, i = dec(b, i); out.append(x)
        return out, i
    if t == 0xdc:
        n = struct.unpack(">H", b[i+1:i+3])[0]; out, i = [], i + 3
        for _ in range(n):
            x, i = dec(b, i); out.append(x)
        return out, i
    if t & 0xe0 == 0xa0: n = t & 31; return b[i+1:i+1+n].decode(), i+1+n
    if t == 0xd9: n = b[i+1]; return b[i+2:i+2+n].decode(), i+2+n
    if t == 0xda:
        n = struct.unpack(">H", b[i+1:i+3])[0]
        return b[i+3:i+3+n].decode(), i+3+n
    if t == 0xc0: return None, i + 1
    if t in (0xc2, 0xc3): return t == 0xc3, i + 1
    if t == 0xcc: return b[i+1], i + 2
    if t == 0xcd: return struct.unpack(">H", b[i+1:i+3])[0], i + 3
    if t == 0xce: return struct.unpack(">I", b[i+1:i+5])[0], i + 5
    if t == 0xcf: return struct.unpack(">Q", b[i+1:i+9])[0], i + 9
    raise ValueError("type 0x%02x" % t)

def req(ver, rid, cmd, args):
    return enc([ver, rid, cmd, [[k, v] for k, v in args]])

def frame(m):
    return struct.pack(">I", len(m)) + m

def conn():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    return s

def send(s, data):
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass

def recvn(s, n):
    got = b""
    while len(got) < n:
        try:
            d = s.recv(n - len(got))
        except ConnectionResetError:
            d = b""
        if not d:
            return got
        got += d
    return got

def closed_silently(s, what):
    # The daemon must close without answering.
    got = recvn(s, 1 << 20)
    s.close()
    if got:
        sys.exit("%s: got %d bytes, want none" % (what, len(got)))

def answer(s, what):
    hdr = recvn(s, 4)
    if len(hdr) != 4:
        sys.exit("%s: no answer" % what)
    n = struct.unpack(">I", hdr)[0]
    body = recvn(s, n)
    if len(body) != n:
        sys.exit("%s: answer cut short" % what)
    v, end = dec(body)
    if end != n or not isinstance(v, list) or len(v) != 5:
        sys.exit("%s: malformed answer %r" % (what, body[:64]))
    return v

def refused(what, data, shut=False):
    s = conn()
    send(s, data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    closed_silently(s, what)

ok_req = req(1, 5, "status", [])
if mode == "garbage":
    refused("text", b"hello, is this the daemon?\n" * 10)
    refused("random", os.urandom(4096))
    refused("huge prefix", b"\xff\xff\xff\xff" + os.urandom(64))
    refused("prefix above the maximum", struct.pack(">I", (1 << 20) + 1))
    refused("zero prefix", b"\x00\x00\x00\x00" + ok_req)
    refused("random message", frame(os.urandom(100)))
    refused("not an array", frame(enc("status")))
    refused("short array", frame(enc([1, 5, "status"])))
    refused("trailing byte", frame(ok_req + b"\x00"))
    refused("bad msgpack type", frame(b"\x94\x01\x05\xc1\x90"))
    refused("args not pairs", frame(enc([1, 5, "status", [1, 2]])))
    refused("key not a string", frame(enc([1, 5, "status", [[7, 1]]])))
    refused("huge command name", frame(req(1, 5, "x" * 100, [])))
    # Truncated: the prefix promises more than comes, then EOF.
    refused("truncated message", frame(ok_req)[:-3], shut=True)
    refused("truncated prefix", b"\x00\x00", shut=True)
    refused("truncated 1 MiB", struct.pack(">I", 1 << 20) +
            os.urandom(70000), shut=True)
    # A request cut short but framed as whole.
    refused("cut msgpack", frame(ok_req[:-2]))
elif mode == "version":
    for ver in (2, 0, 1 << 40):
        s = conn()
        send(s, frame(req(ver, 9, "status", [])))
        v = answer(s, "version %d" % ver)
        if v[1] != 9 or v[2] != 2 or "version %d" % ver not in v[3] or \
                "version 1" not in v[3]:
            sys.exit("version %d: answer %r" % (ver, v))
        closed_silently(s, "after the version answer")
elif mode == "usage":
    # A request trickling in one byte at a time is still understood.
    s = conn()
    for byte in frame(ok_req):
        send(s, bytes([byte]))
    v = answer(s, "trickle")
    if v[1] != 5 or v[2] != 0:
        sys.exit("trickled status: answer %r" % v[:4])
    s.close()
    # Several requests on one connection; each answered, the last normally.
    s = conn()
    send(s, frame(req(1, 1, "frobnicate", [])))
    send(s, frame(req(1, 2, "note.write", [("body", 12345)])))
    send(s, frame(req(1, 3, "note.write", [("body", "x" * 65537)])))
    send(s, frame(req(1, 4, "note.write", [("body", " \n\t ")])))
    send(s, frame(req(1, 5, "note.write", [("body", "x"), ("kind", "odd")])))
    send(s, frame(req(1, 6, "note.write", [("body", "x"), ("title", 5)])))
    send(s, frame(req(1, 7, "note.show", [("note", "")])))
    send(s, frame(req(1, 8, "note.write", [("body", "x"), ("title", "a\nb")])))
    send(s, frame(req(1, 9, "note.write", [("body", "x"),
                                          ("case", "\x1b[2J")])))
    send(s, frame(req(1, 10, "invite", [("name", "x\ny")])))
    send(s, frame(req(1, 11, "members", [("group", "")])))
    send(s, frame(req(1, 12, "note.write", [("body", "x"), ("group", 7)])))
    send(s, frame(req(1, 13, "join", [("code", "x"), ("accept", True),
                                     ("preview", True)])))
    send(s, frame(req(1, 14, "invite", [("expires", 0)])))
    send(s, frame(req(1, 15, "status", [])))
    want = {1: 2, 2: 2, 3: 1, 4: 1, 5: 2, 6: 2, 7: 1, 8: 2, 9: 2, 10: 2,
            11: 2, 12: 2, 13: 2, 14: 2, 15: 0}
    for _ in range(len(want)):
        v = answer(s, "usage")
        if v[1] not in want or v[2] != want[v[1]]:
            sys.exit("request %r: answer %r" % (v[1], v[:4]))
        if v[2] != 0 and (not v[3] or "\n" in v[3]):
            sys.exit("request %r: error %r is not one line" % (v[1], v[3]))
        del want[v[1]]
    s.close()
elif mode == "stall":
    # Half a request, then silence: held open until killed.
    s = conn()
    send(s, frame(ok_req)[:6])
    print("stalled", flush=True)
    recvn(s, 1)
    sys.exit(0)
else:
    sys.exit("unknown mode " + mode)
print("ok")
PY

# A control client that stalls half-way through a request, meanwhile.
python3 "$T/ctl.py" "$sock" stall >"$T/ctlstall.out" 2>&1 &
ctlstall_pid=$!
PIDS="$PIDS $ctlstall_pid"
until_ok 20 grep -q stalled "$T/ctlstall.out" || fail "stalled client"
for mode in garbage version usage; do
	out=$(python3 "$T/ctl.py" "$sock" $mode 2>&1) || fail "ctl $mode: $out"
	[ "$out" = ok ] || fail "ctl $mode: $out"
done
b alice status >/dev/null || fail "status while a control client stalls"

# A control client of another uid is refused before it is heard: balint
# itself, run as nobody, gets the connection closed without an answer.
asnobody() {
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" \
		--clear-groups "$@"
}
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
    asnobody "$BALINT" --version >/dev/null 2>&1; then
	nobody=$(id -u nobody)
	chmod 0711 "$T" "$T/alice"
	chmod 0666 "$sock"
	asnobody "$BALINT" --home "$T/alice" status >"$T/nobody.out" \
		2>"$T/nobody.err"
	rc=$?
	asnobody "$BALINT" --home "$T/alice" note write -m "intruder" \
		>>"$T/nobody.out" 2>>"$T/nobody.err"
	rc2=$?
	chmod 0700 "$T" "$T/alice"
	chmod 0600 "$sock"
	[ $rc -eq 1 ] && [ $rc2 -eq 1 ] ||
		fail "balint as uid $nobody exited $rc and $rc2: $(cat "$T/nobody.err")"
	[ ! -s "$T/nobody.out" ] || fail "uid $nobody got output"
	[ "$(grep -c "closed the connection without an answer" \
	    "$T/nobody.err")" -eq 2 ] ||
		fail "uid $nobody: $(cat "$T/nobody.err")"
	[ "$(grep -c "refused control client uid $nobody\$" \
	    "$T/alice.log")" -eq 2 ] ||
		fail "not two log lines for the refused uid"
else
	echo "not root (or nobody cannot run $BALINT): other uid not tried"
fi

# ---- afterwards ----------------------------------------------------------------
kill -0 "$PID_alice" || fail "alice's daemon died"
b alice status >/dev/null || fail "alice status"
for m in alice bob; do
	[ "$(entries $m)" = "$n_entries" ] ||
		fail "$m's store changed: $(entries $m) entries, was $n_entries"
done
b alice --json note list >"$T/notes.after" || fail "note list"
cmp -s "$T/notes.before" "$T/notes.after" || fail "alice's notes changed"

b alice note write --title "from alice" -m "after the storm, A" \
	>/dev/null || fail "alice note write"
b bob note write --title "from bob" -m "after the storm, B" \
	>/dev/null || fail "bob note write"
until_ok 30 has bob "from alice" || fail "bob did not get alice's new note"
until_ok 30 has alice "from bob" || fail "alice did not get bob's new note"

# The silent half-hello was closed by the handshake timeout, with no byte.
until_ok 30 test -s "$T/silent.out" || fail "the silent connection stays open"
grep -q "^closed 0 bytes" "$T/silent.out" ||
	fail "silent connection: $(cat "$T/silent.out")"

# Every refused connection was closed (the two stalled ones excepted).
fds_ok() { [ "$(fds)" -le $((n_fds + 2)) ]; }
until_ok 20 fds_ok || fail "alice holds $(fds) descriptors, had $n_fds"

# Every refusal left a line in the log, and nothing crashed or leaked.
for pat in "handshake refused" "bad frame (input too large)" \
    "bad frame (malformed input)" "bad frame (authentication failed)" \
    "join from .*: malformed message" "acceptance signature does not verify" \
    "bad frame length" "malformed request" "version 2, not 1"; do
	grep -q "$pat" "$T/alice.log" || fail "no log line matching '$pat'"
done
# Shutting down with stalled clients still connected is clean (exit 0).
stop alice
stop bob
kill "$stall_pid" "$ctlstall_pid" 2>/dev/null
if grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/*.log; then
	fail "a sanitizer complained"
fi
exit 0
