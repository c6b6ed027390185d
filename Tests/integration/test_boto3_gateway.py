"""The gateway end to end, driven by the real boto3 `bedrock-runtime` client.

An app changes only its endpoint (and presents its IdP token as AWS_BEARER_TOKEN_BEDROCK); everything behind the
gateway is real: moto's STS (through a counting proxy), redis-server, the local OIDC issuer, and a Bedrock stand-in
that verifies each upstream request's SigV4 signature with botocore against the credentials moto issued.
"""
import base64
import json
import socket
import struct
import time
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

from e2e_config import CATALOG_ISSUER, GENERATED
from eventstream import split_frames
from support import RespClient, http_get

USE_CASE_A_ROLE = "arn:aws:iam::222222222222:role/ACME-GenAI-UseCaseA-BedrockInvokeRole"
TITAN = "amazon.titan-text-express-v1"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
SIMPLE_PROMPT = "How do I reset my password?"
COMPLEX_PROMPT = (
    "Our VPN drops every 20 minutes or so for remote staff on macOS Sonoma but never on Windows. We use "
    "GlobalProtect 6.1 with SAML through Okta. Walk me through how to narrow down the root cause: which logs to "
    "collect on the client and on the firewall, and which configuration differences between the platforms could "
    "explain it. Then compare three remediation options, weigh their risks, and write a step-by-step rollout plan."
)


def messages(text: str) -> list[dict]:
    return [{"role": "user", "content": [{"text": text}]}]


def new_tag() -> str:
    return uuid.uuid4().hex[:12]


def headers_of(response: dict) -> dict:
    return response["ResponseMetadata"]["HTTPHeaders"]


def upstream(bedrock, tag: str) -> list[dict]:
    """The stand-in's records of requests whose body carried [[tag:<tag>]]."""
    return [record for record in bedrock.records() if record["tag"] == tag]


def only_upstream(bedrock, tag: str) -> dict:
    records = upstream(bedrock, tag)
    assert len(records) == 1, f"expected exactly one upstream request tagged {tag}, the stand-in saw {len(records)}"
    return records[0]


def settled_upstream(bedrock, tag: str, timeout: float = 10) -> dict:
    """The one upstream record for tag, once the stand-in has finished with it.

    The stand-in marks a stream "completed" after its last write returns, which can be after the
    client has already read that last frame through the gateway; poll instead of racing it.
    """
    deadline = time.monotonic() + timeout
    record = only_upstream(bedrock, tag)
    while record["outcome"] == "in-progress" and time.monotonic() < deadline:
        time.sleep(0.05)
        record = only_upstream(bedrock, tag)
    return record


def error_of(excinfo) -> tuple[str, str, int]:
    error = excinfo.value.response
    return error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(autouse=True)
def no_signature_failures(request, bedrock):
    """After every test: every request that reached the stand-in carried a valid SigV4 signature."""
    yield
    failures = bedrock.failures()
    assert not failures, "the stand-in rejected upstream signatures: " + "; ".join(
        f"{f['path']}: {f['verify_reason']}" for f in failures)


def assert_signed_for_role(record: dict, role_arn: str | None = None) -> None:
    assert record["verified"], f"upstream request was not validly signed: {record['verify_reason']}"
    assert record["service"] == "bedrock", f"credential scope names service {record['service']}"
    if role_arn:
        assert record["role_arn"] == role_arn, f"upstream was signed with {record['role_arn']}'s credentials"


# -- health ------------------------------------------------------------------------------------------------------

def test_health_and_ready(gateway):
    assert http_get(gateway.url + "/health")[0] == 200
    assert http_get(gateway.url + "/ready")[0] == 200


# -- every operation, use case in the endpoint's path ------------------------------------------------------------

