#!/bin/sh
# tests/chaos/chaos.sh — chaos test: N members write, edit and delete notes
# concurrently while the harness kills (SIGKILL) and restarts daemons,
# freezes them (SIGSTOP/SIGCONT), cuts members off the network while they
# keep running and writing (alone, two at once, or the group split in two;
# packets silently dropped, or the link down), suspends a member like a
# laptop put to sleep (frozen and off the network), reboots one while it is
# cut off, and, optionally, revokes a member and invites a fresh one.
# Afterwards everything is healed and the harness checks: every member holds
# the same notes with the same texts, every write the CLI reported as done
# is there with its last reported text (deleted notes absent), and every
# store passes PRAGMA integrity_check.
#
# The network faults need root and `ip netns`: each daemon then runs in a
# network namespace of its own, linked to a bridge in another one made for
# the run (docs/testing-chaos.md); without them the harness says so in one
# line and injects the other faults, on 127.0.0.1.
#
# Parameters (environment):
#   CHAOS_SEED     the seed (default: random); printed, replay with it
#   CHAOS_MEMBERS  members (default 5)
#   CHAOS_OPS      operations per member at least (default 40); members
#                  keep writing until the fault plan is through
#   CHAOS_FAULTS   faults injected (default 12)
#   CHAOS_REVOKE   1: revoke a member mid-way and invite a fresh one (default 1)
#   CHAOS_NET      0: no network namespaces, no network faults (default 1)
#   CHAOS_PROBE    seconds a probe note may take to cross a healed cut
#                  (default 90)
#   CHAOS_HEAL     seconds allowed for convergence after healing (default 180)
#   CHAOS_LOGS     a directory to copy the daemons' logs, journals and plan to
#                  (and, after a failure, everything: profiles and stores)
# BUILD is the build tree (as for tests/integration).
. "$(dirname "$0")/../lib/daemons.sh"

SEED=${CHAOS_SEED:-$(python3 -c 'import random; print(random.SystemRandom().randrange(1, 1 << 31))')}
NMEM=${CHAOS_MEMBERS:-5}
OPS=${CHAOS_OPS:-40}
FAULTS=${CHAOS_FAULTS:-12}
REVOKE=${CHAOS_REVOKE:-1}
HEAL=${CHAOS_HEAL:-180}
PROBE=${CHAOS_PROBE:-90}
echo "chaos: seed $SEED (replay with CHAOS_SEED=$SEED), $NMEM members," \
	"$OPS ops each, $FAULTS faults, revoke $REVOKE"
NET=0
if [ "${CHAOS_NET:-1}" != 1 ]; then
	echo "chaos: network cuts skipped (need root and ip netns): CHAOS_NET=${CHAOS_NET}"
elif netns_init; then
	NET=1
	echo "chaos: every daemon in its own network namespace ($NETNS_NET.0/24" \
		"behind a bridge in $NETNS_HUB)"
else
	echo "chaos: network cuts skipped (need root and ip netns): $NETNS_WHY"
fi

