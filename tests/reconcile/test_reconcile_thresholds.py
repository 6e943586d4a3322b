"""Every threshold of the debt_platform pack just below, at and just above its boundary (the pack's
parameters: conceal_min_balance, balance_abs/rel_tolerance, amount_abs_tolerance, rate_tolerance,
date_tolerance_days; scale_tolerance and the remaining gap after a unit slip are in
test_reconcile_unit_factor.py). A value at the boundary is within it."""
import pytest

from engine.ruleset import load_pack
from tests.reconcile.helpers import bank, classes, loan, reconcile


def pair(tmp_path, debt: dict, credit: dict | None = None, pack=None):
    return classes(reconcile(tmp_path, [loan(1, **debt)], [bank(1, **(credit or {}))], pack=pack))


@pytest.mark.parametrize("balance,cls", [("4999999.99", "omitted"), ("5000000.00", "concealed"), ("5000000.01", "concealed")])
def test_conceal_min_balance(tmp_path, balance, cls):
    assert classes(reconcile(tmp_path, [], [bank(1, BALANCE=balance, LOAN_AMOUNT=balance)])) == [(cls, (), (2,), ())]


@pytest.mark.parametrize("debt,differs", [("10.99", False), ("11.00", False), ("11.01", True)])
def test_balance_abs_tolerance(tmp_path, debt, differs):
    # creditor 10.00: max(1, 0.0001 × 10) = 1
    got = pair(tmp_path, {"BALANCE": debt, "AMOUNT": "100.00"}, {"BALANCE": "10.00", "LOAN_AMOUNT": "100.00"})
    assert got == ([("over_reported", (2,), (2,), ("BALANCE",))] if differs else [])


@pytest.mark.parametrize("debt,differs", [("80007999.99", False), ("80008000.00", False), ("80008000.01", True)])
def test_balance_rel_tolerance(tmp_path, debt, differs):
    # creditor 80,000,000: max(1, 0.0001 × 80,000,000) = 8,000
    got = pair(tmp_path, {"BALANCE": debt, "AMOUNT": "99999999.00"}, {"BALANCE": "80000000.00", "LOAN_AMOUNT": "99999999.00"})
    assert got == ([("over_reported", (2,), (2,), ("BALANCE",))] if differs else [])


@pytest.mark.parametrize("amount,differs", [("10000000.99", False), ("10000001.00", False), ("10000001.01", True)])
def test_amount_abs_tolerance(tmp_path, amount, differs):
    got = pair(tmp_path, {"AMOUNT": amount})
    assert got == ([("misreported", (2,), (2,), ("AMOUNT",))] if differs else [])


@pytest.mark.parametrize("rate,differs", [("4.2099", False), ("4.21", False), ("4.2101", True),
                                          ("4.1901", False), ("4.19", False), ("4.1899", True)])
def test_rate_tolerance(tmp_path, rate, differs):
    got = pair(tmp_path, {"RATE": rate})
    assert got == ([("misreported", (2,), (2,), ("RATE",))] if differs else [])


@pytest.mark.parametrize("maturity,differs", [("20280101", False), ("20280102", False), ("20280103", True),
                                              ("20271231", False), ("20271230", True)])
def test_date_tolerance_days(tmp_path, maturity, differs):
    one_day = load_pack("debt_platform", parameters={"date_tolerance_days": 1, "province": "460000"})
    got = pair(tmp_path, {"MATURITY_DATE": maturity}, pack=one_day)
    assert got == ([("misreported", (2,), (2,), ("MATURITY_DATE",))] if differs else [])


@pytest.mark.parametrize("maturity,differs", [("20280101", False), ("20280102", True)])
def test_date_tolerance_default_is_the_same_day(tmp_path, maturity, differs):
    got = pair(tmp_path, {"MATURITY_DATE": maturity})
    assert got == ([("misreported", (2,), (2,), ("MATURITY_DATE",))] if differs else [])
