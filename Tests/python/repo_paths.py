"""Paths of the repository and of the built Swift binaries (a uniquely named module: Tests/integration has its
own conftest, so `from conftest import ...` would be ambiguous when both folders run together)."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def built_binary(name: str) -> pathlib.Path:
    """Path of a Swift product built by `swift build` (the test command builds them first)."""
    env = os.environ.get(name.upper().replace("-", "_") + "_BIN")
    if env:
        return pathlib.Path(env)
    bin_dir = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = pathlib.Path(bin_dir) / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `swift build --product {name}` (scripts/test.sh does)")
    return path
