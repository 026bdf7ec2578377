#!/usr/bin/env bash
# Runs every fuzz target under libFuzzer for SECONDS each and prints, per target,
# executions, coverage (edges) and corpus size. Usage: run-fuzz.sh FUZZ_BINARY SEED_BINARY SECONDS WORK_DIR [RUNS]
# (RUNS: stop a target after that many executions if it gets there first; -1, the default, is no bound).
#
# Each corpus starts from the target's seeds (herald-fuzz seed) and grows in
# WORK_DIR/corpus/TARGET across runs. A crash, leak or timeout leaves its input in
# WORK_DIR/artifacts/ and fails the run: keep it in Fuzz/Regressions/TARGET/ with the fix.
set -euo pipefail

fuzzer="$1" seeder="$2" seconds="$3" work="$4" runs="${5:--1}"
targets=(rlp whisper-envelope whisper-sealed rlpx-handshake rlpx-frames rlpx-messages wire-message policy-yaml agent-yaml control-request)
mkdir -p "$work/artifacts" "$work/logs"
failed=0
printf '%-18s %12s %8s %8s %8s %s\n' target executions seconds edges corpus result
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  "$seeder" seed "$target" "$corpus"
  log="$work/logs/$target.log"
  status=0
  started=$SECONDS
  HERALD_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=1 "$fuzzer" "$corpus" \
      -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$target-" > "$log" 2>&1 || status=$?
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  edges="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)"
  result=clean
  if [ "$status" != 0 ]; then result="FAILED (exit $status, see $log)"; failed=1
  elif [ -z "$edges" ]; then result="FAILED (no coverage: the decoders are not instrumented, see $log)"; failed=1; fi
  printf '%-18s %12s %8s %8s %8s %s\n' "$target" "${executions:-?}" "$((SECONDS - started))" "${edges:-?}" "$(ls "$corpus" | wc -l)" "$result"
done
exit "$failed"
