"""The second match: records the keys left unpaired are paired one to one on the rule's fallback keys
(unit + contract + drawdown, unit + creditor + drawdown + amount, unit + contract + amount / balance — the
data the platform pushes to the bank, 三(二)1 第一步), so a typo in the drawdown number, a creditor code
given at branch level or a bank loan entered as 信托 is one 错报 naming the fields that differ — not a
多报 and a 瞒报."""
import json

from engine.cli import main
from engine.reconcile.run import reconcile_submission
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.reconcile.helpers import (BANK, BRANCH, PACK, UNIT, bank, classes, folder_with, loan, product, reconcile,
                                     registry)


def test_typo_in_the_drawdown_number_is_one_misreport(tmp_path):
    result = reconcile(tmp_path, [loan(1, DRAWDOWN_NO="JJ0O01")], [bank(1)])
    assert classes(result) == [("misreported", (2,), (2,), ("DRAWDOWN_NO",))]
    f = result.findings[0]
    assert f.match == {"stage": "fallback", "keys": ["债务单位统一社会信用代码", "协议合同编号", "借款金额"],
                       "outside_scope": False, "note": f.match["note"]}
    assert "提款编号 JJ0O01 ≠ JJ0001" in f.match["note"]
    assert f.match_key == [UNIT, BANK, "HT0001", "JJ0001"]  # the creditor's key
    key = next(c for c in f.comparison if c.role == "key")
    assert (key.field, key.debt, key.creditor, key.differs) == ("DRAWDOWN_NO", "JJ0O01", "JJ0001", True)
    assert result.rules[0].counts["misreported"] == 1 and result.rules[0].counts["concealed"] == 0


def test_creditor_code_given_at_branch_level_is_one_misreport(tmp_path):
    result = reconcile(tmp_path, [loan(1, CREDITOR_CODE=BRANCH)], [bank(1)])
    assert classes(result) == [("misreported", (2,), (2,), ("CREDITOR_CODE",))]
    assert result.findings[0].match["keys"] == ["债务单位统一社会信用代码", "协议合同编号", "提款编号"]


def test_bank_loan_entered_as_trust_is_one_misreport_of_the_loan_rule(tmp_path):
    debt = loan(1, PRODUCT_TYPE="信托", DRAWDOWN_NO="", PRODUCT_CODE="")
    result = reconcile(tmp_path, [debt], [bank(1)], [])
    got = [(f.rule, f.cls, tuple(r.line for r in f.debt), tuple(r.line for r in f.creditor), tuple(f.differing_fields))
           for f in result.findings]
    assert got == [("DP.RECON.LOAN", "misreported", (2,), (2,), ("PRODUCT_TYPE", "DRAWDOWN_NO"))]
    f = result.findings[0]
    assert f.match["outside_scope"] is True
    scope = next(c for c in f.comparison if c.role == "scope")
    assert (scope.field, scope.debt) == ("PRODUCT_TYPE", "信托") and "银行贷款" in scope.tolerance
    assert result.rules[1].counts["debt_only"] == 0  # the registry rule no longer calls it 多报
    assert result.out_of_scope == []


def test_a_loan_entered_as_leasing_is_found_and_leaves_the_out_of_scope_list(tmp_path):
    result = reconcile(tmp_path, [loan(1, PRODUCT_TYPE="融资租赁")], [bank(1)])
    assert classes(result) == [("misreported", (2,), (2,), ("PRODUCT_TYPE",))]
    assert result.out_of_scope == []
    bonds = reconcile(tmp_path / "b", [loan(1, PRODUCT_TYPE="债券")], [bank(1)])  # outside the second match's scope
    assert classes(bonds) == [("concealed", (), (2,), ())] and len(bonds.out_of_scope) == 1


def test_a_product_entered_as_a_bank_loan_is_found_by_the_registry_rule(tmp_path):
    debt = product(1, PRODUCT_TYPE="银行贷款", DRAWDOWN_NO="JJ9")
    result = reconcile(tmp_path, [debt], [], [registry(1)])
    got = [(f.rule, f.cls, tuple(f.differing_fields)) for f in result.findings]
    assert got == [("DP.RECON.REGISTRY", "misreported", ("PRODUCT_TYPE",))]


def test_own_scope_pairs_come_before_pairs_across_product_types(tmp_path):
    # the bank record could pair with the 信托 record (unit, contract, amount) and with the typo'd loan: the loan
    # rule's own record wins; the 信托 record stays 多报 of the registry rule
    debts = [loan(1, DRAWDOWN_NO="JJX"), loan(2, PRODUCT_TYPE="信托", CONTRACT_NO="HT0001", DRAWDOWN_NO="JJY",
                                                 PRODUCT_CODE="ZXD00009")]
    result = reconcile(tmp_path, debts, [bank(1)], [])
    got = sorted((f.rule, f.cls, tuple(r.line for r in f.debt), tuple(r.line for r in f.creditor)) for f in result.findings)
    assert got == [("DP.RECON.LOAN", "misreported", (2,), (2,)), ("DP.RECON.REGISTRY", "debt_only", (3,), ())]


