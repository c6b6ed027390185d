#!/usr/bin/env bash
# Instructions per request: the gateway under valgrind's callgrind, counting exactly what a small Converse request
# costs in the gateway process. On a shared VM, wall-clock figures of one binary vary by up to 1.7x between runs;
# instruction counts do not, so this is the way to compare two builds of a change to the request path.
#
#   bench/instructions.sh                                  # .build/release/gateway, 1,000 requests
#   GATEWAY_BIN=/path/gateway REQUESTS=2000 bench/instructions.sh
#
# Starts on free loopback ports, and stops on exit (trap): nginx (fixed Converse answer), moto_server (STS),
# redis-server, the suite's OIDC issuer, and the gateway under `valgrind --tool=callgrind` (a copy of GATEWAY_BIN
# with its debug info stripped, which callgrind can read; function names stay). After WARMUP requests (credentials
# and the verified token cached, connections open) the counters are zeroed (callgrind_control -z), REQUESTS requests
# are sent (hey, CONCURRENCY connections), and the counters are dumped (callgrind_control -d). Everything the
# gateway process executed in between is divided by REQUESTS: background work (credential refresh, metrics) counts
# too, and is negligible over a run of a few seconds.
# Output: RESULTS_DIR/instructions-STAMP.md (total per request, the TOP functions by their own instructions and the
# project's synchronous functions with their callees; bench/callgrind_summary.py), instructions-STAMP.txt (the log)
# and callgrind-STAMP.out (the dump).
#
# Environment: GATEWAY_BIN, REQUESTS (1000), WARMUP (200), CONCURRENCY (4), TOP (30), RESULTS_DIR (bench/results).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2034  # read by bench/lib.sh
BENCH_NAME=instructions
GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/.build/release/gateway}
REQUESTS=${REQUESTS:-1000}
WARMUP=${WARMUP:-200}
CONCURRENCY=${CONCURRENCY:-4}
TOP=${TOP:-30}
# shellcheck disable=SC2034  # read by bench/lib.sh: no pinning here, instruction counts do not depend on it
LOADGEN_CPU="" SERVER_CPU=""
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
PYTHON=${PYTHON:-python3}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"

bench_require valgrind:valgrind callgrind_control:valgrind strip:binutils hey:hey \
    nginx:nginx redis-server:redis-server curl:curl "$PYTHON:python3"
[[ -x $GATEWAY_BIN ]] || bench_fail "no gateway at $GATEWAY_BIN; build it: swift build -c release --static-swift-stdlib --product gateway"
# hey sends n / c requests per connection, so both counts must be multiples of CONCURRENCY.
(( REQUESTS % CONCURRENCY == 0 && WARMUP % CONCURRENCY == 0 )) \
    || bench_fail "REQUESTS ($REQUESTS) and WARMUP ($WARMUP) must be multiples of CONCURRENCY ($CONCURRENCY)"
bench_begin

NGINX_PORT=$(free_port) GATEWAY_PORT=$(free_port)
export MOTO_PORT REDIS_PORT  # read by bench/lib.sh
MOTO_PORT=$(free_port) REDIS_PORT=$(free_port)

log "# gateway instructions per request $STAMP"
log "gateway: $GATEWAY_BIN ($(stat -c %s "$GATEWAY_BIN") bytes, built $(date -u -r "$GATEWAY_BIN" +%FT%TZ), sha256 $(sha256sum "$GATEWAY_BIN" | cut -c1-16))"
log "valgrind: $(valgrind --version); requests: $WARMUP warm-up, then $REQUESTS counted, $CONCURRENCY connections (hey)"

strip --strip-debug -o "$WORK/gateway" "$GATEWAY_BIN"
cat > "$WORK/gateway-callgrind" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" "$WORK/gateway" "\$@"
EOF
chmod +x "$WORK/gateway-callgrind"

bench_start_nginx
bench_start_backends
printf '%s' '{"messages":[{"role":"user","content":[{"text":"How do I reset my password?"}]}],"inferenceConfig":{"maxTokens":256}}' > "$WORK/body.json"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/use-cases/UseCaseA/model/titan-text-express/converse"

START_NS=$(date +%s%N)
GATEWAY_BIN="$WORK/gateway-callgrind" bench_start_gateway "$GATEWAY_PORT" "http://127.0.0.1:$NGINX_PORT" "$WORK/gateway.log"
GATEWAY_PID=$SPAWNED
"$PYTHON" "$ROOT/bench/first_success.py" --url "$GATEWAY_URL" --ready-url "http://127.0.0.1:$GATEWAY_PORT/ready" \
    --body-file "$WORK/body.json" --token-file "$WORK/token" --since-ns "$START_NS" --timeout 180 >/dev/null \
    || { tail -40 "$WORK/gateway.log" >&2; bench_fail "the gateway never answered 200 under callgrind (log above)"; }

run_hey() {  # COUNT OUT: COUNT requests; fails unless every one answered 200
    hey -n "$1" -c "$CONCURRENCY" -m POST -T application/json -D "$WORK/body.json" \
        -H "Authorization: Bearer $(cat "$WORK/token")" "$GATEWAY_URL" > "$2"
    grep -q "\[200\]	$1 responses" "$2" || { cat "$2" >&2; bench_fail "not every request answered 200 (hey output above)"; }
}
run_hey "$WARMUP" "$WORK/warmup.out"
callgrind_control -z "$GATEWAY_PID" >/dev/null
run_hey "$REQUESTS" "$WORK/measured.out"
callgrind_control -d "$GATEWAY_PID" >/dev/null

DUMP=$(find "$WORK" -maxdepth 1 -name 'callgrind.out.*' -size +0 | sort | tail -1)
[[ -n $DUMP ]] || bench_fail "callgrind wrote no dump after the measured requests"
"$PYTHON" "$ROOT/bench/callgrind_summary.py" "$DUMP" "$REQUESTS" --top "$TOP" > "$WORK/summary.md"
log "$(head -1 "$WORK/summary.md")"
{
    echo "# Gateway instructions per request ($STAMP)"
    echo
    echo "\`bench/instructions.sh\`: the gateway under callgrind, $WARMUP warm-up requests, then $REQUESTS small Converse"
    echo "requests ($CONCURRENCY connections, hey) counted. Gateway: \`$GATEWAY_BIN\`, built $(date -u -r "$GATEWAY_BIN" +%FT%TZ)."
    echo
    cat "$WORK/summary.md"
} > "$SUMMARY"
cp "$DUMP" "$RESULTS_DIR/callgrind-$STAMP.out"
log "results: $SUMMARY (and the dump, for callgrind_annotate or kcachegrind: $RESULTS_DIR/callgrind-$STAMP.out)"
