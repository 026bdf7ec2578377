# Herald — build, test and demo entry points. See README.md.
#
#   make demo    install missing system packages, build, run a local multi-agent demo
#   make test    install missing system packages, build, run the whole test suite
#   make release build the deployable herald (release, Swift runtime and Foundation linked in)
#   make bench   run the benchmarks (Benchmarks/, ordo-one/benchmark)
#   make install install herald, its systemd unit, man pages and completions (PREFIX, DESTDIR)
#   make deb     build the Debian packages herald and herald-dbgsym in .build/deb
#   make fuzz    run every fuzz target under libFuzzer and AddressSanitizer (SECONDS each, default 60; RUNS)

DEB_PACKAGES := libsecp256k1-dev libssl-dev libyaml-dev libsqlite3-dev libsnappy-dev pkg-config \
                dpkg-dev binutils adduser iproute2 nftables chromium
SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test test-asan test-tsan release bench demo clean install man completions deb fuzz

all: build

# Installs only the Debian packages that are missing; as root without sudo.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "system packages: all present"; \
	fi

build: deps
	$(SWIFT) build

# The packages first: the package tests check them (HERALD_DEB_DIR).
test: deps deb
	HERALD_DEB_DIR=$(CURDIR)/.build/deb $(SWIFT) test

# Both sanitizer runs take one test at a time (--no-parallel): slowed down 2-3x (ASan) or 5-15x
# (TSan), tests running side by side on a 2-core machine starve each other past the protocol
# timeouts they exercise (a node's 5 s RPC answer, a handshake's deadline).
#
# The whole suite under AddressSanitizer (its own build directory: instrumented objects do not mix).
# LeakSanitizer's suppressions, each with its upstream issue, are in Tests/Sanitizers; the herald
# processes the tests start inherit them.
test-asan: deps
	LSAN_OPTIONS="suppressions=$(CURDIR)/Tests/Sanitizers/lsan-suppressions.txt print_suppressions=0 $(LSAN_OPTIONS)" \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan --no-parallel

# The agent and command-line end-to-end suites under ThreadSanitizer; the herald processes the CLI
# tests start are the instrumented build's too, and a race they report makes the test fail.
test-tsan: deps
	TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" \
	  $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --no-parallel --filter 'HeraldAgentTests|HeraldCLITests'

# The herald to deploy: the Swift runtime and Foundation linked in (--static-swift-stdlib),
# so that only the code herald uses is mapped and no $ORIGIN run path is needed (an
# installed binary must not load libraries from beside itself), with lld, packed relocations and no
# exported symbols (Package.swift).
#
# Its code is laid out so that what an agent runs is packed together: every function
# in a section of its own (-function-sections), those listed in Deploy/link/herald.order
# (the functions a running agent executed, from Scripts/generate-order-file.sh) placed
# first, and the compiler's unnamed helpers gathered by Deploy/link/unnamed-text.ld.
# The kernel maps code 64 kB at a time, so scattered, they kept 17 MB of the 28 MB of
# text resident (now 6.5 MB); `herald run` with 50 peers: 37.4 MB resident, now 26.2 MB.
# Built in a scratch directory of its own, as SwiftPM does not recompile when only
# -Xswiftc flags change; relinked every time, so a new order file takes effect, and
# followed by a check that warns when the order file has fallen behind the code.
DEPLOY_SCRATCH := $(CURDIR)/.build/deploy
DEPLOY_HERALD  := $(DEPLOY_SCRATCH)/release/herald
DEPLOY_LAYOUT  := -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
                  -Xlinker --symbol-ordering-file=$(CURDIR)/Deploy/link/herald.order \
                  -Xlinker --no-warn-symbol-ordering \
                  -Xlinker -T -Xlinker $(CURDIR)/Deploy/link/unnamed-text.ld

release: deps
	rm -f $(DEPLOY_HERALD)
	$(SWIFT) build -c release --product herald --static-swift-stdlib --disable-local-rpath --scratch-path $(DEPLOY_SCRATCH) $(DEPLOY_LAYOUT)
	@python3 Scripts/check-order-file.py $(DEPLOY_HERALD) Deploy/link/herald.order
	@echo "herald to deploy: $(DEPLOY_HERALD)"

# --- Installing -------------------------------------------------------------------------
# `make install` lays out the release herald (stripped; its debug information beside it in
# lib/debug, found through a GNU debuglink), the systemd unit, the example policies, man
# pages and shell completions. Man pages and completions are generated from the
# ArgumentParser declarations (its generate-manual plugin, --generate-completion-script),
# so they say what --help says. The plugin builds the debug herald in .build, which
# `make test` then tests (it runs `deb` first: swift test would hold .build's lock).
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SHARE   := $(PREFIX)/share
VERSION := $(shell cat VERSION)
MAN_PAGES   := $(CURDIR)/.build/plugins/GenerateManual/outputs/herald
GENERATED   := $(CURDIR)/.build/generated

