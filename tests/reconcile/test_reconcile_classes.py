"""Each class on hand-built folders: group shapes, balance tests, tolerances at their edges,
unit factors, normalisation, incomplete keys and the concealment threshold."""
import pytest

from tests.reconcile.helpers import UNIT, UNIT2, bank, classes, loan, product, reconcile, registry, unit

# CSV line numbers: the header is line 1, so the n-th record is line n + 1.


def one_pair(tmp_path, debt: dict | None = None, credit: dict | None = None):
    return classes(reconcile(tmp_path, [loan(1, **(debt or {}))], [bank(1, **(credit or {}))]))


def test_matched_pair_is_no_finding(tmp_path):
    result = reconcile(tmp_path, [loan(1)], [bank(1)])
    assert result.findings == [] and result.verdict == "matched"
    assert result.rules[0].counts["matched"] == 1


@pytest.mark.parametrize("debt,credit,expected", [
    ({"BALANCE": "7000000.00"}, {}, ("under_reported", ("BALANCE",))),
    ({"BALANCE": "9000000.00"}, {}, ("over_reported", ("BALANCE",))),
    ({"BALANCE": "5000000.00", "STATUS": "存续"}, {"BALANCE": "0.00", "STATUS": "结清"}, ("over_reported", ("BALANCE",))),
    ({"MATURITY_DATE": "20280102"}, {}, ("misreported", ("MATURITY_DATE",))),
    ({"VALUE_DATE": "2023-01-01"}, {}, ("matched", ())),  # YYYY-MM-DD is the same date
    ({"RATE": "4.35"}, {}, ("misreported", ("RATE",))),
    ({"BRANCH_CODE": "B0001B246020001"}, {}, ("misreported", ("BRANCH_CODE",))),
    ({"CURRENCY": "USD"}, {}, ("misreported", ("CURRENCY",))),
    ({"AMOUNT": "12000000.00", "RATE": "5.0"}, {}, ("misreported", ("AMOUNT", "RATE"))),
    ({"BALANCE": "7000000.00", "RATE": "5.0"}, {}, ("under_reported", ("BALANCE", "RATE"))),  # balance decides, rate noted
    ({"BALANCE": "800.00"}, {}, ("misreported", ("BALANCE",))),  # 万元 for 元: unit factor 10⁴
    ({"BALANCE": "800000000.00"}, {}, ("over_reported", ("BALANCE",))),  # ×100 is no unit of the platform: 多报
    ({"BALANCE": "804.00"}, {}, ("over_reported", ("BALANCE",))),  # a 10⁴ slip, but 40,000 too much once corrected
    ({"BALANCE": "805.00"}, {}, ("under_reported", ("BALANCE",))),  # 0.625 % off: not a unit error
    ({"BALANCE": "abc"}, {}, ("misreported", ("BALANCE",))),  # unreadable balance: wrong content
    ({"BALANCE": ""}, {"BALANCE": ""}, ("matched", ())),
])
def test_pair_classes(tmp_path, debt, credit, expected):
    got = one_pair(tmp_path, debt, credit)
    if expected[0] == "matched":
        assert got == []
    else:
        assert got == [(expected[0], (2,), (2,), expected[1])]


@pytest.mark.parametrize("debt_balance,credit_balance,cls", [
    ("8000000.00", "8000800.00", None),              # |800| ≤ max(1, 0.0001 × 8,000,800 = 800.08)
    ("8000000.00", "8000801.00", "under_reported"),  # |801| > 800.0801
    ("8000800.00", "8000000.00", None),              # the relative part is of the creditor side: 800 ≤ 800.00 …
    ("8000800.01", "8000000.00", "over_reported"),   # … 800.01 > 800.00
    ("10.00", "11.00", None),                        # abs tolerance 1 (the relative part is only 0.0011)
    ("10.00", "11.01", "under_reported"),
    ("11.01", "10.00", "over_reported"),
])
def test_balance_tolerance_edges(tmp_path, debt_balance, credit_balance, cls):
    got = one_pair(tmp_path, {"BALANCE": debt_balance, "AMOUNT": "99999999.00"},
                   {"BALANCE": credit_balance, "LOAN_AMOUNT": "99999999.00"})
    assert got == ([] if cls is None else [(cls, (2,), (2,), ("BALANCE",))])


