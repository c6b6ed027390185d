# shellcheck shell=bash disable=SC2034  # SC2034: the globals set here are read by the sourcing scripts
# Shared parts of the load benchmarks (bench/load.sh, bench/compare.sh). Source it, do not run it.
#
# The sourcing script sets ROOT (repository root), BENCH_NAME (prefix of messages, of the temporary directory and
# of the result files), RESULTS_DIR, PYTHON, GATEWAY_BIN, LOADGEN_CPU and SERVER_CPU (a CPU list for taskset; empty
# means no pinning), optionally UPSTREAM_CPU (where nginx runs; SERVER_CPU when unset), then calls bench_begin. Components listen on free loopback ports; every file they write goes
# to WORK (a mktemp directory under /tmp, also TMPDIR of every child). The EXIT/INT/TERM trap stops every process
# the script started (servers, their worker children, load generators, samplers) and removes WORK; after a failure
# it keeps the tail of each component log, with secrets removed, in RESULTS_DIR/logs-STAMP.

PIDS=()          # servers in start order; bench_cleanup stops them in reverse order
SECRETS=()       # strings that must never reach RESULTS_DIR
SPAWNED=""       # pid of the last bench_spawn
BG_PID=""        # pid of the last background load generator

bench_fail() { echo "$BENCH_NAME: $*" >&2; exit 1; }

