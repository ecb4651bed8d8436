# tests/lib/package.sh — sourced by the scenarios that install the Debian
# package (deb.sh, member-guide.sh): normal tree only, as root with dpkg;
# builds it with make deb (nothing to do when it is up to date), installs
# it with dpkg -i, and purges it again on every way out.
case "${BUILD:-}" in */san) echo "normal tree only"; exit 77 ;; esac
[ "$(id -u)" = 0 ] || { echo "not root: cannot install a package; skipped"; exit 77; }
command -v dpkg-buildpackage >/dev/null || { echo "FAIL: no dpkg-buildpackage (make deps)"; exit 1; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)

# pkg_dpkg ARGS... — dpkg, waiting while another dpkg or apt holds its lock.
pkg_dpkg() {
	_k_i=0
	while ! dpkg "$@" >"$T/dpkg.out" 2>&1; do
		grep -qi "lock" "$T/dpkg.out" || { cat "$T/dpkg.out"; return 1; }
		_k_i=$((_k_i + 1))
		[ $_k_i -lt 600 ] || { cat "$T/dpkg.out"; return 1; }
		sleep 0.5
	done
}

# pkg_build — make deb; DEB gets the package's path.
pkg_build() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" deb \
	    >"$T/deb.out" 2>&1 || { cat "$T/deb.out"; fail "make deb"; }
	DEB=$(ls "$TOP"/build/deb/balint_*.deb | head -n 1)
	[ -f "$DEB" ] || fail "make deb made no package"
}

# pkg_install — dpkg -i the package (a leftover of a killed run goes first).
pkg_install() {
	dpkg -s balint >/dev/null 2>&1 && pkg_dpkg --purge balint
	pkg_dpkg -i "$DEB" || fail "dpkg -i $DEB"
	PKG_INSTALLED=1
}

pkg_cleanup() {
	rc=$?
	if [ -n "${PKG_INSTALLED:-}" ]; then
		for p in $PIDS; do kill "$p" 2>/dev/null; done
		pkg_dpkg --purge balint || echo "warning: dpkg --purge balint failed"
	fi
	(exit "$rc"); cleanup	# cleanup takes the status from $?
}
trap pkg_cleanup EXIT INT TERM
