"""Signals a CI runner or a user sends: the verdict survives a closed pipe, a stop cleans up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from engine import signals
from engine.scratch import remove_orphans, scratch_dir
from tests.hostile.conftest import EXAMPLE, ROOT, jianhe

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _big_batch(tmp_path: Path, rows: int = 600_000) -> Path:
    batch = tmp_path / "big"
    batch.mkdir()
    line = (EXAMPLE / "B0001H111000001-GRXDYWJJB-20240630.txt").read_bytes().split(b"\n")[0] + b"\n"
    (batch / "B0001H111000001-GRXDYWJJB-20240630.txt").write_bytes(line * rows)
    return batch


@pytest.mark.parametrize("command", [["validate", str(EXAMPLE)],
                                     ["reconcile", "--param", "province=460000", str(ROOT / "examples" / "debt_platform" / "202406")]])
def test_closed_stdout_keeps_the_verdict(command):
    """`jianhe validate … | head -1` under pipefail: the exit code is the verdict, not 0."""
    shell = f"set -o pipefail; {sys.executable} -m engine.cli {' '.join(command)} | head -1"
    run = subprocess.run(["bash", "-c", shell], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr


def test_stdout_closed_before_start_keeps_the_verdict():
    run = subprocess.run([sys.executable, "-m", "engine.cli", "validate", str(EXAMPLE)], cwd=ROOT, env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300,
                         preexec_fn=lambda: os.close(1))
    assert run.returncode == 1, run.stderr


def _private_tmp(tmp_path: Path) -> dict:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    return {**ENV, "TMPDIR": str(scratch)}


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_stop_signal_removes_scratch_data_and_writes_no_report(tmp_path, signum, code):
    batch = _big_batch(tmp_path)
    env = _private_tmp(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "validate", str(batch), "--report-dir", str(out),
                             "--quiet"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    scratch = Path(env["TMPDIR"])
    deadline = time.time() + 60
    while not list(scratch.glob("jianhe-*/rows.duckdb")) and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it stored rows; make the batch bigger"
    folder = next(scratch.glob("jianhe-*"))
    assert folder.stat().st_mode & 0o777 == 0o700  # rows of personal data: the user's alone
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(scratch.iterdir()) == []
    assert not (out / "report.json").exists()


def test_sigkill_then_rerun(tmp_path):
    """A killed run leaves scratch data and a staging folder; the next run clears both and works."""
    batch = _big_batch(tmp_path)
    env = _private_tmp(tmp_path)
    out = tmp_path / "out"
    first = jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet", "--format", "json")
    assert first.returncode == 1
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "validate", str(batch), "--report-dir", str(out),
                             "--quiet"], cwd=ROOT, env=env)
    scratch = Path(env["TMPDIR"])
    deadline = time.time() + 60
    while not list(scratch.glob("jianhe-*/rows.duckdb")) and time.time() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=60)
    assert list(scratch.glob("jianhe-*"))  # left behind by the killed run
    (out / ".jianhe-staging-dead").mkdir()
    rerun = subprocess.run([sys.executable, "-m", "engine.cli", "validate", str(EXAMPLE), "--report-dir", str(out),
                            "--quiet", "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 1, rerun.stderr
    assert list(scratch.iterdir()) == []
    assert not list(out.glob(".jianhe-staging-*"))
    assert (out / "report.json").exists()


def test_orphans_of_live_processes_are_kept(tmp_path):
    mine = scratch_dir()
    try:
        dead = Path(tempfile.gettempdir()) / "jianhe-999999999-x"
        dead.mkdir()
        removed = remove_orphans()
        assert dead in removed and mine.exists()
    finally:
        mine.rmdir()


@pytest.mark.parametrize("exc", [
    KeyboardInterrupt(), duckdb.InterruptException("x"), RuntimeError("Query interrupted"),
    duckdb.InvalidInputException("Invalid Input Error: Python exception occurred while executing the UDF: "
                                 "KeyboardInterrupt: "),
])
def test_every_form_of_an_interrupt_is_recognised(exc):
    """A Ctrl-C landing inside a Python function DuckDB calls came back as 'Invalid Input Error …
    KeyboardInterrupt', which was taken for a failure (exit 3)."""
    assert signals.is_interrupt(exc)


def test_a_real_failure_is_not_an_interrupt():
    assert not signals.is_interrupt(duckdb.ConversionException("Could not convert string 'x' to INT32"))
