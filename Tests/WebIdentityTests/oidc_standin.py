#!/usr/bin/env python3
"""A local OIDC issuer stand-in: discovery document, JWKS and a client_credentials token endpoint.

Usage: oidc_standin.py CLIENT_ID CLIENT_SECRET [PORT]   Prints "PORT <n>" on stdout once listening.

GET  /.well-known/openid-configuration   discovery (issuer = http://127.0.0.1:<port>)
GET  /jwks                               the RS256 public key
POST /oauth2/token                       client_credentials (HTTP Basic client auth); issues RS256 JWTs with
                                         iss, sub (= client id), aud (audience param or "default-audience"),
                                         iat, exp (= now + lifetime) and scope
POST /control                            JSON {"lifetime": s, "delay": s, "fail_status": n, "fail_error": "...",
                                         "fail_description": "...", "omit_exp": bool, "discovery_status": n}
GET  /stats                              JSON {"token_requests": n, "discovery_requests": n, "last": {...}}
"""
import base64
import json
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

KEY = RSAKey.generate_key(2048, parameters={"kid": "standin-key", "use": "sig", "alg": "RS256"})
lock = threading.Lock()
state = {"lifetime": 3600, "delay": 0.0, "fail_status": None, "fail_error": None, "fail_description": None,
         "omit_exp": False, "discovery_status": 200}
stats = {"token_requests": 0, "discovery_requests": 0, "last": None}
CLIENT_ID = sys.argv[1]
CLIENT_SECRET = sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _send(self, status, obj):
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length).decode("utf-8") if length else ""

    def do_GET(self):
        if self.path == "/.well-known/openid-configuration":
            with lock:
                stats["discovery_requests"] += 1
                status = state["discovery_status"]
            if status != 200:
                self._send(status, {"error": "unavailable"})
                return
            issuer = self.issuer()
            self._send(200, {
                "issuer": issuer,
                "token_endpoint": issuer + "/oauth2/token",
                "jwks_uri": issuer + "/jwks",
                "grant_types_supported": ["client_credentials"],
                "id_token_signing_alg_values_supported": ["RS256"],
            })
        elif self.path == "/jwks":
            self._send(200, {"keys": [KEY.as_dict(private=False)]})
        elif self.path == "/stats":
            with lock:
                self._send(200, stats)
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self):
        body = self._body()
        if self.path == "/control":
            with lock:
                state.update(json.loads(body or "{}"))
                stats["token_requests"] = 0
                stats["discovery_requests"] = 0
            self._send(200, {})
            return
        if self.path != "/oauth2/token":
            self._send(404, {"error": "not_found"})
            return
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        auth = self.headers.get("Authorization", "")
        with lock:
            stats["token_requests"] += 1
            stats["last"] = {"form": form, "content_type": self.headers.get("Content-Type"),
                             "has_basic_auth": auth.startswith("Basic ")}
            current = dict(state)
        if current["delay"]:
            time.sleep(float(current["delay"]))
        if current["fail_status"]:
            self._send(current["fail_status"], {"error": current["fail_error"],
                                                "error_description": current["fail_description"]})
            return
        client_id = client_secret = None
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode("utf-8")
            raw_id, _, raw_secret = decoded.partition(":")
            client_id = urllib.parse.unquote_plus(raw_id)
            client_secret = urllib.parse.unquote_plus(raw_secret)
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            self._send(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
            return
        if form.get("grant_type") != "client_credentials":
            self._send(400, {"error": "unsupported_grant_type",
                             "error_description": "only client_credentials is supported"})
            return
        now = int(time.time())
        lifetime = int(current["lifetime"])
        claims = {"iss": self.issuer(), "sub": client_id, "aud": form.get("audience", "default-audience"),
                  "iat": now, "jti": str(uuid.uuid4())}
        if not current["omit_exp"]:
            claims["exp"] = now + lifetime
        if "scope" in form:
            claims["scope"] = form["scope"]
        token = jwt.encode({"alg": "RS256", "kid": "standin-key"}, claims, KEY)
        answer = {"access_token": token, "token_type": "Bearer"}
        if not current["omit_exp"]:
            answer["expires_in"] = lifetime
        self._send(200, answer)


def main():
    # A parent that spawns from a thread with blocked signals passes that mask on; unblock so SIGTERM stops us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
