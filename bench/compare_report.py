#!/usr/bin/env python3
"""Results of bench/compare.sh: parsing of the tools' output and the markdown report.

  compare_report.py openloop FILE            bench/openloop.c's output -> one JSON object (rate, percentiles in ms,
                                             errors, dropped)
  compare_report.py samples FILE             TTFB samples (ms, one a line) -> JSON percentiles
  compare_report.py add RESULTS KEY=VALUE... [--json OBJECT]...
                                             appends one record (a JSON line) to RESULTS
  compare_report.py markdown RESULTS         the report: settings, commands, tables, ratios

Records have a `kind`: meta (key, value), command (text), startup, max (wrk), rate and delay (openloop), ttfb, rss.
"""
import json
import re
import sys

TARGETS = ("direct", "gateway", "litellm")
NAMES = {"direct": "direct (nginx)", "gateway": "gateway", "litellm": "LiteLLM"}
SUSTAINED = 0.9  # a fixed-rate run counts as sustained when it achieved at least 90 % of the nominal rate


# -- parsing ----------------------------------------------------------------------------------------------------

def parse_openloop(text: str) -> dict:
    """openloop's RESULT line: achieved rate, latency percentiles (from when each request was due), and what went
    wrong: errors (failed or unanswered requests, non-2xx answers) and requests dropped behind a full backlog."""
    line = next((line for line in text.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"compare_report.py: openloop printed no RESULT line:\n{text[:2000]}")
    r = json.loads(line.removeprefix("RESULT "))
    result = {f"{key}_ms": r[f"{key}_us"] / 1000 for key in ("p50", "p90", "p99", "p999", "max")}
    return result | {"rps": r["rps"], "ok": r["requests"] - r["non_2xx"], "errors": r["errors"] + r["missing"] + r["non_2xx"],
                     "dropped": r["dropped"], "connections": r["connections"]}


def percentile(ordered: list[float], p: float) -> float:
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def parse_samples(path: str) -> dict:
    values = sorted(float(line) for line in open(path) if line.strip())
    if not values:
        raise SystemExit(f"compare_report.py: no samples in {path}")
    return {"count": len(values), "p50_ms": percentile(values, 50), "p90_ms": percentile(values, 90),
            "p99_ms": percentile(values, 99), "max_ms": values[-1]}


def value(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def add(path: str, arguments: list[str]) -> None:
    record = {}
    iterator = iter(arguments)
    for argument in iterator:
        if argument == "--json":
            record.update(json.loads(next(iterator)))
        else:
            key, _, text = argument.partition("=")
            record[key] = value(text)
    with open(path, "a") as out:
        out.write(json.dumps(record) + "\n")


# -- report -----------------------------------------------------------------------------------------------------

def ms(x) -> str:
    return "–" if x is None else f"{x:.3f}" if abs(x) < 10 else f"{x:.2f}" if abs(x) < 100 else f"{x:.1f}"


def signed(x) -> str:
    return "–" if x is None else ("+" if x >= 0 else "−") + ms(abs(x))


def mb(kb) -> str:
    return "–" if not kb else f"{kb / 1024:.0f} MB"


def ratio(a, b, digits: int = 2) -> str:
    if a is None or b is None or b <= 0 or a < 0:
        return "n/a"
    r = a / b
    return f"{r:.{digits}f}×" if r >= 0.01 else f"{r:.4f}×"


def rps(x) -> str:
    return "–" if x is None else f"{x:,.0f}"


class Report:
    def __init__(self, records: list[dict]):
        self.records = records
        self.meta = {r["key"]: r["value"] for r in records if r["kind"] == "meta"}
        self.targets = [t for t in TARGETS if any(r.get("target") == t for r in records)]

    def of(self, kind: str, **where) -> list[dict]:
        return [r for r in self.records if r["kind"] == kind and all(r.get(k) == v for k, v in where.items())]

    def one(self, kind: str, **where) -> dict | None:
        found = self.of(kind, **where)
        return found[-1] if found else None

    def lines(self) -> list[str]:
        m = self.meta
        out = [f"# Side-by-side load benchmark: direct, gateway, LiteLLM ({m.get('stamp', '?')})", ""]
        out += [
            "Three targets measured in alternation in one run on the same machine: (a) the upstream stand-in (nginx, "
            "fixed Converse answer) directly; (b) the gateway in front of it (caller JWT verified, use case and model "
            "checked, credentials from its cache (warm from moto STS, Redis), SigV4, audit record); (c) LiteLLM's proxy "
            "in front of the same nginx through its Bedrock provider (`aws_bedrock_runtime_endpoint`, Converse route, "
            "static dummy AWS keys). Caller auth is on for both proxies: the gateway verifies the caller's JWT, LiteLLM "
            "checks its master key (no database). nginx checks nothing.",
            "",
            f"Load average at start {m.get('load_start', '?')}, at end {m.get('load_end', '?')}. "
            "Figures from a machine that is not idle, or from a short DURATION, are noisy: compare within one run.",
            "",
            "## Machine and versions", "",
            "| | |", "|---|---|",
        ]
        for key in ("machine", "memory", "gateway", "nginx", "wrk", "openloop", "redis", "moto", "python", "litellm",
                    "litellm_deps", "cpu_split", "settings"):
            if key in m:
                out.append(f"| {key.replace('_', ' ')} | {m[key]} |")
        out.append("")
        if "litellm_settings" in m:
            out += ["## LiteLLM settings", "", m["litellm_settings"], "", "```yaml", m.get("litellm_config", ""),
                    "```", ""]
        commands = [r["text"] for r in self.of("command")]
        out += ["## Commands", "", "Secrets are shown as placeholders; they stay in the run's temporary directory.",
                "", "```sh", m.get("invocation", ""), *commands, "```", ""]
        out += self.max_table() + self.rate_table() + self.added_table() + self.rss_startup() + self.ttfb_table()
        out += self.delay_table() + self.ratio_table() + self.notes()
        return out

    # Max throughput ------------------------------------------------------------------------------------------
    def max_table(self) -> list[str]:
        rows = self.of("max")
        if not rows:
            return []
        out = ["## Max throughput (wrk, closed loop)", "",
               "| target | connections | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | max RSS |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            out.append(f"| {NAMES[r['target']]} | {r['connections']} | {rps(r['rps'])} | {ms(r['p50_ms'])} | "
                       f"{ms(r['p90_ms'])} | {ms(r['p99_ms'])} | {ms(r['p999_ms'])} | {ms(r['max_ms'])} | "
                       f"{r['errors']} | {mb(r.get('rss_kb'))} |")
        return out + [""]

    # Fixed rates -----------------------------------------------------------------------------------------------
    def sustained(self, r: dict) -> bool:
        return r["rps"] >= SUSTAINED * r["rate"] and not r.get("dropped")

    def rate_table(self) -> list[str]:
        rows = self.of("rate")
        if not rows:
            return []
        out = ["## Latency at fixed rates (openloop)", "",
               "Requests sent evenly spaced at the rate, on at most the connections shown, whatever earlier answers "
               "are doing; latency counts from when each request was due. Requests due while half a second's worth "
               "were already waiting are dropped: such a run did not sustain the rate.", "",
               "| target | rate req/s | connections used | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms "
               "| errors | dropped | max RSS |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            flag = "" if self.sustained(r) else " (not sustained)"
            out.append(f"| {NAMES[r['target']]} | {r['rate']:,} | {r['connections']} | {rps(r['rps'])}{flag} | "
                       f"{ms(r['p50_ms'])} | {ms(r['p90_ms'])} | {ms(r['p99_ms'])} | {ms(r['p999_ms'])} | "
                       f"{ms(r['max_ms'])} | {r['errors']} | {r['dropped']:,} | {mb(r.get('rss_kb'))} |")
        return out + [""]

    def added(self, kind: str, target: str, **where) -> dict | None:
        base, mine = self.one(kind, target="direct", **where), self.one(kind, target=target, **where)
        if not base or not mine:
            return None
        def minus(p: str):
            a, b = mine.get(f"{p}_ms"), base.get(f"{p}_ms")
            return None if a is None or b is None else a - b

        return {p: minus(p) for p in ("p50", "p90", "p99")} | {
            "rps": mine["rps"], "base_rps": base["rps"], "row": mine}

    def added_table(self) -> list[str]:
        proxies = [t for t in self.targets if t != "direct"]
        if not proxies:
            return []
        out = ["## Latency added over direct", "",
               "Target latency minus the direct latency of the same load step. At fixed rates both ran at the same "
               "nominal rate; at max each ran as fast as it could (different rates: the added figure there mixes "
               "queueing in).", "",
               "| target | load | req/s (direct) | added p50 ms | added p90 ms | added p99 ms |",
               "|---|---|---:|---:|---:|---:|"]
        for target in proxies:
            for r in self.of("rate", target=target):
                a = self.added("rate", target, rate=r["rate"])
                if a:
                    flag = "" if self.sustained(r) else ", not sustained"
                    out.append(f"| {NAMES[target]} | {r['rate']:,}/s{flag} | {rps(a['rps'])} ({rps(a['base_rps'])}) | "
                               f"{signed(a['p50'])} | {signed(a['p90'])} | {signed(a['p99'])} |")
            for r in self.of("max", target=target):
                a = self.added("max", target, connections=r["connections"])
                if a:
                    out.append(f"| {NAMES[target]} | max, {r['connections']} connections | {rps(a['rps'])} "
                               f"({rps(a['base_rps'])}) | {signed(a['p50'])} | {signed(a['p90'])} | {signed(a['p99'])} |")
        return out + [""]

    # Memory and start-up ---------------------------------------------------------------------------------------
    def max_rss(self, target: str) -> int | None:
        values = [r.get("rss_kb") or 0 for r in self.records if r.get("target") == target and r["kind"] in ("max", "rate")]
        return max(values) if values and max(values) > 0 else None

    def rss_startup(self) -> list[str]:
        out = []
        proxies = [t for t in self.targets if t != "direct"]
        if proxies:
            out += ["## Resident memory and start-up", "",
                    "RSS: the gateway's VmRSS; LiteLLM's is the sum over its whole process tree. Sampled every 200 ms "
                    "during every max-throughput and fixed-rate run; the maximum is shown. Start-up: from just before "
                    "exec to the first request answered 200 (the gateway's first request includes the cold JWKS fetch, "
                    "IdP client-credentials token and STS AssumeRoleWithWebIdentity against moto).", "",
                    "| target | max RSS under load | RSS after start-up | exec → /ready 200 | exec → first 200 |",
                    "|---|---:|---:|---:|---:|"]
            for target in proxies:
                s = self.one("startup", target=target) or {}
                ready = s.get("ready_ms")
                out.append(f"| {NAMES[target]} | {mb(self.max_rss(target))} | {mb(s.get('rss_kb'))} | "
                           f"{'–' if ready in (None, 'n/a') else ms(ready) + ' ms'} | "
                           f"{ms(s.get('first_success_ms'))} ms |")
            out.append("")
        return out

    # Streaming ---------------------------------------------------------------------------------------------------
    def ttfb_table(self) -> list[str]:
        rows = self.of("ttfb")
        if not rows:
            return []
        base = self.one("ttfb", target="direct")
        out = ["## Streaming: time to first byte", "",
               "Sequential streaming requests on one keep-alive connection per target (same Python client for all), "
               "from just before the request is written to the first byte of the response body.", "",
               "| target | requests | p50 ms | p90 ms | p99 ms | max ms | added p50 ms | added p90 ms | added p99 ms |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            added = [r[f"{p}_ms"] - base[f"{p}_ms"] if base and r["target"] != "direct" else None
                     for p in ("p50", "p90", "p99")]
            out.append(f"| {NAMES[r['target']]} | {r['count']} | {ms(r['p50_ms'])} | {ms(r['p90_ms'])} | "
                       f"{ms(r['p99_ms'])} | {ms(r['max_ms'])} | " + " | ".join(signed(a) for a in added) + " |")
        return out + [""]

    def delay_table(self) -> list[str]:
        rows = self.of("delay")
        if not rows:
            return []
        delay = self.meta.get("delay_ms", "?")
        out = [f"## Upstream with a {delay} ms delay (openloop)", "",
               f"nginx answers after {delay} ms (echo module); each target at the same fixed rate. The share is the "
               "added p50 as a fraction of the target's p50.", "",
               "| target | rate req/s | achieved req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | share of p50 | errors "
               "| max RSS |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            a = self.added("delay", r["target"], rate=r["rate"]) if r["target"] != "direct" else None
            flag = "" if self.sustained(r) else " (not sustained)"
            share = f"{100 * a['p50'] / r['p50_ms']:.1f} %" if a and a["p50"] is not None and r["p50_ms"] else "–"
            out.append(f"| {NAMES[r['target']]} | {r['rate']:,} | {rps(r['rps'])}{flag} | {ms(r['p50_ms'])} | "
                       f"{ms(r['p99_ms'])} | {signed(a['p50'] if a else None)} | {signed(a['p99'] if a else None)} | "
                       f"{share} | {r['errors']} | {mb(r.get('rss_kb'))} |")
        return out + [""]

    # Ratios ------------------------------------------------------------------------------------------------------
    def ratio_table(self) -> list[str]:
        if "gateway" not in self.targets:
            return []
        rows = []

        def row(metric: str, values: dict, better: str) -> None:
            gateway, direct, litellm = values.get("gateway"), values.get("direct"), values.get("litellm")
            fmt = values.get("fmt", ms)
            rows.append(f"| {metric} ({better}) | {fmt(gateway)} | {fmt(direct)} | {fmt(litellm)} | "
                        f"{ratio(gateway, direct)} | {ratio(gateway, litellm)} |")

        for connections in sorted({r["connections"] for r in self.of("max")}):
            values = {t: (self.one("max", target=t, connections=connections) or {}).get("rps") for t in self.targets}
            row(f"max throughput req/s, {connections} connections", values | {"fmt": rps}, "higher is better")
        for rate in sorted({r["rate"] for r in self.of("rate")}):
            for p in ("p50", "p99"):
                values = {t: (self.one("rate", target=t, rate=rate) or {}).get(f"{p}_ms") for t in self.targets}
                row(f"{p} latency ms at {rate:,}/s", values, "lower is better")
                added = {t: (self.added("rate", t, rate=rate) or {}).get(p) for t in self.targets if t != "direct"}
                row(f"{p} latency added ms at {rate:,}/s", added, "lower is better")
        row("max RSS under load", {t: self.max_rss(t) for t in self.targets if t != "direct"} | {"fmt": mb},
            "lower is better")
        row("start-up to first 200 ms", {t: (self.one("startup", target=t) or {}).get("first_success_ms")
                                         for t in self.targets}, "lower is better")
        for p in ("p50", "p99"):
            values = {t: (self.one("ttfb", target=t) or {}).get(f"{p}_ms") for t in self.targets}
            row(f"streaming TTFB {p} ms", values, "lower is better")
            base = values.get("direct")
            added = {t: values[t] - base for t in self.targets if t != "direct" and values.get(t) is not None
                     and base is not None}
            row(f"streaming TTFB {p} added ms", added, "lower is better")
        for rate in sorted({r["rate"] for r in self.of("delay")}):
            for p in ("p50", "p99"):
                added = {t: (self.added("delay", t, rate=rate) or {}).get(p) for t in self.targets if t != "direct"}
                row(f"{p} added ms, {self.meta.get('delay_ms', '?')} ms upstream, {rate:,}/s", added, "lower is better")
        return ["## Ratios", "",
                "gateway/direct and gateway/LiteLLM of the figures above (n/a where a figure is missing, zero or "
                "negative: a ratio of such an added latency has no meaning).", "",
                "| metric | gateway | direct | LiteLLM | gateway/direct | gateway/LiteLLM |",
                "|---|---:|---:|---:|---:|---:|", *rows, ""]

    def notes(self) -> list[str]:
        out = ["## Notes", "",
               "- Max throughput: wrk (µs latency resolution), closed loop: each connection sends its next request when "
               "the previous answer arrived, so latency at max includes queueing in the target.",
               "- Fixed rates: bench/openloop.c, open loop: request i is sent at start + i/rate (µs resolution) on a "
               "free kept-alive connection, a new one when all are busy (up to the limit), and its latency runs from "
               "when it was due, so waiting behind a slow answer counts (no coordinated omission). Requests due while "
               "half a second's worth are waiting are dropped and the run is marked \"not sustained\", as it is below "
               "90 % of the nominal rate. Unlike hey's per-worker ticks, which fire every worker at once, requests "
               "arrive evenly spaced: fixed-rate latency is not the time to serve a burst.",
               "- RSS of a process tree adds each process's RSS, so pages shared between LiteLLM's processes (with "
               "more than one worker) count once per process.",
               "- The gateway's audit log and LiteLLM's access log are written to files (their default output, "
               "redirected)."]
        skipped = self.meta.get("skipped")
        if skipped:
            out.append(f"- Not measured in this run: {skipped}.")
        return out + [""]


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    command, path = sys.argv[1], sys.argv[2]
    if command == "openloop":
        print(json.dumps(parse_openloop(open(path).read())))
    elif command == "samples":
        print(json.dumps(parse_samples(path)))
    elif command == "add":
        add(path, sys.argv[3:])
    elif command == "markdown":
        records = [json.loads(line) for line in open(path) if line.strip()]
        print("\n".join(Report(records).lines()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
