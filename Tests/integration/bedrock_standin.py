#!/usr/bin/env python3
"""A local Bedrock-runtime stand-in that verifies every request's SigV4 signature with botocore.

Usage: bedrock_standin.py --moto-url http://127.0.0.1:PORT [--port N]   (prints "PORT <n>" once listening)

POST /model/{modelId}/converse | converse-stream | invoke | invoke-with-response-stream | count-tokens
    Every request is first verified (sigv4_verifier.verify: botocore SigV4Auth, service `bedrock`, the
    session token moto issued with the access key). A failure answers 403 InvalidSignatureException and is
    recorded. Replies are Bedrock-shaped; streams are real event-stream frames. Markers in the body select
    variants:
      [[throttle]]             HTTP 429 ThrottlingException (rest-json error shape)
      [[midstream-error]]      some events, then an exception frame `throttlingException`
      [[midstream-model-error]] some events, then an exception frame `modelStreamErrorException`
      [[slow-stream]]          many frames, 0.2 s apart (for client-disconnect tests)
      [[tag:NAME]]             recorded as the request's `tag`, so a test can find its own request
GET  /_standin/requests   JSON list of records (no secrets: Authorization and the security token are dropped)
POST /_standin/reset      forget all records
"""
import argparse
import json
import re
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import eventstream
from sigv4_verifier import MotoCredentialDirectory, verify

OPERATIONS = {"converse", "converse-stream", "invoke", "invoke-with-response-stream", "count-tokens"}
_PATH = re.compile(r"^/model/(?P<model>[^/?]+)/(?P<operation>[a-z\-]+)$")
_TAG = re.compile(rb"\[\[tag:([A-Za-z0-9_\-]+)\]\]")
_SECRET_HEADERS = {"authorization", "x-amz-security-token"}
SLOW_FRAMES = 60
SLOW_DELAY = 0.2


class StandInState:
    """Records of every request, shared by the handler threads."""

    def __init__(self, moto_url: str):
        self.directory = MotoCredentialDirectory(moto_url)
        self.lock = threading.Lock()
        self.records: list[dict] = []

    def add(self, record: dict) -> dict:
        with self.lock:
            record["seq"] = len(self.records) + 1
            self.records.append(record)
        return record

    def update(self, record: dict, **changes) -> None:
        with self.lock:
            record.update(changes)

    def snapshot(self) -> list[dict]:
        with self.lock:
            return json.loads(json.dumps(self.records))

    def reset(self) -> None:
        with self.lock:
            self.records.clear()


