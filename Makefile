# Herald — build, test and demo entry points. See README.md.
#
#   make demo    install missing system packages, build, run a local multi-agent demo
#   make test    install missing system packages, build, run the whole test suite
#   make release build the deployable herald (release, Swift runtime and Foundation linked in)
#   make bench   run the benchmarks (Benchmarks/, ordo-one/benchmark)

DEB_PACKAGES := libsecp256k1-dev libssl-dev libyaml-dev libsqlite3-dev libsnappy-dev pkg-config chromium
SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test release bench demo clean

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

test: deps
	$(SWIFT) test

# The herald to deploy: the Swift runtime and Foundation linked in (--static-swift-stdlib),
# so that only the code herald uses is mapped, with lld, packed relocations and no
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
	$(SWIFT) build -c release --product herald --static-swift-stdlib --scratch-path $(DEPLOY_SCRATCH) $(DEPLOY_LAYOUT)
	@python3 Scripts/check-order-file.py $(DEPLOY_HERALD) Deploy/link/herald.order
	@echo "herald to deploy: $(DEPLOY_HERALD)"

# AgentMemory measures a real `herald run` process: the release build above.
bench: release
	cd Benchmarks && HERALD_BIN="$(DEPLOY_HERALD)" \
	  $(SWIFT) package --allow-writing-to-package-directory benchmark

# Three local agents admit a fourth node; see Deploy/demo/demo.sh.
demo: deps
	Deploy/demo/demo.sh

clean:
	rm -rf .build Benchmarks/.build
