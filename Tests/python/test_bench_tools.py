"""The small tools bench/load.sh reports through, run on known input:

  - bench/rounds_summary.py pairs each run with direct's run of the same round before taking medians;
  - bench/audit_latency.py reads the gateway's audit lines and skips everything else;
  - bench/rss_sampler.py measures a real process tree, once or while a watched process runs (then writes its peak).
"""
import json
import subprocess
import sys
import time

from repo_paths import ROOT

BENCH = ROOT / "bench"


def run_tool(name: str, stdin: str) -> str:
    return subprocess.run(
        [sys.executable, str(BENCH / name)], input=stdin, capture_output=True, text=True, check=True, timeout=30
    ).stdout


def wrk_result(p50: int, p99: int) -> str:
    return json.dumps({"rps": 1000.0, "p50_us": p50, "p90_us": p50 * 2, "p99_us": p99})


def test_rounds_summary_subtracts_direct_of_the_same_round():
    # Round 2 is a noisy spell for both targets: pairing by round keeps it from counting against the gateway.
    rounds = [(100, 500, 700, 1800), (120, 5000, 750, 6000), (110, 600, 720, 1500)]
    lines = []
    for direct50, direct99, gateway50, gateway99 in rounds:
        lines.append(f"direct\t~1000/s\t{wrk_result(direct50, direct99)}")
        lines.append(f"gateway\t~1000/s\t{wrk_result(gateway50, gateway99)}")
    table = run_tool("rounds_summary.py", "\n".join(lines) + "\n")
    rows = {line.split("|")[2].strip(): [cell.strip() for cell in line.split("|")[1:-1]]
            for line in table.splitlines() if line.startswith("| ~1000/s")}
    assert rows["direct"][2] == "3"
    assert rows["direct"][6] == "0.600"  # median of 500, 5000, 600 µs
    assert rows["direct"][7:9] == ["-", "-"]
    # Added per round: p50 600, 630, 610 -> 610; p99 1300, 1000, 900 -> 1000.
    assert rows["gateway"][7:9] == ["0.610", "1.000"]
    # Median of the gateway's own p99s (1800, 6000, 1500) would give a different, wrong "added" figure.
    assert rows["gateway"][6] == "1.800"


def test_rounds_summary_leaves_added_empty_when_rounds_do_not_pair():
    lines = [
        f"direct\t~500/s\t{wrk_result(100, 400)}",
        f"gateway\t~500/s\t{wrk_result(600, 1400)}",
        f"gateway\t~500/s\t{wrk_result(650, 1500)}",
    ]
    table = run_tool("rounds_summary.py", "\n".join(lines) + "\n")
    gateway = next(line for line in table.splitlines() if line.startswith("| ~500/s | gateway"))
    assert gateway.rstrip().endswith("| - | - |"), gateway


def test_audit_latency_reads_only_audit_lines():
    records = [
        {"type": "audit", "status": 200, "latency_ms": 1.0 + i / 100, "upstream_latency_ms": 0.5 + i / 100}
        for i in range(100)
    ]
    records.append({"type": "audit", "status": 401, "latency_ms": 0.2})  # refused before any upstream call
    text = "\n".join(
        ["2026-11-22T11:54:14+0000 notice gateway: starting", "{not json", json.dumps({"type": "other"})]
        + [json.dumps(record) for record in records]
    )
    total, own = run_tool("audit_latency.py", text + "\n").strip().split("; ")
    assert total == "1.490 / 1.980"  # 101 values: index 50 and 99 of the sorted list
    assert own == "0.500 / 0.500"  # latency minus upstream is 0.5 ms for every forwarded request


def test_audit_latency_without_audit_lines_prints_dashes():
    assert run_tool("audit_latency.py", "plain log line\n").strip() == "-; -"


def test_rss_sampler_reports_the_peak_of_a_real_process_tree(tmp_path):
    out = tmp_path / "rss"
    # A parent holding ~40 MB with one child holding ~30 MB: the sampler must sum the tree.
    holder = subprocess.Popen([
        sys.executable, "-c",
        "import subprocess, sys, time\n"
        "block = bytearray(40 * 1024 * 1024)\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import time; block = bytearray(30 * 1024 * 1024); time.sleep(30)'])\n"
        "time.sleep(30)\n",
    ])
    watched = subprocess.Popen(["sleep", "2"])
    try:
        time.sleep(0.5)
        subprocess.run(
            [sys.executable, str(BENCH / "rss_sampler.py"), str(watched.pid), str(holder.pid), str(out)],
            check=True, timeout=30,
        )
        assert watched.poll() is not None, "the sampler must run until the watched process ends"
        peak_kb = int(out.read_text())
        assert 70 * 1024 < peak_kb < 200 * 1024, peak_kb
        # One reading, now that the tree is surely up (the sampler ran for over a second).
        now_kb = int(subprocess.run(
            [sys.executable, str(BENCH / "rss_sampler.py"), str(holder.pid)], check=True, timeout=30,
            capture_output=True, text=True,
        ).stdout)
        assert 70 * 1024 < now_kb < 200 * 1024, now_kb
    finally:
        watched.kill()
        for child in subprocess.run(["pgrep", "-P", str(holder.pid)], capture_output=True, text=True).stdout.split():
            subprocess.run(["kill", child], check=False)
        holder.kill()
        holder.wait()


def test_compare_report_reads_openloop_and_marks_a_run_with_drops_not_sustained(tmp_path):
    out = tmp_path / "run.out"
    out.write_text("some noise\nRESULT " + json.dumps({
        "requests": 19_000, "target_rps": 1000.0, "rps": 950.0, "duration_s": 20.0, "connections": 64,
        "p50_us": 1200, "p90_us": 2400, "p99_us": 9000, "p999_us": 20000, "max_us": 31000, "errors": 1, "non_2xx": 2,
        "missing": 1, "queued": 500, "dropped": 3, "send_lag_p99_us": 90, "answered_with_warmup": 19_500}) + "\n")
    parsed = json.loads(subprocess.run([sys.executable, str(BENCH / "compare_report.py"), "openloop", str(out)],
                                       capture_output=True, text=True, check=True, timeout=30).stdout)
    assert parsed["p99_ms"] == 9.0 and parsed["p999_ms"] == 20.0 and parsed["rps"] == 950.0
    assert parsed["errors"] == 4 and parsed["dropped"] == 3 and parsed["connections"] == 64

    results = tmp_path / "results.jsonl"
    for target, record in (("direct", parsed | {"dropped": 0}), ("gateway", parsed)):
        subprocess.run([sys.executable, str(BENCH / "compare_report.py"), "add", str(results), "kind=rate",
                        f"target={target}", "rate=1000", "rss_kb=0", "--json", json.dumps(record)],
                       check=True, timeout=30)
    report = subprocess.run([sys.executable, str(BENCH / "compare_report.py"), "markdown", str(results)],
                            capture_output=True, text=True, check=True, timeout=30).stdout
    rows = [line for line in report.splitlines() if line.startswith("| ") and "| 1,000 |" in line]
    # 950 of 1,000 req/s is above the 90 % bar: only the drops make the gateway's run not sustained.
    assert any(line.startswith("| direct (nginx) |") and "not sustained" not in line for line in rows), report
    assert any(line.startswith("| gateway |") and "950 (not sustained)" in line for line in rows), report
