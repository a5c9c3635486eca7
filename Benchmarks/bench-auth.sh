#!/usr/bin/env bash
# Benchmark (not a test) of issue 22's authentication cost: /v3/read req/s (emulator default
# config, 29 devices) on three servers over one plugin: authentication off, static bearer
# tokens (a tokens file of 100 entries, the token the last one), and RS256 JWTs (one token, as a
# client sends the same token on every request); ROUNDS rotating rounds of SECONDS each (wrk
# 2 threads x 32 connections), so drift on a shared machine hits all alike. Targets:
# token ÷ off ≥ 0.97, JWT ÷ off ≥ 0.93. Two more columns send the same headers to the server
# with authentication off, which ignores them: what the bigger request costs wrk and the HTTP
# parser, apart from checking it.
#
# Each run also takes the server's own CPU time per request (user + system from /proc, over the
# requests wrk counted): on a machine whose neighbours take CPU at random, req/s rounds swung
# by 40 %, while the CPU a request costs the server moves far less.
#
# PIN=1 (the default) runs the plugin and servers on CPU 1 and wrk on CPU 0 (taskset): on a
# 2-core machine wrk otherwise takes CPU from the server in proportion to the request's size,
# so a 600-byte JWT header measured wrk's cost too, and rounds swung by 15 % as the two
# fought. PIN=0 shares both CPUs as the other benchmarks do.
cd "$(dirname "$0")/.."
source Benchmarks/bench-common.sh
rounds=${ROUNDS:-8}
seconds=${SECONDS_PER_RUN:-5}
build_release synse-server synse-emulator-plugin
pin_cpus

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
token="bench-$(openssl rand -hex 16)"
for i in $(seq 1 99); do printf -- '- {name: t%s, sha256: %s, scopes: [read]}\n' "$i" "$(printf %s "other-$i" | sha256sum | cut -d' ' -f1)"; done > "$work/tokens.yaml"
printf -- '- {name: bench, sha256: %s, scopes: [read]}\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" >> "$work/tokens.yaml"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/issuer.key" 2>/dev/null
openssl pkey -in "$work/issuer.key" -pubout -out "$work/issuer.pem"
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"bench-idp","aud":"synse","sub":"bench","scope":"read","exp":%s}' "$(($(date +%s) + 3600))" | b64url)
jwt="$header.$payload.$(printf %s "$header.$payload" | openssl dgst -sha256 -sign "$work/issuer.key" -binary | b64url)"

