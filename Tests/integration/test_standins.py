"""The suite's own peers, checked without the gateway: a stand-in that accepted anything would prove nothing.

- The event-stream encoder matches AWS-FACTS' byte vectors and botocore decodes its frames.
- The Bedrock stand-in accepts a request botocore signs with moto-issued credentials, and rejects a wrong secret,
  a wrong service name, a missing or foreign session token, a tampered body and a bearer token.
- The OIDC issuer's tokens verify against its JWKS; its token endpoint checks the client secret and counts.
"""
import base64
import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

import eventstream
from bedrock_standin import BedrockStandIn
from e2e_config import CATALOG_ISSUER, REGION
from oidc_issuer import OIDCIssuer

FACTS_CHUNK = bytes.fromhex(
    "000000960000004bda6a95c10b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69"
    "636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226279746573223a2265794a306558426c496a6f"
    "696257567a6332466e5a56397a64473977496e303d222c2270223a226162636465666768227df1c95632"
)


def test_event_stream_frame_matches_the_reference_vector():
    frame = eventstream.encode_frame(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"},
        b'{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0=","p":"abcdefgh"}',
    )
    assert frame == FACTS_CHUNK, "encoder output differs from the AWS-FACTS chunk vector"


def test_botocore_decodes_every_kind_of_frame():
    frames = [
        eventstream.event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "hi"}}),
        eventstream.chunk_frame({"outputText": "hello"}),
        eventstream.exception_frame("throttlingException", "slow down"),
    ]
    buffer = EventStreamBuffer()
    buffer.add_data(b"".join(frames))
    messages = list(buffer)
    assert [m.headers[":message-type"] for m in messages] == ["event", "event", "exception"]
    assert json.loads(messages[0].payload)["delta"] == {"text": "hi"}
    assert json.loads(base64.b64decode(json.loads(messages[1].payload)["bytes"])) == {"outputText": "hello"}
    assert messages[2].headers[":exception-type"] == "throttlingException"


# -- SigV4 verification at the Bedrock stand-in ----------------------------------------------------------------

@pytest.fixture(scope="module")
def standin(moto_server):
    """A stand-in of its own, so these deliberate failures stay out of the gateway tests' stand-in."""
    server = BedrockStandIn(moto_server.url).start()
    yield server
    server.stop()


@pytest.fixture()
def issuer():
    """An issuer of its own, so these token requests do not count against the gateway's."""
    server = OIDCIssuer(CATALOG_ISSUER, "genai-gateway", "selftest-secret").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def moto_credentials(moto_server):
    sts = boto3.client("sts", endpoint_url=moto_server.url, region_name=REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnZW5haS1nYXRld2F5In0.c2ln"
    issued = sts.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::222222222222:role/ACME-GenAI-UseCaseA-BedrockInvokeRole",
        RoleSessionName="standin-selftest", WebIdentityToken=token)["Credentials"]
    return Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])


