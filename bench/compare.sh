#!/usr/bin/env bash
# Side-by-side load benchmark: the upstream stand-in directly, the gateway in front of it, and LiteLLM's proxy in
# front of it, measured in alternation in one run on the same machine.
#
#   bench/compare.sh                                   # full run, about 10 minutes (plus LiteLLM's install once)
#   SKIP_LITELLM=1 DURATION=3s TTFB_REQUESTS=60 bench/compare.sh     # quick run: direct and gateway only
#
# Starts on free loopback ports, and stops on exit (trap, including LiteLLM's worker processes):
#   - nginx: POST /model/*/converse answers a fixed Converse JSON; POST /model/*/converse-stream answers a fixed
#     application/vnd.amazon.eventstream body (real frames with CRCs, written by bench/standin_stream.py); a second
#     server answers Converse after DELAY_MS (echo module, libnginx-mod-http-echo);
#   - moto_server (STS), redis-server, the suite's OIDC issuer (bench/bench_issuer.py: caller JWT for alice);
#   - the gateway (as bench/load.sh starts it) in front of nginx, and a second one in front of the delayed server;
#   - LiteLLM's proxy (bench/litellm/requirements.txt, installed into .venv-litellm if missing) with two models on
#     the Bedrock Converse route: one at nginx, one at the delayed server (aws_bedrock_runtime_endpoint, static
#     dummy AWS keys, us-east-1), master key on, everything else at LiteLLM's defaults.
# Before measuring, bench/probe.py checks that every target answers 200 with the stand-in's text (plain, streaming
# and delayed) and that both proxies refuse a request without credentials; the run fails otherwise.
# Then, each step for every target in turn (direct, gateway, LiteLLM):
#   - start-up: exec to the first request answered 200 (gateway, LiteLLM);
#   - max throughput and its latency: wrk, closed loop, for each of CONNECTIONS;
#   - latency at fixed rates: bench/openloop.c (built here with gcc), RATES: request i sent at start + i/rate on
#     kept-alive connections (at most RATE_CONNECTIONS), latency counted from when it was due, requests beyond
#     half a second of backlog dropped (a target that cannot keep up is marked "not sustained");
#   - resident memory under load: the gateway's VmRSS, the sum over LiteLLM's process tree, every 200 ms;
#   - streaming time to first byte: TTFB_REQUESTS sequential requests per target (bench/probe.py ttfb);
#   - the delayed upstream: openloop at DELAY_RATES.
# Output: RESULTS_DIR/compare-STAMP.txt (raw output of every tool run) and compare-STAMP.md (machine, versions,
# commands, tables, ratios gateway/direct and gateway/LiteLLM).
#
# Environment (defaults): GATEWAY_BIN (.build/release/gateway), DURATION (20s, per run), WARMUP (3s),
# CONNECTIONS ("16 64"), RATES ("25 500 1000 2000"), RATE_CONNECTIONS (64), TTFB_REQUESTS (300), TTFB_ROUNDS (3),
# DELAY_MS (50), DELAY_RATES ("25 500"), WRK_THREADS (2), LOADGEN_CPU and SERVER_CPU
# (taskset CPU lists for load generators and servers; empty, the default: no pinning), SKIP_LITELLM (1: direct and
# gateway only), LITELLM_WORKERS (empty: LiteLLM's default), LITELLM_VENV (.venv-litellm), RESULTS_DIR
# (bench/results), PYTHON (python3, with moto and joserfc). An empty CONNECTIONS, RATES or DELAY_RATES, or
# TTFB_REQUESTS=0, skips that part.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2034  # read by bench/lib.sh
BENCH_NAME=compare
GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/.build/release/gateway}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS-"16 64"}
RATES=${RATES-"25 500 1000 2000"}
RATE_CONNECTIONS=${RATE_CONNECTIONS:-64}
TTFB_REQUESTS=${TTFB_REQUESTS:-300}
TTFB_ROUNDS=${TTFB_ROUNDS:-3}
DELAY_MS=${DELAY_MS:-50}
DELAY_RATES=${DELAY_RATES-"25 500"}
WRK_THREADS=${WRK_THREADS:-2}
LOADGEN_CPU=${LOADGEN_CPU-}
SERVER_CPU=${SERVER_CPU-}
SKIP_LITELLM=${SKIP_LITELLM:-}
LITELLM_WORKERS=${LITELLM_WORKERS:-}
LITELLM_VENV=${LITELLM_VENV:-$ROOT/.venv-litellm}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
PYTHON=${PYTHON:-python3}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"

