#!/bin/sh
# i18n.sh — balint in the members' languages (issue 18): the Swedish and
# Hebrew catalogues hold every message marked in cli/, daemon/ and i18n/
# (xgettext of the sources now, merged into each po/LANG.po: no
# untranslated, no fuzzy message), and LANG or LANGUAGE chooses the
# language of --help and of the messages, also when the machine has not
# generated that locale.  Every command's own --help, and balintd's, is
# in Swedish and Hebrew with no line of its English text left over.
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
    "$TOP"/cli/*.c "$TOP"/daemon/*.c "$TOP"/daemon/*/*.c "$TOP"/i18n/*.c \
    "$TOP"/proto/config.c ||
    fail "xgettext"
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
while read -r cmd; do
	LANG=C "$B" --home "$T/none" $cmd --help >"$T/en.help" 2>&1 ||
		fail "$cmd --help: exit $?"
	help_check "balint $cmd" "$T/en.help" "$B" --home "$T/none" $cmd
done <<EOF
sync
unlock
lock
members
open
complete
group
passphrase
init
admit
join
invite
leave
revoke
note
note write
note search
note log
case
case show
check
bundle
bundle write
peer
peer add
config
daemon
contract
contract diff
status
EOF
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

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "i18n: ok"
