#!/usr/bin/env python3
"""The whole gateway flow on one machine, with no AWS account: starts every component on loopback ports, runs a
short boto3 session that shows what the gateway does, and stops everything it started.

Components (the same ones the end-to-end suite uses, imported from Tests/integration):
  OIDC issuer        oidc_issuer.py, in-process     JWKS, discovery, client-credentials /token; mints caller tokens
  STS                moto_server, child process     AssumeRoleWithWebIdentity
  STS counting proxy sts_counting_proxy.py         the gateway's STS endpoint; counts AssumeRoleWithWebIdentity calls
  Redis              redis-server, child process    the shared, encrypted credential cache
  Bedrock stand-in   bedrock_standin.py, in-process verifies each request's SigV4 signature, answers and streams
  gateway            the binary built from this tree ($GATEWAY_BIN, --gateway-bin, else `swift build --show-bin-path`)

  scripts/local_stack.py --demo     run the scripted session, then stop everything (the default)
  scripts/local_stack.py --serve    run the session, then keep serving until Ctrl-C (prints how to call it)

Every child runs in its own process group and is stopped (SIGTERM, then SIGKILL, to the whole group) on exit,
on Ctrl-C and on SIGTERM/SIGHUP. scripts/local-stack.sh installs the prerequisites and builds the gateway first.
"""
import argparse
import base64
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "integration"))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

from bedrock_standin import BedrockStandIn  # noqa: E402
from e2e_config import CALLERS, CATALOG, CATALOG_ISSUER, GATEWAY_CLIENT_ID, INBOUND_AUDIENCE, REGION  # noqa: E402
from oidc_issuer import OIDCIssuer  # noqa: E402
from sts_counting_proxy import STSCountingProxy  # noqa: E402
from support import ChildProcess, free_port, gateway_binary, http_get, port_open  # noqa: E402

SIMPLE_PROMPT = "How do I reset my password?"
COMPLEX_PROMPT = (
    "Our VPN drops every 20 minutes or so for remote staff on macOS Sonoma but never on Windows. We use "
    "GlobalProtect 6.1 with SAML through Okta. Walk me through how to narrow down the root cause: which logs to "
    "collect on the client and on the firewall, and which configuration differences between the platforms could "
    "explain it. Then compare three remediation options, weigh their risks, and write a step-by-step rollout plan."
)
CACHE_DEMO_REQUESTS = 20
SERVE_TOKEN_LIFETIME = 12 * 3600


class Stop(Exception):
    """Raised by the signal handlers so that every `finally` runs and the stack is torn down."""


def _raise_stop(signum, _frame):
    raise Stop(signal.Signals(signum).name)


