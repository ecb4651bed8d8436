# balint — top-level Makefile.  `make` builds build/balintd, build/balint and
# build/libbalproto.a; `make test` checks dependencies, builds a normal and a
# sanitizer (ASan+UBSan) tree and runs every test against both.

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
SAN ?=
QUICK ?=
V ?=

PKGS = libsodium libuv msgpack sqlite3 libsecret-1 pwquality miniupnpc
TEST_PKGS = cmocka
# Debian packages that provide the above (and the tools the tests use).
DEB_PKGS = pkg-config libsodium-dev libuv1-dev libmsgpack-dev libsqlite3-dev \
	libcmocka-dev libhunspell-dev hunspell-sv hunspell-en-us hunspell-he \
	libunistring-dev libsecret-1-dev libpwquality-dev \
	libminiupnpc-dev libnatpmp-dev gettext \
	libh2o-dev libjansson-dev po4a \
	libpango1.0-dev libcairo2-dev fonts-dejavu-core
# Tools the tests use: node and npm (the handshake's reference
# implementation), python3 (free ports in integration tests), and
# COMMAND:PACKAGE for the install, keyring and package scenarios, and
# tor (tor-network.sh: a private Tor network, and each daemon's own tor),
# nft (tests/lib/internet.sh: the NAT routers of the simulated internet),
# miniupnpd (portmap.sh: UPnP and NAT-PMP on a router),
# chromium (page.sh: the page in a real browser, driven by playwright-core),
# pdftotext (notes-find.sh: reads the PDF export back).
DEB_CMDS = dbus-run-session:dbus gnome-keyring-daemon:gnome-keyring \
	secret-tool:libsecret-tools systemd-analyze:systemd man:man-db \
	dh:debhelper dpkg-buildpackage:dpkg-dev tor-gencert:tor \
	nft:nftables miniupnpd:miniupnpd-nftables chromium:chromium \
	pdftotext:poppler-utils
DEB_TOOLS = nodejs npm python3 $(foreach c,$(DEB_CMDS),$(lastword $(subst :, ,$(c))))

ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
else
BUILD ?= build
SANFLAGS =
endif

WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	$(CFLAGS) $(SANFLAGS) -MMD -MP -Iproto \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libnatpmp has no .pc file: plain -lnatpmp (natpmp.h checked by build-deps).
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lnatpmp
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

ifeq ($(V),1)
Q =
E = @:
else
Q = @
E = @printf '  %-6s %s\n'
endif

PROTO_SRC = $(wildcard proto/*.c)
# The de-identification guard (guard/, data/guard/): Hunspell's sv_SE and
# en_US dictionaries and libunistring.  Installed, it reads its lists from
# GUARD_DATADIR; a build tree falls back to the lists in data/guard/.
GUARD_PKGS = hunspell
GUARD_SRC = $(wildcard guard/*.c)
GUARD_OBJ = $(GUARD_SRC:%.c=$(BUILD)/obj/%.o)
GUARD_LIB = $(BUILD)/libbalguard.a
GUARD_DATADIR ?= $(PREFIX)/share/balint/guard
GUARD_LIBS = $(shell $(PKG_CONFIG) --libs $(GUARD_PKGS) 2>/dev/null) -lunistring
DAEMON_SRC = $(wildcard daemon/*.c daemon/*/*.c)
# The daemon's subsystem folders (docs/architecture.md).
DAEMON_INC = -Idaemon -Idaemon/store -Idaemon/group -Idaemon/net -Idaemon/ctl \
	-Idaemon/web -Iguard -Ii18n
