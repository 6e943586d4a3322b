"""The shipped example: the engine reports exactly the planted findings, no more, no less."""
import json
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5"
BATCH = EXAMPLE / "B0001H111000001-20240630"
PREVIOUS = json.loads((EXAMPLE / "expected_findings.json").read_text("utf-8"))["previous_date"]


@pytest.fixture(scope="module")
def result():
    return validate_submission(BATCH, load_pack(ROOT / "rulesets" / "east5_core"), sample_limit=1000,
                               previous_date=PREVIOUS)


def planted():
    return json.loads((EXAMPLE / "expected_findings.json").read_text("utf-8"))["findings"]


def test_reports_exactly_the_planted_findings(result):
    got = {(s.rule_id, s.table, s.file, s.line, s.excused) for r in result.rules for s in r.samples}
    expected = {(f["rule"], f["table"], f["file"], f["line"], f.get("excused", False)) for f in planted()}
    assert sorted(got - expected, key=str) == [], "found but not planted"
    assert sorted(expected - got, key=str) == [], "planted but not found"
    assert all(r.failed + r.excused == len(r.samples) for r in result.rules)


def test_excused_failures_are_counted_apart_not_hidden(result):
    rule = next(r for r in result.rules if r.id == "489")
    assert (rule.failed, rule.excused, rule.status) == (1, 1, "failed")
    assert result.summary()["findings_excused"] == 1


def test_planted_values_are_shown_masked(result):
    by_place = {(s.rule_id, s.table, s.line): s.value for r in result.rules for s in r.samples}
    checked = [f for f in planted() if "value" in f]
    assert len(checked) >= 5
    for f in checked:
        assert by_place[(f["rule"], f["table"], f["line"])] == f["value"]


def test_every_rule_kind_of_the_pack_fails_somewhere_in_the_example(result):
    failed_kinds = {r.kind for r in result.rules if r.status == "failed"}
    used_kinds = {r.kind for r in result.rules if r.kind != "file"}
    assert used_kinds <= failed_kinds


def test_rows_read_equal_rows_checked_plus_rejected(result):
    for t in result.tables:
        assert t.rows_read == t.rows_checked + t.rows_rejected
    grxd = next(t for t in result.tables if t.code == "GRXDYWJJB")
    assert (grxd.rows_read, grxd.rows_rejected) == (37, 1)


def test_cli_exits_1_and_writes_valid_reports(tmp_path):
    rc = main(["validate", str(BATCH), "--report-dir", str(tmp_path), "--format", "html,json,junit",
               "--fail-on", "strong", "--quiet", "--pack", str(ROOT / "rulesets" / "east5_core"),
               "--previous-date", PREVIOUS])
    assert rc == 1
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    schema = json.loads((ROOT / "reports" / "result.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["verdict"] == "not_ready"
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert (tmp_path / "junit.xml").exists()


def test_fail_on_none_exits_0(tmp_path):
    assert main(["validate", str(BATCH), "--fail-on", "none", "--quiet"]) == 0


def test_failures_parquet_holds_every_failure(tmp_path, result):
    import duckdb
    out = tmp_path / "failures.parquet"
    assert main(["validate", str(BATCH), "--failures", str(out), "--quiet", "--fail-on", "none",
                 "--previous-date", PREVIOUS]) == 0
    rows = duckdb.sql(f"SELECT rule_id, \"table\", file, line FROM read_parquet('{out}')").fetchall()
    assert len(rows) == sum(r.failed + r.excused for r in result.rules) == len(planted())


def test_xlsx_result_file_counts_equal_the_json_report(tmp_path):
    import openpyxl
    assert main(["validate", str(BATCH), "--report-dir", str(tmp_path), "--format", "json,xlsx", "--quiet",
                 "--fail-on", "none"]) == 0
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    ws = openpyxl.load_workbook(tmp_path / "检核结果及备案表.xlsx", read_only=True)["检核结果"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:12] == ("检核规则序号", "检核类型", "检核表名", "表名字符串", "数据项名称", "数据项代码", "检核规则",
                           "是否强校验", "总条数", "错误条数", "错误率", "备注豁免条数")
    by_key = {(r[3], str(r[0])): r for r in body}
    assert len(body) == len(doc["rules"])
    for rule in doc["rules"]:
        row = by_key[(rule["table"], rule["id"])]
        counts = (None, None) if rule["status"] == "not_run" else (rule["checked"], rule["failed"])
        assert (row[8], row[9]) == counts
        assert row[7] == ("是" if rule["severity"] == "strong" else "否")
        assert abs((row[10] or 0) - rule["rate"]) < 1e-9


def test_scope_rules_need_the_previous_date():
    result = validate_submission(BATCH, load_pack(ROOT / "rulesets" / "east5_core"))
    scope = next(r for r in result.rules if r.id == "GRXDYWJJB.scope.terminal")
    assert scope.status == "not_run" and "--previous-date" in scope.note
