"""gen-iam as a platform engineer runs it: exit codes, staleness, diagnostics and name parsing."""
import json
import shutil
import subprocess


def run(binary, *args, cwd):
    return subprocess.run([str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def copy_repo_inputs(root, tmp_path):
    (tmp_path / "policies").mkdir()
    shutil.copy(root / "policies" / "catalog.yaml", tmp_path / "policies" / "catalog.yaml")
    return tmp_path


def test_generate_with_defaults_then_check_passes(gen_iam, root, tmp_path):
    work = copy_repo_inputs(root, tmp_path)
    result = run(gen_iam, cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "policies/generated/manifest.json").exists()
    assert list((work / "iac/generated").rglob("*.tf.json"))
    # Byte-identical to the committed outputs of the same catalog.
    for generated in (work / "policies/generated").rglob("*"):
        if generated.is_file():
            committed = root / "policies/generated" / generated.relative_to(work / "policies/generated")
            assert generated.read_bytes() == committed.read_bytes(), generated
    check = run(gen_iam, "check", cwd=work)
    assert check.returncode == 0, check.stderr
    assert "up to date" in check.stdout


def test_check_lists_stale_missing_and_extra_files(gen_iam, root, tmp_path):
    work = copy_repo_inputs(root, tmp_path)
    assert run(gen_iam, "generate", cwd=work).returncode == 0
    manifest = work / "policies/generated/manifest.json"
    manifest.write_text(manifest.read_text().replace("ACME", "ACNE"))
    trust = next((work / "policies/generated").rglob("trust-policy.json"))
    trust.unlink()
    (work / "iac/generated/leftover.tf.json").write_text("{}")
    result = run(gen_iam, "check", cwd=work)
    assert result.returncode == 1
    assert "stale:   policies/generated/manifest.json" in result.stderr
    assert f"missing: policies/generated/{trust.relative_to(work / 'policies/generated')}" in result.stderr
    assert "extra:   iac/generated/leftover.tf.json" in result.stderr
    assert "swift run gen-iam generate" in result.stderr
    # generate repairs all three.
    assert run(gen_iam, "generate", cwd=work).returncode == 0
    assert not (work / "iac/generated/leftover.tf.json").exists()
    assert run(gen_iam, "check", cwd=work).returncode == 0


def test_validate_reports_every_error_with_file_line_and_column(gen_iam, root, tmp_path):
    text = (root / "policies/catalog.yaml").read_text()
    text = text.replace("org: ACME", "org: AC-ME", 1).replace("regions: [eu-central-1, eu-west-1]", "regions: [eu-central-1, Frankfurt]", 1)
    bad = tmp_path / "catalog.yaml"
    bad.write_text(text)
    result = run(gen_iam, "validate", "--catalog", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if ": error: " in l]
    assert len(lines) == 2, result.stderr
    org_line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("org:"))
    assert lines[0].startswith(f"{bad}:{org_line}:6: error: org: ")
    assert "Frankfurt" in lines[1] and "model_accounts[1].regions[1]" in lines[1]
    assert "catalog has 2 errors" in result.stderr


def test_usage_errors_exit_2_and_missing_catalog_exits_1(gen_iam, tmp_path):
    assert run(gen_iam, "generate", "--no-such-flag", cwd=tmp_path).returncode == 2
    assert run(gen_iam, "frobnicate", cwd=tmp_path).returncode == 2
    missing = run(gen_iam, "validate", "--catalog", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 1
    assert "cannot read the catalog file 'nope.yaml'" in missing.stderr
    assert run(gen_iam, "--help", cwd=tmp_path).returncode == 0


def test_names_parse_prints_fields_or_the_reason(gen_iam, tmp_path):
    ok = run(gen_iam, "names", "parse", "ACME-GenAI-UseCaseA-BedrockInvokeRole", "ACME-GenAI-UseCaseA-Anthropic-InvokePolicy", "ACME-IdP-Okta", "ACME-GenAIGateway-TaskRole", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    parsed = [json.loads(line) for line in ok.stdout.splitlines()]
    assert parsed[0]["kind"] == "role"
    assert parsed[0]["fields"] == {"OrgPrefix": "ACME", "Layer": "GenAI", "UseCaseOrGroup": "UseCaseA", "Capability": "BedrockInvoke"}
    assert parsed[1]["fields"]["ModelProvider"] == "Anthropic"
    assert [p["kind"] for p in parsed[2:]] == ["identity_provider", "task_role"]
    bad = run(gen_iam, "names", "parse", "ACME-GenAI-Use_CaseA-BedrockInvokeRole", "ACME-IdP-Okta", cwd=tmp_path)
    assert bad.returncode == 1
    assert "Use_CaseA" in bad.stderr and "[A-Za-z0-9]" in bad.stderr
    assert json.loads(bad.stdout)["name"] == "ACME-IdP-Okta"
