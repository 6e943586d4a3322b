"""The shipped example: `jianhe reconcile` reports exactly the planted differences, no more, no fewer —
in full and in monthly mode — and `jianhe validate` reports the same records plus the planted field defects."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from engine.cli import main
from engine.reconcile.render_xlsx import FOLDER
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "debt_platform"
EXPECTED = json.loads((EXAMPLE / "expected_classification.json").read_text("utf-8"))
CURRENT, PREVIOUS = EXAMPLE / EXPECTED["current"], EXAMPLE / EXPECTED["previous"]
SCHEMA = json.loads((ROOT / "reports" / "reconcile.schema.json").read_text("utf-8"))


def run(tmp_path_factory, *extra) -> tuple[int, dict, Path]:
    out = tmp_path_factory.mktemp("reconcile")
    code = main(["reconcile", str(CURRENT), "--pack", "debt_platform", "--param", f"province={EXPECTED['province']['code']}",
                 "--report-dir", str(out), "--quiet", *extra])
    return code, json.loads((out / "reconcile.json").read_text("utf-8")), out


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return run(tmp_path_factory)


REPLIES = EXAMPLE / EXPECTED["replies"]["folder"]


@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    # last month's open differences are known from the returned workbooks: they are reconciled again
    return run(tmp_path_factory, "--previous", str(PREVIOUS), "--replies", str(REPLIES))


def _other(r: dict | None) -> tuple:
    return (r["kind"], r["code"]) if r else ()


def planted() -> set[tuple]:
    return {(f["rule"], f["class"], tuple(sorted(map(tuple, f["debt"]))), tuple(sorted(map(tuple, f["creditor"]))),
             tuple(f["differing_fields"]), f["recipient"]["kind"], f["recipient"]["code"], _other(f["creditor_recipient"]))
            for f in EXPECTED["findings"]}


def reported(doc: dict) -> set[tuple]:
    def places(records):
        return tuple(sorted((r["file"], r["line"]) for r in records))
    return {(f["rule"], f["class"], places(f["debt"]), places(f["creditor"]), tuple(f["differing_fields"]),
             f["recipient"]["kind"], f["recipient"]["code"], _other(f["creditor_recipient"])) for f in doc["findings"]}


@pytest.mark.parametrize("mode", ["full", "monthly"])
def test_reports_exactly_the_planted_differences(mode, request):
    code, doc, _ = request.getfixturevalue(mode)
    assert code == 1 and doc["verdict"] == "differences"
    got, expected = reported(doc), planted()
    assert sorted(got - expected) == [], "reported but not planted"
    assert sorted(expected - got) == [], "planted but not reported"
    assert len(doc["findings"]) == len(EXPECTED["findings"]) == 35


def test_every_class_is_planted():
    from engine.rules.reconcile.classes import DISCREPANCIES
    assert {f["class"] for f in EXPECTED["findings"]} == set(DISCREPANCIES)
    assert {f["recipient"]["kind"] for f in EXPECTED["findings"]} == {"unit", "supervisor", "finance", "province"}
    assert {_other(f["creditor_recipient"])[:1] for f in EXPECTED["findings"]} == {("branch",), ("bank",), ()}


def test_matched_pairs_and_normalisation_cases(full):
    _, doc, _ = full
    assert {r["id"]: r["counts"]["matched"] for r in doc["rules"]} == EXPECTED["matched"]
    # the full-width, trailing-space and lower-case records appear in no finding: they matched
    flagged = {(r["file"], r["line"]) for f in doc["findings"] for r in f["debt"] + f["creditor"]}
    lines = (CURRENT / "DEBT_RECORD.csv").read_text("utf-8").splitlines()
    for tag in ("L09", "L10", "P02", "L08"):
        line = next(i for i, text in enumerate(lines, start=1) if text.startswith(f"DR202406-{tag},"))
        assert ("DEBT_RECORD.csv", line) not in flagged, tag
    assert {m["tag"] for m in EXPECTED["must_match"]} >= {"L09", "L10", "P02", "L08"}


def test_out_of_scope_records_are_listed_not_flagged(full):
    _, doc, _ = full
    assert {(o["file"], o["line"]) for o in doc["out_of_scope"]} == {(o["file"], o["line"]) for o in EXPECTED["out_of_scope"]}
    assert all("产品类型=" in o["note"] for o in doc["out_of_scope"])


def test_monthly_mode_lists_the_changes_and_reconciles_only_them(monthly, full):
    _, doc, _ = monthly
    got = {(c["rule"], c["side"], c["change"], c["file"], c["line"], c["previous_file"], c["previous_line"])
           for c in doc["changes"]}
    expected = {(c["rule"], c["side"], c["change"], c["file"], c["line"], c["previous_file"], c["previous_line"])
                for c in EXPECTED["changes"]}
    assert sorted(got - expected, key=str) == [] and sorted(expected - got, key=str) == []
    assert {c["change"] for c in doc["changes"]} == {"new", "changed", "settled", "vanished"}
    s, s_full = doc["summary"], full[1]["summary"]
    assert s["records_debt"] == s_full["records_debt"] and s["reconciled_debt"] < s["records_debt"]
    assert s["reconciled_creditor"] < s["records_creditor"]
    assert s["groups"]["matched"] < s_full["groups"]["matched"]  # unchanged pairs keep last month's agreement


def test_reports_validate_and_hold_every_recipient(full):
    _, doc, out = full
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    books = sorted((out / FOLDER).glob("*.xlsx"))
    expected_recipients = {(f["recipient"]["kind"], f["recipient"]["code"]) for f in EXPECTED["findings"]}
    expected_recipients |= {_other(f["creditor_recipient"]) for f in EXPECTED["findings"] if f["creditor_recipient"]}
    assert len(books) == len(doc["recipients"]) == len(expected_recipients)
    by_code = {r["code"]: r for r in doc["recipients"]}
    for book in books:
        wb = openpyxl.load_workbook(book, read_only=True)
        code = book.name.split("_")[1]
        ids = {row[0] for ws in wb.worksheets[1:] for row in ws.iter_rows(min_row=2, values_only=True)}
        assert ids == set(by_code[code]["findings"]), book.name
        assert wb.sheetnames[0] == "说明"


def test_html_is_offline_and_chinese(full):
    _, doc, out = full
    html = (out / "reconcile.html").read_text("utf-8")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    for label in ("存在差异", "按差异类别列示", "按接收方列示", "瞒报", "漏报", "一对多", "海口市美兰区财政局", "海南省财政厅",
                  "海口市美兰区国有资产管理局", "中国农业银行股份有限公司", "待确认"):
        assert label in html
    assert all(f'id="f-{f["id"]}"' in html for f in doc["findings"])


def test_validate_reports_the_same_records_and_the_planted_field_defects():
    result = validate_submission(CURRENT, load_pack("debt_platform"), sample_limit=10_000)
    flagged = {(r.id, s.file, s.line) for r in result.rules for s in r.samples}
    # each rule alone: a record the reconcile command pairs across product types is listed by its own rule
    expected_records = {(rule, file, line) for f in EXPECTED["findings"] for rule, file, line in f["validate"]}
    assert {x for x in flagged if x[0].startswith("DP.RECON")} == expected_records
    assert {x for x in flagged if not x[0].startswith("DP.RECON")} == {
        (f["rule"], f["file"], f["line"]) for f in EXPECTED["field_findings"]}
    values = {s.value for r in result.rules if r.id == "DP.RECON.LOAN" for s in r.samples}
    assert any(v.startswith("少报 under_reported: 债务余额 44000000.00 ≠ 45000000.00") for v in values)
    assert any(v.startswith("瞒报 concealed: 债权方余额合计 60000000.00 ≥ 5000000") for v in values)


def test_generator_is_deterministic(tmp_path):
    subprocess.run([sys.executable, str(EXAMPLE / "generate.py"), "--out", str(tmp_path)], check=True, capture_output=True)
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        assert path.read_bytes() == (EXAMPLE / path.relative_to(tmp_path)).read_bytes(), path.name
