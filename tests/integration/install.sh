#!/bin/sh
# make install PREFIX=... DESTDIR=... installs the binaries (balint's PDF
# program in PREFIX/lib/balint, where the installed balint finds it),
# balint(1), balint-contract(5), balintd(8) (in English, Swedish and Hebrew, where
# man -L finds them), the bash completion, the systemd user
# unit and the guard's lists (data/guard/), and nothing else; make uninstall removes exactly those files.  The
# unit passes systemd-analyze verify (its ExecStart, its man pages); the
# completion offers commands, options, subcommands, and the group names,
# member names and note ids of a running daemon.
case "${BUILD:-}" in */san) echo "normal tree only (the files are the same in both trees)"; exit 77 ;; esac
. "$(dirname "$0")/../lib/daemons.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SANOPT=
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" BUILD="$BUILD" $SANOPT "$@"; }

# Into a DESTDIR, as a package build does.
R=$T/root
mk install PREFIX=/usr DESTDIR="$R" >"$T/install.out" 2>&1 ||
	{ cat "$T/install.out"; fail "make install"; }
(cd "$R" && find . ! -type d | sort) >"$T/files"
sort >"$T/want" <<'W'
./usr/bin/balint
./usr/bin/balintd
./usr/lib/balint/balint-export-pdf
./usr/lib/systemd/user/balintd.service
./usr/share/balint/guard/SOURCES.md
./usr/share/balint/guard/allow.txt
./usr/share/balint/guard/given-names.txt
./usr/share/balint/guard/names-he-words.txt
./usr/share/balint/guard/names-he.txt
./usr/share/balint/guard/surnames.txt
./usr/share/bash-completion/completions/balint
./usr/share/bash-completion/completions/balintd
./usr/share/locale/he/LC_MESSAGES/balint.mo
./usr/share/locale/sv/LC_MESSAGES/balint.mo
./usr/share/man/he/man1/balint.1
./usr/share/man/he/man5/balint-contract.5
./usr/share/man/he/man8/balintd.8
./usr/share/man/man1/balint.1
./usr/share/man/man5/balint-contract.5
./usr/share/man/man8/balintd.8
./usr/share/man/sv/man1/balint.1
./usr/share/man/sv/man5/balint-contract.5
./usr/share/man/sv/man8/balintd.8
W
diff "$T/want" "$T/files" || fail "installed files differ (above)"
"$R/usr/bin/balint" --version | grep -q '^balint ' || fail "installed balint"
"$R/usr/bin/balintd" --version | grep -q '^balintd ' || fail "installed balintd"
grep -qx "ExecStart=/usr/bin/balintd --locked" "$R/usr/lib/systemd/user/balintd.service" ||
	fail "the unit does not start /usr/bin/balintd --locked"

# Every man page renders without a warning and says what it is about.
for p in man1/balint.1 man5/balint-contract.5 man8/balintd.8; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$R/usr/share/man/$p" \
	    >"$T/man.out" 2>"$T/man.err" || fail "man $p"
	[ ! -s "$T/man.err" ] || fail "man $p: $(cat "$T/man.err")"
	grep -q '^NAME' "$T/man.out" || fail "man $p has no NAME"
done
MANPATH=$R/usr/share/man man -w balint-contract >/dev/null ||
	fail "man balint-contract is not found under MANPATH"