@pytest.mark.parametrize("debt_rate,differs", [("4.21", False), ("4.19", False), ("4.2101", True), ("4.1899", True)])
def test_rate_tolerance_edge(tmp_path, debt_rate, differs):
    got = one_pair(tmp_path, {"RATE": debt_rate})
    assert got == ([("misreported", (2,), (2,), ("RATE",))] if differs else [])


def test_overrides_change_tolerances_and_thresholds(tmp_path):
    debts, banks = [loan(1, BALANCE="7999000.00"), loan(2, RATE="4.25")], [bank(1), bank(2)]
    assert classes(reconcile(tmp_path / "a", debts, banks)) == [
        ("misreported", (3,), (3,), ("RATE",)), ("under_reported", (2,), (2,), ("BALANCE",))]
    relaxed = reconcile(tmp_path / "b", debts, banks, overrides=["balance.abs=1000", "DP.RECON.LOAN:compare.RATE.abs=0.05"])
    assert classes(relaxed) == []
    assert relaxed.rules[0].thresholds["balance_abs"] == "1000"


def test_date_tolerance_in_days(tmp_path):
    debts, banks = [loan(1, MATURITY_DATE="20280103")], [bank(1)]
    assert classes(reconcile(tmp_path / "a", debts, banks)) == [("misreported", (2,), (2,), ("MATURITY_DATE",))]
    assert classes(reconcile(tmp_path / "b", debts, banks, overrides=["compare.MATURITY_DATE.days=2"])) == []
    assert classes(reconcile(tmp_path / "c", debts, banks, overrides=["compare.到期日.days=1"])) == [
        ("misreported", (2,), (2,), ("MATURITY_DATE",))]


@pytest.mark.parametrize("debt", [
    {"CONTRACT_NO": "ＨＴ０００１"},                 # full-width letters and digits
    {"DRAWDOWN_NO": "JJ0001   "},                  # trailing spaces
    {"DRAWDOWN_NO": "\u3000JJ0001"},               # ideographic space
    {"UNIT_USCC": UNIT.lower()},                   # lower case
    {"CREDITOR_CODE": "b0001h111000001"},
    {"CONTRACT_NO": "ht-0001"},                    # separators in contract numbers
    {"CONTRACT_NO": "HT 00 01", "DRAWDOWN_NO": "JJ/0001"},
    {"BRANCH_CODE": " b0001b246010001 "},          # text compared after the same normalisation
    {"BALANCE": "８,０００,０００.00 "},             # numbers: full-width digits, thousands separators
    {"MATURITY_DATE": "２０２８０１０１"},
])
def test_normalisation_cases_match(tmp_path, debt):
    assert one_pair(tmp_path, debt) == []


def test_normalisation_does_not_over_reach(tmp_path):
    # separators are stripped only in contract and drawdown numbers; O is not 0: the keys differ, and the
    # second match (unit, creditor, drawdown, amount) pairs the records as 错报 of the contract number
    got = classes(reconcile(tmp_path, [loan(1, CONTRACT_NO="HTOOO1")], [bank(1)]))
    assert got == [("misreported", (2,), (2,), ("CONTRACT_NO",))]


def test_one_side_only(tmp_path):
    debts = [loan(1), loan(2)]
    banks = [bank(1), bank(3, BALANCE="6000000.00"), bank(4, BALANCE="4999999.99"), bank(5, BALANCE="5000000.00")]
    assert classes(reconcile(tmp_path, debts, banks)) == [
        ("concealed", (), (3,), ()), ("concealed", (), (5,), ()), ("debt_only", (3,), (), ()), ("omitted", (), (4,), ())]


