#!/bin/sh
# Finding and catching up (issue 18): note search (folded case, accents,
# Hebrew points; ranked; the matching line), read marks and note list
# --new / --since, versions (note show --version, note log), case list and
# case show, follow-ups to unknown cases, export.
. "$(dirname "$0")/../lib/daemons.sh"
# The PDF export's fontconfig leaks a little of its own (the file says).
LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")/../lib" && pwd)/lsan-fontconfig.supp
export LSAN_OPTIONS

member alice; member bob; member carol
start alice; start bob; start carol
cat >"$T/contract.txt" <<'TXT'
Name: Find Group
History: full

A group that looks things up.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
code=$(b alice invite 2>/dev/null) || fail "invite"
b bob join "$code" --accept >/dev/null || fail "bob join"
w() { _w=$1; shift; b "$_w" note write --allow-identifiers "$@"; }
PTY="python3 $(dirname "$0")/../lib/pty-answer.py"

# ---- search ----
n1=$(w alice --title "Läkaren och tystnaden" -m "första raden
Patienten kom tillbaka till läkaren.
sista raden") || fail "write n1"
n2=$(w alice --title "Other" -m "nothing about it here
but LAKAREN is named once") || fail "write n2"
n3=$(w alice --title "שָׁלוֹם" -m "שלום עליכם, said in the circle") || fail "write n3"
b alice note search lakaren >"$T/s1" 2>"$T/err" || fail "search lakaren: $(cat "$T/err")"
[ "$(grep -c '^[0-9a-f]\{8\} ' "$T/s1")" -eq 2 ] || fail "search lakaren found: $(cat "$T/s1")"
# Ranked: the title hit (n1) first; the matching line shown.
head -1 "$T/s1" | grep -q "^$(echo "$n1" | cut -c1-8)" || fail "n1 not ranked first: $(cat "$T/s1")"
grep -q "2: Patienten kom tillbaka till läkaren." "$T/s1" || fail "n1's line not shown: $(cat "$T/s1")"
grep -q "2: but LAKAREN is named once" "$T/s1" || fail "n2's line not shown: $(cat "$T/s1")"
# Hebrew with niqqud finds without, and without finds with.
b alice note search 'שלום' >"$T/s2" || fail "search shalom"
grep -q "^$(echo "$n3" | cut -c1-8)" "$T/s2" || fail "plain shalom missed n3"
b alice --json note search 'שָׁלוֹם' | grep -q "$n3" || fail "pointed shalom missed n3"
# Every word must be there; nothing found is exit 1.
b alice note search läkaren zebra >/dev/null 2>&1 && fail "two words matched n2 only partly"
b alice note search zebra >/dev/null 2>"$T/err"; [ $? -eq 1 ] || fail "no hit not exit 1"
b alice note search >/dev/null 2>&1; [ $? -eq 2 ] || fail "search without words not exit 2"
b alice note search lakaren --kind case >/dev/null 2>&1 && fail "--kind case found session notes"
echo "ok search"

# ---- versions: note show --version N, note log, the list's last change ----
b alice note edit "$n2" -m "the second text" >/dev/null || fail "edit n2"
b alice note edit "$n2" --title "Renamed" >/dev/null || fail "retitle n2"
b alice note log "$n2" >"$T/log" 2>"$T/err" || fail "note log: $(cat "$T/err")"
[ "$(wc -l <"$T/log")" -eq 4 ] || fail "note log has not 3 versions: $(cat "$T/log")"
sed -n 2p "$T/log" | grep -q "alice.*written" || fail "log version 1: $(cat "$T/log")"
sed -n 3p "$T/log" | grep -q " text " || fail "log version 2 changed text: $(cat "$T/log")"
sed -n 4p "$T/log" | grep -q " title " || fail "log version 3 changed title: $(cat "$T/log")"
b alice note show "$n2" --version 1 >"$T/v1" || fail "show --version 1"
grep -q "but LAKAREN is named once" "$T/v1" || fail "version 1's text: $(cat "$T/v1")"
grep -q "^title: *Other" "$T/v1" || fail "version 1's title: $(cat "$T/v1")"
b alice note show "$n2" --version 2 | grep -q "^the second text" || fail "version 2's text"
b alice note show "$n2" | grep -q "^title: *Renamed" || fail "the latest title"
b alice note show "$n2" --version 4 >/dev/null 2>"$T/err"; [ $? -eq 1 ] ||
	fail "a version past the last not refused"
grep -q "has 3" "$T/err" || fail "no count in: $(cat "$T/err")"
b alice note show "$n2" --version 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--version 0 not usage"
b alice note list | head -1 | grep -q "CHANGED" || fail "list has no CHANGED column"
echo "ok versions"

# ---- cases: case list, case show, follow-ups to unknown cases ----
c1=$(w bob --kind case --case K7 --title "Mrs K and the silence" -m "the case as presented") ||
	fail "bob's case note"
# A follow-up without --case, or to a case no note carries: refused off a
# terminal (exit 1), written with --yes.
w alice --kind followup -m "no case named" >/dev/null 2>"$T/err"; [ $? -eq 1 ] ||
	fail "a follow-up without --case was not refused"
grep -q -- "--case REF" "$T/err" || fail "no advice in: $(cat "$T/err")"
w alice --kind followup --case K9 -m "unknown case" >/dev/null 2>"$T/err"; [ $? -eq 1 ] ||
	fail "a follow-up to an unknown case was not refused"
grep -q "no note carries the case 'K9'" "$T/err" || fail "unclear: $(cat "$T/err")"
b alice note list --case K9 | grep -q "unknown case" && fail "the refused follow-up was written"
w alice --kind followup --case K9 --yes -m "unknown case, forced" >/dev/null ||
	fail "--yes did not write the follow-up"
# bob's case note reaches alice; her follow-ups name it in any letter case.
has() { b "$1" note log "$2" >/dev/null 2>&1; }	# log reads, marks nothing
until_ok 30 has alice "$c1" || fail "bob's case note did not reach alice"
f1=$(w alice --kind followup --case k7 --title "First follow-up" -m "it went on") ||
	fail "a follow-up to k7 (K7 in another case) was refused"
f2=$(w alice --kind followup --case K7 --title "Second follow-up" -m "and on") ||
	fail "second follow-up"
[ "$(b alice note list --case k7 | wc -l)" -eq 4 ] || fail "--case k7 does not list K7's 3 notes"
b alice case list >"$T/cases" || fail "case list"
grep -q "^K7 *3 *2 .*bob *Mrs K and the silence" "$T/cases" || fail "case list: $(cat "$T/cases")"
grep -q "^K9 *1 *1 " "$T/cases" || fail "case list lacks K9: $(cat "$T/cases")"
b alice case show K7 >"$T/case" || fail "case show"
grep '^== ' "$T/case" | cut -c4-11 >"$T/case.ids"
printf '%s\n%s\n%s\n' "$(echo "$c1" | cut -c1-8)" "$(echo "$f1" | cut -c1-8)" \
	"$(echo "$f2" | cut -c1-8)" | cmp -s - "$T/case.ids" || fail "case show order: $(cat "$T/case")"
grep -q "^it went on" "$T/case" || fail "case show lacks the follow-up's text"
b alice case show K8 >/dev/null 2>&1; [ $? -eq 1 ] || fail "case show of an unknown case not exit 1"
echo "ok cases"

# ---- read marks: note list --new, status, --since ----
until_ok 30 has bob "$f2" || fail "alice's notes did not reach bob"
newids() { b "$1" --json note list --new | grep -o '"note": *"[0-9a-f]*"' | grep -o '[0-9a-f]\{32\}'; }
# bob's own case note is not new to him; alice's six live notes are.
[ "$(newids bob | wc -l)" -eq 6 ] || fail "bob has $(newids bob | wc -l) new notes, not 6"
newids bob | grep -q "$c1" && fail "bob's own note is new to him"
b bob status | grep -q "6 new notes (balint note list --new)" || fail "status: $(b bob status)"
b bob note show "$n1" >/dev/null || fail "bob note show n1"
newids bob | grep -q "$n1" && fail "n1 is still new after bob read it"
[ "$(newids bob | wc -l)" -eq 5 ] || fail "not 5 new after one read"
# case show reads the case's notes; alice's marks are her own.
b bob case show K7 >/dev/null || fail "bob case show"
[ "$(newids bob | wc -l)" -eq 3 ] || fail "case show did not mark its 2 follow-ups"
[ "$(newids alice | wc -l)" -eq 0 ] || fail "alice: $(newids alice | wc -l) new, not 0 (her case show read K7)"
# An edit makes a read note new again.
b alice note edit "$n1" -m "a changed text" >/dev/null || fail "edit n1"
until_ok 30 sh -c "'$BALINT' --home '$T/bob' note log '$n1' | grep -q '^2 '" >/dev/null 2>&1 ||
	fail "the edit did not reach bob"
newids bob | grep -q "$n1" || fail "n1 edited is not new again"
b bob note list --new --kind followup | grep -q "First follow-up" && fail "--new --kind listed a read follow-up"
# --since: a date, and last-meeting (today: every session note is today's).
[ "$(b bob note list --since 2000-01-01 | wc -l)" -eq 8 ] || fail "--since 2000-01-01 did not list all 7"
b bob note list --since 2099-01-01 2>&1 | grep -q "no notes changed since then" || fail "--since 2099"
[ "$(b bob note list --since last-meeting | wc -l)" -eq 8 ] || fail "--since last-meeting: $(b bob note list --since last-meeting)"
b bob note list --since yesterday >/dev/null 2>&1; [ $? -eq 2 ] || fail "a bad --since not exit 2"
echo "ok read marks"

# ---- export: md and json, 0600, a warning, never over a file; leave ----
b alice export --mine --format json "$T/mine.json" 2>"$T/err" || fail "export json: $(cat "$T/err")"
grep -q "WARNING: this file is plaintext" "$T/err" || fail "no plaintext warning: $(cat "$T/err")"
[ "$(stat -c %a "$T/mine.json")" = 600 ] || fail "export mode $(stat -c %a "$T/mine.json")"
python3 - "$T/mine.json" "$n1" "$c1" <<'PY' || fail "the json export"
import json, sys
notes = json.load(open(sys.argv[1]))
ids = [n["note"] for n in notes]
assert len(notes) == 6, len(notes)
assert sys.argv[2] in ids and sys.argv[3] not in ids, ids
assert [n["text"] for n in notes if n["note"] == sys.argv[2]] == ["a changed text"]
PY
b alice export "$T/all.md" 2>/dev/null || fail "export md"
grep -q "^## Mrs K and the silence" "$T/all.md" || fail "bob's note not in alice's md export"
grep -q "^a changed text" "$T/all.md" || fail "n1's text not in the md export"
b alice export "$T/all.md" 2>"$T/err"; [ $? -eq 1 ] || fail "export overwrote a file"
grep -q "never overwrites" "$T/err" || fail "unclear: $(cat "$T/err")"
# PDF (pango/cairo), read back with pdftotext: the group's name, a Swedish
# title, the Hebrew title and text in logical order once the marks and bidi
# controls are dropped, set right to left (the line's first Hebrew letter
# rightmost, at the right margin), the follow-ups after their case note,
# indented.
b alice export --format pdf "$T/all.pdf" 2>"$T/err" || fail "export pdf: $(cat "$T/err")"
grep -q "WARNING: this file is plaintext" "$T/err" || fail "no plaintext warning for pdf: $(cat "$T/err")"
[ "$(stat -c %a "$T/all.pdf")" = 600 ] || fail "pdf export mode $(stat -c %a "$T/all.pdf")"
pdftotext "$T/all.pdf" "$T/all.txt" || fail "pdftotext cannot read the export"
pdftotext -bbox "$T/all.pdf" "$T/all.bbox" || fail "pdftotext -bbox"
python3 - "$T/all.txt" "$T/all.bbox" <<'PY' || fail "the pdf export: $(cat "$T/all.txt")"
import re, sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read()
lines = text.split("\n")
assert lines[0] == "Find Group", lines[:2]
assert "Läkaren och tystnaden" in lines, "no Swedish title"
assert re.search(r"page 1 of \d+", text), "no page numbers"
def heb(s):	# the Hebrew letters, marks and bidi controls dropped
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if "\u05d0" <= c <= "\u05ea")
assert "שלום" in [heb(l) for l in lines], "no Hebrew title"
circle = [l for l in lines if "said in the circle" in l]
assert len(circle) == 1 and heb(circle[0]) == heb("שלום עליכם"), circle
order = [l for l in lines if l in ("Mrs K and the silence", "First follow-up",
    "Second follow-up")]
assert order == ["Mrs K and the silence", "First follow-up",
    "Second follow-up"], order
# Right to left: on the line of "said", the Hebrew comes last in reading
# order, so its first letter is the rightmost word, ending at the margin.
words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"'
    r' yMax="[\d.]+">([^<]*)</word>', open(sys.argv[2], encoding="utf-8").read())
