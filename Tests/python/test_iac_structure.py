"""Structural checks of iac/: the hand-written Terraform and gen-iam's generated Terraform agree.

The HCL is read with python-hcl2 (and json for *.tf.json). Where a check needs the value of a Terraform expression
(the shared-model-account module's for_each over the manifest, the container's environment and secrets), the
module's own expressions are evaluated by `terraform console` on a scratch copy of the module's variables and
locals: that needs no provider and no network, and it tests the HCL itself rather than a re-implementation.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess

import hcl2
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
IAC = ROOT / "iac"
MANIFEST_PATH = ROOT / "policies" / "generated" / "manifest.json"
ECS_MODULE = IAC / "modules" / "gateway-ecs"
ACCOUNT_MODULE = IAC / "modules" / "shared-model-account"
ENV = IAC / "envs" / "example"


# --- reading HCL -------------------------------------------------------------------------------------------------

def unquote(value):
    """python-hcl2 8 keeps HCL's quotes on names and string literals; strip them and its block markers."""
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            return value[1:-1].replace('\\"', '"')
        return value
    if isinstance(value, list):
        return [unquote(item) for item in value]
    if isinstance(value, dict):
        return {unquote(key): unquote(item) for key, item in value.items() if key != "__is_block__"}
    return value


def load_hcl(directory: pathlib.Path) -> dict:
    """Every top-level block of a folder's *.tf files: resources and data by (type, name), modules, providers..."""
    config = {"resource": {}, "data": {}, "module": {}, "provider": [], "variable": {}, "output": {}, "locals": {}}
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            parsed = unquote(hcl2.load(handle))
        for kind in ("resource", "data"):
            for entry in parsed.get(kind, []):
                for rtype, named in entry.items():
                    for name, body in named.items():
                        config[kind][(rtype, name)] = body
        for kind in ("module", "variable", "output"):
            for entry in parsed.get(kind, []):
                config[kind].update(entry)
        for entry in parsed.get("provider", []):
            for name, body in entry.items():
                config["provider"].append((name, body))
        for entry in parsed.get("locals", []):
            config["locals"].update(entry)
    return config


def block_text(path: pathlib.Path, header: str) -> str:
    """The raw text of the block starting with `header` (for example 'locals {' or 'resource "a" "b" {')."""
    text = path.read_text()
    start = text.index(header)
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    raise AssertionError(f"unbalanced block {header} in {path}")


def attribute_expression(block: str, name: str) -> str:
    """The raw expression of a top-level attribute of a block, across lines until its brackets close."""
    lines = block.splitlines()[1:-1]
    depth = 0
    for index, line in enumerate(lines):
        match = re.match(rf"^\s*{re.escape(name)}\s*=\s*(.*)$", line)
        if depth == 0 and match:
            parts = [match.group(1)]
            balance = sum(parts[0].count(c) for c in "([{") - sum(parts[0].count(c) for c in ")]}")
            cursor = index + 1
            while balance > 0:
                parts.append(lines[cursor])
                balance += sum(lines[cursor].count(c) for c in "([{") - sum(lines[cursor].count(c) for c in ")]}")
                cursor += 1
            return "\n".join(parts)
        depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
    raise AssertionError(f"attribute {name} not found in block:\n{block[:200]}")


def interpolation(value: str) -> str:
    """The expression inside a python-hcl2 '${...}' string."""
    assert value.startswith("${") and value.endswith("}"), value
    return value[2:-1]


# --- evaluating with terraform console ---------------------------------------------------------------------------

def terraform_binary() -> str:
    binary = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not binary:
        pytest.fail("terraform (>= 1.5) is not installed: install it (https://developer.hashicorp.com/terraform/install) "
                    "or set TERRAFORM; run scripts/test.sh")
    return binary


class Scratch:
    """A scratch Terraform configuration made of a module's variables.tf and extracted locals."""

    def __init__(self, directory: pathlib.Path, variables: pathlib.Path, locals_text: str):
        self.directory = directory
        shutil.copy(variables, directory / "variables.tf")
        (directory / "locals.tf").write_text(locals_text)

    def evaluate(self, expression: str, variables: dict):
        (self.directory / "terraform.tfvars.json").write_text(json.dumps(variables))
        result = subprocess.run(
            [terraform_binary(), "console"], cwd=self.directory, input=f"jsonencode({expression})\n",
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1"},
        )
        if result.returncode != 0:
            raise EvaluationError(result.stderr + result.stdout)
        return json.loads(json.loads(result.stdout.strip()))


