"""The shipped regulator example generated once per test session and surveyed period by period:
what the survey and history tests read (examples/regulator/generate.py; 12 institutions × 3 periods).

It lives in a private temporary folder of its own, removed when the session ends, not in pytest's
base folder: pytest removes the oldest base folders of *other* sessions running at the same time,
and these runs take minutes.
"""
from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

from engine.cli import main
from examples.regulator.generate import PERIODS, generate

LOANS = 1000
_BASE: list[Path] = []


def private_dir(name: str) -> Path:
    """A fresh folder under this session's private temporary folder."""
    if not _BASE:
        _BASE.append(Path(tempfile.mkdtemp(prefix="jianhe-regulator-tests-")))
        atexit.register(shutil.rmtree, _BASE[0], True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_BASE[0]))


_RUNS: list[tuple[Path, Path, dict]] = []


def inbox_runs(tmp_path_factory=None) -> tuple[Path, Path, dict]:
    """(inbox, survey output folder with one sub-folder per period, planted.json) — built on first use."""
    if not _RUNS:
        base = private_dir("regulator")
        inbox, out = base / "inbox", base / "surveys"
        generate(inbox, LOANS)
        for period in PERIODS:
            rc = main(["survey", str(inbox / period), "--report-dir", str(out / period), "--batch-format", "json,html",
                       "--jobs", "2", "--quiet"])
            assert rc == 1, period  # planted defects: batches not ready
        _RUNS.append((inbox, out, json.loads((inbox / "planted.json").read_text(encoding="utf-8"))))
    return _RUNS[0]