y = [w[1] for w in words if w[3] == "said"][0]
line = sorted((float(w[0]), float(w[2]), w[3]) for w in words if w[1] == y)
assert line[-1][2] == "ש" and line[-1][1] > 530, line[-3:]
assert line[0][0] > 100, "the line starts at the left margin: %r" % (line[:2],)
# The follow-ups stand indented under their case note.
x0 = lambda word: min(float(w[0]) for w in words if w[3] == word)
assert x0("Mrs") < 60 and x0("First") > 70 and x0("Second") > 70, \
    (x0("Mrs"), x0("First"), x0("Second"))
PY
b alice export --format pdf "$T/all.pdf" 2>"$T/err"; [ $? -eq 1 ] || fail "pdf export overwrote a file"
# balint-export-pdf makes the PDF: balint itself loads neither pango nor
# cairo.  When it fails (here past a file size limit, 2 KiB in dash's
# blocks), one line says so, exit 1, and no half-written file is left.
ldd "$BALINT" | grep -q 'libpango\|libcairo' && fail "balint links pango or cairo"
(ulimit -f 4; exec "$BALINT" --home "$T/alice" export --format pdf "$T/cut.pdf") 2>"$T/err"
[ $? -eq 1 ] || fail "a pdf export past the size limit did not exit 1: $(cat "$T/err")"
[ "$(grep -c '^balint: ' "$T/err")" = 1 ] && grep -q "^balint: cannot make the PDF: " "$T/err" ||
	fail "not one clear line: $(cat "$T/err")"
