#!/bin/sh
# tests/chaos/chaos.sh — chaos test: N members on 127.0.0.1 write, edit and
# delete notes concurrently while the harness kills (SIGKILL) and restarts
# daemons, freezes them (SIGSTOP/SIGCONT) and, optionally, revokes a member
# and invites a fresh one.  Afterwards everything is healed and the harness
# checks: every member holds the same notes with the same texts, every write
# the CLI reported as done is there with its last reported text (deleted
# notes absent), and every store passes PRAGMA integrity_check.
#
# Parameters (environment):
#   CHAOS_SEED     the seed (default: random); printed, replay with it
#   CHAOS_MEMBERS  members (default 5)
#   CHAOS_OPS      operations per member (default 40)
#   CHAOS_FAULTS   faults injected (default 12)
#   CHAOS_REVOKE   1: revoke a member mid-way and invite a fresh one (default 1)
#   CHAOS_HEAL     seconds allowed for convergence after healing (default 180)
# BUILD is the build tree (as for tests/integration).
. "$(dirname "$0")/../lib/daemons.sh"

SEED=${CHAOS_SEED:-$(python3 -c 'import random; print(random.SystemRandom().randrange(1, 1 << 31))')}
NMEM=${CHAOS_MEMBERS:-5}
OPS=${CHAOS_OPS:-40}
FAULTS=${CHAOS_FAULTS:-12}
REVOKE=${CHAOS_REVOKE:-1}
HEAL=${CHAOS_HEAL:-180}
echo "chaos: seed $SEED (replay with CHAOS_SEED=$SEED), $NMEM members," \
	"$OPS ops each, $FAULTS faults, revoke $REVOKE"

# Continue every frozen daemon before the library's cleanup stops them;
# say the seed again on failure.
trap '_rc=$?; for _p in $PIDS; do kill -CONT "$_p" 2>/dev/null; done
	[ "$_rc" -eq 0 ] || echo "chaos: FAILED; replay with CHAOS_SEED=$SEED"
	(exit $_rc); cleanup' EXIT
trap 'exit 1' INT TERM

cat >"$T/driver.py" <<'PY'
import json, os, random, sqlite3, shutil, subprocess, sys, time

BALINT = os.environ["BALINT"]
T = os.environ["T"]

def bal(name, *args, timeout=60):
	"""Run balint as NAME; (ok, stdout)."""
	try:
		p = subprocess.run([BALINT, "--home", os.path.join(T, name)] + list(args),
			stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout)
	except subprocess.TimeoutExpired:
		return False, ""
	return p.returncode == 0, p.stdout.decode("utf-8", "replace")

def plan(seed, members, faults, revoke):
	"""Print the fault plan: one line per step."""
	rng = random.Random(seed * 7919 + 1)
	out = []
	half = faults // 2
	for i in range(faults):
		if revoke and i == half:
			out.append("revoke")
		out.append("sleep %.2f" % rng.uniform(0.5, 2.5))
		victim = rng.choice(members)
		# The first two faults are one of each kind, the rest at random.
		kind = ["kill", "freeze"][i] if i < 2 else rng.choice(["kill", "freeze"])
		if kind == "kill":
			out.append("kill %s" % victim)
		else:
			out.append("freeze %s %.2f" % (victim, rng.uniform(1.0, 4.0)))
	if revoke and faults <= half:
		out.append("revoke")
	print("\n".join(out))

def work(seed, name, ops, journal):
	"""Write, edit and delete NAME's own notes; journal every attempt."""
	rng = random.Random("%d-%s" % (seed, name))
	live = []		# note ids this worker may still touch
	with open(journal, "a") as j:
		def rec(**kw):
			j.write(json.dumps(kw) + "\n"); j.flush()
		for i in range(ops):
			time.sleep(rng.uniform(0.1, 0.8))
			text = "%s-%d-%08x" % (name, i, rng.randrange(1 << 32))
			r = rng.random()
			if not live or r < 0.45:
				ok, out = bal(name, "note", "write", "--title", "t-" + text, "-m", text)
				nid = out.strip() if ok else None
				rec(op="write", ok=ok, id=nid, text=text)
				if ok:
					live.append(nid)
			elif r < 0.8:
				nid = rng.choice(live)
				ok, _ = bal(name, "note", "edit", nid, "-m", text)
				rec(op="edit", ok=ok, id=nid, text=text)
				if not ok:
					live.remove(nid)	# uncertain now: leave it alone
			else:
				nid = rng.choice(live)
				ok, _ = bal(name, "note", "delete", nid)
				rec(op="delete", ok=ok, id=nid, text=None)
				live.remove(nid)
			if not ok:
				time.sleep(0.3)