# -- checks -------------------------------------------------------------------------------------------------------
tools=(wrk:wrk gcc:gcc nginx:nginx redis-server:redis-server "$PYTHON:python3")
[[ -n $LOADGEN_CPU || -n $SERVER_CPU ]] && tools+=(taskset:util-linux)
bench_require "${tools[@]}"
[[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]] \
    || bench_fail "nginx's echo module is missing: apt-get install -y libnginx-mod-http-echo"
"$PYTHON" -c 'import moto, joserfc' 2>/dev/null \
    || bench_fail "$PYTHON lacks moto or joserfc: $PYTHON -m pip install 'moto[server]' joserfc"
[[ -x $GATEWAY_BIN ]] \
    || bench_fail "no gateway at $GATEWAY_BIN; build it: swift build -c release --static-swift-stdlib --product gateway"
for duration in "$DURATION" "$WARMUP"; do
    [[ $duration =~ ^[0-9]+[sm]$ ]] || bench_fail "DURATION and WARMUP need a unit: 20s, 2m"
done
for number in "$RATE_CONNECTIONS" "$TTFB_REQUESTS" "$TTFB_ROUNDS" "$DELAY_MS" $RATES $DELAY_RATES $CONNECTIONS; do
    [[ $number =~ ^[0-9]+$ ]] || bench_fail "not a whole number: $number"
done
(( TTFB_ROUNDS > 0 && RATE_CONNECTIONS > 0 )) || bench_fail "TTFB_ROUNDS and RATE_CONNECTIONS must be > 0"

bench_begin
bench_build_openloop
RESULTS="$WORK/results.jsonl"
report() { "$PYTHON" "$ROOT/bench/compare_report.py" "$@"; }
meta() { report add "$RESULTS" kind=meta "key=$1" "value=$2"; }
command_record() { report add "$RESULTS" kind=command "text=$1"; }

TARGETS=(direct gateway)
[[ -n $SKIP_LITELLM ]] || TARGETS+=(litellm)

