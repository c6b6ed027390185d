"""Fixtures of the end-to-end suite. Each starts a real component on a free loopback port and stops it afterwards:
moto_server (STS, IAM), a counting proxy in front of moto's STS, redis-server, the local OIDC issuer, the Bedrock
stand-in and the gateway built from this tree. A component that cannot start FAILS the tests that need it
(with its log), it never skips them.
"""
import base64
import json
import os
import pathlib
import secrets
import subprocess
import sys
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

from bedrock_standin import BedrockStandIn
from oidc_issuer import OIDCIssuer
from sts_counting_proxy import STSCountingProxy
from e2e_config import CALLERS, CATALOG, CATALOG_ISSUER, GATEWAY_CLIENT_ID, GENERATED, INBOUND_AUDIENCE, REGION
from support import ROOT, ChildProcess, free_port, gateway_binary, http_get, port_open

@pytest.fixture(scope="session")
def log_dir(tmp_path_factory) -> pathlib.Path:
    return tmp_path_factory.mktemp("component-logs")


@dataclass
class Moto:
    url: str
    process: ChildProcess


@pytest.fixture(scope="session")
def moto_server(log_dir):
    port = free_port()
    child = ChildProcess("moto_server", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                         log_dir)
    problem = None
    try:
        child.wait_until(lambda: http_get(f"http://127.0.0.1:{port}/moto-api/data.json")[0] == 200, 60,
                         "serving /moto-api/data.json")
    except RuntimeError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield Moto(f"http://127.0.0.1:{port}", child)
    child.stop()


@pytest.fixture(scope="session")
def sts_proxy(moto_server):
    proxy = STSCountingProxy(moto_server.url).start()
    yield proxy
    proxy.stop()


@dataclass
class Redis:
    port: int
    url: str
    process: ChildProcess


@pytest.fixture(scope="session")
def redis_server(log_dir):
    port = free_port()
    problem = None
    try:
        child = ChildProcess("redis-server", ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                              "--save", "", "--appendonly", "no"], log_dir)
        child.wait_until(lambda: port_open(port), 20, "accepting connections")
    except (OSError, RuntimeError) as error:
        problem = f"redis-server could not start (install Debian's redis-server): {error}"
    if problem:
        pytest.fail(problem, pytrace=False)
    yield Redis(port, f"redis://127.0.0.1:{port}", child)
    child.stop()


@pytest.fixture(scope="session")
def issuer():
    oidc = OIDCIssuer(CATALOG_ISSUER, GATEWAY_CLIENT_ID, secrets.token_urlsafe(24)).start()
    yield oidc
    oidc.stop()


@pytest.fixture(scope="session")
def bedrock(moto_server):
    standin = BedrockStandIn(moto_server.url).start()
    yield standin
    standin.stop()


@dataclass
class Gateway:
    url: str
    process: ChildProcess
    env: dict[str, str]


@pytest.fixture(scope="session")
def gateway(log_dir, sts_proxy, redis_server, issuer, bedrock):
    try:
        binary, problem = gateway_binary(), None
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as error:
        binary, problem = None, str(error)
    if problem:
        pytest.fail(f"the gateway binary is not available: {problem}", pytrace=False)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "GATEWAY_LOG_LEVEL": "debug",  # the no-secret-in-logs test then covers the most verbose output
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "GATEWAY_CATALOG": str(CATALOG),
        "GATEWAY_REDIS_URL": redis_server.url,
        "GATEWAY_CACHE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "GATEWAY_INBOUND_AUDIENCE": INBOUND_AUDIENCE,
        "GATEWAY_GROUPS_CLAIM": "groups",
        "GATEWAY_IDP_JWKS_URL": issuer.jwks_url,
        "GATEWAY_IDP_TOKEN_URL": issuer.token_url,
        "GATEWAY_CLIENT_ID": issuer.client_id,
        "GATEWAY_CLIENT_SECRET": issuer.client_secret,
        "GATEWAY_STS_ENDPOINT": sts_proxy.url,
        "GATEWAY_BEDROCK_ENDPOINT": bedrock.url,
    }
    child = ChildProcess("gateway", [str(binary)], log_dir, env=env, cwd=ROOT)
    problem = None
    try:
        child.wait_until(lambda: http_get(f"http://127.0.0.1:{port}/ready", 2)[0] == 200, 60, "GET /ready = 200")
    except RuntimeError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    gw = Gateway(f"http://127.0.0.1:{port}", child, env)
    yield gw
    status = child.stop()
    print(f"\ngateway stopped with status {status}; log: {child.log_path}")


