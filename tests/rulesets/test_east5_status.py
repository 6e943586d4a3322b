"""Status and severity of the east5 pack's official rules follow the official rule register
(specs/east5/official/rules.csv): deleted rules are retired in the pack version of the Q&A batch that deleted
them, downgraded rules are weak from that batch on, non-null rules carry the workbook's 是否强校验 flag."""
from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from engine.ruleset import load_pack

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "specs" / "east5" / "official" / "rules.csv"
VERSIONS = ["2021", "2022.1", "2022.2", "2022.3", "2022.4"]


def _tool(name):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "specs" / "east5" / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def pack():
    return load_pack("east5")


@pytest.fixture(scope="module")
def official() -> dict[str, dict]:
    """Register row of each final number (the 活期 row where the 定期 twin shares the number)."""
    return {number: rows[0] for number, rows in _tool("official_nonnull").official_rows(REGISTER).items()}


def _history(row: dict, change: str) -> list[str]:
    return [item.split(":")[0] for item in row["history"].split("|") if item.endswith(":" + change)]


def _jianhe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_deleted_rules_are_retired_in_the_batch_that_deleted_them(pack, official):
    checked = []
    for number, row in official.items():
        versions = _history(row, "删除")
        base = next((r for r in pack.base_rules if r.id == number and r.table == row["final_table"]), None)
        if not versions or base is None or "修改" in row["history"]:
            continue
        version = versions[0]
        before = VERSIONS[VERSIONS.index(version) - 1]
        assert pack.at(before).rule(number) is not None, f"{number} missing before {version}"
        assert pack.at(version).rule(number) is None, f"{number} still active in {version} (deleted by that batch)"
        checked.append(int(number))
    assert {488, 793, 1168, 91, 1087, 948} <= set(checked)


def test_downgraded_rules_are_weak_from_their_batch_on(pack, official):
    checked = []
    for number, row in official.items():
        versions = _history(row, "调整为弱校验")
        if not versions or not any(r.id == number for r in pack.base_rules):
            continue
        version = versions[0]
        for v in VERSIONS:
            rule = pack.at(v).rule(number)
            expected = "weak" if VERSIONS.index(v) >= VERSIONS.index(version) or row["strong"] == "否" else "strong"
            assert rule is not None and rule.severity == expected, (number, v, rule and rule.severity)
        checked.append(int(number))
    assert {745, 1158, 1147, 1148, 587, 2761, 2889, 2890} <= set(checked)


def test_non_null_rules_carry_the_official_flag(pack, official):
    """Every final non-null number of the spec that the register maps has the workbook's 是否强校验 flag before any
    Q&A change (in 2021, or from the batch that added it)."""
    base = {r.id: r for r in pack.base_rules}
    required = {f.required_rule: (t.code, f.code) for t in pack.catalog.tables.values() for f in t.fields if f.required_rule}
    wrong, checked = [], 0
    for number, (table, field) in required.items():
        row = official.get(number)
        if row is None or (row["final_table"], row["final_field"]) != (table, field):
            continue
        rule = base.get(number)
        expected = "weak" if row["strong"] == "否" else "strong"
        checked += 1
        if rule is None or rule.severity != expected:
            wrong.append(f"{number} {table}.{field}: pack {rule and rule.severity}, official {expected}")
    assert wrong == []
    assert checked >= 1300


def test_generated_non_null_file_is_current():
    assert _tool("official_nonnull").main(["--check"]) == 0


def test_rules_show_says_745_is_weak():
    out = _jianhe("rules", "show", "745", "--pack", "east5")
    assert out.returncode == 0, out.stderr
    assert "severity:  weak 弱校验" in out.stdout and "2022.3 changed" in out.stdout


def test_rules_show_gives_the_batch_that_retired_488():
    out = _jianhe("rules", "show", "488", "--pack", "east5", "--pack-version", "2021")
    assert out.returncode == 0, out.stderr
    assert "history:   since 2021; 2022.1 retired: 填报口径第一期：删除" in out.stdout
    diff = _jianhe("rules", "diff", "2021", "2022.1", "--pack", "east5")
    assert any(line.startswith("retired") and " 488 " in line for line in diff.stdout.splitlines())
    codelist = next(line for line in diff.stdout.splitlines() if line.startswith("codelist") and "单位性质" in line)
    assert codelist.endswith("其他-XX accepted"), codelist  # 第一期: 以规范为准 (表1 row 635)


def test_rules_show_of_a_retired_rule_says_retired():
    out = _jianhe("rules", "show", "488", "--pack", "east5")
    assert out.returncode == 0 and "retired" in out.stdout and "2022.1" in out.stdout
