#!/bin/sh
# make deb builds a Debian package with debhelper that installs what make
# install PREFIX=/usr installs; dpkg -i installs it on this machine, its
# binaries run (a real profile and daemon, a PDF export by its
# /usr/lib/balint/balint-export-pdf), its unit verifies, its man
# pages are found; the member guide works step by step with the installed
# binaries only (tests/lib/member-guide.sh: init, daemon start, unlock
# --remember on a terminal, join, write, a "reboot", reading without the
# passphrase); dpkg -r and then --purge leave nothing behind.  One package
# installation for both, as dpkg takes ~10 s each way.
. "$(dirname "$0")/../lib/daemons.sh"
. "$(dirname "$0")/../lib/package.sh"

pkg_build
[ "$(dpkg-deb -f "$DEB" Version)" = "$("$BALINT" --version | sed 's/^balint \([^ ]*\).*/\1/')" ] ||
	fail "package version $(dpkg-deb -f "$DEB" Version) is not balint's"
# The same files as make install PREFIX=/usr (the package adds its docs).
make -s -C "$TOP" BUILD="$BUILD" install PREFIX=/usr DESTDIR="$T/root" >/dev/null 2>&1 ||
	fail "make install"
(cd "$T/root" && find . ! -type d | sort) >"$T/want"
dpkg-deb -c "$DEB" | awk '{print $6}' | grep -v '/$' | grep -v '^./usr/share/doc/' |
	sed 's/\.gz$//' | sort >"$T/got"
diff "$T/want" "$T/got" || fail "the package and make install differ (above)"

pkg_install
dpkg -s balint | grep -q '^Status: install ok installed' || fail "not installed"
/usr/bin/balint --version | grep -q '^balint ' || fail "installed balint"
/usr/bin/balintd --version | grep -q '^balintd ' || fail "installed balintd"
man -w balint-contract >/dev/null || fail "man balint-contract"
man -w balintd >/dev/null || fail "man balintd"
[ "$(man -L sv -w balint)" = /usr/share/man/sv/man1/balint.1.gz ] || fail "man -L sv balint"
[ "$(man -L he -w balintd)" = /usr/share/man/he/man8/balintd.8.gz ] || fail "man -L he balintd"
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR=$T/run systemd-analyze --user verify /usr/lib/systemd/user/balintd.service \
    >"$T/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify")"
# A real member with the installed binaries only.
/usr/bin/balint --home "$T/pia" init --name Pia >/dev/null || fail "installed init"
/usr/bin/balint --home "$T/pia" daemon start --listen 127.0.0.1:0 >"$T/start" ||
	fail "installed daemon start: $(cat "$T/start")"
pid=$(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/start")
PIDS="$PIDS $pid"
[ "$(readlink "/proc/$pid/exe")" = /usr/bin/balintd ] || fail "not the installed balintd"
/usr/bin/balint --home "$T/pia" unlock >/dev/null || fail "installed unlock"
/usr/bin/balint --home "$T/pia" status | grep -q "process id   $pid" || fail "installed status"
# The PDF by the package's own /usr/lib/balint/balint-export-pdf.
printf 'Name: Package group\n\nWhat is said here stays here.\n' >"$T/pc.txt"
/usr/bin/balint --home "$T/pia" group create --contract "$T/pc.txt" >/dev/null ||
	fail "installed group create"
/usr/bin/balint --home "$T/pia" export --format pdf "$T/pia.pdf" 2>"$T/err" ||
	fail "installed export pdf: $(cat "$T/err")"
pdftotext "$T/pia.pdf" - | grep -q "Package group" || fail "the installed PDF export"
/usr/bin/balint --home "$T/pia" daemon stop >/dev/null || fail "installed daemon stop"

# The member guide, in a D-Bus session of its own with a login keyring.
for t in dbus-run-session gnome-keyring-daemon script; do
	command -v $t >/dev/null || fail "no $t (make deps)"
done
mkdir -m 700 "$T/khome" "$T/krun"
T=$T HOME=$T/khome XDG_RUNTIME_DIR=$T/krun XDG_CONFIG_HOME=$T/config \
    dbus-run-session -- sh "$(dirname "$0")/../lib/member-guide.sh" \
    >"$T/guide.out" 2>&1
rc=$?
for p in $(cat "$T/pids" 2>/dev/null); do PIDS="$PIDS $p"; done
grep -v 'Failed to set fd limit' "$T/guide.out"
[ $rc -eq 0 ] || fail "the member guide's transcript failed"

dpkg -L balint | sort >"$T/listed"
pkg_dpkg -r balint || fail "dpkg -r"
while read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] || [ -L "$f" ] && fail "left after dpkg -r: $f"
done <"$T/listed"
pkg_dpkg --purge balint || fail "dpkg --purge"
PKG_INSTALLED=
dpkg -s balint >/dev/null 2>&1 && fail "dpkg still knows balint after purge"
[ -e /usr/share/balint ] && fail "/usr/share/balint left after purge"
echo "package: ok"
