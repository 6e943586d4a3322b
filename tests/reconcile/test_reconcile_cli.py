"""`jianhe reconcile`: exit codes, console summary, report files (JSON schema, xlsx per recipient,
HTML), clean-up of an earlier run, unreadable lines and missing tables; the pack's own fixtures."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import openpyxl

from engine import conformance
from engine.cli import main
from engine.ruleset import load_pack
from tests.reconcile.helpers import UNIT2, bank, folder_with, loan, product, registry

PROVINCE = ["--param", "province=460000"]  # the hand-built folders are 海南省's
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "reports" / "reconcile.schema.json").read_text("utf-8"))


def test_all_matched_exits_0(tmp_path, capsys):
    folder = folder_with(tmp_path, [loan(1), loan(2), product(3)], [bank(1), bank(2)], [registry(3)])
    out = tmp_path / "out"
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out)]) == 0
    text = capsys.readouterr().out
    assert "双方一致 MATCHED" in text and "一致 matched" in text
    doc = json.loads((out / "reconcile.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["verdict"] == "matched" and doc["summary"]["groups"]["matched"] == 3 and doc["findings"] == []
    assert not (out / "feedback").exists()  # nobody to write to
    assert "全部一致" in (out / "reconcile.html").read_text("utf-8")


def test_differences_exit_1_with_counts_on_the_console(tmp_path, capsys):
    folder = folder_with(tmp_path, [loan(1, BALANCE="1.00"), loan(2)], [bank(1), bank(3)])
    assert main(["reconcile", str(folder), *PROVINCE]) == 1
    text = capsys.readouterr().out
    assert "存在差异 DIFFERENCES" in text
    line = next(t for t in text.splitlines() if "under_reported" in t)
    assert line.split()[-1] == "1"
    assert next(t for t in text.splitlines() if " concealed" in t).split()[-1] == "1"


def test_report_dir_dash_writes_the_json_report_to_stdout_and_nothing_else(tmp_path):
    """As ``validate --report-dir -``: the document on stdout, no folder named '-', no console summary."""
    folder = folder_with(tmp_path, [loan(1, BALANCE="1.00"), loan(2)], [bank(1), bank(2)])
    run = subprocess.run([sys.executable, "-m", "engine", "reconcile", str(folder), *PROVINCE, "--report-dir", "-"],
                         cwd=tmp_path, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["summary"]["groups"]["under_reported"] == 1 and doc["summary"]["groups"]["matched"] == 1
    assert not (tmp_path / "-").exists()
    reader = subprocess.Popen([sys.executable, "-m", "engine", "reconcile", str(folder), *PROVINCE, "--report-dir", "-"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    reader.stdout.close()  # the reader is gone before the document is written: the verdict still stands
    assert reader.wait() == 1 and b"Traceback" not in reader.stderr.read()


def test_a_format_needs_a_folder_and_stdout_takes_json_only(tmp_path, capsys):
    folder = folder_with(tmp_path, [loan(1)], [bank(1)])
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", "-", "--format", "json,html"]) == 2
    assert "other formats need a folder" in capsys.readouterr().err
    assert main(["reconcile", str(folder), *PROVINCE, "--format", "html"]) == 2  # a format with nowhere to go
    assert "--format html needs --report-dir" in capsys.readouterr().err


def test_unreadable_folder_exits_3(tmp_path, capsys):
    assert main(["reconcile", str(tmp_path / "missing"), *PROVINCE]) == 3
    (tmp_path / "empty").mkdir()
    assert main(["reconcile", str(tmp_path / "empty"), *PROVINCE]) == 3
    assert "Traceback" not in capsys.readouterr().err


def test_rejected_lines_and_missing_tables_are_not_a_clean_match(tmp_path):
    folder = folder_with(tmp_path, [loan(1)], [bank(1)], [registry(1)])
    (folder / "REGISTRY_PRODUCT.csv").unlink()
    (folder / "BANK_LOAN.csv").write_text((folder / "BANK_LOAN.csv").read_text("utf-8") + "202406,only,three\n", "utf-8")
    out = tmp_path / "out"
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    doc = json.loads((out / "reconcile.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["verdict"] == "differences"
    registry_rule = next(r for r in doc["rules"] if r["id"] == "DP.RECON.REGISTRY")
    assert registry_rule["status"] == "not_run" and "REGISTRY_PRODUCT" in registry_rule["note"]
    assert doc["summary"]["rules_not_run"] == 1
    # only the ragged line is rejected, with its line; the good loan row is compared (and matches), and the
    # loan rule says a missing counterpart may be an artefact of the rejected line
    assert doc["summary"]["rows_rejected"] == 1
    assert [(f["rule"], f["line"]) for f in doc["file_findings"]] == [("FILE.FIELD_COUNT", 3)]
    loan_rule = next(r for r in doc["rules"] if r["id"] == "DP.RECON.LOAN")
    assert "BANK_LOAN 1" in loan_rule["note"] and doc["findings"] == []


def test_a_csv_missing_a_column_rejects_its_rows(tmp_path):
    folder = folder_with(tmp_path, [loan(1)], [bank(1)])
    lines = (folder / "BANK_LOAN.csv").read_text("utf-8").splitlines()
    (folder / "BANK_LOAN.csv").write_text("\n".join(",".join(l.split(",")[:-1]) for l in lines) + "\n", "utf-8")
    out = tmp_path / "out"
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--quiet", "--format", "json"]) == 1
    doc = json.loads((out / "reconcile.json").read_text("utf-8"))
    assert next(t for t in doc["inputs"] if t["table"] == "BANK_LOAN")["rows_rejected"] == 1
    assert any(f["rule"] == "FILE.FIELD_COUNT" and "STATUS" in f["value"] for f in doc["file_findings"])
    assert [f["class"] for f in doc["findings"]] == ["debt_only"]  # nothing silently paired or dropped
    assert "could not be read" in doc["rules"][0]["note"]


def test_feedback_workbooks_hold_both_sides_side_by_side(tmp_path):
    debts = [loan(1, RATE="4.5"), loan(2)]
    banks = [bank(1), bank(2), bank(2, LOAN_NO="JJ-0002", BRANCH_CODE="B0001B246020001"),
             bank(5, BORROWER_USCC=UNIT2, BORROWER_REGION="460108")]
    folder = folder_with(tmp_path, debts, banks)
    out = tmp_path / "out"
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    books = {p.name: p for p in (out / "feedback").glob("*.xlsx")}
    assert sorted(books) == ["债务单位_91460100MA5RCE5U1C_海口市城市建设投资有限公司.xlsx", "地方财政部门_460108_海口市美兰区财政局.xlsx",
                             "银行分支机构_B0001B246010001_中国工商银行股份有限公司海口分行.xlsx"]  # the lending branch (附件5 一)
    wb = openpyxl.load_workbook(books["债务单位_91460100MA5RCE5U1C_海口市城市建设投资有限公司.xlsx"])
    assert wb.sheetnames == ["说明", "DP.RECON.LOAN"]
    ws = wb["DP.RECON.LOAN"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert [(r["差异类别"], r["平台口径"]) for r in rows] == [("错报", "错报"), ("一对多", "匹配异常"), ("一对多", "匹配异常")]
    assert (rows[0]["利率（债务方）"], rows[0]["执行利率（债权方）"]) == ("4.5", "4.200000")
    rate_col = header.index("利率（债务方）")
    assert ws.cell(row=2, column=rate_col + 1).fill.fgColor.rgb.endswith("FFC7CE")  # the differing cell
    assert ws.cell(row=2, column=header.index("借款金额（债务方）") + 1).fill.fgColor.rgb in (None, "00000000")
    assert rows[1]["债务方文件:行"] == "DEBT_RECORD.csv:3" and rows[2]["债务方文件:行"] in ("", None)
    assert {rows[1]["借据编号（债权方）"], rows[2]["借据编号（债权方）"]} == {"JJ0002", "JJ-0002"}
    assert header[-2:] == ["核实情况", "处理说明"]
    info = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r and r[0]}
    assert info["本接收方差异数"] == 2


def test_an_earlier_runs_reports_are_replaced(tmp_path):
    out = tmp_path / "out"
    first = folder_with(tmp_path, [loan(1)], [bank(1, BORROWER_USCC=UNIT2, BORROWER_REGION="460108"), bank(1)], name="a")
    assert main(["reconcile", str(first), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    assert len(list((out / "feedback").glob("*.xlsx"))) == 2  # the finance department and the lending branch
    (out / "notes.txt").write_text("mine", "utf-8")
    second = folder_with(tmp_path, [loan(1)], [bank(1)], name="b")
    assert main(["reconcile", str(second), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 0
    assert not (out / "feedback").exists() and (out / "notes.txt").read_text("utf-8") == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith((".jianhe-staging-", ".jianhe-previous"))]


def test_the_pack_passes_its_own_fixtures():
    pack = load_pack("debt_platform")
    report = conformance.check(pack)
    assert report.problems == [] and report.untested == []
    assert report.checked == len(pack.rules)
    kinds = {r.kind for r in pack.rules}
    assert {"reconcile", "identifier", "compare", "unique", "reference", "expression", "range", "regex"} <= kinds


def test_rules_show_prints_the_reconciliation_sql(capsys):
    assert main(["rules", "show", "DP.RECON.LOAN", "--pack", "debt_platform"]) == 0
    text = capsys.readouterr().out
    assert "kind:      reconcile" in text and "GROUP BY" in text and "translate(" in text
