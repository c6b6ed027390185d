#!/usr/bin/env bash
# Load benchmark: the gateway in front of a fast upstream stand-in, against calling the stand-in directly.
#
#   bench/load.sh                      # uses .build/release/gateway (build it first, see BENCHMARKS.md)
#   GATEWAY_BIN=/path/to/gateway DURATION=10s bench/load.sh
#
# Starts on free loopback ports, and stops on exit (trap): nginx (fixed Converse answer for
# POST /model/*/converse), moto_server (STS), redis-server, the suite's OIDC issuer (Tests/integration), and the
# gateway with GATEWAY_BEDROCK_ENDPOINT at nginx. Then, alternating (a) nginx directly and (b) the gateway:
#   - max throughput: wrk, closed loop, for each of CONNECTIONS, DURATION each;
#   - latency at fixed rates: wrk with a per-connection delay (RATES, approximate: connections*1000/DELAY_MS);
#   - resident memory of the gateway (VmRSS sampled every 200 ms during each run, VmHWM at the end);
#   - start-up time: gateway exec to first /ready = 200 and to first successful Converse (cold JWKS, IdP token
#     and STS fetch included).
# CPU split: the load generator runs on LOADGEN_CPU, everything else (nginx, gateway, redis, moto, issuer) on
# SERVER_CPU, via taskset.
#
# Environment: GATEWAY_BIN, DURATION (10s), CONNECTIONS ("16 32 64"), RATES ("500 1000 2000"), DELAY_MS (10),
# WRK_THREADS (2), LOADGEN_CPU (0), SERVER_CPU (1), RESULTS_DIR (bench/results), PROFILE (set: perf-record the
# gateway for 5 s during the last max-throughput run; the report goes to RESULTS_DIR/perf-gateway-*.txt).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/.build/release/gateway}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-"16 32 64"}
RATES=${RATES:-"500 1000 2000"}
DELAY_MS=${DELAY_MS:-10}
WRK_THREADS=${WRK_THREADS:-2}
LOADGEN_CPU=${LOADGEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
PYTHON=${PYTHON:-python3}

for tool in wrk nginx redis-server taskset curl "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "load.sh: $tool is missing (apt-get install wrk nginx redis-server curl)" >&2; exit 1; }
done
[[ -x $GATEWAY_BIN ]] || {
    echo "load.sh: no gateway at $GATEWAY_BIN; build it: swift build -c release --static-swift-stdlib --product gateway" >&2
    exit 1
}

WORK=$(mktemp -d /tmp/gateway-load.XXXXXX)
mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$RESULTS_DIR/load-$STAMP.txt"
SUMMARY="$RESULTS_DIR/load-$STAMP.md"
PIDS=()

cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if (( status != 0 )); then  # keep the component logs of a failed run (the gateway's audit log is large)
        mkdir -p "$RESULTS_DIR/logs-$STAMP" && cp "$WORK"/*.log "$RESULTS_DIR/logs-$STAMP/" 2>/dev/null || true
        echo "load.sh: component logs in $RESULTS_DIR/logs-$STAMP" >&2
    fi
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT INT TERM

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # port, what, pid
    for _ in $(seq 1 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || { echo "load.sh: $2 exited before listening on $1" >&2; return 1; }
        sleep 0.1
    done
    echo "load.sh: $2 did not listen on $1 within 60 s" >&2
    return 1
}
log() { echo "$*" | tee -a "$RAW"; }

NGINX_PORT=$(free_port); MOTO_PORT=$(free_port); REDIS_PORT=$(free_port); GATEWAY_PORT=$(free_port)

log "# gateway load benchmark $STAMP"
log "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r)"
log "gateway: $GATEWAY_BIN ($(stat -c %s "$GATEWAY_BIN") bytes, built $(date -u -r "$GATEWAY_BIN" +%FT%TZ))"
log "wrk: $(wrk -v 2>&1 | head -1); load generator on CPU $LOADGEN_CPU, servers on CPU $SERVER_CPU"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# -- upstream stand-in: nginx answering a fixed Converse response --------------------------------------------
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
chmod -R 777 "$WORK/nginx"
USER_LINE=""; [[ $(id -u) == 0 ]] && USER_LINE="user root;"
cat > "$WORK/nginx/nginx.conf" <<NGINX
$USER_LINE
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path $WORK/nginx/tmp;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location ~ ^/model/[^/]+/converse\$ {
            default_type application/json;
            return 200 '{"output":{"message":{"role":"assistant","content":[{"text":"stand-in reply from amazon.titan-text-express-v1 via converse"}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":8,"totalTokens":20},"metrics":{"latencyMs":7}}';
        }
        location / { return 404; }
    }
}
NGINX
taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx.log" 2>&1 &
PIDS+=($!); wait_port "$NGINX_PORT" nginx "${PIDS[-1]}"

# -- STS (moto), Redis, OIDC issuer ----------------------------------------------------------------------------
taskset -c "$SERVER_CPU" "$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!); wait_port "$MOTO_PORT" moto_server "${PIDS[-1]}"
taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    >"$WORK/redis.log" 2>&1 &
PIDS+=($!); wait_port "$REDIS_PORT" redis-server "${PIDS[-1]}"
taskset -c "$SERVER_CPU" "$PYTHON" "$ROOT/bench/bench_issuer.py" --out "$WORK/issuer.json" >"$WORK/issuer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do [[ -s $WORK/issuer.json ]] && break; sleep 0.1; done
[[ -s $WORK/issuer.json ]] || { echo "load.sh: the OIDC issuer did not start; see $WORK/issuer.log" >&2; cat "$WORK/issuer.log" >&2; exit 1; }
issuer() { "$PYTHON" -c "import json,sys; print(json.load(open('$WORK/issuer.json'))[sys.argv[1]])" "$1"; }
issuer caller_token > "$WORK/token"; chmod 600 "$WORK/token"

printf '%s' '{"messages":[{"role":"user","content":[{"text":"How do I reset my password?"}]}],"inferenceConfig":{"maxTokens":256}}' > "$WORK/body.json"
DIRECT_URL="http://127.0.0.1:$NGINX_PORT/model/amazon.titan-text-express-v1/converse"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/use-cases/UseCaseA/model/titan-text-express/converse"

# -- gateway ----------------------------------------------------------------------------------------------------
START_NS=$(date +%s%N)
env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG=C.UTF-8 \
    GATEWAY_LISTEN="127.0.0.1:$GATEWAY_PORT" \
    GATEWAY_CATALOG="$ROOT/policies/catalog.yaml" \
    GATEWAY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    GATEWAY_CACHE_KEY="$(head -c 32 /dev/urandom | base64)" \
    GATEWAY_INBOUND_AUDIENCE=acme-genai-apps \
    GATEWAY_GROUPS_CLAIM=groups \
    GATEWAY_IDP_JWKS_URL="$(issuer jwks_url)" \
    GATEWAY_IDP_TOKEN_URL="$(issuer token_url)" \
    GATEWAY_CLIENT_ID="$(issuer client_id)" \
    GATEWAY_CLIENT_SECRET="$(issuer client_secret)" \
    GATEWAY_STS_ENDPOINT="http://127.0.0.1:$MOTO_PORT" \
    GATEWAY_BEDROCK_ENDPOINT="http://127.0.0.1:$NGINX_PORT" \
    taskset -c "$SERVER_CPU" "$GATEWAY_BIN" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!; PIDS+=($GATEWAY_PID)
STARTUP=$(taskset -c "$LOADGEN_CPU" "$PYTHON" "$ROOT/bench/first_success.py" --url "$GATEWAY_URL" \
    --ready-url "http://127.0.0.1:$GATEWAY_PORT/ready" --body-file "$WORK/body.json" --token-file "$WORK/token" \
    --since-ns "$START_NS" --timeout 60) || { echo "load.sh: the gateway never answered 200; log:" >&2; tail -40 "$WORK/gateway.log" >&2; exit 1; }
log "startup: $STARTUP (exec -> /ready 200, exec -> first 200 Converse incl. cold JWKS, IdP token and STS fetch)"
log "gateway RSS after start-up: $(grep VmRSS /proc/$GATEWAY_PID/status | awk '{print $2, $3}')"

# A few warm requests: credentials now come from L1.
for _ in 1 2 3 4 5; do
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $(cat "$WORK/token")" -H 'Content-Type: application/json' \
        --data-binary @"$WORK/body.json" "$GATEWAY_URL"
done
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "$DIRECT_URL"

# -- measurements -------------------------------------------------------------------------------------------------
ROWS=()
sample_rss() {  # pid, out-file: max VmRSS (kB) while running
    local max=0 value
    while kill -0 "$1" 2>/dev/null; do
        value=$(awk '/^VmRSS/ {print $2}' "/proc/$GATEWAY_PID/status" 2>/dev/null || echo 0)
        (( value > max )) && max=$value
        sleep 0.2
    done
    echo "$max" > "$2"
}
run_wrk() {  # target url connections delay_ms label
    local target=$1 url=$2 connections=$3 delay=$4 label=$5 out="$WORK/wrk.out" threads=$WRK_THREADS
    (( connections < threads )) && threads=$connections
    log ""
    log "## $target $label: wrk -t$threads -c$connections -d$DURATION (delay ${delay} ms) $url"
    BENCH_TOKEN_FILE="$WORK/token" BENCH_BODY_FILE="$WORK/body.json" BENCH_DELAY_MS=$delay \
        taskset -c "$LOADGEN_CPU" wrk -t"$threads" -c"$connections" -d"$DURATION" --latency --timeout 5s \
        -s "$ROOT/bench/request.lua" "$url" > "$out" 2>&1 &
    local wrk_pid=$!
    local rss="-"
    if [[ $target == gateway ]]; then
        sample_rss "$wrk_pid" "$WORK/rss" &
        local sampler=$!
        if [[ -n ${PROFILE:-} && $label == max && $connections == "${CONNECTIONS##* }" ]] && command -v perf >/dev/null; then
            # perf: 5 s of call stacks from the gateway under the last max-throughput run.
            sleep 2
            perf record -F 999 -g -o "$WORK/perf.data" -p "$GATEWAY_PID" -- sleep 5 >"$WORK/perf-record.txt" 2>&1 || true
            perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
                | grep -v '^$' | head -400 > "$RESULTS_DIR/perf-gateway-$STAMP.txt" || true
            perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
                | grep -v '^$' | head -120 > "$RESULTS_DIR/perf-gateway-children-$STAMP.txt" || true
        fi
    fi
    wait "$wrk_pid" || { cat "$out" >&2; echo "load.sh: wrk failed" >&2; exit 1; }
    if [[ $target == gateway ]]; then wait "$sampler"; rss="$(( $(cat "$WORK/rss") / 1024 )) MB"; fi
    cat "$out" >> "$RAW"
    local json; json=$(sed -n 's/^RESULT //p' "$out")
    [[ -n $json ]] || { echo "load.sh: wrk printed no RESULT line" >&2; cat "$out" >&2; exit 1; }
    local row
    row=$("$PYTHON" - "$json" "$target" "$label" "$connections" "$rss" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); target, label, conns, rss = sys.argv[2:]
errors = sum(r[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
ms = lambda us: f"{us / 1000:.3f}"
print(f"| {target} | {label} | {conns} | {r['rps']:.0f} | {ms(r['p50_us'])} | {ms(r['p90_us'])} | {ms(r['p99_us'])} "
      f"| {ms(r['p999_us'])} | {ms(r['max_us'])} | {errors} (status {r['err_status']}) | {rss} |")
PY
)
    ROWS+=("$row")
    log "$row"
}

for connections in $CONNECTIONS; do
    run_wrk direct "$DIRECT_URL" "$connections" 0 "max"
    run_wrk gateway "$GATEWAY_URL" "$connections" 0 "max"
done
# wrk's delay() is per connection and in whole milliseconds, and the timer adds overhead, so a connection sends
# fewer than 1000/DELAY_MS requests per second: calibrate the connection count on the stand-in (3 s), then use the
# same count for both targets. The achieved rates are in the table.
calibrate() {  # rate -> connections
    local rate=$1 c0=$(( $1 * DELAY_MS / 1000 )) rps
    (( c0 < 1 )) && c0=1
    BENCH_TOKEN_FILE="$WORK/token" BENCH_BODY_FILE="$WORK/body.json" BENCH_DELAY_MS=$DELAY_MS \
        taskset -c "$LOADGEN_CPU" wrk -t1 -c"$c0" -d3s -s "$ROOT/bench/request.lua" "$DIRECT_URL" > "$WORK/calibrate.out" 2>&1
    rps=$(sed -n 's/^RESULT .*"rps":\([0-9.]*\).*/\1/p' "$WORK/calibrate.out")
    "$PYTHON" -c "import math,sys; print(max(1, round($c0 * $rate / max(float(sys.argv[1]), 1))))" "${rps:-0}"
}
for rate in $RATES; do
    connections=$(calibrate "$rate")
    log ""
    log "calibration: ~$rate/s needs $connections connections with a ${DELAY_MS} ms delay"
    run_wrk direct "$DIRECT_URL" "$connections" "$DELAY_MS" "~$rate/s"
    run_wrk gateway "$GATEWAY_URL" "$connections" "$DELAY_MS" "~$rate/s"
done

HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$GATEWAY_PID/status")
log ""
log "gateway VmHWM after all runs: $(( HWM / 1024 )) MB; VmRSS now: $(awk '/^VmRSS/ {print int($2/1024)}' "/proc/$GATEWAY_PID/status") MB"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
{
    echo "# gateway load benchmark $STAMP"
    echo
    sed -n '2,6p' "$RAW"
    echo
    echo "| target | load | connections | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | gateway max RSS |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "gateway VmHWM after all runs: $(( HWM / 1024 )) MB"
} > "$SUMMARY"
echo
cat "$SUMMARY"
echo "raw output: $RAW"