class LocalStack:
    """Starts the components in dependency order and stops them in reverse, whatever happens in between."""

    def __init__(self, gateway_bin: pathlib.Path, port: int, log_dir: pathlib.Path, log_level: str):
        self.gateway_bin = gateway_bin
        self.port = port
        self.log_dir = log_dir
        self.log_level = log_level
        self.children: list[ChildProcess] = []
        self.threads: list = []  # in-process servers, each with stop()

    # -- start ---------------------------------------------------------------------------------------------------

    def _child(self, name: str, argv: list[str], ready, what: str, timeout: float, **kwargs) -> ChildProcess:
        child = ChildProcess(name, argv, self.log_dir, **kwargs)
        self.children.append(child)
        child.wait_until(ready, timeout, what)
        return child

    def start(self) -> "LocalStack":
        self.issuer = OIDCIssuer(CATALOG_ISSUER, GATEWAY_CLIENT_ID, secrets.token_urlsafe(24)).start()
        self.threads.append(self.issuer)
        say("OIDC issuer", f"{self.issuer.url}  (iss {CATALOG_ISSUER})")

        moto_port = free_port()
        self.moto_url = f"http://127.0.0.1:{moto_port}"
        moto = self._child("moto_server", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                           lambda: http_get(self.moto_url + "/moto-api/data.json")[0] == 200, "serving STS", 60)
        say("STS (moto)", f"{self.moto_url}  pid {moto.process.pid}")

        self.sts = STSCountingProxy(self.moto_url).start()
        self.threads.append(self.sts)
        say("STS counting proxy", self.sts.url)

        redis_port = free_port()
        try:
            redis = self._child("redis-server", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                                                 "--save", "", "--appendonly", "no"],
                                lambda: port_open(redis_port), "accepting connections", 20)
        except FileNotFoundError as error:
            raise RuntimeError(f"redis-server is not installed (scripts/local-stack.sh installs it): {error}") from None
        self.redis_url = f"redis://127.0.0.1:{redis_port}"
        say("Redis", f"{self.redis_url}  pid {redis.process.pid}")

        self.bedrock = BedrockStandIn(self.moto_url).start()
        self.threads.append(self.bedrock)
        say("Bedrock stand-in", f"{self.bedrock.url}  (verifies every SigV4 signature)")

        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "GATEWAY_LOG_LEVEL": self.log_level,
            "GATEWAY_LISTEN": f"127.0.0.1:{self.port}",
            "GATEWAY_CATALOG": str(CATALOG),
            "GATEWAY_REDIS_URL": self.redis_url,
            "GATEWAY_CACHE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "GATEWAY_INBOUND_AUDIENCE": INBOUND_AUDIENCE,
            "GATEWAY_IDP_JWKS_URL": self.issuer.jwks_url,
            "GATEWAY_IDP_TOKEN_URL": self.issuer.token_url,
            "GATEWAY_CLIENT_ID": self.issuer.client_id,
            "GATEWAY_CLIENT_SECRET": self.issuer.client_secret,
            "GATEWAY_STS_ENDPOINT": self.sts.url,
            "GATEWAY_BEDROCK_ENDPOINT": self.bedrock.url,
        }
        gateway = self._child("gateway", [str(self.gateway_bin)],
                              lambda: http_get(self.url + "/ready", 2)[0] == 200, "GET /ready = 200", 60,
                              env=env, cwd=ROOT)
        say("gateway", f"{self.url}  pid {gateway.process.pid}  ({self.gateway_bin})")
        print(f"  logs: {self.log_dir}", flush=True)
        return self

    # -- stop ----------------------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stops the children (gateway first) as whole process groups, then the in-process servers."""
        for child in reversed(self.children):
            _stop_group(child)
        for server in reversed(self.threads):
            try:
                server.stop()
            except OSError:
                pass
        self.children.clear()
        self.threads.clear()


def _stop_group(child: ChildProcess, timeout: float = 10.0) -> None:
    """SIGTERM to the child's process group (it leads its own session), SIGKILL to what is left after `timeout`."""
    pgid = child.process.pid
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        child.process.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(pgid, signal.SIGKILL)  # anything the child itself started and left behind
    except ProcessLookupError:
        pass
    child.stop(timeout=5)
    print(f"  stopped {child.name} (pid {pgid}, status {child.process.returncode})", flush=True)


# -- output ------------------------------------------------------------------------------------------------------

def say(name: str, detail: str) -> None:
    print(f"  {name:<20} {detail}", flush=True)


def step(number: int, title: str) -> None:
    print(f"\n[{number}/6] {title}", flush=True)


def result(label: str, text: str) -> None:
    print(f"  -> {label}: {text}", flush=True)


