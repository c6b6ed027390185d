#!/usr/bin/env python3
"""The one small client bench/compare.sh uses for every target: checks answers and measures streaming TTFB.

Two dialects: `bedrock` (Converse JSON, ConverseStream event-stream frames; the stand-in and the gateway) and
`openai` (chat-completion JSON, server-sent events with "stream": true; LiteLLM's proxy).

  probe.py check  --url U --dialect D --body-file B --token-file T --expect TEXT [--stream] [--min-ms N]
      One request; exits 1 unless it answers 200 and the reply (the stream's deltas, reassembled) is TEXT,
      and, with --min-ms, unless it took at least N ms. Prints the reply and the time.
  probe.py reject --url U --body-file B
      One request without credentials; exits 1 if it answers 200 (caller auth is off). Prints the status.
  probe.py ttfb   --url U --dialect D --body-file B --token-file T --expect TEXT --count N --samples FILE
      One warm-up request, then N sequential streaming requests on one keep-alive connection. TTFB is the time
      from just before the request is written to the arrival of the first byte of the response body. Every
      answer must be 200 with TEXT. Appends the N TTFB values (ms, one a line) to FILE and prints a JSON summary.
"""
import argparse
import http.client
import json
import struct
import sys
import time
import urllib.parse
import zlib


class ProbeError(Exception):
    pass


