"""An independent check of gen-iam's output, written without any of its code.

It reads policies/catalog.yaml with PyYAML, recomputes from the AWS rules (AWS-FACTS §0-§3) which roles must
exist, which ARNs each may invoke and how each trust policy must look, and compares that with the committed
policies/generated files through manifest.json.
"""
import json
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATED = ROOT / "policies" / "generated"
CATALOG = yaml.safe_load((ROOT / "policies" / "catalog.yaml").read_text())
MANIFEST = json.loads((GENERATED / "manifest.json").read_text())
INVOKE = {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}
GEO = {
    "us": lambda r: r.startswith("us-") and not r.startswith("us-gov-"),
    "eu": lambda r: r.startswith("eu-"),
    "apac": lambda r: r.startswith("ap-"),
    "global": lambda r: True,
}


def load(rel: str) -> dict:
    return json.loads((GENERATED / rel).read_text())


def as_list(value):
    return value if isinstance(value, list) else [value]


def models_by_name():
    return {m["name"]: m for m in CATALOG["models"]}


def accounts_by_name():
    return {a["name"]: a for a in CATALOG["model_accounts"]}


def expected_arns(model: dict, account: dict) -> tuple[set[str], set[str], set[str]]:
    """(direct ARNs, profile-only foundation-model ARNs, profile ARNs used in the condition)."""
    acct = str(account["account"])
    profile = model.get("inference_profile")
    if not profile:
        return {f"arn:aws:bedrock:{r}::foundation-model/{model['model_id']}" for r in account["regions"]}, set(), set()
    geo = profile["id"].split(".", 1)[0]
    sources = [r for r in account["regions"] if GEO[geo](r)]
    profile_arns = {f"arn:aws:bedrock:{r}:{acct}:inference-profile/{profile['id']}" for r in sources}
    destinations = {f"arn:aws:bedrock:{r}::foundation-model/{model['model_id']}" for r in profile["destination_regions"]}
    return profile_arns, destinations, profile_arns


def expected_roles() -> dict[tuple[str, str], dict]:
    """(account id, role name) -> {use_cases, models}: one role per role group per account, union of models."""
    roles: dict[tuple[str, str], dict] = {}
    for uc in CATALOG["use_cases"]:
        group = uc.get("role_group", uc["id"])
        for account_name in uc["accounts"]:
            acct = str(accounts_by_name()[account_name]["account"])
            name = f"{CATALOG['org']}-{CATALOG['layer']}-{group}-BedrockInvokeRole"
            entry = roles.setdefault((acct, name), {"use_cases": set(), "models": set(), "account": account_name})
            entry["use_cases"].add(uc["id"])
            entry["models"].update(uc["models"])
    return roles


def grants_of(documents: list[dict]) -> tuple[set[str], dict[str, set[str]]]:
    """Unconditional resources, and resources granted only under an ArnLike bedrock:InferenceProfileArn."""
    plain: set[str] = set()
    via_profile: dict[str, set[str]] = {}
    for document in documents:
        assert document["Version"] == "2012-10-17"
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow"
            assert set(as_list(statement["Action"])) == INVOKE, statement
            resources = set(as_list(statement["Resource"]))
            for arn in resources:
                assert "*" not in arn, arn
                assert re.fullmatch(r"arn:aws:bedrock:[a-z0-9-]+:(\d{12})?:(foundation-model|inference-profile)/.+", arn), arn
                if ":foundation-model/" in arn:
                    assert "::foundation-model/" in arn, f"foundation-model ARNs have an empty account field: {arn}"
            condition = statement.get("Condition")
            if condition is None:
                plain |= resources
            else:
                assert set(condition) == {"ArnLike"}, condition
                (key, profiles), = condition["ArnLike"].items()
                assert key == "bedrock:InferenceProfileArn"
                for arn in resources:
                    via_profile.setdefault(arn, set()).update(as_list(profiles))
    return plain, via_profile


def test_every_expected_role_exists_with_exactly_its_models():
    expected = expected_roles()
    actual = {(r["account"], r["name"]): r for r in MANIFEST["roles"]}
    assert set(actual) == set(expected)
    for key, want in expected.items():
        role = actual[key]
        assert set(role["use_cases"]) == want["use_cases"]
        assert role["arn"] == f"arn:aws:iam::{key[0]}:role/{key[1]}"
        account = accounts_by_name()[want["account"]]
        plain_want: set[str] = set()
        via_want: dict[str, set[str]] = {}
        for model_name in want["models"]:
            direct, destinations, profiles = expected_arns(models_by_name()[model_name], account)
            plain_want |= direct
            for arn in destinations:
                via_want.setdefault(arn, set()).update(profiles)
        plain, via = grants_of([load(p["file"]) for p in role["policies"]])
        assert plain == plain_want, key
        assert via == via_want, key
        providers = {models_by_name()[m]["provider"] for m in want["models"]}
        assert {p["provider"] for p in role["policies"]} == providers
        for policy in role["policies"]:
            assert re.fullmatch(rf"{CATALOG['org']}-{CATALOG['layer']}-[A-Za-z0-9]+-{policy['provider']}-Invoke\d*Policy", policy["name"])
            assert len(json.dumps(load(policy["file"]), separators=(",", ":"))) <= 6144