class DemoFailure(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise DemoFailure(message)


# -- the scripted session ----------------------------------------------------------------------------------------

def _clean_aws_environment() -> None:
    """boto3 must use nothing from this machine's AWS setup: only endpoint_url and AWS_BEARER_TOKEN_BEDROCK."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_REGION", "AWS_REGION"):
        os.environ.pop(name, None)
    os.environ["AWS_CONFIG_FILE"] = "/nonexistent/aws-config"
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials"
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def client_for(stack: LocalStack, caller: str, use_case: str):
    """An unmodified boto3 bedrock-runtime client: the endpoint names the use case, the caller's IdP token is the
    bearer token (botocore sends `Authorization: Bearer ...`)."""
    os.environ["AWS_BEARER_TOKEN_BEDROCK"] = stack.issuer.mint(sub=f"{caller}@acme.example", groups=CALLERS[caller],
                                                               aud=INBOUND_AUDIENCE)
    return boto3.session.Session().client("bedrock-runtime", endpoint_url=f"{stack.url}/use-cases/{use_case}",
                                          region_name=REGION, config=Config(retries={"max_attempts": 1}))


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": [{"text": text}]}]


def headers(response: dict) -> dict:
    return response["ResponseMetadata"]["HTTPHeaders"]


def refusal(call) -> tuple[str, str]:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"]
    raise DemoFailure("the gateway answered a request it should have refused")


def run_demo(stack: LocalStack) -> None:
    _clean_aws_environment()
    print("\nA boto3 bedrock-runtime client, changed only by endpoint_url and AWS_BEARER_TOKEN_BEDROCK:", flush=True)

    step(1, "Converse: alice (group genai-usecase-a) asks UseCaseA's titan-text-express")
    alice = client_for(stack, "alice", "UseCaseA")
    reply = alice.converse(modelId="titan-text-express", messages=user("Hello, who are you?"))
    h = headers(reply)
    text = reply["output"]["message"]["content"][0]["text"]
    result("Converse answered", repr(text))
    result("served by", f"model {h.get('x-gateway-model')} in account {h.get('x-gateway-account')} "
                        f"(use case {h.get('x-gateway-use-case')}, route {h.get('x-gateway-route')})")
    expect(bool(text), "the Converse answer is empty")

    step(2, "ConverseStream: the answer arrives frame by frame")
    stream = alice.converse_stream(modelId="claude-sonnet-4-5", messages=user("Tell me something."))
    print("  -> Streamed answer: ", end="", flush=True)
    chunks, usage = [], {}
    for event in stream["stream"]:
        if "contentBlockDelta" in event:
            chunk = event["contentBlockDelta"]["delta"].get("text", "")
            chunks.append(chunk)
            print(chunk, end="", flush=True)
        elif "metadata" in event:
            usage = event["metadata"].get("usage", {})
    print(flush=True)
    result("stream finished", f"{len(chunks)} text frames, {usage.get('outputTokens')} output tokens, "
                              f"model {headers(stream).get('x-gateway-model')} (the inference profile)")
    expect(len(chunks) > 1, "the streamed answer did not arrive in several frames")

    step(3, "modelId 'auto': the gateway picks the tier and says why")
    for prompt, tier in ((SIMPLE_PROMPT, "simple"), (COMPLEX_PROMPT, "complex")):
        reply = alice.converse(modelId="auto", messages=user(prompt))
        h = headers(reply)
        shown = prompt if len(prompt) < 60 else prompt[:57] + "..."
        result(f"auto -> {h.get('x-gateway-route')}", f"{h.get('x-gateway-model')}  for {shown!r}")
        print(f"     reason: {h.get('x-gateway-route-reason')}", flush=True)
        expect(h.get("x-gateway-route") == tier, f"the {tier} prompt was routed {h.get('x-gateway-route')}")
        expect(bool(h.get("x-gateway-route-reason")), "a routed answer carries no x-gateway-route-reason")

    step(4, "A model outside UseCaseA's allow-list (claude-3-haiku)")
    code, message = refusal(lambda: alice.converse(modelId="claude-3-haiku", messages=user("Hi")))
    result("Model outside the allow-list refused", f"{code}: {message}")
    expect(code == "AccessDeniedException", f"expected AccessDeniedException, got {code}")

    step(5, "eve (groups genai-unrelated, everyone) calls UseCaseA")
    eve = client_for(stack, "eve", "UseCaseA")
    code, message = refusal(lambda: eve.converse(modelId="titan-text-express", messages=user("Hi")))
    result("Caller outside the use case's groups refused", f"{code}: {message}")
    expect(code == "AccessDeniedException", f"expected AccessDeniedException, got {code}")

    step(6, f"The credential cache: bob calls UseCaseB {CACHE_DEMO_REQUESTS} times")
    bob = client_for(stack, "bob", "UseCaseB")
    before = len(stack.sts.assume_calls())
    for index in range(CACHE_DEMO_REQUESTS):
        bob.converse(modelId="titan-text-express", messages=user(f"Question {index + 1}"))
    calls = stack.sts.assume_calls()[before:]
    roles = sorted({call["role_arn"] for call in calls})
    result("Credential cache", f"{CACHE_DEMO_REQUESTS} requests, {len(calls)} STS call"
                               f"{'' if len(calls) == 1 else 's'} ({', '.join(roles)})")
    expect(len(calls) == 1, f"expected one AssumeRoleWithWebIdentity call, STS saw {len(calls)}")
    metrics = http_get(stack.url + "/metrics")[1].decode(errors="replace")
    layers = [line for line in metrics.splitlines() if line.startswith("gw_credential_cache_total")]
    for line in layers:
        print(f"     {line}", flush=True)

    records = stack.bedrock.records()
    failures = stack.bedrock.failures()
    print(f"\nThe Bedrock stand-in verified {len(records) - len(failures)} of {len(records)} upstream requests' "
          "SigV4 signatures against the credentials STS issued.", flush=True)
    expect(not failures, f"{len(failures)} upstream requests carried a bad signature")
    print("Demo complete: every step behaved as expected.", flush=True)


def serve(stack: LocalStack, state_dir: pathlib.Path) -> None:
    """Writes long-lived caller tokens (mode 0600) and waits for Ctrl-C."""
    token_dir = state_dir / "tokens"
    token_dir.mkdir(mode=0o700, exist_ok=True)
    for caller, groups in CALLERS.items():
        path = token_dir / f"{caller}.jwt"
        path.write_text(stack.issuer.mint(sub=f"{caller}@acme.example", groups=groups, aud=INBOUND_AUDIENCE,
                                          lifetime=SERVE_TOKEN_LIFETIME))
        path.chmod(0o600)
    lines = [
        "",
        f"Serving: the gateway listens on {stack.url}. Callers' IdP tokens (valid 12 h) are in {token_dir}/:",
        "  " + ", ".join(f"{caller} ({' '.join(groups)})" for caller, groups in CALLERS.items()),
        "",
        "boto3 (any AWS SDK: only the endpoint and the bearer token change):",
        f"  export AWS_BEARER_TOKEN_BEDROCK=$(cat {token_dir}/alice.jwt)",
        "  python3 -c 'import boto3; c = boto3.client(\"bedrock-runtime\", region_name=\"us-east-1\", "
        f"endpoint_url=\"{stack.url}/use-cases/UseCaseA\"); "
        "print(c.converse(modelId=\"auto\", messages=[{\"role\": \"user\", \"content\": [{\"text\": \"Hi\"}]}])"
        "[\"output\"])'",
        "",
        "AWS CLI (a version whose botocore reads AWS_BEARER_TOKEN_BEDROCK):",
        f"  aws bedrock-runtime converse --region us-east-1 --endpoint-url {stack.url}/use-cases/UseCaseA \\",
        "      --model-id titan-text-express --messages '[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]'",
        "",
        f"Also: {stack.url}/health, {stack.url}/ready, {stack.url}/metrics; gateway log: {stack.log_dir}/gateway.log",
        "Press Ctrl-C to stop everything.",
    ]
    print("\n".join(lines), flush=True)
    while True:
        time.sleep(3600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--demo", action="store_true", help="run the scripted session, then stop (default)")
    mode.add_argument("--serve", action="store_true", help="run the session, then serve until Ctrl-C")
    parser.add_argument("--gateway-bin", type=pathlib.Path,
                        help="the gateway binary (default: $GATEWAY_BIN, else `swift build --show-bin-path`/gateway)")
    parser.add_argument("--port", type=int, default=0,
                        help="the gateway's port (default: 8080 with --serve when free, else a free port)")
    parser.add_argument("--log-level", default="info", help="the gateway's GATEWAY_LOG_LEVEL (default info)")
    args = parser.parse_args()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)

    try:
        binary = args.gateway_bin or gateway_binary()
        if not binary.is_file():
            raise FileNotFoundError(f"{binary} does not exist; build it with `swift build --product gateway`")
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as error:
        print(f"error: the gateway binary is not available: {error}", file=sys.stderr)
        return 2
    port = args.port or (8080 if args.serve and not port_open(8080) else free_port())

    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="genai-gateway-local-"))
    log_dir = state_dir / "logs"
    log_dir.mkdir()
    print("Starting the local stack (no AWS account needed):", flush=True)
    stack = LocalStack(binary, port, log_dir, args.log_level)
    status = 0
    try:
        stack.start()
        run_demo(stack)
        if args.serve:
            serve(stack, state_dir)
    except Stop as stop:
        print(f"\n{stop} received: stopping.", flush=True)
        status = 130 if str(stop) == "SIGINT" else 143
    except (DemoFailure, RuntimeError, OSError, ClientError, BotoCoreError) as error:
        print(f"\nerror: {error}", file=sys.stderr, flush=True)
        gateway = next((c for c in stack.children if c.name == "gateway"), None)
        if gateway is not None:
            print(f"--- gateway log (last lines) ---\n{gateway.tail(30)}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # A second Ctrl-C during teardown must not leave children behind.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        print("\nStopping the local stack:", flush=True)
        stack.stop()
        shutil.rmtree(state_dir / "tokens", ignore_errors=True)
        print(f"Everything stopped. Logs kept in {log_dir}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
