#!/usr/bin/env python3
"""A tiny local OIDC issuer for the CallerAuth tests, independent of the Swift code under test.

It binds 127.0.0.1 on a free port, mints tokens with joserfc (RS256, ES256, plus alg "none" and HS256 that a
verifier must refuse), prints one JSON line to stdout:

    {"issuer": "http://127.0.0.1:PORT", "jwks_url": ..., "tokens": {...}}

and then serves, until stdin closes or it is terminated:

    /.well-known/openid-configuration   discovery document (issuer, jwks_uri)
    /jwks                               the public keys (rsa-1, ec-1)
    /stats                              request counts per path, as JSON
    /broken/.well-known/openid-configuration and /broken/jwks   HTTP 503

Usage: oidc_issuer.py AUDIENCE
Exit status 3 means joserfc is not importable.
"""
import json
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from joserfc import jwt
    from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey
except ImportError as error:  # reported by the Swift test
    print(f"joserfc is not importable: {error}", file=sys.stderr)
    sys.exit(3)

warnings.simplefilter("ignore")  # joserfc warns about "none", which is the point of that token

AUDIENCE = sys.argv[1] if len(sys.argv) > 1 else "genai-gateway"
COUNTS = {}
COUNTS_LOCK = threading.Lock()

rsa_key = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig", "alg": "RS256"})
ec_key = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig", "alg": "ES256"})
unpublished_key = RSAKey.generate_key(2048, parameters={"kid": "rsa-unpublished"})
hmac_key = OctKey.generate_key(256)
JWKS = KeySet([rsa_key, ec_key]).as_dict(private=False)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with COUNTS_LOCK:
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
        if self.path == "/.well-known/openid-configuration":
            self._send(200, {"issuer": ISSUER, "jwks_uri": ISSUER + "/jwks",
                             "id_token_signing_alg_values_supported": ["RS256", "ES256"]})
        elif self.path == "/jwks":
            self._send(200, JWKS)
        elif self.path == "/stats":
            with COUNTS_LOCK:
                self._send(200, dict(COUNTS))
        elif self.path.startswith("/broken/"):
            self._send(503, {"error": "temporarily unavailable"})
        else:
            self._send(404, {"error": "not found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
PORT = server.server_address[1]
ISSUER = f"http://127.0.0.1:{PORT}"

now = int(time.time())
base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice@example.com", "iat": now, "nbf": now - 5,
        "exp": now + 600, "groups": ["support-desk", "genai-users"]}


def mint(header, claims, key, algorithms=None):
    return jwt.encode(header, claims, key, algorithms=algorithms)


tokens = {
    "rs256": mint({"alg": "RS256", "kid": "rsa-1"}, base, rsa_key),
    "es256": mint({"alg": "ES256", "kid": "ec-1"},
                  {**base, "sub": "bob@example.com", "aud": ["other-app", AUDIENCE], "groups": "ops"}, ec_key),
    "none": mint({"alg": "none"}, base, None, algorithms=["none"]),
    "hs256": mint({"alg": "HS256", "kid": "rsa-1"}, base, hmac_key),
    "rs256_wrong_audience": mint({"alg": "RS256", "kid": "rsa-1"}, {**base, "aud": "someone-else"}, rsa_key),
    "rs256_expired": mint({"alg": "RS256", "kid": "rsa-1"}, {**base, "iat": now - 7200, "nbf": now - 7200,
                                                             "exp": now - 3600}, rsa_key),
    "rs256_unpublished_key": mint({"alg": "RS256", "kid": "rsa-unpublished"}, base, unpublished_key),
    "es256_signed_by_rsa_kid": mint({"alg": "ES256", "kid": "rsa-1"}, base, ec_key),
}

print(json.dumps({"issuer": ISSUER, "jwks_url": ISSUER + "/jwks", "audience": AUDIENCE, "tokens": tokens,
                  "now": now}), flush=True)

threading.Thread(target=server.serve_forever, daemon=True).start()
try:
    sys.stdin.read()  # the test closes stdin (or terminates us) when it is done
finally:
    server.shutdown()