[ -e "$T/cut.pdf" ] && fail "a half-written pdf was left"
ls -A "$T" | grep -q 'balint-partial' && fail "a failed pdf export left: $(ls -A "$T")"
# ---- a stopped or failed export leaves no plaintext behind ----
# The notes go to a file with no name (O_TMPFILE) or, where the file
# system has none or BALINT_TEST_EXPORT_NAMED says so, to a hidden
# .FILE.balint-partial-XXXXXX beside FILE; either takes FILE's name only
# once whole.  BALINT_TEST_EXPORT_PAUSE holds the export after its first
# note (flushed): SIGTERM then leaves nothing, md and pdf (named); a
# write past a file size limit (a full disk) neither.  A kill -9 cannot
# be caught: a file with no name goes with balint; a hidden one stays,
# and the next export into that directory removes it, but only names of
# ours, not through a symlink, not a second link to a file, not one a
# running export holds (flock), not one written in the last 2 s.
mkdir "$T/x"
paused() { grep -q "^balint: paused for a test" "$T/err"; }
partial() { for _p in "$T"/x/."$1".balint-partial-*; do [ -f "$_p" ] &&
	{ [ -z "${2:-}" ] || grep -q "$2" "$_p"; } && return 0; done; return 1; }
BALINT_TEST_EXPORT_NAMED=1 BALINT_TEST_EXPORT_PAUSE=1 "$BALINT" --home "$T/alice" export "$T/x/stop.md" 2>"$T/err" &
pid=$!
until_ok 10 paused && partial stop.md '^- author: ' ||
	{ kill $pid; fail "the md export did not pause after its first note: $(ls -A "$T/x")"; }
