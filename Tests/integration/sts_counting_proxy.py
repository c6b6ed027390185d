"""A tiny HTTP proxy in front of moto that counts and records STS AssumeRoleWithWebIdentity calls.

moto keeps no call counter, so the gateway is given this proxy as its STS endpoint. Every request is forwarded
to moto unchanged; for AssumeRoleWithWebIdentity the proxy records the RoleArn, RoleSessionName,
DurationSeconds, the session Policy, the web-identity token's (unverified) claims, moto's HTTP status, the
caller's source port and when the call arrived and was answered (`received_at`, `answered_at`: epoch seconds).
The token itself is kept only in memory for the tests to verify against the issuer's keys.

Opt-in, for benchmarks (both off by default):
- `lifetime_seconds`: rewrites the `<Expiration>` of every successful AssumeRoleWithWebIdentity answer to now +
  that many seconds, so credentials live shorter than STS's minimum DurationSeconds (900). The record then holds
  `expiration` (what the caller received) and `upstream_expiration` (what moto said).
- `on_call`: a function called with each record as soon as it is complete (under the proxy's lock, so calls
  are serialised); it must not block for long.
"""
import base64
import datetime
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
               "proxy-authenticate", "host", "content-length"}


def unverified_claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


_EXPIRATION = re.compile(rb"<Expiration>([^<]*)</Expiration>")


def rewrite_expiration(reply: bytes, lifetime_seconds: int, now: float) -> tuple[bytes, str, Optional[str]]:
    """The reply with its (first) `<Expiration>` set to `now + lifetime_seconds`, in STS's format
    (`2026-01-01T00:00:00Z`); also returns the new and the original value."""
    expiration = datetime.datetime.fromtimestamp(now + lifetime_seconds, datetime.timezone.utc)
    text = expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    match = _EXPIRATION.search(reply)
    original = match.group(1).decode("utf-8", "replace") if match else None
    return _EXPIRATION.sub(b"<Expiration>" + text.encode() + b"</Expiration>", reply, count=1), text, original


class STSCountingProxy:
    def __init__(self, target_url: str, port: int = 0, *, lifetime_seconds: Optional[int] = None,
                 on_call: Optional[Callable[[dict], None]] = None):
        if lifetime_seconds is not None and lifetime_seconds <= 0:
            raise ValueError(f"lifetime_seconds must be positive (got {lifetime_seconds})")
        self.target_url = target_url.rstrip("/")
        self.lifetime_seconds = lifetime_seconds
        self.on_call = on_call
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="sts-proxy", daemon=True)

    def start(self) -> "STSCountingProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def assume_calls(self) -> list[dict]:
        with self.lock:
            return list(self.calls)


def _handler_for(proxy: STSCountingProxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def _forward(self, method: str):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else b""
            record = None
            if method == "POST":
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                if form.get("Action") == ["AssumeRoleWithWebIdentity"]:
                    token = form.get("WebIdentityToken", [""])[0]
                    record = {
                        "role_arn": form.get("RoleArn", [None])[0],
                        "session_name": form.get("RoleSessionName", [None])[0],
                        "duration": form.get("DurationSeconds", [None])[0],
                        "policy": form.get("Policy", [None])[0],
                        "claims": unverified_claims(token),
                        "token": token,
                        "signed": "authorization" in {k.lower() for k in self.headers.keys()},
                        "status": None,
                        "received_at": time.time(),
                        "client_port": self.client_address[1],
                    }
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            request = urllib.request.Request(proxy.target_url + self.path, data=body if method == "POST" else None,
                                             headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, reply_headers, reply = response.status, response.headers.items(), response.read()
            except urllib.error.HTTPError as error:
                status, reply_headers, reply = error.code, error.headers.items(), error.read()
            if record is not None:
                record["status"] = status
                if status == 200 and proxy.lifetime_seconds is not None:
                    reply, record["expiration"], record["upstream_expiration"] = rewrite_expiration(
                        reply, proxy.lifetime_seconds, time.time())
                record["answered_at"] = time.time()
                with proxy.lock:
                    proxy.calls.append(record)
                    if proxy.on_call is not None:
                        proxy.on_call(record)
            self.send_response(status)
            for name, value in reply_headers:
                if name.lower() not in _HOP_BY_HOP | {"server", "date"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_POST(self):
            self._forward("POST")

        def do_GET(self):
            self._forward("GET")

    return Handler
