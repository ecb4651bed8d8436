# bench/syncthing.sh — sourced by bench/run.sh: the same bulk and a
# single-file latency between two Syncthing instances (Debian's package),
# each with its own home, on 127.0.0.1 only: global and local discovery,
# relays, NAT traversal (and STUN), usage reporting, crash reporting and
# upgrades all off; devices introduced by id; one shared folder with the
# file watcher off (scans are requested through the REST API).
#
# Uses from run.sh: W, N_BULK, N_STLAT, NOTE_BYTES, TOOLS, put, log,
# die, free_port, calc, field, rss_kib, cpu_ns, wire_bytes.

ST_KEY=balint-bench-syncthing-api-key-0
ST_FOLDER=bench

# st_install — is Syncthing there?  (bench/run.sh installs it, as root,
# before it moves into its network namespace.)
st_install() {
	command -v syncthing >/dev/null 2>&1 && return 0
	echo "bench: Syncthing is not installed; its figures are skipped." >&2
	echo "bench: install it with: sudo apt-get install syncthing" >&2
	return 1
}

# st_rest NAME PATH [curl args...] — GET (or POST with -X POST) on the API.
st_rest() {
	_n=$1; _p=$2; shift 2
	curl -sf -H "X-API-Key: $ST_KEY" "$@" \
	    "http://127.0.0.1:$(cat "$W/$_n.gui")$_p"
}

# st_num NAME PATH KEY — one number of a JSON answer ("key": 12).
st_num() {
	st_rest "$1" "$2" | tr -d ' \n' | grep -o "\"$3\":[0-9]*" |
	    head -n 1 | cut -d: -f2
}

st_config() {	# NAME PEER
	_n=$1; _peer=$2
	cat >"$W/$_n/home/config.xml" <<EOF
<configuration version="36">
    <folder id="$ST_FOLDER" label="$ST_FOLDER" path="$W/$_n/folder" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="false" fsWatcherDelayS="10" ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        <device id="$(cat "$W/$_n.id")" introducedBy=""></device>
        <device id="$(cat "$W/$_peer.id")" introducedBy=""></device>
        <minDiskFree unit="%">0</minDiskFree>
        <markerName>.stfolder</markerName>
    </folder>
    <device id="$(cat "$W/$_n.id")" name="$_n" compression="metadata" introducer="false">
        <address>dynamic</address>
    </device>
    <device id="$(cat "$W/$_peer.id")" name="$_peer" compression="metadata" introducer="false">
        <address>tcp://127.0.0.1:$(cat "$W/$_peer.port")</address>
    </device>
    <gui enabled="true" tls="false">
        <address>127.0.0.1:$(cat "$W/$_n.gui")</address>
        <apikey>$ST_KEY</apikey>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:$(cat "$W/$_n.port")</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <stunKeepaliveStartS>0</stunKeepaliveStartS>
        <urAccepted>-1</urAccepted>
        <urSeen>3</urSeen>
        <crashReportingEnabled>false</crashReportingEnabled>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <startBrowser>false</startBrowser>
        <setLowPriority>false</setLowPriority>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
    </options>
</configuration>
EOF
}

st_start() {	# NAME
	STNOUPGRADE=1 STNORESTART=1 syncthing serve --home="$W/$1/home" \
	    --no-browser --no-restart --no-upgrade >>"$W/$1.log" 2>&1 &
	echo $! >"$W/$1.pid"
	_i=0
	until st_rest "$1" /rest/system/ping >/dev/null 2>&1; do
		_i=$((_i + 1)); [ $_i -lt 600 ] || die "syncthing $1 did not start (see $W/$1.log)"
		sleep 0.05
	done
}

# st_pid NAME — the process that does the work: `syncthing serve` runs
# under a monitor process that restarts it, even with --no-restart; the
# figures (CPU, RSS) are the child's.  The monitor is what st_start
# started and what st_stop and cleanup stop.
st_pid() {
	_m=$(cat "$W/$1.pid")
	_c=$(pgrep -P "$_m" -x syncthing 2>/dev/null | head -n 1)
	echo "${_c:-$_m}"
}

# st_stop NAME — asks for a shutdown and waits for the monitor and the
# child both to be gone (the database stays locked until the child exits).
st_stop() {
	_p=$(cat "$W/$1.pid")
	_c=$(st_pid "$1")
	st_rest "$1" /rest/system/shutdown -X POST >/dev/null 2>&1 || kill "$_p"
	_i=0
	while kill -0 "$_p" 2>/dev/null || kill -0 "$_c" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || { kill "$_p" "$_c" 2>/dev/null; sleep 1; break; }
		sleep 0.05
	done
	rm -f "$W/$1.pid"
}

