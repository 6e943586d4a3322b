"""Command-line conventions: JSON on stdout, colour switches, formats that need somewhere to go."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env = {**base, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "jianhe", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("flag", ["--report-dir", "-o"])
def test_json_report_on_stdout_and_nothing_else(flag):
    run = _run("validate", str(EXAMPLE), flag, "-")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)  # the whole of stdout is one JSON document
    assert report["verdict"] == "not_ready" and report["rules"]
    assert not Path("-").exists() and not (ROOT / "-").exists()


def test_other_formats_to_stdout_are_refused():
    run = _run("validate", str(EXAMPLE), "-o", "-", "--format", "html")
    assert run.returncode == 2 and "other formats need a folder" in run.stderr


def test_a_format_with_nowhere_to_go_is_a_usage_error():
    run = _run("validate", str(EXAMPLE), "--format", "json")
    assert run.returncode == 2 and "needs --report-dir" in run.stderr


@pytest.mark.parametrize("env, coloured", [({}, False), ({"FORCE_COLOR": "1"}, True),
                                           ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)])
@pytest.mark.slow
def test_colour_switches(env, coloured):
    run = _run("validate", str(EXAMPLE), env=env)
    assert run.returncode == 1
    assert ("\x1b[" in run.stdout) == coloured


@pytest.mark.slow
def test_one_table_alone_from_a_folder():
    run = _run("validate", str(EXAMPLE), "--table", "机构信息表", "-o", "-")
    report = json.loads(run.stdout)
    assert {r["table"] for r in report["rules"]} <= {"JGXXB", "*"}
    assert not any(r["id"] == "FILE.MISSING_TABLE" and r["status"] == "failed" for r in report["rules"])


@pytest.mark.slow
def test_require_tables_all_and_the_verdict_line_counts_what_was_not_run():
    plain = _run("validate", str(EXAMPLE), "--fail-on", "none")
    first = plain.stdout.splitlines()[0]
    report = json.loads(_run("validate", str(EXAMPLE), "-o", "-").stdout)
    not_run = report["summary"]["rules_not_run"]
    absent = sum(not t["present"] for t in report["tables"])
    assert f"未执行 {not_run:,} rules not run" in first and (absent == 0 or f"{absent} 张表未报送" in first)
    required = json.loads(_run("validate", str(EXAMPLE), "--require-tables", "all", "-o", "-").stdout)
    failed = sum(r["failed"] for r in required["rules"] if r["id"] == "FILE.NOT_SUBMITTED")
    assert failed == absent
