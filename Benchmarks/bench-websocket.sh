#!/usr/bin/env bash
# Benchmark (not a test) of the WebSocket API, release builds, everything on this machine's
# cores: readings/s delivered to 100 concurrent `request/read_stream` clients, and
# `request/read` round trips over one connection beside the same read over one keep-alive
# HTTP connection (wrk -t1 -c1). Emulator plugin as a separate process.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
seconds=${SECONDS_PER_RUN:-10}
clients=${STREAM_CLIENTS:-100}
build_release synse-server synse-emulator-plugin websocket-bench

start_stack() {  # label devices-file-or-empty read-interval plugin-port server-port
  local label=$1 devices=$2 interval=$3 plugin_port=$4 server_port=$5
  start_emulator "$plugin_port" "$devices" "$interval"
  start_server "$server_port" "$plugin_port"
  sleep 2
  echo "== $label: $device_count devices, plugin read interval $interval"
}

dropped() { grep -o 'dropped=[0-9]*' "$1" | awk -F= '{s = $2 > s ? $2 : s} END {print s + 0}'; }

start_stack "emulator default config" "" 1s 5191 5181
wrk -t1 -c1 -d2s "http://127.0.0.1:5181/v3/read" >/dev/null 2>&1 || true
wrk -t1 -c1 -d"${seconds}s" --latency "http://127.0.0.1:5181/v3/read" > "$work/wrk.txt"
printf 'GET /v3/read over one HTTP connection: %s req/s, p50 %s, p99 %s\n' \
  "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" "$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")" "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
"$bench_bin/websocket-bench" roundtrips "$seconds" "ws://127.0.0.1:5181/v3/connect"
"$bench_bin/websocket-bench" streams "$clients" "$seconds" "ws://127.0.0.1:5181/v3/connect"
echo "   server RSS $(rss "$server_pid"), readings dropped for slow clients: $(dropped "$work/server-5181.log")"
stop_processes "$server_pid" "$plugin_pid"

write_temperature_devices 1000 "$work/devices-1000.yaml"
for interval in 1s 100ms; do
  port_offset=$([ "$interval" = 1s ] && echo 2 || echo 3)
  start_stack "1000 temperature devices" "$work/devices-1000.yaml" "$interval" "519$port_offset" "518$port_offset"
  before="$(cpu_seconds "$server_pid") $(cpu_seconds "$plugin_pid")"
  "$bench_bin/websocket-bench" streams "$clients" "$seconds" "ws://127.0.0.1:518$port_offset/v3/connect"
  read -r server_before plugin_before <<< "$before"
  echo "   CPU seconds during the run (warm-up included): server $(awk -v a="$(cpu_seconds "$server_pid")" -v b="$server_before" 'BEGIN {print a - b}'), plugin $(awk -v a="$(cpu_seconds "$plugin_pid")" -v b="$plugin_before" 'BEGIN {print a - b}')"
  echo "   server RSS $(rss "$server_pid"), readings dropped for slow clients: $(dropped "$work/server-518$port_offset.log")"
  stop_processes "$server_pid" "$plugin_pid"
done
