#!/usr/bin/env python3
"""Reference SigV4 signatures from botocore, for BotocoreCrossCheckTests.swift.

Reads a JSON list of requests on stdin and prints a JSON list with, for each request, the headers
botocore.auth.SigV4Auth adds and the canonical request it signed. Each request is an object:

    {"method": "POST", "path": "/model/x%3A0/converse", "query": "a=b" or null,
     "headers": [["Host", "..."], ...], "body_base64": "...",
     "access_key": "...", "secret_key": "...", "session_token": "..." or null,
     "region": "us-east-1", "service": "bedrock", "timestamp": "20261103T081530Z"}

The signing time is fixed by patching botocore.auth.get_current_datetime, the clock SigV4Auth.add_auth reads.
Exit status 3 means botocore is not importable.
"""

import base64
import datetime
import json
import sys
from unittest import mock

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:  # pragma: no cover - reported by the Swift test
    sys.stderr.write(f"botocore is not importable: {error}\n")
    sys.exit(3)


def sign(case):
    url = "https://" + _host(case) + case["path"]
    if case.get("query") is not None:
        url += "?" + case["query"]
    request = AWSRequest(method=case["method"], url=url, data=base64.b64decode(case["body_base64"]))
    for name, value in case["headers"]:
        # HTTPHeaders appends on assignment, so repeated names stay repeated, in order.
        request.headers[name] = value
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("session_token"))
    auth = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
    now = datetime.datetime.strptime(case["timestamp"], botocore.auth.SIGV4_TIMESTAMP)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        auth.add_auth(request)
    authorization = request.headers["Authorization"]
    # The canonical request add_auth signed: the same request without the Authorization header it added.
    del request.headers["Authorization"]
    canonical_request = auth.canonical_request(request)
    return {
        "authorization": authorization,
        "x_amz_date": request.headers["X-Amz-Date"],
        "x_amz_security_token": request.headers.get("X-Amz-Security-Token"),
        "canonical_request": canonical_request,
        "botocore_version": botocore.__version__,
    }


def _host(case):
    for name, value in case["headers"]:
        if name.lower() == "host":
            return value.strip()
    return "bedrock-runtime.%s.amazonaws.com" % case["region"]


def main():
    cases = json.load(sys.stdin)
    json.dump([sign(case) for case in cases], sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
