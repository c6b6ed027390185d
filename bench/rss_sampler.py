"""Resident memory of a process tree: now, or its peak while a load generator runs.

    python3 bench/rss_sampler.py TARGET_PID                 # prints the tree's VmRSS now, in kB
    python3 bench/rss_sampler.py WATCH_PID TARGET_PID OUT   # the peak while WATCH_PID runs, written to OUT

The tree is TARGET_PID and all its descendants. Sampling happens every 200 ms, and the maximum is written in kB. One process that only reads /proc: the shell loop it replaces forked two processes per
sample, and on the pinned server CPU those forks delayed the requests of the very target being measured.
"""

import os
import sys
import time


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as file:
                found.extend(int(child) for child in file.read().split())
        except OSError:
            continue
    return found


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as file:
            for line in file:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += rss_kb(pid)
        pending.extend(children(pid))
    return total


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main() -> None:
    if len(sys.argv) == 2:
        print(tree_rss_kb(int(sys.argv[1])))
        return
    watch, target, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    peak = 0
    while alive(watch):
        peak = max(peak, tree_rss_kb(target))
        time.sleep(0.2)
    with open(out, "w") as file:
        file.write(f"{peak}\n")


if __name__ == "__main__":
    main()
