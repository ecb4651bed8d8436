#!/bin/sh
# shs-interop.sh — balint's Secret Handshake (proto/shs.c, driven by
# $BUILD/tests/shs-peer) against the reference JavaScript implementation
# (npm secret-handshake v1, driven by tests/interop/shs-node.js), in both
# directions, plus a wrong-network-key case each way.  The two processes
# talk over a pair of FIFOs; each writes what it ended up with to a file,
# and the keys, nonces and identities must match crosswise.
#
#	BUILD=/abs/build sh tests/interop/shs-interop.sh
#
# Installs secret-handshake and pull-stream into $BUILD/npm the first
# time (needs npm and network); if that fails the test fails.
set -u

fail() {
	echo "shs-interop: FAIL: $*" >&2
	exit 1
}

cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
: "${BUILD:=$TOP/build}"
PEER=$BUILD/tests/shs-peer
NODEJS=$TOP/tests/interop/shs-node.js
NPMDIR=$BUILD/npm

[ -x "$PEER" ] || fail "$PEER not built (run: make unit)"
command -v node >/dev/null 2>&1 || fail "node is not installed"

if [ ! -f "$NPMDIR/node_modules/secret-handshake/package.json" ] ||
    [ ! -f "$NPMDIR/node_modules/pull-stream/package.json" ]; then
	command -v npm >/dev/null 2>&1 || fail "npm is not installed"
	mkdir -p "$NPMDIR" || fail "cannot create $NPMDIR"
	echo "installing secret-handshake@1 and pull-stream into $NPMDIR"
	if ! npm install --no-audit --no-fund --prefix "$NPMDIR" \
	    secret-handshake@1 pull-stream >"$NPMDIR/install.log" 2>&1; then
		cat "$NPMDIR/install.log" >&2
		fail "npm install secret-handshake@1 pull-stream failed (see above)"
	fi
fi
NODE_PATH=$NPMDIR/node_modules
export NODE_PATH
node -e 'require("secret-handshake"); require("pull-stream"); require("chloride")' ||
    fail "the npm packages in $NPMDIR do not load"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/shs-interop.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

# Fixed test keys (hex): network key, client seed, server seed.
K=291356d28154da68e8a9ee4fed71497c0a67d121a41b544d7a6157e76e0df5bc
K_WRONG=d1f27c5c1d1df1c2b3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607182930
CSEED=2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90
SSEED=81b637d8fcd2c6da6359e6963113a1170de795e4b725b84d1e0b4cfd9ec58ce9
CPK=d5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4
SPK=ecc1b58727f3f12b3194881a9ecb9de0b28ce7b207230d8e930fe1bce75e256c

# run_pair NAME CLIENT_IMPL CLIENT_K SERVER_IMPL SERVER_K: runs one
# handshake; sets crc/src to the exit codes; results in $TMP/NAME.{c,s}.
run_pair() {
	name=$1
	d=$TMP/$name
	mkdir -p "$d"
	mkfifo "$d/c2s" "$d/s2c" || fail "mkfifo"
	# Opening order matters: the client opens c2s (write) then s2c
	# (read), the server c2s (read) then s2c (write), so no open blocks
	# forever.
	if [ "$2" = c ]; then
		timeout 30 "$PEER" client "$3" "$CSEED" "$SPK" "$d/c" \
		    >"$d/c2s" <"$d/s2c" 2>"$d/c.err" &
	else
		timeout 30 node "$NODEJS" client "$3" "$CSEED" "$SPK" "$d/c" \
		    >"$d/c2s" <"$d/s2c" 2>"$d/c.err" &
	fi
	cpid=$!
	if [ "$4" = c ]; then
		timeout 30 "$PEER" server "$5" "$SSEED" "$d/s" \
		    <"$d/c2s" >"$d/s2c" 2>"$d/s.err" &
	else
		timeout 30 node "$NODEJS" server "$5" "$SSEED" "$d/s" \
		    <"$d/c2s" >"$d/s2c" 2>"$d/s.err" &
	fi
	spid=$!
	wait "$cpid"
	crc=$?
	wait "$spid"
	src=$?
	echo "$name: client exit $crc, server exit $src"
	sed 's/^/  client: /' "$d/c.err"
	sed 's/^/  server: /' "$d/s.err"
}

