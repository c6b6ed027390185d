"""Graceful shutdown as ECS does it: SIGTERM, then the task has `stopTimeout` seconds before SIGKILL.

A second gateway (same configuration as the session's, its own port) serves a slow Converse stream; SIGTERM arrives
mid-stream. The gateway must stop accepting connections, let the in-flight stream finish untouched, and exit 0.
"""
import json
import signal
import socket
import threading
import time

import boto3
import pytest

from support import ROOT, ChildProcess, free_port, http_get

TITAN = "amazon.titan-text-express-v1"
SLOW_FRAMES = 60  # bedrock_standin.SLOW_FRAMES: [[slow-stream]] sends this many text deltas, 0.2 s apart


def _client(url: str, token: str, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", token)
    return boto3.session.Session().client("bedrock-runtime", endpoint_url=url, region_name="us-east-1")


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_sigterm_drains_the_in_flight_stream_then_exits_zero(gateway, tokens, log_dir, monkeypatch):
    port = free_port()
    env = dict(gateway.env, GATEWAY_LISTEN=f"127.0.0.1:{port}", GATEWAY_LOG_LEVEL="info")
    child = ChildProcess("gateway-drain", gateway.process.argv, log_dir, env=env, cwd=ROOT)
    try:
        child.wait_until(lambda: http_get(f"http://127.0.0.1:{port}/ready", 2)[0] == 200, 60, "GET /ready = 200")
        client = _client(f"http://127.0.0.1:{port}/use-cases/UseCaseA", tokens.caller("alice"), monkeypatch)

        first_event = threading.Event()
        outcome: dict = {}

        def stream() -> None:
            try:
                reply = client.converse_stream(
                    modelId=TITAN, messages=[{"role": "user", "content": [{"text": "[[slow-stream]] drain me"}]}])
                events = []
                for event in reply["stream"]:
                    events.append(event)
                    first_event.set()
                outcome["events"] = events
            except Exception as error:  # reported by the assertions below
                outcome["error"] = f"{type(error).__name__}: {error}"
            finally:
                first_event.set()

        reader = threading.Thread(target=stream, daemon=True)
        reader.start()
        assert first_event.wait(20), "the stream's first event did not arrive within 20 s"
        assert "error" not in outcome, outcome.get("error")

        child.process.send_signal(signal.SIGTERM)
        sent = time.monotonic()

        # New connections are refused while the in-flight stream is still being served.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _accepts_connections(port):
            time.sleep(0.05)
        assert not _accepts_connections(port), "the gateway still accepts connections 5 s after SIGTERM"
        assert reader.is_alive(), "the stream ended before the listener closed; the test did not exercise draining"

        reader.join(30)
        assert not reader.is_alive(), "the in-flight stream did not finish within 30 s of SIGTERM"
        assert "error" not in outcome, f"the in-flight stream failed during shutdown: {outcome['error']}"
        events = outcome["events"]
        deltas = [event for event in events if "contentBlockDelta" in event]
        assert len(deltas) == SLOW_FRAMES, f"expected all {SLOW_FRAMES} text deltas, got {len(deltas)}"
        assert any("messageStop" in event for event in events), "the stream ended without messageStop"
        assert any("metadata" in event for event in events), "the stream ended without its metadata event"

        status = child.process.wait(15)
        assert status == 0, f"the gateway exited with status {status} after SIGTERM\n{child.tail()}"
        took = time.monotonic() - sent
        assert took < 20, f"the gateway took {took:.1f} s to exit after SIGTERM"

        audit = [json.loads(line) for line in child.log_text().splitlines() if line.startswith('{"type":"audit"')]
        streamed = [record for record in audit if record.get("operation") == "converse-stream"]
        assert len(streamed) == 1, f"expected one converse-stream audit record, found {len(streamed)}"
        assert streamed[0]["status"] == 200
        assert "client_disconnected" not in streamed[0] and "error" not in streamed[0], streamed[0]
    finally:
        child.stop()