# bench_require TOOL:DEBIAN_PACKAGE...: fails naming every missing tool and the package that installs it.
bench_require() {
    local spec tool missing=()
    for spec in "$@"; do
        tool=${spec%%:*}
        command -v "$tool" >/dev/null || missing+=("  $tool: apt-get install -y ${spec#*:}")
    done
    (( ${#missing[@]} == 0 )) || bench_fail "missing tools:$(printf '\n%s' "${missing[@]}")"
}

# bench_begin: STAMP, WORK, RAW (raw output) and SUMMARY (markdown) file names, the cleanup trap.
bench_begin() {
    STAMP=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$RESULTS_DIR"
    RAW="$RESULTS_DIR/$BENCH_NAME-$STAMP.txt"
    SUMMARY="$RESULTS_DIR/$BENCH_NAME-$STAMP.md"
    WORK=$(mktemp -d "/tmp/gateway-$BENCH_NAME.XXXXXX")
    export TMPDIR=$WORK PYTHONDONTWRITEBYTECODE=1
    trap 'bench_cleanup' EXIT
    trap 'bench_cleanup 130' INT
    trap 'bench_cleanup 143' TERM
}

log() { echo "$*" | tee -a "$RAW"; }

# bench_descendants PID: the pids of all descendants of PID (children first).
bench_descendants() {
    local file child children
    for file in /proc/"$1"/task/*/children; do
        [[ -r $file ]] || continue
        read -ra children 2>/dev/null < "$file" || true
        for child in "${children[@]}"; do
            echo "$child"
            bench_descendants "$child"
        done
    done
}

bench_alive() {  # PID: running and not a zombie
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# bench_stop PID...: SIGTERM to each PID and all its descendants (collected first, so worker children are not
# lost when their parent exits), up to 10 s to exit, then SIGKILL; reaps direct children; drops them from PIDS.
bench_stop() {
    local pid victims=() left keep=()
    for pid in "$@"; do
        victims+=("$pid")
        mapfile -t -O "${#victims[@]}" victims < <(bench_descendants "$pid")
    done
    (( ${#victims[@]} > 0 )) || return 0
    kill -TERM "${victims[@]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
        left=0
        for pid in "${victims[@]}"; do bench_alive "$pid" && left=1 && break; done
        (( left == 0 )) && break
        sleep 0.1
    done
    for pid in "${victims[@]}"; do
        if bench_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        [[ " $* " == *" $pid "* ]] || keep+=("$pid")
    done
    PIDS=("${keep[@]}")
}

bench_cleanup() {
    local status=${1:-$?} i others=() pid
    trap - EXIT INT TERM
    for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do bench_stop "${PIDS[i]}"; done
    # Whatever else this script still runs: load generators and samplers interrupted mid-run.
    mapfile -t others < <(bench_descendants "$$")
    for pid in "${others[@]}"; do
        if bench_alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    if (( status != 0 )) && [[ -n ${WORK:-} && -d $WORK ]]; then
        bench_keep_logs
    fi
    [[ -n ${WORK:-} ]] && rm -rf "$WORK"
    exit "$status"
}

# Keeps the last 400 lines of each component log of a failed run (the gateway's audit log is large), secrets removed.
bench_keep_logs() {
    local file text secret dir="$RESULTS_DIR/logs-$STAMP"
    mkdir -p "$dir"
    for file in "$WORK"/*.log; do
        [[ -f $file ]] || continue
        text=$(tail -n 400 "$file")
        for secret in "${SECRETS[@]}"; do [[ -n $secret ]] && text=${text//"$secret"/<redacted>}; done
        printf '%s\n' "$text" > "$dir/$(basename "$file")"
    done
    echo "$BENCH_NAME: component logs in $dir" >&2
}

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # PORT WHAT PID
    for _ in $(seq 1 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || { echo "$BENCH_NAME: $2 exited before listening on $1" >&2; return 1; }
        sleep 0.1
    done
    echo "$BENCH_NAME: $2 did not listen on $1 within 60 s" >&2
    return 1
}

# bench_pin CPU CMD...: runs CMD in the foreground, pinned to CPU unless CPU is empty.
bench_pin() {
    local cpu=$1; shift
    if [[ -n $cpu ]]; then taskset -c "$cpu" "$@"; else "$@"; fi
}

# bench_spawn CPU LOG CMD...: starts CMD in the background (pinned unless CPU is empty), output to LOG; records
# its pid in SPAWNED and PIDS.
bench_spawn() {
    local cpu=$1 log=$2; shift 2
    if [[ -n $cpu ]]; then
        taskset -c "$cpu" "$@" >"$log" 2>&1 &
    else
        "$@" >"$log" 2>&1 &
    fi
    SPAWNED=$!
    PIDS+=("$SPAWNED")
}

# The stand-in's fixed Converse answer (the text is what bench/compare.sh checks each target returns).
STANDIN_TEXT="stand-in reply from amazon.titan-text-express-v1 via converse"
STANDIN_JSON='{"output":{"message":{"role":"assistant","content":[{"text":"'"$STANDIN_TEXT"'"}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":8,"totalTokens":20},"metrics":{"latencyMs":7}}'

# bench_start_nginx: the upstream stand-in on NGINX_PORT: POST /model/*/converse answers STANDIN_JSON.
# Optional: NGINX_STREAM_FILE (POST /model/*/converse-stream answers that file as application/vnd.amazon.eventstream);
# NGINX_DELAY_PORT (a second server whose converse answer waits NGINX_DELAY_MS, default 50, through the echo module).
bench_start_nginx() {
    local conf="$WORK/nginx/nginx.conf" user_line="" module_line="" stream="" delayed=""
    mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
    chmod -R 777 "$WORK/nginx"
    [[ $(id -u) == 0 ]] && user_line="user root;"
    if [[ -n ${NGINX_STREAM_FILE:-} ]]; then
        # nginx's static module refuses POST (405); the error page turns it into an internal GET of the file.
        stream="
        location ~ ^/model/[^/]+/converse-stream\$ {
            error_page 405 =200 /_converse-stream;
            return 405;
        }
        location = /_converse-stream {
            internal;
            types { }
            default_type application/vnd.amazon.eventstream;
            alias $NGINX_STREAM_FILE;
        }"
    fi
    if [[ -n ${NGINX_DELAY_PORT:-} ]]; then
        local module=${NGINX_ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}
        [[ -f $module ]] || bench_fail "no nginx echo module at $module (apt-get install -y libnginx-mod-http-echo)"
        module_line="load_module $module;"
        delayed="
    server {
        listen 127.0.0.1:$NGINX_DELAY_PORT;
        location ~ ^/model/[^/]+/converse\$ {
            default_type application/json;
            echo_sleep $(awk -v ms="${NGINX_DELAY_MS:-50}" 'BEGIN { printf "%.3f", ms / 1000 }');
            echo -n '$STANDIN_JSON';
        }
        location / { return 404; }
    }"
    fi
    cat > "$conf" <<NGINX
$user_line
$module_line
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
            return 200 '$STANDIN_JSON';
        }$stream
        location / { return 404; }
    }$delayed
}
NGINX
    bench_spawn "${UPSTREAM_CPU-$SERVER_CPU}" "$WORK/nginx-stdout.log" nginx -p "$WORK/nginx" -c "$conf" -g 'daemon off;'
    NGINX_PID=$SPAWNED
    wait_port "$NGINX_PORT" nginx "$NGINX_PID"
    [[ -z ${NGINX_DELAY_PORT:-} ]] || wait_port "$NGINX_DELAY_PORT" "nginx (delayed server)" "$NGINX_PID"
}

# bench_start_backends: moto (STS) on MOTO_PORT, redis-server on REDIS_PORT, the suite's OIDC issuer; the caller
# token in $WORK/token; ISSUER_JWKS_URL, ISSUER_TOKEN_URL, ISSUER_CLIENT_ID, ISSUER_CLIENT_SECRET; CACHE_KEY.
bench_start_backends() {
    bench_spawn "$SERVER_CPU" "$WORK/moto.log" "$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT"
    wait_port "$MOTO_PORT" moto_server "$SPAWNED"
    # moto loads its STS backend on the first STS call (0.2 s and more here); AWS STS has no such cold start, so
    # make that call now, not in the gateway's start-up time. moto does not check the token.
    "$PYTHON" - "$MOTO_PORT" <<'PY' || bench_fail "moto did not answer an STS call"
import sys, urllib.parse, urllib.request
body = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
    "RoleArn": "arn:aws:iam::123456789012:role/warm-up", "RoleSessionName": "warm-up",
    "WebIdentityToken": "e30.e30.c2ln"}).encode()
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/", data=body,
    headers={"Content-Type": "application/x-www-form-urlencoded"})