def snapshot(name):
	"""NAME's entries (count, state code) and notes {id: (title, author,
	body, versions)}, or None if unreadable."""
	ok, out = bal(name, "--json", "status", timeout=30)
	if not ok:
		return None
	g = [x for x in json.loads(out) if x["kind"] == "group"]
	if len(g) != 1:
		return None
	notes = {"#entries": (g[0]["entries"], g[0]["state_code"], g[0]["members"])}
	ok, out = bal(name, "--json", "note", "list", timeout=30)
	if not ok:
		return None
	for n in json.loads(out):
		ok, s = bal(name, "--json", "note", "show", n["note"], timeout=30)
		if not ok:
			return None
		s = json.loads(s)[0]
		notes[n["note"]] = (s["title"], s["author"], s["body"], s["versions"])
	return notes

def converged(members, seconds):
	"""Exit 0 once every member shows the same entries and notes; 1 if
	that has not happened within SECONDS."""
	deadline = time.time() + seconds
	while True:
		snaps = [snapshot(m) for m in members]
		if snaps[0] is not None and all(s == snaps[0] for s in snaps):
			return 0
		if time.time() > deadline:
			for m, s in zip(members, snaps):
				print("chaos: %s: %s, %s notes" % (m,
					"unreadable" if s is None else s["#entries"],
					"-" if s is None else len(s) - 1))
			return 1
		time.sleep(1)

def reached(src, dst, seconds):
	"""Exit 0 once every note SRC wrote is at DST as SRC has it."""
	deadline = time.time() + seconds
	while True:
		a, b = snapshot(src), snapshot(dst)
		if a is not None and b is not None and all(b.get(k) == v
		    for k, v in a.items() if k != "#entries" and v[1] == src):
			return 0
		if time.time() > deadline:
			return 1
		time.sleep(1)

def check(members, journals):
	"""The final check; prints figures, exits 1 on a violation."""
	bad = []
	snaps = {m: snapshot(m) for m in members}
	ref = snaps[members[0]]
	for m in members:
		if snaps[m] is None:
			bad.append("%s: cannot read its notes" % m)
		elif snaps[m] != ref:
			a, b = set(ref), set(snaps[m])
			bad.append("%s differs from %s: only at %s %s, only at %s %s, texts differ %s"
				% (m, members[0], members[0], sorted(a - b), m, sorted(b - a),
				sorted(k for k in a & b if ref[k] != snaps[m][k])))
	if ref is None:
		ref = {"#entries": (0, "-", 0)}
	# Per note: the state after its last successful op, and the states of
	# failed attempts after it (an op that failed at the CLI may or may
	# not have been committed).
	attempts = {}
	failed_writes = set()
	counts = {"ops": 0, "ok": 0, "failed": 0}
	for jf in journals:
		for line in open(jf):
			e = json.loads(line)
			counts["ops"] += 1
			counts["ok" if e["ok"] else "failed"] += 1
			if e["op"] == "write" and not e["ok"]:
				failed_writes.add(e["text"])
				continue
			attempts.setdefault(e["id"], []).append(e)
	checked = 0
	for nid, es in attempts.items():
		last = max(i for i, e in enumerate(es) if e["ok"])
		allowed = set(e["text"] for e in es[last:])
		have = ref.get(nid)
		state = None if have is None else have[2]
		checked += 1
		if state not in allowed:
			bad.append("note %s: %s, expected %s" % (nid,
				"absent" if state is None else repr(state),
				" or ".join("absent" if t is None else repr(t) for t in sorted(allowed, key=str))))
	extra = [k for k in ref if k not in attempts and k != "#entries"]
	for k in extra:
		if ref[k][2] not in failed_writes:
			bad.append("note %s (%r) was never written" % (k, ref[k][2]))
	json.dump({k: list(v) for k, v in ref.items()}, open(os.path.join(T, "snap.json"), "w"))
	print("chaos: %d operations (%d reported done, %d failed at the CLI), "
		"%d notes checked against the journal, %d notes at each of %d members "
		"(%d entries, state code %s), "
		"%d extra from unconfirmed writes"
		% (counts["ops"], counts["ok"], counts["failed"], checked, len(ref) - 1,
		len(members), ref["#entries"][0], ref["#entries"][1], len(extra)))
	for b in bad:
		print("chaos: VIOLATION " + b)
	return 1 if bad else 0