st_connected() {	# NAME PEER
	st_rest "$1" /rest/system/connections | tr -d ' \n' |
	    grep -q "\"$(cat "$W/$2.id")\":{[^}]*\"connected\":true"
}

# st_until SECONDS CMD... — retries CMD every 50 ms.
st_until() {
	_l=$(( $1 * 20 )); shift; _i=0
	until "$@" >/dev/null 2>&1; do
		_i=$((_i + 1)); [ $_i -lt $_l ] || return 1
		sleep 0.05
	done
}

st_has_all() {	# NAME COUNT: the folder holds COUNT files, nothing needed
	[ "$(st_num "$1" "/rest/db/status?folder=$ST_FOLDER" localFiles)" = "$2" ] &&
	[ "$(st_num "$1" "/rest/db/status?folder=$ST_FOLDER" needFiles)" = 0 ]
}

st_files() {	# DIR COUNT BYTES: writes COUNT files of BYTES bytes
	python3 - "$1" "$2" "$3" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
words = b"the patient said that the doctor felt uneasy when the group asked "
for i in range(n):
    head = b"%016x " % (i * 0x9e3779b97f4a7c15 % (1 << 64))
    body = (head + words * (size // len(words) + 1))[:size]
    with open(os.path.join(d, "note-%05d.txt" % i), "wb") as f:
        f.write(body)
PY
}

syncthing_all() {
	st_install || { put syncthing_version null; return 0; }
	put syncthing_version "\"$(syncthing --version | awk '{ print $2 }')\""
	for n in sta stb; do
		mkdir -p "$W/$n/folder/.stfolder" "$W/$n/home"
		syncthing generate --home="$W/$n/home" --no-default-folder \
		    --skip-port-probing >"$W/$n.gen" 2>&1 || die "syncthing generate"
		syncthing serve --home="$W/$n/home" --device-id >"$W/$n.id" ||
		    die "syncthing device id"
		free_port >"$W/$n.port"
		free_port >"$W/$n.gui"
	done
	st_config sta stb
	st_config stb sta
	log "syncthing: two instances, idle"
	st_start sta; st_start stb
	st_until 60 st_connected sta stb || die "the Syncthing instances do not connect"
	sleep 3
	put syncthing_rss_idle_mib "$(calc "$(rss_kib "$(st_pid stb)") / 1024" 1)"
	st_stop stb

	log "syncthing: bulk, $N_BULK files of $NOTE_BYTES bytes at A, B away"
	st_files "$W/sta/folder" "$N_BULK" "$NOTE_BYTES"
	st_rest sta "/rest/db/scan?folder=$ST_FOLDER" -X POST >/dev/null ||
	    die "syncthing scan"
	st_until 600 st_has_all sta "$N_BULK" || die "syncthing A did not index the files"
	t0=$(date +%s%N)
	st_start stb
	st_until 900 st_has_all stb "$N_BULK" || die "syncthing B did not catch up"
	t1=$(date +%s%N)
	bpid=$(st_pid stb)
	put syncthing_receive_cpu_s "$(calc "$(cpu_ns "$bpid") / 1e9")"
	put syncthing_rss_after_bulk_mib "$(calc "$(rss_kib "$bpid") / 1024" 1)"
	wire=$(wire_bytes "$(cat "$W/sta.port")" "$(cat "$W/stb.port")")
	n=$(find "$W/stb/folder" -name 'note-*.txt' -size "${NOTE_BYTES}c" | wc -l)
	[ "$n" -eq "$N_BULK" ] || die "syncthing B holds $n files, not $N_BULK"
	st_ms=$(calc "($t1 - $t0) / 1e6" 0)
	put bulk_syncthing_s "$(calc "$st_ms / 1000")"
	put wire_syncthing_bytes "$wire"
	put wire_syncthing_overhead_bytes_per_file "$(calc "$wire / $N_BULK - $NOTE_BYTES" 0)"

	log "syncthing: $N_STLAT single files, rescan requested"
	out=$("$TOOLS/stlat" "$(cat "$W/sta.gui")" "$ST_KEY" "$ST_FOLDER" \
	    "$W/sta/folder" "$W/stb/folder" "$N_STLAT" "$NOTE_BYTES") || die "stlat"
	put syncthing_rescan_p50_ms "$(field "$out" p50_ms)"
	put syncthing_rescan_p99_ms "$(field "$out" p99_ms)"
	put syncthing_rescan_max_ms "$(field "$out" max_ms)"
	put syncthing_rescan_request_p50_ms "$(field "$out" scan_p50_ms)"
	st_stop sta; st_stop stb
	rm -rf "$W/sta" "$W/stb"
}
