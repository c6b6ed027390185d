#!/usr/bin/env bash
# The gateway's micro-benchmarks under ordo-one's package-benchmark (Benchmarks/GatewayBenchmarks): time and
# allocations per operation, with Redis (L2 lookups) and moto's STS (cold fetch) on free
# loopback ports.
#
#   bench/package-benchmark.sh                   # every benchmark; report in bench/results/package-benchmark-<time>.md
#   bench/package-benchmark.sh --filter 'SigV4.*'  # arguments go to `swift package benchmark` (see its `help`)
#
# The target exists only with GATEWAY_BENCHMARKS set (see the end of Package.swift), so normal builds neither fetch
# nor build package-benchmark; the first run builds it and the project in release (a few minutes). Redis and moto
# run on SERVER_CPU, the benchmarks on BENCH_CPU (taskset; empty: no pinning). Every process started is stopped
# on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2034  # read by bench/lib.sh
BENCH_NAME=package-benchmark
BENCH_CPU=${BENCH_CPU-0}
SERVER_CPU=${SERVER_CPU-1}
# shellcheck disable=SC2034  # read by bench/lib.sh
LOADGEN_CPU=$BENCH_CPU
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
PYTHON=${PYTHON:-python3}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"

bench_require swift:swift redis-server:redis-server "$PYTHON:python3"
[[ -z $BENCH_CPU && -z $SERVER_CPU ]] || bench_require taskset:util-linux
bench_begin
# shellcheck disable=SC2034  # MOTO_PORT and REDIS_PORT are read by bench/lib.sh
MOTO_PORT=$(free_port); REDIS_PORT=$(free_port)
bench_start_backends

log "# package-benchmark $STAMP"
log "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r)"
log "command: GATEWAY_BENCHMARKS=1 swift package --disable-sandbox benchmark --target GatewayBenchmarks --format markdown $*"
cd "$ROOT"
# The plugin builds in release, then runs the suite; the markdown tables go to standard output.
GATEWAY_BENCHMARKS=1 BENCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" BENCH_STS_ENDPOINT="http://127.0.0.1:$MOTO_PORT" \
    bench_pin "$BENCH_CPU" swift package --disable-sandbox benchmark --target GatewayBenchmarks --format markdown \
    --no-progress "$@" 2>&1 | tee -a "$RAW"
status=${PIPESTATUS[0]}
(( status == 0 )) || bench_fail "swift package benchmark failed (exit $status; output above)"
{
    echo "# package-benchmark $STAMP"
    echo
    sed -n '2,3p' "$RAW"
    echo
    sed -n '/^## /,$p' "$RAW"
} > "$SUMMARY"
echo "report: $SUMMARY"
