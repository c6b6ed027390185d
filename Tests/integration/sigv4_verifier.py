"""Verifies a received request's SigV4 signature with botocore, against the credentials moto issued.

moto 5.2.1 lists every credential its STS handed out at `GET /moto-api/data.json`, under
`sts.AssumedRole[]` with `access_key_id`, `secret_access_key`, `session_token` and `role_arn`
(verified against moto 5.2.1 server mode: AssumeRoleWithWebIdentity adds an entry there).
"""
import datetime
import hashlib
import json
import re
import threading
import urllib.request
from dataclasses import dataclass

from botocore.auth import SIGNED_HEADERS_BLACKLIST, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[a-z0-9;\-]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)
MAX_CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedCredential:
    access_key_id: str
    secret_access_key: str
    session_token: str
    role_arn: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # "verified" or what was wrong (never a secret)
    access_key_id: str | None = None
    role_arn: str | None = None
    region: str | None = None
    service: str | None = None
    signed_headers: tuple[str, ...] = ()


class MotoCredentialDirectory:
    """Looks up credentials issued by a moto server by access key id (refetching data.json on a miss)."""

    def __init__(self, moto_url: str):
        self._url = moto_url.rstrip("/") + "/moto-api/data.json"
        self._lock = threading.Lock()
        self._known: dict[str, IssuedCredential] = {}

    def _refresh(self) -> None:
        with urllib.request.urlopen(self._url, timeout=10) as response:
            data = json.load(response)
        for entry in data.get("sts", {}).get("AssumedRole", []):
            credential = IssuedCredential(
                entry["access_key_id"], entry["secret_access_key"], entry["session_token"], entry["role_arn"]
            )
            self._known[credential.access_key_id] = credential

    def lookup(self, access_key_id: str) -> IssuedCredential | None:
        with self._lock:
            if access_key_id not in self._known:
                self._refresh()
            return self._known.get(access_key_id)


def verify(
    method: str,
    raw_path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    directory: MotoCredentialDirectory,
    expected_service: str = "bedrock",
    now: datetime.datetime | None = None,
) -> Verdict:
    """Recomputes the request's signature with botocore's SigV4Auth and compares it."""
    lower = {}
    for name, value in headers:
        lower.setdefault(name.lower(), []).append(value)

    authorization = (lower.get("authorization") or [""])[0]
    match = _AUTHORIZATION.match(authorization)
    if not match:
        kind = authorization.split(" ", 1)[0] if authorization else "none"
        return Verdict(False, f"Authorization is not a SigV4 header (scheme: {kind})")
    key, region, service = match["key"], match["region"], match["service"]
    signed = tuple(match["signed"].split(";"))
    base = dict(access_key_id=key, region=region, service=service, signed_headers=signed)

    if service != expected_service:
        return Verdict(False, f"credential scope names service {service!r}, expected {expected_service!r}", **base)
    amz_date = (lower.get("x-amz-date") or [""])[0]
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return Verdict(False, "X-Amz-Date is missing or not in YYYYMMDDTHHMMSSZ form", **base)
    if match["date"] != amz_date[:8]:
        return Verdict(False, "credential scope date differs from X-Amz-Date", **base)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        return Verdict(False, f"X-Amz-Date {amz_date} is more than 5 minutes from now", **base)
    for required in ("host", "x-amz-date", "x-amz-security-token"):
        if required not in signed:
            return Verdict(False, f"SignedHeaders lacks {required}", **base)
    for name in signed:
        if name in SIGNED_HEADERS_BLACKLIST:
            return Verdict(False, f"SignedHeaders includes {name}, which SigV4 signers must not sign", **base)
        if name not in lower:
            return Verdict(False, f"signed header {name} is not in the request", **base)
    content_sha = lower.get("x-amz-content-sha256")
    if content_sha and content_sha[0] not in ("UNSIGNED-PAYLOAD", hashlib.sha256(body).hexdigest()):
        return Verdict(False, "X-Amz-Content-SHA256 does not match the body", **base)

    credential = directory.lookup(key)
    if credential is None:
        return Verdict(False, f"access key {key} was not issued by moto STS", **base)
    base["role_arn"] = credential.role_arn
    if lower["x-amz-security-token"][0] != credential.session_token:
        return Verdict(False, "X-Amz-Security-Token is not the session token issued with this access key", **base)

    request = AWSRequest(
        method=method,
        url=f"http://{lower['host'][0]}{raw_path}",
        headers={name: ",".join(lower[name]) for name in signed},
        data=body,
    )
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(credential.access_key_id, credential.secret_access_key, credential.session_token), service, region
    )
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != match["signature"]:
        return Verdict(False, "signature mismatch (botocore computes a different signature)", **base)
    return Verdict(True, "verified", **base)
