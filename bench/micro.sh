#!/usr/bin/env bash
# Micro-benchmarks: runs gateway-microbench with allocation counting, Redis and moto's STS on free loopback ports.
#
#   bench/micro.sh                              # uses .build/release/gateway-microbench
#   MICROBENCH_BIN=/path/gateway-microbench DURATION=2 bench/micro.sh [--filter TEXT]
#
# Build first: swift build -c release --static-swift-stdlib --product gateway-microbench
# The benchmark runs on BENCH_CPU, redis-server and moto on SERVER_CPU (taskset). Every process it starts is
# stopped on exit. Results go to bench/results/micro-<UTC time>.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MICROBENCH_BIN=${MICROBENCH_BIN:-$ROOT/.build/release/gateway-microbench}
DURATION=${DURATION:-2}
BENCH_CPU=${BENCH_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
PYTHON=${PYTHON:-python3}

[[ -x $MICROBENCH_BIN ]] || {
    echo "micro.sh: no binary at $MICROBENCH_BIN; build it: swift build -c release --static-swift-stdlib --product gateway-microbench" >&2
    exit 1
}
WORK=$(mktemp -d /tmp/gateway-micro.XXXXXX)
PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT INT TERM
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 1 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || { echo "micro.sh: $2 exited before listening on $1" >&2; return 1; }
        sleep 0.1
    done
    echo "micro.sh: $2 did not listen on $1 within 60 s" >&2; return 1
}

cc -O2 -shared -fPIC -o "$WORK/malloc_count.so" "$ROOT/bench/malloc_count.c" -ldl

REDIS_PORT=$(free_port); MOTO_PORT=$(free_port)
taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    >"$WORK/redis.log" 2>&1 &
PIDS+=($!); wait_port "$REDIS_PORT" redis-server "${PIDS[-1]}"
taskset -c "$SERVER_CPU" "$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!); wait_port "$MOTO_PORT" moto_server "${PIDS[-1]}"

mkdir -p "$RESULTS_DIR"
OUT="$RESULTS_DIR/micro-$(date -u +%Y%m%dT%H%M%SZ).md"
{
    echo "# gateway-microbench $(date -u +%FT%TZ)"
    echo
    echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r);" \
        "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "binary: $MICROBENCH_BIN; benchmark on CPU $BENCH_CPU, redis/moto on CPU $SERVER_CPU; duration ${DURATION}s each"
    echo
} > "$OUT"
LD_PRELOAD="$WORK/malloc_count.so" taskset -c "$BENCH_CPU" "$MICROBENCH_BIN" --duration "$DURATION" \
    --redis-url "redis://127.0.0.1:$REDIS_PORT" --sts-endpoint "http://127.0.0.1:$MOTO_PORT" "$@" | tee -a "$OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
echo "results: $OUT"