kill -TERM $pid; wait $pid; st=$?
[ $st -eq 143 ] && grep -q "^balint: export stopped" "$T/err" || fail "a stopped md export: exit $st, $(cat "$T/err")"
[ -z "$(ls -A "$T/x")" ] || fail "a stopped md export left: $(ls -A "$T/x")"
BALINT_TEST_EXPORT_NAMED=1 BALINT_TEST_EXPORT_PAUSE=1 "$BALINT" --home "$T/alice" export --format pdf "$T/x/stop.pdf" 2>"$T/err" &
pid=$!
until_ok 10 paused && partial stop.pdf ||
	{ kill $pid; fail "the pdf export did not pause after its first note"; }
kill -TERM $pid; wait $pid; st=$?
[ $st -eq 143 ] && [ -z "$(ls -A "$T/x")" ] || fail "a stopped pdf export: exit $st, left $(ls -A "$T/x")"
(ulimit -f 1; BALINT_TEST_EXPORT_NAMED=1 exec "$BALINT" --home "$T/alice" export "$T/x/cut.md") 2>"$T/err"
[ $? -eq 1 ] || fail "an md export past the size limit did not exit 1: $(cat "$T/err")"
[ "$(grep -c '^balint: ' "$T/err")" = 1 ] && grep -q "^balint: cannot write '$T/x/cut.md': " "$T/err" ||
	fail "not one clear line: $(cat "$T/err")"