def test_concealment_needs_registration(tmp_path):
    banks = [bank(1, BORROWER_USCC=UNIT2, BALANCE="90000000.00")]
    assert classes(reconcile(tmp_path / "a", [], banks)) == [("omitted", (), (2,), ())]
    assert classes(reconcile(tmp_path / "b", [], banks, units=[unit(), unit(UNIT2)])) == [("concealed", (), (2,), ())]
    # registration is judged on the normalised USCC
    assert classes(reconcile(tmp_path / "c", [], [bank(1, BORROWER_USCC=UNIT.lower() + " ")])) == [
        ("concealed", (), (2,), ())]


def test_concealment_threshold_is_a_parameter(tmp_path):
    from engine.ruleset import load_pack
    banks = [bank(1, BALANCE="3000000.00")]
    assert classes(reconcile(tmp_path / "a", [], banks)) == [("omitted", (), (2,), ())]
    lowered = load_pack("debt_platform", parameters={"conceal_min_balance": 3000000, "province": "460000"})
    assert classes(reconcile(tmp_path / "b", [], banks, pack=lowered)) == [("concealed", (), (2,), ())]


def test_duplicates_and_ambiguous_matches_are_flagged_not_paired(tmp_path):
    debts = [loan(1), loan(1), loan(2), loan(3), loan(3), loan(4, BALANCE="4000000.00"), loan(4, BALANCE="4000000.00")]
    banks = [bank(2), bank(2, LOAN_NO="JJ-0002"), bank(3), bank(3), bank(4)]
    assert classes(reconcile(tmp_path, debts, banks)) == [
        ("duplicate", (2, 3), (), ()),
        ("many_to_many", (5, 6), (4, 5), ()),
        ("many_to_one", (7, 8), (6,), ()),   # the sums agree (4 + 4 = 8), still not paired
        ("one_to_many", (4,), (2, 3), ()),
    ]


def test_group_balances_are_summed(tmp_path):
    result = reconcile(tmp_path, [loan(4, BALANCE="4000000.00"), loan(4, BALANCE="3000000.00")], [bank(4)])
    f = result.findings[0]
    assert (f.cls, f.balance_debt, f.balance_creditor, f.balance_difference) == (
        "many_to_one", "7000000.00", "8000000.00", "-1000000.00")


def test_incomplete_keys_never_match_each_other(tmp_path):
    # no key match; the second match pairs them on unit, contract and amount, the empty drawdown number is 错报
    got = classes(reconcile(tmp_path, [loan(1, DRAWDOWN_NO="")], [bank(1, LOAN_NO=" ")]))
    assert got == [("misreported", (2,), (2,), ("DRAWDOWN_NO",))]
    # without the second match they stay apart
    apart = classes(reconcile(tmp_path / "b", [loan(1, DRAWDOWN_NO="")], [bank(1, LOAN_NO=" ")],
                              overrides=["DP.RECON.LOAN:fallback=null"]))
    assert apart == [("concealed", (), (2,), ()), ("debt_only", (2,), (), ())]


def test_registry_rule_classes(tmp_path):
    debts = [product(1), product(2, kind="资管"), product(3, BALANCE="7000000.00"), product(4, PRODUCT_CODE="zxd00004 ")]
    regs = [registry(1), registry(2, kind="信托", REGISTRY="中国信托登记有限责任公司"), registry(3), registry(4), registry(5)]
    assert classes(reconcile(tmp_path, debts, [], regs)) == [
        ("concealed", (), (6,), ()), ("misreported", (3,), (3,), ("PRODUCT_TYPE",)),
        ("under_reported", (4,), (4,), ("BALANCE",))]


def test_scope_rules_keep_product_types_apart(tmp_path):
    # a 信托 record is not compared with bank loans, a 融资租赁 record with nothing
    result = reconcile(tmp_path, [product(1), loan(2, PRODUCT_TYPE="融资租赁")], [bank(1)], [registry(1)])
    assert classes(result) == [("concealed", (), (2,), ())]
    assert [(o.table, o.line, o.note) for o in result.out_of_scope] == [("DEBT_RECORD", 3, "产品类型=融资租赁")]