def integrity(members):
	"""PRAGMA integrity_check on a copy of each store (db + wal)."""
	bad = 0
	for m in members:
		d = os.path.join(T, m)
		c = os.path.join(T, m + ".dbcopy")
		os.makedirs(c, exist_ok=True)
		for suf in ("", "-wal", "-shm"):
			if os.path.exists(os.path.join(d, "store.db" + suf)):
				shutil.copy(os.path.join(d, "store.db" + suf), c)
		db = sqlite3.connect(os.path.join(c, "store.db"))
		r = db.execute("PRAGMA integrity_check").fetchall()
		n = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
		db.close()
		if r != [("ok",)]:
			print("chaos: VIOLATION %s: integrity_check %r" % (m, r[:5]))
			bad += 1
	print("chaos: %d stores checked after a crash: %d integrity_check ok"
		% (len(members), len(members) - bad))
	return 1 if bad else 0

def same(members):
	"""Every member still shows the saved snapshot (after a restart)."""
	ref = {k: tuple(v) for k, v in json.load(open(os.path.join(T, "snap.json"))).items()}
	for m in members:
		for _ in range(100):
			s = snapshot(m)
			if s is not None:
				break
			time.sleep(0.3)
		if s != ref:
			print("chaos: VIOLATION %s changed across a crash" % m)
			return 1
	print("chaos: %d members unchanged across a crash and restart" % len(members))
	return 0

cmd = sys.argv[1]
if cmd == "plan":
	plan(int(sys.argv[2]), sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5]))
elif cmd == "work":
	work(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5])
elif cmd == "reached":
	sys.exit(reached(sys.argv[2], sys.argv[3], float(sys.argv[4])))
elif cmd == "converged":
	sys.exit(converged(sys.argv[2].split(), float(sys.argv[3])))
elif cmd == "integrity":
	sys.exit(integrity(sys.argv[2].split()))
elif cmd == "same":
	sys.exit(same(sys.argv[2].split()))
elif cmd == "check":
	sys.exit(check(sys.argv[2].split(), sys.argv[3].split()))
PY
export BALINT T
drv() { python3 "$T/driver.py" "$@"; }