class EvaluationError(Exception):
    pass


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST_PATH.read_text())


@pytest.fixture(scope="module")
def model_accounts(manifest) -> list:
    accounts = sorted({provider["account"] for provider in manifest["oidc_providers"]})
    assert len(accounts) >= 2, "the example catalog has at least two shared-model accounts"
    return accounts


def generated_resources(account: str) -> dict:
    return json.loads((IAC / "generated" / "accounts" / account / "main.tf.json").read_text())["resource"]


def literal(text: str) -> str:
    """gen-iam escapes Terraform's template markers in policy text; undo it to get what reaches IAM."""
    return text.replace("$${", "${").replace("%%{", "%{")


# --- shared-model-account: the for_each over the manifest is gen-iam's module, resource by resource --------------

@pytest.fixture(scope="module")
def account_module_evaluation(tmp_path_factory, model_accounts):
    """For each manifest account, the module's roles, policies, attachments and provider as Terraform evaluates them."""
    main = ACCOUNT_MODULE / "main.tf"
    scratch = Scratch(tmp_path_factory.mktemp("shared-model-account"), ACCOUNT_MODULE / "variables.tf",
                      block_text(main, "locals {"))

    def resource_map(rtype: str, attributes: list) -> str:
        block = block_text(main, f'resource "{rtype}" "this" {{')
        for_each = attribute_expression(block, "for_each")
        fields = []
        for attribute in attributes:
            expression = attribute_expression(block, attribute)
            expression = re.sub(r"\beach\.key\b", "k", re.sub(r"\beach\.value\b", "v", expression))
            fields.append(f"{attribute} = {expression}")
        return f"{{ for k, v in {for_each} : k => {{ {', '.join(fields)} }} }}"

    provider_block = block_text(main, 'resource "aws_iam_openid_connect_provider" "this" {')
    provider_fields = ", ".join(f"{name} = {attribute_expression(provider_block, name)}"
                                for name in ("url", "client_id_list", "thumbprint_list", "tags"))
    expression = (
        "{ roles = " + resource_map("aws_iam_role", ["name", "description", "assume_role_policy", "max_session_duration", "tags"])
        + ", policies = " + resource_map("aws_iam_policy", ["name", "description", "policy", "tags"])
        + ", attachments = { for k, v in " + attribute_expression(block_text(main, 'resource "aws_iam_role_policy_attachment" "this" {'), "for_each")
        + " : k => { role = v.role, policy = v.name } }"
        + ", provider = { " + provider_fields + " } }"
    )
    return {account: scratch.evaluate(expression, {"manifest_path": str(MANIFEST_PATH), "account_id": account})
            for account in model_accounts}


def test_account_module_roles_match_generated(account_module_evaluation, model_accounts):
    for account in model_accounts:
        generated = generated_resources(account)["aws_iam_role"]
        evaluated = account_module_evaluation[account]["roles"]
        assert sorted(evaluated) == sorted(generated), account
        for name, role in generated.items():
            mine = evaluated[name]
            assert mine["name"] == role["name"] == name
            assert mine["description"] == role["description"]
            assert mine["max_session_duration"] == role["max_session_duration"]
            assert mine["tags"] == role["tags"]
            assert json.loads(mine["assume_role_policy"]) == json.loads(literal(role["assume_role_policy"])), name


def test_account_module_policies_match_generated(account_module_evaluation, model_accounts):
    for account in model_accounts:
        generated = generated_resources(account)["aws_iam_policy"]
        evaluated = account_module_evaluation[account]["policies"]
        assert sorted(evaluated) == sorted(generated), account
        for name, policy in generated.items():
            mine = evaluated[name]
            assert mine["name"] == policy["name"] == name
            assert mine["description"] == policy["description"]
            assert mine["tags"] == policy["tags"]
            assert json.loads(mine["policy"]) == json.loads(literal(policy["policy"])), name


def test_account_module_attachments_match_generated(account_module_evaluation, model_accounts):
    block = block_text(ACCOUNT_MODULE / "main.tf", 'resource "aws_iam_role_policy_attachment" "this" {')
    assert attribute_expression(block, "role") == "aws_iam_role.this[each.value.role].name"
    assert attribute_expression(block, "policy_arn") == "aws_iam_policy.this[each.value.name].arn"
    for account in model_accounts:
        generated = generated_resources(account)["aws_iam_role_policy_attachment"]
        evaluated = account_module_evaluation[account]["attachments"]
        assert sorted(evaluated) == sorted(generated), account
        for key, attachment in generated.items():
            assert attachment["role"] == "${aws_iam_role.%s.name}" % evaluated[key]["role"]
            assert attachment["policy_arn"] == "${aws_iam_policy.%s.arn}" % evaluated[key]["policy"]


