"""Medians over alternating rounds of bench/load.sh's fixed-rate runs.

Reads "TARGET<TAB>RATE<TAB>WRK-RESULT-JSON" lines (one per run, in run order: each round measures direct first,
then every other target) and prints a markdown table: per rate and target, the median over rounds of p50, p90
and p99, and the median of the p50 and p99 added over direct in the same round. Pairing each run with the direct
run of its own round keeps a noisy spell of the machine from counting against one target only.
"""

import json
import statistics
import sys
from collections import defaultdict


def main() -> None:
    runs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    order: list[tuple[str, str]] = []
    for line in sys.stdin:
        target, rate, payload = line.rstrip("\n").split("\t", 2)
        key = (rate, target)
        if key not in runs:
            order.append(key)
        runs[key].append(json.loads(payload))

    def ms(us: float) -> str:
        return f"{us / 1000:.3f}"

    print("Medians over rounds (added: the run minus direct in the same round)")
    print()
    print("| load | target | rounds | req/s | p50 ms | p90 ms | p99 ms | p50 added ms | p99 added ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for rate, target in order:
        results = runs[(rate, target)]
        direct = runs.get((rate, "direct"), [])
        median = lambda field: statistics.median(r[field] for r in results)  # noqa: E731
        if target != "direct" and len(direct) == len(results):
            added50 = ms(statistics.median(r["p50_us"] - d["p50_us"] for r, d in zip(results, direct)))
            added99 = ms(statistics.median(r["p99_us"] - d["p99_us"] for r, d in zip(results, direct)))
        else:
            added50 = added99 = "-"
        print(
            f"| {rate} | {target} | {len(results)} | {median('rps'):.0f} | {ms(median('p50_us'))} "
            f"| {ms(median('p90_us'))} | {ms(median('p99_us'))} | {added50} | {added99} |"
        )


if __name__ == "__main__":
    main()
