#!/bin/sh
# Restarts lose nothing: after a clean restart of each daemon in turn its
# notes, members, groups and peers are listed as before; a daemon killed
# with SIGKILL right after `note write` returned still has the note when it
# comes back, and its notes still reach the others; the stores pass
# SQLite's integrity check.
. "$(dirname "$0")/../lib/daemons.sh"

member alice; member bob; member carol
start alice; start bob; start carol

cat >"$T/contract.txt" <<'TXT'
Name: Durable Group
History: full

Nothing written here is lost.
TXT
b alice group create --contract "$T/contract.txt" >/dev/null || fail "group create"
code=$(b alice invite) || fail "invite for bob"
b bob join "$code" --accept >/dev/null || fail "bob join"
code=$(b alice invite) || fail "invite for carol"
b carol join "$code" --accept >/dev/null || fail "carol join"

count() {	# member pattern — how many lines of `note list` match
	b "$1" note list 2>/dev/null | grep -c -- "$2"
}
has_notes() {	# member pattern n
	[ "$(count "$1" "$2")" -eq "$3" ]
}
# Every stored peer of member is up, and there are n of them.
peers_up() {	# member n
	out=$(b "$1" --json peer list) || return 1
	[ "$(echo "$out" | grep -c '"address"')" -eq "$2" ] &&
	[ "$(echo "$out" | grep -c '"state": *"up"')" -eq "$2" ]
}
# What must survive a restart (peer states aside: they are live).
snapshot() {	# member file
	{
		b "$1" --json group list
		b "$1" --json members
		b "$1" --json note list
		b "$1" --json peer list | sed 's/"state": *"[a-z]*"//' | sort
	} >"$2" 2>&1
}

for m in alice bob carol; do
	b $m note write --kind case --case D1 --title "by $m" \
		-m "a note by $m" >/dev/null || fail "$m note write"
done
for m in alice bob carol; do
	until_ok 30 has_notes $m "by " 3 || fail "$m does not have 3 notes"
	until_ok 30 peers_up $m 2 || {
		b $m --json peer list
		fail "$m does not have its 2 peers up"
	}
done
for m in alice bob carol; do
	snapshot $m "$T/$m.before"
	grep -q '"status": *"active"' "$T/$m.before" || fail "snapshot of $m"
done

# A clean restart of each daemon in turn loses nothing, anywhere.
for m in alice bob carol; do
	stop $m
	start $m
	until_ok 30 peers_up $m 2 || {
		b $m --json peer list
		fail "$m's peers did not come back up"
	}
	for o in alice bob carol; do
		snapshot $o "$T/$o.after"
		cmp -s "$T/$o.before" "$T/$o.after" || {
			diff "$T/$o.before" "$T/$o.after"
			fail "$o lists something else after $m restarted"
		}
	done
done

# SIGKILL right after `note write` returned: the note is there on restart.
# The check runs on a copy (database and WAL), so that the daemon itself
# recovers the store it left behind.
sqlite_ok() {	# member
	command -v sqlite3 >/dev/null 2>&1 || return 0
	rm -rf "$T/check"; mkdir "$T/check"
	cp "$T/$1/store.db" "$T/check/" || return 1
	[ ! -f "$T/$1/store.db-wal" ] || cp "$T/$1/store.db-wal" "$T/check/"
	[ "$(sqlite3 "$T/check/store.db" 'PRAGMA integrity_check')" = ok ]
}
# (daemons.sh's helpers use n, i and p: this loop uses k and nid.)
k=1
while [ $k -le 5 ]; do
	nid=$(b bob note write --kind session --title "killed $k" \
		-m "written just before kill $k") || fail "bob note write $k"
	stop bob KILL
	sqlite_ok bob || fail "bob's store fails the integrity check after kill $k"
	start bob
	b bob note show "$nid" | grep -q "written just before kill $k" \
		|| fail "bob lost note $k to SIGKILL"
	k=$((k + 1))
done
has_notes bob "killed " 5 || fail "bob does not list his 5 notes"

# The killed member's notes still reach the others.
for m in alice carol; do
	until_ok 30 has_notes $m "killed " 5 || fail "$m did not get bob's 5 notes"
done
b carol note write --title "after the kills" -m "carol again" >/dev/null \
	|| fail "carol note write"
until_ok 30 has_notes bob "after the kills" 1 || fail "bob did not get carol's note"

for m in alice bob carol; do
	stop $m
	sqlite_ok $m || fail "$m's store fails the integrity check"
done
exit 0