def _estimate_tokens(body: bytes) -> int:
    return max(1, len(body) // 4)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BedrockStandIn/1"

    def log_message(self, format, *args):
        pass

    @property
    def state(self) -> StandInState:
        return self.server.state  # type: ignore[attr-defined]

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _json(self, status: int, obj, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error_type: str, message: str) -> None:
        self._json(status, {"message": message}, {"x-amzn-ErrorType": f"{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"})

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def _start_stream(self, extra: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def _send_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- control ----------------------------------------------------------------------------------------------

    def do_GET(self):
        if self.path == "/_standin/requests":
            self._json(200, self.state.snapshot())
        elif self.path == "/health":
            self._json(200, {"status": "ok"})
        else:
            self._error(404, "ResourceNotFoundException", f"no GET route {self.path}")

    def do_POST(self):
        if self.path == "/_standin/reset":
            self._read_body()
            self.state.reset()
            self._json(200, {"reset": True})
            return
        body = self._read_body()
        match = _PATH.match(self.path)
        model = urllib.parse.unquote(match["model"]) if match else None
        operation = match["operation"] if match else None
        tag = _TAG.search(body)
        verdict = verify("POST", self.path, list(self.headers.items()), body, self.state.directory)
        record = self.state.add(
            {
                "method": "POST",
                "path": self.path,
                "model": model,
                "operation": operation,
                "tag": tag.group(1).decode() if tag else None,
                "headers": {k.lower(): v for k, v in self.headers.items() if k.lower() not in _SECRET_HEADERS},
                "verified": verdict.ok,
                "verify_reason": verdict.reason,
                "role_arn": verdict.role_arn,
                "region": verdict.region,
                "service": verdict.service,
                "signed_headers": list(verdict.signed_headers),
                "body_length": len(body),
                "status": None,
                "outcome": "in-progress",
                "started": time.time(),
                "ended": None,
            }
        )
        try:
            if not verdict.ok:
                self._finish(record, 403, "rejected")
                self._error(403, "InvalidSignatureException", f"stand-in: {verdict.reason}")
                return
            if not match or operation not in OPERATIONS:
                self._finish(record, 404, "rejected")
                self._error(404, "ResourceNotFoundException", f"stand-in: no operation at {self.path}")
                return
            if b"[[throttle]]" in body:
                self._finish(record, 429, "completed")
                self._error(429, "ThrottlingException", "Too many requests, please wait before trying again.")
                return
            getattr(self, "_" + operation.replace("-", "_"))(record, model, body)
        except (BrokenPipeError, ConnectionResetError):
            self._finish(record, record["status"] or 200, "client-disconnected")
            self.close_connection = True

    def _finish(self, record: dict, status: int, outcome: str) -> None:
        self.state.update(record, status=status, outcome=outcome, ended=time.time())

    # -- operations -------------------------------------------------------------------------------------------

    @staticmethod
    def _reply_text(model: str, operation: str) -> str:
        return f"stand-in reply from {model} via {operation}"

    def _converse(self, record, model, body):
        text = self._reply_text(model, "converse")
        usage_in, usage_out = _estimate_tokens(body), len(text.split())
        self._finish(record, 200, "completed")
        self._json(
            200,
            {
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": usage_in, "outputTokens": usage_out, "totalTokens": usage_in + usage_out},
                "metrics": {"latencyMs": 7},
            },
        )

    def _count_tokens(self, record, model, body):
        self._finish(record, 200, "completed")
        self._json(200, {"inputTokens": _estimate_tokens(body)})

    def _invoke(self, record, model, body):
        text = self._reply_text(model, "invoke")
        usage_in, usage_out = _estimate_tokens(body), len(text.split())
        if "anthropic" in model:
            reply = {
                "id": "msg_" + uuid.uuid4().hex[:24],
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": usage_in, "output_tokens": usage_out},
            }
        else:
            reply = {
                "inputTextTokenCount": usage_in,
                "results": [{"tokenCount": usage_out, "outputText": text, "completionReason": "FINISH"}],
            }
        self._finish(record, 200, "completed")
        self._json(
            200,
            reply,
            {
                "X-Amzn-Bedrock-Input-Token-Count": str(usage_in),
                "X-Amzn-Bedrock-Output-Token-Count": str(usage_out),
                "X-Amzn-Bedrock-Invocation-Latency": "7",
            },
        )

    def _stream(self, record, frames, trailer, slow: bool):
        """Sends `frames` (then `trailer`, an exception frame or None) as one chunked event-stream response."""
        self.state.update(record, status=200)
        for frame in frames:
            self._send_chunk(frame)
            if slow:
                time.sleep(SLOW_DELAY)
        if trailer is not None:
            self._send_chunk(trailer)
        self._end_stream()
        self._finish(record, 200, "completed")

    @staticmethod
    def _trailer(body: bytes):
        if b"[[midstream-error]]" in body:
            return eventstream.exception_frame("throttlingException", "Too many requests, please wait before trying again.")
        if b"[[midstream-model-error]]" in body:
            return eventstream.exception_frame("modelStreamErrorException", "The model stopped producing output.")
        return None

    def _converse_stream(self, record, model, body):
        words = self._reply_text(model, "converse-stream").split()
        slow = b"[[slow-stream]]" in body
        trailer = self._trailer(body)
        if slow:
            words = [f"w{i}" for i in range(SLOW_FRAMES)]
        if trailer is not None:
            words = words[:2]
        frames = [eventstream.event_frame("messageStart", {"role": "assistant"})]
        frames += [
            eventstream.event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": word + " "}})
            for word in words
        ]
        if trailer is None:
            usage_in = _estimate_tokens(body)
            frames += [
                eventstream.event_frame("contentBlockStop", {"contentBlockIndex": 0}),
                eventstream.event_frame("messageStop", {"stopReason": "end_turn"}),
                eventstream.event_frame(
                    "metadata",
                    {
                        "usage": {"inputTokens": usage_in, "outputTokens": len(words), "totalTokens": usage_in + len(words)},
                        "metrics": {"latencyMs": 9},
                    },
                ),
            ]
        self._start_stream()
        self._stream(record, frames, trailer, slow)

    def _invoke_with_response_stream(self, record, model, body):
        words = self._reply_text(model, "invoke-with-response-stream").split()
        slow = b"[[slow-stream]]" in body
        trailer = self._trailer(body)
        if slow:
            words = [f"w{i}" for i in range(SLOW_FRAMES)]
        if trailer is not None:
            words = words[:2]
        usage_in = _estimate_tokens(body)
        metrics = {"inputTokenCount": usage_in, "outputTokenCount": len(words), "invocationLatency": 9, "firstByteLatency": 3}
        if "anthropic" in model:
            inner = [{"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": model,
                                                           "content": [], "usage": {"input_tokens": usage_in, "output_tokens": 1}}},
                     {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
            inner += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w + " "}} for w in words]
            if trailer is None:
                inner += [{"type": "content_block_stop", "index": 0},
                          {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": len(words)}},
                          {"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics}]
        else:
            inner = [{"outputText": w + " ", "index": 0, "totalOutputTextTokenCount": None, "completionReason": None,
                      "inputTextTokenCount": usage_in if i == 0 else None} for i, w in enumerate(words)]
            if trailer is None:
                inner.append({"outputText": "", "index": 0, "totalOutputTextTokenCount": len(words), "completionReason": "FINISH",
                              "inputTextTokenCount": None, "amazon-bedrock-invocationMetrics": metrics})
        self._start_stream({"X-Amzn-Bedrock-Content-Type": "application/json"})
        self._stream(record, [eventstream.chunk_frame(event) for event in inner], trailer, slow)


class BedrockStandIn:
    """The stand-in server on a background thread (for in-process use by the test suite)."""

    def __init__(self, moto_url: str, port: int = 0):
        self.state = StandInState(moto_url)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.server.state = self.state  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="bedrock-standin", daemon=True)

    def start(self) -> "BedrockStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def records(self) -> list[dict]:
        return self.state.snapshot()

    def failures(self) -> list[dict]:
        return [r for r in self.records() if not r["verified"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moto-url", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    standin = BedrockStandIn(args.moto_url, args.port)
    print(f"PORT {standin.port}", flush=True)
    standin.server.serve_forever()


if __name__ == "__main__":
    main()
