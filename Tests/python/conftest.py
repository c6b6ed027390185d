"""Shared fixtures for the Python test suite."""
import pathlib

import pytest

from repo_paths import ROOT, built_binary


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def gen_iam() -> pathlib.Path:
    return built_binary("gen-iam")
