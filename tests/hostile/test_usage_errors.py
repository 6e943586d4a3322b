"""User mistakes are exit 2 with one line naming the argument, never "internal error" (exit 3)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.conftest import EXAMPLE, ROOT, jianhe


def _one_line_usage_error(run, *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jianhe: error:"), run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


@pytest.mark.parametrize("date", ["20240631", "20241399", "20230229", "2024063", "２０２４０６３０", "abcdefgh"])
def test_impossible_previous_date_is_refused(date):
    _one_line_usage_error(jianhe("validate", EXAMPLE, "--previous-date", date, "--quiet"), "--previous-date")


def test_a_real_leap_day_is_accepted():
    assert jianhe("validate", EXAMPLE, "--previous-date", "20240229", "--quiet").returncode == 1


def test_fifo_as_the_submission(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    _one_line_usage_error(jianhe("validate", fifo, "--quiet", timeout=60), "neither a folder nor a regular file")


def test_export_gx_onto_an_existing_file(tmp_path):
    target = tmp_path / "suites"
    target.write_text("mine", encoding="utf-8")
    _one_line_usage_error(jianhe("export", "gx", "--pack", "east5_core", "--out", target), "--out")
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("setting", ["against.when=1 +", "against.when=NOSUCH = 1"])
def test_bad_reconcile_set_expression(setting):
    run = jianhe("reconcile", "--param", "province=460000", ROOT / "examples" / "debt_platform" / "202406", "--set", setting, "--quiet")
    _one_line_usage_error(run, "--set")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 900 + "1" + "}" * 900])
def test_deeply_nested_baseline(tmp_path, text):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(text, encoding="utf-8")
    _one_line_usage_error(jianhe("validate", EXAMPLE, "--baseline", baseline, "--quiet"), "baseline")


def test_missing_submission_touches_no_report_folder(tmp_path):
    out = tmp_path / "out"
    assert jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet", "--format", "json").returncode == 1
    run = jianhe("validate", tmp_path / "none", "--report-dir", out, "--quiet")
    assert run.returncode == 3 and "submission not found" in run.stderr
    assert (out / "report.json").exists() and not (out / ".jianhe-previous").exists()


def test_failures_equal_to_a_report_file(tmp_path):
    out = tmp_path / "out"
    run = jianhe("validate", EXAMPLE, "--report-dir", out, "--failures", out / "report.json", "--quiet")
    _one_line_usage_error(run, "--failures")
