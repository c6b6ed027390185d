"""checkov over the generated Terraform: zero failed checks (run offline with --skip-download)."""
import json
import os
import pathlib
import subprocess

import pytest


def checkov_binary(root: pathlib.Path) -> str:
    binary = os.environ.get("CHECKOV", str(root / ".venv-checkov" / "bin" / "checkov"))
    if not pathlib.Path(binary).exists():
        pytest.fail(f"checkov not found at {binary}: run scripts/test.sh, which installs it into .venv-checkov")
    return binary


def test_generated_terraform_passes_checkov(root):
    result = subprocess.run(
        [checkov_binary(root), "-d", str(root / "iac" / "generated"), "--framework", "terraform_json",
         "--skip-download", "--output", "json", "--quiet"],
        capture_output=True, text=True, timeout=600,
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    summary = {key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed", "parsing_errors")}
    failed = [c["check_id"] + " " + c["resource"] for r in reports for c in r["results"]["failed_checks"]]
    assert summary["parsing_errors"] == 0, result.stdout[-2000:]
    assert summary["failed"] == 0, failed
    assert summary["passed"] >= 40, summary
