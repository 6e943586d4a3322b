"""A stop signal while jianhe is still importing its modules ends it like one during a run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the signal is sent from inside the import of engine.compile, i.e. while `jianhe` is starting
STOP_DURING_IMPORT = """
import os, signal, sys
class StopWhileImporting:
    def find_spec(self, name, path=None, target=None):
        if name == "engine.compile":
            os.kill(os.getpid(), signal.{signal})
        return None
sys.meta_path.insert(0, StopWhileImporting())
from engine.launch import main
sys.exit(main(["rules", "--pack", "east5_core", "--count"]))
"""


@pytest.mark.parametrize("name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_while_starting_exits_with_its_code_and_one_line(name, code):
    run = subprocess.run([sys.executable, "-c", STOP_DURING_IMPORT.format(signal=name)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == code, run.stderr
    assert run.stderr.strip() == "jianhe: interrupted while starting; no report was written"


@pytest.mark.slow
def test_without_a_stop_the_launcher_runs_the_command():
    run = subprocess.run([sys.executable, "-m", "engine", "rules", "--pack", "east5_core", "--count"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "active rules" in run.stdout, run.stderr


def test_every_entry_point_goes_through_the_launcher():
    assert 'jianhe = "engine.launch:main"' in (ROOT / "pyproject.toml").read_text("utf-8")
    for module in ("engine/__main__.py", "jianhe/__main__.py"):
        assert "from engine.launch import main" in (ROOT / module).read_text("utf-8")
