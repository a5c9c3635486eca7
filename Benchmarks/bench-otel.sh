#!/usr/bin/env bash
# Benchmark (not a test) of issue 21's OTLP export cost: /v3/read req/s (emulator default
# config, 29 devices) on three servers over one plugin: OTLP off; on with metrics and traces at
# 100 % sampling (OTEL_TRACES_SAMPLER=always_on); on with 1 % (parentbased_traceidratio, 0.01).
# Both exporting servers send OTLP/HTTP every second (OTEL_METRIC_EXPORT_INTERVAL=1000,
# OTEL_BSP_SCHEDULE_DELAY=1000) to a receiver that answers every export with an empty 200 and
# parses nothing, so its own cost stays small. ROUNDS rotating rounds of SECONDS each (wrk 2
# threads x 32 connections, bench-common.sh's alternating order). Targets: on ÷ off ≥ 0.90 at
# 100 %, ≥ 0.97 at 1 %. The plugin exports nothing: this is the server's cost.
#
# PIN=1 (the default) runs the plugin and servers on CPU 1, wrk and the receiver on CPU 0, as
# bench-auth.sh does.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-8}
seconds=${SECONDS_PER_RUN:-5}
build_release synse-server synse-emulator-plugin
pin_cpus

receiver_port=5499
cat > "$work/receiver.py" <<'PY'
import asyncio, re, sys
exports = 0
async def handle(reader, writer):
    global exports
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            exports += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
"${client_cpu[@]}" python3 "$work/receiver.py" "$receiver_port" &
pids+=($!)

start_emulator 5401
[ ${#server_cpu[@]} -gt 0 ] && taskset -a -p -c 1 "$plugin_pid" >/dev/null
server_pids=()
start_server 5402 5401 false
server_pids+=("$server_pid")
[ ${#server_cpu[@]} -gt 0 ] && taskset -a -p -c 1 "$server_pid" >/dev/null
export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$receiver_port OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
export OTEL_METRIC_EXPORT_INTERVAL=1000 OTEL_BSP_SCHEDULE_DELAY=1000 OTEL_BLRP_SCHEDULE_DELAY=1000
OTEL_TRACES_SAMPLER=always_on start_server 5403 5401 false "otel: {enabled: true}"
server_pids+=("$server_pid")
[ ${#server_cpu[@]} -gt 0 ] && taskset -a -p -c 1 "$server_pid" >/dev/null
OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01 start_server 5404 5401 false "otel: {enabled: true}"
server_pids+=("$server_pid")
[ ${#server_cpu[@]} -gt 0 ] && taskset -a -p -c 1 "$server_pid" >/dev/null

# Each run gives req/s and requests per CPU-second of its server (user + system, from
# /proc): the second leaves out time the machine gave to others (a VM's steal, the other
# processes on the core), which made rounds of req/s vary by a third here.
run_one() {  # INDEX: "req/s:requests per server CPU-second" of that column
  local pid=${server_pids[$1]} before requests
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  requests=$("${client_cpu[@]}" wrk -t2 -c32 -d"${seconds}s" "http://127.0.0.1:$((5402 + $1))/v3/read" | awk '/requests in/ {print $1}')
  awk -v r="$requests" -v s="$seconds" -v b="$before" -v a="$(awk '{print $14 + $15}' "/proc/$pid/stat")" \
    'BEGIN { printf "%.0f:%.0f\n", r / s, r / ((a - b) / 100) }'
}
for i in 0 1 2; do seconds=2 run_one "$i" > /dev/null; done
echo "== /v3/read, 29 devices, OTLP off | on, 100 % of traces | on, 1 % of traces: req/s (requests per server CPU-second)"
rotating_rounds "$rounds" 3 | tee "$work/rounds.txt" | awk '{ printf "   round %d: %s\n", NR, $0 }'
for field in 1 2; do
  tr ':' ' ' < "$work/rounds.txt" | awk -v f="$field" '{ print $(f), $(f + 2), $(f + 4) }' > "$work/column-$field.txt"
  name=$([ "$field" = 1 ] && echo "req/s" || echo "requests per CPU-second")
  awk -v name="$name" '{ o += $1; a += $2; s += $3 } END {
    printf "   %s, mean: %.0f | %.0f | %.0f;  100 %% / off = %.3f (target >= 0.90)   1 %% / off = %.3f (target >= 0.97)\n", name, o / NR, a / NR, s / NR, a / o, s / o }' "$work/column-$field.txt"
  printf "     median of the rounds' ratios: 100 %% / off = %.3f   1 %% / off = %.3f\n" \
    "$(awk '{ print $2 / $1 }' "$work/column-$field.txt" | median)" "$(awk '{ print $3 / $1 }' "$work/column-$field.txt" | median)"
done
for port in 5403 5404; do
  echo "   server :$port: $(grep -c 'Failed to export' "$work/server-$port.log" || true) failed exports, $(grep -c 'dropped' "$work/server-$port.log" || true) drops logged"
done
