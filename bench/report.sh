# bench/report.sh — sourced by bench/run.sh: derived figures, the goals of
# the benchmark issue, the table on stdout and bench/results/latest.json.
#
# Uses from run.sh: RES, TOP, MODE, N_BULK, N_BIG, put, get, calc.

# goal NAME VALUE OP LIMIT — records NAME_goal_met (null without a value).
goal() {
	if [ -z "$2" ] || [ "$2" = null ]; then
		put "goal_${1}_met" null
		return
	fi
	if awk "BEGIN { exit !($2 $3 $4) }"; then
		put "goal_${1}_met" true
	else
		put "goal_${1}_met" false
	fi
}

report() {
	st=$(get bulk_syncthing_s)
	if [ -n "$st" ]; then
		put bulk_ratio_syncthing_over_balint "$(calc "$st / $(get bulk_balint_s)" 1)"
	else
		put bulk_ratio_syncthing_over_balint null
	fi
	# CPU per 10,000 notes received, whatever the run's size.
	put bulk_receive_cpu_s_per_10k "$(calc "$(get bulk_receive_cpu_s) * 10000 / $N_BULK")"

	goal bulk_40x_syncthing "$(get bulk_ratio_syncthing_over_balint)" ">=" 40
	goal bulk_50pct_ceiling "$(get bulk_fraction_of_ceiling_pct)" ">=" 50
	goal live_p50_2ms "$(get live_p50_ms)" "<=" 2
	goal live_p99_10ms "$(get live_p99_ms)" "<=" 10
	goal wire_160 "$(get wire_balint_overhead_bytes_per_note)" "<=" 160
	goal rss_idle_8mib "$(get rss_idle_mib)" "<=" 8
	goal rss_bulk_24mib "$(get rss_after_bulk_mib)" "<=" 24
	goal receive_cpu_1s "$(get bulk_receive_cpu_s_per_10k)" "<=" 1
	goal startup_250ms "$(get startup_big_ms)" "<=" 250
	goal reconcile_1kib "$(get idle_reconcile_bytes)" "<=" 1024
	goal guard_64k_10ms "$(get guard_64k_ms)" "<=" 10

	mkdir -p "$TOP/bench/results"
	awk 'BEGIN { printf "{\n" }
	    { if (NR > 1) printf ",\n"; printf "  \"%s\": ", $1;
	      $1 = ""; sub(/^ /, ""); printf "%s", $0 }
	    END { printf "\n}\n" }' "$RES" >"$TOP/bench/results/latest.json.tmp" &&
	    mv "$TOP/bench/results/latest.json.tmp" "$TOP/bench/results/latest.json"

	m() { _v=$(get "goal_${1}_met"); case $_v in true) echo met;; false) echo MISSED;; *) echo "-";; esac; }
	printf '\nbalint bench (%s): %s, %s CPUs, load %s -> %s\n\n' "$MODE" \
	    "$(get machine_cpu | tr -d '"')" "$(get machine_nproc)" \
	    "$(get load_before | tr -d '"')" "$(get load_after | tr -d '"')"
	printf '%-46s %14s %14s  %s\n' figure balint "syncthing/goal" ""
	row() { printf '%-46s %14s %14s  %s\n' "$1" "$2" "$3" "$4"; }
	row "bulk: $N_BULK notes caught up (s)" "$(get bulk_balint_s)" "$(get bulk_syncthing_s)" ""
	row "bulk: Syncthing time / balint time" "$(get bulk_ratio_syncthing_over_balint)x" ">= 40x" "$(m bulk_40x_syncthing)"
	row "bulk rate (notes/s)" "$(get bulk_rate_notes_per_s)" "" ""
	row "ceiling: verify+decrypt, 1 core (entries/s)" "$(get ceiling_crypto_entries_per_s)" "" ""
	row "bulk rate / ceiling (%)" "$(get bulk_fraction_of_ceiling_pct)" ">= 50" "$(m bulk_50pct_ceiling)"
	row "  the same per CPU-second (%)" "$(get bulk_fraction_of_ceiling_cpu_pct)" "" ""
	row "live latency p50 (ms)" "$(get live_p50_ms)" "<= 2" "$(m live_p50_2ms)"
	row "live latency p99 (ms)" "$(get live_p99_ms)" "<= 10" "$(m live_p99_10ms)"
	row "live latency max (ms)" "$(get live_max_ms)" "" ""
	row "Syncthing, one file, rescan: p50 / p99 (ms)" "" "$(get syncthing_rescan_p50_ms) / $(get syncthing_rescan_p99_ms)" ""
	row "wire overhead per note in bulk (bytes)" "$(get wire_balint_overhead_bytes_per_note)" "$(get wire_syncthing_overhead_bytes_per_file)" "goal <= 160: $(m wire_160)"
	row "RSS idle (MiB)" "$(get rss_idle_mib)" "$(get syncthing_rss_idle_mib)" "goal <= 8: $(m rss_idle_8mib)"
	row "RSS after the bulk (MiB)" "$(get rss_after_bulk_mib)" "$(get syncthing_rss_after_bulk_mib)" "goal <= 24: $(m rss_bulk_24mib)"
	row "RSS with $(get startup_big_notes) notes (MiB)" "$(get rss_big_mib)" "" ""
	row "CPU to receive the bulk (s)" "$(get bulk_receive_cpu_s)" "$(get syncthing_receive_cpu_s)" ""
	row "  per 10,000 notes (s)" "$(get bulk_receive_cpu_s_per_10k)" "<= 1" "$(m receive_cpu_1s)"
	row "note search over $N_BULK notes (ms)" "$(get search_ms)" "" ""
	row "note list of $N_BULK notes (ms)" "$(get list_ms)" "" ""
	row "store size per note (bytes)" "$(get store_bytes_per_note)" "" ""
	row "bundle of $(get bundle_notes) notes: bytes per note (x text)" "$(get bundle_bytes_per_note) ($(get bundle_text_ratio))" "" ""
	row "  time to read it (s)" "$(get bundle_read_s)" "" ""
	row "start-up with $(get startup_big_notes) notes (ms)" "$(get startup_big_ms)" "<= 250" "$(m startup_250ms)"
	row "reconciliation of level members (bytes)" "$(get idle_reconcile_bytes)" "<= 1024" "$(m reconcile_1kib)"
	row "  CPU per reconciliation, both (us)" "$(get idle_reconcile_cpu_us)" "" ""
	row "scale: $(get scale_entries) entries, start-up (ms)" "$(get scale_startup_ms)" "" ""
	row "scale: reconcile 1% apart (ms)" "$(get scale_reconcile_1pct_ms)" "" ""
	row "scale: reconcile 0% apart (ms)" "$(get scale_reconcile_0pct_ms)" "" ""
	row "LAN: both started to a level session (ms)" "$(get lan_session_ms)" "" ""
	row "LAN: bytes per beacon (on the wire, IPv4)" "$(get lan_beacon_bytes) ($(get lan_beacon_wire_bytes))" "" ""
	row "LAN: beacons in a member's first minute" "$(get lan_beacons_first_min)" "" ""
	row "page: notes list on screen, 1,000 notes (ms)" "$(get page_first_paint_ms)" "" ""
	row "page: B's note write to A's page (ms)" "$(get page_live_ms)" "" ""
	row "tor: a start to the first session (ms)" "$(get tor_first_session_ms)" "tcp $(get tcp_first_session_ms)" ""
	row "tor: live latency p50 / p99 (ms)" "$(get tor_live_p50_ms) / $(get tor_live_p99_ms)" "tcp $(get tcp_live_p50_ms) / $(get tcp_live_p99_ms)" ""
	row "tor: catch-up of 1,000 notes (ms)" "$(get tor_catchup_ms)" "tcp $(get tcp_catchup_ms)" ""
	row "guard: check of a 64 KiB note (ms)" "$(get guard_64k_ms)" "<= 10" "$(m guard_64k_10ms)"
	for c in id phone email address record date age name; do
		row "guard: $c recall / precision" "$(get guard_${c}_recall) / $(get guard_${c}_precision)" "" ""
	done
	row "guard: precision, all findings" "$(get guard_precision)" ">= 0.90" ""
	printf '\nwrote bench/results/latest.json\n'
}