@pytest.fixture(scope="session")
def moto_iam(moto_server):
    """Loads policies/generated (OIDC providers, roles, trust and permission policies) into moto's IAM, per account.

    moto does not evaluate trust policies for AssumeRoleWithWebIdentity, so this is not needed for STS to answer;
    it proves the generated documents are accepted by IAM's API shapes and lets tests read them back from IAM.
    """
    manifest = json.loads((GENERATED / "manifest.json").read_text())
    clients = {}

    def iam(account: str):
        if account not in clients:
            client = boto3.client("iam", endpoint_url=moto_server.url, region_name=REGION,
                                  aws_access_key_id="testing", aws_secret_access_key="testing",
                                  config=Config(retries={"max_attempts": 1}))

            def pin_account(request, **_):
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-send.iam.*", pin_account)
            clients[account] = client
        return clients[account]

    for provider in manifest["oidc_providers"]:
        iam(provider["account"]).create_open_id_connect_provider(**json.loads((GENERATED / provider["file"]).read_text()))
    for role in manifest["roles"]:
        client = iam(role["account"])
        client.create_role(RoleName=role["name"],
                           AssumeRolePolicyDocument=(GENERATED / role["trust_policy_file"]).read_text())
        for policy in role["policies"]:
            created = client.create_policy(PolicyName=policy["name"],
                                           PolicyDocument=(GENERATED / policy["file"]).read_text())
            client.attach_role_policy(RoleName=role["name"], PolicyArn=created["Policy"]["Arn"])
    return iam


class Tokens:
    """Mints caller tokens through the session's issuer and remembers each, so tests can prove none is logged."""

    def __init__(self, issuer: OIDCIssuer):
        self.issuer = issuer
        self.minted: list[str] = []

    def _keep(self, token: str) -> str:
        self.minted.append(token)
        return token

    def caller(self, name: str, **kwargs) -> str:
        return self._keep(self.issuer.mint(sub=f"{name}@acme.example", groups=CALLERS[name], aud=INBOUND_AUDIENCE, **kwargs))

    def expired(self, name: str) -> str:
        return self._keep(self.issuer.mint_expired(sub=f"{name}@acme.example", groups=CALLERS[name], aud=INBOUND_AUDIENCE))

    def alg_none(self, name: str) -> str:
        return self._keep(self.issuer.mint_alg_none(sub=f"{name}@acme.example", groups=CALLERS[name], aud=INBOUND_AUDIENCE))

    def wrong_audience(self, name: str) -> str:
        return self._keep(self.issuer.mint_wrong_audience(sub=f"{name}@acme.example", groups=CALLERS[name]))

    def unknown_kid(self, name: str) -> str:
        return self._keep(self.issuer.mint_unknown_kid(sub=f"{name}@acme.example", groups=CALLERS[name], aud=INBOUND_AUDIENCE))


@pytest.fixture(scope="session")
def tokens(issuer) -> Tokens:
    return Tokens(issuer)


@pytest.fixture()
def bedrock_client(gateway, monkeypatch):
    """Factory for the real boto3 `bedrock-runtime` client, configured only by endpoint_url and
    AWS_BEARER_TOKEN_BEDROCK (botocore then sends `Authorization: Bearer <token>`).

    `use_case_header` adds `X-Use-Case-Id` with a before-sign event hook; `extra_headers` likewise;
    `config` is for the few tests that must bound the SDK's own retries.
    """
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    def make(token: str, path: str = "", use_case_header: str | None = None, extra_headers: dict | None = None,
             config: Config | None = None):
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", token)
        client = boto3.session.Session().client("bedrock-runtime", endpoint_url=gateway.url + path,
                                                region_name=REGION, config=config)
        headers = dict(extra_headers or {})
        if use_case_header:
            headers["X-Use-Case-Id"] = use_case_header
        if headers:
            def add_headers(request, **_):
                for name, value in headers.items():
                    request.headers[name] = value
            client.meta.events.register("before-sign.bedrock-runtime.*", add_headers)
        return client

    return make
