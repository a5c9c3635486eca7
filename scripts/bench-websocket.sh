#!/usr/bin/env bash
# Benchmark (not a test) of the WebSocket API, release builds, everything on this machine's
# cores: readings/s delivered to 100 concurrent `request/read_stream` clients, and
# `request/read` round trips over one connection beside the same read over one keep-alive
# HTTP connection (wrk -t1 -c1). Emulator plugin as a separate process.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_PER_RUN:-10}
clients=${STREAM_CLIENTS:-100}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

for product in synse-server synse-emulator-plugin websocket-bench; do swift build -c release --product "$product"; done
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start_stack() {  # label devices-file-or-empty read-interval plugin-port server-port
  local label=$1 devices=$2 interval=$3 plugin_port=$4 server_port=$5
  printf 'version: 3\nnetwork: {type: tcp, address: "127.0.0.1:%s"}\nsettings: {read: {interval: %s}, write: {interval: 2s}}\nhealth: {healthFile: ""}\n' \
    "$plugin_port" "$interval" > "$work/plugin-$plugin_port.yaml"
  local env=(PLUGIN_CONFIG="$work/plugin-$plugin_port.yaml")
  [ -n "$devices" ] && env+=(PLUGIN_DEVICE_CONFIG="$devices")
  env "${env[@]}" "$bin/synse-emulator-plugin" > "$work/plugin-$plugin_port.log" 2>&1 &
  plugin_pid=$!
  pids+=($plugin_pid)
  for _ in $(seq 1 100); do grep -qs "serving synse.V3Plugin" "$work/plugin-$plugin_port.log" && break; sleep 0.1; done
  printf 'logging: info\npretty_json: false\nplugin: {tcp: ["127.0.0.1:%s"]}\n' "$plugin_port" > "$work/server-$server_port.yaml"
  "$bin/synse-server" --config "$work/server-$server_port.yaml" --host 127.0.0.1 --port "$server_port" > "$work/server-$server_port.log" 2>&1 &
  server_pid=$!
  pids+=($server_pid)
  for _ in $(seq 1 100); do
    count=$(curl -s "127.0.0.1:$server_port/v3/scan" | grep -o '"id"' | wc -l || true)
    [ "${count:-0}" -gt 0 ] && break
    sleep 0.2
  done
  sleep 2
  echo "== $label: $count devices, plugin read interval $interval"
}

cpu_seconds() { awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
dropped() { grep -o 'dropped=[0-9]*' "$1" | awk -F= '{s = $2 > s ? $2 : s} END {print s + 0}'; }

start_stack "emulator default config" "" 1s 5191 5181
wrk -t1 -c1 -d2s "http://127.0.0.1:5181/v3/read" >/dev/null 2>&1 || true
wrk -t1 -c1 -d"${seconds}s" --latency "http://127.0.0.1:5181/v3/read" > "$work/wrk.txt"
printf 'GET /v3/read over one HTTP connection: %s req/s, p50 %s, p99 %s\n' \
  "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" "$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")" "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
"$bin/websocket-bench" roundtrips "$seconds" "ws://127.0.0.1:5181/v3/connect"
"$bin/websocket-bench" streams "$clients" "$seconds" "ws://127.0.0.1:5181/v3/connect"
echo "   server RSS $(rss "$server_pid"), readings dropped for slow clients: $(dropped "$work/server-5181.log")"

{
  echo "version: 3"; echo "devices:"; echo "  - type: temperature"; echo "    instances:"
  for i in $(seq 1 1000); do echo "      - {info: Bench Sensor $i, data: {id: $i}}"; done
} > "$work/devices-1000.yaml"
for interval in 1s 100ms; do
  port_offset=$([ "$interval" = 1s ] && echo 2 || echo 3)
  start_stack "1000 temperature devices" "$work/devices-1000.yaml" "$interval" "519$port_offset" "518$port_offset"
  before="$(cpu_seconds "$server_pid") $(cpu_seconds "$plugin_pid")"
  "$bin/websocket-bench" streams "$clients" "$seconds" "ws://127.0.0.1:518$port_offset/v3/connect"
  read -r server_before plugin_before <<< "$before"
  echo "   CPU seconds during the run (warm-up included): server $(awk -v a="$(cpu_seconds "$server_pid")" -v b="$server_before" 'BEGIN {print a - b}'), plugin $(awk -v a="$(cpu_seconds "$plugin_pid")" -v b="$plugin_before" 'BEGIN {print a - b}')"
  echo "   server RSS $(rss "$server_pid"), readings dropped for slow clients: $(dropped "$work/server-518$port_offset.log")"
done