# man -L sv and -L he find the Swedish and Hebrew pages (i18n.sh checks
# their text), and without a language the English ones.
for l in sv he; do
	for p in man1/balint.1 man8/balintd.8 man5/balint-contract.5; do
		n=${p#*/}
		[ "$(MANPATH=$R/usr/share/man man -L $l -w "${n##*.}" "${n%.*}")" = \
		    "$R/usr/share/man/$l/$p" ] ||
			fail "man -L $l ${n%.*}: $(MANPATH=$R/usr/share/man man -L $l -w "${n##*.}" "${n%.*}" 2>&1)"
	done
done
MANPATH=$R/usr/share/man LC_ALL=C.UTF-8 MANWIDTH=80 man -L sv balint 2>/dev/null |
	grep -q '^BESKRIVNING' || fail "man -L sv balint is not Swedish"
[ "$(MANPATH=$R/usr/share/man LC_ALL=C.UTF-8 man -w balint)" = "$R/usr/share/man/man1/balint.1" ] ||
	fail "man balint (no language) is not the English page"

# make uninstall removes exactly what install put there: a file of the
# member's own next to them stays.
echo mine >"$R/usr/bin/mine"
mk uninstall PREFIX=/usr DESTDIR="$R" >"$T/uninstall.out" 2>&1 ||
	{ cat "$T/uninstall.out"; fail "make uninstall"; }
(cd "$R" && find . ! -type d | sort) >"$T/left"
[ "$(cat "$T/left")" = ./usr/bin/mine ] || fail "left after uninstall: $(cat "$T/left")"

# Into a PREFIX of its own, where the unit's ExecStart exists: systemd
# checks the unit as the user manager would load it, with its man pages.
P=$T/prefix
mk install PREFIX="$P" >"$T/install2.out" 2>&1 ||
	{ cat "$T/install2.out"; fail "make install PREFIX"; }
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR=$T/run MANPATH=$P/share/man systemd-analyze --user verify \
    "$P/lib/systemd/user/balintd.service" >"$T/verify.out" 2>&1 ||
	{ cat "$T/verify.out"; fail "systemd-analyze verify"; }
[ ! -s "$T/verify.out" ] || fail "systemd-analyze verify: $(cat "$T/verify.out")"
# The installed balint finds its installed catalogues (PREFIX/share/locale).
LANGUAGE=sv LC_ALL=C.UTF-8 "$P/bin/balint" --help | grep -q '^användning: balint' ||
	fail "the installed balint does not speak Swedish"

# The completion, with the installed balint as the one on the line.
member anna
start anna
printf 'Name: Tuesday group\n\nWhat is said here stays here.\n' >"$T/c.txt"
b anna group create --contract "$T/c.txt" >/dev/null || fail "group create"
id=$(b anna note write -m 'a note' --title first) || fail "note write"
comp() {	# comp WORD... — what completing the last word offers
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _balint; printf "%s\n" "${COMPREPLY[@]}"' comp \
	    "$P/share/bash-completion/completions/balint" "$P/bin/balint" "$@"
}
comp "" | grep -qx note || fail "commands: $(comp "")"
comp "" | grep -qx complete || fail "commands: $(comp "")"
[ "$(comp no)" = note ] || fail "'no' completes to: $(comp no)"
comp note "" | grep -qx write || fail "note subcommands: $(comp note "")"
comp note write --ti | grep -qx -- --title || fail "note write options"
comp leave -- | grep -qx -- --yes || fail "leave options: $(comp leave --)"
[ "$(comp config set li)" = listen ] || fail "config keys: $(comp config set li)"
comp --home "$T/anna" -g "" | grep -qx 'Tuesday\\ group' ||
	fail "group names: $(comp --home "$T/anna" -g "")"
comp --home "$T/anna" revoke "" | grep -qx anna ||
	fail "member names: $(comp --home "$T/anna" revoke "")"
[ "$(comp --home "$T/anna" note show "$(echo "$id" | cut -c1-4)")" = "$id" ] ||
	fail "note ids: $(comp --home "$T/anna" note show "")"
# Nothing from a profile whose daemon is not running, and no error.
[ -z "$(comp --home "$T/nobody" note show "" 2>&1)" ] || fail "completion printed with no daemon"
bash -c '. "$1"; COMP_WORDS=("$2" --l); COMP_CWORD=1; _balintd
    printf "%s\n" "${COMPREPLY[@]}"' comp "$P/share/bash-completion/completions/balintd" \
    "$P/bin/balintd" |
	grep -qx -- --listen || fail "balintd options"
# The installed balint makes a PDF with the installed balint-export-pdf;
# without it, one line, exit 1, and no file.
"$P/bin/balint" --home "$T/anna" export --format pdf "$T/a.pdf" 2>"$T/err" ||
	fail "installed export pdf: $(cat "$T/err")"
head -c 5 "$T/a.pdf" | grep -q '^%PDF-' || fail "the installed export is no PDF"
mv "$P/lib/balint/balint-export-pdf" "$T/helper"
"$P/bin/balint" --home "$T/anna" export --format pdf "$T/b.pdf" 2>"$T/err"
[ $? -eq 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "cannot run" "$T/err" ||
	fail "export pdf without its program: $(cat "$T/err")"
[ -e "$T/b.pdf" ] && fail "a pdf file left without its program"
ls -A "$T" | grep -q 'balint-partial' && fail "a partial file left without its program"
mv "$T/helper" "$P/lib/balint/balint-export-pdf"
mk uninstall PREFIX="$P" >/dev/null 2>&1 || fail "make uninstall PREFIX"
echo "install: ok"
