#!/bin/sh
# The page's server (daemon/web/) tried with curl the way another site or a
# rebound DNS name would: balint open --print gives a one-time login link
# (a second use refused) that sets an HttpOnly, SameSite=Strict cookie;
# every answer has a strict CSP, X-Frame-Options DENY, no-store; a POST
# without the CSRF token, without Origin or from another Origin, and any
# request under another Host are refused and write nothing; a command the
# page may not run (bundle.write) is refused; the page listens on
# 127.0.0.1 only; a note written through the page is the CLI's note, the
# guard's refusal comes back with its hits; the live stream tells of a
# note written by the CLI; the daemon stops cleanly with the stream open;
# --web-port off serves no page and balint open says so.
. "$(dirname "$0")/../lib/daemons.sh"

mkdir -p "$T/config/balint"
printf 'web-port = 0\n' >"$T/config/balint/config"
member anna
start anna
printf 'Name: Page\n\nWhat is said here stays here.\n' >"$T/c.txt"
b anna group create --contract "$T/c.txt" >/dev/null || fail "group create"

url=$(b anna open --print) || fail "open --print"
port=$(echo "$url" | sed -n 's|^http://127\.0\.0\.1:\([0-9]*\)/login?t=[0-9a-f]\{64\}$|\1|p')
[ -n "$port" ] || fail "open --print gave '$url'"
base=http://127.0.0.1:$port
ss -ltn "sport = :$port" | grep -q "127.0.0.1:$port" || fail "not on 127.0.0.1: $(ss -ltn "sport = :$port")"
ss -ltn "sport = :$port" | grep -v "127.0.0.1:$port" | grep -q ":$port" && fail "also on another address"

# The login link: once.
curl -s -D "$T/h" -c "$T/jar" -o /dev/null "$url" || fail "login"
head -1 "$T/h" | grep -q " 303 " || fail "login: $(head -1 "$T/h")"
sec=$(tr -d '\r' <"$T/h" | sed -n 's|^[Ll]ocation: /#s=\([0-9a-f]\{64\}\)$|\1|p')
[ -n "$sec" ] || fail "no secret in the redirect: $(grep -i location "$T/h")"
grep -qi "^set-cookie" "$T/h" && fail "the login set a cookie: $(grep -i set-cookie "$T/h")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 403 ] || fail "a used login link gave $code"

# The security headers, on the page and on the API.
curl -s -D "$T/h" -o "$T/index" "$base/" || fail "GET /"
for h in "content-security-policy: default-src 'none'; script-src 'self'" \
    "x-frame-options: DENY" "cache-control: no-store" \
    "x-content-type-options: nosniff"; do
	grep -qi "^$h" "$T/h" || fail "GET / lacks '$h'"
done
grep -qi "frame-ancestors 'none'" "$T/h" || fail "CSP without frame-ancestors"

get() { curl -s -b "$T/jar" -H "X-Balint-Session: $sec" "$@"; }
csrf=$(get "$base/api/session" | sed -n 's/.*"csrf":"\([0-9a-f]\{64\}\)".*/\1/p')
[ -n "$csrf" ] || fail "no CSRF token: $(get "$base/api/session")"

# Another local user's server on another port of 127.0.0.1 gets whatever
# cookie the browser holds for 127.0.0.1 (cookies ignore the port): with
# all of it, Origin and the CSRF token, but not the header, nothing.
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tbalint-%s\t%s\n' "$port" "$sec" >>"$T/jar"
for how in "" "-H X-Balint-Session:$(echo "$sec" | tr 0-9a-f a-f0-9)"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" $how "$base/api/session")
	[ "$code" = 401 ] || fail "/api/session without the secret ($how): $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" $how -H "Origin: $base" \
	    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	    -d '{"body":"must not be written"}' "$base/api/call/note.write")
	[ "$code" = 401 ] || fail "/api/call without the secret ($how): $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -b "$T/jar" $how "$base/api/events")
	[ "$code" = 401 ] || fail "/api/events without a ticket ($how): $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" $how -H "Origin: $base" \
	    -H "X-CSRF-Token: $csrf" -X POST "$base/api/events")
	[ "$code" = 401 ] || fail "an events ticket without the secret ($how): $code"
done
b anna note list | grep -q "must not be written" && fail "written without the secret"

