#!/usr/bin/env bash
# Fuzzes every parser of outside input with libFuzzer (Tests/Fuzz; docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]     default: 60 s each, every target
#
# Builds synse-fuzz in .build, this package's own modules with -sanitize=fuzzer,address (the
# dependencies as they are; the next plain build compiles those modules again). Seeds come
# from Tests/Fuzz/corpus/<target>;
# inputs that reach new code go to .build-fuzz/corpus/<target> (kept between runs, never
# committed). A crash, trap or hang (over 10 s) stops that target and keeps its input as
# Tests/Fuzz/corpus/<target>/crash-<sha1>: commit it with the fix, and the test suite
# (FuzzRegressionTests) replays it for good. Prints the executions per target; exits 1 if a
# target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(websocket write-body query config device-config hwmon web-config)

echo "fuzz: building synse-fuzz, this package's modules with -sanitize=fuzzer,address (Package.swift)"
SYNSETEST_FUZZ=1 swift build --product synse-fuzz 2>&1 | grep -E "error:|Build of product" || true
binary=$(SYNSETEST_FUZZ=1 swift build --show-bin-path)/synse-fuzz
[ -x "$binary" ] || { echo "fuzz: synse-fuzz did not build" >&2; exit 2; }

failed=0
printf '%-14s %12s %8s %s\n' target executions exec/s result
for target in "${targets[@]}"; do
  work=.build-fuzz/corpus/$target
  artifacts=.build-fuzz/artifacts/$target
  mkdir -p "$work" "$artifacts"
  log=.build-fuzz/$target.log
  status=0
  # ASan's leak check is off: the parsers' caches (interned strings, type metadata) are meant
  # to live for the process.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 SYNSETEST_FUZZ_TARGET=$target "$binary" "$work" "Tests/Fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" > "$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(( runs / (seconds > 0 ? seconds : 1) ))
  result=ok
  if [ "$status" -ne 0 ]; then
    failed=1
    result="FAILED (see $log)"
    for artifact in "$artifacts"/*; do
      [ -f "$artifact" ] || continue
      kept=Tests/Fuzz/corpus/$target/$(basename "$artifact" | cut -d- -f1)-$(sha1sum "$artifact" | cut -c1-16)
      cp "$artifact" "$kept"
      result="$result; input kept as $kept"
    done
    grep -m3 -E "ERROR|Fatal error|SUMMARY" "$log" | sed 's/^/    /' >&2 || true
  fi
  printf '%-14s %12s %8s %s\n' "$target" "$runs" "$rate" "$result"
done
exit $failed