[ -z "$(ls -A "$T/x")" ] || fail "an md export past the size limit left: $(ls -A "$T/x")"
# kill -9: where the file system has O_TMPFILE (tmpfs, ext4), nothing.
python3 -c 'import os, sys; os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600)' "$T/x" 2>/dev/null &&
	unnamed=yes || unnamed=no
BALINT_TEST_EXPORT_PAUSE=1 "$BALINT" --home "$T/alice" export --format json "$T/x/u.json" 2>"$T/err" &
pid=$!
until_ok 10 paused || { kill $pid; fail "the json export did not pause after its first note"; }
fds=$(ls -l /proc/$pid/fd)
[ $unnamed = no ] || echo "$fds" | grep -q "$T/x/#[0-9]* (deleted)" ||
	{ kill $pid; fail "the export's file has a name: $fds"; }
kill -KILL $pid; wait $pid
[ $unnamed = no ] || [ -z "$(ls -A "$T/x")" ] || fail "kill -9 of an export left: $(ls -A "$T/x")"
rm -f "$T"/x/.u.json.balint-partial-*
BALINT_TEST_EXPORT_NAMED=1 BALINT_TEST_EXPORT_PAUSE=1 "$BALINT" --home "$T/alice" export --format json "$T/x/k.json" 2>"$T/err" &
pid=$!
until_ok 10 paused && partial k.json '"note": ' ||
	{ kill $pid; fail "the named json export did not pause after its first note"; }
