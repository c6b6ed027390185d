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
#   - latency at fixed rates (RATES), in ROUNDS alternating rounds: by default bench/openloop.c (built here with
#     gcc), which sends request i at start + i/rate on kept-alive connections whatever the earlier answers are doing
#     and counts latency from when each request was due; RATE_TOOL=wrk uses wrk with a per-connection delay instead
#     (approximate: connections*1000/DELAY_MS), whose connections fire together, so each target serves bursts of
#     that many requests. With more than one round, the summary adds the median over rounds of each target's
#     percentiles and of its p50/p99 added over direct in the same round (bench/rounds_summary.py), so a noisy
#     spell of the machine falls on every target instead of on one;
#   - resident memory of each server (VmRSS of its process tree sampled every 200 ms during each run, by
#     bench/rss_sampler.py on the load generator's CPU; the gateway's VmHWM at the end);
#   - CPU time per request of the server under test (user + system time of its process tree over the run, divided
#     by the requests wrk completed): what each request costs, whatever else shares the machine;
#   - start-up time: gateway exec to first /ready = 200 and to first successful Converse (cold JWKS, IdP token
#     and STS fetch included).
# CPU split: the load generator runs on LOADGEN_CPU, everything else (nginx, gateway, redis, moto, issuer) on
# SERVER_CPU, via taskset (an empty value: no pinning); UPSTREAM_CPU, when set, moves nginx to that CPU instead (for
# example next to the load generator, so the proxy under test has a CPU of its own as it would in production, where
# Bedrock is not on the gateway's machine).
# FLOOR_BIN (optional): bench/floor's pass-through proxy (Hummingbird 2 + AsyncHTTPClient and nothing else, built
# with `swift build -c release --static-swift-stdlib --package-path bench/floor`) is measured too, as (c): the
# framework floor, so the gateway's own share of the cost can be read off; and the same proxy with FLOOR_CLIENT=nio
# (a bare NIO HTTP/1.1 client in place of AsyncHTTPClient) as (d) floor-nio, to show how much of the floor is the
# HTTP client; and with FLOOR_SERVER=nio too (plain NIO channel handlers, no Hummingbird, no Swift concurrency) as
# (e) floor-plain: the least any pass-through on NIO costs here.
# For the gateway's runs at fixed rates, the table also gives the p50/p99 of the latency the gateway itself
# measured (bench/audit_latency.py over its audit lines: latency_ms, from the handler's start, request head parsed,
# to the answer handed to the connection; and the same without upstream_latency_ms, the wait for nginx), so the time
# a request spends in the kernel and waiting for a CPU can be told from the time it spends in the gateway.
# bench/compare.sh measures the same gateway side by side with LiteLLM, at true fixed rates and for streaming.
#
# Environment: GATEWAY_BIN, DURATION (10s), CONNECTIONS ("16 32 64"), RATES ("500 1000 2000"), ROUNDS (1), RATE_TOOL
# (openloop; or wrk), RATE_CONNECTIONS (64: openloop's most connections per target), DELAY_MS (10, for RATE_TOOL=wrk),
# WRK_THREADS (2), LOADGEN_CPU (0), SERVER_CPU (1), UPSTREAM_CPU (unset: SERVER_CPU), RESULTS_DIR (bench/results), PROFILE (set: perf-record the
# gateway for 5 s during the last max-throughput run; the report goes to RESULTS_DIR/perf-gateway-*.txt).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2034  # read by bench/lib.sh
BENCH_NAME=load
GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/.build/release/gateway}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-"16 32 64"}
RATES=${RATES:-"500 1000 2000"}
ROUNDS=${ROUNDS:-1}
RATE_TOOL=${RATE_TOOL:-openloop}
RATE_CONNECTIONS=${RATE_CONNECTIONS:-64}
DELAY_MS=${DELAY_MS:-10}
WRK_THREADS=${WRK_THREADS:-2}
LOADGEN_CPU=${LOADGEN_CPU-0}
SERVER_CPU=${SERVER_CPU-1}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
PYTHON=${PYTHON:-python3}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"

