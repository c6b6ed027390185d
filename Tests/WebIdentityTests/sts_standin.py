#!/usr/bin/env python3
"""A local stand-in for AWS STS AssumeRoleWithWebIdentity, for the error codes moto cannot produce.

Usage: sts_standin.py [PORT]   (0 or absent: an ephemeral port). Prints "PORT <n>" on stdout once listening.

POST /                 an AssumeRoleWithWebIdentity call (query protocol). Each call takes the next scripted
                       answer; with none left it succeeds.
POST /control/script   JSON list of answers, replacing the script and resetting the call log. Each answer:
                         {"status": 400, "code": "Throttling", "message": "Rate exceeded", "type": "Sender",
                          "root": "ErrorResponse" | "Errors", "body": "<raw body>", "delay": seconds,
                          "fractional": true | false, "omit_optional": true | false}
                       An answer without "code" and "body" is a success.
GET  /calls            JSON {"count": n, "calls": [{"params": {...}, "content_type": ..., "authorization": ...}]}
"""
import json
import signal
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
lock = threading.Lock()
script = []
calls = []


def success_body(params, answer):
    duration = int(params.get("DurationSeconds", "3600"))
    expiration = datetime.now(timezone.utc) + timedelta(seconds=duration)
    if answer.get("fractional", False):
        stamp = expiration.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        stamp = expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    session = params.get("RoleSessionName", "session")
    role_arn = params.get("RoleArn", "arn:aws:iam::123456789012:role/Unknown")
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else "123456789012"
    role_name = role_arn.rsplit("/", 1)[-1]
    optional = ""
    if not answer.get("omit_optional", False):
        optional = (
            "<SubjectFromWebIdentityToken>standin-subject</SubjectFromWebIdentityToken>"
            "<Audience>standin-audience</Audience>"
            "<Provider>https://standin-issuer.example</Provider>"
            "<SourceIdentity>standin-source</SourceIdentity>"
        )
    return (
        f'<AssumeRoleWithWebIdentityResponse xmlns="{NS}"><AssumeRoleWithWebIdentityResult>'
        f"{optional}"
        "<Credentials><AccessKeyId>ASIASTANDIN000000001</AccessKeyId>"
        "<SecretAccessKey>standinSecretKey/0123456789abcdefghijkl</SecretAccessKey>"
        "<SessionToken>standin-session-token+/=</SessionToken>"
        f"<Expiration>{stamp}</Expiration></Credentials>"
        f"<AssumedRoleUser><AssumedRoleId>AROASTANDIN:{session}</AssumedRoleId>"
        f"<Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{session}</Arn></AssumedRoleUser>"
        "<PackedPolicySize>7</PackedPolicySize>"
        "</AssumeRoleWithWebIdentityResult>"
        "<ResponseMetadata><RequestId>standin-request-id</RequestId></ResponseMetadata>"
        "</AssumeRoleWithWebIdentityResponse>"
    )


def error_body(answer):
    code = answer["code"]
    message = answer.get("message", "")
    kind = answer.get("type", "Sender")
    message = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if answer.get("root") == "Errors":
        return (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>standin-error-request-id</RequestID></Response>"
        )
    return (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>standin-error-request-id</RequestId></ErrorResponse>"
    )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _send(self, status, body, content_type="text/xml"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length).decode("utf-8") if length else ""

    def do_GET(self):
        if self.path == "/calls":
            with lock:
                self._send(200, json.dumps({"count": len(calls), "calls": calls}), "application/json")
        elif self.path == "/health":
            self._send(200, "ok", "text/plain")
        else:
            self._send(404, "not found", "text/plain")

    def do_POST(self):
        body = self._body()
        if self.path == "/control/script":
            with lock:
                script[:] = json.loads(body or "[]")
                calls.clear()
            self._send(200, "{}", "application/json")
            return
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        with lock:
            calls.append(
                {
                    "params": params,
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization"),
                    "path": self.path,
                }
            )
            answer = script.pop(0) if script else {}
        if answer.get("delay"):
            time.sleep(float(answer["delay"]))
        if params.get("Action") != "AssumeRoleWithWebIdentity":
            answer = {"status": 400, "code": "InvalidAction", "message": "unexpected action"}
        if "body" in answer:
            self._send(answer.get("status", 500), answer["body"], answer.get("content_type", "text/html"))
        elif "code" in answer:
            self._send(answer.get("status", 400), error_body(answer))
        else:
            self._send(200, success_body(params, answer))


def main():
    # A parent that spawns from a thread with blocked signals passes that mask on; unblock so SIGTERM stops us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