def test_account_module_oidc_provider_matches_generated(account_module_evaluation, model_accounts, manifest):
    for account in model_accounts:
        generated = generated_resources(account)["aws_iam_openid_connect_provider"]
        assert len(generated) == 1
        (name, provider), = generated.items()
        mine = account_module_evaluation[account]["provider"]
        assert mine == {key: provider[key] for key in ("url", "client_id_list", "thumbprint_list", "tags")}
        entry = next(p for p in manifest["oidc_providers"] if p["account"] == account)
        assert mine["tags"]["Name"] == entry["name"] == name


def test_account_module_creates_only_what_gen_iam_generates(model_accounts):
    config = load_hcl(ACCOUNT_MODULE)
    mine = {rtype for rtype, _ in config["resource"]}
    for account in model_accounts:
        assert mine == set(generated_resources(account)), account
    # Policy text comes from gen-iam's files only: no policy document is written in HCL.
    role = config["resource"][("aws_iam_role", "this")]
    policy = config["resource"][("aws_iam_policy", "this")]
    assert role["assume_role_policy"] == "${local.trust_documents[each.key]}"
    assert policy["policy"] == "${local.policy_documents[each.key]}"
    locals_text = block_text(ACCOUNT_MODULE / "main.tf", "locals {")
    assert "file(\"${local.manifest_dir}/${role.trust_policy_file}\")" in attribute_expression(locals_text, "trust_documents")
    assert "file(\"${local.manifest_dir}/${policy.file}\")" in attribute_expression(locals_text, "policy_documents")
    assert "aws_iam_policy_document" not in (ACCOUNT_MODULE / "main.tf").read_text()
    assert role["depends_on"] == ["${aws_iam_openid_connect_provider.this}"]


def test_account_module_refuses_an_account_outside_the_manifest(tmp_path):
    scratch = Scratch(tmp_path, ACCOUNT_MODULE / "variables.tf", block_text(ACCOUNT_MODULE / "main.tf", "locals {"))
    assert scratch.evaluate("length(local.roles)", {"manifest_path": str(MANIFEST_PATH), "account_id": "999999999999"}) == 0
    assert scratch.evaluate("length(local.providers_here)", {"manifest_path": str(MANIFEST_PATH), "account_id": "999999999999"}) == 0
    block = block_text(ACCOUNT_MODULE / "main.tf", 'resource "aws_iam_openid_connect_provider" "this" {')
    assert "length(local.providers_here) == 1" in block
    assert "data.aws_caller_identity.current.account_id == var.account_id" in block
    with pytest.raises(EvaluationError, match="manifest_path must name an existing manifest.json"):
        scratch.evaluate("local.manifest", {"manifest_path": str(tmp_path / "missing.json"), "account_id": "222222222222"})


# --- env example: one shared-model-account module per manifest account, each through its own provider ------------

def test_env_instantiates_one_account_module_per_manifest_account(model_accounts):
    config = load_hcl(ENV)
    instances = {name: body for name, body in config["module"].items()
                 if body["source"] == "../../modules/shared-model-account"}
    assert sorted(body["account_id"] for body in instances.values()) == model_accounts
    aliases = {body["alias"]: body for name, body in config["provider"] if name == "aws" and "alias" in body}
    for name, body in instances.items():
        account = body["account_id"]
        assert body["manifest_path"] == "${local.manifest_path}"
        alias = interpolation(body["providers"]["aws"]).removeprefix("aws.")
        provider = aliases[alias]
        assert provider["allowed_account_ids"] == [account], alias
        (assume_role,) = provider["assume_role"]
        assert assume_role["role_arn"] == f"arn:${{var.partition}}:iam::{account}:role/${{var.deployment_role_name}}"
    assert len(aliases) == len(model_accounts), "one provider alias per shared-model account, no stray ones"
    locals_text = (ENV / "locals.tf").read_text()
    assert 'manifest_path = "${local.repo_root}/policies/generated/manifest.json"' in locals_text
    assert (ENV / "../../..").resolve() == ROOT


