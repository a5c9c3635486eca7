#!/usr/bin/env bash
# Benchmark (not a test): synse-server requests/s and latency with wrk, as in
# ../shared/peer-baseline.md (2 threads, 32 connections, 10 s per endpoint after a 2 s
# warm-up), against the emulator plugin as a separate process with the baseline's 5 devices,
# its default 29 and 1,000 temperature devices; plus a bare Hummingbird route as the ceiling
# for /test (measured just before each of our /test runs), with metrics off and on.
# All figures of one run are printed together so they can be quoted as ratios.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
seconds=${SECONDS_PER_ENDPOINT:-10}
build_release synse-server synse-emulator-plugin bare-hummingbird

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

scrape_time() {  # url: median and max of 20 sequential scrapes, and the body size
  local times
  times=$(for _ in $(seq 1 20); do curl -s -o "$work/scrape.txt" -w '%{time_total}\n' "$1"; done | sort -n)
  printf '%-28s median %s s   max %s s   %s bytes, %s series\n' "scrape /metrics" \
    "$(echo "$times" | sed -n 10p)" "$(echo "$times" | tail -1)" \
    "$(wc -c < "$work/scrape.txt")" "$(grep -vc '^#' "$work/scrape.txt")"
}

run_scenario() {  # label devices-file-or-empty plugin-port server-port [metrics: true|false] [paths]
  local label=$1 devices=$2 plugin_port=$3 server_port=$4 metrics=${5:-false}
  local paths=${6:-/test /v3/scan /v3/read}
  start_emulator "$plugin_port" "$devices"
  start_server "$server_port" "$plugin_port" "$metrics"
  sleep 2
  echo "== $label: $device_count devices; server RSS idle $(rss "$server_pid")"
  for path in $paths; do
    # The ceiling measured right before ours: single wrk runs drift by ±10 % on this machine.
    [ "$path" = /test ] && measure "GET /test (bare)" "http://127.0.0.1:5099/test"
    [ "$path" = /metrics ] && scrape_time "http://127.0.0.1:$server_port/metrics"
    measure "GET $path" "http://127.0.0.1:$server_port$path"
  done
  echo "   server RSS after load $(rss "$server_pid")"
  # Stop this scenario's processes so their read loops do not load the next one.
  stop_processes "$server_pid" "$plugin_pid"
}

"$bench_bin/bare-hummingbird" 5099 > "$work/bare.log" 2>&1 &
pids+=($!)
sleep 1

# The device set of ../shared/peer-baseline.md's "5 devices" rows, for like-for-like figures.
run_scenario "client-integration set (as the peer baseline)" plugins/emulator/config/client-integration/devices.yaml 5095 5085
run_scenario "emulator default config" "" 5091 5081
# The same with metrics on: what recording every request costs.
run_scenario "emulator default config, metrics on" "" 5093 5083 true "/test /v3/scan /v3/read /metrics"
write_temperature_devices 1000 "$work/devices-1000.yaml"
run_scenario "1000 temperature devices" "$work/devices-1000.yaml" 5092 5082
run_scenario "1000 temperature devices, metrics on" "$work/devices-1000.yaml" 5094 5084 true "/v3/read /metrics"