# Members m1..mN; m1 is the leader.  Under revoke, the last member is
# revoked mid-way and a fresh member (fresh) invited.
ALL=
i=1
while [ $i -le "$NMEM" ]; do ALL="$ALL m$i"; i=$((i + 1)); done
ALL=${ALL# }
for m in $ALL; do member $m; start $m; done
printf 'Name: Chaos\nHistory: full\n\nChaos test group.\n' >"$T/contract.txt"
b m1 group create --contract "$T/contract.txt" >/dev/null || fail "group create"
for m in $ALL; do
	[ $m = m1 ] && continue
	code=$(b m1 invite) || fail "invite $m"
	until_ok 30 b $m join "$code" --accept || fail "$m join"
done
active() {	# member count
	[ "$(b "$1" members --json | grep -o '"status": *"active"' | wc -l)" -eq "$2" ]
}
for m in $ALL; do
	until_ok 60 active $m "$NMEM" || fail "$m does not see $NMEM active members"
done

VICTIM=
[ "$REVOKE" = 1 ] && [ "$NMEM" -ge 3 ] && VICTIM=m$NMEM
WPIDS=
JOURNALS=
for m in $ALL; do
	ops=$OPS
	# The member to be revoked writes less, so it has finished (and its
	# writes have spread) before the revocation.
	[ "$m" = "$VICTIM" ] && ops=$((OPS / 3))
	drv work "$SEED" $m "$ops" "$T/$m.journal" &
	eval "WPID_$m=$!"
	WPIDS="$WPIDS $!"; PIDS="$PIDS $!"
	JOURNALS="$JOURNALS $T/$m.journal"
done
# alive NAME — fails the run if NAME's daemon died by itself (it answers).
alive() {
	b "$1" status >/dev/null 2>&1 || fail "daemon $1 died by itself"
}

NKILL=0; NFREEZE=0; NREVOKE=0
FAULTABLE=$ALL
REV=0; [ -z "$VICTIM" ] || REV=1
drv plan "$SEED" "$FAULTABLE" "$FAULTS" $REV >"$T/plan"
while read -r what who arg; do
	case $what in
	sleep) sleep "$who" ;;
	kill)
		# The victim of the revocation has left the plan's members.
		case " $FAULTABLE " in *" $who "*) ;; *) continue ;; esac
		echo "chaos: kill -9 $who"
		alive $who
		stop $who KILL; start $who; NKILL=$((NKILL + 1)) ;;
	freeze)
		case " $FAULTABLE " in *" $who "*) ;; *) continue ;; esac
		echo "chaos: freeze $who for ${arg}s"
		alive $who
		eval "_fp=\$PID_$who"
		kill -STOP "$_fp"; sleep "$arg"; kill -CONT "$_fp"
		NFREEZE=$((NFREEZE + 1)) ;;
	revoke)
		[ -n "$VICTIM" ] || continue
		eval "wait \$WPID_$VICTIM"
		# Everything the victim wrote reaches the leader before the cut.
		drv reached $VICTIM m1 120 \
			|| fail "$VICTIM's notes did not reach m1 before the revocation"
		until_ok 60 b m1 revoke $VICTIM || fail "revoke $VICTIM"
		echo "chaos: revoked $VICTIM"
		FAULTABLE=$(echo " $FAULTABLE " | sed "s/ $VICTIM / /; s/^ //; s/ \$//")
		member fresh; start fresh
		code=$(b m1 invite) || fail "invite fresh"
		until_ok 60 b fresh join "$code" --accept || fail "fresh join"
		echo "chaos: invited fresh"
		drv work "$SEED" fresh "$OPS" "$T/fresh.journal" &
		WPIDS="$WPIDS $!"; PIDS="$PIDS $!"
		JOURNALS="$JOURNALS $T/fresh.journal"
		FAULTABLE="$FAULTABLE fresh"
		NREVOKE=$((NREVOKE + 1)) ;;
	esac
done <"$T/plan"
# (127: the victim's worker, already waited for.)
for p in $WPIDS; do wait "$p" || [ $? -eq 127 ] || fail "a worker failed"; done
echo "chaos: faults injected: $NKILL kill -9 + restart, $NFREEZE freezes," \
	"$NREVOKE revoke + invite"

# Heal: every daemon running and continued; sync; wait (bounded) until
# every member shows the same notes.
for p in $PIDS; do kill -CONT "$p" 2>/dev/null; done
for m in $FAULTABLE; do alive $m; done
for m in $FAULTABLE; do b $m sync --wait --timeout 30s >/dev/null 2>&1; done
drv converged "$FAULTABLE" "$HEAL" \
	|| echo "chaos: no convergence within ${HEAL}s"
drv check "$FAULTABLE" "$JOURNALS" || fail "chaos property violated"
# Crash every daemon: the stores must pass integrity_check as a crash left
# them, and hold the same notes after a restart.
for m in $FAULTABLE; do stop $m KILL; done
[ -z "$VICTIM" ] || stop $VICTIM KILL
drv integrity "$FAULTABLE" || fail "a store failed PRAGMA integrity_check"
for m in $FAULTABLE; do start $m; done
drv same "$FAULTABLE" || fail "notes changed across a crash and restart"
echo "chaos: ok (seed $SEED)"
exit 0