def send_signed(standin, credentials, *, service="bedrock", body=None, tamper=None,
                path="/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", extra_headers=None):
    body = body if body is not None else json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}]}).encode()
    request = AWSRequest(method="POST", url=standin.url + path, data=body,
                         headers={"Content-Type": "application/json", **(extra_headers or {})})
    SigV4Auth(credentials, service, REGION).add_auth(request)
    prepared = request.prepare()
    headers = dict(prepared.headers)
    data = prepared.body
    if tamper:
        headers, data = tamper(headers, data)
    http_request = urllib.request.Request(prepared.url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(http_request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def last_record(standin):
    return standin.records()[-1]


def test_standin_accepts_a_request_botocore_signed_with_moto_credentials(standin, moto_credentials):
    status, _, body = send_signed(standin, moto_credentials)
    record = last_record(standin)
    assert status == 200, body
    assert record["verified"], record["verify_reason"]
    assert record["model"] == "anthropic.claude-3-haiku-20240307-v1:0"
    assert record["role_arn"].endswith(":role/ACME-GenAI-UseCaseA-BedrockInvokeRole")
    assert "authorization" not in record["headers"] and "x-amz-security-token" not in record["headers"]
    assert "stand-in reply from anthropic.claude-3-haiku" in json.loads(body)["output"]["message"]["content"][0]["text"]


def _replace(name, value):
    def tamper(headers, data):
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        if value is not None:
            headers[name] = value
        return headers, data
    return tamper


@pytest.mark.parametrize(
    "case, kwargs, reason",
    [
        ("wrong service name", {"service": "bedrock-runtime"}, "service 'bedrock-runtime'"),
        ("missing session token", {"tamper": _replace("X-Amz-Security-Token", None)}, "x-amz-security-token is not in the request"),
        ("foreign session token", {"tamper": _replace("X-Amz-Security-Token", "Zm9yZWlnbg==")}, "session token"),
        ("tampered body", {"tamper": lambda h, d: (h, d.replace(b"hi", b"ho"))}, "signature mismatch"),
        ("bearer token instead of SigV4", {"tamper": _replace("Authorization", "Bearer abc.def.ghi")}, "scheme: Bearer"),
        ("signed x-amzn-trace-id", {"extra_headers": {"X-Amzn-Trace-Id": "Root=1-abc"}}, "x-amzn-trace-id"),
    ],
)
def test_standin_rejects(standin, moto_credentials, case, kwargs, reason):
    if "extra_headers" in kwargs:
        # botocore itself never signs x-amzn-trace-id; sign it by hand-adding it to SignedHeaders.
        def tamper(headers, data):
            headers = dict(headers)
            headers["Authorization"] = headers["Authorization"].replace("SignedHeaders=", "SignedHeaders=x-amzn-trace-id;")
            return headers, data
        kwargs = {**kwargs, "tamper": tamper}
    status, headers, body = send_signed(standin, moto_credentials, **kwargs)
    record = last_record(standin)
    assert status == 403, f"{case}: stand-in answered {status}"
    assert headers["x-amzn-ErrorType"].startswith("InvalidSignatureException")
    assert not record["verified"] and reason in record["verify_reason"], f"{case}: {record['verify_reason']}"


def test_standin_rejects_a_wrong_secret(standin, moto_credentials):
    wrong = Credentials(moto_credentials.access_key, "x" * 40, moto_credentials.token)
    status, _, _ = send_signed(standin, wrong)
    assert status == 403 and "signature mismatch" in last_record(standin)["verify_reason"]


# -- OIDC issuer ----------------------------------------------------------------------------------------------

def test_issuer_tokens_verify_against_its_published_jwks(issuer):
    with urllib.request.urlopen(issuer.url + "/.well-known/openid-configuration") as response:
        discovery = json.load(response)
    assert discovery["issuer"] == CATALOG_ISSUER and discovery["jwks_uri"] == issuer.jwks_url
    with urllib.request.urlopen(discovery["jwks_uri"]) as response:
        keys = KeySet.import_key_set(json.load(response))
    token = issuer.mint(sub="alice", groups=["genai-usecase-a"])
    claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
    assert claims["iss"] == CATALOG_ISSUER and claims["groups"] == ["genai-usecase-a"]
    with pytest.raises((BadSignatureError, JoseError, ValueError)):
        jwt.decode(issuer.mint_unknown_kid(), keys, algorithms=["RS256"])
    header = json.loads(base64.urlsafe_b64decode(issuer.mint_alg_none().split(".")[0] + "=="))
    assert header["alg"] == "none"


def _token_request(issuer, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(issuer.token_url, data=b"grant_type=client_credentials", method="POST",
                                     headers={"Authorization": f"Basic {basic}",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_issuer_token_endpoint_checks_the_client_and_counts(issuer):
    before = issuer.snapshot()
    status, reply = _token_request(issuer, issuer.client_id, "wrong-secret")
    assert status == 401 and reply["error"] == "invalid_client"
    status, reply = _token_request(issuer, issuer.client_id, issuer.client_secret)
    assert status == 200
    claims = issuer.verify(reply["access_token"])
    assert (claims["iss"], claims["aud"], claims["sub"]) == (CATALOG_ISSUER, "genai-gateway", "genai-gateway")
    after = issuer.snapshot()
    assert after["token_requests"] - before["token_requests"] == 2
    assert after["token_failures"] - before["token_failures"] == 1


# -- The stand-in's answers, as boto3 parses them (signing directly with moto's credentials) -------------------

@pytest.fixture()
def direct_client(standin, moto_credentials, monkeypatch):
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    return boto3.client("bedrock-runtime", endpoint_url=standin.url, region_name=REGION,
                        aws_access_key_id=moto_credentials.access_key,
                        aws_secret_access_key=moto_credentials.secret_key,
                        aws_session_token=moto_credentials.token,
                        config=Config(retries={"mode": "standard", "total_max_attempts": 1}))


MESSAGES = [{"role": "user", "content": [{"text": "Hello there"}]}]
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def test_boto3_parses_every_standin_operation(standin, direct_client):
    reply = direct_client.converse(modelId=HAIKU, messages=MESSAGES)
    assert reply["usage"]["inputTokens"] > 0 and reply["stopReason"] == "end_turn"

    events = list(direct_client.converse_stream(modelId=HAIKU, messages=MESSAGES)["stream"])
    kinds = [next(iter(event)) for event in events]
    assert kinds[0] == "messageStart" and kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]

    invoked = direct_client.invoke_model(modelId="amazon.titan-text-express-v1", body=b'{"inputText":"hi"}')
    assert json.loads(invoked["body"].read())["results"][0]["completionReason"] == "FINISH"

    stream = direct_client.invoke_model_with_response_stream(modelId=HAIKU, body=b'{"messages":[]}')["body"]
    chunks = [json.loads(event["chunk"]["bytes"]) for event in stream]
    assert chunks[0]["type"] == "message_start" and chunks[-1]["type"] == "message_stop"

    counted = direct_client.count_tokens(modelId=HAIKU, input={"converse": {"messages": MESSAGES}})
    assert counted["inputTokens"] > 0
    assert all(record["verified"] for record in standin.records()[-5:])


def test_boto3_raises_the_standin_failure_variants(direct_client):
    with pytest.raises(ClientError) as throttled:
        direct_client.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "[[throttle]]"}]}])
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"

    stream = direct_client.converse_stream(
        modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "[[midstream-error]]"}]}])["stream"]
    with pytest.raises(EventStreamError) as midstream:
        list(stream)
    assert midstream.value.response["Error"]["Code"] == "throttlingException"
