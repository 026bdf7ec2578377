#!/usr/bin/env bash
# Regenerates Deploy/link/herald.order, the functions `make release` places
# first in the deployable herald (see the Makefile's `release` target).
#
# It runs the release herald under valgrind's callgrind in two scenarios and
# lists every herald function that ran in either:
#   1. the AgentMemory benchmark: `herald run` with 50 connected peers,
#      announcing, collecting acks, answering `status` over its control socket;
#   2. `make demo`: three agents with the goquorum-files adapter admit a
#      fourth node, with approvals, and the CLI commands the demo runs.
# Rerun it after changes that add or rename much of what an agent executes;
# an outdated list still links, only with more of the binary resident.
#
# Needs valgrind (apt-get install valgrind). Takes about five minutes after
# the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
make release
herald="$PWD/.build/deploy/release/herald"

work="$(mktemp -d "${TMPDIR:-/tmp}/herald-order.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the toolchain's DWARF 5; the symbol table is all it needs.
objcopy --strip-debug "$herald" "$work/herald"
cat > "$work/herald-callgrind" <<EOF
#!/bin/sh
exec valgrind --quiet --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.%p.out" "$work/herald" "\$@"
EOF
chmod +x "$work/herald-callgrind"

echo "== AgentMemory under callgrind"
(cd Benchmarks && HERALD_BIN="$work/herald-callgrind" \
  swift package --allow-writing-to-package-directory benchmark --target AgentMemory --no-progress >/dev/null)
echo "== make demo under callgrind"
HERALD_BIN="$work/herald-callgrind" Deploy/demo/demo.sh >/dev/null

python3 Scripts/callgrind-functions.py herald "$work"/callgrind.*.out > "$work/herald.order"
mv "$work/herald.order" Deploy/link/herald.order
echo "Deploy/link/herald.order: $(wc -l < Deploy/link/herald.order) functions; run make release to link with it"