urllib.request.urlopen(request, timeout=30).read()
PY
    bench_spawn "$SERVER_CPU" "$WORK/redis.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" \
        --appendonly no
    wait_port "$REDIS_PORT" redis-server "$SPAWNED"
    bench_spawn "$SERVER_CPU" "$WORK/issuer.log" "$PYTHON" "$ROOT/bench/bench_issuer.py" --out "$WORK/issuer.json"
    for _ in $(seq 1 300); do [[ -s $WORK/issuer.json ]] && break; sleep 0.1; done
    [[ -s $WORK/issuer.json ]] || { cat "$WORK/issuer.log" >&2; bench_fail "the OIDC issuer did not start"; }
    local fields
    mapfile -t fields < <("$PYTHON" -c 'import json, sys
issuer = json.load(open(sys.argv[1]))
for key in ("jwks_url", "token_url", "client_id", "client_secret", "caller_token"):
    print(issuer[key])' "$WORK/issuer.json")
    ISSUER_JWKS_URL=${fields[0]} ISSUER_TOKEN_URL=${fields[1]} ISSUER_CLIENT_ID=${fields[2]}
    ISSUER_CLIENT_SECRET=${fields[3]}
    (umask 077; printf '%s\n' "${fields[4]}" > "$WORK/token")
    CACHE_KEY=$(head -c 32 /dev/urandom | base64)
    SECRETS+=("$ISSUER_CLIENT_SECRET" "${fields[4]}" "$CACHE_KEY")
}

# bench_start_gateway PORT UPSTREAM_URL LOG: the gateway (on SERVER_CPU) in front of UPSTREAM_URL, with STS at
# moto, the credential cache in Redis and caller auth against the issuer; stdout (audit log) to LOG; pid in SPAWNED.
bench_start_gateway() {
    bench_spawn "$SERVER_CPU" "$3" env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG=C.UTF-8 TMPDIR="$WORK" \
        GATEWAY_LISTEN="127.0.0.1:$1" \
        GATEWAY_CATALOG="$ROOT/policies/catalog.yaml" \
        GATEWAY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
        GATEWAY_CACHE_KEY="$CACHE_KEY" \
        GATEWAY_INBOUND_AUDIENCE=acme-genai-apps \
        GATEWAY_GROUPS_CLAIM=groups \
        GATEWAY_IDP_JWKS_URL="$ISSUER_JWKS_URL" \
        GATEWAY_IDP_TOKEN_URL="$ISSUER_TOKEN_URL" \
        GATEWAY_CLIENT_ID="$ISSUER_CLIENT_ID" \
        GATEWAY_CLIENT_SECRET="$ISSUER_CLIENT_SECRET" \
        GATEWAY_STS_ENDPOINT="http://127.0.0.1:$MOTO_PORT" \
        GATEWAY_BEDROCK_ENDPOINT="$2" \
        "$GATEWAY_BIN"
}

