#!/usr/bin/env bash
# Benchmark (not a test): what metrics cost on /v3/read. Two servers, metrics off and on, share
# one emulator plugin; wrk runs alternate between them (ROUNDS × SECONDS each) so that drift on
# a noisy machine hits both alike. Done with the default 29 devices and with 1,000 devices.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-4}
seconds=${SECONDS_PER_RUN:-5}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
for product in synse-server synse-emulator-plugin; do swift build -c release --product "$product"; done
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

rps() { wrk -t2 -c32 -d"${seconds}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

compare() {  # label devices-file-or-empty plugin-port
  local label=$1 devices=$2 port=$3
  printf 'version: 3\nnetwork: {type: tcp, address: "127.0.0.1:%s"}\nsettings: {read: {interval: 1s}}\nhealth: {healthFile: ""}\n' "$port" > "$work/plugin.yaml"
  local env=(PLUGIN_CONFIG="$work/plugin.yaml")
  [ -n "$devices" ] && env+=(PLUGIN_DEVICE_CONFIG="$devices")
  env "${env[@]}" "$bin/synse-emulator-plugin" > "$work/plugin.log" 2>&1 &
  local scenario=($!)
  for _ in $(seq 1 100); do grep -q "serving synse.V3Plugin" "$work/plugin.log" && break; sleep 0.1; done
  for metrics in false true; do
    printf 'logging: warning\npretty_json: false\nplugin: {tcp: ["127.0.0.1:%s"], embedded: []}\nmetrics: {enabled: %s}\n' "$port" "$metrics" > "$work/server-$metrics.yaml"
    local server_port=$((port + 1)); [ "$metrics" = true ] && server_port=$((port + 2))
    "$bin/synse-server" --config "$work/server-$metrics.yaml" --host 127.0.0.1 --port "$server_port" > "$work/server-$metrics.log" 2>&1 &
    scenario+=($!)
    for _ in $(seq 1 100); do curl -sf "127.0.0.1:$server_port/v3/read" -o /dev/null && break; sleep 0.2; done
  done
  pids+=("${scenario[@]}")
  local off_url="http://127.0.0.1:$((port + 1))/v3/read" on_url="http://127.0.0.1:$((port + 2))/v3/read"
  wrk -t2 -c32 -d2s "$off_url" > /dev/null; wrk -t2 -c32 -d2s "$on_url" > /dev/null
  local off on results=""
  echo "== $label: /v3/read req/s, metrics off | on, alternating"
  for round in $(seq 1 "$rounds"); do
    off=$(rps "$off_url"); on=$(rps "$on_url")
    printf '   round %s: %10s | %10s\n' "$round" "$off" "$on"
    results+="$off $on"$'\n'
  done
  echo -n "$results" | awk '{ off += $1; on += $2 } END { printf "   mean: %.0f | %.0f req/s   on/off = %.3f\n", off / NR, on / NR, on / off }'
  kill "${scenario[@]}" 2>/dev/null || true
  wait "${scenario[@]}" 2>/dev/null || true
}

compare "emulator default config" "" 5101
{
  echo "version: 3"; echo "devices:"; echo "  - type: temperature"; echo "    instances:"
  for i in $(seq 1 1000); do echo "      - {info: Bench Sensor $i, tags: [rack/r$((i % 10))], data: {id: $i}}"; done
} > "$work/devices-1000.yaml"
compare "1000 temperature devices" "$work/devices-1000.yaml" 5111