# post CMD JSON [curl args...] — a POST as the page makes it.
post() {
	_c=$1; _j=$2; shift 2
	curl -s -H "X-Balint-Session: $sec" -H "Origin: $base" -H "X-CSRF-Token: $csrf" \
	    -H 'Content-Type: application/json' "$@" -d "$_j" "$base/api/call/$_c"
}
post note.write '{"body":"written on the page"}' >"$T/out"
grep -q '^{"status":0' "$T/out" || fail "note.write: $(cat "$T/out")"
b anna note list | grep -q "anna" || fail "the page's note is not in note list"
n_before=$(b anna --json note list | grep -c '"note"')

# Refused: no token, a wrong token, no Origin, another Origin, another Host.
refused() {
	_what=$1; shift
	_code=$(curl -s -o "$T/r" -w '%{http_code}' -H "X-Balint-Session: $sec" \
	    -H 'Content-Type: application/json' "$@" \
	    -d '{"body":"must not be written"}' "$base/api/call/note.write")
	[ "$_code" = 403 ] || fail "$_what: HTTP $_code $(cat "$T/r")"
}
refused "no CSRF token" -H "Origin: $base"
refused "a wrong CSRF token" -H "Origin: $base" -H "X-CSRF-Token: $(echo "$csrf" | tr 0-9a-f a-f0-9)"
refused "no Origin" -H "X-CSRF-Token: $csrf"
refused "a foreign Origin" -H "Origin: http://attacker.example" -H "X-CSRF-Token: $csrf"
refused "a rebound Host" -H "Host: attacker.example:$port" -H "Origin: http://attacker.example:$port" -H "X-CSRF-Token: $csrf"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" -H "Host: attacker.example:$port" "$base/api/session")
[ "$code" = 403 ] || fail "GET under another Host: $code"
[ "$(b anna --json note list | grep -c '"note"')" = "$n_before" ] || fail "a refused request wrote a note"
post bundle.write "{\"file\":\"$T/x.bundle\"}" -o /dev/null -w '%{http_code}' >"$T/code"
[ "$(cat "$T/code")" = 404 ] || fail "bundle.write through the page: $(cat "$T/code")"
[ -e "$T/x.bundle" ] && fail "the page wrote a bundle file"

# The guard: a personnummer is refused with its hits.
post note.write '{"body":"Patienten har pnr 19811228-9874."}' >"$T/out"
grep -q '"status":1' "$T/out" || fail "the guard let it through: $(cat "$T/out")"
grep -q '19811228-9874' "$T/out" || fail "no hit shown: $(cat "$T/out")"

# The live stream, by a single-use ticket: a note written by the CLI is
# told; the ticket a second time is refused; logging out ends the stream.
ticket() { get -H "Origin: $base" -H "X-CSRF-Token: $csrf" -X POST "$base/api/events" |
	sed -n 's/.*"ticket":"\([0-9a-f]\{64\}\)".*/\1/p'; }
tk=$(ticket)
[ -n "$tk" ] || fail "no ticket"
curl -s -N "$base/api/events?t=$tk" >"$T/ev" 2>/dev/null &
CURL=$!
PIDS="$PIDS $CURL"
until_ok 5 grep -q balintd "$T/ev" || fail "the stream did not open"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$base/api/events?t=$tk")
[ "$code" = 401 ] || fail "a ticket used twice: $code"
b anna note write -m 'written in the terminal' >/dev/null || fail "cli write"
until_ok 5 grep -q "^event: entry" "$T/ev" || fail "no event: $(cat "$T/ev")"
curl -s -N "$base/api/events?t=$(ticket)" >"$T/ev2" 2>/dev/null &
CURL2=$!
PIDS="$PIDS $CURL2"
until_ok 5 grep -q balintd "$T/ev2" || fail "the second stream did not open"
get -H "Origin: $base" -H "X-CSRF-Token: $csrf" -X POST "$base/api/logout" | grep -q '"status":0' || fail "logout"
until_ok 5 sh -c "! kill -0 $CURL2 2>/dev/null" || fail "the stream outlived its session's logout"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Balint-Session: $sec" "$base/api/session")
[ "$code" = 401 ] || fail "the session outlived its logout: $code"
stop anna
wait "$CURL" 2>/dev/null

# --web-port off: no page.
"$BALINTD" --home "$T/anna" --listen 127.0.0.1:0 --web-port off >>"$T/anna.log" 2>&1 &
PID_anna=$!
PIDS="$PIDS $!"
until_ok 10 b anna status || fail "anna did not come back"
b anna open --print 2>"$T/err"; [ $? -eq 1 ] || fail "open without a page is not exit 1"
grep -q "does not serve the page" "$T/err" || fail "open: $(cat "$T/err")"
"$BALINTD" --web-port 70000 2>"$T/err"; [ $? -eq 2 ] || fail "--web-port 70000 is not exit 2"
echo "page-http: ok"
