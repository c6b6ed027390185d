"""Percentiles of the latency the gateway measured itself, from its audit lines on standard input.

Prints "P50 / P99; P50 / P99" in milliseconds: latency_ms (the handler's start to the answer handed to the
connection), then latency_ms - upstream_latency_ms (the same without the wait for the upstream). Used by
bench/load.sh to tell time spent in the gateway from time spent in the kernel or waiting for a CPU.
"""

import json
import sys


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    values = sorted(values)

    def pick(q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    return f"{pick(0.5):.3f} / {pick(0.99):.3f}"


def main() -> None:
    total: list[float] = []
    own: list[float] = []
    for line in sys.stdin:
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "latency_ms" not in record:
            continue
        total.append(record["latency_ms"])
        if record.get("upstream_latency_ms") is not None:
            own.append(record["latency_ms"] - record["upstream_latency_ms"])
    print(f"{percentiles(total)}; {percentiles(own)}")


if __name__ == "__main__":
    main()
