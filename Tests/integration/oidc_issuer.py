#!/usr/bin/env python3
"""A small local OIDC issuer: RS256 keys with `kid`, discovery, JWKS and a client-credentials token endpoint.

Its tokens carry `iss` = the configured issuer string (the catalog's https://acme.okta.com/oauth2/default), which
need not resolve: the gateway is pointed at the local JWKS and token URLs directly.

GET  /.well-known/openid-configuration   discovery document (jwks_uri and token_endpoint are local)
GET  /jwks                               the public keys (only the `published` ones)
POST /token                              grant_type=client_credentials, client authenticated with HTTP Basic;
                                         answers an RS256 access token with aud = sub = the client id
GET  /_issuer/stats                      {"token_requests": n, "token_failures": n, "jwks_requests": n, ...}

Usage: oidc_issuer.py --issuer URL --client-id ID --client-secret SECRET [--port N]   (prints "PORT <n>")
"""
import argparse
import base64
import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

TOKEN_LIFETIME = 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class OIDCIssuer:
    """Mints tokens and serves the issuer's endpoints on a background thread."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, port: int = 0):
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": "issuer-key-1", "use": "sig", "alg": "RS256"})
        # Signs tokens whose kid the JWKS never lists.
        self.unpublished_key = RSAKey.generate_key(2048, parameters={"kid": "unpublished-key", "use": "sig", "alg": "RS256"})
        self.lock = threading.Lock()
        self.stats = {"token_requests": 0, "token_failures": 0, "jwks_requests": 0, "discovery_requests": 0}
        self.issued_client_tokens: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.jwks_url = self.url + "/jwks"
        self.token_url = self.url + "/token"
        self._thread = threading.Thread(target=self.server.serve_forever, name="oidc-issuer", daemon=True)

    def start(self) -> "OIDCIssuer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, name: str) -> None:
        with self.lock:
            self.stats[name] += 1

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.stats)

    def jwks(self) -> dict:
        return KeySet([self.signing_key]).as_dict(private=False)

    # -- minting ----------------------------------------------------------------------------------------------

    def mint(
        self,
        sub: str = "alice@acme.example",
        groups: list[str] | None = None,
        aud: str | list[str] = "acme-genai-apps",
        lifetime: int = 900,
        extra: dict | None = None,
        key: RSAKey | None = None,
        issuer: str | None = None,
    ) -> str:
        """An RS256 caller token (`exp` in the past when `lifetime` is negative)."""
        now = int(time.time())
        claims = {
            "iss": issuer or self.issuer,
            "sub": sub,
            "aud": aud,
            "iat": now - 5,
            "nbf": now - 5,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        }
        if groups is not None:
            claims["groups"] = groups
        claims.update(extra or {})
        key = key or self.signing_key
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)

    def mint_expired(self, **kwargs) -> str:
        """Expired ten minutes ago (well beyond any 60 s skew)."""
        return self.mint(lifetime=-600, **kwargs)

    def mint_wrong_audience(self, **kwargs) -> str:
        return self.mint(aud="some-other-app", **kwargs)

    def mint_unknown_kid(self, **kwargs) -> str:
        """Correctly formed RS256, signed by a key whose `kid` the JWKS does not list."""
        return self.mint(key=self.unpublished_key, **kwargs)

    def mint_alg_none(self, sub: str = "mallory@acme.example", groups: list[str] | None = None,
                      aud: str = "acme-genai-apps") -> str:
        """An unsigned token (`alg: none`, empty signature) with otherwise valid claims."""
        now = int(time.time())
        header = {"alg": "none", "typ": "JWT", "kid": self.signing_key.kid}
        claims = {"iss": self.issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + 900, "groups": groups or []}
        return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}."

    def verify(self, token: str) -> dict:
        """Claims of a token this issuer signed (raises if it did not)."""
        return jwt.decode(token, KeySet([self.signing_key]), algorithms=["RS256"]).claims


def _handler_for(issuer: OIDCIssuer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def _send(self, status: int, obj) -> None:
            data = json.dumps(obj).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/.well-known/openid-configuration":
                issuer.count("discovery_requests")
                self._send(200, {
                    "issuer": issuer.issuer,
                    "jwks_uri": issuer.jwks_url,
                    "token_endpoint": issuer.token_url,
                    "grant_types_supported": ["client_credentials"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                })
            elif self.path == "/jwks":
                issuer.count("jwks_requests")
                self._send(200, issuer.jwks())
            elif self.path == "/_issuer/stats":
                self._send(200, issuer.snapshot())
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8") if length else ""
            if self.path != "/token":
                self._send(404, {"error": "not_found"})
                return
            issuer.count("token_requests")
            form = urllib.parse.parse_qs(body)
            client = self._basic_client()
            if client != (issuer.client_id, issuer.client_secret):
                issuer.count("token_failures")
                self._send(401, {"error": "invalid_client", "error_description": "client authentication failed"})
                return
            if form.get("grant_type") != ["client_credentials"]:
                issuer.count("token_failures")
                self._send(400, {"error": "unsupported_grant_type"})
                return
            now = int(time.time())
            claims = {"iss": issuer.issuer, "sub": issuer.client_id, "aud": issuer.client_id, "cid": issuer.client_id,
                      "iat": now, "exp": now + TOKEN_LIFETIME, "jti": uuid.uuid4().hex}
            if form.get("scope"):
                claims["scp"] = form["scope"][0].split()
            token = jwt.encode({"alg": "RS256", "kid": issuer.signing_key.kid, "typ": "JWT"}, claims, issuer.signing_key)
            with issuer.lock:
                issuer.issued_client_tokens.append(token)
            self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                             "scope": form.get("scope", [""])[0]})

        def _basic_client(self):
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return None
            try:
                decoded = base64.b64decode(header[6:]).decode("utf-8")
            except ValueError:
                return None
            user, _, password = decoded.partition(":")
            return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issuer", default="https://acme.okta.com/oauth2/default")
    parser.add_argument("--client-id", default="genai-gateway")
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    issuer = OIDCIssuer(args.issuer, args.client_id, args.client_secret, args.port)
    print(f"PORT {issuer.port}", flush=True)
    issuer.server.serve_forever()


if __name__ == "__main__":
    main()