# The page in the browser (daemon/web/): libh2o on libuv, jansson for the
# JSON it posts; its files become a C array at make time (assets.sh).
WEB_PKGS = libh2o jansson
WEB_LIBS = $(shell $(PKG_CONFIG) --libs $(WEB_PKGS) 2>/dev/null)
WEB_PAGE = $(wildcard daemon/web/page/*)
CLI_SRC = $(wildcard cli/*.c)
# gettext for both programs (i18n/): one catalogue, po/LANG.po, holds the
# CLI's messages and help and balintd's (xgettext reads I18N_POT_SRC).
I18N_SRC = $(wildcard i18n/*.c)
I18N_POT_SRC = $(CLI_SRC) $(PDF_SRC) $(DAEMON_SRC) $(I18N_SRC) $(PROTO_SRC) $(GUARD_SRC)
# balint export --format pdf: pango shapes and lays out the text (Hebrew
# right to left), cairo writes the PDF, in a program of its own,
# balint-export-pdf (pdf/), that balint runs (cli/export-pdf.c) from next
# to itself, PREFIX/lib/balint: balint itself links neither library.
# The font: DejaVu Sans (fonts-dejavu-core).
PDF_PKGS = pangocairo cairo-pdf
PDF_LIBS = $(shell $(PKG_CONFIG) --libs $(PDF_PKGS) libsodium msgpack 2>/dev/null)
PDF_SRC = $(wildcard pdf/*.c)
PDF_OBJ = $(PDF_SRC:%.c=$(BUILD)/obj/%.o)
HELPERDIR = $(PREFIX)/lib/balint
PO_LANGS = sv he
MO_FILES = $(PO_LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/balint.mo)
LOCALEDIR ?= $(PREFIX)/share/locale
MAN_PAGES = docs/balint.1 docs/balintd.8 docs/balint-contract.5
MAN_STAMP = $(BUILD)/man/stamp
UNIT_SRC = $(wildcard tests/unit/test-*.c)
UNIT_HELP_SRC = $(filter-out tests/unit/test-%.c,$(wildcard tests/unit/*.c))
# Hostile test clients; peer-client.c is what they share (no main).
TOOL_HELP_SRC = tests/interop/peer-client.c
TOOL_SRC = $(filter-out $(TOOL_HELP_SRC),$(wildcard tests/interop/*.c))

PROTO_OBJ = $(PROTO_SRC:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/web-assets.o
# Everything of the daemon but its main(), for unit tests of the store etc.
DAEMON_LIB_OBJ = $(filter-out $(BUILD)/obj/daemon/main.o,$(DAEMON_OBJ))
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
I18N_OBJ = $(I18N_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_HELP_OBJ = $(UNIT_HELP_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN = $(TOOL_SRC:tests/interop/%.c=$(BUILD)/tests/%)
# Benchmark drivers: every bench/*.c but the shared benchlib.c is a tool.
BENCH_SRC = $(filter-out bench/benchlib.c,$(wildcard bench/*.c))
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

PROTO_LIB = $(BUILD)/libbalproto.a

.PHONY: all deps test check unit demo bench install clean analyze help
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BUILD)/balintd $(BUILD)/balint $(BUILD)/balint-export-pdf $(PROTO_LIB) $(MO_FILES) $(MAN_STAMP)

# The CLI in the members' languages (po/LANG.po, gettext): msgfmt compiles
# each catalogue into BUILD/locale, where a build tree's balint finds it;
# make install puts them under LOCALEDIR.  make po refreshes the
# catalogues from the sources (xgettext, msgmerge) for translators.
$(BUILD)/locale/%/LC_MESSAGES/balint.mo: po/%.po
	@mkdir -p $(dir $@)
	$(E) MSGFMT $@
	$(Q)msgfmt --check -o $@ $<

$(BUILD)/obj/i18n/%.o: ALL_CFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'
$(BUILD)/obj/cli/%.o: ALL_CFLAGS += -Ii18n
$(BUILD)/obj/cli/export-pdf.o: ALL_CFLAGS += \
	-DPDF_HELPER='"$(HELPERDIR)/balint-export-pdf"'
$(BUILD)/obj/pdf/%.o: ALL_CFLAGS += -Ii18n \
	$(shell $(PKG_CONFIG) --cflags $(PDF_PKGS) 2>/dev/null)

# balintd's texts for members (N_() in daemon/, proto/) as a table for the
# CLI, which shows them in the member's language (cli/daemon-text.c).
I18N_DAEMON_SRC = $(DAEMON_SRC) $(PROTO_SRC) $(GUARD_SRC)
$(BUILD)/gen/daemon-texts.inc: po/daemon-texts.sh $(I18N_DAEMON_SRC)
	@mkdir -p $(dir $@)
	$(E) GEN $@
	$(Q)sh po/daemon-texts.sh $@ $(I18N_DAEMON_SRC)

$(BUILD)/obj/cli/daemon-text.o: $(BUILD)/gen/daemon-texts.inc
$(BUILD)/obj/cli/daemon-text.o: ALL_CFLAGS += -I$(BUILD)/gen

# The man pages in Swedish and Hebrew (po4a, po/man/po4a.cfg): po/man/LANG.po
# holds the translation of each paragraph of the English pages, and make
# builds BUILD/man/LANG/manN/PAGE from the two (a paragraph not yet
# translated stays English there; i18n.sh fails until it is translated).
# After an English page changed, make man-po refreshes po/man/: changed
# paragraphs become fuzzy, new ones empty, for the translators.
$(MAN_STAMP): $(MAN_PAGES) po/man/po4a.cfg $(wildcard po/man/*.po po/man/*.add) | build-deps
	@mkdir -p $(BUILD)/man
	$(E) PO4A $(BUILD)/man
	$(Q)po4a -q --force --no-update --destdir $(BUILD)/man po/man/po4a.cfg
	$(Q)touch $@

.PHONY: man-po
man-po:
	po4a --no-translations po/man/po4a.cfg

.PHONY: po
po:
	xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 --package-name=balint \
		-o build/balint.pot $(I18N_POT_SRC)
	for l in $(PO_LANGS); do msgmerge -q -U --backup=none po/$$l.po \
		build/balint.pot || exit 1; done

$(BUILD)/obj/%.o: %.c | build-deps
	@mkdir -p $(dir $@)
	$(E) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/daemon/%.o: ALL_CFLAGS += $(DAEMON_INC)

$(BUILD)/gen/web-assets.c: daemon/web/assets.sh $(WEB_PAGE)
	@mkdir -p $(dir $@)
	$(E) GEN $@
	$(Q)sh daemon/web/assets.sh daemon/web/page $@

$(BUILD)/obj/gen/web-assets.o: $(BUILD)/gen/web-assets.c | build-deps
	@mkdir -p $(dir $@)
	$(E) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -Idaemon/web -c -o $@ $<

$(BUILD)/obj/guard/%.o: ALL_CFLAGS += -Iguard \
	$(shell $(PKG_CONFIG) --cflags $(GUARD_PKGS) 2>/dev/null) \
	-DGUARD_DATADIR='"$(GUARD_DATADIR)"' \
	-DGUARD_SRCDIR='"$(abspath data/guard)"'

$(GUARD_LIB): $(GUARD_OBJ)
	$(E) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# Unit tests may see the daemon's internal headers (store, sync); the CLI
# may not.
$(BUILD)/obj/tests/%.o: ALL_CFLAGS += $(DAEMON_INC)

$(PROTO_LIB): $(PROTO_OBJ)
	$(E) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/balintd: $(DAEMON_OBJ) $(I18N_OBJ) $(GUARD_LIB) $(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(GUARD_LIBS) $(WEB_LIBS)

$(BUILD)/balint: $(CLI_OBJ) $(I18N_OBJ) $(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lunistring

$(BUILD)/balint-export-pdf: $(PDF_OBJ) $(I18N_OBJ) $(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PDF_LIBS)

$(BUILD)/tests/test-%: $(BUILD)/obj/tests/unit/test-%.o $(UNIT_HELP_OBJ) \
		$(DAEMON_LIB_OBJ) $(GUARD_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LIBS) $(GUARD_LIBS) $(WEB_LIBS)

# balint export's unfinished file (cli/export-file.c), with linkat,
# renameat2 and flock wrapped by the test (a signal while naming, NFS).
$(BUILD)/tests/test-export-file: $(BUILD)/obj/cli/export-file.o
$(BUILD)/tests/test-export-file: ALL_LDFLAGS += -Wl,--wrap=linkat \
	-Wl,--wrap=renameat2 -Wl,--wrap=flock
$(BUILD)/obj/tests/unit/test-export-file.o: ALL_CFLAGS += -Icli

$(BUILD)/tests/%: $(BUILD)/obj/tests/interop/%.o \
		$(BUILD)/obj/tests/interop/peer-client.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The guard's bench driver scores the corpus with the unit tests' scorer.
$(BUILD)/bench/guardbench: $(BUILD)/obj/tests/unit/guard-score.o
$(BUILD)/obj/bench/guardbench.o: ALL_CFLAGS += -Itests/unit

# Bench drivers may set up stores with the daemon's own code (never to
# measure with it); they link it like the unit tests do.
$(BUILD)/obj/bench/%.o: ALL_CFLAGS += $(DAEMON_INC)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/obj/bench/benchlib.o \
		$(DAEMON_LIB_OBJ) $(GUARD_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(GUARD_LIBS) $(WEB_LIBS)

# The unit-test and tool binaries of one tree (normal, or SAN=1); the
# integration tests also use bench/bulkwrite to write many notes at once.
unit: all $(UNIT_BIN) $(TOOL_BIN) $(BUILD)/bench/bulkwrite

# Every build (plain `make`, SAN=1, fuzz-build, bench) first checks that
# pkg-config finds the libraries it compiles against; if not, it installs
# DEB_PKGS (as root on Debian) or says which packages to install, instead
# of failing inside the compiler.  One pkg-config call when all is there.
.PHONY: build-deps
build-deps:
	@command -v $(PKG_CONFIG) >/dev/null 2>&1 && \
		$(PKG_CONFIG) --exists $(PKGS) $(GUARD_PKGS) $(WEB_PKGS) \
			$(PDF_PKGS) 2>/dev/null && \
		[ -f /usr/include/unistr.h ] && [ -f /usr/include/natpmp.h ] && \
		[ -f /usr/share/hunspell/sv_SE.dic ] && \
		command -v po4a >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "make: libraries missing ($(PKGS)); installing $(DEB_PKGS)"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$(DEB_PKGS) >/dev/null || exit 1; \
	else \
		echo "make: cannot build: pkg-config does not find the libraries" \
			"$(PKGS); install them first:" >&2; \
		echo "  sudo apt-get install $(DEB_PKGS)" >&2; \
		echo "(or run make as root on Debian to have them installed)" >&2; \
		exit 1; \
	fi; \
	$(PKG_CONFIG) --exists $(PKGS) || { echo "make: pkg-config still" \
		"cannot find $(PKGS)" >&2; exit 1; }

# Checks the libraries with pkg-config; on a fresh Debian machine installs
# them (as root) or prints the exact command to run.
deps:
	@missing=; \
	command -v $(PKG_CONFIG) >/dev/null 2>&1 || missing=1; \
	[ -n "$$missing" ] || $(PKG_CONFIG) --exists $(PKGS) $(TEST_PKGS) $(GUARD_PKGS) $(WEB_PKGS) $(PDF_PKGS) || missing=1; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing=1; \
	[ -f /usr/include/unistr.h ] && [ -f /usr/include/natpmp.h ] && \
		[ -f /usr/share/hunspell/sv_SE.dic ] && \
		[ -f /usr/share/hunspell/en_US.dic ] || missing=1; \
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing=1; \
	command -v python3 >/dev/null 2>&1 || missing=1; \
	command -v po4a >/dev/null 2>&1 || missing=1; \
	for cp in $(DEB_CMDS); do \
		command -v $${cp%%:*} >/dev/null 2>&1 || missing=1; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			tools=; \
			command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || tools="nodejs npm"; \
			command -v python3 >/dev/null 2>&1 || tools="$$tools python3"; \
			for cp in $(DEB_CMDS); do \
				command -v $${cp%%:*} >/dev/null 2>&1 || \
					tools="$$tools $${cp#*:}"; \
			done; \
			echo "deps: installing $(DEB_PKGS) $$tools"; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				$(DEB_PKGS) $$tools >/dev/null || exit 1; \
		else \
			echo "deps: missing libraries; run:" >&2; \
			echo "  sudo apt-get install $(DEB_PKGS) $(DEB_TOOLS)" >&2; \
			exit 1; \
		fi; \
	fi; \
	$(PKG_CONFIG) --exists $(PKGS) $(TEST_PKGS) || \
		{ echo "deps: pkg-config still cannot find $(PKGS) $(TEST_PKGS)" >&2; exit 1; }

# Runs every test on the normal tree and on the sanitizer tree; the last
# line is "N passed, N failed".
# Both trees build side by side and their tests run two at a time from
# one list (tests/run.sh says why that is safe); BALINT_TEST_JOBS=1 runs
# one at a time.
TEST_JOBS = $(or $(BALINT_TEST_JOBS),$(shell nproc 2>/dev/null),2)
test: deps
	$(Q)$(MAKE) --no-print-directory -j$(TEST_JOBS) unit
	$(Q)$(MAKE) --no-print-directory -j$(TEST_JOBS) SAN=1 unit
	$(Q)tests/run.sh build build/san

# The tests of one tree only: make check [SAN=1].
check: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)tests/run.sh $(BUILD)

demo: deps all
	$(Q)tests/demo.sh

# The benchmark (bench/run.sh, docs/performance.md): real daemons side by
# side with Syncthing; QUICK=1 runs every scenario reduced (under two
# minutes).  Never part of `make test`.
bench: deps all $(BENCH_BIN)
	$(Q)BUILD=$(abspath $(BUILD)) QUICK=$(QUICK) sh bench/run.sh

# The chaos test (tests/chaos/chaos.sh, docs/testing-chaos.md): five
# members, kills, freezes, network cuts and splits (as root, in network
# namespaces), a revocation; CHAOS_SEED=N replays a run.  The
# short version runs inside `make test` (tests/integration/chaos-short.sh).
.PHONY: chaos
chaos: deps all
	$(Q)BUILD=$(abspath $(BUILD)) sh tests/chaos/chaos.sh

analyze:
	$(Q)cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
		--inline-suppr -Iproto --suppress=missingIncludeSystem \
		proto daemon cli pdf i18n

# Fuzzing (libFuzzer with ASan+UBSan; tests/fuzz/, docs/testing-fuzz.md).
# `make fuzz` builds the instrumented tree build/fuzz/ with clang and runs
# each harness for FUZZ_SECONDS (FUZZ_TARGETS="wire entry" picks some);
# `make fuzz-corpus` regenerates the seed corpora with the project's own
# encoders.  The harnesses link libbalproto.a and the libraries only.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_BUILD = build/fuzz
FUZZ_SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
# Line tables (enough for the sanitizers' stack traces) and lld: the tree
# builds in 37 s of CPU instead of 52 s with -g and ld.bfd (fuzz-smoke
# builds it in every make test).
FUZZ_CFLAGS ?= -O2 -gline-tables-only
FUZZ_LDFLAGS ?= -fuse-ld=lld
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)
FUZZ_TREE = $(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) \
	CC=$(FUZZ_CC) SANFLAGS='$(FUZZ_SANFLAGS)' CFLAGS='$(FUZZ_CFLAGS)' \
	LDFLAGS='$(FUZZ_LDFLAGS)'

.PHONY: fuzz fuzz-deps fuzz-build fuzz-corpus fuzz-bins

# Checks that clang links libFuzzer; installs clang (as root on Debian) or
# prints the command to run.
fuzz-deps:
	$(Q)sh tests/fuzz/run.sh --deps $(FUZZ_CC) '$(FUZZ_LDFLAGS)'

fuzz-build: fuzz-deps
	$(Q)$(FUZZ_TREE) $(if $(filter 1,$(V)),,-s) fuzz-bins

fuzz-bins: $(FUZZ_BIN) $(BUILD)/gen-corpus

fuzz: fuzz-build
	$(Q)sh tests/fuzz/run.sh --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) \
		$(FUZZ_TARGETS)

fuzz-corpus: fuzz-build
	$(Q)rm -rf tests/fuzz/corpus
	$(Q)$(FUZZ_BUILD)/gen-corpus tests/fuzz/corpus

$(BUILD)/fuzz-%: $(BUILD)/obj/tests/fuzz/fuzz-%.o $(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# The guard's harness links the guard and its libraries too.
$(BUILD)/obj/tests/fuzz/fuzz-guard.o: ALL_CFLAGS += -Iguard
$(BUILD)/fuzz-guard: $(BUILD)/obj/tests/fuzz/fuzz-guard.o $(GUARD_LIB) \
		$(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS) $(GUARD_LIBS) $(WEB_LIBS)

# daemon_text's harness links the CLI's matcher and its table.
$(BUILD)/obj/tests/fuzz/fuzz-daemon-text.o: ALL_CFLAGS += -Icli -Ii18n
$(BUILD)/fuzz-daemon-text: $(BUILD)/obj/tests/fuzz/fuzz-daemon-text.o \
		$(BUILD)/obj/cli/daemon-text.o $(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

GEN_CORPUS_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/fuzz/gen-corpus*.c))
$(BUILD)/gen-corpus: $(GEN_CORPUS_OBJ) $(PROTO_LIB)
	$(E) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# make install [PREFIX=/usr/local] [DESTDIR=]: the binaries (balint's PDF
# program in HELPERDIR), the man pages
# (English, and under MANDIR/sv and MANDIR/he Swedish and Hebrew), the bash
# completion and the systemd user unit; make uninstall removes exactly
# these files (tests/integration/install.sh).
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
COMPDIR = $(PREFIX)/share/bash-completion/completions
UNITDIR = $(PREFIX)/lib/systemd/user
INSTALLED = $(BINDIR)/balintd $(BINDIR)/balint \
	$(HELPERDIR)/balint-export-pdf $(MANDIR)/man1/balint.1 \
	$(MANDIR)/man5/balint-contract.5 $(MANDIR)/man8/balintd.8 \
	$(COMPDIR)/balint $(COMPDIR)/balintd $(UNITDIR)/balintd.service \
	$(addprefix $(GUARD_DATADIR)/,$(notdir $(wildcard data/guard/*)))\
	$(PO_LANGS:%=$(LOCALEDIR)/%/LC_MESSAGES/balint.mo) \
	$(foreach l,$(PO_LANGS),$(MANDIR)/$(l)/man1/balint.1 \
		$(MANDIR)/$(l)/man5/balint-contract.5 $(MANDIR)/$(l)/man8/balintd.8)

# The unit names the installed balintd, so it is made for one PREFIX.
$(BUILD)/balintd.service: dist/balintd.service.in FORCE
	$(Q)sed 's|@BINDIR@|$(BINDIR)|g' dist/balintd.service.in >$@.tmp && \
		{ cmp -s $@.tmp $@ || mv $@.tmp $@; }; rm -f $@.tmp

.PHONY: FORCE uninstall
FORCE:

install: all $(BUILD)/balintd.service
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/balintd $(BUILD)/balint $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(HELPERDIR)
	install -m 0755 $(BUILD)/balint-export-pdf $(DESTDIR)$(HELPERDIR)/
	install -m 0644 docs/balint.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/balint-contract.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 docs/balintd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 dist/balint.bash $(DESTDIR)$(COMPDIR)/balint
	ln -sf balint $(DESTDIR)$(COMPDIR)/balintd
	install -m 0644 $(BUILD)/balintd.service $(DESTDIR)$(UNITDIR)/
	install -d $(DESTDIR)$(GUARD_DATADIR)
	install -m 0644 data/guard/* $(DESTDIR)$(GUARD_DATADIR)/
	for l in $(PO_LANGS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/balint.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; done
	for l in $(PO_LANGS); do for s in 1 5 8; do \
		install -d $(DESTDIR)$(MANDIR)/$$l/man$$s && \
		install -m 0644 $(BUILD)/man/$$l/man$$s/* \
			$(DESTDIR)$(MANDIR)/$$l/man$$s/ || exit 1; done; done

# make deb: a Debian package (debhelper, debian/) of what make install
# PREFIX=/usr installs, built from a copy of the sources in build/deb/
# (dpkg-buildpackage writes next to the source directory).
DEB_VERSION = $(shell sed -n 's/.*BAL_VERSION_STRING "\(.*\)"/\1/p' proto/bal.h)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILE = build/deb/balint_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_DIRS = proto daemon cli pdf guard i18n data docs dist debian po
DEB_SRC = Makefile README.md $(shell find $(DEB_DIRS) -type f 2>/dev/null)

.PHONY: deb
deb: $(DEB_FILE)

$(DEB_FILE): $(DEB_SRC)
	$(Q)rm -rf build/deb && mkdir -p build/deb/balint-$(DEB_VERSION)
	$(Q)tar -cf - Makefile README.md $(DEB_DIRS) | \
		tar -xf - -C build/deb/balint-$(DEB_VERSION)
	$(Q)cd build/deb/balint-$(DEB_VERSION) && \
		env -u MAKEFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS="nocheck parallel=2" \
		dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	$(E) DEB $@

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(GUARD_DATADIR) $(DESTDIR)$(HELPERDIR) 2>/dev/null

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
