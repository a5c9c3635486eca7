#!/usr/bin/env bash
# Benchmark (not a test) of issue 19's IPMI targets, from one run, release build, on real BMC
# simulators (OpenIPMI's ipmi_sim, Debian `openipmi`, with the tests' Tests/Fixtures/ipmi SDR,
# sensors and chassis program):
#  1. the wall time of one poll of BMCS ipmi_sim BMCs at once against one poll of one BMC
#     alone (target ≤ 1.5×), ROUNDS alternating rounds: straight to the simulators on loopback
#     (every simulator and the poller share the machine's cores, so this measures CPU more than
#     waiting), then through udp-delay-proxy.py (our benchmark double) adding each delay of
#     DELAY_MS (ms each way, default "2 5 10") in turn, the round trip of BMCs on a network
#     (a BMC's own answer takes milliseconds), where polling concurrently is what counts;
#  2. the plugin's CPU per reading during the polls of every BMC.
# A poll is BMCConnection.poll(), the whole of what the plugin does per BMC and read interval;
# ipmi-poll-bench runs it (Benchmarks/IPMIPollBench).
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-20}
bmcs=${BMCS:-20}
delay_list=${DELAY_MS:-2 5 10}
command -v ipmi_sim >/dev/null && command -v sdrcomp >/dev/null || { apt-get update -qq && apt-get install -y -qq openipmi >/dev/null; }
build_release ipmi-poll-bench
fixtures="$PWD/Tests/Fixtures/ipmi"

free_udp_port() { python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_sim() {  # INDEX; sets port once its console accepts
  local dir="$work/sim-$1" console
  mkdir -p "$dir/state/ipmi_sim/sim"
  sdrcomp -8 -o "$dir/state/ipmi_sim/sim/sdr.20.main" "$fixtures/sim.sdrs"
  port=$(free_udp_port)
  console=$(free_port)
  cat > "$dir/lan.conf" <<CONF
name "sim"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $port
    priv_limit admin
    allowed_auths_admin none md2 md5 straight
    guid $(printf 'a123456789abcdefa123456789ab%04x' "$1")
  endlan
  chassis_control "$fixtures/chassis_control 0x20"
  user 2 true "admin" "secret" admin 10 none md2 md5 straight
console 127.0.0.1 $console
CONF
  # SIGPIPE ignored: ipmi_sim dies of it when a console client leaves before its prompt.
  (cd "$dir" && exec sh -c "trap '' PIPE; exec ipmi_sim -c lan.conf -f '$fixtures/sim.emu' -s state -n" > sim.log 2>&1) &
  pids+=($!)
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$console") 2>/dev/null && return 0; sleep 0.1; done
  echo "ipmi_sim $1 did not start: $(cat "$dir/sim.log")" >&2
  exit 1
}

# CPU seconds the simulators (and the proxy) used: what shares the cores with the poller.
peer_cpu() {
  local ticks=0 pid
  for pid in $(pgrep -x ipmi_sim) ${proxy_pid:-}; do ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

ports=()
for i in $(seq 1 "$bmcs"); do start_sim "$i"; ports+=("$port"); done
start_sim 0; alone=$port
echo "== one poll of $bmcs ipmi_sim BMCs at once vs one alone, on loopback"
before=$(peer_cpu)
"$bench_bin/ipmi-poll-bench" "$rounds" "$alone" "${ports[@]}"
echo "simulators' CPU meanwhile: $(echo "$(peer_cpu) $before" | awk '{printf "%.2f", $1 - $2}') s"

# One proxy per delay, in turn: every delay of DELAY_MS (a list) is measured in this one run.
for delay_ms in $delay_list; do
  maps=()
  delayed=()
  for upstream in "$alone" "${ports[@]}"; do
    listen=$(free_udp_port)
    maps+=(--map "$listen:$upstream")
    delayed+=("$listen")
  done
  python3 Benchmarks/udp-delay-proxy.py --delay-ms "$delay_ms" "${maps[@]}" > "$work/proxy.log" 2>&1 &
  proxy_pid=$!
  pids+=($proxy_pid)
  for _ in $(seq 1 100); do grep -qs ready "$work/proxy.log" && break; sleep 0.1; done
  echo "== the same through udp-delay-proxy.py, ${delay_ms} ms each way"
  before=$(peer_cpu)
  "$bench_bin/ipmi-poll-bench" "$rounds" "${delayed[@]}"
  echo "simulators' and proxy's CPU meanwhile: $(echo "$(peer_cpu) $before" | awk '{printf "%.2f", $1 - $2}') s"
  kill "$proxy_pid"
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=
done
