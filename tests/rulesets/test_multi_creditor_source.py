"""The multi-creditor pack against its source, 渝府办发〔2016〕110号《重庆市金融去杠杆防风险专项方案》三(一)
(shared reference 003): small scenarios at each requirement and boundary, each built so that the pack as it stood
before failed it."""
from __future__ import annotations

import yaml

from engine.ruleset import load_pack
from tests.rulesets.scenario import lines, run

BORROWER = "91320507MA90000000"


def exposure(creditor: str, kind: str, legal_entity: str | None = None, default: str = "否", overdue: int = 0,
             borrower: str = BORROWER) -> dict:
    row = {"ZQJGDM": creditor, "ZQJGLX": kind, "JKRDM": borrower, "JKRMC": "苏州三元机械有限公司", "SFWY": default,
           "YQTS": str(overdue), "BGRQ": "20240630"}
    if legal_entity is not None:
        row["FRJGDM"] = legal_entity
    return row


def borrower(**fields) -> dict:
    return {"JKRDM": BORROWER, "BGRQ": "20240630", "ZWHZT": "未成立", **fields}


def test_three_branches_of_one_bank_are_one_creditor_bank(tmp_path):
    """Branch USCCs differ, the legal entity is one: with one more bank that makes two creditor banks, below
    the committee's three."""
    hq = "91320000MA8001004X"
    loans = [exposure("91320505MA800015XX", "商业银行", hq, "是", 120), exposure("91320583MA800016XX", "商业银行", hq),
             exposure("91320509MA800017XX", "商业银行", hq), exposure("91320500MA800001XX", "商业银行", "91320500MA800001XX")]
    found = run(tmp_path, "multi_creditor", {"ZQMX": loans, "JKRXX": [borrower(SFZWGMJD="是")]})
    assert lines(found, "JKRXX.committee_candidates") == [] and lines(found, "JKRXX.committee_required") == []


def test_three_legal_entities_are_three_banks(tmp_path):
    loans = [exposure(f"9132050{i}MA80000{i}XX", "商业银行", f"9132050{i}MA80000{i}XX", "是" if i == 1 else "否", 120 if i == 1 else 0)
             for i in (1, 2, 3)]
    found = run(tmp_path, "multi_creditor", {"ZQMX": loans, "JKRXX": [borrower(SFZWGMJD="是")]})
    assert lines(found, "JKRXX.committee_candidates") == [2] and lines(found, "JKRXX.committee_required") == [2]


def test_a_committee_is_needed_only_where_the_debt_is_large(tmp_path):
    """三(一): 债务规模较大 and 3+ banks: a small borrower with three banks in default needs no committee."""
    loans = [exposure(f"9132050{i}MA80000{i}XX", "商业银行", f"9132050{i}MA80000{i}XX", "是" if i == 1 else "否", 120 if i == 1 else 0)
             for i in (1, 2, 3)]
    found = run(tmp_path, "multi_creditor", {"ZQMX": loans, "JKRXX": [borrower(SFZWGMJD="否")]})
    assert lines(found, "JKRXX.committee_required") == []
    assert lines(found, "JKRXX.committee_candidates") == [2]            # still on the worklist (提示)


def test_a_major_default_with_a_bank_a_small_lender_and_another_institution(tmp_path):
    loans = [exposure("91320501MA800001XX", "商业银行", "91320501MA800001XX", "是", 100),
             exposure("91320502MA800002XX", "小额贷款公司", "91320502MA800002XX"),
             exposure("91320503MA800003XX", "金融租赁公司", "91320503MA800003XX")]
    found = run(tmp_path, "multi_creditor", {"ZQMX": loans, "JKRXX": [borrower(SFZDWY="是", SFZWGMJD="否")]})
    assert lines(found, "JKRXX.committee_required_mixed") == [2] and lines(found, "JKRXX.committee_candidates") == [2]
    found = run(tmp_path, "multi_creditor", {"ZQMX": loans, "JKRXX": [borrower(SFZDWY="否", SFZWGMJD="否")]})
    assert lines(found, "JKRXX.committee_required_mixed") == []


def test_the_committees_decision_is_a_checked_field(tmp_path):
    rows = [borrower(JKRDM=f"9132050{i}MA90000{i}XX", ZWHZT="已成立", ZWHCLRQ="20240520", CZCS=measures)
            for i, measures in enumerate(["稳贷;重组", "", "展期", "其他-债转股"], start=1)]
    found = run(tmp_path, "multi_creditor", {"JKRXX": rows})
    assert lines(found, "JKRXX.committee_measures") == [3]
    assert lines(found, "JKRXX.CZCS.codelist") == [4]


def test_the_committee_rules_cite_the_plan():
    """The 3-bank and 5-small-lender thresholds are the plan's own (三(一)), not local practice to confirm."""
    pack = load_pack("multi_creditor")
    items = {r["id"]: r for r in yaml.safe_load((pack.path / "rules" / "JKRXX.yaml").read_text("utf-8"))["rules"]}
    for rid in ("JKRXX.committee_candidates", "JKRXX.committee_required", "JKRXX.committee_required_mixed"):
        assert "渝府办发〔2016〕110号 三(一)" in items[rid]["note"] and "待核" not in items[rid]["note"], rid
    assert "confirm" not in (pack.path / "pack.yaml").read_text("utf-8")
