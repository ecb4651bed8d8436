#!/bin/sh
# tests/demo.sh — `make demo`.  The narrated three-member story needs the
# daemon (balintd) and the CLI commands, which are still being built; until
# then the demo builds everything and says what it will show.
cd "$(dirname "$0")/.." || exit 1
cat <<'TXT'
balint demo
===========
Built: build/balintd, build/balint, build/libbalproto.a (the protocol core).

When the daemon lands, this demo will, in a temporary directory:
  1. start three members' daemons on 127.0.0.1 (a leader and two members);
  2. have the leader found a group from a contract file;
  3. invite both members, who join with their one-time codes;
  4. write a case note at one member and a follow-up report at another;
  5. show all three listing and reading the same notes;
  6. print where the profiles are and how to drive them by hand.

Today the protocol core is what exists; see `make test` for what it proves
(identity, contract, entries, notes, roster and epochs, wire and control
messages, framing and the Secret Handshake, interoperating with the npm
`secret-handshake` reference implementation).
TXT
./build/balint --version