def test_env_gives_the_ecs_module_the_task_role_gen_iam_emits(manifest):
    config = load_hcl(ENV)
    task_role_module = config["module"]["gateway_task_role"]
    assert task_role_module["source"] == "../../generated/gateway"
    assert (ENV / task_role_module["source"]).resolve() == IAC / "generated" / "gateway"
    gateway = config["module"]["gateway"]
    assert gateway["source"] == "../../modules/gateway-ecs"
    assert gateway["task_role_arn"] == "${module.gateway_task_role.task_role_arn}"

    generated = json.loads((IAC / "generated" / "gateway" / "main.tf.json").read_text())
    (role_key, role), = generated["resource"]["aws_iam_role"].items()
    assert generated["output"]["task_role_arn"]["value"] == "${aws_iam_role.%s.arn}" % role_key
    assert role["name"] == manifest["task_role"]["name"] == f"{manifest['org']}-GenAIGateway-TaskRole"

    ecs = load_hcl(ECS_MODULE)
    task_definition = ecs["resource"][("aws_ecs_task_definition", "gateway")]
    assert task_definition["task_role_arn"] == "${var.task_role_arn}"
    assert task_definition["execution_role_arn"] == "${aws_iam_role.execution.arn}"
    # The module's validation accepts the role gen-iam emits (and only a <Org>-GenAIGateway-TaskRole).
    (validation,) = ecs["variable"]["task_role_arn"]["validation"]
    pattern = re.search(r'regex\("(.*)", var\.task_role_arn\)', validation["condition"]).group(1).replace("\\\\", "\\")
    assert re.fullmatch(pattern, manifest["task_role"]["arn"])
    assert not re.fullmatch(pattern, "arn:aws:iam::111111111111:role/SomeOtherRole")


def test_env_log_group_and_secrets_are_the_ones_the_task_role_may_use(manifest):
    catalog = yaml.safe_load((ROOT / "policies" / "catalog.yaml").read_text())
    runtime_policy = json.loads((MANIFEST_PATH.parent / manifest["task_role"]["policies"][0]["file"]).read_text())
    resources = json.dumps(runtime_policy)
    log_group = catalog["gateway"]["log_group"]
    assert f"log-group:{log_group}:*" in resources
    env = load_hcl(ENV)
    assert env["module"]["gateway"]["log_group_name"] == "${local.log_group_name}"
    assert "log_group_name  = local.catalog.gateway.log_group" in (ENV / "locals.tf").read_text()
    for variable in ("cache_key_secret_name", "client_secret_name"):
        default = env["variable"][variable]["default"]
        assert default in catalog["gateway"]["secrets"], variable
        assert f":secret:{default}-??????" in resources, variable


# --- gateway-ecs: secrets only through `secrets`, network paths, health check ------------------------------------

SECRET_ARNS = {
    "cache_key_secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:t/cache-key-AAAAAA",
    "client_secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:t/client-secret-BBBBBB",
    "redis_auth_token_secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:t/redis-auth-CCCCCC",
    "cache_previous_keys_secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:t/previous-DDDDDD",
}
REDIS_URL_SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:t/redis-url-EEEEEE"
SECRET_VARIABLES = {"GATEWAY_CACHE_KEY", "GATEWAY_CACHE_PREVIOUS_KEYS", "GATEWAY_CLIENT_SECRET", "GATEWAY_REDIS_URL"}


def ecs_variables(**overrides) -> dict:
    values = {
        "vpc_id": "vpc-0123456789abcdef0",
        "public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
        "private_subnet_ids": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        "container_image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/genai-gateway:1.0.0",
        "task_role_arn": "arn:aws:iam::111111111111:role/ACME-GenAIGateway-TaskRole",
        "certificate_arn": "arn:aws:acm:us-east-1:111111111111:certificate/0000-1111",
        "alb_access_logs_bucket": "acme-alb-logs",
        "inbound_audience": "callers",
        "client_id": "genai-gateway",
        "extra_environment": {"GATEWAY_LOG_LEVEL": "debug"},
        **SECRET_ARNS,
    }
    values.update(overrides)
    return values


@pytest.fixture(scope="module")
def container_scratch(tmp_path_factory) -> Scratch:
    """The module's container_environment, container_secrets and container_log_delivery locals, with resource
    attributes stubbed."""
    locals_block = block_text(ECS_MODULE / "main.tf", "locals {")
    parts = ["locals {", "  container_port = 8080"]
    for name in ("container_environment", "container_secrets", "container_log_delivery"):
        expression = attribute_expression(locals_block, name)
        expression = expression.replace("aws_secretsmanager_secret.redis_url.arn", json.dumps(REDIS_URL_SECRET))
        assert not re.search(r"\b(aws_[a-z_]+|data)\.", expression), f"unexpected reference in {name}: {expression}"
        parts.append(f"  {name} = {expression}")
    parts.append("}")
    return Scratch(tmp_path_factory.mktemp("gateway-ecs"), ECS_MODULE / "variables.tf", "\n".join(parts) + "\n")


