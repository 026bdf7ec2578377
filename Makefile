# Herald — build, test and demo entry points. See README.md.
#
#   make demo    install missing system packages, build, run a local multi-agent demo
#   make test    install missing system packages, build, run the whole test suite
#   make release build the deployable herald (release, Swift runtime and Foundation linked in)
#   make bench   run the benchmarks (Benchmarks/, ordo-one/benchmark)

DEB_PACKAGES := libsecp256k1-dev libssl-dev libyaml-dev libsqlite3-dev libsnappy-dev pkg-config
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
# exported symbols (Package.swift). Idle `herald run`: 29.5 MB resident instead of 40.5 MB.
release: deps
	$(SWIFT) build -c release --product herald --static-swift-stdlib

# AgentMemory measures a real `herald run` process: the release build above.
bench: release
	cd Benchmarks && HERALD_BIN="$$($(SWIFT) build -c release --show-bin-path --package-path ..)/herald" \
	  $(SWIFT) package --allow-writing-to-package-directory benchmark

# Three local agents admit a fourth node; see Deploy/demo/demo.sh.
demo: deps
	Deploy/demo/demo.sh

clean:
	rm -rf .build Benchmarks/.build