# Continue every frozen daemon before the library's cleanup stops them;
# say the seed again on failure.
trap '_rc=$?; for _p in $PIDS; do kill -CONT "$_p" 2>/dev/null; done
	[ "$_rc" -eq 0 ] || echo "chaos: FAILED; replay with CHAOS_SEED=$SEED"
	[ -z "${CHAOS_LOGS:-}" ] || { mkdir -p "$CHAOS_LOGS"
	    cp "$T"/*.log "$T"/*.journal "$T"/plan "$T"/probe.times \
	    "$CHAOS_LOGS"/ 2>/dev/null
	    [ "$_rc" -eq 0 ] || cp -r "$T" "$CHAOS_LOGS"/state; }
	(exit $_rc); cleanup' EXIT
trap 'exit 1' INT TERM

cat >"$T/driver.py" <<'PY'
import concurrent.futures, json, os, random, re, sqlite3, shutil, subprocess, sys, tempfile, time

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

def plan(seed, members, faults, revoke, net):
	"""Print the fault plan: one line per step."""
	rng = random.Random(seed * 7919 + 1)
	# The first faults are one of each kind, in this order (the short
	# run's five take the first five), the rest at random.
	kinds = ["kill", "freeze"]
	if net:
		kinds += ["cut2", "suspend", "reboot", "cut"] + (["split"]
			if len(members) >= 4 else [])
	out = []
	half = faults // 2
	for i in range(faults):
		if revoke and i == half:
			out.append("revoke")
		out.append("pause %.2f" % rng.uniform(0.5, 2.5))
		victim = rng.choice(members)
		kind = kinds[i] if i < len(kinds) else rng.choice(kinds)
		secs = rng.uniform(1.0, 6.0)
		if kind == "kill":
			out.append("kill %s" % victim)
		elif kind == "freeze":
			out.append("freeze %s %.2f" % (victim, rng.uniform(1.0, 4.0)))
		elif kind in ("cut", "cut2"):
			# Each cut member alone, the others still connected.
			who = [victim] if kind == "cut" else rng.sample(members, 2)
			mode = {"cut2": "down", "cut": "drop"}[kinds[i]] \
				if i < len(kinds) else rng.choice(["drop", "down"])
			out.append("cut %s %.2f %s" % (",".join(who), secs, mode))
		elif kind == "split":
			# These on one side, the rest on the other.
			k = rng.randint(2, len(members) // 2) if len(members) >= 4 else 1
			out.append("split %s %.2f" % (",".join(rng.sample(members, k)), secs))
		else:
			out.append("%s %s %.2f" % (kind, victim, secs))
	if revoke and faults <= half:
		out.append("revoke")
	print("\n".join(out))

def work(seed, name, ops, journal, extend):
	"""Write, edit and delete NAME's own notes; journal every attempt.
	At least OPS operations; with EXTEND, on until the fault plan is
	through (T/plan.done), at most 8 * OPS."""
	rng = random.Random("%d-%s" % (seed, name))
	live = []		# note ids this worker may still touch
	done = os.path.join(T, "plan.done")
	with open(journal, "a") as j:
		def rec(**kw):
			j.write(json.dumps(kw) + "\n"); j.flush()
		i = 0
		while i < ops or (extend and i < 8 * ops and
		    not os.path.exists(done)):
			time.sleep(rng.uniform(0.1, 0.8))
			text = "%s-%d-%08x" % (name, i, rng.randrange(1 << 32))
			i += 1
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

def probe(what, healed, srcs, members, journal, limit):
	"""Right after a cut healed (at time HEALED): write a probe note at
	each of SRCS and wait (at most LIMIT s) until every other member has
	it; print how long after the healing each arrived."""
	notes = []
	with open(journal, "a") as j:
		for s in srcs:
			text = "probe-%s-%s-%d" % (what, s, int(time.time() * 1000))
			ok, out = bal(s, "note", "write", "--title", "t-" + text, "-m", text)
			nid = out.strip() if ok else None
			j.write(json.dumps(dict(op="write", ok=ok, id=nid, text=text)) + "\n")
			if ok:
				notes.append((s, nid))
			else:
				print("chaos: probe write at %s failed" % s)
	pending = set((s, nid, d) for s, nid in notes for d in members if d != s)
	got = {}
	deadline = time.time() + limit
	while pending and time.time() < deadline:
		for s, nid, d in sorted(pending):
			if bal(d, "note", "show", nid, timeout=10)[0]:
				got[(s, d)] = time.time() - healed
				pending.discard((s, nid, d))
		if pending:
			time.sleep(0.1)
	bad = 0
	with open(os.path.join(T, "probe.times"), "a") as f:
		for s, nid in notes:
			ts = [got[(s, d)] for d in members if d != s and (s, d) in got]
			late = [d for d in members if d != s and (s, d) not in got]
			f.write("%s %s %s\n" % (what, s, "%.2f" % max(ts)
				if not late else "undelivered"))
			print("chaos: probe from %s at every other member %s" % (s,
				"%.1fs after healing (%s)" % (max(ts), ", ".join(
				"%s %.1f" % (d, got[(s, d)]) for d in members if d != s))
				if not late else "NOT within %ds: missing at %s" % (limit,
				" ".join(late))))
			bad += 1 if late else 0
	return 1 if bad else 0

def snapshot(name, author=None):
	"""NAME's entries (count, state code) and notes {id: (title, author,
	body, versions)} (only AUTHOR's if given), or None if unreadable."""
	ok, out = bal(name, "--json", "status", timeout=30)
	if not ok:
		return None
	g = [x for x in json.loads(out) if x["kind"] == "group"]
	if len(g) != 1:
		return None
	notes = {"#entries": (g[0]["entries"], g[0]["state_code"], g[0]["members"])}
	# Every note's text in one run of balint (export --format json: the
	# latest version of each, with its id, title, author and versions), not
	# one note show per note: a few hundred fewer runs of the sanitizer
	# tree's balint per chaos-short.
	d = tempfile.mkdtemp(dir=T)
	try:
		ok, _ = bal(name, "export", "--format", "json",
			os.path.join(d, "notes.json"), timeout=30)
		if not ok:
			return None
		with open(os.path.join(d, "notes.json")) as f:
			listed = json.load(f)
	except (OSError, ValueError):
		return None
	finally:
		shutil.rmtree(d, ignore_errors=True)
	for n in listed:
		if author is None or n["author"] == author:
			notes[n["note"]] = (n["title"], n["author"], n["text"],
				n["versions"])
	return notes

def unreadable(name):
	"""Says why snapshot(NAME) fails."""
	def run(*args):
		p = subprocess.run([BALINT, "--home", os.path.join(T, name)] +
			list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
			timeout=30)
		if p.returncode != 0:
			print("chaos: %s unreadable: balint %s: exit %d: %s" % (name,
				" ".join(args), p.returncode,
				p.stderr.decode("utf-8", "replace").strip()))
		return p.returncode == 0, p.stdout.decode("utf-8", "replace")
	ok, out = run("--json", "status")
	ok2, out = run("--json", "note", "list")
	bad = 0
	for n in json.loads(out) if ok and ok2 else []:
		bad += 0 if run("--json", "note", "show", n["note"])[0] else 1
		if bad >= 3:
			break

def snapshots(members):
	"""snapshot() of each of MEMBERS, side by side."""
	with concurrent.futures.ThreadPoolExecutor(len(members)) as ex:
		return list(ex.map(snapshot, members))

def light(name):
	"""What NAME's status and note list show: entries, state code,
	members, and each note's author, title and version count."""
	ok, out = bal(name, "--json", "status", timeout=30)
	if not ok:
		return None
	g = [x for x in json.loads(out) if x["kind"] == "group"]
	ok, out = bal(name, "--json", "note", "list", timeout=30)
	if not ok or len(g) != 1:
		return None
	return (g[0]["entries"], g[0]["state_code"], g[0]["members"],
		sorted((n["note"], n["author"], n["title"], n["versions"])
		for n in json.loads(out)))

def converged(members, seconds, healed):
	"""Exit 0 once every member shows the same entries and notes; 1 if
	that has not happened within SECONDS.  Polls the cheap listings
	first, then compares every note's text; keeps the snapshots for
	check."""
	deadline = time.time() + seconds
	while True:
		lights = [light(m) for m in members]
		when = time.time() - healed
		if lights[0] is not None and all(l == lights[0] for l in lights):
			snaps = snapshots(members)
			if snaps[0] is not None and all(s == snaps[0] for s in snaps):
				print("chaos: converged %.1fs after healing" % when)
				json.dump({m: {k: list(v) for k, v in s.items()}
					for m, s in zip(members, snaps)},
					open(os.path.join(T, "snaps.json"), "w"))
				return 0
		if time.time() > deadline:
			snaps = snapshots(members)
			for m, s in zip(members, snaps):
				print("chaos: %s: %s, %s notes" % (m,
					"unreadable" if s is None else s["#entries"],
					"-" if s is None else len(s) - 1))
			return 1
		time.sleep(0.2)

def reached(src, dst, seconds):
	"""Exit 0 once every note SRC wrote is at DST as SRC has it."""
	deadline = time.time() + seconds
	while True:
		# Only SRC's notes: others may be deleted while we look.
		a, b = snapshot(src, src), snapshot(dst, src)
		if a is not None and b is not None and all(b.get(k) == v
		    for k, v in a.items() if k != "#entries" and v[1] == src):
			return 0
		if time.time() > deadline:
			if a is None or b is None:
				unreadable(src if a is None else dst)
			else:
				for k, v in sorted(a.items()):
					if k != "#entries" and v[1] == src and b.get(k) != v:
						print("chaos: note %s at %s: %r, at %s: %r"
							% (k, src, v, dst, b.get(k)))
			return 1
		time.sleep(1)

def check(members, journals):
	"""The final check; prints figures, exits 1 on a violation."""
	bad = []
	try:	# as converged left them
		snaps = {m: {k: tuple(v) for k, v in s.items()} for m, s in
			json.load(open(os.path.join(T, "snaps.json"))).items()}
	except FileNotFoundError:
		snaps = dict(zip(members, snapshots(members)))
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
	def after(m):
		for _ in range(100):
			s = snapshot(m)
			if s is not None:
				return s
			time.sleep(0.3)
	with concurrent.futures.ThreadPoolExecutor(len(members)) as ex:
		snaps = list(ex.map(after, members))
	for m, s in zip(members, snaps):
		if s != ref:
			print("chaos: VIOLATION %s changed across a crash" % m)
			return 1
	print("chaos: %d members unchanged across a crash and restart" % len(members))
	return 0

def sessions():
	"""Counts the daemons' session endings by reason, from their logs."""
	why = {}
	for f in sorted(os.listdir(T)):
		if not f.endswith(".log"):
			continue
		for line in open(os.path.join(T, f), errors="replace"):
			m = re.search(r"peer down: .*?, group .*?: (.*)$", line)
			if m:
				why[m.group(1)] = why.get(m.group(1), 0) + 1
	print("chaos: sessions ended: %s" % (", ".join("%d %s" % (n, r)
		for r, n in sorted(why.items(), key=lambda x: -x[1])) or "none"))

def summary():
	"""The probes' figures."""
	try:
		lines = [l.split() for l in open(os.path.join(T, "probe.times"))]
	except FileNotFoundError:
		return
	by = {}
	for what, src, t in lines:
		by.setdefault(what, []).append(t)
	for what, ts in sorted(by.items()):
		ok = sorted(float(t) for t in ts if t != "undelivered")
		print("chaos: probes after %s: %d, across in %s" % (what, len(ts),
			"median %.1fs, max %.1fs" % (ok[len(ok) // 2], ok[-1]) if ok
			else "-") + ("" if len(ok) == len(ts) else
			", %d NOT within the limit" % (len(ts) - len(ok))))

cmd = sys.argv[1]
if cmd == "plan":
	plan(int(sys.argv[2]), sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5]),
		int(sys.argv[6]))
elif cmd == "work":
	work(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5],
		int(sys.argv[6]))
elif cmd == "probe":
	sys.exit(probe(sys.argv[2], float(sys.argv[3]), sys.argv[4].split(),
		sys.argv[5].split(), sys.argv[6], float(sys.argv[7])))
elif cmd == "sessions":
	sessions()
elif cmd == "summary":
	summary()
elif cmd == "reached":
	sys.exit(reached(sys.argv[2], sys.argv[3], float(sys.argv[4])))
elif cmd == "converged":
	sys.exit(converged(sys.argv[2].split(), float(sys.argv[3]), float(sys.argv[4])))
elif cmd == "integrity":
	sys.exit(integrity(sys.argv[2].split()))
elif cmd == "same":
	sys.exit(same(sys.argv[2].split()))
elif cmd == "check":
	sys.exit(check(sys.argv[2].split(), sys.argv[3].split()))
PY
export BALINT T
export BALINT_TOR=${BALINT_TOR:-off}	# never the public Tor network
# No LAN beacons on the host's network unless a scenario asks (lan.sh).
export BALINT_LAN=${BALINT_LAN:-off}
drv() { python3 "$T/driver.py" "$@"; }

# mk NAME / up NAME — make a member (its own namespace under NET) / start
# its daemon (on its namespace's address, else on 127.0.0.1).
mk() { member "$1"; [ $NET = 0 ] || netns_member "$1"; }
up() { if [ $NET = 1 ]; then netns_start "$1"; else start "$1"; fi; }
now() { date +%s.%N; }

# Members m1..mN; m1 is the leader.  Under revoke, the last member is
# revoked mid-way and a fresh member (fresh) invited.
ALL=
i=1
while [ $i -le "$NMEM" ]; do ALL="$ALL m$i"; i=$((i + 1)); done
ALL=${ALL# }
for m in $ALL; do mk $m; up $m; done
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
JOURNALS="$T/probe.journal"
: >"$T/probe.journal"
for m in $ALL; do
	ops=$OPS; extend=1
	# The member to be revoked writes less, so it has finished (and its
	# writes have spread) before the revocation.
	[ "$m" = "$VICTIM" ] && { ops=$((OPS / 3)); extend=0; }
	drv work "$SEED" $m "$ops" "$T/$m.journal" $extend &
	eval "WPID_$m=$!"
	WPIDS="$WPIDS $!"; PIDS="$PIDS $!"
	JOURNALS="$JOURNALS $T/$m.journal"
done
# alive NAME — fails the run if NAME's daemon died by itself (it answers).
alive() {
	b "$1" status >/dev/null 2>&1 || fail "daemon $1 died by itself"
}
# present LIST — the members of the comma-separated LIST still in the
# plan (the revoked member has left it), space-separated.
present() {
	_r=
	for _x in $(echo "$1" | tr , ' '); do
		case " $FAULTABLE " in *" $_x "*) _r="$_r $_x" ;; esac
	done
	echo "${_r# }"
}
# probe WHAT SRC... — right after a healing: a note written at each SRC
# must reach every other member (CHAOS_PROBE bounds the wait).
probe() {
	_what=$1; shift
	drv probe "$_what" "$HEALED" "$*" "$FAULTABLE" "$T/probe.journal" \
		"$PROBE" || NSLOW=$((NSLOW + 1))
}
# other LIST — the first member of the plan not in LIST.
other() {
	for _x in $FAULTABLE; do
		case " $1 " in *" $_x "*) ;; *) echo $_x; return ;; esac
	done
}

NKILL=0; NFREEZE=0; NREVOKE=0; NCUT=0; NCUT2=0; NSPLIT=0; NSUSPEND=0
NREBOOT=0; NSLOW=0
FAULTABLE=$ALL
REV=0; [ -z "$VICTIM" ] || REV=1
drv plan "$SEED" "$FAULTABLE" "$FAULTS" $REV $NET >"$T/plan"
while read -r what who arg mode <&3; do
	case $what in
	pause) sleep "$who"; continue ;;
	revoke) ;;
	*)	# The victim of the revocation has left the plan's members.
		who=$(present "$who")
		[ -n "$who" ] || continue
		for m in $who; do alive $m; done ;;
	esac
	case $what in
	kill)
		echo "chaos: kill -9 $who"
		stop $who KILL; up $who; NKILL=$((NKILL + 1)) ;;
	freeze)
		echo "chaos: freeze $who for ${arg}s"
		eval "_fp=\$PID_$who"
		kill -STOP "$_fp"; sleep "$arg"; kill -CONT "$_fp"
		NFREEZE=$((NFREEZE + 1)) ;;
	cut)
		rest=$(other "$who")
		echo "chaos: cut $who off the network for ${arg}s ($mode)," \
			"each alone"
		for m in $who; do netns_cut $m $mode; done
		sleep "$arg"
		for m in $who; do netns_mend $m; done
		HEALED=$(now)
		case $who in
		*" "*) NCUT2=$((NCUT2 + 1)) ;;
		*) NCUT=$((NCUT + 1)) ;;
		esac
		probe cut $who $rest ;;
	split)
		set -- $who
		rest=$(other "$who")
		echo "chaos: split {$who} from {$(for m in $FAULTABLE; do
			case " $who " in *" $m "*) ;; *) printf '%s ' $m ;; esac
			done | sed 's/ $//')} for ${arg}s"
		for m in $who; do netns_side $m 1; done
		sleep "$arg"
		for m in $who; do netns_mend $m; done
		HEALED=$(now)
		NSPLIT=$((NSPLIT + 1))
		probe split $1 $rest ;;
	suspend)
		# A laptop put to sleep: frozen, and its packets go nowhere.
		echo "chaos: suspend $who for ${arg}s (frozen and off the network)"
		eval "_fp=\$PID_$who"
		kill -STOP "$_fp"; netns_cut $who drop
		sleep "$arg"
		netns_mend $who; kill -CONT "$_fp"
		HEALED=$(now)
		NSUSPEND=$((NSUSPEND + 1))
		probe suspend $who $(other "$who") ;;
	reboot)
		# Cut off, then the machine crashes and restarts (a namespace
		# of its own, no socket of the old one left to send a FIN or a
		# RST) and the daemon starts, still cut off: its peers hold
		# sessions to a process that is gone.
		echo "chaos: reboot $who while cut off for ${arg}s"
		netns_cut $who drop
		sleep "$(echo "$arg" | awk '{ print $1 / 2 }')"
		stop $who KILL; netns_reboot $who; up $who
		sleep "$(echo "$arg" | awk '{ print $1 / 2 }')"
		netns_mend $who
		HEALED=$(now)
		NREBOOT=$((NREBOOT + 1))
		probe reboot $who $(other "$who") ;;
	revoke)
		[ -n "$VICTIM" ] || continue
		eval "wait \$WPID_$VICTIM"
		# Everything the victim wrote reaches the leader before the cut.
		drv reached $VICTIM m1 120 \
			|| fail "$VICTIM's notes did not reach m1 before the revocation"
		until_ok 60 b m1 revoke --yes $VICTIM || fail "revoke $VICTIM"
		echo "chaos: revoked $VICTIM"
		FAULTABLE=$(echo " $FAULTABLE " | sed "s/ $VICTIM / /; s/^ //; s/ \$//")
		mk fresh; up fresh
		code=$(b m1 invite) || fail "invite fresh"
		until_ok 60 b fresh join "$code" --accept || fail "fresh join"
		echo "chaos: invited fresh"
		drv work "$SEED" fresh "$OPS" "$T/fresh.journal" 1 &
		WPIDS="$WPIDS $!"; PIDS="$PIDS $!"
		JOURNALS="$JOURNALS $T/fresh.journal"
		FAULTABLE="$FAULTABLE fresh"
		NREVOKE=$((NREVOKE + 1)) ;;
	esac
done 3<"$T/plan"
touch "$T/plan.done"
# (127: the victim's worker, already waited for.)
for p in $WPIDS; do wait "$p" || [ $? -eq 127 ] || fail "a worker failed"; done
echo "chaos: faults injected: $NKILL kill -9 + restart, $NFREEZE freezes," \
	"$NCUT cuts of one, $NCUT2 cuts of two, $NSPLIT splits," \
	"$NSUSPEND suspends, $NREBOOT reboots while cut off," \
	"$NREVOKE revoke + invite"
drv summary

# Heal: every daemon running and continued, every link up; sync; wait
# (bounded) until every member shows the same notes.
for p in $PIDS; do kill -CONT "$p" 2>/dev/null; done
if [ $NET = 1 ]; then for m in $FAULTABLE; do netns_mend $m; done; fi
HEALED=$(now)
for m in $FAULTABLE; do alive $m; done
SPIDS=
for m in $FAULTABLE; do
	b $m sync --wait --timeout 30s >/dev/null 2>&1 &
	SPIDS="$SPIDS $!"
done
for p in $SPIDS; do wait "$p"; done
drv converged "$FAULTABLE" "$HEAL" "$HEALED" \
	|| echo "chaos: no convergence within ${HEAL}s"
drv sessions
drv check "$FAULTABLE" "$JOURNALS" || fail "chaos property violated"
# Crash every daemon: the stores must pass integrity_check as a crash left
# them, and hold the same notes after a restart.
for m in $FAULTABLE; do stop $m KILL; done
[ -z "$VICTIM" ] || stop $VICTIM KILL
drv integrity "$FAULTABLE" || fail "a store failed PRAGMA integrity_check"
for m in $FAULTABLE; do up $m; done
drv same "$FAULTABLE" || fail "notes changed across a crash and restart"
[ "$NSLOW" -eq 0 ] || fail "$NSLOW probes did not cross a healed cut in time"
echo "chaos: ok (seed $SEED)"
exit 0
