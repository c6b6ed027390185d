"""bench/openloop.c, the constant-rate load generator of bench/load.sh and bench/compare.sh, against a small server
that records when each request arrived:

  - requests arrive spread at the rate asked for, not in bursts, and every one is answered and counted;
  - a server that stalls delays the requests due meanwhile, and their latency counts from when they were due
    (a closed-loop tool would report one slow request);
  - a target that cannot keep up: requests beyond the backlog limit are dropped, and the run still ends;
  - answers in chunked transfer coding are read to their last chunk;
  - the bearer token comes from a file, non-2xx answers and closed connections are reported, bad usage exits 2.
"""
import json
import pathlib
import shutil
import socket
import statistics
import subprocess
import threading
import time

import pytest

from repo_paths import ROOT

SOURCE = ROOT / "bench" / "openloop.c"


@pytest.fixture(scope="module")
def openloop(tmp_path_factory) -> pathlib.Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "a C compiler is needed to build bench/openloop.c (apt-get install gcc)"
    binary = tmp_path_factory.mktemp("openloop") / "openloop"
    subprocess.run([compiler, "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(binary), str(SOURCE)], check=True,
                   timeout=120)
    return binary


class RecordingServer:
    """HTTP/1.1 keep-alive server on a free loopback port, one thread per connection. Records each request's arrival
    (time.monotonic) and head; `behaviour(index, head)` returns (delay seconds, status, close-without-answer)."""

    def __init__(self, behaviour=lambda index, head: (0.0, 200, False), chunked: bool = False):
        self.behaviour = behaviour
        self.chunked = chunked
        self.arrivals: list[float] = []
        self.heads: list[bytes] = []
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def url(self, path: str = "/model/m/converse") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accept(self):
        while not self.closed:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection: socket.socket):
        buffer = b""
        with connection:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = connection.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, rest = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(rest) < length:
                    data = connection.recv(65536)
                    if not data:
                        return
                    rest += data
                buffer = rest[length:]
                with self.lock:
                    index = len(self.arrivals)
                    self.arrivals.append(time.monotonic())
                    self.heads.append(head)
                delay, status, hang_up = self.behaviour(index, head)
                if delay:
                    time.sleep(delay)
                if hang_up:
                    return
                body = b'{"ok":true}'
                if self.chunked:  # three chunks in separate writes, as nginx's echo module sends a delayed answer
                    connection.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                                       b"Transfer-Encoding: chunked\r\n\r\n5\r\n" % status + body[:5] + b"\r\n")
                    time.sleep(0.001)
                    connection.sendall(b"%x\r\n%s\r\n" % (len(body) - 5, body[5:]))
                    time.sleep(0.001)
                    connection.sendall(b"0\r\n\r\n")
                    continue
                connection.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                   % (status, len(body), body))

    def close(self):
        self.closed = True
        self.listener.close()


def run(openloop: pathlib.Path, *arguments: str, check_status: int | None = 0) -> dict:
    completed = subprocess.run([str(openloop), *arguments], capture_output=True, text=True, timeout=60)
    if check_status is not None:
        assert completed.returncode == check_status, completed.stderr + completed.stdout
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_requests_arrive_spread_at_the_rate_and_all_are_counted(openloop, tmp_path):
    server = RecordingServer()
    body = tmp_path / "body.json"
    body.write_text('{"messages":[]}')
    try:
        result = run(openloop, "-r", "200", "-d", "2", "-w", "0.5", "-c", "8", "-m", "POST", "-b", str(body),
                     "-H", "Content-Type: application/json", server.url())
    finally:
        server.close()
    assert result["requests"] == 400  # 2 s at 200/s measured, after 100 warm-up requests
    assert len(server.arrivals) == result["answered_with_warmup"] == 500
    assert result["errors"] == result["missing"] == result["dropped"] == result["non_2xx"] == 0
    assert 190 <= result["rps"] <= 201
    gaps_ms = [(b - a) * 1000 for a, b in zip(server.arrivals, server.arrivals[1:])]
    # 5 ms apart. A bursty generator (wrk's per-connection delay, hey's tick) sends groups of requests at once:
    # most gaps near zero. Allow for a noisy machine delaying some sends and arrivals.
    assert 4.0 <= statistics.median(gaps_ms) <= 6.0, statistics.median(gaps_ms)
    assert sum(gap < 1.0 for gap in gaps_ms) < len(gaps_ms) * 0.05, sorted(gaps_ms)[:20]
    # The body and headers went out as given, Content-Length added.
    head = server.heads[0].decode()
    assert head.startswith("POST /model/m/converse HTTP/1.1\r\n")
    assert "Content-Type: application/json" in head and "Content-Length: 15" in head


