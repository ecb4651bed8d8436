#!/bin/sh
# Finding and catching up (issue 18): note search (folded case, accents,
# Hebrew points; ranked; the matching line), read marks and note list
# --new / --since, versions (note show --version, note log), case list and
# case show, follow-ups to unknown cases, export.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob
start alice; start bob
cat >"$T/contract.txt" <<'TXT'
Name: Find Group
History: full

A group that looks things up.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
w() { _w=$1; shift; b "$_w" note write --allow-identifiers "$@"; }

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
