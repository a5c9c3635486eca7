#!/usr/bin/env bash
# Benchmark (not a test): our hwmon read pass beside node_exporter's hwmon collector, on the same
# fixture tree (default Tests/Fixtures/sysfs/server: 12 chips, 64 channels), in alternating rounds
# (bench-common.sh's alternating_rounds, so neither side keeps one position). Per round:
#   ours           median of PASSES full passes of hwmon-read-bench (release build): every channel
#                  read at once, as the SDK's read loop does;
#   node_exporter  median of SCRAPES scrapes' node_scrape_collector_duration_seconds{collector="hwmon"}
#                  of Debian's prometheus-node-exporter, run with --collector.disable-defaults
#                  --collector.hwmon --path.sysfs=<tree> (installed with apt when missing).
# Prints both in µs per round and node_exporter ÷ ours. Issue 15's target: ours ≤ 500 µs, ≥ 15×.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
tree="$(realpath "${TREE:-Tests/Fixtures/sysfs/server}")"
rounds=${ROUNDS:-6} passes=${PASSES:-2000} scrapes=${SCRAPES:-200}

if ! command -v prometheus-node-exporter >/dev/null; then
  echo "installing prometheus-node-exporter (apt)" >&2
  apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus-node-exporter >/dev/null
fi
build_release hwmon-read-bench
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus-node-exporter --collector.disable-defaults --collector.hwmon --path.sysfs="$tree" \
  --web.listen-address="127.0.0.1:$port" > "$work/node-exporter.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
echo "node_exporter $(prometheus-node-exporter --version 2>&1 | head -1 | awk '{print $3}'), tree $tree" >&2

# alternating_rounds measures each side with `rps SIDE`; here a side's number is its median µs.
rps() {
  case "$1" in
    ours) "$bench_bin/hwmon-read-bench" "$tree" "$passes" | sed -n 's/.*median \([0-9.]*\) µs per pass.*/\1/p' ;;
    node_exporter)
      for _ in $(seq 1 "$scrapes"); do
        curl -s "127.0.0.1:$port/metrics" | awk '/^node_scrape_collector_duration_seconds\{collector="hwmon"\}/ { printf "%.0f\n", $2 * 1e6 }'
      done | median ;;
  esac
}

printf '%-6s %12s %20s %8s\n' round "ours µs" "node_exporter µs" ratio
round=0
alternating_rounds "$rounds" ours node_exporter | while read -r ours node; do
  round=$((round + 1))
  printf '%-6s %12s %20s %7.1f×\n' "$round" "$ours" "$node" "$(awk -v a="$node" -v b="$ours" 'BEGIN { print a / b }')"
done
