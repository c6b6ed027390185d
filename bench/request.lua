-- wrk script for bench/load.sh and bench/compare.sh: POSTs a small JSON body (Converse, or LiteLLM's chat
-- completion) with a bearer token (the caller's JWT, or LiteLLM's master key).
-- Environment: BENCH_TOKEN_FILE, BENCH_BODY_FILE; BENCH_DELAY_MS > 0 makes each connection wait that many
-- milliseconds between requests (wrk's delay(); used to approximate a fixed rate of connections*1000/delay req/s).
-- done() prints one line "RESULT {json}" with the achieved rate and latency percentiles in microseconds.

local function slurp(path)
  local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("BENCH_BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. slurp(os.getenv("BENCH_TOKEN_FILE")):gsub("%s+$", "")

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
