"""The east5 检核结果及备案表 in the regulator's layout: official numbers, 检核类型 labels and texts, workbook order."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from engine.report import RENDERERS
from engine.results import Finding, RuleResult, RunResult

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "specs" / "east5" / "official" / "rules.csv"


def _rule(rid: str, category: str, status: str = "passed", failed: int = 0, table: str = "JGXXB") -> RuleResult:
    return RuleResult(id=rid, table=table, table_name="表", kind="format", category=category, severity="strong",
                      message_zh=f"pack message {rid}", message_en="m", status=status, checked=10, failed=failed,
                      samples=[Finding(rid, table, "f.txt", n + 1, f"K{n}", "v") for n in range(failed)])


def _result(pack: str, rules: list[RuleResult]) -> RunResult:
    return RunResult(submission="B", pack={"name": pack, "version": "2022.4", "digest": "x"}, engine={}, options={},
                     started_at="2024-07-01T00:00:00", duration_s=0.1, fail_on="strong", rules=rules)


def _register_order() -> dict[str, int]:
    with open(REGISTER, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    order: dict[str, int] = {}
    for i, row in enumerate(rows):
        for number in (row["final"], row["jhgz"]):
            if number:
                order.setdefault(number, i)
    return order


def test_rules_follow_the_official_workbook(tmp_path):
    # 2231: BHYXYZB 采集日期 长度 (a failure), 1: JGXXB 银行机构代码 为空, 745: RZZLYWB 承租人编号 为空 (downgraded),
    # JHGZ1972: JGXXB 成立日期 日期格式; a local id and a failed local rule come after them
    rules = [_rule("JGXXB.X.format", "长度", "failed", 3), _rule("2231", "长度", "failed", 2, "BHYXYZB"),
             _rule("745", "为空", table="RZZLYWB"), _rule("JHGZ1972", "日期格式"), _rule("1", "为空"),
             _rule("JGXXB.Y.format", "其他")]
    path = RENDERERS["xlsx"](_result("east5", rules), tmp_path)
    sheet = list(openpyxl.load_workbook(path)["检核结果"].iter_rows(values_only=True))[1:]
    ids = [row[0] for row in sheet]
    order = _register_order()
    assert ids == sorted(["2231", "745", "JHGZ1972", "1"], key=order.__getitem__) + ["JGXXB.X.format", "JGXXB.Y.format"]
    by_id = {row[0]: row for row in sheet}
    assert by_id["1"][1:2] == ("1缺失类-为空校验",) and by_id["1"][6] == "银行机构代码不允许为空"
    assert by_id["JHGZ1972"][1] == "2格式规范类-日期格式" and by_id["JHGZ1972"][6] == "成立日期必须满足日期格式YYYYMMDD"
    assert by_id["2231"][1] == "2格式规范类-长度校验" and "长度" in by_id["2231"][6]
    assert by_id["JGXXB.Y.format"][1:7:5] == ("4业务类-其他类", "pack message JGXXB.Y.format")
    detail = list(openpyxl.load_workbook(path)["错误明细"].iter_rows(values_only=True))[1:]
    assert [row[0] for row in detail] == ["2231", "2231", "JGXXB.X.format", "JGXXB.X.format", "JGXXB.X.format"]
    assert detail[0][1] == "2格式规范类-长度校验"


def test_packs_without_a_register_keep_failed_rules_first(tmp_path):
    rules = [_rule("1", "为空"), _rule("JGXXB.X.format", "长度", "failed", 3)]
    path = RENDERERS["xlsx"](_result("east5-core", rules), tmp_path)
    sheet = list(openpyxl.load_workbook(path)["检核结果"].iter_rows(values_only=True))[1:]
    assert [row[0] for row in sheet] == ["JGXXB.X.format", "1"]
    assert sheet[1][6] == "pack message 1"