def test_balance_differences_still_count_after_the_second_match(tmp_path):
    result = reconcile(tmp_path, [loan(1, DRAWDOWN_NO="JJ-01", BALANCE="7000000.00")], [bank(1)])
    assert classes(result) == [("under_reported", (2,), (2,), ("DRAWDOWN_NO", "BALANCE"))]


def test_ambiguous_second_matches_pair_nothing(tmp_path):
    # two unpaired debt records share unit, contract and amount with one bank record: nothing is paired silently
    debts = [loan(1, DRAWDOWN_NO="JJA"), loan(1, DRAWDOWN_NO="JJB", RECORD_ID="R0009")]
    got = classes(reconcile(tmp_path, debts, [bank(1)]))
    assert got == [("concealed", (), (2,), ()), ("debt_only", (2,), (), ()), ("debt_only", (3,), (), ())]


def test_a_later_key_set_pairs_what_an_earlier_one_left_ambiguous(tmp_path):
    # both typo'd records share unit + contract + amount with the bank record (ambiguous); only the second
    # shares its balance too: unit + contract + balance pairs it
    debts = [loan(1, DRAWDOWN_NO="JJA", BALANCE="1.00"), loan(1, DRAWDOWN_NO="JJB", RECORD_ID="R0009")]
    result = reconcile(tmp_path, debts, [bank(1)])
    assert classes(result) == [("debt_only", (2,), (), ()), ("misreported", (3,), (2,), ("DRAWDOWN_NO",))]
    paired = next(f for f in result.findings if f.cls == "misreported")
    assert paired.match["keys"] == ["债务单位统一社会信用代码", "协议合同编号", "债务余额"]


def test_key_matched_records_are_never_paired_again(tmp_path):
    debts = [loan(1), loan(2, DRAWDOWN_NO="JJ0O02")]
    banks = [bank(1), bank(2)]
    result = reconcile(tmp_path, debts, banks)
    assert classes(result) == [("misreported", (3,), (3,), ("DRAWDOWN_NO",))]
    assert result.rules[0].counts["matched"] == 1


def test_registry_products_with_a_contract_typo(tmp_path):
    result = reconcile(tmp_path, [product(1, CONTRACT_NO="TZ-0O01")], [], [registry(1)])
    assert classes(result) == [("misreported", (2,), (2,), ("CONTRACT_NO",))]


def test_the_second_match_can_be_switched_off(tmp_path):
    got = classes(reconcile(tmp_path, [loan(1, DRAWDOWN_NO="JJ0O01")], [bank(1)], overrides=["fallback=null"]))
    assert got == [("concealed", (), (2,), ()), ("debt_only", (2,), (), ())]


def test_monthly_mode_pairs_a_typo_made_this_month(tmp_path):
    previous = folder_with(tmp_path, [loan(1)], [bank(1)], name="202405")
    current = folder_with(tmp_path, [loan(1, DRAWDOWN_NO="JJ0O01")], [bank(1)], name="202406")
    result = reconcile_submission(current, PACK, previous=previous)
    assert classes(result) == [("misreported", (2,), (2,), ("DRAWDOWN_NO",))]


def test_validate_reports_the_pair_as_one_misreport(tmp_path):
    folder = folder_with(tmp_path, [loan(1, DRAWDOWN_NO="JJ0O01")], [bank(1)])
    result = validate_submission(folder, load_pack("debt_platform"))
    rule = next(r for r in result.rules if r.id == "DP.RECON.LOAN")
    values = sorted((s.file, s.value) for s in rule.samples)
    assert [v.split(":")[0] for _, v in values] == ["错报 misreported", "错报 misreported"]
    assert all("第二次匹配" in v and "提款编号 JJ0O01 ≠ JJ0001" in v for _, v in values)


def test_json_report_carries_how_records_were_paired(tmp_path):
    folder = folder_with(tmp_path, [loan(1, DRAWDOWN_NO="JJ0O01"), loan(2, RATE="5")], [bank(1), bank(2)])
    out = tmp_path / "out"
    assert main(["reconcile", str(folder), "--param", "province=460000", "--report-dir", str(out), "--quiet"]) == 1
    doc = json.loads((out / "reconcile.json").read_text("utf-8"))
    stages = sorted((f["match"]["stage"], tuple(f["differing_fields"])) for f in doc["findings"])
    assert stages == [("fallback", ("DRAWDOWN_NO",)), ("key", ("RATE",))]
    html = (out / "reconcile.html").read_text("utf-8")
    assert "第二次匹配" in html or "按债务单位统一社会信用代码、协议合同编号、借款金额第二次匹配配对" in html
