#!/bin/sh
# The page in a real browser (Debian's chromium, headless, driven by
# playwright-core from npm; axe-core for accessibility), two members with
# their own daemons: anna unlocks her locked daemon in the page, invites
# ben there, ben reads the contract and joins in his; anna writes and ben's
# page shows it without reloading; ben's follow-up to anna's case appears
# under the case on anna's page, marked new until she has seen it (then
# balint note list --new agrees); a personnummer is shown while typing and
# stopped; Swedish and Hebrew (right to left); the leader removes ben and
# ben's page says so; no request leaves 127.0.0.1; axe finds no serious or
# critical violation.  The steps are in page-browser.js.  Normal tree only.
# (The browser and npm packages are not built with the sanitizers; the
# server's C code runs under them in page-http.sh.)
case "${BUILD:-}" in */san) echo "normal tree only"; exit 77 ;; esac
. "$(dirname "$0")/../lib/daemons.sh"

CHROMIUM=${CHROMIUM:-/usr/lib/chromium/chromium}
[ -x "$CHROMIUM" ] || fail "chromium is not installed (make deps installs it)"
NPMDIR=$BUILD/npm-page
if [ ! -f "$NPMDIR/node_modules/playwright-core/package.json" ] ||
    [ ! -f "$NPMDIR/node_modules/axe-core/package.json" ]; then
	mkdir -p "$NPMDIR" || fail "cannot create $NPMDIR"
	echo "installing playwright-core@1.65.2 and axe-core@4.14.1 into $NPMDIR"
	npm install --no-audit --no-fund --prefix "$NPMDIR" \
	    playwright-core@1.65.2 axe-core@4.14.1 >"$NPMDIR/install.log" 2>&1 ||
		{ cat "$NPMDIR/install.log" >&2; fail "npm install failed"; }
fi

mkdir -p "$T/config/balint"
printf 'web-port = 0\n' >"$T/config/balint/config"
member anna protected
member ben
[ -f "$T/anna.port" ] || free_port >"$T/anna.port"
env -u BALINT_PASSPHRASE_FILE "$BALINTD" --home "$T/anna" --stay-locked \
    --listen "127.0.0.1:$(cat "$T/anna.port")" >>"$T/anna.log" 2>&1 &
PID_anna=$!
PIDS="$PIDS $!"
until_ok 10 b anna status || fail "anna did not come up"
start ben

BALINT=$BALINT T=$T CHROMIUM=$CHROMIUM NODE_PATH=$NPMDIR/node_modules \
    node "$(dirname "$0")/page-browser.js" || fail "the page in the browser (see above)"
stop anna
stop ben
echo "page: ok"