def test_trust_policies_use_the_accounts_own_provider_and_only_aud_and_sub():
    idp = CATALOG["identity_provider"]
    host_path = idp["issuer"].removeprefix("https://").rstrip("/")
    for role in MANIFEST["roles"]:
        trust = load(role["trust_policy_file"])
        text = json.dumps(trust)
        assert "groups" not in text and "ForAllValues" not in text and "ForAnyValue" not in text
        (statement,) = trust["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Federated": f"arn:aws:iam::{role['account']}:oidc-provider/{host_path}"}
        assert as_list(statement["Action"]) == ["sts:AssumeRoleWithWebIdentity"]
        want = {f"{host_path}:aud": idp["audience"]}
        if idp.get("subject"):
            want[f"{host_path}:sub"] = idp["subject"]
        assert statement["Condition"] == {"StringEquals": want}
        assert len(json.dumps(trust, separators=(",", ":"))) <= 2048


def test_an_oidc_provider_is_registered_in_every_shared_model_account():
    idp = CATALOG["identity_provider"]
    accounts = {str(a["account"]) for a in CATALOG["model_accounts"]}
    assert {p["account"] for p in MANIFEST["oidc_providers"]} == accounts
    for provider in MANIFEST["oidc_providers"]:
        assert provider["name"] == f"{CATALOG['org']}-IdP-{idp['name']}"
        assert provider["url"] == idp["issuer"].rstrip("/")
        assert provider["client_ids"] == [idp["audience"]]
        request = load(provider["file"])
        assert {"Key": "Name", "Value": provider["name"]} in request["Tags"]
        assert set(request) == {"Url", "ClientIDList", "ThumbprintList", "Tags"}


def test_use_cases_carry_groups_roles_models_and_session_policies():
    by_id = {u["id"]: u for u in MANIFEST["use_cases"]}
    assert set(by_id) == {u["id"] for u in CATALOG["use_cases"]}
    group_sizes: dict[str, int] = {}
    for uc in CATALOG["use_cases"]:
        group_sizes[uc.get("role_group", uc["id"])] = group_sizes.get(uc.get("role_group", uc["id"]), 0) + 1
    for uc in CATALOG["use_cases"]:
        entry = by_id[uc["id"]]
        group = uc.get("role_group", uc["id"])
        assert entry["idp_groups"] == uc["idp_groups"]
        assert [m["name"] for m in entry["models"]] == uc["models"]
        for model in entry["models"]:
            source = models_by_name()[model["name"]]
            assert model["invoke_id"] == source.get("inference_profile", {}).get("id", source["model_id"])
        accounts = [str(accounts_by_name()[a]["account"]) for a in uc["accounts"]]
        assert entry["roles"] == {a: f"arn:aws:iam::{a}:role/{CATALOG['org']}-{CATALOG['layer']}-{group}-BedrockInvokeRole" for a in accounts}
        if group_sizes[group] > 1:
            session = load(entry["session_policy_file"])
            assert len(json.dumps(session, separators=(",", ":"))) <= 2048
            plain, via = grants_of([session])
            want_plain: set[str] = set()
            for model_name in uc["models"]:
                for account_name in uc["accounts"]:
                    direct, destinations, _ = expected_arns(models_by_name()[model_name], accounts_by_name()[account_name])
                    want_plain |= direct
                    assert destinations <= set(via)
            assert plain == want_plain
        else:
            assert entry["session_policy_file"] is None
        if "routing" in uc:
            assert entry["routing"] == {"simple": uc["routing"]["simple"], "complex": uc["routing"]["complex"]}


def test_task_role_trusts_ecs_tasks_of_its_account_and_grants_no_bedrock_or_sts():
    gateway = CATALOG["gateway"]
    task = MANIFEST["task_role"]
    assert task["name"] == f"{CATALOG['org']}-GenAIGateway-TaskRole"
    assert task["account"] == str(gateway["account"])
    (statement,) = load(task["trust_policy_file"])["Statement"]
    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": str(gateway["account"])}
    for policy in task["policies"]:
        for statement in load(policy["file"])["Statement"]:
            for action in as_list(statement["Action"]):
                assert not action.startswith(("bedrock:", "sts:", "iam:")), action
            for arn in as_list(statement["Resource"]):
                assert f":{gateway['region']}:{gateway['account']}:" in arn, arn
