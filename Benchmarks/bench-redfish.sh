#!/usr/bin/env bash
# Benchmark (not a test) of issue 18's Redfish targets, from one run, release build, on real
# Redfish services (sushy-static 2.2.0 serving the DMTF mockups in Tests/Fixtures/redfish):
#  1. requests per poll per BMC, with and without `$expand`, for each mockup: sushy-static
#     answers every query with 404, so both go through redfish-bench-proxy.py (our benchmark
#     double) in front of it, once answering `$expand` and once not offering it;
#  2. the wall time of one poll of ENDPOINTS sushy-static endpoints on loopback at once, one of
#     them behind the proxy with a DELAY s wait on every answer (a slow BMC), against one poll
#     of that slowest BMC alone (target ≤ 1.2×: concurrency, not a sum), ROUNDS alternating rounds;
#  3. the plugin's CPU per point read during those polls of every endpoint.
# A poll is the plugin's discovery walk (RedfishDiscovery.walk with its RedfishClient), the
# whole of what it does per BMC and interval; redfish-poll-bench runs it (Benchmarks/RedfishPollBench).
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-3}
endpoints=${ENDPOINTS:-40}
delay=${DELAY:-3}
venv=${VENV:-.venv}
build_release redfish-poll-bench
"$venv/bin/sushy-static" --help >/dev/null 2>&1 || { echo "needs $venv/bin/sushy-static (scripts/bootstrap.sh)"; exit 1; }
mockups=(public-rackmount1 public-bladed public-pdu)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {  # PORT
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1 after 30 s" >&2
  exit 1
}

start_static() {  # MOCKUP; sets port
  port=$(free_port)
  "$venv/bin/sushy-static" --interface 127.0.0.1 --port "$port" --mockup-files "Tests/Fixtures/redfish/$1" > "$work/static-$port.log" 2>&1 &
  pids+=($!)
}

start_proxy() {  # UPSTREAM-PORT [PROXY-ARGS]; sets port
  local upstream=$1
  shift
  port=$(free_port)
  "$venv/bin/python" Benchmarks/redfish-bench-proxy.py --port "$port" --upstream "http://127.0.0.1:$upstream" "$@" > "$work/proxy-$port.log" 2>&1 &
  pids+=($!)
}

echo "== requests per poll per BMC (steady state: a refused \$expand is not asked again)"
for mockup in "${mockups[@]}"; do
  start_static "$mockup"; static=$port; wait_port "$static"
  start_proxy "$static" --expand; expanding=$port
  start_proxy "$static"; plain=$port
  wait_port "$expanding"; wait_port "$plain"
  echo "$mockup, \$expand offered and answered:"
  "$bench_bin/redfish-poll-bench" requests "http://127.0.0.1:$expanding"
  echo "$mockup, no \$expand:"
  "$bench_bin/redfish-poll-bench" requests "http://127.0.0.1:$plain"
done

echo "== one poll of $endpoints endpoints (one answering after ${delay} s per request) vs that one alone"
urls=()
for i in $(seq 1 $((endpoints - 1))); do
  start_static "${mockups[$((i % ${#mockups[@]}))]}"
  urls+=("http://127.0.0.1:$port")
done
start_static public-rackmount1; slow_upstream=$port
start_proxy "$slow_upstream" --delay "$delay"; slow="http://127.0.0.1:$port"
for url in "${urls[@]}" "$slow"; do wait_port "${url##*:}"; done
wait_port "$slow_upstream"
"$bench_bin/redfish-poll-bench" poll "$rounds" "$slow" "${urls[@]}" "$slow"
