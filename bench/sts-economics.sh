#!/usr/bin/env bash
# STS economics of several gateway replicas: how many STS calls a fleet makes, and whether any request waits on
# STS once the cache is warm.
#
#   bench/sts-economics.sh                         # uses .build/release/gateway (build it first, see BENCHMARKS.md)
#   GATEWAY_BIN=/path/to/gateway STEADY_SECONDS=60 LIFETIME=90 bench/sts-economics.sh   # a short run
#
# Starts on free loopback ports, and stops on exit (trap): nginx (fixed Converse answer, the Bedrock stand-in),
# moto_server (STS) behind bench/sts_proxy.py (the suite's counting proxy, one listener per replica, credential
# Expiration rewritten to now + LIFETIME), one redis-server, the suite's OIDC issuer, and REPLICAS gateway
# processes sharing that Redis and that STS. Then (bench/sts_economics.py):
#   1. cold burst: BURST concurrent requests on every replica at the same moment (REPLICAS x BURST in flight);
#   2. steady traffic: STEADY_SECONDS at RATE requests/s in total, round-robin over the replicas;
# and writes RESULTS_DIR/sts-economics-<UTC stamp>.md (report) and .txt (raw figures): STS calls per role
# against the expected count (one for the cold burst, then one per refresh, whatever the replica count), the
# timeline of STS calls and which replica made each, requests per phase by credential-cache layer, latencies,
# errors. Exits 1 when a check fails (the report is still written).
#
# The gateway's credential broker refreshes a credential max(300 s, 20% of its lifetime) before it expires, but
# never before halfway through its usable window (lifetime minus the 60 s expiry margin). The default LIFETIME of
# 120 s therefore refreshes every 30 s: 8 refreshes in the 4-minute steady phase.
#
# Environment: GATEWAY_BIN, REPLICAS (4), BURST (200), STEADY_SECONDS (240), RATE (200, requests/s in total),
# LIFETIME (120), GAP (2, quiet seconds between phases), RESULTS_DIR (bench/results), PYTHON (.venv/bin/python
# when present, else python3; needs moto).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/.build/release/gateway}
REPLICAS=${REPLICAS:-4}
BURST=${BURST:-200}
STEADY_SECONDS=${STEADY_SECONDS:-240}
RATE=${RATE:-200}
LIFETIME=${LIFETIME:-120}
GAP=${GAP:-2}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi
export PYTHONDONTWRITEBYTECODE=1
# bench/lib.sh: the nginx stand-in and wait_port. This script keeps its own cleanup (it must also stop gateways
# a failed runner left behind), so it does not call bench_begin.
# shellcheck disable=SC2034  # read by bench/lib.sh
BENCH_NAME=sts-economics SERVER_CPU=""
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"

for tool in nginx redis-server "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "sts-economics.sh: $tool is missing (apt-get install nginx redis-server)" >&2; exit 1; }
done
"$PYTHON" -c 'import moto.server' 2>/dev/null || { echo "sts-economics.sh: $PYTHON cannot import moto (pip install 'moto[server]')" >&2; exit 1; }
[[ -x $GATEWAY_BIN ]] || {
    echo "sts-economics.sh: no gateway at $GATEWAY_BIN; build it: swift build -c release --static-swift-stdlib --product gateway" >&2
    exit 1
}

