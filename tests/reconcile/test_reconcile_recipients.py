"""Recipients beyond the debt unit and the finance departments: bank-loan differences go to the lending
branch as the head office's branch directory lists it (通知 附件5 一, 附件2 二; a branch not listed under
its head office goes to the head office), and differences of a unit that is not on the platform go to its
主管部门 (附件3 二, 附件1 三.1), which reports to the finance department of its level (附件4 三)."""
import json

import pytest

from engine.cli import main
from engine.reconcile.run import reconcile_submission
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.reconcile.helpers import BANK, BRANCH, PACK, UNIT, UNIT2, bank, loan, product, registry, unit, write_folder

OUTSIDER = "91460108MA5TGH479M"  # not on the platform


def directory(*rows) -> list[dict]:
    base = {"HEAD_CODE": BANK, "HEAD_NAME": "中国工商银行股份有限公司", "BRANCH_CODE": BRANCH,
            "BRANCH_NAME": "中国工商银行股份有限公司海口分行（名录）", "REGION_CODE": "460100", "CONTACT": "王某"}
    return [{**base, **r} for r in rows] or [base]


def supervisors(*rows) -> list[dict]:
    base = {"UNIT_USCC": OUTSIDER, "UNIT_NAME": "海口美兰临空产业园开发有限公司", "SUPERVISOR": "海口市美兰区国资局",
            "SUPERVISOR_USCC": "11460108MB1234562M", "REGION_CODE": "460108"}
    return [{**base, **r} for r in rows] or [base]


def folder(tmp_path, debts=(), banks=(), registries=(), units=None, branches=None, supervised=None, name="m"):
    tables = {"DEBT_UNIT": [unit()] if units is None else units, "DEBT_RECORD": list(debts), "BANK_LOAN": list(banks),
              "REGISTRY_PRODUCT": list(registries)}
    if branches is not None:
        tables["BANK_BRANCH"] = branches
    if supervised is not None:
        tables["UNIT_SUPERVISOR"] = supervised
    return write_folder(tmp_path / name, tables)


def routed(result) -> list[tuple]:
    return sorted((f.cls, f.recipient.kind, f.recipient.code,
                   (f.creditor_recipient.kind, f.creditor_recipient.code) if f.creditor_recipient else ())
                  for f in result.findings)


def test_bank_loan_differences_go_to_the_lending_branch(tmp_path):
    result = reconcile_submission(folder(tmp_path, [loan(1, RATE="5"), loan(2)], [bank(1)]), PACK)
    assert routed(result) == [("debt_only", "unit", UNIT, ("branch", BRANCH)),  # the debt record's branch
                              ("misreported", "unit", UNIT, ("branch", BRANCH))]
    assert result.findings[0].creditor_recipient.name == "中国工商银行股份有限公司海口分行"  # the bank's own name for it


def test_the_directory_names_the_branch_and_catches_a_branch_not_under_its_head_office(tmp_path):
    # the first branch of the records (the bank's, then the unit's) that the directory lists under the head office
    other = "B0001B246020001"
    banks = [bank(1, RATE="5"), bank(2, RATE="5", BRANCH_CODE=other, BRANCH_NAME="三亚分行")]
    debts = [loan(1), loan(2, BRANCH_CODE=other)]
    result = reconcile_submission(folder(tmp_path, debts, banks, branches=directory()), PACK)
    by_line = {f.creditor[0].line: f.creditor_recipient for f in result.findings}
    assert (by_line[2].kind, by_line[2].code, by_line[2].name) == ("branch", BRANCH, "中国工商银行股份有限公司海口分行（名录）")
    assert (by_line[3].kind, by_line[3].code) == ("bank", BANK)  # not in the directory: the head office
    assert "B0001B246020001 不在总行的分支机构名录中" in by_line[3].note
    listed = reconcile_submission(folder(tmp_path, debts, banks,
                                         branches=directory({}, {"BRANCH_CODE": other, "BRANCH_NAME": "三亚分行"}),
                                         name="b"), PACK)
    assert {f.creditor_recipient.code for f in listed.findings} == {BRANCH, other}


