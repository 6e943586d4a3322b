"""The confirm / inquire steps (通知 三(二)1 第二步–第四步, 附件1 二, 附件2 三): the recipients' filled-in feedback
workbooks are read back (`jianhe reconcile … --replies DIR`) and every difference carries a status — 待确认,
已确认 (every recipient confirmed it), 有异议 (a recipient disputes it, with the reply) — from month to month,
in the JSON, the HTML and the next month's workbooks. The example round-trips May's replies into June."""
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from engine.cli import main
from engine.reconcile.replies import read_replies
from engine.reconcile.run import reconcile_submission
from tests.reconcile.helpers import PACK, bank, folder_with, loan, product, registry

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "debt_platform"
EXPECTED = json.loads((EXAMPLE / "expected_classification.json").read_text("utf-8"))
CURRENT, PREVIOUS = EXAMPLE / EXPECTED["current"], EXAMPLE / EXPECTED["previous"]
REPLIES = EXAMPLE / EXPECTED["replies"]["folder"]
PROVINCE = ["--param", f"province={EXPECTED['province']['code']}"]


def run(out: Path, folder: Path, *extra) -> dict:
    code = main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--quiet", *extra])
    assert code == 1
    return json.loads((out / "reconcile.json").read_text("utf-8"))


def by_tag(doc: dict) -> dict[str, dict]:
    """Findings of the example by the tag of the planted debt (matched on their records)."""
    places = {}
    for e in EXPECTED["findings"]:
        places[tuple(sorted(map(tuple, e["debt"] + e["creditor"])))] = e["tag"]
    return {places[tuple(sorted((r["file"], r["line"]) for r in f["debt"] + f["creditor"]))]: f for f in doc["findings"]}


# ---------------------------------------------------------------- the example across two months


def test_mays_report_has_exactly_the_differences_the_replies_answer(tmp_path):
    doc = run(tmp_path / "may", PREVIOUS)
    got = {(f["rule"], f["class"], f["ref"], tuple(f["differing_fields"])) for f in doc["findings"]}
    assert got == {(e["rule"], e["class"], e["ref"], tuple(e["differing_fields"])) for e in EXPECTED["previous_findings"]}
    answered = {r.ref for r in read_replies(REPLIES).replies}
    assert answered == {e["ref"] for e in EXPECTED["previous_findings"]}
    # the example's replies are May's own workbooks, answered: same names, same columns
    books = {p.name for p in (tmp_path / "may" / "feedback").glob("*.xlsx")}
    assert set(EXPECTED["replies"]["files"]) <= books
    engine = openpyxl.load_workbook(tmp_path / "may" / "feedback" / EXPECTED["replies"]["files"][0], read_only=True)
    reply = openpyxl.load_workbook(REPLIES / EXPECTED["replies"]["files"][0], read_only=True)
    head = lambda wb: [c for c in next(wb.worksheets[1].iter_rows(values_only=True)) if c]  # noqa: E731
    assert [c for c in head(engine) if c in head(reply)] == head(reply)


@pytest.mark.parametrize("mode", ["full", "monthly"])
def test_june_carries_mays_statuses(tmp_path, mode):
    extra = ["--previous", str(PREVIOUS)] if mode == "monthly" else []
    doc = run(tmp_path / "june", CURRENT, "--replies", str(REPLIES), *extra)
    findings = by_tag(doc)
    assert {tag: findings[tag]["status"] for tag in EXPECTED["replies"]["statuses"]} == EXPECTED["replies"]["statuses"]
    assert {tag: f["status"] for tag, f in findings.items() if tag not in EXPECTED["replies"]["statuses"]} == \
        {tag: "待确认" for tag in findings if tag not in EXPECTED["replies"]["statuses"]}
    assert {tag: f["first_reported"] for tag, f in findings.items()} == \
        {e["tag"]: e["first_reported"] for e in EXPECTED["findings"]}
    disputed = findings["L02"]
    assert disputed["status"] == "有异议"
    assert {(r["recipient"]["kind"], r["status"]) for r in disputed["replies"]} == {("unit", "有异议"), ("branch", "已确认")}
    assert any("尚未入账" in r["text"] for r in disputed["replies"])
    assert [x["ref"] for x in doc["replies"]["resolved"]] == EXPECTED["replies"]["resolved"]
    assert doc["summary"]["statuses"] == {"待确认": 35 - 3, "已确认": 2, "有异议": 1}
    assert doc["replies"]["problems"] == []
    html = (tmp_path / "june" / "reconcile.html").read_text("utf-8")
    for text in ("反馈回复与确认状态", "有异议", "5月31日已提前还款100万元，银行尚未入账", "已解决", EXPECTED["replies"]["resolved"][0]):
        assert text in html, text