kill -KILL $pid; wait $pid
killed=$(ls -A "$T/x")
echo "$killed" | grep -qx '\.k\.json\.balint-partial-[A-Za-z0-9]\{6\}' || fail "kill -9 left: $killed"
echo kept >"$T/keep"
ln -s "$T/keep" "$T/x/.l.md.balint-partial-AAAAAA"
ln "$T/keep" "$T/x/.h.md.balint-partial-CCCCCC"
touch -d '1 hour ago' "$T/x/.n.md.balint-partial-AAAAA" "$T/x/.busy.md.balint-partial-BBBBBB" \
	"$T/x/.h.md.balint-partial-CCCCCC" "$T/x"/.k.json.balint-partial-*
: >"$T/x/.new.md.balint-partial-DDDDDD"
BALINT_TEST_EXPORT_NAMED=1 flock "$T/x/.busy.md.balint-partial-BBBBBB" "$BALINT" --home "$T/alice" export "$T/x/a.md" 2>"$T/err" ||
	fail "export after a kill -9: $(cat "$T/err")"
grep -q "^balint: removed 1 unfinished export in $T/x (a partial plaintext file" "$T/err" || fail "not said: $(cat "$T/err")"
[ "$(ls -A "$T/x" | sort | tr '\n' ' ')" = ".busy.md.balint-partial-BBBBBB .h.md.balint-partial-CCCCCC .l.md.balint-partial-AAAAAA .n.md.balint-partial-AAAAA .new.md.balint-partial-DDDDDD a.md " ] &&
	[ "$(cat "$T/keep")" = kept ] || fail "the sweep after a kill -9 left: $(ls -A "$T/x")"
echo "ok stopped export"
printf 'not a message' | "$BUILD/balint-export-pdf" >"$T/junk.pdf" 2>"$T/err"
[ $? -eq 1 ] && grep -q "did not come whole" "$T/err" || fail "balint-export-pdf took junk: $(cat "$T/err")"
# The renderer dies with balint (PR_SET_PDEATHSIG), and exits if balint
# (BALINT_EXPORT_PDF_PARENT) was gone before it could.
printf 'not a message' | BALINT_EXPORT_PDF_PARENT=1 "$BUILD/balint-export-pdf" >"$T/junk.pdf" 2>"$T/err"
[ $? -eq 1 ] && grep -q "balint, which ran this program, has ended" "$T/err" ||
	fail "balint-export-pdf ran on without balint: $(cat "$T/err")"
# A case reference, a title or a name cannot turn round what follows it:
# bidi overrides and isolates show as '?', as on the terminal, and each
# field keeps its own direction (here a RIGHT-TO-LEFT OVERRIDE in the case
# mirrored "by alice · written ..." into "... nettirw · ecila yb").
RLO=$(printf '\342\200\256')
b alice note write --title "Title ${RLO}evil" --case "C${RLO}by bob" -m "bidi body" \
    --allow-identifiers >/dev/null 2>"$T/err" || fail "note write with U+202E: $(cat "$T/err")"
b alice export --format pdf "$T/bidi.pdf" 2>/dev/null || fail "export pdf with U+202E"
pdftotext "$T/bidi.pdf" - | tr -d '\342\201\250\251' >"$T/bidi.txt"
grep -q "C?by bob" "$T/bidi.txt" && grep -q "Title ?evil" "$T/bidi.txt" &&
    grep "C?by bob" "$T/bidi.txt" | grep -q "by alice · written" ||
	fail "a bidi override in a case turned the note's line round: $(grep -a 'bob\|evil' "$T/bidi.txt")"
b alice export --format ps "$T/x.ps" 2>/dev/null; [ $? -eq 2 ] || fail "an unknown format not exit 2"
# leave's export: PDF by the file's ending.
$PTY --send "File name, or empty for no: " "$T/bob.pdf" --send "[y/N]" "y" \
	--until "left the group" -- "$BALINT" --home "$T/bob" leave >/dev/null ||
	fail "bob's leave on a terminal, exporting first"