def test_task_definition_takes_environment_and_secrets_only_from_their_locals():
    block = block_text(ECS_MODULE / "ecs.tf", 'resource "aws_ecs_task_definition" "gateway" {')
    definitions = attribute_expression(block, "container_definitions")
    assert definitions.count("environment ") == 1 and definitions.count("secrets ") == 1
    assert re.search(r"environment\s*=\s*\[for key in sort\(keys\(local\.container_environment\)\) : "
                     r"\{ name = key, value = local\.container_environment\[key\] \}\]", definitions)
    assert re.search(r"secrets\s*=\s*\[for key in sort\(keys\(local\.container_secrets\)\) : "
                     r"\{ name = key, valueFrom = local\.container_secrets\[key\] \}\]", definitions)
    assert "environmentFiles" not in definitions


def test_every_secret_reaches_the_container_through_secrets(container_scratch):
    values = ecs_variables()
    environment = container_scratch.evaluate("local.container_environment", values)
    secrets = container_scratch.evaluate("local.container_secrets", values)
    assert set(secrets) == SECRET_VARIABLES
    assert secrets["GATEWAY_REDIS_URL"] == REDIS_URL_SECRET
    assert all(re.fullmatch(r"arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+", arn) for arn in secrets.values())
    assert not SECRET_VARIABLES & set(environment)
    for arn in list(SECRET_ARNS.values()) + [REDIS_URL_SECRET]:
        assert arn not in environment.values()
    assert environment["GATEWAY_LISTEN"] == "0.0.0.0:8080"
    assert environment["GATEWAY_LOG_LEVEL"] == "debug"
    # Without previous keys the secret is simply absent.
    secrets = container_scratch.evaluate("local.container_secrets", ecs_variables(cache_previous_keys_secret_arn=None))
    assert set(secrets) == SECRET_VARIABLES - {"GATEWAY_CACHE_PREVIOUS_KEYS"}


def test_log_delivery_mode_is_explicit_and_the_buffer_only_in_non_blocking_mode(container_scratch):
    block = block_text(ECS_MODULE / "ecs.tf", 'resource "aws_ecs_task_definition" "gateway" {')
    definitions = attribute_expression(block, "container_definitions")
    assert re.search(r"options\s*=\s*merge\(\{.*?awslogs-stream-prefix.*?\},\s*local\.container_log_delivery\)",
                     definitions, re.S), "the awslogs options must take mode (and buffer) from local.container_log_delivery"
    assert container_scratch.evaluate("local.container_log_delivery", ecs_variables()) == {
        "mode": "non-blocking", "max-buffer-size": "25m"}
    assert container_scratch.evaluate("local.container_log_delivery", ecs_variables(log_buffer_size="64m")) == {
        "mode": "non-blocking", "max-buffer-size": "64m"}
    assert container_scratch.evaluate("local.container_log_delivery", ecs_variables(log_delivery_mode="blocking")) == {
        "mode": "blocking"}
    with pytest.raises(EvaluationError, match="log_delivery_mode must be"):
        container_scratch.evaluate("local.container_log_delivery", ecs_variables(log_delivery_mode="lossy"))
    with pytest.raises(EvaluationError, match="log_buffer_size must be"):
        container_scratch.evaluate("local.container_log_delivery", ecs_variables(log_buffer_size="25MB"))


@pytest.mark.parametrize("key", sorted(SECRET_VARIABLES))
def test_a_secret_cannot_be_passed_as_plain_environment(container_scratch, key):
    with pytest.raises(EvaluationError, match="Secrets Manager"):
        container_scratch.evaluate("local.container_environment", ecs_variables(extra_environment={key: "plain"}))


