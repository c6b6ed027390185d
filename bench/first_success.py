#!/usr/bin/env python3
"""Start-up time: polls URL with a Converse POST until it answers 200, then prints the milliseconds since
--since-ns (a CLOCK_REALTIME timestamp in nanoseconds taken just before the gateway was started), and the time
of the first /ready = 200 if --ready-url is given (polled before each attempt and, if still not 200, after).

Exits 1 with the last status/error when --timeout seconds pass without success.
"""
import argparse
import http.client
import sys
import time
import urllib.parse


def post(url: str, body: bytes, token: str) -> int:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", parts.path, body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def get(url: str) -> int:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--ready-url")
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--since-ns", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    body = open(args.body_file, "rb").read()
    token = open(args.token_file).read().strip()
    deadline = time.monotonic() + args.timeout
    ready_ms = None
    last = "no attempt"
    while time.monotonic() < deadline:
        try:
            if args.ready_url and ready_ms is None and get(args.ready_url) == 200:
                ready_ms = (time.time_ns() - args.since_ns) / 1e6
            status = post(args.url, body, token)
            if status == 200:
                first_ms = (time.time_ns() - args.since_ns) / 1e6
                # /ready turns 200 once the IdP keys are loaded, which may happen after the first served request.
                while args.ready_url and ready_ms is None and time.monotonic() < deadline:
                    if get(args.ready_url) == 200:
                        ready_ms = (time.time_ns() - args.since_ns) / 1e6
                    else:
                        time.sleep(0.002)
                ready = f"{ready_ms:.1f}" if ready_ms is not None else "n/a"
                print(f"ready_ms={ready} first_success_ms={first_ms:.1f}")
                return
            last = f"HTTP {status}"
        except OSError as error:
            last = str(error)
        time.sleep(0.002)
    print(f"no successful request within {args.timeout:.0f} s (last: {last})", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