def test_monthly_mode_without_replies_takes_unchanged_keys_as_agreed(tmp_path):
    doc = run(tmp_path / "june", CURRENT, "--previous", str(PREVIOUS))
    missing = {e["tag"] for e in EXPECTED["findings"]} - set(by_tag(doc))
    assert missing == {"L02", "L03", "L05", "P04"}  # May's open differences, unchanged since: only replies reopen them


def test_the_next_months_workbooks_carry_the_statuses_on(tmp_path):
    june = tmp_path / "june"
    run(june, CURRENT, "--replies", str(REPLIES))
    # June's workbooks are pre-filled with each recipient's last answer …
    book = next(p for p in (june / "feedback").glob("*.xlsx") if "91460100MA5RCE5U1C" in p.name)
    ws = openpyxl.load_workbook(book)["DP.RECON.LOAN"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    l02 = next(r for r in rows if r["差异标识"] == by_tag(json.loads((june / "reconcile.json").read_text("utf-8")))["L02"]["ref"])
    assert (l02["确认状态"], l02["首次报告"], l02["状态"]) == ("有异议", "202405", "有异议")
    assert "尚未入账" in l02["核实情况"]
    assert l02["对方回复"].startswith("银行分支机构 中国建设银行股份有限公司海南省分行：已确认")
    # the unit's dispute reaches the lending branch (the 函询 of 三(二)1 第二步、第三步)
    branch = next(p for p in (june / "feedback").glob("*.xlsx") if "B0004B246000001" in p.name)
    ws = openpyxl.load_workbook(branch)["DP.RECON.LOAN"]
    header = [c.value for c in ws[1]]
    seen = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert any(r["差异标识"] == l02["差异标识"] and "有异议 5月31日已提前还款" in (r["对方回复"] or "") for r in seen)
    # … so returned unchanged, they give the same statuses in the month after (here: June again)
    returned = tmp_path / "returned"
    shutil.copytree(june / "feedback", returned)
    again = run(tmp_path / "july", CURRENT, "--replies", str(returned))
    first = json.loads((june / "reconcile.json").read_text("utf-8"))
    assert [(f["ref"], f["status"], f["first_reported"]) for f in again["findings"]] == \
        [(f["ref"], f["status"], f["first_reported"]) for f in first["findings"]]


# ---------------------------------------------------------------- statuses on hand-built folders


def answer(out: Path, returned: Path, answers: dict[str, str]) -> Path:
    """Copy the feedback workbooks to ``returned``, writing 确认状态 ``answers[recipient kind]`` on every row."""
    returned.mkdir(parents=True, exist_ok=True)
    for book in (out / "feedback").glob("*.xlsx"):
        wb = openpyxl.load_workbook(book)
        kind = {"债务单位": "unit", "银行分支机构": "branch"}[book.name.split("_")[0]]
        for ws in wb.worksheets[1:]:
            header = [c.value for c in ws[1]]
            for row in ws.iter_rows(min_row=2):
                row[header.index("确认状态")].value = answers.get(kind, "")
                row[header.index("核实情况")].value = f"{kind} 的说明"
        wb.save(returned / book.name)
    return returned


@pytest.mark.parametrize("unit_says,branch_says,status", [
    ("已确认", "已确认", "已确认"),
    ("已确认", "", "待确认"),        # the bank has not confirmed yet (第四步: both sides)
    ("", "", "待确认"),
    ("有异议", "已确认", "有异议"),
    ("已确认", "有异议", "有异议"),
    ("无误", "确认", "已确认"),       # the words recipients write for it
    ("存疑", "已确认", "有异议"),
])
def test_status_from_both_sides(tmp_path, unit_says, branch_says, status):
    first = folder_with(tmp_path, [loan(1, RATE="5")], [bank(1)], name="m1")
    out = tmp_path / "out1"
    assert main(["reconcile", str(first), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    returned = answer(out, tmp_path / "returned", {"unit": unit_says, "branch": branch_says})
    result = reconcile_submission(folder_with(tmp_path, [loan(1, RATE="5")], [bank(1)], name="m2"), PACK, replies=returned)
    assert [f.status for f in result.findings] == [status]
    assert result.findings[0].first_reported == "m1"


def test_a_registry_difference_needs_the_unit_only(tmp_path):
    first = folder_with(tmp_path, [product(1, RATE="5")], [], [registry(1)], name="m1")
    out = tmp_path / "out1"
    assert main(["reconcile", str(first), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    returned = answer(out, tmp_path / "returned", {"unit": "已确认"})
    result = reconcile_submission(folder_with(tmp_path, [product(1, RATE="5")], [], [registry(1)], name="m2"), PACK,
                                  replies=returned)
    assert [f.status for f in result.findings] == ["已确认"]


def test_a_second_match_pair_keeps_its_identity_across_months(tmp_path):
    debts, banks = [loan(1, DRAWDOWN_NO="JJ0O01")], [bank(1)]
    out = tmp_path / "out1"
    assert main(["reconcile", str(folder_with(tmp_path, debts, banks, name="m1")), *PROVINCE, "--report-dir", str(out),
                 "--quiet"]) == 1
    returned = answer(out, tmp_path / "returned", {"unit": "有异议"})
    previous = folder_with(tmp_path, debts, banks, name="m1b")
    result = reconcile_submission(folder_with(tmp_path, debts, banks, name="m2"), PACK, previous=previous,
                                  replies=returned)  # unchanged on both sides: reopened by the reply
    assert [(f.cls, f.status, f.ref) for f in result.findings] == [
        ("misreported", "有异议", "DP.RECON.LOAN:91460100MA5RCE5U1C|B0001H111000001|HT0001|JJ0001"
                                 "=91460100MA5RCE5U1C|B0001H111000001|HT0001|JJ0O01")]


def test_unreadable_replies_are_named_not_fatal(tmp_path):
    first = folder_with(tmp_path, [loan(1, RATE="5")], [bank(1)], name="m1")
    out = tmp_path / "out1"
    assert main(["reconcile", str(first), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    returned = answer(out, tmp_path / "returned", {"unit": "差不多", "branch": "已确认"})
    (returned / "broken.xlsx").write_bytes(b"not a workbook")
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "说明"])
    wb.save(returned / "other.xlsx")
    result = reconcile_submission(folder_with(tmp_path, [loan(1, RATE="5")], [bank(1)], name="m2"), PACK, replies=returned)
    problems = result.replies["problems"]
    assert any("broken.xlsx: not a readable workbook" in p for p in problems)
    assert any("other.xlsx" in p and "差异标识" in p for p in problems)
    assert any("'差不多' is none of 待确认, 已确认, 有异议" in p for p in problems)
    assert [f.status for f in result.findings] == ["待确认"]


def test_replies_come_from_their_own_folder(tmp_path, capsys):
    folder = folder_with(tmp_path, [loan(1, RATE="5")], [bank(1)])
    out = tmp_path / "out"
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--quiet"]) == 1
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--replies", str(out / "feedback")]) == 2
    assert main(["reconcile", str(folder), *PROVINCE, "--report-dir", str(out), "--replies", str(out)]) == 2
    assert main(["reconcile", str(folder), *PROVINCE, "--replies", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "--replies" in err and "Traceback" not in err
