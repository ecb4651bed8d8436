#!/bin/sh
# i18n.sh — balint in the members' languages (issue 18): the Swedish and
# Hebrew catalogues hold every message marked in cli/, pdf/, daemon/ and i18n/
# (xgettext of the sources now, merged into each po/LANG.po: no
# untranslated, no fuzzy message), and LANG or LANGUAGE chooses the
# language of --help and of the messages, also when the machine has not
# generated that locale.  Every command's own --help, and balintd's, is
# in Swedish and Hebrew with no line of its English text left over.
# The man pages in Swedish and Hebrew are complete and keep every command
# and option of the English ones.
set -u
BUILD=${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$BUILD/balint
T=$(mktemp -d "${TMPDIR:-/tmp}/balint-i18n.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
unset LANGUAGE LC_ALL LC_MESSAGES

# Complete catalogues: every string marked in the sources is translated.
xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 --package-name=balint -o "$T/balint.pot" \
    "$TOP"/cli/*.c "$TOP"/pdf/*.c "$TOP"/daemon/*.c "$TOP"/daemon/*/*.c \
    "$TOP"/i18n/*.c "$TOP"/proto/*.c "$TOP"/guard/*.c || fail "xgettext"
# balintd's texts for members (N_() in daemon/ and proto/) are all in the
# table the CLI matches them against (po/daemon-texts.sh), so all are
# translated above and none is shown in English by a CLI that lacks it.
xgettext --from-code=UTF-8 -k -kN_ -o "$T/daemon.pot" "$TOP"/daemon/*.c \
    "$TOP"/daemon/*/*.c "$TOP"/proto/*.c "$TOP"/guard/*.c ||
    fail "xgettext of N_()"
n_pot=$(grep -c '^msgid ' "$T/daemon.pot")
[ "$n_pot" -gt 150 ] || fail "only $n_pot texts of balintd marked N_()"
sh "$TOP/po/daemon-texts.sh" "$T/texts.inc" "$TOP"/daemon/*.c \
    "$TOP"/daemon/*/*.c "$TOP"/proto/*.c "$TOP"/guard/*.c ||
    fail "daemon-texts.sh"
cmp -s "$T/texts.inc" "$BUILD/gen/daemon-texts.inc" ||
	fail "the CLI's table of balintd's texts is not the sources' (make)"
for l in sv he; do
	msgmerge -q --no-fuzzy-matching "$TOP/po/$l.po" "$T/balint.pot" \
	    -o "$T/$l.po" || fail "msgmerge $l"
	msgfmt --check --statistics -o /dev/null "$T/$l.po" 2>"$T/$l.stat" ||
		fail "msgfmt --check $l: $(cat "$T/$l.stat")"
	grep -q "untranslated\|fuzzy" "$T/$l.stat" &&
		fail "po/$l.po is not complete: $(cat "$T/$l.stat") (run make po, then translate the empty msgstr of po/$l.po)"
	# Obsolete entries (#~) are strings the sources no longer have.
	grep -q '^#~' "$T/$l.po" && fail "po/$l.po keeps strings no longer in the sources"
	[ -f "$BUILD/locale/$l/LC_MESSAGES/balint.mo" ] ||
		fail "make built no $l catalogue"
done

# The language of --help and of the messages.
LANG=sv_SE.UTF-8 "$B" --help >"$T/out" 2>&1
grep -q '^användning: balint' "$T/out" || fail "LANG=sv_SE.UTF-8: $(head -1 "$T/out")"
grep -q 'skapa den här medlemmens identitet' "$T/out" || fail "Swedish command list"
LANGUAGE=sv LANG=C.UTF-8 "$B" --help | grep -q '^användning: balint' ||
	fail "LANGUAGE=sv"
LANG=he_IL.UTF-8 "$B" --help >"$T/out" 2>&1
grep -q '^שימוש: balint' "$T/out" || fail "LANG=he_IL.UTF-8: $(head -1 "$T/out")"
LANG=C.UTF-8 "$B" --help | grep -q '^usage: balint' || fail "English by default"
LANG=C "$B" --help | grep -q '^usage: balint' || fail "LANG=C is English"
LANG=sv_SE.UTF-8 "$B" nots 2>"$T/err"
grep -q "okänt kommando 'nots'; menade du 'note'?" "$T/err" ||
	fail "Swedish error: $(head -1 "$T/err")"
LANG=he_IL.UTF-8 "$B" note lsit 2>"$T/err"
grep -q "תת-פקודה לא מוכרת 'note lsit'" "$T/err" ||
	fail "Hebrew error: $(head -1 "$T/err")"
LANG=sv_SE.UTF-8 "$B" --home "$T/none" revoke x 2>"$T/err"
grep -q "ingen terminal för att bekräfta återkallelsen" "$T/err" ||
	fail "Swedish confirmation: $(cat "$T/err")"

# Each command's own --help (and balintd's) in Swedish and Hebrew: it
# differs from the English, and no English line of explanation is left in
# it.  A line may stay as it is only when it is a synopsis (balint ..., a
# continuation of options in brackets) or no more than options and
# placeholders; any other English line found verbatim is untranslated.
D=$BUILD/balintd
prose() { # the English lines of $1 that a translation must not keep
	sed -e 's/^usage: //' "$1" | grep -v -E \
	    '^ *(balint|balintd) |^ *\[|^ *$' | grep -E '[a-z]{3,} [a-z]{2,}'
}
help_check() { # $1 what, $2 the English output, $3.. the command
	what=$1 en=$2
	shift 2
	prose "$en" >"$T/prose"
	[ -s "$T/prose" ] || fail "$what --help: no English text to compare"
	for l in sv he; do
		LANGUAGE=$l LANG=C.UTF-8 "$@" --help >"$T/$l.help" 2>&1 ||
			fail "$what --help in $l: exit $?"
		cmp -s "$en" "$T/$l.help" && fail "$what --help: $l is English"
		grep -xF -f "$T/prose" "$T/$l.help" >"$T/left" &&
			fail "$what --help ($l) keeps: $(cat "$T/left")"
	done
	head -1 "$T/sv.help" | grep -q '^användning: ' ||
		fail "$what --help: sv starts $(head -1 "$T/sv.help")"
	head -1 "$T/he.help" | grep -q '^שימוש: ' ||
		fail "$what --help: he starts $(head -1 "$T/he.help")"
}
# Every command of balint --help's list, and the subcommands with a usage
# of their own (or reached by their own --help).
LANG=C "$B" --help | sed -n 's/^  \([a-z]\{2,\}\) .*/\1/p' >"$T/cmds"
[ "$(wc -l <"$T/cmds")" -ge 24 ] || fail "balint --help lists $(wc -l <"$T/cmds") commands"
cat >>"$T/cmds" <<EOF
note write
note search
note log
case show
bundle write
peer add
contract diff
EOF
# The sanitizer tree runs the same code for each: two commands there, all
# 31 (about 100 runs of balint) in the normal tree.
case "$BUILD" in */san) printf 'note\ncontract diff\n' >"$T/cmds";; esac
while read -r cmd; do
	LANG=C "$B" --home "$T/none" $cmd --help >"$T/en.help" 2>&1 ||
		fail "$cmd --help: exit $?"
	help_check "balint $cmd" "$T/en.help" "$B" --home "$T/none" $cmd
done <"$T/cmds"

# balint config keys: what each setting does, in the member's language.
LANG=C "$B" --home "$T/none" config keys >"$T/en.keys" 2>&1 ||
	fail "config keys: exit $?"
for l in sv he; do
	LANGUAGE=$l LANG=C.UTF-8 "$B" --home "$T/none" config keys \
	    >"$T/$l.keys" 2>&1 || fail "config keys in $l: exit $?"
	[ "$(wc -l <"$T/$l.keys")" -eq "$(wc -l <"$T/en.keys")" ] ||
		fail "config keys in $l: not one line per key"
	grep -xF -f "$T/en.keys" "$T/$l.keys" >"$T/left" &&
		fail "config keys in $l keeps: $(cat "$T/left")"
done
grep -q '^editor   balint   redigeraren för note write' "$T/sv.keys" ||
	fail "config keys in Swedish: $(grep editor "$T/sv.keys")"
LANGUAGE=he LANG=C.UTF-8 "$B" --home "$T/none" config get 2>"$T/err"
grep -q '^balint: שימוש: balint config get KEY' "$T/err" ||
	fail "config usage in Hebrew: $(cat "$T/err")"

LANG=C "$D" --help >"$T/en.help" 2>&1 || fail "balintd --help: exit $?"
grep -q 'BALINT_TOR=on|off changes the default' "$T/en.help" ||
	fail "balintd --help: no default for --tor"
help_check balintd "$T/en.help" "$D"
LANGUAGE=sv LANG=C.UTF-8 "$D" --help | grep -q 'BALINT_TOR=on|off ändrar' ||
	fail "balintd --help in Swedish: no default for --tor"
LANGUAGE=he LANG=C.UTF-8 "$D" --help | grep -q '^  --tor on|off        הפעלת tor' ||
	fail "balintd --help in Hebrew: the option not at the start"

# No message left out of the catalogue: every error the CLI prints
# (util_err) and every refusal balintd sends (control_fail) has its format
# marked, _() or N_() (a bare "%s" passes a text marked where it was made).
(cd "$TOP" && python3 - <<'PY'
import glob, re, sys
LIT = r'"(?:[^"\\]|\\.)*"'
checks = [("daemon/*.c daemon/*/*.c",
           re.compile(r'control_fail\(\s*[a-z_>-]+,\s*[^,]+?,\s*(' + LIT + ')', re.S)),
          ("cli/*.c", re.compile(r'\butil_err\(\s*(' + LIT + ')', re.S))]
bad = []
for globs, pat in checks:
    for g in globs.split():
        for p in sorted(glob.glob(g)):
            s = open(p).read()
            for m in pat.finditer(s):
                if m.group(1) != '"%s"':
                    bad.append("%s:%d: %s" % (p, s.count("\n", 0, m.start()) + 1,
                                              m.group(1)[:60]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
) >"$T/unmarked" || fail "messages not marked for translation: $(cat "$T/unmarked")"

# The CLI's own errors (cmd-*.c) in the member's language.
LANGUAGE=sv "$B" --home "$T/none" peer add nocolon 2>"$T/err"
grep -qx "balint: ogiltig adress 'nocolon' (använd VÄRD:PORT, t.ex. 192.0.2.7:7000)" \
    "$T/err" || fail "Swedish peer add: $(cat "$T/err")"
LANGUAGE=he "$B" --home "$T/none" init 2>"$T/err"
grep -q "^balint: init צריך ‎--name NAME (ראו: balint init --help)" "$T/err" ||
	fail "Hebrew init: $(cat "$T/err")"
LANGUAGE=sv "$B" --home "$T/none" note write --kind followup -m x \
    </dev/null 2>"$T/err"
grep -q "^balint: en uppföljning behöver fallet den följer upp" "$T/err" ||
	fail "Swedish follow-up: $(cat "$T/err")"

# balintd speaks English (its log), the CLI shows what it says in the
# member's language: one daemon, members of two languages.  Errors in
# replies (one inside another: peer add of its own address), the guard's
# refusal, and status: tor, LAN, the labels, a peer's state.
( . "$TOP/tests/lib/daemons.sh"
member anna
start anna
b anna contract template >"$T/contract.txt"
b anna group create --contract "$T/contract.txt" >/dev/null 2>&1 ||
	fail "group create"
check() { # LANG WANT CMD...: CMD's stderr and stdout hold WANT
	_l=$1 _w=$2
	shift 2
	LANGUAGE=$_l b anna "$@" >"$T/said" 2>&1
	grep -qF -- "$_w" "$T/said" ||
		fail "$_l: $*: want '$_w', got: $(cat "$T/said")"
}
sed 's/^History:.*/History: sometimes/' "$T/contract.txt" >"$T/bad.txt"
check sv "balint: rad 12: History måste vara 'from-join' eller 'full', inte 'sometimes'" \
    group create --contract "$T/bad.txt"
check sv "balint: okänd anteckning 'abcdef12' (se: balint note list)" \
    note show abcdef12
check he "balint: רשומה לא מוכרת 'abcdef12' (ראו: balint note list)" \
    note show abcdef12
a=$(addr anna)
check sv "kan inte lägga till parten '$a': $a är där den här tjänsten själv lyssnar" \
    peer add "$a"
check he "אי אפשר להוסיף את העמית '$a': ‏$a היא הכתובת שבה השירות הזה עצמו מאזין" \
    peer add "$a"
check sv "som kan identifiera en patient; inget skrevs" \
    note write -m "Patient Anna Svensson, 19850101-1234, ringde"
check sv "namn: Svensson" \
    note write -m "Patient Anna Svensson, 19850101-1234, ringde"
check he "לזהות מטופל/ת; דבר לא נכתב" \
    note write -m "Patient Anna Svensson, 19850101-1234, ringde"
check sv "anna  ledare  aktiv" members
check sv "  tor          av (--tor off): den här medlemmen nås bara på sina IP-adresser" status
check sv "  lokalt nät   av (lan-discovery = off)" status
check sv "  medlems-id   bm" status
check he "  רשת מקומית   כבוי (lan-discovery = off)" status
check he "  מקומי בלבד   $a עובדת רק במחשב הזה" status
LANGUAGE=en b anna note show abcdef12 2>&1 | grep -q "unknown note 'abcdef12'" ||
	fail "English: $(LANGUAGE=en b anna note show abcdef12 2>&1)"
grep -q 'tor: off (--tor off): this member is reached' "$T/anna.log" ||
	fail "balintd's log is not English: $(head -3 "$T/anna.log")"
# A peer nobody answers at: kept, its state in the member's language.
p=127.0.0.1:$(free_port)
check sv "kan inte lägga till parten '$p': kan inte ringa upp $p nu (sparad; försöker igen senare)" \
    peer add "$p"
check sv "  $p  väntar" status
check he "  $p  ממתין" status
# A name inside balintd's text stays as it is, though it is a word of the
# catalogue (a group called "yes" is not "ja"): only balintd's own texts
# are translated.
sed 's/^Name:.*/Name: yes/' "$T/contract.txt" >"$T/yes.txt"
b anna group create --contract "$T/yes.txt" >/dev/null 2>&1 || fail "group yes"
check sv "ingen öppen inbjudan 'abcd' i yes " invite cancel -g yes abcd
check he "ב-yes " invite cancel -g yes abcd
check sv "du är med i 2 grupper: säg vilken med -g GROUP" note list
check he "יש לך 2 קבוצות" note list
) || fail "balintd's texts in Swedish and Hebrew"

# The man pages in Swedish and Hebrew (po/man/, po4a; the same files in
# both trees, so the normal tree only).  Their translations hold every
# paragraph of the English pages as they are now: a fresh template from
# docs/ merged into a copy of po/man/LANG.po has no untranslated, fuzzy or
# obsolete paragraph.  Each page make built renders without a warning,
# under its language's section names only, and keeps every command and
# option of its English page (tests/lib/man-tokens.py).
man_text() {	# man_text LANG PAGE — the page as man shows it, in plain text
	LC_ALL=C.UTF-8 MANWIDTH=200 man --warnings -L "$1" -l "$2" 2>"$T/man.err" |
		col -bx
	[ ! -s "$T/man.err" ] || fail "man -L $1 -l $2: $(head -3 "$T/man.err")"
}
heads() { sed '1d;$d' "$1" | grep '^[^ ]'; }	# section names, not header/footer
case "$BUILD" in */san) ;; *)
	mkdir -p "$T/man/po/man"
	(cd "$TOP" && po4a -q --force --no-translations --srcdir "$TOP" \
	    --destdir "$T/man" po/man/po4a.cfg) >"$T/po4a.out" 2>&1 ||
		fail "po4a: $(cat "$T/po4a.out")"
	pages="man1/balint.1 man8/balintd.8 man5/balint-contract.5"
	for p in $pages; do man_text en "$TOP/docs/${p#*/}" >"$T/en-${p#*/}"; done
	args=
	for l in sv he; do
		po=$T/man/po/man/$l.po
		msgfmt --check --statistics -o /dev/null "$po" 2>"$T/man-$l.stat" ||
			fail "msgfmt --check po/man/$l.po: $(cat "$T/man-$l.stat")"
		grep -q "untranslated\|fuzzy" "$T/man-$l.stat" &&
			fail "po/man/$l.po does not translate the man pages as they are now: $(cat "$T/man-$l.stat") (run make man-po, then translate the empty and fuzzy msgstr of po/man/$l.po)"
		grep -q '^#~' "$po" &&
			fail "po/man/$l.po keeps paragraphs no longer in docs/ (make man-po, then delete its #~ entries)"
		for p in $pages; do
			out=$T/$l-${p#*/}
			[ -f "$BUILD/man/$l/$p" ] || { fail "make built no $l/$p"; continue; }
			man_text "$l" "$BUILD/man/$l/$p" >"$out"
			[ "$(heads "$out" | wc -l)" = "$(heads "$T/en-${p#*/}" | wc -l)" ] ||
				fail "$l/$p has other sections than docs/${p#*/}: $(heads "$out" | tr '\n' ' ')"
			heads "$T/en-${p#*/}" | grep -qxF -f - "$out" &&
				fail "$l/$p keeps English section names: $(heads "$T/en-${p#*/}" | grep -xF -f - "$out" | tr '\n' ' ')"
			args="$args docs/${p#*/}=$out"
			# man-db's whatis index reads the Swedish NAME (NAMN); it knows
			# no Hebrew name for that section, so the Hebrew pages have no
			# whatis line of their own (whatis -L he gives the English).
			[ "$l" = he ] || lexgrog "$BUILD/man/$l/$p" >/dev/null ||
				fail "lexgrog $l/$p: $(lexgrog "$BUILD/man/$l/$p" 2>&1)"
		done
	done
	heads "$T/sv-balint.1" | head -2 | tr '\n' ' ' | grep -qx 'NAMN SAMMANFATTNING ' ||
		fail "Swedish balint(1) starts with: $(heads "$T/sv-balint.1" | head -2 | tr '\n' ' ')"
	heads "$T/he-balintd.8" | head -3 | tr '\n' ' ' | grep -qx 'שם תקציר תיאור ' ||
		fail "Hebrew balintd(8) starts with: $(heads "$T/he-balintd.8" | head -3 | tr '\n' ' ')"
	# shellcheck disable=SC2086 # args: one PAGE=TEXT word per page
	python3 "$TOP/tests/lib/man-tokens.py" "$T/man/po/man/balint-man.pot" $args ||
		fail "a translated man page lost a command or option (above)"
	;;
esac

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "i18n: ok"
