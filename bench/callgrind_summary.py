#!/usr/bin/env python3
"""Per-request instruction counts from a callgrind dump, as markdown tables (used by bench/instructions.sh).

callgrind_annotate attributes everything to the thread entry point for a dump taken with `callgrind_control -d`
after `-z`, so this reads the format itself (https://valgrind.org/docs/manual/cl-format.html): the cost lines
of a function are its own instructions; a cost line right after `calls=` is the inclusive cost of that call.

    callgrind_summary.py DUMP REQUESTS [--top N] [--modules REGEX]
"""
import argparse
import re
import sys
from collections import Counter


def parse(path):
    names = {}
    own = Counter()
    inclusive = Counter()
    calls = Counter()
    total = None
    function = None
    callee = None
    after_calls = False
    with open(path, encoding="utf-8", errors="replace") as dump:
        for line in dump:
            if line.startswith(("fn=", "cfn=", "cfi=", "cfl=", "fl=", "fi=", "fe=", "ob=", "cob=")):
                key, _, rest = line.rstrip("\n").partition("=")
                match = re.match(r"\((\d+)\)(?: (.*))?", rest)
                if key in ("fn", "cfn") and match:
                    number, name = match.groups()
                    if name:
                        names[number] = name
                    if key == "fn":
                        function = number
                    else:
                        callee = number
                continue
            if line.startswith("calls="):
                calls[callee] += int(line.split("=")[1].split()[0])
                after_calls = True
                continue
            if line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
                continue
            fields = line.split()
            if len(fields) >= 2 and re.fullmatch(r"[+-]?\d+|\*", fields[0]) and fields[-1].isdigit():
                cost = int(fields[-1])
                if after_calls:
                    inclusive[callee] += cost
                    after_calls = False
                elif function is not None:
                    own[function] += cost
    return names, own, inclusive, calls, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump")
    parser.add_argument("requests", type=int)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--modules", default=r"(Gateway|CallerAuth|AWSSigning|CredentialPlane|UpstreamHTTP|"
                        r"BedrockEventStream|StrictJSON|GatewayRouting)")
    args = parser.parse_args()
    names, own, inclusive, calls, total = parse(args.dump)
    total = total if total is not None else sum(own.values())
    per = args.requests

    def label(number):
        return names.get(number, f"({number})").replace("|", "\\|")[:150]

    print(f"**{total // per:,} instructions per request** ({total:,} for {per:,} requests).")
    print()
    print("Own instructions (callees excluded), top functions:")
    print()
    print("| per request | share | function |")
    print("|---:|---:|---|")
    for number, cost in own.most_common(args.top):
        print(f"| {cost // per:,} | {100 * cost / total:.1f}% | `{label(number)}` |")
    print()
    print("The project's synchronous functions, with everything they call (async functions are left out: their "
          "parts are counted from wherever they resume, which says little), top entries:")
    print()
    print("| per request | calls per request | function |")
    print("|---:|---:|---|")
    pattern = re.compile(r"^\$s\d*" + args.modules)
    asynchronous = re.compile(r"Ya(?![a-z])|TY\d|TQ\d|TA$|Job")
    rows = [(cost, number) for number, cost in inclusive.items()
            if pattern.search(names.get(number, "")) and not asynchronous.search(names.get(number, ""))]
    for cost, number in sorted(rows, reverse=True)[: args.top]:
        print(f"| {cost // per:,} | {calls[number] / per:.1f} | `{label(number)}` |")


if __name__ == "__main__":
    sys.exit(main())
