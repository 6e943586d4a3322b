"""检核结果及备案表.xlsx read back with openpyxl: the rule sheet's order, the 错误明细 sheet against the
results model's samples, the 运行信息 sheet in Chinese, and formula-looking data kept as text."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from engine.cli import main
from engine.report import RENDERERS
from engine.report.xlsx import DETAIL_HEADER, HEADER
from engine.results import SEVERITY_ORDER, Finding, RuleResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
SEVERITY_ZH = {"strong": "强校验", "weak": "弱校验", "info": "提示"}
STATE = {(False, False): "错误", (True, False): "备注豁免", (False, True): "已豁免", (True, True): "已豁免"}
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _book(result, tmp_path):
    path = RENDERERS["xlsx"](result, tmp_path)
    return path, openpyxl.load_workbook(path)


def _values(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _triage(rules) -> list:
    rank = {"failed": 0, "not_run": 1, "passed": 2}
    return sorted(rules, key=lambda r: (rank[r.status], -SEVERITY_ORDER[r.severity] if r.status != "passed" else 0,
                                        -r.failed if r.status == "failed" else 0))


def _more_rules(run_result):
    """Rules enough to show the order: two strong failures with different counts, a weak, a passed."""
    for rid, sev, status, failed in (("X1", "strong", "failed", 5), ("X2", "weak", "failed", 9),
                                     ("X3", "strong", "passed", 0), ("X4", "info", "not_run", 0)):
        run_result.rules.append(RuleResult(
            id=rid, table="JGXXB", table_name="机构信息表", kind="format", category="长度", severity=sev,
            message_zh="m", message_en="m", status=status, checked=10, failed=failed,
            samples=[Finding(rid, "JGXXB", "JGXXB.txt", n, f"K{n}", f"v{n}", excused=n == 3) for n in range(failed)]))
    return run_result


def test_sheets_and_headers(run_result, tmp_path):
    _, wb = _book(run_result, tmp_path)
    assert wb.sheetnames == ["检核结果", "错误明细", "运行信息"]
    assert _values(wb["检核结果"])[0] == tuple(HEADER)
    assert _values(wb["错误明细"])[0] == tuple(DETAIL_HEADER)
    for name in ("检核结果", "错误明细"):
        assert wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref.startswith("A1:")
        assert wb[name]["A1"].font.b


def test_rule_sheet_failed_first_then_not_run_then_passed(run_result, tmp_path):
    _more_rules(run_result)
    _, wb = _book(run_result, tmp_path)
    body = _values(wb["检核结果"])[1:]
    assert [(r[3], r[0]) for r in body] == [(r.table, r.id) for r in _triage(run_result.rules)]
    # strong (5, 2 failing rows), weak (9, 1), info (1); not run strong then info; passed
    assert [r[0] for r in body] == ["X1", "JS0105", "X2", "JS0012", "L-GRKH-07", "JS0230", "X4", "JS0001", "X3"]
    assert [r[12] for r in body] == ["未通过"] * 5 + ["未执行"] * 2 + ["通过"] * 2
    assert body[0][8:10] == (10, 5) and body[5][8:11] == (None, None, None)  # numbers; not run: empty
    assert wb["检核结果"]["K2"].number_format == "0.00%"


def test_detail_sheet_is_every_sample_of_the_model(run_result, tmp_path):
    _more_rules(run_result)
    _, wb = _book(run_result, tmp_path)
    body = _values(wb["错误明细"])[1:]
    want = [(r.id, r.table_name, r.table, r.field_name, r.field, s.file, s.line, s.key,
             None if s.value in (None, "") else s.value, SEVERITY_ZH[r.severity], STATE[(s.excused, s.waived)])
            for r in _triage(run_result.rules) for s in r.samples]
    got = [(row[0], row[2], row[3], row[4], row[5], row[7], row[8], row[9], row[10], row[6], row[11]) for row in body]
    assert got == want
    assert len(body) == sum(len(r.samples) for r in run_result.rules) == 19
    assert ("L-GRKH-07", "GRKHXXB.txt", 88, "KHTYBH=C0088", "张*") in [(r[0], r[7], r[8], r[9], r[10]) for r in body]
    assert [r[11] for r in body if r[0] == "X1"] == ["错误", "错误", "错误", "备注豁免", "错误"]
    assert body[0][1] == "2格式规范类-长度校验"  # the official category name


def test_run_info_in_chinese(run_result, tmp_path):
    _, wb = _book(run_result, tmp_path)
    rows = _values(wb["运行信息"])
    assert rows[0] == ("项目", "内容")
    info = dict(rows[1:])
    assert info["检核结论"] == "不予报送"
    assert info["判定阈值"] == "强校验未通过即不予报送"
    assert info["报送批次"] == "B0001H111000001-20240630"
    assert info["规则包"] == "east5_core" and info["规则包版本"] == "0.1.0"
    assert (info["规则总数"], info["未通过规则数"], info["未执行规则数"], info["错误记录数"]) == (5, 3, 1, 4)
    assert info["错误明细条数"] == 5 and info["敏感信息脱敏"] == "是"
    assert all(re.search("[\u4e00-\u9fff]", key) for key in info)  # every label Chinese
    texts = [v for row in rows for v in row if isinstance(v, str)]
    assert not [t for t in texts if t in ("not_ready", "ready", "strong")]
    run_result.verdict = "ready"
    _, wb = _book(run_result, tmp_path)
    assert dict(_values(wb["运行信息"])[1:])["检核结论"] == "准予报送"


def test_formula_looking_records_stay_text(run_result, tmp_path):
    hostile = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"y\")"]
    rule = next(r for r in run_result.rules if r.id == "JS0105")
    rule.samples = [Finding(rule.id, rule.table, h, i, h, h) for i, h in enumerate(hostile, start=1)]
    path, wb = _book(run_result, tmp_path)
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert not FORMULA.search(zf.read(name)), name
    cells = [c for row in wb["错误明细"].iter_rows(min_row=2) for c in row if c.value in hostile]
    assert len(cells) == 3 * len(hostile)  # file, key, value
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    lines = [c for row in wb["错误明细"].iter_rows(min_row=2, min_col=9, max_col=9) for c in row]
    assert lines and all(c.data_type == "n" for c in lines if c.value is not None)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx-example")
    assert main(["validate", str(EXAMPLE), "--previous-date", "20240531", "--format", "json,xlsx", "--report-dir",
                 str(out), "--quiet", "--sample-limit", "3"]) == 1
    return json.loads((out / "report.json").read_text(encoding="utf-8")), openpyxl.load_workbook(out / FILENAME)


FILENAME = "检核结果及备案表.xlsx"


@pytest.mark.slow
def test_example_workbook_against_the_json_report(example_run):
    doc, wb = example_run
    rank = {"failed": 0, "not_run": 1, "passed": 2}
    ordered = sorted(doc["rules"], key=lambda r: (rank[r["status"]], -SEVERITY_ORDER[r["severity"]]
                                                  if r["status"] != "passed" else 0,
                                                  -r["failed"] if r["status"] == "failed" else 0))
    body = _values(wb["检核结果"])[1:]
    assert [(r[3], str(r[0])) for r in body] == [(r["table"], r["id"]) for r in ordered]
    detail = _values(wb["错误明细"])[1:]
    want = [(r["id"], r["table"], s["file"], s["line"], s["key"], s["value"] or None)
            for r in ordered for s in r["samples"]]
    assert [(str(d[0]), d[3], d[7], d[8], d[9], d[10]) for d in detail] == want
    assert max(sum(1 for d in detail if (str(d[0]), d[3]) == key) for key in {(str(d[0]), d[3]) for d in detail}) <= 3
    info = dict(_values(wb["运行信息"])[1:])
    assert info["检核结论"] == "不予报送" and info["错误明细上限（每条规则）"] == 3
    assert info["错误明细条数"] == len(detail) == sum(len(r["samples"]) for r in doc["rules"])
