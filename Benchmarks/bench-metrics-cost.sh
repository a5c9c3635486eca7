#!/usr/bin/env bash
# Benchmark (not a test): what metrics cost on /v3/read. Two servers, metrics off and on, share
# one emulator plugin; wrk runs alternate between them (ROUNDS × SECONDS_PER_RUN each, in the
# changing order of bench-common.sh's alternating_rounds) so that drift on a noisy machine
# hits both alike. Done with the default 29 devices and with 1,000 devices.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-4}
seconds=${SECONDS_PER_RUN:-5}
build_release synse-server synse-emulator-plugin

compare() {  # label devices-file-or-empty plugin-port (servers on the next two ports)
  local label=$1 devices=$2 port=$3
  start_emulator "$port" "$devices"
  start_server $((port + 1)) "$port" false
  local off_pid=$server_pid
  start_server $((port + 2)) "$port" true
  local off_url="http://127.0.0.1:$((port + 1))/v3/read" on_url="http://127.0.0.1:$((port + 2))/v3/read"
  wrk -t2 -c32 -d2s "$off_url" > /dev/null; wrk -t2 -c32 -d2s "$on_url" > /dev/null
  echo "== $label: /v3/read req/s, metrics off | on, alternating"
  alternating_rounds "$rounds" "$off_url" "$on_url" | tee "$work/rounds.txt" | awk '{ printf "   round %d: %10s | %10s\n", NR, $1, $2 }'
  awk '{ off += $1; on += $2 } END { printf "   mean: %.0f | %.0f req/s   on/off = %.3f\n", off / NR, on / NR, on / off }' "$work/rounds.txt"
  stop_processes "$plugin_pid" "$off_pid" "$server_pid"
}

compare "emulator default config" "" 5101
write_temperature_devices 1000 "$work/devices-1000.yaml"
compare "1000 temperature devices" "$work/devices-1000.yaml" 5111