def test_converse_with_use_case_in_path(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    reply = client.converse(modelId="titan-text-express", messages=messages(f"Hello [[tag:{tag}]]"))

    assert reply["output"]["message"]["content"][0]["text"] == f"stand-in reply from {TITAN} via converse"
    assert reply["usage"]["inputTokens"] > 0
    headers = headers_of(reply)
    assert headers["x-gateway-use-case"] == "UseCaseA"
    assert headers["x-gateway-model"] == TITAN
    assert headers["x-gateway-account"] == "222222222222"
    assert headers["x-gateway-route"] == "explicit"
    record = only_upstream(bedrock, tag)
    assert_signed_for_role(record, USE_CASE_A_ROLE)
    assert record["model"] == TITAN and record["operation"] == "converse"


def test_caller_token_never_reaches_upstream(gateway, bedrock, bedrock_client, tokens):
    token = tokens.caller("alice")
    client = bedrock_client(token, "/use-cases/UseCaseA")
    tag = new_tag()
    client.converse(modelId=TITAN, messages=messages(f"Hi [[tag:{tag}]]"))
    record = only_upstream(bedrock, tag)
    leaked = [name for name, value in record["headers"].items() if token in value or "Bearer" in value]
    assert not leaked, f"the caller's token was forwarded upstream in {leaked}"
    assert "x-use-case-id" not in record["signed_headers"]


def test_converse_stream_by_inference_profile(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    reply = client.converse_stream(modelId="claude-sonnet-4-5", messages=messages(f"Hello [[tag:{tag}]]"))
    events = list(reply["stream"])

    kinds = [next(iter(event)) for event in events]
    assert kinds[0] == "messageStart" and kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"], kinds
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text.strip() == f"stand-in reply from {SONNET_PROFILE} via converse-stream"
    assert events[-1]["metadata"]["usage"]["outputTokens"] > 0
    assert headers_of(reply)["x-gateway-model"] == SONNET_PROFILE
    record = settled_upstream(bedrock, tag)
    assert_signed_for_role(record, USE_CASE_A_ROLE)
    assert record["model"] == SONNET_PROFILE, "a model served through an inference profile is invoked by profile id"
    assert record["outcome"] == "completed"


@pytest.mark.parametrize("model, body, reply_text", [
    (TITAN, {"inputText": "Hello"}, lambda r: r["results"][0]["outputText"]),
    ("claude-sonnet-4-5", {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
                           "messages": [{"role": "user", "content": "Hello"}]}, lambda r: r["content"][0]["text"]),
])
def test_invoke_model(gateway, bedrock, bedrock_client, tokens, model, body, reply_text):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    raw = json.dumps({**body, "tag": f"[[tag:{tag}]]"}, separators=(",", ":")).encode()
    reply = client.invoke_model(modelId=model, body=raw, contentType="application/json", accept="application/json")

    assert "stand-in reply from" in reply_text(json.loads(reply["body"].read()))
    record = only_upstream(bedrock, tag)
    assert_signed_for_role(record, USE_CASE_A_ROLE)
    assert record["body_length"] == len(raw), "the native request body must pass through byte for byte"


def test_invoke_model_with_response_stream(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
                       "messages": [{"role": "user", "content": f"Hello [[tag:{tag}]]"}]}).encode()
    reply = client.invoke_model_with_response_stream(modelId=SONNET_PROFILE, body=body)
    chunks = [json.loads(event["chunk"]["bytes"]) for event in reply["body"]]

    assert chunks[0]["type"] == "message_start" and chunks[-1]["type"] == "message_stop"
    text = "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta")
    assert text.strip() == f"stand-in reply from {SONNET_PROFILE} via invoke-with-response-stream"
    assert reply["contentType"] == "application/json", "X-Amzn-Bedrock-Content-Type must pass through"
    assert_signed_for_role(only_upstream(bedrock, tag), USE_CASE_A_ROLE)


