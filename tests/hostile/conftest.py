"""Hostile-use corpus: what a careless or malicious user, a CI runner or a full disk does to jianhe.

Each module covers one area (output paths, signals, concurrency, resource bombs, spreadsheet
injection, secrets, malformed inputs); every test reproduces a defect that once escaped and fails
on the code before its fix.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


def jianhe(*args: str, cwd: Path | None = None, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """Run the real command line in a child process, as a user or a CI job would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JIANHE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, **kw)


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped example batch (tests may damage it)."""
    target = tmp_path / "submission"
    shutil.copytree(EXAMPLE, target)
    return target
