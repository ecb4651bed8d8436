#!/bin/sh
# A long listing: `note list` of 4,500 notes with titles of 200 bytes,
# more than one control message holds (1 MiB: their ids, titles, authors
# and kinds alone are more, checked below), pages of CTL_LIST_PAGE_MAX =
# 1000 records: every note exactly once, in the table and in --json, and
# a second member that catches up lists the same.  (8,000 notes without
# titles made the same megabyte with twice the entries to write and sync.)
. "$(dirname "$0")/../lib/daemons.sh"

N=4500
# 4,500 notes in a day are over the per-author limits (1,000 a day), which
# this scenario is not about: the daemons get limits above it.
BALINT_AUTHOR_LIMITS=100000,1073741824,1000000,17179869184
export BALINT_AUTHOR_LIMITS
member alice; member bob
start alice; start bob

cat >"$T/contract.txt" <<'TXT'
Name: Long Group
History: full

A group with many notes.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
"$BUILD/bench/bulkwrite" "$T/alice" $N 200 32 "$T/ids" 200 >"$T/bulk.out" ||
	fail "bulkwrite of $N notes"
[ "$(wc -l <"$T/ids")" -eq $N ] || fail "bulkwrite wrote $(wc -l <"$T/ids") ids"

# Every note once in --json, in the order written (oldest first).
listed() {	# member file
	b "$1" --json note list >"$2" 2>"$T/err" &&
	    python3 -c 'import json,sys; print("\n".join(n["note"] for n in json.load(open(sys.argv[1]))))' \
	    "$2" >"$2.ids"
}
listed alice "$T/alice.json" || fail "alice note list --json: $(cat "$T/err")"
cmp -s "$T/ids" "$T/alice.json.ids" ||
	fail "alice's --json listing is not the $N notes in order ($(wc -l <"$T/alice.json.ids") listed)"
# The listing cannot fit one control message: the strings it carries
# verbatim (id, title, author, kind) are more than 1 MiB by themselves.
python3 -c '
import json, sys
n = sum(len(r[k].encode()) for r in json.load(open(sys.argv[1]))
	for k in ("note", "title", "author", "kind"))
sys.exit(0 if n > 1 << 20 else "the listing carries only %d bytes of strings" % n)' \
	"$T/alice.json" || fail "the listing is not above 1 MiB"
# The table: a header and one line per note.
b alice note list >"$T/table" 2>"$T/err" || fail "alice note list: $(cat "$T/err")"
[ "$(wc -l <"$T/table")" -eq $((N + 1)) ] ||
	fail "alice's table has $(wc -l <"$T/table") lines, not $((N + 1))"
# Filters still apply across pages (every bulk note is a session note).
[ "$(b alice note list --kind followup | wc -l)" -eq 1 ] ||
	fail "--kind followup listed bulk notes"

code=$(b alice invite) || fail "invite"
b bob join "$code" --accept >/dev/null || fail "bob join"
b bob sync --wait --timeout 60000 >/dev/null || fail "bob sync --wait"
count() { listed bob "$T/bob.json" && [ "$(wc -l <"$T/bob.json.ids")" -eq $N ]; }
until_ok 60 count || fail "bob lists $(wc -l <"$T/bob.json.ids" 2>/dev/null) notes, not $N"
cmp -s "$T/ids" "$T/bob.json.ids" || fail "bob's listing differs from alice's"
echo "ok long-list ($N notes in pages of 1000)"
