"""The `jianhe` command: listing, showing and compiling rules; exit codes."""
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_rules_lists_by_chinese_table_name(capsys):
    assert main(["rules", "--table", "个人信贷业务借据表"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) > 100
    assert all(" GRXDYWJJB " in line for line in out)
    assert any(line.startswith("524 ") for line in out)


def test_rules_show_prints_rule_and_sql(capsys):
    assert main(["rules", "show", "524"]) == 0
    out = capsys.readouterr().out
    assert "SBXDJJH" in out and "借新还旧" in out and '"DKFFLX" = \'借新还旧\'' in out


def test_rules_show_set_rule_prints_its_query(capsys):
    assert main(["rules", "show", "JHGZ3387"]) == 0
    out = capsys.readouterr().out
    assert "EXISTS (SELECT 1 FROM \"t_GRXDYWJJB\"" in out


def test_compile_prints_one_fused_query(capsys):
    assert main(["compile", "--table", "GRXDYWJJB"]) == 0
    out = capsys.readouterr().out
    assert out.count("list_filter") == 1
    assert "row rules fused into one scan" in out


@pytest.mark.slow
def test_usage_errors_exit_2(capsys):
    assert main(["compile", "--table", "NOPE"]) == 2
    assert main(["rules", "show", "no-such-rule"]) == 2
    assert main(["validate"]) == 2
    assert main(["validate", str(ROOT / "examples" / "east5"), "--format", "pdf"]) == 2
    assert main(["validate", str(ROOT / "examples" / "east5"), "--memory-limit", "1GB'; DROP"]) == 2


def test_unreadable_submission_exits_3(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing")]) == 3
    assert "submission not found" in capsys.readouterr().err


@pytest.mark.slow
def test_console_script_runs_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "rules", "--table", "ZCHXB", "--kind", "expression"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert "1605" in proc.stdout and "1607" in proc.stdout
