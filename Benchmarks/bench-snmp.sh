#!/usr/bin/env bash
# Benchmark (not a test) of issue 20's SNMP targets, from one run, release build, on snmpsim
# serving recordings of real devices (Tests/Fixtures/snmp/prepare.py; snmpsim from .venv):
#  1. SNMP requests of one poll of the APC PDU (24 outlets), with GETBULK and with GETNEXT;
#  2. the wall time of one poll of AGENTS agents at once against one poll of one alone (target
#     ≤ 1.5×), ROUNDS alternating rounds, of the recording COMMUNITY (the PDU by default),
#     twice: straight to the simulators on loopback (the simulators, Python, share the
#     machine's cores with the poller, so this measures their CPU more than waiting), and
#     through udp-delay-proxy.py (our benchmark double) adding DELAY_MS each way, the round
#     trip of agents on a network, where polling concurrently is what counts;
#  3. the same with AGENTS net-snmp snmpd agents (Debian `snmpd`, a real agent in C, serving its
#     host's storage, interfaces and load; profile Benchmarks/snmp-profiles/snmpd-host.yaml):
#     snmpsim spends milliseconds of CPU per answer, so with it on the same two cores step 2
#     measures the simulator; snmpd leaves the poller's own concurrency to be measured.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-20}
agents=${AGENTS:-30}
delay_ms=${DELAY_MS:-2}
community=${COMMUNITY:-apc-8641}
simulators=${SIMULATORS:-2}
[ -x .venv/bin/snmpsim-command-responder ] || scripts/bootstrap.sh test
command -v snmpd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends snmpd >/dev/null; }
build_release snmp-poll-bench
.venv/bin/python Tests/Fixtures/snmp/prepare.py "$work/data"

free_udp_port() { python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The agents spread over SIMULATORS snmpsim processes (one is single-threaded).
ports=()
for i in $(seq 0 "$agents"); do ports+=("$(free_udp_port)"); done
for s in $(seq 0 $((simulators - 1))); do
  endpoints=()
  for i in $(seq "$s" "$simulators" "$agents"); do endpoints+=("--agent-udpv4-endpoint=127.0.0.1:${ports[$i]}"); done
  SNMPSIM_ALLOW_ROOT=true .venv/bin/snmpsim-command-responder --data-dir="$work/data" --cache-dir="$work/cache-$s" "${endpoints[@]}" > "$work/sim-$s.log" 2>&1 &
  pids+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 600); do snmpget -v2c -c "$community" -t 0.3 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.2.0 >/dev/null 2>&1 && break; sleep 0.1; done
done

delay() {  # LOG PORT...: udp-delay-proxy.py in front of each PORT; sets delayed (its ports)
  local log=$1 maps=() upstream listen
  shift
  delayed=()
  for upstream in "$@"; do
    listen=$(free_udp_port)
    maps+=(--map "$listen:$upstream")
    delayed+=("$listen")
  done
  python3 Benchmarks/udp-delay-proxy.py --delay-ms "$delay_ms" "${maps[@]}" > "$work/$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -qs ready "$work/$log" && break; sleep 0.1; done
}

# CPU seconds the simulators (and the proxy) used: what shares the cores with the poller.
peer_cpu() {
  local ticks=0 pid
  for pid in "${pids[@]}"; do [ -r "/proc/$pid/stat" ] && ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

echo "== requests per poll, GETBULK vs GETNEXT"
"$bench_bin/snmp-poll-bench" requests "${ports[0]}" apc-8641
"$bench_bin/snmp-poll-bench" requests "${ports[0]}" eaton-93e-80
echo "== one poll of $agents agents at once vs one alone, on loopback"
before=$(peer_cpu)
"$bench_bin/snmp-poll-bench" rounds "$rounds" "$community" "${ports[@]}"
echo "simulators' CPU meanwhile: $(echo "$(peer_cpu) $before" | awk '{printf "%.2f", $1 - $2}') s"

delay proxy.log "${ports[@]}"
echo "== the same through udp-delay-proxy.py, ${delay_ms} ms each way"
before=$(peer_cpu)
"$bench_bin/snmp-poll-bench" rounds "$rounds" "$community" "${delayed[@]}" || { echo "failed; the proxy's log:"; cat "$work/proxy.log"; }
echo "simulators' and proxy's CPU meanwhile: $(echo "$(peer_cpu) $before" | awk '{printf "%.2f", $1 - $2}') s"

# 3. snmpd agents: one process each, on loopback and through the delay proxy.
snmpd_ports=()
for i in $(seq 0 "$agents"); do
  port=$(free_udp_port)
  mkdir -p "$work/snmpd-$i"
  printf 'agentaddress udp:127.0.0.1:%s\nrocommunity public 127.0.0.1\nmaster no\n' "$port" > "$work/snmpd-$i/snmpd.conf"
  snmpd -f -Lo -C -c "$work/snmpd-$i/snmpd.conf" -p "$work/snmpd-$i/pid" --persistent-dir="$work/snmpd-$i" > "$work/snmpd-$i/log" 2>&1 &
  pids+=($!)
  snmpd_ports+=("$port")
done
for port in "${snmpd_ports[@]}"; do
  for _ in $(seq 1 100); do snmpget -v2c -c public -t 0.3 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.2.0 >/dev/null 2>&1 && break; sleep 0.1; done
done
export SNMP_PROFILES_DIR="$PWD/Benchmarks/snmp-profiles"
echo "== one poll of $agents snmpd agents at once vs one alone, on loopback"
"$bench_bin/snmp-poll-bench" requests "${snmpd_ports[0]}" public
"$bench_bin/snmp-poll-bench" rounds "$rounds" public "${snmpd_ports[@]}"
delay proxy-snmpd.log "${snmpd_ports[@]}"
echo "== the same through udp-delay-proxy.py, ${delay_ms} ms each way"
"$bench_bin/snmp-poll-bench" rounds "$rounds" public "${delayed[@]}" || { echo "failed; the proxy's log:"; cat "$work/proxy-snmpd.log"; }
