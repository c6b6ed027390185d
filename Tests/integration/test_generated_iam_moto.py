"""policies/generated loaded into moto's IAM, and checked against what the gateway really presents to STS.

moto answers AssumeRoleWithWebIdentity without evaluating trust policies, so this suite evaluates each generated
trust policy itself (StringEquals/StringLike on `<provider>:aud|sub`) against the claims of the web-identity token
the gateway sent, recorded by the counting proxy in front of moto.
"""
import fnmatch
import json

from e2e_config import GENERATED

MANIFEST = json.loads((GENERATED / "manifest.json").read_text())


def test_generated_iam_is_accepted_by_iam_and_reads_back(moto_iam):
    for role in MANIFEST["roles"]:
        iam = moto_iam(role["account"])
        stored = iam.get_role(RoleName=role["name"])["Role"]
        assert stored["Arn"] == role["arn"]
        assert stored["AssumeRolePolicyDocument"] == json.loads((GENERATED / role["trust_policy_file"]).read_text())
        attached = {p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=role["name"])["AttachedPolicies"]}
        assert attached == {p["name"] for p in role["policies"]}
    for provider in MANIFEST["oidc_providers"]:
        arns = {p["Arn"] for p in moto_iam(provider["account"]).list_open_id_connect_providers()["OpenIDConnectProviderList"]}
        assert provider["arn"] in arns


def _condition_holds(operator: str, expected, actual) -> bool:
    expected = expected if isinstance(expected, list) else [expected]
    actual = actual if isinstance(actual, list) else [actual]
    if operator == "StringEquals":
        return any(a in expected for a in actual)
    if operator == "StringLike":
        return any(fnmatch.fnmatchcase(a, e) for a in actual for e in expected)
    raise AssertionError(f"the suite does not evaluate condition operator {operator}")


def test_trust_policies_admit_the_gateway_web_identity_token(gateway, sts_proxy, moto_iam, bedrock_client, tokens):
    for caller, use_case in (("alice", "UseCaseA"), ("bob", "UseCaseB"), ("marketer", "MarketingEmail")):
        bedrock_client(tokens.caller(caller), f"/use-cases/{use_case}").converse(
            modelId="titan-text-express", messages=[{"role": "user", "content": [{"text": "Hi"}]}])
    calls = sts_proxy.assume_calls()
    assert calls, "the gateway made no AssumeRoleWithWebIdentity call"
    for call in calls:
        account, name = call["role_arn"].split(":")[4], call["role_arn"].split("/")[-1]
        iam = moto_iam(account)
        trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        claims = call["claims"]
        provider_path = claims["iss"].removeprefix("https://")
        provider_arn = f"arn:aws:iam::{account}:oidc-provider/{provider_path}"
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)
        assert claims["aud"] in provider["ClientIDList"], f"{provider_arn} does not list the token's aud"
        admitted = False
        for statement in trust["Statement"]:
            if statement["Effect"] != "Allow" or statement["Principal"].get("Federated") != provider_arn:
                continue
            if "sts:AssumeRoleWithWebIdentity" not in statement["Action"]:
                continue
            admitted = all(
                _condition_holds(operator, expected, claims.get(key.split(":", 1)[1]))
                for operator, block in statement.get("Condition", {}).items()
                for key, expected in block.items()
            )
            if admitted:
                break
        assert admitted, f"{call['role_arn']}'s trust policy does not admit the gateway's token (aud/sub {claims.get('aud')}/{claims.get('sub')})"