bench_require wrk:wrk nginx:nginx redis-server:redis-server taskset:util-linux curl:curl gcc:gcc "$PYTHON:python3"
[[ $RATE_TOOL == openloop || $RATE_TOOL == wrk ]] || bench_fail "RATE_TOOL must be openloop or wrk, not $RATE_TOOL"
[[ -x $GATEWAY_BIN ]] || bench_fail "no gateway at $GATEWAY_BIN; build it: swift build -c release --static-swift-stdlib --product gateway"
FLOOR_BIN=${FLOOR_BIN:-}
[[ -z $FLOOR_BIN || -x $FLOOR_BIN ]] || bench_fail "no floor proxy at $FLOOR_BIN; build it: swift build -c release --static-swift-stdlib --package-path bench/floor"
CLK_TCK=$(getconf CLK_TCK)
bench_begin

# shellcheck disable=SC2034  # MOTO_PORT and REDIS_PORT are read by bench/lib.sh
NGINX_PORT=$(free_port); MOTO_PORT=$(free_port); REDIS_PORT=$(free_port); GATEWAY_PORT=$(free_port)

log "# gateway load benchmark $STAMP"
log "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r)"
log "gateway: $GATEWAY_BIN ($(stat -c %s "$GATEWAY_BIN") bytes, built $(date -u -r "$GATEWAY_BIN" +%FT%TZ))"
log "wrk: $(wrk -v 2>&1 | head -1); load generator on CPU ${LOADGEN_CPU:-any}, servers on CPU ${SERVER_CPU:-any}, nginx on CPU ${UPSTREAM_CPU-${SERVER_CPU:-any}}"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

bench_build_openloop
bench_start_nginx
bench_start_backends

printf '%s' '{"messages":[{"role":"user","content":[{"text":"How do I reset my password?"}]}],"inferenceConfig":{"maxTokens":256}}' > "$WORK/body.json"
DIRECT_URL="http://127.0.0.1:$NGINX_PORT/model/amazon.titan-text-express-v1/converse"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/use-cases/UseCaseA/model/titan-text-express/converse"

# -- gateway ----------------------------------------------------------------------------------------------------
START_NS=$(date +%s%N)
bench_start_gateway "$GATEWAY_PORT" "http://127.0.0.1:$NGINX_PORT" "$WORK/gateway.log"
GATEWAY_PID=$SPAWNED
STARTUP=$(bench_pin "$LOADGEN_CPU" "$PYTHON" "$ROOT/bench/first_success.py" --url "$GATEWAY_URL" \
    --ready-url "http://127.0.0.1:$GATEWAY_PORT/ready" --body-file "$WORK/body.json" --token-file "$WORK/token" \
    --since-ns "$START_NS" --timeout 60) || { tail -40 "$WORK/gateway.log" >&2; bench_fail "the gateway never answered 200 (log above)"; }
log "startup: $STARTUP (exec -> /ready 200, exec -> first 200 Converse incl. cold JWKS, IdP token and STS fetch)"
log "gateway RSS after start-up: $(grep VmRSS /proc/"$GATEWAY_PID"/status | awk '{print $2, $3}')"

# The floors: name, then the environment that selects the variant.
FLOORS=()
declare -A FLOOR_PID FLOOR_URL
if [[ -n $FLOOR_BIN ]]; then
    for spec in "floor:" "floor-nio:FLOOR_CLIENT=nio" "floor-plain:FLOOR_CLIENT=nio FLOOR_SERVER=nio"; do
        name=${spec%%:*}
        read -ra variant <<<"${spec#*:}"
        port=$(free_port)
        bench_spawn "$SERVER_CPU" "$WORK/$name.log" env "${variant[@]}" "$FLOOR_BIN" "$port" "$DIRECT_URL"
        FLOOR_PID[$name]=$SPAWNED
        wait_port "$port" floor-proxy "$SPAWNED"
        FLOOR_URL[$name]="http://127.0.0.1:$port/model/amazon.titan-text-express-v1/converse"
        FLOORS+=("$name")
    done
    log "floor: $FLOOR_BIN (floor: AsyncHTTPClient upstream; floor-nio: FLOOR_CLIENT=nio; floor-plain: FLOOR_CLIENT=nio FLOOR_SERVER=nio)"
