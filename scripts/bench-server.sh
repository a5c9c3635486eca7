#!/usr/bin/env bash
# Benchmark (not a test): synse-server requests/s and latency with wrk, as in
# ../shared/peer-baseline.md (2 threads, 32 connections, 10 s per endpoint after a 2 s
# warm-up), against the emulator plugin as a separate process with its default 29 devices
# and with 1,000 temperature devices; plus a bare Hummingbird route as the ceiling for /test
# (measured just before each of our /test runs), with metrics off and on.
# All figures of one run are printed together so they can be quoted as ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_PER_ENDPOINT:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

for product in synse-server synse-emulator-plugin bare-hummingbird; do swift build -c release --product "$product"; done
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

measure() {  # name url
  wrk -t2 -c32 -d2s "$2" >/dev/null 2>&1 || true
  wrk -t2 -c32 -d"${seconds}s" --latency "$2" > "$work/wrk.txt"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  printf '%-28s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-0}"
}

rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }

run_scenario() {  # label devices-file-or-empty plugin-port server-port [metrics: true|false] [paths]
  local label=$1 devices=$2 plugin_port=$3 server_port=$4 metrics=${5:-false}
  local paths=${6:-/test /v3/scan /v3/read}
  cat > "$work/plugin-$plugin_port.yaml" <<CONFIG
version: 3
network: {type: tcp, address: "127.0.0.1:$plugin_port"}
settings: {read: {interval: 1s}, write: {interval: 2s}, cache: {enabled: true, ttl: 5m}}
health: {healthFile: ""}
CONFIG
  local env=(PLUGIN_CONFIG="$work/plugin-$plugin_port.yaml")
  [ -n "$devices" ] && env+=(PLUGIN_DEVICE_CONFIG="$devices")
  env "${env[@]}" "$bin/synse-emulator-plugin" > "$work/plugin-$plugin_port.log" 2>&1 &
  local plugin_pid=$!
  pids+=($plugin_pid)
  for _ in $(seq 1 100); do grep -q "serving synse.V3Plugin" "$work/plugin-$plugin_port.log" && break; sleep 0.1; done
  printf 'logging: info\npretty_json: false\nplugin: {tcp: ["127.0.0.1:%s"]}\nmetrics: {enabled: %s}\n' "$plugin_port" "$metrics" > "$work/server-$server_port.yaml"
  "$bin/synse-server" --config "$work/server-$server_port.yaml" --host 127.0.0.1 --port "$server_port" > "$work/server-$server_port.log" 2>&1 &
  local server_pid=$!
  pids+=($server_pid)
  for _ in $(seq 1 100); do
    count=$(curl -s "127.0.0.1:$server_port/v3/scan" | grep -o '"id"' | wc -l || true)
    [ "${count:-0}" -gt 0 ] && break
    sleep 0.2
  done
  sleep 2
  echo "== $label: $count devices; server RSS idle $(rss "$server_pid")"
  for path in $paths; do
    # The ceiling measured right before ours: single wrk runs drift by ±10 % on this machine.
    [ "$path" = /test ] && measure "GET /test (bare)" "http://127.0.0.1:5099/test"
    [ "$path" = /metrics ] && scrape_time "http://127.0.0.1:$server_port/metrics"
    measure "GET $path" "http://127.0.0.1:$server_port$path"
  done
  echo "   server RSS after load $(rss "$server_pid")"
  # Stop this scenario's processes so their read loops do not load the next one.
  kill "$server_pid" "$plugin_pid" 2>/dev/null || true
  wait "$server_pid" "$plugin_pid" 2>/dev/null || true
}

scrape_time() {  # url: median and max of 20 sequential scrapes, and the body size
  local times
  times=$(for _ in $(seq 1 20); do curl -s -o "$work/scrape.txt" -w '%{time_total}\n' "$1"; done | sort -n)
  printf '%-28s median %s s   max %s s   %s bytes, %s series\n' "scrape /metrics" \
    "$(echo "$times" | sed -n 10p)" "$(echo "$times" | tail -1)" \
    "$(wc -c < "$work/scrape.txt")" "$(grep -vc '^#' "$work/scrape.txt")"
}

"$bin/bare-hummingbird" 5099 > "$work/bare.log" 2>&1 &
pids+=($!)
sleep 1

run_scenario "emulator default config" "" 5091 5081
# The same with metrics on: what recording every request costs.
run_scenario "emulator default config, metrics on" "" 5093 5083 true "/test /v3/scan /v3/read /metrics"

{
  echo "version: 3"; echo "devices:"; echo "  - type: temperature"; echo "    instances:"
  for i in $(seq 1 1000); do echo "      - {info: Bench Sensor $i, tags: [rack/r$((i % 10))], data: {id: $i}}"; done
} > "$work/devices-1000.yaml"
run_scenario "1000 temperature devices" "$work/devices-1000.yaml" 5092 5082
run_scenario "1000 temperature devices, metrics on" "$work/devices-1000.yaml" 5094 5084 true "/v3/read /metrics"