def test_count_tokens(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    reply = client.count_tokens(modelId="claude-sonnet-4-5",
                                input={"converse": {"messages": messages(f"How long is this? [[tag:{tag}]]")}})
    assert reply["inputTokens"] > 0
    record = only_upstream(bedrock, tag)
    assert_signed_for_role(record, USE_CASE_A_ROLE)
    assert record["operation"] == "count-tokens"


# -- use case from the X-Use-Case-Id header ----------------------------------------------------------------------

def test_converse_with_use_case_header_and_bedrock_model_id(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("bob"), use_case_header="UseCaseB")
    tag = new_tag()
    reply = client.converse(modelId=HAIKU, messages=messages(f"Hello [[tag:{tag}]]"))

    headers = headers_of(reply)
    assert headers["x-gateway-use-case"] == "UseCaseB"
    assert headers["x-gateway-model"] == HAIKU
    record = only_upstream(bedrock, tag)
    assert_signed_for_role(record)
    assert record["model"] == HAIKU
    assert "%3A" in record["path"], f"the model id must reach Bedrock percent-encoded: {record['path']}"
    account = headers["x-gateway-account"]
    assert record["role_arn"] == f"arn:aws:iam::{account}:role/ACME-GenAI-UseCaseB-BedrockInvokeRole", (
        f"x-gateway-account {account} but signed with {record['role_arn']}")


def test_any_of_the_use_case_groups_admits(gateway, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("admin"), use_case_header="UseCaseB")
    assert headers_of(client.converse(modelId=TITAN, messages=messages("Hi")))["x-gateway-use-case"] == "UseCaseB"


def test_converse_stream_with_use_case_header(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("marketer"), use_case_header="MarketingSocial")
    tag = new_tag()
    events = list(client.converse_stream(modelId=TITAN, messages=messages(f"Hi [[tag:{tag}]]"))["stream"])
    assert "metadata" in events[-1]
    assert_signed_for_role(only_upstream(bedrock, tag), "arn:aws:iam::222222222222:role/ACME-GenAI-Marketing-BedrockInvokeRole")


def test_path_and_header_naming_different_use_cases_is_rejected(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA", use_case_header="UseCaseB")
    tag = new_tag()
    with pytest.raises(ClientError) as excinfo:
        client.converse(modelId=TITAN, messages=messages(f"Hi [[tag:{tag}]]"))
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400), message
    assert not upstream(bedrock, tag)


# -- denials -------------------------------------------------------------------------------------------------------

def test_model_outside_the_allow_list(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    with pytest.raises(client.exceptions.AccessDeniedException) as excinfo:
        client.converse(modelId="claude-3-haiku", messages=messages(f"Hi [[tag:{tag}]]"))
    code, message, status = error_of(excinfo)
    assert status == 403
    for allowed in ("titan-text-express", "claude-sonnet-4-5"):
        assert allowed in message, f"the denial must list the allowed models; got: {message}"
    assert not upstream(bedrock, tag), "a denied request must not reach Bedrock"


@pytest.mark.parametrize("model_id", [
    "arn:aws:bedrock:us-east-1:999999999999:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "../../model/amazon.titan-text-express-v1",
    "amazon.titan-text-express-v1%2F..",
])
def test_model_ids_that_do_not_resolve_are_refused_before_upstream(gateway, bedrock, bedrock_client, tokens, model_id):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    with pytest.raises(ClientError) as excinfo:
        client.converse(modelId=model_id, messages=messages(f"Hi [[tag:{tag}]]"))
    code, message, status = error_of(excinfo)
    assert status in (400, 403, 404) and code in ("AccessDeniedException", "ValidationException",
                                                  "ResourceNotFoundException"), (code, message)
    assert not upstream(bedrock, tag)


def test_unknown_use_case(gateway, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/NoSuchUseCase")
    with pytest.raises(client.exceptions.AccessDeniedException) as excinfo:
        client.converse(modelId=TITAN, messages=messages("Hi"))
    code, message, status = error_of(excinfo)
    assert status == 403 and "NoSuchUseCase" in message, message


def test_caller_outside_the_use_case_groups(gateway, bedrock_client, tokens):
    token = tokens.caller("eve")
    client = bedrock_client(token, "/use-cases/UseCaseA")
    with pytest.raises(client.exceptions.AccessDeniedException) as excinfo:
        client.converse(modelId=TITAN, messages=messages("Hi"))
    code, message, status = error_of(excinfo)
    assert status == 403
    assert "UseCaseA" in message and "genai-usecase-a" in message, f"must name use case and groups: {message}"
    assert "genai-unrelated" not in message and token not in message, "must not echo the caller's token or claims"


# -- authentication ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, hints", [
    ("expired", ("exp",)),
    ("alg_none", ("alg", "none", "unsigned")),
    ("wrong_audience", ("aud",)),
    ("unknown_kid", ("kid", "key")),
])
def test_bad_tokens_are_unrecognized_clients(gateway, bedrock, bedrock_client, tokens, kind, hints):
    token = getattr(tokens, kind)("alice")
    client = bedrock_client(token, "/use-cases/UseCaseA")
    tag = new_tag()
    with pytest.raises(ClientError) as excinfo:
        client.converse(modelId=TITAN, messages=messages(f"Hi [[tag:{tag}]]"))
    code, message, status = error_of(excinfo)
    assert (code, status) == ("UnrecognizedClientException", 401), f"{kind}: {code} {status} {message}"
    assert any(hint in message.lower() for hint in hints), (
        f"{kind}: the message must say which check failed (one of {hints}); got: {message}")
    assert token not in message
    assert not upstream(bedrock, tag)


def test_missing_token_gets_bedrock_error_shape(gateway):
    request = urllib.request.Request(gateway.url + "/use-cases/UseCaseA/model/titan-text-express/converse",
                                     data=json.dumps({"messages": messages("Hi")}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 401
    assert excinfo.value.headers["x-amzn-ErrorType"].split(":")[0] == "UnrecognizedClientException"
    assert json.loads(excinfo.value.read())["message"]


def test_unknown_kids_do_not_hammer_the_jwks_endpoint(gateway, issuer, bedrock_client, tokens):
    before = issuer.snapshot()["jwks_requests"]
    for _ in range(5):
        client = bedrock_client(tokens.unknown_kid("alice"), "/use-cases/UseCaseA")
        with pytest.raises(ClientError):
            client.converse(modelId=TITAN, messages=messages("Hi"))
    fetched = issuer.snapshot()["jwks_requests"] - before
    assert fetched <= 1, f"5 tokens with an unknown kid made {fetched} JWKS fetches (at most 1 per 30 s allowed)"


# -- routing -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller, use_case, prompt, tier, model", [
    ("alice", "UseCaseA", SIMPLE_PROMPT, "simple", TITAN),
    ("alice", "UseCaseA", COMPLEX_PROMPT, "complex", SONNET_PROFILE),
    ("bob", "UseCaseB", SIMPLE_PROMPT, "simple", TITAN),
    ("bob", "UseCaseB", COMPLEX_PROMPT, "complex", HAIKU),
])
def test_auto_routes_to_each_tier(gateway, bedrock, bedrock_client, tokens, caller, use_case, prompt, tier, model):
    client = bedrock_client(tokens.caller(caller), f"/use-cases/{use_case}")
    tag = new_tag()
    reply = client.converse(modelId="auto", messages=messages(f"{prompt} [[tag:{tag}]]"))
    headers = headers_of(reply)
    assert headers["x-gateway-route"] == tier, f"routed {headers['x-gateway-route']}: {headers.get('x-gateway-route-reason')}"
    assert headers.get("x-gateway-route-reason"), "a routed response must say why"
    assert headers["x-gateway-model"] == model
    assert only_upstream(bedrock, tag)["model"] == model


def test_auto_routes_invoke_model_streams(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    tag = new_tag()
    body = json.dumps({"inputText": f"{SIMPLE_PROMPT} [[tag:{tag}]]"}).encode()
    reply = client.invoke_model_with_response_stream(modelId="auto", body=body)
    chunks = [json.loads(event["chunk"]["bytes"]) for event in reply["body"]]
    assert chunks[-1]["completionReason"] == "FINISH"
    assert headers_of(reply)["x-gateway-route"] == "simple"
    assert only_upstream(bedrock, tag)["model"] == TITAN


# -- upstream failures reach the app as the SDK's own exceptions ---------------------------------------------------

def test_throttling_arrives_as_throttling_exception(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA",
                            config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    tag = new_tag()
    with pytest.raises(client.exceptions.ThrottlingException) as excinfo:
        client.converse(modelId=TITAN, messages=messages(f"[[throttle]] [[tag:{tag}]]"))
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    attempts = upstream(bedrock, tag)
    assert len(attempts) == 2 and all(r["status"] == 429 for r in attempts), (
        f"the SDK's 2 attempts should each reach Bedrock once; the stand-in saw {len(attempts)}")


def test_midstream_exception_is_raised_while_iterating_converse_stream(gateway, bedrock, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    reply = client.converse_stream(modelId=TITAN, messages=messages("[[midstream-error]]"))
    received = []
    with pytest.raises(EventStreamError) as excinfo:
        for event in reply["stream"]:
            received.append(next(iter(event)))
    assert excinfo.value.response["Error"]["Code"] == "throttlingException"
    assert received[:1] == ["messageStart"], f"events before the exception frame must arrive: {received}"


def test_midstream_model_error_is_raised_while_iterating_invoke_stream(gateway, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA")
    reply = client.invoke_model_with_response_stream(modelId=TITAN, body=b'{"inputText":"[[midstream-model-error]]"}')
    with pytest.raises(EventStreamError) as excinfo:
        for _ in reply["body"]:
            pass
    assert excinfo.value.response["Error"]["Code"] == "modelStreamErrorException"


# -- client disconnect ---------------------------------------------------------------------------------------------

def test_client_disconnect_mid_stream_cancels_upstream(gateway, bedrock, tokens):
    tag = new_tag()
    body = json.dumps({"messages": messages(f"[[slow-stream]] [[tag:{tag}]]")}).encode()
    host, port = gateway.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=15)
    sock.sendall(
        f"POST /use-cases/UseCaseA/model/{TITAN}/converse-stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {tokens.caller('alice')}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096) or pytest.fail("gateway closed before answering")
    head, rest = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head.decode(errors="replace")
    # Read until one complete event-stream frame has arrived (through any chunked framing), then hang up.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not _has_frame(rest, b"chunked" in head.lower()):
        rest += sock.recv(4096)
    assert _has_frame(rest, b"chunked" in head.lower()), "no event-stream frame arrived within 10 s"
    sock.close()

    record = settled_upstream(bedrock, tag)
    assert record["outcome"] == "client-disconnected", (
        f"after the client hung up, the upstream stream should be cancelled; the stand-in reports {record['outcome']}")


def _has_frame(data: bytes, chunked: bool) -> bool:
    if chunked:
        payload = b""
        while b"\r\n" in data:
            size_line, data = data.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0] or b"0", 16)
            if len(data) < size:
                payload += data
                break
            payload += data[:size]
            data = data[size + 2:]
        data = payload
    frames, _ = split_frames(data)
    return bool(frames) and struct.unpack(">I", frames[0][:4])[0] == len(frames[0])


# -- credential plane at work --------------------------------------------------------------------------------------

def test_one_sts_call_per_role_and_session_policy(gateway, sts_proxy, issuer, bedrock_client, tokens):
    plan = [("alice", "UseCaseA", "titan-text-express"), ("bob", "UseCaseB", "claude-3-haiku"),
            ("marketer", "MarketingEmail", "claude-3-haiku"), ("marketer", "MarketingSocial", "claude-sonnet-4-5")]
    for caller, use_case, model in plan:
        client = bedrock_client(tokens.caller(caller), f"/use-cases/{use_case}")
        for _ in range(10):
            client.converse(modelId=model, messages=messages("Hi"))

    calls = sts_proxy.assume_calls()
    assert calls, "the gateway made no AssumeRoleWithWebIdentity call through GATEWAY_STS_ENDPOINT"
    per_key: dict[tuple, int] = {}
    for call in calls:
        assert call["status"] == 200, f"STS answered {call['status']} for {call['role_arn']}"
        key = (call["role_arn"], call["policy"])
        per_key[key] = per_key.get(key, 0) + 1
    repeated = {k[0]: n for k, n in per_key.items() if n != 1}
    assert not repeated, f"credentials must be cached: STS calls per role {repeated}"
    assert issuer.snapshot()["token_requests"] == 1, "the client-credentials token must be cached and reused"


def test_web_identity_token_and_session_policies_sent_to_sts(gateway, sts_proxy, issuer, bedrock_client, tokens):
    client = bedrock_client(tokens.caller("marketer"), "/use-cases/MarketingEmail")
    client.converse(modelId=TITAN, messages=messages("Hi"))
    calls = sts_proxy.assume_calls()
    for call in calls:
        claims = issuer.verify(call["token"])
        assert (claims["iss"], claims["aud"], claims["sub"]) == (CATALOG_ISSUER, "genai-gateway", "genai-gateway")
        assert not call["signed"], "AssumeRoleWithWebIdentity is unsigned"
    marketing = [c for c in calls if c["role_arn"].endswith("/ACME-GenAI-Marketing-BedrockInvokeRole")]
    expected = json.loads((GENERATED / "session-policies" / "MarketingEmail.json").read_text())
    assert any(c["policy"] and json.loads(c["policy"]) == expected for c in marketing), (
        "MarketingEmail shares the Marketing role; its session policy must be sent as Policy")
    for call in calls:
        if not call["role_arn"].endswith("/ACME-GenAI-Marketing-BedrockInvokeRole"):
            assert call["policy"] is None, f"{call['role_arn']} is not shared; no session policy expected"


def test_redis_holds_only_ciphertext(gateway, redis_server, moto_server, bedrock_client, tokens):
    bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA").converse(modelId=TITAN, messages=messages("Hi"))
    with urllib.request.urlopen(moto_server.url + "/moto-api/data.json") as response:
        issued = json.load(response)["sts"]["AssumedRole"]
    secrets_ = [c["secret_access_key"] for c in issued] + [c["session_token"] for c in issued]
    redis = RespClient(redis_server.port)
    try:
        keys = redis.command("KEYS", "*")
        assert keys, "the gateway stored no credentials in Redis (GATEWAY_REDIS_URL is set)"
        stored = b""
        for key in keys:
            if redis.command("TYPE", key) == "string":
                stored += redis.command("GET", key) or b""
            elif redis.command("TYPE", key) == "hash":
                stored += b"".join(redis.command("HGETALL", key))
    finally:
        redis.close()
    for secret in secrets_:
        for form in (secret.encode(), base64.b64encode(secret.encode())):
            assert form not in stored, "a credential is stored in Redis in clear text"


def test_no_secret_in_the_gateway_log(gateway, sts_proxy, issuer, moto_server, tokens):
    log = gateway.process.log_text()
    with urllib.request.urlopen(moto_server.url + "/moto-api/data.json") as response:
        issued = json.load(response)["sts"]["AssumedRole"]
    secret_values = {"the client secret": [issuer.client_secret],
                     "a caller token": [t for t in tokens.minted],
                     "a web-identity token": [c["token"] for c in sts_proxy.assume_calls()],
                     "an AWS secret key": [c["secret_access_key"] for c in issued],
                     "a session token": [c["session_token"] for c in issued]}
    for what, values in secret_values.items():
        for value in values:
            assert value not in log, f"{what} appears in the gateway's log"
            signature = value.rsplit(".", 1)[-1]
            if what.endswith("token") and len(signature) > 20:
                assert signature not in log, f"the signature of {what} appears in the gateway's log"


def test_every_upstream_request_of_the_session_was_verified(gateway, bedrock, bedrock_client, tokens):
    bedrock_client(tokens.caller("alice"), "/use-cases/UseCaseA").converse(modelId=TITAN, messages=messages("Hi"))
    records = bedrock.records()
    assert all(r["verified"] for r in records), [r["verify_reason"] for r in records if not r["verified"]]
