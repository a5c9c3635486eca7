#!/usr/bin/env bash
# Benchmark (not a test): Read RPCs/s served by the emulator plugin for 1,000 devices.
# Builds release binaries, starts the plugin on loopback TCP with 1,000 temperature
# devices, and runs the load generator RUNS times so the spread (machine noise) shows.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${DEVICES:-1000}
runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-10}
port=${PORT:-5091}

swift build -c release --product synse-emulator-plugin
bin="$(swift build -c release --show-bin-path)"
swift build -c release --package-path Benchmarks --product plugin-read-bench
bench_bin="$(swift build -c release --package-path Benchmarks --show-bin-path)"

work="$(mktemp -d)"
trap 'kill "$plugin_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
{
  echo "version: 3"
  echo "devices:"
  echo "  - type: temperature"
  echo "    instances:"
  for i in $(seq 1 "$devices"); do
    echo "      - {info: Bench Sensor $i, tags: [rack/r$((i % 10))], data: {id: $i}}"
  done
} > "$work/devices.yaml"
cat > "$work/config.yaml" <<CONFIG
version: 3
network: {type: tcp, address: "127.0.0.1:$port"}
settings: {read: {interval: 1s}, cache: {enabled: true, ttl: 5m}}
health: {healthFile: ""}
CONFIG

PLUGIN_CONFIG="$work/config.yaml" PLUGIN_DEVICE_CONFIG="$work/devices.yaml" "$bin/synse-emulator-plugin" > "$work/plugin.log" 2>&1 &
plugin_pid=$!
for _ in $(seq 1 100); do grep -q "serving synse.V3Plugin" "$work/plugin.log" && break; sleep 0.1; done
sleep 2  # let the read loop fill every device's current readings

echo "plugin: $devices devices; $runs runs of ${seconds}s, 8 concurrent callers on one connection"
for run in $(seq 1 "$runs"); do
  printf 'run %s: ' "$run"
  "$bench_bin/plugin-read-bench" --address "127.0.0.1:$port" --seconds "$seconds"
done
echo "plugin RSS: $(awk '/VmRSS/ {print $2, $3}' "/proc/$plugin_pid/status")"
