#!/usr/bin/env bash
# Benchmark (not a test): the issue-4 target ratios with less noise than one wrk run each.
# Bare Hummingbird /test, our /test, /v3/scan and /v3/read are measured in turn, ROUNDS times
# in a rotating order (SECONDS each, wrk 2 threads × 32 connections), so that drift on a
# shared machine hits all four alike; the means give /test ÷ bare, scan ÷ /test and
# read ÷ /test. Emulator default config (29 devices) and 1,000 temperature devices.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-8}
seconds=${SECONDS_PER_RUN:-5}
build_release synse-server synse-emulator-plugin bare-hummingbird

"$bench_bin/bare-hummingbird" 5199 > "$work/bare.log" 2>&1 &
pids+=($!)

compare() {  # label devices-file-or-empty plugin-port server-port
  start_emulator "$3" "$2"
  start_server "$4" "$3" false
  local urls=("http://127.0.0.1:5199/test" "http://127.0.0.1:$4/test" "http://127.0.0.1:$4/v3/scan" "http://127.0.0.1:$4/v3/read")
  for url in "${urls[@]}"; do wrk -t2 -c32 -d2s "$url" > /dev/null; done
  echo "== $1: $device_count devices; req/s of bare /test | /test | /v3/scan | /v3/read"
  alternating_rounds "$rounds" "${urls[@]}" | tee "$work/rounds.txt" | awk '{ printf "   round %d: %s\n", NR, $0 }'
  awk '{ b += $1; t += $2; s += $3; r += $4 } END {
    printf "   mean: %.0f | %.0f | %.0f | %.0f\n", b / NR, t / NR, s / NR, r / NR
    printf "   /test / bare = %.3f   scan / test = %.3f   read / test = %.3f\n", t / b, s / t, r / t }' "$work/rounds.txt"
  echo "   server RSS after load $(rss "$server_pid")"
  stop_processes "$server_pid" "$plugin_pid"
}

compare "emulator default config" "" 5201 5202
write_temperature_devices 1000 "$work/devices-1000.yaml"
compare "1000 temperature devices" "$work/devices-1000.yaml" 5211 5212
