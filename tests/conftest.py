"""Shared fixtures: the seed, run once end to end through the real CLI."""

from __future__ import annotations

import csv
import json
import os
import tempfile
import subprocess
import sys
from pathlib import Path

import pytest

# the registry of documents in force the tests read: the shipped rows only, never the user's own registry
os.environ["VANBAN_REGISTRY"] = os.path.join(tempfile.gettempdir(), f"vanban-tests-no-registry-{os.getpid()}", "registry.sqlite")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
SEED = SAMPLES / "000_2460ae3cff98ef28.txt"
EXPECTED = ROOT / "tests" / "data" / "seed_expected"


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """`vanban ARGS` in a real process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "vanban.cli", *args], capture_output=True, text=True, cwd=cwd, input=input, timeout=600
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def seed_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed_out")
    proc = run_cli("run", str(SEED), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def seed_result():
    from vanban.pipeline import process_file

    res = process_file(SEED)
    assert res.error is None, res.error
    return res


@pytest.fixture(scope="session")
def expected_metadata() -> dict:
    return json.loads((EXPECTED / "metadata.json").read_text(encoding="utf-8"))
