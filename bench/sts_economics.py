#!/usr/bin/env python3
"""STS economics of several gateway replicas: the gateways, the load, the checks and the report of
bench/sts-economics.sh (which starts nginx, moto_server behind bench/sts_proxy.py, redis-server and the OIDC
issuer first, and passes their addresses here).

1. Starts REPLICAS gateway processes on their own ports, sharing the one Redis (same cache key) and the one STS
   (each through its own listener of the STS proxy, so every call can be attributed to a replica), and waits
   for GET /ready = 200 on each. Each line a gateway writes to stdout (its audit log, one JSON line per request)
   is stamped with the wall-clock time it arrived.
2. Cold burst: opens BURST connections to every replica, then writes one Converse request on every connection
   in one loop (REPLICAS x BURST requests in flight, all replicas at the same moment) and waits for all answers.
3. Steady traffic: STEADY seconds at RATE requests/s in total, open loop (request i is sent at start + i/RATE
   whatever earlier answers do), round-robin over the replicas, on keep-alive connections.
4. Stops the gateways and writes the report (markdown) and the raw figures (text): STS calls per role against
   the expected count, the timeline of STS calls, requests per phase by credential-cache layer, latencies,
   errors, and the gateways' /metrics before and after each phase.

Exits 1 when a check fails (errors, an STS count other than expected, a request after warm-up that did not
come from the in-process cache); the report is written in every case.
"""
import argparse
import asyncio
import base64
import collections
import datetime
import http.client
import json
import math
import os
import pathlib
import re
import resource
import signal
import subprocess
import sys
import threading
import time

# CredentialBroker.Configuration defaults (Sources/CredentialPlane/CredentialBroker+Configuration.swift); the
# gateway builds its broker with them and has no setting to change them.
REFRESH_LEAD = 300.0
REFRESH_LEAD_FRACTION = 0.2
EXPIRY_MARGIN = 60.0
REFRESH_RETRY_INTERVAL = 15.0
LOCK_TTL = 5.0
LOCK_WAIT = 5.0
DEFAULT_DURATION_SECONDS = 3600  # GATEWAY_CREDENTIAL_DURATION_SECONDS when unset

GATEWAY_STOP_TIMEOUT = 15.0


def refresh_lead(lifetime: float) -> float:
    """How long before expiry a credential of `lifetime` seconds is due for refresh (CredentialTiming): max(300 s,
    20% of the lifetime), but never before halfway through the usable window (lifetime - 60 s margin)."""
    planned = max(REFRESH_LEAD, REFRESH_LEAD_FRACTION * lifetime, EXPIRY_MARGIN)
    usable = lifetime - EXPIRY_MARGIN
    return min(planned, lifetime - usable / 2) if usable > 0 else planned


