#!/bin/sh
# cli-manners.sh — the command line a member expects (issue 18): typo
# suggestions and aliases, a reader that goes away (| head), tables that
# fit the terminal in display columns, the editor chain and its template,
# an editor that returns at once, Windows line ends and Latin-1 files;
# note list on 80 columns (the ids shortened to unique prefixes); one
# member under two addresses is one peer, and no peer once they left.
. "$(dirname "$0")/../lib/daemons.sh"

# Typos: the nearest command or subcommand; aliases of other tools.
b x nots 2>"$T/err"; [ $? -eq 2 ] || fail "nots is not exit 2"
grep -q "unknown command 'nots'; did you mean 'note'?" "$T/err" ||
	fail "nots: $(head -1 "$T/err")"
b x stauts 2>"$T/err"
grep -q "did you mean 'status'?" "$T/err" || fail "stauts: $(head -1 "$T/err")"
b x frobnicate 2>"$T/err"
grep -q "did you mean" "$T/err" && fail "frobnicate got a suggestion"
b x note lsit 2>"$T/err"; [ $? -eq 2 ] || fail "note lsit is not exit 2"
grep -q "unknown subcommand 'note lsit'; did you mean 'note list'?" \
	"$T/err" || fail "note lsit: $(cat "$T/err")"
b x peer lst 2>"$T/err"
grep -q "did you mean 'peer list'?" "$T/err" || fail "peer lst: $(cat "$T/err")"

# A reader that went away: quiet, exit 0 (the pipe's read end is closed
# before balint writes, so this does not depend on timing).
python3 - "$BALINT" <<'PY' || fail "a closed pipe is not quiet"
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run([sys.argv[1], "contract", "template"], stdout=w,
                   stderr=subprocess.PIPE)
if p.returncode != 0 or p.stderr:
    print("exit %d, stderr %r" % (p.returncode, p.stderr)); sys.exit(1)
PY

b anna init --name "Anna Berg" --no-passphrase >/dev/null 2>&1 || fail "init"
start anna
printf 'Name: Manners\n\nWhat is said here stays here.\n' >"$T/c.txt"
b anna group create --contract "$T/c.txt" >/dev/null || fail "group create"

# Widths: CJK (two columns each), decomposed (e + combining acute) and
# precomposed letters in the CASE column; a long title on a narrow
# terminal is shortened with an ellipsis.
long="A long title about a patient relationship that troubles the doctor who presents it at length"
b anna note write --case "患者甲" --title "$long" -m one >/dev/null || fail "write 1"
b anna note write --case "$(printf 'Cafe\314\201')" --title short -m two >/dev/null || fail "write 2"
b anna note write --case "Café" --title "全角のタイトルはとても長いのでこれは短くされます" -m three >/dev/null || fail "write 3"
COLUMNS=100 b anna note ls >"$T/list" || fail "note ls (alias)"
python3 - "$T/list" <<'PY' || fail "the table does not fit 100 columns: $(cat "$T/list")"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 4, lines
for l in lines:
    assert width(l) <= 100, (width(l), l)
# The AUTHOR column starts at the same display column in every row.
starts = set()
for l in lines[1:]:
    starts.add(width(l[:l.index(" Anna Berg ") + 1]))
assert len(starts) == 1, (starts, lines)
assert any(l.endswith("\u2026") for l in lines), lines
PY
# Without a terminal or COLUMNS, a pipe gets whole lines.
env -u COLUMNS "$BALINT" --home "$T/anna" note list | grep -q "$long" ||
	fail "a pipe got a shortened title"

# The editor: $VISUAL before $EDITOR; the template's header lines and
# comments; the first line as the title when none is given.
cat >"$T/visual.sh" <<'ED'
#!/bin/sh
cp "$1" "$(dirname "$0")/template.txt"
sed -i 's/^Title: *$/Title: Header title/; s/^Case: *$/Case: K-7/' "$1"
printf 'The text.\r\nSecond line.\r\n# a comment to remove\n' >>"$1"
ED
chmod +x "$T/visual.sh"
id=$(VISUAL="$T/visual.sh" EDITOR=false b anna note write --kind followup --yes) ||
	fail "note write through \$VISUAL"
grep -qx "Kind: followup" "$T/template.txt" || fail "template: $(cat "$T/template.txt")"
grep -q "^# .*first" "$T/template.txt" || fail "the template has no comments"
b anna note show "$id" >"$T/show"
grep -qx "title:    Header title" "$T/show" || fail "title from the header: $(cat "$T/show")"
grep -qx "case:     K-7" "$T/show" || fail "case from the header"
grep -qx "kind:     followup" "$T/show" || fail "kind from the header"
grep -q "comment to remove\|^Title:\|^# " "$T/show" && fail "comments or headers kept: $(cat "$T/show")"
grep -q "$(printf '\r')" "$T/show" && fail "Windows line ends kept"
printf '#!/bin/sh\nprintf "First line is the title\\nand more\\n" >"$1"\n' >"$T/plain.sh"
chmod +x "$T/plain.sh"
id=$(env -u VISUAL EDITOR="$T/plain.sh" "$BALINT" --home "$T/anna" note write) || fail "note write, no title"
b anna note show "$id" | grep -qx "title:    First line is the title" ||
	fail "first line not the title: $(b anna note show "$id")"