def test_a_stall_counts_for_every_request_due_during_it(openloop):
    # One connection; request 100 takes 300 ms. The ~60 requests due meanwhile wait, and their latency runs from
    # when they were due: a closed-loop generator would report a single slow request and a p99 near zero.
    server = RecordingServer(lambda index, head: (0.3 if index == 100 else 0.0, 200, False))
    try:
        result = run(openloop, "-r", "200", "-d", "2", "-c", "1", server.url())
    finally:
        server.close()
    assert result["requests"] == 400 and result["missing"] == 0 and result["dropped"] == 0
    assert result["queued"] >= 40, result
    assert result["max_us"] >= 290_000, result
    assert result["p99_us"] >= 200_000, result
    assert result["p50_us"] < 50_000, result


def test_a_target_that_cannot_keep_up_drops_beyond_the_backlog_and_the_run_ends(openloop):
    # Every answer takes 50 ms on at most 2 connections: 40/s against 400/s asked for.
    server = RecordingServer(lambda index, head: (0.05, 200, False))
    started = time.monotonic()
    try:
        result = run(openloop, "-r", "400", "-d", "2", "-c", "2", "-q", "20", server.url())
    finally:
        server.close()
    assert time.monotonic() - started < 10
    assert result["dropped"] > 600, result
    assert result["requests"] + result["dropped"] == 800, result
    assert result["rps"] < 60, result


def test_token_from_a_file_non_2xx_and_closed_connections_are_reported(openloop, tmp_path):
    token = tmp_path / "token"
    token.write_text("secret-token-value\n")
    server = RecordingServer(lambda index, head: (0.0, 403 if index % 10 == 0 else 200, index == 55))
    try:
        result = run(openloop, "-r", "100", "-d", "1", "-c", "4", "-T", str(token), server.url(), check_status=1)
    finally:
        server.close()
    assert all(b"\r\nAuthorization: Bearer secret-token-value\r\n" in head + b"\r\n" for head in server.heads)
    assert result["errors"] == 1 and result["missing"] == 1, result
    assert result["non_2xx"] == 10, result
    assert result["requests"] == 99, result


def test_chunked_answers_are_read_to_their_last_chunk(openloop):
    server = RecordingServer(lambda index, head: (0.0, 200, False), chunked=True)
    try:
        result = run(openloop, "-r", "100", "-d", "1", "-c", "4", server.url())
    finally:
        server.close()
    # Each answer ends only with its last chunk, about 2 ms after its head; a request read as answered early (or an
    # answer that ran into the next) would show as an error, a missing answer or a sub-millisecond latency.
    assert result["requests"] == 100 and result["errors"] == result["missing"] == 0, result
    assert result["p50_us"] >= 2000, result


@pytest.mark.parametrize("arguments, message", [
    ([], "give exactly one URL"),
    (["-r", "0", "-d", "1", "http://127.0.0.1:9/"], "-r RATE and -d SECONDS must be positive"),
    (["-r", "10", "-d", "1", "https://127.0.0.1:9/"], "only http:// URLs are supported"),
])
def test_bad_usage_says_what_is_wrong(openloop, arguments, message):
    completed = subprocess.run([str(openloop), *arguments], capture_output=True, text=True, timeout=10)
    assert completed.returncode == 2
    assert message in completed.stderr