# -- LiteLLM's virtualenv -----------------------------------------------------------------------------------------
if [[ -z $SKIP_LITELLM ]]; then
    want=$(sed -n 's/^litellm\[proxy\]==\([^ ]*\).*/\1/p' "$ROOT/bench/litellm/requirements.txt")
    have=$("$LITELLM_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null || true)
    if [[ $have != "$want" || ! -x $LITELLM_VENV/bin/litellm ]]; then
        echo "compare: installing LiteLLM $want into $LITELLM_VENV (pip; takes a minute or two)" >&2
        if [[ ! -x $LITELLM_VENV/bin/python ]]; then
            "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null \
                || bench_fail "$PYTHON cannot create a virtualenv: apt-get install -y python3-venv"
            "$PYTHON" -m venv "$LITELLM_VENV"
        fi
        "$LITELLM_VENV/bin/python" -m pip install --disable-pip-version-check -r "$ROOT/bench/litellm/requirements.txt" \
            -c "$ROOT/bench/litellm/constraints.txt" > "$WORK/pip.log" 2>&1 \
            || { tail -30 "$WORK/pip.log" >&2; bench_fail "installing LiteLLM failed (pip output above)"; }
    fi
fi

# -- header ---------------------------------------------------------------------------------------------------------
NGINX_PORT=$(free_port); NGINX_DELAY_PORT=$(free_port); MOTO_PORT=$(free_port); REDIS_PORT=$(free_port)
GATEWAY_PORT=$(free_port); DELAY_GATEWAY_PORT=$(free_port); LITELLM_PORT=$(free_port)
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
pin_text() { if [[ -n $1 ]]; then echo "CPU $1"; else echo "any CPU"; fi; }

log "# side-by-side load benchmark $STAMP"
meta stamp "$STAMP"
meta machine "$(nproc) CPUs (\`nproc\`), $(lscpu | sed -n 's/^Model name: *//p') (\`lscpu\`), kernel $(uname -r)"
meta memory "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
meta gateway "$GATEWAY_BIN ($(stat -c %s "$GATEWAY_BIN") bytes, modified $(date -u -r "$GATEWAY_BIN" +%FT%TZ), sha256 $(sha256sum "$GATEWAY_BIN" | cut -c1-16))"
meta nginx "$(nginx -v 2>&1 | sed 's/^nginx version: //') (Debian $(version_of nginx)), echo module $(version_of libnginx-mod-http-echo)"
meta wrk "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//') (Debian $(version_of wrk))"
meta openloop "bench/openloop.c (gcc $(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion))"
meta redis "$(redis-server --version | sed 's/ sha=.*//')"
meta moto "moto $("$PYTHON" -c 'import moto; print(moto.__version__)') (\`python -m moto.server\`)"
meta python "$("$PYTHON" --version 2>&1) (clients: bench/probe.py, bench/first_success.py)"
meta cpu_split "load generators (wrk, openloop, probe) on $(pin_text "$LOADGEN_CPU"); servers (nginx, gateway, LiteLLM, Redis, moto, issuer) on $(pin_text "$SERVER_CPU")"
meta settings "DURATION=$DURATION per run (warm-up $WARMUP per target), CONNECTIONS=\"$CONNECTIONS\", RATES=\"$RATES\" (openloop, at most $RATE_CONNECTIONS connections), TTFB_REQUESTS=$TTFB_REQUESTS in $TTFB_ROUNDS rounds, DELAY_MS=$DELAY_MS at DELAY_RATES=\"$DELAY_RATES\""
meta delay_ms "$DELAY_MS"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
invocation="GATEWAY_BIN=$GATEWAY_BIN DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=\"$CONNECTIONS\" RATES=\"$RATES\" RATE_CONNECTIONS=$RATE_CONNECTIONS TTFB_REQUESTS=$TTFB_REQUESTS TTFB_ROUNDS=$TTFB_ROUNDS DELAY_MS=$DELAY_MS DELAY_RATES=\"$DELAY_RATES\" WRK_THREADS=$WRK_THREADS LOADGEN_CPU=\"$LOADGEN_CPU\" SERVER_CPU=\"$SERVER_CPU\""
[[ -z $SKIP_LITELLM ]] || invocation+=" SKIP_LITELLM=1"
[[ -z $LITELLM_WORKERS ]] || invocation+=" LITELLM_WORKERS=$LITELLM_WORKERS"
meta invocation "$invocation bench/compare.sh"
skipped=()
[[ -n $SKIP_LITELLM ]] && skipped+=("LiteLLM (SKIP_LITELLM)")
[[ -n $CONNECTIONS ]] || skipped+=("max throughput (CONNECTIONS empty)")
[[ -n $RATES ]] || skipped+=("fixed rates (RATES empty)")
(( TTFB_REQUESTS > 0 )) || skipped+=("streaming TTFB (TTFB_REQUESTS=0)")
[[ -n $DELAY_RATES ]] || skipped+=("delayed upstream (DELAY_RATES empty)")
if (( ${#skipped[@]} > 0 )); then
    skipped_text=$(printf ', %s' "${skipped[@]}")
    meta skipped "${skipped_text:2}"
fi
report markdown "$RESULTS" | sed -n '/^| machine/,/^$/p' | tee -a "$RAW"

# -- upstream stand-in, STS, Redis, issuer ----------------------------------------------------------------------------
NGINX_STREAM_FILE="$WORK/converse-stream.bin"
STREAM_TEXT=$("$PYTHON" "$ROOT/bench/standin_stream.py" --out "$NGINX_STREAM_FILE")
NGINX_DELAY_MS=$DELAY_MS
bench_start_nginx
bench_start_backends
{ echo; echo "nginx.conf (<tmp> is the run's temporary directory):"; sed "s|$WORK|<tmp>|g" "$WORK/nginx/nginx.conf"; } >> "$RAW"

MODEL=amazon.titan-text-express-v1
printf '%s' '{"messages":[{"role":"user","content":[{"text":"How do I reset my password?"}]}],"inferenceConfig":{"maxTokens":256}}' > "$WORK/body.json"
openai_body() {  # model stream
    printf '{"model":"%s","messages":[{"role":"user","content":"How do I reset my password?"}],"max_tokens":256%s}' \
        "$1" "$([[ $2 == stream ]] && echo ',"stream":true')"
}
openai_body titan-text-express plain > "$WORK/openai.json"
openai_body titan-text-express stream > "$WORK/openai-stream.json"
openai_body titan-text-express-delayed plain > "$WORK/openai-delayed.json"

declare -A URL STREAM_URL DELAY_URL BODY STREAM_BODY DELAY_BODY TOKEN DIALECT SECRET_NAME
URL[direct]="http://127.0.0.1:$NGINX_PORT/model/$MODEL/converse"
STREAM_URL[direct]="http://127.0.0.1:$NGINX_PORT/model/$MODEL/converse-stream"
DELAY_URL[direct]="http://127.0.0.1:$NGINX_DELAY_PORT/model/$MODEL/converse"
URL[gateway]="http://127.0.0.1:$GATEWAY_PORT/use-cases/UseCaseA/model/titan-text-express/converse"
STREAM_URL[gateway]="http://127.0.0.1:$GATEWAY_PORT/use-cases/UseCaseA/model/titan-text-express/converse-stream"
DELAY_URL[gateway]="http://127.0.0.1:$DELAY_GATEWAY_PORT/use-cases/UseCaseA/model/titan-text-express/converse"
URL[litellm]="http://127.0.0.1:$LITELLM_PORT/chat/completions"
STREAM_URL[litellm]=${URL[litellm]}
DELAY_URL[litellm]=${URL[litellm]}
for target in direct gateway; do
    BODY[$target]="$WORK/body.json" STREAM_BODY[$target]="$WORK/body.json" DELAY_BODY[$target]="$WORK/body.json"
    TOKEN[$target]="$WORK/token" DIALECT[$target]=bedrock SECRET_NAME[$target]="<caller JWT>"
done
BODY[litellm]="$WORK/openai.json" STREAM_BODY[litellm]="$WORK/openai-stream.json"
DELAY_BODY[litellm]="$WORK/openai-delayed.json" TOKEN[litellm]="$WORK/litellm-key" DIALECT[litellm]=openai
SECRET_NAME[litellm]="<LiteLLM master key>"
declare -A RSS_PID=() DELAY_RSS_PID=()

first_success() {  # target url body token -> "ready_ms=… first_success_ms=…"
    bench_pin "$LOADGEN_CPU" "$PYTHON" "$ROOT/bench/first_success.py" --url "$2" --body-file "$3" --token-file "$4" \
        --since-ns "$START_NS" --timeout "${5:-60}" "${@:6}"
}
startup_record() {  # target "ready_ms=… first_success_ms=…" pid
    local ready first
    ready=$(sed -n 's/.*ready_ms=\([^ ]*\).*/\1/p' <<<"$2")
    first=$(sed -n 's/.*first_success_ms=\([^ ]*\).*/\1/p' <<<"$2")
    report add "$RESULTS" kind=startup "target=$1" "ready_ms=$ready" "first_success_ms=$first" \
        "rss_kb=$(bench_rss_tree_kb "$3")"
}

# -- the gateway (start-up measured), and a second one in front of the delayed server --------------------------------
log ""
START_NS=$(date +%s%N)
bench_start_gateway "$GATEWAY_PORT" "http://127.0.0.1:$NGINX_PORT" "$WORK/gateway.log"
RSS_PID[gateway]=$SPAWNED
STARTUP=$(first_success gateway "${URL[gateway]}" "$WORK/body.json" "$WORK/token" 60 \
    --ready-url "http://127.0.0.1:$GATEWAY_PORT/ready") \
    || { tail -40 "$WORK/gateway.log" >&2; bench_fail "the gateway never answered 200 (log above)"; }
log "gateway start-up: $STARTUP (exec -> /ready 200, exec -> first Converse 200 incl. cold JWKS, IdP token and STS)"
startup_record gateway "$STARTUP" "${RSS_PID[gateway]}"
command_record "nginx -p <tmp>/nginx -c nginx.conf -g 'daemon off;'  # config written by bench_start_nginx in bench/lib.sh"
command_record "env -i GATEWAY_LISTEN=127.0.0.1:$GATEWAY_PORT GATEWAY_BEDROCK_ENDPOINT=http://127.0.0.1:$NGINX_PORT GATEWAY_STS_ENDPOINT=http://127.0.0.1:$MOTO_PORT GATEWAY_REDIS_URL=redis://127.0.0.1:$REDIS_PORT GATEWAY_CATALOG=policies/catalog.yaml GATEWAY_INBOUND_AUDIENCE=acme-genai-apps GATEWAY_GROUPS_CLAIM=groups GATEWAY_IDP_JWKS_URL=$ISSUER_JWKS_URL GATEWAY_IDP_TOKEN_URL=$ISSUER_TOKEN_URL GATEWAY_CLIENT_ID=$ISSUER_CLIENT_ID GATEWAY_CLIENT_SECRET=<client secret> GATEWAY_CACHE_KEY=<random 32 bytes> $GATEWAY_BIN  # bench_start_gateway in bench/lib.sh; a second one on port $DELAY_GATEWAY_PORT in front of http://127.0.0.1:$NGINX_DELAY_PORT"
bench_start_gateway "$DELAY_GATEWAY_PORT" "http://127.0.0.1:$NGINX_DELAY_PORT" "$WORK/gateway-delayed.log"
DELAY_RSS_PID[gateway]=$SPAWNED
wait_port "$DELAY_GATEWAY_PORT" "gateway (delayed upstream)" "$SPAWNED"

# -- LiteLLM (start-up measured) ------------------------------------------------------------------------------------------
if [[ -z $SKIP_LITELLM ]]; then
    (umask 077; printf 'sk-bench-%s\n' "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" > "$WORK/litellm-key")
    SECRETS+=("$(cat "$WORK/litellm-key")")
    cat > "$WORK/litellm.yaml" <<YAML
model_list:
  - model_name: titan-text-express
    litellm_params:
      model: bedrock/converse/$MODEL
      aws_bedrock_runtime_endpoint: http://127.0.0.1:$NGINX_PORT
      aws_region_name: us-east-1
      aws_access_key_id: AKIAIOSFODNN7EXAMPLE
      aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  - model_name: titan-text-express-delayed
    litellm_params:
      model: bedrock/converse/$MODEL
      aws_bedrock_runtime_endpoint: http://127.0.0.1:$NGINX_DELAY_PORT
      aws_region_name: us-east-1
      aws_access_key_id: AKIAIOSFODNN7EXAMPLE
      aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
YAML
    litellm_args=(--config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$LITELLM_PORT")
    [[ -z $LITELLM_WORKERS ]] || litellm_args+=(--num_workers "$LITELLM_WORKERS")
    litellm_shown="litellm --config litellm.yaml --host 127.0.0.1 --port $LITELLM_PORT${LITELLM_WORKERS:+ --num_workers $LITELLM_WORKERS}"
    mkdir -p "$WORK/litellm-home"
    START_NS=$(date +%s%N)
    bench_spawn "$SERVER_CPU" "$WORK/litellm.log" env -i PATH="$LITELLM_VENV/bin:/usr/bin:/bin" HOME="$WORK/litellm-home" \
        LANG=C.UTF-8 TMPDIR="$WORK" LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_MASTER_KEY="$(cat "$WORK/litellm-key")" \
        "$LITELLM_VENV/bin/litellm" "${litellm_args[@]}"
    RSS_PID[litellm]=$SPAWNED DELAY_RSS_PID[litellm]=$SPAWNED
    STARTUP=$(first_success litellm "${URL[litellm]}" "$WORK/openai.json" "$WORK/litellm-key" 300) \
        || { tail -40 "$WORK/litellm.log" >&2; bench_fail "LiteLLM never answered 200 (log above)"; }
    log "LiteLLM start-up: $STARTUP (exec -> first /chat/completions 200)"
    startup_record litellm "$STARTUP" "${RSS_PID[litellm]}"
    processes=$(( 1 + $(bench_descendants "${RSS_PID[litellm]}" | wc -l) ))
    litellm_version=$("$LITELLM_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))')
    meta litellm "LiteLLM $litellm_version (PyPI \`litellm[proxy]==$litellm_version\`, bench/litellm/requirements.txt and constraints.txt), in $LITELLM_VENV"
    meta litellm_deps "$("$LITELLM_VENV/bin/python" -c 'import importlib.metadata as m, sys
print(", ".join(f"{n} {m.version(n)}" for n in ("uvicorn", "uvloop", "fastapi", "starlette", "httpx", "aiohttp", "boto3", "pydantic")), "; Python", sys.version.split()[0])')"
    meta litellm_settings "\`$litellm_shown\` (uvicorn, ${LITELLM_WORKERS:-1} worker$([[ ${LITELLM_WORKERS:-1} == 1 ]] || echo s): $([[ -n $LITELLM_WORKERS ]] && echo "--num_workers $LITELLM_WORKERS" || echo "LiteLLM's default num_workers"); $processes process(es) in its tree after start-up). Environment: \`LITELLM_MASTER_KEY\` (a random sk-bench-… key; with it every request must carry the key: auth on, no database), \`LITELLM_LOCAL_MODEL_COST_MAP=True\` (the one default changed: otherwise start-up fetches the model price map from the internet, which has no route here, and retries for about 12 s before using the bundled copy). Everything else at LiteLLM's defaults (no callbacks, default logging: uvicorn's access log, here to a file). Config (litellm.yaml):"
    meta litellm_config "$(sed "s|$WORK/||" "$WORK/litellm.yaml")"
    command_record "env -i LITELLM_MASTER_KEY=<LiteLLM master key> LITELLM_LOCAL_MODEL_COST_MAP=True HOME=<empty dir> PATH=$LITELLM_VENV/bin:/usr/bin:/bin $LITELLM_VENV/bin/$litellm_shown"
fi

# -- checks: every target answers with the stand-in's text; both proxies refuse a request without credentials -----
log ""
log "## checks"
probe() { bench_pin "$LOADGEN_CPU" "$PYTHON" "$ROOT/bench/probe.py" "$@"; }
check() {  # what target args...
    local what=$1 target=$2 result; shift 2
    result=$(probe "$@" 2>&1) || { echo "$result" >&2; bench_fail "check failed: $target $what"; }
    log "$target $what: $result"
}
for target in "${TARGETS[@]}"; do
    check converse "$target" check --url "${URL[$target]}" --dialect "${DIALECT[$target]}" \
        --body-file "${BODY[$target]}" --token-file "${TOKEN[$target]}" --expect "$STANDIN_TEXT"
    check converse-stream "$target" check --url "${STREAM_URL[$target]}" --dialect "${DIALECT[$target]}" --stream \
        --body-file "${STREAM_BODY[$target]}" --token-file "${TOKEN[$target]}" --expect "$STREAM_TEXT"
    check "converse, ${DELAY_MS} ms upstream" "$target" check --url "${DELAY_URL[$target]}" \
        --dialect "${DIALECT[$target]}" --body-file "${DELAY_BODY[$target]}" --token-file "${TOKEN[$target]}" \
        --expect "$STANDIN_TEXT" --min-ms "$DELAY_MS"
    [[ $target == direct ]] || check "without credentials" "$target" reject --url "${URL[$target]}" \
        --body-file "${BODY[$target]}"
done
for _ in 1 2 3; do  # the delayed gateway's credentials come from its L1 from now on
    probe check --url "${DELAY_URL[gateway]}" --dialect bedrock --body-file "$WORK/body.json" \
        --token-file "$WORK/token" --expect "$STANDIN_TEXT" > /dev/null
done

# -- load runs ---------------------------------------------------------------------------------------------------------
# run_wrk kind target url body token connections: wrk, closed loop; kind=warmup is logged but not recorded.
run_wrk() {
    local kind=$1 target=$2 url=$3 body=$4 token=$5 connections=$6 out="$WORK/run.out" sampler="" rss=0 saved
    saved=$DURATION
    [[ $kind == warmup ]] && DURATION=$WARMUP
    bench_wrk "$url" "$connections" 0 "$token" "$body" "$out"
    DURATION=$saved
    local load_pid=$BG_PID
    if [[ -n ${RSS_PID[$target]:-} ]]; then
        bench_sample_rss "$load_pid" "${RSS_PID[$target]}" "$WORK/rss" &
        sampler=$!
    fi
    log ""
    log "## $kind $target: $WRK_COMMAND"
    wait "$load_pid" || { cat "$out" >&2; bench_fail "wrk failed against $target"; }
    [[ -z $sampler ]] || { wait "$sampler"; rss=$(cat "$WORK/rss"); }
    cat "$out" >> "$RAW"
    [[ $kind == warmup ]] && return 0
    command_record "BENCH_TOKEN_FILE=<file: ${SECRET_NAME[$target]}> BENCH_BODY_FILE=$(basename "$body") $WRK_COMMAND"
    local json
    json=$(bench_wrk_json "$out")
    json=$("$PYTHON" -c 'import json, sys
r = json.loads(sys.argv[1])
print(json.dumps({"rps": r["rps"], "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
    "p999_ms": r["p999_us"] / 1000, "max_ms": r["max_us"] / 1000,
    "errors": sum(r[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))}))' "$json")
    report add "$RESULTS" kind=max "target=$target" "connections=$connections" "rss_kb=$rss" --json "$json"
    sleep 1
}

# run_rate kind target rate url body token rss_pid: openloop at a fixed rate.
run_rate() {
    local kind=$1 target=$2 rate=$3 url=$4 body=$5 token=$6 rss_pid=$7 out="$WORK/run.out" sampler="" rss=0 shown
    bench_openloop "$url" "$rate" "$RATE_CONNECTIONS" "$token" "$body" "$out"
    local load_pid=$BG_PID
    if [[ -n $rss_pid ]]; then
        bench_sample_rss "$load_pid" "$rss_pid" "$WORK/rss" &
        sampler=$!
    fi
    shown="${OPENLOOP_COMMAND/"$token"/<file: ${SECRET_NAME[$target]}>}"
    shown="${shown/"$body"/$(basename "$body")}"
    log ""
    log "## $kind $target ${rate}/s: $shown"
    # openloop exits 1 when a request failed: the report counts those as errors.
    wait "$load_pid" || true
    [[ -z $sampler ]] || { wait "$sampler"; rss=$(cat "$WORK/rss"); }
    cat "$out" >> "$RAW"
    command_record "$shown"
    local json
    json=$(report openloop "$out")
    report add "$RESULTS" "kind=$kind" "target=$target" "rate=$rate" "rss_kb=$rss" --json "$json"
    sleep 1
}

log ""
log "# warm-up ($WARMUP per target, 8 connections)"
for target in "${TARGETS[@]}"; do
    run_wrk warmup "$target" "${URL[$target]}" "${BODY[$target]}" "${TOKEN[$target]}" 8
done

log ""
log "# max throughput (wrk)"
for connections in $CONNECTIONS; do
    for target in "${TARGETS[@]}"; do
        run_wrk max "$target" "${URL[$target]}" "${BODY[$target]}" "${TOKEN[$target]}" "$connections"
    done
done

log ""
log "# fixed rates (openloop)"
for rate in $RATES; do
    for target in "${TARGETS[@]}"; do
        run_rate rate "$target" "$rate" "${URL[$target]}" "${BODY[$target]}" "${TOKEN[$target]}" \
            "${RSS_PID[$target]:-}"
    done
done

if (( TTFB_REQUESTS > 0 )); then
    log ""
    log "# streaming time to first byte ($TTFB_REQUESTS sequential requests per target in $TTFB_ROUNDS rounds)"
    per_round=$(( (TTFB_REQUESTS + TTFB_ROUNDS - 1) / TTFB_ROUNDS ))
    for round in $(seq 1 "$TTFB_ROUNDS"); do
        for target in "${TARGETS[@]}"; do
            result=$(probe ttfb --url "${STREAM_URL[$target]}" --dialect "${DIALECT[$target]}" \
                --body-file "${STREAM_BODY[$target]}" --token-file "${TOKEN[$target]}" --expect "$STREAM_TEXT" \
                --count "$per_round" --samples "$WORK/ttfb-$target.txt" 2>&1) \
                || { echo "$result" >&2; bench_fail "TTFB run failed against $target"; }
            log "ttfb round $round $target: $result"
            (( round > 1 )) || command_record "python3 bench/probe.py ttfb --url ${STREAM_URL[$target]} --dialect ${DIALECT[$target]} --body-file $(basename "${STREAM_BODY[$target]}") --token-file <file: ${SECRET_NAME[$target]}> --expect '$STREAM_TEXT' --count $per_round  # x $TTFB_ROUNDS rounds"
        done
    done
    for target in "${TARGETS[@]}"; do
        json=$(report samples "$WORK/ttfb-$target.txt")
        report add "$RESULTS" kind=ttfb "target=$target" --json "$json"
    done
fi

if [[ -n $DELAY_RATES ]]; then
    log ""
    log "# upstream with a ${DELAY_MS} ms delay (openloop)"
    for rate in $DELAY_RATES; do
        for target in "${TARGETS[@]}"; do
            run_rate delay "$target" "$rate" "${DELAY_URL[$target]}" "${DELAY_BODY[$target]}" \
                "${TOKEN[$target]}" "${DELAY_RSS_PID[$target]:-}"
        done
    done
fi

# -- report -----------------------------------------------------------------------------------------------------------
log ""
log "gateway VmHWM: $(awk '/^VmHWM/ {print int($2 / 1024) " MB"}' "/proc/${RSS_PID[gateway]}/status")"
[[ -n $SKIP_LITELLM ]] || log "LiteLLM process tree RSS now: $(( $(bench_rss_tree_kb "${RSS_PID[litellm]}") / 1024 )) MB"
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
report markdown "$RESULTS" > "$SUMMARY"
for secret in "${SECRETS[@]}"; do  # belt and braces: no secret may reach the result files
    if grep -qF -- "$secret" "$RAW" "$SUMMARY"; then
        rm -f "$RAW" "$SUMMARY"
        bench_fail "a secret reached the result files; removed them"
    fi
done
echo
cat "$SUMMARY"
echo "raw output: $RAW"
echo "report: $SUMMARY"
