"""A tiny HTTP proxy in front of moto that counts and records STS AssumeRoleWithWebIdentity calls.

moto keeps no call counter, so the gateway is given this proxy as its STS endpoint. Every request is forwarded
to moto unchanged; for AssumeRoleWithWebIdentity the proxy records the RoleArn, RoleSessionName,
DurationSeconds, the session Policy, the web-identity token's (unverified) claims and moto's HTTP status.
The token itself is kept only in memory for the tests to verify against the issuer's keys.
"""
import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
               "proxy-authenticate", "host", "content-length"}


def unverified_claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class STSCountingProxy:
    def __init__(self, target_url: str, port: int = 0):
        self.target_url = target_url.rstrip("/")
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
                with proxy.lock:
                    proxy.calls.append(record)
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