def test_execution_role_reads_exactly_the_injected_secrets_and_redis_url_is_tls():
    block = block_text(ECS_MODULE / "iam.tf", 'data "aws_iam_policy_document" "execution" {')
    statement = block[block.index('sid       = "ReadInjectedSecrets"'):]
    statement = statement[:statement.index("}")]
    assert 'actions   = ["secretsmanager:GetSecretValue"]' in statement
    assert "resources = sort(values(local.container_secrets))" in statement
    redis = load_hcl(ECS_MODULE)["resource"]
    secret_string = redis[("aws_secretsmanager_secret_version", "redis_url")]["secret_string"]
    assert secret_string.startswith("rediss://:${urlencode(local.redis_auth_token)}@"
                                    "${aws_elasticache_replication_group.redis.primary_endpoint_address}:")
    group = redis[("aws_elasticache_replication_group", "redis")]
    assert group["transit_encryption_enabled"] is True and group["at_rest_encryption_enabled"] is True
    assert group["automatic_failover_enabled"] is True and group["multi_az_enabled"] is True
    assert group["auth_token"] == "${local.redis_auth_token}"
    assert group["kms_key_id"] == "${aws_kms_key.gateway.arn}"


def rule_source(body: dict) -> str:
    if "referenced_security_group_id" in body:
        return interpolation(body["referenced_security_group_id"]).removeprefix("aws_security_group.").removesuffix(".id")
    return body["cidr_ipv4"]


def test_security_groups_allow_only_the_listed_paths():
    resources = {}
    for directory in (ECS_MODULE, ACCOUNT_MODULE, ENV):
        resources.update({key: body for key, body in load_hcl(directory)["resource"].items()})
    assert not [key for key in resources if key[0] in ("aws_security_group_rule", "aws_vpc_security_group_rule")]
    groups = {name: body for (rtype, name), body in resources.items() if rtype == "aws_security_group"}
    assert sorted(groups) == ["alb", "redis", "tasks"]
    for name, body in groups.items():
        assert "ingress" not in body and "egress" not in body, f"{name}: rules are separate resources"
    rules = set()
    for (rtype, name), body in resources.items():
        if rtype not in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            continue
        assert body["ip_protocol"] == "tcp" and body["from_port"] == body["to_port"], name
        group = interpolation(body["security_group_id"]).removeprefix("aws_security_group.").removesuffix(".id")
        port = body["from_port"]
        port = {"${local.container_port}": 8080, "${local.redis_port}": 6379}.get(port, port)
        rules.add((rtype.split("_")[-2], group, port, rule_source(body)))
    assert rules == {
        ("ingress", "alb", 443, "${each.value}"),
        ("ingress", "alb", 80, "${each.value}"),
        ("egress", "alb", 8080, "tasks"),
        ("ingress", "tasks", 8080, "alb"),
        ("egress", "tasks", 6379, "redis"),
        ("egress", "tasks", 443, "0.0.0.0/0"),
        ("ingress", "redis", 6379, "tasks"),
    }
    for name in ("alb_https", "alb_http_redirect"):
        assert resources[("aws_vpc_security_group_ingress_rule", name)]["for_each"] == "${toset(var.allowed_ingress_cidrs)}"
    # Port 80 only redirects: its listener has no forward action.
    http = resources[("aws_lb_listener", "http_redirect")]
    (action,) = http["default_action"]
    assert action["type"] == "redirect" and action["redirect"][0]["protocol"] == "HTTPS"
    https = resources[("aws_lb_listener", "https")]
    assert https["protocol"] == "HTTPS" and https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    service = resources[("aws_ecs_service", "gateway")]
    assert service["network_configuration"][0]["security_groups"] == ["${aws_security_group.tasks.id}"]
    assert service["network_configuration"][0]["assign_public_ip"] is False
    assert resources[("aws_elasticache_replication_group", "redis")]["security_group_ids"] == ["${aws_security_group.redis.id}"]
    assert resources[("aws_lb", "gateway")]["security_groups"] == ["${aws_security_group.alb.id}"]


def test_target_group_health_check_is_health():
    resources = load_hcl(ECS_MODULE)["resource"]
    target_group = resources[("aws_lb_target_group", "gateway")]
    assert target_group["target_type"] == "ip"
    assert target_group["port"] == "${local.container_port}"
    (health_check,) = target_group["health_check"]
    assert health_check["path"] == "/health"
    assert health_check["matcher"] == "200"
    service = resources[("aws_ecs_service", "gateway")]
    (breaker,) = service["deployment_circuit_breaker"]
    assert breaker == {"enable": True, "rollback": True}
    metrics = {policy["target_tracking_scaling_policy_configuration"][0]["predefined_metric_specification"][0]["predefined_metric_type"]
               for (rtype, _), policy in resources.items() if rtype == "aws_appautoscaling_policy"}
    assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