# get FILE NAME: the hex value of NAME in a result file.
get() {
	sed -n "s/^$2=\([0-9a-f]*\)\$/\1/p" "$1"
}

# same LABEL A B: A and B are equal and non-empty.
same() {
	[ -n "$2" ] && [ "$2" = "$3" ] || fail "$1: '$2' != '$3'"
}

# check NAME: the client's and the server's views of the session agree.
check() {
	c=$TMP/$1/c
	s=$TMP/$1/s
	[ -s "$c" ] || fail "$1: client wrote no result"
	[ -s "$s" ] || fail "$1: server wrote no result"
	same "$1 client local_pk" "$(get "$c" local_pk)" "$CPK"
	same "$1 server local_pk" "$(get "$s" local_pk)" "$SPK"
	same "$1 server identity at client" "$(get "$c" remote_pk)" "$SPK"
	same "$1 client identity at server" "$(get "$s" remote_pk)" "$CPK"
	same "$1 c->s key" "$(get "$c" enc_key)" "$(get "$s" dec_key)"
	same "$1 s->c key" "$(get "$c" dec_key)" "$(get "$s" enc_key)"
	same "$1 c->s nonce" "$(get "$c" enc_nonce)" "$(get "$s" dec_nonce)"
	same "$1 s->c nonce" "$(get "$c" dec_nonce)" "$(get "$s" enc_nonce)"
	[ "$(get "$c" enc_key)" != "$(get "$c" dec_key)" ] ||
	    fail "$1: both directions have the same key"
	echo "$1: ok (c->s $(get "$c" enc_key | cut -c1-16)..., " \
	    "s->c $(get "$c" dec_key | cut -c1-16)...)"
}

# 1. balint client -> JavaScript server.
run_pair c-to-node c "$K" node "$K"
[ "$crc" -eq 0 ] && [ "$src" -eq 0 ] || fail "c-to-node: handshake failed"
check c-to-node

# 2. JavaScript client -> balint server.
run_pair node-to-c node "$K" c "$K"
[ "$crc" -eq 0 ] && [ "$src" -eq 0 ] || fail "node-to-c: handshake failed"
check node-to-c

# Both runs used the same long-term keys but fresh ephemeral keys.
[ "$(get "$TMP/c-to-node/c" enc_key)" != "$(get "$TMP/node-to-c/c" enc_key)" ] ||
    fail "two sessions ended with the same keys"

# 3. JavaScript client with the wrong network key -> balint server: the
# server refuses and sends nothing; the client fails.
run_pair wrongkey-node-to-c node "$K_WRONG" c "$K"
[ "$crc" -ne 0 ] && [ "$src" -ne 0 ] ||
    fail "wrongkey-node-to-c: a handshake with the wrong key did not fail"
[ ! -e "$TMP/wrongkey-node-to-c/c" ] && [ ! -e "$TMP/wrongkey-node-to-c/s" ] ||
    fail "wrongkey-node-to-c: a side claims success"

# 4. balint client with the wrong network key -> JavaScript server.
run_pair wrongkey-c-to-node c "$K_WRONG" node "$K"
[ "$crc" -ne 0 ] && [ "$src" -ne 0 ] ||
    fail "wrongkey-c-to-node: a handshake with the wrong key did not fail"
[ ! -e "$TMP/wrongkey-c-to-node/c" ] && [ ! -e "$TMP/wrongkey-c-to-node/s" ] ||
    fail "wrongkey-c-to-node: a side claims success"

echo "shs-interop: all passed"
exit 0