def decode_eventstream(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    """(headers, payload) of each frame; checks both CRCs and that nothing is left over."""
    frames = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 16:
            raise ProbeError(f"truncated event-stream frame at byte {offset}")
        total, headers_length, prelude_crc = struct.unpack_from(">III", data, offset)
        frame = data[offset:offset + total]
        if len(frame) != total:
            raise ProbeError(f"truncated event-stream frame at byte {offset}")
        if zlib.crc32(frame[:8]) != prelude_crc:
            raise ProbeError(f"bad prelude CRC in the frame at byte {offset}")
        if zlib.crc32(frame[:-4]) != struct.unpack(">I", frame[-4:])[0]:
            raise ProbeError(f"bad message CRC in the frame at byte {offset}")
        headers = {}
        position, end = 12, 12 + headers_length
        while position < end:
            name_length = frame[position]
            name = frame[position + 1:position + 1 + name_length].decode()
            position += 1 + name_length
            if frame[position] != 7:
                raise ProbeError(f"unexpected event-stream header type {frame[position]} for {name}")
            (value_length,) = struct.unpack_from(">H", frame, position + 1)
            headers[name] = frame[position + 3:position + 3 + value_length].decode()
            position += 3 + value_length
        frames.append((headers, frame[end:-4]))
        offset += total
    return frames


def reply_text(dialect: str, stream: bool, body: bytes) -> str:
    """The model's text in a complete answer; raises ProbeError if the answer is malformed or incomplete."""
    try:
        if dialect == "bedrock" and not stream:
            return "".join(part.get("text", "") for part in json.loads(body)["output"]["message"]["content"])
        if dialect == "openai" and not stream:
            return json.loads(body)["choices"][0]["message"]["content"]
        if dialect == "bedrock":
            text, events = [], []
            for headers, payload in decode_eventstream(body):
                if headers.get(":message-type") != "event":
                    raise ProbeError(f"stream carried a {headers.get(':message-type')} frame: {payload[:200]!r}")
                events.append(headers[":event-type"])
                if headers[":event-type"] == "contentBlockDelta":
                    text.append(json.loads(payload)["delta"]["text"])
            if "messageStop" not in events:
                raise ProbeError(f"stream ended without messageStop (events: {events})")
            return "".join(text)
        text, done = [], False
        for line in body.decode().splitlines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                done = True
                continue
            event = json.loads(data)
            if "error" in event:
                raise ProbeError(f"stream carried an error: {data[:300]}")
            for choice in event.get("choices", []):
                text.append((choice.get("delta") or {}).get("content") or "")
        if not done:
            raise ProbeError("server-sent events ended without [DONE]")
        return "".join(text)
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise ProbeError(f"unexpected answer ({error}): {body[:300]!r}") from None


class Client:
    def __init__(self, url: str, body: bytes, token: str | None):
        parts = urllib.parse.urlsplit(url)
        self.path = parts.path
        self.body = body
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def send(self) -> tuple[int, int, bytes]:
        """(status, TTFB in ns, body) of one request."""
        start = time.perf_counter_ns()
        self.connection.request("POST", self.path, body=self.body, headers=self.headers)
        response = self.connection.getresponse()
        first = response.read(1)
        ttfb = time.perf_counter_ns() - start
        return response.status, ttfb, first + response.read()


def load(args) -> tuple[bytes, str | None]:
    body = open(args.body_file, "rb").read()
    token = open(args.token_file).read().strip() if getattr(args, "token_file", None) else None
    return body, token


def expect(args, status: int, body: bytes) -> str:
    if status != 200:
        raise ProbeError(f"HTTP {status}: {body[:300]!r}")
    text = reply_text(args.dialect, args.stream, body)
    if text.strip() != args.expect.strip():
        raise ProbeError(f"reply {text!r} is not the stand-in's {args.expect!r}")
    return text


def check(args) -> None:
    body, token = load(args)
    start = time.perf_counter_ns()
    status, _, answer = Client(args.url, body, token).send()
    elapsed_ms = (time.perf_counter_ns() - start) / 1e6
    text = expect(args, status, answer)
    if args.min_ms is not None and elapsed_ms < args.min_ms:
        raise ProbeError(f"answered in {elapsed_ms:.1f} ms, less than the upstream's delay of {args.min_ms} ms")
    print(f"ok: HTTP 200 in {elapsed_ms:.1f} ms, reply {text.strip()!r}")


def reject(args) -> None:
    body, _ = load(args)
    status, _, answer = Client(args.url, body, None).send()
    if status == 200:
        raise ProbeError("a request without credentials answered 200: caller auth is off")
    print(f"ok: a request without credentials is refused with HTTP {status} {answer[:120]!r}")


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def ttfb(args) -> None:
    body, token = load(args)
    client = Client(args.url, body, token)
    status, _, answer = client.send()  # warm-up: connection set up, first-request paths taken
    expect(args, status, answer)
    samples = []
    totals = []
    for _ in range(args.count):
        start = time.perf_counter_ns()
        status, first_byte, answer = client.send()
        totals.append((time.perf_counter_ns() - start) / 1e6)
        expect(args, status, answer)
        samples.append(first_byte / 1e6)
    with open(args.samples, "a") as out:
        out.writelines(f"{value:.4f}\n" for value in samples)
    ordered = sorted(samples)
    print(json.dumps({
        "count": len(samples),
        "p50_ms": round(percentile(ordered, 50), 4),
        "p90_ms": round(percentile(ordered, 90), 4),
        "p99_ms": round(percentile(ordered, 99), 4),
        "max_ms": round(ordered[-1], 4),
        "mean_total_ms": round(sum(totals) / len(totals), 4),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("check", "reject", "ttfb"):
        command = commands.add_parser(name)
        command.add_argument("--url", required=True)
        command.add_argument("--body-file", required=True)
        if name != "reject":
            command.add_argument("--dialect", choices=("bedrock", "openai"), required=True)
            command.add_argument("--token-file", required=True)
            command.add_argument("--expect", required=True, help="the reply text the stand-in sends")
        if name == "check":
            command.add_argument("--stream", action="store_true")
            command.add_argument("--min-ms", type=float)
        if name == "ttfb":
            command.add_argument("--count", type=int, default=100)
            command.add_argument("--samples", required=True)
            command.set_defaults(stream=True)
    args = parser.parse_args()
    try:
        {"check": check, "reject": reject, "ttfb": ttfb}[args.command](args)
    except (ProbeError, OSError, http.client.HTTPException) as error:
        print(f"probe.py {args.command} {args.url}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