# An editor that returns at once without a change (a window editor without
# its wait flag): the file stays until it is saved, then it is the note.
env -u VISUAL EDITOR=true "$BALINT" --home "$T/anna" note write \
	>"$T/wait.out" 2>"$T/wait.err" &
bp=$!
until_ok 20 grep -q "returned at once" "$T/wait.err" || fail "no word of the editor returning at once"
f=$(sed -n "s/.*the file stays at \(.*\) until you save.*/\1/p" "$T/wait.err")
[ -f "$f" ] || fail "the file '$f' is not kept"
# Saved as most editors do (a new file renamed over it): never half-written.
printf 'Saved later\nafter the editor returned\n' >"$f.new" && mv "$f.new" "$f"
wait $bp || fail "note write after a late save: $(cat "$T/wait.err")"
b anna note show "$(cat "$T/wait.out")" | grep -q "after the editor returned" ||
	fail "the late save is not the note"
[ -e "$f" ] && fail "the kept file was not wiped"

# Text files: Windows line ends normalised; Latin-1 gets an iconv hint.
printf 'windows\r\nline ends\r\n' >"$T/crlf.txt"
id=$(b anna note write -F "$T/crlf.txt") || fail "note write -F crlf"
b anna --json note show "$id" | grep -q 'windows\\nline ends' ||
	fail "CR LF kept: $(b anna --json note show "$id")"
printf 'Patienten kom f\366r sent\n' >"$T/latin1.txt"
b anna note write -F "$T/latin1.txt" 2>"$T/err"; [ $? -eq 1 ] || fail "Latin-1 not refused"
grep -q "iconv -f LATIN1 -t UTF-8 '$T/latin1.txt'" "$T/err" || fail "no iconv hint: $(cat "$T/err")"

# Aliases: note rm is note delete (asks; --yes).
b anna note rm --yes "$id" | grep -q "^deleted the note" || fail "note rm"

# Prefixes.  A member by first name, letter case aside (anna is Anna Berg:
# found, and refused as herself).
b anna revoke --yes anna 2>"$T/err"
grep -q "you cannot revoke yourself" "$T/err" || fail "first name: $(cat "$T/err")"
# A second group: a group by the start of its name; a note id without -g
# in any group; a note id too short, or unknown, said so.
printf 'Name: Thursday circle\n\nWhat is said here stays here.\n' >"$T/c2.txt"
b anna group create --contract "$T/c2.txt" >/dev/null || fail "group create 2"
id2=$(b anna -g thurs note write -m "in thursday" --title thu) || fail "-g by the start of a name"
b anna note show "$(printf %s "$id2" | cut -c1-8)" | grep -q "in thursday" ||
	fail "a note id without -g in a member of two groups"
b anna -g Manners note show "$id2" 2>"$T/err" && fail "a note shown from the other group"
b anna note show 3f 2>"$T/err"; [ $? -eq 1 ] || fail "short note id is not exit 1"
grep -q "its first 4 name it" "$T/err" || fail "short note id: $(cat "$T/err")"
# note list on an 80-column terminal: the NOTE column is each id's
# shortest prefix (4 hex digits at least) that no other note of anna's
# groups starts with; every line fits; what it shows names the note in
# note show and note log without -g; --json keeps the whole ids.
COLUMNS=80 b anna -g Manners note list >"$T/list80" || fail "note list at 80 columns"
b anna --json -g Manners note list >"$T/list.json" || fail "note list --json"
b anna --json -g thurs note list >"$T/list2.json" || fail "note list --json (2)"
python3 - "$T/list80" "$T/list.json" "$T/list2.json" <<'PY' >"$T/shorts" ||
import json, sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
for l in lines:
    assert width(l) <= 80, (width(l), l)
full = [r["note"] for f in sys.argv[2:] for r in json.load(open(f))]
assert all(len(f) == 32 for f in full), full
mine = [r["note"] for r in json.load(open(sys.argv[2]))]
shorts = [l.split()[0] for l in lines[1:]]
assert len(shorts) == len(mine) > 1, (shorts, mine)
for s, f in zip(shorts, mine):
    assert 4 <= len(s) < 32 and f.startswith(s), (s, f)
    assert [g for g in full if g.startswith(s)] == [f], (s, full)
    assert len(s) == 4 or len([g for g in full if g.startswith(s[:-1])]) > 1, s
    print(s)
PY
	fail "note list at 80 columns: $(cat "$T/list80")"
while read -r s; do
	b anna note show "$s" >/dev/null || fail "note show $s (as note list showed it)"
	b anna note log "$s" >/dev/null || fail "note log $s"