man: deps
	rm -rf $(MAN_PAGES)
	$(SWIFT) package --allow-writing-to-package-directory \
	  generate-manual --multi-page --configuration debug --date $$(git log -1 --format=%cs 2>/dev/null || date +%F) \
	  --authors "Herald developers"
	@ls $(MAN_PAGES)/*.1 >/dev/null

completions: release
	mkdir -p $(GENERATED)
	for shell in bash zsh fish; do $(DEPLOY_HERALD) --generate-completion-script $$shell > $(GENERATED)/herald.$$shell; done

install: release man completions
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/lib/debug$(BINDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SHARE)/herald/policies $(DESTDIR)$(SHARE)/man/man1 $(DESTDIR)$(SHARE)/doc/herald \
	  $(DESTDIR)$(SHARE)/bash-completion/completions $(DESTDIR)$(SHARE)/zsh/vendor-completions \
	  $(DESTDIR)$(SHARE)/fish/vendor_completions.d
	objcopy --only-keep-debug --compress-debug-sections=zlib $(DEPLOY_HERALD) $(DESTDIR)$(PREFIX)/lib/debug$(BINDIR)/herald.debug
	chmod 644 $(DESTDIR)$(PREFIX)/lib/debug$(BINDIR)/herald.debug
	objcopy --strip-unneeded --remove-section=.comment \
	  --add-gnu-debuglink=$(DESTDIR)$(PREFIX)/lib/debug$(BINDIR)/herald.debug $(DEPLOY_HERALD) $(DESTDIR)$(BINDIR)/herald
	chmod 755 $(DESTDIR)$(BINDIR)/herald
	sed 's|/usr/bin/herald|$(BINDIR)/herald|' Deploy/systemd/herald.service > $(DESTDIR)$(UNITDIR)/herald.service
	chmod 644 $(DESTDIR)$(UNITDIR)/herald.service
	install -m 644 Policies/four-organisations.yaml Policies/two-of-three-admission.yaml Policies/strict-endpoints.yaml \
	  $(DESTDIR)$(SHARE)/herald/policies/
	install -m 644 README.md $(DESTDIR)$(SHARE)/doc/herald/
	for page in $(MAN_PAGES)/*.1; do gzip -9n < $$page > $(DESTDIR)$(SHARE)/man/man1/$$(basename $$page).gz; done
	install -m 644 $(GENERATED)/herald.bash $(DESTDIR)$(SHARE)/bash-completion/completions/herald
	install -m 644 $(GENERATED)/herald.zsh $(DESTDIR)$(SHARE)/zsh/vendor-completions/_herald
	install -m 644 $(GENERATED)/herald.fish $(DESTDIR)$(SHARE)/fish/vendor_completions.d/herald.fish

# Two packages from what `make install` lays out under /usr: herald, and herald-dbgsym with
# the debug information (Deploy/debian/build-deb.sh says how).
deb:
	Deploy/debian/build-deb.sh "$(CURDIR)/.build/deb" "$(VERSION)"

# --- Fuzzing ------------------------------------------------------------------------------
# herald-fuzz (Fuzz/) built twice: with libFuzzer and AddressSanitizer in a scratch directory
# of its own, and plainly, to write each target's seeds. --sanitize=fuzzer alone instruments
# only the executable's own module for coverage (Swift 6.3's package manager); the
# -sanitize-coverage flags instrument every module, so that the fuzzer sees the decoders. Scripts/run-fuzz.sh runs each target
# for SECONDS and prints executions, coverage and corpus size; corpora grow in .build/fuzz.
# RUNS stops a target sooner, after that many executions (a campaign: SECONDS=3600 RUNS=10000000).
SECONDS     ?= 60
RUNS        ?= -1
FUZZ_SCRATCH := $(CURDIR)/.build/fuzz

fuzz: deps
	$(SWIFT) build --product herald-fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -DHERALD_LIBFUZZER \
	  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp --scratch-path $(FUZZ_SCRATCH)
	$(SWIFT) build --product herald-fuzz
	Scripts/run-fuzz.sh $(FUZZ_SCRATCH)/debug/herald-fuzz $$($(SWIFT) build --show-bin-path)/herald-fuzz \
	  $(SECONDS) $(FUZZ_SCRATCH)/work $(RUNS)

# AgentMemory measures a real `herald run` process: the release build above.
# Then announce -> all acked across real processes on namespaced hosts (needs root).
bench: release
	cd Benchmarks && HERALD_BIN="$(DEPLOY_HERALD)" \
	  $(SWIFT) package --allow-writing-to-package-directory benchmark
	@if [ "$$(id -u)" = 0 ]; then python3 Deploy/cluster/latency.py --herald "$(DEPLOY_HERALD)"; \
	 else echo "cross-process latency skipped: Deploy/cluster/latency.py needs root (network namespaces)"; fi

# Three local agents admit a fourth node; see Deploy/demo/demo.sh.
demo: deps
	Deploy/demo/demo.sh

clean:
	rm -rf .build Benchmarks/.build