fi

# A few warm requests: credentials now come from L1.
for _ in 1 2 3 4 5; do
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $(cat "$WORK/token")" -H 'Content-Type: application/json' \
        --data-binary @"$WORK/body.json" "$GATEWAY_URL"
done
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "$DIRECT_URL"

# -- measurements -------------------------------------------------------------------------------------------------
ROWS=()
run_load() {  # target url connections delay_ms label [rate]: wrk (closed loop, or with a delay), or openloop at rate
    local target=$1 url=$2 connections=$3 delay=$4 label=$5 rate=${6:-} out="$WORK/load.out" rss sampler server_pid
    case $target in
        direct) server_pid=$NGINX_PID ;;
        gateway) server_pid=$GATEWAY_PID ;;
        *) server_pid=${FLOOR_PID[$target]} ;;
    esac
    local audit_from=0
    if [[ $target == gateway ]]; then audit_from=$(( $(wc -l < "$WORK/gateway.log") + 1 )); fi
    local ticks_before; ticks_before=$(bench_cpu_ticks "$server_pid")
    local load_pid
    log ""
    if [[ -n $rate ]]; then
        bench_openloop "$url" "$rate" "$RATE_CONNECTIONS" "$WORK/token" "$WORK/body.json" "$out"
        log "## $target $label: $OPENLOOP_COMMAND"
    else
        bench_wrk "$url" "$connections" "$delay" "$WORK/token" "$WORK/body.json" "$out"
        log "## $target $label: wrk $WRK_ARGS (delay ${delay} ms) $url"
    fi
    load_pid=$BG_PID
    # Every target is sampled alike, so the sampler's own (small) cost does not fall on one of them only.
    bench_sample_rss "$load_pid" "$server_pid" "$WORK/rss" &
    sampler=$!
    if [[ $target == gateway && -n ${PROFILE:-} && $label == max && $connections == "${CONNECTIONS##* }" ]] && command -v perf >/dev/null; then
        # perf: 5 s of call stacks from the gateway under the last max-throughput run.
        sleep 2
        perf record -F 999 -g -o "$WORK/perf.data" -p "$GATEWAY_PID" -- sleep 5 >"$WORK/perf-record.txt" 2>&1 || true
        perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
            | grep -v '^$' | head -400 > "$RESULTS_DIR/perf-gateway-$STAMP.txt" || true
        perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
            | grep -v '^$' | head -120 > "$RESULTS_DIR/perf-gateway-children-$STAMP.txt" || true
    fi
    # openloop exits 1 when a request failed; the row reports that (errors column).
    wait "$load_pid" || [[ -n $rate ]] || { cat "$out" >&2; bench_fail "wrk failed"; }
    local ticks_after; ticks_after=$(bench_cpu_ticks "$server_pid")
    wait "$sampler"; rss="$(( $(cat "$WORK/rss") / 1024 )) MB"
    cat "$out" >> "$RAW"
    local json row own="-"
    json=$(bench_wrk_json "$out")
    if [[ $target == gateway && $label != max ]]; then
        own=$(tail -n +"$audit_from" "$WORK/gateway.log" | "$PYTHON" "$ROOT/bench/audit_latency.py")
    fi
    row=$("$PYTHON" - "$json" "$target" "$label" "$connections" "$rss" "$(( ticks_after - ticks_before ))" "$CLK_TCK" "$own" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); target, label, conns, rss, ticks, hz, own = sys.argv[2:]
