# bench/page.sh — sourced by bench/run.sh: the page's figures
# (docs/performance.md "The page").  page_install runs before the bench
# moves into its namespace (npm needs the registry); page_bench starts two
# members, writes 1,000 notes on A's (bulkwrite), opens A's page in
# Debian's chromium (playwright-core) and takes the median of RUNS loads:
# navigation to the notes list on screen with every text; then B writes a note RUNS times and the clock runs until it
# is on A's open page (B's note write includes its own durable commit).
#
# Uses from run.sh: W, TOOLS, BALINT, MODE, member, b, start, stop, group,
# put, field, log.

PAGE_NPM=$BUILD/npm-page

page_install() {
	[ -f "$PAGE_NPM/node_modules/playwright-core/package.json" ] && return 0
	command -v npm >/dev/null 2>&1 || return 0
	mkdir -p "$PAGE_NPM"
	npm install --no-audit --no-fund --prefix "$PAGE_NPM" \
	    playwright-core@1.65.2 axe-core@4.14.1 >"$PAGE_NPM/install.log" 2>&1 ||
	    echo "bench: npm install for the page failed (see $PAGE_NPM/install.log)" >&2
}

page_bench() {
	if [ ! -x /usr/lib/chromium/chromium ] ||
	    [ ! -f "$PAGE_NPM/node_modules/playwright-core/package.json" ]; then
		log "page: skipped (needs chromium and playwright-core)"
		for k in page_first_paint_ms page_live_ms; do
			put "$k" null
		done
		return 0
	fi
	log "page: 1,000 notes on A's page, B's note on it"
	member pa; member pb
	start pa >/dev/null; start pb >/dev/null
	group pa pb
	"$TOOLS/bulkwrite" "$W/pa" 1000 300 32 >/dev/null || die "page: bulkwrite"
	_runs=5
	[ "$MODE" = full ] || _runs=3
	_out=$(BALINT=$BALINT W=$W A=pa B=pb RUNS=$_runs \
	    NODE_PATH=$PAGE_NPM/node_modules node "$TOP/bench/page-bench.js") ||
	    die "page: the browser run failed"
	[ "$(field "$_out" page_notes_shown)" = 1000 ] &&
	    [ "$(field "$_out" page_texts_shown)" = 1000 ] ||
	    die "page: the list showed $(field "$_out" page_notes_shown) notes, $(field "$_out" page_texts_shown) texts, not 1000"
	for k in page_first_paint_ms page_live_ms; do
		put "$k" "$(field "$_out" "$k")"
	done
	stop pa; stop pb
	rm -rf "$W/pa" "$W/pb"
}
