# Sourced by the bench-*.sh scripts (run from the repository root): release builds, a scratch
# directory, the processes they start (killed on exit), and the emulator-plugin and server
# launchers they share.
set -euo pipefail
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# The Debian -dev packages the build needs and .venv (sse-bench.py, the soak): a fresh machine
# has neither, and a benchmark is often the first thing run on one.
scripts/bootstrap.sh test
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The benchmark executables are a package of their own (Benchmarks/Package.swift, which
# depends on the root package by path), built into Benchmarks/.build.
build_release() {  # PRODUCT...; sets bin (root package: server, plugins) and bench_bin (benchmarks)
  local product
  for product in "$@"; do
    if grep -q "benchmark(\"$product\"" Benchmarks/Package.swift; then
      # SwiftPM keeps the build plan of the root package (a path dependency here) across
      # source files added to it, then fails on a missing type: the plan is made anew.
      rm -f Benchmarks/.build/release.yaml
      swift build -c release --package-path Benchmarks --product "$product"
      bench_bin="$(swift build -c release --package-path Benchmarks --show-bin-path)"
    else
      swift build -c release --product "$product"
    fi
  done
  bin="$(swift build -c release --show-bin-path)"
}

start_emulator() {  # PORT [DEVICES-FILE] [READ-INTERVAL]; sets plugin_pid once it serves
  local port=$1 devices=${2:-} interval=${3:-1s}
  printf 'version: 3\nnetwork: {type: tcp, address: "127.0.0.1:%s"}\nsettings: {read: {interval: %s}, write: {interval: 2s}, cache: {enabled: true, ttl: 5m}}\nhealth: {healthFile: ""}\n' \
    "$port" "$interval" > "$work/plugin-$port.yaml"
  local env=(PLUGIN_CONFIG="$work/plugin-$port.yaml")
  [ -n "$devices" ] && env+=(PLUGIN_DEVICE_CONFIG="$devices")
  env "${env[@]}" "$bin/synse-emulator-plugin" > "$work/plugin-$port.log" 2>&1 &
  plugin_pid=$!
  pids+=("$plugin_pid")
  for _ in $(seq 1 100); do grep -qs "serving synse.V3Plugin" "$work/plugin-$port.log" && break; sleep 0.1; done
}

start_server() {  # PORT PLUGIN-PORT [METRICS true|false] [MORE-CONFIG-YAML]; sets server_pid and device_count once it lists devices
  local port=$1 plugin_port=$2 metrics=${3:-false} more=${4:-}
  printf 'logging: info\npretty_json: false\nplugin: {tcp: ["127.0.0.1:%s"], embedded: []}\nmetrics: {enabled: %s}\n%s\n' \
    "$plugin_port" "$metrics" "$more" > "$work/server-$port.yaml"
  "$bin/synse-server" --config "$work/server-$port.yaml" --host 127.0.0.1 --port "$port" > "$work/server-$port.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 100); do
    device_count=$(curl -s "127.0.0.1:$port/v3/scan" | grep -o '"id"' | wc -l || true)
    [ "${device_count:-0}" -gt 0 ] && break
    sleep 0.2
  done
}

stop_processes() { kill "$@" 2>/dev/null || true; wait "$@" 2>/dev/null || true; }

write_temperature_devices() {  # COUNT FILE: emulated temperature sensors tagged rack/r0..r9
  {
    echo "version: 3"; echo "devices:"; echo "  - type: temperature"; echo "    instances:"
    for i in $(seq 1 "$1"); do echo "      - {info: Bench Sensor $i, tags: [rack/r$((i % 10))], data: {id: $i}}"; done
  } > "$2"
}

cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # PID: user + system so far

rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }

rps() { wrk -t2 -c32 -d"${seconds:-5}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

# ROUNDS lines of req/s, one column per URL in the order given. Each round runs the URLs in
# another order (reversed on even rounds, rotated every second round): a wrk run right after
# another was seen to lose ~5 % for its position alone, so no URL keeps one position.
alternating_rounds() {  # ROUNDS URL...
  local rounds=$1
  shift
  local urls=("$@")
  run_one() { rps "${urls[$1]}"; }
  rotating_rounds "$rounds" "${#urls[@]}"
}

# PIN=1 (the default where there are 2 CPUs or more): servers and plugins on CPU 1, the client
# (wrk, receivers) on CPU 0, so the client does not take CPU from the server in proportion to
# its own work. Sets server_cpu and client_cpu (taskset prefixes, empty when unpinned).
pin_cpus() {
  server_cpu=() client_cpu=()
  if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 1) client_cpu=(taskset -c 0); fi
}

# ROUNDS lines of COUNT numbers: `run_one I` (the caller's function) for I in 0..COUNT-1, in
# alternating_rounds' order (reversed on even rounds, rotated every second round).
rotating_rounds() {  # ROUNDS COUNT
  local rounds=$1 count=$2 round rotation i order measured
  for round in $(seq 1 "$rounds"); do
    order=($(seq 0 $((count - 1))))
    ((round % 2)) || order=($(seq $((count - 1)) -1 0))
    rotation=$(((round - 1) / 2 % count))
    order=("${order[@]:rotation}" "${order[@]:0:rotation}")
    measured=()
    for i in "${order[@]}"; do measured[i]=$(run_one "$i"); done
    echo "${measured[*]}"
  done
}

# The median of numbers, one per line (the mean of the middle two for an even count): over
# rounds, a round where the machine was slow for everyone counts once, not by its size.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