# bench_rss_tree_kb PID: VmRSS of PID plus all its descendants, in kB (0 once it is gone; bench/rss_sampler.py).
bench_rss_tree_kb() {
    "$PYTHON" "$ROOT/bench/rss_sampler.py" "$1"
}

# bench_cpu_ticks PID: user + system CPU time of PID and all its descendants, in clock ticks (getconf CLK_TCK).
bench_cpu_ticks() {
    local total=0 pid fields
    for pid in "$1" $(bench_descendants "$1"); do
        # Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
        fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a parts <<< "$fields"
        total=$(( total + parts[11] + parts[12] ))
    done
    echo "$total"
}

# bench_sample_rss WATCH_PID TARGET_PID OUT: while WATCH_PID runs, samples the VmRSS of TARGET_PID and its
# descendants every 200 ms (bench/rss_sampler.py, on LOADGEN_CPU, never on the servers' CPU); writes the maximum (kB)
# to OUT.
bench_sample_rss() {
    bench_pin "$LOADGEN_CPU" "$PYTHON" "$ROOT/bench/rss_sampler.py" "$1" "$2" "$3"
}

# bench_wrk URL CONNECTIONS DELAY_MS TOKEN_FILE BODY_FILE OUT: starts wrk (LOADGEN_CPU, WRK_THREADS threads at most,
# DURATION, bench/request.lua) in the background, output to OUT, pid in BG_PID; the command line in WRK_COMMAND
# (WRK_ARGS: threads, connections, duration).
bench_wrk() {
    local url=$1 connections=$2 delay=$3 threads=${WRK_THREADS:-2}
    (( connections < threads )) && threads=$connections
    WRK_ARGS="-t$threads -c$connections -d$DURATION"
    WRK_COMMAND="wrk $WRK_ARGS --latency --timeout 5s -s bench/request.lua $url"
    BENCH_TOKEN_FILE=$4 BENCH_BODY_FILE=$5 BENCH_DELAY_MS=$delay \
        bench_pin "$LOADGEN_CPU" wrk -t"$threads" -c"$connections" -d"$DURATION" --latency --timeout 5s \
        -s "$ROOT/bench/request.lua" "$url" > "$6" 2>&1 &
    BG_PID=$!
}

# bench_build_openloop: compiles bench/openloop.c (the constant-rate load generator) to $WORK/openloop.
bench_build_openloop() {
    OPENLOOP_BIN="$WORK/openloop"
    gcc -O2 -Wall -Wextra -o "$OPENLOOP_BIN" "$ROOT/bench/openloop.c" || bench_fail "could not build bench/openloop.c with gcc"
}

# bench_seconds DURATION: wrk's duration syntax (10s, 2m, or plain seconds) in seconds.
bench_seconds() {
    case $1 in
        *m) echo $(( ${1%m} * 60 )) ;;
        *s) echo "${1%s}" ;;
        *) echo "$1" ;;
    esac
}

# bench_openloop URL RATE MAX_CONNECTIONS TOKEN_FILE BODY_FILE OUT: starts openloop (LOADGEN_CPU, OPENLOOP_WARMUP
# seconds discarded (1), then DURATION measured) in the background, output to OUT, pid in BG_PID; the command line in
# OPENLOOP_COMMAND (the token file's path, never the token).
bench_openloop() {
    local url=$1 rate=$2 connections=$3 token=$4 body=$5 out=$6 seconds
    seconds=$(bench_seconds "$DURATION")
    local args=(-r "$rate" -d "$seconds" -w "${OPENLOOP_WARMUP:-1}" -c "$connections" -m POST
        -H "Content-Type: application/json" -b "$body" -T "$token" "$url")
    OPENLOOP_COMMAND="openloop ${args[*]}"
    bench_pin "$LOADGEN_CPU" "$OPENLOOP_BIN" "${args[@]}" > "$out" 2>&1 &
    BG_PID=$!
}

# bench_wrk_json OUT: the JSON of request.lua's (or openloop's) RESULT line (fails if there is none).
bench_wrk_json() {
    local json
    json=$(sed -n 's/^RESULT //p' "$1")
    [[ -n $json ]] || { cat "$1" >&2; bench_fail "wrk printed no RESULT line"; }
    echo "$json"
}
