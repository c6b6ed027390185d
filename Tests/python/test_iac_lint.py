"""CI lint of iac/: `terraform fmt -check` and checkov (offline) over the hand-written and the generated Terraform."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def checkov_binary() -> str:
    binary = os.environ.get("CHECKOV", str(ROOT / ".venv-checkov" / "bin" / "checkov"))
    if not pathlib.Path(binary).exists():
        pytest.fail(f"checkov not found at {binary}: run scripts/test.sh, which installs it into .venv-checkov")
    return binary


def terraform_binary() -> str:
    binary = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not binary:
        pytest.fail("terraform (>= 1.5) is not installed: install it (https://developer.hashicorp.com/terraform/install) "
                    "or set TERRAFORM; run scripts/test.sh")
    return binary


def test_terraform_fmt_is_clean():
    result = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-recursive", "-list=true", "iac"], cwd=ROOT,
        capture_output=True, text=True, timeout=120, env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull},
    )
    assert result.returncode == 0, f"not formatted (run `terraform fmt -recursive iac`):\n{result.stdout}{result.stderr}"


def test_checkov_passes_on_all_of_iac():
    result = subprocess.run(
        [checkov_binary(), "-d", str(ROOT / "iac"), "--framework", "terraform", "terraform_json",
         "--skip-download", "--output", "json"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.stdout.strip(), f"checkov printed no report (exit {result.returncode}):\n{result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert {r["check_type"] for r in reports} == {"terraform", "terraform_json"}, [r["check_type"] for r in reports]
    summary = {key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed", "skipped", "parsing_errors")}
    failed = [f'{c["check_id"]} {c["resource"]} ({c["file_path"]})' for r in reports for c in r["results"]["failed_checks"]]
    assert summary["parsing_errors"] == 0, result.stdout[-2000:]
    assert summary["failed"] == 0, failed
    # The hand-written modules are really scanned (through the example environment), not silently skipped.
    scanned = {c["file_path"] for r in reports for c in r["results"]["passed_checks"]}
    for path in ("/modules/gateway-ecs/ecs.tf", "/modules/gateway-ecs/redis.tf", "/modules/shared-model-account/main.tf",
                 "/generated/gateway/main.tf.json"):
        assert path in scanned, sorted(scanned)
    # Every skip carries its reason beside the resource (#checkov:skip=CKV_...: reason).
    for r in reports:
        for check in r["results"]["skipped_checks"]:
            source = (ROOT / "iac" / check["file_path"].lstrip("/")).read_text()
            marker = f'#checkov:skip={check["check_id"]}:'
            assert marker in source, f'{check["check_id"]} skipped without a reason in {check["file_path"]}'
            reason = source.split(marker, 1)[1].split("\n", 1)[0].strip()
            assert len(reason) >= 30, f'{check["check_id"]}: the reason is too short: {reason!r}'
