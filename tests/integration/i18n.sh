#!/bin/sh
# i18n.sh — balint in the members' languages (issue 18): the Swedish and
# Hebrew catalogues hold every message marked in cli/ (xgettext of the
# sources now, merged into each po/LANG.po: no untranslated, no fuzzy
# message), and LANG or LANGUAGE chooses the language of --help and of
# the messages, also when the machine has not generated that locale.
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
    "$TOP"/cli/*.c || fail "xgettext"
for l in sv he; do
	msgmerge -q --no-fuzzy-matching "$TOP/po/$l.po" "$T/balint.pot" \
	    -o "$T/$l.po" || fail "msgmerge $l"
	msgfmt --check --statistics -o /dev/null "$T/$l.po" 2>"$T/$l.stat" ||
		fail "msgfmt --check $l: $(cat "$T/$l.stat")"
	grep -q "untranslated\|fuzzy" "$T/$l.stat" &&
		fail "po/$l.po is not complete: $(cat "$T/$l.stat") (run make po, then translate the empty msgstr of po/$l.po)"
	# Obsolete entries (#~) are strings the sources no longer have.
	grep -q '^#~' "$T/$l.po" && fail "po/$l.po keeps strings no longer in cli/"
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

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "i18n: ok"
