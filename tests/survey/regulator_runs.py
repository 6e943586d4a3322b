"""The shipped regulator example generated once per test session and surveyed period by period:
what the survey and history tests read (examples/regulator/generate.py; 12 institutions × 3 periods)."""
from __future__ import annotations

import json
from pathlib import Path

from engine.cli import main
from examples.regulator.generate import PERIODS, generate

LOANS = 1000


def inbox_runs(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(inbox, survey output folder with one sub-folder per period, planted.json) — built on first use."""
    base = tmp_path_factory.getbasetemp() / "regulator"
    inbox, out = base / "inbox", base / "surveys"
    planted_file = inbox / "planted.json"
    if not planted_file.exists():
        generate(inbox, LOANS)
        for period in PERIODS:
            rc = main(["survey", str(inbox / period), "--report-dir", str(out / period), "--batch-format", "json,html",
                       "--jobs", "2", "--quiet"])
            assert rc == 1, period  # planted defects: batches not ready
    return inbox, out, json.loads(planted_file.read_text(encoding="utf-8"))