start_emulator 5401
start_server 5402 5401 false
server_pids=("$server_pid")
# The launchers of bench-common.sh start unpinned: the plugin and the first server move to CPU 1.
[ ${#server_cpu[@]} -gt 0 ] && { taskset -a -p -c 1 "$plugin_pid" >/dev/null; taskset -a -p -c 1 "$server_pid" >/dev/null; }
# start_server waits for /v3/scan, which these two answer only with a token: the processes
# start here, and the checks below wait for them.
start_server_with_auth() {  # PORT AUTH-YAML
  printf 'logging: info\npretty_json: false\nplugin: {tcp: ["127.0.0.1:5401"], embedded: []}\n%s\n' "$2" > "$work/server-$1.yaml"
  "${server_cpu[@]}" "$bin/synse-server" --config "$work/server-$1.yaml" --host 127.0.0.1 --port "$1" > "$work/server-$1.log" 2>&1 &
  pids+=($!)
  server_pids+=($!)
}
start_server_with_auth 5403 "auth: {tokens_file: $work/tokens.yaml}"
start_server_with_auth 5404 "auth: {jwt: {public_key_file: $work/issuer.pem, issuer: bench-idp, audience: synse}}"
for _ in $(seq 1 100); do curl -sf -H "Authorization: Bearer $token" 127.0.0.1:5403/v3/scan | grep -q '"id"' && break; sleep 0.2; done
for _ in $(seq 1 100); do curl -sf -H "Authorization: Bearer $jwt" 127.0.0.1:5404/v3/scan | grep -q '"id"' && break; sleep 0.2; done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" 127.0.0.1:5403/v3/read)" = 200 ] || { echo "static token refused"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $jwt" 127.0.0.1:5404/v3/read)" = 200 ] || { echo "JWT refused"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' 127.0.0.1:5403/v3/read)" = 401 ] || { echo "no token accepted"; exit 1; }

run_one() {  # INDEX: req/s of that column; its server's CPU µs per request go to $work/cpu-INDEX
  local url header=() pid out before
  case $1 in
    0) url=http://127.0.0.1:5402/v3/read pid=${server_pids[0]} ;;
    1) url=http://127.0.0.1:5403/v3/read pid=${server_pids[1]} header=(-H "Authorization: Bearer $token") ;;
    2) url=http://127.0.0.1:5404/v3/read pid=${server_pids[2]} header=(-H "Authorization: Bearer $jwt") ;;
    3) url=http://127.0.0.1:5402/v3/read pid=${server_pids[0]} header=(-H "Authorization: Bearer $token") ;;
    4) url=http://127.0.0.1:5402/v3/read pid=${server_pids[0]} header=(-H "Authorization: Bearer $jwt") ;;
  esac
  before=$(cpu_seconds "$pid")
  out=$("${client_cpu[@]}" wrk -t2 -c32 -d"${seconds}s" "${header[@]}" "$url")
  awk -v a="$(cpu_seconds "$pid")" -v b="$before" '/requests in/ { printf "%.2f\n", (a - b) * 1e6 / $1 }' <<< "$out" >> "$work/cpu-$1"
  awk '/Requests\/sec/ {print $2}' <<< "$out"
}
for i in 0 1 2 3 4; do seconds=2 run_one "$i" > /dev/null; done
rm -f "$work"/cpu-*
echo "== /v3/read, 29 devices: req/s with authentication off | static token | JWT | off sent the token | off sent the JWT"
rotating_rounds "$rounds" 5 | tee "$work/rounds.txt" | awk '{ printf "   round %d: %s\n", NR, $0 }'
awk '{ o += $1; t += $2; j += $3; ot += $4; oj += $5 } END {
  printf "   mean: %.0f | %.0f | %.0f | %.0f | %.0f\n", o / NR, t / NR, j / NR, ot / NR, oj / NR
  printf "   token / off = %.3f (target >= 0.97)   JWT / off = %.3f (target >= 0.93)\n", t / o, j / o
  printf "   the check alone: token / off sent the token = %.3f   JWT / off sent the JWT = %.3f\n", t / ot, j / oj }' "$work/rounds.txt"
# The same ratios taken within each round (its five runs minutes apart at most), then the
printf "   median of the rounds' ratios: token / off = %.3f   JWT / off = %.3f   token / off sent the token = %.3f   JWT / off sent the JWT = %.3f\n" \
  "$(awk '{ print $2 / $1 }' "$work/rounds.txt" | median)" "$(awk '{ print $3 / $1 }' "$work/rounds.txt" | median)" \
  "$(awk '{ print $2 / $4 }' "$work/rounds.txt" | median)" "$(awk '{ print $3 / $5 }' "$work/rounds.txt" | median)"
# The server's CPU per request, each column's median over the rounds, and the req/s ratios it
# implies for a server with a CPU of its own (off's µs ÷ the column's).
for i in 0 1 2 3 4; do cpu[i]=$(median < "$work/cpu-$i"); done
printf "   server CPU per request, median µs: %s | %s | %s | %s | %s\n" "${cpu[@]}"
awk -v o="${cpu[0]}" -v t="${cpu[1]}" -v j="${cpu[2]}" -v ot="${cpu[3]}" -v oj="${cpu[4]}" 'BEGIN {
  printf "   by CPU per request: token / off = %.3f   JWT / off = %.3f   token / off sent the token = %.3f   JWT / off sent the JWT = %.3f\n", o / t, o / j, ot / t, oj / j }'