def test_registry_differences_have_no_bank_recipient(tmp_path):
    result = reconcile_submission(folder(tmp_path, [product(1, RATE="5")], [], [registry(1)]), PACK)
    assert routed(result) == [("misreported", "unit", UNIT, ())]


def test_a_unit_not_on_the_platform_goes_to_its_supervisor(tmp_path):
    banks = [bank(1, BORROWER_USCC=OUTSIDER, BORROWER_REGION="460108")]
    regs = [registry(2, DEBTOR_USCC=OUTSIDER, DEBTOR_REGION="460108")]
    result = reconcile_submission(folder(tmp_path, [], banks, regs, supervised=supervisors()), PACK)
    assert routed(result) == [("omitted", "supervisor", "11460108MB1234562M", ()),
                              ("omitted", "supervisor", "11460108MB1234562M", ("branch", BRANCH))]
    rec = result.findings[0].recipient
    assert rec.name == "海口市美兰区国资局" and "是否应纳入" in rec.note and "海口市美兰区财政局" in rec.note
    # without the list, the region's finance department, as before
    plain = reconcile_submission(folder(tmp_path, [], banks, regs, name="b"), PACK)
    assert {f.recipient.kind for f in plain.findings} == {"finance"}


def test_a_registered_unit_names_its_supervisor(tmp_path):
    result = reconcile_submission(folder(tmp_path, [loan(1, RATE="5")], [bank(1)], supervised=supervisors()), PACK)
    rec = result.findings[0].recipient
    assert (rec.kind, rec.code, rec.note) == ("unit", UNIT, "主管部门：海口市国资委（审核确认）")


def test_recipients_get_workbooks_and_the_json_names_both(tmp_path):
    f = folder(tmp_path, [loan(1, RATE="5")], [bank(1), bank(2, BORROWER_USCC=OUTSIDER, BORROWER_REGION="460108")],
               supervised=supervisors(), branches=directory())
    out = tmp_path / "out"
    assert main(["reconcile", str(f), "--param", "province=460000", "--report-dir", str(out), "--quiet"]) == 1
    doc = json.loads((out / "reconcile.json").read_text("utf-8"))
    assert sorted(r["kind"] for r in doc["recipients"]) == ["branch", "supervisor", "unit"]
    assert all(x["creditor_recipient"]["kind"] == "branch" for x in doc["findings"])
    books = sorted(p.name.split("_")[0] for p in (out / "feedback").glob("*.xlsx"))
    assert books == ["主管部门", "债务单位", "银行分支机构"]


@pytest.mark.parametrize("branch,head,failed", [(BRANCH, BANK, 0), ("B0001B246020001", BANK, 1), (BRANCH, "B0002H111000001", 1)])
def test_validate_checks_branches_under_their_head_office(tmp_path, branch, head, failed):
    f = folder(tmp_path, [loan(1, BRANCH_CODE=branch, CREDITOR_CODE=head)], [bank(1, BRANCH_CODE=branch, BANK_CODE=head)],
               branches=directory())
    result = validate_submission(f, load_pack("debt_platform"))
    counts = {r.id: r.failed for r in result.rules if r.id.endswith("BRANCH_IN_DIRECTORY")}
    assert counts == {"DP.BANK.BRANCH_IN_DIRECTORY": failed, "DP.DEBT.BRANCH_IN_DIRECTORY": failed}


def test_validate_checks_the_supervisor_list(tmp_path):
    f = folder(tmp_path, supervised=supervisors({}, {"UNIT_USCC": UNIT2[:-1] + "X", "REGION_CODE": "460199"}))
    result = validate_submission(f, load_pack("debt_platform"))
    assert {r.id: r.failed for r in result.rules if r.id.startswith("DP.SUP.")} == {"DP.SUP.USCC": 1, "DP.SUP.REGION": 1}
