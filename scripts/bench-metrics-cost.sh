#!/usr/bin/env bash
# Benchmark (not a test): what metrics cost on /v3/read. Two servers, metrics off and on, share
# one emulator plugin; wrk runs alternate between them (ROUNDS × SECONDS each, the order swapped
# every round) so that drift on a noisy machine hits both alike. Done with the default 29
# devices and with 1,000 devices.
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
rounds=${ROUNDS:-4}
seconds=${SECONDS_PER_RUN:-5}
build_release synse-server synse-emulator-plugin

rps() { wrk -t2 -c32 -d"${seconds}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

compare() {  # label devices-file-or-empty plugin-port (servers on the next two ports)
  local label=$1 devices=$2 port=$3
  start_emulator "$port" "$devices"
  start_server $((port + 1)) "$port" false
  local off_pid=$server_pid
  start_server $((port + 2)) "$port" true
  local off_url="http://127.0.0.1:$((port + 1))/v3/read" on_url="http://127.0.0.1:$((port + 2))/v3/read"
  wrk -t2 -c32 -d2s "$off_url" > /dev/null; wrk -t2 -c32 -d2s "$on_url" > /dev/null
  local off on results=""
  echo "== $label: /v3/read req/s, metrics off | on, alternating"
  for round in $(seq 1 "$rounds"); do
    # Odd rounds measure off first, even rounds on first: the second of two back-to-back runs
    # was seen to lose ~5 % on its own, whichever server it was.
    if ((round % 2)); then off=$(rps "$off_url"); on=$(rps "$on_url"); else on=$(rps "$on_url"); off=$(rps "$off_url"); fi
    printf '   round %s: %10s | %10s\n' "$round" "$off" "$on"
    results+="$off $on"$'\n'
  done
  echo -n "$results" | awk '{ off += $1; on += $2 } END { printf "   mean: %.0f | %.0f req/s   on/off = %.3f\n", off / NR, on / NR, on / off }'
  stop_processes "$plugin_pid" "$off_pid" "$server_pid"
}

compare "emulator default config" "" 5101
write_temperature_devices 1000 "$work/devices-1000.yaml"
compare "1000 temperature devices" "$work/devices-1000.yaml" 5111
