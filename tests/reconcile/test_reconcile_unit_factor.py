"""Unit slips and duplicates. A balance off by 10⁴ (元 vs 万元) within the scale tolerance is a unit slip,
but the balance corrected by the factor is compared again: a gap beyond the balance tolerance is still
少报 / 多报 (4480万 for 45,000,000 元 hides 200,000 元 otherwise). ×100 is no unit of the platform: a 100×
balance is 多报. A loan the unit entered twice (identical copies, each agreeing with the bank) is 多报
(重复填报), not 匹配异常. Every threshold just below, at and just above its boundary."""
import pytest

from engine.backends.duckdb.run import validate_submission
from engine.ruleset import load_pack
from tests.reconcile.helpers import bank, classes, folder_with, loan, reconcile

BANK_BALANCE = "45000000.00"  # tolerance max(1, 0.0001 × 45,000,000) = 4,500; scale window 0.005 × 45,000,000 = 225,000


def pair(tmp_path, debt_balance: str, bank_balance: str = BANK_BALANCE):
    result = reconcile(tmp_path, [loan(1, BALANCE=debt_balance, AMOUNT="99999999999.00")],
                       [bank(1, BALANCE=bank_balance, LOAN_AMOUNT="99999999999.00")])
    return result.findings[0] if result.findings else None


def test_4480_wan_for_45_million_reports_the_remaining_gap(tmp_path):
    f = pair(tmp_path, "4480.00")
    assert (f.cls, f.differing_fields, f.unit_factor) == ("under_reported", ["BALANCE"], True)
    assert f.scale == {"factor": "10000", "corrected": "44800000.00", "remaining": "-200000.00"}


@pytest.mark.parametrize("debt,cls", [
    ("4499.56", "misreported"),     # corrected 44,995,600: 4,400 short, within 4,500
    ("4499.55", "misreported"),     # 4,500 short: at the tolerance
    ("4499.54", "under_reported"),  # 4,600 short
    ("4500.44", "misreported"),     # 4,400 over
    ("4500.45", "misreported"),     # 4,500 over: at the tolerance
    ("4500.46", "over_reported"),   # 4,600 over
])
def test_remaining_gap_against_the_balance_tolerance(tmp_path, debt, cls):
    f = pair(tmp_path, debt)
    assert (f.cls, f.unit_factor, f.scale["factor"]) == (cls, True, "10000")


@pytest.mark.parametrize("debt,slip", [
    ("4477.51", True),   # 224,900 off ×10⁴: within 0.5 %
    ("4477.50", True),   # 225,000: at 0.5 %
    ("4477.49", False),  # 225,100: beyond 0.5 %, no unit slip
])
def test_scale_window_boundary(tmp_path, debt, slip):
    f = pair(tmp_path, debt)
    assert f.cls == "under_reported" and f.unit_factor is slip
    if slip:
        assert f.scale["corrected"] == f"{int(debt.replace('.', '')) * 100}.00"
    else:
        assert f.scale is None and f.balance_difference == f"{float(debt) - 45000000:.2f}"


def test_the_reverse_factor(tmp_path):
    f = pair(tmp_path, "450000000000.00")  # 元 figure entered ×10⁴
    assert (f.cls, f.scale["factor"], f.scale["remaining"]) == ("misreported", "0.0001", "0.00")


@pytest.mark.parametrize("debt,cls", [("4500000000.00", "over_reported"), ("450000.00", "under_reported")])
def test_a_hundredfold_balance_is_no_unit_slip(tmp_path, debt, cls):
    f = pair(tmp_path, debt)
    assert (f.cls, f.unit_factor, f.scale) == (cls, False, None)


def test_validate_names_the_factor_and_the_gap(tmp_path):
    folder = folder_with(tmp_path, [loan(1, BALANCE="4480.00", AMOUNT="45000000.00")],
                         [bank(1, BALANCE=BANK_BALANCE, LOAN_AMOUNT="45000000.00")])
    result = validate_submission(folder, load_pack("debt_platform"))
    values = {s.value for r in result.rules if r.id == "DP.RECON.LOAN" for s in r.samples}
    assert any(v.startswith("少报 under_reported: 单位错误 unit factor ×10000") and "换算后仍差 -200000.00" in v
               for v in values), values


# ---------------------------------------------------------------- entered twice


@pytest.mark.parametrize("copy_balance,cls", [
    ("8000799.99", "duplicate"),     # just within max(1, 0.0001 × 8,000,000) = 800 of the bank
    ("8000800.00", "duplicate"),     # 800 above: at the tolerance
    ("8000800.01", "many_to_one"),   # just above: the copies do not agree with the bank
])
def test_a_loan_entered_twice_is_duplicate(tmp_path, copy_balance, cls):
    debts = [loan(1, BALANCE=copy_balance), loan(1, BALANCE=copy_balance, RECORD_ID="R0009")]
    result = reconcile(tmp_path, debts, [bank(1)])
    assert [(f.cls, len(f.debt), len(f.creditor)) for f in result.findings] == [(cls, 2, 1)]
    assert result.findings[0].recipient.kind == "unit"


def test_copies_that_differ_or_split_the_loan_are_not_duplicates(tmp_path):
    split = [loan(1, BALANCE="4000000.00"), loan(1, BALANCE="4000000.00", RECORD_ID="R0009")]
    assert [f.cls for f in reconcile(tmp_path / "a", split, [bank(1)]).findings] == ["many_to_one"]
    differ = [loan(1), loan(1, RATE="4.5", RECORD_ID="R0009")]
    assert [f.cls for f in reconcile(tmp_path / "b", differ, [bank(1)]).findings] == ["many_to_one"]


def test_duplicate_copies_list_what_differs_from_the_bank(tmp_path):
    debts = [loan(1, RATE="4.5"), loan(1, RATE="4.5", RECORD_ID="R0009")]
    result = reconcile(tmp_path, debts, [bank(1)])
    assert classes(result) == [("duplicate", (2, 3), (2,), ("RATE",))]
    f = result.findings[0]
    assert (f.balance_debt, f.balance_creditor) == ("16000000.00", "8000000.00")