done <"$T/shorts"
printf 'Name: Thursday late\n\nWhat is said here stays here.\n' >"$T/c3.txt"
b anna group create --contract "$T/c3.txt" >/dev/null || fail "group create 3"
b anna -g thurs note list 2>"$T/err" && fail "an ambiguous group name was taken"
grep -q "'thurs' starts the names of 2 groups" "$T/err" || fail "ambiguous group: $(cat "$T/err")"
# Invites: the expiry said with the code; invite list; invite cancel, after
# which the code is refused.
code=$(b anna -g Manners invite --name ben 2>"$T/err") || fail "invite"
grep -q "this code can be used once, until 20" "$T/err" || fail "no expiry: $(cat "$T/err")"
b anna -g Manners invite list >"$T/inv" || fail "invite list"
grep -q "^ID .*NAME .*EXPIRES .*USED" "$T/inv" || fail "invite list: $(cat "$T/inv")"
inv=$(awk '$2 == "ben" { print $1 }' "$T/inv")
[ ${#inv} -eq 12 ] || fail "no invite for ben in the list: $(cat "$T/inv")"
b anna -g Manners invite cancel zz 2>"$T/err"; [ $? -eq 2 ] || fail "bad invite id is not exit 2"
b anna -g Manners invite cancel "$(printf %s "$inv" | cut -c1-6)" >"$T/out" || fail "invite cancel"
grep -q "cancelled the invite $inv" "$T/out" || fail "cancel said: $(cat "$T/out")"
b anna -g Manners invite list | grep "ben" | grep -q "yes$" || fail "a cancelled invite is not shown used"
member ben
start ben
b ben join "$code" --accept 2>"$T/err" && fail "a cancelled code was accepted"
grep -qi "used" "$T/err" || fail "the cancelled code's refusal: $(cat "$T/err")"
# peer remove: an address typed by peer add is forgotten and no longer
# listed; an unknown one is said so.
b anna -g Manners peer add "$(addr ben)" >/dev/null 2>&1	# kept, dialed or not
b anna -g Manners peer list | grep -q "$(addr ben)" || fail "peer list after add"
b anna -g Manners peer rm "$(addr ben)" >"$T/out" || fail "peer rm (remove)"
grep -q "removed the peer $(addr ben)" "$T/out" || fail "peer remove said: $(cat "$T/out")"
b anna -g Manners peer list | grep -q "$(addr ben)" && fail "a removed peer is still listed"
b anna -g Manners peer remove "$(addr ben)" 2>"$T/err"; [ $? -eq 1 ] || fail "removing an unknown peer is not exit 1"
grep -q "no peer '$(addr ben)' in Manners" "$T/err" || fail "unknown peer: $(cat "$T/err")"
# One member's address under two names (localhost:P and 127.0.0.1:P) is
# one peer: one row in peer list (the other name under SAME AS), one line
# in status, while ben is up and after he stopped; once he left, neither
# shows him (his typed addresses are forgotten).
code=$(b anna -g Manners invite 2>/dev/null) || fail "invite ben again"
b ben join "$code" --accept >/dev/null 2>&1 || fail "ben join"
P=$(cat "$T/ben.port")
b anna -g Manners peer add "localhost:$P" >/dev/null 2>&1
b anna -g Manners peer add "127.0.0.1:$P" >/dev/null 2>&1
# lines WHAT — how many lines of peer list / status name ben.
lines() {
	case $1 in
	list) b anna -g Manners peer list | grep -cw ben ;;
	status) b anna --json status | grep '"kind": "peer"' | grep -c '"name": "ben"' ;;
	esac
}
one_up() {
	b anna -g Manners peer list | grep -w ben | grep -w up |
		grep -q "127.0.0.1:$P.*localhost:$P\|localhost:$P.*127.0.0.1:$P" &&
		[ "$(lines list)" -eq 1 ] && [ "$(lines status)" -eq 1 ] &&
		b anna status | grep -q "^  ben .* up"
}
until_ok 20 one_up || fail "ben under two names: $(b anna -g Manners peer list; b anna status | sed -n '/^peers/,$p')"
stop ben
one_waiting() {
	b anna status | grep -q "^  ben .* waiting" &&
		[ "$(lines list)" -eq 1 ] && [ "$(lines status)" -eq 1 ]
}
until_ok 20 one_waiting || fail "ben stopped, under two names: $(b anna -g Manners peer list; b anna status | sed -n '/^peers/,$p')"
start ben
until_ok 20 one_up || fail "ben back: $(b anna -g Manners peer list)"
b ben leave --yes >/dev/null 2>&1 || fail "ben leave"
gone() { [ "$(lines list)" -eq 0 ] && [ "$(lines status)" -eq 0 ]; }
until_ok 20 gone || fail "ben left, still a peer: $(b anna -g Manners peer list; b anna status | sed -n '/^peers/,$p')"
b anna -g Manners peer list | grep -q ":$P" && fail "ben's addresses kept after he left: $(b anna -g Manners peer list)"
echo "cli-manners: ok"