WORK=$(mktemp -d /tmp/gateway-sts-economics.XXXXXX)
mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$RESULTS_DIR/sts-economics-$STAMP.txt"
SUMMARY="$RESULTS_DIR/sts-economics-$STAMP.md"
PIDS=()
RUNNER_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $RUNNER_PID ]]; then  # the runner stops its gateways itself
        kill "$RUNNER_PID" 2>/dev/null || true
        wait "$RUNNER_PID" 2>/dev/null || true
    fi
    if [[ -s $WORK/gateway.pids ]]; then  # gateways left by a runner that could not stop them
        while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$WORK/gateway.pids"
        sleep 1
        while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$WORK/gateway.pids"
    fi
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if (( status != 0 )); then  # keep the component logs of a failed run (only the end of the audit logs)
        local kept_logs="$RESULTS_DIR/logs-sts-economics-$STAMP"
        mkdir -p "$kept_logs"
        cp "$WORK"/*.log "$WORK"/*.stderr "$WORK/sts-calls.jsonl" "$kept_logs/" 2>/dev/null || true
        for out in "$WORK"/gateway-*.stdout; do
            [[ -e $out ]] && tail -n 500 "$out" > "$kept_logs/$(basename "$out").tail"
        done
        echo "sts-economics.sh: component logs in $kept_logs" >&2
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() {  # count: that many distinct free loopback ports
    "$PYTHON" -c 'import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))' "$1"
}
read -r NGINX_PORT MOTO_PORT REDIS_PORT GATEWAY_PORT_LIST < <(free_ports $(( 3 + REPLICAS )) | sed 's/ /,/4g')

COMMAND="GATEWAY_BIN=$GATEWAY_BIN REPLICAS=$REPLICAS BURST=$BURST STEADY_SECONDS=$STEADY_SECONDS RATE=$RATE LIFETIME=$LIFETIME GAP=$GAP bench/sts-economics.sh"
{
    echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r)"
    echo "gateway: $GATEWAY_BIN ($(stat -c %s "$GATEWAY_BIN") bytes, built $(date -u -r "$GATEWAY_BIN" +%FT%TZ))"
    echo "tools: $("$PYTHON" --version 2>&1), moto $("$PYTHON" -c 'import moto; print(moto.__version__)'), $(redis-server --version | cut -d' ' -f1-3), $(nginx -v 2>&1 | sed 's/^nginx version: //'); no CPU pinning"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$WORK/header.txt"
cat "$WORK/header.txt"

# -- upstream stand-in: nginx answering a fixed Converse response (bench/lib.sh) -------------------------------
bench_start_nginx

# -- STS (moto behind the counting proxy), Redis, OIDC issuer ---------------------------------------------------
"$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!); wait_port "$MOTO_PORT" moto_server "${PIDS[-1]}"
"$PYTHON" "$ROOT/bench/sts_proxy.py" --target "http://127.0.0.1:$MOTO_PORT" --replicas "$REPLICAS" \
    --lifetime "$LIFETIME" --calls "$WORK/sts-calls.jsonl" --ports "$WORK/sts-proxy.json" >"$WORK/sts-proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do [[ -s $WORK/sts-proxy.json ]] && break; sleep 0.1; done
[[ -s $WORK/sts-proxy.json ]] || { echo "sts-economics.sh: the STS proxy did not start:" >&2; cat "$WORK/sts-proxy.log" >&2; exit 1; }
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --maxclients 10000 \
    >"$WORK/redis.log" 2>&1 &
PIDS+=($!); wait_port "$REDIS_PORT" redis-server "${PIDS[-1]}"
"$PYTHON" "$ROOT/bench/bench_issuer.py" --out "$WORK/issuer.json" >"$WORK/issuer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do [[ -s $WORK/issuer.json ]] && break; sleep 0.1; done
[[ -s $WORK/issuer.json ]] || { echo "sts-economics.sh: the OIDC issuer did not start:" >&2; cat "$WORK/issuer.log" >&2; exit 1; }

# -- the replicas, the load, the report -------------------------------------------------------------------------
"$PYTHON" "$ROOT/bench/sts_economics.py" \
    --work "$WORK" --gateway-bin "$GATEWAY_BIN" --catalog "$ROOT/policies/catalog.yaml" \
    --issuer-json "$WORK/issuer.json" --proxy-ports "$WORK/sts-proxy.json" --calls "$WORK/sts-calls.jsonl" \
    --nginx-port "$NGINX_PORT" --redis-port "$REDIS_PORT" --gateway-ports "$GATEWAY_PORT_LIST" \
    --burst "$BURST" --steady-seconds "$STEADY_SECONDS" --rate "$RATE" --lifetime "$LIFETIME" --gap "$GAP" \
    --raw "$RAW" --summary "$SUMMARY" --command "$COMMAND" --header "$WORK/header.txt" &
RUNNER_PID=$!
status=0
wait "$RUNNER_PID" || status=$?
RUNNER_PID=""
[[ -s $SUMMARY ]] && echo "report: $SUMMARY" && echo "raw output: $RAW"
exit "$status"