def percentile(sorted_values: list, p: float):
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def fmt_ms(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def utc(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


# -- gateways ---------------------------------------------------------------------------------------------------

class Gateway:
    """One gateway process; a thread stamps every stdout line with its arrival time into `audit_path`."""

    def __init__(self, index: int, binary: str, env: dict, port: int, work: pathlib.Path):
        self.index = index
        self.port = port
        self.audit_path = work / f"gateway-{index}.stdout"
        self.stderr_path = work / f"gateway-{index}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=self._stderr)
        self._stamper = threading.Thread(target=self._stamp, name=f"stamp-{index}", daemon=True)
        self._stamper.start()

    def _stamp(self) -> None:
        with open(self.audit_path, "wb") as out:
            for line in iter(self.process.stdout.readline, b""):
                out.write(b"%.6f " % time.time() + line)
            out.flush()

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """Waits for the process to end after ``terminate()`` (kills it after a timeout)."""
        if self.process.poll() is None:
            try:
                self.process.wait(GATEWAY_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stamper.join(10)
        self._stderr.close()


def http_get(port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(gateways: list, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(gateways)
    while pending:
        for gateway in list(pending):
            if gateway.process.poll() is not None:
                raise RuntimeError(f"gateway {gateway.index} exited with status {gateway.process.returncode} "
                                   f"before GET /ready = 200; see its stderr:\n"
                                   + gateway.stderr_path.read_text(errors="replace")[-3000:])
            try:
                if http_get(gateway.port, "/ready", 2)[0] == 200:
                    pending.remove(gateway)
            except OSError:
                pass
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"gateways {[g.index for g in pending]} not ready within {timeout:.0f} s")
        if pending:
            time.sleep(0.05)


_METRIC = re.compile(r'^(gw_[a-z_]+)(\{[^}]*\})?\s+([0-9.eE+-]+)$')


def scrape(gateways: list) -> list[dict]:
    """Each replica's gw_* counters from GET /metrics: {"name{labels}": value}."""
    snapshots = []
    for gateway in gateways:
        status, body = http_get(gateway.port, "/metrics", 10)
        if status != 200:
            raise RuntimeError(f"GET /metrics on gateway {gateway.index} answered {status}")
        values = {}
        for line in body.decode().splitlines():
            match = _METRIC.match(line.strip())
            if match and not match.group(1).endswith(("_bucket", "_sum", "_count")):
                values[match.group(1) + (match.group(2) or "")] = float(match.group(3))
        snapshots.append(values)
    return snapshots


# -- load -------------------------------------------------------------------------------------------------------

class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


async def open_connection(port: int) -> Connection:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    return Connection(reader, writer)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Reads one HTTP/1.1 response; returns its status and whether the server closes the connection."""
    line = await reader.readline()
    if not line:
        raise ConnectionError("connection closed before a response")
    status = int(line.split()[1])
    length, chunked, close = 0, False, False
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection" and value == b"close":
            close = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            await reader.readexactly(size + 2)
    elif length:
        await reader.readexactly(length)
    return status, close


class Recorder:
    def __init__(self):
        self.rows = []  # (phase, replica, sent_at_epoch, latency_ms or None, status or None, error or None)

    def add(self, phase, replica, sent_at, latency_ms, status, error=None):
        self.rows.append((phase, replica, sent_at, latency_ms, status, error))


async def cold_burst(ports: list, per_replica: int, requests: list, recorder: Recorder, timeout: float) -> dict:
    connections = []
    for replica, port in enumerate(ports):
        opened = await asyncio.gather(*(open_connection(port) for _ in range(per_replica)))
        connections.append(opened)
    order = [(replica, index) for index in range(per_replica) for replica in range(len(ports))]
    sent = {}
    fired = time.time()
    for replica, index in order:  # one loop, no await: every request is written before any answer is read
        connections[replica][index].writer.write(requests[replica])
        sent[(replica, index)] = (time.time(), time.perf_counter())
    written = time.time()

    async def answer(replica: int, index: int):
        sent_at, started = sent[(replica, index)]
        try:
            status, _ = await asyncio.wait_for(read_response(connections[replica][index].reader), timeout)
            recorder.add("burst", replica, sent_at, (time.perf_counter() - started) * 1000, status)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            recorder.add("burst", replica, sent_at, None, None, type(error).__name__)

    await asyncio.gather(*(answer(replica, index) for replica, index in order))
    done = time.time()
    for per in connections:
        for connection in per:
            connection.close()
    return {"fired": fired, "written": written, "done": done}


async def steady(ports: list, rate: float, seconds: float, requests: list, recorder: Recorder,
                 timeout: float) -> dict:
    loop = asyncio.get_running_loop()
    pools = [collections.deque() for _ in ports]
    total = int(rate * seconds)
    tasks = []
    max_lag = 0.0
    opened = [0] * len(ports)

    async def one(replica: int):
        sent_at, started = time.time(), time.perf_counter()
        connection = None
        try:
            if pools[replica]:
                connection = pools[replica].popleft()
            else:
                connection = await open_connection(ports[replica])
                opened[replica] += 1
            connection.writer.write(requests[replica])
            status, close = await asyncio.wait_for(read_response(connection.reader), timeout)
            recorder.add("steady", replica, sent_at, (time.perf_counter() - started) * 1000, status)
            if close:
                connection.close()
            else:
                pools[replica].append(connection)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            recorder.add("steady", replica, sent_at, None, None, type(error).__name__)
            if connection is not None:
                connection.close()

    begin_wall = time.time()
    begin = loop.time()
    for i in range(total):
        due = begin + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        max_lag = max(max_lag, loop.time() - due)
        tasks.append(asyncio.create_task(one(i % len(ports))))
    last_sent = time.time()
    await asyncio.gather(*tasks)
    done = time.time()
    for pool in pools:
        for connection in pool:
            connection.close()
    return {"begin": begin_wall, "last_sent": last_sent, "done": done, "requests": total,
            "max_send_lag_ms": max_lag * 1000, "connections_opened": opened}


# -- analysis ---------------------------------------------------------------------------------------------------

def read_audit(gateways: list) -> list[dict]:
    """Audit lines of every replica, with `replica` and `stamp` (arrival time of the line)."""
    records = []
    for gateway in gateways:
        with open(gateway.audit_path, "rb") as lines:
            for line in lines:
                stamp, _, text = line.partition(b" ")
                if b'"type":"audit"' not in text:
                    continue
                try:
                    record = json.loads(text)
                except ValueError:
                    continue
                record["replica"] = gateway.index
                record["stamp"] = float(stamp)
                records.append(record)
    return records


def read_calls(path: pathlib.Path) -> list[dict]:
    if not path.exists():
        return []
    calls = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    calls.sort(key=lambda call: call["received_at"])
    return calls


def parse_expiration(text: str) -> float:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def due_after(call: dict) -> float:
    """When the credential a call returned becomes due for refresh (the broker's rule, from the expiry the
    gateway received and the time it received it)."""
    expiration = parse_expiration(call["expiration"])
    return expiration - refresh_lead(expiration - call["answered_at"])


def check_role(calls: list, traffic_end: float, tolerance: float) -> tuple[list, int, list]:
    """Checks one role's calls (time order) against the broker's rule: after the cold call, a refresh is due
    `lead` seconds before the current credential's expiry, and the first request after that instant (on any
    replica) makes exactly one call.

    Returns (rows, expected, problems): each call with its kind (`cold`, `refresh`, `extra`), due instant and
    delay after it; the number of calls the rule predicts for this run (1 + every due instant that traffic
    reached); and what did not match.
    """
    rows, problems = [], []
    if not calls:
        return rows, 0, problems
    expected = 1
    rows.append({"call": calls[0], "kind": "cold", "due": None, "delay": None})
    anchor = calls[0]
    due = due_after(anchor)
    for number, call in enumerate(calls[1:], start=2):
        delay = call["received_at"] - due
        if delay < -1.0:
            rows.append({"call": call, "kind": "extra", "due": due, "delay": delay})
            problems.append(f"call {number} came {-delay:.1f} s before a refresh was due: an extra call")
            continue
        if delay > tolerance:
            problems.append(f"call {number} came {delay:.1f} s after its refresh was due (late)")
        expected += 1
        rows.append({"call": call, "kind": "refresh", "due": due, "delay": delay})
        anchor = call
        due = due_after(anchor)
    period = due - anchor["answered_at"]
    while due + tolerance < traffic_end:
        problems.append(f"a refresh was due at {utc(due)}, before traffic ended at {utc(traffic_end)}, "
                        "and no call came (a missed refresh)")
        expected += 1
        due += max(period, 1.0)
    return rows, expected, problems


def max_overlap(intervals: list) -> int:
    """The largest number of (begin, end) intervals that overlap at one instant."""
    events = sorted([(begin, 1) for begin, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda event: (event[0], event[1]))
    current = best = 0
    for _, step in events:
        current += step
        best = max(best, current)
    return best


def summarize(values: list) -> dict:
    values = sorted(v for v in values if v is not None)
    return {"n": len(values), "p50": percentile(values, 50), "p90": percentile(values, 90),
            "p99": percentile(values, 99), "max": values[-1] if values else None}


def metric_sum(snapshot: list, name: str) -> float:
    return sum(value for replica in snapshot for key, value in replica.items()
               if key == name or key.startswith(name + "{"))


# -- main -------------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--gateway-bin", required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--issuer-json", required=True, type=pathlib.Path)
    parser.add_argument("--proxy-ports", required=True, type=pathlib.Path)
    parser.add_argument("--calls", required=True, type=pathlib.Path)
    parser.add_argument("--nginx-port", required=True, type=int)
    parser.add_argument("--redis-port", required=True, type=int)
    parser.add_argument("--gateway-ports", required=True, help="comma-separated, one per replica")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--steady-seconds", type=float, default=240)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--lifetime", type=int, required=True)
    parser.add_argument("--gap", type=float, default=2.0, help="quiet seconds between the phases")
    parser.add_argument("--use-case", default="UseCaseA")
    parser.add_argument("--model", default="titan-text-express")
    parser.add_argument("--raw", required=True, type=pathlib.Path)
    parser.add_argument("--summary", required=True, type=pathlib.Path)
    parser.add_argument("--command", default="bench/sts-economics.sh")
    parser.add_argument("--header", type=pathlib.Path, help="lines (machine, tools) to put at the top of both files")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    ports = [int(port) for port in args.gateway_ports.split(",")]
    replicas = len(ports)
    proxy_ports = json.loads(args.proxy_ports.read_text())["ports"]
    if len(proxy_ports) != replicas:
        raise SystemExit(f"the STS proxy has {len(proxy_ports)} listeners for {replicas} gateways")
    issuer = json.loads(args.issuer_json.read_text())
    lead = refresh_lead(args.lifetime)
    period = args.lifetime - lead
    if period < 10:
        raise SystemExit(
            f"LIFETIME={args.lifetime} s is too short: a credential must stay usable for a while after it is issued "
            f"(the broker stops handing it out {EXPIRY_MARGIN:.0f} s before expiry and refreshes it halfway through "
            f"the usable window at the latest). Use a lifetime of at least {EXPIRY_MARGIN + 20:.0f} s.")

    cache_key = os.urandom(32)
    env_common = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "GATEWAY_CATALOG": args.catalog,
        "GATEWAY_REDIS_URL": f"redis://127.0.0.1:{args.redis_port}",
        "GATEWAY_CACHE_KEY": base64.b64encode(cache_key).decode(),
        "GATEWAY_INBOUND_AUDIENCE": "acme-genai-apps",
        "GATEWAY_GROUPS_CLAIM": "groups",
        "GATEWAY_IDP_JWKS_URL": issuer["jwks_url"],
        "GATEWAY_IDP_TOKEN_URL": issuer["token_url"],
        "GATEWAY_CLIENT_ID": issuer["client_id"],
        "GATEWAY_CLIENT_SECRET": issuer["client_secret"],
        "GATEWAY_BEDROCK_ENDPOINT": f"http://127.0.0.1:{args.nginx_port}",
    }
    path = f"/use-cases/{args.use_case}/model/{args.model}/converse"
    body = (b'{"messages":[{"role":"user","content":[{"text":"How do I reset my password?"}]}],'
            b'"inferenceConfig":{"maxTokens":256}}')
    token = issuer["caller_token"]
    requests = [(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
                for port in ports]

    gateways = []
    pid_file = args.work / "gateway.pids"
    recorder = Recorder()
    phases = {}
    metrics = {}
    try:
        for index, port in enumerate(ports):
            env = dict(env_common, GATEWAY_LISTEN=f"127.0.0.1:{port}",
                       GATEWAY_STS_ENDPOINT=f"http://127.0.0.1:{proxy_ports[index]}")
            gateways.append(Gateway(index, args.gateway_bin, env, port, args.work))
            with open(pid_file, "a") as pids:
                pids.write(f"{gateways[-1].process.pid}\n")
        started = time.time()
        wait_ready(gateways, 60)
        phases["ready"] = time.time()
        print(f"sts-economics: {replicas} gateways ready after {phases['ready'] - started:.1f} s", flush=True)
        metrics["before burst"] = scrape(gateways)

        print(f"sts-economics: cold burst, {args.burst} concurrent requests on each of {replicas} gateways",
              flush=True)
        burst = asyncio.run(cold_burst(ports, args.burst, requests, recorder, 60))
        phases.update(burst_fired=burst["fired"], burst_written=burst["written"], burst_done=burst["done"])
        time.sleep(args.gap)
        metrics["after burst"] = scrape(gateways)

        print(f"sts-economics: steady traffic, {args.rate:g} requests/s for {args.steady_seconds:g} s "
              f"(credential lifetime {args.lifetime} s: a refresh every ~{period:.0f} s)", flush=True)
        load = asyncio.run(steady(ports, args.rate, args.steady_seconds, requests, recorder, 30))
        phases.update(steady_begin=load["begin"], steady_last_sent=load["last_sent"], steady_done=load["done"])
        time.sleep(args.gap)
        metrics["after steady"] = scrape(gateways)
    finally:
        for gateway in gateways:
            gateway.terminate()
        for gateway in gateways:
            gateway.stop()
        pid_file.unlink(missing_ok=True)

    return report(args, gateways, recorder, phases, metrics, burst, load, lead, period)


def report(args, gateways, recorder, phases, metrics, burst, load, lead, period) -> int:
    replicas = len(gateways)
    t0 = phases["burst_fired"]

    def rel(epoch: float) -> float:
        return epoch - t0

    calls = read_calls(args.calls)
    audits = read_audit(gateways)
    for record in audits:
        record["phase"] = "burst" if record["stamp"] < phases["steady_begin"] else "steady"

    def call_phase(call):
        at = call["received_at"]
        if at < t0:
            return "before burst"
        if at <= phases["burst_done"]:
            return "burst"
        if at < phases["steady_begin"]:
            return "between"
        if at <= phases["steady_done"]:
            return "steady"
        return "after"

    problems = []

    # -- STS calls per role ------------------------------------------------------------------------------------
    roles = sorted({call["role_arn"] for call in calls})
    traffic_end = phases["steady_last_sent"]
    first_call = calls[0]["received_at"] if calls else t0
    a_priori_refreshes = int((traffic_end - first_call) // period) if calls else 0
    role_rows = []
    timeline_rows = []
    # The first request after a due instant (any replica) triggers the refresh; with RATE/s spread over the
    # replicas that is a few ms later, plus the lock and the STS round trip: 1 s of tolerance is generous.
    tolerance = 1.0 + 1.0 / args.rate
    for role in roles:
        mine = [call for call in calls if call["role_arn"] == role and call["status"] == 200]
        checked, expected_total, role_problems = check_role(mine, traffic_end, tolerance)
        problems += [f"{role}: {problem}" for problem in role_problems]
        cold = [call for call in mine if call_phase(call) in ("before burst", "burst")]
        refreshes = len(mine) - len(cold)
        role_rows.append((role, len(cold), refreshes, len(mine), expected_total, a_priori_refreshes + 1))
        if len(cold) != 1:
            problems.append(f"{role}: the cold burst cost {len(cold)} STS calls (expected 1)")
        if len(mine) != expected_total:
            problems.append(f"{role}: {len(mine)} STS calls, expected {expected_total}")
        for number, row in enumerate(checked):
            timeline_rows.append((role, number + 1, row))
    timeline_rows.sort(key=lambda item: item[2]["call"]["received_at"])
    if not calls:
        problems.append("the STS proxy recorded no AssumeRoleWithWebIdentity call")
    failed_calls = [call for call in calls if call["status"] != 200]
    if failed_calls:
        problems.append(f"{len(failed_calls)} STS calls were not answered 200")

    # -- requests ----------------------------------------------------------------------------------------------
    sent = collections.Counter((row[0], row[1]) for row in recorder.rows)
    client_errors = [row for row in recorder.rows if row[4] != 200]
    audit_counts = collections.Counter((record["phase"], record["replica"]) for record in audits)
    for phase in ("burst", "steady"):
        for replica in range(replicas):
            if audit_counts[(phase, replica)] != sent[(phase, replica)]:
                problems.append(f"{phase}, replica {replica}: {sent[(phase, replica)]} requests sent but "
                                f"{audit_counts[(phase, replica)]} audit lines")
    audit_errors = [record for record in audits if record.get("status") != 200 or record.get("error")]
    if client_errors:
        kinds = collections.Counter(row[5] or f"HTTP {row[4]}" for row in client_errors)
        problems.append(f"{len(client_errors)} requests failed at the client: {dict(kinds)}")
    if audit_errors:
        kinds = collections.Counter(f"{record.get('status')} {record.get('error') or ''}".strip()
                                    for record in audit_errors)
        problems.append(f"{len(audit_errors)} audit lines with a status other than 200: {dict(kinds)}")

    layers = ("l1", "l2", "sts")

    def layer_counts(records):
        counts = collections.Counter(record.get("credential_cache", "none") for record in records)
        return [counts.get(layer, 0) for layer in layers] + [sum(v for k, v in counts.items() if k not in layers)]

    steady_records = [record for record in audits if record["phase"] == "steady"]
    not_l1 = [record for record in steady_records if record.get("credential_cache") != "l1"]
    if not_l1:
        problems.append(f"{len(not_l1)} requests after warm-up were not served from L1 (they waited on "
                        "Redis or STS)")

    steady_calls = [call for call in calls if call_phase(call) == "steady"]

    def near_refresh(record):
        end = record["stamp"]
        begin = end - record["latency_ms"] / 1000
        return any(begin <= call["answered_at"] + 1 and end >= call["received_at"] - 1 for call in steady_calls)

    during = [record for record in steady_records if near_refresh(record)]
    outside = [record for record in steady_records if not near_refresh(record)]

    def gateway_latency(records):
        return summarize([record["latency_ms"] for record in records])

    def client_latency(phase):
        return summarize([row[3] for row in recorder.rows if row[0] == phase])

    # -- metrics -----------------------------------------------------------------------------------------------
    snapshot_names = list(metrics)

    def deltas(name, label=None):
        key = name if label is None else f'{name}{{layer="{label}"}}'
        out = []
        for replica in range(replicas):
            values = [metrics[snap][replica].get(key, 0.0) for snap in snapshot_names]
            out.append(values)
        return out

    sts_metric_total = metric_sum(metrics["after steady"], "gw_sts_calls_total")
    if int(sts_metric_total) != len(calls):
        problems.append(f"the gateways count {sts_metric_total:.0f} STS calls (gw_sts_calls_total) but the proxy "
                        f"recorded {len(calls)}")
    failures = metric_sum(metrics["after steady"], "gw_sts_failures_total")
    redis_errors = metric_sum(metrics["after steady"], "gw_redis_errors_total")
    if failures:
        problems.append(f"gw_sts_failures_total = {failures:.0f}")
    if redis_errors:
        problems.append(f"gw_redis_errors_total = {redis_errors:.0f}")
    handout = 'gw_credential_cache_total{layer="%s"}'
    steady_handouts = {layer: metric_sum(metrics["after steady"], handout % layer)
                       - metric_sum(metrics["after burst"], handout % layer) for layer in layers}
    steady_sts_calls = (metric_sum(metrics["after steady"], "gw_sts_calls_total")
                        - metric_sum(metrics["after burst"], "gw_sts_calls_total"))

    burst_records = [record for record in audits if record["phase"] == "burst"]
    in_flight_client = max_overlap([(row[2], row[2] + row[3] / 1000) for row in recorder.rows
                                    if row[0] == "burst" and row[3] is not None])
    in_flight_gateway = max_overlap([(record["stamp"] - record["latency_ms"] / 1000, record["stamp"])
                                     for record in burst_records])

    verdict = "PASS" if not problems else "FAIL"
    header = args.header.read_text().rstrip("\n").splitlines() if args.header and args.header.exists() else []
    burst_latency = gateway_latency([r for r in audits if r["phase"] == "burst"])
    steady_latency = gateway_latency(steady_records)

    md = []
    w = md.append
    w(f"# STS economics of {replicas} gateway replicas, {args.raw.stem.removeprefix('sts-economics-')}")
    w("")
    total_expected = sum(row[4] for row in role_rows)
    w(f"**{verdict}**: {len(calls)} STS AssumeRoleWithWebIdentity call(s) for {len(roles)} role(s), expected "
      f"{total_expected} (one for the cold burst of {replicas * args.burst} concurrent requests, then one per "
      f"refresh); {len(not_l1)} of {len(steady_records)} requests after warm-up waited on Redis or STS; "
      f"{len(client_errors) + len(audit_errors)} errors.")
    if problems:
        w("")
        w("Failed checks:")
        for problem in problems:
            w(f"- {problem}")
    w("")
    w("## Machine")
    w("")
    for line in header:
        w(f"- {line}")
    w(f"- load average at end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    w("")
    w("## Command")
    w("")
    w("```sh")
    w(args.command)
    w("```")
    w("")
    w("Components, all on loopback, started and stopped by the script: nginx (fixed Converse answer, the Bedrock "
      "stand-in), `moto.server` (STS) behind `bench/sts_proxy.py` (the suite's counting proxy, "
      f"`Tests/integration/sts_counting_proxy.py`, with one listener per replica), one `redis-server`, the OIDC "
      f"issuer (`bench/bench_issuer.py`), and {replicas} gateway processes `{args.gateway_bin}` with "
      "`GATEWAY_REDIS_URL` = the one Redis, the same `GATEWAY_CACHE_KEY`, `GATEWAY_STS_ENDPOINT` = the replica's "
      "proxy listener, `GATEWAY_BEDROCK_ENDPOINT` = nginx, default log level, audit log to stdout.")
    w("")
    w("## Settings")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| gateway processes | {replicas} (ports {', '.join(str(g.port) for g in gateways)}), one Redis, one STS |")
    w(f"| request | `POST {f'/use-cases/{args.use_case}/model/{args.model}/converse'}` (caller `alice`, 117-byte "
      "body), one use case, so one role |")
    w(f"| cold burst | {args.burst} concurrent requests per process, {replicas * args.burst} in total, each on "
      f"its own connection, opened beforehand; all written within {(burst['written'] - burst['fired']) * 1000:.1f} "
      f"ms; at most {in_flight_client} awaiting an answer at once (client), {in_flight_gateway} inside the "
      "gateways at once (audit: end stamp − latency_ms) |")
    w(f"| steady traffic | {args.steady_seconds:g} s at {args.rate:g} requests/s in total "
      f"({args.rate / replicas:g}/s per process, round-robin, open loop, keep-alive); {load['requests']} requests, "
      f"largest send lag {load['max_send_lag_ms']:.1f} ms |")
    w(f"| DurationSeconds asked | {DEFAULT_DURATION_SECONDS} (`GATEWAY_CREDENTIAL_DURATION_SECONDS` unset: the "
      "gateway's default; allowed range 900–43200) |")
    w(f"| credential lifetime | {args.lifetime} s: moto answers Expiration = now + DurationSeconds; the proxy "
      f"rewrites it to now + {args.lifetime} s (whole seconds, as STS writes it) |")
    w(f"| broker timing (defaults, not configurable) | refresh due max({REFRESH_LEAD:.0f} s, "
      f"{REFRESH_LEAD_FRACTION:.0%} × lifetime) before expiry, but not before halfway through the usable window "
      f"= {lead:.0f} s before; never handed out within "
      f"{EXPIRY_MARGIN:.0f} s of expiry; refresh retry {REFRESH_RETRY_INTERVAL:.0f} s; cross-replica lock "
      f"{LOCK_TTL:.0f} s, lock wait {LOCK_WAIT:.0f} s; no jitter |")
    w(f"| refresh period | lifetime − {lead:.0f} s = {period:.0f} s (up to 1 s less: the rewritten expiry is "
      "truncated to whole seconds) |")
    w("")
    w("## STS calls per role")
    w("")
    w(f"Expected: 1 call for the cold burst, then 1 per refresh. A credential issued at t expires at t + "
      f"{args.lifetime} s and is due for refresh at t + {period:.0f} s; the first request after that instant, on "
      "any replica, triggers a background refresh, which takes the Redis lock and calls STS; the other replicas, "
      "due at the same instant (they share the issue and expiry times through Redis), find the new credential "
      "in Redis or wait on the lock and then find it. Traffic ran from the first STS call for "
      f"{traffic_end - first_call:.1f} s, so 1 + ⌊{traffic_end - first_call:.1f} / {period:.0f}⌋ = "
      f"{a_priori_refreshes + 1} calls a priori; the exact expectation follows each credential's actual expiry.")
    w("")
    w("| role | cold burst | refreshes | counted | expected (exact) | expected (a priori) | verdict |")
    w("|---|---:|---:|---:|---:|---:|---|")
    for role, cold, refreshes, counted, expected, a_priori in role_rows:
        ok = "ok" if counted == expected and cold == 1 else "**MISMATCH**"
        w(f"| `{role}` | {cold} | {refreshes} | {counted} | {expected} | {a_priori} | {ok} |")
    w("")
    w("Timeline (t = seconds since the burst was fired; replica = which gateway called, known by the proxy "
      "listener it used; due = when the previous credential became due for refresh):")
    w("")
    w("| # | t (s) | UTC | phase | kind | replica | role | DurationSeconds asked | status | "
      "STS round trip ms | expiration returned | due t (s) | called after due (s) |")
    w("|---:|---:|---|---|---|---:|---|---:|---:|---:|---|---:|---:|")
    for role, number, row in timeline_rows:
        call = row["call"]
        due = "–" if row["due"] is None else f"{rel(row['due']):.2f}"
        delay = "–" if row["delay"] is None else f"{row['delay']:.3f}"
        w(f"| {number} | {rel(call['received_at']):.3f} | {utc(call['received_at'])} | {call_phase(call)} | "
          f"{row['kind']} | {call['replica']} | `{role.split(':')[-1]}` | {call['duration']} | {call['status']} | "
          f"{(call['answered_at'] - call['received_at']) * 1000:.1f} | {call.get('expiration')} | {due} | {delay} |")
    w("")
    w("## Requests per phase by credential-cache layer")
    w("")
    w("From the audit line each gateway writes per request (`credential_cache`: `l1` in-process cache, `l2` "
      "Redis, `sts` this request made or waited for an STS call). Phases: burst = lines written before the "
      "steady traffic began (the phases are separated by a quiet gap); each phase's line count matches the "
      "requests sent.")
    w("")
    burst_callers = sorted({call["replica"] for call in calls if call_phase(call) in ("before burst", "burst")})
    w(f"Cold burst: replica(s) {', '.join(map(str, burst_callers)) or 'none'} made the STS call; within a "
      "process, concurrent misses for one key share one load (single flight), so every request that waited for "
      "that call is recorded `sts`; on the other replicas the leader found the cross-replica lock held, polled "
      "Redis until the credential landed there, and its followers shared the answer: `l2`. A burst request "
      "recorded `l1` arrived after its replica already held the credential.")
    w("")
    w("| phase | replica | requests | HTTP 200 | l1 | l2 | sts | no layer |")
    w("|---|---|---:|---:|---:|---:|---:|---:|")
    for phase in ("burst", "steady"):
        for replica in list(range(replicas)) + ["all"]:
            records = [r for r in audits if r["phase"] == phase and (replica == "all" or r["replica"] == replica)]
            ok = sum(1 for r in records if r.get("status") == 200)
            counts = layer_counts(records)
            label = f"**{replica}**" if replica == "all" else str(replica)
            w(f"| {phase} | {label} | {len(records)} | {ok} | " + " | ".join(str(c) for c in counts) + " |")
    w("")
    w("## Latency per phase")
    w("")
    w("Gateway: `latency_ms` of the audit lines (time inside the gateway). Client: send to last byte, measured by "
      "the Python load client (includes its own scheduling, which on the cold burst dominates). \"During a "
      "refresh\" = steady requests whose time in the gateway overlapped an STS call ±1 s.")
    w("")
    w("| phase | measured by | requests | p50 ms | p90 ms | p99 ms | max ms |")
    w("|---|---|---:|---:|---:|---:|---:|")
    rows = [("cold burst", "gateway", burst_latency), ("cold burst", "client", client_latency("burst")),
            ("steady", "gateway", steady_latency), ("steady", "client", client_latency("steady")),
            ("steady, during a refresh", "gateway", gateway_latency(during)),
            ("steady, other requests", "gateway", gateway_latency(outside))]
    for label, by, s in rows:
        w(f"| {label} | {by} | {s['n']} | {fmt_ms(s['p50'])} | {fmt_ms(s['p90'])} | {fmt_ms(s['p99'])} | "
          f"{fmt_ms(s['max'])} |")
    w("")
    w("## The gateways' /metrics")
    w("")
    w("Per replica, at: " + ", ".join(snapshot_names) + " (each snapshot taken after a quiet gap).")
    w("")
    w("| replica | gw_sts_calls_total | l1 handouts | l2 handouts | sts handouts |")
    w("|---:|---|---|---|---|")
    sts_calls = deltas("gw_sts_calls_total")
    handouts = {layer: deltas("gw_credential_cache_total", layer) for layer in layers}
    for replica in range(replicas):
        cells = [" → ".join(f"{v:.0f}" for v in sts_calls[replica])]
        cells += [" → ".join(f"{v:.0f}" for v in handouts[layer][replica]) for layer in layers]
        w(f"| {replica} | " + " | ".join(cells) + " |")
    w("")
    w(f"During the steady phase, across replicas: gw_sts_calls_total +{steady_sts_calls:.0f} (background "
      f"refreshes), handouts l1 +{steady_handouts['l1']:.0f}, l2 +{steady_handouts['l2']:.0f}, sts "
      f"+{steady_handouts['sts']:.0f}. gw_sts_failures_total {failures:.0f}, gw_redis_errors_total "
      f"{redis_errors:.0f}.")
    w("")
    w("## Why this shows that no request waited on STS after warm-up")
    w("")
    w("- The broker reports the layer that answered each lookup: `l1` only when the in-process cache held a usable "
      "credential and the lookup returned at once (a due refresh is only *scheduled* on the background task). A "
      "request that waited on Redis, on the cross-replica lock or on STS is recorded `l2` or `sts`. "
      f"After warm-up, {len(steady_records) - len(not_l1)} of {len(steady_records)} audit lines say `l1`.")
    w(f"- /metrics agrees: during the steady phase `gw_sts_calls_total` rose by {steady_sts_calls:.0f} (the "
      "refreshes) while the `l2` and `sts` handout counters, which count lookups that were answered by Redis or "
      f"STS, rose by {steady_handouts['l2']:.0f} and {steady_handouts['sts']:.0f}: the STS calls were made by no "
      "request.")
    d, o = gateway_latency(during), gateway_latency(outside)
    w(f"- Latency: the {d['n']} requests in flight during a refresh had p99 {fmt_ms(d['p99'])} ms and max "
      f"{fmt_ms(d['max'])} ms in the gateway, against p99 {fmt_ms(o['p99'])} ms for the others.")
    w("")
    w("## Errors")
    w("")
    w(f"Client: {len(client_errors)} (non-200 or transport errors); audit lines with a status other than 200: "
      f"{len(audit_errors)}; STS calls not answered 200: {len(failed_calls)}; gw_sts_failures_total "
      f"{failures:.0f}; gw_redis_errors_total {redis_errors:.0f}.")
    w("")
    w(f"Raw figures: `{args.raw.name}` (STS call log, per-second timeline, /metrics snapshots).")
    args.summary.write_text("\n".join(md) + "\n")

    # -- raw ---------------------------------------------------------------------------------------------------
    raw = []
    r = raw.append
    r(f"# sts-economics raw output {args.raw.stem.removeprefix('sts-economics-')}")
    r(f"command: {args.command}")
    for line in header:
        r(line)
    r(f"settings: replicas={replicas} burst={args.burst} steady_seconds={args.steady_seconds:g} rate={args.rate:g} "
      f"lifetime={args.lifetime} refresh_lead={lead:.0f} period={period:.0f} duration_seconds_asked="
      f"{DEFAULT_DURATION_SECONDS} use_case={args.use_case} model={args.model}")
    r(f"phases (epoch s): " + " ".join(f"{key}={value:.6f}" for key, value in phases.items()))
    r(f"burst: in flight at once: {in_flight_client} (client), {in_flight_gateway} (gateways)")
    r(f"steady: connections opened per replica {load['connections_opened']}, max send lag "
      f"{load['max_send_lag_ms']:.1f} ms")
    r(f"verdict: {verdict}")
    for problem in problems:
        r(f"problem: {problem}")
    r("")
    r("## STS calls (proxy log, one JSON line per call; t = s since the burst was fired)")
    for call in calls:
        r(f"t={rel(call['received_at']):.3f} " + json.dumps(call, sort_keys=True))
    r("")
    r("## per second (audit lines by the second they were written; t = s since the burst was fired)")
    r("second requests l1 l2 sts other non200 p99_ms max_ms sts_calls_started")
    by_second = collections.defaultdict(list)
    for record in audits:
        by_second[int(rel(record["stamp"]))].append(record)
    calls_by_second = collections.Counter(int(rel(call["received_at"])) for call in calls)
    for second in range(min(list(by_second) + [0]), max(list(by_second) + [0]) + 1):
        records = by_second.get(second, [])
        lat = sorted(record["latency_ms"] for record in records)
        counts = layer_counts(records)
        non200 = sum(1 for record in records if record.get("status") != 200)
        r(f"{second} {len(records)} {' '.join(str(c) for c in counts)} {non200} {fmt_ms(percentile(lat, 99))} "
          f"{fmt_ms(lat[-1] if lat else None)} {calls_by_second.get(second, 0)}")
    r("")
    r("## /metrics snapshots (gw_* counters and gauges per replica)")
    for snap in snapshot_names:
        for replica, values in enumerate(metrics[snap]):
            for key in sorted(values):
                r(f"{snap} | replica {replica} | {key} {values[key]:g}")
    r("")
    r("## latency per phase (ms)")
    for label, by, s in rows:
        r(f"{label} ({by}): n={s['n']} p50={fmt_ms(s['p50'])} p90={fmt_ms(s['p90'])} p99={fmt_ms(s['p99'])} "
          f"max={fmt_ms(s['max'])}")
    args.raw.write_text("\n".join(raw) + "\n")
    print(args.summary.read_text(), flush=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