pdftotext "$T/bob.pdf" "$T/bob.txt" || fail "bob's leave export is no PDF"
grep -q "^Mrs K and the silence" "$T/bob.txt" || fail "bob's own note not exported at leave"
grep -q "Läkaren" "$T/bob.txt" && fail "bob's leave export holds alice's notes"
echo "ok export"

# ---- a revoked member keeps its own notes, sealed, for export --kept ----
code=$(b alice invite 2>/dev/null) || fail "invite carol"
b carol join "$code" --accept >/dev/null || fail "carol join"
k1=$(w carol --title "Carol's own" -m "carol-kept-text") || fail "carol writes"
until_ok 30 has alice "$k1" || fail "carol's note did not reach alice"
b carol export --kept "$T/none.md" >/dev/null 2>&1 && fail "export --kept before any revoke"
b alice revoke --yes carol >/dev/null || fail "revoke carol"
gone() { b carol status | grep -q "you were removed from"; }
until_ok 30 gone || fail "carol's daemon did not erase the group"
b carol note list >/dev/null 2>&1 && fail "carol still lists the group's notes"
b carol export --kept "$T/kept.md" 2>"$T/err" || fail "export --kept: $(cat "$T/err")"
grep -q "^carol-kept-text" "$T/kept.md" || fail "carol's own text not kept: $(cat "$T/kept.md")"
grep -q "Läkaren\|Mrs K" "$T/kept.md" && fail "others' notes kept for carol"
# In Hebrew: its labels right to left beside the English group name (a
# cairo_debug_reset_static_data after it once aborted here).
LANGUAGE=he b carol export --kept --format pdf "$T/kept.pdf" 2>"$T/err" ||
	fail "export --kept --format pdf: $(cat "$T/err")"
pdftotext "$T/kept.pdf" "$T/kept.raw" || fail "pdftotext of the kept pdf"
# pdftotext wraps runs of a mostly right-to-left page in bidi embeddings.
python3 -c 'import re, sys; sys.stdout.write(re.sub("[\u200e\u200f\u202a-\u202e]", "",
    open(sys.argv[1], encoding="utf-8").read()))' "$T/kept.raw" >"$T/kept.txt"
head -1 "$T/kept.txt" | grep -qx "Find Group" || fail "no group name in the kept pdf: $(cat "$T/kept.txt")"
grep -q "carol-kept-text" "$T/kept.txt" || fail "carol's text not in the kept pdf"
# (pdftotext splits some Hebrew words and reorders mixed lines: no spaces.)
tr -d " " <"$T/kept.txt" >"$T/kept.nosp"
grep -q "עמוד" "$T/kept.nosp" && grep -q "מתוך" "$T/kept.nosp" &&
	grep -q "רשומתמפגש" "$T/kept.nosp" || fail "no Hebrew labels: $(cat "$T/kept.txt")"
# Kept sealed: the marker is nowhere in carol's store files.
if grep -rqa "carol-kept-text" "$T/carol/"store.db*; then fail "carol's kept note is plaintext in her store"; fi
echo "ok kept"

# On a terminal it asks: the case's reference, or whether to write anyway.
$PTY --send "which case does this follow up" "K7" --until "" -- \
	"$BALINT" --home "$T/alice" note write --kind followup --title "Asked" \
	-m "asked for its case" >/dev/null || fail "the terminal follow-up without --case"
b alice note list --case K7 | grep -q "Asked" || fail "the asked-for case was not used"
$PTY --send "write the follow-up anyway? [y/N]" "y" --until "" -- \
	"$BALINT" --home "$T/alice" note write --kind followup --case K5 \
	-m "a new case on purpose" >/dev/null || fail "the terminal follow-up to K5"
b alice note list --case K5 | grep -q "followup" || fail "K5's follow-up not written after yes"
echo "ok asked on a terminal"