if "target_rps" in r:  # openloop: errors, answers never received, requests dropped behind a full backlog
    conns = f"≤ {r['connections']}"
    errors = f"{r['errors'] + r['missing']} (non-2xx {r['non_2xx']}, dropped {r['dropped']})"
else:
    errors = f"{sum(r[k] for k in ('err_connect', 'err_read', 'err_write', 'err_status', 'err_timeout'))} (status {r['err_status']})"
ms = lambda us: f"{us / 1000:.3f}"
answered = r.get("answered_with_warmup", r["requests"])  # the server's CPU time covers openloop's warm-up too
cpu = f"{int(ticks) / int(hz) * 1e6 / answered:.0f}" if answered else "-"
print(f"| {target} | {label} | {conns} | {r['rps']:.0f} | {ms(r['p50_us'])} | {ms(r['p90_us'])} | {ms(r['p99_us'])} "
      f"| {ms(r['p999_us'])} | {ms(r['max_us'])} | {errors} | {cpu} | {rss} | {own} |")
PY
)
    ROWS+=("$row")
    log "$row"
    [[ $label == max ]] || printf '%s\t%s\t%s\n' "$target" "${label%% r*}" "$json" >> "$WORK/rates.tsv"
}

run_every_target() {  # connections delay_ms label [rate]: direct first (rounds_summary.py pairs the others with it)
    run_load direct "$DIRECT_URL" "$@"
    run_load gateway "$GATEWAY_URL" "$@"
    local floor
    for floor in "${FLOORS[@]}"; do run_load "$floor" "${FLOOR_URL[$floor]}" "$@"; done
}

for connections in $CONNECTIONS; do
    run_every_target "$connections" 0 "max"
done
# wrk's delay() is per connection and in whole milliseconds, and the timer adds overhead, so a connection sends
# fewer than 1000/DELAY_MS requests per second: calibrate the connection count on the stand-in (3 s), then use the
# same count for both targets. The achieved rates are in the table.
calibrate() {  # rate -> connections
    local rate=$1 c0=$(( $1 * DELAY_MS / 1000 )) rps
    (( c0 < 1 )) && c0=1
    BENCH_TOKEN_FILE="$WORK/token" BENCH_BODY_FILE="$WORK/body.json" BENCH_DELAY_MS=$DELAY_MS \
        bench_pin "$LOADGEN_CPU" wrk -t1 -c"$c0" -d3s -s "$ROOT/bench/request.lua" "$DIRECT_URL" > "$WORK/calibrate.out" 2>&1
    rps=$(sed -n 's/^RESULT .*"rps":\([0-9.]*\).*/\1/p' "$WORK/calibrate.out")
    "$PYTHON" -c "import math,sys; print(max(1, round($c0 * $rate / max(float(sys.argv[1]), 1))))" "${rps:-0}"
}
for rate in $RATES; do
    if [[ $RATE_TOOL == wrk ]]; then
        connections=$(calibrate "$rate")
        log ""
        log "calibration: ~$rate/s needs $connections connections with a ${DELAY_MS} ms delay"
    fi
    for round in $(seq 1 "$ROUNDS"); do
        if [[ $RATE_TOOL == wrk ]]; then
            label="~$rate/s"
            (( ROUNDS > 1 )) && label="~$rate/s r$round"
            run_every_target "$connections" "$DELAY_MS" "$label"
        else
            label="$rate/s"
            (( ROUNDS > 1 )) && label="$rate/s r$round"
            run_every_target "-" 0 "$label" "$rate"
        fi
    done
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
    echo "| target | load | connections | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU µs/req | server max RSS | gateway's own p50 / p99 ms: total; without the upstream wait |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "gateway VmHWM after all runs: $(( HWM / 1024 )) MB"
    if (( ROUNDS > 1 )); then
        echo
        "$PYTHON" "$ROOT/bench/rounds_summary.py" < "$WORK/rates.tsv"
    fi
} > "$SUMMARY"
echo
cat "$SUMMARY"
echo "raw output: $RAW"
